/*
 * endpoints.h - regions, partitions and endpoint resolution.
 *
 * Partitions: aws, aws-cn, aws-us-gov (DNS suffix, ARN partition).
 * Overrides, as the AWS CLI and SDKs apply them: --endpoint-url, then
 * AWS_ENDPOINT_URL_<SERVICE> (service id upper-cased, spaces/hyphens to
 * '_', e.g. AWS_ENDPOINT_URL_SERVICE_QUOTAS), then AWS_ENDPOINT_URL; the
 * two variables are ignored when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is
 * "true". Empty values count as unset.
 * IAM is global (iam.amazonaws.com, signed in us-east-1; aws-cn:
 * iam.cn-north-1.amazonaws.com.cn; us-gov: iam.us-gov.amazonaws.com).
 * STS is regional by default (sts.REGION.amazonaws.com), as current SDKs
 * do; AWS_STS_REGIONAL_ENDPOINTS=legacy selects the global endpoint for
 * the legacy regions (botocore's LEGACY_GLOBAL_STS_REGIONS: sts.amazonaws.com
 * signed us-east-1). Organizations is global too: organizations.us-east-1.
 * amazonaws.com (us-east-1), organizations.cn-northwest-1.amazonaws.com.cn,
 * organizations.us-gov-west-1.amazonaws.com. Every other service (drs,
 * kms, ec2, backup, servicequotas, cloudformation ...) is
 * <service_id>.<region>.<dnsSuffix>, as botocore's data/endpoints.json has
 * it for these partitions. Depends on core/ only.
 */
#ifndef DROVER_AWS_ENDPOINTS_H
#define DROVER_AWS_ENDPOINTS_H

#include <stdbool.h>

#include "core/err.h"

struct endpoint {
    char scheme[8];      /* "https" */
    char host[256];      /* host[:port] */
    char base_path[256]; /* path prefix from an override URL, "" normally */
    char signing_region[64];
    char signing_name[64];
    bool overridden; /* came from an endpoint URL override */
};

/* Where override values come from; lets tests avoid the real environment. */
struct endpoint_config {
    const char *endpoint_url;                   /* --endpoint-url, may be NULL */
    const char *(*getenv_fn)(const char *name); /* NULL = getenv */
};

/*
 * service_id is the botocore endpoint prefix / service name as drover's
 * models name it ("drs", "sts", "iam", "kms", "ec2", "backup",
 * "organizations", "servicequotas" ...); env_name is the
 * AWS_ENDPOINT_URL_<NAME> suffix ("DRS", "SERVICE_QUOTAS"; NULL = derived
 * from service_id); signing_name is the SigV4 service name (NULL =
 * service_id). Precedence: --endpoint-url (cfg->endpoint_url), then
 * AWS_ENDPOINT_URL_<NAME>, then AWS_ENDPOINT_URL, then the partition's
 * host. An override URL is [http[s]://]host[:port][/base/path] (https
 * when the scheme is left out; no query, fragment or user info); it is
 * signed with `region` as given, which then only needs to be a plain
 * [a-z0-9-] name. Without an override the region must be valid and in
 * one of the three partitions. cfg may be NULL. Errors: -DR_EINVAL with
 * a message naming the bad value (and the variable it came from).
 */
int endpoint_resolve(const struct endpoint_config *cfg, const char *service_id,
                     const char *env_name, const char *signing_name, const char *region,
                     struct endpoint *out, struct dr_err *err);

/* "aws", "aws-cn" or "aws-us-gov" for a region name; NULL when the name is not valid. */
const char *endpoint_partition(const char *region);
/* "amazonaws.com" or "amazonaws.com.cn"; NULL for an unknown partition */
const char *endpoint_dns_suffix(const char *partition);
/* Validates a region name's form ([a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+);
 * iso regions pass here but have no partition above. */
bool endpoint_region_valid(const char *region);

/* A parsed ARN: arn:partition:service:region:account:resource */
struct arn {
    char partition[16];
    char service[64];
    char region[64];
    char account[16];
    char resource[1024];
};
/*
 * Splits at the first five ':' (the resource keeps any further ':' and
 * '/'). partition must be aws, aws-cn or aws-us-gov; service non-empty
 * [a-z0-9-]; region empty or [a-z0-9-]; account empty, 12 digits or
 * "aws" (AWS-managed IAM policies); resource non-empty. -DR_EINVAL with
 * the field named otherwise.
 */
int arn_parse(const char *s, struct arn *out, struct dr_err *err);

#endif
