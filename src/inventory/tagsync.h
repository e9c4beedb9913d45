/*
 * tagsync.h - `drover tags sync`: copies each DRS source server's origin
 * EC2 instance tags onto the source server (DRS TagResource, in the
 * server's own account-region, which may differ from the instance's),
 * adding drover:source-account, drover:source-region and
 * drover:source-instance-type. Runs a discovery (so the inventory is
 * refreshed too) and tags on the same loop as snapshots arrive. Only
 * tags that are missing or differ are written; nothing is removed.
 * Depends on core, store, the AWS client and discover.h.
 */
#ifndef DROVER_INVENTORY_TAGSYNC_H
#define DROVER_INVENTORY_TAGSYNC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"
#include "core/buf.h"
#include "core/err.h"
#include "inventory/discover.h"
#include "store/store.h"

#define TAGSYNC_MAX_TAGS 50 /* DRS: at most 50 tags per resource */

/*
 * The tags to write on one server: the origin instance's tags (NULL when
 * unknown; keys starting with "aws:" are reserved and skipped) plus the
 * drover:source-* tags, minus those the server already has with the same
 * value. New reference (an object, maybe empty) or NULL on ENOMEM.
 */
json_t *tagsync_wanted(const json_t *server, const json_t *instance);

struct tagsync_change {
    char *account_id;
    char *region;
    char *source_server_id;
    json_t *tags; /* what was (or would be) set */
    char *error;  /* TagResource's error, or NULL */
};

struct tagsync_result {
    struct tagsync_change *v;
    size_t n;
    size_t unchanged; /* servers already carrying every wanted tag */
    size_t failed;    /* TagResource calls that failed */
    size_t skipped;   /* servers that would exceed TAGSYNC_MAX_TAGS */
    struct discover_result disc;
};

void tagsync_result_cleanup(struct tagsync_result *r);

/*
 * Discovers the selected account-regions (o: selection as for
 * inventory_discover; nullable) and tags each server whose wanted tags
 * are not empty, unless dry_run. Returns what inventory_discover returns;
 * per-server failures are in r.
 */
int tags_sync(struct store *s, struct aws_client *c, const struct discover_opts *o, bool dry_run,
              struct tagsync_result *r, struct dr_err *err);

/* {"changes":[{"account_id","region","source_server_id","tags","error"}],
 *  "changed","unchanged","failed","skipped","dry_run","account_regions_failed"} */
json_t *tagsync_to_json(const struct tagsync_result *r, bool dry_run);
/* ACCOUNT REGION SERVER ID TAGS RESULT */
int tagsync_render_table(const struct tagsync_result *r, bool dry_run, struct buf *out,
                         struct dr_err *err);

#endif
