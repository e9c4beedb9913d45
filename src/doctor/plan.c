/*
 * plan.c - the checks of `doctor --plan NAME`: every protection group of
 * the plan selects servers (LAUNCH-002) and its explicit servers exist in
 * DRS (LAUNCH-001), resolved against the stored inventory when the CLI
 * passes its members (after drover discover), else against the source
 * servers just read with plan_group_matches; and the plan fits the DRS quotas of each
 * account-region: a wave's servers per job (QUOTA-001), the jobs of the
 * waves that run together (QUOTA-002) and the servers in active jobs at
 * once (QUOTA-003). Waves at the same depth of the dependency graph run
 * concurrently.
 */
#include "plan/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"
#include "doctor/internal.h"

static json_t *server_item(const struct dar *r, const json_t *s)
{
    json_t *tags = json_object_get(s, "tags");
    return json_pack("{s:s, s:s, s:s, s:O}", "account_id", r->acct->a->account_id, "region",
                     r->region, "source_server_id", json_str_borrow(s, "sourceServerID"), "tags",
                     tags ? tags : json_object());
}

static bool drs_has(const struct dar *r, const char *id)
{
    size_t j;
    json_t *s;
    json_array_foreach(dar_servers(r), j, s)
    {
        const char *sid = json_str_borrow(s, "sourceServerID");
        if (sid && id && !strcmp(sid, id))
            return true;
    }
    return false;
}

/* The same from the stored inventory's members: each must still be a DRS
 * source server (LAUNCH-001 when DescribeSourceServers no longer returns it). */
static json_t *resolve_inventory(struct dctx *d, const char *gname, const json_t *members)
{
    json_t *out = json_object();
    size_t i, n = 0;
    json_t *m;
    json_array_foreach(members, i, m)
    {
        const char *acct = json_str_borrow(m, "account_id"), *reg = json_str_borrow(m, "region");
        const char *id = json_str_borrow(m, "source_server_id");
        struct dar *r = acct && reg ? dctx_ar(d, acct, reg) : NULL;
        if (!r || !id)
            continue; /* outside --account/--region */
        n++;
        char k[96];
        snprintf(k, sizeof k, "%s|%s", acct, reg);
        if (!json_object_get(out, k))
            json_object_set_new(out, k, json_object());
        json_object_set_new(json_object_get(out, k), id, json_true());
        if (!r->acct->assumed || json_object_get(r->errors, "servers") || drs_has(r, id))
            continue;
        char ev[400];
        snprintf(ev, sizeof ev,
                 "group %s resolves to %s in %s/%s from the stored inventory (%s); "
                 "DescribeSourceServers there does not return it",
                 gname, id, acct, reg,
                 json_is_true(json_object_get(m, "in_inventory")) ? "drover discover"
                                                                  : "an explicit member");
        dfind(d, "LAUNCH-001", acct, reg, id, ev,
              "Run drover discover to refresh the inventory; if the server is gone, remove it "
              "from the group or re-install the DRS agent on it.",
              "server %s of group %s is not a DRS source server", id, gname);
    }
    if (n == 0)
        dfind(d, "LAUNCH-002", "", "", gname,
              "resolved against the stored inventory (drover discover), it has no member", NULL,
              "protection group %s selects no servers", gname);
    return out;
}

/* "acct|region" -> {server id: true} for the servers a group selects. */
static json_t *resolve(struct dctx *d, const char *gname, const json_t *g)
{
    const json_t *mem = d->o->members ? json_object_get(d->o->members, gname) : NULL;
    if (mem)
        return resolve_inventory(d, gname, mem);
    json_t *out = json_object();
    size_t n = 0;
    for (size_t i = 0; i < d->nars; i++) {
        struct dar *r = &d->ars[i];
        size_t j;
        json_t *s;
        char k[96];
        snprintf(k, sizeof k, "%s|%s", r->acct->a->account_id, r->region);
        json_array_foreach(dar_servers(r), j, s)
        {
            json_t *it = server_item(r, s);
            if (plan_group_matches(g, it)) {
                if (!json_object_get(out, k))
                    json_object_set_new(out, k, json_object());
                json_object_set_new(json_object_get(out, k), json_str_borrow(s, "sourceServerID"),
                                    json_true());
                n++;
            }
            json_decref(it);
        }
    }
    /* explicit members that DRS does not know */
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(g, "servers"), i, m)
    {
        const char *acct = json_str_borrow(m, "account"), *reg = json_str_borrow(m, "region");
        const char *id = json_str_borrow(m, "id");
        struct dar *r = acct && reg ? dctx_ar(d, acct, reg) : NULL;
        char k[96];
        snprintf(k, sizeof k, "%s|%s", acct ? acct : "", reg ? reg : "");
        if (!r || !r->acct->assumed || json_object_get(r->errors, "servers"))
            continue;
        if (!json_object_get(json_object_get(out, k), id ? id : "")) {
            char ev[300];
            snprintf(ev, sizeof ev,
                     "group %s lists %s in %s/%s; DescribeSourceServers there does "
                     "not return it",
                     gname, id, acct, reg);
            dfind(d, "LAUNCH-001", acct, reg, id, ev,
                  "Remove the server from the group or re-install the DRS agent on it.",
                  "server %s of group %s is not a DRS source server", id, gname);
        }
    }
    if (n == 0 && json_array_size(json_object_get(g, "servers")) == 0)
        dfind(d, "LAUNCH-002", "", "", gname, "its selector matches no source server", NULL,
              "protection group %s selects no servers", gname);
    return out;
}

json_t *dplan_group(struct dctx *d, const char *gname)
{
    json_t *set = json_object_get(d->resolved, gname);
    const json_t *g = json_object_get(d->o->groups, gname);
    if (set || !g)
        return set;
    set = resolve(d, gname, g);
    json_object_set_new(d->resolved, gname, set);
    return set;
}

/* "acct|region" -> its two parts. */
static void split_key(const char *k, char *acct, size_t na, char *region, size_t nr)
{
    const char *bar = strchr(k, '|');
    size_t la = bar ? (size_t)(bar - k) : strlen(k);
    if (la >= na)
        la = na - 1;
    memcpy(acct, k, la);
    acct[la] = 0;
    snprintf(region, nr, "%s", bar ? bar + 1 : "");
}

static int wave_index(const json_t *waves, const char *name)
{
    size_t i;
    json_t *w;
    json_array_foreach((json_t *)waves, i,
                       w) if (!strcmp(json_str_borrow(w, "name"), name)) return (int)i;
    return -1;
}

void dcheck_plan(struct dctx *d)
{
    const json_t *plan = d->o->plan;
    if (!plan)
        return;
    const char *pname = json_str_borrow(plan, "name");
    json_t *waves = json_object_get(plan, "waves");
    size_t nw = json_array_size(waves);
    size_t *order = NULL, no = 0;
    struct dr_err err;
    if (nw == 0 || plan_wave_order(plan, &order, &no, &err) < 0)
        return;
    int *depth = calloc(nw, sizeof(int));
    json_t *wsets = json_array(); /* per wave: "acct|region" -> {ids} */
    for (size_t i = 0; i < nw; i++)
        json_array_append_new(wsets, json_object());
    int maxdepth = 0;
    for (size_t oi = 0; oi < no; oi++) {
        size_t w = order[oi];
        json_t *wave = json_array_get(waves, w);
        size_t j;
        json_t *x;
        json_array_foreach(json_object_get(wave, "dependsOn"), j, x)
        {
            int di = wave_index(waves, json_string_value(x));
            if (di >= 0 && depth[di] + 1 > depth[w])
                depth[w] = depth[di] + 1;
        }
        if (depth[w] > maxdepth)
            maxdepth = depth[w];
        json_array_foreach(json_object_get(wave, "groups"), j, x)
        {
            json_t *set = dplan_group(d, json_string_value(x));
            if (!set)
                continue;
            const char *k;
            json_t *ids;
            json_object_foreach(set, k, ids)
            {
                json_t *ws = json_array_get(wsets, w);
                if (!json_object_get(ws, k))
                    json_object_set_new(ws, k, json_object());
                json_object_update(json_object_get(ws, k), ids);
            }
        }
    }
    for (int lvl = 0; lvl <= maxdepth; lvl++) {
        json_t *servers = json_object(), *jobs = json_object();
        for (size_t w = 0; w < nw; w++) {
            if (depth[w] != lvl)
                continue;
            const char *k;
            json_t *ids;
            json_object_foreach(json_array_get(wsets, w), k, ids)
            {
                char acct[16] = "", region[64] = "";
                split_key(k, acct, sizeof acct, region, sizeof region);
                struct dar *r = dctx_ar(d, acct, region);
                if (!r)
                    continue;
                double q1 = dar_quota(r, "L-DRS0001", 100);
                size_t n = json_object_size(ids);
                const char *wname = json_str_borrow(json_array_get(waves, w), "name");
                if (q1 >= 1 && n > (size_t)q1) {
                    char ev[300];
                    snprintf(ev, sizeof ev,
                             "wave %s: servers per job expected <= %.0f "
                             "(L-DRS0001), actual %zu",
                             wname, q1, n);
                    dfind(d, "QUOTA-001", acct, region, wname, ev,
                          "drover splits the wave into several jobs; raise L-DRS0001 to recover "
                          "it in one.",
                          "wave %s of plan %s needs %zu jobs in %s/%s", wname, pname,
                          (n + (size_t)q1 - 1) / (size_t)q1, acct, region);
                }
                if (!json_object_get(servers, k))
                    json_object_set_new(servers, k, json_object());
                json_object_update(json_object_get(servers, k), ids);
                json_int_t nj = json_integer_value(json_object_get(jobs, k));
                nj += q1 >= 1 ? (json_int_t)((n + (size_t)q1 - 1) / (size_t)q1) : 1;
                json_object_set_new(jobs, k, json_integer(nj));
            }
        }
        const char *k;
        json_t *ids;
        json_object_foreach(servers, k, ids)
        {
            char acct[16] = "", region[64] = "";
            split_key(k, acct, sizeof acct, region, sizeof region);
            struct dar *r = dctx_ar(d, acct, region);
            double q2 = dar_quota(r, "L-DRS0002", 20), q3 = dar_quota(r, "L-DRS0003", 500);
            size_t n = json_object_size(ids);
            json_int_t nj = json_integer_value(json_object_get(jobs, k));
            char ev[400];
            if (nj > (json_int_t)q2) {
                snprintf(ev, sizeof ev,
                         "waves at depth %d: concurrent jobs expected <= %.0f "
                         "(L-DRS0002), actual %lld",
                         lvl, q2, (long long)nj);
                dfind(d, "QUOTA-002", acct, region, pname, ev,
                      "Request an increase of L-DRS0002 or make the waves depend on each other.",
                      "plan %s starts %lld jobs at once in %s/%s, over the quota of %.0f", pname,
                      (long long)nj, acct, region, q2);
            }
            if (n > (size_t)q3) {
                snprintf(ev, sizeof ev,
                         "waves at depth %d: servers in active jobs expected <= "
                         "%.0f (L-DRS0003), actual %zu",
                         lvl, q3, n);
                char fix[300];
                snprintf(fix, sizeof fix,
                         "aws service-quotas request-service-quota-increase --service-code drs "
                         "--quota-code L-DRS0003 --desired-value %zu --region %s (or split the "
                         "wave)",
                         n, region);
                dfind(d, "QUOTA-003", acct, region, pname, ev, fix,
                      "plan %s recovers %zu servers at once in %s/%s, over the quota of %.0f",
                      pname, n, acct, region, q3);
            }
        }
        json_decref(servers);
        json_decref(jobs);
    }
    json_decref(wsets);
    free(depth);
    free(order);
}
