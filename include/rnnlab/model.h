/* Sequential models: add layers from Keras calls, summary, forward/backward on a batch. */
#ifndef RNNLAB_MODEL_H
#define RNNLAB_MODEL_H
#include "rnnlab/layers.h"

typedef struct rnn_model rnn_model;

/* A model's name holds at most RNN_MODEL_NAME_MAX bytes (rnn_model_new cuts a longer one). */
#define RNN_MODEL_NAME_MAX 63
rnn_model *rnn_model_new(const char *name, unsigned long seed);
void rnn_model_free(rnn_model *m);
const char *rnn_model_name(const rnn_model *m);
/* Parses a Keras constructor call (prefixes tf.keras.layers., keras.layers., layers. accepted),
 * creates, builds (shape errors name the layer) and initialises the layer, and appends it.
 * Input(shape=(T,)) (also keras.Input, InputLayer(input_shape=(T,)), batch_shape=(None, T)) before
 * the first layer fixes the sequence length (no layer is added; pop undoes it; a second Input
 * replaces the first); it must match ctx->data_length when that is set. Refuses a layer whose
 * parameters would not fit in memory (rnn_mem_check). On error the model is unchanged. */
int rnn_model_add(rnn_model *m, const char *keras_call, const rnn_add_ctx *ctx, rnn_error *err);
/* The sequence length Input(shape=(T,)) fixed, or -1 (none given, or None). */
int rnn_model_input_length(const rnn_model *m);
/* The name of the Input given (its name=, else "input_1"), or NULL when none was. */
const char *rnn_model_input_name(const rnn_model *m);
/* Makes m a functional model (keras.Model(inputs, outputs) over one chain of layers): its summary
 * lists the Input as a layer, "input_1 (InputLayer)  [(None, T)]  0", as Keras 2 does, and a model
 * named "sequential" (rnn_model_new's default) is named "model". */
void rnn_model_set_functional(rnn_model *m);
bool rnn_model_is_functional(const rnn_model *m);
/* Removes the last layer (undo). */
int rnn_model_pop(rnn_model *m, rnn_error *err);
size_t rnn_model_n_layers(const rnn_model *m);
rnn_layer *rnn_model_layer(rnn_model *m, size_t i);
rnn_shape rnn_model_output_shape(const rnn_model *m);
size_t rnn_model_n_params(const rnn_model *m);
size_t rnn_model_n_trainable(const rnn_model *m);
/* Keras's summary table (Model: "name", Layer (type) / Output Shape / Param #, totals), malloc'd.
 * width = total line width (Keras uses 65 in TF2, 98 in Keras 3); 0 = 65. */
char *rnn_model_summary(const rnn_model *m, int width);
/* Re-initialises every parameter from seed (Keras initialisers); RNN_EINTERNAL when an
 * initialiser's scratch cannot be allocated (the layers after it keep their values). */
int rnn_model_reset(rnn_model *m, unsigned long seed, rnn_error *err);

/* Flat parameter/gradient blocks: exactly rnn_model_n_params floats each, the layers' views
 * contiguous in layer order (no padding). Adding or popping a layer moves the blocks (views are
 * re-pointed, parameter values kept, gradients zeroed): fetch these pointers again after
 * rnn_model_add/pop. */
float *rnn_model_params(rnn_model *m);
float *rnn_model_grads(rnn_model *m);
void rnn_model_zero_grad(rnn_model *m);

/* Training state attached by compile (made by src/model/train.c): freed with the model through
 * `destroy`; NULL when not compiled. */
void *rnn_model_train_state(const rnn_model *m);
void rnn_model_set_train_state(rnn_model *m, void *state, void (*destroy)(void *state));
/* The model's generator (initialisers and dropout masks); fit reseeds it from its seed. */
rnn_rng *rnn_model_rng(rnn_model *m);

/* Bytes a forward and backward over batches up to B sequences of T steps allocate: every layer's
 * workspace (at its thread count) and the activation buffers between layers; *largest (may be
 * NULL) is the layer with the largest share. */
uint64_t rnn_model_batch_bytes(const rnn_model *m, int B, int T, rnn_layer const **largest);
/* Before running batches up to B x T: refuses (RNN_EDATA, "needs 11.8 GB for a batch of 512 x 200000
 * (LSTM(64) workspaces); 3.9 GB available: lower batch_size or maxlen") when their buffers and
 * `extra` bytes the caller allocates beside them exceed what the process may use (rnn_mem_check).
 * Forward checks itself before it grows its buffers; callers add their own batch buffers. */
int rnn_model_check_memory(const rnn_model *m, int B, int T, uint64_t extra, rnn_error *err);
/* Sizes the buffers for batches up to B x T now, as forward does at its first batch of that size
 * (they only grow, and each growth frees and maps them again): for a caller whose batches vary in
 * length, so that they grow once. */
int rnn_model_reserve(rnn_model *m, int B, int T, rnn_error *err);

/* Checks ids [n][T] against the model without running it (sequence length, token ids within the
 * Embedding's input_dim); the error names the first offending sample. */
int rnn_model_check_input(const rnn_model *m, const int32_t *x, size_t n, int T, rnn_error *err);
/* Whether the model takes sequences of any length (no Input(shape=(T,)), no input_length). */
bool rnn_model_any_length(const rnn_model *m);
/* Whether steps that are padding (id 0) in every row of a batch can be left out of it without
 * changing the outputs (beyond float rounding): the model takes any length, its Embedding masks
 * id 0 (mask_zero=True), its output is one vector per text, and every layer before that vector is
 * made honours the mask (recurrent layers carry their state over masked steps, the average pooling
 * leaves them out; dropout and Dense work step by step). */
bool rnn_model_skips_padding(const rnn_model *m);
/* Whether the mask of Embedding(..., mask_zero=True) reaches layer i: every layer between them
 * outputs sequences and supports masking (Keras's mask propagation). */
bool rnn_model_mask_reaches(const rnn_model *m, size_t i);
/* Forward on a batch x = ids [B][T]; returns the output [B][n_out] (valid until the next call). */
const float *rnn_model_forward(rnn_model *m, const int32_t *x, int B, int T, bool training,
                               rnn_error *err);
/* Backward from dL/d(output) [B][n_out]; adds into the gradients. */
int rnn_model_backward(rnn_model *m, const float *dout, rnn_error *err);
/* The logits [B][n_out] behind the output of the last forward, when the output layer ends in a
 * sigmoid or softmax (*act says which) and the output is one vector per example; else NULL. */
const float *rnn_model_logits(const rnn_model *m, rnn_out_act *act);
/* Backward from dL/d(logits) [B][n_out], the logits rnn_model_logits gave; adds into the gradients. */
int rnn_model_backward_logits(rnn_model *m, const float *dlogits, rnn_error *err);

#endif
