/*
 * exec.c - the backend-independent half of the execution records
 * (store/exec.h): argument checks, dispatch, and the _cleanup functions.
 * Must not contain SQL.
 */
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "store/exec_impl.h"

void store_exec_cleanup(struct store_exec *e)
{
    if (!e)
        return;
    free(e->id);
    free(e->plan_name);
    free(e->kind);
    free(e->state);
    free(e->source_execution_id);
    free(e->request);
    free(e->error);
    free(e->lease_host);
    json_decref(e->spec);
    memset(e, 0, sizeof(*e));
}

void store_exec_wave_cleanup(struct store_exec_wave *w)
{
    if (!w)
        return;
    free(w->name);
    free(w->state);
    free(w->error);
    memset(w, 0, sizeof(*w));
}

void store_exec_server_cleanup(struct store_exec_server *sv)
{
    if (!sv)
        return;
    free(sv->account_id);
    free(sv->region);
    free(sv->source_server_id);
    free(sv->state);
    free(sv->job_id);
    free(sv->recovery_instance_id);
    free(sv->ec2_instance_id);
    free(sv->error);
    memset(sv, 0, sizeof(*sv));
}

void store_exec_batch_cleanup(struct store_exec_batch *b)
{
    if (!b)
        return;
    free(b->account_id);
    free(b->region);
    free(b->state);
    free(b->job_id);
    free(b->error);
    json_decref(b->servers);
    memset(b, 0, sizeof(*b));
}

void store_exec_full_cleanup(struct store_exec_full *f)
{
    size_t i;

    if (!f)
        return;
    store_exec_cleanup(&f->e);
    for (i = 0; i < f->nwaves; i++)
        store_exec_wave_cleanup(&f->waves[i]);
    for (i = 0; i < f->nservers; i++)
        store_exec_server_cleanup(&f->servers[i]);
    for (i = 0; i < f->nbatches; i++)
        store_exec_batch_cleanup(&f->batches[i]);
    free(f->waves);
    free(f->servers);
    free(f->batches);
    memset(f, 0, sizeof(*f));
}

void store_exec_list_cleanup(struct store_exec_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        store_exec_cleanup(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

void store_exec_event_list_cleanup(struct store_exec_event_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static int need_id(const char *id, struct dr_err *err)
{
    if (!dr_nonempty(id))
        return dr_err_set(err, DR_EINVAL, "store: no execution ID given");
    return 0;
}

int store_exec_create(struct store *s, const struct store_exec_full *f, struct dr_err *err)
{
    if (need_id(f->e.id, err) < 0)
        return -DR_EINVAL;
    if (!f->e.plan_name || !f->e.kind || !f->e.state || !f->e.spec)
        return dr_err_set(err, DR_EINVAL, "store: execution %s lacks plan, kind, state or spec",
                          f->e.id);
    for (size_t i = 0; i < f->nservers; i++)
        if (!f->servers[i].account_id || !f->servers[i].region || !f->servers[i].source_server_id ||
            !f->servers[i].state)
            return dr_err_set(err, DR_EINVAL, "store: execution %s: servers[%zu] is incomplete",
                              f->e.id, i);
    return s->ops->exec->create(s, f, err);
}

int store_exec_get(struct store *s, const char *id, bool want_spec, struct store_exec *out,
                   struct dr_err *err)
{
    memset(out, 0, sizeof(*out));
    if (need_id(id, err) < 0)
        return -DR_EINVAL;
    return s->ops->exec->get(s, id, want_spec, out, err);
}

int store_exec_get_full(struct store *s, const char *id, struct store_exec_full *out,
                        struct dr_err *err)
{
    memset(out, 0, sizeof(*out));
    if (need_id(id, err) < 0)
        return -DR_EINVAL;
    return s->ops->exec->get_full(s, id, out, err);
}

int store_exec_list(struct store *s, struct store_exec_list *out, struct dr_err *err)
{
    memset(out, 0, sizeof(*out));
    return s->ops->exec->list(s, out, err);
}

int store_exec_update(struct store *s, const struct store_exec *e, struct dr_err *err)
{
    if (need_id(e->id, err) < 0)
        return -DR_EINVAL;
    if (!dr_nonempty(e->state))
        return dr_err_set(err, DR_EINVAL, "store: execution %s: no state", e->id);
    return s->ops->exec->update(s, e, err);
}

int store_exec_set_request(struct store *s, const char *id, const char *request, struct dr_err *err)
{
    if (need_id(id, err) < 0)
        return -DR_EINVAL;
    return s->ops->exec->set_request(s, id, request, NULL, false, err);
}

int store_exec_clear_request(struct store *s, const char *id, const char *seen, struct dr_err *err)
{
    if (need_id(id, err) < 0)
        return -DR_EINVAL;
    if (!seen)
        return 0;
    return s->ops->exec->set_request(s, id, NULL, seen, true, err);
}

int store_exec_approve_waiting(struct store *s, const char *id, int *n, struct dr_err *err)
{
    if (need_id(id, err) < 0)
        return -DR_EINVAL;
    return s->ops->exec->approve_waiting(s, id, n, err);
}

int store_exec_lease_cas(struct store *s, const char *id, const char *seen_host, int64_t seen_pid,
                         int64_t seen_expires, const char *host, int64_t pid, int64_t expires_at,
                         struct dr_err *err)
{
    if (need_id(id, err) < 0)
        return -DR_EINVAL;
    return s->ops->exec->lease_cas(s, id, seen_host, seen_pid, seen_expires, host, pid, expires_at,
                                   err);
}

int store_exec_wave_put(struct store *s, const char *id, const struct store_exec_wave *w,
                        struct dr_err *err)
{
    if (need_id(id, err) < 0)
        return -DR_EINVAL;
    if (!w->name || !w->state)
        return dr_err_set(err, DR_EINVAL, "store: execution %s: wave %d lacks name or state", id,
                          w->idx);
    return s->ops->exec->wave_put(s, id, w, err);
}

int store_exec_server_put(struct store *s, const char *id, const struct store_exec_server *sv,
                          struct dr_err *err)
{
    if (need_id(id, err) < 0)
        return -DR_EINVAL;
    if (!sv->account_id || !sv->region || !sv->source_server_id || !sv->state)
        return dr_err_set(err, DR_EINVAL, "store: execution %s: incomplete server row", id);
    return s->ops->exec->server_put(s, id, sv, err);
}

int store_exec_batch_put(struct store *s, const char *id, const struct store_exec_batch *b,
                         struct dr_err *err)
{
    if (need_id(id, err) < 0)
        return -DR_EINVAL;
    if (b->batch_no <= 0 || !b->account_id || !b->region || !b->state || !b->servers)
        return dr_err_set(err, DR_EINVAL, "store: execution %s: incomplete batch %lld", id,
                          (long long)b->batch_no);
    return s->ops->exec->batch_put(s, id, b, err);
}

int store_exec_event(struct store *s, const char *id, int64_t at, const char *text,
                     struct dr_err *err)
{
    if (need_id(id, err) < 0)
        return -DR_EINVAL;
    return s->ops->exec->event(s, id, at, text ? text : "", err);
}

int store_exec_events(struct store *s, const char *id, int64_t after_seq,
                      struct store_exec_event_list *out, struct dr_err *err)
{
    memset(out, 0, sizeof(*out));
    if (need_id(id, err) < 0)
        return -DR_EINVAL;
    return s->ops->exec->events(s, id, after_seq, out, err);
}
