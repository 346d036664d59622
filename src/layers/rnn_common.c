/* The recurrent-layer driver shared by SimpleRNN, LSTM and GRU: configuration, Keras layout and
 * initialisation, workspaces, the input projection and weight gradients as single GEMMs around a
 * time loop of per-step kernels (in simple_rnn.c, lstm.c, gru.c), dropout masks and threads. */
#include "config.h"
#include <pthread.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>
#include "layers/rnn_common.h"

/* ---- configuration ---- */

int rnn_rec_check_gate_acts(const rnn_call *call, rnn_error *err)
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

/* The arguments every cell takes, then the cell's own. */
static int rec_read_args(rnn_rec *r, const rnn_call *call, rnn_error *err)
{
    long units;
    int rc = RNN_OK;
    if (!rnn_call_arg(call, 0, "units"))
        return rnn_fail(err, RNN_EUSAGE, "%s: missing 'units' (e.g. %s(32))", call->name, call->name);
    if ((rc = rnn_call_int(call, 0, "units", 0, &units, err)))
        return rc;
    if ((rc = layer_check_size(call->name, "units", units, LAYER_MAX_UNITS, err)))
        return rc;
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
    r->act = ACT_TANH;
    if ((rc = r->cell->configure(r, call, err)))
        return rc;
    r->G = r->cell->gates;  /* after configure: it may have chosen a variant */
    return RNN_OK;
}

int rnn_rec_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)ctx;
    const rnn_cell *cell = l->kind->cell;
    int rc = rnn_call_check_keys(call, cell->positional, cell->keys, err);
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
    return (size_t)r->cell->bias_rows * r->G * r->H;
}

int rnn_rec_build(rnn_layer *l, rnn_error *err)
{
    rnn_rec *r = l->cfg;
    if (l->in.rank != 2 || l->in.is_ids)
        return rnn_fail(err, RNN_EUSAGE,
                        "%s: expects a sequence input of shape (batch, timesteps, features), got rank %d%s",
                        l->name, l->in.rank + 1, l->in.is_ids ? " ids (add an Embedding first)" : "");
    r->F = l->in.dim[1];
    r->table_rows = l->in_table_rows;
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

int rnn_rec_init(rnn_layer *l, rnn_rng *rng, rnn_error *err)
{
    rnn_rec *r = l->cfg;
    int GH = r->G * r->H;
    rnn_init_glorot_uniform(rng, rec_kernel(r, l->params), r->F, GH);
    int rc = rnn_init_orthogonal(rng, rec_recurrent(r, l->params), r->H, GH, err);
    if (rc || !r->use_bias)
        return rc;
    float *b = rec_bias(r, l->params);
    memset(b, 0, rnn_rec_bias_size(r) * sizeof *b);
    if (r->cell->init_bias)
        r->cell->init_bias(r, b);
    return RNN_OK;
}

/* ---- workspaces: one aligned block, carved into per-slice buffers ---- */

enum { REC_CHUNK_ROWS = 512 };

/* Steps per weight-gradient chunk for a slice of `rows` rows: about REC_CHUNK_ROWS rows, so that
 * the chunk's gradients are still in cache when its GEMMs read them. */
static int rec_chunk_steps(int rows, int T)
{
    int tc = REC_CHUNK_ROWS / (rows > 0 ? rows : 1);
    tc = tc < 1 ? 1 : tc;
    return tc > T ? T : tc;
}

/* Slots of the table of distinct rows for a chunk of n rows: a power of two, at least 2n. */
static int rec_row_table_size(size_t n)
{
    int size = 16;
    while ((size_t)size < 2 * n)
        size *= 2;
    return size;
}

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

/* Lays out the buffers of slice view v for up to `rows` rows and T steps. */
static void rec_layout_slice(const rnn_rec *r, rnn_rec *v, rec_block *k, int rows, int T)
{
    size_t RT = (size_t)rows * T, GH = (size_t)r->G * r->H, H = r->H;
    size_t rc = rows > REC_CHUNK_ROWS ? (size_t)rows : REC_CHUNK_ROWS;  /* >= chunk steps * rows */
    unsigned need = r->cell->buffers;
    v->gates = rec_carve(k, (need & RNN_CELL_GATES_IN_STEP ? rc : RT) * GH);
    v->hs = rec_carve(k, RT * H + rows * H);
    v->cs = need & RNN_CELL_BUF_CS ? rec_carve(k, RT * H + rows * H) : NULL;
    v->hd = r->recurrent_dropout > 0 ? rec_carve(k, RT * H) : NULL;
    v->aux = need & RNN_CELL_BUF_AUX ? rec_carve(k, RT * H) : NULL;
    v->rec = need & RNN_CELL_BUF_AUX ? rec_carve(k, (size_t)rows * GH) : NULL;
    v->dgates = rec_carve(k, rc * GH);
    v->dgrec = need & RNN_CELL_BUF_DGREC ? rec_carve(k, rc * GH) : NULL;
    v->xbuf = rec_carve(k, rc * r->F);
    v->row_of = (int32_t *)rec_carve(k, rc);  /* int32 and float have one size */
    v->row_table = (int32_t *)rec_carve(k, (size_t)rec_row_table_size(rc));
    v->acc = rec_carve(k, r->n_params);
    v->dh = rec_carve(k, (size_t)rows * H);
    v->dc = rec_carve(k, (size_t)rows * H);
    v->dtmp = rec_carve(k, (size_t)rows * H);
}

/* Below this many multiply-adds a row (G*H*F), telling a chunk's rows apart costs more than the
 * projection of the repeated ones (sms_rnn's SimpleRNN(10) on 50 features: 500). */
enum { REC_DISTINCT_MIN_ROW_WORK = 4096 };

/* A batch of B rows and T steps projects its inputs through the table rows of its distinct ids
 * (those rows times the kernel, then a row copy for each input row) when it has at most half as
 * many distinct ids as rows, so that the product costs at most half of the batch's: the most
 * distinct ids such a batch may have. A row of a product is its input row times the kernel, so the
 * rows are those of the batch's own product up to rounding: some of OpenBLAS's kernels (Haswell's)
 * round a row by where it sits in the product, by a unit in the last place. */
static int rec_ids_most(const rnn_rec *r, int B, int T)
{
    size_t half = (size_t)B * T / 2;
    return (size_t)r->table_rows < half ? r->table_rows : (int)half;
}

/* Whether the buffers of the distinct ids (their list, their rows, their projection, and the sums
 * by id of every slice but the first, which sums in the projection's memory) take no more memory
 * than reading by id saves: the Embedding's rows of a batch and their gradient, 2 B T F floats. A
 * large vocabulary before a wide layer (Embedding(30000, 64) -> LSTM(256): 246 MB against 33 MB)
 * keeps the rows. (Each word's place among them, one int32, is not counted: a 1/F-th of the
 * Embedding's table.) */
static bool rec_table_fits(const rnn_rec *r, int B, int T, int slices)
{
    size_t most = (size_t)rec_ids_most(r, B, T);
    return most * (1 + r->F + (size_t)r->G * r->H * slices) <= 2 * (size_t)B * T * r->F;
}

/* Every workspace for `n` slices of batches up to B rows and T steps: each slice gets room for
 * ceil(B/n) rows, so any smaller batch split the same way fits. */
static void rec_layout(rnn_rec *r, rec_block *k, int B, int T, int n)
{
    int rows = (B + n - 1) / n;
    r->dmask_all = rec_carve(k, (size_t)B * r->F);
    r->rmask_all = rec_carve(k, (size_t)B * r->H);
    r->zbias = rec_carve(k, 2 * (size_t)r->G * r->H);
    r->ut = rec_carve(k, (size_t)r->G * r->H * r->H);
    r->wt = rec_carve(k, (size_t)r->G * r->H * r->F);
    for (int i = 0; i < n; i++)
        rec_layout_slice(r, &r->slice[i], k, rows, T);
    /* The table's buffers come last and are not zeroed (each is written before it is read), so
     * that only the rows a batch's distinct ids use become resident. */
    r->table_offset = k->used;
    bool table = r->table_rows > 0 && rec_table_fits(r, B, T, n);
    size_t GH = (size_t)r->G * r->H;
    r->ids_cap = table ? rec_ids_most(r, B, T) : 0;
    r->id_slot = table ? (int32_t *)rec_carve(k, (size_t)r->table_rows) : NULL;  /* int32 and float have one size */
    r->uid = table ? (int32_t *)rec_carve(k, (size_t)r->ids_cap) : NULL;
    r->table_x = table ? rec_carve(k, (size_t)r->ids_cap * r->F) : NULL;
    r->table_proj = table ? rec_carve(k, (size_t)r->ids_cap * GH) : NULL;
    /* forward's projection is done when backward sums by id: slice 0 sums there */
    for (int i = 0; i < n; i++)
        r->slice[i].table_grad = !table ? NULL : i == 0 ? r->table_proj : rec_carve(k, (size_t)r->ids_cap * GH);
}

size_t rnn_rec_workspace_bytes(const rnn_layer *l, int B, int T)
{
    rnn_rec r = *(const rnn_rec *)l->cfg, views[RNN_PARALLEL_MAX];
    r.n_params = l->n_params;
    r.slice = views;
    rec_block k = {0};
    rec_layout(&r, &k, B, T, rnn_rec_threads(l, B, T));
    return k.used * sizeof(float) + RNN_PARALLEL_MAX * sizeof(rnn_rec);
}

size_t rnn_rec_init_bytes(const rnn_layer *l)
{
    const rnn_rec *r = l->cfg;
    return rnn_init_orthogonal_bytes(r->H, r->G * r->H);
}

int rnn_rec_reserve(rnn_layer *l, int B, int T, rnn_error *err)
{
    rnn_rec *r = l->cfg;
    int nB = B > r->capB ? B : r->capB, nT = T > r->capT ? T : r->capT;
    int n = rnn_rec_threads(l, nB, nT);
    if (nB == r->capB && nT == r->capT && n == r->cap_slices)
        return RNN_OK;
    r->n_params = l->n_params;
    if (!r->slice && !(r->slice = calloc(RNN_PARALLEL_MAX, sizeof *r->slice)))
        return rnn_fail(err, RNN_EINTERNAL, "%s: out of memory", l->name);
    rec_block k = {0};
    rec_layout(r, &k, nB, nT, n);
    int rc = layer_reserve_floats(&r->block, &r->block_cap, k.used, err, l->name);
    if (rc)
        return rc;
    k = (rec_block){.base = r->block};
    rec_layout(r, &k, nB, nT, n);
    memset(r->block, 0, r->table_offset * sizeof(float));
    for (int i = 0; r->id_slot && i < r->table_rows; i++)
        r->id_slot[i] = -1;
    r->n_ids = 0;
    r->ids_indexed = false;
    r->capB = nB;
    r->capT = nT;
    r->cap_slices = n;
    return RNN_OK;
}

/* ---- threads ---- */

/* Below this many multiply-adds a call, starting threads costs more than it saves (sms_rnn's
 * SimpleRNN(10) has 4e6). Tests set it to 0 to exercise the threaded path on small shapes. */
double rnn_rec_parallel_min_work = 8e6;

bool rnn_rec_worth_threads(const rnn_layer *l, int B, int T)
{
    const rnn_rec *r = l->cfg;
    return (double)B * T * r->G * r->H * (r->F + r->H) >= rnn_rec_parallel_min_work;
}

int rnn_rec_threads(const rnn_layer *l, int B, int T)
{
    if (!rnn_rec_worth_threads(l, B, T))
        return 1;
    int n = l->threads > 0 ? l->threads : rnn_get_threads();
    if (n > RNN_PARALLEL_MAX)
        n = RNN_PARALLEL_MAX;
    while (n > 1 && B / n < 8)
        n--;
    return n < 1 ? 1 : n;
}

/* ---- forward ---- */

/* Saturated gates make products in the subnormal range, which x86 computes ~100x slower; the
 * kernels flush them to zero (per thread, restored after): values below 1e-38 change nothing
 * that matters, and the same inputs still give the same bits. */
static unsigned rec_fpu_enter(void)
{
#if defined(__SSE__)
    unsigned csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040);  /* FTZ | DAZ */
    return csr;
#else
    return 0;
#endif
}

static void rec_fpu_leave(unsigned csr)
{
#if defined(__SSE__)
    _mm_setcsr(csr);
#else
    (void)csr;
#endif
}

/* Scaled inverted-dropout mask: 0 with probability p, else 1/(1-p); fixed over the sequence. */
static void rec_dropout_mask(float *m, size_t n, double p, rnn_rng *rng)
{
    float keep = (float)(1.0 / (1.0 - p));
    for (size_t i = 0; i < n; i++)
        m[i] = rnn_rng_uniform(rng) < p ? 0.0f : keep;
}

/* Whether the call applies the input dropout mask (training with dropout and a generator). */
static bool rec_input_dropout(const rnn_rec *r, const rnn_fwd *f)
{
    return f->training && r->dropout > 0 && f->rng;
}

void rnn_rec_draw_masks(rnn_layer *l, const rnn_fwd *f)
{
    rnn_rec *r = l->cfg;
    r->use_dmask = rec_input_dropout(r, f);
    r->use_rmask = f->training && r->recurrent_dropout > 0 && f->rng;
    if (r->use_dmask)
        rec_dropout_mask(r->dmask_all, (size_t)f->B * r->F, r->dropout, f->rng);
    if (r->use_rmask)
        rec_dropout_mask(r->rmask_all, (size_t)f->B * r->H, r->recurrent_dropout, f->rng);
    r->masks_drawn = true;
}

/* Points slice view i of n at its rows of the current call. */
static void rec_slice_bind(rnn_rec *r, int i, int n)
{
    rnn_rec *v = &r->slice[i];
    int b0 = r->batch * i / n, b1 = r->batch * (i + 1) / n;
    v->cell = r->cell;
    v->H = r->H;
    v->G = r->G;
    v->F = r->F;
    v->act = r->act;
    v->opts = r->opts;
    v->use_bias = r->use_bias;
    v->go_backwards = r->go_backwards;
    v->return_sequences = r->return_sequences;
    v->B = b1 - b0;
    v->T = r->T;
    v->b0 = b0;
    v->batch = r->batch;
    v->mask = r->mask;
    v->use_dmask = r->use_dmask;
    v->use_rmask = r->use_rmask;
    v->dmask = r->dmask_all + (size_t)b0 * r->F;
    v->rmask = r->rmask_all + (size_t)b0 * r->H;
    v->zbias = r->zbias;
    v->ut = r->ut;
    v->wt = r->wt;
    v->n_params = r->n_params;
    v->ids = r->ids;
    v->table_proj = r->table_proj;
    v->rows_by_id = r->rows_by_id;
    v->table_rows = r->table_rows;
    v->id_slot = r->id_slot;
    v->n_ids = r->n_ids;
}

typedef struct rec_loop {
    rnn_rec *r;
    const float *params;
    const float *x;         /* forward input / backward: the same input */
    float *y;               /* forward output */
    const float *dy;        /* backward */
    float *dx;
} rec_loop;

/* Ids of the slice's rows at processing step s: row b's is [b * T] (the call's ids are [batch][T]). */
static const int32_t *rec_step_ids(const rnn_rec *v, int s)
{
    return v->ids + (size_t)v->b0 * v->T + (size_t)(v->go_backwards ? v->T - 1 - s : s);
}

/* Rows of the input at processing step s for slice v: x[t(s)][b0..b0+B). */
static const float *rec_xrows(const rnn_rec *v, const float *x, int s)
{
    int t = v->go_backwards ? v->T - 1 - s : s;
    return x + ((size_t)t * v->batch + v->b0) * v->F;
}

/* xbuf = the slice's input rows of steps s0..s1-1, contiguous, through the input dropout mask. */
static void rec_gather_x(rnn_rec *v, const float *x, int s0, int s1)
{
    size_t n = (size_t)v->B * v->F;
    for (int s = s0; s < s1; s++) {
        const float *xr = rec_xrows(v, x, s);
        float *dst = v->xbuf + (size_t)(s - s0) * n;
        if (v->use_dmask)
            for (size_t k = 0; k < n; k++)
                dst[k] = xr[k] * v->dmask[k];
        else
            memcpy(dst, xr, n * sizeof *dst);
    }
}

/* Rows of steps s0.. of x (or of dx) when they already lie there as the contiguous block a chunk's
 * GEMM reads or writes (the whole batch, steps in time order, no input dropout), else NULL: the
 * chunk then goes through xbuf. */
static float *rec_rows_in_place(const rnn_rec *v, const float *x, int s0)
{
    if (v->B != v->batch || v->go_backwards || v->use_dmask)
        return NULL;
    return (float *)rec_xrows(v, x, s0);
}

/* Whether a chunk's projection looks for repeated rows (then it reads the chunk's rows gathered). */
static bool rec_tells_rows_apart(const rnn_rec *v)
{
    return (size_t)v->G * v->H * v->F >= REC_DISTINCT_MIN_ROW_WORK;
}

/* Whether a chunk's projection, and so its kernel gradient, reads the slice's input rows step by step
 * where they lie in x: they are not the chunk's contiguous block (a slice of the batch, or
 * go_backwards), there is no input dropout to apply, and the rows are too small to look for repeats. */
static bool rec_rows_by_step(const rnn_rec *v, const float *x, int s0)
{
    return !rec_rows_in_place(v, x, s0) && !rec_tells_rows_apart(v) && !v->use_dmask;
}

/* A hash of eight of the row's floats spread over it (equal rows are then told by memcmp). */
static uint32_t rec_row_hash(const float *row, int F)
{
    uint64_t h = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 8; i++) {
        uint32_t bits;
        memcpy(&bits, row + (size_t)F * i / 8, sizeof bits);
        h = (h ^ bits) * 0xff51afd7ed558ccdu;
    }
    return (uint32_t)(h >> 32);
}

/* of[i] = the number of the distinct row that row i of rows [n][F] is (distinct rows numbered in
 * the order of their first occurrence, so of[i] <= i); returns how many distinct rows there are. */
static int rec_distinct_rows(rnn_rec *v, const float *rows, int n, int32_t *of)
{
    int F = v->F, mask = rec_row_table_size((size_t)n) - 1, d = 0;
    int32_t *slot = v->row_table;  /* row index + 1 of each distinct row, 0 for an empty slot */
    memset(slot, 0, (size_t)(mask + 1) * sizeof *slot);
    for (int i = 0; i < n; i++) {
        const float *r = rows + (size_t)i * F;
        uint32_t h = rec_row_hash(r, F) & (uint32_t)mask;
        while (slot[h] && memcmp(rows + (size_t)(slot[h] - 1) * F, r, (size_t)F * sizeof *r) != 0)
            h = (h + 1) & (uint32_t)mask;
        if (slot[h]) {
            of[i] = of[slot[h] - 1];
        } else {
            slot[h] = i + 1;
            of[i] = d++;
        }
    }
    return d;
}

/* xbuf rows 0.. = the distinct rows of rows [n][F], in order (rows may be xbuf itself: a distinct
 * row only moves down, over rows already moved). */
static void rec_compact_rows(rnn_rec *v, const float *rows, int n, const int32_t *of)
{
    size_t F = v->F;
    for (int i = 0, e = 0; i < n; i++)
        if (of[i] == e) {  /* the first occurrence of distinct row e */
            if (rows + i * F != v->xbuf + e * F)
                memmove(v->xbuf + e * F, rows + i * F, F * sizeof(float));
            e++;
        }
}

/* Gate rows g [n][GH] from the products of the distinct rows (at rows 0..): row i gets row of[i].
 * From the last row down, a row is overwritten only once its distinct row's users have read it. */
static void rec_spread_rows(float *g, int n, int GH, const int32_t *of)
{
    for (int i = n - 1; i >= 0; i--)
        if (of[i] != i)
            memcpy(g + (size_t)i * GH, g + (size_t)of[i] * GH, (size_t)GH * sizeof *g);
}

/* g = the rows of steps [s0, s1) of the slice, each its id's row of table_proj. */
RNN_SHORT_COPY_KERNEL
static void rec_rows_from_table(float *restrict g, const rnn_rec *v, int s0, int s1)
{
    size_t GH = (size_t)v->G * v->H, T = (size_t)v->T;
    const float *restrict P = v->table_proj;
    for (int s = s0; s < s1; s++) {
        const int32_t *id = rec_step_ids(v, s);
        for (int b = 0; b < v->B; b++, g += GH) {
            const float *row = P + (size_t)v->id_slot[id[b * T]] * GH;
            for (size_t j = 0; j < GH; j++)
                g[j] = row[j];
        }
    }
}

/* gates[s0..s1) = x W: the input projection of a chunk of steps as one GEMM (biases are added in
 * the step kernels). Chunks are cache-sized: one GEMM over the whole sequence would stream the
 * gate buffer through memory twice more, which costs more than it saves at these shapes. Rows
 * that repeat an earlier row of the chunk (the padding, the frequent words) are projected once and
 * copied: a row of the product depends on its input row only, so the result is the same (to a
 * unit in the last place where OpenBLAS rounds rows by their place, rec_ids_most). */
static void rec_project_chunk(rnn_rec *v, const float *W, const float *x, int s0, int s1)
{
    int GH = v->G * v->H, F = v->F, n = (s1 - s0) * v->B, d = n;
    v->gates_s0 = v->cell->buffers & RNN_CELL_GATES_IN_STEP ? s0 : 0;
    float *g = rnn_rec_gates(v, s0);
    if (v->ids) {
        rec_rows_from_table(g, v, s0, s1);
        return;
    }
    if (rec_rows_by_step(v, x, s0)) {  /* a slice's rows of one step lie together in x */
        for (int s = s0; s < s1; s++)
            rnn_sgemm(false, false, v->B, GH, F, 1.0f, rec_xrows(v, x, s), F, W, GH, 0.0f,
                      g + (size_t)(s - s0) * v->B * GH, GH);
        return;
    }
    const float *rows = rec_rows_in_place(v, x, s0);
    bool distinct = rec_tells_rows_apart(v);
    if (!rows) {
        rec_gather_x(v, x, s0, s1);
        rows = v->xbuf;
    }
    if (distinct && (d = rec_distinct_rows(v, rows, n, v->row_of)) < n) {
        rec_compact_rows(v, rows, n, v->row_of);
        rows = v->xbuf;
    }
    rnn_sgemm(false, false, d, GH, F, 1.0f, rows, F, W, GH, 0.0f, g, GH);
    if (d < n)
        rec_spread_rows(g, n, GH, v->row_of);
}

static void rec_forward_slice_run(void *ctx, int i, int n);

static void rec_forward_slice(void *ctx, int i, int n)
{
    unsigned csr = rec_fpu_enter();
    rec_forward_slice_run(ctx, i, n);
    rec_fpu_leave(csr);
}

/* ---- masked steps: skipped ---- */

static bool rec_step_any_live(const rnn_rec *v, int s);

bool rnn_rec_skip_masked = true;

/* Steps [*sa, *sb) of the slice (processing order) from the first to the last that is a real step
 * of any of its rows; all of them without a mask. Steps outside are padding in every row: their
 * state is the one carried in (zero before sa, the state after sb-1 from sb on). */
static void rec_live_steps(const rnn_rec *v, int *sa, int *sb)
{
    int a = 0, b = v->T;
    if (v->mask && rnn_rec_skip_masked) {
        while (a < b && !rec_step_any_live(v, a))
            a++;
        while (b > a && !rec_step_any_live(v, b - 1))
            b--;
    }
    *sa = a;
    *sb = b;
}

/* Rows [*lo, *hi) of step s from the first to the last real one (empty when none): the rows a step
 * computes; the rows outside carry their state. Rows sorted by length (length-aware batches,
 * evaluate, predict) leave no masked row inside. One live row of several runs with a neighbour,
 * so that the products stay on the matrix path (a one-row product sums in another order). */
static void rec_live_rows(const rnn_rec *v, int s, int *lo, int *hi)
{
    int a = 0, b = v->B;
    if (v->mask && rnn_rec_skip_masked) {
        const uint8_t *m = v->mask + (size_t)(v->go_backwards ? v->T - 1 - s : s) * v->batch + v->b0;
        while (a < b && !m[a])
            a++;
        while (b > a && !m[b - 1])
            b--;
        if (b - a == 1 && v->B > 1) {
            if (b < v->B)
                b++;
            else
                a--;
        }
    }
    *lo = a;
    *hi = b;
}

static bool rec_step_any_live(const rnn_rec *v, int s)
{
    int lo, hi;
    rec_live_rows(v, s, &lo, &hi);
    return lo < hi;
}

/* Rows [b0, b1) of step s carry their state (and cell) through, as a masked step does. */
static void rec_carry_rows(rnn_rec *v, int s, int b0, int b1)
{
    if (b0 >= b1)
        return;
    size_t H = v->H, prev = ((size_t)s * v->B + b0) * H, next = prev + (size_t)v->B * H, n = (b1 - b0) * H;
    memcpy(v->hs + next, v->hs + prev, n * sizeof(float));
    if (v->cs)
        memcpy(v->cs + next, v->cs + prev, n * sizeof(float));
    if (v->aux)  /* read (times a zero gradient) by the recurrent kernel's gradient */
        memset(v->aux + ((size_t)s * v->B + b0) * H, 0, n * sizeof(float));
}

/* Gate gradients of rows [b0, b1) of step s: zero (a masked step passes dh and dc through). */
static void rec_zero_dg_rows(rnn_rec *v, int s, int b0, int b1)
{
    if (b0 >= b1)
        return;
    size_t n = (size_t)(b1 - b0) * v->G * v->H;
    memset(rnn_rec_dg(v, s, b0), 0, n * sizeof(float));
    if (v->dgrec)
        memset(rnn_rec_dgr(v, s, b0), 0, n * sizeof(float));
}

void rnn_rec_carry_masked(rnn_rec *r, int s, int b0, int b1)
{
    if (!r->mask)
        return;
    for (int b = b0; b < b1;) {
        while (b < b1 && rnn_rec_live(r, s, b))
            b++;
        int e = b;
        while (e < b1 && !rnn_rec_live(r, s, e))
            e++;
        rec_carry_rows(r, s, b, e);
        b = e;
    }
}

void rnn_rec_live_runs(rnn_rec *r, int s, int b0, int b1, void (*run)(rnn_rec *r, int s, int b, int e))
{
    for (int b = b0; b < b1;) {
        int e = b;
        while (e < b1 && rnn_rec_live(r, s, e))
            e++;
        if (e > b)
            run(r, s, b, e);
        for (b = e; b < b1 && !rnn_rec_live(r, s, b); b++)
            ;
        rec_zero_dg_rows(r, s, e, b);
    }
}

/* Output rows of the slice at step s (return_sequences), or the final state. */
static void rec_output_step(const rnn_rec *v, const rec_loop *lp, int s, const float *h)
{
    size_t BH = (size_t)v->B * v->H;
    float *dst = lp->y + ((size_t)s * v->batch + v->b0) * v->H;
    if (h)
        memcpy(dst, h, BH * sizeof(float));
    else
        memset(dst, 0, BH * sizeof(float));
}

/* Steps [*fa, *fb): the chunks of backward (ending at T, T-tc, ...) that hold a step of [sa, sb);
 * forward runs them all, the padded steps carrying the state, so that backward's chunks read the
 * states of the computation of every step. */
static void rec_chunk_span(const rnn_rec *v, int sa, int sb, int tc, int *fa, int *fb)
{
    if (sa >= sb) {
        *fa = *fb = sa;
        return;
    }
    int T = v->T, a = T - ((T - 1 - sa) / tc + 1) * tc;
    *fa = a > 0 ? a : 0;
    *fb = T - (T - sb) / tc * tc;
}

static void rec_forward_slice_run(void *ctx, int i, int n)
{
    rec_loop *lp = ctx;
    rnn_rec *v = &lp->r->slice[i];
    rec_slice_bind(lp->r, i, n);
    int H = v->H, B = v->B, tc = rec_chunk_steps(B, v->T), sa, sb, fa, fb;
    size_t BH = (size_t)B * H;
    rec_live_steps(v, &sa, &sb);
    rec_chunk_span(v, sa, sb, tc, &fa, &fb);
    memset(v->hs + (size_t)fa * BH, 0, BH * sizeof(float));
    if (v->cs)
        memset(v->cs + (size_t)fa * BH, 0, BH * sizeof(float));
    for (int s = fa; s < fb; s++) {
        if ((s - fa) % tc == 0)
            rec_project_chunk(v, lp->params, lp->x, s, s + tc < fb ? s + tc : fb);
        if (v->use_rmask) {
            const float *h = v->hs + (size_t)s * BH;
            float *hd = v->hd + (size_t)s * BH;
            for (size_t k = 0; k < BH; k++)
                hd[k] = h[k] * v->rmask[k];
        }
        int lo, hi;
        rec_live_rows(v, s, &lo, &hi);
        if (lo < hi)
            v->cell->step_forward(v, lp->params, s, lo, hi);
        rec_carry_rows(v, s, 0, lo < hi ? lo : B);
        rec_carry_rows(v, s, lo < hi ? hi : B, B);
    }
    const float *last = v->hs + (size_t)fb * BH;  /* the state after the last real step */
    if (!v->return_sequences) {
        memcpy(lp->y + (size_t)v->b0 * H, last, BH * sizeof(float));
        return;
    }
    for (int s = 0; s < v->T; s++)  /* output s is in processing order, as Keras */
        rec_output_step(v, lp, s, s < fa ? NULL : s < fb ? v->hs + (size_t)(s + 1) * BH : last);
}

/* A product whose rows (a untransposed) or columns (a transposed) are shared out over the engine's
 * threads on the worker pool, each part one sgemm on its own rows or columns: a row or column of a
 * product does not depend on the others, so the values are those of one call (the bits too where
 * OpenBLAS rounds a row the same wherever it sits). OpenBLAS's own threads,
 * woken for a call between the layers' parallel loops, stay awake spinning and slow the next loop
 * down. */
typedef struct rec_gemm_job {
    bool ta;
    int m, n, k;
    const float *a, *b;
    int lda, ldb;
    float beta;
    float *c;
    int ldc;
    const int32_t *pick;    /* a untransposed: its rows are first copied from rows pick[..] of table */
    const float *table;
} rec_gemm_job;

/* Rows [lo, hi) of a [..][n] = rows pick[lo..hi) of table. */
RNN_SHORT_COPY_KERNEL
static void rec_pick_rows(float *restrict a, const float *restrict table, const int32_t *pick, size_t lo, size_t hi,
                          int n)
{
    for (size_t r = lo; r < hi; r++) {
        const float *src = table + (size_t)pick[r] * n;
        float *dst = a + r * n;
        for (int j = 0; j < n; j++)
            dst[j] = src[j];
    }
}

static void rec_gemm_part(void *ctx, int i, int parts)
{
    const rec_gemm_job *j = ctx;
    size_t lo, hi;
    rnn_parallel_range(i, parts, (size_t)(j->ta ? j->n : j->m), 16, &lo, &hi);
    if (lo >= hi)
        return;
    if (j->pick)
        rec_pick_rows((float *)j->a, j->table, j->pick, lo, hi, j->lda);
    if (j->ta)
        rnn_sgemm(j->ta, false, j->m, (int)(hi - lo), j->k, 1.0f, j->a, j->lda, j->b + lo, j->ldb, j->beta,
                  j->c + lo, j->ldc);
    else
        rnn_sgemm(j->ta, false, (int)(hi - lo), j->n, j->k, 1.0f, j->a + lo * (size_t)j->lda, j->lda, j->b, j->ldb,
                  j->beta, j->c + lo * (size_t)j->ldc, j->ldc);
}

/* Runs job j on the pool in at most `most` parts, each of at least an eighth of the multiply-adds
 * that make a recurrent call worth threads (rnn_rec_parallel_min_work: 8e6 by default, none in the
 * tests). */
static void rec_gemm_run(rec_gemm_job *j, int most)
{
    size_t min_part = (size_t)(rnn_rec_parallel_min_work / 8);
    int parts = rnn_parallel_parts((size_t)j->m * j->n * j->k, min_part);
    rnn_parallel(parts < most ? parts : most, rec_gemm_part, j);
}

/* c = op(a) b + beta c on the pool, split by rows of c (a untransposed) or by its columns, in at
 * most `most` parts. */
static void rec_gemm_on_pool(bool ta, int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                             float beta, float *c, int ldc, int most)
{
    rec_gemm_job j = {ta, m, n, k, a, b, lda, ldb, beta, c, ldc, NULL, NULL};
    rec_gemm_run(&j, most);
}

/* Whether the call's input rows can go through the table: they are a table's rows picked by ids,
 * there is no input dropout to apply and the workspaces were laid out for it. */
static bool rec_table_usable(const rnn_rec *r, const rnn_fwd *f)
{
    return f->ids && f->table && r->table_proj && !rec_input_dropout(r, f) && f->B <= r->capB && f->T <= r->capT;
}

static int rec_compare_ids(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* The last batch's ids unindexed. */
static void rec_clear_ids(rnn_rec *r)
{
    for (int k = 0; k < r->n_ids; k++)
        r->id_slot[r->uid[k]] = -1;
    r->n_ids = 0;
}

/* Indexes the distinct ids of ids [n] when there are at most `most`: uid ascending (sorted when
 * few, else found by a pass over the places) and their places in id_slot. Else false, with no ids
 * indexed (n_ids 0). */
static bool rec_index_ids(rnn_rec *r, const int32_t *ids, size_t n, int most)
{
    rec_clear_ids(r);
    int U = 0;
    /* Without branches on whether an id is new (a batch's new ids come at random: each branch
     * mispredicted cost more than the pass): every id is written at uid[U], which only a new one
     * keeps. U < most <= ids_cap while writing. */
    for (size_t i = 0; i < n; i++) {
        int32_t id = ids[i];
        if (U == most) {
            if (r->id_slot[id] >= 0)
                continue;
            r->n_ids = U;
            rec_clear_ids(r);
            return false;
        }
        int fresh = r->id_slot[id] < 0;
        r->uid[U] = id;
        r->id_slot[id] = 0;  /* seen */
        U += fresh;
    }
    if ((size_t)U * 16 < (size_t)r->table_rows) {
        qsort(r->uid, (size_t)U, sizeof *r->uid, rec_compare_ids);
    } else {
        for (int32_t id = 0, k = 0; k < U; id++) {  /* seen (an id given place 0 is not met again) */
            r->uid[k] = id;
            k += r->id_slot[id] == 0;
        }
    }
    for (int k = 0; k < U; k++)
        r->id_slot[r->uid[k]] = k;
    r->n_ids = U;
    return U > 0;
}

/* Whether this call's rows go through the table (rec_ids_most), its ids indexed first unless
 * `indexed` says they are. */
static bool rec_table_taken(rnn_rec *r, const rnn_fwd *f, bool indexed)
{
    if (!rec_table_usable(r, f))
        return false;
    if (indexed)
        return r->n_ids > 0;
    int most = rec_ids_most(r, f->B, f->T);  /* at most ids_cap: the batch fits the workspaces */
    return rec_index_ids(r, f->ids, (size_t)f->B * f->T, most < r->ids_cap ? most : r->ids_cap);
}

/* With the table, the input is read through it alone: forward copies the rows' projections, and
 * backward sums the gate gradients by id, then multiplies the sums by the ids' table rows (the
 * kernel's gradient) and by the kernel (the ids' rows' gradient). The ids indexed here serve the
 * forward that follows. */
bool rnn_rec_reads_rows_by_id(rnn_layer *l, rnn_fwd *f)
{
    rnn_rec *r = l->cfg;
    bool taken = rec_table_taken(r, f, false);
    r->ids_indexed = rec_table_usable(r, f);
    if (taken) {  /* uid: the distinct ids, ascending */
        f->distinct_ids = r->uid;
        f->n_distinct = r->n_ids;
    }
    return taken;
}

/* The ids whose rows table_proj now projects (their table rows times the kernel) when the table is
 * taken (rec_table_taken); else NULL: the chunks project their rows themselves. */
static const int32_t *rec_project_table(rnn_rec *r, const float *params, const rnn_fwd *f)
{
    bool taken = rec_table_taken(r, f, r->ids_indexed);
    r->ids_indexed = false;
    if (!taken)
        return NULL;
    int GH = r->G * r->H, U = r->n_ids;
    const float *W = rec_kernel(r, (float *)params);
    rec_gemm_job j = {false, U, GH, r->F, r->table_x, W, r->F, GH, 0.0f, r->table_proj, GH, r->uid, f->table};
    if (U == r->table_rows) {  /* every row of the table, in order: read in place */
        j.a = f->table;
        j.pick = NULL;
    }
    rec_gemm_run(&j, r->table_parts);
    return f->ids;
}

/* x [T][B][F] -> y [T][B][H] (processing order, as Keras) or [B][H]. */
void rnn_rec_forward(rnn_layer *l, const rnn_fwd *f, const void *xv, float *y)
{
    rnn_rec *r = l->cfg;
    r->batch = f->B;
    r->T = f->T;
    r->mask = f->mask;
    r->x = xv;
    if (!r->masks_drawn)
        rnn_rec_draw_masks(l, f);
    r->masks_drawn = false;
    r->table_parts = l->threads > 0 ? l->threads : RNN_PARALLEL_MAX;
    r->ids = rec_project_table(r, l->params, f);
    r->rows_by_id = f->rows_by_id && r->ids;
    r->nslices = r->cap_slices;  /* the split reserve laid out (threads fixed there) */
    rec_loop lp = {r, l->params, xv, y, NULL, NULL};
    rnn_parallel(r->nslices, rec_forward_slice, &lp);
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

/* db[j] += sum over rows of d[rows][n] (sequential over rows: deterministic). */
RNN_VECTOR_KERNEL
static void rec_colsum(float *restrict db, const float *restrict d, size_t rows, int n)
{
    for (size_t i = 0; i < rows; i++)
        for (int j = 0; j < n; j++)
            db[j] += d[i * n + j];
}

/* dx rows of step s = src (NULL: zeros) through the input dropout mask; with a shared dx, added to
 * the rows when the other layer has set them already. */
static void rec_dx_store(const rnn_rec *v, const rec_loop *lp, int s, const float *src)
{
    size_t n = (size_t)v->B * v->F;
    float *dst = (float *)rec_xrows(v, lp->dx, s);
    rnn_dx_shared *d = lp->r->dx_shared;
    int t = v->go_backwards ? v->T - 1 - s : s;
    pthread_mutex_t *lock = d ? &d->lock[t % RNN_DX_SHARED_LOCKS] : NULL;
    if (lock)
        pthread_mutex_lock(lock);
    bool add = d && d->written[t];
    if (!src) {
        if (!add)
            memset(dst, 0, n * sizeof *dst);
    } else if (v->use_dmask) {
        for (size_t k = 0; k < n; k++)
            dst[k] = (add ? dst[k] : 0.0f) + src[k] * v->dmask[k];
    } else if (add) {
        for (size_t k = 0; k < n; k++)
            dst[k] += src[k];
    } else {
        memcpy(dst, src, n * sizeof *dst);
    }
    if (lock) {
        d->written[t] = 1;
        pthread_mutex_unlock(lock);
    }
}

/* dW += x^T dgates over steps s0..s1-1, x rows as the projection saw them. Where the projection
 * read a slice's rows step by step in x (rec_rows_by_step), so does this: gathering the chunk first
 * copies 8 KB a step on chollet_rnn's slices, which costs more than the larger product saves. */
static void rec_kernel_grads(rnn_rec *v, const rec_loop *lp, int s0, int s1, float *dW)
{
    int GH = v->G * v->H, F = v->F, B = v->B;
    if (rec_rows_by_step(v, lp->x, s0)) {
        for (int s = s0; s < s1; s++)
            rnn_sgemm(true, false, F, GH, B, 1.0f, rec_xrows(v, lp->x, s), F, v->dgates + (size_t)(s - s0) * B * GH,
                      GH, 1.0f, dW, GH);
        return;
    }
    const float *xs = rec_rows_in_place(v, lp->x, s0);
    if (!xs) {
        rec_gather_x(v, lp->x, s0, s1);
        xs = v->xbuf;
    }
    rnn_sgemm(true, false, F, GH, (s1 - s0) * B, 1.0f, xs, F, v->dgates, GH, 1.0f, dW, GH);
}

/* table_grad[id] += the gate gradient rows of steps [s0, s1) (the chunk in dgates), each by its
 * row's id. */
RNN_VECTOR_KERNEL
static void rec_sum_by_id(rnn_rec *v, int s0, int s1)
{
    size_t GH = (size_t)v->G * v->H, T = (size_t)v->T;
    const float *restrict dg = v->dgates;
    float *restrict S = v->table_grad;
    for (int s = s0; s < s1; s++) {
        const int32_t *id = rec_step_ids(v, s);
        for (int b = 0; b < v->B; b++, dg += GH) {
            float *row = S + (size_t)v->id_slot[id[b * T]] * GH;
            for (size_t j = 0; j < GH; j++)
                row[j] += dg[j];
        }
    }
}

/* Weight gradients of steps s0..s1-1 (the chunk in dgates) into the slice's accumulator, and the
 * input gradient rows of those steps (or, by id, the chunk's gate gradients into table_grad). */
static void rec_chunk_grads(rnn_rec *v, const rec_loop *lp, int s0, int s1)
{
    int H = v->H, GH = v->G * H, F = v->F, B = v->B, rows = (s1 - s0) * B;
    float *acc = v->acc;
    if (v->rows_by_id)
        rec_sum_by_id(v, s0, s1);
    else
        rec_kernel_grads(v, lp, s0, s1, rec_kernel(v, acc));
    const float *hp = (v->use_rmask ? v->hd : v->hs) + (size_t)s0 * B * H;  /* previous states */
    float *dU = rec_recurrent(v, acc);
    if (v->cell->recurrent_grads) {
        v->cell->recurrent_grads(v, hp, dU, s0, rows);
    } else {
        const float *dg = v->dgrec ? v->dgrec : v->dgates;
        rnn_sgemm(true, false, H, GH, rows, 1.0f, hp, H, dg, GH, 1.0f, dU, GH);
    }
    if (v->use_bias) {
        float *db = rec_bias(v, acc);
        if (!v->rows_by_id)  /* by id, the sums by id hold it (rec_grads_by_id) */
            rec_colsum(db, v->dgates, (size_t)rows, GH);
        if (v->dgrec)
            rec_colsum(db + GH, v->dgrec, (size_t)rows, GH);
    }
    if (!lp->dx || v->rows_by_id)
        return;
    /* dx rows = dgates W^T, back to time order and through the input dropout mask */
    bool shared = lp->r->dx_shared != NULL;
    float *dxs = shared ? NULL : rec_rows_in_place(v, lp->dx, s0);
    if (!dxs && !v->use_dmask && !shared) {  /* a slice's rows of one step lie together in dx */
        for (int s = s0; s < s1; s++)
            rnn_sgemm(false, false, B, F, GH, 1.0f, v->dgates + (size_t)(s - s0) * B * GH, GH, v->wt, F, 0.0f,
                      (float *)rec_xrows(v, lp->dx, s), F);
        return;
    }
    rnn_sgemm(false, false, rows, F, GH, 1.0f, v->dgates, GH, v->wt, F, 0.0f, dxs ? dxs : v->xbuf, F);
    for (int s = s0; !dxs && s < s1; s++)  /* with the input dropout mask or a shared dx */
        rec_dx_store(v, lp, s, v->xbuf + (size_t)(s - s0) * B * F);
}

static void rec_backward_slice_run(void *ctx, int i, int n);

static void rec_backward_slice(void *ctx, int i, int n)
{
    unsigned csr = rec_fpu_enter();
    rec_backward_slice_run(ctx, i, n);
    rec_fpu_leave(csr);
}

/* dx rows of steps [s0, s1) of the slice: zero (steps that are padding in every row). */
static void rec_zero_dx_steps(const rnn_rec *v, const rec_loop *lp, int s0, int s1)
{
    for (int s = s0; lp->dx && !v->rows_by_id && s < s1; s++)
        rec_dx_store(v, lp, s, NULL);
}

/* dh += dy of step s (return_sequences): the output of a masked step is the carried state. */
static void rec_add_dy(rnn_rec *v, const rec_loop *lp, int s)
{
    size_t BH = (size_t)v->B * v->H;
    const float *dy = lp->dy + ((size_t)s * v->batch + v->b0) * v->H;
    for (size_t k = 0; k < BH; k++)
        v->dh[k] += dy[k];
}

static void rec_backward_slice_run(void *ctx, int i, int n)
{
    rec_loop *lp = ctx;
    rnn_rec *v = &lp->r->slice[i];
    (void)n;
    int H = v->H, B = v->B, T = v->T, tc = rec_chunk_steps(B, T), sa, sb;
    size_t BH = (size_t)B * H;
    rec_live_steps(v, &sa, &sb);
    memset(v->acc, 0, v->n_params * sizeof(float));
    memset(v->dc, 0, BH * sizeof(float));
    if (v->rows_by_id)
        memset(v->table_grad, 0, (size_t)v->n_ids * v->G * H * sizeof(float));
    if (v->return_sequences)
        memset(v->dh, 0, BH * sizeof(float));
    else
        memcpy(v->dh, lp->dy + (size_t)v->b0 * H, BH * sizeof(float));
    /* Chunks as the computation of every step makes them (so that the weight gradients sum the
     * same rows in the same order): those that are padding in every row add nothing and are
     * skipped; the others run, their padded steps and rows with zero gate gradients. */
    for (int s1 = T; s1 > 0; s1 -= tc) {
        int s0 = s1 - tc > 0 ? s1 - tc : 0;
        if (s1 <= sa || s0 >= sb) {
            for (int s = s1 - 1; v->return_sequences && s >= s0 && s >= sb; s--)
                rec_add_dy(v, lp, s);
            rec_zero_dx_steps(v, lp, s0, s1);
            continue;
        }
        v->dg_s0 = s0;
        for (int s = s1 - 1; s >= s0; s--) {
            if (v->return_sequences)
                rec_add_dy(v, lp, s);
            int lo, hi;
            rec_live_rows(v, s, &lo, &hi);
            rec_zero_dg_rows(v, s, 0, lo < hi ? lo : B);
            rec_zero_dg_rows(v, s, lo < hi ? hi : B, B);
            if (lo < hi)
                v->cell->step_backward(v, s, lo, hi);
        }
        rec_chunk_grads(v, lp, s0, s1);
    }
}

/* t[cols][rows] = m[rows][cols] transposed. */
static void rec_transpose(float *restrict t, const float *restrict m, int rows, int cols)
{
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            t[(size_t)j * rows + i] = m[(size_t)i * cols + j];
}

const float *rnn_rec_recurrent_t(const rnn_rec *r) { return r->ut; }

RNN_VECTOR_KERNEL
static void rec_add_floats(float *restrict a, const float *restrict b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        a[k] += b[k];
}

/* Part i of n of the slices' sums into slice 0's, slice by slice (the same order for any split). */
static void rec_sum_slices_part(void *ctx, int i, int n)
{
    rnn_rec *r = ctx;
    size_t a, b;
    rnn_parallel_range(i, n, (size_t)r->n_ids * r->G * r->H, 16, &a, &b);
    for (int k = 1; k < r->nslices && a < b; k++)
        rec_add_floats(r->slice[0].table_grad + a, r->slice[k].table_grad + a, b - a);
}

/* By id: the slices' sums (in slice order) S [U][G*H] of the batch's U distinct ids; the kernel's
 * gradient += their rows^T S and, when wanted, dx [U][F] = S W^T; with a shared dx (Bidirectional)
 * S W^T goes to table_x instead (the kernel's gradient has read it), for the caller to sum. */
static void rec_grads_by_id(rnn_rec *r, rnn_layer *l, const rnn_fwd *f, float *dx)
{
    size_t GH = (size_t)r->G * r->H, n = (size_t)r->n_ids * GH;
    const float *rows = r->n_ids == r->table_rows ? f->table : r->table_x;
    float *S = r->slice[0].table_grad;
    if (r->nslices > 1)
        rnn_parallel(rnn_parallel_parts(n, 1 << 15), rec_sum_slices_part, r);
    rec_gemm_on_pool(true, r->F, (int)GH, r->n_ids, rows, r->F, S, (int)GH, 1.0f, rec_kernel(r, l->grads),
                     (int)GH, r->table_parts);
    if (r->use_bias)  /* the input side's bias: every row's gate gradients, summed by id already */
        rec_colsum(rec_bias(r, l->grads), S, (size_t)r->n_ids, (int)GH);
    if (dx)
        rec_gemm_on_pool(false, r->n_ids, r->F, (int)GH, S, (int)GH, r->wt, r->F, 0.0f,
                         r->dx_shared ? r->table_x : dx, r->F, r->table_parts);
}

const float *rnn_rec_dx_by_id(const rnn_layer *l, size_t *floats)
{
    const rnn_rec *r = l->cfg;
    *floats = (size_t)r->n_ids * r->F;
    return r->table_x;
}

void rnn_rec_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    rnn_rec *r = l->cfg;
    int GH = r->G * r->H;
    rec_transpose(r->ut, rec_recurrent(r, l->params), r->H, GH);
    if (dx)
        rec_transpose(r->wt, rec_kernel(r, l->params), r->F, GH);
    rec_loop lp = {r, l->params, r->x, NULL, dy, dx};
    rnn_parallel(r->nslices, rec_backward_slice, &lp);
    /* slices' gradients summed in slice order: same thread count, same bits */
    for (int i = 0; i < r->nslices; i++)
        rec_add_floats(l->grads, r->slice[i].acc, l->n_params);
    if (r->rows_by_id)
        rec_grads_by_id(r, l, f, dx);
}

/* ---- description ---- */

int rnn_rec_describe(const rnn_layer *l, char *buf, size_t n)
{
    const rnn_rec *r = l->cfg;
    size_t len = 0;
    char num[32];
    buf[0] = '\0';
    layer_appendf(buf, n, &len, "%s(%d", l->kind->name, r->H);
    if (r->act != ACT_TANH)  /* Keras's default for every cell */
        layer_appendf(buf, n, &len, ", activation='%s'", layer_act_name(r->act));
    if (!r->use_bias)
        layer_appendf(buf, n, &len, ", use_bias=False");
    if (r->cell->describe)
        r->cell->describe(r, buf, n, &len);
    if (r->dropout > 0)
        layer_appendf(buf, n, &len, ", dropout=%s", layer_number(num, r->dropout));
    if (r->recurrent_dropout > 0)
        layer_appendf(buf, n, &len, ", recurrent_dropout=%s", layer_number(num, r->recurrent_dropout));
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
    free(r->slice);
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

void rnn_rec_backprop_state(rnn_rec *r, const float *Ut, int k, const float *dg, int ldg, int b0, int b1, bool add)
{
    int H = r->H, nb = b1 - b0;
    float *dh = r->dh + (size_t)b0 * H;
    if (!r->use_rmask) {
        rnn_sgemm(false, false, nb, H, k, 1.0f, dg, ldg, Ut, H, add ? 1.0f : 0.0f, dh, H);
        return;
    }
    float *tmp = r->dtmp + (size_t)b0 * H;
    const float *m = r->rmask + (size_t)b0 * H;
    rnn_sgemm(false, false, nb, H, k, 1.0f, dg, ldg, Ut, H, 0.0f, tmp, H);
    for (size_t i = 0; i < (size_t)nb * H; i++)
        dh[i] = (add ? dh[i] : 0.0f) + tmp[i] * m[i];
}
