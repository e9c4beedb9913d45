/*
 * credprocess.c - running a profile's credential_process: /bin/sh -c CMD
 * in its own process group with stdin from /dev/null, stdout (the JSON
 * credentials, at most CRED_PROCESS_MAX_OUT bytes) and stderr (kept for
 * error messages) read through pipes under poll() with a deadline; on
 * timeout the whole group is killed. stdout holds secrets: it is wiped
 * and never quoted in errors (not even in JSON parse errors).
 *
 * Depends on core/, aws/creds.h and jansson; POSIX spawn/poll.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/credentials.h"
#include "core/buf.h"
#include "core/proc.h"
#include "core/str.h"
#include "core/timeutil.h"

#define STDERR_KEEP 1024

static void kill_group(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

/* waitpid with a deadline (monotonic ms). 0 with *status, or -1 on timeout. */
static int wait_deadline(pid_t pid, int64_t deadline, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (time_mono_ms() >= deadline)
            return -1;
        {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

static int parse_output(const char *text, size_t len, struct aws_creds *out, struct dr_err *err)
{
    json_error_t je;
    json_t *j = json_loadb(text, len, 0, &je);
    const json_t *ver;
    const char *akid, *secret, *token, *exp;
    int64_t exp_ms = 0;
    int rc;

    if (!j)
        return dr_err_set(err, DR_EPARSE,
                          "credential_process: output is not valid JSON (line %d, column %d)",
                          je.line, je.column);
    if (!json_is_object(j)) {
        rc = dr_err_set(err, DR_EPARSE, "credential_process: output is not a JSON object");
        goto out;
    }
    ver = json_object_get(j, "Version");
    if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
        rc = dr_err_set(err, DR_EPARSE,
                        "credential_process: unsupported Version (must be the number 1)");
        goto out;
    }
    akid = json_string_value(json_object_get(j, "AccessKeyId"));
    secret = json_string_value(json_object_get(j, "SecretAccessKey"));
    if (!dr_nonempty(akid) || !dr_nonempty(secret)) {
        rc = dr_err_set(err, DR_EPARSE, "credential_process: %s missing from the output",
                        dr_nonempty(akid) ? "SecretAccessKey" : "AccessKeyId");
        goto out;
    }
    if (json_object_get(j, "SessionToken") && !json_is_string(json_object_get(j, "SessionToken")) &&
        !json_is_null(json_object_get(j, "SessionToken"))) {
        rc = dr_err_set(err, DR_EPARSE, "credential_process: SessionToken is not a string");
        goto out;
    }
    token = json_string_value(json_object_get(j, "SessionToken"));
    if (json_object_get(j, "Expiration") && !json_is_null(json_object_get(j, "Expiration"))) {
        exp = json_string_value(json_object_get(j, "Expiration"));
        if (!exp || time_parse(exp, &exp_ms) < 0 || exp_ms <= 0) {
            rc = dr_err_set(err, DR_EPARSE,
                            "credential_process: Expiration is not an ISO 8601 time");
            goto out;
        }
    }
    rc = aws_creds_set(out, akid, secret, token, exp_ms, "process", err);
out:
    json_decref(j);
    return rc;
}

int cred_process_run_timeout(const char *cmd, long timeout_ms, struct aws_creds *out,
                             struct dr_err *err)
{
    int outp[2] = {-1, -1}, errp[2] = {-1, -1};
    struct buf so, se;
    pid_t pid = -1;
    int64_t deadline;
    int rc = 0, status = 0;

    buf_init(&so, CRED_PROCESS_MAX_OUT + 1);
    buf_init(&se, STDERR_KEEP + 1);
    if (!dr_nonempty(cmd))
        return dr_err_set(err, DR_EINVAL, "credential_process: empty command");
    if (timeout_ms <= 0)
        timeout_ms = CRED_PROCESS_TIMEOUT_MS;
    if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
        rc = dr_err_set(err, DR_EIO, "credential_process: pipe: %s", strerror(errno));
        goto out;
    }
    if ((rc = proc_spawn_sh(cmd, NULL, outp[1], errp[1], &pid, err)) < 0) {
        dr_err_prefix(err, "credential_process: ");
        goto out;
    }
    close(outp[1]);
    close(errp[1]);
    outp[1] = errp[1] = -1;
    deadline = time_mono_ms() + timeout_ms;
    while (outp[0] >= 0 || errp[0] >= 0) {
        struct pollfd pf[2];
        nfds_t np = 0;
        int64_t left = deadline - time_mono_ms();
        int pr;

        if (left <= 0) {
            rc = dr_err_set(err, DR_ETIMEOUT, "credential_process: timed out after %ld ms",
                            timeout_ms);
            goto out;
        }
        if (outp[0] >= 0)
            pf[np++] = (struct pollfd){outp[0], POLLIN, 0};
        if (errp[0] >= 0)
            pf[np++] = (struct pollfd){errp[0], POLLIN, 0};
        pr = poll(pf, np, (int)(left > 1000 ? 1000 : left));
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0) {
            rc = dr_err_set(err, DR_EIO, "credential_process: poll: %s", strerror(errno));
            goto out;
        }
        for (nfds_t i = 0; i < np; i++) {
            char chunk[4096];
            ssize_t n;
            int *fdp = pf[i].fd == outp[0] ? &outp[0] : &errp[0];
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            n = read(pf[i].fd, chunk, sizeof(chunk));
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0) {
                close(*fdp);
                *fdp = -1;
                continue;
            }
            if (fdp == &outp[0]) {
                if (so.len + (size_t)n > CRED_PROCESS_MAX_OUT ||
                    buf_add(&so, chunk, (size_t)n) < 0) {
                    memset(chunk, 0, sizeof(chunk));
                    rc = dr_err_set(err, DR_EPARSE,
                                    "credential_process: output larger than %d bytes",
                                    CRED_PROCESS_MAX_OUT);
                    goto out;
                }
                memset(chunk, 0, sizeof(chunk));
            } else if (se.len < STDERR_KEEP) {
                size_t room = STDERR_KEEP - se.len;
                if (buf_add(&se, chunk, (size_t)n < room ? (size_t)n : room) < 0) {
                    rc = dr_err_set(err, DR_ENOMEM, "out of memory");
                    goto out;
                }
            }
        }
    }
    if (wait_deadline(pid, deadline, &status) < 0) {
        rc = dr_err_set(err, DR_ETIMEOUT, "credential_process: timed out after %ld ms", timeout_ms);
        goto out;
    }
    pid = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char msg[200];
        dr_one_line(se.p, se.len, msg, sizeof(msg));
        if (WIFEXITED(status))
            rc = dr_err_set(err, DR_ECRED, "credential_process exited with status %d%s%s",
                            WEXITSTATUS(status), msg[0] ? ": " : "", msg);
        else
            rc = dr_err_set(err, DR_ECRED, "credential_process killed by signal %d%s%s",
                            WIFSIGNALED(status) ? WTERMSIG(status) : 0, msg[0] ? ": " : "", msg);
        goto out;
    }
    rc = parse_output(so.p, so.len, out, err);
out:
    if (pid > 0) {
        kill_group(pid);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    for (int i = 0; i < 2; i++) {
        if (outp[i] >= 0)
            close(outp[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    if (so.len)
        memset(so.p, 0, so.len);
    buf_cleanup(&so);
    buf_cleanup(&se);
    return rc;
}

int cred_process_run(const char *cmd, struct aws_creds *out, struct dr_err *err)
{
    return cred_process_run_timeout(cmd, CRED_PROCESS_TIMEOUT_MS, out, err);
}
