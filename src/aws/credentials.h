/*
 * credentials.h - where drover's AWS credentials come from.
 *
 * Chain, in order: environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN); the profile (--profile, else AWS_PROFILE, else
 * "default") from ~/.aws/credentials and ~/.aws/config
 * (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE honoured) with static
 * keys, role_arn + source_profile chains (cycles are an error),
 * credential_source=Environment|Ec2InstanceMetadata, external_id,
 * role_session_name, duration_seconds and credential_process; then IMDSv2.
 *
 * The chain resolves to a plan: one source of base credentials plus the
 * AssumeRole steps to apply in order. The AWS client executes the plan,
 * making the STS calls itself, and caches each assumed role in a
 * cred_cache, keyed by parent identity + role + external ID, refreshed 5
 * minutes before expiry; concurrent lookups of a key being fetched wait
 * for the one in-flight AssumeRole.
 *
 * Depends on core/, aws/creds.h, jansson, libcurl (IMDS only).
 */
#ifndef DROVER_AWS_CREDENTIALS_H
#define DROVER_AWS_CREDENTIALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/creds.h"
#include "core/err.h"

#define CRED_REFRESH_MARGIN_MS (5 * 60 * 1000)

struct cred_env {
    const char *(*getenv_fn)(const char *name); /* NULL = getenv */
    const char *profile;                        /* --profile, overrides AWS_PROFILE */
};

/* ---- shared config / credentials files ---- */

struct awscfg; /* opaque: profiles -> key/value */

struct awscfg *awscfg_new(void);
void awscfg_free(struct awscfg *cfg);
/*
 * Parses one file's text into cfg. config_file selects the config-file
 * rules ("[profile NAME]" / "[default]", sso-session and services sections
 * kept separately) versus the credentials-file rules ("[NAME]"). Keys are
 * case-insensitive. Values of indented continuation lines (nested
 * sections such as s3 =) are kept as "sub.key". Comments: ';' and '#'
 * at line start, or after whitespace. `what` names the file in errors,
 * which give the line: "~/.aws/config: line 7: expected key = value".
 */
int awscfg_parse(struct awscfg *cfg, const char *text, size_t len, bool config_file,
                 const char *what, struct dr_err *err);
/* Loads both files for env (missing files are fine). */
int awscfg_load(const struct cred_env *env, struct awscfg **out, struct dr_err *err);
/* Value for profile/key: the credentials file wins over the config file. Borrowed. */
const char *awscfg_get(const struct awscfg *cfg, const char *profile, const char *key);
bool awscfg_has_profile(const struct awscfg *cfg, const char *profile);

/* ---- resolution plan ---- */

struct cred_role {
    char *role_arn;
    char *external_id;           /* may be NULL */
    char *session_name;          /* NULL = "drover-<epoch ms>" at assume time */
    char *source_identity;       /* may be NULL */
    int duration_seconds;        /* 0 = STS default (3600) */
    json_t *tags;                /* object {key: value} or NULL (owned) */
    json_t *transitive_tag_keys; /* array of strings or NULL (owned) */
};

enum cred_source_kind {
    CRED_SRC_ENV = 0,
    CRED_SRC_PROFILE = 1, /* static keys in a profile */
    CRED_SRC_PROCESS = 2, /* credential_process */
    CRED_SRC_IMDS = 3
};

struct cred_plan {
    enum cred_source_kind kind;
    struct aws_creds base;   /* ENV / PROFILE: the keys */
    char *process_cmd;       /* PROCESS */
    char *profile;           /* the profile the chain started from, or NULL */
    char *region;            /* the profile's region, or NULL */
    struct cred_role *roles; /* AssumeRole steps, applied in order */
    size_t nroles;
};

/*
 * Resolves the chain to a plan without network I/O. cfg may be NULL
 * (files not loaded). Fails with -DR_ECRED naming the profile and key
 * when a profile is incomplete ("profile 'x': role_arn needs
 * source_profile or credential_source"), or -DR_EINVAL on a cycle.
 * When nothing is configured the plan's kind is CRED_SRC_IMDS.
 */
int cred_plan_resolve(const struct cred_env *env, const struct awscfg *cfg, struct cred_plan *out,
                      struct dr_err *err);
void cred_plan_cleanup(struct cred_plan *p);
void cred_role_cleanup(struct cred_role *r);
int cred_role_copy(struct cred_role *dst, const struct cred_role *src, struct dr_err *err);

/* Runs a credential_process command (sh -c, 60 s timeout) and parses its
 * JSON ({"Version":1,"AccessKeyId",...,"Expiration"}). */
int cred_process_run(const char *cmd, struct aws_creds *out, struct dr_err *err);
/* Fetches role credentials from IMDSv2 (token PUT, then GET). endpoint NULL =
 * AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254. Disabled by
 * AWS_EC2_METADATA_DISABLED=true. */
int cred_imds_fetch(const struct cred_env *env, const char *endpoint, long timeout_ms,
                    struct aws_creds *out, struct dr_err *err);

/* STS AssumeRole input (model member names) for a step; new reference. */
json_t *cred_role_assume_input(const struct cred_role *r, int64_t now_ms);
/* Extracts Credentials{AccessKeyId,SecretAccessKey,SessionToken,Expiration}. */
int cred_from_assume_output(const json_t *out, struct aws_creds *creds, struct dr_err *err);

/* ---- assumed-role cache ---- */

struct cred_cache;

typedef void (*cred_wait_cb)(void *ud, const struct aws_creds *creds, const struct dr_err *err);

enum cred_lookup {
    CRED_HIT = 0,   /* *out holds a copy of valid credentials */
    CRED_FETCH = 1, /* the caller must fetch, then call cred_cache_complete */
    CRED_WAIT = 2   /* another fetch is in flight; cb will be called */
};

struct cred_cache *cred_cache_new(void);
void cred_cache_free(struct cred_cache *c);
/* Builds the cache key for a role step under a parent identity (its access key ID). */
int cred_cache_key(const char *parent_akid, const struct cred_role *r, char *out, size_t n);
enum cred_lookup cred_cache_lookup(struct cred_cache *c, const char *key, int64_t now_ms,
                                   struct aws_creds *out, cred_wait_cb cb, void *ud);
/* Stores creds (or records err) for key and calls every waiter. */
void cred_cache_complete(struct cred_cache *c, const char *key, const struct aws_creds *creds,
                         const struct dr_err *err);

#endif
