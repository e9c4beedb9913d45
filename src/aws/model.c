/*
 * model.c - lookups over the generated model tables (aws/model.h): services
 * by CLI name, endpoint prefix or botocore service id; operations by exact
 * or kebab-case name; paginators. Depends on aws/model_tables.h only.
 */
#include "aws/model.h"

#include <string.h>

#include "aws/model_tables.h"

const struct aws_service_model *aws_model_service(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; aws_model_services[i]; i++) {
        const struct aws_service_model *s = aws_model_services[i];
        if (!strcmp(name, aws_pool(s, s->name)) || !strcmp(name, aws_pool(s, s->endpoint_prefix)) ||
            !strcmp(name, aws_pool(s, s->service_id)))
            return s;
    }
    return NULL;
}

static const char *or_null(const struct aws_service_model *s, uint32_t off)
{
    return off ? aws_pool(s, off) : NULL;
}

void aws_model_service_info(const struct aws_service_model *svc, struct aws_service_info *out)
{
    memset(out, 0, sizeof(*out));
    if (!svc)
        return;
    out->name = aws_pool(svc, svc->name);
    out->endpoint_prefix = aws_pool(svc, svc->endpoint_prefix);
    out->signing_name = aws_pool(svc, svc->signing_name);
    out->env_name = aws_pool(svc, svc->env_name);
    out->service_id = aws_pool(svc, svc->service_id);
    out->api_version = aws_pool(svc, svc->api_version);
    out->target_prefix = or_null(svc, svc->target_prefix);
    out->json_version = or_null(svc, svc->json_version);
    out->global_endpoint = or_null(svc, svc->global_endpoint);
    out->global = svc->global_endpoint != 0;
    out->protocol = svc->protocol;
}

const struct aws_op_model *aws_model_op(const struct aws_service_model *svc, const char *name)
{
    if (!svc || !name)
        return NULL;
    for (size_t i = 0; i < svc->nops; i++) {
        const struct aws_op_model *op = &svc->ops[i];
        if (!strcmp(name, aws_pool(svc, op->name)) || !strcmp(name, aws_pool(svc, op->kebab)))
            return op;
    }
    return NULL;
}

const char *aws_model_op_name(const struct aws_op_model *op)
{
    return op ? aws_pool(op->svc, op->name) : NULL;
}

const struct aws_service_model *aws_model_op_service(const struct aws_op_model *op)
{
    return op ? op->svc : NULL;
}

bool aws_model_op_paginator(const struct aws_op_model *op, struct aws_paginator *out)
{
    memset(out, 0, sizeof(*out));
    if (!op || !op->pag_input_token)
        return false;
    out->input_token = aws_pool(op->svc, op->pag_input_token);
    out->output_token = or_null(op->svc, op->pag_output_token);
    out->limit_key = or_null(op->svc, op->pag_limit_key);
    out->result_key = or_null(op->svc, op->pag_result_key);
    out->multi = (op->pag_flags & PF_MULTI) != 0;
    return true;
}

const struct aws_service_model *aws_model_service_at(size_t i)
{
    for (size_t k = 0; aws_model_services[k]; k++) {
        if (k == i)
            return aws_model_services[k];
    }
    return NULL;
}

const struct aws_op_model *aws_model_op_at(const struct aws_service_model *svc, size_t i)
{
    if (!svc || i >= svc->nops)
        return NULL;
    return &svc->ops[i];
}
