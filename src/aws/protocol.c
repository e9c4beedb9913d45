/*
 * protocol.c - the JSON-based wire protocols (json 1.0/1.1 and rest-json)
 * and the shared shape-driven helpers: input validation against the model
 * (unknown, missing and mistyped members named by path), timestamps,
 * idempotency tokens, and the protocol dispatch behind aws_proto_build /
 * aws_proto_parse. Query and EC2 live in protocol_xml.c.
 * Pure functions: no I/O.
 */
#include "aws/protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/protocol_int.h"
#include "core/crypto.h"
#include "core/jsonutil.h"
#include "core/str.h"
#include "core/timeutil.h"

/* ---- shared helpers ---- */

const struct aws_member_def *proto_find_member(const struct aws_service_model *svc,
                                               const struct aws_shape_def *sh, const char *name,
                                               bool by_wire)
{
    uint16_t i;
    for (i = 0; i < sh->nmembers; i++) {
        const struct aws_member_def *m = proto_member(svc, sh, i);
        if (strcmp(by_wire ? proto_wire(svc, m) : proto_mname(svc, m), name) == 0)
            return m;
    }
    return NULL;
}

int proto_unknown_member(const struct aws_service_model *svc, const struct aws_shape_def *sh,
                         const char *path, const char *key, struct dr_err *err)
{
    struct buf b;
    uint16_t i;
    int rc;

    buf_init(&b, 200);
    for (i = 0; i < sh->nmembers; i++) {
        if (buf_addf(&b, "%s%s", i ? ", " : "", proto_mname(svc, proto_member(svc, sh, i))) < 0)
            break;
    }
    rc = dr_err_set(err, DR_EINVAL, "%s%sunknown parameter '%s', must be one of: %s", path,
                    path[0] ? ": " : "", key, b.len ? b.p : "(none)");
    buf_cleanup(&b);
    return rc;
}

static void uuid4(char out[37])
{
    unsigned char r[16];
    static const char hex[] = "0123456789abcdef";
    int i, j = 0;

    if (crypto_random(r, sizeof(r), NULL) < 0)
        memset(r, 0x5a, sizeof(r));
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[j++] = '-';
        out[j++] = hex[r[i] >> 4];
        out[j++] = hex[r[i] & 15];
    }
    out[j] = '\0';
}

int proto_check_required(const struct aws_service_model *svc, const struct aws_shape_def *sh,
                         json_t *obj, const char *path, struct dr_err *err)
{
    uint16_t i;
    for (i = 0; i < sh->nmembers; i++) {
        const struct aws_member_def *m = proto_member(svc, sh, i);
        const char *n = proto_mname(svc, m);
        if (json_object_get(obj, n))
            continue;
        if (m->flags & MF_IDEMPOTENCY) {
            char u[37];
            uuid4(u);
            json_object_set_new(obj, n, json_string(u));
        } else if (m->flags & MF_REQUIRED) {
            return dr_err_set(err, DR_EINVAL, "%s%smissing required parameter '%s'", path,
                              path[0] ? ": " : "", n);
        }
    }
    return 0;
}

json_t *proto_ts_out(const json_t *v)
{
    char b[40];
    int64_t ms;

    if (json_is_number(v)) {
        double d = json_number_value(v);
        if (d < -6e10 || d > 2.5e11)
            return json_deep_copy(v);
        ms = (int64_t)(d * 1000.0 + (d >= 0 ? 0.5 : -0.5));
    } else if (json_is_string(v)) {
        if (time_parse(json_string_value(v), &ms) < 0 &&
            time_parse_http(json_string_value(v), &ms) < 0)
            return json_deep_copy(v);
    } else {
        return json_deep_copy(v);
    }
    if (ms % 1000)
        time_iso8601_ms(ms, b, sizeof(b));
    else
        time_iso8601((time_t)(ms / 1000), b, sizeof(b));
    return json_string(b);
}

int proto_ts_in(const json_t *v, int64_t *ms)
{
    if (json_is_number(v)) {
        *ms = (int64_t)(json_number_value(v) * 1000.0);
        return 0;
    }
    if (json_is_string(v))
        return time_parse(json_string_value(v), ms);
    return -1;
}

int proto_ts_text(int64_t ms, int fmt, struct buf *out)
{
    char b[64];
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    switch (fmt) {
    case TS_EPOCH:
        if (ms % 1000)
            return buf_addf(out, "%lld.%03d", (long long)(ms / 1000), (int)(ms % 1000));
        return buf_addf(out, "%lld", (long long)(ms / 1000));
    case TS_RFC822:
        gmtime_r(&t, &tm);
        strftime(b, sizeof(b), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        return buf_adds(out, b);
    default:
        if (ms % 1000)
            time_iso8601_ms(ms, b, sizeof(b));
        else
            time_iso8601(t, b, sizeof(b));
        return buf_adds(out, b);
    }
}

int proto_scalar_text(const struct aws_service_model *svc, const struct aws_shape_def *sh,
                      const json_t *v, const char *path, int ts_fmt_default, struct buf *out,
                      struct dr_err *err)
{
    (void)svc;
    switch (sh->type) {
    case SH_STRING:
    case SH_BLOB:
        if (!json_is_string(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected a string", path);
        return buf_adds(out, json_string_value(v)) < 0 ? dr_err_set(err, DR_ENOMEM, "oom") : 0;
    case SH_INTEGER:
    case SH_LONG:
        if (!json_is_integer(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected an integer", path);
        return buf_addf(out, "%lld", (long long)json_integer_value(v)) < 0
                   ? dr_err_set(err, DR_ENOMEM, "oom")
                   : 0;
    case SH_DOUBLE:
        if (!json_is_number(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected a number", path);
        return buf_addf(out, "%.17g", json_number_value(v)) < 0 ? dr_err_set(err, DR_ENOMEM, "oom")
                                                                : 0;
    case SH_BOOLEAN:
        if (!json_is_boolean(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected true or false", path);
        return buf_adds(out, json_is_true(v) ? "true" : "false") < 0
                   ? dr_err_set(err, DR_ENOMEM, "oom")
                   : 0;
    case SH_TIMESTAMP: {
        int64_t ms;
        if (proto_ts_in(v, &ms) < 0)
            return dr_err_set(err, DR_EINVAL, "%s: expected a timestamp (ISO 8601 or epoch)", path);
        return proto_ts_text(ms, sh->ts_format != TS_DEFAULT ? sh->ts_format : ts_fmt_default,
                             out) < 0
                   ? dr_err_set(err, DR_ENOMEM, "oom")
                   : 0;
    }
    default:
        return dr_err_set(err, DR_EINVAL, "%s: expected a scalar value", path);
    }
}

/* ---- JSON bodies ---- */

static int path_join(struct buf *p, const char *base, const char *key)
{
    buf_init(p, 1024);
    return buf_addf(p, "%s%s%s", base, base[0] ? "." : "", key);
}

/* Serializes v (shape idx) into a new JSON value with wire names. */
static int ser_json(const struct aws_service_model *svc, uint16_t idx, const json_t *v,
                    const char *path, int depth, json_t **out, struct dr_err *err)
{
    const struct aws_shape_def *sh = proto_shape(svc, idx);
    int rc = 0;

    if (depth > PROTO_MAX_DEPTH)
        return dr_err_set(err, DR_EINVAL, "%s: nested too deeply", path);
    switch (sh->type) {
    case SH_STRUCT: {
        json_t *o, *copy, *mv;
        const char *k;
        if (!json_is_object(v))
            return dr_err_set(err, DR_EINVAL, "%s%sexpected a structure (JSON object)", path,
                              path[0] ? ": " : "");
        copy = json_copy((json_t *)v);
        if ((rc = proto_check_required(svc, sh, copy, path, err)) < 0) {
            json_decref(copy);
            return rc;
        }
        o = json_object();
        json_object_foreach(copy, k, mv)
        {
            const struct aws_member_def *m = proto_find_member(svc, sh, k, false);
            struct buf p;
            json_t *w = NULL;
            if (!m) {
                rc = proto_unknown_member(svc, sh, path, k, err);
                break;
            }
            if (m->location != LOC_BODY)
                continue;
            path_join(&p, path, k);
            rc = ser_json(svc, m->shape, mv, p.p, depth + 1, &w, err);
            buf_cleanup(&p);
            if (rc < 0)
                break;
            json_object_set_new(o, proto_wire(svc, m), w);
        }
        json_decref(copy);
        if (rc < 0) {
            json_decref(o);
            return rc;
        }
        *out = o;
        return 0;
    }
    case SH_LIST: {
        const struct aws_member_def *m = proto_member(svc, sh, 0);
        json_t *a, *e;
        size_t i;
        if (!json_is_array(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected a list", path);
        a = json_array();
        json_array_foreach(v, i, e)
        {
            struct buf p;
            json_t *w = NULL;
            buf_init(&p, 1024);
            if (buf_addf(&p, "%s[%zu]", path, i) < 0)
                buf_reset(&p);
            rc = ser_json(svc, m->shape, e, p.p, depth + 1, &w, err);
            buf_cleanup(&p);
            if (rc < 0) {
                json_decref(a);
                return rc;
            }
            json_array_append_new(a, w);
        }
        *out = a;
        return 0;
    }
    case SH_MAP: {
        const struct aws_member_def *vm = proto_member(svc, sh, 1);
        json_t *o, *e;
        const char *k;
        if (!json_is_object(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected a map (JSON object)", path);
        o = json_object();
        json_object_foreach((json_t *)v, k, e)
        {
            struct buf p;
            json_t *w = NULL;
            path_join(&p, path, k);
            rc = ser_json(svc, vm->shape, e, p.p, depth + 1, &w, err);
            buf_cleanup(&p);
            if (rc < 0) {
                json_decref(o);
                return rc;
            }
            json_object_set_new(o, k, w);
        }
        *out = o;
        return 0;
    }
    case SH_TIMESTAMP: {
        int64_t ms;
        if (proto_ts_in(v, &ms) < 0)
            return dr_err_set(err, DR_EINVAL, "%s: expected a timestamp (ISO 8601 or epoch)", path);
        if (sh->ts_format == TS_ISO8601 || sh->ts_format == TS_RFC822) {
            struct buf b;
            buf_init(&b, 64);
            if (proto_ts_text(ms, sh->ts_format, &b) < 0) {
                buf_cleanup(&b);
                return dr_err_set(err, DR_ENOMEM, "oom");
            }
            *out = json_string(b.p);
            buf_cleanup(&b);
        } else {
            *out = ms % 1000 ? json_real((double)ms / 1000.0) : json_integer(ms / 1000);
        }
        return 0;
    }
    case SH_STRING:
    case SH_BLOB:
        if (!json_is_string(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected a string", path);
        break;
    case SH_INTEGER:
    case SH_LONG:
        if (!json_is_integer(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected an integer", path);
        break;
    case SH_DOUBLE:
        if (!json_is_number(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected a number", path);
        break;
    case SH_BOOLEAN:
        if (!json_is_boolean(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected true or false", path);
        break;
    }
    *out = json_deep_copy(v);
    return 0;
}

/* Shapes whose wire value de_json leaves exactly as it is. */
static bool shape_is_plain(const struct aws_shape_def *sh)
{
    return sh->type != SH_STRUCT && sh->type != SH_LIST && sh->type != SH_MAP &&
           sh->type != SH_TIMESTAMP;
}

/* A structure whose body members all keep their wire names. */
static bool struct_keeps_names(const struct aws_service_model *svc, const struct aws_shape_def *sh)
{
    uint16_t i;

    for (i = 0; i < sh->nmembers; i++) {
        const struct aws_member_def *m = proto_member(svc, sh, i);
        if (m->wire && m->location == LOC_BODY)
            return false;
    }
    return true;
}

static json_t *de_json(const struct aws_service_model *svc, uint16_t idx, json_t *w, int depth);

/* Converts v, a value its container holds: returns the value to put in its
 * place, or NULL when v was converted in place (or needs nothing). */
static json_t *de_json_child(const struct aws_service_model *svc, uint16_t idx, json_t *v,
                             int depth)
{
    json_t *nv;

    if (shape_is_plain(proto_shape(svc, idx)) && depth <= PROTO_MAX_DEPTH)
        return NULL;
    nv = de_json(svc, idx, json_incref(v), depth);
    if (nv == v) {
        json_decref(v);
        return NULL;
    }
    return nv;
}

/* Converts a freshly parsed wire value to the model's member names and ISO
 * timestamps, dropping members the model does not know (as botocore does).
 * Takes the reference to w and returns the converted value: w itself,
 * changed in place (the parse's values are not shared, so this is safe and
 * avoids copying a page of items), or a new value when w was replaced. */
static json_t *de_json(const struct aws_service_model *svc, uint16_t idx, json_t *w, int depth)
{
    const struct aws_shape_def *sh = proto_shape(svc, idx);

    if (depth > PROTO_MAX_DEPTH) {
        json_decref(w);
        return json_null();
    }
    switch (sh->type) {
    case SH_STRUCT: {
        const char *k;
        json_t *v, *nv;
        void *tmp;
        if (!json_is_object(w))
            return w;
        if (!struct_keeps_names(svc, sh)) {
            /* renamed members: build a new object in the wire order */
            json_t *o = json_object();
            json_object_foreach((json_t *)w, k, v)
            {
                const struct aws_member_def *m = proto_find_member(svc, sh, k, true);
                if (!m || m->location != LOC_BODY)
                    continue;
                json_object_set_new(o, proto_mname(svc, m),
                                    de_json(svc, m->shape, json_incref(v), depth + 1));
            }
            json_decref(w);
            return o;
        }
        json_object_foreach_safe(w, tmp, k, v)
        {
            const struct aws_member_def *m = proto_find_member(svc, sh, k, true);
            if (!m || m->location != LOC_BODY) {
                json_object_del(w, k); /* botocore drops members the model does not know */
                continue;
            }
            if ((nv = de_json_child(svc, m->shape, v, depth + 1)) != NULL)
                json_object_set_new(w, k, nv);
        }
        return w;
    }
    case SH_LIST: {
        const struct aws_member_def *m = proto_member(svc, sh, 0);
        json_t *e, *ne;
        size_t i;
        if (!json_is_array(w))
            return w;
        json_array_foreach(w, i, e)
        {
            if ((ne = de_json_child(svc, m->shape, e, depth + 1)) != NULL)
                json_array_set_new(w, i, ne);
        }
        return w;
    }
    case SH_MAP: {
        const struct aws_member_def *vm = proto_member(svc, sh, 1);
        json_t *e, *ne;
        const char *k;
        void *tmp;
        if (!json_is_object(w))
            return w;
        json_object_foreach_safe(w, tmp, k, e)
        {
            if ((ne = de_json_child(svc, vm->shape, e, depth + 1)) != NULL)
                json_object_set_new(w, k, ne);
        }
        return w;
    }
    case SH_TIMESTAMP: {
        json_t *t = proto_ts_out(w);
        json_decref(w);
        return t;
    }
    default:
        return w;
    }
}

static int set_json_body(struct http_request *req, const json_t *body, const char *ctype,
                         struct dr_err *err)
{
    char *s = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    int rc;

    if (!s)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    rc = http_req_set_body(req, s, strlen(s), err);
    free(s);
    if (rc == 0 && http_headers_set(&req->headers, "Content-Type", ctype) < 0)
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
    return rc;
}

static int json_build(const struct aws_service_model *svc, const struct aws_op_model *op,
                      const json_t *input, struct http_request *req, struct dr_err *err)
{
    json_t *body = NULL;
    char target[256], ctype[64];
    int rc;

    if (op->input != AWS_NO_SHAPE) {
        rc = ser_json(svc, op->input, input, "", 0, &body, err);
        if (rc < 0)
            return rc;
    } else {
        body = json_object();
    }
    snprintf(target, sizeof(target), "%s.%s", aws_pool(svc, svc->target_prefix),
             aws_pool(svc, op->name));
    snprintf(ctype, sizeof(ctype), "application/x-amz-json-%s",
             svc->json_version ? aws_pool(svc, svc->json_version) : "1.1");
    free(req->method);
    req->method = strdup("POST");
    rc = req->method ? 0 : dr_err_set(err, DR_ENOMEM, "out of memory");
    if (rc == 0 && http_headers_set(&req->headers, "X-Amz-Target", target) < 0)
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
    if (rc == 0)
        rc = set_json_body(req, body, ctype, err);
    json_decref(body);
    return rc;
}

/* ---- REST-JSON ---- */

static const char *method_name(uint8_t m)
{
    static const char *const names[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"};
    return m < 6 ? names[m] : "POST";
}

static int restjson_build(const struct aws_service_model *svc, const struct aws_op_model *op,
                          const json_t *input, struct http_request *req, struct dr_err *err)
{
    const char *tmpl = aws_pool(svc, op->request_uri);
    const struct aws_shape_def *sh = op->input != AWS_NO_SHAPE ? proto_shape(svc, op->input) : NULL;
    struct buf path, query;
    json_t *in = NULL, *v;
    const char *k, *p, *qmark;
    bool has_body_members = false, payload = false;
    uint16_t i;
    int rc = 0;

    buf_init(&path, 8192);
    buf_init(&query, 1 << 20);
    in = json_is_object(input) ? json_copy((json_t *)input) : json_object();
    if (sh) {
        if ((rc = proto_check_required(svc, sh, in, "", err)) < 0)
            goto out;
        json_object_foreach(in, k, v)
        {
            if (!proto_find_member(svc, sh, k, false)) {
                rc = proto_unknown_member(svc, sh, "", k, err);
                goto out;
            }
        }
    }
    /* base path from the endpoint override, then the template with labels */
    if (strcmp(req->path, "/") != 0) {
        size_t n = strlen(req->path);
        if (buf_add(&path, req->path, req->path[n - 1] == '/' ? n - 1 : n) < 0)
            goto nomem;
    }
    qmark = strchr(tmpl, '?');
    for (p = tmpl; *p && p != qmark; p++) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            char label[128];
            size_t n;
            bool greedy;
            const struct aws_member_def *m = NULL;
            if (!end || (size_t)(end - p - 1) >= sizeof(label))
                break;
            n = (size_t)(end - p - 1);
            memcpy(label, p + 1, n);
            label[n] = '\0';
            greedy = n && label[n - 1] == '+';
            if (greedy)
                label[n - 1] = '\0';
            for (i = 0; sh && i < sh->nmembers; i++) {
                const struct aws_member_def *c = proto_member(svc, sh, i);
                if (c->location == LOC_URI && strcmp(proto_wire(svc, c), label) == 0)
                    m = c;
            }
            if (!m || !(v = json_object_get(in, proto_mname(svc, m)))) {
                rc = dr_err_set(err, DR_EINVAL, "missing required parameter '%s'",
                                m ? proto_mname(svc, m) : label);
                goto out;
            }
            {
                struct buf t;
                buf_init(&t, 8192);
                rc = proto_scalar_text(svc, proto_shape(svc, m->shape), v, proto_mname(svc, m),
                                       TS_ISO8601, &t, err);
                if (rc == 0 && t.len == 0)
                    rc = dr_err_set(err, DR_EINVAL, "%s: must not be empty", proto_mname(svc, m));
                if (rc == 0 && http_uri_encode(&path, t.p, t.len, greedy) < 0)
                    rc = dr_err_set(err, DR_ENOMEM, "out of memory");
                buf_cleanup(&t);
                if (rc < 0)
                    goto out;
            }
            p = end;
        } else if (buf_addch(&path, *p) < 0) {
            goto nomem;
        }
    }
    if (qmark && qmark[1] && buf_adds(&query, qmark + 1) < 0)
        goto nomem;
    for (i = 0; sh && i < sh->nmembers; i++) {
        const struct aws_member_def *m = proto_member(svc, sh, i);
        const struct aws_shape_def *ms = proto_shape(svc, m->shape);
        const char *mn = proto_mname(svc, m);
        if (m->location == LOC_BODY) {
            has_body_members = true;
            if (m->flags & MF_PAYLOAD)
                payload = true;
        }
        v = json_object_get(in, mn);
        if (!v)
            continue;
        if (m->location == LOC_QUERY) {
            const char *qn = proto_wire(svc, m);
            if (ms->type == SH_LIST || ms->type == SH_MAP) {
                size_t j;
                json_t *e;
                const char *mk;
                if (ms->type == SH_LIST && !json_is_array(v)) {
                    rc = dr_err_set(err, DR_EINVAL, "%s: expected a list", mn);
                    goto out;
                }
                if (ms->type == SH_LIST) {
                    json_array_foreach(v, j, e)
                    {
                        struct buf t;
                        buf_init(&t, 8192);
                        rc = proto_scalar_text(svc,
                                               proto_shape(svc, proto_member(svc, ms, 0)->shape), e,
                                               mn, TS_ISO8601, &t, err);
                        if (rc == 0 && (buf_addf(&query, "%s", query.len ? "&" : "") < 0 ||
                                        http_uri_encode(&query, qn, strlen(qn), false) < 0 ||
                                        buf_addch(&query, '=') < 0 ||
                                        http_uri_encode(&query, t.p, t.len, false) < 0))
                            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
                        buf_cleanup(&t);
                        if (rc < 0)
                            goto out;
                    }
                } else if (json_is_object(v)) {
                    json_object_foreach(v, mk, e)
                    {
                        if (!json_is_string(e)) {
                            rc = dr_err_set(err, DR_EINVAL, "%s.%s: expected a string", mn, mk);
                            goto out;
                        }
                        if (buf_addf(&query, "%s", query.len ? "&" : "") < 0 ||
                            http_uri_encode(&query, mk, strlen(mk), false) < 0 ||
                            buf_addch(&query, '=') < 0 ||
                            http_uri_encode(&query, json_string_value(e), json_string_length(e),
                                            false) < 0)
                            goto nomem;
                    }
                }
            } else {
                struct buf t;
                buf_init(&t, 8192);
                rc = proto_scalar_text(svc, ms, v, mn, TS_ISO8601, &t, err);
                if (rc == 0 &&
                    (buf_addf(&query, "%s", query.len ? "&" : "") < 0 ||
                     http_uri_encode(&query, qn, strlen(qn), false) < 0 ||
                     buf_addch(&query, '=') < 0 || http_uri_encode(&query, t.p, t.len, false) < 0))
                    rc = dr_err_set(err, DR_ENOMEM, "out of memory");
                buf_cleanup(&t);
                if (rc < 0)
                    goto out;
            }
        } else if (m->location == LOC_HEADER) {
            struct buf t;
            buf_init(&t, 8192);
            rc = proto_scalar_text(svc, ms, v, mn, TS_RFC822, &t, err);
            if (rc == 0 && http_headers_set(&req->headers, proto_wire(svc, m), t.p) < 0)
                rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            buf_cleanup(&t);
            if (rc < 0)
                goto out;
        } else if (m->location == LOC_HEADERS && json_is_object(v)) {
            const char *hk;
            json_t *hv;
            json_object_foreach(v, hk, hv)
            {
                struct buf hn;
                buf_init(&hn, 1024);
                if (!json_is_string(hv) || buf_addf(&hn, "%s%s", proto_wire(svc, m), hk) < 0 ||
                    http_headers_set(&req->headers, hn.p, json_string_value(hv)) < 0) {
                    buf_cleanup(&hn);
                    rc =
                        dr_err_set(err, DR_EINVAL, "%s.%s: expected a string header value", mn, hk);
                    goto out;
                }
                buf_cleanup(&hn);
            }
        }
    }
    if (http_req_set_path(req, path.len ? path.p : "/", err) < 0 ||
        http_req_set_query(req, query.p, err) < 0)
        goto nomem;
    free(req->method);
    req->method = strdup(method_name(op->method));
    if (!req->method)
        goto nomem;
    if (payload) {
        for (i = 0; i < sh->nmembers; i++) {
            const struct aws_member_def *m = proto_member(svc, sh, i);
            json_t *w = NULL;
            if (!(m->flags & MF_PAYLOAD))
                continue;
            v = json_object_get(in, proto_mname(svc, m));
            if (!v)
                break;
            rc = ser_json(svc, m->shape, v, proto_mname(svc, m), 0, &w, err);
            if (rc == 0)
                rc = set_json_body(req, w, "application/json", err);
            json_decref(w);
        }
    } else if (has_body_members) {
        json_t *body = NULL;
        rc = ser_json(svc, op->input, in, "", 0, &body, err);
        if (rc == 0)
            rc = set_json_body(req, body, "application/json", err);
        json_decref(body);
    }
    goto out;
nomem:
    rc = dr_err_set(err, DR_ENOMEM, "out of memory");
out:
    json_decref(in);
    buf_cleanup(&path);
    buf_cleanup(&query);
    return rc;
}

/* Header-, status- and body-bound output members of a rest-json response.
 * Takes the reference to body (NULL for none). */
static int restjson_output(const struct aws_service_model *svc, const struct aws_op_model *op,
                           const struct http_response *resp, json_t *body, json_t **out)
{
    const struct aws_shape_def *sh = proto_shape(svc, op->output);
    json_t *o = NULL;
    uint16_t i;
    bool payload = false;

    for (i = 0; i < sh->nmembers; i++) {
        if (proto_member(svc, sh, i)->flags & MF_PAYLOAD)
            payload = true;
    }
    if (payload || !body) {
        o = json_object();
    } else {
        o = de_json(svc, op->output, body, 0);
        body = NULL;
    }
    for (i = 0; i < sh->nmembers; i++) {
        const struct aws_member_def *m = proto_member(svc, sh, i);
        const struct aws_shape_def *ms = proto_shape(svc, m->shape);
        const char *mn = proto_mname(svc, m);
        if (m->flags & MF_PAYLOAD) {
            if (body)
                json_object_set_new(o, mn, de_json(svc, m->shape, json_incref(body), 0));
        } else if (m->location == LOC_STATUS) {
            json_object_set_new(o, mn, json_integer(resp->status));
        } else if (m->location == LOC_HEADER) {
            const char *hv = http_headers_get(&resp->headers, proto_wire(svc, m));
            int64_t n;
            if (!hv)
                continue;
            if ((ms->type == SH_INTEGER || ms->type == SH_LONG) && dr_parse_i64(hv, &n) == 0)
                json_object_set_new(o, mn, json_integer(n));
            else if (ms->type == SH_BOOLEAN)
                json_object_set_new(o, mn, json_boolean(strcmp(hv, "true") == 0));
            else if (ms->type == SH_TIMESTAMP) {
                json_t *s = json_string(hv);
                json_object_set_new(o, mn, proto_ts_out(s));
                json_decref(s);
            } else
                json_object_set_new(o, mn, json_string(hv));
        }
    }
    json_decref(body);
    *out = o;
    return 0;
}

/* Error code and message from a JSON-protocol error response. */
static int json_error(const struct http_response *resp, struct dr_err *err)
{
    const char *hdr = http_headers_get(&resp->headers, "x-amzn-ErrorType");
    const char *rid = http_headers_get(&resp->headers, "x-amzn-RequestId");
    json_t *body = NULL;
    const char *code = NULL, *msg = NULL;
    char c[DR_ERR_CODE_MAX];
    int rc;

    if (!rid)
        rid = http_headers_get(&resp->headers, "x-amz-request-id");
    if (resp->body.len)
        body = json_loadb(resp->body.p, resp->body.len, 0, NULL);
    if (hdr && *hdr)
        code = hdr;
    if (!code && json_is_object(body)) {
        code = json_str_borrow(body, "__type");
        if (!code)
            code = json_str_borrow(body, "code");
        if (!code)
            code = json_str_borrow(body, "Code");
    }
    if (json_is_object(body)) {
        msg = json_str_borrow(body, "message");
        if (!msg)
            msg = json_str_borrow(body, "Message");
        if (!msg)
            msg = json_str_borrow(body, "errorMessage");
    }
    if (code) {
        const char *hash = strrchr(code, '#');
        const char *colon;
        dr_strlcpy(c, hash ? hash + 1 : code, sizeof(c));
        colon = strchr(c, ':');
        if (colon)
            c[colon - c] = '\0';
    } else {
        snprintf(c, sizeof(c), "HTTP%d", resp->status);
    }
    rc = dr_err_aws(
        err, resp->status, c, rid, "%s",
        msg ? msg : (body || !resp->body.len ? "(no message)" : "the error response is not JSON"));
    json_decref(body);
    return rc;
}

/* ---- dispatch ---- */

int aws_proto_build(const struct aws_service_model *svc, const struct aws_op_model *op,
                    const json_t *input, struct http_request *req, struct dr_err *err)
{
    json_t *empty = NULL;
    int rc;

    if (!input)
        input = empty = json_object();
    if (!json_is_object(input)) {
        json_decref(empty);
        return dr_err_set(err, DR_EINVAL, "%s: the input must be a JSON object",
                          aws_pool(svc, op->name));
    }
    switch (svc->protocol) {
    case AWS_PROTO_JSON:
        rc = json_build(svc, op, input, req, err);
        break;
    case AWS_PROTO_REST_JSON:
        rc = restjson_build(svc, op, input, req, err);
        break;
    case AWS_PROTO_QUERY:
    case AWS_PROTO_EC2:
        rc = proto_query_build(svc, op, input, req, err);
        break;
    default:
        rc = dr_err_set(err, DR_EINTERNAL, "unknown protocol");
    }
    if (rc < 0 && err && err->status == DR_EINVAL)
        dr_err_prefix(err, "%s: ", aws_pool(svc, op->name));
    json_decref(empty);
    return rc;
}

int aws_proto_parse(const struct aws_service_model *svc, const struct aws_op_model *op,
                    const struct http_response *resp, json_t **out, struct dr_err *err)
{
    json_t *body = NULL;
    json_error_t je;
    int rc;

    if (svc->protocol == AWS_PROTO_QUERY || svc->protocol == AWS_PROTO_EC2)
        return proto_xml_parse(svc, op, resp, out, err);
    if (resp->status < 200 || resp->status >= 300)
        return json_error(resp, err);
    if (resp->body.len) {
        body = json_loadb(resp->body.p, resp->body.len, 0, &je);
        if (!body)
            return dr_err_set(err, DR_EPARSE, "%s: response is not JSON: line %d: %s",
                              aws_pool(svc, op->name), je.line, je.text);
    }
    if (op->output == AWS_NO_SHAPE) {
        json_decref(body);
        *out = json_object();
        return 0;
    }
    if (svc->protocol == AWS_PROTO_REST_JSON) {
        rc = restjson_output(svc, op, resp, body, out);
    } else {
        *out = body ? de_json(svc, op->output, body, 0) : json_object();
        rc = 0;
    }
    if (rc == 0 && !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return dr_err_set(err, DR_EPARSE, "%s: response body is not a JSON object",
                          aws_pool(svc, op->name));
    }
    return rc;
}
