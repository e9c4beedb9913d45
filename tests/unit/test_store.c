/*
 * test_store.c - unit tests for src/store: migrations from empty, reopen,
 * refusing a newer schema, file modes, accounts, atomic snapshot
 * replacement, stale marking, server filters, transactions and rollback,
 * versioned documents, and validation of DRS items from the wire.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/jsonutil.h"
#include "store/store.h"
#include "testlib.h" /* cmocka */

struct fixture {
    char dir[64];
    char home[96];
    char db[128];
    struct store *s;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct dr_err err;

    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/drover-test-store.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->home, sizeof(f->home), "%s/home/sub", f->dir);
    snprintf(f->db, sizeof(f->db), "%s/drover.db", f->home);
    if (store_open(f->home, &f->s, &err) < 0) {
        fprintf(stderr, "store_open: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[160];

    store_close(f->s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static void add_account(struct store *s, const char *id, const char *regions0)
{
    char *regions[1] = {(char *)regions0};
    struct store_account a = {
        .account_id = (char *)id,
        .role_arn = (char *)"arn:aws:iam::000000000000:role/drover",
        .external_id = (char *)"0123456789abcdef0123456789abcdef",
        .regions = regions,
        .nregions = 1,
    };
    struct dr_err err;

    assert_int_equal(store_account_add(s, &a, &err), 0);
}

/* A DescribeSourceServers item as the DRS API returns it. */
static json_t *server_item(const char *id, const char *host, const char *state, const char *lag,
                           const char *app)
{
    json_error_t je;
    json_t *v = json_pack_ex(
        &je, 0,
        "{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:[]}, s:{s:{s:s, s:s}}, s:s,"
        " s:{s:{s:{s:s, s:s, s:s}, s:s}}, s:{s:s, s:s}}",
        "sourceServerID", id, "arn", "arn:aws:drs:us-east-1:111111111111:source-server/x", "tags",
        "App", app, "Name", host, "dataReplicationInfo", "dataReplicationState", state,
        "lagDuration", lag, "replicatedDisks", "sourceProperties", "identificationHints",
        "hostname", host, "awsInstanceID", "i-0123456789abcdef0", "lastLaunchResult", "SUCCEEDED",
        "lifeCycle", "lastLaunch", "initiated", "apiCallDateTime", "2026-11-30T10:00:00Z", "jobID",
        "drsjob-1", "type", "DRILL", "status", "LAUNCHED", "sourceCloudProperties",
        "originAccountID", "999999999999", "originRegion", "us-east-1");
    assert_non_null(v);
    return v;
}

static int replace(struct store *s, const char *acct, const char *region, json_t *servers,
                   struct dr_err *err)
{
    struct store_snapshot_in in = {
        .account_id = acct, .region = region, .fetched_at = 1000, .servers = servers};
    int rc = store_snapshot_replace(s, &in, err);
    json_decref(servers);
    return rc;
}

static size_t count_servers(struct store *s, const struct store_server_filter *f)
{
    struct store_server_list l;
    struct dr_err err;
    size_t n;

    assert_int_equal(store_servers_query(s, f, &l, &err), 0);
    n = l.n;
    store_server_list_cleanup(&l);
    return n;
}

static int raw_count(const char *db, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    int n = -1;

    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

/* ---- opening and migrations ---- */

static void test_store_migrates_from_empty(void **state)
{
    struct fixture *f = *state;
    struct stat st;
    char home[160];

    assert_int_equal(store_schema_version(f->s), store_schema_latest());
    assert_true(store_schema_latest() >= 1);
    assert_int_equal(stat(f->db, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(f->home, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(home, sizeof(home), "%s/home", f->dir);
    assert_int_equal(stat(home, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(raw_count(f->db, "SELECT count(*) FROM schema_version"),
                     store_schema_latest());
    assert_int_equal(raw_count(f->db, "SELECT count(*) FROM sqlite_master WHERE name='servers'"),
                     1);
    /* the WAL file that holds recent writes is as private as the database */
    add_account(f->s, "111111111111", "us-east-1");
    snprintf(home, sizeof(home), "%s-wal", f->db);
    assert_int_equal(stat(home, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_store_uses_wal(void **state)
{
    struct fixture *f = *state;
    sqlite3 *h;
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(h);
}

static void test_store_reopen_is_idempotent(void **state)
{
    struct fixture *f = *state;
    struct store_account a;
    struct dr_err err;

    add_account(f->s, "111111111111", "us-east-1");
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->home, &f->s, &err), 0);
    assert_int_equal(store_schema_version(f->s), store_schema_latest());
    assert_int_equal(raw_count(f->db, "SELECT count(*) FROM schema_version"),
                     store_schema_latest());
    assert_int_equal(store_account_get(f->s, "111111111111", &a, &err), 0);
    assert_string_equal(a.regions[0], "us-east-1");
    store_account_cleanup(&a);
}

static void test_store_refuses_newer_schema(void **state)
{
    struct fixture *f = *state;
    struct dr_err err;
    struct store *s2 = NULL;
    sqlite3 *h;
    char sql[128];

    store_close(f->s);
    f->s = NULL;
    assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
    snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d, 0)",
             store_schema_latest() + 1);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(store_open(f->home, &s2, &err), -DR_ESTORE);
    assert_null(s2);
    assert_non_null(strstr(err.msg, "newer"));
    /* reopen an empty store for teardown */
    assert_int_equal(unlink(f->db), 0);
    assert_int_equal(store_open(f->home, &f->s, &err), 0);
}

static void test_store_tightens_existing_file_mode(void **state)
{
    struct fixture *f = *state;
    struct store *s2;
    struct dr_err err;
    struct stat st;
    char path[160];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/loose.db", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(store_open_path(path, &s2, &err), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    store_close(s2);
}

static void test_store_two_handles_share_the_file(void **state)
{
    struct fixture *f = *state;
    struct store *s2;
    struct dr_err err;
    json_t *arr = json_pack("[o]", server_item("s-1", "a", "CONTINUOUS", "PT1S", "x"));

    /* a second process (here: handle) opens without re-migrating and sees commits */
    assert_int_equal(store_open(f->home, &s2, &err), 0);
    assert_int_equal(raw_count(f->db, "SELECT count(*) FROM schema_version"),
                     store_schema_latest());
    add_account(f->s, "111111111111", "us-east-1");
    assert_int_equal(replace(s2, "111111111111", "us-east-1", arr, &err), 0);
    assert_int_equal(count_servers(f->s, NULL), 1);
    store_close(s2);
}

/* ---- accounts ---- */

static void test_store_account_crud(void **state)
{
    struct fixture *f = *state;
    struct store_account a, got;
    struct store_account_list l;
    struct dr_err err;
    char *regions[2] = {(char *)"eu-west-1", (char *)"us-east-1"};

    add_account(f->s, "222222222222", "us-west-2");
    add_account(f->s, "111111111111", "us-east-1");
    memset(&a, 0, sizeof(a));
    a.account_id = (char *)"111111111111";
    a.role_arn = (char *)"arn:aws:iam::111111111111:role/x";
    a.external_id = (char *)"ext";
    assert_int_equal(store_account_add(f->s, &a, &err), -DR_ECONFLICT);
    assert_non_null(strstr(err.msg, "111111111111"));

    assert_int_equal(store_account_get(f->s, "111111111111", &got, &err), 0);
    {
        int64_t created = got.created_at;
        store_account_cleanup(&got);
        a.name = (char *)"prod";
        a.regions = regions;
        a.nregions = 2;
        assert_int_equal(store_account_update(f->s, &a, &err), 0);
        assert_int_equal(store_account_get(f->s, "111111111111", &got, &err), 0);
        assert_int_equal(got.created_at, created);
    }
    assert_string_equal(got.name, "prod");
    assert_string_equal(got.external_id, "ext");
    assert_int_equal(got.nregions, 2);
    assert_string_equal(got.regions[1], "us-east-1");
    store_account_cleanup(&got);

    a.account_id = (char *)"333333333333";
    assert_int_equal(store_account_update(f->s, &a, &err), -DR_ENOTFOUND);

    assert_int_equal(store_account_list(f->s, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].account_id, "111111111111");
    assert_string_equal(l.v[1].account_id, "222222222222");
    store_account_list_cleanup(&l);

    assert_int_equal(store_account_remove(f->s, "222222222222", &err), 0);
    assert_int_equal(store_account_remove(f->s, "222222222222", &err), -DR_ENOTFOUND);
    assert_int_equal(store_account_get(f->s, "222222222222", &got, &err), -DR_ENOTFOUND);
}

/* ---- snapshots ---- */

static void test_store_snapshot_replace_is_atomic(void **state)
{
    struct fixture *f = *state;
    struct store_snapshot sn;
    struct dr_err err;
    json_t *arr;

    add_account(f->s, "111111111111", "us-east-1");
    arr = json_pack("[o,o,o]", server_item("s-1", "web1", "CONTINUOUS", "PT5S", "shop"),
                    server_item("s-2", "web2", "CONTINUOUS", "PT10S", "shop"),
                    server_item("s-3", "db1", "STALLED", "PT1H", "shop"));
    assert_int_equal(replace(f->s, "111111111111", "us-east-1", arr, &err), 0);
    assert_int_equal(count_servers(f->s, NULL), 3);

    /* a new snapshot replaces the old one entirely */
    arr = json_pack("[o,o]", server_item("s-2", "web2", "CONTINUOUS", "PT1S", "shop"),
                    server_item("s-4", "web4", "CONTINUOUS", "PT1S", "blog"));
    assert_int_equal(replace(f->s, "111111111111", "us-east-1", arr, &err), 0);
    assert_int_equal(count_servers(f->s, NULL), 2);
    {
        /* the old snapshot's tags went with it */
        struct store_tag_filter gone = {"Name", "web1"};
        struct store_server_filter byname = {.tags = &gone, .ntags = 1, .lag_over = -1};
        assert_int_equal(count_servers(f->s, &byname), 0);
    }

    /* a duplicate ID fails inside the transaction: nothing changes */
    arr = json_pack("[o,o,o]", server_item("s-7", "a", "CONTINUOUS", "PT1S", "x"),
                    server_item("s-8", "b", "CONTINUOUS", "PT1S", "x"),
                    server_item("s-7", "c", "CONTINUOUS", "PT1S", "x"));
    assert_int_equal(replace(f->s, "111111111111", "us-east-1", arr, &err), -DR_EPARSE);
    assert_non_null(strstr(err.msg, "servers[2]"));
    assert_non_null(strstr(err.msg, "duplicate"));
    assert_int_equal(count_servers(f->s, NULL), 2);
    assert_int_equal(raw_count(f->db, "SELECT count(*) FROM servers WHERE source_server_id='s-7'"),
                     0);

    /* a malformed item fails validation before anything is written */
    arr = json_pack("[o,o]", server_item("s-9", "a", "CONTINUOUS", "PT1S", "x"),
                    server_item("s-10", "b", "CONTINUOUS", "five minutes", "x"));
    assert_int_equal(replace(f->s, "111111111111", "us-east-1", arr, &err), -DR_EPARSE);
    assert_non_null(strstr(err.msg, "servers[1]: dataReplicationInfo.lagDuration"));
    assert_int_equal(count_servers(f->s, NULL), 2);

    /* an unregistered account is refused */
    arr = json_pack("[o]", server_item("s-1", "a", "CONTINUOUS", "PT1S", "x"));
    assert_int_equal(replace(f->s, "999999999999", "us-east-1", arr, &err), -DR_ENOTFOUND);

    assert_int_equal(store_snapshot_get(f->s, "111111111111", "us-east-1", &sn, &err), 0);
    assert_false(sn.stale);
    assert_int_equal(sn.servers, 2);
    store_snapshot_cleanup(&sn);
}

static void test_store_snapshot_keeps_all_fields(void **state)
{
    struct fixture *f = *state;
    struct store_server_list l;
    struct dr_err err;
    json_t *item = server_item("s-1", "web1", "BACKLOG", "PT5M30S", "shop"), *back;
    json_t *arr = json_pack("[O]", item);

    add_account(f->s, "111111111111", "us-east-1");
    assert_int_equal(replace(f->s, "111111111111", "us-east-1", arr, &err), 0);
    assert_int_equal(store_servers_query(f->s, NULL, &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].hostname, "web1");
    assert_string_equal(l.v[0].replication_state, "BACKLOG");
    assert_int_equal(l.v[0].lag_seconds, 330);
    assert_string_equal(l.v[0].last_launch_result, "SUCCEEDED");
    assert_string_equal(l.v[0].last_launch_at, "2026-11-30T10:00:00Z");
    assert_string_equal(l.v[0].origin_account_id, "999999999999");
    assert_string_equal(json_str_borrow(l.v[0].tags, "App"), "shop");
    assert_int_equal(l.v[0].fetched_at, 1000);
    store_server_list_cleanup(&l);
    assert_int_equal(store_server_item(f->s, "111111111111", "us-east-1", "s-1", &back, &err), 0);
    assert_true(json_equal(back, item));
    json_decref(back);
    json_decref(item);
}

static void test_store_snapshot_with_instances_and_jobs(void **state)
{
    struct fixture *f = *state;
    struct store_snapshot sn;
    struct dr_err err;
    json_t *ris =
        json_pack("[{s:s, s:s, s:s, s:s, s:b}]", "recoveryInstanceID", "i-r1", "sourceServerID",
                  "s-1", "ec2InstanceID", "i-r1", "ec2InstanceState", "RUNNING", "isDrill", 1);
    json_t *jobs =
        json_pack("[{s:s, s:s, s:s, s:[{s:s}]}]", "jobID", "drsjob-1", "type", "LAUNCH", "status",
                  "COMPLETED", "participatingServers", "sourceServerID", "s-1");
    json_t *servers = json_pack("[o]", server_item("s-1", "a", "CONTINUOUS", "PT1S", "x"));
    struct store_snapshot_in in = {.account_id = "111111111111",
                                   .region = "us-east-1",
                                   .fetched_at = 5,
                                   .servers = servers,
                                   .recovery_instances = ris,
                                   .jobs = jobs};

    add_account(f->s, "111111111111", "us-east-1");
    assert_int_equal(store_snapshot_replace(f->s, &in, &err), 0);
    assert_int_equal(store_snapshot_get(f->s, "111111111111", "us-east-1", &sn, &err), 0);
    assert_int_equal(sn.servers, 1);
    assert_int_equal(sn.recovery_instances, 1);
    assert_int_equal(sn.jobs, 1);
    store_snapshot_cleanup(&sn);
    assert_int_equal(raw_count(f->db, "SELECT is_drill FROM recovery_instances"), 1);

    /* a bad job item fails the whole snapshot, naming it */
    json_array_append_new(jobs, json_pack("{s:i}", "jobID", 7));
    assert_int_equal(store_snapshot_replace(f->s, &in, &err), -DR_EPARSE);
    assert_non_null(strstr(err.msg, "jobs[1]: jobID"));
    json_decref(servers);
    json_decref(ris);
    json_decref(jobs);
}

static void test_store_snapshot_enriches_from_ec2(void **state)
{
    struct fixture *f = *state;
    struct store_server_filter flt = {.lag_over = -1};
    struct store_tag_filter env = {"Env", "prod"};
    struct store_server_list l;
    struct dr_err err;
    json_t *servers = json_pack("[o]", server_item("s-1", "web1", "CONTINUOUS", "PT1S", "shop"));
    json_t *ec2 =
        json_pack("[{s:s, s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}, {s:s}]", "InstanceId",
                  "i-0123456789abcdef0", "InstanceType", "t3.micro", "SubnetId", "subnet-1",
                  "PrivateIpAddress", "10.0.0.5", "Tags", "Key", "App", "Value", "ec2-app", "Key",
                  "Env", "Value", "prod", "InstanceId", "i-other");
    struct store_snapshot_in in = {.account_id = "111111111111",
                                   .region = "us-east-1",
                                   .fetched_at = 1,
                                   .servers = servers,
                                   .ec2_instances = ec2};

    add_account(f->s, "111111111111", "us-east-1");
    assert_int_equal(store_snapshot_replace(f->s, &in, &err), 0);
    flt.tags = &env;
    flt.ntags = 1;
    assert_int_equal(store_servers_query(f->s, &flt, &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].instance_type, "t3.micro");
    assert_string_equal(l.v[0].subnet_id, "subnet-1");
    assert_string_equal(l.v[0].private_ip, "10.0.0.5");
    assert_string_equal(json_str_borrow(l.v[0].tags, "App"), "shop"); /* DRS tag wins */
    assert_string_equal(json_str_borrow(l.v[0].tags, "Env"), "prod");
    assert_string_equal(json_str_borrow(l.v[0].tags, "Name"), "web1");
    store_server_list_cleanup(&l);

    /* a malformed instance fails the snapshot and names it */
    json_array_append_new(ec2,
                          json_pack("{s:s, s:[{s:i}]}", "InstanceId", "i-x", "Tags", "Key", 1));
    assert_int_equal(store_snapshot_replace(f->s, &in, &err), -DR_EPARSE);
    assert_non_null(strstr(err.msg, "ec2Instances[2]: Tags[0]"));
    assert_int_equal(count_servers(f->s, &flt), 1); /* the enriched snapshot is intact */
    json_decref(servers);
    json_decref(ec2);
}

static void test_store_stale_marking_keeps_rows(void **state)
{
    struct fixture *f = *state;
    struct store_server_list l;
    struct store_snapshot sn;
    struct store_snapshot_list sl;
    struct dr_err err;
    json_t *arr = json_pack("[o,o]", server_item("s-1", "a", "CONTINUOUS", "PT1S", "x"),
                            server_item("s-2", "b", "CONTINUOUS", "PT1S", "x"));

    add_account(f->s, "111111111111", "us-east-1");
    assert_int_equal(replace(f->s, "111111111111", "us-east-1", arr, &err), 0);
    assert_int_equal(store_snapshot_mark_failed(f->s, "111111111111", "us-east-1",
                                                "AccessDenied: not authorized", 2000, &err),
                     0);
    assert_int_equal(store_snapshot_get(f->s, "111111111111", "us-east-1", &sn, &err), 0);
    assert_true(sn.stale);
    assert_string_equal(sn.last_error, "AccessDenied: not authorized");
    assert_int_equal(sn.fetched_at, 1000);
    assert_int_equal(sn.attempted_at, 2000);
    assert_int_equal(sn.servers, 2);
    store_snapshot_cleanup(&sn);
    assert_int_equal(store_servers_query(f->s, NULL, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_true(l.v[0].stale && l.v[1].stale);
    store_server_list_cleanup(&l);

    /* a region that never succeeded gets an empty stale snapshot */
    assert_int_equal(
        store_snapshot_mark_failed(f->s, "111111111111", "eu-west-1", "timeout", 3000, &err), 0);
    assert_int_equal(store_snapshot_list(f->s, &sl, &err), 0);
    assert_int_equal(sl.n, 2);
    assert_string_equal(sl.v[0].region, "eu-west-1");
    assert_true(sl.v[0].stale);
    assert_int_equal(sl.v[0].servers, 0);
    assert_int_equal(sl.v[0].fetched_at, 0);
    store_snapshot_list_cleanup(&sl);

    /* the next successful refresh clears the mark */
    arr = json_pack("[o]", server_item("s-1", "a", "CONTINUOUS", "PT1S", "x"));
    assert_int_equal(replace(f->s, "111111111111", "us-east-1", arr, &err), 0);
    assert_int_equal(store_snapshot_get(f->s, "111111111111", "us-east-1", &sn, &err), 0);
    assert_false(sn.stale);
    assert_null(sn.last_error);
    store_snapshot_cleanup(&sn);
    assert_int_equal(store_snapshot_mark_failed(f->s, "999999999999", "us-east-1", "x", 1, &err),
                     -DR_ENOTFOUND);
}

static void test_store_server_filters(void **state)
{
    struct fixture *f = *state;
    struct store_server_filter flt;
    struct store_tag_filter tags[2] = {{"App", "shop"}, {"Name", "db1"}};
    struct store_server_list l;
    struct dr_err err;

    add_account(f->s, "111111111111", "us-east-1");
    add_account(f->s, "222222222222", "us-east-1");
    assert_int_equal(
        replace(f->s, "111111111111", "us-east-1",
                json_pack("[o,o,o]", server_item("s-1", "web1", "CONTINUOUS", "PT5S", "shop"),
                          server_item("s-2", "db1", "STALLED", "PT2H", "shop"),
                          server_item("s-3", "blog1", "CONTINUOUS", "PT20M", "blog")),
                &err),
        0);
    assert_int_equal(
        replace(f->s, "111111111111", "eu-west-1",
                json_pack("[o]", server_item("s-4", "web9", "BACKLOG", "PT10M", "shop")), &err),
        0);
    assert_int_equal(
        replace(f->s, "222222222222", "us-east-1",
                json_pack("[o]", server_item("s-5", "db1", "CONTINUOUS", "PT0S", "shop")), &err),
        0);

    memset(&flt, 0, sizeof(flt));
    flt.lag_over = -1;
    assert_int_equal(count_servers(f->s, &flt), 5);
    flt.account_id = "111111111111";
    assert_int_equal(count_servers(f->s, &flt), 4);
    flt.region = "eu-west-1";
    assert_int_equal(count_servers(f->s, &flt), 1);
    flt.account_id = NULL;
    flt.region = NULL;
    flt.replication_state = "CONTINUOUS";
    assert_int_equal(count_servers(f->s, &flt), 3);
    flt.replication_state = NULL;
    flt.tags = tags;
    flt.ntags = 1;
    assert_int_equal(count_servers(f->s, &flt), 4);
    flt.ntags = 2; /* AND of both tags */
    assert_int_equal(store_servers_query(f->s, &flt, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].source_server_id, "s-2");
    assert_string_equal(l.v[1].source_server_id, "s-5");
    store_server_list_cleanup(&l);
    flt.ntags = 0;
    flt.lag_over = 600; /* strictly more than 10 minutes */
    assert_int_equal(store_servers_query(f->s, &flt, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].source_server_id, "s-2");
    assert_string_equal(l.v[1].source_server_id, "s-3");
    store_server_list_cleanup(&l);
    flt.lag_over = 0;
    flt.account_id = "222222222222";
    assert_int_equal(count_servers(f->s, &flt), 0);
    /* a value with SQL in it is only a value */
    tags[0].value = "shop' OR '1'='1";
    flt.account_id = NULL;
    flt.lag_over = -1;
    flt.ntags = 1;
    assert_int_equal(count_servers(f->s, &flt), 0);

    /* removing an account removes its inventory, nobody else's */
    assert_int_equal(store_account_remove(f->s, "111111111111", &err), 0);
    assert_int_equal(count_servers(f->s, NULL), 1);
    tags[0].value = "shop";
    assert_int_equal(count_servers(f->s, &flt), 1);
    assert_int_equal(raw_count(f->db, "SELECT count(*) FROM snapshots"), 1);
}

/* ---- transactions ---- */

static void test_store_rollback_on_error(void **state)
{
    struct fixture *f = *state;
    struct store_account a;
    struct dr_err err;
    json_t *arr;

    assert_int_equal(store_begin(f->s, &err), 0);
    add_account(f->s, "111111111111", "us-east-1");
    assert_int_equal(store_rollback(f->s, &err), 0);
    assert_int_equal(store_account_get(f->s, "111111111111", &a, &err), -DR_ENOTFOUND);

    /* nested: the inner rollback undoes only the inner part */
    assert_int_equal(store_begin(f->s, &err), 0);
    add_account(f->s, "111111111111", "us-east-1");
    assert_int_equal(store_begin(f->s, &err), 0);
    add_account(f->s, "222222222222", "us-east-1");
    assert_int_equal(store_rollback(f->s, &err), 0);
    /* a failing snapshot inside the caller's transaction undoes only itself */
    arr = json_pack("[o,o]", server_item("s-1", "a", "CONTINUOUS", "PT1S", "x"),
                    server_item("s-1", "b", "CONTINUOUS", "PT1S", "x"));
    assert_int_equal(replace(f->s, "111111111111", "us-east-1", arr, &err), -DR_EPARSE);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(store_account_get(f->s, "111111111111", &a, &err), 0);
    store_account_cleanup(&a);
    assert_int_equal(store_account_get(f->s, "222222222222", &a, &err), -DR_ENOTFOUND);
    assert_int_equal(raw_count(f->db, "SELECT count(*) FROM snapshots"), 0);
    assert_int_equal(raw_count(f->db, "SELECT count(*) FROM servers"), 0);

    assert_int_equal(store_commit(f->s, &err), -DR_EINTERNAL);
    assert_int_equal(store_rollback(f->s, &err), -DR_EINTERNAL);
}

/* ---- documents ---- */

static void test_store_documents_are_versioned(void **state)
{
    struct fixture *f = *state;
    struct store_doc d;
    struct store_doc_list l;
    struct dr_err err;
    json_t *b1 = json_pack("{s:s, s:[s]}", "name", "shop", "waves", "db");
    json_t *b2 = json_pack("{s:s, s:[s,s]}", "name", "shop", "waves", "db", "app");
    json_t *same = json_deep_copy(b1);
    int64_t v;

    assert_int_equal(store_doc_put(f->s, "RecoveryPlan", "shop", b1, &v, &err), 0);
    assert_int_equal(v, 1);
    assert_int_equal(store_doc_put(f->s, "RecoveryPlan", "shop", same, &v, &err), 0);
    assert_int_equal(v, 1); /* unchanged body: no new version */
    assert_int_equal(store_doc_put(f->s, "RecoveryPlan", "shop", b2, &v, &err), 0);
    assert_int_equal(v, 2);
    assert_int_equal(store_doc_put(f->s, "ProtectionGroup", "shop-db", b1, &v, &err), 0);
    assert_int_equal(v, 1);

    assert_int_equal(store_doc_get(f->s, "RecoveryPlan", "shop", 0, &d, &err), 0);
    assert_int_equal(d.version, 2);
    assert_true(json_equal(d.body, b2));
    store_doc_cleanup(&d);
    assert_int_equal(store_doc_get(f->s, "RecoveryPlan", "shop", 1, &d, &err), 0);
    assert_true(json_equal(d.body, b1));
    store_doc_cleanup(&d);

    assert_int_equal(store_doc_list(f->s, "RecoveryPlan", &l, &err), 0);
    assert_int_equal(l.n, 1);
    store_doc_list_cleanup(&l);

    assert_int_equal(store_doc_delete(f->s, "RecoveryPlan", "shop", &err), 0);
    assert_int_equal(store_doc_get(f->s, "RecoveryPlan", "shop", 0, &d, &err), -DR_ENOTFOUND);
    assert_int_equal(store_doc_delete(f->s, "RecoveryPlan", "shop", &err), -DR_ENOTFOUND);
    assert_int_equal(store_doc_list(f->s, "RecoveryPlan", &l, &err), 0);
    assert_int_equal(l.n, 0);
    store_doc_list_cleanup(&l);
    assert_int_equal(store_doc_history(f->s, "RecoveryPlan", "shop", &l, &err), 0);
    assert_int_equal(l.n, 3);
    assert_true(l.v[2].deleted);
    store_doc_list_cleanup(&l);
    /* re-creating after a delete continues the numbering */
    assert_int_equal(store_doc_put(f->s, "RecoveryPlan", "shop", b1, &v, &err), 0);
    assert_int_equal(v, 4);
    json_decref(b1);
    json_decref(b2);
    json_decref(same);
}

/* ---- DRS items from the wire ---- */

static void test_store_drs_item_extracts_columns(void **state)
{
    struct store_drs_server sv;
    struct dr_err err;
    json_t *item = server_item("s-abc", "host1", "INITIAL_SYNC", "P1DT2H3M4.5S", "shop");

    (void)state;
    assert_int_equal(store_drs_server_parse(item, &sv, &err), 0);
    assert_string_equal(sv.source_server_id, "s-abc");
    assert_string_equal(sv.hostname, "host1");
    assert_string_equal(sv.replication_state, "INITIAL_SYNC");
    assert_int_equal(sv.lag_seconds, 86400 + 2 * 3600 + 3 * 60 + 4);
    assert_string_equal(sv.last_launch_job_id, "drsjob-1");
    assert_string_equal(sv.last_launch_type, "DRILL");
    assert_string_equal(sv.origin_region, "us-east-1");
    assert_string_equal(sv.ec2_instance_id, "i-0123456789abcdef0");
    json_decref(item);

    /* a minimal item: only the ID; nulls count as absent */
    item = json_pack("{s:s, s:n, s:{s:n}}", "sourceServerID", "s-1", "tags", "dataReplicationInfo",
                     "lagDuration");
    assert_int_equal(store_drs_server_parse(item, &sv, &err), 0);
    assert_null(sv.hostname);
    assert_null(sv.tags);
    assert_int_equal(sv.lag_seconds, -1);
    json_decref(item);
}

struct bad_case {
    const char *json;
    const char *want; /* substring of the error */
};

static void test_store_drs_item_rejects_malformed(void **state)
{
    static const struct bad_case cases[] = {
        {"[]", "must be an object"},
        {"{}", "sourceServerID: missing"},
        {"{\"sourceServerID\":\"\"}", "sourceServerID: missing"},
        {"{\"sourceServerID\":42}", "sourceServerID: must be a string"},
        {"{\"sourceServerID\":\"s 1\"}", "sourceServerID: contains"},
        {"{\"sourceServerID\":\"s-1\",\"tags\":[]}", "tags: must be an object"},
        {"{\"sourceServerID\":\"s-1\",\"tags\":{\"App\":1}}", "tags.App: value must be a string"},
        {"{\"sourceServerID\":\"s-1\",\"dataReplicationInfo\":\"x\"}",
         "dataReplicationInfo: must be an object"},
        {"{\"sourceServerID\":\"s-1\",\"dataReplicationInfo\":{\"lagDuration\":5}}",
         "dataReplicationInfo.lagDuration: must be a string"},
        {"{\"sourceServerID\":\"s-1\",\"dataReplicationInfo\":{\"lagDuration\":\"PT\"}}",
         "not an ISO 8601 duration"},
        {"{\"sourceServerID\":\"s-1\",\"dataReplicationInfo\":{\"lagDuration\":\"-PT5S\"}}",
         "not an ISO 8601 duration"},
        {"{\"sourceServerID\":\"s-1\",\"sourceProperties\":{\"identificationHints\":"
         "{\"hostname\":[]}}}",
         "sourceProperties.identificationHints.hostname: must be a string"},
        {"{\"sourceServerID\":\"s-1\",\"lifeCycle\":{\"lastLaunch\":{\"initiated\":true}}}",
         "lifeCycle.lastLaunch.initiated: must be an object"},
        {"{\"sourceServerID\":\"s-1\",\"sourceCloudProperties\":{\"originRegion\":{}}}",
         "sourceCloudProperties.originRegion: must be a string"},
        {"{\"sourceServerID\":\"s-1\",\"lastLaunchResult\":false}",
         "lastLaunchResult: must be a string"},
    };
    struct store_drs_server sv;
    struct dr_err err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        dr_err_clear(&err);
        if (store_drs_server_parse(v, &sv, &err) != -DR_EPARSE || !strstr(err.msg, cases[i].want))
            fail_msg("case %zu (%s): got '%s', want '%s'", i, cases[i].json, err.msg,
                     cases[i].want);
        json_decref(v);
    }
}

/* Replaces every member of a valid item, at any depth, with values of each wrong type. */
static void mutate_all(json_t *root, json_t *node, size_t *checked)
{
    json_t *v, *tmp;
    void *iter;

    if (!json_is_object(node))
        return;
    for (iter = json_object_iter(node); iter; iter = json_object_iter_next(node, iter)) {
        json_t *wrong[] = {json_integer(7), json_array(), json_object(), json_true(),
                           json_string("")};
        size_t w;
        v = json_incref(json_object_iter_value(iter));
        for (w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
            struct store_drs_server sv;
            struct dr_err err;
            int rc;
            json_object_iter_set(node, iter, wrong[w]); /* takes its own reference */
            rc = store_drs_server_parse(root, &sv, &err);
            assert_true(rc == 0 || rc == -DR_EPARSE);
            if (rc < 0)
                assert_true(err.msg[0] != '\0');
            (*checked)++;
            json_decref(wrong[w]);
        }
        json_object_iter_set_new(node, iter, v);
        tmp = json_object_iter_value(iter);
        mutate_all(root, tmp, checked);
    }
}

static void test_store_drs_item_survives_mutation(void **state)
{
    json_t *item = server_item("s-1", "h", "CONTINUOUS", "PT1S", "x");
    size_t checked = 0;

    (void)state;
    mutate_all(item, item, &checked);
    assert_true(checked > 50);
    json_decref(item);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_store_migrates_from_empty),
        T(test_store_uses_wal),
        T(test_store_reopen_is_idempotent),
        T(test_store_refuses_newer_schema),
        T(test_store_tightens_existing_file_mode),
        T(test_store_two_handles_share_the_file),
        T(test_store_account_crud),
        T(test_store_snapshot_replace_is_atomic),
        T(test_store_snapshot_keeps_all_fields),
        T(test_store_snapshot_with_instances_and_jobs),
        T(test_store_snapshot_enriches_from_ec2),
        T(test_store_stale_marking_keeps_rows),
        T(test_store_server_filters),
        T(test_store_rollback_on_error),
        T(test_store_documents_are_versioned),
        cmocka_unit_test(test_store_drs_item_extracts_columns),
        cmocka_unit_test(test_store_drs_item_rejects_malformed),
        cmocka_unit_test(test_store_drs_item_survives_mutation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
