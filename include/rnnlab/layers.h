/* The layer-kind interface: every layer kind is one const struct of function pointers
 * (one file per kind in src/layers/), identified by its Keras name, never by a number.
 *
 * Buffer layouts (batch size B, time steps T, features F):
 *   ids input      int32 [B][T]   (batch-major, as padded data)
 *   sequence       float [T][B][F] (time-major)
 *   vector         float [B][F]
 * A mask, when present, is uint8 [T][B] (1 = real step), produced by Embedding(mask_zero=True)
 * and consumed by recurrent and pooling layers.
 *
 * A new kind: src/layers/NAME.c defines `const rnn_layer_kind rnn_NAME_kind` with designated
 * initialisers (the required operations, and any optional one it needs; the model never asks
 * which kind a layer is, only what its kind provides), declared in the list at the end of this
 * header and listed in the registry table (src/layers/registry.c). Kinds that differ only in
 * configure may share one table (LAYER_KIND_OF in src/layers/layer_util.h). A recurrent cell
 * on the shared driver is an rnn_cell (src/layers/rnn_common.h) and its kind RNN_REC_KIND(...).
 * doc/CONTRIBUTING.md lists every file a new kind touches.
 */
#ifndef RNNLAB_LAYERS_H
#define RNNLAB_LAYERS_H
#include "rnnlab/common.h"
#include "rnnlab/tensor.h"
#include "rnnlab/call.h"

/* Shape without the batch dimension. rank 1: {F}; rank 2: {T, F}; T may be -1 (None).
 * The model input (ids) has rank 1 {T} and is_ids set. */
typedef struct rnn_shape {
    int rank;
    int dim[3];
    bool is_ids;
} rnn_shape;
/* Keras's rendering with the batch dimension: "(None, None, 32)", "(None, 500, 32)", "(None, 1)". */
char *rnn_shape_str(rnn_shape s, char *buf, size_t n);

/* What `add` may need beyond the call itself. */
typedef struct rnn_add_ctx {
    const rnn_fmatrix *pretrained;  /* from `embeddings load`, for weights=pretrained; may be NULL */
    int data_length;                /* length the data is padded to, that Input(shape=(T,)) must
                                     * match; 0 = no padded data */
    const uint64_t *saved_params;   /* open: the parameter count the save file gives the layer,
                                     * checked before anything is allocated for it; may be NULL */
} rnn_add_ctx;

/* Per-call context of forward. */
typedef struct rnn_fwd {
    int B, T;               /* batch size and time steps of this batch */
    bool training;          /* dropout active */
    rnn_rng *rng;           /* dropout masks (training only) */
    const uint8_t *mask;    /* [T][B] or NULL */
    bool dy_is_logits;      /* backward of the output layer: dy is the gradient of its logits
                             * (pre-activation), as rnn_layer_kind.logits gave them */
    /* When the input's rows are rows of the Embedding's table (rnn_layer.in_table_rows): the
     * model's ids [B][T] and that table ([in_table_rows][F]); row (t, b) of x is table[ids[b][t]].
     * A layer may compute what a row alone decides once per table row. NULL otherwise (also in
     * training when layers between scale the rows: rnn_layer_kind.identity_outside_training). */
    const int32_t *ids;
    const float *table;
    /* Set by the model on the Embedding and the layer after it when that layer reads its input
     * through ids and table alone (rnn_layer_kind.reads_rows_by_id): the Embedding writes no rows,
     * and the input gradient is by id: dx [U][F], a row for each of the batch's U distinct ids in
     * ascending order (the Embedding adds each to its table row). */
    bool rows_by_id;
    /* With rows_by_id, on the Embedding: those U distinct ids, ascending, as the reading layer
     * indexed them (rnn_layer_kind.reads_rows_by_id; valid until the next forward): the rows its
     * gradient by id goes to. */
    const int32_t *distinct_ids;
    int n_distinct;
} rnn_fwd;

/* How an output layer turns logits into its outputs (rnn_layer_kind.logits). */
typedef enum rnn_out_act { RNN_OUT_NONE, RNN_OUT_SIGMOID, RNN_OUT_SOFTMAX } rnn_out_act;

typedef struct rnn_layer rnn_layer;
typedef struct rnn_layer_kind {
    const char *name;       /* Keras class name: "LSTM" */
    const char *prefix;     /* auto-name prefix: "lstm" -> lstm, lstm_1, ... */
    /* Reads and validates the call's arguments into l->cfg (allocated by the kind). */
    int (*configure)(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err);
    /* Given l->in, sets l->out and l->n_params (all trainable when l->trainable); shape errors name the layer. */
    int (*build)(rnn_layer *l, rnn_error *err);
    /* Keras default initialisation of l->params (pretrained weights copied here too); fails only
     * when its scratch cannot be allocated (RNN_EINTERNAL). */
    int (*init)(rnn_layer *l, rnn_rng *rng, rnn_error *err);
    /* Sizes workspaces for batches up to B of length T (called before forward when B or T grow). */
    int (*reserve)(rnn_layer *l, int B, int T, rnn_error *err);
    /* y = f(x). x/y layouts per the shapes above. Must keep what backward needs. */
    void (*forward)(rnn_layer *l, const rnn_fwd *f, const void *x, float *y);
    /* Given dy (same layout as y), ADDS parameter gradients into l->grads and WRITES dx
     * (dx is NULL for the first layer / ids input, and whenever no earlier layer has trainable
     * parameters, e.g. after a frozen Embedding: then skip computing it). Uses the state kept by
     * the last forward. With trainable false, add nothing into l->grads. */
    void (*backward)(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx);
    /* Output mask given the input mask (NULL: layer passes the input mask through unchanged
     * for sequence outputs and drops it for vector outputs). */
    const uint8_t *(*out_mask)(rnn_layer *l, const rnn_fwd *f, const void *x);
    /* Canonical Keras call text for save files and `summary` tooltips, e.g. "LSTM(32, return_sequences=True)". */
    int (*describe)(const rnn_layer *l, char *buf, size_t n);
    /* Layer-specific parameter names and sizes for gradcheck/reporting: returns count,
     * fills names[i] (static strings) and sizes[i] (floats) in parameter order. */
    int (*param_groups)(const rnn_layer *l, const char **names, size_t *sizes, int max);
    void (*destroy)(rnn_layer *l);  /* frees cfg and workspaces */
    /* Optional (NULL: none). When the layer's output is sigmoid or softmax of logits, returns the
     * logits of the last forward ([rows][units], as y) and sets *act; else NULL. The loss then
     * works on the logits, as Keras on TensorFlow does, and backward gets dy_is_logits. */
    const float *(*logits)(const rnn_layer *l, rnn_out_act *act);
    /* Optional (NULL: none). Bytes of the workspaces reserve(l, B, T) allocates for batches of B x T
     * on a layer that has none yet (the model counts the activation buffers between layers), at
     * the layer's thread count: what memory estimates are made of. */
    size_t (*workspace_bytes)(const rnn_layer *l, int B, int T);
    /* Optional (NULL: none). Bytes of scratch init allocates (and frees before it returns). */
    size_t (*init_bytes)(const rnn_layer *l);

    /* What the model asks of a kind besides the operations above (each optional): */
    /* The kind takes the model's token ids (ids input, int32 [B][T]) rather than floats: the one
     * kind a model may start with. */
    bool takes_ids;
    /* Optional (NULL: any id goes). Checks the ids [B][T] of a batch before forward: RNN_EDATA
     * naming the layer and the first id out of range. */
    int (*check_ids)(const rnn_layer *l, const int32_t *ids, size_t B, int T, rnn_error *err);
    /* Optional (NULL: all of l->grads is cleared). Clears l->grads before the next batches. */
    void (*zero_grad)(rnn_layer *l);
    /* Optional (NULL: dense gradient). See rnn_layer_sparse_rows. */
    long (*sparse_rows)(const rnn_layer *l, const int32_t **rows, int *row_len);
    /* Optional (NULL: no). Whether the layer's output mask marks the ids 0 as padding (Embedding
     * with mask_zero=True): steps that are padding in every row then change nothing downstream in
     * layers that honour the mask. */
    bool (*masks_padding)(const rnn_layer *l);
    /* Optional, with sparse_rows: counts rows as touched whose gradient was added by someone else
     * than backward (other processes' parts of a batch). */
    void (*sparse_rows_mark)(rnn_layer *l, const int32_t *rows, long n);
    /* The layer's outputs at steps its input mask marks as padding reach no later output
     * (recurrent layers carry their state over them; step-wise layers keep each step apart). */
    bool honours_mask;
    /* Element-wise kinds that may write y over x and dx over dy (Dropout, SpatialDropout1D): the
     * model then gives them the buffers of their neighbours where it can. */
    bool in_place;
    /* backward never reads the output buffer forward wrote (Embedding, the recurrent kinds): an
     * in_place layer after it may write over that buffer. */
    bool output_unread_by_backward;
    /* forward's output row (t, b) is row ids[b][t] of l->params, out.dim[1] floats a row (the
     * Embedding): the model then tells the next layer (rnn_layer.in_table_rows, rnn_fwd.ids). */
    bool out_table_rows;
    /* forward is the identity outside training (Dropout, SpatialDropout1D): a layer after the
     * Embedding and such layers reads the table's rows by id in inference; with rnn_fwd.rows_by_id
     * forward writes nothing (the rows were never written). */
    bool identity_outside_training;
    /* Optional (NULL: no). Given f with ids and table (and B, T, training, rng), whether forward and
     * backward would read the input through them alone and can give the input gradient by id:
     * the model then sets f->rows_by_id (see rnn_fwd) and calls forward with the same f next (the
     * layer may keep what it learnt of the ids for it). When it would, it also sets
     * f->distinct_ids and f->n_distinct to the batch's distinct ids, ascending (the model hands them
     * to the Embedding's backward). */
    bool (*reads_rows_by_id)(rnn_layer *l, rnn_fwd *f);
    /* The kind does not support masking (Keras's supports_masking is False): a mask that reaches it
     * ends there, and Keras warns that later layers do not see it. */
    bool drops_mask;
    /* Recurrent kinds on the shared time-loop driver: their cell (gates, step kernels: private to
     * src/layers/rnn_common.h); NULL for the others. Bidirectional wraps any kind that has one. */
    const struct rnn_cell *cell;
    /* Optional (NULL: T). Time steps of the output for an input of T steps (sequence to sequence
     * layers that shorten it: Conv1D, MaxPooling1D); below 1 when the input is too short. */
    int (*out_steps)(const rnn_layer *l, int T);
    /* The keyword arguments the kind's call takes (NULL-terminated; beside name=, trainable=, dtype=),
     * what completion offers inside the call. */
    const char *const *keys;
} rnn_layer_kind;

struct rnn_layer {
    const rnn_layer_kind *kind;
    char name[64];          /* "lstm_1" */
    void *cfg;              /* kind-specific configuration and workspace */
    rnn_shape in, out;
    size_t n_params;        /* all parameters (Keras "Param #") */
    bool trainable;         /* false: frozen (non-trainable params in summary, no gradient step) */
    float *params;          /* view into the model's parameter block (n_params floats); the model
                             * re-points it when layers are added or popped, so derive sub-views
                             * (e.g. inner layers) from it on every call rather than caching them */
    float *grads;           /* view into the model's gradient block */
    int threads;            /* worker threads this layer may use */
    int in_table_rows;      /* > 0: the input's rows are rows of the Embedding's table of this many
                             * rows, right before the layer or through layers that are the identity
                             * outside training (set by the model before build), else 0 */
    rnn_layer *inner;       /* wrapped layer(s) for Bidirectional: inner[0] forward, inner[1] backward */
    const char *note;       /* static one-line note for the user about how the call was read (an alias
                             * such as CuDNNLSTM runs as LSTM), or NULL */
};

/* Registry: every kind, and lookup by Keras name (case-sensitive, as Keras). */
const rnn_layer_kind *rnn_layer_kind_find(const char *name);
const rnn_layer_kind *const *rnn_layer_kinds(size_t *n);
/* Other names of the kinds, as Keras has them (GlobalMaxPool1D, CuDNNLSTM, ...): count in *n. */
const char *const *rnn_layer_aliases(size_t *n);
/* Keyword arguments of the layer a call named `name` makes (kind or alias); NULL if unknown. */
const char *const *rnn_layer_keys(const char *name);
/* Sparse gradients (Embedding): sets *rows to the distinct rows of l->grads (each *row_len floats)
 * that backward passes touched since the last rnn_layer_zero_grad, and returns their count; every
 * other row of l->grads is zero. Returns -1 (dense gradient) for kinds without sparse_rows.
 * Optimizers may update only these rows. */
long rnn_layer_sparse_rows(const rnn_layer *l, const int32_t **rows, int *row_len);
/* Counts rows as touched (kinds with sparse_rows_mark; no-op for others): rows whose gradient was
 * summed in from other processes' batches, for the optimizer's row update and the next zero_grad. */
void rnn_layer_sparse_rows_mark(rnn_layer *l, const int32_t *rows, long n);
/* Clears the layer's gradients (the kind's zero_grad, else all of l->grads). */
void rnn_layer_zero_grad(rnn_layer *l);
/* Checks a batch of token ids [B][T] against the layer (the kind's check_ids; RNN_OK without one). */
int rnn_layer_check_ids(const rnn_layer *l, const int32_t *ids, size_t B, int T, rnn_error *err);
/* Time steps of l's output for an input of T steps (T itself for most kinds; below 1 when T is
 * too short for the layer's window). */
int rnn_layer_out_steps(const rnn_layer *l, int T);
/* Creates and configures a layer (not yet built) from a parsed call. Aliases (GlobalMaxPool1D,
 * CuDNNLSTM, ...) create the kind they stand for and set l->note when the user should know. */
int rnn_layer_create(const rnn_call *call, const rnn_add_ctx *ctx, rnn_layer **out, rnn_error *err);
void rnn_layer_destroy(rnn_layer *l);

/* The kinds (defined one per file in src/layers/). */
extern const rnn_layer_kind rnn_embedding_kind, rnn_simple_rnn_kind, rnn_lstm_kind, rnn_gru_kind,
    rnn_bidirectional_kind, rnn_dropout_kind, rnn_spatial_dropout1d_kind, rnn_dense_kind,
    rnn_flatten_kind, rnn_global_max_pooling1d_kind, rnn_global_average_pooling1d_kind,
    rnn_conv1d_kind, rnn_max_pooling1d_kind, rnn_average_pooling1d_kind, rnn_activation_kind;

#endif
