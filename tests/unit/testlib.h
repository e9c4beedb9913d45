/*
 * testlib.h - includes cmocka with the headers it needs first (cmocka.h
 * is not self-contained, and clang-format sorts includes), plus helpers
 * shared by unit tests.
 */
#ifndef DROVER_TESTLIB_H
#define DROVER_TESTLIB_H

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"

/* ../shared/testdata/<sub>, or NULL when the folder is absent. Static buffer per call site. */
static inline const char *testlib_shared_dir(const char *sub, char *out, size_t n)
{
    const char *base = getenv("DROVER_SHARED");
    if (!base)
        base = "../shared";
    snprintf(out, n, "%s/testdata/%s", base, sub);
    return out;
}

/*
 * A fresh store in a temporary directory per test: use as
 * cmocka_unit_test_setup_teardown(test, testlib_store_setup, testlib_store_teardown);
 * *state is a struct testlib_store.
 */
struct testlib_store {
    char dir[64];
    struct store *s;
};

static inline int testlib_store_setup(void **state)
{
    struct testlib_store *f = calloc(1, sizeof(*f));
    struct dr_err err;

    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/drover-test-store.XXXXXX");
    if (!mkdtemp(f->dir) || store_open(f->dir, &f->s, &err) < 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static inline int testlib_store_teardown(void **state)
{
    struct testlib_store *f = *state;
    char cmd[128];

    store_close(f->s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

#endif
