/*
 * accounts.c - the accounts registry (see accounts.h): validation,
 * external ID generation, registration through the store and list
 * rendering. External IDs are secrets: they are never logged, and are
 * wiped from memory this file owns. Depends on core and store only.
 */
#include "inventory/accounts.h"

#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/str.h"
#include "core/table.h"
#include "core/timeutil.h"

#define ROLE_ARN_MAX    2048
#define ROLE_NAME_MAX   64
#define EXTERNAL_ID_MIN 2
#define EXTERNAL_ID_MAX 1224
#define NAME_MAX_LEN    128
#define REGION_MAX      32

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_alnum(char c)
{
    return is_digit(c) || is_lower(c) || (c >= 'A' && c <= 'Z');
}

int accounts_check_id(const char *id, struct dr_err *err)
{
    size_t i;

    if (!dr_nonempty(id))
        return dr_err_set(err, DR_EINVAL, "account_id: missing");
    for (i = 0; id[i]; i++) {
        if (!is_digit(id[i]) || i >= 12)
            break;
    }
    if (i != 12 || id[i] != '\0')
        return dr_err_set(err, DR_EINVAL, "account_id: '%.40s' is not a 12-digit AWS account ID",
                          id);
    return 0;
}

/* The partition a region belongs to. */
static const char *region_partition(const char *region)
{
    if (strncmp(region, "cn-", 3) == 0)
        return "aws-cn";
    if (strncmp(region, "us-gov-", 7) == 0)
        return "aws-us-gov";
    return "aws";
}

int accounts_check_role_arn(const char *arn, const char *account_id, struct dr_err *err)
{
    static const char *const partitions[] = {"aws", "aws-cn", "aws-us-gov"};
    struct str rest, part, field;
    const char *name;
    size_t i;
    bool ok = false;

    if (!dr_nonempty(arn))
        return dr_err_set(err, DR_EINVAL, "role_arn: missing");
    if (strlen(arn) > ROLE_ARN_MAX)
        return dr_err_set(err, DR_EINVAL, "role_arn: longer than %d characters", ROLE_ARN_MAX);
    rest = str_cut(str_from(arn), ':', &field);
    if (!rest.p || !str_eq_cstr(field, "arn"))
        return dr_err_set(err, DR_EINVAL, "role_arn: '%.80s' does not start with 'arn:'", arn);
    rest = str_cut(rest, ':', &part);
    for (i = 0; rest.p && i < sizeof(partitions) / sizeof(partitions[0]); i++)
        ok = ok || str_eq_cstr(part, partitions[i]);
    if (!ok)
        return dr_err_set(err, DR_EINVAL,
                          "role_arn: partition '%.*s' is not aws, aws-cn or aws-us-gov",
                          (int)(part.len > 32 ? 32 : part.len), part.p);
    rest = str_cut(rest, ':', &field);
    if (!rest.p || !str_eq_cstr(field, "iam"))
        return dr_err_set(err, DR_EINVAL, "role_arn: service must be 'iam' (arn:%.*s:iam::...)",
                          (int)part.len, part.p);
    rest = str_cut(rest, ':', &field);
    if (!rest.p || field.len != 0)
        return dr_err_set(err, DR_EINVAL, "role_arn: an IAM ARN has an empty region field");
    rest = str_cut(rest, ':', &field);
    if (!rest.p || field.len != 12)
        return dr_err_set(err, DR_EINVAL, "role_arn: the account field is not 12 digits");
    for (i = 0; i < 12; i++) {
        if (!is_digit(field.p[i]))
            return dr_err_set(err, DR_EINVAL, "role_arn: the account field is not 12 digits");
    }
    if (account_id && !str_eq_cstr(field, account_id))
        return dr_err_set(err, DR_EINVAL,
                          "role_arn: the role is in account %.12s, not in %.12s being registered",
                          field.p, account_id);
    if (!str_starts_with(rest, "role/"))
        return dr_err_set(err, DR_EINVAL, "role_arn: resource must be 'role/NAME'");
    for (i = 5; i < rest.len; i++) {
        char c = rest.p[i];
        if (!is_alnum(c) && !strchr("+=,.@_-/", c))
            return dr_err_set(err, DR_EINVAL, "role_arn: the role name contains '%c'", c);
    }
    name = strrchr(rest.p, '/') + 1;
    if (!*name || strlen(name) > ROLE_NAME_MAX)
        return dr_err_set(err, DR_EINVAL, "role_arn: the role name must be 1 to %d characters",
                          ROLE_NAME_MAX);
    if (strstr(rest.p, "//"))
        return dr_err_set(err, DR_EINVAL, "role_arn: the role path has an empty segment");
    return 0;
}

int accounts_check_region(const char *r, struct dr_err *err)
{
    size_t i = 0, n, groups = 0;

    if (!dr_nonempty(r))
        return dr_err_set(err, DR_EINVAL, "regions: empty region name");
    n = strlen(r);
    /* [a-z]{2} (-[a-z]+)+ -[0-9]{1,2} */
    if (n > REGION_MAX || n < 4 || !is_lower(r[0]) || !is_lower(r[1]))
        goto bad;
    i = 2;
    while (i < n && r[i] == '-' && i + 1 < n && is_lower(r[i + 1])) {
        i++;
        while (i < n && is_lower(r[i]))
            i++;
        groups++;
    }
    if (groups < 1 || i >= n || r[i] != '-')
        goto bad;
    i++;
    if (i >= n || !is_digit(r[i]) || (n - i) > 2 || (n - i == 2 && !is_digit(r[i + 1])))
        goto bad;
    return 0;
bad:
    return dr_err_set(err, DR_EINVAL, "regions: '%.40s' is not an AWS region name (like us-east-1)",
                      r);
}

int accounts_check_external_id(const char *x, struct dr_err *err)
{
    size_t i, n;

    if (!x)
        return dr_err_set(err, DR_EINVAL, "external_id: missing");
    n = strlen(x);
    if (n < EXTERNAL_ID_MIN || n > EXTERNAL_ID_MAX)
        return dr_err_set(err, DR_EINVAL, "external_id: must be %d to %d characters",
                          EXTERNAL_ID_MIN, EXTERNAL_ID_MAX);
    for (i = 0; i < n; i++) {
        if (!is_alnum(x[i]) && !strchr("+=,.@:/_-", x[i]))
            return dr_err_set(err, DR_EINVAL,
                              "external_id: only letters, digits and +=,.@:/_- are allowed");
    }
    return 0;
}

int accounts_check_name(const char *name, struct dr_err *err)
{
    size_t i;

    if (!name)
        return 0;
    if (strlen(name) > NAME_MAX_LEN)
        return dr_err_set(err, DR_EINVAL, "name: longer than %d characters", NAME_MAX_LEN);
    for (i = 0; name[i]; i++) {
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return dr_err_set(err, DR_EINVAL, "name: contains a control character");
    }
    return 0;
}

static void free_strv(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int accounts_parse_regions(const char *csv, char ***out, size_t *n, struct dr_err *err)
{
    struct str rest, item;
    char **v = NULL;
    size_t cnt = 0, i;
    int rc = 0;

    *out = NULL;
    *n = 0;
    if (!dr_nonempty(csv))
        return dr_err_set(err, DR_EINVAL, "regions: at least one region is required");
    v = calloc(ACCOUNTS_MAX_REGIONS, sizeof(char *));
    if (!v)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    rest = str_from(csv);
    while (rest.p) {
        char *r;
        bool dup = false;
        rest = str_cut(rest, ',', &item);
        item = str_trim(item);
        if (item.len == 0 && !rest.p && cnt > 0)
            break; /* a trailing comma */
        r = str_dup(item);
        if (!r) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            goto out;
        }
        if ((rc = accounts_check_region(r, err)) < 0) {
            free(r);
            goto out;
        }
        for (i = 0; i < cnt; i++)
            dup = dup || strcmp(v[i], r) == 0;
        if (dup) {
            free(r);
            continue;
        }
        if (cnt == ACCOUNTS_MAX_REGIONS) {
            free(r);
            rc = dr_err_set(err, DR_EINVAL, "regions: more than %d regions", ACCOUNTS_MAX_REGIONS);
            goto out;
        }
        v[cnt++] = r;
    }
out:
    if (rc < 0) {
        free_strv(v, cnt);
        return rc;
    }
    *out = v;
    *n = cnt;
    return 0;
}

int accounts_generate_external_id(char out[2 * ACCOUNTS_EXTERNAL_ID_BYTES + 1], struct dr_err *err)
{
    return crypto_random_hex(out, ACCOUNTS_EXTERNAL_ID_BYTES, err);
}

static int check_req(const struct accounts_add_req *req, struct dr_err *err)
{
    size_t i, n;
    char **regions;
    const char *part;
    int rc;

    if ((rc = accounts_check_id(req->account_id, err)) < 0 ||
        (rc = accounts_check_role_arn(req->role_arn, req->account_id, err)) < 0 ||
        (req->external_id && (rc = accounts_check_external_id(req->external_id, err)) < 0) ||
        (rc = accounts_check_name(req->name, err)) < 0 ||
        (rc = accounts_parse_regions(req->regions, &regions, &n, err)) < 0)
        return rc;
    /* "arn:" + partition up to the next ':' */
    part = req->role_arn + 4;
    for (i = 0; i < n && rc == 0; i++) {
        const char *want = region_partition(regions[i]);
        if (strncmp(part, want, strlen(want)) != 0 || part[strlen(want)] != ':')
            rc = dr_err_set(err, DR_EINVAL, "regions: %s is in partition %s, but role_arn is not",
                            regions[i], want);
    }
    free_strv(regions, n);
    return rc;
}

int accounts_add(struct store *s, const struct accounts_add_req *req, char **generated,
                 struct dr_err *err)
{
    struct store_account a, old;
    char ext[2 * ACCOUNTS_EXTERNAL_ID_BYTES + 1];
    bool exists = false;
    int rc;

    memset(&a, 0, sizeof(a));
    memset(&old, 0, sizeof(old));
    if (generated)
        *generated = NULL;
    if ((rc = check_req(req, err)) < 0)
        return rc;
    if (req->update) {
        rc = store_account_get(s, req->account_id, &old, err);
        if (rc < 0 && rc != -DR_ENOTFOUND)
            return rc;
        exists = rc == 0;
        dr_err_clear(err);
    }
    if ((rc = accounts_parse_regions(req->regions, &a.regions, &a.nregions, err)) < 0)
        goto out;
    a.account_id = (char *)req->account_id;
    a.role_arn = (char *)req->role_arn;
    a.name = (char *)req->name;
    if (req->external_id) {
        a.external_id = (char *)req->external_id;
    } else if (exists) {
        a.external_id = old.external_id; /* keep: the spoke's trust policy names it */
    } else {
        if ((rc = accounts_generate_external_id(ext, err)) < 0)
            goto out;
        a.external_id = ext;
    }
    rc = exists ? store_account_update(s, &a, err) : store_account_add(s, &a, err);
    if (rc == -DR_ECONFLICT)
        dr_err_prefix(err, "account_id: ");
    if (rc == 0 && a.external_id == ext && generated) {
        *generated = strdup(ext);
        if (!*generated)
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
    }
out:
    free_strv(a.regions, a.nregions);
    explicit_bzero(ext, sizeof(ext));
    store_account_cleanup(&old);
    return rc;
}

int accounts_remove(struct store *s, const char *account_id, struct dr_err *err)
{
    int rc = accounts_check_id(account_id, err);

    if (rc < 0)
        return rc;
    return store_account_remove(s, account_id, err);
}

int accounts_mask_secret(const char *secret, struct buf *out)
{
    if (secret && strlen(secret) >= 16 && buf_add(out, secret, 4) < 0)
        return -DR_ENOMEM;
    return buf_adds(out, "\xe2\x80\xa6(masked)");
}

static json_t *account_json(const struct store_account *a, bool show_secrets)
{
    json_t *o = json_object(), *regions = json_array();
    char when[32];
    struct buf masked;
    size_t i;

    if (!o || !regions) {
        json_decref(o);
        json_decref(regions);
        return NULL;
    }
    for (i = 0; i < a->nregions; i++)
        json_array_append_new(regions, json_string(a->regions[i]));
    time_iso8601((time_t)(a->created_at / 1000), when, sizeof(when));
    buf_init(&masked, 256);
    if (!show_secrets && accounts_mask_secret(a->external_id, &masked) < 0) {
        json_decref(o);
        json_decref(regions);
        return NULL;
    }
    json_object_set_new(o, "account_id", json_string(a->account_id));
    json_object_set_new(o, "name", a->name ? json_string(a->name) : json_null());
    json_object_set_new(o, "role_arn", json_string(a->role_arn));
    json_object_set_new(o, "external_id", json_string(show_secrets ? a->external_id : masked.p));
    json_object_set_new(o, "regions", regions);
    json_object_set_new(o, "created_at", json_string(when));
    buf_cleanup(&masked);
    return o;
}

json_t *accounts_to_json(const struct store_account_list *l, bool show_secrets)
{
    json_t *root = json_object(), *arr = json_array();
    size_t i;

    if (!root || !arr) {
        json_decref(root);
        json_decref(arr);
        return NULL;
    }
    json_object_set_new(root, "accounts", arr);
    for (i = 0; i < l->n; i++) {
        json_t *a = account_json(&l->v[i], show_secrets);
        if (!a || json_array_append_new(arr, a) < 0) {
            json_decref(root);
            return NULL;
        }
    }
    return root;
}

int accounts_render_table(const struct store_account_list *l, bool show_secrets, struct buf *out,
                          struct dr_err *err)
{
    static const struct table_col cols[] = {
        {"ACCOUNT", TABLE_LEFT},     {"NAME", TABLE_LEFT},    {"ROLE ARN", TABLE_LEFT},
        {"EXTERNAL ID", TABLE_LEFT}, {"REGIONS", TABLE_LEFT}, {"CREATED", TABLE_LEFT},
    };
    struct table t;
    struct buf regions, ext;
    char when[32];
    size_t i, r;
    int rc = 0;

    table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
    buf_init(&regions, 4096);
    buf_init(&ext, 4096);
    for (i = 0; i < l->n && rc == 0; i++) {
        const struct store_account *a = &l->v[i];
        const char *cells[6];
        buf_reset(&regions);
        buf_reset(&ext);
        for (r = 0; r < a->nregions && rc == 0; r++)
            rc = buf_addf(&regions, "%s%s", r ? "," : "", a->regions[r]);
        if (rc == 0)
            rc = show_secrets ? buf_adds(&ext, a->external_id)
                              : accounts_mask_secret(a->external_id, &ext);
        if (rc < 0) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            break;
        }
        time_iso8601((time_t)(a->created_at / 1000), when, sizeof(when));
        cells[0] = a->account_id;
        cells[1] = a->name;
        cells[2] = a->role_arn;
        cells[3] = ext.p;
        cells[4] = regions.p;
        cells[5] = when;
        rc = table_add_row(&t, cells, err);
    }
    if (rc == 0)
        rc = table_render(&t, out, err);
    table_cleanup(&t);
    buf_cleanup(&regions);
    explicit_bzero(ext.p, ext.len);
    buf_cleanup(&ext);
    return rc;
}
