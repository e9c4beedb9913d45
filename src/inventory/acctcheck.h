/*
 * acctcheck.h - the account registry's AWS side: `accounts validate`
 * (per account-region: AssumeRole through that region's STS,
 * GetCallerIdentity, DRS DescribeSourceServers maxResults=1, each failure
 * reported with the step, the exact error and what to fix) and `accounts
 * import --organization` (Organizations ListAccounts, paginated; each
 * ACTIVE member account registered with ROLE_NAME). Both run on the
 * AWS client's loop, account-regions concurrently.
 * Depends on core, store, the AWS client and accounts.h.
 */
#ifndef DROVER_INVENTORY_ACCTCHECK_H
#define DROVER_INVENTORY_ACCTCHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

#define ACCTCHECK_DEFAULT_ROLE "DroverSpokeRole"

struct acctcheck_row {
    char *account_id;
    char *region;
    const char *step; /* the failed step: "AssumeRole", "GetCallerIdentity",
                         "DescribeSourceServers"; NULL when OK */
    char *error;      /* "Code: message", or NULL */
    char *fix;        /* what to change, or NULL */
};

struct acctcheck_result {
    struct acctcheck_row *v; /* ordered by account, then the account's regions */
    size_t n;
    size_t failed;
};

void acctcheck_result_cleanup(struct acctcheck_result *r);

/*
 * Validates one registered account (account_id) or every one (NULL).
 * Returns 0 when the checks ran (see r->failed), -DR_ENOTFOUND for an
 * unknown account or an empty registry, or another error when the loop
 * failed.
 */
int accounts_validate(struct store *s, struct aws_client *c, const char *account_id,
                      struct acctcheck_result *r, struct dr_err *err);
/* {"results":[{"account_id","region","ok","step","error","fix"}],"failed":n} */
json_t *acctcheck_to_json(const struct acctcheck_result *r);
/* ACCOUNT REGION RESULT FIX */
int acctcheck_render_table(const struct acctcheck_result *r, struct buf *out, struct dr_err *err);

struct accounts_import_req {
    const char *role_name;   /* NULL = ACCTCHECK_DEFAULT_ROLE */
    const char *regions;     /* "r1,r2", required */
    const char *external_id; /* one for every account; NULL = generate one each */
    bool update;             /* replace existing registrations */
    bool dry_run;            /* list what would be registered */
};

struct accounts_import_row {
    char *account_id;
    char *name;
    char *role_arn;
    char *external_id;  /* generated, shown once; NULL otherwise */
    const char *action; /* "registered", "updated", "exists", "skipped (hub)",
                           "skipped (STATUS)", "would register" */
};

struct accounts_import_result {
    struct accounts_import_row *v;
    size_t n;
};

void accounts_import_result_cleanup(struct accounts_import_result *r);
/*
 * Lists the organization's accounts (Organizations ListAccounts, every
 * page) and registers each ACTIVE one except the caller's own (the hub):
 * role arn:PARTITION:iam::ID:role/ROLE_NAME, the given regions, the given
 * or a generated external ID. Existing registrations are kept (action
 * "exists") unless req->update.
 */
int accounts_import_org(struct store *s, struct aws_client *c,
                        const struct accounts_import_req *req, struct accounts_import_result *r,
                        struct dr_err *err);
json_t *accounts_import_to_json(const struct accounts_import_result *r);

#endif
