/* Dropout(rate) and SpatialDropout1D(rate): inverted dropout, active only in training.
 * Dropout: any layout, one keep/drop per element. SpatialDropout1D: sequence [T][B][F], one
 * keep/drop per (sample, feature), shared over time (Keras noise_shape (B, 1, F)). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "layers/layer_util.h"

typedef struct dropout_cfg {
    double rate;
    bool spatial;
    float *scale;        /* [n] (Dropout) or [B][F] (spatial): 0 or 1/(1-rate) */
    size_t scale_cap;
} dropout_cfg;

static const char *const dropout_keys[] = {"rate", "noise_shape", "seed", NULL};

static int dropout_configure_common(rnn_layer *l, const rnn_call *call, bool spatial, rnn_error *err)
{
    dropout_cfg *c = calloc(1, sizeof *c);
    if (!c)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    l->cfg = c;
    c->spatial = spatial;
    const rnn_value *ns = rnn_call_arg(call, -1, "noise_shape");
    int rc = rnn_call_check_keys(call, 1, spatial ? dropout_keys + 0 : dropout_keys, err);
    if (!rc) rc = rnn_call_float(call, 0, "rate", -1.0, &c->rate, err);
    if (rc)
        return rc;
    if (ns && ns->type != RNN_VAL_NONE)
        return rnn_fail(err, RNN_EUSAGE, "%s: 'noise_shape' is not supported (use SpatialDropout1D for "
                        "masks shared over time)", call->name);
    if (!rnn_call_arg(call, 0, "rate"))
        return rnn_fail(err, RNN_EUSAGE, "%s: 'rate' is required, e.g. %s(0.5)", call->name, call->name);
    if (!(c->rate >= 0.0 && c->rate < 1.0))
        return rnn_fail(err, RNN_EUSAGE, "%s: 'rate' must be in [0, 1), got %g", call->name, c->rate);
    return RNN_OK;
}

static int dropout_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)ctx;
    return dropout_configure_common(l, call, false, err);
}

static int spatial_dropout1d_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)ctx;
    return dropout_configure_common(l, call, true, err);
}

static int dropout_build(rnn_layer *l, rnn_error *err)
{
    dropout_cfg *c = l->cfg;
    if (l->in.is_ids)
        return rnn_fail(err, RNN_EUSAGE, "%s: %s cannot take token ids; add an Embedding first", l->name,
                        l->kind->name);
    if (c->spatial && l->in.rank != 2) {
        char s[48];
        return rnn_fail(err, RNN_EUSAGE, "%s: SpatialDropout1D expects a sequence (None, steps, features), got %s",
                        l->name, rnn_shape_str(l->in, s, sizeof s));
    }
    l->out = l->in;
    l->n_params = 0;
    return RNN_OK;
}

static int dropout_init(rnn_layer *l, rnn_rng *rng, rnn_error *err) { (void)l, (void)rng, (void)err; return RNN_OK; }

/* Elements of one sample-row: F for vectors and spatial masks, T*F in total for sequences. */
static size_t dropout_mask_len(const rnn_layer *l, int B, int T)
{
    const dropout_cfg *c = l->cfg;
    int F = l->in.dim[l->in.rank - 1];
    if (c->spatial || l->in.rank == 1)
        return (size_t)B * F;
    return (size_t)T * B * F;
}

static int dropout_reserve(rnn_layer *l, int B, int T, rnn_error *err)
{
    dropout_cfg *c = l->cfg;
    return layer_reserve_floats(&c->scale, &c->scale_cap, dropout_mask_len(l, B, T), err, l->name);
}

static size_t dropout_workspace_bytes(const rnn_layer *l, int B, int T)
{
    return dropout_mask_len(l, B, T) * sizeof(float);
}

/* x -> y (same layout; y may be x); training: y = x * keep / (1 - rate). */
static void dropout_forward(rnn_layer *l, const rnn_fwd *f, const void *xv, float *y)
{
    dropout_cfg *c = l->cfg;
    if (f->rows_by_id && !f->training)  /* the layer after reads the Embedding's rows by id */
        return;
    const float *x = xv;
    size_t nmask = dropout_mask_len(l, f->B, f->T);
    size_t total = l->in.rank == 2 ? (size_t)f->T * f->B * l->in.dim[1] : nmask;
    if (!f->training || c->rate == 0.0) {
        if (y != x)
            memcpy(y, x, total * sizeof *y);
        return;
    }
    rnn_fill_dropout_mask(f->rng, c->scale, nmask, c->rate);
    for (size_t o = 0; o < total; o += nmask) /* spatial: [T][B][F] repeats the [B][F] mask every step */
        for (size_t i = 0; i < nmask; i++)
            y[o + i] = x[o + i] * c->scale[i];
}

static void dropout_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    dropout_cfg *c = l->cfg;
    if (!dx)
        return;
    size_t nmask = dropout_mask_len(l, f->B, f->T);
    size_t total = l->in.rank == 2 ? (size_t)f->T * f->B * l->in.dim[1] : nmask;
    if (!f->training || c->rate == 0.0) {
        if (dx != dy)
            memcpy(dx, dy, total * sizeof *dx);
        return;
    }
    for (size_t o = 0; o < total; o += nmask)
        for (size_t i = 0; i < nmask; i++)
            dx[o + i] = dy[o + i] * c->scale[i];
}

static int dropout_describe(const rnn_layer *l, char *buf, size_t n)
{
    const dropout_cfg *c = l->cfg;
    char rate[32];
    return snprintf(buf, n, "%s(%s)", l->kind->name, layer_number(rate, c->rate));
}

static int dropout_param_groups(const rnn_layer *l, const char **names, size_t *sizes, int max)
{
    (void)l, (void)names, (void)sizes, (void)max;
    return 0;
}

static void dropout_destroy(rnn_layer *l)
{
    dropout_cfg *c = l->cfg;
    if (c) {
        rnn_free_aligned(c->scale);
        free(c);
    }
    l->cfg = NULL;
}

const rnn_layer_kind rnn_dropout_kind =
    LAYER_KIND_OF(dropout, "Dropout", "dropout", dropout_configure, .honours_mask = true, .in_place = true,
                  .identity_outside_training = true);
const rnn_layer_kind rnn_spatial_dropout1d_kind =
    LAYER_KIND_OF(dropout, "SpatialDropout1D", "spatial_dropout1d", spatial_dropout1d_configure,
                  .honours_mask = true, .in_place = true, .identity_outside_training = true);
