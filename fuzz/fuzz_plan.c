/*
 * fuzz_plan.c - libFuzzer target for plan documents: the YAML loader (with
 * its path->line map), normalization of every ProtectionGroup and
 * RecoveryPlan, reference checks across the documents, and the wave order
 * (cycle detection) of every valid plan. Bad input must give issues, never
 * a crash, a leak or an unbounded loop.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/yamljson.h"
#include "plan/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *docs = NULL, *lines = NULL, *groups = json_object(), *plans = json_array(), *d;
    struct plan_issues is;
    size_t i;

    plan_issues_init(&is, "fuzz");
    if (yaml_parse_docs((const char *)data, size, "fuzz", &docs, &lines, NULL) == 0) {
        json_array_foreach(docs, i, d)
        {
            json_t *out = NULL;
            enum plan_kind kind = 0;
            if (plan_normalize(d, json_array_get(lines, i), "", &is, &out, &kind) == 0 && out) {
                if (kind == PLAN_KIND_GROUP && json_is_string(json_object_get(out, "name")))
                    json_object_set(groups, json_string_value(json_object_get(out, "name")), out);
                else if (kind == PLAN_KIND_PLAN)
                    json_array_append(plans, out);
            }
            json_decref(out);
        }
        json_array_foreach(plans, i, d)
        {
            size_t *order = NULL, n = 0;
            plan_check_refs(d, groups, &is);
            if (plan_wave_order(d, &order, &n, NULL) == 0)
                free(order);
        }
        {
            json_t *js = plan_issues_json(&is);
            json_decref(js);
        }
    }
    plan_issues_cleanup(&is);
    json_decref(docs);
    json_decref(lines);
    json_decref(groups);
    json_decref(plans);
    return 0;
}
