/*
 * jsonutil.h - small helpers over jansson used across drover: typed
 * borrowed getters, dumping into a struct buf, and loading with an error
 * that names the file, line and column. Depends on jansson, core/buf, core/err.
 */
#ifndef DROVER_CORE_JSONUTIL_H
#define DROVER_CORE_JSONUTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* Borrowed string member, or NULL if absent or not a string. */
const char *json_str_borrow(const json_t *obj, const char *key);
/* Integer member (JSON integer, or real with no fraction), or dflt. */
int64_t json_int_or(const json_t *obj, const char *key, int64_t dflt);
bool json_bool_or(const json_t *obj, const char *key, bool dflt);
/* Parses text (not NUL-terminated) as JSON. `what` names it in errors. */
int json_parse(const char *text, size_t len, const char *what, json_t **out, struct dr_err *err);
/* Reads and parses a file ("-" is stdin). */
int json_load_path(const char *path, json_t **out, struct dr_err *err);
/* Appends compact (flags=0 → JSON_COMPACT) or indented JSON to out. */
int json_dump_buf(const json_t *v, size_t flags, struct buf *out);
/* Prints v to stdout, indented by 2, with a trailing newline. */
void json_print(const json_t *v);

#endif
