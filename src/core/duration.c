/*
 * duration.c - ISO 8601 duration parsing and compact formatting (see
 * duration.h). Depends on libc only.
 */
#include "core/duration.h"

#include <stdbool.h>
#include <stdio.h>

#define MS_SEC  1000LL
#define MS_MIN  (60 * MS_SEC)
#define MS_HOUR (60 * MS_MIN)
#define MS_DAY  (24 * MS_HOUR)

/* Designators in the order they may appear, with their lengths. */
struct unit {
    char c;
    bool time_part;
    int64_t ms;
};

static const struct unit units[] = {
    {'Y', false, 365 * MS_DAY}, {'M', false, 30 * MS_DAY}, {'W', false, 7 * MS_DAY},
    {'D', false, MS_DAY},       {'H', true, MS_HOUR},      {'M', true, MS_MIN},
    {'S', true, MS_SEC},
};

#define NUNITS (sizeof(units) / sizeof(units[0]))

int duration_parse_iso8601(const char *s, int64_t *ms_out)
{
    int64_t total = 0;
    size_t next = 0; /* index of the first unit still allowed */
    bool in_time = false, any = false, time_any = false;

    if (!s || *s != 'P')
        return -1;
    s++;
    while (*s) {
        int64_t whole = 0, frac_ms = 0, part;
        int ndig = 0, nfrac = 0;
        size_t u;

        if (*s == 'T') {
            if (in_time)
                return -1;
            in_time = true;
            s++;
            continue;
        }
        while (*s >= '0' && *s <= '9') {
            if (ndig >= 15)
                return -1; /* far beyond any real duration */
            whole = whole * 10 + (*s - '0');
            ndig++;
            s++;
        }
        if (*s == '.' || *s == ',') {
            int64_t scale = 100;
            s++;
            while (*s >= '0' && *s <= '9') {
                if (nfrac < 3)
                    frac_ms += (*s - '0') * scale;
                scale /= 10;
                nfrac++;
                s++;
            }
            if (nfrac == 0)
                return -1;
        }
        if (ndig == 0)
            return -1;
        for (u = next; u < NUNITS; u++) {
            if (units[u].c == *s && units[u].time_part == in_time)
                break;
        }
        if (u == NUNITS)
            return -1;
        if (__builtin_mul_overflow(whole, units[u].ms, &part) ||
            __builtin_add_overflow(total, part, &total) ||
            __builtin_add_overflow(total, frac_ms * units[u].ms / 1000, &total))
            return -1;
        next = u + 1;
        any = true;
        if (in_time)
            time_any = true;
        s++;
    }
    if (!any || (in_time && !time_any))
        return -1;
    *ms_out = total;
    return 0;
}

void duration_format_short(int64_t seconds, char *out, unsigned n)
{
    if (seconds < 0)
        snprintf(out, n, "-");
    else if (seconds < 60)
        snprintf(out, n, "%llds", (long long)seconds);
    else if (seconds < 3600)
        snprintf(out, n, "%lldm%02llds", (long long)(seconds / 60), (long long)(seconds % 60));
    else if (seconds < 86400)
        snprintf(out, n, "%lldh%02lldm", (long long)(seconds / 3600),
                 (long long)(seconds % 3600 / 60));
    else
        snprintf(out, n, "%lldd%02lldh", (long long)(seconds / 86400),
                 (long long)(seconds % 86400 / 3600));
}
