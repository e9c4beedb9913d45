/*
 * condition.c - IAM condition operators: String (and IgnoreCase, Like),
 * Numeric, Date (ISO 8601 and epoch), Bool, BinaryEquals, IpAddress and
 * NotIpAddress (IPv4/IPv6 CIDR), Arn, Null, every ...IfExists form, and
 * the ForAllValues:/ForAnyValue: set operators with AWS's documented
 * behaviour on missing and empty keys. Negated operators with several
 * values combine them with AND (none may match). Depends on internal.h,
 * core/str and core/timeutil only.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"
#include "core/timeutil.h"
#include "policy/internal.h"

struct op_def {
    const char *name;
    enum cond_op op;
};

static const struct op_def op_table[] = {
    {"StringEquals", OP_STRING_EQUALS},
    {"StringNotEquals", OP_STRING_NOT_EQUALS},
    {"StringEqualsIgnoreCase", OP_STRING_EQUALS_IC},
    {"StringNotEqualsIgnoreCase", OP_STRING_NOT_EQUALS_IC},
    {"StringLike", OP_STRING_LIKE},
    {"StringNotLike", OP_STRING_NOT_LIKE},
    {"NumericEquals", OP_NUM_EQ},
    {"NumericNotEquals", OP_NUM_NE},
    {"NumericLessThan", OP_NUM_LT},
    {"NumericLessThanEquals", OP_NUM_LE},
    {"NumericGreaterThan", OP_NUM_GT},
    {"NumericGreaterThanEquals", OP_NUM_GE},
    {"DateEquals", OP_DATE_EQ},
    {"DateNotEquals", OP_DATE_NE},
    {"DateLessThan", OP_DATE_LT},
    {"DateLessThanEquals", OP_DATE_LE},
    {"DateGreaterThan", OP_DATE_GT},
    {"DateGreaterThanEquals", OP_DATE_GE},
    {"Bool", OP_BOOL},
    {"BinaryEquals", OP_BINARY_EQUALS},
    {"IpAddress", OP_IP},
    {"NotIpAddress", OP_NOT_IP},
    {"ArnEquals", OP_ARN_EQUALS},
    {"ArnLike", OP_ARN_LIKE},
    {"ArnNotEquals", OP_ARN_NOT_EQUALS},
    {"ArnNotLike", OP_ARN_NOT_LIKE},
    {"Null", OP_NULL},
};

bool cond_op_negated(enum cond_op op)
{
    switch (op) {
    case OP_STRING_NOT_EQUALS:
    case OP_STRING_NOT_EQUALS_IC:
    case OP_STRING_NOT_LIKE:
    case OP_NUM_NE:
    case OP_DATE_NE:
    case OP_NOT_IP:
    case OP_ARN_NOT_EQUALS:
    case OP_ARN_NOT_LIKE:
        return true;
    default:
        return false;
    }
}

static bool op_is_glob(enum cond_op op)
{
    return op == OP_STRING_LIKE || op == OP_STRING_NOT_LIKE || op == OP_ARN_EQUALS ||
           op == OP_ARN_LIKE || op == OP_ARN_NOT_EQUALS || op == OP_ARN_NOT_LIKE;
}

int cond_op_parse(const char *name, enum cond_op *op, enum cond_set *set, bool *if_exists)
{
    size_t n, i;

    *set = SET_NONE;
    *if_exists = false;
    if (strncasecmp(name, "ForAllValues:", 13) == 0) {
        *set = SET_ALL;
        name += 13;
    } else if (strncasecmp(name, "ForAnyValue:", 12) == 0) {
        *set = SET_ANY;
        name += 12;
    }
    n = strlen(name);
    if (n > 8 && strcasecmp(name + n - 8, "IfExists") == 0) {
        *if_exists = true;
        n -= 8;
    }
    for (i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++) {
        if (strlen(op_table[i].name) == n && strncasecmp(op_table[i].name, name, n) == 0) {
            *op = op_table[i].op;
            if (*op == OP_NULL && (*if_exists || *set != SET_NONE))
                return -1; /* NullIfExists / ForAllValues:Null do not exist */
            return 0;
        }
    }
    return -1;
}

/* Parses "a.b.c.d[/n]" or an IPv6 address[/n] into 16 bytes + prefix. */
static int parse_ip(const char *s, uint8_t out[16], int *prefix, bool *v4)
{
    char tmp[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    int64_t bits = -1;
    struct in_addr a4;
    struct in6_addr a6;

    if (n == 0 || n >= sizeof(tmp))
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (slash && dr_parse_i64(slash + 1, &bits) < 0)
        return -1;
    if (inet_pton(AF_INET, tmp, &a4) == 1) {
        if (bits > 32)
            return -1;
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        *prefix = 96 + (int)(bits < 0 ? 32 : bits);
        *v4 = true;
        return 0;
    }
    if (inet_pton(AF_INET6, tmp, &a6) == 1) {
        if (bits > 128)
            return -1;
        memcpy(out, &a6, 16);
        *prefix = (int)(bits < 0 ? 128 : bits);
        *v4 = false;
        return 0;
    }
    return -1;
}

int cond_value_compile(struct arena *a, enum cond_op op, const char *s, bool v2012,
                       struct cval *out)
{
    size_t len = strlen(s), outlen;
    bool has_var;
    char *src = var_compile(a, s, len, op_is_glob(op), v2012, &has_var, &outlen);
    int64_t ms;

    if (!src)
        return -DR_ENOMEM;
    out->pat.s = src;
    out->pat.len = (uint32_t)outlen;
    out->pat.has_var = has_var;
    out->pat.raw = arena_strndup(a, s, len);
    if (!out->pat.raw)
        return -DR_ENOMEM;
    pat_classify(&out->pat);
    out->prefix = -1;
    switch (op) {
    case OP_NUM_EQ:
    case OP_NUM_NE:
    case OP_NUM_LT:
    case OP_NUM_LE:
    case OP_NUM_GT:
    case OP_NUM_GE:
        out->num_ok = dr_parse_double(s, &out->num) == 0;
        return out->num_ok || has_var ? 0 : -DR_EINVAL;
    case OP_DATE_EQ:
    case OP_DATE_NE:
    case OP_DATE_LT:
    case OP_DATE_LE:
    case OP_DATE_GT:
    case OP_DATE_GE:
        out->num_ok = time_parse(s, &ms) == 0;
        out->num = (double)ms;
        return out->num_ok || has_var ? 0 : -DR_EINVAL;
    case OP_IP:
    case OP_NOT_IP:
        if (parse_ip(s, out->ip, &out->prefix, &out->v4) < 0)
            return -DR_EINVAL;
        return 0;
    case OP_BOOL:
        return dr_strcaseeq(s, "true") || dr_strcaseeq(s, "false") || has_var ? 0 : -DR_EINVAL;
    case OP_NULL:
        return dr_strcaseeq(s, "true") || dr_strcaseeq(s, "false") ? 0 : -DR_EINVAL;
    default:
        return 0;
    }
}

static bool ip_in(const struct cval *net, const char *s)
{
    uint8_t ip[16];
    int prefix, i, full, rest;
    bool v4;

    if (net->prefix < 0 || parse_ip(s, ip, &prefix, &v4) < 0)
        return false;
    full = net->prefix / 8;
    rest = net->prefix % 8;
    for (i = 0; i < full; i++) {
        if (ip[i] != net->ip[i])
            return false;
    }
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        if ((ip[full] & mask) != (net->ip[full] & mask))
            return false;
    }
    return true;
}

static int cmp_num(double a, double b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

#define RESOLVE_MAX 2048

/* Does request value v satisfy the positive form of op against value cv?
 * *unresolved is set when a policy variable could not be resolved. */
static bool value_matches(enum cond_op op, const struct cval *cv, const char *v,
                          const struct eval_req *r, struct cond_fail *fail)
{
    char tmp[RESOLVE_MAX];
    const char *ps = cv->pat.s;
    size_t plen = cv->pat.len, vlen = strlen(v);
    double num = cv->num;
    bool num_ok = cv->num_ok;

    if (cv->pat.has_var) {
        const char *var = NULL;
        size_t varlen = 0;
        long n =
            var_resolve(cv->pat.s, cv->pat.len, op_is_glob(op), r, tmp, sizeof(tmp), &var, &varlen);
        if (n < 0) {
            if (fail && n == -1) {
                fail->unresolved = true;
                fail->var = var;
                fail->varlen = varlen;
            }
            return false;
        }
        ps = tmp;
        plen = (size_t)n;
        if (op >= OP_NUM_EQ && op <= OP_NUM_GE) {
            num_ok = dr_parse_double(tmp, &num) == 0;
        } else if (op >= OP_DATE_EQ && op <= OP_DATE_GE) {
            int64_t ms;
            num_ok = time_parse(tmp, &ms) == 0;
            num = (double)ms;
        }
    }

    switch (op) {
    case OP_STRING_EQUALS:
    case OP_STRING_NOT_EQUALS:
    case OP_BINARY_EQUALS:
        return plen == vlen && memcmp(ps, v, vlen) == 0;
    case OP_STRING_EQUALS_IC:
    case OP_STRING_NOT_EQUALS_IC:
        return plen == vlen && strncasecmp(ps, v, vlen) == 0;
    case OP_STRING_LIKE:
    case OP_STRING_NOT_LIKE:
        return glob_match(ps, plen, v, vlen);
    case OP_ARN_EQUALS:
    case OP_ARN_LIKE:
    case OP_ARN_NOT_EQUALS:
    case OP_ARN_NOT_LIKE:
        return arn_match(ps, plen, v, vlen);
    case OP_BOOL:
        return (plen == 4 && strncasecmp(ps, "true", 4) == 0 && dr_strcaseeq(v, "true")) ||
               (plen == 5 && strncasecmp(ps, "false", 5) == 0 && dr_strcaseeq(v, "false"));
    case OP_IP:
    case OP_NOT_IP:
        return ip_in(cv, v);
    case OP_NUM_EQ:
    case OP_NUM_NE:
    case OP_NUM_LT:
    case OP_NUM_LE:
    case OP_NUM_GT:
    case OP_NUM_GE:
    case OP_DATE_EQ:
    case OP_DATE_NE:
    case OP_DATE_LT:
    case OP_DATE_LE:
    case OP_DATE_GT:
    case OP_DATE_GE: {
        double x;
        if (!num_ok)
            return false;
        if (op <= OP_NUM_GE) {
            if (dr_parse_double(v, &x) < 0)
                return false;
        } else {
            int64_t ms;
            if (time_parse(v, &ms) < 0)
                return false;
            x = (double)ms;
        }
        int c = cmp_num(x, num);
        switch (op) {
        case OP_NUM_EQ:
        case OP_NUM_NE:
        case OP_DATE_EQ:
        case OP_DATE_NE:
            return c == 0;
        case OP_NUM_LT:
        case OP_DATE_LT:
            return c < 0;
        case OP_NUM_LE:
        case OP_DATE_LE:
            return c <= 0;
        case OP_NUM_GT:
        case OP_DATE_GT:
            return c > 0;
        default:
            return c >= 0;
        }
    }
    case OP_NULL:
    case OP__COUNT:
        return false;
    }
    return false;
}

/* Positive match of one request value against any policy value. */
static bool any_value(const struct cond *c, const char *v, const struct eval_req *r,
                      struct cond_fail *fail)
{
    size_t i;
    for (i = 0; i < c->nvals; i++) {
        if (value_matches(c->op, &c->vals[i], v, r, fail))
            return true;
    }
    return false;
}

static bool cond_match(const struct cond *c, const struct eval_req *r, struct cond_fail *fail)
{
    const struct policy_ctx_entry *e = ctx_find(r, c->key, c->keylen);
    bool present = e && e->nvals > 0;
    bool neg = cond_op_negated(c->op);
    size_t i;

    if (fail) {
        memset(fail, 0, sizeof(*fail));
        fail->cond = c;
        fail->missing = !present;
        fail->actual = present ? e->vals[0] : NULL;
    }
    if (c->op == OP_NULL) {
        for (i = 0; i < c->nvals; i++) {
            bool t = dr_strcaseeq(c->vals[i].pat.s, "true");
            if (t == !present)
                return true;
        }
        return false;
    }
    if (!present) {
        if (c->if_exists)
            return true;
        if (c->set == SET_ALL)
            return true; /* vacuously true for a missing or empty key */
        if (c->set == SET_ANY)
            return false;
        return neg;
    }
    switch (c->set) {
    case SET_ALL:
        for (i = 0; i < e->nvals; i++) {
            bool m = any_value(c, e->vals[i], r, fail);
            if (m == neg) {
                if (fail)
                    fail->actual = e->vals[i];
                return false;
            }
        }
        return true;
    case SET_ANY:
        for (i = 0; i < e->nvals; i++) {
            if (any_value(c, e->vals[i], r, fail) != neg)
                return true;
        }
        return false;
    case SET_NONE:
        for (i = 0; i < e->nvals; i++) {
            if (any_value(c, e->vals[i], r, fail)) {
                if (fail)
                    fail->actual = e->vals[i];
                return !neg;
            }
        }
        return neg;
    }
    return false;
}

bool conds_match(const struct cond *c, size_t n, const struct eval_req *r, struct cond_fail *fail)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (!cond_match(&c[i], r, fail))
            return false;
    }
    return true;
}
