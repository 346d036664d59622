/* Test helper: finite-difference gradient check of one layer kind, usable by every layer's tests.
 *
 *   gc_opts o = gc_defaults();            // B=3, T=5, eps=1e-2, tol=1e-2
 *   o.mask = true;                         // feed a [T][B] pre-padding mask to the layer
 *   gc_result r;
 *   int bad = gc_check_layer("LSTM(4, return_sequences=True)", gc_seq(-1, 3), NULL, &o, &r);
 *
 * The layer is created from the Keras call, built on `in`, initialised (plus noise so that zero biases
 * are exercised), and the loss L = sum(w .* y) with fixed random w is differentiated by central
 * differences (loss summed in double; the rng is reseeded before every forward so dropout masks
 * stay fixed). Parameters and the float input are checked (a random subset of at most max_checks
 * elements per parameter group and for the input); ids inputs (Embedding) have no input check.
 * Prints one line per group; returns the number of groups above tol (0 = pass). */
#ifndef GRADCHECK_UTIL_H
#define GRADCHECK_UTIL_H
#include "rnnlab/layers.h"

typedef struct gc_opts {
    int B, T;               /* batch size and time steps fed to the layer */
    bool mask;              /* pass a random pre-padding mask [T][B] (every sample keeps >= 1 step) */
    bool training;          /* forward in training mode (dropout) */
    unsigned long seed;
    double eps;             /* central-difference step */
    double tol;             /* max relative error |a-n| / max(|a|, |n|, floor) */
    double floor;           /* denominator floor for tiny gradients */
    int max_checks;         /* elements per group (0 = all) */
    int vocab;              /* ids drawn in [0, vocab) when the input is ids */
    double param_noise;     /* uniform noise added to the initialised parameters */
    bool spread_inputs;     /* float input = a permutation of evenly spaced values in [-1,1]
                             * (no two closer than 2/n: max pooling's argmax cannot flip) */
} gc_opts;

typedef struct gc_result {
    double max_rel;         /* worst relative error over everything checked */
    char worst[160];        /* where it happened */
    int n_checked;
} gc_result;

gc_opts gc_defaults(void);
/* Shapes without the batch dimension. */
rnn_shape gc_seq(int T, int F);
rnn_shape gc_vec(int F);
rnn_shape gc_ids(int T);
int gc_check_layer(const char *keras_call, rnn_shape in, const rnn_add_ctx *ctx, const gc_opts *o,
                   gc_result *res);

#endif
