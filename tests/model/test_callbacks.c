/* The Keras callbacks at epoch ends, replayed on scripted histories against the values Keras 3's
 * rules give (keras/src/callbacks/): EarlyStopping's min_delta, patience, baseline,
 * start_from_epoch and restored weights; ReduceLROnPlateau's patience, cooldown and min_lr;
 * ModelCheckpoint's save_best_only, initial_value_threshold and formatted file paths; and the
 * callback calls' parsing with Keras's defaults. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "model/train_internal.h"

#include "tests/check.h"

static char names[3][32] = {"loss", "val_loss", "val_accuracy"};
enum { COL_LOSS, COL_VAL_LOSS, COL_VAL_ACC };

static rnn_model *compiled_model(void)
{
    rnn_error err = {0};
    rnn_model *m = rnn_model_new("cb", 1);
    CHECK(m && !rnn_model_add(m, "Embedding(10, 2)", NULL, &err) && !rnn_model_add(m, "GlobalAveragePooling1D()", NULL, &err) &&
          !rnn_model_add(m, "Dense(1, activation='sigmoid')", NULL, &err), "%s", err.msg);
    rnn_compile_opts o;
    rnn_compile_opts_default(&o);
    o.optimizer = "adam";
    o.learning_rate = 0.001;
    o.loss = "binary_crossentropy";
    o.metrics = "accuracy";
    CHECK(rnn_model_compile(m, &o, &err) == RNN_OK, "%s", err.msg);
    return m;
}

static rnn_callback parse(const char *call)
{
    rnn_callback cb;
    rnn_error err = {0};
    CHECK(rnn_callback_parse(call, &cb, &err) == RNN_OK, "%s: %s", call, err.msg);
    return cb;
}

/* Runs one callback over the values of column col; returns the epoch it stops at, or -1. */
static int replay(rnn_model *m, const rnn_fit_opts *o, int col, const double *v, int n, double *lr_after)
{
    callback_run run;
    rnn_error err = {0};
    CHECK(callbacks_begin(&run, o, names, 3, &err) == RNN_OK, "%s", err.msg);
    train_state *st = train_state_get(m);
    for (int e = 0; e < n; e++) {
        double row[3] = {1, 1, 0.5};
        row[col] = v[e];
        float *w = rnn_model_params(m);
        w[0] = (float)e;   /* marks the weights of epoch e */
        bool stop = false;
        char reason[160] = "";
        CHECK(callbacks_epoch_end(&run, o, m, st, names, 3, row, e, 0, &stop, reason, sizeof reason, &err) == RNN_OK,
              "%s", err.msg);
        if (lr_after) lr_after[e] = st->opt.cfg.learning_rate;
        if (stop) {
            callbacks_end(&run, 1, m);
            return e;
        }
    }
    callbacks_end(&run, 1, m);
    return -1;
}

static void test_early_stopping(rnn_model *m)
{
    rnn_fit_opts o;
    rnn_fit_opts_default(&o);
    rnn_callback cb = parse("EarlyStopping(monitor='val_loss', patience=2, min_delta=0.01)");
    o.callbacks = &cb;
    o.n_callbacks = 1;
    /* best 1.0; 0.995 is within min_delta; 0.98 improves; then two epochs without */
    const double v1[] = {1.0, 0.995, 0.98, 0.975, 0.98, 0.5};
    CHECK(replay(m, &o, COL_VAL_LOSS, v1, 6, NULL) == 4);
    /* a baseline: improving epochs never stop, but wait only resets once the baseline is beaten */
    cb = parse("keras.callbacks.EarlyStopping(monitor='val_accuracy', baseline=0.9, patience=1)");
    const double v2[] = {0.5, 0.6, 0.7, 0.65, 0.95};
    CHECK(replay(m, &o, COL_VAL_ACC, v2, 5, NULL) == 3);
    /* nothing counts before start_from_epoch */
    cb = parse("EarlyStopping(monitor='val_loss', patience=0, start_from_epoch=2)");
    const double v3[] = {0.5, 0.9, 0.9, 0.95, 0.8};
    CHECK(replay(m, &o, COL_VAL_LOSS, v3, 5, NULL) == 3);
    /* mode='max' on a loss */
    cb = parse("EarlyStopping(monitor='loss', mode='max', patience=1)");
    const double v4[] = {0.5, 0.4, 0.6, 0.3};
    CHECK(replay(m, &o, COL_LOSS, v4, 4, NULL) == 1);
    /* restore_best_weights: the weights of the best epoch, also when the epochs run out */
    cb = parse("EarlyStopping(monitor='val_loss', patience=5, restore_best_weights=True)");
    const double v5[] = {0.9, 0.7, 0.8, 0.75};
    CHECK(replay(m, &o, COL_VAL_LOSS, v5, 4, NULL) == -1);
    CHECK(rnn_model_params(m)[0] == 1.0f, "restored the weights of epoch %g", rnn_model_params(m)[0]);
    cb = parse("EarlyStopping(monitor='val_loss', patience=1, restore_best_weights=True)");
    const double v6[] = {0.9, 0.95, 0.96};
    CHECK(replay(m, &o, COL_VAL_LOSS, v6, 3, NULL) == 1);
    CHECK(rnn_model_params(m)[0] == 0.0f, "restored the weights of epoch %g", rnn_model_params(m)[0]);
}

static void test_reduce_lr(rnn_model *m)
{
    rnn_fit_opts o;
    rnn_fit_opts_default(&o);
    rnn_callback cb = parse("ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.0002)");
    CHECK(!strcmp(cb.monitor, "val_loss") && cb.min_delta == 1e-4);
    o.callbacks = &cb;
    o.n_callbacks = 1;
    train_state_get(m)->opt.cfg.learning_rate = 0.001;
    const double v[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    double lr[9];
    CHECK(replay(m, &o, COL_VAL_LOSS, v, 9, lr) == -1);
    const double want[9] = {0.001, 0.001, 0.0005, 0.0005, 0.00025, 0.00025, 0.0002, 0.0002, 0.0002};
    for (int e = 0; e < 9; e++) CHECK(fabs(lr[e] - want[e]) < 1e-9, "epoch %d: lr %g, expected %g", e, lr[e], want[e]);
    /* an improvement beyond min_delta resets the wait; 'acc' in the name means up */
    cb = parse("ReduceLROnPlateau(monitor='val_accuracy', factor=0.1, patience=1)");
    train_state_get(m)->opt.cfg.learning_rate = 0.01;
    const double a[4] = {0.5, 0.6, 0.60005, 0.7};
    CHECK(replay(m, &o, COL_VAL_ACC, a, 4, lr) == -1);
    CHECK(fabs(lr[1] - 0.01) < 1e-12 && fabs(lr[2] - 0.001) < 1e-9 && fabs(lr[3] - 0.001) < 1e-9,
          "lr %g %g %g", lr[1], lr[2], lr[3]);
}

static char saved[8][64];
static int n_saved;
static int record_save(const char *path, void *user, rnn_error *err)
{
    (void)user; (void)err;
    if (n_saved < 8) snprintf(saved[n_saved++], sizeof saved[0], "%s", path);
    return RNN_OK;
}

static void test_checkpoint(rnn_model *m)
{
    rnn_fit_opts o;
    rnn_fit_opts_default(&o);
    o.save = record_save;
    rnn_callback cb = parse("ModelCheckpoint('ck-{epoch:02d}-{val_accuracy:.2f}.rnnlab', monitor='val_accuracy', "
                            "save_best_only=True)");
    o.callbacks = &cb;
    o.n_callbacks = 1;
    const double v[3] = {0.5, 0.4, 0.625};
    n_saved = 0;
    replay(m, &o, COL_VAL_ACC, v, 3, NULL);
    CHECK(n_saved == 2 && !strcmp(saved[0], "ck-01-0.50.rnnlab") && !strcmp(saved[1], "ck-03-0.62.rnnlab"),
          "%d saves: %s %s", n_saved, saved[0], saved[1]);
    cb = parse("ModelCheckpoint(filepath='best.rnnlab', save_best_only=True, initial_value_threshold=0.45)");
    const double l[3] = {0.5, 0.4, 0.42};
    n_saved = 0;
    replay(m, &o, COL_VAL_LOSS, l, 3, NULL);
    CHECK(n_saved == 1 && !strcmp(saved[0], "best.rnnlab"), "%d saves", n_saved);
    cb = parse("ModelCheckpoint('every-{epoch}.rnnlab')");
    n_saved = 0;
    replay(m, &o, COL_VAL_LOSS, l, 3, NULL);
    CHECK(n_saved == 3 && !strcmp(saved[2], "every-3.rnnlab"), "%d saves", n_saved);
}

static void test_parse(void)
{
    rnn_callback cb = parse("tf.keras.callbacks.EarlyStopping()");
    CHECK(cb.kind == RNN_CALLBACK_EARLY_STOPPING && !strcmp(cb.monitor, "val_loss") && cb.patience == 0 &&
          cb.min_delta == 0 && isnan(cb.baseline) && !strcmp(cb.mode, "auto"));
    cb = parse("ReduceLROnPlateau()");
    CHECK(cb.factor == 0.1 && cb.patience == 10 && cb.cooldown == 0 && cb.min_lr == 0);
    rnn_error err = {0};
    CHECK(rnn_callback_parse("ReduceLROnPlateau(factor=2)", &cb, &err) == RNN_EUSAGE && strstr(err.msg, "factor"));
    CHECK(rnn_callback_parse("ModelCheckpoint()", &cb, &err) == RNN_EUSAGE);
    CHECK(rnn_callback_parse("EarlyStopping(patience=-1)", &cb, &err) == RNN_EUSAGE);
    CHECK(rnn_callback_parse("EarlyStopping(paitence=3)", &cb, &err) == RNN_EUSAGE && strstr(err.msg, "patience"));
    CHECK(rnn_callback_parse("CSVLogger('a.csv')", &cb, &err) == RNN_EUSAGE);
}

int main(void)
{
    rnn_model *m = compiled_model();
    test_parse();
    test_early_stopping(m);
    test_reduce_lr(m);
    test_checkpoint(m);
    rnn_model_free(m);
    return check_finish("test_callbacks");
}
