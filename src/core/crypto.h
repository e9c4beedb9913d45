/*
 * crypto.h - the hashing, HMAC and CSPRNG primitives drover needs, on
 * OpenSSL. Depends on core/err.h and core/buf.h.
 */
#ifndef DROVER_CORE_CRYPTO_H
#define DROVER_CORE_CRYPTO_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define SHA256_LEN 32

void crypto_sha256(const void *data, size_t n, unsigned char out[SHA256_LEN]);
/* Lowercase hex of SHA-256(data): out must hold 65 bytes. */
void crypto_sha256_hex(const void *data, size_t n, char out[65]);
void crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                        unsigned char out[SHA256_LEN]);
/* Fills out with n bytes from the OS CSPRNG (RAND_bytes). 0 or -DR_EINTERNAL. */
int crypto_random(void *out, size_t n, struct dr_err *err);
/* Writes 2*nbytes lowercase hex chars + NUL into out (size >= 2*nbytes+1). */
int crypto_random_hex(char *out, size_t nbytes, struct dr_err *err);
/* Constant-time comparison of two equal-length byte strings. */
int crypto_memeq(const void *a, const void *b, size_t n);

/* Base64 (standard alphabet, padded). Return 0 or negative. */
int crypto_b64_encode(const void *data, size_t n, struct buf *out);
int crypto_b64_decode(const char *s, size_t n, struct buf *out, struct dr_err *err);

#endif
