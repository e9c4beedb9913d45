/*
 * actions.h - a wave's preActions/postActions run without blocking the
 * engine's loop: wait-healthy (EC2 DescribeInstanceStatus through the
 * engine's AWS client, per account-region, with the account's role),
 * command (sh -c in its own process group, the execution's facts in its
 * environment) and http-check (GET on a private curl-multi handle).
 *
 * The caller starts an action with action_start() and calls action_poll()
 * until it returns ACTION_OK or ACTION_FAILED. action_poll() never blocks;
 * call it every few hundred milliseconds, and keep running the client's
 * loop (aws_client_run_once) in between for wait-healthy. Times are the
 * caller's monotonic clock in ms; every deadline and retry interval is
 * measured on it. Depends on aws/client.h, core/ and libcurl; never on the
 * store or the rest of the engine.
 */
#ifndef DROVER_ENGINE_ACTIONS_H
#define DROVER_ENGINE_ACTIONS_H

#include <jansson.h>
#include <stdint.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "core/err.h"

/* One wave action (pre or post) run without blocking the engine's loop. */
enum action_status { ACTION_RUNNING = 0, ACTION_OK = 1, ACTION_FAILED = 2 };

/* wait-healthy re-checks the instances that are not healthy yet this often. */
#define ACTION_HEALTH_INTERVAL_MS 5000
/* http-check: one attempt every 2 s until the timeout. */
#define ACTION_HTTP_INTERVAL_MS 2000
/* command: after the timeout, SIGTERM to the group, SIGKILL this much later. */
#define ACTION_KILL_GRACE_MS 2000
/* command: bytes of stdout+stderr kept (the last ones). */
#define ACTION_OUTPUT_KEEP 4096

struct action_ctx {
    /* The engine's client; calls run on its loop. It, role_for and role_ud
     * must stay valid until action_free; drain the loop (aws_client_run)
     * after action_free and before aws_client_free so that detached calls
     * complete and release their memory. Only wait-healthy uses it. */
    struct aws_client *client;
    /* Facts for a command's environment (copied; NULL = empty). */
    const char *execution_id, *plan, *kind /* DRILL|RECOVERY */, *wave;
    /* wait-healthy targets: array of {"account_id","region","source_server_id",
       "recovery_instance_id","ec2_instance_id"} (borrowed until action_free) */
    const json_t *instances;
    /* role to assume for an account (NULL = the base credentials) */
    const struct cred_role *(*role_for)(void *ud, const char *account_id);
    void *role_ud;
};

struct action_run;

/*
 * Starts a normalized action (docs/plan-format.md: type, name, command,
 * env, url, expectStatus, timeoutSeconds). A command is spawned and an
 * http-check's first attempt is made here or at the first poll. Errors:
 * -DR_EINVAL for an action that is not well-formed (unknown type, no
 * command, bad env, no client for wait-healthy), -DR_EIO when the command
 * cannot be spawned, -DR_ENOMEM.
 */
int action_start(const json_t *action /* normalized */, const struct action_ctx *ctx,
                 int64_t now_ms, struct action_run **out, struct dr_err *err);

/* Never blocks. Returns enum action_status; on ACTION_FAILED err says why
   (plain words, naming the action type and e.g. the instance, URL or exit code).
   Once OK or FAILED, further calls return the same status (and message). */
int action_poll(struct action_run *a, int64_t now_ms, struct dr_err *err);

/* One line describing progress ("3/5 instances healthy"), for progress output. */
const char *action_progress(const struct action_run *a);

/* command: the last ACTION_OUTPUT_KEEP bytes of its stdout+stderr (NUL-terminated,
 * may hold any bytes); other types: "". Borrowed until action_free. */
const char *action_output(const struct action_run *a);

/* Frees; kills a running command (its process group) and detaches in-flight AWS calls safely
   (their callbacks may still fire later on the client loop and must not touch freed memory). */
void action_free(struct action_run *a);

#endif
