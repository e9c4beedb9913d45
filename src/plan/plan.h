/*
 * plan.h - protection groups and recovery plans: parsing YAML/JSON
 * documents into a normalized JSON form, and validation that reports
 * every problem with its path ("waves[2].dependsOn") and, when known, the
 * source line.
 *
 * Documents are plain jansson values; normalization fills defaults,
 * turns account IDs into 12-digit strings and durations into seconds,
 * and rejects unknown keys. The format is documented in
 * docs/plan-format.md. Depends on core/ and jansson only (no store, no AWS).
 */
#ifndef DROVER_PLAN_PLAN_H
#define DROVER_PLAN_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

#define PLAN_NAME_MAX 63

enum plan_kind { PLAN_KIND_GROUP = 1, PLAN_KIND_PLAN = 2 };

/* A list of validation problems. */
struct plan_issue {
    char *path;    /* "waves[2].dependsOn", "" for the whole document */
    char *message; /* plain language */
    int line;      /* source line, 0 when unknown */
    bool warning;  /* true: reported but does not make the document invalid */
};

struct plan_issues {
    struct plan_issue *v;
    size_t n, cap;
    size_t errors;    /* issues that are not warnings */
    const char *file; /* names the source in printed issues; borrowed */
};

void plan_issues_init(struct plan_issues *is, const char *file);
void plan_issues_cleanup(struct plan_issues *is);
/* Adds an issue; `lines` (a path->line object from yamljson, may be NULL)
 * gives the line of the path or of its nearest parent. */
void plan_issue_add(struct plan_issues *is, const json_t *lines, bool warning, const char *path,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Line of a path or of its nearest parent in a yamljson line map; 0 if unknown. */
int plan_line_of(const json_t *lines, const char *path);
/* Prints each issue as "FILE:LINE: PATH: message" to stderr. */
void plan_issues_print(const struct plan_issues *is);
/* Issues as a JSON array [{"path","message","line","severity"}]. New reference. */
json_t *plan_issues_json(const struct plan_issues *is);

/*
 * Normalizes one document (a ProtectionGroup or RecoveryPlan). On success
 * returns 0 and *out is the normalized document (new reference) and *kind
 * its kind; problems go to `is` (the return is -DR_EINVAL when any error
 * was found). `prefix` is prepended to paths (e.g. "documents[1]." for
 * multi-document files; may be "").
 */
int plan_normalize(const json_t *doc, const json_t *lines, const char *prefix,
                   struct plan_issues *is, json_t **out, enum plan_kind *kind);

/*
 * Checks a normalized plan against the groups that exist: unknown groups,
 * unknown or duplicate waves, dependency cycles (naming the cycle),
 * self-dependencies. groups is an object name -> normalized group.
 */
void plan_check_refs(const json_t *plan, const json_t *groups, struct plan_issues *is);

/*
 * Topological order of a normalized plan's waves: *order gets an array of
 * wave indexes such that every wave comes after its dependencies. Fails
 * with -DR_EINVAL on a cycle or an unknown wave (checked by plan_check_refs).
 */
int plan_wave_order(const json_t *plan, size_t **order, size_t *n, struct dr_err *err);

/* Index of the wave named `name` in a normalized plan's waves array, or -1. */
ssize_t plan_wave_index(const json_t *waves, const char *name);

/* Does a JSON array hold the string s? */
bool plan_list_has(const json_t *list, const char *s);

/* Parses a duration: integer seconds, or "90s", "30m", "2h", "1h30m". -1 on error. */
long plan_parse_duration(const json_t *v);

/*
 * Does a normalized group's selector or server list include this server?
 * server is an inventory item with account_id, region, source_server_id
 * and tags (object).
 */
bool plan_group_matches(const json_t *group, const json_t *server);

#endif
