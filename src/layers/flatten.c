/* Flatten(): sequence [T][B][F] -> [B][T*F] in Keras's order (row b = x[b, 0, :], x[b, 1, :], ...);
 * needs a known T. A vector [B][F] passes through unchanged. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "layers/layer_util.h"

static const char *const flatten_keys[] = {"data_format", NULL};

static int flatten_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)l, (void)ctx;
    return rnn_call_check_keys(call, 0, flatten_keys, err);
}

static int flatten_build(rnn_layer *l, rnn_error *err)
{
    if (l->in.is_ids)
        return rnn_fail(err, RNN_EUSAGE, "%s: Flatten cannot take token ids; add an Embedding first", l->name);
    if (l->in.rank == 2 && l->in.dim[0] < 0) {
        char s[48];
        return rnn_fail(err, RNN_EUSAGE, "%s: Flatten needs a known sequence length but the input is %s "
                        "(give the Embedding input_length=..., or use GlobalMaxPooling1D)",
                        l->name, rnn_shape_str(l->in, s, sizeof s));
    }
    long features = l->in.rank == 2 ? (long)l->in.dim[0] * l->in.dim[1] : l->in.dim[0];
    if (features > LAYER_MAX_FEATURES)
        return rnn_fail(err, RNN_EUSAGE, "%s: Flatten of %d steps x %d features gives %ld features, above the "
                        "limit of %d (use GlobalMaxPooling1D, or a shorter maxlen)", l->name, l->in.dim[0],
                        l->in.dim[1], features, LAYER_MAX_FEATURES);
    l->out = (rnn_shape){.rank = 1, .dim = {(int)features}};
    l->n_params = 0;
    return RNN_OK;
}

static int flatten_init(rnn_layer *l, rnn_rng *rng, rnn_error *err) { (void)l, (void)rng, (void)err; return RNN_OK; }

static int flatten_reserve(rnn_layer *l, int B, int T, rnn_error *err)
{
    (void)l, (void)B, (void)T, (void)err;
    return RNN_OK;
}

/* x [T][B][F] -> y [B][T][F] (or a copy of x [B][F]). */
static void flatten_forward(rnn_layer *l, const rnn_fwd *f, const void *xv, float *y)
{
    const float *x = xv;
    int B = f->B, T = f->T;
    if (l->in.rank == 1) {
        memcpy(y, x, (size_t)B * l->in.dim[0] * sizeof *y);
        return;
    }
    int F = l->in.dim[1];
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            memcpy(y + ((size_t)b * T + t) * F, x + ((size_t)t * B + b) * F, (size_t)F * sizeof *y);
}

/* dy [B][T][F] -> dx [T][B][F]. */
static void flatten_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    int B = f->B, T = f->T;
    if (!dx)
        return;
    if (l->in.rank == 1) {
        memcpy(dx, dy, (size_t)B * l->in.dim[0] * sizeof *dx);
        return;
    }
    int F = l->in.dim[1];
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            memcpy(dx + ((size_t)t * B + b) * F, dy + ((size_t)b * T + t) * F, (size_t)F * sizeof *dx);
}

static int flatten_describe(const rnn_layer *l, char *buf, size_t n)
{
    (void)l;
    return snprintf(buf, n, "Flatten()");
}

static int flatten_param_groups(const rnn_layer *l, const char **names, size_t *sizes, int max)
{
    (void)l, (void)names, (void)sizes, (void)max;
    return 0;
}

static void flatten_destroy(rnn_layer *l) { l->cfg = NULL; }

const rnn_layer_kind rnn_flatten_kind = {
    .name = "Flatten",
    .prefix = "flatten",
    .configure = flatten_configure,
    .keys = flatten_keys,
    .build = flatten_build,
    .init = flatten_init,
    .reserve = flatten_reserve,
    .forward = flatten_forward,
    .backward = flatten_backward,
    .out_mask = NULL,
    .describe = flatten_describe,
    .param_groups = flatten_param_groups,
    .destroy = flatten_destroy,
};
