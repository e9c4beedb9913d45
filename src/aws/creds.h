/*
 * creds.h - one set of AWS credentials. Heap strings; the secret and the
 * session token are wiped on cleanup. Depends on core/err only.
 */
#ifndef DROVER_AWS_CREDS_H
#define DROVER_AWS_CREDS_H

#include <stdint.h>

#include "core/err.h"

struct aws_creds {
    char *access_key_id;
    char *secret_access_key;
    char *session_token;   /* NULL for long-term keys */
    int64_t expiration_ms; /* epoch ms; 0 = does not expire */
    const char *source; /* static string: "env", "profile:NAME", "process", "imds", "assume-role" */
};

/* Copies the strings; session_token may be NULL. */
int aws_creds_set(struct aws_creds *c, const char *akid, const char *secret, const char *token,
                  int64_t expiration_ms, const char *source, struct dr_err *err);
int aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src, struct dr_err *err);
/* Wipes and frees; leaves *c zeroed. */
void aws_creds_cleanup(struct aws_creds *c);
/* True when set and not expiring within margin_ms of now_ms. */
int aws_creds_valid(const struct aws_creds *c, int64_t now_ms, int64_t margin_ms);

#endif
