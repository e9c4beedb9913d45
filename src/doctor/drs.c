/*
 * drs.c - the DRS service-state checks of each account-region: DRS is
 * initialized (DRS-001), a replication configuration template exists
 * (DRS-002) whose staging subnet exists (DRS-003) with enough free IPs
 * (DRS-004: one replication server per 15 disks plus one conversion
 * server per source server), source servers replicate healthily (DRS-005)
 * within the RPO target (DRS-006; the plan's rpoTargetMinutes, else 15
 * minutes), initial syncs (DRS-007), and the per-account quotas on
 * replicating and total source servers (QUOTA-004/005).
 */
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"
#include "doctor/internal.h"
#include "store/store.h"

double dar_quota(const struct dar *r, const char *code, double dflt)
{
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(r->data, "quotas"), i, q)
    {
        const char *c = json_str_borrow(q, "QuotaCode");
        if (c && !strcmp(c, code) && json_is_number(json_object_get(q, "Value")))
            return json_number_value(json_object_get(q, "Value"));
    }
    return dflt;
}

static const char *rep_state(const json_t *s)
{
    const char *st =
        json_str_borrow(json_object_get(s, "dataReplicationInfo"), "dataReplicationState");
    return st ? st : "UNKNOWN";
}

bool dserver_replicating(const json_t *s)
{
    const char *st = rep_state(s);
    return strcmp(st, "DISCONNECTED") && strcmp(st, "STOPPED") && strcmp(st, "UNKNOWN");
}

static void check_templates(struct dctx *d, struct dar *r)
{
    const char *acct = r->acct->a->account_id;
    json_t *tpls = dar_templates(r), *servers = dar_servers(r);
    if (json_array_size(tpls) == 0) {
        dfind(d, "DRS-002", acct, r->region, "replication configuration template",
              "DescribeReplicationConfigurationTemplates returned no templates",
              "Create one: aws drs create-replication-configuration-template ... (or in the DRS "
              "console, Settings > Default replication settings).",
              "DRS has no replication configuration template, so no server can be added");
        return;
    }
    if (json_object_get(r->errors, "subnets"))
        return; /* reported by the network checks */
    long disks = 0, nserv = 0;
    size_t i;
    json_t *s;
    json_array_foreach(servers, i, s)
    {
        nserv++;
        disks +=
            (long)json_array_size(json_object_get(json_object_get(s, "sourceProperties"), "disks"));
    }
    long need = (disks + 14) / 15 + nserv;
    if (need < 1)
        need = 1;
    json_t *t;
    json_array_foreach(tpls, i, t)
    {
        const char *tid = json_str_borrow(t, "replicationConfigurationTemplateID");
        const char *sn = json_str_borrow(t, "stagingAreaSubnetId");
        const json_t *sub = dfind_by(json_object_get(r->data, "subnets"), "SubnetId", sn);
        char ev[512];
        if (!sub) {
            snprintf(ev, sizeof ev,
                     "template %s: stagingAreaSubnetId '%s' is not among the "
                     "subnets of %s/%s",
                     tid, sn ? sn : "", acct, r->region);
            dfind(d, "DRS-003", acct, r->region, tid, ev,
                  "aws drs update-replication-configuration-template "
                  "--replication-configuration-template-id TEMPLATE --staging-area-subnet-id "
                  "subnet-...",
                  "the staging subnet %s of template %s does not exist (staging area creation "
                  "will fail)",
                  sn ? sn : "(none)", tid);
            continue;
        }
        long freeips = (long)json_int_or(sub, "AvailableIpAddressCount", 0);
        if (freeips < need) {
            snprintf(ev, sizeof ev,
                     "subnet %s (%s): AvailableIpAddressCount expected >= %ld (%ld replication "
                     "servers for %ld disks + %ld conversion servers), actual %ld",
                     sn, json_str_borrow(sub, "CidrBlock"), need, (disks + 14) / 15, disks, nserv,
                     freeips);
            dfind(d, "DRS-004", acct, r->region, sn, ev,
                  "Free addresses in the subnet or point the template at a larger staging subnet "
                  "(a /24 gives 251).",
                  "the staging subnet %s has %ld free IPs, %ld are needed", sn, freeips, need);
        }
    }
}

static void check_servers(struct dctx *d, struct dar *r)
{
    const char *acct = r->acct->a->account_id;
    size_t i;
    json_t *s;
    long replicating = 0, total = 0;
    json_array_foreach(dar_servers(r), i, s)
    {
        const char *id = json_str_borrow(s, "sourceServerID");
        const json_t *dri = json_object_get(s, "dataReplicationInfo");
        const char *st = rep_state(s);
        const json_t *rerr = json_object_get(dri, "dataReplicationError");
        struct store_drs_server ps;
        struct dr_err err;
        int64_t lag = -1;
        char ev[600];
        total++;
        if (dserver_replicating(s))
            replicating++;
        if (store_drs_server_parse(s, &ps, &err) == 0)
            lag = ps.lag_seconds;
        if (!strcmp(st, "STALLED") || !strcmp(st, "DISCONNECTED") || !strcmp(st, "STOPPED") ||
            !strcmp(st, "PAUSED") || json_object_size(rerr) > 0) {
            snprintf(ev, sizeof ev,
                     "dataReplicationState expected 'CONTINUOUS', actual '%s'%s%s%s; lag %llds", st,
                     rerr ? "; dataReplicationError " : "",
                     rerr ? json_str_borrow(rerr, "error") ? json_str_borrow(rerr, "error") : "?"
                          : "",
                     "", (long long)lag);
            dfind(d, "DRS-005", acct, r->region, id, ev,
                  "Check the agent and TCP 1500 from the server to the staging subnet; then aws "
                  "drs retry-data-replication (or start-replication) --source-server-id ID.",
                  "replication of %s (%s) is %s: a recovery would use stale data or fail", id,
                  json_str_borrow(json_object_get(json_object_get(s, "sourceProperties"),
                                                  "identificationHints"),
                                  "hostname"),
                  st);
            continue;
        }
        if (!strcmp(st, "INITIAL_SYNC") || !strcmp(st, "INITIATING") || !strcmp(st, "BACKLOG")) {
            dfind(d, "DRS-007", acct, r->region, id, NULL, NULL,
                  "%s is still in %s: it cannot be recovered until replication is continuous", id,
                  st);
            continue;
        }
        if (lag > (int64_t)d->rpo_minutes * 60) {
            snprintf(ev, sizeof ev, "lagDuration expected <= %dm (RPO target), actual %lldm%llds",
                     d->rpo_minutes, (long long)(lag / 60), (long long)(lag % 60));
            dfind(d, "DRS-006", acct, r->region, id, ev,
                  "Check replication bandwidth (bandwidthThrottling) and the staging area's "
                  "replication server size.",
                  "replication lag of %s exceeds the RPO target of %d minutes", id, d->rpo_minutes);
        }
    }
    if (json_object_get(r->errors, "quotas")) {
        dread_failed(d, "QUOTA-000", acct, r->region, r->errors, "quotas", "DRS service quotas");
        return;
    }
    double q4 = dar_quota(r, "L-DRS0004", 300), q5 = dar_quota(r, "L-DRS0005", 4000);
    char ev[300];
    if (replicating > (long)q4) {
        snprintf(ev, sizeof ev, "replicating servers expected <= %.0f (L-DRS0004), actual %ld", q4,
                 replicating);
        dfind(d, "QUOTA-004", acct, r->region, "L-DRS0004", ev,
              "Request an increase: aws service-quotas request-service-quota-increase "
              "--service-code drs --quota-code L-DRS0004 --desired-value N",
              "%ld servers replicate, over the quota of %.0f", replicating, q4);
    }
    if (total > (long)q5) {
        snprintf(ev, sizeof ev, "source servers expected <= %.0f (L-DRS0005), actual %ld", q5,
                 total);
        dfind(d, "QUOTA-005", acct, r->region, "L-DRS0005", ev,
              "Request an increase: aws service-quotas request-service-quota-increase "
              "--service-code drs --quota-code L-DRS0005 --desired-value N",
              "%ld source servers, over the quota of %.0f", total, q5);
    }
}

void dcheck_drs(struct dctx *d)
{
    for (size_t i = 0; i < d->nars; i++) {
        struct dar *r = &d->ars[i];
        const char *acct = r->acct->a->account_id;
        if (!r->acct->assumed)
            continue;
        const json_t *e = json_object_get(r->errors, "templates");
        if (!e)
            e = json_object_get(r->errors, "servers");
        if (e && strstr(json_str_borrow(e, "code"), "Uninitialized")) {
            dfind(
                d, "DRS-001", acct, r->region, "drs",
                "DescribeReplicationConfigurationTemplates answered UninitializedAccountException",
                "aws drs initialize-service --region REGION (in this account)",
                "DRS is not initialized in %s/%s", acct, r->region);
            continue;
        }
        if (dread_failed(d, "DRS-000", acct, r->region, r->errors, "templates",
                         "DRS replication templates") ||
            dread_failed(d, "DRS-000", acct, r->region, r->errors, "servers", "DRS source servers"))
            continue;
        check_templates(d, r);
        check_servers(d, r);
    }
}
