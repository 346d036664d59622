/* GRU (Keras gate order z, r, h):
 *   z = sigmoid(x Wz + bz + h_prev Uz [+ rbz])   r = sigmoid(x Wr + br + h_prev Ur [+ rbr])
 *   reset_after=True (Keras 3 default, cuDNN/torch layout, bias [2][3H]):
 *       hh = tanh(x Wh + bh + r * (h_prev Uh + rbh))
 *   reset_after=False (bias [3H]):  hh = tanh(x Wh + bh + (r * h_prev) Uh)
 *   h = z h_prev + (1 - z) hh
 * h_prev inside the matmuls carries the recurrent dropout mask; the z h_prev term does not. */
#include "config.h"
#include <string.h>
#include "layers/rnn_common.h"

/* reset_after=True, units [0, n) of one row whose gates lie H apart: g[3][H] input part, q[3][H]
 * recurrent part (h_prev U, no bias). */
RNN_KERNEL_INLINE void gru_units_forward_after(float *restrict g, const float *restrict q, const float *restrict bi,
                                               const float *restrict br, const float *restrict hp, float *restrict rh,
                                               float *restrict h, int n, int H)
{
    for (int j = 0; j < n; j++) {
        float z = rnn_fast_sigmoid(g[j] + bi[j] + q[j] + br[j]);
        float r = rnn_fast_sigmoid(g[H + j] + bi[H + j] + q[H + j] + br[H + j]);
        float rec = q[2 * H + j] + br[2 * H + j];
        float hh = rnn_fast_tanh(g[2 * H + j] + bi[2 * H + j] + r * rec);
        g[j] = z;
        g[H + j] = r;
        g[2 * H + j] = hh;
        rh[j] = rec;
        h[j] = z * hp[j] + (1.0f - z) * hh;
    }
}

/* reset_after=True, rows [0, n) of a step in one call: g and q [n][3H] (input part, recurrent part
 * h_prev U without bias), hp, rh and h [n][H]; the constants set up once and the rows' independent
 * work side by side (as lstm_rows_forward). */
RNN_VECTOR_KERNEL
static void gru_rows_forward_after(float *restrict g, const float *restrict q, const float *restrict bi,
                                   const float *restrict br, const float *restrict hp, float *restrict rh,
                                   float *restrict h, int n, int H)
{
    for (int k = 0; k < n; k++) {
        size_t gk = (size_t)k * 3 * H, hk = (size_t)k * H;
        gru_units_forward_after(g + gk, q + gk, bi, br, hp + hk, rh + hk, h + hk, H, H);
    }
}

/* Units of a block of the one-row step: 3 x 64 sums fill 12 of AVX-512's 32 vector registers, 3 x 32
 * fill 12 of AVX2's 16. */
enum { GRU_BLOCK_WIDE = 64, GRU_BLOCK = 32 };

/* q's columns of units [j0, j0 + n) in each gate: q[c H + j0 + j] = sum_p x[p] U[p][c H + j0 + j],
 * summed over p in order as rnn_sgemm's one-row product sums them (the same bits). n is a constant
 * where this is inlined. */
RNN_KERNEL_INLINE void gru_block_product(int n, int j0, const float *restrict x, const float *restrict U,
                                         float *restrict q, int H)
{
    float acc[3][GRU_BLOCK_WIDE];
    for (int c = 0; c < 3; c++)
        for (int j = 0; j < n; j++)
            acc[c][j] = 0.0f;
    for (int p = 0; p < H; p++) {
        float s = x[p];
        const float *restrict row = U + (size_t)p * 3 * H + j0;
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < n; j++)
                acc[c][j] += s * row[(size_t)c * H + j];
    }
    for (int c = 0; c < 3; c++)
        for (int j = 0; j < n; j++)
            q[(size_t)c * H + j0 + j] = acc[c][j];
}

/* reset_after=True, a whole step of one row (predict's one text): h_prev U and the gates block by
 * block of units, so that a block's gates run while the next block's product reads U (the step is
 * the time to read U from the cache; the gates' divisions would otherwise wait alone). x is h_prev
 * as the product sees it (recurrent dropout applied), hp as the state update sees it. */
RNN_VECTOR_KERNEL
static void gru_row_step_after(const float *restrict x, const float *restrict U, float *restrict g,
                               float *restrict q, const float *restrict bi, const float *restrict br,
                               const float *restrict hp, float *restrict rh, float *restrict h, int H)
{
    int j0 = 0;
    if (__builtin_cpu_supports("avx512f"))
        for (; j0 + GRU_BLOCK_WIDE <= H; j0 += GRU_BLOCK_WIDE) {
            gru_block_product(GRU_BLOCK_WIDE, j0, x, U, q, H);
            gru_units_forward_after(g + j0, q + j0, bi + j0, br + j0, hp + j0, rh + j0, h + j0,
                                    GRU_BLOCK_WIDE, H);
        }
    for (; j0 + GRU_BLOCK <= H; j0 += GRU_BLOCK) {
        gru_block_product(GRU_BLOCK, j0, x, U, q, H);
        gru_units_forward_after(g + j0, q + j0, bi + j0, br + j0, hp + j0, rh + j0, h + j0, GRU_BLOCK, H);
    }
    for (; j0 < H; j0++) {
        gru_block_product(1, j0, x, U, q, H);
        gru_units_forward_after(g + j0, q + j0, bi + j0, br + j0, hp + j0, rh + j0, h + j0, 1, H);
    }
}

/* reset_after=True, one row: dg (input side) and dq (recurrent side) from dh; dh <- dh z. */
RNN_KERNEL_INLINE void gru_row_backward_after(float *restrict dg, float *restrict dq, const float *restrict g,
                                              const float *restrict rh, const float *restrict hp, float *restrict dh,
                                              int H)
{
    for (int j = 0; j < H; j++) {
        float z = g[j], r = g[H + j], hh = g[2 * H + j];
        float dhh = dh[j] * (1.0f - z) * (1.0f - hh * hh);
        float dz = dh[j] * (hp[j] - hh) * z * (1.0f - z);
        float dr = dhh * rh[j] * r * (1.0f - r);
        dg[j] = dq[j] = dz;
        dg[H + j] = dq[H + j] = dr;
        dg[2 * H + j] = dhh;
        dq[2 * H + j] = dhh * r;
        dh[j] *= z;
    }
}

/* gru_row_backward_after over rows [0, n) in one call: dg, dq and g [n][3H], rh, hp and dh [n][H]. */
RNN_VECTOR_KERNEL
static void gru_rows_backward_after(float *restrict dg, float *restrict dq, const float *restrict g,
                                    const float *restrict rh, const float *restrict hp, float *restrict dh, int n,
                                    int H)
{
    for (int k = 0; k < n; k++) {
        size_t gk = (size_t)k * 3 * H, hk = (size_t)k * H;
        gru_row_backward_after(dg + gk, dq + gk, g + gk, rh + hk, hp + hk, dh + hk, H);
    }
}

/* reset_after=False, first pass of one row: z, r; qh = r * h_prev (masked) for the h matmul. */
RNN_KERNEL_INLINE void gru_row_forward_gates(float *restrict g, const float *restrict q, const float *restrict b,
                                             const float *restrict hm, float *restrict qh, int H)
{
    for (int j = 0; j < H; j++) {
        float z = rnn_fast_sigmoid(g[j] + b[j] + q[j]);
        float r = rnn_fast_sigmoid(g[H + j] + b[H + j] + q[H + j]);
        g[j] = z;
        g[H + j] = r;
        qh[j] = r * hm[j];
    }
}

/* reset_after=False, second pass of one row: hh and h (q[2H..3H) = (r h_prev) Uh). */
RNN_KERNEL_INLINE void gru_row_forward_state(float *restrict g, const float *restrict q, const float *restrict b,
                                             const float *restrict hp, float *restrict h, int H)
{
    for (int j = 0; j < H; j++) {
        float z = g[j];
        float hh = rnn_fast_tanh(g[2 * H + j] + b[2 * H + j] + q[2 * H + j]);
        g[2 * H + j] = hh;
        h[j] = z * hp[j] + (1.0f - z) * hh;
    }
}

/* reset_after=False, first backward pass of one row: dz, dhh; dh <- dh z. */
RNN_KERNEL_INLINE void gru_row_backward_state(float *restrict dg, const float *restrict g, const float *restrict hp,
                                              float *restrict dh, int H)
{
    for (int j = 0; j < H; j++) {
        float z = g[j], hh = g[2 * H + j];
        dg[j] = dh[j] * (hp[j] - hh) * z * (1.0f - z);
        dg[2 * H + j] = dh[j] * (1.0f - z) * (1.0f - hh * hh);
        dh[j] *= z;
    }
}

/* reset_after=False, second backward pass of one row, given dqh = dhh Uh^T:
 * dr and the r * mask path of dqh into dh. m is the recurrent dropout mask row or NULL. */
RNN_KERNEL_INLINE void gru_row_backward_reset(float *restrict dg, const float *restrict g, const float *restrict hm,
                                              const float *restrict dqh, const float *restrict m, float *restrict dh,
                                              int H)
{
    for (int j = 0; j < H; j++) {
        float r = g[H + j];
        dg[H + j] = dqh[j] * hm[j] * r * (1.0f - r);
        dh[j] += dqh[j] * r * (m ? m[j] : 1.0f);
    }
}

/* The passes above over rows [0, n) in one call (as gru_rows_forward_after): rows of g, q and dg 3H
 * floats apart, of the others H (m NULL or rows H apart). Forward, pass 1 is gru_row_forward_gates
 * (x: h_prev masked, y: qh), pass 2 gru_row_forward_state (x: h_prev, y: h). */
RNN_VECTOR_KERNEL
static void gru_rows_forward_before(int pass, float *restrict g, const float *restrict q, const float *restrict b,
                                    const float *restrict x, float *restrict y, int n, int H)
{
    for (int k = 0; k < n; k++) {
        size_t gk = (size_t)k * 3 * H, hk = (size_t)k * H;
        if (pass == 1)
            gru_row_forward_gates(g + gk, q + gk, b, x + hk, y + hk, H);
        else
            gru_row_forward_state(g + gk, q + gk, b, x + hk, y + hk, H);
    }
}

RNN_VECTOR_KERNEL
static void gru_rows_backward_state(float *restrict dg, const float *restrict g, const float *restrict hp,
                                    float *restrict dh, int n, int H)
{
    for (int k = 0; k < n; k++)
        gru_row_backward_state(dg + (size_t)k * 3 * H, g + (size_t)k * 3 * H, hp + (size_t)k * H,
                               dh + (size_t)k * H, H);
}

RNN_VECTOR_KERNEL
static void gru_rows_backward_reset(float *restrict dg, const float *restrict g, const float *restrict hm,
                                    const float *restrict dqh, const float *restrict m, float *restrict dh, int n,
                                    int H)
{
    for (int k = 0; k < n; k++)
        gru_row_backward_reset(dg + (size_t)k * 3 * H, g + (size_t)k * 3 * H, hm + (size_t)k * H,
                               dqh + (size_t)k * H, m ? m + (size_t)k * H : NULL, dh + (size_t)k * H, H);
}

static void gru_step_forward_after(rnn_rec *r, const float *p, int s, int b0, int b1)
{
    int H = r->H, B = r->B, GH = 3 * H;
    const float *bi = rnn_rec_bias_in(r, p), *br = bi + GH;
    if (b1 - b0 == 1) {
        size_t row = (size_t)s * B + b0;
        gru_row_step_after(rnn_rec_hprev(r, s) + (size_t)b0 * H, rnn_rec_recurrent(r, p), r->gates + row * GH,
                           r->rec + (size_t)b0 * GH, bi, br, r->hs + row * H, r->aux + row * H,
                           r->hs + (row + B) * H, H);
        rnn_rec_carry_masked(r, s, b0, b1);
        return;
    }
    rnn_sgemm(false, false, b1 - b0, GH, H, 1.0f, rnn_rec_hprev(r, s) + (size_t)b0 * H, H,
              rnn_rec_recurrent(r, p), GH, 0.0f, r->rec + (size_t)b0 * GH, GH);
    size_t row = (size_t)s * B + b0;
    gru_rows_forward_after(r->gates + row * GH, r->rec + (size_t)b0 * GH, bi, br, r->hs + row * H, r->aux + row * H,
                           r->hs + (row + B) * H, b1 - b0, H);
    rnn_rec_carry_masked(r, s, b0, b1);
}

static void gru_step_forward_before(rnn_rec *r, const float *p, int s, int b0, int b1)
{
    int H = r->H, B = r->B, GH = 3 * H, nb = b1 - b0;
    const float *b = rnn_rec_bias_in(r, p), *U = rnn_rec_recurrent(r, p);
    const float *hm = rnn_rec_hprev(r, s);
    size_t row = (size_t)s * B + b0;
    rnn_sgemm(false, false, nb, 2 * H, H, 1.0f, hm + (size_t)b0 * H, H, U, GH, 0.0f, r->rec + (size_t)b0 * GH, GH);
    gru_rows_forward_before(1, r->gates + row * GH, r->rec + (size_t)b0 * GH, b, hm + (size_t)b0 * H,
                            r->aux + row * H, nb, H);
    rnn_sgemm(false, false, nb, H, H, 1.0f, r->aux + row * H, H, U + 2 * H, GH, 0.0f, r->rec + (size_t)b0 * GH + 2 * H,
              GH);
    gru_rows_forward_before(2, r->gates + row * GH, r->rec + (size_t)b0 * GH, b, r->hs + row * H,
                            r->hs + (row + B) * H, nb, H);
    rnn_rec_carry_masked(r, s, b0, b1);
}

/* reset_after=True: backward gates of the live rows [b, e) of step s (rnn_rec_live_runs). */
static void gru_backward_rows_after(rnn_rec *r, int s, int b, int e)
{
    int H = r->H, GH = 3 * H;
    size_t row = (size_t)s * r->B + b;
    gru_rows_backward_after(rnn_rec_dg(r, s, b), rnn_rec_dgr(r, s, b), r->gates + row * GH, r->aux + row * H,
                            r->hs + row * H, r->dh + (size_t)b * H, e - b, H);
}

static void gru_step_backward_after(rnn_rec *r, int s, int b0, int b1)
{
    int GH = 3 * r->H;
    rnn_rec_live_runs(r, s, b0, b1, gru_backward_rows_after);
    rnn_rec_backprop_state(r, rnn_rec_recurrent_t(r), GH, rnn_rec_dgr(r, s, b0), GH, b0, b1, true);
}

/* reset_after=False: the first backward pass of the live rows [b, e) of step s (rnn_rec_live_runs). */
static void gru_backward_rows_before(rnn_rec *r, int s, int b, int e)
{
    int H = r->H, GH = 3 * H;
    size_t row = (size_t)s * r->B + b;
    gru_rows_backward_state(rnn_rec_dg(r, s, b), r->gates + row * GH, r->hs + row * H, r->dh + (size_t)b * H, e - b,
                            H);
}

static void gru_step_backward_before(rnn_rec *r, int s, int b0, int b1)
{
    int H = r->H, B = r->B, GH = 3 * H, nb = b1 - b0;
    const float *Ut = rnn_rec_recurrent_t(r), *hm = rnn_rec_hprev(r, s);
    rnn_rec_live_runs(r, s, b0, b1, gru_backward_rows_before);
    /* dqh = dhh Uh^T (rows 2H.. of Ut) into dtmp (zero for masked rows, whose dg is zero) */
    float *dg0 = rnn_rec_dg(r, s, b0), *dqh = r->dtmp + (size_t)b0 * H;
    rnn_sgemm(false, false, nb, H, H, 1.0f, dg0 + 2 * H, GH, Ut + (size_t)2 * H * H, H, 0.0f, dqh, H);
    gru_rows_backward_reset(dg0, r->gates + ((size_t)s * B + b0) * GH, hm + (size_t)b0 * H, dqh,
                            r->use_rmask ? r->rmask + (size_t)b0 * H : NULL, r->dh + (size_t)b0 * H, nb, H);
    rnn_rec_backprop_state(r, Ut, 2 * H, dg0, GH, b0, b1, true);
}

/* reset_after=False: dU's z, r columns see h_prev; its h columns see r*h_prev (kept in aux). */
static void gru_recurrent_grads_before(rnn_rec *v, const float *hp, float *dU, int s0, int rows)
{
    int H = v->H, GH = 3 * H;
    rnn_sgemm(true, false, H, 2 * H, rows, 1.0f, hp, H, v->dgates, GH, 1.0f, dU, GH);
    rnn_sgemm(true, false, H, H, rows, 1.0f, v->aux + (size_t)s0 * v->B * H, H, v->dgates + 2 * H, GH, 1.0f,
              dU + 2 * H, GH);
}

static void gru_describe_before(const rnn_rec *r, char *buf, size_t n, size_t *len)
{
    (void)r;
    layer_appendf(buf, n, len, ", reset_after=False");
}

static const rnn_cell gru_reset_before_cell;

/* reset_after=False picks the variant of the cell with the reset gate before the matmul. */
static int gru_configure(rnn_rec *r, const rnn_call *call, rnn_error *err)
{
    bool reset_after;
    int rc = rnn_call_bool(call, -1, "reset_after", true, &reset_after, err);
    if (rc)
        return rc;
    if (!reset_after)
        r->cell = &gru_reset_before_cell;
    return rnn_rec_check_gate_acts(call, err);
}

static const char *const gru_keys[] = {
    "units", "activation", "recurrent_activation", "reset_after", RNN_REC_COMMON_KEYS, NULL};

/* reset_after=True (Keras 3's default): bias [2][3H], the recurrent side's gradient kept apart. */
static const rnn_cell gru_cell = {
    .gates = 3,
    .bias_rows = 2,
    .buffers = RNN_CELL_BUF_AUX | RNN_CELL_BUF_DGREC,
    .keys = gru_keys,
    .positional = 1,
    .configure = gru_configure,
    .step_forward = gru_step_forward_after,
    .step_backward = gru_step_backward_after,
};

static const rnn_cell gru_reset_before_cell = {
    .gates = 3,
    .bias_rows = 1,
    .buffers = RNN_CELL_BUF_AUX,
    .keys = gru_keys,
    .positional = 1,
    .configure = gru_configure,
    .step_forward = gru_step_forward_before,
    .step_backward = gru_step_backward_before,
    .recurrent_grads = gru_recurrent_grads_before,
    .describe = gru_describe_before,
};

const rnn_layer_kind rnn_gru_kind = RNN_REC_KIND("GRU", "gru", &gru_cell);
