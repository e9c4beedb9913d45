/*
 * test_tagsync.c - unit tests for the inventory's tag sync decision
 * (tagsync_wanted: EC2 tags + drover:source-* minus what the server has)
 * and discovery's JSON/table rendering of a result.
 */
#include <string.h>

#include "inventory/discover.h"
#include "inventory/tagsync.h"
#include "testlib.h"

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    assert_non_null(v);
    return v;
}

static void test_tagsync_copies_ec2_tags_and_source_tags(void **state)
{
    json_t *srv = load("{\"sourceServerID\":\"s-1\",\"tags\":{\"App\":\"shop\",\"Tier\":\"old\"},"
                       "\"sourceCloudProperties\":{\"originAccountID\":\"111111111111\","
                       "\"originRegion\":\"eu-west-1\"}}");
    json_t *inst = load("{\"InstanceId\":\"i-1\",\"InstanceType\":\"m5.large\",\"Tags\":["
                        "{\"Key\":\"App\",\"Value\":\"shop\"},{\"Key\":\"Tier\",\"Value\":\"db\"},"
                        "{\"Key\":\"aws:cloudformation:stack-name\",\"Value\":\"x\"},"
                        "{\"Key\":\"drover:source-region\",\"Value\":\"spoofed\"},"
                        "{\"Key\":\"Owner\",\"Value\":\"ops\"}]}");
    json_t *w = tagsync_wanted(srv, inst);
    json_t *want = load("{\"Tier\":\"db\",\"Owner\":\"ops\",\"drover:source-account\":"
                        "\"111111111111\",\"drover:source-region\":\"eu-west-1\","
                        "\"drover:source-instance-type\":\"m5.large\"}");

    (void)state;
    assert_non_null(w);
    assert_true(json_equal(w, want));
    json_decref(w);
    json_decref(want);
    json_decref(srv);
    json_decref(inst);
}

static void test_tagsync_nothing_when_up_to_date(void **state)
{
    json_t *srv = load("{\"sourceServerID\":\"s-1\",\"tags\":{\"drover:source-account\":"
                       "\"111111111111\",\"drover:source-region\":\"eu-west-1\"},"
                       "\"sourceCloudProperties\":{\"originAccountID\":\"111111111111\","
                       "\"originRegion\":\"eu-west-1\"}}");
    json_t *onprem = load("{\"sourceServerID\":\"s-2\"}");
    json_t *w = tagsync_wanted(srv, NULL), *w2 = tagsync_wanted(onprem, NULL);

    (void)state;
    assert_int_equal(json_object_size(w), 0);
    assert_int_equal(json_object_size(w2), 0);
    json_decref(w);
    json_decref(w2);
    json_decref(srv);
    json_decref(onprem);
}

static void test_discover_result_json_and_table(void **state)
{
    struct discover_ar ars[2];
    struct discover_result r;
    struct buf b;
    json_t *j;

    (void)state;
    memset(ars, 0, sizeof(ars));
    ars[0].account_id = "111111111111";
    ars[0].region = "us-east-1";
    ars[0].servers = 3;
    ars[0].healthy = 2;
    ars[0].stalled = 1;
    ars[1].account_id = "111111111111";
    ars[1].region = "eu-west-1";
    ars[1].error = "DescribeSourceServers: AccessDeniedException: no";
    memset(&r, 0, sizeof(r));
    r.v = ars;
    r.n = 2;
    r.failed = 1;
    r.servers_total = 3;
    r.elapsed_ms = 12;
    j = discover_result_to_json(&r);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "servers_total")), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "elapsed_ms")), 12);
    assert_true(json_is_null(
        json_object_get(json_array_get(json_object_get(j, "account_regions"), 0), "error")));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "account_regions"), 1), "error")),
                        ars[1].error);
    json_decref(j);
    buf_init(&b, 1 << 16);
    assert_int_equal(discover_render_table(&r, &b, NULL), 0);
    assert_non_null(strstr(b.p, "111111111111  us-east-1        3        2        0        1"));
    assert_non_null(strstr(b.p, "AccessDeniedException"));
    buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tagsync_copies_ec2_tags_and_source_tags),
        cmocka_unit_test(test_tagsync_nothing_when_up_to_date),
        cmocka_unit_test(test_discover_result_json_and_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
