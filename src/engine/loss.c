/* Cross-entropy losses on probabilities, as Keras computes them when the output is not given as
 * logits: outputs clipped to [1e-7, 1-1e-7] (no gradient outside), mean over the batch
 * ("sum_over_batch_size"). Keras 3 on TensorFlow reads the logits cached by a final sigmoid or
 * softmax instead; the two agree except for outputs beyond the clip range (a confidently wrong
 * prediction: the loss is capped at -log(1e-7) = 16.12 here and its gradient is zero). */
#include "config.h"
#include <math.h>
#include <string.h>
#include <strings.h>
#include "engine/train_internal.h"

int loss_parse(const char *name, loss_kind *out, rnn_error *err)
{
    static const struct { const char *name; loss_kind k; } names[] = {
        {"binary_crossentropy", LOSS_BINARY_CE}, {"BinaryCrossentropy", LOSS_BINARY_CE},
        {"sparse_categorical_crossentropy", LOSS_SPARSE_CCE},
        {"SparseCategoricalCrossentropy", LOSS_SPARSE_CCE},
        {"categorical_crossentropy", LOSS_CCE}, {"CategoricalCrossentropy", LOSS_CCE},
    };
    if (!name)
        return rnn_fail(err, RNN_EUSAGE, "compile: loss is required (binary_crossentropy, "
                        "sparse_categorical_crossentropy or categorical_crossentropy)");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i].name)) {
            *out = names[i].k;
            return RNN_OK;
        }
    return rnn_fail(err, RNN_EUSAGE, "compile: loss='%s' is unknown (expected binary_crossentropy, "
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
