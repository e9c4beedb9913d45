/*
 * log.c - leveled stderr logging and the redactor. Depends on core/buf.
 */
#include "core/log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static _Atomic int log_threshold = LOG_WARN;

void log_set_level(enum log_level lvl)
{
    atomic_store(&log_threshold, (int)lvl);
}

enum log_level log_get_level(void)
{
    return (enum log_level)atomic_load(&log_threshold);
}

bool log_enabled(enum log_level lvl)
{
    return (int)lvl <= atomic_load(&log_threshold);
}

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

/* Names whose value is a secret, matched case-insensitively. */
static const char *const secret_keys[] = {
    "X-Amz-Signature",
    "Signature",
    "X-Amz-Security-Token",
    "SecretAccessKey",
    "SessionToken",
    "secret_access_key",
    "session_token",
    "aws_secret_access_key",
    "aws_session_token",
    "ExternalId",
    "external_id",
    "x-amz-security-token",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "Token",
    "secret",
};

static bool is_value_char(char c)
{
    return c && !isspace((unsigned char)c) && c != '"' && c != '&' && c != ',' && c != ';' &&
           c != '\'' && c != '}' && c != '<';
}

/* If a secret key name ends at in[i-1] and is followed by a separator,
 * returns the number of separator bytes to copy before the value, else 0. */
static size_t match_secret(const char *start, const char *pos)
{
    size_t k;

    for (k = 0; k < sizeof(secret_keys) / sizeof(secret_keys[0]); k++) {
        size_t n = strlen(secret_keys[k]);
        const char *q;
        size_t sep = 0;

        if ((size_t)(pos - start) < n || strncasecmp(pos - n, secret_keys[k], n) != 0)
            continue;
        /* must be a whole word on the left */
        if (pos - n > start) {
            char l = pos[-(long)n - 1];
            if (isalnum((unsigned char)l) || l == '_')
                continue;
        }
        q = pos;
        if (*q == '"')
            q++, sep++;
        while (*q == ' ')
            q++, sep++;
        if (*q != '=' && *q != ':' && *q != '>')
            continue;
        q++, sep++;
        while (*q == ' ')
            q++, sep++;
        if (*q == '"')
            q++, sep++;
        if (!is_value_char(*q))
            continue;
        return sep;
    }
    return 0;
}

int log_redact(const char *in, struct buf *out)
{
    const char *p = in;

    while (*p) {
        size_t sep;
        if (p > in && (sep = match_secret(in, p)) > 0) {
            if (buf_add(out, p, sep) < 0)
                return -1;
            p += sep;
            while (is_value_char(*p))
                p++;
            if (buf_adds(out, "***") < 0)
                return -1;
            continue;
        }
        if (buf_addch(out, *p) < 0)
            return -1;
        p++;
    }
    return 0;
}

void log_write(enum log_level lvl, const char *fmt, ...)
{
    struct buf raw, clean;
    va_list ap;
    struct timespec ts;
    struct tm tm;
    char when[32];
    int rc;

    if (!log_enabled(lvl))
        return;
    buf_init(&raw, 1 << 20);
    buf_init(&clean, 1 << 20);
    va_start(ap, fmt);
    rc = buf_vaddf(&raw, fmt, ap);
    va_end(ap);
    if (rc == 0)
        rc = log_redact(raw.p, &clean);
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ld drover %s: %s\n", when, ts.tv_nsec / 1000000L,
            level_names[lvl <= LOG_TRACE ? lvl : LOG_TRACE],
            rc == 0 ? clean.p : "(log line too long)");
    buf_cleanup(&raw);
    buf_cleanup(&clean);
}
