/*
 * model.h - the compact operation and shape tables generated from the
 * botocore service models (src/aws/models/, by tools/gen_models.py; do
 * not edit the generated files, run `make regen`).
 *
 * Only the lookup API is public; the table layout is private to the
 * generator and the protocol marshallers (aws/model_tables.h).
 * Depends on nothing.
 */
#ifndef DROVER_AWS_MODEL_H
#define DROVER_AWS_MODEL_H

#include <stdbool.h>
#include <stddef.h>

enum aws_protocol { AWS_PROTO_REST_JSON, AWS_PROTO_JSON, AWS_PROTO_QUERY, AWS_PROTO_EC2 };

struct aws_service_model; /* opaque */
struct aws_op_model;      /* opaque */

struct aws_service_info {
    const char *name;            /* drover's/CLI's service name: "drs", "service-quotas" */
    const char *endpoint_prefix; /* "drs", "servicequotas" */
    const char *signing_name;    /* SigV4 service: "drs", "servicequotas" */
    const char *env_name;        /* AWS_ENDPOINT_URL_<env_name>: "DRS", "SERVICE_QUOTAS" */
    const char *api_version;     /* "2020-02-26" */
    const char *target_prefix;   /* json protocol X-Amz-Target prefix, or NULL */
    const char *json_version;    /* "1.1" for json protocol, or NULL */
    const char *service_id;      /* botocore serviceId: "drs", "Service Quotas" */
    const char *global_endpoint; /* "iam.amazonaws.com", or NULL */
    bool global;                 /* IAM-style global endpoint (global_endpoint != NULL) */
    enum aws_protocol protocol;
};

struct aws_paginator {
    const char *input_token;  /* "nextToken"; NULL when the op does not paginate */
    const char *output_token; /* "nextToken" (may be a dotted path) */
    const char *limit_key;    /* "maxResults", or NULL */
    const char *result_key;   /* "items" (first result key) */
    bool multi;               /* botocore lists several tokens or result keys; only the
                               * first of each is given here */
};

/* Looks up a service by CLI name ("drs"), endpoint prefix or botocore id. NULL if unknown. */
const struct aws_service_model *aws_model_service(const char *name);
void aws_model_service_info(const struct aws_service_model *svc, struct aws_service_info *out);
/* Looks up an operation by its exact name ("DescribeSourceServers") or the
 * CLI's kebab-case form ("describe-source-servers"). NULL if unknown. */
const struct aws_op_model *aws_model_op(const struct aws_service_model *svc, const char *name);
const char *aws_model_op_name(const struct aws_op_model *op);
/* The service an operation belongs to. */
const struct aws_service_model *aws_model_op_service(const struct aws_op_model *op);
/* Fills *out; returns false when the operation has no paginator. */
bool aws_model_op_paginator(const struct aws_op_model *op, struct aws_paginator *out);
/* Iterates services and operations (index from 0; NULL past the end). */
const struct aws_service_model *aws_model_service_at(size_t i);
const struct aws_op_model *aws_model_op_at(const struct aws_service_model *svc, size_t i);

#endif
