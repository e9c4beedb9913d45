/*
 * estate.c - reads an estate document (YAML or JSON; format in
 * docs/estate-format.md), validates every field it uses with errors that
 * name the field ("accounts[1].drs.us-west-2.source_servers[0].cpus: ..."),
 * and fills defaults so the rest of the simulator sees one normalized
 * shape. Missing resource IDs come from the world's seeded PRNG, so a
 * reset rebuilds the same world. Depends on the core module, jansson.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/crypto.h"
#include "core/ipv4.h"
#include "core/str.h"
#include "core/yamljson.h"
#include "sim/internal.h"

struct nctx {
    struct dr_err *err;
    struct sim_prng *rng;
    const char *hub;
};

static const char *const repl_states[] = {
    "STOPPED", "INITIATING", "INITIAL_SYNC", "BACKLOG", "CREATING_SNAPSHOT", "CONTINUOUS", "PAUSED",
    "RESCAN",  "STALLED",    "DISCONNECTED", NULL};

/* A field path for error messages; truncation is harmless here. */
static void subpath(char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void subpath(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, n, fmt, ap);
    va_end(ap);
}

static int bad(struct nctx *n, const char *path, const char *key, const char *what)
{
    return dr_err_set(n->err, DR_EINVAL, "estate: %s%s%s: %s", path, key ? "." : "", key ? key : "",
                      what);
}

static bool is_account_id(const char *s)
{
    if (!s || strlen(s) != 12)
        return false;
    for (int i = 0; i < 12; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool is_region(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (len < 4 || len > 32 || !strchr(s, '-'))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
            return false;
    return true;
}

/* Optional string member: absent -> dflt (set when dflt != NULL). */
static int opt_str(struct nctx *n, json_t *o, const char *path, const char *key, const char *dflt,
                   const char **out)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (dflt)
            json_object_set_new(o, key, json_string(dflt));
        *out = json_string_value(json_object_get(o, key));
        return 0;
    }
    if (!json_is_string(v))
        return bad(n, path, key, "must be a string");
    *out = json_string_value(v);
    return 0;
}

static int opt_int(struct nctx *n, json_t *o, const char *path, const char *key, int64_t lo,
                   int64_t hi, int64_t dflt)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        json_object_set_new(o, key, json_integer(dflt));
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be an integer from %lld to %lld", (long long)lo,
                 (long long)hi);
        return bad(n, path, key, msg);
    }
    return 0;
}

static int opt_bool(struct nctx *n, json_t *o, const char *path, const char *key, bool dflt)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        json_object_set_new(o, key, json_boolean(dflt));
        return 0;
    }
    if (!json_is_boolean(v))
        return bad(n, path, key, "must be true or false");
    return 0;
}

/* Optional array member (absent -> []); returns it borrowed. */
static int opt_array(struct nctx *n, json_t *o, const char *path, const char *key, json_t **out)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        v = json_array();
        json_object_set_new(o, key, v);
    } else if (!json_is_array(v)) {
        return bad(n, path, key, "must be a list");
    }
    *out = v;
    return 0;
}

static int opt_object(struct nctx *n, json_t *o, const char *path, const char *key, json_t **out)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        v = json_object();
        json_object_set_new(o, key, v);
    } else if (!json_is_object(v)) {
        return bad(n, path, key, "must be a mapping");
    }
    *out = v;
    return 0;
}

static int string_map(struct nctx *n, json_t *o, const char *path, const char *key)
{
    json_t *m;
    if (opt_object(n, o, path, key, &m) < 0)
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
    {
        if (json_is_integer(v) || json_is_real(v) || json_is_boolean(v)) {
            /* YAML plain scalars like `Env: 1`: tags are strings on the wire */
            char tmp[64];
            if (json_is_integer(v))
                snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
            else if (json_is_real(v))
                snprintf(tmp, sizeof tmp, "%g", json_real_value(v));
            else
                snprintf(tmp, sizeof tmp, "%s", json_is_true(v) ? "true" : "false");
            json_object_set_new(m, k, json_string(tmp));
        } else if (!json_is_string(v)) {
            char p2[256];
            subpath(p2, sizeof p2, "%s.%s", path, key);
            return bad(n, p2, k, "must be a string");
        }
    }
    return 0;
}

static int string_list(struct nctx *n, json_t *o, const char *path, const char *key,
                       bool (*valid)(const char *), json_t **out)
{
    json_t *a;
    if (opt_array(n, o, path, key, &a) < 0)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v) || (valid && !valid(json_string_value(v)))) {
            char p2[256];
            subpath(p2, sizeof p2, "%s.%s[%zu]", path, key, i);
            return bad(n, p2, NULL, valid ? "is not valid" : "must be a string");
        }
    }
    if (out)
        *out = a;
    return 0;
}

static void gen_id(struct nctx *n, json_t *o, const char *key, const char *prefix, size_t nhex)
{
    if (json_is_string(json_object_get(o, key)))
        return;
    char hex[40], id[64];
    sim_prng_hex(n->rng, hex, nhex);
    snprintf(id, sizeof id, "%s%s", prefix, hex);
    json_object_set_new(o, key, json_string(id));
}

static int norm_policy_doc(struct nctx *n, json_t *o, const char *path, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (json_is_string(v)) { /* a JSON string policy: parse it */
        json_error_t je;
        json_t *d = json_loads(json_string_value(v), 0, &je);
        if (!d || !json_is_object(d)) {
            json_decref(d);
            return bad(n, path, key, "is not a JSON policy document");
        }
        json_object_set_new(o, key, d);
        v = d;
    }
    if (!json_is_object(v))
        return bad(n, path, key, "must be a policy document (mapping)");
    json_t *st = json_object_get(v, "Statement");
    if (!st || !(json_is_array(st) || json_is_object(st)))
        return bad(n, path, key, "needs a Statement");
    return 0;
}

static int norm_role(struct nctx *n, json_t *r, const char *path)
{
    const char *s;
    if (!json_is_object(r))
        return bad(n, path, NULL, "must be a mapping");
    if (opt_str(n, r, path, "name", NULL, &s) < 0)
        return -1;
    if (!s || !*s)
        return bad(n, path, "name", "is required");
    if (opt_str(n, r, path, "path", "/", &s) < 0 || opt_str(n, r, path, "description", "", &s) < 0)
        return -1;
    if (opt_int(n, r, path, "max_session_duration", 3600, 43200, 3600) < 0)
        return -1;
    if (!json_object_get(r, "trust_policy"))
        return bad(n, path, "trust_policy", "is required");
    if (norm_policy_doc(n, r, path, "trust_policy") < 0)
        return -1;
    json_t *pol;
    if (opt_object(n, r, path, "policies", &pol) < 0)
        return -1;
    const char *k;
    json_t *v;
    char p2[256];
    subpath(p2, sizeof p2, "%s.policies", path);
    json_object_foreach(pol, k, v)
    {
        if (norm_policy_doc(n, pol, p2, k) < 0)
            return -1;
    }
    if (string_list(n, r, path, "managed_policy_arns", NULL, NULL) < 0)
        return -1;
    gen_id(n, r, "role_id", "AROA", 17);
    json_t *rid = json_object_get(r, "role_id");
    char up[32];
    dr_strlcpy(up, json_string_value(rid), sizeof up);
    for (char *c = up + 4; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    json_object_set_new(r, "role_id", json_string(up));
    return string_map(n, r, path, "tags");
}

static json_t *allow_stmt(const char *principal_key, const char *principal, const char *extid)
{
    json_t *st = json_pack("{s:s, s:{s:s}, s:s}", "Effect", "Allow", "Principal", principal_key,
                           principal, "Action", "sts:AssumeRole");
    if (extid && *extid)
        json_object_set_new(st, "Condition",
                            json_pack("{s:{s:s}}", "StringEquals", "sts:ExternalId", extid));
    return json_pack("{s:s, s:[o]}", "Version", "2012-10-17", "Statement", st);
}

/* The roles a spoke needs when the estate names none. */
static void default_roles(struct nctx *n, json_t *acct, json_t *roles, bool is_hub)
{
    const char *role_name = json_string_value(json_object_get(acct, "role_name"));
    const char *ext = json_string_value(json_object_get(acct, "external_id"));
    char hub_root[64];
    snprintf(hub_root, sizeof hub_root, "arn:aws:iam::%s:root", n->hub);
    json_t *perm =
        json_pack("{s:s, s:[{s:s, s:[s,s,s,s,s,s], s:s}]}", "Version", "2012-10-17", "Statement",
                  "Effect", "Allow", "Action", "drs:*", "ec2:Describe*", "kms:DescribeKey",
                  "kms:ListAliases", "iam:Get*", "iam:PassRole", "Resource", "*");
    json_array_append_new(
        roles,
        json_pack("{s:s, s:s, s:o, s:{s:o}}", "name", role_name, "description",
                  is_hub ? "drover execution role" : "drover spoke role", "trust_policy",
                  allow_stmt("AWS", hub_root, is_hub ? NULL : ext), "policies", "drover", perm));
    static const char *const drs_roles[] = {"AWSElasticDisasterRecoveryReplicationServerRole",
                                            "AWSElasticDisasterRecoveryConversionServerRole",
                                            "AWSElasticDisasterRecoveryRecoveryInstanceRole"};
    for (size_t i = 0; i < 3; i++)
        json_array_append_new(roles, json_pack("{s:s, s:s, s:o, s:[s]}", "name", drs_roles[i],
                                               "path", "/service-role/", "trust_policy",
                                               allow_stmt("Service", "ec2.amazonaws.com", NULL),
                                               "managed_policy_arns",
                                               "arn:aws:iam::aws:policy/service-role/"
                                               "AWSElasticDisasterRecoveryEc2InstancePolicy"));
    json_array_append_new(roles, json_pack("{s:s, s:s, s:o}", "name",
                                           "AWSServiceRoleForElasticDisasterRecovery", "path",
                                           "/aws-service-role/drs.amazonaws.com/", "trust_policy",
                                           allow_stmt("Service", "drs.amazonaws.com", NULL)));
}

static int opt_ip(struct nctx *n, json_t *o, const char *path, const char *key)
{
    const char *s;
    uint32_t ip;
    if (opt_str(n, o, path, key, NULL, &s) < 0)
        return -1;
    if (s && !ipv4_parse(s, &ip))
        return bad(n, path, key, "must be an IPv4 address (a.b.c.d)");
    return 0;
}

/* A server's EC2 launch template, to break on purpose (docs/estate-format.md). */
static int norm_launch(struct nctx *n, json_t *s, const char *path)
{
    json_t *l;
    const char *str;
    char p2[256];
    subpath(p2, sizeof p2, "%s.launch", path);
    if (opt_object(n, s, path, "launch", &l) < 0)
        return -1;
    if (opt_str(n, l, p2, "subnet", NULL, &str) < 0 ||
        opt_str(n, l, p2, "instance_type", NULL, &str) < 0 || opt_ip(n, l, p2, "private_ip") < 0)
        return -1;
    if (json_object_get(l, "security_groups") &&
        string_list(n, l, p2, "security_groups", NULL, NULL) < 0)
        return -1;
    if (opt_str(n, l, p2, "template", NULL, &str) < 0)
        return -1;
    if (str && strcmp(str, "present") && strcmp(str, "missing"))
        return bad(n, p2, "template", "must be present or missing");
    return 0;
}

static int norm_server(struct nctx *n, json_t *s, const char *path, const char *acct,
                       const char *region, size_t idx)
{
    const char *str;
    char dflt[64];
    if (!json_is_object(s))
        return bad(n, path, NULL, "must be a mapping");
    gen_id(n, s, "id", "s-", 17);
    str = json_string_value(json_object_get(s, "id"));
    if (strlen(str) != 19 || strncmp(str, "s-", 2) != 0)
        return bad(n, path, "id", "must be s- followed by 17 alphanumerics");
    snprintf(dflt, sizeof dflt, "server-%zu", idx + 1);
    if (opt_str(n, s, path, "hostname", dflt, &str) < 0)
        return -1;
    if (opt_str(n, s, path, "os", "Linux version 5.10.0 (Amazon Linux 2)", &str) < 0 ||
        opt_str(n, s, path, "instance_type", "m5.large", &str) < 0)
        return -1;
    if (opt_int(n, s, path, "cpus", 1, 256, 2) < 0 ||
        opt_int(n, s, path, "ram_gb", 1, 24576, 8) < 0)
        return -1;
    json_t *disks;
    if (opt_array(n, s, path, "disks", &disks) < 0)
        return -1;
    if (json_array_size(disks) == 0)
        json_array_append_new(disks, json_pack("{s:s, s:i}", "device", "/dev/xvda", "size_gb", 50));
    size_t i;
    json_t *d;
    json_array_foreach(disks, i, d)
    {
        char p2[256];
        subpath(p2, sizeof p2, "%s.disks[%zu]", path, i);
        if (!json_is_object(d))
            return bad(n, p2, NULL, "must be a mapping");
        if (opt_str(n, d, p2, "device", i == 0 ? "/dev/xvda" : "/dev/xvdb", &str) < 0 ||
            opt_int(n, d, p2, "size_gb", 1, 65536, 50) < 0)
            return -1;
    }
    if (string_map(n, s, path, "tags") < 0)
        return -1;
    json_t *rep;
    char p2[256];
    subpath(p2, sizeof p2, "%s.replication", path);
    if (opt_object(n, s, path, "replication", &rep) < 0)
        return -1;
    if (opt_str(n, rep, p2, "state", "CONTINUOUS", &str) < 0)
        return -1;
    bool ok = false;
    for (int k = 0; repl_states[k]; k++)
        ok = ok || strcmp(str, repl_states[k]) == 0;
    if (!ok)
        return bad(n, p2, "state", "is not a DRS dataReplicationState");
    if (opt_int(n, rep, p2, "lag_seconds", 0, 100000000, 0) < 0 ||
        opt_int(n, rep, p2, "initial_sync_seconds", 0, 100000000, 600) < 0)
        return -1;
    json_t *org;
    subpath(p2, sizeof p2, "%s.origin", path);
    if (opt_object(n, s, path, "origin", &org) < 0)
        return -1;
    if (opt_str(n, org, p2, "account_id", acct, &str) < 0)
        return -1;
    if (!is_account_id(str))
        return bad(n, p2, "account_id", "must be 12 digits");
    if (opt_str(n, org, p2, "region", region, &str) < 0)
        return -1;
    if (!is_region(str))
        return bad(n, p2, "region", "is not a region name");
    snprintf(dflt, sizeof dflt, "%sa", str);
    if (opt_str(n, org, p2, "az", dflt, &str) < 0)
        return -1;
    if (opt_str(n, s, path, "staging_account_id", NULL, &str) < 0 ||
        opt_ip(n, s, path, "private_ip") < 0 || norm_launch(n, s, path) < 0)
        return -1;
    return opt_bool(n, s, path, "archived", false);
}

static int norm_drs_region(struct nctx *n, json_t *dr, const char *path, const char *acct,
                           const char *region)
{
    if (!json_is_object(dr))
        return bad(n, path, NULL, "must be a mapping");
    if (opt_bool(n, dr, path, "initialized", true) < 0)
        return -1;
    json_t *arr, *gen = json_object_get(dr, "generate_servers");
    if (gen) {
        char p2[256];
        const char *og;
        subpath(p2, sizeof p2, "%s.generate_servers", path);
        if (!json_is_object(gen))
            return bad(n, path, "generate_servers", "must be a mapping");
        if (opt_int(n, gen, p2, "count", 0, 100000, 10) < 0 ||
            opt_int(n, gen, p2, "seed", 0, INT64_MAX, 1) < 0 ||
            opt_str(n, gen, p2, "origin_region", region, &og) < 0)
            return -1;
        if (!is_region(og))
            return bad(n, p2, "origin_region", "is not a region name");
    }
    if (opt_array(n, dr, path, "source_servers", &arr) < 0)
        return -1;
    size_t i;
    json_t *s;
    json_array_foreach(arr, i, s)
    {
        char p2[256];
        subpath(p2, sizeof p2, "%s.source_servers[%zu]", path, i);
        if (norm_server(n, s, p2, acct, region, i) < 0)
            return -1;
    }
    if (opt_array(n, dr, path, "replication_templates", &arr) < 0)
        return -1;
    json_array_foreach(arr, i, s)
    {
        char p2[256];
        subpath(p2, sizeof p2, "%s.replication_templates[%zu]", path, i);
        if (!json_is_object(s))
            return bad(n, p2, NULL, "must be a mapping");
        gen_id(n, s, "replicationConfigurationTemplateID", "rct-", 17);
    }
    if (string_list(n, dr, path, "staging_accounts", is_account_id, NULL) < 0)
        return -1;
    if (opt_array(n, dr, path, "extensible_source_servers", &arr) < 0)
        return -1;
    json_array_foreach(arr, i, s)
    {
        char p2[256];
        const char *str;
        subpath(p2, sizeof p2, "%s.extensible_source_servers[%zu]", path, i);
        if (!json_is_object(s))
            return bad(n, p2, NULL, "must be a mapping");
        if (opt_str(n, s, p2, "arn", NULL, &str) < 0)
            return -1;
        if (!str || strncmp(str, "arn:", 4) != 0)
            return bad(n, p2, "arn", "must be a source server ARN");
        if (opt_str(n, s, p2, "hostname", "", &str) < 0 || string_map(n, s, p2, "tags") < 0)
            return -1;
    }
    return 0;
}

static int norm_kms(struct nctx *n, json_t *acct, const char *path, const char *dflt_region)
{
    json_t *keys;
    if (opt_array(n, acct, path, "kms_keys", &keys) < 0)
        return -1;
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        char p2[256];
        const char *s;
        subpath(p2, sizeof p2, "%s.kms_keys[%zu]", path, i);
        if (!json_is_object(k))
            return bad(n, p2, NULL, "must be a mapping");
        if (!json_is_string(json_object_get(k, "id"))) {
            char h[33], id[40];
            sim_prng_hex(n->rng, h, 32);
            snprintf(id, sizeof id, "%.8s-%.4s-4%.3s-a%.3s-%.12s", h, h + 8, h + 12, h + 15,
                     h + 18);
            json_object_set_new(k, "id", json_string(id));
        }
        if (opt_str(n, k, p2, "region", dflt_region, &s) < 0 ||
            opt_str(n, k, p2, "description", "", &s) < 0)
            return -1;
        if (opt_str(n, k, p2, "state", "Enabled", &s) < 0)
            return -1;
        if (strcmp(s, "Enabled") && strcmp(s, "Disabled") && strcmp(s, "PendingDeletion") &&
            strcmp(s, "PendingImport") && strcmp(s, "Unavailable"))
            return bad(n, p2, "state", "must be Enabled, Disabled, PendingDeletion, ...");
        if (opt_str(n, k, p2, "manager", "CUSTOMER", &s) < 0)
            return -1;
        if (strcmp(s, "CUSTOMER") && strcmp(s, "AWS"))
            return bad(n, p2, "manager", "must be CUSTOMER or AWS");
        if (string_list(n, k, p2, "aliases", NULL, NULL) < 0 ||
            norm_policy_doc(n, k, p2, "policy") < 0)
            return -1;
    }
    return 0;
}

static int norm_network(struct nctx *n, json_t *acct, const char *path, const char *dflt_region)
{
    json_t *vpcs;
    if (opt_array(n, acct, path, "vpcs", &vpcs) < 0)
        return -1;
    size_t i, j;
    json_t *v, *x;
    json_array_foreach(vpcs, i, v)
    {
        char p2[256], p3[300];
        const char *s, *reg;
        subpath(p2, sizeof p2, "%s.vpcs[%zu]", path, i);
        if (!json_is_object(v))
            return bad(n, p2, NULL, "must be a mapping");
        gen_id(n, v, "id", "vpc-", 17);
        if (opt_str(n, v, p2, "region", dflt_region, &reg) < 0 ||
            opt_str(n, v, p2, "cidr", "10.0.0.0/16", &s) < 0 || string_map(n, v, p2, "tags") < 0)
            return -1;
        json_t *arr;
        if (opt_array(n, v, p2, "subnets", &arr) < 0)
            return -1;
        json_array_foreach(arr, j, x)
        {
            char az[64];
            subpath(p3, sizeof p3, "%s.subnets[%zu]", p2, j);
            snprintf(az, sizeof az, "%s%c", reg, (char)('a' + (j % 3)));
            if (!json_is_object(x))
                return bad(n, p3, NULL, "must be a mapping");
            gen_id(n, x, "id", "subnet-", 17);
            if (opt_str(n, x, p3, "cidr", "10.0.0.0/24", &s) < 0 ||
                opt_str(n, x, p3, "az", az, &s) < 0 || string_map(n, x, p3, "tags") < 0 ||
                opt_int(n, x, p3, "available_ips", 0, 65536, 250) < 0)
                return -1;
        }
        if (opt_array(n, v, p2, "security_groups", &arr) < 0)
            return -1;
        json_array_foreach(arr, j, x)
        {
            subpath(p3, sizeof p3, "%s.security_groups[%zu]", p2, j);
            if (!json_is_object(x))
                return bad(n, p3, NULL, "must be a mapping");
            gen_id(n, x, "id", "sg-", 17);
            json_t *rules;
            if (opt_str(n, x, p3, "name", "default", &s) < 0 ||
                opt_str(n, x, p3, "description", "security group", &s) < 0 ||
                opt_array(n, x, p3, "ingress", &rules) < 0 ||
                opt_array(n, x, p3, "egress", &rules) < 0)
                return -1;
        }
        if (opt_array(n, v, p2, "network_interfaces", &arr) < 0)
            return -1;
        json_array_foreach(arr, j, x)
        {
            subpath(p3, sizeof p3, "%s.network_interfaces[%zu]", p2, j);
            if (!json_is_object(x))
                return bad(n, p3, NULL, "must be a mapping");
            gen_id(n, x, "id", "eni-", 17);
            if (opt_str(n, x, p3, "subnet", NULL, &s) < 0)
                return -1;
            if (!s)
                return bad(n, p3, "subnet", "is required");
            if (!json_is_string(json_object_get(x, "private_ip")))
                return bad(n, p3, "private_ip", "is required");
            if (opt_ip(n, x, p3, "private_ip") < 0 || opt_str(n, x, p3, "description", "", &s) < 0)
                return -1;
        }
        if (opt_array(n, v, p2, "route_tables", &arr) < 0)
            return -1;
        json_array_foreach(arr, j, x)
        {
            subpath(p3, sizeof p3, "%s.route_tables[%zu]", p2, j);
            if (!json_is_object(x))
                return bad(n, p3, NULL, "must be a mapping");
            gen_id(n, x, "id", "rtb-", 17);
            json_t *routes;
            if (opt_array(n, x, p3, "routes", &routes) < 0 ||
                string_list(n, x, p3, "subnets", NULL, NULL) < 0)
                return -1;
        }
    }
    json_t *peer;
    if (opt_array(n, acct, path, "peerings", &peer) < 0)
        return -1;
    json_array_foreach(peer, i, x)
    {
        char p2[256];
        const char *s;
        subpath(p2, sizeof p2, "%s.peerings[%zu]", path, i);
        if (!json_is_object(x))
            return bad(n, p2, NULL, "must be a mapping");
        gen_id(n, x, "id", "pcx-", 17);
        if (opt_str(n, x, p2, "region", dflt_region, &s) < 0 ||
            opt_str(n, x, p2, "requester_vpc", "", &s) < 0 ||
            opt_str(n, x, p2, "accepter_vpc", "", &s) < 0 ||
            opt_str(n, x, p2, "accepter_account", "", &s) < 0 ||
            opt_str(n, x, p2, "status", "active", &s) < 0)
            return -1;
    }
    return 0;
}

static int norm_user(struct nctx *n, json_t *u, const char *path)
{
    const char *s;
    if (!json_is_object(u))
        return bad(n, path, NULL, "must be a mapping");
    if (opt_str(n, u, path, "name", "drover", &s) < 0)
        return -1;
    if (!json_is_string(json_object_get(u, "access_key_id"))) {
        char h[17], k[24];
        sim_prng_hex(n->rng, h, 16);
        for (char *c = h; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        snprintf(k, sizeof k, "AKIA%s", h);
        json_object_set_new(u, "access_key_id", json_string(k));
    }
    if (!json_is_string(json_object_get(u, "secret_access_key"))) {
        char h[41];
        sim_prng_hex(n->rng, h, 40);
        json_object_set_new(u, "secret_access_key", json_string(h));
    }
    s = json_string_value(json_object_get(u, "access_key_id"));
    if (strlen(s) < 16 || strlen(s) > 128 || strncmp(s, "ASIA", 4) == 0)
        return bad(n, path, "access_key_id", "must be 16-128 characters and not ASIA...");
    if (strlen(json_string_value(json_object_get(u, "secret_access_key"))) < 8)
        return bad(n, path, "secret_access_key", "is too short");
    return 0;
}

static int norm_account(struct nctx *n, json_t *a, const char *path, bool is_hub)
{
    const char *s;
    if (!json_is_object(a))
        return bad(n, path, NULL, "must be a mapping");
    s = json_string_value(json_object_get(a, "account_id"));
    if (!is_account_id(s))
        return bad(n, path, "account_id", "must be a 12-digit string (quote it in YAML)");
    if (opt_str(n, a, path, "name", is_hub ? "hub" : s, &s) < 0 ||
        opt_str(n, a, path, "email", "", &s) < 0)
        return -1;
    if (opt_str(n, a, path, "role_name", is_hub ? "DroverExecutionRole" : "DroverSpokeRole", &s) <
            0 ||
        opt_str(n, a, path, "external_id", NULL, &s) < 0)
        return -1;
    json_t *regions;
    if (string_list(n, a, path, "regions", is_region, &regions) < 0)
        return -1;
    if (json_array_size(regions) == 0)
        json_array_append_new(regions, json_string("us-east-1"));
    const char *r0 = json_string_value(json_array_get(regions, 0));
    json_t *roles;
    if (opt_array(n, a, path, "roles", &roles) < 0)
        return -1;
    if (json_array_size(roles) == 0)
        default_roles(n, a, roles, is_hub);
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r)
    {
        char p2[256];
        subpath(p2, sizeof p2, "%s.roles[%zu]", path, i);
        if (norm_role(n, r, p2) < 0)
            return -1;
    }
    json_t *users;
    if (opt_array(n, a, path, "users", &users) < 0)
        return -1;
    json_array_foreach(users, i, r)
    {
        char p2[256];
        subpath(p2, sizeof p2, "%s.users[%zu]", path, i);
        if (norm_user(n, r, p2) < 0)
            return -1;
    }
    if (norm_kms(n, a, path, r0) < 0 || norm_network(n, a, path, r0) < 0)
        return -1;
    json_t *drs;
    if (opt_object(n, a, path, "drs", &drs) < 0)
        return -1;
    const char *reg;
    json_t *dr;
    json_object_foreach(drs, reg, dr)
    {
        char p2[256];
        subpath(p2, sizeof p2, "%s.drs.%s", path, reg);
        if (!is_region(reg))
            return bad(n, path, "drs", "keys must be region names");
        if (norm_drs_region(n, dr, p2, json_string_value(json_object_get(a, "account_id")), reg) <
            0)
            return -1;
    }
    return 0;
}

int sim_estate_norm_server(json_t *s, const char *acct, const char *region, size_t idx,
                           struct sim_prng *rng, struct dr_err *err)
{
    struct nctx n = {.err = err, .rng = rng};
    char path[64];
    snprintf(path, sizeof path, "generated server %zu", idx);
    return norm_server(&n, s, path, acct, region, idx);
}

int sim_estate_normalize(json_t *doc, struct sim_prng *rng, struct dr_err *err)
{
    struct nctx n = {.err = err, .rng = rng};
    if (!json_is_object(doc))
        return dr_err_set(err, DR_EINVAL, "estate: the document must be a mapping");
    json_t *hub = json_object_get(doc, "hub");
    if (!json_is_object(hub))
        return dr_err_set(err, DR_EINVAL, "estate: hub: is required (a mapping)");
    n.hub = json_string_value(json_object_get(hub, "account_id"));
    if (!is_account_id(n.hub))
        return bad(&n, "hub", "account_id", "must be a 12-digit string (quote it in YAML)");
    json_t *user;
    if (opt_object(&n, hub, "hub", "user", &user) < 0 || norm_user(&n, user, "hub.user") < 0)
        return -1;
    if (norm_account(&n, hub, "hub", true) < 0)
        return -1;
    json_t *accts;
    if (opt_array(&n, doc, "", "accounts", &accts) < 0)
        return -1;
    json_t *seen = json_object();
    json_object_set_new(seen, n.hub, json_true());
    size_t i;
    json_t *a;
    int rc = 0;
    json_array_foreach(accts, i, a)
    {
        char p[64];
        subpath(p, sizeof p, "accounts[%zu]", i);
        if ((rc = norm_account(&n, a, p, false)) < 0)
            break;
        const char *id = json_string_value(json_object_get(a, "account_id"));
        if (json_object_get(seen, id)) {
            rc = bad(&n, p, "account_id", "is a duplicate");
            break;
        }
        json_object_set_new(seen, id, json_true());
    }
    json_decref(seen);
    if (rc < 0)
        return rc;
    json_t *q;
    if (opt_object(&n, doc, "", "quotas", &q) < 0 ||
        opt_int(&n, q, "quotas", "max_servers_per_job", 1, 100000, 100) < 0 ||
        opt_int(&n, q, "quotas", "max_concurrent_jobs", 1, 100000, 20) < 0 ||
        opt_int(&n, q, "quotas", "max_servers_in_active_jobs", 1, 1000000, 500) < 0 ||
        opt_int(&n, q, "quotas", "max_replicating_servers", 1, 1000000, 300) < 0 ||
        opt_int(&n, q, "quotas", "max_source_servers", 1, 1000000, 4000) < 0)
        return -1;
    json_t *it;
    if (opt_object(&n, doc, "", "instance_types", &it) < 0)
        return -1;
    const char *reg;
    json_t *lst;
    json_object_foreach(it, reg, lst)
    {
        if (strcmp(reg, "default") && !is_region(reg))
            return bad(&n, "instance_types", reg, "must be a region name or default");
        if (string_list(&n, it, "instance_types", reg, NULL, NULL) < 0)
            return -1;
    }
    json_t *org;
    const char *s;
    if (opt_object(&n, doc, "", "organization", &org) < 0 ||
        opt_str(&n, org, "organization", "id", "o-drsim00001", &s) < 0)
        return -1;
    return 0;
}

int sim_estate_load(const char *path, struct sim_prng *rng, json_t **out, struct dr_err *err)
{
    json_t *docs = NULL;
    *out = NULL;
    if (yaml_load_path(path, &docs, NULL, err) < 0)
        return -1;
    if (json_array_size(docs) != 1) {
        json_decref(docs);
        return dr_err_set(err, DR_EINVAL, "%s: an estate is exactly one YAML document", path);
    }
    json_t *doc = json_incref(json_array_get(docs, 0));
    json_decref(docs);
    if (sim_estate_normalize(doc, rng, err) < 0) {
        dr_err_prefix(err, "%s: ", path);
        json_decref(doc);
        return -1;
    }
    *out = doc;
    return 0;
}
