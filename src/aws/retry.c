/*
 * retry.c - a port of botocore's retries/ package (standard.py, quota.py,
 * special.py, adaptive.py, bucket.py, throttling.py, botocore 1.43):
 * error classification, exponential backoff with full jitter, the retry
 * quota, and the adaptive CUBIC client rate limiter with injected time.
 *
 * Pure computation on caller-owned structs: no I/O except reading
 * AWS_MAX_ATTEMPTS, no clocks (time is passed in), no global state.
 * Depends on core only.
 */
#include "aws/retry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"

/* ThrottledRetryableChecker._THROTTLED_ERROR_CODES */
static const char *const throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

/* TransientRetryableChecker._TRANSIENT_ERROR_CODES, plus special.py's STS IDPCommunicationError */
static const char *const transient_codes[] = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "IDPCommunicationError",
};

static bool in_list(const char *code, const char *const *list, size_t n)
{
    size_t i;
    if (!code || !*code)
        return false;
    for (i = 0; i < n; i++) {
        if (strcmp(code, list[i]) == 0)
            return true;
    }
    return false;
}

bool retry_is_throttle_code(const char *code)
{
    return in_list(code, throttle_codes, sizeof(throttle_codes) / sizeof(throttle_codes[0]));
}

bool retry_is_transient_code(const char *code)
{
    return in_list(code, transient_codes, sizeof(transient_codes) / sizeof(transient_codes[0]));
}

/* TransientRetryableChecker._TRANSIENT_STATUS_CODES */
static bool transient_status(int st)
{
    return st == 500 || st == 502 || st == 503 || st == 504;
}

enum retry_kind retry_classify(int http_status, const struct dr_err *err)
{
    if (http_status == 0 && err)
        http_status = err->http_status;
    if (!err || err->status == DR_OK) {
        /* A bare status without a parsed error (the caller had nothing to parse). */
        if (http_status == 429)
            return RETRY_THROTTLE;
        return transient_status(http_status) ? RETRY_TRANSIENT : RETRY_NO;
    }
    if (retry_is_throttle_code(err->code))
        return RETRY_THROTTLE;
    if (retry_is_transient_code(err->code))
        return RETRY_TRANSIENT;
    if (http_status == 0) {
        /* No response at all: botocore's ConnectionError / HTTPClientError. */
        if (err->status == DR_ETIMEOUT)
            return RETRY_TIMEOUT;
        if (err->status == DR_ETRANSPORT)
            return RETRY_TRANSIENT;
        return RETRY_NO;
    }
    if (http_status == 429)
        return RETRY_THROTTLE;
    if (transient_status(http_status))
        return RETRY_TRANSIENT;
    return RETRY_NO;
}

/* ---- quota (quota.py, RetryQuotaChecker) ------------------------------ */

void retry_quota_init(struct retry_quota *q)
{
    q->capacity = RETRY_QUOTA_CAPACITY;
    q->available = RETRY_QUOTA_CAPACITY;
}

static int quota_cost(enum retry_kind k)
{
    return k == RETRY_TIMEOUT ? RETRY_QUOTA_TIMEOUT_COST : RETRY_QUOTA_COST;
}

bool retry_quota_acquire(struct retry_quota *q, enum retry_kind k)
{
    int cost = quota_cost(k);
    if (cost > q->available)
        return false;
    q->available -= cost;
    return true;
}

void retry_quota_release(struct retry_quota *q, enum retry_kind retried_kind)
{
    int amount = retried_kind == RETRY_NO ? RETRY_QUOTA_NO_RETRY : quota_cost(retried_kind);
    int room = q->capacity - q->available;
    q->available += amount < room ? amount : room;
}

/* ---- attempts ---------------------------------------------------------- */

int retry_max_attempts_parse(const char *value)
{
    int64_t n;
    if (!value)
        return RETRY_DEFAULT_ATTEMPTS;
    if (dr_parse_i64(value, &n) < 0 || n < 1 || n > 20) {
        log_at(LOG_WARN, "AWS_MAX_ATTEMPTS=\"%s\" is not an integer from 1 to 20; using %d", value,
               RETRY_DEFAULT_ATTEMPTS);
        return RETRY_DEFAULT_ATTEMPTS;
    }
    return (int)n;
}

int retry_max_attempts_from_env(void)
{
    return retry_max_attempts_parse(getenv("AWS_MAX_ATTEMPTS"));
}

/* ---- backoff (standard.py ExponentialBackoff) --------------------------- */

void retry_rng_seed(struct retry_rng *r, uint64_t seed)
{
    r->s = seed ? seed : 0x9E3779B97F4A7C15ull;
}

double retry_rng_next(struct retry_rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) * (1.0 / 9007199254740992.0);
}

int64_t retry_backoff_ms(double u, int attempt)
{
    double cap = RETRY_MAX_BACKOFF_MS / 1000.0, scale;
    if (attempt < 1)
        attempt = 1;
    if (u < 0)
        u = 0;
    if (u >= 1)
        u = 1;
    /* 2^(attempt-1) passes 20 at attempt 6; avoid huge exponents. */
    scale = attempt > 30 ? cap : fmin(pow(2.0, attempt - 1), cap);
    return (int64_t)(u * scale * 1000.0);
}

/* Retry-After: delta-seconds or an HTTP date. -1 when it does not parse. */
static int64_t parse_retry_after(const char *v, int64_t now_ms)
{
    struct str s;
    char *dup;
    int64_t secs, at;

    if (!v)
        return -1;
    s = str_trim(str_from(v));
    if (s.len == 0)
        return -1;
    dup = str_dup(s);
    if (!dup)
        return -1;
    if (dr_parse_i64(dup, &secs) == 0) {
        free(dup);
        if (secs < 0)
            return -1;
        return secs > RETRY_MAX_BACKOFF_MS / 1000 ? RETRY_MAX_BACKOFF_MS : secs * 1000;
    }
    if (time_parse_http(dup, &at) == 0) {
        free(dup);
        return at <= now_ms ? 0 : at - now_ms;
    }
    free(dup);
    return -1;
}

int64_t retry_delay_ms(struct retry_rng *r, int attempt, const char *retry_after, int64_t now_ms)
{
    int64_t ra = parse_retry_after(retry_after, now_ms);
    if (ra >= 0)
        return ra > RETRY_MAX_BACKOFF_MS ? RETRY_MAX_BACKOFF_MS : ra;
    return retry_backoff_ms(retry_rng_next(r), attempt);
}

/* ---- adaptive rate limiter (adaptive.py, bucket.py, throttling.py) ------ */

#define RL_MIN_RATE         0.5 /* TokenBucket._MIN_RATE */
#define RL_SMOOTHING        0.8 /* RateClocker._DEFAULT_SMOOTHING */
#define RL_BUCKET_SCALE     2.0 /* 1 / RateClocker._TIME_BUCKET_RANGE (0.5 s) */
#define RL_SCALE_CONSTANT   0.4 /* CubicCalculator._SCALE_CONSTANT */
#define RL_BETA             0.7 /* CubicCalculator._BETA */
#define RL_MAX_ADJUST_SCALE 2.0 /* ClientRateLimiter._MAX_RATE_ADJUST_SCALE */

void ratelimit_init(struct ratelimit *rl)
{
    memset(rl, 0, sizeof(*rl));
}

static void cubic_zero_point(struct ratelimit *rl)
{
    double scaled = (rl->last_max_rate * (1 - RL_BETA)) / RL_SCALE_CONSTANT;
    rl->time_window = pow(scaled, 1 / 3.0);
}

/* Everything botocore does when it creates the client's limiter. */
static void start(struct ratelimit *rl, double now)
{
    if (rl->started)
        return;
    rl->started = true;
    /* CubicCalculator(starting_max_rate=0, start_time=now) */
    rl->last_max_rate = 0;
    cubic_zero_point(rl);
    rl->last_throttle_time = now;
    /* RateClocker(clock): last bucket is floor(now), not a half-second bucket */
    rl->measured_tx_rate = 0;
    rl->last_tx_rate_bucket = floor(now);
    rl->request_count = 0;
    /* TokenBucket(max_rate=1): the max_rate setter's first refill stamps the time */
    rl->current_capacity = 0;
    rl->last_timestamp = now;
    rl->fill_rate = 1;
    rl->max_capacity = 1;
    rl->enabled = false;
}

static void refill(struct ratelimit *rl, double now)
{
    double dt = now - rl->last_timestamp, cap;
    if (dt < 0)
        dt = 0; /* a clock that went back adds nothing */
    cap = rl->current_capacity + dt * rl->fill_rate;
    rl->current_capacity = cap < rl->max_capacity ? cap : rl->max_capacity;
    rl->last_timestamp = now;
}

/* TokenBucket.max_rate setter */
static void set_max_rate(struct ratelimit *rl, double value, double now)
{
    refill(rl, now);
    rl->fill_rate = value > RL_MIN_RATE ? value : RL_MIN_RATE;
    rl->max_capacity = value >= 1 ? value : 1;
    if (rl->current_capacity > rl->max_capacity)
        rl->current_capacity = rl->max_capacity;
}

int64_t ratelimit_acquire(struct ratelimit *rl, int64_t now_ms)
{
    double now = (double)now_ms / 1000.0, wait;

    start(rl, now);
    if (!rl->enabled)
        return 0;
    refill(rl, now);
    if (rl->current_capacity >= 1) {
        rl->current_capacity -= 1;
        return 0;
    }
    /* TokenBucket._sleep_amount, with the token reserved now */
    wait = (1 - rl->current_capacity) / rl->fill_rate;
    rl->current_capacity -= 1;
    return (int64_t)ceil(wait * 1000.0);
}

void ratelimit_unacquire(struct ratelimit *rl)
{
    if (rl->enabled)
        rl->current_capacity += 1;
}

/* RateClocker.record */
static double clock_record(struct ratelimit *rl, double now)
{
    double bucket = floor(now * RL_BUCKET_SCALE) / RL_BUCKET_SCALE;
    rl->request_count++;
    if (bucket > rl->last_tx_rate_bucket) {
        double current = rl->request_count / (bucket - rl->last_tx_rate_bucket);
        rl->measured_tx_rate = current * RL_SMOOTHING + rl->measured_tx_rate * (1 - RL_SMOOTHING);
        rl->request_count = 0;
        rl->last_tx_rate_bucket = bucket;
    }
    return rl->measured_tx_rate;
}

void ratelimit_update(struct ratelimit *rl, bool throttled, int64_t now_ms)
{
    double now = (double)now_ms / 1000.0, measured, new_rate, cap;

    start(rl, now);
    measured = clock_record(rl, now);
    if (!throttled) {
        /* CubicCalculator.success_received */
        double dt = now - rl->last_throttle_time;
        new_rate = RL_SCALE_CONSTANT * pow(dt - rl->time_window, 3) + rl->last_max_rate;
    } else {
        double rate_to_use = measured;
        if (rl->enabled && rl->fill_rate < rate_to_use)
            rate_to_use = rl->fill_rate;
        /* CubicCalculator.error_received */
        rl->last_max_rate = rate_to_use;
        cubic_zero_point(rl);
        rl->last_throttle_time = now;
        new_rate = rate_to_use * RL_BETA;
        rl->enabled = true;
    }
    cap = RL_MAX_ADJUST_SCALE * measured;
    set_max_rate(rl, new_rate < cap ? new_rate : cap, now);
}
