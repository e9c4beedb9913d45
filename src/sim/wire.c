/*
 * wire.c - the server side of the AWS wire formats: form-encoded request
 * bodies (query and ec2 protocols) into JSON objects, JSON request bodies,
 * and JSON values rendered as XML elements (query: lists as <member>, ec2:
 * lists as <item>). Depends on the core module, aws/http.h (URI decoding), jansson.
 */
#include <stdio.h>
#include <string.h>

#include "aws/http.h"
#include "core/str.h"
#include "sim/internal.h"

int sim_xml_escape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        int rc;
        switch (*s) {
        case '&':
            rc = buf_adds(b, "&amp;");
            break;
        case '<':
            rc = buf_adds(b, "&lt;");
            break;
        case '>':
            rc = buf_adds(b, "&gt;");
            break;
        case '"':
            rc = buf_adds(b, "&quot;");
            break;
        case '\'':
            rc = buf_adds(b, "&apos;");
            break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' && *s != '\r')
                rc = buf_addf(b, "&#%d;", (unsigned char)*s);
            else
                rc = buf_addch(b, *s);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int render_value(struct buf *b, const json_t *v, const char *item_tag);

static int render_elem(struct buf *b, const char *name, const json_t *v, const char *item_tag)
{
    if (json_is_null(v))
        return 0;
    if (buf_addf(b, "<%s>", name) < 0 || render_value(b, v, item_tag) < 0 ||
        buf_addf(b, "</%s>", name) < 0)
        return -DR_ENOMEM;
    return 0;
}

static int render_value(struct buf *b, const json_t *v, const char *item_tag)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            if (render_elem(b, k, x, item_tag) < 0)
                return -DR_ENOMEM;
        }
        return 0;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (render_elem(b, item_tag, x, item_tag) < 0)
                return -DR_ENOMEM;
        }
        return 0;
    }
    case JSON_STRING:
        return sim_xml_escape(b, json_string_value(v));
    case JSON_INTEGER:
        return buf_addf(b, "%lld", (long long)json_integer_value(v));
    case JSON_REAL:
        return buf_addf(b, "%.17g", json_real_value(v));
    case JSON_TRUE:
        return buf_adds(b, "true");
    case JSON_FALSE:
        return buf_adds(b, "false");
    case JSON_NULL:
        return 0;
    }
    return 0;
}

int sim_xml_render(struct buf *b, const json_t *v, const char *item_tag)
{
    return v ? render_value(b, v, item_tag) : 0;
}

int sim_form_parse(const char *body, size_t len, json_t **out, char *why, size_t whylen)
{
    json_t *o = json_object();
    struct buf k, v;
    buf_init(&k, 4096);
    buf_init(&v, SIM_BODY_MAX);
    *out = NULL;
    size_t i = 0;
    int rc = 0;
    while (o && i < len) {
        size_t j = i;
        while (j < len && body[j] != '&')
            j++;
        size_t eq = i;
        while (eq < j && body[eq] != '=')
            eq++;
        buf_reset(&k);
        buf_reset(&v);
        if (j > i) {
            if (http_uri_decode(&k, body + i, eq - i, true) < 0 ||
                (eq < j && http_uri_decode(&v, body + eq + 1, j - eq - 1, true) < 0)) {
                snprintf(why, whylen, "malformed form encoding near byte %zu", i);
                rc = -1;
                break;
            }
            if (k.len == 0 || strlen(k.p) != k.len || strlen(v.p) != v.len) {
                snprintf(why, whylen, "malformed form parameter near byte %zu", i);
                rc = -1;
                break;
            }
            json_t *s = json_stringn(v.p, v.len);
            if (!s) {
                snprintf(why, whylen, "parameter %.64s is not valid UTF-8", k.p);
                rc = -1;
                break;
            }
            json_object_set_new(o, k.p, s);
        }
        i = j + 1;
    }
    buf_cleanup(&k);
    buf_cleanup(&v);
    if (!o || rc < 0) {
        json_decref(o);
        if (!o)
            snprintf(why, whylen, "out of memory");
        return -1;
    }
    *out = o;
    return 0;
}

json_t *sim_form_list(const json_t *form, const char *prefix)
{
    json_t *arr = json_array();
    char key[256];
    for (int i = 1; i < 10000; i++) {
        snprintf(key, sizeof key, "%s.%d", prefix, i);
        json_t *v = json_object_get(form, key);
        if (!v) {
            snprintf(key, sizeof key, "%s.member.%d", prefix, i);
            v = json_object_get(form, key);
        }
        if (!v)
            break;
        json_array_append(arr, v);
    }
    return arr;
}

int sim_json_body(const char *body, size_t len, json_t **out, char *why, size_t whylen)
{
    *out = NULL;
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len) {
        *out = json_object();
        return 0;
    }
    json_error_t je;
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        snprintf(why, whylen, "Unable to parse request body: %s (line %d column %d)", je.text,
                 je.line, je.column);
        return -1;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        snprintf(why, whylen, "The request body must be a JSON object");
        return -1;
    }
    *out = v;
    return 0;
}
