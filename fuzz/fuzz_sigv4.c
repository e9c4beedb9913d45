/*
 * fuzz_sigv4.c - libFuzzer target for the SigV4 receiving side. The input
 * is split on '\n' into: Authorization header, query, path, X-Amz-Date
 * (sent as an HTTP Date header instead when it contains a ','),
 * X-Amz-Security-Token, a signed header value, X-Amz-Content-Sha256, and
 * the rest is the body. Each request goes through sigv4_parse_auth and
 * sigv4_verify (must never crash); then the same request is signed and
 * presigned and must verify (a round-trip failure traps).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/creds.h"
#include "aws/http.h"
#include "aws/sigv4.h"
#include "core/str.h"

#define NFIELDS 7

static void verify_any(const struct http_request *r, bool s3)
{
    struct sigv4_auth auth;
    struct sigv4_verify_opts o = {.now = 1440938160, .s3_mode = s3};
    struct sigv4_debug dbg;
    struct dr_err err;

    if (sigv4_parse_auth(r, &auth, &err) != 0)
        return;
    sigv4_debug_init(&dbg);
    (void)sigv4_verify(r, &auth, "secret", NULL, &o, &dbg, &err);
    (void)sigv4_verify(r, &auth, "secret", "token", &o, NULL, &err);
    sigv4_debug_cleanup(&dbg);
}

static void roundtrip(const struct http_request *base, bool presign, bool s3)
{
    struct http_request r;
    struct aws_creds c = {0};
    struct sigv4_params p = {
        .region = "us-east-1", .service = "svc", .now = 1440938160, .s3_mode = s3, .expires = 60};
    struct sigv4_auth auth;
    struct sigv4_verify_opts o = {.now = 1440938160, .s3_mode = s3};
    struct dr_err err;
    int rc;

    if (http_req_copy(&r, base, NULL) < 0)
        return;
    http_headers_remove(&r.headers, "Authorization");
    http_headers_remove(&r.headers, "X-Amz-Content-Sha256");
    if (aws_creds_set(&c, "AKID", "secret", "token", 0, "env", NULL) < 0)
        goto out;
    p.creds = &c;
    rc = presign ? sigv4_presign(&r, &p, NULL, &err) : sigv4_sign(&r, &p, NULL, &err);
    if (rc != 0)
        goto out;
    if (sigv4_parse_auth(&r, &auth, &err) != 0 ||
        sigv4_verify(&r, &auth, "secret", "token", &o, NULL, &err) != 0)
        __builtin_trap();
out:
    aws_creds_cleanup(&c);
    http_req_cleanup(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *f[NFIELDS] = {0};
    const char *p = (const char *)data, *end = p + size;
    struct http_request r;
    int i;

    for (i = 0; i < NFIELDS; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        f[i] = str_dup((struct str){p, (size_t)(e - p)});
        if (!f[i])
            goto out;
        p = nl ? nl + 1 : end;
    }
    if (http_req_init(&r, "POST", "https", "example.amazonaws.com", f[2], f[1], NULL) < 0)
        goto out;
    if ((*f[0] && http_headers_add(&r.headers, "Authorization", f[0]) < 0) ||
        (*f[3] &&
         http_headers_add(&r.headers, strchr(f[3], ',') ? "Date" : "X-Amz-Date", f[3]) < 0) ||
        (*f[4] && http_headers_add(&r.headers, "X-Amz-Security-Token", f[4]) < 0) ||
        http_headers_add(&r.headers, "Host", "example.amazonaws.com") < 0 ||
        http_headers_add(&r.headers, "My-Header", f[5]) < 0 ||
        (*f[6] && http_headers_add(&r.headers, "X-Amz-Content-Sha256", f[6]) < 0) ||
        http_req_set_body(&r, p, (size_t)(end - p), NULL) < 0) {
        http_req_cleanup(&r);
        goto out;
    }
    verify_any(&r, false);
    verify_any(&r, true);
    roundtrip(&r, false, (size & 1) != 0);
    /* presigned round trip only when the query cannot shadow X-Amz-* */
    if (!strchr(f[1], 'X') && !strchr(f[1], 'x') && !strchr(f[1], '%'))
        roundtrip(&r, true, (size & 2) != 0);
    http_req_cleanup(&r);
out:
    for (i = 0; i < NFIELDS; i++)
        free(f[i]);
    return 0;
}
