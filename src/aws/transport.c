/*
 * transport.c - the HTTP transport on one libcurl multi handle: a FIFO
 * queue in front of max_in_flight easy handles, a pool of reused easy
 * handles (the multi handle owns the connection cache, so connections are
 * kept alive across transfers), a min-heap of timers, and dispatch of
 * completions from transport_run_once().
 *
 * Single-threaded. Depends on libcurl, core, aws/http.h; knows nothing
 * about AWS protocols, signing or retries.
 */
#include "aws/transport.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"

#define DEFAULT_MAX_IN_FLIGHT 256
#define DEFAULT_MAX_PER_HOST  64
#define DEFAULT_CONNECT_MS    5000L
#define DEFAULT_REQUEST_MS    60000L
#define DEFAULT_MAX_RESPONSE  ((size_t)64 << 20)
#define HOST_FOR_ERRORS_MAX   128
#define EASY_POOL_MAX         64
#define RUN_IDLE_POLL_MS      1000

struct xfer {
    struct transport *t;
    struct xfer *next;          /* queue or failed list */
    struct xfer *aprev, *anext; /* active list (handed to curl) */
    CURL *easy;                 /* NULL while queued */
    struct curl_slist *hdrs;
    char *url;
    char *method;
    char *body;
    size_t body_len;
    char host[HOST_FOR_ERRORS_MAX]; /* for error messages */
    struct http_response resp;
    bool overflow;      /* body exceeded max_response_bytes */
    bool oom;           /* a header could not be stored */
    struct dr_err fail; /* set for transfers that failed before curl ran them */
    char errbuf[CURL_ERROR_SIZE];
    transport_cb cb;
    void *ud;
};

struct timer {
    int64_t due_ms;
    uint64_t seq;
    transport_timer_cb fn;
    void *ud;
};

struct transport {
    CURLM *multi;
    int max_in_flight;
    long connect_timeout_ms;
    long request_timeout_ms;
    size_t max_response_bytes;
    char *ca_bundle;

    /* transfers */
    struct xfer *q_head, *q_tail; /* waiting for a slot, FIFO */
    size_t queued;
    struct xfer *failed_head, *failed_tail; /* failed to start; dispatched by run_once */
    size_t failed;
    int in_flight; /* added to the multi handle */
    struct xfer *active;
    CURL **pool; /* reset easy handles ready for reuse */
    size_t pool_n;

    /* timers: a binary min-heap on (due_ms, seq) */
    struct timer *timers;
    size_t timers_n, timers_cap;
    uint64_t timer_seq;

    struct transport_stats stats;
};

/* ---- timers ---------------------------------------------------------- */

static bool timer_before(const struct timer *a, const struct timer *b)
{
    if (a->due_ms != b->due_ms)
        return a->due_ms < b->due_ms;
    return a->seq < b->seq;
}

static void heap_swap(struct timer *h, size_t i, size_t j)
{
    struct timer tmp = h[i];
    h[i] = h[j];
    h[j] = tmp;
}

static void heap_up(struct timer *h, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!timer_before(&h[i], &h[parent]))
            break;
        heap_swap(h, i, parent);
        i = parent;
    }
}

static void heap_down(struct timer *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && timer_before(&h[l], &h[m]))
            m = l;
        if (r < n && timer_before(&h[r], &h[m]))
            m = r;
        if (m == i)
            break;
        heap_swap(h, i, m);
        i = m;
    }
}

int transport_timer(struct transport *t, int64_t delay_ms, transport_timer_cb fn, void *ud,
                    struct dr_err *err)
{
    if (!fn)
        return dr_err_set(err, DR_EINVAL, "transport_timer: no callback");
    if (delay_ms < 0)
        delay_ms = 0;
    if (t->timers_n == t->timers_cap) {
        size_t nc = t->timers_cap ? t->timers_cap * 2 : 16;
        struct timer *nv = realloc(t->timers, nc * sizeof(*nv));
        if (!nv)
            return dr_err_set(err, DR_ENOMEM, "out of memory");
        t->timers = nv;
        t->timers_cap = nc;
    }
    t->timers[t->timers_n] = (struct timer){
        .due_ms = time_mono_ms() + delay_ms, .seq = t->timer_seq++, .fn = fn, .ud = ud};
    heap_up(t->timers, t->timers_n);
    t->timers_n++;
    return 0;
}

/* Fires every timer due now that existed when this pass began. Returns how many fired. */
static int fire_timers(struct transport *t)
{
    int64_t now = time_mono_ms();
    uint64_t seq_limit = t->timer_seq;
    int fired = 0;

    while (t->timers_n > 0 && t->timers[0].due_ms <= now && t->timers[0].seq < seq_limit) {
        struct timer tm = t->timers[0];
        t->timers_n--;
        if (t->timers_n > 0) {
            t->timers[0] = t->timers[t->timers_n];
            heap_down(t->timers, t->timers_n, 0);
        }
        tm.fn(tm.ud);
        fired++;
    }
    return fired;
}

/* ---- transfers ------------------------------------------------------- */

static void xfer_free(struct xfer *x)
{
    if (!x)
        return;
    curl_slist_free_all(x->hdrs);
    free(x->url);
    free(x->method);
    free(x->body);
    http_resp_cleanup(&x->resp);
    free(x);
}

static void easy_release(struct transport *t, CURL *easy)
{
    if (!easy)
        return;
    if (t->pool_n < EASY_POOL_MAX) {
        curl_easy_reset(easy);
        t->pool[t->pool_n++] = easy;
    } else {
        curl_easy_cleanup(easy);
    }
}

static CURL *easy_get(struct transport *t)
{
    if (t->pool_n > 0)
        return t->pool[--t->pool_n];
    return curl_easy_init();
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;

    if (x->resp.body.len + n > x->resp.body.max) {
        x->overflow = true;
        return 0; /* curl aborts with CURLE_WRITE_ERROR */
    }
    if (buf_add(&x->resp.body, data, n) < 0) {
        x->oom = true;
        return 0;
    }
    return n;
}

/* Called once per header line, status lines included. Keeps the headers of the last response. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    struct str line = {data, n}, name, value;
    char *nm, *val;

    while (line.len > 0 && (line.p[line.len - 1] == '\n' || line.p[line.len - 1] == '\r'))
        line.len--;
    if (line.len == 0)
        return n;
    if (str_starts_with(line, "HTTP/")) {
        /* A new response (after 1xx): forget the headers of the previous one. */
        http_headers_cleanup(&x->resp.headers);
        return n;
    }
    if (line.p[0] == ' ' || line.p[0] == '\t')
        return n; /* obsolete line folding: ignored */
    value = str_cut(line, ':', &name);
    if (!value.p)
        return n; /* not a header line */
    name = str_trim(name);
    value = str_trim(value);
    nm = str_dup(name);
    val = str_dup(value);
    if (!nm || !val || http_headers_add(&x->resp.headers, nm, val) < 0) {
        x->oom = true;
        free(nm);
        free(val);
        return 0;
    }
    free(nm);
    free(val);
    return n;
}

static bool header_present(const struct http_request *req, const char *name)
{
    return http_headers_get(&req->headers, name) != NULL;
}

/* Builds the curl header list: the request's headers exactly, minus curl's own additions. */
static int build_headers(struct xfer *x, const struct http_request *req)
{
    struct buf line;
    size_t i;
    int rc = -DR_ENOMEM;

    buf_init(&line, 0);
    for (i = 0; i < req->headers.n; i++) {
        const struct http_header *h = &req->headers.v[i];
        struct curl_slist *nl;
        buf_reset(&line);
        /* "Name;" sends an empty header; "Name:" would remove it. */
        if (*h->value ? buf_addf(&line, "%s: %s", h->name, h->value) < 0
                      : buf_addf(&line, "%s;", h->name) < 0)
            goto out;
        nl = curl_slist_append(x->hdrs, line.p);
        if (!nl)
            goto out;
        x->hdrs = nl;
    }
    {
        /* Suppress what curl would add on its own. */
        const char *suppress[] = {"Expect:", "Content-Type:", "Transfer-Encoding:"};
        const char *names[] = {"Expect", "Content-Type", "Transfer-Encoding"};
        for (i = 0; i < sizeof(suppress) / sizeof(suppress[0]); i++) {
            struct curl_slist *nl;
            if (header_present(req, names[i]))
                continue;
            nl = curl_slist_append(x->hdrs, suppress[i]);
            if (!nl)
                goto out;
            x->hdrs = nl;
        }
    }
    rc = 0;
out:
    buf_cleanup(&line);
    return rc;
}

static int xfer_new(struct transport *t, const struct http_request *req, transport_cb cb, void *ud,
                    struct xfer **out, struct dr_err *err)
{
    struct xfer *x;
    struct buf url;

    if (!req->method || !*req->method)
        return dr_err_set(err, DR_EINVAL, "transport: request has no method");
    if (!req->host || !*req->host)
        return dr_err_set(err, DR_EINVAL, "transport: request has no host");
    if (!req->scheme || (strcmp(req->scheme, "https") != 0 && strcmp(req->scheme, "http") != 0))
        return dr_err_set(err, DR_EINVAL, "transport: unsupported scheme \"%s\"",
                          req->scheme ? req->scheme : "");
    if (!req->path || req->path[0] != '/')
        return dr_err_set(err, DR_EINVAL, "transport: path must start with '/'");

    x = calloc(1, sizeof(*x));
    if (!x)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    x->t = t;
    x->cb = cb;
    x->ud = ud;
    http_resp_init(&x->resp, t->max_response_bytes);
    dr_strlcpy(x->host, req->host, sizeof(x->host));
    buf_init(&url, 0);
    if (http_req_url(req, &url) < 0)
        goto nomem;
    x->url = buf_detach(&url, NULL);
    x->method = strdup(req->method);
    if (!x->method)
        goto nomem;
    if (req->body_len > 0) {
        x->body = malloc(req->body_len);
        if (!x->body)
            goto nomem;
        memcpy(x->body, req->body, req->body_len);
        x->body_len = req->body_len;
    }
    if (build_headers(x, req) < 0)
        goto nomem;
    *out = x;
    return 0;
nomem:
    buf_cleanup(&url);
    xfer_free(x);
    return dr_err_set(err, DR_ENOMEM, "out of memory");
}

static int setup_easy(struct transport *t, struct xfer *x)
{
    CURL *e = x->easy;
    CURLcode c = CURLE_OK;
    bool has_body = x->body_len > 0;
    const char *m = x->method;

#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (c == CURLE_OK)                                                                         \
            c = curl_easy_setopt(e, opt, val);                                                     \
    } while (0)

    SET(CURLOPT_URL, x->url);
    SET(CURLOPT_PRIVATE, x);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, x->errbuf);
    SET(CURLOPT_HTTPHEADER, x->hdrs);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, x);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, x);
    SET(CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, t->request_timeout_ms);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max_response_bytes);
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_TCP_NODELAY, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    if (t->ca_bundle)
        SET(CURLOPT_CAINFO, t->ca_bundle);

    if (strcmp(m, "HEAD") == 0) {
        SET(CURLOPT_NOBODY, 1L);
    } else if (strcmp(m, "GET") == 0 && !has_body) {
        SET(CURLOPT_HTTPGET, 1L);
    } else if (strcmp(m, "POST") == 0 || has_body) {
        /* POSTFIELDS does not copy: x->body lives as long as the transfer. */
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
        SET(CURLOPT_POSTFIELDS, x->body ? x->body : "");
        if (strcmp(m, "POST") != 0)
            SET(CURLOPT_CUSTOMREQUEST, m);
    } else {
        SET(CURLOPT_CUSTOMREQUEST, m);
    }
#undef SET
    return c == CURLE_OK ? 0 : -1;
}

static void fail_later(struct transport *t, struct xfer *x, enum dr_status st, const char *msg)
{
    dr_err_set(&x->fail, st, "%s %s: %s", x->method, x->host, msg);
    x->next = NULL;
    if (t->failed_tail)
        t->failed_tail->next = x;
    else
        t->failed_head = x;
    t->failed_tail = x;
    t->failed++;
}

/* Moves queued transfers into curl while there is room. */
static void pump(struct transport *t)
{
    while (t->q_head && t->in_flight < t->max_in_flight) {
        struct xfer *x = t->q_head;
        CURLMcode mc;

        t->q_head = x->next;
        if (!t->q_head)
            t->q_tail = NULL;
        t->queued--;
        x->next = NULL;

        x->easy = easy_get(t);
        if (!x->easy) {
            fail_later(t, x, DR_ENOMEM, "cannot create a curl handle");
            continue;
        }
        if (setup_easy(t, x) < 0) {
            easy_release(t, x->easy);
            x->easy = NULL;
            fail_later(t, x, DR_ETRANSPORT, "cannot configure the curl handle");
            continue;
        }
        mc = curl_multi_add_handle(t->multi, x->easy);
        if (mc != CURLM_OK) {
            easy_release(t, x->easy);
            x->easy = NULL;
            fail_later(t, x, DR_ETRANSPORT, curl_multi_strerror(mc));
            continue;
        }
        t->in_flight++;
        x->anext = t->active;
        if (t->active)
            t->active->aprev = x;
        t->active = x;
        if (t->in_flight > t->stats.peak_in_flight)
            t->stats.peak_in_flight = t->in_flight;
    }
}

int transport_submit(struct transport *t, const struct http_request *req, transport_cb cb, void *ud,
                     struct dr_err *err)
{
    struct xfer *x = NULL;
    int rc;

    if (!cb)
        return dr_err_set(err, DR_EINVAL, "transport_submit: no callback");
    rc = xfer_new(t, req, cb, ud, &x, err);
    if (rc < 0)
        return rc;
    if (t->q_tail)
        t->q_tail->next = x;
    else
        t->q_head = x;
    t->q_tail = x;
    t->queued++;
    pump(t);
    return 0;
}

static void finish(struct transport *t, struct xfer *x, CURLcode res)
{
    struct dr_err e;
    long status = 0, conns = 0;
    curl_off_t down = 0, up = 0;

    dr_err_clear(&e);
    curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &conns);
    curl_easy_getinfo(x->easy, CURLINFO_SIZE_DOWNLOAD_T, &down);
    curl_easy_getinfo(x->easy, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    t->stats.connections += (uint64_t)(conns > 0 ? conns : 0);
    t->stats.bytes_in += (uint64_t)(down > 0 ? down : 0);
    t->stats.bytes_out += (uint64_t)(up > 0 ? up : 0);
    t->stats.requests++;

    if (res == CURLE_OK && x->oom) {
        dr_err_set(&e, DR_ENOMEM, "%s %s: out of memory storing the response", x->method, x->host);
    } else if (res == CURLE_OK) {
        x->resp.status = (int)status;
    } else if (x->overflow || res == CURLE_FILESIZE_EXCEEDED) {
        dr_err_set(&e, DR_ENOMEM, "%s %s: response body exceeds %zu bytes", x->method, x->host,
                   t->max_response_bytes);
    } else if (x->oom) {
        dr_err_set(&e, DR_ENOMEM, "%s %s: out of memory storing the response", x->method, x->host);
    } else {
        const char *msg = x->errbuf[0] ? x->errbuf : curl_easy_strerror(res);
        dr_err_set(&e, res == CURLE_OPERATION_TIMEDOUT ? DR_ETIMEOUT : DR_ETRANSPORT, "%s %s: %s",
                   x->method, x->host, msg);
    }
    if (e.status != DR_OK) {
        t->stats.failed++;
        log_at(LOG_DEBUG, "transport: %s", e.msg);
        x->cb(x->ud, NULL, &e);
    } else {
        x->cb(x->ud, &x->resp, NULL);
    }
}

/* Dispatches finished transfers. Returns how many. */
static int dispatch_done(struct transport *t)
{
    CURLMsg *msg;
    int left, n = 0;

    while ((msg = curl_multi_info_read(t->multi, &left)) != NULL) {
        struct xfer *x = NULL;
        CURLcode res;
        if (msg->msg != CURLMSG_DONE)
            continue;
        res = msg->data.result;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        curl_multi_remove_handle(t->multi, msg->easy_handle);
        t->in_flight--;
        if (!x) {
            curl_easy_cleanup(msg->easy_handle);
            continue;
        }
        if (x->aprev)
            x->aprev->anext = x->anext;
        else
            t->active = x->anext;
        if (x->anext)
            x->anext->aprev = x->aprev;
        /* msg is invalid after the callback (it may touch the multi handle). */
        finish(t, x, res);
        easy_release(t, x->easy);
        x->easy = NULL;
        xfer_free(x);
        n++;
        pump(t);
    }
    return n;
}

static int dispatch_failed(struct transport *t)
{
    int n = 0;
    while (t->failed_head) {
        struct xfer *x = t->failed_head;
        t->failed_head = x->next;
        if (!t->failed_head)
            t->failed_tail = NULL;
        t->failed--;
        t->stats.requests++;
        t->stats.failed++;
        x->cb(x->ud, NULL, &x->fail);
        xfer_free(x);
        n++;
    }
    return n;
}

int transport_run_once(struct transport *t, int timeout_ms, struct dr_err *err)
{
    long curl_to = -1;
    int wait_ms = timeout_ms < 0 ? 0 : timeout_ms, running = 0;
    CURLMcode mc;

    if (t->failed_head) {
        dispatch_failed(t);
        wait_ms = 0;
    }
    if (t->timers_n > 0) {
        int64_t until = t->timers[0].due_ms - time_mono_ms();
        if (until < 0)
            until = 0;
        if (until < wait_ms)
            wait_ms = (int)until;
    }
    if (t->in_flight > 0 && curl_multi_timeout(t->multi, &curl_to) == CURLM_OK && curl_to >= 0 &&
        curl_to < wait_ms)
        wait_ms = (int)curl_to;

    if (t->in_flight > 0 || wait_ms > 0) {
        mc = curl_multi_poll(t->multi, NULL, 0, wait_ms, NULL);
        if (mc != CURLM_OK)
            return dr_err_set(err, DR_ETRANSPORT, "curl_multi_poll: %s", curl_multi_strerror(mc));
    }
    if (t->in_flight > 0) {
        mc = curl_multi_perform(t->multi, &running);
        if (mc != CURLM_OK)
            return dr_err_set(err, DR_ETRANSPORT, "curl_multi_perform: %s",
                              curl_multi_strerror(mc));
        dispatch_done(t);
    }
    fire_timers(t);
    dispatch_failed(t);
    return 0;
}

int transport_run(struct transport *t, struct dr_err *err)
{
    while (transport_pending(t) > 0) {
        int rc = transport_run_once(t, RUN_IDLE_POLL_MS, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

size_t transport_pending(const struct transport *t)
{
    return t->queued + t->failed + (size_t)t->in_flight + t->timers_n;
}

void transport_get_stats(const struct transport *t, struct transport_stats *out)
{
    *out = t->stats;
}

/* ---- lifetime -------------------------------------------------------- */

static bool curl_ready(void)
{
    /* curl_global_init is idempotent and reference-counted inside libcurl. */
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

int transport_new(const struct transport_config *cfg, struct transport **out, struct dr_err *err)
{
    struct transport *t;
    struct transport_config defaults = {0};
    const char *ca;
    CURLMcode mc = CURLM_OK;

    *out = NULL;
    if (!cfg)
        cfg = &defaults;
    if (cfg->max_in_flight < 0 || cfg->max_per_host < 0 || cfg->connect_timeout_ms < 0 ||
        cfg->request_timeout_ms < 0)
        return dr_err_set(err, DR_EINVAL, "transport: negative limit in configuration");
    if (!curl_ready())
        return dr_err_set(err, DR_ETRANSPORT, "curl_global_init failed");
    t = calloc(1, sizeof(*t));
    if (!t)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    t->max_in_flight = cfg->max_in_flight ? cfg->max_in_flight : DEFAULT_MAX_IN_FLIGHT;
    t->connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : DEFAULT_CONNECT_MS;
    t->request_timeout_ms = cfg->request_timeout_ms ? cfg->request_timeout_ms : DEFAULT_REQUEST_MS;
    t->max_response_bytes =
        cfg->max_response_bytes ? cfg->max_response_bytes : DEFAULT_MAX_RESPONSE;
    ca = cfg->ca_bundle ? cfg->ca_bundle : getenv("AWS_CA_BUNDLE");
    if (ca && *ca) {
        t->ca_bundle = strdup(ca);
        if (!t->ca_bundle)
            goto nomem;
    }
    t->pool = calloc(EASY_POOL_MAX, sizeof(*t->pool));
    if (!t->pool)
        goto nomem;
    t->multi = curl_multi_init();
    if (!t->multi)
        goto nomem;
    mc = curl_multi_setopt(t->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                           (long)(cfg->max_per_host ? cfg->max_per_host : DEFAULT_MAX_PER_HOST));
    if (mc == CURLM_OK)
        mc = curl_multi_setopt(t->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)t->max_in_flight);
    if (mc == CURLM_OK)
        mc = curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS, (long)t->max_in_flight);
    if (mc == CURLM_OK)
        mc = curl_multi_setopt(t->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    if (mc != CURLM_OK) {
        transport_free(t);
        return dr_err_set(err, DR_ETRANSPORT, "curl_multi_setopt: %s", curl_multi_strerror(mc));
    }
    *out = t;
    return 0;
nomem:
    transport_free(t);
    return dr_err_set(err, DR_ENOMEM, "out of memory");
}

static void free_list(struct xfer *x)
{
    while (x) {
        struct xfer *next = x->next;
        xfer_free(x);
        x = next;
    }
}

void transport_free(struct transport *t)
{
    size_t i;

    if (!t)
        return;
    while (t->active) {
        struct xfer *x = t->active;
        t->active = x->anext;
        curl_multi_remove_handle(t->multi, x->easy);
        curl_easy_cleanup(x->easy);
        xfer_free(x);
    }
    free_list(t->q_head);
    free_list(t->failed_head);
    for (i = 0; i < t->pool_n; i++)
        curl_easy_cleanup(t->pool[i]);
    free(t->pool);
    if (t->multi)
        curl_multi_cleanup(t->multi);
    free(t->timers);
    free(t->ca_bundle);
    free(t);
    curl_global_cleanup();
}
