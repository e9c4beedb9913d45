/*
 * timeutil.c - clocks and timestamp parsing/formatting. libc only.
 */
#include "core/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int64_t time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void time_iso8601(time_t t, char *out, size_t n)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_iso8601_ms(int64_t ms, char *out, size_t n)
{
    struct tm tm;
    time_t t = (time_t)(ms / 1000);
    char base[32];

    gmtime_r(&t, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03dZ", base, (int)(ms % 1000));
}

void time_amz_date(time_t t, char *out, size_t n)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y%m%dT%H%M%SZ", &tm);
}

static int digits(const char **pp, int n, int *out)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*pp)[i]))
            return -1;
        v = v * 10 + ((*pp)[i] - '0');
    }
    *pp += n;
    *out = v;
    return 0;
}

static int valid_tm(int y, int mo, int d, int h, int mi, int s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= mdays[mo - 1] && h >= 0 &&
           h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
}

static int64_t days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's algorithm; proleptic Gregorian. */
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int time_parse(const char *s, int64_t *ms_out)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac_ms = 0;
    int64_t off_min = 0, days;

    if (!s || !*s)
        return -1;
    /* epoch seconds, possibly fractional */
    {
        const char *q = s;
        int dot = 0, ok = 1;
        if (*q == '-')
            q++;
        if (!*q)
            ok = 0;
        for (; *q && ok; q++) {
            if (*q == '.' && !dot)
                dot = 1;
            else if (!isdigit((unsigned char)*q))
                ok = 0;
        }
        if (ok && strlen(s) != 8) {
            double v = strtod(s, NULL);
            if (v > 9e15 || v < -9e15)
                return -1;
            *ms_out = (int64_t)(v * 1000.0);
            return 0;
        }
    }
    if (digits(&p, 4, &y) < 0)
        return -1;
    if (*p == '-')
        p++;
    if (digits(&p, 2, &mo) < 0)
        return -1;
    if (*p == '-')
        p++;
    if (digits(&p, 2, &d) < 0)
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) < 0)
            return -1;
        if (*p == ':')
            p++;
        if (digits(&p, 2, &mi) < 0)
            return -1;
        if (*p == ':')
            p++;
        if (digits(&p, 2, &sec) < 0)
            return -1;
        if (*p == '.' || *p == ',') {
            int nd = 0;
            p++;
            if (!isdigit((unsigned char)*p))
                return -1;
            while (isdigit((unsigned char)*p)) {
                if (nd < 3)
                    frac_ms = frac_ms * 10 + (*p - '0');
                nd++;
                p++;
            }
            while (nd < 3) {
                frac_ms *= 10;
                nd++;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, oh, om = 0;
            p++;
            if (digits(&p, 2, &oh) < 0)
                return -1;
            if (*p == ':')
                p++;
            if (*p && digits(&p, 2, &om) < 0)
                return -1;
            if (oh > 23 || om > 59)
                return -1;
            off_min = sign * (oh * 60 + om);
        }
    }
    if (*p)
        return -1;
    if (!valid_tm(y, mo, d, h, mi, sec))
        return -1;
    days = days_from_civil(y, mo, d);
    *ms_out = ((days * 86400 + h * 3600 + mi * 60 + sec) - off_min * 60) * 1000 + frac_ms;
    return 0;
}

int time_parse_http(const char *s, int64_t *ms_out)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const char *p = s;
    int d, y, h, mi, sec, mo = -1, i;

    if (!s)
        return -1;
    p = strchr(s, ',');
    if (!p)
        return -1;
    p++;
    while (*p == ' ')
        p++;
    if (digits(&p, 2, &d) < 0 || *p++ != ' ')
        return -1;
    for (i = 0; i < 12; i++) {
        if (strncasecmp(p, months[i], 3) == 0)
            mo = i + 1;
    }
    if (mo < 0)
        return -1;
    p += 3;
    if (*p++ != ' ' || digits(&p, 4, &y) < 0 || *p++ != ' ')
        return -1;
    if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0 || *p++ != ':' ||
        digits(&p, 2, &sec) < 0)
        return -1;
    if (!valid_tm(y, mo, d, h, mi, sec))
        return -1;
    *ms_out = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1000;
    return 0;
}
