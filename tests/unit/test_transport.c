/*
 * test_transport.c - unit tests for src/aws/transport.c against the
 * in-process libmicrohttpd server of testsrv.h: concurrency, keep-alive
 * reuse, the per-host cap, FIFO queueing, timeouts, refused connections,
 * the response cap, exact request headers, and timers on the loop.
 * No timing assertions: only outcomes.
 */
#include <stdio.h>
#include <string.h>

#include "aws/http.h"
#include "aws/transport.h"
#include "core/err.h"
#include "testlib.h" /* cmocka */
#include "testsrv.h"

#define MAXLOG 256

struct ctx {
    struct transport *t;
    char host[64];
    int ok, failed;
    int statuses[MAXLOG];
    char bodies[MAXLOG][64];
    int order[MAXLOG]; /* ids in completion order */
    int n_order;
    struct dr_err last_err;
    int chain_left; /* for chained sequential requests */
    char resp_hdr_name[64];
    char resp_hdr_value[64];
    size_t last_body_len;
};

struct req_ud {
    struct ctx *c;
    int id;
};

static struct testsrv srv;

static int setup(void **state)
{
    (void)state;
    return testsrv_start(&srv);
}

static int teardown(void **state)
{
    (void)state;
    testsrv_stop(&srv);
    return 0;
}

static void new_transport(struct ctx *c, const struct transport_config *cfg)
{
    struct dr_err e;
    memset(c, 0, sizeof(*c));
    testsrv_host(&srv, c->host, sizeof(c->host));
    assert_int_equal(transport_new(cfg, &c->t, &e), 0);
}

static void on_done(void *ud, const struct http_response *resp, const struct dr_err *err)
{
    struct req_ud *u = ud;
    struct ctx *c = u->c;

    if (c->n_order < MAXLOG)
        c->order[c->n_order++] = u->id;
    if (err) {
        c->failed++;
        c->last_err = *err;
    } else {
        size_t i;
        c->ok++;
        c->last_body_len = resp->body.len;
        if (u->id >= 0 && u->id < MAXLOG) {
            c->statuses[u->id] = resp->status;
            snprintf(c->bodies[u->id], sizeof(c->bodies[u->id]), "%s", resp->body.p);
        }
        for (i = 0; i < resp->headers.n; i++) {
            if (strcasecmp(resp->headers.v[i].name, "x-amzn-requestid") == 0) {
                snprintf(c->resp_hdr_name, sizeof(c->resp_hdr_name), "%s", resp->headers.v[i].name);
                snprintf(c->resp_hdr_value, sizeof(c->resp_hdr_value), "%s",
                         resp->headers.v[i].value);
            }
        }
    }
}

static void submit(struct ctx *c, struct req_ud *u, const char *method, const char *query,
                   const char *body)
{
    struct http_request r;
    struct dr_err e;
    assert_int_equal(http_req_init(&r, method, "http", c->host, "/test", query, &e), 0);
    if (body)
        assert_int_equal(http_req_set_body(&r, body, strlen(body), &e), 0);
    assert_int_equal(transport_submit(c->t, &r, on_done, u, &e), 0);
    http_req_cleanup(&r);
}

static void run_all(struct ctx *c)
{
    struct dr_err e;
    assert_int_equal(transport_run(c->t, &e), 0);
    assert_int_equal(transport_pending(c->t), 0);
}

static struct testsrv snap; /* copy of the server's counters, see testsrv_snapshot */

static void reset_server_counters(void)
{
    testsrv_reset(&srv);
}

static void test_transport_many_in_flight_complete(void **state)
{
    struct transport_config cfg = {.max_in_flight = 64};
    struct ctx c;
    struct req_ud u[200];
    char q[64], want[64];
    int i;
    (void)state;

    new_transport(&c, &cfg);
    reset_server_counters();
    for (i = 0; i < 200; i++) {
        u[i] = (struct req_ud){&c, i};
        snprintf(q, sizeof(q), "ms=20&id=%d", i);
        submit(&c, &u[i], "GET", q, NULL);
    }
    run_all(&c);
    assert_int_equal(c.ok, 200);
    assert_int_equal(c.failed, 0);
    for (i = 0; i < 200; i++) {
        assert_int_equal(c.statuses[i], 200);
        snprintf(want, sizeof(want), "id=%d method=GET len=0", i);
        assert_string_equal(c.bodies[i], want);
    }
    {
        struct transport_stats st;
        transport_get_stats(c.t, &st);
        assert_int_equal(st.requests, 200);
        assert_int_equal(st.failed, 0);
        assert_true(st.peak_in_flight > 1 && st.peak_in_flight <= 64);
    }
    testsrv_snapshot(&srv, &snap);
    assert_int_equal(snap.requests, 200);
    assert_true(snap.active_peak > 1); /* really concurrent */
    transport_free(c.t);
}

static void chain_next(void *ud, const struct http_response *resp, const struct dr_err *err)
{
    struct req_ud *u = ud;
    struct ctx *c = u->c;
    struct http_request r;
    struct dr_err e;
    on_done(ud, resp, err);
    if (--c->chain_left > 0) {
        assert_int_equal(http_req_init(&r, "GET", "http", c->host, "/k", "id=chain", &e), 0);
        assert_int_equal(transport_submit(c->t, &r, chain_next, u, &e), 0);
        http_req_cleanup(&r);
    }
}

static void test_transport_keepalive_reuses_connections(void **state)
{
    struct ctx c;
    struct req_ud u;
    struct http_request r;
    struct dr_err e;
    struct transport_stats st;
    (void)state;

    new_transport(&c, NULL);
    reset_server_counters();
    c.chain_left = 100;
    u = (struct req_ud){&c, 0};
    assert_int_equal(http_req_init(&r, "GET", "http", c.host, "/k", "id=chain", &e), 0);
    assert_int_equal(transport_submit(c.t, &r, chain_next, &u, &e), 0);
    http_req_cleanup(&r);
    run_all(&c);
    assert_int_equal(c.chain_left, 0);
    assert_int_equal(c.failed, 0);
    assert_int_equal(c.ok, 100);
    transport_get_stats(c.t, &st);
    assert_int_equal(st.requests, 100);
    assert_true(st.connections >= 1 && st.connections <= 2);
    testsrv_snapshot(&srv, &snap);
    assert_int_equal(snap.requests, 100);
    assert_true(snap.conns_accepted >= 1 && snap.conns_accepted <= 2);
    transport_free(c.t);
}

static void test_transport_per_host_cap_respected(void **state)
{
    struct transport_config cfg = {.max_in_flight = 64, .max_per_host = 4};
    struct ctx c;
    struct req_ud u[40];
    int i;
    (void)state;

    new_transport(&c, &cfg);
    reset_server_counters();
    for (i = 0; i < 40; i++) {
        u[i] = (struct req_ud){&c, i};
        submit(&c, &u[i], "GET", "ms=30", NULL);
    }
    run_all(&c);
    assert_int_equal(c.ok, 40);
    testsrv_snapshot(&srv, &snap);
    assert_int_equal(snap.requests, 40);
    assert_true(snap.conns_peak <= 4);
    assert_true(snap.active_peak <= 4);
    transport_free(c.t);
}

static void test_transport_queue_is_fifo(void **state)
{
    struct transport_config cfg = {.max_in_flight = 1};
    struct ctx c;
    struct req_ud u[6];
    int i;
    (void)state;

    new_transport(&c, &cfg);
    for (i = 0; i < 6; i++) {
        u[i] = (struct req_ud){&c, i};
        submit(&c, &u[i], "GET", i == 0 ? "ms=50" : "", NULL);
    }
    assert_int_equal(transport_pending(c.t), 6);
    run_all(&c);
    assert_int_equal(c.ok, 6);
    assert_int_equal(c.n_order, 6);
    for (i = 0; i < 6; i++)
        assert_int_equal(c.order[i], i);
    transport_free(c.t);
}

static void test_transport_request_timeout_is_etimeout(void **state)
{
    struct transport_config cfg = {.request_timeout_ms = 200};
    struct ctx c;
    struct req_ud u;
    (void)state;

    new_transport(&c, &cfg);
    u = (struct req_ud){&c, 0};
    submit(&c, &u, "GET", "ms=3000", NULL);
    run_all(&c);
    assert_int_equal(c.ok, 0);
    assert_int_equal(c.failed, 1);
    assert_int_equal(c.last_err.status, DR_ETIMEOUT);
    assert_non_null(strstr(c.last_err.msg, "127.0.0.1"));
    transport_free(c.t);
}

static void test_transport_refused_is_etransport(void **state)
{
    struct ctx c;
    struct req_ud u;
    unsigned short port = testsrv_dead_port();
    (void)state;

    assert_int_not_equal(port, 0);
    new_transport(&c, NULL);
    snprintf(c.host, sizeof(c.host), "127.0.0.1:%u", (unsigned)port);
    u = (struct req_ud){&c, 0};
    submit(&c, &u, "POST", "secret=hunter2", "{}");
    run_all(&c);
    assert_int_equal(c.failed, 1);
    assert_int_equal(c.last_err.status, DR_ETRANSPORT);
    assert_non_null(strstr(c.last_err.msg, "POST 127.0.0.1"));
    assert_null(strstr(c.last_err.msg, "hunter2")); /* no query in messages */
    transport_free(c.t);
}

static void test_transport_response_cap_fails_cleanly(void **state)
{
    struct transport_config cfg = {.max_response_bytes = 1000};
    struct ctx c;
    struct req_ud u[3];
    (void)state;

    new_transport(&c, &cfg);
    u[0] = (struct req_ud){&c, 0};
    submit(&c, &u[0], "GET", "bytes=5000", NULL); /* Content-Length */
    run_all(&c);
    assert_int_equal(c.failed, 1);
    assert_int_equal(c.last_err.status, DR_ENOMEM);
    assert_non_null(strstr(c.last_err.msg, "exceeds 1000 bytes"));

    u[1] = (struct req_ud){&c, 1};
    submit(&c, &u[1], "GET", "bytes=5000&chunked=1", NULL); /* no length: the write callback */
    run_all(&c);
    assert_int_equal(c.failed, 2);
    assert_int_equal(c.last_err.status, DR_ENOMEM);

    u[2] = (struct req_ud){&c, 2};
    submit(&c, &u[2], "GET", "bytes=1000&chunked=1", NULL); /* exactly at the cap */
    run_all(&c);
    assert_int_equal(c.ok, 1);
    assert_int_equal(c.last_body_len, 1000);
    transport_free(c.t);
}

static void test_transport_sends_exact_headers(void **state)
{
    struct ctx c;
    struct req_ud u;
    struct http_request r;
    struct dr_err e;
    size_t big = (size_t)2 << 20;
    char *body = malloc(big);
    char want[64];
    (void)state;

    assert_non_null(body);
    memset(body, 'a', big);
    new_transport(&c, NULL);
    u = (struct req_ud){&c, 7};
    assert_int_equal(http_req_init(&r, "POST", "http", c.host, "/", "id=7", &e), 0);
    assert_int_equal(http_headers_add(&r.headers, "X-Amz-Target", "Svc.Op"), 0);
    assert_int_equal(http_headers_add(&r.headers, "X-Empty", ""), 0);
    assert_int_equal(http_req_set_body(&r, body, big, &e), 0);
    assert_int_equal(transport_submit(c.t, &r, on_done, &u, &e), 0);
    http_req_cleanup(&r);
    run_all(&c);
    assert_int_equal(c.ok, 1);
    snprintf(want, sizeof(want), "id=7 method=POST len=%zu", big);
    assert_string_equal(c.bodies[7], want);
    testsrv_snapshot(&srv, &snap);
    assert_non_null(strstr(snap.last_headers, "X-Amz-Target: Svc.Op\n"));
    assert_non_null(strstr(snap.last_headers, "X-Empty: \n"));
    assert_null(strcasestr(snap.last_headers, "content-type"));
    assert_null(strcasestr(snap.last_headers, "expect"));
    assert_null(strcasestr(snap.last_headers, "transfer-encoding"));
    /* response header names keep their case */
    assert_string_equal(c.resp_hdr_name, "X-Amzn-RequestId");
    assert_string_equal(c.resp_hdr_value, "Req-7");

    /* an explicit Content-Type goes out exactly once, as given */
    u.id = 8;
    assert_int_equal(http_req_init(&r, "POST", "http", c.host, "/", "id=8", &e), 0);
    assert_int_equal(http_headers_add(&r.headers, "Content-Type", "application/x-amz-json-1.1"), 0);
    assert_int_equal(http_req_set_body(&r, "{}", 2, &e), 0);
    assert_int_equal(transport_submit(c.t, &r, on_done, &u, &e), 0);
    http_req_cleanup(&r);
    run_all(&c);
    assert_int_equal(c.ok, 2);
    testsrv_snapshot(&srv, &snap);
    {
        const char *p = strstr(snap.last_headers, "Content-Type: application/x-amz-json-1.1\n");
        assert_non_null(p);
        assert_null(strcasestr(p + 1, "content-type"));
    }
    free(body);
    transport_free(c.t);
}

static void test_transport_methods_and_error_statuses(void **state)
{
    struct ctx c;
    struct req_ud u[4];
    (void)state;

    new_transport(&c, NULL);
    u[0] = (struct req_ud){&c, 0};
    submit(&c, &u[0], "PUT", "id=0", "abc");
    u[1] = (struct req_ud){&c, 1};
    submit(&c, &u[1], "DELETE", "id=1", NULL);
    u[2] = (struct req_ud){&c, 2};
    submit(&c, &u[2], "POST", "id=2&status=503", NULL);
    u[3] = (struct req_ud){&c, 3};
    submit(&c, &u[3], "GET", "id=3&status=404", NULL);
    run_all(&c);
    assert_int_equal(c.ok, 4);
    assert_string_equal(c.bodies[0], "id=0 method=PUT len=3");
    assert_string_equal(c.bodies[1], "id=1 method=DELETE len=0");
    assert_int_equal(c.statuses[2], 503);
    assert_string_equal(c.bodies[2], "id=2 method=POST len=0");
    assert_int_equal(c.statuses[3], 404);
    transport_free(c.t);
}

/* ---- timers ---- */

struct tctx {
    struct ctx *c;
    char log[256];
    struct req_ud u;
};

static void tlog(struct tctx *tc, const char *s)
{
    size_t n = strlen(tc->log);
    snprintf(tc->log + n, sizeof(tc->log) - n, "%s,", s);
}

static void t_after_req(void *ud)
{
    tlog(ud, "after-req");
}

static void t_req_done(void *ud, const struct http_response *resp, const struct dr_err *err)
{
    struct tctx *tc = ud;
    struct dr_err e;
    tlog(tc, err ? "req-failed" : (resp->status == 200 ? "req" : "req-bad"));
    assert_int_equal(transport_timer(tc->c->t, 0, t_after_req, tc, &e), 0);
}

static void t10(void *ud)
{
    struct tctx *tc = ud;
    struct http_request r;
    struct dr_err e;
    tlog(tc, "t10");
    assert_int_equal(http_req_init(&r, "GET", "http", tc->c->host, "/", "", &e), 0);
    assert_int_equal(transport_submit(tc->c->t, &r, t_req_done, tc, &e), 0);
    http_req_cleanup(&r);
}

static void t20(void *ud)
{
    tlog(ud, "t20");
}

static void t30(void *ud)
{
    tlog(ud, "t30");
}

static void t_same(void *ud)
{
    tlog(ud, "same");
}

static void test_transport_timers_fire_in_order(void **state)
{
    struct ctx c;
    struct tctx tc;
    struct dr_err e;
    (void)state;

    new_transport(&c, NULL);
    memset(&tc, 0, sizeof(tc));
    tc.c = &c;
    assert_int_equal(transport_timer(c.t, 60, t30, &tc, &e), 0);
    assert_int_equal(transport_timer(c.t, 20, t10, &tc, &e), 0);
    assert_int_equal(transport_timer(c.t, 40, t20, &tc, &e), 0);
    assert_int_equal(transport_pending(c.t), 3);
    run_all(&c);
    /* timers in due order; the request started by t10 completed, then its timer fired */
    {
        const char *p10 = strstr(tc.log, "t10,"), *p20 = strstr(tc.log, "t20,"),
                   *p30 = strstr(tc.log, "t30,"), *pr = strstr(tc.log, "req,"),
                   *pa = strstr(tc.log, "after-req,");
        assert_non_null(p10);
        assert_non_null(p20);
        assert_non_null(p30);
        assert_non_null(pr);
        assert_non_null(pa);
        assert_true(p10 < p20 && p20 < p30);
        assert_true(p10 < pr && pr < pa);
    }
    /* equal due times fire in insertion order */
    tc.log[0] = '\0';
    assert_int_equal(transport_timer(c.t, 0, t_same, &tc, &e), 0);
    assert_int_equal(transport_timer(c.t, 0, t20, &tc, &e), 0);
    assert_int_equal(transport_timer(c.t, 0, t30, &tc, &e), 0);
    run_all(&c);
    assert_string_equal(tc.log, "same,t20,t30,");
    transport_free(c.t);
}

static void never_called(void *ud, const struct http_response *resp, const struct dr_err *err)
{
    (void)ud;
    (void)resp;
    (void)err;
    fail_msg("callback called after transport_free");
}

static void never_timer(void *ud)
{
    (void)ud;
    fail_msg("timer called after transport_free");
}

static void test_transport_free_cancels_everything(void **state)
{
    struct transport_config cfg = {.max_in_flight = 2};
    struct ctx c;
    struct http_request r;
    struct dr_err e;
    int i;
    (void)state;

    new_transport(&c, &cfg);
    assert_int_equal(http_req_init(&r, "POST", "http", c.host, "/", "ms=2000", &e), 0);
    assert_int_equal(http_req_set_body(&r, "x", 1, &e), 0);
    for (i = 0; i < 5; i++)
        assert_int_equal(transport_submit(c.t, &r, never_called, NULL, &e), 0);
    http_req_cleanup(&r);
    assert_int_equal(transport_timer(c.t, 10000, never_timer, NULL, &e), 0);
    assert_int_equal(transport_run_once(c.t, 50, &e), 0);
    assert_int_equal(transport_pending(c.t), 6);
    transport_free(c.t); /* ASan checks nothing leaks */
}

static void test_transport_rejects_bad_requests(void **state)
{
    struct ctx c;
    struct http_request r;
    struct dr_err e;
    (void)state;

    new_transport(&c, NULL);
    assert_int_equal(http_req_init(&r, "GET", "ftp", c.host, "/", "", &e), 0);
    assert_int_equal(transport_submit(c.t, &r, never_called, NULL, &e), -DR_EINVAL);
    assert_non_null(strstr(e.msg, "scheme"));
    http_req_cleanup(&r);
    assert_int_equal(http_req_init(&r, "GET", "http", "", "/", "", &e), 0);
    assert_int_equal(transport_submit(c.t, &r, never_called, NULL, &e), -DR_EINVAL);
    http_req_cleanup(&r);
    assert_int_equal(transport_pending(c.t), 0);
    transport_free(c.t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transport_many_in_flight_complete),
        cmocka_unit_test(test_transport_keepalive_reuses_connections),
        cmocka_unit_test(test_transport_per_host_cap_respected),
        cmocka_unit_test(test_transport_queue_is_fifo),
        cmocka_unit_test(test_transport_request_timeout_is_etimeout),
        cmocka_unit_test(test_transport_refused_is_etransport),
        cmocka_unit_test(test_transport_response_cap_fails_cleanly),
        cmocka_unit_test(test_transport_sends_exact_headers),
        cmocka_unit_test(test_transport_methods_and_error_statuses),
        cmocka_unit_test(test_transport_timers_fire_in_order),
        cmocka_unit_test(test_transport_free_cancels_everything),
        cmocka_unit_test(test_transport_rejects_bad_requests),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
