/*
 * table.c - plain-text table layout for CLI output (see table.h).
 * Depends on core/buf and core/err only.
 */
#include "core/table.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void table_init(struct table *t, const struct table_col *cols, size_t ncols)
{
    memset(t, 0, sizeof(*t));
    t->cols = cols;
    t->ncols = ncols;
}

void table_cleanup(struct table *t)
{
    size_t i;

    for (i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

size_t table_width(const char *s)
{
    size_t w = 0;

    for (; *s; s++) {
        if (((unsigned char)*s & 0xc0) != 0x80)
            w++;
    }
    return w;
}

int table_add_row(struct table *t, const char *const *cells, struct dr_err *err)
{
    size_t i;

    if (t->nrows == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        char **nc = realloc(t->cells, ncap * t->ncols * sizeof(char *));
        if (!nc)
            return dr_err_set(err, DR_ENOMEM, "out of memory");
        t->cells = nc;
        t->cap = ncap;
    }
    for (i = 0; i < t->ncols; i++) {
        char *c = strdup(cells[i] ? cells[i] : "-");
        if (!c) {
            while (i-- > 0)
                free(t->cells[t->nrows * t->ncols + i]);
            return dr_err_set(err, DR_ENOMEM, "out of memory");
        }
        t->cells[t->nrows * t->ncols + i] = c;
    }
    t->nrows++;
    return 0;
}

static int pad(struct buf *out, size_t n)
{
    while (n-- > 0) {
        if (buf_addch(out, ' ') < 0)
            return -1;
    }
    return 0;
}

/* One line: cells aligned into widths; the last left-aligned cell is not padded. */
static int render_line(const struct table *t, const char *const *cells, const size_t *widths,
                       struct buf *out)
{
    size_t i, start = out->len;

    for (i = 0; i < t->ncols; i++) {
        size_t w = table_width(cells[i]), gap = widths[i] - w;
        bool last = i + 1 == t->ncols;
        if (i > 0 && buf_adds(out, "  ") < 0)
            return -1;
        if (t->cols[i].align == TABLE_RIGHT && pad(out, gap) < 0)
            return -1;
        if (buf_adds(out, cells[i]) < 0)
            return -1;
        if (t->cols[i].align == TABLE_LEFT && !last && pad(out, gap) < 0)
            return -1;
    }
    /* empty trailing cells leave padding behind: no trailing blanks */
    while (out->len > start && out->p[out->len - 1] == ' ')
        buf_truncate(out, out->len - 1);
    return buf_addch(out, '\n');
}

int table_render(const struct table *t, struct buf *out, struct dr_err *err)
{
    size_t *widths, i, r;
    const char **titles;
    int rc = 0;

    widths = calloc(t->ncols ? t->ncols : 1, sizeof(*widths));
    titles = calloc(t->ncols ? t->ncols : 1, sizeof(*titles));
    if (!widths || !titles) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < t->ncols; i++) {
        titles[i] = t->cols[i].title ? t->cols[i].title : "";
        widths[i] = table_width(titles[i]);
        for (r = 0; r < t->nrows; r++) {
            size_t w = table_width(t->cells[r * t->ncols + i]);
            if (w > widths[i])
                widths[i] = w;
        }
    }
    if (render_line(t, titles, widths, out) < 0) {
        rc = dr_err_set(err, DR_ENOMEM, "table output too large");
        goto out;
    }
    for (r = 0; r < t->nrows; r++) {
        if (render_line(t, (const char *const *)&t->cells[r * t->ncols], widths, out) < 0) {
            rc = dr_err_set(err, DR_ENOMEM, "table output too large");
            goto out;
        }
    }
out:
    free(widths);
    free(titles);
    return rc;
}
