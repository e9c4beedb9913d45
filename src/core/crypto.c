/*
 * crypto.c - SHA-256, HMAC-SHA256, CSPRNG and base64 on OpenSSL.
 */
#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>

void crypto_sha256(const void *data, size_t n, unsigned char out[SHA256_LEN])
{
    SHA256(data, n, out);
}

void crypto_sha256_hex(const void *data, size_t n, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char d[SHA256_LEN];
    int i;

    SHA256(data, n, d);
    for (i = 0; i < SHA256_LEN; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = '\0';
}

void crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                        unsigned char out[SHA256_LEN])
{
    unsigned int len = SHA256_LEN;
    HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len);
}

int crypto_random(void *out, size_t n, struct dr_err *err)
{
    if (n > (size_t)1 << 30 || RAND_bytes(out, (int)n) != 1)
        return dr_err_set(err, DR_EINTERNAL, "the CSPRNG failed");
    return 0;
}

int crypto_random_hex(char *out, size_t nbytes, struct dr_err *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char tmp[256];
    size_t i;

    if (nbytes > sizeof(tmp))
        return dr_err_set(err, DR_EINVAL, "random_hex: too many bytes");
    if (crypto_random(tmp, nbytes, err) < 0)
        return -DR_EINTERNAL;
    for (i = 0; i < nbytes; i++) {
        out[2 * i] = hex[tmp[i] >> 4];
        out[2 * i + 1] = hex[tmp[i] & 15];
    }
    out[2 * nbytes] = '\0';
    OPENSSL_cleanse(tmp, sizeof(tmp));
    return 0;
}

int crypto_memeq(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

int crypto_b64_encode(const void *data, size_t n, struct buf *out)
{
    size_t need = 4 * ((n + 2) / 3);
    int w;

    if (buf_grow(out, need) < 0)
        return -DR_ENOMEM;
    w = EVP_EncodeBlock((unsigned char *)out->p + out->len, data, (int)n);
    out->len += (size_t)w;
    out->p[out->len] = '\0';
    return 0;
}

int crypto_b64_decode(const char *s, size_t n, struct buf *out, struct dr_err *err)
{
    size_t need = 3 * (n / 4) + 3, pad = 0, i;
    int w;

    if (n % 4 != 0)
        return dr_err_set(err, DR_EPARSE, "base64: length %zu is not a multiple of 4", n);
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || (c == '=' && i >= n - 2)))
            return dr_err_set(err, DR_EPARSE, "base64: invalid character at offset %zu", i);
    }
    if (n >= 1 && s[n - 1] == '=')
        pad++;
    if (n >= 2 && s[n - 2] == '=')
        pad++;
    if (buf_grow(out, need) < 0)
        return -DR_ENOMEM;
    w = EVP_DecodeBlock((unsigned char *)out->p + out->len, (const unsigned char *)s, (int)n);
    if (w < 0)
        return dr_err_set(err, DR_EPARSE, "base64: invalid input");
    out->len += (size_t)w - pad;
    out->p[out->len] = '\0';
    return 0;
}
