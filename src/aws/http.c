/*
 * http.c - HTTP request/response values and RFC 3986 percent-encoding.
 */
#include "aws/http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

int http_req_init(struct http_request *r, const char *method, const char *scheme, const char *host,
                  const char *path, const char *query, struct dr_err *err)
{
    memset(r, 0, sizeof(*r));
    http_headers_init(&r->headers);
    r->method = dup_or_empty(method);
    r->scheme = dup_or_empty(scheme ? scheme : "https");
    r->host = dup_or_empty(host);
    r->path = dup_or_empty(path && *path ? path : "/");
    r->query = dup_or_empty(query);
    if (!r->method || !r->scheme || !r->host || !r->path || !r->query) {
        http_req_cleanup(r);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    return 0;
}

void http_req_cleanup(struct http_request *r)
{
    free(r->method);
    free(r->scheme);
    free(r->host);
    free(r->path);
    free(r->query);
    free(r->body);
    http_headers_cleanup(&r->headers);
    memset(r, 0, sizeof(*r));
}

int http_req_copy(struct http_request *dst, const struct http_request *src, struct dr_err *err)
{
    size_t i;

    if (http_req_init(dst, src->method, src->scheme, src->host, src->path, src->query, err) < 0)
        return -DR_ENOMEM;
    for (i = 0; i < src->headers.n; i++) {
        if (http_headers_add(&dst->headers, src->headers.v[i].name, src->headers.v[i].value) < 0)
            goto nomem;
    }
    if (src->body_len && http_req_set_body(dst, src->body, src->body_len, err) < 0)
        goto nomem;
    return 0;
nomem:
    http_req_cleanup(dst);
    return dr_err_set(err, DR_ENOMEM, "out of memory");
}

int http_req_set_body(struct http_request *r, const void *data, size_t n, struct dr_err *err)
{
    char *b = malloc(n + 1);

    if (!b)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    if (n)
        memcpy(b, data, n);
    b[n] = '\0';
    free(r->body);
    r->body = b;
    r->body_len = n;
    return 0;
}

static int replace_str(char **slot, const char *v, struct dr_err *err)
{
    char *c = dup_or_empty(v);
    if (!c)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    free(*slot);
    *slot = c;
    return 0;
}

int http_req_set_path(struct http_request *r, const char *path, struct dr_err *err)
{
    return replace_str(&r->path, path && *path ? path : "/", err);
}

int http_req_set_query(struct http_request *r, const char *query, struct dr_err *err)
{
    return replace_str(&r->query, query, err);
}

int http_req_url(const struct http_request *r, struct buf *out)
{
    if (buf_addf(out, "%s://%s%s", r->scheme, r->host, r->path) < 0)
        return -DR_ENOMEM;
    if (r->query && *r->query && buf_addf(out, "?%s", r->query) < 0)
        return -DR_ENOMEM;
    return 0;
}

void http_headers_init(struct http_headers *h)
{
    h->v = NULL;
    h->n = h->cap = 0;
}

void http_headers_cleanup(struct http_headers *h)
{
    size_t i;
    for (i = 0; i < h->n; i++) {
        free(h->v[i].name);
        free(h->v[i].value);
    }
    free(h->v);
    http_headers_init(h);
}

int http_headers_add(struct http_headers *h, const char *name, const char *value)
{
    char *n, *v;

    if (h->n == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 8;
        struct http_header *nv = realloc(h->v, nc * sizeof(*nv));
        if (!nv)
            return -DR_ENOMEM;
        h->v = nv;
        h->cap = nc;
    }
    n = strdup(name);
    v = strdup(value ? value : "");
    if (!n || !v) {
        free(n);
        free(v);
        return -DR_ENOMEM;
    }
    h->v[h->n].name = n;
    h->v[h->n].value = v;
    h->n++;
    return 0;
}

void http_headers_remove(struct http_headers *h, const char *name)
{
    size_t i = 0, j = 0;

    for (i = 0; i < h->n; i++) {
        if (strcasecmp(h->v[i].name, name) == 0) {
            free(h->v[i].name);
            free(h->v[i].value);
            continue;
        }
        h->v[j++] = h->v[i];
    }
    h->n = j;
}

int http_headers_set(struct http_headers *h, const char *name, const char *value)
{
    http_headers_remove(h, name);
    return http_headers_add(h, name, value);
}

const char *http_headers_get(const struct http_headers *h, const char *name)
{
    size_t i;
    for (i = 0; i < h->n; i++) {
        if (strcasecmp(h->v[i].name, name) == 0)
            return h->v[i].value;
    }
    return NULL;
}

void http_resp_init(struct http_response *r, size_t body_max)
{
    r->status = 0;
    http_headers_init(&r->headers);
    buf_init(&r->body, body_max);
}

void http_resp_cleanup(struct http_response *r)
{
    http_headers_cleanup(&r->headers);
    buf_cleanup(&r->body);
    r->status = 0;
}

int http_uri_encode(struct buf *out, const char *s, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/');
        if (keep) {
            if (buf_addch(out, (char)c) < 0)
                return -DR_ENOMEM;
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            if (buf_add(out, e, 3) < 0)
                return -DR_ENOMEM;
        }
    }
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_uri_decode(struct buf *out, const char *s, size_t n, bool plus_space)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi, lo;
            if (n - i < 3)
                return -DR_EPARSE;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -DR_EPARSE;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (buf_addch(out, c) < 0)
            return -DR_ENOMEM;
    }
    return 0;
}
