/*
 * ec2.c - EC2 describe calls for the simulator (ec2 protocol): instances
 * (including DRS recovery instances), VPCs, subnets, security groups,
 * route tables, VPC peering connections, regions and availability zones.
 * Supports ID lists (InstanceId.N, ...) and the common Filter.N.Name /
 * Filter.N.Value.M filters, including tag:KEY. Objects are stored in the
 * EC2 XML convention (tagSet/item). Depends on the core module, jansson.
 */
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "sim/internal.h"

struct filter {
    const char *name;
    json_t *values; /* owned */
};

#define MAX_FILTERS 16

static int parse_filters(struct sim_call *c, json_t *in, struct filter *f, int *nf)
{
    *nf = 0;
    for (int i = 1; i <= MAX_FILTERS + 1; i++) {
        char key[64];
        snprintf(key, sizeof key, "Filter.%d.Name", i);
        const char *name = json_string_value(json_object_get(in, key));
        if (!name)
            break;
        if (*nf >= MAX_FILTERS)
            return sim_fail(c, 400, "FilterLimitExceeded", "The maximum number of filters is %d",
                            MAX_FILTERS);
        snprintf(key, sizeof key, "Filter.%d.Value", i);
        f[*nf].name = name;
        f[*nf].values = sim_form_list(in, key);
        (*nf)++;
    }
    return 0;
}

static void free_filters(struct filter *f, int nf)
{
    for (int i = 0; i < nf; i++)
        json_decref(f[i].values);
}

static bool value_in(json_t *vals, const char *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(vals, i, x)
    {
        if (v && sim_wildcard_match(json_string_value(x), v))
            return true;
    }
    return false;
}

static const char *tag_value(json_t *obj, const char *key)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(obj, "tagSet"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "key")), key) == 0)
            return json_string_value(json_object_get(t, "value"));
    }
    return NULL;
}

/* Filter name -> field of the object (XML-convention names). */
struct fmap {
    const char *filter;
    const char *field;
    const char *sub;
};

static const struct fmap fields[] = {
    {"instance-id", "instanceId", NULL},
    {"instance-state-name", "instanceState", "name"},
    {"instance-type", "instanceType", NULL},
    {"vpc-id", "vpcId", NULL},
    {"subnet-id", "subnetId", NULL},
    {"availability-zone", "availabilityZone", NULL},
    {"group-id", "groupId", NULL},
    {"group-name", "groupName", NULL},
    {"route-table-id", "routeTableId", NULL},
    {"cidr", "cidrBlock", NULL},
    {"cidr-block", "cidrBlock", NULL},
    {"state", "state", NULL},
    {"owner-id", "ownerId", NULL},
    {"private-ip-address", "privateIpAddress", NULL},
    {"vpc-peering-connection-id", "vpcPeeringConnectionId", NULL},
    {"status-code", "status", "code"},
    {NULL, NULL, NULL},
};

static bool matches(json_t *obj, const struct filter *f, int nf, bool *unknown)
{
    for (int i = 0; i < nf; i++) {
        const char *v = NULL;
        if (strncmp(f[i].name, "tag:", 4) == 0) {
            v = tag_value(obj, f[i].name + 4);
        } else if (strcmp(f[i].name, "tag-key") == 0) {
            size_t k;
            json_t *t;
            bool any = false;
            json_array_foreach(json_object_get(obj, "tagSet"), k, t) any =
                any || value_in(f[i].values, json_string_value(json_object_get(t, "key")));
            if (!any)
                return false;
            continue;
        } else if (strcmp(f[i].name, "placement.availability-zone") == 0 ||
                   (strcmp(f[i].name, "availability-zone") == 0 &&
                    json_object_get(obj, "placement"))) {
            v = sim_json_path_str(obj, "placement", "availabilityZone");
        } else {
            const struct fmap *m;
            for (m = fields; m->filter; m++)
                if (strcmp(m->filter, f[i].name) == 0)
                    break;
            if (!m->filter) {
                *unknown = true;
                return false;
            }
            v = sim_json_path_str(obj, m->field, m->sub);
        }
        if (!value_in(f[i].values, v))
            return false;
    }
    return true;
}

/* Shared describe: objects from a list or map, ID list param, filters. */
static int describe(struct sim_call *c, json_t *in, json_t *src, const char *id_param,
                    const char *id_field, const char *notfound_code, json_t **out)
{
    struct filter f[MAX_FILTERS];
    int nf = 0;
    if (parse_filters(c, in, f, &nf) < 0)
        return -1;
    json_t *ids = sim_form_list(in, id_param);
    json_t *res = json_array();
    bool unknown = false;
    json_t *obj;
    if (json_is_object(src)) {
        const char *k;
        json_object_foreach(src, k, obj)
        {
            if (json_array_size(ids) && !value_in(ids, k))
                continue;
            if (matches(obj, f, nf, &unknown))
                json_array_append(res, obj);
        }
    } else {
        size_t i;
        json_array_foreach(src, i, obj)
        {
            const char *id = json_string_value(json_object_get(obj, id_field));
            if (json_array_size(ids) && !value_in(ids, id))
                continue;
            if (matches(obj, f, nf, &unknown))
                json_array_append(res, obj);
        }
    }
    free_filters(f, nf);
    if (unknown) {
        json_decref(ids);
        json_decref(res);
        return sim_fail(c, 400, "InvalidParameterValue", "The filter name is not supported");
    }
    /* an explicit ID that does not exist is an error in EC2 */
    size_t i;
    json_t *want;
    json_array_foreach(ids, i, want)
    {
        bool found = false;
        size_t j;
        json_array_foreach(res, j, obj) found =
            found ||
            strcmp(json_string_value(json_object_get(obj, id_field)), json_string_value(want)) == 0;
        if (!found && nf == 0) {
            sim_fail(c, 400, notfound_code, "The ID '%s' does not exist", json_string_value(want));
            json_decref(ids);
            json_decref(res);
            return -1;
        }
    }
    json_decref(ids);
    *out = res;
    return 0;
}

static json_t *ec2_of(struct sim_call *c)
{
    json_t *ar = sim_ar(c->w, c->account_id, c->region);
    return ar ? json_object_get(ar, "ec2") : NULL;
}

static int describe_instances(struct sim_call *c, json_t *in)
{
    json_t *ec2 = ec2_of(c), *res;
    if (!ec2)
        return sim_fail(c, 500, "InternalError", "out of memory");
    if (describe(c, in, json_object_get(ec2, "instances"), "InstanceId", "instanceId",
                 "InvalidInstanceID.NotFound", &res) < 0)
        return -1;
    json_t *rs = json_array();
    size_t i;
    json_t *inst;
    json_array_foreach(res, i, inst)
    {
        const char *id = json_string_value(json_object_get(inst, "instanceId"));
        json_t *rid = json_object_get(json_object_get(ec2, "reservations"), id);
        json_array_append_new(rs,
                              json_pack("{s:O, s:s, s:[], s:[O]}", "reservationId", rid, "ownerId",
                                        c->account_id, "groupSet", "instancesSet", inst));
    }
    json_decref(res);
    c->out = json_pack("{s:o}", "reservationSet", rs);
    return 0;
}

#define SIMPLE_DESCRIBE(fn, list, param, idf, code, outkey)                                        \
    static int fn(struct sim_call *c, json_t *in)                                                  \
    {                                                                                              \
        json_t *ec2 = ec2_of(c), *res;                                                             \
        if (!ec2)                                                                                  \
            return sim_fail(c, 500, "InternalError", "out of memory");                             \
        if (describe(c, in, json_object_get(ec2, list), param, idf, code, &res) < 0)               \
            return -1;                                                                             \
        c->out = json_pack("{s:o}", outkey, res);                                                  \
        return 0;                                                                                  \
    }

SIMPLE_DESCRIBE(describe_vpcs, "vpcs", "VpcId", "vpcId", "InvalidVpcID.NotFound", "vpcSet")
SIMPLE_DESCRIBE(describe_subnets, "subnets", "SubnetId", "subnetId", "InvalidSubnetID.NotFound",
                "subnetSet")
SIMPLE_DESCRIBE(describe_sgs, "sgs", "GroupId", "groupId", "InvalidGroup.NotFound",
                "securityGroupInfo")
SIMPLE_DESCRIBE(describe_rtbs, "rtbs", "RouteTableId", "routeTableId",
                "InvalidRouteTableID.NotFound", "routeTableSet")
SIMPLE_DESCRIBE(describe_peerings, "peerings", "VpcPeeringConnectionId", "vpcPeeringConnectionId",
                "InvalidVpcPeeringConnectionID.NotFound", "vpcPeeringConnectionSet")

static int describe_regions(struct sim_call *c, json_t *in)
{
    (void)in;
    json_t *acct = json_object_get(c->w->accounts, c->account_id);
    json_t *arr = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(acct, "regions"), i, r)
    {
        char ep[128];
        snprintf(ep, sizeof ep, "ec2.%s.amazonaws.com", json_string_value(r));
        json_array_append_new(arr, json_pack("{s:O, s:s, s:s}", "regionName", r, "regionEndpoint",
                                             ep, "optInStatus", "opt-in-not-required"));
    }
    c->out = json_pack("{s:o}", "regionInfo", arr);
    return 0;
}

static int describe_azs(struct sim_call *c, json_t *in)
{
    (void)in;
    json_t *arr = json_array();
    for (char z = 'a'; z <= 'c'; z++) {
        char name[80], id[80];
        snprintf(name, sizeof name, "%s%c", c->region, z);
        snprintf(id, sizeof id, "%.3s-az%d", c->region, z - 'a' + 1);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s}", "zoneName", name,
                                             "zoneId", id, "zoneState", "available", "regionName",
                                             c->region, "zoneType", "availability-zone"));
    }
    c->out = json_pack("{s:o}", "availabilityZoneInfo", arr);
    return 0;
}

const struct sim_op sim_ec2_ops[] = {
    {"DescribeInstances", describe_instances},
    {"DescribeVpcs", describe_vpcs},
    {"DescribeSubnets", describe_subnets},
    {"DescribeSecurityGroups", describe_sgs},
    {"DescribeRouteTables", describe_rtbs},
    {"DescribeVpcPeeringConnections", describe_peerings},
    {"DescribeRegions", describe_regions},
    {"DescribeAvailabilityZones", describe_azs},
    {NULL, NULL},
};
