/*
 * fuzz_sim_router.c - libFuzzer target for the simulator's request router
 * and body parsers (sim_handle): arbitrary paths, headers and bodies for
 * each protocol (rest-json DRS, json KMS, query STS/IAM, ec2) and the
 * /_sim/ control API, against one generated world (signatures are not
 * checked, so the fuzzer reaches the parsers). Every input must give a
 * response, never a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sim/internal.h"

static struct sim_world *world; /* harness state only; built on first input */
static char akid[64];

static void setup(void)
{
    json_t *estate = NULL;
    struct dr_err err;
    struct sim_world_opts o = {.seed = 3, .time_scale = 60, .skip_signature_check = true};

    dr_err_clear(&err);
    if (sim_generate("accounts=2,regions=1,servers=5", 3, &estate, &err) < 0 ||
        sim_world_new(&o, estate, &world, &err) < 0)
        abort();
    json_decref(estate);
    snprintf(akid, sizeof(akid), "%s",
             json_string_value(json_object_get(
                 json_object_get(json_object_get(world->estate, "hub"), "user"), "access_key_id")));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const services[] = {"drs", "kms", "sts", "ec2", "iam", "organizations"};
    static const char *const ctypes[] = {"application/json", "application/x-amz-json-1.1",
                                         "application/x-www-form-urlencoded", "text/plain"};
    struct http_request req;
    struct sim_http_out out;
    char auth[512], path[1024];
    const char *body, *nl;
    size_t plen = 0;
    int sleep_ms = 0;
    unsigned sel;

    if (!world)
        setup();
    if (size < 1)
        return 0;
    sel = data[0];
    body = (const char *)data + 1;
    size -= 1;
    nl = memchr(body, '\n', size);
    if (nl && (size_t)(nl - body) < sizeof(path) - 1) {
        plen = (size_t)(nl - body);
        memcpy(path, body, plen);
        size -= plen + 1;
        body = nl + 1;
    }
    path[plen] = '\0';
    if (memchr(path, '\0', plen) || (plen && path[0] != '/')) {
        path[0] = '/';
        path[1] = '\0';
    }
    if (http_req_init(&req, (sel & 0x40) ? "GET" : "POST", "http", "127.0.0.1:4580",
                      plen ? path : "/", "", NULL) < 0)
        return 0;
    snprintf(auth, sizeof(auth),
             "AWS4-HMAC-SHA256 Credential=%s/20261201/us-east-1/%s/aws4_request, "
             "SignedHeaders=host;x-amz-date, Signature=%064d",
             akid, services[(sel & 7) % 6], 0);
    if (!(sel & 0x80))
        http_headers_add(&req.headers, "Authorization", auth);
    http_headers_add(&req.headers, "X-Amz-Date", "20261201T204350Z");
    http_headers_add(&req.headers, "Content-Type", ctypes[(sel >> 3) & 3]);
    if ((sel & 7) == 1)
        http_headers_add(&req.headers, "X-Amz-Target", "TrentService.DescribeKey");
    if (size)
        http_req_set_body(&req, body, size, NULL);
    sim_http_out_init(&out);
    sim_handle(world, &req, &out, &sleep_ms);
    if (out.status < 100 || out.status > 599)
        abort();
    sim_http_out_cleanup(&out);
    http_req_cleanup(&req);
    return 0;
}
