/* Sequential models: layers appended from Keras calls, parameters and gradients in one aligned block
 * each with per-layer views, shape inference at add, forward/backward over a batch with
 * workspaces reserved once per (B, T) growth (no allocation inside forward/backward). */
#include "config.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/model.h"
#include "rnnlab/tensor.h"
#include "model/model_internal.h"


rnn_model *rnn_model_new(const char *name, unsigned long seed)
{
    rnn_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    snprintf(m->name, sizeof m->name, "%s", name && *name ? name : "sequential");
    m->input_length = -1;
    m->seed = seed;
    m->rng = rnn_rng_new(seed);
    if (!m->rng) {
        free(m);
        return NULL;
    }
    return m;
}

static bool act_shared(const rnn_model *m, size_t i);
static bool dact_shared(const rnn_model *m, size_t i);

static void model_free_buffers(rnn_model *m)
{
    for (size_t i = 0; i < m->n; i++) {  /* a shared buffer is freed by its owner */
        if (!act_shared(m, i))
            rnn_free_aligned(m->act[i]);
        if (!dact_shared(m, i))
            rnn_free_aligned(m->dact[i]);
        m->act[i] = m->dact[i] = NULL;
    }
    rnn_free_aligned(m->out_buf);
    rnn_free_aligned(m->dout_buf);
    m->out_buf = m->dout_buf = NULL;
    m->cap_B = m->cap_T = 0;
}

void rnn_model_free(rnn_model *m)
{
    if (!m)
        return;
    model_free_buffers(m);
    if (m->train_state && m->train_state_free)
        m->train_state_free(m->train_state);
    for (size_t i = 0; i < m->n; i++)
        rnn_layer_destroy(m->layers[i]);
    free(m->layers);
    free(m->act);
    free(m->dact);
    free(m->fwd);
    rnn_free_aligned(m->params);
    rnn_free_aligned(m->grads);
    rnn_rng_free(m->rng);
    free(m);
}

const char *rnn_model_name(const rnn_model *m) { return m->name; }
void *rnn_model_train_state(const rnn_model *m) { return m->train_state; }
rnn_rng *rnn_model_rng(rnn_model *m) { return m->rng; }

void rnn_model_set_train_state(rnn_model *m, void *state, void (*destroy)(void *state))
{
    if (m->train_state && m->train_state_free && m->train_state != state)
        m->train_state_free(m->train_state);
    m->train_state = state;
    m->train_state_free = destroy;
}
size_t rnn_model_n_layers(const rnn_model *m) { return m->n; }
rnn_layer *rnn_model_layer(rnn_model *m, size_t i) { return i < m->n ? m->layers[i] : NULL; }
float *rnn_model_params(rnn_model *m) { return m->params; }
float *rnn_model_grads(rnn_model *m) { return m->grads; }

rnn_shape rnn_model_output_shape(const rnn_model *m)
{
    if (m->n == 0)
        return (rnn_shape){.rank = 1, .dim = {m->input_length}, .is_ids = true};
    return m->layers[m->n - 1]->out;
}

size_t rnn_model_n_params(const rnn_model *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++)
        n += m->layers[i]->n_params;
    return n;
}

size_t rnn_model_n_trainable(const rnn_model *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++)
        n += m->layers[i]->trainable ? m->layers[i]->n_params : 0;
    return n;
}

/* Parameter and gradient blocks for a list of layers, before they replace the model's. */
typedef struct model_blocks {
    float *p, *g;
    size_t total;
} model_blocks;

static size_t layers_n_params(rnn_layer *const *layers, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += layers[i]->n_params;
    return total;
}

static int model_blocks_alloc(rnn_layer *const *layers, size_t n, model_blocks *b, rnn_error *err)
{
    b->total = layers_n_params(layers, n);
    b->p = rnn_alloc_aligned((b->total ? b->total : 1) * sizeof(float));
    b->g = rnn_alloc_aligned((b->total ? b->total : 1) * sizeof(float));
    if (!b->p || !b->g) {
        rnn_free_aligned(b->p);
        rnn_free_aligned(b->g);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory for %zu parameters", b->total);
    }
    return RNN_OK;
}

/* Float offset of layer i's parameters in blocks laid out for layers[0..]. */
static size_t layers_offset(rnn_layer *const *layers, size_t i)
{
    return layers_n_params(layers, i);
}

/* Moves the layers' parameters into the blocks (a layer already pointing there keeps its values),
 * re-points every view and frees the old blocks. The views are contiguous in layer order (no
 * padding), so the blocks are exactly rnn_model_n_params floats and can be copied whole (best
 * weights, save files). Gradients start at zero (a frozen layer's stay untouched). */
static void model_blocks_commit(rnn_model *m, rnn_layer **layers, size_t n, model_blocks *b)
{
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        rnn_layer *l = layers[i];
        if (l->params && l->params != b->p + off)
            memcpy(b->p + off, l->params, l->n_params * sizeof(float));
        l->params = b->p + off;
        l->grads = b->g + off;
        off += l->n_params;
    }
    rnn_free_aligned(m->params);
    rnn_free_aligned(m->grads);
    m->params = b->p;
    m->grads = b->g;
    m->n_floats = b->total;
}

/* Lays out the first n layers' parameters in fresh blocks (copying their values). */
static int model_layout(rnn_model *m, rnn_layer **layers, size_t n, rnn_error *err)
{
    model_blocks b;
    int rc = model_blocks_alloc(layers, n, &b, err);
    if (!rc)
        model_blocks_commit(m, layers, n, &b);
    return rc;
}

/* Before the blocks for a new layer are allocated: the new parameter and gradient blocks (the old
 * ones are freed only after) and the scratch of the layer's initialiser. */
static int model_check_add_memory(const rnn_model *m, const rnn_layer *l, rnn_error *err)
{
    uint64_t floats = (uint64_t)rnn_model_n_params(m) + l->n_params;
    uint64_t need = 2 * floats * sizeof(float) + (l->kind->init_bytes ? l->kind->init_bytes(l) : 0);
    char call[160];
    l->kind->describe(l, call, sizeof call);
    return rnn_mem_check(need, 0, "use a smaller layer", err, "%s (%zu parameters, their gradients%s)", call,
                         l->n_params, l->kind->init_bytes ? " and the initialiser's scratch" : "");
}

/* Keras-style auto name: prefix, prefix_1, prefix_2, ... unique within the model. */
static void model_auto_name(rnn_model *m, rnn_layer *l)
{
    for (int k = 0;; k++) {
        char name[sizeof l->name];
        if (k == 0)
            snprintf(name, sizeof name, "%s", l->kind->prefix);
        else
            snprintf(name, sizeof name, "%s_%d", l->kind->prefix, k);
        bool used = false;
        for (size_t i = 0; i < m->n && !used; i++)
            used = strcmp(m->layers[i]->name, name) == 0;
        if (!used) {
            memcpy(l->name, name, sizeof name);
            return;
        }
    }
}

static int model_grow_arrays(rnn_model *m, rnn_error *err)
{
    if (m->n < m->cap)
        return RNN_OK;
    /* Four arrays of one length: each grows from the same capacity to the same new one. */
    size_t cap[4] = {m->cap, m->cap, m->cap, m->cap}, need = m->n + 1;
    if (rnn_grow(&m->layers, &cap[0], need, sizeof *m->layers) || rnn_grow(&m->act, &cap[1], need, sizeof *m->act)
        || rnn_grow(&m->dact, &cap[2], need, sizeof *m->dact) || rnn_grow(&m->fwd, &cap[3], need, sizeof *m->fwd))
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    m->cap = cap[0];
    return RNN_OK;
}

/* The rows of the Embedding's table when a layer added now would read them: the model is the
 * Embedding, then only layers that are the identity outside training (0 otherwise). */
static int model_table_rows_next(const rnn_model *m)
{
    const rnn_layer *e = m->n > 0 ? m->layers[0] : NULL;
    if (!e || !e->kind->out_table_rows || e->out.rank != 2 || e->out.dim[1] <= 0)
        return 0;
    for (size_t i = 1; i < m->n; i++)
        if (!m->layers[i]->kind->identity_outside_training)
            return 0;
    return (int)(e->n_params / (size_t)e->out.dim[1]);
}

/* Prefixes a build error with what came before, e.g. "after LSTM(32, return_sequences=True)". */
static int model_build_layer(rnn_model *m, rnn_layer *l, rnn_error *err)
{
    rnn_error e = {0};
    l->in = rnn_model_output_shape(m);
    l->in_table_rows = model_table_rows_next(m);
    if (m->n == 0 && !l->kind->takes_ids)
        return rnn_fail(err, RNN_EUSAGE, "%s: the first layer must be Embedding (the model's input is token "
                        "ids), e.g. add Embedding(10000, 32)", l->kind->name);
    int rc = l->kind->build(l, &e);
    if (rc && m->n > 0) {
        char prev[160];
        const rnn_layer *p = m->layers[m->n - 1];
        p->kind->describe(p, prev, sizeof prev);
        return rnn_fail(err, rc, "%s after %s: %s", l->kind->name, prev, e.msg);
    }
    if (rc)
        return rnn_fail(err, rc, "%s", e.msg);
    return RNN_OK;
}

/* The sequence length of Input's shape=(T,) / input_shape=(T,) (Keras 2's InputLayer), or of
 * batch_shape=(B, T) / batch_input_shape=(B, T): T, or -1 for None. */
static int input_length_arg(const rnn_call *call, int *T, rnn_error *err)
{
    static const char *const names[] = {"shape", "input_shape", "batch_shape", "batch_input_shape"};
    const rnn_value *v = NULL;
    int which = -1;
    for (int i = 0; i < 4; i++) {
        const rnn_value *a = rnn_call_arg(call, i == 0 ? 0 : -1, names[i]);
        if (a && v)
            return rnn_fail(err, RNN_EUSAGE, "%s: give one of shape, input_shape, batch_shape", call->name);
        if (a) {
            v = a;
            which = i;
        }
    }
    int want = which >= 2 ? 2 : 1;  /* items in the tuple: (T,) or (batch, T) */
    const rnn_value *t = v && v->type == RNN_VAL_LIST && v->n_items == want ? &v->items[want - 1] : NULL;
    if (!t || !(t->type == RNN_VAL_NONE || (t->type == RNN_VAL_NUMBER && t->is_integer && t->number >= 1)))
        return rnn_fail(err, RNN_EUSAGE, "%s: '%s' expects a tuple with the sequence length, e.g. "
                        "Input(shape=(284,)) or Input(shape=(None,))", call->name, which >= 0 ? names[which] : "shape");
    if (t->type == RNN_VAL_NUMBER && t->number > RNN_MAX_SEQUENCE_LENGTH)
        return rnn_fail(err, RNN_EUSAGE, "%s: the sequence length %.0f is above the limit of %d", call->name,
                        t->number, RNN_MAX_SEQUENCE_LENGTH);
    *T = t->type == RNN_VAL_NONE ? -1 : (int)t->number;
    return RNN_OK;
}

/* Input(shape=(T,)) as the first entry of a Keras Sequential list: the model's input spec, the
 * sequence length (None: any). It must match the padded data when there is some. */
static int model_add_input(rnn_model *m, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    static const char *const keys[] = {"shape", "input_shape", "batch_size", "batch_shape", "batch_input_shape",
                                       "sparse", NULL};
    int T = -1, rc = rnn_call_check_keys(call, 1, keys, err);
    if (rc || (rc = input_length_arg(call, &T, err)))
        return rc;
    const char *name = NULL;
    if ((rc = rnn_call_name(call, sizeof m->input_name, &name, err)))
        return rc;
    if (m->n > 0)
        return rnn_fail(err, RNN_EUSAGE, "%s: must come before the first layer (pop the layers, or start "
                        "with model new)", call->name);
    if (T > 0 && ctx && ctx->data_length > 0 && T != ctx->data_length)
        return rnn_fail(err, RNN_EUSAGE, "%s: the sequence length %d does not match the data, padded to "
                        "maxlen=%d: use shape=(%d,), or pad maxlen=%d", call->name, T, ctx->data_length,
                        ctx->data_length, T);
    model_restore_input(m, m->functional, true, name, T);
    return RNN_OK;
}

void model_restore_input(rnn_model *m, bool functional, bool has_input, const char *name, int T)
{
    m->functional = functional;
    m->input_length = has_input && T > 0 ? T : -1;
    snprintf(m->input_name, sizeof m->input_name, "%s", !has_input ? "" : name && *name ? name : "input_1");
}

int rnn_model_input_length(const rnn_model *m) { return m->input_length; }

void rnn_model_set_functional(rnn_model *m)
{
    if (strcmp(m->name, "sequential") == 0)
        snprintf(m->name, sizeof m->name, "model");
    m->functional = true;
}

bool rnn_model_is_functional(const rnn_model *m) { return m->functional; }

const char *rnn_model_input_name(const rnn_model *m) { return m->input_name[0] ? m->input_name : NULL; }

/* Initialises a new layer; on failure the generator is back where it was, so that a failed add
 * leaves every later draw (and a session's replay) as it would have been. */
static int model_init_layer(rnn_model *m, rnn_layer *l, rnn_error *err)
{
    rnn_rng *saved = rnn_rng_clone(m->rng);
    if (!saved)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int rc = l->kind->init(l, m->rng, err);
    if (rc)
        rnn_rng_restore(m->rng, saved);
    rnn_rng_free(saved);
    return rc;
}

int rnn_model_add(rnn_model *m, const char *keras_call, const rnn_add_ctx *ctx, rnn_error *err)
{
    rnn_call *call = NULL;
    rnn_layer *l = NULL;
    int rc = rnn_call_parse(keras_call, &call, err);
    if (!rc && (strcmp(call->name, "Input") == 0 || strcmp(call->name, "InputLayer") == 0)) {
        rc = model_add_input(m, call, ctx, err);
        rnn_call_free(call);
        return rc;
    }
    if (!rc)
        rc = rnn_layer_create(call, ctx, &l, err);
    rnn_call_free(call);
    if (rc)
        return rc;
    if (!l->name[0])
        model_auto_name(m, l);
    else
        for (size_t i = 0; i < m->n; i++)
            if (strcmp(m->layers[i]->name, l->name) == 0) {
                rc = rnn_fail(err, RNN_EUSAGE, "%s: a layer named '%s' already exists in the model",
                              l->kind->name, l->name);
                break;
            }
    if (!rc)
        rc = model_grow_arrays(m, err);
    if (!rc)
        rc = model_build_layer(m, l, err);
    if (!rc && ctx && ctx->saved_params && *ctx->saved_params != l->n_params)
        rc = rnn_fail(err, RNN_EDATA, "%s has %zu parameter%s, but the file gives it %llu", l->kind->name,
                      l->n_params, l->n_params == 1 ? "" : "s", (unsigned long long)*ctx->saved_params);
    if (!rc)
        rc = model_check_add_memory(m, l, err);
    model_blocks b = {0};
    if (!rc) {
        m->layers[m->n] = l; /* tentatively, for the layout */
        rc = model_blocks_alloc(m->layers, m->n + 1, &b, err);
    }
    if (!rc) { /* initialised in its place in the new blocks: a failure leaves the model as it was */
        l->params = b.p + layers_offset(m->layers, m->n);
        l->grads = b.g + layers_offset(m->layers, m->n);
        rc = model_init_layer(m, l, err);
        if (rc) {
            rnn_free_aligned(b.p);
            rnn_free_aligned(b.g);
        }
    }
    if (rc) {
        rnn_layer_destroy(l);
        return rc;
    }
    model_blocks_commit(m, m->layers, m->n + 1, &b);
    model_free_buffers(m); /* as the old stack shared them; the next forward reserves for the new one */
    m->act[m->n] = m->dact[m->n] = NULL;
    m->n++;
    return RNN_OK;
}

int rnn_model_pop(rnn_model *m, rnn_error *err)
{
    if (m->n == 0 && m->input_name[0]) { /* undo Input(...) */
        model_restore_input(m, m->functional, false, NULL, -1);
        return RNN_OK;
    }
    if (m->n == 0)
        return rnn_fail(err, RNN_EUSAGE, "the model has no layers");
    model_free_buffers(m);
    rnn_layer *l = m->layers[m->n - 1];
    int rc = model_layout(m, m->layers, m->n - 1, err);
    if (rc)
        return rc;
    m->n--;
    rnn_layer_destroy(l);
    return RNN_OK;
}

int rnn_model_reset(rnn_model *m, unsigned long seed, rnn_error *err)
{
    m->seed = seed;
    rnn_rng_seed(m->rng, seed);
    int rc = RNN_OK;
    for (size_t i = 0; i < m->n && !rc; i++)
        rc = m->layers[i]->kind->init(m->layers[i], m->rng, err);
    rnn_model_zero_grad(m);
    return rc;
}

/* Frozen layers never receive gradient (their region stays zero), so a frozen pretrained
 * Embedding's millions of floats are not cleared every batch; a trainable Embedding clears
 * only the rows its backward touched. */
void rnn_model_zero_grad(rnn_model *m)
{
    for (size_t i = 0; i < m->n; i++) {
        rnn_layer *l = m->layers[i];
        if (!l->trainable || !l->n_params)
            continue;
        rnn_layer_zero_grad(l); /* an Embedding clears only the rows the last batches touched */
    }
}

/* Floats of a layer's output for a batch of B sequences of T steps. */
static size_t shape_floats(rnn_shape s, int B, int T)
{
    return s.rank == 2 ? (size_t)B * T * s.dim[1] : (size_t)B * s.dim[0];
}

/* Layer i's output is written over its input's buffer: an in_place kind after a layer whose backward
 * does not read its output (they have one size). */
static bool act_shared(const rnn_model *m, size_t i)
{
    return i > 0 && m->layers[i]->kind->in_place && m->layers[i - 1]->kind->output_unread_by_backward;
}

/* dact[i], the gradient of layer i's output, is not a buffer of its own: the last layer's comes from
 * the caller, and an in_place layer i+1 writes its input gradient over its output gradient (unless it
 * is the last layer: the caller's buffer is not the model's to write). */
static bool dact_shared(const rnn_model *m, size_t i)
{
    return i + 1 >= m->n || (i + 2 < m->n && m->layers[i + 1]->kind->in_place);
}

/* Bytes of layer i's activation and activation-gradient buffers (those it owns), and of its workspace. */
static uint64_t layer_batch_bytes(const rnn_model *m, size_t i, int B, int T)
{
    const rnn_layer *l = m->layers[i];
    uint64_t buf = (uint64_t)shape_floats(l->out, B, T) * sizeof(float) + 64;
    uint64_t bytes = (act_shared(m, i) ? 0 : buf) + (dact_shared(m, i) ? 0 : buf);
    return bytes + (l->kind->workspace_bytes ? l->kind->workspace_bytes(l, B, T) : 0);
}

uint64_t rnn_model_batch_bytes(const rnn_model *m, int B, int T, const rnn_layer **largest)
{
    uint64_t total = 0, most = 0;
    if (largest)
        *largest = NULL;
    for (size_t i = 0; i < m->n; i++) {
        uint64_t b = layer_batch_bytes(m, i, B, T);
        total += b;
        if (largest && b > most) {
            most = b;
            *largest = m->layers[i];
        }
    }
    rnn_shape out = rnn_model_output_shape(m);
    if (m->n && out.rank == 2) /* a sequence output's batch-major copy and its gradient */
        total += 2 * (uint64_t)shape_floats(out, B, T) * sizeof(float);
    return total;
}

/* Bytes the batch buffers hold now (they are freed before growing). */
static uint64_t model_held_bytes(const rnn_model *m)
{
    return m->cap_B > 0 ? rnn_model_batch_bytes(m, m->cap_B, m->cap_T, NULL) : 0;
}

int rnn_model_check_memory(const rnn_model *m, int B, int T, uint64_t extra, rnn_error *err)
{
    if ((uint64_t)B * (uint64_t)T > INT_MAX) /* rows of the sequence GEMMs are int */
        return rnn_fail(err, RNN_EUSAGE, "a batch of %d x %d has more than %d time steps in all: lower "
                        "batch_size or maxlen", B, T, INT_MAX);
    int nB = B > m->cap_B ? B : m->cap_B, nT = T > m->cap_T ? T : m->cap_T;
    const rnn_layer *big;
    uint64_t need = rnn_model_batch_bytes(m, nB, nT, &big) + extra;
    char call[160] = "";
    if (big)
        big->kind->describe(big, call, sizeof call);
    return rnn_mem_check(need, model_held_bytes(m), "lower batch_size or maxlen", err,
                         "a batch of %d x %d (%s workspaces)", nB, nT, call);
}

/* Sizes every layer's workspace and activation buffers for batches up to (B, T); only grows. */
static int model_reserve(rnn_model *m, int B, int T, rnn_error *err)
{
    int threads = rnn_get_threads();
    if (B <= m->cap_B && T <= m->cap_T && threads == m->reserved_threads)
        return RNN_OK;
    int nB = B > m->cap_B ? B : m->cap_B, nT = T > m->cap_T ? T : m->cap_T;
    int rc = rnn_model_check_memory(m, nB, nT, 0, err);
    if (rc)
        return rc;
    model_free_buffers(m);
    for (size_t i = 0; i < m->n; i++) {
        rnn_layer *l = m->layers[i];
        size_t n = shape_floats(l->out, nB, nT);
        l->threads = threads; /* layers may size per-thread workspaces in reserve */
        int rc = l->kind->reserve(l, nB, nT, err);
        if (rc)
            return rc;
        m->act[i] = act_shared(m, i) ? m->act[i - 1] : rnn_alloc_aligned(n * sizeof(float));
        if (!m->act[i])
            return rnn_fail(err, RNN_EINTERNAL, "out of memory for a batch of %d x %d", nB, nT);
    }
    for (size_t i = m->n; i-- > 0;) {  /* gradients from the end: shared ones are the next layer's */
        if (dact_shared(m, i)) {
            m->dact[i] = i + 1 < m->n ? m->dact[i + 1] : NULL;
            continue;
        }
        if (!(m->dact[i] = rnn_alloc_aligned(shape_floats(m->layers[i]->out, nB, nT) * sizeof(float))))
            return rnn_fail(err, RNN_EINTERNAL, "out of memory for a batch of %d x %d", nB, nT);
    }
    rnn_shape out = rnn_model_output_shape(m);
    if (out.rank == 2) { /* a sequence output is returned batch-major */
        size_t n = shape_floats(out, nB, nT);
        m->out_buf = rnn_alloc_aligned(n * sizeof(float));
        m->dout_buf = rnn_alloc_aligned(n * sizeof(float));
        if (!m->out_buf || !m->dout_buf)
            return rnn_fail(err, RNN_EINTERNAL, "out of memory for a batch of %d x %d", nB, nT);
    }
    m->cap_B = nB;
    m->cap_T = nT;
    m->reserved_threads = threads;
    return RNN_OK;
}

int rnn_model_reserve(rnn_model *m, int B, int T, rnn_error *err)
{
    if (!m || B < 1 || T < 1)
        return rnn_fail(err, RNN_EUSAGE, "no batch to reserve for");
    return model_reserve(m, B, T, err);
}

/* Checks rows of ids against the model before running them: length and id range. */
int rnn_model_check_input(const rnn_model *m, const int32_t *x, size_t B, int T, rnn_error *err)
{
    if (m->n == 0)
        return rnn_fail(err, RNN_EUSAGE, "the model has no layers (add Embedding(...) first)");
    if (B < 1 || T < 1)
        return rnn_fail(err, RNN_EUSAGE, "empty batch (%zu x %d)", B, T);
    const rnn_layer *first = m->layers[0];
    if (m->input_length > 0 && m->input_length != T)
        return rnn_fail(err, RNN_EDATA, "the model's Input has shape=(%d,) but the sequences have length %d "
                        "(pad them to maxlen=%d)", m->input_length, T, m->input_length);
    if (first->out.rank == 2 && first->out.dim[0] > 0 && first->out.dim[0] != T)
        return rnn_fail(err, RNN_EDATA, "%s has input_length=%d but the sequences have length %d (pad them "
                        "to maxlen=%d)", first->name, first->out.dim[0], T, first->out.dim[0]);
    int steps = T;
    for (size_t i = 0; i < m->n; i++) {
        int in = steps;
        if ((steps = rnn_layer_out_steps(m->layers[i], steps)) < 1)
            return rnn_fail(err, RNN_EDATA, "%s: sequences of %d steps reach it with %d, too few for its window "
                            "(pad them to a longer maxlen)", m->layers[i]->name, T, in);
    }
    return rnn_layer_check_ids(first, x, B, T, err);
}

bool rnn_model_any_length(const rnn_model *m)
{
    if (!m || m->n == 0 || m->input_length > 0)
        return false;
    const rnn_layer *first = m->layers[0];
    return !(first->out.rank == 2 && first->out.dim[0] > 0);
}

bool rnn_model_skips_padding(const rnn_model *m)
{
    const rnn_layer *first = m && m->n ? m->layers[0] : NULL;
    if (!rnn_model_any_length(m) || !first->kind->masks_padding || !first->kind->masks_padding(first) ||
        rnn_model_output_shape(m).rank == 2)
        return false;
    for (size_t i = 1; i < m->n && m->layers[i]->in.rank == 2; i++)
        if (!m->layers[i]->kind->honours_mask)
            return false;
    return true;
}

bool rnn_model_mask_reaches(const rnn_model *m, size_t i)
{
    const rnn_layer *first = m && m->n > i && i > 0 ? m->layers[0] : NULL;
    if (!first || !first->kind->masks_padding || !first->kind->masks_padding(first))
        return false;
    for (size_t j = 1; j < i; j++)
        if (m->layers[j]->out.rank != 2 || m->layers[j]->kind->drops_mask)
            return false;
    return true;
}

/* [T][B][F] -> [B][T][F] (or back with to_time_major). */
static void model_transpose(const float *src, float *dst, int B, int T, int F, bool to_time_major)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            size_t tm = ((size_t)t * B + b) * F, bm = ((size_t)b * T + t) * F;
            memcpy(dst + (to_time_major ? tm : bm), src + (to_time_major ? bm : tm), (size_t)F * sizeof(float));
        }
}

/* The layer that reads the Embedding's rows (rnn_layer.in_table_rows) in this call, or 0: the first
 * after the Embedding that is not the identity outside training; in training only right after it
 * (layers between would change the rows). */
static size_t model_table_reader(const rnn_model *m, bool training)
{
    for (size_t i = 1; i < m->n; i++) {
        const rnn_layer *l = m->layers[i];
        if (l->in_table_rows <= 0)
            return 0;
        if (!l->kind->identity_outside_training)
            return i == 1 || !training ? i : 0;
    }
    return 0;
}

/* Whether the reader (model_table_reader) reads its input through the ids and the table alone for
 * this batch (rnn_layer_kind.reads_rows_by_id): the Embedding and the layers between then write no
 * rows, and the Embedding takes its gradient by id. */
static bool model_rows_by_id(const rnn_model *m, size_t reader, const int32_t *x, int B, int T, bool training,
                             rnn_fwd *ids)
{
    if (!reader || !m->layers[reader]->kind->reads_rows_by_id)
        return false;
    rnn_fwd f = {.B = B, .T = T, .training = training, .rng = m->rng, .ids = x, .table = m->layers[0]->params};
    bool by_id = m->layers[reader]->kind->reads_rows_by_id(m->layers[reader], &f);
    /* without the batch's distinct ids the Embedding's backward would add no row: the rows' path */
    if (by_id && (!f.distinct_ids || f.n_distinct <= 0))
        by_id = false;
    ids->distinct_ids = by_id ? f.distinct_ids : NULL;
    ids->n_distinct = by_id ? f.n_distinct : 0;
    return by_id;
}

const float *rnn_model_forward(rnn_model *m, const int32_t *x, int B, int T, bool training, rnn_error *err)
{
    m->have_forward = false;
    if (rnn_model_check_input(m, x, B > 0 ? (size_t)B : 0, T, err) || model_reserve(m, B, T, err))
        return NULL;
    const void *in = x;
    const uint8_t *mask = NULL;
    int steps = T; /* of the current layer's input: Conv1D and the 1D poolings shorten it */
    size_t reader = model_table_reader(m, training);
    rnn_fwd distinct = {0};  /* the reader's distinct ids, for the Embedding's backward */
    bool by_id = model_rows_by_id(m, reader, x, B, T, training, &distinct);
    for (size_t i = 0; i < m->n; i++) {
        rnn_layer *l = m->layers[i];
        m->fwd[i] = (rnn_fwd){.B = B, .T = steps, .training = training, .rng = m->rng, .mask = mask,
                              .rows_by_id = by_id && i <= reader};
        if (by_id && i == 0) {
            m->fwd[i].distinct_ids = distinct.distinct_ids;
            m->fwd[i].n_distinct = distinct.n_distinct;
        }
        if (reader && i == reader) {  /* its input rows are the Embedding's rows of these ids */
            m->fwd[i].ids = x;
            m->fwd[i].table = m->layers[0]->params;
        }
        l->kind->forward(l, &m->fwd[i], in, m->act[i]);
        if (l->kind->out_mask)
            mask = l->kind->out_mask(l, &m->fwd[i], in);
        else if (l->out.rank != 2)
            mask = NULL;
        in = m->act[i];
        steps = rnn_layer_out_steps(l, steps);
    }
    m->B = B;
    m->T = steps;
    m->have_forward = true;
    rnn_shape out = rnn_model_output_shape(m);
    if (out.rank == 2) {
        model_transpose(m->act[m->n - 1], m->out_buf, B, steps, out.dim[1], false);
        return m->out_buf;
    }
    return m->act[m->n - 1];
}

const float *rnn_model_logits(const rnn_model *m, rnn_out_act *act)
{
    if (!m->have_forward || m->n == 0 || rnn_model_output_shape(m).rank != 1)
        return NULL;
    const rnn_layer *l = m->layers[m->n - 1];
    return l->kind->logits ? l->kind->logits(l, act) : NULL;
}

static int model_backward(rnn_model *m, const float *dout, bool dlogits, rnn_error *err);

int rnn_model_backward(rnn_model *m, const float *dout, rnn_error *err)
{
    return model_backward(m, dout, false, err);
}

int rnn_model_backward_logits(rnn_model *m, const float *dlogits, rnn_error *err)
{
    rnn_out_act act;
    if (!rnn_model_logits(m, &act))
        return rnn_fail(err, RNN_EUSAGE, "backward from logits: the output layer gives none");
    return model_backward(m, dlogits, true, err);
}

static int model_backward(rnn_model *m, const float *dout, bool dlogits, rnn_error *err)
{
    if (!m->have_forward)
        return rnn_fail(err, RNN_EUSAGE, "backward without a successful forward");
    rnn_shape out = rnn_model_output_shape(m);
    const float *d = dout;
    if (out.rank == 2) {
        model_transpose(dout, m->dout_buf, m->B, m->T, out.dim[1], true);
        d = m->dout_buf;
    }
    /* No layer before `first` has trainable parameters: nothing there needs an input gradient. */
    size_t first = m->n;
    for (size_t i = 0; i < m->n; i++)
        if (m->layers[i]->trainable && m->layers[i]->n_params > 0) {
            first = i;
            break;
        }
    m->fwd[m->n - 1].dy_is_logits = dlogits;
    for (size_t i = m->n; i-- > first;) {
        rnn_layer *l = m->layers[i];
        float *dx = i > first ? m->dact[i - 1] : NULL;
        l->kind->backward(l, &m->fwd[i], d, dx);
        d = dx;
    }
    m->fwd[m->n - 1].dy_is_logits = false;
    return RNN_OK;
}
