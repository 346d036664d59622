/* The table of layer kinds, layer creation from a parsed call, and the kinds' optional operations
 * as the model calls them. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rnnlab/layers.h"
#include "rnnlab/tensor.h"
#include "layers/layer_util.h"

/* Every kind, by Keras class name: a new kind is one line here (and its file in local.mk). */
static const rnn_layer_kind *const kinds[] = {
    &rnn_embedding_kind,
    &rnn_dense_kind,
    &rnn_dropout_kind,
    &rnn_spatial_dropout1d_kind,
    &rnn_flatten_kind,
    &rnn_global_max_pooling1d_kind,
    &rnn_global_average_pooling1d_kind,
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

int rnn_layer_create(const rnn_call *call, const rnn_add_ctx *ctx, rnn_layer **out, rnn_error *err)
{
    *out = NULL;
    const rnn_layer_kind *k = rnn_layer_kind_find(call->name);
    if (!k) {
        const rnn_layer_kind *near = kind_find_nocase(call->name);
        if (near)
            return rnn_fail(err, RNN_EUSAGE, "unknown layer '%s' (did you mean %s?)", call->name, near->name);
        char list[400] = "";
        size_t len = 0;
        for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
            layer_appendf(list, sizeof list, &len, "%s%s", i ? ", " : "", kinds[i]->name);
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
        rc = rnn_call_string(call, -1, "name", NULL, &name, err);
    if (!rc && name) {
        if (strlen(name) >= sizeof l->name)
            rc = rnn_fail(err, RNN_EUSAGE, "%s: 'name' is too long (at most %zu characters)", call->name,
                          sizeof l->name - 1);
        else
            strcpy(l->name, name);
    }
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
