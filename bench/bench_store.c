/*
 * bench_store.c - figures for the SQLite store at discovery scale: time
 * to replace N account-region snapshots of M DRS servers each (one
 * transaction per snapshot), and to run `drover servers`-style queries
 * over the result. Prints figures only; never fails on speed.
 * Usage: bench_store [ACCOUNT_REGIONS [SERVERS_EACH]] (default 100 300).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/str.h"
#include "core/timeutil.h"
#include "store/store.h"

static json_t *item(int ar, int i)
{
    char id[32], host[32], app[16];

    snprintf(id, sizeof(id), "s-%05d%012d", ar, i);
    snprintf(host, sizeof(host), "host-%d-%d", ar, i);
    snprintf(app, sizeof(app), "app%d", i % 10);
    return json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:{s:s, s:s}}, s:s}", "sourceServerID",
                     id, "tags", "App", app, "Name", host, "dataReplicationInfo",
                     "dataReplicationState", i % 17 ? "CONTINUOUS" : "STALLED", "lagDuration",
                     i % 13 ? "PT5S" : "PT2H", "sourceProperties", "identificationHints",
                     "hostname", host, "awsInstanceID", "i-0123456789abcdef0", "lastLaunchResult",
                     "NOT_STARTED");
}

int main(int argc, char **argv)
{
    int64_t nar = 100, nsv = 300, t0, t1, t2;
    char dir[] = "/tmp/drover-bench-store.XXXXXX", acct[16], cmd[96];
    struct store_tag_filter tag = {"App", "app3"};
    struct store_server_filter f = {.lag_over = -1};
    struct store_server_list l;
    struct store *s;
    struct dr_err err;
    json_t **snaps;
    int ar, i;

    if (argc > 1 && dr_parse_i64(argv[1], &nar) < 0)
        return 2;
    if (argc > 2 && dr_parse_i64(argv[2], &nsv) < 0)
        return 2;
    if (!mkdtemp(dir) || store_open(dir, &s, &err) < 0) {
        fprintf(stderr, "bench_store: %s\n", err.msg);
        return 1;
    }
    for (ar = 0; ar < nar / 2 + 1; ar++) {
        char *regions[2] = {(char *)"us-east-1", (char *)"us-west-2"};
        struct store_account a = {.account_id = acct,
                                  .role_arn = (char *)"arn:aws:iam::000000000000:role/r",
                                  .external_id = (char *)"x0",
                                  .regions = regions,
                                  .nregions = 2};
        snprintf(acct, sizeof(acct), "%012d", ar);
        if (store_account_add(s, &a, &err) < 0)
            return 1;
    }
    snaps = calloc((size_t)nar, sizeof(*snaps));
    if (!snaps)
        return 1;
    for (ar = 0; ar < nar; ar++) {
        snaps[ar] = json_array();
        for (i = 0; i < nsv; i++)
            json_array_append_new(snaps[ar], item(ar, i));
    }
    t0 = time_mono_ms();
    for (ar = 0; ar < nar; ar++) {
        struct store_snapshot_in in = {.account_id = acct,
                                       .region = ar % 2 ? "us-west-2" : "us-east-1",
                                       .fetched_at = time_now_ms(),
                                       .servers = snaps[ar]};
        snprintf(acct, sizeof(acct), "%012d", ar / 2);
        if (store_snapshot_replace(s, &in, &err) < 0) {
            fprintf(stderr, "bench_store: %s\n", err.msg);
            return 1;
        }
    }
    t1 = time_mono_ms();
    f.tags = &tag;
    f.ntags = 1;
    if (store_servers_query(s, &f, &l, &err) < 0)
        return 1;
    t2 = time_mono_ms();
    printf("store: %lld snapshots x %lld servers written in %lld ms (%.0f servers/s)\n",
           (long long)nar, (long long)nsv, (long long)(t1 - t0),
           (double)(nar * nsv) * 1000.0 / (double)(t1 - t0 ? t1 - t0 : 1));
    printf("store: tag query returned %zu of %lld servers in %lld ms\n", l.n,
           (long long)(nar * nsv), (long long)(t2 - t1));
    store_server_list_cleanup(&l);
    for (ar = 0; ar < nar; ar++)
        json_decref(snaps[ar]);
    free(snaps);
    store_close(s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
