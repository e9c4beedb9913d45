/*
 * sharedconfig.c - the parser for ~/.aws/config and ~/.aws/credentials,
 * following botocore's configloader (Python's RawConfigParser): section
 * headers, `key = value` or `key: value`, option names lower-cased,
 * full-line comments only ('#' or ';'; inline text is part of the value,
 * as in botocore), indented continuation lines, and indented sub-sections
 * ("s3 =" followed by indented "key = value" lines, kept as "s3.key").
 *
 * In the config file, "[profile NAME]" and "[default]" are profiles;
 * "[sso-session NAME]" and "[services NAME]" are kept apart; any other
 * section is ignored, as botocore does. In the credentials file every
 * "[NAME]" is a profile. Must not do network I/O.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aws/credentials.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/str.h"

#define AWSCFG_MAX_FILE (1u << 20)

struct awscfg {
    json_t *config;      /* profile -> {key: value} from the config file */
    json_t *credentials; /* profile -> {key: value} from the credentials file */
    json_t *other;       /* "sso-session NAME" / "services NAME" -> {key: value} */
};

struct awscfg *awscfg_new(void)
{
    struct awscfg *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->config = json_object();
    c->credentials = json_object();
    c->other = json_object();
    if (!c->config || !c->credentials || !c->other) {
        awscfg_free(c);
        return NULL;
    }
    return c;
}

void awscfg_free(struct awscfg *cfg)
{
    if (!cfg)
        return;
    json_decref(cfg->config);
    json_decref(cfg->credentials);
    json_decref(cfg->other);
    free(cfg);
}

static struct str trim(struct str s)
{
    return str_trim(s);
}

static char *lower_dup(struct str s)
{
    char *r = str_dup(s);
    size_t i;
    if (!r)
        return NULL;
    for (i = 0; r[i]; i++)
        r[i] = (char)tolower((unsigned char)r[i]);
    return r;
}

/* Expands a value that is a sub-section block ("\n a = 1\n b = 2") into key.sub entries. */
static int add_value(json_t *section, const char *key, const char *val)
{
    struct str rest = str_from(val);

    if (val[0] != '\n')
        return json_object_set_new(section, key, json_string(val)) == 0 ? 0 : -1;
    while (rest.p && rest.len) {
        struct str line, k, v;
        rest = str_cut(rest, '\n', &line);
        line = trim(line);
        if (!line.len)
            continue;
        v = str_cut(line, '=', &k);
        if (!v.p)
            continue; /* botocore skips lines without '=' in sub-sections */
        k = trim(k);
        v = trim(v);
        {
            struct buf full;
            char *lk = lower_dup(k), *vv = str_dup(v);
            int rc = 0;
            buf_init(&full, 4096);
            if (!lk || !vv || buf_addf(&full, "%s.%s", key, lk) < 0 ||
                json_object_set_new(section, full.p, json_string(vv)) != 0)
                rc = -1;
            free(lk);
            free(vv);
            buf_cleanup(&full);
            if (rc < 0)
                return -1;
        }
    }
    return 0;
}

/* Finishes the pending key/value into the current section. */
static int flush(json_t *section, char **key, struct buf *val)
{
    int rc = 0;
    if (*key && section) {
        /* RawConfigParser strips trailing whitespace of multi-line values */
        while (val->len && isspace((unsigned char)val->p[val->len - 1]))
            buf_truncate(val, val->len - 1);
        rc = add_value(section, *key, val->p);
    }
    free(*key);
    *key = NULL;
    buf_reset(val);
    return rc;
}

int awscfg_parse(struct awscfg *cfg, const char *text, size_t len, bool config_file,
                 const char *what, struct dr_err *err)
{
    struct str rest = {text, len}, line;
    json_t *section = NULL; /* borrowed; NULL = ignored section or none yet */
    bool in_section = false;
    char *key = NULL;
    struct buf val;
    size_t lineno = 0;
    int rc = 0;

    if (len > AWSCFG_MAX_FILE)
        return dr_err_set(err, DR_EINVAL, "%s: larger than %u bytes", what, AWSCFG_MAX_FILE);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        rest.p += 3;
        rest.len -= 3;
    }
    if (memchr(rest.p, '\0', rest.len))
        return dr_err_set(err, DR_EINVAL, "%s: contains a NUL byte", what);
    buf_init(&val, AWSCFG_MAX_FILE);
    while (rest.p) {
        struct str t;
        rest = str_cut(rest, '\n', &line);
        lineno++;
        if (line.len && line.p[line.len - 1] == '\r')
            line.len--;
        t = trim(line);
        if (t.len == 0 || t.p[0] == '#' || t.p[0] == ';') {
            if (key && t.len == 0 && buf_addch(&val, '\n') < 0) {
                rc = dr_err_set(err, DR_ENOMEM, "%s: out of memory", what);
                goto out;
            }
            continue;
        }
        if (isspace((unsigned char)line.p[0]) && key) {
            /* continuation of the previous value */
            if (buf_addch(&val, '\n') < 0 || buf_add(&val, t.p, t.len) < 0) {
                rc = dr_err_set(err, DR_ENOMEM, "%s: out of memory", what);
                goto out;
            }
            continue;
        }
        if (flush(section, &key, &val) < 0) {
            rc = dr_err_set(err, DR_ENOMEM, "%s: out of memory", what);
            goto out;
        }
        if (t.p[0] == '[') {
            struct str name;
            char *nm;
            const char *close = memchr(t.p, ']', t.len);
            if (!close) {
                rc = dr_err_set(err, DR_EINVAL, "%s: line %zu: section header without ']'", what,
                                lineno);
                goto out;
            }
            name.p = t.p + 1;
            name.len = (size_t)(close - t.p - 1);
            name = trim(name);
            nm = str_dup(name);
            if (!nm) {
                rc = dr_err_set(err, DR_ENOMEM, "out of memory");
                goto out;
            }
            in_section = true;
            section = NULL;
            if (!config_file) {
                json_t *sec = json_object_get(cfg->credentials, nm);
                if (!sec) {
                    sec = json_object();
                    json_object_set_new(cfg->credentials, nm, sec);
                }
                section = sec;
            } else {
                const char *pname = NULL;
                json_t *map = cfg->config;
                if (strcmp(nm, "default") == 0) {
                    pname = "default";
                } else if (strncmp(nm, "profile", 7) == 0 && isspace((unsigned char)nm[7])) {
                    pname = nm + 8;
                    while (isspace((unsigned char)*pname))
                        pname++;
                } else if ((strncmp(nm, "sso-session", 11) == 0 &&
                            isspace((unsigned char)nm[11])) ||
                           (strncmp(nm, "services", 8) == 0 && isspace((unsigned char)nm[8]))) {
                    pname = nm;
                    map = cfg->other;
                }
                if (pname && *pname) {
                    json_t *sec = json_object_get(map, pname);
                    if (!sec) {
                        sec = json_object();
                        json_object_set_new(map, pname, sec);
                    }
                    section = sec;
                }
            }
            free(nm);
            continue;
        }
        if (!in_section) {
            rc = dr_err_set(err, DR_EINVAL,
                            "%s: line %zu: a setting before the first [section] header", what,
                            lineno);
            goto out;
        }
        {
            const char *eq = memchr(t.p, '=', t.len), *colon = memchr(t.p, ':', t.len);
            const char *d = eq && (!colon || eq < colon) ? eq : colon;
            struct str k, v;
            if (!d) {
                rc = dr_err_set(err, DR_EINVAL, "%s: line %zu: expected key = value", what, lineno);
                goto out;
            }
            k.p = t.p;
            k.len = (size_t)(d - t.p);
            k = trim(k);
            v.p = d + 1;
            v.len = (size_t)(t.p + t.len - (d + 1));
            v = trim(v);
            if (!k.len) {
                rc = dr_err_set(err, DR_EINVAL, "%s: line %zu: empty key", what, lineno);
                goto out;
            }
            key = lower_dup(k);
            if (!key || buf_add(&val, v.p, v.len) < 0) {
                rc = dr_err_set(err, DR_ENOMEM, "out of memory");
                goto out;
            }
        }
    }
    if (flush(section, &key, &val) < 0)
        rc = dr_err_set(err, DR_ENOMEM, "%s: out of memory", what);
out:
    free(key);
    buf_cleanup(&val);
    return rc;
}

static const char *env_of(const struct cred_env *env, const char *name)
{
    return env && env->getenv_fn ? env->getenv_fn(name) : getenv(name);
}

/* Expands a leading "~/" with HOME. */
static int expand_path(const struct cred_env *env, const char *p, struct buf *out)
{
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
        const char *home = env_of(env, "HOME");
        if (!home)
            home = "";
        return buf_addf(out, "%s%s", home, p + 1);
    }
    return buf_adds(out, p);
}

static int load_one(struct awscfg *cfg, const struct cred_env *env, const char *var,
                    const char *dflt, bool config_file, struct dr_err *err)
{
    const char *p = env_of(env, var);
    struct buf path, text;
    struct dr_err e;
    int rc;

    buf_init(&path, 4096);
    buf_init(&text, AWSCFG_MAX_FILE);
    if (expand_path(env, p && *p ? p : dflt, &path) < 0) {
        buf_cleanup(&path);
        return dr_err_set(err, DR_EINVAL, "%s: path too long", var);
    }
    dr_err_clear(&e);
    rc = fs_read_path(path.p, &text, &e);
    if (rc < 0) {
        rc = e.status == DR_ENOTFOUND ? 0 : dr_err_set(err, e.status, "%s", e.msg);
    } else {
        rc = awscfg_parse(cfg, text.p, text.len, config_file, path.p, err);
    }
    buf_cleanup(&path);
    buf_cleanup(&text);
    return rc;
}

int awscfg_load(const struct cred_env *env, struct awscfg **out, struct dr_err *err)
{
    struct awscfg *cfg = awscfg_new();
    int rc;

    if (!cfg)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    rc = load_one(cfg, env, "AWS_CONFIG_FILE", "~/.aws/config", true, err);
    if (rc == 0)
        rc = load_one(cfg, env, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", false, err);
    if (rc < 0) {
        awscfg_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

const char *awscfg_get(const struct awscfg *cfg, const char *profile, const char *key)
{
    const char *v;

    if (!cfg)
        return NULL;
    v = json_string_value(json_object_get(json_object_get(cfg->credentials, profile), key));
    if (v)
        return v;
    return json_string_value(json_object_get(json_object_get(cfg->config, profile), key));
}

bool awscfg_has_profile(const struct awscfg *cfg, const char *profile)
{
    return cfg &&
           (json_object_get(cfg->credentials, profile) || json_object_get(cfg->config, profile));
}
