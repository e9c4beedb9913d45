/*
 * test_engine.c - unit tests for the engine's parts that need no AWS peer
 * (the integration tests t0620-t0626 drive it against the simulator):
 * creating executions from a stored plan and inventory (membership, a
 * server in two groups, invalid plans), creating cleanups (refusing
 * recoveries and running drills, targeting only launched instances), the
 * status document's measured RTO, lease liveness, and options from the
 * environment.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/jsonutil.h"
#include "core/yamljson.h"
#include "engine/engine.h"
#include "plan/apply.h"
#include "store/exec.h"
#include "testlib.h" /* cmocka */

#define A1 "111111111111"

static const char PLANS[] = "kind: ProtectionGroup\n"
                            "name: g-db\n"
                            "selector: {tags: {Tier: db}}\n"
                            "---\n"
                            "kind: ProtectionGroup\n"
                            "name: g-app\n"
                            "selector: {tags: {Tier: app}}\n"
                            "launch: {copyPrivateIp: true}\n"
                            "---\n"
                            "kind: ProtectionGroup\n"
                            "name: g-all\n"
                            "selector: {}\n"
                            "---\n"
                            "kind: RecoveryPlan\n"
                            "name: ok\n"
                            "waves:\n"
                            "  - {name: db, groups: [g-db]}\n"
                            "  - {name: app, groups: [g-app], dependsOn: [db]}\n"
                            "---\n"
                            "kind: RecoveryPlan\n"
                            "name: twice\n"
                            "waves:\n"
                            "  - {name: db, groups: [g-db]}\n"
                            "  - {name: all, groups: [g-all], dependsOn: [db]}\n";

static json_t *item(const char *id, const char *tier)
{
    return json_pack("{s:s, s:{s:s}, s:{s:s, s:s}}", "sourceServerID", id, "tags", "Tier", tier,
                     "dataReplicationInfo", "dataReplicationState", "CONTINUOUS", "lagDuration",
                     "PT5S");
}

static int setup(void **state)
{
    struct testlib_store *f;
    char *regions[] = {(char *)"us-east-1"};
    struct store_account a = {.account_id = (char *)A1,
                              .role_arn = (char *)"arn:aws:iam::111111111111:role/drover",
                              .external_id = (char *)"0123456789abcdef0123456789abcdef",
                              .regions = regions,
                              .nregions = 1};
    struct store_snapshot_in in = {.account_id = A1, .region = "us-east-1", .fetched_at = 1};
    json_t *servers, *docs = NULL, *lines = NULL, *res = NULL;
    struct plan_issues is;
    struct dr_err err;

    if (testlib_store_setup(state) < 0)
        return -1;
    f = *state;
    if (store_account_add(f->s, &a, &err) < 0)
        return -1;
    servers = json_pack("[o, o, o, o]", item("s-0000000000000db1", "db"),
                        item("s-0000000000000db2", "db"), item("s-00000000000000a1", "app"),
                        item("s-00000000000000a2", "app"));
    in.servers = servers;
    in.fetched_at = 1700000000000LL;
    if (store_snapshot_replace(f->s, &in, &err) < 0)
        return -1;
    json_decref(servers);
    plan_issues_init(&is, "test");
    if (yaml_parse_docs(PLANS, strlen(PLANS), "test", &docs, &lines, &err) < 0 ||
        plan_apply(f->s, docs, lines, &is, &res, &err) < 0) {
        plan_issues_print(&is);
        return -1;
    }
    plan_issues_cleanup(&is);
    json_decref(docs);
    json_decref(lines);
    json_decref(res);
    return 0;
}

static void test_create_records_a_pending_execution(void **state)
{
    struct testlib_store *f = *state;
    struct store_exec_full x;
    struct dr_err err;
    char *id = NULL;

    assert_int_equal(engine_create(f->s, "ok", "DRILL", &id, &err), 0);
    assert_non_null(id);
    assert_int_equal(strncmp(id, "ex-", 3), 0);
    assert_int_equal(strlen(id), 19);
    assert_int_equal(store_exec_get_full(f->s, id, &x, &err), 0);
    assert_string_equal(x.e.state, "PENDING");
    assert_string_equal(x.e.kind, "DRILL");
    assert_int_equal(x.nwaves, 2);
    assert_int_equal(x.nservers, 4);
    for (size_t i = 0; i < x.nservers; i++) {
        bool db = strstr(x.servers[i].source_server_id, "db") != NULL;
        assert_int_equal(x.servers[i].wave_idx, db ? 0 : 1);
        assert_string_equal(x.servers[i].state, "PENDING");
    }
    /* the spec is self-contained: plan, groups, dependencies, launch overrides */
    assert_non_null(json_object_get(json_object_get(x.e.spec, "groups"), "g-app"));
    assert_int_equal(
        json_integer_value(json_array_get(
            json_object_get(json_array_get(json_object_get(x.e.spec, "waves"), 1), "dependsOn"),
            0)),
        0);
    assert_true(json_is_true(json_object_get(
        json_object_get(json_object_get(x.e.spec, "launch"), A1 "/us-east-1/s-00000000000000a1"),
        "copyPrivateIp")));
    assert_null(
        json_object_get(json_object_get(x.e.spec, "launch"), A1 "/us-east-1/s-0000000000000db1"));
    store_exec_full_cleanup(&x);
    free(id);
}

static void test_create_refuses_bad_input(void **state)
{
    struct testlib_store *f = *state;
    struct dr_err err;
    char *id = NULL;

    assert_int_equal(engine_create(f->s, "twice", "DRILL", &id, &err), -DR_EINVAL);
    assert_null(id);
    assert_non_null(strstr(err.msg, "two groups") ? err.msg : strstr(err.msg, "in group"));
    assert_int_equal(engine_create(f->s, "nope", "DRILL", &id, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "plan nope does not exist"));
    assert_int_equal(engine_create(f->s, "ok", "FAILOVER", &id, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "DRILL or RECOVERY"));
}

/* Marks every server of an execution LAUNCHED with an instance, and the execution ended. */
static void finish(struct store *s, const char *id, const char *state)
{
    struct store_exec_full x;
    struct dr_err err;

    assert_int_equal(store_exec_get_full(s, id, &x, &err), 0);
    for (size_t i = 0; i < x.nservers; i++) {
        char ri[32];
        if (i == 0)
            continue; /* one server never launched: it has no instance to clean up */
        snprintf(ri, sizeof(ri), "i-%017zu", i);
        free(x.servers[i].state);
        x.servers[i].state = strdup("LAUNCHED");
        x.servers[i].recovery_instance_id = strdup(ri);
        x.servers[i].job_id = strdup("drsjob-1");
        assert_int_equal(store_exec_server_put(s, id, &x.servers[i], &err), 0);
    }
    free(x.e.state);
    x.e.state = strdup(state);
    assert_int_equal(store_exec_update(s, &x.e, &err), 0);
    store_exec_full_cleanup(&x);
}

static void test_cleanup_targets_and_refusals(void **state)
{
    struct testlib_store *f = *state;
    struct store_exec_full c;
    struct dr_err err;
    char *drill = NULL, *recov = NULL, *cl = NULL;

    assert_int_equal(engine_create(f->s, "ok", "DRILL", &drill, &err), 0);
    /* a drill that has not ended */
    assert_int_equal(engine_create_cleanup(f->s, drill, &cl, &err), -DR_EINVAL);
    assert_non_null(strstr(err.msg, "PENDING"));
    finish(f->s, drill, "COMPLETED");
    assert_int_equal(engine_create_cleanup(f->s, drill, &cl, &err), 0);
    assert_int_equal(store_exec_get_full(f->s, cl, &c, &err), 0);
    assert_string_equal(c.e.kind, "CLEANUP");
    assert_string_equal(c.e.source_execution_id, drill);
    assert_int_equal(c.nservers, 3); /* the never-launched server is not a target */
    for (size_t i = 0; i < c.nservers; i++) {
        assert_non_null(c.servers[i].recovery_instance_id);
        assert_string_equal(c.servers[i].job_id, "drsjob-1");
    }
    store_exec_full_cleanup(&c);
    /* a recovery is never cleaned up */
    assert_int_equal(engine_create(f->s, "ok", "RECOVERY", &recov, &err), 0);
    finish(f->s, recov, "COMPLETED");
    free(cl);
    cl = NULL;
    assert_int_equal(engine_create_cleanup(f->s, recov, &cl, &err), -DR_EINVAL);
    assert_null(cl);
    assert_non_null(strstr(err.msg, "never the instances of a recovery"));
    free(drill);
    free(recov);
}

static void test_status_measures_rto(void **state)
{
    struct store_exec_wave w[1] = {{.idx = 0, .name = "db", .state = "COMPLETED"}};
    struct store_exec_server sv[2] = {
        {.account_id = A1,
         .region = "us-east-1",
         .source_server_id = "s-1",
         .state = "LAUNCHED",
         .job_started_at = 1000000,
         .launched_at = 1600000},
        {.account_id = A1,
         .region = "us-east-1",
         .source_server_id = "s-2",
         .state = "FAILED",
         .error = "attempt 1: boom",
         .job_started_at = 1002000},
    };
    struct store_exec_full f;
    json_t *doc, *wave;

    (void)state;
    memset(&f, 0, sizeof(f));
    f.e.id = "ex-1";
    f.e.plan_name = "p";
    f.e.kind = "DRILL";
    f.e.state = "PARTIAL";
    f.e.started_at = 900000;
    f.waves = w;
    f.nwaves = 1;
    f.servers = sv;
    f.nservers = 2;
    doc = engine_status_json(&f);
    assert_non_null(doc);
    wave = json_array_get(json_object_get(doc, "waves"), 0);
    assert_true(json_real_value(json_object_get(wave, "rto_seconds")) == 600.0);
    assert_true(json_real_value(json_object_get(doc, "rto_seconds")) == 700.0);
    assert_int_equal(json_integer_value(json_object_get(wave, "launched")), 1);
    assert_int_equal(json_integer_value(json_object_get(wave, "failed")), 1);
    assert_string_equal(
        json_str_borrow(json_array_get(json_object_get(wave, "servers"), 1), "error"),
        "attempt 1: boom");
    assert_true(json_is_null(
        json_object_get(json_array_get(json_object_get(wave, "servers"), 1), "rto_seconds")));
    json_decref(doc);
}

static void test_lease_liveness(void **state)
{
    struct store_exec x;
    char host[256];
    pid_t child;
    int st;

    (void)state;
    assert_int_equal(gethostname(host, sizeof(host)), 0);
    memset(&x, 0, sizeof(x));
    x.lease_host = host;
    x.lease_pid = getpid();
    x.lease_expires_at = 2000;
    assert_true(engine_lease_live(&x, 1000));
    assert_false(engine_lease_live(&x, 2000)); /* expired */
    child = fork();
    if (child == 0)
        _exit(0);
    assert_int_equal(waitpid(child, &st, 0), child);
    x.lease_pid = child; /* a dead process on this host: free at once */
    assert_false(engine_lease_live(&x, 1000));
    x.lease_host = "another-host"; /* elsewhere: live until it expires */
    assert_true(engine_lease_live(&x, 1000));
    assert_true(engine_state_terminal("PARTIAL") && engine_state_terminal("CANCELLED"));
    assert_false(engine_state_terminal("PAUSED") || engine_state_terminal(NULL));
}

static void test_opts_from_env(void **state)
{
    struct engine_opts o;

    (void)state;
    memset(&o, 0, sizeof(o));
    o.poll_max_ms = 777;
    setenv("DROVER_POLL_MIN_MS", "250", 1);
    setenv("DROVER_POLL_MAX_MS", "not-a-number", 1);
    setenv("DROVER_UNREACHABLE_SECONDS", "7", 1);
    setenv("DROVER_CRASH_POINT", "wave-ended:3", 1);
    engine_opts_from_env(&o);
    assert_int_equal(o.poll_min_ms, 250);
    assert_int_equal(o.poll_max_ms, 777); /* a bad value keeps the default */
    assert_int_equal(o.unreachable_ms, 7000);
    assert_string_equal(o.crash_point, "wave-ended");
    assert_int_equal(o.crash_count, 3);
    unsetenv("DROVER_POLL_MIN_MS");
    unsetenv("DROVER_POLL_MAX_MS");
    unsetenv("DROVER_UNREACHABLE_SECONDS");
    unsetenv("DROVER_CRASH_POINT");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testlib_store_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_create_records_a_pending_execution), T(test_create_refuses_bad_input),
        T(test_cleanup_targets_and_refusals),       cmocka_unit_test(test_status_measures_rto),
        cmocka_unit_test(test_lease_liveness),      cmocka_unit_test(test_opts_from_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
