/*
 * resolve.c - protection group membership from the inventory (resolve.h).
 */
#include "plan/resolve.h"

#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"
#include "plan/plan.h"

static json_t *member_of(const struct store_server *sv)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:s?, s:I, s:b, s:o}", "account_id", sv->account_id,
                     "region", sv->region, "source_server_id", sv->source_server_id, "in_inventory",
                     1, "replication_state", sv->replication_state, "lag_seconds",
                     (json_int_t)sv->lag_seconds, "stale", sv->stale, "tags",
                     sv->tags ? json_incref(sv->tags) : json_object());
}

static bool account_region_registered(const struct store_account_list *al, const char *acct,
                                      const char *region)
{
    for (size_t i = 0; i < al->n; i++) {
        if (strcmp(al->v[i].account_id, acct) != 0)
            continue;
        for (size_t r = 0; r < al->v[i].nregions; r++)
            if (strcmp(al->v[i].regions[r], region) == 0)
                return true;
    }
    return false;
}

static int resolve_selector(struct store *st, const json_t *group, json_t *out, struct dr_err *err)
{
    const json_t *sel = json_object_get(group, "selector");
    const json_t *accts = json_object_get(sel, "accounts");
    const json_t *regions = json_object_get(sel, "regions");
    struct store_account_list al;
    struct store_server_list sl;
    struct store_server_filter f;
    struct store_tag_filter tags[64];
    const char *k;
    json_t *v;
    int rc;

    memset(&f, 0, sizeof(f));
    f.lag_over = -1;
    json_object_foreach((json_t *)json_object_get(sel, "tags"), k, v)
    {
        if (f.ntags == sizeof(tags) / sizeof(tags[0]))
            return dr_err_set(err, DR_EINVAL, "group %s: more than 64 selector tags",
                              json_str_borrow(group, "name"));
        tags[f.ntags].key = k;
        tags[f.ntags].value = json_string_value(v);
        f.ntags++;
    }
    f.tags = tags;
    memset(&al, 0, sizeof(al));
    memset(&sl, 0, sizeof(sl));
    if ((rc = store_account_list(st, &al, err)) < 0)
        return rc;
    if ((rc = store_servers_query(st, &f, &sl, err)) < 0) {
        store_account_list_cleanup(&al);
        return rc;
    }
    for (size_t i = 0; i < sl.n; i++) {
        const struct store_server *sv = &sl.v[i];
        if (json_array_size(accts) && !plan_list_has(accts, sv->account_id))
            continue;
        if (json_array_size(regions) ? !plan_list_has(regions, sv->region)
                                     : !account_region_registered(&al, sv->account_id, sv->region))
            continue;
        json_array_append_new(out, member_of(sv));
    }
    store_server_list_cleanup(&sl);
    store_account_list_cleanup(&al);
    return 0;
}

static int resolve_explicit(struct store *st, const json_t *list, json_t *out, struct dr_err *err)
{
    size_t i;
    json_t *e;

    json_array_foreach(list, i, e)
    {
        const char *acct = json_str_borrow(e, "account"), *region = json_str_borrow(e, "region");
        const char *id = json_str_borrow(e, "id");
        struct store_server_list sl;
        struct store_server_filter f;
        bool found = false;
        int rc;

        if (!acct || !region || !id)
            continue; /* plan_normalize rejected these already */
        memset(&f, 0, sizeof(f));
        memset(&sl, 0, sizeof(sl));
        f.account_id = acct;
        f.region = region;
        f.lag_over = -1;
        if ((rc = store_servers_query(st, &f, &sl, err)) < 0)
            return rc;
        for (size_t j = 0; j < sl.n && !found; j++) {
            if (strcmp(sl.v[j].source_server_id, id) == 0) {
                json_array_append_new(out, member_of(&sl.v[j]));
                found = true;
            }
        }
        store_server_list_cleanup(&sl);
        if (!found)
            json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:b, s:n, s:I, s:b, s:{}}",
                                                 "account_id", acct, "region", region,
                                                 "source_server_id", id, "in_inventory", 0,
                                                 "replication_state", "lag_seconds", (json_int_t)-1,
                                                 "stale", 0, "tags"));
    }
    return 0;
}

static int member_cmp(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    static const char *const keys[] = {"account_id", "region", "source_server_id"};
    for (size_t i = 0; i < 3; i++) {
        int c = strcmp(json_str_borrow(x, keys[i]), json_str_borrow(y, keys[i]));
        if (c)
            return c;
    }
    return 0;
}

int plan_resolve_group(struct store *st, const json_t *group, json_t **members, struct dr_err *err)
{
    json_t *raw = json_array(), *out;
    const json_t *list = json_object_get(group, "servers");
    json_t **v;
    size_t n, i;
    int rc;

    rc = list ? resolve_explicit(st, list, raw, err) : resolve_selector(st, group, raw, err);
    if (rc < 0) {
        json_decref(raw);
        return rc;
    }
    n = json_array_size(raw);
    out = json_array();
    if (n) {
        v = calloc(n, sizeof(*v));
        if (!v) {
            json_decref(raw);
            json_decref(out);
            return dr_err_set(err, DR_ENOMEM, "out of memory resolving a group");
        }
        for (i = 0; i < n; i++)
            v[i] = json_array_get(raw, i);
        qsort(v, n, sizeof(*v), member_cmp);
        for (i = 0; i < n; i++)
            if (i == 0 || member_cmp(&v[i - 1], &v[i]) != 0)
                json_array_append(out, v[i]);
        free(v);
    }
    json_decref(raw);
    *members = out;
    return 0;
}
