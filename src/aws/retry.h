/*
 * retry.h - the botocore "standard" retry mode and drover's adaptive
 * per-destination rate limiter.
 *
 * Standard mode: max attempts (AWS_MAX_ATTEMPTS, default 3), the same
 * throttling and transient error codes as botocore, HTTP 500/502/503/504
 * and 429, Retry-After honoured, exponential backoff with full jitter
 * capped at 20 s, and a retry quota (500 tokens; 5 per retry, 10 per
 * timeout retry, 1 refunded per success). This is botocore 1.43's
 * "standard" mode with AWS_NEW_RETRIES_2026 unset (its default); 429 and
 * Retry-After are drover additions.
 *
 * The rate limiter is botocore's adaptive (CUBIC) client rate limiter: a
 * token bucket whose fill rate falls on throttling and recovers on
 * success. drover keeps one per (account, region, service).
 * No global state: the caller owns every struct. Depends on core (err,
 * log, str, timeutil) only.
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

/*
 * Classifies a finished attempt, as botocore's StandardRetryConditions and
 * ThrottlingErrorDetector do. err is NULL on success (2xx); otherwise:
 *   err->code in the throttling list (PriorRequestNotComplete included) or
 *     HTTP 429 (a drover addition)                           -> RETRY_THROTTLE
 *   err->code in the transient list, IDPCommunicationError, HTTP
 *     500/502/503/504, DR_ETRANSPORT (no response)            -> RETRY_TRANSIENT
 *   DR_ETIMEOUT with no HTTP response (connect/read timeout)  -> RETRY_TIMEOUT
 *   anything else, DR_ENOMEM (response over the cap) included -> RETRY_NO
 * http_status 0 means "use err->http_status".
 */
enum retry_kind retry_classify(int http_status, const struct dr_err *err);
bool retry_is_throttle_code(const char *code);
bool retry_is_transient_code(const char *code);
/* True for retry kinds that should slow the rate limiter down. */
static inline bool retry_kind_is_throttle(enum retry_kind k)
{
    return k == RETRY_THROTTLE;
}

/*
 * The retry quota (botocore's RetryQuota + RetryQuotaChecker): one per
 * client/destination, shared by all its calls.
 */
#define RETRY_QUOTA_CAPACITY     500
#define RETRY_QUOTA_COST         5  /* a retry */
#define RETRY_QUOTA_TIMEOUT_COST 10 /* a retry after a timeout */
#define RETRY_QUOTA_NO_RETRY     1  /* refunded by a call that needed no retry */

struct retry_quota {
    int capacity;
    int available;
};
void retry_quota_init(struct retry_quota *q); /* 500 */
/*
 * Takes the cost of a retry of kind k (10 for RETRY_TIMEOUT, else 5).
 * False (and nothing taken) when not enough is left: do not retry then.
 */
bool retry_quota_acquire(struct retry_quota *q, enum retry_kind k);
/*
 * Call once when a call ends with a 2xx: retried_kind is the kind of the
 * last retry taken for it (RETRY_NO if it needed none). Refunds 1, or the
 * cost of that last retry, never above capacity. Calls that end in an
 * error refund nothing.
 */
void retry_quota_release(struct retry_quota *q, enum retry_kind retried_kind);

/* Max attempts from AWS_MAX_ATTEMPTS (an integer 1..20) or the default of 3. */
int retry_max_attempts_from_env(void);
/* The same for a given value (NULL or invalid: default, with a warning). */
int retry_max_attempts_parse(const char *value);

/* A small deterministic PRNG (xorshift64*) so jitter needs no global state. */
struct retry_rng {
    uint64_t s;
};
void retry_rng_seed(struct retry_rng *r, uint64_t seed);
double retry_rng_next(struct retry_rng *r); /* [0, 1) */

/*
 * botocore's standard ExponentialBackoff for a given random draw u in
 * [0, 1): u * min(2^(attempt-1), 20) seconds, in milliseconds (rounded
 * down). attempt is 1 for the first retry (botocore's attempt_number of
 * the attempt that failed).
 */
int64_t retry_backoff_ms(double u, int attempt);

/*
 * Delay before retry number `attempt` (1 = first retry): retry_backoff_ms
 * with a draw from r. A Retry-After value that parses (delta seconds, or
 * an HTTP date compared with now_ms, wall-clock epoch milliseconds)
 * replaces the jittered delay, clamped to 0..20 s. retry_after may be NULL.
 */
int64_t retry_delay_ms(struct retry_rng *r, int attempt, const char *retry_after, int64_t now_ms);

/*
 * botocore's adaptive-mode ClientRateLimiter: a TokenBucket (min rate 0.5
 * tokens/s), a RateClocker (0.5 s buckets, smoothing 0.8) and a
 * CubicCalculator (C = 0.4, beta = 0.7), with time injected. Times are
 * milliseconds of any monotonic clock; the first call starts the clocks
 * (botocore starts them when the client is created).
 */
struct ratelimit {
    bool started;
    bool enabled; /* becomes true on the first throttle */
    /* TokenBucket */
    double fill_rate; /* tokens per second (botocore's max_rate) */
    double max_capacity;
    double current_capacity; /* negative while acquirers wait for reserved tokens */
    double last_timestamp;   /* seconds */
    /* RateClocker */
    double measured_tx_rate;    /* requests per second, smoothed */
    double last_tx_rate_bucket; /* seconds */
    int request_count;
    /* CubicCalculator */
    double last_max_rate;      /* w_max */
    double last_throttle_time; /* seconds */
    double time_window;        /* k */
};
void ratelimit_init(struct ratelimit *rl);
/*
 * Call before sending. Takes a token (while enabled) and returns how many
 * milliseconds to wait before sending: 0 = send now. The token is reserved
 * even when the answer is > 0, so the caller waits that long and sends
 * without calling again; later callers queue behind it. botocore blocks
 * for the same time instead.
 */
int64_t ratelimit_acquire(struct ratelimit *rl, int64_t now_ms);
/*
 * Gives back the token a ratelimit_acquire that answered > 0 reserved, for
 * a caller that would rather wait a while and ask again: botocore's
 * waiters wake when the fill rate changes, and asking again is how a
 * waiter here sees a rate that grew (or fell) in the meantime.
 */
void ratelimit_unacquire(struct ratelimit *rl);
/* Call for every response (or transport failure), throttled or not. */
void ratelimit_update(struct ratelimit *rl, bool throttled, int64_t now_ms);

#endif
