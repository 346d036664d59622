/* MaxPooling1D(pool_size=2, strides=None, padding='valid') and AveragePooling1D(...): sequence
 * x [T][B][F] -> sequence y [To][B][F], each output step the max or the mean of a window of
 * pool_size steps, windows `strides` apart (default pool_size). Steps as Keras: valid
 * To = (T - pool_size) / strides + 1, same To = (T - 1) / strides + 1 with TensorFlow's padding
 * (half before, rounded down); padded positions never win the max and do not count in the mean.
 * Like Keras's, these poolings do not support masking: every step is pooled and the mask ends here. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "layers/layer_util.h"

typedef struct pool1d_cfg {
    bool is_max;
    int pool, stride;
    layer_padding padding;
    int T, To;          /* steps of the last forward */
    int *argmax;        /* [To][B][F] input step of each maximum (max pooling) */
    size_t argmax_cap;
} pool1d_cfg;

static const char *const pool1d_keys[] = {"pool_size", "strides", "padding", "data_format", NULL};

static int pool1d_configure(rnn_layer *l, const rnn_call *call, bool is_max, rnn_error *err)
{
    pool1d_cfg *c = calloc(1, sizeof *c);
    if (!c)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    l->cfg = c;
    c->is_max = is_max;
    long pool, stride;
    const char *fmt;
    int rc = rnn_call_check_keys(call, 4, pool1d_keys, err);
    if (!rc) rc = layer_int1(call, 0, "pool_size", 2, &pool, err);
    if (!rc) rc = layer_int1(call, 1, "strides", pool, &stride, err);
    if (!rc) rc = layer_padding_parse(call, 2, "valid", false, &c->padding, err);
    if (!rc) rc = rnn_call_string(call, 3, "data_format", "channels_last", &fmt, err);
    if (rc)
        return rc;
    if ((rc = layer_check_size(call->name, "pool_size", pool, LAYER_MAX_WINDOW, err)) ||
        (rc = layer_check_size(call->name, "strides", stride, LAYER_MAX_WINDOW, err)))
        return rc;
    if (strcmp(fmt, "channels_last") != 0)
        return rnn_fail(err, RNN_EUSAGE, "%s: 'data_format' supports only 'channels_last', got '%s'", call->name, fmt);
    c->pool = (int)pool;
    c->stride = (int)stride;
    return RNN_OK;
}

static int max_pool1d_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)ctx;
    return pool1d_configure(l, call, true, err);
}

static int average_pool1d_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)ctx;
    return pool1d_configure(l, call, false, err);
}

static int pool1d_out_steps(const rnn_layer *l, int T)
{
    const pool1d_cfg *c = l->cfg;
    return layer_window_steps(T, c->pool, c->stride, c->padding);
}

static int pool1d_pad_before(const pool1d_cfg *c, int T)
{
    return c->padding == LAYER_PAD_SAME ? layer_same_pad_before(T, c->pool, c->stride) : 0;
}

static int pool1d_build(rnn_layer *l, rnn_error *err)
{
    const pool1d_cfg *c = l->cfg;
    if (l->in.is_ids || l->in.rank != 2) {
        char s[48];
        return rnn_fail(err, RNN_EUSAGE, "%s: %s expects a sequence (None, steps, features), got %s%s", l->name,
                        l->kind->name, l->in.is_ids ? "token ids" : rnn_shape_str(l->in, s, sizeof s),
                        l->in.is_ids ? "; add an Embedding first" : " (use return_sequences=True on the layer before)");
    }
    int T = l->in.dim[0], To = T < 0 ? -1 : pool1d_out_steps(l, T);
    if (T >= 0 && To < 1)
        return rnn_fail(err, RNN_EUSAGE, "%s: the input has %d steps, fewer than pool_size=%d (use padding='same')",
                        l->name, T, c->pool);
    l->out = (rnn_shape){.rank = 2, .dim = {To, l->in.dim[1]}};
    l->n_params = 0;
    return RNN_OK;
}

static int pool1d_init(rnn_layer *l, rnn_rng *rng, rnn_error *err) { (void)l, (void)rng, (void)err; return RNN_OK; }

static int pool1d_reserve(rnn_layer *l, int B, int T, rnn_error *err)
{
    pool1d_cfg *c = l->cfg;
    size_t need = (size_t)T * B * l->in.dim[1];
    if (!c->is_max || need <= c->argmax_cap)
        return RNN_OK;
    int *p = realloc(c->argmax, need * sizeof *p);
    if (!p)
        return rnn_fail(err, RNN_EINTERNAL, "%s: out of memory", l->name);
    c->argmax = p;
    c->argmax_cap = need;
    return RNN_OK;
}

static size_t pool1d_workspace_bytes(const rnn_layer *l, int B, int T)
{
    const pool1d_cfg *c = l->cfg;
    return c->is_max ? (size_t)T * B * l->in.dim[1] * sizeof(int) : 0;
}

/* The input steps [*lo, *hi) window o reads (never empty: every window overlaps the input). */
static void pool1d_window(const pool1d_cfg *c, int o, int T, int pad, int *lo, int *hi)
{
    int start = o * c->stride - pad, end = start + c->pool;
    *lo = start < 0 ? 0 : start;
    *hi = end > T ? T : end;
}

/* x [T][B][F] -> y [To][B][F]; n = B*F values per step. */
static void pool1d_forward(rnn_layer *l, const rnn_fwd *f, const void *xv, float *y)
{
    pool1d_cfg *c = l->cfg;
    const float *x = xv;
    int T = f->T, To = pool1d_out_steps(l, T), pad = pool1d_pad_before(c, T);
    size_t n = (size_t)f->B * l->in.dim[1];
    for (int o = 0; o < To; o++) {
        int lo, hi;
        pool1d_window(c, o, T, pad, &lo, &hi);
        float *yo = y + (size_t)o * n;
        memcpy(yo, x + (size_t)lo * n, n * sizeof *yo);
        if (c->is_max) {
            int *am = c->argmax + (size_t)o * n;
            for (size_t i = 0; i < n; i++)
                am[i] = lo;
            for (int t = lo + 1; t < hi; t++) {
                const float *xt = x + (size_t)t * n;
                for (size_t i = 0; i < n; i++)
                    if (xt[i] > yo[i]) {
                        yo[i] = xt[i];
                        am[i] = t;
                    }
            }
        } else {
            for (int t = lo + 1; t < hi; t++) {
                const float *xt = x + (size_t)t * n;
                for (size_t i = 0; i < n; i++)
                    yo[i] += xt[i];
            }
            float inv = 1.0f / (float)(hi - lo);
            for (size_t i = 0; i < n; i++)
                yo[i] *= inv;
        }
    }
    c->T = T;
    c->To = To;
}

/* dy [To][B][F] -> dx [T][B][F]: to each window's maximum, or spread evenly over its steps. */
static void pool1d_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    pool1d_cfg *c = l->cfg;
    if (!dx)
        return;
    int T = c->T, pad = pool1d_pad_before(c, T);
    size_t n = (size_t)f->B * l->in.dim[1];
    memset(dx, 0, (size_t)T * n * sizeof *dx);
    for (int o = 0; o < c->To; o++) {
        const float *dyo = dy + (size_t)o * n;
        if (c->is_max) {
            const int *am = c->argmax + (size_t)o * n;
            for (size_t i = 0; i < n; i++)
                dx[(size_t)am[i] * n + i] += dyo[i];
            continue;
        }
        int lo, hi;
        pool1d_window(c, o, T, pad, &lo, &hi);
        float inv = 1.0f / (float)(hi - lo);
        for (int t = lo; t < hi; t++) {
            float *dxt = dx + (size_t)t * n;
            for (size_t i = 0; i < n; i++)
                dxt[i] += dyo[i] * inv;
        }
    }
}

static const uint8_t *pool1d_out_mask(rnn_layer *l, const rnn_fwd *f, const void *x)
{
    (void)l, (void)f, (void)x;
    return NULL;
}

static int pool1d_describe(const rnn_layer *l, char *buf, size_t n)
{
    const pool1d_cfg *c = l->cfg;
    size_t len = 0;
    buf[0] = '\0';
    layer_appendf(buf, n, &len, "%s(%d", l->kind->name, c->pool);
    if (c->stride != c->pool)
        layer_appendf(buf, n, &len, ", strides=%d", c->stride);
    if (c->padding != LAYER_PAD_VALID)
        layer_appendf(buf, n, &len, ", padding='%s'", layer_padding_name(c->padding));
    layer_appendf(buf, n, &len, ")");
    return (int)len;
}

static int pool1d_param_groups(const rnn_layer *l, const char **names, size_t *sizes, int max)
{
    (void)l, (void)names, (void)sizes, (void)max;
    return 0;
}

static void pool1d_destroy(rnn_layer *l)
{
    pool1d_cfg *c = l->cfg;
    if (c) {
        free(c->argmax);
        free(c);
    }
    l->cfg = NULL;
}

#define POOL1D_KIND(keras_name, name_prefix, configure_fn) {                                       \
        .name = keras_name, .prefix = name_prefix, .configure = configure_fn,                      \
        .build = pool1d_build, .init = pool1d_init, .reserve = pool1d_reserve,                     \
        .forward = pool1d_forward, .backward = pool1d_backward, .out_mask = pool1d_out_mask,       \
        .drops_mask = true,                                                                        \
        .describe = pool1d_describe, .param_groups = pool1d_param_groups, .destroy = pool1d_destroy, \
        .workspace_bytes = pool1d_workspace_bytes, .out_steps = pool1d_out_steps, .keys = pool1d_keys, \
    }

const rnn_layer_kind rnn_max_pooling1d_kind = POOL1D_KIND("MaxPooling1D", "max_pooling1d", max_pool1d_configure);
const rnn_layer_kind rnn_average_pooling1d_kind =
    POOL1D_KIND("AveragePooling1D", "average_pooling1d", average_pool1d_configure);
