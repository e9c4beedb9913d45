/*
 * test_table.c - unit tests for the CLI output helpers in src/core:
 * table layout (widths, alignment, UTF-8, no trailing blanks), the YAML
 * emitter (quoting checked by reading the output back with the YAML
 * loader), and ISO 8601 duration parsing and formatting.
 */
#include <string.h>

#include "core/duration.h"
#include "core/table.h"
#include "core/yamljson.h"
#include "core/yamlout.h"
#include "testlib.h" /* cmocka */

static void test_table_widths_and_alignment(void **state)
{
    static const struct table_col cols[] = {
        {"NAME", TABLE_LEFT}, {"N", TABLE_RIGHT}, {"NOTE", TABLE_LEFT}};
    const char *r1[] = {"alpha", "5", "x"};
    const char *r2[] = {"b", "1234", NULL};
    const char *r3[] = {"\xe2\x80\xa6\xe2\x80\xa6", "7", ""};
    struct table t;
    struct dr_err err;
    struct buf b;

    (void)state;
    table_init(&t, cols, 3);
    assert_int_equal(table_add_row(&t, r1, &err), 0);
    assert_int_equal(table_add_row(&t, r2, &err), 0);
    assert_int_equal(table_add_row(&t, r3, &err), 0);
    buf_init(&b, 4096);
    assert_int_equal(table_render(&t, &b, &err), 0);
    assert_string_equal(b.p, "NAME      N  NOTE\n"
                             "alpha     5  x\n"
                             "b      1234  -\n"
                             "\xe2\x80\xa6\xe2\x80\xa6        7\n");
    buf_cleanup(&b);
    table_cleanup(&t);
}

static void test_table_empty_has_header(void **state)
{
    static const struct table_col cols[] = {{"A", TABLE_LEFT}, {"BB", TABLE_RIGHT}};
    struct table t;
    struct dr_err err;
    struct buf b;

    (void)state;
    table_init(&t, cols, 2);
    buf_init(&b, 4096);
    assert_int_equal(table_render(&t, &b, &err), 0);
    assert_string_equal(b.p, "A  BB\n");
    assert_int_equal(table_width("a\xc3\xa9z"), 3);
    buf_cleanup(&b);
    table_cleanup(&t);
}

/* Emits v as YAML, reads it back, and checks it is the same value. */
static void roundtrip(const json_t *v)
{
    struct dr_err err;
    struct buf b;
    json_t *docs;

    buf_init(&b, 1 << 20);
    assert_int_equal(yamlout_emit(v, &b, &err), 0);
    if (yaml_parse_docs(b.p, b.len, "out.yaml", &docs, NULL, &err) < 0)
        fail_msg("yaml did not parse back: %s\n%s", err.msg, b.p);
    if (!json_equal(json_array_get(docs, 0), v)) {
        char *want = json_dumps(v, JSON_ENCODE_ANY), *got = json_dumps(docs, JSON_ENCODE_ANY);
        fail_msg("round trip changed the value:\n%s\nwant %s\ngot %s", b.p, want, got);
    }
    json_decref(docs);
    buf_cleanup(&b);
}

static void test_table_yaml_quotes_ambiguous_strings(void **state)
{
    static const char *const strings[] = {
        "plain",
        "",
        "123456789012",
        "1.5",
        "-1",
        "0x1F",
        "yes",
        "No",
        "on",
        "null",
        "~",
        "true",
        "TRUE",
        ".inf",
        "a: b",
        "a #b",
        "#x",
        "- x",
        "x:",
        " lead",
        "trail ",
        "quo\"te",
        "back\\sl",
        "new\nline",
        "tab\there",
        "\x01ctl",
        "caf\xc3\xa9",
        "*ref",
        "&anchor",
        "!tag",
        "%dir",
        "@at",
        "`bt",
        "{a}",
        "[a]",
        "a,b",
        "?q",
        "|lit",
        ">fold",
        "'single'",
        "=",
        "<<",
        "nel\xc2\x85x",
        "ls\xe2\x80\xa8x",
        "arn:aws:iam::111111111111:role/x",
    };
    struct buf b;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        json_t *v = json_pack("{s:s}", "k", strings[i]);
        roundtrip(v);
        json_decref(v);
    }
    buf_init(&b, 256);
    assert_int_equal(yamlout_string("plain", 5, &b), 0);
    assert_string_equal(b.p, "plain");
    buf_reset(&b);
    assert_int_equal(yamlout_string("123", 3, &b), 0);
    assert_string_equal(b.p, "\"123\"");
    buf_cleanup(&b);
}

static void test_table_yaml_structures(void **state)
{
    struct dr_err err;
    struct buf b;
    json_t *v;

    (void)state;
    v = json_pack("{s:[{s:s, s:[s, s], s:{}}, {s:i, s:[]}], s:{s:b, s:n, s:f}, s:[[i, i], [s]],"
                  " s:{}}",
                  "accounts", "id", "1", "regions", "us-east-1", "eu-west-1", "empty", "n", 5,
                  "none", "flags", "on", 1, "nothing", "ratio", 2.0, "matrix", 1, 2, "x",
                  "\"odd key\"");
    roundtrip(v);
    buf_init(&b, 4096);
    assert_int_equal(yamlout_emit(v, &b, &err), 0);
    assert_non_null(strstr(b.p, "accounts:\n  - id: \"1\"\n    regions:\n      - us-east-1\n"));
    assert_non_null(strstr(b.p, "ratio: 2.0\n"));
    assert_non_null(strstr(b.p, "  - - 1\n    - 2\n"));
    json_decref(v);
    buf_reset(&b);
    v = json_string("scalar");
    assert_int_equal(yamlout_emit(v, &b, &err), 0);
    assert_string_equal(b.p, "scalar\n");
    json_decref(v);
    buf_cleanup(&b);
}

static void test_table_duration_parse(void **state)
{
    static const struct {
        const char *s;
        int64_t ms;
    } good[] = {
        {"PT0S", 0},          {"PT5M30S", 330000},   {"PT1H", 3600000},      {"P1D", 86400000},
        {"P1DT1S", 86401000}, {"PT0.5S", 500},       {"PT1.25H", 4500000},   {"P2W", 1209600000},
        {"PT90M", 5400000},   {"P1M", 2592000000LL}, {"P1Y", 31536000000LL},
    };
    static const char *const bad[] = {
        "",      "P",     "PT",  "5M",  "PT5",  "PT5X",   "PT5S1", "-PT5S",
        "PT.5S", "PT5.S", "PTM", "P1H", "PT1D", "PT5S5M", "P1DT",  "P99999999999999999D"};
    int64_t ms;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (duration_parse_iso8601(good[i].s, &ms) != 0 || ms != good[i].ms)
            fail_msg("%s: got %lld", good[i].s, (long long)ms);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (duration_parse_iso8601(bad[i], &ms) == 0)
            fail_msg("'%s' was accepted", bad[i]);
    }
    assert_int_equal(duration_parse_iso8601(NULL, &ms), -1);
}

static void test_table_duration_format(void **state)
{
    char out[32];

    (void)state;
    duration_format_short(-1, out, sizeof(out));
    assert_string_equal(out, "-");
    duration_format_short(45, out, sizeof(out));
    assert_string_equal(out, "45s");
    duration_format_short(330, out, sizeof(out));
    assert_string_equal(out, "5m30s");
    duration_format_short(7500, out, sizeof(out));
    assert_string_equal(out, "2h05m");
    duration_format_short(3 * 86400 + 4 * 3600, out, sizeof(out));
    assert_string_equal(out, "3d04h");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_widths_and_alignment),
        cmocka_unit_test(test_table_empty_has_header),
        cmocka_unit_test(test_table_yaml_quotes_ambiguous_strings),
        cmocka_unit_test(test_table_yaml_structures),
        cmocka_unit_test(test_table_duration_parse),
        cmocka_unit_test(test_table_duration_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
