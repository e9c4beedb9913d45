/*
 * variables.c - IAM policy variables: ${aws:username}, ${aws:PrincipalTag/k},
 * defaults as in ${aws:PrincipalTag/team, 'x'}, and the escapes ${*} ${?}
 * ${$}. Compiles written values into pattern sources and resolves them
 * per request into caller buffers (no heap). Variables apply only to
 * Version 2012-10-17 policies. Depends on internal.h only.
 */
#include <string.h>

#include "policy/internal.h"

/* Parses "${...}" at s[i]. On success sets the key and default (or
 * dflt = NULL) and returns the length consumed, else 0. */
static size_t parse_var(const char *s, size_t len, size_t i, const char **key, size_t *keylen,
                        const char **dflt, size_t *dlen)
{
    size_t j, k;

    if (i + 2 >= len || s[i] != '$' || s[i + 1] != '{')
        return 0;
    for (j = i + 2; j < len && s[j] != '}' && s[j] != ','; j++)
        ;
    if (j >= len)
        return 0;
    *key = s + i + 2;
    *keylen = j - (i + 2);
    while (*keylen && (*key)[*keylen - 1] == ' ')
        (*keylen)--;
    *dflt = NULL;
    *dlen = 0;
    if (s[j] == '}')
        return j + 1 - i;
    /* , 'default' } */
    for (k = j + 1; k < len && s[k] == ' '; k++)
        ;
    if (k >= len || s[k] != '\'')
        return 0;
    *dflt = s + k + 1;
    for (k = k + 1; k < len && s[k] != '\''; k++)
        ;
    if (k >= len)
        return 0;
    *dlen = (size_t)(s + k - *dflt);
    for (k = k + 1; k < len && s[k] == ' '; k++)
        ;
    if (k >= len || s[k] != '}')
        return 0;
    return k + 1 - i;
}

static int escape_of(const char *key, size_t keylen)
{
    if (keylen == 1 && (key[0] == '*' || key[0] == '?' || key[0] == '$'))
        return key[0];
    return 0;
}

char *var_compile(struct arena *a, const char *s, size_t len, bool glob, bool v2012, bool *has_var,
                  size_t *outlen)
{
    /* Worst case every byte doubles (escaped ESC). */
    char *out = arena_alloc(a, 2 * len + 1);
    size_t i, o = 0;
    bool vars = false, escapes = false;

    if (!out)
        return NULL;
    for (i = 0; i < len;) {
        const char *key, *dflt;
        size_t keylen, dlen, n = v2012 ? parse_var(s, len, i, &key, &keylen, &dflt, &dlen) : 0;
        if (n) {
            int e = escape_of(key, keylen);
            if (e) {
                escapes = true;
                out[o++] = PAT_ESC;
                out[o++] = (char)e;
            } else {
                vars = true;
                memcpy(out + o, s + i, n);
                o += n;
            }
            i += n;
            continue;
        }
        if (s[i] == PAT_ESC) {
            escapes = true;
            out[o++] = PAT_ESC;
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    if (!vars && escapes && !glob) {
        /* Plain operators compare the final string: drop the escapes now. */
        size_t r, w = 0;
        for (r = 0; r < o; r++) {
            if (out[r] == PAT_ESC && r + 1 < o)
                r++;
            out[w++] = out[r];
        }
        out[w] = '\0';
        o = w;
    }
    *has_var = vars;
    *outlen = o;
    return out;
}

static int put(char *out, size_t cap, size_t *o, char c)
{
    if (*o + 1 >= cap)
        return -1;
    out[(*o)++] = c;
    return 0;
}

static int put_value(char *out, size_t cap, size_t *o, const char *v, size_t n, bool glob)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (glob && (v[i] == '*' || v[i] == '?' || v[i] == PAT_ESC) &&
            put(out, cap, o, PAT_ESC) < 0)
            return -1;
        if (put(out, cap, o, v[i]) < 0)
            return -1;
    }
    return 0;
}

long var_resolve(const char *s, size_t len, bool glob, const struct eval_req *r, char *out,
                 size_t cap, const char **var, size_t *varlen)
{
    size_t i, o = 0;

    for (i = 0; i < len;) {
        const char *key, *dflt;
        size_t keylen, dlen, n;

        if (s[i] == PAT_ESC && i + 1 < len) {
            if ((glob && put(out, cap, &o, PAT_ESC) < 0) || put(out, cap, &o, s[i + 1]) < 0)
                return -2;
            i += 2;
            continue;
        }
        n = parse_var(s, len, i, &key, &keylen, &dflt, &dlen);
        if (!n) {
            if (put(out, cap, &o, s[i++]) < 0)
                return -2;
            continue;
        }
        const struct policy_ctx_entry *e = ctx_find(r, key, keylen);
        if (e && !e->is_list && e->nvals == 1 && e->vals[0]) {
            if (put_value(out, cap, &o, e->vals[0], strlen(e->vals[0]), glob) < 0)
                return -2;
        } else if (dflt) {
            if (put_value(out, cap, &o, dflt, dlen, glob) < 0)
                return -2;
        } else {
            *var = key;
            *varlen = keylen;
            return -1;
        }
        i += n;
    }
    out[o] = '\0';
    return (long)o;
}
