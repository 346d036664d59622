/* Private helpers shared by the layer kinds in src/layers/ (activations, describe, workspaces). */
#ifndef RNNLAB_LAYER_UTIL_H
#define RNNLAB_LAYER_UTIL_H
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "rnnlab/layers.h"

/* Element-wise activations by Keras name. */
typedef enum layer_act { ACT_LINEAR, ACT_RELU, ACT_TANH, ACT_SIGMOID, ACT_SOFTMAX } layer_act;

/* Parses a Keras activation name (NULL/"linear"/None = linear); errors name the layer. */
int layer_act_parse(const rnn_call *c, int pos, const char *key, const char *dflt, layer_act *out,
                    rnn_error *err);
const char *layer_act_name(layer_act a);
/* y[rows][n] = act(y) in place; softmax is over each row of n. */
void layer_act_forward(layer_act a, float *y, size_t rows, int n);
/* dz = dy * act'(z) given the activation output y (all Keras activations here are expressible in y). */
void layer_act_backward(layer_act a, const float *y, const float *dy, float *dz, size_t rows, int n);

/* Limits of the sizes a layer call gives: beyond them a layer is a typo rather than a model, and
 * every dimension the engine computes (int) stays far from overflow. Memory is checked apart. */
#define LAYER_MAX_UNITS 65536              /* SimpleRNN, LSTM, GRU, Dense units; Embedding output_dim */
#define LAYER_MAX_VOCABULARY 100000000     /* Embedding input_dim */
#define LAYER_MAX_FEATURES (1 << 24)       /* features of any output (Flatten's steps x features) */
#define LAYER_MAX_WINDOW 65536             /* Conv1D and pooling windows, strides and dilation */
/* RNN_OK when 1 <= v <= max; else "LAYER: 'ARG' must be a positive integer, got V" or
 * "LAYER: 'ARG'=V is above the limit of MAX". */
int layer_check_size(const char *layer, const char *arg, long v, long max, rnn_error *err);

/* An integer argument Keras also takes as a one-element tuple: kernel_size=3 or kernel_size=(3,). */
int layer_int1(const rnn_call *c, int pos, const char *key, long dflt, long *out, rnn_error *err);
/* Fails naming the first of `keys` (NULL-terminated) given a value other than None: Keras arguments
 * that change the result and that the layer does not implement (regularizers, constraints). */
int layer_none_only(const rnn_call *c, const char *const *keys, rnn_error *err);

/* Padding of Conv1D and the 1D poolings. */
typedef enum layer_padding { LAYER_PAD_VALID, LAYER_PAD_SAME, LAYER_PAD_CAUSAL } layer_padding;
/* Reads 'padding' ('valid', 'same', and 'causal' when allow_causal; any case, as Keras). */
int layer_padding_parse(const rnn_call *c, int pos, const char *dflt, bool allow_causal, layer_padding *out,
                        rnn_error *err);
const char *layer_padding_name(layer_padding p);
/* Output steps of a window of `span` steps moved by `stride` over T steps (Keras's arithmetic):
 * valid (T - span) / stride + 1 (below 1 when T < span); same and causal (T - 1) / stride + 1. */
int layer_window_steps(int T, int span, int stride, layer_padding p);
/* Padding before the first step for 'same' (TensorFlow's: half the total, rounded down). */
int layer_same_pad_before(int T, int span, int stride);

/* v in the fewest significant digits (up to 17) that read back as v, as Python's repr: describe's
 * text is parsed again (save files, the fuzz targets' stability check), and %g's six digits turned
 * Dropout(0.999999999999995), a rate under 1, into Dropout(1), which is refused. */
const char *layer_number(char buf[32], double v);
/* Appends printf text to buf[n] at *len (truncating safely); for describe(). */
void layer_appendf(char *buf, size_t n, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The end of a weighted layer's call text, as Keras writes the arguments that differ from their
 * defaults: ", activation='relu'", ", use_bias=False", ", trainable=False", then ")". */
void layer_describe_tail(char *buf, size_t n, size_t *len, layer_act act, bool use_bias, bool trainable);
/* The parameter groups of a layer holding a kernel and, with use_bias, a bias after it. */
int layer_kernel_bias_groups(size_t kernel, size_t bias, bool use_bias, const char **names, size_t *sizes, int max);

/* Grows an aligned float workspace *buf to at least count floats (never shrinks). */
int layer_reserve_floats(float **buf, size_t *cap, size_t count, rnn_error *err, const char *layer);

/* The kind table of a layer whose operations are all named FN_build, FN_init, FN_reserve,
 * FN_forward, FN_backward, FN_describe, FN_param_groups and FN_destroy: kinds that differ only in
 * configure (Dropout and SpatialDropout1D, the two global poolings) share them. Further
 * designated initialisers may follow configure_fn (.honours_mask = true). */
#define LAYER_KIND_OF(fn, keras_name, name_prefix, configure_fn, ...) {                          \
        .name = keras_name, .prefix = name_prefix, .configure = configure_fn,                     \
        .build = fn##_build, .init = fn##_init, .reserve = fn##_reserve,                          \
        .forward = fn##_forward, .backward = fn##_backward, .out_mask = NULL,                     \
        .describe = fn##_describe, .param_groups = fn##_param_groups, .destroy = fn##_destroy,   \
        .workspace_bytes = fn##_workspace_bytes, .keys = fn##_keys, __VA_ARGS__                  \
    }

#endif
