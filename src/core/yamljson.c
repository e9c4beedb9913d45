/*
 * yamljson.c - libyaml event stream to jansson, with path->line maps.
 */
#include "core/yamljson.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/buf.h"
#include "core/fsutil.h"

struct yctx {
    yaml_parser_t parser;
    const char *what;
    json_t *lines; /* current document's path->line, or NULL */
    struct dr_err *err;
};

static int ev_error(struct yctx *c, const yaml_event_t *ev, const char *msg)
{
    return dr_err_set(c->err, DR_EINVAL, "%s: line %zu column %zu: %s", c->what,
                      ev->start_mark.line + 1, ev->start_mark.column + 1, msg);
}

static int next_event(struct yctx *c, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&c->parser, ev)) {
        return dr_err_set(c->err, DR_EINVAL, "%s: line %zu column %zu: %s", c->what,
                          c->parser.problem_mark.line + 1, c->parser.problem_mark.column + 1,
                          c->parser.problem ? c->parser.problem : "YAML syntax error");
    }
    return 0;
}

static int is_int_text(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!*p)
        return 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
    }
    return 1;
}

static json_t *plain_scalar(const char *s, size_t len)
{
    char *end;

    if (len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
        strcmp(s, "NULL") == 0)
        return json_null();
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
        return json_true();
    if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
        return json_false();
    if (is_int_text(s)) {
        long long v;
        /* keep leading-zero numbers (e.g. account IDs "012345678901") as strings */
        const char *d = (*s == '-' || *s == '+') ? s + 1 : s;
        if (d[0] == '0' && d[1])
            return json_stringn(s, len);
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno == 0 && *end == '\0')
            return json_integer(v);
        return json_stringn(s, len);
    }
    if (strchr("+-.0123456789", s[0])) {
        double d;
        errno = 0;
        d = strtod(s, &end);
        if (errno == 0 && *end == '\0' && isfinite(d) && strchr(s, 'x') == NULL &&
            strchr(s, 'X') == NULL)
            return json_real(d);
    }
    return json_stringn(s, len);
}

static int parse_node(struct yctx *c, yaml_event_t *ev, const char *path, int depth, json_t **out);

static void note_line(struct yctx *c, const char *path, const yaml_event_t *ev)
{
    if (c->lines)
        json_object_set_new(c->lines, path[0] ? path : "$",
                            json_integer((json_int_t)ev->start_mark.line + 1));
}

static int parse_mapping(struct yctx *c, const char *path, int depth, json_t **out)
{
    json_t *obj = json_object();
    yaml_event_t ev;
    int rc;

    if (!obj)
        return dr_err_set(c->err, DR_ENOMEM, "out of memory");
    for (;;) {
        json_t *val = NULL;
        char *key;
        struct buf sub;

        if ((rc = next_event(c, &ev)) < 0)
            goto fail;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type != YAML_SCALAR_EVENT) {
            rc = ev_error(c, &ev, "mapping keys must be plain strings");
            yaml_event_delete(&ev);
            goto fail;
        }
        key = strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
        if (!key || strlen(key) != ev.data.scalar.length) {
            free(key);
            rc = ev_error(c, &ev, "mapping key is not valid text");
            yaml_event_delete(&ev);
            goto fail;
        }
        if (json_object_get(obj, key)) {
            struct buf m;
            buf_init(&m, 512);
            if (buf_addf(&m, "duplicate key '%s'", key) < 0)
                buf_reset(&m);
            rc = ev_error(c, &ev, m.len ? m.p : "duplicate key");
            buf_cleanup(&m);
            free(key);
            yaml_event_delete(&ev);
            goto fail;
        }
        yaml_event_delete(&ev);
        buf_init(&sub, 4096);
        if ((path[0] ? buf_addf(&sub, "%s.%s", path, key) : buf_adds(&sub, key)) < 0) {
            free(key);
            rc = dr_err_set(c->err, DR_EINVAL, "%s: path too long", c->what);
            goto fail;
        }
        if ((rc = next_event(c, &ev)) < 0) {
            free(key);
            buf_cleanup(&sub);
            goto fail;
        }
        rc = parse_node(c, &ev, sub.p, depth + 1, &val);
        buf_cleanup(&sub);
        if (rc < 0) {
            free(key);
            goto fail;
        }
        json_object_set_new(obj, key, val);
        free(key);
    }
    *out = obj;
    return 0;
fail:
    json_decref(obj);
    return rc;
}

static int parse_sequence(struct yctx *c, const char *path, int depth, json_t **out)
{
    json_t *arr = json_array();
    yaml_event_t ev;
    size_t i = 0;
    int rc;

    if (!arr)
        return dr_err_set(c->err, DR_ENOMEM, "out of memory");
    for (;; i++) {
        json_t *val = NULL;
        struct buf sub;

        if ((rc = next_event(c, &ev)) < 0)
            goto fail;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        buf_init(&sub, 4096);
        if (buf_addf(&sub, "%s[%zu]", path, i) < 0) {
            yaml_event_delete(&ev);
            rc = dr_err_set(c->err, DR_EINVAL, "%s: path too long", c->what);
            goto fail;
        }
        rc = parse_node(c, &ev, sub.p, depth + 1, &val);
        buf_cleanup(&sub);
        if (rc < 0)
            goto fail;
        json_array_append_new(arr, val);
    }
    *out = arr;
    return 0;
fail:
    json_decref(arr);
    return rc;
}

/* Consumes ev (deletes it) and parses the node it starts. */
static int parse_node(struct yctx *c, yaml_event_t *ev, const char *path, int depth, json_t **out)
{
    int rc = 0;

    if (depth > YAML_MAX_DEPTH) {
        rc = ev_error(c, ev, "nesting is too deep");
        yaml_event_delete(ev);
        return rc;
    }
    note_line(c, path, ev);
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        const char *s = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        const char *tag = (const char *)ev->data.scalar.tag;
        if (tag && strcmp(tag, YAML_STR_TAG) != 0) {
            rc = ev_error(c, ev, "YAML tags are not supported");
        } else if (strlen(s) != len) {
            rc = ev_error(c, ev, "scalar contains a NUL byte");
        } else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tag) {
            *out = plain_scalar(s, len);
        } else {
            *out = json_stringn(s, len);
        }
        if (rc == 0 && !*out)
            rc = ev_error(c, ev, "scalar is not valid UTF-8");
        yaml_event_delete(ev);
        return rc;
    }
    case YAML_SEQUENCE_START_EVENT:
        yaml_event_delete(ev);
        return parse_sequence(c, path, depth, out);
    case YAML_MAPPING_START_EVENT:
        yaml_event_delete(ev);
        return parse_mapping(c, path, depth, out);
    case YAML_ALIAS_EVENT:
        rc = ev_error(c, ev, "YAML aliases are not supported");
        break;
    default:
        rc = ev_error(c, ev, "unexpected YAML event");
        break;
    }
    yaml_event_delete(ev);
    return rc;
}

int yaml_parse_docs(const char *text, size_t len, const char *what, json_t **docs, json_t **lines,
                    struct dr_err *err)
{
    struct yctx c;
    yaml_event_t ev;
    json_t *arr = json_array(), *larr = lines ? json_array() : NULL;
    int rc = 0, done = 0;

    memset(&c, 0, sizeof(c));
    c.what = what ? what : "YAML";
    c.err = err;
    if (!yaml_parser_initialize(&c.parser)) {
        json_decref(arr);
        json_decref(larr);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&c.parser, (const unsigned char *)text, len);
    while (!done) {
        if ((rc = next_event(&c, &ev)) < 0)
            break;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            yaml_event_delete(&ev);
            break;
        case YAML_DOCUMENT_START_EVENT: {
            json_t *val = NULL;
            yaml_event_delete(&ev);
            c.lines = larr ? json_object() : NULL;
            if ((rc = next_event(&c, &ev)) < 0)
                break;
            if (ev.type == YAML_DOCUMENT_END_EVENT) {
                yaml_event_delete(&ev);
                json_decref(c.lines);
                c.lines = NULL;
                break;
            }
            rc = parse_node(&c, &ev, "", 0, &val);
            if (rc < 0)
                break;
            json_array_append_new(arr, val);
            if (larr)
                json_array_append_new(larr, c.lines);
            c.lines = NULL;
            if ((rc = next_event(&c, &ev)) < 0)
                break;
            yaml_event_delete(&ev);
            break;
        }
        default:
            yaml_event_delete(&ev);
            break;
        }
        if (rc < 0)
            break;
    }
    json_decref(c.lines);
    yaml_parser_delete(&c.parser);
    if (rc < 0) {
        json_decref(arr);
        json_decref(larr);
        return rc;
    }
    *docs = arr;
    if (lines)
        *lines = larr;
    return 0;
}

int yaml_load_path(const char *path, json_t **docs, json_t **lines, struct dr_err *err)
{
    struct buf b;
    int rc;

    buf_init(&b, 64 << 20);
    rc = fs_read_path(path, &b, err);
    if (rc == 0)
        rc = yaml_parse_docs(b.p, b.len, path, docs, lines, err);
    buf_cleanup(&b);
    return rc;
}
