/*
 * fsutil.h - whole-file reads and safe writes. Depends on core/buf, core/err.
 */
#ifndef DROVER_CORE_FSUTIL_H
#define DROVER_CORE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"

/* Reads a whole file (or stdin for "-") into out, within out's cap. */
int fs_read_path(const char *path, struct buf *out, struct dr_err *err);
/* Writes data to path atomically (temp file + rename) with the given mode. */
int fs_write_atomic(const char *path, const void *data, size_t n, mode_t mode, struct dr_err *err);
/* mkdir -p with mode for created directories. */
int fs_mkdir_p(const char *path, mode_t mode, struct dr_err *err);

#endif
