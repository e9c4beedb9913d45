/*
 * protocol_int.h - private helpers shared by the protocol marshallers
 * (protocol.c: JSON and REST-JSON; protocol_xml.c: query, ec2 and XML).
 * Depends on aws/model_tables.h, core/buf, jansson, expat.
 */
#ifndef DROVER_AWS_PROTOCOL_INT_H
#define DROVER_AWS_PROTOCOL_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "aws/http.h"
#include "aws/model_tables.h"
#include "core/buf.h"
#include "core/err.h"

#define PROTO_MAX_DEPTH     64
#define PROTO_MAX_XML_NODES 2000000

static inline const struct aws_shape_def *proto_shape(const struct aws_service_model *svc,
                                                      uint16_t i)
{
    return &svc->shapes[i];
}

static inline const struct aws_member_def *proto_member(const struct aws_service_model *svc,
                                                        const struct aws_shape_def *sh, uint16_t i)
{
    return &svc->members[sh->first + i];
}

static inline const char *proto_mname(const struct aws_service_model *svc,
                                      const struct aws_member_def *m)
{
    return aws_pool(svc, m->name);
}

/* The wire name: locationName when set, else the member name. */
static inline const char *proto_wire(const struct aws_service_model *svc,
                                     const struct aws_member_def *m)
{
    return m->wire ? aws_pool(svc, m->wire) : aws_pool(svc, m->name);
}

/* Finds the member of a structure by model name (or wire name when by_wire). */
const struct aws_member_def *proto_find_member(const struct aws_service_model *svc,
                                               const struct aws_shape_def *sh, const char *name,
                                               bool by_wire);
/* "path: unknown parameter 'x', must be one of: a, b" */
int proto_unknown_member(const struct aws_service_model *svc, const struct aws_shape_def *sh,
                         const char *path, const char *key, struct dr_err *err);
/* Checks required members and fills idempotency tokens into *obj (may copy). */
int proto_check_required(const struct aws_service_model *svc, const struct aws_shape_def *sh,
                         json_t *obj, const char *path, struct dr_err *err);
/* Converts a wire timestamp (epoch number or string) to an ISO 8601 string. */
json_t *proto_ts_out(const json_t *v);
/* Parses an input timestamp (ISO string or epoch number) into epoch ms. */
int proto_ts_in(const json_t *v, int64_t *ms);
/* Formats epoch ms as the protocol wants for a scalar text value. */
int proto_ts_text(int64_t ms, int fmt, struct buf *out);
/* A scalar input value as text for query strings, headers and forms. */
int proto_scalar_text(const struct aws_service_model *svc, const struct aws_shape_def *sh,
                      const json_t *v, const char *path, int ts_fmt_default, struct buf *out,
                      struct dr_err *err);

/* Query and EC2 (protocol_xml.c). */
int proto_query_build(const struct aws_service_model *svc, const struct aws_op_model *op,
                      const json_t *input, struct http_request *req, struct dr_err *err);
int proto_xml_parse(const struct aws_service_model *svc, const struct aws_op_model *op,
                    const struct http_response *resp, json_t **out, struct dr_err *err);

#endif
