/*
 * imds.c - role credentials from the EC2 instance metadata service,
 * IMDSv2 as botocore's InstanceMetadataFetcher does it: PUT
 * /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds: 21600), then
 * GET /latest/meta-data/iam/security-credentials/ (the role name) and
 * GET .../security-credentials/<role> with the token header.
 *
 * A 403/404/405 answer to the token PUT means IMDSv1 only; the GETs then
 * go without a token unless AWS_EC2_METADATA_V1_DISABLED=true. Each
 * request gets IMDS_ATTEMPTS tries on connection errors and 5xx; proxies
 * are never used. Depends on core/, aws/creds.h, jansson, libcurl.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/credentials.h"
#include "core/buf.h"
#include "core/str.h"
#include "core/timeutil.h"

#define IMDS_ATTEMPTS     2
#define IMDS_MAX_BODY     (64 * 1024)
#define IMDS_TOKEN_TTL    "21600"
#define IMDS_DEFAULT_BASE "http://169.254.169.254"

static const char *env_get(const struct cred_env *env, const char *name)
{
    const char *v;

    if (env && env->getenv_fn)
        v = env->getenv_fn(name);
    else
        v = getenv(name);
    return dr_nonempty(v) ? v : NULL;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    size_t n = size * nmemb;

    if (b->len + n > IMDS_MAX_BODY || buf_add(b, data, n) < 0)
        return 0; /* aborts the transfer */
    return n;
}

struct imds {
    CURL *curl;
    const char *base;
    long timeout_ms;
    char *token; /* NULL: IMDSv1 */
};

/*
 * One request with retries. Returns the HTTP status (body in out), or a
 * negative error after IMDS_ATTEMPTS transport failures / 5xx answers.
 */
static int imds_request(struct imds *m, const char *method, const char *path, struct buf *out,
                        struct dr_err *err)
{
    char url[1024], hdr[256];
    CURLcode cc = CURLE_OK;
    long status = 0;

    if ((size_t)snprintf(url, sizeof(url), "%s%s%s", m->base,
                         m->base[strlen(m->base) - 1] == '/' ? "" : "/", path) >= sizeof(url))
        return dr_err_set(err, DR_EINVAL, "IMDS: endpoint too long");
    for (int attempt = 0; attempt < IMDS_ATTEMPTS; attempt++) {
        struct curl_slist *hl = NULL, *nh;
        CURL *c = m->curl;

        buf_reset(out);
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROXY, "");
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, m->timeout_ms);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "drover/" DROVER_VERSION);
        if (strcmp(method, "PUT") == 0) {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
            snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token-ttl-seconds: %s", IMDS_TOKEN_TTL);
        } else if (m->token) {
            snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s", m->token);
        } else {
            hdr[0] = '\0';
        }
        if (hdr[0]) {
            nh = curl_slist_append(hl, hdr);
            if (!nh)
                return dr_err_set(err, DR_ENOMEM, "out of memory");
            hl = nh;
        }
        nh = curl_slist_append(hl, "Expect:");
        if (!nh) {
            curl_slist_free_all(hl);
            return dr_err_set(err, DR_ENOMEM, "out of memory");
        }
        hl = nh;
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
        cc = curl_easy_perform(c);
        status = 0;
        if (cc == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
        curl_slist_free_all(hl);
        memset(hdr, 0, sizeof(hdr));
        if (cc == CURLE_OK && status < 500)
            return (int)status;
        if (cc == CURLE_WRITE_ERROR)
            return dr_err_set(err, DR_EPARSE, "IMDS: %s: response larger than %d bytes", path,
                              IMDS_MAX_BODY);
    }
    if (cc != CURLE_OK)
        return dr_err_set(err, cc == CURLE_OPERATION_TIMEDOUT ? DR_ETIMEOUT : DR_ETRANSPORT,
                          "IMDS: %s %s: %s", method, path, curl_easy_strerror(cc));
    return dr_err_set(err, DR_ETRANSPORT, "IMDS: %s %s: HTTP %ld", method, path, status);
}

static int parse_creds(const struct buf *body, struct aws_creds *out, struct dr_err *err)
{
    json_error_t je;
    json_t *j = json_loadb(body->p, body->len, 0, &je);
    const char *code, *akid, *secret, *token, *exp;
    int64_t exp_ms = 0;
    int rc;

    if (!json_is_object(j)) {
        json_decref(j);
        return dr_err_set(err, DR_EPARSE, "IMDS: role credentials are not a JSON object");
    }
    code = json_string_value(json_object_get(j, "Code"));
    if (code && strcmp(code, "Success") != 0) {
        rc = dr_err_set(err, DR_ECRED, "IMDS: role credentials Code is '%.64s'", code);
        goto out;
    }
    akid = json_string_value(json_object_get(j, "AccessKeyId"));
    secret = json_string_value(json_object_get(j, "SecretAccessKey"));
    token = json_string_value(json_object_get(j, "Token"));
    exp = json_string_value(json_object_get(j, "Expiration"));
    if (!dr_nonempty(akid) || !dr_nonempty(secret) || !dr_nonempty(token) || !exp) {
        rc = dr_err_set(err, DR_EPARSE,
                        "IMDS: role credentials lack AccessKeyId, SecretAccessKey, Token or "
                        "Expiration");
        goto out;
    }
    if (time_parse(exp, &exp_ms) < 0 || exp_ms <= 0) {
        rc = dr_err_set(err, DR_EPARSE, "IMDS: Expiration '%.40s' is not an ISO 8601 time", exp);
        goto out;
    }
    rc = aws_creds_set(out, akid, secret, token, exp_ms, "imds", err);
out:
    json_decref(j);
    return rc;
}

int cred_imds_fetch(const struct cred_env *env, const char *endpoint, long timeout_ms,
                    struct aws_creds *out, struct dr_err *err)
{
    struct imds m = {NULL, NULL, timeout_ms > 0 ? timeout_ms : 1000, NULL};
    const char *dis = env_get(env, "AWS_EC2_METADATA_DISABLED");
    const char *v1dis = env_get(env, "AWS_EC2_METADATA_V1_DISABLED");
    struct buf body;
    char path[512];
    struct str role;
    int st, rc;

    if (dis && dr_strcaseeq(dis, "true"))
        return dr_err_set(err, DR_ECRED, "IMDS is disabled (AWS_EC2_METADATA_DISABLED=true)");
    m.base = dr_nonempty(endpoint) ? endpoint : env_get(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (!m.base)
        m.base = IMDS_DEFAULT_BASE;
    if (strncmp(m.base, "http://", 7) != 0 && strncmp(m.base, "https://", 8) != 0)
        return dr_err_set(err, DR_EINVAL, "IMDS endpoint '%.100s' is not an http(s) URL", m.base);
    m.curl = curl_easy_init();
    if (!m.curl)
        return dr_err_set(err, DR_ENOMEM, "IMDS: curl_easy_init failed");
    buf_init(&body, IMDS_MAX_BODY + 1);

    st = imds_request(&m, "PUT", "latest/api/token", &body, err);
    if (st < 0) {
        rc = st;
        goto out;
    }
    if (st == 200 && body.len > 0) {
        m.token = str_dup(str_trim((struct str){body.p, body.len}));
        if (!m.token) {
            rc = dr_err_set(err, DR_ENOMEM, "out of memory");
            goto out;
        }
    } else if (st == 403 || st == 404 || st == 405) {
        if (v1dis && dr_strcaseeq(v1dis, "true")) {
            rc = dr_err_set(err, DR_ECRED, "IMDS: no IMDSv2 token (HTTP %d) and IMDSv1 is disabled",
                            st);
            goto out;
        }
    } else {
        rc = dr_err_set(err, DR_ECRED, "IMDS: token request answered HTTP %d", st);
        goto out;
    }

    st = imds_request(&m, "GET", "latest/meta-data/iam/security-credentials/", &body, err);
    if (st < 0) {
        rc = st;
        goto out;
    }
    if (st == 404) {
        rc = dr_err_set(err, DR_ECRED, "IMDS: no IAM role is attached to this instance");
        goto out;
    }
    if (st != 200) {
        rc = dr_err_set(err, DR_ECRED, "IMDS: role name request answered HTTP %d", st);
        goto out;
    }
    {
        struct str all = {body.p, body.len};
        str_cut(all, '\n', &role);
        role = str_trim(role);
    }
    if (!role.len || role.len > 128 || memchr(role.p, '/', role.len) ||
        memchr(role.p, '?', role.len) || memchr(role.p, '#', role.len)) {
        rc = dr_err_set(err, DR_EPARSE, "IMDS: no usable role name in the response");
        goto out;
    }
    snprintf(path, sizeof(path), "latest/meta-data/iam/security-credentials/%.*s", (int)role.len,
             role.p);
    st = imds_request(&m, "GET", path, &body, err);
    if (st < 0) {
        rc = st;
        goto out;
    }
    if (st != 200) {
        rc = dr_err_set(err, DR_ECRED, "IMDS: role credentials request answered HTTP %d", st);
        goto out;
    }
    rc = parse_creds(&body, out, err);
out:
    if (body.len)
        memset(body.p, 0, body.len);
    buf_cleanup(&body);
    if (m.token) {
        memset(m.token, 0, strlen(m.token));
        free(m.token);
    }
    curl_easy_cleanup(m.curl);
    return rc;
}
