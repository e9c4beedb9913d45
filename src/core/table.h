/*
 * table.h - plain-text tables for CLI output: a header row, column widths
 * from the widest cell (counted in UTF-8 code points, so "…" is one),
 * left or right alignment, two spaces between columns, no trailing
 * blanks. The same bytes whether or not stdout is a TTY. Cells are copied.
 * Depends on core/buf and core/err.
 */
#ifndef DROVER_CORE_TABLE_H
#define DROVER_CORE_TABLE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

enum table_align { TABLE_LEFT = 0, TABLE_RIGHT = 1 };

struct table_col {
    const char *title;
    enum table_align align;
};

struct table {
    const struct table_col *cols; /* borrowed; ncols entries */
    size_t ncols;
    char **cells; /* nrows * ncols heap strings */
    size_t nrows, cap;
};

void table_init(struct table *t, const struct table_col *cols, size_t ncols);
void table_cleanup(struct table *t);
/* Appends a row of exactly ncols cells (NULL cells print as "-"). 0 or -DR_ENOMEM. */
int table_add_row(struct table *t, const char *const *cells, struct dr_err *err);
/* Renders header and rows, each line ending in '\n'. */
int table_render(const struct table *t, struct buf *out, struct dr_err *err);
/* Display width of a UTF-8 string in code points (continuation bytes not counted). */
size_t table_width(const char *s);

#endif
