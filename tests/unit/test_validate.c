/*
 * test_validate.c - unit tests for plan_resolve_group and plan_validate
 * (src/plan/resolve.c, validate.c) on a temporary store filled with
 * registered accounts and DescribeSourceServers-shaped snapshots: group
 * membership, every problem reported with its path, replication health,
 * stale and old inventory, and the DRS job split under the quotas.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/jsonutil.h"
#include "core/yamljson.h"
#include "plan/plan.h"
#include "plan/resolve.h"
#include "plan/validate.h"
#include "store/store.h"
#include "testlib.h" /* cmocka */

#define A1  "111111111111"
#define A2  "222222222222"
#define NOW 1700000000000LL /* the inventory is fetched at NOW; opts.now_ms = NOW + 1 min */

static void add_account(struct store *s, const char *id, char **regions, size_t n)
{
    struct store_account a = {
        .account_id = (char *)id,
        .role_arn = (char *)"arn:aws:iam::000000000000:role/drover",
        .external_id = (char *)"0123456789abcdef0123456789abcdef",
        .regions = regions,
        .nregions = n,
    };
    struct dr_err err;
    assert_int_equal(store_account_add(s, &a, &err), 0);
}

/* A DescribeSourceServers item: tags "App=a,Tier=t", replication state and lag. */
static json_t *item(const char *id, const char *app, const char *tier, const char *state,
                    const char *lag)
{
    json_t *v = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}}", "sourceServerID", id, "tags", "App",
                          app, "Tier", tier, "dataReplicationInfo", "dataReplicationState", state,
                          "lagDuration", lag);
    assert_non_null(v);
    return v;
}

/* Replaces the snapshot of (acct, region) with items (stolen). */
static void snapshot(struct store *s, const char *acct, const char *region, json_t *items)
{
    struct store_snapshot_in in = {
        .account_id = acct, .region = region, .fetched_at = NOW, .servers = items};
    struct dr_err err;
    assert_int_equal(store_snapshot_replace(s, &in, &err), 0);
    json_decref(items);
}

/* n healthy servers s-<prefix>-0..n-1 with the given tags. */
static json_t *many(const char *prefix, int n, const char *app, const char *tier)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        char id[64];
        snprintf(id, sizeof(id), "s-%s%05d", prefix, i);
        json_array_append_new(a, item(id, app, tier, "CONTINUOUS", "PT5S"));
    }
    return a;
}

/*
 * The estate: A1 in us-east-1 and eu-west-1, A2 in us-east-1 only.
 *   A1/us-east-1: s-1 (shop db), s-2 (shop app, STALLED, lag 2h), s-3 (shop web),
 *                 s-4 (shop web, INITIAL_SYNC)
 *   A1/eu-west-1: s-5 (shop db)
 *   A2/us-east-1: s-6 (shop db, lag 20 min)
 */
static void estate(struct store *s)
{
    char *r1[] = {(char *)"us-east-1", (char *)"eu-west-1"}, *r2[] = {(char *)"us-east-1"};
    add_account(s, A1, r1, 2);
    add_account(s, A2, r2, 1);
    snapshot(s, A1, "us-east-1",
             json_pack("[o,o,o,o]", item("s-1", "shop", "db", "CONTINUOUS", "PT1S"),
                       item("s-2", "shop", "app", "STALLED", "PT2H"),
                       item("s-3", "shop", "web", "CONTINUOUS", "PT0S"),
                       item("s-4", "shop", "web", "INITIAL_SYNC", "PT0S")));
    snapshot(s, A1, "eu-west-1", json_pack("[o]", item("s-5", "shop", "db", "CONTINUOUS", "PT3S")));
    snapshot(s, A2, "us-east-1",
             json_pack("[o]", item("s-6", "shop", "db", "CONTINUOUS", "PT20M")));
}

/* Normalizes every document of YAML text; groups into *groups (object), returns the plan. */
static json_t *load(const char *y, json_t **groups, json_t **lines_out)
{
    json_t *docs = NULL, *lines = NULL, *d, *plan = NULL;
    struct plan_issues is;
    struct dr_err err;
    size_t i;

    assert_int_equal(yaml_parse_docs(y, strlen(y), "t.yaml", &docs, &lines, &err), 0);
    plan_issues_init(&is, "t.yaml");
    *groups = json_object();
    json_array_foreach(docs, i, d)
    {
        json_t *o = NULL;
        enum plan_kind kind;
        assert_int_equal(plan_normalize(d, json_array_get(lines, i), "", &is, &o, &kind), 0);
        if (kind == PLAN_KIND_GROUP) {
            json_object_set_new(*groups, json_str_borrow(o, "name"), o);
        } else {
            plan = o;
            if (lines_out)
                *lines_out = json_incref(json_array_get(lines, i));
        }
    }
    assert_int_equal(is.n, 0);
    plan_issues_cleanup(&is);
    json_decref(docs);
    json_decref(lines);
    return plan;
}

static const struct plan_issue *find(const struct plan_issues *is, const char *path,
                                     const char *needle)
{
    for (size_t i = 0; i < is->n; i++)
        if (strcmp(is->v[i].path, path) == 0 && strstr(is->v[i].message, needle))
            return &is->v[i];
    return NULL;
}

static void dump(const struct plan_issues *is)
{
    for (size_t i = 0; i < is->n; i++)
        fprintf(stderr, "  %s %s: %s\n", is->v[i].warning ? "W" : "E", is->v[i].path,
                is->v[i].message);
}

/* Runs plan_validate with the default quotas and now = NOW + 1 minute. */
static json_t *validate(struct store *s, const json_t *plan, const json_t *groups,
                        struct plan_validate_opts *o, struct plan_issues *is)
{
    struct plan_validate_opts d;
    json_t *report = NULL;
    struct dr_err err;

    if (!o) {
        plan_validate_opts_default(&d);
        o = &d;
    }
    if (!o->now_ms)
        o->now_ms = NOW + 60000;
    plan_issues_init(is, "t.yaml");
    assert_int_equal(plan_validate(s, plan, groups, o, is, &report, &err), 0);
    assert_non_null(report);
    return report;
}

static const char *ids(const json_t *members, char *out, size_t n)
{
    size_t i, off = 0;
    json_t *m;
    out[0] = '\0';
    json_array_foreach(members, i, m)
    {
        off += (size_t)snprintf(out + off, n - off, "%s%s", i ? " " : "",
                                json_str_borrow(m, "source_server_id"));
        if (off >= n)
            break;
    }
    return out;
}

/* ---- plan_resolve_group ---- */

static void test_validate_resolve_selector(void **state)
{
    struct testlib_store *f = *state;
    json_t *groups, *m = NULL, *plan;
    struct dr_err err;
    char buf[256];

    estate(f->s);
    plan = load("kind: ProtectionGroup\nname: db\nselector: {tags: {Tier: db}}\n---\n"
                "kind: ProtectionGroup\nname: db-a1\nselector: {accounts: ['" A1 "'], "
                "regions: [eu-west-1], tags: {Tier: db}}\n---\n"
                "kind: ProtectionGroup\nname: shop-east\nselector: {regions: [us-east-1], "
                "tags: {App: shop}}\n---\n"
                "kind: ProtectionGroup\nname: none\nselector: {tags: {Tier: cache}}\n",
                &groups, NULL);
    assert_null(plan);
    assert_int_equal(plan_resolve_group(f->s, json_object_get(groups, "db"), &m, &err), 0);
    /* ordered by account, region, ID; across both accounts and regions */
    assert_string_equal(ids(m, buf, sizeof(buf)), "s-5 s-1 s-6");
    assert_true(json_is_true(json_object_get(json_array_get(m, 0), "in_inventory")));
    assert_string_equal(json_str_borrow(json_array_get(m, 0), "region"), "eu-west-1");
    assert_int_equal(json_int_or(json_array_get(m, 2), "lag_seconds", -2), 1200);
    json_decref(m);
    assert_int_equal(plan_resolve_group(f->s, json_object_get(groups, "db-a1"), &m, &err), 0);
    assert_string_equal(ids(m, buf, sizeof(buf)), "s-5");
    json_decref(m);
    assert_int_equal(plan_resolve_group(f->s, json_object_get(groups, "shop-east"), &m, &err), 0);
    assert_string_equal(ids(m, buf, sizeof(buf)), "s-1 s-2 s-3 s-4 s-6");
    assert_string_equal(json_str_borrow(json_array_get(m, 1), "replication_state"), "STALLED");
    json_decref(m);
    assert_int_equal(plan_resolve_group(f->s, json_object_get(groups, "none"), &m, &err), 0);
    assert_int_equal(json_array_size(m), 0);
    json_decref(m);
    json_decref(groups);
}

static void test_validate_resolve_explicit(void **state)
{
    struct testlib_store *f = *state;
    json_t *groups, *m = NULL;
    struct dr_err err;
    char buf[256];

    estate(f->s);
    assert_null(load("kind: ProtectionGroup\nname: g\nservers:\n"
                     "  - {account: '" A2 "', region: us-east-1, id: s-6}\n"
                     "  - {account: '" A1 "', region: us-east-1, id: s-99}\n"
                     "  - {account: '" A1 "', region: us-east-1, id: s-1}\n"
                     "  - {account: '" A1 "', region: us-east-1, id: s-1}\n",
                     &groups, NULL));
    assert_int_equal(plan_resolve_group(f->s, json_object_get(groups, "g"), &m, &err), 0);
    /* sorted, the duplicate dropped, the unknown server kept and marked */
    assert_string_equal(ids(m, buf, sizeof(buf)), "s-1 s-99 s-6");
    assert_false(json_is_true(json_object_get(json_array_get(m, 1), "in_inventory")));
    assert_true(json_is_null(json_object_get(json_array_get(m, 1), "replication_state")));
    assert_true(json_is_true(json_object_get(json_array_get(m, 2), "in_inventory")));
    json_decref(m);
    json_decref(groups);
}

/* ---- plan_validate ---- */

static void test_validate_reports_every_problem_with_paths(void **state)
{
    struct testlib_store *f = *state;
    json_t *groups, *lines = NULL, *plan, *report;
    struct plan_issues is;
    const struct plan_issue *it;

    estate(f->s);
    plan = load("kind: ProtectionGroup\nname: db\nselector: {tags: {Tier: db}}\n---\n"
                "kind: ProtectionGroup\nname: one\nservers:\n"
                "  - {account: '" A1 "', region: us-east-1, id: s-1}\n"
                "  - {account: '" A1 "', region: us-east-1, id: s-77}\n---\n"
                "kind: ProtectionGroup\nname: cache\nselector: {tags: {Tier: cache}}\n---\n"
                "kind: RecoveryPlan\nname: p\nwaves:\n"
                "  - name: a\n    groups: [db]\n    dependsOn: [c]\n"
                "  - name: b\n    groups:\n      - one\n      - cache\n    dependsOn: [a]\n"
                "  - name: c\n    groups: [ghost]\n    dependsOn: [b]\n",
                &groups, &lines);
    {
        struct plan_validate_opts o;
        plan_validate_opts_default(&o);
        o.lines = lines;
        report = validate(f->s, plan, groups, &o, &is);
    }
    dump(&is);
    /* a cycle, named */
    assert_non_null(it = find(&is, "waves[1].dependsOn", "dependency cycle"));
    assert_false(it->warning);
    assert_non_null(strstr(it->message, "a -> c -> b -> a"));
    /* an unknown group, with the line of the reference */
    assert_non_null(it = find(&is, "waves[2].groups[0]", "unknown protection group 'ghost'"));
    assert_int_equal(it->line, 27);
    /* a server in two groups: both groups and waves, the server as account/region/id */
    assert_non_null(it = find(&is, "waves[1].groups[0]", "also in group 'db'"));
    assert_false(it->warning);
    assert_non_null(strstr(it->message, "group 'one' (wave 'b')"));
    assert_non_null(strstr(it->message, "(wave 'a', waves[0].groups[0])"));
    assert_non_null(strstr(it->message, A1 "/us-east-1/s-1"));
    assert_int_equal(it->line, 23);
    /* an explicit server not in the inventory */
    assert_non_null(it = find(&is, "waves[1].groups[0]", "1 of its 2 listed server(s)"));
    assert_non_null(strstr(it->message, A1 "/us-east-1/s-77"));
    /* a selector that matches nothing */
    assert_non_null(it = find(&is, "waves[1].groups[1]", "selector matches no server"));
    assert_false(it->warning);
    assert_int_equal(it->line, 24);
    assert_int_equal(is.errors, 5);
    /* the split still covers the waves it could resolve */
    assert_int_equal(json_int_or(json_array_get(json_object_get(report, "waves"), 0), "servers", 0),
                     3);
    plan_issues_cleanup(&is);
    json_decref(report);
    json_decref(lines);
    json_decref(plan);
    json_decref(groups);
}

static void test_validate_same_group_twice(void **state)
{
    struct testlib_store *f = *state;
    json_t *groups, *plan, *report;
    struct plan_issues is;

    estate(f->s);
    plan = load("kind: ProtectionGroup\nname: db\nselector: {tags: {Tier: db}}\n---\n"
                "kind: RecoveryPlan\nname: p\nwaves:\n"
                "  - {name: a, groups: [db]}\n  - {name: b, groups: [db], dependsOn: [a]}\n",
                &groups, NULL);
    report = validate(f->s, plan, groups, NULL, &is);
    dump(&is);
    assert_non_null(find(&is, "waves[1].groups[0]", "already used by wave 'a'"));
    assert_int_equal(is.errors, 1);
    plan_issues_cleanup(&is);
    json_decref(report);
    json_decref(plan);
    json_decref(groups);
}

static void test_validate_replication_health(void **state)
{
    struct testlib_store *f = *state;
    json_t *groups, *plan, *report;
    struct plan_issues is;
    const struct plan_issue *it;

    estate(f->s);
    plan = load("kind: ProtectionGroup\nname: app\nselector: {tags: {Tier: app}}\n---\n"
                "kind: ProtectionGroup\nname: web\nselector: {tags: {Tier: web}}\n---\n"
                "kind: ProtectionGroup\nname: db\nselector: {tags: {Tier: db}}\n---\n"
                "kind: RecoveryPlan\nname: p\nrpoTargetMinutes: 15\nwaves:\n"
                "  - {name: a, groups: [app]}\n  - {name: w, groups: [web]}\n"
                "  - {name: d, groups: [db]}\n",
                &groups, NULL);
    report = validate(f->s, plan, groups, NULL, &is);
    dump(&is);
    /* STALLED: a warning (it may still recover from its last snapshot) */
    assert_non_null(it = find(&is, "waves[0].groups[0]", "replication STALLED"));
    assert_true(it->warning);
    assert_non_null(strstr(it->message, A1 "/us-east-1/s-2"));
    /* lag over the RPO target: a warning, with the lag */
    assert_non_null(it = find(&is, "waves[0].groups[0]", "RPO target of 15 minute(s)"));
    assert_true(it->warning);
    assert_non_null(it = find(&is, "waves[2].groups[0]", "RPO target"));
    assert_non_null(strstr(it->message, A2 "/us-east-1/s-6 (lag 20m00s)"));
    /* INITIAL_SYNC has no recovery point: an error */
    assert_non_null(it = find(&is, "waves[1].groups[0]", "replication INITIAL_SYNC"));
    assert_false(it->warning);
    assert_int_equal(is.errors, 1);
    plan_issues_cleanup(&is);
    json_decref(report);

    /* without an RPO target, lag is not judged */
    json_object_del(plan, "rpoTargetMinutes");
    report = validate(f->s, plan, groups, NULL, &is);
    assert_null(find(&is, "waves[2].groups[0]", "RPO target"));
    plan_issues_cleanup(&is);
    json_decref(report);
    json_decref(plan);
    json_decref(groups);
}

static void test_validate_stale_and_old_inventory(void **state)
{
    struct testlib_store *f = *state;
    json_t *groups, *plan, *report;
    struct plan_issues is;
    struct plan_validate_opts o;
    const struct plan_issue *it;
    struct dr_err err;

    estate(f->s);
    plan = load("kind: ProtectionGroup\nname: db\nselector: {tags: {Tier: db}}\n---\n"
                "kind: RecoveryPlan\nname: p\nwaves:\n  - {name: a, groups: [db]}\n",
                &groups, NULL);
    report = validate(f->s, plan, groups, NULL, &is);
    dump(&is);
    assert_int_equal(is.n, 0); /* fresh and healthy: nothing to say */
    plan_issues_cleanup(&is);
    json_decref(report);

    assert_int_equal(
        store_snapshot_mark_failed(f->s, A2, "us-east-1", "AccessDenied: no", NOW + 1, &err), 0);
    plan_validate_opts_default(&o);
    o.now_ms = NOW + 2 * 86400 * 1000LL; /* two days later */
    report = validate(f->s, plan, groups, &o, &is);
    dump(&is);
    assert_non_null(it = find(&is, "waves[0].groups[0]", "inventory of " A2 "/us-east-1 is stale"));
    assert_true(it->warning);
    assert_non_null(strstr(it->message, "AccessDenied"));
    assert_non_null(
        it = find(&is, "waves[0].groups[0]", "inventory of " A1 "/eu-west-1 is 2d00h old"));
    assert_true(it->warning);
    assert_int_equal(is.errors, 0);
    plan_issues_cleanup(&is);
    json_decref(report);

    o.max_inventory_age_seconds = 0; /* the age check off */
    report = validate(f->s, plan, groups, &o, &is);
    assert_null(find(&is, "waves[0].groups[0]", "old"));
    assert_non_null(find(&is, "waves[0].groups[0]", "stale"));
    plan_issues_cleanup(&is);
    json_decref(report);
    json_decref(plan);
    json_decref(groups);
}

static void test_validate_undiscovered_and_unregistered(void **state)
{
    struct testlib_store *f = *state;
    json_t *groups, *plan, *report;
    struct plan_issues is;
    char *r3[] = {(char *)"us-west-2"};

    estate(f->s);
    add_account(f->s, "333333333333", r3, 1); /* registered, never discovered */
    plan = load("kind: ProtectionGroup\nname: db\nselector: {accounts: ['" A1 "', '333333333333', "
                "'444444444444'], tags: {Tier: db}}\n---\n"
                "kind: RecoveryPlan\nname: p\nwaves:\n  - {name: a, groups: [db]}\n",
                &groups, NULL);
    report = validate(f->s, plan, groups, NULL, &is);
    dump(&is);
    assert_non_null(find(&is, "waves[0].groups[0]",
                         "333333333333/us-west-2 is registered but was "
                         "never discovered"));
    assert_non_null(find(&is, "waves[0].groups[0]", "not registered"));
    assert_int_equal(is.errors, 0); /* s-1 and s-5 still match */
    plan_issues_cleanup(&is);
    json_decref(report);
    json_decref(plan);
    json_decref(groups);
}

static const json_t *split_of(const json_t *report, size_t wave, const char *acct,
                              const char *region)
{
    size_t i;
    json_t *j;
    json_array_foreach(
        json_object_get(json_array_get(json_object_get(report, "waves"), wave), "jobs"), i, j)
    {
        if (strcmp(json_str_borrow(j, "account_id"), acct) == 0 &&
            strcmp(json_str_borrow(j, "region"), region) == 0)
            return j;
    }
    return NULL;
}

static void test_validate_job_split(void **state)
{
    struct testlib_store *f = *state;
    json_t *groups, *plan, *report, *w;
    const json_t *j;
    struct plan_issues is;
    char *r[] = {(char *)"us-east-1", (char *)"eu-west-1"};

    add_account(f->s, A1, r, 2);
    snapshot(f->s, A1, "us-east-1", many("e", 250, "big", "x"));
    snapshot(f->s, A1, "eu-west-1", many("w", 30, "big", "x"));
    plan = load("kind: ProtectionGroup\nname: big\nselector: {tags: {App: big}}\n---\n"
                "kind: RecoveryPlan\nname: p\nwaves:\n  - {name: all, groups: [big]}\n",
                &groups, NULL);
    report = validate(f->s, plan, groups, NULL, &is);
    dump(&is);
    assert_int_equal(is.n, 0); /* 250 < 500 servers and 3 < 20 jobs: no queueing */
    w = json_array_get(json_object_get(report, "waves"), 0);
    assert_string_equal(json_str_borrow(w, "name"), "all");
    assert_int_equal(json_int_or(w, "servers", 0), 280);
    assert_int_equal(json_array_size(json_object_get(w, "members")), 280);
    assert_non_null(j = split_of(report, 0, A1, "us-east-1"));
    assert_int_equal(json_int_or(j, "servers", 0), 250);
    assert_int_equal(json_int_or(j, "jobs", 0), 3);
    assert_non_null(j = split_of(report, 0, A1, "eu-west-1"));
    assert_int_equal(json_int_or(j, "jobs", 0), 1);
    /* ordered by account then region */
    assert_string_equal(json_str_borrow(json_array_get(json_object_get(w, "jobs"), 0), "region"),
                        "eu-west-1");
    plan_issues_cleanup(&is);
    json_decref(report);

    /* smaller quotas: the same wave is queued, and the note says so */
    {
        struct plan_validate_opts o;
        const struct plan_issue *it;
        plan_validate_opts_default(&o);
        o.quotas.servers_per_job = 50;
        o.quotas.active_jobs = 4;
        o.quotas.active_servers = 200;
        report = validate(f->s, plan, groups, &o, &is);
        dump(&is);
        assert_int_equal(json_int_or(split_of(report, 0, A1, "us-east-1"), "jobs", 0), 5);
        assert_non_null(it = find(&is, "waves[0]", "250 server(s) in " A1 "/us-east-1"));
        assert_true(it->warning);
        assert_non_null(strstr(it->message, "queued"));
        assert_null(find(&is, "waves[0]", A1 "/eu-west-1"));
        assert_int_equal(is.errors, 0);
        plan_issues_cleanup(&is);
        json_decref(report);
    }
    json_decref(plan);
    json_decref(groups);
    assert_int_equal(plan_jobs_for(0, NULL), 0);
    assert_int_equal(plan_jobs_for(100, NULL), 1);
    assert_int_equal(plan_jobs_for(101, NULL), 2);
}

static void test_validate_concurrent_waves_share_quotas(void **state)
{
    struct testlib_store *f = *state;
    json_t *groups, *plan, *report;
    struct plan_issues is;
    struct plan_validate_opts o;
    const struct plan_issue *it;
    char *r[] = {(char *)"us-east-1"};

    add_account(f->s, A1, r, 1);
    {
        json_t *a = many("a", 300, "x", "a"), *b = many("b", 300, "x", "b");
        json_array_extend(a, b);
        json_decref(b);
        snapshot(f->s, A1, "us-east-1", a);
    }
    /* a and b are independent: up to 600 servers at once; c waits for both */
    plan = load("kind: ProtectionGroup\nname: ga\nselector: {tags: {Tier: a}}\n---\n"
                "kind: ProtectionGroup\nname: gb\nselector: {tags: {Tier: b}}\n---\n"
                "kind: RecoveryPlan\nname: p\nwaves:\n"
                "  - {name: a, groups: [ga]}\n  - {name: b, groups: [gb]}\n",
                &groups, NULL);
    plan_validate_opts_default(&o);
    report = validate(f->s, plan, groups, &o, &is);
    dump(&is);
    assert_non_null(it = find(&is, "waves[0]", "at the same time as wave(s) 'b'"));
    assert_true(it->warning);
    assert_non_null(strstr(it->message, "600 server(s) in 6 job(s) in " A1 "/us-east-1"));
    assert_int_equal(is.n, 1); /* reported once for the pair */
    plan_issues_cleanup(&is);
    json_decref(report);

    /* with b after a, nothing to say */
    json_array_append_new(
        json_object_get(json_array_get(json_object_get(plan, "waves"), 1), "dependsOn"),
        json_string("a"));
    report = validate(f->s, plan, groups, &o, &is);
    dump(&is);
    assert_int_equal(is.n, 0);
    plan_issues_cleanup(&is);
    json_decref(report);
    json_decref(plan);
    json_decref(groups);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, testlib_store_setup, testlib_store_teardown)
    const struct CMUnitTest tests[] = {
        T(test_validate_resolve_selector),
        T(test_validate_resolve_explicit),
        T(test_validate_reports_every_problem_with_paths),
        T(test_validate_same_group_twice),
        T(test_validate_replication_health),
        T(test_validate_stale_and_old_inventory),
        T(test_validate_undiscovered_and_unregistered),
        T(test_validate_job_split),
        T(test_validate_concurrent_waves_share_quotas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
