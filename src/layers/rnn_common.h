/* Shared machinery of the recurrent layers (SimpleRNN, LSTM, GRU, Bidirectional): configuration,
 * workspaces, the time-loop driver, dropout masks, threads and the fast activations.
 *
 * Layouts (B batch, T steps, F input features, H units, G gates: SimpleRNN 1, LSTM 4, GRU 3):
 *   params = kernel [F][G*H] | recurrent_kernel [H][G*H] | bias [bias_rows][G*H]
 *   (bias_rows 2 for GRU reset_after: input and recurrent biases)
 *   gate order as Keras: LSTM i,f,c,o; GRU z,r,h.
 * Every buffer is time-major and in PROCESSING order s (s = t, or T-1-t with go_backwards), so the
 * input projection, the weight gradients and dx are each one GEMM over all T*B rows. */
#ifndef RNNLAB_RNN_COMMON_H
#define RNNLAB_RNN_COMMON_H
#include <pthread.h>
#include "rnnlab/layers.h"
#include "rnnlab/tensor.h"
#include "layers/layer_util.h"
#include "core/vector_kernel.h"   /* RNN_VECTOR_KERNEL: the fused gate loops */
#include "core/parallel.h"        /* rnn_parallel: slices and directions on the worker pool */

typedef struct rnn_rec rnn_rec;

/* Buffers a cell needs beyond the driver's own (gates, states, gradients): bits of rnn_cell.buffers. */
enum {
    RNN_CELL_BUF_CS = 1,        /* cs: a cell state [T+1][B][H] beside h (LSTM) */
    RNN_CELL_BUF_AUX = 2,       /* aux [T][B][H] and rec [B][G*H]: a recurrent product kept apart */
    RNN_CELL_BUF_DGREC = 4,     /* dgrec [Tc][B][G*H]: a gradient of the recurrent side apart from the
                                 * input side's, for a second bias row (bias_rows 2) and the recurrent
                                 * kernel's gradient */
    RNN_CELL_GATES_IN_STEP = 8, /* the cell reads gates only in the step forward (not in backward):
                                 * the driver keeps one chunk of steps of them, not all T */
};

/* The keywords the driver reads for every cell: a cell's keys list ends with them. */
#define RNN_REC_COMMON_KEYS "use_bias", "dropout", "recurrent_dropout", "return_sequences", "go_backwards", "unroll"

/* A recurrent cell: everything the driver needs to know of SimpleRNN, LSTM, GRU. One const
 * instance per cell, in the cell's file; its layer kind is RNN_REC_KIND(name, prefix, &cell).
 * The driver reads the common arguments (units, use_bias, dropout, recurrent_dropout,
 * return_sequences, go_backwards, unroll); the cell reads its own. */
typedef struct rnn_cell {
    int gates;                  /* G: blocks of H columns in kernel, recurrent kernel and bias */
    int bias_rows;              /* bias [bias_rows][G*H] (2: input and recurrent biases apart) */
    unsigned buffers;           /* RNN_CELL_BUF_* */
    const char *const *keys;    /* Keras keywords the call accepts, the positional ones first, then
                                 * the cell's own, then RNN_REC_COMMON_KEYS, NULL */
    int positional;             /* how many of them may be given by position */
    /* Reads the cell's own arguments into r (r->act, r->opts; may point r->cell at a variant of
     * itself); errors name call->name. */
    int (*configure)(rnn_rec *r, const rnn_call *call, rnn_error *err);
    /* Optional: the bias after Keras's zeros (LSTM's unit_forget_bias). */
    void (*init_bias)(const rnn_rec *r, float *bias);
    /* One step of forward / of backward over the batch rows [b0,b1), per-step GEMMs included: run by
     * the driver for s = 0..T-1 and s = T-1..0. Backward leaves the gate pre-activation gradients of
     * the step in rnn_rec_dg (and rnn_rec_dgr with RNN_CELL_BUF_DGREC); it reads the recurrent
     * kernel as rnn_rec_recurrent_t, made for the whole backward, not from the parameters. */
    void (*step_forward)(rnn_rec *r, const float *params, int s, int b0, int b1);
    void (*step_backward)(rnn_rec *r, int s, int b0, int b1);
    /* Optional: dU += the recurrent kernel's gradient of the chunk of steps s0.. (rows = steps * B)
     * whose previous states are hp [rows][H]; NULL: dU += hp^T dg (dgrec when kept, else dgates). */
    void (*recurrent_grads)(rnn_rec *v, const float *hp, float *dU, int s0, int rows);
    /* Optional: appends the cell's non-default arguments to describe()'s text (", reset_after=False"). */
    void (*describe)(const rnn_rec *r, char *buf, size_t n, size_t *len);
} rnn_cell;

/* One input gradient written by two recurrent layers that read one input (Bidirectional's
 * directions, on two threads), with no buffer of its own for the second: the first to reach a
 * step's rows sets them, the second adds to them. a + b and b + a are the same float, so the
 * result does not depend on which direction comes first. */
enum { RNN_DX_SHARED_LOCKS = 8 };  /* steps t share lock t % 8: the directions meet at one step at most */
typedef struct rnn_dx_shared {
    pthread_mutex_t lock[RNN_DX_SHARED_LOCKS];
    uint8_t *written;       /* [T] steps whose rows one layer has set */
} rnn_dx_shared;

struct rnn_rec {
    const rnn_cell *cell;
    int H, G, F;            /* units, gates, input features */
    layer_act act;          /* activation (linear, relu, tanh, sigmoid; LSTM and GRU: tanh) */
    unsigned opts;          /* the cell's own flags (bits defined in its file) */
    bool use_bias, return_sequences, go_backwards;
    double dropout, recurrent_dropout;
    /* Buffers of ONE batch slice (rows b0..b0+B of the call's batch): each worker thread owns a
     * slice and its buffers are time-major over the slice's rows only, [T][B][..], so that the
     * per-chunk weight-gradient GEMMs read contiguous rows. */
    int B, T;               /* rows of this slice, steps */
    int b0, batch;          /* first row in the call's batch, the call's batch size */
    float *gates;           /* [T][B][G*H] gate activations (pre-activations before the step); with
                             * RNN_CELL_GATES_IN_STEP, the steps of one chunk: use rnn_rec_gates */
    int gates_s0;           /* first step held in gates */
    float *hs;              /* [T+1][B][H] states, hs[0] = 0 */
    float *cs;              /* LSTM cells [T+1][B][H] */
    float *hd;              /* [T][B][H] previous state times the recurrent dropout mask */
    float *aux;             /* GRU: [T][B][H] recurrent h part (reset_after) or r*h_prev (before) */
    float *rec;             /* GRU: [B][G*H] per-step recurrent product scratch */
    float *dgates;          /* [Tc][B][G*H] gate pre-activation gradients of steps dg_s0.. */
    float *dgrec;           /* GRU reset_after: [Tc][B][G*H] gradient of the recurrent side */
    int dg_s0;              /* first step held in dgates/dgrec */
    float *xbuf;            /* [Tc][B][F] chunk of inputs / input gradients */
    int32_t *row_of;        /* [Tc*B] the distinct input row each row of a chunk repeats */
    int32_t *row_table;     /* hash table of a chunk's distinct input rows (row index + 1) */
    float *acc;             /* [n_params] this slice's weight gradients */
    float *dh, *dc;         /* [B][H] running state gradients */
    float *dtmp;            /* [B][H] scratch */
    const float *dmask;     /* [B][F] input dropout mask rows of the slice (scaled) */
    const float *rmask;     /* [B][H] recurrent dropout mask rows of the slice (scaled) */
    bool use_dmask, use_rmask;
    const uint8_t *mask;    /* [T][batch] in time order, or NULL */
    /* layer level only */
    float *dmask_all, *rmask_all; /* [batch][F], [batch][H] */
    float *zbias;           /* [2][G*H] zeros: the bias when use_bias=False */
    float *ut, *wt;         /* [G*H][H], [G*H][F]: the recurrent kernel and the kernel transposed,
                             * made at the start of each backward (slices share them): the state
                             * and input gradients' products then read them untransposed, which
                             * the small-matrix kernels run faster */
    bool masks_drawn;       /* dropout masks of the coming forward already drawn (Bidirectional) */
    rnn_dx_shared *dx_shared; /* backward: dx is shared with another layer (Bidirectional), or NULL */
    const float *x;         /* input of the last forward [T][batch][F] */
    int table_rows;         /* rnn_layer.in_table_rows: the input's rows are rows of such a table */
    /* The batch's distinct ids (layer level; the views share them): */
    int32_t *id_slot;       /* [table_rows] each id's place among them, -1 for the others */
    int32_t *uid;           /* [ids_cap] the ids, ascending */
    int n_ids, ids_cap;     /* how many; room for (the rows of table_x, table_proj, table_grad) */
    bool ids_indexed;       /* reads_rows_by_id indexed the coming forward's ids */
    float *table_x;         /* [ids_cap][F] their table rows (unused when the batch holds every row:
                             * the table is read in place); by id with a shared dx, the input
                             * gradient by id (rnn_rec_dx_by_id) */
    float *table_proj;      /* [ids_cap][G*H] = their rows times the kernel, made by a forward whose
                             * batch repeats its ids enough (rec_ids_most) */
    const int32_t *ids;     /* the call's ids [batch][T] when table_proj holds their rows' input
                             * projections, else NULL */
    bool rows_by_id;        /* rnn_fwd.rows_by_id of the call: x unread, dx by distinct id */
    float *table_grad;      /* [ids_cap][G*H] this slice's gate gradients summed by id (rows_by_id) */
    int table_parts;        /* the most parts the table's products split into (1 inside
                             * Bidirectional, whose directions have a thread each) */
    int nslices, capB, capT, cap_slices;
    struct rnn_rec *slice;  /* [8] per-thread views */
    float *block;           /* the one allocation holding every workspace */
    size_t table_offset;    /* floats of block before the table's buffers (zeroed; those are not) */
    size_t block_cap;
    size_t n_params;
};

/* Mask value of processing step s, row b (1 when no mask). */
static inline int rnn_rec_live(const rnn_rec *r, int s, int b)
{
    if (!r->mask)
        return 1;
    int t = r->go_backwards ? r->T - 1 - s : s;
    return r->mask[(size_t)t * r->batch + r->b0 + b];
}
/* Gate rows of step s (row 0 of the slice). */
static inline float *rnn_rec_gates(const rnn_rec *r, int s)
{
    return r->gates + (size_t)(s - r->gates_s0) * r->B * r->G * r->H;
}
/* Gradient rows of step s, row b (the chunk being processed holds steps dg_s0..). */
static inline float *rnn_rec_dg(const rnn_rec *r, int s, int b)
{
    return r->dgates + ((size_t)(s - r->dg_s0) * r->B + b) * r->G * r->H;
}
static inline float *rnn_rec_dgr(const rnn_rec *r, int s, int b)
{
    return r->dgrec + ((size_t)(s - r->dg_s0) * r->B + b) * r->G * r->H;
}
/* Previous state as the recurrent matmul sees it: [B][H] rows of processing step s. */
static inline const float *rnn_rec_hprev(const rnn_rec *r, int s)
{
    return (r->use_rmask ? r->hd : r->hs) + (size_t)s * r->B * r->H;
}

/* Draws the dropout masks of the coming forward from f->rng (training only); forward draws them
 * itself unless this was called first. */
void rnn_rec_draw_masks(rnn_layer *l, const rnn_fwd *f);
/* Input-side bias [G*H] (zeros without bias) and the recurrent kernel [H][G*H] in params. */
const float *rnn_rec_bias_in(const rnn_rec *r, const float *params);
const float *rnn_rec_recurrent(const rnn_rec *r, const float *params);
/* The recurrent kernel transposed, [G*H][H] (valid during backward): row j is U's column j. */
const float *rnn_rec_recurrent_t(const rnn_rec *r);
/* Forward of step s over rows [b0, b1), after the cell computed them all: the masked rows carry
 * their state (and cell) through, as the steps outside [b0, b1) that are masked in every row do. */
void rnn_rec_carry_masked(rnn_rec *r, int s, int b0, int b1);
/* Backward of step s over rows [b0, b1): run(r, s, b, e) for each run [b, e) of consecutive live rows
 * (one run of them all without a mask), the cell's gates of those rows in one call; the masked
 * rows' gate gradients are zeroed. */
void rnn_rec_live_runs(rnn_rec *r, int s, int b0, int b1, void (*run)(rnn_rec *r, int s, int b, int e));
/* dh[b0..b1) += (dg[rows][k] (ld ldg) x Ut[k][H]) * recurrent dropout mask, Ut = rows of
 * rnn_rec_recurrent_t: the state gradient through the recurrent matmul. Masked rows must have
 * dg = 0 (their dh passes through). Without add, dh is set to it instead: for a cell whose h_prev
 * reaches h only through U, when every row of the block is live. */
void rnn_rec_backprop_state(rnn_rec *r, const float *Ut, int k, const float *dg, int ldg, int b0, int b1,
                            bool add);

/* Kind entry points shared by SimpleRNN, LSTM and GRU; configure reads the cell of l->kind. */
int rnn_rec_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err);
int rnn_rec_build(rnn_layer *l, rnn_error *err);
int rnn_rec_init(rnn_layer *l, rnn_rng *rng, rnn_error *err);
int rnn_rec_reserve(rnn_layer *l, int B, int T, rnn_error *err);
bool rnn_rec_reads_rows_by_id(rnn_layer *l, rnn_fwd *f);
/* After a backward by id with a shared dx (Bidirectional): this layer's input gradient by id,
 * [U][F] for the U distinct ids of the call, ascending (*floats = U * F); the caller sums the two
 * directions' into dx. */
const float *rnn_rec_dx_by_id(const rnn_layer *l, size_t *floats);
size_t rnn_rec_workspace_bytes(const rnn_layer *l, int B, int T);
size_t rnn_rec_init_bytes(const rnn_layer *l);
void rnn_rec_forward(rnn_layer *l, const rnn_fwd *f, const void *x, float *y);
void rnn_rec_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx);
int rnn_rec_describe(const rnn_layer *l, char *buf, size_t n);
int rnn_rec_param_groups(const rnn_layer *l, const char **names, size_t *sizes, int max);
void rnn_rec_destroy(rnn_layer *l);
/* Bias floats of a configured layer (0 without bias). */
size_t rnn_rec_bias_size(const rnn_rec *r);
/* For cells written for tanh/sigmoid only (LSTM, GRU, as Keras's defaults): reads and checks
 * 'activation' and 'recurrent_activation'. */
int rnn_rec_check_gate_acts(const rnn_call *call, rnn_error *err);

/* Threads a recurrent call of batch B and T steps may use: l->threads, else the engine's count,
 * at most 8, only while each slice keeps at least 8 rows, and 1 for tiny calls. */
int rnn_rec_threads(const rnn_layer *l, int B, int T);
/* Whether a call of batch B and T steps has the work to gain from a second thread (its rows or,
 * for Bidirectional, its directions): at least rnn_rec_parallel_min_work multiply-adds. */
bool rnn_rec_worth_threads(const rnn_layer *l, int B, int T);
extern double rnn_rec_parallel_min_work;
/* Steps and rows that are padding in every row of a step (mask_zero) are skipped, their state
 * carried (true); tests set it false to compare with the computation of every step and row. */
extern bool rnn_rec_skip_masked;

/* Fast activations for the fused gate passes: inlined so that gcc vectorises the loops that call
 * them; accurate to a few 1e-8 relative (checked against libm in tests/layers/test_activations). */
typedef union { float f; int32_t i; } rnn_f32_bits;
/* e^x for x in [-87, 88] (NaN stays NaN): x = n ln2 + r with |r| <= ln2/2, rounded by the 1.5*2^23
 * trick so that it stays branch-free. t's low mantissa bits hold n itself, so 2^n is made from them
 * in unsigned arithmetic: no float-to-int conversion, no signed shift, whatever x is (a NaN's
 * exponent is garbage, its product NaN). */
static inline float rnn_exp_in_range(float x)
{
    float t = x * 1.44269504088896341f + 12582912.0f;
    float n = t - 12582912.0f;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = (((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r
                 + 4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f) * r * r + r + 1.0f;
    rnn_f32_bits s = {.f = t};
    s.i = (int32_t)(((uint32_t)s.i - 0x4B400000u + 127u) << 23);  /* 0x4B400000: 1.5*2^23's bits */
    return p * s.f;
}
static inline float rnn_fast_exp(float x)
{
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    return rnn_exp_in_range(x);
}
static inline float rnn_fast_sigmoid(float x)
{
    return 1.0f / (1.0f + rnn_fast_exp(-x));
}
/* tanh: for |x| < 0.625 an odd minimax polynomial (no cancellation), else 1 - 2/(e^{2|x|}+1) with
 * the sign of x. From |x| = 10 on that is 1.0f exactly, so |x| is capped there and e^{2|x|} needs no
 * range clamps (the vectorised loop then computes it only where |x| < 10): the same bits as with
 * the clamps, for every float (compared over all 2^32 inputs). */
static inline float rnn_fast_tanh(float x)
{
    float a = __builtin_fabsf(x);
    float z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z
                    + 1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
    float capped = a > 10.0f ? 10.0f : a;  /* NaN stays NaN */
    float big = __builtin_copysignf(1.0f - 2.0f / (rnn_exp_in_range(2.0f * capped) + 1.0f), x);
    return a < 0.625f ? small : big;
}

/* y[i] = sigmoid/tanh(x[i]) over n floats (the tests' entry points to the activations). */
void rnn_sigmoid_v(float *y, const float *x, size_t n);
void rnn_tanh_v(float *y, const float *x, size_t n);


/* The layer kind of a cell: only the Keras name, the auto-name prefix and the cell differ. */
#define RNN_REC_KIND(keras_name, name_prefix, cell_desc) {                                        \
        .name = keras_name, .prefix = name_prefix, .configure = rnn_rec_configure,                \
        .build = rnn_rec_build, .init = rnn_rec_init, .reserve = rnn_rec_reserve,                 \
        .forward = rnn_rec_forward, .backward = rnn_rec_backward, .out_mask = NULL,               \
        .describe = rnn_rec_describe, .param_groups = rnn_rec_param_groups,                       \
        .destroy = rnn_rec_destroy, .workspace_bytes = rnn_rec_workspace_bytes,                   \
        .init_bytes = rnn_rec_init_bytes, .honours_mask = true, .cell = cell_desc,                \
        .output_unread_by_backward = true, .reads_rows_by_id = rnn_rec_reads_rows_by_id,          \
    }

#endif
