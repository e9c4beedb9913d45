/*
 * execview.c - foreground execution driving with progress, watching,
 * the status table and the worker presence file (execview.h).
 */
#include "cli/execview.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cliutil.h"
#include "core/buf.h"
#include "core/timeutil.h"
#include "engine/engine.h"

#define REDRAW_MS 200

struct view {
    bool tty, quiet;
    int drawn;         /* lines drawn last time (TTY) */
    int64_t last_draw; /* ms */
    int64_t t0;
    char last_state[32];
};

static void fmt_elapsed(char *b, size_t n, int64_t ms)
{
    int64_t s = ms / 1000;
    if (ms <= 0)
        snprintf(b, n, "   -   ");
    else
        snprintf(b, n, "%3lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

/* One line per wave: name, launched/total, state, elapsed. */
static void draw(struct view *v, const struct store_exec_full *f, bool force)
{
    int64_t now = time_now_ms();

    if (!v->tty || v->quiet || (!force && now - v->last_draw < REDRAW_MS))
        return;
    v->last_draw = now;
    if (v->drawn)
        fprintf(stderr, "\033[%dA", v->drawn);
    v->drawn = 0;
    for (size_t w = 0; w < f->nwaves; w++) {
        const struct store_exec_wave *wv = &f->waves[w];
        size_t total = 0, done = 0, failed = 0;
        char el[32];
        for (size_t i = 0; i < f->nservers; i++) {
            const struct store_exec_server *sv = &f->servers[i];
            if (sv->wave_idx != (int)w)
                continue;
            total++;
            if (!strcmp(sv->state, "LAUNCHED") || !strcmp(sv->state, "TERMINATED"))
                done++;
            else if (!strcmp(sv->state, "FAILED"))
                failed++;
        }
        fmt_elapsed(el, sizeof(el),
                    wv->started_at ? (wv->ended_at ? wv->ended_at : now) - wv->started_at : 0);
        fprintf(stderr, "\033[2K  %-12s %4zu/%-4zu %-9s %-10s %s", wv->name, done, total,
                strcmp(f->e.kind, "CLEANUP") == 0 ? "removed" : "launched", wv->state, el);
        if (failed)
            fprintf(stderr, "  %zu failed", failed);
        fputc('\n', stderr);
        v->drawn++;
    }
    fflush(stderr);
}

static void on_change(void *ud, const struct store_exec_full *f)
{
    draw(ud, f, false);
}

static void on_event(void *ud, const char *line)
{
    struct view *v = ud;
    if (v->tty || v->quiet)
        return;
    fprintf(stderr, "[%7.1fs] %s\n", (double)(time_now_ms() - v->t0) / 1000, line);
}

static volatile sig_atomic_t interrupted; /* CLI process state: set by SIGINT/SIGTERM */

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

bool execview_interrupted(void)
{
    return interrupted != 0;
}

int execview_run(const struct cmd_ctx *ctx, struct store *st, const char *id, bool stop_when_paused,
                 bool quiet, struct dr_err *err)
{
    struct engine_opts o;
    struct aws_client *c = NULL;
    struct view v;
    struct store_exec_full f;
    int rc;

    memset(&o, 0, sizeof(o));
    memset(&v, 0, sizeof(v));
    v.tty = isatty(STDERR_FILENO);
    v.quiet = quiet;
    v.t0 = time_now_ms();
    engine_opts_from_env(&o);
    o.on_change = on_change;
    o.on_event = on_event;
    o.ud = &v;
    o.stop = &interrupted;
    {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_interrupt;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }
    if ((rc = cli_client_new(ctx, &c, err)) < 0)
        return rc;
    rc = engine_run(st, c, id, &o, stop_when_paused, err);
    aws_client_free(c);
    if (rc == 2 && !quiet)
        fprintf(stderr,
                "drover: interrupted: %s goes on in DRS; continue it with `drover exec resume %s "
                "--wait` (or a `drover worker`)\n",
                id, id);
    if (v.tty && !quiet && store_exec_get_full(st, id, &f, NULL) == 0) {
        draw(&v, &f, true);
        store_exec_full_cleanup(&f);
    }
    return rc;
}

int execview_watch(const struct cmd_ctx *ctx, struct store *st, const char *id, struct dr_err *err)
{
    struct view v;
    int64_t last_seq = 0;

    (void)ctx;
    memset(&v, 0, sizeof(v));
    v.tty = isatty(STDERR_FILENO);
    v.t0 = time_now_ms();
    for (;;) {
        struct store_exec_full f;
        struct store_exec_event_list ev;
        bool ended, orphan;
        int rc;

        if ((rc = store_exec_get_full(st, id, &f, err)) < 0)
            return rc;
        if (store_exec_events(st, id, last_seq, &ev, NULL) == 0) {
            for (size_t i = 0; i < ev.n; i++) {
                on_event(&v, ev.v[i].text);
                last_seq = ev.v[i].seq;
            }
            store_exec_event_list_cleanup(&ev);
        }
        draw(&v, &f, true);
        ended = engine_state_terminal(f.e.state);
        orphan =
            !ended && strcmp(f.e.state, "PENDING") != 0 && !engine_lease_live(&f.e, time_now_ms());
        store_exec_full_cleanup(&f);
        if (ended)
            return 0;
        if (orphan)
            return 1;
        {
            struct timespec ts = {0, 300 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

int execview_exit_code(const char *state)
{
    return strcmp(state, "COMPLETED") == 0 || strcmp(state, "PARTIAL") == 0 ? EXIT_OK : EXIT_FAIL;
}

static void print_rto(double s)
{
    if (s < -1.5)
        return; /* a cleanup has no RTO */
    if (s < 0)
        printf("%10s", "-");
    else
        printf("%9.1fs", s);
}

int execview_print_status(const struct cmd_ctx *ctx, const struct store_exec_full *f)
{
    json_t *doc = engine_status_json(f), *w, *sv;
    bool cleanup = strcmp(f->e.kind, "CLEANUP") == 0;
    size_t i, j;
    int rc = EXIT_OK;

    if (!doc)
        return EXIT_FAIL;
    if (strcmp(cli_output(ctx), "table") != 0) {
        rc = cli_print_value(ctx, doc);
        json_decref(doc);
        return rc;
    }
    printf("execution %s  plan %s v%lld  %s  %s\n", f->e.id, f->e.plan_name,
           (long long)f->e.plan_version, f->e.kind, f->e.state);
    if (f->e.error)
        printf("error: %s\n", f->e.error);
    if (f->e.request)
        printf("operator request: %s\n", f->e.request);
    if (cleanup)
        printf("%-12s %-10s %9s %7s\n", "WAVE", "STATE", "REMOVED", "FAILED");
    else
        printf("%-12s %-10s %9s %7s %10s\n", "WAVE", "STATE", "LAUNCHED", "FAILED", "RTO");
    json_array_foreach(json_object_get(doc, "waves"), i, w)
    {
        json_t *r = json_object_get(w, "rto_seconds");
        printf("%-12s %-10s %4lld/%-4lld %7lld%s", json_string_value(json_object_get(w, "name")),
               json_string_value(json_object_get(w, "state")),
               (long long)json_integer_value(json_object_get(w, "launched")),
               (long long)json_integer_value(json_object_get(w, "total")),
               (long long)json_integer_value(json_object_get(w, "failed")), cleanup ? "" : " ");
        print_rto(cleanup ? -2 : json_is_number(r) ? json_number_value(r) : -1);
        putchar('\n');
        if (json_string_value(json_object_get(w, "error")))
            printf("  %s\n", json_string_value(json_object_get(w, "error")));
        json_array_foreach(json_object_get(w, "servers"), j, sv)
        {
            const char *e = json_string_value(json_object_get(sv, "error"));
            if (e && !strcmp(json_string_value(json_object_get(sv, "state")), "FAILED"))
                printf("  FAILED %s %s %s: %s\n",
                       json_string_value(json_object_get(sv, "account_id")),
                       json_string_value(json_object_get(sv, "region")),
                       json_string_value(json_object_get(sv, "source_server_id")), e);
        }
    }
    {
        json_t *r = json_object_get(doc, "rto_seconds");
        if (!cleanup) {
            printf("%-12s %-10s %9s %7s ", "total", "", "", "");
            print_rto(json_is_number(r) ? json_number_value(r) : -1);
            putchar('\n');
        }
    }
    json_decref(doc);
    return rc;
}

int execview_get(const struct cmd_ctx *ctx, const char *id)
{
    struct store *st = NULL;
    struct store_exec_list l;
    struct dr_err err;
    int rc;

    if ((rc = cli_store_open(ctx, &st)) != EXIT_OK)
        return rc;
    if (id) {
        struct store_exec_full f;
        rc = store_exec_get_full(st, id, &f, &err);
        store_close(st);
        if (rc < 0)
            return cli_fail(rc, &err);
        rc = execview_print_status(ctx, &f);
        store_exec_full_cleanup(&f);
        return rc;
    }
    rc = store_exec_list(st, &l, &err);
    store_close(st);
    if (rc < 0)
        return cli_fail(rc, &err);
    if (strcmp(cli_output(ctx), "table") != 0) {
        json_t *arr = json_array(), *doc;
        for (size_t i = 0; i < l.n; i++) {
            char c[40], s[40], en[40];
            time_iso8601_ms(l.v[i].created_at, c, sizeof(c));
            time_iso8601_ms(l.v[i].started_at, s, sizeof(s));
            time_iso8601_ms(l.v[i].ended_at, en, sizeof(en));
            json_array_append_new(
                arr,
                json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?}", "id", l.v[i].id,
                          "plan", l.v[i].plan_name, "plan_version", (json_int_t)l.v[i].plan_version,
                          "kind", l.v[i].kind, "state", l.v[i].state, "created_at", c, "started_at",
                          l.v[i].started_at ? s : NULL, "ended_at", l.v[i].ended_at ? en : NULL,
                          "source_execution_id", l.v[i].source_execution_id));
        }
        doc = json_pack("{s:o}", "executions", arr);
        rc = cli_print_value(ctx, doc);
        json_decref(doc);
    } else {
        printf("%-20s %-16s %-9s %-10s %s\n", "ID", "PLAN", "KIND", "STATE", "CREATED");
        for (size_t i = 0; i < l.n; i++) {
            char c[40];
            time_iso8601_ms(l.v[i].created_at, c, sizeof(c));
            printf("%-20s %-16s %-9s %-10s %s\n", l.v[i].id, l.v[i].plan_name, l.v[i].kind,
                   l.v[i].state, c);
        }
        rc = EXIT_OK;
    }
    store_exec_list_cleanup(&l);
    return rc;
}

static int worker_path(const struct cmd_ctx *ctx, struct buf *b)
{
    struct dr_err err;
    buf_init(b, 4096);
    if (store_home_resolve(ctx->g.home, b, &err) < 0 || buf_adds(b, "/worker.pid") < 0)
        return -1;
    return 0;
}

int execview_worker_mark(const struct cmd_ctx *ctx, bool present)
{
    struct buf b;
    FILE *fp;
    int rc = 0;

    if (worker_path(ctx, &b) < 0) {
        buf_cleanup(&b);
        return -1;
    }
    if (!present) {
        unlink(b.p);
    } else if ((fp = fopen(b.p, "w"))) {
        fprintf(fp, "%ld\n", (long)getpid());
        fclose(fp);
    } else {
        rc = -1;
    }
    buf_cleanup(&b);
    return rc;
}

bool execview_worker_running(const struct cmd_ctx *ctx)
{
    struct buf b;
    FILE *fp;
    long pid = 0;
    bool up = false;

    if (worker_path(ctx, &b) == 0 && (fp = fopen(b.p, "r"))) {
        if (fscanf(fp, "%ld", &pid) == 1 && pid > 0)
            up = kill((pid_t)pid, 0) == 0 || errno == EPERM;
        fclose(fp);
    }
    buf_cleanup(&b);
    return up;
}
