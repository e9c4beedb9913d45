/*
 * credentials.c - resolving the credential chain to a plan (environment,
 * profiles, role_arn + source_profile chains, credential_source,
 * credential_process, IMDS), following botocore's credentials.py, and the
 * STS AssumeRole request/response mapping for one plan step.
 *
 * No network or process I/O here: credprocess.c runs credential_process,
 * imds.c talks to IMDS, credcache.c caches assumed roles. Depends on
 * core/, aws/creds.h, aws/sharedconfig.c (awscfg_*) and jansson.
 */
#include "aws/credentials.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "core/timeutil.h"

static const char *env_get(const struct cred_env *env, const char *name)
{
    const char *v;

    if (env && env->getenv_fn)
        v = env->getenv_fn(name);
    else
        v = getenv(name);
    return dr_nonempty(v) ? v : NULL;
}

/* ---- roles ---- */

void cred_role_cleanup(struct cred_role *r)
{
    if (!r)
        return;
    free(r->role_arn);
    if (r->external_id) {
        memset(r->external_id, 0, strlen(r->external_id));
        free(r->external_id);
    }
    free(r->session_name);
    free(r->source_identity);
    json_decref(r->tags);
    json_decref(r->transitive_tag_keys);
    memset(r, 0, sizeof(*r));
}

static int dup_opt(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    *dst = strdup(src);
    return *dst ? 0 : -1;
}

int cred_role_copy(struct cred_role *dst, const struct cred_role *src, struct dr_err *err)
{
    struct cred_role n;

    memset(&n, 0, sizeof(n));
    if (dup_opt(&n.role_arn, src->role_arn) < 0 || dup_opt(&n.external_id, src->external_id) < 0 ||
        dup_opt(&n.session_name, src->session_name) < 0 ||
        dup_opt(&n.source_identity, src->source_identity) < 0)
        goto oom;
    n.duration_seconds = src->duration_seconds;
    if (src->tags && !(n.tags = json_deep_copy(src->tags)))
        goto oom;
    if (src->transitive_tag_keys &&
        !(n.transitive_tag_keys = json_deep_copy(src->transitive_tag_keys)))
        goto oom;
    *dst = n;
    return 0;
oom:
    cred_role_cleanup(&n);
    return dr_err_set(err, DR_ENOMEM, "out of memory");
}

void cred_plan_cleanup(struct cred_plan *p)
{
    if (!p)
        return;
    aws_creds_cleanup(&p->base);
    free(p->process_cmd);
    free(p->profile);
    free(p->base_profile);
    free(p->region);
    for (size_t i = 0; i < p->nroles; i++)
        cred_role_cleanup(&p->roles[i]);
    free(p->roles);
    memset(p, 0, sizeof(*p));
}

/* ---- resolution ---- */

struct resolver {
    const struct cred_env *env;
    const struct awscfg *cfg;
    struct cred_plan *plan;
    struct dr_err *err;
    const char **visited;
    size_t nvisited, capvisited;
};

static int oom(struct resolver *rs)
{
    return dr_err_set(rs->err, DR_ENOMEM, "out of memory");
}

static const char *pget(struct resolver *rs, const char *profile, const char *key)
{
    return awscfg_get(rs->cfg, profile, key);
}

static bool has_static(struct resolver *rs, const char *profile)
{
    return pget(rs, profile, "aws_access_key_id") || pget(rs, profile, "aws_secret_access_key");
}

static bool has_role(struct resolver *rs, const char *profile)
{
    return pget(rs, profile, "role_arn") != NULL;
}

/* Environment keys into plan->base. 1 found, 0 none, negative on error. */
static int env_keys(struct resolver *rs, struct aws_creds *out)
{
    const char *akid = env_get(rs->env, "AWS_ACCESS_KEY_ID");
    const char *secret, *token, *exp;
    int64_t exp_ms = 0;

    if (!akid)
        return 0;
    secret = env_get(rs->env, "AWS_SECRET_ACCESS_KEY");
    if (!secret)
        return dr_err_set(rs->err, DR_ECRED,
                          "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    token = env_get(rs->env, "AWS_SECURITY_TOKEN");
    if (!token)
        token = env_get(rs->env, "AWS_SESSION_TOKEN");
    exp = env_get(rs->env, "AWS_CREDENTIAL_EXPIRATION");
    if (exp && time_parse(exp, &exp_ms) < 0)
        return dr_err_set(rs->err, DR_EINVAL,
                          "environment: AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time");
    if (aws_creds_set(out, akid, secret, token, exp_ms, "env", rs->err) < 0)
        return -(int)DR_ENOMEM;
    return 1;
}

/*
 * Static keys from one file's section of profile. 1 found, 0 none,
 * negative on a partial set.
 */
static int file_keys(struct resolver *rs, const char *profile, bool config_file,
                     struct aws_creds *out)
{
    const char *akid = awscfg_get_file(rs->cfg, profile, "aws_access_key_id", config_file);
    const char *secret, *token;
    const char *file = config_file ? "config file" : "credentials file";

    if (!akid)
        return 0;
    secret = awscfg_get_file(rs->cfg, profile, "aws_secret_access_key", config_file);
    if (!secret)
        return dr_err_set(rs->err, DR_ECRED,
                          "profile '%s' (%s): aws_access_key_id is set but aws_secret_access_key "
                          "is not",
                          profile, file);
    if (!*akid || !*secret)
        return dr_err_set(rs->err, DR_ECRED, "profile '%s' (%s): %s is empty", profile, file,
                          *akid ? "aws_secret_access_key" : "aws_access_key_id");
    token = awscfg_get_file(rs->cfg, profile, "aws_security_token", config_file);
    if (!token)
        token = awscfg_get_file(rs->cfg, profile, "aws_session_token", config_file);
    if (aws_creds_set(out, akid, secret, token, 0, "profile", rs->err) < 0)
        return -(int)DR_ENOMEM;
    return 1;
}

static int unsupported(struct resolver *rs, const char *profile, const char *what)
{
    return dr_err_set(rs->err, DR_EINVAL, "profile '%s': %s is not supported by drover", profile,
                      what);
}

/*
 * botocore's ProfileProviderBuilder.providers for a profile: web identity
 * and SSO (unsupported: an error), static keys in the credentials file,
 * credential_process, static keys in the config file. Sets the plan's
 * base. 1 found, 0 nothing, negative on error.
 */
static int profile_providers(struct resolver *rs, const char *profile, bool allow_env)
{
    struct cred_plan *p = rs->plan;
    const char *cmd;
    int rc;

    if (pget(rs, profile, "web_identity_token_file") ||
        (allow_env && env_get(rs->env, "AWS_WEB_IDENTITY_TOKEN_FILE") &&
         env_get(rs->env, "AWS_ROLE_ARN")))
        return unsupported(rs, profile, "web identity (web_identity_token_file)");
    if (pget(rs, profile, "sso_session") || pget(rs, profile, "sso_start_url"))
        return unsupported(rs, profile, "SSO (sso_session / sso_start_url)");
    rc = file_keys(rs, profile, false, &p->base);
    if (rc > 0) {
        p->kind = CRED_SRC_PROFILE;
    } else if (rc == 0 && (cmd = pget(rs, profile, "credential_process")) != NULL) {
        if (!*cmd)
            return dr_err_set(rs->err, DR_ECRED, "profile '%s': credential_process is empty",
                              profile);
        p->process_cmd = strdup(cmd);
        if (!p->process_cmd)
            return oom(rs);
        p->kind = CRED_SRC_PROCESS;
        rc = 1;
    } else if (rc == 0) {
        rc = file_keys(rs, profile, true, &p->base);
        if (rc > 0)
            p->kind = CRED_SRC_PROFILE;
    }
    if (rc > 0) {
        free(p->base_profile);
        p->base_profile = strdup(profile);
        if (!p->base_profile)
            return oom(rs);
    }
    return rc;
}

static int visit(struct resolver *rs, const char *profile)
{
    if (rs->nvisited == rs->capvisited) {
        size_t ncap = rs->capvisited ? rs->capvisited * 2 : 8;
        const char **n = realloc(rs->visited, ncap * sizeof(*n));
        if (!n)
            return oom(rs);
        rs->visited = n;
        rs->capvisited = ncap;
    }
    rs->visited[rs->nvisited++] = profile;
    return 0;
}

static bool visited(struct resolver *rs, const char *profile)
{
    for (size_t i = 0; i < rs->nvisited; i++)
        if (strcmp(rs->visited[i], profile) == 0)
            return true;
    return false;
}

static int cycle_error(struct resolver *rs, const char *profile)
{
    char path[DR_ERR_MSG_MAX];
    size_t off = 0;

    path[0] = '\0';
    for (size_t i = 0; i < rs->nvisited && off < sizeof(path); i++) {
        int n = snprintf(path + off, sizeof(path) - off, "%s -> ", rs->visited[i]);
        if (n < 0)
            break;
        off += (size_t)n;
    }
    return dr_err_set(rs->err, DR_EINVAL,
                      "source_profile cycle: profile '%s' was already visited (%s%s)", profile,
                      path, profile);
}

static bool session_name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 2 || n > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("+=,.@_-", *s)))
            return false;
    return true;
}

/* Reads role_arn & co. of profile into a new step appended to the plan. */
static int add_role(struct resolver *rs, const char *profile)
{
    struct cred_plan *p = rs->plan;
    const char *arn = pget(rs, profile, "role_arn");
    const char *ext = pget(rs, profile, "external_id");
    const char *sn = pget(rs, profile, "role_session_name");
    const char *dur = pget(rs, profile, "duration_seconds");
    struct cred_role *r, *n;

    if (pget(rs, profile, "mfa_serial"))
        return unsupported(rs, profile, "mfa_serial (MFA prompts)");
    if (strncmp(arn, "arn:", 4) != 0)
        return dr_err_set(rs->err, DR_EINVAL, "profile '%s': role_arn '%.100s' is not an ARN",
                          profile, arn);
    if (ext && (strlen(ext) < 2 || strlen(ext) > 1224))
        return dr_err_set(rs->err, DR_EINVAL,
                          "profile '%s': external_id must be 2 to 1224 characters", profile);
    if (sn && !session_name_ok(sn))
        return dr_err_set(rs->err, DR_EINVAL,
                          "profile '%s': role_session_name must be 2 to 64 characters of "
                          "A-Z a-z 0-9 +=,.@_-",
                          profile);
    n = realloc(p->roles, (p->nroles + 1) * sizeof(*n));
    if (!n)
        return oom(rs);
    p->roles = n;
    r = &p->roles[p->nroles];
    memset(r, 0, sizeof(*r));
    p->nroles++;
    if (dur) {
        int64_t v;
        if (dr_parse_i64(dur, &v) < 0 || v < 900 || v > 43200)
            return dr_err_set(rs->err, DR_EINVAL,
                              "profile '%s': duration_seconds '%.32s' must be an integer from 900 "
                              "to 43200",
                              profile, dur);
        r->duration_seconds = (int)v;
    }
    if (dup_opt(&r->role_arn, arn) < 0 || dup_opt(&r->external_id, ext) < 0 ||
        dup_opt(&r->session_name, sn) < 0)
        return oom(rs);
    return 0;
}

/* credential_source of profile: the plan's base. */
static int credential_source(struct resolver *rs, const char *profile, const char *src)
{
    int rc;

    if (strcmp(src, "Environment") == 0) {
        rc = env_keys(rs, &rs->plan->base);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return dr_err_set(rs->err, DR_ECRED,
                              "profile '%s': credential_source Environment, but "
                              "AWS_ACCESS_KEY_ID is not set",
                              profile);
        rs->plan->kind = CRED_SRC_ENV;
        return 0;
    }
    if (strcmp(src, "Ec2InstanceMetadata") == 0) {
        rs->plan->kind = CRED_SRC_IMDS;
        return 0;
    }
    if (strcmp(src, "EcsContainer") == 0)
        return unsupported(rs, profile, "credential_source EcsContainer");
    return dr_err_set(rs->err, DR_EINVAL,
                      "profile '%s': credential_source '%.64s' is not valid (Environment, "
                      "Ec2InstanceMetadata or EcsContainer)",
                      profile, src);
}

/*
 * The role chain starting at profile top (which has role_arn): botocore's
 * AssumeRoleProvider._load_creds_via_assume_role, iteratively. Steps are
 * collected outermost first and reversed at the end.
 */
static int role_chain(struct resolver *rs, const char *top)
{
    struct cred_plan *p = rs->plan;
    const char *cur = top;
    int rc;

    rc = visit(rs, top);
    for (; rc == 0;) {
        const char *sp = pget(rs, cur, "source_profile");
        const char *cs = pget(rs, cur, "credential_source");

        if (pget(rs, cur, "web_identity_token_file"))
            return unsupported(rs, cur, "web identity (web_identity_token_file)");
        if (sp && cs)
            return dr_err_set(rs->err, DR_EINVAL,
                              "profile '%s': source_profile and credential_source are both set",
                              cur);
        if (!sp && !cs)
            return dr_err_set(rs->err, DR_ECRED,
                              "profile '%s': role_arn needs source_profile or credential_source",
                              cur);
        rc = add_role(rs, cur);
        if (rc < 0)
            return rc;
        if (cs) {
            rc = credential_source(rs, cur, cs);
            break;
        }
        if (!awscfg_has_profile(rs->cfg, sp))
            return dr_err_set(rs->err, DR_ECRED,
                              "profile '%s': source_profile '%.64s' does not exist", cur, sp);
        if (visited(rs, sp)) {
            /* a profile may source itself when it has static keys */
            if (strcmp(sp, cur) != 0 || !has_static(rs, sp))
                return cycle_error(rs, sp);
        }
        rc = visit(rs, sp);
        if (rc < 0)
            return rc;
        if (has_static(rs, sp) || !has_role(rs, sp)) {
            rc = profile_providers(rs, sp, false);
            if (rc == 0)
                rc = dr_err_set(rs->err, DR_ECRED,
                                "profile '%s': its source_profile '%s' has no credentials "
                                "(aws_access_key_id, credential_process or role_arn)",
                                cur, sp);
            break;
        }
        cur = sp;
    }
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < p->nroles / 2; i++) {
        struct cred_role t = p->roles[i];
        p->roles[i] = p->roles[p->nroles - 1 - i];
        p->roles[p->nroles - 1 - i] = t;
    }
    return 0;
}

static int set_region(struct resolver *rs, const char *profile)
{
    const char *r = env_get(rs->env, "AWS_REGION");

    if (!r)
        r = env_get(rs->env, "AWS_DEFAULT_REGION");
    if (!r && profile)
        r = pget(rs, profile, "region");
    if (r && *r && !(rs->plan->region = strdup(r)))
        return oom(rs);
    return 0;
}

int cred_plan_resolve(const struct cred_env *env, const struct awscfg *cfg, struct cred_plan *out,
                      struct dr_err *err)
{
    struct dr_err local;
    struct resolver rs = {env, cfg, out, err ? err : &local, NULL, 0, 0};
    const char *explicit_profile = env && dr_nonempty(env->profile) ? env->profile : NULL;
    const char *named, *profile;
    bool exists;
    int rc;

    memset(out, 0, sizeof(*out));
    named = explicit_profile;
    if (!named)
        named = env_get(env, "AWS_DEFAULT_PROFILE");
    if (!named)
        named = env_get(env, "AWS_PROFILE");
    profile = named ? named : "default";
    exists = awscfg_has_profile(cfg, profile);
    if (named && !exists) {
        rc = dr_err_set(rs.err, DR_ENOTFOUND, "the config profile (%.128s) could not be found",
                        named);
        goto out;
    }
    if (exists && !(out->profile = strdup(profile))) {
        rc = oom(&rs);
        goto out;
    }
    rc = set_region(&rs, exists ? profile : NULL);
    if (rc < 0)
        goto out;
    if (!explicit_profile) {
        rc = env_keys(&rs, &out->base);
        if (rc < 0)
            goto out;
        if (rc > 0) {
            out->kind = CRED_SRC_ENV;
            rc = 0;
            goto out;
        }
    }
    if (exists && has_role(&rs, profile) && !pget(&rs, profile, "web_identity_token_file")) {
        rc = role_chain(&rs, profile);
        goto out;
    }
    if (exists || env_get(env, "AWS_WEB_IDENTITY_TOKEN_FILE")) {
        rc = profile_providers(&rs, profile, !explicit_profile);
        if (rc != 0) {
            rc = rc < 0 ? rc : 0;
            goto out;
        }
    }
    if (env_get(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
        env_get(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
        rc = dr_err_set(rs.err, DR_ECRED,
                        "container credentials (AWS_CONTAINER_CREDENTIALS_*) are not supported "
                        "by drover");
        goto out;
    }
    out->kind = CRED_SRC_IMDS;
    rc = 0;
out:
    free(rs.visited);
    if (rc < 0)
        cred_plan_cleanup(out);
    return rc;
}

/* ---- STS AssumeRole ---- */

static int obj_set_str(json_t *o, const char *k, const char *v)
{
    return json_object_set_new(o, k, json_string(v));
}

json_t *cred_role_assume_input(const struct cred_role *r, int64_t now_ms)
{
    json_t *in = json_object();
    char sn[40];

    if (!in || !r->role_arn)
        goto fail;
    if (obj_set_str(in, "RoleArn", r->role_arn) < 0)
        goto fail;
    if (r->session_name) {
        if (obj_set_str(in, "RoleSessionName", r->session_name) < 0)
            goto fail;
    } else {
        snprintf(sn, sizeof(sn), "drover-%lld", (long long)now_ms);
        if (obj_set_str(in, "RoleSessionName", sn) < 0)
            goto fail;
    }
    if (r->external_id && obj_set_str(in, "ExternalId", r->external_id) < 0)
        goto fail;
    if (r->duration_seconds > 0 &&
        json_object_set_new(in, "DurationSeconds", json_integer(r->duration_seconds)) < 0)
        goto fail;
    if (r->source_identity && obj_set_str(in, "SourceIdentity", r->source_identity) < 0)
        goto fail;
    if (json_is_object(r->tags) && json_object_size(r->tags) > 0) {
        json_t *tags = json_array();
        const char *k;
        json_t *v;
        if (!tags || json_object_set_new(in, "Tags", tags) < 0)
            goto fail;
        json_object_foreach(r->tags, k, v)
        {
            json_t *t = json_object();
            if (!t || json_array_append_new(tags, t) < 0 || obj_set_str(t, "Key", k) < 0 ||
                obj_set_str(t, "Value", json_is_string(v) ? json_string_value(v) : "") < 0)
                goto fail;
        }
    }
    if (json_is_array(r->transitive_tag_keys) && json_array_size(r->transitive_tag_keys) > 0) {
        json_t *keys = json_deep_copy(r->transitive_tag_keys);
        if (!keys || json_object_set_new(in, "TransitiveTagKeys", keys) < 0)
            goto fail;
    }
    return in;
fail:
    json_decref(in);
    return NULL;
}

int cred_from_assume_output(const json_t *out, struct aws_creds *creds, struct dr_err *err)
{
    const json_t *c = json_is_object(out) ? json_object_get(out, "Credentials") : NULL;
    const char *fields[] = {"AccessKeyId", "SecretAccessKey", "SessionToken"};
    const char *vals[3];
    const json_t *exp;
    int64_t exp_ms;

    if (!json_is_object(c))
        return dr_err_set(err, DR_EPARSE, "AssumeRole response: no Credentials object");
    for (size_t i = 0; i < 3; i++) {
        const json_t *v = json_object_get(c, fields[i]);
        if (!json_is_string(v) || json_string_length(v) == 0)
            return dr_err_set(err, DR_EPARSE, "AssumeRole response: Credentials.%s missing",
                              fields[i]);
        vals[i] = json_string_value(v);
    }
    exp = json_object_get(c, "Expiration");
    if (json_is_string(exp)) {
        if (time_parse(json_string_value(exp), &exp_ms) < 0)
            return dr_err_set(err, DR_EPARSE,
                              "AssumeRole response: Credentials.Expiration '%.40s' is not an ISO "
                              "8601 time",
                              json_string_value(exp));
    } else if (json_is_number(exp)) {
        double s = json_number_value(exp); /* epoch seconds, as some parsers give */
        if (!(s > 0 && s < 253402300800.0))
            return dr_err_set(err, DR_EPARSE,
                              "AssumeRole response: Credentials.Expiration out "
                              "of range");
        exp_ms = (int64_t)(s * 1000.0);
    } else {
        return dr_err_set(err, DR_EPARSE, "AssumeRole response: Credentials.Expiration missing");
    }
    if (exp_ms <= 0)
        return dr_err_set(err, DR_EPARSE,
                          "AssumeRole response: Credentials.Expiration out of "
                          "range");
    return aws_creds_set(creds, vals[0], vals[1], vals[2], exp_ms, "assume-role", err);
}
