/* Checked access to a command's positional and key=value arguments. Valid keys come from the
 * command table's args text, so dispatch, help and completion share one list. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/internal.h"

/* Is `key` written as "key=" in the args text (as a whole word)? */
static bool args_text_has_key(const char *args, const char *key, size_t klen)
{
    for (const char *p = args; *p; p++) {
        bool word_start = p == args || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        if (word_start && strncmp(p, key, klen) == 0 && p[klen] == '=') return true;
    }
    return false;
}

/* "epochs, batch_size, ..." from the args text, into buf. */
static void args_text_keys(const char *args, char *buf, size_t n)
{
    buf[0] = 0;
    size_t used = 0;
    for (const char *p = args; *p; p++) {
        if (*p != '=' || p == args) continue;
        const char *b = p;
        while (b > args && (isalnum((unsigned char)b[-1]) || b[-1] == '_')) b--;
        if (b == p || !islower((unsigned char)*b)) continue;
        int w = snprintf(buf + used, n - used, "%s%.*s", used ? ", " : "", (int)(p - b), b);
        if (w < 0 || (size_t)w >= n - used) break;
        used += (size_t)w;
    }
}

/* Moves the positional words of argv[1..] to its front, in order, and the key=value words (kv,
 * in order) after them: a->pos then points into argv, so a text of any number of words fits. */
static void args_gather_positionals(app_args *a, int argc, char **argv, char *const *kv)
{
    int w = 1, k = 0;
    for (int i = 1; i < argc; i++) {
        if (k < a->nkv && argv[i] == kv[k]) { k++; continue; }
        argv[w++] = argv[i];
    }
    for (k = 0; k < a->nkv; k++) argv[w++] = kv[k];
    a->pos = argv + 1;
}

/* Does the args text hold an UPPER-case placeholder key ("CLASS=FILE"): any key is the handler's? */
static bool args_text_any_key(const char *args)
{
    for (const char *p = args; *p; p++)
        if (*p == '=' && p > args && isupper((unsigned char)p[-1])) return true;
    return false;
}

/* "unexpected argument 'x'" and what the command takes. */
static int args_too_many(const app_command *c, const char *arg)
{
    if (!c->args[0]) return app_fail(RNN_EUSAGE, c, "unexpected argument '%s': expected no arguments", arg);
    return app_fail(RNN_EUSAGE, c, "unexpected argument '%s': usage: %s %s", arg, c->name, c->args);
}

int args_parse(app_args *a, const app_command *c, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->cmd = c;
    if (c->max_pos == APP_ARGS_WORDS) {
        a->npos = argc - 1;
        a->pos = argv + 1;
        return RNN_OK;
    }
    bool any_key = args_text_any_key(c->args);
    char *kv[ARGS_MAX];
    for (int i = 1; i < argc; i++) {
        if (parse_is_keyval(argv[i])) {
            char *eq = strchr(argv[i], '=');
            size_t klen = (size_t)(eq - argv[i]);
            if (!any_key && !args_text_has_key(c->args, argv[i], klen)) {
                char keys[512];
                args_text_keys(c->args, keys, sizeof keys);
                return app_fail(RNN_EUSAGE, c, "unknown key '%.*s': expected %s%s", (int)klen, argv[i],
                                keys[0] ? "one of " : "no key=value arguments", keys);
            }
            for (int k = 0; k < a->nkv; k++)
                if (strlen(a->key[k]) == klen && strncmp(a->key[k], argv[i], klen) == 0)
                    return app_fail(RNN_EUSAGE, c, "%.*s: given twice, expected once", (int)klen, argv[i]);
            if (a->nkv == ARGS_MAX)
                return app_fail(RNN_EUSAGE, c, "'%.*s=': at most %d key=value arguments", (int)klen, argv[i], ARGS_MAX);
            kv[a->nkv] = argv[i];
            *eq = 0;   /* argv is ours: split in place */
            a->key[a->nkv] = argv[i];
            a->val[a->nkv++] = eq + 1;
        } else {
            if (c->max_pos != APP_ARGS_ANY && a->npos >= c->max_pos) return args_too_many(c, argv[i]);
            a->npos++;
        }
    }
    args_gather_positionals(a, argc, argv, kv);
    return RNN_OK;
}

const char *args_get(const app_args *a, const char *key)
{
    for (int i = 0; i < a->nkv; i++)
        if (strcmp(a->key[i], key) == 0) return a->val[i];
    return NULL;
}

bool str_to_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end) return false;
    *out = v;
    return true;
}

bool str_to_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) return false;
    *out = v;
    return true;
}

bool str_to_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "True", "yes", "on", "1"}, *const no[] = {"false", "False", "no", "off", "0"};
    for (size_t i = 0; i < 5; i++) {
        if (strcmp(s, yes[i]) == 0) { *out = true; return true; }
        if (strcmp(s, no[i]) == 0) { *out = false; return true; }
    }
    return false;
}

int args_long(const app_args *a, const char *key, long dflt, long lo, long hi, long *out)
{
    const char *v = args_get(a, key);
    if (!v) { *out = dflt; return RNN_OK; }
    long x;
    if (!str_to_long(v, &x) || x < lo || x > hi)
        return app_fail(RNN_EUSAGE, a->cmd, "%s='%s': expected an integer from %ld to %ld", key, v, lo, hi);
    *out = x;
    return RNN_OK;
}

int args_double(const app_args *a, const char *key, double dflt, double lo, double hi, double *out)
{
    const char *v = args_get(a, key);
    if (!v) { *out = dflt; return RNN_OK; }
    double x;
    if (!str_to_double(v, &x) || x < lo || x > hi)
        return app_fail(RNN_EUSAGE, a->cmd, "%s='%s': expected a number from %g to %g", key, v, lo, hi);
    *out = x;
    return RNN_OK;
}

int args_bool(const app_args *a, const char *key, bool dflt, bool *out)
{
    const char *v = args_get(a, key);
    if (!v) { *out = dflt; return RNN_OK; }
    if (!str_to_bool(v, out))
        return app_fail(RNN_EUSAGE, a->cmd, "%s='%s': expected true or false", key, v);
    return RNN_OK;
}

int args_choice(const app_args *a, const char *key, const char *choices, const char *dflt, const char **out)
{
    const char *v = args_get(a, key);
    if (!v) { *out = dflt; return RNN_OK; }
    size_t n = strlen(v);
    for (const char *p = choices; *p;) {
        const char *e = strchr(p, '|');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0) { *out = v; return RNN_OK; }
        if (!e) break;
        p = e + 1;
    }
    char list[256];
    snprintf(list, sizeof list, "%s", choices);
    for (char *p = list; *p; p++) if (*p == '|') *p = ',';
    return app_fail(RNN_EUSAGE, a->cmd, "%s='%s': expected one of %s", key, v, list);
}

char *args_join(const app_args *a, int from)
{
    if (from >= a->npos) return NULL;
    size_t n = 1;
    for (int i = from; i < a->npos; i++) n += strlen(a->pos[i]) + 1;
    char *s = malloc(n), *end = s;
    if (!s) return NULL;
    for (int i = from; i < a->npos; i++) {
        if (i > from) *end++ = ' ';
        size_t len = strlen(a->pos[i]);
        memcpy(end, a->pos[i], len);
        end += len;
    }
    *end = 0;
    return s;
}
