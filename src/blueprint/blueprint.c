/*
 * blueprint.c - option parsing helpers for `drover blueprint` (account and
 * CIDR lists) and the removal of "#" notes from generated documents (for
 * raw policy files and JSON templates, which cannot carry comments).
 */
#include "blueprint/blueprint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"
#include "core/str.h"
#include "inventory/accounts.h"

typedef int (*item_check)(const char *item, const char *opt, struct dr_err *err);

static int parse_list(const char *csv, const char *opt, item_check check, json_t **out,
                      struct dr_err *err)
{
    *out = NULL;
    if (!dr_nonempty(csv))
        return dr_err_set(err, DR_EINVAL, "%s: at least one value is required", opt);
    json_t *a = json_array();
    struct str rest = str_from(csv), item;
    while (rest.p) {
        rest = str_cut(rest, ',', &item);
        item = str_trim(item);
        if (item.len == 0 && !rest.p && json_array_size(a) > 0)
            break; /* a trailing comma */
        char *s = str_dup(item);
        int rc = s ? check(s, opt, err) : dr_err_set(err, DR_ENOMEM, "out of memory");
        if (rc < 0) {
            free(s);
            json_decref(a);
            return rc;
        }
        bool dup = false;
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v) dup = dup || !strcmp(json_string_value(v), s);
        if (!dup && json_array_size(a) >= BP_MAX_ACCOUNTS) {
            free(s);
            json_decref(a);
            return dr_err_set(err, DR_EINVAL, "%s: more than %d values", opt, BP_MAX_ACCOUNTS);
        }
        if (!dup)
            json_array_append_new(a, json_string(s));
        free(s);
    }
    *out = a;
    return 0;
}

static int check_account(const char *s, const char *opt, struct dr_err *err)
{
    struct dr_err e;
    dr_err_clear(&e);
    if (accounts_check_id(s, &e) < 0)
        return dr_err_set(err, DR_EINVAL, "%s: '%s' is not a 12-digit account ID", opt, s);
    return 0;
}

int bp_parse_accounts(const char *csv, const char *opt, json_t **out, struct dr_err *err)
{
    return parse_list(csv, opt, check_account, out, err);
}

/* a.b.c.d/n with each octet 0..255 and n 0..32 */
static int check_cidr(const char *s, const char *opt, struct dr_err *err)
{
    const char *p = s;
    for (int part = 0; part < 5; part++) {
        int v = 0, digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            v = v * 10 + (*p++ - '0');
            digits++;
        }
        char want = part < 3 ? '.' : part == 3 ? '/' : '\0';
        if (digits == 0 || digits > 3 || v > (part == 4 ? 32 : 255) || *p != want)
            return dr_err_set(err, DR_EINVAL, "%s: '%s' is not an IPv4 CIDR (10.0.0.0/16)", opt, s);
        if (want)
            p++;
    }
    return 0;
}

int bp_parse_cidrs(const char *csv, const char *opt, json_t **out, struct dr_err *err)
{
    return parse_list(csv, opt, check_cidr, out, err);
}

void bp_strip_notes(json_t *v, json_t *notes)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) bp_strip_notes(m, notes);
        return;
    }
    if (!json_is_object(v))
        return;
    const char *k;
    json_t *m;
    void *tmp;
    json_object_foreach_safe(v, tmp, k, m)
    {
        if (k[0] == '#') {
            if (notes && json_is_string(m)) {
                const char *sid = json_str_borrow(v, "Sid");
                const char *where = sid ? sid : json_str_borrow(v, "Description");
                char line[1024];
                snprintf(line, sizeof line, "%s: %s", where ? where : "note", json_string_value(m));
                json_array_append_new(notes, json_string(line));
            }
            json_object_del(v, k);
            continue;
        }
        bp_strip_notes(m, notes);
    }
}
