/*
 * sigv4_int.h - internals shared by sigv4.c (signers) and sigv4_verify.c
 * (parser and verifier). Not for other modules. Depends on aws/sigv4.h.
 */
#ifndef DROVER_AWS_SIGV4_INT_H
#define DROVER_AWS_SIGV4_INT_H

#include <stdbool.h>

#include "aws/sigv4.h"

struct sigv4_creq_in {
    const char *method;
    const char *path;
    const char *query;       /* raw query, all parameters to sign */
    const char *skip_param;  /* decoded name left out (X-Amz-Signature), or NULL */
    const char *skip_param2; /* another one (X-Amz-Security-Token), or NULL */
    const struct http_headers *headers;
    const char *host;           /* fallback for the host header */
    const char *signed_headers; /* ';' list, lowercase */
    const char *payload_hash;
    bool s3_mode;
};

/* Appends the canonical request. 0 or -DR_ENOMEM. */
int sigv4_build_creq(struct buf *creq, const struct sigv4_creq_in *in);

/* Appends the string to sign to sts and writes the hex signature. */
int sigv4_finish(const struct buf *creq, const char *amz_date, const char *date, const char *region,
                 const char *service, const char *secret, struct buf *sts, char sig[65]);

/* sigv4_canonical_query leaving out two parameter names (either may be NULL). */
int sigv4_canonical_query2(struct buf *out, const char *query, const char *skip, const char *skip2);

/* Decodes %XX escapes; a '%' not followed by two hex digits stays literal. */
int sigv4_lenient_decode(struct buf *out, const char *s, size_t n);

#endif
