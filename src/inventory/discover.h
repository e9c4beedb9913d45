/*
 * discover.h - discovery of the DRS estate across every registered
 * account x region, concurrently on one AWS client's curl-multi loop
 * (no thread per account). Per account-region it pages
 * DescribeSourceServers (the largest page DRS accepts),
 * DescribeRecoveryInstances and the recent DescribeJobs, enriches the
 * servers from EC2 DescribeInstances in their origin account-region when
 * drover can reach it, and writes one consistent snapshot with
 * store_snapshot_replace. A failed account-region keeps its previous
 * snapshot, marked stale with the error (store_snapshot_mark_failed), and
 * never holds up the others. Roles are assumed once per account through
 * the client's credential cache.
 *
 * Used by `drover discover`, the execution engine and `make demo`.
 * Depends on core, store and the AWS client; must not depend on the CLI.
 */
#ifndef DROVER_INVENTORY_DISCOVER_H
#define DROVER_INVENTORY_DISCOVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/client.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

/*
 * Page size for the DRS Describe* calls. The botocore model
 * (drs/2020-02-26, StrictlyPositiveInteger) gives maxResults a minimum of
 * 1 and no maximum; the service pages at 1000 at most, so 1000 is the
 * largest page worth asking for.
 */
#define DISCOVER_DRS_PAGE 1000
/* EC2 DescribeInstances: MaxResults 5..1000; at most 200 values per filter. */
#define DISCOVER_EC2_PAGE       1000
#define DISCOVER_EC2_FILTER_MAX 200
/* DescribeJobs covers this many days back. */
#define DISCOVER_JOBS_DAYS 7
/* A CONTINUOUS server lagging more than this counts as lagging, not healthy. */
#define DISCOVER_LAG_SECONDS 300
/* The role session name discovery assumes spoke roles with. */
#define DISCOVER_SESSION_NAME "drover-discover"

struct discover_progress {
    size_t done;  /* account-regions finished (ok or failed) */
    size_t total; /* account-regions being discovered */
    int64_t servers;
};

/* One account-region's inventory, as fetched and stored (see on_snapshot). */
struct discover_snapshot {
    const char *account_id;
    const char *region;
    const json_t *servers;        /* DescribeSourceServers items */
    const json_t *ec2;            /* EC2 Instance items of the servers' origins, or NULL */
    const struct cred_role *role; /* the account's spoke role */
    const char *sts_region;       /* where that role is assumed */
};

struct discover_opts {
    /* Only these accounts (each must be registered); NULL/0: every one. */
    const char *const *accounts;
    size_t naccounts;
    /* Only these regions of each account; NULL/0: each account's regions. */
    const char *const *regions;
    size_t nregions;
    int page_size;  /* DescribeSourceServers maxResults; 0 = DISCOVER_DRS_PAGE */
    int jobs_days;  /* 0 = DISCOVER_JOBS_DAYS */
    bool no_enrich; /* skip the EC2 DescribeInstances enrichment */
    /* Called on the loop after each account-region finishes (nullable). */
    void (*progress)(void *ud, const struct discover_progress *p);
    void *progress_ud;
    /* Called on the loop after each account-region's snapshot is stored
     * (nullable); it may start calls on the client (tag sync does). */
    void (*on_snapshot)(void *ud, const struct discover_snapshot *sn);
    void *snapshot_ud;
};

/* One account-region's outcome. */
struct discover_ar {
    char *account_id;
    char *region;
    char *error;   /* NULL when it succeeded; else "Operation: Code: message" */
    char *warning; /* a non-fatal problem (enrichment), or NULL */
    int64_t servers;
    int64_t healthy; /* CONTINUOUS, lag at most DISCOVER_LAG_SECONDS */
    int64_t lagging; /* lag over DISCOVER_LAG_SECONDS, or BACKLOG/RESCAN/CREATING_SNAPSHOT */
    int64_t stalled; /* STALLED or DISCONNECTED */
    int64_t recovery_instances;
    int64_t jobs;
    int64_t enriched; /* servers matched to an EC2 instance */
    int64_t elapsed_ms;
};

struct discover_result {
    struct discover_ar *v; /* ordered by account ID, then the account's region order */
    size_t n;
    size_t failed;
    int64_t servers_total; /* servers found by the account-regions that succeeded */
    int64_t elapsed_ms;
};

void discover_result_cleanup(struct discover_result *r);

/*
 * Discovers every selected account-region and stores the snapshots.
 * Returns 0 when discovery ran (even when some or all account-regions
 * failed: see r->failed and each r->v[i].error), -DR_EINVAL for a bad
 * selection (an unregistered account, a malformed region, nothing
 * selected), -DR_ENOTFOUND when no account is registered, or another
 * negative status when the loop or the store failed as a whole.
 */
int inventory_discover(struct store *s, struct aws_client *c, const struct discover_opts *o,
                       struct discover_result *r, struct dr_err *err);

/*
 * Discovery's ingestion steps, public for the fuzz target and tests.
 * discover_take_page appends a Describe* page's items (ec2: its
 * Reservations[].Instances[]) to dst; false when the page is malformed.
 * discover_ingest stores one account-region's fetched lists
 * (store_snapshot_replace) and fills out's counters; when an item is
 * malformed nothing is written but the failure (store_snapshot_mark_failed:
 * the previous snapshot kept, stale) and out->error (heap; NULL on entry)
 * says why. Returns 0 when stored.
 */
bool discover_take_page(json_t *dst, const json_t *page, bool ec2);
int discover_ingest(struct store *s, const char *account_id, const char *region,
                    const json_t *servers, const json_t *ris, const json_t *jobs, const json_t *ec2,
                    struct discover_ar *out);

/*
 * {"account_regions":[{"account_id","region","servers","error",
 *   "healthy","lagging","stalled","recovery_instances","jobs","enriched",
 *   "warning"}], "servers_total", "elapsed_ms", "failed"}. New reference
 * or NULL on ENOMEM.
 */
json_t *discover_result_to_json(const struct discover_result *r);
/* ACCOUNT REGION SERVERS HEALTHY LAGGING STALLED RECOVERY INSTANCES ERROR */
int discover_render_table(const struct discover_result *r, struct buf *out, struct dr_err *err);

#endif
