/*
 * router.c - one HTTP exchange with the simulator, independent of the
 * HTTP server (so unit tests and the fuzz target drive it directly).
 * The service and region come from the SigV4 credential scope, the
 * account from the access key; the signature is verified with the
 * key's secret; then faults apply (outage, throttling, 5xx, latency) and
 * the protocol codec (query, ec2, json-1.1, rest-json) parses the request,
 * calls the service handler under the world lock, and writes the
 * response or the protocol's error shape.
 * Depends on the core module, aws/http.h, aws/sigv4.h, jansson.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "core/jsonutil.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "sim/ec2_common.h"
#include "sim/internal.h"

enum proto { P_QUERY, P_EC2, P_JSON, P_REST };

struct svc {
    const char *name;
    enum proto proto;
    const char *xmlns;
    const char *target; /* json-1.1 X-Amz-Target prefix */
    const struct sim_op *ops;
    const struct sim_op *ops2; /* more tables (DRS spans several files) */
    const struct sim_op *ops3;
};

static const struct svc svcs[] = {
    {"sts", P_QUERY, "https://sts.amazonaws.com/doc/2011-06-15/", NULL, sim_sts_ops, NULL, NULL},
    {"iam", P_QUERY, "https://iam.amazonaws.com/doc/2010-05-08/", NULL, sim_iam_ops, NULL, NULL},
    {"ec2", P_EC2, "http://ec2.amazonaws.com/doc/2016-11-15/", NULL, sim_ec2_ops,
     sim_ec2_launch_ops, NULL},
    {"kms", P_JSON, NULL, "TrentService", sim_kms_ops, NULL, NULL},
    {"organizations", P_JSON, NULL, "AWSOrganizationsV20161128", sim_org_ops, NULL, NULL},
    {"servicequotas", P_JSON, NULL, "ServiceQuotasV20190624", sim_quotas_ops, NULL, NULL},
    {"drs", P_REST, NULL, NULL, sim_drs_ops, sim_drs_more_ops, sim_drs_failback_ops},
    {NULL, P_JSON, NULL, NULL, NULL, NULL, NULL},
};

void sim_http_out_init(struct sim_http_out *o)
{
    o->status = 200;
    http_headers_init(&o->headers);
    buf_init(&o->body, (size_t)256 << 20);
    o->close = false;
}

void sim_http_out_cleanup(struct sim_http_out *o)
{
    http_headers_cleanup(&o->headers);
    buf_cleanup(&o->body);
}

static const struct svc *find_svc(const char *name)
{
    for (const struct svc *s = svcs; s->name; s++)
        if (name && strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

/* Without a usable signature, guess the protocol to shape the error. */
static const struct svc *guess_svc(const struct http_request *req)
{
    const char *target = http_headers_get(&req->headers, "X-Amz-Target");
    if (target) {
        for (const struct svc *s = svcs; s->name; s++)
            if (s->target && strncmp(target, s->target, strlen(s->target)) == 0)
                return s;
        return find_svc("kms");
    }
    const char *ct = http_headers_get(&req->headers, "Content-Type");
    if (ct && strstr(ct, "x-www-form-urlencoded")) {
        if (req->body && memmem(req->body, req->body_len, "Version=2016-11-15", 18))
            return find_svc("ec2");
        return find_svc("sts");
    }
    return find_svc("drs");
}

static void request_id(struct sim_world *w, char *out, size_t n)
{
    uint64_t a = ++w->req_seq * 0x9e3779b97f4a7c15ULL ^ w->opts.seed;
    uint64_t b = a * 0xbf58476d1ce4e5b9ULL + w->req_seq;
    snprintf(out, n, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(a >> 32), (unsigned)(a & 0xffff),
             (unsigned)((b >> 52) & 0xfff), (unsigned)((b >> 40) & 0xfff),
             (unsigned long long)(b & 0xffffffffffffULL));
}

static void add_header(struct sim_http_out *o, const char *k, const char *v)
{
    (void)http_headers_add(&o->headers, k, v);
}

/* Writes the protocol's error shape. */
static void write_error(struct sim_http_out *o, const struct svc *s, int status, const char *code,
                        const char *msg, const char *rid, const json_t *extra)
{
    o->status = status;
    buf_reset(&o->body);
    int rc = 0;
    switch (s->proto) {
    case P_QUERY:
        add_header(o, "Content-Type", "text/xml");
        add_header(o, "x-amzn-RequestId", rid);
        rc |= buf_addf(&o->body,
                       "<ErrorResponse xmlns=\"%s\">\n  <Error>\n    <Type>%s</Type>\n"
                       "    <Code>",
                       s->xmlns, status >= 500 ? "Receiver" : "Sender");
        rc |= sim_xml_escape(&o->body, code);
        rc |= buf_adds(&o->body, "</Code>\n    <Message>");
        rc |= sim_xml_escape(&o->body, msg);
        rc |= buf_addf(&o->body,
                       "</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n"
                       "</ErrorResponse>\n",
                       rid);
        break;
    case P_EC2:
        add_header(o, "Content-Type", "text/xml;charset=UTF-8");
        rc |= buf_adds(&o->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                 "<Response><Errors><Error><Code>");
        rc |= sim_xml_escape(&o->body, code);
        rc |= buf_adds(&o->body, "</Code><Message>");
        rc |= sim_xml_escape(&o->body, msg);
        rc |= buf_addf(&o->body, "</Message></Error></Errors><RequestID>%s</RequestID></Response>",
                       rid);
        break;
    case P_JSON: {
        add_header(o, "Content-Type", "application/x-amz-json-1.1");
        add_header(o, "x-amzn-RequestId", rid);
        json_t *b = json_pack("{s:s, s:s}", "__type", code, "message", msg);
        rc |= json_dump_buf(b, 0, &o->body);
        json_decref(b);
        break;
    }
    case P_REST: {
        add_header(o, "Content-Type", "application/json");
        add_header(o, "x-amzn-RequestId", rid);
        add_header(o, "x-amzn-ErrorType", code);
        json_t *b = json_pack("{s:s, s:s}", "message", msg, "code", code);
        if (extra)
            json_object_update(b, (json_t *)extra);
        rc |= json_dump_buf(b, 0, &o->body);
        json_decref(b);
        break;
    }
    }
    if (rc < 0) {
        buf_reset(&o->body);
        o->status = 500;
    }
}

static void write_success(struct sim_http_out *o, const struct svc *s, const struct sim_call *c)
{
    int rc = 0;
    o->status = c->status ? c->status : 200;
    switch (s->proto) {
    case P_QUERY:
        add_header(o, "Content-Type", "text/xml");
        add_header(o, "x-amzn-RequestId", c->request_id);
        rc |= buf_addf(&o->body, "<%sResponse xmlns=\"%s\">\n  <%sResult>", c->op, s->xmlns, c->op);
        rc |= sim_xml_render(&o->body, c->out, "member");
        rc |= buf_addf(&o->body,
                       "</%sResult>\n  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n"
                       "  </ResponseMetadata>\n</%sResponse>\n",
                       c->op, c->request_id, c->op);
        break;
    case P_EC2:
        add_header(o, "Content-Type", "text/xml;charset=UTF-8");
        rc |= buf_addf(&o->body,
                       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%sResponse xmlns=\"%s\">"
                       "<requestId>%s</requestId>",
                       c->op, s->xmlns, c->request_id);
        rc |= sim_xml_render(&o->body, c->out, "item");
        rc |= buf_addf(&o->body, "</%sResponse>", c->op);
        break;
    case P_JSON:
        add_header(o, "Content-Type", "application/x-amz-json-1.1");
        add_header(o, "x-amzn-RequestId", c->request_id);
        rc |= json_dump_buf(c->out ? c->out : json_object(), 0, &o->body);
        break;
    case P_REST:
        add_header(o, "x-amzn-RequestId", c->request_id);
        if (o->status != 204) {
            add_header(o, "Content-Type", "application/json");
            if (c->raw_out)
                rc |= buf_adds(&o->body, c->raw_out);
            else if (c->out)
                rc |= json_dump_buf(c->out, 0, &o->body);
            else
                rc |= buf_adds(&o->body, "{}");
        }
        break;
    }
    if (rc < 0)
        write_error(o, s, 500, "InternalFailure", "response too large", c->request_id, NULL);
}

static void metric(struct sim_world *w, const char *svc, const char *op, const char *acct,
                   const char *region, int throttled, int errors)
{
    char key[512];
    snprintf(key, sizeof key, "%s|%s|%s|%s", svc, op, acct, region);
    json_t *row = json_object_get(w->metrics, key);
    if (!row) {
        row = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i}", "service", svc, "operation", op,
                        "account_id", acct, "region", region, "count", 0, "throttled", 0, "errors",
                        0);
        if (!row || json_object_set_new(w->metrics, key, row) < 0)
            return;
    }
    json_object_set_new(row, "count",
                        json_integer(json_integer_value(json_object_get(row, "count")) + 1));
    if (throttled)
        json_object_set_new(
            row, "throttled",
            json_integer(json_integer_value(json_object_get(row, "throttled")) + 1));
    if (errors)
        json_object_set_new(row, "errors",
                            json_integer(json_integer_value(json_object_get(row, "errors")) + 1));
}

static const char *code_for(const struct svc *s, const char *what)
{
    /* per-protocol spellings of the same failure, as AWS sends them */
    if (strcmp(what, "unknown-key") == 0)
        return s->proto == P_QUERY ? "InvalidClientTokenId"
               : s->proto == P_EC2 ? "AuthFailure"
                                   : "UnrecognizedClientException";
    if (strcmp(what, "bad-signature") == 0)
        return (s->proto == P_QUERY || s->proto == P_EC2) ? "SignatureDoesNotMatch"
                                                          : "InvalidSignatureException";
    if (strcmp(what, "expired") == 0)
        return (s->proto == P_QUERY || s->proto == P_EC2) ? "ExpiredToken"
                                                          : "ExpiredTokenException";
    if (strcmp(what, "throttle") == 0)
        return s->proto == P_QUERY ? "Throttling"
               : s->proto == P_EC2 ? "RequestLimitExceeded"
                                   : "ThrottlingException";
    if (strcmp(what, "internal") == 0)
        return s->proto == P_EC2    ? "InternalError"
               : s->proto == P_REST ? "InternalServerException"
                                    : "InternalFailure";
    if (strcmp(what, "unavailable") == 0)
        return s->proto == P_EC2     ? "Unavailable"
               : s->proto == P_QUERY ? "ServiceUnavailable"
                                     : "ServiceUnavailableException";
    if (strcmp(what, "unknown-op") == 0)
        return (s->proto == P_QUERY || s->proto == P_EC2) ? "InvalidAction"
                                                          : "UnknownOperationException";
    return "InternalFailure";
}

static int throttle_status(const struct svc *s)
{
    return s->proto == P_QUERY ? 400 : s->proto == P_EC2 ? 503 : 429;
}

/* rest-json: which DRS operation a method + path names. */
static const char *rest_op(const struct http_request *req, json_t *in, struct buf *scratch)
{
    const char *p = req->path;
    if (strncmp(p, "/tags/", 6) == 0) {
        buf_reset(scratch);
        if (http_uri_decode(scratch, p + 6, strlen(p + 6), false) < 0 || scratch->len == 0)
            return NULL;
        json_object_set_new(in, "resourceArn", json_string(scratch->p));
        if (strcmp(req->method, "GET") == 0)
            return "ListTagsForResource";
        if (strcmp(req->method, "POST") == 0)
            return "TagResource";
        if (strcmp(req->method, "DELETE") == 0)
            return "UntagResource";
        return NULL;
    }
    if (p[0] != '/' || strchr(p + 1, '/'))
        return NULL;
    const char *name = p + 1;
    if (strcmp(name, "ListStagingAccounts") == 0)
        return strcmp(req->method, "GET") == 0 ? "ListStagingAccounts" : NULL;
    if (strcmp(req->method, "POST") != 0)
        return NULL;
    return name;
}

/* Query-string parameters of a rest-json request (maxResults, nextToken, tagKeys). */
static int rest_query(const struct http_request *req, json_t *in)
{
    const char *q = req->query;
    struct buf k, v;
    buf_init(&k, 4096);
    buf_init(&v, 65536);
    json_t *tagkeys = NULL;
    int rc = 0;
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        buf_reset(&k);
        buf_reset(&v);
        if (http_uri_decode(&k, q, eq ? (size_t)(eq - q) : len, true) < 0 ||
            (eq && http_uri_decode(&v, eq + 1, len - (size_t)(eq - q) - 1, true) < 0)) {
            rc = -1;
            break;
        }
        if (strcmp(k.p, "tagKeys") == 0) {
            if (!tagkeys) {
                tagkeys = json_array();
                json_object_set_new(in, "tagKeys", tagkeys);
            }
            json_array_append_new(tagkeys, json_string(v.p));
        } else if (strcmp(k.p, "maxResults") == 0) {
            int64_t n;
            if (dr_parse_i64(v.p, &n) < 0) {
                rc = -1;
                break;
            }
            json_object_set_new(in, "maxResults", json_integer(n));
        } else if (strcmp(k.p, "nextToken") == 0) {
            json_object_set_new(in, "nextToken", json_string(v.p));
        }
        q = amp ? amp + 1 : NULL;
    }
    buf_cleanup(&k);
    buf_cleanup(&v);
    return rc;
}

/* Parses the request for its protocol: op name and input. 0, or -1 with c's error set. */
static int parse_request(const struct svc *s, const struct http_request *req, struct sim_call *c,
                         json_t **in, struct buf *scratch)
{
    char why[256] = "";
    const char *ct = http_headers_get(&req->headers, "Content-Type");
    *in = NULL;
    switch (s->proto) {
    case P_QUERY:
    case P_EC2: {
        const char *src = req->body_len ? req->body : req->query;
        size_t len = req->body_len ? req->body_len : strlen(req->query);
        if (req->body_len && (!ct || !strstr(ct, "application/x-www-form-urlencoded")))
            return sim_fail(c, 400,
                            s->proto == P_EC2 ? "InvalidParameterValue" : "InvalidParameterValue",
                            "Unsupported Content-Type %s: expected "
                            "application/x-www-form-urlencoded",
                            ct ? ct : "(none)");
        if (sim_form_parse(src, len, in, why, sizeof why) < 0)
            return sim_fail(c, 400, s->proto == P_EC2 ? "InvalidParameterValue" : "MalformedInput",
                            "%s", why);
        c->op = json_string_value(json_object_get(*in, "Action"));
        if (!c->op)
            return sim_fail(c, 400, "MissingAction", "Could not find operation to perform");
        return 0;
    }
    case P_JSON: {
        const char *target = http_headers_get(&req->headers, "X-Amz-Target");
        size_t plen = strlen(s->target);
        if (!target || strncmp(target, s->target, plen) != 0 || target[plen] != '.')
            return sim_fail(c, 400, "UnknownOperationException", "Missing or unknown X-Amz-Target");
        c->op = target + plen + 1;
        if (!ct || !strstr(ct, "application/x-amz-json-1."))
            return sim_fail(c, 400, "SerializationException",
                            "Unsupported Content-Type %s: expected application/x-amz-json-1.1",
                            ct ? ct : "(none)");
        if (sim_json_body(req->body, req->body_len, in, why, sizeof why) < 0)
            return sim_fail(c, 400, "SerializationException", "%s", why);
        return 0;
    }
    case P_REST: {
        json_t *body = NULL;
        if (req->body_len && (!ct || !strstr(ct, "json")))
            return sim_fail(c, 415, "UnsupportedMediaTypeException",
                            "Unsupported Content-Type %s: expected application/json",
                            ct ? ct : "(none)");
        if (sim_json_body(req->body, req->body_len, &body, why, sizeof why) < 0) {
            sim_fail(c, 400, "ValidationException", "%s", why);
            sim_fail_extra(c, "reason", "cannotParse");
            return -1;
        }
        *in = body;
        if (rest_query(req, body) < 0) {
            sim_fail(c, 400, "ValidationException", "Malformed query string");
            sim_fail_extra(c, "reason", "cannotParse");
            return -1;
        }
        c->op = rest_op(req, body, scratch);
        if (!c->op)
            return sim_fail(c, 404, "UnknownOperationException",
                            "The requested operation %s %s is not recognized", req->method,
                            req->path);
        c->method = req->method;
        return 0;
    }
    }
    return -1;
}

void sim_handle(struct sim_world *w, const struct http_request *req, struct sim_http_out *out,
                int *sleep_ms)
{
    *sleep_ms = 0;
    if (strncmp(req->path, "/_sim/", 6) == 0 || strcmp(req->path, "/_sim") == 0) {
        sim_control(w, req, out);
        return;
    }
    struct sigv4_auth auth;
    struct dr_err err;
    dr_err_clear(&err);
    struct sim_call c;
    memset(&c, 0, sizeof c);
    c.w = w;
    c.real_ms = time_now_ms();
    struct buf scratch;
    buf_init(&scratch, 65536);
    json_t *in = NULL;
    const struct svc *s = NULL;
    bool locked = false;

    int prc = sigv4_parse_auth(req, &auth, &err);
    if (prc == 0)
        s = find_svc(auth.service);
    if (!s)
        s = guess_svc(req);
    pthread_mutex_lock(&w->mu);
    locked = true;
    request_id(w, c.request_id, sizeof c.request_id);
    if (req->body_len > SIM_BODY_MAX) {
        write_error(out, s, 413,
                    s->proto >= P_JSON ? "ValidationException" : "RequestEntityTooLarge",
                    "Request body exceeds 10485760 bytes", c.request_id, NULL);
        goto out;
    }
    if (prc < 0) {
        write_error(out, s, 403, err.code[0] ? err.code : "MissingAuthenticationToken",
                    err.msg[0] ? err.msg : "Request is missing Authentication Token", c.request_id,
                    NULL);
        goto out;
    }
    if (!find_svc(auth.service)) {
        char msg[160];
        snprintf(msg, sizeof msg, "The simulator does not implement service '%.64s'", auth.service);
        write_error(out, s, 400, "UnknownServiceException", msg, c.request_id, NULL);
        goto out;
    }
    json_t *ident = json_object_get(w->keys, auth.access_key_id);
    if (!ident) {
        write_error(out, s, s->proto == P_EC2 ? 401 : 403, code_for(s, "unknown-key"),
                    s->proto == P_EC2
                        ? "AWS was not able to validate the provided access credentials"
                        : "The security token included in the request is invalid.",
                    c.request_id, NULL);
        goto out;
    }
    const char *token = json_string_value(json_object_get(ident, "token"));
    if (token) {
        const char *sent = http_headers_get(&req->headers, "X-Amz-Security-Token");
        if (!sent || strcmp(sent, token) != 0) {
            write_error(out, s, 403, code_for(s, "unknown-key"),
                        "The security token included in the request is invalid.", c.request_id,
                        NULL);
            goto out;
        }
        if (json_integer_value(json_object_get(ident, "expires_ms")) <= c.real_ms) {
            write_error(out, s, s->proto >= P_JSON ? 400 : 403, code_for(s, "expired"),
                        "The security token included in the request is expired", c.request_id,
                        NULL);
            goto out;
        }
    }
    if (!w->opts.skip_signature_check) {
        struct sigv4_verify_opts vo = {.now = (time_t)(c.real_ms / 1000)};
        if (sigv4_verify(req, &auth, json_string_value(json_object_get(ident, "secret")), token,
                         &vo, NULL, &err) < 0) {
            const char *code = strcmp(err.code, "SignatureDoesNotMatch") == 0 || !err.code[0]
                                   ? code_for(s, "bad-signature")
                                   : err.code;
            write_error(out, s, 403, code,
                        err.msg[0] ? err.msg
                                   : "The request signature we calculated does not match the "
                                     "signature you provided.",
                        c.request_id, NULL);
            goto out;
        }
    }
    c.ident = ident;
    c.service = s->name;
    dr_strlcpy(c.account_id, json_string_value(json_object_get(ident, "account_id")),
               sizeof c.account_id);
    dr_strlcpy(c.region, auth.region, sizeof c.region);

    if (parse_request(s, req, &c, &in, &scratch) < 0) {
        metric(w, s->name, c.op ? c.op : "Unknown", c.account_id, c.region, 0, 1);
        write_error(out, s, c.err_status, c.err_code, c.err_msg, c.request_id, c.err_extra);
        goto out;
    }
    /* faults, in the order a client would meet them */
    if (sim_region_down(w, c.region)) {
        metric(w, s->name, c.op, c.account_id, c.region, 0, 1);
        if (w->faults.outage_refuse) {
            out->close = true;
            goto out;
        }
        write_error(out, s, 503, code_for(s, "unavailable"),
                    "Service unavailable in this region (simulated outage)", c.request_id, NULL);
        goto out;
    }
    int retry_after = 0;
    if (!sim_throttle_take(w, c.account_id, c.region, c.op, c.real_ms, &retry_after)) {
        metric(w, s->name, c.op, c.account_id, c.region, 1, 1);
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry_after);
        add_header(out, "Retry-After", ra);
        write_error(out, s, throttle_status(s), code_for(s, "throttle"), "Rate exceeded",
                    c.request_id, NULL);
        goto out;
    }
    if (w->faults.error_rate > 0 && sim_prng_unit(&w->rng) < w->faults.error_rate) {
        metric(w, s->name, c.op, c.account_id, c.region, 0, 1);
        write_error(out, s, 500, code_for(s, "internal"),
                    "We encountered an internal error. Please try again. (simulated)", c.request_id,
                    NULL);
        goto out;
    }
    *sleep_ms = w->faults.latency_ms;

    sim_handler_fn fn = sim_find_op(s->ops, c.op);
    if (!fn && s->ops2)
        fn = sim_find_op(s->ops2, c.op);
    if (!fn && s->ops3)
        fn = sim_find_op(s->ops3, c.op);
    if (!fn) {
        metric(w, s->name, c.op, c.account_id, c.region, 0, 1);
        char msg[200];
        snprintf(msg, sizeof msg,
                 s->proto <= P_EC2 ? "The action %.64s is not valid for this web service."
                                   : "The operation %.64s is not supported by the simulator",
                 c.op);
        write_error(out, s, s->proto == P_REST ? 404 : 400, code_for(s, "unknown-op"), msg,
                    c.request_id, NULL);
        goto out;
    }
    c.now_ms = sim_clock_now(&w->clock);
    sim_world_advance(w, c.now_ms);
    int rc = fn(&c, in);
    if (strncmp(c.op, "Describe", 8) && strncmp(c.op, "Get", 3) && strncmp(c.op, "List", 4))
        w->version++;
    metric(w, s->name, c.op, c.account_id, c.region, 0, rc < 0);
    if (rc < 0)
        write_error(out, s, c.err_status ? c.err_status : 500,
                    c.err_code[0] ? c.err_code : "InternalFailure", c.err_msg, c.request_id,
                    c.err_extra);
    else
        write_success(out, s, &c);
out:
    if (locked)
        pthread_mutex_unlock(&w->mu);
    json_decref(in);
    json_decref(c.out);
    free(c.raw_out);
    json_decref(c.err_extra);
    buf_cleanup(&scratch);
}
