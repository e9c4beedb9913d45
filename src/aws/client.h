/*
 * client.h - drover's AWS client: one call model for every service.
 *
 * A call names a service and an operation (model names, or the aws CLI's
 * kebab-case), takes a JSON input with the model's member names and
 * yields a JSON output the way the aws CLI prints it. Underneath, on one
 * libcurl-multi event loop: credentials (the default chain, then an
 * optional chain of AssumeRole steps, cached and shared between calls),
 * endpoint resolution, SigV4, the wire protocol, the "standard" retry
 * mode with a retry quota per destination, and an adaptive rate limiter
 * per (account, region, service).
 *
 * Single-threaded: use one client per thread. Callbacks run inside
 * aws_client_run()/aws_client_run_once(). Depends on every aws module.
 */
#ifndef DROVER_AWS_CLIENT_H
#define DROVER_AWS_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/credentials.h"
#include "aws/transport.h"
#include "core/err.h"

struct aws_client;

struct aws_client_config {
    const char *region;                         /* default region; NULL = the profile's region */
    const char *profile;                        /* --profile; NULL = AWS_PROFILE / default */
    const char *endpoint_url;                   /* --endpoint-url; NULL = none */
    const char *(*getenv_fn)(const char *name); /* NULL = getenv */
    int max_in_flight;                          /* transport caps; 0 = defaults */
    int max_per_host;
    long connect_timeout_ms;
    long request_timeout_ms;
    int max_attempts; /* 0 = AWS_MAX_ATTEMPTS, else 3 */
    bool no_adaptive; /* disable the per-destination rate limiter */
    uint64_t seed;    /* jitter PRNG seed; 0 = from the CSPRNG */
};

/* One API call. Strings and JSON are borrowed for the duration of aws_call_start. */
struct aws_call_req {
    const char *service;   /* "drs", "sts", "ec2", "service-quotas", ... */
    const char *operation; /* "DescribeSourceServers" or "describe-source-servers" */
    const json_t *input;   /* NULL = {} */
    const char *region;    /* NULL = the client's default region */
    /* AssumeRole steps applied after the base credentials (and after any
     * role chain from the profile), in order. */
    const struct cred_role *roles;
    size_t nroles;
    /* Explicit credentials: when set, the chain and roles are not used. */
    const struct aws_creds *creds;
    /* Region of the STS endpoint for the role steps' AssumeRole calls;
     * NULL = the call's region. */
    const char *sts_region;
};

/*
 * Completion: on success out is a new reference the callee must decref
 * (or keep) and err is NULL; on failure out is NULL and err describes it
 * (err->code holds the AWS error code, err->http_status the status).
 */
typedef void (*aws_done_cb)(void *ud, json_t *out, const struct dr_err *err);

/*
 * Page callback for aws_paginate_start: called once per page. Set *stop
 * to true to end early. last is true for the final page (or on error).
 */
typedef void (*aws_page_cb)(void *ud, json_t *page, const struct dr_err *err, bool last,
                            bool *stop);

int aws_client_new(const struct aws_client_config *cfg, struct aws_client **out,
                   struct dr_err *err);
void aws_client_free(struct aws_client *c);

/* Starts an asynchronous call. Returns <0 only for immediate input errors
 * (unknown service/operation); later failures go to cb. */
int aws_call_start(struct aws_client *c, const struct aws_call_req *r, aws_done_cb cb, void *ud,
                   struct dr_err *err);
/* Starts a paginated call (the operation must have a paginator). page_size
 * > 0 sets the paginator's limit key. */
int aws_paginate_start(struct aws_client *c, const struct aws_call_req *r, int page_size,
                       aws_page_cb cb, void *ud, struct dr_err *err);

/* Synchronous wrappers: run the loop until this call is done. */
int aws_call(struct aws_client *c, const struct aws_call_req *r, json_t **out, struct dr_err *err);
/* Fetches every page and merges the result-key list(s) into one output. */
int aws_call_all(struct aws_client *c, const struct aws_call_req *r, int page_size, json_t **out,
                 struct dr_err *err);

/* Runs the loop until nothing is pending. */
int aws_client_run(struct aws_client *c, struct dr_err *err);
/* One loop iteration of at most timeout_ms. */
int aws_client_run_once(struct aws_client *c, int timeout_ms, struct dr_err *err);
/* Number of calls not yet completed. */
size_t aws_client_pending(const struct aws_client *c);
/* Schedules fn(ud) on the client's loop after delay_ms. */
int aws_client_timer(struct aws_client *c, int64_t delay_ms, transport_timer_cb fn, void *ud,
                     struct dr_err *err);

/* The default region the client resolved (config, else profile), or NULL. */
const char *aws_client_region(const struct aws_client *c);

struct aws_client_stats {
    uint64_t calls;    /* completed calls */
    uint64_t attempts; /* HTTP attempts, retries included */
    uint64_t retries;
    uint64_t throttled;   /* attempts answered with a throttling error */
    uint64_t assume_role; /* STS AssumeRole calls made for role steps */
    struct transport_stats transport;
};
void aws_client_get_stats(const struct aws_client *c, struct aws_client_stats *out);

#endif
