/*
 * cmd_version.c - `drover version` (same as `drover --version`), with the
 * versions of the libraries drover is linked against.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdio.h>

#include "cli/cmd.h"

static int version_exec(struct cmd_ctx *ctx)
{
    (void)ctx;
    printf("drover %s\n", DROVER_VERSION);
    printf("  libcurl %s, %s, jansson %s, sqlite %s\n", curl_version_info(CURLVERSION_NOW)->version,
           OpenSSL_version(OPENSSL_VERSION), jansson_version_str(), sqlite3_libversion());
    return EXIT_OK;
}

const struct cmd_entry cmd_version_entry = {
    .name = "version",
    .summary = "print drover's version and its libraries' versions",
    .usage = "drover version",
    .opts = (const struct cmd_opt[]){{0}},
    .min_args = 0,
    .max_args = 0,
    .exec = version_exec,
};
