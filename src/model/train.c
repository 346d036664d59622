/* compile / fit / evaluate / predict with Keras 3 semantics (keras/src/trainers/trainer.py,
 * keras/src/callbacks/early_stopping.py). */
#include "config.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "rnnlab/comm.h"
#include "rnnlab/tensor.h"
#include "model/train_internal.h"
#include "core/vector_kernel.h"

/* ---- the per-model training state (attached to the model, freed with it) ---- */

static void train_state_free(train_state *st)
{
    if (st) {
        optim_free(&st->opt);
        for (int i = 0; i < st->n_vars; i++)
            free(st->vars[i].row_stamp);
        free(st->vars);
        free(st);
    }
}

static void train_state_destroy(void *st) { train_state_free(st); }

/* The state of m regardless of whether the model changed since compile. */
static train_state *state_lookup(const rnn_model *m) { return rnn_model_train_state(m); }

static int state_attach(rnn_model *m, train_state *st, rnn_error *err)
{
    (void)err;
    rnn_model_set_train_state(m, st, train_state_destroy);
    return RNN_OK;
}

train_state *train_state_get(const rnn_model *m)
{
    train_state *st = state_lookup(m);
    if (st && (st->n_params != rnn_model_n_params(m) || st->n_layers != rnn_model_n_layers(m)))
        return NULL; /* layers were added or removed since compile: Keras needs compile again too */
    return st;
}

bool rnn_model_is_compiled(const rnn_model *m) { return m && train_state_get(m) != NULL; }

void rnn_compile_opts_default(rnn_compile_opts *o)
{
    memset(o, 0, sizeof *o);
    o->optimizer = "rmsprop"; /* Keras compile()'s default */
    o->learning_rate = o->momentum = o->rho = o->beta_1 = o->beta_2 = o->epsilon = NAN;
    o->clipnorm = o->clipvalue = o->weight_decay = o->initial_accumulator_value = NAN;
    o->nesterov = false;
    o->loss = NULL;
    o->metrics = NULL;
}

/* Output units of the model's last layer, or an error when it is not a vector. */
static int model_output_units(const rnn_model *m, int *K, rnn_error *err)
{
    if (rnn_model_n_layers(m) == 0)
        return rnn_fail(err, RNN_EUSAGE, "the model has no layers");
    rnn_shape s = rnn_model_output_shape(m);
    if (s.rank != 1 || s.is_ids || s.dim[0] < 1) {
        char buf[64];
        return rnn_fail(err, RNN_EUSAGE, "the model's output %s is not one vector per example "
                        "(end with Dense(1, activation='sigmoid') or Dense(N, activation='softmax'))",
                        rnn_shape_str(s, buf, sizeof buf));
    }
    *K = s.dim[0];
    return RNN_OK;
}

int train_param_groups(const rnn_layer *l, const char *names[TRAIN_MAX_GROUPS], size_t sizes[TRAIN_MAX_GROUPS])
{
    size_t sum = 0;
    int ng = l->kind->param_groups ? l->kind->param_groups(l, names, sizes, TRAIN_MAX_GROUPS) : 0;
    for (int g = 0; g < ng; g++)
        sum += sizes[g];
    if (ng <= 0 || sum != l->n_params) { /* no usable groups: the layer is one variable */
        ng = 1;
        names[0] = "weights";
        sizes[0] = l->n_params;
    }
    return ng;
}

/* One train_var per Keras variable (each layer's parameter groups). */
static int state_build_vars(rnn_model *m, train_state *st, rnn_error *err)
{
    size_t nl = rnn_model_n_layers(m), cap = 0;
    float *base = rnn_model_params(m);
    for (size_t i = 0; i < nl; i++)
        cap += TRAIN_MAX_GROUPS;
    st->vars = calloc(cap ? cap : 1, sizeof *st->vars);
    if (!st->vars)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    for (size_t i = 0; i < nl; i++) {
        rnn_layer *l = rnn_model_layer(m, i);
        if (l->n_params == 0)
            continue;
        const char *names[TRAIN_MAX_GROUPS];
        size_t sizes[TRAIN_MAX_GROUPS];
        int ng = train_param_groups(l, names, sizes);
        size_t off = (size_t)(l->params - base);
        for (int g = 0; g < ng; g++) {
            size_t slot = l->trainable ? st->n_slot_floats : TRAIN_NO_SLOT;
            st->vars[st->n_vars++] = (train_var){.off = off, .n = sizes[g], .layer = i, .slot_off = slot};
            if (l->trainable)
                st->n_slot_floats += sizes[g];
            off += sizes[g];
        }
    }
    return RNN_OK;
}

int train_compile_config(rnn_model *m, const optim_config *oc, loss_kind loss, bool from_logits, int n_metrics,
                         const metric_kind *metric, char names[][32], rnn_error *err)
{
    int K, rc;
    if ((rc = model_output_units(m, &K, err)))
        return rc;
    if (loss != LOSS_BINARY_CE && K < 2)
        return rnn_fail(err, RNN_EUSAGE, "loss=%s needs an output of 2 or more units (one per "
                        "class) but the model has 1; use binary_crossentropy with a sigmoid output",
                        loss_name(loss));
    train_state *st = calloc(1, sizeof *st);
    if (!st)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    st->loss = loss;
    st->from_logits = from_logits;
    st->n_metrics = n_metrics;
    for (int i = 0; i < n_metrics; i++) {
        st->metric[i] = metric[i];
        memcpy(st->metric_name[i], names[i], 32);
    }
    st->n_params = rnn_model_n_params(m);
    st->n_layers = rnn_model_n_layers(m);
    if ((rc = state_build_vars(m, st, err)) || (rc = optim_init(&st->opt, oc, st->n_slot_floats, err)) ||
        (rc = state_attach(m, st, err))) {
        train_state_free(st);
        return rc;
    }
    return RNN_OK;
}

/* Splits "accuracy, precision" (brackets and quotes of a pasted Python list are ignored). */
static int parse_metric_list(const char *list, int *n, metric_kind *kinds, char names[][32], rnn_error *err)
{
    *n = 0;
    if (!list)
        return RNN_OK;
    const char *p = list;
    while (*p) {
        while (*p && strchr(" \t,[]'\"", *p))
            p++;
        const char *s = p;
        while (*p && !strchr(" \t,[]'\"", *p))
            p++;
        if (p == s)
            continue;
        char word[32];
        snprintf(word, sizeof word, "%.*s", (int)(p - s), s);
        if (*n == TRAIN_MAX_METRICS)
            return rnn_fail(err, RNN_EUSAGE, "metrics: at most %d metrics", TRAIN_MAX_METRICS);
        int rc = metric_parse(word, &kinds[*n], names[*n], err);
        if (rc)
            return rc;
        for (int i = 0; i < *n; i++)
            if (!strcmp(names[i], names[*n]))
                return rnn_fail(err, RNN_EUSAGE, "metrics: '%s' is given twice", names[i]);
        (*n)++;
    }
    return RNN_OK;
}

int rnn_model_compile(rnn_model *m, const rnn_compile_opts *o, rnn_error *err)
{
    optim_config oc;
    loss_kind loss;
    bool from_logits = o->from_logits;
    metric_kind kinds[TRAIN_MAX_METRICS];
    char names[TRAIN_MAX_METRICS][32];
    int n, rc;
    if ((rc = optim_config_from_opts(o, &oc, err)) || (rc = loss_parse_call(o->loss, &loss, &from_logits, err)) ||
        (rc = parse_metric_list(o->metrics, &n, kinds, names, err)))
        return rc;
    return train_compile_config(m, &oc, loss, from_logits, n, kinds, names, err);
}

int train_metric_names(const train_state *st, const char *prefix, char names[][32], int max)
{
    int n = 0;
    if (n < max)
        snprintf(names[n++], 32, "%sloss", prefix);
    for (int i = 0; i < st->n_metrics && n < max; i++)
        snprintf(names[n++], 32, "%s%s", prefix, st->metric_name[i]);
    return n;
}

static bool state_tracks_auc(const train_state *st)
{
    for (int i = 0; i < st->n_metrics; i++)
        if (st->metric[i] == METRIC_AUC)
            return true;
    return false;
}

/* ---- history ---- */

void rnn_history_free(rnn_history *h)
{
    if (h) {
        free(h->values);
        free(h->seconds);
        memset(h, 0, sizeof *h);
        h->best_epoch = -1;
    }
}

double rnn_history_get(const rnn_history *h, int epoch, const char *name)
{
    if (!h || epoch < 0 || epoch >= h->n_epochs)
        return NAN;
    for (int i = 0; i < h->n_metrics; i++)
        if (!strcmp(h->names[i], name))
            return h->values[(size_t)epoch * h->n_metrics + i];
    return NAN;
}

/* An empty history takes any columns; one with epochs must have the same. */
static int history_columns_check(const rnn_history *h, char names[][32], int n, rnn_error *err)
{
    if (!h || h->n_epochs == 0)
        return RNN_OK;
    bool same = h->n_metrics == n;
    for (int i = 0; same && i < n; i++)
        same = !strcmp(h->names[i], names[i]);
    if (!same)
        return rnn_fail(err, RNN_EUSAGE, "this run's history has other columns (compile or "
                        "validation_split changed): start a new run");
    return RNN_OK;
}

/* Sets the columns of an empty history (one with epochs was checked to have them). */
static void history_set_columns(rnn_history *h, char names[][32], int n)
{
    if (h->n_epochs > 0)
        return;
    free(h->values);
    free(h->seconds);
    h->values = NULL;
    h->seconds = NULL;
    h->cap_epochs = 0;
    h->n_metrics = n;
    for (int i = 0; i < n; i++)
        memcpy(h->names[i], names[i], 32);
    h->best_epoch = -1;
}

static int history_append(rnn_history *h, const double *row, double seconds, rnn_error *err)
{
    if (h->n_epochs == h->cap_epochs) {
        int cap = h->cap_epochs ? h->cap_epochs * 2 : 16;
        double *v = realloc(h->values, (size_t)cap * RNN_MAX_METRICS * sizeof *v);
        if (!v)
            return rnn_fail(err, RNN_EINTERNAL, "out of memory for the history");
        h->values = v;
        double *s = realloc(h->seconds, (size_t)cap * sizeof *s);
        if (!s)
            return rnn_fail(err, RNN_EINTERNAL, "out of memory for the history");
        h->seconds = s;
        h->cap_epochs = cap;
    }
    memcpy(h->values + (size_t)h->n_epochs * h->n_metrics, row, (size_t)h->n_metrics * sizeof *row);
    h->seconds[h->n_epochs++] = seconds;
    return RNN_OK;
}

/* ---- batches ---- */

/* Labels must be classes of the output: 0/1 for one sigmoid unit, 0..K-1 otherwise. */
static int check_labels(const int *y, size_t n, int K, rnn_error *err)
{
    int classes = K == 1 ? 2 : K;
    for (size_t i = 0; i < n; i++)
        if (y[i] < 0 || y[i] >= classes)
            return rnn_fail(err, RNN_EDATA, "label %d of example %zu is not a class of the model's "
                            "output (%d unit%s: labels 0..%d)", y[i], i, K, K == 1 ? "" : "s",
                            classes - 1);
    return RNN_OK;
}

typedef struct batch_buf {
    int32_t *x;
    int *y;
    float *grad;
    float *probs;       /* [B][K] the link of logits outputs (from_logits) */
    float *sw;          /* [B] sample weights (class_weight) */
} batch_buf;

static void batch_buf_free(batch_buf *b)
{
    free(b->x);
    free(b->y);
    free(b->grad);
    free(b->probs);
    free(b->sw);
}

static int batch_buf_init(batch_buf *b, int B, int T, int K, rnn_error *err)
{
    b->x = malloc((size_t)B * T * sizeof *b->x);
    b->y = malloc((size_t)B * sizeof *b->y);
    b->grad = malloc((size_t)B * K * sizeof *b->grad);
    b->probs = malloc((size_t)B * K * sizeof *b->probs);
    b->sw = malloc((size_t)B * sizeof *b->sw);
    if (!b->x || !b->y || !b->grad || !b->probs || !b->sw) {
        batch_buf_free(b);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory for a batch of %d", B);
    }
    return RNN_OK;
}

static uint64_t batch_buf_bytes(int B, int T, int K)
{
    return (uint64_t)B * T * sizeof(int32_t) + (uint64_t)B * sizeof(int) + 2 * (uint64_t)B * K * sizeof(float) +
           (uint64_t)B * sizeof(float);
}

/* Keras's class_weight: the weight of each example's class (1 for a class the map leaves out). */
static const float *batch_sample_weights(const rnn_fit_opts *o, const int *y, int B, float *sw)
{
    if (!o || !o->class_weight)
        return NULL;
    for (int b = 0; b < B; b++)
        sw[b] = y[b] >= 0 && y[b] < o->n_class_weight ? (float)o->class_weight[y[b]] : 1.0f;
    return sw;
}

/* Memory of a fit, estimated before it allocates anything: the model's batch buffers at the
 * largest batch (rnn_model_check_memory) and fit's own: the batch copies of training and of
 * validation, the row order, the best weights kept for restore_best_weights and the row stamps of
 * sparse (Embedding) updates. */
static int fit_check_memory(const rnn_model *m, const train_state *st, const rnn_fit_opts *o, int B, int T,
                            int K, size_t n_train, rnn_error *err)
{
    /* the batch buffers, the training order, the last complete epoch's weights (kept against
     * training faults) */
    uint64_t kept = (uint64_t)train_trained_floats((rnn_model *)m, st) * sizeof(float);
    uint64_t extra = 2 * batch_buf_bytes(B, T, K) + (uint64_t)n_train * sizeof(size_t) + kept;
    if (o->early_stopping && o->restore_best_weights)
        extra += kept;
    extra += callbacks_bytes(o, kept);
    if (o->bucket_by_length)
        extra += bucket_plan_bytes(n_train, B);
    for (int i = 0; i < st->n_vars; i++) {
        const int32_t *rows;
        int row_len = 0;
        if (rnn_layer_sparse_rows(rnn_model_layer((rnn_model *)m, st->vars[i].layer), &rows, &row_len) >= 0 &&
            row_len > 0)
            extra += st->vars[i].n / (size_t)row_len * sizeof(int64_t);
    }
    return rnn_model_check_memory(m, B, T, extra, err);
}

/* The order evaluate and predict run texts in: by length when the model skips padding (each batch
 * then runs only the steps its longest text needs, with the same results), else *order = NULL. */
static int eval_order(const rnn_model *m, const int32_t *x, int T, const size_t *rows, size_t n, int batch_size,
                      size_t **order, rnn_error *err)
{
    *order = NULL;
    if (!rnn_model_skips_padding(m) || n < 2)
        return RNN_OK;
    *order = bucket_order_by_length(x, T, rows, n, batch_size, err);
    return *order ? RNN_OK : RNN_EINTERNAL;
}

int train_evaluate(rnn_model *m, train_state *st, const int32_t *x, const int *y, const size_t *rows,
                   size_t n, int T, int batch_size, metric_acc *acc, rnn_error *err)
{
    int K, rc;
    if ((rc = model_output_units(m, &K, err)))
        return rc;
    int Bmax = (size_t)batch_size < n ? batch_size : (int)n;
    if ((rc = rnn_model_check_memory(m, Bmax > 0 ? Bmax : 1, T, batch_buf_bytes(Bmax, T, K) + bucket_order_bytes(n),
                                     err)))
        return rc;
    batch_buf bb;
    size_t *order;
    if ((rc = eval_order(m, x, T, rows, n, Bmax, &order, err)))
        return rc;
    if ((rc = batch_buf_init(&bb, Bmax > 0 ? Bmax : 1, T, K, err))) {
        free(order);
        return rc;
    }
    bool auc = state_tracks_auc(st), trim = rnn_model_skips_padding(m);
    metric_acc_reset(acc);
    for (size_t start = 0; start < n; start += (size_t)Bmax) {
        int B = (int)(n - start < (size_t)Bmax ? n - start : (size_t)Bmax);
        int Tb = batch_gather(x, y, T, order ? order : rows, start, B, trim, bb.x, bb.y);
        const float *out = rnn_model_forward(m, bb.x, B, Tb, false, err);
        if (!out) {
            rc = err ? err->code : RNN_EINTERNAL;
            break;
        }
        double loss = loss_model_batch(st->loss, st->from_logits, m, out, bb.y, NULL, B, K, NULL, NULL);
        metric_acc_update(acc, loss_probabilities(st->loss, st->from_logits, out, B, K, bb.probs), bb.y, NULL, B, K,
                          loss, auc);
    }
    batch_buf_free(&bb);
    free(order);
    return rc;
}

/* ---- fit ---- */

void rnn_fit_opts_default(rnn_fit_opts *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 10;
    o->batch_size = 32;
    o->validation_split = 0;
    o->shuffle = true;
    o->patience = 0;
    o->min_delta = 0;
    o->seed = 0;
}

void early_stop_setup(early_stop *es, bool minimize, double min_delta, int patience, bool restore, double baseline)
{
    memset(es, 0, sizeof *es);
    es->minimize = minimize;
    es->min_delta = fabs(min_delta);
    es->best = es->minimize ? INFINITY : -INFINITY;
    es->baseline = baseline;
    es->patience = patience;
    es->restore = restore;
}

/* Whether current beats reference by more than min_delta in the monitor's direction. */
static bool es_improves(const early_stop *es, double current, double reference)
{
    return es->minimize ? current - -es->min_delta < reference : current - es->min_delta > reference;
}

bool early_stop_epoch_end(early_stop *es, int e, double current, bool *keep)
{
    *keep = es->restore && !es->monitored;  /* Keras: the first monitored epoch's weights */
    if (!es->monitored)
        es->best_epoch = e;
    es->monitored = true;
    es->wait++;
    if (es_improves(es, current, es->best)) {
        es->best = current;
        es->best_epoch = e;
        *keep = es->restore;
        if (isnan(es->baseline) || es_improves(es, current, es->baseline))
            es->wait = 0;
        return false;
    }
    return es->wait >= es->patience && e > 0;
}

bool early_stop_after_epoch(early_stop *es, rnn_model *m, const train_state *st, int e, double current)
{
    bool keep, stop = early_stop_epoch_end(es, e, current, &keep);
    if (keep)
        train_keep(m, st, &es->best_weights);
    return stop;
}

int early_stop_restore(early_stop *es, rnn_model *m, const train_state *st)
{
    if (!es->best_weights)
        return -1;
    train_copy_trained(m, st, es->best_weights, false);
    free(es->best_weights);
    es->best_weights = NULL;
    return es->best_epoch;
}

void early_stop_reason(const early_stop *es, const char *monitor, int base, char *buf, size_t n)
{
    snprintf(buf, n, "early stopping: %s did not improve for %d epoch%s (best %.4f at epoch %d)", monitor, es->wait,
             es->wait == 1 ? "" : "s", es->best, base + es->best_epoch + 1);
}

/* Looks the monitor up among the history columns (-1: no early stopping); errors name the
 * argument. */
static int es_monitor_column(const rnn_fit_opts *o, char names[][32], int n, int *col, rnn_error *err)
{
    *col = -1;
    if (!o->early_stopping || !*o->early_stopping)
        return RNN_OK;
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], o->early_stopping))
            *col = i;
    if (*col < 0) {
        char list[512] = "";
        for (int i = 0; i < n; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
        return rnn_fail(err, RNN_EUSAGE, "early_stopping='%s' is not a quantity of this fit (%s)%s",
                        o->early_stopping, list,
                        strncmp(o->early_stopping, "val_", 4) || o->validation_split > 0 ? ""
                        : "; val_ quantities need validation_split");
    }
    if (o->patience < 0)
        return rnn_fail(err, RNN_EUSAGE, "patience=%d must be >= 0", o->patience);
    return RNN_OK;
}

void train_tell(void (*tell)(const char *msg, void *user), void *user, const char *fmt, ...)
{
    if (!tell)
        return;
    char msg[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tell(msg, user);
}

/* The two data mistakes Keras users make with validation_split: sorted data and a one-class
 * validation part (validation_split takes the last rows before any shuffling). */
static void fit_check_data(const rnn_xy *d, size_t split_at, const rnn_fit_opts *o)
{
    size_t changes = 0;
    int first = d->y[0], distinct = 1;
    bool seen[64] = {false};
    if (first >= 0 && first < 64)
        seen[first] = true;
    for (size_t i = 1; i < d->n; i++) {
        if (d->y[i] != d->y[i - 1])
            changes++;
        if (d->y[i] >= 0 && d->y[i] < 64 && !seen[d->y[i]]) {
            seen[d->y[i]] = true;
            distinct++;
        }
    }
    if (distinct >= 2 && changes == (size_t)distinct - 1 && (o->validation_split > 0 || !o->shuffle))
        train_tell(o->warn, o->user, "the data is ordered by label (each class in one block, first class %d, last class "
                 "%d)%s: shuffle it before fit", first, d->y[d->n - 1],
                 o->validation_split > 0 ? "; validation_split takes the last rows before shuffling"
                 : "; with shuffle=false every batch sees one class");
    if (o->validation_split > 0 && distinct >= 2) {
        bool one = true;
        for (size_t i = split_at + 1; i < d->n && one; i++)
            one = d->y[i] == d->y[split_at];
        if (one)
            train_tell(o->warn, o->user, "the validation part (the last %zu of %zu examples) holds a single class (%d): "
                     "val_ metrics will be misleading", d->n - split_at, d->n, d->y[split_at]);
    }
}

/* Fisher-Yates on idx[n] with the fit's generator. */
static void shuffle_rows(size_t *idx, size_t n, rnn_rng *r)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rnn_rng_uint(r, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

/* Clips and applies the optimizer to every trainable variable, then ends the step. */
/* The rows of v that the last backward touched, when its gradient is row-sparse (an Embedding's)
 * and the optimizer's row update is exact; -1 otherwise. */
static long var_sparse_rows(const rnn_model *m, const train_state *st, const train_var *v,
                            const int32_t **rows, int *row_len)
{
    if (!optim_rows_exact(&st->opt))
        return -1;
    const rnn_layer *l = rnn_model_layer((rnn_model *)m, v->layer);
    long n = rnn_layer_sparse_rows(l, rows, row_len);
    return n >= 0 && *row_len > 0 && v->n == l->n_params && v->n % (size_t)*row_len == 0 ? n : -1;
}

/* Every pending row decay of v into the optimizer's slots. */
static void var_flush_rows(train_state *st, train_var *v)
{
    if (v->row_stamp)
        optim_flush_rows(&st->opt, v->slot_off, v->row_len, v->n / (size_t)v->row_len, v->row_stamp);
}

void train_flush_rows(train_state *st)
{
    for (int i = 0; i < st->n_vars; i++)
        var_flush_rows(st, &st->vars[i]);
}

/* One variable's step: only the touched rows of a row-sparse gradient (see optim_update_rows),
 * else all of it. */
static void apply_var(rnn_model *m, train_state *st, train_var *v, float *w, float *g)
{
    const int32_t *rows;
    int row_len;
    long n_rows = var_sparse_rows(m, st, v, &rows, &row_len);
    if (n_rows >= 0 && !v->row_stamp) {
        size_t n = v->n / (size_t)row_len;
        if ((v->row_stamp = malloc(n * sizeof *v->row_stamp)))
            for (size_t r = 0; r < n; r++)
                v->row_stamp[r] = st->opt.iterations;  /* every row current so far */
        v->row_len = row_len;
    }
    if (n_rows >= 0 && v->row_stamp && row_len == v->row_len) {
        optim_update_rows(&st->opt, w, g, v->slot_off, row_len, rows, n_rows, v->row_stamp);
        return;
    }
    if (v->row_stamp) { /* no longer sparse: bring every row up to date, then dense from here */
        var_flush_rows(st, v);
        free(v->row_stamp);
        v->row_stamp = NULL;
    }
    optim_update(&st->opt, w, g, v->slot_off, v->n);
}

static void apply_gradients(rnn_model *m, train_state *st)
{
    float *w = rnn_model_params(m), *g = rnn_model_grads(m);
    for (int i = 0; i < st->n_vars; i++) {
        train_var *v = &st->vars[i];
        if (v->slot_off == TRAIN_NO_SLOT || !rnn_model_layer(m, v->layer)->trainable)
            continue; /* frozen: neither weights nor moments move */
        optim_clip(&st->opt.cfg, g + v->off, v->n);
        apply_var(m, st, v, w + v->off, g + v->off);
    }
    optim_step_done(&st->opt);
}

/* ---- fit: checks before anything changes, the last finite weights, the epoch loop ---- */

/* What fit derives from its arguments; made and checked before fit changes anything. */
typedef struct fit_plan {
    train_state *st;
    int K, n_cols;
    int Bmax;                    /* the largest batch: batch_size, or every example when fewer */
    size_t n_train, n_val;
    char names[RNN_MAX_METRICS][32];
    int es_col;                  /* history column monitored, -1 = off */
} fit_plan;

/* Bit 31 set for a float whose exponent bits are all ones (Inf or NaN), from its bits b: OR-ed
 * over an array in integer operations, which vectorise where a chain of float tests would not. */
#define FLOAT_NONFINITE_BIT(b) (((b) & 0x7f800000u) + 0x00800000u)

RNN_VECTOR_KERNEL
static bool floats_finite(const float *restrict x, size_t n)
{
    uint32_t any = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, x + i, sizeof b);
        any |= FLOAT_NONFINITE_BIT(b);
    }
    return !(any & 0x80000000u);
}

/* The first layer whose weights hold NaN or Inf, or NULL. */
static const rnn_layer *model_nonfinite_layer(const rnn_model *m)
{
    for (size_t i = 0; i < rnn_model_n_layers(m); i++) {
        const rnn_layer *l = rnn_model_layer((rnn_model *)m, i);
        if (l->n_params && !floats_finite(l->params, l->n_params))
            return l;
    }
    return NULL;
}

/* class_weight: one weight per class the model outputs (K classes, 2 for one sigmoid unit). */
static int check_class_weight(const rnn_fit_opts *o, int K, rnn_error *err)
{
    int classes = K == 1 ? 2 : K;
    if (!o->class_weight)
        return RNN_OK;
    if (o->n_class_weight < 1 || o->n_class_weight > classes)
        return rnn_fail(err, RNN_EUSAGE, "class_weight gives %d weights but the model has %d classes (0 to %d)",
                        o->n_class_weight, classes, classes - 1);
    for (int i = 0; i < o->n_class_weight; i++)
        if (!(isfinite(o->class_weight[i]) && o->class_weight[i] >= 0))
            return rnn_fail(err, RNN_EUSAGE, "class_weight of class %d is %g: expected a number >= 0", i,
                            o->class_weight[i]);
    return RNN_OK;
}

static int fit_plan_make(const rnn_model *m, const rnn_xy *d, const rnn_fit_opts *o, const rnn_history *h,
                         fit_plan *p, rnn_error *err)
{
    int rc;
    memset(p, 0, sizeof *p);
    p->es_col = -1;
    if (!(p->st = train_state_get(m)))
        return rnn_fail(err, RNN_EUSAGE, "the model is not compiled%s: run compile first",
                        state_lookup(m) ? " (layers changed since compile)" : "");
    if ((rc = model_output_units(m, &p->K, err)))
        return rc;
    if (!d || d->n == 0 || d->T <= 0 || !d->x || !d->y)
        return rnn_fail(err, RNN_EUSAGE, "no training data (load, tokenize and pad first)");
    if (o->epochs < 0)
        return rnn_fail(err, RNN_EUSAGE, "epochs=%d must be >= 0", o->epochs);
    if (o->batch_size < 1)
        return rnn_fail(err, RNN_EUSAGE, "batch_size=%d must be >= 1", o->batch_size);
    if (!(o->validation_split >= 0 && o->validation_split < 1))
        return rnn_fail(err, RNN_EUSAGE, "validation_split=%g must be in [0, 1)", o->validation_split);
    if ((rc = check_labels(d->y, d->n, p->K, err)) || (rc = rnn_model_check_input(m, d->x, d->n, d->T, err)) ||
        (rc = check_class_weight(o, p->K, err)))
        return rc;
    const rnn_layer *bad = model_nonfinite_layer(m);
    if (bad)
        return rnn_fail(err, RNN_EDATA, "the weights of layer '%s' hold NaN or Inf before training: "
                        "build the model again (model new, add ...)", bad->name);
    /* Keras: split_at = floor(n * (1 - validation_split)), the last rows validate; validation_data
     * overrides validation_split. */
    size_t split_at = d->n;
    const rnn_xy *vd = o->validation_data;
    if (vd) {
        rnn_error e = {0};
        if (vd->n == 0 || !vd->x || !vd->y || vd->T <= 0)
            return rnn_fail(err, RNN_EUSAGE, "validation_data holds no examples");
        if (check_labels(vd->y, vd->n, p->K, &e) != RNN_OK ||
            rnn_model_check_input(m, vd->x, vd->n, vd->T, &e) != RNN_OK)
            return rnn_fail(err, e.code, "validation_data: %s", e.msg);
    } else if (o->validation_split > 0) {
        split_at = (size_t)floor((double)d->n * (1.0 - o->validation_split));
        if (split_at == 0 || split_at == d->n)
            return rnn_fail(err, RNN_EUSAGE, "%zu example%s %s not enough to split with "
                            "validation_split=%g", d->n, d->n == 1 ? "" : "s", d->n == 1 ? "is" : "are",
                            o->validation_split);
    }
    p->n_train = split_at;
    p->n_val = vd ? vd->n : d->n - split_at;
    p->n_cols = train_metric_names(p->st, "", p->names, RNN_MAX_METRICS);
    if (p->n_val)
        p->n_cols += train_metric_names(p->st, "val_", p->names + p->n_cols, RNN_MAX_METRICS - p->n_cols);
    p->Bmax = (size_t)o->batch_size < d->n ? o->batch_size : (int)d->n;
    if (o->n_callbacks < 0 || (o->n_callbacks > 0 && !o->callbacks))
        return rnn_fail(err, RNN_EUSAGE, "no callbacks given");
    callback_run *runs = o->n_callbacks ? malloc(sizeof *runs * (size_t)o->n_callbacks) : NULL;
    if (o->n_callbacks && !runs)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    rc = callbacks_begin(runs, o, p->names, p->n_cols, err);
    free(runs);
    if (rc)
        return rc;
    if ((rc = history_columns_check(h, p->names, p->n_cols, err)) ||
        (rc = es_monitor_column(o, p->names, p->n_cols, &p->es_col, err)) ||
        (rc = fit_check_memory(m, p->st, o, p->Bmax, d->T, p->K, p->n_train, err)))
        return rc;
    return RNN_OK;
}

int rnn_model_fit_check(const rnn_model *m, const rnn_xy *data, const rnn_fit_opts *o, const rnn_history *hist,
                        rnn_error *err)
{
    fit_plan p;
    if (!m || !o)
        return rnn_fail(err, RNN_EUSAGE, "no model");
    return fit_plan_make(m, data, o, hist, &p, err);
}

typedef struct fit_ctx {
    rnn_model *m;
    train_state *st;
    const rnn_xy *d;
    const rnn_fit_opts *o;
    rnn_history *h;
    int K, n_cols;
    size_t n_train, n_val;
    int batches;                 /* per epoch */
    int base_epoch;              /* epochs in the history before this fit */
    size_t *idx;                 /* training rows in this epoch's order */
    batch_buf bb;
    rnn_rng *shuffle_rng;
    early_stop es;
    int es_col;                  /* history column monitored, -1 = off */
    callback_run *cbr;           /* the Keras callbacks' state, o->n_callbacks */
    char names[RNN_MAX_METRICS][32];   /* the history columns */
    double last_loss;            /* of the last batch */
    long steps;                  /* batches applied by this fit */
    bool stop_after_epoch;       /* a stop asked during an epoch's last batch: the epoch completes */
    float *finite_weights;       /* the trained weights of the last complete epoch (or the fit's start),
                                    checked all finite: what a training fault falls back to */
    const train_var *fault_var;  /* the variable found non-finite, NULL for a non-finite loss */
    bool fault_in_gradient;      /* ... and its last gradient was not finite either */
    bool bucketed;               /* bucket_by_length: the epoch's batches come from bucket */
    bool trim;                   /* batches run only the steps their texts need */
    bucket_plan bucket;
} fit_ctx;

enum fit_report_kind { REPORT_BATCH, REPORT_EPOCH_END, REPORT_PARTIAL };

/* Keras's progress numbers after each batch; returns non-zero when the caller asks to stop. */
static int fit_report(fit_ctx *c, int epoch, int batch, int batches, size_t done, const metric_acc *acc,
                      double batch_loss, double t0, enum fit_report_kind kind)
{
    const rnn_fit_opts *o = c->o;
    rnn_fit_progress p = {0};
    p.epoch = epoch + 1;
    p.epochs = o->epochs;
    p.batch = batch;
    p.batches = batches;
    p.samples_done = done;
    p.samples = c->n_train;
    p.loss = metric_acc_loss(acc);
    p.accuracy = NAN;
    for (int i = 0; i < c->st->n_metrics; i++)
        if (c->st->metric[i] == METRIC_ACCURACY)
            p.accuracy = metric_acc_value(acc, METRIC_ACCURACY);
    p.batch_loss = batch_loss;
    p.elapsed = rnn_now() - t0;
    p.eta = batch && kind == REPORT_BATCH ? p.elapsed / batch * (batches - batch) : 0;
    p.ms_per_step = batch ? p.elapsed * 1000 / batch : 0;
    p.samples_per_s = p.elapsed > 0 ? done / p.elapsed : 0;
    p.epoch_end = kind == REPORT_EPOCH_END;
    p.partial = kind == REPORT_PARTIAL;
    p.history = c->h;
    return o->callback ? o->callback(&p, o->user) : 0;
}

/* Whether a step changes v (apply_gradients skips frozen variables). */
static bool var_is_trained(rnn_model *m, const train_var *v)
{
    return v->slot_off != TRAIN_NO_SLOT && rnn_model_layer(m, v->layer)->trainable;
}

/* Weights are checked and kept once per epoch, at its end: one read and one copy of them per
 * epoch (about 1% of an sms_rnn epoch, whose 431k-float Embedding dwarfs its SimpleRNN(10); far
 * less for the other models). Keeping what each step wrote instead measured 4-5%, the Embedding's
 * sparse update being a good part of that model's step. The loss, checked every batch, catches
 * most faults at the batch after them anyway. */

/* The first trained variable whose weights hold NaN or Inf, or NULL. */
static const train_var *guard_nonfinite_var(fit_ctx *c)
{
    const float *w = rnn_model_params(c->m);
    for (int i = 0; i < c->st->n_vars; i++) {
        const train_var *v = &c->st->vars[i];
        if (var_is_trained(c->m, v) && !floats_finite(w + v->off, v->n))
            return v;
    }
    return NULL;
}

size_t train_trained_floats(rnn_model *m, const train_state *st)
{
    size_t n = 0;
    for (int i = 0; i < st->n_vars; i++)
        if (var_is_trained(m, &st->vars[i]))
            n += st->vars[i].n;
    return n;
}

void train_copy_trained(rnn_model *m, const train_state *st, float *kept, bool keep)
{
    float *w = rnn_model_params(m);
    for (int i = 0; i < st->n_vars; i++) {
        const train_var *v = &st->vars[i];
        if (!var_is_trained(m, v))
            continue;
        if (keep)
            memcpy(kept, w + v->off, v->n * sizeof *kept);
        else
            memcpy(w + v->off, kept, v->n * sizeof *kept);
        kept += v->n;
    }
}

float *train_keep_new(rnn_model *m, const train_state *st)
{
    size_t n = train_trained_floats(m, st);
    float *kept = malloc((n ? n : 1) * sizeof *kept);
    if (kept)
        train_copy_trained(m, st, kept, true);
    return kept;
}

void train_keep(rnn_model *m, const train_state *st, float **kept)
{
    if (*kept)
        train_copy_trained(m, st, *kept, true);
    else
        *kept = train_keep_new(m, st);
}

/* At an epoch's end: its weights become the ones to fall back to when they are all finite; else
 * the first variable that is not is returned, and the kept weights stay. */
static const train_var *guard_epoch_end(fit_ctx *c)
{
    const train_var *bad = guard_nonfinite_var(c);
    if (!bad)
        train_copy_trained(c->m, c->st, c->finite_weights, true);
    return bad;
}

/* The optimizer as compile leaves it (moments zero, no step taken). */
static void optimizer_reset(train_state *st)
{
    optim_reset(&st->opt);
    for (int i = 0; i < st->n_vars; i++) {
        free(st->vars[i].row_stamp);
        st->vars[i].row_stamp = NULL;
    }
}

/* A training fault: back to the kept weights. The optimizer's moments are kept when they are
 * finite, else it starts afresh; returns true in that case. */
static bool guard_restore(fit_ctx *c)
{
    const train_var *v = c->fault_var;
    c->fault_in_gradient = v && !floats_finite(rnn_model_grads(c->m) + v->off, v->n);
    train_copy_trained(c->m, c->st, c->finite_weights, false);
    bool moments_finite = true;
    for (int s = 0; s < c->st->opt.n_slots; s++)
        moments_finite = moments_finite && floats_finite(c->st->opt.slot[s], c->st->opt.n);
    if (!moments_finite)
        optimizer_reset(c->st);
    return !moments_finite;
}

enum fit_outcome { FIT_GO_ON, FIT_INTERRUPTED, FIT_NAN, FIT_FAULT, FIT_ERROR };

/* Rows idx[*start .. *start + *B) make batch b of the epoch. */
static void fit_batch_at(const fit_ctx *c, int b, size_t *start, int *B)
{
    size_t bs = (size_t)c->o->batch_size;
    if (c->bucketed) {
        *start = c->bucket.batch[b].start;
        *B = c->bucket.batch[b].B;
        return;
    }
    *start = (size_t)b * bs;
    *B = (int)(c->n_train - *start < bs ? c->n_train - *start : bs);
}

/* bucket_by_length: the lengths of the training texts, and whether batches may drop steps (the
 * model takes any length). */
static int fit_bucket_setup(fit_ctx *c, rnn_error *err)
{
    if (!c->o->bucket_by_length)
        return RNN_OK;
    c->bucketed = true;
    c->trim = rnn_model_any_length(c->m);
    int rc = bucket_plan_init(&c->bucket, c->d->x, c->n_train, c->d->T, c->o->batch_size, err);
    if (rc || !c->trim)
        return rc;
    /* the batches' lengths vary in a shuffled order: the buffers sized once, for the longest */
    size_t B = (size_t)c->o->batch_size < c->n_train ? (size_t)c->o->batch_size : c->n_train;
    return rnn_model_reserve(c->m, B > 0 ? (int)B : 1, c->d->T, err);
}

/* The epoch's length-aware batches over the (shuffled) training order. */
static void fit_bucket_epoch(fit_ctx *c)
{
    if (c->bucketed)
        bucket_plan_epoch(&c->bucket, c->idx, c->n_train, c->o->batch_size, c->o->shuffle ? c->shuffle_rng : NULL);
}

/* One epoch of training batches; fills acc with the running metrics. */
static enum fit_outcome fit_epoch(fit_ctx *c, int epoch, metric_acc *acc, double t0, int *batch_out,
                                  rnn_error *err)
{
    const rnn_fit_opts *o = c->o;
    int K = c->K;
    bool auc = state_tracks_auc(c->st);
    size_t done = 0;
    metric_acc_reset(acc);
    for (int b = 0; b < c->batches; b++) {
        size_t start;
        int B;
        fit_batch_at(c, b, &start, &B);
        done += (size_t)B;
        double loss;
        if (o->comm && o->comm->size > 1) { /* this rank's part of the batch; gradients summed */
            size_t lo, Bl;
            par_slice(o->comm, (size_t)B, &lo, &Bl);
            int T = batch_gather(c->d->x, c->d->y, c->d->T, c->idx, start + lo, (int)Bl, c->trim, c->bb.x, c->bb.y);
            const float *sw = batch_sample_weights(o, c->bb.y, (int)Bl, c->bb.sw);
            if (par_fit_batch(c->m, c->st, o->comm, c->bb.x, c->bb.y, sw, (int)Bl, B, T, K, c->bb.grad, auc, o->stop,
                              acc, &loss, err))
                return FIT_ERROR;
            *batch_out = b + 1;
            c->last_loss = loss;
            if (!isfinite(loss))
                return FIT_NAN;
            apply_gradients(c->m, c->st);
        } else {
            int T = batch_gather(c->d->x, c->d->y, c->d->T, c->idx, start, B, c->trim, c->bb.x, c->bb.y);
            const float *out = rnn_model_forward(c->m, c->bb.x, B, T, true, err);
            if (!out)
                return FIT_ERROR;
            bool grad_of_logits;
            const float *sw = batch_sample_weights(o, c->bb.y, B, c->bb.sw);
            loss = loss_model_batch(c->st->loss, c->st->from_logits, c->m, out, c->bb.y, sw, B, K, c->bb.grad,
                                    &grad_of_logits);
            *batch_out = b + 1;
            c->last_loss = loss;
            if (!isfinite(loss)) /* before the update */
                return FIT_NAN;
            metric_acc_update(acc, loss_probabilities(c->st->loss, c->st->from_logits, out, B, K, c->bb.probs),
                              c->bb.y, sw, B, K, loss, auc);
            rnn_model_zero_grad(c->m);
            if (loss_model_backward(c->m, c->bb.grad, grad_of_logits, err))
                return FIT_ERROR;
            apply_gradients(c->m, c->st);
        }
        c->steps++;
        int stop = fit_report(c, epoch, b + 1, c->batches, done, acc, loss, t0, REPORT_BATCH);
        if (stop || (o->stop && *o->stop)) {
            if (b + 1 < c->batches)
                return FIT_INTERRUPTED;
            c->stop_after_epoch = true;
        }
    }
    return FIT_GO_ON;
}

/* History row: training metrics, then validation metrics (NAN when not computed). */
static void fit_row(fit_ctx *c, const metric_acc *acc, const metric_acc *val, double *row)
{
    int n = 0;
    row[n++] = metric_acc_loss(acc);
    for (int i = 0; i < c->st->n_metrics; i++)
        row[n++] = metric_acc_value(acc, c->st->metric[i]);
    if (c->n_val) {
        row[n++] = val ? metric_acc_loss(val) : NAN;
        for (int i = 0; i < c->st->n_metrics; i++)
            row[n++] = val ? metric_acc_value(val, c->st->metric[i]) : NAN;
    }
}

/* Everything is checked first (fit_plan_make): on an error there nothing has changed. */
static int fit_setup(fit_ctx *c, rnn_error *err)
{
    const rnn_fit_opts *o = c->o;
    const rnn_xy *d = c->d;
    fit_plan p;
    int rc;
    if ((rc = fit_plan_make(c->m, d, o, c->h, &p, err)))
        return rc;
    c->st = p.st;
    c->K = p.K;
    c->n_train = p.n_train;
    c->n_val = p.n_val;
    c->n_cols = p.n_cols;
    c->es_col = p.es_col;
    c->batches = (int)((c->n_train + o->batch_size - 1) / o->batch_size);
    c->base_epoch = c->h->n_epochs;
    c->idx = malloc(c->n_train * sizeof *c->idx);
    c->shuffle_rng = rnn_rng_new(o->seed);
    c->finite_weights = train_keep_new(c->m, c->st);  /* the fit's start: all finite (checked) */
    if (!c->idx || !c->shuffle_rng || !c->finite_weights)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    if ((rc = batch_buf_init(&c->bb, p.Bmax, d->T, c->K, err)) || (rc = fit_bucket_setup(c, err)))
        return rc;
    history_set_columns(c->h, p.names, p.n_cols);
    memcpy(c->names, p.names, sizeof c->names);
    if (o->n_callbacks) {
        if (!(c->cbr = calloc((size_t)o->n_callbacks, sizeof *c->cbr)))
            return rnn_fail(err, RNN_EINTERNAL, "out of memory");
        if ((rc = callbacks_begin(c->cbr, o, p.names, p.n_cols, err)))
            return rc;
    }
    if (c->es_col >= 0) /* Keras's mode='auto': a loss goes down, the compiled metrics up */
        early_stop_setup(&c->es, callbacks_monitor_direction(o->early_stopping) < 0, o->min_delta, o->patience,
                         o->restore_best_weights, NAN);
    fit_check_data(d, c->n_train, o);
    for (size_t i = 0; i < c->n_train; i++)
        c->idx[i] = i;
    /* Same seed and thread count, same run: shuffling has its own generator, dropout masks come
     * from the model's, both seeded here. */
    rnn_rng_seed(rnn_model_rng(c->m), o->seed ^ 0x5deece66dUL);
    return RNN_OK;
}

static void fit_cleanup(fit_ctx *c)
{
    free(c->idx);
    rnn_rng_free(c->shuffle_rng);
    batch_buf_free(&c->bb);
    free(c->es.best_weights);
    free(c->finite_weights);
    for (int i = 0; c->cbr && i < c->o->n_callbacks; i++)
        free(c->cbr[i].es.best_weights);   /* a fit that failed keeps its weights */
    free(c->cbr);
    bucket_plan_free(&c->bucket);
}

/* The stop reason of a training fault (the kept weights are back in the model). */
static void fit_fault_reason(fit_ctx *c, enum fit_outcome out, int e, int batch, bool optimizer_reset)
{
    char what[160], kept[64], reason[320];
    int epoch = c->base_epoch + e + 1;
    if (out == FIT_NAN)
        snprintf(what, sizeof what, "loss is %s at epoch %d, batch %d", isnan(c->last_loss) ? "NaN" : "infinite",
                 epoch, batch);
    else
        snprintf(what, sizeof what, "weights of layer '%.32s' became NaN or Inf%s in epoch %d (found after batch "
                 "%d)", rnn_model_layer(c->m, c->fault_var->layer)->name,
                 c->fault_in_gradient ? " (so did its gradient)" : "", epoch, batch);
    if (e > 0)
        snprintf(kept, sizeof kept, "weights of epoch %d kept", epoch - 1);
    else
        snprintf(kept, sizeof kept, "weights from before this fit kept");
    snprintf(reason, sizeof reason, "%s: training stopped (%s%s)", what, kept,
             optimizer_reset ? "; optimizer reset" : "");
    snprintf(c->h->stop_reason, sizeof c->h->stop_reason, "%.159s", reason);
}

static bool guard_restore_needed(enum fit_outcome out) { return out == FIT_FAULT || out == FIT_NAN; }

/* An epoch cut short by an interrupt, a training fault or an error: no history row for it. */
static int fit_cut_short(fit_ctx *c, enum fit_outcome out, int e, int batch, const metric_acc *acc, double t0,
                         rnn_error *err)
{
    int epoch = c->base_epoch + e + 1;
    if (out == FIT_ERROR) {
        if (c->steps > 0)
            snprintf(c->h->stop_reason, sizeof c->h->stop_reason, "error at epoch %d, batch %d: training "
                     "stopped", epoch, batch);
        return err ? err->code : RNN_EINTERNAL;
    }
    if (out == FIT_INTERRUPTED && (c->fault_var = guard_nonfinite_var(c)))
        out = FIT_FAULT; /* the weights of the cut epoch are not checked otherwise */
    bool reset = guard_restore_needed(out) && guard_restore(c);
    size_t done = (size_t)batch * (size_t)c->o->batch_size;
    fit_report(c, e, batch, c->batches, done < c->n_train ? done : c->n_train, acc, c->last_loss, t0,
               REPORT_PARTIAL);
    if (out == FIT_INTERRUPTED) {
        snprintf(c->h->stop_reason, sizeof c->h->stop_reason, "interrupted at epoch %d, batch %d/%d (a partial "
                 "epoch, not in the history)", epoch, batch, c->batches);
        return RNN_OK;
    }
    fit_fault_reason(c, out, e, batch, reset);
    return rnn_fail(err, RNN_EDATA, "%s; lower learning_rate or compile with clipnorm=1.0",
                    c->h->stop_reason);
}

/* One epoch: training batches, then validation, the history row and early stopping. *done when
 * training ends with it. */
static int fit_run_epoch(fit_ctx *c, int e, bool *done, rnn_error *err)
{
    const rnn_fit_opts *o = c->o;
    metric_acc acc, val;
    double t0 = rnn_now(), row[RNN_MAX_METRICS];
    int batch = 0, rc;
    if (o->shuffle)
        shuffle_rows(c->idx, c->n_train, c->shuffle_rng);
    fit_bucket_epoch(c);
    enum fit_outcome out = fit_epoch(c, e, &acc, t0, &batch, err);
    if (out == FIT_GO_ON && (c->fault_var = guard_epoch_end(c)))
        out = FIT_FAULT;
    if (out != FIT_GO_ON) {
        *done = true;
        return fit_cut_short(c, out, e, batch, &acc, t0, err);
    }
    bool validated = c->n_val > 0;
    const rnn_xy *vd = o->validation_data;
    if (validated && (rc = par_evaluate(o->comm, c->m, c->st, vd ? vd->x : c->d->x + c->n_train * c->d->T,
                                        vd ? vd->y : c->d->y + c->n_train, NULL, c->n_val, vd ? vd->T : c->d->T,
                                        o->batch_size, &val, err)))
        return rc;
    fit_row(c, &acc, validated ? &val : NULL, row);
    if ((rc = history_append(c->h, row, rnn_now() - t0, err)))
        return rc;
    if (c->stop_after_epoch) {
        snprintf(c->h->stop_reason, sizeof c->h->stop_reason, "interrupted after epoch %d", c->base_epoch + e + 1);
        *done = true;
    } else if (c->es_col >= 0 && early_stop_after_epoch(&c->es, c->m, c->st, e, row[c->es_col])) {
        early_stop_reason(&c->es, o->early_stopping, c->base_epoch, c->h->stop_reason, sizeof c->h->stop_reason);
        *done = true;
    }
    fit_report(c, e, c->batches, c->batches, c->n_train, &acc, NAN, t0, REPORT_EPOCH_END);
    /* after the epoch's line, as Keras prints the callbacks' lines */
    if (c->cbr && !c->stop_after_epoch) {
        bool stop = false;
        char reason[sizeof c->h->stop_reason];
        if ((rc = callbacks_epoch_end(c->cbr, o, c->m, c->st, c->names, c->n_cols, row, e, c->base_epoch, &stop,
                                      reason, sizeof reason, err))) {
            snprintf(c->h->stop_reason, sizeof c->h->stop_reason, "%.150s", err->msg);
            *done = true;
            return rc;
        }
        if (stop && !*done) {
            memcpy(c->h->stop_reason, reason, sizeof reason);
            *done = true;
        }
    }
    return RNN_OK;
}

int rnn_model_fit(rnn_model *m, const rnn_xy *data, const rnn_fit_opts *o, rnn_history *hist,
                  rnn_error *err)
{
    fit_ctx c = {.m = m, .d = data, .o = o, .h = hist};
    int rc = fit_setup(&c, err);
    if (o->comm && o->comm->size > 1)
        rc = par_fit_start(m, o, rc, err);
    if (rc) {
        fit_cleanup(&c);
        return rc;
    }
    hist->stop_reason[0] = '\0';
    bool done = false;
    for (int e = 0; e < o->epochs && !done && rc == RNN_OK; e++)
        rc = fit_run_epoch(&c, e, &done, err);
    int best = early_stop_restore(&c.es, m, c.st);
    if (best >= 0)
        hist->best_epoch = c.base_epoch + best;
    if (c.cbr && rc == RNN_OK) {
        int restored = callbacks_end(c.cbr, o->n_callbacks, m);
        if (restored >= 0)
            hist->best_epoch = c.base_epoch + restored;
    }
    fit_cleanup(&c);
    return rc;
}

/* ---- evaluate / predict ---- */

int rnn_model_evaluate(rnn_model *m, const rnn_xy *data, int batch_size, rnn_eval *out, rnn_error *err)
{
    return rnn_model_evaluate_comm(m, data, batch_size, NULL, out, err);
}

int rnn_model_evaluate_comm(rnn_model *m, const rnn_xy *data, int batch_size, const rnn_comm *comm,
                            rnn_eval *out, rnn_error *err)
{
    train_state *st = train_state_get(m);
    int K, rc;
    if (!st)
        return rnn_fail(err, RNN_EUSAGE, "the model is not compiled: run compile first");
    if ((rc = model_output_units(m, &K, err)))
        return rc;
    if (!data || data->n == 0 || !data->x || !data->y)
        return rnn_fail(err, RNN_EUSAGE, "no data");
    if (batch_size < 1)
        return rnn_fail(err, RNN_EUSAGE, "batch_size=%d must be >= 1", batch_size);
    if ((rc = check_labels(data->y, data->n, K, err)))
        return rc;
    metric_acc acc;
    if ((rc = par_evaluate(comm, m, st, data->x, data->y, NULL, data->n, data->T, batch_size, &acc, err)))
        return rc;
    memset(out, 0, sizeof *out);
    out->n = train_metric_names(st, "", out->names, RNN_MAX_METRICS);
    out->values[0] = metric_acc_loss(&acc);
    for (int i = 1; i < out->n; i++)
        out->values[i] = metric_acc_value(&acc, st->metric[i - 1]);
    return RNN_OK;
}

int rnn_model_n_classes(const rnn_model *m)
{
    if (!m || rnn_model_n_layers(m) == 0)
        return 0;
    rnn_shape s = rnn_model_output_shape(m);
    if (s.rank != 1 || s.is_ids)
        return 0;
    return s.dim[0] == 1 ? 2 : s.dim[0];
}

/* Writes the class probabilities of B outputs out [B][K] into probs rows order[start + b] (start + b
 * when order is NULL). */
/* One batch's outputs into probs, rows in the caller's order: class probabilities (a sigmoid
 * output as {1-p, p}; with from_logits the loss's link applied first), or the raw outputs. */
static void predict_store(const train_state *st, bool as_probs, const float *out, int B, int K, const size_t *order,
                          size_t start, float *probs)
{
    int C = as_probs && K == 1 ? 2 : K;
    for (int b = 0; b < B; b++) {
        float *p = probs + (order ? order[start + b] : start + b) * C;
        const float *o = out + (size_t)b * K;
        if (as_probs && st && st->from_logits)
            o = loss_probabilities(st->loss, true, o, 1, K, p + C - K);  /* in place at the row's end */
        if (C == 2 && K == 1) {
            float q = o[0];
            p[0] = 1 - q;
            p[1] = q;
        } else if (o != p) {
            memcpy(p, o, (size_t)K * sizeof *p);
        }
    }
}

int rnn_model_predict(rnn_model *m, const int32_t *x, size_t n, int T, int batch_size, float *probs,
                      int *n_classes, rnn_error *err)
{
    int K, rc;
    if ((rc = model_output_units(m, &K, err)))
        return rc;
    if (batch_size < 1)
        return rnn_fail(err, RNN_EUSAGE, "batch_size=%d must be >= 1", batch_size);
    if (n_classes)
        *n_classes = K == 1 ? 2 : K;
    /* a model that skips padding runs texts by length, each batch on the steps it needs */
    bool trim = rnn_model_skips_padding(m) && T > 0;
    size_t *order = NULL;
    int32_t *xb = NULL;
    int Bmax = (size_t)batch_size < n ? batch_size : (int)n;
    if (trim && ((rc = eval_order(m, x, T, NULL, n, batch_size, &order, err)) ||
                 !(xb = malloc((size_t)(Bmax > 0 ? Bmax : 1) * T * sizeof *xb)))) {
        free(order);
        return rc ? rc : rnn_fail(err, RNN_EINTERNAL, "out of memory for a batch of %d", Bmax);
    }
    for (size_t start = 0; start < n; start += (size_t)batch_size) {
        int B = (int)(n - start < (size_t)batch_size ? n - start : (size_t)batch_size), Tb = T;
        const int32_t *in = x + start * T;
        if (trim) {
            Tb = batch_gather(x, NULL, T, order, start, B, true, xb, NULL);
            in = xb;
        }
        const float *out = rnn_model_forward(m, in, B, Tb, false, err);
        if (!out) {
            rc = err ? err->code : RNN_EINTERNAL;
            break;
        }
        bool as_probs = rnn_model_predicts_probabilities(m);
        if (n_classes)
            *n_classes = as_probs && K == 1 ? 2 : K;
        predict_store(train_state_get(m), as_probs, out, B, K, order, start, probs);
    }
    free(order);
    free(xb);
    return rc;
}

bool rnn_model_predicts_probabilities(const rnn_model *m)
{
    const train_state *st = train_state_get(m);
    rnn_out_act act;
    return (st && st->from_logits) || rnn_model_logits(m, &act) != NULL;
}
