/*
 * registry.c - the doctor's check registry: every check's stable ID,
 * severity and title. IDs are never renumbered; the -000 check of each
 * family is "drover cannot read this" (missing read permission).
 */
#include <string.h>

#include "doctor/doctor.h"

static const struct doctor_check checks[] = {
    {"DRS-000", DOCTOR_ERROR, "drover can read DRS in the account-region"},
    {"DRS-001", DOCTOR_WARNING, "DRS is initialized in the account-region"},
    {"DRS-002", DOCTOR_ERROR, "a replication configuration template exists"},
    {"DRS-003", DOCTOR_ERROR, "the template's staging subnet exists"},
    {"DRS-004", DOCTOR_ERROR, "the staging subnet has free IPs for the replication servers"},
    {"DRS-005", DOCTOR_ERROR, "source servers replicate healthily"},
    {"DRS-006", DOCTOR_ERROR, "replication lag is within the RPO target"},
    {"DRS-007", DOCTOR_INFO, "initial sync is complete"},
    {"KMS-000", DOCTOR_ERROR, "drover can read the key"},
    {"KMS-001", DOCTOR_CRITICAL, "the key is enabled"},
    {"KMS-002", DOCTOR_CRITICAL, "the key is not pending deletion"},
    {"KMS-003", DOCTOR_ERROR, "the key is in the region where it is used"},
    {"KMS-004", DOCTOR_CRITICAL, "the key exists"},
    {"KMS-005", DOCTOR_ERROR, "keys used cross-account are customer managed"},
    {"KMS-006", DOCTOR_ERROR, "the key policy grants the DRS staging role what DRS needs"},
    {"KMS-007", DOCTOR_ERROR, "the key policy's kms:ViaService matches the region"},
    {"KMS-008", DOCTOR_INFO, "key access delegated to IAM policies (not verified)"},
    {"LAUNCH-000", DOCTOR_ERROR, "drover can read the launch configuration and its template"},
    {"LAUNCH-001", DOCTOR_ERROR, "every server of the plan exists in DRS"},
    {"LAUNCH-002", DOCTOR_WARNING, "every protection group of the plan selects servers"},
    {"LAUNCH-003", DOCTOR_ERROR, "the server's EC2 launch template exists"},
    {"LAUNCH-004", DOCTOR_ERROR, "the launch template's subnet exists in the recovery region"},
    {"LAUNCH-005", DOCTOR_ERROR, "the launch template's security groups exist in its VPC"},
    {"LAUNCH-006", DOCTOR_ERROR, "the launch template's instance type is offered in the region"},
    {"LAUNCH-007", DOCTOR_ERROR, "the static private IP is inside the subnet"},
    {"LAUNCH-008", DOCTOR_ERROR, "the static private IP is not reserved by AWS"},
    {"LAUNCH-009", DOCTOR_ERROR, "the static private IP is not taken"},
    {"NET-000", DOCTOR_ERROR, "drover can read EC2 networking"},
    {"NET-001", DOCTOR_ERROR, "the replication security group allows TCP 1500 from the sources"},
    {"NET-002", DOCTOR_ERROR, "the replication security group allows 443 egress"},
    {"NET-003", DOCTOR_ERROR, "the staging subnet routes to the source VPCs"},
    {"NET-004", DOCTOR_ERROR, "source and staging VPC CIDRs do not overlap"},
    {"NET-005", DOCTOR_ERROR, "the peering used by the route is active"},
    {"NET-006", DOCTOR_ERROR, "the template's security groups exist"},
    {"QUOTA-000", DOCTOR_WARNING, "drover can read the DRS quotas"},
    {"QUOTA-001", DOCTOR_WARNING, "a wave fits in one recovery job"},
    {"QUOTA-002", DOCTOR_ERROR, "a wave's jobs fit the concurrent-jobs quota"},
    {"QUOTA-003", DOCTOR_ERROR, "concurrently recovered servers fit the active-jobs quota"},
    {"QUOTA-004", DOCTOR_ERROR, "replicating servers fit the per-account quota"},
    {"QUOTA-005", DOCTOR_ERROR, "source servers fit the per-account quota"},
    {"TRUST-000", DOCTOR_ERROR, "drover can read the account's IAM roles"},
    {"TRUST-001", DOCTOR_CRITICAL, "the hub can assume the spoke role with its external ID"},
    {"TRUST-002", DOCTOR_WARNING, "the spoke role requires the external ID"},
    {"TRUST-003", DOCTOR_CRITICAL, "no wildcard principal without conditions"},
    {"TRUST-004", DOCTOR_ERROR, "no confused-deputy gap (source account pinned)"},
    {"TRUST-005", DOCTOR_ERROR, "the intended principal can assume the DRS role"},
    {"TRUST-006", DOCTOR_ERROR, "the trust policy is a valid policy"},
};

const struct doctor_check *doctor_checks(size_t *n)
{
    *n = sizeof(checks) / sizeof(checks[0]);
    return checks;
}

const struct doctor_check *doctor_check_find(const char *id)
{
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
        if (strcmp(checks[i].id, id) == 0)
            return &checks[i];
    return NULL;
}

const char *doctor_severity_name(enum doctor_severity s)
{
    switch (s) {
    case DOCTOR_CRITICAL:
        return "CRITICAL";
    case DOCTOR_ERROR:
        return "ERROR";
    case DOCTOR_WARNING:
        return "WARNING";
    case DOCTOR_INFO:
        break;
    }
    return "INFO";
}
