/*
 * log.h - leveled logging to stderr with secret redaction.
 *
 * log_at() checks the level before formatting. Every line passes through
 * log_redact(), which masks SigV4 signatures, secret keys, session tokens
 * and drover external IDs, so a secret can never reach a log by accident.
 *
 * The threshold is the one piece of process-wide mutable state in the
 * library (an atomic int, set once by main); see docs/architecture.md.
 */
#ifndef DROVER_CORE_LOG_H
#define DROVER_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3, LOG_TRACE = 4 };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
bool log_enabled(enum log_level lvl);

void log_write(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_at(lvl, ...)                                                                           \
    do {                                                                                           \
        if (log_enabled(lvl))                                                                      \
            log_write((lvl), __VA_ARGS__);                                                         \
    } while (0)

/*
 * Copies `in` to `out` with secrets replaced by "***": the values after
 * Signature=, X-Amz-Signature=, X-Amz-Security-Token=, X-Amz-Credential
 * secret parts, JSON/INI keys naming secrets (SecretAccessKey, SessionToken,
 * aws_secret_access_key, external_id, ExternalId, ...). Returns 0 or -DR_ENOMEM.
 */
int log_redact(const char *in, struct buf *out);

#endif
