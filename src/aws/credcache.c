/*
 * credcache.c - the assumed-role credential cache: a map from
 * cred_cache_key() to an entry that is VALID (credentials), FETCHING (one
 * caller is running AssumeRole; later callers queue as waiters) or FAILED
 * (the last fetch's error). A mutex guards the map; waiters are always
 * called with it released, from a private list and with a private copy
 * of the result, so a waiter may call back into the cache (lookup,
 * complete) for any key. Secrets are wiped when replaced or freed.
 *
 * Depends on core/, aws/creds.h and jansson (for the key's tag hash).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/credentials.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/jsonutil.h"

enum entry_state { ENTRY_VALID = 0, ENTRY_FETCHING = 1, ENTRY_FAILED = 2 };

struct waiter {
    cred_wait_cb cb;
    void *ud;
    struct waiter *next;
};

struct entry {
    char *key;
    enum entry_state state;
    struct aws_creds creds; /* VALID */
    struct dr_err err;      /* FAILED */
    struct waiter *waiters; /* FETCHING, in registration order */
    struct waiter **tail;
    struct entry *next;
};

#define NBUCKETS 64

struct cred_cache {
    pthread_mutex_t mu;
    struct entry *buckets[NBUCKETS];
};

static unsigned hash_key(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % NBUCKETS;
}

struct cred_cache *cred_cache_new(void)
{
    struct cred_cache *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

static void free_waiters(struct waiter *w)
{
    while (w) {
        struct waiter *n = w->next;
        free(w);
        w = n;
    }
}

void cred_cache_free(struct cred_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < NBUCKETS; i++) {
        struct entry *e = c->buckets[i];
        while (e) {
            struct entry *n = e->next;
            aws_creds_cleanup(&e->creds);
            free_waiters(e->waiters);
            free(e->key);
            free(e);
            e = n;
        }
    }
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static struct entry *find(struct cred_cache *c, const char *key)
{
    for (struct entry *e = c->buckets[hash_key(key)]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static struct entry *find_or_add(struct cred_cache *c, const char *key)
{
    struct entry *e = find(c, key);
    unsigned h;

    if (e)
        return e;
    e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->key = strdup(key);
    if (!e->key) {
        free(e);
        return NULL;
    }
    e->state = ENTRY_FAILED; /* nothing yet: the next lookup fetches */
    e->tail = &e->waiters;
    h = hash_key(key);
    e->next = c->buckets[h];
    c->buckets[h] = e;
    return e;
}

enum cred_lookup cred_cache_lookup(struct cred_cache *c, const char *key, int64_t now_ms,
                                   struct aws_creds *out, cred_wait_cb cb, void *ud)
{
    enum cred_lookup r;
    struct entry *e;

    pthread_mutex_lock(&c->mu);
    e = find_or_add(c, key);
    if (!e) {
        r = CRED_ERROR;
    } else if (e->state == ENTRY_VALID &&
               aws_creds_valid(&e->creds, now_ms, CRED_REFRESH_MARGIN_MS)) {
        r = aws_creds_copy(out, &e->creds, NULL) == 0 ? CRED_HIT : CRED_ERROR;
    } else if (e->state == ENTRY_FETCHING) {
        r = CRED_WAIT;
        if (cb) {
            struct waiter *w = calloc(1, sizeof(*w));
            if (!w) {
                r = CRED_ERROR;
            } else {
                w->cb = cb;
                w->ud = ud;
                *e->tail = w;
                e->tail = &w->next;
            }
        }
    } else {
        /* none, stale or failed: this caller fetches */
        e->state = ENTRY_FETCHING;
        r = CRED_FETCH;
    }
    pthread_mutex_unlock(&c->mu);
    return r;
}

void cred_cache_complete(struct cred_cache *c, const char *key, const struct aws_creds *creds,
                         const struct dr_err *err)
{
    struct aws_creds copy;
    struct dr_err e_copy;
    struct waiter *ws = NULL;
    struct entry *e;
    bool ok = creds && creds->access_key_id && (!err || err->status == DR_OK);

    memset(&copy, 0, sizeof(copy));
    dr_err_clear(&e_copy);
    if (ok && aws_creds_copy(&copy, creds, &e_copy) < 0)
        ok = false;
    if (!ok && e_copy.status == DR_OK) {
        if (err && err->status != DR_OK)
            dr_err_copy(&e_copy, err);
        else
            dr_err_set(&e_copy, DR_ECRED, "AssumeRole returned no credentials");
    }

    pthread_mutex_lock(&c->mu);
    e = find_or_add(c, key);
    if (e) {
        aws_creds_cleanup(&e->creds);
        if (ok) {
            /* a second copy for the entry; the first goes to the waiters */
            if (aws_creds_copy(&e->creds, &copy, &e_copy) == 0) {
                e->state = ENTRY_VALID;
                dr_err_clear(&e->err);
            } else {
                e->state = ENTRY_FAILED;
                dr_err_copy(&e->err, &e_copy);
            }
        } else {
            e->state = ENTRY_FAILED;
            dr_err_copy(&e->err, &e_copy);
        }
        ws = e->waiters;
        e->waiters = NULL;
        e->tail = &e->waiters;
    }
    pthread_mutex_unlock(&c->mu);

    /* Waiters run unlocked. Each is called exactly once: the list is ours. */
    while (ws) {
        struct waiter *n = ws->next;
        if (ok)
            ws->cb(ws->ud, &copy, NULL);
        else
            ws->cb(ws->ud, NULL, &e_copy);
        free(ws);
        ws = n;
    }
    aws_creds_cleanup(&copy);
}

/*
 * parent AKID | role ARN | sha256(external id NUL session name NUL source
 * identity NUL tags-json NUL transitive-keys-json). The hash keeps the
 * external ID out of the key's plain text. DurationSeconds is left out: it
 * does not change the identity.
 */
int cred_cache_key(const char *parent_akid, const struct cred_role *r, char *out, size_t n)
{
    struct buf b;
    char hex[65];
    int rc = 0, len;

    if (!parent_akid || !r || !r->role_arn || !out || n == 0)
        return -DR_EINVAL;
    buf_init(&b, 1 << 20);
    if (buf_adds(&b, r->external_id ? "E" : "-") < 0 ||
        (r->external_id && buf_adds(&b, r->external_id) < 0) || buf_addch(&b, '\0') < 0 ||
        buf_adds(&b, r->session_name ? "S" : "-") < 0 ||
        (r->session_name && buf_adds(&b, r->session_name) < 0) || buf_addch(&b, '\0') < 0 ||
        buf_adds(&b, r->source_identity ? "I" : "-") < 0 ||
        (r->source_identity && buf_adds(&b, r->source_identity) < 0) || buf_addch(&b, '\0') < 0)
        rc = -DR_ENOMEM;
    if (rc == 0 && r->tags && json_dump_buf(r->tags, JSON_COMPACT | JSON_SORT_KEYS, &b) < 0)
        rc = -DR_ENOMEM;
    if (rc == 0 && buf_addch(&b, '\0') < 0)
        rc = -DR_ENOMEM;
    if (rc == 0 && r->transitive_tag_keys &&
        json_dump_buf(r->transitive_tag_keys, JSON_COMPACT, &b) < 0)
        rc = -DR_ENOMEM;
    if (rc == 0) {
        crypto_sha256_hex(b.p, b.len, hex);
        len = snprintf(out, n, "%s|%s|%s", parent_akid, r->role_arn, hex);
        if (len < 0 || (size_t)len >= n)
            rc = -DR_EINVAL;
    }
    if (b.len)
        memset(b.p, 0, b.len);
    buf_cleanup(&b);
    return rc;
}
