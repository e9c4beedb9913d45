/*
 * faults.c - injected faults for game days: per (account, region,
 * operation) token-bucket throttling, a random 5xx rate, added latency,
 * region outages (503, or a dropped connection with outage_mode
 * "refuse"), a launch failure rate and stalled replication for chosen
 * servers. Randomness comes from the world's seeded PRNG, so a run is
 * deterministic under --seed for a given request order.
 * Depends on the core module, jansson.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/internal.h"

void sim_faults_init(struct sim_faults *f)
{
    memset(f, 0, sizeof *f);
    f->region_outage = json_array();
    f->stalled = json_object();
}

void sim_faults_cleanup(struct sim_faults *f)
{
    json_decref(f->region_outage);
    json_decref(f->stalled);
    f->region_outage = NULL;
    f->stalled = NULL;
}

static int rate_of(const json_t *v, const char *name, double *out, char *why, size_t whylen)
{
    if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1) {
        snprintf(why, whylen, "%s must be a number from 0 to 1", name);
        return -1;
    }
    *out = json_number_value(v);
    return 0;
}

int sim_faults_apply_json(struct sim_world *w, const json_t *body, char *why, size_t whylen)
{
    struct sim_faults *f = &w->faults;
    if (!json_is_object(body)) {
        snprintf(why, whylen, "the body must be a JSON object");
        return -1;
    }
    static const char *const known[] = {
        "throttle",        "error_rate",  "latency_ms", "region_outage", "launch_failure_rate",
        "stalled_servers", "outage_mode", NULL};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        bool ok = false;
        for (int i = 0; known[i]; i++)
            ok = ok || strcmp(known[i], k) == 0;
        if (!ok) {
            snprintf(why, whylen, "unknown fault %.64s", k);
            return -1;
        }
    }
    /* validate everything before changing anything */
    json_t *th = json_object_get(body, "throttle");
    double er = f->error_rate, lfr = f->launch_failure_rate;
    if (th && !json_is_null(th)) {
        json_t *r = json_object_get(th, "rate"), *b = json_object_get(th, "burst");
        if (!json_is_object(th) || !json_is_number(r) || json_number_value(r) <= 0 ||
            (b && (!json_is_number(b) || json_number_value(b) < 1))) {
            snprintf(why, whylen, "throttle must be {\"rate\": R > 0, \"burst\": B >= 1} or null");
            return -1;
        }
    }
    if ((v = json_object_get(body, "error_rate")) && rate_of(v, "error_rate", &er, why, whylen) < 0)
        return -1;
    if ((v = json_object_get(body, "launch_failure_rate")) &&
        rate_of(v, "launch_failure_rate", &lfr, why, whylen) < 0)
        return -1;
    json_t *lat = json_object_get(body, "latency_ms");
    if (lat &&
        (!json_is_integer(lat) || json_integer_value(lat) < 0 || json_integer_value(lat) > 60000)) {
        snprintf(why, whylen, "latency_ms must be an integer from 0 to 60000");
        return -1;
    }
    json_t *ro = json_object_get(body, "region_outage");
    json_t *ss = json_object_get(body, "stalled_servers");
    size_t i;
    json_array_foreach(ro, i, v)
    {
        if (!json_is_string(v)) {
            snprintf(why, whylen, "region_outage must be a list of region names");
            return -1;
        }
    }
    if ((ro && !json_is_array(ro)) || (ss && !json_is_array(ss))) {
        snprintf(why, whylen, "region_outage and stalled_servers must be lists");
        return -1;
    }
    json_array_foreach(ss, i, v)
    {
        if (!json_is_string(v)) {
            snprintf(why, whylen, "stalled_servers must be a list of source server IDs");
            return -1;
        }
    }
    json_t *om = json_object_get(body, "outage_mode");
    const char *oms = json_string_value(om);
    if (om && (!oms || (strcmp(oms, "503") && strcmp(oms, "refuse")))) {
        snprintf(why, whylen, "outage_mode must be \"503\" or \"refuse\"");
        return -1;
    }
    /* apply */
    if (th) {
        f->throttle_on = !json_is_null(th);
        if (f->throttle_on) {
            f->throttle_rate = json_number_value(json_object_get(th, "rate"));
            json_t *b = json_object_get(th, "burst");
            f->throttle_burst = b ? json_number_value(b) : fmax(1.0, f->throttle_rate);
        }
        json_object_clear(w->buckets);
    }
    f->error_rate = er;
    f->launch_failure_rate = lfr;
    if (lat)
        f->latency_ms = (int)json_integer_value(lat);
    if (ro) {
        json_array_clear(f->region_outage);
        json_array_extend(f->region_outage, ro);
    }
    if (ss) {
        json_object_clear(f->stalled);
        json_array_foreach(ss, i, v)
            json_object_set_new(f->stalled, json_string_value(v), json_true());
    }
    if (oms)
        f->outage_refuse = strcmp(oms, "refuse") == 0;
    return 0;
}

bool sim_region_down(struct sim_world *w, const char *region)
{
    size_t i;
    json_t *v;
    json_array_foreach(w->faults.region_outage, i, v)
    {
        if (strcmp(json_string_value(v), region) == 0)
            return true;
    }
    return false;
}

bool sim_throttle_take(struct sim_world *w, const char *account, const char *region, const char *op,
                       int64_t real_ms, int *retry_after_s)
{
    struct sim_faults *f = &w->faults;
    *retry_after_s = 0;
    if (!f->throttle_on)
        return true;
    char key[256];
    snprintf(key, sizeof key, "%s|%s|%s", account, region, op);
    json_t *b = json_object_get(w->buckets, key);
    double tokens = f->throttle_burst;
    int64_t last = real_ms;
    if (b) {
        tokens = json_real_value(json_array_get(b, 0));
        last = json_integer_value(json_array_get(b, 1));
        tokens =
            fmin(f->throttle_burst, tokens + (double)(real_ms - last) / 1000.0 * f->throttle_rate);
    }
    bool ok = tokens >= 1.0;
    if (ok)
        tokens -= 1.0;
    else
        *retry_after_s = (int)ceil((1.0 - tokens) / f->throttle_rate);
    json_object_set_new(w->buckets, key, json_pack("[f, I]", tokens, (json_int_t)real_ms));
    return ok;
}
