/*
 * yamlout.h - emits a jansson value as a YAML 1.2 block document for
 * `-o yaml`. Strings are written plain only when they cannot be read back
 * as anything else (YAML 1.1 booleans like "yes"/"on", numbers, null,
 * indicators, ": ", " #", leading or trailing blanks, non-ASCII, control
 * characters); otherwise double-quoted with escapes. Object keys keep
 * their order. Depends on jansson and core/buf.
 */
#ifndef DROVER_CORE_YAMLOUT_H
#define DROVER_CORE_YAMLOUT_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"

/* Appends the document (ending in '\n', no "---") to out. */
int yamlout_emit(const json_t *v, struct buf *out, struct dr_err *err);
/* Same, but an object member whose key starts with '#' and whose value is a
 * string is written as "# value" comment lines (wrapped) in its place. */
int yamlout_emit_commented(const json_t *v, struct buf *out, struct dr_err *err);
/* Prints it to stdout. */
int yamlout_print(const json_t *v, struct dr_err *err);
/* Appends one scalar string, plain or double-quoted as described above. */
int yamlout_string(const char *s, size_t len, struct buf *out);

#endif
