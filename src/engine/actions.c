/*
 * actions.c - wave actions run step by step from the engine's loop:
 *
 *  - wait-healthy: rounds of EC2 DescribeInstanceStatus (IncludeAllInstances,
 *    up to 100 IDs a call, one call per account-region chunk, the account's
 *    role) on the engine's client, re-checking the instances not healthy yet
 *    every ACTION_HEALTH_INTERVAL_MS until all are running with both status
 *    checks ok, or the timeout passes. In-flight calls point back at the run
 *    through a small record that action_free detaches; the callback frees it.
 *  - command: /bin/sh -c in its own process group, stdin /dev/null, stdout and
 *    stderr into one non-blocking pipe whose last ACTION_OUTPUT_KEEP bytes are
 *    kept; reaped with waitpid(WNOHANG) on its own PID only. On timeout the
 *    group gets SIGTERM, then SIGKILL once the shell is gone or after
 *    ACTION_KILL_GRACE_MS.
 *  - http-check: GET on a private CURLM driven by curl_multi_perform from
 *    action_poll (no waiting), no redirects followed, one attempt every
 *    ACTION_HTTP_INTERVAL_MS until the timeout.
 *
 * Depends on aws/client.h, core/ and libcurl; not on the store.
 */
#include "engine/actions.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/jsonutil.h"
#include "core/proc.h"
#include "core/str.h"

extern char **environ; /* copied into a command's environment */

#define HEALTH_CHUNK     100 /* InstanceIds per DescribeInstanceStatus */
#define HTTP_ATTEMPT_MAX 10000
#define HTTP_CONNECT_MAX 5000
#define DRAIN_READS_MAX  64 /* pipe reads per poll, so a chatty command cannot hog the loop */
#define TAIL_IN_MESSAGE  120
#define LABEL_CMD_CHARS  40
#define INST_STATE_MAX   128
#define PROGRESS_MAX     192
#define HTTP_LAST_MAX    160

enum action_type { T_WAIT_HEALTHY, T_COMMAND, T_HTTP_CHECK };

struct inst {
    char *account, *region, *server, *ec2;
    bool healthy;
    char state[INST_STATE_MAX]; /* last observed, for messages */
};

/* One DescribeInstanceStatus in flight. run is NULL once action_free detached it. */
struct hcall {
    struct action_run *run;
    struct hcall *next;
    size_t *idx; /* indexes into run->insts */
    size_t n;
};

struct action_run {
    enum action_type type;
    char label[96]; /* "command 'name'", for messages */
    int64_t start_ms, deadline_ms;
    long timeout_s;
    int status;
    struct dr_err final; /* set when status is ACTION_FAILED */
    char progress[PROGRESS_MAX];

    /* wait-healthy */
    struct aws_client *client;
    const struct cred_role *(*role_for)(void *ud, const char *account_id);
    void *role_ud;
    struct inst *insts;
    size_t ninst;
    struct hcall *calls;
    bool round_active;
    int64_t next_check_ms;

    /* command */
    pid_t pid; /* -1 when none or reaped */
    int fd;    /* read end of the output pipe, -1 when closed */
    char out[ACTION_OUTPUT_KEEP + 1];
    size_t outlen;
    int64_t term_ms; /* when SIGTERM went to the group; 0 = not timed out */
    bool killed;

    /* http-check */
    CURLM *multi;
    CURL *easy;
    bool curl_inited, inflight;
    char *url_shown; /* without user:password@ */
    long expect;     /* 0 = any 2xx */
    int attempts;
    int64_t attempt_ms, next_try_ms;
    char last[HTTP_LAST_MAX];
    char curl_err[CURL_ERROR_SIZE];
};

static int fail(struct action_run *a, enum dr_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct action_run *a, enum dr_status st, const char *fmt, ...)
{
    char msg[DR_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    dr_err_set(&a->final, st, "%s", msg);
    a->status = ACTION_FAILED;
    return ACTION_FAILED;
}

/* snprintf that may truncate on purpose (state and progress texts are short by design). */
static void setf(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void setf(char *dst, size_t n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(dst, n, fmt, ap);
    va_end(ap);
}

static char *dup_or_empty(const char *s)
{
    return str_dup(str_from(s ? s : ""));
}

/* ---- wait-healthy ---- */

static int wh_start(struct action_run *a, const struct action_ctx *ctx, int64_t now_ms,
                    struct dr_err *err)
{
    size_t i, n = json_array_size(ctx->instances);
    const json_t *o;

    if (!ctx->client)
        return dr_err_set(err, DR_EINVAL, "%s: no AWS client to check instances with", a->label);
    if (ctx->instances && !json_is_array(ctx->instances))
        return dr_err_set(err, DR_EINVAL, "%s: instances is not a list", a->label);
    a->client = ctx->client;
    a->role_for = ctx->role_for;
    a->role_ud = ctx->role_ud;
    a->insts = calloc(n ? n : 1, sizeof(*a->insts));
    if (!a->insts)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    json_array_foreach(ctx->instances, i, o)
    {
        struct inst *x = &a->insts[a->ninst];
        x->account = dup_or_empty(json_str_borrow(o, "account_id"));
        x->region = dup_or_empty(json_str_borrow(o, "region"));
        x->server = dup_or_empty(json_str_borrow(o, "source_server_id"));
        x->ec2 = dup_or_empty(json_str_borrow(o, "ec2_instance_id"));
        a->ninst++;
        if (!x->account || !x->region || !x->server || !x->ec2)
            return dr_err_set(err, DR_ENOMEM, "out of memory");
        dr_strlcpy(x->state, "not checked yet", sizeof(x->state));
    }
    a->next_check_ms = now_ms;
    return 0;
}

static void wh_apply(struct action_run *a, const struct hcall *hc, const json_t *out,
                     const struct dr_err *e)
{
    const json_t *list = json_object_get(out, "InstanceStatuses"), *s;
    size_t i, j;

    for (i = 0; i < hc->n; i++) {
        struct inst *x = &a->insts[hc->idx[i]];
        const json_t *found = NULL;
        if (e) {
            setf(x->state, sizeof(x->state), "DescribeInstanceStatus failed: %s%s%s",
                 e->code[0] ? e->code : "", e->code[0] ? ": " : "", e->msg);
            continue;
        }
        json_array_foreach(list, j, s)
        {
            const char *id = json_str_borrow(s, "InstanceId");
            if (id && strcmp(id, x->ec2) == 0) {
                found = s;
                break;
            }
        }
        if (!found) {
            dr_strlcpy(x->state, "not found by DescribeInstanceStatus", sizeof(x->state));
            continue;
        }
        {
            const char *st = json_str_borrow(json_object_get(found, "InstanceState"), "Name");
            const char *is = json_str_borrow(json_object_get(found, "InstanceStatus"), "Status");
            const char *ss = json_str_borrow(json_object_get(found, "SystemStatus"), "Status");
            bool running = st && strcmp(st, "running") == 0;
            bool iok = is && strcmp(is, "ok") == 0, sok = ss && strcmp(ss, "ok") == 0;
            x->healthy = running && iok && sok;
            if (x->healthy)
                dr_strlcpy(x->state, "running, status checks ok", sizeof(x->state));
            else if (!running)
                snprintf(x->state, sizeof(x->state), "%s", st ? st : "state unknown");
            else
                snprintf(x->state, sizeof(x->state),
                         "running, instance status %s, system status %s", is ? is : "unknown",
                         ss ? ss : "unknown");
        }
    }
}

static void hcall_free(struct hcall *hc)
{
    free(hc->idx);
    free(hc);
}

static void wh_done(void *ud, json_t *out, const struct dr_err *e)
{
    struct hcall *hc = ud;
    struct action_run *a = hc->run;

    if (a) {
        struct hcall **pp = &a->calls;
        while (*pp && *pp != hc)
            pp = &(*pp)->next;
        if (*pp)
            *pp = hc->next;
        wh_apply(a, hc, out, e);
    }
    json_decref(out);
    hcall_free(hc);
}

/* Starts one DescribeInstanceStatus for the instances in idx (same account and region). */
static void wh_call(struct action_run *a, size_t *idx, size_t n)
{
    const struct inst *x0 = &a->insts[idx[0]];
    const struct cred_role *role = a->role_for ? a->role_for(a->role_ud, x0->account) : NULL;
    struct aws_call_req req = {0};
    struct hcall *hc = calloc(1, sizeof(*hc));
    json_t *in = json_object(), *ids = json_array();
    struct dr_err e;
    size_t i;

    dr_err_clear(&e);
    if (!hc || !in || !ids) {
        dr_err_set(&e, DR_ENOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < n; i++)
        json_array_append_new(ids, json_string(a->insts[idx[i]].ec2));
    json_object_set_new(in, "IncludeAllInstances", json_true());
    json_object_set(in, "InstanceIds", ids);
    req.service = "ec2";
    req.operation = "DescribeInstanceStatus";
    req.input = in;
    req.region = x0->region;
    req.roles = role;
    req.nroles = role ? 1 : 0;
    hc->run = a;
    hc->idx = idx;
    hc->n = n;
    if (aws_call_start(a->client, &req, wh_done, hc, &e) < 0)
        goto fail;
    hc->next = a->calls;
    a->calls = hc;
    json_decref(in);
    json_decref(ids);
    return;
fail : {
    struct hcall tmp = {a, NULL, idx, n};
    wh_apply(a, &tmp, NULL, &e);
}
    free(idx);
    free(hc);
    json_decref(in);
    json_decref(ids);
}

/* One round: the unhealthy instances, grouped by account-region in chunks of HEALTH_CHUNK. */
static void wh_round(struct action_run *a)
{
    bool *taken = calloc(a->ninst ? a->ninst : 1, sizeof(*taken));
    size_t i, j;

    a->round_active = true;
    if (!taken)
        return;
    for (i = 0; i < a->ninst; i++) {
        size_t *idx, n = 0;
        if (taken[i] || a->insts[i].healthy)
            continue;
        idx = malloc(HEALTH_CHUNK * sizeof(*idx));
        if (!idx)
            break;
        for (j = i; j < a->ninst && n < HEALTH_CHUNK; j++) {
            const struct inst *x = &a->insts[j];
            if (taken[j] || x->healthy || strcmp(x->account, a->insts[i].account) != 0 ||
                strcmp(x->region, a->insts[i].region) != 0)
                continue;
            taken[j] = true;
            idx[n++] = j;
        }
        wh_call(a, idx, n);
    }
    free(taken);
}

static void wh_not_healthy(const struct action_run *a, struct buf *b)
{
    size_t i, bad = 0;
    bool first = true;

    for (i = 0; i < a->ninst; i++)
        bad += !a->insts[i].healthy;
    if (buf_addf(b, "%s: %zu of %zu instances not healthy after %ld s:", a->label, bad, a->ninst,
                 a->timeout_s) < 0)
        return;
    for (i = 0; i < a->ninst; i++) {
        const struct inst *x = &a->insts[i];
        if (x->healthy)
            continue;
        if (buf_addf(b, "%s %s (%s, %s %s): %s", first ? "" : ";", x->ec2, x->server, x->account,
                     x->region, x->state) < 0)
            return;
        first = false;
    }
}

static int wh_poll(struct action_run *a, int64_t now_ms)
{
    size_t i, healthy = 0;

    for (i = 0; i < a->ninst; i++) {
        if (!a->insts[i].ec2[0])
            return fail(a, DR_EINVAL, "%s: source server %s (%s %s) has no recovered EC2 instance",
                        a->label, a->insts[i].server, a->insts[i].account, a->insts[i].region);
    }
    if (a->round_active && !a->calls) {
        a->round_active = false;
        a->next_check_ms = now_ms + ACTION_HEALTH_INTERVAL_MS;
    }
    for (i = 0; i < a->ninst; i++)
        healthy += a->insts[i].healthy;
    snprintf(a->progress, sizeof(a->progress), "%s: %zu/%zu instances healthy", a->label, healthy,
             a->ninst);
    if (healthy == a->ninst)
        return ACTION_OK;
    if (now_ms >= a->deadline_ms) {
        struct buf b;
        buf_init(&b, 4096);
        wh_not_healthy(a, &b);
        fail(a, DR_ETIMEOUT, "%s", b.len ? b.p : "wait-healthy: timed out");
        buf_cleanup(&b);
        return ACTION_FAILED;
    }
    if (!a->round_active && now_ms >= a->next_check_ms)
        wh_round(a);
    return ACTION_RUNNING;
}

/* ---- command ---- */

/* Sets KEY=VALUE in a NULL-terminated list of "K=V" strings (replacing KEY). */
static int env_set(char ***envp, size_t *n, const char *key, const char *value)
{
    size_t i, klen = strlen(key);
    struct buf b;
    char **grown;

    buf_init(&b, BUF_DEFAULT_MAX);
    if (buf_addf(&b, "%s=%s", key, value) < 0)
        return -DR_ENOMEM;
    for (i = 0; i < *n; i++) {
        if (strncmp((*envp)[i], key, klen) == 0 && (*envp)[i][klen] == '=') {
            free((*envp)[i]);
            (*envp)[i] = buf_detach(&b, NULL);
            return 0;
        }
    }
    grown = realloc(*envp, (*n + 2) * sizeof(**envp));
    if (!grown) {
        buf_cleanup(&b);
        return -DR_ENOMEM;
    }
    *envp = grown;
    (*envp)[(*n)++] = buf_detach(&b, NULL);
    (*envp)[*n] = NULL;
    return 0;
}

static void env_free(char **envp)
{
    for (size_t i = 0; envp && envp[i]; i++)
        free(envp[i]);
    free(envp);
}

/* Comma-separated values of member key over the instances (empty ones skipped). */
static int join_member(const json_t *instances, const char *key, struct buf *out)
{
    size_t i;
    const json_t *o;

    json_array_foreach(instances, i, o)
    {
        const char *v = json_str_borrow(o, key);
        if (!dr_nonempty(v))
            continue;
        if ((out->len && buf_addch(out, ',') < 0) || buf_adds(out, v) < 0)
            return -DR_ENOMEM;
    }
    return 0;
}

/* drover's environment + the action's env + the execution's facts. */
static int build_env(const struct action_run *a, const json_t *action, const struct action_ctx *ctx,
                     char ***out, struct dr_err *err)
{
    char **envp = calloc(1, sizeof(*envp));
    size_t n = 0;
    const char *k;
    json_t *v;
    struct buf ids, servers;
    int rc = -DR_ENOMEM;

    buf_init(&ids, BUF_DEFAULT_MAX);
    buf_init(&servers, BUF_DEFAULT_MAX);
    if (!envp)
        goto out;
    for (char **e = environ; e && *e; e++) {
        char *eq = strchr(*e, '=');
        char *key = eq ? str_dup((struct str){*e, (size_t)(eq - *e)}) : NULL;
        int r = key ? env_set(&envp, &n, key, eq + 1) : 0;
        free(key);
        if (eq && (!key || r < 0))
            goto out;
    }
    json_object_foreach(json_object_get(action, "env"), k, v)
    {
        char num[64];
        const char *s = num;
        if (!k[0] || strchr(k, '=')) {
            rc =
                dr_err_set(err, DR_EINVAL, "%s: env name '%s' is not a variable name", a->label, k);
            goto out_set;
        }
        if (json_is_string(v))
            s = json_string_value(v);
        else if (json_is_integer(v))
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else if (json_is_real(v))
            snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        else if (json_is_boolean(v))
            s = json_is_true(v) ? "true" : "false";
        else {
            rc = dr_err_set(err, DR_EINVAL, "%s: env.%s must be a string", a->label, k);
            goto out_set;
        }
        if (env_set(&envp, &n, k, s) < 0)
            goto out;
    }
    if (join_member(ctx->instances, "ec2_instance_id", &ids) < 0 ||
        join_member(ctx->instances, "source_server_id", &servers) < 0)
        goto out;
    {
        const char *facts[][2] = {{"DROVER_EXECUTION_ID", ctx->execution_id},
                                  {"DROVER_PLAN", ctx->plan},
                                  {"DROVER_KIND", ctx->kind},
                                  {"DROVER_WAVE", ctx->wave},
                                  {"DROVER_RECOVERY_INSTANCES", ids.p},
                                  {"DROVER_SERVERS", servers.p}};
        for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
            if (env_set(&envp, &n, facts[i][0], facts[i][1] ? facts[i][1] : "") < 0)
                goto out;
        }
    }
    *out = envp;
    envp = NULL;
    rc = 0;
out:
    if (rc == -DR_ENOMEM)
        dr_err_set(err, DR_ENOMEM, "out of memory");
out_set:
    env_free(envp);
    buf_cleanup(&ids);
    buf_cleanup(&servers);
    return rc;
}

static int cmd_start(struct action_run *a, const json_t *action, const struct action_ctx *ctx,
                     struct dr_err *err)
{
    const char *cmd = json_str_borrow(action, "command");
    int p[2] = {-1, -1}, rc = 0;
    char **envp = NULL;

    if (!dr_nonempty(cmd))
        return dr_err_set(err, DR_EINVAL, "command: no command to run");
    if ((rc = build_env(a, action, ctx, &envp, err)) < 0)
        return rc;
    if (pipe2(p, O_CLOEXEC) < 0 || fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
        rc = dr_err_set(err, DR_EIO, "%s: pipe: %s", a->label, strerror(errno));
        goto out;
    }
    if ((rc = proc_spawn_sh(cmd, envp, p[1], p[1], &a->pid, err)) < 0) {
        dr_err_prefix(err, "%s: ", a->label);
        goto out;
    }
    a->fd = p[0];
    p[0] = -1;
    snprintf(a->progress, sizeof(a->progress), "%s: running", a->label);
out:
    for (int i = 0; i < 2; i++) {
        if (p[i] >= 0)
            close(p[i]);
    }
    env_free(envp);
    return rc;
}

static void keep_tail(struct action_run *a, const char *p, size_t n)
{
    if (n >= ACTION_OUTPUT_KEEP) {
        memcpy(a->out, p + n - ACTION_OUTPUT_KEEP, ACTION_OUTPUT_KEEP);
        a->outlen = ACTION_OUTPUT_KEEP;
    } else {
        if (a->outlen + n > ACTION_OUTPUT_KEEP) {
            size_t drop = a->outlen + n - ACTION_OUTPUT_KEEP;
            memmove(a->out, a->out + drop, a->outlen - drop);
            a->outlen -= drop;
        }
        memcpy(a->out + a->outlen, p, n);
        a->outlen += n;
    }
    a->out[a->outlen] = '\0';
}

static void cmd_drain(struct action_run *a)
{
    char chunk[4096];

    for (int i = 0; a->fd >= 0 && i < DRAIN_READS_MAX; i++) {
        ssize_t n = read(a->fd, chunk, sizeof(chunk));
        if (n > 0) {
            keep_tail(a, chunk, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        close(a->fd); /* EOF or a read error */
        a->fd = -1;
    }
}

static void cmd_close(struct action_run *a)
{
    cmd_drain(a);
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
}

/* The tail of the output for a message: "; output: ..." or "". */
static void tail_note(const struct action_run *a, char *out, size_t n)
{
    char t[TAIL_IN_MESSAGE + 1];
    size_t from = a->outlen > 4 * TAIL_IN_MESSAGE ? a->outlen - 4 * TAIL_IN_MESSAGE : 0;
    size_t len;

    dr_one_line(a->out + from, a->outlen - from, out, n);
    len = strlen(out);
    if (!len)
        return;
    dr_strlcpy(t, len > TAIL_IN_MESSAGE ? out + len - TAIL_IN_MESSAGE : out, sizeof(t));
    snprintf(out, n, "; output: %s%s", len > TAIL_IN_MESSAGE ? "..." : "", t);
}

static int cmd_poll(struct action_run *a, int64_t now_ms)
{
    char note[4 * TAIL_IN_MESSAGE + 16];
    int st = 0;
    pid_t r;

    cmd_drain(a);
    if (a->term_ms) {
        if (!a->killed) {
            siginfo_t si;
            memset(&si, 0, sizeof(si));
            /* the shell gone (not reaped, so its PID still names the group) or the grace over */
            if ((waitid(P_PID, (id_t)a->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                 si.si_pid == a->pid) ||
                now_ms >= a->term_ms + ACTION_KILL_GRACE_MS) {
                kill(-a->pid, SIGKILL);
                a->killed = true;
            }
        }
        if (a->killed &&
            ((r = waitpid(a->pid, &st, WNOHANG)) == a->pid || (r < 0 && errno != EINTR))) {
            a->pid = -1; /* reaped, or not ours to wait for any more */
            cmd_close(a);
            tail_note(a, note, sizeof(note));
            return fail(a, DR_ETIMEOUT, "%s timed out after %ld s and was killed%s", a->label,
                        a->timeout_s, note);
        }
        return ACTION_RUNNING;
    }
    r = waitpid(a->pid, &st, WNOHANG);
    if (r == a->pid) {
        a->pid = -1;
        cmd_close(a);
        snprintf(a->progress, sizeof(a->progress), "%s: finished", a->label);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
            return ACTION_OK;
        tail_note(a, note, sizeof(note));
        if (WIFEXITED(st))
            return fail(a, DR_EIO, "%s exited with status %d%s", a->label, WEXITSTATUS(st), note);
        return fail(a, DR_EIO, "%s was killed by signal %d%s", a->label,
                    WIFSIGNALED(st) ? WTERMSIG(st) : 0, note);
    }
    if (r < 0 && errno != EINTR) {
        int e = errno;
        /* ECHILD: someone else reaped it (SIGCHLD ignored?); its PID may be reused, so no signal */
        a->pid = -1;
        cmd_close(a);
        return fail(a, DR_EIO, "%s: waitpid: %s", a->label, strerror(e));
    }
    if (now_ms >= a->deadline_ms) {
        kill(-a->pid, SIGTERM);
        a->term_ms = now_ms > 0 ? now_ms : 1;
        snprintf(a->progress, sizeof(a->progress), "%s: timed out after %ld s, stopping it",
                 a->label, a->timeout_s);
        return ACTION_RUNNING;
    }
    snprintf(a->progress, sizeof(a->progress), "%s: running for %" PRId64 " s", a->label,
             (now_ms - a->start_ms) / 1000);
    return ACTION_RUNNING;
}

/* ---- http-check ---- */

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* The URL without user:password@ in its authority, for messages. */
static char *url_for_messages(const char *url)
{
    const char *auth = strstr(url, "://"), *at;
    size_t alen;
    struct buf b;

    if (!auth)
        return str_dup(str_from(url));
    auth += 3;
    alen = strcspn(auth, "/?#");
    at = memrchr(auth, '@', alen);
    if (!at)
        return str_dup(str_from(url));
    buf_init(&b, BUF_DEFAULT_MAX);
    if (buf_add(&b, url, (size_t)(auth - url)) < 0 || buf_adds(&b, at + 1) < 0)
        return NULL;
    return buf_detach(&b, NULL);
}

static int http_start(struct action_run *a, const json_t *action, int64_t now_ms,
                      struct dr_err *err)
{
    const char *url = json_str_borrow(action, "url");

    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return dr_err_set(err, DR_EINVAL, "http-check: needs an http:// or https:// url");
    a->expect = (long)json_int_or(action, "expectStatus", 0);
    a->url_shown = url_for_messages(url);
    if (!a->url_shown)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return dr_err_set(err, DR_ETRANSPORT, "http-check: curl_global_init failed");
    a->curl_inited = true;
    a->multi = curl_multi_init();
    a->easy = curl_easy_init();
    if (!a->multi || !a->easy)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    if (curl_easy_setopt(a->easy, CURLOPT_URL, url) != CURLE_OK ||
        curl_easy_setopt(a->easy, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        curl_easy_setopt(a->easy, CURLOPT_HTTPGET, 1L) != CURLE_OK ||
        curl_easy_setopt(a->easy, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
        curl_easy_setopt(a->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(a->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)HTTP_CONNECT_MAX) != CURLE_OK ||
        curl_easy_setopt(a->easy, CURLOPT_WRITEFUNCTION, discard) != CURLE_OK ||
        curl_easy_setopt(a->easy, CURLOPT_ERRORBUFFER, a->curl_err) != CURLE_OK ||
        curl_easy_setopt(a->easy, CURLOPT_USERAGENT, "drover/" DROVER_VERSION " http-check") !=
            CURLE_OK)
        return dr_err_set(err, DR_EINVAL, "http-check: %s: the URL is not usable", a->url_shown);
    a->next_try_ms = now_ms;
    dr_strlcpy(a->last, "no answer yet", sizeof(a->last));
    snprintf(a->progress, sizeof(a->progress), "http-check %s: starting", a->url_shown);
    return 0;
}

/* Collects a finished attempt. ACTION_OK on success, else ACTION_RUNNING. */
static int http_collect(struct action_run *a)
{
    CURLMsg *m;
    int left, running = 0, status = ACTION_RUNNING;

    curl_multi_perform(a->multi, &running);
    while ((m = curl_multi_info_read(a->multi, &left))) {
        long code = 0;
        if (m->msg != CURLMSG_DONE || m->easy_handle != a->easy)
            continue;
        if (m->data.result == CURLE_OK) {
            curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &code);
            if (a->expect ? code == a->expect : code >= 200 && code < 300)
                status = ACTION_OK;
            snprintf(a->last, sizeof(a->last), "HTTP %ld", code);
        } else {
            setf(a->last, sizeof(a->last), "%s",
                 a->curl_err[0] ? a->curl_err : curl_easy_strerror(m->data.result));
        }
        curl_multi_remove_handle(a->multi, a->easy);
        a->inflight = false;
        a->next_try_ms = a->attempt_ms + ACTION_HTTP_INTERVAL_MS;
    }
    return status;
}

static int http_poll(struct action_run *a, int64_t now_ms)
{
    char want[32];

    if (a->inflight && http_collect(a) == ACTION_OK) {
        snprintf(a->progress, sizeof(a->progress), "http-check %s: %s", a->url_shown, a->last);
        return ACTION_OK;
    }
    if (a->expect)
        snprintf(want, sizeof(want), "HTTP %ld", a->expect);
    else
        dr_strlcpy(want, "2xx answer", sizeof(want));
    if (now_ms >= a->deadline_ms)
        return fail(a, DR_ETIMEOUT, "http-check %s: no %s within %ld s (%d attempt%s); last: %s",
                    a->url_shown, want, a->timeout_s, a->attempts, a->attempts == 1 ? "" : "s",
                    a->inflight ? "the request was still waiting for an answer" : a->last);
    if (!a->inflight && now_ms >= a->next_try_ms) {
        int64_t left = a->deadline_ms - now_ms;
        a->curl_err[0] = '\0';
        curl_easy_setopt(
            a->easy, CURLOPT_TIMEOUT_MS,
            (long)(left < HTTP_ATTEMPT_MAX ? (left > 0 ? left : 1) : HTTP_ATTEMPT_MAX));
        if (curl_multi_add_handle(a->multi, a->easy) != CURLM_OK)
            return fail(a, DR_ETRANSPORT, "http-check %s: cannot start a request", a->url_shown);
        a->inflight = true;
        a->attempts++;
        a->attempt_ms = now_ms;
        if (http_collect(a) == ACTION_OK)
            return ACTION_OK;
    }
    if (a->inflight)
        setf(a->progress, sizeof(a->progress), "http-check %s: attempt %d waiting (last: %s)",
             a->url_shown, a->attempts, a->last);
    else
        setf(a->progress, sizeof(a->progress), "http-check %s: %s (attempt %d)", a->url_shown,
             a->last, a->attempts);
    return ACTION_RUNNING;
}

/* ---- the interface ---- */

static void make_label(struct action_run *a, const char *type, const json_t *action)
{
    const char *name = json_str_borrow(action, "name");
    const char *cmd = json_str_borrow(action, "command");

    if (dr_nonempty(name))
        snprintf(a->label, sizeof(a->label), "%s '%s'", type, name);
    else if (a->type == T_COMMAND && dr_nonempty(cmd)) {
        char shown[LABEL_CMD_CHARS + 1];
        dr_one_line(cmd, strlen(cmd), shown, sizeof(shown));
        snprintf(a->label, sizeof(a->label), "command '%s%s'", shown,
                 strlen(cmd) > LABEL_CMD_CHARS ? "..." : "");
    } else
        snprintf(a->label, sizeof(a->label), "%s", type);
}

int action_start(const json_t *action, const struct action_ctx *ctx, int64_t now_ms,
                 struct action_run **out, struct dr_err *err)
{
    const char *type = json_str_borrow(action, "type");
    struct action_run *a;
    int rc = 0;

    *out = NULL;
    if (!type)
        return dr_err_set(err, DR_EINVAL, "an action needs a type");
    a = calloc(1, sizeof(*a));
    if (!a)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    a->pid = -1;
    a->fd = -1;
    a->start_ms = now_ms;
    if (strcmp(type, "wait-healthy") == 0)
        a->type = T_WAIT_HEALTHY;
    else if (strcmp(type, "command") == 0)
        a->type = T_COMMAND;
    else if (strcmp(type, "http-check") == 0)
        a->type = T_HTTP_CHECK;
    else {
        free(a);
        return dr_err_set(err, DR_EINVAL,
                          "unknown action type '%s' (wait-healthy, command or http-check)", type);
    }
    a->timeout_s =
        (long)json_int_or(action, "timeoutSeconds", a->type == T_WAIT_HEALTHY ? 900 : 60);
    if (a->timeout_s <= 0)
        a->timeout_s = 1;
    a->deadline_ms = now_ms + (int64_t)a->timeout_s * 1000;
    make_label(a, type, action);
    snprintf(a->progress, sizeof(a->progress), "%s: starting", a->label);
    switch (a->type) {
    case T_WAIT_HEALTHY:
        rc = wh_start(a, ctx, now_ms, err);
        break;
    case T_COMMAND:
        rc = cmd_start(a, action, ctx, err);
        break;
    case T_HTTP_CHECK:
        rc = http_start(a, action, now_ms, err);
        break;
    }
    if (rc < 0) {
        action_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

int action_poll(struct action_run *a, int64_t now_ms, struct dr_err *err)
{
    if (a->status == ACTION_RUNNING) {
        switch (a->type) {
        case T_WAIT_HEALTHY:
            a->status = wh_poll(a, now_ms);
            break;
        case T_COMMAND:
            a->status = cmd_poll(a, now_ms);
            break;
        case T_HTTP_CHECK:
            a->status = http_poll(a, now_ms);
            break;
        }
    }
    if (a->status == ACTION_FAILED) {
        dr_err_copy(err, &a->final);
        snprintf(a->progress, sizeof(a->progress), "%s: failed", a->label);
    }
    return a->status;
}

const char *action_progress(const struct action_run *a)
{
    return a->progress;
}

const char *action_output(const struct action_run *a)
{
    return a->out;
}

void action_free(struct action_run *a)
{
    size_t i;

    if (!a)
        return;
    for (struct hcall *hc = a->calls; hc; hc = hc->next)
        hc->run = NULL; /* wh_done frees it when the client completes the call */
    for (i = 0; i < a->ninst; i++) {
        free(a->insts[i].account);
        free(a->insts[i].region);
        free(a->insts[i].server);
        free(a->insts[i].ec2);
    }
    free(a->insts);
    if (a->pid > 0) {
        int st;
        kill(-a->pid, SIGKILL);
        while (waitpid(a->pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
    if (a->fd >= 0)
        close(a->fd);
    if (a->multi && a->easy && a->inflight)
        curl_multi_remove_handle(a->multi, a->easy);
    if (a->easy)
        curl_easy_cleanup(a->easy);
    if (a->multi)
        curl_multi_cleanup(a->multi);
    if (a->curl_inited)
        curl_global_cleanup();
    free(a->url_shown);
    free(a);
}
