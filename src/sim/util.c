/*
 * util.c - the simulator's small shared pieces: the seeded PRNG, the
 * scaled clock, resource IDs, call errors, pagination tokens.
 * Depends on the core module, jansson.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "core/timeutil.h"
#include "sim/internal.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void sim_prng_seed(struct sim_prng *p, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        p->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sim_prng_next(struct sim_prng *p)
{
    uint64_t *s = p->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sim_prng_unit(struct sim_prng *p)
{
    return (double)(sim_prng_next(p) >> 11) * (1.0 / 9007199254740992.0);
}

void sim_prng_hex(struct sim_prng *p, char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0)
            v = sim_prng_next(p);
        out[i] = hex[v & 15];
        v >>= 4;
    }
    out[n] = '\0';
}

void sim_clock_init(struct sim_clock *c, double scale)
{
    c->real_start_ms = time_now_ms();
    c->sim_start_ms = c->real_start_ms;
    c->scale = scale > 0 ? scale : 1.0;
    c->fake = false;
    c->fake_ms = 0;
}

int64_t sim_clock_now(const struct sim_clock *c)
{
    if (c->fake)
        return c->fake_ms;
    int64_t real = time_now_ms();
    return c->sim_start_ms + (int64_t)((double)(real - c->real_start_ms) * c->scale);
}

void sim_fmt_time(int64_t ms, char *out, size_t n)
{
    time_iso8601_ms(ms, out, n);
}

int sim_fail(struct sim_call *c, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    c->err_status = status;
    dr_strlcpy(c->err_code, code, sizeof c->err_code);
    va_start(ap, fmt);
    vsnprintf(c->err_msg, sizeof c->err_msg, fmt, ap);
    va_end(ap);
    return -1;
}

void sim_fail_extra(struct sim_call *c, const char *key, const char *val)
{
    if (!c->err_extra)
        c->err_extra = json_object();
    if (c->err_extra && val)
        json_object_set_new(c->err_extra, key, json_string(val));
}

void sim_new_id(struct sim_world *w, const char *prefix, size_t nhex, char *out, size_t n)
{
    char hex[65];
    if (nhex > 64)
        nhex = 64;
    sim_prng_hex(&w->rng, hex, nhex);
    snprintf(out, n, "%s%s", prefix, hex);
}

sim_handler_fn sim_find_op(const struct sim_op *ops, const char *name)
{
    if (!name)
        return NULL;
    for (const struct sim_op *o = ops; o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o->fn;
    return NULL;
}

int sim_page(struct sim_call *c, json_t *in, size_t total, size_t dflt_max, size_t *start,
             size_t *end)
{
    json_t *mr = json_object_get(in, "maxResults");
    size_t max = dflt_max;
    if (mr) {
        if (!json_is_integer(mr) || json_integer_value(mr) < 1)
            return sim_fail(c, 400, "ValidationException", "maxResults must be a positive integer");
        max = (size_t)json_integer_value(mr);
    }
    size_t off = 0;
    const char *tok = json_string_value(json_object_get(in, "nextToken"));
    if (tok && *tok) {
        uint64_t v;
        if (dr_parse_u64(tok, &v) != 0 || v > total)
            return sim_fail(c, 400, "ValidationException", "Invalid nextToken");
        off = (size_t)v;
    }
    *start = off;
    *end = (total - off > max) ? off + max : total;
    return 0;
}

json_t *sim_tags_to_ec2(const json_t *tags)
{
    json_t *arr = json_array();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)tags, k, v)
    {
        json_t *t = json_pack("{s:s, s:s?}", "key", k, "value", json_string_value(v));
        json_array_append_new(arr, t);
    }
    return arr;
}

const char *sim_json_path_str(const json_t *v, const char *a, const char *b)
{
    json_t *x = json_object_get(v, a);
    if (b)
        x = json_object_get(x, b);
    return json_string_value(x);
}
