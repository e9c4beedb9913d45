/*
 * bench_sigv4.c - prints how many requests per second sigv4_sign and
 * sigv4_parse_auth + sigv4_verify handle for a typical JSON-protocol DRS
 * call. Figures only; never a pass/fail on speed.
 */
#include <stdio.h>
#include <string.h>

#include "aws/creds.h"
#include "aws/http.h"
#include "aws/sigv4.h"
#include "core/timeutil.h"

int main(void)
{
    struct aws_creds c = {0};
    struct http_request base, r;
    struct sigv4_params p = {.region = "us-east-1", .service = "drs", .now = 1700000000};
    struct sigv4_verify_opts o = {.now = 1700000000};
    struct sigv4_auth auth;
    const char body[] = "{\"filters\":{\"sourceServerIDs\":[\"s-1234567890abcdef0\"]},"
                        "\"maxResults\":200}";
    int n = 20000, ok = 0;
    int64_t t0, t1;

    if (aws_creds_set(&c, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token", 0,
                      "env", NULL) < 0 ||
        http_req_init(&base, "POST", "https", "drs.us-east-1.amazonaws.com",
                      "/DescribeSourceServers", "", NULL) < 0 ||
        http_headers_add(&base.headers, "Content-Type", "application/json") < 0 ||
        http_headers_add(&base.headers, "User-Agent", "drover/0.1") < 0 ||
        http_req_set_body(&base, body, sizeof(body) - 1, NULL) < 0)
        return 1;
    p.creds = &c;
    if (http_req_copy(&r, &base, NULL) < 0)
        return 1;
    t0 = time_mono_ms();
    for (int i = 0; i < n; i++)
        ok += sigv4_sign(&r, &p, NULL, NULL) == 0;
    t1 = time_mono_ms();
    printf("sigv4_sign:          %d requests in %lld ms = %.0f/s (%d ok)\n", n,
           (long long)(t1 - t0), n * 1000.0 / (double)(t1 - t0 ? t1 - t0 : 1), ok);
    ok = 0;
    t0 = time_mono_ms();
    for (int i = 0; i < n; i++)
        ok += sigv4_parse_auth(&r, &auth, NULL) == 0 &&
              sigv4_verify(&r, &auth, c.secret_access_key, "token", &o, NULL, NULL) == 0;
    t1 = time_mono_ms();
    printf("sigv4_parse+verify:  %d requests in %lld ms = %.0f/s (%d ok)\n", n,
           (long long)(t1 - t0), n * 1000.0 / (double)(t1 - t0 ? t1 - t0 : 1), ok);
    http_req_cleanup(&r);
    http_req_cleanup(&base);
    aws_creds_cleanup(&c);
    return 0;
}
