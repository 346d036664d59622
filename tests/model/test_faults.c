/* fit under faults and stops: a non-finite loss or weight stops training with the weights of the
 * last complete epoch (checked finite at its end; row-sparse and dense updates alike), the
 * optimizer starts afresh when its moments became non-finite; an interrupted epoch is reported as
 * partial and kept out of the history; a fit that fails its checks changes nothing. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "model/train_internal.h"

#include "tests/check.h"
#include "tests/model/mean_token_data.h"

enum { N = 600, T = 10, V = 20, BATCHES = 19 /* 600 / 32 */ };
static int32_t X[N * T];
static int Y[N];

static void make_data(void) { mean_token_data(X, Y, N, T, V, 77u); }

static const char *pooled_model[] = {"Embedding(20, 8)", "GlobalAveragePooling1D()",
                                     "Dense(1, activation='sigmoid')", NULL};

static rnn_model *make_model(unsigned long seed, const char *opt, double lr, double momentum)
{
    rnn_error err = {0};
    rnn_model *m = rnn_model_new("faults", seed);
    for (int i = 0; pooled_model[i]; i++)
        CHECK(rnn_model_add(m, pooled_model[i], NULL, &err) == RNN_OK, "add: %s", err.msg);
    rnn_compile_opts o;
    rnn_compile_opts_default(&o);
    o.optimizer = opt;
    o.learning_rate = lr;
    if (!isnan(momentum))
        o.momentum = momentum;
    o.loss = "binary_crossentropy";
    o.metrics = "accuracy";
    CHECK(rnn_model_compile(m, &o, &err) == RNN_OK, "compile: %s", err.msg);
    return m;
}

static bool params_finite(rnn_model *m)
{
    const float *p = rnn_model_params(m);
    for (size_t i = 0; i < rnn_model_n_params(m); i++)
        if (!isfinite(p[i]))
            return false;
    return true;
}

/* The callback of the fault tests: keeps the weights at one report, poisons one at a later one
 * (and may ask to stop there). */
typedef struct poison {
    rnn_model *m;
    int keep_epoch;              /* keep at this epoch's end report; 0: kept before the fit */
    int poison_epoch, poison_batch;
    size_t layer, index;         /* the weight set to NaN */
    bool stop;                   /* ask to stop after poisoning */
    float *kept;
    size_t n;
    int partial_batch, partial_batches;
} poison;

static int on_report(const rnn_fit_progress *p, void *user)
{
    poison *q = user;
    if (p->partial) {
        q->partial_batch = p->batch;
        q->partial_batches = p->batches;
    }
    if (p->epoch_end && p->epoch == q->keep_epoch)
        memcpy(q->kept, rnn_model_params(q->m), q->n * sizeof *q->kept);
    if (!p->epoch_end && !p->partial && p->epoch == q->poison_epoch && p->batch == q->poison_batch) {
        rnn_model_layer(q->m, q->layer)->params[q->index] = NAN;
        return q->stop;
    }
    return 0;
}

/* fit with the poison callback; returns its status, the history in *h. */
static int fit_poisoned(rnn_model *m, poison *q, rnn_history *h, rnn_error *err)
{
    q->m = m;
    q->n = rnn_model_n_params(m);
    q->kept = malloc(q->n * sizeof *q->kept);
    memcpy(q->kept, rnn_model_params(m), q->n * sizeof *q->kept);
    rnn_fit_opts o;
    rnn_fit_opts_default(&o);
    o.epochs = 3;
    o.callback = on_report;
    o.user = q;
    return rnn_model_fit(m, &(rnn_xy){N, T, X, Y}, &o, h, err);
}

static void check_evaluates(rnn_model *m, const char *what)
{
    rnn_eval ev;
    rnn_error err = {0};
    CHECK(rnn_model_evaluate(m, &(rnn_xy){N, T, X, Y}, 32, &ev, &err) == RNN_OK && isfinite(ev.values[0]) &&
          isfinite(ev.values[1]), "%s: evaluate after the fault: %s %g", what, err.msg, ev.values[0]);
}

/* A NaN loss (a poisoned Dense kernel weight reaches the next batch's output) stops training there;
 * the weights of the last complete epoch come back, exactly, whatever the optimizer's update path
 * (RMSprop: an Embedding's touched rows; SGD, Adam: dense); in the first epoch, those from before
 * the fit. */
static void test_nan_loss_restores(void)
{
    static const struct { const char *opt; int keep_epoch, poison_epoch; const char *reason; } cases[] = {
        {"rmsprop", 1, 2, "loss is NaN at epoch 2, batch 6: training stopped (weights of epoch 1 kept)"},
        {"sgd", 1, 2, "loss is NaN at epoch 2, batch 6: training stopped (weights of epoch 1 kept)"},
        {"adam", 1, 2, "loss is NaN at epoch 2, batch 6: training stopped (weights of epoch 1 kept)"},
        {"rmsprop", 0, 1, "loss is NaN at epoch 1, batch 6: training stopped (weights from before this fit kept)"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rnn_model *m = make_model(5, cases[k].opt, 0.01, NAN);
        poison q = {.keep_epoch = cases[k].keep_epoch, .poison_epoch = cases[k].poison_epoch, .poison_batch = 5,
                    .layer = 2, .index = 0};
        rnn_history h = {0};
        rnn_error err = {0};
        int rc = fit_poisoned(m, &q, &h, &err);
        CHECK(rc == RNN_EDATA && strstr(err.msg, cases[k].reason), "%s case %zu: rc %d '%s'", cases[k].opt, k, rc,
              err.msg);
        CHECK(!strcmp(h.stop_reason, cases[k].reason), "reason '%s'", h.stop_reason);
        CHECK(!memcmp(q.kept, rnn_model_params(m), q.n * sizeof(float)), "%s case %zu: the kept weights are back",
              cases[k].opt, k);
        CHECK(h.n_epochs == cases[k].poison_epoch - 1, "%s case %zu: %d complete epochs", cases[k].opt, k, h.n_epochs);
        CHECK(q.partial_batch == 6 && q.partial_batches == BATCHES, "partial report %d/%d", q.partial_batch,
              q.partial_batches);
        check_evaluates(m, cases[k].opt);
        free(q.kept);
        rnn_history_free(&h);
        rnn_model_free(m);
    }
}

/* A NaN weight that no later batch reads (the Embedding row of id 0, which the data never holds)
 * leaves the loss finite: the check at the epoch's end finds it, names the layer, and the weights
 * of the last complete epoch come back. The same check runs on an interrupted epoch. */
static void test_nonfinite_weight_found(void)
{
    for (int stop = 0; stop <= 1; stop++) {
        rnn_model *m = make_model(6, "rmsprop", 0.01, NAN);
        poison q = {.keep_epoch = 1, .poison_epoch = 2, .poison_batch = 10, .layer = 0, .index = 3, .stop = stop};
        rnn_history h = {0};
        rnn_error err = {0};
        int rc = fit_poisoned(m, &q, &h, &err);
        const char *want = stop ? "weights of layer 'embedding' became NaN or Inf in epoch 2 (found after batch 10): "
                                  "training stopped (weights of epoch 1 kept)"
                                : "weights of layer 'embedding' became NaN or Inf in epoch 2 (found after batch 19): "
                                  "training stopped (weights of epoch 1 kept)";
        CHECK(rc == RNN_EDATA && !strcmp(h.stop_reason, want), "stop %d: rc %d '%s'", stop, rc, h.stop_reason);
        CHECK(!memcmp(q.kept, rnn_model_params(m), q.n * sizeof(float)), "stop %d: the weights of epoch 1", stop);
        CHECK(h.n_epochs == 1, "stop %d: %d epochs", stop, h.n_epochs);
        check_evaluates(m, "embedding");
        free(q.kept);
        rnn_history_free(&h);
        rnn_model_free(m);
    }
}

/* An update that overflows: Embedding outputs of 1e36 times a kernel of 1e-37 give a finite loss,
 * but the kernel's gradient (5e35 with every label 1) times learning_rate 1e6 overflows float in
 * SGD's momentum and the kernel: the next batch's loss is NaN. The weights from before the fit stay,
 * and the momentum, now infinite, starts afresh. With a frozen Embedding only the trained weights are
 * kept and brought back; the frozen ones never move. */
static void test_update_overflow(bool frozen_embedding)
{
    rnn_model *m = make_model(9, "sgd", 1e6, 0.9);
    rnn_layer *emb = rnn_model_layer(m, 0), *dense = rnn_model_layer(m, 2);
    emb->trainable = !frozen_embedding;
    for (size_t i = 0; i < emb->n_params; i++)
        emb->params[i] = 1e36f;
    for (size_t i = 0; i + 1 < dense->n_params; i++)
        dense->params[i] = i % 2 ? 1e-37f : -1e-37f;
    size_t np = rnn_model_n_params(m);
    float *before = malloc(np * sizeof *before);
    memcpy(before, rnn_model_params(m), np * sizeof *before);
    static int ones[N]; /* one class: the output's gradient does not average out */
    for (int i = 0; i < N; i++)
        ones[i] = 1;
    rnn_fit_opts o;
    rnn_fit_opts_default(&o);
    o.epochs = 2;
    rnn_history h = {0};
    rnn_error err = {0};
    int rc = rnn_model_fit(m, &(rnn_xy){N, T, X, ones}, &o, &h, &err);
    printf("overflow%s: %s\n", frozen_embedding ? " (frozen Embedding)" : "", err.msg);
    CHECK(rc == RNN_EDATA && strstr(err.msg, " at epoch 1, batch 2: training stopped (weights from before this "
                                    "fit kept; optimizer reset); lower learning_rate"), "rc %d: %s", rc, err.msg);
    CHECK(params_finite(m) && !memcmp(before, rnn_model_params(m), np * sizeof *before), "weights before the fit");
    train_state *st = train_state_get(m);
    CHECK(st && st->opt.iterations == 0, "optimizer iterations reset");
    for (size_t i = 0; st && i < st->opt.n; i++)
        if (st->opt.slot[0][i] != 0) {
            CHECK(false, "momentum %zu is %g after the reset", i, st->opt.slot[0][i]);
            break;
        }
    CHECK(h.n_epochs == 0, "no epoch in the history");
    free(before);
    rnn_history_free(&h);
    rnn_model_free(m);
}

typedef struct stop_at {
    int epoch, batch;            /* ask to stop after this batch */
    int partial, epoch_ends;
    rnn_fit_progress last_partial;
} stop_at;

static int stop_callback(const rnn_fit_progress *p, void *user)
{
    stop_at *s = user;
    if (p->partial) {
        s->partial++;
        s->last_partial = *p;
    }
    if (p->epoch_end)
        s->epoch_ends++;
    return !p->epoch_end && !p->partial && p->epoch == s->epoch && p->batch == s->batch;
}

/* A stop inside an epoch leaves it out of the history and reports it as partial; a stop during an
 * epoch's last batch lets the epoch finish (validation included). */
static void test_interrupts(void)
{
    rnn_model *m = make_model(3, "adam", 0.01, NAN);
    rnn_fit_opts o;
    rnn_fit_opts_default(&o);
    o.epochs = 4;
    o.validation_split = 0.2; /* 480 training rows: 15 batches */
    o.callback = stop_callback;
    rnn_history h = {0};
    rnn_error err = {0};
    stop_at s = {2, 3, 0, 0, {0}};
    o.user = &s;
    CHECK(rnn_model_fit(m, &(rnn_xy){N, T, X, Y}, &o, &h, &err) == RNN_OK, "%s", err.msg);
    CHECK(h.n_epochs == 1 && !strcmp(h.stop_reason, "interrupted at epoch 2, batch 3/15 (a partial epoch, not in "
                                     "the history)"), "%d epochs, '%s'", h.n_epochs, h.stop_reason);
    CHECK(s.partial == 1 && s.epoch_ends == 1 && s.last_partial.epoch == 2 && s.last_partial.batch == 3 &&
          s.last_partial.batches == 15 && s.last_partial.samples_done == 96 && !s.last_partial.epoch_end,
          "partial report: %d, epoch %d batch %d/%d", s.partial, s.last_partial.epoch, s.last_partial.batch,
          s.last_partial.batches);
    rnn_history_free(&h);

    stop_at last = {1, 15, 0, 0, {0}};
    o.user = &last;
    CHECK(rnn_model_fit(m, &(rnn_xy){N, T, X, Y}, &o, &h, &err) == RNN_OK, "%s", err.msg);
    CHECK(h.n_epochs == 1 && isfinite(rnn_history_get(&h, 0, "val_loss")) &&
          !strcmp(h.stop_reason, "interrupted after epoch 1"), "%d epochs, val_loss %g, '%s'", h.n_epochs,
          rnn_history_get(&h, 0, "val_loss"), h.stop_reason);
    CHECK(last.partial == 0 && last.epoch_ends == 1, "no partial report (%d)", last.partial);
    rnn_history_free(&h);
    rnn_model_free(m);
}

/* Each failed check leaves the weights, the model's generator, the optimizer and the history as
 * they were; rnn_model_fit_check gives the same error without fitting. */
static void test_checks_change_nothing(void)
{
    rnn_model *m = make_model(11, "adam", 0.01, NAN), *twin = make_model(11, "adam", 0.01, NAN);
    rnn_fit_opts o;
    rnn_fit_opts_default(&o);
    o.epochs = 1;
    rnn_history h = {0}, twin_h = {0};
    rnn_error err = {0};
    CHECK(rnn_model_fit(m, &(rnn_xy){N, T, X, Y}, &o, &h, &err) == RNN_OK, "%s", err.msg);
    CHECK(rnn_model_fit(twin, &(rnn_xy){N, T, X, Y}, &o, &twin_h, &err) == RNN_OK, "%s", err.msg);
    rnn_history_free(&twin_h);
    size_t np = rnn_model_n_params(m);
    float *before = malloc(np * sizeof *before);
    memcpy(before, rnn_model_params(m), np * sizeof *before);
    int64_t iterations = train_state_get(m)->opt.iterations;

    static int32_t bad_x[N * T];
    static int bad_y[N];
    memcpy(bad_x, X, sizeof X);
    memcpy(bad_y, Y, sizeof Y);
    bad_x[7 * T + 3] = V + 5;   /* id 25 >= input_dim 20 in sample 7, step 3 */
    bad_y[N - 1] = 2;           /* not a class of a sigmoid output */
    rnn_fit_opts es = o;
    es.early_stopping = "val_loss"; /* no validation_split */
    /* each message starts with what is at fault, never with a command name: the program adds that */
    const struct { rnn_xy d; int rc; const char *msg; } cases[] = {
        {{N, T, bad_x, Y}, RNN_EDATA, "embedding: token id 25 (sample 7, step 3) is not in [0, 20)"},
        {{N, T, X, bad_y}, RNN_EDATA, "label 2 of example 599"},
        {{N, T, X, Y}, RNN_EUSAGE, "early_stopping='val_loss' is not a quantity of this fit"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const rnn_fit_opts *fo = k == 2 ? &es : &o;
        size_t len = strlen(cases[k].msg);
        CHECK(rnn_model_fit_check(m, &cases[k].d, fo, &h, &err) == cases[k].rc && !strncmp(err.msg, cases[k].msg, len),
              "check %zu: '%s'", k, err.msg);
        CHECK(rnn_model_fit(m, &cases[k].d, fo, &h, &err) == cases[k].rc && !strncmp(err.msg, cases[k].msg, len),
              "fit %zu: '%s'", k, err.msg);
        CHECK(!memcmp(before, rnn_model_params(m), np * sizeof *before), "case %zu: weights unchanged", k);
        CHECK(train_state_get(m)->opt.iterations == iterations, "case %zu: optimizer unchanged", k);
        CHECK(h.n_epochs == 1 && !h.stop_reason[0], "case %zu: history unchanged", k);
    }
    /* the generator: dropout masks would differ otherwise */
    CHECK(rnn_rng_uint(rnn_model_rng(m), 1000000) == rnn_rng_uint(rnn_model_rng(twin), 1000000),
          "the model's generator was not touched");
    free(before);
    rnn_history_free(&h);
    rnn_model_free(m);
    rnn_model_free(twin);
}

int main(void)
{
    make_data();
    test_nan_loss_restores();
    test_nonfinite_weight_found();
    test_update_overflow(false);
    test_update_overflow(true);
    test_interrupts();
    test_checks_change_nothing();
    if (failures) {
        printf("FAILED (%d failures)\n", failures);
        return 1;
    }
    printf("all fault tests passed\n");
    return 0;
}
