/*
 * sigv4_verify.c - the receiving side of SigV4: parses what a request
 * claims (Authorization header or presigned X-Amz-* query parameters)
 * and recomputes its signature, with AWS's error codes and wording.
 * Used by `drover sim`. Everything here reads outside input: nothing is
 * asserted, every malformed field is rejected with a message naming it.
 * Depends on core/, aws/http.h and the stages in sigv4.c; must not
 * depend on the transport or the simulator.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aws/sigv4.h"
#include "core/crypto.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "sigv4_int.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

static int deny(struct dr_err *err, int http_status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int deny(struct dr_err *err, int http_status, const char *code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        dr_err_aws(err, http_status, code, NULL, "%s", "");
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        err->status = DR_EDENIED;
    }
    return -(int)DR_EDENIED;
}

static int incomplete(struct dr_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int incomplete(struct dr_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        dr_err_aws(err, 400, "IncompleteSignature", NULL, "%s", "");
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        err->status = DR_EDENIED;
    }
    return -(int)DR_EDENIED;
}

static int nomem(struct dr_err *err)
{
    return dr_err_set(err, DR_ENOMEM, "sigv4: out of memory verifying the request");
}

/* First parameter of the raw query whose decoded name is `name`, decoded
 * into val. 1 found, 0 absent, <0 out of memory. */
static int query_get(const char *query, const char *name, struct buf *val)
{
    struct str rest = str_from(query ? query : "");
    struct buf dec;
    int rc = 0;

    buf_init(&dec, BUF_DEFAULT_MAX);
    while (rest.p && rest.len > 0) {
        struct str pair, k, v;
        rest = str_cut(rest, '&', &pair);
        v = str_cut(pair, '=', &k);
        buf_reset(&dec);
        if ((rc = sigv4_lenient_decode(&dec, k.p, k.len)) < 0)
            break;
        if (dec.len != strlen(name) || memcmp(dec.p, name, dec.len) != 0)
            continue;
        buf_reset(val);
        rc = v.p ? sigv4_lenient_decode(val, v.p, v.len) : 0;
        if (rc == 0)
            rc = 1;
        break;
    }
    buf_cleanup(&dec);
    return rc;
}

static int valid_amz_date(const char *s)
{
    int64_t ms;

    if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
        return 0;
    for (int i = 0; i < 15; i++) {
        if (i != 8 && (s[i] < '0' || s[i] > '9'))
            return 0;
    }
    return time_parse(s, &ms) == 0;
}

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return 1;
}

static int header_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-_.!#$%&'*+^`|~", c);
}

/* Splits "AKID/DATE/REGION/SERVICE/aws4_request" into auth. */
static int parse_credential(struct str cred, struct sigv4_auth *auth, struct dr_err *err)
{
    struct str parts[5], rest = cred;
    int n = 0;

    while (rest.p && n < 6) {
        struct str head;
        rest = str_cut(rest, '/', &head);
        if (n < 5)
            parts[n] = head;
        n++;
    }
    if (n != 5)
        return incomplete(err,
                          "Credential must have exactly 5 slash-delimited elements, e.g. "
                          "keyid/date/region/service/term, got '%.*s'",
                          (int)(cred.len > 128 ? 128 : cred.len), cred.p);
    if (!str_eq_cstr(parts[4], "aws4_request"))
        return deny(err, 403, "SignatureDoesNotMatch",
                    "Credential should be scoped with a valid terminator: 'aws4_request', not "
                    "'%.*s'.",
                    (int)(parts[4].len > 64 ? 64 : parts[4].len), parts[4].p);
    if (parts[0].len == 0 || parts[0].len >= sizeof(auth->access_key_id))
        return incomplete(err, "Credential access key ID is empty or longer than %zu characters",
                          sizeof(auth->access_key_id) - 1);
    if (parts[1].len != 8 || !is_hex(parts[1].p, 8) || strspn(parts[1].p, "0123456789") < 8)
        return incomplete(err, "Credential date must be YYYYMMDD, got '%.*s'",
                          (int)(parts[1].len > 32 ? 32 : parts[1].len), parts[1].p);
    if (parts[2].len == 0 || parts[2].len >= sizeof(auth->region))
        return incomplete(err, "Credential region is empty or too long");
    if (parts[3].len == 0 || parts[3].len >= sizeof(auth->service))
        return incomplete(err, "Credential service is empty or too long");
    memcpy(auth->access_key_id, parts[0].p, parts[0].len);
    auth->access_key_id[parts[0].len] = '\0';
    memcpy(auth->date, parts[1].p, 8);
    auth->date[8] = '\0';
    memcpy(auth->region, parts[2].p, parts[2].len);
    auth->region[parts[2].len] = '\0';
    memcpy(auth->service, parts[3].p, parts[3].len);
    auth->service[parts[3].len] = '\0';
    return 0;
}

static int parse_signed_headers(struct str sh, struct sigv4_auth *auth, struct dr_err *err)
{
    struct str rest = sh;
    int host = 0;

    if (sh.len == 0 || sh.len >= sizeof(auth->signed_headers))
        return incomplete(err, "SignedHeaders is empty or longer than %zu characters",
                          sizeof(auth->signed_headers) - 1);
    while (rest.p) {
        struct str name;
        rest = str_cut(rest, ';', &name);
        if (name.len == 0)
            return incomplete(err, "SignedHeaders has an empty header name: '%.*s'",
                              (int)(sh.len > 128 ? 128 : sh.len), sh.p);
        for (size_t i = 0; i < name.len; i++) {
            if (!header_name_char(name.p[i]))
                return incomplete(err,
                                  "SignedHeaders must be lowercase header names separated by "
                                  "';', got '%.*s'",
                                  (int)(sh.len > 128 ? 128 : sh.len), sh.p);
        }
        host |= str_eq_cstr(name, "host");
    }
    if (!host)
        return deny(err, 403, "SignatureDoesNotMatch",
                    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    memcpy(auth->signed_headers, sh.p, sh.len);
    auth->signed_headers[sh.len] = '\0';
    return 0;
}

static int parse_signature(struct str sig, struct sigv4_auth *auth, struct dr_err *err)
{
    if (sig.len != 64 || !is_hex(sig.p, 64))
        return incomplete(err, "Signature must be 64 hexadecimal characters, got %zu characters",
                          sig.len);
    for (size_t i = 0; i < 64; i++) {
        char c = sig.p[i];
        auth->signature[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
    }
    auth->signature[64] = '\0';
    return 0;
}

static int set_amz_date(const char *d, struct sigv4_auth *auth, struct dr_err *err)
{
    if (!valid_amz_date(d))
        return incomplete(err,
                          "Date must be in ISO-8601 'basic format'. Got '%.32s'. See "
                          "http://en.wikipedia.org/wiki/ISO_8601",
                          d);
    dr_strlcpy(auth->amz_date, d, sizeof(auth->amz_date));
    return 0;
}

static int parse_header_auth(const struct http_request *req, const char *authz,
                             struct sigv4_auth *auth, struct dr_err *err)
{
    struct str all = str_trim(str_from(authz)), alg, rest, cred = {0}, sh = {0}, sig = {0};
    const char *date = http_headers_get(&req->headers, "X-Amz-Date");
    const char *http_date = date ? NULL : http_headers_get(&req->headers, "Date");
    char from_http[17];
    size_t sp = 0;
    int rc;

    while (sp < all.len && all.p[sp] != ' ' && all.p[sp] != '\t')
        sp++;
    alg = (struct str){all.p, sp};
    rest = (struct str){all.p + sp, all.len - sp};
    if (str_starts_with(alg, "AWS4-") && !str_eq_cstr(alg, ALGORITHM))
        return incomplete(err, "Unsupported AWS 'algorithm': '%.*s'",
                          (int)(alg.len > 64 ? 64 : alg.len), alg.p);
    if (str_eq_cstr(alg, ALGORITHM)) {
        while (rest.p && rest.len > 0) {
            struct str item, key, val;
            rest = str_cut(rest, ',', &item);
            item = str_trim(item);
            if (item.len == 0)
                continue;
            val = str_cut(item, '=', &key);
            if (!val.p)
                return incomplete(err,
                                  "'%.*s' not a valid key=value pair (missing equal-sign) in "
                                  "Authorization header: '%.100s'",
                                  (int)(item.len > 64 ? 64 : item.len), item.p, authz);
            key = str_trim(key);
            if (str_eq_cstr(key, "Credential"))
                cred = val;
            else if (str_eq_cstr(key, "SignedHeaders"))
                sh = val;
            else if (str_eq_cstr(key, "Signature"))
                sig = val;
        }
    }
    if (!date && http_date) {
        /* AWS accepts an RFC 7231 Date header (signed as sent) when there is
         * no X-Amz-Date; the string to sign uses its basic-format form. */
        int64_t ms;
        if (time_parse_http(http_date, &ms) < 0)
            return incomplete(err, "Date header must be an RFC 7231 HTTP date. Got '%.40s'.",
                              http_date);
        time_amz_date((time_t)(ms / 1000), from_http, sizeof(from_http));
        date = from_http;
    }
    if (!cred.p || !sh.p || !sig.p || !date) {
        struct buf m;
        buf_init(&m, DR_ERR_MSG_MAX * 2);
        rc = 0;
        if (!cred.p)
            rc |= buf_adds(&m, "Authorization header requires 'Credential' parameter. ");
        if (!sig.p)
            rc |= buf_adds(&m, "Authorization header requires 'Signature' parameter. ");
        if (!sh.p)
            rc |= buf_adds(&m, "Authorization header requires 'SignedHeaders' parameter. ");
        if (!date)
            rc |= buf_adds(&m, "Authorization header requires existence of either a "
                               "'X-Amz-Date' or a 'Date' header. ");
        rc |= buf_addf(&m, "Authorization=%.64s", authz);
        rc = incomplete(err, "%s", rc == 0 ? m.p : "Authorization header is incomplete");
        buf_cleanup(&m);
        return rc;
    }
    if ((rc = parse_credential(cred, auth, err)) < 0 ||
        (rc = parse_signed_headers(sh, auth, err)) < 0 ||
        (rc = parse_signature(sig, auth, err)) < 0)
        return rc;
    if ((rc = set_amz_date(date, auth, err)) < 0)
        return rc;
    auth->presigned = false;
    auth->security_token_present = http_headers_get(&req->headers, "X-Amz-Security-Token") != NULL;
    return 0;
}

static int parse_query_auth(const struct http_request *req, struct sigv4_auth *auth,
                            struct dr_err *err)
{
    static const char *const names[] = {"X-Amz-Algorithm",     "X-Amz-Credential", "X-Amz-Date",
                                        "X-Amz-SignedHeaders", "X-Amz-Signature",  "X-Amz-Expires",
                                        "X-Amz-Security-Token"};
    struct buf v[7];
    int found[7], rc = 0, i;

    for (i = 0; i < 7; i++)
        buf_init(&v[i], 65536);
    for (i = 0; i < 7; i++) {
        found[i] = query_get(req->query, names[i], &v[i]);
        if (found[i] < 0) {
            rc = nomem(err);
            goto out;
        }
    }
    for (i = 0; i < 6; i++) {
        if (!found[i]) {
            rc = incomplete(err, "Query-string authentication version 4 requires the "
                                 "X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, "
                                 "X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
            goto out;
        }
    }
    if (strcmp(v[0].p, ALGORITHM) != 0) {
        rc = incomplete(err, "X-Amz-Algorithm only supports \"" ALGORITHM "\"");
        goto out;
    }
    if ((rc = parse_credential((struct str){v[1].p, v[1].len}, auth, err)) < 0 ||
        (rc = set_amz_date(v[2].p, auth, err)) < 0 ||
        (rc = parse_signed_headers((struct str){v[3].p, v[3].len}, auth, err)) < 0 ||
        (rc = parse_signature((struct str){v[4].p, v[4].len}, auth, err)) < 0)
        goto out;
    if (dr_parse_i64(v[5].p, &auth->expires) < 0 || auth->expires < 0) {
        rc = incomplete(err, "X-Amz-Expires must be non-negative");
        goto out;
    }
    if (auth->expires == 0 || auth->expires > 604800) {
        rc = incomplete(err, "X-Amz-Expires must be less than a week (in seconds) that is 604800");
        goto out;
    }
    auth->presigned = true;
    auth->security_token_present = found[6] > 0;
out:
    for (i = 0; i < 7; i++)
        buf_cleanup(&v[i]);
    return rc;
}

int sigv4_parse_auth(const struct http_request *req, struct sigv4_auth *auth, struct dr_err *err)
{
    const char *authz;
    struct buf tmp;
    int has_query_auth = 0;

    memset(auth, 0, sizeof(*auth));
    if (!req)
        return incomplete(err, "no request");
    authz = http_headers_get(&req->headers, "Authorization");
    if (authz)
        return parse_header_auth(req, authz, auth, err);
    buf_init(&tmp, 65536);
    has_query_auth = query_get(req->query, "X-Amz-Algorithm", &tmp) > 0 ||
                     query_get(req->query, "X-Amz-Credential", &tmp) > 0 ||
                     query_get(req->query, "X-Amz-Signature", &tmp) > 0;
    buf_cleanup(&tmp);
    if (has_query_auth)
        return parse_query_auth(req, auth, err);
    return deny(err, 403, "MissingAuthenticationToken", "Request is missing Authentication Token");
}

/* ---- verification ---- */

static int secure_streq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    /* compare the common length anyway so timing depends only on lengths */
    int eq = crypto_memeq(a, b, la < lb ? la : lb);
    return eq && la == lb;
}

static int check_token(const struct http_request *req, const struct sigv4_auth *auth,
                       const char *session_token, struct dr_err *err)
{
    struct buf v;
    const char *got = NULL;
    int ok, rc;

    buf_init(&v, 65536);
    if (auth->presigned) {
        rc = query_get(req->query, "X-Amz-Security-Token", &v);
        if (rc < 0) {
            buf_cleanup(&v);
            return nomem(err);
        }
        got = rc > 0 ? v.p : NULL;
    } else {
        got = http_headers_get(&req->headers, "X-Amz-Security-Token");
    }
    ok = got && secure_streq(got, session_token);
    buf_cleanup(&v);
    if (!ok)
        return deny(err, 403, "InvalidClientTokenId",
                    "The security token included in the request is invalid.");
    return 0;
}

static int check_scope(const struct sigv4_auth *auth, const struct sigv4_verify_opts *opts,
                       struct dr_err *err)
{
    if (memcmp(auth->date, auth->amz_date, 8) != 0)
        return deny(err, 403, "SignatureDoesNotMatch",
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                    "date from HTTP: '%s' != '%.8s', from '%s'.",
                    auth->date, auth->amz_date, auth->presigned ? "X-Amz-Date" : "X-Amz-Date");
    if (opts->region && strcmp(opts->region, auth->region) != 0)
        return deny(err, 403, "SignatureDoesNotMatch",
                    "Credential should be scoped to a valid region, not '%s'. ", auth->region);
    if (opts->service && strcmp(opts->service, auth->service) != 0)
        return deny(err, 403, "SignatureDoesNotMatch",
                    "Credential should be scoped to correct service: '%s'. ", opts->service);
    return 0;
}

static int check_time(const struct sigv4_auth *auth, const struct sigv4_verify_opts *opts,
                      struct dr_err *err)
{
    int64_t ms;
    time_t t, now = opts->now;
    int skew = opts->max_skew_seconds > 0 ? opts->max_skew_seconds : 900;
    char a[17], b[17];

    if (time_parse(auth->amz_date, &ms) < 0)
        return incomplete(err, "Date must be in ISO-8601 'basic format'. Got '%s'.",
                          auth->amz_date);
    t = (time_t)(ms / 1000);
    if (t > now + skew) {
        time_amz_date(now + skew, a, sizeof(a));
        time_amz_date(now, b, sizeof(b));
        return deny(err, 403, "SignatureDoesNotMatch",
                    "Signature not yet current: %s is still later than %s (%s + %d min.)",
                    auth->amz_date, a, b, skew / 60);
    }
    if (auth->presigned) {
        if ((int64_t)now > (int64_t)t + auth->expires)
            return deny(err, 403, "AccessDenied", "Request has expired");
        return 0;
    }
    if (t < now - skew) {
        time_amz_date(now - skew, a, sizeof(a));
        time_amz_date(now, b, sizeof(b));
        return deny(err, 403, "SignatureDoesNotMatch",
                    "Signature expired: %s is now earlier than %s (%s - %d min.)", auth->amz_date,
                    a, b, skew / 60);
    }
    return 0;
}

/*
 * The payload hashes a legitimate signer may have used, most likely first:
 * the X-Amz-Content-Sha256 header when present (checked against the body);
 * else sha256(body), and for presigned URLs also UNSIGNED-PAYLOAD (S3
 * presigning uses it, botocore's SigV4QueryAuth hashes the body). Trying
 * both is safe: each is a different string the key holder must have signed.
 */
static int pick_payload_hashes(const struct http_request *req, const struct sigv4_auth *auth,
                               const struct sigv4_verify_opts *opts, char out[2][65], int *n,
                               struct dr_err *err)
{
    const char *hdr = http_headers_get(&req->headers, "X-Amz-Content-Sha256");
    char body[65];

    crypto_sha256_hex(req->body ? req->body : "", req->body ? req->body_len : 0, body);
    *n = 1;
    if (hdr) {
        if (strcmp(hdr, SIGV4_UNSIGNED_PAYLOAD) != 0 && strncmp(hdr, "STREAMING-", 10) != 0 &&
            strcmp(hdr, body) != 0)
            return deny(err, 400, "XAmzContentSHA256Mismatch",
                        "The provided 'x-amz-content-sha256' header does not match what was "
                        "computed.");
        if (strlen(hdr) > 64)
            return deny(err, 400, "InvalidArgument", "x-amz-content-sha256 is not valid");
        dr_strlcpy(out[0], hdr, 65);
    } else if (auth->presigned) {
        /* S3 presigns with UNSIGNED-PAYLOAD: try that first there */
        dr_strlcpy(out[opts->s3_mode ? 0 : 1], SIGV4_UNSIGNED_PAYLOAD, 65);
        memcpy(out[opts->s3_mode ? 1 : 0], body, 65);
        *n = 2;
    } else {
        memcpy(out[0], body, 65);
    }
    return 0;
}

/* One attempt: canonical request, string to sign, signature. */
static int compute(const struct http_request *req, const struct sigv4_auth *auth,
                   const char *secret, const struct sigv4_verify_opts *opts, const char *hash,
                   const char *skip2, struct buf *creq, struct buf *sts, char sig[65])
{
    struct sigv4_creq_in in = {
        .method = req->method ? req->method : "",
        .path = req->path,
        .query = req->query,
        .skip_param = auth->presigned ? "X-Amz-Signature" : NULL,
        .skip_param2 = skip2,
        .headers = &req->headers,
        .host = req->host,
        .signed_headers = auth->signed_headers,
        .payload_hash = hash,
        .s3_mode = opts->s3_mode,
    };
    buf_reset(creq);
    buf_reset(sts);
    if (sigv4_build_creq(creq, &in) < 0)
        return -DR_ENOMEM;
    return sigv4_finish(creq, auth->amz_date, auth->date, auth->region, auth->service, secret, sts,
                        sig);
}

int sigv4_verify(const struct http_request *req, const struct sigv4_auth *auth,
                 const char *secret_access_key, const char *session_token,
                 const struct sigv4_verify_opts *opts, struct sigv4_debug *dbg, struct dr_err *err)
{
    struct sigv4_verify_opts defaults = {0};
    struct buf creq, sts, creq2, sts2;
    char hashes[2][65], sig[65], sig2[65];
    int rc, match = 0, nhash = 0, ntok;

    if (!req || !auth || !secret_access_key)
        return dr_err_set(err, DR_EINVAL, "sigv4_verify: request, auth and secret are required");
    if (!opts)
        opts = &defaults;
    if (session_token && (rc = check_token(req, auth, session_token, err)) < 0)
        return rc;
    if ((rc = check_scope(auth, opts, err)) < 0 || (rc = check_time(auth, opts, err)) < 0 ||
        (rc = pick_payload_hashes(req, auth, opts, hashes, &nhash, err)) < 0)
        return rc;
    /* a presigned URL's token may have been added after signing */
    ntok = auth->presigned && auth->security_token_present ? 2 : 1;

    buf_init(&creq, BUF_DEFAULT_MAX);
    buf_init(&sts, 4096);
    buf_init(&creq2, BUF_DEFAULT_MAX);
    buf_init(&sts2, 4096);
    /* the first candidate goes to dbg unless another one matches */
    rc = compute(req, auth, secret_access_key, opts, hashes[0], NULL, &creq, &sts, sig);
    match = rc == 0 && secure_streq(sig, auth->signature);
    for (int h = 0; rc == 0 && !match && h < nhash; h++) {
        for (int t = 0; rc == 0 && !match && t < ntok; t++) {
            if (h == 0 && t == 0)
                continue;
            rc = compute(req, auth, secret_access_key, opts, hashes[h],
                         t ? "X-Amz-Security-Token" : NULL, &creq2, &sts2, sig2);
            match = rc == 0 && secure_streq(sig2, auth->signature);
        }
    }
    if (rc < 0) {
        rc = nomem(err);
        goto out;
    }
    if (dbg) {
        const struct buf *c = match && creq2.len ? &creq2 : &creq;
        const struct buf *s = match && creq2.len ? &sts2 : &sts;
        buf_reset(&dbg->canonical_request);
        buf_reset(&dbg->string_to_sign);
        if (buf_add(&dbg->canonical_request, c->p, c->len) < 0 ||
            buf_add(&dbg->string_to_sign, s->p, s->len) < 0) {
            rc = nomem(err);
            goto out;
        }
        dr_strlcpy(dbg->signature, match && creq2.len ? sig2 : sig, sizeof(dbg->signature));
    }
    rc = match ? 0
               : deny(err, 403, "SignatureDoesNotMatch",
                      "The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method. Consult "
                      "the service documentation for details.");
out:
    buf_cleanup(&creq);
    buf_cleanup(&sts);
    buf_cleanup(&creq2);
    buf_cleanup(&sts2);
    return rc;
}
