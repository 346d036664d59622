/* Helpers shared by the layer kinds (declared in layer_util.h): describe text, size checks,
 * workspaces, activations. */
#include "config.h"
#include <stdlib.h>
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
