/* SimpleRNN: h_t = act(x_t W + h_{t-1} U + b). The driver in rnn_common.c runs the projection and
 * the weight gradients; here are the per-step kernels. */
#include "config.h"
#include <string.h>
#include "layers/rnn_common.h"

/* g[H] = act(g + b) in place (g holds x W + h U of one row). */
RNN_VECTOR_KERNEL
static void simple_act_row(float *restrict g, const float *restrict b, int H, layer_act act)
{
    switch (act) {
    case ACT_TANH:
        for (int j = 0; j < H; j++)
            g[j] = rnn_fast_tanh(g[j] + b[j]);
        break;
    case ACT_SIGMOID:
        for (int j = 0; j < H; j++)
            g[j] = rnn_fast_sigmoid(g[j] + b[j]);
        break;
    case ACT_RELU:
        for (int j = 0; j < H; j++) {
            float v = g[j] + b[j];
            g[j] = v > 0.0f ? v : 0.0f;
        }
        break;
    default:
        for (int j = 0; j < H; j++)
            g[j] += b[j];
        break;
    }
}

/* dg[H] = dh * act'(y) given the activation output y of one row. */
RNN_VECTOR_KERNEL
static void simple_dact_row(float *restrict dg, const float *restrict y, const float *restrict dh, int H,
                            layer_act act)
{
    switch (act) {
    case ACT_TANH:
        for (int j = 0; j < H; j++)
            dg[j] = dh[j] * (1.0f - y[j] * y[j]);
        break;
    case ACT_SIGMOID:
        for (int j = 0; j < H; j++)
            dg[j] = dh[j] * y[j] * (1.0f - y[j]);
        break;
    case ACT_RELU:
        for (int j = 0; j < H; j++)
            dg[j] = y[j] > 0.0f ? dh[j] : 0.0f;
        break;
    default:
        memcpy(dg, dh, (size_t)H * sizeof *dg);
        break;
    }
}

/* Rows [b0,b1) of step s: gates[s] += h_prev U; h = act(gates + b); masked rows keep h_prev. */
static void simple_step_forward(rnn_rec *r, const float *p, int s, int b0, int b1)
{
    int H = r->H, B = r->B;
    size_t row0 = (size_t)s * B + b0;
    float *g = r->gates + row0 * H;
    rnn_sgemm(false, false, b1 - b0, H, H, 1.0f, rnn_rec_hprev(r, s) + (size_t)b0 * H, H,
              rnn_rec_recurrent(r, p), H, 1.0f, g, H);
    const float *bias = rnn_rec_bias_in(r, p);
    for (int b = b0; b < b1; b++) {
        float *gr = r->gates + ((size_t)s * B + b) * H;
        const float *hp = r->hs + ((size_t)s * B + b) * H;
        float *hn = r->hs + ((size_t)(s + 1) * B + b) * H;
        simple_act_row(gr, bias, H, r->act);
        memcpy(hn, rnn_rec_live(r, s, b) ? gr : hp, (size_t)H * sizeof *hn);
    }
}

/* Rows [b0,b1) of step s: dgates[s] = dh * act'; dh <- dgates U^T (masked rows pass dh through). */
static void simple_step_backward(rnn_rec *r, const float *p, int s, int b0, int b1)
{
    int H = r->H, B = r->B;
    for (int b = b0; b < b1; b++) {
        size_t row = (size_t)s * B + b;
        float *dg = rnn_rec_dg(r, s, b), *dh = r->dh + (size_t)b * H;
        if (rnn_rec_live(r, s, b)) {
            simple_dact_row(dg, r->gates + row * H, dh, H, r->act);
            memset(dh, 0, (size_t)H * sizeof *dh);  /* no direct path to h_prev */
        } else {
            memset(dg, 0, (size_t)H * sizeof *dg);
        }
    }
    rnn_rec_backprop_state(r, rnn_rec_recurrent(r, p), H, H, rnn_rec_dg(r, s, b0), H, b0, b1);
}

const rnn_cell_ops rnn_simple_rnn_ops = {
    .step_forward = simple_step_forward,
    .step_backward = simple_step_backward,
};

static int simple_rnn_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)ctx;
    return rnn_rec_configure(l, call, RNN_CELL_SIMPLE, err);
}

const rnn_layer_kind rnn_simple_rnn_kind = RNN_REC_KIND("SimpleRNN", "simple_rnn", simple_rnn_configure);
