/*
 * retry.h - the botocore "standard" retry mode and drover's adaptive
 * per-destination rate limiter.
 *
 * Standard mode: max attempts (AWS_MAX_ATTEMPTS, default 3), the same
 * throttling and transient error codes as botocore, HTTP 500/502/503/504
 * and 429, Retry-After honoured, exponential backoff with full jitter
 * capped at 20 s, and a retry quota (500 tokens; 5 per retry, 10 per
 * timeout retry, 1 refunded per success).
 *
 * The rate limiter is botocore's adaptive (CUBIC) client rate limiter: a
 * token bucket whose fill rate falls on throttling and recovers on
 * success. drover keeps one per (account, region, service).
 * No global state: the caller owns every struct. Depends on core/err.
 */
#ifndef DROVER_AWS_RETRY_H
#define DROVER_AWS_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define RETRY_MAX_BACKOFF_MS   20000
#define RETRY_DEFAULT_ATTEMPTS 3

enum retry_kind {
    RETRY_NO = 0,        /* success or a non-retryable error */
    RETRY_THROTTLE = 1,  /* throttling: retry, and tell the rate limiter */
    RETRY_TRANSIENT = 2, /* 5xx, transient codes, connection errors */
    RETRY_TIMEOUT = 3    /* a request timeout (costs more quota) */
};

/* Classifies a finished attempt. err is NULL on success (2xx). */
enum retry_kind retry_classify(int http_status, const struct dr_err *err);
bool retry_is_throttle_code(const char *code);
bool retry_is_transient_code(const char *code);

struct retry_quota {
    int capacity;
    int available;
};
void retry_quota_init(struct retry_quota *q); /* 500 */
/* Takes the cost of a retry of that kind. False when the quota is empty. */
bool retry_quota_acquire(struct retry_quota *q, enum retry_kind k);
/* Refunds after a successful attempt (1, or the cost taken for a retried one). */
void retry_quota_release(struct retry_quota *q, enum retry_kind retried_kind);

/* Max attempts from AWS_MAX_ATTEMPTS (1..20) or the default of 3. */
int retry_max_attempts_from_env(void);

/* A small deterministic PRNG (xorshift64*) so jitter needs no global state. */
struct retry_rng {
    uint64_t s;
};
void retry_rng_seed(struct retry_rng *r, uint64_t seed);
double retry_rng_next(struct retry_rng *r); /* [0, 1) */

/*
 * Delay before retry number `attempt` (1 = first retry): full jitter as
 * botocore's standard mode computes it (random * base * 2^(attempt-1),
 * base 1 s, capped at 20 s). A Retry-After header value (delta seconds or
 * an HTTP date) that parses replaces the jittered delay, capped at 20 s.
 */
int64_t retry_delay_ms(struct retry_rng *r, int attempt, const char *retry_after, int64_t now_ms);

struct ratelimit {
    /* CUBIC state, as in botocore's adaptive mode */
    double fill_rate; /* tokens per second */
    double max_capacity;
    double current_capacity;
    double last_timestamp; /* seconds */
    double measured_tx_rate;
    double last_tx_rate_bucket;
    int request_count;
    double last_max_rate;
    double last_throttle_time;
    double time_window;
    bool enabled; /* becomes true on the first throttle */
};
void ratelimit_init(struct ratelimit *rl);
/* Milliseconds to wait before sending (0 = send now; a token is taken). */
int64_t ratelimit_acquire(struct ratelimit *rl, int64_t now_ms);
/* Feeds back the result of a sent request. */
void ratelimit_update(struct ratelimit *rl, bool throttled, int64_t now_ms);

#endif
