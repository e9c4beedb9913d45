/*
 * strmap.c - string-keyed open-addressing hash map (FNV-1a).
 */
#include "core/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void strmap_init(struct strmap *m)
{
    memset(m, 0, sizeof(*m));
}

void strmap_cleanup(struct strmap *m, void (*free_val)(void *))
{
    size_t i;
    for (i = 0; i < m->cap; i++) {
        if (m->slots[i].key) {
            if (free_val)
                free_val(m->slots[i].val);
            free(m->slots[i].key);
        }
    }
    free(m->slots);
    strmap_init(m);
}

static struct strmap_slot *find(const struct strmap *m, const char *key)
{
    size_t i, mask;

    if (!m->cap)
        return NULL;
    mask = m->cap - 1;
    for (i = hash(key) & mask;; i = (i + 1) & mask) {
        struct strmap_slot *s = &m->slots[i];
        if (!s->key && !s->deleted)
            return NULL;
        if (s->key && strcmp(s->key, key) == 0)
            return s;
    }
}

void *strmap_get(const struct strmap *m, const char *key)
{
    struct strmap_slot *s = find(m, key);
    return s ? s->val : NULL;
}

static int grow(struct strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16, i;
    struct strmap_slot *ns = calloc(ncap, sizeof(*ns)), *old = m->slots;
    size_t ocap = m->cap;

    if (!ns)
        return -1;
    m->slots = ns;
    m->cap = ncap;
    m->used = m->n;
    for (i = 0; i < ocap; i++) {
        if (old[i].key) {
            size_t j, mask = ncap - 1;
            for (j = hash(old[i].key) & mask; ns[j].key; j = (j + 1) & mask)
                ;
            ns[j].key = old[i].key;
            ns[j].val = old[i].val;
        }
    }
    free(old);
    return 0;
}

int strmap_put(struct strmap *m, const char *key, void *val, void **old)
{
    struct strmap_slot *s = find(m, key);
    size_t i, mask;
    char *k;

    if (old)
        *old = NULL;
    if (s) {
        if (old)
            *old = s->val;
        s->val = val;
        return 0;
    }
    if ((m->used + 1) * 4 >= m->cap * 3 && grow(m) < 0)
        return -1;
    k = strdup(key);
    if (!k)
        return -1;
    mask = m->cap - 1;
    for (i = hash(key) & mask; m->slots[i].key; i = (i + 1) & mask)
        ;
    if (!m->slots[i].deleted)
        m->used++;
    m->slots[i].key = k;
    m->slots[i].val = val;
    m->slots[i].deleted = 0;
    m->n++;
    return 0;
}

void *strmap_del(struct strmap *m, const char *key)
{
    struct strmap_slot *s = find(m, key);
    void *v;

    if (!s)
        return NULL;
    v = s->val;
    free(s->key);
    s->key = NULL;
    s->val = NULL;
    s->deleted = 1;
    m->n--;
    return v;
}

size_t strmap_next(const struct strmap *m, size_t i, const char **key, void **val)
{
    for (; i < m->cap; i++) {
        if (m->slots[i].key) {
            *key = m->slots[i].key;
            *val = m->slots[i].val;
            return i + 1;
        }
    }
    return 0;
}
