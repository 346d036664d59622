/* The table of layer kinds, layer creation from a parsed call, and the kinds' optional operations
 * as the model calls them. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rnnlab/layers.h"
#include "rnnlab/tensor.h"
#include "layers/layer_util.h"
#include "layers/rnn_common.h"

/* Every kind, by Keras class name: a new kind is one line here (and its file in local.mk). */
static const rnn_layer_kind *const kinds[] = {
    &rnn_embedding_kind,
    &rnn_dense_kind,
    &rnn_dropout_kind,
    &rnn_spatial_dropout1d_kind,
    &rnn_flatten_kind,
    &rnn_global_max_pooling1d_kind,
    &rnn_global_average_pooling1d_kind,
    &rnn_conv1d_kind,
    &rnn_max_pooling1d_kind,
    &rnn_average_pooling1d_kind,
    &rnn_activation_kind,
    /* recurrent kinds: */
    &rnn_simple_rnn_kind,
    &rnn_lstm_kind,
    &rnn_gru_kind,
    &rnn_bidirectional_kind,
};

const rnn_layer_kind *const *rnn_layer_kinds(size_t *n)
{
    if (n)
        *n = sizeof kinds / sizeof *kinds;
    return kinds;
}

const rnn_layer_kind *rnn_layer_kind_find(const char *name)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kinds[i]->name, name) == 0)
            return kinds[i];
    return NULL;
}

/* Suggests a kind whose name differs only in case ("lstm" -> "LSTM"). */
static const rnn_layer_kind *kind_find_nocase(const char *name)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcasecmp(kinds[i]->name, name) == 0)
            return kinds[i];
    return NULL;
}

/* Other names Keras gives the same layers. The cuDNN recurrent layers take a subset of the
 * arguments (no dropout, no activations) and run as LSTM and GRU with cuDNN's fixed settings. */
static const char *const cudnn_lstm_keys[] = {
    "units", "return_sequences", "return_state", "go_backwards", "stateful", "unit_forget_bias",
    "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", NULL};
static const char *const cudnn_gru_keys[] = {
    "units", "return_sequences", "return_state", "go_backwards", "stateful",
    "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", NULL};

typedef struct layer_alias {
    const char *alias, *kind;
    const char *const *cudnn_keys;  /* a cuDNN layer's arguments; NULL for plain aliases */
    const char *note;
} layer_alias;

static const layer_alias aliases[] = {
    {"GlobalMaxPool1D", "GlobalMaxPooling1D", NULL, NULL},
    {"GlobalAvgPool1D", "GlobalAveragePooling1D", NULL, NULL},
    {"MaxPool1D", "MaxPooling1D", NULL, NULL},
    {"AvgPool1D", "AveragePooling1D", NULL, NULL},
    {"Convolution1D", "Conv1D", NULL, NULL},
    {"CuDNNLSTM", "LSTM", cudnn_lstm_keys,
     "CuDNNLSTM runs as LSTM with cuDNN's settings (activation='tanh', recurrent_activation='sigmoid', "
     "unit_forget_bias=True); one bias per gate where cuDNN keeps two, so 4 x units fewer parameters"},
    {"CuDNNGRU", "GRU", cudnn_gru_keys,
     "CuDNNGRU runs as GRU with cuDNN's settings (reset_after=True, activation='tanh', "
     "recurrent_activation='sigmoid')"},
};

static const layer_alias *alias_find(const char *name)
{
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (strcmp(aliases[i].alias, name) == 0)
            return &aliases[i];
    return NULL;
}

/* Arguments of a cuDNN layer that only have their default here (checked, then left out of the call
 * the LSTM or GRU kind reads). */
static const char *const cudnn_unsupported[] = {
    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
    "kernel_constraint", "recurrent_constraint", "bias_constraint", NULL};

static int cudnn_check_default(const rnn_call *call, const char *key, const char *dflt, rnn_error *err)
{
    const char *s;
    int rc = rnn_call_string(call, -1, key, dflt, &s, err);
    if (!rc && strcmp(s, dflt) != 0)
        rc = rnn_fail(err, RNN_EUSAGE, "%s: '%s' supports only '%s', got '%s'", call->name, key, dflt, s);
    return rc;
}

/* Checks a CuDNNLSTM/CuDNNGRU call and writes into *out the call of the kind it runs as: the same
 * arguments less those checked here, plus cuDNN's gate settings. out->keys/args are allocated
 * (free them, not the values, which stay the caller's). */
static int cudnn_rewrite(const rnn_call *call, const layer_alias *a, rnn_call *out, rnn_error *err)
{
    bool state = false, stateful = false;
    int rc = rnn_call_check_keys(call, 1, a->cudnn_keys, err);
    if (!rc) rc = layer_none_only(call, cudnn_unsupported, err);
    if (!rc) rc = rnn_call_bool(call, -1, "return_state", false, &state, err);
    if (!rc) rc = rnn_call_bool(call, -1, "stateful", false, &stateful, err);
    if (!rc) rc = cudnn_check_default(call, "kernel_initializer", "glorot_uniform", err);
    if (!rc) rc = cudnn_check_default(call, "recurrent_initializer", "orthogonal", err);
    if (!rc) rc = cudnn_check_default(call, "bias_initializer", "zeros", err);
    if (rc)
        return rc;
    if (state || stateful)
        return rnn_fail(err, RNN_EUSAGE, "%s: '%s=True' is not supported", call->name,
                        state ? "return_state" : "stateful");
    static rnn_value sigmoid = {.type = RNN_VAL_STRING, .string = "sigmoid"};
    static rnn_value yes = {.type = RNN_VAL_BOOL, .number = 1};
    *out = (rnn_call){.name = (char *)a->kind};
    out->keys = calloc((size_t)call->n_args + 2, sizeof *out->keys);
    out->args = calloc((size_t)call->n_args + 2, sizeof *out->args);
    if (!out->keys || !out->args)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    static const char *const dropped[] = {"return_state", "stateful", "kernel_initializer", "recurrent_initializer",
                                          "bias_initializer", NULL};
    for (int i = 0; i < call->n_args; i++) {
        bool drop = false;
        for (const char *const *d = call->keys[i] ? dropped : NULL; d && *d && !drop; d++)
            drop = strcmp(*d, call->keys[i]) == 0;
        for (const char *const *d = call->keys[i] ? cudnn_unsupported : NULL; d && *d && !drop; d++)
            drop = strcmp(*d, call->keys[i]) == 0;
        if (drop)
            continue;
        out->keys[out->n_args] = call->keys[i];
        out->args[out->n_args++] = call->args[i];
    }
    out->keys[out->n_args] = "recurrent_activation";
    out->args[out->n_args++] = sigmoid;
    if (strcmp(a->kind, "GRU") == 0) {
        out->keys[out->n_args] = "reset_after";
        out->args[out->n_args++] = yes;
    }
    return RNN_OK;
}

int rnn_layer_create(const rnn_call *call, const rnn_add_ctx *ctx, rnn_layer **out, rnn_error *err)
{
    *out = NULL;
    const layer_alias *alias = alias_find(call->name);
    if (alias && alias->cudnn_keys) {
        rnn_call as = {0};
        int rc = cudnn_rewrite(call, alias, &as, err);
        if (!rc)
            rc = rnn_layer_create(&as, ctx, out, err);
        free(as.keys);
        free(as.args);
        if (!rc)
            (*out)->note = alias->note;
        return rc;
    }
    const rnn_layer_kind *k = rnn_layer_kind_find(alias ? alias->kind : call->name);
    if (!k) {
        const rnn_layer_kind *near = kind_find_nocase(call->name);
        if (near)
            return rnn_fail(err, RNN_EUSAGE, "unknown layer '%s' (did you mean %s?)", call->name, near->name);
        char list[600] = "";
        size_t len = 0;
        for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
            layer_appendf(list, sizeof list, &len, "%s%s", i ? ", " : "", kinds[i]->name);
        for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
            layer_appendf(list, sizeof list, &len, ", %s", aliases[i].alias);
        return rnn_fail(err, RNN_EUSAGE, "unknown layer '%s' (expected one of: %s)", call->name, list);
    }
    rnn_layer *l = calloc(1, sizeof *l);
    if (!l)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    l->kind = k;
    l->threads = rnn_get_threads();
    const char *name = NULL;
    int rc = rnn_call_bool(call, -1, "trainable", true, &l->trainable, err);
    if (!rc)
        rc = rnn_call_name(call, sizeof l->name, &name, err);
    if (!rc && name)
        strcpy(l->name, name);
    rnn_add_ctx empty = {0};
    if (!rc)
        rc = k->configure(l, call, ctx ? ctx : &empty, err);
    if (rc) {
        rnn_layer_destroy(l);
        return rc;
    }
    *out = l;
    return RNN_OK;
}

void rnn_layer_destroy(rnn_layer *l)
{
    if (!l)
        return;
    if (l->kind && l->kind->destroy)
        l->kind->destroy(l);
    free(l);
}

const char *const *rnn_layer_aliases(size_t *n)
{
    static const char *names[sizeof aliases / sizeof *aliases];
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        names[i] = aliases[i].alias;
    *n = sizeof aliases / sizeof *aliases;
    return names;
}

const char *const *rnn_layer_keys(const char *name)
{
    const layer_alias *a = alias_find(name);
    if (a && a->cudnn_keys)
        return a->cudnn_keys;
    const rnn_layer_kind *k = rnn_layer_kind_find(a ? a->kind : name);
    if (!k)
        return NULL;
    return k->keys ? k->keys : k->cell ? k->cell->keys : NULL;  /* recurrent kinds: their cell's */
}

int rnn_layer_out_steps(const rnn_layer *l, int T)
{
    return l->kind->out_steps ? l->kind->out_steps(l, T) : T;
}

long rnn_layer_sparse_rows(const rnn_layer *l, const int32_t **rows, int *row_len)
{
    *rows = NULL;
    *row_len = 0;
    return l->kind->sparse_rows ? l->kind->sparse_rows(l, rows, row_len) : -1;
}

void rnn_layer_sparse_rows_mark(rnn_layer *l, const int32_t *rows, long n)
{
    if (l->kind->sparse_rows_mark)
        l->kind->sparse_rows_mark(l, rows, n);
}

void rnn_layer_zero_grad(rnn_layer *l)
{
    if (l->kind->zero_grad)
        l->kind->zero_grad(l);
    else
        memset(l->grads, 0, l->n_params * sizeof(float));
}

int rnn_layer_check_ids(const rnn_layer *l, const int32_t *ids, size_t B, int T, rnn_error *err)
{
    return l->kind->check_ids ? l->kind->check_ids(l, ids, B, T, err) : RNN_OK;
}

char *rnn_shape_str(rnn_shape s, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    layer_appendf(buf, n, &len, "(None");
    for (int i = 0; i < s.rank; i++) {
        if (s.dim[i] < 0)
            layer_appendf(buf, n, &len, ", None");
        else
            layer_appendf(buf, n, &len, ", %d", s.dim[i]);
    }
    layer_appendf(buf, n, &len, ")");
    return buf;
}
