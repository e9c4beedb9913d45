/*
 * test_core.c - unit tests for src/core: buffers and their cap, slices,
 * timestamps, base64, YAML loading with line maps, log redaction, and IPv4
 * addresses and CIDRs (with the addresses AWS reserves in a subnet).
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/ipv4.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/yamljson.h"
#include "testlib.h" /* cmocka */

static void test_core_buf_cap_frees_and_fails(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 8);
    assert_int_equal(buf_adds(&b, "abcd"), 0);
    assert_int_equal(buf_addf(&b, "%d", 123), 0);
    assert_string_equal(b.p, "abcd123");
    assert_int_not_equal(buf_adds(&b, "xy"), 0);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.p, "");
    buf_cleanup(&b);
}

static void test_core_buf_detach_hands_over(void **state)
{
    struct buf b;
    char *s;
    size_t n;
    (void)state;
    buf_init(&b, 0);
    assert_int_equal(buf_addhex(&b, (const unsigned char *)"\x01\xab", 2), 0);
    s = buf_detach(&b, &n);
    assert_string_equal(s, "01ab");
    assert_int_equal(n, 4);
    assert_int_equal(b.len, 0);
    free(s);
    buf_cleanup(&b);
}

static void test_core_str_cut(void **state)
{
    struct str head, rest;
    (void)state;
    rest = str_cut(str_from("a=b=c"), '=', &head);
    assert_true(str_eq_cstr(head, "a"));
    assert_true(str_eq_cstr(rest, "b=c"));
    rest = str_cut(str_from("abc"), '=', &head);
    assert_null(rest.p);
    assert_true(str_eq_cstr(head, "abc"));
}

static void test_core_str_one_line(void **state)
{
    char out[16];
    (void)state;
    dr_one_line("\n  disk\tfull\r\n\x01!  ", 18, out, sizeof(out));
    assert_string_equal(out, "disk full ?!");
    dr_one_line("abcdefghijklmnopqrstuvwxyz", 26, out, 8);
    assert_string_equal(out, "abcdefg");
    dr_one_line("", 0, out, sizeof(out));
    assert_string_equal(out, "");
}

static void test_core_time_parse_formats(void **state)
{
    int64_t ms;
    char out[32];
    (void)state;
    assert_int_equal(time_parse("2026-12-01T20:43:50Z", &ms), 0);
    assert_int_equal(ms, 1796157830000LL);
    assert_int_equal(time_parse("2026-12-01T21:43:50.250+01:00", &ms), 0);
    assert_int_equal(ms, 1796157830250LL);
    assert_int_equal(time_parse("1796157830", &ms), 0);
    assert_int_equal(ms, 1796157830000LL);
    assert_int_equal(time_parse("20261201T204350Z", &ms), 0);
    assert_int_equal(ms, 1796157830000LL);
    assert_int_not_equal(time_parse("2026-13-01T00:00:00Z", &ms), 0);
    assert_int_not_equal(time_parse("yesterday", &ms), 0);
    assert_int_equal(time_parse_http("Tue, 01 Dec 2026 20:43:50 GMT", &ms), 0);
    assert_int_equal(ms, 1796157830000LL);
    time_iso8601(1796157830, out, sizeof(out));
    assert_string_equal(out, "2026-12-01T20:43:50Z");
}

static void test_core_base64_roundtrip(void **state)
{
    struct buf e, d;
    (void)state;
    buf_init(&e, 0);
    buf_init(&d, 0);
    assert_int_equal(crypto_b64_encode("hello!?", 7, &e), 0);
    assert_string_equal(e.p, "aGVsbG8hPw==");
    assert_int_equal(crypto_b64_decode(e.p, e.len, &d, NULL), 0);
    assert_int_equal(d.len, 7);
    assert_memory_equal(d.p, "hello!?", 7);
    buf_reset(&d);
    assert_int_not_equal(crypto_b64_decode("a$==", 4, &d, NULL), 0);
    buf_cleanup(&e);
    buf_cleanup(&d);
}

static void test_core_random_hex_differs(void **state)
{
    char a[33], b[33];
    (void)state;
    assert_int_equal(crypto_random_hex(a, 16, NULL), 0);
    assert_int_equal(crypto_random_hex(b, 16, NULL), 0);
    assert_int_equal(strlen(a), 32);
    assert_string_not_equal(a, b);
}

static void test_core_yaml_docs_and_lines(void **state)
{
    const char *y = "kind: RecoveryPlan\nname: shop\nwaves:\n  - name: db\n    dependsOn: []\n"
                    "  - name: app\n    maxFailedServers: 2\n    id: '0123'\n---\nkind: X\n";
    json_t *docs = NULL, *lines = NULL, *w;
    struct dr_err err;
    (void)state;
    assert_int_equal(yaml_parse_docs(y, strlen(y), "t.yaml", &docs, &lines, &err), 0);
    assert_int_equal(json_array_size(docs), 2);
    w = json_array_get(json_object_get(json_array_get(docs, 0), "waves"), 1);
    assert_int_equal(json_int_or(w, "maxFailedServers", -1), 2);
    assert_string_equal(json_str_borrow(w, "id"), "0123");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(lines, 0), "waves[1].name")),
                     6);
    json_decref(docs);
    json_decref(lines);
}

static void test_core_yaml_error_names_line(void **state)
{
    const char *y = "a: 1\nb: [1, 2\nc: 3\n";
    json_t *docs = NULL;
    struct dr_err err;
    (void)state;
    dr_err_clear(&err);
    assert_int_not_equal(yaml_parse_docs(y, strlen(y), "bad.yaml", &docs, NULL, &err), 0);
    assert_non_null(strstr(err.msg, "bad.yaml: line"));
    dr_err_clear(&err);
    assert_int_not_equal(yaml_parse_docs("a: 1\na: 2\n", 10, "dup.yaml", &docs, NULL, &err), 0);
    assert_non_null(strstr(err.msg, "duplicate key 'a'"));
}

static void test_core_log_redacts_secrets(void **state)
{
    struct buf out;
    const char *in =
        "Authorization: AWS4-HMAC-SHA256 "
        "Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7 "
        "{\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG\", \"SessionToken\":\"FQoGZXIvYXdzEJr\"} "
        "X-Amz-Security-Token=AQoDYXdzEPT&X-Amz-Signature=abcdef ExternalId=a1b2c3 "
        "aws_secret_access_key = wJalr NextToken=keepme";
    (void)state;
    buf_init(&out, 0);
    assert_int_equal(log_redact(in, &out), 0);
    assert_null(strstr(out.p, "5d672d79"));
    assert_null(strstr(out.p, "wJalrXUtnFEMI"));
    assert_null(strstr(out.p, "FQoGZXIvYXdzEJr"));
    assert_null(strstr(out.p, "AQoDYXdzEPT"));
    assert_null(strstr(out.p, "abcdef"));
    assert_null(strstr(out.p, "a1b2c3"));
    assert_null(strstr(out.p, "= wJalr"));
    assert_non_null(strstr(out.p, "AKIDEXAMPLE"));
    assert_non_null(strstr(out.p, "NextToken=keepme"));
    buf_cleanup(&out);
}

static void test_core_ipv4_cidr_and_reserved(void **state)
{
    uint32_t ip;
    struct ipv4_cidr c, d;
    const char *why = NULL;
    char out[16];
    (void)state;
    assert_true(ipv4_parse("10.2.0.50", &ip));
    ipv4_format(ip, out, sizeof out);
    assert_string_equal(out, "10.2.0.50");
    assert_false(ipv4_parse("10.2.0", &ip));
    assert_false(ipv4_parse("10.2.0.256", &ip));
    assert_false(ipv4_parse("10.2.0.5/24", &ip));
    assert_false(ipv4_parse(" 10.2.0.5", &ip));
    assert_false(ipv4_parse("10.2.0.0005", &ip));
    assert_false(ipv4_cidr_parse("10.2.0.0/33", &c));
    assert_true(ipv4_cidr_parse("10.2.0.7/24", &c)); /* host bits are cleared */
    ipv4_format(c.base, out, sizeof out);
    assert_string_equal(out, "10.2.0.0");
    assert_int_equal(c.len, 24);
    assert_true(ipv4_parse("10.2.1.4", &ip));
    assert_false(ipv4_cidr_has(c, ip));
    assert_true(ipv4_cidr_parse("10.2.0.0/16", &d));
    assert_true(ipv4_cidr_contains(d, c));
    assert_false(ipv4_cidr_contains(c, d));
    assert_true(ipv4_cidr_overlap(c, d));
    assert_true(ipv4_cidr_parse("10.3.0.0/16", &d));
    assert_false(ipv4_cidr_overlap(c, d));
    /* the first four and the last address of a subnet are AWS's */
    const char *const reserved[] = {"10.2.0.0", "10.2.0.1", "10.2.0.2", "10.2.0.3", "10.2.0.255"};
    for (size_t i = 0; i < 5; i++) {
        assert_true(ipv4_parse(reserved[i], &ip));
        assert_true(ipv4_aws_reserved(c, ip, &why));
        assert_non_null(why);
    }
    assert_true(ipv4_parse("10.2.0.1", &ip));
    ipv4_aws_reserved(c, ip, &why);
    assert_non_null(strstr(why, "router"));
    const char *const free_ips[] = {"10.2.0.4", "10.2.0.254", "10.2.1.1"};
    for (size_t i = 0; i < 3; i++) {
        assert_true(ipv4_parse(free_ips[i], &ip));
        assert_false(ipv4_aws_reserved(c, ip, &why));
    }
    assert_true(ipv4_cidr_parse("0.0.0.0/0", &d));
    assert_true(ipv4_cidr_has(d, ip));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_buf_cap_frees_and_fails),
        cmocka_unit_test(test_core_buf_detach_hands_over),
        cmocka_unit_test(test_core_str_cut),
        cmocka_unit_test(test_core_str_one_line),
        cmocka_unit_test(test_core_time_parse_formats),
        cmocka_unit_test(test_core_base64_roundtrip),
        cmocka_unit_test(test_core_random_hex_differs),
        cmocka_unit_test(test_core_yaml_docs_and_lines),
        cmocka_unit_test(test_core_yaml_error_names_line),
        cmocka_unit_test(test_core_log_redacts_secrets),
        cmocka_unit_test(test_core_ipv4_cidr_and_reserved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
