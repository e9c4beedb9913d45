/*
 * test_endpoints.c - unit tests for src/aws/endpoints.c: partitions,
 * region validation, default and global hosts, STS regional/legacy, the
 * override precedence (with getenv injected), override URL parsing, ARNs.
 */
#include <string.h>

#include "aws/endpoints.h"
#include "testlib.h" /* cmocka */

typedef const char *(*getenv_fn)(const char *name);

/* A fake environment: NAME=value pairs, NULL-terminated. */
static const char *env_lookup(const char *const *env, const char *name)
{
    size_t n = strlen(name);
    for (const char *const *e = env; *e; e++) {
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    }
    return NULL;
}

/* Defines a getenv replacement over a const table (no mutable state). */
#define FAKE_ENV(fn, ...)                                                                          \
    static const char *fn(const char *name)                                                        \
    {                                                                                              \
        static const char *const e[] = {__VA_ARGS__, NULL};                                        \
        return env_lookup(e, name);                                                                \
    }

FAKE_ENV(env_empty, "HOME=/nonexistent")
FAKE_ENV(env_legacy, "AWS_STS_REGIONAL_ENDPOINTS=legacy")
FAKE_ENV(env_regional, "AWS_STS_REGIONAL_ENDPOINTS=regional")
FAKE_ENV(env_bad_sts, "AWS_STS_REGIONAL_ENDPOINTS=global")
FAKE_ENV(env_overrides, "AWS_ENDPOINT_URL=http://127.0.0.1:4566",
         "AWS_ENDPOINT_URL_SERVICE_QUOTAS=http://sq.local:81/base/", "AWS_ENDPOINT_URL_DRS=")
FAKE_ENV(env_ignore, "AWS_ENDPOINT_URL=http://127.0.0.1:4566",
         "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true")

static struct endpoint resolve_env(getenv_fn env, const char *url, const char *svc,
                                   const char *env_name, const char *region)
{
    struct endpoint_config cfg = {.endpoint_url = url, .getenv_fn = env};
    struct endpoint ep;
    struct dr_err err;
    int rc = endpoint_resolve(&cfg, svc, env_name, NULL, region, &ep, &err);
    if (rc != 0)
        print_error("resolve %s %s: %s\n", svc, region, err.msg);
    assert_int_equal(rc, 0);
    return ep;
}

static void expect_env(getenv_fn env, const char *svc, const char *region, const char *host,
                       const char *sregion)
{
    struct endpoint ep = resolve_env(env, NULL, svc, NULL, region);
    assert_string_equal(ep.scheme, "https");
    assert_string_equal(ep.host, host);
    assert_string_equal(ep.signing_region, sregion);
    assert_string_equal(ep.base_path, "");
    assert_false(ep.overridden);
}

static void expect(const char *svc, const char *region, const char *host, const char *sregion)
{
    expect_env(env_empty, svc, region, host, sregion);
}

static void test_endpoints_partitions_and_regions(void **state)
{
    (void)state;
    assert_string_equal(endpoint_partition("us-east-1"), "aws");
    assert_string_equal(endpoint_partition("ap-southeast-5"), "aws");
    assert_string_equal(endpoint_partition("cn-northwest-1"), "aws-cn");
    assert_string_equal(endpoint_partition("us-gov-west-1"), "aws-us-gov");
    assert_null(endpoint_partition("us-iso-east-1"));
    assert_null(endpoint_partition("xx-east-1"));
    assert_null(endpoint_partition("US-EAST-1"));
    assert_string_equal(endpoint_dns_suffix("aws-cn"), "amazonaws.com.cn");
    assert_string_equal(endpoint_dns_suffix("aws-us-gov"), "amazonaws.com");
    assert_null(endpoint_dns_suffix("aws-iso"));
    assert_true(endpoint_region_valid("eu-central-2"));
    assert_true(endpoint_region_valid("us-isob-east-1"));
    assert_true(endpoint_region_valid("us-gov-east-1"));
    assert_false(endpoint_region_valid("us-east"));
    assert_false(endpoint_region_valid("us-east-1a"));
    assert_false(endpoint_region_valid("useast-1"));
    assert_false(endpoint_region_valid("us-east-1/x"));
    assert_false(endpoint_region_valid(""));
    assert_false(endpoint_region_valid(NULL));
    assert_false(endpoint_region_valid("aws-global"));
}

static void test_endpoints_default_and_global_hosts(void **state)
{
    (void)state;
    expect("drs", "eu-west-1", "drs.eu-west-1.amazonaws.com", "eu-west-1");
    expect("kms", "cn-north-1", "kms.cn-north-1.amazonaws.com.cn", "cn-north-1");
    expect("ec2", "us-gov-east-1", "ec2.us-gov-east-1.amazonaws.com", "us-gov-east-1");
    expect("backup", "ap-south-2", "backup.ap-south-2.amazonaws.com", "ap-south-2");
    expect("servicequotas", "us-west-2", "servicequotas.us-west-2.amazonaws.com", "us-west-2");
    expect("cloudformation", "us-gov-west-1", "cloudformation.us-gov-west-1.amazonaws.com",
           "us-gov-west-1");
    expect("iam", "eu-west-1", "iam.amazonaws.com", "us-east-1");
    expect("iam", "cn-northwest-1", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1");
    expect("iam", "us-gov-east-1", "iam.us-gov.amazonaws.com", "us-gov-west-1");
    expect("organizations", "eu-west-3", "organizations.us-east-1.amazonaws.com", "us-east-1");
    expect("organizations", "cn-north-1", "organizations.cn-northwest-1.amazonaws.com.cn",
           "cn-northwest-1");
    expect("organizations", "us-gov-east-1", "organizations.us-gov-west-1.amazonaws.com",
           "us-gov-west-1");
    expect("sts", "eu-west-1", "sts.eu-west-1.amazonaws.com", "eu-west-1");
    expect("sts", "cn-north-1", "sts.cn-north-1.amazonaws.com.cn", "cn-north-1");
}

static void test_endpoints_sts_legacy(void **state)
{
    struct endpoint_config cfg = {.getenv_fn = env_bad_sts};
    struct endpoint ep;
    struct dr_err err;
    (void)state;

    expect_env(env_legacy, "sts", "eu-west-1", "sts.amazonaws.com", "us-east-1");
    expect_env(env_legacy, "sts", "us-east-2", "sts.amazonaws.com", "us-east-1");
    /* not a legacy region: regional even in legacy mode */
    expect_env(env_legacy, "sts", "ap-east-1", "sts.ap-east-1.amazonaws.com", "ap-east-1");
    expect_env(env_legacy, "sts", "us-gov-west-1", "sts.us-gov-west-1.amazonaws.com",
               "us-gov-west-1");
    expect_env(env_legacy, "drs", "eu-west-1", "drs.eu-west-1.amazonaws.com", "eu-west-1");
    expect_env(env_regional, "sts", "us-east-1", "sts.us-east-1.amazonaws.com", "us-east-1");
    assert_int_equal(endpoint_resolve(&cfg, "sts", "STS", NULL, "us-east-1", &ep, &err),
                     -DR_EINVAL);
    assert_non_null(strstr(err.msg, "AWS_STS_REGIONAL_ENDPOINTS"));
}

static void test_endpoints_override_precedence(void **state)
{
    struct endpoint ep;
    (void)state;

    /* --endpoint-url beats everything */
    ep = resolve_env(env_overrides, "https://sim.example:8443/p", "servicequotas", "SERVICE_QUOTAS",
                     "us-east-1");
    assert_string_equal(ep.scheme, "https");
    assert_string_equal(ep.host, "sim.example:8443");
    assert_string_equal(ep.base_path, "/p");
    assert_true(ep.overridden);
    /* then the service variable (trailing '/' dropped from the base path) */
    ep = resolve_env(env_overrides, NULL, "servicequotas", "SERVICE_QUOTAS", "us-east-1");
    assert_string_equal(ep.scheme, "http");
    assert_string_equal(ep.host, "sq.local:81");
    assert_string_equal(ep.base_path, "/base");
    /* derived variable names: SERVICEQUOTAS is unset, so AWS_ENDPOINT_URL applies */
    ep = resolve_env(env_overrides, NULL, "servicequotas", NULL, "us-east-1");
    assert_string_equal(ep.host, "127.0.0.1:4566");
    ep = resolve_env(env_overrides, NULL, "service-quotas", NULL, "us-east-1");
    assert_string_equal(ep.host, "sq.local:81");
    /* then AWS_ENDPOINT_URL (an empty service variable counts as unset) */
    ep = resolve_env(env_overrides, NULL, "drs", "DRS", "eu-west-1");
    assert_string_equal(ep.host, "127.0.0.1:4566");
    assert_string_equal(ep.signing_region, "eu-west-1");
    assert_string_equal(ep.signing_name, "drs");
    /* IAM through an override is signed with the requested region */
    ep = resolve_env(env_overrides, NULL, "iam", "IAM", "eu-west-1");
    assert_string_equal(ep.host, "127.0.0.1:4566");
    assert_string_equal(ep.signing_region, "eu-west-1");
    /* any plain region name goes with an override */
    ep = resolve_env(env_overrides, NULL, "drs", "DRS", "local");
    assert_string_equal(ep.signing_region, "local");

    ep = resolve_env(env_ignore, NULL, "drs", "DRS", "eu-west-1");
    assert_string_equal(ep.host, "drs.eu-west-1.amazonaws.com");
    ep = resolve_env(env_overrides, "http://[::1]:9000", "drs", "DRS", "eu-west-1");
    assert_string_equal(ep.host, "[::1]:9000");
    ep = resolve_env(env_overrides, "localhost:9000", "drs", "DRS", "eu-west-1");
    assert_string_equal(ep.scheme, "https");
    assert_string_equal(ep.host, "localhost:9000");
}

static void expect_resolve_error(const char *url, const char *region, const char *needle)
{
    struct endpoint_config cfg = {.endpoint_url = url, .getenv_fn = env_empty};
    struct endpoint ep;
    struct dr_err err;
    assert_int_equal(endpoint_resolve(&cfg, "drs", "DRS", "drs", region, &ep, &err), -DR_EINVAL);
    if (!strstr(err.msg, needle))
        print_error("'%s' lacks '%s'\n", err.msg, needle);
    assert_non_null(strstr(err.msg, needle));
}

static void test_endpoints_errors(void **state)
{
    (void)state;
    expect_resolve_error(NULL, "moon-base-1", "invalid region name 'moon-base-1'");
    expect_resolve_error(NULL, "us-iso-east-1", "not in a partition drover supports");
    expect_resolve_error(NULL, "", "no region");
    expect_resolve_error(NULL, NULL, "no region");
    expect_resolve_error("ftp://x", "us-east-1", "--endpoint-url: endpoint URL 'ftp://x' must use");
    expect_resolve_error("http://h:0", "us-east-1", "bad port");
    expect_resolve_error("http://h:99999", "us-east-1", "bad port");
    expect_resolve_error("http://h:", "us-east-1", "bad port");
    expect_resolve_error("http://", "us-east-1", "no host");
    expect_resolve_error("http://h/?a=1", "us-east-1", "may not contain a query");
    expect_resolve_error("http://u:p@h", "us-east-1", "user info");
    expect_resolve_error("http://[::1", "us-east-1", "unclosed");
    expect_resolve_error("http://::1", "us-east-1", "brackets");
    expect_resolve_error("http://h", "us/east", "invalid region name");
}

static void test_endpoints_arn_parse(void **state)
{
    struct arn a;
    struct dr_err err;
    (void)state;

    assert_int_equal(arn_parse("arn:aws:drs:us-east-1:123456789012:source-server/s-1234", &a, &err),
                     0);
    assert_string_equal(a.partition, "aws");
    assert_string_equal(a.service, "drs");
    assert_string_equal(a.region, "us-east-1");
    assert_string_equal(a.account, "123456789012");
    assert_string_equal(a.resource, "source-server/s-1234");
    assert_int_equal(arn_parse("arn:aws-cn:iam::123456789012:role/a:b/c", &a, &err), 0);
    assert_string_equal(a.region, "");
    assert_string_equal(a.resource, "role/a:b/c");
    assert_int_equal(arn_parse("arn:aws:iam::aws:policy/AdministratorAccess", &a, &err), 0);
    assert_string_equal(a.account, "aws");
    assert_int_equal(arn_parse("arn:aws:s3:::bucket", &a, &err), 0);

    assert_int_equal(arn_parse("arn:aws:drs:us-east-1:123456789012", &a, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "must have the form"));
    assert_int_equal(arn_parse("urn:aws:drs:us-east-1:123456789012:x", &a, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "must start with"));
    assert_int_equal(arn_parse("arn:azure:drs:us-east-1:123456789012:x", &a, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "partition 'azure'"));
    assert_int_equal(arn_parse("arn:aws::us-east-1:123456789012:x", &a, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "service"));
    assert_int_equal(arn_parse("arn:aws:drs:US:123456789012:x", &a, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "region"));
    assert_int_equal(arn_parse("arn:aws:drs:us-east-1:1234:x", &a, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "account"));
    assert_int_equal(arn_parse("arn:aws:drs:us-east-1:123456789012:", &a, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "resource is empty"));
    assert_int_equal(arn_parse(NULL, &a, &err), -DR_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoints_partitions_and_regions),
        cmocka_unit_test(test_endpoints_default_and_global_hosts),
        cmocka_unit_test(test_endpoints_sts_legacy),
        cmocka_unit_test(test_endpoints_override_precedence),
        cmocka_unit_test(test_endpoints_errors),
        cmocka_unit_test(test_endpoints_arn_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
