/*
 * bench_policy.c - evaluations per second of the policy engine, single
 * threaded: (1) every Strict-mode case of ../shared/testdata/iam-policy-cases
 * in a loop (policies compiled once), (2) one DR trust-policy case (the
 * spoke trust with an external ID, tests/data/policy-dr). Prints figures
 * only; never fails on speed. Usage: bench_policy [CASES_DIR] [DR_CASE_FILE]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/jsonutil.h"
#include "core/timeutil.h"
#include "policy/policy.h"

#define MAX_CASES 4096

static size_t load_dir(const char *dir, struct policy_case **out, size_t n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];

    if (!d)
        return n;
    while ((e = readdir(d)) && n < MAX_CASES) {
        struct stat st;
        json_t *doc;
        size_t i;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            n = load_dir(path, out, n);
            continue;
        }
        if (!strstr(e->d_name, ".json") || json_load_path(path, &doc, NULL) < 0)
            continue;
        for (i = 0; i < json_array_size(doc) && n < MAX_CASES; i++) {
            struct policy_case *c;
            if (policy_case_compile(json_array_get(doc, i), path, &c, NULL) < 0)
                continue;
            if (policy_case_is_strict(c))
                out[n++] = c;
            else
                policy_case_free(c);
        }
        json_decref(doc);
    }
    closedir(d);
    return n;
}

/* Runs the cases round-robin for about `ms` milliseconds. */
static double rate(struct policy_case **cs, size_t n, int64_t ms, size_t *wrong)
{
    int64_t start = time_mono_ms(), now;
    size_t evals = 0, i;
    unsigned sink = 0;

    *wrong = 0;
    for (i = 0; i < n; i++)
        *wrong += (int)policy_case_run(cs[i]) != policy_case_expected(cs[i]);
    do {
        for (int rep = 0; rep < 64; rep++) {
            for (i = 0; i < n; i++)
                sink += (unsigned)policy_case_run(cs[i]);
            evals += n;
        }
        now = time_mono_ms();
    } while (now - start < ms);
    if (sink == 0xffffffffu)
        fputc(' ', stderr);
    return (double)evals * 1000.0 / (double)(now - start);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/testdata/iam-policy-cases";
    const char *dr = argc > 2 ? argv[2] : "tests/data/policy-dr/spoke-trust-external-id.json";
    struct policy_case **cs = calloc(MAX_CASES, sizeof(*cs));
    struct policy_case *one = NULL;
    json_t *doc;
    size_t n, i, wrong;

    if (!cs)
        return 1;
    n = load_dir(dir, cs, 0);
    if (n) {
        double r = rate(cs, n, 2000, &wrong);
        printf("drover conformance: %zu cases (%zu wrong), %.0f evals/s\n", n, wrong, r);
    } else {
        printf("drover conformance: no cases under %s (skipped)\n", dir);
    }
    if (json_load_path(dr, &doc, NULL) == 0) {
        if (policy_case_compile(json_array_get(doc, 0), dr, &one, NULL) == 0) {
            double r = rate(&one, 1, 2000, &wrong);
            printf("drover dr-trust: '%s' (%s), %.0f evals/s\n", policy_case_name(one),
                   wrong ? "WRONG" : "ok", r);
            policy_case_free(one);
        }
        json_decref(doc);
    } else {
        printf("drover dr-trust: %s not found (skipped)\n", dr);
    }
    for (i = 0; i < n; i++)
        policy_case_free(cs[i]);
    free(cs);
    return 0;
}
