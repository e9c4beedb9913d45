/*
 * test_sim.c - unit tests for the simulator: estate validation and
 * generation, the request router (signed requests through sim_handle,
 * protocol errors), trust decisions, job life cycle on a fake clock,
 * quotas and conflicts, faults and reset.
 */
#include <jansson.h>
#include <string.h>

#include "aws/sigv4.h"
#include "core/jsonutil.h"
#include "core/timeutil.h"
#include "sim/internal.h"
#include "testlib.h"

struct fx {
    struct sim_world *w;
    char akid[64], secret[64], token[512];
    char spoke[16], region[32];
};

static struct fx *fx_new(const char *spec)
{
    struct fx *f = calloc(1, sizeof *f);
    json_t *estate = NULL;
    struct dr_err err;
    dr_err_clear(&err);
    assert_int_equal(sim_generate(spec, 7, &estate, &err), 0);
    struct sim_world_opts o = {.seed = 7, .time_scale = 1};
    assert_int_equal(sim_world_new(&o, estate, &f->w, &err), 0);
    json_decref(estate);
    f->w->clock.fake = true;
    f->w->clock.fake_ms = 1800000000000LL;
    json_t *hub = json_object_get(json_object_get(f->w->estate, "hub"), "user");
    snprintf(f->akid, sizeof f->akid, "%s",
             json_string_value(json_object_get(hub, "access_key_id")));
    snprintf(f->secret, sizeof f->secret, "%s",
             json_string_value(json_object_get(hub, "secret_access_key")));
    json_t *a0 = json_array_get(json_object_get(f->w->estate, "accounts"), 0);
    snprintf(f->spoke, sizeof f->spoke, "%s", json_string_value(json_object_get(a0, "account_id")));
    snprintf(f->region, sizeof f->region, "%s",
             json_string_value(json_array_get(json_object_get(a0, "regions"), 0)));
    return f;
}

static void fx_free(struct fx *f)
{
    sim_world_free(f->w);
    free(f);
}

/* Sends one signed request; returns the status and (optionally) the parsed JSON body. */
static int send_req(struct fx *f, const char *service, const char *region, const char *method,
                    const char *path, const char *ctype, const char *target, const char *body,
                    const char *secret_override, struct buf *out_body)
{
    struct http_request r;
    struct dr_err err;
    assert_int_equal(http_req_init(&r, method, "http", "127.0.0.1:4580", path, "", &err), 0);
    if (ctype)
        assert_int_equal(http_headers_add(&r.headers, "Content-Type", ctype), 0);
    if (target)
        assert_int_equal(http_headers_add(&r.headers, "X-Amz-Target", target), 0);
    if (body)
        assert_int_equal(http_req_set_body(&r, body, strlen(body), &err), 0);
    struct aws_creds c = {0};
    assert_int_equal(aws_creds_set(&c, f->akid, secret_override ? secret_override : f->secret,
                                   f->token[0] ? f->token : NULL, 0, "env", &err),
                     0);
    struct sigv4_params p = {.region = region, .service = service, .now = time(NULL), .creds = &c};
    assert_int_equal(sigv4_sign(&r, &p, NULL, &err), 0);
    struct sim_http_out o;
    sim_http_out_init(&o);
    int sleep_ms;
    sim_handle(f->w, &r, &o, &sleep_ms);
    int st = o.status;
    if (out_body) {
        buf_reset(out_body);
        assert_int_equal(buf_add(out_body, o.body.p, o.body.len), 0);
    }
    sim_http_out_cleanup(&o);
    aws_creds_cleanup(&c);
    http_req_cleanup(&r);
    return st;
}

static json_t *drs_call(struct fx *f, const char *op, const char *body, int *status)
{
    char path[128];
    snprintf(path, sizeof path, "/%s", op);
    struct buf b;
    buf_init(&b, (size_t)64 << 20);
    *status = send_req(f, "drs", f->region, "POST", path, "application/json", NULL, body, NULL, &b);
    json_t *v = json_loadb(b.p, b.len, 0, NULL);
    buf_cleanup(&b);
    return v;
}

/* Assumes the first spoke's role with its external ID; later calls use the session. */
static void assume_spoke(struct fx *f)
{
    json_t *a0 = json_array_get(json_object_get(f->w->estate, "accounts"), 0);
    char body[512];
    snprintf(body, sizeof body,
             "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%%3Aaws%%3Aiam%%3A%%3A%s%%3Arole%%2F"
             "DroverSpokeRole&RoleSessionName=unit&ExternalId=%s",
             f->spoke, json_string_value(json_object_get(a0, "external_id")));
    struct buf b;
    buf_init(&b, 1 << 20);
    int st = send_req(f, "sts", "us-east-1", "POST", "/", "application/x-www-form-urlencoded", NULL,
                      body, NULL, &b);
    assert_int_equal(st, 200);
    const char *ak = strstr(b.p, "<AccessKeyId>"), *sk = strstr(b.p, "<SecretAccessKey>"),
               *tk = strstr(b.p, "<SessionToken>");
    assert_non_null(ak);
    assert_non_null(sk);
    assert_non_null(tk);
    snprintf(f->akid, sizeof f->akid, "%.20s", ak + 13);
    snprintf(f->secret, sizeof f->secret, "%.40s", sk + 17);
    const char *end = strstr(tk, "</SessionToken>");
    snprintf(f->token, sizeof f->token, "%.*s", (int)(end - tk - 14), tk + 14);
    buf_cleanup(&b);
}

static void advance(struct fx *f, int64_t seconds)
{
    f->w->clock.fake_ms += seconds * 1000;
}

static void test_sim_generate_estate_shape(void **state)
{
    (void)state;
    json_t *e = NULL;
    struct dr_err err;
    assert_int_equal(sim_generate("accounts=3,regions=2,servers=5", 1, &e, &err), 0);
    json_t *accts = json_object_get(e, "accounts");
    assert_int_equal(json_array_size(accts), 3);
    json_t *seen = json_object();
    size_t i;
    json_t *a;
    json_array_foreach(accts, i, a)
    {
        const char *ext = json_string_value(json_object_get(a, "external_id"));
        assert_int_equal(strlen(ext), 32);
        assert_null(json_object_get(seen, ext));
        json_object_set_new(seen, ext, json_true());
        json_t *drs = json_object_get(a, "drs");
        assert_int_equal(json_object_size(drs), 2);
        const char *reg;
        json_t *dr;
        json_object_foreach(drs, reg, dr)
        {
            json_t *ss = sim_generate_servers(json_object_get(dr, "generate_servers"),
                                              json_string_value(json_object_get(a, "account_id")));
            assert_int_equal(json_array_size(ss), 5);
            /* the same seed gives the same servers */
            json_t *again =
                sim_generate_servers(json_object_get(dr, "generate_servers"),
                                     json_string_value(json_object_get(a, "account_id")));
            assert_true(json_equal(ss, again));
            json_decref(again);
            json_t *tags = json_object_get(json_array_get(ss, 0), "tags");
            assert_non_null(json_object_get(tags, "App"));
            assert_non_null(json_object_get(tags, "Tier"));
            assert_non_null(json_object_get(tags, "Env"));
            json_decref(ss);
        }
        /* the spoke role trusts the hub with this account's external ID */
        json_t *trust =
            json_object_get(json_array_get(json_object_get(a, "roles"), 0), "trust_policy");
        char *s = json_dumps(trust, 0);
        assert_non_null(strstr(s, ext));
        assert_non_null(strstr(s, "arn:aws:iam::100000000000:root"));
        free(s);
    }
    json_decref(seen);
    json_decref(e);
    assert_int_not_equal(sim_generate("accounts=0", 1, &e, &err), 0);
    assert_int_not_equal(sim_generate("servers=x", 1, &e, &err), 0);
    assert_int_not_equal(sim_generate("planets=3", 1, &e, &err), 0);
}

static void test_sim_estate_errors_name_the_field(void **state)
{
    (void)state;
    struct sim_prng p;
    sim_prng_seed(&p, 1);
    struct dr_err err;
    static const struct {
        const char *doc, *want;
    } cases[] = {
        {"{}", "hub"},
        {"{\"hub\":{\"account_id\":\"12\"}}", "hub.account_id"},
        {"{\"hub\":{\"account_id\":\"999999999999\"},\"accounts\":[{\"account_id\":"
         "\"111111111111\","
         "\"drs\":{\"us-west-2\":{\"source_servers\":[{\"cpus\":-1}]}}}]}",
         "accounts[0].drs.us-west-2.source_servers[0].cpus"},
        {"{\"hub\":{\"account_id\":\"999999999999\"},\"accounts\":[{\"account_id\":"
         "\"111111111111\","
         "\"drs\":{\"us-west-2\":{\"source_servers\":[{\"replication\":{\"state\":\"FINE\"}}]}}}]}",
         "replication.state"},
        {"{\"hub\":{\"account_id\":\"999999999999\"},\"accounts\":[{\"account_id\":"
         "\"999999999999\"}]}",
         "duplicate"},
        {"{\"hub\":{\"account_id\":\"999999999999\"},\"quotas\":{\"max_concurrent_jobs\":0}}",
         "quotas.max_concurrent_jobs"},
        {"{\"hub\":{\"account_id\":\"999999999999\"},\"accounts\":[{\"account_id\":"
         "\"111111111111\",\"drs\":{\"us-west-2\":{\"source_servers\":[{\"launch\":"
         "{\"private_ip\":\"10.2.0.300\"}}]}}}]}",
         "accounts[0].drs.us-west-2.source_servers[0].launch.private_ip"},
        {"{\"hub\":{\"account_id\":\"999999999999\"},\"accounts\":[{\"account_id\":"
         "\"111111111111\",\"drs\":{\"us-west-2\":{\"source_servers\":[{\"launch\":"
         "{\"template\":\"gone\"}}]}}}]}",
         "launch.template"},
        {"{\"hub\":{\"account_id\":\"999999999999\"},\"accounts\":[{\"account_id\":"
         "\"111111111111\",\"drs\":{\"us-west-2\":{\"source_servers\":[{\"private_ip\":7}]}}}]}",
         "source_servers[0].private_ip"},
        {"{\"hub\":{\"account_id\":\"999999999999\"},\"accounts\":[{\"account_id\":"
         "\"111111111111\",\"vpcs\":[{\"network_interfaces\":[{\"subnet\":\"subnet-1\"}]}]}]}",
         "accounts[0].vpcs[0].network_interfaces[0].private_ip"},
        {"{\"hub\":{\"account_id\":\"999999999999\"},\"instance_types\":{\"us-west-2\":[1]}}",
         "instance_types.us-west-2[0]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *d = json_loads(cases[i].doc, 0, NULL);
        assert_non_null(d);
        dr_err_clear(&err);
        assert_int_not_equal(sim_estate_normalize(d, &p, &err), 0);
        if (!strstr(err.msg, cases[i].want))
            fail_msg("case %zu: '%s' does not name '%s'", i, err.msg, cases[i].want);
        json_decref(d);
    }
}

static void test_sim_example_estates_load(void **state)
{
    (void)state;
    const char *src = getenv("DROVER_SRC");
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/seeds.yaml", src ? src : ".");
    struct sim_prng p;
    sim_prng_seed(&p, 1);
    json_t *e = NULL;
    struct dr_err err;
    dr_err_clear(&err);
    if (sim_estate_load(path, &p, &e, &err) != 0)
        fail_msg("%s", err.msg);
    struct sim_world_opts o = {.seed = 1, .time_scale = 1};
    struct sim_world *w = NULL;
    assert_int_equal(sim_world_new(&o, e, &w, &err), 0);
    json_t *ar = json_object_get(w->ars, "222222222222:us-west-2");
    sim_drs_materialize(w, ar);
    json_t *servers = json_object_get(json_object_get(ar, "drs"), "servers");
    assert_int_equal(json_object_size(servers), 4);
    json_t *s = json_object_get(servers, "s-0aaa00000000000b1");
    assert_string_equal(sim_json_path_str(s, "sourceCloudProperties", "originAccountID"),
                        "111111111111");
    assert_string_equal(sim_json_path_str(s, "sourceCloudProperties", "originRegion"), "us-east-1");
    sim_world_free(w);
    json_decref(e);
}

static void test_sim_router_identity_and_errors(void **state)
{
    (void)state;
    struct fx *f = fx_new("accounts=1,regions=1,servers=3");
    struct buf b;
    buf_init(&b, 1 << 20);
    const char *gci = "Action=GetCallerIdentity&Version=2011-06-15";
    const char *form = "application/x-www-form-urlencoded";
    assert_int_equal(send_req(f, "sts", "us-east-1", "POST", "/", form, NULL, gci, NULL, &b), 200);
    assert_non_null(strstr(b.p, "<Account>100000000000</Account>"));
    assert_non_null(strstr(b.p, "<RequestId>"));
    /* wrong secret */
    assert_int_equal(send_req(f, "sts", "us-east-1", "POST", "/", form, NULL, gci, "nope", &b),
                     403);
    assert_non_null(strstr(b.p, "<Code>SignatureDoesNotMatch</Code>"));
    /* unknown action */
    assert_int_equal(send_req(f, "sts", "us-east-1", "POST", "/", form, NULL,
                              "Action=Explode&Version=2011-06-15", NULL, &b),
                     400);
    assert_non_null(strstr(b.p, "<Code>InvalidAction</Code>"));
    /* rest-json: unknown operation, malformed body, wrong content type */
    assert_int_equal(
        send_req(f, "drs", f->region, "POST", "/Explode", "application/json", NULL, "{}", NULL, &b),
        404);
    assert_non_null(strstr(b.p, "UnknownOperationException"));
    assert_int_equal(send_req(f, "drs", f->region, "POST", "/DescribeSourceServers",
                              "application/json", NULL, "{\"filters\":", NULL, &b),
                     400);
    assert_non_null(strstr(b.p, "ValidationException"));
    assert_int_equal(send_req(f, "drs", f->region, "POST", "/DescribeSourceServers", "text/plain",
                              NULL, "hello", NULL, &b),
                     415);
    /* json-1.1: bad target */
    assert_int_equal(send_req(f, "kms", f->region, "POST", "/", "application/x-amz-json-1.1",
                              "TrentService.Explode", "{}", NULL, &b),
                     400);
    assert_non_null(strstr(b.p, "\"__type\":\"UnknownOperationException\""));
    /* unknown key */
    snprintf(f->akid, sizeof f->akid, "AKIAUNKNOWN000000000");
    assert_int_equal(send_req(f, "drs", f->region, "POST", "/DescribeSourceServers",
                              "application/json", NULL, "{}", NULL, &b),
                     403);
    assert_non_null(strstr(b.p, "UnrecognizedClientException"));
    assert_int_equal(send_req(f, "ec2", f->region, "POST", "/", form, NULL,
                              "Action=DescribeInstances&Version=2016-11-15", NULL, &b),
                     401);
    assert_non_null(strstr(b.p, "<Code>AuthFailure</Code>"));
    buf_cleanup(&b);
    fx_free(f);
}

static void test_sim_assume_role_checks_external_id(void **state)
{
    (void)state;
    struct fx *f = fx_new("accounts=2,regions=1,servers=1");
    char body[512];
    snprintf(body, sizeof body,
             "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%%3Aaws%%3Aiam%%3A%%3A%s%%3Arole%%2F"
             "DroverSpokeRole&RoleSessionName=unit&ExternalId=wrong-one",
             f->spoke);
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(send_req(f, "sts", "us-east-1", "POST", "/",
                              "application/x-www-form-urlencoded", NULL, body, NULL, &b),
                     403);
    assert_non_null(strstr(b.p, "<Code>AccessDenied</Code>"));
    assume_spoke(f);
    assert_int_equal(send_req(f, "sts", "us-east-1", "POST", "/",
                              "application/x-www-form-urlencoded", NULL,
                              "Action=GetCallerIdentity&Version=2011-06-15", NULL, &b),
                     200);
    char want[64];
    snprintf(want, sizeof want, "<Account>%s</Account>", f->spoke);
    assert_non_null(strstr(b.p, want));
    buf_cleanup(&b);
    fx_free(f);
}

static void test_sim_trust_conditions(void **state)
{
    (void)state;
    json_t *pol = json_loads(
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::1:root\"},"
        "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"x\"},"
        "\"StringLike\":{\"sts:SourceIdentity\":\"ops-*\"}}},"
        "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:*\",\"Condition\":"
        "{\"StringEquals\":{\"sts:SourceIdentity\":\"ops-evil\"}}}]}",
        0, NULL);
    char why[256];
    struct sim_trust_req r = {.principal_arn = "arn:aws:iam::1:user/u",
                              .principal_account = "1",
                              .external_id = "x",
                              .source_identity = "ops-alice"};
    assert_true(sim_trust_allows(pol, &r, why, sizeof why));
    r.external_id = "y";
    assert_false(sim_trust_allows(pol, &r, why, sizeof why));
    r.external_id = NULL;
    assert_false(sim_trust_allows(pol, &r, why, sizeof why));
    r.external_id = "x";
    r.source_identity = "ops-evil";
    assert_false(sim_trust_allows(pol, &r, why, sizeof why));
    r.source_identity = "ops-bob";
    r.principal_account = "2";
    r.principal_arn = "arn:aws:iam::2:user/u";
    assert_false(sim_trust_allows(pol, &r, why, sizeof why));
    json_decref(pol);
}

static const char *job_status(struct fx *f, const char *job_id)
{
    char body[128];
    snprintf(body, sizeof body, "{\"filters\":{\"jobIDs\":[\"%s\"]}}", job_id);
    int st;
    json_t *v = drs_call(f, "DescribeJobs", body, &st);
    assert_int_equal(st, 200);
    static char out[32];
    snprintf(out, sizeof out, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(v, "items"), 0), "status")));
    json_decref(v);
    return out;
}

static void test_sim_job_lifecycle_fake_clock(void **state)
{
    (void)state;
    struct fx *f = fx_new("accounts=1,regions=1,servers=4");
    assume_spoke(f);
    int st;
    json_t *v = drs_call(f, "DescribeSourceServers", "{\"maxResults\":3}", &st);
    assert_int_equal(st, 200);
    assert_int_equal(json_array_size(json_object_get(v, "items")), 3);
    assert_string_equal(json_string_value(json_object_get(v, "nextToken")), "3");
    char ids[4][32];
    for (int i = 0; i < 3; i++)
        snprintf(ids[i], sizeof ids[i], "%s",
                 json_string_value(json_object_get(
                     json_array_get(json_object_get(v, "items"), (size_t)i), "sourceServerID")));
    json_decref(v);
    char body[512];
    snprintf(
        body, sizeof body,
        "{\"isDrill\":true,\"tags\":{\"K\":\"V\"},\"sourceServers\":[{\"sourceServerID\":\"%s\"},"
        "{\"sourceServerID\":\"%s\"}]}",
        ids[0], ids[1]);
    v = drs_call(f, "StartRecovery", body, &st);
    assert_int_equal(st, 202);
    json_t *job = json_object_get(v, "job");
    char jid[32];
    snprintf(jid, sizeof jid, "%s", json_string_value(json_object_get(job, "jobID")));
    assert_string_equal(json_string_value(json_object_get(job, "status")), "PENDING");
    assert_string_equal(json_string_value(json_object_get(job, "initiatedBy")), "START_DRILL");
    json_decref(v);
    /* a server already in an active job */
    snprintf(body, sizeof body, "{\"sourceServers\":[{\"sourceServerID\":\"%s\"}]}", ids[0]);
    v = drs_call(f, "StartRecovery", body, &st);
    assert_int_equal(st, 409);
    assert_string_equal(json_string_value(json_object_get(v, "code")), "ConflictException");
    json_decref(v);
    assert_string_equal(job_status(f, jid), "PENDING");
    advance(f, 30);
    assert_string_equal(job_status(f, jid), "STARTED");
    advance(f, 600);
    assert_string_equal(job_status(f, jid), "COMPLETED");
    /* log phases and the recovery instances */
    snprintf(body, sizeof body, "{\"jobID\":\"%s\"}", jid);
    v = drs_call(f, "DescribeJobLogItems", body, &st);
    char *s = json_dumps(v, 0);
    static const char *const want[] = {"JOB_START",        "SNAPSHOT_START", "SNAPSHOT_END",
                                       "CONVERSION_START", "CONVERSION_END", "LAUNCH_START",
                                       "JOB_END"};
    for (size_t i = 0; i < 7; i++)
        assert_non_null(strstr(s, want[i]));
    free(s);
    json_decref(v);
    v = drs_call(f, "DescribeRecoveryInstances", "{}", &st);
    assert_int_equal(json_array_size(json_object_get(v, "items")), 2);
    json_decref(v);
    assert_int_equal(json_array_size(f->w->launches), 2);
    fx_free(f);
}

/* EC2 DescribeInstanceStatus body for the first spoke. */
static char *ec2_status(struct fx *f, const char *extra)
{
    char form[256];
    snprintf(form, sizeof form, "Action=DescribeInstanceStatus&Version=2016-11-15%s", extra);
    struct buf b;
    buf_init(&b, 1 << 20);
    int st = send_req(f, "ec2", f->region, "POST", "/", "application/x-www-form-urlencoded", NULL,
                      form, NULL, &b);
    assert_int_equal(buf_add(&b, "", 1), 0);
    char *out = strdup(b.p);
    buf_cleanup(&b);
    if (st != 200)
        fail_msg("DescribeInstanceStatus: %d %s", st, out);
    return out;
}

static int count_str(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_sim_instance_status_checks(void **state)
{
    (void)state;
    struct fx *f = fx_new("accounts=1,regions=1,servers=2");
    assume_spoke(f);
    int st;
    json_t *v = drs_call(f, "DescribeSourceServers", "{}", &st);
    char body[256];
    snprintf(body, sizeof body,
             "{\"isDrill\":true,\"sourceServers\":[{\"sourceServerID\":\"%s\"}]}",
             json_string_value(json_object_get(json_array_get(json_object_get(v, "items"), 0),
                                               "sourceServerID")));
    json_decref(v);
    v = drs_call(f, "StartRecovery", body, &st);
    assert_int_equal(st, 202);
    json_decref(v);
    char *x = ec2_status(f, "");
    assert_null(strstr(x, "<instanceId>"));
    free(x);
    advance(f, 580); /* launched at 540-570 s: status checks still initializing */
    x = ec2_status(f, "");
    assert_int_equal(count_str(x, "<instanceId>i-"), 1);
    assert_int_equal(count_str(x, "<status>initializing</status>"), 4);
    assert_non_null(strstr(x, "<name>running</name>"));
    free(x);
    advance(f, 120);
    x = ec2_status(f, "&Filter.1.Name=instance-status.status&Filter.1.Value.1=ok");
    assert_int_equal(count_str(x, "<status>ok</status>"), 2);
    assert_int_equal(count_str(x, "<status>passed</status>"), 2);
    free(x);
    x = ec2_status(f, "&Filter.1.Name=instance-status.status&Filter.1.Value.1=initializing");
    assert_null(strstr(x, "<instanceId>"));
    free(x);
    fx_free(f);
}

/* Servers share identical tags and disk lists (estate_build.c); changing
 * one server's must leave the others alone. */
static void test_sim_shared_parts_copy_on_write(void **state)
{
    (void)state;
    struct fx *f = fx_new("accounts=1,regions=1,servers=60");
    assume_spoke(f);
    int st;
    json_t *v = drs_call(f, "DescribeSourceServers", "{}", &st);
    json_t *items = json_object_get(v, "items"), *a = NULL, *b = NULL;
    for (size_t i = 0; i < json_array_size(items) && !a; i++)
        for (size_t k = i + 1; k < json_array_size(items) && !a; k++)
            if (json_equal(json_object_get(json_array_get(items, i), "tags"),
                           json_object_get(json_array_get(items, k), "tags")) &&
                json_equal(
                    json_object_get(json_object_get(json_array_get(items, i), "sourceProperties"),
                                    "disks"),
                    json_object_get(json_object_get(json_array_get(items, k), "sourceProperties"),
                                    "disks"))) {
                a = json_array_get(items, i);
                b = json_array_get(items, k);
            }
    assert_non_null(a);
    char ida[32], idb[32], body[512];
    snprintf(ida, sizeof ida, "%s", json_string_value(json_object_get(a, "sourceServerID")));
    snprintf(idb, sizeof idb, "%s", json_string_value(json_object_get(b, "sourceServerID")));
    json_t *tags_b = json_deep_copy(json_object_get(b, "tags"));
    json_t *disks_b = json_deep_copy(
        json_object_get(json_object_get(b, "dataReplicationInfo"), "replicatedDisks"));
    json_decref(v);
    snprintf(body, sizeof body, "{\"tags\":{\"Owner\":\"a\"}}");
    char path[160];
    snprintf(path, sizeof path, "/tags/arn%%3Aaws%%3Adrs%%3A%s%%3A%s%%3Asource-server%%2F%s",
             f->region, f->spoke, ida);
    struct buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(
        send_req(f, "drs", f->region, "POST", path, "application/json", NULL, body, NULL, &out),
        200);
    buf_cleanup(&out);
    snprintf(body, sizeof body, "{\"sourceServerID\":\"%s\"}", ida);
    json_decref(drs_call(f, "StopReplication", body, &st));
    assert_int_equal(st, 200);
    json_decref(drs_call(f, "StartReplication", body, &st));
    assert_int_equal(st, 200);
    advance(f, 60);
    snprintf(body, sizeof body, "{\"filters\":{\"sourceServerIDs\":[\"%s\",\"%s\"]}}", ida, idb);
    v = drs_call(f, "DescribeSourceServers", body, &st);
    items = json_object_get(v, "items");
    for (size_t i = 0; i < 2; i++) {
        json_t *x = json_array_get(items, i);
        json_t *dri = json_object_get(x, "dataReplicationInfo");
        if (!strcmp(json_string_value(json_object_get(x, "sourceServerID")), ida)) {
            assert_string_equal(
                json_string_value(json_object_get(json_object_get(x, "tags"), "Owner")), "a");
            assert_string_equal(json_string_value(json_object_get(dri, "dataReplicationState")),
                                "INITIAL_SYNC");
            assert_false(json_equal(json_object_get(dri, "replicatedDisks"), disks_b));
        } else {
            assert_true(json_equal(json_object_get(x, "tags"), tags_b));
            assert_true(json_equal(json_object_get(dri, "replicatedDisks"), disks_b));
        }
    }
    json_decref(v);
    json_decref(tags_b);
    json_decref(disks_b);
    fx_free(f);
}

static void test_sim_quotas_and_unhealthy_servers(void **state)
{
    (void)state;
    struct fx *f = fx_new("accounts=1,regions=1,servers=105");
    assume_spoke(f);
    int st;
    json_t *v = drs_call(f, "DescribeSourceServers", "{}", &st);
    json_t *items = json_object_get(v, "items");
    assert_int_equal(json_array_size(items), 105);
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_adds(&b, "{\"sourceServers\":["), 0);
    for (size_t i = 0; i < 101; i++)
        assert_int_equal(buf_addf(&b, "%s{\"sourceServerID\":\"%s\"}", i ? "," : "",
                                  json_string_value(
                                      json_object_get(json_array_get(items, i), "sourceServerID"))),
                         0);
    assert_int_equal(buf_adds(&b, "]}"), 0);
    json_t *r = drs_call(f, "StartRecovery", b.p, &st);
    assert_int_equal(st, 402);
    assert_string_equal(json_string_value(json_object_get(r, "code")),
                        "ServiceQuotaExceededException");
    json_decref(r);
    /* a stalled server fails in the job log, the others launch */
    const char *stalled =
        json_string_value(json_object_get(json_array_get(items, 0), "sourceServerID"));
    const char *ok = json_string_value(json_object_get(json_array_get(items, 1), "sourceServerID"));
    char body[512];
    snprintf(body, sizeof body, "{\"stalled_servers\":[\"%s\"]}", stalled);
    json_t *fj = json_loads(body, 0, NULL);
    char why[256];
    assert_int_equal(sim_faults_apply_json(f->w, fj, why, sizeof why), 0);
    json_decref(fj);
    json_t *v2 = drs_call(f, "DescribeSourceServers", "{}", &st);
    char *dump = json_dumps(v2, 0);
    assert_non_null(strstr(dump, "\"dataReplicationState\": \"STALLED\""));
    free(dump);
    json_decref(v2);
    snprintf(body, sizeof body,
             "{\"sourceServers\":[{\"sourceServerID\":\"%s\"},{\"sourceServerID\":\"%s\"}]}",
             stalled, ok);
    r = drs_call(f, "StartRecovery", body, &st);
    assert_int_equal(st, 202);
    char jid[32];
    snprintf(jid, sizeof jid, "%s", sim_json_path_str(r, "job", "jobID"));
    json_decref(r);
    advance(f, 700);
    snprintf(body, sizeof body, "{\"filters\":{\"jobIDs\":[\"%s\"]}}", jid);
    r = drs_call(f, "DescribeJobs", body, &st);
    json_t *ps =
        json_object_get(json_array_get(json_object_get(r, "items"), 0), "participatingServers");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ps, 0), "launchStatus")),
                        "FAILED");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ps, 1), "launchStatus")),
                        "LAUNCHED");
    json_decref(r);
    snprintf(body, sizeof body, "{\"jobID\":\"%s\"}", jid);
    r = drs_call(f, "DescribeJobLogItems", body, &st);
    char *s = json_dumps(r, 0);
    assert_non_null(strstr(s, "SNAPSHOT_FAIL"));
    assert_non_null(strstr(s, "LAUNCH_FAILED"));
    free(s);
    json_decref(r);
    /* 20 concurrent jobs at most */
    for (size_t i = 2; i < 23; i++) {
        snprintf(body, sizeof body, "{\"sourceServers\":[{\"sourceServerID\":\"%s\"}]}",
                 json_string_value(json_object_get(json_array_get(items, i), "sourceServerID")));
        r = drs_call(f, "StartRecovery", body, &st);
        assert_int_equal(st, i < 22 ? 202 : 402);
        json_decref(r);
    }
    json_decref(v);
    buf_cleanup(&b);
    fx_free(f);
}

static void test_sim_reset_restores_estate(void **state)
{
    (void)state;
    struct fx *f = fx_new("accounts=1,regions=1,servers=2");
    assume_spoke(f);
    int st;
    json_t *v = drs_call(f, "DescribeSourceServers", "{}", &st);
    char body[256];
    snprintf(
        body, sizeof body, "{\"sourceServers\":[{\"sourceServerID\":\"%s\"}]}",
        sim_json_path_str(json_array_get(json_object_get(v, "items"), 0), "sourceServerID", NULL));
    json_decref(v);
    v = drs_call(f, "StartRecovery", body, &st);
    assert_int_equal(st, 202);
    json_decref(v);
    advance(f, 700);
    sim_world_advance(f->w, f->w->clock.fake_ms);
    assert_int_equal(json_array_size(f->w->launches), 1);
    struct dr_err err;
    assert_int_equal(sim_world_reset(f->w, &err), 0);
    assert_int_equal(json_array_size(f->w->launches), 0);
    assert_int_equal(f->w->njobs, 0);
    /* sessions are gone too: the spoke credentials no longer work */
    v = drs_call(f, "DescribeSourceServers", "{}", &st);
    assert_int_equal(st, 403);
    json_decref(v);
    fx_free(f);
}

static void test_sim_faults_throttle_and_outage(void **state)
{
    (void)state;
    struct fx *f = fx_new("accounts=1,regions=1,servers=1");
    assume_spoke(f);
    char why[256];
    json_t *fj = json_loads("{\"throttle\":{\"rate\":0.001,\"burst\":2}}", 0, NULL);
    assert_int_equal(sim_faults_apply_json(f->w, fj, why, sizeof why), 0);
    json_decref(fj);
    int st;
    for (int i = 0; i < 3; i++) {
        json_t *v = drs_call(f, "DescribeSourceServers", "{}", &st);
        assert_int_equal(st, i < 2 ? 200 : 429);
        if (i == 2)
            assert_string_equal(json_string_value(json_object_get(v, "code")),
                                "ThrottlingException");
        json_decref(v);
    }
    fj = json_loads("{\"throttle\":null,\"region_outage\":[\"us-east-1\"]}", 0, NULL);
    assert_int_equal(sim_faults_apply_json(f->w, fj, why, sizeof why), 0);
    json_decref(fj);
    json_t *v = drs_call(f, "DescribeSourceServers", "{}", &st);
    assert_int_equal(st, 503);
    json_decref(v);
    fj = json_loads("{\"error_rate\":2}", 0, NULL);
    assert_int_not_equal(sim_faults_apply_json(f->w, fj, why, sizeof why), 0);
    json_decref(fj);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_generate_estate_shape),
        cmocka_unit_test(test_sim_estate_errors_name_the_field),
        cmocka_unit_test(test_sim_example_estates_load),
        cmocka_unit_test(test_sim_router_identity_and_errors),
        cmocka_unit_test(test_sim_assume_role_checks_external_id),
        cmocka_unit_test(test_sim_trust_conditions),
        cmocka_unit_test(test_sim_job_lifecycle_fake_clock),
        cmocka_unit_test(test_sim_instance_status_checks),
        cmocka_unit_test(test_sim_shared_parts_copy_on_write),
        cmocka_unit_test(test_sim_quotas_and_unhealthy_servers),
        cmocka_unit_test(test_sim_reset_restores_estate),
        cmocka_unit_test(test_sim_faults_throttle_and_outage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
