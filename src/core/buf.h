/*
 * buf.h - growable byte buffers with a hard size cap (strbuf + dynbuf).
 *
 * Invariants: after buf_init, `p` is never NULL and is always
 * NUL-terminated at p[len]; len < cap. Every append returns 0 or
 * -DR_ENOMEM; exceeding the cap set at init frees the contents and fails,
 * which bounds what hostile input can make us allocate. buf_detach hands
 * the heap string over to the caller and leaves the buffer empty.
 * Depends on core/err.h only.
 */
#ifndef DROVER_CORE_BUF_H
#define DROVER_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_DEFAULT_MAX ((size_t)64 << 20) /* 64 MiB */

struct buf {
    char *p;
    size_t len;
    size_t cap; /* allocated bytes; 0 while p points at the static empty string */
    size_t max; /* hard cap on len */
};

#define BUF_WARN __attribute__((warn_unused_result))

void buf_init(struct buf *b, size_t max);
void buf_cleanup(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keeps memory */
/* Returns the heap string (caller frees) and re-initializes b. Never NULL. */
char *buf_detach(struct buf *b, size_t *len);

int buf_add(struct buf *b, const void *data, size_t n) BUF_WARN;
int buf_adds(struct buf *b, const char *s) BUF_WARN;
int buf_addch(struct buf *b, char c) BUF_WARN;
int buf_addf(struct buf *b, const char *fmt, ...) BUF_WARN __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) BUF_WARN
    __attribute__((format(printf, 2, 0)));
int buf_grow(struct buf *b, size_t extra) BUF_WARN;
/* Appends bytes as lowercase hex. */
int buf_addhex(struct buf *b, const unsigned char *data, size_t n) BUF_WARN;
void buf_truncate(struct buf *b, size_t len);

#endif
