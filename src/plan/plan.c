/*
 * plan.c - normalization and validation of ProtectionGroup and
 * RecoveryPlan documents (see plan.h and docs/plan-format.md).
 */
#include "plan/plan.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonutil.h"
#include "core/str.h"

/* ---- helpers ---- */

struct nctx {
    const json_t *lines;
    struct plan_issues *is;
    const char *prefix;
};

static void path_of(struct buf *b, const struct nctx *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void path_of(struct buf *b, const struct nctx *c, const char *fmt, ...)
{
    va_list ap;
    (void)c;
    buf_init(b, 1024);
    va_start(ap, fmt);
    if (buf_vaddf(b, fmt, ap) < 0)
        buf_reset(b);
    va_end(ap);
}

/* The key path inside the document (without prefix) used for line lookup. */
static void issue(const struct nctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void issue(const struct nctx *c, const char *path, const char *fmt, ...)
{
    struct buf m, full;
    va_list ap;

    buf_init(&m, 4096);
    va_start(ap, fmt);
    if (buf_vaddf(&m, fmt, ap) < 0)
        buf_reset(&m);
    va_end(ap);
    buf_init(&full, 1024);
    if (buf_addf(&full, "%s%s%s", c->prefix, c->prefix[0] && path[0] ? "." : "", path) < 0)
        buf_reset(&full);
    plan_issue_add(c->is, NULL, false, full.p, "%s", m.p);
    if (c->is->n)
        c->is->v[c->is->n - 1].line = plan_line_of(c->lines, path);
    buf_cleanup(&m);
    buf_cleanup(&full);
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s), i;
    if (n == 0 || n > PLAN_NAME_MAX || !isalnum((unsigned char)s[0]))
        return false;
    for (i = 0; i < n; i++) {
        char ch = s[i];
        if (!isalnum((unsigned char)ch) && ch != '-' && ch != '_' && ch != '.')
            return false;
    }
    return true;
}

/* Rejects keys not in `allowed` (NULL-terminated). */
static void check_keys(const struct nctx *c, const json_t *obj, const char *path,
                       const char *const *allowed)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)obj, k, v)
    {
        const char *const *a;
        bool ok = false;
        struct buf p;
        for (a = allowed; *a; a++) {
            if (strcmp(*a, k) == 0)
                ok = true;
        }
        if (ok)
            continue;
        buf_init(&p, 1024);
        if (buf_addf(&p, "%s%s%s", path, path[0] ? "." : "", k) < 0)
            buf_reset(&p);
        {
            struct buf list;
            buf_init(&list, 1024);
            for (a = allowed; *a; a++) {
                if (buf_addf(&list, "%s%s", a == allowed ? "" : ", ", *a) < 0)
                    break;
            }
            issue(c, p.p, "unknown key '%s' (expected one of: %s)", k, list.p);
            buf_cleanup(&list);
        }
        buf_cleanup(&p);
    }
}

/* Account IDs: 12-digit strings, or integers YAML parsed from 12 digits. */
static json_t *norm_account(const struct nctx *c, const json_t *v, const char *path)
{
    char tmp[32];
    const char *s = NULL;
    size_t i;

    if (json_is_string(v)) {
        s = json_string_value(v);
    } else if (json_is_integer(v) && json_integer_value(v) >= 0) {
        snprintf(tmp, sizeof(tmp), "%012lld", (long long)json_integer_value(v));
        s = tmp;
    }
    if (!s || strlen(s) != 12) {
        issue(c, path, "an account ID is 12 digits");
        return NULL;
    }
    for (i = 0; i < 12; i++) {
        if (!isdigit((unsigned char)s[i])) {
            issue(c, path, "an account ID is 12 digits, not '%s'", s);
            return NULL;
        }
    }
    return json_string(s);
}

static bool valid_region(const char *r)
{
    /* xx-name-N or xx-gov-name-N */
    size_t n = strlen(r), i, dashes = 0;
    if (n < 9 || n > 32 || !islower((unsigned char)r[0]) || !isdigit((unsigned char)r[n - 1]))
        return false;
    for (i = 0; i < n; i++) {
        if (r[i] == '-')
            dashes++;
        else if (!islower((unsigned char)r[i]) && !isdigit((unsigned char)r[i]))
            return false;
    }
    return dashes >= 2;
}

/* A list of strings; a single string is accepted as a one-element list. */
static json_t *norm_str_list(const struct nctx *c, const json_t *v, const char *path, bool regions)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;

    if (json_is_string(v)) {
        json_t *one = json_array();
        json_array_append(one, (json_t *)v);
        json_decref(out);
        out = norm_str_list(c, one, path, regions);
        json_decref(one);
        return out;
    }
    if (!json_is_array(v)) {
        issue(c, path, "expected a list of strings");
        json_decref(out);
        return NULL;
    }
    json_array_foreach(v, i, e)
    {
        struct buf p;
        path_of(&p, c, "%s[%zu]", path, i);
        if (!json_is_string(e) || json_string_length(e) == 0) {
            issue(c, p.p, "expected a non-empty string");
        } else if (regions && !valid_region(json_string_value(e))) {
            issue(c, p.p, "'%s' is not a region name (like us-west-2)", json_string_value(e));
        } else {
            json_array_append(out, e);
        }
        buf_cleanup(&p);
    }
    return out;
}

static json_t *norm_account_list(const struct nctx *c, const json_t *v, const char *path)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;

    if (json_is_string(v) || json_is_integer(v)) {
        json_t *a = norm_account(c, v, path);
        if (a)
            json_array_append_new(out, a);
        return out;
    }
    if (!json_is_array(v)) {
        issue(c, path, "expected a list of account IDs");
        json_decref(out);
        return NULL;
    }
    json_array_foreach(v, i, e)
    {
        struct buf p;
        json_t *a;
        path_of(&p, c, "%s[%zu]", path, i);
        a = norm_account(c, e, p.p);
        if (a)
            json_array_append_new(out, a);
        buf_cleanup(&p);
    }
    return out;
}

long plan_parse_duration(const json_t *v)
{
    const char *s, *p;
    long total = 0;

    if (json_is_integer(v))
        return json_integer_value(v) >= 0 && json_integer_value(v) < 31L * 86400
                   ? (long)json_integer_value(v)
                   : -1;
    if (!json_is_string(v))
        return -1;
    s = json_string_value(v);
    if (!*s)
        return -1;
    for (p = s; *p;) {
        long n = 0;
        int digits = 0;
        while (isdigit((unsigned char)*p) && digits < 9) {
            n = n * 10 + (*p - '0');
            p++;
            digits++;
        }
        if (!digits)
            return -1;
        switch (*p) {
        case 's':
            break;
        case 'm':
            n *= 60;
            break;
        case 'h':
            n *= 3600;
            break;
        case 'd':
            n *= 86400;
            break;
        case '\0':
            if (p == s + digits && total == 0)
                return n; /* plain seconds as a string */
            return -1;
        default:
            return -1;
        }
        p++;
        total += n;
        if (total > 31L * 86400)
            return -1;
    }
    return total;
}

static const char *const launch_keys[] = {"copyPrivateIp",
                                          "copyTags",
                                          "launchDisposition",
                                          "licensing",
                                          "targetInstanceTypeRightSizingMethod",
                                          "postLaunchEnabled",
                                          "servers",
                                          NULL};
static const char *const launch_server_keys[] = {"copyPrivateIp",
                                                 "copyTags",
                                                 "launchDisposition",
                                                 "licensing",
                                                 "targetInstanceTypeRightSizingMethod",
                                                 "postLaunchEnabled",
                                                 NULL};

static json_t *norm_launch(const struct nctx *c, const json_t *v, const char *path,
                           bool allow_servers)
{
    json_t *out = json_object(), *x;
    struct buf p;

    if (!json_is_object(v)) {
        issue(c, path, "expected a mapping of launch settings");
        json_decref(out);
        return NULL;
    }
    check_keys(c, v, path, allow_servers ? launch_keys : launch_server_keys);
#define BOOL_KEY(k)                                                                                \
    if ((x = json_object_get(v, k))) {                                                             \
        path_of(&p, c, "%s." k, path);                                                             \
        if (!json_is_boolean(x))                                                                   \
            issue(c, p.p, "expected true or false");                                               \
        else                                                                                       \
            json_object_set(out, k, x);                                                            \
        buf_cleanup(&p);                                                                           \
    }
    BOOL_KEY("copyPrivateIp")
    BOOL_KEY("copyTags")
    BOOL_KEY("postLaunchEnabled")
#undef BOOL_KEY
    if ((x = json_object_get(v, "launchDisposition"))) {
        path_of(&p, c, "%s.launchDisposition", path);
        if (!json_is_string(x) || (strcmp(json_string_value(x), "STOPPED") != 0 &&
                                   strcmp(json_string_value(x), "STARTED") != 0))
            issue(c, p.p, "expected STOPPED or STARTED");
        else
            json_object_set(out, "launchDisposition", x);
        buf_cleanup(&p);
    }
    if ((x = json_object_get(v, "targetInstanceTypeRightSizingMethod"))) {
        const char *s = json_is_string(x) ? json_string_value(x) : "";
        path_of(&p, c, "%s.targetInstanceTypeRightSizingMethod", path);
        if (strcmp(s, "NONE") != 0 && strcmp(s, "BASIC") != 0 && strcmp(s, "IN_AWS") != 0)
            issue(c, p.p, "expected NONE, BASIC or IN_AWS");
        else
            json_object_set(out, "targetInstanceTypeRightSizingMethod", x);
        buf_cleanup(&p);
    }
    if ((x = json_object_get(v, "licensing"))) {
        json_t *byol = json_object_get(x, "osByol");
        path_of(&p, c, "%s.licensing", path);
        if (!json_is_object(x) || json_object_size(x) != 1 || !json_is_boolean(byol))
            issue(c, p.p, "expected {osByol: true|false}");
        else
            json_object_set(out, "licensing", x);
        buf_cleanup(&p);
    }
    if (allow_servers && (x = json_object_get(v, "servers"))) {
        const char *id;
        json_t *sv, *so = json_object();
        path_of(&p, c, "%s.servers", path);
        if (!json_is_object(x))
            issue(c, p.p, "expected a mapping of source server ID to launch settings");
        else {
            json_object_foreach(x, id, sv)
            {
                struct buf sp;
                json_t *n;
                path_of(&sp, c, "%s.servers.%s", path, id);
                if (strncmp(id, "s-", 2) != 0)
                    issue(c, sp.p, "'%s' is not a source server ID (s-...)", id);
                n = norm_launch(c, sv, sp.p, false);
                if (n)
                    json_object_set_new(so, id, n);
                buf_cleanup(&sp);
            }
        }
        json_object_set_new(out, "servers", so);
        buf_cleanup(&p);
    }
    return out;
}

/* ---- ProtectionGroup ---- */

static const char *const group_keys[] = {"kind",    "name",   "description", "selector",
                                         "servers", "launch", "labels",      NULL};
static const char *const selector_keys[] = {"accounts", "regions", "tags", NULL};
static const char *const server_keys[] = {"account", "region", "id", NULL};

static void norm_group(const struct nctx *c, const json_t *doc, json_t *out)
{
    json_t *sel = json_object_get(doc, "selector"), *srv = json_object_get(doc, "servers"), *x;
    struct buf p;

    check_keys(c, doc, "", group_keys);
    if (sel && srv) {
        path_of(&p, c, "selector");
        issue(c, p.p, "a group has either a selector or servers, not both");
        buf_cleanup(&p);
    } else if (!sel && !srv) {
        path_of(&p, c, "selector");
        issue(c, p.p, "a group needs a selector or a list of servers");
        buf_cleanup(&p);
    }
    if (sel) {
        json_t *ns = json_object();
        path_of(&p, c, "selector");
        if (!json_is_object(sel)) {
            issue(c, p.p, "expected a mapping with accounts, regions and tags");
        } else {
            check_keys(c, sel, p.p, selector_keys);
            if ((x = json_object_get(sel, "accounts"))) {
                struct buf q;
                path_of(&q, c, "selector.accounts");
                json_object_set_new(ns, "accounts", norm_account_list(c, x, q.p));
                buf_cleanup(&q);
            }
            if ((x = json_object_get(sel, "regions"))) {
                struct buf q;
                path_of(&q, c, "selector.regions");
                json_object_set_new(ns, "regions", norm_str_list(c, x, q.p, true));
                buf_cleanup(&q);
            }
            if ((x = json_object_get(sel, "tags"))) {
                const char *k;
                json_t *tv, *tags = json_object();
                struct buf q;
                path_of(&q, c, "selector.tags");
                if (!json_is_object(x))
                    issue(c, q.p, "expected a mapping of tag key to value");
                else {
                    json_object_foreach(x, k, tv)
                    {
                        struct buf t;
                        path_of(&t, c, "selector.tags.%s", k);
                        if (json_is_string(tv))
                            json_object_set(tags, k, tv);
                        else if (json_is_integer(tv) || json_is_real(tv) || json_is_boolean(tv)) {
                            /* YAML turned the value into a scalar; tag values are strings */
                            char *s = json_dumps(tv, JSON_ENCODE_ANY);
                            if (s)
                                json_object_set_new(tags, k, json_string(s));
                            free(s);
                        } else
                            issue(c, t.p, "a tag value is a string");
                        buf_cleanup(&t);
                    }
                }
                json_object_set_new(ns, "tags", tags);
                buf_cleanup(&q);
            }
        }
        json_object_set_new(out, "selector", ns);
        buf_cleanup(&p);
    }
    if (srv) {
        json_t *list = json_array(), *e;
        size_t i;
        path_of(&p, c, "servers");
        if (!json_is_array(srv) || json_array_size(srv) == 0)
            issue(c, p.p, "expected a non-empty list of {account, region, id}");
        else {
            json_array_foreach(srv, i, e)
            {
                struct buf q, r;
                json_t *acct, *ns = json_object();
                const char *region = json_str_borrow(e, "region");
                const char *id = json_str_borrow(e, "id");
                path_of(&q, c, "servers[%zu]", i);
                if (!json_is_object(e)) {
                    issue(c, q.p, "expected {account, region, id}");
                    json_decref(ns);
                    buf_cleanup(&q);
                    continue;
                }
                check_keys(c, e, q.p, server_keys);
                path_of(&r, c, "servers[%zu].account", i);
                acct = json_object_get(e, "account")
                           ? norm_account(c, json_object_get(e, "account"), r.p)
                           : NULL;
                if (!json_object_get(e, "account"))
                    issue(c, r.p, "missing account");
                buf_cleanup(&r);
                path_of(&r, c, "servers[%zu].region", i);
                if (!region || !valid_region(region))
                    issue(c, r.p, "missing or invalid region");
                buf_cleanup(&r);
                path_of(&r, c, "servers[%zu].id", i);
                if (!id || strncmp(id, "s-", 2) != 0 || strlen(id) < 3)
                    issue(c, r.p, "missing or invalid source server ID (s-...)");
                buf_cleanup(&r);
                if (acct && region && id) {
                    json_object_set_new(ns, "account", acct);
                    json_object_set_new(ns, "region", json_string(region));
                    json_object_set_new(ns, "id", json_string(id));
                    json_array_append_new(list, ns);
                } else {
                    json_decref(acct);
                    json_decref(ns);
                }
                buf_cleanup(&q);
            }
        }
        json_object_set_new(out, "servers", list);
        buf_cleanup(&p);
    }
    if ((x = json_object_get(doc, "launch"))) {
        json_t *l;
        path_of(&p, c, "launch");
        l = norm_launch(c, x, p.p, true);
        if (l)
            json_object_set_new(out, "launch", l);
        buf_cleanup(&p);
    }
}

/* ---- RecoveryPlan ---- */

static const char *const plan_keys[] = {
    "kind", "name", "description", "waves", "rpoTargetMinutes", "labels", NULL};
static const char *const wave_keys[] = {
    "name",    "groups",  "dependsOn",  "pauseBefore", "maxFailedServers",
    "timeout", "retries", "preActions", "postActions", NULL};
static const char *const action_keys[] = {"type",    "name",         "command", "url",
                                          "timeout", "expectStatus", "env",     NULL};

static json_t *norm_actions(const struct nctx *c, const json_t *v, size_t wi, const char *which)
{
    json_t *out = json_array(), *a;
    size_t i;
    struct buf p;

    path_of(&p, c, "waves[%zu].%s", wi, which);
    if (!json_is_array(v)) {
        issue(c, p.p, "expected a list of actions");
        buf_cleanup(&p);
        return out;
    }
    buf_cleanup(&p);
    json_array_foreach(v, i, a)
    {
        json_t *n = json_object(), *x;
        const char *type = json_str_borrow(a, "type");
        long t;
        path_of(&p, c, "waves[%zu].%s[%zu]", wi, which, i);
        if (!json_is_object(a)) {
            issue(c, p.p, "expected an action {type: wait-healthy|command|http-check, ...}");
            json_decref(n);
            buf_cleanup(&p);
            continue;
        }
        check_keys(c, a, p.p, action_keys);
        if (!type || (strcmp(type, "wait-healthy") != 0 && strcmp(type, "command") != 0 &&
                      strcmp(type, "http-check") != 0)) {
            struct buf q;
            path_of(&q, c, "waves[%zu].%s[%zu].type", wi, which, i);
            issue(c, q.p, "type must be wait-healthy, command or http-check");
            buf_cleanup(&q);
            json_decref(n);
            buf_cleanup(&p);
            continue;
        }
        json_object_set_new(n, "type", json_string(type));
        if ((x = json_object_get(a, "name")) && json_is_string(x))
            json_object_set(n, "name", x);
        if (strcmp(type, "command") == 0) {
            x = json_object_get(a, "command");
            if (!json_is_string(x) || json_string_length(x) == 0) {
                struct buf q;
                path_of(&q, c, "waves[%zu].%s[%zu].command", wi, which, i);
                issue(c, q.p, "a command action needs a command string");
                buf_cleanup(&q);
            } else
                json_object_set(n, "command", x);
            if ((x = json_object_get(a, "env"))) {
                if (!json_is_object(x)) {
                    struct buf q;
                    path_of(&q, c, "waves[%zu].%s[%zu].env", wi, which, i);
                    issue(c, q.p, "env is a mapping of variable to string");
                    buf_cleanup(&q);
                } else
                    json_object_set(n, "env", x);
            }
        }
        if (strcmp(type, "http-check") == 0) {
            const char *url = json_str_borrow(a, "url");
            if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
                struct buf q;
                path_of(&q, c, "waves[%zu].%s[%zu].url", wi, which, i);
                issue(c, q.p, "an http-check needs an http:// or https:// url");
                buf_cleanup(&q);
            } else
                json_object_set_new(n, "url", json_string(url));
            if ((x = json_object_get(a, "expectStatus"))) {
                if (!json_is_integer(x) || json_integer_value(x) < 100 ||
                    json_integer_value(x) > 599) {
                    struct buf q;
                    path_of(&q, c, "waves[%zu].%s[%zu].expectStatus", wi, which, i);
                    issue(c, q.p, "expectStatus is an HTTP status code");
                    buf_cleanup(&q);
                } else
                    json_object_set(n, "expectStatus", x);
            }
        }
        x = json_object_get(a, "timeout");
        t = x ? plan_parse_duration(x) : (strcmp(type, "wait-healthy") == 0 ? 900 : 60);
        if (t < 0 || t == 0) {
            struct buf q;
            path_of(&q, c, "waves[%zu].%s[%zu].timeout", wi, which, i);
            issue(c, q.p, "timeout must be a positive duration (90s, 10m, 1h)");
            buf_cleanup(&q);
        } else
            json_object_set_new(n, "timeoutSeconds", json_integer(t));
        json_array_append_new(out, n);
        buf_cleanup(&p);
    }
    return out;
}

static void norm_plan(const struct nctx *c, const json_t *doc, json_t *out)
{
    json_t *waves = json_object_get(doc, "waves"), *w, *x, *nw = json_array();
    size_t i;
    struct buf p;

    check_keys(c, doc, "", plan_keys);
    if ((x = json_object_get(doc, "rpoTargetMinutes"))) {
        path_of(&p, c, "rpoTargetMinutes");
        if (!json_is_integer(x) || json_integer_value(x) < 1 || json_integer_value(x) > 100000)
            issue(c, p.p, "rpoTargetMinutes is a positive integer");
        else
            json_object_set(out, "rpoTargetMinutes", x);
        buf_cleanup(&p);
    }
    path_of(&p, c, "waves");
    if (!json_is_array(waves) || json_array_size(waves) == 0) {
        issue(c, p.p, "a plan needs a non-empty list of waves");
        buf_cleanup(&p);
        json_object_set_new(out, "waves", nw);
        return;
    }
    buf_cleanup(&p);
    json_array_foreach(waves, i, w)
    {
        json_t *n = json_object();
        const char *name = json_str_borrow(w, "name");
        long t;

        path_of(&p, c, "waves[%zu]", i);
        if (!json_is_object(w)) {
            issue(c, p.p, "expected a wave {name, groups, dependsOn, ...}");
            json_decref(n);
            buf_cleanup(&p);
            continue;
        }
        check_keys(c, w, p.p, wave_keys);
        buf_cleanup(&p);
        path_of(&p, c, "waves[%zu].name", i);
        if (!name || !valid_name(name))
            issue(c, p.p, "a wave needs a name of letters, digits, '-', '_' or '.' (max %d)",
                  PLAN_NAME_MAX);
        json_object_set_new(n, "name", json_string(name ? name : ""));
        buf_cleanup(&p);
        path_of(&p, c, "waves[%zu].groups", i);
        x = json_object_get(w, "groups");
        if (!x) {
            issue(c, p.p, "a wave needs at least one group");
            json_object_set_new(n, "groups", json_array());
        } else {
            json_t *g = norm_str_list(c, x, p.p, false);
            if (g && json_array_size(g) == 0)
                issue(c, p.p, "a wave needs at least one group");
            json_object_set_new(n, "groups", g ? g : json_array());
        }
        buf_cleanup(&p);
        path_of(&p, c, "waves[%zu].dependsOn", i);
        x = json_object_get(w, "dependsOn");
        if (x) {
            json_t *d = norm_str_list(c, x, p.p, false);
            json_object_set_new(n, "dependsOn", d ? d : json_array());
        } else {
            json_object_set_new(n, "dependsOn", json_array());
        }
        buf_cleanup(&p);
        x = json_object_get(w, "pauseBefore");
        path_of(&p, c, "waves[%zu].pauseBefore", i);
        if (x && !json_is_boolean(x))
            issue(c, p.p, "expected true or false");
        json_object_set_new(n, "pauseBefore", json_boolean(x && json_is_true(x)));
        buf_cleanup(&p);
        x = json_object_get(w, "maxFailedServers");
        path_of(&p, c, "waves[%zu].maxFailedServers", i);
        if (x && (!json_is_integer(x) || json_integer_value(x) < 0))
            issue(c, p.p, "expected a non-negative integer");
        json_object_set_new(n, "maxFailedServers",
                            json_integer(json_is_integer(x) && json_integer_value(x) >= 0
                                             ? json_integer_value(x)
                                             : 0));
        buf_cleanup(&p);
        x = json_object_get(w, "retries");
        path_of(&p, c, "waves[%zu].retries", i);
        if (x && (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 5))
            issue(c, p.p, "retries is an integer from 0 to 5");
        json_object_set_new(n, "retries",
                            json_integer(json_is_integer(x) && json_integer_value(x) >= 0 &&
                                                 json_integer_value(x) <= 5
                                             ? json_integer_value(x)
                                             : 1));
        buf_cleanup(&p);
        x = json_object_get(w, "timeout");
        t = x ? plan_parse_duration(x) : 7200;
        path_of(&p, c, "waves[%zu].timeout", i);
        if (t <= 0)
            issue(c, p.p, "timeout must be a positive duration (90s, 30m, 2h)");
        json_object_set_new(n, "timeoutSeconds", json_integer(t > 0 ? t : 7200));
        buf_cleanup(&p);
        json_object_set_new(n, "preActions",
                            (x = json_object_get(w, "preActions"))
                                ? norm_actions(c, x, i, "preActions")
                                : json_array());
        json_object_set_new(n, "postActions",
                            (x = json_object_get(w, "postActions"))
                                ? norm_actions(c, x, i, "postActions")
                                : json_array());
        json_array_append_new(nw, n);
    }
    json_object_set_new(out, "waves", nw);
}

int plan_normalize(const json_t *doc, const json_t *lines, const char *prefix,
                   struct plan_issues *is, json_t **out, enum plan_kind *kind)
{
    struct nctx c = {lines, is, prefix ? prefix : ""};
    size_t before = is->errors;
    const char *k, *name;
    json_t *o;
    struct buf p;

    *out = NULL;
    if (!json_is_object(doc)) {
        path_of(&p, &c, "%s", "");
        issue(&c, p.p, "a document is a mapping with kind and name");
        buf_cleanup(&p);
        return -DR_EINVAL;
    }
    k = json_str_borrow(doc, "kind");
    path_of(&p, &c, "kind");
    if (!k || (strcmp(k, "ProtectionGroup") != 0 && strcmp(k, "RecoveryPlan") != 0)) {
        issue(&c, p.p, "kind must be ProtectionGroup or RecoveryPlan");
        buf_cleanup(&p);
        return -DR_EINVAL;
    }
    buf_cleanup(&p);
    name = json_str_borrow(doc, "name");
    path_of(&p, &c, "name");
    if (!name || !valid_name(name))
        issue(&c, p.p,
              "name must be 1-%d letters, digits, '-', '_' or '.', starting with a "
              "letter or digit",
              PLAN_NAME_MAX);
    buf_cleanup(&p);
    o = json_pack("{s:s,s:s}", "kind", k, "name", name ? name : "");
    if (json_is_string(json_object_get(doc, "description")))
        json_object_set(o, "description", json_object_get(doc, "description"));
    if (json_is_object(json_object_get(doc, "labels")))
        json_object_set(o, "labels", json_object_get(doc, "labels"));
    if (strcmp(k, "ProtectionGroup") == 0) {
        *kind = PLAN_KIND_GROUP;
        norm_group(&c, doc, o);
    } else {
        *kind = PLAN_KIND_PLAN;
        norm_plan(&c, doc, o);
    }
    if (is->errors > before) {
        json_decref(o);
        return -DR_EINVAL;
    }
    *out = o;
    return 0;
}
