/*
 * cmd_sim.c - `drover sim`: runs the AWS-compatible DR simulator in the
 * foreground until SIGINT or SIGTERM. Parsing only; the simulator lives
 * in src/sim (sim.h).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "core/str.h"
#include "sim/sim.h"

static int sim_exec(struct cmd_ctx *ctx)
{
    struct sim_opts o = {
        .listen = cmd_opt(ctx, "listen"),
        .estate_path = cmd_opt(ctx, "estate"),
        .generate = cmd_opt(ctx, "generate"),
        .time_scale = 1.0,
        .quiet = ctx->g.quiet,
    };
    const char *v;
    if ((v = cmd_opt(ctx, "seed"))) {
        uint64_t seed;
        if (dr_parse_u64(v, &seed) < 0)
            return cmd_usage_error(ctx, "--seed must be a non-negative integer");
        o.seed = seed;
    }
    if ((v = cmd_opt(ctx, "time-scale"))) {
        if (dr_parse_double(v, &o.time_scale) < 0 || o.time_scale <= 0 || o.time_scale > 1e6)
            return cmd_usage_error(ctx, "--time-scale must be a number from 0 (exclusive) to 1e6");
    }
    if ((v = cmd_opt(ctx, "latency-ms"))) {
        int64_t n;
        if (dr_parse_i64(v, &n) < 0 || n < 0 || n > 60000)
            return cmd_usage_error(ctx, "--latency-ms must be from 0 to 60000");
        o.latency_ms = (int)n;
    }
    if ((v = cmd_opt(ctx, "threads"))) {
        int64_t n;
        if (dr_parse_i64(v, &n) < 0 || n < 1 || n > 256)
            return cmd_usage_error(ctx, "--threads must be from 1 to 256");
        o.threads = (int)n;
    }
    if (o.estate_path && o.generate)
        return cmd_usage_error(ctx, "--estate and --generate are exclusive");

    /* block the stop signals before MHD starts its threads, then wait for one */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    struct dr_err err;
    dr_err_clear(&err);
    struct sim *s = NULL;
    if (sim_new(&o, &s, &err) < 0) {
        fprintf(stderr, "drover: %s\n", err.msg);
        return err.status == DR_EINVAL ? EXIT_USAGE : EXIT_FAIL;
    }
    if (sim_start(s, &err) < 0) {
        fprintf(stderr, "drover: %s\n", err.msg);
        sim_free(s);
        return EXIT_FAIL;
    }
    printf("drover sim: listening on http://127.0.0.1:%d\n", sim_port(s));
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    if (!o.quiet)
        fprintf(stderr, "drover sim: stopping (signal %d)\n", sig);
    sim_free(s);
    return EXIT_OK;
}

const struct cmd_entry cmd_sim_entry = {
    .name = "sim",
    .summary = "run the AWS-compatible multi-account DR simulator",
    .usage = "drover sim [--listen 127.0.0.1:4580] [--estate FILE | --generate "
             "accounts=K,regions=R,servers=N] [--seed N] [--time-scale F] [--latency-ms N]",
    .help = "Serves STS, IAM, EC2, KMS, Organizations, Service Quotas and DRS on loopback,\n"
            "with a control API under /_sim/ (health, estate, state, metrics, faults, reset).\n"
            "Runs in the foreground until SIGINT or SIGTERM. See docs/sim.md.",
    .opts =
        (const struct cmd_opt[]){
            {"listen", 0, "HOST:PORT", "loopback address to listen on (default 127.0.0.1:4580)"},
            {"estate", 0, "FILE", "estate YAML/JSON (docs/estate-format.md)"},
            {"generate", 0, "SPEC", "generate accounts=K,regions=R,servers=N"},
            {"seed", 0, "N", "PRNG seed for IDs, faults and job timing (default 0)"},
            {"time-scale", 0, "F", "sim seconds per real second (default 1)"},
            {"latency-ms", 0, "N", "added latency per AWS request"},
            {"threads", 0, "N", "HTTP worker threads (default: CPUs)"},
            {0},
        },
    .min_args = 0,
    .max_args = 0,
    .exec = sim_exec,
};
