/* The recurrent-layer driver shared by SimpleRNN, LSTM and GRU: configuration, Keras layout and
 * initialisation, workspaces, the input projection and weight gradients as single GEMMs around a
 * time loop of per-step kernels (in simple_rnn.c, lstm.c, gru.c), dropout masks and threads. */
#include "config.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "layers/rnn_common.h"

extern const rnn_cell_ops rnn_simple_rnn_ops, rnn_lstm_ops, rnn_gru_ops;

/* ---- configuration ---- */

static const char *const rec_keys_simple[] = {
    "units", "activation", "use_bias", "dropout", "recurrent_dropout", "return_sequences",
    "go_backwards", "unroll", NULL};
static const char *const rec_keys_lstm[] = {
    "units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias", "dropout",
    "recurrent_dropout", "return_sequences", "go_backwards", "unroll", NULL};
static const char *const rec_keys_gru[] = {
    "units", "activation", "recurrent_activation", "use_bias", "reset_after", "dropout",
    "recurrent_dropout", "return_sequences", "go_backwards", "unroll", NULL};

/* LSTM and GRU kernels are written for tanh/sigmoid only (as Keras's defaults). */
static int rec_check_gate_acts(const rnn_call *call, rnn_error *err)
{
    layer_act a, ra;
    int rc = layer_act_parse(call, -1, "activation", "tanh", &a, err);
    if (!rc)
        rc = layer_act_parse(call, -1, "recurrent_activation", "sigmoid", &ra, err);
    if (rc)
        return rc;
    if (a != ACT_TANH)
        return rnn_fail(err, RNN_EUSAGE, "%s: only activation='tanh' is supported", call->name);
    if (ra != ACT_SIGMOID)
        return rnn_fail(err, RNN_EUSAGE, "%s: only recurrent_activation='sigmoid' is supported", call->name);
    return RNN_OK;
}

static int rec_read_args(rnn_rec *r, const rnn_call *call, rnn_error *err)
{
    long units;
    int rc = RNN_OK;
    if (!rnn_call_arg(call, 0, "units"))
        return rnn_fail(err, RNN_EUSAGE, "%s: missing 'units' (e.g. %s(32))", call->name, call->name);
    if ((rc = rnn_call_int(call, 0, "units", 0, &units, err)))
        return rc;
    if (units < 1 || units > 65536)
        return rnn_fail(err, RNN_EUSAGE, "%s: 'units' must be a positive integer, got %ld", call->name, units);
    r->H = (int)units;
    if (!rc) rc = rnn_call_bool(call, -1, "use_bias", true, &r->use_bias, err);
    if (!rc) rc = rnn_call_bool(call, -1, "return_sequences", false, &r->return_sequences, err);
    if (!rc) rc = rnn_call_bool(call, -1, "go_backwards", false, &r->go_backwards, err);
    if (!rc) rc = rnn_call_float(call, -1, "dropout", 0.0, &r->dropout, err);
    if (!rc) rc = rnn_call_float(call, -1, "recurrent_dropout", 0.0, &r->recurrent_dropout, err);
    bool unroll;
    if (!rc) rc = rnn_call_bool(call, -1, "unroll", false, &unroll, err);  /* no effect here */
    if (rc)
        return rc;
    if (r->dropout < 0 || r->dropout >= 1)
        return rnn_fail(err, RNN_EUSAGE, "%s: 'dropout' must be in [0, 1), got %g", call->name, r->dropout);
    if (r->recurrent_dropout < 0 || r->recurrent_dropout >= 1)
        return rnn_fail(err, RNN_EUSAGE, "%s: 'recurrent_dropout' must be in [0, 1), got %g", call->name,
                        r->recurrent_dropout);
    switch (r->cell) {
    case RNN_CELL_SIMPLE:
        r->G = 1;
        r->ops = &rnn_simple_rnn_ops;
        if ((rc = layer_act_parse(call, 1, "activation", "tanh", &r->act, err)))
            return rc;
        if (r->act == ACT_SOFTMAX)
            return rnn_fail(err, RNN_EUSAGE, "%s: activation='softmax' is not supported in a recurrent layer",
                            call->name);
        break;
    case RNN_CELL_LSTM:
        r->G = 4;
        r->ops = &rnn_lstm_ops;
        r->act = ACT_TANH;
        if (!rc) rc = rnn_call_bool(call, -1, "unit_forget_bias", true, &r->unit_forget_bias, err);
        if (!rc) rc = rec_check_gate_acts(call, err);
        break;
    case RNN_CELL_GRU:
        r->G = 3;
        r->ops = &rnn_gru_ops;
        r->act = ACT_TANH;
        if (!rc) rc = rnn_call_bool(call, -1, "reset_after", true, &r->reset_after, err);
        if (!rc) rc = rec_check_gate_acts(call, err);
        break;
    }
    return rc;
}

int rnn_rec_configure(rnn_layer *l, const rnn_call *call, rnn_cell_type cell, rnn_error *err)
{
    const char *const *keys = cell == RNN_CELL_SIMPLE ? rec_keys_simple
                            : cell == RNN_CELL_LSTM ? rec_keys_lstm : rec_keys_gru;
    int rc = rnn_call_check_keys(call, cell == RNN_CELL_SIMPLE ? 2 : 1, keys, err);
    if (rc)
        return rc;
    rnn_rec *r = calloc(1, sizeof *r);
    if (!r)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    r->cell = cell;
    if ((rc = rec_read_args(r, call, err))) {
        free(r);
        return rc;
    }
    l->cfg = r;
    return RNN_OK;
}

size_t rnn_rec_bias_size(const rnn_rec *r)
{
    if (!r->use_bias)
        return 0;
    return (size_t)(r->cell == RNN_CELL_GRU && r->reset_after ? 2 : 1) * r->G * r->H;
}

int rnn_rec_build(rnn_layer *l, rnn_error *err)
{
    rnn_rec *r = l->cfg;
    if (l->in.rank != 2 || l->in.is_ids)
        return rnn_fail(err, RNN_EUSAGE,
                        "%s: expects a sequence input of shape (batch, timesteps, features), got rank %d%s",
                        l->name, l->in.rank + 1, l->in.is_ids ? " ids (add an Embedding first)" : "");
    r->F = l->in.dim[1];
    if (r->F < 1)
        return rnn_fail(err, RNN_EUSAGE, "%s: the input's feature dimension must be known", l->name);
    size_t GH = (size_t)r->G * r->H;
    l->n_params = (size_t)r->F * GH + (size_t)r->H * GH + rnn_rec_bias_size(r);
    if (r->return_sequences) {
        l->out.rank = 2;
        l->out.dim[0] = l->in.dim[0];
        l->out.dim[1] = r->H;
    } else {
        l->out.rank = 1;
        l->out.dim[0] = r->H;
    }
    l->out.is_ids = false;
    return RNN_OK;
}

/* Views of the parameter (or gradient) block: kernel [F][GH], recurrent [H][GH], bias. */
static inline float *rec_kernel(const rnn_rec *r, float *p) { (void)r; return p; }
static inline float *rec_recurrent(const rnn_rec *r, float *p) { return p + (size_t)r->F * r->G * r->H; }
static inline float *rec_bias(const rnn_rec *r, float *p)
{
    return p + (size_t)(r->F + r->H) * r->G * r->H;
}

void rnn_rec_init(rnn_layer *l, rnn_rng *rng)
{
    rnn_rec *r = l->cfg;
    int GH = r->G * r->H;
    rnn_init_glorot_uniform(rng, rec_kernel(r, l->params), r->F, GH);
    rnn_init_orthogonal(rng, rec_recurrent(r, l->params), r->H, GH);
    if (!r->use_bias)
        return;
    float *b = rec_bias(r, l->params);
    memset(b, 0, rnn_rec_bias_size(r) * sizeof *b);
    if (r->cell == RNN_CELL_LSTM && r->unit_forget_bias)
        for (int j = r->H; j < 2 * r->H; j++)
            b[j] = 1.0f;  /* Keras unit_forget_bias: forget gate starts open */
}

/* ---- workspaces: one aligned block, carved into buffers ---- */

typedef struct rec_block {
    float *base;
    size_t used;
} rec_block;

/* Next buffer of n floats from the block (64-byte aligned); with base NULL only counts. */
static float *rec_carve(rec_block *k, size_t n)
{
    float *p = k->base ? k->base + k->used : NULL;
    k->used += (n + 15) & ~(size_t)15;
    return p;
}

/* Lays out every workspace for B x T in k (counting only when k->base is NULL). */
static void rec_layout(rnn_rec *r, rec_block *k, int B, int T)
{
    size_t BT = (size_t)B * T, GH = (size_t)r->G * r->H, H = r->H, F = r->F;
    bool reorder = r->go_backwards || r->dropout > 0;  /* input copied into processing order */
    r->xin = reorder ? rec_carve(k, BT * F) : NULL;
    r->dxs = reorder ? rec_carve(k, BT * F) : NULL;
    r->gates = rec_carve(k, BT * GH);
    r->dgates = rec_carve(k, BT * GH);
    r->hs = rec_carve(k, BT * H + B * H);
    r->cs = r->cell == RNN_CELL_LSTM ? rec_carve(k, BT * H + B * H) : NULL;
    r->hd = r->recurrent_dropout > 0 ? rec_carve(k, BT * H) : NULL;
    bool gru = r->cell == RNN_CELL_GRU;
    r->aux = gru ? rec_carve(k, BT * H) : NULL;
    r->rec = gru ? rec_carve(k, (size_t)B * GH) : NULL;
    r->dgrec = gru && r->reset_after ? rec_carve(k, BT * GH) : NULL;
    r->dh = rec_carve(k, (size_t)B * H);
    r->dc = rec_carve(k, (size_t)B * H);
    r->dtmp = rec_carve(k, (size_t)B * H);
    r->dmask = rec_carve(k, (size_t)B * F);
    r->rmask = rec_carve(k, (size_t)B * H);
    r->zbias = rec_carve(k, 2 * GH);
}

int rnn_rec_reserve(rnn_layer *l, int B, int T, rnn_error *err)
{
    rnn_rec *r = l->cfg;
    if (B <= r->capB && T <= r->capT)
        return RNN_OK;
    int nB = B > r->capB ? B : r->capB, nT = T > r->capT ? T : r->capT;
    rec_block k = {0};
    rec_layout(r, &k, nB, nT);
    int rc = layer_reserve_floats(&r->block, &r->block_cap, k.used, err, l->name);
    if (rc)
        return rc;
    memset(r->block, 0, k.used * sizeof(float));
    k = (rec_block){.base = r->block};
    rec_layout(r, &k, nB, nT);
    r->capB = nB;
    r->capT = nT;
    return RNN_OK;
}

/* ---- threads ---- */

typedef struct par_job {
    void (*fn)(void *ctx, int i, int n);
    void *ctx;
    int i, n;
} par_job;

static void *par_run(void *arg)
{
    par_job *j = arg;
    j->fn(j->ctx, j->i, j->n);
    return NULL;
}

void rnn_parallel(int n, void (*fn)(void *ctx, int i, int n), void *ctx)
{
    if (n <= 1) {
        fn(ctx, 0, 1);
        return;
    }
    enum { MAXT = 8 };
    if (n > MAXT)
        n = MAXT;
    pthread_t tid[MAXT];
    par_job jobs[MAXT];
    bool started[MAXT] = {false};
    rnn_blas_threads(1);  /* each worker calls sgemm on its own slice */
    for (int i = 1; i < n; i++) {
        jobs[i] = (par_job){fn, ctx, i, n};
        started[i] = pthread_create(&tid[i], NULL, par_run, &jobs[i]) == 0;
    }
    fn(ctx, 0, n);
    for (int i = 1; i < n; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fn(ctx, i, n);  /* no thread: same work, same result, on the caller */
    }
    rnn_blas_threads(rnn_get_threads());
}

int rnn_rec_threads(const rnn_layer *l, int B)
{
    int n = l->threads > 0 ? l->threads : rnn_get_threads();
    if (n > 8)
        n = 8;
    while (n > 1 && B / n < 8)
        n--;
    return n < 1 ? 1 : n;
}

/* ---- forward ---- */

/* Scaled inverted-dropout mask: 0 with probability p, else 1/(1-p); fixed over the sequence. */
static void rec_dropout_mask(float *m, size_t n, double p, rnn_rng *rng)
{
    float keep = (float)(1.0 / (1.0 - p));
    for (size_t i = 0; i < n; i++)
        m[i] = rnn_rng_uniform(rng) < p ? 0.0f : keep;
}

/* xin[s] = x[t(s)] * dmask: the projection's rows in processing order. */
static void rec_gather_input(rnn_rec *r, const float *x)
{
    size_t BF = (size_t)r->B * r->F;
    for (int s = 0; s < r->T; s++) {
        int t = r->go_backwards ? r->T - 1 - s : s;
        const float *src = x + (size_t)t * BF;
        float *dst = r->xin + (size_t)s * BF;
        if (r->use_dmask)
            for (size_t i = 0; i < BF; i++)
                dst[i] = src[i] * r->dmask[i];
        else
            memcpy(dst, src, BF * sizeof *dst);
    }
}

void rnn_rec_draw_masks(rnn_layer *l, const rnn_fwd *f)
{
    rnn_rec *r = l->cfg;
    r->use_dmask = f->training && r->dropout > 0 && f->rng;
    r->use_rmask = f->training && r->recurrent_dropout > 0 && f->rng;
    if (r->use_dmask)
        rec_dropout_mask(r->dmask, (size_t)f->B * r->F, r->dropout, f->rng);
    if (r->use_rmask)
        rec_dropout_mask(r->rmask, (size_t)f->B * r->H, r->recurrent_dropout, f->rng);
    r->masks_drawn = true;
}

typedef struct rec_loop {
    rnn_rec *r;
    const float *params;
} rec_loop;

static void rec_forward_slice(void *ctx, int i, int n)
{
    rec_loop *lp = ctx;
    rnn_rec *r = lp->r;
    int b0 = r->B * i / n, b1 = r->B * (i + 1) / n, H = r->H;
    for (int s = 0; s < r->T; s++) {
        if (r->use_rmask) {
            const float *h = r->hs + ((size_t)s * r->B + b0) * H;
            float *hd = r->hd + ((size_t)s * r->B + b0) * H;
            const float *m = r->rmask + (size_t)b0 * H;
            for (size_t k = 0; k < (size_t)(b1 - b0) * H; k++)
                hd[k] = h[k] * m[k];
        }
        r->ops->step_forward(r, lp->params, s, b0, b1);
    }
}

/* x [T][B][F] -> y [T][B][H] (processing order, as Keras) or [B][H]. */
void rnn_rec_forward(rnn_layer *l, const rnn_fwd *f, const void *xv, float *y)
{
    rnn_rec *r = l->cfg;
    const float *x = xv;
    int B = f->B, T = f->T, GH = r->G * r->H, H = r->H;
    r->B = B;
    r->T = T;
    r->mask = f->mask;
    if (!r->masks_drawn)
        rnn_rec_draw_masks(l, f);
    r->masks_drawn = false;
    if (r->xin) {
        rec_gather_input(r, x);
        r->x_proc = r->xin;
    } else {
        r->x_proc = x;
    }
    /* input projection of every step at once; biases are added in the step kernels */
    rnn_sgemm(false, false, T * B, GH, r->F, 1.0f, r->x_proc, r->F, rec_kernel(r, l->params), GH, 0.0f,
              r->gates, GH);
    memset(r->hs, 0, (size_t)B * H * sizeof(float));
    if (r->cs)
        memset(r->cs, 0, (size_t)B * H * sizeof(float));
    rec_loop lp = {r, l->params};
    r->threads = rnn_rec_threads(l, B);
    rnn_parallel(r->threads, rec_forward_slice, &lp);
    if (r->return_sequences)
        memcpy(y, r->hs + (size_t)B * H, (size_t)T * B * H * sizeof *y);
    else
        memcpy(y, r->hs + (size_t)T * B * H, (size_t)B * H * sizeof *y);
}

const float *rnn_rec_bias_in(const rnn_rec *r, const float *params)
{
    return r->use_bias ? rec_bias(r, (float *)params) : r->zbias;
}

const float *rnn_rec_recurrent(const rnn_rec *r, const float *params)
{
    return rec_recurrent(r, (float *)params);
}

/* ---- backward ---- */

static void rec_backward_slice(void *ctx, int i, int n)
{
    rec_loop *lp = ctx;
    rnn_rec *r = lp->r;
    int b0 = r->B * i / n, b1 = r->B * (i + 1) / n, H = r->H;
    size_t rows = (size_t)(b1 - b0) * H;
    float *dh = r->dh + (size_t)b0 * H;
    for (int s = r->T - 1; s >= 0; s--) {
        if (r->return_sequences) {
            const float *dy = r->dy + ((size_t)s * r->B + b0) * H;
            for (size_t k = 0; k < rows; k++)
                dh[k] += dy[k];
        }
        r->ops->step_backward(r, lp->params, s, b0, b1);
    }
}

/* db[j] += sum over rows of d[rows][n] (sequential over rows: deterministic). */
static void rec_colsum(float *db, const float *d, size_t rows, int n)
{
    for (size_t i = 0; i < rows; i++)
        for (int j = 0; j < n; j++)
            db[j] += d[i * n + j];
}

/* Weight gradients as single GEMMs over all T*B rows. */
static void rec_weight_grads(rnn_rec *r, float *g)
{
    int TB = r->T * r->B, GH = r->G * r->H, H = r->H;
    rnn_sgemm(true, false, r->F, GH, TB, 1.0f, r->x_proc, r->F, r->dgates, GH, 1.0f, rec_kernel(r, g), GH);
    const float *hp = r->use_rmask ? r->hd : r->hs;  /* rows 0..T-1: previous states */
    float *dU = rec_recurrent(r, g);
    if (r->cell == RNN_CELL_GRU && !r->reset_after) {
        /* z, r columns see h_prev; the h columns see r*h_prev (kept in aux) */
        rnn_sgemm(true, false, H, 2 * H, TB, 1.0f, hp, H, r->dgates, GH, 1.0f, dU, GH);
        rnn_sgemm(true, false, H, H, TB, 1.0f, r->aux, H, r->dgates + 2 * H, GH, 1.0f, dU + 2 * H, GH);
    } else {
        const float *dg = r->dgrec ? r->dgrec : r->dgates;
        rnn_sgemm(true, false, H, GH, TB, 1.0f, hp, H, dg, GH, 1.0f, dU, GH);
    }
    if (r->use_bias) {
        float *db = rec_bias(r, g);
        rec_colsum(db, r->dgates, (size_t)TB, GH);
        if (r->dgrec)
            rec_colsum(db + GH, r->dgrec, (size_t)TB, GH);
    }
}

/* dx = dgates W^T, back in time order and through the input dropout mask. */
static void rec_input_grads(rnn_rec *r, const float *params, float *dx)
{
    int TB = r->T * r->B, GH = r->G * r->H, F = r->F;
    const float *W = rec_kernel(r, (float *)params);
    if (!r->xin) {
        rnn_sgemm(false, true, TB, F, GH, 1.0f, r->dgates, GH, W, GH, 0.0f, dx, F);
        return;
    }
    rnn_sgemm(false, true, TB, F, GH, 1.0f, r->dgates, GH, W, GH, 0.0f, r->dxs, F);
    size_t BF = (size_t)r->B * F;
    for (int s = 0; s < r->T; s++) {
        int t = r->go_backwards ? r->T - 1 - s : s;
        const float *src = r->dxs + (size_t)s * BF;
        float *dst = dx + (size_t)t * BF;
        if (r->use_dmask)
            for (size_t i = 0; i < BF; i++)
                dst[i] = src[i] * r->dmask[i];
        else
            memcpy(dst, src, BF * sizeof *dst);
    }
}

void rnn_rec_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    rnn_rec *r = l->cfg;
    (void)f;
    size_t BH = (size_t)r->B * r->H;
    r->dy = dy;
    if (r->return_sequences)
        memset(r->dh, 0, BH * sizeof(float));
    else
        memcpy(r->dh, dy, BH * sizeof(float));
    memset(r->dc, 0, BH * sizeof(float));
    rec_loop lp = {r, l->params};
    rnn_parallel(r->threads, rec_backward_slice, &lp);
    rec_weight_grads(r, l->grads);
    if (dx)
        rec_input_grads(r, l->params, dx);
}

/* ---- description ---- */

int rnn_rec_describe(const rnn_layer *l, char *buf, size_t n)
{
    const rnn_rec *r = l->cfg;
    size_t len = 0;
    buf[0] = '\0';
    layer_appendf(buf, n, &len, "%s(%d", l->kind->name, r->H);
    if (r->cell == RNN_CELL_SIMPLE && r->act != ACT_TANH)
        layer_appendf(buf, n, &len, ", activation='%s'", layer_act_name(r->act));
    if (!r->use_bias)
        layer_appendf(buf, n, &len, ", use_bias=False");
    if (r->cell == RNN_CELL_LSTM && !r->unit_forget_bias)
        layer_appendf(buf, n, &len, ", unit_forget_bias=False");
    if (r->cell == RNN_CELL_GRU && !r->reset_after)
        layer_appendf(buf, n, &len, ", reset_after=False");
    if (r->dropout > 0)
        layer_appendf(buf, n, &len, ", dropout=%g", r->dropout);
    if (r->recurrent_dropout > 0)
        layer_appendf(buf, n, &len, ", recurrent_dropout=%g", r->recurrent_dropout);
    if (r->return_sequences)
        layer_appendf(buf, n, &len, ", return_sequences=True");
    if (r->go_backwards)
        layer_appendf(buf, n, &len, ", go_backwards=True");
    if (!l->trainable)
        layer_appendf(buf, n, &len, ", trainable=False");
    layer_appendf(buf, n, &len, ")");
    return (int)len;
}

int rnn_rec_param_groups(const rnn_layer *l, const char **names, size_t *sizes, int max)
{
    const rnn_rec *r = l->cfg;
    size_t GH = (size_t)r->G * r->H;
    const char *nm[3] = {"kernel", "recurrent_kernel", "bias"};
    size_t sz[3] = {(size_t)r->F * GH, (size_t)r->H * GH, rnn_rec_bias_size(r)};
    int count = r->use_bias ? 3 : 2;
    for (int i = 0; i < count && i < max; i++) {
        names[i] = nm[i];
        sizes[i] = sz[i];
    }
    return count;
}

void rnn_rec_destroy(rnn_layer *l)
{
    rnn_rec *r = l->cfg;
    if (!r)
        return;
    rnn_free_aligned(r->block);
    free(r);
    l->cfg = NULL;
}

/* ---- activations over arrays (for tests and callers outside the fused kernels) ---- */

RNN_VECTOR_KERNEL
void rnn_sigmoid_v(float *restrict y, const float *restrict x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = rnn_fast_sigmoid(x[i]);
}

RNN_VECTOR_KERNEL
void rnn_tanh_v(float *restrict y, const float *restrict x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = rnn_fast_tanh(x[i]);
}

void rnn_rec_backprop_state(rnn_rec *r, const float *U, int ldu, int k, const float *dg, int ldg,
                            int b0, int b1)
{
    int H = r->H, nb = b1 - b0;
    float *dh = r->dh + (size_t)b0 * H;
    if (!r->use_rmask) {
        rnn_sgemm(false, true, nb, H, k, 1.0f, dg, ldg, U, ldu, 1.0f, dh, H);
        return;
    }
    float *tmp = r->dtmp + (size_t)b0 * H;
    const float *m = r->rmask + (size_t)b0 * H;
    rnn_sgemm(false, true, nb, H, k, 1.0f, dg, ldg, U, ldu, 0.0f, tmp, H);
    for (size_t i = 0; i < (size_t)nb * H; i++)
        dh[i] += tmp[i] * m[i];
}
