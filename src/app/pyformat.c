/* Python's text formatting of the values a Keras script prints: format(value, spec) as f-strings
 * and str.format use it (the format mini-language: [[fill]align][sign][0][width][,|_][.prec][type]),
 * and the printf-style 'text %d %.2f' % (a, b). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/python.h"

enum { PY_FORMAT_MAX_WIDTH = 1000, PY_FORMAT_MAX_PREC = 100 };

typedef struct format_spec {
    char fill, align, sign, group, type;
    int width, prec;   /* -1: not given */
} format_spec;

static const char *value_kind(const rnn_value *v)
{
    return v->type == RNN_VAL_STRING ? "str" : v->type == RNN_VAL_BOOL ? "bool"
         : v->type == RNN_VAL_NUMBER ? (v->is_integer ? "int" : "float") : v->type == RNN_VAL_NONE ? "NoneType"
         : "this value";
}

/* Digits of a width or precision: at most max. */
static bool read_count(const char **p, int max, int *out)
{
    long x = 0;
    while (isdigit((unsigned char)**p)) {
        x = x * 10 + (*(*p)++ - '0');
        if (x > max) return false;
    }
    *out = (int)x;
    return true;
}

/* c is one of the characters of set (never the NUL that ends both). */
static bool one_of(char c, const char *set)
{
    return c && strchr(set, c);
}

static int parse_spec(const char *s, format_spec *f, char *why, size_t n)
{
    const char *p = s;
    *f = (format_spec){.fill = ' ', .width = -1, .prec = -1};
    if (p[0] && one_of(p[1], "<>^=")) {
        f->fill = p[0];
        f->align = p[1];
        p += 2;
    } else if (one_of(p[0], "<>^=")) {
        f->align = *p++;
    }
    if (*p == '+' || *p == '-' || *p == ' ') f->sign = *p++;
    if (*p == '#') return py_eval_fail(why, n, "format spec '%s': the alternate form '#' is not read", s);
    if (*p == '0' && !f->align) {
        f->fill = '0';
        f->align = '=';
        p++;
    }
    if (isdigit((unsigned char)*p) && !read_count(&p, PY_FORMAT_MAX_WIDTH, &f->width))
        return py_eval_fail(why, n, "format spec '%s': a width above %d", s, PY_FORMAT_MAX_WIDTH);
    if (*p == ',' || *p == '_') f->group = *p++;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) return py_eval_fail(why, n, "format spec '%s': a precision's digits", s);
        if (!read_count(&p, PY_FORMAT_MAX_PREC, &f->prec))
            return py_eval_fail(why, n, "format spec '%s': a precision above %d", s, PY_FORMAT_MAX_PREC);
    }
    if (one_of(*p, "sdfFeEgGn%xXob")) f->type = *p++;
    if (*p) return py_eval_fail(why, n, "format spec '%s' is not one rnnlab reads", s);
    return RNN_OK;
}

/* Separators every 3 digits of the integer part of text (after its sign), in place. */
static void group_digits(char *text, size_t size, char sep)
{
    char *d = text + (*text == '-' || *text == '+' || *text == ' ');
    size_t digits = strspn(d, "0123456789");
    size_t seps = digits ? (digits - 1) / 3 : 0, len = strlen(text);
    if (!seps || len + seps >= size) return;
    char *src = text + len, *dst = text + len + seps;
    char *end_int = d + digits;
    while (src >= end_int) *dst-- = *src--;       /* the tail after the integer part, its NUL included */
    for (size_t k = 0; src >= d; k++) {
        if (k && k % 3 == 0) *dst-- = sep;
        *dst-- = *src--;
    }
}

/* Pads core to the width with the fill, as the alignment asks (numbers right, text left by
 * default; '=' after the sign). */
static int pad_to_width(const char *core, const format_spec *f, bool number, char *buf, size_t n, char *why, size_t wn)
{
    size_t len = strlen(core), width = f->width > 0 ? (size_t)f->width : 0;
    size_t pad = width > len ? width - len : 0;
    if (len + pad >= n) return py_eval_fail(why, wn, "the formatted text is too long");
    char align = f->align ? f->align : number ? '>' : '<';
    size_t left = align == '>' ? pad : align == '^' ? pad / 2 : 0;
    if (align == '=') {   /* the sign first, then the fill */
        size_t sign = number && (core[0] == '-' || core[0] == '+' || core[0] == ' ');
        memcpy(buf, core, sign);
        memset(buf + sign, f->fill, pad);
        memcpy(buf + sign + pad, core + sign, len - sign + 1);
        return RNN_OK;
    }
    memset(buf, f->fill, left);
    memcpy(buf + left, core, len);
    memset(buf + left + len, f->fill, pad - left);
    buf[len + pad] = '\0';
    return RNN_OK;
}

static int format_number(const rnn_value *v, const format_spec *f, char *core, size_t n, char *why, size_t wn)
{
    char flags[3] = {0};
    if (f->sign == '+' || f->sign == ' ') flags[0] = f->sign;
    double x = v->number;
    bool integral = v->type == RNN_VAL_BOOL || v->is_integer;
    char type = f->type;
    if (type == 's') return py_eval_fail(why, wn, "format code 's' for a value of type %s", value_kind(v));
    if (type == 'b') return py_eval_fail(why, wn, "format code 'b' is not one rnnlab reads");
    if (!type && v->type == RNN_VAL_BOOL && f->prec < 0 && !f->sign && !f->group) {
        snprintf(core, n, "%s", x ? "True" : "False");
        return RNN_OK;
    }
    if (type == 'n') type = integral ? 'd' : 'g';
    if (!type && integral && f->prec >= 0) return py_eval_fail(why, wn, "a precision in the format of an integer");
    if (!type) type = integral ? 'd' : f->prec >= 0 ? 'g' : 0;
    if (one_of(type, "dxXo") && !integral)
        return py_eval_fail(why, wn, "format code '%c' for a value of type float", type);
    if (type == 'd' || type == 'x' || type == 'X' || type == 'o') {
        if (fabs(x) >= 9.0e15) return py_eval_fail(why, wn, "an integer too large for rnnlab's numbers");
        char cf[8];
        snprintf(cf, sizeof cf, "%%%sll%c", flags, type == 'd' ? 'd' : type);
        if (type != 'd' && x < 0) {   /* Python writes -ff, not the two's complement */
            snprintf(cf, sizeof cf, "-%%ll%c", type);
            snprintf(core, n, cf, (long long)-x);
        } else
            snprintf(core, n, cf, (long long)x);
    } else if (!type) {   /* a float without a type: Python's shortest repr */
        if (!py_value_text(v, core + (flags[0] && x >= 0), n - 1)) return py_eval_fail(why, wn, "format of this number");
        if (flags[0] && x >= 0) core[0] = flags[0];
    } else {
        char cf[16];
        int prec = f->prec >= 0 ? f->prec : 6;
        snprintf(cf, sizeof cf, "%%%s.%d%c", flags, prec, type == '%' ? 'f' : type);
        snprintf(core, n, cf, type == '%' ? x * 100 : x);
        if (type == '%' && strlen(core) + 1 < n) strcat(core, "%");
    }
    if (f->group) group_digits(core, n, f->group);
    return RNN_OK;
}

int py_format_value(const rnn_value *v, const char *spec, const char *conv, char *buf, size_t n, char *why, size_t wn)
{
    format_spec f;
    int rc = parse_spec(spec ? spec : "", &f, why, wn);
    if (rc) return rc;
    char core[512];
    rnn_value text = {.type = RNN_VAL_STRING};
    const rnn_value *x = v;
    if (conv && (conv[0] == 'r' || conv[0] == 'a')) {   /* repr: a string in quotes */
        if (!py_value_text(v, core, sizeof core)) return py_eval_fail(why, wn, "repr of a value rnnlab does not hold");
        text.string = core;
        x = &text;
    } else if (conv && conv[0] == 's' && v->type != RNN_VAL_STRING) {
        if (!py_value_text(v, core, sizeof core)) return py_eval_fail(why, wn, "str of a value rnnlab does not hold");
        text.string = core;
        x = &text;
    }
    if (x->type == RNN_VAL_NUMBER || x->type == RNN_VAL_BOOL) {
        rc = format_number(x, &f, core, sizeof core, why, wn);
        return rc ? rc : pad_to_width(core, &f, true, buf, n, why, wn);
    }
    if (x->type != RNN_VAL_STRING && (f.type || f.sign || f.group || f.prec >= 0 || f.align == '='))
        return py_eval_fail(why, wn, "format spec '%s' for a value of type %s", spec, value_kind(x));
    if (f.type && f.type != 's')
        return py_eval_fail(why, wn, "format code '%c' for a value of type str", f.type);
    if (f.sign || f.group || f.align == '=')
        return py_eval_fail(why, wn, "format spec '%s' for a value of type str", spec);
    char shown[512];
    const char *s = x->string;
    if (x->type != RNN_VAL_STRING) {
        if (!py_value_text(x, shown, sizeof shown)) return py_eval_fail(why, wn, "str of a value rnnlab does not hold");
        s = shown;
    }
    size_t len = strlen(s), keep = f.prec >= 0 && (size_t)f.prec < len ? (size_t)f.prec : len;
    char *cut = malloc(keep + 1);
    if (!cut) return py_eval_fail(why, wn, "out of memory");
    memcpy(cut, s, keep);
    cut[keep] = '\0';
    rc = pad_to_width(cut, &f, false, buf, n, why, wn);
    free(cut);
    return rc;
}

/* One printf-style conversion of v ('%' flags width .prec type already read into cf). */
static int percent_one(rnn_strbuf *out, const char *cf, char type, const rnn_value *v, char *why, size_t wn)
{
    char item[1024];
    bool number = v->type == RNN_VAL_NUMBER || v->type == RNN_VAL_BOOL;
    if (type == 's' || type == 'r' || type == 'a') {
        const char *s = v->type == RNN_VAL_STRING && type == 's' ? v->string : NULL;
        if (!s) {
            if (!py_value_text(v, item, sizeof item)) return py_eval_fail(why, wn, "%%%c of a value rnnlab does not hold", type);
            s = item;
        }
        char fmt[40];
        snprintf(fmt, sizeof fmt, "%ss", cf);
        rnn_strbuf_printf(out, fmt, s);
        return RNN_OK;
    }
    if (!number) return py_eval_fail(why, wn, "%%%c format: a number is required, not %s", type, value_kind(v));
    if (one_of(type, "xXoc") && !(v->is_integer || v->type == RNN_VAL_BOOL))
        return py_eval_fail(why, wn, "%%%c format: an integer is required, not float", type);
    char fmt[40];
    if (one_of(type, "diuxXo")) {
        if (fabs(v->number) >= 9.0e15) return py_eval_fail(why, wn, "an integer too large for rnnlab's numbers");
        snprintf(fmt, sizeof fmt, "%sll%c", cf, type == 'i' || type == 'u' ? 'd' : type);
        rnn_strbuf_printf(out, fmt, (long long)v->number);   /* '%d' % 3.7 is '3' */
    } else if (type == 'c') {
        if (v->number < 0 || v->number > 127) return py_eval_fail(why, wn, "%%c of a code rnnlab does not write");
        snprintf(fmt, sizeof fmt, "%sc", cf);
        rnn_strbuf_printf(out, fmt, (int)v->number);
    } else {
        snprintf(fmt, sizeof fmt, "%s%c", cf, type);
        rnn_strbuf_printf(out, fmt, v->number);
    }
    return RNN_OK;
}

char *py_percent_format(const char *fmt, const rnn_value *args, char *why, size_t wn)
{
    const rnn_value *items = args;
    int n_items = 1, next = 0;
    if (args->type == RNN_VAL_LIST && args->is_tuple) {
        items = args->items;
        n_items = args->n_items;
    } else if (args->type == RNN_VAL_DICT) {
        py_eval_fail(why, wn, "'%%(name)s' formatting with a dict is not read");
        return NULL;
    }
    rnn_strbuf out = {0};
    int rc = RNN_OK;
    for (const char *p = fmt; *p && !rc; p++) {
        if (*p != '%') {
            rnn_strbuf_put(&out, p, 1);
            continue;
        }
        if (p[1] == '%') {
            rnn_strbuf_put(&out, "%", 1);
            p++;
            continue;
        }
        char cf[32] = "%";
        size_t o = 1;
        const char *q = p + 1;
        while (one_of(*q, "-+ #0") && o < 8) cf[o++] = *q++;
        int width = -1, prec = -1;
        if (isdigit((unsigned char)*q) && !read_count(&q, PY_FORMAT_MAX_WIDTH, &width)) {
            rc = py_eval_fail(why, wn, "a width above %d in '%s'", PY_FORMAT_MAX_WIDTH, fmt);
            break;
        }
        if (*q == '.') {
            q++;
            prec = 0;
            if (isdigit((unsigned char)*q) && !read_count(&q, PY_FORMAT_MAX_PREC, &prec)) {
                rc = py_eval_fail(why, wn, "a precision above %d in '%s'", PY_FORMAT_MAX_PREC, fmt);
                break;
            }
        }
        while (*q == 'l' || *q == 'h' || *q == 'L') q++;
        if (!one_of(*q, "diuxXoeEfFgGcrsa")) {
            rc = py_eval_fail(why, wn, "unsupported format character in '%s'", fmt);
            break;
        }
        if (width >= 0) o += (size_t)snprintf(cf + o, sizeof cf - o, "%d", width);
        if (prec >= 0) snprintf(cf + o, sizeof cf - o, ".%d", prec);
        if (next >= n_items) {
            rc = py_eval_fail(why, wn, "not enough arguments for format string '%s'", fmt);
            break;
        }
        rc = percent_one(&out, cf, *q, &items[next++], why, wn);
        p = q;
    }
    if (!rc && next < n_items) rc = py_eval_fail(why, wn, "not all arguments converted during string formatting");
    if (!rc && out.oom) rc = py_eval_fail(why, wn, "out of memory");
    if (!rc && !out.s) out.s = strdup("");
    if (rc || !out.s) {
        free(out.s);
        return NULL;
    }
    return out.s;
}
