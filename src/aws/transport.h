/*
 * transport.h - the HTTP transport: libcurl multi on one event loop, many
 * requests in flight, keep-alive reuse, caps on total and per-host
 * concurrency, connect and whole-request timeouts, AWS_CA_BUNDLE, and
 * timers on the same loop (used for retry backoff and polling).
 *
 * Single-threaded: every function must be called from the thread that
 * runs the loop. Callbacks run inside transport_run_once() and may submit
 * new requests and timers (they are never called from inside
 * transport_submit() or transport_timer()). transport_free() must not be
 * called from a callback.
 *
 * The request's headers are sent exactly as given: the transport adds no
 * Content-Type and no "Expect: 100-continue"; curl adds only Host (from
 * the URL, unless the request has one), Content-Length for bodies, and
 * an "Accept" header (any type) when the request has no Accept header.
 * Depends on libcurl, core, aws/http.h.
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
 * headers (names with their case as received, in order) and body (any
 * HTTP status, including 4xx/5xx). On failure resp is NULL and err says
 * what happened, naming the method and host (never the query or headers):
 *   DR_ETIMEOUT   the connect or whole-request timeout expired;
 *   DR_ETRANSPORT connection refused/reset, DNS, TLS, protocol errors;
 *   DR_ENOMEM     the response body exceeded max_response_bytes (not
 *                 worth retrying) or memory ran out.
 * resp and err are owned by the transport and valid only during the call.
 */
typedef void (*transport_cb)(void *ud, const struct http_response *resp, const struct dr_err *err);
typedef void (*transport_timer_cb)(void *ud);

int transport_new(const struct transport_config *cfg, struct transport **out, struct dr_err *err);
/* Cancels outstanding transfers and timers without calling callbacks. */
void transport_free(struct transport *t);

/*
 * Queues a request (copied; the caller keeps req). Requests beyond
 * max_in_flight wait in FIFO order. The callback is always called exactly
 * once, from transport_run_once(), unless transport_free() comes first.
 * Fails only on bad input (unknown scheme, empty host/method) or memory.
 */
int transport_submit(struct transport *t, const struct http_request *req, transport_cb cb, void *ud,
                     struct dr_err *err);
/*
 * Calls fn(ud) once, delay_ms (>= 0) from now, from inside the loop.
 * Timers due at the same time fire in the order they were added; a timer
 * added by a timer callback fires on a later pass, never in the same one.
 */
int transport_timer(struct transport *t, int64_t delay_ms, transport_timer_cb fn, void *ud,
                    struct dr_err *err);
/*
 * Runs the loop once: waits at most timeout_ms (less when a timer or curl
 * is due), moves transfers forward, then dispatches completions and due
 * timers. Fails only when curl's multi interface itself fails.
 */
int transport_run_once(struct transport *t, int timeout_ms, struct dr_err *err);
/* Runs until no transfer and no timer is pending. */
int transport_run(struct transport *t, struct dr_err *err);
/* Number of queued + in-flight transfers plus pending timers. */
size_t transport_pending(const struct transport *t);

struct transport_stats {
    uint64_t requests;            /* completed transfers */
    uint64_t failed;              /* of those, completed with an error (no response) */
    uint64_t connections;         /* new connections opened (the rest were reused) */
    uint64_t bytes_in, bytes_out; /* body bytes received / sent */
    int peak_in_flight;           /* most transfers handed to curl at once */
};
void transport_get_stats(const struct transport *t, struct transport_stats *out);

#endif
