/* Finite-difference check of a compiled model's gradients on a few examples (dropout off).
 *
 * The checked function is the SUM of the compiled loss over the chosen examples (the mean's
 * gradients are B times smaller, which only makes float32 noise look bigger). A coordinate's
 * numeric derivative is the 4-point central difference
 *     (8 (L(w+h) - L(w-h)) - (L(w+2h) - L(w-2h))) / 12h,
 * whose O(h^4) truncation error lets h be large enough to drown the float32 forward's rounding.
 * Error of a coordinate: |analytic - numeric| / max(|analytic|, |numeric|, GRADCHECK_FLOOR) at
 * h = 1e-2, or at h = 2.5e-3 when the big step fails (it may cross a ReLU kink or a clipping bound
 * that the small one does not). When both fail, the coordinate is counted as skipped, not failed,
 * only if the analytic gradient itself changes by more than the tolerance within the stencil
 * (see gc_coord_error). The check passes when every judged error is at most
 * GRADCHECK_TOLERANCE (2e-2; a wrong gradient is typically off by 30% or more). */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/tensor.h"
#include "model/train_internal.h"

#define GRADCHECK_STEP 1e-2
#define GRADCHECK_SMALL_STEP 2.5e-3
#define GRADCHECK_FLOOR 1e-2
#define GRADCHECK_TOLERANCE 2e-2
#define GRADCHECK_COORDS 24      /* coordinates per parameter group, all when the group is smaller */

typedef struct gc_ctx {
    rnn_model *m;
    train_state *st;
    int32_t *x;                  /* [B][T] chosen examples */
    int *y;
    int B, T, K;
    float *dout;                 /* [B][K] */
} gc_ctx;

/* Sum of the loss over the examples; NAN on a forward error. */
static double gc_loss(gc_ctx *c, rnn_error *err)
{
    const float *out = rnn_model_forward(c->m, c->x, c->B, c->T, false, err);
    if (!out)
        return NAN;
    return loss_model_batch(c->st->loss, c->st->from_logits, c->m, out, c->y, NULL, c->B, c->K, NULL, NULL) * c->B;
}

static double gc_numeric(gc_ctx *c, float *w, double h, rnn_error *err)
{
    float save = *w;
    double l[4];
    const double steps[4] = {h, -h, 2 * h, -2 * h};
    for (int i = 0; i < 4; i++) {
        *w = (float)(save + steps[i]);
        l[i] = gc_loss(c, err);
    }
    *w = save;
    return (8 * (l[0] - l[1]) - (l[2] - l[3])) / (12 * h);
}

static double gc_rel(double a, double n)
{
    double d = fabs(a) > fabs(n) ? fabs(a) : fabs(n);
    return fabs(a - n) / (d > GRADCHECK_FLOOR ? d : GRADCHECK_FLOOR);
}

static int gc_analytic(gc_ctx *c, rnn_error *err);

/* The analytic gradient of coordinate w (at index idx of the gradient block) with w moved by d. */
static double gc_analytic_at(gc_ctx *c, float *w, size_t idx, double d, rnn_error *err)
{
    float save = *w;
    *w = (float)(save + d);
    int rc = gc_analytic(c, err);
    *w = save;
    return rc ? NAN : rnn_model_grads(c->m)[idx];
}

/* Error of one coordinate, or -1 when it cannot be judged. The big step decides when it agrees;
 * else the small step. When both disagree, the analytic gradient is also taken at w +- h and
 * w +- 2h (the small stencil's points): if it changes there by more than the tolerance, the loss
 * is not smooth within the stencil (ReLU kinks or clipping bounds next to the weight, common right
 * after Keras's initialisation when activations are near zero) and finite differences are no
 * reference. A wrong backward is still caught wherever the loss is smooth. */
static double gc_coord_error(gc_ctx *c, float *w, size_t idx, double analytic, rnn_error *err)
{
    double n1 = gc_numeric(c, w, GRADCHECK_STEP, err);
    if (isnan(n1))
        return NAN;
    double e1 = gc_rel(analytic, n1);
    if (e1 <= GRADCHECK_TOLERANCE)
        return e1;
    double n2 = gc_numeric(c, w, GRADCHECK_SMALL_STEP, err);
    if (isnan(n2))
        return NAN;
    double e2 = gc_rel(analytic, n2);
    if (e2 <= GRADCHECK_TOLERANCE)
        return e2;
    double lo = analytic, hi = analytic;
    const double h = GRADCHECK_SMALL_STEP, at[4] = {-2 * h, -h, h, 2 * h};
    for (int i = 0; i < 4; i++) {
        double a = gc_analytic_at(c, w, idx, at[i], err);
        if (isnan(a))
            return NAN;
        lo = a < lo ? a : lo;
        hi = a > hi ? a : hi;
    }
    if (gc_rel(lo, hi) > GRADCHECK_TOLERANCE)
        return -1;
    return e1 < e2 ? e1 : e2;
}

/* Picks up to GRADCHECK_COORDS coordinates of a group of n: half among those with a non-zero
 * analytic gradient (Embedding rows the examples use), the rest anywhere. Returns the count. */
static size_t gc_pick(const float *g, size_t n, rnn_rng *r, size_t *pick)
{
    if (n <= GRADCHECK_COORDS) {
        for (size_t i = 0; i < n; i++)
            pick[i] = i;
        return n;
    }
    size_t k = 0, seen = 0;
    for (size_t i = 0; i < n; i++) /* reservoir sampling among non-zero gradients */
        if (g[i] != 0) {
            seen++;
            if (k < GRADCHECK_COORDS / 2)
                pick[k++] = i;
            else {
                size_t j = (size_t)rnn_rng_uint(r, seen);
                if (j < GRADCHECK_COORDS / 2)
                    pick[j] = i;
            }
        }
    while (k < GRADCHECK_COORDS)
        pick[k++] = (size_t)rnn_rng_uint(r, n);
    return k;
}

static int gc_prepare(gc_ctx *c, const rnn_xy *d, int samples, rnn_rng *r, rnn_error *err)
{
    if (!d || d->n == 0 || !d->x || !d->y || d->T <= 0)
        return rnn_fail(err, RNN_EUSAGE, "no data (load, tokenize and pad first)");
    if (samples <= 0)
        samples = 4;
    c->B = (size_t)samples < d->n ? samples : (int)d->n;
    c->T = d->T;
    c->x = malloc((size_t)c->B * c->T * sizeof *c->x);
    c->y = malloc((size_t)c->B * sizeof *c->y);
    c->dout = malloc((size_t)c->B * c->K * sizeof *c->dout);
    if (!c->x || !c->y || !c->dout)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int classes = c->K == 1 ? 2 : c->K;
    for (int b = 0; b < c->B; b++) {
        size_t row = (size_t)rnn_rng_uint(r, d->n);
        memcpy(c->x + (size_t)b * c->T, d->x + row * d->T, (size_t)c->T * sizeof *c->x);
        c->y[b] = d->y[row];
        if (c->y[b] < 0 || c->y[b] >= classes)
            return rnn_fail(err, RNN_EDATA, "label %d of example %zu is not a class of the "
                            "model's output", c->y[b], row);
    }
    return RNN_OK;
}

/* Analytic gradient of the summed loss into the model's gradient block. */
static int gc_analytic(gc_ctx *c, rnn_error *err)
{
    const float *out = rnn_model_forward(c->m, c->x, c->B, c->T, false, err);
    if (!out)
        return err ? err->code : RNN_EINTERNAL;
    bool from_logits;
    loss_model_batch(c->st->loss, c->st->from_logits, c->m, out, c->y, NULL, c->B, c->K, c->dout, &from_logits);
    for (size_t i = 0; i < (size_t)c->B * c->K; i++)
        c->dout[i] *= (float)c->B; /* mean -> sum */
    rnn_model_zero_grad(c->m);
    return loss_model_backward(c->m, c->dout, from_logits, err);
}

/* Checks every trainable layer's parameter groups; fills out->rows. */
static int gc_layers(gc_ctx *c, const float *grads, rnn_rng *r, rnn_gradcheck_report *out, rnn_error *err)
{
    size_t pick[GRADCHECK_COORDS];
    float *base = rnn_model_params(c->m);
    for (size_t li = 0; li < rnn_model_n_layers(c->m); li++) {
        rnn_layer *l = rnn_model_layer(c->m, li);
        if (!l->trainable || l->n_params == 0)
            continue;
        const char *names[TRAIN_MAX_GROUPS];
        size_t sizes[TRAIN_MAX_GROUPS];
        int ng = train_param_groups(l, names, sizes);
        size_t off = (size_t)(l->params - base);
        for (int g = 0; g < ng && out->n_rows < 64; g++) {
            rnn_gradcheck_row *row = &out->rows[out->n_rows++];
            snprintf(row->layer, sizeof row->layer, "%s", l->name);
            snprintf(row->param, sizeof row->param, "%s", names[g]);
            size_t k = gc_pick(grads + off, sizes[g], r, pick);
            for (size_t i = 0; i < k; i++) {
                double e = gc_coord_error(c, base + off + pick[i], off + pick[i], grads[off + pick[i]], err);
                if (isnan(e))
                    return err && err->code ? err->code : rnn_fail(err, RNN_EDATA, "the loss "
                                                                      "is not finite");
                if (e < 0) {
                    row->skipped++;
                    continue;
                }
                row->checked++;
                row->max_rel_error = e > row->max_rel_error ? e : row->max_rel_error;
            }
            if (row->max_rel_error > out->max_rel_error)
                out->max_rel_error = row->max_rel_error;
            off += sizes[g];
        }
    }
    return RNN_OK;
}

int rnn_model_gradcheck(rnn_model *m, const rnn_xy *data, int samples, unsigned long seed,
                        rnn_gradcheck_report *out, rnn_error *err)
{
    gc_ctx c = {.m = m};
    memset(out, 0, sizeof *out);
    out->tolerance = GRADCHECK_TOLERANCE;
    if (!(c.st = train_state_get(m)))
        return rnn_fail(err, RNN_EUSAGE, "the model is not compiled: run compile first");
    rnn_shape s = rnn_model_output_shape(m);
    c.K = s.dim[0];
    rnn_rng *r = rnn_rng_new(seed);
    size_t np = rnn_model_n_params(m);
    float *grads = malloc((np ? np : 1) * sizeof *grads);
    int rc = !r || !grads ? rnn_fail(err, RNN_EINTERNAL, "out of memory") : RNN_OK;
    if (!rc && !(rc = gc_prepare(&c, data, samples, r, err)) && !(rc = gc_analytic(&c, err))) {
        memcpy(grads, rnn_model_grads(m), np * sizeof *grads);
        rc = gc_layers(&c, grads, r, out, err);
        rnn_model_zero_grad(m);
    }
    out->passed = rc == RNN_OK && out->max_rel_error <= out->tolerance;
    rnn_rng_free(r);
    free(grads);
    free(c.x);
    free(c.y);
    free(c.dout);
    return rc;
}
