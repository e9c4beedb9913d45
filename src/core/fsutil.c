/*
 * fsutil.c - file helpers.
 */
#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_read_path(const char *path, struct buf *out, struct dr_err *err)
{
    int fd, close_fd = 1;
    char chunk[65536];
    ssize_t n;

    if (strcmp(path, "-") == 0) {
        fd = STDIN_FILENO;
        close_fd = 0;
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return dr_err_set(err, errno == ENOENT ? DR_ENOTFOUND : DR_EIO, "%s: %s", path,
                              strerror(errno));
    }
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            if (close_fd)
                close(fd);
            return dr_err_set(err, DR_EIO, "%s: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        if (buf_add(out, chunk, (size_t)n) < 0) {
            if (close_fd)
                close(fd);
            return dr_err_set(err, DR_ENOMEM, "%s: file is larger than %zu bytes", path, out->max);
        }
    }
    if (close_fd)
        close(fd);
    return 0;
}

int fs_write_atomic(const char *path, const void *data, size_t n, mode_t mode, struct dr_err *err)
{
    struct buf tmp;
    int fd, rc = 0;
    const char *p = data;

    buf_init(&tmp, 4096);
    if (buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
        return dr_err_set(err, DR_ENOMEM, "path too long");
    fd = open(tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        rc = dr_err_set(err, DR_EIO, "%s: %s", tmp.p, strerror(errno));
        goto out;
    }
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            rc = dr_err_set(err, DR_EIO, "%s: %s", tmp.p, strerror(errno));
            close(fd);
            unlink(tmp.p);
            goto out;
        }
        p += w;
        n -= (size_t)w;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        rc = dr_err_set(err, DR_EIO, "%s: %s", tmp.p, strerror(errno));
        unlink(tmp.p);
        goto out;
    }
    if (rename(tmp.p, path) < 0) {
        rc = dr_err_set(err, DR_EIO, "%s: %s", path, strerror(errno));
        unlink(tmp.p);
    }
out:
    buf_cleanup(&tmp);
    return rc;
}

int fs_mkdir_p(const char *path, mode_t mode, struct dr_err *err)
{
    char *copy = strdup(path), *p;
    int rc = 0;

    if (!copy)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    for (p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, mode) < 0 && errno != EEXIST) {
            rc = dr_err_set(err, DR_EIO, "mkdir %s: %s", copy, strerror(errno));
            goto out;
        }
        *p = '/';
    }
    if (mkdir(copy, mode) < 0 && errno != EEXIST)
        rc = dr_err_set(err, DR_EIO, "mkdir %s: %s", copy, strerror(errno));
out:
    free(copy);
    return rc;
}
