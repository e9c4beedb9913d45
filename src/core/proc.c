/*
 * proc.c - posix_spawn of `/bin/sh -c` in its own process group with
 * stdin from /dev/null and the signal state reset. Depends on core/err.
 */
#include "core/proc.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>

extern char **environ;

int proc_spawn_sh(const char *cmd, char *const envp[], int out_fd, int err_fd, pid_t *pid,
                  struct dr_err *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    bool fa_init = false, attr_init = false;
    sigset_t none, dflt;
    char *argv[4];
    int rc = 0, e;

    *pid = -1;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    fa_init = true;
    if (posix_spawnattr_init(&attr) != 0) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    attr_init = true;
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGPIPE);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGTERM);
    sigaddset(&dflt, SIGHUP);
    sigaddset(&dflt, SIGQUIT);
    if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_adddup2(&fa, out_fd, 1) != 0 ||
        posix_spawn_file_actions_adddup2(&fa, err_fd, 2) != 0 ||
        posix_spawnattr_setpgroup(&attr, 0) != 0 || posix_spawnattr_setsigmask(&attr, &none) != 0 ||
        posix_spawnattr_setsigdefault(&attr, &dflt) != 0 ||
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF) != 0) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    argv[0] = "sh";
    argv[1] = "-c";
    argv[2] = (char *)cmd;
    argv[3] = NULL;
    e = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, envp ? envp : environ);
    if (e != 0) {
        *pid = -1;
        rc = dr_err_set(err, DR_EIO, "cannot run /bin/sh: %s", strerror(e));
    }
out:
    if (fa_init)
        posix_spawn_file_actions_destroy(&fa);
    if (attr_init)
        posix_spawnattr_destroy(&attr);
    return rc;
}
