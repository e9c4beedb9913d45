/*
 * validate.c - plan validation against groups and the inventory, and the
 * DRS job split per wave (see validate.h). Reads the store; writes nothing.
 */
#include "plan/validate.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/duration.h"
#include "core/jsonutil.h"
#include "core/strmap.h"
#include "core/timeutil.h"
#include "plan/resolve.h"

#define SHOW_SERVERS 10 /* servers named in one message; the rest are counted */

/* One use of a group in a wave: waves[wave].groups[idx]. */
struct occ {
    size_t wave, idx;
    const char *group; /* borrowed from the plan */
};

struct vctx {
    struct store *st;
    const json_t *plan, *groups;
    struct plan_validate_opts o;
    struct plan_issues *is;
    struct store_account_list al;
    struct store_snapshot_list sl;
    struct strmap snaps; /* "account/region" -> struct store_snapshot * */
    json_t *resolved;    /* group name -> members */
    struct strmap owner; /* "account/region/id" -> occurrence index + 1 */
    struct occ *occs;
    size_t nocc, capocc;
    json_t *where;        /* "account/region" -> {"path","servers"}: where the plan uses it */
    json_t *undiscovered; /* "account/region" -> {"path","groups"}: in scope, no snapshot */
};

void plan_validate_opts_default(struct plan_validate_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->quotas.servers_per_job = 100;
    o->quotas.active_jobs = 20;
    o->quotas.active_servers = 500;
    o->max_inventory_age_seconds = 24 * 3600;
}

int64_t plan_jobs_for(int64_t n, const struct plan_quotas *q)
{
    int64_t per = q && q->servers_per_job > 0 ? q->servers_per_job : 100;
    return n <= 0 ? 0 : (n + per - 1) / per;
}

/* ---- small helpers ---- */

static void vissue(struct vctx *c, bool warning, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void vissue(struct vctx *c, bool warning, const char *path, const char *fmt, ...)
{
    struct buf m;
    va_list ap;

    buf_init(&m, 1 << 16);
    va_start(ap, fmt);
    if (buf_vaddf(&m, fmt, ap) < 0)
        buf_reset(&m);
    va_end(ap);
    plan_issue_add(c->is, c->o.lines, warning, path, "%s", m.p ? m.p : "");
    buf_cleanup(&m);
}

static void occ_path(struct buf *b, const struct occ *o)
{
    buf_init(b, 128);
    if (buf_addf(b, "waves[%zu].groups[%zu]", o->wave, o->idx) < 0)
        buf_reset(b);
}

static const char *wave_name(const struct vctx *c, size_t i)
{
    return json_str_borrow(json_array_get(json_object_get(c->plan, "waves"), i), "name");
}

static int key3(struct buf *b, const char *acct, const char *region, const char *id)
{
    buf_init(b, 512);
    return id ? buf_addf(b, "%s/%s/%s", acct, region, id) : buf_addf(b, "%s/%s", acct, region);
}

static void member_key(struct buf *b, const json_t *m)
{
    if (key3(b, json_str_borrow(m, "account_id"), json_str_borrow(m, "region"),
             json_str_borrow(m, "source_server_id")) < 0)
        buf_reset(b);
}

/* Appends s to the array under key in obj (creating it). */
static void bucket_add(json_t *obj, const char *key, const char *s)
{
    json_t *a = json_object_get(obj, key);
    if (!a) {
        a = json_array();
        json_object_set_new(obj, key, a);
    }
    json_array_append_new(a, json_string(s));
}

/* "a, b, c and 4 more" for an array of strings. */
static void list_text(struct buf *b, const json_t *arr)
{
    size_t i, n = json_array_size(arr);
    buf_init(b, 1 << 14);
    for (i = 0; i < n && i < SHOW_SERVERS; i++)
        if (buf_addf(b, "%s%s", i ? ", " : "", json_string_value(json_array_get(arr, i))) < 0)
            return;
    if (n > SHOW_SERVERS && buf_addf(b, " and %zu more", n - SHOW_SERVERS) < 0)
        buf_reset(b);
}

static bool str_in(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

static const struct store_account *account_of(const struct vctx *c, const char *id)
{
    for (size_t i = 0; i < c->al.n; i++)
        if (strcmp(c->al.v[i].account_id, id) == 0)
            return &c->al.v[i];
    return NULL;
}

static const struct store_snapshot *snap_of(const struct vctx *c, const char *acct,
                                            const char *region)
{
    struct buf k;
    const struct store_snapshot *s = NULL;
    if (key3(&k, acct, region, NULL) == 0)
        s = strmap_get(&c->snaps, k.p);
    buf_cleanup(&k);
    return s;
}

/* ---- group checks (once per group) ---- */

static void describe_selector(struct buf *b, const json_t *sel)
{
    const json_t *a = json_object_get(sel, "accounts"), *r = json_object_get(sel, "regions"), *v;
    const char *k;
    size_t i;
    int n = 0;

    buf_init(b, 4096);
    if (buf_adds(b, "accounts ") < 0)
        return;
    if (!json_array_size(a) && buf_adds(b, "(all registered)") < 0)
        return;
    json_array_foreach(a, i, v)
    {
        if (buf_addf(b, "%s%s", i ? "," : "", json_string_value(v)) < 0)
            return;
    }
    if (buf_adds(b, ", regions ") < 0)
        return;
    if (!json_array_size(r) && buf_adds(b, "(each account's)") < 0)
        return;
    json_array_foreach(r, i, v)
    {
        if (buf_addf(b, "%s%s", i ? "," : "", json_string_value(v)) < 0)
            return;
    }
    if (buf_adds(b, ", tags ") < 0)
        return;
    json_object_foreach((json_t *)json_object_get(sel, "tags"), k, v)
    {
        if (buf_addf(b, "%s%s=%s", n++ ? "," : "", k, json_string_value(v)) < 0)
            return;
    }
    if (!n && buf_adds(b, "(any)") < 0)
        buf_reset(b);
}

static void undiscovered_add(const struct vctx *c, json_t *list, const char *acct,
                             const char *region)
{
    struct buf k;
    if (snap_of(c, acct, region))
        return;
    if (key3(&k, acct, region, NULL) == 0)
        json_array_append_new(list, json_string(k.p));
    buf_cleanup(&k);
}

/* Account-regions a selector covers that the inventory cannot answer for. */
static void selector_scope(struct vctx *c, const char *path, const char *gname, const json_t *sel)
{
    const json_t *accts = json_object_get(sel, "accounts"),
                 *regions = json_object_get(sel, "regions");
    json_t *unreg = json_array(), *undisc = json_array(), *v;
    struct buf t;
    size_t i, j;

    json_array_foreach(accts, i, v)
    {
        if (!account_of(c, json_string_value(v)))
            json_array_append(unreg, v);
    }
    for (i = 0; i < c->al.n; i++) {
        const struct store_account *a = &c->al.v[i];
        if (json_array_size(accts) && !plan_list_has(accts, a->account_id))
            continue;
        if (json_array_size(regions)) {
            json_array_foreach(regions, j, v)
            {
                undiscovered_add(c, undisc, a->account_id, json_string_value(v));
            }
        } else {
            for (j = 0; j < a->nregions; j++) {
                undiscovered_add(c, undisc, a->account_id, a->regions[j]);
            }
        }
    }
    if (json_array_size(unreg)) {
        list_text(&t, unreg);
        vissue(c, true, path,
               "group '%s' selects account(s) that are not registered, so they add no servers: "
               "%s (drover accounts add)",
               gname, t.p);
        buf_cleanup(&t);
    }
    json_array_foreach(undisc, i, v)
    {
        json_t *u = json_object_get(c->undiscovered, json_string_value(v));
        if (!u) {
            u = json_pack("{s:s,s:[]}", "path", path, "groups");
            json_object_set_new(c->undiscovered, json_string_value(v), u);
        }
        json_array_append_new(json_object_get(u, "groups"), json_string(gname));
    }
    json_decref(unreg);
    json_decref(undisc);
}

static void missing_reason(struct vctx *c, const json_t *m, struct buf *out)
{
    const char *acct = json_str_borrow(m, "account_id"), *region = json_str_borrow(m, "region");
    const char *why;
    struct buf k;

    if (!account_of(c, acct))
        why = "account not registered";
    else if (!snap_of(c, acct, region))
        why = "account-region never discovered";
    else
        why = "not in that account-region's inventory";
    member_key(&k, m);
    buf_init(out, 1024);
    if (buf_addf(out, "%s (%s)", k.p ? k.p : "?", why) < 0)
        buf_reset(out);
    buf_cleanup(&k);
}

static void group_checks(struct vctx *c, const struct occ *o, const json_t *group,
                         const json_t *members)
{
    const json_t *sel = json_object_get(group, "selector"), *m;
    struct buf p, t;
    size_t i;

    occ_path(&p, o);
    if (!json_object_get(group, "servers")) {
        selector_scope(c, p.p, o->group, sel);
        if (json_array_size(members) == 0) {
            describe_selector(&t, sel);
            vissue(c, false, p.p,
                   "group '%s': the selector matches no server in the inventory (%s)", o->group,
                   t.p ? t.p : "");
            buf_cleanup(&t);
        }
    } else {
        json_t *missing = json_array();
        json_array_foreach(members, i, m)
        {
            if (!json_is_true(json_object_get(m, "in_inventory"))) {
                missing_reason(c, m, &t);
                json_array_append_new(missing, json_string(t.p ? t.p : ""));
                buf_cleanup(&t);
            }
        }
        if (json_array_size(missing)) {
            list_text(&t, missing);
            if (json_array_size(missing) == json_array_size(members))
                vissue(c, false, p.p,
                       "group '%s': none of its %zu listed server(s) is in the inventory: %s",
                       o->group, json_array_size(members), t.p);
            else
                vissue(c, false, p.p,
                       "group '%s': %zu of its %zu listed server(s) are not in the inventory: %s",
                       o->group, json_array_size(missing), json_array_size(members), t.p);
            buf_cleanup(&t);
        }
        json_decref(missing);
    }
    buf_cleanup(&p);
}

/* ---- per occurrence: overlaps and replication health ---- */

/* States with no recovery point: a launch cannot succeed. */
static const char *const no_recovery_point[] = {"INITIATING", "INITIAL_SYNC", "STOPPED", NULL};

static void report_states(struct vctx *c, const char *path, const char *gname, json_t *by_state,
                          bool warning)
{
    const char *st;
    json_t *ids;
    struct buf t;

    json_object_foreach(by_state, st, ids)
    {
        list_text(&t, ids);
        if (warning)
            vissue(c, true, path,
                   "group '%s': %zu server(s) are not replicating continuously (replication %s): "
                   "%s",
                   gname, json_array_size(ids), st, t.p);
        else
            vissue(c, false, path,
                   "group '%s': %zu server(s) have no recovery point (replication %s) and cannot "
                   "be recovered: %s",
                   gname, json_array_size(ids), st, t.p);
        buf_cleanup(&t);
    }
}

static void health_check(struct vctx *c, const struct occ *o, const json_t *members)
{
    json_t *errs = json_object(), *warns = json_object(), *unknown = json_array();
    json_t *lagging = json_array(), *m;
    int64_t rpo = json_int_or(c->plan, "rpoTargetMinutes", 0) * 60;
    struct buf p, t, key;
    size_t i;

    json_array_foreach(members, i, m)
    {
        const char *state = json_str_borrow(m, "replication_state");
        int64_t lag = json_int_or(m, "lag_seconds", -1);
        if (!json_is_true(json_object_get(m, "in_inventory")))
            continue; /* reported by group_checks */
        member_key(&key, m);
        if (!state)
            json_array_append_new(unknown, json_string(key.p));
        else if (str_in(state, no_recovery_point)) {
            bucket_add(errs, state, key.p);
            buf_cleanup(&key);
            continue; /* its lag means nothing */
        } else if (strcmp(state, "CONTINUOUS") != 0)
            bucket_add(warns, state, key.p);
        if (rpo > 0 && lag > rpo) {
            char d[32];
            duration_format_short(lag, d, sizeof(d));
            buf_init(&t, 1024);
            if (buf_addf(&t, "%s (lag %s)", key.p, d) == 0)
                json_array_append_new(lagging, json_string(t.p));
            buf_cleanup(&t);
        }
        buf_cleanup(&key);
    }
    occ_path(&p, o);
    report_states(c, p.p, o->group, errs, false);
    report_states(c, p.p, o->group, warns, true);
    if (json_array_size(unknown)) {
        list_text(&t, unknown);
        vissue(c, true, p.p, "group '%s': %zu server(s) have no replication state: %s", o->group,
               json_array_size(unknown), t.p);
        buf_cleanup(&t);
    }
    if (json_array_size(lagging)) {
        list_text(&t, lagging);
        vissue(c, true, p.p,
               "group '%s': %zu server(s) lag more than the plan's RPO target of %lld "
               "minute(s): %s",
               o->group, json_array_size(lagging), (long long)(rpo / 60), t.p);
        buf_cleanup(&t);
    }
    buf_cleanup(&p);
    json_decref(errs);
    json_decref(warns);
    json_decref(unknown);
    json_decref(lagging);
}

/* A server in two groups: one issue per pair of group uses, naming both. */
static int overlap_check(struct vctx *c, size_t oi, const json_t *members, struct dr_err *err)
{
    json_t *shared = json_object(), *m, *ids;
    const char *k;
    struct buf key, p, q, t;
    size_t i;

    json_array_foreach(members, i, m)
    {
        uintptr_t prev;
        member_key(&key, m);
        if (!key.p) {
            json_decref(shared);
            return dr_err_set(err, DR_ENOMEM, "out of memory validating the plan");
        }
        prev = (uintptr_t)strmap_get(&c->owner, key.p);
        if (prev && strcmp(c->occs[prev - 1].group, c->occs[oi].group) != 0) {
            char ks[32];
            snprintf(ks, sizeof(ks), "%zu", (size_t)(prev - 1));
            bucket_add(shared, ks, key.p);
        } else if (!prev && strmap_put(&c->owner, key.p, (void *)(oi + 1), NULL) < 0) {
            buf_cleanup(&key);
            json_decref(shared);
            return dr_err_set(err, DR_ENOMEM, "out of memory validating the plan");
        }
        buf_cleanup(&key);
    }
    occ_path(&p, &c->occs[oi]);
    json_object_foreach(shared, k, ids)
    {
        const struct occ *po = &c->occs[strtoul(k, NULL, 10)];
        occ_path(&q, po);
        list_text(&t, ids);
        vissue(c, false, p.p,
               "%zu server(s) of group '%s' (wave '%s') are also in group '%s' (wave '%s', %s); "
               "a server may be in one group of a plan: %s",
               json_array_size(ids), c->occs[oi].group, wave_name(c, c->occs[oi].wave), po->group,
               wave_name(c, po->wave), q.p, t.p);
        buf_cleanup(&q);
        buf_cleanup(&t);
    }
    buf_cleanup(&p);
    json_decref(shared);
    return 0;
}

/* ---- quotas ---- */

static void quota_text(struct buf *b, const struct plan_quotas *q)
{
    buf_init(b, 256);
    if (buf_addf(b,
                 "DRS runs at most %lld job(s) and %lld server(s) at a time in an account-region",
                 (long long)q->active_jobs, (long long)q->active_servers) < 0)
        buf_reset(b);
}

/* One wave alone needs more than the active-job quotas of an account-region. */
static void wave_quota_notes(struct vctx *c, size_t wi, const json_t *jobs)
{
    const struct plan_quotas *q = &c->o.quotas;
    const json_t *j;
    struct buf p, qt;
    size_t i;

    buf_init(&p, 64);
    if (buf_addf(&p, "waves[%zu]", wi) < 0)
        buf_reset(&p);
    quota_text(&qt, q);
    json_array_foreach(jobs, i, j)
    {
        int64_t n = json_int_or(j, "servers", 0), k = json_int_or(j, "jobs", 0);
        if (n > q->active_servers || k > q->active_jobs)
            vissue(c, true, p.p,
                   "wave '%s' has %lld server(s) in %s/%s, split into %lld job(s) of at most "
                   "%lld; %s, so the rest are queued until running jobs end",
                   wave_name(c, wi), (long long)n, json_str_borrow(j, "account_id"),
                   json_str_borrow(j, "region"), (long long)k, (long long)q->servers_per_job, qt.p);
    }
    buf_cleanup(&qt);
    buf_cleanup(&p);
}

/*
 * Waves with no dependency path between them may run at the same time and
 * share an account-region's quotas. Reports each such set once.
 */
static void concurrent_quota_notes(struct vctx *c, const json_t *waves_out)
{
    const json_t *waves = json_object_get(c->plan, "waves");
    const struct plan_quotas *q = &c->o.quotas;
    size_t n = json_array_size(waves), *order = NULL, no = 0, i, k, x;
    bool *anc = NULL;
    json_t *counts = json_array(), *w, *j, *d;
    struct strmap seen;

    strmap_init(&seen);
    if (n < 2 || plan_wave_order(c->plan, &order, &no, NULL) < 0)
        goto out;
    if (!(anc = calloc(n * n, sizeof(*anc))))
        goto out;
    for (x = 0; x < no; x++) {
        size_t wi = order[x], y;
        json_array_foreach(json_object_get(json_array_get(waves, wi), "dependsOn"), y, d)
        {
            ssize_t u = plan_wave_index(waves, json_string_value(d));
            if (u < 0)
                continue;
            anc[wi * n + (size_t)u] = true;
            for (k = 0; k < n; k++)
                anc[wi * n + k] = anc[wi * n + k] || anc[(size_t)u * n + k];
        }
    }
    /* counts[i]: "account/region" -> [servers, jobs] */
    json_array_foreach(waves_out, i, w)
    {
        json_t *o = json_object();
        size_t y;
        json_array_foreach(json_object_get(w, "jobs"), y, j)
        {
            struct buf key;
            if (key3(&key, json_str_borrow(j, "account_id"), json_str_borrow(j, "region"), NULL) ==
                0)
                json_object_set_new(o, key.p,
                                    json_pack("[I,I]", (json_int_t)json_int_or(j, "servers", 0),
                                              (json_int_t)json_int_or(j, "jobs", 0)));
            buf_cleanup(&key);
        }
        json_array_append_new(counts, o);
    }
    for (i = 0; i < n; i++) {
        const char *ar;
        json_t *mine;
        json_object_foreach(json_array_get(counts, i), ar, mine)
        {
            int64_t servers = 0, jobs = 0;
            size_t others = 0;
            struct buf set, names, p, qt;
            buf_init(&set, 4096);
            buf_init(&names, 4096);
            for (k = 0; k < n; k++) {
                json_t *theirs = json_object_get(json_array_get(counts, k), ar);
                bool with = k == i || (theirs && !anc[i * n + k] && !anc[k * n + i]);
                if (!with)
                    continue;
                servers += json_integer_value(json_array_get(theirs, 0));
                jobs += json_integer_value(json_array_get(theirs, 1));
                if (buf_addf(&set, "%zu,", k) < 0)
                    break;
                if (k != i && buf_addf(&names, "%s'%s'", others++ ? ", " : "", wave_name(c, k)) < 0)
                    break;
            }
            if (others && (servers > q->active_servers || jobs > q->active_jobs) && set.p &&
                buf_addf(&set, "%s", ar) == 0 && !strmap_get(&seen, set.p) &&
                strmap_put(&seen, set.p, (void *)1, NULL) == 0) {
                buf_init(&p, 64);
                quota_text(&qt, q);
                if (buf_addf(&p, "waves[%zu]", i) == 0)
                    vissue(c, true, p.p,
                           "wave '%s' may run at the same time as wave(s) %s (no dependency "
                           "between them): together up to %lld server(s) in %lld job(s) in %s; "
                           "%s, so some jobs will be queued",
                           wave_name(c, i), names.p, (long long)servers, (long long)jobs, ar, qt.p);
                buf_cleanup(&p);
                buf_cleanup(&qt);
            }
            buf_cleanup(&set);
            buf_cleanup(&names);
        }
    }
out:
    strmap_cleanup(&seen, NULL);
    free(anc);
    free(order);
    json_decref(counts);
}

/* ---- inventory freshness ---- */

static void inventory_notes(struct vctx *c)
{
    const char *ar;
    json_t *w;
    struct buf t;

    json_object_foreach(c->undiscovered, ar, w)
    {
        const json_t *gs = json_object_get(w, "groups");
        list_text(&t, gs);
        vissue(c, true, json_str_borrow(w, "path"),
               "%s is registered but was never discovered, so the servers there of %zu group(s) "
               "are unknown: %s (drover discover)",
               ar, json_array_size(gs), t.p);
        buf_cleanup(&t);
    }

    json_object_foreach(c->where, ar, w)
    {
        const struct store_snapshot *sn = strmap_get(&c->snaps, ar);
        const char *path = json_str_borrow(w, "path");
        long long n = (long long)json_int_or(w, "servers", 0);
        int64_t age_s;
        char age[32];

        if (!sn)
            continue;
        age_s = sn->fetched_at > 0 ? (c->o.now_ms - sn->fetched_at) / 1000 : -1;
        duration_format_short(age_s > 0 ? age_s : 0, age, sizeof(age));
        if (sn->stale)
            vissue(c, true, path,
                   "the inventory of %s is stale: its last refresh failed (%s); %lld server(s) "
                   "of this plan there are as seen %s ago (drover discover)",
                   ar, sn->last_error ? sn->last_error : "unknown error", n,
                   sn->fetched_at > 0 ? age : "never");
        else if (c->o.max_inventory_age_seconds > 0 && age_s > c->o.max_inventory_age_seconds)
            vissue(c, true, path,
                   "the inventory of %s is %s old; %lld server(s) of this plan there may have "
                   "changed (drover discover)",
                   ar, age, n);
    }
}

/* ---- the whole plan ---- */

static int add_occ(struct vctx *c, size_t wave, size_t idx, const char *group, struct dr_err *err)
{
    if (c->nocc == c->capocc) {
        size_t nc = c->capocc ? c->capocc * 2 : 16;
        struct occ *nv = realloc(c->occs, nc * sizeof(*nv));
        if (!nv)
            return dr_err_set(err, DR_ENOMEM, "out of memory validating the plan");
        c->occs = nv;
        c->capocc = nc;
    }
    c->occs[c->nocc].wave = wave;
    c->occs[c->nocc].idx = idx;
    c->occs[c->nocc].group = group;
    c->nocc++;
    return 0;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* {"name","servers","jobs":[...],"members"} of one wave from its members and per-AR counts. */
static json_t *wave_report(const struct vctx *c, const char *name, json_t *members, json_t *counts)
{
    size_t n = json_object_size(counts), i = 0;
    const char **keys = calloc(n ? n : 1, sizeof(*keys));
    json_t *jobs = json_array(), *v;
    const char *k;

    if (!keys)
        return NULL;
    json_object_foreach(counts, k, v) keys[i++] = k;
    qsort(keys, n, sizeof(*keys), key_cmp);
    for (i = 0; i < n; i++) {
        const char *slash = strchr(keys[i], '/');
        int64_t cnt = json_integer_value(json_object_get(counts, keys[i]));
        json_t *acct = json_stringn(keys[i], slash ? (size_t)(slash - keys[i]) : 0);
        json_array_append_new(jobs,
                              json_pack("{s:o,s:s,s:I,s:I}", "account_id", acct, "region",
                                        slash ? slash + 1 : "", "servers", (json_int_t)cnt, "jobs",
                                        (json_int_t)plan_jobs_for(cnt, &c->o.quotas)));
    }
    free(keys);
    return json_pack("{s:s,s:I,s:o,s:O}", "name", name ? name : "", "servers",
                     (json_int_t)json_array_size(members), "jobs", jobs, "members", members);
}

/* Adds a group use's members to its wave (once per server) and to the plan's account-regions. */
static int wave_add(struct vctx *c, size_t oi, const json_t *members, struct strmap *seen,
                    json_t *wm, json_t *counts, struct dr_err *err)
{
    const json_t *m;
    struct buf key, ar;
    size_t i;

    json_array_foreach(members, i, m)
    {
        json_t *copy, *w;
        member_key(&key, m);
        if (!key.p || strmap_get(seen, key.p)) {
            bool oom = !key.p;
            buf_cleanup(&key);
            if (oom)
                return dr_err_set(err, DR_ENOMEM, "out of memory validating the plan");
            continue;
        }
        if (strmap_put(seen, key.p, (void *)1, NULL) < 0) {
            buf_cleanup(&key);
            return dr_err_set(err, DR_ENOMEM, "out of memory validating the plan");
        }
        buf_cleanup(&key);
        copy = json_copy((json_t *)m);
        json_object_set_new(copy, "group", json_string(c->occs[oi].group));
        json_array_append_new(wm, copy);
        if (key3(&ar, json_str_borrow(m, "account_id"), json_str_borrow(m, "region"), NULL) < 0) {
            buf_cleanup(&ar);
            return dr_err_set(err, DR_ENOMEM, "out of memory validating the plan");
        }
        json_object_set_new(counts, ar.p, json_integer(json_int_or(counts, ar.p, 0) + 1));
        if (json_is_true(json_object_get(m, "in_inventory"))) {
            if (!(w = json_object_get(c->where, ar.p))) {
                struct buf p;
                occ_path(&p, &c->occs[oi]);
                w = json_pack("{s:s,s:I}", "path", p.p ? p.p : "", "servers", (json_int_t)0);
                json_object_set_new(c->where, ar.p, w);
                buf_cleanup(&p);
            }
            json_object_set_new(w, "servers", json_integer(json_int_or(w, "servers", 0) + 1));
        }
        buf_cleanup(&ar);
    }
    return 0;
}

/* An earlier use of the same group in this plan, or -1. */
static ssize_t earlier_use(const struct vctx *c, size_t oi)
{
    for (size_t i = 0; i < oi; i++)
        if (strcmp(c->occs[i].group, c->occs[oi].group) == 0)
            return (ssize_t)i;
    return -1;
}

static int validate_group_use(struct vctx *c, size_t oi, const json_t *group, struct strmap *seen,
                              json_t *wm, json_t *counts, struct dr_err *err)
{
    const struct occ *o = &c->occs[oi];
    json_t *members = json_object_get(c->resolved, o->group);
    ssize_t prev = earlier_use(c, oi);
    int rc;

    if (!members) {
        if ((rc = plan_resolve_group(c->st, group, &members, err)) < 0)
            return rc;
        json_object_set_new(c->resolved, o->group, members);
        group_checks(c, o, group, members);
    }
    if (prev >= 0) {
        struct buf p, q;
        occ_path(&p, o);
        occ_path(&q, &c->occs[prev]);
        vissue(c, false, p.p,
               "group '%s' is already used by wave '%s' (%s); a group may be used once in a plan",
               o->group, wave_name(c, c->occs[prev].wave), q.p);
        buf_cleanup(&p);
        buf_cleanup(&q);
    } else {
        if ((rc = overlap_check(c, oi, members, err)) < 0)
            return rc;
        health_check(c, o, members);
    }
    return wave_add(c, oi, members, seen, wm, counts, err);
}

int plan_validate(struct store *st, const json_t *plan, const json_t *groups,
                  const struct plan_validate_opts *opts, struct plan_issues *is, json_t **report,
                  struct dr_err *err)
{
    struct vctx c;
    json_t *waves = json_object_get(plan, "waves"), *out = json_array(), *w, *g;
    size_t i, j, before = is->n;
    int rc = 0;

    memset(&c, 0, sizeof(c));
    c.st = st;
    c.plan = plan;
    c.groups = groups;
    c.is = is;
    if (opts)
        c.o = *opts;
    else
        plan_validate_opts_default(&c.o);
    if (c.o.quotas.servers_per_job <= 0 || c.o.quotas.active_jobs <= 0 ||
        c.o.quotas.active_servers <= 0) {
        json_decref(out);
        return dr_err_set(err, DR_EINVAL, "quotas must be positive");
    }
    if (!c.o.now_ms)
        c.o.now_ms = time_now_ms();
    strmap_init(&c.snaps);
    strmap_init(&c.owner);
    c.resolved = json_object();
    c.where = json_object();
    c.undiscovered = json_object();

    plan_check_refs(plan, groups, is);
    for (i = before; i < is->n; i++)
        if (!is->v[i].line)
            is->v[i].line = plan_line_of(c.o.lines, is->v[i].path);

    if ((rc = store_account_list(st, &c.al, err)) < 0 ||
        (rc = store_snapshot_list(st, &c.sl, err)) < 0)
        goto out;
    for (i = 0; i < c.sl.n; i++) {
        struct buf k;
        if (key3(&k, c.sl.v[i].account_id, c.sl.v[i].region, NULL) < 0 ||
            strmap_put(&c.snaps, k.p, &c.sl.v[i], NULL) < 0) {
            buf_cleanup(&k);
            rc = dr_err_set(err, DR_ENOMEM, "out of memory validating the plan");
            goto out;
        }
        buf_cleanup(&k);
    }

    json_array_foreach(waves, i, w)
    {
        json_t *wm = json_array(), *counts = json_object(), *wr;
        struct strmap seen;

        strmap_init(&seen);
        json_array_foreach(json_object_get(w, "groups"), j, g)
        {
            const char *gname = json_string_value(g);
            const json_t *group = json_object_get(groups, gname ? gname : "");
            if (!group)
                continue; /* reported by plan_check_refs */
            if ((rc = add_occ(&c, i, j, gname, err)) < 0 ||
                (rc = validate_group_use(&c, c.nocc - 1, group, &seen, wm, counts, err)) < 0)
                break;
        }
        strmap_cleanup(&seen, NULL);
        wr = rc < 0 ? NULL : wave_report(&c, json_str_borrow(w, "name"), wm, counts);
        json_decref(wm);
        json_decref(counts);
        if (rc < 0)
            goto out;
        if (!wr) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory validating the plan");
            goto out;
        }
        json_array_append_new(out, wr);
        wave_quota_notes(&c, i, json_object_get(wr, "jobs"));
    }
    concurrent_quota_notes(&c, out);
    inventory_notes(&c);
    *report = json_pack("{s:O}", "waves", out);
    if (!*report)
        rc = dr_err_set(err, DR_ENOMEM, "out of memory validating the plan");
out:
    json_decref(out);
    json_decref(c.resolved);
    json_decref(c.where);
    json_decref(c.undiscovered);
    strmap_cleanup(&c.snaps, NULL);
    strmap_cleanup(&c.owner, NULL);
    free(c.occs);
    store_account_list_cleanup(&c.al);
    store_snapshot_list_cleanup(&c.sl);
    return rc;
}
