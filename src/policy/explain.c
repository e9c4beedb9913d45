/*
 * explain.c - human-readable explanations of policy decisions: for each
 * stage, the statements that matched or nearly matched (the action
 * matched but the resource, principal or a condition did not), with the
 * policy name and Sid, the failing condition key and the expected vs
 * actual values ("Condition StringEquals sts:ExternalId: expected
 * 'a1b2…', request had 'wrong'"), then the verdict. Built only on
 * request; the fast path never comes here. External IDs are shown
 * truncated. Depends on internal.h, jansson and core.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"
#include "policy/internal.h"

struct explainer {
    struct buf *text;
    json_t *lines;
    int rc;
};

static bool sensitive_key(const char *key)
{
    return strcasestr(key, "externalid") != NULL;
}

/* Appends 'v' quoted, truncated for sensitive keys and long values. */
static void add_value(struct buf *b, const char *v, bool sensitive)
{
    size_t n = strlen(v), keep = sensitive ? 4 : 80;
    int rc = 0;

    if (sensitive && n <= 8 && n > 4)
        keep = n; /* short wrong guesses are shown whole */
    if (n > keep)
        rc = buf_addf(b, "'%.*s…'", (int)keep, v);
    else
        rc = buf_addf(b, "'%s'", v);
    (void)rc; /* a capped buffer just truncates the explanation */
}

static void cond_detail(struct buf *b, const struct cond_fail *f)
{
    const struct cond *c = f->cond;
    bool sens = sensitive_key(c->key);
    size_t i;
    int rc;

    rc = buf_addf(b, "Condition %s %s: ", c->op_name, c->key);
    if (f->unresolved) {
        rc |= buf_addf(b, "policy variable ${%.*s} is not set in the request, so it cannot match",
                       (int)f->varlen, f->var);
        (void)rc;
        return;
    }
    if (c->op == OP_NULL) {
        rc |= buf_addf(b, "expected the key to be %s, request %s",
                       dr_strcaseeq(c->vals[0].pat.raw, "true") ? "absent" : "present",
                       f->missing ? "had no value" : "had it");
        (void)rc;
        return;
    }
    rc |= buf_adds(b, cond_op_negated(c->op) ? "expected none of " : "expected ");
    for (i = 0; i < c->nvals && i < 4; i++) {
        if (i)
            rc |= buf_adds(b, " or ");
        add_value(b, c->vals[i].pat.raw, sens);
    }
    if (c->nvals > 4)
        rc |= buf_addf(b, " (+%zu more)", c->nvals - 4);
    if (c->nvals == 0)
        rc |= buf_adds(b, "(no values)");
    if (f->missing) {
        rc |= buf_adds(b, ", request had no value for the key");
    } else {
        rc |= buf_adds(b, ", request had ");
        add_value(b, f->actual ? f->actual : "", sens);
    }
    (void)rc;
}

static void emit(struct explainer *ex, const char *stage, const char *policy, const char *sid,
                 const char *effect, const char *result, const char *detail)
{
    struct buf line;
    int rc;

    buf_init(&line, 4096);
    if (policy)
        rc = buf_addf(&line, "[%s] %s '%s' %s (%s): %s", stage, "policy", policy, sid, effect,
                      result);
    else
        rc = buf_addf(&line, "[%s] %s", stage, result);
    if (detail && *detail)
        rc |= buf_addf(&line, " - %s", detail);
    if (ex->text)
        rc |= buf_addf(ex->text, "%s\n", line.p);
    if (ex->lines) {
        json_t *o = json_object();
        if (o) {
            json_object_set_new(o, "stage", json_string(stage));
            if (policy) {
                json_object_set_new(o, "policy", json_string(policy));
                json_object_set_new(o, "sid", json_string(sid));
                json_object_set_new(o, "effect", json_string(effect));
            }
            json_object_set_new(o, "result", json_string(result));
            if (detail && *detail)
                json_object_set_new(o, "detail", json_string(detail));
            json_object_set_new(o, "text", json_string(line.p));
            json_array_append_new(ex->lines, o);
        } else {
            rc = -DR_ENOMEM;
        }
    }
    if (rc)
        ex->rc = -DR_ENOMEM;
    buf_cleanup(&line);
}

static const char *pm_name(enum pmatch pm)
{
    switch (pm) {
    case PM_ACCOUNT:
        return "via its account (delegates to the account's IAM policies)";
    case PM_SESSION_ROLE:
        return "via the role of the session";
    case PM_SESSION_USER:
        return "via the user of the federated session";
    case PM_EXACT:
        return "by name";
    case PM_WILDCARD:
        return "by \"*\"";
    case PM_NONE:
        break;
    }
    return "not at all";
}

void explain_stmt(struct explainer *ex, const char *stage, const struct policy *p,
                  const struct stmt *s, const struct smatch *m)
{
    char sid[96];
    struct buf d;
    const char *result;
    int rc = 0;

    if (m->miss == SM_ACTION)
        return; /* unrelated statements are not worth a line */
    if (s->sid && *s->sid)
        snprintf(sid, sizeof(sid), "Sid '%.80s'", s->sid);
    else
        snprintf(sid, sizeof(sid), "statement #%d", s->index + 1);
    buf_init(&d, 4096);
    switch (m->miss) {
    case SM_OK:
        result = "matched";
        if (s->pelem != PE_NONE && (!strcmp(stage, "resource") || !strcmp(stage, "trust") ||
                                    !strcmp(stage, "key") || !strcmp(stage, "endpoint")))
            rc = buf_addf(&d, "principal matched %s", pm_name(m->pm));
        break;
    case SM_RESOURCE:
        result = "near match: resource differs";
        rc = buf_addf(&d, "%s",
                      s->not_resource ? "the request resource is excluded by NotResource"
                                      : "no Resource pattern matches the request");
        break;
    case SM_PRINCIPAL:
        result = "near match: principal not named";
        rc = buf_addf(&d, "%s",
                      s->pelem == PE_NOT_PRINCIPAL
                          ? "the request principal is excluded by NotPrincipal"
                          : "the request principal is not in its Principal");
        break;
    case SM_NOPRINCIPAL:
        result = "ignored: no Principal element";
        rc = buf_adds(&d, "a statement in this kind of policy must name a Principal");
        break;
    case SM_CONDITION:
        result = "near match: condition failed";
        cond_detail(&d, &m->cf);
        break;
    case SM_ACTION:
    default:
        result = "unrelated";
        break;
    }
    (void)rc;
    emit(ex, stage, p->name, sid, s->allow ? "Allow" : "Deny", result, d.p);
    buf_cleanup(&d);
}

void explain_note(struct explainer *ex, const char *stage, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    emit(ex, stage, NULL, NULL, NULL, msg, NULL);
}

int policy_explain(const struct policy_set *set, const struct policy_request *req,
                   enum policy_decision *decision, struct buf *text, json_t **lines,
                   struct dr_err *err)
{
    struct explainer ex = {.text = text};
    struct eval_req r;
    enum policy_decision d;

    if (lines) {
        *lines = NULL;
        ex.lines = json_array();
        if (!ex.lines)
            return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    if (eval_prepare(req, set, &r) < 0) {
        json_decref(ex.lines);
        return dr_err_set(err, DR_EINVAL, "request: action is missing or longer than %d bytes",
                          EVAL_ACTION_MAX - 1);
    }
    d = eval_run(set, &r, &ex);
    if (decision)
        *decision = d;
    if (ex.rc) {
        json_decref(ex.lines);
        return dr_err_set(err, DR_ENOMEM, "explanation: out of memory");
    }
    if (lines)
        *lines = ex.lines;
    return 0;
}
