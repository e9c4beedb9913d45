/*
 * sim.h - the public face of `drover sim`: an AWS-compatible multi-account
 * DR estate served over HTTP on loopback. Tests and `make demo` embed it
 * with sim_new + sim_start, read the bound port, and sim_free it.
 * Depends on core/err.h only (the implementation uses libmicrohttpd).
 */
#ifndef DROVER_SIM_SIM_H
#define DROVER_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct sim_opts {
    const char *listen;      /* "127.0.0.1:4580" (port 0 = any free port); loopback only */
    const char *estate_path; /* YAML or JSON estate file, or NULL */
    const char *generate;    /* "accounts=K,regions=R,servers=N", or NULL */
    uint64_t seed;           /* PRNG seed: IDs, faults, job jitter */
    double time_scale;       /* sim seconds per real second; <= 0 means 1 */
    int latency_ms;          /* added latency per AWS request */
    int threads;             /* MHD thread pool size; 0 = number of CPUs */
    bool quiet;
};

struct sim;

/* Loads the estate (file or generated) and builds the world. No socket yet. */
int sim_new(const struct sim_opts *opts, struct sim **out, struct dr_err *err);
/* Binds and starts serving on the thread pool. */
int sim_start(struct sim *s, struct dr_err *err);
/* The bound TCP port (after sim_start). */
int sim_port(const struct sim *s);
/* Stops serving (if started) and frees everything. NULL is fine. */
void sim_free(struct sim *s);

/* Parses "127.0.0.1:4580" / "localhost:0" / "[::1]:80"; refuses non-loopback. */
int sim_parse_listen(const char *listen, char *host, size_t hostlen, int *port, struct dr_err *err);

#endif
