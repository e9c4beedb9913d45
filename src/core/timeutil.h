/*
 * timeutil.h - clocks and timestamp formats: monotonic milliseconds,
 * wall-clock epoch, ISO 8601 (AWS's "2026-12-01T20:43:50Z" and with
 * fractional seconds/offsets on input), and SigV4's basic format
 * "20261201T204350Z". Depends on libc only.
 */
#ifndef DROVER_CORE_TIMEUTIL_H
#define DROVER_CORE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds from CLOCK_MONOTONIC. */
int64_t time_mono_ms(void);
/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t time_now_ms(void);

/* Formats epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" (out >= 21 bytes). */
void time_iso8601(time_t t, char *out, size_t n);
/* Formats epoch milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ" (out >= 25). */
void time_iso8601_ms(int64_t ms, char *out, size_t n);
/* "YYYYMMDDTHHMMSSZ" (out >= 17) */
void time_amz_date(time_t t, char *out, size_t n);
/*
 * Parses ISO 8601 / RFC 3339 (date-time with optional fraction and Z or
 * +hh:mm offset, or a bare date), SigV4 basic format, or epoch seconds
 * (integer or fractional). Writes epoch milliseconds. 0 or -1.
 */
int time_parse(const char *s, int64_t *ms_out);
/* Parses an RFC 7231 HTTP date ("Tue, 01 Dec 2026 20:43:50 GMT"). 0 or -1. */
int time_parse_http(const char *s, int64_t *ms_out);

#endif
