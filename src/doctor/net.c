/*
 * net.c - the network checks of each replication template: its security
 * groups exist (NET-006), allow TCP 1500 in from the source CIDRs
 * (NET-001) and 443 out (NET-002); the staging subnet's route table routes
 * every source VPC CIDR through a peering or transit gateway (NET-003)
 * whose peering is active (NET-005), and no source CIDR overlaps the
 * staging VPC (NET-004). Source CIDRs are the VPCs of the servers' origin
 * account-regions (read with DescribeVpcs when not already read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ipv4.h"
#include "core/jsonutil.h"
#include "doctor/internal.h"

static void origin_key(char *out, size_t n, const char *acct, const char *region)
{
    snprintf(out, n, "%s|%s", acct, region);
}

/* The VPC list of an account-region: read in round 1 or by collect. */
static const json_t *vpcs_of(struct dctx *d, const char *acct, const char *region)
{
    struct dar *r = dctx_ar(d, acct, region);
    if (r && json_object_get(r->data, "vpcs"))
        return json_object_get(r->data, "vpcs");
    char k[96];
    origin_key(k, sizeof k, acct, region);
    return json_object_get(json_object_get(json_object_get(d->vpcs, k), "data"), "vpcs");
}

void dcheck_net_collect(struct dctx *d)
{
    for (size_t i = 0; i < d->nars; i++) {
        size_t j;
        json_t *s;
        json_array_foreach(dar_servers(&d->ars[i]), j, s)
        {
            const json_t *cp = json_object_get(s, "sourceCloudProperties");
            const char *oa = json_str_borrow(cp, "originAccountID");
            const char *orr = json_str_borrow(cp, "originRegion");
            char k[96];
            if (!oa || !orr || !*oa || !*orr)
                continue;
            struct dar *r = dctx_ar(d, oa, orr);
            origin_key(k, sizeof k, oa, orr);
            if ((r && r->acct->assumed) || json_object_get(d->vpcs, k))
                continue;
            struct dacct *a = dctx_account(d, oa);
            json_t *slot = json_pack("{s:{}, s:{}}", "data", "errors");
            json_object_set_new(d->vpcs, k, slot);
            if (a && a->assumed)
                dfetch_all(d, a, orr, "ec2", "DescribeVpcs", NULL, "Vpcs",
                           json_object_get(slot, "data"), json_object_get(slot, "errors"), "vpcs");
        }
    }
}

struct src {
    char cidr[64];
    char vpc[64];
    char where[96];
};

/* Distinct source VPCs of the servers of r (not the staging VPC itself). */
static size_t sources(struct dctx *d, struct dar *r, const char *staging_vpc, struct src *out,
                      size_t max)
{
    size_t n = 0, i;
    json_t *s;
    json_t *seen = json_object();
    json_array_foreach(dar_servers(r), i, s)
    {
        const json_t *cp = json_object_get(s, "sourceCloudProperties");
        const char *oa = json_str_borrow(cp, "originAccountID");
        const char *orr = json_str_borrow(cp, "originRegion");
        char k[96];
        if (!oa || !orr || !*oa || !*orr)
            continue;
        origin_key(k, sizeof k, oa, orr);
        if (json_object_get(seen, k))
            continue;
        json_object_set_new(seen, k, json_true());
        size_t j;
        json_t *v;
        json_array_foreach((json_t *)vpcs_of(d, oa, orr), j, v)
        {
            const char *id = json_str_borrow(v, "VpcId");
            if (n >= max || (id && staging_vpc && !strcmp(id, staging_vpc)))
                continue;
            snprintf(out[n].cidr, sizeof out[n].cidr, "%s", json_str_borrow(v, "CidrBlock"));
            snprintf(out[n].vpc, sizeof out[n].vpc, "%s", id ? id : "");
            snprintf(out[n].where, sizeof out[n].where, "%s/%s", oa, orr);
            n++;
        }
    }
    json_decref(seen);
    return n;
}

static bool port_in(const json_t *perm, int port, bool *any_proto)
{
    const char *proto = json_str_borrow(perm, "IpProtocol");
    *any_proto = proto && !strcmp(proto, "-1");
    if (*any_proto)
        return true;
    if (!proto || (strcmp(proto, "tcp") && strcmp(proto, "6")))
        return false;
    int64_t from = json_int_or(perm, "FromPort", -1), to = json_int_or(perm, "ToPort", -1);
    return from <= port && port <= to;
}

/* Does some rule of the groups allow TCP port from (or to) cidr (NULL: any)? */
static bool allows(const json_t *const *sgs, size_t nsg, const char *dir, int port,
                   const char *cidr)
{
    struct ipv4_cidr want;
    bool has_want = cidr && ipv4_cidr_parse(cidr, &want);
    for (size_t g = 0; g < nsg; g++) {
        size_t i, j;
        json_t *p, *rng;
        json_array_foreach(json_object_get(sgs[g], dir), i, p)
        {
            bool anyp;
            if (!port_in(p, port, &anyp))
                continue;
            if (!has_want && (json_array_size(json_object_get(p, "IpRanges")) ||
                              json_array_size(json_object_get(p, "UserIdGroupPairs"))))
                return true;
            json_array_foreach(json_object_get(p, "IpRanges"), j, rng)
            {
                struct ipv4_cidr c;
                if (has_want && ipv4_cidr_parse(json_str_borrow(rng, "CidrIp"), &c) &&
                    ipv4_cidr_contains(c, want))
                    return true;
            }
        }
    }
    return false;
}

static void rules_text(const json_t *const *sgs, size_t nsg, const char *dir, struct buf *b)
{
    int rc = 0, n = 0;
    for (size_t g = 0; g < nsg; g++) {
        size_t i, j;
        json_t *p, *rng;
        json_array_foreach(json_object_get(sgs[g], dir), i, p)
        {
            const char *proto = json_str_borrow(p, "IpProtocol");
            json_array_foreach(json_object_get(p, "IpRanges"), j, rng)
            {
                if (!strcmp(proto, "-1"))
                    rc |= buf_addf(b, "%sall from %s", n++ ? ", " : "",
                                   json_str_borrow(rng, "CidrIp"));
                else
                    rc |= buf_addf(b, "%s%s %lld-%lld %s", n++ ? ", " : "", proto,
                                   (long long)json_int_or(p, "FromPort", -1),
                                   (long long)json_int_or(p, "ToPort", -1),
                                   json_str_borrow(rng, "CidrIp"));
            }
        }
    }
    if (!n)
        rc |= buf_adds(b, "none");
    (void)rc;
}

/* The route table of a subnet: its association, else the VPC's main table. */
static const json_t *route_table(const json_t *rtbs, const char *subnet, const char *vpc)
{
    size_t i, j;
    json_t *t, *a;
    const json_t *main = NULL;
    json_array_foreach((json_t *)rtbs, i, t)
    {
        json_array_foreach(json_object_get(t, "Associations"), j, a)
        {
            const char *sn = json_str_borrow(a, "SubnetId");
            if (sn && !strcmp(sn, subnet))
                return t;
            if (json_is_true(json_object_get(a, "Main")) && vpc &&
                !strcmp(json_str_borrow(t, "VpcId"), vpc))
                main = t;
        }
    }
    return main;
}

static void check_routes(struct dctx *d, struct dar *r, const char *tid, const json_t *subnet,
                         const struct src *src, size_t nsrc)
{
    const char *acct = r->acct->a->account_id;
    const char *sn = json_str_borrow(subnet, "SubnetId");
    const char *vpc_id = json_str_borrow(subnet, "VpcId");
    const json_t *vpc = dfind_by(json_object_get(r->data, "vpcs"), "VpcId", vpc_id);
    const json_t *rt = route_table(json_object_get(r->data, "rtbs"), sn, vpc_id);
    struct ipv4_cidr staging;
    bool have_staging = ipv4_cidr_parse(json_str_borrow(vpc, "CidrBlock"), &staging);
    for (size_t i = 0; i < nsrc; i++) {
        struct ipv4_cidr sc;
        char ev[700];
        if (!ipv4_cidr_parse(src[i].cidr, &sc))
            continue;
        if (have_staging && ipv4_cidr_overlap(sc, staging)) {
            snprintf(ev, sizeof ev,
                     "source VPC %s (%s, %s) and staging VPC %s (%s): expected disjoint CIDRs, "
                     "actual overlapping",
                     src[i].vpc, src[i].where, src[i].cidr, vpc_id,
                     json_str_borrow(vpc, "CidrBlock"));
            dfind(d, "NET-004", acct, r->region, vpc_id, ev,
                  "Re-address one of the VPCs (or use a staging VPC with a disjoint CIDR): peering "
                  "and transit-gateway routes cannot carry overlapping CIDRs.",
                  "the staging VPC %s overlaps the source VPC %s, so they cannot be peered", vpc_id,
                  src[i].vpc);
            continue;
        }
        const json_t *hit = NULL;
        size_t j;
        json_t *rte;
        json_array_foreach(json_object_get(rt, "Routes"), j, rte)
        {
            struct ipv4_cidr dc;
            const char *pcx = json_str_borrow(rte, "VpcPeeringConnectionId");
            const char *tgw = json_str_borrow(rte, "TransitGatewayId");
            if ((pcx || tgw) &&
                ipv4_cidr_parse(json_str_borrow(rte, "DestinationCidrBlock"), &dc) &&
                ipv4_cidr_contains(dc, sc)) {
                hit = rte;
                break;
            }
        }
        if (!hit) {
            snprintf(ev, sizeof ev,
                     "route table %s of staging subnet %s: expected a route to %s (source VPC %s "
                     "in %s) via pcx- or tgw-, actual: none",
                     rt ? json_str_borrow(rt, "RouteTableId") : "(none)", sn, src[i].cidr,
                     src[i].vpc, src[i].where);
            char fix[300];
            snprintf(fix, sizeof fix,
                     "aws ec2 create-route --route-table-id %s --destination-cidr-block %s "
                     "--vpc-peering-connection-id pcx-... (or --transit-gateway-id tgw-...)",
                     rt ? json_str_borrow(rt, "RouteTableId") : "rtb-...", src[i].cidr);
            dfind(d, "NET-003", acct, r->region, sn, ev, fix,
                  "the staging subnet %s of template %s has no route to the source network %s", sn,
                  tid, src[i].cidr);
            continue;
        }
        const char *pcx = json_str_borrow(hit, "VpcPeeringConnectionId");
        if (pcx) {
            const json_t *pc =
                dfind_by(json_object_get(r->data, "peerings"), "VpcPeeringConnectionId", pcx);
            const char *code = json_str_borrow(json_object_get(pc, "Status"), "Code");
            if (!code || strcmp(code, "active") != 0) {
                snprintf(ev, sizeof ev, "peering %s: Status expected 'active', actual '%s'", pcx,
                         code ? code : "not found");
                dfind(d, "NET-005", acct, r->region, pcx, ev,
                      "aws ec2 accept-vpc-peering-connection --vpc-peering-connection-id PCX (in "
                      "the accepter account)",
                      "the route to %s uses peering %s, which is not active", src[i].cidr, pcx);
            }
        }
    }
}

#define MAX_SG  16
#define MAX_SRC 32

static void check_template(struct dctx *d, struct dar *r, const json_t *t)
{
    const char *acct = r->acct->a->account_id;
    const char *tid = json_str_borrow(t, "replicationConfigurationTemplateID");
    const json_t *sgs[MAX_SG];
    size_t nsg = 0, i;
    json_t *g;
    json_array_foreach(json_object_get(t, "replicationServersSecurityGroupsIDs"), i, g)
    {
        const json_t *sg =
            dfind_by(json_object_get(r->data, "sgs"), "GroupId", json_string_value(g));
        if (!sg) {
            char ev[300];
            snprintf(ev, sizeof ev, "template %s: security group '%s' is not in %s/%s", tid,
                     json_string_value(g), acct, r->region);
            dfind(d, "NET-006", acct, r->region, json_string_value(g), ev,
                  "Point replicationServersSecurityGroupsIDs at existing groups.",
                  "the replication security group %s of template %s does not exist",
                  json_string_value(g), tid);
        } else if (nsg < MAX_SG) {
            sgs[nsg++] = sg;
        }
    }
    const json_t *subnet = dfind_by(json_object_get(r->data, "subnets"), "SubnetId",
                                    json_str_borrow(t, "stagingAreaSubnetId"));
    struct src src[MAX_SRC];
    size_t nsrc = sources(d, r, subnet ? json_str_borrow(subnet, "VpcId") : NULL, src, MAX_SRC);
    if (nsg) {
        char missing[600] = "";
        if (nsrc == 0 && !allows(sgs, nsg, "IpPermissions", 1500, NULL))
            snprintf(missing, sizeof missing, "any source");
        for (size_t k = 0; k < nsrc; k++) {
            size_t l = strlen(missing);
            if (l + sizeof src[k].cidr + 2 < sizeof missing &&
                !allows(sgs, nsg, "IpPermissions", 1500, src[k].cidr)) {
                if (l)
                    memcpy(missing + l, ", ", 3), l += 2;
                memcpy(missing + l, src[k].cidr, strlen(src[k].cidr) + 1);
            }
        }
        if (missing[0]) {
            struct buf ev;
            buf_init(&ev, 4096);
            int rc = buf_addf(&ev,
                              "security group %s ingress: expected tcp 1500 from %s, "
                              "actual: ",
                              json_str_borrow(sgs[0], "GroupId"), missing);
            rules_text(sgs, nsg, "IpPermissions", &ev);
            (void)rc;
            char fix[300];
            snprintf(fix, sizeof fix,
                     "aws ec2 authorize-security-group-ingress --group-id %s --protocol tcp "
                     "--port 1500 --cidr %s",
                     json_str_borrow(sgs[0], "GroupId"), nsrc ? src[0].cidr : "SOURCE_CIDR");
            dfind(d, "NET-001", acct, r->region, json_str_borrow(sgs[0], "GroupId"), ev.p, fix,
                  "the replication security group does not allow TCP 1500 from %s: source "
                  "servers cannot replicate",
                  missing);
            buf_cleanup(&ev);
        }
        if (!allows(sgs, nsg, "IpPermissionsEgress", 443, NULL)) {
            struct buf ev;
            buf_init(&ev, 4096);
            int rc = buf_addf(&ev, "security group %s egress: expected tcp 443 out, actual: ",
                              json_str_borrow(sgs[0], "GroupId"));
            rules_text(sgs, nsg, "IpPermissionsEgress", &ev);
            (void)rc;
            dfind(d, "NET-002", acct, r->region, json_str_borrow(sgs[0], "GroupId"), ev.p,
                  "aws ec2 authorize-security-group-egress --group-id SG --protocol tcp --port "
                  "443 --cidr 0.0.0.0/0",
                  "the replication servers cannot reach DRS and S3 over HTTPS (443 egress)");
            buf_cleanup(&ev);
        }
    }
    const char *routing = json_str_borrow(t, "dataPlaneRouting");
    if (subnet && nsrc && !(routing && !strcmp(routing, "PUBLIC_IP")))
        check_routes(d, r, tid, subnet, src, nsrc);
}

void dcheck_net(struct dctx *d)
{
    for (size_t i = 0; i < d->nars; i++) {
        struct dar *r = &d->ars[i];
        const char *acct = r->acct->a->account_id;
        if (!r->acct->assumed || json_array_size(dar_templates(r)) == 0)
            continue;
        static const char *const ops[] = {"subnets", "sgs", "rtbs", "vpcs", "peerings"};
        bool failed = false;
        for (size_t k = 0; k < 5 && !failed; k++)
            failed =
                dread_failed(d, "NET-000", acct, r->region, r->errors, ops[k], "EC2 networking");
        if (failed)
            continue;
        size_t j;
        json_t *t;
        json_array_foreach(dar_templates(r), j, t) check_template(d, r, t);
    }
}
