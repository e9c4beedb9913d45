/*
 * creds.c - one set of AWS credentials, wiped on cleanup.
 */
#include "aws/creds.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

static void wipe_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

void aws_creds_cleanup(struct aws_creds *c)
{
    free(c->access_key_id);
    wipe_free(c->secret_access_key);
    wipe_free(c->session_token);
    memset(c, 0, sizeof(*c));
}

int aws_creds_set(struct aws_creds *c, const char *akid, const char *secret, const char *token,
                  int64_t expiration_ms, const char *source, struct dr_err *err)
{
    struct aws_creds n;

    memset(&n, 0, sizeof(n));
    if (!akid || !*akid || !secret || !*secret)
        return dr_err_set(err, DR_ECRED, "credentials need an access key ID and a secret key");
    n.access_key_id = strdup(akid);
    n.secret_access_key = strdup(secret);
    n.session_token = token && *token ? strdup(token) : NULL;
    if (!n.access_key_id || !n.secret_access_key || (token && *token && !n.session_token)) {
        aws_creds_cleanup(&n);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    n.expiration_ms = expiration_ms;
    n.source = source ? source : "static";
    aws_creds_cleanup(c);
    *c = n;
    return 0;
}

int aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src, struct dr_err *err)
{
    if (dst == src)
        return 0;
    return aws_creds_set(dst, src->access_key_id, src->secret_access_key, src->session_token,
                         src->expiration_ms, src->source, err);
}

int aws_creds_valid(const struct aws_creds *c, int64_t now_ms, int64_t margin_ms)
{
    if (!c->access_key_id || !c->secret_access_key)
        return 0;
    return c->expiration_ms == 0 || c->expiration_ms - margin_ms > now_ms;
}
