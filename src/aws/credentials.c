/*
 * credentials.c - the credential chain as botocore resolves it (see
 * credentials.h): environment, then the profile (role_arn chains with
 * source_profile or credential_source, static keys, credential_process),
 * then IMDSv2; credential_process and IMDS fetches; the STS AssumeRole
 * input/output mapping; and the assumed-role cache with shared in-flight
 * fetches. Network I/O here is only the IMDS fetch (libcurl easy).
 */
#include "aws/credentials.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/jsonutil.h"
#include "core/str.h"
#include "core/strmap.h"
#include "core/timeutil.h"

#define MAX_CHAIN 16

static const char *env_of(const struct cred_env *env, const char *name)
{
    const char *v = env && env->getenv_fn ? env->getenv_fn(name) : getenv(name);
    return v && *v ? v : NULL;
}

void cred_role_cleanup(struct cred_role *r)
{
    free(r->role_arn);
    if (r->external_id) {
        OPENSSL_cleanse(r->external_id, strlen(r->external_id));
        free(r->external_id);
    }
    free(r->session_name);
    free(r->source_identity);
    json_decref(r->tags);
    json_decref(r->transitive_tag_keys);
    memset(r, 0, sizeof(*r));
}

static int dup_into(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    *dst = strdup(src);
    return *dst ? 0 : -1;
}

int cred_role_copy(struct cred_role *dst, const struct cred_role *src, struct dr_err *err)
{
    memset(dst, 0, sizeof(*dst));
    if (dup_into(&dst->role_arn, src->role_arn) < 0 ||
        dup_into(&dst->external_id, src->external_id) < 0 ||
        dup_into(&dst->session_name, src->session_name) < 0 ||
        dup_into(&dst->source_identity, src->source_identity) < 0) {
        cred_role_cleanup(dst);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    dst->duration_seconds = src->duration_seconds;
    dst->tags = src->tags ? json_deep_copy(src->tags) : NULL;
    dst->transitive_tag_keys =
        src->transitive_tag_keys ? json_deep_copy(src->transitive_tag_keys) : NULL;
    return 0;
}

void cred_plan_cleanup(struct cred_plan *p)
{
    size_t i;
    aws_creds_cleanup(&p->base);
    free(p->process_cmd);
    free(p->profile);
    free(p->region);
    for (i = 0; i < p->nroles; i++)
        cred_role_cleanup(&p->roles[i]);
    free(p->roles);
    memset(p, 0, sizeof(*p));
}

static bool has_static(const struct awscfg *cfg, const char *profile)
{
    return awscfg_get(cfg, profile, "aws_access_key_id") &&
           awscfg_get(cfg, profile, "aws_secret_access_key");
}

/* Builds the role step of one profile. */
static int role_of(const struct awscfg *cfg, const char *profile, struct cred_role *r,
                   struct dr_err *err)
{
    const char *v;

    memset(r, 0, sizeof(*r));
    if (dup_into(&r->role_arn, awscfg_get(cfg, profile, "role_arn")) < 0 ||
        dup_into(&r->external_id, awscfg_get(cfg, profile, "external_id")) < 0 ||
        dup_into(&r->session_name, awscfg_get(cfg, profile, "role_session_name")) < 0) {
        cred_role_cleanup(r);
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    }
    if ((v = awscfg_get(cfg, profile, "duration_seconds"))) {
        int64_t n;
        if (dr_parse_i64(v, &n) < 0 || n < 900 || n > 43200) {
            cred_role_cleanup(r);
            return dr_err_set(err, DR_ECRED,
                              "profile '%s': duration_seconds must be 900..43200, not '%s'",
                              profile, v);
        }
        r->duration_seconds = (int)n;
    }
    return 0;
}

static int set_static(struct cred_plan *p, const struct awscfg *cfg, const char *profile,
                      struct dr_err *err)
{
    p->kind = CRED_SRC_PROFILE;
    return aws_creds_set(&p->base, awscfg_get(cfg, profile, "aws_access_key_id"),
                         awscfg_get(cfg, profile, "aws_secret_access_key"),
                         awscfg_get(cfg, profile, "aws_session_token"), 0, "profile", err);
}

static int env_static(struct cred_plan *p, const struct cred_env *env, struct dr_err *err)
{
    p->kind = CRED_SRC_ENV;
    return aws_creds_set(&p->base, env_of(env, "AWS_ACCESS_KEY_ID"),
                         env_of(env, "AWS_SECRET_ACCESS_KEY"), env_of(env, "AWS_SESSION_TOKEN"), 0,
                         "env", err);
}

int cred_plan_resolve(const struct cred_env *env, const struct awscfg *cfg, struct cred_plan *out,
                      struct dr_err *err)
{
    const char *explicit_profile = env && env->profile && *env->profile ? env->profile : NULL;
    const char *profile = explicit_profile ? explicit_profile : env_of(env, "AWS_PROFILE");
    const char *chain[MAX_CHAIN];
    struct cred_role steps[MAX_CHAIN];
    size_t nchain = 0, i;
    const char *cur;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    memset(steps, 0, sizeof(steps));
    if (!profile)
        profile = "default";
    if (dup_into(&out->profile, profile) < 0 ||
        dup_into(&out->region, awscfg_get(cfg, profile, "region")) < 0)
        goto nomem;

    /* 1. environment keys, unless a profile was given explicitly */
    if (!explicit_profile && env_of(env, "AWS_ACCESS_KEY_ID") &&
        env_of(env, "AWS_SECRET_ACCESS_KEY"))
        return env_static(out, env, err);

    if (!awscfg_has_profile(cfg, profile)) {
        if (explicit_profile || env_of(env, "AWS_PROFILE")) {
            cred_plan_cleanup(out);
            return dr_err_set(err, DR_ECRED,
                              "the config profile (%s) could not be found in the shared config "
                              "or credentials file",
                              profile);
        }
        out->kind = CRED_SRC_IMDS;
        return 0;
    }

    /* 2. walk role_arn -> source_profile until a source of base credentials */
    cur = profile;
    for (;;) {
        const char *src_profile, *cred_source, *proc;

        for (i = 0; i < nchain; i++) {
            if (strcmp(chain[i], cur) == 0) {
                struct buf b;
                size_t j;
                buf_init(&b, 2048);
                for (j = 0; j < nchain; j++) {
                    if (buf_addf(&b, "%s -> ", chain[j]) < 0)
                        break;
                }
                if (buf_adds(&b, cur) < 0)
                    buf_reset(&b);
                rc = dr_err_set(err, DR_EINVAL, "infinite loop in role profiles: %s", b.p);
                buf_cleanup(&b);
                goto fail;
            }
        }
        if (nchain == MAX_CHAIN) {
            rc = dr_err_set(err, DR_EINVAL, "role profile chain longer than %d", MAX_CHAIN);
            goto fail;
        }
        chain[nchain] = cur;
        /* a source profile (not the first) with static keys stops the chain */
        if (nchain > 0 && has_static(cfg, cur)) {
            rc = set_static(out, cfg, cur, err);
            if (rc < 0)
                goto fail;
            break;
        }
        if (!awscfg_get(cfg, cur, "role_arn")) {
            if (!awscfg_has_profile(cfg, cur)) {
                rc = dr_err_set(err, DR_ECRED, "profile '%s': source_profile '%s' does not exist",
                                chain[nchain - 1], cur);
                goto fail;
            }
            if (has_static(cfg, cur)) {
                rc = set_static(out, cfg, cur, err);
                if (rc < 0)
                    goto fail;
                break;
            }
            if ((proc = awscfg_get(cfg, cur, "credential_process"))) {
                out->kind = CRED_SRC_PROCESS;
                if (dup_into(&out->process_cmd, proc) < 0)
                    goto nomem;
                break;
            }
            if (nchain > 0) {
                rc = dr_err_set(err, DR_ECRED,
                                "profile '%s' is used as a source_profile but has no "
                                "credentials (aws_access_key_id, credential_process or role_arn)",
                                cur);
                goto fail;
            }
            if (awscfg_get(cfg, cur, "aws_access_key_id") ||
                awscfg_get(cfg, cur, "aws_secret_access_key")) {
                rc = dr_err_set(err, DR_ECRED,
                                "profile '%s': aws_access_key_id and aws_secret_access_key must "
                                "both be set",
                                cur);
                goto fail;
            }
            out->kind = CRED_SRC_IMDS;
            break;
        }
        rc = role_of(cfg, cur, &steps[nchain], err);
        if (rc < 0)
            goto fail;
        nchain++;
        src_profile = awscfg_get(cfg, cur, "source_profile");
        cred_source = awscfg_get(cfg, cur, "credential_source");
        if (src_profile && cred_source) {
            rc = dr_err_set(err, DR_ECRED,
                            "profile '%s' has both source_profile and credential_source", cur);
            goto fail;
        }
        if (cred_source) {
            if (strcmp(cred_source, "Environment") == 0) {
                rc = env_static(out, env, err);
                if (rc < 0) {
                    dr_err_prefix(err, "profile '%s': credential_source Environment: ", cur);
                    goto fail;
                }
            } else if (strcmp(cred_source, "Ec2InstanceMetadata") == 0) {
                out->kind = CRED_SRC_IMDS;
            } else if (strcmp(cred_source, "EcsContainer") == 0) {
                rc = dr_err_set(err, DR_ECRED,
                                "profile '%s': credential_source EcsContainer is not supported "
                                "by drover",
                                cur);
                goto fail;
            } else {
                rc = dr_err_set(err, DR_ECRED,
                                "profile '%s': credential_source '%s' must be Environment, "
                                "Ec2InstanceMetadata or EcsContainer",
                                cur, cred_source);
                goto fail;
            }
            break;
        }
        if (!src_profile) {
            rc =
                dr_err_set(err, DR_ECRED,
                           "profile '%s': role_arn needs source_profile or credential_source", cur);
            goto fail;
        }
        if (strcmp(src_profile, cur) == 0 && has_static(cfg, cur)) {
            rc = set_static(out, cfg, cur, err); /* self-reference with static keys */
            if (rc < 0)
                goto fail;
            break;
        }
        cur = src_profile;
    }
    /* steps[0] is the profile asked for; apply from the innermost source outward */
    if (nchain) {
        out->roles = calloc(nchain, sizeof(*out->roles));
        if (!out->roles)
            goto nomem;
        for (i = 0; i < nchain; i++)
            out->roles[i] = steps[nchain - 1 - i];
        out->nroles = nchain;
    }
    return 0;
nomem:
    rc = dr_err_set(err, DR_ENOMEM, "out of memory");
fail:
    for (i = 0; i < MAX_CHAIN; i++)
        cred_role_cleanup(&steps[i]);
    cred_plan_cleanup(out);
    return rc;
}

/* ---- credential_process ---- */

static int parse_process_json(const char *text, size_t len, struct aws_creds *out,
                              struct dr_err *err)
{
    json_t *j = NULL;
    const char *akid, *secret, *token, *exp;
    int64_t exp_ms = 0;
    int rc;

    if (json_parse(text, len, "credential_process output", &j, err) < 0)
        return -DR_ECRED;
    if (json_int_or(j, "Version", -1) != 1) {
        json_decref(j);
        return dr_err_set(err, DR_ECRED, "credential_process output: Version must be 1");
    }
    akid = json_str_borrow(j, "AccessKeyId");
    secret = json_str_borrow(j, "SecretAccessKey");
    token = json_str_borrow(j, "SessionToken");
    exp = json_str_borrow(j, "Expiration");
    if (exp && time_parse(exp, &exp_ms) < 0) {
        json_decref(j);
        return dr_err_set(err, DR_ECRED, "credential_process output: Expiration is not a time");
    }
    if (!akid || !secret) {
        json_decref(j);
        return dr_err_set(err, DR_ECRED,
                          "credential_process output needs AccessKeyId and SecretAccessKey");
    }
    rc = aws_creds_set(out, akid, secret, token, exp_ms, "process", err);
    json_decref(j);
    return rc;
}

int cred_process_run(const char *cmd, struct aws_creds *out, struct dr_err *err)
{
    int outp[2] = {-1, -1}, errp[2] = {-1, -1}, status = 0, rc = 0;
    struct buf so, se;
    pid_t pid;
    int64_t deadline = time_mono_ms() + 60000;
    bool open_o = true, open_e = true;

    buf_init(&so, 64 * 1024);
    buf_init(&se, 64 * 1024);
    if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
        rc = dr_err_set(err, DR_EIO, "credential_process: pipe: %s", strerror(errno));
        goto out;
    }
    pid = fork();
    if (pid < 0) {
        rc = dr_err_set(err, DR_EIO, "credential_process: fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        dup2(outp[1], STDOUT_FILENO);
        dup2(errp[1], STDERR_FILENO);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(outp[1]);
    close(errp[1]);
    outp[1] = errp[1] = -1;
    while (open_o || open_e) {
        struct pollfd fds[2];
        int n = 0, timeout = (int)(deadline - time_mono_ms());
        char chunk[4096];
        if (timeout <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            rc = dr_err_set(err, DR_ETIMEOUT, "credential_process timed out after 60 s");
            goto out;
        }
        if (open_o)
            fds[n++] = (struct pollfd){outp[0], POLLIN, 0};
        if (open_e)
            fds[n++] = (struct pollfd){errp[0], POLLIN, 0};
        if (poll(fds, (nfds_t)n, timeout) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < n; i++) {
            ssize_t r;
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            r = read(fds[i].fd, chunk, sizeof(chunk));
            if (r <= 0) {
                if (fds[i].fd == outp[0])
                    open_o = false;
                else
                    open_e = false;
                continue;
            }
            if (fds[i].fd == outp[0]) {
                if (buf_add(&so, chunk, (size_t)r) < 0) {
                    kill(pid, SIGKILL);
                    waitpid(pid, &status, 0);
                    rc = dr_err_set(err, DR_ECRED, "credential_process output exceeds 64 KiB");
                    goto out;
                }
            } else if (se.len < 1024) {
                if (buf_add(&se, chunk, (size_t)r) < 0)
                    buf_reset(&se);
            }
        }
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        while (se.len && (se.p[se.len - 1] == '\n' || se.p[se.len - 1] == '\r'))
            buf_truncate(&se, se.len - 1);
        buf_truncate(&se, 512);
        rc = dr_err_set(err, DR_ECRED, "credential_process exited with status %d%s%s",
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1, se.len ? ": " : "", se.p);
        goto out;
    }
    rc = parse_process_json(so.p, so.len, out, err);
out:
    if (outp[0] >= 0)
        close(outp[0]);
    if (outp[1] >= 0)
        close(outp[1]);
    if (errp[0] >= 0)
        close(errp[0]);
    if (errp[1] >= 0)
        close(errp[1]);
    OPENSSL_cleanse(so.p, so.len);
    buf_cleanup(&so);
    buf_cleanup(&se);
    return rc;
}

/* ---- IMDSv2 ---- */

static size_t imds_write(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    return buf_add(b, p, size * n) < 0 ? 0 : size * n;
}

static int imds_req(CURL *h, const char *url, const char *method, struct curl_slist *hdrs,
                    long timeout_ms, struct buf *body, long *status)
{
    CURLcode cc;

    buf_reset(body);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms * 2);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, imds_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    cc = curl_easy_perform(h);
    if (cc != CURLE_OK)
        return -1;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    return 0;
}

int cred_imds_fetch(const struct cred_env *env, const char *endpoint, long timeout_ms,
                    struct aws_creds *out, struct dr_err *err)
{
    const char *dis = env_of(env, "AWS_EC2_METADATA_DISABLED");
    const char *base = endpoint ? endpoint : env_of(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    struct buf url, body, tokhdr;
    struct curl_slist *h1 = NULL, *h2 = NULL;
    CURL *h = NULL;
    long status = 0;
    char role[256];
    json_t *j = NULL;
    int rc = 0;
    int64_t exp_ms = 0;

    if (dis && dr_strcaseeq(dis, "true"))
        return dr_err_set(err, DR_ECRED,
                          "instance metadata is disabled "
                          "(AWS_EC2_METADATA_DISABLED=true)");
    if (!base)
        base = "http://169.254.169.254";
    if (timeout_ms <= 0)
        timeout_ms = 1000;
    buf_init(&url, 4096);
    buf_init(&body, 64 * 1024);
    buf_init(&tokhdr, 4096);
    h = curl_easy_init();
    if (!h) {
        rc = dr_err_set(err, DR_ENOMEM, "out of memory");
        goto out;
    }
    h1 = curl_slist_append(NULL, "X-aws-ec2-metadata-token-ttl-seconds: 21600");
    while (base[0] && base[strlen(base) - 1] == '/' && url.len == 0) {
        /* trailing slash handled by the path joins below */
        break;
    }
    if (buf_addf(&url, "%s/latest/api/token", base) < 0 ||
        imds_req(h, url.p, "PUT", h1, timeout_ms, &body, &status) < 0 || status != 200) {
        rc = dr_err_set(err, DR_ECRED, "instance metadata (IMDSv2) is not reachable at %s", base);
        goto out;
    }
    if (buf_addf(&tokhdr, "X-aws-ec2-metadata-token: %.*s", (int)body.len, body.p) < 0) {
        rc = dr_err_set(err, DR_ECRED, "IMDS token too long");
        goto out;
    }
    h2 = curl_slist_append(NULL, tokhdr.p);
    buf_reset(&url);
    if (buf_addf(&url, "%s/latest/meta-data/iam/security-credentials/", base) < 0 ||
        imds_req(h, url.p, "GET", h2, timeout_ms, &body, &status) < 0 || status != 200 ||
        body.len == 0 || body.len >= sizeof(role)) {
        rc = dr_err_set(err, DR_ECRED, "instance metadata has no IAM role (HTTP %ld)", status);
        goto out;
    }
    {
        struct str first;
        str_cut((struct str){body.p, body.len}, '\n', &first);
        first = str_trim(first);
        memcpy(role, first.p, first.len);
        role[first.len] = '\0';
    }
    buf_reset(&url);
    if (buf_addf(&url, "%s/latest/meta-data/iam/security-credentials/%s", base, role) < 0 ||
        imds_req(h, url.p, "GET", h2, timeout_ms, &body, &status) < 0 || status != 200) {
        rc = dr_err_set(err, DR_ECRED, "instance metadata credentials for role %s: HTTP %ld", role,
                        status);
        goto out;
    }
    if (json_parse(body.p, body.len, "instance metadata credentials", &j, err) < 0) {
        rc = -DR_ECRED;
        goto out;
    }
    if (json_str_borrow(j, "Expiration") &&
        time_parse(json_str_borrow(j, "Expiration"), &exp_ms) < 0)
        exp_ms = 0;
    rc =
        aws_creds_set(out, json_str_borrow(j, "AccessKeyId"), json_str_borrow(j, "SecretAccessKey"),
                      json_str_borrow(j, "Token"), exp_ms, "imds", err);
out:
    json_decref(j);
    OPENSSL_cleanse(body.p, body.len);
    OPENSSL_cleanse(tokhdr.p, tokhdr.len);
    buf_cleanup(&url);
    buf_cleanup(&body);
    buf_cleanup(&tokhdr);
    curl_slist_free_all(h1);
    curl_slist_free_all(h2);
    if (h)
        curl_easy_cleanup(h);
    return rc;
}

/* ---- STS AssumeRole mapping ---- */

json_t *cred_role_assume_input(const struct cred_role *r, int64_t now_ms)
{
    json_t *in = json_object();
    char sess[64];

    if (!in)
        return NULL;
    json_object_set_new(in, "RoleArn", json_string(r->role_arn ? r->role_arn : ""));
    if (r->session_name) {
        json_object_set_new(in, "RoleSessionName", json_string(r->session_name));
    } else {
        snprintf(sess, sizeof(sess), "drover-%lld", (long long)now_ms);
        json_object_set_new(in, "RoleSessionName", json_string(sess));
    }
    if (r->external_id)
        json_object_set_new(in, "ExternalId", json_string(r->external_id));
    if (r->duration_seconds)
        json_object_set_new(in, "DurationSeconds", json_integer(r->duration_seconds));
    if (r->source_identity)
        json_object_set_new(in, "SourceIdentity", json_string(r->source_identity));
    if (json_is_object(r->tags) && json_object_size(r->tags)) {
        json_t *tags = json_array(), *v;
        const char *k;
        json_object_foreach(r->tags, k, v)
        {
            json_array_append_new(tags, json_pack("{s:s,s:s}", "Key", k, "Value",
                                                  json_is_string(v) ? json_string_value(v) : ""));
        }
        json_object_set_new(in, "Tags", tags);
    }
    if (json_is_array(r->transitive_tag_keys) && json_array_size(r->transitive_tag_keys))
        json_object_set(in, "TransitiveTagKeys", r->transitive_tag_keys);
    return in;
}

int cred_from_assume_output(const json_t *out, struct aws_creds *creds, struct dr_err *err)
{
    json_t *c = json_object_get(out, "Credentials");
    const char *exp = json_str_borrow(c, "Expiration");
    int64_t exp_ms = 0;

    if (!json_is_object(c))
        return dr_err_set(err, DR_EPARSE, "AssumeRole response has no Credentials");
    if (!exp || time_parse(exp, &exp_ms) < 0)
        return dr_err_set(err, DR_EPARSE,
                          "AssumeRole response: Credentials.Expiration is not "
                          "a timestamp");
    if (!json_str_borrow(c, "SessionToken"))
        return dr_err_set(err, DR_EPARSE, "AssumeRole response: no Credentials.SessionToken");
    return aws_creds_set(creds, json_str_borrow(c, "AccessKeyId"),
                         json_str_borrow(c, "SecretAccessKey"), json_str_borrow(c, "SessionToken"),
                         exp_ms, "assume-role", err);
}

/* ---- assumed-role cache ---- */

struct waiter {
    cred_wait_cb cb;
    void *ud;
    struct waiter *next;
};

enum entry_state { ENTRY_EMPTY, ENTRY_VALID, ENTRY_FETCHING, ENTRY_FAILED };

struct entry {
    enum entry_state state;
    struct aws_creds creds;
    struct waiter *waiters; /* FIFO via tail insertion */
};

struct cred_cache {
    struct strmap map;
};

struct cred_cache *cred_cache_new(void)
{
    struct cred_cache *c = calloc(1, sizeof(*c));
    if (c)
        strmap_init(&c->map);
    return c;
}

static void entry_free(void *p)
{
    struct entry *e = p;
    struct waiter *w, *n;
    if (!e)
        return;
    for (w = e->waiters; w; w = n) {
        n = w->next;
        free(w);
    }
    aws_creds_cleanup(&e->creds);
    free(e);
}

void cred_cache_free(struct cred_cache *c)
{
    if (!c)
        return;
    strmap_cleanup(&c->map, entry_free);
    free(c);
}

int cred_cache_key(const char *parent_akid, const struct cred_role *r, char *out, size_t n)
{
    char xid[65] = "-";
    struct buf b;
    int rc = 0;

    if (r->external_id)
        crypto_sha256_hex(r->external_id, strlen(r->external_id), xid);
    buf_init(&b, n ? n - 1 : 0);
    if (buf_addf(&b, "%s|%s|%s|%s|%d|%s", parent_akid ? parent_akid : "-",
                 r->role_arn ? r->role_arn : "-", xid, r->session_name ? r->session_name : "-",
                 r->duration_seconds, r->source_identity ? r->source_identity : "-") < 0)
        rc = -1;
    if (rc == 0 && r->tags) {
        char *t = json_dumps(r->tags, JSON_COMPACT | JSON_SORT_KEYS);
        if (!t || buf_addf(&b, "|%s", t) < 0)
            rc = -1;
        free(t);
    }
    if (rc == 0 && r->transitive_tag_keys) {
        char *t = json_dumps(r->transitive_tag_keys, JSON_COMPACT);
        if (!t || buf_addf(&b, "|%s", t) < 0)
            rc = -1;
        free(t);
    }
    if (rc == 0)
        dr_strlcpy(out, b.p, n);
    buf_cleanup(&b);
    return rc;
}

enum cred_lookup cred_cache_lookup(struct cred_cache *c, const char *key, int64_t now_ms,
                                   struct aws_creds *out, cred_wait_cb cb, void *ud)
{
    struct entry *e = strmap_get(&c->map, key);

    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e || strmap_put(&c->map, key, e, NULL) < 0) {
            free(e);
            return CRED_FETCH; /* uncached fetch; complete() will find no entry */
        }
    }
    if (e->state == ENTRY_VALID && aws_creds_valid(&e->creds, now_ms, CRED_REFRESH_MARGIN_MS)) {
        if (aws_creds_copy(out, &e->creds, NULL) == 0)
            return CRED_HIT;
    }
    if (e->state == ENTRY_FETCHING) {
        struct waiter *w = calloc(1, sizeof(*w)), **tail;
        if (!w)
            return CRED_FETCH;
        w->cb = cb;
        w->ud = ud;
        for (tail = &e->waiters; *tail; tail = &(*tail)->next)
            ;
        *tail = w;
        return CRED_WAIT;
    }
    e->state = ENTRY_FETCHING;
    return CRED_FETCH;
}

void cred_cache_complete(struct cred_cache *c, const char *key, const struct aws_creds *creds,
                         const struct dr_err *err)
{
    struct entry *e = strmap_get(&c->map, key);
    struct waiter *w, *next;
    struct aws_creds copy;
    struct dr_err e2;

    memset(&copy, 0, sizeof(copy));
    dr_err_clear(&e2);
    if (!e)
        return;
    if (creds && !err && aws_creds_copy(&e->creds, creds, &e2) == 0) {
        e->state = ENTRY_VALID;
    } else {
        e->state = ENTRY_FAILED;
        aws_creds_cleanup(&e->creds);
        if (err)
            dr_err_copy(&e2, err);
        else if (!e2.status)
            dr_err_set(&e2, DR_ECRED, "credentials could not be stored");
    }
    /* detach first: waiters may look the key up again re-entrantly */
    w = e->waiters;
    e->waiters = NULL;
    if (e->state == ENTRY_VALID)
        aws_creds_copy(&copy, &e->creds, NULL);
    for (; w; w = next) {
        next = w->next;
        if (copy.access_key_id)
            w->cb(w->ud, &copy, NULL);
        else
            w->cb(w->ud, NULL, &e2);
        free(w);
    }
    aws_creds_cleanup(&copy);
}
