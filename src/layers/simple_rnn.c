/* SimpleRNN: h_t = act(x_t W + h_{t-1} U + b). The driver in rnn_common.c runs the projection and
 * the weight gradients; here are the per-step kernels. */
#include "config.h"
#include <string.h>
#include "layers/rnn_common.h"

/* y[n] = act(g + t) over a block of n floats (y may be g). */
RNN_VECTOR_KERNEL
static void simple_act_block(float *y, const float *g, const float *restrict t, size_t n, layer_act act)
{
    switch (act) {
    case ACT_TANH:
        for (size_t i = 0; i < n; i++)
            y[i] = rnn_fast_tanh(g[i] + t[i]);
        break;
    case ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            y[i] = rnn_fast_sigmoid(g[i] + t[i]);
        break;
    case ACT_RELU:
        for (size_t i = 0; i < n; i++) {
            float x = g[i] + t[i];
            y[i] = x > 0.0f ? x : 0.0f;
        }
        break;
    default:
        for (size_t i = 0; i < n; i++)
            y[i] = g[i] + t[i];
        break;
    }
}

/* y[rows][H] = act(g + b) (g holds x W + h U; y may be g), in blocks of whole rows. Rows of under
 * 16 units go 16 rows a block against the bias repeated 16 times (a multiple of 16 floats: one
 * vectorised pass, where a row at a time left most of each vector empty). */
enum { SIMPLE_TILE_ROWS = 16 };
static void simple_act_rows(float *y, const float *g, const float *b, int rows, int H, layer_act act)
{
    if (H >= SIMPLE_TILE_ROWS) {
        for (int r = 0; r < rows; r++)
            simple_act_block(y + (size_t)r * H, g + (size_t)r * H, b, (size_t)H, act);
        return;
    }
    float tile[SIMPLE_TILE_ROWS * SIMPLE_TILE_ROWS];
    for (int r = 0; r < SIMPLE_TILE_ROWS; r++)
        memcpy(tile + (size_t)r * H, b, (size_t)H * sizeof *tile);
    for (int r = 0; r < rows; r += SIMPLE_TILE_ROWS) {
        int n = rows - r < SIMPLE_TILE_ROWS ? rows - r : SIMPLE_TILE_ROWS;
        simple_act_block(y + (size_t)r * H, g + (size_t)r * H, tile, (size_t)n * H, act);
    }
}

/* dg[n] = dh * act'(y) given the activation output y (n = rows * H of a block, or H of a row). */
RNN_VECTOR_KERNEL
static void simple_dact(float *restrict dg, const float *restrict y, const float *restrict dh, size_t n,
                        layer_act act)
{
    switch (act) {
    case ACT_TANH:
        for (size_t j = 0; j < n; j++)
            dg[j] = dh[j] * (1.0f - y[j] * y[j]);
        break;
    case ACT_SIGMOID:
        for (size_t j = 0; j < n; j++)
            dg[j] = dh[j] * y[j] * (1.0f - y[j]);
        break;
    case ACT_RELU:
        for (size_t j = 0; j < n; j++)
            dg[j] = y[j] > 0.0f ? dh[j] : 0.0f;
        break;
    default:
        memcpy(dg, dh, n * sizeof *dg);
        break;
    }
}

/* Rows [b0,b1) of step s: gates[s] += h_prev U; h = act(gates + b); masked rows keep h_prev.
 * The step's output h is its activation output too: backward reads it from hs. */
static void simple_step_forward(rnn_rec *r, const float *p, int s, int b0, int b1)
{
    int H = r->H, B = r->B;
    float *g = rnn_rec_gates(r, s) + (size_t)b0 * H;
    rnn_sgemm(false, false, b1 - b0, H, H, 1.0f, rnn_rec_hprev(r, s) + (size_t)b0 * H, H,
              rnn_rec_recurrent(r, p), H, 1.0f, g, H);
    simple_act_rows(r->hs + ((size_t)(s + 1) * B + b0) * H, g, rnn_rec_bias_in(r, p), b1 - b0, H, r->act);
    rnn_rec_carry_masked(r, s, b0, b1);
}

/* Backward gates of the live rows [b, e) of step s (rnn_rec_live_runs): a live row's h is its
 * activation output. */
static void simple_backward_rows(rnn_rec *r, int s, int b, int e)
{
    size_t n = (size_t)(e - b) * r->H;
    float *dh = r->dh + (size_t)b * r->H;
    simple_dact(rnn_rec_dg(r, s, b), r->hs + ((size_t)(s + 1) * r->B + b) * r->H, dh, n, r->act);
    if (r->mask)  /* no direct path to h_prev: set below when every row is live */
        memset(dh, 0, n * sizeof *dh);
}

/* Rows [b0,b1) of step s: dgates[s] = dh * act'; dh <- dgates U^T (masked rows pass dh through). */
static void simple_step_backward(rnn_rec *r, int s, int b0, int b1)
{
    int H = r->H;
    rnn_rec_live_runs(r, s, b0, b1, simple_backward_rows);
    /* no direct path to h_prev: without a mask dh is set, with one the masked rows' dh passes */
    rnn_rec_backprop_state(r, rnn_rec_recurrent_t(r), H, rnn_rec_dg(r, s, b0), H, b0, b1, r->mask != NULL);
}

/* The activation, also by position: SimpleRNN(32, 'relu'). */
static int simple_configure(rnn_rec *r, const rnn_call *call, rnn_error *err)
{
    int rc = layer_act_parse(call, 1, "activation", "tanh", &r->act, err);
    if (rc)
        return rc;
    if (r->act == ACT_SOFTMAX)
        return rnn_fail(err, RNN_EUSAGE, "%s: activation='softmax' is not supported in a recurrent layer",
                        call->name);
    return RNN_OK;
}

static const char *const simple_keys[] = {"units", "activation", RNN_REC_COMMON_KEYS, NULL};

static const rnn_cell simple_rnn_cell = {
    .gates = 1,
    .bias_rows = 1,
    .buffers = RNN_CELL_GATES_IN_STEP,  /* backward reads the activation from hs */
    .keys = simple_keys,
    .positional = 2,
    .configure = simple_configure,
    .step_forward = simple_step_forward,
    .step_backward = simple_step_backward,
};

const rnn_layer_kind rnn_simple_rnn_kind = RNN_REC_KIND("SimpleRNN", "simple_rnn", &simple_rnn_cell);
