/* compile / fit / evaluate / predict / gradcheck on small real models: learning, bit-identical
 * reruns, Keras's validation split, EarlyStopping (scripted and live), NaN weights refused,
 * interruption, warnings. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "model/train_internal.h"

#include "tests/check.h"
#include "tests/model/mean_token_data.h"
#include "tests/model/build_model.h"

enum { N = 600, T = 10, V = 20 };
static int32_t X[N * T];
static int Y[N];

static void make_data(void) { mean_token_data(X, Y, N, T, V, 2024u); }

static rnn_model *make_model(const char *const *calls, unsigned long seed) { return build_model(calls, seed); }

static int compile(rnn_model *m, const char *opt, double lr, const char *loss, const char *metrics)
{
    rnn_compile_opts o;
    rnn_error err = {0};
    rnn_compile_opts_default(&o);
    o.optimizer = opt;
    o.learning_rate = lr;
    o.loss = loss;
    o.metrics = metrics;
    int rc = rnn_model_compile(m, &o, &err);
    if (rc)
        printf("compile: %s\n", err.msg);
    return rc;
}

static const char *binary_model[] = {"Embedding(20, 8)", "Dropout(0.2)", "GlobalAveragePooling1D()",
                                     "Dense(1, activation='sigmoid')", NULL};
static const char *softmax_model[] = {"Embedding(20, 8)", "GlobalAveragePooling1D()",
                                      "Dense(2, activation='softmax')", NULL};

static void test_learns_and_reproduces(void)
{
    rnn_xy d = {N, T, X, Y};
    rnn_fit_opts o = fit_opts(12, 0.2, 7);
    rnn_history h1 = {0}, h2 = {0};
    rnn_error err = {0};
    rnn_model *a = make_model(binary_model, 42), *b = make_model(binary_model, 42);
    CHECK(!compile(a, "adam", 0.02, "binary_crossentropy", "accuracy,precision,recall,auc"), "compile a");
    CHECK(!compile(b, "adam", 0.02, "binary_crossentropy", "accuracy,precision,recall,auc"), "compile b");
    CHECK(rnn_model_fit(a, &d, &o, &h1, &err) == RNN_OK, "fit a: %s", err.msg);
    CHECK(rnn_model_fit(b, &d, &o, &h2, &err) == RNN_OK, "fit b: %s", err.msg);
    CHECK(h1.n_epochs == 12 && h1.n_metrics == 10, "history %d x %d", h1.n_epochs, h1.n_metrics);
    CHECK(!strcmp(h1.names[0], "loss") && !strcmp(h1.names[1], "accuracy") && !strcmp(h1.names[5], "val_loss")
          && !strcmp(h1.names[9], "val_auc"), "history names");
    double l0 = rnn_history_get(&h1, 0, "loss"), l1 = rnn_history_get(&h1, 11, "loss");
    double acc = rnn_history_get(&h1, 11, "val_accuracy");
    printf("binary: loss %.4f -> %.4f, val_accuracy %.4f, val_auc %.4f\n", l0, l1, acc,
           rnn_history_get(&h1, 11, "val_auc"));
    CHECK(l1 < l0 * 0.7, "loss decreases");
    CHECK(acc > 0.9, "val_accuracy %.4f > 0.9", acc);
    size_t np = rnn_model_n_params(a);
    CHECK(np == rnn_model_n_params(b) && !memcmp(rnn_model_params(a), rnn_model_params(b), np * sizeof(float)),
          "same seed: bit-identical weights");
    CHECK(!memcmp(h1.values, h2.values, sizeof(double) * h1.n_epochs * h1.n_metrics), "same seed: identical history");

    /* another fit seed gives other weights (shuffling and dropout follow the seed) */
    rnn_model *c = make_model(binary_model, 42);
    rnn_history h3 = {0};
    compile(c, "adam", 0.02, "binary_crossentropy", "accuracy");
    o.seed = 8;
    o.epochs = 2;
    CHECK(rnn_model_fit(c, &d, &o, &h3, &err) == RNN_OK, "fit c");
    CHECK(memcmp(rnn_model_params(a), rnn_model_params(c), np * sizeof(float)), "other seed, other weights");

    /* evaluate = the metrics of the validation rows; predict gives {1-p, p} */
    rnn_xy val = {N - 480, T, X + 480 * T, Y + 480};
    rnn_eval ev;
    CHECK(rnn_model_evaluate(a, &val, 32, &ev, &err) == RNN_OK, "evaluate: %s", err.msg);
    CHECK(ev.n == 5 && !strcmp(ev.names[1], "accuracy"), "eval names");
    CHECK(fabs(ev.values[0] - rnn_history_get(&h1, 11, "val_loss")) < 1e-12 &&
          fabs(ev.values[1] - acc) < 1e-12, "evaluate matches the last val_ row");
    float probs[2 * 8];
    int nc = 0;
    CHECK(rnn_model_predict(a, X, 8, T, 3, probs, &nc, &err) == RNN_OK && nc == 2, "predict");
    CHECK(fabsf(probs[0] + probs[1] - 1) < 1e-6 && rnn_model_n_classes(a) == 2, "sigmoid -> 2 classes");

    /* gradcheck of the compiled models */
    rnn_gradcheck_report gr;
    CHECK(rnn_model_gradcheck(a, &d, 4, 1, &gr, &err) == RNN_OK, "gradcheck: %s", err.msg);
    for (int i = 0; i < gr.n_rows; i++)
        printf("gradcheck %-24s %-12s %3zu checked, max rel error %.2e\n", gr.rows[i].layer, gr.rows[i].param,
               gr.rows[i].checked, gr.rows[i].max_rel_error);
    CHECK(gr.passed && gr.n_rows == 3, "gradcheck passes (max %.3g, tolerance %.3g)", gr.max_rel_error,
          gr.tolerance);
    rnn_history_free(&h1);
    rnn_history_free(&h2);
    rnn_history_free(&h3);
    rnn_model_free(a);
    rnn_model_free(b);
    rnn_model_free(c);
}

static void test_softmax(void)
{
    rnn_xy d = {N, T, X, Y};
    rnn_fit_opts o = fit_opts(10, 0, 3);
    rnn_history h = {0};
    rnn_error err = {0};
    const char *losses[] = {"sparse_categorical_crossentropy", "categorical_crossentropy"};
    for (int i = 0; i < 2; i++) {
        rnn_model *m = make_model(softmax_model, 5);
        CHECK(!compile(m, i ? "rmsprop" : "sgd", i ? 0.01 : 0.5, losses[i], "acc"), "compile %s", losses[i]);
        CHECK(rnn_model_fit(m, &d, &o, &h, &err) == RNN_OK, "fit: %s", err.msg);
        CHECK(!strcmp(h.names[1], "acc"), "'acc' history name");
        double acc = rnn_history_get(&h, 9, "acc");
        printf("%s: loss %.4f -> %.4f, acc %.4f\n", losses[i], rnn_history_get(&h, 0, "loss"),
               rnn_history_get(&h, 9, "loss"), acc);
        CHECK(acc > 0.9, "%s learns: acc %.4f", losses[i], acc);
        rnn_gradcheck_report gr;
        CHECK(rnn_model_gradcheck(m, &d, 5, 2, &gr, &err) == RNN_OK && gr.passed, "gradcheck %s: max %.3g",
              losses[i], gr.max_rel_error);
        rnn_history_free(&h);
        rnn_model_free(m);
    }
    /* a 1-unit output cannot take a categorical loss */
    rnn_model *m = make_model(binary_model, 5);
    rnn_compile_opts co;
    rnn_compile_opts_default(&co);
    co.loss = "sparse_categorical_crossentropy";
    CHECK(rnn_model_compile(m, &co, &err) == RNN_EUSAGE && strstr(err.msg, "2 or more"), "%s", err.msg);
    CHECK(!rnn_model_is_compiled(m), "not compiled after an error");
    co.loss = "binary_crossentropy";
    CHECK(rnn_model_compile(m, &co, &err) == RNN_OK && rnn_model_is_compiled(m), "compiled");
    CHECK(rnn_model_add(m, "Dense(1)", NULL, &err) == RNN_OK && !rnn_model_is_compiled(m),
          "adding a layer needs compile again");
    rnn_model_free(m);
}

static void test_early_stop_scripted(void)
{
    /* val_loss 0.5 0.4 0.45 0.41 0.3, patience 2: stops after epoch 4 (index 3), best epoch index 1,
     * whose weights are the last kept */
    early_stop es;
    early_stop_setup(&es, true, 0, 2, true, NAN);
    double seq[] = {0.5, 0.4, 0.45, 0.41, 0.3};
    int stopped = -1, kept = -1;
    bool keep;
    for (int e = 0; e < 5 && stopped < 0; e++) {
        if (early_stop_epoch_end(&es, e, seq[e], &keep))
            stopped = e;
        kept = keep ? e : kept;
    }
    CHECK(stopped == 3 && es.best_epoch == 1 && kept == 1, "scripted val_loss: stopped %d best %d kept %d",
          stopped, es.best_epoch, kept);

    /* min_delta: 1.0 then 0.95 is not an improvement of 0.1; patience 1 stops at epoch index 1 */
    early_stop_setup(&es, true, -0.1, 1, false, NAN);
    CHECK(!early_stop_epoch_end(&es, 0, 1.0, &keep) && !keep, "first epoch never stops; nothing kept without restore");
    CHECK(early_stop_epoch_end(&es, 1, 0.95, &keep) && !keep, "0.95 is within min_delta");

    /* accuracy is maximised; patience 0 still never stops after the first epoch (epoch > 0 rule) */
    early_stop_setup(&es, false, 0, 0, true, NAN);
    CHECK(!early_stop_epoch_end(&es, 0, 0.6, &keep) && keep, "epoch 0");
    CHECK(!early_stop_epoch_end(&es, 1, 0.7, &keep) && keep, "improved");
    CHECK(early_stop_epoch_end(&es, 2, 0.7, &keep) && !keep, "equal is no improvement");
    CHECK(es.best_epoch == 1, "best accuracy epoch");

    /* Keras keeps the first epoch's weights even when its value is NaN */
    early_stop_setup(&es, true, 0, 5, true, NAN);
    early_stop_epoch_end(&es, 0, NAN, &keep);
    CHECK(keep && es.best_epoch == 0 && es.wait == 1, "NaN first epoch");

    /* baseline 0.35: improvements above it count as best but keep waiting; patience 2 stops at
     * epoch index 2 although 0.4 and 0.38 each improved */
    early_stop_setup(&es, true, 0, 2, true, 0.35);
    CHECK(!early_stop_epoch_end(&es, 0, 0.4, &keep) && keep && es.wait == 1, "baseline: first epoch");
    CHECK(!early_stop_epoch_end(&es, 1, 0.38, &keep) && keep && es.wait == 2 && es.best_epoch == 1,
          "baseline: an improvement short of the baseline still waits");
    CHECK(early_stop_epoch_end(&es, 2, 0.39, &keep) && !keep, "baseline: patience runs out");
    early_stop_setup(&es, true, 0, 2, false, 0.35);
    early_stop_epoch_end(&es, 0, 0.4, &keep);
    CHECK(!early_stop_epoch_end(&es, 1, 0.3, &keep) && es.wait == 0, "baseline beaten: the wait starts again");
}

static void test_early_stop_live(void)
{
    rnn_xy d = {N, T, X, Y};
    rnn_fit_opts o = fit_opts(15, 0.25, 11);
    o.early_stopping = "val_loss";
    o.patience = 1;
    o.restore_best_weights = true;
    rnn_history h = {0};
    rnn_error err = {0};
    rnn_model *m = make_model(binary_model, 9);
    compile(m, "adam", 0.3, "binary_crossentropy", "accuracy"); /* a large step: val_loss soon bounces */
    CHECK(rnn_model_fit(m, &d, &o, &h, &err) == RNN_OK, "fit: %s", err.msg);
    printf("early stopping: %d epochs, best %d, reason '%s'\n", h.n_epochs, h.best_epoch, h.stop_reason);
    CHECK(h.best_epoch >= 0 && h.best_epoch < h.n_epochs, "best epoch recorded");
    /* the restored weights reproduce the best epoch's val_loss exactly */
    rnn_xy val = {N - 450, T, X + 450 * T, Y + 450};
    rnn_eval ev;
    CHECK(rnn_model_evaluate(m, &val, 32, &ev, &err) == RNN_OK, "evaluate");
    double best = rnn_history_get(&h, h.best_epoch, "val_loss");
    CHECK(ev.values[0] == best, "restored weights: val_loss %.9g, best epoch's %.9g", ev.values[0], best);
    for (int e = 0; e < h.n_epochs; e++)
        CHECK(rnn_history_get(&h, e, "val_loss") >= best, "epoch %d better than the best", e);
    if (h.n_epochs < 15)
        CHECK(strstr(h.stop_reason, "early stopping") != NULL, "reason: %s", h.stop_reason);

    /* unknown monitor: an error naming the argument */
    o.early_stopping = "val_auc";
    CHECK(rnn_model_fit(m, &d, &o, &h, &err) == RNN_EUSAGE && strstr(err.msg, "early_stopping"), "%s", err.msg);
    rnn_history_free(&h);
    rnn_model_free(m);
}

static int stop_after_three(const rnn_fit_progress *p, void *user)
{
    int *calls = user;
    (*calls)++;
    CHECK(p->epoch_end || (p->batch >= 1 && p->batches == 19 && p->samples == 600 && p->eta >= 0),
          "progress %d/%d", p->batch, p->batches);
    return !p->epoch_end && p->batch == 3;
}

static char warnings[2][400];
static int n_warnings;
static void collect_warning(const char *msg, void *user)
{
    (void)user;
    if (n_warnings < 2)
        snprintf(warnings[n_warnings], sizeof warnings[0], "%s", msg);
    n_warnings++;
}

static void test_stops_and_warnings(void)
{
    rnn_xy d = {N, T, X, Y};
    rnn_fit_opts o = fit_opts(3, 0, 0);
    rnn_history h = {0};
    rnn_error err = {0};
    rnn_model *m = make_model(binary_model, 1);
    compile(m, "sgd", 0.1, "binary_crossentropy", "accuracy");

    /* interruption through the callback after batch 3 of epoch 1: the partial epoch is not in the
     * history (tests/model/test_faults.c has the rest) */
    int calls = 0;
    o.callback = stop_after_three;
    o.user = &calls;
    CHECK(rnn_model_fit(m, &d, &o, &h, &err) == RNN_OK, "interrupted fit is not an error");
    CHECK(h.n_epochs == 0 && strstr(h.stop_reason, "interrupted at epoch 1, batch 3/19"), "reason '%s'",
          h.stop_reason);
    o.callback = NULL;
    atomic_int stop = 1; /* the stop flag: one batch, then out */
    o.stop = &stop;
    CHECK(rnn_model_fit(m, &d, &o, &h, &err) == RNN_OK && h.n_epochs == 0 &&
          strstr(h.stop_reason, "batch 1/19"), "stop flag: %d, '%s'", h.n_epochs, h.stop_reason);
    o.stop = NULL;

    /* NaN weights are refused before anything changes */
    size_t np = rnn_model_n_params(m);
    float *before = malloc(np * sizeof *before);
    rnn_model_params(m)[np - 1] = NAN; /* the output bias */
    memcpy(before, rnn_model_params(m), np * sizeof *before);
    CHECK(rnn_model_fit(m, &d, &o, &h, &err) == RNN_EDATA && strstr(err.msg, "NaN"), "NaN: %s", err.msg);
    CHECK(h.n_epochs == 0 && strstr(h.stop_reason, "batch 1/19"), "history kept: %d, '%s'", h.n_epochs,
          h.stop_reason);
    CHECK(!memcmp(before, rnn_model_params(m), (np - 1) * sizeof *before), "weights kept");
    free(before);
    rnn_history_free(&h);
    rnn_model_free(m);

    /* sorted labels with validation_split: both warnings */
    static int32_t xs[100 * T];
    static int ys[100];
    for (int i = 0; i < 100; i++) {
        memcpy(xs + i * T, X + i * T, T * sizeof *xs);
        ys[i] = i >= 50;
    }
    rnn_xy sorted = {100, T, xs, ys};
    m = make_model(binary_model, 1);
    compile(m, "sgd", 0.1, "binary_crossentropy", NULL);
    o.epochs = 1;
    o.validation_split = 0.2;
    o.warn = collect_warning;
    CHECK(rnn_model_fit(m, &sorted, &o, &h, &err) == RNN_OK, "fit sorted: %s", err.msg);
    CHECK(n_warnings == 2 && strstr(warnings[0], "ordered by label") && strstr(warnings[1], "single class"),
          "%d warnings: '%s' '%s'", n_warnings, warnings[0], warnings[1]);
    CHECK(h.n_metrics == 2 && !strcmp(h.names[1], "val_loss"), "loss-only history");
    /* Keras's split: floor(n * (1 - split)) training rows; too few rows is an error */
    rnn_xy tiny = {1, T, xs, ys};
    o.validation_split = 0.1;
    rnn_history h2 = {0};
    CHECK(rnn_model_fit(m, &tiny, &o, &h2, &err) == RNN_EUSAGE && strstr(err.msg, "validation_split"), "%s",
          err.msg);
    int bad[3] = {0, 2, 1};
    rnn_xy badl = {3, T, xs, bad};
    o.validation_split = 0;
    CHECK(rnn_model_fit(m, &badl, &o, &h2, &err) == RNN_EDATA && strstr(err.msg, "label 2"), "%s", err.msg);
    rnn_history_free(&h);
    rnn_history_free(&h2);
    rnn_model_free(m);
}

/* A Dense whose backward over-reports its kernel gradient by 30%: gradcheck must catch it. */
static rnn_layer_kind broken_dense;
static void broken_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    size_t n = l->n_params;
    float *keep = malloc(n * sizeof *keep);
    memcpy(keep, l->grads, n * sizeof *keep);
    rnn_dense_kind.backward(l, f, dy, dx);
    for (size_t i = 0; i + 1 < n; i++) /* all but the bias */
        l->grads[i] = keep[i] + 1.3f * (l->grads[i] - keep[i]);
    free(keep);
}

static void test_gradcheck_catches(void)
{
    static const char *calls[] = {"Embedding(20, 8)", "LSTM(4)", "Dense(1, activation='sigmoid')", NULL};
    rnn_model *m = make_model(calls, 21);
    compile(m, "adam", 0.001, "binary_crossentropy", NULL);
    broken_dense = rnn_dense_kind;
    broken_dense.backward = broken_backward;
    rnn_layer *l = rnn_model_layer(m, 2);
    l->kind = &broken_dense;
    rnn_gradcheck_report gr;
    rnn_error err = {0};
    CHECK(rnn_model_gradcheck(m, &(rnn_xy){N, T, X, Y}, 4, 1, &gr, &err) == RNN_OK, "%s", err.msg);
    CHECK(!gr.passed && gr.max_rel_error > 0.1, "a 30%% gradient error is caught: max %.3g", gr.max_rel_error);
    for (int i = 0; i < gr.n_rows; i++)
        if (!strcmp(gr.rows[i].layer, "dense") && !strcmp(gr.rows[i].param, "kernel"))
            CHECK(gr.rows[i].max_rel_error > 0.1, "the kernel row shows it");
        else
            CHECK(gr.rows[i].max_rel_error < gr.tolerance, "%s %s clean: %.3g", gr.rows[i].layer,
                  gr.rows[i].param, gr.rows[i].max_rel_error);
    printf("gradcheck catches a 30%% kernel error: max rel error %.3f\n", gr.max_rel_error);
    l->kind = &rnn_dense_kind;
    rnn_model_free(m);
}

/* a frozen layer keeps its weights (no step, no moments); the trainable ones move */
static void test_frozen(void)
{
    static const char *frozen[] = {"Embedding(20, 8, trainable=False)", "GlobalAveragePooling1D()",
                                   "Dense(1, activation='sigmoid')", NULL};
    rnn_model *m = make_model(frozen, 4);
    compile(m, "adam", 0.01, "binary_crossentropy", "accuracy");
    rnn_layer *emb = rnn_model_layer(m, 0), *dense = rnn_model_layer(m, 2);
    CHECK(!emb->trainable && rnn_model_n_trainable(m) == dense->n_params, "trainable count");
    float *before = malloc(emb->n_params * sizeof *before), dense0 = dense->params[0];
    memcpy(before, emb->params, emb->n_params * sizeof *before);
    rnn_fit_opts o = fit_opts(2, 0, 0);
    rnn_history h = {0};
    rnn_error err = {0};
    CHECK(rnn_model_fit(m, &(rnn_xy){N, T, X, Y}, &o, &h, &err) == RNN_OK, "fit: %s", err.msg);
    CHECK(!memcmp(before, emb->params, emb->n_params * sizeof *before), "frozen Embedding untouched");
    CHECK(dense->params[0] != dense0, "Dense trained");
    free(before);
    rnn_history_free(&h);
    rnn_model_free(m);
}

/* gradcheck passes on the recurrent stacks users build (dropout layers are off in the check) */
static void test_gradcheck_models(void)
{
    static const char *stacks[][6] = {
        {"Embedding(20, 8)", "LSTM(6)", "Dense(1, activation='sigmoid')", NULL},
        {"Embedding(20, 8, mask_zero=True)", "GRU(5, dropout=0.3)", "Dense(3, activation='softmax')", NULL},
        {"Embedding(20, 6)", "Bidirectional(LSTM(4, return_sequences=True))", "SimpleRNN(5)",
         "Dense(4, activation='relu')", "Dense(1, activation='sigmoid')", NULL},
        {"Embedding(20, 6)", "SpatialDropout1D(0.2)", "Bidirectional(GRU(3), merge_mode='sum')", "Dropout(0.5)",
         "Dense(2, activation='softmax')", NULL},
    };
    static int y3[N];
    for (int i = 0; i < N; i++)
        y3[i] = X[i * T] % 3;
    for (size_t k = 0; k < sizeof stacks / sizeof stacks[0]; k++) {
        rnn_model *m = make_model(stacks[k], 100 + k);
        rnn_shape s = rnn_model_output_shape(m);
        bool binary = s.dim[0] == 1;
        compile(m, "adam", 0.001, binary ? "binary_crossentropy" : "sparse_categorical_crossentropy", NULL);
        rnn_xy d = {N, T, X, s.dim[0] == 3 ? y3 : Y};
        rnn_gradcheck_report gr;
        rnn_error err = {0};
        CHECK(rnn_model_gradcheck(m, &d, 3, 5, &gr, &err) == RNN_OK, "gradcheck %s: %s", stacks[k][1], err.msg);
        CHECK(gr.passed, "stack %zu (%s) gradcheck: max rel error %.3g", k, stacks[k][1], gr.max_rel_error);
        printf("gradcheck stack %zu (%s ...): %d groups, max rel error %.2e\n", k, stacks[k][1], gr.n_rows,
               gr.max_rel_error);
        rnn_model_free(m);
    }
}

/* A confidently wrong output: the loss and its gradient come from the output layer's logits, as
 * Keras on TensorFlow computes them, so the gradient does not vanish and the loss is not capped at
 * -log(1e-7) = 16.12 as it is on clipped probabilities (which a linear output still uses). */
static void check_saturated(const char *const *calls, const float *bias, int K, int label, double want_loss,
                            const float *want_dbias, bool want_logits)
{
    rnn_error err = {0};
    rnn_model *m = make_model(calls, 1);
    CHECK(compile(m, "sgd", 0.01, K == 1 ? "binary_crossentropy" : "sparse_categorical_crossentropy",
                  "accuracy") == RNN_OK, "compile");
    rnn_layer *dense = rnn_model_layer(m, 2);
    size_t nk = dense->n_params - (size_t)K;
    memset(dense->params, 0, nk * sizeof(float));
    memcpy(dense->params + nk, bias, (size_t)K * sizeof(float));
    enum { B = 4 };
    int32_t x[B * T];
    int y[B], k;
    for (int i = 0; i < B * T; i++)
        x[i] = 1 + i % 19;
    for (int b = 0; b < B; b++)
        y[b] = label;
    const float *out = rnn_model_forward(m, x, B, T, false, &err);
    CHECK(out != NULL, "forward: %s", err.msg);
    float grad[B * 2];
    bool from_logits = false;
    const train_state *st = train_state_get(m);
    double loss = loss_model_batch(st->loss, st->from_logits, m, out, y, NULL, B, K, grad, &from_logits);
    CHECK(from_logits == want_logits, "%s: from_logits %d", calls[2], from_logits);
    CHECK(fabs(loss - want_loss) < 1e-4 * want_loss, "%s: loss %.6f, expected %.6f", calls[2], loss, want_loss);
    rnn_model_zero_grad(m);
    CHECK(loss_model_backward(m, grad, from_logits, &err) == RNN_OK, "backward: %s", err.msg);
    const float *db = dense->grads + nk;
    for (k = 0; k < K; k++)
        CHECK(fabsf(db[k] - want_dbias[k]) < 1e-5f, "%s: dbias[%d] %g, expected %g", calls[2], k, db[k],
              want_dbias[k]);
    rnn_model_free(m);
}

static void test_saturated_outputs(void)
{
    static const char *sig[] = {"Embedding(20, 8)", "GlobalAveragePooling1D()", "Dense(1, activation='sigmoid')", NULL};
    static const char *soft[] = {"Embedding(20, 8)", "GlobalAveragePooling1D()", "Dense(2, activation='softmax')", NULL};
    static const char *lin[] = {"Embedding(20, 8)", "GlobalAveragePooling1D()", "Dense(1, activation='relu')", NULL};
    /* sigmoid(40) is 1.0f: label 0 costs 40 (from logits), d/dbias = p - t = 1 */
    check_saturated(sig, (const float[]){40.0f}, 1, 0, 40.0, (const float[]){1.0f}, true);
    /* softmax of (30, -30), label 1: logsumexp - z_1 = 60; d/dbias = p - onehot = (1, -1) */
    check_saturated(soft, (const float[]){30.0f, -30.0f}, 2, 1, 60.0, (const float[]){1.0f, -1.0f}, true);
    /* a relu output has no logits: clipped probabilities, -log(1 - (1 - 1e-7f)) for p = 1 (relu(1)), label 0,
     * and no gradient beyond the clip */
    check_saturated(lin, (const float[]){1.0f}, 1, 0, -log(1.0 - (double)(1.0f - 1e-7f)), (const float[]){0.0f}, false);
}

/* Fits two models from the same seed for 2 epochs; returns the second's history loss of epoch 2 and
 * its predictions [8][2] in probs. */
static double fit_two_epochs(const char *const *calls, const char *loss, const double *class_weight, int n_cw,
                             float *probs, rnn_history *h)
{
    rnn_error err = {0};
    rnn_model *m = make_model(calls, 5);
    CHECK(compile(m, "adam", 0.01, loss, "accuracy,auc") == RNN_OK, "compile %s", loss);
    rnn_xy d = {N, T, X, Y};
    rnn_fit_opts o = fit_opts(2, 0, 9);
    o.class_weight = class_weight;
    o.n_class_weight = n_cw;
    CHECK(rnn_model_fit(m, &d, &o, h, &err) == RNN_OK, "fit %s: %s", loss, err.msg);
    int nc = 0;
    CHECK(rnn_model_predict(m, X, 8, T, 4, probs, &nc, &err) == RNN_OK && nc == 2, "predict %s", loss);
    double last = rnn_history_get(h, 1, "loss");
    rnn_model_free(m);
    return last;
}

/* from_logits=True on a linear output trains exactly as the sigmoid (softmax) output does without
 * it (Keras computes both from the logits), and metrics and predict see the same probabilities. */
static void test_from_logits(void)
{
    static const char *sig[] = {"Embedding(20, 8)", "GlobalAveragePooling1D()", "Dense(1, activation='sigmoid')", NULL};
    static const char *lin1[] = {"Embedding(20, 8)", "GlobalAveragePooling1D()", "Dense(1)", NULL};
    static const char *soft[] = {"Embedding(20, 8)", "GlobalAveragePooling1D()", "Dense(2, activation='softmax')", NULL};
    static const char *lin2[] = {"Embedding(20, 8)", "GlobalAveragePooling1D()", "Dense(2)", NULL};
    struct { const char *const *a, *const *b; const char *loss_a, *loss_b; } cases[] = {
        {sig, lin1, "binary_crossentropy", "tf.keras.losses.BinaryCrossentropy(from_logits=True)"},
        {soft, lin2, "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy(from_logits=True)"},
        {soft, lin2, "categorical_crossentropy", "CategoricalCrossentropy(from_logits=True)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        float pa[16], pb[16];
        rnn_history ha = {0}, hb = {0};
        double la = fit_two_epochs(cases[i].a, cases[i].loss_a, NULL, 0, pa, &ha);
        double lb = fit_two_epochs(cases[i].b, cases[i].loss_b, NULL, 0, pb, &hb);
        CHECK(isfinite(la) && fabs(la - lb) <= 1e-5 * fabs(la), "%s: loss %.9g, from logits %.9g", cases[i].loss_b, la, lb);
        for (const char *name = "accuracy"; name; name = strcmp(name, "accuracy") == 0 ? "auc" : NULL)
            CHECK(fabs(rnn_history_get(&ha, 1, name) - rnn_history_get(&hb, 1, name)) < 1e-6, "%s: %s %g vs %g",
                  cases[i].loss_b, name, rnn_history_get(&ha, 1, name), rnn_history_get(&hb, 1, name));
        for (int j = 0; j < 16; j++)
            CHECK(fabsf(pa[j] - pb[j]) < 1e-5f, "%s: predict[%d] %g vs %g", cases[i].loss_b, j, pa[j], pb[j]);
        rnn_history_free(&ha);
        rnn_history_free(&hb);
    }
    printf("from_logits=True on a linear output trains and predicts as the sigmoid/softmax output\n");
}

/* class_weight as Keras: sum(w_b loss_b) / B and its gradient; weighted training metrics; weights of
 * 1 change nothing. */
static void test_class_weight(void)
{
    enum { B = 4 };
    const float z[B] = {2.0f, -1.0f, 0.5f, -3.0f};
    const int y[B] = {1, 1, 0, 0};
    const float sw[B] = {6.5f, 6.5f, 1.0f, 1.0f};
    float g[B], g1[B];
    double lw = loss_model_batch(LOSS_BINARY_CE, true, NULL, z, y, sw, B, 1, g, NULL), want = 0;
    for (int b = 0; b < B; b++) {
        double l = loss_model_batch(LOSS_BINARY_CE, true, NULL, z + b, y + b, NULL, 1, 1, g1 + b, NULL);
        want += sw[b] * l / B;
        double p = 1 / (1 + exp(-z[b]));
        CHECK(fabs(g[b] - sw[b] * (p - y[b]) / B) < 1e-6, "weighted gradient[%d] %g", b, g[b]);
    }
    CHECK(fabs(lw - want) < 1e-9, "weighted loss %.12g, expected %.12g", lw, want);
    metric_acc a;
    metric_acc_reset(&a);
    const float p[B] = {0.9f, 0.2f, 0.4f, 0.7f}; /* right, wrong, right, wrong */
    metric_acc_update(&a, p, y, sw, B, 1, lw, false);
    CHECK(fabs(metric_acc_value(&a, METRIC_ACCURACY) - 7.5 / 15.0) < 1e-12, "weighted accuracy %g",
          metric_acc_value(&a, METRIC_ACCURACY));
    CHECK(fabs(metric_acc_value(&a, METRIC_RECALL) - 0.5) < 1e-12 && fabs(metric_acc_value(&a, METRIC_PRECISION) -
          6.5 / 7.5) < 1e-12, "weighted precision %g recall %g", metric_acc_value(&a, METRIC_PRECISION),
          metric_acc_value(&a, METRIC_RECALL));
    static const char *sig[] = {"Embedding(20, 8)", "GlobalAveragePooling1D()", "Dense(1, activation='sigmoid')", NULL};
    float p0[16], p1[16], p2[16];
    rnn_history h0 = {0}, h1 = {0}, h2 = {0};
    const double ones[2] = {1, 1}, heavy[2] = {1, 6.5};
    double l0 = fit_two_epochs(sig, "binary_crossentropy", NULL, 0, p0, &h0);
    double l1 = fit_two_epochs(sig, "binary_crossentropy", ones, 2, p1, &h1);
    double l2 = fit_two_epochs(sig, "binary_crossentropy", heavy, 2, p2, &h2);
    CHECK(l0 == l1 && memcmp(p0, p1, sizeof p0) == 0, "class_weight 1 changes training: %.9g vs %.9g", l0, l1);
    CHECK(l2 > l0 && memcmp(p0, p2, sizeof p0) != 0, "class_weight {0: 1, 1: 6.5}: loss %.9g (unweighted %.9g)", l2, l0);
    rnn_history_free(&h0);
    rnn_history_free(&h1);
    rnn_history_free(&h2);
    printf("class_weight: weighted loss, gradient and metrics as Keras\n");
}

int main(void)
{
    rnn_set_threads(1);
    make_data();
    test_learns_and_reproduces();
    test_softmax();
    test_early_stop_scripted();
    test_early_stop_live();
    test_stops_and_warnings();
    test_gradcheck_models();
    test_frozen();
    test_gradcheck_catches();
    test_saturated_outputs();
    test_from_logits();
    test_class_weight();
    return check_finish("test_fit");
}
