/* Python's str methods a tutorial's small lines use on texts: ' '.join(words), text.split(),
 * text.strip(), text.replace('<br />', ' '), text.startswith('http'). Whitespace is Python's
 * (str.isspace), read from the UTF-8 text. */
#include <stdlib.h>
#include <string.h>
#include "rnnlab/text.h"
#include "app/internal.h"
#include "app/python.h"

/* The length of the whitespace character at p (0 when p starts none). */
static size_t space_at(const char *p, size_t left)
{
    uint32_t cp;
    int k = left ? rnn_utf8_decode(p, left, &cp) : 0;
    return k > 0 && rnn_unicode_isspace(cp) ? (size_t)k : 0;
}

static bool set_text(rnn_value *out, const char *s, size_t n)
{
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_STRING;
    return (out->string = strndup(s, n)) != NULL;
}

/* The string argument i of args, or NULL. */
static const char *str_arg(const rnn_call *args, int i)
{
    return args && i < args->n_args && args->args[i].type == RNN_VAL_STRING ? args->args[i].string : NULL;
}

/* sep.join(items): the texts joined by sep. */
static int str_join(const char *sep, const rnn_call *args, rnn_value *out, char *why, size_t n)
{
    const rnn_value *items = args && args->n_args == 1 ? &args->args[0] : NULL;
    if (!items || items->type != RNN_VAL_LIST) return py_eval_fail(why, n, ".join() expects a list of texts");
    rnn_strbuf b = {0};
    for (int i = 0; i < items->n_items; i++) {
        if (items->items[i].type != RNN_VAL_STRING) {
            free(b.s);
            return py_eval_fail(why, n, "sequence item %d: expected str instance", i);
        }
        if (i) rnn_strbuf_put(&b, sep, strlen(sep));
        rnn_strbuf_put(&b, items->items[i].string, strlen(items->items[i].string));
    }
    bool ok = !b.oom && set_text(out, b.s ? b.s : "", b.len);
    free(b.s);
    return ok ? RNN_OK : py_eval_fail(why, n, "out of memory");
}

/* Appends text [p, p + len) to the list out. */
static bool list_add(rnn_value *out, size_t *cap, const char *p, size_t len)
{
    if (rnn_grow(&out->items, cap, (size_t)out->n_items + 1, sizeof *out->items)) return false;
    if (!set_text(&out->items[out->n_items], p, len)) return false;
    out->n_items++;
    return true;
}

/* text.split() (runs of whitespace, none empty) or text.split(sep) (every sep; sep not empty). */
static int str_split(const char *s, const rnn_call *args, rnn_value *out, char *why, size_t n)
{
    const char *sep = str_arg(args, 0);
    if (args && args->n_args > 1) return py_eval_fail(why, n, ".split(): rnnlab takes the separator only (no maxsplit)");
    if (args && args->n_args == 1 && !sep && args->args[0].type != RNN_VAL_NONE)
        return py_eval_fail(why, n, "must be str or None");
    if (sep && !*sep) return py_eval_fail(why, n, "empty separator");
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_LIST;
    size_t cap = 0, len = strlen(s);
    bool ok = true;
    if (sep) {
        size_t k = strlen(sep);
        for (const char *p = s;; ) {
            const char *q = strstr(p, sep);
            if (!(ok = list_add(out, &cap, p, q ? (size_t)(q - p) : strlen(p))) || !q) break;
            p = q + k;
        }
    } else {
        for (size_t i = 0; i < len && ok;) {
            size_t w;
            while (i < len && (w = space_at(s + i, len - i))) i += w;
            size_t start = i;
            while (i < len && !space_at(s + i, len - i)) i++;
            if (i > start) ok = list_add(out, &cap, s + start, i - start);
        }
    }
    return ok ? RNN_OK : py_eval_fail(why, n, "out of memory");
}

/* Whether the character at p (UTF-8, left bytes) is one of chars (NULL: whitespace); its length. */
static size_t strip_at(const char *p, size_t left, const char *chars)
{
    if (!chars) return space_at(p, left);
    uint32_t cp;
    int k = rnn_utf8_decode(p, left, &cp);
    if (k <= 0) return 0;
    for (const char *c = chars; *c;) {
        uint32_t cc;
        int kc = rnn_utf8_decode(c, strlen(c), &cc);
        if (kc <= 0) break;
        if (cc == cp) return (size_t)k;
        c += kc;
    }
    return 0;
}

/* text.strip([chars]), lstrip, rstrip: the characters (whitespace by default) cut off either end. */
static int str_strip(const char *s, const char *method, const rnn_call *args, rnn_value *out, char *why, size_t n)
{
    const char *chars = str_arg(args, 0);
    if (args && args->n_args > 1) return py_eval_fail(why, n, ".%s() takes the characters only", method);
    size_t lo = 0, hi = strlen(s), w;
    if (method[0] != 'r')
        while (lo < hi && (w = strip_at(s + lo, hi - lo, chars))) lo += w;
    if (method[0] != 'l')
        for (size_t back = hi; back > lo;) {   /* the last character: step back over continuation bytes */
            size_t start = back - 1;
            while (start > lo && ((unsigned char)s[start] & 0xC0) == 0x80) start--;
            if (strip_at(s + start, back - start, chars) != back - start) break;
            hi = back = start;
        }
    return set_text(out, s + lo, hi - lo) ? RNN_OK : py_eval_fail(why, n, "out of memory");
}

/* text.replace(old, new[, count]). */
static int str_replace(const char *s, const rnn_call *args, rnn_value *out, char *why, size_t n)
{
    const char *old = str_arg(args, 0), *rep = str_arg(args, 1);
    long count = -1;
    if (!old || !rep || args->n_args > 3) return py_eval_fail(why, n, ".replace() expects two texts (and a count)");
    if (args->n_args == 3) {
        const rnn_value *c = &args->args[2];
        if (c->type != RNN_VAL_NUMBER || !c->is_integer) return py_eval_fail(why, n, ".replace(): the count is a whole number");
        count = (long)c->number;
    }
    rnn_strbuf b = {0};
    size_t k = strlen(old), r = strlen(rep);
    const char *p = s;
    long done = 0;
    if (!k) {   /* '' matches before each character and at the end: 'ab' -> '-a-b-' */
        for (;;) {
            if (count < 0 || done < count) { rnn_strbuf_put(&b, rep, r); done++; }
            if (!*p) break;
            size_t step = 1;
            while ((((unsigned char)p[step]) & 0xC0) == 0x80) step++;
            rnn_strbuf_put(&b, p, step);
            p += step;
        }
    }
    for (const char *q; k && (count < 0 || done < count) && (q = strstr(p, old)); done++) {
        rnn_strbuf_put(&b, p, (size_t)(q - p));
        rnn_strbuf_put(&b, rep, r);
        p = q + k;
    }
    rnn_strbuf_put(&b, p, strlen(p));
    bool ok = !b.oom && set_text(out, b.s ? b.s : "", b.len);
    free(b.s);
    return ok ? RNN_OK : py_eval_fail(why, n, "out of memory");
}

int py_str_method(const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out, bool *handled,
                  char *why, size_t n)
{
    static const char *const methods[] = {"join", "split", "strip", "lstrip", "rstrip", "replace", "startswith",
                                          "endswith", NULL};
    *handled = v->type == RNN_VAL_STRING && py_name_in(method, methods);
    if (!*handled) return RNN_OK;
    if (!args) return py_eval_fail(why, n, "the arguments of .%s() hold a value rnnlab has not computed", method);
    const char *s = v->string;
    if (!strcmp(method, "join")) return str_join(s, args, out, why, n);
    if (!strcmp(method, "split")) return str_split(s, args, out, why, n);
    if (strstr(method, "strip")) return str_strip(s, method, args, out, why, n);
    if (!strcmp(method, "replace")) return str_replace(s, args, out, why, n);
    const char *a = str_arg(args, 0);   /* startswith, endswith */
    if (!a || args->n_args != 1) return py_eval_fail(why, n, ".%s() expects one text", method);
    size_t ls = strlen(s), la = strlen(a);
    bool yes = la <= ls && !memcmp(method[0] == 's' ? s : s + ls - la, a, la);
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_BOOL;
    out->number = yes;
    return RNN_OK;
}
