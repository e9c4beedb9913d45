/*
 * test_credentials.c - unit tests for src/aws credentials, part 1: the
 * shared config parser (sharedconfig.c) and chain resolution to a plan
 * (credentials.c). Part 2, test_credentials_fetch.c, covers
 * credential_process, IMDS, the AssumeRole mapping and the cache.
 */
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
        buf_reset(&b);
        assert_int_equal(buf_adds(&b, "[default]\n"), 0);
        for (int i = 0; i <= AWSCFG_MAX_SECTION_KEYS; i++)
            assert_int_equal(buf_addf(&b, "k%d = v\n", i), 0);
        cfg = awscfg_new();
        assert_int_equal(awscfg_parse(cfg, b.p, b.len, true, "keys", &err), -DR_EINVAL);
        assert_string_equal(err.msg, "keys: line 1026: more than 1024 keys in one section");
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
