/* Helpers shared by the layer kinds (declared in layer_util.h): describe text, size checks,
 * workspaces, activations, one-integer tuples, arguments only None may take, window padding. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "layers/layer_util.h"

void layer_appendf(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
    if (*len >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *len, n - *len, fmt, ap);
    va_end(ap);
    if (w > 0)
        *len = *len + (size_t)w < n ? *len + (size_t)w : n - 1;
}

int layer_check_size(const char *layer, const char *arg, long v, long max, rnn_error *err)
{
    if (v < 1)
        return rnn_fail(err, RNN_EUSAGE, "%s: '%s' must be a positive integer, got %ld", layer, arg, v);
    if (v > max)
        return rnn_fail(err, RNN_EUSAGE, "%s: '%s'=%ld is above the limit of %ld", layer, arg, v, max);
    return RNN_OK;
}

int layer_reserve_floats(float **buf, size_t *cap, size_t count, rnn_error *err, const char *layer)
{
    if (count <= *cap && *buf)
        return RNN_OK;
    float *p = rnn_alloc_aligned((count ? count : 1) * sizeof(float));
    if (!p)
        return rnn_fail(err, RNN_EINTERNAL, "%s: out of memory for a workspace of %zu floats", layer, count);
    rnn_free_aligned(*buf);
    *buf = p;
    *cap = count;
    return RNN_OK;
}

static const char *const act_names[] = {"linear", "relu", "tanh", "sigmoid", "softmax"};

int layer_act_parse(const rnn_call *c, int pos, const char *key, const char *dflt, layer_act *out,
                    rnn_error *err)
{
    const char *s;
    int rc = rnn_call_string(c, pos, key, dflt, &s, err);
    if (rc)
        return rc;
    *out = ACT_LINEAR;
    if (!s)
        return RNN_OK;
    for (int i = 0; i < (int)(sizeof act_names / sizeof *act_names); i++)
        if (strcmp(s, act_names[i]) == 0) {
            *out = (layer_act)i;
            return RNN_OK;
        }
    return rnn_fail(err, RNN_EUSAGE,
                    "%s: '%s' expects an activation (linear, relu, tanh, sigmoid, softmax or None), got '%s'",
                    c->name, key ? key : "activation", s);
}

const char *layer_act_name(layer_act a) { return act_names[a]; }

void layer_act_forward(layer_act a, float *y, size_t rows, int n)
{
    size_t total = rows * (size_t)n;
    switch (a) {
    case ACT_LINEAR:
        break;
    case ACT_RELU:
        for (size_t i = 0; i < total; i++)
            y[i] = y[i] > 0.0f ? y[i] : 0.0f;
        break;
    case ACT_TANH:
        for (size_t i = 0; i < total; i++)
            y[i] = tanhf(y[i]);
        break;
    case ACT_SIGMOID:
        for (size_t i = 0; i < total; i++)
            y[i] = 1.0f / (1.0f + expf(-y[i]));
        break;
    case ACT_SOFTMAX:
        for (size_t r = 0; r < rows; r++) {
            float *row = y + r * (size_t)n, mx = row[0], sum = 0.0f;
            for (int j = 1; j < n; j++)
                mx = row[j] > mx ? row[j] : mx;
            for (int j = 0; j < n; j++)
                sum += (row[j] = expf(row[j] - mx));
            for (int j = 0; j < n; j++)
                row[j] /= sum;
        }
        break;
    }
}

void layer_act_backward(layer_act a, const float *y, const float *dy, float *dz, size_t rows, int n)
{
    size_t total = rows * (size_t)n;
    switch (a) {
    case ACT_LINEAR:
        if (dz != dy)
            memcpy(dz, dy, total * sizeof *dz);
        break;
    case ACT_RELU:
        for (size_t i = 0; i < total; i++)
            dz[i] = y[i] > 0.0f ? dy[i] : 0.0f;
        break;
    case ACT_TANH:
        for (size_t i = 0; i < total; i++)
            dz[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case ACT_SIGMOID:
        for (size_t i = 0; i < total; i++)
            dz[i] = dy[i] * y[i] * (1.0f - y[i]);
        break;
    case ACT_SOFTMAX: /* dz = y * (dy - sum(dy * y)) per row */
        for (size_t r = 0; r < rows; r++) {
            const float *yr = y + r * (size_t)n, *dyr = dy + r * (size_t)n;
            float *dzr = dz + r * (size_t)n, dot = 0.0f;
            for (int j = 0; j < n; j++)
                dot += dyr[j] * yr[j];
            for (int j = 0; j < n; j++)
                dzr[j] = yr[j] * (dyr[j] - dot);
        }
        break;
    }
}

int layer_int1(const rnn_call *c, int pos, const char *key, long dflt, long *out, rnn_error *err)
{
    const rnn_value *v = rnn_call_arg(c, pos, key);
    if (v && v->type == RNN_VAL_LIST) {
        /* the integer's range is rnn_call_int's: a number past it is refused, not converted */
        if (v->n_items != 1 || v->items[0].type != RNN_VAL_NUMBER || !v->items[0].is_integer ||
            !(v->items[0].number >= -2e9 && v->items[0].number <= 2e9))
            return rnn_fail(err, RNN_EUSAGE, "%s: '%s' expects an integer or a tuple of one integer, e.g. (3,)",
                            c->name, key);
        *out = (long)v->items[0].number;
        return RNN_OK;
    }
    return rnn_call_int(c, pos, key, dflt, out, err);
}

int layer_none_only(const rnn_call *c, const char *const *keys, rnn_error *err)
{
    for (const char *const *k = keys; *k; k++) {
        const rnn_value *v = rnn_call_arg(c, -1, *k);
        if (v && !(v->type == RNN_VAL_NONE || (v->type == RNN_VAL_IDENT && strcmp(v->string, "None") == 0)))
            return rnn_fail(err, RNN_EUSAGE, "%s: '%s' is not supported (only None)", c->name, *k);
    }
    return RNN_OK;
}

static const char *const padding_names[] = {"valid", "same", "causal"};

int layer_padding_parse(const rnn_call *c, int pos, const char *dflt, bool allow_causal, layer_padding *out,
                        rnn_error *err)
{
    const char *s;
    int rc = rnn_call_string(c, pos, "padding", dflt, &s, err);
    if (rc)
        return rc;
    for (int i = 0; i < (allow_causal ? 3 : 2); i++)
        if (strcasecmp(s, padding_names[i]) == 0) {
            *out = (layer_padding)i;
            return RNN_OK;
        }
    return rnn_fail(err, RNN_EUSAGE, "%s: 'padding' expects 'valid'%s, got '%s'", c->name,
                    allow_causal ? ", 'same' or 'causal'" : " or 'same'", s);
}

const char *layer_padding_name(layer_padding p) { return padding_names[p]; }

int layer_window_steps(int T, int span, int stride, layer_padding p)
{
    if (p != LAYER_PAD_VALID)
        return T < 1 ? 0 : (T - 1) / stride + 1;
    return T < span ? 0 : (T - span) / stride + 1;
}

int layer_same_pad_before(int T, int span, int stride)
{
    int total = span - 1 - (T - 1) % stride;
    return total > 0 ? total / 2 : 0;
}

void layer_describe_tail(char *buf, size_t n, size_t *len, layer_act act, bool use_bias, bool trainable)
{
    if (act != ACT_LINEAR)
        layer_appendf(buf, n, len, ", activation='%s'", layer_act_name(act));
    if (!use_bias)
        layer_appendf(buf, n, len, ", use_bias=False");
    if (!trainable)
        layer_appendf(buf, n, len, ", trainable=False");
    layer_appendf(buf, n, len, ")");
}

int layer_kernel_bias_groups(size_t kernel, size_t bias, bool use_bias, const char **names, size_t *sizes, int max)
{
    int k = 0;
    if (k < max) {
        names[k] = "kernel";
        sizes[k++] = kernel;
    }
    if (use_bias && k < max) {
        names[k] = "bias";
        sizes[k++] = bias;
    }
    return k;
}

const char *layer_number(char buf[32], double v)
{
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(buf, 32, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}
