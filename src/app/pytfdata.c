/* TensorFlow's side of the tutorials that feed Keras from TensorFlow Datasets: tfds.load of the
 * IMDB reviews, tf.data pipelines over its splits (shuffle, batch, prefetch, map(lambda ...)) and
 * the TextVectorization layer that turns their texts into word ids (adapt, get_vocabulary). The
 * TensorFlow guide "Text classification with an RNN" is written this way. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include "app/internal.h"
#include "app/python.h"

/* ---- tf.data pipelines: the session object tfdata.SPLIT.BATCH.SHUFFLED.PART ---- */

static const char *const tfdata_parts[] = {"pairs", "dicts", "texts", "labels", NULL};
static const char *const tfdata_subsets[] = {"all", "training", "validation", NULL};

bool py_tfdata_get(const rnn_value *v, py_tfdata *d)
{
    const char *o = py_obj_is(v, "tfdata.");
    char part[16] = "", subset[16] = "";
    int shuffled = 0;
    memset(d, 0, sizeof *d);
    int got = o ? sscanf(o, "%7[a-z].%ld.%d.%15[a-z].%15[a-z].%lf", d->split, &d->batch, &shuffled, part, subset,
                         &d->vsplit) : 0;
    if (got != 4 && got != 6) return false;
    d->shuffled = shuffled != 0;
    for (int i = 0; tfdata_parts[i]; i++)
        if (!strcmp(part, tfdata_parts[i])) d->part = (py_tfdata_part)i;
    for (int i = 0; got == 6 && tfdata_subsets[i]; i++)
        if (!strcmp(subset, tfdata_subsets[i])) d->subset = (py_tfdata_subset)i;
    return true;
}

bool py_tfdata_value(rnn_value *out, const py_tfdata *d)
{
    char what[128];
    int k = snprintf(what, sizeof what, "tfdata.%s.%ld.%d.%s", d->split, d->batch, d->shuffled, tfdata_parts[d->part]);
    if (d->subset != PY_TFDATA_ALL)
        snprintf(what + k, sizeof what - (size_t)k, ".%s.%.17g", tfdata_subsets[d->subset], d->vsplit);
    return py_obj_value(out, what);
}

/* The split of tfds.load's split= (a string), or NULL with *why. */
static const char *tfds_split(const rnn_value *v, char *why, size_t n)
{
    if (v->type == RNN_VAL_STRING && (!strcmp(v->string, "train") || !strcmp(v->string, "test"))) return v->string;
    if (v->type == RNN_VAL_STRING && !strcmp(v->string, "unsupervised"))
        snprintf(why, n, "split='unsupervised': rnnlab's IMDB holds the 25,000 train and 25,000 test reviews, not the "
                 "50,000 unlabelled ones");
    else
        snprintf(why, n, "split=: rnnlab's IMDB has the splits 'train' and 'test' (whole: slices such as 'train[:80%%]' "
                 "are validation_split= of fit)");
    return NULL;
}

/* The pipeline of a split named by v ('train', 'test'), its elements pairs or dicts: RNN_OK, or
 * RNN_EUSAGE with *why. */
static int split_value(const rnn_value *v, bool supervised, rnn_value *out, char *why, size_t n)
{
    const char *sp = tfds_split(v, why, n);
    if (!sp) return RNN_EUSAGE;
    py_tfdata d = {.part = supervised ? PY_TFDATA_PAIRS : PY_TFDATA_DICTS};
    snprintf(d.split, sizeof d.split, "%s", sp);
    return py_tfdata_value(out, &d) ? RNN_OK : py_eval_fail(why, n, "out of memory");
}

bool py_tfds_known(const rnn_value *name)
{
    return name && name->type == RNN_VAL_STRING &&
           (!strcmp(name->string, "imdb_reviews") || !strcmp(name->string, "imdb_reviews/plain_text"));
}

/* tfds.load('imdb_reviews', split=None, as_supervised=False, with_info=False, ...): rnnlab's copy
 * of the IMDB reviews. *out: the dict of both splits, a split or a list of splits (and info with
 * with_info=True). RNN_EUSAGE with *why when the call asks for what rnnlab does not have. */
int py_tfds_load(app_state *s, const rnn_call *c, rnn_value *out, char *why, size_t n)
{
    static const char *const ignored[] = {"data_dir", "download", "shuffle_files", "try_gcs", "read_config",
                                          "download_and_prepare_kwargs", "as_dataset_kwargs", "decoders", NULL};
    const rnn_value *name = rnn_call_arg(c, 0, "name"), *split = NULL;
    bool supervised = false, info = false;
    for (int i = 0; i < c->n_args; i++) {
        const char *k = c->keys[i] ? c->keys[i] : i == 0 ? "name" : i == 1 ? "split" : NULL;
        const rnn_value *v = &c->args[i];
        if (!k) return py_eval_fail(why, n, "give tfds.load's arguments after the name and split by keyword");
        if (!strcmp(k, "name")) continue;
        if (!strcmp(k, "split")) split = v->type == RNN_VAL_NONE ? NULL : v;
        else if (!strcmp(k, "as_supervised") || !strcmp(k, "with_info")) {
            if (v->type != RNN_VAL_BOOL) return py_eval_fail(why, n, "%s= expects True or False", k);
            *(k[0] == 'a' ? &supervised : &info) = v->number != 0;
        } else if (!strcmp(k, "batch_size")) {
            if (v->type != RNN_VAL_NONE) return py_eval_fail(why, n, "batch_size=: batch the splits with .batch(N)");
        } else if (!py_name_in(k, ignored))
            return py_eval_fail(why, n, "unknown argument %s=", k);
    }
    if (!py_tfds_known(name))
        return py_eval_fail(why, n, "rnnlab's copy of a TensorFlow data set is 'imdb_reviews' (its plain text); other "
                            "data: load sms, csv, dir, lines");
    rnn_value splits = {0};
    int rc = RNN_OK;
    if (split && split->type == RNN_VAL_LIST) {
        splits.type = RNN_VAL_LIST;
        if (!(splits.items = calloc((size_t)split->n_items + 1, sizeof *splits.items))) return py_eval_fail(why, n, "out of memory");
        for (int i = 0; !rc && i < split->n_items; i++)
            rc = split_value(&split->items[i], supervised, &splits.items[splits.n_items++], why, n);
    } else if (split) {
        rc = split_value(split, supervised, &splits, why, n);
    } else if (!py_obj_value(&splits, supervised ? "tfdsdict.pairs" : "tfdsdict.dicts"))
        rc = py_eval_fail(why, n, "out of memory");
    if (!rc && (!s->ds || strcmp(s->ds->name, "imdb") != 0)) {
        py_note(s, "tfds.load: rnnlab's copy of the IMDB reviews, the same 25,000 train and 25,000 test reviews "
                "(neg=0, pos=1), in keras.datasets.imdb's shuffled order rather than TFDS's");
        if ((rc = app_exec_command(s, "load imdb"))) why[0] = '\0';   /* load said why */
    }
    if (rc) {
        rnn_value_free(&splits);
        return rc;
    }
    if (!info) {
        *out = splits;
        return RNN_OK;
    }
    out->type = RNN_VAL_LIST;
    out->is_tuple = true;
    if (!(out->items = calloc(2, sizeof *out->items)) || !py_obj_value(&out->items[1], "tfdsinfo")) {
        rnn_value_free(&splits);
        return py_eval_fail(why, n, "out of memory");
    }
    out->items[0] = splits;
    out->n_items = 2;
    return RNN_OK;
}

/* ---- keras.utils.text_dataset_from_directory ---- */

/* The texts of a subset of n, as Keras splits them: the validation subset is the last
 * int(validation_split * n), the training subset the rest. */
static size_t subset_rows(size_t n, py_tfdata_subset subset, double vsplit)
{
    size_t val = (size_t)(vsplit * (double)n);
    return subset == PY_TFDATA_TRAINING ? n - val : subset == PY_TFDATA_VALIDATION ? val : n;
}

/* The loaded data set's split a pipeline names ("train" or "test"). */
static const rnn_split *named_split(const app_state *s, const char *split)
{
    return !strcmp(split, "train") ? &s->ds->train : &s->ds->test;
}

double py_tfdata_fit_split(const app_state *s, const py_tfdata *d)
{
    size_t n = named_split(s, d->split)->n;
    size_t val = subset_rows(n, PY_TFDATA_VALIDATION, d->vsplit);
    if (val == 0 || n - (size_t)floor((double)n * (1.0 - d->vsplit)) == val) return d->vsplit;
    return ((double)val - 0.5) / (double)n;   /* n (1 - F) = n - val + 0.5 */
}

/* The IMDB split a directory names: 'train' for .../aclImdb/train, 'test' for .../aclImdb/test. */
static const char *imdb_directory_split(const char *dir)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') len--;
    static const char *const splits[] = {"train", "test"};
    for (int i = 0; i < 2; i++) {
        char tail[32];
        snprintf(tail, sizeof tail, "aclImdb/%s", splits[i]);
        size_t t = strlen(tail);
        if (len >= t && !strncmp(dir + len - t, tail, t) && (len == t || dir[len - t - 1] == '/')) return splits[i];
    }
    return NULL;
}

/* The arguments of text_dataset_from_directory, checked as Keras checks them. */
typedef struct dir_args {
    const char *split;           /* IMDB's "train" or "test"; NULL for a folder of one's own */
    const char *path;            /* the directory */
    const rnn_value *class_names;
    bool binary, follow_links;
    long batch, seed;            /* batch 0: None (unbatched); seed -1: None */
    bool shuffle;
    double vsplit;
    int subset;                  /* 0 none, 1 training, 2 validation, 3 both */
} dir_args;

static int dir_args_read(const rnn_call *c, dir_args *a, char *why, size_t n)
{
    static const char *const keys[] = {"directory", "labels", "label_mode", "class_names", "batch_size", "max_length",
                                       "shuffle", "seed", "validation_split", "subset", "follow_links", "verbose", NULL};
    static const char *const subsets[] = {"training", "validation", "both", NULL};
    *a = (dir_args){.batch = 32, .seed = -1, .shuffle = true};
    for (int i = 0; i < c->n_args; i++) {
        const char *k = c->keys[i] ? c->keys[i] : i < 12 ? keys[i] : NULL;
        const rnn_value *v = &c->args[i];
        bool none = v->type == RNN_VAL_NONE, str = v->type == RNN_VAL_STRING;
        bool whole = v->type == RNN_VAL_NUMBER && v->is_integer;
        if (!k || !py_name_in(k, keys)) return py_eval_fail(why, n, "unknown argument %s=", k ? k : "");
        if (!strcmp(k, "directory")) {
            if (!str || !v->string[0]) return py_eval_fail(why, n, "the directory is a path");
            a->path = v->string;
            a->split = imdb_directory_split(v->string);
        } else if (!strcmp(k, "labels") && !(str && !strcmp(v->string, "inferred"))) {
            return py_eval_fail(why, n, "labels=: rnnlab takes the labels from the folders (labels='inferred')");
        } else if (!strcmp(k, "label_mode")) {
            if (!(str && (!strcmp(v->string, "int") || !strcmp(v->string, "binary"))))
                return py_eval_fail(why, n, "label_mode=: rnnlab's labels are the classes' numbers ('int' or 'binary')");
            a->binary = !strcmp(v->string, "binary");
        } else if (!strcmp(k, "class_names") && !none) {
            if (v->type != RNN_VAL_LIST) return py_eval_fail(why, n, "class_names= expects a list of the class folders' names");
            a->class_names = v;
        } else if (!strcmp(k, "follow_links")) {
            if (v->type != RNN_VAL_BOOL) return py_eval_fail(why, n, "follow_links= expects True or False");
            a->follow_links = v->number != 0;
        } else if (!strcmp(k, "batch_size")) {
            if (!none && (!whole || v->number < 1 || v->number > (1 << 20)))
                return py_eval_fail(why, n, "batch_size= expects a batch size from 1 to 1048576, or None");
            a->batch = none ? 0 : (long)v->number;
        } else if (!strcmp(k, "max_length") && !none) {
            return py_eval_fail(why, n, "max_length=: rnnlab keeps whole texts (pad maxlen=N cuts their ids)");
        } else if (!strcmp(k, "shuffle")) {
            if (v->type != RNN_VAL_BOOL) return py_eval_fail(why, n, "shuffle= expects True or False");
            a->shuffle = v->number != 0;
        } else if (!strcmp(k, "seed")) {
            if (!none && (!whole || v->number < 0 || v->number > 4294967295.0))
                return py_eval_fail(why, n, "seed= expects an integer from 0 to 2**32-1, or None");
            a->seed = none ? -1 : (long)v->number;
        } else if (!strcmp(k, "validation_split")) {
            if (!none && (v->type != RNN_VAL_NUMBER || !(v->number > 0 && v->number < 1)))
                return py_eval_fail(why, n, "`validation_split` must be between 0 and 1, received: %s",
                                    v->type == RNN_VAL_NUMBER ? "a number outside (0, 1)" : "not a number");
            a->vsplit = none ? 0 : v->number;
        } else if (!strcmp(k, "subset") && !none) {
            int j = 0;
            while (str && subsets[j] && strcmp(v->string, subsets[j])) j++;
            if (!str || !subsets[j])
                return py_eval_fail(why, n, "`subset` must be either \"training\", \"validation\" or \"both\"");
            a->subset = j + 1;
        }
    }
    if (!a->path) return py_eval_fail(why, n, "expected the directory");
    if ((a->vsplit > 0) != (a->subset > 0))
        return py_eval_fail(why, n, "If `subset` is set, `validation_split` must be set, and inversely.");
    if (a->vsplit > 0 && a->shuffle && a->seed < 0)
        return py_eval_fail(why, n, "If using `validation_split` and shuffling the data, you must provide a `seed` "
                            "argument, to make sure that there is no overlap between the training and validation subset.");
    return RNN_OK;
}

/* The order of the listing's shuffle as load's options: "seed=N" or "shuffle=false". */
static void dir_order(const dir_args *a, char *order, size_t n)
{
    if (!a->shuffle) snprintf(order, n, "shuffle=false");
    else snprintf(order, n, "seed=%ld", a->seed < 0 ? 113 : a->seed);
}

/* Says which seed stands for Keras's random one, before a load in a shuffled order. */
static void dir_note_seed(app_state *s, const dir_args *a)
{
    if (a->shuffle && a->seed < 0)
        py_note(s, "text_dataset_from_directory: without seed= Keras shuffles in a random order; rnnlab uses seed 113");
}

/* The IMDB reviews in the order the directory's listing takes: Keras sorts each class's files by
 * name (neg, then pos) and shuffles them with numpy's RandomState(seed), the permutation load imdb
 * seed=N draws for the train split. An IMDB data set already loaded in that order is kept. */
static int dir_load_imdb(app_state *s, const dir_args *a)
{
    py_session *ps = py_session_get(s);
    bool imdb = s->ds && !strcmp(s->ds->name, "imdb");
    if (imdb && !strcmp(a->split, "test")) return RNN_OK;
    char order[32], cmd[64];
    dir_order(a, order, sizeof order);
    if (imdb && ps->dir_ds == s->ds && !strcmp(ps->dir_order, order)) return RNN_OK;
    dir_note_seed(s, a);
    if (imdb)
        py_note(s, "text_dataset_from_directory: the IMDB reviews are loaded again in this listing's order (%s)", order);
    snprintf(cmd, sizeof cmd, "load imdb %s", order);
    int rc = app_exec_command(s, cmd);
    if (rc) return rc;
    ps->dir_ds = s->ds;
    snprintf(ps->dir_order, sizeof ps->dir_order, "%s", order);
    return RNN_OK;
}

/* Appends ` KEY"PATH"` to cmd (room n, *o used), the path quoted for load's words; false when it
 * does not fit or holds a line break (a command recorded for the session is one line). */
static bool dir_arg(char *cmd, size_t n, size_t *o, const char *key, const char *path)
{
    if (*o + strlen(key) + 3 + 2 * strlen(path) >= n || strpbrk(path, "\n\r")) return false;
    *o += (size_t)sprintf(cmd + *o, " %s\"", key);
    for (const char *p = path; *p; p++) {
        if (*p == '"' || *p == '\\') cmd[(*o)++] = '\\';
        cmd[(*o)++] = *p;
    }
    cmd[(*o)++] = '"';
    cmd[*o] = 0;
    return true;
}

/* A folder of class sub-folders of one's own: the first folder named holds the training texts,
 * another one the test texts; both are read as load dir TRAIN test=TEST listing=keras seed=N reads
 * them (the training folder's call sets the order). *split: where this call's folder went. */
static int dir_load_own(app_state *s, const dir_args *a, const char **split)
{
    py_session *ps = py_session_get(s);
    bool train = !ps->dir_train[0] || !strcmp(ps->dir_train, a->path);
    *split = train ? "train" : "test";
    if (strlen(a->path) >= sizeof ps->dir_train) return py_fail(RNN_EUSAGE, "text_dataset_from_directory", "the path is too long");
    if (a->follow_links)
        py_note(s, "text_dataset_from_directory: rnnlab walks into no linked folder (follow_links=True)");
    char order[32];
    if (train || !ps->dir_order[0]) dir_order(a, order, sizeof order);
    else snprintf(order, sizeof order, "%s", ps->dir_order);
    char tr[sizeof ps->dir_train], te[sizeof ps->dir_test];
    snprintf(tr, sizeof tr, "%s", train ? a->path : ps->dir_train);
    snprintf(te, sizeof te, "%s", train ? ps->dir_test : a->path);
    bool loaded = s->ds && ps->dir_ds == s->ds && !strcmp(ps->dir_order, order) && !strcmp(ps->dir_train, tr) &&
                  !strcmp(ps->dir_test, te);
    if (loaded) return RNN_OK;
    char cmd[3 * 8192];
    size_t o = (size_t)snprintf(cmd, sizeof cmd, "load dir");
    if (!dir_arg(cmd, sizeof cmd, &o, "", tr) || (te[0] && !dir_arg(cmd, sizeof cmd, &o, "test=", te)))
        return py_fail(RNN_EUSAGE, "text_dataset_from_directory", "the path is too long or holds a line break");
    snprintf(cmd + o, sizeof cmd - o, " listing=keras %s", order);
    if (train) dir_note_seed(s, a);
    int rc = app_exec_command(s, cmd);
    if (rc) return rc;
    memcpy(ps->dir_train, tr, sizeof tr);
    memcpy(ps->dir_test, te, sizeof te);
    snprintf(ps->dir_order, sizeof ps->dir_order, "%s", order);
    ps->dir_ds = s->ds;
    return RNN_OK;
}

/* Keras's checks of the classes against the folders: class_names= lists them (rnnlab numbers them in
 * sorted order, so in that order), and label_mode='binary' needs two. */
static int dir_check_classes(const app_state *s, const dir_args *a, char *why, size_t n)
{
    const rnn_dataset *ds = s->ds;
    char names[1024];
    size_t o = 0;
    for (int k = 0; k < ds->n_classes && o < sizeof names; k++)
        o += (size_t)snprintf(names + o, sizeof names - o, "%s'%s'", k ? ", " : "", ds->class_names[k]);
    const rnn_value *cn = a->class_names;
    bool same = !cn || cn->n_items == ds->n_classes;
    for (int k = 0; cn && same && k < ds->n_classes; k++)
        same = cn->items[k].type == RNN_VAL_STRING && !strcmp(cn->items[k].string, ds->class_names[k]);
    if (!same)
        return py_eval_fail(why, n, "class_names=: rnnlab takes every class folder, numbered in sorted order: [%s]", names);
    if (a->binary && ds->n_classes != 2)
        return py_eval_fail(why, n, "When passing `label_mode=\"binary\"`, there must be exactly 2 class_names. Received: "
                            "class_names=[%s]", names);
    return RNN_OK;
}

int py_text_dataset_from_directory(app_state *s, const rnn_call *c, rnn_value *out, char *why, size_t n)
{
    dir_args a;
    int rc = dir_args_read(c, &a, why, n);
    if (rc) return rc;
    why[0] = 0;   /* load says why it fails */
    const char *split = a.split;
    if ((rc = a.split ? dir_load_imdb(s, &a) : dir_load_own(s, &a, &split))) return rc;
    if ((rc = dir_check_classes(s, &a, why, n))) return rc;
    const rnn_split *sp = named_split(s, split);
    size_t total = sp->n, n_val = subset_rows(total, PY_TFDATA_VALIDATION, a.vsplit);
    app_printf("Found %zu files belonging to %d classes.\n", total, s->ds->n_classes);
    py_tfdata d = {.batch = a.batch, .shuffled = a.shuffle, .part = PY_TFDATA_PAIRS, .vsplit = a.vsplit};
    snprintf(d.split, sizeof d.split, "%s", split);
    if (a.subset == 0) return py_tfdata_value(out, &d) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    if (a.subset != 2) app_printf("Using %zu files for training.\n", total - n_val);
    if (a.subset != 1) app_printf("Using %zu files for validation.\n", n_val);
    if (a.subset != 3) {
        d.subset = a.subset == 1 ? PY_TFDATA_TRAINING : PY_TFDATA_VALIDATION;
        return py_tfdata_value(out, &d) ? RNN_OK : py_eval_fail(why, n, "out of memory");
    }
    out->type = RNN_VAL_LIST;
    out->is_tuple = true;
    if (!(out->items = calloc(2, sizeof *out->items))) return py_eval_fail(why, n, "out of memory");
    for (int i = 0; i < 2; i++) {
        d.subset = i ? PY_TFDATA_VALIDATION : PY_TFDATA_TRAINING;
        if (!py_tfdata_value(&out->items[out->n_items++], &d)) return py_eval_fail(why, n, "out of memory");
    }
    return RNN_OK;
}

/* dataset['train'] of tfds.load's dict of splits. */
int py_tfds_subscript(const rnn_value *dict, const rnn_value *idx, rnn_value *out, char *why, size_t n)
{
    const char *kind = py_obj_is(dict, "tfdsdict.");
    if (idx->type != RNN_VAL_STRING) return py_eval_fail(why, n, "the splits are 'train' and 'test'");
    return split_value(idx, kind && !strcmp(kind, "pairs"), out, why, n);
}

/* map(lambda text, label: text) and map(lambda x: x['text']): the part of each element it keeps;
 * -1 for any other function. */
static int mapped_part(const py_tfdata *d, const rnn_value *f)
{
    if (!f || f->type != RNN_VAL_EXPR || strcmp(f->string, "lambda") != 0 || f->n_items != 2) return -1;
    const rnn_value *params = &f->items[0], *body = &f->items[1];
    if (d->part == PY_TFDATA_PAIRS && params->n_items == 2 && body->type == RNN_VAL_IDENT) {
        if (!strcmp(body->string, params->items[0].string)) return PY_TFDATA_TEXTS;
        if (!strcmp(body->string, params->items[1].string)) return PY_TFDATA_LABELS;
    }
    if (d->part == PY_TFDATA_DICTS && params->n_items == 1 && body->type == RNN_VAL_EXPR && !strcmp(body->string, "[]") &&
        body->items[0].type == RNN_VAL_IDENT && !strcmp(body->items[0].string, params->items[0].string) &&
        body->items[1].type == RNN_VAL_STRING) {
        if (!strcmp(body->items[1].string, "text")) return PY_TFDATA_TEXTS;
        if (!strcmp(body->items[1].string, "label")) return PY_TFDATA_LABELS;
    }
    return -1;
}

/* map(vectorize_text) of (text, label) pairs, where def vectorize_text(text, label) returns
 * vectorize_layer(text) and the label (vectorize_layer a TextVectorization, adapted): the pairs of
 * ids and labels, which are the padded data. RNN_OK when f is such a function. */
static int mapped_vectorize(app_state *s, const py_tfdata *d, const rnn_value *f, char *why, size_t n)
{
    py_session *ps = py_session_get(s);
    const py_func *fn = f && f->type == RNN_VAL_IDENT ? py_find_func(ps, f->string) : NULL;
    if (!fn || !fn->params || fn->n_names != 2 || d->part != PY_TFDATA_PAIRS) return RNN_EUSAGE;
    for (const char *p = fn->body; *p; p++) {
        if (!(isalpha((unsigned char)*p) || *p == '_') || (p > fn->body && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.')))
            continue;
        size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        char name[128];
        if (p[len] != '(' || len >= sizeof name) continue;
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        if (!py_is_textvec(py_lookup(ps, name))) continue;
        if (!py_textvec_adapted(s))
            return py_eval_fail(why, n, ".map(%s): %s is not adapted yet (%s.adapt(...))", fn->name, name, name);
        return RNN_OK;
    }
    return RNN_EUSAGE;
}

/* cardinality(): the batches of the pipeline (its elements when it is not batched). */
static int tfdata_cardinality(const app_state *s, const py_tfdata *d, rnn_value *out, char *why, size_t n)
{
    if (!s->ds) return py_eval_fail(why, n, "no data set is loaded");
    size_t rows = subset_rows(named_split(s, d->split)->n, d->subset, d->vsplit);
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_NUMBER;
    out->is_integer = true;
    out->number = (double)(d->batch ? (rows + (size_t)d->batch - 1) / (size_t)d->batch : rows);
    return RNN_OK;
}

/* An eager tensor of texts [lo, hi) of a split (one text when single), or of their labels. */
static bool take_tensor(const rnn_split *sp, size_t lo, size_t hi, bool single, bool labels, const char *dtype,
                        rnn_value *out)
{
    rnn_value p = {0};
    if (!single) {
        p.type = RNN_VAL_LIST;
        if (!(p.items = calloc(hi - lo, sizeof *p.items))) return false;
    }
    for (size_t i = lo; i < hi; i++) {
        rnn_value *e = single ? &p : &p.items[p.n_items++];
        if (labels) {
            e->type = RNN_VAL_NUMBER;
            e->number = sp->label[i];
            e->is_integer = true;
        } else {
            e->type = RNN_VAL_STRING;
            if (!(e->string = strdup(sp->text[i]))) {
                rnn_value_free(&p);
                return false;
            }
        }
    }
    return py_array_value(out, "eager", &p, labels ? dtype : "string");
}

/* One element of a pipeline: its texts and labels [lo, hi), as the pipeline's part holds them. */
static bool take_element(const py_tfdata *d, const rnn_split *sp, size_t lo, size_t hi, const char *dtype, rnn_value *out)
{
    bool single = !d->batch;
    if (d->part != PY_TFDATA_PAIRS) return take_tensor(sp, lo, hi, single, d->part == PY_TFDATA_LABELS, dtype, out);
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_LIST;
    out->is_tuple = true;
    if (!(out->items = calloc(2, sizeof *out->items))) return false;
    for (int i = 0; i < 2; i++) {
        if (!take_tensor(sp, lo, hi, single, i == 1, dtype, &out->items[i])) {
            rnn_value_free(out);
            return false;
        }
        out->n_items++;
    }
    return true;
}

enum { TAKE_MAX_TEXTS = 100000 };

/* ds.take(k): the pipeline's first k elements (a list, for a loop over them) in rnnlab's order of the
 * split, the subset's part of it; TensorFlow's shuffle buffer draws other texts, which is said. */
static int tfdata_take(app_state *s, const py_tfdata *d, const rnn_value *k, rnn_value *out, char *why, size_t n)
{
    if (!k || k->type != RNN_VAL_NUMBER || !k->is_integer || k->number < 0)
        return py_eval_fail(why, n, ".take() expects a count of elements");
    if (!s->ds) return py_eval_fail(why, n, "no data set is loaded");
    if (d->part == PY_TFDATA_DICTS)
        return py_eval_fail(why, n, ".take() of {'text', 'label'} dicts: rnnlab takes (text, label) pairs "
                            "(as_supervised=True)");
    const rnn_split *sp = named_split(s, d->split);
    size_t rows = subset_rows(sp->n, d->subset, d->vsplit), first = d->subset == PY_TFDATA_VALIDATION ? sp->n - rows : 0;
    size_t per = d->batch ? (size_t)d->batch : 1, elems = (rows + per - 1) / per;
    if (k->number < (double)elems) elems = (size_t)k->number;
    if (elems * per > TAKE_MAX_TEXTS && elems > 1)
        return py_eval_fail(why, n, ".take(%zu) of %zu texts each: rnnlab takes at most %d texts", elems, per,
                            TAKE_MAX_TEXTS);
    if (d->shuffled && elems)
        py_note(s, ".take(): the first texts in rnnlab's order of the data set; TensorFlow's shuffle draws others");
    const char *dtype = py_session_get(s)->dir_ds == s->ds ? "int32" : "int64";  /* Keras's folders; TFDS */
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_LIST;
    if (elems && !(out->items = calloc(elems, sizeof *out->items))) return py_eval_fail(why, n, "out of memory");
    for (size_t e = 0; e < elems; e++) {
        size_t lo = first + e * per, hi = lo + per < first + rows ? lo + per : first + rows;
        if (!take_element(d, sp, lo, hi, dtype, &out->items[e])) {
            rnn_value_free(out);
            memset(out, 0, sizeof *out);
            return py_eval_fail(why, n, "out of memory");
        }
        out->n_items++;
    }
    return RNN_OK;
}

/* A method of a tf.data pipeline; *handled false when v is not one. */
int py_tfdata_method(app_state *s, const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out,
                     bool *handled, char *why, size_t n)
{
    static const char *const same[] = {"prefetch", "cache", "with_options", NULL};
    py_tfdata d;
    *handled = py_tfdata_get(v, &d);
    if (!*handled) return RNN_OK;
    if (!args) return py_eval_fail(why, n, "the arguments of .%s() hold a value rnnlab has not computed", method);
    const rnn_value *a0 = rnn_call_arg(args, 0, NULL);
    if (py_name_in(method, same)) {
    } else if (!strcmp(method, "shuffle")) {
        d.shuffled = true;
    } else if (!strcmp(method, "batch") || !strcmp(method, "padded_batch")) {
        const rnn_value *b = rnn_call_arg(args, 0, "batch_size"), *drop = rnn_call_arg(args, -1, "drop_remainder");
        if (d.batch) return py_eval_fail(why, n, ".%s() of batches: rnnlab trains on batches of texts", method);
        if (!b || b->type != RNN_VAL_NUMBER || !b->is_integer || b->number < 1 || b->number > (1 << 20))
            return py_eval_fail(why, n, ".%s() expects a batch size from 1 to 1048576", method);
        if (drop && !(drop->type == RNN_VAL_BOOL && drop->number == 0))
            return py_eval_fail(why, n, "drop_remainder=True: rnnlab trains on the last, smaller batch too");
        d.batch = (long)b->number;
    } else if (!strcmp(method, "cardinality")) {
        return tfdata_cardinality(s, &d, out, why, n);
    } else if (!strcmp(method, "map")) {
        why[0] = 0;
        int part = mapped_part(&d, a0), rc = part < 0 ? mapped_vectorize(s, &d, a0, why, n) : RNN_OK;
        if (rc && why[0]) return rc;
        if (rc)
            return py_eval_fail(why, n, ".map() of a function rnnlab does not run; it takes the texts "
                                "(lambda text, label: text), the labels (lambda text, label: label), or a def that "
                                "returns vectorize_layer(text) and the label");
        if (part >= 0) d.part = (py_tfdata_part)part;
    } else if (!strcmp(method, "take")) {
        return tfdata_take(s, &d, a0, out, why, n);
    } else if (!strcmp(method, "skip") || !strcmp(method, "repeat") ||
               !strcmp(method, "filter") || !strcmp(method, "shard")) {
        return py_eval_fail(why, n, ".%s(): rnnlab trains and evaluates on whole splits", method);
    } else
        return py_eval_fail(why, n, "the method .%s() of a tf.data pipeline is not something rnnlab runs", method);
    return py_tfdata_value(out, &d) ? RNN_OK : py_eval_fail(why, n, "out of memory");
}

/* ---- TextVectorization ---- */

bool py_is_textvec(const rnn_value *v)
{
    return v && v->type == RNN_VAL_CALL && !strcmp(py_basename(v->call->name), "TextVectorization");
}

bool py_textvec_adapted(const app_state *s)
{
    return s->tok && rnn_tokenizer_options(s->tok)->style == RNN_TOKENIZER_TEXTVECTORIZATION;
}

/* ---- standardize=: Keras's names, or a function of tf.strings steps ---- */

/* What compiling a standardize function has found: the name holding the text so far, the steps. */
typedef struct std_compile {
    char current[128];
    char spec[4096];
    bool returned;
    int rc;
    char *why;
    size_t why_cap;
} std_compile;

static int std_fail(std_compile *k, const char *fmt, const char *a)
{
    if (!k->rc) {
        snprintf(k->why, k->why_cap, fmt, a);
        k->rc = RNN_EUSAGE;
    }
    return RNN_EUSAGE;
}

/* A string argument of a step: a literal, an f-string, '[%s]' % re.escape(string.punctuation). */
static int std_string(app_state *s, std_compile *k, const rnn_value *e, const char *what, char *out, size_t cap)
{
    rnn_value v = {0};
    char why[300] = "";
    int rc = e ? py_eval(s, e, &v, why, sizeof why) : RNN_EUSAGE;
    if (!rc && (v.type != RNN_VAL_STRING || strlen(v.string) >= cap))
        rc = RNN_EUSAGE;
    if (!rc) snprintf(out, cap, "%s", v.string);
    rnn_value_free(&v);
    return rc ? std_fail(k, "its %s is not a text rnnlab can compute (a string, an f-string or a %%-format of "
                         "re.escape(string.punctuation))", what) : RNN_OK;
}

/* The steps of an expression whose value is the text: the current name, or tf.strings.lower(X) and
 * tf.strings.regex_replace(X, PATTERN, REWRITE) of such an expression. */
static int std_expr(app_state *s, std_compile *k, const rnn_value *e)
{
    if (e->type == RNN_VAL_IDENT)
        return strcmp(e->string, k->current) ? std_fail(k, "'%s' is not the text the steps before made", e->string)
                                             : RNN_OK;
    const rnn_call *c = e->type == RNN_VAL_CALL ? e->call : NULL;
    const char *f = c && !strncmp(c->name, "tf.strings.", 11) ? c->name + 11 : NULL;
    if (!f || (strcmp(f, "lower") && strcmp(f, "regex_replace")))
        return std_fail(k, "%s: rnnlab runs tf.strings.lower and tf.strings.regex_replace in a standardize function",
                        c ? c->name : "an expression");
    const rnn_value *x = rnn_call_arg(c, 0, "input");
    if (!x) return std_fail(k, "tf.strings.%s without its text", f);
    int rc = std_expr(s, k, x);
    if (rc) return rc;
    char why[120];
    if (!strcmp(f, "lower")) {
        const rnn_value *enc = rnn_call_arg(c, 1, "encoding");
        if (enc && !(enc->type == RNN_VAL_STRING && !enc->string[0]))
            return std_fail(k, "tf.strings.lower(..., encoding=%s): rnnlab lowers A-Z only, as without an encoding",
                            enc->type == RNN_VAL_STRING ? enc->string : "...");
        return app_standardize_add(k->spec, sizeof k->spec, "lower", NULL, NULL, why, sizeof why) ? std_fail(k, "%s", why)
                                                                                                   : RNN_OK;
    }
    const rnn_value *global = rnn_call_arg(c, 3, "replace_global");
    if (global && !(global->type == RNN_VAL_BOOL && global->number != 0))
        return std_fail(k, "tf.strings.regex_replace(..., replace_global=%s): rnnlab replaces every match", "False");
    char pattern[1024], rewrite[1024];
    if ((rc = std_string(s, k, rnn_call_arg(c, 1, "pattern"), "pattern", pattern, sizeof pattern)) ||
        (rc = std_string(s, k, rnn_call_arg(c, 2, "rewrite"), "rewrite", rewrite, sizeof rewrite)))
        return rc;
    if (app_standardize_add(k->spec, sizeof k->spec, "regex_replace", pattern, rewrite, why, sizeof why))
        return std_fail(k, "%s", why);
    return RNN_OK;
}

/* One statement of the function: NAME = STEPS, or return STEPS (docstrings and pass pass). */
static int std_statement(app_state *s, const char *stmt, int line, void *user)
{
    (void)line;
    std_compile *k = user;
    while (*stmt == ' ' || *stmt == '\t') stmt++;
    if (k->rc || k->returned || !*stmt || *stmt == '#' || *stmt == '"' || *stmt == '\'' || !strcmp(stmt, "pass"))
        return RNN_OK;
    char target[128] = "";
    const char *expr = NULL;
    if (!strncmp(stmt, "return ", 7)) {
        expr = stmt + 7;
    } else {
        size_t id = strspn(stmt, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        const char *p = stmt + id;
        while (*p == ' ') p++;
        if (id == 0 || id >= sizeof target || *p != '=' || p[1] == '=')
            return std_fail(k, "the statement '%.60s' (a standardize function assigns and returns tf.strings steps)", stmt);
        snprintf(target, sizeof target, "%.*s", (int)id, stmt);
        expr = p + 1;
    }
    rnn_value e = {0};
    rnn_error err = {0};
    if (rnn_expr_parse(expr, &e, &err) != RNN_OK) return std_fail(k, "%s", err.msg);
    int rc = std_expr(s, k, &e);
    rnn_value_free(&e);
    if (rc) return rc;
    if (target[0]) snprintf(k->current, sizeof k->current, "%s", target);
    else k->returned = true;
    return RNN_OK;
}

/* The standardize spec of def NAME(text): body statements of tf.strings steps, the last returned. */
static int std_compile_func(app_state *s, const char *name, char *spec, size_t cap, char *why, size_t n)
{
    py_session *ps = py_session_get(s);
    const py_func *f = py_find_func(ps, name);
    if (!f || !f->params || f->n_names != 1)
        return py_eval_fail(why, n, "standardize=%s: expected a function of one argument (def %s(text):)",
                            name, name);
    std_compile *k = calloc(1, sizeof *k);
    if (!k) return py_eval_fail(why, n, "out of memory");
    k->why = why;
    k->why_cap = n;
    snprintf(k->current, sizeof k->current, "%s", f->names[0]);
    snprintf(k->spec, sizeof k->spec, "custom");
    bool keep = s->keep_going;
    s->keep_going = false;
    char *body = strdup(f->body);
    int rc = body ? py_body_each(s, body, f->line, std_statement, k) : RNN_EINTERNAL;
    s->keep_going = keep;
    free(body);
    if (!rc && !k->rc && !k->returned) std_fail(k, "%s does not return the text its steps made", name);
    rnn_error err = {0};
    if (!rc && !k->rc && rnn_tokenizer_check_standardize(k->spec, &err)) std_fail(k, "%s", err.msg);
    rc = k->rc ? k->rc : rc;
    if (!rc && strlen(k->spec) >= cap) rc = py_eval_fail(why, n, "%s: more steps than rnnlab keeps", name);
    if (!rc) snprintf(spec, cap, "%s", k->spec);
    else if (k->rc) {
        char inner[300];
        snprintf(inner, sizeof inner, "%s", why);
        py_eval_fail(why, n, "standardize=%s: %s", name, inner);
    }
    free(k);
    return rc;
}

/* standardize= of TextVectorization(...) as written (before evaluation): a def's name is compiled
 * into its steps, a string that the evaluated call then carries. RNN_OK without one. */
int py_textvec_standardize_arg(app_state *s, rnn_value *call, char *why, size_t n)
{
    rnn_call *c = call->type == RNN_VAL_CALL ? call->call : NULL;
    for (int i = 0; c && i < c->n_args; i++) {
        if (!(c->keys[i] ? !strcmp(c->keys[i], "standardize") : i == 1)) continue;
        rnn_value *v = &c->args[i];
        if (v->type != RNN_VAL_IDENT || !py_find_func(py_session_get(s), v->string)) return RNN_OK;
        char spec[4096];
        int rc = std_compile_func(s, v->string, spec, sizeof spec, why, n);
        if (rc) return rc;
        char *copy = strdup(spec);
        if (!copy) return py_eval_fail(why, n, "out of memory");
        rnn_value_free(v);
        v->type = RNN_VAL_STRING;
        v->string = copy;
    }
    return RNN_OK;
}

/* Checks TextVectorization's arguments: the defaults rnnlab's style=textvectorization follows;
 * *max_tokens and *length (0: None) are read, and the standardize spec (empty: the default). */
static int textvec_args(const rnn_call *c, long *max_tokens, long *length, char *spec, size_t spec_cap, char *why,
                        size_t n)
{
    static const char *const keys[] = {"max_tokens", "standardize", "split", "ngrams", "output_mode",
                                       "output_sequence_length", "pad_to_max_tokens", "vocabulary", "idf_weights",
                                       "sparse", "ragged", "encoding", "name", NULL};
    static const struct { const char *key, *value; } fixed[] = {
        {"split", "whitespace"}, {"output_mode", "int"}, {"encoding", "utf-8"}};
    *max_tokens = *length = 0;
    spec[0] = 0;
    for (int i = 0; i < c->n_args; i++) {
        const char *k = c->keys[i] ? c->keys[i] : i < 6 ? keys[i] : NULL;
        const rnn_value *v = &c->args[i];
        if (!k) return py_eval_fail(why, n, "give TextVectorization's arguments after output_mode by keyword");
        if (!py_name_in(k, keys)) return py_eval_fail(why, n, "unknown argument %s=", k);
        if (!strcmp(k, "max_tokens") || !strcmp(k, "output_sequence_length")) {
            if (v->type == RNN_VAL_NONE) continue;
            if (v->type != RNN_VAL_NUMBER || !v->is_integer || v->number < 1 || v->number > 100000000)
                return py_eval_fail(why, n, "%s= expects a positive integer or None", k);
            *(k[0] == 'm' ? max_tokens : length) = (long)v->number;
            continue;
        }
        if (!strcmp(k, "standardize")) {
            rnn_error err = {0};
            if (v->type == RNN_VAL_NONE) snprintf(spec, spec_cap, "none");
            else if (v->type == RNN_VAL_STRING && strlen(v->string) < spec_cap &&
                     rnn_tokenizer_check_standardize(v->string, &err) == RNN_OK && strcmp(v->string, "none"))
                snprintf(spec, spec_cap, "%s", strcmp(v->string, "lower_and_strip_punctuation") ? v->string : "");
            else
                return py_eval_fail(why, n, "standardize= is 'lower_and_strip_punctuation', 'lower', "
                                    "'strip_punctuation', None, or a function of tf.strings.lower and "
                                    "tf.strings.regex_replace steps");
            continue;
        }
        for (size_t j = 0; j < sizeof fixed / sizeof *fixed; j++)
            if (!strcmp(k, fixed[j].key) && !(v->type == RNN_VAL_STRING && !strcasecmp(v->string, fixed[j].value)))
                return py_eval_fail(why, n, "%s= other than '%s' is not something rnnlab runs "
                                    "(it tokenizes as the default layer does)", k, fixed[j].value);
        if ((!strcmp(k, "ngrams") || !strcmp(k, "vocabulary") || !strcmp(k, "idf_weights")) && v->type != RNN_VAL_NONE)
            return py_eval_fail(why, n, "%s= is not supported by rnnlab (it learns the vocabulary "
                                "with adapt)", k);
        if ((!strcmp(k, "sparse") || !strcmp(k, "ragged")) && !(v->type == RNN_VAL_BOOL && v->number == 0))
            return py_eval_fail(why, n, "%s=True: rnnlab pads the ids", k);
    }
    if (*max_tokens == 1)
        return py_eval_fail(why, n, "max_tokens=1: it must be greater than 1 (room for '' and "
                            "'[UNK]'), as Keras's");
    return RNN_OK;
}

int py_textvec_check(const rnn_call *c, char *why, size_t n)
{
    long max_tokens, length;
    char spec[4096];
    return textvec_args(c, &max_tokens, &length, spec, sizeof spec, why, n);
}

/* The texts adapt() was given: the train texts (a pipeline mapped to them, or x_train); *vsplit
 * the validation_split of a training subset's pipeline. */
static int adapt_texts(const app_state *s, const rnn_value *data, double *vsplit, char *why, size_t n)
{
    py_tfdata d;
    const char *o = py_obj_is(data, "data."), *split;
    if (py_tfdata_get(data, &d)) {
        if (d.part != PY_TFDATA_TEXTS)
            return py_eval_fail(why, n, "adapt takes the texts: train_dataset.map(lambda text, label: text)");
        if (d.subset == PY_TFDATA_VALIDATION)
            return py_eval_fail(why, n, "adapt learns the vocabulary of the training texts, not the validation subset");
        *vsplit = d.subset == PY_TFDATA_TRAINING ? py_tfdata_fit_split(s, &d) : 0;
        split = d.split;
    } else if (o && strstr(o, "texts"))
        split = o;
    else
        return py_eval_fail(why, n, "adapt takes the loaded train texts (train_dataset.map(lambda text, label: text), "
                            "x_train)");
    if (!strncmp(split, "test", 4))
        return py_eval_fail(why, n, "adapt learns the vocabulary of the train texts, not the test texts");
    return RNN_OK;
}

/* The most ids a text of either split has: the layer pads each batch to its longest text, so no
 * text is cut (pad alone gives the test split the train split's width). */
static size_t longest_sequence(const app_state *s)
{
    size_t train = rnn_seqs_longest(&s->seq_train), test = rnn_seqs_longest(&s->seq_test);
    return train > test ? train : test;
}

/* encoder.adapt(texts): tokenize style=textvectorization, then the ids padded at the end as the
 * layer's output (to output_sequence_length, cut at the end, or to the longest text of both splits:
 * with mask_zero=True the padding changes nothing, and each batch runs only the steps its texts
 * need). */
int py_textvec_adapt(app_state *s, const rnn_value *tv, const rnn_value *data, bool fit_on_train, char *why, size_t n)
{
    long max_tokens, length;
    char spec[4096];
    double vsplit = 0;
    int rc;
    if ((rc = textvec_args(tv->call, &max_tokens, &length, spec, sizeof spec, why, n))) {
        char inner[400];
        snprintf(inner, sizeof inner, "%s", why);
        return py_eval_fail(why, n, "TextVectorization: %s", inner);   /* the layer's argument, named */
    }
    if ((rc = adapt_texts(s, data, &vsplit, why, n))) return rc;
    if (!s->ds) return py_eval_fail(why, n, "no data set is loaded");
    rnn_tokenizer_opts o;
    rnn_tokenizer_opts_default(&o);
    o.style = RNN_TOKENIZER_TEXTVECTORIZATION;
    o.num_words = (int)max_tokens;
    o.standardize = spec[0] ? spec : NULL;
    why[0] = 0;
    rnn_ngram_opts ng = {.n = 1};
    if ((rc = app_tokenize_run(s, app_command_find("tokenize"), &o, ng, s->ds->source_text && !fit_on_train, vsplit)))
        return rc;
    char cmd[160];
    if (!length) length = (long)longest_sequence(s);
    snprintf(cmd, sizeof cmd, "pad maxlen=%ld padding=post truncating=post", length > 0 ? length : 1);
    return app_exec_command(s, cmd);
}

/* get_vocabulary(include_special_tokens=True) and vocabulary_size() of the adapted layer; *handled
 * false when v is not a TextVectorization. */
int py_textvec_method(app_state *s, const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out,
                      bool *handled, char *why, size_t n)
{
    *handled = py_is_textvec(v);
    if (!*handled) return RNN_OK;
    if (!py_textvec_adapted(s)) return py_eval_fail(why, n, "the TextVectorization is not adapted yet (encoder.adapt(...))");
    size_t size = rnn_tokenizer_size(s->tok) + 1;   /* '' and the words from '[UNK]' on */
    if (!strcmp(method, "vocabulary_size")) {
        memset(out, 0, sizeof *out);
        out->type = RNN_VAL_NUMBER;
        out->number = (double)size;
        out->is_integer = true;
        return RNN_OK;
    }
    if (strcmp(method, "get_vocabulary") != 0)
        return py_eval_fail(why, n, "the method .%s() of TextVectorization is not something rnnlab runs", method);
    const rnn_value *special = args ? rnn_call_arg(args, 0, "include_special_tokens") : NULL;
    size_t first = special && special->type == RNN_VAL_BOOL && special->number == 0 ? 2 : 0;
    memset(out, 0, sizeof *out);
    out->type = RNN_VAL_LIST;
    if (!(out->items = calloc(size - first + 1, sizeof *out->items))) return py_eval_fail(why, n, "out of memory");
    for (size_t i = first; i < size; i++) {
        const char *w = i == 0 ? "" : rnn_tokenizer_word(s->tok, (int32_t)i);
        rnn_value *it = &out->items[out->n_items++];
        it->type = RNN_VAL_STRING;
        if (!(it->string = strdup(w ? w : ""))) return py_eval_fail(why, n, "out of memory");
    }
    return RNN_OK;
}
