/*
 * store.c - the backend-independent half of the store: home and file
 * creation, dispatch through the backend's vtable, validation of
 * snapshots before they reach a backend, and the _cleanup functions.
 * Must not contain SQL. Depends on core, jansson and store_impl.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/str.h"
#include "store/store_impl.h"

#define DB_NAME "drover.db"

int store_home_resolve(const char *home_opt, struct buf *out, struct dr_err *err)
{
    const char *h;

    if (dr_nonempty(home_opt)) {
        if (buf_adds(out, home_opt) < 0)
            return dr_err_set(err, DR_ENOMEM, "out of memory");
        return 0;
    }
    h = getenv("HOME");
    if (!dr_nonempty(h))
        return dr_err_set(err, DR_EINVAL, "neither --home, DROVER_HOME nor HOME is set");
    if (buf_addf(out, "%s/.drover", h) < 0)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    return 0;
}

/* Creates the file with 0600 (or tightens an existing one) without following links. */
static int create_private_file(const char *path, struct dr_err *err)
{
    struct stat st;
    int fd, rc = 0;

    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return dr_err_set(err, DR_EIO, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0) {
        rc = dr_err_set(err, DR_EIO, "%s: %s", path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        rc = dr_err_set(err, DR_EIO, "%s: not a regular file", path);
    } else if ((st.st_mode & 0777) != 0600 && fchmod(fd, 0600) < 0) {
        rc = dr_err_set(err, DR_EIO, "%s: chmod 0600: %s", path, strerror(errno));
    }
    close(fd);
    return rc;
}

int store_open_path(const char *db_path, struct store **out, struct dr_err *err)
{
    *out = NULL;
    if (create_private_file(db_path, err) < 0)
        return -DR_EIO;
    return store_sqlite_open(db_path, out, err);
}

int store_open(const char *home, struct store **out, struct dr_err *err)
{
    struct buf path;
    int rc;

    *out = NULL;
    if (!dr_nonempty(home))
        return dr_err_set(err, DR_EINVAL, "store: no home directory given");
    rc = fs_mkdir_p(home, 0700, err);
    if (rc < 0)
        return rc;
    buf_init(&path, 4096);
    if (buf_addf(&path, "%s/%s", home, DB_NAME) < 0) {
        buf_cleanup(&path);
        return dr_err_set(err, DR_EINVAL, "store: home path too long");
    }
    rc = store_open_path(path.p, out, err);
    buf_cleanup(&path);
    return rc;
}

void store_close(struct store *s)
{
    if (s)
        s->ops->close(s);
}

int store_schema_version(struct store *s)
{
    return s->ops->schema_version(s);
}

int store_begin(struct store *s, struct dr_err *err)
{
    return s->ops->begin(s, err);
}

int store_commit(struct store *s, struct dr_err *err)
{
    return s->ops->commit(s, err);
}

int store_rollback(struct store *s, struct dr_err *err)
{
    return s->ops->rollback(s, err);
}

/* ---- accounts ---- */

static void free_strv(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void store_account_cleanup(struct store_account *a)
{
    if (!a)
        return;
    free(a->account_id);
    free(a->name);
    free(a->role_arn);
    if (a->external_id) {
        explicit_bzero(a->external_id, strlen(a->external_id));
        free(a->external_id);
    }
    free_strv(a->regions, a->nregions);
    memset(a, 0, sizeof(*a));
}

void store_account_list_cleanup(struct store_account_list *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        store_account_cleanup(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int check_account(const struct store_account *a, struct dr_err *err)
{
    if (!dr_nonempty(a->account_id))
        return dr_err_set(err, DR_EINVAL, "account_id: missing");
    if (!dr_nonempty(a->role_arn))
        return dr_err_set(err, DR_EINVAL, "role_arn: missing");
    if (!dr_nonempty(a->external_id))
        return dr_err_set(err, DR_EINVAL, "external_id: missing");
    return 0;
}

int store_account_add(struct store *s, const struct store_account *a, struct dr_err *err)
{
    if (check_account(a, err) < 0)
        return -DR_EINVAL;
    return s->ops->account_add(s, a, err);
}

int store_account_update(struct store *s, const struct store_account *a, struct dr_err *err)
{
    if (check_account(a, err) < 0)
        return -DR_EINVAL;
    return s->ops->account_update(s, a, err);
}

int store_account_get(struct store *s, const char *account_id, struct store_account *out,
                      struct dr_err *err)
{
    memset(out, 0, sizeof(*out));
    return s->ops->account_get(s, account_id, out, err);
}

int store_account_list(struct store *s, struct store_account_list *out, struct dr_err *err)
{
    memset(out, 0, sizeof(*out));
    return s->ops->account_list(s, out, err);
}

int store_account_remove(struct store *s, const char *account_id, struct dr_err *err)
{
    return s->ops->account_remove(s, account_id, err);
}

/* ---- snapshots ---- */

/* Parses every element of an array with `parse`, into a new array of `size`-byte rows. */
#define PARSE_ALL(arr, what, type, parse_fn, rows_out, items_out, n_out)                           \
    do {                                                                                           \
        size_t i_, n_ = json_array_size(arr);                                                      \
        if ((arr) && !json_is_array(arr)) {                                                        \
            rc = dr_err_set(err, DR_EPARSE, "%s: must be an array", what);                         \
            goto out;                                                                              \
        }                                                                                          \
        (rows_out) = calloc(n_ ? n_ : 1, sizeof(type));                                            \
        (items_out) = calloc(n_ ? n_ : 1, sizeof(json_t *));                                       \
        if (!(rows_out) || !(items_out)) {                                                         \
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");                                      \
            goto out;                                                                              \
        }                                                                                          \
        for (i_ = 0; i_ < n_; i_++) {                                                              \
            const json_t *it_ = json_array_get(arr, i_);                                           \
            if (parse_fn(it_, &(rows_out)[i_], err) < 0) {                                         \
                dr_err_prefix(err, "%s[%zu]: ", what, i_);                                         \
                rc = -DR_EPARSE;                                                                   \
                goto out;                                                                          \
            }                                                                                      \
            (items_out)[i_] = it_;                                                                 \
        }                                                                                          \
        (n_out) = n_;                                                                              \
    } while (0)

/* EC2 tags ([{Key, Value}]) overlaid with DRS tags ({k: v}): a new object, or NULL for none. */
static json_t *merge_tags(const struct store_ec2_instance *ec2, const json_t *drs)
{
    json_t *out, *t;
    size_t i;

    if (!drs && !(ec2 && ec2->tags))
        return NULL;
    out = json_object();
    if (!out)
        return NULL;
    if (ec2 && ec2->tags) {
        json_array_foreach(ec2->tags, i, t)
        {
            const char *v = json_string_value(json_object_get(t, "Value"));
            json_object_set_new(out, json_string_value(json_object_get(t, "Key")),
                                json_string(v ? v : ""));
        }
    }
    if (drs)
        json_object_update(out, (json_t *)drs);
    return out;
}

/* EC2 instances of a snapshot, parsed, with the index of each by instance ID. */
struct ec2_set {
    struct store_ec2_instance *v;
    const json_t **items;
    size_t n;
};

/* Matches each server with its EC2 instance and merges their tags. */
static int enrich(struct store_snapshot_rows *rows, const struct ec2_set *ec2,
                  const json_t **server_ec2_items, const struct store_ec2_instance **server_ec2,
                  json_t **server_tags, struct dr_err *err)
{
    json_t *index = json_object();
    size_t i;
    int rc = 0;

    if (!index)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    for (i = 0; i < ec2->n; i++)
        json_object_set_new(index, ec2->v[i].instance_id, json_integer((json_int_t)i));
    for (i = 0; i < rows->nservers && rc == 0; i++) {
        const struct store_drs_server *sv = &rows->servers[i];
        json_t *hit = sv->ec2_instance_id ? json_object_get(index, sv->ec2_instance_id) : NULL;
        if (hit) {
            server_ec2[i] = &ec2->v[json_integer_value(hit)];
            server_ec2_items[i] = ec2->items[json_integer_value(hit)];
        }
        server_tags[i] = merge_tags(server_ec2[i], sv->tags);
        if ((sv->tags || (server_ec2[i] && server_ec2[i]->tags)) && !server_tags[i])
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    json_decref(index);
    return rc;
}

int store_snapshot_replace(struct store *s, const struct store_snapshot_in *in, struct dr_err *err)
{
    struct store_snapshot_rows rows;
    const json_t **sitems = NULL, **ritems = NULL, **jitems = NULL, **server_ec2_items = NULL;
    struct ec2_set ec2 = {0};
    const struct store_ec2_instance **server_ec2 = NULL;
    json_t **server_tags = NULL;
    size_t i;
    int rc = 0;

    memset(&rows, 0, sizeof(rows));
    rows.in = in;
    if (!dr_nonempty(in->account_id) || !dr_nonempty(in->region))
        return dr_err_set(err, DR_EINVAL, "snapshot: account and region are required");
    if (!in->servers)
        return dr_err_set(err, DR_EINVAL, "snapshot: servers array is required");
    PARSE_ALL(in->servers, "servers", struct store_drs_server, store_drs_server_parse, rows.servers,
              sitems, rows.nservers);
    PARSE_ALL(in->recovery_instances, "recoveryInstances", struct store_drs_recovery_instance,
              store_drs_recovery_instance_parse, rows.ris, ritems, rows.nris);
    PARSE_ALL(in->jobs, "jobs", struct store_drs_job, store_drs_job_parse, rows.jobs, jitems,
              rows.njobs);
    PARSE_ALL(in->ec2_instances, "ec2Instances", struct store_ec2_instance,
              store_ec2_instance_parse, ec2.v, ec2.items, ec2.n);
    rows.server_items = sitems;
    rows.ri_items = ritems;
    rows.job_items = jitems;
    server_ec2 = calloc(rows.nservers ? rows.nservers : 1, sizeof(*server_ec2));
    server_ec2_items = calloc(rows.nservers ? rows.nservers : 1, sizeof(*server_ec2_items));
    server_tags = calloc(rows.nservers ? rows.nservers : 1, sizeof(*server_tags));
    if (!server_ec2 || !server_ec2_items || !server_tags) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = enrich(&rows, &ec2, server_ec2_items, server_ec2, server_tags, err)) < 0)
        goto out;
    rows.server_ec2 = server_ec2;
    rows.server_ec2_items = server_ec2_items;
    rows.server_tags = server_tags;
    rc = s->ops->snapshot_replace(s, &rows, err);
out:
    for (i = 0; server_tags && i < rows.nservers; i++)
        json_decref(server_tags[i]);
    free(server_tags);
    free(server_ec2);
    free(server_ec2_items);
    free(ec2.v);
    free(ec2.items);
    free(rows.servers);
    free(rows.ris);
    free(rows.jobs);
    free(sitems);
    free(ritems);
    free(jitems);
    return rc;
}

int store_snapshot_mark_failed(struct store *s, const char *account_id, const char *region,
                               const char *error, int64_t attempted_at, struct dr_err *err)
{
    if (!dr_nonempty(account_id) || !dr_nonempty(region))
        return dr_err_set(err, DR_EINVAL, "snapshot: account and region are required");
    return s->ops->snapshot_mark_failed(s, account_id, region, dr_nonempty(error) ? error : "error",
                                        attempted_at, err);
}

void store_snapshot_cleanup(struct store_snapshot *sn)
{
    if (!sn)
        return;
    free(sn->account_id);
    free(sn->region);
    free(sn->last_error);
    memset(sn, 0, sizeof(*sn));
}

void store_snapshot_list_cleanup(struct store_snapshot_list *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        store_snapshot_cleanup(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

int store_snapshot_list(struct store *s, struct store_snapshot_list *out, struct dr_err *err)
{
    memset(out, 0, sizeof(*out));
    return s->ops->snapshot_list(s, NULL, NULL, out, err);
}

int store_snapshot_get(struct store *s, const char *account_id, const char *region,
                       struct store_snapshot *out, struct dr_err *err)
{
    struct store_snapshot_list l;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&l, 0, sizeof(l));
    rc = s->ops->snapshot_list(s, account_id, region, &l, err);
    if (rc < 0)
        return rc;
    if (l.n == 0) {
        store_snapshot_list_cleanup(&l);
        return dr_err_set(err, DR_ENOTFOUND, "no snapshot for %s/%s", account_id, region);
    }
    *out = l.v[0];
    memset(&l.v[0], 0, sizeof(l.v[0]));
    store_snapshot_list_cleanup(&l);
    return 0;
}

/* ---- servers ---- */

void store_server_cleanup(struct store_server *sv)
{
    if (!sv)
        return;
    free(sv->account_id);
    free(sv->region);
    free(sv->source_server_id);
    free(sv->arn);
    free(sv->hostname);
    free(sv->replication_state);
    free(sv->last_launch_result);
    free(sv->last_launch_at);
    free(sv->recovery_instance_id);
    free(sv->origin_account_id);
    free(sv->origin_region);
    free(sv->instance_type);
    free(sv->subnet_id);
    free(sv->private_ip);
    json_decref(sv->tags);
    memset(sv, 0, sizeof(*sv));
}

void store_server_list_cleanup(struct store_server_list *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        store_server_cleanup(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

int store_servers_query(struct store *s, const struct store_server_filter *f,
                        struct store_server_list *out, struct dr_err *err)
{
    static const struct store_server_filter all = {.lag_over = -1};
    size_t i;

    memset(out, 0, sizeof(*out));
    if (!f)
        f = &all;
    for (i = 0; i < f->ntags; i++) {
        if (!f->tags[i].key || !f->tags[i].value)
            return dr_err_set(err, DR_EINVAL, "tag filter %zu: key and value are required", i);
    }
    return s->ops->servers_query(s, f, out, err);
}

int store_server_item(struct store *s, const char *account_id, const char *region,
                      const char *source_server_id, json_t **out, struct dr_err *err)
{
    *out = NULL;
    return s->ops->server_item(s, account_id, region, source_server_id, out, err);
}

/* ---- documents ---- */

void store_doc_cleanup(struct store_doc *d)
{
    if (!d)
        return;
    free(d->kind);
    free(d->name);
    json_decref(d->body);
    memset(d, 0, sizeof(*d));
}

void store_doc_list_cleanup(struct store_doc_list *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        store_doc_cleanup(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int check_doc_key(const char *kind, const char *name, struct dr_err *err)
{
    if (!dr_nonempty(kind))
        return dr_err_set(err, DR_EINVAL, "document kind: missing");
    if (!dr_nonempty(name))
        return dr_err_set(err, DR_EINVAL, "document name: missing");
    return 0;
}

int store_doc_put(struct store *s, const char *kind, const char *name, const json_t *body,
                  int64_t *version_out, struct dr_err *err)
{
    if (check_doc_key(kind, name, err) < 0)
        return -DR_EINVAL;
    if (!body)
        return dr_err_set(err, DR_EINVAL, "document body: missing");
    return s->ops->doc_put(s, kind, name, body, false, version_out, err);
}

int store_doc_get(struct store *s, const char *kind, const char *name, int64_t version,
                  struct store_doc *out, struct dr_err *err)
{
    memset(out, 0, sizeof(*out));
    if (check_doc_key(kind, name, err) < 0)
        return -DR_EINVAL;
    return s->ops->doc_get(s, kind, name, version, out, err);
}

int store_doc_list(struct store *s, const char *kind, struct store_doc_list *out,
                   struct dr_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!dr_nonempty(kind))
        return dr_err_set(err, DR_EINVAL, "document kind: missing");
    return s->ops->doc_list(s, kind, NULL, false, out, err);
}

int store_doc_history(struct store *s, const char *kind, const char *name,
                      struct store_doc_list *out, struct dr_err *err)
{
    memset(out, 0, sizeof(*out));
    if (check_doc_key(kind, name, err) < 0)
        return -DR_EINVAL;
    return s->ops->doc_list(s, kind, name, true, out, err);
}

int store_doc_delete(struct store *s, const char *kind, const char *name, struct dr_err *err)
{
    if (check_doc_key(kind, name, err) < 0)
        return -DR_EINVAL;
    return s->ops->doc_put(s, kind, name, NULL, true, NULL, err);
}
