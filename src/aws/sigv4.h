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
 * path normalized (RFC 3986 dot segments removed and empty segments
 * collapsed, as botocore's remove_dot_segments and the AWS suite do) and
 * then URI-encoded once more, keeping '/' ("double encoding"): an
 * already-encoded "/tags/arn%3Aaws" is signed as "/tags/arn%253Aaws",
 * a raw "/a b" as "/a%20b". For S3 (`s3_mode`) the path is used as sent:
 * existing %XX escapes are kept, only bytes that may not appear in an
 * encoded path (space, UTF-8, ...) are escaped.
 *
 * Query rules: parameters are split on '&' and the first '=', each name
 * and value percent-decoded ('+' stays '+') and re-encoded per RFC 3986,
 * then sorted by encoded name, then encoded value.
 *
 * Headers: every header on the request is signed except user-agent,
 * expect, x-amzn-trace-id and authorization (botocore's list); names are
 * lowercased, values trimmed with whitespace runs (including the line
 * breaks of folded values) collapsed to one space, repeated headers
 * joined with ',' in order. Host comes from req->host when the request
 * has no Host header.
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
    int64_t expires;         /* presign only: X-Amz-Expires seconds (1..604800; 0 = 3600) */
    bool omit_session_token; /* add the session token after signing, unsigned (IoT style) */
};

struct sigv4_debug {
    struct buf canonical_request;
    struct buf string_to_sign;
    char signature[65];
};

void sigv4_debug_init(struct sigv4_debug *d);
void sigv4_debug_cleanup(struct sigv4_debug *d);

/* ---- stages, shared by the signer and the verifier (and unit tests) ---- */

/* Appends the canonical URI of a request-line path (rules above). */
int sigv4_canonical_uri(struct buf *out, const char *path, bool s3_mode);
/* Appends the canonical query string of a raw query; a parameter whose
 * decoded name equals skip (may be NULL) is left out. */
int sigv4_canonical_query(struct buf *out, const char *query, const char *skip);
/* Appends "name:value\n" for each name of the ';'-separated lowercase
 * signed_headers list, values taken from h (Host falls back to host). */
int sigv4_canonical_headers(struct buf *out, const struct http_headers *h, const char *host,
                            const char *signed_headers);
/* The ';'-separated sorted list of the headers sigv4_sign would sign on h
 * (plus "host"); a header named omit (may be NULL) is left out. */
int sigv4_signed_header_list(struct buf *out, const struct http_headers *h, const char *omit);
/* SigV4 key derivation: HMAC chain over date (YYYYMMDD), region, service, "aws4_request". */
void sigv4_signing_key(const char *secret, const char *date, const char *region,
                       const char *service, unsigned char out[32]);

/*
 * Adds X-Amz-Security-Token (when a session token is set), X-Amz-Date,
 * optionally X-Amz-Content-Sha256, and Authorization to req, replacing
 * earlier ones (so a retry can re-sign). Signs every header present on
 * req at call time (see above). The payload hash is UNSIGNED-PAYLOAD when
 * asked, else the value of an X-Amz-Content-Sha256 header the caller set,
 * else sha256(body). dbg may be NULL.
 */
int sigv4_sign(struct http_request *req, const struct sigv4_params *p, struct sigv4_debug *dbg,
               struct dr_err *err);

/* Appends X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires,
 * -Security-Token and -Signature query parameters to req->query (in that
 * order, after the existing ones). Payload hash: UNSIGNED-PAYLOAD when
 * p->unsigned_payload (S3 presigning does so), else sha256(body) as
 * botocore's SigV4QueryAuth does. */
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
    char signature[65]; /* 64 lowercase hex */
    bool security_token_present;
    int64_t expires; /* presigned only */
};

/*
 * Parses the Authorization header (or, when there is none, the X-Amz-*
 * query parameters of a presigned URL) and X-Amz-Date (for header
 * signing, an RFC 7231 Date header stands in when there is no X-Amz-Date,
 * as AWS allows; auth->amz_date is then its basic form). Checks only the
 * form: algorithm AWS4-HMAC-SHA256, five-element credential ending in
 * aws4_request, ISO-8601 basic X-Amz-Date, lowercase SignedHeaders that
 * include host, 64-hex signature, X-Amz-Expires in 1..604800.
 * Errors: -DR_EDENIED, err->http_status 403 (400 for IncompleteSignature),
 * err->code "MissingAuthenticationToken" (no signature at all) or
 * "IncompleteSignature", and a message as AWS would give.
 */
int sigv4_parse_auth(const struct http_request *req, struct sigv4_auth *auth, struct dr_err *err);

struct sigv4_verify_opts {
    time_t now;           /* verifier clock */
    int max_skew_seconds; /* 0 = 900 (AWS default, 15 minutes) */
    bool s3_mode;
    const char *region;  /* when set, the credential scope must name it */
    const char *service; /* when set, the credential scope must name it */
};

/*
 * Recomputes the signature of req with the secret key that belongs to
 * auth->access_key_id, using only the headers listed in SignedHeaders,
 * and compares it in constant time. Checks, in order:
 * - session token: when session_token is not NULL, X-Amz-Security-Token
 *   (header, or query when presigned) must equal it: "InvalidClientTokenId";
 * - scope: the credential date must be X-Amz-Date's day, and region and
 *   service must match opts when set: "SignatureDoesNotMatch";
 * - time: header-signed requests must be within max_skew of opts->now
 *   ("SignatureDoesNotMatch", "Signature expired: ..." / "Signature not
 *   yet current: ..." as AWS words it); presigned URLs must not be used
 *   after X-Amz-Date + X-Amz-Expires ("AccessDenied", "Request has expired");
 * - payload: an X-Amz-Content-Sha256 header other than UNSIGNED-PAYLOAD
 *   must equal sha256(body) ("XAmzContentSHA256Mismatch"); it is the
 *   payload hash when present, else sha256(body) (presigned S3 requests:
 *   UNSIGNED-PAYLOAD);
 * - signature: "SignatureDoesNotMatch". A presigned URL whose
 *   X-Amz-Security-Token was added after signing (omit_session_token) is
 *   accepted too: the signature is tried without that parameter as well.
 * 0 when it matches; otherwise -DR_EDENIED (http_status 403) with
 * err->code set, and the expected canonical request, string to sign and
 * signature in dbg when dbg is not NULL.
 */
int sigv4_verify(const struct http_request *req, const struct sigv4_auth *auth,
                 const char *secret_access_key, const char *session_token,
                 const struct sigv4_verify_opts *opts, struct sigv4_debug *dbg, struct dr_err *err);

#endif
