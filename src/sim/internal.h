/*
 * internal.h - the simulator's world model and the seams between its
 * files: the world (one mutex-protected state), the scaled clock, the
 * seeded PRNG, the per-call context handlers fill in, and each service's
 * entry point. Not part of the public API (see sim.h).
 *
 * Live state is kept as jansson values in the shapes the wire wants (DRS
 * objects exactly as the DRS model names them; EC2/IAM objects in the XML
 * convention wire_xml.c renders), indexed by jansson objects used as hash
 * maps. Every field below is guarded by world->mu.
 * Depends on the core module, aws/http.h, jansson, pthreads.
 */
#ifndef DROVER_SIM_INTERNAL_H
#define DROVER_SIM_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/http.h"
#include "core/buf.h"
#include "core/err.h"

#define SIM_BODY_MAX   ((size_t)10 << 20) /* 10 MiB request bodies */
#define SIM_AR_KEY_MAX 96

/* ---- PRNG (xoshiro256**, seeded by splitmix64): ours, never rand() ---- */
struct sim_prng {
    uint64_t s[4];
};
void sim_prng_seed(struct sim_prng *p, uint64_t seed);
uint64_t sim_prng_next(struct sim_prng *p);
double sim_prng_unit(struct sim_prng *p); /* [0, 1) */
/* n lowercase hex digits + NUL into out (size > n). */
void sim_prng_hex(struct sim_prng *p, char *out, size_t n);

/* ---- clock: sim = sim_start + (real - real_start) * scale ---- */
struct sim_clock {
    int64_t real_start_ms;
    int64_t sim_start_ms;
    double scale;
    bool fake; /* tests: sim time is fake_ms */
    int64_t fake_ms;
};
void sim_clock_init(struct sim_clock *c, double scale);
int64_t sim_clock_now(const struct sim_clock *c);
/* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
void sim_fmt_time(int64_t ms, char *out, size_t n);

/* ---- quotas and faults ---- */
struct sim_quotas {
    int max_servers_per_job;        /* 100 */
    int max_concurrent_jobs;        /* 20 */
    int max_servers_in_active_jobs; /* 500 */
    int max_replicating_servers;    /* 300: reported by Service Quotas, not enforced */
    int max_source_servers;         /* 4000: reported by Service Quotas, not enforced */
};

struct sim_faults {
    bool throttle_on;
    double throttle_rate;  /* tokens per real second */
    double throttle_burst; /* bucket size */
    double error_rate;     /* 0..1, 500 InternalServerError-style */
    int latency_ms;
    json_t *region_outage; /* array of region names */
    bool outage_refuse;    /* close the connection instead of 503 */
    double launch_failure_rate;
    json_t *stalled; /* object: source server id -> true */
};

/* ---- jobs: a precomputed schedule applied lazily as the clock passes ---- */
enum sim_ev_kind {
    EV_JOB_START,
    EV_SNAPSHOT_START,
    EV_SNAPSHOT_END,
    EV_SNAPSHOT_FAIL,
    EV_CONVERSION_START,
    EV_CONVERSION_END,
    EV_LAUNCH_START,
    EV_LAUNCHED,
    EV_LAUNCH_FAILED,
    EV_CLEANUP_START,
    EV_CLEANUP_END,
    EV_FAILBACK_DONE, /* the failback launch finished (no log event) */
    EV_JOB_END
};

struct sim_job_event {
    int64_t at_ms;
    enum sim_ev_kind kind;
    int server; /* index into the job's participatingServers, -1 for job-level */
};

struct sim_job {
    char id[32];
    char account_id[16];
    char region[64];
    bool terminate; /* TERMINATE job (else LAUNCH) */
    bool failback;  /* LAUNCH initiated by FAILBACK (StartFailbackLaunch) */
    bool is_drill;
    json_t *job; /* borrowed: the wire Job object in the account-region */
    json_t *log; /* borrowed: its JobLog array */
    struct sim_job_event *ev;
    size_t nev, next;
};

struct sim_world_opts {
    uint64_t seed;
    double time_scale;
    int latency_ms; /* --latency-ms: the latency fault's value after start and reset */
    /* Unit tests and the fuzz target only: accept any well-formed signature. */
    bool skip_signature_check;
};

struct sim_world {
    pthread_mutex_t mu;
    struct sim_world_opts opts;
    struct sim_clock clock;
    struct sim_prng rng;
    json_t *estate; /* the normalized estate as loaded: reset source, /_sim/estate */

    /* live state */
    char hub_account[16];
    json_t *accounts;      /* account_id -> account (roles, policies, users, ...) */
    json_t *keys;          /* access key id -> identity */
    json_t *ars;           /* "account:region" -> account-region state (drs, ec2, kms) */
    json_t *servers;       /* source server id -> "account:region" */
    json_t *rinst;         /* recovery instance id -> "account:region" */
    json_t *launches;      /* /_sim/state launches */
    json_t *metrics;       /* "svc|op|acct|region" -> metrics row */
    json_t *buckets;       /* "acct|region|op" -> [tokens, last_real_ms] */
    struct sim_job **jobs; /* active jobs, creation order */
    size_t njobs, capjobs;
    struct sim_quotas quotas;
    struct sim_faults faults;
    uint64_t nsessions;
    uint64_t req_seq;
    uint64_t version; /* bumped by every change: guards cached serializations */
    json_t *strpool;  /* shared time-dependent strings (sim_shared_str) */
    json_t *pages;    /* DescribeSourceServers response cache, a few entries */
};

/* world.c */
int sim_world_new(const struct sim_world_opts *o, json_t *estate, struct sim_world **out,
                  struct dr_err *err);
void sim_world_free(struct sim_world *w);
/* Rebuilds the live state from w->estate (w->mu held or not yet shared). */
int sim_world_reset(struct sim_world *w, struct dr_err *err);
/* Borrowed account-region state; created (uninitialized DRS) when absent. NULL on OOM. */
json_t *sim_ar(struct sim_world *w, const char *account_id, const char *region);
void sim_ar_key(char *out, size_t n, const char *account_id, const char *region);
/* Applies every scheduled job event up to the current sim time (w->mu held). */
void sim_world_advance(struct sim_world *w, int64_t now_ms);
int sim_world_add_job(struct sim_world *w, struct sim_job *j);
/* A new reference to a string value shared with other servers (immutable). */
json_t *sim_shared_str(struct sim_world *w, const char *s);

/* estate.c: validates an estate document and fills defaults. */
int sim_estate_normalize(json_t *doc, struct sim_prng *rng, struct dr_err *err);
/* Validates one source server entry (generated servers, at materialization). */
int sim_estate_norm_server(json_t *s, const char *acct, const char *region, size_t idx,
                           struct sim_prng *rng, struct dr_err *err);
/* Loads YAML or JSON from a file and normalizes it (missing IDs from rng). */
int sim_estate_load(const char *path, struct sim_prng *rng, json_t **out, struct dr_err *err);
/* estate_build.c: live state from the normalized estate (w->mu held). */
int sim_estate_build(struct sim_world *w, struct dr_err *err);
/* Builds an account-region's DRS servers from the estate on first use (w->mu held). */
void sim_drs_materialize(struct sim_world *w, json_t *ar);

/* generate.c: "accounts=K,regions=R,servers=N" -> normalized estate doc. */
int sim_generate(const char *spec, uint64_t seed, json_t **out, struct dr_err *err);
/* The servers a drs block's generate_servers {count, seed, origin_region} stands for. */
json_t *sim_generate_servers(const json_t *gen, const char *acct);

/* ---- one API call ---- */
struct sim_call {
    struct sim_world *w;
    const char *service;
    const char *op;
    char account_id[16];
    char region[64];
    json_t *ident; /* borrowed caller identity */
    int64_t now_ms;
    int64_t real_ms;
    char request_id[40];
    /* results */
    int status;    /* success status; 0 = 200 */
    json_t *out;   /* owned response value */
    char *raw_out; /* owned: a pre-serialized JSON body, used instead of out */
    int err_status;
    char err_code[64];
    char err_msg[512];
    json_t *err_extra; /* owned: extra members for the error body (rest-json) */
    /* rest-json request details */
    const char *method;
};

/* Sets the call's error; returns -1 so handlers can `return sim_fail(...)`. */
int sim_fail(struct sim_call *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a string member to the error body (rest-json). */
void sim_fail_extra(struct sim_call *c, const char *key, const char *val);
void sim_new_id(struct sim_world *w, const char *prefix, size_t nhex, char *out, size_t n);

typedef int (*sim_handler_fn)(struct sim_call *c, json_t *in);
struct sim_op {
    const char *name;
    sim_handler_fn fn;
};
sim_handler_fn sim_find_op(const struct sim_op *ops, const char *name);

/* Per-service operation tables. */
extern const struct sim_op sim_sts_ops[];
extern const struct sim_op sim_iam_ops[];
extern const struct sim_op sim_ec2_ops[];
extern const struct sim_op sim_kms_ops[];
extern const struct sim_op sim_org_ops[];
extern const struct sim_op sim_quotas_ops[];
extern const struct sim_op sim_drs_ops[];
extern const struct sim_op sim_drs_more_ops[];
extern const struct sim_op sim_drs_failback_ops[];

/* drs_jobs.c */
int sim_drs_start_launch(struct sim_call *c, json_t *servers, bool is_drill, json_t *tags,
                         const char *initiated_by, json_t **job_out);
int sim_drs_start_terminate(struct sim_call *c, json_t *ri_ids, json_t **job_out);
/* StartFailbackLaunch: a FAILBACK-initiated LAUNCH job over recovery instances. */
int sim_drs_start_failback(struct sim_call *c, json_t *ri_ids, json_t *tags, json_t **job_out);
/* True when the server takes part in an active (not COMPLETED) job. */
bool sim_drs_server_busy(struct sim_world *w, const char *server_id);

/* trust.c: the one AssumeRole decision, made by the policy engine. */
struct sim_trust_req {
    const char *role_arn;          /* the role being assumed */
    const char *principal_arn;     /* caller: user ARN or assumed-role session ARN */
    const char *principal_account; /* caller account */
    const char *role_principal;    /* for sessions: the role ARN, else NULL */
    const char *external_id;       /* sts:ExternalId or NULL */
    const char *source_identity;   /* sts:SourceIdentity or NULL */
    const char *source_account;    /* aws:SourceAccount or NULL */
    const char *source_arn;        /* aws:SourceArn or NULL */
};
bool sim_trust_allows(const json_t *trust_policy, const struct sim_trust_req *r, char *why,
                      size_t whylen);
/* IAM-style wildcard match ('*' and '?'), case-sensitive. */
bool sim_wildcard_match(const char *pat, const char *s);

/* router.c: a whole HTTP exchange, independent of the HTTP server. */
struct sim_http_out {
    int status;
    struct http_headers headers;
    struct buf body;
    bool close; /* drop the connection (region outage "refuse" mode) */
};
void sim_http_out_init(struct sim_http_out *o);
void sim_http_out_cleanup(struct sim_http_out *o);
/* Handles one request (AWS or /_sim/). Never fails: errors become responses.
 * *sleep_ms receives added latency the caller should wait before replying. */
void sim_handle(struct sim_world *w, const struct http_request *req, struct sim_http_out *out,
                int *sleep_ms);

/* control.c */
void sim_control(struct sim_world *w, const struct http_request *req, struct sim_http_out *out);
json_t *sim_estate_summary(struct sim_world *w); /* /_sim/estate body (w->mu held) */

/* faults.c */
void sim_faults_init(struct sim_faults *f);
void sim_faults_cleanup(struct sim_faults *f);
int sim_faults_apply_json(struct sim_world *w, const json_t *body, char *why, size_t whylen);
/* Token bucket: true when this request may pass (w->mu held). */
bool sim_throttle_take(struct sim_world *w, const char *account, const char *region, const char *op,
                       int64_t real_ms, int *retry_after_s);
bool sim_region_down(struct sim_world *w, const char *region);

/* wire_xml.c */
int sim_xml_escape(struct buf *b, const char *s);
/* Renders v's members as XML elements; arrays become <item_tag> children. */
int sim_xml_render(struct buf *b, const json_t *v, const char *item_tag);
/* wire_json.c / forms */
/* Parses application/x-www-form-urlencoded into an object of strings. */
int sim_form_parse(const char *body, size_t len, json_t **out, char *why, size_t whylen);
/* Collects "Prefix.N" (or "Prefix.member.N") string values into a new array. */
json_t *sim_form_list(const json_t *form, const char *prefix);
/* Parses a JSON request body (empty = {}); must be an object. */
int sim_json_body(const char *body, size_t len, json_t **out, char *why, size_t whylen);

/* Pagination over an index range: nextToken is the decimal offset. */
int sim_page(struct sim_call *c, json_t *in, size_t total, size_t dflt_max, size_t *start,
             size_t *end);

/* Small helpers */
json_t *sim_tags_to_ec2(const json_t *tags); /* {"k":"v"} -> [{"key","value"}] */
const char *sim_json_path_str(const json_t *v, const char *a, const char *b);

#endif
