/*
 * render.c - the doctor report as a table sorted by severity (with the
 * evidence and fix of each finding when verbose) and as one
 * self-contained HTML page (inline CSS, no scripts, no external links)
 * that a team can attach to an audit.
 */
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"
#include "core/table.h"
#include "doctor/doctor.h"

static const struct table_col cols[] = {
    {"SEVERITY", TABLE_LEFT}, {"ID", TABLE_LEFT},       {"ACCOUNT", TABLE_LEFT},
    {"REGION", TABLE_LEFT},   {"RESOURCE", TABLE_LEFT}, {"MESSAGE", TABLE_LEFT},
};

static int summary_line(const json_t *report, struct buf *out)
{
    const json_t *s = json_object_get(report, "summary");
    return buf_addf(out, "%zu findings: %lld critical, %lld error, %lld warning, %lld info\n",
                    json_array_size(json_object_get(report, "findings")),
                    (long long)json_int_or(s, "CRITICAL", 0), (long long)json_int_or(s, "ERROR", 0),
                    (long long)json_int_or(s, "WARNING", 0), (long long)json_int_or(s, "INFO", 0));
}

int doctor_render_table(const json_t *report, bool verbose, struct buf *out, struct dr_err *err)
{
    const json_t *fs = json_object_get(report, "findings");
    size_t i;
    json_t *f;
    int rc = 0;
    if (json_array_size(fs) == 0) {
        if (buf_adds(out, "no findings: ready\n") < 0)
            return dr_err_set(err, DR_ENOMEM, "out of memory");
        return 0;
    }
    if (verbose) {
        json_array_foreach(fs, i, f)
        {
            rc |= buf_addf(out, "%s %s %s %s %s\n  %s\n", json_str_borrow(f, "severity"),
                           json_str_borrow(f, "id"), json_str_borrow(f, "account_id"),
                           json_str_borrow(f, "region"), json_str_borrow(f, "resource"),
                           json_str_borrow(f, "message"));
            if (*json_str_borrow(f, "evidence"))
                rc |= buf_addf(out, "  evidence: %s\n", json_str_borrow(f, "evidence"));
            if (*json_str_borrow(f, "fix"))
                rc |= buf_addf(out, "  fix: %s\n", json_str_borrow(f, "fix"));
        }
    } else {
        struct table t;
        table_init(&t, cols, 6);
        json_array_foreach(fs, i, f)
        {
            const char *cells[6] = {
                json_str_borrow(f, "severity"),   json_str_borrow(f, "id"),
                json_str_borrow(f, "account_id"), json_str_borrow(f, "region"),
                json_str_borrow(f, "resource"),   json_str_borrow(f, "message")};
            for (int c = 0; c < 6; c++)
                if (cells[c] && !*cells[c])
                    cells[c] = NULL;
            if ((rc = table_add_row(&t, cells, err)) < 0)
                break;
        }
        if (rc == 0)
            rc = table_render(&t, out, err);
        table_cleanup(&t);
        if (rc < 0)
            return rc;
    }
    rc |= summary_line(report, out);
    return rc < 0 ? dr_err_set(err, DR_ENOMEM, "out of memory") : 0;
}

static int esc(struct buf *b, const char *s)
{
    int rc = 0;
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            rc |= buf_adds(b, "&lt;");
            break;
        case '>':
            rc |= buf_adds(b, "&gt;");
            break;
        case '&':
            rc |= buf_adds(b, "&amp;");
            break;
        case '"':
            rc |= buf_adds(b, "&quot;");
            break;
        default:
            rc |= buf_addch(b, *s);
        }
    }
    return rc;
}

int doctor_render_html(const json_t *report, struct buf *out, struct dr_err *err)
{
    const json_t *fs = json_object_get(report, "findings");
    const json_t *s = json_object_get(report, "summary");
    int rc = buf_adds(
        out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
             "<title>drover doctor report</title>\n<style>\n"
             "body{font-family:sans-serif;margin:2em;color:#222}\n"
             "h1{font-size:1.6em}table{border-collapse:collapse;width:100%}\n"
             "th,td{border:1px solid #ccc;padding:.4em;text-align:left;vertical-align:top;"
             "font-size:.9em}\nth{background:#f0f0f0}\ncode{font-size:.85em;white-space:pre-wrap;"
             "overflow-wrap:anywhere}\n"
             ".sev{font-weight:bold;color:#fff;padding:.1em .4em;border-radius:3px}\n"
             ".CRITICAL{background:#8b0000}.ERROR{background:#d9534f}.WARNING{background:#e0a800}"
             ".INFO{background:#5b8bd9}\n.summary span{margin-right:1em}\n"
             "</style></head><body>\n<h1>drover doctor: DR readiness report</h1>\n"
             "<p class=\"summary\">");
    static const char *const sev[] = {"CRITICAL", "ERROR", "WARNING", "INFO"};
    for (int i = 0; i < 4; i++)
        rc |= buf_addf(out, "<span class=\"sev %s\">%s: %lld</span>", sev[i], sev[i],
                       (long long)json_int_or(s, sev[i], 0));
    rc |= buf_adds(out, "</p>\n");
    if (json_array_size(fs) == 0)
        rc |= buf_adds(out, "<p>No findings: every check passed.</p>\n");
    else
        rc |= buf_adds(out, "<table>\n<tr><th>Severity</th><th>ID</th><th>Account</th>"
                            "<th>Region</th><th>Resource</th><th>Finding</th><th>Evidence</th>"
                            "<th>Fix</th></tr>\n");
    size_t i;
    json_t *f;
    json_array_foreach(fs, i, f)
    {
        const char *fields[] = {"account_id", "region", "resource", "message"};
        rc |= buf_addf(out, "<tr id=\"f%zu\"><td><span class=\"sev %s\">%s</span></td><td>", i,
                       json_str_borrow(f, "severity"), json_str_borrow(f, "severity"));
        rc |= esc(out, json_str_borrow(f, "id"));
        for (int k = 0; k < 4; k++) {
            rc |= buf_adds(out, "</td><td>");
            rc |= esc(out, json_str_borrow(f, fields[k]));
        }
        rc |= buf_adds(out, "</td><td><code>");
        rc |= esc(out, json_str_borrow(f, "evidence"));
        rc |= buf_adds(out, "</code></td><td><code>");
        rc |= esc(out, json_str_borrow(f, "fix"));
        rc |= buf_adds(out, "</code></td></tr>\n");
    }
    if (json_array_size(fs))
        rc |= buf_adds(out, "</table>\n");
    rc |= buf_adds(out, "<p>Generated by drover doctor. Check IDs are documented in "
                        "docs/doctor.md.</p>\n</body></html>\n");
    return rc < 0 ? dr_err_set(err, DR_ENOMEM, "out of memory") : 0;
}
