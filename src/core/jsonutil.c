/*
 * jsonutil.c - jansson helpers.
 */
#include "core/jsonutil.h"

#include <stdio.h>

#include "core/fsutil.h"

const char *json_str_borrow(const json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t json_int_or(const json_t *obj, const char *key, int64_t dflt)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d == (double)(int64_t)d)
            return (int64_t)d;
    }
    return dflt;
}

bool json_bool_or(const json_t *obj, const char *key, bool dflt)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

int json_parse(const char *text, size_t len, const char *what, json_t **out, struct dr_err *err)
{
    json_error_t je;
    json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);

    if (!v)
        return dr_err_set(err, DR_EPARSE, "%s: line %d column %d: %s", what ? what : "JSON",
                          je.line, je.column, je.text);
    *out = v;
    return 0;
}

int json_load_path(const char *path, json_t **out, struct dr_err *err)
{
    struct buf b;
    int rc;

    buf_init(&b, 0);
    rc = fs_read_path(path, &b, err);
    if (rc == 0)
        rc = json_parse(b.p, b.len, path, out, err);
    buf_cleanup(&b);
    return rc;
}

static int dump_cb(const char *chunk, size_t size, void *data)
{
    return buf_add(data, chunk, size) < 0 ? -1 : 0;
}

int json_dump_buf(const json_t *v, size_t flags, struct buf *out)
{
    if (!flags)
        flags = JSON_COMPACT;
    if (json_dump_callback(v, dump_cb, out, flags | JSON_ENCODE_ANY) < 0)
        return -DR_ENOMEM;
    return 0;
}

void json_print(const json_t *v)
{
    json_dumpf(v, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
}
