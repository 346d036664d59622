/* Conv1D(filters, kernel_size, strides=1, padding='valid', dilation_rate=1, activation=None,
 * use_bias=True): sequence x [T][B][C] -> sequence y [To][B][filters], with Keras's kernel
 * [kernel_size][C][filters] (glorot_uniform) and bias [filters] (zeros).
 *
 * im2col: the window of every output step (kernel_size input steps, dilation apart, zeros outside
 * the input) is copied into one row of cols [To*B][kernel_size*C], so forward is one GEMM
 * cols x kernel and backward two (cols^T dz for the kernel, dz kernel^T for the windows, which are
 * then added back to the steps they came from).
 *
 * Output steps and padding as Keras (TensorFlow's SAME): valid To = (T - d(k-1) - 1) / s + 1;
 * same and causal To = (T - 1) / s + 1, with d(k-1) - (T-1)%s zeros in all, half (rounded down)
 * before the input for same, all d(k-1) before it for causal. Conv1D does not support masking:
 * as in Keras, it convolves every step, padding included, and no mask reaches the layers after it. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "rnnlab/tensor.h"
#include "layers/layer_util.h"

typedef struct conv1d_cfg {
    int filters, kernel, stride, dilation, C;
    layer_padding padding;
    layer_act act;
    bool use_bias;
    int T, To;          /* steps of the last forward's input and output */
    const float *x;     /* input of the last forward [T][B][C] */
    float *y;           /* output of the last forward [To][B][filters] */
    float *cols;        /* windows [To*B][kernel*C]; backward reuses it for their gradient */
    size_t cols_cap;
    float *dz;          /* activation gradient [To*B][filters] */
    size_t dz_cap;
} conv1d_cfg;

static const char *const conv1d_keys[] = {"filters", "kernel_size", "strides", "padding", "data_format",
                                          "dilation_rate", "groups", "activation", "use_bias",
                                          "kernel_initializer", "bias_initializer", "kernel_regularizer",
                                          "bias_regularizer", "activity_regularizer", "kernel_constraint",
                                          "bias_constraint", NULL};
/* Keras arguments that change the result and that rnnlab does not implement: only None is accepted. */
static const char *const conv1d_unsupported[] = {"kernel_regularizer", "bias_regularizer", "activity_regularizer",
                                                 "kernel_constraint", "bias_constraint", NULL};

static int conv1d_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)ctx;
    conv1d_cfg *c = calloc(1, sizeof *c);
    if (!c)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    l->cfg = c;
    long filters, kernel, stride, dilation, groups;
    const char *fmt, *kinit, *binit;
    int rc = rnn_call_check_keys(call, 5, conv1d_keys, err);
    if (!rc) rc = layer_none_only(call, conv1d_unsupported, err);
    if (!rc) rc = rnn_call_int(call, 0, "filters", -1, &filters, err);
    if (!rc) rc = layer_int1(call, 1, "kernel_size", -1, &kernel, err);
    if (!rc) rc = layer_int1(call, 2, "strides", 1, &stride, err);
    if (!rc) rc = layer_padding_parse(call, 3, "valid", true, &c->padding, err);
    if (!rc) rc = rnn_call_string(call, 4, "data_format", "channels_last", &fmt, err);
    if (!rc) rc = layer_int1(call, -1, "dilation_rate", 1, &dilation, err);
    if (!rc) rc = rnn_call_int(call, -1, "groups", 1, &groups, err);
    if (!rc) rc = layer_act_parse(call, -1, "activation", NULL, &c->act, err);
    if (!rc) rc = rnn_call_bool(call, -1, "use_bias", true, &c->use_bias, err);
    if (!rc) rc = rnn_call_string(call, -1, "kernel_initializer", "glorot_uniform", &kinit, err);
    if (!rc) rc = rnn_call_string(call, -1, "bias_initializer", "zeros", &binit, err);
    if (rc)
        return rc;
    if (filters == -1 || kernel == -1)
        return rnn_fail(err, RNN_EUSAGE, "Conv1D: expected filters and kernel_size, e.g. Conv1D(250, 3, activation='relu')");
    if ((rc = layer_check_size("Conv1D", "filters", filters, LAYER_MAX_UNITS, err)) ||
        (rc = layer_check_size("Conv1D", "kernel_size", kernel, LAYER_MAX_WINDOW, err)) ||
        (rc = layer_check_size("Conv1D", "strides", stride, LAYER_MAX_WINDOW, err)) ||
        (rc = layer_check_size("Conv1D", "dilation_rate", dilation, LAYER_MAX_WINDOW, err)))
        return rc;
    if (stride > 1 && dilation > 1)
        return rnn_fail(err, RNN_EUSAGE, "Conv1D: strides=%ld and dilation_rate=%ld cannot both be above 1 (as in Keras)",
                        stride, dilation);
    if ((kernel - 1) * dilation >= LAYER_MAX_WINDOW)
        return rnn_fail(err, RNN_EUSAGE, "Conv1D: the window spans %ld steps (kernel_size %ld, dilation_rate %ld), above "
                        "the limit of %d", (kernel - 1) * dilation + 1, kernel, dilation, LAYER_MAX_WINDOW);
    if (groups != 1)
        return rnn_fail(err, RNN_EUSAGE, "Conv1D: 'groups' supports only 1, got %ld", groups);
    if (strcmp(fmt, "channels_last") != 0)
        return rnn_fail(err, RNN_EUSAGE, "Conv1D: 'data_format' supports only 'channels_last', got '%s'", fmt);
    if (strcmp(kinit, "glorot_uniform") != 0)
        return rnn_fail(err, RNN_EUSAGE, "Conv1D: 'kernel_initializer' supports only 'glorot_uniform', got '%s'", kinit);
    if (strcmp(binit, "zeros") != 0)
        return rnn_fail(err, RNN_EUSAGE, "Conv1D: 'bias_initializer' supports only 'zeros', got '%s'", binit);
    c->filters = (int)filters;
    c->kernel = (int)kernel;
    c->stride = (int)stride;
    c->dilation = (int)dilation;
    return RNN_OK;
}

static int conv1d_out_steps(const rnn_layer *l, int T)
{
    const conv1d_cfg *c = l->cfg;
    return layer_window_steps(T, (c->kernel - 1) * c->dilation + 1, c->stride, c->padding);
}

/* Zeros before the first input step. */
static int conv1d_pad_before(const conv1d_cfg *c, int T)
{
    int span = (c->kernel - 1) * c->dilation + 1;
    if (c->padding == LAYER_PAD_CAUSAL)
        return span - 1;
    return c->padding == LAYER_PAD_SAME ? layer_same_pad_before(T, span, c->stride) : 0;
}

static int conv1d_build(rnn_layer *l, rnn_error *err)
{
    conv1d_cfg *c = l->cfg;
    if (l->in.is_ids || l->in.rank != 2) {
        char s[48];
        return rnn_fail(err, RNN_EUSAGE, "%s: Conv1D expects a sequence (None, steps, features), got %s%s", l->name,
                        l->in.is_ids ? "token ids" : rnn_shape_str(l->in, s, sizeof s),
                        l->in.is_ids ? "; add an Embedding first" : " (use return_sequences=True on the layer before)");
    }
    c->C = l->in.dim[1];
    int T = l->in.dim[0], To = T < 0 ? -1 : conv1d_out_steps(l, T);
    if (T >= 0 && To < 1)
        return rnn_fail(err, RNN_EUSAGE, "%s: the input has %d steps, fewer than the window of %d (kernel_size %d, "
                        "dilation_rate %d) that padding='valid' needs", l->name, T,
                        (c->kernel - 1) * c->dilation + 1, c->kernel, c->dilation);
    if ((long)c->kernel * c->C > LAYER_MAX_FEATURES)
        return rnn_fail(err, RNN_EUSAGE, "%s: a window of %d steps x %d features is above the limit of %d", l->name,
                        c->kernel, c->C, LAYER_MAX_FEATURES);
    l->out = (rnn_shape){.rank = 2, .dim = {To, c->filters}};
    l->n_params = (size_t)c->kernel * c->C * c->filters + (c->use_bias ? (size_t)c->filters : 0);
    return RNN_OK;
}

/* glorot_uniform with Keras's fans for a convolution: kernel_size x C in, kernel_size x filters out. */
static int conv1d_init(rnn_layer *l, rnn_rng *rng, rnn_error *err)
{
    (void)err;
    conv1d_cfg *c = l->cfg;
    size_t nk = (size_t)c->kernel * c->C * c->filters;
    float limit = sqrtf(6.0f / (float)((double)c->kernel * c->C + (double)c->kernel * c->filters));
    rnn_fill_uniform(rng, l->params, nk, -limit, limit);
    if (c->use_bias)
        memset(l->params + nk, 0, (size_t)c->filters * sizeof(float));
    return RNN_OK;
}

/* Output steps never exceed the input's, so T bounds both buffers. */
static int conv1d_reserve(rnn_layer *l, int B, int T, rnn_error *err)
{
    conv1d_cfg *c = l->cfg;
    int rc = layer_reserve_floats(&c->cols, &c->cols_cap, (size_t)T * B * c->kernel * c->C, err, l->name);
    if (!rc && c->act != ACT_LINEAR)
        rc = layer_reserve_floats(&c->dz, &c->dz_cap, (size_t)T * B * c->filters, err, l->name);
    return rc;
}

static size_t conv1d_workspace_bytes(const rnn_layer *l, int B, int T)
{
    const conv1d_cfg *c = l->cfg;
    size_t n = (size_t)T * B * c->kernel * c->C + (c->act != ACT_LINEAR ? (size_t)T * B * c->filters : 0);
    return n * sizeof(float);
}

/* cols[(o*B + b)][k*C + j] = x[o*s + k*d - pad][b][j], zero outside [0, T). */
static void conv1d_im2col(const conv1d_cfg *c, const float *x, int B, int T, int To, int pad, float *cols)
{
    size_t KC = (size_t)c->kernel * c->C, row = (size_t)c->C * sizeof(float);
    for (int o = 0; o < To; o++)
        for (int k = 0; k < c->kernel; k++) {
            long t = (long)o * c->stride + (long)k * c->dilation - pad;
            float *dst = cols + (size_t)o * B * KC + (size_t)k * c->C;
            bool inside = t >= 0 && t < T;
            const float *src = inside ? x + (size_t)t * B * c->C : NULL;
            for (int b = 0; b < B; b++) {
                if (inside)
                    memcpy(dst + (size_t)b * KC, src + (size_t)b * c->C, row);
                else
                    memset(dst + (size_t)b * KC, 0, row);
            }
        }
}

/* dx[t][b][j] += dcols[(o*B + b)][k*C + j] for every window position that read x[t][b]. */
static void conv1d_col2im(const conv1d_cfg *c, const float *dcols, int B, int T, int To, int pad, float *dx)
{
    size_t KC = (size_t)c->kernel * c->C;
    memset(dx, 0, (size_t)T * B * c->C * sizeof *dx);
    for (int o = 0; o < To; o++)
        for (int k = 0; k < c->kernel; k++) {
            long t = (long)o * c->stride + (long)k * c->dilation - pad;
            if (t < 0 || t >= T)
                continue;
            const float *src = dcols + (size_t)o * B * KC + (size_t)k * c->C;
            float *dst = dx + (size_t)t * B * c->C;
            for (int b = 0; b < B; b++)
                for (int j = 0; j < c->C; j++)
                    dst[(size_t)b * c->C + j] += src[(size_t)b * KC + j];
        }
}

/* x [T][B][C] -> y [To][B][filters]. */
static void conv1d_forward(rnn_layer *l, const rnn_fwd *f, const void *xv, float *y)
{
    conv1d_cfg *c = l->cfg;
    const float *x = xv, *w = l->params;
    int B = f->B, T = f->T, To = conv1d_out_steps(l, T), KC = c->kernel * c->C;
    size_t rows = (size_t)To * B;
    conv1d_im2col(c, x, B, T, To, conv1d_pad_before(c, T), c->cols);
    if (c->use_bias) {
        const float *bias = w + (size_t)KC * c->filters;
        for (size_t r = 0; r < rows; r++)
            memcpy(y + r * c->filters, bias, (size_t)c->filters * sizeof(float));
    }
    rnn_sgemm(false, false, (int)rows, c->filters, KC, 1.0f, c->cols, KC, w, c->filters, c->use_bias ? 1.0f : 0.0f,
              y, c->filters);
    layer_act_forward(c->act, y, rows, c->filters);
    c->x = x;
    c->y = y;
    c->T = T;
    c->To = To;
}

/* dy [To][B][filters] -> kernel += cols^T dz, bias += sum dz, dx = col2im(dz kernel^T). */
static void conv1d_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    conv1d_cfg *c = l->cfg;
    int B = f->B, KC = c->kernel * c->C;
    size_t rows = (size_t)c->To * B;
    const float *dz = dy;
    if (c->act != ACT_LINEAR) {
        layer_act_backward(c->act, c->y, dy, c->dz, rows, c->filters);
        dz = c->dz;
    }
    if (l->trainable) {
        rnn_sgemm(true, false, KC, c->filters, (int)rows, 1.0f, c->cols, KC, dz, c->filters, 1.0f, l->grads,
                  c->filters);
        if (c->use_bias) {
            float *db = l->grads + (size_t)KC * c->filters;
            for (size_t r = 0; r < rows; r++)
                for (int j = 0; j < c->filters; j++)
                    db[j] += dz[r * c->filters + j];
        }
    }
    if (!dx)
        return;
    /* the windows are no longer needed: their gradient takes their place */
    rnn_sgemm(false, true, (int)rows, KC, c->filters, 1.0f, dz, c->filters, l->params, c->filters, 0.0f, c->cols, KC);
    conv1d_col2im(c, c->cols, B, c->T, c->To, conv1d_pad_before(c, c->T), dx);
}

/* Conv1D drops the mask, as Keras's (which does not support masking). */
static const uint8_t *conv1d_out_mask(rnn_layer *l, const rnn_fwd *f, const void *x)
{
    (void)l, (void)f, (void)x;
    return NULL;
}

static int conv1d_describe(const rnn_layer *l, char *buf, size_t n)
{
    const conv1d_cfg *c = l->cfg;
    size_t len = 0;
    buf[0] = '\0';
    layer_appendf(buf, n, &len, "Conv1D(%d, %d", c->filters, c->kernel);
    if (c->stride != 1)
        layer_appendf(buf, n, &len, ", strides=%d", c->stride);
    if (c->padding != LAYER_PAD_VALID)
        layer_appendf(buf, n, &len, ", padding='%s'", layer_padding_name(c->padding));
    if (c->dilation != 1)
        layer_appendf(buf, n, &len, ", dilation_rate=%d", c->dilation);
    layer_describe_tail(buf, n, &len, c->act, c->use_bias, l->trainable);
    return (int)len;
}

static int conv1d_param_groups(const rnn_layer *l, const char **names, size_t *sizes, int max)
{
    const conv1d_cfg *c = l->cfg;
    return layer_kernel_bias_groups((size_t)c->kernel * c->C * c->filters, (size_t)c->filters, c->use_bias, names, sizes, max);
}

static void conv1d_destroy(rnn_layer *l)
{
    conv1d_cfg *c = l->cfg;
    if (c) {
        rnn_free_aligned(c->cols);
        rnn_free_aligned(c->dz);
        free(c);
    }
    l->cfg = NULL;
}

const rnn_layer_kind rnn_conv1d_kind = {
    .name = "Conv1D",
    .prefix = "conv1d",
    .configure = conv1d_configure,
    .build = conv1d_build,
    .init = conv1d_init,
    .reserve = conv1d_reserve,
    .forward = conv1d_forward,
    .backward = conv1d_backward,
    .out_mask = conv1d_out_mask,
    .drops_mask = true,
    .describe = conv1d_describe,
    .param_groups = conv1d_param_groups,
    .destroy = conv1d_destroy,
    .workspace_bytes = conv1d_workspace_bytes,
    .out_steps = conv1d_out_steps,
    .keys = conv1d_keys,
};
