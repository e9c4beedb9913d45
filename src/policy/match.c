/*
 * match.c - the policy engine's pattern matching: the compile arena, glob
 * matching with '*' '?' and escaped literals, glob intersection and
 * subset (for requests that name a resource pattern), and ARN matching
 * part by part. No knowledge of statements or policies.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

/* ---- arena ---- */

struct arena_block {
    struct arena_block *next;
    size_t used, size;
    max_align_t data[];
};

#define ARENA_BLOCK 4096

void *arena_alloc(struct arena *a, size_t n)
{
    struct arena_block *b = a->head;
    size_t need = (n + 15) & ~(size_t)15;

    if (!b || b->size - b->used < need) {
        size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
        b = calloc(1, sizeof(*b) + size);
        if (!b)
            return NULL;
        b->size = size;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += need;
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void arena_free(struct arena *a)
{
    struct arena_block *b = a->head, *next;
    for (; b; b = next) {
        next = b->next;
        free(b);
    }
    a->head = NULL;
}

/* ---- globs ---- */

void pat_classify(struct pat *p)
{
    size_t i, stars = 0, wild = 0;
    for (i = 0; i < p->len; i++) {
        if (p->s[i] == PAT_ESC) {
            wild++; /* escapes need the general matcher */
            i++;
        } else if (p->s[i] == '*') {
            stars++;
        } else if (p->s[i] == '?') {
            wild++;
        }
    }
    if (p->len == 1 && p->s[0] == '*')
        p->kind = PAT_ANY;
    else if (!stars && !wild)
        p->kind = PAT_EXACT;
    else if (stars == 1 && !wild && p->s[p->len - 1] == '*')
        p->kind = PAT_PREFIX;
    else
        p->kind = PAT_GLOB;
}

bool glob_match(const char *p, size_t plen, const char *s, size_t slen)
{
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

    while (si < slen) {
        if (pi < plen && p[pi] == '*') {
            star_p = pi++;
            star_s = si;
            continue;
        }
        if (pi < plen) {
            if (p[pi] == '?') {
                pi++;
                si++;
                continue;
            }
            if (p[pi] == PAT_ESC && pi + 1 < plen) {
                if (p[pi + 1] == s[si]) {
                    pi += 2;
                    si++;
                    continue;
                }
            } else if (p[pi] == s[si]) {
                pi++;
                si++;
                continue;
            }
        }
        if (star_p == (size_t)-1)
            return false;
        pi = star_p + 1;
        si = ++star_s;
    }
    while (pi < plen && p[pi] == '*')
        pi++;
    return pi == plen;
}

bool pat_match(const struct pat *p, const char *s, size_t slen)
{
    switch ((enum pat_kind)p->kind) {
    case PAT_ANY:
        return true;
    case PAT_EXACT:
        return p->len == slen && memcmp(p->s, s, slen) == 0;
    case PAT_PREFIX:
        return slen >= p->len - 1 && memcmp(p->s, s, p->len - 1) == 0;
    case PAT_GLOB:
        return glob_match(p->s, p->len, s, slen);
    }
    return false;
}

/* A glob as tokens: kind 0 literal, 1 '?', 2 '*'. */
struct gtok {
    uint8_t kind;
    char c;
};

static size_t tokenize(const char *s, size_t len, struct gtok *t)
{
    size_t i, n = 0;
    for (i = 0; i < len; i++) {
        if (s[i] == PAT_ESC && i + 1 < len) {
            t[n].kind = 0;
            t[n++].c = s[++i];
        } else if (s[i] == '*') {
            if (n && t[n - 1].kind == 2)
                continue; /* "**" is "*" */
            t[n].kind = 2;
            t[n++].c = 0;
        } else {
            t[n].kind = s[i] == '?' ? 1 : 0;
            t[n++].c = s[i];
        }
    }
    return n;
}

#define GLOB_DP_MAX 2048

/*
 * Reachability over the product of two glob automata. `subset`: every
 * string of A (sub) must be produced by B (sup) (a sound approximation:
 * A's wildcards may only be covered by B's wildcards); otherwise some
 * common string must exist.
 */
static bool glob_product(const char *a, size_t alen, const char *b, size_t blen, bool subset)
{
    struct gtok *ta = NULL, *tb = NULL;
    unsigned char *seen = NULL;
    size_t na, nb, i, j, w;
    bool ok = false;

    if (alen > GLOB_DP_MAX || blen > GLOB_DP_MAX)
        return false;
    ta = malloc((alen + 1) * sizeof(*ta));
    tb = malloc((blen + 1) * sizeof(*tb));
    if (!ta || !tb)
        goto out;
    na = tokenize(a, alen, ta);
    nb = tokenize(b, blen, tb);
    w = nb + 1;
    seen = calloc((na + 1) * w, 1);
    if (!seen)
        goto out;
    seen[0] = 1;
    /* States advance monotonically in (i, j): one pass in order suffices,
     * as every transition goes to (i+1, j), (i, j+1) or (i+1, j+1). */
    for (i = 0; i <= na; i++) {
        for (j = 0; j <= nb; j++) {
            if (!seen[i * w + j])
                continue;
            bool ea = i < na, eb = j < nb;
            const struct gtok *x = ea ? &ta[i] : NULL, *y = eb ? &tb[j] : NULL;
            if (subset) {
                /* x from sub, y from sup */
                if (y && y->kind == 2) {
                    seen[i * w + j + 1] = 1; /* sup's star matches nothing more */
                    if (x)
                        seen[(i + 1) * w + j] = 1; /* sup's star covers x */
                }
                if (x && y && x->kind != 2 && y->kind == 1)
                    seen[(i + 1) * w + j + 1] = 1;
                if (x && y && x->kind == 0 && y->kind == 0 && x->c == y->c)
                    seen[(i + 1) * w + j + 1] = 1;
            } else {
                if (x && x->kind == 2) {
                    seen[(i + 1) * w + j] = 1;
                    if (y)
                        seen[i * w + j + 1] = 1;
                }
                if (y && y->kind == 2) {
                    seen[i * w + j + 1] = 1;
                    if (x)
                        seen[(i + 1) * w + j] = 1;
                }
                if (x && y && x->kind != 2 && y->kind != 2 &&
                    (x->kind == 1 || y->kind == 1 || x->c == y->c))
                    seen[(i + 1) * w + j + 1] = 1;
            }
        }
    }
    ok = seen[na * w + nb] != 0;
out:
    free(ta);
    free(tb);
    free(seen);
    return ok;
}

bool glob_intersects(const char *a, size_t alen, const char *b, size_t blen)
{
    return glob_product(a, alen, b, blen, false);
}

bool glob_subset(const char *sub, size_t sublen, const char *sup, size_t suplen)
{
    return glob_product(sub, sublen, sup, suplen, true);
}

/* ---- ARNs ---- */

int arn_split(const char *s, size_t len, struct arn_parts *out)
{
    size_t i, start = 0;
    int part = 0;

    if (len < 4 || memcmp(s, "arn:", 4) != 0)
        return -1;
    for (i = 0; i < len && part < 5; i++) {
        if (s[i] == ':') {
            out->p[part] = s + start;
            out->n[part] = i - start;
            part++;
            start = i + 1;
        } else if (s[i] == PAT_ESC) {
            i++;
        }
    }
    if (part < 5)
        return -1;
    out->p[5] = s + start;
    out->n[5] = len - start;
    return 0;
}

static bool only_star(const char *p, size_t n)
{
    return n == 1 && p[0] == '*';
}

static bool rel_part(const char *pat, size_t pn, const char *req, size_t rn, enum arn_rel rel)
{
    switch (rel) {
    case ARN_MATCH:
        return glob_match(pat, pn, req, rn);
    case ARN_INTERSECT:
        return glob_intersects(pat, pn, req, rn);
    case ARN_SUBSET:
        return glob_subset(req, rn, pat, pn);
    }
    return false;
}

bool arn_relate(const char *pat, size_t plen, const char *req, size_t rlen, enum arn_rel rel)
{
    struct arn_parts pp, rp;
    int i;

    if (only_star(pat, plen))
        return true;
    if (rel != ARN_MATCH && only_star(req, rlen))
        return rel == ARN_INTERSECT; /* "*" is only a subset of "*" */
    if (arn_split(req, rlen, &rp) < 0)
        return rel_part(pat, plen, req, rlen, rel); /* not an ARN: whole-string glob */
    if (arn_split(pat, plen, &pp) < 0)
        return false; /* a pattern without six parts never matches an ARN */
    for (i = 0; i < 6; i++) {
        if (!rel_part(pp.p[i], pp.n[i], rp.p[i], rp.n[i], rel))
            return false;
    }
    return true;
}

bool arn_match(const char *pat, size_t plen, const char *req, size_t rlen)
{
    struct arn_parts pp, rp;
    int i;

    if (only_star(pat, plen))
        return true;
    if (arn_split(req, rlen, &rp) < 0)
        return glob_match(pat, plen, req, rlen);
    if (arn_split(pat, plen, &pp) < 0)
        return false;
    for (i = 0; i < 6; i++) {
        if (!glob_match(pp.p[i], pp.n[i], rp.p[i], rp.n[i]))
            return false;
    }
    return true;
}
