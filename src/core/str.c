/*
 * str.c - string slices and safe string helpers. Depends on libc only.
 */
#include "core/str.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct str str_from(const char *s)
{
    struct str r = {s, s ? strlen(s) : 0};
    return r;
}

bool str_eq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool str_eq_cstr(struct str a, const char *b)
{
    return str_eq(a, str_from(b));
}

bool str_case_eq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || strncasecmp(a.p, b.p, a.len) == 0);
}

bool str_starts_with(struct str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.p, prefix, n) == 0;
}

struct str str_trim(struct str s)
{
    while (s.len && isspace((unsigned char)s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && isspace((unsigned char)s.p[s.len - 1]))
        s.len--;
    return s;
}

struct str str_cut(struct str s, char sep, struct str *head)
{
    const char *q = s.len ? memchr(s.p, sep, s.len) : NULL;
    struct str rest = {NULL, 0};

    if (!q) {
        *head = s;
        return rest;
    }
    head->p = s.p;
    head->len = (size_t)(q - s.p);
    rest.p = q + 1;
    rest.len = s.len - head->len - 1;
    return rest;
}

char *str_dup(struct str s)
{
    char *r = malloc(s.len + 1);
    if (!r)
        return NULL;
    if (s.len)
        memcpy(r, s.p, s.len);
    r[s.len] = '\0';
    return r;
}

size_t dr_strlcpy(char *dst, const char *src, size_t n)
{
    size_t len = strlen(src);
    if (n) {
        size_t c = len < n - 1 ? len : n - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return len;
}

int dr_parse_i64(const char *s, int64_t *out)
{
    char *end;
    long long v;

    if (!s || !*s)
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int dr_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int dr_parse_double(const char *s, double *out)
{
    char *end;
    double v;

    if (!s || !*s)
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

bool dr_strcaseeq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

void dr_one_line(const char *p, size_t len, char *out, size_t n)
{
    size_t o = 0;
    bool space = false;

    if (n == 0)
        return;
    for (size_t i = 0; i < len && o + 1 < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < n)
            out[o++] = ' ';
        space = false;
        out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[o] = '\0';
}
