/*
 * store.h - drover's persistence interface. Callers see an opaque
 * `struct store` and typed functions; they never write SQL. Each backend
 * (SQLite now, src/store/sqlite.c; PostgreSQL later) fills a vtable
 * (store_impl.h) and keeps its SQL dialect to itself.
 *
 * Guarantees every backend gives:
 *   - the schema is versioned and migrated at open, inside a transaction;
 *     opening a store written by a newer drover fails with DR_ESTORE;
 *   - every function that changes more than one row does it in one
 *     transaction (nested inside the caller's store_begin if there is one);
 *   - values are bound as parameters, never spliced into SQL text.
 *
 * A handle is used by one thread at a time; several processes may open
 * the same store (SQLite WAL; writers wait up to a busy timeout).
 *
 * Timestamps are epoch milliseconds. Strings in the structs below are heap
 * copies owned by the struct and freed by its _cleanup function.
 *
 * Depends on core (err, buf) and jansson. Must not depend on the AWS
 * client, the inventory, the engine or the CLI.
 */
#ifndef DROVER_STORE_STORE_H
#define DROVER_STORE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

struct store;

/* ---- opening ---------------------------------------------------------- */

/*
 * Resolves drover's home directory: home_opt when non-empty (--home or
 * DROVER_HOME), else $HOME/.drover. Appends it to out.
 */
int store_home_resolve(const char *home_opt, struct buf *out, struct dr_err *err);

/*
 * Opens (creating if needed) HOME/drover.db with the SQLite backend. The
 * home directory is created with mode 0700 and the database file with
 * mode 0600 before SQLite touches it (an existing file is tightened to
 * 0600). Migrations are applied. *out is a new handle; store_close frees it.
 */
int store_open(const char *home, struct store **out, struct dr_err *err);
/* Opens a database file at an exact path (tests, tools); same rules. */
int store_open_path(const char *db_path, struct store **out, struct dr_err *err);
void store_close(struct store *s);

/* The schema version of the open store, and the newest this build knows. */
int store_schema_version(struct store *s);
int store_schema_latest(void);

/* ---- transactions ----------------------------------------------------- */

/*
 * Explicit transactions for callers that group several changes (the
 * engine's state transitions). They nest: an inner begin/commit is a
 * savepoint. Every higher-level function below that writes several rows
 * opens its own (nested) transaction, so callers need these only to
 * group calls.
 */
int store_begin(struct store *s, struct dr_err *err);
int store_commit(struct store *s, struct dr_err *err);
/* Rolls back the innermost open transaction; never fails silently. */
int store_rollback(struct store *s, struct dr_err *err);

/* ---- accounts registry ------------------------------------------------ */

struct store_account {
    char *account_id;  /* 12 digits */
    char *name;        /* may be NULL */
    char *role_arn;    /* the spoke role drover assumes */
    char *external_id; /* a secret: never log it */
    char **regions;
    size_t nregions;
    int64_t created_at; /* epoch ms */
};

struct store_account_list {
    struct store_account *v;
    size_t n;
};

void store_account_cleanup(struct store_account *a);
void store_account_list_cleanup(struct store_account_list *l);

/* Inserts a new account. -DR_ECONFLICT when the account ID exists. */
int store_account_add(struct store *s, const struct store_account *a, struct dr_err *err);
/*
 * Replaces name, role ARN, external ID and regions of an existing account
 * (created_at is kept). -DR_ENOTFOUND when it does not exist.
 */
int store_account_update(struct store *s, const struct store_account *a, struct dr_err *err);
/* Fills *out (caller cleans up). -DR_ENOTFOUND when absent. */
int store_account_get(struct store *s, const char *account_id, struct store_account *out,
                      struct dr_err *err);
/* Every account, ordered by account ID. */
int store_account_list(struct store *s, struct store_account_list *out, struct dr_err *err);
/*
 * Removes the account and all of its inventory (snapshots, servers, tags,
 * recovery instances, jobs) in one transaction. -DR_ENOTFOUND when absent.
 */
int store_account_remove(struct store *s, const char *account_id, struct dr_err *err);

/* ---- inventory snapshots --------------------------------------------- */

/*
 * The indexed columns of one DRS source server, extracted from a
 * DescribeSourceServers item (the botocore member names). Strings borrow
 * from the item; a missing optional member is NULL.
 */
struct store_drs_server {
    const char *source_server_id;     /* sourceServerID (required) */
    const char *arn;                  /* arn */
    const char *hostname;             /* sourceProperties.identificationHints.hostname */
    const char *replication_state;    /* dataReplicationInfo.dataReplicationState */
    int64_t lag_seconds;              /* dataReplicationInfo.lagDuration, -1 when absent */
    const char *last_launch_result;   /* lastLaunchResult */
    const char *last_launch_job_id;   /* lifeCycle.lastLaunch.initiated.jobID */
    const char *last_launch_type;     /* lifeCycle.lastLaunch.initiated.type */
    const char *last_launch_at;       /* lifeCycle.lastLaunch.initiated.apiCallDateTime */
    const char *recovery_instance_id; /* recoveryInstanceId */
    const char *origin_account_id;    /* sourceCloudProperties.originAccountID */
    const char *origin_region;        /* sourceCloudProperties.originRegion */
    const char *ec2_instance_id;      /* sourceProperties.identificationHints.awsInstanceID */
    const json_t *tags;               /* tags: object of string values, or NULL */
};

/*
 * Validates a DescribeSourceServers item and extracts its indexed columns.
 * Rejects (DR_EPARSE, message naming the member) an item that is not an
 * object, lacks sourceServerID, has a member of the wrong JSON type, a
 * non-string tag value, or a lagDuration that is not an ISO 8601
 * duration. Never keeps a reference: *out borrows from item.
 */
int store_drs_server_parse(const json_t *item, struct store_drs_server *out, struct dr_err *err);

/* Same for DescribeRecoveryInstances items. */
struct store_drs_recovery_instance {
    const char *recovery_instance_id; /* recoveryInstanceID (required) */
    const char *source_server_id;     /* sourceServerID */
    const char *ec2_instance_id;      /* ec2InstanceID */
    const char *ec2_instance_state;   /* ec2InstanceState */
    const char *job_id;               /* jobID */
    int is_drill;                     /* isDrill: 1, 0, or -1 when absent */
};
int store_drs_recovery_instance_parse(const json_t *item, struct store_drs_recovery_instance *out,
                                      struct dr_err *err);

/* Same for DescribeJobs items. */
struct store_drs_job {
    const char *job_id;       /* jobID (required) */
    const char *type;         /* type: LAUNCH, TERMINATE, CREATE_CONVERTED_SNAPSHOT */
    const char *status;       /* status: PENDING, STARTED, COMPLETED */
    const char *initiated_by; /* initiatedBy */
    const char *created_at;   /* creationDateTime */
    const char *ended_at;     /* endDateTime */
};
int store_drs_job_parse(const json_t *item, struct store_drs_job *out, struct dr_err *err);

/* Same for EC2 DescribeInstances Instance items (Reservations[].Instances[]). */
struct store_ec2_instance {
    const char *instance_id;   /* InstanceId (required) */
    const char *instance_type; /* InstanceType */
    const char *subnet_id;     /* SubnetId */
    const char *private_ip;    /* PrivateIpAddress */
    const json_t *tags;        /* Tags: array of {Key, Value}, or NULL */
};
int store_ec2_instance_parse(const json_t *item, struct store_ec2_instance *out,
                             struct dr_err *err);

/* One account-region's freshly fetched inventory. */
struct store_snapshot_in {
    const char *account_id; /* a registered account (else DR_ENOTFOUND) */
    const char *region;
    int64_t fetched_at;               /* epoch ms */
    const json_t *servers;            /* array of DescribeSourceServers items */
    const json_t *recovery_instances; /* array of DescribeRecoveryInstances items, or NULL */
    const json_t *jobs;               /* array of DescribeJobs items, or NULL */
    /*
     * Array of EC2 Instance items from the servers' origin (or NULL). A
     * server whose identificationHints.awsInstanceID matches one is
     * enriched: instance type, subnet, private IP, and the instance's tags
     * under the server's own DRS tags (DRS wins on a clash).
     */
    const json_t *ec2_instances;
};

/*
 * Replaces the whole snapshot of (account, region) atomically: every item
 * is validated first (a bad one fails the call, naming "servers[i].member"),
 * then the old rows are deleted and the new ones written in one
 * transaction. On any error nothing changes. The snapshot becomes fresh
 * (stale = false, error cleared).
 */
int store_snapshot_replace(struct store *s, const struct store_snapshot_in *in, struct dr_err *err);

/*
 * Records a failed refresh of (account, region): the existing snapshot
 * and its rows are kept, marked stale, with `error` and the attempt time.
 * When there was no snapshot yet, an empty stale one is recorded so the
 * failure is visible.
 */
int store_snapshot_mark_failed(struct store *s, const char *account_id, const char *region,
                               const char *error, int64_t attempted_at, struct dr_err *err);

struct store_snapshot {
    char *account_id;
    char *region;
    int64_t fetched_at;   /* last successful fetch, 0 if never */
    int64_t attempted_at; /* last attempt, successful or not */
    bool stale;
    char *last_error; /* NULL when the last attempt succeeded */
    int64_t servers;  /* row counts of this snapshot */
    int64_t recovery_instances;
    int64_t jobs;
};

struct store_snapshot_list {
    struct store_snapshot *v;
    size_t n;
};

void store_snapshot_cleanup(struct store_snapshot *sn);
void store_snapshot_list_cleanup(struct store_snapshot_list *l);
/* Every snapshot, ordered by account then region. */
int store_snapshot_list(struct store *s, struct store_snapshot_list *out, struct dr_err *err);
int store_snapshot_get(struct store *s, const char *account_id, const char *region,
                       struct store_snapshot *out, struct dr_err *err);

/* ---- inventory queries ------------------------------------------------ */

struct store_tag_filter {
    const char *key;
    const char *value;
};

/* All set fields must match (AND). NULL / 0 / negative means "any". */
struct store_server_filter {
    const char *account_id;
    const char *region;
    const char *replication_state; /* exact, e.g. "CONTINUOUS" */
    const struct store_tag_filter *tags;
    size_t ntags;
    int64_t lag_over; /* lag_seconds > lag_over; -1 for no filter */
};

struct store_server {
    char *account_id;
    char *region;
    char *source_server_id;
    char *arn;
    char *hostname;
    char *replication_state;
    int64_t lag_seconds; /* -1 when unknown */
    char *last_launch_result;
    char *last_launch_at;
    char *recovery_instance_id;
    char *origin_account_id;
    char *origin_region;
    char *instance_type; /* from the EC2 enrichment, NULL without */
    char *subnet_id;
    char *private_ip;
    json_t *tags; /* object (new reference): EC2 tags overlaid with DRS tags */
    bool stale;   /* its account-region's snapshot is stale */
    int64_t fetched_at;
};

struct store_server_list {
    struct store_server *v;
    size_t n;
};

void store_server_cleanup(struct store_server *sv);
void store_server_list_cleanup(struct store_server_list *l);
/* Servers matching f (NULL: all), ordered by account, region, server ID. */
int store_servers_query(struct store *s, const struct store_server_filter *f,
                        struct store_server_list *out, struct dr_err *err);
/* The stored DescribeSourceServers item of one server (new reference). */
int store_server_item(struct store *s, const char *account_id, const char *region,
                      const char *source_server_id, json_t **out, struct dr_err *err);

/* ---- documents: protection groups and recovery plans ------------------ */

/*
 * Versioned documents (kind "ProtectionGroup", "RecoveryPlan", ...). Each
 * put of a changed body appends version N+1; history is kept. A put of a
 * body equal to the latest is a no-op that reports the latest version.
 */
struct store_doc {
    char *kind;
    char *name;
    int64_t version;
    json_t *body; /* new reference */
    int64_t created_at;
    bool deleted; /* a tombstone version (store_doc_delete) */
};

struct store_doc_list {
    struct store_doc *v;
    size_t n;
};

void store_doc_cleanup(struct store_doc *d);
void store_doc_list_cleanup(struct store_doc_list *l);
/* *version_out (nullable) gets the resulting latest version. */
int store_doc_put(struct store *s, const char *kind, const char *name, const json_t *body,
                  int64_t *version_out, struct dr_err *err);
/* version 0 = latest. -DR_ENOTFOUND when absent or deleted (latest only). */
int store_doc_get(struct store *s, const char *kind, const char *name, int64_t version,
                  struct store_doc *out, struct dr_err *err);
/* Latest live version of every document of a kind, ordered by name. */
int store_doc_list(struct store *s, const char *kind, struct store_doc_list *out,
                   struct dr_err *err);
/* Every version of one document, oldest first. */
int store_doc_history(struct store *s, const char *kind, const char *name,
                      struct store_doc_list *out, struct dr_err *err);
/* Appends a tombstone version. -DR_ENOTFOUND when absent. */
int store_doc_delete(struct store *s, const char *kind, const char *name, struct dr_err *err);

/* Execution records: see store/exec.h. */

#endif
