/*
 * test_model.c - unit tests for the generated model tables and their
 * lookups (src/aws/model.c): services by name, ops by exact and kebab-case
 * name, service metadata and paginators.
 */
#include <string.h>

#include "aws/model.h"
#include "testlib.h" /* cmocka */

static void test_model_services_and_metadata(void **state)
{
    static const char *const names[] = {
        "drs",           "sts", "iam", "kms", "ec2", "backup", "organizations", "service-quotas",
        "cloudformation"};
    static const char *const envs[] = {"DRS",           "STS",    "IAM",           "KMS",
                                       "EC2",           "BACKUP", "ORGANIZATIONS", "SERVICE_QUOTAS",
                                       "CLOUDFORMATION"};
    struct aws_service_info info;
    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const struct aws_service_model *s = aws_model_service(names[i]);
        assert_non_null(s);
        aws_model_service_info(s, &info);
        assert_string_equal(info.name, names[i]);
        assert_string_equal(info.env_name, envs[i]);
    }
    assert_null(aws_model_service("nosuch"));
    aws_model_service_info(aws_model_service("servicequotas"), &info);
    assert_string_equal(info.name, "service-quotas");
    assert_string_equal(info.signing_name, "servicequotas");
    assert_string_equal(info.target_prefix, "ServiceQuotasV20190624");
    assert_string_equal(info.json_version, "1.1");
    assert_int_equal(info.protocol, AWS_PROTO_JSON);
    aws_model_service_info(aws_model_service("iam"), &info);
    assert_true(info.global);
    assert_string_equal(info.api_version, "2010-05-08");
    assert_int_equal(info.protocol, AWS_PROTO_QUERY);
    aws_model_service_info(aws_model_service("drs"), &info);
    assert_false(info.global);
    assert_null(info.target_prefix);
    assert_int_equal(info.protocol, AWS_PROTO_REST_JSON);
    assert_null(aws_model_service_at(9));
}

static void test_model_ops_by_name_and_kebab(void **state)
{
    const struct aws_service_model *sq = aws_model_service("service-quotas");
    const struct aws_op_model *op;
    (void)state;
    op = aws_model_op(sq, "get-aws-default-service-quota");
    assert_non_null(op);
    assert_string_equal(aws_model_op_name(op), "GetAWSDefaultServiceQuota");
    assert_ptr_equal(aws_model_op_service(op), sq);
    assert_ptr_equal(aws_model_op(sq, "GetAWSDefaultServiceQuota"), op);
    assert_null(aws_model_op(sq, "DescribeInstances"));
    op = aws_model_op(aws_model_service("drs"), "describe-source-servers");
    assert_non_null(op);
    assert_string_equal(aws_model_op_name(op), "DescribeSourceServers");
    /* drs carries every operation of its model */
    size_t n = 0;
    while (aws_model_op_at(aws_model_service("drs"), n))
        n++;
    assert_true(n >= 40);
}

static void test_model_paginators(void **state)
{
    struct aws_paginator p;
    (void)state;
    assert_true(aws_model_op_paginator(
        aws_model_op(aws_model_service("drs"), "DescribeSourceServers"), &p));
    assert_string_equal(p.input_token, "nextToken");
    assert_string_equal(p.output_token, "nextToken");
    assert_string_equal(p.limit_key, "maxResults");
    assert_string_equal(p.result_key, "items");
    assert_true(
        aws_model_op_paginator(aws_model_op(aws_model_service("ec2"), "DescribeInstances"), &p));
    assert_string_equal(p.result_key, "Reservations");
    assert_false(aws_model_op_paginator(aws_model_op(aws_model_service("sts"), "AssumeRole"), &p));
    assert_null(p.input_token);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_services_and_metadata),
        cmocka_unit_test(test_model_ops_by_name_and_kebab),
        cmocka_unit_test(test_model_paginators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
