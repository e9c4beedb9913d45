/*
 * test_policy.c - unit tests for src/policy: parser errors and limits,
 * action/resource/principal matching, every condition operator family,
 * set operators on missing and empty keys, policy variables, the decision
 * chain, explanations, and the conformance cases from
 * $DROVER_SHARED/testdata/iam-policy-cases (skipped when absent).
 */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "core/jsonutil.h"
#include "policy/policy.h"
#include "testlib.h" /* cmocka */

#define ACCT  "111111111111"
#define OTHER "222222222222"
#define USER  "arn:aws:iam::" ACCT ":user/alice"

static struct policy *compile(const char *json, enum policy_kind kind)
{
    struct policy *p = NULL;
    struct dr_err err = {0};
    int rc = policy_compile(json, strlen(json), kind, NULL, &p, &err);
    if (rc)
        print_error("compile failed: %s\n", err.msg);
    assert_int_equal(rc, 0);
    return p;
}

static void compile_fails(const char *json, enum policy_kind kind, const char *needle)
{
    struct policy *p = NULL;
    struct dr_err err = {0};
    assert_int_not_equal(policy_compile(json, strlen(json), kind, "t", &p, &err), 0);
    assert_null(p);
    if (!strstr(err.msg, needle))
        print_error("message '%s' lacks '%s'\n", err.msg, needle);
    assert_non_null(strstr(err.msg, needle));
}

/* Identity-only decision for a user of ACCT on a same-account resource. */
static enum policy_decision idecide(const char *stmts, const char *action, const char *resource,
                                    const struct policy_ctx_entry *ctx, size_t nctx)
{
    char doc[8192];
    struct policy *p;
    enum policy_decision d;

    snprintf(doc, sizeof(doc), "{\"Version\":\"2012-10-17\",\"Statement\":[%s]}", stmts);
    p = compile(doc, POLICY_IDENTITY);
    const struct policy *ids[] = {p};
    struct policy_set set = {.identity = ids, .nidentity = 1};
    struct policy_request req = {.principal = USER,
                                 .action = action,
                                 .resource = resource,
                                 .resource_account = ACCT,
                                 .ctx = ctx,
                                 .nctx = nctx};
    d = policy_evaluate(&set, &req);
    policy_free(p);
    return d;
}

/* One condition block on an allow-all statement, one context key. */
static enum policy_decision cdecide(const char *cond, const char *key, const char *const *vals,
                                    size_t n, bool list)
{
    char st[4096];
    struct policy_ctx_entry e = {key, vals, n, list};
    snprintf(st, sizeof(st),
             "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
             "\"Condition\":%s}",
             cond);
    return idecide(st, "s3:GetObject", "arn:aws:s3:::b/k", key ? &e : NULL, key ? 1 : 0);
}

#define ALLOW POLICY_ALLOWED
#define IMPL  POLICY_IMPLICIT_DENY
#define EXPL  POLICY_EXPLICIT_DENY

static const char *const V_ONE[] = {"alice"};

/* ---- parser ---- */

static void test_policy_parse_errors_name_the_path(void **state)
{
    (void)state;
    compile_fails("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                  "\"*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":"
                  "\"*\"},{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":"
                  "{\"StringLike\":\"x\"}}]}",
                  POLICY_IDENTITY, "Statement[2].Condition.StringLike");
    compile_fails("{\"Statement\":{\"Effect\":\"Permit\",\"Action\":\"*\",\"Resource\":\"*\"}}",
                  POLICY_IDENTITY, "Effect must be");
    compile_fails("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotAction\":\"s3:*\","
                  "\"Resource\":\"*\"}]}",
                  POLICY_IDENTITY, "both Action and NotAction");
    compile_fails("{\"Version\":\"2012-10-18\",\"Statement\":[]}", POLICY_IDENTITY, "Version");
    compile_fails("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
                  "\"Condition\":{\"StringEqualz\":{\"a\":\"b\"}}}]}",
                  POLICY_IDENTITY,
                  "Statement[0].Condition.StringEqualz: unknown condition operator");
    compile_fails("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
                  "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.300/8\"}}}]}",
                  POLICY_IDENTITY, "not a valid value");
    compile_fails("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\"}]}", POLICY_IDENTITY,
                  "missing Resource");
    compile_fails("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*\",3],\"Resource\":"
                  "\"*\"}]}",
                  POLICY_IDENTITY, "Action[1] must be a string");
    /* The seed's DRSCrossAccountAgentRole trust writes "Principal": {}. */
    compile_fails("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                  "{},\"Action\":[\"sts:AssumeRole\"]}]}",
                  POLICY_TRUST, "Statement[0]: Principal is empty");
}

static void test_policy_parse_limits(void **state)
{
    char *big = malloc(POLICY_MAX_BYTES + 100), deep[256];
    size_t i;
    (void)state;
    assert_non_null(big);
    memset(big, ' ', POLICY_MAX_BYTES + 99);
    big[0] = '{';
    big[POLICY_MAX_BYTES + 98] = '}';
    big[POLICY_MAX_BYTES + 99] = '\0';
    compile_fails(big, POLICY_IDENTITY, "byte limit");
    free(big);
    for (i = 0; i < 100; i++)
        deep[i] = '[';
    deep[100] = '\0';
    compile_fails(deep, POLICY_IDENTITY, "nesting deeper");
}

static void test_policy_parse_shapes(void **state)
{
    struct policy *p;
    (void)state;
    /* Statement as an object, Action/Resource as strings, no Version. */
    p = compile("{\"Statement\":{\"Sid\":\"a\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                "\"Resource\":\"*\"}}",
                POLICY_IDENTITY);
    assert_int_equal(policy_statement_count(p), 1);
    policy_free(p);
    /* Trust policies need no Resource; numbers and booleans are condition values. */
    p = compile("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                "{\"AWS\":[\"" ACCT "\"],\"Service\":\"drs.amazonaws.com\"},\"Action\":"
                "\"sts:AssumeRole\",\"Condition\":{\"NumericLessThan\":{\"a\":5},\"Bool\":{\"b\":"
                "true}}}]}",
                POLICY_TRUST);
    assert_string_equal(policy_name(p), "trust");
    policy_free(p);
}

/* ---- matching ---- */

static void test_policy_action_matching(void **state)
{
    (void)state;
    const char *st = "{\"Effect\":\"Allow\",\"Action\":[\"S3:get*\",\"ec2:Describe?nstances\"],"
                     "\"Resource\":\"*\"}";
    assert_int_equal(idecide(st, "s3:GetObject", "*", NULL, 0), ALLOW);
    assert_int_equal(idecide(st, "s3:GETOBJECTACL", "*", NULL, 0), ALLOW);
    assert_int_equal(idecide(st, "ec2:DescribeInstances", "*", NULL, 0), ALLOW);
    assert_int_equal(idecide(st, "s3:PutObject", "*", NULL, 0), IMPL);
    assert_int_equal(idecide(st, "s3x:GetObject", "*", NULL, 0), IMPL);
    st = "{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}";
    assert_int_equal(idecide(st, "s3:GetObject", "*", NULL, 0), ALLOW);
    assert_int_equal(idecide(st, "iam:CreateRole", "*", NULL, 0), IMPL);
}

static void test_policy_resource_matching(void **state)
{
    (void)state;
    const char *st = "{\"Effect\":\"Allow\",\"Action\":\"*\","
                     "\"Resource\":\"arn:aws:ec2:*:" ACCT ":instance/*\"}";
    assert_int_equal(
        idecide(st, "ec2:StartInstances", "arn:aws:ec2:us-east-1:" ACCT ":instance/i-1", NULL, 0),
        ALLOW);
    /* '*' in the region part cannot swallow the colon before the account. */
    st = "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:ec2:*:instance/*\"}";
    assert_int_equal(
        idecide(st, "ec2:StartInstances", "arn:aws:ec2:us-east-1:" ACCT ":instance/i-1", NULL, 0),
        IMPL);
    /* ... but it crosses colons in the resource part. */
    st = "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:logs:*:*:log-group:*\"}";
    assert_int_equal(idecide(st, "logs:PutLogEvents",
                             "arn:aws:logs:us-east-1:" ACCT ":log-group:g:log-stream:s", NULL, 0),
                     ALLOW);
    st = "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:s3:::b/?.txt\"}";
    assert_int_equal(idecide(st, "s3:GetObject", "arn:aws:s3:::b/a.txt", NULL, 0), ALLOW);
    assert_int_equal(idecide(st, "s3:GetObject", "arn:aws:s3:::b/ab.txt", NULL, 0), IMPL);
    /* Resource ARNs are case-sensitive. */
    assert_int_equal(idecide(st, "s3:GetObject", "arn:aws:s3:::B/a.txt", NULL, 0), IMPL);
}

static enum policy_decision trust_decide(const char *principal_json, const char *principal,
                                         const char *ident)
{
    char doc[2048];
    struct policy *t, *id = NULL;
    enum policy_decision d;

    snprintf(doc, sizeof(doc),
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":%s,"
             "\"Action\":\"sts:AssumeRole\"}]}",
             principal_json);
    t = compile(doc, POLICY_TRUST);
    if (ident)
        id = compile(ident, POLICY_IDENTITY);
    const struct policy *ids[] = {id};
    struct policy_set set = {.resource = t, .identity = ids, .nidentity = id ? 1 : 0};
    struct policy_request req = {.principal = principal,
                                 .action = "sts:AssumeRole",
                                 .resource = "arn:aws:iam::" ACCT ":role/Target"};
    d = policy_evaluate(&set, &req);
    policy_free(t);
    policy_free(id);
    return d;
}

static void test_policy_principal_matching(void **state)
{
    const char *allow_id = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                           "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}}";
    const char *sess = "arn:aws:sts::" ACCT ":assumed-role/DRSRole/session-1";
    (void)state;
    /* A role ARN with a path matches its sessions (whose ARN drops the path). */
    assert_int_equal(
        trust_decide("{\"AWS\":\"arn:aws:iam::" ACCT ":role/service-role/DRSRole\"}", sess, NULL),
        ALLOW);
    assert_int_equal(trust_decide("{\"AWS\":\"arn:aws:iam::" ACCT ":role/Other\"}", sess, NULL),
                     IMPL);
    /* Account ID and :root delegate to IAM: an identity allow is needed too. */
    assert_int_equal(trust_decide("{\"AWS\":\"" ACCT "\"}", sess, NULL), IMPL);
    assert_int_equal(trust_decide("{\"AWS\":\"" ACCT "\"}", sess, allow_id), ALLOW);
    assert_int_equal(trust_decide("{\"AWS\":\"arn:aws:iam::" ACCT ":root\"}", sess, allow_id),
                     ALLOW);
    /* Cross account: the caller's identity side must allow too. */
    assert_int_equal(trust_decide("{\"AWS\":\"arn:aws:iam::" OTHER ":root\"}",
                                  "arn:aws:sts::" OTHER ":assumed-role/R/s", NULL),
                     IMPL);
    assert_int_equal(trust_decide("{\"AWS\":\"arn:aws:iam::" OTHER ":root\"}",
                                  "arn:aws:sts::" OTHER ":assumed-role/R/s", allow_id),
                     ALLOW);
    /* Service principals and "*". */
    assert_int_equal(trust_decide("{\"Service\":\"drs.amazonaws.com\"}", "drs.amazonaws.com", NULL),
                     ALLOW);
    assert_int_equal(trust_decide("{\"Service\":\"drs.amazonaws.com\"}", "ec2.amazonaws.com", NULL),
                     IMPL);
    assert_int_equal(trust_decide("\"*\"", USER, NULL), ALLOW);
}

/* ---- conditions ---- */

static void test_policy_condition_strings(void **state)
{
    static const char *const two[] = {"Alice", "bob"};
    (void)state;
    assert_int_equal(
        cdecide("{\"StringEquals\":{\"aws:username\":\"alice\"}}", "AWS:UserName", V_ONE, 1, false),
        ALLOW); /* keys are case-insensitive */
    assert_int_equal(
        cdecide("{\"StringEquals\":{\"aws:username\":\"ALICE\"}}", "aws:username", V_ONE, 1, false),
        IMPL);
    assert_int_equal(cdecide("{\"StringEqualsIgnoreCase\":{\"aws:username\":\"ALICE\"}}",
                             "aws:username", V_ONE, 1, false),
                     ALLOW);
    assert_int_equal(
        cdecide("{\"StringLike\":{\"aws:username\":\"a*e\"}}", "aws:username", V_ONE, 1, false),
        ALLOW);
    assert_int_equal(cdecide("{\"StringNotLike\":{\"aws:username\":[\"b*\",\"c*\"]}}",
                             "aws:username", V_ONE, 1, false),
                     ALLOW);
    /* Negated operators AND their values: any match makes them false. */
    assert_int_equal(cdecide("{\"StringNotEquals\":{\"aws:username\":[\"bob\",\"alice\"]}}",
                             "aws:username", V_ONE, 1, false),
                     IMPL);
    /* A missing key fails positive operators, passes negated ones and IfExists. */
    assert_int_equal(
        cdecide("{\"StringEquals\":{\"aws:username\":\"alice\"}}", NULL, NULL, 0, false), IMPL);
    assert_int_equal(
        cdecide("{\"StringNotEquals\":{\"aws:username\":\"alice\"}}", NULL, NULL, 0, false), ALLOW);
    assert_int_equal(
        cdecide("{\"StringEqualsIfExists\":{\"aws:username\":\"x\"}}", NULL, NULL, 0, false),
        ALLOW);
    assert_int_equal(cdecide("{\"StringEqualsIfExists\":{\"aws:username\":\"x\"}}", "aws:username",
                             V_ONE, 1, false),
                     IMPL);
    (void)two;
}

static void test_policy_condition_numeric_date_bool_binary(void **state)
{
    static const char *const n5[] = {"5"}, *const t1[] = {"2026-06-01T12:00:00Z"},
                             *const e1[] = {"1780000000"}, *const tr[] = {"TRUE"},
                             *const b64[] = {"QUJD"};
    (void)state;
    assert_int_equal(cdecide("{\"NumericLessThan\":{\"k\":\"10\"}}", "k", n5, 1, false), ALLOW);
    assert_int_equal(cdecide("{\"NumericGreaterThanEquals\":{\"k\":5}}", "k", n5, 1, false), ALLOW);
    assert_int_equal(cdecide("{\"NumericNotEquals\":{\"k\":\"5\"}}", "k", n5, 1, false), IMPL);
    assert_int_equal(cdecide("{\"NumericEquals\":{\"k\":\"5.0\"}}", "k", n5, 1, false), ALLOW);
    assert_int_equal(cdecide("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2026-01-01T00:00:00Z\"}}",
                             "aws:CurrentTime", t1, 1, false),
                     ALLOW);
    assert_int_equal(cdecide("{\"DateLessThan\":{\"aws:CurrentTime\":\"2026-01-01\"}}",
                             "aws:CurrentTime", t1, 1, false),
                     IMPL);
    /* Epoch seconds on either side. */
    assert_int_equal(cdecide("{\"DateLessThan\":{\"aws:EpochTime\":\"2030-01-01T00:00:00Z\"}}",
                             "aws:EpochTime", e1, 1, false),
                     ALLOW);
    assert_int_equal(cdecide("{\"Bool\":{\"aws:SecureTransport\":\"true\"}}", "aws:SecureTransport",
                             tr, 1, false),
                     ALLOW);
    assert_int_equal(cdecide("{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"false\"}}",
                             "aws:MultiFactorAuthPresent", tr, 1, false),
                     IMPL);
    assert_int_equal(cdecide("{\"BinaryEquals\":{\"k\":\"QUJD\"}}", "k", b64, 1, false), ALLOW);
}

static void test_policy_condition_ip_arn_null(void **state)
{
    static const char *const v4[] = {"10.1.2.3"}, *const v6[] = {"2001:db8::42"},
                             *const arn[] = {"arn:aws:iam::111111111111:role/service-role/X"};
    (void)state;
    assert_int_equal(
        cdecide("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", "aws:SourceIp", v4, 1, false),
        ALLOW);
    assert_int_equal(
        cdecide("{\"IpAddress\":{\"aws:SourceIp\":\"10.1.2.0/25\"}}", "aws:SourceIp", v4, 1, false),
        ALLOW);
    assert_int_equal(cdecide("{\"IpAddress\":{\"aws:SourceIp\":\"10.1.2.128/25\"}}", "aws:SourceIp",
                             v4, 1, false),
                     IMPL);
    assert_int_equal(cdecide("{\"NotIpAddress\":{\"aws:SourceIp\":[\"192.168.0.0/16\"]}}",
                             "aws:SourceIp", v4, 1, false),
                     ALLOW);
    assert_int_equal(cdecide("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}", "aws:SourceIp",
                             v6, 1, false),
                     ALLOW);
    assert_int_equal(
        cdecide("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", "aws:SourceIp", v6, 1, false),
        IMPL);
    assert_int_equal(
        cdecide("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/service-role/*\"}}",
                "aws:PrincipalArn", arn, 1, false),
        ALLOW);
    assert_int_equal(
        cdecide("{\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111111111111:role/X\"}}",
                "aws:PrincipalArn", arn, 1, false),
        IMPL);
    assert_int_equal(cdecide("{\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/Y*\"}}",
                             "aws:PrincipalArn", arn, 1, false),
                     ALLOW);
    assert_int_equal(
        cdecide("{\"Null\":{\"aws:PrincipalArn\":\"false\"}}", "aws:PrincipalArn", arn, 1, false),
        ALLOW);
    assert_int_equal(
        cdecide("{\"Null\":{\"aws:PrincipalArn\":\"true\"}}", "aws:PrincipalArn", arn, 1, false),
        IMPL);
    assert_int_equal(cdecide("{\"Null\":{\"aws:PrincipalArn\":\"true\"}}", NULL, NULL, 0, false),
                     ALLOW);
}

static void test_policy_condition_set_operators(void **state)
{
    static const char *const keys[] = {"Team", "CostCenter"}, *const one[] = {"Team"};
    (void)state;
    /* ForAllValues: every request value must be in the policy set. */
    assert_int_equal(cdecide("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"Team\","
                             "\"CostCenter\",\"Env\"]}}",
                             "aws:TagKeys", keys, 2, true),
                     ALLOW);
    assert_int_equal(cdecide("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"Team\"]}}",
                             "aws:TagKeys", keys, 2, true),
                     IMPL);
    /* ... and is true for a missing key or an empty list (AWS documents this). */
    assert_int_equal(cdecide("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"Team\"]}}", NULL,
                             NULL, 0, true),
                     ALLOW);
    assert_int_equal(cdecide("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"Team\"]}}",
                             "aws:TagKeys", keys, 0, true),
                     ALLOW);
    /* ForAnyValue: at least one; false for a missing key or an empty list. */
    assert_int_equal(cdecide("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"CostCenter\"}}",
                             "aws:TagKeys", keys, 2, true),
                     ALLOW);
    assert_int_equal(cdecide("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"Env\"}}",
                             "aws:TagKeys", keys, 2, true),
                     IMPL);
    assert_int_equal(
        cdecide("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"Team\"}}", NULL, NULL, 0, true),
        IMPL);
    assert_int_equal(cdecide("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"Team\"}}",
                             "aws:TagKeys", keys, 0, true),
                     IMPL);
    /* Negated inside a set operator: ForAllValues:StringNotEquals = none listed. */
    assert_int_equal(cdecide("{\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":[\"Env\"]}}",
                             "aws:TagKeys", keys, 2, true),
                     ALLOW);
    assert_int_equal(cdecide("{\"ForAnyValue:StringNotLike\":{\"aws:TagKeys\":[\"T*\"]}}",
                             "aws:TagKeys", one, 1, true),
                     IMPL);
}

/* ---- variables ---- */

static void test_policy_variables(void **state)
{
    static const char *const team[] = {"blue"};
    struct policy_ctx_entry ctx[] = {{"aws:username", V_ONE, 1, false},
                                     {"aws:PrincipalTag/team", team, 1, false}};
    (void)state;
    const char *st = "{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                     "\"Resource\":\"arn:aws:s3:::home/${aws:username}/*\"}";
    assert_int_equal(idecide(st, "s3:GetObject", "arn:aws:s3:::home/alice/x", ctx, 2), ALLOW);
    assert_int_equal(idecide(st, "s3:GetObject", "arn:aws:s3:::home/bob/x", ctx, 2), IMPL);
    /* Unresolved: the pattern matches nothing. */
    assert_int_equal(idecide(st, "s3:GetObject", "arn:aws:s3:::home/alice/x", NULL, 0), IMPL);
    /* Defaults. */
    st = "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":"
         "{\"StringEquals\":{\"s3:prefix\":\"${aws:PrincipalTag/dept, 'none'}\"}}}";
    {
        static const char *const none[] = {"none"};
        struct policy_ctx_entry c2[] = {{"s3:prefix", none, 1, false}};
        assert_int_equal(idecide(st, "s3:ListBucket", "*", c2, 1), ALLOW);
    }
    /* ${*} is a literal star, not a wildcard. */
    st = "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":"
         "{\"StringLike\":{\"s3:prefix\":\"a${*}\"}}}";
    {
        static const char *const lit[] = {"a*"}, *const ab[] = {"ab"};
        struct policy_ctx_entry c3[] = {{"s3:prefix", lit, 1, false}};
        struct policy_ctx_entry c4[] = {{"s3:prefix", ab, 1, false}};
        assert_int_equal(idecide(st, "s3:ListBucket", "*", c3, 1), ALLOW);
        assert_int_equal(idecide(st, "s3:ListBucket", "*", c4, 1), IMPL);
    }
    /* A substituted value's wildcards are literal too. */
    st = "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":"
         "{\"StringLike\":{\"s3:prefix\":\"${aws:PrincipalTag/team}/*\"}}}";
    {
        static const char *const pre[] = {"blue/x"}, *const star[] = {"*"};
        struct policy_ctx_entry c5[] = {{"s3:prefix", pre, 1, false}, ctx[1]};
        struct policy_ctx_entry c6[] = {{"s3:prefix", pre, 1, false},
                                        {"aws:PrincipalTag/team", star, 1, false}};
        assert_int_equal(idecide(st, "s3:ListBucket", "*", c5, 2), ALLOW);
        assert_int_equal(idecide(st, "s3:ListBucket", "*", c6, 2), IMPL);
    }
}

static void test_policy_variables_need_2012_version(void **state)
{
    struct policy *p =
        compile("{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                "\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::h/${aws:username}\"}]}",
                POLICY_IDENTITY);
    struct policy_ctx_entry ctx[] = {{"aws:username", V_ONE, 1, false}};
    const struct policy *ids[] = {p};
    struct policy_set set = {.identity = ids, .nidentity = 1};
    struct policy_request req = {
        .principal = USER, .action = "s3:GetObject", .ctx = ctx, .nctx = 1};
    (void)state;
    req.resource = "arn:aws:s3:::h/alice";
    assert_int_equal(policy_evaluate(&set, &req), IMPL);
    req.resource = "arn:aws:s3:::h/${aws:username}";
    assert_int_equal(policy_evaluate(&set, &req), ALLOW);
    policy_free(p);
}

/* ---- decision chain ---- */

static void test_policy_chain(void **state)
{
    struct policy *id = compile("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
                                "\"Resource\":\"*\"}]}",
                                POLICY_IDENTITY);
    struct policy *scp_s3 = compile("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                                    "\"Resource\":\"*\"}]}",
                                    POLICY_SCP);
    struct policy *deny = compile("{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":"
                                  "\"s3:DeleteObject\",\"Resource\":\"*\"}]}",
                                  POLICY_BOUNDARY);
    struct policy *pb = compile("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\","
                                "\"Resource\":\"*\"}]}",
                                POLICY_BOUNDARY);
    const struct policy *ids[] = {id}, *root[] = {scp_s3}, *ou[] = {id}, *pbs[] = {pb},
                        *denies[] = {deny};
    struct policy_level levels[] = {{"r-root", root, 1}, {"ou-1", ou, 1}};
    struct policy_set set = {.identity = ids, .nidentity = 1, .scp = levels, .nscp = 2};
    struct policy_request req = {.principal = USER,
                                 .action = "s3:GetObject",
                                 .resource = "arn:aws:s3:::b/k",
                                 .resource_account = ACCT};
    (void)state;
    assert_int_equal(policy_evaluate(&set, &req), ALLOW);
    req.action = "ec2:RunInstances"; /* the root SCP does not allow it */
    assert_int_equal(policy_evaluate(&set, &req), IMPL);
    levels[1].npolicies = 0; /* a level with no policies allows nothing */
    req.action = "s3:GetObject";
    assert_int_equal(policy_evaluate(&set, &req), IMPL);
    levels[1].npolicies = 1;
    set.boundary = pbs;
    set.nboundary = 1;
    assert_int_equal(policy_evaluate(&set, &req), ALLOW);
    req.action = "s3:PutObject"; /* outside the boundary */
    assert_int_equal(policy_evaluate(&set, &req), IMPL);
    set.boundary = denies;
    req.action = "s3:DeleteObject";
    assert_int_equal(policy_evaluate(&set, &req), EXPL);
    set.boundary = NULL;
    set.nboundary = 0;
    set.session = pb;
    req.action = "s3:PutObject"; /* the session policy limits too */
    assert_int_equal(policy_evaluate(&set, &req), IMPL);
    req.action = "s3:GetObject";
    assert_int_equal(policy_evaluate(&set, &req), ALLOW);
    req.resource_account = OTHER; /* cross-account without a resource policy */
    assert_int_equal(policy_evaluate(&set, &req), IMPL);
    req.action = "sts:GetCallerIdentity"; /* always allowed */
    assert_int_equal(policy_evaluate(&set, &req), ALLOW);
    policy_free(id);
    policy_free(scp_s3);
    policy_free(deny);
    policy_free(pb);
}

/* Same account, the boundary does not allow: a resource policy naming the
 * role itself is limited by it, one allowing "*" is not - whatever the
 * statement order. */
static void test_policy_boundary_and_resource_policy(void **state)
{
    const char *role = "arn:aws:iam::" ACCT ":role/R";
    struct policy *rp =
        compile("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                "\"Principal\":{\"AWS\":\"arn:aws:iam::" ACCT ":role/R\"},\"Action\":"
                "\"s3:GetObject\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Principal\":"
                "\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::pub/*\"}]}",
                POLICY_RESOURCE);
    struct policy *pb = compile("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\","
                                "\"Resource\":\"*\"}]}",
                                POLICY_BOUNDARY);
    const struct policy *pbs[] = {pb};
    struct policy_set set = {.resource = rp, .boundary = pbs, .nboundary = 1};
    struct policy_request req = {.principal = role,
                                 .action = "s3:GetObject",
                                 .resource = "arn:aws:s3:::pub/k",
                                 .resource_account = ACCT};
    (void)state;
    assert_int_equal(policy_evaluate(&set, &req), ALLOW);
    req.resource = "arn:aws:s3:::private/k";
    assert_int_equal(policy_evaluate(&set, &req), IMPL);
    set.nboundary = 0;
    assert_int_equal(policy_evaluate(&set, &req), ALLOW);
    policy_free(rp);
    policy_free(pb);
}

static void test_policy_explanation_names_condition(void **state)
{
    struct policy *t = compile("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Spoke\","
                               "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" OTHER
                               ":root\"},\"Action\":\"sts:AssumeRole\",\"Condition\":"
                               "{\"StringEquals\":{\"sts:ExternalId\":\"a1b2c3d4e5f6\"}}}]}",
                               POLICY_TRUST);
    static const char *const wrong[] = {"wrong"};
    struct policy_ctx_entry ctx[] = {{"sts:externalid", wrong, 1, false}};
    struct policy_set set = {.resource = t};
    struct policy_request req = {.principal = "arn:aws:sts::" OTHER ":assumed-role/Hub/s",
                                 .action = "sts:AssumeRole",
                                 .resource = "arn:aws:iam::" ACCT ":role/Spoke",
                                 .ctx = ctx,
                                 .nctx = 1};
    enum policy_decision d;
    struct buf text;
    json_t *lines = NULL;
    (void)state;
    buf_init(&text, 0);
    assert_int_equal(policy_explain(&set, &req, &d, &text, &lines, NULL), 0);
    assert_int_equal(d, IMPL);
    assert_non_null(strstr(text.p, "Sid 'Spoke'"));
    assert_non_null(strstr(
        text.p, "Condition StringEquals sts:ExternalId: expected 'a1b2…', request had 'wrong'"));
    assert_null(strstr(text.p, "a1b2c3d4e5f6")); /* the external ID is not shown whole */
    assert_true(json_array_size(lines) >= 2);
    json_decref(lines);
    buf_cleanup(&text);
    policy_free(t);
}

/* ---- conformance cases ---- */

static void run_dir(const char *dir, int *pass, int *fail)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];

    if (!d)
        return;
    while ((e = readdir(d))) {
        struct stat st;
        json_t *doc;
        size_t i;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            run_dir(path, pass, fail);
            continue;
        }
        if (!strstr(e->d_name, ".json") || json_load_path(path, &doc, NULL) < 0)
            continue;
        for (i = 0; i < json_array_size(doc); i++) {
            struct policy_case *c;
            struct dr_err err = {0};
            if (policy_case_compile(json_array_get(doc, i), path, &c, &err) < 0) {
                print_error("%s\n", err.msg);
                (*fail)++;
                continue;
            }
            if (policy_case_is_strict(c)) {
                if ((int)policy_case_run(c) == policy_case_expected(c)) {
                    (*pass)++;
                } else {
                    print_error("FAIL %s: %s\n", path, policy_case_name(c));
                    (*fail)++;
                }
            }
            policy_case_free(c);
        }
        json_decref(doc);
    }
    closedir(d);
}

static void test_policy_conformance_cases(void **state)
{
    char dir[512];
    struct stat st;
    int pass = 0, fail = 0;
    (void)state;
    testlib_shared_dir("iam-policy-cases", dir, sizeof(dir));
    if (stat(dir, &st) < 0) {
        print_message("skipping: %s is absent\n", dir);
        skip();
    }
    run_dir(dir, &pass, &fail);
    print_message("iam-policy-cases: %d passed, %d failed\n", pass, fail);
    assert_int_equal(fail, 0);
    assert_int_equal(pass, 359);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_parse_errors_name_the_path),
        cmocka_unit_test(test_policy_parse_limits),
        cmocka_unit_test(test_policy_parse_shapes),
        cmocka_unit_test(test_policy_action_matching),
        cmocka_unit_test(test_policy_resource_matching),
        cmocka_unit_test(test_policy_principal_matching),
        cmocka_unit_test(test_policy_condition_strings),
        cmocka_unit_test(test_policy_condition_numeric_date_bool_binary),
        cmocka_unit_test(test_policy_condition_ip_arn_null),
        cmocka_unit_test(test_policy_condition_set_operators),
        cmocka_unit_test(test_policy_variables),
        cmocka_unit_test(test_policy_variables_need_2012_version),
        cmocka_unit_test(test_policy_chain),
        cmocka_unit_test(test_policy_boundary_and_resource_policy),
        cmocka_unit_test(test_policy_explanation_names_condition),
        cmocka_unit_test(test_policy_conformance_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
