/*
 * sigv4.c - AWS Signature Version 4: the canonicalization stages (URI,
 * query, headers), key derivation, and the two signers (Authorization
 * header and presigned query). The verifier lives in sigv4_verify.c and
 * reuses the stages declared in sigv4.h.
 * Depends on core/ and aws/http.h; must not depend on the transport.
 */
#include "aws/sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "sigv4_int.h"

void sigv4_debug_init(struct sigv4_debug *d)
{
    buf_init(&d->canonical_request, BUF_DEFAULT_MAX);
    buf_init(&d->string_to_sign, 4096);
    d->signature[0] = '\0';
}

void sigv4_debug_cleanup(struct sigv4_debug *d)
{
    buf_cleanup(&d->canonical_request);
    buf_cleanup(&d->string_to_sign);
    d->signature[0] = '\0';
}

/* ---- canonical URI ---- */

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
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

/*
 * botocore's remove_dot_segments: drops empty and "." segments, ".."
 * removes the previous one; keeps a leading '/' and a trailing one when
 * anything is left.
 */
static int normalize_path(struct buf *out, const char *path)
{
    size_t n = strlen(path), i = 0;
    size_t *marks = NULL; /* out->len before each kept segment */
    size_t nmarks = 0;
    int rc = 0;

    if (n == 0)
        return buf_addch(out, '/');
    marks = calloc(n / 2 + 2, sizeof(*marks));
    if (!marks)
        return -DR_ENOMEM;
    if (path[0] == '/' && (rc = buf_addch(out, '/')) < 0)
        goto out;
    {
        size_t base = out->len;
        while (i < n) {
            size_t j = i;
            while (j < n && path[j] != '/')
                j++;
            size_t seg = j - i;
            if (seg == 0 || (seg == 1 && path[i] == '.')) {
                /* skip */
            } else if (seg == 2 && path[i] == '.' && path[i + 1] == '.') {
                if (nmarks > 0)
                    buf_truncate(out, marks[--nmarks]);
            } else {
                marks[nmarks++] = out->len;
                if (out->len > base && (rc = buf_addch(out, '/')) < 0)
                    goto out;
                if ((rc = buf_add(out, path + i, seg)) < 0)
                    goto out;
            }
            i = j + 1;
        }
        if (path[n - 1] == '/' && out->len > base && (rc = buf_addch(out, '/')) < 0)
            goto out;
    }
out:
    free(marks);
    return rc;
}

int sigv4_canonical_uri(struct buf *out, const char *path, bool s3_mode)
{
    static const char hex[] = "0123456789ABCDEF";
    struct buf norm;
    int rc;

    if (!path || !*path)
        path = "/";
    if (!s3_mode) {
        buf_init(&norm, BUF_DEFAULT_MAX);
        rc = normalize_path(&norm, path);
        if (rc == 0)
            rc = http_uri_encode(out, norm.p, norm.len, true);
        buf_cleanup(&norm);
        return rc;
    }
    /* S3: as sent; escape only what cannot appear in an encoded path. */
    for (size_t i = 0; path[i]; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c == '%' && hexval(path[i + 1]) >= 0 && hexval(path[i + 2]) >= 0) {
            char e[3] = {'%', hex[hexval(path[i + 1])], hex[hexval(path[i + 2])]};
            if (buf_add(out, e, 3) < 0)
                return -DR_ENOMEM;
            i += 2;
        } else if (is_unreserved(c) || c == '/') {
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

/* ---- canonical query ---- */

/* Decodes %XX escapes; a '%' not followed by two hex digits stays literal. */
int sigv4_lenient_decode(struct buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        }
        if (buf_addch(out, c) < 0)
            return -DR_ENOMEM;
    }
    return 0;
}

struct qparam {
    char *name; /* encoded */
    char *value;
};

static int qparam_cmp(const void *a, const void *b)
{
    const struct qparam *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* Decode + re-encode s[0..n) into a heap string. */
static char *reencode(const char *s, size_t n)
{
    struct buf dec, enc;
    char *res = NULL;

    buf_init(&dec, BUF_DEFAULT_MAX);
    buf_init(&enc, BUF_DEFAULT_MAX);
    if (sigv4_lenient_decode(&dec, s, n) == 0 && http_uri_encode(&enc, dec.p, dec.len, false) == 0)
        res = buf_detach(&enc, NULL);
    buf_cleanup(&dec);
    buf_cleanup(&enc);
    return res;
}

int sigv4_canonical_query(struct buf *out, const char *query, const char *skip)
{
    return sigv4_canonical_query2(out, query, skip, NULL);
}

static int is_skipped(const struct buf *dec, const char *skip)
{
    return skip && dec->len == strlen(skip) && memcmp(dec->p, skip, dec->len) == 0;
}

int sigv4_canonical_query2(struct buf *out, const char *query, const char *skip, const char *skip2)
{
    struct qparam *v = NULL;
    size_t n = 0, cap = 0, i;
    struct str rest = str_from(query ? query : "");
    struct buf dec;
    int rc = 0;

    buf_init(&dec, BUF_DEFAULT_MAX);
    while (rest.p && rest.len > 0) {
        struct str pair, name, value;
        rest = str_cut(rest, '&', &pair);
        if (pair.len == 0)
            continue;
        value = str_cut(pair, '=', &name);
        if (!value.p)
            value = (struct str){"", 0};
        if (skip || skip2) {
            buf_reset(&dec);
            if ((rc = sigv4_lenient_decode(&dec, name.p, name.len)) < 0)
                goto out;
            if (is_skipped(&dec, skip) || is_skipped(&dec, skip2))
                continue;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct qparam *nv = realloc(v, nc * sizeof(*nv));
            if (!nv) {
                rc = -DR_ENOMEM;
                goto out;
            }
            v = nv;
            cap = nc;
        }
        v[n].name = reencode(name.p, name.len);
        v[n].value = reencode(value.p, value.len);
        n++;
        if (!v[n - 1].name || !v[n - 1].value) {
            rc = -DR_ENOMEM;
            goto out;
        }
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), qparam_cmp);
    for (i = 0; i < n; i++) {
        if ((i > 0 && buf_addch(out, '&') < 0) || buf_adds(out, v[i].name) < 0 ||
            buf_addch(out, '=') < 0 || buf_adds(out, v[i].value) < 0) {
            rc = -DR_ENOMEM;
            goto out;
        }
    }
out:
    for (i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].value);
    }
    free(v);
    buf_cleanup(&dec);
    return rc;
}

/* ---- canonical headers ---- */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trimmed value with whitespace runs collapsed to one space. */
static int add_trimmed(struct buf *out, const char *v)
{
    int pending = 0, any = 0;

    for (; *v; v++) {
        if (is_ws(*v)) {
            pending = 1;
            continue;
        }
        if (pending && any && buf_addch(out, ' ') < 0)
            return -DR_ENOMEM;
        if (buf_addch(out, *v) < 0)
            return -DR_ENOMEM;
        pending = 0;
        any = 1;
    }
    return 0;
}

static int name_eq(const char *a, size_t alen, const char *b)
{
    return strlen(b) == alen && strncasecmp(a, b, alen) == 0;
}

int sigv4_canonical_headers(struct buf *out, const struct http_headers *h, const char *host,
                            const char *signed_headers)
{
    struct str rest = str_from(signed_headers ? signed_headers : "");

    while (rest.p && rest.len > 0) {
        struct str name;
        int found = 0;
        rest = str_cut(rest, ';', &name);
        if (name.len == 0)
            continue;
        for (size_t k = 0; k < name.len; k++) {
            char c = name.p[k];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (buf_addch(out, c) < 0)
                return -DR_ENOMEM;
        }
        if (buf_addch(out, ':') < 0)
            return -DR_ENOMEM;
        for (size_t i = 0; h && i < h->n; i++) {
            if (!name_eq(name.p, name.len, h->v[i].name))
                continue;
            if (found && buf_addch(out, ',') < 0)
                return -DR_ENOMEM;
            if (add_trimmed(out, h->v[i].value ? h->v[i].value : "") < 0)
                return -DR_ENOMEM;
            found = 1;
        }
        if (!found && host && name_eq(name.p, name.len, "host") && add_trimmed(out, host) < 0)
            return -DR_ENOMEM;
        if (buf_addch(out, '\n') < 0)
            return -DR_ENOMEM;
    }
    return 0;
}

static const char *const unsigned_headers[] = {"authorization", "user-agent", "expect",
                                               "x-amzn-trace-id"};

static int str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sigv4_signed_header_list(struct buf *out, const struct http_headers *h, const char *omit)
{
    char **names = calloc((h ? h->n : 0) + 1, sizeof(*names));
    size_t n = 0, i, k;
    int rc = 0, have_host = 0, first = 1;

    if (!names)
        return -DR_ENOMEM;
    for (i = 0; h && i < h->n; i++) {
        const char *nm = h->v[i].name;
        int skip = omit && dr_strcaseeq(nm, omit);
        for (k = 0; k < sizeof(unsigned_headers) / sizeof(unsigned_headers[0]); k++)
            skip |= dr_strcaseeq(nm, unsigned_headers[k]);
        if (skip || !*nm)
            continue;
        names[n] = str_dup(str_from(nm));
        if (!names[n]) {
            rc = -DR_ENOMEM;
            goto out;
        }
        for (char *c = names[n]; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        have_host |= strcmp(names[n], "host") == 0;
        n++;
    }
    if (!have_host && !(omit && dr_strcaseeq(omit, "host"))) {
        names[n] = str_dup(STR_LIT("host"));
        if (!names[n++]) {
            rc = -DR_ENOMEM;
            goto out;
        }
    }
    qsort(names, n, sizeof(*names), str_ptr_cmp);
    for (i = 0; i < n; i++) {
        if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
            continue;
        if ((!first && buf_addch(out, ';') < 0) || buf_adds(out, names[i]) < 0) {
            rc = -DR_ENOMEM;
            goto out;
        }
        first = 0;
    }
out:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* ---- key, string to sign, signature ---- */

void sigv4_signing_key(const char *secret, const char *date, const char *region,
                       const char *service, unsigned char out[32])
{
    unsigned char k[SHA256_LEN];
    struct buf key;

    buf_init(&key, 4096);
    if (buf_adds(&key, "AWS4") < 0 || buf_adds(&key, secret) < 0) {
        /* only on allocation failure: derive from the bare secret so the
         * signature simply does not match */
        buf_reset(&key);
    }
    crypto_hmac_sha256(key.p, key.len, date, strlen(date), k);
    crypto_hmac_sha256(k, sizeof(k), region, strlen(region), k);
    crypto_hmac_sha256(k, sizeof(k), service, strlen(service), k);
    crypto_hmac_sha256(k, sizeof(k), "aws4_request", 12, out);
    memset(key.p, 0, key.len);
    memset(k, 0, sizeof(k));
    buf_cleanup(&key);
}

int sigv4_build_creq(struct buf *creq, const struct sigv4_creq_in *in)
{
    if (buf_adds(creq, in->method) < 0 || buf_addch(creq, '\n') < 0)
        return -DR_ENOMEM;
    if (sigv4_canonical_uri(creq, in->path, in->s3_mode) < 0 || buf_addch(creq, '\n') < 0)
        return -DR_ENOMEM;
    if (sigv4_canonical_query2(creq, in->query, in->skip_param, in->skip_param2) < 0)
        return -DR_ENOMEM;
    if (buf_addch(creq, '\n') < 0)
        return -DR_ENOMEM;
    if (sigv4_canonical_headers(creq, in->headers, in->host, in->signed_headers) < 0)
        return -DR_ENOMEM;
    if (buf_addch(creq, '\n') < 0 || buf_adds(creq, in->signed_headers) < 0 ||
        buf_addch(creq, '\n') < 0 || buf_adds(creq, in->payload_hash) < 0)
        return -DR_ENOMEM;
    return 0;
}

int sigv4_finish(const struct buf *creq, const char *amz_date, const char *date, const char *region,
                 const char *service, const char *secret, struct buf *sts, char sig[65])
{
    char h[65];
    unsigned char key[SHA256_LEN], mac[SHA256_LEN];
    static const char hex[] = "0123456789abcdef";

    crypto_sha256_hex(creq->p, creq->len, h);
    if (buf_addf(sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", amz_date, date, region,
                 service, h) < 0)
        return -DR_ENOMEM;
    sigv4_signing_key(secret, date, region, service, key);
    crypto_hmac_sha256(key, sizeof(key), sts->p, sts->len, mac);
    for (size_t i = 0; i < SHA256_LEN; i++) {
        sig[2 * i] = hex[mac[i] >> 4];
        sig[2 * i + 1] = hex[mac[i] & 15];
    }
    sig[64] = '\0';
    memset(key, 0, sizeof(key));
    return 0;
}

/* ---- signers ---- */

static int check_params(const struct sigv4_params *p, struct dr_err *err)
{
    if (!p || !p->creds || !dr_nonempty(p->creds->access_key_id) || !p->creds->secret_access_key)
        return dr_err_set(err, DR_ECRED, "sigv4: no credentials to sign with");
    if (!dr_nonempty(p->region) || !dr_nonempty(p->service))
        return dr_err_set(err, DR_EINVAL, "sigv4: signing region and service are required");
    if (strchr(p->region, '/') || strchr(p->service, '/'))
        return dr_err_set(err, DR_EINVAL, "sigv4: region/service may not contain '/'");
    return 0;
}

static void payload_hash(const struct http_request *req, bool unsigned_payload, char out[65])
{
    if (unsigned_payload)
        dr_strlcpy(out, SIGV4_UNSIGNED_PAYLOAD, 65);
    else
        crypto_sha256_hex(req->body ? req->body : "", req->body ? req->body_len : 0, out);
}

static int sign_common(const struct http_request *req, const struct sigv4_params *p,
                       const char *amz_date, const char *signed_headers, const char *hash,
                       const char *extra_query, struct sigv4_debug *dbg, char sig[65],
                       struct dr_err *err)
{
    struct buf creq, sts, query;
    char date[9];
    struct sigv4_creq_in in = {
        .method = req->method,
        .path = req->path,
        .query = NULL,
        .skip_param = NULL,
        .skip_param2 = NULL,
        .headers = &req->headers,
        .host = req->host,
        .signed_headers = signed_headers,
        .payload_hash = hash,
        .s3_mode = p->s3_mode,
    };
    int rc;

    memcpy(date, amz_date, 8);
    date[8] = '\0';
    buf_init(&creq, BUF_DEFAULT_MAX);
    buf_init(&sts, 4096);
    buf_init(&query, BUF_DEFAULT_MAX);
    /* presign: the X-Amz-* parameters are sorted in with the rest */
    rc = buf_adds(&query, req->query ? req->query : "");
    if (rc == 0 && extra_query && *extra_query && query.len > 0)
        rc = buf_addch(&query, '&');
    if (rc == 0 && extra_query)
        rc = buf_adds(&query, extra_query);
    in.query = query.p;
    if (rc == 0)
        rc = sigv4_build_creq(&creq, &in);
    if (rc == 0)
        rc = sigv4_finish(&creq, amz_date, date, p->region, p->service, p->creds->secret_access_key,
                          &sts, sig);
    if (rc < 0) {
        rc = dr_err_set(err, DR_ENOMEM, "sigv4: out of memory building the canonical request");
    } else if (dbg) {
        buf_reset(&dbg->canonical_request);
        buf_reset(&dbg->string_to_sign);
        if (buf_add(&dbg->canonical_request, creq.p, creq.len) < 0 ||
            buf_add(&dbg->string_to_sign, sts.p, sts.len) < 0)
            rc = dr_err_set(err, DR_ENOMEM, "sigv4: out of memory");
        dr_strlcpy(dbg->signature, sig, sizeof(dbg->signature));
    }
    buf_cleanup(&creq);
    buf_cleanup(&sts);
    buf_cleanup(&query);
    return rc;
}

int sigv4_sign(struct http_request *req, const struct sigv4_params *p, struct sigv4_debug *dbg,
               struct dr_err *err)
{
    char amz_date[17], hash[65], sig[65];
    const char *token;
    struct buf sh, authz;
    int rc;

    if ((rc = check_params(p, err)) < 0)
        return rc;
    token = dr_nonempty(p->creds->session_token) ? p->creds->session_token : NULL;
    time_amz_date(p->now, amz_date, sizeof(amz_date));
    buf_init(&sh, 65536);
    buf_init(&authz, 65536 + 512);

    http_headers_remove(&req->headers, "Authorization");
    http_headers_remove(&req->headers, "X-Amz-Date");
    http_headers_remove(&req->headers, "X-Amz-Security-Token");
    if (token && http_headers_add(&req->headers, "X-Amz-Security-Token", token) < 0)
        goto nomem;
    if (http_headers_add(&req->headers, "X-Amz-Date", amz_date) < 0)
        goto nomem;
    if (p->add_content_sha256) {
        payload_hash(req, p->unsigned_payload, hash);
        if (http_headers_set(&req->headers, "X-Amz-Content-Sha256", hash) < 0)
            goto nomem;
    } else if (!p->unsigned_payload && http_headers_get(&req->headers, "X-Amz-Content-Sha256")) {
        dr_strlcpy(hash, http_headers_get(&req->headers, "X-Amz-Content-Sha256"), sizeof(hash));
    } else {
        payload_hash(req, p->unsigned_payload, hash);
    }
    if (sigv4_signed_header_list(&sh, &req->headers,
                                 p->omit_session_token ? "x-amz-security-token" : NULL) < 0)
        goto nomem;
    rc = sign_common(req, p, amz_date, sh.p, hash, NULL, dbg, sig, err);
    if (rc < 0)
        goto out;
    if (buf_addf(&authz, "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/aws4_request, ",
                 p->creds->access_key_id, amz_date, p->region, p->service) < 0 ||
        buf_addf(&authz, "SignedHeaders=%s, Signature=%s", sh.p, sig) < 0 ||
        http_headers_add(&req->headers, "Authorization", authz.p) < 0)
        goto nomem;
    rc = 0;
    goto out;
nomem:
    rc = dr_err_set(err, DR_ENOMEM, "sigv4: out of memory signing the request");
out:
    buf_cleanup(&sh);
    buf_cleanup(&authz);
    return rc;
}

static int add_qparam(struct buf *q, const char *name, const char *value)
{
    if (q->len > 0 && buf_addch(q, '&') < 0)
        return -DR_ENOMEM;
    if (buf_adds(q, name) < 0 || buf_addch(q, '=') < 0)
        return -DR_ENOMEM;
    return http_uri_encode(q, value, strlen(value), false);
}

int sigv4_presign(struct http_request *req, const struct sigv4_params *p, struct sigv4_debug *dbg,
                  struct dr_err *err)
{
    char amz_date[17], hash[65], sig[65], expires[24];
    const char *token;
    struct buf sh, cred, extra, full;
    int64_t exp;
    int rc;

    if ((rc = check_params(p, err)) < 0)
        return rc;
    exp = p->expires ? p->expires : 3600;
    if (exp < 1 || exp > 604800)
        return dr_err_set(err, DR_EINVAL,
                          "sigv4: presign expiry must be 1..604800 seconds, got %lld",
                          (long long)exp);
    token = dr_nonempty(p->creds->session_token) ? p->creds->session_token : NULL;
    time_amz_date(p->now, amz_date, sizeof(amz_date));
    snprintf(expires, sizeof(expires), "%lld", (long long)exp);
    buf_init(&sh, 65536);
    buf_init(&cred, 4096);
    buf_init(&extra, 65536);
    buf_init(&full, BUF_DEFAULT_MAX);

    payload_hash(req, p->unsigned_payload, hash);
    if (sigv4_signed_header_list(&sh, &req->headers, NULL) < 0)
        goto nomem;
    if (buf_addf(&cred, "%s/%.8s/%s/%s/aws4_request", p->creds->access_key_id, amz_date, p->region,
                 p->service) < 0)
        goto nomem;
    if (add_qparam(&extra, "X-Amz-Algorithm", "AWS4-HMAC-SHA256") < 0 ||
        add_qparam(&extra, "X-Amz-Credential", cred.p) < 0 ||
        add_qparam(&extra, "X-Amz-Date", amz_date) < 0 ||
        add_qparam(&extra, "X-Amz-SignedHeaders", sh.p) < 0 ||
        add_qparam(&extra, "X-Amz-Expires", expires) < 0)
        goto nomem;
    if (token && !p->omit_session_token && add_qparam(&extra, "X-Amz-Security-Token", token) < 0)
        goto nomem;
    rc = sign_common(req, p, amz_date, sh.p, hash, extra.p, dbg, sig, err);
    if (rc < 0)
        goto out;
    if (token && p->omit_session_token && add_qparam(&extra, "X-Amz-Security-Token", token) < 0)
        goto nomem;
    if (add_qparam(&extra, "X-Amz-Signature", sig) < 0)
        goto nomem;
    if (buf_adds(&full, req->query ? req->query : "") < 0 ||
        (full.len > 0 && buf_addch(&full, '&') < 0) || buf_add(&full, extra.p, extra.len) < 0)
        goto nomem;
    rc = http_req_set_query(req, full.p, err);
    goto out;
nomem:
    rc = dr_err_set(err, DR_ENOMEM, "sigv4: out of memory presigning the request");
out:
    buf_cleanup(&sh);
    buf_cleanup(&cred);
    buf_cleanup(&extra);
    buf_cleanup(&full);
    return rc;
}
