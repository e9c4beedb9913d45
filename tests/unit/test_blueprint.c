/*
 * test_blueprint.c - unit tests for the blueprint generator: every raw
 * document compiles with the policy engine (kind from its file name), the
 * generated trust policies allow the intended principal and deny a
 * foreign account (spoke role: the execution role with the external ID
 * only; staging role: DRS for its own account only; agent role: the
 * paired authorized role only), key policies allow the staging role
 * through kms:ViaService of their own region only, "#" notes are stripped
 * from raw documents and kept in templates, and option errors name the
 * option.
 */
#include <string.h>

#include "blueprint/blueprint.h"
#include "core/jsonutil.h"
#include "policy/policy.h"
#include "testlib.h" /* cmocka */

static const char *const spokes[] = {"222222222221", "222222222222"};
static const char *const sources[] = {"111111111111"};
static const char *const regions[] = {"us-east-1", "us-west-2"};

static json_t *generate(void)
{
    struct bp_opts o = {.hub = "999999999999",
                        .spokes = spokes,
                        .nspokes = 2,
                        .sources = sources,
                        .nsources = 1,
                        .regions = regions,
                        .nregions = 2};
    json_t *ext = json_pack("{s:s, s:s, s:s}", "222222222221", "ext-0001", "222222222222",
                            "ext-0002", "111111111111", "ext-0003");
    json_t *bp = NULL;
    struct dr_err err;
    dr_err_clear(&err);
    assert_int_equal(bp_generate(&o, ext, &bp, &err), 0);
    json_decref(ext);
    return bp;
}

static struct policy *compile(const json_t *bp, const char *path, enum policy_kind kind)
{
    const json_t *doc = json_object_get(json_object_get(bp, "policies"), path);
    struct policy *p = NULL;
    struct dr_err err;
    dr_err_clear(&err);
    assert_non_null(doc);
    if (policy_compile_json(doc, kind, path, &p, &err) < 0)
        fail_msg("%s: %s", path, err.msg);
    return p;
}

/* Evaluates p as the resource-side policy; the caller's identity allows
 * everything unless no_identity (same-account key policies: an identity
 * allow would pass through the account-root statement). */
static bool no_identity;
static enum policy_decision eval(const struct policy *p, const char *principal,
                                 enum policy_principal_type type, const char *action,
                                 const char *resource, const char *const *kv, size_t nkv)
{
    static const char allow[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                                "\"Action\":\"*\",\"Resource\":\"*\"}]}";
    struct policy *id = NULL;
    assert_int_equal(policy_compile(allow, sizeof allow - 1, POLICY_IDENTITY, "id", &id, NULL), 0);
    struct policy_ctx_entry ctx[8];
    for (size_t i = 0; i < nkv; i++) {
        ctx[i].key = kv[2 * i];
        ctx[i].vals = &kv[2 * i + 1];
        ctx[i].nvals = 1;
        ctx[i].is_list = false;
    }
    const struct policy *ids[1] = {id};
    struct policy_set set = {.resource = p, .identity = ids, .nidentity = no_identity ? 0 : 1};
    struct policy_request r = {.principal = principal,
                               .principal_type = type,
                               .action = action,
                               .resource = resource,
                               .ctx = ctx,
                               .nctx = nkv};
    enum policy_decision d = policy_evaluate(&set, &r);
    policy_free(id);
    return d;
}

static void test_blueprint_documents_compile(void **state)
{
    (void)state;
    json_t *bp = generate();
    const char *path;
    json_t *doc;
    size_t n = 0;
    json_object_foreach(json_object_get(bp, "policies"), path, doc)
    {
        enum policy_kind kind = strstr(path, ".trust.json") ? POLICY_TRUST
                                : strstr(path, "/kms-")     ? POLICY_KEY
                                                            : POLICY_IDENTITY;
        policy_free(compile(bp, path, kind));
        char *txt = json_dumps(doc, 0);
        assert_null(strstr(txt, "\"#\"")); /* notes never reach raw documents */
        free(txt);
        n++;
    }
    /* hub 2, 3 spoke roles x 2, per target 4 + 1 agent + 2 keys, source 2 x 2 + 2 keys */
    assert_int_equal(n, 2 + 6 + 2 * 7 + 6);
    /* templates keep the notes, for YAML comments */
    char *t =
        json_dumps(json_object_get(json_object_get(bp, "templates"), "spoke-222222222221"), 0);
    assert_non_null(strstr(t, "\"#\": \"EC2 List/Describe actions do not support"));
    free(t);
    assert_int_equal(json_array_size(json_object_get(bp, "secret")), 3);
    json_decref(bp);
}

static void test_blueprint_spoke_trust(void **state)
{
    (void)state;
    json_t *bp = generate();
    struct policy *p =
        compile(bp, "policies/222222222222/DroverSpokeRole.trust.json", POLICY_TRUST);
    const char *role = "arn:aws:iam::222222222222:role/DroverSpokeRole";
    const char *exec = "arn:aws:sts::999999999999:assumed-role/DroverExecutionRole/drover";
    const char *ok[] = {"sts:ExternalId", "ext-0002"}, *wrong[] = {"sts:ExternalId", "ext-0001"};
    assert_int_equal(eval(p, exec, POLICY_PRINCIPAL_AUTO, "sts:AssumeRole", role, ok, 1),
                     POLICY_ALLOWED);
    assert_int_not_equal(eval(p, exec, POLICY_PRINCIPAL_AUTO, "sts:AssumeRole", role, wrong, 1),
                         POLICY_ALLOWED);
    assert_int_not_equal(eval(p, exec, POLICY_PRINCIPAL_AUTO, "sts:AssumeRole", role, NULL, 0),
                         POLICY_ALLOWED);
    /* another principal of the hub, even with the external ID */
    assert_int_not_equal(eval(p, "arn:aws:iam::999999999999:user/someone", POLICY_PRINCIPAL_AUTO,
                              "sts:AssumeRole", role, ok, 1),
                         POLICY_ALLOWED);
    policy_free(p);
    json_decref(bp);
}

static void test_blueprint_drs_trust(void **state)
{
    (void)state;
    json_t *bp = generate();
    struct policy *p =
        compile(bp, "policies/222222222221/DRSStagingAccountRole.trust.json", POLICY_TRUST);
    const char *role = "arn:aws:iam::222222222221:role/service-role/DRSStagingAccountRole";
    const char *own[] = {"aws:SourceAccount",
                         "222222222221",
                         "aws:SourceArn",
                         "arn:aws:drs:us-west-2:222222222221:source-server/s-0123456789abcdef0",
                         "sts:SourceIdentity",
                         "222222222221"};
    const char *foreign[] = {"aws:SourceAccount",
                             "000000000001",
                             "aws:SourceArn",
                             "arn:aws:drs:us-west-2:000000000001:source-server/s-0123456789abcdef0",
                             "sts:SourceIdentity",
                             "222222222221"};
    const char *other_region[] = {
        "aws:SourceAccount",
        "222222222221",
        "aws:SourceArn",
        "arn:aws:drs:eu-west-1:222222222221:source-server/s-0123456789abcdef0",
        "sts:SourceIdentity",
        "222222222221"};
    assert_int_equal(
        eval(p, "drs.amazonaws.com", POLICY_PRINCIPAL_SERVICE, "sts:AssumeRole", role, own, 3),
        POLICY_ALLOWED);
    assert_int_not_equal(
        eval(p, "drs.amazonaws.com", POLICY_PRINCIPAL_SERVICE, "sts:AssumeRole", role, foreign, 3),
        POLICY_ALLOWED);
    assert_int_not_equal(eval(p, "drs.amazonaws.com", POLICY_PRINCIPAL_SERVICE, "sts:AssumeRole",
                              role, other_region, 3),
                         POLICY_ALLOWED);
    assert_int_not_equal(
        eval(p, "drs.amazonaws.com", POLICY_PRINCIPAL_SERVICE, "sts:AssumeRole", role, NULL, 0),
        POLICY_ALLOWED);
    policy_free(p);

    p = compile(bp, "policies/222222222221/DRSCrossAccountAgentRole_111111111111.trust.json",
                POLICY_TRUST);
    role = "arn:aws:iam::222222222221:role/service-role/DRSCrossAccountAgentRole_111111111111";
    const char *paired = "arn:aws:iam::111111111111:role/service-role/"
                         "DRSCrossAccountAgentAuthorizedRole_222222222221";
    const char *other = "arn:aws:iam::111111111111:role/service-role/"
                        "DRSCrossAccountAgentAuthorizedRole_222222222222";
    const char *kv1[] = {"aws:PrincipalArn", paired};
    const char *kv2[] = {"aws:PrincipalArn", other};
    assert_int_equal(eval(p, paired, POLICY_PRINCIPAL_ROLE, "sts:AssumeRole", role, kv1, 1),
                     POLICY_ALLOWED);
    assert_int_not_equal(eval(p, other, POLICY_PRINCIPAL_ROLE, "sts:AssumeRole", role, kv2, 1),
                         POLICY_ALLOWED);
    policy_free(p);
    json_decref(bp);
}

static void test_blueprint_key_policies(void **state)
{
    (void)state;
    json_t *bp = generate();
    struct policy *p = compile(bp, "policies/222222222222/kms-us-west-2-target.json", POLICY_KEY);
    const char *key = "arn:aws:kms:us-west-2:222222222222:key/k";
    const char *staging = "arn:aws:iam::222222222222:role/service-role/DRSStagingAccountRole";
    static const char *const actions[] = {
        "kms:Decrypt",         "kms:DescribeKey",
        "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom",   "kms:ReEncryptTo",
        "kms:CreateGrant"};
    const char *west[] = {"kms:ViaService", "ec2.us-west-2.amazonaws.com",
                          "kms:GrantIsForAWSResource", "true"};
    const char *east[] = {"kms:ViaService", "ec2.us-east-1.amazonaws.com",
                          "kms:GrantIsForAWSResource", "true"};
    const char *direct[] = {"kms:GrantIsForAWSResource", "true"};
    no_identity = true;
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        assert_int_equal(eval(p, staging, POLICY_PRINCIPAL_ROLE, actions[i], key, west, 2),
                         POLICY_ALLOWED);
        assert_int_not_equal(eval(p, staging, POLICY_PRINCIPAL_ROLE, actions[i], key, east, 2),
                             POLICY_ALLOWED);
        assert_int_not_equal(eval(p, staging, POLICY_PRINCIPAL_ROLE, actions[i], key, direct, 1),
                             POLICY_ALLOWED);
    }
    /* a grant not for an AWS resource */
    const char *nores[] = {"kms:ViaService", "ec2.us-west-2.amazonaws.com",
                           "kms:GrantIsForAWSResource", "false"};
    assert_int_not_equal(eval(p, staging, POLICY_PRINCIPAL_ROLE, "kms:CreateGrant", key, nores, 2),
                         POLICY_ALLOWED);
    no_identity = false;
    policy_free(p);

    /* the source key: every recovery account's staging role, cross-account */
    p = compile(bp, "policies/111111111111/kms-us-east-1-source.json", POLICY_KEY);
    key = "arn:aws:kms:us-east-1:111111111111:key/k";
    const char *east_ok[] = {"kms:ViaService", "ec2.us-east-1.amazonaws.com"};
    assert_int_equal(eval(p, "arn:aws:iam::222222222221:role/service-role/DRSStagingAccountRole",
                          POLICY_PRINCIPAL_ROLE, "kms:Decrypt", key, east_ok, 1),
                     POLICY_ALLOWED);
    assert_int_not_equal(eval(p,
                              "arn:aws:iam::000000000001:role/service-role/DRSStagingAccountRole",
                              POLICY_PRINCIPAL_ROLE, "kms:Decrypt", key, east_ok, 1),
                         POLICY_ALLOWED);
    policy_free(p);
    json_decref(bp);
}

static void test_blueprint_options(void **state)
{
    (void)state;
    struct dr_err err;
    json_t *a = NULL;
    dr_err_clear(&err);
    assert_int_equal(
        bp_parse_accounts("111111111111, 222222222222,111111111111,", "--spokes", &a, &err), 0);
    assert_int_equal(json_array_size(a), 2);
    json_decref(a);
    assert_int_equal(bp_parse_accounts("1111", "--spokes", &a, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "--spokes: '1111'"));
    assert_int_equal(bp_parse_cidrs("10.0.0.0/16,192.168.1.0/24", "--source-cidrs", &a, &err), 0);
    json_decref(a);
    static const char *const bad[] = {"10.0.0.0",    "10.0.0/16", "10.0.0.256/8",
                                      "10.0.0.0/33", "a.b.c.d/1", "10.0.0.0/16x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(bp_parse_cidrs(bad[i], "--source-cidrs", &a, &err), -DR_EINVAL);
    /* a hub that is also a spoke, and a spoke without an external ID */
    struct bp_opts o = {
        .hub = "222222222221", .spokes = spokes, .nspokes = 2, .regions = regions, .nregions = 1};
    json_t *ext = json_object();
    assert_int_equal(bp_generate(&o, ext, &a, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "--hub"));
    o.hub = "999999999999";
    assert_int_equal(bp_generate(&o, ext, &a, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "external ID"));
    json_decref(ext);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blueprint_documents_compile),
        cmocka_unit_test(test_blueprint_spoke_trust),
        cmocka_unit_test(test_blueprint_drs_trust),
        cmocka_unit_test(test_blueprint_key_policies),
        cmocka_unit_test(test_blueprint_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
