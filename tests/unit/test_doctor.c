/*
 * test_doctor.c - unit tests for the doctor's public pieces: the check
 * registry (unique, well-formed IDs, every family has its -000 read
 * check), the exit rule (nothing above WARNING), and the renderers (table
 * with summary, HTML escaping and no scripts).
 */
#include <string.h>

#include "doctor/doctor.h"
#include "testlib.h" /* cmocka */

static void test_doctor_registry(void **state)
{
    size_t n;
    const struct doctor_check *c = doctor_checks(&n);
    (void)state;
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++) {
        const char *dash = strchr(c[i].id, '-');
        assert_non_null(dash);
        assert_int_equal(strlen(dash + 1), 3);
        assert_true(c[i].title && *c[i].title);
        assert_ptr_equal(doctor_check_find(c[i].id), &c[i]);
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(c[i].id, c[j].id);
    }
    static const char *const zero[] = {"TRUST-000", "KMS-000", "DRS-000", "NET-000", "QUOTA-000"};
    for (size_t i = 0; i < 5; i++)
        assert_non_null(doctor_check_find(zero[i]));
    assert_null(doctor_check_find("TRUST-999"));
    assert_int_equal(doctor_check_find("TRUST-001")->severity, DOCTOR_CRITICAL);
    assert_string_equal(doctor_severity_name(DOCTOR_WARNING), "WARNING");
}

static json_t *report(const char *sev, int crit, int error, int warn)
{
    return json_pack("{s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}], s:{s:i, s:i, s:i, s:i}}",
                     "findings", "id", "KMS-007", "severity", sev, "account_id", "222222222222",
                     "region", "us-west-2", "resource", "key<1>", "message", "a & b", "evidence",
                     "Sid '<script>'", "fix", "do \"this\"", "summary", "CRITICAL", crit, "ERROR",
                     error, "WARNING", warn, "INFO", 0);
}

static void test_doctor_exit_rule(void **state)
{
    (void)state;
    json_t *r = report("WARNING", 0, 0, 1);
    assert_false(doctor_report_failed(r));
    json_decref(r);
    r = report("ERROR", 0, 1, 0);
    assert_true(doctor_report_failed(r));
    json_decref(r);
    r = report("CRITICAL", 1, 0, 0);
    assert_true(doctor_report_failed(r));
    json_decref(r);
}

static void test_doctor_render(void **state)
{
    struct buf b;
    struct dr_err err;
    (void)state;
    json_t *r = report("ERROR", 0, 1, 0);
    buf_init(&b, 1 << 20);
    assert_int_equal(doctor_render_table(r, false, &b, &err), 0);
    assert_non_null(strstr(b.p, "SEVERITY  ID       ACCOUNT"));
    assert_non_null(strstr(b.p, "1 findings: 0 critical, 1 error, 0 warning, 0 info\n"));
    buf_reset(&b);
    assert_int_equal(doctor_render_table(r, true, &b, &err), 0);
    assert_non_null(strstr(b.p, "  evidence: Sid '<script>'\n  fix: do \"this\"\n"));
    buf_reset(&b);
    assert_int_equal(doctor_render_html(r, &b, &err), 0);
    assert_non_null(strstr(b.p, "<!DOCTYPE html>"));
    assert_non_null(strstr(b.p, ">KMS-007<"));
    assert_non_null(strstr(b.p, "key&lt;1&gt;"));
    assert_non_null(strstr(b.p, "a &amp; b"));
    assert_null(strstr(b.p, "<script"));
    buf_cleanup(&b);
    json_decref(r);
    json_t *empty = json_pack("{s:[], s:{s:i, s:i, s:i, s:i}}", "findings", "summary", "CRITICAL",
                              0, "ERROR", 0, "WARNING", 0, "INFO", 0);
    buf_init(&b, 1 << 20);
    assert_int_equal(doctor_render_table(empty, false, &b, &err), 0);
    assert_string_equal(b.p, "no findings: ready\n");
    buf_cleanup(&b);
    json_decref(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doctor_registry),
        cmocka_unit_test(test_doctor_exit_rule),
        cmocka_unit_test(test_doctor_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
