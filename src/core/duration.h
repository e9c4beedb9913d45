/*
 * duration.h - ISO 8601 durations as AWS returns them ("PT5M30S", "P1DT2H",
 * "PT0.5S"), e.g. DRS's dataReplicationInfo.lagDuration. Depends on libc only.
 */
#ifndef DROVER_CORE_DURATION_H
#define DROVER_CORE_DURATION_H

#include <stdint.h>

/*
 * Parses "P[nY][nM][nW][nD][T[nH][nM][nS]]" (components in that order, at
 * least one, each a decimal integer with an optional fraction of which the
 * first three digits count). Years count as 365 days and months as 30, as
 * a fixed-length approximation. Negative durations, empty components,
 * trailing text and values that overflow are rejected. Writes
 * milliseconds. 0 or -1.
 */
int duration_parse_iso8601(const char *s, int64_t *ms_out);

/* Formats seconds compactly for tables: "0s", "45s", "5m30s", "2h05m", "3d04h". */
void duration_format_short(int64_t seconds, char *out, unsigned n);

#endif
