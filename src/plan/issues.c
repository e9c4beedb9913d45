/*
 * issues.c - the list of plan validation problems: paths, lines, printing.
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

/* ---- issues ---- */

void plan_issues_init(struct plan_issues *is, const char *file)
{
    memset(is, 0, sizeof(*is));
    is->file = file;
}

void plan_issues_cleanup(struct plan_issues *is)
{
    size_t i;
    for (i = 0; i < is->n; i++) {
        free(is->v[i].path);
        free(is->v[i].message);
    }
    free(is->v);
    memset(is, 0, sizeof(*is));
}

/* The line of path or its nearest parent ("a.b[2].c" -> "a.b[2]" -> "a.b" -> "a"). */
int plan_line_of(const json_t *lines, const char *path)
{
    char tmp[512];
    size_t n;

    if (!lines || !path)
        return 0;
    n = dr_strlcpy(tmp, path, sizeof(tmp));
    if (n >= sizeof(tmp))
        return 0;
    for (;;) {
        json_t *l = json_object_get(lines, tmp[0] ? tmp : "$");
        char *cut;
        if (json_is_integer(l))
            return (int)json_integer_value(l);
        if (!tmp[0])
            return 0;
        cut = strrchr(tmp, '.');
        {
            char *br = strrchr(tmp, '[');
            if (br && (!cut || br > cut))
                cut = br;
        }
        if (!cut)
            tmp[0] = '\0';
        else
            *cut = '\0';
    }
}

void plan_issue_add(struct plan_issues *is, const json_t *lines, bool warning, const char *path,
                    const char *fmt, ...)
{
    struct buf m;
    va_list ap;
    struct plan_issue *it;

    if (is->n == is->cap) {
        size_t nc = is->cap ? is->cap * 2 : 8;
        struct plan_issue *nv = realloc(is->v, nc * sizeof(*nv));
        if (!nv)
            return;
        is->v = nv;
        is->cap = nc;
    }
    buf_init(&m, 4096);
    va_start(ap, fmt);
    if (buf_vaddf(&m, fmt, ap) < 0)
        buf_reset(&m);
    va_end(ap);
    it = &is->v[is->n];
    it->path = strdup(path ? path : "");
    it->message = buf_detach(&m, NULL);
    it->line = plan_line_of(lines, path);
    it->warning = warning;
    if (!it->path || !it->message) {
        free(it->path);
        free(it->message);
        return;
    }
    is->n++;
    if (!warning)
        is->errors++;
}

void plan_issues_print(const struct plan_issues *is)
{
    size_t i;
    for (i = 0; i < is->n; i++) {
        const struct plan_issue *it = &is->v[i];
        if (it->line)
            fprintf(stderr, "%s:%d: ", is->file ? is->file : "-", it->line);
        else if (is->file)
            fprintf(stderr, "%s: ", is->file);
        fprintf(stderr, "%s%s%s%s\n", it->warning ? "warning: " : "", it->path,
                it->path[0] ? ": " : "", it->message);
    }
}

json_t *plan_issues_json(const struct plan_issues *is)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a && i < is->n; i++) {
        const struct plan_issue *it = &is->v[i];
        json_array_append_new(a, json_pack("{s:s,s:s,s:i,s:s}", "path", it->path, "message",
                                           it->message, "line", it->line, "severity",
                                           it->warning ? "warning" : "error"));
    }
    return a;
}
