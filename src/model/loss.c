/* Cross-entropy losses, mean over the batch ("sum_over_batch_size"), computed as Keras on
 * TensorFlow does (keras/src/backend/tensorflow/nn.py, binary_crossentropy and
 * categorical_crossentropy with from_logits=False):
 * - when the model ends in the activation the loss pairs with (sigmoid for binary, softmax for
 *   categorical cross-entropy), from that layer's logits: TF's sigmoid/softmax cross-entropy with
 *   logits, whose gradient is p - target and never vanishes, even for a confidently wrong output;
 * - otherwise from the probabilities clipped to [1e-7, 1-1e-7] (no gradient outside the range, and
 *   the loss of one output capped at -log(1e-7) = 16.12).
 * With from_logits=True the model's outputs are the logits: TF's with-logits formulas on them. */
#include "config.h"
#include <math.h>
#include <string.h>
#include <strings.h>
#include "rnnlab/call.h"
#include "model/train_internal.h"

int loss_parse(const char *name, loss_kind *out, rnn_error *err)
{
    static const struct { const char *name; loss_kind k; } names[] = {
        {"binary_crossentropy", LOSS_BINARY_CE}, {"BinaryCrossentropy", LOSS_BINARY_CE},
        {"sparse_categorical_crossentropy", LOSS_SPARSE_CCE},
        {"SparseCategoricalCrossentropy", LOSS_SPARSE_CCE},
        {"categorical_crossentropy", LOSS_CCE}, {"CategoricalCrossentropy", LOSS_CCE},
    };
    if (!name)
        return rnn_fail(err, RNN_EUSAGE, "loss is required (binary_crossentropy, "
                        "sparse_categorical_crossentropy or categorical_crossentropy)");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i].name)) {
            *out = names[i].k;
            return RNN_OK;
        }
    return rnn_fail(err, RNN_EUSAGE, "loss='%s' is unknown (expected binary_crossentropy, "
                    "sparse_categorical_crossentropy or categorical_crossentropy)", name);
}

int loss_parse_call(const char *text, loss_kind *out, bool *from_logits, rnn_error *err)
{
    if (!text)
        return loss_parse(NULL, out, err);
    /* a module prefix (tf.keras.losses., losses.) is dropped: the name is what follows the last '.' */
    const char *paren = strchr(text, '('), *name = text;
    for (const char *p = text; *p && (!paren || p < paren); p++)
        if (*p == '.')
            name = p + 1;
    if (!paren)
        return loss_parse(name, out, err);
    rnn_call *call = NULL;
    static const char *const keys[] = {"from_logits", "label_smoothing", "reduction", "axis", NULL};
    double smoothing = 0;
    const char *reduction = NULL;
    bool logits = false;
    int rc = rnn_call_parse(name, &call, err);
    if (!rc) rc = rnn_call_check_keys(call, 0, keys, err);
    if (!rc) rc = rnn_call_bool(call, -1, "from_logits", false, &logits, err);
    if (!rc) rc = rnn_call_float(call, -1, "label_smoothing", 0.0, &smoothing, err);
    if (!rc) rc = rnn_call_string(call, -1, "reduction", "sum_over_batch_size", &reduction, err);
    if (!rc && smoothing != 0)
        rc = rnn_fail(err, RNN_EUSAGE, "%s: label_smoothing is not supported (only 0)", call->name);
    if (!rc && strcmp(reduction, "sum_over_batch_size") != 0 && strcmp(reduction, "auto") != 0)
        rc = rnn_fail(err, RNN_EUSAGE, "%s: reduction supports only 'sum_over_batch_size', got '%s'",
                      call->name, reduction);
    if (!rc && rnn_call_arg(call, -1, "axis"))
        rc = rnn_fail(err, RNN_EUSAGE, "%s: axis is not supported (the classes are the last axis)",
                      call->name);
    if (!rc)
        rc = loss_parse(call->name, out, err);
    if (!rc && logits)
        *from_logits = true;
    rnn_call_free(call);
    return rc;
}

const char *loss_name(loss_kind k)
{
    switch (k) {
    case LOSS_BINARY_CE: return "binary_crossentropy";
    case LOSS_SPARSE_CCE: return "sparse_categorical_crossentropy";
    case LOSS_CCE: return "categorical_crossentropy";
    }
    return "?";
}

/* Keras's clip bounds in float32. */
static const float clip_lo = 1e-7f, clip_hi = 1.0f - 1e-7f;

/* Binary cross-entropy of each of the K outputs against its target (y itself when K == 1,
 * one-hot of y otherwise), averaged over the K outputs as Keras does (mean over the last axis). */
static double bce_row(const float *p, int y, int K, float *g, double scale)
{
    double sum = 0;
    for (int k = 0; k < K; k++) {
        double t = K == 1 ? (double)y : (double)(y == k);
        float pc = p[k] < clip_lo ? clip_lo : p[k] > clip_hi ? clip_hi : p[k];
        if (isnan(p[k]))
            pc = p[k];
        sum -= t * log(pc) + (1 - t) * log(1.0 - pc);
        if (g) {
            bool inside = p[k] >= clip_lo && p[k] <= clip_hi;
            g[k] = inside ? (float)(scale / K * (-t / pc + (1 - t) / (1.0 - pc))) : 0.0f;
        }
    }
    return sum / K;
}

/* -log(clip(p_y / sum(p))); gradient through the normalisation: 1/S - [j==y]/p_y. */
static double cce_row(const float *p, int y, int K, float *g, double scale)
{
    double S = 0;
    for (int k = 0; k < K; k++)
        S += p[k];
    float q = (float)(p[y] / S);
    float qc = q < clip_lo ? clip_lo : q > clip_hi ? clip_hi : q;
    if (isnan(q))
        qc = q;
    if (g) {
        bool inside = q >= clip_lo && q <= clip_hi;
        for (int k = 0; k < K; k++)
            g[k] = inside ? (float)(scale * (1.0 / S - (k == y ? 1.0 / p[y] : 0.0))) : 0.0f;
    }
    return -log(qc);
}

double loss_batch(loss_kind k, const float *probs, const int *y, int B, int K, float *grad)
{
    double sum = 0, scale = 1.0 / B;
    for (int b = 0; b < B; b++) {
        const float *p = probs + (size_t)b * K;
        float *g = grad ? grad + (size_t)b * K : NULL;
        sum += k == LOSS_BINARY_CE ? bce_row(p, y[b], K, g, scale) : cce_row(p, y[b], K, g, scale);
    }
    return sum / B;
}

static float sigmoidf(float z) { return 1.0f / (1.0f + expf(-z)); }

/* Binary cross-entropy from the logits z of K sigmoid outputs p (TF's
 * sigmoid_cross_entropy_with_logits: max(z,0) - z t + log(1 + exp(-|z|)), mean over the K);
 * p NULL: computed from z. */
static double bce_logits_row(const float *z, const float *p, int y, int K, float *g, double scale)
{
    double sum = 0;
    for (int k = 0; k < K; k++) {
        double t = K == 1 ? (double)y : (double)(y == k), zk = z[k];
        sum += (zk > 0 ? zk : 0) - zk * t + log1p(exp(-fabs(zk)));
        if (g)
            g[k] = (float)(scale / K * ((p ? p[k] : sigmoidf(z[k])) - t));
    }
    return sum / K;
}

/* Categorical cross-entropy from the logits z of a softmax p: logsumexp(z) - z_y; p NULL: computed. */
static double cce_logits_row(const float *z, const float *p, int y, int K, float *g, double scale)
{
    double zmax = z[0], s = 0;
    for (int k = 1; k < K; k++)
        zmax = z[k] > zmax ? z[k] : zmax;
    for (int k = 0; k < K; k++)
        s += exp(z[k] - zmax);
    if (g)
        for (int k = 0; k < K; k++) {
            double pk = p ? p[k] : exp(z[k] - zmax) / s;
            g[k] = (float)(scale * (pk - (k == y ? 1.0 : 0.0)));
        }
    return zmax + log(s) - z[y];
}

/* The logits behind the model's output when the loss pairs with its final activation, else NULL. */
static const float *loss_logits(loss_kind k, const rnn_model *m)
{
    rnn_out_act act = RNN_OUT_NONE;
    const float *z = rnn_model_logits(m, &act);
    if (!z)
        return NULL;
    return (k == LOSS_BINARY_CE && act == RNN_OUT_SIGMOID) || (k != LOSS_BINARY_CE && act == RNN_OUT_SOFTMAX)
               ? z : NULL;
}

double loss_model_batch(loss_kind k, bool from_logits, const rnn_model *m, const float *out, const int *y,
                        const float *sw, int B, int K, float *grad, bool *grad_of_logits)
{
    const float *z = from_logits ? out : loss_logits(k, m), *probs = from_logits ? NULL : out;
    if (grad_of_logits)
        *grad_of_logits = z != NULL && !from_logits;
    double sum = 0;
    for (int b = 0; b < B; b++) {
        size_t o = (size_t)b * K;
        float *g = grad ? grad + o : NULL;
        double w = sw ? sw[b] : 1.0, scale = w / B, row;
        if (!z)
            row = k == LOSS_BINARY_CE ? bce_row(out + o, y[b], K, g, scale) : cce_row(out + o, y[b], K, g, scale);
        else
            row = k == LOSS_BINARY_CE ? bce_logits_row(z + o, probs ? probs + o : NULL, y[b], K, g, scale)
                                      : cce_logits_row(z + o, probs ? probs + o : NULL, y[b], K, g, scale);
        sum += w * row;
    }
    return sum / B;
}

const float *loss_probabilities(loss_kind k, bool from_logits, const float *out, int B, int K, float *buf)
{
    if (!from_logits)
        return out;
    size_t n = (size_t)B * K;
    if (k == LOSS_BINARY_CE) {
        for (size_t i = 0; i < n; i++)
            buf[i] = sigmoidf(out[i]);
        return buf;
    }
    for (int b = 0; b < B; b++) {
        const float *z = out + (size_t)b * K;
        float *p = buf + (size_t)b * K, zmax = z[0], s = 0;
        for (int j = 1; j < K; j++)
            zmax = z[j] > zmax ? z[j] : zmax;
        for (int j = 0; j < K; j++)
            s += (p[j] = expf(z[j] - zmax));
        for (int j = 0; j < K; j++)
            p[j] /= s;
    }
    return buf;
}

int loss_model_backward(rnn_model *m, const float *grad, bool from_logits, rnn_error *err)
{
    return from_logits ? rnn_model_backward_logits(m, grad, err) : rnn_model_backward(m, grad, err);
}
