/*
 * generate.c - `--generate accounts=K,regions=R,servers=N`: a correct
 * hub-and-spoke estate with K spoke accounts, R regions each and N DRS
 * source servers per account-region. Each spoke's role trusts the hub
 * with its own random external ID (32 hex from the CSPRNG, as are the hub
 * keys); everything else (server IDs, App/Tier/Env tags, sizes) comes from
 * the seeded PRNG so the same seed gives the same servers.
 * Depends on the core module, jansson.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/crypto.h"
#include "core/str.h"
#include "sim/internal.h"

static const char *const regions[] = {
    "us-east-1",      "us-west-2",  "eu-west-1",      "eu-central-1", "ap-southeast-2",
    "ap-northeast-1", "us-east-2",  "us-west-1",      "ca-central-1", "eu-west-2",
    "eu-north-1",     "ap-south-1", "ap-southeast-1", "sa-east-1",    NULL};
static const char *const apps[] = {"shop", "billing", "crm", "analytics", "auth", "search"};
static const char *const tiers[] = {"web", "app", "db", "cache"};
static const char *const envs[] = {"prod", "staging", "dev"};
static const char *const oses[] = {"Linux version 5.10.0 (Amazon Linux 2)",
                                   "Linux version 5.15.0 (Ubuntu 22.04 LTS)",
                                   "Microsoft Windows Server 2019 Datacenter",
                                   "Linux version 4.18.0 (Red Hat Enterprise Linux 8.6)"};

static int parse_spec(const char *spec, int64_t *k, int64_t *r, int64_t *n, struct dr_err *err)
{
    *k = 3;
    *r = 1;
    *n = 10;
    char buf[256];
    if (dr_strlcpy(buf, spec, sizeof buf) >= sizeof buf)
        return dr_err_set(err, DR_EINVAL, "--generate: spec too long");
    struct str rest = str_from(buf);
    while (rest.p && rest.len) {
        struct str item, key;
        rest = str_cut(rest, ',', &item);
        struct str val = str_cut(item, '=', &key);
        char kb[32], vb[32];
        if (!val.p || key.len >= sizeof kb || val.len >= sizeof vb || val.len == 0)
            return dr_err_set(err, DR_EINVAL,
                              "--generate: expected accounts=K,regions=R,servers=N, got '%s'",
                              spec);
        memcpy(kb, key.p, key.len);
        kb[key.len] = '\0';
        memcpy(vb, val.p, val.len);
        vb[val.len] = '\0';
        int64_t v;
        if (dr_parse_i64(vb, &v) < 0 || v < 0)
            return dr_err_set(err, DR_EINVAL, "--generate: %s must be a non-negative integer", kb);
        if (!strcmp(kb, "accounts"))
            *k = v;
        else if (!strcmp(kb, "regions"))
            *r = v;
        else if (!strcmp(kb, "servers"))
            *n = v;
        else
            return dr_err_set(err, DR_EINVAL, "--generate: unknown key '%s'", kb);
    }
    int64_t nreg = (int64_t)(sizeof regions / sizeof regions[0]) - 1;
    if (*k < 1 || *k > 10000)
        return dr_err_set(err, DR_EINVAL, "--generate: accounts must be from 1 to 10000");
    if (*r < 1 || *r > nreg)
        return dr_err_set(err, DR_EINVAL, "--generate: regions must be from 1 to %lld",
                          (long long)nreg);
    if (*n > 100000)
        return dr_err_set(err, DR_EINVAL, "--generate: servers must be at most 100000");
    return 0;
}

static json_t *gen_server(struct sim_prng *p, const char *acct, const char *origin_region,
                          int64_t i)
{
    const char *app = apps[sim_prng_next(p) % 6];
    const char *tier = tiers[sim_prng_next(p) % 4];
    const char *env = envs[sim_prng_next(p) % 3];
    char id[24], host[64];
    sim_prng_hex(p, id + 2, 17);
    id[0] = 's';
    id[1] = '-';
    snprintf(host, sizeof host, "%s-%s-%03lld", app, tier, (long long)i + 1);
    static const int cpus[] = {2, 4, 8, 16};
    static const int rams[] = {4, 8, 16, 32};
    int sz = (int)(sim_prng_next(p) % 4);
    json_t *disks = json_pack("[{s:s, s:i}]", "device", "/dev/xvda", "size_gb", 50);
    if (!strcmp(tier, "db"))
        json_array_append_new(disks, json_pack("{s:s, s:i}", "device", "/dev/xvdb", "size_gb",
                                               200 + (int)(sim_prng_next(p) % 800)));
    static const char *const itypes[] = {"m5.large", "m5.xlarge", "r5.2xlarge", "c5.4xlarge"};
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:{s:s, s:s, s:s}, s:{s:s, s:i},"
                     " s:{s:s, s:s}}",
                     "id", id, "hostname", host, "os", oses[sim_prng_next(p) % 4], "instance_type",
                     itypes[sz], "cpus", cpus[sz], "ram_gb", rams[sz], "disks", disks, "tags",
                     "App", app, "Tier", tier, "Env", env, "replication", "state", "CONTINUOUS",
                     "lag_seconds", (int)(sim_prng_next(p) % 30), "origin", "account_id", acct,
                     "region", origin_region);
}

static json_t *gen_network(struct sim_prng *p, const char *region, int idx)
{
    char cidr[32], sub[3][32];
    snprintf(cidr, sizeof cidr, "10.%d.0.0/16", idx % 250);
    for (int i = 0; i < 3; i++)
        snprintf(sub[i], sizeof sub[i], "10.%d.%d.0/24", idx % 250, i);
    char vpc[32] = "vpc-", sg[32] = "sg-", rtb[32] = "rtb-", s0[32] = "subnet-", s1[32] = "subnet-",
         s2[32] = "subnet-";
    sim_prng_hex(p, vpc + 4, 17);
    sim_prng_hex(p, sg + 3, 17);
    sim_prng_hex(p, rtb + 4, 17);
    sim_prng_hex(p, s0 + 7, 17);
    sim_prng_hex(p, s1 + 7, 17);
    sim_prng_hex(p, s2 + 7, 17);
    return json_pack("{s:s, s:s, s:s, s:{s:s}, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}],"
                     " s:[{s:s, s:s, s:s, s:[{s:s, s:i, s:i, s:s}], s:[{s:s, s:s}]}],"
                     " s:[{s:s, s:[{s:s, s:s}], s:[s, s, s]}]}",
                     "id", vpc, "region", region, "cidr", cidr, "tags", "Name", "drs-recovery",
                     "subnets", "id", s0, "cidr", sub[0], "id", s1, "cidr", sub[1], "id", s2,
                     "cidr", sub[2], "security_groups", "id", sg, "name", "drs-recovery",
                     "description", "recovered servers", "ingress", "protocol", "tcp", "from_port",
                     443, "to_port", 443, "cidr", "10.0.0.0/8", "egress", "protocol", "-1", "cidr",
                     "0.0.0.0/0", "route_tables", "id", rtb, "routes", "destination", cidr,
                     "target", "local", "subnets", s0, s1, s2);
}

json_t *sim_generate_servers(const json_t *gen, const char *acct)
{
    struct sim_prng p;
    sim_prng_seed(&p, (uint64_t)json_integer_value(json_object_get(gen, "seed")));
    const char *origin = json_string_value(json_object_get(gen, "origin_region"));
    json_int_t n = json_integer_value(json_object_get(gen, "count"));
    json_t *arr = json_array();
    for (json_int_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, gen_server(&p, acct, origin, i));
    return arr;
}

int sim_generate(const char *spec, uint64_t seed, json_t **out, struct dr_err *err)
{
    int64_t k, r, n;
    *out = NULL;
    if (parse_spec(spec, &k, &r, &n, err) < 0)
        return -1;
    struct sim_prng p;
    sim_prng_seed(&p, seed);
    char akid[24] = "AKIA", secret[41];
    if (crypto_random_hex(akid + 4, 8, err) < 0 || crypto_random_hex(secret, 20, err) < 0)
        return -1;
    for (char *c = akid + 4; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    json_t *accts = json_array();
    json_t *doc =
        json_pack("{s:{s:s, s:s, s:[s], s:{s:s, s:s, s:s}}, s:o}", "hub", "account_id",
                  "100000000000", "name", "hub", "regions", regions[0], "user", "name", "drover",
                  "access_key_id", akid, "secret_access_key", secret, "accounts", accts);
    if (!doc)
        return dr_err_set(err, DR_ENOMEM, "generating the estate");
    for (int64_t a = 0; a < k; a++) {
        char id[24], name[32], ext[33];
        snprintf(id, sizeof id, "%012lld", 200000000000LL + a + 1);
        snprintf(name, sizeof name, "spoke-%03lld", (long long)a + 1);
        if (crypto_random_hex(ext, 16, err) < 0) {
            json_decref(doc);
            return -1;
        }
        json_t *regs = json_array(), *drs = json_object(), *vpcs = json_array(),
               *keys = json_array();
        for (int64_t ri = 0; ri < r; ri++) {
            const char *reg = regions[ri];
            const char *origin = regions[(ri + 1) % (r > 1 ? r : 2)];
            json_array_append_new(regs, json_string(reg));
            /* servers are generated when the account-region is first used */
            json_object_set_new(drs, reg,
                                json_pack("{s:b, s:{s:I, s:I, s:s}}", "initialized", 1,
                                          "generate_servers", "count", (json_int_t)n, "seed",
                                          (json_int_t)(sim_prng_next(&p) >> 12), "origin_region",
                                          origin));
            json_array_append_new(vpcs, gen_network(&p, reg, (int)(a * r + ri)));
            json_array_append_new(keys,
                                  json_pack("{s:s, s:[s], s:s}", "region", reg, "aliases",
                                            "alias/drs-ebs", "description", "DRS EBS encryption"));
        }
        json_array_append_new(accts, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "account_id",
                                               id, "name", name, "external_id", ext, "regions",
                                               regs, "drs", drs, "vpcs", vpcs, "kms_keys", keys));
    }
    if (sim_estate_normalize(doc, &p, err) < 0) {
        json_decref(doc);
        return -1;
    }
    *out = doc;
    return 0;
}
