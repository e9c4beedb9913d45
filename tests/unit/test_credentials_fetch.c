/*
 * test_credentials_fetch.c - unit tests for src/aws credentials, part 2:
 * credential_process (credprocess.c), IMDSv2 against an in-test
 * libmicrohttpd server on 127.0.0.1 (imds.c), the STS AssumeRole mapping
 * (credentials.c) and the assumed-role cache (credcache.c).
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
