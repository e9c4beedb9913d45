/*
 * sigv4.h - AWS Signature Version 4: header signing, query (presigned
 * URL) signing, and a verifier that recomputes a received request's
 * signature (used by `drover sim`).
 *
 * Staged like aws-c-auth: canonical request -> string to sign ->
 * signature, each kept in struct sigv4_debug when the caller asks, so a
 * failing vector names the stage that broke.
 *
 * Path rules: for every service but S3, the canonical URI is the request
 * path normalized (RFC 3986 dot segments, duplicate slashes kept as in the
 * AWS suite) and each segment URI-encoded once more ("double encoding"),
 * as botocore does. For S3 (`s3_mode`) the path is used as sent.
 * Depends on core/, aws/http.h, aws/creds.h.
 */
#ifndef DROVER_AWS_SIGV4_H
#define DROVER_AWS_SIGV4_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "aws/creds.h"
#include "aws/http.h"
#include "core/buf.h"
#include "core/err.h"

#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

struct sigv4_params {
    const char *region;  /* signing region, "us-east-1" */
    const char *service; /* signing name, "drs", "sts", "execute-api" */
    time_t now;          /* request time (epoch seconds) */
    const struct aws_creds *creds;
    bool s3_mode;            /* no path normalization, no double encoding */
    bool unsigned_payload;   /* hash is UNSIGNED-PAYLOAD */
    bool add_content_sha256; /* also send X-Amz-Content-Sha256 (S3 style) */
    int64_t expires;         /* presign only: X-Amz-Expires seconds (1..604800) */
};

struct sigv4_debug {
    struct buf canonical_request;
    struct buf string_to_sign;
    char signature[65];
};

void sigv4_debug_init(struct sigv4_debug *d);
void sigv4_debug_cleanup(struct sigv4_debug *d);

/*
 * Adds X-Amz-Date, X-Amz-Security-Token (when a session token is set),
 * optionally X-Amz-Content-Sha256, and Authorization to req. Signs every
 * header present on req at call time (Host must be derivable from
 * req->host). dbg may be NULL.
 */
int sigv4_sign(struct http_request *req, const struct sigv4_params *p, struct sigv4_debug *dbg,
               struct dr_err *err);

/* Appends X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders,
 * -Security-Token and -Signature query parameters to req->query. */
int sigv4_presign(struct http_request *req, const struct sigv4_params *p, struct sigv4_debug *dbg,
                  struct dr_err *err);

/* What a received request claims about its signature. */
struct sigv4_auth {
    bool presigned;
    char access_key_id[129];
    char date[9]; /* credential scope date YYYYMMDD */
    char region[64];
    char service[64];
    char amz_date[17]; /* X-Amz-Date */
    char signed_headers[1024];
    char signature[65];
    char security_token_present;
    int64_t expires; /* presigned only */
};

/*
 * Parses the Authorization header (or, for presigned requests, the query
 * parameters). Errors: -DR_EDENIED with err->code "MissingAuthenticationToken"
 * / "IncompleteSignature" and a message as AWS would give.
 */
int sigv4_parse_auth(const struct http_request *req, struct sigv4_auth *auth, struct dr_err *err);

struct sigv4_verify_opts {
    time_t now;           /* verifier clock */
    int max_skew_seconds; /* 0 = 900 (AWS default, 15 minutes) */
    bool s3_mode;
};

/*
 * Recomputes the signature of req with the secret key that belongs to
 * auth->access_key_id. 0 when it matches; otherwise -DR_EDENIED with
 * err->code "SignatureDoesNotMatch" (or "RequestExpired" /
 * "SignatureDoesNotMatch" for skew) and the expected canonical request /
 * string to sign in dbg when dbg is not NULL.
 */
int sigv4_verify(const struct http_request *req, const struct sigv4_auth *auth,
                 const char *secret_access_key, const char *session_token,
                 const struct sigv4_verify_opts *opts, struct sigv4_debug *dbg, struct dr_err *err);

#endif
