/*
 * test_actions.c - unit tests for src/engine/actions.c: command (exit
 * codes, the kept output tail, the environment facts, timeouts that kill
 * the whole process group, action_free killing a running command),
 * http-check against the in-process server of testsrv.h (2xx, expectStatus,
 * retries, refused connections, redirects, redacted credentials) and
 * wait-healthy against a moto server this test starts and stops itself
 * (skipped when moto is not installed): healthy, stopped, re-checked,
 * error responses, chunks of 100 per account-region, the account's role,
 * and calls detached by action_free. Deadlines run on a virtual clock
 * passed to action_poll; no timing assertions.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/client.h"
#include "core/jsonutil.h"
#include "core/proc.h"
#include "core/timeutil.h"
#include "engine/actions.h"
#include "testlib.h" /* cmocka */
#include "testsrv.h"

#define T0        1000000 /* virtual start time (ms) */
#define REAL_WAIT 20000   /* ms a test waits for something that should happen at once */

static void nap(void)
{
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("bad test JSON: %s: %s", text, je.text);
    return j;
}

/* Polls at virtual time vnow (running the client loop, if any, in between) until the action
 * ends or, when want is set, its progress contains want. Returns the status. */
static int poll_at(struct action_run *a, struct aws_client *c, int64_t vnow, const char *want,
                   struct dr_err *e)
{
    int64_t end = time_mono_ms() + REAL_WAIT;
    for (;;) {
        int st = action_poll(a, vnow, e);
        if (st != ACTION_RUNNING || (want && strstr(action_progress(a), want)))
            return st;
        if (time_mono_ms() > end)
            fail_msg("still running after %d ms: %s", REAL_WAIT, action_progress(a));
        if (c)
            aws_client_run_once(c, 10, NULL);
        else
            nap();
    }
}

/* ---- command ---- */

static const struct action_ctx cmd_ctx_proto = {
    .execution_id = "ex-1",
    .plan = "shop",
    .kind = "DRILL",
    .wave = "db",
};

static struct action_run *start_cmd(const char *action_json, const json_t *instances)
{
    json_t *act = parse(action_json);
    struct action_ctx ctx = cmd_ctx_proto;
    struct action_run *a = NULL;
    struct dr_err e;

    ctx.instances = instances;
    if (action_start(act, &ctx, T0, &a, &e) < 0)
        fail_msg("action_start: %s", e.msg);
    json_decref(act);
    return a;
}

/* Waits until the output holds "bg=PID" and returns PID. */
static pid_t bg_pid(struct action_run *a)
{
    struct dr_err e;
    const char *p;
    for (int64_t end = time_mono_ms() + REAL_WAIT; !(p = strstr(action_output(a), "bg="));) {
        assert_int_equal(action_poll(a, T0, &e), ACTION_RUNNING);
        assert_true(time_mono_ms() < end);
        nap();
    }
    return (pid_t)strtol(p + 3, NULL, 10);
}

/* True once pid is gone (or a zombie waiting for init to reap it). */
static bool pid_gone(pid_t pid)
{
    for (int64_t end = time_mono_ms() + REAL_WAIT; time_mono_ms() < end; nap()) {
        char path[64], buf[512];
        FILE *f;
        if (kill(pid, 0) < 0 && errno == ESRCH)
            return true;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        f = fopen(path, "r");
        if (!f)
            return true;
        buf[0] = '\0';
        if (!fgets(buf, sizeof(buf), f))
            buf[0] = '\0';
        fclose(f);
        {
            const char *rp = strrchr(buf, ')');
            if (rp && (rp[2] == 'Z' || rp[2] == 'X'))
                return true;
        }
    }
    return false;
}

static void test_actions_command_ok(void **state)
{
    struct action_run *a = start_cmd(
        "{\"type\":\"command\",\"command\":\"echo hello; echo oops >&2\",\"timeoutSeconds\":30}",
        NULL);
    struct dr_err e;
    (void)state;
    assert_int_equal(poll_at(a, NULL, T0, NULL, &e), ACTION_OK);
    assert_string_equal(action_output(a), "hello\noops\n");
    assert_int_equal(action_poll(a, T0, &e), ACTION_OK); /* stays done */
    action_free(a);
}

static void test_actions_command_exit_code_and_tail(void **state)
{
    struct action_run *a =
        start_cmd("{\"type\":\"command\",\"name\":\"migrate\",\"command\":\"i=0; while [ $i -lt "
                  "3000 ]; do echo line$i; i=$((i+1)); done; echo disk-full >&2; exit 3\"}",
                  NULL);
    struct dr_err e;
    const char *out;
    (void)state;
    assert_int_equal(poll_at(a, NULL, T0, NULL, &e), ACTION_FAILED);
    assert_non_null(strstr(e.msg, "command 'migrate'"));
    assert_non_null(strstr(e.msg, "exited with status 3"));
    assert_non_null(strstr(e.msg, "line2999 disk-full"));
    out = action_output(a);
    assert_int_equal(strlen(out), ACTION_OUTPUT_KEEP);
    assert_non_null(strstr(out, "line2999\ndisk-full\n"));
    assert_null(strstr(out, "line1\n"));
    /* the same answer again, without re-running anything */
    memset(&e, 0, sizeof(e));
    assert_int_equal(action_poll(a, T0, &e), ACTION_FAILED);
    assert_non_null(strstr(e.msg, "exited with status 3"));
    action_free(a);
}

static void test_actions_command_env_facts(void **state)
{
    json_t *inst = parse("[{\"account_id\":\"111111111111\",\"region\":\"us-east-1\","
                         "\"source_server_id\":\"s-1\",\"ec2_instance_id\":\"i-1\"},"
                         "{\"account_id\":\"111111111111\",\"region\":\"us-east-1\","
                         "\"source_server_id\":\"s-2\",\"ec2_instance_id\":\"\"},"
                         "{\"account_id\":\"222222222222\",\"region\":\"eu-west-1\","
                         "\"source_server_id\":\"s-3\",\"ec2_instance_id\":\"i-3\"}]");
    struct action_run *a;
    struct dr_err e;
    (void)state;
    setenv("ACTIONS_TEST_INHERITED", "yes", 1);
    a = start_cmd("{\"type\":\"command\",\"env\":{\"MYVAR\":\"x y\",\"NUM\":5,\"DROVER_KIND\":"
                  "\"fake\"},\"command\":\"echo "
                  "\\\"$DROVER_EXECUTION_ID|$DROVER_PLAN|$DROVER_KIND|$DROVER_WAVE|$DROVER_"
                  "RECOVERY_INSTANCES|$DROVER_SERVERS|$MYVAR|$NUM|$ACTIONS_TEST_INHERITED\\\"\"}",
                  inst);
    assert_int_equal(poll_at(a, NULL, T0, NULL, &e), ACTION_OK);
    assert_string_equal(action_output(a), "ex-1|shop|DRILL|db|i-1,i-3|s-1,s-2,s-3|x y|5|yes\n");
    action_free(a);
    unsetenv("ACTIONS_TEST_INHERITED");
    json_decref(inst);
}

static void test_actions_command_timeout_kills_group(void **state)
{
    struct action_run *a =
        start_cmd("{\"type\":\"command\",\"command\":\"sleep 60 & echo bg=$!; wait\","
                  "\"timeoutSeconds\":5}",
                  NULL);
    struct dr_err e;
    pid_t bg;
    (void)state;
    bg = bg_pid(a);
    assert_true(kill(bg, 0) == 0);
    /* SIGTERM at the deadline ends the shell and its background child */
    assert_int_equal(poll_at(a, NULL, T0 + 5000, NULL, &e), ACTION_FAILED);
    assert_non_null(strstr(e.msg, "timed out after 5 s"));
    assert_true(pid_gone(bg));
    action_free(a);
}

static void test_actions_command_timeout_sigkill(void **state)
{
    /* the group ignores SIGTERM: SIGKILL after the grace period */
    struct action_run *a =
        start_cmd("{\"type\":\"command\",\"command\":\"trap '' TERM; sleep 60 & echo bg=$!; "
                  "wait; wait\",\"timeoutSeconds\":2}",
                  NULL);
    struct dr_err e;
    pid_t bg;
    (void)state;
    bg = bg_pid(a);
    assert_int_equal(action_poll(a, T0 + 2000, &e), ACTION_RUNNING);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(action_poll(a, T0 + 2000 + ACTION_KILL_GRACE_MS - 1, &e), ACTION_RUNNING);
        nap();
    }
    assert_true(strstr(action_progress(a), "stopping") != NULL);
    assert_true(kill(bg, 0) == 0);
    assert_int_equal(poll_at(a, NULL, T0 + 2000 + ACTION_KILL_GRACE_MS, NULL, &e), ACTION_FAILED);
    assert_non_null(strstr(e.msg, "timed out"));
    assert_true(pid_gone(bg));
    action_free(a);
}

static void test_actions_command_free_kills(void **state)
{
    struct action_run *a =
        start_cmd("{\"type\":\"command\",\"command\":\"sleep 60 & echo bg=$!; wait\"}", NULL);
    pid_t bg;
    (void)state;
    bg = bg_pid(a);
    action_free(a);
    assert_true(pid_gone(bg));
}

static void test_actions_bad_input(void **state)
{
    const char *bad[] = {
        "{\"type\":\"command\"}",
        "{\"type\":\"command\",\"command\":\"true\",\"env\":{\"A\":{\"b\":1}}}",
        "{\"type\":\"command\",\"command\":\"true\",\"env\":{\"A=B\":\"x\"}}",
        "{\"type\":\"reboot\"}",
        "{\"type\":\"http-check\",\"url\":\"ftp://x/\"}",
        "{\"type\":\"wait-healthy\"}", /* no client */
        "{}",
    };
    struct action_ctx ctx = cmd_ctx_proto;
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *act = parse(bad[i]);
        struct action_run *a = (struct action_run *)&ctx; /* must be reset to NULL */
        struct dr_err e;
        dr_err_clear(&e);
        assert_int_equal(action_start(act, &ctx, T0, &a, &e), -DR_EINVAL);
        assert_null(a);
        assert_true(e.msg[0] != '\0');
        json_decref(act);
    }
}

/* ---- http-check ---- */

static struct testsrv srv;

static int http_setup(void **state)
{
    (void)state;
    return testsrv_start(&srv);
}

static int http_teardown(void **state)
{
    (void)state;
    testsrv_stop(&srv);
    return 0;
}

static struct action_run *start_http(const char *query, const char *extra)
{
    char buf[512];
    snprintf(buf, sizeof(buf),
             "{\"type\":\"http-check\",\"url\":\"http://127.0.0.1:%u/health%s\","
             "\"timeoutSeconds\":10%s}",
             (unsigned)srv.port, query, extra);
    return start_cmd(buf, NULL);
}

static long srv_requests(void)
{
    struct testsrv snap;
    testsrv_snapshot(&srv, &snap);
    return snap.requests;
}

static void test_actions_http_ok(void **state)
{
    struct action_run *a;
    struct dr_err e;
    (void)state;
    testsrv_reset(&srv);
    a = start_http("?status=200", "");
    assert_int_equal(poll_at(a, NULL, T0, NULL, &e), ACTION_OK);
    assert_int_equal(srv_requests(), 1);
    action_free(a);

    testsrv_reset(&srv);
    a = start_http("?status=204", ",\"expectStatus\":204");
    assert_int_equal(poll_at(a, NULL, T0, NULL, &e), ACTION_OK);
    action_free(a);
}

static void test_actions_http_retries_until_timeout(void **state)
{
    struct action_run *a;
    struct dr_err e;
    (void)state;
    testsrv_reset(&srv);
    a = start_http("?status=200", ",\"expectStatus\":204");
    assert_int_equal(poll_at(a, NULL, T0, "HTTP 200 (attempt 1)", &e), ACTION_RUNNING);
    /* no new attempt before the interval */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(action_poll(a, T0 + ACTION_HTTP_INTERVAL_MS - 1, &e), ACTION_RUNNING);
        nap();
    }
    assert_int_equal(srv_requests(), 1);
    assert_int_equal(poll_at(a, NULL, T0 + ACTION_HTTP_INTERVAL_MS, "HTTP 200 (attempt 2)", &e),
                     ACTION_RUNNING);
    assert_int_equal(srv_requests(), 2);
    assert_int_equal(action_poll(a, T0 + 10000, &e), ACTION_FAILED);
    assert_non_null(strstr(e.msg, "http-check http://127.0.0.1:"));
    assert_non_null(strstr(e.msg, "no HTTP 204 within 10 s (2 attempts)"));
    assert_non_null(strstr(e.msg, "last: HTTP 200"));
    action_free(a);
}

static void test_actions_http_failures(void **state)
{
    struct action_run *a;
    struct dr_err e;
    char buf[256];
    (void)state;
    a = start_http("?status=503", "");
    assert_int_equal(poll_at(a, NULL, T0, "HTTP 503 (attempt 1)", &e), ACTION_RUNNING);
    assert_int_equal(action_poll(a, T0 + 10000, &e), ACTION_FAILED);
    assert_non_null(strstr(e.msg, "no 2xx answer within 10 s"));
    assert_non_null(strstr(e.msg, "last: HTTP 503"));
    action_free(a);

    /* a redirect is not followed and is not a success */
    a = start_http("?status=302", "");
    assert_int_equal(poll_at(a, NULL, T0, "HTTP 302 (attempt 1)", &e), ACTION_RUNNING);
    assert_int_equal(action_poll(a, T0 + 10000, &e), ACTION_FAILED);
    action_free(a);

    /* nothing listening */
    snprintf(buf, sizeof(buf),
             "{\"type\":\"http-check\",\"url\":\"http://127.0.0.1:%u/\",\"timeoutSeconds\":3}",
             (unsigned)testsrv_dead_port());
    a = start_cmd(buf, NULL);
    assert_int_equal(poll_at(a, NULL, T0, "(attempt 1)", &e), ACTION_RUNNING);
    assert_int_equal(action_poll(a, T0 + 3000, &e), ACTION_FAILED);
    assert_non_null(strstr(e.msg, "onnect"));
    action_free(a);
}

static void test_actions_http_redacts_userinfo(void **state)
{
    char buf[256];
    struct action_run *a;
    struct dr_err e;
    (void)state;
    snprintf(buf, sizeof(buf),
             "{\"type\":\"http-check\",\"url\":\"http://admin:hunter2@127.0.0.1:%u/"
             "?status=500\",\"timeoutSeconds\":3}",
             (unsigned)srv.port);
    a = start_cmd(buf, NULL);
    assert_int_equal(poll_at(a, NULL, T0, "HTTP 500 (attempt 1)", &e), ACTION_RUNNING);
    assert_null(strstr(action_progress(a), "hunter2"));
    assert_int_equal(action_poll(a, T0 + 3000, &e), ACTION_FAILED);
    assert_null(strstr(e.msg, "hunter2"));
    assert_non_null(strstr(e.msg, "http://127.0.0.1:"));
    action_free(a);
}

/* ---- wait-healthy against moto ---- */

#define MOTO_ACCOUNT "123456789012"

static pid_t moto_pid = -1;
static char moto_url[64];
static char role_arn[] = "arn:aws:iam::" MOTO_ACCOUNT ":role/drover-actions-test";
static int roles_asked;

static const char *test_getenv(const char *name)
{
    if (strcmp(name, "AWS_ACCESS_KEY_ID") == 0)
        return "AKIAIOSFODNN7EXAMPLE";
    if (strcmp(name, "AWS_SECRET_ACCESS_KEY") == 0)
        return "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY";
    if (strcmp(name, "AWS_CONFIG_FILE") == 0 || strcmp(name, "AWS_SHARED_CREDENTIALS_FILE") == 0)
        return "/nonexistent/drover-test";
    return NULL;
}

static bool moto_up(void)
{
    CURL *h = curl_easy_init();
    char url[96];
    long code = 0;
    bool ok;
    snprintf(url, sizeof(url), "%s/moto-api/", moto_url);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    ok = curl_easy_perform(h) == CURLE_OK &&
         curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code > 0;
    curl_easy_cleanup(h);
    return ok;
}

/* Starts moto under a small shell that also stops it when this process is gone (a crashed test
 * must not leave a server behind); moto_pid is that shell, the leader of their process group. */
static int moto_setup(void **state)
{
    char cmd[512];
    unsigned port = testsrv_dead_port();
    int devnull;
    (void)state;
    if (system("python3 -c 'import moto' >/dev/null 2>&1") != 0)
        return 0; /* the tests skip */
    snprintf(moto_url, sizeof(moto_url), "http://127.0.0.1:%u", port);
    snprintf(cmd, sizeof(cmd),
             "MOTO_EC2_LOAD_DEFAULT_AMIS=false python3 -m moto.server -H 127.0.0.1 -p %u & m=$!; "
             "trap 'kill $m; exit' TERM; "
             "while kill -0 %d && kill -0 $m; do sleep 1; done 2>/dev/null; kill $m 2>/dev/null",
             port, (int)getpid());
    devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull < 0 || proc_spawn_sh(cmd, NULL, devnull, devnull, &moto_pid, NULL) < 0)
        moto_pid = -1;
    if (devnull >= 0)
        close(devnull);
    if (moto_pid < 0)
        return -1;
    for (int64_t end = time_mono_ms() + 60000; time_mono_ms() < end;) {
        int st;
        if (moto_up())
            return 0;
        if (waitpid(moto_pid, &st, WNOHANG) == moto_pid) {
            moto_pid = -1;
            return -1;
        }
        usleep(100 * 1000);
    }
    return -1;
}

static int moto_teardown(void **state)
{
    (void)state;
    if (moto_pid > 0) {
        int st;
        kill(-moto_pid, SIGTERM);
        for (int i = 0; i < 100 && waitpid(moto_pid, &st, WNOHANG) == 0; i++)
            usleep(50 * 1000);
        kill(-moto_pid, SIGKILL);
        waitpid(moto_pid, &st, WNOHANG);
        moto_pid = -1;
    }
    return 0;
}

static const struct cred_role *role_for(void *ud, const char *account)
{
    const struct cred_role *r = ud;
    roles_asked++;
    return strcmp(account, MOTO_ACCOUNT) == 0 ? r : NULL;
}

static struct aws_client *moto_client(void)
{
    struct aws_client_config cfg = {0};
    struct aws_client *c = NULL;
    struct dr_err e;
    if (moto_pid < 0)
        skip();
    cfg.region = "us-east-1";
    cfg.endpoint_url = moto_url;
    cfg.getenv_fn = test_getenv;
    if (aws_client_new(&cfg, &c, &e) < 0)
        fail_msg("aws_client_new: %s", e.msg);
    return c;
}

static json_t *call(struct aws_client *c, const char *op, const char *region, json_t *in)
{
    struct aws_call_req r = {.service = "ec2", .operation = op, .input = in, .region = region};
    json_t *out = NULL;
    struct dr_err e;
    if (aws_call(c, &r, &out, &e) < 0)
        fail_msg("%s: %s %s", op, e.code, e.msg);
    json_decref(in);
    return out;
}

/* Runs n instances in region; appends {account_id, region, source_server_id, ec2_instance_id}. */
static void run_instances(struct aws_client *c, const char *region, int n, json_t *targets)
{
    json_t *run, *i;
    size_t k;
    /* moto runs any image ID (its default images are not loaded: that takes seconds a region) */
    run = call(c, "RunInstances", region,
               json_pack("{s:s, s:i, s:i, s:s}", "ImageId", "ami-12c6146b", "MinCount", n,
                         "MaxCount", n, "InstanceType", "t3.micro"));
    json_array_foreach(json_object_get(run, "Instances"), k, i)
    {
        char sid[32];
        snprintf(sid, sizeof(sid), "s-%s-%zu", region, json_array_size(targets));
        json_array_append_new(
            targets, json_pack("{s:s, s:s, s:s, s:s, s:s}", "account_id", MOTO_ACCOUNT, "region",
                               region, "source_server_id", sid, "recovery_instance_id", "ri-x",
                               "ec2_instance_id", json_str_borrow(i, "InstanceId")));
    }
    assert_int_equal(json_array_size(json_object_get(run, "Instances")), n);
    json_decref(run);
}

static void ec2_do(struct aws_client *c, const char *op, const char *id)
{
    json_decref(call(c, op, "us-east-1", json_pack("{s:[s]}", "InstanceIds", id)));
}

static struct action_run *start_wh(struct aws_client *c, const json_t *targets, long timeout,
                                   const struct cred_role *role)
{
    char buf[128];
    json_t *act;
    struct action_ctx ctx = cmd_ctx_proto;
    struct action_run *a = NULL;
    struct dr_err e;
    snprintf(buf, sizeof(buf), "{\"type\":\"wait-healthy\",\"timeoutSeconds\":%ld}", timeout);
    act = parse(buf);
    ctx.client = c;
    ctx.instances = targets;
    ctx.role_for = role ? role_for : NULL;
    ctx.role_ud = (void *)role;
    if (action_start(act, &ctx, T0, &a, &e) < 0)
        fail_msg("action_start: %s", e.msg);
    json_decref(act);
    return a;
}

static uint64_t calls_made(struct aws_client *c)
{
    struct aws_client_stats s;
    aws_client_get_stats(c, &s);
    return s.calls;
}

static void drain(struct aws_client *c)
{
    struct dr_err e;
    assert_int_equal(aws_client_run(c, &e), 0);
}

static void test_actions_healthy_chunks_and_roles(void **state)
{
    struct aws_client *c = moto_client();
    json_t *targets = json_array();
    struct cred_role role = {.role_arn = role_arn, .session_name = "drover-test"};
    struct aws_client_stats s;
    struct action_run *a;
    struct dr_err e;
    uint64_t before;
    (void)state;
    run_instances(c, "us-east-1", 101, targets);
    run_instances(c, "us-west-2", 2, targets);
    before = calls_made(c);
    roles_asked = 0;
    a = start_wh(c, targets, 900, &role);
    assert_int_equal(poll_at(a, c, T0, NULL, &e), ACTION_OK);
    assert_string_equal(action_progress(a), "wait-healthy: 103/103 instances healthy");
    /* 100 + 1 in us-east-1, 2 in us-west-2: three calls, each with the account's role */
    aws_client_get_stats(c, &s);
    assert_int_equal(s.calls - before, 3 + s.assume_role);
    assert_int_equal(s.assume_role, 1);
    assert_int_equal(roles_asked, 3);
    action_free(a);
    drain(c);
    aws_client_free(c);
    json_decref(targets);
}

static void test_actions_healthy_stopped_then_started(void **state)
{
    struct aws_client *c = moto_client();
    json_t *targets = json_array();
    struct action_run *a;
    struct dr_err e;
    const char *stopped;
    uint64_t before;
    (void)state;
    run_instances(c, "us-east-1", 3, targets);
    stopped = json_str_borrow(json_array_get(targets, 1), "ec2_instance_id");
    ec2_do(c, "StopInstances", stopped);

    /* still stopped at the deadline: FAILED, naming it and its state */
    a = start_wh(c, targets, 60, NULL);
    assert_int_equal(poll_at(a, c, T0, "2/3 instances healthy", &e), ACTION_RUNNING);
    drain(c);
    assert_int_equal(action_poll(a, T0 + 60000, &e), ACTION_FAILED);
    assert_int_equal(e.status, DR_ETIMEOUT);
    assert_non_null(strstr(e.msg, "wait-healthy: 1 of 3 instances not healthy after 60 s"));
    assert_non_null(strstr(e.msg, stopped));
    assert_non_null(strstr(e.msg, "stopped"));
    assert_non_null(strstr(e.msg, "s-us-east-1-1"));
    action_free(a);

    /* re-checked: only the unhealthy one, after the interval, until it runs */
    a = start_wh(c, targets, 60, NULL);
    assert_int_equal(poll_at(a, c, T0, "2/3 instances healthy", &e), ACTION_RUNNING);
    drain(c);
    ec2_do(c, "StartInstances", stopped);
    before = calls_made(c);
    for (int i = 0; i < 10; i++)
        assert_int_equal(action_poll(a, T0 + ACTION_HEALTH_INTERVAL_MS - 1, &e), ACTION_RUNNING);
    assert_int_equal(calls_made(c), before);
    assert_int_equal(poll_at(a, c, T0 + ACTION_HEALTH_INTERVAL_MS, NULL, &e), ACTION_OK);
    assert_int_equal(calls_made(c), before + 1);
    action_free(a);
    drain(c);
    aws_client_free(c);
    json_decref(targets);
}

static void test_actions_healthy_error_retried(void **state)
{
    struct aws_client *c = moto_client();
    json_t *targets =
        parse("[{\"account_id\":\"" MOTO_ACCOUNT "\",\"region\":\"us-east-1\",\"source_server_id\":"
              "\"s-gone\",\"ec2_instance_id\":\"i-0123456789abcdef0\"}]");
    struct action_run *a;
    struct dr_err e;
    uint64_t before = calls_made(c);
    (void)state;
    a = start_wh(c, targets, 30, NULL);
    assert_int_equal(action_poll(a, T0, &e), ACTION_RUNNING);
    drain(c);
    assert_int_equal(action_poll(a, T0 + 1, &e), ACTION_RUNNING);
    assert_int_equal(action_poll(a, T0 + 1 + ACTION_HEALTH_INTERVAL_MS, &e), ACTION_RUNNING);
    drain(c);
    assert_int_equal(calls_made(c), before + 2);
    assert_int_equal(action_poll(a, T0 + 30000, &e), ACTION_FAILED);
    assert_non_null(strstr(e.msg, "i-0123456789abcdef0 (s-gone"));
    assert_non_null(strstr(e.msg, "DescribeInstanceStatus failed: InvalidInstanceID.NotFound"));
    action_free(a);
    aws_client_free(c);
    json_decref(targets);
}

static void test_actions_healthy_free_detaches(void **state)
{
    struct aws_client *c = moto_client();
    json_t *targets = json_array();
    struct action_run *a;
    struct dr_err e;
    uint64_t before;
    (void)state;
    run_instances(c, "us-east-1", 2, targets);
    before = calls_made(c);
    a = start_wh(c, targets, 60, NULL);
    assert_int_equal(action_poll(a, T0, &e), ACTION_RUNNING);
    assert_int_equal(aws_client_pending(c), 1);
    action_free(a);
    drain(c); /* the callback fires on a detached record (ASan checks it touches no freed memory) */
    assert_int_equal(calls_made(c), before + 1);
    aws_client_free(c);
    json_decref(targets);
}

static void test_actions_healthy_edge_cases(void **state)
{
    struct aws_client *c = moto_client();
    json_t *none = json_array();
    json_t *unlaunched = parse("[{\"account_id\":\"" MOTO_ACCOUNT "\",\"region\":\"us-east-1\","
                               "\"source_server_id\":\"s-nolaunch\"}]");
    struct action_run *a;
    struct dr_err e;
    (void)state;
    a = start_wh(c, none, 60, NULL);
    assert_int_equal(action_poll(a, T0, &e), ACTION_OK);
    action_free(a);
    a = start_wh(c, unlaunched, 60, NULL);
    assert_int_equal(action_poll(a, T0, &e), ACTION_FAILED);
    assert_non_null(strstr(e.msg, "s-nolaunch"));
    assert_non_null(strstr(e.msg, "no recovered EC2 instance"));
    action_free(a);
    assert_int_equal(aws_client_pending(c), 0);
    aws_client_free(c);
    json_decref(none);
    json_decref(unlaunched);
}

int main(void)
{
    const struct CMUnitTest cmd_tests[] = {
        cmocka_unit_test(test_actions_command_ok),
        cmocka_unit_test(test_actions_command_exit_code_and_tail),
        cmocka_unit_test(test_actions_command_env_facts),
        cmocka_unit_test(test_actions_command_timeout_kills_group),
        cmocka_unit_test(test_actions_command_timeout_sigkill),
        cmocka_unit_test(test_actions_command_free_kills),
        cmocka_unit_test(test_actions_bad_input),
    };
    const struct CMUnitTest http_tests[] = {
        cmocka_unit_test(test_actions_http_ok),
        cmocka_unit_test(test_actions_http_retries_until_timeout),
        cmocka_unit_test(test_actions_http_failures),
        cmocka_unit_test(test_actions_http_redacts_userinfo),
    };
    const struct CMUnitTest moto_tests[] = {
        cmocka_unit_test(test_actions_healthy_chunks_and_roles),
        cmocka_unit_test(test_actions_healthy_stopped_then_started),
        cmocka_unit_test(test_actions_healthy_error_retried),
        cmocka_unit_test(test_actions_healthy_free_detaches),
        cmocka_unit_test(test_actions_healthy_edge_cases),
    };
    int failed = cmocka_run_group_tests_name("command", cmd_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("http-check", http_tests, http_setup, http_teardown);
    failed += cmocka_run_group_tests_name("wait-healthy", moto_tests, moto_setup, moto_teardown);
    return failed;
}
