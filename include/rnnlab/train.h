/* compile / fit / evaluate / predict / gradcheck with Keras semantics. */
#ifndef RNNLAB_TRAIN_H
#define RNNLAB_TRAIN_H
#include <stdatomic.h>
#include "rnnlab/model.h"

/* compile(): NAN in a double field means "Keras's default". */
typedef struct rnn_compile_opts {
    const char *optimizer;       /* "adam", "rmsprop", "sgd", "adagrad", "nadam", "adamw" */
    double learning_rate;        /* sgd 0.01, the others 0.001 */
    double momentum;             /* sgd 0; rmsprop 0 */
    bool nesterov;
    double rho;                  /* rmsprop 0.9 */
    double beta_1, beta_2;       /* 0.9, 0.999 */
    double epsilon;              /* 1e-7 */
    double clipnorm, clipvalue;  /* NAN/0 = off */
    double weight_decay;         /* adamw 0.004, the others none; any optimizer takes it (w -= w*wd*lr) */
    double initial_accumulator_value; /* adagrad 0.1 */
    const char *loss;            /* "binary_crossentropy", "sparse_categorical_crossentropy", "categorical_crossentropy",
                                  * or a Keras loss call: "BinaryCrossentropy(from_logits=True)" */
    bool from_logits;            /* the model's outputs are logits: the loss applies sigmoid (binary) or
                                  * softmax (categorical) itself, and so do metrics and predict */
    const char *metrics;         /* comma list: accuracy (acc), precision, recall, auc; NULL = none */
} rnn_compile_opts;
void rnn_compile_opts_default(rnn_compile_opts *o);
int rnn_model_compile(rnn_model *m, const rnn_compile_opts *o, rnn_error *err);
bool rnn_model_is_compiled(const rnn_model *m);

/* Inputs: ids [n][T] with integer labels (one-hot built internally for categorical_crossentropy). */
typedef struct rnn_xy {
    size_t n;
    int T;
    const int32_t *x;
    const int *y;
} rnn_xy;

/* Per-epoch history, Keras names: loss, accuracy, precision, ..., val_loss, val_accuracy, ... */
#define RNN_MAX_METRICS 16
typedef struct rnn_history {
    int n_metrics;
    char names[RNN_MAX_METRICS][32];
    int n_epochs, cap_epochs;
    double *values;              /* [epoch][n_metrics] */
    double *seconds;             /* [epoch] wall time */
    int best_epoch;              /* 0-based epoch restored by restore_best_weights, -1 if none */
    char stop_reason[160];       /* "", "early stopping: ...", "interrupted ...", "loss is NaN ..." */
} rnn_history;
void rnn_history_free(rnn_history *h);
/* Value of metric `name` at epoch e, NAN if absent. */
double rnn_history_get(const rnn_history *h, int epoch, const char *name);

/* Progress reported during fit, after every batch, at every epoch end, and once more when an
 * epoch is cut short (interrupt, training fault). */
typedef struct rnn_fit_progress {
    int epoch, epochs;           /* 1-based epoch */
    int batch, batches;          /* batches done in this epoch */
    size_t samples_done, samples;/* this epoch */
    double loss, accuracy;       /* running means over the epoch so far (accuracy NAN if not compiled) */
    double batch_loss;           /* this batch */
    double elapsed, eta;         /* seconds in this epoch / estimated remaining in this epoch */
    double ms_per_step, samples_per_s;
    bool epoch_end;              /* true once per epoch, after validation; history holds the row */
    const rnn_history *history;
    bool partial;                /* the last report of an epoch cut short after `batch` of `batches`:
                                    training ends, and the history has no row for this epoch */
} rnn_fit_progress;
/* Return non-zero to stop training after this batch (weights kept). */
typedef int (*rnn_fit_callback)(const rnn_fit_progress *p, void *user);

/* Keras callbacks checked at every epoch's end (src/model/callbacks.c), with Keras 3's semantics:
 * EarlyStopping, ReduceLROnPlateau and ModelCheckpoint (which saves through rnn_fit_opts.save). */
typedef enum rnn_callback_kind {
    RNN_CALLBACK_EARLY_STOPPING, RNN_CALLBACK_REDUCE_LR, RNN_CALLBACK_CHECKPOINT
} rnn_callback_kind;
typedef struct rnn_callback {
    rnn_callback_kind kind;
    char monitor[32];            /* "val_loss" */
    char mode[8];                /* "auto", "min", "max" */
    double min_delta;            /* EarlyStopping 0, ReduceLROnPlateau 1e-4 */
    int patience;                /* EarlyStopping 0, ReduceLROnPlateau 10 */
    int verbose;                 /* 1: a line when the callback acts (rnn_fit_opts.note) */
    double baseline;             /* EarlyStopping baseline, ModelCheckpoint initial_value_threshold; NAN = None */
    bool restore_best_weights;   /* EarlyStopping */
    int start_from_epoch;        /* EarlyStopping */
    double factor, min_lr;       /* ReduceLROnPlateau: 0.1, 0 */
    int cooldown;                /* ReduceLROnPlateau */
    char filepath[1024];         /* ModelCheckpoint: may hold {epoch:02d}, {val_loss:.2f}, ... */
    bool save_best_only;         /* ModelCheckpoint */
} rnn_callback;
/* Parses a Keras callback call, e.g. "EarlyStopping(monitor='val_loss', patience=3)" (module
 * prefixes tf.keras.callbacks., keras.callbacks., callbacks. accepted), with Keras's defaults.
 * Errors name the argument; an argument rnnlab cannot honour is refused with the reason. */
int rnn_callback_parse(const char *keras_call, rnn_callback *out, rnn_error *err);

typedef struct rnn_fit_opts {
    int epochs;                  /* 10 */
    int batch_size;              /* 32 */
    double validation_split;     /* 0 = none; last fraction, taken before shuffling */
    bool shuffle;                /* true */
    const char *early_stopping;  /* monitor name ("val_loss") or NULL */
    int patience;                /* 0 */
    double min_delta;            /* 0 */
    bool restore_best_weights;   /* false */
    bool bucket_by_length;       /* false; true: batches of texts of similar length (sorted within
                                    windows of 32 batches of the shuffled order, the batches' order
                                    shuffled), each running only the steps its texts need when the
                                    model takes any length */
    unsigned long seed;          /* shuffling and dropout */
    /* Keras's class_weight: the loss, its gradient and the training metrics weigh each training
     * example by class_weight[its class] (validation is not weighted); classes at or beyond
     * n_class_weight weigh 1. NULL = none. */
    const double *class_weight;
    int n_class_weight;
    atomic_int *stop;            /* set to 1 (a signal handler, another thread) to stop at the end of the batch */
    rnn_fit_callback callback; void *user;
    /* Warnings (single-class validation part, data ordered by label): called with one line each. */
    void (*warn)(const char *msg, void *user);
    /* Validation on these rows instead of a validation_split part (Keras's validation_data, which
     * overrides validation_split); NULL = none. */
    const rnn_xy *validation_data;
    /* Callbacks run in order at every epoch's end, after the history row. */
    const rnn_callback *callbacks; int n_callbacks;
    /* ModelCheckpoint writes through this (the caller's whole-pipeline save, atomic); required
     * when a ModelCheckpoint is given. */
    int (*save)(const char *path, void *user, rnn_error *err);
    /* The lines callbacks print with verbose=1 ("Epoch 5: ReduceLROnPlateau reducing learning rate
     * to 0.0001."); may be NULL. Called with the same user as callback. */
    void (*note)(const char *msg, void *user);
    /* Ranks sharing each batch (rnnlab/comm.h); NULL = this process alone. */
    const struct rnn_comm *comm;
} rnn_fit_opts;
void rnn_fit_opts_default(rnn_fit_opts *o);
/* Appends the epochs it completes to *hist (initialise with {0}). Everything rnn_model_fit_check
 * checks is checked before anything changes: such an error leaves the model, its generator and
 * *hist as they were. Returns RNN_OK also when stopped early or interrupted (see
 * hist->stop_reason); an epoch interrupted before its last batch is not in the history (the
 * weights keep its batches). A non-finite loss (checked every batch) or weight (checked at every
 * epoch's end, and when interrupted) stops training with RNN_EDATA, naming the epoch and batch: the
 * model gets back the weights of the last complete epoch (those from before the fit in its first),
 * the last checked to be all finite, and the optimizer's moments are reset if they are not finite. */
int rnn_model_fit(rnn_model *m, const rnn_xy *data, const rnn_fit_opts *o, rnn_history *hist,
                  rnn_error *err);
/* The checks fit makes before it changes anything (compiled, data, labels, token ids, finite
 * weights, arguments, early-stopping monitor, columns of a history to extend; hist may be NULL). */
int rnn_model_fit_check(const rnn_model *m, const rnn_xy *data, const rnn_fit_opts *o,
                        const rnn_history *hist, rnn_error *err);

/* Loss and compiled metrics over data, Keras names ("loss", "accuracy", ...). */
typedef struct rnn_eval {
    int n;
    char names[RNN_MAX_METRICS][32];
    double values[RNN_MAX_METRICS];
} rnn_eval;
int rnn_model_evaluate(rnn_model *m, const rnn_xy *data, int batch_size, rnn_eval *out, rnn_error *err);
/* Class probabilities [n][n_classes] (a sigmoid output gives {1-p, p}; n_classes >= 2) when the
 * output layer makes them (it ends in sigmoid or softmax) or the model was compiled with
 * from_logits=True (predict applies the loss's link: sigmoid for binary, softmax for categorical
 * cross-entropy). Any other output layer's numbers are not probabilities: probs then holds its raw
 * outputs [n][K] and *n_classes is K (rnn_model_predicts_probabilities tells which). probs must
 * hold n * max(2, K) floats. */
int rnn_model_predict(rnn_model *m, const int32_t *x, size_t n, int T, int batch_size,
                      float *probs, int *n_classes, rnn_error *err);
/* Whether rnn_model_predict gives class probabilities (see there); known once a forward ran. */
bool rnn_model_predicts_probabilities(const rnn_model *m);
int rnn_model_n_classes(const rnn_model *m);

/* Finite-difference gradient check of the compiled model's loss on `samples` examples (dropout off). */
typedef struct rnn_gradcheck_row {
    char layer[64], param[32];
    size_t checked;              /* coordinates compared */
    size_t skipped;              /* coordinates where the loss is not smooth within the step */
    double max_rel_error;
} rnn_gradcheck_row;
typedef struct rnn_gradcheck_report {
    int n_rows;
    rnn_gradcheck_row rows[64];
    double max_rel_error;
    double tolerance;
    bool passed;
} rnn_gradcheck_report;
int rnn_model_gradcheck(rnn_model *m, const rnn_xy *data, int samples, unsigned long seed,
                        rnn_gradcheck_report *out, rnn_error *err);

#endif
