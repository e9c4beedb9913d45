/*
 * http.h - the HTTP request/response values shared by the protocol
 * marshallers, the SigV4 signer/verifier, the transport and the simulator.
 *
 * A request's `path` is exactly what goes on the request line (already
 * percent-encoded by whoever built it; the simulator stores what it
 * received). `query` is the raw query string without '?', possibly "".
 * Header names keep their case; lookups are case-insensitive.
 * Depends on core/buf and core/err only.
 */
#ifndef DROVER_AWS_HTTP_H
#define DROVER_AWS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct http_header {
    char *name;
    char *value;
};

struct http_headers {
    struct http_header *v;
    size_t n, cap;
};

struct http_request {
    char *method; /* "GET", "POST", ... */
    char *scheme; /* "https" or "http" */
    char *host;   /* host[:port], also sent as the Host header */
    char *path;   /* "/", "/DescribeSourceServers", percent-encoded */
    char *query;  /* "a=1&b=2" (encoded), or "" */
    struct http_headers headers;
    char *body; /* may be NULL when body_len == 0 */
    size_t body_len;
};

struct http_response {
    int status;
    struct http_headers headers;
    struct buf body;
};

/* All strings are copied. path defaults to "/", query to "". */
int http_req_init(struct http_request *r, const char *method, const char *scheme, const char *host,
                  const char *path, const char *query, struct dr_err *err);
void http_req_cleanup(struct http_request *r);
/* Deep copy. */
int http_req_copy(struct http_request *dst, const struct http_request *src, struct dr_err *err);
int http_req_set_body(struct http_request *r, const void *data, size_t n, struct dr_err *err);
/* Replaces r->path / r->query with copies of the given strings. */
int http_req_set_path(struct http_request *r, const char *path, struct dr_err *err);
int http_req_set_query(struct http_request *r, const char *query, struct dr_err *err);
/* "scheme://host/path?query" */
int http_req_url(const struct http_request *r, struct buf *out);

void http_headers_init(struct http_headers *h);
void http_headers_cleanup(struct http_headers *h);
/* Appends a header (duplicates allowed). */
int http_headers_add(struct http_headers *h, const char *name, const char *value);
/* Replaces every header of that name (case-insensitive) by one. */
int http_headers_set(struct http_headers *h, const char *name, const char *value);
void http_headers_remove(struct http_headers *h, const char *name);
/* First value of that name, case-insensitive, or NULL. Borrowed. */
const char *http_headers_get(const struct http_headers *h, const char *name);

void http_resp_init(struct http_response *r, size_t body_max);
void http_resp_cleanup(struct http_response *r);

/*
 * Percent-encodes per RFC 3986 as SigV4 requires: unreserved characters
 * (A-Z a-z 0-9 - . _ ~) are kept, everything else becomes %XX (uppercase).
 * With keep_slash, '/' is kept too.
 */
int http_uri_encode(struct buf *out, const char *s, size_t n, bool keep_slash);
/* Decodes %XX escapes (and '+' as space when plus_space). Fails on bad escapes. */
int http_uri_decode(struct buf *out, const char *s, size_t n, bool plus_space);

#endif
