/*
 * credentials.h - where drover's AWS credentials come from.
 *
 * cred_plan_resolve follows botocore's default chain (credentials.py,
 * create_credential_resolver) for the providers drover supports:
 *
 *  1. Environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+
 *     AWS_SECURITY_TOKEN or AWS_SESSION_TOKEN, + AWS_CREDENTIAL_EXPIRATION).
 *     Skipped when an explicit profile (cred_env.profile, i.e. --profile)
 *     is given; AWS_PROFILE does NOT disable it (as in botocore).
 *  2. The profile: cred_env.profile, else AWS_DEFAULT_PROFILE, else
 *     AWS_PROFILE, else "default". A profile that was named (by any of
 *     those) must exist; an implicit "default" may be absent.
 *     a. role_arn (top profile): AssumeRole, sourcing the parent from
 *        source_profile or credential_source (exactly one of them).
 *     b. otherwise static keys from the credentials file, then
 *        credential_process, then static keys from the config file.
 *  3. Nothing configured: IMDSv2 (CRED_SRC_IMDS), unless
 *     AWS_CONTAINER_CREDENTIALS_* is set (ECS: unsupported, an error).
 *
 * A source_profile (any depth) is resolved like botocore's
 * _resolve_credentials_from_profile: if it has static keys, or has no
 * role_arn, its own credentials (credentials-file keys, credential_process,
 * config-file keys) are the base and its role_arn is NOT assumed; only a
 * source profile with role_arn and no static keys continues the chain.
 * A profile may name itself as source_profile when it has static keys
 * (keys as base, then its own role). Any other revisit is a cycle.
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

#define AWSCFG_MAX_FILE         (1 << 20) /* bytes per file */
#define AWSCFG_MAX_SECTIONS     4096      /* per awscfg */
#define AWSCFG_MAX_KEYS         65536     /* per awscfg, nested keys included */
#define AWSCFG_MAX_SECTION_KEYS 1024      /* per section (lookups are linear) */

struct awscfg *awscfg_new(void);
void awscfg_free(struct awscfg *cfg);
/*
 * Parses one file's text into cfg (may be called once per file; the
 * credentials file and the config file are kept apart). Follows
 * botocore's configloader (configparser.RawConfigParser):
 *  - config_file: "[default]" and "[profile NAME]" are profiles (NAME is
 *    shlex-split, so [profile "a b"] works; "[profile]" or "[profile a b]"
 *    are dropped, as botocore does); "[sso-session NAME]" and
 *    "[services NAME]" are kept apart (awscfg_get_section); other
 *    sections ("[foo]", even "[ default ]") are kept but are not profiles.
 *    A later "[profile default]" replaces an earlier "[default]".
 *  - credentials file: every "[NAME]" is profile NAME, verbatim.
 *  - "key = value", "key=value" or "key: value"; the first '=' or ':'
 *    splits; key names are lower-cased (lookups are case-insensitive),
 *    values trimmed; [DEFAULT] keys are inherited by every section of the
 *    same file.
 *  - a line indented deeper than its key line continues the value; after
 *    an empty value ("s3 =") the block's "k = v" lines are kept as
 *    sub-keys "s3.k" (sub-key names keep their case) and "s3" itself is
 *    ""; otherwise the lines are joined with '\n'.
 *  - comments: ';' or '#' starting a line (after indentation), or after
 *    whitespace ("region = x  # note"). botocore keeps such inline text in
 *    the value; drover strips it, as the other SDKs do.
 *  - a key repeated in a section: the last wins; a section header repeated
 *    in one file: the sections merge (botocore rejects both).
 *  - CRLF / CR line ends and a UTF-8 BOM are fine; NUL bytes are not.
 * At most AWSCFG_MAX_FILE bytes, AWSCFG_MAX_SECTIONS sections,
 * AWSCFG_MAX_KEYS keys, AWSCFG_MAX_SECTION_KEYS keys in one section and
 * 255-byte key names. `what` names the file in errors, which give the
 * line: "~/.aws/config: line 7: expected key = value" (-DR_EINVAL).
 * On error cfg may hold part of the file; free it.
 */
int awscfg_parse(struct awscfg *cfg, const char *text, size_t len, bool config_file,
                 const char *what, struct dr_err *err);
/*
 * Loads AWS_CONFIG_FILE (default ~/.aws/config) and
 * AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials) for env; "~"
 * expands with HOME (env->getenv_fn). Missing files, or paths that are
 * not regular files, are skipped (botocore: ConfigNotFound). env may be NULL.
 */
int awscfg_load(const struct cred_env *env, struct awscfg **out, struct dr_err *err);
/*
 * Value for profile/key ("key" or "parent.sub"): the credentials file's
 * value wins over the config file's (botocore's full_config merge, key by
 * key). Borrowed; NULL when absent.
 */
const char *awscfg_get(const struct awscfg *cfg, const char *profile, const char *key);
/* Same, from one file only (config_file true: ~/.aws/config). */
const char *awscfg_get_file(const struct awscfg *cfg, const char *profile, const char *key,
                            bool config_file);
/* Value in "[sso-session NAME]" or "[services NAME]" (kind "sso-session" / "services"). */
const char *awscfg_get_section(const struct awscfg *cfg, const char *kind, const char *name,
                               const char *key);
bool awscfg_has_profile(const struct awscfg *cfg, const char *profile);
/* Fills up to max borrowed profile names (both files, each once); returns the total count. */
size_t awscfg_profile_names(const struct awscfg *cfg, const char **names, size_t max);

/* ---- resolution plan ---- */

struct cred_role {
    char *role_arn;
    char *external_id;           /* may be NULL */
    char *session_name;          /* NULL = "drover-<epoch ms>" at assume time */
    char *source_identity;       /* may be NULL */
    int duration_seconds;        /* 0 = STS default (3600); from a profile: 900..43200 */
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
    struct aws_creds base;   /* ENV / PROFILE: the keys (source "env" / "profile") */
    char *process_cmd;       /* PROCESS: the credential_process command line */
    char *profile;           /* the selected profile when it exists in the files, else NULL */
    char *base_profile;      /* PROFILE / PROCESS: the profile that supplied them, else NULL */
    char *region;            /* AWS_REGION, else AWS_DEFAULT_REGION, else the selected
                                profile's region; NULL when none */
    struct cred_role *roles; /* AssumeRole steps, applied in order: roles[0] is assumed with
                                the base credentials, roles[i] with roles[i-1]'s */
    size_t nroles;
};

/*
 * Resolves the chain (see the top of this file) to a plan without network
 * or process I/O. cfg may be NULL (files not loaded). *out is zeroed
 * first and is left empty on error. Errors, each naming the profile and
 * the key:
 *  -DR_ENOTFOUND  a named profile (--profile / AWS_PROFILE) does not exist:
 *                 "the config profile (x) could not be found"
 *  -DR_ECRED      credentials incomplete: "profile 'x': role_arn needs
 *                 source_profile or credential_source", a missing
 *                 source_profile, a source profile without credentials,
 *                 aws_access_key_id without aws_secret_access_key (also in
 *                 the environment), credential_source Environment without
 *                 keys, AWS_CONTAINER_CREDENTIALS_* set (unsupported)
 *  -DR_EINVAL     invalid or unsupported configuration: a source_profile
 *                 cycle ("source_profile cycle: profile 'a' was already
 *                 visited (a -> b -> a)"), both source_profile and
 *                 credential_source, an unknown credential_source,
 *                 EcsContainer, duration_seconds outside 900..43200,
 *                 a bad role_session_name or external_id length, mfa_serial,
 *                 SSO and web identity settings
 * When nothing is configured the plan's kind is CRED_SRC_IMDS, no roles.
 */
int cred_plan_resolve(const struct cred_env *env, const struct awscfg *cfg, struct cred_plan *out,
                      struct dr_err *err);
void cred_plan_cleanup(struct cred_plan *p);
void cred_role_cleanup(struct cred_role *r);
int cred_role_copy(struct cred_role *dst, const struct cred_role *src, struct dr_err *err);

#define CRED_PROCESS_TIMEOUT_MS 60000
#define CRED_PROCESS_MAX_OUT    (64 * 1024)

/*
 * Runs a credential_process command (/bin/sh -c CMD, stdin /dev/null, its
 * own process group, killed after 60 s) and parses its stdout (at most
 * 64 KiB): {"Version":1,"AccessKeyId","SecretAccessKey"[,"SessionToken"]
 * [,"Expiration": ISO 8601]} (source "process"; no Expiration = 0, does
 * not expire). A non-zero exit is -DR_ECRED with the command's stderr
 * (first line-folded 200 bytes) in the message; stdout is never quoted.
 * Timeout: -DR_ETIMEOUT; bad output: -DR_EPARSE.
 */
int cred_process_run(const char *cmd, struct aws_creds *out, struct dr_err *err);
/* Same with a timeout in ms (<= 0: CRED_PROCESS_TIMEOUT_MS). */
int cred_process_run_timeout(const char *cmd, long timeout_ms, struct aws_creds *out,
                             struct dr_err *err);
/*
 * Fetches role credentials from IMDSv2: PUT latest/api/token (TTL 21600),
 * GET latest/meta-data/iam/security-credentials/ (first line = role), GET
 * .../<role>; source "imds", expiration from the answer. endpoint NULL =
 * AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254. A
 * 403/404/405 token answer falls back to IMDSv1 unless
 * AWS_EC2_METADATA_V1_DISABLED=true. timeout_ms per request (<= 0: 1000),
 * connect timeout 1 s, 2 attempts on connection errors / 5xx, never via a
 * proxy. AWS_EC2_METADATA_DISABLED=true: -DR_ECRED without I/O.
 */
int cred_imds_fetch(const struct cred_env *env, const char *endpoint, long timeout_ms,
                    struct aws_creds *out, struct dr_err *err);

/*
 * STS AssumeRole input (model member names) for a step; new reference, or
 * NULL on allocation failure / no role_arn. RoleSessionName defaults to
 * "drover-<now_ms>"; ExternalId, DurationSeconds (> 0), SourceIdentity,
 * Tags ([{"Key","Value"}] from the tags object) and TransitiveTagKeys
 * only when set.
 */
json_t *cred_role_assume_input(const struct cred_role *r, int64_t now_ms);
/*
 * Extracts Credentials{AccessKeyId,SecretAccessKey,SessionToken,Expiration}
 * (all required; Expiration an ISO 8601 string, or a number of epoch
 * seconds) into creds (source "assume-role"). -DR_EPARSE naming the field.
 */
int cred_from_assume_output(const json_t *out, struct aws_creds *creds, struct dr_err *err);

/* ---- assumed-role cache ---- */

/*
 * A map key -> entry. Thread-safe (one mutex); callbacks are always made
 * with it released, so a waiter may call cred_cache_lookup/complete again
 * (any key) from inside its callback.
 */
struct cred_cache;

/* Called once per waiter: creds on success (err NULL), else err (creds NULL).
 * Both are only valid during the call. */
typedef void (*cred_wait_cb)(void *ud, const struct aws_creds *creds, const struct dr_err *err);

enum cred_lookup {
    CRED_HIT = 0,   /* *out holds a copy of valid credentials */
    CRED_FETCH = 1, /* the caller must fetch, then call cred_cache_complete */
    CRED_WAIT = 2,  /* another fetch is in flight; cb will be called (unless cb was NULL) */
    CRED_ERROR = 3  /* out of memory; nothing was registered or changed */
};

struct cred_cache *cred_cache_new(void);
/* Wipes every secret; pending waiters are dropped without being called. */
void cred_cache_free(struct cred_cache *c);
#define CRED_CACHE_KEY_MAX 2560 /* enough for any AKID + role ARN (2048) + hash */
/*
 * Builds the cache key for a role step under a parent identity (its access
 * key ID): "AKID|ROLE_ARN|sha256hex(external id, session name, source
 * identity, tags, transitive tag keys)" (the external ID never appears in
 * clear). 0, or -DR_EINVAL when out (n bytes) is too small or an argument
 * is missing.
 */
int cred_cache_key(const char *parent_akid, const struct cred_role *r, char *out, size_t n);
/*
 * VALID and not within CRED_REFRESH_MARGIN_MS of expiry at now_ms: HIT
 * (*out gets a copy; aws_creds_cleanup it). FETCHING: WAIT, cb(ud) is
 * queued (called by the cred_cache_complete for that fetch). Otherwise (no
 * entry, stale, or the last fetch failed): the entry becomes FETCHING and
 * the caller gets FETCH: it must call cred_cache_complete exactly once.
 */
enum cred_lookup cred_cache_lookup(struct cred_cache *c, const char *key, int64_t now_ms,
                                   struct aws_creds *out, cred_wait_cb cb, void *ud);
/*
 * Ends a fetch: stores a copy of creds (success when creds is set and err is
 * NULL or DR_OK) or records err (FAILED; the next lookup fetches again),
 * then calls every waiter queued for this fetch exactly once, in order.
 * Waiters queued by re-entrant lookups during those calls belong to the
 * next fetch. The stale credentials of a failed refresh are dropped.
 */
void cred_cache_complete(struct cred_cache *c, const char *key, const struct aws_creds *creds,
                         const struct dr_err *err);

#endif
