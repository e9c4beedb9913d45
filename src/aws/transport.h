/*
 * transport.h - the HTTP transport: libcurl multi on one event loop, many
 * requests in flight, keep-alive reuse, caps on total and per-host
 * concurrency, connect and whole-request timeouts, AWS_CA_BUNDLE, and
 * timers on the same loop (used for retry backoff and polling).
 *
 * Single-threaded: every function must be called from the thread that
 * runs the loop. Callbacks run inside transport_run_once().
 * Depends on libcurl, core/, aws/http.h.
 */
#ifndef DROVER_AWS_TRANSPORT_H
#define DROVER_AWS_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "aws/http.h"
#include "core/err.h"

struct transport;

struct transport_config {
    int max_in_flight;         /* total concurrent transfers; 0 = 256 */
    int max_per_host;          /* concurrent connections per host; 0 = 64 */
    long connect_timeout_ms;   /* 0 = 5000 */
    long request_timeout_ms;   /* whole request; 0 = 60000 */
    const char *ca_bundle;     /* NULL = AWS_CA_BUNDLE if set, else system */
    size_t max_response_bytes; /* 0 = 64 MiB; larger bodies fail the request */
};

/*
 * Completion callback. On success err is NULL and resp holds the status,
 * headers and body (any HTTP status, including 4xx/5xx). On transport
 * failure resp is NULL and err says what happened (DR_ETRANSPORT or
 * DR_ETIMEOUT). resp is owned by the transport and valid only during the call.
 */
typedef void (*transport_cb)(void *ud, const struct http_response *resp, const struct dr_err *err);
typedef void (*transport_timer_cb)(void *ud);

int transport_new(const struct transport_config *cfg, struct transport **out, struct dr_err *err);
/* Cancels outstanding transfers and timers without calling callbacks. */
void transport_free(struct transport *t);

/* Queues a request (copied). Requests beyond max_in_flight wait in FIFO order. */
int transport_submit(struct transport *t, const struct http_request *req, transport_cb cb, void *ud,
                     struct dr_err *err);
/* Calls fn(ud) once, delay_ms from now, from inside the loop. */
int transport_timer(struct transport *t, int64_t delay_ms, transport_timer_cb fn, void *ud,
                    struct dr_err *err);
/* Runs the loop for at most timeout_ms (or until something completes). */
int transport_run_once(struct transport *t, int timeout_ms, struct dr_err *err);
/* Runs until no transfer and no timer is pending. */
int transport_run(struct transport *t, struct dr_err *err);
/* Number of queued + in-flight transfers plus pending timers. */
size_t transport_pending(const struct transport *t);

struct transport_stats {
    uint64_t requests;    /* completed transfers */
    uint64_t connections; /* new connections opened (the rest were reused) */
    uint64_t bytes_in, bytes_out;
    int peak_in_flight;
};
void transport_get_stats(const struct transport *t, struct transport_stats *out);

#endif
