/*
 * testsrv.h - an in-process HTTP test server on libmicrohttpd, shared by
 * the transport unit tests and bench/bench_transport.c (header-only).
 *
 * It listens on 127.0.0.1 on an ephemeral port, one thread per
 * connection, and answers according to the query string:
 *   ms=N       wait N ms before answering (interruptible by testsrv_stop)
 *   status=N   HTTP status (default 200)
 *   bytes=N    body of N 'x' bytes (default: a short description of the
 *              request: "id=<id> method=<M> len=<request body length>")
 *   chunked=1  send the body without Content-Length (chunked)
 *   id=S       echoed in the default body
 * Every response carries "X-Amzn-RequestId: Req-<id>". The server counts
 * requests, accepted connections and the peak number of open connections
 * and of requests being answered at once, and keeps the headers of the
 * last request. Depends on libmicrohttpd and pthreads; no drover code.
 */
#ifndef DROVER_TESTSRV_H
#define DROVER_TESTSRV_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TESTSRV_UNUSED   __attribute__((unused))
#define TESTSRV_HDRS_MAX 4096

struct testsrv {
    struct MHD_Daemon *d;
    unsigned short port;
    atomic_bool stopping;
    pthread_mutex_t mu;
    /* guarded by mu */
    long requests;
    long conns_accepted;
    int conns_open, conns_peak;
    int active, active_peak;
    char last_headers[TESTSRV_HDRS_MAX]; /* "Name: value\n" lines */
    char last_method[16];
    size_t last_body_len;
};

struct testsrv_req {
    size_t body_len;
};

static TESTSRV_UNUSED long testsrv_arg_long(struct MHD_Connection *c, const char *k, long def)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
    char *end;
    long n;
    if (!v || !*v)
        return def;
    n = strtol(v, &end, 10);
    return *end ? def : n;
}

static TESTSRV_UNUSED int64_t testsrv_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static TESTSRV_UNUSED void testsrv_sleep(struct testsrv *s, long ms)
{
    int64_t deadline = testsrv_mono_ms() + ms;
    for (;;) {
        int64_t left = deadline - testsrv_mono_ms();
        struct timespec ts;
        if (left <= 0 || atomic_load(&s->stopping))
            return;
        if (left > 10)
            left = 10;
        ts.tv_sec = 0;
        ts.tv_nsec = (long)left * 1000000L;
        nanosleep(&ts, NULL);
    }
}

struct testsrv_hdr_acc {
    char *out;
    size_t len, cap;
};

static TESTSRV_UNUSED enum MHD_Result testsrv_hdr_iter(void *cls, enum MHD_ValueKind kind,
                                                       const char *key, const char *value)
{
    struct testsrv_hdr_acc *a = cls;
    int n;
    (void)kind;
    n = snprintf(a->out + a->len, a->cap - a->len, "%s: %s\n", key, value ? value : "");
    if (n > 0 && (size_t)n < a->cap - a->len)
        a->len += (size_t)n;
    return MHD_YES;
}

struct testsrv_chunk {
    size_t left;
};

static TESTSRV_UNUSED ssize_t testsrv_chunk_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct testsrv_chunk *ck = cls;
    size_t n = ck->left < max ? ck->left : max;
    (void)pos;
    if (n > 1000)
        n = 1000; /* several chunks */
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    memset(buf, 'x', n);
    ck->left -= n;
    return (ssize_t)n;
}

static TESTSRV_UNUSED void testsrv_chunk_free(void *cls)
{
    free(cls);
}

static TESTSRV_UNUSED enum MHD_Result testsrv_handler(void *cls, struct MHD_Connection *c,
                                                      const char *url, const char *method,
                                                      const char *version, const char *upload,
                                                      size_t *upload_size, void **req_cls)
{
    struct testsrv *s = cls;
    struct testsrv_req *r = *req_cls;
    struct MHD_Response *resp;
    struct testsrv_hdr_acc acc;
    char hdrs[TESTSRV_HDRS_MAX], reqid[96], small[256];
    const char *id;
    long ms, status, bytes;
    enum MHD_Result ret;

    (void)url;
    (void)version;
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (!r)
            return MHD_NO;
        *req_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        (void)upload;
        r->body_len += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }
    acc.out = hdrs;
    acc.len = 0;
    acc.cap = sizeof(hdrs);
    hdrs[0] = '\0';
    MHD_get_connection_values(c, MHD_HEADER_KIND, testsrv_hdr_iter, &acc);

    pthread_mutex_lock(&s->mu);
    s->requests++;
    s->active++;
    if (s->active > s->active_peak)
        s->active_peak = s->active;
    memcpy(s->last_headers, hdrs, sizeof(hdrs));
    snprintf(s->last_method, sizeof(s->last_method), "%s", method);
    s->last_body_len = r->body_len;
    pthread_mutex_unlock(&s->mu);

    ms = testsrv_arg_long(c, "ms", 0);
    status = testsrv_arg_long(c, "status", 200);
    bytes = testsrv_arg_long(c, "bytes", -1);
    id = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "id");
    if (!id)
        id = "-";
    if (ms > 0)
        testsrv_sleep(s, ms);

    if (bytes >= 0 && testsrv_arg_long(c, "chunked", 0)) {
        struct testsrv_chunk *ck = malloc(sizeof(*ck));
        if (!ck)
            return MHD_NO;
        ck->left = (size_t)bytes;
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, testsrv_chunk_read, ck,
                                                 testsrv_chunk_free);
    } else if (bytes >= 0) {
        char *body = malloc((size_t)bytes + 1);
        if (!body)
            return MHD_NO;
        memset(body, 'x', (size_t)bytes);
        resp = MHD_create_response_from_buffer((size_t)bytes, body, MHD_RESPMEM_MUST_FREE);
    } else {
        snprintf(small, sizeof(small), "id=%s method=%s len=%zu", id, method, r->body_len);
        resp = MHD_create_response_from_buffer(strlen(small), small, MHD_RESPMEM_MUST_COPY);
    }
    if (!resp)
        return MHD_NO;
    snprintf(reqid, sizeof(reqid), "Req-%s", id);
    MHD_add_response_header(resp, "X-Amzn-RequestId", reqid);
    ret = MHD_queue_response(c, (unsigned int)status, resp);
    MHD_destroy_response(resp);

    pthread_mutex_lock(&s->mu);
    s->active--;
    pthread_mutex_unlock(&s->mu);
    return ret;
}

static TESTSRV_UNUSED void testsrv_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                                             enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    free(*req_cls);
    *req_cls = NULL;
}

static TESTSRV_UNUSED void testsrv_notify_conn(void *cls, struct MHD_Connection *c,
                                               void **socket_ctx,
                                               enum MHD_ConnectionNotificationCode code)
{
    struct testsrv *s = cls;
    (void)c;
    (void)socket_ctx;
    pthread_mutex_lock(&s->mu);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        s->conns_accepted++;
        s->conns_open++;
        if (s->conns_open > s->conns_peak)
            s->conns_peak = s->conns_open;
    } else {
        s->conns_open--;
    }
    pthread_mutex_unlock(&s->mu);
}

/* Starts the server. 0 or -1. */
static TESTSRV_UNUSED int testsrv_start(struct testsrv *s)
{
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;

    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    atomic_init(&s->stopping, false);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    s->d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL,
        NULL, testsrv_handler, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4000, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned int)2048, MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, testsrv_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
        testsrv_notify_conn, s, MHD_OPTION_END);
    if (!s->d)
        return -1;
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    if (!info || !info->port) {
        MHD_stop_daemon(s->d);
        s->d = NULL;
        return -1;
    }
    s->port = info->port;
    return 0;
}

static TESTSRV_UNUSED void testsrv_stop(struct testsrv *s)
{
    atomic_store(&s->stopping, true);
    if (s->d)
        MHD_stop_daemon(s->d);
    s->d = NULL;
    pthread_mutex_destroy(&s->mu);
}

/* Copies the counters and the last request under the lock (assert on the copy, never while locked).
 */
static TESTSRV_UNUSED void testsrv_snapshot(struct testsrv *s, struct testsrv *out)
{
    pthread_mutex_lock(&s->mu);
    out->requests = s->requests;
    out->conns_accepted = s->conns_accepted;
    out->conns_open = s->conns_open;
    out->conns_peak = s->conns_peak;
    out->active = s->active;
    out->active_peak = s->active_peak;
    memcpy(out->last_headers, s->last_headers, sizeof(out->last_headers));
    memcpy(out->last_method, s->last_method, sizeof(out->last_method));
    out->last_body_len = s->last_body_len;
    pthread_mutex_unlock(&s->mu);
}

/*
 * Waits (up to 5 s) for connections of earlier clients to be closed, then
 * zeroes the counters; the peak restarts from the connections still open.
 */
static TESTSRV_UNUSED void testsrv_reset(struct testsrv *s)
{
    int i;
    for (i = 0; i < 500; i++) {
        int open;
        pthread_mutex_lock(&s->mu);
        open = s->conns_open;
        pthread_mutex_unlock(&s->mu);
        if (open == 0)
            break;
        testsrv_sleep(s, 10);
    }
    pthread_mutex_lock(&s->mu);
    s->requests = 0;
    s->conns_accepted = 0;
    s->conns_peak = s->conns_open;
    s->active_peak = 0;
    pthread_mutex_unlock(&s->mu);
}

/* "127.0.0.1:<port>" */
static TESTSRV_UNUSED void testsrv_host(const struct testsrv *s, char *out, size_t n)
{
    snprintf(out, n, "127.0.0.1:%u", (unsigned)s->port);
}

/* A loopback port nothing listens on (bound then closed), or 0. */
static TESTSRV_UNUSED unsigned short testsrv_dead_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    unsigned short port = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

#endif
