/*
 * accounts.h - the registry of spoke accounts drover assumes roles in:
 * validation of account IDs, role ARNs, regions and external IDs,
 * generation of external IDs, add/update/remove through the store, and
 * rendering for `drover accounts list` (JSON/YAML value or table) with
 * external IDs masked unless asked. Needs no AWS calls; `accounts
 * validate` and `import` live beside this on top of the AWS client.
 * Depends on core and store; must not depend on the CLI.
 */
#ifndef DROVER_INVENTORY_ACCOUNTS_H
#define DROVER_INVENTORY_ACCOUNTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

#define ACCOUNTS_EXTERNAL_ID_BYTES 16 /* 128 bits -> 32 hex characters */
#define ACCOUNTS_MAX_REGIONS       64

/*
 * Validators. Each returns 0 or -DR_EINVAL with a message that starts with
 * the field name ("account_id: ...", "role_arn: ...", "regions: ...",
 * "external_id: ...", "name: ...").
 */
int accounts_check_id(const char *account_id, struct dr_err *err);
/* arn:{aws,aws-cn,aws-us-gov}:iam::<account_id>:role/[path/]name */
int accounts_check_role_arn(const char *arn, const char *account_id, struct dr_err *err);
int accounts_check_region(const char *region, struct dr_err *err);
int accounts_check_external_id(const char *external_id, struct dr_err *err);
int accounts_check_name(const char *name, struct dr_err *err);

/*
 * Splits "r1,r2" into a new array of validated, de-duplicated region names
 * (caller frees each and the array). At least one region is required.
 */
int accounts_parse_regions(const char *csv, char ***out, size_t *n, struct dr_err *err);

/* 128 bits from the CSPRNG as 32 lowercase hex characters + NUL. */
int accounts_generate_external_id(char out[2 * ACCOUNTS_EXTERNAL_ID_BYTES + 1], struct dr_err *err);

struct accounts_add_req {
    const char *account_id;
    const char *role_arn;
    const char *external_id; /* NULL: generate one (or keep the stored one on update) */
    const char *regions;     /* "r1,r2" */
    const char *name;        /* may be NULL */
    bool update;             /* replace an existing registration instead of failing */
};

/*
 * Validates and registers an account. An existing account is
 * -DR_ECONFLICT unless req->update. When an external ID was generated,
 * *generated (nullable) receives a heap copy that the caller shows once
 * and frees; otherwise it is set to NULL.
 */
int accounts_add(struct store *s, const struct accounts_add_req *req, char **generated,
                 struct dr_err *err);
/* Removes an account and its inventory. -DR_ENOTFOUND when absent. */
int accounts_remove(struct store *s, const char *account_id, struct dr_err *err);

/* "a1b2…(masked)": the first 4 characters of a long secret, nothing of a short one. */
int accounts_mask_secret(const char *secret, struct buf *out);

/*
 * {"accounts":[{"account_id","name","role_arn","external_id","regions",
 * "created_at"}]}, external IDs masked unless show_secrets. New reference
 * or NULL on ENOMEM. created_at is ISO 8601 UTC.
 */
json_t *accounts_to_json(const struct store_account_list *l, bool show_secrets);
/* The same as a table. */
int accounts_render_table(const struct store_account_list *l, bool show_secrets, struct buf *out,
                          struct dr_err *err);

#endif
