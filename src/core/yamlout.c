/*
 * yamlout.c - YAML output from jansson values (see yamlout.h). Depends
 * on jansson and core/buf only.
 */
#include "core/yamlout.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"

/* Plain scalars that a YAML 1.1 or 1.2 reader would resolve to a non-string. */
static const char *const reserved[] = {
    "null", "Null", "NULL", "~",  "true", "True", "TRUE", "false", "False", "FALSE",
    "yes",  "Yes",  "YES",  "no", "No",   "NO",   "on",   "On",    "ON",    "off",
    "Off",  "OFF",  "y",    "Y",  "n",    "N",    "=",    "<<",
};

static bool needs_quotes(const char *s, size_t len)
{
    size_t i;

    if (len == 0)
        return true;
    for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        if (strlen(reserved[i]) == len && memcmp(reserved[i], s, len) == 0)
            return true;
    }
    /* indicators, and anything that could start a number (digits, signs, ".5", ".inf") */
    if (strchr("-?:,[]{}#&*!|>'\"%@`+.0123456789", s[0]) || s[0] == ' ' || s[len - 1] == ' ' ||
        s[len - 1] == ':')
        return true;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f)
            return true;
        if (c == ':' && i + 1 < len && s[i + 1] == ' ')
            return true;
        if (c == '#' && s[i - 1] == ' ')
            return true;
    }
    return false;
}

int yamlout_string(const char *s, size_t len, struct buf *out)
{
    size_t i;

    if (!needs_quotes(s, len))
        return buf_add(out, s, len);
    if (buf_addch(out, '"') < 0)
        return -DR_ENOMEM;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int rc;

        if (c == '"')
            rc = buf_adds(out, "\\\"");
        else if (c == '\\')
            rc = buf_adds(out, "\\\\");
        else if (c == '\n')
            rc = buf_adds(out, "\\n");
        else if (c == '\t')
            rc = buf_adds(out, "\\t");
        else if (c == '\r')
            rc = buf_adds(out, "\\r");
        else if (c < 0x20 || c == 0x7f)
            rc = buf_addf(out, "\\x%02x", c);
        else if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0x85) {
            rc = buf_adds(out, "\\N"); /* NEL: a line break to YAML */
            i++;
        } else if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
            rc = buf_adds(out, (unsigned char)s[i + 2] == 0xa8 ? "\\L" : "\\P");
            i += 2;
        } else
            rc = buf_addch(out, (char)c);
        if (rc < 0)
            return -DR_ENOMEM;
    }
    return buf_addch(out, '"');
}

static bool is_scalar(const json_t *v)
{
    return !(json_is_object(v) && json_object_size(v) > 0) &&
           !(json_is_array(v) && json_array_size(v) > 0);
}

static int scalar(const json_t *v, struct buf *out)
{
    char num[64];

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return buf_adds(out, "{}");
    case JSON_ARRAY:
        return buf_adds(out, "[]");
    case JSON_STRING:
        return yamlout_string(json_string_value(v), json_string_length(v), out);
    case JSON_INTEGER:
        return buf_addf(out, "%lld", (long long)json_integer_value(v));
    case JSON_REAL:
        snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        if (!strpbrk(num, ".eEni"))
            return buf_addf(out, "%s.0", num);
        return buf_adds(out, num);
    case JSON_TRUE:
        return buf_adds(out, "true");
    case JSON_FALSE:
        return buf_adds(out, "false");
    case JSON_NULL:
        return buf_adds(out, "null");
    }
    return buf_adds(out, "null");
}

static int indent_to(struct buf *out, int n)
{
    while (n-- > 0) {
        if (buf_addch(out, ' ') < 0)
            return -1;
    }
    return 0;
}

/*
 * Emits a non-empty container as block lines at `indent`. When `inline_first`,
 * the caller already wrote the first line's prefix ("- ").
 */
/* A "#" member as comment lines at `indent`, wrapped near 96 columns. */
static int comment(const char *text, int indent, bool inline_first, struct buf *out)
{
    const char *p = text;
    bool first = true;
    while (*p) {
        if (!(first && inline_first) && indent_to(out, indent) < 0)
            return -1;
        first = false;
        int width = 96 - indent;
        size_t len = strlen(p), cut = len;
        if ((int)len > width) {
            cut = (size_t)(width > 20 ? width : 20);
            while (cut > 0 && p[cut] != ' ')
                cut--;
            if (cut == 0)
                for (cut = 0; p[cut] && p[cut] != ' '; cut++)
                    ;
        }
        if (buf_adds(out, "# ") < 0)
            return -1;
        for (size_t i = 0; i < cut; i++)
            if (buf_addch(out, p[i] == '\n' ? ' ' : p[i]) < 0)
                return -1;
        if (buf_addch(out, '\n') < 0)
            return -1;
        p += cut;
        while (*p == ' ')
            p++;
    }
    return 0;
}

static int block(const json_t *v, int indent, bool inline_first, bool comments, struct buf *out)
{
    bool first = true;

    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m)
        {
            if (comments && k[0] == '#' && json_is_string(m)) {
                if (comment(json_string_value(m), indent, first && inline_first, out) < 0)
                    return -1;
                first = false;
                continue;
            }
            if (!(first && inline_first) && indent_to(out, indent) < 0)
                return -1;
            first = false;
            if (yamlout_string(k, strlen(k), out) < 0 || buf_addch(out, ':') < 0)
                return -1;
            if (is_scalar(m)) {
                if (buf_addch(out, ' ') < 0 || scalar(m, out) < 0 || buf_addch(out, '\n') < 0)
                    return -1;
            } else if (buf_addch(out, '\n') < 0 || block(m, indent + 2, false, comments, out) < 0) {
                return -1;
            }
        }
        return 0;
    }
    {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
        {
            if (!(first && inline_first) && indent_to(out, indent) < 0)
                return -1;
            first = false;
            if (buf_adds(out, "- ") < 0)
                return -1;
            if (is_scalar(m)) {
                if (scalar(m, out) < 0 || buf_addch(out, '\n') < 0)
                    return -1;
            } else if (block(m, indent + 2, true, comments, out) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int emit(const json_t *v, bool comments, struct buf *out, struct dr_err *err)
{
    int rc;

    if (!v)
        return dr_err_set(err, DR_EINVAL, "yaml: no value");
    if (is_scalar(v))
        rc = (scalar(v, out) < 0 || buf_addch(out, '\n') < 0) ? -1 : 0;
    else
        rc = block(v, 0, false, comments, out);
    if (rc < 0)
        return dr_err_set(err, DR_ENOMEM, "yaml output too large");
    return 0;
}

int yamlout_emit(const json_t *v, struct buf *out, struct dr_err *err)
{
    return emit(v, false, out, err);
}

int yamlout_emit_commented(const json_t *v, struct buf *out, struct dr_err *err)
{
    return emit(v, true, out, err);
}

int yamlout_print(const json_t *v, struct dr_err *err)
{
    struct buf b;
    int rc;

    buf_init(&b, BUF_DEFAULT_MAX);
    rc = yamlout_emit(v, &b, err);
    if (rc == 0)
        fwrite(b.p, 1, b.len, stdout);
    buf_cleanup(&b);
    return rc;
}
