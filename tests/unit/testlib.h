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

/* ../shared/testdata/<sub>, or NULL when the folder is absent. Static buffer per call site. */
static inline const char *testlib_shared_dir(const char *sub, char *out, size_t n)
{
    const char *base = getenv("DROVER_SHARED");
    if (!base)
        base = "../shared";
    snprintf(out, n, "%s/testdata/%s", base, sub);
    return out;
}

#endif
