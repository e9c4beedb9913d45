/*
 * model_tables.h - the private layout of the generated model tables
 * (src/aws/models/, one .c per service, written by tools/gen_models.py; keep the two in
 * step). Used by model.c and the protocol marshallers only; everything
 * else goes through aws/model.h.
 *
 * Every name is an offset into the service's string pool; offset 0 is the
 * empty string and means "absent". Shape and member references are
 * indices into the service's shape and member arrays. Depends on
 * aws/model.h only.
 */
#ifndef DROVER_AWS_MODEL_TABLES_H
#define DROVER_AWS_MODEL_TABLES_H

#include <stdint.h>

#include "aws/model.h"

#define AWS_NO_SHAPE 0xffff

enum aws_shape_type {
    SH_STRUCT,
    SH_LIST,
    SH_MAP,
    SH_STRING,
    SH_INTEGER,
    SH_LONG,
    SH_BOOLEAN,
    SH_DOUBLE,
    SH_TIMESTAMP,
    SH_BLOB
};

/* Shape flags */
#define SF_FLATTENED 0x01 /* list/map serialized without a wrapper element */
#define SF_POLICYDOC 0x02 /* IAM policyDocumentType: URL-encoded JSON */
#define SF_UNION     0x04

enum aws_ts_format { TS_DEFAULT, TS_ISO8601, TS_EPOCH, TS_RFC822 };

enum aws_location { LOC_BODY, LOC_URI, LOC_QUERY, LOC_HEADER, LOC_HEADERS, LOC_STATUS };

/* Member flags */
#define MF_REQUIRED    0x01
#define MF_IDEMPOTENCY 0x02 /* idempotencyToken: filled with a UUID v4 when absent */
#define MF_JSONVALUE   0x04 /* header holding base64-encoded JSON */
#define MF_FLATTENED   0x08
#define MF_PAYLOAD     0x10 /* the structure's payload member (rest-json) */
#define MF_STREAMING   0x20
#define MF_XMLATTR     0x40

enum aws_method { M_GET, M_POST, M_PUT, M_DELETE, M_HEAD, M_PATCH };

/* Paginator flags */
#define PF_MULTI 0x01 /* botocore lists several tokens/result keys; the first is kept */

struct aws_shape_def {
    uint8_t type;      /* enum aws_shape_type */
    uint8_t flags;     /* SF_* */
    uint8_t ts_format; /* enum aws_ts_format */
    uint16_t nmembers; /* structure members; 1 for a list; 2 (key, value) for a map */
    uint16_t first;    /* index of the first member row */
};

struct aws_member_def {
    uint32_t name;     /* member name ("member", "key", "value" for list/map rows) */
    uint32_t wire;     /* locationName when it differs from name, else 0 */
    uint32_t qname;    /* ec2 request name when it differs from wire-or-name, else 0 */
    uint16_t shape;    /* target shape */
    uint8_t location;  /* enum aws_location */
    uint8_t flags;     /* MF_* */
    uint8_t ts_format; /* member's or target shape's timestampFormat */
};

struct aws_op_model {
    const struct aws_service_model *svc;
    uint32_t name;  /* "DescribeSourceServers" */
    uint32_t kebab; /* "describe-source-servers" */
    uint8_t method; /* enum aws_method */
    uint32_t request_uri;
    uint16_t response_code;
    uint16_t input, output;  /* shape indices or AWS_NO_SHAPE */
    uint32_t result_wrapper; /* query protocol <OpResult> element */
    uint32_t pag_input_token, pag_output_token, pag_limit_key, pag_result_key;
    uint8_t pag_flags;
};

struct aws_service_model {
    const char *pool;
    const struct aws_shape_def *shapes;
    const struct aws_member_def *members;
    const struct aws_op_model *ops;
    uint16_t nops, nshapes;
    enum aws_protocol protocol;
    uint32_t name, endpoint_prefix, signing_name, env_name, service_id, api_version, target_prefix,
        json_version, global_endpoint;
};

/* NULL-terminated, in src/aws/models/index.c */
extern const struct aws_service_model *const aws_model_services[];

extern const struct aws_service_model aws_svc_drs;
extern const struct aws_service_model aws_svc_sts;
extern const struct aws_service_model aws_svc_iam;
extern const struct aws_service_model aws_svc_kms;
extern const struct aws_service_model aws_svc_ec2;
extern const struct aws_service_model aws_svc_backup;
extern const struct aws_service_model aws_svc_organizations;
extern const struct aws_service_model aws_svc_service_quotas;
extern const struct aws_service_model aws_svc_cloudformation;

/* Pool string at offset off ("" when 0). */
static inline const char *aws_pool(const struct aws_service_model *svc, uint32_t off)
{
    return svc->pool + off;
}

#endif
