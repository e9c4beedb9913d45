/*
 * protocol_xml.c - the query (STS, IAM, CloudFormation) and ec2 wire
 * protocols: form-encoded requests with member.N / .N flattening, and XML
 * responses (parsed with expat into a small tree, then converted to JSON
 * through the output shape so lists stay lists, numbers and booleans are
 * typed, IAM's URL-encoded policy documents are decoded, and timestamps
 * are ISO 8601). Also the generic aws_xml_to_json. Pure functions.
 */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/protocol.h"
#include "aws/protocol_int.h"
#include "core/str.h"

/* ---- requests ---- */

struct form {
    struct buf b;
    bool ec2;
};

static int form_add(struct form *f, const char *k, const char *v)
{
    if ((f->b.len && buf_addch(&f->b, '&') < 0) ||
        http_uri_encode(&f->b, k, strlen(k), false) < 0 || buf_addch(&f->b, '=') < 0 ||
        http_uri_encode(&f->b, v, strlen(v), false) < 0)
        return -DR_ENOMEM;
    return 0;
}

static const char *query_name(const struct aws_service_model *svc, const struct aws_member_def *m,
                              bool ec2)
{
    if (ec2 && m->qname)
        return aws_pool(svc, m->qname);
    return proto_wire(svc, m);
}

static int flatten(const struct aws_service_model *svc, struct form *f, uint16_t idx,
                   const json_t *v, const char *prefix, int depth, struct dr_err *err)
{
    const struct aws_shape_def *sh = proto_shape(svc, idx);
    int rc = 0;

    if (depth > PROTO_MAX_DEPTH)
        return dr_err_set(err, DR_EINVAL, "%s: nested too deeply", prefix);
    switch (sh->type) {
    case SH_STRUCT: {
        json_t *copy, *mv;
        const char *k;
        if (!json_is_object(v))
            return dr_err_set(err, DR_EINVAL, "%s%sexpected a structure (JSON object)", prefix,
                              prefix[0] ? ": " : "");
        copy = json_copy((json_t *)v);
        rc = proto_check_required(svc, sh, copy, prefix, err);
        json_object_foreach(copy, k, mv)
        {
            const struct aws_member_def *m;
            struct buf p;
            if (rc < 0)
                break;
            m = proto_find_member(svc, sh, k, false);
            if (!m) {
                rc = proto_unknown_member(svc, sh, prefix, k, err);
                break;
            }
            buf_init(&p, 4096);
            if (buf_addf(&p, "%s%s%s", prefix, prefix[0] ? "." : "", query_name(svc, m, f->ec2)) <
                0) {
                buf_cleanup(&p);
                rc = dr_err_set(err, DR_EINVAL, "%s: name too long", prefix);
                break;
            }
            rc = flatten(svc, f, m->shape, mv, p.p, depth + 1, err);
            buf_cleanup(&p);
        }
        json_decref(copy);
        return rc;
    }
    case SH_LIST: {
        const struct aws_member_def *m = proto_member(svc, sh, 0);
        json_t *e;
        size_t i;
        if (!json_is_array(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected a list", prefix);
        if (json_array_size(v) == 0 && !f->ec2)
            return form_add(f, prefix, "") < 0 ? dr_err_set(err, DR_ENOMEM, "oom") : 0;
        json_array_foreach(v, i, e)
        {
            struct buf p;
            buf_init(&p, 4096);
            if (f->ec2 || (sh->flags & SF_FLATTENED))
                rc = buf_addf(&p, "%s.%zu", prefix, i + 1);
            else
                rc = buf_addf(&p, "%s.%s.%zu", prefix, m->wire ? aws_pool(svc, m->wire) : "member",
                              i + 1);
            if (rc < 0) {
                buf_cleanup(&p);
                return dr_err_set(err, DR_EINVAL, "%s: name too long", prefix);
            }
            rc = flatten(svc, f, m->shape, e, p.p, depth + 1, err);
            buf_cleanup(&p);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    case SH_MAP: {
        const struct aws_member_def *km = proto_member(svc, sh, 0), *vm = proto_member(svc, sh, 1);
        json_t *e;
        const char *k;
        size_t i = 0;
        if (!json_is_object(v))
            return dr_err_set(err, DR_EINVAL, "%s: expected a map (JSON object)", prefix);
        json_object_foreach((json_t *)v, k, e)
        {
            struct buf pk, pv;
            i++;
            buf_init(&pk, 4096);
            buf_init(&pv, 4096);
            if ((sh->flags & SF_FLATTENED)
                    ? (buf_addf(&pk, "%s.%zu.%s", prefix, i,
                                km->wire ? aws_pool(svc, km->wire) : "key") < 0 ||
                       buf_addf(&pv, "%s.%zu.%s", prefix, i,
                                vm->wire ? aws_pool(svc, vm->wire) : "value") < 0)
                    : (buf_addf(&pk, "%s.entry.%zu.%s", prefix, i,
                                km->wire ? aws_pool(svc, km->wire) : "key") < 0 ||
                       buf_addf(&pv, "%s.entry.%zu.%s", prefix, i,
                                vm->wire ? aws_pool(svc, vm->wire) : "value") < 0))
                rc = dr_err_set(err, DR_EINVAL, "%s: name too long", prefix);
            if (rc == 0 && form_add(f, pk.p, k) < 0)
                rc = dr_err_set(err, DR_ENOMEM, "oom");
            if (rc == 0)
                rc = flatten(svc, f, vm->shape, e, pv.p, depth + 1, err);
            buf_cleanup(&pk);
            buf_cleanup(&pv);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    default: {
        struct buf t;
        buf_init(&t, 1 << 20);
        rc = proto_scalar_text(svc, sh, v, prefix, TS_ISO8601, &t, err);
        if (rc == 0 && form_add(f, prefix, t.p) < 0)
            rc = dr_err_set(err, DR_ENOMEM, "oom");
        buf_cleanup(&t);
        return rc;
    }
    }
}

int proto_query_build(const struct aws_service_model *svc, const struct aws_op_model *op,
                      const json_t *input, struct http_request *req, struct dr_err *err)
{
    struct form f;
    int rc = 0;

    buf_init(&f.b, 8 << 20);
    f.ec2 = svc->protocol == AWS_PROTO_EC2;
    if (form_add(&f, "Action", aws_pool(svc, op->name)) < 0 ||
        form_add(&f, "Version", aws_pool(svc, svc->api_version)) < 0)
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
    if (rc == 0 && op->input != AWS_NO_SHAPE)
        rc = flatten(svc, &f, op->input, input, "", 0, err);
    if (rc == 0) {
        free(req->method);
        req->method = strdup("POST");
        if (!req->method || http_req_set_body(req, f.b.p, f.b.len, err) < 0 ||
            http_headers_set(&req->headers, "Content-Type",
                             "application/x-www-form-urlencoded; charset=utf-8") < 0)
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    buf_cleanup(&f.b);
    return rc;
}

/* ---- XML tree ---- */

struct xnode {
    char *name; /* local name, namespace prefix dropped */
    struct buf text;
    struct xnode **kids;
    size_t nkids, cap;
};

struct xparse {
    struct xnode *root;
    struct xnode *stack[PROTO_MAX_DEPTH + 1];
    int depth;
    size_t nodes;
    bool failed;
    const char *why;
    XML_Parser p;
};

static void xnode_free(struct xnode *n)
{
    size_t i;
    if (!n)
        return;
    for (i = 0; i < n->nkids; i++)
        xnode_free(n->kids[i]);
    free(n->kids);
    free(n->name);
    buf_cleanup(&n->text);
    free(n);
}

static void x_fail(struct xparse *x, const char *why)
{
    x->failed = true;
    x->why = why;
    XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL x_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct xparse *x = ud;
    struct xnode *n;
    const char *colon = strchr(name, ':');

    (void)attrs;
    if (x->failed)
        return;
    if (x->depth >= PROTO_MAX_DEPTH)
        return x_fail(x, "XML nested too deeply");
    if (++x->nodes > PROTO_MAX_XML_NODES)
        return x_fail(x, "too many XML elements");
    n = calloc(1, sizeof(*n));
    if (!n)
        return x_fail(x, "out of memory");
    n->name = strdup(colon ? colon + 1 : name);
    buf_init(&n->text, 1 << 20);
    if (!n->name) {
        free(n);
        return x_fail(x, "out of memory");
    }
    if (x->depth == 0) {
        if (x->root) {
            xnode_free(n);
            return x_fail(x, "more than one root element");
        }
        x->root = n;
    } else {
        struct xnode *parent = x->stack[x->depth - 1];
        if (parent->nkids == parent->cap) {
            size_t nc = parent->cap ? parent->cap * 2 : 4;
            struct xnode **nk = realloc(parent->kids, nc * sizeof(*nk));
            if (!nk) {
                xnode_free(n);
                return x_fail(x, "out of memory");
            }
            parent->kids = nk;
            parent->cap = nc;
        }
        parent->kids[parent->nkids++] = n;
    }
    x->stack[x->depth++] = n;
}

static void XMLCALL x_end(void *ud, const XML_Char *name)
{
    struct xparse *x = ud;
    (void)name;
    if (!x->failed && x->depth > 0)
        x->depth--;
}

static void XMLCALL x_text(void *ud, const XML_Char *s, int len)
{
    struct xparse *x = ud;
    if (x->failed || x->depth == 0)
        return;
    if (buf_add(&x->stack[x->depth - 1]->text, s, (size_t)len) < 0)
        x_fail(x, "XML text too large");
}

static int xml_parse(const char *xml, size_t len, struct xnode **out, struct dr_err *err)
{
    struct xparse x;
    int ok;

    memset(&x, 0, sizeof(x));
    x.p = XML_ParserCreate("UTF-8");
    if (!x.p)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    XML_SetUserData(x.p, &x);
    XML_SetElementHandler(x.p, x_start, x_end);
    XML_SetCharacterDataHandler(x.p, x_text);
    ok = len <= (size_t)1 << 30 && XML_Parse(x.p, xml, (int)len, XML_TRUE) == XML_STATUS_OK;
    if (!ok || x.failed || !x.root) {
        int rc = dr_err_set(err, DR_EPARSE, "response XML: %s (line %lu)",
                            x.failed ? x.why
                            : !ok    ? XML_ErrorString(XML_GetErrorCode(x.p))
                                     : "no root element",
                            (unsigned long)XML_GetCurrentLineNumber(x.p));
        XML_ParserFree(x.p);
        xnode_free(x.root);
        return rc;
    }
    XML_ParserFree(x.p);
    *out = x.root;
    return 0;
}

static struct xnode *kid(const struct xnode *n, const char *name)
{
    size_t i;
    for (i = 0; n && i < n->nkids; i++) {
        if (strcmp(n->kids[i]->name, name) == 0)
            return n->kids[i];
    }
    return NULL;
}

static json_t *generic(const struct xnode *n, int depth)
{
    json_t *o;
    size_t i;

    if (n->nkids == 0 || depth > PROTO_MAX_DEPTH)
        return json_stringn(n->text.p, n->text.len);
    o = json_object();
    for (i = 0; i < n->nkids; i++) {
        const struct xnode *c = n->kids[i];
        json_t *v = generic(c, depth + 1), *prev = json_object_get(o, c->name);
        if (!prev) {
            json_object_set_new(o, c->name, v);
        } else if (json_is_array(prev) && json_object_get(o, "\x01multi")) {
            json_array_append_new(prev, v);
        } else {
            json_t *a = json_array();
            json_array_append(a, prev);
            json_array_append_new(a, v);
            json_object_set_new(o, c->name, a);
            json_object_set_new(o, "\x01multi", json_true());
        }
    }
    json_object_del(o, "\x01multi");
    return o;
}

int aws_xml_to_json(const char *xml, size_t len, json_t **out, struct dr_err *err)
{
    struct xnode *root = NULL;
    json_t *o;

    if (xml_parse(xml, len, &root, err) < 0)
        return -DR_EPARSE;
    o = json_object();
    json_object_set_new(o, root->name, generic(root, 0));
    xnode_free(root);
    *out = o;
    return 0;
}

/* ---- XML to JSON through the output shape ---- */

static json_t *de_xml(const struct aws_service_model *svc, uint16_t idx, const struct xnode *n,
                      int depth);

static json_t *de_scalar(const struct aws_service_model *svc, const struct aws_shape_def *sh,
                         const struct xnode *n)
{
    const char *t = n->text.p;
    int64_t i;
    double d;

    switch (sh->type) {
    case SH_INTEGER:
    case SH_LONG:
        return dr_parse_i64(t, &i) == 0 ? json_integer(i) : json_string(t);
    case SH_DOUBLE:
        return dr_parse_double(t, &d) == 0 ? json_real(d) : json_string(t);
    case SH_BOOLEAN:
        return json_boolean(strcmp(t, "true") == 0);
    case SH_TIMESTAMP: {
        json_t *s = json_string(t), *r = proto_ts_out(s);
        json_decref(s);
        return r;
    }
    default:
        if (sh->flags & SF_POLICYDOC) {
            struct buf dec;
            json_t *doc = NULL;
            buf_init(&dec, 1 << 20);
            if (http_uri_decode(&dec, t, n->text.len, false) == 0)
                doc = json_loadb(dec.p, dec.len, 0, NULL);
            if (!doc)
                doc = json_stringn(dec.len ? dec.p : t, dec.len ? dec.len : n->text.len);
            buf_cleanup(&dec);
            (void)svc;
            return doc;
        }
        return json_stringn(t, n->text.len);
    }
}

/* The children of parent that hold a flattened list/map member named `name`. */
static json_t *de_flat_list(const struct aws_service_model *svc, const struct aws_shape_def *lsh,
                            const struct xnode *parent, const char *name, int depth)
{
    const struct aws_member_def *em = proto_member(svc, lsh, 0);
    const char *ename = em->wire ? aws_pool(svc, em->wire) : name;
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < parent->nkids; i++) {
        if (strcmp(parent->kids[i]->name, ename) == 0)
            json_array_append_new(a, de_xml(svc, em->shape, parent->kids[i], depth + 1));
    }
    return a;
}

static json_t *de_xml(const struct aws_service_model *svc, uint16_t idx, const struct xnode *n,
                      int depth)
{
    const struct aws_shape_def *sh = proto_shape(svc, idx);
    size_t i;

    if (depth > PROTO_MAX_DEPTH)
        return json_null();
    switch (sh->type) {
    case SH_STRUCT: {
        json_t *o = json_object();
        uint16_t k;
        for (k = 0; k < sh->nmembers; k++) {
            const struct aws_member_def *m = proto_member(svc, sh, k);
            const struct aws_shape_def *ms = proto_shape(svc, m->shape);
            const char *wn = proto_wire(svc, m);
            struct xnode *c;
            if (ms->type == SH_LIST && ((ms->flags & SF_FLATTENED) || (m->flags & MF_FLATTENED))) {
                json_t *a = de_flat_list(svc, ms, n, wn, depth);
                if (json_array_size(a))
                    json_object_set_new(o, proto_mname(svc, m), a);
                else
                    json_decref(a);
                continue;
            }
            c = kid(n, wn);
            if (!c)
                continue;
            json_object_set_new(o, proto_mname(svc, m), de_xml(svc, m->shape, c, depth + 1));
        }
        return o;
    }
    case SH_LIST: {
        const struct aws_member_def *em = proto_member(svc, sh, 0);
        const char *ename = em->wire ? aws_pool(svc, em->wire)
                                     : (svc->protocol == AWS_PROTO_EC2 ? "item" : "member");
        json_t *a = json_array();
        for (i = 0; i < n->nkids; i++) {
            if (strcmp(n->kids[i]->name, ename) == 0 ||
                (svc->protocol == AWS_PROTO_EC2 && strcmp(n->kids[i]->name, "item") == 0))
                json_array_append_new(a, de_xml(svc, em->shape, n->kids[i], depth + 1));
        }
        return a;
    }
    case SH_MAP: {
        const struct aws_member_def *km = proto_member(svc, sh, 0), *vm = proto_member(svc, sh, 1);
        const char *kn = km->wire ? aws_pool(svc, km->wire) : "key";
        const char *vn = vm->wire ? aws_pool(svc, vm->wire) : "value";
        json_t *o = json_object();
        for (i = 0; i < n->nkids; i++) {
            struct xnode *e = n->kids[i], *kx = kid(e, kn), *vx = kid(e, vn);
            if (kx && vx)
                json_object_set_new(o, kx->text.p, de_xml(svc, vm->shape, vx, depth + 1));
        }
        return o;
    }
    default:
        return de_scalar(svc, sh, n);
    }
}

static const struct xnode *find_deep(const struct xnode *n, const char *name, int depth)
{
    size_t i;
    if (!n || depth > PROTO_MAX_DEPTH)
        return NULL;
    if (strcmp(n->name, name) == 0)
        return n;
    for (i = 0; i < n->nkids; i++) {
        const struct xnode *r = find_deep(n->kids[i], name, depth + 1);
        if (r)
            return r;
    }
    return NULL;
}

static int xml_error(const struct http_response *resp, const struct xnode *root, struct dr_err *err)
{
    const struct xnode *e = root ? find_deep(root, "Error", 0) : NULL;
    const struct xnode *code = e ? kid(e, "Code") : NULL, *msg = e ? kid(e, "Message") : NULL;
    const struct xnode *rid = root ? find_deep(root, "RequestId", 0) : NULL;
    const char *hrid = http_headers_get(&resp->headers, "x-amzn-RequestId");
    char c[DR_ERR_CODE_MAX];

    if (!rid && root)
        rid = find_deep(root, "RequestID", 0);
    if (code && code->text.len)
        dr_strlcpy(c, code->text.p, sizeof(c));
    else
        snprintf(c, sizeof(c), "HTTP%d", resp->status);
    return dr_err_aws(err, resp->status, c, rid ? rid->text.p : hrid, "%s",
                      msg && msg->text.len ? msg->text.p
                      : root               ? "(no message)"
                                           : "the error response is not XML");
}

int proto_xml_parse(const struct aws_service_model *svc, const struct aws_op_model *op,
                    const struct http_response *resp, json_t **out, struct dr_err *err)
{
    struct xnode *root = NULL;
    const struct xnode *res;
    struct dr_err perr;
    int rc;

    dr_err_clear(&perr);
    rc = resp->body.len ? xml_parse(resp->body.p, resp->body.len, &root, &perr) : -DR_EPARSE;
    if (resp->status < 200 || resp->status >= 300) {
        rc = xml_error(resp, rc == 0 ? root : NULL, err);
        xnode_free(root);
        return rc;
    }
    if (rc < 0) {
        if (!resp->body.len && op->output == AWS_NO_SHAPE) {
            *out = json_object();
            return 0;
        }
        dr_err_copy(err, &perr);
        dr_err_prefix(err, "%s: ", aws_pool(svc, op->name));
        return -DR_EPARSE;
    }
    if (op->output == AWS_NO_SHAPE) {
        xnode_free(root);
        *out = json_object();
        return 0;
    }
    res = root;
    if (svc->protocol == AWS_PROTO_QUERY && op->result_wrapper) {
        res = kid(root, aws_pool(svc, op->result_wrapper));
        if (!res) {
            /* a response with no result element carries no members */
            xnode_free(root);
            *out = json_object();
            return 0;
        }
    }
    *out = de_xml(svc, op->output, res, 0);
    xnode_free(root);
    return 0;
}
