/*
 * tagsync.c - EC2 instance tags onto DRS source servers (see tagsync.h).
 * The per-server decision (tagsync_wanted) is a pure function; tags_sync
 * hooks it into discovery's on_snapshot and issues TagResource calls on
 * the same loop, then runs the loop until they are all answered.
 */
#include "inventory/tagsync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"
#include "core/str.h"
#include "core/strmap.h"
#include "core/table.h"

struct sync {
    struct aws_client *c;
    struct tagsync_result *r;
    bool dry_run;
    size_t cap;
    size_t pending;
    bool oom;
};

struct tagcall {
    struct sync *y;
    size_t idx; /* into r->v: an index stays valid when r->v grows */
};

static void want(json_t *out, const json_t *cur, const char *k, const char *v)
{
    const char *have = json_str_borrow(cur, k);

    if (!v || !*v)
        return;
    if (!have || strcmp(have, v) != 0)
        json_object_set_new(out, k, json_string(v));
}

json_t *tagsync_wanted(const json_t *server, const json_t *instance)
{
    const json_t *cur = json_object_get(server, "tags");
    const json_t *cloud = json_object_get(server, "sourceCloudProperties");
    json_t *out = json_object(), *t;
    size_t i;

    if (!out)
        return NULL;
    if (!json_is_object(cur))
        cur = NULL;
    json_array_foreach(json_object_get(instance, "Tags"), i, t)
    {
        const char *k = json_str_borrow(t, "Key"), *v = json_str_borrow(t, "Value");
        if (!k || !*k || strncmp(k, "aws:", 4) == 0 || strncmp(k, "drover:", 7) == 0 || !v)
            continue;
        if (!json_str_borrow(cur, k) || strcmp(json_str_borrow(cur, k), v) != 0)
            json_object_set_new(out, k, json_string(v));
    }
    want(out, cur, "drover:source-account", json_str_borrow(cloud, "originAccountID"));
    want(out, cur, "drover:source-region", json_str_borrow(cloud, "originRegion"));
    want(out, cur, "drover:source-instance-type", json_str_borrow(instance, "InstanceType"));
    return out;
}

static void on_tagged(void *ud, json_t *out, const struct dr_err *err)
{
    struct tagcall *tc = ud;
    struct sync *y = tc->y;

    json_decref(out);
    if (err) {
        char buf[DR_ERR_MSG_MAX + DR_ERR_CODE_MAX + 8];
        snprintf(buf, sizeof(buf), "%s%s%s", err->code, err->code[0] ? ": " : "", err->msg);
        y->r->v[tc->idx].error = strdup(buf);
        y->r->failed++;
    }
    y->pending--;
    free(tc);
}

static struct tagsync_change *add_change(struct sync *y)
{
    struct tagsync_result *r = y->r;

    if (r->n == y->cap) {
        size_t ncap = y->cap ? y->cap * 2 : 64;
        struct tagsync_change *nv = realloc(r->v, ncap * sizeof(*nv));
        if (!nv)
            return NULL;
        r->v = nv;
        y->cap = ncap;
    }
    memset(&r->v[r->n], 0, sizeof(r->v[0]));
    return &r->v[r->n++];
}

static void on_snapshot(void *ud, const struct discover_snapshot *sn)
{
    struct sync *y = ud;
    struct strmap inst;
    size_t i;
    json_t *x;

    strmap_init(&inst);
    json_array_foreach(sn->ec2, i, x)
    {
        const char *id = json_str_borrow(x, "InstanceId");
        if (id)
            strmap_put(&inst, id, x, NULL);
    }
    json_array_foreach(sn->servers, i, x)
    {
        json_t *hints =
            json_object_get(json_object_get(x, "sourceProperties"), "identificationHints");
        const char *iid = json_str_borrow(hints, "awsInstanceID");
        const char *arn = json_str_borrow(x, "arn"), *id = json_str_borrow(x, "sourceServerID");
        json_t *w = tagsync_wanted(x, iid ? strmap_get(&inst, iid) : NULL);
        const json_t *cur = json_object_get(x, "tags");
        struct tagsync_change *ch;
        const char *k;
        json_t *v;
        size_t total;

        if (!w) {
            y->oom = true;
            break;
        }
        if (json_object_size(w) == 0 || !arn || !id) {
            y->r->unchanged += json_object_size(w) == 0;
            json_decref(w);
            continue;
        }
        total = json_is_object(cur) ? json_object_size(cur) : 0;
        json_object_foreach(w, k, v) total += !json_object_get(cur, k);
        if (total > TAGSYNC_MAX_TAGS) {
            y->r->skipped++;
            json_decref(w);
            continue;
        }
        if (!(ch = add_change(y))) {
            json_decref(w);
            y->oom = true;
            break;
        }
        ch->account_id = strdup(sn->account_id);
        ch->region = strdup(sn->region);
        ch->source_server_id = strdup(id);
        ch->tags = w;
        if (!y->dry_run) {
            struct aws_call_req req;
            struct tagcall *tc = calloc(1, sizeof(*tc));
            json_t *in = json_pack("{s:s, s:O}", "resourceArn", arn, "tags", w);
            struct dr_err e;

            dr_err_clear(&e);
            memset(&req, 0, sizeof(req));
            req.service = "drs";
            req.operation = "TagResource";
            req.input = in;
            req.region = sn->region;
            req.sts_region = sn->sts_region;
            req.roles = sn->role;
            req.nroles = 1;
            if (tc) {
                tc->y = y;
                tc->idx = y->r->n - 1;
            }
            if (!tc || !in || aws_call_start(y->c, &req, on_tagged, tc, &e) < 0) {
                ch->error = strdup(e.msg[0] ? e.msg : "out of memory");
                y->r->failed++;
                free(tc);
            } else {
                y->pending++;
            }
            json_decref(in);
        }
    }
    strmap_cleanup(&inst, NULL);
}

int tags_sync(struct store *s, struct aws_client *c, const struct discover_opts *o, bool dry_run,
              struct tagsync_result *r, struct dr_err *err)
{
    struct discover_opts opts;
    struct sync y;
    int rc;

    memset(r, 0, sizeof(*r));
    memset(&y, 0, sizeof(y));
    if (o)
        opts = *o;
    else
        memset(&opts, 0, sizeof(opts));
    y.c = c;
    y.r = r;
    y.dry_run = dry_run;
    opts.on_snapshot = on_snapshot;
    opts.snapshot_ud = &y;
    rc = inventory_discover(s, c, &opts, &r->disc, err);
    while (y.pending > 0) {
        int lrc = aws_client_run_once(c, 1000, err);
        if (lrc < 0)
            return lrc;
    }
    if (rc == 0 && y.oom)
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
    return rc;
}

void tagsync_result_cleanup(struct tagsync_result *r)
{
    size_t i;

    for (i = 0; i < r->n; i++) {
        free(r->v[i].account_id);
        free(r->v[i].region);
        free(r->v[i].source_server_id);
        json_decref(r->v[i].tags);
        free(r->v[i].error);
    }
    free(r->v);
    discover_result_cleanup(&r->disc);
    memset(r, 0, sizeof(*r));
}

json_t *tagsync_to_json(const struct tagsync_result *r, bool dry_run)
{
    json_t *arr = json_array(), *o;
    size_t i;

    for (i = 0; arr && i < r->n; i++) {
        const struct tagsync_change *ch = &r->v[i];
        o = json_pack("{s:s, s:s, s:s, s:O, s:o}", "account_id", ch->account_id, "region",
                      ch->region, "source_server_id", ch->source_server_id, "tags", ch->tags,
                      "error", ch->error ? json_string(ch->error) : json_null());
        if (!o || json_array_append_new(arr, o) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    if (!arr)
        return NULL;
    return json_pack("{s:o, s:I, s:I, s:I, s:I, s:b, s:I}", "changes", arr, "changed",
                     (json_int_t)(r->n - r->failed), "unchanged", (json_int_t)r->unchanged,
                     "failed", (json_int_t)r->failed, "skipped", (json_int_t)r->skipped, "dry_run",
                     dry_run, "account_regions_failed", (json_int_t)r->disc.failed);
}

int tagsync_render_table(const struct tagsync_result *r, bool dry_run, struct buf *out,
                         struct dr_err *err)
{
    static const struct table_col cols[] = {
        {"ACCOUNT", TABLE_LEFT}, {"REGION", TABLE_LEFT}, {"SERVER ID", TABLE_LEFT},
        {"TAGS", TABLE_LEFT},    {"RESULT", TABLE_LEFT},
    };
    struct table t;
    struct buf tags;
    size_t i;
    int rc = 0;

    table_init(&t, cols, 5);
    buf_init(&tags, 1 << 20);
    for (i = 0; i < r->n && rc == 0; i++) {
        const struct tagsync_change *ch = &r->v[i];
        const char *cells[5], *k;
        json_t *v;
        buf_reset(&tags);
        json_object_foreach(ch->tags, k, v)
        {
            if (buf_addf(&tags, "%s%s=%s", tags.len ? "," : "", k, json_string_value(v)) < 0) {
                rc = dr_err_set(err, DR_ENOMEM, "out of memory");
                break;
            }
        }
        cells[0] = ch->account_id;
        cells[1] = ch->region;
        cells[2] = ch->source_server_id;
        cells[3] = tags.p ? tags.p : "";
        cells[4] = ch->error ? ch->error : dry_run ? "would tag" : "tagged";
        if (rc == 0)
            rc = table_add_row(&t, cells, err);
    }
    if (rc == 0)
        rc = table_render(&t, out, err);
    table_cleanup(&t);
    buf_cleanup(&tags);
    return rc;
}
