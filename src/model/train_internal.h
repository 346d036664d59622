/* Private interface of training: optimizers (optim.c), losses (loss.c), running metrics
 * (metrics.c) and the per-model training state shared by train.c, gradcheck.c and io.c. */
#ifndef RNNLAB_TRAIN_INTERNAL_H
#define RNNLAB_TRAIN_INTERNAL_H
#include <stdint.h>
#include "rnnlab/train.h"

/* ---- optimizers: Keras 3 update rules, float32 like Keras's variables ---- */
/* The order is the save file's numbering: new kinds go at the end. */
typedef enum optim_kind { OPTIM_SGD, OPTIM_RMSPROP, OPTIM_ADAM, OPTIM_ADAGRAD, OPTIM_NADAM, OPTIM_ADAMW } optim_kind;
#define OPTIM_LAST OPTIM_ADAMW
typedef struct optim_config {
    optim_kind kind;
    double learning_rate, momentum, rho, beta_1, beta_2, epsilon;
    double clipnorm, clipvalue;  /* 0 = off; at most one is set (Keras forbids both) */
    bool nesterov;
    double weight_decay;         /* 0 = off: w -= w * weight_decay * lr before each update (AdamW 0.004) */
    double initial_accumulator;  /* Adagrad's initial_accumulator_value (0.1) */
} optim_config;
/* Moment slots live in their own blocks, parallel to the model's parameter block. */
typedef struct optim {
    optim_config cfg;
    size_t n;                    /* floats per slot (= model parameters) */
    int n_slots;                 /* SGD: momentum (if momentum != 0); RMSprop: velocity [, momentum];
                                    Adam: m, v */
    float *slot[2];
    int64_t iterations;          /* steps applied (Keras optimizer.iterations) */
    float u_product;             /* Nadam: prod of beta_1 (1 - 0.5 * 0.96^s) over steps s <= u_steps */
    int64_t u_steps;
} optim;
const char *optim_kind_name(optim_kind k);            /* "adam", "rmsprop", "sgd", "adagrad", "nadam", "adamw" */
/* Resolves Keras's defaults (NAN fields) and validates; errors name the argument. */
int optim_config_from_opts(const rnn_compile_opts *o, optim_config *c, rnn_error *err);
int optim_init(optim *o, const optim_config *c, size_t n, rnn_error *err);
void optim_free(optim *o);
/* The state compile leaves: no step taken, moments at their initial values. */
void optim_reset(optim *o);
/* clipnorm (per variable: g *= clipnorm / max(||g||, clipnorm)) or clipvalue, in place on g[n]. */
void optim_clip(const optim_config *c, float *g, size_t n);
/* One variable's update: w[n] from g[n]; its moments start at float offset `off` of each slot.
 * Uses iterations + 1 as Keras's local step. */
void optim_update(optim *o, float *w, const float *g, size_t off, size_t n);
/* Ends a step (iterations += 1) once every variable was updated. */
void optim_step_done(optim *o);
/* Row-sparse updates (an Embedding's gradient: rows of row_len floats, only `rows` non-zero).
 * Exact for RMSprop without momentum, whose update leaves a row without gradient where it is and
 * only decays its velocity (v = rho v): those decays wait in stamp[row] (the iteration up to which
 * the row's velocity is current) and are applied, one multiplication per skipped step as the dense
 * update would, when the row next has a gradient or on optim_flush_rows. */
bool optim_rows_exact(const optim *o);
void optim_update_rows(optim *o, float *w, const float *g, size_t off, int row_len, const int32_t *rows,
                       long n_rows, int64_t *stamp);
/* Brings every row's velocity up to date (before anything reads the slots, or a dense update). */
void optim_flush_rows(optim *o, size_t off, int row_len, size_t total_rows, int64_t *stamp);

/* ---- losses: mean over the batch, Keras epsilon clipping (1e-7) ---- */
typedef enum loss_kind { LOSS_BINARY_CE, LOSS_SPARSE_CCE, LOSS_CCE } loss_kind;
#define LOSS_EPSILON 1e-7
int loss_parse(const char *name, loss_kind *out, rnn_error *err);
const char *loss_name(loss_kind k);
/* probs [B][K] (sigmoid outputs when K == 1, else softmax rows), integer labels y[B]
 * (one-hot targets built from them for K > 1). Returns the mean loss; when grad is non-NULL
 * writes dL/dprobs [B][K]. A non-finite output gives a non-finite loss. */
double loss_batch(loss_kind k, const float *probs, const int *y, int B, int K, float *grad);
/* The loss of the model's last forward (probs is its output): from the output layer's logits when
 * they pair with the loss (sigmoid with binary, softmax with categorical cross-entropy), as Keras
 * on TensorFlow; else loss_batch. With grad, *from_logits tells whether grad is the gradient of
 * the logits or of the outputs; loss_model_backward takes it from there. */
/* With from_logits (compile's loss=...(from_logits=True)), out is the logits and the loss applies
 * the link itself (TF's sigmoid/softmax cross-entropy with logits); grad is then of out, and
 * *grad_of_logits false. sw [B]: per-sample weights (fit's class_weight) or NULL: the loss is then
 * sum(sw_b loss_b) / B (Keras's sum_over_batch_size), and so is its gradient. */
double loss_model_batch(loss_kind k, bool from_logits, const rnn_model *m, const float *out, const int *y,
                        const float *sw, int B, int K, float *grad, bool *grad_of_logits);
/* The probabilities of a batch of outputs out [B][K]: out itself, or with from_logits the loss's
 * link (sigmoid, or softmax over each row) written into buf [B][K]. */
const float *loss_probabilities(loss_kind k, bool from_logits, const float *out, int B, int K, float *buf);
/* Parses a loss given as a name or a Keras call ("BinaryCrossentropy(from_logits=True)",
 * "tf.keras.losses.binary_crossentropy"); *from_logits is set when the call gives it. */
int loss_parse_call(const char *text, loss_kind *out, bool *from_logits, rnn_error *err);
int loss_model_backward(rnn_model *m, const float *grad, bool from_logits, rnn_error *err);

/* ---- running metrics over an epoch (Keras's stateful metrics) ---- */
typedef enum metric_kind { METRIC_ACCURACY, METRIC_PRECISION, METRIC_RECALL, METRIC_AUC } metric_kind;
#define METRIC_AUC_THRESHOLDS 200
/* With sample weights (fit's class_weight) every count below is a sum of weights, as Keras's
 * metrics take sample_weight; without, each sample weighs 1. */
typedef struct metric_acc {
    double loss_sum;             /* sum of batch_loss * batch size */
    size_t n;                    /* samples seen */
    double weight;               /* their weights' sum */
    double correct;              /* accuracy: weight of the correct ones */
    double tp, fp, fn;           /* precision/recall at threshold 0.5 */
    /* AUC: items by how many of the 200 thresholds they exceed, for positives and negatives */
    double above_pos[METRIC_AUC_THRESHOLDS + 1], above_neg[METRIC_AUC_THRESHOLDS + 1];
} metric_acc;
/* Parses one metric name (accuracy, acc, precision, recall, auc; case-insensitive) into its kind
 * and its history name (Keras keeps 'acc' as 'acc'). */
int metric_parse(const char *name, metric_kind *kind, char hist_name[32], rnn_error *err);
void metric_acc_reset(metric_acc *a);
/* sw [B]: the samples' weights, or NULL (all 1). */
void metric_acc_update(metric_acc *a, const float *probs, const int *y, const float *sw, int B, int K,
                       double batch_loss, bool track_auc);
double metric_acc_loss(const metric_acc *a);
double metric_acc_value(const metric_acc *a, metric_kind k);

/* ---- per-model training state ---- */
#define TRAIN_MAX_METRICS 8
#define TRAIN_NO_SLOT ((size_t)-1)
/* A fit's message to the caller (rnn_fit_opts.warn or .note), formatted; nothing when tell is NULL. */
void train_tell(void (*tell)(const char *msg, void *user), void *user, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define TRAIN_MAX_GROUPS 8       /* parameter groups (Keras variables) of one layer */
/* A layer's Keras variables: names and sizes in parameter order; returns their count. A layer
 * kind without usable groups is one variable, "weights". */
int train_param_groups(const rnn_layer *l, const char *names[TRAIN_MAX_GROUPS], size_t sizes[TRAIN_MAX_GROUPS]);
typedef struct train_var {
    size_t off, n;               /* float offset into the parameter block, size */
    size_t layer;                /* index of the layer that owns it (trainable flag) */
    size_t slot_off;             /* offset of its moments; TRAIN_NO_SLOT: frozen at compile */
    int64_t *row_stamp;          /* row-sparse updates (optim_update_rows): per row, or NULL */
    int row_len;                 /* floats per row of row_stamp */
} train_var;
typedef struct train_state {
    optim opt;
    loss_kind loss;
    bool from_logits;            /* the outputs are logits: loss, metrics and predict apply the link */
    int n_metrics;
    metric_kind metric[TRAIN_MAX_METRICS];
    char metric_name[TRAIN_MAX_METRICS][32];
    size_t n_params, n_layers;   /* of the model when compiled (a changed model needs compile) */
    size_t n_slot_floats;        /* trainable floats at compile: the moments' length (Keras builds
                                    optimizer variables for trainable weights only) */
    int n_vars;
    train_var *vars;             /* one per Keras variable (layer parameter group) */
} train_state;
/* The model's state, NULL when not compiled (or the model changed since compile). */
train_state *train_state_get(const rnn_model *m);
/* Compiles from a resolved optimizer config (used by rnn_model_compile and by model loading). */
/* Applies every pending row decay (see optim_update_rows): call before reading the optimizer's
 * slots. The optimizer's state is the same, only written out in full. */
void train_flush_rows(train_state *st);
int train_compile_config(rnn_model *m, const optim_config *oc, loss_kind loss, bool from_logits, int n_metrics,
                         const metric_kind *metric, char names[][32], rnn_error *err);
/* Loss and metrics of the compiled model over data (dropout off). */
int train_evaluate(rnn_model *m, train_state *st, const int32_t *x, const int *y, const size_t *rows,
                   size_t n, int T, int batch_size, metric_acc *acc, rnn_error *err);
/* EarlyStopping exactly as Keras 3 (keras/src/callbacks/early_stopping.py), for fit's
 * early_stopping= and the EarlyStopping callback: |min_delta|, the first monitored epoch's weights
 * kept as best before comparing, an improvement resets the wait only when it also beats the
 * baseline (NAN: none), stop once wait >= patience after epoch 0; at the end of training the best
 * weights are restored whenever they were kept (also when the epochs ran out). */
typedef struct early_stop {
    bool minimize, restore;
    double min_delta, best, baseline;
    int patience, wait, best_epoch;
    bool monitored;              /* an epoch was seen */
    float *best_weights;         /* the trained weights (train_keep_new), from the first monitored
                                    epoch on (restore only) */
} early_stop;
void early_stop_setup(early_stop *es, bool minimize, double min_delta, int patience, bool restore, double baseline);
/* After epoch e (0-based within the fit) with the monitored value; true = stop training. *keep: this
 * epoch's weights are to be kept as the best (restore only). */
bool early_stop_epoch_end(early_stop *es, int e, double current, bool *keep);
/* early_stop_epoch_end, keeping the model's trained weights when they become the best. */
bool early_stop_after_epoch(early_stop *es, rnn_model *m, const train_state *st, int e, double current);
/* At the end of training: the kept best weights back into the model (then freed); their epoch
 * (0-based in the fit), or -1 when none were kept. */
int early_stop_restore(early_stop *es, rnn_model *m, const train_state *st);
/* The stop reason of an early stop on monitor (base: epochs before the fit). */
void early_stop_reason(const early_stop *es, const char *monitor, int base, char *buf, size_t n);
/* Keras's direction of a monitored quantity (MonitorCallback._set_monitor_op): -1 for a loss (down),
 * 1 for accuracy, precision, recall and auc (up), 0 when unknown (callbacks.c). */
int callbacks_monitor_direction(const char *monitor);
/* The weights a fit changes, those of trained variables (frozen layers' stay as they are): what the
 * fault guard and restore_best_weights keep. Their count of floats; a copy of them into kept (keep)
 * or back from it; a new malloc'd copy (NULL when out of memory). */
size_t train_trained_floats(rnn_model *m, const train_state *st);
void train_copy_trained(rnn_model *m, const train_state *st, float *kept, bool keep);
float *train_keep_new(rnn_model *m, const train_state *st);
/* The trained weights into *kept, a new copy when *kept is NULL (left NULL when out of memory). */
void train_keep(rnn_model *m, const train_state *st, float **kept);

/* The callbacks of a fit while it runs (callbacks.c). */
typedef struct callback_run {
    const rnn_callback *cb;
    int col;                     /* history column of the monitor */
    bool minimize;
    double min_delta;            /* signed as Keras compares: negative when minimizing */
    double best;
    int wait, cooldown_counter;  /* ReduceLROnPlateau */
    early_stop es;               /* EarlyStopping */
} callback_run;
/* Checks the callbacks against the fit's history columns (the monitor must be one, its direction
 * known) before anything changes; fills runs[o->n_callbacks]. */
int callbacks_begin(callback_run *runs, const rnn_fit_opts *o, char names[][32], int n_cols, rnn_error *err);
/* After epoch e (0-based in this fit; base = epochs before it) with the history row: runs every
 * callback in order. *stop and reason (n bytes) when one stops training. A failed checkpoint
 * save is an error. */
int callbacks_epoch_end(callback_run *runs, const rnn_fit_opts *o, rnn_model *m, train_state *st,
                        char names[][32], int n_cols, const double *row, int e, int base, bool *stop, char *reason,
                        size_t n, rnn_error *err);
/* At the end of training: the best weights back (EarlyStopping restore_best_weights); returns
 * the restored epoch (0-based in this fit) or -1. Frees the runs' buffers. */
int callbacks_end(callback_run *runs, int n_runs, rnn_model *m);
/* Bytes the callbacks keep during a fit: kept_bytes (the trained weights) per restore_best_weights. */
uint64_t callbacks_bytes(const rnn_fit_opts *o, uint64_t kept_bytes);
/* ---- length-aware batches (bucket.c) ---- */
/* Tokens of a text of T ids: the steps from its first to its last non-zero id. */
int bucket_text_length(const int32_t *row, int T);
/* Copies B rows of x [.][T] (rows[start + i], or start + i when rows is NULL) into xb, and their
 * labels into yb when it is not NULL. With trim, only the steps between the first and the last
 * token of any of these rows (at least one step); else all T. Returns the steps copied: xb is
 * [B][that]. */
int batch_gather(const int32_t *x, const int *y, int T, const size_t *rows, size_t start, int B, bool trim,
                 int32_t *xb, int *yb);
/* The rows (rows[i], or i when rows is NULL; i < n) of x [.][T] in batches of batch_size by text
 * length, the longest batch first (so that the first batch sizes the workspaces for all: they only
 * grow), each in bucket_order_batches's order; batch_size 0: one batch, ascending. A malloc'd array
 * of n row numbers, NULL when out of memory. */
size_t *bucket_order_by_length(const int32_t *x, int T, const size_t *rows, size_t n, int batch_size,
                               rnn_error *err);
/* Each batch of idx[0..n) (rows sorted by length, cut every batch_size) reordered so that its
 * lengths rise then fall: the rows live at a step stay one run, and the halves of the batch that a
 * recurrent layer's two threads take get as much work each. tmp holds batch_size entries. */
void bucket_order_batches(size_t *idx, size_t n, int batch_size, size_t *tmp);
/* Bytes bucket_order_by_length allocates at most (while it sorts). */
uint64_t bucket_order_bytes(size_t n);
/* Texts are sorted by length within windows of this many batches, then cut into batches. Wider
 * windows make batches of closer lengths but less mixed ones: on the IMDB LSTM recipe (5 seeds,
 * trained to early stopping) windows of 32 batches cost 0.56 points of test accuracy against the
 * padded run and 8 batches 0.17, for 3-5% more CPU time an epoch. */
#define BUCKET_WINDOW_BATCHES 8
typedef struct bucket_batch {
    size_t start;                /* first position in the row order */
    int B;
} bucket_batch;
typedef struct bucket_plan {
    int *len;                    /* [n] tokens of each text of the data */
    struct bucket_key *keys;     /* [window] sort scratch, then bucket_order_batches's */
    bucket_batch *batch;         /* [n_batches] an epoch's batches in their order */
    size_t window, n_batches, cap_batches;
} bucket_plan;
/* For the n texts x [n][T], batches of at most batch_size. */
int bucket_plan_init(bucket_plan *p, const int32_t *x, size_t n, int T, int batch_size, rnn_error *err);
void bucket_plan_free(bucket_plan *p);
/* Bytes bucket_plan_init allocates. */
uint64_t bucket_plan_bytes(size_t n, int batch_size);
/* An epoch's batches over the rows idx[0..n) (already shuffled when they should be): sorted by
 * length within each window, cut into batches (each in bucket_order_batches's order), the batches'
 * order shuffled with rng (kept when NULL). Reorders idx. */
void bucket_plan_epoch(bucket_plan *p, size_t *idx, size_t n, int batch_size, rnn_rng *rng);

/* History names of the model's loss and metrics, "loss" first; returns the count. */
int train_metric_names(const train_state *st, const char *prefix, char names[][32], int max);

/* ---- data-parallel steps (parallel.c): NULL or a single-rank comm is one process ---- */
struct rnn_comm;
/* This rank's contiguous part [*lo, *lo + *count) of n rows; the first n % size ranks get one more. */
void par_slice(const struct rnn_comm *c, size_t n, size_t *lo, size_t *count);
/* At the start of a shared fit, after its setup (rc): every rank's dropout masks from its own
 * stream (rank 0's as one process's), and one status for all ranks. */
int par_fit_start(rnn_model *m, const rnn_fit_opts *o, int rc, rnn_error *err);
/* One global batch of B rows, this rank holding xb/yb [Bl] of them (sw [Bl]: class_weight's weights or NULL): forward and backward of its
 * part, then *loss (the global batch's mean), acc += every rank's metrics, and the model's
 * gradients summed over the ranks. A stop asked on any rank is set in *stop on all. An error on
 * any rank is returned on every rank with the message of the lowest rank that failed. A
 * non-finite *loss returns RNN_OK before the gradients are summed. */
int par_fit_batch(rnn_model *m, train_state *st, const struct rnn_comm *comm, const int32_t *xb, const int *yb,
                  const float *sw, int Bl, int B, int T, int K, float *grad, bool auc, atomic_int *stop, metric_acc *acc,
                  double *loss, rnn_error *err);
/* train_evaluate with the rows split across the ranks; every rank gets the whole sums. */
int par_evaluate(const struct rnn_comm *comm, rnn_model *m, train_state *st, const int32_t *x, const int *y,
                 const size_t *rows, size_t n, int T, int batch_size, metric_acc *acc, rnn_error *err);

#endif
