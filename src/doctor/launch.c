/*
 * launch.c - launch readiness of every server of `doctor --plan NAME`:
 * the DRS launch configuration (GetLaunchConfiguration) names an EC2
 * launch template whose $Default version exists (LAUNCH-003); its
 * network interface's subnet exists in the recovery account-region
 * (LAUNCH-004); its security groups exist there, in the subnet's VPC
 * (LAUNCH-005); its instance type is offered in the region
 * (DescribeInstanceTypeOfferings, LAUNCH-006); and its static private IP
 * (the template's PrivateIpAddress, else the source server's IP when
 * copyPrivateIp is on, from the plan's launch overrides or the launch
 * configuration) is inside the subnet's CIDR (LAUNCH-007), not one of the
 * five addresses AWS reserves (LAUNCH-008), and not taken by another
 * network interface or another server of the plan (LAUNCH-009). Failed
 * reads are LAUNCH-000. Without --plan nothing here runs (see
 * docs/doctor.md). The reads run on the client's loop in three rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ipv4.h"
#include "core/jsonutil.h"
#include "doctor/internal.h"

#define ENI_FILTER_MAX 200 /* values per EC2 filter */

static struct dar *ar_of_key(struct dctx *d, const char *key)
{
    for (size_t i = 0; i < d->nars; i++) {
        char k[96];
        snprintf(k, sizeof k, "%s|%s", d->ars[i].acct->a->account_id, d->ars[i].region);
        if (!strcmp(k, key))
            return &d->ars[i];
    }
    return NULL;
}

void dcheck_launch_collect(struct dctx *d)
{
    if (!d->o->plan)
        return;
    size_t i, j;
    json_t *w, *g;
    json_array_foreach(json_object_get(d->o->plan, "waves"), i, w)
    {
        json_array_foreach(json_object_get(w, "groups"), j, g)
        {
            const char *gname = json_string_value(g);
            json_t *set = gname ? dplan_group(d, gname) : NULL;
            const char *k;
            json_t *ids;
            json_object_foreach(set, k, ids)
            {
                struct dar *r = ar_of_key(d, k);
                if (!r || !r->acct->assumed || json_object_get(r->errors, "servers"))
                    continue;
                json_t *slot = json_object_get(d->launch, k);
                if (!slot) {
                    slot = json_pack("{s:{}, s:{}, s:{}}", "servers", "data", "errors");
                    json_object_set_new(d->launch, k, slot);
                }
                json_t *servers = json_object_get(slot, "servers");
                const char *sid;
                json_t *v;
                json_object_foreach(ids, sid, v)
                {
                    if (json_object_get(servers, sid) ||
                        !dfind_by(dar_servers(r), "sourceServerID", sid))
                        continue; /* not in DRS: LAUNCH-001 */
                    json_object_set_new(servers, sid, json_pack("{s:s}", "group", gname));
                    char name[96];
                    snprintf(name, sizeof name, "lc|%s", sid);
                    dfetch(d, r->acct, r->region, "drs", "GetLaunchConfiguration",
                           json_pack("{s:s}", "sourceServerID", sid), json_object_get(slot, "data"),
                           json_object_get(slot, "errors"), name);
                }
            }
        }
    }
}

static const json_t *lconf(const json_t *slot, const char *sid)
{
    char name[96];
    snprintf(name, sizeof name, "lc|%s", sid);
    return json_object_get(json_object_get(slot, "data"), name);
}

static const char *lt_of(const json_t *slot, const char *sid)
{
    return json_str_borrow(lconf(slot, sid), "ec2LaunchTemplateID");
}

static const json_t *lt_read(const json_t *slot, const char *lt, bool err)
{
    char name[96];
    snprintf(name, sizeof name, "lt|%s", lt ? lt : "");
    return json_object_get(json_object_get(slot, err ? "errors" : "data"), name);
}

void dcheck_launch_templates(struct dctx *d)
{
    const char *k;
    json_t *slot;
    json_object_foreach(d->launch, k, slot)
    {
        struct dar *r = ar_of_key(d, k);
        const char *sid;
        json_t *v;
        json_t *asked = json_object();
        json_object_foreach(json_object_get(slot, "servers"), sid, v)
        {
            const char *lt = lt_of(slot, sid);
            if (!r || !lt || json_object_get(asked, lt))
                continue;
            json_object_set_new(asked, lt, json_true());
            char name[96];
            snprintf(name, sizeof name, "lt|%s", lt);
            dfetch(d, r->acct, r->region, "ec2", "DescribeLaunchTemplateVersions",
                   json_pack("{s:s, s:[s]}", "LaunchTemplateId", lt, "Versions", "$Default"),
                   json_object_get(slot, "data"), json_object_get(slot, "errors"), name);
        }
        json_decref(asked);
    }
}

/* The $Default version of the server's template (NULL when not read). */
static const json_t *lt_version(const json_t *slot, const char *sid)
{
    const json_t *out = lt_read(slot, lt_of(slot, sid), false);
    return json_array_get(json_object_get(out, "LaunchTemplateVersions"), 0);
}

/* The template's first network interface (device index 0 when there). */
static const json_t *lt_nic(const json_t *data)
{
    const json_t *nics = json_object_get(data, "NetworkInterfaces");
    size_t i;
    json_t *n;
    json_array_foreach((json_t *)nics, i, n) if (json_int_or(n, "DeviceIndex", 0) == 0) return n;
    return json_array_get(nics, 0);
}

/* The static private IP the launch will use, and where it comes from. */
static const char *static_ip(struct dctx *d, const struct dar *r, const json_t *slot,
                             const char *sid, const json_t *data, const char **from)
{
    const json_t *nic = lt_nic(data);
    const char *ip = json_str_borrow(nic, "PrivateIpAddress");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(nic, "PrivateIpAddresses"), i, x)
    {
        if (!ip || json_is_true(json_object_get(x, "Primary")))
            ip = json_str_borrow(x, "PrivateIpAddress");
    }
    if (ip) {
        *from = "the launch template's PrivateIpAddress";
        return ip;
    }
    const char *gname =
        json_str_borrow(json_object_get(json_object_get(slot, "servers"), sid), "group");
    const json_t *launch = json_object_get(json_object_get(d->o->groups, gname), "launch");
    const json_t *copy =
        json_object_get(json_object_get(json_object_get(launch, "servers"), sid), "copyPrivateIp");
    *from = "copyPrivateIp (the plan's launch settings): the source server's IP";
    if (!copy)
        copy = json_object_get(launch, "copyPrivateIp");
    if (!copy) {
        copy = json_object_get(lconf(slot, sid), "copyPrivateIp");
        *from = "copyPrivateIp (the DRS launch configuration): the source server's IP";
    }
    if (!json_is_true(copy))
        return NULL;
    const json_t *srv = dfind_by(dar_servers(r), "sourceServerID", sid);
    json_array_foreach(
        json_object_get(json_object_get(srv, "sourceProperties"), "networkInterfaces"), i, x)
    {
        const char *sip = json_string_value(json_array_get(json_object_get(x, "ips"), 0));
        if (sip && (!ip || json_is_true(json_object_get(x, "isPrimary"))))
            ip = sip;
    }
    return ip;
}

void dcheck_launch_offerings(struct dctx *d)
{
    const char *k;
    json_t *slot;
    json_object_foreach(d->launch, k, slot)
    {
        struct dar *r = ar_of_key(d, k);
        json_t *types = json_object(), *ips = json_object();
        const char *sid;
        json_t *v;
        json_object_foreach(json_object_get(slot, "servers"), sid, v)
        {
            const json_t *data = json_object_get(lt_version(slot, sid), "LaunchTemplateData");
            const char *t = json_str_borrow(data, "InstanceType"), *from;
            if (t)
                json_object_set_new(types, t, json_true());
            const char *ip = data && r ? static_ip(d, r, slot, sid, data, &from) : NULL;
            if (ip)
                json_object_set_new(ips, ip, json_true());
        }
        json_t *tv = json_array();
        json_object_foreach(types, sid, v) json_array_append_new(tv, json_string(sid));
        if (r && json_array_size(tv))
            dfetch_all(d, r->acct, r->region, "ec2", "DescribeInstanceTypeOfferings",
                       json_pack("{s:s, s:[{s:s, s:O}]}", "LocationType", "region", "Filters",
                                 "Name", "instance-type", "Values", tv),
                       "InstanceTypeOfferings", json_object_get(slot, "data"),
                       json_object_get(slot, "errors"), "offers");
        json_decref(tv);
        json_t *chunk = json_array();
        size_t n = 0, total = json_object_size(ips);
        const char *ip;
        json_object_foreach(ips, ip, v)
        {
            json_array_append_new(chunk, json_string(ip));
            n++;
            if (r && (json_array_size(chunk) == ENI_FILTER_MAX || n == total)) {
                char name[32];
                snprintf(name, sizeof name, "enis|%zu", n);
                dfetch_all(d, r->acct, r->region, "ec2", "DescribeNetworkInterfaces",
                           json_pack("{s:[{s:s, s:O}]}", "Filters", "Name",
                                     "addresses.private-ip-address", "Values", chunk),
                           "NetworkInterfaces", json_object_get(slot, "data"),
                           json_object_get(slot, "errors"), name);
                json_array_clear(chunk);
            }
        }
        json_decref(chunk);
        json_decref(types);
        json_decref(ips);
    }
}

/* ---- the checks ---- */

struct lctx {
    struct dctx *d;
    struct dar *r;
    const char *acct, *region;
    const json_t *slot;
    json_t *claimed; /* "subnet|ip" -> server id */
};

static bool lt_missing(const json_t *e)
{
    const char *code = json_str_borrow(e, "code");
    return code && !strncmp(code, "InvalidLaunchTemplateId.", 24) &&
           (strstr(code, "NotFound") || strstr(code, "Malformed"));
}

/* One LAUNCH-000 per account-region and read that failed (the first error). */
static void read_failures(struct lctx *x)
{
    static const struct {
        const char *prefix, *op, *what;
    } reads[] = {
        {"lc|", "GetLaunchConfiguration", "the DRS launch configurations"},
        {"lt|", "DescribeLaunchTemplateVersions", "the EC2 launch templates"},
        {"offers", "DescribeInstanceTypeOfferings", "the EC2 instance type offerings"},
        {"enis|", "DescribeNetworkInterfaces", "the EC2 network interfaces"},
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        const char *k;
        json_t *e;
        json_object_foreach(json_object_get(x->slot, "errors"), k, e)
        {
            const char *code = json_str_borrow(e, "code");
            if (strncmp(k, reads[i].prefix, strlen(reads[i].prefix)) ||
                (i == 0 && code && !strcmp(code, "ResourceNotFoundException")) ||
                (i == 1 && lt_missing(e)))
                continue;
            json_t *one = json_pack("{s:O}", reads[i].op, e);
            dread_failed(x->d, "LAUNCH-000", x->acct, x->region, one, reads[i].op, reads[i].what);
            json_decref(one);
            break;
        }
    }
}

/* `aws ec2 create-launch-template-version` with one network interface,
 * then making it the default version. */
static void nic_fix(char *out, size_t n, const char *region, const char *lt, const char *subnet,
                    const char *groups, const char *ip)
{
    char ipj[64] = "";
    if (ip)
        snprintf(ipj, sizeof ipj, ",\"PrivateIpAddress\":\"%s\"", ip);
    snprintf(out, n,
             "aws ec2 create-launch-template-version --region %s --launch-template-id %s "
             "--source-version '$Default' --launch-template-data "
             "'{\"NetworkInterfaces\":[{\"DeviceIndex\":0,\"SubnetId\":\"%s\",\"Groups\":[%s]%s}]}'"
             " && aws ec2 modify-launch-template --region %s --launch-template-id %s "
             "--default-version NEW_VERSION_NUMBER",
             region, lt, subnet, groups, ipj, region, lt);
}

/* The groups as a JSON list body: "sg-1","sg-2" (skipping `skip`). */
static void groups_json(const json_t *groups, const char *const *skip, size_t nskip, char *out,
                        size_t n)
{
    size_t i, l = 0;
    json_t *g;
    out[0] = 0;
    json_array_foreach((json_t *)groups, i, g)
    {
        bool bad = false;
        for (size_t j = 0; j < nskip; j++)
            bad = bad || (skip[j] && !strcmp(skip[j], json_string_value(g)));
        if (bad || l + 40 >= n)
            continue;
        l += (size_t)snprintf(out + l, n - l, "%s\"%s\"", l ? "," : "", json_string_value(g));
    }
}

static const json_t *template_groups(const json_t *data, json_t *all)
{
    size_t i;
    json_t *g;
    json_array_extend(all, json_object_get(lt_nic(data), "Groups"));
    json_array_foreach(json_object_get(data, "SecurityGroupIds"), i, g)
    {
        bool seen = false;
        size_t j;
        json_t *h;
        json_array_foreach(all, j, h) seen = seen || json_equal(g, h);
        if (!seen)
            json_array_append(all, g);
    }
    return all;
}

static bool eni_takes(const json_t *eni, const char *ip)
{
    size_t i;
    json_t *a;
    const char *p = json_str_borrow(eni, "PrivateIpAddress");
    if (p && !strcmp(p, ip))
        return true;
    json_array_foreach(json_object_get(eni, "PrivateIpAddresses"), i, a)
    {
        const char *q = json_str_borrow(a, "PrivateIpAddress");
        if (q && !strcmp(q, ip))
            return true;
    }
    return false;
}

/* An interface holding ip, other than the server's own recovery instance's. */
static const json_t *taken_by(const struct lctx *x, const char *ip, const char *own_instance)
{
    const char *k;
    json_t *list;
    json_object_foreach(json_object_get(x->slot, "data"), k, list)
    {
        size_t i;
        json_t *eni;
        if (strncmp(k, "enis|", 5))
            continue;
        json_array_foreach(list, i, eni)
        {
            const char *iid = json_str_borrow(json_object_get(eni, "Attachment"), "InstanceId");
            if (eni_takes(eni, ip) && !(iid && own_instance && !strcmp(iid, own_instance)))
                return eni;
        }
    }
    return NULL;
}

static void check_ip(struct lctx *x, const char *sid, const char *lt, const json_t *data,
                     const json_t *subnet, const char *gj)
{
    const char *from;
    const char *ip = static_ip(x->d, x->r, x->slot, sid, data, &from);
    const char *sn = json_str_borrow(subnet, "SubnetId");
    const char *cidr_s = json_str_borrow(subnet, "CidrBlock");
    struct ipv4_cidr cidr;
    uint32_t a;
    if (!ip || !ipv4_parse(ip, &a) || !ipv4_cidr_parse(cidr_s, &cidr))
        return;
    bool copied = strncmp(from, "copyPrivateIp", 13) == 0;
    char ev[900], fix[900], tfix[700], key[128];
    nic_fix(tfix, sizeof tfix, x->region, lt, sn, gj, NULL);
    if (copied)
        snprintf(fix, sizeof fix,
                 "Turn copyPrivateIp off (aws drs update-launch-configuration --region %s "
                 "--source-server-id %s --no-copy-private-ip, and copyPrivateIp: false in the "
                 "plan's launch settings), or point the launch template at a subnet whose CIDR "
                 "holds %s",
                 x->region, sid, ip);
    else
        snprintf(fix, sizeof fix, "Drop the static IP (or set a free one inside %s): %s", cidr_s,
                 tfix);
    const char *why = NULL;
    if (!ipv4_cidr_has(cidr, a)) {
        snprintf(ev, sizeof ev,
                 "server %s, launch template %s ($Default): static IP %s from %s; subnet %s "
                 "CidrBlock %s: expected the IP inside it, actual outside",
                 sid, lt, ip, from, sn, cidr_s);
        dfind(x->d, "LAUNCH-007", x->acct, x->region, sid, ev, fix,
              "server %s would launch with IP %s, which is outside its subnet %s (%s)", sid, ip, sn,
              cidr_s);
        return;
    }
    if (ipv4_aws_reserved(cidr, a, &why)) {
        snprintf(ev, sizeof ev,
                 "server %s, launch template %s ($Default): static IP %s from %s; subnet %s "
                 "CidrBlock %s: %s is %s (AWS reserves the first four addresses and the last)",
                 sid, lt, ip, from, sn, cidr_s, ip, why);
        dfind(x->d, "LAUNCH-008", x->acct, x->region, sid, ev, fix,
              "server %s would launch with IP %s, which AWS reserves in subnet %s", sid, ip, sn);
        return;
    }
    const json_t *srv = dfind_by(dar_servers(x->r), "sourceServerID", sid);
    const json_t *eni = taken_by(x, ip, json_str_borrow(srv, "recoveryInstanceId"));
    snprintf(key, sizeof key, "%s|%s", sn, ip);
    const char *other = json_str_borrow(x->claimed, key);
    if (eni || other) {
        const json_t *att = json_object_get(eni, "Attachment");
        char by[300];
        if (eni)
            snprintf(by, sizeof by, "network interface %s (%s%s%s)",
                     json_str_borrow(eni, "NetworkInterfaceId"),
                     json_str_borrow(eni, "Status") ? json_str_borrow(eni, "Status") : "?",
                     att ? ", attached to " : "", att ? json_str_borrow(att, "InstanceId") : "");
        else
            snprintf(by, sizeof by, "server %s of the same plan, launching into the same subnet",
                     other);
        snprintf(ev, sizeof ev,
                 "server %s, launch template %s ($Default): static IP %s from %s in subnet %s; "
                 "expected a free address, actual: taken by %s",
                 sid, lt, ip, from, sn, by);
        dfind(x->d, "LAUNCH-009", x->acct, x->region, sid, ev, fix,
              "server %s would launch with IP %s, which is already taken in subnet %s", sid, ip,
              sn);
        return;
    }
    json_object_set_new(x->claimed, key, json_string(sid));
}

static void check_server(struct lctx *x, const char *sid)
{
    const char *lt = lt_of(x->slot, sid);
    if (!lt)
        return; /* GetLaunchConfiguration failed: read_failures */
    const json_t *err = lt_read(x->slot, lt, true);
    const json_t *ver = lt_version(x->slot, sid);
    char ev[900], fix[900];
    if ((err && lt_missing(err)) || (!err && !ver && lt_read(x->slot, lt, false))) {
        snprintf(ev, sizeof ev,
                 "GetLaunchConfiguration of %s: ec2LaunchTemplateID %s; "
                 "DescribeLaunchTemplateVersions %s $Default: %s",
                 sid, lt, lt, err ? json_str_borrow(err, "message") : "no version returned");
        snprintf(fix, sizeof fix,
                 "DRS launches only through this template: re-save the server's launch settings "
                 "so that DRS writes its template again (aws drs update-launch-configuration "
                 "--region %s --source-server-id %s --copy-tags), and check with aws ec2 "
                 "describe-launch-template-versions --region %s --launch-template-id %s "
                 "--versions '$Default'",
                 x->region, sid, x->region, lt);
        dfind(x->d, "LAUNCH-003", x->acct, x->region, sid, ev, fix,
              "the EC2 launch template %s of server %s does not exist", lt, sid);
        return;
    }
    if (!ver)
        return;
    const json_t *data = json_object_get(ver, "LaunchTemplateData");
    json_int_t vn = json_int_or(ver, "VersionNumber", 0);
    const json_t *nic = lt_nic(data);
    const char *sn = json_str_borrow(nic, "SubnetId");
    bool net_ok =
        !json_object_get(x->r->errors, "subnets") && !json_object_get(x->r->errors, "sgs");
    const json_t *subnets = json_object_get(x->r->data, "subnets");
    const json_t *subnet = sn ? dfind_by(subnets, "SubnetId", sn) : NULL;
    json_t *groups = json_array();
    template_groups(data, groups);
    char gj[400];
    groups_json(groups, NULL, 0, gj, sizeof gj);
    if (sn && net_ok && !subnet) {
        const char *alt = json_str_borrow(json_array_get(subnets, 0), "SubnetId");
        snprintf(ev, sizeof ev,
                 "server %s, launch template %s version %lld ($Default): NetworkInterfaces[0]."
                 "SubnetId %s; DescribeSubnets in %s/%s: expected it, actual not found (%zu "
                 "subnets there)",
                 sid, lt, (long long)vn, sn, x->acct, x->region, json_array_size(subnets));
        nic_fix(fix, sizeof fix, x->region, lt, alt ? alt : "SUBNET_ID", gj, NULL);
        dfind(x->d, "LAUNCH-004", x->acct, x->region, sid, ev, fix,
              "server %s cannot launch: its launch template %s uses subnet %s, which does not "
              "exist in %s/%s",
              sid, lt, sn, x->acct, x->region);
    }
    const char *vpc = json_str_borrow(subnet, "VpcId");
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        const char *gid = json_string_value(g);
        const json_t *sg =
            net_ok ? dfind_by(json_object_get(x->r->data, "sgs"), "GroupId", gid) : NULL;
        const char *gvpc = json_str_borrow(sg, "VpcId");
        if (!net_ok || (sg && (!vpc || !gvpc || !strcmp(gvpc, vpc))))
            continue;
        char rest[400];
        groups_json(groups, &gid, 1, rest, sizeof rest);
        if (!rest[0]) { /* suggest a group of the subnet's VPC */
            size_t j;
            json_t *o;
            snprintf(rest, sizeof rest, "\"SG_ID\"");
            json_array_foreach(json_object_get(x->r->data, "sgs"), j, o)
            {
                const char *ov = json_str_borrow(o, "VpcId");
                if (vpc && ov && !strcmp(ov, vpc)) {
                    snprintf(rest, sizeof rest, "\"%s\"", json_str_borrow(o, "GroupId"));
                    break;
                }
            }
        }
        nic_fix(fix, sizeof fix, x->region, lt, sn ? sn : "SUBNET_ID", rest, NULL);
        if (!sg) {
            snprintf(ev, sizeof ev,
                     "server %s, launch template %s version %lld ($Default): security group %s; "
                     "DescribeSecurityGroups in %s/%s: expected it, actual not found",
                     sid, lt, (long long)vn, gid, x->acct, x->region);
            dfind(x->d, "LAUNCH-005", x->acct, x->region, sid, ev, fix,
                  "server %s cannot launch: security group %s of launch template %s does not "
                  "exist in %s/%s",
                  sid, gid, lt, x->acct, x->region);
        } else {
            snprintf(ev, sizeof ev,
                     "server %s, launch template %s version %lld ($Default): security group %s "
                     "is in %s; subnet %s is in %s: expected the same VPC",
                     sid, lt, (long long)vn, gid, gvpc, sn, vpc);
            dfind(x->d, "LAUNCH-005", x->acct, x->region, sid, ev, fix,
                  "server %s cannot launch: security group %s is in another VPC (%s) than "
                  "its subnet %s (%s)",
                  sid, gid, gvpc, sn, vpc);
        }
    }
    const char *type = json_str_borrow(data, "InstanceType");
    const json_t *offers = json_object_get(json_object_get(x->slot, "data"), "offers");
    if (type && offers && !dfind_by(offers, "InstanceType", type)) {
        snprintf(ev, sizeof ev,
                 "server %s, launch template %s version %lld ($Default): InstanceType %s; "
                 "DescribeInstanceTypeOfferings (LocationType region) in %s: not offered",
                 sid, lt, (long long)vn, type, x->region);
        snprintf(fix, sizeof fix,
                 "Pick a type offered in %s (aws ec2 describe-instance-type-offerings --region %s "
                 "--location-type region), then: aws ec2 create-launch-template-version --region "
                 "%s --launch-template-id %s --source-version '$Default' --launch-template-data "
                 "'{\"InstanceType\":\"TYPE\"}' && aws ec2 modify-launch-template --region %s "
                 "--launch-template-id %s --default-version NEW_VERSION_NUMBER (with aws drs "
                 "update-launch-configuration --region %s --source-server-id %s "
                 "--target-instance-type-right-sizing-method NONE so that DRS keeps it)",
                 x->region, x->region, x->region, lt, x->region, lt, x->region, sid);
        dfind(x->d, "LAUNCH-006", x->acct, x->region, sid, ev, fix,
              "server %s cannot launch: instance type %s is not offered in %s", sid, type,
              x->region);
    }
    if (subnet)
        check_ip(x, sid, lt, data, subnet, gj);
    json_decref(groups);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void dcheck_launch(struct dctx *d)
{
    const char *k;
    json_t *slot;
    json_object_foreach(d->launch, k, slot)
    {
        struct dar *r = ar_of_key(d, k);
        if (!r)
            continue;
        struct lctx x = {d, r, r->acct->a->account_id, r->region, slot, json_object()};
        read_failures(&x);
        json_t *servers = json_object_get(slot, "servers");
        size_t n = json_object_size(servers), i = 0;
        const char **ids = calloc(n ? n : 1, sizeof *ids);
        const char *sid;
        json_t *v;
        json_object_foreach(servers, sid, v) if (ids) ids[i++] = sid;
        if (ids) {
            qsort(ids, n, sizeof *ids, cmp_str);
            for (i = 0; i < n; i++)
                check_server(&x, ids[i]);
        }
        free(ids);
        json_decref(x.claimed);
    }
}
