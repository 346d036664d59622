/* Embedding(input_dim, output_dim, input_length=None, mask_zero=False, weights=pretrained, trainable=True):
 * token ids -> vectors. ids [B][T] (batch-major) in, sequence [T][B][D] (time-major) out. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "layers/layer_util.h"
#include "core/vector_kernel.h"
#include "core/parallel.h"

typedef struct embedding_cfg {
    int input_dim, output_dim, input_length; /* input_length -1 = None */
    bool mask_zero;
    float *pretrained;          /* private copy of weights=... (only when trainable: reset needs it) */
    const rnn_fmatrix *source;  /* weights=... until the first init */
    bool frozen_pretrained;     /* params hold pretrained weights without a private copy */
    const int32_t *x;           /* ids of the last forward */
    uint8_t *mask;              /* [T][B] */
    size_t mask_cap;
    uint8_t *touched;           /* [input_dim] 1 = row has gradient since the last zero_grad */
    int32_t *rows;              /* the touched rows, in first-touch order */
    size_t n_rows;
    int32_t *uses;              /* [input_dim] examples of the batch per row (backward's split), else 0 */
} embedding_cfg;

static const char *const embedding_keys[] = {
    "input_dim", "output_dim", "input_length", "mask_zero", "weights", "embeddings_initializer", NULL};

/* weights=pretrained or weights=[pretrained] (any identifier names the loaded embeddings). */
static int embedding_weights(rnn_layer *l, embedding_cfg *c, const rnn_call *call, const rnn_add_ctx *ctx,
                             rnn_error *err)
{
    const rnn_value *v = rnn_call_arg(call, -1, "weights");
    if (!v || v->type == RNN_VAL_NONE)
        return RNN_OK;
    if (v->type == RNN_VAL_LIST && v->n_items == 1)
        v = &v->items[0];
    if (v->type != RNN_VAL_IDENT)
        return rnn_fail(err, RNN_EUSAGE, "Embedding: 'weights' expects pretrained (the vectors from "
                        "`embeddings load`)");
    if (!ctx->pretrained || !ctx->pretrained->data)
        return rnn_fail(err, RNN_EUSAGE, "Embedding: weights=%s but no pretrained vectors are loaded "
                        "(run `embeddings load FILE` first)", v->string);
    if (ctx->pretrained->rows != (size_t)c->input_dim || ctx->pretrained->cols != (size_t)c->output_dim)
        return rnn_fail(err, RNN_EUSAGE, "Embedding: weights=%s is %zu x %zu but the layer is "
                        "input_dim=%d x output_dim=%d", v->string, ctx->pretrained->rows,
                        ctx->pretrained->cols, c->input_dim, c->output_dim);
    c->source = ctx->pretrained;
    if (l->trainable) {
        size_t n = (size_t)c->input_dim * c->output_dim;
        c->pretrained = malloc(n * sizeof(float));
        if (!c->pretrained)
            return rnn_fail(err, RNN_EINTERNAL, "Embedding: out of memory for the pretrained weights");
        memcpy(c->pretrained, ctx->pretrained->data, n * sizeof(float));
    }
    return RNN_OK;
}

static int embedding_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    embedding_cfg *c = calloc(1, sizeof *c);
    if (!c)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    l->cfg = c;
    long in_dim, out_dim, len;
    const char *init;
    int rc = rnn_call_check_keys(call, 3, embedding_keys, err);
    if (!rc) rc = rnn_call_int(call, 0, "input_dim", -1, &in_dim, err);
    if (!rc) rc = rnn_call_int(call, 1, "output_dim", -1, &out_dim, err);
    if (!rc) rc = rnn_call_int(call, 2, "input_length", -1, &len, err);
    if (!rc) rc = rnn_call_bool(call, -1, "mask_zero", false, &c->mask_zero, err);
    if (!rc) rc = rnn_call_string(call, -1, "embeddings_initializer", "uniform", &init, err);
    if (rc)
        return rc;
    if (in_dim < 1)
        return rnn_fail(err, RNN_EUSAGE, "Embedding: 'input_dim' (the vocabulary size) must be a positive "
                        "integer, e.g. Embedding(10000, 32)");
    if (out_dim < 1)
        return rnn_fail(err, RNN_EUSAGE, "Embedding: 'output_dim' must be a positive integer, e.g. "
                        "Embedding(10000, 32)");
    if ((rc = layer_check_size("Embedding", "input_dim", in_dim, LAYER_MAX_VOCABULARY, err)) ||
        (rc = layer_check_size("Embedding", "output_dim", out_dim, LAYER_MAX_UNITS, err)))
        return rc;
    if (len == 0 || len < -1)
        return rnn_fail(err, RNN_EUSAGE, "Embedding: 'input_length' must be a positive integer or None");
    if (len > RNN_MAX_SEQUENCE_LENGTH)
        return layer_check_size("Embedding", "input_length", len, RNN_MAX_SEQUENCE_LENGTH, err);
    if (strcmp(init, "uniform") != 0 && strcmp(init, "random_uniform") != 0 && strcmp(init, "RandomUniform") != 0)
        return rnn_fail(err, RNN_EUSAGE, "Embedding: 'embeddings_initializer' supports only 'uniform', got '%s'",
                        init);
    c->input_dim = (int)in_dim;
    c->output_dim = (int)out_dim;
    c->input_length = (int)len;
    return embedding_weights(l, c, call, ctx, err);
}

static int embedding_build(rnn_layer *l, rnn_error *err)
{
    embedding_cfg *c = l->cfg;
    if (!l->in.is_ids)
        return rnn_fail(err, RNN_EUSAGE, "%s: Embedding must be the first layer (it takes token ids)", l->name);
    if (c->input_length > 0 && l->in.dim[0] > 0 && c->input_length != l->in.dim[0])
        return rnn_fail(err, RNN_EUSAGE, "%s: input_length=%d but the Input has length %d", l->name,
                        c->input_length, l->in.dim[0]);
    l->out = (rnn_shape){.rank = 2, .dim = {c->input_length > 0 ? c->input_length : l->in.dim[0], c->output_dim}};
    l->n_params = (size_t)c->input_dim * c->output_dim;
    return RNN_OK;
}

/* Keras: RandomUniform(-0.05, 0.05), or the pretrained vectors. */
static int embedding_init(rnn_layer *l, rnn_rng *rng, rnn_error *err)
{
    (void)err;
    embedding_cfg *c = l->cfg;
    size_t n = (size_t)c->input_dim * c->output_dim;
    if (c->pretrained)
        memcpy(l->params, c->pretrained, n * sizeof(float));
    else if (c->source)
        memcpy(l->params, c->source->data, n * sizeof(float));
    else if (!c->frozen_pretrained)
        rnn_fill_uniform(rng, l->params, n, -0.05f, 0.05f);
    /* the caller's matrix may go away: frozen pretrained weights stay as they are on reset */
    c->frozen_pretrained |= c->source != NULL;
    c->source = NULL;
    return RNN_OK;
}

static int embedding_reserve(rnn_layer *l, int B, int T, rnn_error *err)
{
    embedding_cfg *c = l->cfg;
    size_t need = (size_t)B * T;
    if (!c->touched) { /* sparse-row bookkeeping, sized once */
        c->touched = calloc((size_t)c->input_dim, 1);
        c->rows = malloc((size_t)c->input_dim * sizeof *c->rows);
        c->uses = calloc((size_t)c->input_dim, sizeof *c->uses);
        if (!c->touched || !c->rows || !c->uses)
            return rnn_fail(err, RNN_EINTERNAL, "%s: out of memory", l->name);
    }
    if (!c->mask_zero || need <= c->mask_cap)
        return RNN_OK;
    uint8_t *m = realloc(c->mask, need);
    if (!m)
        return rnn_fail(err, RNN_EINTERNAL, "%s: out of memory", l->name);
    c->mask = m;
    c->mask_cap = need;
    return RNN_OK;
}

/* The row bookkeeping of sparse gradients, and the mask. */
static size_t embedding_workspace_bytes(const rnn_layer *l, int B, int T)
{
    const embedding_cfg *c = l->cfg;
    return (size_t)c->input_dim * (1 + sizeof *c->rows + sizeof *c->uses) + (c->mask_zero ? (size_t)B * T : 0);
}

/* Below this many floats (1 MB) a part, the batch's rows are copied or added on one thread: waking
 * a worker and waiting for it cost more than copying a review's rows (bigru_000's one-review
 * predict, 284 rows of 300, was 5-10% slower with two parts). */
enum { EMBEDDING_MIN_PART_FLOATS = 1 << 18 };

/* y rows of steps [t0, t1) (y [T][B][D]) = the rows of ids x[B][T] (vectorised: D is the embedding
 * width; a memcpy call per row costs more than the copy at D = 32, so the loop is kept a loop). */
RNN_SHORT_COPY_KERNEL
static void embedding_gather(float *restrict y, const float *restrict table, const int32_t *restrict x, int B,
                             int T, int D, int t0, int t1)
{
    for (int t = t0; t < t1; t++)
        for (int b = 0; b < B; b++) {
            const float *row = table + (size_t)x[(size_t)b * T + t] * D;
            float *out = y + ((size_t)t * B + b) * D;
            for (int j = 0; j < D; j++)
                out[j] = row[j];
        }
}

typedef struct embedding_fwd_job {
    const rnn_layer *l;
    const int32_t *x;
    float *y;
    int B, T;
} embedding_fwd_job;

/* Part i of n of the forward: its share of the steps, rows and mask. */
static void embedding_forward_part(void *ctx, int i, int n)
{
    const embedding_fwd_job *j = ctx;
    const embedding_cfg *c = j->l->cfg;
    size_t t0, t1;
    rnn_parallel_range(i, n, (size_t)j->T, 1, &t0, &t1);
    if (j->y)  /* no rows when the next layer reads them by id (rnn_fwd.rows_by_id) */
        embedding_gather(j->y, j->l->params, j->x, j->B, j->T, c->output_dim, (int)t0, (int)t1);
    if (c->mask_zero)
        for (size_t t = t0; t < t1; t++)
            for (int b = 0; b < j->B; b++)
                c->mask[t * j->B + b] = j->x[(size_t)b * j->T + t] != 0;
}

/* x ids [B][T] -> y [T][B][D]; mask [T][B] = (id != 0) when mask_zero. The steps are shared out
 * over the engine's threads: each part writes its own rows, so the result does not depend on it. */
static void embedding_forward(rnn_layer *l, const rnn_fwd *f, const void *xv, float *y)
{
    embedding_cfg *c = l->cfg;
    c->x = xv;
    embedding_fwd_job job = {l, xv, f->rows_by_id ? NULL : y, f->B, f->T};
    size_t floats = (size_t)f->B * f->T * c->output_dim;
    rnn_parallel(rnn_parallel_parts(floats, EMBEDDING_MIN_PART_FLOATS), embedding_forward_part, &job);
}

/* g[D] += d[D]: one example's gradient into its row (vectorised: D is the embedding width). */
RNN_VECTOR_KERNEL
static void embedding_row_add(float *restrict g, const float *restrict d, int D)
{
    for (int j = 0; j < D; j++)
        g[j] += d[j];
}

/* Row id has gradient since the last zero_grad: appended to the list at its first touch. */
static void embedding_touch(embedding_cfg *c, int32_t id)
{
    if (!c->touched[id]) {
        c->touched[id] = 1;
        c->rows[c->n_rows++] = id;
    }
}

/* Marks the batch's rows touched and, when `count`, counts each row's examples into uses. */
static void embedding_mark_batch(embedding_cfg *c, int B, int T, bool count)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            int32_t id = c->x[(size_t)b * T + t];
            embedding_touch(c, id);
            if (count)
                c->uses[id]++;
        }
}

/* uses back to 0 (every row with a count is in the list of touched rows). */
static void embedding_clear_uses(embedding_cfg *c)
{
    for (size_t i = 0; i < c->n_rows; i++)
        c->uses[c->rows[i]] = 0;
}

/* bound[0..n]: n ranges of row ids with about as many of the batch's examples each (of `total`),
 * from the counts in uses, which are cleared. A row is never split: its examples stay in order. */
static void embedding_split_rows(embedding_cfg *c, size_t total, int n, int32_t *bound)
{
    size_t seen = 0;
    int k = 1;
    bound[0] = 0;
    for (int32_t id = 0; id < c->input_dim && k < n; id++) {
        seen += (size_t)c->uses[id];
        while (k < n && seen * (size_t)n >= total * (size_t)k)
            bound[k++] = id + 1;
    }
    while (k <= n)
        bound[k++] = c->input_dim;
    embedding_clear_uses(c);
}

typedef struct embedding_bwd_job {
    const rnn_layer *l;
    const float *dy;
    int B, T;
    int32_t bound[RNN_PARALLEL_MAX + 1];
} embedding_bwd_job;

/* Part i of the backward: the examples of rows [bound[i], bound[i+1]), each row's added in (t, b)
 * order, as a single pass over the batch adds them. */
static void embedding_backward_part(void *ctx, int i, int n)
{
    (void)n;
    const embedding_bwd_job *j = ctx;
    const embedding_cfg *c = j->l->cfg;
    uint32_t lo = (uint32_t)j->bound[i], span = (uint32_t)j->bound[i + 1] - lo;
    int B = j->B, T = j->T, D = c->output_dim;
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            int32_t id = c->x[(size_t)b * T + t];
            if ((uint32_t)id - lo < span)
                embedding_row_add(j->l->grads + (size_t)id * D, j->dy + ((size_t)t * B + b) * D, D);
        }
}

/* dy by id ([U][D], rnn_fwd.rows_by_id): a row for each of the batch's U distinct ids, ascending
 * (rnn_fwd.distinct_ids, as the reading layer indexed them), each added to its id's row. */
static void embedding_backward_by_id(rnn_layer *l, const rnn_fwd *f, const float *dy)
{
    embedding_cfg *c = l->cfg;
    size_t D = (size_t)c->output_dim;
    for (int u = 0; u < f->n_distinct; u++) {
        int32_t id = f->distinct_ids[u];
        embedding_touch(c, id);
        embedding_row_add(l->grads + (size_t)id * D, dy + (size_t)u * D, (int)D);
    }
}

/* dy [T][B][D] -> sparse row update: only rows of ids seen in the batch get gradient. The rows are
 * shared out over the engine's threads by id, in ranges of about equal work (the padding id alone
 * is often half a batch); each row's sum is the one a single thread makes, bit for bit. */
static void embedding_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    (void)dx;
    embedding_cfg *c = l->cfg;
    if (!l->trainable)
        return;
    if (f->rows_by_id) {
        if (c->touched || embedding_reserve(l, 0, 0, NULL) == RNN_OK)
            embedding_backward_by_id(l, f, dy);
        return;
    }
    embedding_bwd_job job = {l, dy, f->B, f->T, {0}};
    size_t examples = (size_t)f->B * f->T;
    int n = c->touched ? rnn_parallel_parts(examples * c->output_dim, EMBEDDING_MIN_PART_FLOATS) : 1;
    if (c->touched)
        embedding_mark_batch(c, f->B, f->T, n > 1);
    if (n > 1)
        embedding_split_rows(c, examples, n, job.bound);
    else
        job.bound[1] = c->input_dim;
    rnn_parallel(n, embedding_backward_part, &job);
}

static const uint8_t *embedding_out_mask(rnn_layer *l, const rnn_fwd *f, const void *x)
{
    (void)f, (void)x;
    embedding_cfg *c = l->cfg;
    return c->mask_zero ? c->mask : NULL;
}

static int embedding_describe(const rnn_layer *l, char *buf, size_t n)
{
    const embedding_cfg *c = l->cfg;
    size_t len = 0;
    buf[0] = '\0';
    layer_appendf(buf, n, &len, "Embedding(%d, %d", c->input_dim, c->output_dim);
    if (l->out.dim[0] > 0) /* also a length fixed by Input(shape=(T,)), so a saved model keeps it */
        layer_appendf(buf, n, &len, ", input_length=%d", l->out.dim[0]);
    if (c->mask_zero)
        layer_appendf(buf, n, &len, ", mask_zero=True");
    if (!l->trainable)
        layer_appendf(buf, n, &len, ", trainable=False");
    layer_appendf(buf, n, &len, ")");
    return (int)len;
}

static int embedding_param_groups(const rnn_layer *l, const char **names, size_t *sizes, int max)
{
    if (max < 1)
        return 0;
    names[0] = "embeddings";
    sizes[0] = l->n_params;
    return 1;
}

static void embedding_destroy(rnn_layer *l)
{
    embedding_cfg *c = l->cfg;
    if (c) {
        free(c->pretrained);
        free(c->mask);
        free(c->touched);
        free(c->rows);
        free(c->uses);
        free(c);
    }
    l->cfg = NULL;
}

/* Every id of the batch x [B][T] must be a row of the table. */
static int embedding_check_ids(const rnn_layer *l, const int32_t *x, size_t B, int T, rnn_error *err)
{
    int vocab = ((const embedding_cfg *)l->cfg)->input_dim;
    for (size_t i = 0; i < B * (size_t)T; i++)
        if (x[i] < 0 || x[i] >= vocab)
            return rnn_fail(err, RNN_EDATA, "%s: token id %d (sample %zu, step %zu) is not in [0, %d): "
                            "tokenize with num_words <= input_dim", l->name, (int)x[i], i / T, i % T, vocab);
    return RNN_OK;
}

/* The rows backward touched since the last zero_grad, each output_dim floats. */
static long embedding_sparse_rows(const rnn_layer *l, const int32_t **rows, int *row_len)
{
    const embedding_cfg *c = l->cfg;
    *row_len = l->in.is_ids && l->out.rank == 2 ? l->out.dim[1] : 0;
    if (!c->touched) /* no reserve yet: no backward either */
        return 0;
    *rows = c->rows;
    return (long)c->n_rows;
}

static void embedding_sparse_rows_mark(rnn_layer *l, const int32_t *rows, long n)
{
    embedding_cfg *c = l->cfg;
    if (!c->touched && embedding_reserve(l, 0, 0, NULL))
        return;
    for (long i = 0; i < n; i++)
        if (rows[i] >= 0 && rows[i] < c->input_dim)
            embedding_touch(c, rows[i]);
}

/* Clears only the touched rows (exact: backward writes nowhere else). */
static void embedding_zero_grad(rnn_layer *l)
{
    embedding_cfg *c = l->cfg;
    size_t D = (size_t)c->output_dim;
    if (!c->touched) {
        memset(l->grads, 0, l->n_params * sizeof(float));
        return;
    }
    if (c->n_rows * 4 > (size_t)c->input_dim) /* most rows touched: one memset is cheaper */
        memset(l->grads, 0, l->n_params * sizeof(float));
    else
        for (size_t i = 0; i < c->n_rows; i++)
            memset(l->grads + (size_t)c->rows[i] * D, 0, D * sizeof(float));
    for (size_t i = 0; i < c->n_rows; i++)
        c->touched[c->rows[i]] = 0;
    c->n_rows = 0;
}

/* With mask_zero=True the output mask marks id 0 as padding. */
static bool embedding_masks_zero(const rnn_layer *l)
{
    return ((const embedding_cfg *)l->cfg)->mask_zero;
}

const rnn_layer_kind rnn_embedding_kind = {
    .name = "Embedding",
    .prefix = "embedding",
    .configure = embedding_configure,
    .keys = embedding_keys,
    .build = embedding_build,
    .init = embedding_init,
    .reserve = embedding_reserve,
    .forward = embedding_forward,
    .backward = embedding_backward,
    .out_mask = embedding_out_mask,
    .describe = embedding_describe,
    .param_groups = embedding_param_groups,
    .destroy = embedding_destroy,
    .workspace_bytes = embedding_workspace_bytes,
    .takes_ids = true,
    .output_unread_by_backward = true,
    .out_table_rows = true,
    .check_ids = embedding_check_ids,
    .zero_grad = embedding_zero_grad,
    .sparse_rows = embedding_sparse_rows,
    .masks_padding = embedding_masks_zero,
    .sparse_rows_mark = embedding_sparse_rows_mark,
};
