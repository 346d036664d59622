/* Optimizer steps and losses against the Keras-rule fixtures of tests/model/gen_fixtures.py. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/train_internal.h"
#include "rnnlab/comm.h"

#include "tests/check.h"

static const char *fixture_dir(void)
{
    static char dir[4096];
    const char *s = getenv("srcdir");
    snprintf(dir, sizeof dir, "%s/tests/fixtures/model", s ? s : ".");
    return dir;
}

/* Reads numbers after the key of a line "key v v v"; returns the count. */
static int parse_floats(const char *line, float *out, int max)
{
    const char *p = strchr(line, ' ');
    int n = 0;
    while (p && n < max) {
        char *end;
        double v = strtod(p, &end);
        if (end == p)
            break;
        out[n++] = (float)v;
        p = end;
    }
    return n;
}

static bool close_rel(double a, double b, double rel, double abs_tol)
{
    return fabs(a - b) <= abs_tol + rel * fabs(b);
}

static void run_optim_case(const char *name)
{
    char path[4200], line[8192];
    snprintf(path, sizeof path, "%s/optim_%s.txt", fixture_dir(), name);
    FILE *f = fopen(path, "r");
    if (!f) {
        CHECK(0, "cannot open %s", path);
        return;
    }
    rnn_compile_opts o;
    rnn_compile_opts_default(&o);
    static char kind[32];
    size_t sizes[4] = {0};
    int n_vars = 0;
    float w[64], g[64], want[64];
    int n = 0, step = 0;
    optim opt;
    bool ready = false;
    while (fgets(line, sizeof line, f)) {
        char key[32];
        double v;
        if (sscanf(line, "%31s", key) != 1)
            continue;
        if (!strcmp(key, "optimizer")) {
            sscanf(line, "%*s %31s", kind);
            o.optimizer = kind;
        } else if (!strcmp(key, "sizes")) {
            const char *p = line + 5;
            int k;
            while (sscanf(p, " %zu%n", &sizes[n_vars], &k) == 1) {
                n_vars++;
                p += k;
            }
        } else if (!strcmp(key, "w0")) {
            n = parse_floats(line, w, 64);
            optim_config c;
            rnn_error err;
            CHECK(optim_config_from_opts(&o, &c, &err) == RNN_OK, "%s: config: %s", name, err.msg);
            CHECK(optim_init(&opt, &c, (size_t)n, &err) == RNN_OK, "%s: init", name);
            ready = true;
        } else if (!strcmp(key, "g")) {
            parse_floats(line, g, 64);
        } else if (!strcmp(key, "w") && ready) {
            parse_floats(line, want, 64);
            step++;
            size_t off = 0;
            for (int i = 0; i < n_vars; i++) {
                optim_clip(&opt.cfg, g + off, sizes[i]);
                optim_update(&opt, w + off, g + off, off, sizes[i]);
                off += sizes[i];
            }
            optim_step_done(&opt);
            for (int i = 0; i < n; i++)
                CHECK(close_rel(w[i], want[i], 2e-6, 1e-7), "%s step %d w[%d] = %.9g, Keras %.9g", name, step,
                      i, w[i], want[i]);
        } else if (sscanf(line, "%*s %lf", &v) == 1) {
            if (!strcmp(key, "learning_rate")) o.learning_rate = v;
            else if (!strcmp(key, "momentum")) o.momentum = v;
            else if (!strcmp(key, "nesterov")) o.nesterov = v != 0;
            else if (!strcmp(key, "clipnorm")) o.clipnorm = v;
            else if (!strcmp(key, "clipvalue")) o.clipvalue = v;
            else if (!strcmp(key, "rho")) o.rho = v;
            else if (!strcmp(key, "epsilon")) o.epsilon = v;
            else if (!strcmp(key, "beta_1")) o.beta_1 = v;
            else if (!strcmp(key, "beta_2")) o.beta_2 = v;
            else if (!strcmp(key, "weight_decay")) o.weight_decay = v;
            else if (!strcmp(key, "initial_accumulator_value")) o.initial_accumulator_value = v;
            else if (strcmp(key, "steps")) CHECK(0, "%s: unknown key %s", name, key);
        }
    }
    fclose(f);
    CHECK(step == 6, "%s: %d steps checked", name, step);
    if (ready) {
        CHECK(opt.iterations == 6, "%s: iterations %lld", name, (long long)opt.iterations);
        optim_free(&opt);
    }
    printf("optimizer %-18s %d steps match Keras\n", name, step);
}

static void test_losses(void)
{
    char path[4200], line[8192];
    snprintf(path, sizeof path, "%s/losses.txt", fixture_dir());
    FILE *f = fopen(path, "r");
    if (!f) {
        CHECK(0, "cannot open %s", path);
        return;
    }
    char kind[64] = "";
    int B = 0, K = 0, y[64], cases = 0;
    float p[256], want_g[256], g[256];
    double want_loss = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "case ", 5)) {
            sscanf(line, "case %63s %d %d", kind, &B, &K);
        } else if (!strncmp(line, "p ", 2)) {
            parse_floats(line, p, 256);
        } else if (!strncmp(line, "y ", 2)) {
            float yf[64];
            int n = parse_floats(line, yf, 64);
            for (int i = 0; i < n; i++)
                y[i] = (int)yf[i];
        } else if (!strncmp(line, "loss ", 5)) {
            want_loss = strtod(line + 5, NULL);
        } else if (!strncmp(line, "grad ", 5)) {
            parse_floats(line, want_g, 256);
            loss_kind lk;
            rnn_error err;
            CHECK(loss_parse(kind, &lk, &err) == RNN_OK, "loss %s", kind);
            double l = loss_batch(lk, p, y, B, K, g);
            CHECK(close_rel(l, want_loss, 1e-6, 1e-9), "%s: loss %.9g, Keras %.9g", kind, l, want_loss);
            for (int i = 0; i < B * K; i++)
                CHECK(close_rel(g[i], want_g[i], 1e-5, 1e-9), "%s: grad[%d] %.9g, Keras %.9g", kind, i, g[i],
                      want_g[i]);
            cases++;
        }
    }
    fclose(f);
    CHECK(cases == 4, "%d loss cases", cases);
    printf("losses: %d cases match Keras (values and gradients)\n", cases);

    /* NaN in the output gives a NaN loss (fit stops on it) */
    float pn[2] = {NAN, 0.5f};
    int yn[2] = {1, 0};
    CHECK(isnan(loss_batch(LOSS_BINARY_CE, pn, yn, 2, 1, NULL)), "NaN output -> NaN loss");
    CHECK(isnan(loss_batch(LOSS_SPARSE_CCE, pn, yn, 1, 2, NULL)), "NaN output -> NaN loss (softmax)");
}

static void test_config_errors(void)
{
    rnn_compile_opts o;
    optim_config c;
    rnn_error err;
    rnn_compile_opts_default(&o);
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_OK && c.kind == OPTIM_RMSPROP &&
          c.learning_rate == 0.001 && c.rho == 0.9 && c.epsilon == 1e-7, "defaults are Keras's rmsprop");
    o.optimizer = "SGD";
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_OK && c.learning_rate == 0.01, "sgd lr 0.01");
    o.optimizer = "Adam";
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_OK && c.beta_1 == 0.9 && c.beta_2 == 0.999,
          "adam betas");
    o.clipnorm = 1;
    o.clipvalue = 1;
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_EUSAGE && strstr(err.msg, "clipnorm"),
          "clipnorm and clipvalue together rejected: %s", err.msg);
    rnn_compile_opts_default(&o);
    o.optimizer = "adadelta";
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_EUSAGE && strstr(err.msg, "adadelta") &&
          strstr(err.msg, "adamw"), "unknown optimizer: %s", err.msg);
    rnn_compile_opts_default(&o);
    o.optimizer = "AdamW";
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_OK && c.kind == OPTIM_ADAMW && c.weight_decay == 0.004 &&
          c.learning_rate == 0.001, "AdamW defaults: weight_decay 0.004");
    o.optimizer = "Adagrad";
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_OK && c.initial_accumulator == 0.1 && c.weight_decay == 0,
          "Adagrad defaults: initial_accumulator_value 0.1");
    o.optimizer = "nadam";
    o.momentum = 0.9;
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_EUSAGE && strstr(err.msg, "nadam"), "momentum with nadam");
    rnn_compile_opts_default(&o);
    o.optimizer = "adam";
    o.initial_accumulator_value = 0.2;
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_EUSAGE && strstr(err.msg, "adagrad only"),
          "initial_accumulator_value with adam: %s", err.msg);
    rnn_compile_opts_default(&o);
    o.weight_decay = -0.1;
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_EUSAGE && strstr(err.msg, "weight_decay"), "negative decay");
    rnn_compile_opts_default(&o);
    o.learning_rate = -1;
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_EUSAGE && strstr(err.msg, "learning_rate"), "bad lr");
}

/* RMSprop's row-sparse update (an Embedding's gradient) against the dense update of the same
 * steps, ROWS rows of LEN floats on `threads` threads: the same weights and, once flushed, the same
 * velocities, bit for bit. */
static void rmsprop_rows_case(int ROWS, int LEN, int threads)
{
    enum { STEPS = 9 };
    size_t N = (size_t)ROWS * LEN;
    rnn_set_threads(threads);
    rnn_compile_opts o;
    rnn_compile_opts_default(&o);
    o.optimizer = "rmsprop";
    optim_config c;
    rnn_error err;
    optim dense, lazy;
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_OK, "rmsprop config: %s", err.msg);
    CHECK(optim_init(&dense, &c, N, &err) == RNN_OK && optim_init(&lazy, &c, N, &err) == RNN_OK, "init");
    float *wd = malloc(N * sizeof *wd), *wl = malloc(N * sizeof *wl), *g = malloc(N * sizeof *g);
    int64_t *stamp = calloc((size_t)ROWS, sizeof *stamp);
    int32_t *rows = malloc((size_t)ROWS * sizeof *rows);
    for (size_t i = 0; i < N; i++)
        wd[i] = wl[i] = 0.01f * (float)((i * 37) % 23) - 0.1f;
    for (int step = 0; step < STEPS; step++) {
        long nr = 0;
        memset(g, 0, N * sizeof *g);
        for (int r = 0; r < ROWS; r++)
            if ((r * 7 + step * 3) % 5 < 2) { /* a changing subset; some rows wait several steps */
                rows[nr++] = r;
                for (int j = 0; j < LEN; j++)
                    g[(size_t)r * LEN + j] = 0.05f * (float)(((r + 1) * (j + 2) * (step + 3)) % 17) - 0.4f;
            }
        optim_update(&dense, wd, g, 0, N);
        optim_update_rows(&lazy, wl, g, 0, LEN, rows, nr, stamp);
        optim_step_done(&dense);
        optim_step_done(&lazy);
    }
    CHECK(memcmp(wd, wl, N * sizeof *wd) == 0, "row-sparse RMSprop, %d x %d on %d threads: weights differ from "
          "the dense update", ROWS, LEN, threads);
    optim_flush_rows(&lazy, 0, LEN, (size_t)ROWS, stamp);
    CHECK(memcmp(dense.slot[0], lazy.slot[0], N * sizeof(float)) == 0, "row-sparse RMSprop, %d x %d on %d "
          "threads: flushed velocities differ from the dense update", ROWS, LEN, threads);
    optim_free(&dense);
    optim_free(&lazy);
    free(wd);
    free(wl);
    free(g);
    free(stamp);
    free(rows);
    rnn_set_threads(1);
}

/* The row-sparse update exactly where it is offered: small, and large enough to be shared out
 * over threads; with momentum or with Adam it is not exact and is not offered. */
static void test_rmsprop_rows(void)
{
    rmsprop_rows_case(12, 8, 1);
    for (int threads = 1; threads <= 3; threads++)
        rmsprop_rows_case(8192, 32, threads);
    rnn_compile_opts o;
    rnn_compile_opts_default(&o);
    o.optimizer = "rmsprop";
    optim_config c;
    rnn_error err;
    optim lazy;
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_OK && optim_init(&lazy, &c, 96, &err) == RNN_OK, "init");
    CHECK(optim_rows_exact(&lazy), "RMSprop without momentum: row updates are exact");
    optim_free(&lazy);
    o.momentum = 0.9;
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_OK && optim_init(&lazy, &c, 96, &err) == RNN_OK, "init");
    CHECK(!optim_rows_exact(&lazy), "RMSprop with momentum moves rows without gradient: no row updates");
    optim_free(&lazy);
    o.optimizer = "adam";
    o.momentum = NAN;
    CHECK(optim_config_from_opts(&o, &c, &err) == RNN_OK && optim_init(&lazy, &c, 96, &err) == RNN_OK, "init");
    CHECK(!optim_rows_exact(&lazy), "Adam moves rows without gradient: no row updates");
    optim_free(&lazy);
}

/* A sweep changes one optimizer setting of a compiled model and keeps the others. */
static void test_set_value_keeps_settings(void)
{
    rnn_error err;
    rnn_model *m = rnn_model_new("m", 1);
    CHECK(rnn_model_add(m, "Embedding(10, 2)", NULL, &err) == RNN_OK && rnn_model_add(m, "GlobalAveragePooling1D()", NULL, &err) == RNN_OK &&
          rnn_model_add(m, "Dense(1, activation='sigmoid')", NULL, &err) == RNN_OK, "model: %s", err.msg);
    const char *kinds[] = {"adamw", "adagrad"};
    for (int k = 0; k < 2; k++) {
        rnn_compile_opts o;
        rnn_compile_opts_default(&o);
        o.optimizer = kinds[k];
        o.loss = "binary_crossentropy";
        o.weight_decay = 0.3;
        if (k == 1) o.initial_accumulator_value = 0.5;
        CHECK(rnn_model_compile(m, &o, &err) == RNN_OK, "compile %s: %s", kinds[k], err.msg);
        CHECK(rnn_model_set_optimizer_value(m, "learning_rate", 0.02, &err) == RNN_OK, "set learning_rate: %s", err.msg);
        const optim_config *c = &train_state_get(m)->opt.cfg;
        CHECK(fabs(c->learning_rate - 0.02) < 1e-12 && fabs(c->weight_decay - 0.3) < 1e-12, "%s: learning_rate %g, weight_decay %g",
              kinds[k], c->learning_rate, c->weight_decay);
        CHECK(k == 0 || fabs(c->initial_accumulator - 0.5) < 1e-12, "adagrad keeps initial_accumulator_value (%g)", c->initial_accumulator);
    }
    rnn_model_free(m);
}

int main(void)
{
    const char *cases[] = {"sgd_plain", "sgd_momentum", "sgd_nesterov", "sgd_clipvalue",
                           "rmsprop_default", "rmsprop_momentum", "adam_default", "adam_clipnorm",
                           "adagrad_default", "adagrad_custom", "nadam_default", "nadam_custom",
                           "adamw_default", "adamw_decay", "sgd_weight_decay"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_optim_case(cases[i]);
    test_losses();
    test_config_errors();
    test_rmsprop_rows();
    test_set_value_keeps_settings();
    return check_finish("test_optim");
}
