/*
 * bench_transport.c - throughput of the transport with many requests in
 * flight: N requests (default 500) at once against the in-process MHD
 * server of tests/unit/testsrv.h, which adds a fixed latency (default
 * 50 ms) per request. Prints wall time in round-trips (ideal: 1 RTT plus
 * connection setup) and connections opened, for a cold round (new
 * connections) and a warm round (reused). Figures only; no pass/fail.
 *
 * Usage: bench_transport [requests [latency_ms]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/testsrv.h"
#include "aws/http.h"
#include "aws/transport.h"
#include "core/str.h"
#include "core/timeutil.h"

struct bctx {
    int ok, failed;
};

static void on_done(void *ud, const struct http_response *resp, const struct dr_err *err)
{
    struct bctx *c = ud;
    if (err || resp->status != 200)
        c->failed++;
    else
        c->ok++;
}

static int round_trip(struct transport *t, const char *host, int n, long latency_ms,
                      const char *label)
{
    struct bctx c = {0, 0};
    struct transport_stats before, after;
    struct dr_err e;
    char q[64];
    int64_t t0, t1;
    int i;

    transport_get_stats(t, &before);
    snprintf(q, sizeof(q), "ms=%ld", latency_ms);
    t0 = time_mono_ms();
    for (i = 0; i < n; i++) {
        struct http_request r;
        if (http_req_init(&r, "POST", "http", host, "/bench", q, &e) < 0 ||
            http_headers_add(&r.headers, "Content-Type", "application/x-amz-json-1.1") < 0 ||
            http_req_set_body(&r, "{}", 2, &e) < 0 ||
            transport_submit(t, &r, on_done, &c, &e) < 0) {
            fprintf(stderr, "submit: %s\n", e.msg);
            return -1;
        }
        http_req_cleanup(&r);
    }
    if (transport_run(t, &e) < 0) {
        fprintf(stderr, "run: %s\n", e.msg);
        return -1;
    }
    t1 = time_mono_ms();
    transport_get_stats(t, &after);
    printf("transport %-5s requests=%d ok=%d failed=%d wall_ms=%lld rtt=%ldms wall_rtt=%.2f "
           "connections_opened=%llu peak_in_flight=%d\n",
           label, n, c.ok, c.failed, (long long)(t1 - t0), latency_ms,
           (double)(t1 - t0) / (double)latency_ms,
           (unsigned long long)(after.connections - before.connections), after.peak_in_flight);
    return 0;
}

int main(int argc, char **argv)
{
    int64_t n64 = 500, lat64 = 50;
    struct testsrv srv;
    struct transport *t = NULL;
    struct transport_config cfg = {0};
    struct dr_err e;
    char host[64];
    int rc = 1, n;
    long latency;

    if ((argc > 1 && dr_parse_i64(argv[1], &n64) < 0) ||
        (argc > 2 && dr_parse_i64(argv[2], &lat64) < 0) || n64 < 1 || n64 > 5000 || lat64 < 1 ||
        lat64 > 10000) {
        fprintf(stderr, "usage: bench_transport [requests (1..5000) [latency_ms]]\n");
        return 2;
    }
    n = (int)n64;
    latency = (long)lat64;
    cfg.max_in_flight = n;
    cfg.max_per_host = n;
    if (testsrv_start(&srv) < 0) {
        fprintf(stderr, "cannot start the test server\n");
        return 1;
    }
    testsrv_host(&srv, host, sizeof(host));
    if (transport_new(&cfg, &t, &e) < 0) {
        fprintf(stderr, "transport_new: %s\n", e.msg);
        goto out;
    }
    if (round_trip(t, host, n, latency, "cold") < 0 || round_trip(t, host, n, latency, "warm") < 0)
        goto out;
    rc = 0;
out:
    transport_free(t);
    testsrv_stop(&srv);
    return rc;
}
