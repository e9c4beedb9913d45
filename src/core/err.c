/*
 * err.c - the status strings and the dr_err setters. Depends on nothing
 * but libc.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *dr_strerror(enum dr_status st)
{
    switch (st) {
    case DR_OK:
        return "ok";
    case DR_ENOMEM:
        return "out of memory";
    case DR_EINVAL:
        return "invalid input";
    case DR_EIO:
        return "I/O error";
    case DR_ETRANSPORT:
        return "transport error";
    case DR_EAWS:
        return "AWS service error";
    case DR_EPARSE:
        return "parse error";
    case DR_ENOTFOUND:
        return "not found";
    case DR_ETIMEOUT:
        return "timed out";
    case DR_ECRED:
        return "no credentials";
    case DR_EDENIED:
        return "access denied";
    case DR_ECONFLICT:
        return "conflict";
    case DR_ESTORE:
        return "store error";
    case DR_EINTERNAL:
        return "internal error";
    case DR_ECANCELLED:
        return "cancelled";
    }
    return "unknown status";
}

void dr_err_clear(struct dr_err *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

int dr_err_set(struct dr_err *err, enum dr_status st, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->status = st;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return -(int)st;
}

int dr_err_aws(struct dr_err *err, int http_status, const char *code, const char *request_id,
               const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->status = DR_EAWS;
        err->http_status = http_status;
        snprintf(err->code, sizeof(err->code), "%s", code ? code : "");
        snprintf(err->request_id, sizeof(err->request_id), "%s", request_id ? request_id : "");
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return -(int)DR_EAWS;
}

void dr_err_prefix(struct dr_err *err, const char *fmt, ...)
{
    char pre[DR_ERR_MSG_MAX], old[DR_ERR_MSG_MAX];
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    {
        size_t pl = strnlen(pre, sizeof(pre) - 1), ol = strnlen(old, sizeof(old) - 1);
        if (pl > sizeof(err->msg) - 1)
            pl = sizeof(err->msg) - 1;
        if (ol > sizeof(err->msg) - 1 - pl)
            ol = sizeof(err->msg) - 1 - pl;
        memcpy(err->msg, pre, pl);
        memcpy(err->msg + pl, old, ol);
        err->msg[pl + ol] = '\0';
    }
}

void dr_err_copy(struct dr_err *dst, const struct dr_err *src)
{
    if (dst && src && dst != src)
        memcpy(dst, src, sizeof(*dst));
}
