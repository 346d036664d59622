/* GlobalMaxPooling1D() and GlobalAveragePooling1D(): sequence [T][B][F] -> vector [B][F].
 * The average is mask-aware like Keras (sum of real steps / number of real steps); the max ignores
 * the mask, as Keras's GlobalMaxPooling1D does. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "layers/layer_util.h"

typedef struct pooling_cfg {
    bool is_max;
    int *argmax;        /* [B][F] time step of the max (max pooling) */
    size_t argmax_cap;
    float *inv_count;   /* [B] 1 / real steps (average pooling) */
    size_t inv_cap;
} pooling_cfg;

static const char *const pooling_keys[] = {"data_format", "keepdims", NULL};

static int pooling_configure_common(rnn_layer *l, const rnn_call *call, bool is_max, rnn_error *err)
{
    pooling_cfg *c = calloc(1, sizeof *c);
    if (!c)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    l->cfg = c;
    c->is_max = is_max;
    bool keepdims;
    const char *fmt;
    int rc = rnn_call_check_keys(call, 0, pooling_keys, err);
    if (!rc) rc = rnn_call_bool(call, -1, "keepdims", false, &keepdims, err);
    if (!rc) rc = rnn_call_string(call, -1, "data_format", "channels_last", &fmt, err);
    if (rc)
        return rc;
    if (keepdims)
        return rnn_fail(err, RNN_EUSAGE, "%s: keepdims=True is not supported", call->name);
    if (strcmp(fmt, "channels_last") != 0)
        return rnn_fail(err, RNN_EUSAGE, "%s: 'data_format' supports only 'channels_last', got '%s'", call->name, fmt);
    return RNN_OK;
}

static int max_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)ctx;
    return pooling_configure_common(l, call, true, err);
}

static int average_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)ctx;
    return pooling_configure_common(l, call, false, err);
}

static int pooling_build(rnn_layer *l, rnn_error *err)
{
    if (l->in.is_ids || l->in.rank != 2) {
        char s[48];
        return rnn_fail(err, RNN_EUSAGE, "%s: %s expects a sequence (None, steps, features), got %s%s", l->name,
                        l->kind->name, l->in.is_ids ? "token ids" : rnn_shape_str(l->in, s, sizeof s),
                        l->in.is_ids ? "; add an Embedding first" : " (use return_sequences=True on the layer before)");
    }
    l->out = (rnn_shape){.rank = 1, .dim = {l->in.dim[1]}};
    l->n_params = 0;
    return RNN_OK;
}

static int pooling_init(rnn_layer *l, rnn_rng *rng, rnn_error *err) { (void)l, (void)rng, (void)err; return RNN_OK; }

static int pooling_reserve(rnn_layer *l, int B, int T, rnn_error *err)
{
    (void)T;
    pooling_cfg *c = l->cfg;
    size_t need = c->is_max ? (size_t)B * l->in.dim[1] : (size_t)B;
    if (c->is_max && need > c->argmax_cap) {
        int *p = realloc(c->argmax, need * sizeof *p);
        if (!p)
            return rnn_fail(err, RNN_EINTERNAL, "%s: out of memory", l->name);
        c->argmax = p;
        c->argmax_cap = need;
    }
    if (!c->is_max)
        return layer_reserve_floats(&c->inv_count, &c->inv_cap, need, err, l->name);
    return RNN_OK;
}

static size_t pooling_workspace_bytes(const rnn_layer *l, int B, int T)
{
    (void)T;
    const pooling_cfg *c = l->cfg;
    return c->is_max ? (size_t)B * l->in.dim[1] * sizeof(int) : (size_t)B * sizeof(float);
}

/* x [T][B][F] -> y [B][F] = max over t; argmax kept for backward (first maximum wins). */
static void max_forward(pooling_cfg *c, int T, int B, int F, const float *x, float *y)
{
    memcpy(y, x, (size_t)B * F * sizeof *y);
    memset(c->argmax, 0, (size_t)B * F * sizeof *c->argmax);
    for (int t = 1; t < T; t++) {
        const float *xt = x + (size_t)t * B * F;
        for (size_t i = 0; i < (size_t)B * F; i++)
            if (xt[i] > y[i]) {
                y[i] = xt[i];
                c->argmax[i] = t;
            }
    }
}

/* x [T][B][F] (mask [T][B] or NULL) -> y [B][F] = sum of real steps / their count (0 if none). */
static void average_forward(pooling_cfg *c, int T, int B, int F, const uint8_t *mask, const float *x, float *y)
{
    memset(y, 0, (size_t)B * F * sizeof *y);
    for (int b = 0; b < B; b++)
        c->inv_count[b] = 0.0f;
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            if (mask && !mask[(size_t)t * B + b])
                continue;
            c->inv_count[b] += 1.0f;
            const float *xr = x + ((size_t)t * B + b) * F;
            float *yr = y + (size_t)b * F;
            for (int j = 0; j < F; j++)
                yr[j] += xr[j];
        }
    for (int b = 0; b < B; b++) {
        c->inv_count[b] = c->inv_count[b] > 0.0f ? 1.0f / c->inv_count[b] : 0.0f;
        for (int j = 0; j < F; j++)
            y[(size_t)b * F + j] *= c->inv_count[b];
    }
}

static void pooling_forward(rnn_layer *l, const rnn_fwd *f, const void *xv, float *y)
{
    pooling_cfg *c = l->cfg;
    if (c->is_max)
        max_forward(c, f->T, f->B, l->in.dim[1], xv, y);
    else
        average_forward(c, f->T, f->B, l->in.dim[1], f->mask, xv, y);
}

/* dy [B][F] -> dx [T][B][F]: to the argmax step (max) or spread over real steps (average). */
static void pooling_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    pooling_cfg *c = l->cfg;
    int T = f->T, B = f->B, F = l->in.dim[1];
    if (!dx)
        return;
    memset(dx, 0, (size_t)T * B * F * sizeof *dx);
    if (c->is_max) {
        for (size_t i = 0; i < (size_t)B * F; i++)
            dx[(size_t)c->argmax[i] * B * F + i] = dy[i];
        return;
    }
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            if (f->mask && !f->mask[(size_t)t * B + b])
                continue;
            float *dxr = dx + ((size_t)t * B + b) * F;
            const float *dyr = dy + (size_t)b * F;
            for (int j = 0; j < F; j++)
                dxr[j] = dyr[j] * c->inv_count[b];
        }
}

static int pooling_describe(const rnn_layer *l, char *buf, size_t n)
{
    return snprintf(buf, n, "%s()", l->kind->name);
}

static int pooling_param_groups(const rnn_layer *l, const char **names, size_t *sizes, int max)
{
    (void)l, (void)names, (void)sizes, (void)max;
    return 0;
}

static void pooling_destroy(rnn_layer *l)
{
    pooling_cfg *c = l->cfg;
    if (c) {
        free(c->argmax);
        rnn_free_aligned(c->inv_count);
        free(c);
    }
    l->cfg = NULL;
}

const rnn_layer_kind rnn_global_max_pooling1d_kind =
    LAYER_KIND_OF(pooling, "GlobalMaxPooling1D", "global_max_pooling1d", max_configure, .drops_mask = true);
const rnn_layer_kind rnn_global_average_pooling1d_kind =
    LAYER_KIND_OF(pooling, "GlobalAveragePooling1D", "global_average_pooling1d", average_configure,
                  .honours_mask = true);  /* unlike the max, which sees padding steps too (as Keras's) */
