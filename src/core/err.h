/*
 * err.h - drover's error reporting: a numbered status enum and an error
 * struct that library functions fill in instead of exiting.
 *
 * Convention: every fallible function returns int (0 ok, negative
 * -DR_Exxx on error) and takes a nullable `struct dr_err *err` last.
 * Status values are numbered and never renumbered. Depends on nothing.
 */
#ifndef DROVER_CORE_ERR_H
#define DROVER_CORE_ERR_H

#include <stddef.h>

enum dr_status {
    DR_OK = 0,
    DR_ENOMEM = 1,     /* out of memory or a buffer cap was exceeded */
    DR_EINVAL = 2,     /* bad input: usage, a document, a field */
    DR_EIO = 3,        /* file or socket error */
    DR_ETRANSPORT = 4, /* HTTP transport failure (connect, TLS, reset) */
    DR_EAWS = 5,       /* the service answered with an error (see code) */
    DR_EPARSE = 6,     /* a response or document could not be parsed */
    DR_ENOTFOUND = 7,  /* a named thing does not exist */
    DR_ETIMEOUT = 8,   /* a timeout expired */
    DR_ECRED = 9,      /* no credentials could be resolved */
    DR_EDENIED = 10,   /* access denied */
    DR_ECONFLICT = 11, /* concurrent modification or an existing thing */
    DR_ESTORE = 12,    /* the store failed */
    DR_EINTERNAL = 13, /* a bug: an invariant did not hold */
    DR_ECANCELLED = 14 /* the operation was cancelled */
};

#define DR_ERR_MSG_MAX   256
#define DR_ERR_CODE_MAX  96
#define DR_ERR_REQID_MAX 96

struct dr_err {
    enum dr_status status;
    int http_status;                   /* 0 when no HTTP response */
    char code[DR_ERR_CODE_MAX];        /* AWS error code, e.g. "ThrottlingException" */
    char request_id[DR_ERR_REQID_MAX]; /* AWS request ID, when known */
    char msg[DR_ERR_MSG_MAX];          /* human message, truncated */
};

/* A short fixed description of a status. Never NULL. */
const char *dr_strerror(enum dr_status st);

/* Resets *err to DR_OK. err may be NULL. */
void dr_err_clear(struct dr_err *err);

/*
 * Sets status and a printf-formatted message. Returns -(int)st so callers
 * can write `return dr_err_set(err, DR_EINVAL, "...")`. err may be NULL.
 */
int dr_err_set(struct dr_err *err, enum dr_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like dr_err_set, also recording the AWS error code and HTTP status. */
int dr_err_aws(struct dr_err *err, int http_status, const char *code, const char *request_id,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Prefixes the existing message with a formatted context ("reading x: "). */
void dr_err_prefix(struct dr_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies src into dst (both may be NULL). */
void dr_err_copy(struct dr_err *dst, const struct dr_err *src);

#endif
