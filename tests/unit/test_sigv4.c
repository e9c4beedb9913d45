/*
 * test_sigv4.c - SigV4 signer and verifier: the AWS signing test suite
 * (every case folder under $DROVER_SHARED/testdata/sigv4, header and
 * query signing, stage by stage), the verifier on every signed request of
 * the suite plus one-byte mutations of each, double encoding, S3 mode,
 * and the parse/verify error codes.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "aws/creds.h"
#include "aws/http.h"
#include "aws/sigv4.h"
#include "aws/sigv4_int.h" /* sigv4_build_creq, sigv4_finish */
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/jsonutil.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "testlib.h" /* cmocka */

/* ---- parsing the suite's raw requests ---- */

/*
 * Parses "METHOD target HTTP/1.1\nName:value\n folded\n\nbody". The
 * target may contain spaces (get-space-*): it is everything between the
 * first and the last space. Folded lines are kept in the value after a
 * '\n', so the request serializes back byte for byte.
 */
static int parse_raw_request(const char *text, size_t len, struct http_request *req)
{
    const char *end = text + len, *p = text, *eol, *sp1, *sp2;
    struct buf target, path;
    const char *q;
    int rc = -1;

    eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
        eol = end;
    sp1 = memchr(p, ' ', (size_t)(eol - p));
    sp2 = eol;
    while (sp2 > p && sp2[-1] != ' ')
        sp2--;
    if (!sp1 || sp2 <= sp1 + 1)
        return -1;
    buf_init(&target, 0);
    buf_init(&path, 0);
    {
        char method[16];
        size_t ml = (size_t)(sp1 - p);
        if (ml >= sizeof(method))
            goto out;
        memcpy(method, p, ml);
        method[ml] = '\0';
        if (buf_add(&target, sp1 + 1, (size_t)(sp2 - 1 - (sp1 + 1))) < 0)
            goto out;
        q = strchr(target.p, '?');
        if (buf_add(&path, target.p, q ? (size_t)(q - target.p) : target.len) < 0)
            goto out;
        if (http_req_init(req, method, "https", "", path.p, q ? q + 1 : "", NULL) < 0)
            goto out;
    }
    p = eol < end ? eol + 1 : end;
    while (p < end) {
        eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if (eol == p) { /* blank line: body follows */
            p++;
            break;
        }
        if ((*p == ' ' || *p == '\t') && req->headers.n > 0) {
            struct http_header *h = &req->headers.v[req->headers.n - 1];
            struct buf v;
            buf_init(&v, 0);
            if (buf_adds(&v, h->value) < 0 || buf_addch(&v, '\n') < 0 ||
                buf_add(&v, p, (size_t)(eol - p)) < 0) {
                buf_cleanup(&v);
                goto out;
            }
            free(h->value);
            h->value = buf_detach(&v, NULL);
        } else {
            const char *colon = memchr(p, ':', (size_t)(eol - p));
            char *name, *value;
            if (!colon)
                goto out;
            name = str_dup((struct str){p, (size_t)(colon - p)});
            value = str_dup((struct str){colon + 1, (size_t)(eol - colon - 1)});
            rc = (name && value) ? http_headers_add(&req->headers, name, value) : -1;
            free(name);
            free(value);
            if (rc < 0)
                goto out;
            rc = -1;
        }
        p = eol < end ? eol + 1 : end;
    }
    if (p < end && http_req_set_body(req, p, (size_t)(end - p), NULL) < 0)
        goto out;
    {
        const char *host = http_headers_get(&req->headers, "Host");
        free(req->host);
        req->host = str_dup(str_from(host ? host : ""));
    }
    rc = 0;
out:
    buf_cleanup(&target);
    buf_cleanup(&path);
    return rc;
}

/* Same comparison as a byte diff, except header names compare case-insensitively. */
static int requests_equal(const struct http_request *a, const struct http_request *b, char *why,
                          size_t n)
{
    if (strcmp(a->method, b->method) || strcmp(a->path, b->path) || strcmp(a->query, b->query)) {
        snprintf(why, n, "request line: %s %s?%s vs %s %s?%s", a->method, a->path, a->query,
                 b->method, b->path, b->query);
        return 0;
    }
    if (a->headers.n != b->headers.n) {
        snprintf(why, n, "header count %zu vs %zu", a->headers.n, b->headers.n);
        return 0;
    }
    for (size_t i = 0; i < a->headers.n; i++) {
        if (!dr_strcaseeq(a->headers.v[i].name, b->headers.v[i].name) ||
            strcmp(a->headers.v[i].value, b->headers.v[i].value)) {
            snprintf(why, n, "header %zu: %s:%s vs %s:%s", i, a->headers.v[i].name,
                     a->headers.v[i].value, b->headers.v[i].name, b->headers.v[i].value);
            return 0;
        }
    }
    if (a->body_len != b->body_len || (a->body_len && memcmp(a->body, b->body, a->body_len))) {
        snprintf(why, n, "body differs");
        return 0;
    }
    return 1;
}

/* ---- one suite case ---- */

struct suite_case {
    char dir[1024];
    char name[256];
    json_t *ctx;
    struct aws_creds creds;
    struct sigv4_params params;
    const char *token; /* borrowed from ctx */
    struct http_request req;
};

static int load_file(const char *dir, const char *file, struct buf *out)
{
    char path[2400];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    buf_reset(out);
    return fs_read_path(path, out, NULL);
}

static int case_load(struct suite_case *c, const char *base, const char *name)
{
    struct buf raw;
    int64_t ms;
    const json_t *cr;
    char path[2400];
    int rc;

    memset(c, 0, sizeof(*c));
    if ((size_t)snprintf(c->dir, sizeof(c->dir), "%s/%s", base, name) >= sizeof(c->dir))
        return -1;
    dr_strlcpy(c->name, name, sizeof(c->name));
    snprintf(path, sizeof(path), "%s/context.json", c->dir);
    if (json_load_path(path, &c->ctx, NULL) < 0)
        return -1;
    cr = json_object_get(c->ctx, "credentials");
    c->token = json_str_borrow(cr, "token");
    if (aws_creds_set(&c->creds, json_str_borrow(cr, "access_key_id"),
                      json_str_borrow(cr, "secret_access_key"), c->token, 0, "env", NULL) < 0)
        return -1;
    if (time_parse(json_str_borrow(c->ctx, "timestamp"), &ms) < 0)
        return -1;
    c->params.region = json_str_borrow(c->ctx, "region");
    c->params.service = json_str_borrow(c->ctx, "service");
    c->params.now = (time_t)(ms / 1000);
    c->params.creds = &c->creds;
    c->params.s3_mode = !json_bool_or(c->ctx, "normalize", true);
    c->params.add_content_sha256 = json_bool_or(c->ctx, "sign_body", false);
    c->params.omit_session_token = json_bool_or(c->ctx, "omit_session_token", false);
    c->params.expires = json_int_or(c->ctx, "expiration_in_seconds", 3600);
    buf_init(&raw, 0);
    rc = load_file(c->dir, "request.txt", &raw);
    if (rc == 0)
        rc = parse_raw_request(raw.p, raw.len, &c->req);
    buf_cleanup(&raw);
    return rc;
}

static void case_cleanup(struct suite_case *c)
{
    http_req_cleanup(&c->req);
    aws_creds_cleanup(&c->creds);
    json_decref(c->ctx);
}

/* Strips one trailing newline some editors add, for single-value files. */
static void chomp(struct buf *b)
{
    while (b->len > 0 && (b->p[b->len - 1] == '\n' || b->p[b->len - 1] == '\r'))
        buf_truncate(b, b->len - 1);
}

static int expect_file(const struct suite_case *c, const char *file, const char *got, size_t len,
                       int strip)
{
    struct buf want;
    int ok;
    buf_init(&want, 0);
    if (load_file(c->dir, file, &want) < 0) {
        buf_cleanup(&want);
        print_error("%s: cannot read %s\n", c->name, file);
        return 0;
    }
    if (strip)
        chomp(&want);
    ok = want.len == len && memcmp(want.p, got, len) == 0;
    if (!ok)
        print_error("%s: %s differs\n--- want\n%s\n--- got\n%.*s\n", c->name, file, want.p,
                    (int)len, got);
    buf_cleanup(&want);
    return ok;
}

static int expect_signed_request(const struct suite_case *c, const char *file,
                                 const struct http_request *got)
{
    struct buf raw;
    struct http_request want;
    char why[512];
    int ok = 0;

    buf_init(&raw, 0);
    if (load_file(c->dir, file, &raw) == 0 && parse_raw_request(raw.p, raw.len, &want) == 0) {
        ok = requests_equal(&want, got, why, sizeof(why));
        if (!ok)
            print_error("%s: %s: %s\n", c->name, file, why);
        http_req_cleanup(&want);
    } else {
        print_error("%s: cannot parse %s\n", c->name, file);
    }
    buf_cleanup(&raw);
    return ok;
}

/* Header signing: canonical request, string to sign, signature, Authorization, signed request. */
static int run_header_case(struct suite_case *c)
{
    struct http_request r;
    struct sigv4_debug dbg;
    struct dr_err err;
    int ok;

    sigv4_debug_init(&dbg);
    if (http_req_copy(&r, &c->req, NULL) < 0)
        return 0;
    ok = sigv4_sign(&r, &c->params, &dbg, &err) == 0;
    if (!ok)
        print_error("%s: sign: %s\n", c->name, err.msg);
    ok = ok &&
         expect_file(c, "header-canonical-request.txt", dbg.canonical_request.p,
                     dbg.canonical_request.len, 0) &&
         expect_file(c, "header-string-to-sign.txt", dbg.string_to_sign.p, dbg.string_to_sign.len,
                     0) &&
         expect_file(c, "header-signature.txt", dbg.signature, strlen(dbg.signature), 1) &&
         expect_signed_request(c, "header-signed-request.txt", &r);
    http_req_cleanup(&r);
    sigv4_debug_cleanup(&dbg);
    return ok;
}

static int run_query_case(struct suite_case *c)
{
    struct http_request r;
    struct sigv4_debug dbg;
    struct dr_err err;
    int ok;

    sigv4_debug_init(&dbg);
    if (http_req_copy(&r, &c->req, NULL) < 0)
        return 0;
    ok = sigv4_presign(&r, &c->params, &dbg, &err) == 0;
    if (!ok)
        print_error("%s: presign: %s\n", c->name, err.msg);
    ok = ok &&
         expect_file(c, "query-canonical-request.txt", dbg.canonical_request.p,
                     dbg.canonical_request.len, 0) &&
         expect_file(c, "query-string-to-sign.txt", dbg.string_to_sign.p, dbg.string_to_sign.len,
                     0) &&
         expect_file(c, "query-signature.txt", dbg.signature, strlen(dbg.signature), 1) &&
         expect_signed_request(c, "query-signed-request.txt", &r);
    http_req_cleanup(&r);
    sigv4_debug_cleanup(&dbg);
    return ok;
}

/* ---- verifier on the suite ---- */

struct verify_counts {
    int accepted, rejected, equivalent, wrongly_accepted;
};

static int verify_req(const struct suite_case *c, const struct http_request *r, struct dr_err *err)
{
    struct sigv4_auth auth;
    struct sigv4_verify_opts opts = {
        .now = c->params.now + 60, .s3_mode = c->params.s3_mode, .region = c->params.region};
    int rc = sigv4_parse_auth(r, &auth, err);
    if (rc < 0)
        return rc;
    return sigv4_verify(r, &auth, c->creds.secret_access_key, c->token, &opts, NULL, err);
}

/* The parts of the canonical request a mutation of r can touch. */
static void canon_parts(const struct http_request *r, const struct suite_case *c,
                        const char *signed_headers, struct buf *out)
{
    buf_reset(out);
    assert_int_equal(sigv4_canonical_uri(out, r->path, c->params.s3_mode), 0);
    assert_int_equal(buf_addch(out, '\n'), 0);
    assert_int_equal(sigv4_canonical_query(out, r->query, NULL), 0);
    assert_int_equal(buf_addch(out, '\n'), 0);
    assert_int_equal(sigv4_canonical_headers(out, &r->headers, r->host, signed_headers), 0);
    assert_int_equal(buf_add(out, r->body ? r->body : "", r->body_len), 0);
    assert_int_equal(buf_adds(out, http_headers_get(&r->headers, "Authorization")
                                       ? http_headers_get(&r->headers, "Authorization")
                                       : ""),
                     0);
}

/* Verifies r with byte i of *field flipped. */
static void try_mutation(struct suite_case *c, struct http_request *r, char *field, size_t i,
                         const char *signed_headers, const struct buf *orig,
                         struct verify_counts *k, const char *what)
{
    struct buf now;
    struct dr_err err;
    char saved = field[i];

    field[i] = (char)(field[i] ^ 0x01);
    if (field[i] == '\0')
        field[i] = (char)(saved ^ 0x02);
    buf_init(&now, 0);
    canon_parts(r, c, signed_headers, &now);
    if (now.len == orig->len && memcmp(now.p, orig->p, now.len) == 0) {
        k->equivalent++;
    } else if (verify_req(c, r, &err) == 0) {
        k->wrongly_accepted++;
        print_error("%s: mutated %s byte %zu accepted\n", c->name, what, i);
    } else {
        k->rejected++;
    }
    buf_cleanup(&now);
    field[i] = saved;
}

static void mutate_all(struct suite_case *c, struct http_request *r, struct verify_counts *k)
{
    struct sigv4_auth auth;
    struct buf orig;
    char sh[1024];

    assert_int_equal(sigv4_parse_auth(r, &auth, NULL), 0);
    dr_strlcpy(sh, auth.signed_headers, sizeof(sh));
    buf_init(&orig, 0);
    canon_parts(r, c, sh, &orig);
    for (size_t i = 0; r->path[i]; i++)
        try_mutation(c, r, r->path, i, sh, &orig, k, "path");
    for (size_t i = 0; r->query[i]; i++)
        try_mutation(c, r, r->query, i, sh, &orig, k, "query");
    for (size_t i = 0; i < r->body_len; i++)
        try_mutation(c, r, r->body, i, sh, &orig, k, "body");
    for (size_t h = 0; h < r->headers.n; h++) {
        char *v = r->headers.v[h].value;
        int is_authz = dr_strcaseeq(r->headers.v[h].name, "Authorization");
        char *sig = is_authz ? strstr(v, "Signature=") : NULL;
        if (is_authz) {
            /* every hex digit of the signature */
            for (size_t i = 10; sig && sig[i]; i++)
                try_mutation(c, r, sig, i, sh, &orig, k, "signature");
            continue;
        }
        for (size_t i = 0; v[i]; i++)
            try_mutation(c, r, v, i, sh, &orig, k, r->headers.v[h].name);
    }
    buf_cleanup(&orig);
}

static void verify_signed_file(struct suite_case *c, const char *file, struct verify_counts *k)
{
    struct buf raw;
    struct http_request r;
    struct dr_err err;

    buf_init(&raw, 0);
    assert_int_equal(load_file(c->dir, file, &raw), 0);
    assert_int_equal(parse_raw_request(raw.p, raw.len, &r), 0);
    if (verify_req(c, &r, &err) == 0) {
        k->accepted++;
        /* an unsigned header may change freely */
        assert_int_equal(http_headers_add(&r.headers, "User-Agent", "changed/1.0"), 0);
        assert_int_equal(verify_req(c, &r, &err), 0);
        http_headers_remove(&r.headers, "User-Agent");
        mutate_all(c, &r, k);
    } else {
        print_error("%s: %s not verified: %s: %s\n", c->name, file, err.code, err.msg);
        k->wrongly_accepted++; /* counted as a failure */
    }
    http_req_cleanup(&r);
    buf_cleanup(&raw);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Case folder names, sorted. NULL-terminated; free each and the array. */
static char **list_cases(const char *base, size_t *n_out)
{
    DIR *d = opendir(base);
    struct dirent *e;
    char **v = NULL;
    size_t n = 0;

    if (!d)
        return NULL;
    while ((e = readdir(d)) != NULL) {
        char p[2400];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof(p), "%s/%s/context.json", base, e->d_name);
        if (stat(p, &st) != 0)
            continue;
        v = realloc(v, (n + 2) * sizeof(*v));
        assert_non_null(v);
        v[n++] = str_dup(str_from(e->d_name));
        v[n] = NULL;
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof(*v), cmp_names);
    *n_out = n;
    return v;
}

static int file_exists(const char *dir, const char *f)
{
    char p[2400];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", dir, f);
    return stat(p, &st) == 0;
}

static void test_sigv4_aws_suite(void **state)
{
    char base[1024];
    size_t n = 0, hdr_pass = 0, hdr_total = 0, q_pass = 0, q_total = 0;
    struct verify_counts k = {0};
    char **names;
    (void)state;

    testlib_shared_dir("sigv4", base, sizeof(base));
    names = list_cases(base, &n);
    if (!names) {
        printf("SKIP: %s is absent; AWS SigV4 suite not run\n", base);
        return;
    }
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        struct suite_case c;
        assert_int_equal(case_load(&c, base, names[i]), 0);
        if (file_exists(c.dir, "header-canonical-request.txt")) {
            hdr_total++;
            hdr_pass += run_header_case(&c);
            verify_signed_file(&c, "header-signed-request.txt", &k);
        }
        if (file_exists(c.dir, "query-canonical-request.txt")) {
            q_total++;
            q_pass += run_query_case(&c);
            verify_signed_file(&c, "query-signed-request.txt", &k);
        }
        case_cleanup(&c);
        free(names[i]);
    }
    free(names);
    printf("sigv4 suite: %zu cases; header signing %zu/%zu, query signing %zu/%zu\n", n, hdr_pass,
           hdr_total, q_pass, q_total);
    printf("sigv4 verifier: %d signed requests accepted; %d mutations rejected, %d wrongly "
           "accepted, %d equivalent (canonical form unchanged) skipped\n",
           k.accepted, k.rejected, k.wrongly_accepted, k.equivalent);
    assert_int_equal(hdr_pass, hdr_total);
    assert_int_equal(q_pass, q_total);
    assert_true(hdr_total > 0);
    assert_int_equal(k.accepted, (int)(hdr_total + q_total));
    assert_int_equal(k.wrongly_accepted, 0);
    assert_true(k.rejected > 0);
}

static void test_sigv4_signing_key_aws_example(void **state)
{
    unsigned char key[32];
    struct buf hex;
    (void)state;
    sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam",
                      key);
    buf_init(&hex, 0);
    assert_int_equal(buf_addhex(&hex, key, 32), 0);
    assert_string_equal(hex.p, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    buf_cleanup(&hex);
}

static const char *curi(struct buf *b, const char *path, bool s3)
{
    buf_reset(b);
    assert_int_equal(sigv4_canonical_uri(b, path, s3), 0);
    return b->p;
}

static void test_sigv4_double_encoding_and_s3_mode(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    /* the drs REST path capture: sent encoded once, signed encoded twice */
    assert_string_equal(
        curi(&b, "/tags/arn%3Aaws%3Adrs%3Aus-east-1%3A123456789012%3Asource-server%2Fs-1", false),
        "/tags/arn%253Aaws%253Adrs%253Aus-east-1%253A123456789012%253Asource-server%252Fs-1");
    assert_string_equal(curi(&b, "/example space/", false), "/example%20space/");
    assert_string_equal(curi(&b, "/a/./b/../c//d/", false), "/a/c/d/");
    assert_string_equal(curi(&b, "/..", false), "/");
    assert_string_equal(curi(&b, "", false), "/");
    /* S3: as sent, existing escapes kept (hex uppercased), nothing normalized */
    assert_string_equal(curi(&b, "/bucket/arn%3aaws", true), "/bucket/arn%3Aaws");
    assert_string_equal(curi(&b, "/a/./b//c", true), "/a/./b//c");
    assert_string_equal(curi(&b, "/key with space+plus", true), "/key%20with%20space%2Bplus");
    assert_string_equal(curi(&b, "/100%", true), "/100%25");
    buf_cleanup(&b);
}

static void test_sigv4_canonical_query_rules(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    /* repeated keys sorted by value (capture from awscli v2) */
    assert_int_equal(sigv4_canonical_query(&b, "tagKeys=b&tagKeys=a", NULL), 0);
    assert_string_equal(b.p, "tagKeys=a&tagKeys=b");
    buf_reset(&b);
    /* values re-encoded; a key without '=' gets an empty value; empty pairs dropped */
    assert_int_equal(sigv4_canonical_query(&b, "b=x y&a&&c=%2f%7E&d=1+2", NULL), 0);
    assert_string_equal(b.p, "a=&b=x%20y&c=%2F~&d=1%2B2");
    buf_reset(&b);
    assert_int_equal(sigv4_canonical_query(&b, "X-Amz-Signature=ab&z=1", "X-Amz-Signature"), 0);
    assert_string_equal(b.p, "z=1");
    buf_cleanup(&b);
}

/* ---- sign + verify round trips and error codes ---- */

struct fixture {
    struct aws_creds creds;
    struct sigv4_params p;
    struct http_request req;
};

static void fixture_init(struct fixture *f, const char *token)
{
    memset(f, 0, sizeof(*f));
    assert_int_equal(aws_creds_set(&f->creds, "AKIDEXAMPLE", "secret/key", token, 0, "env", NULL),
                     0);
    f->p.region = "us-east-1";
    f->p.service = "drs";
    f->p.now = 1700000000;
    f->p.creds = &f->creds;
    assert_int_equal(http_req_init(&f->req, "POST", "https", "drs.us-east-1.amazonaws.com",
                                   "/tags/arn%3Aaws%3Adrs%3Aus-east-1%3A1%3Asource-server%2Fs-1",
                                   "x=1", NULL),
                     0);
    assert_int_equal(http_headers_add(&f->req.headers, "Content-Type", "application/json"), 0);
    assert_int_equal(http_req_set_body(&f->req, "{\"a\":1}", 7, NULL), 0);
}

static void fixture_cleanup(struct fixture *f)
{
    http_req_cleanup(&f->req);
    aws_creds_cleanup(&f->creds);
}

static int verify_at(struct fixture *f, time_t now, const char *token, bool s3, struct dr_err *err)
{
    struct sigv4_auth auth;
    struct sigv4_verify_opts o = {.now = now, .s3_mode = s3, .service = "drs"};
    int rc = sigv4_parse_auth(&f->req, &auth, err);
    if (rc < 0)
        return rc;
    return sigv4_verify(&f->req, &auth, "secret/key", token, &o, NULL, err);
}

static void test_sigv4_roundtrip_header_and_presign(void **state)
{
    struct fixture f;
    struct sigv4_debug dbg;
    struct dr_err err;
    (void)state;

    fixture_init(&f, "tok+en/==");
    sigv4_debug_init(&dbg);
    assert_int_equal(sigv4_sign(&f.req, &f.p, &dbg, &err), 0);
    assert_non_null(strstr(dbg.canonical_request.p, "\n/tags/arn%253Aaws%253Adrs"));
    assert_non_null(strstr(dbg.canonical_request.p, "x-amz-security-token:tok+en/==\n"));
    assert_int_equal(verify_at(&f, f.p.now + 899, "tok+en/==", false, &err), 0);
    /* re-signing replaces, never duplicates */
    assert_int_equal(sigv4_sign(&f.req, &f.p, NULL, &err), 0);
    assert_int_equal(f.req.headers.n, 4);
    assert_int_equal(verify_at(&f, f.p.now, NULL, false, &err), 0);
    fixture_cleanup(&f);

    fixture_init(&f, "tok+en/==");
    assert_int_equal(sigv4_presign(&f.req, &f.p, &dbg, &err), 0);
    assert_non_null(strstr(f.req.query, "X-Amz-Security-Token=tok%2Ben%2F%3D%3D"));
    assert_int_equal(verify_at(&f, f.p.now + 3000, "tok+en/==", false, &err), 0);
    assert_int_equal(verify_at(&f, f.p.now + 3601, "tok+en/==", false, &err), -DR_EDENIED);
    assert_string_equal(err.code, "AccessDenied");
    assert_string_equal(err.msg, "Request has expired");
    fixture_cleanup(&f);

    /* token added after signing: accepted (header and query) */
    fixture_init(&f, "tok");
    f.p.omit_session_token = true;
    assert_int_equal(sigv4_presign(&f.req, &f.p, &dbg, &err), 0);
    assert_null(strstr(dbg.canonical_request.p, "Security-Token"));
    assert_int_equal(verify_at(&f, f.p.now, "tok", false, &err), 0);
    fixture_cleanup(&f);
    sigv4_debug_cleanup(&dbg);
}

/* Golden from botocore 1.43 SigV4Auth.add_auth on the same request (drs
 * REST path with an ARN sent encoded once, repeated query keys). */
static void test_sigv4_matches_botocore_drs_rest(void **state)
{
    struct aws_creds c = {0};
    struct http_request r;
    struct sigv4_params p = {.region = "us-east-1", .service = "drs", .now = 1796164284};
    struct dr_err err;
    (void)state;

    assert_int_equal(aws_creds_set(&c, "AKIDEXAMPLE", "secret/key", "tok", 0, "env", NULL), 0);
    p.creds = &c;
    assert_int_equal(
        http_req_init(&r, "GET", "https", "drs.us-east-1.amazonaws.com",
                      "/tags/arn%3Aaws%3Adrs%3Aus-east-1%3A123456789012%3Asource-server%2Fs-1",
                      "tagKeys=b&tagKeys=a", NULL),
        0);
    assert_int_equal(http_headers_add(&r.headers, "Content-Type", "application/json"), 0);
    assert_int_equal(sigv4_sign(&r, &p, NULL, &err), 0);
    assert_string_equal(http_headers_get(&r.headers, "Authorization"),
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/drs/"
                        "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                        "x-amz-security-token, Signature="
                        "90acb1e2fb0ba28ab477ffc1f475d71c9e530c8720dac7d162b1da6fd6583e40");
    http_req_cleanup(&r);
    aws_creds_cleanup(&c);
}

static void test_sigv4_unsigned_payload_s3(void **state)
{
    struct fixture f;
    struct sigv4_debug dbg;
    struct dr_err err;
    (void)state;

    fixture_init(&f, NULL);
    f.p.s3_mode = true;
    f.p.unsigned_payload = true;
    f.p.add_content_sha256 = true;
    sigv4_debug_init(&dbg);
    assert_int_equal(sigv4_sign(&f.req, &f.p, &dbg, &err), 0);
    assert_string_equal(http_headers_get(&f.req.headers, "X-Amz-Content-Sha256"),
                        "UNSIGNED-PAYLOAD");
    assert_non_null(strstr(dbg.canonical_request.p, "\n/tags/arn%3Aaws%3Adrs"));
    assert_non_null(strstr(dbg.canonical_request.p, "\nUNSIGNED-PAYLOAD"));
    /* the body is not covered */
    f.req.body[0] = '[';
    assert_int_equal(verify_at(&f, f.p.now, NULL, true, &err), 0);
    /* but the path is signed as sent: non-S3 verification disagrees */
    assert_int_equal(verify_at(&f, f.p.now, NULL, false, &err), -DR_EDENIED);
    fixture_cleanup(&f);

    /* signed payload with the header: a changed body is a hash mismatch */
    fixture_init(&f, NULL);
    f.p.add_content_sha256 = true;
    assert_int_equal(sigv4_sign(&f.req, &f.p, &dbg, &err), 0);
    assert_int_equal(verify_at(&f, f.p.now, NULL, false, &err), 0);
    f.req.body[0] = '[';
    assert_int_equal(verify_at(&f, f.p.now, NULL, false, &err), -DR_EDENIED);
    assert_string_equal(err.code, "XAmzContentSHA256Mismatch");
    fixture_cleanup(&f);
    sigv4_debug_cleanup(&dbg);
}

static void test_sigv4_verify_errors(void **state)
{
    struct fixture f;
    struct dr_err err;
    struct sigv4_auth auth;
    struct sigv4_verify_opts o = {.now = 1700000000, .region = "eu-west-1"};
    (void)state;

    fixture_init(&f, "tok");
    assert_int_equal(sigv4_sign(&f.req, &f.p, NULL, &err), 0);
    assert_int_equal(verify_at(&f, f.p.now + 901, "tok", false, &err), -DR_EDENIED);
    assert_string_equal(err.code, "SignatureDoesNotMatch");
    assert_string_equal(err.msg, "Signature expired: 20231114T221320Z is now earlier than "
                                 "20231114T221321Z (20231114T222821Z - 15 min.)");
    assert_int_equal(verify_at(&f, f.p.now - 901, "tok", false, &err), -DR_EDENIED);
    assert_non_null(strstr(err.msg, "Signature not yet current"));
    assert_int_equal(verify_at(&f, f.p.now, "other", false, &err), -DR_EDENIED);
    assert_string_equal(err.code, "InvalidClientTokenId");
    assert_int_equal(sigv4_parse_auth(&f.req, &auth, &err), 0);
    assert_true(auth.security_token_present);
    assert_string_equal(auth.service, "drs");
    assert_int_equal(sigv4_verify(&f.req, &auth, "secret/key", NULL, &o, NULL, &err), -DR_EDENIED);
    assert_non_null(strstr(err.msg, "scoped to a valid region, not 'us-east-1'"));
    o.region = NULL;
    assert_int_equal(sigv4_verify(&f.req, &auth, "wrong", NULL, &o, NULL, &err), -DR_EDENIED);
    assert_string_equal(err.code, "SignatureDoesNotMatch");
    assert_int_equal(err.status, DR_EDENIED);
    assert_int_equal(err.http_status, 403);
    assert_non_null(strstr(err.msg, "does not match the signature you provided"));
    /* a signed header removed */
    http_headers_remove(&f.req.headers, "Content-Type");
    assert_int_equal(sigv4_verify(&f.req, &auth, "secret/key", NULL, &o, NULL, &err), -DR_EDENIED);
    fixture_cleanup(&f);
}

static int parse_with_authz(const char *authz, const char *date, struct dr_err *err)
{
    struct http_request r;
    struct sigv4_auth a;
    int rc;
    assert_int_equal(http_req_init(&r, "GET", "https", "h", "/", "", NULL), 0);
    if (authz)
        assert_int_equal(http_headers_add(&r.headers, "Authorization", authz), 0);
    if (date)
        assert_int_equal(http_headers_add(&r.headers, "X-Amz-Date", date), 0);
    rc = sigv4_parse_auth(&r, &a, err);
    http_req_cleanup(&r);
    return rc;
}

static int parse_with_query(const char *query, struct dr_err *err)
{
    struct http_request r;
    struct sigv4_auth a;
    int rc;
    assert_int_equal(http_req_init(&r, "GET", "https", "h", "/", query, NULL), 0);
    rc = sigv4_parse_auth(&r, &a, err);
    http_req_cleanup(&r);
    return rc;
}

#define SIG64 "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
#define CRED  "AKID/20150830/us-east-1/svc/aws4_request"

/* No X-Amz-Date: a signed RFC 7231 Date header is accepted, as AWS does. */
static void test_sigv4_verify_date_header(void **state)
{
    static const char empty_hash[] =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    struct http_request r;
    struct sigv4_auth a;
    struct sigv4_verify_opts o = {.now = 1440938160};
    struct sigv4_creq_in in = {.method = "GET",
                               .path = "/",
                               .query = "",
                               .signed_headers = "date;host",
                               .payload_hash = empty_hash};
    struct buf creq, sts, authz;
    struct dr_err err;
    char sig[65];
    (void)state;

    assert_int_equal(http_req_init(&r, "GET", "https", "example.amazonaws.com", "/", "", NULL), 0);
    assert_int_equal(http_headers_add(&r.headers, "Host", "example.amazonaws.com"), 0);
    assert_int_equal(http_headers_add(&r.headers, "Date", "Sun, 30 Aug 2015 12:36:00 GMT"), 0);
    in.headers = &r.headers;
    in.host = r.host;
    buf_init(&creq, 0);
    buf_init(&sts, 0);
    buf_init(&authz, 0);
    assert_int_equal(sigv4_build_creq(&creq, &in), 0);
    assert_non_null(strstr(creq.p, "date:Sun, 30 Aug 2015 12:36:00 GMT\nhost:"));
    assert_int_equal(sigv4_finish(&creq, "20150830T123600Z", "20150830", "us-east-1", "service",
                                  "secret", &sts, sig),
                     0);
    assert_int_equal(buf_addf(&authz,
                              "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/"
                              "aws4_request, SignedHeaders=date;host, Signature=%s",
                              sig),
                     0);
    assert_int_equal(http_headers_add(&r.headers, "Authorization", authz.p), 0);
    assert_int_equal(sigv4_parse_auth(&r, &a, &err), 0);
    assert_string_equal(a.amz_date, "20150830T123600Z");
    assert_int_equal(sigv4_verify(&r, &a, "secret", NULL, &o, NULL, &err), 0);
    assert_int_equal(sigv4_verify(&r, &a, "other", NULL, &o, NULL, &err), -DR_EDENIED);
    assert_string_equal(err.code, "SignatureDoesNotMatch");
    /* one second later: a different signed value and string to sign */
    assert_int_equal(http_headers_set(&r.headers, "Date", "Sun, 30 Aug 2015 12:36:01 GMT"), 0);
    assert_int_equal(sigv4_parse_auth(&r, &a, &err), 0);
    assert_string_equal(a.amz_date, "20150830T123601Z");
    assert_int_equal(sigv4_verify(&r, &a, "secret", NULL, &o, NULL, &err), -DR_EDENIED);
    assert_string_equal(err.code, "SignatureDoesNotMatch");
    /* an unparseable Date is named */
    assert_int_equal(http_headers_set(&r.headers, "Date", "yesterday"), 0);
    assert_int_equal(sigv4_parse_auth(&r, &a, &err), -DR_EDENIED);
    assert_string_equal(err.code, "IncompleteSignature");
    assert_non_null(strstr(err.msg, "Date header must be an RFC 7231 HTTP date"));
    buf_cleanup(&creq);
    buf_cleanup(&sts);
    buf_cleanup(&authz);
    http_req_cleanup(&r);
}

static void test_sigv4_parse_auth_errors(void **state)
{
    struct dr_err err;
    (void)state;

    assert_int_equal(parse_with_authz(NULL, NULL, &err), -DR_EDENIED);
    assert_string_equal(err.code, "MissingAuthenticationToken");
    assert_string_equal(err.msg, "Request is missing Authentication Token");

    assert_int_equal(parse_with_authz("AWS4-HMAC-SHA256 Credential=" CRED ", SignedHeaders=host, "
                                      "Signature=" SIG64,
                                      "20150830T123600Z", &err),
                     0);
    assert_int_equal(
        parse_with_authz("AWS4-HMAC-SHA256 Credential=" CRED ", Signature=" SIG64, NULL, &err),
        -DR_EDENIED);
    assert_string_equal(err.code, "IncompleteSignature");
    assert_int_equal(err.http_status, 400);
    assert_non_null(strstr(err.msg, "requires 'SignedHeaders' parameter. "));
    assert_non_null(strstr(err.msg, "'X-Amz-Date' or a 'Date' header"));
    assert_null(strstr(err.msg, "'Credential' parameter"));

    assert_int_equal(parse_with_authz("Bearer abc", "20150830T123600Z", &err), -DR_EDENIED);
    assert_string_equal(err.code, "IncompleteSignature");
    assert_non_null(strstr(err.msg, "Authorization=Bearer abc"));

    assert_int_equal(parse_with_authz("AWS4-HMAC-SHA512 Credential=x", "20150830T123600Z", &err),
                     -DR_EDENIED);
    assert_non_null(strstr(err.msg, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"));

    assert_int_equal(parse_with_authz("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1, "
                                      "SignedHeaders=host, Signature=" SIG64,
                                      "20150830T123600Z", &err),
                     -DR_EDENIED);
    assert_non_null(strstr(err.msg, "exactly 5 slash-delimited elements"));

    assert_int_equal(parse_with_authz("AWS4-HMAC-SHA256 Credential=" CRED ", SignedHeaders=host, "
                                      "Signature=abc",
                                      "20150830T123600Z", &err),
                     -DR_EDENIED);
    assert_non_null(strstr(err.msg, "64 hexadecimal"));

    assert_int_equal(parse_with_authz("AWS4-HMAC-SHA256 Credential=" CRED
                                      ", SignedHeaders=x-amz-date, Signature=" SIG64,
                                      "20150830T123600Z", &err),
                     -DR_EDENIED);
    assert_non_null(strstr(err.msg, "'Host'"));

    assert_int_equal(parse_with_authz("AWS4-HMAC-SHA256 Credential=" CRED ", SignedHeaders=Host, "
                                      "Signature=" SIG64,
                                      "20150830T123600Z", &err),
                     -DR_EDENIED);
    assert_non_null(strstr(err.msg, "lowercase"));

    assert_int_equal(parse_with_authz("AWS4-HMAC-SHA256 Credential=" CRED ", SignedHeaders=host, "
                                      "Signature=" SIG64,
                                      "2015-08-30T12:36:00Z", &err),
                     -DR_EDENIED);
    assert_non_null(strstr(err.msg, "ISO-8601 'basic format'"));

    assert_int_equal(parse_with_authz("AWS4-HMAC-SHA256 Credential=" CRED ", junk", "x", &err),
                     -DR_EDENIED);
    assert_non_null(strstr(err.msg, "missing equal-sign"));

    /* presigned */
    assert_int_equal(parse_with_query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x", &err),
                     -DR_EDENIED);
    assert_string_equal(err.code, "IncompleteSignature");
    assert_non_null(strstr(err.msg, "Query-string authentication version 4 requires"));
    assert_int_equal(parse_with_query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F"
                                      "20150830%2Fus-east-1%2Fsvc%2Faws4_request&X-Amz-Date="
                                      "20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires="
                                      "604801&X-Amz-Signature=" SIG64,
                                      &err),
                     -DR_EDENIED);
    assert_non_null(strstr(err.msg, "604800"));
    assert_int_equal(parse_with_query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F"
                                      "20150830%2Fus-east-1%2Fsvc%2Faws4_request&X-Amz-Date="
                                      "20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires="
                                      "60&X-Amz-Signature=" SIG64,
                                      &err),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigv4_aws_suite),
        cmocka_unit_test(test_sigv4_signing_key_aws_example),
        cmocka_unit_test(test_sigv4_double_encoding_and_s3_mode),
        cmocka_unit_test(test_sigv4_canonical_query_rules),
        cmocka_unit_test(test_sigv4_roundtrip_header_and_presign),
        cmocka_unit_test(test_sigv4_matches_botocore_drs_rest),
        cmocka_unit_test(test_sigv4_unsigned_payload_s3),
        cmocka_unit_test(test_sigv4_verify_errors),
        cmocka_unit_test(test_sigv4_parse_auth_errors),
        cmocka_unit_test(test_sigv4_verify_date_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
