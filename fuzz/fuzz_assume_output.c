/*
 * fuzz_assume_output.c - libFuzzer target for cred_from_assume_output on
 * arbitrary JSON (as an STS AssumeRole response parsed to JSON), and for
 * building the cache key and AssumeRole input from a role made of the
 * same JSON's strings.
 */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "aws/credentials.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &je);
    struct aws_creds c;
    struct dr_err err;
    struct cred_role r;
    char key[CRED_CACHE_KEY_MAX];
    json_t *in;

    if (!j)
        return 0;
    memset(&c, 0, sizeof(c));
    if (cred_from_assume_output(j, &c, &err) == 0)
        aws_creds_cleanup(&c);
    memset(&r, 0, sizeof(r));
    r.role_arn = (char *)json_string_value(json_object_get(j, "RoleArn"));
    r.external_id = (char *)json_string_value(json_object_get(j, "ExternalId"));
    r.session_name = (char *)json_string_value(json_object_get(j, "RoleSessionName"));
    r.tags = json_object_get(j, "Tags");
    r.transitive_tag_keys = json_object_get(j, "TransitiveTagKeys");
    if (r.role_arn) {
        (void)cred_cache_key("AKID", &r, key, sizeof(key));
        in = cred_role_assume_input(&r, 0);
        json_decref(in);
    }
    json_decref(j);
    return 0;
}
