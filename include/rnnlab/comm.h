/* Several processes sharing one training: the communicator of data-parallel fit, evaluate and
 * predict. The engine never starts processes or opens a network itself: a program fills this
 * table (rnnlab does it over MPI when built with it). NULL, or size 1, is one process, where
 * everything runs as without a communicator. */
#ifndef RNNLAB_COMM_H
#define RNNLAB_COMM_H
#include "rnnlab/train.h"

typedef struct rnn_comm rnn_comm;
struct rnn_comm {
    int rank, size;              /* this process, and how many share the work (ranks 0..size-1) */
    /* x[n] <- the sum over the ranks of their x[n]: every rank gets the same bits, added in an
     * order that depends only on size (so a rerun with as many ranks gives the same sums). */
    int (*sum_floats)(const rnn_comm *c, float *x, size_t n, rnn_error *err);
    /* Every rank's `bytes` bytes, concatenated in rank order into *all (malloc'd, free it); off
     * [size + 1] gets where each rank's part starts, off[size] the total. */
    int (*gather)(const rnn_comm *c, const void *mine, size_t bytes, void **all, size_t *off, rnn_error *err);
    void *impl;                  /* the implementation's own state */
};

/* The same calls as rnn_model_evaluate and rnn_model_predict, the texts split across the ranks of
 * comm (contiguous parts in rank order): every rank gets the whole result. With comm NULL or of
 * size 1 they are rnn_model_evaluate and rnn_model_predict. */
int rnn_model_evaluate_comm(rnn_model *m, const rnn_xy *data, int batch_size, const rnn_comm *comm,
                            rnn_eval *out, rnn_error *err);
int rnn_model_predict_comm(rnn_model *m, const int32_t *x, size_t n, int T, int batch_size,
                           const rnn_comm *comm, float *probs, int *n_classes, rnn_error *err);

/* Every rank learns whether all succeeded: when rc or another rank's status is an error, returns
 * the error of the lowest rank that failed, with its message, on every rank. */
int rnn_comm_agree(const rnn_comm *comm, int rc, rnn_error *err);

/* The start of a run that other runs of a sweep start from too: the weights and the optimizer's
 * state (moments, step count, settings) of a compiled model. */
typedef struct rnn_train_snapshot rnn_train_snapshot;
rnn_train_snapshot *rnn_train_snapshot_take(rnn_model *m, rnn_error *err);
/* Puts the snapshot back into m (the same model, not changed since; else RNN_EUSAGE). */
int rnn_train_snapshot_restore(rnn_model *m, const rnn_train_snapshot *s, rnn_error *err);
void rnn_train_snapshot_free(rnn_train_snapshot *s);

/* Sets one of the compiled optimizer's settings by its Keras name (learning_rate, momentum, rho,
 * beta_1, beta_2, epsilon, clipnorm, clipvalue); the error names the key and what it expects. */
int rnn_model_set_optimizer_value(rnn_model *m, const char *key, double value, rnn_error *err);

#endif
