/* Cross-entropy losses, mean over the batch ("sum_over_batch_size"), computed as Keras on
 * TensorFlow does (keras/src/backend/tensorflow/nn.py, binary_crossentropy and
 * categorical_crossentropy with from_logits=False):
 * - when the model ends in the activation the loss pairs with (sigmoid for binary, softmax for
 *   categorical cross-entropy), from that layer's logits: TF's sigmoid/softmax cross-entropy with
 *   logits, whose gradient is p - target and never vanishes, even for a confidently wrong output;
 * - otherwise from the probabilities clipped to [1e-7, 1-1e-7] (no gradient outside the range, and
 *   the loss of one output capped at -log(1e-7) = 16.12). */
#include "config.h"
#include <math.h>
#include <string.h>
#include <strings.h>
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

/* Binary cross-entropy from the logits z of K sigmoid outputs p (TF's
 * sigmoid_cross_entropy_with_logits: max(z,0) - z t + log(1 + exp(-|z|)), mean over the K). */
static double bce_logits_row(const float *z, const float *p, int y, int K, float *g, double scale)
{
    double sum = 0;
    for (int k = 0; k < K; k++) {
        double t = K == 1 ? (double)y : (double)(y == k), zk = z[k];
        sum += (zk > 0 ? zk : 0) - zk * t + log1p(exp(-fabs(zk)));
        if (g)
            g[k] = (float)(scale / K * (p[k] - t));
    }
    return sum / K;
}

/* Categorical cross-entropy from the logits z of a softmax p: logsumexp(z) - z_y. */
static double cce_logits_row(const float *z, const float *p, int y, int K, float *g, double scale)
{
    double zmax = z[0], s = 0;
    for (int k = 1; k < K; k++)
        zmax = z[k] > zmax ? z[k] : zmax;
    for (int k = 0; k < K; k++)
        s += exp(z[k] - zmax);
    if (g)
        for (int k = 0; k < K; k++)
            g[k] = (float)(scale * (p[k] - (k == y ? 1.0 : 0.0)));
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

double loss_model_batch(loss_kind k, const rnn_model *m, const float *probs, const int *y, int B, int K,
                        float *grad, bool *from_logits)
{
    const float *z = loss_logits(k, m);
    if (from_logits)
        *from_logits = z != NULL;
    if (!z)
        return loss_batch(k, probs, y, B, K, grad);
    double sum = 0, scale = 1.0 / B;
    for (int b = 0; b < B; b++) {
        size_t o = (size_t)b * K;
        float *g = grad ? grad + o : NULL;
        sum += k == LOSS_BINARY_CE ? bce_logits_row(z + o, probs + o, y[b], K, g, scale)
                                   : cce_logits_row(z + o, probs + o, y[b], K, g, scale);
    }
    return sum / B;
}

int loss_model_backward(rnn_model *m, const float *grad, bool from_logits, rnn_error *err)
{
    return from_logits ? rnn_model_backward_logits(m, grad, err) : rnn_model_backward(m, grad, err);
}
