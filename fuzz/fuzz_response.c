/*
 * fuzz_response.c - libFuzzer target for the response parsers of all four
 * protocols (aws_proto_parse). The first byte picks a service/operation
 * pair and the HTTP status class; the rest is the body. Every input must
 * give a JSON object or a clean error, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"
#include "aws/protocol.h"

static const char *const pairs[][2] = {
    {"drs", "DescribeSourceServers"},
    {"drs", "StartRecovery"},
    {"drs", "ListTagsForResource"},
    {"drs", "DescribeJobLogItems"},
    {"sts", "AssumeRole"},
    {"sts", "GetCallerIdentity"},
    {"iam", "GetRole"},
    {"iam", "ListRoles"},
    {"kms", "DescribeKey"},
    {"kms", "GetKeyPolicy"},
    {"ec2", "DescribeInstances"},
    {"ec2", "DescribeSecurityGroups"},
    {"backup", "ListRecoveryPointsByBackupVault"},
    {"organizations", "ListAccounts"},
    {"service-quotas", "GetServiceQuota"},
    {"cloudformation", "DescribeStacks"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct aws_service_model *svc;
    const struct aws_op_model *op;
    struct http_response resp;
    json_t *out = NULL;
    struct dr_err err;
    size_t npairs = sizeof(pairs) / sizeof(pairs[0]);
    unsigned sel;

    if (size < 1)
        return 0;
    sel = data[0];
    svc = aws_model_service(pairs[(sel & 0x7f) % npairs][0]);
    op = svc ? aws_model_op(svc, pairs[(sel & 0x7f) % npairs][1]) : NULL;
    if (!op)
        abort();
    http_resp_init(&resp, 0);
    resp.status = (sel & 0x80) ? 400 : 200;
    if (http_headers_add(&resp.headers, "x-amzn-RequestId", "fuzz") < 0 ||
        buf_add(&resp.body, data + 1, size - 1) < 0) {
        http_resp_cleanup(&resp);
        return 0;
    }
    if (aws_proto_parse(svc, op, &resp, &out, &err) == 0) {
        if (!json_is_object(out))
            abort();
        json_decref(out);
    }
    http_resp_cleanup(&resp);
    return 0;
}
