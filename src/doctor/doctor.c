/*
 * doctor.c - one doctor run: confirm each spoke role with a real
 * AssumeRole (round 0), read IAM, DRS, EC2, KMS aliases and Service Quotas
 * of every account-region concurrently (round 1), then the keys and source
 * networks those point at and the plan's launch configurations (round 2),
 * their EC2 launch templates (round 3) and the instance type offerings and
 * network interfaces those name (round 4), then run every check family on
 * what was read and build the sorted report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"
#include "doctor/internal.h"

static const char *role_name(const char *arn)
{
    const char *s = strrchr(arn, '/');
    return s ? s + 1 : arn;
}

static void round1_account(struct dctx *d, struct dacct *a)
{
    dfetch(d, a, NULL, "iam", "GetRole", json_pack("{s:s}", "RoleName", role_name(a->a->role_arn)),
           a->data, a->errors, "GetRole");
    dfetch_all(d, a, NULL, "iam", "ListRoles", NULL, "Roles", a->data, a->errors, "ListRoles");
}

static void round1_ar(struct dctx *d, struct dar *r)
{
    struct dacct *a = r->acct;
    static const struct {
        const char *svc, *op, *key, *name;
    } reads[] = {
        {"drs", "DescribeReplicationConfigurationTemplates", "items", "templates"},
        {"drs", "DescribeSourceServers", "items", "servers"},
        {"ec2", "DescribeSubnets", "Subnets", "subnets"},
        {"ec2", "DescribeSecurityGroups", "SecurityGroups", "sgs"},
        {"ec2", "DescribeRouteTables", "RouteTables", "rtbs"},
        {"ec2", "DescribeVpcs", "Vpcs", "vpcs"},
        {"ec2", "DescribeVpcPeeringConnections", "VpcPeeringConnections", "peerings"},
        {"kms", "ListAliases", "Aliases", "aliases"},
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        dfetch_all(d, a, r->region, reads[i].svc, reads[i].op, NULL, reads[i].key, r->data,
                   r->errors, reads[i].name);
    dfetch_all(d, a, r->region, "service-quotas", "ListServiceQuotas",
               json_pack("{s:s}", "ServiceCode", "drs"), "Quotas", r->data, r->errors, "quotas");
}

static int setup(struct dctx *d, const struct doctor_opts *o, struct dr_err *err)
{
    d->accts = calloc(o->naccounts ? o->naccounts : 1, sizeof(*d->accts));
    size_t nar = 0;
    for (size_t i = 0; i < o->naccounts; i++)
        nar += o->accounts[i].nregions;
    d->ars = calloc(nar ? nar : 1, sizeof(*d->ars));
    d->findings = json_array();
    d->keys = json_object();
    d->vpcs = json_object();
    d->resolved = json_object();
    d->launch = json_object();
    if (!d->accts || !d->ars || !d->findings || !d->keys || !d->vpcs || !d->resolved || !d->launch)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    for (size_t i = 0; i < o->naccounts; i++) {
        struct dacct *a = &d->accts[d->naccts++];
        a->a = &o->accounts[i];
        a->data = json_object();
        a->errors = json_object();
        a->role.role_arn = strdup(a->a->role_arn);
        a->role.external_id = a->a->external_id ? strdup(a->a->external_id) : NULL;
        a->role.session_name = strdup("drover-doctor");
        if (!a->data || !a->errors || !a->role.role_arn || !a->role.session_name)
            return dr_err_set(err, DR_ENOMEM, "out of memory");
        for (size_t j = 0; j < a->a->nregions; j++) {
            if (o->region && strcmp(o->region, a->a->regions[j]) != 0)
                continue;
            struct dar *r = &d->ars[d->nars++];
            r->acct = a;
            r->region = a->a->regions[j];
            r->data = json_pack("{s:[]}", "_empty");
            r->errors = json_object();
            if (!r->data || !r->errors)
                return dr_err_set(err, DR_ENOMEM, "out of memory");
        }
    }
    return 0;
}

static void cleanup(struct dctx *d)
{
    for (size_t i = 0; i < d->naccts; i++) {
        cred_role_cleanup(&d->accts[i].role);
        json_decref(d->accts[i].data);
        json_decref(d->accts[i].errors);
    }
    for (size_t i = 0; i < d->nars; i++) {
        json_decref(d->ars[i].data);
        json_decref(d->ars[i].errors);
    }
    free(d->accts);
    free(d->ars);
    json_decref(d->findings);
    json_decref(d->keys);
    json_decref(d->vpcs);
    json_decref(d->resolved);
    json_decref(d->launch);
}

/* Round 0: who the hub is, and the real AssumeRole of every spoke role. */
static int round0(struct dctx *d, struct dr_err *err)
{
    json_t *data = json_object(), *errors = json_object();
    int rc;
    dfetch(d, NULL, d->naccts && d->accts[0].a->nregions ? d->accts[0].a->regions[0] : NULL, "sts",
           "GetCallerIdentity", NULL, data, errors, "hub");
    for (size_t i = 0; i < d->naccts; i++)
        dfetch(d, &d->accts[i], NULL, "sts", "GetCallerIdentity", NULL, d->accts[i].data,
               d->accts[i].errors, "identity");
    rc = dfetch_wait(d, err);
    const json_t *hub = json_object_get(data, "hub");
    const json_t *he = json_object_get(errors, "hub");
    if (rc == 0 && !hub) {
        rc = dr_err_set(err, DR_ECRED, "the hub's own credentials do not work: %s: %s",
                        json_str_borrow(he, "code"), json_str_borrow(he, "message"));
    } else if (rc == 0) {
        snprintf(d->hub_arn, sizeof d->hub_arn, "%s", json_str_borrow(hub, "Arn"));
        snprintf(d->hub_account, sizeof d->hub_account, "%s", json_str_borrow(hub, "Account"));
    }
    json_decref(data);
    json_decref(errors);
    for (size_t i = 0; i < d->naccts; i++)
        d->accts[i].assumed = json_object_get(d->accts[i].data, "identity") != NULL;
    return rc;
}

int doctor_run(struct aws_client *c, const struct doctor_opts *o, json_t **report,
               struct dr_err *err)
{
    struct dctx d;
    int rc;
    memset(&d, 0, sizeof d);
    d.c = c;
    d.o = o;
    d.rpo_minutes = (int)json_int_or(o->plan, "rpoTargetMinutes", DOCTOR_DEFAULT_RPO_MIN);
    if (d.rpo_minutes <= 0)
        d.rpo_minutes = DOCTOR_DEFAULT_RPO_MIN;
    *report = NULL;
    if ((rc = setup(&d, o, err)) < 0 || (rc = round0(&d, err)) < 0)
        goto out;
    for (size_t i = 0; i < d.naccts; i++)
        if (d.accts[i].assumed)
            round1_account(&d, &d.accts[i]);
    for (size_t i = 0; i < d.nars; i++)
        if (d.ars[i].acct->assumed)
            round1_ar(&d, &d.ars[i]);
    if ((rc = dfetch_wait(&d, err)) < 0)
        goto out;
    dcheck_kms_collect(&d);
    dcheck_net_collect(&d);
    dcheck_launch_collect(&d);
    if ((rc = dfetch_wait(&d, err)) < 0)
        goto out;
    dcheck_launch_templates(&d);
    if ((rc = dfetch_wait(&d, err)) < 0)
        goto out;
    dcheck_launch_offerings(&d);
    if ((rc = dfetch_wait(&d, err)) < 0)
        goto out;
    dcheck_trust(&d);
    dcheck_kms(&d);
    dcheck_drs(&d);
    dcheck_net(&d);
    dcheck_plan(&d);
    dcheck_launch(&d);
    *report = dreport(&d);
    if (!*report)
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
out:
    cleanup(&d);
    return rc;
}
