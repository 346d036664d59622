/* pandas and scikit-learn data idioms of Keras tutorials: df = pd.read_csv(FILE) of a CSV file
 * (or of the SMS Spam Collection rnnlab knows), its columns (df['review'], df.review, .values,
 * .map({'positive': 1, 'negative': 0}), LabelEncoder) and train_test_split(X, y, test_size=0.2,
 * random_state=42), run as `load csv FILE text=COL label=COL test_split=F seed=N` (or `load sms`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "app/internal.h"
#include "app/python.h"

static py_frame *frame_of(app_state *s)
{
    py_session *ps = py_session_get(s);
    return ps && ps->frame.path ? &ps->frame : NULL;
}

void py_frame_free(py_frame *f)
{
    for (int i = 0; i < f->n_cols; i++) free(f->cols[i].name);
    free(f->cols);
    free(f->path);
    memset(f, 0, sizeof *f);
}

static bool frame_add_col(py_frame *f, const char *name, int index, bool codes)
{
    py_frame_col *c = realloc(f->cols, sizeof *c * (size_t)(f->n_cols + 1));
    if (!c) return false;
    f->cols = c;
    if (!(c[f->n_cols].name = strdup(name))) return false;
    c[f->n_cols].index = index;
    c[f->n_cols++].codes = codes;
    return true;
}

static py_frame_col *frame_col(py_frame *f, const char *name)
{
    for (int i = f->n_cols - 1; i >= 0; i--)
        if (!strcmp(f->cols[i].name, name)) return &f->cols[i];
    return NULL;
}

/* ---- pd.read_csv ---- */

/* The SMS Spam Collection under the names tutorials read it by: its raw tab-separated file
 * (label, message) and Kaggle's spam.csv (v1 label, v2 message). */
static const char *const sms_raw_cols[] = {"0", "1"};
static const char *const sms_kaggle_cols[] = {"v1", "v2", "Unnamed: 2", "Unnamed: 3", "Unnamed: 4"};

static bool is_sms_name(const char *path, bool *kaggle)
{
    const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    *kaggle = !strcmp(b, "spam.csv");
    return *kaggle || !strcmp(b, "SMSSpamCollection") || !strcmp(b, "SMSSpamCollection.txt") ||
           !strcmp(b, "smsspamcollection.zip");
}

/* read_csv's keyword arguments: those that pick how the file is read, checked; the others change
 * nothing rnnlab reads. */
static int read_csv_options(app_state *s, const rnn_call *c, py_frame *f, const rnn_value **names, bool *no_header)
{
    *names = NULL;
    *no_header = false;
    for (int i = 1; i < c->n_args; i++) {
        const char *k = c->keys[i];
        const rnn_value *v = &c->args[i];
        if (!k) return py_fail(RNN_EUSAGE, "read_csv", "give the arguments after the file by keyword");
        if (!strcmp(k, "sep") || !strcmp(k, "delimiter")) {
            if (v->type != RNN_VAL_STRING || strlen(v->string) != 1 || (unsigned char)v->string[0] >= 0x80)
                return py_fail(RNN_EUSAGE, "read_csv", "%s=: rnnlab reads one ASCII character as the delimiter", k);
            f->delimiter = v->string[0];
        } else if (!strcmp(k, "header")) {
            if (v->type == RNN_VAL_NONE) *no_header = true;
            else if (!(v->type == RNN_VAL_NUMBER && v->number == 0) && !(v->type == RNN_VAL_STRING && !strcmp(v->string, "infer")))
                return py_fail(RNN_EUSAGE, "read_csv", "header=: rnnlab reads the header from the first row");
        } else if (!strcmp(k, "names")) {
            if (v->type != RNN_VAL_LIST) return py_fail(RNN_EUSAGE, "read_csv", "names=: expected a list of column names");
            *names = v;
        } else if (!strcmp(k, "encoding")) {
            if (v->type == RNN_VAL_STRING && strcasecmp(v->string, "utf-8") && strcasecmp(v->string, "utf8"))
                py_note(s, "read_csv: encoding='%s': rnnlab reads UTF-8 (each invalid byte sequence becomes U+FFFD; "
                        "load counts them)", v->string);
        } else if (strcmp(k, "engine") && strcmp(k, "quoting") && strcmp(k, "on_bad_lines") && strcmp(k, "low_memory") &&
                   strcmp(k, "index_col") && strcmp(k, "dtype"))
            return py_fail(RNN_EUSAGE, "read_csv", "%s= is not supported by rnnlab", k);
    }
    return RNN_OK;
}

/* The columns of the SMS Spam Collection, named by names= or as pandas names them. */
static int frame_sms_columns(py_frame *f, bool kaggle, const rnn_value *names)
{
    const char *const *cols = kaggle ? sms_kaggle_cols : sms_raw_cols;
    int n = kaggle ? 5 : 2;
    if (names && names->n_items != n)
        return py_fail(RNN_EUSAGE, "read_csv", "names=: the SMS Spam Collection has %d columns", n);
    for (int i = 0; i < n; i++) {
        const rnn_value *nm = names ? &names->items[i] : NULL;
        if (nm && nm->type != RNN_VAL_STRING) return py_fail(RNN_EUSAGE, "read_csv", "names=: expected strings");
        if (!frame_add_col(f, nm ? nm->string : cols[i], i, false)) return py_fail(RNN_EINTERNAL, "read_csv", "out of memory");
    }
    f->sms = true;
    return RNN_OK;
}

/* The header of a CSV file, as load csv reads it. */
static int frame_csv_columns(py_frame *f, const char *path, const rnn_value *names)
{
    char **cols = NULL;
    size_t n = 0;
    rnn_error err = {0};
    if (names) return py_fail(RNN_EUSAGE, "read_csv", "names=: rnnlab reads a CSV file's column names from its header row");
    if (rnn_csv_columns(path, f->delimiter, &cols, &n, &err)) return py_fail_err("read_csv", &err);
    int rc = RNN_OK;
    for (size_t i = 0; i < n && !rc; i++)
        if (!frame_add_col(f, cols[i], (int)i, false)) rc = py_fail(RNN_EINTERNAL, "read_csv", "out of memory");
    for (size_t i = 0; i < n; i++) free(cols[i]);
    free(cols);
    return rc;
}

int py_read_csv(app_state *s, const rnn_call *c, rnn_value *out)
{
    rnn_value args = {0};
    rnn_value wrapped = {.type = RNN_VAL_CALL, .call = (rnn_call *)c};
    char why[400];
    if (py_eval(s, &wrapped, &args, why, sizeof why)) return py_fail(RNN_EUSAGE, "read_csv", "%s", why);
    const rnn_value *path = rnn_call_arg(args.call, 0, "filepath_or_buffer"), *names = NULL;
    py_frame f = {.text_index = -1, .label_index = -1, .label_guess = -1};
    bool no_header = false, kaggle = false;
    int rc = path && path->type == RNN_VAL_STRING ? read_csv_options(s, args.call, &f, &names, &no_header)
                                                  : py_fail(RNN_EUSAGE, "read_csv", "expected a file name");
    char *local = rc ? NULL : app_input_path(path->string);
    const char *file = local ? local : rc ? NULL : path->string;
    bool sms = !rc && is_sms_name(file, &kaggle) && (!kaggle || access(file, R_OK) != 0);
    if (!rc && !(f.path = strdup(file))) rc = py_fail(RNN_EINTERNAL, "read_csv", "out of memory");
    if (!rc && sms) {
        rc = frame_sms_columns(&f, kaggle, names);
        if (!rc && access(file, R_OK) != 0) {
            free(f.path);
            f.path = strdup("");   /* rnnlab's own copy (load sms) */
            py_note(s, "read_csv: %s is the SMS Spam Collection: rnnlab loads its copy (load sms: the same 5,574 "
                    "messages, ham=0, spam=1)", path->string);
        }
    } else if (!rc && no_header)
        rc = py_fail(RNN_EUSAGE, "read_csv", "header=None: rnnlab reads CSV files with a header row naming the columns");
    else if (!rc)
        rc = frame_csv_columns(&f, file, names);
    free(local);
    rnn_value_free(&args);
    if (rc || !f.path) {
        py_frame_free(&f);
        return rc ? rc : py_fail(RNN_EINTERNAL, "read_csv", "out of memory");
    }
    py_session *ps = py_session_get(s);
    py_frame_free(&ps->frame);
    ps->frame = f;
    return py_obj_value(out, "frame") ? RNN_OK : py_fail(RNN_EINTERNAL, "read_csv", "out of memory");
}

/* ---- columns ---- */

static bool col_value(rnn_value *out, const py_frame_col *c)
{
    char what[48];
    snprintf(what, sizeof what, "frame.%d%s", c->index, c->codes ? ".codes" : "");
    return py_obj_value(out, what);
}

/* df['review'] (or df.review): the column of that name. */
int py_frame_column(app_state *s, const char *name, rnn_value *out, char *why, size_t n)
{
    py_frame *f = frame_of(s);
    py_frame_col *c = f ? frame_col(f, name) : NULL;
    if (!c) {
        char list[300] = "";
        for (int i = 0, used = 0; f && i < f->n_cols && used < (int)sizeof list - 1; i++)
            used += snprintf(list + used, sizeof list - (size_t)used, "%s'%s'", i ? ", " : "", f->cols[i].name);
        snprintf(why, n, "the DataFrame has no column '%s' (columns: %s)", name, list);
        return RNN_EUSAGE;
    }
    if (f->text_index != c->index) f->label_guess = c->index;   /* the column read last beside the texts */
    return col_value(out, c) ? RNN_OK : RNN_EINTERNAL;
}

/* The file column index of a frame.N[.codes] value, or -1. */
static int col_index(const rnn_value *v, bool *codes)
{
    const char *o = py_obj_is(v, "frame.");
    if (!o) return -1;
    if (codes) *codes = strstr(o, ".codes") != NULL;
    return atoi(o);
}

/* The name a file column had in the header (load csv's text= and label=). */
static const char *file_col_name(const py_frame *f, int index)
{
    for (int i = 0; i < f->n_cols; i++)
        if (f->cols[i].index == index) return f->cols[i].name;
    return NULL;
}

/* Labels numbered by a dict ({'positive': 1, 'negative': 0}): rnnlab numbers the classes in sorted
 * order; a dict that numbers them otherwise is said, once (the class names stay right). */
static int map_labels(app_state *s, const rnn_value *col, const rnn_value *dict, rnn_value *out, char *why, size_t n)
{
    if (dict->type != RNN_VAL_DICT) { snprintf(why, n, ".map: expected a dict of labels, e.g. {'negative': 0, 'positive': 1}"); return RNN_EUSAGE; }
    for (int i = 0; i + 1 < dict->n_items; i += 2) {
        const rnn_value *k = &dict->items[i], *v = &dict->items[i + 1];
        if (k->type != RNN_VAL_STRING || v->type != RNN_VAL_NUMBER || !v->is_integer) {
            snprintf(why, n, ".map: expected labels mapped to class numbers, e.g. {'negative': 0, 'positive': 1}");
            return RNN_EUSAGE;
        }
        int below = 0;   /* the labels sorted before this one: its number in rnnlab */
        for (int j = 0; j + 1 < dict->n_items; j += 2) below += strcmp(dict->items[j].string, k->string) < 0;
        if (below != py_long(v->number)) {
            py_note(s, ".map: rnnlab numbers the classes in sorted order ('%s' is %d, not %ld); reports name them",
                    k->string, below, py_long(v->number));
            break;
        }
    }
    char what[48];
    snprintf(what, sizeof what, "frame.%d.codes", col_index(col, NULL));
    return py_obj_value(out, what) ? RNN_OK : RNN_EINTERNAL;
}

/* df.rename(columns={'v1': 'label', 'v2': 'text'}): the columns under their new names too. */
static int frame_rename_dict(app_state *s, const rnn_value *frame, const rnn_value *d, rnn_value *out, char *why, size_t n)
{
    py_frame *f = frame_of(s);
    if (d->type != RNN_VAL_DICT) { snprintf(why, n, "rename: expected columns={'old': 'new', ...}"); return RNN_EUSAGE; }
    for (int i = 0; i + 1 < d->n_items; i += 2) {
        const rnn_value *from = &d->items[i], *to = &d->items[i + 1];
        py_frame_col *c = from->type == RNN_VAL_STRING ? frame_col(f, from->string) : NULL;
        if (!c || to->type != RNN_VAL_STRING) { snprintf(why, n, "rename: expected column names, 'old': 'new'"); return RNN_EUSAGE; }
        if (!frame_add_col(f, to->string, c->index, c->codes)) return RNN_EINTERNAL;
    }
    return rnn_value_copy(out, frame) ? RNN_OK : RNN_EINTERNAL;
}

int py_frame_method(app_state *s, const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out,
                    bool *handled, char *why, size_t n)
{
    *handled = py_obj_is(v, "frame") != NULL;
    if (!*handled) return RNN_OK;
    bool column = col_index(v, NULL) >= 0;
    int npos = 0;
    for (int i = 0; args && i < args->n_args; i++) npos += !args->keys[i];
    if (column && (!strcmp(method, "map") || !strcmp(method, "replace")) && npos == 1)
        return map_labels(s, v, &args->args[0], out, why, n);
    static const char *const same[] = {"to_numpy", "tolist", "copy", "astype", "to_list", NULL};
    for (int i = 0; same[i]; i++)
        if (!strcmp(method, same[i])) return rnn_value_copy(out, v) ? RNN_OK : RNN_EINTERNAL;
    if (!column && !strcmp(method, "rename") && args && rnn_call_arg(args, -1, "columns"))
        return frame_rename_dict(s, v, rnn_call_arg(args, -1, "columns"), out, why, n);
    if (!column && !strcmp(method, "drop")) {
        const rnn_value *axis = args ? rnn_call_arg(args, -1, "axis") : NULL, *cols = args ? rnn_call_arg(args, -1, "columns") : NULL;
        if (cols || (axis && ((axis->type == RNN_VAL_NUMBER && axis->number == 1) ||
                              (axis->type == RNN_VAL_STRING && !strcmp(axis->string, "columns")))))
            return rnn_value_copy(out, v) ? RNN_OK : RNN_EINTERNAL;   /* columns rnnlab does not read anyway */
    }
    snprintf(why, n, "the DataFrame method .%s() is not something rnnlab runs (it reads the text and label columns "
             "of every row)", method);
    return RNN_EUSAGE;
}

/* LabelEncoder().fit_transform(df['label']): the labels numbered in sorted order, as rnnlab does. */
int py_frame_encode(const rnn_value *col, rnn_value *out, char *why, size_t n)
{
    char what[48];
    if (col_index(col, NULL) < 0) { snprintf(why, n, "fit_transform: expected a column of the DataFrame"); return RNN_EUSAGE; }
    snprintf(what, sizeof what, "frame.%d.codes", col_index(col, NULL));
    return py_obj_value(out, what) ? RNN_OK : RNN_EINTERNAL;
}

/* df['label'] = VALUE (a column, maybe numbered) and df.columns = ['label', 'text']. */
int py_frame_assign(app_state *s, const char *name, const rnn_value *v)
{
    py_frame *f = frame_of(s);
    bool codes;
    int index = col_index(v, &codes);
    if (!f || index < 0) return py_fail(RNN_EUSAGE, "assignment", "rnnlab assigns columns of the DataFrame from its columns");
    py_frame_col *c = frame_col(f, name);
    if (c) { c->index = index; c->codes = codes; return RNN_OK; }
    return frame_add_col(f, name, index, codes) ? RNN_OK : py_fail(RNN_EINTERNAL, "assignment", "out of memory");
}

int py_frame_rename(app_state *s, const rnn_value *names)
{
    py_frame *f = frame_of(s);
    int n = 0;
    for (int i = 0; f && i < f->n_cols; i++) n = f->cols[i].index + 1 > n ? f->cols[i].index + 1 : n;
    if (!f || names->type != RNN_VAL_LIST || names->n_items != n)
        return py_fail(RNN_EUSAGE, "df.columns", "expected a list of %d column names", n);
    for (int i = 0; i < names->n_items; i++)
        if (names->items[i].type != RNN_VAL_STRING) return py_fail(RNN_EUSAGE, "df.columns", "expected strings");
    for (int i = 0; i < names->n_items; i++)
        if (!frame_add_col(f, names->items[i].string, i, false)) return py_fail(RNN_EINTERNAL, "df.columns", "out of memory");
    return RNN_OK;
}

/* ---- loading ---- */

/* The label column when the texts are used before the labels are named: the column read last
 * beside the texts, else the only other one. */
static int frame_label_index(const py_frame *f)
{
    if (f->label_index >= 0) return f->label_index;
    if (f->label_guess >= 0 && f->label_guess != f->text_index) return f->label_guess;
    int other = -1, n = 0;
    for (int i = 0; i < f->n_cols; i++)
        if (f->cols[i].index != f->text_index && f->cols[i].index != other) { other = f->cols[i].index; n++; }
    return n == 1 ? other : -1;
}

/* Loads the DataFrame's file as the data set: texts from text_index, labels from label_index,
 * test_split > 0 splitting it (seed < 0: the loader's). */
static int frame_load(app_state *s, py_frame *f, double test_split, long seed)
{
    char cmd[4096 + 512];
    int o = 0;
    if (f->sms) {
        if (f->text_index != 1 || f->label_index != 0)
            return py_fail(RNN_EUSAGE, "train_test_split", "the SMS Spam Collection's texts are column %s and its labels column %s",
                           file_col_name(f, 1), file_col_name(f, 0));
        o = snprintf(cmd, sizeof cmd, "load sms");
        if (f->path[0]) o += snprintf(cmd + o, sizeof cmd - (size_t)o, " path=\"%s\"", f->path);
    } else {
        const char *t = file_col_name(f, f->text_index), *l = file_col_name(f, f->label_index);
        o = snprintf(cmd, sizeof cmd, "load csv \"%s\" text=\"%s\" label=\"%s\"", f->path, t, l);
        if (f->delimiter) o += snprintf(cmd + o, sizeof cmd - (size_t)o, " delimiter=\"%c\"", f->delimiter);
    }
    o += snprintf(cmd + o, sizeof cmd - (size_t)o, " test_split=%.17g", test_split);
    if (test_split > 0) o += snprintf(cmd + o, sizeof cmd - (size_t)o, " test_part=first");   /* scikit-learn's order */
    if (seed >= 0 && test_split > 0) o += snprintf(cmd + o, sizeof cmd - (size_t)o, " seed=%ld", seed);
    if (o >= (int)sizeof cmd || strchr(f->path, '"')) return py_fail(RNN_EUSAGE, "read_csv", "the file name cannot be passed to load");
    int rc = app_exec_command(s, cmd);
    if (!rc) f->loaded = true;
    if (!rc) f->split = test_split > 0;
    return rc;
}

int py_frame_data(app_state *s, const rnn_value *v, rnn_value *out, char *why, size_t n)
{
    py_frame *f = frame_of(s);
    bool codes;
    int index = col_index(v, &codes);
    if (!f || index < 0) { snprintf(why, n, "expected a column of the DataFrame"); return RNN_EUSAGE; }
    bool labels = codes || (f->text_index >= 0 && index != f->text_index) || index == f->label_index;
    if (!f->loaded) {
        if (labels) f->label_index = index;
        else f->text_index = index;
        if (f->label_index < 0) f->label_index = frame_label_index(f);
        if (f->text_index < 0 || f->label_index < 0) {
            snprintf(why, n, "name the %s column first (y = df['label'], X = df['text'])", f->text_index < 0 ? "text" : "label");
            return RNN_EUSAGE;
        }
        int rc = frame_load(s, f, 0, -1);
        if (rc) { why[0] = 0; return rc; }   /* load said why */
    }
    char what[48];
    snprintf(what, sizeof what, "data.train.%s", labels ? "labels" : "texts");
    return py_obj_value(out, what) ? RNN_OK : RNN_EINTERNAL;
}

/* ---- train_test_split ---- */

static int split_options(const rnn_call *c, double *test, long *seed)
{
    *test = 0.25;
    *seed = -1;
    for (int i = 2; i < c->n_args; i++) {
        const char *k = c->keys[i];
        const rnn_value *v = &c->args[i];
        if (!k) return py_fail(RNN_EUSAGE, "train_test_split", "expected two arrays, then keyword arguments");
        if (v->type == RNN_VAL_NONE) continue;
        if (!strcmp(k, "test_size") || !strcmp(k, "train_size")) {
            if (v->type != RNN_VAL_NUMBER || v->is_integer || v->number <= 0 || v->number >= 1)
                return py_fail(RNN_EUSAGE, "train_test_split", "%s=: expected a fraction between 0 and 1", k);
            *test = k[1] == 'e' ? v->number : 1 - v->number;
        } else if (!strcmp(k, "random_state")) {
            if (v->type != RNN_VAL_NUMBER || !v->is_integer || v->number < 0 || v->number > 4294967295.0)
                return py_fail(RNN_EUSAGE, "train_test_split", "random_state=: expected an integer from 0 to 2**32-1");
            *seed = (long)v->number;
        } else if (!(!strcmp(k, "shuffle") && v->type == RNN_VAL_BOOL && v->number))
            return py_fail(RNN_EUSAGE, "train_test_split", "%s= is not supported by rnnlab (it splits a shuffled copy)", k);
    }
    return RNN_OK;
}

/* X of train_test_split: a text column of the DataFrame, or the loaded data (padded or not) when
 * it was loaded whole; *what: "texts" or "ids". */
static int split_x(app_state *s, py_frame *f, const rnn_value *x, const char **what)
{
    const char *o = py_obj_is(x, "data.train.");
    if (o && f->loaded && s->ds && s->ds->test.n == 0) { *what = !strcmp(o, "ids") ? "ids" : "texts"; return RNN_OK; }
    if (col_index(x, NULL) < 0)
        return py_fail(RNN_EUSAGE, "train_test_split", "X: expected a column of the DataFrame of read_csv, or its whole data");
    f->text_index = col_index(x, NULL);
    *what = "texts";
    return RNN_OK;
}

int py_train_test_split(app_state *s, const rnn_call *c, rnn_value *out)
{
    rnn_value args = {0};
    rnn_value wrapped = {.type = RNN_VAL_CALL, .call = (rnn_call *)c};
    char why[400];
    py_frame *f = frame_of(s);
    if (!f) return py_fail(RNN_EUSAGE, "train_test_split", "rnnlab splits the DataFrame of pd.read_csv (load has test_split= for the others)");
    if (py_eval(s, &wrapped, &args, why, sizeof why)) return py_fail(RNN_EUSAGE, "train_test_split", "%s", why);
    const rnn_value *x = args.call->n_args > 0 && !args.call->keys[0] ? &args.call->args[0] : NULL;
    const rnn_value *y = args.call->n_args > 1 && !args.call->keys[1] ? &args.call->args[1] : NULL;
    double test = 0.25;
    long seed = -1;
    const char *xwhat = NULL;
    bool codes;
    int rc = x && y ? split_options(args.call, &test, &seed) : py_fail(RNN_EUSAGE, "train_test_split", "expected X and y: train_test_split(X, y, test_size=0.2)");
    if (!rc) rc = split_x(s, f, x, &xwhat);
    if (!rc && !py_obj_is(y, "data.train.labels")) {
        if (col_index(y, &codes) < 0 || col_index(y, NULL) == f->text_index)
            rc = py_fail(RNN_EUSAGE, "train_test_split", "y: expected the label column of the DataFrame");
        else f->label_index = col_index(y, NULL);
    }
    rnn_value_free(&args);
    if (!rc) rc = frame_load(s, f, test, seed);
    if (rc) return rc;
    /* X_train, X_test, y_train, y_test */
    static const char *const parts[] = {"train.%s", "test.%s", "train.labels", "test.labels"};
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_LIST;
    out->is_tuple = true;
    if (!(out->items = calloc(4, sizeof *out->items))) return py_fail(RNN_EINTERNAL, "train_test_split", "out of memory");
    for (int i = 0; i < 4; i++, out->n_items++) {
        char what[48] = "data.";
        snprintf(what + 5, sizeof what - 5, parts[i], xwhat);
        if (!py_obj_value(&out->items[i], what)) return py_fail(RNN_EINTERNAL, "train_test_split", "out of memory");
    }
    return RNN_OK;
}
