/*
 * apply.c - validate-then-store of group and plan documents (see apply.h).
 */
#include "plan/apply.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"

int plan_load_groups(struct store *st, json_t **groups, struct dr_err *err)
{
    struct store_doc_list l;
    json_t *g = json_object();
    size_t i;
    int rc;

    memset(&l, 0, sizeof(l));
    rc = store_doc_list(st, "ProtectionGroup", &l, err);
    if (rc < 0) {
        json_decref(g);
        return rc;
    }
    for (i = 0; i < l.n; i++)
        json_object_set(g, l.v[i].name, l.v[i].body);
    store_doc_list_cleanup(&l);
    *groups = g;
    return 0;
}

int plan_apply(struct store *st, const json_t *docs, const json_t *lines, struct plan_issues *is,
               json_t **results, struct dr_err *err)
{
    json_t *norm = json_array(), *groups = NULL, *d, *res = NULL;
    size_t i;
    int rc;

    if ((rc = plan_load_groups(st, &groups, err)) < 0)
        goto out;
    json_array_foreach(docs, i, d)
    {
        json_t *o = NULL;
        enum plan_kind kind;
        char prefix[32] = "";
        if (json_array_size(docs) > 1)
            snprintf(prefix, sizeof(prefix), "document %zu", i + 1);
        if (plan_normalize(d, json_array_get(lines, i), prefix, is, &o, &kind) < 0)
            continue;
        if (kind == PLAN_KIND_GROUP)
            json_object_set(groups, json_str_borrow(o, "name"), o);
        json_array_append_new(norm, o);
    }
    json_array_foreach(norm, i, d)
    {
        if (strcmp(json_str_borrow(d, "kind"), "RecoveryPlan") == 0)
            plan_check_refs(d, groups, is);
    }
    if (json_array_size(docs) == 0)
        plan_issue_add(is, NULL, false, "", "the file holds no documents");
    if (is->errors) {
        rc = -DR_EINVAL;
        goto out;
    }
    if ((rc = store_begin(st, err)) < 0)
        goto out;
    res = json_array();
    json_array_foreach(norm, i, d)
    {
        int64_t before = 0, after = 0;
        struct store_doc old;
        memset(&old, 0, sizeof(old));
        if (store_doc_get(st, json_str_borrow(d, "kind"), json_str_borrow(d, "name"), 0, &old,
                          NULL) == 0)
            before = old.version;
        store_doc_cleanup(&old);
        rc = store_doc_put(st, json_str_borrow(d, "kind"), json_str_borrow(d, "name"), d, &after,
                           err);
        if (rc < 0)
            break;
        json_array_append_new(res,
                              json_pack("{s:s,s:s,s:I,s:b}", "kind", json_str_borrow(d, "kind"),
                                        "name", json_str_borrow(d, "name"), "version",
                                        (json_int_t)after, "changed", after != before));
    }
    if (rc < 0) {
        store_rollback(st, NULL);
        json_decref(res);
        res = NULL;
        goto out;
    }
    if ((rc = store_commit(st, err)) < 0) {
        json_decref(res);
        res = NULL;
        goto out;
    }
    *results = res;
out:
    json_decref(norm);
    json_decref(groups);
    return rc;
}
