/*
 * test_protocol.c - unit tests for the four wire protocols: request
 * serialization (labels, query strings, member.N and .N flattening,
 * X-Amz-Target), response conversion through the output shapes (lists
 * that stay lists, typed scalars, decoded IAM policies, ISO timestamps)
 * and each protocol's error format. Expected values follow botocore.
 */
#include <stdio.h>
#include <string.h>

#include "aws/model.h"
#include "aws/protocol.h"
#include "testlib.h" /* cmocka */

static int build(const char *svcname, const char *opname, const char *input,
                 struct http_request *req, struct dr_err *err)
{
    const struct aws_service_model *svc = aws_model_service(svcname);
    const struct aws_op_model *op = aws_model_op(svc, opname);
    json_t *in = input ? json_loads(input, 0, NULL) : NULL;
    int rc;

    assert_non_null(op);
    assert_int_equal(http_req_init(req, "POST", "https", "h", "/", "", NULL), 0);
    dr_err_clear(err);
    rc = aws_proto_build(svc, op, in, req, err);
    json_decref(in);
    return rc;
}

static json_t *parse(const char *svcname, const char *opname, int status, const char *body,
                     struct dr_err *err, int *rc)
{
    const struct aws_service_model *svc = aws_model_service(svcname);
    const struct aws_op_model *op = aws_model_op(svc, opname);
    struct http_response resp;
    json_t *out = NULL;

    http_resp_init(&resp, 0);
    resp.status = status;
    assert_int_equal(http_headers_add(&resp.headers, "x-amzn-RequestId", "req-1"), 0);
    assert_int_equal(buf_adds(&resp.body, body), 0);
    dr_err_clear(err);
    *rc = aws_proto_parse(svc, op, &resp, &out, err);
    http_resp_cleanup(&resp);
    return out;
}

static void test_protocol_restjson_labels_and_body(void **state)
{
    struct http_request req;
    struct dr_err err;
    (void)state;
    assert_int_equal(build("drs", "ListTagsForResource",
                           "{\"resourceArn\":\"arn:aws:drs:us-east-1:1:source-server/s-1\"}", &req,
                           &err),
                     0);
    assert_string_equal(req.method, "GET");
    assert_string_equal(req.path, "/tags/arn%3Aaws%3Adrs%3Aus-east-1%3A1%3Asource-server%2Fs-1");
    assert_int_equal(req.body_len, 0);
    http_req_cleanup(&req);
    assert_int_equal(build("drs", "UntagResource",
                           "{\"resourceArn\":\"arn:x\",\"tagKeys\":[\"a b\",\"c\"]}", &req, &err),
                     0);
    assert_string_equal(req.method, "DELETE");
    assert_string_equal(req.query, "tagKeys=a%20b&tagKeys=c");
    http_req_cleanup(&req);
    assert_int_equal(build("drs", "DescribeSourceServers",
                           "{\"filters\":{\"sourceServerIDs\":[\"s-1\"]},\"maxResults\":5}", &req,
                           &err),
                     0);
    assert_string_equal(req.path, "/DescribeSourceServers");
    assert_string_equal(http_headers_get(&req.headers, "Content-Type"), "application/json");
    assert_non_null(strstr(req.body, "\"sourceServerIDs\":[\"s-1\"]"));
    http_req_cleanup(&req);
}

static void test_protocol_input_errors_name_the_member(void **state)
{
    struct http_request req;
    struct dr_err err;
    (void)state;
    assert_int_not_equal(build("drs", "DescribeSourceServers", "{\"filterz\":{}}", &req, &err), 0);
    assert_non_null(strstr(err.msg, "unknown parameter 'filterz'"));
    assert_non_null(strstr(err.msg, "filters"));
    http_req_cleanup(&req);
    assert_int_not_equal(
        build("drs", "DescribeSourceServers", "{\"maxResults\":\"x\"}", &req, &err), 0);
    assert_non_null(strstr(err.msg, "maxResults: expected an integer"));
    http_req_cleanup(&req);
    assert_int_not_equal(build("iam", "GetRole", "{}", &req, &err), 0);
    assert_non_null(strstr(err.msg, "missing required parameter 'RoleName'"));
    http_req_cleanup(&req);
}

static void test_protocol_json_target(void **state)
{
    struct http_request req;
    struct dr_err err;
    (void)state;
    assert_int_equal(build("kms", "DescribeKey", "{\"KeyId\":\"alias/x\"}", &req, &err), 0);
    assert_string_equal(http_headers_get(&req.headers, "X-Amz-Target"), "TrentService.DescribeKey");
    assert_string_equal(http_headers_get(&req.headers, "Content-Type"),
                        "application/x-amz-json-1.1");
    assert_string_equal(req.body, "{\"KeyId\":\"alias/x\"}");
    http_req_cleanup(&req);
}

static void test_protocol_query_and_ec2_flattening(void **state)
{
    struct http_request req;
    struct dr_err err;
    (void)state;
    assert_int_equal(build("sts", "AssumeRole",
                           "{\"RoleArn\":\"arn:r\",\"RoleSessionName\":\"s\",\"Tags\":[{\"Key\":"
                           "\"k\",\"Value\":\"v w\"}],\"TransitiveTagKeys\":[\"k\"]}",
                           &req, &err),
                     0);
    assert_non_null(strstr(req.body, "Action=AssumeRole&Version=2011-06-15"));
    assert_non_null(strstr(req.body, "Tags.member.1.Key=k"));
    assert_non_null(strstr(req.body, "Tags.member.1.Value=v%20w"));
    assert_non_null(strstr(req.body, "TransitiveTagKeys.member.1=k"));
    http_req_cleanup(&req);
    assert_int_equal(build("ec2", "DescribeInstances",
                           "{\"Filters\":[{\"Name\":\"tag:App\",\"Values\":[\"a\",\"b\"]}],"
                           "\"InstanceIds\":[\"i-1\"]}",
                           &req, &err),
                     0);
    assert_non_null(strstr(req.body, "Filter.1.Name=tag%3AApp"));
    assert_non_null(strstr(req.body, "Filter.1.Value.2=b"));
    assert_non_null(strstr(req.body, "InstanceId.1=i-1"));
    http_req_cleanup(&req);
}

static void test_protocol_ec2_response_names_and_lists(void **state)
{
    struct dr_err err;
    int rc;
    json_t *out = parse(
        "ec2", "DescribeInstances", 200,
        "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
        "<requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId>"
        "<instancesSet><item><instanceId>i-1</instanceId><amiLaunchIndex>0</amiLaunchIndex>"
        "<launchTime>2026-01-02T03:04:05.000Z</launchTime><ebsOptimized>false</ebsOptimized>"
        "<tagSet><item><key>App</key><value>shop</value></item></tagSet></item></instancesSet>"
        "</item></reservationSet><nextToken>tok</nextToken></DescribeInstancesResponse>",
        &err, &rc);
    json_t *inst;
    (void)state;
    assert_int_equal(rc, 0);
    assert_string_equal(json_string_value(json_object_get(out, "NextToken")), "tok");
    inst = json_array_get(
        json_object_get(json_array_get(json_object_get(out, "Reservations"), 0), "Instances"), 0);
    assert_string_equal(json_string_value(json_object_get(inst, "InstanceId")), "i-1");
    assert_true(json_is_integer(json_object_get(inst, "AmiLaunchIndex")));
    assert_true(json_is_false(json_object_get(inst, "EbsOptimized")));
    assert_string_equal(json_string_value(json_object_get(inst, "LaunchTime")),
                        "2026-01-02T03:04:05Z");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(inst, "Tags"), 0), "Value")),
                        "shop");
    json_decref(out);
}

static void test_protocol_iam_policy_decoded(void **state)
{
    struct dr_err err;
    int rc;
    json_t *out = parse("iam", "GetRole", 200,
                        "<GetRoleResponse><GetRoleResult><Role><RoleName>r</RoleName>"
                        "<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22"
                        "Statement%22%3A%5B%5D%7D</AssumeRolePolicyDocument>"
                        "<CreateDate>2026-01-01T00:00:00Z</CreateDate></Role></GetRoleResult>"
                        "</GetRoleResponse>",
                        &err, &rc);
    json_t *doc;
    (void)state;
    assert_int_equal(rc, 0);
    doc = json_object_get(json_object_get(out, "Role"), "AssumeRolePolicyDocument");
    assert_true(json_is_object(doc));
    assert_string_equal(json_string_value(json_object_get(doc, "Version")), "2012-10-17");
    json_decref(out);
}

static void test_protocol_errors_per_protocol(void **state)
{
    struct dr_err err;
    int rc;
    json_t *out;
    (void)state;
    out = parse("iam", "GetRole", 404,
                "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The "
                "role x cannot be found.</Message></Error><RequestId>rid-9</RequestId>"
                "</ErrorResponse>",
                &err, &rc);
    assert_null(out);
    assert_int_equal(rc, -DR_EAWS);
    assert_string_equal(err.code, "NoSuchEntity");
    assert_string_equal(err.request_id, "rid-9");
    assert_int_equal(err.http_status, 404);
    out = parse("ec2", "DescribeVpcs", 400,
                "<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>nope"
                "</Message></Error></Errors><RequestID>r2</RequestID></Response>",
                &err, &rc);
    assert_string_equal(err.code, "InvalidVpcID.NotFound");
    assert_string_equal(err.msg, "nope");
    out = parse("kms", "DescribeKey", 400,
                "{\"__type\":\"com.amazonaws.kms#NotFoundException\",\"message\":\"gone\"}", &err,
                &rc);
    assert_string_equal(err.code, "NotFoundException");
    assert_string_equal(err.msg, "gone");
    out = parse("drs", "StartRecovery", 402, "{\"message\":\"quota\",\"code\":\"x\"}", &err, &rc);
    assert_string_equal(err.code, "x");
    out = parse("drs", "StartRecovery", 503, "<html>bad gateway</html>", &err, &rc);
    assert_int_equal(rc, -DR_EAWS);
    assert_string_equal(err.code, "HTTP503");
    (void)out;
}

static void test_protocol_malformed_bodies_fail_cleanly(void **state)
{
    struct dr_err err;
    int rc;
    json_t *out;
    (void)state;
    out = parse("drs", "DescribeSourceServers", 200, "{\"items\":[", &err, &rc);
    assert_null(out);
    assert_int_equal(rc, -DR_EPARSE);
    out = parse("sts", "GetCallerIdentity", 200, "<a><b></a>", &err, &rc);
    assert_null(out);
    assert_int_equal(rc, -DR_EPARSE);
    out = parse("drs", "DescribeSourceServers", 200, "[1,2]", &err, &rc);
    assert_null(out);
    assert_int_equal(rc, -DR_EPARSE);
}

static void test_protocol_json_timestamps_become_iso(void **state)
{
    struct dr_err err;
    int rc;
    json_t *out = parse("kms", "DescribeKey", 200,
                        "{\"KeyMetadata\":{\"KeyId\":\"k\",\"CreationDate\":1796157830.5,"
                        "\"Unknown\":1}}",
                        &err, &rc);
    (void)state;
    assert_int_equal(rc, 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "KeyMetadata"), "CreationDate")),
        "2026-12-01T20:43:50.500Z");
    assert_null(json_object_get(json_object_get(out, "KeyMetadata"), "Unknown"));
    json_decref(out);
}

static void test_protocol_backup_recovery_points(void **state)
{
    struct http_request req;
    struct dr_err err;
    int rc;
    json_t *out, *rp;
    (void)state;
    assert_int_equal(build("backup", "ListRecoveryPointsByBackupVault",
                           "{\"BackupVaultName\":\"dr vault\",\"ByResourceType\":\"EBS\","
                           "\"MaxResults\":10}",
                           &req, &err),
                     0);
    assert_string_equal(req.method, "GET");
    assert_string_equal(req.path, "/backup-vaults/dr%20vault/recovery-points/");
    assert_non_null(strstr(req.query, "resourceType=EBS"));
    assert_non_null(strstr(req.query, "maxResults=10"));
    http_req_cleanup(&req);
    out = parse("backup", "ListRecoveryPointsByBackupVault", 200,
                "{\"NextToken\":\"n\",\"RecoveryPoints\":[{\"RecoveryPointArn\":\"arn:rp\","
                "\"CreationDate\":1796157830,\"Status\":\"COMPLETED\","
                "\"BackupSizeInBytes\":42}]}",
                &err, &rc);
    assert_int_equal(rc, 0);
    rp = json_array_get(json_object_get(out, "RecoveryPoints"), 0);
    assert_string_equal(json_string_value(json_object_get(rp, "CreationDate")),
                        "2026-12-01T20:43:50Z");
    assert_int_equal(json_integer_value(json_object_get(rp, "BackupSizeInBytes")), 42);
    assert_string_equal(json_string_value(json_object_get(out, "NextToken")), "n");
    json_decref(out);
}

/* The in-place conversion of a rest-json page: unknown members dropped at
 * every level, maps and lists kept whole, scalars untouched. */
static void test_protocol_restjson_page_converted_in_place(void **state)
{
    struct dr_err err;
    int rc;
    json_t *out =
        parse("drs", "DescribeSourceServers", 200,
              "{\"nextToken\":\"t\",\"bogus\":[1],\"items\":[{\"sourceServerID\":\"s-1\","
              "\"extra\":{\"a\":1},\"tags\":{\"App\":\"shop\",\"x\":\"y\"},"
              "\"sourceProperties\":{\"identificationHints\":{\"hostname\":\"h\",\"nope\":2},"
              "\"disks\":[{\"deviceName\":\"d\",\"bytes\":5,\"junk\":true}]}},"
              "{\"sourceServerID\":\"s-2\"}]}",
              &err, &rc);
    json_t *it, *sp;
    (void)state;
    assert_int_equal(rc, 0);
    assert_null(json_object_get(out, "bogus"));
    assert_string_equal(json_string_value(json_object_get(out, "nextToken")), "t");
    assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
    it = json_array_get(json_object_get(out, "items"), 0);
    assert_null(json_object_get(it, "extra"));
    assert_int_equal(json_object_size(json_object_get(it, "tags")), 2);
    sp = json_object_get(it, "sourceProperties");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(sp, "identificationHints"), "hostname")),
        "h");
    assert_null(json_object_get(json_object_get(sp, "identificationHints"), "nope"));
    it = json_array_get(json_object_get(sp, "disks"), 0);
    assert_int_equal(json_object_size(it), 2);
    assert_int_equal(json_integer_value(json_object_get(it, "bytes")), 5);
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocol_restjson_labels_and_body),
        cmocka_unit_test(test_protocol_input_errors_name_the_member),
        cmocka_unit_test(test_protocol_json_target),
        cmocka_unit_test(test_protocol_query_and_ec2_flattening),
        cmocka_unit_test(test_protocol_ec2_response_names_and_lists),
        cmocka_unit_test(test_protocol_iam_policy_decoded),
        cmocka_unit_test(test_protocol_errors_per_protocol),
        cmocka_unit_test(test_protocol_malformed_bodies_fail_cleanly),
        cmocka_unit_test(test_protocol_json_timestamps_become_iso),
        cmocka_unit_test(test_protocol_backup_recovery_points),
        cmocka_unit_test(test_protocol_restjson_page_converted_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
