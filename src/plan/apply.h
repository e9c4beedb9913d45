/*
 * apply.h - `drover apply`: validates every document of a file (groups
 * and plans, with references checked against the stored groups and the
 * file's own), then stores them all in one transaction, or nothing.
 * Depends on plan/plan.h and store/store.h.
 */
#ifndef DROVER_PLAN_APPLY_H
#define DROVER_PLAN_APPLY_H

#include <jansson.h>

#include "plan/plan.h"
#include "store/store.h"

/*
 * docs/lines as from yaml_parse_docs. On success *results is a new JSON
 * array of {"kind","name","version","changed"}. Validation problems go to
 * `is` and return -DR_EINVAL with nothing stored.
 */
int plan_apply(struct store *st, const json_t *docs, const json_t *lines, struct plan_issues *is,
               json_t **results, struct dr_err *err);

/* Loads every stored group into an object name -> normalized group (new reference). */
int plan_load_groups(struct store *st, json_t **groups, struct dr_err *err);

#endif
