/*
 * iam.c - IAM reads for the simulator (query protocol): GetRole,
 * ListRoles, GetRolePolicy, ListRolePolicies, ListAttachedRolePolicies,
 * GetPolicy and ListPolicies over the caller account's roles. Policy
 * documents are URL-encoded JSON, as IAM returns them.
 * Depends on the core module, aws/http.h, jansson.
 */
#include <stdio.h>
#include <string.h>

#include "aws/http.h"
#include "core/jsonutil.h"
#include "core/str.h"
#include "sim/internal.h"

static json_t *encoded_doc(const json_t *doc)
{
    struct buf j, e;
    buf_init(&j, SIM_BODY_MAX);
    buf_init(&e, SIM_BODY_MAX);
    json_t *out = NULL;
    if (json_dump_buf(doc, 0, &j) == 0 && http_uri_encode(&e, j.p, j.len, false) == 0)
        out = json_string(e.p);
    buf_cleanup(&j);
    buf_cleanup(&e);
    return out ? out : json_string("");
}

static json_t *role_xml(const json_t *r)
{
    json_t *tags = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r, "tags"), k, v)
        json_array_append_new(tags, json_pack("{s:s, s:O}", "Key", k, "Value", v));
    json_t *x = json_pack("{s:O, s:O, s:O, s:O, s:O, s:o, s:O, s:O}", "Path",
                          json_object_get(r, "Path"), "RoleName", json_object_get(r, "RoleName"),
                          "RoleId", json_object_get(r, "RoleId"), "Arn", json_object_get(r, "Arn"),
                          "CreateDate", json_object_get(r, "CreateDate"),
                          "AssumeRolePolicyDocument", encoded_doc(json_object_get(r, "trust")),
                          "Description", json_object_get(r, "Description"), "MaxSessionDuration",
                          json_object_get(r, "MaxSessionDuration"));
    if (json_array_size(tags))
        json_object_set_new(x, "Tags", tags);
    else
        json_decref(tags);
    return x;
}

static json_t *roles_of(struct sim_call *c)
{
    return json_object_get(json_object_get(c->w->accounts, c->account_id), "roles");
}

static json_t *find_role(struct sim_call *c, json_t *in)
{
    const char *name = json_string_value(json_object_get(in, "RoleName"));
    if (!name) {
        sim_fail(c, 400, "ValidationError",
                 "1 validation error detected: Value null at 'roleName' failed to satisfy "
                 "constraint: Member must not be null");
        return NULL;
    }
    json_t *r = json_object_get(roles_of(c), name);
    if (!r)
        sim_fail(c, 404, "NoSuchEntity", "The role with name %s cannot be found.", name);
    return r;
}

static int get_role(struct sim_call *c, json_t *in)
{
    json_t *r = find_role(c, in);
    if (!r)
        return -1;
    c->out = json_pack("{s:o}", "Role", role_xml(r));
    return 0;
}

static int list_roles(struct sim_call *c, json_t *in)
{
    const char *prefix = json_string_value(json_object_get(in, "PathPrefix"));
    json_t *arr = json_array();
    const char *k;
    json_t *r;
    json_object_foreach(roles_of(c), k, r)
    {
        const char *path = json_string_value(json_object_get(r, "Path"));
        if (prefix && strncmp(path, prefix, strlen(prefix)) != 0)
            continue;
        json_array_append_new(arr, role_xml(r));
    }
    c->out = json_pack("{s:o, s:b}", "Roles", arr, "IsTruncated", 0);
    return 0;
}

static int list_role_policies(struct sim_call *c, json_t *in)
{
    json_t *r = find_role(c, in);
    if (!r)
        return -1;
    json_t *names = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r, "inline"), k, v)
        json_array_append_new(names, json_string(k));
    c->out = json_pack("{s:o, s:b}", "PolicyNames", names, "IsTruncated", 0);
    return 0;
}

static int get_role_policy(struct sim_call *c, json_t *in)
{
    json_t *r = find_role(c, in);
    if (!r)
        return -1;
    const char *pn = json_string_value(json_object_get(in, "PolicyName"));
    json_t *doc = pn ? json_object_get(json_object_get(r, "inline"), pn) : NULL;
    if (!doc)
        return sim_fail(c, 404, "NoSuchEntity", "The role policy with name %s cannot be found.",
                        pn ? pn : "(null)");
    c->out = json_pack("{s:O, s:s, s:o}", "RoleName", json_object_get(r, "RoleName"), "PolicyName",
                       pn, "PolicyDocument", encoded_doc(doc));
    return 0;
}

static const char *policy_name(const char *arn)
{
    const char *s = strrchr(arn, '/');
    return s ? s + 1 : arn;
}

static int list_attached(struct sim_call *c, json_t *in)
{
    json_t *r = find_role(c, in);
    if (!r)
        return -1;
    json_t *arr = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "managed"), i, v)
        json_array_append_new(arr, json_pack("{s:s, s:O}", "PolicyName",
                                             policy_name(json_string_value(v)), "PolicyArn", v));
    c->out = json_pack("{s:o, s:b}", "AttachedPolicies", arr, "IsTruncated", 0);
    return 0;
}

/* Managed policies attached to any role of the account, by ARN -> attachment count. */
static json_t *attached_policies(struct sim_call *c)
{
    json_t *m = json_object();
    const char *k;
    json_t *r;
    json_object_foreach(roles_of(c), k, r)
    {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(r, "managed"), i, v)
        {
            const char *arn = json_string_value(v);
            json_object_set_new(m, arn, json_integer(json_int_or(m, arn, 0) + 1));
        }
    }
    return m;
}

static json_t *policy_xml(const char *arn, json_int_t count)
{
    const char *name = policy_name(arn);
    char id[32] = "ANPA";
    unsigned h = 0;
    for (const char *p = arn; *p; p++)
        h = h * 131 + (unsigned char)*p;
    snprintf(id + 4, sizeof id - 4, "SIM%013u", h);
    const char *path = strstr(arn, ":policy/");
    char pth[256] = "/";
    if (path) {
        path += 7;
        size_t n = (size_t)(name - path);
        if (n < sizeof pth) {
            memcpy(pth, path, n);
            pth[n] = '\0';
        }
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:s, s:s}", "PolicyName", name,
                     "PolicyId", id, "Arn", arn, "Path", pth, "DefaultVersionId", "v1",
                     "AttachmentCount", count, "IsAttachable", 1, "CreateDate",
                     "2021-01-01T00:00:00Z", "UpdateDate", "2021-01-01T00:00:00Z");
}

static int get_policy(struct sim_call *c, json_t *in)
{
    const char *arn = json_string_value(json_object_get(in, "PolicyArn"));
    json_t *m = attached_policies(c);
    json_t *cnt = arn ? json_object_get(m, arn) : NULL;
    if (!cnt) {
        json_decref(m);
        return sim_fail(c, 404, "NoSuchEntity", "Policy %s does not exist or is not attachable.",
                        arn ? arn : "(null)");
    }
    c->out = json_pack("{s:o}", "Policy", policy_xml(arn, json_integer_value(cnt)));
    json_decref(m);
    return 0;
}

static int list_policies(struct sim_call *c, json_t *in)
{
    const char *scope = json_string_value(json_object_get(in, "Scope"));
    json_t *m = attached_policies(c);
    json_t *arr = json_array();
    const char *arn;
    json_t *cnt;
    json_object_foreach(m, arn, cnt)
    {
        bool aws = strncmp(arn, "arn:aws:iam::aws:", 17) == 0;
        if (scope && ((!strcmp(scope, "Local") && aws) || (!strcmp(scope, "AWS") && !aws)))
            continue;
        json_array_append_new(arr, policy_xml(arn, json_integer_value(cnt)));
    }
    json_decref(m);
    c->out = json_pack("{s:o, s:b}", "Policies", arr, "IsTruncated", 0);
    return 0;
}

const struct sim_op sim_iam_ops[] = {
    {"GetRole", get_role},
    {"ListRoles", list_roles},
    {"ListRolePolicies", list_role_policies},
    {"GetRolePolicy", get_role_policy},
    {"ListAttachedRolePolicies", list_attached},
    {"GetPolicy", get_policy},
    {"ListPolicies", list_policies},
    {NULL, NULL},
};
