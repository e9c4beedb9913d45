/*
 * yamljson.h - loads YAML (one or more documents) into jansson values,
 * with a map from each value's path ("waves[2].dependsOn") to its source
 * line so that later validation errors can name file and line.
 *
 * Plain scalars resolve as in the YAML 1.2 core schema (null, true/false,
 * integers, floats); quoted scalars are always strings. Anchors/aliases
 * and tags other than !!str are rejected. Depends on libyaml, jansson.
 */
#ifndef DROVER_CORE_YAMLJSON_H
#define DROVER_CORE_YAMLJSON_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

#define YAML_MAX_DEPTH 64

/*
 * Parses text. On success *docs is a new JSON array with one element per
 * document, and, if lines is not NULL, *lines is a new JSON array (same
 * length) of objects mapping path -> line number (1-based). `what` names
 * the input in errors ("plan.yaml: line 4 column 3: ...").
 */
int yaml_parse_docs(const char *text, size_t len, const char *what, json_t **docs, json_t **lines,
                    struct dr_err *err);
/* Reads path ("-" = stdin) then yaml_parse_docs. */
int yaml_load_path(const char *path, json_t **docs, json_t **lines, struct dr_err *err);

#endif
