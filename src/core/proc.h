/*
 * proc.h - running a shell command as a child in its own process group
 * (credential_process, wave command actions). Depends on core/err.h only.
 */
#ifndef DROVER_CORE_PROC_H
#define DROVER_CORE_PROC_H

#include <sys/types.h>

#include "core/err.h"

/*
 * Spawns `/bin/sh -c cmd` with posix_spawn in a new process group (whose ID
 * is *pid, so kill(-*pid, sig) reaches it and everything it started),
 * stdin from /dev/null, stdout onto out_fd and stderr onto err_fd (the same
 * fd is fine), an empty signal mask and SIGPIPE, SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT at their defaults. envp NULL = this process's environment. The
 * caller reaps *pid. 0, or -DR_EIO (naming the error) / -DR_ENOMEM.
 */
int proc_spawn_sh(const char *cmd, char *const envp[], int out_fd, int err_fd, pid_t *pid,
                  struct dr_err *err);

#endif
