/*
 * server.c - the HTTP side of `drover sim` on libmicrohttpd (epoll with an
 * internal thread pool), loopback only, plus the public sim.h API. Each
 * request's raw URI (for SigV4) comes from the URI log callback; headers
 * and body (capped at 10 MiB, 413 beyond) are gathered into a struct
 * http_request and handed to sim_handle() in router.c.
 * Depends on the core module, aws/http.h, libmicrohttpd.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/str.h"
#include "sim/internal.h"
#include "sim/sim.h"

struct sim {
    struct sim_world *w;
    struct MHD_Daemon *d;
    struct sockaddr_in addr;
    int port;
    int threads;
    bool quiet;
};

struct reqctx {
    struct http_request req;
    char *uri; /* raw request target from the URI log callback */
    bool started;
    bool too_large;
    struct buf body;
};

int sim_parse_listen(const char *listen, char *host, size_t hostlen, int *port, struct dr_err *err)
{
    if (!listen || !*listen)
        listen = "127.0.0.1:4580";
    const char *colon = strrchr(listen, ':');
    if (!colon)
        return dr_err_set(err, DR_EINVAL, "--listen %s: expected HOST:PORT", listen);
    char h[64];
    size_t hl = (size_t)(colon - listen);
    if (hl == 0 || hl >= sizeof h)
        return dr_err_set(err, DR_EINVAL, "--listen %s: bad host", listen);
    memcpy(h, listen, hl);
    h[hl] = '\0';
    int64_t p;
    if (dr_parse_i64(colon + 1, &p) < 0 || p < 0 || p > 65535)
        return dr_err_set(err, DR_EINVAL, "--listen %s: bad port", listen);
    if (!strcmp(h, "localhost"))
        dr_strlcpy(h, "127.0.0.1", sizeof h);
    struct in_addr a;
    if (inet_pton(AF_INET, h, &a) != 1)
        return dr_err_set(err, DR_EINVAL, "--listen %s: the host must be an IPv4 loopback address",
                          listen);
    if ((ntohl(a.s_addr) >> 24) != 127)
        return dr_err_set(err, DR_EINVAL,
                          "--listen %s: refusing a non-loopback address (the simulator serves "
                          "127.0.0.0/8 only)",
                          listen);
    dr_strlcpy(host, h, hostlen);
    *port = (int)p;
    return 0;
}

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
    (void)cls;
    (void)con;
    struct reqctx *rc = calloc(1, sizeof *rc);
    if (!rc)
        return NULL;
    rc->uri = strdup(uri ? uri : "/");
    buf_init(&rc->body, SIM_BODY_MAX + 1);
    return rc;
}

static void completed_cb(void *cls, struct MHD_Connection *con, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    struct reqctx *rc = *req_cls;
    if (!rc)
        return;
    http_req_cleanup(&rc->req);
    free(rc->uri);
    buf_cleanup(&rc->body);
    free(rc);
    *req_cls = NULL;
}

static enum MHD_Result header_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    struct reqctx *rc = cls;
    if (http_headers_add(&rc->req.headers, key, value ? value : "") < 0)
        return MHD_NO;
    return MHD_YES;
}

static enum MHD_Result respond(struct sim *s, struct MHD_Connection *con, struct reqctx *rc)
{
    struct sim_http_out out;
    sim_http_out_init(&out);
    int sleep_ms = 0;
    if (rc->too_large) {
        rc->req.body = NULL;
        rc->req.body_len = SIM_BODY_MAX + 1; /* marker: body dropped for size */
    } else {
        rc->req.body = rc->body.p;
        rc->req.body_len = rc->body.len;
    }
    sim_handle(s->w, &rc->req, &out, &sleep_ms);
    rc->req.body = NULL;
    rc->req.body_len = 0;
    if (out.close) {
        sim_http_out_cleanup(&out);
        return MHD_NO;
    }
    if (sleep_ms > 0) {
        struct timespec ts = {.tv_sec = sleep_ms / 1000,
                              .tv_nsec = (long)(sleep_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(out.body.len, out.body.p, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = MHD_NO;
    if (resp) {
        for (size_t i = 0; i < out.headers.n; i++)
            MHD_add_response_header(resp, out.headers.v[i].name, out.headers.v[i].value);
        ret = MHD_queue_response(con, (unsigned)out.status, resp);
        MHD_destroy_response(resp);
    }
    sim_http_out_cleanup(&out);
    return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *con, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **req_cls)
{
    (void)url;
    (void)version;
    struct sim *s = cls;
    struct reqctx *rc = *req_cls;
    if (!rc)
        return MHD_NO;
    if (!rc->started) {
        rc->started = true;
        char *uri = rc->uri;
        char *q = strchr(uri, '?');
        if (q)
            *q = '\0';
        const char *host = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Host");
        if (http_req_init(&rc->req, method, "http", host ? host : "127.0.0.1", uri, q ? q + 1 : "",
                          NULL) < 0)
            return MHD_NO;
        MHD_get_connection_values(con, MHD_HEADER_KIND, header_cb, rc);
        const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Length");
        uint64_t len;
        if (cl && dr_parse_u64(cl, &len) == 0 && len > SIM_BODY_MAX) {
            rc->too_large = true;
            return respond(s, con, rc);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!rc->too_large && buf_add(&rc->body, upload_data, *upload_data_size) < 0)
            rc->too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return respond(s, con, rc);
}

int sim_new(const struct sim_opts *o, struct sim **out, struct dr_err *err)
{
    *out = NULL;
    char host[64];
    int port;
    if (sim_parse_listen(o->listen, host, sizeof host, &port, err) < 0)
        return -1;
    if (o->estate_path && o->generate)
        return dr_err_set(err, DR_EINVAL, "--estate and --generate are exclusive");
    struct sim_world_opts wo = {
        .seed = o->seed, .time_scale = o->time_scale, .latency_ms = o->latency_ms};
    struct sim_prng p;
    sim_prng_seed(&p, o->seed);
    json_t *estate = NULL;
    int rc = o->estate_path
                 ? sim_estate_load(o->estate_path, &p, &estate, err)
                 : sim_generate(o->generate ? o->generate : "accounts=2,regions=1,servers=10",
                                o->seed, &estate, err);
    if (rc < 0)
        return -1;
    struct sim *s = calloc(1, sizeof *s);
    if (!s) {
        json_decref(estate);
        return dr_err_set(err, DR_ENOMEM, "allocating the simulator");
    }
    rc = sim_world_new(&wo, estate, &s->w, err);
    json_decref(estate);
    if (rc < 0) {
        free(s);
        return -1;
    }
    s->addr.sin_family = AF_INET;
    s->addr.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &s->addr.sin_addr);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    s->threads = o->threads > 0 ? o->threads : (ncpu > 0 ? (int)ncpu : 2);
    s->quiet = o->quiet;
    *out = s;
    return 0;
}

int sim_start(struct sim *s, struct dr_err *err)
{
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
                            access_cb, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&s->addr,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->threads,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_cb, NULL, MHD_OPTION_NOTIFY_COMPLETED,
                            completed_cb, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
    if (!s->d)
        return dr_err_set(err, DR_EIO, "cannot listen on 127.0.0.1:%d (in use?)",
                          ntohs(s->addr.sin_port));
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : ntohs(s->addr.sin_port);
    return 0;
}

int sim_port(const struct sim *s)
{
    return s ? s->port : 0;
}

void sim_free(struct sim *s)
{
    if (!s)
        return;
    if (s->d)
        MHD_stop_daemon(s->d);
    sim_world_free(s->w);
    free(s);
}
