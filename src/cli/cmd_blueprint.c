/*
 * cmd_blueprint.c - `drover blueprint --hub ACCOUNT --spokes a,b --regions
 * r1,r2 [--source-accounts ...] [--staging-account A] [--source-cidrs ...]
 * [--hub-principal ARN] [-o cloudformation|json] --out DIR`: generates the
 * cross-account setup (src/blueprint) and writes it into DIR: templates
 * (*.yaml with comments, or *.json with the notes in Metadata), the raw
 * policy documents under policies/, manifest.json, and external-ids.json
 * (mode 0600; existing IDs are kept, missing ones come from the CSPRNG).
 * External IDs are never printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blueprint/blueprint.h"
#include "cli/cliutil.h"
#include "cli/cmd.h"
#include "core/fsutil.h"
#include "core/jsonutil.h"
#include "core/str.h"
#include "core/yamlout.h"
#include "inventory/accounts.h"

static const struct cmd_opt blueprint_opts[] = {
    {"hub", 0, "ACCOUNT", "the account drover runs in (gets DroverExecutionRole)"},
    {"spokes", 0, "LIST", "comma-separated recovery accounts (DRS targets)"},
    {"regions", 0, "LIST", "comma-separated regions (the first one holds the IAM roles)"},
    {"source-accounts", 0, "LIST", "comma-separated accounts the servers replicate from"},
    {"staging-account", 0, "ACCOUNT", "a separate DRS staging account"},
    {"source-cidrs", 0, "LIST", "source networks allowed to TCP 1500 (default: a parameter)"},
    {"hub-principal", 0, "ARN", "the only principal that may assume the execution role"},
    {"out", 0, "DIR", "where to write the templates and policies (required)"},
    {0},
};

#define EXT_FILE "external-ids.json"

/* A borrowed string vector over an array of strings (a may be NULL); returns its size. */
static size_t strv(const json_t *a, const char ***v)
{
    size_t n = json_array_size(a);
    *v = calloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; *v && i < n; i++)
        (*v)[i] = json_string_value(json_array_get(a, i));
    return n;
}

/* Loads DIR/external-ids.json when it exists, then adds an ID for every
 * account that has none. */
static int external_ids(const char *dir, const json_t *accts, json_t **out, bool *changed,
                        struct dr_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, EXT_FILE);
    json_t *ids = NULL;
    struct stat sb;
    *changed = false;
    if (stat(path, &sb) == 0) {
        int rc = json_load_path(path, &ids, err);
        if (rc < 0)
            return rc;
        if (!json_is_object(json_object_get(ids, "external_ids"))) {
            json_decref(ids);
            return dr_err_set(err, DR_EINVAL, "%s: external_ids: must be an object", path);
        }
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(ids, "external_ids"), k, v)
        {
            if (!json_is_string(v) || accounts_check_external_id(json_string_value(v), err) < 0) {
                json_decref(ids);
                return dr_err_set(err, DR_EINVAL, "%s: external_ids.%s: not a valid external ID",
                                  path, k);
            }
        }
    } else {
        ids = json_pack("{s:s, s:{}}", "note",
                        "secret: the sts:ExternalId of each account's DroverSpokeRole; pass it "
                        "as the ExternalId parameter and to drover accounts add --external-id",
                        "external_ids");
    }
    json_t *m = json_object_get(ids, "external_ids");
    size_t i;
    json_t *a;
    json_array_foreach(accts, i, a)
    {
        if (json_object_get(m, json_string_value(a)))
            continue;
        char ext[2 * ACCOUNTS_EXTERNAL_ID_BYTES + 1];
        int rc = accounts_generate_external_id(ext, err);
        if (rc < 0) {
            json_decref(ids);
            return rc;
        }
        json_object_set_new(m, json_string_value(a), json_string(ext));
        *changed = true;
    }
    *out = ids;
    return 0;
}

static int write_json(const char *dir, const char *name, const json_t *v, mode_t mode,
                      struct dr_err *err)
{
    char path[4096];
    struct buf b;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *slash = strrchr(path, '/');
    int rc = 0;
    if (slash && slash > path + strlen(dir)) {
        *slash = '\0';
        rc = fs_mkdir_p(path, 0755, err);
        *slash = '/';
    }
    buf_init(&b, BUF_DEFAULT_MAX);
    if (rc == 0 && (json_dump_buf(v, JSON_INDENT(2), &b) < 0 || buf_addch(&b, '\n') < 0))
        rc = dr_err_set(err, DR_ENOMEM, "%s: too large", path);
    if (rc == 0)
        rc = fs_write_atomic(path, b.p, b.len, mode, err);
    buf_cleanup(&b);
    return rc;
}

static int write_template(const char *dir, const char *name, json_t *t, bool yaml,
                          struct dr_err *err)
{
    char file[512];
    snprintf(file, sizeof file, "%s.%s", name, yaml ? "yaml" : "json");
    if (!yaml) {
        json_t *notes = json_array();
        bp_strip_notes(t, notes);
        if (json_array_size(notes))
            json_object_set_new(t, "Metadata", json_pack("{s:o}", "DroverNotes", notes));
        else
            json_decref(notes);
        return write_json(dir, file, t, 0644, err);
    }
    char path[4096];
    struct buf b;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    buf_init(&b, BUF_DEFAULT_MAX);
    int rc = buf_addf(&b, "# %s - generated by drover blueprint (docs/doctor.md)\n", file) < 0
                 ? dr_err_set(err, DR_ENOMEM, "%s: too large", path)
                 : yamlout_emit_commented(t, &b, err);
    if (rc == 0)
        rc = fs_write_atomic(path, b.p, b.len, 0644, err);
    buf_cleanup(&b);
    return rc;
}

static bool in_list(const json_t *a, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (!strcmp(json_string_value(v), s)) return true;
    return false;
}

static int write_all(const char *dir, json_t *bp, bool yaml, struct dr_err *err)
{
    const char *k;
    json_t *v;
    int rc = 0;
    json_object_foreach(json_object_get(bp, "templates"), k, v)
    {
        if ((rc = write_template(dir, k, v, yaml, err)) < 0)
            return rc;
    }
    const json_t *secret = json_object_get(bp, "secret");
    json_object_foreach(json_object_get(bp, "policies"), k, v)
    {
        if ((rc = write_json(dir, k, v, in_list(secret, k) ? 0600 : 0644, err)) < 0)
            return rc;
    }
    if ((rc = write_json(dir, "manifest.json", json_object_get(bp, "manifest"), 0644, err)) < 0)
        return rc;
    return 0;
}

static int blueprint_exec(struct cmd_ctx *ctx)
{
    const char *fmt = cli_output(ctx);
    bool yaml = !strcmp(fmt, "cloudformation") || !strcmp(fmt, "table") || !strcmp(fmt, "yaml");
    if (!yaml && strcmp(fmt, "json"))
        return cmd_usage_error(ctx, "-o %s: blueprint writes cloudformation (YAML) or json", fmt);
    const char *dir = cmd_opt(ctx, "out");
    if (!dr_nonempty(dir))
        return cmd_usage_error(ctx, "out: --out DIR is required");
    if (!cmd_opt(ctx, "hub"))
        return cmd_usage_error(ctx, "hub: --hub ACCOUNT is required");
    struct dr_err err;
    dr_err_clear(&err);
    json_t *spokes = NULL, *sources = NULL, *cidrs = NULL, *hub = NULL, *staging = NULL;
    json_t *ids = NULL, *bp = NULL, *accts = NULL;
    char **regions = NULL;
    size_t nregions = 0;
    const char **vs = NULL, **vsrc = NULL, **vc = NULL;
    int rc = EXIT_OK;
    struct bp_opts o = {0};
    if (bp_parse_accounts(cmd_opt(ctx, "hub"), "--hub", &hub, &err) < 0 ||
        bp_parse_accounts(cmd_opt(ctx, "spokes"), "--spokes", &spokes, &err) < 0 ||
        (cmd_opt(ctx, "source-accounts") &&
         bp_parse_accounts(cmd_opt(ctx, "source-accounts"), "--source-accounts", &sources, &err) <
             0) ||
        (cmd_opt(ctx, "staging-account") &&
         bp_parse_accounts(cmd_opt(ctx, "staging-account"), "--staging-account", &staging, &err) <
             0) ||
        (cmd_opt(ctx, "source-cidrs") &&
         bp_parse_cidrs(cmd_opt(ctx, "source-cidrs"), "--source-cidrs", &cidrs, &err) < 0) ||
        accounts_parse_regions(cmd_opt(ctx, "regions"), &regions, &nregions, &err) < 0) {
        rc = cli_fail(-DR_EINVAL, &err);
        goto out;
    }
    if (json_array_size(hub) != 1 || json_array_size(staging) > 1) {
        rc = cmd_usage_error(ctx, "%s: exactly one account",
                             json_array_size(hub) != 1 ? "--hub" : "--staging-account");
        goto out;
    }
    o.hub = json_string_value(json_array_get(hub, 0));
    o.nspokes = strv(spokes, &vs);
    o.spokes = vs;
    o.nsources = strv(sources, &vsrc);
    o.sources = vsrc;
    o.ncidrs = strv(cidrs, &vc);
    o.source_cidrs = vc;
    o.staging = staging ? json_string_value(json_array_get(staging, 0)) : NULL;
    o.regions = (const char *const *)regions;
    o.nregions = nregions;
    o.hub_principal = cmd_opt(ctx, "hub-principal");
    if (o.hub_principal && strncmp(o.hub_principal, "arn:aws:iam::", 13) != 0) {
        rc = cmd_usage_error(ctx, "hub-principal: '%s' is not an IAM ARN", o.hub_principal);
        goto out;
    }
    if (!vs || !vsrc || !vc) {
        rc = EXIT_FAIL;
        goto out;
    }
    accts = bp_spoke_accounts(&o);
    bool changed = false;
    if (fs_mkdir_p(dir, 0755, &err) < 0 || external_ids(dir, accts, &ids, &changed, &err) < 0) {
        rc = cli_fail(-DR_EINVAL, &err);
        goto out;
    }
    if ((rc = bp_generate(&o, json_object_get(ids, "external_ids"), &bp, &err)) < 0) {
        rc = cli_fail(rc, &err);
        goto out;
    }
    if ((changed && write_json(dir, EXT_FILE, ids, 0600, &err) < 0) ||
        write_all(dir, bp, yaml, &err) < 0) {
        rc = cli_fail(-DR_EIO, &err);
        goto out;
    }
    if (!ctx->g.quiet)
        printf("drover blueprint: %zu templates (%s) and %zu policy documents in %s; external "
               "IDs in %s/%s (mode 0600, a secret)\n",
               json_object_size(json_object_get(bp, "templates")), yaml ? "YAML" : "JSON",
               json_object_size(json_object_get(bp, "policies")), dir, dir, EXT_FILE);
out:
    for (size_t i = 0; i < nregions; i++)
        free(regions[i]);
    free(regions);
    free(vs);
    free(vsrc);
    free(vc);
    json_decref(hub);
    json_decref(spokes);
    json_decref(sources);
    json_decref(staging);
    json_decref(cidrs);
    json_decref(ids);
    json_decref(bp);
    json_decref(accts);
    return rc;
}

const struct cmd_entry cmd_blueprint_entry = {
    .name = "blueprint",
    .summary = "generate a least-privilege cross-account DRS setup (CloudFormation + policies)",
    .usage = "drover blueprint --hub ACCOUNT --spokes a,b,c --regions r1,r2 [--source-accounts "
             "...] [--staging-account A] [-o cloudformation|json] --out DIR",
    .help = "Writes into DIR: hub-, spoke-, target-ACCOUNT-REGION and source-ACCOUNT-REGION\n"
            "templates, spoke-stackset (parameters instead of account IDs), the raw policy\n"
            "documents under policies/, manifest.json, and external-ids.json (mode 0600:\n"
            "one 128-bit external ID per spoke; kept when the file exists). The generated\n"
            "trust and key policies pass drover doctor. Details: docs/doctor.md.",
    .opts = blueprint_opts,
    .min_args = 0,
    .max_args = 0,
    .exec = blueprint_exec,
    .extra_output = "cloudformation",
};
