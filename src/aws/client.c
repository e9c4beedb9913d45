/*
 * client.c - the AWS client: ties credentials, endpoints, the protocol
 * marshallers, SigV4, retries, rate limiting and the transport together
 * as a state machine per call, driven by transport completions and timers.
 *
 * A call moves through: resolve credentials (base chain, then each role
 * step via the shared cred_cache, issuing one STS AssumeRole per missing
 * role and parking concurrent callers as waiters) -> wait for the
 * destination's rate limiter -> build, sign and send -> parse -> either
 * finish or schedule a retry (jittered backoff or Retry-After) that goes
 * back to the start, so retried attempts are re-signed with fresh time and
 * fresh credentials.
 */
#include "aws/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/endpoints.h"
#include "aws/model.h"
#include "aws/protocol.h"
#include "aws/retry.h"
#include "aws/sigv4.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "core/str.h"
#include "core/strmap.h"
#include "core/timeutil.h"

#define USER_AGENT "drover/" DROVER_VERSION
/* A call the rate limiter would hold longer than this asks it again then. */
#define RL_RECHECK_MS 250

/* Per destination (account or credential identity, region, service). */
struct dest {
    struct ratelimit rl;
    struct retry_quota quota;
};

struct aws_client {
    struct aws_client_config cfg;
    char *region;
    char *profile;
    char *endpoint_url;
    struct transport *tp;
    struct cred_cache *cache;
    struct awscfg *awscfg;
    struct cred_plan plan;
    bool plan_ready;
    struct aws_creds base; /* resolved base credentials */
    struct strmap dests;   /* rate key -> struct dest */
    struct retry_rng rng;
    int max_attempts;
    size_t pending;
    struct aws_client_stats stats;
};

struct call {
    struct aws_client *c;
    const struct aws_service_model *svc;
    const struct aws_op_model *op;
    struct aws_service_info info;
    json_t *input;
    char *region;
    char *sts_region;        /* AssumeRole region for the role steps, or NULL */
    struct cred_role *roles; /* profile chain + request roles (copies) */
    size_t nroles;
    size_t role_idx; /* next role step to resolve */
    bool explicit_creds;
    struct aws_creds creds; /* identity resolved so far */
    struct dest *dest;
    int attempt;    /* attempts made */
    bool rl_waited; /* the rate limiter's token for this attempt was taken */
    enum retry_kind retried_kind;
    aws_done_cb cb;
    void *ud;
    char *fill_key;      /* internal AssumeRole: the cache key it fills */
    struct call *waiter; /* internal AssumeRole: the call to resume */
    int64_t t0;
};

static const char *env_get(const struct aws_client *c, const char *name)
{
    return c->cfg.getenv_fn ? c->cfg.getenv_fn(name) : getenv(name);
}

static char *dup_opt(const char *s)
{
    return s ? strdup(s) : NULL;
}

int aws_client_new(const struct aws_client_config *cfg, struct aws_client **out, struct dr_err *err)
{
    struct aws_client *c = calloc(1, sizeof(*c));
    struct transport_config tc;
    const char *v;
    uint64_t seed;
    int rc;

    if (!c)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    if (cfg)
        c->cfg = *cfg;
    c->region = dup_opt(c->cfg.region && *c->cfg.region ? c->cfg.region : NULL);
    c->profile = dup_opt(c->cfg.profile && *c->cfg.profile ? c->cfg.profile : NULL);
    c->endpoint_url =
        dup_opt(c->cfg.endpoint_url && *c->cfg.endpoint_url ? c->cfg.endpoint_url : NULL);
    c->cfg.region = c->region;
    c->cfg.profile = c->profile;
    c->cfg.endpoint_url = c->endpoint_url;
    strmap_init(&c->dests);
    memset(&tc, 0, sizeof(tc));
    tc.max_in_flight = c->cfg.max_in_flight;
    tc.max_per_host = c->cfg.max_per_host;
    tc.connect_timeout_ms = c->cfg.connect_timeout_ms;
    tc.request_timeout_ms = c->cfg.request_timeout_ms;
    rc = transport_new(&tc, &c->tp, err);
    if (rc < 0)
        goto fail;
    c->cache = cred_cache_new();
    if (!c->cache) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto fail;
    }
    c->max_attempts = c->cfg.max_attempts > 0 ? c->cfg.max_attempts : 0;
    if (!c->max_attempts) {
        int64_t n;
        v = env_get(c, "AWS_MAX_ATTEMPTS");
        c->max_attempts = RETRY_DEFAULT_ATTEMPTS;
        if (v && *v) {
            if (dr_parse_i64(v, &n) < 0 || n < 1 || n > 50) {
                rc = dr_err_set(err, DR_EINVAL,
                                "AWS_MAX_ATTEMPTS must be an integer from 1 to 50, not '%s'", v);
                goto fail;
            }
            c->max_attempts = (int)n;
        }
    }
    seed = c->cfg.seed;
    if (!seed && crypto_random(&seed, sizeof(seed), err) < 0) {
        rc = -DR_EINTERNAL;
        goto fail;
    }
    retry_rng_seed(&c->rng, seed ? seed : 1);
    *out = c;
    return 0;
fail:
    aws_client_free(c);
    return rc;
}

static void free_dest(void *p)
{
    free(p);
}

void aws_client_free(struct aws_client *c)
{
    if (!c)
        return;
    if (c->tp)
        transport_free(c->tp);
    if (c->cache)
        cred_cache_free(c->cache);
    if (c->awscfg)
        awscfg_free(c->awscfg);
    if (c->plan_ready)
        cred_plan_cleanup(&c->plan);
    aws_creds_cleanup(&c->base);
    strmap_cleanup(&c->dests, free_dest);
    free(c->region);
    free(c->profile);
    free(c->endpoint_url);
    free(c);
}

const char *aws_client_region(const struct aws_client *c)
{
    if (c->region)
        return c->region;
    if (c->plan_ready && c->plan.region)
        return c->plan.region;
    return NULL;
}

/* Loads the shared config and resolves the credential plan once. */
static int ensure_plan(struct aws_client *c, struct dr_err *err)
{
    struct cred_env env = {c->cfg.getenv_fn, c->profile};
    int rc;

    if (c->plan_ready)
        return 0;
    if (!c->awscfg && (rc = awscfg_load(&env, &c->awscfg, err)) < 0)
        return rc;
    memset(&c->plan, 0, sizeof(c->plan));
    rc = cred_plan_resolve(&env, c->awscfg, &c->plan, err);
    if (rc < 0)
        return rc;
    c->plan_ready = true;
    if (!c->region && c->plan.region)
        c->region = strdup(c->plan.region);
    return 0;
}

/* The base credentials of the chain, refreshed when they expire. */
static int base_creds(struct aws_client *c, struct aws_creds *out, struct dr_err *err)
{
    int64_t now = time_now_ms();
    int rc = 0;

    if ((rc = ensure_plan(c, err)) < 0)
        return rc;
    if (!aws_creds_valid(&c->base, now, CRED_REFRESH_MARGIN_MS)) {
        struct cred_env env = {c->cfg.getenv_fn, c->profile};
        struct aws_creds fresh;

        memset(&fresh, 0, sizeof(fresh));
        switch (c->plan.kind) {
        case CRED_SRC_ENV:
        case CRED_SRC_PROFILE:
            rc = aws_creds_copy(&fresh, &c->plan.base, err);
            break;
        case CRED_SRC_PROCESS:
            rc = cred_process_run(c->plan.process_cmd, &fresh, err);
            break;
        case CRED_SRC_IMDS:
            rc = cred_imds_fetch(&env, NULL, 1000, &fresh, err);
            if (rc < 0) {
                dr_err_prefix(err, "no credentials found (environment, shared config files "
                                   "and instance metadata were tried): ");
                if (err)
                    err->status = DR_ECRED;
                rc = -DR_ECRED;
            }
            break;
        }
        if (rc < 0) {
            aws_creds_cleanup(&fresh);
            return rc;
        }
        aws_creds_cleanup(&c->base);
        c->base = fresh;
    }
    return aws_creds_copy(out, &c->base, err);
}

static void call_free(struct call *k)
{
    size_t i;

    json_decref(k->input);
    free(k->region);
    free(k->sts_region);
    for (i = 0; i < k->nroles; i++)
        cred_role_cleanup(&k->roles[i]);
    free(k->roles);
    aws_creds_cleanup(&k->creds);
    free(k->fill_key);
    free(k);
}

static void call_finish(struct call *k, json_t *out, const struct dr_err *err)
{
    struct aws_client *c = k->c;
    aws_done_cb cb = k->cb;
    void *ud = k->ud;

    c->pending--;
    c->stats.calls++;
    if (err) {
        log_at(LOG_DEBUG, "%s.%s in %s failed after %d attempt(s): %s%s%s", k->info.name,
               aws_model_op_name(k->op), k->region ? k->region : "-", k->attempt,
               err->code[0] ? err->code : "", err->code[0] ? ": " : "", err->msg);
    }
    call_free(k);
    cb(ud, out, err);
}

static void call_fail(struct call *k, const struct dr_err *err)
{
    call_finish(k, NULL, err);
}

static void call_fail_msg(struct call *k, enum dr_status st, const char *msg)
{
    struct dr_err e;
    dr_err_clear(&e);
    dr_err_set(&e, st, "%s", msg);
    call_fail(k, &e);
}

/* The destination key: the account of the last role (or the base access
 * key), the region and the signing service. */
static struct dest *dest_for(struct call *k)
{
    struct aws_client *c = k->c;
    struct buf key;
    struct dest *d;
    const char *who = "base";
    struct arn a;

    if (k->nroles && arn_parse(k->roles[k->nroles - 1].role_arn, &a, NULL) == 0)
        who = a.account;
    else if (k->explicit_creds && k->creds.access_key_id)
        who = k->creds.access_key_id;
    buf_init(&key, 1024);
    if (buf_addf(&key, "%s/%s/%s", who, k->region ? k->region : "-", k->info.signing_name) < 0) {
        buf_cleanup(&key);
        return NULL;
    }
    d = strmap_get(&c->dests, key.p);
    if (!d) {
        d = calloc(1, sizeof(*d));
        if (d) {
            ratelimit_init(&d->rl);
            retry_quota_init(&d->quota);
            if (strmap_put(&c->dests, key.p, d, NULL) < 0) {
                free(d);
                d = NULL;
            }
        }
    }
    buf_cleanup(&key);
    return d;
}

static void call_resolve(struct call *k);
static void call_send(struct call *k);

static int call_start_internal(struct aws_client *c, struct call *k);

/* Resumes a call parked on a cache entry that another call was filling. */
static void on_cred_ready(void *ud, const struct aws_creds *creds, const struct dr_err *err)
{
    struct call *k = ud;
    struct dr_err e;

    if (err) {
        dr_err_copy(&e, err);
        dr_err_prefix(&e, "assuming %s: ", k->roles[k->role_idx].role_arn);
        call_fail(k, &e);
        return;
    }
    dr_err_clear(&e);
    if (aws_creds_copy(&k->creds, creds, &e) < 0) {
        call_fail(k, &e);
        return;
    }
    k->role_idx++;
    call_resolve(k);
}

/* Completion of an internal STS AssumeRole call that fills a cache entry. */
static void on_assumed(void *ud, json_t *out, const struct dr_err *err)
{
    struct call *k = ud; /* the internal call was freed; ud is the waiting call */
    struct aws_client *c = k->c;
    struct aws_creds creds;
    struct dr_err e;
    char key[CRED_CACHE_KEY_MAX];

    memset(&creds, 0, sizeof(creds));
    dr_err_clear(&e);
    if (cred_cache_key(k->creds.access_key_id, &k->roles[k->role_idx], key, sizeof(key)) < 0) {
        json_decref(out);
        call_fail_msg(k, DR_EINTERNAL, "credential cache key too long");
        return;
    }
    if (err) {
        dr_err_copy(&e, err);
        cred_cache_complete(c->cache, key, NULL, &e);
        json_decref(out);
        on_cred_ready(k, NULL, &e);
        return;
    }
    if (cred_from_assume_output(out, &creds, &e) < 0) {
        cred_cache_complete(c->cache, key, NULL, &e);
        json_decref(out);
        on_cred_ready(k, NULL, &e);
        return;
    }
    json_decref(out);
    creds.source = "assume-role";
    cred_cache_complete(c->cache, key, &creds, NULL);
    on_cred_ready(k, &creds, NULL);
    aws_creds_cleanup(&creds);
}

/* Issues STS AssumeRole for k->roles[k->role_idx] with k's current creds. */
static void start_assume(struct call *k)
{
    struct aws_client *c = k->c;
    struct call *a = calloc(1, sizeof(*a));
    struct dr_err e;

    dr_err_clear(&e);
    if (!a) {
        call_fail_msg(k, DR_ENOMEM, "out of memory");
        return;
    }
    a->c = c;
    a->svc = aws_model_service("sts");
    a->op = a->svc ? aws_model_op(a->svc, "AssumeRole") : NULL;
    if (!a->op) {
        free(a);
        call_fail_msg(k, DR_EINTERNAL, "the STS AssumeRole model is missing");
        return;
    }
    aws_model_service_info(a->svc, &a->info);
    a->input = cred_role_assume_input(&k->roles[k->role_idx], time_now_ms());
    a->region = dup_opt(k->sts_region ? k->sts_region
                        : k->region   ? k->region
                                      : aws_client_region(c));
    a->explicit_creds = true;
    if (!a->input || aws_creds_copy(&a->creds, &k->creds, &e) < 0) {
        call_free(a);
        call_fail_msg(k, DR_ENOMEM, "out of memory");
        return;
    }
    a->cb = on_assumed;
    a->ud = k;
    c->stats.assume_role++;
    log_at(LOG_DEBUG, "assuming role %s", k->roles[k->role_idx].role_arn);
    call_start_internal(c, a);
}

/* Credential resolution: base, then each role step through the cache. */
static void call_resolve(struct call *k)
{
    struct aws_client *c = k->c;
    struct dr_err e;

    dr_err_clear(&e);
    if (!k->creds.access_key_id) {
        if (base_creds(c, &k->creds, &e) < 0) {
            call_fail(k, &e);
            return;
        }
    }
    while (k->role_idx < k->nroles) {
        char key[CRED_CACHE_KEY_MAX];
        struct aws_creds hit;
        enum cred_lookup r;

        memset(&hit, 0, sizeof(hit));
        if (cred_cache_key(k->creds.access_key_id, &k->roles[k->role_idx], key, sizeof(key)) < 0) {
            call_fail_msg(k, DR_EINTERNAL, "credential cache key too long");
            return;
        }
        r = cred_cache_lookup(c->cache, key, time_now_ms(), &hit, on_cred_ready, k);
        if (r == CRED_WAIT)
            return;
        if (r == CRED_ERROR) {
            call_fail_msg(k, DR_ENOMEM, "out of memory in the credential cache");
            return;
        }
        if (r == CRED_FETCH) {
            start_assume(k);
            return;
        }
        aws_creds_cleanup(&k->creds);
        k->creds = hit;
        k->role_idx++;
    }
    if (!k->dest)
        k->dest = dest_for(k);
    call_send(k);
}

static void on_retry_timer(void *ud)
{
    struct call *k = ud;
    /* re-resolve: cheap on a cache hit, and picks up refreshed credentials */
    if (!k->explicit_creds) {
        aws_creds_cleanup(&k->creds);
        k->role_idx = 0;
    }
    call_resolve(k);
}

static void on_send_timer(void *ud)
{
    call_send(ud);
}

static void on_response(void *ud, const struct http_response *resp, const struct dr_err *terr)
{
    struct call *k = ud;
    struct aws_client *c = k->c;
    json_t *out = NULL;
    struct dr_err e;
    enum retry_kind kind;
    int rc = 0, status = resp ? resp->status : 0;
    int64_t now = time_now_ms();

    dr_err_clear(&e);
    if (terr) {
        dr_err_copy(&e, terr);
        rc = -(int)terr->status;
    } else {
        rc = aws_proto_parse(k->svc, k->op, resp, &out, &e);
    }
    kind = retry_classify(status, rc < 0 ? &e : NULL);
    if (k->dest && !c->cfg.no_adaptive)
        ratelimit_update(&k->dest->rl, kind == RETRY_THROTTLE, now);
    if (kind == RETRY_THROTTLE)
        c->stats.throttled++;
    log_at(LOG_DEBUG, "%s.%s %s attempt %d: HTTP %d%s%s (%lld ms)", k->info.name,
           aws_model_op_name(k->op), k->region ? k->region : "-", k->attempt, status,
           rc < 0 ? " " : "", rc < 0 ? (e.code[0] ? e.code : e.msg) : "", (long long)(now - k->t0));
    if (rc == 0) {
        if (k->dest)
            retry_quota_release(&k->dest->quota, k->retried_kind);
        call_finish(k, out, NULL);
        return;
    }
    if (kind != RETRY_NO && k->attempt < c->max_attempts && k->dest &&
        retry_quota_acquire(&k->dest->quota, kind)) {
        const char *ra = resp ? http_headers_get(&resp->headers, "Retry-After") : NULL;
        int64_t delay = retry_delay_ms(&c->rng, k->attempt, ra, now);
        struct dr_err te;

        dr_err_clear(&te);
        k->retried_kind = kind;
        c->stats.retries++;
        log_at(LOG_INFO, "%s.%s in %s: %s; retry %d in %lld ms", k->info.name,
               aws_model_op_name(k->op), k->region ? k->region : "-", e.code[0] ? e.code : e.msg,
               k->attempt, (long long)delay);
        if (transport_timer(c->tp, delay, on_retry_timer, k, &te) == 0)
            return;
    }
    call_fail(k, &e);
}

static void call_send(struct call *k)
{
    struct aws_client *c = k->c;
    struct endpoint ep;
    struct endpoint_config ec = {c->endpoint_url, c->cfg.getenv_fn};
    struct http_request req;
    struct sigv4_params sp;
    struct dr_err e;
    int64_t wait;
    int rc;

    dr_err_clear(&e);
    /* ratelimit_acquire takes a token and says how long to wait before using it */
    if (k->dest && !c->cfg.no_adaptive && !k->rl_waited) {
        wait = ratelimit_acquire(&k->dest->rl, time_now_ms());
        if (wait > RL_RECHECK_MS) {
            /* a long wait was computed at today's rate: ask again soon */
            ratelimit_unacquire(&k->dest->rl);
            if (transport_timer(c->tp, RL_RECHECK_MS, on_send_timer, k, &e) < 0)
                call_fail(k, &e);
            return;
        }
        if (wait > 0) {
            k->rl_waited = true;
            if (transport_timer(c->tp, wait, on_send_timer, k, &e) < 0)
                call_fail(k, &e);
            return;
        }
    }
    if (!k->region && !k->info.global) {
        call_fail_msg(k, DR_EINVAL,
                      "no region: pass --region or set AWS_REGION (or region in the profile)");
        return;
    }
    rc = endpoint_resolve(&ec, k->info.endpoint_prefix, k->info.env_name, k->info.signing_name,
                          k->region ? k->region : "us-east-1", &ep, &e);
    if (rc < 0) {
        call_fail(k, &e);
        return;
    }
    rc = http_req_init(&req, "POST", ep.scheme, ep.host, ep.base_path[0] ? ep.base_path : "/", "",
                       &e);
    if (rc < 0) {
        call_fail(k, &e);
        return;
    }
    rc = aws_proto_build(k->svc, k->op, k->input, &req, &e);
    if (rc == 0) {
        memset(&sp, 0, sizeof(sp));
        sp.region = ep.signing_region;
        sp.service = ep.signing_name;
        sp.now = time(NULL);
        sp.creds = &k->creds;
        rc = sigv4_sign(&req, &sp, NULL, &e);
    }
    /* like the SDKs, User-Agent is not signed (proxies may rewrite it) */
    if (rc == 0 && http_headers_add(&req.headers, "User-Agent", USER_AGENT) < 0)
        rc = dr_err_set(&e, DR_ENOMEM, "out of memory");
    k->rl_waited = false;
    if (rc == 0) {
        k->attempt++;
        c->stats.attempts++;
        k->t0 = time_now_ms();
        rc = transport_submit(c->tp, &req, on_response, k, &e);
    }
    http_req_cleanup(&req);
    if (rc < 0)
        call_fail(k, &e);
}

static int call_start_internal(struct aws_client *c, struct call *k)
{
    struct dr_err e;

    /* defer to the loop so callbacks never run inside aws_call_start */
    c->pending++;
    dr_err_clear(&e);
    if (transport_timer(c->tp, 0, on_retry_timer, k, &e) < 0) {
        call_fail(k, &e);
        return -1;
    }
    return 0;
}

static int roles_copy(struct call *k, const struct cred_role *a, size_t na,
                      const struct cred_role *b, size_t nb, struct dr_err *err)
{
    size_t i;

    if (na + nb == 0)
        return 0;
    k->roles = calloc(na + nb, sizeof(*k->roles));
    if (!k->roles)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    for (i = 0; i < na + nb; i++) {
        if (cred_role_copy(&k->roles[i], i < na ? &a[i] : &b[i - na], err) < 0)
            return -DR_ENOMEM;
        k->nroles++;
    }
    return 0;
}

int aws_call_start(struct aws_client *c, const struct aws_call_req *r, aws_done_cb cb, void *ud,
                   struct dr_err *err)
{
    struct call *k;
    int rc;

    if (!r->creds && (rc = ensure_plan(c, err)) < 0)
        return rc;
    k = calloc(1, sizeof(*k));
    if (!k)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    k->c = c;
    k->cb = cb;
    k->ud = ud;
    k->svc = aws_model_service(r->service);
    if (!k->svc) {
        free(k);
        return dr_err_set(err, DR_EINVAL, "unknown service '%s'", r->service);
    }
    aws_model_service_info(k->svc, &k->info);
    k->op = aws_model_op(k->svc, r->operation);
    if (!k->op) {
        rc = dr_err_set(err, DR_EINVAL, "unknown operation '%s' for service '%s'", r->operation,
                        k->info.name);
        free(k);
        return rc;
    }
    k->input = r->input ? json_deep_copy(r->input) : json_object();
    k->region = dup_opt(r->region && *r->region ? r->region : aws_client_region(c));
    k->sts_region = dup_opt(r->sts_region && *r->sts_region ? r->sts_region : NULL);
    if (!k->input || (r->sts_region && *r->sts_region && !k->sts_region)) {
        call_free(k);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    if (r->creds) {
        k->explicit_creds = true;
        if ((rc = aws_creds_copy(&k->creds, r->creds, err)) < 0) {
            call_free(k);
            return rc;
        }
    } else if ((rc = roles_copy(k, c->plan.roles, c->plan.nroles, r->roles, r->nroles, err)) < 0) {
        call_free(k);
        return rc;
    }
    return call_start_internal(c, k) < 0 ? -DR_EINTERNAL : 0;
}

int aws_client_run_once(struct aws_client *c, int timeout_ms, struct dr_err *err)
{
    return transport_run_once(c->tp, timeout_ms, err);
}

int aws_client_run(struct aws_client *c, struct dr_err *err)
{
    while (transport_pending(c->tp) > 0 || c->pending > 0) {
        int rc = transport_run_once(c->tp, 1000, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

size_t aws_client_pending(const struct aws_client *c)
{
    return c->pending;
}

int aws_client_timer(struct aws_client *c, int64_t delay_ms, transport_timer_cb fn, void *ud,
                     struct dr_err *err)
{
    return transport_timer(c->tp, delay_ms, fn, ud, err);
}

void aws_client_get_stats(const struct aws_client *c, struct aws_client_stats *out)
{
    *out = c->stats;
    transport_get_stats(c->tp, &out->transport);
}

/* ---- synchronous wrappers ---- */

struct sync_state {
    bool done;
    json_t *out;
    struct dr_err err;
};

static void sync_done(void *ud, json_t *out, const struct dr_err *err)
{
    struct sync_state *s = ud;
    s->done = true;
    s->out = out;
    if (err)
        dr_err_copy(&s->err, err);
}

static int run_until(struct aws_client *c, bool *done, struct dr_err *err)
{
    while (!*done) {
        int rc = transport_run_once(c->tp, 1000, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int aws_call(struct aws_client *c, const struct aws_call_req *r, json_t **out, struct dr_err *err)
{
    struct sync_state s;
    int rc;

    memset(&s, 0, sizeof(s));
    rc = aws_call_start(c, r, sync_done, &s, err);
    if (rc < 0)
        return rc;
    rc = run_until(c, &s.done, err);
    if (rc < 0) {
        json_decref(s.out);
        return rc;
    }
    if (!s.out) {
        dr_err_copy(err, &s.err);
        return -(int)(s.err.status ? s.err.status : DR_EINTERNAL);
    }
    *out = s.out;
    return 0;
}

/* ---- pagination ---- */

struct pager {
    struct aws_client *c;
    struct aws_call_req req;
    char *service, *operation, *region, *sts_region;
    json_t *input;
    struct cred_role *roles;
    size_t nroles;
    struct aws_creds creds;
    bool has_creds;
    struct aws_paginator pg;
    aws_page_cb cb;
    void *ud;
    int pages;
};

static void pager_free(struct pager *p)
{
    size_t i;
    free(p->service);
    free(p->operation);
    free(p->region);
    free(p->sts_region);
    json_decref(p->input);
    for (i = 0; i < p->nroles; i++)
        cred_role_cleanup(&p->roles[i]);
    free(p->roles);
    aws_creds_cleanup(&p->creds);
    free(p);
}

/* Looks up a possibly dotted path ("a.b") in obj. Borrowed. */
static json_t *get_path(json_t *obj, const char *path)
{
    char part[128];
    const char *p = path;

    while (obj && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof(part))
            return NULL;
        memcpy(part, p, n);
        part[n] = '\0';
        obj = json_is_object(obj) ? json_object_get(obj, part) : NULL;
        p = dot ? dot + 1 : p + n;
    }
    return obj;
}

static void pager_page(void *ud, json_t *out, const struct dr_err *err);

static int pager_next(struct pager *p, struct dr_err *err)
{
    p->req.input = p->input;
    return aws_call_start(p->c, &p->req, pager_page, p, err);
}

static void pager_page(void *ud, json_t *out, const struct dr_err *err)
{
    struct pager *p = ud;
    json_t *tok;
    bool stop = false, last;
    struct dr_err e;

    p->pages++;
    if (err) {
        p->cb(p->ud, NULL, err, true, &stop);
        pager_free(p);
        return;
    }
    tok = get_path(out, p->pg.output_token);
    last = !json_is_string(tok) || json_string_length(tok) == 0;
    if (!last) {
        /* a service that repeats the token it was given would loop forever */
        const char *prev = json_str_borrow(p->input, p->pg.input_token);
        if (prev && strcmp(prev, json_string_value(tok)) == 0)
            last = true;
        else
            json_object_set_new(p->input, p->pg.input_token, json_string(json_string_value(tok)));
    }
    p->cb(p->ud, out, NULL, last, &stop);
    if (last || stop) {
        pager_free(p);
        return;
    }
    dr_err_clear(&e);
    if (pager_next(p, &e) < 0) {
        p->cb(p->ud, NULL, &e, true, &stop);
        pager_free(p);
    }
}

int aws_paginate_start(struct aws_client *c, const struct aws_call_req *r, int page_size,
                       aws_page_cb cb, void *ud, struct dr_err *err)
{
    const struct aws_service_model *svc = aws_model_service(r->service);
    const struct aws_op_model *op = svc ? aws_model_op(svc, r->operation) : NULL;
    struct pager *p;
    size_t i;
    int rc;

    if (!svc)
        return dr_err_set(err, DR_EINVAL, "unknown service '%s'", r->service);
    if (!op)
        return dr_err_set(err, DR_EINVAL, "unknown operation '%s' for service '%s'", r->operation,
                          r->service);
    p = calloc(1, sizeof(*p));
    if (!p)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    if (!aws_model_op_paginator(op, &p->pg)) {
        free(p);
        return dr_err_set(err, DR_EINVAL, "%s %s does not paginate", r->service, r->operation);
    }
    p->c = c;
    p->cb = cb;
    p->ud = ud;
    p->service = strdup(r->service);
    p->operation = strdup(r->operation);
    p->region = dup_opt(r->region);
    p->sts_region = dup_opt(r->sts_region);
    p->input = r->input ? json_deep_copy(r->input) : json_object();
    if (!p->service || !p->operation || !p->input || (r->region && !p->region) ||
        (r->sts_region && !p->sts_region))
        goto nomem;
    if (page_size > 0 && p->pg.limit_key)
        json_object_set_new(p->input, p->pg.limit_key, json_integer(page_size));
    if (r->nroles) {
        p->roles = calloc(r->nroles, sizeof(*p->roles));
        if (!p->roles)
            goto nomem;
        for (i = 0; i < r->nroles; i++) {
            if (cred_role_copy(&p->roles[i], &r->roles[i], err) < 0)
                goto nomem;
            p->nroles++;
        }
    }
    if (r->creds) {
        if (aws_creds_copy(&p->creds, r->creds, err) < 0)
            goto nomem;
        p->has_creds = true;
    }
    p->req.service = p->service;
    p->req.operation = p->operation;
    p->req.region = p->region;
    p->req.sts_region = p->sts_region;
    p->req.roles = p->roles;
    p->req.nroles = p->nroles;
    p->req.creds = p->has_creds ? &p->creds : NULL;
    rc = pager_next(p, err);
    if (rc < 0)
        pager_free(p);
    return rc;
nomem:
    pager_free(p);
    return dr_err_set(err, DR_ENOMEM, "out of memory");
}

struct all_state {
    bool done;
    json_t *merged;
    const char *result_key;
    const char *output_token;
    struct dr_err err;
    bool failed;
};

static void all_page(void *ud, json_t *page, const struct dr_err *err, bool last, bool *stop)
{
    struct all_state *s = ud;

    (void)stop;
    if (err) {
        dr_err_copy(&s->err, err);
        s->failed = true;
    } else if (!s->merged) {
        s->merged = page;
        page = NULL;
    } else {
        json_t *dst = json_object_get(s->merged, s->result_key);
        json_t *src = json_object_get(page, s->result_key);
        if (json_is_array(dst) && json_is_array(src))
            json_array_extend(dst, src);
        else if (!dst && src)
            json_object_set(s->merged, s->result_key, src);
    }
    json_decref(page);
    if (last) {
        s->done = true;
        if (s->merged && s->output_token && !strchr(s->output_token, '.'))
            json_object_del(s->merged, s->output_token);
    }
}

int aws_call_all(struct aws_client *c, const struct aws_call_req *r, int page_size, json_t **out,
                 struct dr_err *err)
{
    const struct aws_service_model *svc = aws_model_service(r->service);
    const struct aws_op_model *op = svc ? aws_model_op(svc, r->operation) : NULL;
    struct aws_paginator pg;
    struct all_state s;
    int rc;

    if (!op || !aws_model_op_paginator(op, &pg))
        return aws_call(c, r, out, err);
    memset(&s, 0, sizeof(s));
    s.result_key = pg.result_key;
    s.output_token = pg.output_token;
    rc = aws_paginate_start(c, r, page_size, all_page, &s, err);
    if (rc < 0)
        return rc;
    rc = run_until(c, &s.done, err);
    if (rc < 0 || s.failed) {
        json_decref(s.merged);
        if (s.failed) {
            dr_err_copy(err, &s.err);
            return -(int)(s.err.status ? s.err.status : DR_EINTERNAL);
        }
        return rc;
    }
    *out = s.merged ? s.merged : json_object();
    return 0;
}
