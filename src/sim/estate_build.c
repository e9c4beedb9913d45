/*
 * estate_build.c - turns the normalized estate (estate.c) into live world
 * state: accounts with their roles, access keys, and per account-region
 * DRS source servers (in the DRS model's SourceServer shape), KMS keys and
 * EC2 networking (in the EC2 XML convention). Called with w->mu held (or
 * before the world is shared). Depends on the core module, jansson.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "sim/ec2_common.h"
#include "sim/internal.h"

static void iso(int64_t ms, char *out, size_t n)
{
    sim_fmt_time(ms, out, n);
}

static json_t *ec2_tags(json_t *obj)
{
    json_t *t = json_object_get(obj, "tags");
    return t ? sim_tags_to_ec2(t) : json_array();
}

static void add_identity(struct sim_world *w, const char *acct, json_t *user)
{
    char arn[256], uid[32], h[18];
    const char *name = json_string_value(json_object_get(user, "name"));
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:user/%s", acct, name);
    sim_prng_hex(&w->rng, h, 17);
    for (char *c = h; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    snprintf(uid, sizeof uid, "AIDA%s", h);
    json_object_set_new(w->keys, json_string_value(json_object_get(user, "access_key_id")),
                        json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "user", "account_id", acct,
                                  "arn", arn, "user_id", uid, "secret",
                                  json_string_value(json_object_get(user, "secret_access_key"))));
}

static json_t *build_roles(const char *acct, json_t *roles, int64_t now)
{
    json_t *out = json_object();
    char t[32];
    iso(now, t, sizeof t);
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "name"));
        const char *path = json_string_value(json_object_get(r, "path"));
        char arn[512];
        snprintf(arn, sizeof arn, "arn:aws:iam::%s:role%s%s", acct, path, name);
        json_t *role = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:O, s:s, s:I, s:O, s:O, s:O}", "RoleName", name, "Path",
            path, "Arn", arn, "RoleId", json_string_value(json_object_get(r, "role_id")),
            "CreateDate", t, "trust", json_object_get(r, "trust_policy"), "Description",
            json_string_value(json_object_get(r, "description")), "MaxSessionDuration",
            (json_int_t)json_integer_value(json_object_get(r, "max_session_duration")), "inline",
            json_object_get(r, "policies"), "managed", json_object_get(r, "managed_policy_arns"),
            "tags", json_object_get(r, "tags"));
        json_object_set_new(out, name, role);
    }
    return out;
}

/* Shared (interned) scalar values: the servers of one account-region reuse
 * one json_t per distinct string or integer, which jansson's reference
 * counting makes safe because the simulator replaces values and never
 * mutates them in place. Returns a new reference. */
static json_t *is(json_t *pool, const char *v)
{
    json_t *x = json_object_get(pool, v ? v : "");
    if (!x) {
        x = json_string(v ? v : "");
        json_object_set_new(pool, v ? v : "", x);
    }
    return json_incref(x);
}

static json_t *ii(json_t *pool, json_int_t v)
{
    char k[32];
    snprintf(k, sizeof k, "#%lld", (long long)v);
    json_t *x = json_object_get(pool, k);
    if (!x) {
        x = json_integer(v);
        json_object_set_new(pool, k, x);
    }
    return json_incref(x);
}

/* Shared sub-objects: identical read-mostly parts of the servers of one
 * account-region (tags, disks, CPUs, OS, origin, staging area) are one
 * value, keyed by their canonical JSON. Code that changes such a part in
 * place copies it first when it is shared (refcount > 1). Steals obj;
 * returns a new reference. */
static json_t *io(json_t *pool, json_t *obj)
{
    char *txt = obj ? json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    if (!txt)
        return obj;
    char key[1024];
    if (snprintf(key, sizeof key, "\x01%s", txt) >= (int)sizeof key) {
        free(txt);
        return obj;
    }
    free(txt);
    json_t *x = json_object_get(pool, key);
    if (x) {
        json_decref(obj);
        return json_incref(x);
    }
    json_object_set(pool, key, obj);
    return obj;
}

static json_t *source_server(json_t *pool, const char *acct, const char *region, json_t *s,
                             int64_t now)
{
    const char *id = json_string_value(json_object_get(s, "id"));
    char arn[256], t[32], ip[32], mac[32];
    snprintf(arn, sizeof arn, "arn:aws:drs:%s:%s:source-server/%s", region, acct, id);
    iso(now, t, sizeof t);
    unsigned h = 0;
    for (const char *c = id; *c; c++)
        h = h * 31 + (unsigned char)*c;
    snprintf(ip, sizeof ip, "10.%u.%u.%u", (h >> 16) & 255, (h >> 8) & 255, (h & 253) + 1);
    if (json_is_string(json_object_get(s, "private_ip")))
        snprintf(ip, sizeof ip, "%s", json_string_value(json_object_get(s, "private_ip")));
    snprintf(mac, sizeof mac, "0a:%02x:%02x:%02x:%02x:01", (h >> 24) & 255, (h >> 16) & 255,
             (h >> 8) & 255, h & 255);
    json_t *org = json_object_get(s, "origin");
    json_t *disks = json_array(), *rdisks = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(s, "disks"), i, d)
    {
        json_int_t bytes = (json_int_t)json_integer_value(json_object_get(d, "size_gb")) << 30;
        const char *dev = json_string_value(json_object_get(d, "device"));
        json_array_append_new(
            disks, json_pack("{s:o, s:o}", "deviceName", is(pool, dev), "bytes", ii(pool, bytes)));
        json_array_append_new(rdisks, json_pack("{s:o, s:o, s:o, s:o, s:o}", "deviceName",
                                                is(pool, dev), "totalStorageBytes", ii(pool, bytes),
                                                "replicatedStorageBytes", ii(pool, bytes),
                                                "rescannedStorageBytes", ii(pool, 0),
                                                "backloggedStorageBytes", ii(pool, 0)));
    }
    char az[80];
    snprintf(az, sizeof az, "%sa", region);
    const char *hostname = json_string_value(json_object_get(s, "hostname"));
    char fqdn[300];
    snprintf(fqdn, sizeof fqdn, "%s.corp.example", hostname);
    json_t *staging = json_pack("{s:o}", "status", is(pool, "NOT_EXTENDED"));
    const char *stg = json_string_value(json_object_get(s, "staging_account_id"));
    if (stg) {
        char sarn[256];
        snprintf(sarn, sizeof sarn, "arn:aws:drs:%s:%s:source-server/%s", region, stg, id);
        json_object_set_new(staging, "status", json_string("EXTENDED"));
        json_object_set_new(staging, "stagingAccountID", json_string(stg));
        json_object_set_new(staging, "stagingSourceServerArn", json_string(sarn));
    }
    json_t *tags = json_object();
    const char *tk;
    json_t *tv;
    json_object_foreach(json_object_get(s, "tags"), tk, tv)
        json_object_set_new(tags, tk, is(pool, json_string_value(tv)));
    json_t *cpus =
        json_pack("[{s:o, s:o}]", "cores", ii(pool, json_integer_value(json_object_get(s, "cpus"))),
                  "modelName", is(pool, "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz"));
    json_t *os =
        json_pack("{s:o}", "fullString", is(pool, json_string_value(json_object_get(s, "os"))));
    json_t *scp = json_pack(
        "{s:o, s:o, s:o}", "originAccountID",
        is(pool, json_string_value(json_object_get(org, "account_id"))), "originRegion",
        is(pool, json_string_value(json_object_get(org, "region"))), "originAvailabilityZone",
        is(pool, json_string_value(json_object_get(org, "az"))));
    return json_pack(
        "{s:s, s:s, s:o, s:o, s:{s:o, s:o, s:o, s:o}, s:{s:o, s:o, s:o, s:o},"
        " s:{s:o, s:o, s:{s:s, s:s}, s:[{s:s, s:[s], s:b}], s:o, s:o, s:o, s:o,"
        " s:b}, s:o, s:o, s:o, s:o}",
        "sourceServerID", id, "arn", arn, "tags", io(pool, tags), "lastLaunchResult",
        is(pool, "NOT_STARTED"), "dataReplicationInfo", "dataReplicationState",
        is(pool, "CONTINUOUS"), "lagDuration", is(pool, "PT0S"), "replicatedDisks",
        io(pool, rdisks), "stagingAvailabilityZone", is(pool, az), "lifeCycle",
        "addedToServiceDateTime", is(pool, t), "firstByteDateTime", is(pool, t),
        "elapsedReplicationDuration", is(pool, "PT0S"), "lastSeenByServiceDateTime", is(pool, t),
        "sourceProperties", "lastUpdatedDateTime", is(pool, t), "recommendedInstanceType",
        is(pool, json_string_value(json_object_get(s, "instance_type"))), "identificationHints",
        "hostname", hostname, "fqdn", fqdn, "networkInterfaces", "macAddress", mac, "ips", ip,
        "isPrimary", 1, "disks", io(pool, disks), "cpus", io(pool, cpus), "ramBytes",
        ii(pool, json_integer_value(json_object_get(s, "ram_gb")) << 30), "os", io(pool, os),
        "supportsNitroInstances", 1, "sourceCloudProperties", io(pool, scp), "stagingArea",
        io(pool, staging), "replicationDirection", is(pool, "FAILOVER"), "agentVersion",
        is(pool, "4.7.0"));
}

/* Builds an account-region's DRS source servers from its estate block on
 * first use, so a large estate loads fast and untouched regions stay small. */
void sim_drs_materialize(struct sim_world *w, json_t *ar)
{
    json_t *drs = json_object_get(ar, "drs");
    json_t *dr = json_object_get(drs, "pending");
    if (!dr)
        return;
    json_incref(dr);
    json_object_del(drs, "pending");
    const char *acct = json_string_value(json_object_get(ar, "account_id"));
    const char *region = json_string_value(json_object_get(ar, "region"));
    int64_t now = w->clock.sim_start_ms;
    json_t *servers = json_object_get(drs, "servers"), *meta = json_object_get(drs, "meta");
    size_t i;
    json_t *s;
    json_t *all = json_deep_copy(json_object_get(dr, "source_servers"));
    json_t *gen = json_object_get(dr, "generate_servers");
    if (gen) {
        json_t *more = sim_generate_servers(gen, acct);
        struct sim_prng p;
        sim_prng_seed(&p, (uint64_t)json_integer_value(json_object_get(gen, "seed")) ^ 1);
        size_t k;
        json_t *g;
        json_array_foreach(more, k, g)
        {
            struct dr_err err;
            if (sim_estate_norm_server(g, acct, region, k, &p, &err) == 0)
                json_array_append(all, g);
        }
        json_decref(more);
    }
    json_t *pool = json_object();
    json_array_foreach(all, i, s)
    {
        const char *id = json_string_value(json_object_get(s, "id"));
        json_object_set_new(servers, id, source_server(pool, acct, region, s, now));
        json_t *rep = json_object_get(s, "replication");
        int64_t sync = json_integer_value(json_object_get(rep, "initial_sync_seconds"));
        json_object_set_new(
            meta, id,
            json_pack("{s:o, s:o, s:o, s:b, s:o}", "state",
                      is(pool, json_string_value(json_object_get(rep, "state"))), "lag_s",
                      ii(pool, json_integer_value(json_object_get(rep, "lag_seconds"))),
                      "sync_end_ms", ii(pool, now + sync * 1000), "archived",
                      json_is_true(json_object_get(s, "archived")), "since_ms", ii(pool, now)));
        /* the estate's launch-template settings (ec2_launch.c builds the template) */
        json_t *launch = json_object_get(s, "launch");
        if (json_object_size(launch))
            json_object_set(json_object_get(meta, id), "launch", launch);
    }
    json_decref(pool);
    json_decref(all);
    json_t *tpls = json_object_get(drs, "templates");
    json_array_foreach(json_object_get(dr, "replication_templates"), i, s)
    {
        const char *id =
            json_string_value(json_object_get(s, "replicationConfigurationTemplateID"));
        char arn[256];
        snprintf(arn, sizeof arn, "arn:aws:drs:%s:%s:replication-configuration-template/%s", region,
                 acct, id);
        json_t *t = json_deep_copy(s);
        json_object_set_new(t, "arn", json_string(arn));
        if (!json_object_get(t, "tags"))
            json_object_set_new(t, "tags", json_object());
        json_object_set_new(tpls, id, t);
    }
    json_object_set(drs, "staging_accounts", json_object_get(dr, "staging_accounts"));
    json_object_set_new(drs, "extensible",
                        json_deep_copy(json_object_get(dr, "extensible_source_servers")));
    json_decref(dr);
}

static void build_drs(struct sim_world *w, const char *acct, const char *region, json_t *dr)
{
    json_t *ar = sim_ar(w, acct, region);
    if (!ar)
        return;
    json_t *drs = json_object_get(ar, "drs");
    json_object_set(drs, "initialized", json_object_get(dr, "initialized"));
    json_object_set(drs, "pending", dr);
}

static void build_kms(struct sim_world *w, const char *acct, json_t *a, int64_t now)
{
    size_t i, j;
    json_t *k, *al;
    json_array_foreach(json_object_get(a, "kms_keys"), i, k)
    {
        const char *region = json_string_value(json_object_get(k, "region"));
        json_t *ar = sim_ar(w, acct, region);
        if (!ar)
            continue;
        json_t *kms = json_object_get(ar, "kms");
        const char *id = json_string_value(json_object_get(k, "id"));
        char arn[256];
        snprintf(arn, sizeof arn, "arn:aws:kms:%s:%s:key/%s", region, acct, id);
        json_t *key = json_pack(
            "{s:s, s:s, s:s, s:O, s:O, s:O, s:I}", "id", id, "arn", arn, "region", region, "state",
            json_object_get(k, "state"), "manager", json_object_get(k, "manager"), "description",
            json_object_get(k, "description"), "created_s", (json_int_t)(now / 1000));
        json_t *pol = json_object_get(k, "policy");
        if (pol)
            json_object_set(key, "policy", pol);
        json_object_set_new(json_object_get(kms, "keys"), id, key);
        json_array_foreach(json_object_get(k, "aliases"), j, al)
        {
            char aarn[300];
            snprintf(aarn, sizeof aarn, "arn:aws:kms:%s:%s:%s", region, acct,
                     json_string_value(al));
            json_array_append_new(
                json_object_get(kms, "aliases"),
                json_pack("{s:O, s:s, s:s}", "AliasName", al, "AliasArn", aarn, "TargetKeyId", id));
        }
    }
}

static void build_network(struct sim_world *w, const char *acct, json_t *a)
{
    size_t i, j, k;
    json_t *v, *x, *r;
    json_array_foreach(json_object_get(a, "vpcs"), i, v)
    {
        const char *region = json_string_value(json_object_get(v, "region"));
        const char *vpc = json_string_value(json_object_get(v, "id"));
        json_t *ar = sim_ar(w, acct, region);
        if (!ar)
            continue;
        json_t *ec2 = json_object_get(ar, "ec2");
        json_array_append_new(json_object_get(ec2, "vpcs"),
                              json_pack("{s:s, s:s, s:O, s:s, s:s, s:b, s:o}", "vpcId", vpc,
                                        "state", "available", "cidrBlock",
                                        json_object_get(v, "cidr"), "dhcpOptionsId", "dopt-0sim",
                                        "ownerId", acct, "isDefault", 0, "tagSet", ec2_tags(v)));
        json_array_foreach(json_object_get(v, "subnets"), j, x)
        {
            char sarn[256];
            snprintf(sarn, sizeof sarn, "arn:aws:ec2:%s:%s:subnet/%s", region, acct,
                     json_string_value(json_object_get(x, "id")));
            json_array_append_new(
                json_object_get(ec2, "subnets"),
                json_pack("{s:O, s:s, s:s, s:O, s:O, s:i, s:s, s:s, s:o}", "subnetId",
                          json_object_get(x, "id"), "vpcId", vpc, "state", "available", "cidrBlock",
                          json_object_get(x, "cidr"), "availabilityZone", json_object_get(x, "az"),
                          "availableIpAddressCount",
                          (int)json_integer_value(json_object_get(x, "available_ips")), "ownerId",
                          acct, "subnetArn", sarn, "tagSet", ec2_tags(x)));
        }
        json_array_foreach(json_object_get(v, "security_groups"), j, x)
        {
            json_t *perms[2] = {json_array(), json_array()};
            const char *dir[2] = {"ingress", "egress"};
            for (int d = 0; d < 2; d++) {
                json_array_foreach(json_object_get(x, dir[d]), k, r)
                {
                    const char *proto = json_string_value(json_object_get(r, "protocol"));
                    json_t *p = json_pack("{s:s}", "ipProtocol", proto ? proto : "-1");
                    if (json_object_get(r, "from_port"))
                        json_object_set(p, "fromPort", json_object_get(r, "from_port"));
                    if (json_object_get(r, "to_port"))
                        json_object_set(p, "toPort", json_object_get(r, "to_port"));
                    const char *cidr = json_string_value(json_object_get(r, "cidr"));
                    json_object_set_new(p, "ipRanges",
                                        json_pack("[{s:s}]", "cidrIp", cidr ? cidr : "0.0.0.0/0"));
                    const char *src = json_string_value(json_object_get(r, "source_group"));
                    json_object_set_new(
                        p, "groups",
                        src ? json_pack("[{s:s, s:s}]", "groupId", src, "userId", acct)
                            : json_array());
                    json_array_append_new(perms[d], p);
                }
            }
            json_array_append_new(
                json_object_get(ec2, "sgs"),
                json_pack("{s:O, s:O, s:O, s:s, s:s, s:o, s:o, s:o}", "groupId",
                          json_object_get(x, "id"), "groupName", json_object_get(x, "name"),
                          "groupDescription", json_object_get(x, "description"), "vpcId", vpc,
                          "ownerId", acct, "ipPermissions", perms[0], "ipPermissionsEgress",
                          perms[1], "tagSet", ec2_tags(x)));
        }
        json_array_foreach(json_object_get(v, "route_tables"), j, x)
        {
            json_t *routes = json_array(), *assoc = json_array();
            json_array_foreach(json_object_get(x, "routes"), k, r)
            {
                const char *dst = json_string_value(json_object_get(r, "destination"));
                const char *tgt = json_string_value(json_object_get(r, "target"));
                json_t *rt =
                    json_pack("{s:s, s:s, s:s}", "destinationCidrBlock", dst ? dst : "0.0.0.0/0",
                              "state", "active", "origin", "CreateRoute");
                if (tgt && strncmp(tgt, "pcx-", 4) == 0)
                    json_object_set_new(rt, "vpcPeeringConnectionId", json_string(tgt));
                else if (tgt && strncmp(tgt, "tgw-", 4) == 0)
                    json_object_set_new(rt, "transitGatewayId", json_string(tgt));
                else
                    json_object_set_new(rt, "gatewayId", json_string(tgt ? tgt : "local"));
                json_array_append_new(routes, rt);
            }
            json_array_foreach(json_object_get(x, "subnets"), k, r)
            {
                char aid[64];
                snprintf(aid, sizeof aid, "rtbassoc-%s", json_string_value(r) + 7);
                json_array_append_new(
                    assoc, json_pack("{s:s, s:O, s:O, s:b, s:{s:s}}", "routeTableAssociationId",
                                     aid, "routeTableId", json_object_get(x, "id"), "subnetId", r,
                                     "main", 0, "associationState", "state", "associated"));
            }
            json_array_append_new(json_object_get(ec2, "rtbs"),
                                  json_pack("{s:O, s:s, s:s, s:o, s:o, s:o}", "routeTableId",
                                            json_object_get(x, "id"), "vpcId", vpc, "ownerId", acct,
                                            "routeSet", routes, "associationSet", assoc, "tagSet",
                                            json_array()));
        }
    }
    json_array_foreach(json_object_get(a, "peerings"), i, x)
    {
        const char *region = json_string_value(json_object_get(x, "region"));
        json_t *ar = sim_ar(w, acct, region);
        if (!ar)
            continue;
        const char *acc = json_string_value(json_object_get(x, "accepter_account"));
        json_array_append_new(
            json_object_get(json_object_get(ar, "ec2"), "peerings"),
            json_pack("{s:O, s:{s:O, s:s, s:s}, s:{s:O, s:s, s:s}, s:{s:O, s:O}, s:o}",
                      "vpcPeeringConnectionId", json_object_get(x, "id"), "requesterVpcInfo",
                      "vpcId", json_object_get(x, "requester_vpc"), "ownerId", acct, "region",
                      region, "accepterVpcInfo", "vpcId", json_object_get(x, "accepter_vpc"),
                      "ownerId", acc && *acc ? acc : acct, "region", region, "status", "code",
                      json_object_get(x, "status"), "message", json_object_get(x, "status"),
                      "tagSet", json_array()));
    }
}

static void build_account(struct sim_world *w, json_t *a, bool is_hub, int64_t now)
{
    const char *acct = json_string_value(json_object_get(a, "account_id"));
    const char *role = json_string_value(json_object_get(a, "role_name"));
    char role_arn[256];
    snprintf(role_arn, sizeof role_arn, "arn:aws:iam::%s:role/%s", acct, role);
    json_t *live =
        json_pack("{s:s, s:O, s:O, s:s, s:O, s:b, s:o}", "account_id", acct, "name",
                  json_object_get(a, "name"), "email", json_object_get(a, "email"), "role_arn",
                  role_arn, "regions", json_object_get(a, "regions"), "is_hub", is_hub, "roles",
                  build_roles(acct, json_object_get(a, "roles"), now));
    /* the named role may carry a path */
    json_t *r = json_object_get(json_object_get(live, "roles"), role);
    if (r)
        json_object_set(live, "role_arn", json_object_get(r, "Arn"));
    const char *ext = json_string_value(json_object_get(a, "external_id"));
    if (ext)
        json_object_set_new(live, "external_id", json_string(ext));
    json_object_set_new(w->accounts, acct, live);
    size_t i;
    json_t *u;
    if (is_hub)
        add_identity(w, acct, json_object_get(a, "user"));
    json_array_foreach(json_object_get(a, "users"), i, u) add_identity(w, acct, u);
    json_array_foreach(json_object_get(a, "regions"), i, u) sim_ar(w, acct, json_string_value(u));
    const char *reg;
    json_t *dr;
    json_object_foreach(json_object_get(a, "drs"), reg, dr) build_drs(w, acct, reg, dr);
    build_kms(w, acct, a, now);
    build_network(w, acct, a);
    sim_ec2_enis_build(w, acct, a);
}

int sim_estate_build(struct sim_world *w, struct dr_err *err)
{
    int64_t now = sim_clock_now(&w->clock);
    json_t *hub = json_object_get(w->estate, "hub");
    dr_strlcpy(w->hub_account, json_string_value(json_object_get(hub, "account_id")),
               sizeof w->hub_account);
    build_account(w, hub, true, now);
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(w->estate, "accounts"), i, a)
        build_account(w, a, false, now);
    json_t *q = json_object_get(w->estate, "quotas");
    w->quotas.max_servers_per_job =
        (int)json_integer_value(json_object_get(q, "max_servers_per_job"));
    w->quotas.max_concurrent_jobs =
        (int)json_integer_value(json_object_get(q, "max_concurrent_jobs"));
    w->quotas.max_servers_in_active_jobs =
        (int)json_integer_value(json_object_get(q, "max_servers_in_active_jobs"));
    w->quotas.max_replicating_servers =
        (int)json_integer_value(json_object_get(q, "max_replicating_servers"));
    w->quotas.max_source_servers =
        (int)json_integer_value(json_object_get(q, "max_source_servers"));
    if (!w->accounts || !w->keys)
        return dr_err_set(err, DR_ENOMEM, "building the world");
    return 0;
}
