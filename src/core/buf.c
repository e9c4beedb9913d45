/*
 * buf.c - the capped growable buffer. Depends on libc only.
 */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static char empty_string[1];

void buf_init(struct buf *b, size_t max)
{
    b->p = empty_string;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : BUF_DEFAULT_MAX;
}

void buf_cleanup(struct buf *b)
{
    if (b->cap)
        free(b->p);
    b->p = empty_string;
    b->len = 0;
    b->cap = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->cap)
        b->p[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *s;
    size_t max = b->max;

    if (len)
        *len = b->len;
    if (b->cap) {
        s = b->p;
    } else {
        s = malloc(1);
        if (s)
            s[0] = '\0';
    }
    buf_init(b, max);
    return s;
}

int buf_grow(struct buf *b, size_t extra)
{
    size_t need, ncap;
    char *np;

    if (extra > b->max || b->len > b->max - extra) {
        buf_cleanup(b);
        return -DR_ENOMEM;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap = ncap * 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    np = b->cap ? realloc(b->p, ncap) : malloc(ncap);
    if (!np) {
        buf_cleanup(b);
        return -DR_ENOMEM;
    }
    if (!b->cap)
        np[0] = '\0';
    b->p = np;
    b->cap = ncap;
    return 0;
}

int buf_add(struct buf *b, const void *data, size_t n)
{
    if (buf_grow(b, n) < 0)
        return -DR_ENOMEM;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addch(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return -DR_EINVAL;
    if (buf_grow(b, (size_t)n) < 0)
        return -DR_ENOMEM;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int buf_addhex(struct buf *b, const unsigned char *data, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    if (buf_grow(b, n * 2) < 0)
        return -DR_ENOMEM;
    for (i = 0; i < n; i++) {
        b->p[b->len++] = hex[data[i] >> 4];
        b->p[b->len++] = hex[data[i] & 15];
    }
    b->p[b->len] = '\0';
    return 0;
}

void buf_truncate(struct buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->p[len] = '\0';
    }
}
