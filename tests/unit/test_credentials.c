/*
 * test_credentials.c - unit tests for src/aws credentials: the shared
 * config parser (sharedconfig.c), chain resolution to a plan
 * (credentials.c), credential_process (credprocess.c), IMDSv2 against an
 * in-test libmicrohttpd server on 127.0.0.1 (imds.c), the STS AssumeRole
 * mapping and the assumed-role cache (credcache.c).
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/credentials.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "testlib.h" /* cmocka */

/* ---- a fake environment (tests are single-threaded) ---- */

#define MAXENV 32
static const char *fake_env[MAXENV][2];

static void env_reset(void)
{
    memset(fake_env, 0, sizeof(fake_env));
}

static void env_set(const char *k, const char *v)
{
    for (int i = 0; i < MAXENV; i++)
        if (!fake_env[i][0] || strcmp(fake_env[i][0], k) == 0) {
            fake_env[i][0] = k;
            fake_env[i][1] = v;
            return;
        }
    fail_msg("fake env full");
}

static const char *fake_getenv(const char *k)
{
    for (int i = 0; i < MAXENV && fake_env[i][0]; i++)
        if (strcmp(fake_env[i][0], k) == 0)
            return fake_env[i][1];
    return NULL;
}

static struct awscfg *parse2(const char *config, const char *creds)
{
    struct awscfg *cfg = awscfg_new();
    struct dr_err err;
    assert_non_null(cfg);
    if (config && awscfg_parse(cfg, config, strlen(config), true, "config", &err) < 0)
        fail_msg("config: %s", err.msg);
    if (creds && awscfg_parse(cfg, creds, strlen(creds), false, "credentials", &err) < 0)
        fail_msg("credentials: %s", err.msg);
    return cfg;
}

static int parse_err(const char *text, bool config_file, struct dr_err *err)
{
    struct awscfg *cfg = awscfg_new();
    int rc = awscfg_parse(cfg, text, strlen(text), config_file, "~/.aws/config", err);
    awscfg_free(cfg);
    return rc;
}

/* ---- shared config parser ---- */

static void test_credentials_parse_sections_and_keys(void **state)
{
    struct awscfg *cfg;
    const char *names[8];
    (void)state;
    cfg = parse2("\xEF\xBB\xBF# full-line comment\r\n"
                 "; another\r\n"
                 "[default]\r\n"
                 "Region = us-east-1   # inline comment\r\n"
                 "output=json;not-a-comment\r\n"
                 "credential_process: /bin/echo a=b\r\n"
                 "[profile dev]\n"
                 "role_arn = arn:aws:iam::111111111111:role/dev\n"
                 "region=eu-west-1 ; note\n"
                 "region = eu-west-2\n"
                 "[profile \"with space\"]\n"
                 "region = ap-south-1\n"
                 "[preview]\n"
                 "cloudfront = true\n"
                 "[profile a b]\n"
                 "region = dropped\n"
                 "[sso-session corp]\n"
                 "sso_region = us-east-2\n"
                 "[services dev-svc]\n"
                 "s3 =\n"
                 "  endpoint_url = http://localhost:9000\n",
                 "[dev]\n"
                 "aws_access_key_id = AKIDDEV\n"
                 "region = ca-central-1\n"
                 "[profile x]\n"
                 "k = v\n");
    assert_string_equal(awscfg_get(cfg, "default", "region"), "us-east-1");
    assert_string_equal(awscfg_get(cfg, "default", "REGION"), "us-east-1");
    assert_string_equal(awscfg_get(cfg, "default", "output"), "json;not-a-comment");
    assert_string_equal(awscfg_get(cfg, "default", "credential_process"), "/bin/echo a=b");
    /* last key wins; the credentials file wins over the config file */
    assert_string_equal(awscfg_get_file(cfg, "dev", "region", true), "eu-west-2");
    assert_string_equal(awscfg_get(cfg, "dev", "region"), "ca-central-1");
    assert_string_equal(awscfg_get(cfg, "dev", "role_arn"), "arn:aws:iam::111111111111:role/dev");
    assert_string_equal(awscfg_get(cfg, "with space", "region"), "ap-south-1");
    /* not profiles */
    assert_false(awscfg_has_profile(cfg, "preview"));
    assert_false(awscfg_has_profile(cfg, "corp"));
    assert_false(awscfg_has_profile(cfg, "b"));
    assert_string_equal(awscfg_get_section(cfg, "sso-session", "corp", "sso_region"), "us-east-2");
    assert_string_equal(awscfg_get_section(cfg, "services", "dev-svc", "s3.endpoint_url"),
                        "http://localhost:9000");
    /* in the credentials file the header is the name, verbatim */
    assert_true(awscfg_has_profile(cfg, "profile x"));
    assert_false(awscfg_has_profile(cfg, "x"));
    assert_int_equal(awscfg_profile_names(cfg, names, 8),
                     4); /* default dev "with space" "profile x" */
    awscfg_free(cfg);
}

static void test_credentials_parse_nested_and_continuation(void **state)
{
    struct awscfg *cfg;
    (void)state;
    cfg = parse2("[default]\n"
                 "s3 =\n"
                 "    Max_Concurrent_Requests = 20\n"
                 "    # a comment inside the block\n"
                 "\n"
                 "    addressing_style = path\n"
                 "region = us-west-2\n"
                 "multi = first\n"
                 "   second\n"
                 "\n"
                 "   third\n"
                 "k.dot =\n"
                 "  sub = 5\n"
                 "[DEFAULT]\n"
                 "inherited = yes\n"
                 "region = never-used\n"
                 "[profile p]\n"
                 "x = 1\n",
                 NULL);
    assert_string_equal(awscfg_get(cfg, "default", "s3.Max_Concurrent_Requests"), "20");
    assert_null(awscfg_get(cfg, "default", "s3.max_concurrent_requests")); /* sub-keys keep case */
    assert_string_equal(awscfg_get(cfg, "default", "s3.addressing_style"), "path");
    assert_string_equal(awscfg_get(cfg, "default", "s3"), "");
    assert_string_equal(awscfg_get(cfg, "default", "region"), "us-west-2");
    assert_string_equal(awscfg_get(cfg, "default", "multi"), "first\nsecond\n\nthird");
    assert_string_equal(awscfg_get(cfg, "default", "k.dot.sub"), "5");
    /* [DEFAULT] keys reach every section of the file; own keys win */
    assert_string_equal(awscfg_get(cfg, "p", "inherited"), "yes");
    assert_string_equal(awscfg_get(cfg, "default", "inherited"), "yes");
    assert_string_equal(awscfg_get(cfg, "p", "region"), "never-used");
    assert_false(awscfg_has_profile(cfg, "DEFAULT"));
    awscfg_free(cfg);
}

static void test_credentials_parse_profile_default_replaces(void **state)
{
    struct awscfg *cfg;
    (void)state;
    /* botocore: the later of [default] / [profile default] replaces the other */
    cfg = parse2("[default]\nregion = a\noutput = text\n[profile default]\nregion = b\n", NULL);
    assert_string_equal(awscfg_get(cfg, "default", "region"), "b");
    assert_null(awscfg_get(cfg, "default", "output"));
    awscfg_free(cfg);
    /* the same header twice merges */
    cfg = parse2("[profile q]\nregion = a\noutput = text\n[profile q]\nregion = b\n", NULL);
    assert_string_equal(awscfg_get(cfg, "q", "region"), "b");
    assert_string_equal(awscfg_get(cfg, "q", "output"), "text");
    awscfg_free(cfg);
}

static void test_credentials_parse_errors_name_line(void **state)
{
    struct dr_err err;
    (void)state;
    assert_int_equal(parse_err("[default]\nregion = x\n\njust words\n", true, &err), -DR_EINVAL);
    assert_string_equal(err.msg, "~/.aws/config: line 4: expected key = value");
    assert_int_equal(parse_err("region = x\n[default]\n", true, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "line 1: key outside of any section"));
    assert_int_equal(parse_err("[default]\r\n = x\r\n", true, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "line 2: empty key"));
    assert_int_equal(parse_err("[default]\ns3 =\n  a = 1\n  oops\n", true, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "line 4: expected key = value in the block of 's3'"));
    assert_int_equal(parse_err("[default]\nk = a\0b\n", true, &err), 0); /* strlen stops at NUL */
    {
        struct awscfg *cfg = awscfg_new();
        assert_int_equal(awscfg_parse(cfg, "[d]\nk = a\0b\n", 12, false, "creds", &err),
                         -DR_EINVAL);
        assert_string_equal(err.msg, "creds: line 2: NUL byte");
        awscfg_free(cfg);
    }
}

static void test_credentials_parse_caps(void **state)
{
    struct awscfg *cfg = awscfg_new();
    struct dr_err err;
    size_t n = (size_t)AWSCFG_MAX_FILE + 1, off;
    char *big = malloc(n);
    (void)state;
    assert_non_null(big);
    memset(big, 'x', n);
    assert_int_equal(awscfg_parse(cfg, big, n, true, "big", &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "larger than"));
    /* a very long line is fine below the file cap */
    off = (size_t)snprintf(big, n, "[default]\nlong = ");
    memset(big + off, 'y', 500000);
    big[off + 500000] = '\n';
    assert_int_equal(awscfg_parse(cfg, big, off + 500001, true, "long", &err), 0);
    assert_int_equal(strlen(awscfg_get(cfg, "default", "long")), 500000);
    awscfg_free(cfg);
    /* too many sections */
    {
        struct buf b;
        buf_init(&b, 0);
        for (int i = 0; i <= AWSCFG_MAX_SECTIONS; i++)
            assert_int_equal(buf_addf(&b, "[p%d]\n", i), 0);
        cfg = awscfg_new();
        assert_int_equal(awscfg_parse(cfg, b.p, b.len, false, "many", &err), -DR_EINVAL);
        assert_non_null(strstr(err.msg, "more than 4096 sections"));
        awscfg_free(cfg);
        buf_cleanup(&b);
    }
    free(big);
}

/* ---- temp files ---- */

struct tmpdir {
    char path[256];
};

static void tmp_make(struct tmpdir *t)
{
    snprintf(t->path, sizeof(t->path), "/tmp/drover-creds-XXXXXX");
    assert_non_null(mkdtemp(t->path));
}

static void tmp_write(struct tmpdir *t, const char *name, const char *text, char *path, size_t n)
{
    struct dr_err err;
    snprintf(path, n, "%s/%s", t->path, name);
    if (fs_write_atomic(path, text, strlen(text), 0700, &err) < 0)
        fail_msg("%s", err.msg);
}

static void tmp_remove(struct tmpdir *t)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->path);
    assert_int_equal(system(cmd), 0);
}

static void test_credentials_load_files_env_and_home(void **state)
{
    struct tmpdir t;
    char p1[300], p2[300], home[300];
    struct cred_env env = {fake_getenv, NULL};
    struct awscfg *cfg;
    struct dr_err err;
    (void)state;
    tmp_make(&t);
    env_reset();
    tmp_write(&t, "cfg", "[profile a]\nregion = r1\n", p1, sizeof(p1));
    tmp_write(&t, "creds", "[a]\naws_access_key_id = AK\n", p2, sizeof(p2));
    env_set("AWS_CONFIG_FILE", p1);
    env_set("AWS_SHARED_CREDENTIALS_FILE", p2);
    assert_int_equal(awscfg_load(&env, &cfg, &err), 0);
    assert_string_equal(awscfg_get(cfg, "a", "region"), "r1");
    assert_string_equal(awscfg_get(cfg, "a", "aws_access_key_id"), "AK");
    awscfg_free(cfg);
    /* defaults under HOME, with ~ expansion; a missing credentials file is fine */
    snprintf(home, sizeof(home), "%s/home", t.path);
    {
        char aws[320], p3[340];
        struct dr_err e2;
        snprintf(aws, sizeof(aws), "%s/.aws", home);
        assert_int_equal(fs_mkdir_p(aws, 0700, &e2), 0);
        snprintf(p3, sizeof(p3), "%s/config", aws);
        assert_int_equal(fs_write_atomic(p3, "[default]\nregion = home-r\n", 26, 0600, &e2), 0);
    }
    env_reset();
    env_set("HOME", home);
    assert_int_equal(awscfg_load(&env, &cfg, &err), 0);
    assert_string_equal(awscfg_get(cfg, "default", "region"), "home-r");
    awscfg_free(cfg);
    env_set("AWS_CONFIG_FILE", "~/.aws/config");
    env_set("AWS_SHARED_CREDENTIALS_FILE", "~/nope/credentials");
    assert_int_equal(awscfg_load(&env, &cfg, &err), 0);
    assert_string_equal(awscfg_get(cfg, "default", "region"), "home-r");
    awscfg_free(cfg);
    /* a parse error names the file path and line */
    tmp_write(&t, "bad", "[default]\nregion\n", p1, sizeof(p1));
    env_set("AWS_CONFIG_FILE", p1);
    assert_int_equal(awscfg_load(&env, &cfg, &err), -DR_EINVAL);
    assert_null(cfg);
    assert_non_null(strstr(err.msg, p1));
    assert_non_null(strstr(err.msg, "line 2"));
    tmp_remove(&t);
}

/* ---- plans ---- */

static int resolve(const char *config, const char *creds, const char *profile,
                   struct cred_plan *plan, struct dr_err *err)
{
    struct cred_env env = {fake_getenv, profile};
    struct awscfg *cfg = parse2(config, creds);
    int rc = cred_plan_resolve(&env, cfg, plan, err);
    awscfg_free(cfg);
    return rc;
}

static void test_credentials_plan_env_precedence(void **state)
{
    const char *cfg = "[default]\naws_access_key_id = AKDEF\naws_secret_access_key = SDEF\n"
                      "region = us-east-2\n"
                      "[profile p]\naws_access_key_id = AKP\naws_secret_access_key = SP\n";
    struct cred_plan plan;
    struct dr_err err;
    (void)state;
    env_reset();
    env_set("AWS_ACCESS_KEY_ID", "AKENV");
    env_set("AWS_SECRET_ACCESS_KEY", "SENV");
    env_set("AWS_SESSION_TOKEN", "TENV");
    /* env beats the default profile ... */
    assert_int_equal(resolve(cfg, NULL, NULL, &plan, &err), 0);
    assert_int_equal(plan.kind, CRED_SRC_ENV);
    assert_string_equal(plan.base.access_key_id, "AKENV");
    assert_string_equal(plan.base.session_token, "TENV");
    assert_string_equal(plan.region, "us-east-2");
    cred_plan_cleanup(&plan);
    /* ... and AWS_PROFILE ... */
    env_set("AWS_PROFILE", "p");
    assert_int_equal(resolve(cfg, NULL, NULL, &plan, &err), 0);
    assert_int_equal(plan.kind, CRED_SRC_ENV);
    assert_string_equal(plan.profile, "p");
    cred_plan_cleanup(&plan);
    /* ... but an explicit --profile beats env keys */
    assert_int_equal(resolve(cfg, NULL, "p", &plan, &err), 0);
    assert_int_equal(plan.kind, CRED_SRC_PROFILE);
    assert_string_equal(plan.base.access_key_id, "AKP");
    assert_null(plan.base.session_token);
    cred_plan_cleanup(&plan);
    /* AWS_REGION wins over the profile's region */
    env_set("AWS_REGION", "sa-east-1");
    env_set("AWS_PROFILE", "");
    assert_int_equal(resolve(cfg, NULL, NULL, &plan, &err), 0);
    assert_string_equal(plan.region, "sa-east-1");
    cred_plan_cleanup(&plan);
    /* a partial env is an error */
    env_reset();
    env_set("AWS_ACCESS_KEY_ID", "AKENV");
    assert_int_equal(resolve(cfg, NULL, NULL, &plan, &err), -DR_ECRED);
    assert_non_null(strstr(err.msg, "AWS_SECRET_ACCESS_KEY"));
}

static void test_credentials_plan_profiles_static_and_process(void **state)
{
    struct cred_plan plan;
    struct dr_err err;
    (void)state;
    env_reset();
    /* credentials-file keys beat credential_process, which beats config-file keys */
    assert_int_equal(resolve("[profile a]\ncredential_process = /bin/true\n"
                             "aws_access_key_id = AKCFG\naws_secret_access_key = SCFG\n",
                             "[a]\naws_access_key_id = AKCRED\naws_secret_access_key = SCRED\n"
                             "aws_session_token = TOK\n",
                             "a", &plan, &err),
                     0);
    assert_int_equal(plan.kind, CRED_SRC_PROFILE);
    assert_string_equal(plan.base.access_key_id, "AKCRED");
    assert_string_equal(plan.base.session_token, "TOK");
    assert_string_equal(plan.base_profile, "a");
    cred_plan_cleanup(&plan);
    assert_int_equal(resolve("[profile a]\ncredential_process = /bin/true\n"
                             "aws_access_key_id = AKCFG\naws_secret_access_key = SCFG\n",
                             NULL, "a", &plan, &err),
                     0);
    assert_int_equal(plan.kind, CRED_SRC_PROCESS);
    assert_string_equal(plan.process_cmd, "/bin/true");
    cred_plan_cleanup(&plan);
    /* nothing configured: IMDS */
    assert_int_equal(resolve("[default]\nregion = x\n", NULL, NULL, &plan, &err), 0);
    assert_int_equal(plan.kind, CRED_SRC_IMDS);
    assert_int_equal(plan.nroles, 0);
    cred_plan_cleanup(&plan);
    assert_int_equal(resolve(NULL, NULL, NULL, &plan, &err), 0);
    assert_int_equal(plan.kind, CRED_SRC_IMDS);
    assert_null(plan.profile);
    cred_plan_cleanup(&plan);
    /* partial static keys name the profile and key */
    assert_int_equal(resolve(NULL, "[a]\naws_access_key_id = AK\n", "a", &plan, &err), -DR_ECRED);
    assert_string_equal(err.msg, "profile 'a' (credentials file): aws_access_key_id is set but "
                                 "aws_secret_access_key is not");
}

static void test_credentials_plan_missing_profile(void **state)
{
    struct cred_plan plan;
    struct dr_err err;
    (void)state;
    env_reset();
    assert_int_equal(resolve("[default]\n", NULL, "prod", &plan, &err), -DR_ENOTFOUND);
    assert_string_equal(err.msg, "the config profile (prod) could not be found");
    env_set("AWS_PROFILE", "stage");
    env_set("AWS_ACCESS_KEY_ID", "AK");
    env_set("AWS_SECRET_ACCESS_KEY", "S");
    assert_int_equal(resolve("[default]\n", NULL, NULL, &plan, &err), -DR_ENOTFOUND);
    assert_non_null(strstr(err.msg, "(stage)"));
    /* an explicit "default" must exist too; an implicit one need not */
    env_reset();
    assert_int_equal(resolve(NULL, NULL, "default", &plan, &err), -DR_ENOTFOUND);
    assert_int_equal(resolve(NULL, NULL, NULL, &plan, &err), 0);
    cred_plan_cleanup(&plan);
}

static const char *chain_cfg = "[profile top]\n"
                               "role_arn = arn:aws:iam::333333333333:role/top\n"
                               "source_profile = mid\n"
                               "external_id = ext-top-123\n"
                               "role_session_name = top-session\n"
                               "duration_seconds = 43200\n"
                               "region = eu-central-1\n"
                               "[profile mid]\n"
                               "role_arn = arn:aws:iam::222222222222:role/mid\n"
                               "source_profile = low\n"
                               "duration_seconds = 900\n"
                               "[profile low]\n"
                               "role_arn = arn:aws:iam::111111111111:role/low\n"
                               "source_profile = base\n"
                               "external_id = ext-low\n"
                               "[profile base]\n"
                               "aws_access_key_id = AKBASE\n"
                               "aws_secret_access_key = SBASE\n";

static void test_credentials_plan_chain_of_three(void **state)
{
    struct cred_plan plan;
    struct dr_err err;
    (void)state;
    env_reset();
    env_set("AWS_ACCESS_KEY_ID", "AKENV"); /* ignored: explicit profile */
    env_set("AWS_SECRET_ACCESS_KEY", "SENV");
    assert_int_equal(resolve(chain_cfg, NULL, "top", &plan, &err), 0);
    assert_int_equal(plan.kind, CRED_SRC_PROFILE);
    assert_string_equal(plan.base.access_key_id, "AKBASE");
    assert_string_equal(plan.base_profile, "base");
    assert_string_equal(plan.profile, "top");
    assert_string_equal(plan.region, "eu-central-1");
    assert_int_equal(plan.nroles, 3);
    assert_string_equal(plan.roles[0].role_arn, "arn:aws:iam::111111111111:role/low");
    assert_string_equal(plan.roles[0].external_id, "ext-low");
    assert_null(plan.roles[0].session_name);
    assert_int_equal(plan.roles[0].duration_seconds, 0);
    assert_string_equal(plan.roles[1].role_arn, "arn:aws:iam::222222222222:role/mid");
    assert_null(plan.roles[1].external_id);
    assert_int_equal(plan.roles[1].duration_seconds, 900);
    assert_string_equal(plan.roles[2].role_arn, "arn:aws:iam::333333333333:role/top");
    assert_string_equal(plan.roles[2].external_id, "ext-top-123");
    assert_string_equal(plan.roles[2].session_name, "top-session");
    assert_int_equal(plan.roles[2].duration_seconds, 43200);
    cred_plan_cleanup(&plan);
}

static void test_credentials_plan_source_with_keys_stops_chain(void **state)
{
    struct cred_plan plan;
    struct dr_err err;
    (void)state;
    env_reset();
    /* botocore: a source profile with static keys supplies them; its own
     * role_arn is not assumed */
    assert_int_equal(resolve("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
                             "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n"
                             "aws_access_key_id = AKB\naws_secret_access_key = SB\n",
                             NULL, "a", &plan, &err),
                     0);
    assert_int_equal(plan.nroles, 1);
    assert_string_equal(plan.roles[0].role_arn, "arn:aws:iam::1:role/a");
    assert_string_equal(plan.base.access_key_id, "AKB");
    cred_plan_cleanup(&plan);
    /* a profile may source itself when it has keys */
    assert_int_equal(resolve("[profile s]\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = s\n"
                             "aws_access_key_id = AKS\naws_secret_access_key = SS\n",
                             NULL, "s", &plan, &err),
                     0);
    assert_int_equal(plan.nroles, 1);
    assert_string_equal(plan.base.access_key_id, "AKS");
    cred_plan_cleanup(&plan);
    /* a source profile with credential_process */
    assert_int_equal(resolve("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = p\n"
                             "[profile p]\ncredential_process = get-creds --x\n",
                             NULL, "a", &plan, &err),
                     0);
    assert_int_equal(plan.kind, CRED_SRC_PROCESS);
    assert_string_equal(plan.process_cmd, "get-creds --x");
    assert_int_equal(plan.nroles, 1);
    cred_plan_cleanup(&plan);
}

static void test_credentials_plan_cycles(void **state)
{
    struct cred_plan plan;
    struct dr_err err;
    (void)state;
    env_reset();
    assert_int_equal(resolve("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
                             "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n"
                             "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = a\n",
                             NULL, "a", &plan, &err),
                     -DR_EINVAL);
    assert_string_equal(err.msg, "source_profile cycle: profile 'a' was already visited "
                                 "(a -> b -> c -> a)");
    assert_int_equal(plan.nroles, 0); /* left empty */
    /* self-reference without keys is a cycle */
    assert_int_equal(resolve("[profile s]\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = s\n",
                             NULL, "s", &plan, &err),
                     -DR_EINVAL);
    assert_non_null(strstr(err.msg, "cycle"));
}

static void test_credentials_plan_credential_source(void **state)
{
    const char *cfg =
        "[profile e]\nrole_arn = arn:aws:iam::1:role/e\ncredential_source = Environment\n"
        "[profile i]\nrole_arn = arn:aws:iam::1:role/i\n"
        "credential_source = Ec2InstanceMetadata\n"
        "[profile c]\nrole_arn = arn:aws:iam::1:role/c\ncredential_source = EcsContainer\n"
        "[profile bad]\nrole_arn = arn:aws:iam::1:role/b\ncredential_source = Magic\n"
        "[profile both]\nrole_arn = arn:aws:iam::1:role/b\ncredential_source = "
        "Environment\nsource_profile = e\n"
        "[profile none]\nrole_arn = arn:aws:iam::1:role/n\n"
        "[profile lost]\nrole_arn = arn:aws:iam::1:role/l\nsource_profile = ghost\n"
        "[profile dur]\nrole_arn = arn:aws:iam::1:role/d\ncredential_source = "
        "Ec2InstanceMetadata\nduration_seconds = 899\n";
    struct cred_plan plan;
    struct dr_err err;
    (void)state;
    env_reset();
    env_set("AWS_ACCESS_KEY_ID", "AKENV");
    env_set("AWS_SECRET_ACCESS_KEY", "SENV");
    assert_int_equal(resolve(cfg, NULL, "e", &plan, &err), 0);
    assert_int_equal(plan.kind, CRED_SRC_ENV);
    assert_string_equal(plan.base.access_key_id, "AKENV");
    assert_int_equal(plan.nroles, 1);
    cred_plan_cleanup(&plan);
    assert_int_equal(resolve(cfg, NULL, "i", &plan, &err), 0);
    assert_int_equal(plan.kind, CRED_SRC_IMDS);
    assert_int_equal(plan.nroles, 1);
    assert_string_equal(plan.roles[0].role_arn, "arn:aws:iam::1:role/i");
    cred_plan_cleanup(&plan);
    assert_int_equal(resolve(cfg, NULL, "c", &plan, &err), -DR_EINVAL);
    assert_non_null(
        strstr(err.msg, "profile 'c': credential_source EcsContainer is not supported"));
    assert_int_equal(resolve(cfg, NULL, "bad", &plan, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "credential_source 'Magic' is not valid"));
    assert_int_equal(resolve(cfg, NULL, "both", &plan, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "profile 'both': source_profile and credential_source"));
    assert_int_equal(resolve(cfg, NULL, "none", &plan, &err), -DR_ECRED);
    assert_string_equal(err.msg,
                        "profile 'none': role_arn needs source_profile or credential_source");
    assert_int_equal(resolve(cfg, NULL, "lost", &plan, &err), -DR_ECRED);
    assert_non_null(strstr(err.msg, "source_profile 'ghost' does not exist"));
    assert_int_equal(resolve(cfg, NULL, "dur", &plan, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "profile 'dur': duration_seconds '899'"));
    env_reset();
    assert_int_equal(resolve(cfg, NULL, "e", &plan, &err), -DR_ECRED);
    assert_non_null(strstr(err.msg, "credential_source Environment"));
}

/* ---- credential_process ---- */

static void test_credentials_process_runs(void **state)
{
    struct tmpdir t;
    char ok[300], bad[300], fail[300], noexp[300], cmd[400];
    struct aws_creds c;
    struct dr_err err;
    int64_t ms;
    (void)state;
    memset(&c, 0, sizeof(c));
    tmp_make(&t);
    tmp_write(&t, "ok.sh",
              "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKPROC\", "
              "\"SecretAccessKey\": \"SPROC\", \"SessionToken\": \"TPROC\", "
              "\"Expiration\": \"2026-12-01T20:43:50Z\"}'\n",
              ok, sizeof(ok));
    tmp_write(&t, "bad.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKSECRETX'\n",
              bad, sizeof(bad));
    tmp_write(&t, "fail.sh",
              "#!/bin/sh\necho '{\"SecretAccessKey\":\"LEAKME\"}'\necho 'token expired,\n"
              "  run login' >&2\nexit 3\n",
              fail, sizeof(fail));
    tmp_write(
        &t, "noexp.sh",
        "#!/bin/sh\nprintf '{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}'\n",
        noexp, sizeof(noexp));
    assert_int_equal(cred_process_run(ok, &c, &err), 0);
    assert_string_equal(c.access_key_id, "AKPROC");
    assert_string_equal(c.secret_access_key, "SPROC");
    assert_string_equal(c.session_token, "TPROC");
    assert_int_equal(time_parse("2026-12-01T20:43:50Z", &ms), 0);
    assert_int_equal(c.expiration_ms, ms);
    assert_string_equal(c.source, "process");
    aws_creds_cleanup(&c);
    /* arguments go through the shell */
    snprintf(cmd, sizeof(cmd), "%s --profile 'x y' | cat", ok);
    assert_int_equal(cred_process_run(cmd, &c, &err), 0);
    aws_creds_cleanup(&c);
    assert_int_equal(cred_process_run(noexp, &c, &err), 0);
    assert_int_equal(c.expiration_ms, 0);
    assert_null(c.session_token);
    aws_creds_cleanup(&c);
    /* bad JSON: no piece of stdout in the message */
    assert_int_equal(cred_process_run(bad, &c, &err), -DR_EPARSE);
    assert_non_null(strstr(err.msg, "not valid JSON"));
    assert_null(strstr(err.msg, "AKSECRETX"));
    /* non-zero exit: stderr (folded), never stdout */
    assert_int_equal(cred_process_run(fail, &c, &err), -DR_ECRED);
    assert_string_equal(err.msg,
                        "credential_process exited with status 3: token expired, run login");
    assert_null(strstr(err.msg, "LEAKME"));
    /* wrong version, missing key, bad expiration */
    assert_int_equal(cred_process_run("echo '{\"Version\":2,\"AccessKeyId\":\"A\","
                                      "\"SecretAccessKey\":\"S\"}'",
                                      &c, &err),
                     -DR_EPARSE);
    assert_non_null(strstr(err.msg, "Version"));
    assert_int_equal(cred_process_run("echo '{\"Version\":1,\"AccessKeyId\":\"A\"}'", &c, &err),
                     -DR_EPARSE);
    assert_non_null(strstr(err.msg, "SecretAccessKey missing"));
    assert_int_equal(cred_process_run("echo '{\"Version\":1,\"AccessKeyId\":\"A\","
                                      "\"SecretAccessKey\":\"S\",\"Expiration\":\"soon\"}'",
                                      &c, &err),
                     -DR_EPARSE);
    assert_non_null(strstr(err.msg, "Expiration"));
    assert_null(c.access_key_id);
    /* too much output */
    assert_int_equal(cred_process_run("head -c 70000 /dev/zero | tr '\\0' x", &c, &err),
                     -DR_EPARSE);
    assert_non_null(strstr(err.msg, "larger than"));
    tmp_remove(&t);
}

static void test_credentials_process_timeout_kills(void **state)
{
    struct aws_creds c;
    struct dr_err err;
    (void)state;
    memset(&c, 0, sizeof(c));
    /* the child's grandchild keeps the pipe open: the whole group is killed */
    assert_int_equal(cred_process_run_timeout("sleep 30 & sleep 30", 200, &c, &err), -DR_ETIMEOUT);
    assert_non_null(strstr(err.msg, "timed out"));
    assert_null(c.access_key_id);
}

/* ---- IMDS ---- */

struct imds_srv {
    struct MHD_Daemon *d;
    int port;
    int puts, gets, unauth;
    int fail_creds_once; /* answer 500 to the first credentials GET */
    bool no_v2;          /* answer 404 to the token PUT */
};

static enum MHD_Result imds_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_data_size,
                                    void **con_cls)
{
    struct imds_srv *s = cls;
    const char *body = "";
    unsigned status = 200;
    struct MHD_Response *r;
    enum MHD_Result ret;
    static int marker;
    (void)version;
    (void)upload_data;

    if (*con_cls == NULL) {
        *con_cls = &marker;
        return MHD_YES;
    }
    *upload_data_size = 0;
    if (strcmp(method, "PUT") == 0 && strcmp(url, "/latest/api/token") == 0) {
        const char *ttl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                      "X-aws-ec2-metadata-token-ttl-seconds");
        s->puts++;
        if (s->no_v2)
            status = 404;
        else if (!ttl || strcmp(ttl, "21600") != 0)
            status = 400;
        else
            body = "tok-abc";
    } else if (strcmp(method, "GET") == 0) {
        const char *tok =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-aws-ec2-metadata-token");
        s->gets++;
        if (!s->no_v2 && (!tok || strcmp(tok, "tok-abc") != 0)) {
            s->unauth++;
            status = 401;
        } else if (strcmp(url, "/latest/meta-data/iam/security-credentials/") == 0) {
            body = "drover-role\n";
        } else if (strcmp(url, "/latest/meta-data/iam/security-credentials/drover-role") == 0) {
            if (s->fail_creds_once) {
                s->fail_creds_once = 0;
                status = 500;
            } else {
                body = "{\"Code\":\"Success\",\"LastUpdated\":\"2026-12-01T10:00:00Z\","
                       "\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"ASIAIMDS\","
                       "\"SecretAccessKey\":\"SIMDS\",\"Token\":\"TIMDS\","
                       "\"Expiration\":\"2026-12-01T16:00:00Z\"}";
            }
        } else {
            status = 404;
        }
    } else {
        status = 405;
    }
    r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void imds_start(struct imds_srv *s)
{
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, imds_handler, s,
                            MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    assert_non_null(s->d);
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    s->port = info->port;
}

static void test_credentials_imds_v2(void **state)
{
    struct imds_srv s;
    struct cred_env env = {fake_getenv, NULL};
    struct aws_creds c;
    struct dr_err err;
    char ep[64];
    int64_t ms;
    (void)state;
    memset(&s, 0, sizeof(s));
    memset(&c, 0, sizeof(c));
    env_reset();
    imds_start(&s);
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", s.port);
    s.fail_creds_once = 1; /* the second attempt succeeds */
    assert_int_equal(cred_imds_fetch(&env, ep, 2000, &c, &err), 0);
    assert_string_equal(c.access_key_id, "ASIAIMDS");
    assert_string_equal(c.secret_access_key, "SIMDS");
    assert_string_equal(c.session_token, "TIMDS");
    assert_string_equal(c.source, "imds");
    assert_int_equal(time_parse("2026-12-01T16:00:00Z", &ms), 0);
    assert_int_equal(c.expiration_ms, ms);
    aws_creds_cleanup(&c);
    assert_int_equal(s.puts, 1);
    assert_int_equal(s.gets, 3);
    assert_int_equal(s.unauth, 0);
    /* the endpoint from the environment, with a trailing slash */
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d/", s.port);
    env_set("AWS_EC2_METADATA_SERVICE_ENDPOINT", ep);
    assert_int_equal(cred_imds_fetch(&env, NULL, 2000, &c, &err), 0);
    assert_string_equal(c.access_key_id, "ASIAIMDS");
    aws_creds_cleanup(&c);
    /* IMDSv1 fallback when the token PUT is 404, unless v1 is disabled */
    s.no_v2 = true;
    assert_int_equal(cred_imds_fetch(&env, NULL, 2000, &c, &err), 0);
    aws_creds_cleanup(&c);
    env_set("AWS_EC2_METADATA_V1_DISABLED", "true");
    assert_int_equal(cred_imds_fetch(&env, NULL, 2000, &c, &err), -DR_ECRED);
    assert_non_null(strstr(err.msg, "IMDSv1 is disabled"));
    /* disabled: no request at all */
    s.puts = 0;
    env_set("AWS_EC2_METADATA_DISABLED", "TRUE");
    assert_int_equal(cred_imds_fetch(&env, NULL, 2000, &c, &err), -DR_ECRED);
    assert_int_equal(s.puts, 0);
    MHD_stop_daemon(s.d);
}

static void test_credentials_imds_server_requires_token(void **state)
{
    /* the fake really rejects a GET without the token (so the test above
     * proves the client sent it) */
    struct imds_srv s;
    char cmd[200];
    (void)state;
    memset(&s, 0, sizeof(s));
    imds_start(&s);
    snprintf(cmd, sizeof(cmd),
             "curl -s --noproxy '*' -o /dev/null -w '%%{http_code}' "
             "http://127.0.0.1:%d/latest/meta-data/iam/security-credentials/ | grep -qx 401",
             s.port);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(s.unauth, 1);
    MHD_stop_daemon(s.d);
}

static void test_credentials_imds_unreachable(void **state)
{
    struct cred_env env = {fake_getenv, NULL};
    struct aws_creds c;
    struct dr_err err;
    struct imds_srv s;
    char ep[64];
    int port;
    (void)state;
    memset(&c, 0, sizeof(c));
    env_reset();
    /* a port that was just free: connection refused */
    memset(&s, 0, sizeof(s));
    imds_start(&s);
    port = s.port;
    MHD_stop_daemon(s.d);
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", port);
    assert_true(cred_imds_fetch(&env, ep, 500, &c, &err) < 0);
    assert_int_equal(err.status, DR_ETRANSPORT);
    assert_non_null(strstr(err.msg, "IMDS"));
    assert_int_equal(cred_imds_fetch(&env, "ftp://x", 500, &c, &err), -DR_EINVAL);
}

/* ---- STS AssumeRole mapping ---- */

static void test_credentials_assume_input_output(void **state)
{
    struct cred_role r;
    struct aws_creds c;
    struct dr_err err;
    json_t *in, *out;
    char *s;
    int64_t ms;
    (void)state;
    memset(&r, 0, sizeof(r));
    memset(&c, 0, sizeof(c));
    r.role_arn = strdup("arn:aws:iam::1:role/x");
    r.external_id = strdup("ext");
    r.duration_seconds = 1800;
    r.source_identity = strdup("alice");
    r.tags = json_pack("{s:s,s:s}", "team", "dr", "env", "prod");
    r.transitive_tag_keys = json_pack("[s]", "team");
    in = cred_role_assume_input(&r, 1234);
    s = json_dumps(in, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(s, "{\"DurationSeconds\":1800,\"ExternalId\":\"ext\",\"RoleArn\":"
                           "\"arn:aws:iam::1:role/x\",\"RoleSessionName\":\"drover-1234\","
                           "\"SourceIdentity\":\"alice\",\"Tags\":[{\"Key\":\"team\",\"Value\":"
                           "\"dr\"},{\"Key\":\"env\",\"Value\":\"prod\"}],\"TransitiveTagKeys\":"
                           "[\"team\"]}");
    free(s);
    json_decref(in);
    {
        struct cred_role r2;
        assert_int_equal(cred_role_copy(&r2, &r, &err), 0);
        assert_string_equal(r2.external_id, "ext");
        assert_true(json_equal(r2.tags, r.tags));
        cred_role_cleanup(&r2);
    }
    cred_role_cleanup(&r);

    out =
        json_pack("{s:{s:s,s:s,s:s,s:s}}", "Credentials", "AccessKeyId", "ASIAX", "SecretAccessKey",
                  "SX", "SessionToken", "TX", "Expiration", "2026-12-01T21:43:50.000Z");
    assert_int_equal(cred_from_assume_output(out, &c, &err), 0);
    assert_string_equal(c.access_key_id, "ASIAX");
    assert_string_equal(c.session_token, "TX");
    assert_string_equal(c.source, "assume-role");
    assert_int_equal(time_parse("2026-12-01T21:43:50Z", &ms), 0);
    assert_int_equal(c.expiration_ms, ms);
    aws_creds_cleanup(&c);
    json_object_del(json_object_get(out, "Credentials"), "SessionToken");
    assert_int_equal(cred_from_assume_output(out, &c, &err), -DR_EPARSE);
    assert_non_null(strstr(err.msg, "SessionToken"));
    json_object_set_new(json_object_get(out, "Credentials"), "SessionToken", json_string("T"));
    json_object_set_new(json_object_get(out, "Credentials"), "Expiration", json_string("later"));
    assert_int_equal(cred_from_assume_output(out, &c, &err), -DR_EPARSE);
    assert_non_null(strstr(err.msg, "Expiration"));
    json_decref(out);
}

/* ---- cache ---- */

struct wait_rec {
    int calls;
    char akid[64];
    enum dr_status st;
    struct cred_cache *cache; /* for the re-entrant waiter */
    const char *key;
    enum cred_lookup again;
};

static void on_wait(void *ud, const struct aws_creds *creds, const struct dr_err *err)
{
    struct wait_rec *w = ud;
    w->calls++;
    if (creds)
        snprintf(w->akid, sizeof(w->akid), "%s", creds->access_key_id);
    w->st = err ? err->status : DR_OK;
}

static void on_wait_reenter(void *ud, const struct aws_creds *creds, const struct dr_err *err)
{
    struct wait_rec *w = ud;
    struct aws_creds c;
    memset(&c, 0, sizeof(c));
    on_wait(ud, creds, err);
    /* looks the key up again from inside the callback */
    w->again = cred_cache_lookup(w->cache, w->key, 0, &c, on_wait, w);
    aws_creds_cleanup(&c);
}

static void test_credentials_cache_key(void **state)
{
    struct cred_role r;
    char k1[CRED_CACHE_KEY_MAX], k2[CRED_CACHE_KEY_MAX], small[20];
    (void)state;
    memset(&r, 0, sizeof(r));
    r.role_arn = "arn:aws:iam::1:role/x";
    r.external_id = "very-secret-external-id";
    assert_int_equal(cred_cache_key("AKPARENT", &r, k1, sizeof(k1)), 0);
    assert_non_null(strstr(k1, "AKPARENT|arn:aws:iam::1:role/x|"));
    assert_null(strstr(k1, "very-secret"));
    r.external_id = "other-external-id";
    assert_int_equal(cred_cache_key("AKPARENT", &r, k2, sizeof(k2)), 0);
    assert_string_not_equal(k1, k2);
    r.external_id = "very-secret-external-id";
    r.session_name = "s1";
    assert_int_equal(cred_cache_key("AKPARENT", &r, k2, sizeof(k2)), 0);
    assert_string_not_equal(k1, k2);
    r.session_name = NULL;
    assert_int_equal(cred_cache_key("AKOTHER", &r, k2, sizeof(k2)), 0);
    assert_string_not_equal(k1, k2);
    assert_int_equal(cred_cache_key("AKPARENT", &r, k2, sizeof(k2)), 0);
    assert_string_equal(k1, k2);
    assert_int_equal(cred_cache_key("AKPARENT", &r, small, sizeof(small)), -DR_EINVAL);
}

static void set_creds(struct aws_creds *c, const char *akid, int64_t exp)
{
    struct dr_err err;
    assert_int_equal(aws_creds_set(c, akid, "secret", "token", exp, "assume-role", &err), 0);
}

static void test_credentials_cache_hit_fetch_wait_refresh(void **state)
{
    struct cred_cache *cc = cred_cache_new();
    struct aws_creds got, fresh;
    struct wait_rec w1, w2;
    const int64_t exp = 10 * 60 * 1000 + 1000000; /* expires at this ms */
    (void)state;
    memset(&got, 0, sizeof(got));
    memset(&fresh, 0, sizeof(fresh));
    memset(&w1, 0, sizeof(w1));
    memset(&w2, 0, sizeof(w2));
    assert_int_equal(cred_cache_lookup(cc, "k", 1000000, &got, on_wait, &w1), CRED_FETCH);
    assert_int_equal(cred_cache_lookup(cc, "k", 1000000, &got, on_wait, &w1), CRED_WAIT);
    assert_int_equal(cred_cache_lookup(cc, "k", 1000000, &got, on_wait, &w2), CRED_WAIT);
    assert_int_equal(cred_cache_lookup(cc, "other", 1000000, &got, NULL, NULL), CRED_FETCH);
    assert_int_equal(w1.calls, 0);
    set_creds(&fresh, "ASIA1", exp);
    cred_cache_complete(cc, "k", &fresh, NULL);
    aws_creds_cleanup(&fresh);
    assert_int_equal(w1.calls, 1);
    assert_int_equal(w2.calls, 1);
    assert_string_equal(w2.akid, "ASIA1");
    /* valid until 5 minutes before expiry */
    assert_int_equal(
        cred_cache_lookup(cc, "k", exp - CRED_REFRESH_MARGIN_MS - 1, &got, on_wait, &w1), CRED_HIT);
    assert_string_equal(got.access_key_id, "ASIA1");
    assert_string_equal(got.secret_access_key, "secret");
    aws_creds_cleanup(&got);
    assert_int_equal(cred_cache_lookup(cc, "k", exp - CRED_REFRESH_MARGIN_MS, &got, on_wait, &w1),
                     CRED_FETCH);
    assert_null(got.access_key_id);
    assert_int_equal(cred_cache_lookup(cc, "k", exp - CRED_REFRESH_MARGIN_MS, &got, on_wait, &w1),
                     CRED_WAIT);
    set_creds(&fresh, "ASIA2", exp * 2);
    cred_cache_complete(cc, "k", &fresh, NULL);
    aws_creds_cleanup(&fresh);
    assert_int_equal(w1.calls, 2);
    assert_string_equal(w1.akid, "ASIA2");
    assert_int_equal(cred_cache_lookup(cc, "k", exp, &got, NULL, NULL), CRED_HIT);
    assert_string_equal(got.access_key_id, "ASIA2");
    aws_creds_cleanup(&got);
    assert_int_equal(w2.calls, 1); /* called exactly once */
    cred_cache_free(cc);
}

static void test_credentials_cache_errors_reach_all_waiters(void **state)
{
    struct cred_cache *cc = cred_cache_new();
    struct aws_creds got;
    struct wait_rec w[3];
    struct dr_err e;
    (void)state;
    memset(&got, 0, sizeof(got));
    memset(w, 0, sizeof(w));
    assert_int_equal(cred_cache_lookup(cc, "k", 0, &got, on_wait, &w[0]), CRED_FETCH);
    for (int i = 0; i < 3; i++)
        assert_int_equal(cred_cache_lookup(cc, "k", 0, &got, on_wait, &w[i]), CRED_WAIT);
    dr_err_set(&e, DR_EDENIED, "not authorized to perform sts:AssumeRole");
    cred_cache_complete(cc, "k", NULL, &e);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(w[i].calls, 1);
        assert_int_equal(w[i].st, DR_EDENIED);
        assert_string_equal(w[i].akid, "");
    }
    /* after a failure the next lookup fetches again */
    assert_int_equal(cred_cache_lookup(cc, "k", 0, &got, on_wait, &w[0]), CRED_FETCH);
    cred_cache_free(cc);
}

static void test_credentials_cache_reentrant_waiter(void **state)
{
    struct cred_cache *cc = cred_cache_new();
    struct aws_creds got, fresh;
    struct wait_rec w1, w2;
    struct dr_err e;
    (void)state;
    memset(&got, 0, sizeof(got));
    memset(&fresh, 0, sizeof(fresh));
    memset(&w1, 0, sizeof(w1));
    memset(&w2, 0, sizeof(w2));
    w1.cache = w2.cache = cc;
    w1.key = w2.key = "k";
    assert_int_equal(cred_cache_lookup(cc, "k", 0, &got, NULL, NULL), CRED_FETCH);
    assert_int_equal(cred_cache_lookup(cc, "k", 0, &got, on_wait_reenter, &w1), CRED_WAIT);
    assert_int_equal(cred_cache_lookup(cc, "k", 0, &got, on_wait_reenter, &w2), CRED_WAIT);
    /* success: the re-entrant lookups hit */
    set_creds(&fresh, "ASIA1", 0);
    cred_cache_complete(cc, "k", &fresh, NULL);
    assert_int_equal(w1.calls, 1);
    assert_int_equal(w1.again, CRED_HIT);
    assert_int_equal(w2.again, CRED_HIT);
    /* failure: the first re-entrant lookup starts a new fetch, the second
     * waits for it; neither is called again by this complete */
    cred_cache_free(cc);
    cc = cred_cache_new();
    memset(&w1, 0, sizeof(w1));
    memset(&w2, 0, sizeof(w2));
    w1.cache = w2.cache = cc;
    w1.key = w2.key = "k";
    assert_int_equal(cred_cache_lookup(cc, "k", 0, &got, NULL, NULL), CRED_FETCH);
    assert_int_equal(cred_cache_lookup(cc, "k", 0, &got, on_wait_reenter, &w1), CRED_WAIT);
    assert_int_equal(cred_cache_lookup(cc, "k", 0, &got, on_wait_reenter, &w2), CRED_WAIT);
    dr_err_set(&e, DR_ETRANSPORT, "reset");
    cred_cache_complete(cc, "k", NULL, &e);
    assert_int_equal(w1.calls, 1);
    assert_int_equal(w2.calls, 1);
    assert_int_equal(w1.again, CRED_FETCH);
    assert_int_equal(w2.again, CRED_WAIT);
    /* the new fetch completes: the two waiters queued from inside the callbacks run once */
    cred_cache_complete(cc, "k", &fresh, NULL);
    assert_int_equal(w1.calls, 1); /* w1's re-lookup was FETCH: no waiter */
    assert_int_equal(w2.calls, 2);
    assert_string_equal(w2.akid, "ASIA1");
    aws_creds_cleanup(&fresh);
    cred_cache_free(cc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credentials_parse_sections_and_keys),
        cmocka_unit_test(test_credentials_parse_nested_and_continuation),
        cmocka_unit_test(test_credentials_parse_profile_default_replaces),
        cmocka_unit_test(test_credentials_parse_errors_name_line),
        cmocka_unit_test(test_credentials_parse_caps),
        cmocka_unit_test(test_credentials_load_files_env_and_home),
        cmocka_unit_test(test_credentials_plan_env_precedence),
        cmocka_unit_test(test_credentials_plan_profiles_static_and_process),
        cmocka_unit_test(test_credentials_plan_missing_profile),
        cmocka_unit_test(test_credentials_plan_chain_of_three),
        cmocka_unit_test(test_credentials_plan_source_with_keys_stops_chain),
        cmocka_unit_test(test_credentials_plan_cycles),
        cmocka_unit_test(test_credentials_plan_credential_source),
        cmocka_unit_test(test_credentials_process_runs),
        cmocka_unit_test(test_credentials_process_timeout_kills),
        cmocka_unit_test(test_credentials_imds_v2),
        cmocka_unit_test(test_credentials_imds_server_requires_token),
        cmocka_unit_test(test_credentials_imds_unreachable),
        cmocka_unit_test(test_credentials_assume_input_output),
        cmocka_unit_test(test_credentials_cache_key),
        cmocka_unit_test(test_credentials_cache_hit_fetch_wait_refresh),
        cmocka_unit_test(test_credentials_cache_errors_reach_all_waiters),
        cmocka_unit_test(test_credentials_cache_reentrant_waiter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
