/* TensorFlow's side of the tutorials that feed Keras from TensorFlow Datasets: tfds.load of the
 * IMDB reviews, tf.data pipelines over its splits (shuffle, batch, prefetch, map(lambda ...)) and
 * the TextVectorization layer that turns their texts into word ids (adapt, get_vocabulary). The
 * TensorFlow guide "Text classification with an RNN" is written this way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "app/internal.h"
#include "app/python.h"

/* ---- tf.data pipelines: the session object tfdata.SPLIT.BATCH.SHUFFLED.PART ---- */

static const char *const tfdata_parts[] = {"pairs", "dicts", "texts", "labels", NULL};

bool py_tfdata_get(const rnn_value *v, py_tfdata *d)
{
    const char *o = py_obj_is(v, "tfdata.");
    char part[16] = "";
    int shuffled = 0;
    memset(d, 0, sizeof *d);
    if (!o || sscanf(o, "%7[a-z].%ld.%d.%15[a-z]", d->split, &d->batch, &shuffled, part) != 4) return false;
    d->shuffled = shuffled != 0;
    for (int i = 0; tfdata_parts[i]; i++)
        if (!strcmp(part, tfdata_parts[i])) d->part = (py_tfdata_part)i;
    return true;
}

bool py_tfdata_value(rnn_value *out, const py_tfdata *d)
{
    char what[96];
    snprintf(what, sizeof what, "tfdata.%s.%ld.%d.%s", d->split, d->batch, d->shuffled, tfdata_parts[d->part]);
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

/* A method of a tf.data pipeline; *handled false when v is not one. */
int py_tfdata_method(const rnn_value *v, const char *method, const rnn_call *args, rnn_value *out, bool *handled,
                     char *why, size_t n)
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
    } else if (!strcmp(method, "map")) {
        int part = mapped_part(&d, a0);
        if (part < 0)
            return py_eval_fail(why, n, ".map() of a function rnnlab does not run; it takes the texts "
                                "(lambda text, label: text) or the labels (lambda text, label: label)");
        d.part = (py_tfdata_part)part;
    } else if (!strcmp(method, "take") || !strcmp(method, "skip") || !strcmp(method, "repeat") ||
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

/* Checks TextVectorization's arguments: the defaults rnnlab's style=textvectorization follows;
 * *max_tokens and *length (0: None) are read. */
static int textvec_args(const rnn_call *c, long *max_tokens, long *length, char *why, size_t n)
{
    static const char *const keys[] = {"max_tokens", "standardize", "split", "ngrams", "output_mode",
                                       "output_sequence_length", "pad_to_max_tokens", "vocabulary", "idf_weights",
                                       "sparse", "ragged", "encoding", "name", NULL};
    static const struct { const char *key, *value; } fixed[] = {
        {"standardize", "lower_and_strip_punctuation"}, {"split", "whitespace"}, {"output_mode", "int"},
        {"encoding", "utf-8"}};
    *max_tokens = *length = 0;
    for (int i = 0; i < c->n_args; i++) {
        const char *k = c->keys[i] ? c->keys[i] : i < 6 ? keys[i] : NULL;
        const rnn_value *v = &c->args[i];
        if (!k) return py_eval_fail(why, n, "give TextVectorization's arguments after output_mode by keyword");
        if (!py_name_in(k, keys)) return py_eval_fail(why, n, "TextVectorization: unknown argument %s=", k);
        if (!strcmp(k, "max_tokens") || !strcmp(k, "output_sequence_length")) {
            if (v->type == RNN_VAL_NONE) continue;
            if (v->type != RNN_VAL_NUMBER || !v->is_integer || v->number < 1 || v->number > 100000000)
                return py_eval_fail(why, n, "TextVectorization: %s= expects a positive integer or None", k);
            *(k[0] == 'm' ? max_tokens : length) = (long)v->number;
            continue;
        }
        for (size_t j = 0; j < sizeof fixed / sizeof *fixed; j++)
            if (!strcmp(k, fixed[j].key) && !(v->type == RNN_VAL_STRING && !strcasecmp(v->string, fixed[j].value)))
                return py_eval_fail(why, n, "TextVectorization: %s= other than '%s' is not something rnnlab runs "
                                    "(it tokenizes as the default layer does)", k, fixed[j].value);
        if ((!strcmp(k, "ngrams") || !strcmp(k, "vocabulary") || !strcmp(k, "idf_weights")) && v->type != RNN_VAL_NONE)
            return py_eval_fail(why, n, "TextVectorization: %s= is not supported by rnnlab (it learns the vocabulary "
                                "with adapt)", k);
        if ((!strcmp(k, "sparse") || !strcmp(k, "ragged")) && !(v->type == RNN_VAL_BOOL && v->number == 0))
            return py_eval_fail(why, n, "TextVectorization: %s=True: rnnlab pads the ids", k);
    }
    if (*max_tokens == 1)
        return py_eval_fail(why, n, "TextVectorization: max_tokens=1: it must be greater than 1 (room for '' and "
                            "'[UNK]'), as Keras's");
    return RNN_OK;
}

int py_textvec_check(const rnn_call *c, char *why, size_t n)
{
    long max_tokens, length;
    return textvec_args(c, &max_tokens, &length, why, n);
}

/* The texts adapt() was given: the train texts (a pipeline mapped to them, or x_train). */
static int adapt_texts(const rnn_value *data, char *why, size_t n)
{
    py_tfdata d;
    const char *o = py_obj_is(data, "data."), *split;
    if (py_tfdata_get(data, &d)) {
        if (d.part != PY_TFDATA_TEXTS)
            return py_eval_fail(why, n, "adapt takes the texts: train_dataset.map(lambda text, label: text)");
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
    int rc;
    if ((rc = textvec_args(tv->call, &max_tokens, &length, why, n)) || (rc = adapt_texts(data, why, n))) return rc;
    if (!s->ds) return py_eval_fail(why, n, "no data set is loaded");
    char cmd[160];
    snprintf(cmd, sizeof cmd, "tokenize style=textvectorization%s", fit_on_train ? " fit_on=train" : "");
    if (max_tokens) snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " max_tokens=%ld", max_tokens);
    why[0] = 0;
    if ((rc = app_exec_command(s, cmd))) return rc;
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
