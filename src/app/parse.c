/* The command line language: ';'-separated commands, '#' comments, quoted words, key=value
 * arguments and Keras calls kept whole after `add`. */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "app/internal.h"

static char *dup_trimmed(const char *b, const char *e)
{
    while (b < e && isspace((unsigned char)*b)) b++;
    while (e > b && isspace((unsigned char)e[-1])) e--;
    char *s = malloc((size_t)(e - b) + 1);
    if (!s) return NULL;
    memcpy(s, b, (size_t)(e - b));
    s[e - b] = 0;
    return s;
}

/* Appends s to the array *v of *n strings, which doubles its room when n reaches a power of two
 * (a line of 100,000 words makes 17 reallocations, not 100,000). */
static int push_string(char ***v, int *n, char *s)
{
    if (!s) return -1;
    if ((*n & (*n - 1)) == 0) {
        if (*n > INT_MAX / 2) { free(s); return -1; }
        char **nv = realloc(*v, sizeof **v * (size_t)(*n ? 2 * *n : 1));
        if (!nv) { free(s); return -1; }
        *v = nv;
    }
    (*v)[(*n)++] = s;
    return 0;
}

void parse_free_strings(int n, char **v)
{
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

int parse_split(const char *line, bool python, char ***cmds, int *n, rnn_error *err)
{
    *cmds = NULL; *n = 0;
    char quote = 0; int depth = 0;
    uint64_t brackets = 0;   /* a bit per open '(' (0) or '[' (1), the innermost lowest */
    const char *start = line, *p = line;
    for (;; p++) {
        char c = *p;
        if (quote) {
            if (c == 0) {
                parse_free_strings(*n, *cmds); *cmds = NULL; *n = 0;
                return rnn_fail(err, RNN_EUSAGE, "unterminated %c quote: expected a closing %c", quote, quote);
            }
            if (c == '\\' && (quote == '"' || python) && p[1]) { p++; continue; }
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '\'' || c == '"') { quote = c; continue; }
        if (c == '(' || c == '[') { depth++; brackets = brackets << 1 | (c == '['); }
        else if ((c == ')' || c == ']') && depth > 0) { depth--; brackets >>= 1; }
        bool end = c == 0 || c == '\n' || c == '#';
        if (end || (c == ';' && depth == 0)) {
            char *cmd = dup_trimmed(start, p);
            if (cmd && !*cmd) free(cmd);
            else if (push_string(cmds, n, cmd) < 0) {
                parse_free_strings(*n, *cmds); *cmds = NULL; *n = 0;
                return rnn_fail(err, RNN_EINTERNAL, "out of memory");
            }
            if (c == '#') { while (p[1] && p[1] != '\n') p++; }
            if (c == 0) break;
            if (c == '\n' || c == '#') depth = 0;
            start = p + 1;
        }
    }
    if (depth > 0) {
        parse_free_strings(*n, *cmds); *cmds = NULL; *n = 0;
        return rnn_fail(err, RNN_EUSAGE, "%s", brackets & 1 ? "unbalanced bracket: expected a closing ']'"
                                                            : "unbalanced parenthesis: expected a closing ')'");
    }
    return RNN_OK;
}

/* Appends a word with its hidden key=value flag byte after the NUL. */
static int push_word(char ***v, int *n, const char *w, size_t len, bool keyval)
{
    char *s = malloc(len + 2);
    if (!s) return -1;
    memcpy(s, w, len);
    s[len] = 0;
    s[len + 1] = keyval ? 1 : 0;
    return push_string(v, n, s);
}

bool parse_is_keyval(const char *arg)
{
    return arg[strlen(arg) + 1] == 1;
}

void parse_free_words(int argc, char **argv) { parse_free_strings(argc, argv); }

/* Reads one word at *pp (unquoting into buf); sets *keyval when an unquoted '=' follows a
 * non-empty unquoted name at the start of the word. */
static int read_word(const char **pp, char *buf, size_t *len, bool *keyval, rnn_error *err)
{
    const char *p = *pp;
    char quote = 0; int depth = 0;
    bool quoted_before_eq = false, seen_eq = false;
    size_t n = 0;
    *keyval = false;
    for (; *p; p++) {
        char c = *p;
        if (quote) {
            if (c == '\\' && quote == '"' && (p[1] == '"' || p[1] == '\\')) { buf[n++] = *++p; continue; }
            if (c == quote) { quote = 0; continue; }
            buf[n++] = c;
            continue;
        }
        if (isspace((unsigned char)c) && depth == 0) break;
        if (c == '\'' || c == '"') {
            quote = c;
            if (!seen_eq) quoted_before_eq = true;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') depth++;  /* a call, list or dict is one word */
        else if ((c == ')' || c == ']' || c == '}') && depth > 0) depth--;
        if (c == '=' && !seen_eq && depth == 0) {
            seen_eq = true;
            /* "==" and a leading '=' are operators, not keys */
            if (n > 0 && !quoted_before_eq && p[1] != '=' && strchr("<>!=", buf[n - 1]) == NULL)
                *keyval = true;
        }
        buf[n++] = c;
    }
    if (quote) return rnn_fail(err, RNN_EUSAGE, "unterminated %c quote: expected a closing %c", quote, quote);
    buf[n] = 0;
    *len = n;
    *pp = p;
    return RNN_OK;
}

int parse_words(const char *cmd, int *argc, char ***argv, rnn_error *err)
{
    *argc = 0; *argv = NULL;
    char *buf = malloc(strlen(cmd) + 1);
    if (!buf) return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    const char *p = cmd;
    int rc = RNN_OK;
    while (*p) {
        while (isspace((unsigned char)*p)) p++;
        if (!*p) break;
        if (*argc == 1 && strcmp((*argv)[0], "add") == 0) {
            /* the Keras call stays intact: quotes, commas and spaces included */
            const char *e = p + strlen(p);
            while (e > p && isspace((unsigned char)e[-1])) e--;
            if (push_word(argv, argc, p, (size_t)(e - p), false) < 0) rc = rnn_fail(err, RNN_EINTERNAL, "out of memory");
            break;
        }
        size_t len = 0; bool kv = false;
        rc = read_word(&p, buf, &len, &kv, err);
        if (rc != RNN_OK) break;
        if (push_word(argv, argc, buf, len, kv && *argc > 0) < 0) { rc = rnn_fail(err, RNN_EINTERNAL, "out of memory"); break; }
    }
    free(buf);
    if (rc != RNN_OK) { parse_free_words(*argc, *argv); *argc = 0; *argv = NULL; }
    return rc;
}
