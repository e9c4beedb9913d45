/*
 * create.c - creating executions (engine.h): a plan run (DRILL, RECOVERY)
 * with its groups resolved against the inventory, or the CLEANUP of a
 * drill. The record holds a self-contained spec, so later edits of the
 * plan or the inventory do not change a running execution.
 *
 * Spec (JSON, stored on the execution):
 *   {"plan": normalized plan, "groups": {name: group},
 *    "waves": [{"name","dependsOn":[wave idx],"pauseBefore","maxFailedServers",
 *               "retries","timeoutSeconds","preActions","postActions"}],
 *    "launch": {"ACCOUNT/REGION/SERVER": launch settings},
 *    "cleanup_of": drill ID (CLEANUP only)}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/jsonutil.h"
#include "core/timeutil.h"
#include "engine/internal.h"
#include "plan/apply.h"
#include "plan/plan.h"
#include "plan/resolve.h"
#include "plan/validate.h"

static int new_id(char **out, struct dr_err *err)
{
    char hex[17];

    if (crypto_random_hex(hex, 8, err) < 0)
        return -DR_EINTERNAL;
    *out = malloc(20);
    if (!*out)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    snprintf(*out, 20, "ex-%s", hex);
    return 0;
}

/* Launch settings of one server: the group's, overlaid with its per-server entry. */
static json_t *launch_for(const json_t *group, const char *sid)
{
    const json_t *l = json_object_get(group, "launch");
    json_t *out, *per;

    if (!json_is_object(l))
        return NULL;
    out = json_deep_copy(l);
    json_object_del(out, "servers");
    per = json_object_get(json_object_get(l, "servers"), sid);
    if (json_is_object(per))
        json_object_update(out, per);
    if (json_object_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static int add_members(struct store *st, const json_t *group, const char *gname, int widx,
                       const char *wname, json_t *seen, json_t *launch, struct store_exec_full *f,
                       size_t *cap, struct dr_err *err)
{
    json_t *members = NULL, *m;
    size_t i;
    int rc;

    if ((rc = plan_resolve_group(st, group, &members, err)) < 0)
        return rc;
    json_array_foreach(members, i, m)
    {
        char key[256];
        const char *prev;
        json_t *l;
        struct store_exec_server *sv;

        snprintf(key, sizeof(key), "%s/%s/%s", json_str_borrow(m, "account_id"),
                 json_str_borrow(m, "region"), json_str_borrow(m, "source_server_id"));
        if ((prev = json_str_borrow(seen, key))) {
            rc = dr_err_set(err, DR_EINVAL,
                            "server %s is in group %s and in group %s (wave %s): a server can "
                            "be recovered only once per execution",
                            key, prev, gname, wname);
            goto out;
        }
        {
            char where[192];
            snprintf(where, sizeof(where), "%s (wave %s)", gname, wname);
            json_object_set_new(seen, key, json_string(where));
        }
        if ((l = launch_for(group, json_str_borrow(m, "source_server_id"))))
            json_object_set_new(launch, key, l);
        if (f->nservers == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            struct store_exec_server *nv = realloc(f->servers, nc * sizeof(*nv));
            if (!nv) {
                rc = dr_err_set(err, DR_ENOMEM, "out of memory");
                goto out;
            }
            f->servers = nv;
            *cap = nc;
        }
        sv = &f->servers[f->nservers++];
        memset(sv, 0, sizeof(*sv));
        sv->account_id = strdup(json_str_borrow(m, "account_id"));
        sv->region = strdup(json_str_borrow(m, "region"));
        sv->source_server_id = strdup(json_str_borrow(m, "source_server_id"));
        sv->state = strdup("PENDING");
        sv->wave_idx = widx;
        if (!sv->account_id || !sv->region || !sv->source_server_id || !sv->state) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(members);
    return rc;
}

static int build_waves(struct store *st, const json_t *plan, const json_t *groups, json_t *spec,
                       struct store_exec_full *f, struct dr_err *err)
{
    const json_t *waves = json_object_get(plan, "waves");
    json_t *sw = json_array(), *seen = json_object(), *launch = json_object(), *w, *g;
    size_t i, j, cap = 0;
    int rc = 0;

    json_object_set_new(spec, "waves", sw);
    json_object_set_new(spec, "launch", launch);
    f->nwaves = json_array_size(waves);
    f->waves = calloc(f->nwaves ? f->nwaves : 1, sizeof(*f->waves));
    if (!f->waves) {
        json_decref(seen);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    json_array_foreach(waves, i, w)
    {
        json_t *deps = json_array(), *d;
        const char *wname = json_str_borrow(w, "name");

        json_array_foreach(json_object_get(w, "dependsOn"), j, d)
            json_array_append_new(deps, json_integer(plan_wave_index(waves, json_string_value(d))));
        json_array_append_new(
            sw, json_pack("{s:s, s:o, s:b, s:I, s:I, s:I, s:O?, s:O?}", "name", wname, "dependsOn",
                          deps, "pauseBefore", json_bool_or(w, "pauseBefore", false),
                          "maxFailedServers", (json_int_t)json_int_or(w, "maxFailedServers", 0),
                          "retries", (json_int_t)json_int_or(w, "retries", 1), "timeoutSeconds",
                          (json_int_t)json_int_or(w, "timeoutSeconds", 7200), "preActions",
                          json_object_get(w, "preActions"), "postActions",
                          json_object_get(w, "postActions")));
        f->waves[i].idx = (int)i;
        f->waves[i].name = strdup(wname);
        f->waves[i].state = strdup("PENDING");
        json_array_foreach(json_object_get(w, "groups"), j, g)
        {
            const char *gname = json_string_value(g);
            const json_t *group = json_object_get(groups, gname);
            if (!group) {
                rc = dr_err_set(err, DR_EINVAL,
                                "plan %s: waves[%zu].groups[%zu]: group %s "
                                "does not exist",
                                json_str_borrow(plan, "name"), i, j, gname);
                goto out;
            }
            rc = add_members(st, group, gname, (int)i, wname, seen, launch, f, &cap, err);
            if (rc < 0)
                goto out;
        }
    }
out:
    json_decref(seen);
    return rc;
}

int engine_create(struct store *st, const char *plan_name, const char *kind, char **id_out,
                  struct dr_err *err)
{
    struct store_doc pd;
    struct store_exec_full f;
    json_t *groups = NULL, *spec = NULL, *used = json_object(), *w, *g;
    size_t *order = NULL, norder = 0, i, j;
    int rc;

    memset(&pd, 0, sizeof(pd));
    memset(&f, 0, sizeof(f));
    *id_out = NULL;
    if (strcmp(kind, "DRILL") != 0 && strcmp(kind, "RECOVERY") != 0) {
        json_decref(used);
        return dr_err_set(err, DR_EINVAL, "kind must be DRILL or RECOVERY, not %s", kind);
    }
    if ((rc = store_doc_get(st, "RecoveryPlan", plan_name, 0, &pd, err)) < 0) {
        if (rc == -DR_ENOTFOUND)
            rc = dr_err_set(err, DR_EINVAL, "plan %s does not exist (drover get plans)", plan_name);
        goto out;
    }
    if ((rc = plan_wave_order(pd.body, &order, &norder, err)) < 0)
        goto out;
    if ((rc = plan_load_groups(st, &groups, err)) < 0)
        goto out;
    {
        /* refuse what `drover plan validate` calls invalid */
        struct plan_issues is;
        json_t *report = NULL;
        plan_issues_init(&is, NULL);
        rc = plan_validate(st, pd.body, groups, NULL, &is, &report, err);
        json_decref(report);
        if (rc == 0 && is.errors) {
            for (size_t k = 0; k < is.n; k++)
                if (!is.v[k].warning) {
                    rc = dr_err_set(err, DR_EINVAL,
                                    "plan %s is invalid (%zu error(s); drover plan validate %s): "
                                    "%s: %s",
                                    plan_name, is.errors, plan_name, is.v[k].path, is.v[k].message);
                    break;
                }
        }
        plan_issues_cleanup(&is);
        if (rc < 0)
            goto out;
    }
    /* only the groups this plan uses go into the spec */
    json_array_foreach(json_object_get(pd.body, "waves"), i, w)
        json_array_foreach(json_object_get(w, "groups"), j, g)
    {
        json_t *gd = json_object_get(groups, json_string_value(g));
        if (gd)
            json_object_set(used, json_string_value(g), gd);
    }
    spec = json_pack("{s:O, s:O}", "plan", pd.body, "groups", used);
    if ((rc = build_waves(st, pd.body, used, spec, &f, err)) < 0)
        goto out;
    if (f.nservers == 0) {
        rc = dr_err_set(err, DR_EINVAL,
                        "plan %s selects no server: run `drover discover` first, or check the "
                        "groups' selectors (drover plan validate %s)",
                        plan_name, plan_name);
        goto out;
    }
    if ((rc = new_id(id_out, err)) < 0)
        goto out;
    f.e.id = *id_out;
    f.e.plan_name = (char *)plan_name;
    f.e.plan_version = pd.version;
    f.e.kind = (char *)kind;
    f.e.state = "PENDING";
    f.e.spec = spec;
    f.e.created_at = time_now_ms();
    rc = store_exec_create(st, &f, err);
    f.e.id = f.e.plan_name = f.e.kind = f.e.state = NULL;
    f.e.spec = NULL;
out:
    if (rc < 0) {
        free(*id_out);
        *id_out = NULL;
    }
    store_exec_full_cleanup(&f);
    store_doc_cleanup(&pd);
    json_decref(groups);
    json_decref(used);
    json_decref(spec);
    free(order);
    return rc;
}

int engine_create_cleanup(struct store *st, const char *drill_id, char **id_out, struct dr_err *err)
{
    struct store_exec_full d, f;
    size_t i, cap = 0;
    int rc;

    memset(&f, 0, sizeof(f));
    *id_out = NULL;
    if ((rc = store_exec_get_full(st, drill_id, &d, err)) < 0)
        return rc;
    if (strcmp(d.e.kind, "DRILL") != 0) {
        rc = dr_err_set(err, DR_EINVAL,
                        "execution %s is a %s: cleanup terminates drill instances only, never "
                        "the instances of a recovery",
                        drill_id, d.e.kind);
        goto out;
    }
    if (!engine_state_terminal(d.e.state)) {
        rc = dr_err_set(err, DR_EINVAL,
                        "drill %s is %s: cancel it or let it finish before cleaning up", drill_id,
                        d.e.state);
        goto out;
    }
    f.nwaves = 1;
    f.waves = calloc(1, sizeof(*f.waves));
    if (!f.waves) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    f.waves[0].name = strdup("cleanup");
    f.waves[0].state = strdup("PENDING");
    for (i = 0; i < d.nservers; i++) {
        const struct store_exec_server *s = &d.servers[i];
        struct store_exec_server *t;
        if (!s->recovery_instance_id)
            continue;
        if (f.nservers == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct store_exec_server *nv = realloc(f.servers, nc * sizeof(*nv));
            if (!nv) {
                rc = dr_err_set(err, DR_ENOMEM, "out of memory");
                goto out;
            }
            f.servers = nv;
            cap = nc;
        }
        t = &f.servers[f.nservers++];
        memset(t, 0, sizeof(*t));
        t->account_id = strdup(s->account_id);
        t->region = strdup(s->region);
        t->source_server_id = strdup(s->source_server_id);
        t->recovery_instance_id = strdup(s->recovery_instance_id);
        t->ec2_instance_id = s->ec2_instance_id ? strdup(s->ec2_instance_id) : NULL;
        t->job_id = s->job_id ? strdup(s->job_id) : NULL; /* the drill job that launched it */
        t->state = strdup("PENDING");
    }
    if ((rc = new_id(id_out, err)) < 0)
        goto out;
    f.e.id = *id_out;
    f.e.plan_name = d.e.plan_name;
    f.e.plan_version = d.e.plan_version;
    f.e.kind = "CLEANUP";
    f.e.state = "PENDING";
    f.e.source_execution_id = (char *)drill_id;
    f.e.created_at = time_now_ms();
    f.e.spec =
        json_pack("{s:s, s:[{s:s, s:[], s:b, s:I, s:I, s:I}]}", "cleanup_of", drill_id, "waves",
                  "name", "cleanup", "dependsOn", "pauseBefore", 0, "maxFailedServers",
                  (json_int_t)0, "retries", (json_int_t)2, "timeoutSeconds", (json_int_t)3600);
    rc = store_exec_create(st, &f, err);
    json_decref(f.e.spec);
    memset(&f.e, 0, sizeof(f.e));
out:
    if (rc < 0) {
        free(*id_out);
        *id_out = NULL;
    }
    store_exec_full_cleanup(&f);
    store_exec_full_cleanup(&d);
    return rc;
}
