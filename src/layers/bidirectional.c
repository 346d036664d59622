/* Bidirectional(layer, merge_mode): a forward copy of a recurrent layer and a go_backwards copy
 * (Keras: forward_lstm / backward_lstm), their outputs merged by concat, sum, mul or ave. With
 * return_sequences the backward copy's output is put back in time order before merging.
 * Parameters: the forward copy's, then the backward copy's. The two directions run on two
 * threads (OpenBLAS single-threaded inside) when the layer may use two or more. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "layers/rnn_common.h"

typedef enum bidi_merge { MERGE_CONCAT, MERGE_SUM, MERGE_MUL, MERGE_AVE } bidi_merge;
static const char *const merge_names[] = {"concat", "sum", "mul", "ave"};

typedef struct bidi {
    bidi_merge merge;
    int H;                  /* units of each direction */
    bool seq;               /* return_sequences */
    int B, T;
    float *yf, *yb;         /* inner outputs: [T][B][H] (processing order) or [B][H] */
    float *dyf, *dyb;       /* their gradients, same layouts */
    rnn_dx_shared dx;       /* backward: both copies write the one input gradient */
    float *block;
    size_t block_cap;
    int capB, capT;
} bidi;

/* Creates the two copies from the inner call into l->inner[0..1]. */
static int bidi_make_inner(rnn_layer *l, const rnn_call *inner, const rnn_add_ctx *ctx, rnn_error *err)
{
    rnn_layer *made[2] = {NULL, NULL};
    int rc = RNN_OK;
    for (int i = 0; i < 2 && !rc; i++)
        rc = rnn_layer_create(inner, ctx, &made[i], err);
    if (!rc && !made[0]->kind->cell)  /* a kind on the recurrent driver */
        rc = rnn_fail(err, RNN_EUSAGE, "Bidirectional: expects a SimpleRNN, LSTM or GRU layer, got %s",
                      made[0]->kind->name);
    if (!rc && !(l->inner = calloc(2, sizeof *l->inner)))
        rc = rnn_fail(err, RNN_EINTERNAL, "out of memory");
    if (rc) {
        rnn_layer_destroy(made[0]);
        rnn_layer_destroy(made[1]);
        return rc;
    }
    for (int i = 0; i < 2; i++) {
        char base[sizeof made[i]->name];  /* the inner call's name= (or the kind's prefix), kept before the free */
        snprintf(base, sizeof base, "%s", made[i]->name[0] ? made[i]->name : made[i]->kind->prefix);
        l->inner[i] = *made[i];
        free(made[i]);  /* the struct now lives in l->inner; its cfg moved with it */
        snprintf(l->inner[i].name, sizeof l->inner[i].name, "%s_%.50s", i ? "backward" : "forward", base);
    }
    rnn_rec *back = l->inner[1].cfg;
    back->go_backwards = !back->go_backwards;
    return RNN_OK;
}

static const char *const bidi_keys[] = {"layer", "merge_mode", NULL};

static int bidi_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    int rc = rnn_call_check_keys(call, 2, bidi_keys, err);
    if (rc)
        return rc;
    const rnn_value *v = rnn_call_arg(call, 0, "layer");
    if (!v || v->type != RNN_VAL_CALL)
        return rnn_fail(err, RNN_EUSAGE, "Bidirectional: expects a recurrent layer, e.g. Bidirectional(LSTM(64))");
    /* Keras's merge_mode=None returns the two directions' outputs as a list, which a Sequential
     * model cannot pass on; rnn_call_string would read None as "use the default". */
    const rnn_value *mv = rnn_call_arg(call, 1, "merge_mode");
    if (mv && mv->type == RNN_VAL_NONE)
        return rnn_fail(err, RNN_EUSAGE, "Bidirectional: merge_mode=None is not supported: Keras then returns both "
                                         "directions' outputs as a list, which a Sequential model cannot take (use "
                                         "concat, sum, mul or ave)");
    const char *mode;
    if ((rc = rnn_call_string(call, 1, "merge_mode", "concat", &mode, err)))
        return rc;
    bidi *c = calloc(1, sizeof *c);
    if (!c)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int m = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(mode, merge_names[i]) == 0)
            m = i;
    if (m < 0) {
        free(c);
        return rnn_fail(err, RNN_EUSAGE, "Bidirectional: 'merge_mode' must be concat, sum, mul or ave, got '%s'", mode);
    }
    c->merge = (bidi_merge)m;
    if ((rc = bidi_make_inner(l, v->call, ctx, err))) {
        free(c);
        return rc;
    }
    for (int i = 0; i < RNN_DX_SHARED_LOCKS; i++)
        pthread_mutex_init(&c->dx.lock[i], NULL);
    l->cfg = c;
    return RNN_OK;
}

/* Points the copies' parameter and gradient views into this layer's blocks. */
static void bidi_bind(rnn_layer *l)
{
    rnn_layer *in = l->inner;
    in[0].params = l->params;
    in[0].grads = l->grads;
    in[1].params = l->params ? l->params + in[0].n_params : NULL;
    in[1].grads = l->grads ? l->grads + in[0].n_params : NULL;
    in[0].trainable = in[1].trainable = l->trainable;
}

static int bidi_build(rnn_layer *l, rnn_error *err)
{
    bidi *c = l->cfg;
    for (int i = 0; i < 2; i++) {
        l->inner[i].in = l->in;
        l->inner[i].in_table_rows = l->in_table_rows;  /* each direction projects the batch's words */
        int rc = l->inner[i].kind->build(&l->inner[i], err);
        if (rc)
            return rc;
    }
    const rnn_rec *r = l->inner[0].cfg;
    c->H = r->H;
    c->seq = r->return_sequences;
    l->out = l->inner[0].out;
    l->out.dim[l->out.rank - 1] = c->merge == MERGE_CONCAT ? 2 * c->H : c->H;
    l->n_params = l->inner[0].n_params + l->inner[1].n_params;
    return RNN_OK;
}

static int bidi_init(rnn_layer *l, rnn_rng *rng, rnn_error *err)
{
    bidi_bind(l);
    int rc = RNN_OK;
    for (int i = 0; i < 2 && !rc; i++)
        rc = l->inner[i].kind->init(&l->inner[i], rng, err);
    return rc;
}

/* Floats of one direction's output (or its gradient), rounded up to 64 bytes. */
static size_t bidi_out_floats(const bidi *c, int B, int T)
{
    size_t ny = (size_t)B * c->H * (c->seq ? T : 1);
    return (ny + 15) & ~(size_t)15;
}

/* Floats holding the T flags of the shared input gradient. */
static size_t bidi_written_floats(int T) { return ((size_t)T + sizeof(float) - 1) / sizeof(float); }

static int bidi_reserve(rnn_layer *l, int B, int T, rnn_error *err)
{
    bidi *c = l->cfg;
    for (int i = 0; i < 2; i++) {
        l->inner[i].threads = 1;  /* parallelism is across the two directions */
        int rc = l->inner[i].kind->reserve(&l->inner[i], B, T, err);
        if (rc)
            return rc;
    }
    if (B <= c->capB && T <= c->capT)
        return RNN_OK;
    int nB = B > c->capB ? B : c->capB, nT = T > c->capT ? T : c->capT;
    size_t ny = bidi_out_floats(c, nB, nT);
    int rc = layer_reserve_floats(&c->block, &c->block_cap, 4 * ny + bidi_written_floats(nT), err, l->name);
    if (rc)
        return rc;
    c->yf = c->block;
    c->yb = c->yf + ny;
    c->dyf = c->yb + ny;
    c->dyb = c->dyf + ny;
    c->dx.written = (uint8_t *)(c->dyb + ny);
    c->capB = nB;
    c->capT = nT;
    return RNN_OK;
}

/* Each direction's workspace (one thread each) and the merge buffers. */
static size_t bidi_workspace_bytes(const rnn_layer *l, int B, int T)
{
    const bidi *c = l->cfg;
    size_t bytes = 0;
    for (int i = 0; i < 2; i++) {
        rnn_layer inner = l->inner[i];
        inner.threads = 1;  /* as reserve sets it */
        bytes += inner.kind->workspace_bytes(&inner, B, T);
    }
    return bytes + (4 * bidi_out_floats(c, B, T) + bidi_written_floats(T)) * sizeof(float);
}

static size_t bidi_init_bytes(const rnn_layer *l)
{
    return l->inner[0].kind->init_bytes(&l->inner[0]);  /* the two copies are initialised in turn */
}

/* Work of one direction on its own thread. */
typedef struct bidi_job {
    rnn_layer *l;
    const rnn_fwd *f;
    const void *x;
    const float *dy;
    float *dx;
    bool backward;
} bidi_job;

static void bidi_run(void *ctx, int i, int n)
{
    (void)n;
    bidi_job *j = ctx;
    bidi *c = j->l->cfg;
    rnn_layer *in = &j->l->inner[i];
    if (!j->backward)
        in->kind->forward(in, j->f, j->x, i ? c->yb : c->yf);
    else
        in->kind->backward(in, j->f, i ? c->dyb : c->dyf, j->dx);
}

/* Both directions: on two threads, each single-threaded, or one after the other. The directions
 * split the work whatever the batch size (one text's predict included); only tiny calls, whose
 * thread start costs more than a direction's work, run in turn. */
static void bidi_dispatch(rnn_layer *l, bidi_job *job)
{
    bidi *c = l->cfg;
    int n = l->threads > 0 ? l->threads : rnn_get_threads();
    if (n >= 2 && rnn_rec_worth_threads(&l->inner[0], c->B, c->T)) {
        rnn_parallel(2, bidi_run, job);
    } else {
        bidi_run(job, 0, 2);
        bidi_run(job, 1, 2);
    }
}

/* Row of the backward copy's output that holds time t of output row set `at`. */
static const float *bidi_back_row(const bidi *c, const float *yb, int t)
{
    return c->seq ? yb + (size_t)(c->T - 1 - t) * c->B * c->H : yb;
}

/* x [T][B][F] -> y [T][B][H'] or [B][H'] (H' = 2H for concat). */
static void bidi_forward(rnn_layer *l, const rnn_fwd *f, const void *x, float *y)
{
    bidi *c = l->cfg;
    bidi_bind(l);
    c->B = f->B;
    c->T = f->T;
    /* dropout masks drawn here, in a fixed order, so that threads do not share the generator */
    for (int i = 0; i < 2; i++)
        rnn_rec_draw_masks(&l->inner[i], f);
    bidi_job job = {l, f, x, NULL, NULL, false};
    bidi_dispatch(l, &job);
    int H = c->H, steps = c->seq ? c->T : 1;
    size_t BH = (size_t)c->B * H;
    for (int t = 0; t < steps; t++) {
        const float *a = c->yf + (size_t)t * BH, *b = bidi_back_row(c, c->yb, t);
        float *o = y + (size_t)t * BH * (c->merge == MERGE_CONCAT ? 2 : 1);
        for (int r = 0; r < c->B; r++) {
            const float *ar = a + (size_t)r * H, *br = b + (size_t)r * H;
            switch (c->merge) {
            case MERGE_CONCAT:
                memcpy(o + (size_t)r * 2 * H, ar, H * sizeof *o);
                memcpy(o + (size_t)r * 2 * H + H, br, H * sizeof *o);
                break;
            case MERGE_SUM:
                for (int j = 0; j < H; j++) o[(size_t)r * H + j] = ar[j] + br[j];
                break;
            case MERGE_MUL:
                for (int j = 0; j < H; j++) o[(size_t)r * H + j] = ar[j] * br[j];
                break;
            case MERGE_AVE:
                for (int j = 0; j < H; j++) o[(size_t)r * H + j] = 0.5f * (ar[j] + br[j]);
                break;
            }
        }
    }
}

/* Splits dy into the two directions' output gradients (the backward one in its own order). */
static void bidi_split_dy(bidi *c, const float *dy)
{
    int H = c->H, steps = c->seq ? c->T : 1;
    size_t BH = (size_t)c->B * H;
    for (int t = 0; t < steps; t++) {
        const float *d = dy + (size_t)t * BH * (c->merge == MERGE_CONCAT ? 2 : 1);
        float *df = c->dyf + (size_t)t * BH, *db = (float *)bidi_back_row(c, c->dyb, t);
        const float *yf = c->yf + (size_t)t * BH, *yb = bidi_back_row(c, c->yb, t);
        for (int r = 0; r < c->B; r++) {
            size_t o = (size_t)r * H;
            switch (c->merge) {
            case MERGE_CONCAT:
                memcpy(df + o, d + 2 * o, H * sizeof *df);
                memcpy(db + o, d + 2 * o + H, H * sizeof *db);
                break;
            case MERGE_SUM:
                memcpy(df + o, d + o, H * sizeof *df);
                memcpy(db + o, d + o, H * sizeof *db);
                break;
            case MERGE_MUL:
                for (int j = 0; j < H; j++) {
                    df[o + j] = d[o + j] * yb[o + j];
                    db[o + j] = d[o + j] * yf[o + j];
                }
                break;
            case MERGE_AVE:
                for (int j = 0; j < H; j++)
                    df[o + j] = db[o + j] = 0.5f * d[o + j];
                break;
            }
        }
    }
}

/* By id, dx [U][F] = the two directions' input gradients by id, added once both are done (both
 * indexed the same ids, so their rows match). */
RNN_VECTOR_KERNEL
static void bidi_sum_dx_by_id(float *restrict dx, const float *restrict a, const float *restrict b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = a[i] + b[i];
}

static void bidi_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    bidi *c = l->cfg;
    bidi_bind(l);
    bidi_split_dy(c, dy);
    if (dx)
        memset(c->dx.written, 0, (size_t)c->T);
    for (int i = 0; i < 2; i++)
        ((rnn_rec *)l->inner[i].cfg)->dx_shared = dx ? &c->dx : NULL;
    bidi_job job = {l, f, NULL, dy, dx, true};
    bidi_dispatch(l, &job);
    if (dx && f->rows_by_id) {
        size_t na, nb;
        const float *a = rnn_rec_dx_by_id(&l->inner[0], &na), *b = rnn_rec_dx_by_id(&l->inner[1], &nb);
        bidi_sum_dx_by_id(dx, a, b, na < nb ? na : nb);  /* equal: bidi_reads_rows_by_id */
    }
}

/* Both directions read their rows by id (each indexes the batch's ids, the same distinct ids:
 * both are asked, and the list given is the second's). */
static bool bidi_reads_rows_by_id(rnn_layer *l, rnn_fwd *f)
{
    bool a = rnn_rec_reads_rows_by_id(&l->inner[0], f);
    int n_first = f->n_distinct;
    bool b = rnn_rec_reads_rows_by_id(&l->inner[1], f);
    return a && b && f->n_distinct == n_first;  /* backward adds the two directions' rows one to one */
}

static int bidi_describe(const rnn_layer *l, char *buf, size_t n)
{
    const bidi *c = l->cfg;
    char inner[400];
    rnn_layer fwd = l->inner[0];
    fwd.trainable = true;
    fwd.kind->describe(&fwd, inner, sizeof inner);
    size_t len = 0;
    buf[0] = '\0';
    layer_appendf(buf, n, &len, "Bidirectional(%s", inner);
    if (c->merge != MERGE_CONCAT)
        layer_appendf(buf, n, &len, ", merge_mode='%s'", merge_names[c->merge]);
    if (!l->trainable)
        layer_appendf(buf, n, &len, ", trainable=False");
    layer_appendf(buf, n, &len, ")");
    return (int)len;
}

static int bidi_param_groups(const rnn_layer *l, const char **names, size_t *sizes, int max)
{
    static const char *const fw[] = {"forward_kernel", "forward_recurrent_kernel", "forward_bias"};
    static const char *const bw[] = {"backward_kernel", "backward_recurrent_kernel", "backward_bias"};
    const char *nm[3];
    size_t sz[3];
    int k = l->inner[0].kind->param_groups(&l->inner[0], nm, sz, 3), count = 0;
    for (int d = 0; d < 2; d++)
        for (int i = 0; i < k; i++, count++)
            if (count < max) {
                names[count] = (d ? bw : fw)[i];
                sizes[count] = sz[i];
            }
    return count;
}

static void bidi_destroy(rnn_layer *l)
{
    bidi *c = l->cfg;
    if (l->inner) {
        for (int i = 0; i < 2; i++)
            if (l->inner[i].kind && l->inner[i].kind->destroy)
                l->inner[i].kind->destroy(&l->inner[i]);
        free(l->inner);
        l->inner = NULL;
    }
    if (c) {
        for (int i = 0; i < RNN_DX_SHARED_LOCKS; i++)
            pthread_mutex_destroy(&c->dx.lock[i]);
        rnn_free_aligned(c->block);
        free(c);
    }
    l->cfg = NULL;
}

const rnn_layer_kind rnn_bidirectional_kind = {
    .name = "Bidirectional",
    .prefix = "bidirectional",
    .configure = bidi_configure,
    .keys = bidi_keys,
    .build = bidi_build,
    .init = bidi_init,
    .reserve = bidi_reserve,
    .forward = bidi_forward,
    .backward = bidi_backward,
    .out_mask = NULL,
    .describe = bidi_describe,
    .param_groups = bidi_param_groups,
    .workspace_bytes = bidi_workspace_bytes,
    .init_bytes = bidi_init_bytes,
    .destroy = bidi_destroy,
    .honours_mask = true,
    .reads_rows_by_id = bidi_reads_rows_by_id,
};
