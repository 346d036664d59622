/* The elements of a tf.data pipeline as a loop over ds.take(N) gives them: eager tensors of a batch
 * of texts or labels (or of one text and its label), their .numpy() arrays, and the bytes of a
 * text, each printed as TensorFlow and numpy print them. A value is a CALL named PY_OBJ "eager",
 * PY_OBJ "ndarray" or PY_OBJ "bytes": its first argument the payload (a list of texts or whole
 * numbers, or one text or number), an eager tensor's second its dtype ("string", "int32"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "app/internal.h"
#include "app/python.h"

static const char *const array_kinds[] = {"\001eager", "\001ndarray", "\001bytes", NULL};

const char *py_array_kind(const rnn_value *v, const rnn_value **payload)
{
    if (!v || v->type != RNN_VAL_CALL || v->call->n_args < 1) return NULL;
    for (int i = 0; array_kinds[i]; i++)
        if (!strcmp(v->call->name, array_kinds[i])) {
            if (payload) *payload = &v->call->args[0];
            return array_kinds[i] + 1;
        }
    return NULL;
}

/* kind(payload[, dtype]) in out; the payload is moved into it (left empty). */
bool py_array_value(rnn_value *out, const char *kind, rnn_value *payload, const char *dtype)
{
    rnn_value args[2] = {*payload, {.type = RNN_VAL_STRING}};
    memset(payload, 0, sizeof *payload);
    if (dtype && !(args[1].string = strdup(dtype))) {
        rnn_value_free(&args[0]);
        return false;
    }
    return py_obj_call(out, kind, args, dtype ? 2 : 1);
}

/* An eager tensor's dtype ("string" when it holds texts). */
static const char *eager_dtype(const rnn_value *v)
{
    return v->call->n_args > 1 && v->call->args[1].type == RNN_VAL_STRING ? v->call->args[1].string : "string";
}

/* One element of an array's payload as indexing gives it: a text as bytes, a number as itself; of an
 * eager tensor, an eager tensor of one element. */
static bool array_element(const rnn_value *arr, const rnn_value *item, rnn_value *out)
{
    rnn_value copy;
    if (!rnn_value_copy(&copy, item)) return false;
    const char *kind = py_array_kind(arr, NULL);
    if (!strcmp(kind, "eager")) return py_array_value(out, "eager", &copy, eager_dtype(arr));
    if (copy.type == RNN_VAL_STRING) return py_array_value(out, "bytes", &copy, NULL);
    *out = copy;
    return true;
}

int py_array_subscript(const rnn_value *t, const rnn_value *idx, rnn_value *out, char *why, size_t n)
{
    const rnn_value *payload;
    const char *kind = py_array_kind(t, &payload);
    if (!strcmp(kind, "bytes") || payload->type != RNN_VAL_LIST)
        return py_eval_fail(why, n, "a subscript of a %s", !strcmp(kind, "bytes") ? "text's bytes" : "single value");
    rnn_value part = {0};
    int rc = py_list_subscript(payload, idx, &part, why, n);
    if (rc) return rc;
    bool ok;
    if (idx->type == RNN_VAL_EXPR)   /* a slice stays an array of the same kind */
        ok = py_array_value(out, kind, &part, !strcmp(kind, "eager") ? eager_dtype(t) : NULL);
    else
        ok = array_element(t, &part, out);
    rnn_value_free(&part);
    return ok ? RNN_OK : py_eval_fail(why, n, "out of memory");
}

/* tensor.numpy(): an array of a batch, the bytes of one text, a label's number; bytes.decode(): the text. */
int py_array_method(const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out, bool *handled,
                    char *why, size_t n)
{
    const rnn_value *payload;
    const char *kind = py_array_kind(v, &payload);
    *handled = kind != NULL;
    if (!kind) return RNN_OK;
    int n_args = args ? args->n_args : 0;
    rnn_value copy;
    if (!strcmp(kind, "eager") && !strcmp(method, "numpy") && n_args == 0) {
        if (!rnn_value_copy(&copy, payload)) return py_eval_fail(why, n, "out of memory");
        if (copy.type == RNN_VAL_NUMBER) { *out = copy; return RNN_OK; }
        return py_array_value(out, copy.type == RNN_VAL_LIST ? "ndarray" : "bytes", &copy, NULL)
                   ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    if (!strcmp(kind, "bytes") && !strcmp(method, "decode") && n_args <= 1) {
        const rnn_value *enc = n_args ? &args->args[0] : NULL;
        if (enc && !(enc->type == RNN_VAL_STRING && (!strcasecmp(enc->string, "utf-8") || !strcasecmp(enc->string, "utf8"))))
            return py_eval_fail(why, n, ".decode(): rnnlab's texts are UTF-8");
        return rnn_value_copy(out, payload) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    return py_eval_fail(why, n, "the method .%s() of a %s is not something rnnlab computes", method,
                        !strcmp(kind, "bytes") ? "text's bytes" : !strcmp(kind, "eager") ? "tensor" : "numpy array");
}

/* ---- text ---- */

/* Python's repr() of bytes (the text's UTF-8): in '...' unless they hold ' and no ", the quote and \
 * escaped, \t \n \r, other bytes outside printable ASCII as \xhh. */
static void bytes_repr(rnn_strbuf *b, const char *s)
{
    char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    rnn_strbuf_printf(b, "b%c", q);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == q || *p == '\\') rnn_strbuf_printf(b, "\\%c", *p);
        else if (*p == '\t') rnn_strbuf_put(b, "\\t", 2);
        else if (*p == '\n') rnn_strbuf_put(b, "\\n", 2);
        else if (*p == '\r') rnn_strbuf_put(b, "\\r", 2);
        else if (*p < 0x20 || *p >= 0x7f) rnn_strbuf_printf(b, "\\x%02x", *p);
        else rnn_strbuf_put(b, (const char *)p, 1);
    }
    rnn_strbuf_put(b, &q, 1);
}

/* An element of a numpy array as numpy shows it: bytes' repr, a whole number right-aligned in width. */
static void element_text(rnn_strbuf *b, const rnn_value *v, int width)
{
    if (v->type == RNN_VAL_STRING) bytes_repr(b, v->string);
    else if (v->is_integer) rnn_strbuf_printf(b, "%*.0f", width, v->number);
    else rnn_strbuf_printf(b, "%*g", width, v->number);
}

enum { NUMPY_LINE_WIDTH = 75, NUMPY_THRESHOLD = 1000, NUMPY_EDGE_ITEMS = 3 };

static void sb_clear(rnn_strbuf *b)
{
    if (b->s) b->s[b->len = 0] = 0;
}

/* Appends word to the array's text as numpy's _formatArray does: a new line (" " first) when the
 * line would pass its width, unless the line holds nothing yet. */
static void extend_line(rnn_strbuf *s, rnn_strbuf *line, const char *word, size_t width)
{
    if (line->len + strlen(word) > width && line->len > 1) {
        size_t end = line->len;
        while (end > 0 && line->s[end - 1] == ' ') end--;
        rnn_strbuf_put(s, line->s, end);
        rnn_strbuf_put(s, "\n", 1);
        sb_clear(line);
        rnn_strbuf_put(line, " ", 1);
    }
    rnn_strbuf_put(line, word, strlen(word));
}

/* str() of a one-dimensional numpy array: [a b c], wrapped at 75 columns, the middle of more than
 * 1,000 elements left out as "...". */
static void ndarray_text(rnn_strbuf *b, const rnn_value *list)
{
    int n = list->n_items, width = 1;
    for (int i = 0; i < n; i++)
        if (list->items[i].type == RNN_VAL_NUMBER) {
            int w = snprintf(NULL, 0, "%.0f", list->items[i].number);
            width = w > width ? w : width;
        }
    bool summary = n > NUMPY_THRESHOLD;
    rnn_strbuf s = {0}, line = {0}, word = {0};
    rnn_strbuf_put(&line, " ", 1);
    size_t elem_width = NUMPY_LINE_WIDTH - 1;   /* room for the closing ']' */
    for (int i = 0; i < n; i++) {
        if (summary && i == NUMPY_EDGE_ITEMS) {
            extend_line(&s, &line, "...", elem_width);
            rnn_strbuf_put(&line, " ", 1);
            i = n - NUMPY_EDGE_ITEMS;
        }
        sb_clear(&word);
        element_text(&word, &list->items[i], width);
        extend_line(&s, &line, word.s ? word.s : "", elem_width);
        if (i + 1 < n) rnn_strbuf_put(&line, " ", 1);
    }
    rnn_strbuf_put(&s, line.s ? line.s : "", line.len);
    rnn_strbuf_put(b, "[", 1);
    if (s.len > 1) rnn_strbuf_put(b, s.s + 1, s.len - 1);
    rnn_strbuf_put(b, "]", 1);
    b->oom |= s.oom || line.oom || word.oom;
    free(s.s);
    free(line.s);
    free(word.s);
}

/* str() of a payload: a numpy array's, one text's bytes, a number. */
static void payload_text(rnn_strbuf *b, const rnn_value *p)
{
    if (p->type == RNN_VAL_LIST) ndarray_text(b, p);
    else element_text(b, p, 1);
}

char *py_array_text(const rnn_value *v)
{
    const rnn_value *payload;
    const char *kind = py_array_kind(v, &payload);
    rnn_strbuf b = {0};
    if (!kind) return NULL;
    if (!strcmp(kind, "eager")) {
        /* TensorFlow's str(): the array on a line of its own when it takes several */
        rnn_strbuf body = {0};
        payload_text(&body, payload);
        rnn_strbuf_printf(&b, "tf.Tensor(%s%s, shape=", body.s && strchr(body.s, '\n') ? "\n" : "", body.s ? body.s : "");
        if (payload->type == RNN_VAL_LIST) rnn_strbuf_printf(&b, "(%d,)", payload->n_items);
        else rnn_strbuf_put(&b, "()", 2);
        rnn_strbuf_printf(&b, ", dtype=%s)", eager_dtype(v));
        b.oom |= body.oom;
        free(body.s);
    } else {
        payload_text(&b, payload);
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s ? b.s : strdup("");
}
