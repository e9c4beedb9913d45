/*
 * test_accounts.c - unit tests for src/inventory/accounts.c and
 * servers.c: validation of account IDs, role ARNs, regions and external
 * IDs; external ID generation; add/update/remove through a real store;
 * masking; and the `drover servers` filter parsers and renderers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/jsonutil.h"
#include "inventory/accounts.h"
#include "inventory/servers.h"
#include "testlib.h" /* cmocka */

static void expect_bad(int rc, const struct dr_err *err, const char *field)
{
    assert_int_equal(rc, -DR_EINVAL);
    if (strncmp(err->msg, field, strlen(field)) != 0)
        fail_msg("error '%s' does not start with '%s'", err->msg, field);
}

static void test_accounts_check_id(void **state)
{
    static const char *const bad[] = {
        "", "12345678901", "1234567890123", "12345678901a", " 123456789012", "-12345678901"};
    struct dr_err err;
    size_t i;

    (void)state;
    assert_int_equal(accounts_check_id("012345678901", &err), 0);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_bad(accounts_check_id(bad[i], &err), &err, "account_id:");
    expect_bad(accounts_check_id(NULL, &err), &err, "account_id:");
}

static void test_accounts_check_role_arn(void **state)
{
    static const char *const good[] = {
        "arn:aws:iam::111111111111:role/drover",
        "arn:aws-cn:iam::111111111111:role/drover",
        "arn:aws-us-gov:iam::111111111111:role/path/to/Drover+=,.@_-x",
    };
    static const char *const bad[] = {
        "",
        "aws:iam::111111111111:role/drover",
        "arn:aws-xx:iam::111111111111:role/drover",
        "arn:aws:sts::111111111111:role/drover",
        "arn:aws:iam:us-east-1:111111111111:role/drover",
        "arn:aws:iam::11111111111:role/drover",
        "arn:aws:iam::222222222222:role/drover", /* another account */
        "arn:aws:iam::111111111111:user/drover",
        "arn:aws:iam::111111111111:role/",
        "arn:aws:iam::111111111111:role/a//b",
        "arn:aws:iam::111111111111:role/dro ver",
        "arn:aws:iam::111111111111:role/"
        "x1234567890123456789012345678901234567890123456789012345678901234",
    };
    struct dr_err err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (accounts_check_role_arn(good[i], "111111111111", &err) != 0)
            fail_msg("%s: %s", good[i], err.msg);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_bad(accounts_check_role_arn(bad[i], "111111111111", &err), &err, "role_arn:");
}

static void test_accounts_check_region(void **state)
{
    static const char *const good[] = {"us-east-1",      "eu-central-2", "ap-southeast-4",
                                       "us-gov-west-1",  "cn-north-1",   "il-central-1",
                                       "us-isob-east-1", "me-south-10"};
    static const char *const bad[] = {"",           "us-east",    "us-east-",    "useast1",
                                      "US-EAST-1",  "us-east-1a", "us-east-100", "u-east-1",
                                      "us--east-1", "us-east-1 "};
    struct dr_err err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (accounts_check_region(good[i], &err) != 0)
            fail_msg("%s: %s", good[i], err.msg);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (accounts_check_region(bad[i], &err) != -DR_EINVAL)
            fail_msg("region '%s' was accepted", bad[i]);
        expect_bad(-DR_EINVAL, &err, "regions:");
    }
}

static void test_accounts_parse_regions_dedupes(void **state)
{
    struct dr_err err;
    char **v;
    size_t n, i;

    (void)state;
    assert_int_equal(accounts_parse_regions("us-east-1, eu-west-1,us-east-1,", &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "us-east-1");
    assert_string_equal(v[1], "eu-west-1");
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
    expect_bad(accounts_parse_regions("us-east-1,,eu-west-1", &v, &n, &err), &err, "regions:");
    expect_bad(accounts_parse_regions("", &v, &n, &err), &err, "regions:");
    expect_bad(accounts_parse_regions("us-east-1,mars-1", &v, &n, &err), &err, "regions:");
}

static void test_accounts_external_id(void **state)
{
    char a[33], b[33];
    struct dr_err err;
    size_t i;

    (void)state;
    assert_int_equal(accounts_generate_external_id(a, &err), 0);
    assert_int_equal(accounts_generate_external_id(b, &err), 0);
    assert_int_equal(strlen(a), 32);
    for (i = 0; i < 32; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
    assert_string_not_equal(a, b);
    assert_int_equal(accounts_check_external_id(a, &err), 0);
    assert_int_equal(accounts_check_external_id("ab:c/d=e@f", &err), 0);
    expect_bad(accounts_check_external_id("x", &err), &err, "external_id:");
    expect_bad(accounts_check_external_id("has space", &err), &err, "external_id:");
}

static void test_accounts_mask(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 256);
    assert_int_equal(accounts_mask_secret("a1b2c3d4e5f6a7b8c9d0", &b), 0);
    assert_string_equal(b.p, "a1b2\xe2\x80\xa6(masked)");
    buf_reset(&b);
    assert_int_equal(accounts_mask_secret("short-id", &b), 0);
    assert_null(strstr(b.p, "short"));
    buf_cleanup(&b);
}

static void test_accounts_add_generate_update_remove(void **state)
{
    struct testlib_store *f = *state;
    struct accounts_add_req req = {
        .account_id = "111111111111",
        .role_arn = "arn:aws:iam::111111111111:role/drover",
        .regions = "us-east-1,us-west-2",
        .name = "prod",
    };
    struct store_account a;
    struct dr_err err;
    char *gen = NULL, *gen2 = NULL;

    assert_int_equal(accounts_add(f->s, &req, &gen, &err), 0);
    assert_non_null(gen);
    assert_int_equal(strlen(gen), 32);
    assert_int_equal(store_account_get(f->s, "111111111111", &a, &err), 0);
    assert_string_equal(a.external_id, gen);
    assert_int_equal(a.nregions, 2);
    store_account_cleanup(&a);

    /* re-adding is a conflict naming the field; --update keeps the external ID */
    assert_int_equal(accounts_add(f->s, &req, &gen2, &err), -DR_ECONFLICT);
    assert_non_null(strstr(err.msg, "account_id"));
    req.update = true;
    req.regions = "eu-west-1";
    assert_int_equal(accounts_add(f->s, &req, &gen2, &err), 0);
    assert_null(gen2);
    assert_int_equal(store_account_get(f->s, "111111111111", &a, &err), 0);
    assert_string_equal(a.external_id, gen);
    assert_int_equal(a.nregions, 1);
    assert_string_equal(a.regions[0], "eu-west-1");
    store_account_cleanup(&a);
    free(gen);

    /* an explicit external ID is stored as given */
    req.external_id = "given-id-42";
    assert_int_equal(accounts_add(f->s, &req, &gen2, &err), 0);
    assert_null(gen2);
    assert_int_equal(store_account_get(f->s, "111111111111", &a, &err), 0);
    assert_string_equal(a.external_id, "given-id-42");
    store_account_cleanup(&a);

    /* partition mismatch between the role and a region */
    req.regions = "cn-north-1";
    expect_bad(accounts_add(f->s, &req, &gen2, &err), &err, "regions:");

    assert_int_equal(accounts_remove(f->s, "111111111111", &err), 0);
    assert_int_equal(accounts_remove(f->s, "111111111111", &err), -DR_ENOTFOUND);
    expect_bad(accounts_remove(f->s, "1", &err), &err, "account_id:");
}

static void test_accounts_json_masks_unless_asked(void **state)
{
    struct testlib_store *f = *state;
    struct accounts_add_req req = {
        .account_id = "111111111111",
        .role_arn = "arn:aws:iam::111111111111:role/drover",
        .external_id = "0123456789abcdef0123",
        .regions = "us-east-1",
    };
    struct store_account_list l;
    struct dr_err err;
    struct buf b;
    json_t *v, *a;

    assert_int_equal(accounts_add(f->s, &req, NULL, &err), 0);
    assert_int_equal(store_account_list(f->s, &l, &err), 0);
    v = accounts_to_json(&l, false);
    a = json_array_get(json_object_get(v, "accounts"), 0);
    assert_string_equal(json_str_borrow(a, "account_id"), "111111111111");
    assert_string_equal(json_str_borrow(a, "external_id"), "0123\xe2\x80\xa6(masked)");
    assert_true(json_is_null(json_object_get(a, "name")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(a, "regions"), 0)),
                        "us-east-1");
    assert_non_null(json_str_borrow(a, "created_at"));
    json_decref(v);
    v = accounts_to_json(&l, true);
    a = json_array_get(json_object_get(v, "accounts"), 0);
    assert_string_equal(json_str_borrow(a, "external_id"), "0123456789abcdef0123");
    json_decref(v);

    buf_init(&b, 1 << 20);
    assert_int_equal(accounts_render_table(&l, false, &b, &err), 0);
    assert_null(strstr(b.p, "0123456789abcdef0123"));
    assert_non_null(strstr(b.p, "111111111111"));
    buf_cleanup(&b);
    store_account_list_cleanup(&l);
}

static void test_accounts_servers_filters_parse(void **state)
{
    char state_buf[SERVERS_STATE_MAX], *k, *v;
    struct dr_err err;
    int64_t secs;

    (void)state;
    assert_int_equal(servers_parse_tag("App=shop=1", &k, &v, &err), 0);
    assert_string_equal(k, "App");
    assert_string_equal(v, "shop=1");
    free(k);
    free(v);
    assert_int_equal(servers_parse_tag("Empty=", &k, &v, &err), 0);
    assert_string_equal(v, "");
    free(k);
    free(v);
    expect_bad(servers_parse_tag("=x", &k, &v, &err), &err, "tag:");
    expect_bad(servers_parse_tag("novalue", &k, &v, &err), &err, "tag:");
    assert_int_equal(servers_parse_state("stalled", state_buf, &err), 0);
    assert_string_equal(state_buf, "STALLED");
    expect_bad(servers_parse_state("HEALTHY", state_buf, &err), &err, "state:");
    assert_int_equal(servers_parse_lag("300", &secs, &err), 0);
    assert_int_equal(secs, 300);
    assert_int_equal(servers_parse_lag("PT5M", &secs, &err), 0);
    assert_int_equal(secs, 300);
    expect_bad(servers_parse_lag("-5", &secs, &err), &err, "lag-over:");
    expect_bad(servers_parse_lag("5 minutes", &secs, &err), &err, "lag-over:");
}

static void test_accounts_servers_render(void **state)
{
    struct store_server sv[2];
    struct store_server_list l = {sv, 2};
    struct dr_err err;
    struct buf b;
    json_t *v, *s0;

    (void)state;
    memset(sv, 0, sizeof(sv));
    sv[0].account_id = (char *)"111111111111";
    sv[0].region = (char *)"us-east-1";
    sv[0].source_server_id = (char *)"s-1";
    sv[0].hostname = (char *)"web1";
    sv[0].replication_state = (char *)"CONTINUOUS";
    sv[0].lag_seconds = 330;
    sv[0].tags = json_pack("{s:s}", "App", "shop");
    sv[1] = sv[0];
    sv[1].source_server_id = (char *)"s-2";
    sv[1].hostname = NULL;
    sv[1].lag_seconds = -1;
    sv[1].stale = true;
    v = servers_to_json(&l);
    s0 = json_array_get(json_object_get(v, "servers"), 0);
    assert_string_equal(json_str_borrow(s0, "source_server_id"), "s-1");
    assert_int_equal(json_int_or(s0, "lag_seconds", 0), 330);
    assert_string_equal(json_str_borrow(json_object_get(s0, "tags"), "App"), "shop");
    assert_false(json_bool_or(s0, "stale", true));
    s0 = json_array_get(json_object_get(v, "servers"), 1);
    assert_true(json_is_null(json_object_get(s0, "lag_seconds")));
    assert_true(json_is_null(json_object_get(s0, "hostname")));
    assert_true(json_bool_or(s0, "stale", false));
    json_decref(v);

    buf_init(&b, 1 << 20);
    assert_int_equal(servers_render_table(&l, &b, &err), 0);
    assert_string_equal(b.p, "ACCOUNT       REGION     SERVER ID  HOSTNAME  STATE         LAG  "
                             "LAST LAUNCH  STALE\n"
                             "111111111111  us-east-1  s-1        web1      CONTINUOUS  5m30s  "
                             "-\n"
                             "111111111111  us-east-1  s-2        -         CONTINUOUS      -  "
                             "-            stale\n");
    buf_cleanup(&b);
    json_decref(sv[0].tags);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, testlib_store_setup, testlib_store_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accounts_check_id),
        cmocka_unit_test(test_accounts_check_role_arn),
        cmocka_unit_test(test_accounts_check_region),
        cmocka_unit_test(test_accounts_parse_regions_dedupes),
        cmocka_unit_test(test_accounts_external_id),
        cmocka_unit_test(test_accounts_mask),
        T(test_accounts_add_generate_update_remove),
        T(test_accounts_json_masks_unless_asked),
        cmocka_unit_test(test_accounts_servers_filters_parse),
        cmocka_unit_test(test_accounts_servers_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
