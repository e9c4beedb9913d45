/*
 * fuzz_xml.c - libFuzzer target for the generic XML-to-JSON converter
 * (aws_xml_to_json): arbitrary bytes must parse or fail cleanly.
 */
#include <stdint.h>
#include <stdlib.h>

#include "aws/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *out = NULL;
    struct dr_err err;

    if (aws_xml_to_json((const char *)data, size, &out, &err) == 0)
        json_decref(out);
    return 0;
}
