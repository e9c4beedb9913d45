/*
 * test_plan.c - unit tests for src/plan: normalization of groups and
 * plans, errors with paths and lines, references, cycles, wave order and
 * selector matching.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/yamljson.h"
#include "plan/plan.h"
#include "testlib.h" /* cmocka */

/* Normalizes document `idx` of YAML text; returns the issue count (errors). */
static size_t norm_yaml(const char *y, size_t idx, json_t **out, struct plan_issues *is)
{
    json_t *docs = NULL, *lines = NULL;
    enum plan_kind kind;
    struct dr_err err;

    assert_int_equal(yaml_parse_docs(y, strlen(y), "t.yaml", &docs, &lines, &err), 0);
    plan_issues_init(is, "t.yaml");
    plan_normalize(json_array_get(docs, idx), json_array_get(lines, idx), "", is, out, &kind);
    json_decref(docs);
    json_decref(lines);
    return is->errors;
}

static bool has_issue(const struct plan_issues *is, const char *path, const char *needle)
{
    size_t i;
    for (i = 0; i < is->n; i++) {
        if (strcmp(is->v[i].path, path) == 0 && strstr(is->v[i].message, needle))
            return true;
    }
    return false;
}

static void test_plan_group_selector_normalized(void **state)
{
    json_t *g = NULL;
    struct plan_issues is;
    (void)state;
    assert_int_equal(norm_yaml("kind: ProtectionGroup\nname: shop-db\nselector:\n"
                               "  accounts: [222222222222]\n  regions: us-west-2\n"
                               "  tags: {App: shop, Tier: db, Port: 5432}\n",
                               0, &g, &is),
                     0);
    assert_non_null(g);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(g, "selector"), "accounts"), 0)),
                        "222222222222");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(g, "selector"), "regions"), 0)),
                        "us-west-2");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(g, "selector"), "tags"), "Port")),
                        "5432");
    json_decref(g);
    plan_issues_cleanup(&is);
}

static void test_plan_group_errors_have_paths_and_lines(void **state)
{
    json_t *g = NULL;
    struct plan_issues is;
    (void)state;
    assert_true(norm_yaml("kind: ProtectionGroup\nname: bad\nservers:\n"
                          "  - {account: '12345', region: us-west-2, id: s-1}\n"
                          "  - {account: '222222222222', region: nowhere, id: x-2, extra: 1}\n",
                          0, &g, &is) >= 4);
    assert_null(g);
    assert_true(has_issue(&is, "servers[0].account", "12 digits"));
    assert_true(has_issue(&is, "servers[1].region", "region"));
    assert_true(has_issue(&is, "servers[1].id", "source server ID"));
    assert_true(has_issue(&is, "servers[1].extra", "unknown key"));
    assert_int_equal(is.v[0].line, 4);
    plan_issues_cleanup(&is);
}

static const char *plan_yaml = "kind: RecoveryPlan\nname: shop\nwaves:\n"
                               "  - name: db\n    groups: [shop-db]\n"
                               "  - name: app\n    groups: [shop-app]\n    dependsOn: [db]\n"
                               "    timeout: 1h30m\n    maxFailedServers: 2\n"
                               "    postActions:\n      - {type: http-check, url: 'http://x/', "
                               "timeout: 90s}\n"
                               "  - name: web\n    groups: [shop-web]\n    dependsOn: [app]\n"
                               "    pauseBefore: true\n"
                               "  - name: batch\n    groups: [batch]\n";

static void test_plan_waves_normalized_and_ordered(void **state)
{
    json_t *p = NULL, *w;
    struct plan_issues is;
    size_t *order = NULL, n = 0;
    (void)state;
    assert_int_equal(norm_yaml(plan_yaml, 0, &p, &is), 0);
    w = json_array_get(json_object_get(p, "waves"), 1);
    assert_int_equal(json_integer_value(json_object_get(w, "timeoutSeconds")), 5400);
    assert_int_equal(json_integer_value(json_object_get(w, "maxFailedServers")), 2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(w, "postActions"), 0), "timeoutSeconds")),
                     90);
    assert_true(json_is_true(
        json_object_get(json_array_get(json_object_get(p, "waves"), 2), "pauseBefore")));
    assert_int_equal(plan_wave_order(p, &order, &n, NULL), 0);
    assert_int_equal(n, 4);
    /* db before app before web */
    {
        size_t pos[4], i;
        for (i = 0; i < n; i++)
            pos[order[i]] = i;
        assert_true(pos[0] < pos[1]);
        assert_true(pos[1] < pos[2]);
    }
    free(order);
    json_decref(p);
    plan_issues_cleanup(&is);
}

static void test_plan_refs_cycle_and_unknowns(void **state)
{
    json_t *p = NULL, *groups;
    struct plan_issues is, refs;
    size_t *order = NULL, n;
    (void)state;
    assert_int_equal(norm_yaml("kind: RecoveryPlan\nname: loop\nwaves:\n"
                               "  - {name: a, groups: [g1], dependsOn: [c]}\n"
                               "  - {name: b, groups: [g1], dependsOn: [a]}\n"
                               "  - {name: c, groups: [nope], dependsOn: [b, zz]}\n",
                               0, &p, &is),
                     0);
    groups = json_pack("{s:{}}", "g1");
    plan_issues_init(&refs, "t.yaml");
    plan_check_refs(p, groups, &refs);
    assert_true(has_issue(&refs, "waves[2].groups[0]", "unknown protection group 'nope'"));
    assert_true(has_issue(&refs, "waves[2].dependsOn[1]", "unknown wave 'zz'"));
    {
        size_t i;
        bool cyc = false;
        for (i = 0; i < refs.n; i++) {
            if (strstr(refs.v[i].message, "dependency cycle") &&
                strstr(refs.v[i].message, "a -> ") && strstr(refs.v[i].message, "c"))
                cyc = true;
        }
        assert_true(cyc);
    }
    assert_int_not_equal(plan_wave_order(p, &order, &n, NULL), 0);
    json_decref(groups);
    json_decref(p);
    plan_issues_cleanup(&is);
    plan_issues_cleanup(&refs);
}

static void test_plan_unknown_keys_and_bad_values(void **state)
{
    json_t *p = NULL;
    struct plan_issues is;
    (void)state;
    assert_true(norm_yaml("kind: RecoveryPlan\nname: x\nwaves:\n"
                          "  - name: a\n    groups: [g]\n    timout: 5m\n    maxFailedServers: -1\n"
                          "    preActions: [{type: ssh}]\n",
                          0, &p, &is) >= 3);
    assert_true(has_issue(&is, "waves[0].timout", "unknown key"));
    assert_true(has_issue(&is, "waves[0].maxFailedServers", "non-negative"));
    assert_true(has_issue(&is, "waves[0].preActions[0].type", "wait-healthy"));
    plan_issues_cleanup(&is);
}

static void test_plan_durations(void **state)
{
    json_t *v;
    (void)state;
    v = json_string("1h30m");
    assert_int_equal(plan_parse_duration(v), 5400);
    json_decref(v);
    v = json_string("45");
    assert_int_equal(plan_parse_duration(v), 45);
    json_decref(v);
    v = json_string("5x");
    assert_int_equal(plan_parse_duration(v), -1);
    json_decref(v);
    v = json_integer(-3);
    assert_int_equal(plan_parse_duration(v), -1);
    json_decref(v);
}

static void test_plan_group_matching(void **state)
{
    json_t *g = NULL, *s1, *s2, *s3;
    struct plan_issues is;
    (void)state;
    assert_int_equal(norm_yaml("kind: ProtectionGroup\nname: g\nselector:\n"
                               "  regions: [us-west-2]\n  tags: {App: shop}\n",
                               0, &g, &is),
                     0);
    s1 = json_pack("{s:s,s:s,s:s,s:{s:s,s:s}}", "account_id", "111111111111", "region", "us-west-2",
                   "source_server_id", "s-1", "tags", "App", "shop", "Tier", "db");
    s2 = json_pack("{s:s,s:s,s:s,s:{s:s}}", "account_id", "111111111111", "region", "us-east-1",
                   "source_server_id", "s-2", "tags", "App", "shop");
    s3 = json_pack("{s:s,s:s,s:s,s:{}}", "account_id", "111111111111", "region", "us-west-2",
                   "source_server_id", "s-3", "tags");
    assert_true(plan_group_matches(g, s1));
    assert_false(plan_group_matches(g, s2));
    assert_false(plan_group_matches(g, s3));
    json_decref(s1);
    json_decref(s2);
    json_decref(s3);
    json_decref(g);
    plan_issues_cleanup(&is);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_group_selector_normalized),
        cmocka_unit_test(test_plan_group_errors_have_paths_and_lines),
        cmocka_unit_test(test_plan_waves_normalized_and_ordered),
        cmocka_unit_test(test_plan_refs_cycle_and_unknowns),
        cmocka_unit_test(test_plan_unknown_keys_and_bad_values),
        cmocka_unit_test(test_plan_durations),
        cmocka_unit_test(test_plan_group_matching),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
