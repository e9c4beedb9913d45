/*
 * ec2_launch.c - what a DRS launch reads from EC2, for the simulator:
 * the launch template behind each source server's launch configuration
 * (GetLaunchConfiguration's ec2LaunchTemplateID) with its $Default
 * version (instance type, one network interface: subnet, security groups,
 * optional static private IP), DescribeLaunchTemplateVersions,
 * DescribeLaunchTemplates, DescribeInstanceTypeOfferings (a per-region
 * offered list from the estate's `instance_types`, else a built-in list)
 * and DescribeNetworkInterfaces (the interfaces of EC2 instances, such as
 * recovery instances, plus the estate's vpcs[].network_interfaces).
 * Templates are built on an account-region's first launch-template call
 * from its DRS servers and their estate `launch:` settings
 * (docs/estate-format.md), so untouched regions cost nothing.
 * Depends on the core module, jansson.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ipv4.h"
#include "core/str.h"
#include "sim/ec2_common.h"
#include "sim/internal.h"

void sim_launch_template_id(const char *server_id, char *out, size_t n)
{
    snprintf(out, n, "lt-%.17s", server_id && strlen(server_id) > 2 ? server_id + 2 : "");
}

/* A member map or list of the EC2 state, created on first use (borrowed). */
static json_t *member(json_t *ec2, const char *name, bool list)
{
    json_t *m = json_object_get(ec2, name);
    if (!m) {
        m = list ? json_array() : json_object();
        json_object_set_new(ec2, name, m);
    }
    return m;
}

static const char *server_ip(const json_t *srv)
{
    size_t i;
    json_t *nic;
    json_t *nics = json_object_get(json_object_get(srv, "sourceProperties"), "networkInterfaces");
    json_array_foreach(nics, i, nic)
    {
        if (json_is_true(json_object_get(nic, "isPrimary")) || i + 1 == json_array_size(nics))
            return json_string_value(json_array_get(json_object_get(nic, "ips"), 0));
    }
    return NULL;
}

/* The subnet a default template uses: the one holding the server's own
 * IP (a recovery subnet mirroring the source), else the region's first. */
static const json_t *default_subnet(json_t *ec2, const json_t *srv)
{
    json_t *subnets = json_object_get(ec2, "subnets");
    uint32_t ip;
    if (ipv4_parse(server_ip(srv), &ip)) {
        size_t i;
        json_t *sn;
        json_array_foreach(subnets, i, sn)
        {
            struct ipv4_cidr c;
            if (ipv4_cidr_parse(json_string_value(json_object_get(sn, "cidrBlock")), &c) &&
                ipv4_cidr_has(c, ip))
                return sn;
        }
    }
    return json_array_get(subnets, 0);
}

static const json_t *find_by(const json_t *arr, const char *field, const char *id)
{
    size_t i;
    json_t *x;
    json_array_foreach((json_t *)arr, i, x)
    {
        const char *v = json_string_value(json_object_get(x, field));
        if (v && id && !strcmp(v, id))
            return x;
    }
    return NULL;
}

static json_t *template_data(json_t *ec2, const json_t *srv, const json_t *launch)
{
    const char *subnet = json_string_value(json_object_get(launch, "subnet"));
    const json_t *sn = subnet ? find_by(json_object_get(ec2, "subnets"), "subnetId", subnet)
                              : default_subnet(ec2, srv);
    if (!subnet)
        subnet = json_string_value(json_object_get(sn, "subnetId"));
    json_t *groups = json_array();
    json_t *want = json_object_get(launch, "security_groups");
    if (want) {
        json_array_extend(groups, want);
    } else {
        const char *vpc = json_string_value(json_object_get(sn, "vpcId"));
        size_t i;
        json_t *g;
        json_array_foreach(json_object_get(ec2, "sgs"), i, g)
        {
            const char *gv = json_string_value(json_object_get(g, "vpcId"));
            if (!vpc || (gv && !strcmp(gv, vpc))) {
                json_array_append(groups, json_object_get(g, "groupId"));
                break;
            }
        }
    }
    const char *type = json_string_value(json_object_get(launch, "instance_type"));
    if (!type)
        type = sim_json_path_str(srv, "sourceProperties", "recommendedInstanceType");
    json_t *data = json_pack("{s:s, s:s, s:{s:b}}", "instanceType", type ? type : "m5.large",
                             "imageId", "ami-0drsrecovery0001", "monitoring", "enabled", 0);
    if (subnet || json_array_size(groups)) {
        json_t *nic =
            json_pack("{s:i, s:b, s:b, s:o}", "deviceIndex", 0, "associatePublicIpAddress", 0,
                      "deleteOnTermination", 1, "groupSet", json_incref(groups));
        if (subnet)
            json_object_set_new(nic, "subnetId", json_string(subnet));
        const char *pip = json_string_value(json_object_get(launch, "private_ip"));
        if (pip) {
            json_object_set_new(nic, "privateIpAddress", json_string(pip));
            json_object_set_new(nic, "privateIpAddressesSet",
                                json_pack("[{s:s, s:b}]", "privateIpAddress", pip, "primary", 1));
        }
        json_object_set_new(data, "networkInterfaceSet", json_pack("[o]", nic));
    }
    json_decref(groups);
    return data;
}

/* Builds the templates of servers that have none yet (w->mu held). */
static json_t *ensure_templates(struct sim_call *c)
{
    json_t *ar = sim_ar(c->w, c->account_id, c->region);
    if (!ar)
        return NULL;
    sim_drs_materialize(c->w, ar);
    json_t *ec2 = json_object_get(ar, "ec2"), *drs = json_object_get(ar, "drs");
    json_t *lts = member(ec2, "launch_templates", false), *built = member(ec2, "lt_built", false);
    const char *sid;
    json_t *srv;
    char t[32];
    sim_fmt_time(c->w->clock.sim_start_ms, t, sizeof t);
    json_object_foreach(json_object_get(drs, "servers"), sid, srv)
    {
        if (json_object_get(built, sid))
            continue;
        json_object_set_new(built, sid, json_true());
        json_t *launch =
            json_object_get(json_object_get(json_object_get(drs, "meta"), sid), "launch");
        const char *tmode = json_string_value(json_object_get(launch, "template"));
        if (tmode && !strcmp(tmode, "missing"))
            continue;
        char id[32], name[64], by[160];
        sim_launch_template_id(sid, id, sizeof id);
        snprintf(name, sizeof name, "drs-%s", sid);
        snprintf(by, sizeof by,
                 "arn:aws:sts::%s:assumed-role/AWSServiceRoleForElasticDisasterRecovery/drs",
                 c->account_id);
        json_t *lt = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:[{s:s, s:s}, {s:s, s:s}]}",
                               "launchTemplateId", id, "launchTemplateName", name, "createTime", t,
                               "createdBy", by, "defaultVersionNumber", (json_int_t)1,
                               "latestVersionNumber", (json_int_t)1, "tagSet", "key",
                               "AWSElasticDisasterRecoveryManaged", "value", "drs.amazonaws.com",
                               "key", "AWSElasticDisasterRecoverySourceServerID", "value", sid);
        json_t *ver = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:b, s:o}", "launchTemplateId", id,
                                "launchTemplateName", name, "versionNumber", (json_int_t)1,
                                "versionDescription", "Elastic Disaster Recovery", "createTime", t,
                                "createdBy", by, "defaultVersion", 1, "launchTemplateData",
                                template_data(ec2, srv, launch));
        json_object_set_new(lts, id, json_pack("{s:o, s:[o]}", "lt", lt, "versions", ver));
    }
    return ec2;
}

/* "$Latest", "$Default" or a version number -> the version object. */
static json_t *pick_version(json_t *entry, const char *want)
{
    json_t *lt = json_object_get(entry, "lt");
    json_int_t num = -1;
    int64_t v;
    if (!strcmp(want, "$Latest"))
        num = json_integer_value(json_object_get(lt, "latestVersionNumber"));
    else if (!strcmp(want, "$Default"))
        num = json_integer_value(json_object_get(lt, "defaultVersionNumber"));
    else if (dr_parse_i64(want, &v) == 0)
        num = (json_int_t)v;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(entry, "versions"), i, x)
    {
        if (json_integer_value(json_object_get(x, "versionNumber")) == num)
            return x;
    }
    return NULL;
}

static bool in_range(const json_t *ver, json_t *in)
{
    const char *mn = json_string_value(json_object_get(in, "MinVersion"));
    const char *mx = json_string_value(json_object_get(in, "MaxVersion"));
    int64_t lo, hi, n = json_integer_value(json_object_get(ver, "versionNumber"));
    return (!mn || dr_parse_i64(mn, &lo) < 0 || n >= lo) &&
           (!mx || dr_parse_i64(mx, &hi) < 0 || n <= hi);
}

static json_t *entry_by_name(json_t *lts, const char *name)
{
    const char *k;
    json_t *e;
    json_object_foreach(lts, k, e)
    {
        const char *n =
            json_string_value(json_object_get(json_object_get(e, "lt"), "launchTemplateName"));
        if (n && !strcmp(n, name))
            return e;
    }
    return NULL;
}

static int page_out(struct sim_call *c, json_t *in, json_t *res, int min_max, int max_cap,
                    const char *key)
{
    char next[32];
    if (sim_ec2_page_range(c, in, res, min_max, max_cap, false, next, sizeof next) < 0) {
        json_decref(res);
        return -1;
    }
    c->out = json_pack("{s:o}", key, res);
    sim_ec2_set_next(c->out, next);
    return 0;
}

static int describe_lt_versions(struct sim_call *c, json_t *in)
{
    json_t *ec2 = ensure_templates(c);
    if (!ec2)
        return sim_fail(c, 500, "InternalError", "out of memory");
    json_t *lts = json_object_get(ec2, "launch_templates");
    const char *id = json_string_value(json_object_get(in, "LaunchTemplateId"));
    const char *name = json_string_value(json_object_get(in, "LaunchTemplateName"));
    if (json_object_get(in, "Filter.1.Name"))
        return sim_fail(c, 400, "InvalidParameterValue",
                        "The simulator does not filter launch template versions");
    if (id && name)
        return sim_fail(c, 400, "InvalidParameterCombination",
                        "Specify the launch template ID or the launch template name, not both");
    json_t *want = sim_form_list(in, "LaunchTemplateVersion");
    json_t *res = json_array();
    size_t i;
    json_t *v;
    if (!id && !name) {
        /* every template's $Latest and/or $Default */
        int rc = json_array_size(want) ? 0 : -1;
        json_array_foreach(want, i, v)
        {
            const char *s = json_string_value(v);
            if (strcmp(s, "$Latest") && strcmp(s, "$Default"))
                rc = -1;
        }
        if (rc < 0) {
            json_decref(want);
            json_decref(res);
            return sim_fail(c, 400, "MissingParameter",
                            "The request must contain the parameter launchTemplateName or "
                            "launchTemplateId, or only the versions $Latest and $Default");
        }
        const char *k;
        json_t *e;
        json_object_foreach(lts, k, e)
        {
            json_t *seen = NULL;
            json_array_foreach(want, i, v)
            {
                json_t *ver = pick_version(e, json_string_value(v));
                if (ver && ver != seen)
                    json_array_append(res, ver);
                seen = ver;
            }
        }
        json_decref(want);
        return page_out(c, in, res, 1, 200, "launchTemplateVersionSet");
    }
    json_t *e = id ? json_object_get(lts, id) : entry_by_name(lts, name);
    if (!e) {
        json_decref(want);
        json_decref(res);
        if (id)
            return sim_fail(c, 400, "InvalidLaunchTemplateId.NotFound",
                            "The specified launch template, with template ID %.64s, does not "
                            "exist.",
                            id);
        return sim_fail(c, 400, "InvalidLaunchTemplateName.NotFoundException",
                        "The specified launch template, with template name %.128s, does not "
                        "exist.",
                        name);
    }
    if (json_array_size(want) == 0) {
        json_array_foreach(json_object_get(e, "versions"), i, v) if (in_range(v, in))
            json_array_append(res, v);
    }
    json_array_foreach(want, i, v)
    {
        json_t *ver = pick_version(e, json_string_value(v));
        if (!ver) {
            sim_fail(
                c, 400, "InvalidLaunchTemplateId.VersionNotFound",
                "Could not find launch template version %.32s for launch template ID "
                "%.64s.",
                json_string_value(v),
                json_string_value(json_object_get(json_object_get(e, "lt"), "launchTemplateId")));
            json_decref(want);
            json_decref(res);
            return -1;
        }
        size_t j;
        json_t *x;
        bool dup = false;
        json_array_foreach(res, j, x) dup = dup || x == ver;
        if (!dup)
            json_array_append(res, ver);
    }
    json_decref(want);
    return page_out(c, in, res, 1, 200, "launchTemplateVersionSet");
}

static int describe_lts(struct sim_call *c, json_t *in)
{
    json_t *ec2 = ensure_templates(c), *res;
    if (!ec2)
        return sim_fail(c, 500, "InternalError", "out of memory");
    json_t *src = json_array();
    json_t *names = sim_form_list(in, "LaunchTemplateName");
    const char *k;
    json_t *e;
    json_object_foreach(json_object_get(ec2, "launch_templates"), k, e)
    {
        json_t *lt = json_object_get(e, "lt");
        const char *n = json_string_value(json_object_get(lt, "launchTemplateName"));
        bool hit = json_array_size(names) == 0;
        size_t i;
        json_t *x;
        json_array_foreach(names, i, x) hit = hit || !strcmp(json_string_value(x), n);
        if (hit)
            json_array_append(src, lt);
    }
    size_t nnames = json_array_size(names);
    json_decref(names);
    if (nnames && json_array_size(src) < nnames) {
        json_decref(src);
        return sim_fail(c, 400, "InvalidLaunchTemplateName.NotFoundException",
                        "At least one of the launch templates specified in the request does not "
                        "exist.");
    }
    int rc = sim_ec2_describe(c, in, src, "LaunchTemplateId", "launchTemplateId",
                              "InvalidLaunchTemplateId.NotFound", &res);
    json_decref(src);
    if (rc < 0)
        return -1;
    return page_out(c, in, res, 1, 200, "launchTemplates");
}

/* The built-in offered list: common current families and sizes. */
static json_t *builtin_types(void)
{
    static const char *const fam[] = {"t3",  "t3a", "m5",  "m5a", "m6i", "m6a",  "m7i",
                                      "c5",  "c5a", "c6i", "c7i", "r5",  "r5a",  "r6i",
                                      "r7i", "m6g", "c6g", "r6g", "i3",  "x2idn"};
    static const char *const sz[] = {"large",   "xlarge",   "2xlarge",  "4xlarge",
                                     "8xlarge", "12xlarge", "16xlarge", "24xlarge"};
    static const char *const small[] = {"t2.micro",  "t2.small",  "t2.medium", "t3.nano",
                                        "t3.micro",  "t3.small",  "t3.medium", "t3a.micro",
                                        "t3a.small", "t3a.medium"};
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
        json_array_append_new(a, json_string(small[i]));
    for (size_t f = 0; f < sizeof fam / sizeof fam[0]; f++)
        for (size_t s = 0; s < sizeof sz / sizeof sz[0]; s++) {
            char t[32];
            if (fam[f][0] == 't' && s > 2)
                break; /* t3 stops at 2xlarge */
            snprintf(t, sizeof t, "%s.%s", fam[f], sz[s]);
            json_array_append_new(a, json_string(t));
        }
    return a;
}

static int describe_offerings(struct sim_call *c, json_t *in)
{
    const char *lt = json_string_value(json_object_get(in, "LocationType"));
    if (!lt)
        lt = "region";
    if (strcmp(lt, "region") && strcmp(lt, "availability-zone") &&
        strcmp(lt, "availability-zone-id"))
        return sim_fail(c, 400, "InvalidParameterValue",
                        "Value (%.32s) for parameter locationType is invalid", lt);
    json_t *conf = json_object_get(c->w->estate, "instance_types");
    json_t *types = json_object_get(conf, c->region);
    if (!types)
        types = json_object_get(conf, "default");
    json_t *own = types ? NULL : builtin_types();
    json_t *src = json_array(), *res;
    int nloc = strcmp(lt, "region") ? 3 : 1;
    for (int z = 0; z < nloc; z++) {
        char loc[80];
        if (!strcmp(lt, "region"))
            snprintf(loc, sizeof loc, "%s", c->region);
        else if (!strcmp(lt, "availability-zone"))
            snprintf(loc, sizeof loc, "%s%c", c->region, 'a' + z);
        else
            snprintf(loc, sizeof loc, "%.3s-az%d", c->region, z + 1);
        size_t i;
        json_t *t;
        json_array_foreach(types ? types : own, i, t)
            json_array_append_new(src, json_pack("{s:O, s:s, s:s}", "instanceType", t,
                                                 "locationType", lt, "location", loc));
    }
    json_decref(own);
    int rc = sim_ec2_describe(c, in, src, "-", "instanceType", "InvalidInstanceType", &res);
    json_decref(src);
    if (rc < 0)
        return -1;
    return page_out(c, in, res, 5, 1000, "instanceTypeOfferingSet");
}

/* The interface of an EC2 instance (none once terminated). */
static json_t *instance_eni(struct sim_call *c, const json_t *inst)
{
    const char *state = sim_json_path_str(inst, "instanceState", "name");
    const char *ip = json_string_value(json_object_get(inst, "privateIpAddress"));
    const char *iid = json_string_value(json_object_get(inst, "instanceId"));
    if (!ip || !iid || (state && !strcmp(state, "terminated")))
        return NULL;
    char eni[40], att[48];
    snprintf(eni, sizeof eni, "eni-%.17s", strlen(iid) > 2 ? iid + 2 : iid);
    snprintf(att, sizeof att, "eni-attach-%.17s", strlen(iid) > 2 ? iid + 2 : iid);
    json_t *e = json_pack(
        "{s:s, s:s, s:s, s:s, s:[{s:s, s:b}], s:s, s:s, s:b, s:b, s:s, s:{s:s, s:s, s:s, s:i, "
        "s:s, s:b}, s:[], s:[]}",
        "networkInterfaceId", eni, "ownerId", c->account_id, "privateIpAddress", ip,
        "interfaceType", "interface", "privateIpAddressesSet", "privateIpAddress", ip, "primary", 1,
        "status", "in-use", "description", "", "sourceDestCheck", 1, "requesterManaged", 0,
        "availabilityZone",
        sim_json_path_str(inst, "placement", "availabilityZone")
            ? sim_json_path_str(inst, "placement", "availabilityZone")
            : "",
        "attachment", "attachmentId", att, "instanceId", iid, "instanceOwnerId", c->account_id,
        "deviceIndex", 0, "status", "attached", "deleteOnTermination", 1, "groupSet", "tagSet");
    const char *sn = json_string_value(json_object_get(inst, "subnetId"));
    const char *vpc = json_string_value(json_object_get(inst, "vpcId"));
    if (sn)
        json_object_set_new(e, "subnetId", json_string(sn));
    if (vpc)
        json_object_set_new(e, "vpcId", json_string(vpc));
    return e;
}

static int describe_enis(struct sim_call *c, json_t *in)
{
    json_t *ec2 = sim_ec2_of(c), *res;
    if (!ec2)
        return sim_fail(c, 500, "InternalError", "out of memory");
    json_t *src = json_array();
    json_array_extend(src, member(ec2, "enis", true));
    const char *k;
    json_t *inst;
    json_object_foreach(json_object_get(ec2, "instances"), k, inst)
    {
        json_t *e = instance_eni(c, inst);
        if (e)
            json_array_append_new(src, e);
    }
    int rc = sim_ec2_describe(c, in, src, "NetworkInterfaceId", "networkInterfaceId",
                              "InvalidNetworkInterfaceID.NotFound", &res);
    json_decref(src);
    if (rc < 0)
        return -1;
    return page_out(c, in, res, 5, 1000, "networkInterfaceSet");
}

void sim_ec2_enis_build(struct sim_world *w, const char *acct, const json_t *a)
{
    size_t i, j;
    json_t *v, *x;
    json_array_foreach(json_object_get(a, "vpcs"), i, v)
    {
        const char *region = json_string_value(json_object_get(v, "region"));
        json_t *ar = json_array_size(json_object_get(v, "network_interfaces"))
                         ? sim_ar(w, acct, region)
                         : NULL;
        if (!ar)
            continue;
        json_t *enis = member(json_object_get(ar, "ec2"), "enis", true);
        json_array_foreach(json_object_get(v, "network_interfaces"), j, x)
        {
            const char *sn = json_string_value(json_object_get(x, "subnet"));
            const char *ip = json_string_value(json_object_get(x, "private_ip"));
            const json_t *sub = find_by(json_object_get(v, "subnets"), "id", sn);
            const char *az = json_string_value(json_object_get(sub, "az"));
            json_array_append_new(
                enis,
                json_pack("{s:O, s:s, s:O, s:s, s:s, s:s, s:s, s:[{s:s, s:b}], s:s, s:O, s:b, "
                          "s:b, s:[], s:[]}",
                          "networkInterfaceId", json_object_get(x, "id"), "ownerId", acct, "vpcId",
                          json_object_get(v, "id"), "subnetId", sn, "availabilityZone",
                          az ? az : "", "privateIpAddress", ip, "interfaceType", "interface",
                          "privateIpAddressesSet", "privateIpAddress", ip, "primary", 1, "status",
                          "available", "description", json_object_get(x, "description"),
                          "sourceDestCheck", 1, "requesterManaged", 0, "groupSet", "tagSet"));
        }
    }
}

const struct sim_op sim_ec2_launch_ops[] = {
    {"DescribeLaunchTemplateVersions", describe_lt_versions},
    {"DescribeLaunchTemplates", describe_lts},
    {"DescribeInstanceTypeOfferings", describe_offerings},
    {"DescribeNetworkInterfaces", describe_enis},
    {NULL, NULL},
};
