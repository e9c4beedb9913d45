/*
 * endpoints.h - regions, partitions and endpoint resolution.
 *
 * Partitions: aws, aws-cn, aws-us-gov (DNS suffix, ARN partition).
 * Overrides, as the AWS CLI and SDKs apply them: --endpoint-url, then
 * AWS_ENDPOINT_URL_<SERVICE> (service id upper-cased, spaces/hyphens to
 * '_', e.g. AWS_ENDPOINT_URL_SERVICE_QUOTAS), then AWS_ENDPOINT_URL.
 * IAM is global (iam.amazonaws.com, signed in us-east-1; aws-cn:
 * iam.cn-north-1.amazonaws.com.cn; us-gov: iam.us-gov.amazonaws.com).
 * STS is regional by default (sts.REGION.amazonaws.com), as current SDKs
 * do; AWS_STS_REGIONAL_ENDPOINTS=legacy selects the global endpoint for
 * the legacy regions. Depends on core/.
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
 * AWS_ENDPOINT_URL_<NAME> suffix ("DRS", "SERVICE_QUOTAS"); signing_name
 * is the SigV4 service name. Precedence, most specific first:
 * AWS_ENDPOINT_URL_<NAME>, then --endpoint-url, then AWS_ENDPOINT_URL,
 * then the partition's default host.
 */
int endpoint_resolve(const struct endpoint_config *cfg, const char *service_id,
                     const char *env_name, const char *signing_name, const char *region,
                     struct endpoint *out, struct dr_err *err);

/* "aws", "aws-cn" or "aws-us-gov" for a region name; NULL when the name is not valid. */
const char *endpoint_partition(const char *region);
/* "amazonaws.com" or "amazonaws.com.cn" */
const char *endpoint_dns_suffix(const char *partition);
/* Validates a region name ([a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d). */
bool endpoint_region_valid(const char *region);

/* A parsed ARN: arn:partition:service:region:account:resource */
struct arn {
    char partition[16];
    char service[64];
    char region[64];
    char account[16];
    char resource[1024];
};
int arn_parse(const char *s, struct arn *out, struct dr_err *err);

#endif
