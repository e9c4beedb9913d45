/*
 * test_store_exec.c - unit tests for the store's execution records
 * (store/exec.h): create and read back in full, upserts, the lease
 * compare-and-set, operator requests that are never lost, wave approval,
 * the event log, and cascade on re-create.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/exec.h"
#include "testlib.h" /* cmocka */

static void create_one(struct store *s, const char *id)
{
    struct store_exec_full f;
    struct store_exec_wave w[2] = {{.idx = 0, .name = "db", .state = "PENDING"},
                                   {.idx = 1, .name = "app", .state = "WAITING"}};
    struct store_exec_server sv[2] = {{.account_id = "222222222222",
                                       .region = "us-west-2",
                                       .source_server_id = "s-2",
                                       .wave_idx = 1,
                                       .state = "PENDING"},
                                      {.account_id = "222222222222",
                                       .region = "us-west-2",
                                       .source_server_id = "s-1",
                                       .wave_idx = 0,
                                       .state = "PENDING"}};
    struct dr_err err;

    memset(&f, 0, sizeof(f));
    f.e.id = (char *)id;
    f.e.plan_name = "shop";
    f.e.plan_version = 3;
    f.e.kind = "DRILL";
    f.e.state = "PENDING";
    f.e.spec = json_pack("{s:s}", "plan", "shop");
    f.waves = w;
    f.nwaves = 2;
    f.servers = sv;
    f.nservers = 2;
    assert_int_equal(store_exec_create(s, &f, &err), 0);
    json_decref(f.e.spec);
}

static void test_exec_create_and_read_full(void **state)
{
    struct testlib_store *fx = *state;
    struct store_exec_full f;
    struct dr_err err;

    create_one(fx->s, "ex-1");
    assert_int_equal(store_exec_get_full(fx->s, "ex-1", &f, &err), 0);
    assert_string_equal(f.e.plan_name, "shop");
    assert_int_equal(f.e.plan_version, 3);
    assert_string_equal(json_string_value(json_object_get(f.e.spec, "plan")), "shop");
    assert_int_equal(f.nwaves, 2);
    assert_string_equal(f.waves[1].name, "app");
    assert_int_equal(f.nservers, 2);
    /* ordered by wave first */
    assert_string_equal(f.servers[0].source_server_id, "s-1");
    store_exec_full_cleanup(&f);
    /* a duplicate ID is refused, the first is intact */
    {
        struct store_exec_full d;
        memset(&d, 0, sizeof(d));
        d.e.id = "ex-1";
        d.e.plan_name = "x";
        d.e.kind = "DRILL";
        d.e.state = "PENDING";
        d.e.spec = json_object();
        assert_int_equal(store_exec_create(fx->s, &d, &err), -DR_ECONFLICT);
        json_decref(d.e.spec);
    }
    assert_int_equal(store_exec_get_full(fx->s, "nope", &f, &err), -DR_ENOTFOUND);
}

static void test_exec_upserts(void **state)
{
    struct testlib_store *fx = *state;
    struct store_exec_full f;
    struct store_exec_server sv = {.account_id = "222222222222",
                                   .region = "us-west-2",
                                   .source_server_id = "s-1",
                                   .state = "LAUNCHED",
                                   .attempts = 1,
                                   .batch_no = 1,
                                   .job_id = "drsjob-1",
                                   .recovery_instance_id = "i-1",
                                   .launched_at = 42};
    struct store_exec_batch b = {.batch_no = 1,
                                 .account_id = "222222222222",
                                 .region = "us-west-2",
                                 .state = "STARTING",
                                 .created_at = 7};
    struct dr_err err;

    create_one(fx->s, "ex-2");
    b.servers = json_pack("[s]", "s-1");
    assert_int_equal(store_exec_batch_put(fx->s, "ex-2", &b, &err), 0);
    b.state = "STARTED";
    b.job_id = "drsjob-1";
    assert_int_equal(store_exec_batch_put(fx->s, "ex-2", &b, &err), 0);
    assert_int_equal(store_exec_server_put(fx->s, "ex-2", &sv, &err), 0);
    assert_int_equal(store_exec_get_full(fx->s, "ex-2", &f, &err), 0);
    assert_int_equal(f.nbatches, 1);
    assert_string_equal(f.batches[0].state, "STARTED");
    assert_string_equal(f.batches[0].job_id, "drsjob-1");
    assert_int_equal(json_array_size(f.batches[0].servers), 1);
    assert_int_equal(f.nservers, 2);
    assert_string_equal(f.servers[0].state, "LAUNCHED");
    assert_string_equal(f.servers[0].recovery_instance_id, "i-1");
    assert_int_equal(f.servers[0].launched_at, 42);
    store_exec_full_cleanup(&f);
    json_decref(b.servers);
}

static void test_exec_lease_cas(void **state)
{
    struct testlib_store *fx = *state;
    struct store_exec e;
    struct dr_err err;

    create_one(fx->s, "ex-3");
    /* free lease: NULL host, pid 0, expiry 0 */
    assert_int_equal(store_exec_lease_cas(fx->s, "ex-3", NULL, 0, 0, "h1", 10, 1000, &err), 0);
    /* a second taker that read the old (free) lease loses */
    assert_int_equal(store_exec_lease_cas(fx->s, "ex-3", NULL, 0, 0, "h2", 20, 2000, &err),
                     -DR_ECONFLICT);
    /* renewal by the owner with what it wrote */
    assert_int_equal(store_exec_lease_cas(fx->s, "ex-3", "h1", 10, 1000, "h1", 10, 3000, &err), 0);
    assert_int_equal(store_exec_get(fx->s, "ex-3", false, &e, &err), 0);
    assert_string_equal(e.lease_host, "h1");
    assert_int_equal(e.lease_pid, 10);
    assert_int_equal(e.lease_expires_at, 3000);
    assert_null(e.spec);
    store_exec_cleanup(&e);
}

static void test_exec_requests_are_not_lost(void **state)
{
    struct testlib_store *fx = *state;
    struct store_exec e;
    struct dr_err err;
    int n = -1;

    create_one(fx->s, "ex-4");
    assert_int_equal(store_exec_set_request(fx->s, "ex-4", "pause", &err), 0);
    /* a cancel arrives after the engine read "pause" */
    assert_int_equal(store_exec_set_request(fx->s, "ex-4", "cancel", &err), 0);
    assert_int_equal(store_exec_clear_request(fx->s, "ex-4", "pause", &err), 0);
    assert_int_equal(store_exec_get(fx->s, "ex-4", false, &e, &err), 0);
    assert_string_equal(e.request, "cancel");
    store_exec_cleanup(&e);
    assert_int_equal(store_exec_set_request(fx->s, "nope", "pause", &err), -DR_ENOTFOUND);
    /* approval opens only WAITING waves */
    assert_int_equal(store_exec_approve_waiting(fx->s, "ex-4", &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_exec_approve_waiting(fx->s, "ex-4", &n, &err), 0);
    assert_int_equal(n, 0);
}

static void test_exec_update_list_events(void **state)
{
    struct testlib_store *fx = *state;
    struct store_exec e = {.id = "ex-5", .state = "COMPLETED", .started_at = 5, .ended_at = 9};
    struct store_exec_list l;
    struct store_exec_event_list ev;
    struct dr_err err;

    create_one(fx->s, "ex-5");
    create_one(fx->s, "ex-6");
    assert_int_equal(store_exec_update(fx->s, &e, &err), 0);
    assert_int_equal(store_exec_list(fx->s, &l, &err), 0);
    assert_int_equal(l.n, 2);
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.v[i].id, "ex-5") == 0) {
            assert_string_equal(l.v[i].state, "COMPLETED");
            assert_int_equal(l.v[i].ended_at, 9);
        }
    store_exec_list_cleanup(&l);
    assert_int_equal(store_exec_event(fx->s, "ex-5", 1, "wave db started", &err), 0);
    assert_int_equal(store_exec_event(fx->s, "ex-5", 2, "wave db completed", &err), 0);
    assert_int_equal(store_exec_events(fx->s, "ex-5", 0, &ev, &err), 0);
    assert_int_equal(ev.n, 2);
    assert_string_equal(ev.v[1].text, "wave db completed");
    {
        int64_t first = ev.v[0].seq;
        store_exec_event_list_cleanup(&ev);
        assert_int_equal(store_exec_events(fx->s, "ex-5", first, &ev, &err), 0);
        assert_int_equal(ev.n, 1);
    }
    store_exec_event_list_cleanup(&ev);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, testlib_store_setup, testlib_store_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_exec_create_and_read_full),
        T(test_exec_upserts),
        T(test_exec_lease_cas),
        T(test_exec_requests_are_not_lost),
        T(test_exec_update_list_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
