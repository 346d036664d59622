/* Dense(units, activation=None, use_bias=True): y = act(x W + b), W [in][units] as Keras's kernel.
 * On a vector x [B][in] -> y [B][units]; on a sequence x [T][B][in] -> y [T][B][units] (per time step,
 * as Keras): time-major rows are contiguous, so both cases are one GEMM over rows = B or T*B. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "layers/layer_util.h"

typedef struct dense_cfg {
    int units, in;
    layer_act act;
    bool use_bias;
    const float *x;   /* input of the last forward [rows][in] */
    float *y;         /* output of the last forward [rows][units] (activation backward needs it) */
    float *dz;        /* workspace [rows][units] */
    size_t dz_cap;
    float *z;         /* logits of the last forward [rows][units], kept for sigmoid and softmax */
    size_t z_cap;
} dense_cfg;

static const char *const dense_keys[] = {"units", "activation", "use_bias", "kernel_initializer",
                                          "bias_initializer", NULL};

static int dense_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)ctx;
    dense_cfg *c = calloc(1, sizeof *c);
    if (!c)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    l->cfg = c;
    long units;
    const char *kinit, *binit;
    int rc = rnn_call_check_keys(call, 2, dense_keys, err);
    if (!rc) rc = rnn_call_int(call, 0, "units", -1, &units, err);
    if (!rc) rc = layer_act_parse(call, 1, "activation", NULL, &c->act, err);
    if (!rc) rc = rnn_call_bool(call, -1, "use_bias", true, &c->use_bias, err);
    if (!rc) rc = rnn_call_string(call, -1, "kernel_initializer", "glorot_uniform", &kinit, err);
    if (!rc) rc = rnn_call_string(call, -1, "bias_initializer", "zeros", &binit, err);
    if (rc)
        return rc;
    if (units < 1)
        return rnn_fail(err, RNN_EUSAGE, "Dense: 'units' must be a positive integer, e.g. Dense(1, activation='sigmoid')");
    if ((rc = layer_check_size("Dense", "units", units, LAYER_MAX_UNITS, err)))
        return rc;
    if (strcmp(kinit, "glorot_uniform") != 0)
        return rnn_fail(err, RNN_EUSAGE, "Dense: 'kernel_initializer' supports only 'glorot_uniform', got '%s'", kinit);
    if (strcmp(binit, "zeros") != 0)
        return rnn_fail(err, RNN_EUSAGE, "Dense: 'bias_initializer' supports only 'zeros', got '%s'", binit);
    c->units = (int)units;
    return RNN_OK;
}

static int dense_build(rnn_layer *l, rnn_error *err)
{
    dense_cfg *c = l->cfg;
    if (l->in.is_ids || l->in.rank < 1)
        return rnn_fail(err, RNN_EUSAGE, "%s: Dense cannot take token ids; add an Embedding first", l->name);
    c->in = l->in.dim[l->in.rank - 1];
    l->out = l->in;
    l->out.dim[l->out.rank - 1] = c->units;
    l->n_params = (size_t)c->in * c->units + (c->use_bias ? (size_t)c->units : 0);
    return RNN_OK;
}

static int dense_init(rnn_layer *l, rnn_rng *rng, rnn_error *err)
{
    (void)err;
    dense_cfg *c = l->cfg;
    rnn_init_glorot_uniform(rng, l->params, c->in, c->units);
    if (c->use_bias)
        memset(l->params + (size_t)c->in * c->units, 0, (size_t)c->units * sizeof(float));
    return RNN_OK;
}

static size_t dense_rows(const rnn_layer *l, int B, int T)
{
    return l->in.rank == 2 ? (size_t)B * T : (size_t)B;
}

static bool dense_has_logits(const dense_cfg *c)
{
    return c->act == ACT_SIGMOID || c->act == ACT_SOFTMAX;
}

static int dense_reserve(rnn_layer *l, int B, int T, rnn_error *err)
{
    dense_cfg *c = l->cfg;
    size_t n = dense_rows(l, B, T) * c->units;
    int rc = layer_reserve_floats(&c->dz, &c->dz_cap, n, err, l->name);
    if (!rc && dense_has_logits(c))
        rc = layer_reserve_floats(&c->z, &c->z_cap, n, err, l->name);
    return rc;
}

static size_t dense_workspace_bytes(const rnn_layer *l, int B, int T)
{
    const dense_cfg *c = l->cfg;
    return (dense_has_logits(c) ? 2 : 1) * dense_rows(l, B, T) * c->units * sizeof(float);
}

/* x [rows][in] -> y [rows][units], rows = B (vector) or T*B (sequence). */
static void dense_forward(rnn_layer *l, const rnn_fwd *f, const void *xv, float *y)
{
    dense_cfg *c = l->cfg;
    const float *x = xv, *w = l->params, *bias = l->params + (size_t)c->in * c->units;
    size_t rows = dense_rows(l, f->B, f->T);
    if (c->use_bias)
        for (size_t r = 0; r < rows; r++)
            memcpy(y + r * c->units, bias, (size_t)c->units * sizeof(float));
    rnn_sgemm(false, false, (int)rows, c->units, c->in, 1.0f, x, c->in, w, c->units, c->use_bias ? 1.0f : 0.0f,
              y, c->units);
    if (dense_has_logits(c))
        memcpy(c->z, y, rows * c->units * sizeof(float));
    layer_act_forward(c->act, y, rows, c->units);
    c->x = x;
    c->y = y;
}

/* dy [rows][units] -> dW += x^T dz, db += sum dz, dx = dz W^T (dz = dy * act'). */
static void dense_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    dense_cfg *c = l->cfg;
    size_t rows = dense_rows(l, f->B, f->T);
    const float *dz = dy;
    if (c->act != ACT_LINEAR && !(f->dy_is_logits && dense_has_logits(c))) {
        layer_act_backward(c->act, c->y, dy, c->dz, rows, c->units);
        dz = c->dz;
    }
    if (l->trainable) {
        rnn_sgemm(true, false, c->in, c->units, (int)rows, 1.0f, c->x, c->in, dz, c->units, 1.0f, l->grads,
                  c->units);
        if (c->use_bias) {
            float *db = l->grads + (size_t)c->in * c->units;
            for (size_t r = 0; r < rows; r++)
                for (int j = 0; j < c->units; j++)
                    db[j] += dz[r * c->units + j];
        }
    }
    if (dx)
        rnn_sgemm(false, true, (int)rows, c->in, c->units, 1.0f, dz, c->units, l->params, c->units, 0.0f, dx,
                  c->in);
}

static int dense_describe(const rnn_layer *l, char *buf, size_t n)
{
    const dense_cfg *c = l->cfg;
    size_t len = 0;
    buf[0] = '\0';
    layer_appendf(buf, n, &len, "Dense(%d", c->units);
    layer_describe_tail(buf, n, &len, c->act, c->use_bias, l->trainable);
    return (int)len;
}

static int dense_param_groups(const rnn_layer *l, const char **names, size_t *sizes, int max)
{
    const dense_cfg *c = l->cfg;
    return layer_kernel_bias_groups((size_t)c->in * c->units, (size_t)c->units, c->use_bias, names, sizes, max);
}

static void dense_destroy(rnn_layer *l)
{
    dense_cfg *c = l->cfg;
    if (c) {
        rnn_free_aligned(c->dz);
        rnn_free_aligned(c->z);
        free(c);
    }
    l->cfg = NULL;
}

static const float *dense_logits(const rnn_layer *l, rnn_out_act *act)
{
    const dense_cfg *c = l->cfg;
    if (!dense_has_logits(c) || !c->z)
        return NULL;
    *act = c->act == ACT_SIGMOID ? RNN_OUT_SIGMOID : RNN_OUT_SOFTMAX;
    return c->z;
}

const rnn_layer_kind rnn_dense_kind = {
    .name = "Dense",
    .prefix = "dense",
    .configure = dense_configure,
    .honours_mask = true,   /* on sequences, each step apart */
    .build = dense_build,
    .init = dense_init,
    .reserve = dense_reserve,
    .forward = dense_forward,
    .backward = dense_backward,
    .out_mask = NULL,
    .describe = dense_describe,
    .param_groups = dense_param_groups,
    .destroy = dense_destroy,
    .workspace_bytes = dense_workspace_bytes,
    .logits = dense_logits,
    .keys = dense_keys,
};
