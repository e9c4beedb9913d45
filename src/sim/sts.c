/*
 * sts.c - STS GetCallerIdentity and AssumeRole for the simulator (query
 * protocol; results in the XML convention of wire.c). AssumeRole checks
 * the target role's trust policy through sim_trust_allows() and mints
 * session credentials (ASIA...) that route to the role's account.
 * Session expiry is in real time (clients compare it with their own
 * clock), not sim time. Depends on the core module, jansson.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "core/timeutil.h"
#include "sim/internal.h"

static int get_caller_identity(struct sim_call *c, json_t *in)
{
    (void)in;
    c->out =
        json_pack("{s:O, s:O, s:O}", "UserId", json_object_get(c->ident, "user_id"), "Account",
                  json_object_get(c->ident, "account_id"), "Arn", json_object_get(c->ident, "arn"));
    return 0;
}

static bool valid_session_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 64)
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || strchr("+=,.@_-", *s)))
            return false;
    return true;
}

static void sweep_sessions(struct sim_world *w, int64_t real_ms)
{
    const char *k;
    json_t *v, *tmp;
    json_object_foreach_safe(w->keys, tmp, k, v)
    {
        if (json_object_get(v, "token") &&
            json_integer_value(json_object_get(v, "expires_ms")) < real_ms)
            json_object_del(w->keys, k);
    }
}

static int deny(struct sim_call *c, const char *role_arn, const char *why)
{
    return sim_fail(c, 403, "AccessDenied",
                    "User: %s is not authorized to perform: sts:AssumeRole on resource: %s (%s)",
                    json_string_value(json_object_get(c->ident, "arn")), role_arn, why);
}

static int assume_role(struct sim_call *c, json_t *in)
{
    struct sim_world *w = c->w;
    const char *role_arn = json_string_value(json_object_get(in, "RoleArn"));
    const char *sess = json_string_value(json_object_get(in, "RoleSessionName"));
    if (!role_arn)
        return sim_fail(c, 400, "ValidationError",
                        "1 validation error detected: Value null at 'roleArn' failed to satisfy "
                        "constraint: Member must not be null");
    if (!sess || !valid_session_name(sess))
        return sim_fail(c, 400, "ValidationError",
                        "1 validation error detected: Value at 'roleSessionName' failed to satisfy "
                        "constraint: Member must have length 2-64 and match [\\w+=,.@-]*");
    /* arn:aws:iam::ACCOUNT:role/path/name */
    if (strncmp(role_arn, "arn:aws:iam::", 13) != 0 || strlen(role_arn) < 13 + 12 + 6 ||
        strncmp(role_arn + 25, ":role/", 6) != 0)
        return sim_fail(c, 400, "ValidationError", "%s is not a valid role ARN", role_arn);
    char acct[13];
    memcpy(acct, role_arn + 13, 12);
    acct[12] = '\0';
    const char *rname = strrchr(role_arn, '/') + 1;
    json_t *account = json_object_get(w->accounts, acct);
    json_t *role = json_object_get(json_object_get(account, "roles"), rname);
    if (!role || strcmp(json_string_value(json_object_get(role, "Arn")), role_arn) != 0)
        return deny(c, role_arn, "no such role");
    int64_t dur = 3600;
    const char *ds = json_string_value(json_object_get(in, "DurationSeconds"));
    int64_t maxdur = json_integer_value(json_object_get(role, "MaxSessionDuration"));
    bool chained = json_object_get(c->ident, "token") != NULL;
    if (ds && (dr_parse_i64(ds, &dur) < 0 || dur < 900 || dur > 43200))
        return sim_fail(c, 400, "ValidationError",
                        "1 validation error detected: Value '%s' at 'durationSeconds' failed to "
                        "satisfy constraint: Member must have value between 900 and 43200",
                        ds);
    if (dur > maxdur || (chained && dur > 3600))
        return sim_fail(c, 400, "ValidationError",
                        "The requested DurationSeconds exceeds the %s set for this role.",
                        chained ? "1 hour session limit for roles assumed by role chaining"
                                : "MaxSessionDuration");
    const char *ext = json_string_value(json_object_get(in, "ExternalId"));
    if (ext && (strlen(ext) < 2 || strlen(ext) > 1224))
        return sim_fail(c, 400, "ValidationError",
                        "1 validation error detected: Value at 'externalId' failed to satisfy "
                        "constraint: Member must have length between 2 and 1224");
    struct sim_trust_req tr = {
        .role_arn = role_arn,
        .principal_arn = json_string_value(json_object_get(c->ident, "arn")),
        .principal_account = c->account_id,
        .role_principal = json_string_value(json_object_get(c->ident, "role_arn")),
        .external_id = ext,
        .source_identity = json_string_value(json_object_get(in, "SourceIdentity")),
        .source_account = NULL,
        .source_arn = NULL,
    };
    char why[256];
    if (!sim_trust_allows(json_object_get(role, "trust"), &tr, why, sizeof why))
        return deny(c, role_arn, why);

    if (++w->nsessions % 1024 == 0)
        sweep_sessions(w, c->real_ms);
    char akid[24], secret[41], token[257], hex[17], rid[64], sarn[512], exp[32];
    sim_prng_hex(&w->rng, hex, 16);
    for (char *p = hex; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    snprintf(akid, sizeof akid, "ASIA%s", hex);
    sim_prng_hex(&w->rng, secret, 40);
    memcpy(token, "FwoGZXIvYXdzEDrsim", 18);
    sim_prng_hex(&w->rng, token + 18, 200);
    snprintf(rid, sizeof rid, "%s:%s", json_string_value(json_object_get(role, "RoleId")), sess);
    snprintf(sarn, sizeof sarn, "arn:aws:sts::%s:assumed-role/%s/%s", acct, rname, sess);
    int64_t expires = c->real_ms + dur * 1000;
    time_iso8601((time_t)(expires / 1000), exp, sizeof exp);
    json_t *id = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "type", "session",
                           "account_id", acct, "arn", sarn, "user_id", rid, "secret", secret,
                           "token", token, "expires_ms", (json_int_t)expires, "role_arn", role_arn);
    if (tr.source_identity)
        json_object_set_new(id, "source_identity", json_string(tr.source_identity));
    json_object_set_new(w->keys, akid, id);
    c->out = json_pack("{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s}, s:i}", "Credentials", "AccessKeyId",
                       akid, "SecretAccessKey", secret, "SessionToken", token, "Expiration", exp,
                       "AssumedRoleUser", "AssumedRoleId", rid, "Arn", sarn, "PackedPolicySize", 0);
    if (tr.source_identity)
        json_object_set_new(c->out, "SourceIdentity", json_string(tr.source_identity));
    return 0;
}

const struct sim_op sim_sts_ops[] = {
    {"GetCallerIdentity", get_caller_identity},
    {"AssumeRole", assume_role},
    {NULL, NULL},
};
