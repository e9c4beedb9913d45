/*
 * graph.c - plan wave references, dependency cycles, topological order,
 * and protection-group membership of an inventory server.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/jsonutil.h"
#include "core/str.h"
#include "plan/plan.h"

/* ---- references and order ---- */

ssize_t plan_wave_index(const json_t *waves, const char *name)
{
    size_t i;
    json_t *w;
    json_array_foreach(waves, i, w)
    {
        const char *n = json_str_borrow(w, "name");
        if (n && name && strcmp(n, name) == 0)
            return (ssize_t)i;
    }
    return -1;
}

void plan_check_refs(const json_t *plan, const json_t *groups, struct plan_issues *is)
{
    json_t *waves = json_object_get(plan, "waves"), *w, *g;
    size_t i, j, n = json_array_size(waves);
    int *state;
    size_t *stack;

    json_array_foreach(waves, i, w)
    {
        const char *name = json_str_borrow(w, "name");
        struct buf p;
        ssize_t first = plan_wave_index(waves, name ? name : "");
        if (first >= 0 && (size_t)first != i) {
            buf_init(&p, 256);
            if (buf_addf(&p, "waves[%zu].name", i) == 0)
                plan_issue_add(is, NULL, false, p.p, "wave name '%s' is used twice", name);
            buf_cleanup(&p);
        }
        json_array_foreach(json_object_get(w, "groups"), j, g)
        {
            if (!json_object_get(groups, json_string_value(g))) {
                buf_init(&p, 256);
                if (buf_addf(&p, "waves[%zu].groups[%zu]", i, j) == 0)
                    plan_issue_add(is, NULL, false, p.p,
                                   "unknown protection group '%s' (apply it first)",
                                   json_string_value(g));
                buf_cleanup(&p);
            }
        }
        json_array_foreach(json_object_get(w, "dependsOn"), j, g)
        {
            const char *d = json_string_value(g);
            buf_init(&p, 256);
            if (buf_addf(&p, "waves[%zu].dependsOn[%zu]", i, j) < 0) {
                buf_cleanup(&p);
                continue;
            }
            if (name && strcmp(d, name) == 0)
                plan_issue_add(is, NULL, false, p.p, "wave '%s' depends on itself", d);
            else if (plan_wave_index(waves, d) < 0)
                plan_issue_add(is, NULL, false, p.p, "unknown wave '%s'", d);
            buf_cleanup(&p);
        }
    }
    /* cycle detection: iterative DFS over dependsOn edges */
    state = calloc(n ? n : 1, sizeof(*state));
    stack = calloc(n ? n : 1, sizeof(*stack));
    if (!state || !stack) {
        free(state);
        free(stack);
        return;
    }
    for (i = 0; i < n; i++) {
        size_t depth = 0;
        size_t *next = NULL;
        if (state[i])
            continue;
        next = calloc(n, sizeof(*next));
        if (!next)
            break;
        stack[depth++] = i;
        state[i] = 1;
        while (depth) {
            size_t v = stack[depth - 1];
            json_t *deps = json_object_get(json_array_get(waves, v), "dependsOn");
            if (next[v] < json_array_size(deps)) {
                const char *d = json_string_value(json_array_get(deps, next[v]++));
                ssize_t u = d ? plan_wave_index(waves, d) : -1;
                if (u < 0 || (size_t)u == v)
                    continue;
                if (state[u] == 1) {
                    /* report the cycle u -> ... -> v -> u */
                    struct buf cyc, p;
                    size_t k2, start = 0;
                    buf_init(&cyc, 4096);
                    for (k2 = 0; k2 < depth; k2++) {
                        if (stack[k2] == (size_t)u)
                            start = k2;
                    }
                    for (k2 = start; k2 < depth; k2++) {
                        if (buf_addf(&cyc, "%s -> ",
                                     json_str_borrow(json_array_get(waves, stack[k2]), "name")) < 0)
                            break;
                    }
                    if (buf_adds(&cyc, json_str_borrow(json_array_get(waves, u), "name")) < 0)
                        buf_reset(&cyc);
                    buf_init(&p, 256);
                    if (buf_addf(&p, "waves[%zu].dependsOn", v) == 0)
                        plan_issue_add(is, NULL, false, p.p,
                                       "dependency cycle: %s (each wave waits for the next)",
                                       cyc.p);
                    buf_cleanup(&p);
                    buf_cleanup(&cyc);
                } else if (state[u] == 0) {
                    state[u] = 1;
                    stack[depth++] = (size_t)u;
                }
            } else {
                state[v] = 2;
                depth--;
            }
        }
        free(next);
    }
    free(state);
    free(stack);
}

int plan_wave_order(const json_t *plan, size_t **order, size_t *n_out, struct dr_err *err)
{
    json_t *waves = json_object_get(plan, "waves");
    size_t n = json_array_size(waves), done = 0, i, j;
    bool *placed = calloc(n ? n : 1, sizeof(*placed));
    size_t *out = calloc(n ? n : 1, sizeof(*out));

    if (!placed || !out) {
        free(placed);
        free(out);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    while (done < n) {
        bool progress = false;
        for (i = 0; i < n; i++) {
            json_t *deps = json_object_get(json_array_get(waves, i), "dependsOn"), *d;
            bool ready = true;
            if (placed[i])
                continue;
            json_array_foreach(deps, j, d)
            {
                ssize_t u = plan_wave_index(waves, json_string_value(d));
                if (u < 0 || !placed[u])
                    ready = false;
            }
            if (ready) {
                placed[i] = true;
                out[done++] = i;
                progress = true;
            }
        }
        if (!progress) {
            free(placed);
            free(out);
            return dr_err_set(err, DR_EINVAL,
                              "the plan's waves have a dependency cycle or an "
                              "unknown dependency");
        }
    }
    free(placed);
    *order = out;
    *n_out = n;
    return 0;
}

bool plan_list_has(const json_t *list, const char *s)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
            return true;
    }
    return false;
}

bool plan_group_matches(const json_t *group, const json_t *server)
{
    const char *acct = json_str_borrow(server, "account_id");
    const char *region = json_str_borrow(server, "region");
    const char *id = json_str_borrow(server, "source_server_id");
    json_t *sel = json_object_get(group, "selector"), *list, *e, *tags;
    size_t i;
    const char *k;

    if (!acct || !region || !id)
        return false;
    if ((list = json_object_get(group, "servers"))) {
        json_array_foreach(list, i, e)
        {
            if (strcmp(json_str_borrow(e, "account"), acct) == 0 &&
                strcmp(json_str_borrow(e, "region"), region) == 0 &&
                strcmp(json_str_borrow(e, "id"), id) == 0)
                return true;
        }
        return false;
    }
    if (!sel)
        return false;
    if ((list = json_object_get(sel, "accounts")) && json_array_size(list) &&
        !plan_list_has(list, acct))
        return false;
    if ((list = json_object_get(sel, "regions")) && json_array_size(list) &&
        !plan_list_has(list, region))
        return false;
    tags = json_object_get(server, "tags");
    json_object_foreach(json_object_get(sel, "tags"), k, e)
    {
        const char *have = json_str_borrow(tags, k);
        if (!have || strcmp(have, json_string_value(e)) != 0)
            return false;
    }
    return true;
}
