/* Parser for Keras constructor calls ("Bidirectional(GRU(128, dropout=0.3))") and typed access
 * to their arguments. Grammar:
 *   call  := name [ '(' [ arg { ',' arg } [','] ] ')' ]
 *   arg   := [ ident '=' ] value
 *   value := number | 'str' | "str" | True | False | None | name | call | '[' items ']' | '(' items ')'
 * name is a dotted identifier; tf.keras.layers., keras.layers., layers. and tf.keras. are stripped. */
#include "config.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rnnlab/call.h"

typedef struct parser {
    const char *s;      /* whole text, for error positions */
    const char *p;      /* cursor */
    rnn_error *err;
    int depth;
    bool expr;          /* rnn_expr_parse: Python expressions, names kept whole */
} parser;

static int parse_value(parser *ps, rnn_value *v);
static int parse_call_rest(parser *ps, char *name, rnn_call **out);
static int parse_expr(parser *ps, rnn_value *v);
static void value_free(rnn_value *v);

static void skip_space(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static char *dup_range(const char *a, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, a, n);
        s[n] = '\0';
    }
    return s;
}

/* Up to max bytes of s for a one-line message, as Python's repr shows them: control characters
 * escaped (\n, \t, \xNN), never cut inside a UTF-8 sequence, "..." when s goes on. */
static void quote_text(const char *s, size_t max, char *buf, size_t n)
{
    size_t len = strlen(s), took = rnn_escape_text(s, len, max, true, buf, n - 3);
    if (took < len)
        strcat(buf, "...");
}

/* Describes the token at the cursor for error messages: "'foo' at column 3" or "end of text". */
static const char *at_what(parser *ps, char *buf, size_t n)
{
    if (!*ps->p)
        return "end of text";
    char token[64];
    quote_text(ps->p, 12, token, sizeof token);
    snprintf(buf, n, "'%s' at column %d", token, (int)(ps->p - ps->s) + 1);
    return buf;
}

static int syntax_error(parser *ps, const char *expected)
{
    char buf[96];
    return rnn_fail(ps->err, RNN_EUSAGE, "layer call: expected %s, found %s", expected,
                    at_what(ps, buf, sizeof buf));
}

static bool is_ident_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static bool is_ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* Reads a dotted identifier at the cursor (malloc'd), or NULL if none. */
static char *read_dotted(parser *ps)
{
    const char *a = ps->p;
    if (!is_ident_start(*a))
        return NULL;
    const char *e = a;
    for (;;) {
        while (is_ident_char(*e))
            e++;
        if (e[0] == '.' && is_ident_start(e[1]))
            e++;
        else
            break;
    }
    ps->p = e;
    return dup_range(a, (size_t)(e - a));
}

/* Strips the module prefixes Keras tutorials write; returns an error for an unknown module. */
static int strip_prefix(parser *ps, char *name)
{
    static const char *const prefixes[] = {"tf.keras.layers.", "keras.layers.", "layers.", "tf.keras.callbacks.",
                                           "keras.callbacks.", "callbacks.", "tf.keras.", "keras."};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(name, prefixes[i], n) == 0) {
            memmove(name, name + n, strlen(name + n) + 1);
            break;
        }
    }
    if (strchr(name, '.'))
        return rnn_fail(ps->err, RNN_EUSAGE,
                        "layer call: unknown module in '%s' (expected a layer name, optionally prefixed "
                        "by tf.keras.layers., keras.layers. or layers.)", name);
    return RNN_OK;
}

static int parse_number(parser *ps, rnn_value *v)
{
    char *end;
    const char *a = ps->p;
    double d = strtod(a, &end);
    if (end == a)
        return syntax_error(ps, "a number");
    v->type = RNN_VAL_NUMBER;
    v->number = d;
    v->is_integer = true;
    for (const char *q = a; q < end; q++)
        if (*q == '.' || *q == 'e' || *q == 'E' || isalpha((unsigned char)*q))
            v->is_integer = false;
    ps->p = end;
    if (is_ident_char(*ps->p))
        return syntax_error(ps, "',' or ')' after the number");
    return RNN_OK;
}

/* UTF-8 of code point cp (below 0x110000, not a surrogate) into out: its length. */
static size_t put_utf8(uint32_t cp, char *out)
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | cp >> 6); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Python's escape after a backslash at p (p[0] the character after it): its bytes into out, *n of
 * them; the characters read. An escape Python does not know keeps its backslash, as Python does;
 * a hexadecimal escape that is incomplete, a surrogate, past U+10FFFF or NUL is an error (-1). */
static int string_escape(const char *p, char *out, size_t *n)
{
    static const char simple[] = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
    for (const char *e = simple; *e; e += 2)
        if (p[0] == e[0]) { out[0] = e[1]; *n = 1; return 1; }
    if (p[0] == '\n') { *n = 0; return 1; }   /* a line continued */
    uint32_t cp = 0;
    int digits = p[0] == 'x' ? 2 : p[0] == 'u' ? 4 : p[0] == 'U' ? 8 : 0, used = 1;
    if (digits) {
        for (int i = 1; i <= digits; i++) {
            if (!isxdigit((unsigned char)p[i])) return -1;
            cp = cp * 16 + (uint32_t)(isdigit((unsigned char)p[i]) ? p[i] - '0' : (tolower((unsigned char)p[i]) - 'a' + 10));
        }
        used += digits;
    } else if (p[0] >= '0' && p[0] <= '7') {
        cp = (uint32_t)(p[0] - '0');
        while (used < 3 && p[used] >= '0' && p[used] <= '7') cp = cp * 8 + (uint32_t)(p[used++] - '0');
    } else {
        out[0] = '\\';
        *n = 1;
        return 0;   /* the backslash stays; the character after it is read as usual */
    }
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    *n = put_utf8(cp, out);
    return used;
}

static int parse_string(parser *ps, rnn_value *v, bool raw)
{
    char quote = *ps->p++;
    const char *a = ps->p;
    size_t cap = strlen(a) + 1, n = 0;
    char *s = malloc(cap);
    if (!s)
        return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
    while (*ps->p && *ps->p != quote) {
        char c = *ps->p++;
        if (c == '\\' && *ps->p && raw) {   /* r'\d' keeps both; \' does not end it */
            s[n++] = c;
            c = *ps->p++;
        } else if (c == '\\' && *ps->p) {
            size_t k;
            int used = string_escape(ps->p, s + n, &k);
            if (used < 0) {
                free(s);
                return rnn_fail(ps->err, RNN_EUSAGE, "layer call: an invalid escape \\%c at column %d (a NUL, a "
                                "surrogate or too few hexadecimal digits)", *ps->p, (int)(ps->p - ps->s));
            }
            n += k;
            ps->p += used;
            continue;
        }
        s[n++] = c;
    }
    s[n] = '\0';
    if (*ps->p != quote) {
        free(s);
        ps->p = a - 1;
        return rnn_fail(ps->err, RNN_EUSAGE, "layer call: unterminated string starting at column %d",
                        (int)(a - ps->s));
    }
    ps->p++;
    v->type = RNN_VAL_STRING;
    v->string = s;
    return RNN_OK;
}

/* 'a' "b": string literals side by side are one string, as in Python (a long text written over
 * several lines inside parentheses). */
static bool at_raw_string(const char *p)
{
    return (p[0] == 'r' || p[0] == 'R') && (p[1] == '\'' || p[1] == '"');
}

/* One literal: 'text', or r'text' (backslashes kept, as in Python's raw strings). */
static int parse_literal(parser *ps, rnn_value *v)
{
    bool raw = at_raw_string(ps->p);
    ps->p += raw;
    return parse_string(ps, v, raw);
}

static int parse_strings(parser *ps, rnn_value *v)
{
    int rc = parse_literal(ps, v);
    for (;;) {
        const char *at = ps->p;
        skip_space(ps);
        if (rc || (*ps->p != '\'' && *ps->p != '"' && !at_raw_string(ps->p))) {
            ps->p = at;
            return rc;
        }
        rnn_value next = {0};
        if ((rc = parse_literal(ps, &next)))
            return rc;
        size_t a = strlen(v->string), b = strlen(next.string);
        char *joined = realloc(v->string, a + b + 1);
        if (!joined) {
            free(next.string);
            return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
        }
        memcpy(joined + a, next.string, b + 1);
        v->string = joined;
        free(next.string);
    }
}

static int parse_items(parser *ps, rnn_value *v, char close, bool *trailing_comma)
{
    v->type = RNN_VAL_LIST;
    size_t cap = 0;
    *trailing_comma = false;
    skip_space(ps);
    while (*ps->p != close) {
        if (rnn_grow(&v->items, &cap, (size_t)v->n_items + 1, sizeof *v->items))
            return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
        rnn_value *it = &v->items[v->n_items];
        memset(it, 0, sizeof *it);
        v->n_items++;
        int rc = parse_value(ps, it);
        if (rc)
            return rc;
        skip_space(ps);
        *trailing_comma = *ps->p == ',';
        if (*ps->p == ',') {
            ps->p++;
            skip_space(ps);
        } else if (*ps->p != close) {
            return syntax_error(ps, close == ']' ? "',' or ']'" : "',' or ')'");
        }
    }
    ps->p++;
    return RNN_OK;
}

static int parse_dict(parser *ps, rnn_value *v);
static int parse_fstring(parser *ps, rnn_value *v);

static int parse_primary(parser *ps, rnn_value *v)
{
    skip_space(ps);
    char c = *ps->p;
    if (c == '{' && ps->expr)
        return parse_dict(ps, v);
    if ((c == 'f' || c == 'F') && (ps->p[1] == '\'' || ps->p[1] == '"') && ps->expr)
        return parse_fstring(ps, v);
    if (c == '\'' || c == '"' || at_raw_string(ps->p))
        return parse_strings(ps, v);
    if (isdigit((unsigned char)c) || ((c == '-' || c == '+' || c == '.') && (isdigit((unsigned char)ps->p[1]) || ps->p[1] == '.')))
        return parse_number(ps, v);
    if (c == '[' || c == '(') {
        if (++ps->depth > 32)
            return rnn_fail(ps->err, RNN_EUSAGE, "layer call: nested too deeply");
        ps->p++;
        bool trailing_comma;
        int rc = parse_items(ps, v, c == '[' ? ']' : ')', &trailing_comma);
        ps->depth--;
        if (!rc && c == '(' && v->n_items == 1 && !trailing_comma) { /* Python: (x) is x, (x,) a tuple */
            rnn_value inner = v->items[0];
            free(v->items);
            *v = inner;
        } else if (c == '(')
            v->is_tuple = true;
        return rc;
    }
    char *name = read_dotted(ps);
    if (!name)
        return syntax_error(ps, "a value (number, 'string', True/False/None, name or call)");
    skip_space(ps);
    if (*ps->p == '(') {
        v->type = RNN_VAL_CALL;
        return parse_call_rest(ps, name, &v->call);
    }
    if (strcmp(name, "True") == 0 || strcmp(name, "true") == 0 || strcmp(name, "False") == 0 ||
        strcmp(name, "false") == 0) {
        v->type = RNN_VAL_BOOL;
        v->number = (name[0] == 'T' || name[0] == 't');
        v->is_integer = true;
        free(name);
    } else if (strcmp(name, "None") == 0) {
        v->type = RNN_VAL_NONE;
        free(name);
    } else {
        v->type = RNN_VAL_IDENT;
        v->string = name;
    }
    return RNN_OK;
}

static int parse_value(parser *ps, rnn_value *v)
{
    return ps->expr ? parse_expr(ps, v) : parse_primary(ps, v);
}

/* ---- Python expressions (rnn_expr_parse) ---- */

/* Appends an empty item to v->items (v->n_items grows); NULL when out of memory. */
static rnn_value *push_item(parser *ps, rnn_value *v)
{
    rnn_value *items = realloc(v->items, (size_t)(v->n_items + 1) * sizeof *items);
    if (!items) {
        rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
        return NULL;
    }
    v->items = items;
    memset(&items[v->n_items], 0, sizeof *items);
    return &items[v->n_items++];
}

/* Makes *v the EXPR node op whose first operand is the old *v. */
static int wrap_expr(parser *ps, rnn_value *v, const char *op)
{
    rnn_value node = {.type = RNN_VAL_EXPR, .string = strdup(op)};
    rnn_value *first = node.string ? push_item(ps, &node) : NULL;
    if (!first) {
        free(node.string);
        free(node.items);
        return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
    }
    *first = *v;
    *v = node;
    return RNN_OK;
}

static int parse_dict(parser *ps, rnn_value *v)
{
    v->type = RNN_VAL_DICT;
    if (++ps->depth > 32)
        return rnn_fail(ps->err, RNN_EUSAGE, "expression: nested too deeply");
    ps->p++;
    skip_space(ps);
    while (*ps->p != '}') {
        rnn_value *k = push_item(ps, v);
        if (!k)
            return RNN_EINTERNAL;
        int rc = parse_expr(ps, k);
        if (rc)
            return rc;
        skip_space(ps);
        if (*ps->p != ':')
            return syntax_error(ps, "':' after a dict key");
        ps->p++;
        rnn_value *val = push_item(ps, v);
        if (!val)
            return RNN_EINTERNAL;
        if ((rc = parse_expr(ps, val)))
            return rc;
        skip_space(ps);
        if (*ps->p == ',') {
            ps->p++;
            skip_space(ps);
        } else if (*ps->p != '}')
            return syntax_error(ps, "',' or '}'");
    }
    ps->p++;
    ps->depth--;
    return RNN_OK;
}

/* ---- f-strings: f'text {expr!r:spec} {{braces}}' ---- */

/* Appends the literal text [a, e) of an f-string (escapes read as parse_string does, {{ and }} as
 * one brace) to node as a STRING item; nothing when empty. */
static int fstring_text(parser *ps, rnn_value *node, const char *a, const char *e)
{
    if (a == e)
        return RNN_OK;
    char *s = malloc((size_t)(e - a) + 1);
    rnn_value *it = s ? push_item(ps, node) : NULL;
    if (!it) {
        free(s);
        return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
    }
    size_t n = 0;
    for (const char *p = a; p < e; p++) {
        char c = *p;
        if (c == '\\' && p + 1 < e) {
            size_t k;
            int used = string_escape(p + 1, s + n, &k);
            if (used < 0) {
                free(s);
                it->type = RNN_VAL_NONE;
                return rnn_fail(ps->err, RNN_EUSAGE, "layer call: an invalid escape \\%c in an f-string", p[1]);
            }
            n += k;
            p += used;
            continue;
        } else if ((c == '{' || c == '}') && p + 1 < e && p[1] == c)
            p++;
        s[n++] = c;
    }
    s[n] = '\0';
    it->type = RNN_VAL_STRING;
    it->string = s;
    return RNN_OK;
}

/* The first character of stops at the top level of a replacement field's text from a (outside
 * brackets and inner quotes; a '!' not when '=' follows), before end (NULL: before the text's NUL);
 * NULL when the f-string's own quote outer, or the end, comes first. */
static const char *fstring_top_level(const char *a, const char *end, char outer, const char *stops)
{
    int depth = 0;
    char inner = 0;
    for (const char *x = a; end ? x < end : *x != '\0'; x++) {
        if (inner) {
            inner = *x == inner ? 0 : inner;
        } else if (*x == outer) {
            return NULL;
        } else if (depth == 0 && strchr(stops, *x) && !(*x == '!' && x[1] == '=')) {
            return x;
        } else if (*x == '\'' || *x == '"') {
            inner = *x;
        } else if (*x == '(' || *x == '[' || *x == '{') {
            depth++;
        } else if (*x == ')' || *x == ']' || *x == '}') {
            depth--;
        }
    }
    return NULL;
}

/* The replacement field {a..e} as an EXPR "{}" item of node: items expression, STRING format spec
 * ("" when none), STRING conversion ("", "r", "s" or "a"). */
static int fstring_field(parser *ps, rnn_value *node, const char *a, const char *e)
{
    const char *x = fstring_top_level(a, e, 0, "!:");   /* where the expression ends */
    x = x ? x : e;
    const char *spec = x;
    char conv[2] = "";
    if (x < e && *x == '!') {
        if (x + 1 >= e || !strchr("rsa", x[1]) || (x + 2 < e && x[2] != ':'))
            return rnn_fail(ps->err, RNN_EUSAGE, "f-string: expected !r, !s or !a after the expression");
        conv[0] = x[1];
        spec = x + 2;
    }
    spec += spec < e && *spec == ':';
    if (memchr(spec, '{', (size_t)(e - spec)))
        return rnn_fail(ps->err, RNN_EUSAGE, "f-string: a replacement field inside a format spec is not read");
    /* Python 3.8's {expr=}: the expression's text, '=', then its repr unless a spec or !s says */
    const char *last = x;
    while (last > a && isspace((unsigned char)last[-1]))
        last--;
    bool debug = last - a >= 2 && last[-1] == '=' && !strchr("=!<>", last[-2]);
    if (debug && !conv[0] && spec == e)
        conv[0] = 'r';
    int rc = debug ? fstring_text(ps, node, a, x) : RNN_OK;
    if (rc)
        return rc;
    rnn_value *field = push_item(ps, node);
    char *text = field ? dup_range(a, (size_t)((debug ? last - 1 : x) - a)) : NULL;
    if (!text)
        return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
    field->type = RNN_VAL_EXPR;
    field->string = strdup("{}");
    parser sub = {.s = text, .p = text, .err = ps->err, .depth = ps->depth, .expr = true};
    rc = field->string && push_item(ps, field) && push_item(ps, field) && push_item(ps, field)
             ? RNN_OK : rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
    rnn_value *expr = rc ? NULL : &field->items[0], *sp = rc ? NULL : &field->items[1], *cv = rc ? NULL : &field->items[2];
    skip_space(&sub);
    if (!rc && !*sub.p)
        rc = rnn_fail(ps->err, RNN_EUSAGE, "f-string: empty expression in {}");
    if (!rc && !(rc = parse_expr(&sub, expr))) {
        skip_space(&sub);
        if (*sub.p)
            rc = syntax_error(&sub, "the end of the f-string's expression");
    }
    free(text);
    if (rc)
        return rc;
    sp->type = cv->type = RNN_VAL_STRING;
    if (!(sp->string = dup_range(spec, (size_t)(e - spec))) || !(cv->string = strdup(conv)))
        return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
    return RNN_OK;
}

/* f'...' or f"...": an EXPR "f" whose items are the literal pieces (STRING) and the replacement
 * fields (EXPR "{}") in order. */
static int parse_fstring(parser *ps, rnn_value *v)
{
    const char *start = ps->p;
    char quote = ps->p[1];
    const char *p = ps->p + 2, *text = p;
    v->type = RNN_VAL_EXPR;
    if (!(v->string = strdup("f")))
        return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
    if (++ps->depth > 32)
        return rnn_fail(ps->err, RNN_EUSAGE, "expression: nested too deeply");
    int rc = RNN_OK;
    while (!rc && *p && *p != quote) {
        if (*p == '\\' && p[1]) {
            p += 2;
        } else if ((*p == '{' || *p == '}') && p[1] == *p) {
            p += 2;
        } else if (*p == '}') {
            rc = rnn_fail(ps->err, RNN_EUSAGE, "f-string: single '}' at column %d (write }} for a brace)",
                          (int)(p - ps->s) + 1);
        } else if (*p == '{') {
            const char *close = fstring_top_level(p + 1, NULL, quote, "}");
            if (!close)
                rc = rnn_fail(ps->err, RNN_EUSAGE, "f-string: '{' at column %d is not closed", (int)(p - ps->s) + 1);
            else if (!(rc = fstring_text(ps, v, text, p)))
                rc = fstring_field(ps, v, p + 1, close);
            p = close ? close + 1 : p;
            text = p;
        } else {
            p++;
        }
    }
    if (!rc && *p != quote)
        rc = rnn_fail(ps->err, RNN_EUSAGE, "layer call: unterminated string starting at column %d",
                      (int)(start - ps->s) + 2);
    if (!rc)
        rc = fstring_text(ps, v, text, p);
    ps->p = *p ? p + 1 : p;
    ps->depth--;
    return rc;
}

/* An index inside [ ]: an expression, or a slice lo:hi with either side left out. */
static int parse_index(parser *ps, rnn_value *v)
{
    skip_space(ps);
    int rc = RNN_OK;
    if (*ps->p != ':' && (rc = parse_expr(ps, v)))
        return rc;
    skip_space(ps);
    if (*ps->p != ':')
        return RNN_OK;
    ps->p++;
    if ((rc = wrap_expr(ps, v, ":")))
        return rc;
    rnn_value *hi = push_item(ps, v);
    if (!hi)
        return RNN_EINTERNAL;
    skip_space(ps);
    return *ps->p == ']' ? RNN_OK : parse_expr(ps, hi);
}

/* Subscripts, attributes and calls after a primary: x[i], f(a)(b), g().attr. */
static int parse_postfix(parser *ps, rnn_value *v)
{
    int rc = parse_primary(ps, v);
    for (;;) {
        if (rc)
            return rc;
        skip_space(ps);
        char c = *ps->p;
        if (c == '[') {
            if (++ps->depth > 32)
                return rnn_fail(ps->err, RNN_EUSAGE, "expression: nested too deeply");
            ps->p++;
            rnn_value *idx;
            if ((rc = wrap_expr(ps, v, "[]")) || !(idx = push_item(ps, v)) || (rc = parse_index(ps, idx)))
                return rc ? rc : RNN_EINTERNAL;
            skip_space(ps);
            if (*ps->p != ']')
                return syntax_error(ps, "']'");
            ps->p++;
            ps->depth--;
        } else if (c == '(') {
            rnn_value *args;
            char *empty = strdup("");
            if (!empty)
                return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
            if ((rc = wrap_expr(ps, v, "()")) || !(args = push_item(ps, v))) {
                free(empty);
                return rc ? rc : RNN_EINTERNAL;
            }
            args->type = RNN_VAL_CALL;
            rc = parse_call_rest(ps, empty, &args->call);
        } else if (c == '.' && is_ident_start(ps->p[1])) {
            ps->p++;
            rnn_value *attr;
            if ((rc = wrap_expr(ps, v, ".")) || !(attr = push_item(ps, v)))
                return rc ? rc : RNN_EINTERNAL;
            const char *a = ps->p;
            while (is_ident_char(*ps->p))
                ps->p++;
            attr->type = RNN_VAL_IDENT;
            if (!(attr->string = dup_range(a, (size_t)(ps->p - a))))
                return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
        } else
            return RNN_OK;
    }
}

static int parse_unary(parser *ps, rnn_value *v);

/* a ** b: binds tighter than a unary minus on its left (-2 ** 2 is -4, the literal -2 read as
 * -(2 ** 2)), right to left, its right side unary (2 ** -1). */
static int parse_power(parser *ps, rnn_value *v)
{
    const char *start = ps->p;
    int rc = parse_postfix(ps, v);
    skip_space(ps);
    if (rc || ps->p[0] != '*' || ps->p[1] != '*' || ps->p[2] == '=')
        return rc;
    ps->p += 2;
    bool negative_literal = *start == '-' && v->type == RNN_VAL_NUMBER;
    if (negative_literal)
        v->number = -v->number;
    rnn_value *right;
    if ((rc = wrap_expr(ps, v, "**")) || !(right = push_item(ps, v)))
        return rc ? rc : RNN_EINTERNAL;
    if (++ps->depth > 32)
        return rnn_fail(ps->err, RNN_EUSAGE, "expression: nested too deeply");
    rc = parse_unary(ps, right);
    ps->depth--;
    return rc || !negative_literal ? rc : wrap_expr(ps, v, "neg");
}

static int parse_unary(parser *ps, rnn_value *v)
{
    skip_space(ps);
    if (*ps->p == '-' && !isdigit((unsigned char)ps->p[1]) && ps->p[1] != '.') {
        ps->p++;
        if (++ps->depth > 32)
            return rnn_fail(ps->err, RNN_EUSAGE, "expression: nested too deeply");
        int rc = parse_unary(ps, v);
        ps->depth--;
        return rc ? rc : wrap_expr(ps, v, "neg");
    }
    return parse_power(ps, v);
}

/* Reads a binary operator of the level ("+-" or "*"), or returns NULL. */
static const char *read_operator(parser *ps, bool additive)
{
    skip_space(ps);
    const char *p = ps->p;
    if (additive && (*p == '+' || *p == '-') && p[1] != '=') {
        ps->p++;
        return *p == '+' ? "+" : "-";
    }
    if (!additive && p[0] == '/' && p[1] == '/' && p[2] != '=') {
        ps->p += 2;
        return "//";
    }
    if (!additive && (*p == '*' || *p == '/' || *p == '%') && p[1] != '=' && p[1] != '*') {
        ps->p++;
        return *p == '*' ? "*" : *p == '/' ? "/" : "%";
    }
    return NULL;
}

static int parse_binary(parser *ps, rnn_value *v, bool additive)
{
    int rc = additive ? parse_binary(ps, v, false) : parse_unary(ps, v);
    const char *op;
    while (!rc && (op = read_operator(ps, additive))) {
        rnn_value *right;
        if ((rc = wrap_expr(ps, v, op)) || !(right = push_item(ps, v)))
            return rc ? rc : RNN_EINTERNAL;
        rc = additive ? parse_binary(ps, right, false) : parse_unary(ps, right);
    }
    return rc;
}

/* Reads a comparison operator (==, !=, <, <=, >, >=), or returns NULL. */
static const char *read_comparison(parser *ps)
{
    static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">"};
    skip_space(ps);
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        size_t n = strlen(ops[i]);
        if (strncmp(ps->p, ops[i], n) == 0 && ps->p[n] != '=') {
            ps->p += n;
            return ops[i];
        }
    }
    return NULL;
}

/* a OP b: one comparison (y_pred > 0.5); Python's chains (a < b < c) are not read. */
static int parse_comparison(parser *ps, rnn_value *v)
{
    int rc = parse_binary(ps, v, true);
    const char *op = rc ? NULL : read_comparison(ps);
    if (!op)
        return rc;
    rnn_value *right;
    if ((rc = wrap_expr(ps, v, op)) || !(right = push_item(ps, v)))
        return rc ? rc : RNN_EINTERNAL;
    return parse_binary(ps, right, true);
}

/* lambda a, b: BODY (names only: no defaults, no *args): the EXPR "lambda" whose first operand is
 * the list of parameter names (IDENT) and second the body, for the caller to read (a tf.data
 * pipeline's .map(lambda text, label: text)); it is never evaluated. */
static bool at_lambda(parser *ps)
{
    return strncmp(ps->p, "lambda", 6) == 0 && (isspace((unsigned char)ps->p[6]) || ps->p[6] == ':');
}

static int parse_lambda(parser *ps, rnn_value *v)
{
    ps->p += 6;
    v->type = RNN_VAL_EXPR;
    if (!(v->string = strdup("lambda")))
        return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
    rnn_value *params = push_item(ps, v);
    if (!params)
        return RNN_EINTERNAL;
    params->type = RNN_VAL_LIST;
    skip_space(ps);
    while (*ps->p != ':') {
        if (params->n_items > 0) {
            if (*ps->p != ',')
                return syntax_error(ps, "',' or ':' in lambda's parameters");
            ps->p++;
            skip_space(ps);
        }
        const char *a = ps->p;
        while (is_ident_char(*ps->p))
            ps->p++;
        if (ps->p == a || !is_ident_start(*a))
            return syntax_error(ps, "a parameter name of lambda");
        rnn_value *name = push_item(ps, params);
        if (!name)
            return RNN_EINTERNAL;
        name->type = RNN_VAL_IDENT;
        if (!(name->string = dup_range(a, (size_t)(ps->p - a))))
            return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
        skip_space(ps);
    }
    ps->p++;
    rnn_value *body = push_item(ps, v);
    return body ? parse_expr(ps, body) : RNN_EINTERNAL;
}

static int parse_expr(parser *ps, rnn_value *v)
{
    if (++ps->depth > 64)
        return rnn_fail(ps->err, RNN_EUSAGE, "expression: nested too deeply");
    skip_space(ps);
    int rc = at_lambda(ps) ? parse_lambda(ps, v) : parse_comparison(ps, v);
    ps->depth--;
    return rc;
}

int rnn_expr_parse(const char *text, rnn_value *out, rnn_error *err)
{
    memset(out, 0, sizeof *out);
    parser ps = {.s = text ? text : "", .p = text ? text : "", .err = err, .expr = true};
    skip_space(&ps);
    if (!*ps.p)
        return rnn_fail(err, RNN_EUSAGE, "expression: empty");
    int rc = parse_expr(&ps, out);
    if (rc == RNN_OK) {
        skip_space(&ps);
        if (*ps.p)
            rc = syntax_error(&ps, "end of the expression");
    }
    if (rc) {
        value_free(out);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

void rnn_value_free(rnn_value *v)
{
    if (v)
        value_free(v);
}

static bool call_copy(rnn_call **dst, const rnn_call *src)
{
    rnn_call *c = calloc(1, sizeof *c);
    *dst = c;
    if (!c || !(c->name = strdup(src->name)))
        return false;
    if (src->n_args) {
        c->keys = calloc((size_t)src->n_args, sizeof *c->keys);
        c->args = calloc((size_t)src->n_args, sizeof *c->args);
        if (!c->keys || !c->args)
            return false;
    }
    for (int i = 0; i < src->n_args; i++) {
        c->n_args++;
        if ((src->keys[i] && !(c->keys[i] = strdup(src->keys[i]))) || !rnn_value_copy(&c->args[i], &src->args[i]))
            return false;
    }
    return true;
}

bool rnn_value_copy(rnn_value *dst, const rnn_value *src)
{
    *dst = *src;
    dst->string = NULL;
    dst->call = NULL;
    dst->items = NULL;
    dst->n_items = 0;
    bool ok = true;
    if (src->string)
        ok = (dst->string = strdup(src->string)) != NULL;
    if (ok && src->call)
        ok = call_copy(&dst->call, src->call);
    if (ok && src->n_items) {
        ok = (dst->items = calloc((size_t)src->n_items, sizeof *dst->items)) != NULL;
        for (int i = 0; ok && i < src->n_items; i++) {
            dst->n_items++;
            ok = rnn_value_copy(&dst->items[i], &src->items[i]);
        }
    }
    if (!ok) {
        value_free(dst);
        memset(dst, 0, sizeof *dst);
    }
    return ok;
}

/* Room for one more argument: keys and args grow together (cap[0], cap[1] their capacities). */
static int call_grow(rnn_call *c, size_t cap[2], parser *ps)
{
    size_t need = (size_t)c->n_args + 1;
    if (rnn_grow(&c->keys, &cap[0], need, sizeof *c->keys) || rnn_grow(&c->args, &cap[1], need, sizeof *c->args))
        return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
    return RNN_OK;
}

/* Parses one argument into c->args[c->n_args]: "key=value" or "value". */
static int parse_arg(parser *ps, rnn_call *c)
{
    skip_space(ps);
    const char *save = ps->p;
    char *key = NULL;
    if (is_ident_start(*ps->p)) {
        const char *e = ps->p;
        while (is_ident_char(*e))
            e++;
        const char *q = e;
        while (isspace((unsigned char)*q))
            q++;
        if (q[0] == '=' && q[1] != '=') {
            key = dup_range(ps->p, (size_t)(e - ps->p));
            ps->p = q + 1;
        }
    }
    if (!key)
        for (int i = 0; i < c->n_args; i++)
            if (c->keys[i]) {
                ps->p = save;
                return rnn_fail(ps->err, RNN_EUSAGE,
                                "%s: positional argument follows keyword argument at column %d",
                                c->name, (int)(save - ps->s) + 1);
            }
    if (key)
        for (int i = 0; i < c->n_args; i++)
            if (c->keys[i] && strcmp(c->keys[i], key) == 0) {
                int rc = rnn_fail(ps->err, RNN_EUSAGE, "%s: argument '%s' given twice", c->name, key);
                free(key);
                return rc;
            }
    c->keys[c->n_args] = key;
    rnn_value *v = &c->args[c->n_args];
    memset(v, 0, sizeof *v);
    c->n_args++;
    return parse_value(ps, v);
}

/* name has been read (malloc'd, ownership taken); the cursor is at '(' or after the name. */
static int parse_call_rest(parser *ps, char *name, rnn_call **out)
{
    rnn_call *c = calloc(1, sizeof *c);
    if (!c) {
        free(name);
        return rnn_fail(ps->err, RNN_EINTERNAL, "out of memory");
    }
    *out = c;
    c->name = name;
    int rc = ps->expr ? RNN_OK : strip_prefix(ps, name);
    if (rc)
        return rc;
    skip_space(ps);
    if (*ps->p != '(')
        return RNN_OK;
    if (++ps->depth > 32)
        return rnn_fail(ps->err, RNN_EUSAGE, "layer call: nested too deeply");
    ps->p++;
    size_t cap[2] = {0, 0};
    skip_space(ps);
    while (*ps->p != ')') {
        if ((rc = call_grow(c, cap, ps)) || (rc = parse_arg(ps, c)))
            return rc;
        skip_space(ps);
        if (*ps->p == ',') {
            ps->p++;
            skip_space(ps);
        } else if (*ps->p != ')') {
            char what[96];
            snprintf(what, sizeof what, "',' or ')' in the arguments of %s", c->name);
            return syntax_error(ps, what);
        }
    }
    ps->p++;
    ps->depth--;
    return RNN_OK;
}

int rnn_call_parse(const char *text, rnn_call **out, rnn_error *err)
{
    *out = NULL;
    parser ps = {.s = text ? text : "", .p = text ? text : "", .err = err};
    skip_space(&ps);
    if (!*ps.p)
        return rnn_fail(err, RNN_EUSAGE, "layer call: empty (expected e.g. LSTM(32) or Dense(1, activation='sigmoid'))");
    char *name = read_dotted(&ps);
    if (!name)
        return syntax_error(&ps, "a layer name such as LSTM or Dense");
    rnn_call *c = NULL;
    int rc = parse_call_rest(&ps, name, &c);
    if (rc == RNN_OK) {
        skip_space(&ps);
        if (*ps.p)
            rc = syntax_error(&ps, "end of the layer call");
    }
    if (rc) {
        rnn_call_free(c);
        return rc;
    }
    *out = c;
    return RNN_OK;
}

static void value_free(rnn_value *v)
{
    if (!v)
        return;
    free(v->string);
    rnn_call_free(v->call);
    for (int i = 0; i < v->n_items; i++)
        value_free(&v->items[i]);
    free(v->items);
}

void rnn_call_free(rnn_call *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_args; i++) {
        free(c->keys[i]);
        value_free(&c->args[i]);
    }
    free(c->keys);
    free(c->args);
    free(c->name);
    free(c);
}

/* Short Python-like rendering of a value for error messages. */
static void value_repr(const rnn_value *v, char *buf, size_t n)
{
    switch (v->type) {
    case RNN_VAL_NONE: snprintf(buf, n, "None"); break;
    case RNN_VAL_NUMBER: snprintf(buf, n, "%g", v->number); break;
    case RNN_VAL_BOOL: snprintf(buf, n, "%s", v->number ? "True" : "False"); break;
    case RNN_VAL_STRING: {
        char text[200];
        quote_text(v->string, 40, text, sizeof text);
        snprintf(buf, n, "'%s'", text);
        break;
    }
    case RNN_VAL_IDENT: snprintf(buf, n, "%.40s", v->string); break;   /* identifiers are ASCII */
    case RNN_VAL_CALL: snprintf(buf, n, "%.40s(...)", v->call->name); break;
    case RNN_VAL_LIST: snprintf(buf, n, "a list of %d item%s", v->n_items, v->n_items == 1 ? "" : "s"); break;
    case RNN_VAL_DICT: snprintf(buf, n, "a dict of %d item%s", v->n_items / 2, v->n_items == 2 ? "" : "s"); break;
    case RNN_VAL_EXPR: snprintf(buf, n, "an expression"); break;
    }
}

const rnn_value *rnn_call_arg(const rnn_call *c, int pos, const char *key)
{
    if (key)
        for (int i = 0; i < c->n_args; i++)
            if (c->keys[i] && strcmp(c->keys[i], key) == 0)
                return &c->args[i];
    if (pos >= 0) {
        int k = 0;
        for (int i = 0; i < c->n_args; i++)
            if (!c->keys[i] && k++ == pos)
                return &c->args[i];
    }
    return NULL;
}

/* The argument for a typed accessor; fails like Python when given both by position and keyword. */
static int typed_arg(const rnn_call *c, int pos, const char *key, const rnn_value **out, rnn_error *err)
{
    *out = rnn_call_arg(c, pos, key);
    if (key && pos >= 0 && *out && rnn_call_arg(c, pos, NULL) && rnn_call_arg(c, -1, key))
        return rnn_fail(err, RNN_EUSAGE, "%s: got multiple values for '%s' (argument %d and %s=)", c->name, key,
                        pos + 1, key);
    return RNN_OK;
}

/* Name of the argument for messages: the keyword, or "argument N". */
static void arg_label(int pos, const char *key, char *buf, size_t n)
{
    if (key)
        snprintf(buf, n, "'%s'", key);
    else
        snprintf(buf, n, "argument %d", pos + 1);
}

static int type_error(const rnn_call *c, int pos, const char *key, const rnn_value *v, const char *expected,
                      rnn_error *err)
{
    char label[64], got[224];
    arg_label(pos, key, label, sizeof label);
    value_repr(v, got, sizeof got);
    return rnn_fail(err, RNN_EUSAGE, "%s: %s expects %s, got %s", c->name, label, expected, got);
}

int rnn_call_int(const rnn_call *c, int pos, const char *key, long dflt, long *out, rnn_error *err)
{
    const rnn_value *v;
    *out = dflt;
    if (typed_arg(c, pos, key, &v, err))
        return RNN_EUSAGE;
    if (!v || v->type == RNN_VAL_NONE)
        return RNN_OK;
    if (v->type != RNN_VAL_NUMBER || v->number != floor(v->number) || fabs(v->number) > 2e9)
        return type_error(c, pos, key, v, "an integer", err);
    *out = (long)v->number;
    return RNN_OK;
}

int rnn_call_float(const rnn_call *c, int pos, const char *key, double dflt, double *out, rnn_error *err)
{
    const rnn_value *v;
    *out = dflt;
    if (typed_arg(c, pos, key, &v, err))
        return RNN_EUSAGE;
    if (!v || v->type == RNN_VAL_NONE)
        return RNN_OK;
    if (v->type != RNN_VAL_NUMBER)
        return type_error(c, pos, key, v, "a number", err);
    *out = v->number;
    return RNN_OK;
}

int rnn_call_bool(const rnn_call *c, int pos, const char *key, bool dflt, bool *out, rnn_error *err)
{
    const rnn_value *v;
    *out = dflt;
    if (typed_arg(c, pos, key, &v, err))
        return RNN_EUSAGE;
    if (!v)
        return RNN_OK;
    if (v->type != RNN_VAL_BOOL)
        return type_error(c, pos, key, v, "True or False", err);
    *out = v->number != 0;
    return RNN_OK;
}

int rnn_call_string(const rnn_call *c, int pos, const char *key, const char *dflt, const char **out,
                    rnn_error *err)
{
    const rnn_value *v;
    *out = dflt;
    if (typed_arg(c, pos, key, &v, err))
        return RNN_EUSAGE;
    if (!v || v->type == RNN_VAL_NONE)
        return RNN_OK;
    if (v->type != RNN_VAL_STRING && v->type != RNN_VAL_IDENT) /* activation=relu unquoted is accepted */
        return type_error(c, pos, key, v, "a string", err);
    *out = v->string;
    return RNN_OK;
}

int rnn_call_name(const rnn_call *c, size_t cap, const char **out, rnn_error *err)
{
    int rc = rnn_call_string(c, -1, "name", NULL, out, err);
    if (rc || !*out)
        return rc;
    if (strlen(*out) >= cap)
        return rnn_fail(err, RNN_EUSAGE, "%s: 'name' is too long (at most %zu characters)", c->name, cap - 1);
    if (rnn_has_control_char(*out))
        return rnn_fail(err, RNN_EUSAGE, "%s: 'name' holds a control character", c->name);
    return RNN_OK;
}

/* Levenshtein distance, for "did you mean" hints on misspelt keywords. */
static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    int d[41][41];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

/* Keywords every Keras layer accepts (handled by rnn_layer_create or ignored). */
static const char *const base_layer_keys[] = {"name", "trainable", "dtype", NULL};

static bool key_known(const char *key, const char *const *known)
{
    for (int i = 0; known && known[i]; i++)
        if (strcmp(known[i], key) == 0)
            return true;
    for (int i = 0; base_layer_keys[i]; i++)
        if (strcmp(base_layer_keys[i], key) == 0)
            return true;
    return false;
}

/* Keras arguments that do not change what a layer computes at the value given here: accepted at
 * that value (and for any value when the default is NULL: use_cudnn, implementation), refused at
 * any other with the reason (rnnlab has no regularizers, constraints or returned states). */
static const struct { const char *key; rnn_value_type type; const char *dflt; const char *why; } neutral_keys[] = {
    {"return_state", RNN_VAL_BOOL, "False", "a recurrent layer returns its output only"},
    {"stateful", RNN_VAL_BOOL, "False", "states are not carried between batches"},
    {"time_major", RNN_VAL_BOOL, "False", "inputs are batch-major"},
    {"kernel_regularizer", RNN_VAL_NONE, NULL, "there are no regularizers"},
    {"recurrent_regularizer", RNN_VAL_NONE, NULL, "there are no regularizers"},
    {"bias_regularizer", RNN_VAL_NONE, NULL, "there are no regularizers"},
    {"activity_regularizer", RNN_VAL_NONE, NULL, "there are no regularizers"},
    {"embeddings_regularizer", RNN_VAL_NONE, NULL, "there are no regularizers"},
    {"kernel_constraint", RNN_VAL_NONE, NULL, "there are no constraints"},
    {"recurrent_constraint", RNN_VAL_NONE, NULL, "there are no constraints"},
    {"bias_constraint", RNN_VAL_NONE, NULL, "there are no constraints"},
    {"embeddings_constraint", RNN_VAL_NONE, NULL, "there are no constraints"},
    {"kernel_initializer", RNN_VAL_STRING, "glorot_uniform", "kernels start from Keras's glorot_uniform"},
    {"recurrent_initializer", RNN_VAL_STRING, "orthogonal", "recurrent kernels start from Keras's orthogonal"},
    {"bias_initializer", RNN_VAL_STRING, "zeros", "biases start at zero"},
    {"embeddings_initializer", RNN_VAL_STRING, "uniform", "embeddings start from Keras's uniform"},
    {"seed", RNN_VAL_NONE, NULL, "dropout masks follow `set seed=N`"},
    {"use_cudnn", RNN_VAL_IDENT, NULL, NULL},
    {"implementation", RNN_VAL_IDENT, NULL, NULL},
};

/* 0: not a neutral key; 1: accepted; -1: refused (error set). */
static int neutral_key(const rnn_call *c, const char *key, const rnn_value *v, rnn_error *err)
{
    for (size_t i = 0; i < sizeof neutral_keys / sizeof *neutral_keys; i++) {
        if (strcmp(neutral_keys[i].key, key) != 0)
            continue;
        if (!neutral_keys[i].why)
            return 1;
        bool same = false;
        if (neutral_keys[i].type == RNN_VAL_BOOL)
            same = v->type == RNN_VAL_BOOL && v->number == 0;
        else if (neutral_keys[i].type == RNN_VAL_NONE)
            same = v->type == RNN_VAL_NONE;
        else if (neutral_keys[i].type == RNN_VAL_STRING)
            same = v->type == RNN_VAL_NONE ||
                   ((v->type == RNN_VAL_STRING || v->type == RNN_VAL_IDENT) && strcmp(v->string, neutral_keys[i].dflt) == 0);
        if (same)
            return 1;
        char got[224];
        value_repr(v, got, sizeof got);
        rnn_fail(err, RNN_EUSAGE, "%s: %s=%s is not supported by rnnlab (%s; only %s=%s%s)", c->name, key, got,
                 neutral_keys[i].why, key, neutral_keys[i].type == RNN_VAL_STRING ? "'" : "",
                 neutral_keys[i].dflt ? neutral_keys[i].dflt : "None");
        if (err && neutral_keys[i].type == RNN_VAL_STRING)
            snprintf(err->msg + strlen(err->msg) - 1, sizeof err->msg - strlen(err->msg) + 1, "')");
        return -1;
    }
    return 0;
}

int rnn_call_check_keys(const rnn_call *c, int n_positional, const char *const *known, rnn_error *err)
{
    int npos = 0;
    for (int i = 0; i < c->n_args; i++)
        npos += c->keys[i] == NULL;
    if (npos > n_positional)
        return rnn_fail(err, RNN_EUSAGE, "%s: too many positional arguments (%d given, at most %d)", c->name,
                        npos, n_positional);
    for (int i = 0; i < c->n_args; i++) {
        const char *key = c->keys[i];
        if (!key || key_known(key, known))
            continue;
        int neutral = neutral_key(c, key, &c->args[i], err);
        if (neutral > 0)
            continue;
        if (neutral < 0)
            return RNN_EUSAGE;
        const char *best = NULL;
        int best_d = 3;
        for (int j = 0; known && known[j]; j++) {
            int d = edit_distance(key, known[j]);
            if (d < best_d) {
                best_d = d;
                best = known[j];
            }
        }
        if (best)
            return rnn_fail(err, RNN_EUSAGE, "%s: unknown argument '%s' (did you mean '%s'?)", c->name, key, best);
        char list[320] = "";
        size_t len = 0;
        for (int j = 0; known && known[j] && len < sizeof list - 40; j++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", known[j]);
        return rnn_fail(err, RNN_EUSAGE, "%s: unknown argument '%s' (expected one of: %s)", c->name, key,
                        len ? list : "none");
    }
    return RNN_OK;
}
