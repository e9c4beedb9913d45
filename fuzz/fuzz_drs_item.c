/*
 * fuzz_drs_item.c - libFuzzer target for the store's validation of DRS
 * and EC2 items from the wire (store_drs_server_parse and friends) and
 * the ISO 8601 duration parser. Any input must be rejected cleanly or
 * accepted; nothing may crash or leak. The input is JSON: an object is
 * tried as every item kind, an array as a list of source servers.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/duration.h"
#include "store/store.h"

static void try_item(const json_t *v)
{
    struct store_drs_server sv;
    struct store_drs_recovery_instance ri;
    struct store_drs_job job;
    struct store_ec2_instance ec2;
    struct dr_err err;

    if (store_drs_server_parse(v, &sv, &err) == 0 && sv.source_server_id[0] == '\0')
        __builtin_trap(); /* a parsed item always has an ID */
    (void)store_drs_recovery_instance_parse(v, &ri, &err);
    (void)store_drs_job_parse(v, &job, &err);
    (void)store_ec2_instance_parse(v, &ec2, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[64];
    int64_t ms;
    json_t *v, *it;
    size_t i;

    if (size < sizeof(text)) {
        memcpy(text, data, size);
        text[size] = '\0';
        (void)duration_parse_iso8601(text, &ms);
    }
    v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!v)
        return 0;
    try_item(v);
    json_array_foreach(v, i, it)
    {
        try_item(it);
    }
    json_decref(v);
    return 0;
}
