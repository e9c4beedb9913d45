/*
 * fuzz_discover_ingest.c - libFuzzer target for discovery's ingestion
 * path: DRS Describe* page JSON -> discover_take_page -> discover_ingest
 * (store_snapshot_replace into a real SQLite store). The input is up to
 * four JSON documents separated by NUL bytes: a DescribeSourceServers
 * page, a DescribeRecoveryInstances page, a DescribeJobs page and an EC2
 * DescribeInstances page. Invariants: nothing crashes or leaks; a
 * rejected ingestion leaves the previous snapshot's rows exactly as they
 * were (and marks it stale); an accepted one stores exactly the pages'
 * servers, fresh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory/discover.h"
#include "store/store.h"

#define ACCT   "123456789012"
#define REGION "us-east-1"

static struct store *st; /* one store for the whole run: ingestion must keep it sound */

static void setup(void)
{
    char path[] = "/tmp/fuzz_discover_ingest.XXXXXX";
    struct store_account a;
    char *regions[] = {REGION};
    int fd = mkstemp(path);

    if (fd < 0)
        abort();
    close(fd);
    unlink(path);
    if (store_open_path(path, &st, NULL) < 0)
        abort();
    unlink(path); /* the open handle keeps it; nothing is left behind */
    memset(&a, 0, sizeof(a));
    a.account_id = ACCT;
    a.role_arn = "arn:aws:iam::" ACCT ":role/r";
    a.external_id = "fuzz-external-id";
    a.regions = regions;
    a.nregions = 1;
    if (store_account_add(st, &a, NULL) < 0)
        abort();
}

static int64_t stored_servers(bool *stale)
{
    struct store_snapshot sn;
    int64_t n;

    memset(&sn, 0, sizeof(sn));
    if (store_snapshot_get(st, ACCT, REGION, &sn, NULL) < 0) {
        *stale = false;
        return -1;
    }
    n = sn.servers;
    *stale = sn.stale;
    store_snapshot_cleanup(&sn);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *lists[4];
    const char *p = (const char *)data, *end = p + size;
    struct discover_ar out;
    bool ok = true, stale;
    int64_t before, after;
    int i, rc;

    if (!st)
        setup();
    for (i = 0; i < 4; i++)
        lists[i] = json_array();
    for (i = 0; i < 4 && p < end; i++) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);
        json_t *page = json_loadb(p, len, 0, NULL);
        if (page && !discover_take_page(lists[i], page, i == 3))
            ok = false; /* discovery fails the account-region before ingesting */
        json_decref(page);
        p += len + (nul ? 1 : 0);
    }
    if (ok) {
        before = stored_servers(&stale);
        memset(&out, 0, sizeof(out));
        rc = discover_ingest(st, ACCT, REGION, lists[0], lists[1], lists[2], lists[3], &out);
        after = stored_servers(&stale);
        if (rc == 0 && (after != (int64_t)json_array_size(lists[0]) || stale || out.error))
            __builtin_trap(); /* accepted: exactly these servers, fresh */
        if (rc < 0 && (!out.error || after != (before < 0 ? 0 : before) || !stale))
            __builtin_trap(); /* rejected: the old rows kept, marked stale, with a reason */
        if (rc == 0 && out.healthy + out.lagging + out.stalled > out.servers)
            __builtin_trap();
        free(out.error);
        free(out.warning);
    }
    for (i = 0; i < 4; i++)
        json_decref(lists[i]);
    return 0;
}
