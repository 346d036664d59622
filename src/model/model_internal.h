/* The model's private state (shared by model.c and summary.c). */
#ifndef RNNLAB_MODEL_INTERNAL_H
#define RNNLAB_MODEL_INTERNAL_H
#include <stdio.h>
#include "rnnlab/model.h"

enum { MODEL_INPUT_NAME_SIZE = 64 };

struct rnn_model {
    char name[RNN_MODEL_NAME_MAX + 1];
    unsigned long seed;
    int input_length;           /* from Input(shape=(T,)), -1 = None */
    char input_name[MODEL_INPUT_NAME_SIZE]; /* the Input's name (name=, else Keras 2's "input_1"),
                                             * "" when no Input(...) was given */
    bool functional;            /* keras.Model(inputs, outputs): the Input is a summary row */
    rnn_rng *rng;               /* initialisers and dropout masks */
    rnn_layer **layers;
    size_t n, cap;
    float *params, *grads;      /* one block each; layer views point into them */
    size_t n_floats;            /* block length = rnn_model_n_params */
    int cap_B, cap_T;           /* batch shape the buffers are reserved for */
    int reserved_threads;       /* rnn_get_threads() at that reserve (a change re-reserves) */
    float **act, **dact;        /* per layer: output [layout of l->out] and its gradient */
    float *out_buf, *dout_buf;  /* batch-major copy of a sequence output */
    rnn_fwd *fwd;               /* per layer: the context of the last forward (backward reuses it) */
    int B, T;                   /* last forward's batch */
    bool have_forward;
    void *train_state;          /* compile's state (train.c), freed by train_state_free */
    void (*train_state_free)(void *state);
};

/* Restores the Input a saved model was given (open): no check against the data, as for its layers. */
void model_restore_input(rnn_model *m, bool functional, bool has_input, const char *name, int T);

#endif
