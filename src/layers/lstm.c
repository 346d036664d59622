/* LSTM (Keras gate order i, f, c, o):
 *   i,f,o = sigmoid(x W + h_prev U + b)   c~ = tanh(...)   c = f c_prev + i c~   h = o tanh(c)
 * Per-step kernels: one GEMM for all four gates, then one fused pass over the step's rows. */
#include "config.h"
#include <string.h>
#include "layers/rnn_common.h"

/* One row: g[4H] pre-activations (input + recurrent) -> activations; c, h of the step. */
RNN_KERNEL_INLINE void lstm_row_forward(float *restrict g, const float *restrict b, const float *restrict cp,
                                        float *restrict c, float *restrict h, int H)
{
    float *gi = g, *gf = g + H, *gc = g + 2 * H, *go = g + 3 * H;
    const float *bi = b, *bf = b + H, *bc = b + 2 * H, *bo = b + 3 * H;
    for (int j = 0; j < H; j++) {
        float i = rnn_fast_sigmoid(gi[j] + bi[j]);
        float f = rnn_fast_sigmoid(gf[j] + bf[j]);
        float cc = rnn_fast_tanh(gc[j] + bc[j]);
        float o = rnn_fast_sigmoid(go[j] + bo[j]);
        float cn = f * cp[j] + i * cc;
        gi[j] = i;
        gf[j] = f;
        gc[j] = cc;
        go[j] = o;
        c[j] = cn;
        h[j] = o * rnn_fast_tanh(cn);
    }
}

/* Rows [0, n) of a step in one call (g [n][4H], cp, c, h [n][H]): the constants set up once and
 * the rows' independent work side by side, where a call a row left LSTM(32)'s two vectors a row
 * waiting on their exponentials. LSTM(32) at B=128, one build alternating both every 50 steps:
 * 11.2 cycles a unit against 12.9 forward, 5.3-6.2 against 7.2-9.3 backward (lstm_rows_backward). */
RNN_VECTOR_KERNEL
static void lstm_rows_forward(float *restrict g, const float *restrict b, const float *restrict cp,
                              float *restrict c, float *restrict h, int n, int H)
{
    for (int k = 0; k < n; k++)
        lstm_row_forward(g + (size_t)k * 4 * H, b, cp + (size_t)k * H, c + (size_t)k * H, h + (size_t)k * H, H);
}

/* One row: gate pre-activation gradients dg[4H] from dh, dc (dc becomes dc_prev). tanh(c) is
 * h / o: the output gate is a sigmoid, never 0 (its input is clamped), and where it is tiny the
 * quotient's error is multiplied by it again; a division costs less than tanh's exponential. */
RNN_KERNEL_INLINE void lstm_row_backward(float *restrict dg, const float *restrict g, const float *restrict cp,
                                         const float *restrict h, const float *restrict dh, float *restrict dc,
                                         int H)
{
    const float *gi = g, *gf = g + H, *gc = g + 2 * H, *go = g + 3 * H;
    for (int j = 0; j < H; j++) {
        float i = gi[j], f = gf[j], cc = gc[j], o = go[j];
        float tc = h[j] / o;
        float dct = dc[j] + dh[j] * o * (1.0f - tc * tc);
        dg[j] = dct * cc * i * (1.0f - i);
        dg[H + j] = dct * cp[j] * f * (1.0f - f);
        dg[2 * H + j] = dct * i * (1.0f - cc * cc);
        dg[3 * H + j] = dh[j] * tc * o * (1.0f - o);
        dc[j] = dct * f;
    }
}

/* lstm_row_backward over rows [0, n) in one call: dg and g [n][4H], cp, h, dh and dc [n][H]. */
RNN_VECTOR_KERNEL
static void lstm_rows_backward(float *restrict dg, const float *restrict g, const float *restrict cp,
                               const float *restrict h, const float *restrict dh, float *restrict dc, int n, int H)
{
    for (int k = 0; k < n; k++) {
        size_t gk = (size_t)k * 4 * H, hk = (size_t)k * H;
        lstm_row_backward(dg + gk, g + gk, cp + hk, h + hk, dh + hk, dc + hk, H);
    }
}

static void lstm_step_forward(rnn_rec *r, const float *p, int s, int b0, int b1)
{
    int H = r->H, B = r->B, GH = 4 * H;
    rnn_sgemm(false, false, b1 - b0, GH, H, 1.0f, rnn_rec_hprev(r, s) + (size_t)b0 * H, H,
              rnn_rec_recurrent(r, p), GH, 1.0f, r->gates + ((size_t)s * B + b0) * GH, GH);
    size_t prev0 = ((size_t)s * B + b0) * H, next0 = ((size_t)(s + 1) * B + b0) * H;
    lstm_rows_forward(r->gates + ((size_t)s * B + b0) * GH, rnn_rec_bias_in(r, p), r->cs + prev0, r->cs + next0,
                      r->hs + next0, b1 - b0, H);
    rnn_rec_carry_masked(r, s, b0, b1);
}

/* Backward gates of the live rows [b, e) of step s (rnn_rec_live_runs). */
static void lstm_backward_rows(rnn_rec *r, int s, int b, int e)
{
    int H = r->H, GH = 4 * H;
    size_t row = (size_t)s * r->B + b;
    lstm_rows_backward(rnn_rec_dg(r, s, b), r->gates + row * GH, r->cs + row * H, r->hs + (row + r->B) * H,
                       r->dh + (size_t)b * H, r->dc + (size_t)b * H, e - b, H);
    if (r->mask)  /* h_prev reaches h only through U: set below when every row is live */
        memset(r->dh + (size_t)b * H, 0, (size_t)(e - b) * H * sizeof(float));
}

static void lstm_step_backward(rnn_rec *r, int s, int b0, int b1)
{
    int GH = 4 * r->H;
    rnn_rec_live_runs(r, s, b0, b1, lstm_backward_rows);
    rnn_rec_backprop_state(r, rnn_rec_recurrent_t(r), GH, rnn_rec_dg(r, s, b0), GH, b0, b1, r->mask != NULL);
}

enum { LSTM_UNIT_FORGET_BIAS = 1 };  /* rnn_rec.opts */

static int lstm_configure(rnn_rec *r, const rnn_call *call, rnn_error *err)
{
    bool unit_forget_bias;
    int rc = rnn_call_bool(call, -1, "unit_forget_bias", true, &unit_forget_bias, err);
    if (rc)
        return rc;
    r->opts = unit_forget_bias ? LSTM_UNIT_FORGET_BIAS : 0;
    return rnn_rec_check_gate_acts(call, err);
}

/* Keras unit_forget_bias: the forget gate starts open. */
static void lstm_init_bias(const rnn_rec *r, float *b)
{
    if (r->opts & LSTM_UNIT_FORGET_BIAS)
        for (int j = r->H; j < 2 * r->H; j++)
            b[j] = 1.0f;
}

static void lstm_describe(const rnn_rec *r, char *buf, size_t n, size_t *len)
{
    if (!(r->opts & LSTM_UNIT_FORGET_BIAS))
        layer_appendf(buf, n, len, ", unit_forget_bias=False");
}

static const char *const lstm_keys[] = {
    "units", "activation", "recurrent_activation", "unit_forget_bias", RNN_REC_COMMON_KEYS, NULL};

static const rnn_cell lstm_cell = {
    .gates = 4,
    .bias_rows = 1,
    .buffers = RNN_CELL_BUF_CS,
    .keys = lstm_keys,
    .positional = 1,
    .configure = lstm_configure,
    .init_bias = lstm_init_bias,
    .step_forward = lstm_step_forward,
    .step_backward = lstm_step_backward,
    .describe = lstm_describe,
};

const rnn_layer_kind rnn_lstm_kind = RNN_REC_KIND("LSTM", "lstm", &lstm_cell);
