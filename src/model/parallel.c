/* Data-parallel training over a communicator (rnnlab/comm.h): each global batch split across the
 * ranks, the gradients summed (row-sparse for an Embedding when that is smaller), evaluation and
 * prediction split; and the snapshots and optimizer settings a sweep starts its runs from. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/comm.h"
#include "model/train_internal.h"

static bool comm_shared(const rnn_comm *c) { return c && c->size > 1; }

void par_slice(const rnn_comm *c, size_t n, size_t *lo, size_t *count)
{
    if (!comm_shared(c)) {
        *lo = 0;
        *count = n;
        return;
    }
    size_t q = n / (size_t)c->size, r = n % (size_t)c->size, k = (size_t)c->rank;
    *lo = k * q + (k < r ? k : r);
    *count = q + (k < r ? 1 : 0);
}

/* ---- agreeing on a status ---- */

typedef struct par_status {
    int code;
    char msg[sizeof(((rnn_error *)0)->msg)];
} par_status;

int rnn_comm_agree(const rnn_comm *comm, int rc, rnn_error *err)
{
    if (!comm_shared(comm))
        return rc;
    par_status mine = {.code = rc};
    if (rc && err)
        memcpy(mine.msg, err->msg, sizeof mine.msg);
    void *all;
    size_t off[comm->size + 1];
    rnn_error e = {0};
    if (comm->gather(comm, &mine, sizeof mine, &all, off, &e))
        return rnn_fail(err, e.code, "%s", e.msg);
    int out = RNN_OK;
    for (int r = 0; r < comm->size && out == RNN_OK; r++) {
        const par_status *s = (const par_status *)((const char *)all + off[r]);
        if (s->code)
            out = rnn_fail(err, s->code, "%s", s->msg);
    }
    free(all);
    return out;
}

/* ---- metrics ---- */

/* a += b: the running metrics of two disjoint parts of the data. */
static void metric_acc_add(metric_acc *a, const metric_acc *b)
{
    a->loss_sum += b->loss_sum;
    a->n += b->n;
    a->weight += b->weight;
    a->correct += b->correct;
    a->tp += b->tp;
    a->fp += b->fp;
    a->fn += b->fn;
    for (int i = 0; i <= METRIC_AUC_THRESHOLDS; i++) {
        a->above_pos[i] += b->above_pos[i];
        a->above_neg[i] += b->above_neg[i];
    }
}

/* What each rank tells the others after its part of a batch: its status, whether it was asked to
 * stop, and its part's metrics. */
typedef struct par_record {
    par_status status;
    int stop;
    metric_acc acc;
} par_record;

/* Exchanges the records; *sum gets the ranks' metrics added in rank order (the same on every
 * rank), *stop whether any rank was asked to stop. Returns the first rank's error, if any. */
static int par_exchange(const rnn_comm *comm, const par_record *mine, metric_acc *sum, bool *stop, rnn_error *err)
{
    void *all;
    size_t off[comm->size + 1];
    rnn_error e = {0};
    if (comm->gather(comm, mine, sizeof *mine, &all, off, &e))
        return rnn_fail(err, e.code, "%s", e.msg);
    int rc = RNN_OK;
    metric_acc_reset(sum);
    *stop = false;
    for (int r = 0; r < comm->size; r++) {
        const par_record *p = (const par_record *)((const char *)all + off[r]);
        if (p->status.code && rc == RNN_OK)
            rc = rnn_fail(err, p->status.code, "%s", p->status.msg);
        *stop = *stop || p->stop;
        metric_acc_add(sum, &p->acc);
    }
    free(all);
    return rc;
}

/* ---- summing gradients ---- */

/* The Embedding's rows of every rank summed into l->grads: the rows each rank touched, then
 * either their values (each rank receives every other's rows) or the whole matrix summed, which
 * ever moves fewer bytes; every rank decides the same from the same counts. The union of the
 * rows becomes the layer's touched rows (the optimizer's row update and zero_grad use them). */
static int par_sum_rows(const rnn_comm *comm, rnn_layer *l, rnn_error *err)
{
    const int32_t *rows;
    int D;
    long n = rnn_layer_sparse_rows(l, &rows, &D);
    size_t off[comm->size + 1], voff[comm->size + 1];
    void *ids = NULL, *vals = NULL;
    int rc = comm->gather(comm, rows, (size_t)n * sizeof *rows, &ids, off, err);
    if (rc)
        return rc;
    size_t sent = off[comm->size] / sizeof(int32_t);   /* rows over all ranks, with repeats */
    size_t dense_floats = l->n_params;
    /* ring allreduce moves 2 (N-1)/N of the matrix per rank; gathering rows, all others' rows */
    bool sparse = (double)sent * (D + 1) < 2.0 * (double)dense_floats * (comm->size - 1) / comm->size;
    float *own = NULL;
    if (sparse) {
        own = malloc(((size_t)n * D + 1) * sizeof *own);
        if (!own) {
            free(ids);
            return rnn_fail(err, RNN_EINTERNAL, "fit: out of memory for the gradient exchange");
        }
        for (long i = 0; i < n; i++)
            memcpy(own + (size_t)i * D, l->grads + (size_t)rows[i] * D, (size_t)D * sizeof *own);
        rc = comm->gather(comm, own, (size_t)n * D * sizeof *own, &vals, voff, err);
        free(own);
        if (rc) {
            free(ids);
            return rc;
        }
        for (long i = 0; i < n; i++) /* every rank's rows are added below, in rank order */
            memset(l->grads + (size_t)rows[i] * D, 0, (size_t)D * sizeof(float));
    }
    for (int r = 0; r < comm->size; r++) {
        const int32_t *rr = (const int32_t *)((const char *)ids + off[r]);
        size_t nr = (off[r + 1] - off[r]) / sizeof *rr;
        rnn_layer_sparse_rows_mark(l, rr, (long)nr);
        if (!sparse)
            continue;
        const float *v = (const float *)((const char *)vals + voff[r]);
        for (size_t i = 0; i < nr; i++) {
            float *g = l->grads + (size_t)rr[i] * D;
            for (int j = 0; j < D; j++)
                g[j] += v[i * D + j];
        }
    }
    free(ids);
    free(vals);
    if (!sparse)
        rc = comm->sum_floats(comm, l->grads, l->n_params, err);
    return rc;
}

/* Every trained variable's gradient summed over the ranks: the dense ones in runs of adjacent
 * variables, one sum each; an Embedding's by its rows. */
static int par_sum_gradients(rnn_model *m, train_state *st, const rnn_comm *comm, rnn_error *err)
{
    float *g = rnn_model_grads(m);
    int rc = RNN_OK;
    size_t run_off = 0, run_n = 0;
    for (int i = 0; i < st->n_vars && rc == RNN_OK; i++) {
        const train_var *v = &st->vars[i];
        rnn_layer *l = rnn_model_layer(m, v->layer);
        bool trained = v->slot_off != TRAIN_NO_SLOT && l->trainable;
        const int32_t *rows;
        int row_len;
        bool by_rows = trained && rnn_layer_sparse_rows(l, &rows, &row_len) >= 0 && row_len > 0 &&
                       v->n == l->n_params;
        if (!trained || by_rows || (run_n && run_off + run_n != v->off)) {
            if (run_n)
                rc = comm->sum_floats(comm, g + run_off, run_n, err);
            run_n = 0;
        }
        if (rc == RNN_OK && by_rows)
            rc = par_sum_rows(comm, l, err);
        else if (trained) {
            if (!run_n)
                run_off = v->off;
            run_n += v->n;
        }
    }
    if (rc == RNN_OK && run_n)
        rc = comm->sum_floats(comm, g + run_off, run_n, err);
    return rc;
}

int par_fit_start(rnn_model *m, const rnn_fit_opts *o, int rc, rnn_error *err)
{
    if (rc == RNN_OK && o->comm->rank > 0) /* fit_setup seeded rank 0's stream as one process */
        rnn_rng_seed(rnn_model_rng(m), (o->seed ^ 0x5deece66dUL) + 0x9e3779b97f4a7c15UL * (unsigned long)o->comm->rank);
    rnn_error e = {0};
    if (rc && err)
        e = *err;
    rc = rnn_comm_agree(o->comm, rc, &e);
    return rc ? rnn_fail(err, rc, "%s", e.msg) : RNN_OK;
}

/* ---- one global batch ---- */

/* This rank's part of a batch: forward, loss, and backward of its share of the global batch's
 * mean loss (the gradient of its rows' mean, times Bl / B). */
static int par_local_step(rnn_model *m, train_state *st, const int32_t *xb, const int *yb, const float *sw, int Bl,
                          int B, int T, int K, float *grad, bool auc, metric_acc *acc, rnn_error *err)
{
    rnn_model_zero_grad(m);
    if (Bl == 0)
        return RNN_OK;
    const float *out = rnn_model_forward(m, xb, Bl, T, true, err);
    if (!out)
        return err ? err->code : RNN_EINTERNAL;
    bool grad_of_logits;
    double loss = loss_model_batch(st->loss, st->from_logits, m, out, yb, sw, Bl, K, grad, &grad_of_logits);
    float *probs = st->from_logits ? malloc((size_t)Bl * K * sizeof *probs) : NULL;
    if (st->from_logits && !probs)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory for a batch of %d", Bl);
    metric_acc_update(acc, loss_probabilities(st->loss, st->from_logits, out, Bl, K, probs), yb, sw, Bl, K, loss, auc);
    free(probs);
    if (!isfinite(loss))
        return RNN_OK; /* every rank sees the sum is not finite and stops before any update */
    float share = (float)Bl / (float)B;
    for (size_t i = 0; i < (size_t)Bl * K; i++)
        grad[i] *= share;
    return loss_model_backward(m, grad, grad_of_logits, err);
}

int par_fit_batch(rnn_model *m, train_state *st, const rnn_comm *comm, const int32_t *xb, const int *yb,
                  const float *sw, int Bl, int B, int T, int K, float *grad, bool auc, atomic_int *stop, metric_acc *acc,
                  double *loss, rnn_error *err)
{
    par_record mine;
    memset(&mine, 0, sizeof mine);
    rnn_error e = {0};
    mine.status.code = par_local_step(m, st, xb, yb, sw, Bl, B, T, K, grad, auc, &mine.acc, &e);
    if (mine.status.code)
        memcpy(mine.status.msg, e.msg, sizeof mine.status.msg);
    mine.stop = stop && *stop;
    bool any_stop;
    metric_acc sum;
    int rc = par_exchange(comm, &mine, &sum, &any_stop, err);
    if (rc)
        return rc;
    if (any_stop && stop)
        *stop = 1; /* every rank stops after the same batch */
    *loss = sum.n ? sum.loss_sum / (double)sum.n : NAN;
    if (!isfinite(*loss))
        return RNN_OK;
    metric_acc_add(acc, &sum);
    return par_sum_gradients(m, st, comm, err);
}

/* ---- evaluation and prediction, split ---- */

int par_evaluate(const rnn_comm *comm, rnn_model *m, train_state *st, const int32_t *x, const int *y,
                 const size_t *rows, size_t n, int T, int batch_size, metric_acc *acc, rnn_error *err)
{
    if (!comm_shared(comm))
        return train_evaluate(m, st, x, y, rows, n, T, batch_size, acc, err);
    size_t lo, count;
    par_slice(comm, n, &lo, &count);
    par_record mine;
    memset(&mine, 0, sizeof mine);
    rnn_error e = {0};
    metric_acc_reset(&mine.acc);
    if (count > 0) {
        const int32_t *xs = rows ? x : x + lo * (size_t)T;
        const int *ys = rows ? y : y + lo;
        mine.status.code = train_evaluate(m, st, xs, ys, rows ? rows + lo : NULL, count, T, batch_size,
                                          &mine.acc, &e);
    }
    if (mine.status.code)
        memcpy(mine.status.msg, e.msg, sizeof mine.status.msg);
    bool stop;
    return par_exchange(comm, &mine, acc, &stop, err);
}

int rnn_model_predict_comm(rnn_model *m, const int32_t *x, size_t n, int T, int batch_size,
                           const rnn_comm *comm, float *probs, int *n_classes, rnn_error *err)
{
    if (!comm_shared(comm))
        return rnn_model_predict(m, x, n, T, batch_size, probs, n_classes, err);
    int C = rnn_model_n_classes(m);
    size_t lo, count;
    par_slice(comm, n, &lo, &count);
    rnn_error e = {0};
    int rc = count ? rnn_model_predict(m, x + lo * (size_t)T, count, T, batch_size, probs + lo * (size_t)C,
                                       n_classes, &e) : RNN_OK;
    if ((rc = rnn_comm_agree(comm, rc, &e)))
        return rnn_fail(err, rc, "%s", e.msg);
    if (n_classes)
        *n_classes = C;
    void *all;
    size_t off[comm->size + 1];
    if ((rc = comm->gather(comm, probs + lo * (size_t)C, count * (size_t)C * sizeof *probs, &all, off, err)))
        return rc;
    memcpy(probs, all, n * (size_t)C * sizeof *probs);
    free(all);
    return RNN_OK;
}

/* ---- the starting state of a sweep's runs ---- */

struct rnn_train_snapshot {
    optim_config cfg;            /* the settings a run of a sweep may change */
    size_t n_params, n_layers, slot_n;
    int n_slots;
    int64_t iterations;
    float *params;
    float *slot[2];
};

void rnn_train_snapshot_free(rnn_train_snapshot *s)
{
    if (s) {
        free(s->params);
        free(s->slot[0]);
        free(s->slot[1]);
        free(s);
    }
}

rnn_train_snapshot *rnn_train_snapshot_take(rnn_model *m, rnn_error *err)
{
    train_state *st = train_state_get(m);
    if (!st) {
        rnn_fail(err, RNN_EUSAGE, "the model is not compiled: run compile first");
        return NULL;
    }
    train_flush_rows(st); /* the moments written out in full */
    rnn_train_snapshot *s = calloc(1, sizeof *s);
    if (!s) {
        rnn_fail(err, RNN_EINTERNAL, "out of memory for the model's starting state");
        return NULL;
    }
    s->n_params = rnn_model_n_params(m);
    s->n_layers = rnn_model_n_layers(m);
    s->n_slots = st->opt.n_slots;
    s->slot_n = st->opt.n;
    s->iterations = st->opt.iterations;
    s->cfg = st->opt.cfg;
    bool ok = (s->params = malloc((s->n_params ? s->n_params : 1) * sizeof(float))) != NULL;
    for (int i = 0; i < s->n_slots && ok; i++)
        ok = (s->slot[i] = malloc((s->slot_n ? s->slot_n : 1) * sizeof(float))) != NULL;
    if (!ok) {
        rnn_train_snapshot_free(s);
        rnn_fail(err, RNN_EINTERNAL, "out of memory for the model's starting state");
        return NULL;
    }
    memcpy(s->params, rnn_model_params(m), s->n_params * sizeof(float));
    for (int i = 0; i < s->n_slots; i++)
        memcpy(s->slot[i], st->opt.slot[i], s->slot_n * sizeof(float));
    return s;
}

int rnn_train_snapshot_restore(rnn_model *m, const rnn_train_snapshot *s, rnn_error *err)
{
    train_state *st = train_state_get(m);
    if (!st || s->n_params != rnn_model_n_params(m) || s->n_layers != rnn_model_n_layers(m) ||
        s->n_slots != st->opt.n_slots || s->slot_n != st->opt.n)
        return rnn_fail(err, RNN_EUSAGE, "the model changed since its starting state was kept");
    memcpy(rnn_model_params(m), s->params, s->n_params * sizeof(float));
    for (int i = 0; i < s->n_slots; i++)
        memcpy(st->opt.slot[i], s->slot[i], s->slot_n * sizeof(float));
    st->opt.iterations = s->iterations;
    st->opt.cfg = s->cfg;
    for (int i = 0; i < st->n_vars; i++) { /* rows are current: the snapshot was flushed */
        free(st->vars[i].row_stamp);
        st->vars[i].row_stamp = NULL;
    }
    return RNN_OK;
}

int rnn_model_set_optimizer_value(rnn_model *m, const char *key, double value, rnn_error *err)
{
    train_state *st = train_state_get(m);
    if (!st)
        return rnn_fail(err, RNN_EUSAGE, "%s: the model is not compiled: run compile first", key);
    optim_config c = st->opt.cfg;
    rnn_compile_opts o;
    rnn_compile_opts_default(&o);
    o.optimizer = optim_kind_name(c.kind);
    o.learning_rate = c.learning_rate;
    o.rho = c.rho;
    o.beta_1 = c.beta_1;
    o.beta_2 = c.beta_2;
    o.epsilon = c.epsilon;
    o.clipnorm = c.clipnorm;
    o.clipvalue = c.clipvalue;
    o.nesterov = c.nesterov;
    o.momentum = c.kind == OPTIM_ADAM ? NAN : c.momentum;
    o.weight_decay = c.weight_decay;
    if (c.kind == OPTIM_ADAGRAD) o.initial_accumulator_value = c.initial_accumulator;
    double *field = !strcmp(key, "learning_rate") ? &o.learning_rate : !strcmp(key, "momentum") ? &o.momentum
                    : !strcmp(key, "rho") ? &o.rho : !strcmp(key, "beta_1") ? &o.beta_1
                    : !strcmp(key, "beta_2") ? &o.beta_2 : !strcmp(key, "epsilon") ? &o.epsilon
                    : !strcmp(key, "clipnorm") ? &o.clipnorm : !strcmp(key, "clipvalue") ? &o.clipvalue : NULL;
    if (!field)
        return rnn_fail(err, RNN_EUSAGE, "%s: not a setting of the optimizer (expected learning_rate, momentum, "
                        "rho, beta_1, beta_2, epsilon, clipnorm or clipvalue)", key);
    *field = value;
    optim_config next;
    int rc = optim_config_from_opts(&o, &next, err);
    if (rc)
        return rc;
    if ((next.momentum != 0) != (c.momentum != 0))
        return rnn_fail(err, RNN_EUSAGE, "momentum=%g: the optimizer was compiled %s momentum; compile with "
                        "a momentum of the same kind (zero or not) first", value, c.momentum != 0 ? "with" : "without");
    st->opt.cfg = next;
    return RNN_OK;
}
