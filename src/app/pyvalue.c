/* The names a Keras script binds and the evaluation of the expressions that use them: literals,
 * arithmetic, subscripts, len(), and the attributes of the session's objects (data set, tokenizer,
 * padded data) that tutorials read. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/internal.h"
#include "app/python.h"

py_session *py_session_get(app_state *s)
{
    if (!s->py) s->py = calloc(1, sizeof *s->py);
    return s->py;
}

void py_session_free(app_state *s)
{
    py_session *ps = s->py;
    if (!ps) return;
    for (int i = 0; i < ps->n_names; i++) {
        free(ps->names[i].name);
        rnn_value_free(&ps->names[i].v);
    }
    for (int i = 0; i < ps->n_funcs; i++) {
        free(ps->funcs[i].name);
        free(ps->funcs[i].body);
        for (int j = 0; j < ps->funcs[i].n_names; j++) free(ps->funcs[i].names[j]);
        free(ps->funcs[i].names);
    }
    free(ps->names);
    free(ps->funcs);
    py_frame_free(&ps->frame);
    if (ps->typed) py_reader_free(ps->typed);
    free(ps->typed);
    free(ps);
    s->py = NULL;
}

const rnn_value *py_lookup(py_session *ps, const char *name)
{
    for (int i = 0; ps && i < ps->n_names; i++)
        if (strcmp(ps->names[i].name, name) == 0) return &ps->names[i].v;
    return NULL;
}

bool py_bind(py_session *ps, const char *name, const rnn_value *v)
{
    rnn_value copy;
    if (!rnn_value_copy(&copy, v)) return false;
    for (int i = 0; i < ps->n_names; i++)
        if (strcmp(ps->names[i].name, name) == 0) {
            rnn_value_free(&ps->names[i].v);
            ps->names[i].v = copy;
            return true;
        }
    py_binding *nb = realloc(ps->names, sizeof *nb * (size_t)(ps->n_names + 1));
    char *n = strdup(name);
    if (!nb || !n) {
        if (nb) ps->names = nb;
        free(n);
        rnn_value_free(&copy);
        return false;
    }
    ps->names = nb;
    nb[ps->n_names].name = n;
    nb[ps->n_names++].v = copy;
    return true;
}

void py_unbind(py_session *ps, const char *name)
{
    for (int i = 0; i < ps->n_names; i++)
        if (strcmp(ps->names[i].name, name) == 0) {
            free(ps->names[i].name);
            rnn_value_free(&ps->names[i].v);
            ps->names[i] = ps->names[--ps->n_names];
            return;
        }
}

bool py_obj_value(rnn_value *out, const char *what)
{
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_IDENT;
    size_t n = strlen(what);
    if (!(out->string = malloc(n + 2))) return false;
    out->string[0] = PY_OBJ;
    memcpy(out->string + 1, what, n + 1);
    return true;
}

bool py_obj_call(rnn_value *out, const char *name, rnn_value *args, int n)
{
    rnn_call *c = calloc(1, sizeof *c);
    char *full = malloc(strlen(name) + 2);
    rnn_value *moved = calloc((size_t)n, sizeof *moved);
    char **keys = calloc((size_t)n, sizeof *keys);
    if (!c || !full || !moved || !keys) {
        free(c); free(full); free(moved); free(keys);
        for (int i = 0; i < n; i++) rnn_value_free(&args[i]);
        return false;
    }
    full[0] = PY_OBJ;
    strcpy(full + 1, name);
    memcpy(moved, args, (size_t)n * sizeof *args);
    memset(args, 0, (size_t)n * sizeof *args);
    *c = (rnn_call){.name = full, .n_args = n, .keys = keys, .args = moved};
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_CALL;
    out->call = c;
    return true;
}

const char *py_obj_is(const rnn_value *v, const char *prefix)
{
    if (!v || v->type != RNN_VAL_IDENT || !v->string || v->string[0] != PY_OBJ) return NULL;
    size_t n = strlen(prefix);
    return strncmp(v->string + 1, prefix, n) == 0 ? v->string + 1 + n : NULL;
}

const char *py_basename(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : name;
}

static void set_number(rnn_value *v, double x, bool integer)
{
    memset(v, 0, sizeof *v);
    v->type = RNN_VAL_NUMBER;
    v->number = x;
    v->is_integer = integer;
}

int py_eval_fail(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return RNN_EUSAGE;
}

/* Module paths whose names are Keras's own (a loss, an activation, an optimizer class). */
static bool is_keras_path(const char *name)
{
    static const char *const mods[] = {"tf.", "keras.", "layers.", "losses.", "optimizers.", "metrics.",
                                       "activations.", "callbacks.", "initializers.", "regularizers.", NULL};
    for (int i = 0; mods[i]; i++)
        if (strncmp(name, mods[i], strlen(mods[i])) == 0) return true;
    return false;
}

/* The rows of a split: labels and texts of the data set, padded ids once padded. */
static int split_count(app_state *s, const char *split, size_t *n)
{
    if (!s->ds) return -1;
    *n = strncmp(split, "test", 4) == 0 ? s->ds->test.n : s->ds->train.n;
    return 0;
}

/* Session object `obj` (its spelling after PY_OBJ) . attr */
static int eval_obj_attr(app_state *s, const char *obj, const char *attr, rnn_value *out, char *why, size_t n)
{
    char what[96];
    if (strncmp(obj, "data.", 5) == 0 && strcmp(attr, "shape") == 0) {
        bool test = strncmp(obj + 5, "test", 4) == 0;
        size_t rows;
        if (split_count(s, obj + 5, &rows)) return py_eval_fail(why, n, "no data set is loaded");
        bool ids = strstr(obj, ".ids") != NULL;
        const rnn_imatrix *x = test ? &s->x_test : &s->x_train;
        out->type = RNN_VAL_LIST;
        out->is_tuple = true;
        out->n_items = ids && x->data ? 2 : 1;
        if (!(out->items = calloc(2, sizeof *out->items))) return py_eval_fail(why, n, "out of memory");
        set_number(&out->items[0], (double)rows, true);
        if (out->n_items == 2) set_number(&out->items[1], (double)x->cols, true);
        return RNN_OK;
    }
    if ((strncmp(obj, "dataset.", 8) == 0 || strcmp(obj, "tfdsinfo") == 0) && strcmp(attr, "features") == 0) {
        snprintf(what, sizeof what, "features");
        return py_obj_value(out, what) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    if (strcmp(obj, "features.label") == 0 && strcmp(attr, "names") == 0)
        return py_obj_value(out, "classes") ? RNN_OK : py_eval_fail(why, n, "out of memory");
    if (strncmp(obj, "vectors.", 8) == 0 && strcmp(attr, "vector_size") == 0) {
        set_number(out, atof(obj + 8), true);
        return RNN_OK;
    }
    if (strncmp(obj, "matrix.", 7) == 0 && strcmp(attr, "shape") == 0) {
        long r = 0, c = 0;
        sscanf(obj + 7, "%ld.%ld", &r, &c);
        out->type = RNN_VAL_LIST;
        out->is_tuple = true;
        if (!(out->items = calloc(2, sizeof *out->items))) return py_eval_fail(why, n, "out of memory");
        out->n_items = 2;
        set_number(&out->items[0], (double)r, true);
        set_number(&out->items[1], (double)c, true);
        return RNN_OK;
    }
    if (strcmp(obj, "frame") == 0) return py_frame_column(s, attr, out, why, n);   /* df.review */
    if (strncmp(obj, "frame.", 6) == 0 && (!strcmp(attr, "values") || !strcmp(attr, "str")))
        return py_obj_value(out, obj) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    if (strcmp(obj, "history") == 0 && strcmp(attr, "history") == 0)
        return py_obj_value(out, "history.history") ? RNN_OK : py_eval_fail(why, n, "out of memory");
    if (strncmp(obj, "tfdata.", 7) == 0 && strcmp(attr, "class_names") == 0 && s->ds) {
        /* text_dataset_from_directory's class_names: the folders' names, in label order */
        out->type = RNN_VAL_LIST;
        if (!(out->items = calloc((size_t)s->ds->n_classes + 1, sizeof *out->items))) return py_eval_fail(why, n, "out of memory");
        for (int i = 0; i < s->ds->n_classes; i++, out->n_items++) {
            out->items[i].type = RNN_VAL_STRING;
            if (!(out->items[i].string = strdup(s->ds->class_names[i]))) return py_eval_fail(why, n, "out of memory");
        }
        return RNN_OK;
    }
    return py_eval_fail(why, n, "the attribute %s of %s is not something rnnlab computes", attr,
                     strncmp(obj, "data.", 5) == 0 ? "the data" : obj);
}

/* value . attr, for the attributes tutorials read. */
static int eval_attr(app_state *s, rnn_value *base, const char *attr, rnn_value *out, char *why, size_t n)
{
    memset(out, 0, sizeof *out);
    const char *obj = base->type == RNN_VAL_IDENT && base->string && base->string[0] == PY_OBJ ? base->string + 1 : NULL;
    if (obj) return eval_obj_attr(s, obj, attr, out, why, n);
    if (base->type == RNN_VAL_CALL && strcmp(py_basename(base->call->name), "Tokenizer") == 0 &&
        strcmp(attr, "word_index") == 0)
        return py_obj_value(out, "word_index") ? RNN_OK : py_eval_fail(why, n, "out of memory");
    return py_eval_fail(why, n, "the attribute .%s is not something rnnlab computes", attr);
}

/* Python's len() of a str: its characters (an invalid UTF-8 byte counts as the U+FFFD it reads as). */
static size_t utf8_length(const char *s)
{
    size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len; n++) {
        uint32_t cp;
        i += (size_t)rnn_utf8_decode(s + i, len - i, &cp);
    }
    return n;
}

static int eval_len(app_state *s, const rnn_value *v, rnn_value *out, char *why, size_t n)
{
    const char *o;
    const rnn_value *payload;
    size_t count;
    if (py_array_kind(v, &payload)) {   /* a batch's elements; the bytes of a text */
        if (payload->type != RNN_VAL_LIST && payload->type != RNN_VAL_STRING)
            return py_eval_fail(why, n, "len() of a single value");
        count = payload->type == RNN_VAL_LIST ? (size_t)payload->n_items : strlen(payload->string);
    } else if (v->type == RNN_VAL_LIST) count = (size_t)v->n_items;
    else if (v->type == RNN_VAL_DICT) count = (size_t)v->n_items / 2;
    else if (v->type == RNN_VAL_STRING) count = utf8_length(v->string);
    else if ((o = py_obj_is(v, "data."))) {
        if (split_count(s, o, &count)) return py_eval_fail(why, n, "no data set is loaded");
    } else if (py_obj_is(v, "classes")) {
        if (!s->ds) return py_eval_fail(why, n, "no data set is loaded");
        count = (size_t)s->ds->n_classes;
    } else if (py_obj_is(v, "curve.")) {
        if (s->n_runs == 0) return py_eval_fail(why, n, "no fit has run");
        count = (size_t)s->runs[s->n_runs - 1].hist.n_epochs;   /* a history curve: one value an epoch */
    } else if (py_obj_is(v, "word_index")) {
        if (!s->tok) return py_eval_fail(why, n, "the tokenizer is not fitted yet (fit_on_texts)");
        count = rnn_tokenizer_size(s->tok);   /* entries of word_index, the OOV token included */
    } else
        return py_eval_fail(why, n, "len() of this value is not something rnnlab computes");
    set_number(out, (double)count, true);
    return RNN_OK;
}

/* x ** y: an integer when both are and y >= 0 (exact up to 2^53, refused beyond, where Python's
 * integers would go on); Python's errors for 0 ** -1 and a negative number to a fractional power. */
static int eval_power(double x, double y, bool integer, rnn_value *out, char *why, size_t n)
{
    if (x == 0 && y < 0) return py_eval_fail(why, n, "0 cannot be raised to a negative power");
    if (x < 0 && y != floor(y)) return py_eval_fail(why, n, "a negative number to a fractional power is complex");
    double r = pow(x, y);
    if (!isfinite(r)) return py_eval_fail(why, n, "%g ** %g is too large", x, y);
    integer = integer && y >= 0;
    if (integer && fabs(r) > 9007199254740992.0) return py_eval_fail(why, n, "%g ** %g is beyond rnnlab's exact integers (2**53)", x, y);
    set_number(out, r, integer);
    return RNN_OK;
}

/* 'the ' * 2000: the text repeated (at most 16 MB, rnnlab's longest line). */
static int eval_repeat(const rnn_value *text, const rnn_value *times, rnn_value *out, char *why, size_t n)
{
    if (times->type != RNN_VAL_NUMBER || !times->is_integer) return py_eval_fail(why, n, "a text repeated by a number that is not an integer");
    size_t len = strlen(text->string), k = times->number > 0 && len ? (size_t)fmin(times->number, 1e15) : 0;
    if (len && k > (16u << 20) / len) return py_eval_fail(why, n, "a text repeated to more than 16 MB");
    out->type = RNN_VAL_STRING;
    if (!(out->string = malloc(len * k + 1))) return py_eval_fail(why, n, "out of memory");
    for (size_t i = 0; i < k; i++) memcpy(out->string + i * len, text->string, len);
    out->string[len * k] = 0;
    return RNN_OK;
}

static int eval_arith(const char *op, const rnn_value *a, const rnn_value *b, rnn_value *out, char *why, size_t n)
{
    if (a->type == RNN_VAL_STRING && b->type == RNN_VAL_STRING && strcmp(op, "+") == 0) {
        size_t la = strlen(a->string), lb = strlen(b->string);
        out->type = RNN_VAL_STRING;
        if (!(out->string = malloc(la + lb + 1))) return py_eval_fail(why, n, "out of memory");
        memcpy(out->string, a->string, la);
        memcpy(out->string + la, b->string, lb + 1);
        return RNN_OK;
    }
    if (strcmp(op, "*") == 0 && (a->type == RNN_VAL_STRING || b->type == RNN_VAL_STRING))
        return eval_repeat(a->type == RNN_VAL_STRING ? a : b, a->type == RNN_VAL_STRING ? b : a, out, why, n);
    if (a->type == RNN_VAL_STRING && strcmp(op, "%") == 0) {   /* 'accuracy: %.2f' % acc */
        out->type = RNN_VAL_STRING;
        return (out->string = py_percent_format(a->string, b, why, n)) ? RNN_OK : RNN_EUSAGE;
    }
    if ((a->type != RNN_VAL_NUMBER && a->type != RNN_VAL_BOOL) || (b->type != RNN_VAL_NUMBER && b->type != RNN_VAL_BOOL))
        return py_eval_fail(why, n, "'%s' of values that are not numbers", op);
    double x = a->number, y = b->number, r;
    bool integer = a->is_integer && b->is_integer;
    if ((op[0] == '/' || op[0] == '%') && y == 0) return py_eval_fail(why, n, "division by zero");
    if (strcmp(op, "**") == 0) return eval_power(x, y, integer, out, why, n);
    switch (op[0]) {
    case '+': r = x + y; break;
    case '-': r = x - y; break;
    case '*': r = x * y; break;
    case '%': r = x - y * floor(x / y); break;
    default:
        if (op[1] == '/') r = floor(x / y);
        else { r = x / y; integer = false; }
    }
    set_number(out, r, integer);
    return RNN_OK;
}

static bool is_comparison(const char *op)
{
    return !strcmp(op, "==") || !strcmp(op, "!=") || !strcmp(op, "<") || !strcmp(op, "<=") || !strcmp(op, ">") ||
           !strcmp(op, ">=");
}

/* model.predict's probabilities > 0.5 (>= 0.5): the classes report counts (a sigmoid output decided
 * at 0.5, as Keras's binary accuracy). */
static int eval_threshold(const char *split, const char *op, const rnn_value *t, rnn_value *out, char *why, size_t n)
{
    if ((strcmp(op, ">") && strcmp(op, ">=")) || !t || (t->type != RNN_VAL_NUMBER && t->type != RNN_VAL_BOOL))
        return py_eval_fail(why, n, "predictions compare as y_pred > 0.5, the classes report counts");
    if (t->number != 0.5)
        return py_eval_fail(why, n, "a threshold of %g: rnnlab's report decides at 0.5", t->number);
    char what[64];
    snprintf(what, sizeof what, "pred.%s.classes", split);
    return py_obj_value(out, what) ? RNN_OK : py_eval_fail(why, n, "out of memory");
}

static int eval_compare(const char *op, const rnn_value *a, const rnn_value *b, rnn_value *out, char *why, size_t n)
{
    const char *split = py_obj_is(a, "pred.");
    if (split) {
        if (strchr(split, '.')) return py_eval_fail(why, n, "these are classes already (y_pred > 0.5 was applied)");
        return eval_threshold(split, op, b, out, why, n);
    }
    int c;
    if (a->type == RNN_VAL_STRING && b->type == RNN_VAL_STRING) c = strcmp(a->string, b->string);
    else if ((a->type == RNN_VAL_NUMBER || a->type == RNN_VAL_BOOL) && (b->type == RNN_VAL_NUMBER || b->type == RNN_VAL_BOOL))
        c = a->number < b->number ? -1 : a->number > b->number;
    else if (!strcmp(op, "==") || !strcmp(op, "!="))
        c = a->type != b->type || a->type != RNN_VAL_NONE;
    else
        return py_eval_fail(why, n, "'%s' of values that are not both numbers or strings", op);
    bool r = !strcmp(op, "==") ? c == 0 : !strcmp(op, "!=") ? c != 0 : !strcmp(op, "<") ? c < 0 : !strcmp(op, "<=") ? c <= 0
             : !strcmp(op, ">") ? c > 0 : c >= 0;
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_BOOL;
    out->number = r;
    out->is_integer = true;
    return RNN_OK;
}

/* history.history['val_accuracy'] (a curve, as plt.plot takes it), and a curve's epoch:
 * history.history['loss'][-1]. */
static int eval_history_subscript(app_state *s, const rnn_value *t, const rnn_value *idx, rnn_value *out, char *why,
                                  size_t n)
{
    const char *metric = py_obj_is(t, "curve.");
    if (!metric) {
        if (idx->type != RNN_VAL_STRING) return py_eval_fail(why, n, "history.history is a dict of metric names");
        char what[96];
        snprintf(what, sizeof what, "curve.%s", idx->string);
        return py_obj_value(out, what) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    if (s->n_runs == 0) return py_eval_fail(why, n, "no fit has run");
    const rnn_history *h = &s->runs[s->n_runs - 1].hist;
    if (idx->type != RNN_VAL_NUMBER || !idx->is_integer) return py_eval_fail(why, n, "an epoch's index must be an integer");
    long e = py_long(idx->number);
    if (e < 0) e += h->n_epochs;
    if (e < 0 || e >= h->n_epochs) return py_eval_fail(why, n, "epoch index %.0f out of range (%d epochs)", idx->number, h->n_epochs);
    double x = rnn_history_get(h, (int)e, metric);
    if (x != x) return py_eval_fail(why, n, "the last fit has no metric '%s'", metric);
    set_number(out, x, false);
    return RNN_OK;
}

static int eval_subscript(const rnn_value *t, const rnn_value *idx, rnn_value *out, char *why, size_t n)
{
    const char *o;
    if (py_obj_is(t, "tfdsdict.")) return py_tfds_subscript(t, idx, out, why, n);
    if ((o = py_obj_is(t, "dataset.")) && idx->type == RNN_VAL_STRING) {
        char what[64];
        if (strcmp(idx->string, "text") != 0 && strcmp(idx->string, "label") != 0)
            return py_eval_fail(why, n, "the data set's columns are 'text' and 'label'");
        snprintf(what, sizeof what, "data.%s.%s", o, strcmp(idx->string, "text") == 0 ? "texts" : "labels");
        return py_obj_value(out, what) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    if (py_obj_is(t, "features") && idx->type == RNN_VAL_STRING && strcmp(idx->string, "label") == 0)
        return py_obj_value(out, "features.label") ? RNN_OK : py_eval_fail(why, n, "out of memory");
    if (t->type == RNN_VAL_DICT) {
        for (int i = 0; i + 1 < t->n_items; i += 2) {
            const rnn_value *k = &t->items[i];
            bool same = k->type == idx->type &&
                        ((k->type == RNN_VAL_STRING && strcmp(k->string, idx->string) == 0) ||
                         (k->type == RNN_VAL_NUMBER && k->number == idx->number));
            if (same) return rnn_value_copy(out, &t->items[i + 1]) ? RNN_OK : py_eval_fail(why, n, "out of memory");
        }
        return py_eval_fail(why, n, "no such key in the dict");
    }
    const rnn_value *scalar;
    if (py_array_kind(idx, &scalar) && scalar->type == RNN_VAL_NUMBER) idx = scalar;  /* names[label]: a tensor's number */
    if (py_array_kind(t, NULL)) return py_array_subscript(t, idx, out, why, n);
    if (t->type != RNN_VAL_LIST) return py_eval_fail(why, n, "a subscript of a value rnnlab does not hold");
    return py_list_subscript(t, idx, out, why, n);
}

int py_list_subscript(const rnn_value *t, const rnn_value *idx, rnn_value *out, char *why, size_t n)
{
    if (idx->type == RNN_VAL_EXPR && strcmp(idx->string, ":") == 0) {
        long lo = 0, hi = t->n_items;
        if (idx->items[0].type == RNN_VAL_NUMBER) lo = (long)idx->items[0].number;
        if (idx->n_items > 1 && idx->items[1].type == RNN_VAL_NUMBER) hi = (long)idx->items[1].number;
        if (lo < 0) lo += t->n_items;
        if (hi < 0) hi += t->n_items;
        lo = lo < 0 ? 0 : lo > t->n_items ? t->n_items : lo;
        hi = hi < lo ? lo : hi > t->n_items ? t->n_items : hi;
        out->type = RNN_VAL_LIST;
        out->is_tuple = t->is_tuple;
        if (hi > lo && !(out->items = calloc((size_t)(hi - lo), sizeof *out->items))) return py_eval_fail(why, n, "out of memory");
        for (long i = lo; i < hi; i++)
            if (!rnn_value_copy(&out->items[out->n_items++], &t->items[i])) return py_eval_fail(why, n, "out of memory");
        return RNN_OK;
    }
    if (idx->type != RNN_VAL_NUMBER || !idx->is_integer) return py_eval_fail(why, n, "a list index must be an integer");
    long i = py_long(idx->number);
    if (i < 0) i += t->n_items;
    if (i < 0 || i >= t->n_items) return py_eval_fail(why, n, "list index %.0f out of range", idx->number);
    return rnn_value_copy(out, &t->items[i]) ? RNN_OK : py_eval_fail(why, n, "out of memory");
}

/* The classes of model.predict's numbers (pred.SPLIT): what np.argmax(y_pred, axis=1), np.round
 * and y_pred > 0.5 make. */
static int pred_classes(const char *pred, rnn_value *out, char *why, size_t n)
{
    char what[64];
    snprintf(what, sizeof what, "pred.%.*s.classes", (int)strcspn(pred, "."), pred);
    return py_obj_value(out, what) ? RNN_OK : py_eval_fail(why, n, "out of memory");
}

/* A numpy method of predictions (pred.SPLIT or its classes): round and argmax decide the classes;
 * astype, flatten, ravel, squeeze, reshape and tolist keep them as they are. *handled false: not a
 * method of predictions. */
static int pred_method(const rnn_value *v, const char *method, rnn_value *out, bool *handled, char *why, size_t n)
{
    static const char *const same[] = {"astype", "flatten", "ravel", "squeeze", "reshape", "tolist", "numpy", NULL};
    const char *pred = py_obj_is(v, "pred.");
    *handled = pred != NULL;
    if (!pred) return RNN_OK;
    if (!strcmp(method, "round") || !strcmp(method, "argmax")) return pred_classes(pred, out, why, n);
    for (int i = 0; same[i]; i++)
        if (!strcmp(method, same[i])) return rnn_value_copy(out, v) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    return py_eval_fail(why, n, "the method .%s() of predictions is not something rnnlab computes", method);
}

/* np.argmax(y_pred, axis=1), np.round(y_pred), np.where(y_pred > 0.5, 1, 0), np.squeeze(y_pred) of
 * predictions. *handled false: not a numpy function of predictions. */
static int pred_numpy(const char *name, const rnn_value *args, int npos, rnn_value *out, bool *handled, char *why, size_t n)
{
    const char *pred = npos >= 1 ? py_obj_is(&args[0], "pred.") : NULL;
    *handled = pred && (!strncmp(name, "np.", 3) || !strncmp(name, "numpy.", 6));
    if (!*handled) return RNN_OK;
    const char *f = py_basename(name);
    if (!strcmp(f, "argmax") || !strcmp(f, "round") || !strcmp(f, "rint") || !strcmp(f, "around"))
        return pred_classes(pred, out, why, n);
    if (!strcmp(f, "where") && strstr(pred, ".classes") && npos == 3) return pred_classes(pred, out, why, n);
    if (!strcmp(f, "squeeze") || !strcmp(f, "ravel") || !strcmp(f, "asarray"))
        return rnn_value_copy(out, &args[0]) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    return py_eval_fail(why, n, "%s() of predictions is not something rnnlab computes", name);
}

/* texts_to_sequences(['a new text', ...]): the texts themselves, held as the call "\x01texts"(LIST)
 * that pad_sequences keeps and model.predict predicts through the session's tokenizer and padding. */
static int new_texts(const rnn_value *list, rnn_value *out, char *why, size_t n)
{
    for (int i = 0; i < list->n_items; i++)
        if (list->items[i].type != RNN_VAL_STRING) return py_eval_fail(why, n, "texts_to_sequences of a list that is not of texts");
    rnn_value copy;
    if (!rnn_value_copy(&copy, list) || !py_obj_call(out, "texts", &copy, 1)) return py_eval_fail(why, n, "out of memory");
    return RNN_OK;
}

bool py_names_model(app_state *s, const char *name)
{
    const rnn_value *v = py_lookup(py_session_get(s), name);
    return v ? py_obj_is(v, "model") != NULL : !strcmp(name, "model") && s->model;
}

void py_count_params(app_state *s, rnn_value *out)
{
    set_number(out, (double)rnn_model_n_params(s->model), true);
}

/* model.count_params() inside an expression. */
static int eval_count_params(app_state *s, const rnn_call *c, rnn_value *out, bool *handled, char *why, size_t n)
{
    const char *dot = strrchr(c->name, '.');
    char recv[128];
    snprintf(recv, sizeof recv, "%.*s", dot ? (int)(dot - c->name) : 0, c->name);
    *handled = dot && c->n_args == 0 && !strcmp(dot + 1, "count_params") && py_names_model(s, recv);
    if (!*handled) return RNN_OK;
    if (!s->model) return py_eval_fail(why, n, "no model: build one first");
    py_count_params(s, out);
    return RNN_OK;
}

/* re.escape(text): Python 3.7's, a backslash before each of ()[]{}?*+-|^$\.&~# and whitespace. */
static int re_escape(const char *text, rnn_value *out, char *why, size_t n)
{
    size_t len = strlen(text);
    char *e = len < (1u << 24) ? malloc(2 * len + 1) : NULL;
    if (!e) return py_eval_fail(why, n, "re.escape of a text of %zu bytes (at most 16 MB)", len);
    size_t k = 0;
    for (const char *p = text; *p; p++) {
        if (strchr("()[]{}?*+-|^$\\.&~# \t\n\r\v\f", *p)) e[k++] = '\\';
        e[k++] = *p;
    }
    e[k] = 0;
    out->type = RNN_VAL_STRING;
    out->string = e;
    return RNN_OK;
}

static int take_text(rnn_strbuf *text, int rc, rnn_value *out, char *why, size_t n);

/* os.path.join(a, *p) as Python's posixpath: a part that starts with '/' starts the path again,
 * and '/' joins two parts unless the path ends in one already. */
static int path_join(const rnn_value *args, int npos, rnn_value *out, char *why, size_t n)
{
    rnn_strbuf path = {0};
    for (int i = 0; i < npos; i++) {
        if (args[i].type != RNN_VAL_STRING) {
            free(path.s);
            return py_eval_fail(why, n, "os.path.join() of a value that is not a text");
        }
        const char *p = args[i].string;
        if (p[0] == '/' && path.s) path.s[path.len = 0] = 0;
        else if (path.len && path.s[path.len - 1] != '/') rnn_strbuf_put(&path, "/", 1);
        rnn_strbuf_put(&path, p, strlen(p));
    }
    return take_text(&path, RNN_OK, out, why, n);
}

/* next(iter(ds)): a pipeline's first element; next(iter(a_list)): its first item. */
static int first_item(app_state *s, const rnn_value *v, rnn_value *out, char *why, size_t n)
{
    rnn_value taken = {0}, one = {.type = RNN_VAL_NUMBER, .number = 1, .is_integer = true};
    char *no_key = NULL;
    rnn_call take = {.name = "take", .n_args = 1, .keys = &no_key, .args = &one};
    bool handled;
    int rc = py_tfdata_method(s, v, "take", &take, &taken, &handled, why, n);
    if (!handled) rc = rnn_value_copy(&taken, v) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    if (!rc && taken.type != RNN_VAL_LIST) rc = py_eval_fail(why, n, "next(iter(...)) of a value rnnlab does not hold as a list");
    if (!rc && taken.n_items == 0) rc = py_eval_fail(why, n, "StopIteration: it has no items");
    if (!rc) {
        *out = taken.items[0];
        memset(&taken.items[0], 0, sizeof taken.items[0]);
    }
    rnn_value_free(&taken);
    return rc;
}

/* The calls eval_pure_call computes from their arguments alone, which a statement binds as it binds
 * any value. */
bool py_is_value_call(const char *name)
{
    static const char *const names[] = {"len", "int", "float", "str", "range", "list", "np.array", "numpy.array",
                                        "np.asarray", "re.escape", "os.path.join", "next", NULL};
    return py_name_in(name, names);
}

/* Calls that compute a value: len, int, float, str, np.array (the data as it is), list, tuple,
 * texts_to_sequences of the data set's texts, model.count_params(). *handled false: a call to keep
 * as it is. */
static int eval_pure_call(app_state *s, const rnn_call *c, const rnn_value *args, rnn_value *out, bool *handled,
                          char *why, size_t n)
{
    const char *b = py_basename(c->name);
    int npos = 0;
    for (int i = 0; i < c->n_args; i++) npos += c->keys[i] == NULL;
    *handled = true;
    if (strcmp(c->name, "len") == 0 && npos == 1) return eval_len(s, &args[0], out, why, n);
    int rc_params = eval_count_params(s, c, out, handled, why, n);
    if (*handled) return rc_params;
    *handled = true;
    if ((strcmp(c->name, "int") == 0 || strcmp(c->name, "float") == 0) && npos == 1) {
        const rnn_value *a = &args[0];
        double x;
        if (a->type == RNN_VAL_NUMBER || a->type == RNN_VAL_BOOL) x = a->number;
        else if (a->type == RNN_VAL_STRING && str_to_double(a->string, &x)) {}
        else return py_eval_fail(why, n, "%s() of a value that is not a number", c->name);
        if (c->name[0] == 'i') x = trunc(x);
        set_number(out, x, c->name[0] == 'i');
        return RNN_OK;
    }
    if (strcmp(c->name, "re.escape") == 0 && npos == 1 && args[0].type == RNN_VAL_STRING)
        return re_escape(args[0].string, out, why, n);
    if (strcmp(c->name, "os.path.join") == 0 && npos >= 1 && npos == c->n_args) return path_join(args, npos, out, why, n);
    if (strcmp(c->name, "next") == 0 && npos == 1 && args[0].type == RNN_VAL_CALL && !strcmp(args[0].call->name, "iter") &&
        args[0].call->n_args == 1)
        return first_item(s, &args[0].call->args[0], out, why, n);
    if (strcmp(c->name, "str") == 0 && npos == 1 && args[0].type == RNN_VAL_NUMBER) {
        char buf[64];
        if (!py_value_text(&args[0], buf, sizeof buf)) return py_eval_fail(why, n, "str() of this value");
        out->type = RNN_VAL_STRING;
        return (out->string = strdup(buf)) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    if (strcmp(c->name, "range") == 0 && npos >= 1 && npos <= 2 && args[0].type == RNN_VAL_NUMBER &&
        (npos == 1 || args[1].type == RNN_VAL_NUMBER)) {
        long lo = npos == 2 ? (long)args[0].number : 0, hi = (long)args[npos - 1].number;
        if (hi - lo > 1000000) return py_eval_fail(why, n, "range() of more than 1,000,000 numbers");
        out->type = RNN_VAL_LIST;
        if (hi > lo && !(out->items = calloc((size_t)(hi - lo), sizeof *out->items))) return py_eval_fail(why, n, "out of memory");
        for (long i = lo; i < hi; i++) set_number(&out->items[out->n_items++], (double)i, true);
        return RNN_OK;
    }
    if ((strcmp(c->name, "np.array") == 0 || strcmp(c->name, "numpy.array") == 0 || strcmp(c->name, "np.asarray") == 0 ||
         strcmp(c->name, "list") == 0 || strcmp(c->name, "tf.constant") == 0) && npos == 1)
        return rnn_value_copy(out, &args[0]) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    if (strcmp(b, "texts_to_sequences") == 0 && npos == 1 && args[0].type == RNN_VAL_LIST)
        return new_texts(&args[0], out, why, n);
    int rc = pred_numpy(c->name, args, npos, out, handled, why, n);
    if (*handled) return rc;
    *handled = true;
    rnn_value loaded = {0};
    if (strcmp(b, "texts_to_sequences") == 0 && npos == 1 && py_obj_is(&args[0], "frame.")) {
        /* texts_to_sequences(df['review']): the file loaded whole */
        if ((rc = py_frame_data(s, &args[0], &loaded, why, n))) return rc;
        args = &loaded;
    }
    if (strcmp(b, "texts_to_sequences") == 0 && npos == 1 && py_obj_is(&args[0], "data.")) {
        const char *o = py_obj_is(&args[0], "data.");
        char what[64];
        snprintf(what, sizeof what, "data.%.*s.ids", (int)strcspn(o, "."), o);
        rnn_value_free(&loaded);
        return py_obj_value(out, what) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    *handled = false;
    return RNN_OK;
}

static int eval_name(app_state *s, const char *name, rnn_value *out, char *why, size_t n);

/* history.history.keys(): the names of the last fit's history, in its order. */
static int history_keys(app_state *s, rnn_value *out, char *why, size_t n)
{
    if (s->n_runs == 0) return py_eval_fail(why, n, "no fit has run");
    const rnn_history *h = &s->runs[s->n_runs - 1].hist;
    out->type = RNN_VAL_LIST;
    if (!(out->items = calloc(h->n_metrics ? (size_t)h->n_metrics : 1, sizeof *out->items)))
        return py_eval_fail(why, n, "out of memory");
    for (int i = 0; i < h->n_metrics; i++) {
        out->items[i].type = RNN_VAL_STRING;
        if (!(out->items[i].string = strdup(h->names[i]))) return py_eval_fail(why, n, "out of memory");
        out->n_items++;
    }
    return RNN_OK;
}

/* Whether v is a value whose methods value_method computes. */
static bool has_value_methods(const rnn_value *v)
{
    return py_obj_is(v, "pred.") || py_obj_is(v, "frame") || py_obj_is(v, "tfdata.") || py_is_textvec(v) ||
           py_obj_is(v, "history.history") || py_array_kind(v, NULL) || v->type == RNN_VAL_STRING ||
           (v->type == RNN_VAL_CALL && !strcmp(py_basename(v->call->name), "LabelEncoder"));
}

/* A method of a value rnnlab holds: of predictions, of the DataFrame and its columns, of a
 * pipeline, a TextVectorization, a tensor, a text, a LabelEncoder, a fit's history (args evaluated);
 * *handled false for any other. */
static int value_method(app_state *s, const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out,
                        bool *handled, char *why, size_t n)
{
    int rc = pred_method(v, method, out, handled, why, n);
    if (!*handled) rc = py_frame_method(s, v, method, args, out, handled, why, n);
    if (!*handled) rc = py_tfdata_method(s, v, method, args, out, handled, why, n);
    if (!*handled) rc = py_textvec_method(s, v, method, args, out, handled, why, n);
    if (!*handled) rc = py_array_method(v, method, args, out, handled, why, n);
    if (!*handled) rc = py_str_method(v, method, args, out, handled, why, n);
    if (!*handled && py_obj_is(v, "history.history") && !strcmp(method, "keys") && (!args || !args->n_args)) {
        *handled = true;
        rc = history_keys(s, out, why, n);
    }
    if (!*handled && v->type == RNN_VAL_CALL && !strcmp(py_basename(v->call->name), "LabelEncoder") &&
        (!strcmp(method, "fit_transform") || !strcmp(method, "transform"))) {
        *handled = true;
        if (!args || args->n_args != 1) return py_eval_fail(why, n, "%s: expected one column", method);
        rc = py_frame_encode(&args->args[0], out, why, n);
    }
    return rc;
}

int py_skipped_receiver(app_state *s, const char *name, char *why, size_t n)
{
    char first[128];
    size_t head = strcspn(name, ".");
    snprintf(first, sizeof first, "%.*s", (int)(head < sizeof first ? head : sizeof first - 1), name);
    const rnn_value *v = py_lookup(py_session_get(s), first);
    const char *skipped = v ? py_obj_is(v, "skipped.") : NULL;
    return skipped ? py_eval_fail(why, n, "uses %s, made by the statement skipped %s", first, skipped) : RNN_OK;
}

/* NAME.method(...) where NAME (dotted or not) holds a value with methods; *handled false otherwise. */
static int eval_method_call(app_state *s, const rnn_call *c, rnn_value *out, bool *handled, char *why, size_t n)
{
    const char *dot = strrchr(c->name, '.');
    *handled = false;
    if (!dot || dot - c->name >= 128) return RNN_OK;
    char recv[128], first[128];
    snprintf(recv, sizeof recv, "%.*s", (int)(dot - c->name), c->name);
    snprintf(first, sizeof first, "%.*s", (int)strcspn(recv, "."), recv);
    if (!py_lookup(py_session_get(s), first)) return RNN_OK;
    if (py_skipped_receiver(s, recv, why, n) != RNN_OK) {
        *handled = true;
        return RNN_EUSAGE;
    }
    rnn_value v = {0}, args = {0};
    rnn_value wrapped = {.type = RNN_VAL_LIST, .n_items = c->n_args, .items = c->args};
    if (eval_name(s, recv, &v, why, n) != RNN_OK || !has_value_methods(&v)) {
        rnn_value_free(&v);
        return RNN_OK;
    }
    bool have_args = py_eval(s, &wrapped, &args, why, n) == RNN_OK;   /* astype(int): no value for int */
    rnn_call evaluated = {.name = c->name, .n_args = args.n_items, .args = args.items, .keys = c->keys};
    int rc = value_method(s, &v, dot + 1, have_args ? &evaluated : NULL, out, handled, why, n);
    if (!*handled) rc = py_eval_fail(why, n, "the method .%s() is not something rnnlab computes", dot + 1);
    *handled = true;
    rnn_value_free(&v);
    rnn_value_free(&args);
    return rc;
}

static int eval_apply(const rnn_value *callee, const rnn_call *args, rnn_value *out, char *why, size_t n);

/* vectorize_layer(inputs) and model(indices) of an end-to-end model: the adapted TextVectorization
 * or the session's model (the session object model) applied to a functional tensor.
 * *handled false for any other call. */
static int eval_apply_named(app_state *s, const rnn_call *c, rnn_value *out, bool *handled, char *why, size_t n)
{
    const rnn_value *bound = strchr(c->name, '.') ? NULL : py_lookup(py_session_get(s), c->name);
    bool tv = py_is_textvec(bound), model = py_names_model(s, c->name);
    *handled = (tv || model) && c->n_args == 1 && !c->keys[0];
    if (!*handled) return RNN_OK;
    rnn_value t = {0}, callee = {0};
    int rc = py_eval(s, &c->args[0], &t, why, n);
    if (!rc && !(t.type == RNN_VAL_CALL && !strcmp(t.call->name, "\001tensor"))) {
        *handled = false;   /* a call of the layer on data: not a model step */
        rnn_value_free(&t);
        return RNN_OK;
    }
    if (!rc && !(tv ? rnn_value_copy(&callee, bound) : py_obj_value(&callee, "model"))) rc = py_eval_fail(why, n, "out of memory");
    rnn_call args = {.n_args = 1, .keys = (char *[]){NULL}, .args = &t};
    if (!rc) rc = eval_apply(&callee, &args, out, why, n);
    rnn_value_free(&t);
    rnn_value_free(&callee);
    return rc;
}

static int eval_call(app_state *s, const rnn_call *c, rnn_value *out, char *why, size_t n)
{
    bool method;
    int mrc = eval_method_call(s, c, out, &method, why, n);
    if (method) return mrc;
    mrc = eval_apply_named(s, c, out, &method, why, n);
    if (method) return mrc;
    /* a method of a name bound to a value: tokenizer.texts_to_sequences(...) */
    rnn_call *copy = calloc(1, sizeof *copy);
    if (!copy || !(copy->name = strdup(c->name))) { free(copy); return py_eval_fail(why, n, "out of memory"); }
    out->type = RNN_VAL_CALL;
    out->call = copy;
    if (c->n_args) {
        copy->keys = calloc((size_t)c->n_args, sizeof *copy->keys);
        copy->args = calloc((size_t)c->n_args, sizeof *copy->args);
        if (!copy->keys || !copy->args) return py_eval_fail(why, n, "out of memory");
    }
    for (int i = 0; i < c->n_args; i++) {
        copy->n_args++;
        if (c->keys[i] && !(copy->keys[i] = strdup(c->keys[i]))) return py_eval_fail(why, n, "out of memory");
        int rc = py_eval(s, &c->args[i], &copy->args[i], why, n);
        if (rc) return rc;
    }
    bool handled;
    rnn_value result = {0};
    int rc = eval_pure_call(s, copy, copy->args, &result, &handled, why, n);
    if (rc || handled) {
        rnn_value_free(out);
        memset(out, 0, sizeof *out);
        if (!rc) *out = result;
        else rnn_value_free(&result);
    }
    return rc;
}

/* Applies a layer to a functional tensor: layers.Dense(1)(x) */
static int eval_apply(const rnn_value *callee, const rnn_call *args, rnn_value *out, char *why, size_t n)
{
    const rnn_value *t = args->n_args == 1 && !args->keys[0] ? &args->args[0] : NULL;
    if ((callee->type != RNN_VAL_CALL && !py_obj_is(callee, "model")) || !t || t->type != RNN_VAL_CALL ||
        strcmp(t->call->name, "\001tensor") != 0)
        return py_eval_fail(why, n, "only a layer applied to one tensor, as layers.Dense(1)(x), is a functional model step");
    if (!rnn_value_copy(out, t)) return py_eval_fail(why, n, "out of memory");
    rnn_call *c = out->call;
    rnn_value *args2 = realloc(c->args, sizeof *args2 * (size_t)(c->n_args + 1));
    char **keys2 = realloc(c->keys, sizeof *keys2 * (size_t)(c->n_args + 1));
    if (args2) c->args = args2;
    if (keys2) c->keys = keys2;
    if (!args2 || !keys2 || !rnn_value_copy(&c->args[c->n_args], callee)) return py_eval_fail(why, n, "out of memory");
    c->keys[c->n_args++] = NULL;
    return RNN_OK;
}

/* The text built (rc RNN_OK) as the string *out, or rc with the text freed. */
static int take_text(rnn_strbuf *text, int rc, rnn_value *out, char *why, size_t n)
{
    if (!rc && text->oom) rc = py_eval_fail(why, n, "out of memory");
    if (!rc && !text->s && !(text->s = strdup(""))) rc = py_eval_fail(why, n, "out of memory");
    if (rc) {
        free(text->s);
        return rc;
    }
    out->type = RNN_VAL_STRING;
    out->string = text->s;
    return RNN_OK;
}

/* str.format with positional fields: {} {0} {:d} {:.2f} {:>5} {!r} (Python's format spec). */
static int eval_format(const char *fmt, const rnn_call *args, rnn_value *out, char *why, size_t n)
{
    rnn_strbuf text = {0};
    int next = 0, rc = RNN_OK;
    for (const char *p = fmt; *p && !rc; p++) {
        if ((*p == '{' && p[1] == '{') || (*p == '}' && p[1] == '}')) { rnn_strbuf_put(&text, p++, 1); continue; }
        if (*p != '{') { rnn_strbuf_put(&text, p, 1); continue; }
        const char *close = strchr(p, '}');
        if (!close) { rc = py_eval_fail(why, n, ".format: unbalanced '{'"); break; }
        int idx = next++;
        const char *q = p + 1;
        if (isdigit((unsigned char)*q)) idx = (int)strtol(q, (char **)&q, 10);
        char conv[2] = "";
        if (*q == '!' && q[1] && strchr("rsa", q[1])) { conv[0] = q[1]; q += 2; }
        if (*q != ':' && *q != '}') { rc = py_eval_fail(why, n, ".format: named fields are not supported"); break; }
        char spec[64] = "";
        if (*q == ':') {
            if ((size_t)(close - q - 1) >= sizeof spec) { rc = py_eval_fail(why, n, ".format: a format spec that long"); break; }
            memcpy(spec, q + 1, (size_t)(close - q - 1));
        }
        const rnn_value *v = idx >= 0 && idx < args->n_args && !args->keys[idx] ? &args->args[idx] : NULL;
        char item[1024];
        if (!v) rc = py_eval_fail(why, n, ".format: no argument %d", idx);
        else if (!(rc = py_format_value(v, spec, conv, item, sizeof item, why, n))) rnn_strbuf_put(&text, item, strlen(item));
        p = close;
    }
    return take_text(&text, rc, out, why, n);
}

/* f'...': its literal pieces and its fields, each field's expression formatted by its spec. */
static int eval_fstring(app_state *s, const rnn_value *e, rnn_value *out, char *why, size_t n)
{
    rnn_strbuf text = {0};
    int rc = RNN_OK;
    for (int i = 0; i < e->n_items && !rc; i++) {
        const rnn_value *it = &e->items[i];
        if (it->type == RNN_VAL_STRING) {
            rnn_strbuf_put(&text, it->string, strlen(it->string));
            continue;
        }
        rnn_value v = {0};
        char item[1024];
        if (!(rc = py_eval(s, &it->items[0], &v, why, n)) &&
            !(rc = py_format_value(&v, it->items[1].string, it->items[2].string, item, sizeof item, why, n)))
            rnn_strbuf_put(&text, item, strlen(item));
        rnn_value_free(&v);
    }
    return take_text(&text, rc, out, why, n);
}

/* df['review'] (a column), df[['review', 'sentiment']] (the DataFrame: rnnlab reads two columns anyway). */
static int eval_frame_subscript(app_state *s, const rnn_value *frame, const rnn_value *idx, rnn_value *out, char *why, size_t n)
{
    if (idx->type == RNN_VAL_STRING) return py_frame_column(s, idx->string, out, why, n);
    if (idx->type == RNN_VAL_LIST) {
        for (int i = 0; i < idx->n_items; i++) {
            rnn_value col = {0};
            int rc = idx->items[i].type == RNN_VAL_STRING ? py_frame_column(s, idx->items[i].string, &col, why, n)
                                                          : py_eval_fail(why, n, "expected column names");
            rnn_value_free(&col);
            if (rc) return rc;
        }
        return rnn_value_copy(out, frame) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    return py_eval_fail(why, n, "the DataFrame's rows are not something rnnlab subscripts (it loads every row)");
}

static int eval_expr(app_state *s, const rnn_value *e, rnn_value *out, char *why, size_t n)
{
    rnn_value a = {0}, b = {0};
    int rc = RNN_OK;
    const char *op = e->string;
    if (strcmp(op, "lambda") == 0)   /* a function is a value: .map(lambda text, label: text) reads it */
        return rnn_value_copy(out, e) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    if (strcmp(op, "()") == 0 && e->items[0].type == RNN_VAL_EXPR && !strcmp(e->items[0].string, ".") &&
        !strcmp(e->items[0].items[1].string, "format")) {
        /* 'text {} {:d} {:.2f}'.format(...) */
        if (!(rc = py_eval(s, &e->items[0].items[0], &a, why, n))) {
            rnn_value args = {0};
            if (a.type != RNN_VAL_STRING) rc = py_eval_fail(why, n, ".format of a value that is not a string");
            else if (!(rc = py_eval(s, &e->items[1], &args, why, n))) rc = eval_format(a.string, args.call, out, why, n);
            rnn_value_free(&args);
        }
    } else if (strcmp(op, "()") == 0 && e->items[0].type == RNN_VAL_EXPR && !strcmp(e->items[0].string, ".")) {
        /* (y_pred > 0.5).astype('int32'), df['label'].map({...}): a method of a value */
        bool handled = false;
        if (!(rc = py_eval(s, &e->items[0].items[0], &a, why, n))) {
            /* arguments rnnlab has no value for (astype(int)) matter to no method it runs */
            bool args = py_eval(s, &e->items[1], &b, why, n) == RNN_OK;
            rc = value_method(s, &a, e->items[0].items[1].string, args ? b.call : NULL, out, &handled, why, n);
        }
        if (!rc && !handled && a.type == RNN_VAL_CALL)  /* b.shuffle(3).batch(4), b skipped */
            rc = py_skipped_receiver(s, a.call->name, why, n);
        if (!rc && !handled) rc = py_eval_fail(why, n, "the method .%s() is not something rnnlab computes", e->items[0].items[1].string);
    } else if (strcmp(op, "()") == 0) {
        if (!(rc = py_eval(s, &e->items[0], &a, why, n))) {
            rnn_value args = {0};
            if (!(rc = py_eval(s, &e->items[1], &args, why, n))) rc = eval_apply(&a, args.call, out, why, n);
            rnn_value_free(&args);
        }
    } else if (strcmp(op, ".") == 0) {
        if (!(rc = py_eval(s, &e->items[0], &a, why, n))) rc = eval_attr(s, &a, e->items[1].string, out, why, n);
    } else if (strcmp(op, "f") == 0) {
        rc = eval_fstring(s, e, out, why, n);
    } else if (strcmp(op, "neg") == 0) {
        if (!(rc = py_eval(s, &e->items[0], &a, why, n))) {
            if (a.type != RNN_VAL_NUMBER) rc = py_eval_fail(why, n, "'-' of a value that is not a number");
            else set_number(out, -a.number, a.is_integer);
        }
    } else if (strcmp(op, ":") == 0) {
        out->type = RNN_VAL_EXPR;
        if (!(out->string = strdup(":")) || !(out->items = calloc(2, sizeof *out->items))) return py_eval_fail(why, n, "out of memory");
        for (int i = 0; i < e->n_items && !rc; i++, out->n_items++)
            rc = py_eval(s, &e->items[i], &out->items[i], why, n);
    } else {
        if (!(rc = py_eval(s, &e->items[0], &a, why, n)) && !(rc = py_eval(s, &e->items[1], &b, why, n)))
            rc = strcmp(op, "[]") == 0 && py_obj_is(&a, "frame") && !strcmp(a.string + 1, "frame")
                     ? eval_frame_subscript(s, &a, &b, out, why, n)
                 : strcmp(op, "[]") == 0 && (py_obj_is(&a, "history.history") || py_obj_is(&a, "curve."))
                     ? eval_history_subscript(s, &a, &b, out, why, n)
                 : strcmp(op, "[]") == 0 ? eval_subscript(&a, &b, out, why, n)
                 : is_comparison(op)    ? eval_compare(op, &a, &b, out, why, n)
                                        : eval_arith(op, &a, &b, out, why, n);
    }
    rnn_value_free(&a);
    rnn_value_free(&b);
    return rc;
}

/* A name, dotted or not: a bound name and its attributes, or a name of Keras's own. */
static int eval_name(app_state *s, const char *name, rnn_value *out, char *why, size_t n)
{
    py_session *ps = py_session_get(s);
    size_t head = strcspn(name, ".");
    char first[128];
    snprintf(first, sizeof first, "%.*s", (int)(head < sizeof first ? head : sizeof first - 1), name);
    const rnn_value *v = py_lookup(ps, first);
    if (py_skipped_receiver(s, name, why, n) != RNN_OK) return RNN_EUSAGE;
    if (v) {
        if (!rnn_value_copy(out, v)) return py_eval_fail(why, n, "out of memory");
        for (const char *p = name + head; *p == '.';) {
            const char *a = p + 1;
            size_t len = strcspn(a, ".");
            char attr[128];
            snprintf(attr, sizeof attr, "%.*s", (int)(len < sizeof attr ? len : sizeof attr - 1), a);
            rnn_value next = {0};
            int rc = eval_attr(s, out, attr, &next, why, n);
            rnn_value_free(out);
            *out = next;
            if (rc) return rc;
            p = a + len;
        }
        return RNN_OK;
    }
    if (strcmp(name, "None") == 0) { out->type = RNN_VAL_NONE; return RNN_OK; }
    if (py_find_func(ps, name)) {   /* a def, passed by its name (.map(vectorize_text)) */
        out->type = RNN_VAL_IDENT;
        return (out->string = strdup(name)) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    if (strcmp(name, "string.punctuation") == 0) {   /* Python's, the class TextVectorization strips */
        out->type = RNN_VAL_STRING;
        return (out->string = strdup("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    if (strstr(name, "__version__")) return py_eval_fail(why, n, "%s: rnnlab runs no TensorFlow or Keras (rnnlab --version)", name);
    if (is_keras_path(name) || strncmp(name, "np.", 3) == 0) {
        /* loss=tf.keras.losses.binary_crossentropy: Keras's function, by its name */
        out->type = RNN_VAL_IDENT;
        return (out->string = strdup(strncmp(name, "np.", 3) == 0 ? name : py_basename(name))) ? RNN_OK
               : py_eval_fail(why, n, "out of memory");
    }
    return py_eval_fail(why, n, "name '%s' is not defined", first);
}

int py_eval(app_state *s, const rnn_value *e, rnn_value *out, char *why, size_t n)
{
    memset(out, 0, sizeof *out);
    int rc;
    switch (e->type) {
    case RNN_VAL_IDENT:
        if (e->string[0] == PY_OBJ) return rnn_value_copy(out, e) ? RNN_OK : py_eval_fail(why, n, "out of memory");
        rc = eval_name(s, e->string, out, why, n);
        break;
    case RNN_VAL_CALL: rc = eval_call(s, e->call, out, why, n); break;
    case RNN_VAL_EXPR: rc = eval_expr(s, e, out, why, n); break;
    case RNN_VAL_LIST:
    case RNN_VAL_DICT:
        out->type = e->type;
        out->is_tuple = e->is_tuple;
        if (e->n_items && !(out->items = calloc((size_t)e->n_items, sizeof *out->items))) return py_eval_fail(why, n, "out of memory");
        rc = RNN_OK;
        for (int i = 0; i < e->n_items && !rc; i++, out->n_items++) rc = py_eval(s, &e->items[i], &out->items[i], why, n);
        break;
    default:
        return rnn_value_copy(out, e) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    if (rc) {
        rnn_value_free(out);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* ---- text ---- */

typedef struct text_buf { char *p; size_t n, used; bool ok; } text_buf;

static void tb_put(text_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_put(text_buf *t, const char *fmt, ...)
{
    if (!t->ok) return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(t->p + t->used, t->n - t->used, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= t->n - t->used) t->ok = false;
    else t->used += (size_t)w;
}

/* Python's repr() of a str: in '...' unless it holds ' and no ", the quote and \ escaped, \t \n
 * \r, other characters str.isprintable() is false for as \xhh, \uhhhh or \Uhhhhhhhh (an
 * invalid UTF-8 byte shows as the U+FFFD it reads as). */
static void string_repr(text_buf *t, const char *s)
{
    char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    size_t len = strlen(s);
    tb_put(t, "%c", q);
    for (size_t i = 0; i < len && t->ok;) {
        uint32_t cp;
        int k = rnn_utf8_decode(s + i, len - i, &cp);
        if (cp == (uint32_t)q || cp == '\\') tb_put(t, "\\%c", (char)cp);
        else if (cp == '\t') tb_put(t, "\\t");
        else if (cp == '\n') tb_put(t, "\\n");
        else if (cp == '\r') tb_put(t, "\\r");
        else if (!rnn_unicode_printable(cp))
            tb_put(t, cp < 0x100 ? "\\x%02x" : cp < 0x10000 ? "\\u%04x" : "\\U%08x", (unsigned)cp);
        else if (cp == 0xFFFD && !(k == 3 && !memcmp(s + i, "\xef\xbf\xbd", 3)))
            tb_put(t, "\xef\xbf\xbd");
        else
            tb_put(t, "%.*s", k, s + i);
        i += (size_t)k;
    }
    tb_put(t, "%c", q);
}

static void value_text(text_buf *t, const rnn_value *v)
{
    switch (v->type) {
    case RNN_VAL_NONE: tb_put(t, "None"); break;
    case RNN_VAL_BOOL: tb_put(t, "%s", v->number ? "True" : "False"); break;
    case RNN_VAL_NUMBER:
        if (v->is_integer && fabs(v->number) < 1e15) tb_put(t, "%.0f", v->number);
        else {
            char buf[40];
            snprintf(buf, sizeof buf, "%.17g", v->number);
            double back = atof(buf);
            for (int prec = 1; prec <= 17; prec++) {   /* the shortest spelling that reads back */
                snprintf(buf, sizeof buf, "%.*g", prec, v->number);
                if (atof(buf) == v->number) break;
            }
            (void)back;
            tb_put(t, "%s%s", buf, strpbrk(buf, ".eEn") ? "" : ".0");
        }
        break;
    case RNN_VAL_STRING: string_repr(t, v->string); break;
    case RNN_VAL_IDENT:
        if (v->string[0] == PY_OBJ) t->ok = false;
        else tb_put(t, "%s", v->string);
        break;
    case RNN_VAL_CALL:
        if (py_array_kind(v, NULL)) {
            char *text = py_array_text(v);
            if (text) tb_put(t, "%s", text);
            else t->ok = false;
            free(text);
            break;
        }
        tb_put(t, "%s(", v->call->name);
        for (int i = 0; i < v->call->n_args; i++) {
            tb_put(t, "%s", i ? ", " : "");
            if (v->call->keys[i]) tb_put(t, "%s=", v->call->keys[i]);
            value_text(t, &v->call->args[i]);
        }
        tb_put(t, ")");
        break;
    case RNN_VAL_LIST:
        tb_put(t, "%s", v->is_tuple ? "(" : "[");
        for (int i = 0; i < v->n_items; i++) {
            tb_put(t, "%s", i ? ", " : "");
            value_text(t, &v->items[i]);
        }
        tb_put(t, "%s", v->is_tuple ? (v->n_items == 1 ? ",)" : ")") : "]");
        break;
    case RNN_VAL_DICT:
        tb_put(t, "{");
        for (int i = 0; i + 1 < v->n_items; i += 2) {
            tb_put(t, "%s", i ? ", " : "");
            value_text(t, &v->items[i]);
            tb_put(t, ": ");
            value_text(t, &v->items[i + 1]);
        }
        tb_put(t, "}");
        break;
    case RNN_VAL_EXPR: t->ok = false; break;
    }
}

bool py_value_text(const rnn_value *v, char *buf, size_t n)
{
    text_buf t = {buf, n, 0, n > 0};
    if (n) buf[0] = 0;
    value_text(&t, v);
    return t.ok;
}

char *py_value_text_alloc(const rnn_value *v, size_t max)
{
    for (size_t n = 4096;; n *= 4) {
        size_t cap = n < max ? n : max;
        char *text = malloc(cap);
        if (!text || py_value_text(v, text, cap)) return text;
        free(text);
        if (cap == max) return NULL;
    }
}
