/*
 * sharedconfig.c - the parser for ~/.aws/config and ~/.aws/credentials
 * (struct awscfg), following botocore's configloader.py, which sits on
 * Python's configparser.RawConfigParser:
 *
 *   - sections "[header]": the header runs to the last ']' on the line;
 *     in the config file "[default]" and "[profile NAME]" are profiles,
 *     "[sso-session NAME]" and "[services NAME]" are kept apart, anything
 *     else is kept but is not a profile (NAME is shlex-split: exactly two
 *     words, quotes allowed); in the credentials file every section is a
 *     profile named by its raw header;
 *   - "key = value" or "key: value" (the first '=' or ':' splits), key
 *     names lower-cased, values trimmed; "[DEFAULT]" keys are inherited
 *     by every section of the same file;
 *   - a line indented deeper than its key line continues the value: after
 *     an empty value ("s3 =") the indented "k = v" lines form a nested
 *     block, stored as sub-keys ("s3.k"); otherwise the lines are joined
 *     with '\n';
 *   - full-line comments start with '#' or ';' (after any indentation).
 *
 * Deliberate differences from botocore (documented in credentials.h):
 * inline comments (" #" / " ;" after whitespace) are stripped, as the
 * other AWS SDKs do; a repeated key or section in one file merges (last
 * key wins) where configparser refuses the file; a UTF-8 BOM is skipped.
 *
 * Depends on core/ only (no network, no jansson).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "aws/credentials.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/str.h"

enum sec_kind { SEC_PROFILE = 0, SEC_SSO = 1, SEC_SERVICES = 2, SEC_OTHER = 3 };

struct kv {
    char *key;   /* lower-cased */
    char *sub;   /* nested key (case kept), or NULL for a top-level key */
    char *value; /* never NULL */
};

struct section {
    enum sec_kind kind;
    bool from_config; /* config file (true) or credentials file */
    char *name;       /* profile / session / service name, or the raw header */
    char *header;     /* raw header text, to tell [default] from [profile default] */
    unsigned gen;     /* parse call that last touched it (for [DEFAULT]) */
    struct kv *kv;
    size_t nkv, cap;
};

struct awscfg {
    struct section *secs;
    size_t nsecs, cap;
    size_t nkeys; /* total, against AWSCFG_MAX_KEYS */
    unsigned gen;
};

static void kv_free(struct kv *k)
{
    free(k->key);
    free(k->sub);
    if (k->value) {
        /* values may be secrets */
        memset(k->value, 0, strlen(k->value));
        free(k->value);
    }
}

static void section_clear(struct awscfg *cfg, struct section *s)
{
    for (size_t i = 0; i < s->nkv; i++)
        kv_free(&s->kv[i]);
    cfg->nkeys -= s->nkv;
    s->nkv = 0;
}

static void section_free(struct awscfg *cfg, struct section *s)
{
    section_clear(cfg, s);
    free(s->kv);
    free(s->name);
    free(s->header);
}

struct awscfg *awscfg_new(void)
{
    return calloc(1, sizeof(struct awscfg));
}

void awscfg_free(struct awscfg *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->nsecs; i++)
        section_free(cfg, &cfg->secs[i]);
    free(cfg->secs);
    free(cfg);
}

/* ---- lookups ---- */

static struct section *find_section(const struct awscfg *cfg, enum sec_kind kind, bool from_config,
                                    const char *name)
{
    for (size_t i = 0; i < cfg->nsecs; i++) {
        struct section *s = &cfg->secs[i];
        if (s->kind == kind && s->from_config == from_config && strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

static struct kv *find_kv(const struct section *s, const char *key, size_t keylen, const char *sub)
{
    for (size_t i = 0; i < s->nkv; i++) {
        struct kv *k = &s->kv[i];
        if (strlen(k->key) != keylen || strncasecmp(k->key, key, keylen) != 0)
            continue;
        if (!sub ? !k->sub : (k->sub && strcmp(k->sub, sub) == 0))
            return k;
    }
    return NULL;
}

/* "key" (case-insensitive) or "key.sub" (sub case-sensitive). */
static const char *section_get(const struct section *s, const char *key)
{
    const struct kv *k;
    const char *dot;

    if (!s || !key)
        return NULL;
    k = find_kv(s, key, strlen(key), NULL);
    if (k)
        return k->value;
    /* "a.b.c" is parent "a", sub "b.c" or parent "a.b", sub "c" */
    for (dot = strchr(key, '.'); dot; dot = strchr(dot + 1, '.')) {
        if (!dot[1])
            break;
        k = find_kv(s, key, (size_t)(dot - key), dot + 1);
        if (k)
            return k->value;
    }
    return NULL;
}

const char *awscfg_get_file(const struct awscfg *cfg, const char *profile, const char *key,
                            bool config_file)
{
    if (!cfg || !profile)
        return NULL;
    return section_get(find_section(cfg, SEC_PROFILE, config_file, profile), key);
}

const char *awscfg_get(const struct awscfg *cfg, const char *profile, const char *key)
{
    const char *v = awscfg_get_file(cfg, profile, key, false);
    return v ? v : awscfg_get_file(cfg, profile, key, true);
}

bool awscfg_has_profile(const struct awscfg *cfg, const char *profile)
{
    if (!cfg || !profile)
        return false;
    return find_section(cfg, SEC_PROFILE, false, profile) ||
           find_section(cfg, SEC_PROFILE, true, profile);
}

const char *awscfg_get_section(const struct awscfg *cfg, const char *kind, const char *name,
                               const char *key)
{
    enum sec_kind k;

    if (!cfg || !kind || !name)
        return NULL;
    if (strcmp(kind, "sso-session") == 0)
        k = SEC_SSO;
    else if (strcmp(kind, "services") == 0)
        k = SEC_SERVICES;
    else
        return NULL;
    return section_get(find_section(cfg, k, true, name), key);
}

size_t awscfg_profile_names(const struct awscfg *cfg, const char **names, size_t max)
{
    size_t n = 0;

    if (!cfg)
        return 0;
    for (size_t i = 0; i < cfg->nsecs; i++) {
        const struct section *s = &cfg->secs[i];
        bool dup = false;
        if (s->kind != SEC_PROFILE)
            continue;
        for (size_t j = 0; j < i && !dup; j++)
            dup = cfg->secs[j].kind == SEC_PROFILE && strcmp(cfg->secs[j].name, s->name) == 0;
        if (dup)
            continue;
        if (n < max)
            names[n] = s->name;
        n++;
    }
    return n;
}

/* ---- building ---- */

struct parser {
    struct awscfg *cfg;
    const char *what;
    bool config_file;
    size_t line;
    struct dr_err *err;
};

static int perr(struct parser *ps, enum dr_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int perr(struct parser *ps, enum dr_status st, const char *fmt, ...)
{
    char msg[DR_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return dr_err_set(ps->err, st, "%s: line %zu: %s", ps->what, ps->line, msg);
}

static int oom(struct parser *ps)
{
    return perr(ps, DR_ENOMEM, "out of memory");
}

/* Returns the index of the section, creating it when new. */
static int open_section(struct parser *ps, enum sec_kind kind, const char *name, struct str header,
                        size_t *idx)
{
    struct awscfg *cfg = ps->cfg;
    struct section *s;

    for (size_t i = 0; i < cfg->nsecs; i++) {
        s = &cfg->secs[i];
        if (s->kind != kind || s->from_config != ps->config_file || strcmp(s->name, name) != 0)
            continue;
        if (!str_eq_cstr(header, s->header)) {
            /* [profile default] after [default]: the later section replaces
             * the earlier one, as botocore's dict update does. */
            char *h = str_dup(header);
            if (!h)
                return oom(ps);
            free(s->header);
            s->header = h;
            section_clear(cfg, s);
        }
        s->gen = cfg->gen;
        *idx = i;
        return 0;
    }
    if (cfg->nsecs >= AWSCFG_MAX_SECTIONS)
        return perr(ps, DR_EINVAL, "more than %d sections", AWSCFG_MAX_SECTIONS);
    if (cfg->nsecs == cfg->cap) {
        size_t ncap = cfg->cap ? cfg->cap * 2 : 8;
        struct section *n = realloc(cfg->secs, ncap * sizeof(*n));
        if (!n)
            return oom(ps);
        cfg->secs = n;
        cfg->cap = ncap;
    }
    s = &cfg->secs[cfg->nsecs];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->from_config = ps->config_file;
    s->name = strdup(name);
    s->header = str_dup(header);
    s->gen = cfg->gen;
    if (!s->name || !s->header) {
        free(s->name);
        free(s->header);
        return oom(ps);
    }
    *idx = cfg->nsecs++;
    return 0;
}

/* Sets key[/sub] = value in s (last wins). Takes value. Returns the kv index. */
static int set_kv(struct parser *ps, struct section *s, struct str key, struct str sub,
                  bool has_sub, char *value, size_t *idx)
{
    char kbuf[256];
    char *subz = NULL;
    struct kv *k;

    if (key.len >= sizeof(kbuf)) {
        free(value);
        return perr(ps, DR_EINVAL, "key longer than %zu bytes", sizeof(kbuf) - 1);
    }
    for (size_t i = 0; i < key.len; i++)
        kbuf[i] = (char)tolower((unsigned char)key.p[i]);
    kbuf[key.len] = '\0';
    if (has_sub) {
        subz = str_dup(sub);
        if (!subz) {
            free(value);
            return oom(ps);
        }
    } else {
        /* a repeated top-level key drops the earlier one's nested block */
        size_t w = 0;
        for (size_t i = 0; i < s->nkv; i++) {
            if (s->kv[i].sub && strcmp(s->kv[i].key, kbuf) == 0) {
                kv_free(&s->kv[i]);
                ps->cfg->nkeys--;
                continue;
            }
            s->kv[w++] = s->kv[i];
        }
        s->nkv = w;
    }
    k = find_kv(s, kbuf, key.len, subz);
    if (k) {
        free(subz);
        kv_free(&(struct kv){NULL, NULL, k->value});
        k->value = value;
        *idx = (size_t)(k - s->kv);
        return 0;
    }
    if (s->nkv >= AWSCFG_MAX_SECTION_KEYS) {
        free(subz);
        free(value);
        return perr(ps, DR_EINVAL, "more than %d keys in one section", AWSCFG_MAX_SECTION_KEYS);
    }
    if (ps->cfg->nkeys >= AWSCFG_MAX_KEYS) {
        free(subz);
        free(value);
        return perr(ps, DR_EINVAL, "more than %d keys", AWSCFG_MAX_KEYS);
    }
    if (s->nkv == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 8;
        struct kv *n = realloc(s->kv, ncap * sizeof(*n));
        if (!n) {
            free(subz);
            free(value);
            return oom(ps);
        }
        s->kv = n;
        s->cap = ncap;
    }
    k = &s->kv[s->nkv];
    k->key = strdup(kbuf);
    k->sub = subz;
    k->value = value;
    if (!k->key) {
        free(subz);
        free(value);
        return oom(ps);
    }
    *idx = s->nkv++;
    ps->cfg->nkeys++;
    return 0;
}

/*
 * shlex.split(header) in POSIX mode; true with a and b set when it yields
 * exactly two words. Unbalanced quotes yield false (botocore drops the
 * section). Words go to out (NUL-separated).
 */
static bool split_two(struct str h, struct buf *w1, struct buf *w2)
{
    struct buf *cur = NULL;
    int nwords = 0;
    size_t i = 0;

    while (i < h.len) {
        char c = h.p[i];
        if (isspace((unsigned char)c)) {
            cur = NULL;
            i++;
            continue;
        }
        if (!cur) {
            nwords++;
            if (nwords > 2)
                return false;
            cur = nwords == 1 ? w1 : w2;
        }
        if (c == '\'') {
            const char *q = memchr(h.p + i + 1, '\'', h.len - i - 1);
            if (!q)
                return false;
            if (buf_add(cur, h.p + i + 1, (size_t)(q - (h.p + i + 1))) < 0)
                return false;
            i = (size_t)(q - h.p) + 1;
        } else if (c == '"') {
            i++;
            for (;;) {
                if (i >= h.len)
                    return false;
                if (h.p[i] == '"') {
                    i++;
                    break;
                }
                /* inside double quotes a backslash escapes only " and \ */
                if (h.p[i] == '\\' && i + 1 < h.len && (h.p[i + 1] == '"' || h.p[i + 1] == '\\'))
                    i++;
                if (buf_addch(cur, h.p[i]) < 0)
                    return false;
                i++;
            }
        } else if (c == '\\') {
            if (i + 1 >= h.len)
                return false;
            if (buf_addch(cur, h.p[i + 1]) < 0)
                return false;
            i += 2;
        } else {
            if (buf_addch(cur, c) < 0)
                return false;
            i++;
        }
    }
    return nwords == 2;
}

static bool has_prefix(struct str s, const char *p)
{
    return str_starts_with(s, p);
}

/*
 * Maps a header to (kind, name). Returns 1 when the section is to be
 * stored, 0 when botocore drops it (e.g. "[profile]", "[profile a b]").
 */
static int classify(struct parser *ps, struct str h, enum sec_kind *kind, struct buf *name)
{
    struct buf w1, w2;
    int keep = 0;

    if (!ps->config_file) {
        *kind = SEC_PROFILE;
        return buf_add(name, h.p, h.len) < 0 ? -1 : 1;
    }
    if (has_prefix(h, "profile"))
        *kind = SEC_PROFILE;
    else if (has_prefix(h, "sso-session"))
        *kind = SEC_SSO;
    else if (has_prefix(h, "services"))
        *kind = SEC_SERVICES;
    else if (str_eq_cstr(h, "default")) {
        *kind = SEC_PROFILE;
        return buf_adds(name, "default") < 0 ? -1 : 1;
    } else {
        *kind = SEC_OTHER;
        return buf_add(name, h.p, h.len) < 0 ? -1 : 1;
    }
    buf_init(&w1, 4096);
    buf_init(&w2, 4096);
    if (split_two(h, &w1, &w2))
        keep = buf_add(name, w2.p, w2.len) < 0 ? -1 : 1;
    buf_cleanup(&w1);
    buf_cleanup(&w2);
    return keep;
}

static bool is_pyspace(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* Offset of the comment start in line, or line.len when there is none. */
static size_t comment_start(struct str line)
{
    size_t i = 0;

    while (i < line.len && is_pyspace(line.p[i]))
        i++;
    if (i < line.len && (line.p[i] == '#' || line.p[i] == ';'))
        return 0;
    for (; i < line.len; i++)
        if ((line.p[i] == '#' || line.p[i] == ';') && is_pyspace(line.p[i - 1]))
            return i;
    return line.len;
}

static struct str pytrim(struct str s)
{
    while (s.len && is_pyspace(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && is_pyspace(s.p[s.len - 1]))
        s.len--;
    return s;
}

/*
 * Copies [DEFAULT] keys into every section this parse call touched. A key
 * the section sets itself wins whole: its nested block is not merged.
 */
static int apply_defaults(struct parser *ps, const struct section *defs)
{
    struct awscfg *cfg = ps->cfg;

    for (size_t i = 0; i < cfg->nsecs; i++) {
        struct section *s = &cfg->secs[i];
        if (s->gen != cfg->gen || s->from_config != ps->config_file)
            continue;
        for (size_t j = 0; j < defs->nkv; j++) {
            const struct kv *d = &defs->kv[j];
            if (d->sub || find_kv(s, d->key, strlen(d->key), NULL))
                continue;
            for (size_t m = j; m < defs->nkv; m++) {
                const struct kv *e = &defs->kv[m];
                size_t idx;
                char *v;
                int rc;
                if (strcmp(e->key, d->key) != 0 || (m != j && !e->sub))
                    continue;
                v = strdup(e->value);
                if (!v)
                    return oom(ps);
                rc = set_kv(ps, s, str_from(e->key), str_from(e->sub), e->sub != NULL, v, &idx);
                if (rc < 0)
                    return rc;
            }
        }
    }
    return 0;
}

enum { CUR_NONE = -1, CUR_DEFAULTS = -2, CUR_DROPPED = -3 };

int awscfg_parse(struct awscfg *cfg, const char *text, size_t len, bool config_file,
                 const char *what, struct dr_err *err)
{
    struct dr_err local;
    struct parser ps = {cfg, what ? what : (config_file ? "config" : "credentials"), config_file, 0,
                        err ? err : &local};
    struct section defs, dropped;
    struct section *cur = NULL; /* NULL = before any section */
    long cur_idx = CUR_NONE;
    long key_idx = -1; /* kv index of the last key line in cur, -1 none */
    size_t indent_level = 0;
    bool nested = false;   /* the last key had an empty value: indented lines are k = v */
    size_t pending_nl = 0; /* blank lines inside a multi-line value */
    struct buf name;
    size_t pos = 0;
    int rc = 0;

    memset(&defs, 0, sizeof(defs));
    memset(&dropped, 0, sizeof(dropped));
    buf_init(&name, 4096);
    cfg->gen++;
    if (len > AWSCFG_MAX_FILE)
        return dr_err_set(ps.err, DR_EINVAL, "%s: larger than %d bytes", ps.what, AWSCFG_MAX_FILE);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        struct str line, value;
        size_t end = pos, cs, indent;

        while (end < len && text[end] != '\n' && text[end] != '\r')
            end++;
        line.p = text + pos;
        line.len = end - pos;
        if (end < len && text[end] == '\r' && end + 1 < len && text[end + 1] == '\n')
            pos = end + 2;
        else
            pos = end + 1;
        ps.line++;
        if (memchr(line.p, '\0', line.len)) {
            rc = perr(&ps, DR_EINVAL, "NUL byte");
            goto out;
        }
        cs = comment_start(line);
        value = pytrim((struct str){line.p, cs});
        if (!value.len) {
            if (cs == line.len && key_idx >= 0)
                pending_nl++;
            continue;
        }
        indent = 0;
        while (indent < line.len && is_pyspace(line.p[indent]))
            indent++;
        if (cur && key_idx >= 0 && indent > indent_level) {
            struct kv *k = &cur->kv[key_idx];
            if (nested) {
                struct str sk, rest = str_cut(value, '=', &sk);
                char *v;
                size_t idx;
                if (!rest.p) {
                    rc = perr(&ps, DR_EINVAL, "expected key = value in the block of '%s'", k->key);
                    goto out;
                }
                sk = pytrim(sk);
                if (!sk.len) {
                    rc = perr(&ps, DR_EINVAL, "empty key in the block of '%s'", k->key);
                    goto out;
                }
                v = str_dup(pytrim(rest));
                if (!v) {
                    rc = oom(&ps);
                    goto out;
                }
                {
                    char parent[256];
                    dr_strlcpy(parent, k->key, sizeof(parent));
                    rc = set_kv(&ps, cur, str_from(parent), sk, true, v, &idx);
                }
                if (rc < 0)
                    goto out;
                /* key_idx stays on the parent; set_kv never moves it (appends only) */
            } else {
                struct buf nv;
                buf_init(&nv, AWSCFG_MAX_FILE);
                if (buf_adds(&nv, k->value) < 0 || buf_addch(&nv, '\n') < 0) {
                    buf_cleanup(&nv);
                    rc = oom(&ps);
                    goto out;
                }
                for (; pending_nl; pending_nl--)
                    if (buf_addch(&nv, '\n') < 0) {
                        buf_cleanup(&nv);
                        rc = oom(&ps);
                        goto out;
                    }
                if (buf_add(&nv, value.p, value.len) < 0) {
                    buf_cleanup(&nv);
                    rc = oom(&ps);
                    goto out;
                }
                kv_free(&(struct kv){NULL, NULL, k->value});
                k->value = buf_detach(&nv, NULL);
            }
            pending_nl = 0;
            continue;
        }
        pending_nl = 0;
        indent_level = indent;
        if (value.p[0] == '[') {
            const char *rb = NULL;
            for (size_t i = value.len; i > 1; i--)
                if (value.p[i - 1] == ']') {
                    rb = value.p + i - 1;
                    break;
                }
            if (rb && rb > value.p + 1) {
                struct str h = {value.p + 1, (size_t)(rb - value.p - 1)};
                enum sec_kind kind;
                int keep;
                key_idx = -1;
                if (str_eq_cstr(h, "DEFAULT")) {
                    cur = &defs;
                    cur_idx = CUR_DEFAULTS;
                    continue;
                }
                buf_reset(&name);
                keep = classify(&ps, h, &kind, &name);
                if (keep < 0) {
                    rc = oom(&ps);
                    goto out;
                }
                if (!keep) {
                    /* botocore ignores it; parse (and validate) its body anyway */
                    section_clear(cfg, &dropped);
                    cur = &dropped;
                    cur_idx = CUR_DROPPED;
                    continue;
                }
                {
                    size_t idx = 0;
                    rc = open_section(&ps, kind, name.p, h, &idx);
                    if (rc < 0)
                        goto out;
                    cur_idx = (long)idx;
                    cur = &cfg->secs[idx];
                }
                continue;
            }
        }
        if (!cur) {
            rc = perr(&ps, DR_EINVAL, "key outside of any section (expected [%s first)",
                      config_file ? "profile NAME]" : "NAME]");
            goto out;
        }
        {
            size_t i, idx;
            struct str k;
            char *v;
            for (i = 0; i < value.len && value.p[i] != '=' && value.p[i] != ':'; i++)
                ;
            if (i == value.len) {
                rc = perr(&ps, DR_EINVAL, "expected key = value");
                goto out;
            }
            k = pytrim((struct str){value.p, i});
            if (!k.len) {
                rc = perr(&ps, DR_EINVAL, "empty key before '%c'", value.p[i]);
                goto out;
            }
            v = str_dup(pytrim((struct str){value.p + i + 1, value.len - i - 1}));
            if (!v) {
                rc = oom(&ps);
                goto out;
            }
            nested = v[0] == '\0';
            rc = set_kv(&ps, cur, k, (struct str){NULL, 0}, false, v, &idx);
            if (rc < 0)
                goto out;
            key_idx = (long)idx;
            if (cur_idx >= 0)
                cur = &cfg->secs[cur_idx];
        }
    }
    if (defs.nkv) {
        rc = apply_defaults(&ps, &defs);
        if (rc < 0)
            dr_err_prefix(ps.err, "applying [DEFAULT]: ");
    }
out:
    buf_cleanup(&name);
    section_free(cfg, &defs);
    section_free(cfg, &dropped);
    return rc;
}

/* ---- loading ---- */

static const char *env_get(const struct cred_env *env, const char *name)
{
    if (env && env->getenv_fn)
        return env->getenv_fn(name);
    return getenv(name);
}

/* "~" and "~/..." expand with HOME; anything else is used as is. */
static int expand_path(const struct cred_env *env, const char *p, struct buf *out,
                       struct dr_err *err)
{
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
        const char *home = env_get(env, "HOME");
        if (!dr_nonempty(home))
            return dr_err_set(err, DR_EINVAL, "%s: HOME is not set", p);
        if (buf_adds(out, home) < 0 || buf_adds(out, p + 1) < 0)
            return dr_err_set(err, DR_ENOMEM, "path too long");
        return 0;
    }
    if (buf_adds(out, p) < 0)
        return dr_err_set(err, DR_ENOMEM, "path too long");
    return 0;
}

static int load_one(const struct cred_env *env, struct awscfg *cfg, const char *var,
                    const char *dflt, bool config_file, struct dr_err *err)
{
    const char *p = env_get(env, var);
    struct buf path, text;
    struct stat st;
    int rc;

    if (!dr_nonempty(p))
        p = dflt;
    buf_init(&path, 4096);
    buf_init(&text, AWSCFG_MAX_FILE + 1);
    rc = expand_path(env, p, &path, err);
    if (rc < 0) {
        /* no HOME: the default files cannot exist; an explicit path is an error */
        if (p == dflt) {
            dr_err_clear(err);
            rc = 0;
        }
        goto out;
    }
    /* like botocore, something that is not a regular file counts as missing */
    if (stat(path.p, &st) != 0 || !S_ISREG(st.st_mode))
        goto out;
    if (st.st_size > AWSCFG_MAX_FILE) {
        rc = dr_err_set(err, DR_EINVAL, "%s: larger than %d bytes", path.p, AWSCFG_MAX_FILE);
        goto out;
    }
    rc = fs_read_path(path.p, &text, err);
    if (rc == -DR_ENOTFOUND) {
        dr_err_clear(err);
        rc = 0;
        goto out;
    }
    if (rc == 0)
        rc = awscfg_parse(cfg, text.p, text.len, config_file, path.p, err);
out:
    if (text.len)
        memset(text.p, 0, text.len);
    buf_cleanup(&text);
    buf_cleanup(&path);
    return rc;
}

int awscfg_load(const struct cred_env *env, struct awscfg **out, struct dr_err *err)
{
    struct awscfg *cfg = awscfg_new();
    int rc;

    *out = NULL;
    if (!cfg)
        return dr_err_set(err, DR_ENOMEM, "out of memory");
    rc = load_one(env, cfg, "AWS_CONFIG_FILE", "~/.aws/config", true, err);
    if (rc == 0)
        rc = load_one(env, cfg, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", false, err);
    if (rc < 0) {
        awscfg_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}
