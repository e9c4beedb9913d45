/*
 * endpoints.c - regions, partitions, ARNs and endpoint resolution with
 * the SDKs' override variables (see endpoints.h for the rules). The
 * special hosts are a const table taken from botocore's
 * data/endpoints.json and args.py. Depends on core/ only; must not
 * depend on the transport or read the environment except through
 * cfg->getenv_fn (or getenv when that is NULL).
 */
#include "aws/endpoints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

struct partition {
    const char *name;
    const char *dns_suffix;
};

static const struct partition partitions[] = {
    {"aws", "amazonaws.com"},
    {"aws-cn", "amazonaws.com.cn"},
    {"aws-us-gov", "amazonaws.com"},
};

/* Services with one endpoint per partition (isRegionalized false). */
struct global_endpoint {
    const char *service;
    const char *partition;
    const char *host;
    const char *signing_region;
};

static const struct global_endpoint global_endpoints[] = {
    {"iam", "aws", "iam.amazonaws.com", "us-east-1"},
    {"iam", "aws-cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
    {"iam", "aws-us-gov", "iam.us-gov.amazonaws.com", "us-gov-west-1"},
    {"organizations", "aws", "organizations.us-east-1.amazonaws.com", "us-east-1"},
    {"organizations", "aws-cn", "organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"},
    {"organizations", "aws-us-gov", "organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
};

/* botocore args.py LEGACY_GLOBAL_STS_REGIONS (less "aws-global"). */
static const char *const sts_legacy_regions[] = {
    "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ca-central-1",
    "eu-central-1",   "eu-north-1", "eu-west-1",      "eu-west-2",      "eu-west-3",
    "sa-east-1",      "us-east-1",  "us-east-2",      "us-west-1",      "us-west-2",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- regions and partitions ---- */

static size_t span_lower(const char *s)
{
    size_t n = 0;
    while (s[n] >= 'a' && s[n] <= 'z')
        n++;
    return n;
}

bool endpoint_region_valid(const char *region)
{
    const char *p = region;
    size_t n;

    if (!region || strlen(region) > 63)
        return false;
    if (span_lower(p) != 2 || p[2] != '-')
        return false;
    p += 3;
    /* optional gov / iso* qualifier: only when another word follows */
    n = span_lower(p);
    if (n == 0)
        return false;
    if (p[n] == '-' && span_lower(p + n + 1) > 0 &&
        ((n == 3 && strncmp(p, "gov", 3) == 0) || strncmp(p, "iso", 3) == 0)) {
        p += n + 1;
        n = span_lower(p);
    }
    p += n;
    if (*p++ != '-')
        return false;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    return *p == '\0';
}

const char *endpoint_partition(const char *region)
{
    if (!endpoint_region_valid(region))
        return NULL;
    if (strstr(region, "-iso"))
        return NULL; /* aws-iso* partitions are not supported */
    if (strncmp(region, "cn-", 3) == 0)
        return "aws-cn";
    if (strncmp(region, "us-gov-", 7) == 0)
        return "aws-us-gov";
    /* botocore's aws regionRegex: ^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$ */
    {
        static const char *const prefixes[] = {"us", "eu", "ap", "sa", "ca",
                                               "me", "af", "il", "mx"};
        for (size_t i = 0; i < NELEM(prefixes); i++) {
            if (strncmp(region, prefixes[i], 2) == 0)
                return "aws";
        }
    }
    return NULL;
}

const char *endpoint_dns_suffix(const char *partition)
{
    for (size_t i = 0; partition && i < NELEM(partitions); i++) {
        if (strcmp(partitions[i].name, partition) == 0)
            return partitions[i].dns_suffix;
    }
    return NULL;
}

/* ---- overrides ---- */

static const char *env_get(const struct endpoint_config *cfg, const char *name)
{
    const char *v = (cfg && cfg->getenv_fn) ? cfg->getenv_fn(name) : getenv(name);
    return (v && *v) ? v : NULL;
}

static int plain_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    }
    return 1;
}

/* [scheme://]host[:port][/path]; `what` names the source in errors. */
static int parse_override(const char *url, const char *what, struct endpoint *out,
                          struct dr_err *err)
{
    const char *p = url, *host, *hend, *path;
    size_t hl;

    if (strncmp(p, "https://", 8) == 0) {
        dr_strlcpy(out->scheme, "https", sizeof(out->scheme));
        p += 8;
    } else if (strncmp(p, "http://", 7) == 0) {
        dr_strlcpy(out->scheme, "http", sizeof(out->scheme));
        p += 7;
    } else if (strstr(p, "://")) {
        return dr_err_set(err, DR_EINVAL, "%s: endpoint URL '%.100s' must use http or https", what,
                          url);
    } else {
        dr_strlcpy(out->scheme, "https", sizeof(out->scheme));
    }
    if (strpbrk(p, "?#@ \t\r\n"))
        return dr_err_set(err, DR_EINVAL,
                          "%s: endpoint URL '%.100s' may not contain a query, fragment, user "
                          "info or whitespace",
                          what, url);
    host = p;
    path = strchr(p, '/');
    hend = path ? path : p + strlen(p);
    hl = (size_t)(hend - host);
    if (hl == 0)
        return dr_err_set(err, DR_EINVAL, "%s: endpoint URL '%.100s' has no host", what, url);
    {
        /* port: after the last ':' outside IPv6 brackets */
        const char *rb = memchr(host, ']', hl);
        const char *colon = NULL;
        if (host[0] == '[' && !rb)
            return dr_err_set(err, DR_EINVAL, "%s: endpoint URL '%.100s' has an unclosed '['", what,
                              url);
        for (const char *c = rb ? rb : host; c < hend; c++) {
            if (*c == ':')
                colon = c;
        }
        if (!rb && colon && memchr(host, ':', (size_t)(colon - host)))
            return dr_err_set(err, DR_EINVAL,
                              "%s: endpoint URL '%.100s': IPv6 hosts need [brackets]", what, url);
        if (colon) {
            char port[8];
            int64_t v;
            size_t pl = (size_t)(hend - colon - 1);
            if (pl == 0 || pl >= sizeof(port))
                return dr_err_set(err, DR_EINVAL, "%s: endpoint URL '%.100s' has a bad port", what,
                                  url);
            memcpy(port, colon + 1, pl);
            port[pl] = '\0';
            if (dr_parse_i64(port, &v) < 0 || v < 1 || v > 65535)
                return dr_err_set(err, DR_EINVAL, "%s: endpoint URL '%.100s' has a bad port '%s'",
                                  what, url, port);
            if (colon == host)
                return dr_err_set(err, DR_EINVAL, "%s: endpoint URL '%.100s' has no host", what,
                                  url);
        }
    }
    if (hl >= sizeof(out->host))
        return dr_err_set(err, DR_EINVAL, "%s: endpoint URL host is too long", what);
    memcpy(out->host, host, hl);
    out->host[hl] = '\0';
    out->base_path[0] = '\0';
    if (path) {
        size_t pl = strlen(path);
        while (pl > 0 && path[pl - 1] == '/')
            pl--;
        if (pl >= sizeof(out->base_path))
            return dr_err_set(err, DR_EINVAL, "%s: endpoint URL path is too long", what);
        memcpy(out->base_path, path, pl);
        out->base_path[pl] = '\0';
    }
    out->overridden = true;
    return 0;
}

static void derive_env_name(const char *service_id, char *out, size_t n)
{
    size_t i = 0;
    for (; service_id[i] && i + 1 < n; i++) {
        char c = service_id[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (c == '-' || c == ' ')
            c = '_';
        out[i] = c;
    }
    out[i] = '\0';
}

static int sts_regional(const struct endpoint_config *cfg, bool *regional, struct dr_err *err)
{
    const char *v = env_get(cfg, "AWS_STS_REGIONAL_ENDPOINTS");
    *regional = true;
    if (!v || strcmp(v, "regional") == 0)
        return 0;
    if (strcmp(v, "legacy") == 0) {
        *regional = false;
        return 0;
    }
    return dr_err_set(err, DR_EINVAL,
                      "AWS_STS_REGIONAL_ENDPOINTS must be 'legacy' or 'regional', got '%.40s'", v);
}

int endpoint_resolve(const struct endpoint_config *cfg, const char *service_id,
                     const char *env_name, const char *signing_name, const char *region,
                     struct endpoint *out, struct dr_err *err)
{
    char derived[64], var[96];
    const char *url = NULL, *what = NULL, *partition, *suffix;
    bool regional;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!plain_name(service_id) || strlen(service_id) > 40)
        return dr_err_set(err, DR_EINVAL, "endpoint: bad service id '%.40s'",
                          service_id ? service_id : "");
    if (!signing_name)
        signing_name = service_id;
    if (!env_name) {
        derive_env_name(service_id, derived, sizeof(derived));
        env_name = derived;
    }
    snprintf(var, sizeof(var), "AWS_ENDPOINT_URL_%s", env_name);
    if (cfg && dr_nonempty(cfg->endpoint_url)) {
        url = cfg->endpoint_url;
        what = "--endpoint-url";
    } else {
        const char *ignore = env_get(cfg, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
        if (!ignore || !dr_strcaseeq(ignore, "true")) {
            if ((url = env_get(cfg, var)) != NULL)
                what = var;
            else if ((url = env_get(cfg, "AWS_ENDPOINT_URL")) != NULL)
                what = "AWS_ENDPOINT_URL";
        }
    }
    if (strlen(signing_name) >= sizeof(out->signing_name))
        return dr_err_set(err, DR_EINVAL, "endpoint: signing name too long");
    dr_strlcpy(out->signing_name, signing_name, sizeof(out->signing_name));

    if (url) {
        if (!plain_name(region) || strlen(region) >= sizeof(out->signing_region))
            return dr_err_set(err, DR_EINVAL, "invalid region name '%.64s'", region ? region : "");
        if ((rc = parse_override(url, what, out, err)) < 0)
            return rc;
        dr_strlcpy(out->signing_region, region, sizeof(out->signing_region));
        return 0;
    }

    if (!region || !*region)
        return dr_err_set(err, DR_EINVAL,
                          "no region: set --region, AWS_REGION or a profile region");
    if (!endpoint_region_valid(region))
        return dr_err_set(err, DR_EINVAL, "invalid region name '%.64s'", region);
    partition = endpoint_partition(region);
    if (!partition)
        return dr_err_set(err, DR_EINVAL,
                          "region '%s' is not in a partition drover supports (aws, aws-cn, "
                          "aws-us-gov)",
                          region);
    suffix = endpoint_dns_suffix(partition);
    dr_strlcpy(out->scheme, "https", sizeof(out->scheme));

    for (size_t i = 0; i < NELEM(global_endpoints); i++) {
        const struct global_endpoint *g = &global_endpoints[i];
        if (strcmp(g->service, service_id) == 0 && strcmp(g->partition, partition) == 0) {
            dr_strlcpy(out->host, g->host, sizeof(out->host));
            dr_strlcpy(out->signing_region, g->signing_region, sizeof(out->signing_region));
            return 0;
        }
    }
    if (strcmp(service_id, "sts") == 0) {
        if ((rc = sts_regional(cfg, &regional, err)) < 0)
            return rc;
        for (size_t i = 0; !regional && i < NELEM(sts_legacy_regions); i++) {
            if (strcmp(sts_legacy_regions[i], region) == 0) {
                dr_strlcpy(out->host, "sts.amazonaws.com", sizeof(out->host));
                dr_strlcpy(out->signing_region, "us-east-1", sizeof(out->signing_region));
                return 0;
            }
        }
    }
    snprintf(out->host, sizeof(out->host), "%s.%s.%s", service_id, region, suffix);
    dr_strlcpy(out->signing_region, region, sizeof(out->signing_region));
    return 0;
}

/* ---- ARNs ---- */

static int copy_field(char *dst, size_t n, struct str v, const char *field, const char *arn,
                      struct dr_err *err)
{
    if (v.len >= n)
        return dr_err_set(err, DR_EINVAL, "ARN '%.100s': %s is longer than %zu characters", arn,
                          field, n - 1);
    memcpy(dst, v.p, v.len);
    dst[v.len] = '\0';
    return 0;
}

static int all_of(struct str v, const char *set)
{
    for (size_t i = 0; i < v.len; i++) {
        char c = v.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(set, c)))
            return 0;
    }
    return 1;
}

int arn_parse(const char *s, struct arn *out, struct dr_err *err)
{
    struct str f[5], rest;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!s)
        return dr_err_set(err, DR_EINVAL, "ARN is missing");
    rest = str_from(s);
    for (int i = 0; i < 5; i++) {
        rest = str_cut(rest, ':', &f[i]);
        if (!rest.p)
            return dr_err_set(err, DR_EINVAL,
                              "ARN '%.100s' must have the form "
                              "arn:partition:service:region:account:resource",
                              s);
    }
    if (!str_eq_cstr(f[0], "arn"))
        return dr_err_set(err, DR_EINVAL, "ARN '%.100s' must start with 'arn:'", s);
    if (!str_eq_cstr(f[1], "aws") && !str_eq_cstr(f[1], "aws-cn") &&
        !str_eq_cstr(f[1], "aws-us-gov"))
        return dr_err_set(err, DR_EINVAL,
                          "ARN '%.100s': partition '%.*s' is not aws, aws-cn or aws-us-gov", s,
                          (int)(f[1].len > 32 ? 32 : f[1].len), f[1].p);
    if (f[2].len == 0 || !all_of(f[2], "-"))
        return dr_err_set(err, DR_EINVAL, "ARN '%.100s': service is empty or not [a-z0-9-]", s);
    if (!all_of(f[3], "-"))
        return dr_err_set(err, DR_EINVAL, "ARN '%.100s': region is not [a-z0-9-]", s);
    if (f[4].len != 0 && !str_eq_cstr(f[4], "aws") &&
        (f[4].len != 12 || strspn(f[4].p, "0123456789") < 12))
        return dr_err_set(err, DR_EINVAL, "ARN '%.100s': account must be 12 digits", s);
    if (rest.len == 0)
        return dr_err_set(err, DR_EINVAL, "ARN '%.100s': resource is empty", s);
    if ((rc = copy_field(out->partition, sizeof(out->partition), f[1], "partition", s, err)) < 0 ||
        (rc = copy_field(out->service, sizeof(out->service), f[2], "service", s, err)) < 0 ||
        (rc = copy_field(out->region, sizeof(out->region), f[3], "region", s, err)) < 0 ||
        (rc = copy_field(out->account, sizeof(out->account), f[4], "account", s, err)) < 0 ||
        (rc = copy_field(out->resource, sizeof(out->resource), rest, "resource", s, err)) < 0)
        return rc;
    return 0;
}
