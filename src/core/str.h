/*
 * str.h - non-owning string slices for parsing, and a few string helpers
 * that replace banned libc calls. Depends on libc only.
 */
#ifndef DROVER_CORE_STR_H
#define DROVER_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct str {
    const char *p;
    size_t len;
};

#define STR_LIT(s) ((struct str){(s), sizeof(s) - 1})

struct str str_from(const char *s);
bool str_eq(struct str a, struct str b);
bool str_eq_cstr(struct str a, const char *b);
bool str_case_eq(struct str a, struct str b);
bool str_starts_with(struct str s, const char *prefix);
struct str str_trim(struct str s);
/* Splits s at the first `sep`: *head gets the part before, returns the rest
 * after it. When sep is absent, *head = s and the returned slice has p=NULL. */
struct str str_cut(struct str s, char sep, struct str *head);
/* Returns a NUL-terminated heap copy, or NULL on allocation failure. */
char *str_dup(struct str s);

/* Copies src into dst of size n, always NUL-terminating. Returns strlen(src). */
size_t dr_strlcpy(char *dst, const char *src, size_t n);
/* Parses a base-10 integer from the whole of s. 0 ok, -1 otherwise. */
int dr_parse_i64(const char *s, int64_t *out);
int dr_parse_u64(const char *s, uint64_t *out);
int dr_parse_double(const char *s, double *out);
/* ASCII case-insensitive equality. */
bool dr_strcaseeq(const char *a, const char *b);
/*
 * Copies len bytes of text into out (size n, always NUL-terminated) as one
 * line for a message: printable ASCII, other bytes as '?', each run of
 * whitespace folded into one space, none at the ends.
 */
void dr_one_line(const char *p, size_t len, char *out, size_t n);

/* True when s is non-NULL and non-empty. */
static inline bool dr_nonempty(const char *s)
{
    return s && *s;
}

#endif
