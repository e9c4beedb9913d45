/*
 * fuzz_sharedconfig.c - libFuzzer target for the ~/.aws/config and
 * ~/.aws/credentials parser (awscfg_parse). The first byte picks the file
 * kind(s); the parsed result is then walked (every profile's common keys)
 * and resolved to a credential plan, which must not crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/credentials.h"

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *keys[] = {"region",
                                 "role_arn",
                                 "source_profile",
                                 "s3.max_concurrent_requests",
                                 "credential_process",
                                 "aws_access_key_id",
                                 "external_id"};
    struct awscfg *cfg;
    struct dr_err err;
    const char *names[16];
    size_t n;
    unsigned mode;

    if (size < 1)
        return 0;
    mode = data[0];
    data++;
    size--;
    cfg = awscfg_new();
    if (!cfg)
        return 0;
    if (mode & 1) {
        /* both kinds from the same bytes, like a config and a credentials file */
        awscfg_parse(cfg, (const char *)data, size, true, "config", &err);
        awscfg_parse(cfg, (const char *)data, size, false, "credentials", &err);
    } else {
        awscfg_parse(cfg, (const char *)data, size, (mode & 2) != 0, "fuzz", &err);
    }
    n = awscfg_profile_names(cfg, names, 16);
    if (n > 16)
        n = 16;
    for (size_t i = 0; i < n; i++) {
        struct cred_env env = {no_env, names[i]};
        struct cred_plan plan;
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            const char *v = awscfg_get(cfg, names[i], keys[k]);
            if (v)
                (void)strlen(v);
        }
        if (cred_plan_resolve(&env, cfg, &plan, &err) == 0)
            cred_plan_cleanup(&plan);
    }
    awscfg_free(cfg);
    return 0;
}
