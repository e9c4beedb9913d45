/*
 * strmap.h - a small string-keyed hash map (open addressing, linear
 * probing) owning copies of its keys; values are opaque pointers the
 * caller owns. Not thread-safe. Depends on libc only.
 */
#ifndef DROVER_CORE_STRMAP_H
#define DROVER_CORE_STRMAP_H

#include <stddef.h>

struct strmap_slot {
    char *key; /* NULL = empty */
    void *val;
    unsigned char deleted;
};

struct strmap {
    struct strmap_slot *slots;
    size_t cap;  /* power of two, or 0 */
    size_t n;    /* live entries */
    size_t used; /* live + deleted */
};

void strmap_init(struct strmap *m);
/* Frees keys and the table; calls free_val(val) for each value if given. */
void strmap_cleanup(struct strmap *m, void (*free_val)(void *));
void *strmap_get(const struct strmap *m, const char *key);
/* Inserts or replaces; returns 0 or -1 on allocation failure. *old gets the replaced value. */
int strmap_put(struct strmap *m, const char *key, void *val, void **old);
/* Removes key; returns its value or NULL. */
void *strmap_del(struct strmap *m, const char *key);
/* Iteration: for (i = 0; (i = strmap_next(m, i, &k, &v)) != 0;) — returns the next index+1. */
size_t strmap_next(const struct strmap *m, size_t i, const char **key, void **val);

#endif
