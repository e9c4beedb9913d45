/*
 * world.c - the simulator's world: creation from a normalized estate,
 * reset (rebuild from the estate as loaded), account-region state, and
 * the active-job list. The world is one mutex-protected value; the HTTP
 * threads take w->mu around each call. Depends on the core module, jansson.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "sim/internal.h"

void sim_ar_key(char *out, size_t n, const char *account_id, const char *region)
{
    snprintf(out, n, "%s:%s", account_id, region);
}

json_t *sim_ar(struct sim_world *w, const char *account_id, const char *region)
{
    char key[SIM_AR_KEY_MAX];
    sim_ar_key(key, sizeof key, account_id, region);
    json_t *ar = json_object_get(w->ars, key);
    if (ar)
        return ar;
    ar =
        json_pack("{s:s, s:s, s:{s:b, s:{}, s:{}, s:{}, s:{}, s:{}, s:{}, s:{}, s:{}, s:{}, s:[],"
                  " s:[]}, s:{s:{}, s:{}, s:[], s:[], s:[], s:[], s:[]}, s:{s:{}, s:[]}}",
                  "account_id", account_id, "region", region, "drs", "initialized", 0, "servers",
                  "meta", "jobs", "logs", "rinst", "templates", "launch_cfg", "repl_cfg",
                  "snapshots", "staging_accounts", "extensible", "ec2", "instances", "reservations",
                  "vpcs", "subnets", "sgs", "rtbs", "peerings", "kms", "keys", "aliases");
    if (!ar || json_object_set_new(w->ars, key, ar) < 0)
        return NULL;
    return ar;
}

static void clear_live(struct sim_world *w)
{
    json_decref(w->accounts);
    json_decref(w->keys);
    json_decref(w->ars);
    json_decref(w->rinst);
    json_decref(w->launches);
    json_decref(w->metrics);
    json_decref(w->buckets);
    json_decref(w->strpool);
    json_decref(w->pages);
    w->strpool = w->pages = NULL;
    for (size_t i = 0; i < w->njobs; i++) {
        free(w->jobs[i]->ev);
        free(w->jobs[i]);
    }
    free(w->jobs);
    w->jobs = NULL;
    w->njobs = w->capjobs = 0;
    w->accounts = w->keys = w->ars = w->rinst = NULL;
    w->launches = w->metrics = w->buckets = NULL;
}

int sim_world_reset(struct sim_world *w, struct dr_err *err)
{
    clear_live(w);
    sim_faults_cleanup(&w->faults);
    sim_faults_init(&w->faults);
    w->faults.latency_ms = w->opts.latency_ms;
    sim_prng_seed(&w->rng, w->opts.seed ^ 0x5157u);
    w->accounts = json_object();
    w->keys = json_object();
    w->ars = json_object();
    w->rinst = json_object();
    w->launches = json_array();
    w->metrics = json_object();
    w->buckets = json_object();
    w->strpool = json_object();
    w->pages = json_object();
    w->nsessions = 0;
    if (!w->accounts || !w->keys || !w->ars || !w->rinst || !w->launches || !w->metrics ||
        !w->buckets || !w->strpool || !w->pages)
        return dr_err_set(err, DR_ENOMEM, "allocating the world");
    return sim_estate_build(w, err);
}

int sim_world_new(const struct sim_world_opts *o, json_t *estate, struct sim_world **out,
                  struct dr_err *err)
{
    *out = NULL;
    struct sim_world *w = calloc(1, sizeof *w);
    if (!w)
        return dr_err_set(err, DR_ENOMEM, "allocating the world");
    w->opts = *o;
    pthread_mutex_init(&w->mu, NULL);
    sim_clock_init(&w->clock, o->time_scale);
    sim_faults_init(&w->faults);
    w->estate = json_incref(estate);
    if (sim_world_reset(w, err) < 0) {
        sim_world_free(w);
        return -1;
    }
    *out = w;
    return 0;
}

void sim_world_free(struct sim_world *w)
{
    if (!w)
        return;
    clear_live(w);
    sim_faults_cleanup(&w->faults);
    json_decref(w->estate);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

int sim_world_add_job(struct sim_world *w, struct sim_job *j)
{
    if (w->njobs == w->capjobs) {
        size_t cap = w->capjobs ? w->capjobs * 2 : 16;
        struct sim_job **nj = realloc(w->jobs, cap * sizeof *nj);
        if (!nj)
            return -1;
        w->jobs = nj;
        w->capjobs = cap;
    }
    w->jobs[w->njobs++] = j;
    return 0;
}

json_t *sim_shared_str(struct sim_world *w, const char *s)
{
    json_t *x = json_object_get(w->strpool, s);
    if (x)
        return json_incref(x);
    /* values stay alive through their users; the pool only bounds itself */
    if (json_object_size(w->strpool) >= 4096)
        json_object_clear(w->strpool);
    x = json_string(s);
    if (x)
        json_object_set(w->strpool, s, x);
    return x;
}
