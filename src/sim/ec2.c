/*
 * ec2.c - EC2 describe calls for the simulator (ec2 protocol): instances
 * (including DRS recovery instances) and their status checks, VPCs,
 * subnets, security groups, route tables, VPC peering connections,
 * regions and availability zones. Supports ID lists (InstanceId.N, ...),
 * the common Filter.N.Name / Filter.N.Value.M filters, including tag:KEY,
 * and MaxResults/NextToken pagination where botocore paginates. Objects
 * are stored in the EC2 XML convention (tagSet/item).
 * Depends on the core module, jansson.
 */
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "core/timeutil.h"
#include "sim/ec2_common.h"
#include "sim/internal.h"

/* A launched instance's status checks are "initializing" for this long (sim time). */
#define EC2_STATUS_INIT_MS 120000

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
    {"instance-state-code", "instanceState", "code"},
    {"instance-status.status", "instanceStatus", "status"},
    {"system-status.status", "systemStatus", "status"},
    {"network-interface-id", "networkInterfaceId", NULL},
    {"status", "status", NULL},
    {"attachment.instance-id", "attachment", "instanceId"},
    {"launch-template-name", "launchTemplateName", NULL},
    {"location", "location", NULL},
    {"addresses.private-ip-address", "privateIpAddress", NULL},
    {NULL, NULL, NULL},
};

/* A member as filter text: strings as they are, integers in decimal. */
static const char *field_text(json_t *obj, const char *field, const char *sub, char *buf, size_t n)
{
    json_t *x = json_object_get(obj, field);
    if (sub)
        x = json_object_get(x, sub);
    if (json_is_integer(x)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(x));
        return buf;
    }
    return json_string_value(x);
}

static bool matches(json_t *obj, const struct filter *f, int nf, bool *unknown)
{
    for (int i = 0; i < nf; i++) {
        const char *v = NULL;
        char num[32];
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
        } else if (strcmp(f[i].name, "instance-status.reachability") == 0 ||
                   strcmp(f[i].name, "system-status.reachability") == 0) {
            json_t *st =
                json_object_get(obj, f[i].name[0] == 'i' ? "instanceStatus" : "systemStatus");
            v = json_string_value(
                json_object_get(json_array_get(json_object_get(st, "details"), 0), "status"));
        } else {
            const struct fmap *m;
            for (m = fields; m->filter; m++)
                if (strcmp(m->filter, f[i].name) == 0)
                    break;
            if (!m->filter) {
                *unknown = true;
                return false;
            }
            v = field_text(obj, m->field, m->sub, num, sizeof num);
        }
        if (!value_in(f[i].values, v))
            return false;
    }
    return true;
}

int sim_ec2_describe(struct sim_call *c, json_t *in, json_t *src, const char *id_param,
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

int sim_ec2_page_range(struct sim_call *c, json_t *in, json_t *res, int min_max, int max_cap,
                       bool no_ids, char *next, size_t n)
{
    next[0] = '\0';
    const char *mr = json_string_value(json_object_get(in, "MaxResults"));
    const char *tok = json_string_value(json_object_get(in, "NextToken"));
    if (max_cap == 0 || (!mr && !tok))
        return 0;
    int64_t max = max_cap;
    if (mr) {
        if (dr_parse_i64(mr, &max) < 0)
            return sim_fail(c, 400, "InvalidParameterValue",
                            "Value (%.32s) for parameter maxResults is invalid", mr);
        if (max < min_max || max > max_cap)
            return sim_fail(c, 400, "InvalidParameterValue",
                            "Value ( %lld ) for parameter maxResults is invalid. Parameter must "
                            "be between %d and %d",
                            (long long)max, min_max, max_cap);
        if (no_ids)
            return sim_fail(c, 400, "InvalidParameterCombination",
                            "The parameter instancesSet cannot be used with the parameter "
                            "maxResults");
    }
    uint64_t off = 0;
    size_t total = json_array_size(res);
    if (tok && (dr_parse_u64(tok, &off) < 0 || off > total))
        return sim_fail(c, 400, "InvalidPaginationToken",
                        "The specified pagination token is not valid or is expired.");
    size_t end = total - off > (uint64_t)max ? (size_t)off + (size_t)max : total;
    for (size_t i = total; i > end; i--)
        json_array_remove(res, i - 1);
    for (size_t i = 0; i < off; i++)
        json_array_remove(res, 0);
    if (end < total)
        snprintf(next, n, "%zu", end);
    return 0;
}

int sim_ec2_page(struct sim_call *c, json_t *in, json_t *res, int max_cap, bool no_ids, char *next,
                 size_t n)
{
    return sim_ec2_page_range(c, in, res, 5, max_cap, no_ids, next, n);
}

void sim_ec2_set_next(json_t *out, const char *next)
{
    if (next[0])
        json_object_set_new(out, "nextToken", json_string(next));
}

json_t *sim_ec2_of(struct sim_call *c)
{
    json_t *ar = sim_ar(c->w, c->account_id, c->region);
    return ar ? json_object_get(ar, "ec2") : NULL;
}

static int describe_instances(struct sim_call *c, json_t *in)
{
    json_t *ec2 = sim_ec2_of(c), *res;
    if (!ec2)
        return sim_fail(c, 500, "InternalError", "out of memory");
    if (sim_ec2_describe(c, in, json_object_get(ec2, "instances"), "InstanceId", "instanceId",
                         "InvalidInstanceID.NotFound", &res) < 0)
        return -1;
    char next[32];
    json_t *ids = sim_form_list(in, "InstanceId");
    int rc = sim_ec2_page(c, in, res, 1000, json_array_size(ids) > 0, next, sizeof next);
    json_decref(ids);
    if (rc < 0) {
        json_decref(res);
        return -1;
    }
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
    sim_ec2_set_next(c->out, next);
    return 0;
}

/* One InstanceStatus: running instances pass their checks once they have
 * been up for EC2_STATUS_INIT_MS; others are not-applicable. */
static json_t *instance_status(struct sim_call *c, json_t *inst)
{
    const char *state = sim_json_path_str(inst, "instanceState", "name");
    const char *st = "not-applicable", *detail = NULL;
    if (state && strcmp(state, "running") == 0) {
        int64_t launched = 0;
        time_parse(json_string_value(json_object_get(inst, "launchTime")), &launched);
        bool init = c->now_ms < launched + EC2_STATUS_INIT_MS;
        st = init ? "initializing" : "ok";
        detail = init ? "initializing" : "passed";
    }
    json_t *checks[2];
    for (int i = 0; i < 2; i++) {
        checks[i] = json_pack("{s:s}", "status", st);
        if (detail)
            json_object_set_new(
                checks[i], "details",
                json_pack("[{s:s, s:s}]", "name", "reachability", "status", detail));
    }
    return json_pack("{s:O, s:O, s:O, s:o, s:o}", "instanceId", json_object_get(inst, "instanceId"),
                     "availabilityZone",
                     json_object_get(json_object_get(inst, "placement"), "availabilityZone"),
                     "instanceState", json_object_get(inst, "instanceState"), "instanceStatus",
                     checks[0], "systemStatus", checks[1]);
}

static int describe_instance_status(struct sim_call *c, json_t *in)
{
    json_t *ec2 = sim_ec2_of(c), *res;
    if (!ec2)
        return sim_fail(c, 500, "InternalError", "out of memory");
    const char *all = json_string_value(json_object_get(in, "IncludeAllInstances"));
    bool include_all = all && strcmp(all, "true") == 0;
    json_t *ids = sim_form_list(in, "InstanceId");
    json_t *src = json_array();
    const char *id;
    json_t *inst;
    json_object_foreach(json_object_get(ec2, "instances"), id, inst)
    {
        /* explicitly named instances are reported in any state, as EC2 does */
        const char *state = sim_json_path_str(inst, "instanceState", "name");
        bool named = false;
        size_t i;
        json_t *x;
        json_array_foreach(ids, i, x) named = named || strcmp(json_string_value(x), id) == 0;
        if (include_all || named || (state && strcmp(state, "running") == 0))
            json_array_append_new(src, instance_status(c, inst));
    }
    int rc = sim_ec2_describe(c, in, src, "InstanceId", "instanceId", "InvalidInstanceID.NotFound",
                              &res);
    json_decref(src);
    char next[32];
    if (rc == 0 &&
        sim_ec2_page(c, in, res, 1000, json_array_size(ids) > 0, next, sizeof next) < 0) {
        json_decref(res);
        rc = -1;
    }
    json_decref(ids);
    if (rc < 0)
        return -1;
    c->out = json_pack("{s:o}", "instanceStatusSet", res);
    sim_ec2_set_next(c->out, next);
    return 0;
}

/* max: the model's MaxResults bound for the operation's paginator. */
#define SIMPLE_DESCRIBE(fn, list, param, idf, code, outkey, max)                                   \
    static int fn(struct sim_call *c, json_t *in)                                                  \
    {                                                                                              \
        json_t *ec2 = sim_ec2_of(c), *res;                                                         \
        char next[32];                                                                             \
        if (!ec2)                                                                                  \
            return sim_fail(c, 500, "InternalError", "out of memory");                             \
        if (sim_ec2_describe(c, in, json_object_get(ec2, list), param, idf, code, &res) < 0)       \
            return -1;                                                                             \
        if (sim_ec2_page(c, in, res, max, false, next, sizeof next) < 0) {                         \
            json_decref(res);                                                                      \
            return -1;                                                                             \
        }                                                                                          \
        c->out = json_pack("{s:o}", outkey, res);                                                  \
        sim_ec2_set_next(c->out, next);                                                            \
        return 0;                                                                                  \
    }

SIMPLE_DESCRIBE(describe_vpcs, "vpcs", "VpcId", "vpcId", "InvalidVpcID.NotFound", "vpcSet", 1000)
SIMPLE_DESCRIBE(describe_subnets, "subnets", "SubnetId", "subnetId", "InvalidSubnetID.NotFound",
                "subnetSet", 1000)
SIMPLE_DESCRIBE(describe_sgs, "sgs", "GroupId", "groupId", "InvalidGroup.NotFound",
                "securityGroupInfo", 1000)
SIMPLE_DESCRIBE(describe_rtbs, "rtbs", "RouteTableId", "routeTableId",
                "InvalidRouteTableID.NotFound", "routeTableSet", 100)
SIMPLE_DESCRIBE(describe_peerings, "peerings", "VpcPeeringConnectionId", "vpcPeeringConnectionId",
                "InvalidVpcPeeringConnectionID.NotFound", "vpcPeeringConnectionSet", 1000)

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
    {"DescribeInstanceStatus", describe_instance_status},
    {"DescribeVpcs", describe_vpcs},
    {"DescribeSubnets", describe_subnets},
    {"DescribeSecurityGroups", describe_sgs},
    {"DescribeRouteTables", describe_rtbs},
    {"DescribeVpcPeeringConnections", describe_peerings},
    {"DescribeRegions", describe_regions},
    {"DescribeAvailabilityZones", describe_azs},
    {NULL, NULL},
};
