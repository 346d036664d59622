/* Model tests: Keras summary layout and counts, add errors (messages name the layer), pop,
 * auto-naming, forward/backward plumbing (masks, sequence outputs), no-op reserve. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/model.h"

#include "tests/check.h"

/* Builds a model from ';'-separated calls; returns NULL (and reports) on an error. */
static rnn_model *build(const char *name, const char *const *calls, const rnn_add_ctx *ctx)
{
    rnn_model *m = rnn_model_new(name, 42);
    for (int i = 0; calls[i]; i++) {
        rnn_error err = {0};
        if (rnn_model_add(m, calls[i], ctx, &err)) {
            printf("FAIL add %s: %s\n", calls[i], err.msg);
            failures++;
            rnn_model_free(m);
            return NULL;
        }
    }
    return m;
}

static bool kind_available(const char *name) { return rnn_layer_kind_find(name) != NULL; }

static void check_summary_text(void)
{
    const char *calls[] = {"Embedding(10000, 32)", "GlobalAveragePooling1D()", "Dense(1, activation='sigmoid')", NULL};
    rnn_model *m = build("sequential", calls, NULL);
    if (!m)
        return;
    char *s = rnn_model_summary(m, 0);
    const char *want =
        "Model: \"sequential\"\n"
        "_________________________________________________________________\n"
        "Layer (type)                 Output Shape              Param #   \n"
        "=================================================================\n"
        "embedding (Embedding)        (None, None, 32)          320000    \n"
        "_________________________________________________________________\n"
        "global_average_pooling1d (Gl (None, 32)                0         \n"
        "_________________________________________________________________\n"
        "dense (Dense)                (None, 1)                 33        \n"
        "=================================================================\n"
        "Total params: 320,033\n"
        "Trainable params: 320,033\n"
        "Non-trainable params: 0\n"
        "_________________________________________________________________\n";
    CHECK(s && strcmp(s, want) == 0, "summary text:\n%s\nwanted:\n%s", s ? s : "(null)", want);
    free(s);
    rnn_model_free(m);
}

static void check_counts(const char *what, const char *const *calls, const rnn_add_ctx *ctx, size_t total,
                         size_t trainable, const char *needs)
{
    if (needs && !kind_available(needs)) {
        printf("skip %s (%s not available yet)\n", what, needs);
        return;
    }
    rnn_model *m = build("sequential", calls, ctx);
    if (!m)
        return;
    CHECK(rnn_model_n_params(m) == total, "%s: %zu params, wanted %zu", what, rnn_model_n_params(m), total);
    CHECK(rnn_model_n_trainable(m) == trainable, "%s: %zu trainable, wanted %zu", what, rnn_model_n_trainable(m),
          trainable);
    char *s = rnn_model_summary(m, 0);
    printf("%s\n%s", what, s);
    free(s);
    rnn_model_free(m);
}

static void check_seed_counts(void)
{
    const char *s004a[] = {"Embedding(10000, 32)", "SimpleRNN(32)", NULL};
    check_counts("Chollet SimpleRNN(32)", s004a, NULL, 322080, 322080, "SimpleRNN");
    const char *s004b[] = {"Embedding(10000, 32)", "SimpleRNN(32, return_sequences=True)",
                           "SimpleRNN(32, return_sequences=True)", "SimpleRNN(32, return_sequences=True)",
                           "SimpleRNN(32)", NULL};
    check_counts("Chollet stacked SimpleRNN", s004b, NULL, 328320, 328320, "SimpleRNN");
    const char *s001[] = {"tf.keras.layers.Embedding(input_dim=10000, output_dim=128)",
                          "tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(64))", "tf.keras.layers.Flatten()",
                          "tf.keras.layers.Dense(64, activation=\"relu\")", "tf.keras.layers.Dropout(0.3)",
                          "tf.keras.layers.Dense(1, activation=\"sigmoid\")", NULL};
    check_counts("IMDB BiLSTM(64)", s001, NULL, 1387137, 1387137, "Bidirectional");
    static float w[20000 * 300];
    rnn_fmatrix pre = {20000, 300, w};
    rnn_add_ctx ctx = {.pretrained = &pre};
    const char *s000[] = {"layers.Embedding(weights=[pretrained], input_dim=20000, output_dim=300, trainable=False)",
                          "layers.SpatialDropout1D(0.2)", "layers.Bidirectional(layers.GRU(128, dropout=0.3))",
                          "layers.Dropout(0.6)", "layers.Dense(2, activation='softmax')", NULL};
    check_counts("IMDB BiGRU(128), frozen embedding", s000, &ctx, 6330754, 330754, "Bidirectional");
    const char *s000_in[] = {"layers.Input(shape=(284,))", "layers.Embedding(input_dim=200, output_dim=30)",
                             "layers.SpatialDropout1D(0.2)", "Dense(2)", NULL};
    rnn_model *mi = build(NULL, s000_in, NULL);
    if (mi) {
        char *sum = rnn_model_summary(mi, 0);
        CHECK(rnn_model_n_layers(mi) == 3 && strstr(sum, "(None, 284, 30)") && strstr(sum, "(None, 284, 2)"),
              "Input(shape=(284,)):\n%s", sum);
        char call[128];
        rnn_layer *e = rnn_model_layer(mi, 0);
        e->kind->describe(e, call, sizeof call);
        CHECK(strcmp(call, "Embedding(200, 30, input_length=284)") == 0, "describe keeps the length: %s", call);
        free(sum);
        rnn_model_free(mi);
    }
    const char *s003[] = {"tf.keras.layers.Embedding(input_dim=10000, output_dim=16, input_length=500)",
                          "tf.keras.layers.Dropout(rate=0.25)", "Flatten()", "Dense(units=1, activation='sigmoid')", NULL};
    check_counts("input_length and Flatten", s003, NULL, 160000 + 8001, 168001, NULL);
}

/* Conv1D text classifiers: Keras's counts and shapes, and sequences too short for the windows. */
static void check_conv_model(void)
{
    const char *cnn[] = {"Embedding(5000, 50)", "Conv1D(250, 3, activation='relu')", "GlobalMaxPooling1D()",
                         "Dense(250)", "Dense(1)", NULL};
    check_counts("Conv1D text classifier", cnn, NULL, 350751, 350751, NULL);
    const char *shapes[] = {"Embedding(100, 8, input_length=400)", "Conv1D(32, 5, strides=2, padding='same')",
                            "MaxPooling1D()", "AveragePooling1D(3, padding='same')",
                            "Conv1D(8, (3,), padding='causal', dilation_rate=2, activation='relu')",
                            "Activation('tanh')", "Flatten()", "Dense(1)", NULL};
    rnn_model *m = build(NULL, shapes, NULL);
    if (m) {
        char *sum = rnn_model_summary(m, 0);
        CHECK(strstr(sum, "(None, 200, 32)") && strstr(sum, "(None, 100, 32)") && strstr(sum, "(None, 34, 32)") &&
              strstr(sum, "(None, 34, 8)") && strstr(sum, "(None, 272)") && rnn_model_n_params(m) == 800 + 1312 + 776 + 273,
              "Conv1D and pooling shapes:\n%s", sum);
        free(sum);
        rnn_model_free(m);
    }
    const char *any[] = {"Embedding(20, 3)", "Conv1D(4, 3)", "MaxPooling1D(2)", "Flatten()", NULL};
    const char *pooled[] = {"Embedding(20, 3)", "Conv1D(4, 3)", "MaxPooling1D(2)", "GlobalMaxPooling1D()", NULL};
    m = build(NULL, pooled, NULL);
    if (m) {
        rnn_error err = {0};
        int32_t x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        CHECK(rnn_model_forward(m, x, 2, 4, false, &err) != NULL, "4 steps -> Conv1D(k=3) -> 2 -> MaxPooling1D(2) -> 1: %s",
              err.msg);
        CHECK(rnn_model_forward(m, x, 1, 3, false, &err) == NULL && strstr(err.msg, "max_pooling1d"),
              "3 steps -> 1 -> none: %s", err.msg);
        CHECK(rnn_model_forward(m, x, 1, 2, false, &err) == NULL && strstr(err.msg, "conv1d"), "2 steps: %s", err.msg);
        rnn_model_free(m);
    }
    rnn_model *f = rnn_model_new("m", 1);
    rnn_error err = {0};
    for (int i = 0; any[i] && !rnn_model_add(f, any[i], NULL, &err); i++)
        ;
    CHECK(strstr(err.msg, "Flatten needs a known sequence length"), "Flatten after Conv1D of None steps: %s", err.msg);
    rnn_model_free(f);
}

/* An add that must fail, with a message containing `want`; the model must be unchanged. */
static void check_add_error(const char *const *before, const char *call, const char *want)
{
    rnn_model *m = build("m", before, NULL);
    if (!m)
        return;
    size_t n = rnn_model_n_layers(m), p = rnn_model_n_params(m);
    rnn_error err = {0};
    int rc = rnn_model_add(m, call, NULL, &err);
    CHECK(rc == RNN_EUSAGE, "add %s: status %d, wanted %d", call, rc, RNN_EUSAGE);
    CHECK(strstr(err.msg, want) != NULL, "add %s: message '%s' lacks '%s'", call, err.msg, want);
    CHECK(rnn_model_n_layers(m) == n && rnn_model_n_params(m) == p, "add %s changed the model", call);
    printf("ok error: %s -> %s\n", call, err.msg);
    rnn_model_free(m);
}

static void check_errors(void)
{
    const char *none[] = {NULL};
    const char *emb[] = {"Embedding(100, 8)", NULL};
    const char *emb_vec[] = {"Embedding(100, 8)", "GlobalMaxPooling1D()", NULL};
    check_add_error(none, "Dense(3)", "first layer must be Embedding");
    check_add_error(none, "Dense(3", "expected ',' or ')'");
    check_add_error(none, "Lstm(3)", "did you mean LSTM");
    check_add_error(none, "Embedding(100)", "output_dim");
    check_add_error(emb, "Embedding(100, 8)", "must be the first layer");
    check_add_error(emb, "Flatten()", "Flatten needs a known sequence length");
    check_add_error(emb, "Dense(units='relu')", "Dense: 'units' expects an integer, got 'relu'");
    check_add_error(emb, "Dense(3, activation='gelu')", "expects an activation");
    check_add_error(emb, "Dense(3, unit=4)", "did you mean 'units'");
    check_add_error(emb, "Dropout(1.5)", "'rate' must be in [0, 1)");
    check_add_error(emb, "Dropout()", "'rate' is required");
    check_add_error(emb_vec, "GlobalMaxPooling1D()", "expects a sequence");
    check_add_error(emb_vec, "SpatialDropout1D(0.2)", "expects a sequence");
    check_add_error(emb, "Embedding(100, 8, weights=pretrained)", "no pretrained vectors");
    check_add_error(emb, "Input(shape=(10,))", "must come before the first layer");
    check_add_error(none, "Input(shape=10)", "'shape' expects a tuple");
    const char *input[] = {"Input(shape=(20,))", NULL};
    check_add_error(input, "Embedding(100, 8, input_length=30)", "input_length=30 but the Input has length 20");
    if (kind_available("LSTM")) {
        const char *emb_lstm[] = {"Embedding(100, 8)", "LSTM(4)", NULL};
        check_add_error(emb_lstm, "GlobalMaxPooling1D()", "after LSTM(4");
    }
    float w[6] = {0};
    rnn_fmatrix pre = {3, 2, w};
    rnn_add_ctx ctx = {.pretrained = &pre};
    rnn_model *m = rnn_model_new(NULL, 1);
    rnn_error err = {0};
    CHECK(rnn_model_add(m, "Embedding(100, 8, weights=pretrained)", &ctx, &err) == RNN_EUSAGE &&
              strstr(err.msg, "is 3 x 2 but the layer is input_dim=100 x output_dim=8"),
          "pretrained dimension error: %s", err.msg);
    rnn_model_free(m);
}

static void check_names_and_pop(void)
{
    const char *calls[] = {"Embedding(50, 4, name='emb')", "Dense(3)", "Dense(3)", "Dropout(0.1)", "Dense(2)", NULL};
    rnn_model *m = build(NULL, calls, NULL);
    if (!m)
        return;
    const char *want[] = {"emb", "dense", "dense_1", "dropout", "dense_2"};
    for (size_t i = 0; i < 5; i++)
        CHECK(strcmp(rnn_model_layer(m, i)->name, want[i]) == 0, "layer %zu named %s, wanted %s", i,
              rnn_model_layer(m, i)->name, want[i]);
    CHECK(strcmp(rnn_model_name(m), "sequential") == 0, "default model name %s", rnn_model_name(m));
    /* pop keeps the other layers' weights and re-points the views */
    float before = rnn_model_layer(m, 1)->params[5];
    rnn_error err = {0};
    CHECK(rnn_model_pop(m, &err) == RNN_OK, "pop: %s", err.msg);
    CHECK(rnn_model_n_layers(m) == 4 && rnn_model_n_params(m) == 200 + 15 + 12, "after pop: %zu layers %zu params",
          rnn_model_n_layers(m), rnn_model_n_params(m));
    CHECK(rnn_model_layer(m, 1)->params[5] == before, "pop changed weights");
    CHECK(rnn_model_layer(m, 1)->params == rnn_model_params(m) + 200, "views not contiguous after pop");
    CHECK(rnn_model_add(m, "Dense(2)", NULL, &err) == RNN_OK && strcmp(rnn_model_layer(m, 4)->name, "dense_2") == 0,
          "re-add after pop: %s", err.msg);
    rnn_model_free(m);
}

/* Forward/backward plumbing: a sequence output comes back batch-major; gradients accumulate. */
static void check_forward_backward(void)
{
    const char *calls[] = {"Embedding(20, 3, mask_zero=True)", "Dense(2)", NULL};
    rnn_model *m = build(NULL, calls, NULL);
    if (!m)
        return;
    int32_t x[2 * 4] = {0, 0, 5, 7, 1, 2, 3, 4};
    rnn_error err = {0};
    const float *y = rnn_model_forward(m, x, 2, 4, false, &err);
    CHECK(y != NULL, "forward: %s", err.msg);
    if (!y) {
        rnn_model_free(m);
        return;
    }
    const float *E = rnn_model_params(m), *W = E + 60, *bias = W + 6;
    double maxd = 0;
    for (int b = 0; b < 2; b++)
        for (int t = 0; t < 4; t++)
            for (int j = 0; j < 2; j++) {
                double v = bias[j];
                for (int k = 0; k < 3; k++)
                    v += E[x[b * 4 + t] * 3 + k] * W[k * 2 + j];
                double d = v - y[(b * 4 + t) * 2 + j];
                maxd = d > maxd ? d : -d > maxd ? -d : maxd;
            }
    CHECK(maxd < 1e-6, "sequence output not batch-major: max diff %g", maxd);
    /* growing the batch re-reserves; the same batch then gives the same output */
    float first[16];
    memcpy(first, y, sizeof first);
    int32_t big[5 * 7] = {1, 2, 3};
    CHECK(rnn_model_forward(m, big, 5, 7, false, &err) != NULL, "bigger batch: %s", err.msg);
    rnn_set_threads(rnn_get_threads() == 1 ? 2 : 1); /* a thread change re-reserves too */
    y = rnn_model_forward(m, x, 2, 4, false, &err);
    CHECK(y && memcmp(first, y, sizeof first) == 0, "output changed after growth");
    rnn_set_threads(0);
    float dout[16];
    for (int i = 0; i < 16; i++)
        dout[i] = 1.0f;
    rnn_model_zero_grad(m);
    CHECK(rnn_model_backward(m, dout, &err) == RNN_OK, "backward: %s", err.msg);
    const float *g = rnn_model_grads(m);
    CHECK(g[60 + 6] == 8.0f && g[60 + 7] == 8.0f, "bias gradient %g %g, wanted 8", g[66], g[67]);
    CHECK(g[6 * 3] == 0.0f && g[5 * 3] != 0.0f, "embedding gradient should touch only seen rows");
    const int32_t *rows;
    int row_len;
    long nr = rnn_layer_sparse_rows(rnn_model_layer(m, 0), &rows, &row_len);
    CHECK(nr == 7 && row_len == 3 && rows[0] == 0 && rows[1] == 1, "sparse rows: %ld of %d", nr, row_len);
    CHECK(rnn_layer_sparse_rows(rnn_model_layer(m, 1), &rows, &row_len) == -1, "Dense is dense");
    rnn_model_zero_grad(m);
    nr = rnn_layer_sparse_rows(rnn_model_layer(m, 0), &rows, &row_len);
    bool all_zero = true;
    for (size_t i = 0; i < rnn_model_n_params(m); i++)
        all_zero = all_zero && rnn_model_grads(m)[i] == 0.0f;
    CHECK(nr == 0 && all_zero, "zero_grad: %ld rows left, all zero %d", nr, all_zero);
    int32_t bad[2] = {3, 20};
    CHECK(rnn_model_forward(m, bad, 1, 2, false, &err) == NULL && strstr(err.msg, "token id 20"),
          "out-of-range id: %s", err.msg);
    rnn_model_free(m);

    const char *fixed[] = {"Embedding(20, 3, input_length=4)", "Flatten()", NULL};
    m = build(NULL, fixed, NULL);
    CHECK(m && rnn_model_forward(m, x, 1, 8, false, &err) == NULL && strstr(err.msg, "input_length=4"),
          "length mismatch: %s", err.msg);
    rnn_model_free(m);
}

/* loss = sum(w .* out) in double, for finite differences through the whole model. */
/* sum w * output of a forward; in training, with the dropout masks of one seed every time. */
static double model_loss(rnn_model *m, const int32_t *x, int B, int T, const float *w, size_t n, bool training)
{
    rnn_error err = {0};
    if (training)
        rnn_rng_seed(rnn_model_rng(m), 7);
    const float *y = rnn_model_forward(m, x, B, T, training, &err);
    double L = 0;
    for (size_t i = 0; y && i < n; i++)
        L += (double)w[i] * y[i];
    return L;
}

/* Whole-model gradient check: the mask from Embedding(mask_zero=True) must reach the pooling,
 * through a per-step Dense; every parameter checked by central differences. In training, the
 * dropout masks are the same in every forward. With by_id, the layer after the Embedding must read
 * its rows by id (rnn_layer_kind.reads_rows_by_id): that path is what is checked. */
static void check_model_gradients(const char *const *calls, const char *needs, bool masked_through, bool training,
                                  bool by_id)
{
    if (needs && !kind_available(needs))
        return;
    rnn_model *m = build(NULL, calls, NULL);
    if (!m)
        return;
    enum { B = 4, T = 5 };  /* 20 rows: at least twice the Embedding's 9 (the table path) */
    int32_t x[B * T] = {0, 0, 3, 4, 5, 0, 1, 2, 8, 7, 6, 6, 6, 2, 1, 0, 5, 3, 8, 1};
    float w[B * 3] = {0.3f, -0.2f, 0.5f, 1.0f, -0.7f, 0.1f, -0.4f, 0.9f, 0.2f, -0.6f, 0.8f, -0.1f};
    rnn_error err = {0};
    model_loss(m, x, B, T, w, B * 3, training);
    rnn_layer *reader = rnn_model_layer(m, 1);
    if (by_id) {
        rnn_fwd f = {.B = B, .T = T, .training = training, .ids = x, .table = rnn_model_layer(m, 0)->params};
        CHECK(reader->kind->reads_rows_by_id && reader->kind->reads_rows_by_id(reader, &f),
              "%s after %s: the rows are not read by id", calls[1], calls[0]);
        model_loss(m, x, B, T, w, B * 3, training);
    }
    rnn_model_zero_grad(m);
    CHECK(rnn_model_backward(m, w, &err) == RNN_OK, "backward: %s", err.msg);
    size_t np = rnn_model_n_params(m);
    float *g = malloc(np * sizeof *g), *p = rnn_model_params(m);
    memcpy(g, rnn_model_grads(m), np * sizeof *g);
    double worst = 0;
    for (size_t i = 0; i < np; i++) {
        float save = p[i];
        p[i] = save + 1e-2f;
        double lp = model_loss(m, x, B, T, w, B * 3, training);
        p[i] = save - 1e-2f;
        double lm = model_loss(m, x, B, T, w, B * 3, training);
        p[i] = save;
        double num = (lp - lm) / 2e-2, d = fabs(num - g[i]) / fmax(fmax(fabs(num), fabs(g[i])), 1e-2);
        worst = fmax(worst, d);
    }
    printf("model gradient check (%s ...): %zu params, max rel err %.3g\n", calls[1], np, worst);
    CHECK(worst < 2e-2, "model gradients (%s): max rel err %g", calls[1], worst);
    if (masked_through) /* row 0 (padding) gets no gradient: the mask keeps padded steps out of the average */
        CHECK(g[0] == 0 && g[1] == 0 && g[2] == 0, "padding row got gradient %g %g %g", g[0], g[1], g[2]);
    else /* Conv1D and the 1D poolings end the mask (as Keras's): padded steps count, so row 0 learns */
        CHECK(g[0] != 0 || g[1] != 0 || g[2] != 0, "padding row got no gradient after a layer that ends the mask");
    free(g);
    rnn_model_free(m);
}

/* Bytes the layer that reads the Embedding's rows (the first after it that is not the identity
 * outside training) keeps for the projection of the batch's words (batches of B rows, T steps): its
 * workspace less the workspace of the same layer built without a table. */
static uint64_t table_projection_bytes(rnn_model *m, int B, int T)
{
    rnn_layer *l = NULL;
    for (size_t i = 1; i < rnn_model_n_layers(m) && !l; i++)
        if (!rnn_model_layer(m, i)->kind->identity_outside_training)
            l = rnn_model_layer(m, i);
    if (!l || l->in_table_rows == 0 || !l->kind->workspace_bytes)
        return 0;
    rnn_error err;
    int rows = l->in_table_rows;
    uint64_t with = l->kind->workspace_bytes(l, B, T);
    l->in_table_rows = 0;
    CHECK(l->kind->build(l, &err) == RNN_OK, "rebuild without the table: %s", err.msg);
    uint64_t without = l->kind->workspace_bytes(l, B, T);
    l->in_table_rows = rows;
    CHECK(l->kind->build(l, &err) == RNN_OK, "rebuild with the table: %s", err.msg);
    return with - without;
}

/* In inference the layer after the Embedding and layers that are the identity outside training
 * (layer `reader`) reads its rows by id: the same outputs, bit for bit, as when it reads the rows. */
static void check_inference_by_id(const char *const *calls, size_t reader)
{
    rnn_model *m = build(NULL, calls, NULL);
    if (!m)
        return;
    enum { B = 4, T = 5 };
    int32_t x[B * T] = {0, 0, 3, 4, 5, 0, 1, 2, 8, 7, 6, 6, 6, 2, 1, 0, 5, 3, 8, 1};
    rnn_error err = {0};
    size_t n = (size_t)B * (size_t)rnn_model_output_shape(m).dim[0];
    float *y = malloc(n * sizeof *y);
    const float *out = rnn_model_forward(m, x, B, T, false, &err);
    CHECK(out != NULL, "%s: forward: %s", calls[reader], err.msg);
    rnn_layer *l = rnn_model_layer(m, reader);
    rnn_fwd f = {.B = B, .T = T, .ids = x, .table = rnn_model_layer(m, 0)->params};
    CHECK(l->kind->reads_rows_by_id && l->kind->reads_rows_by_id(l, &f), "%s: no rows by id in inference",
          calls[reader]);
    out = rnn_model_forward(m, x, B, T, false, &err);
    memcpy(y, out, n * sizeof *y);
    int rows = l->in_table_rows;
    l->in_table_rows = 0;  /* the model then gives it no ids: it reads the rows */
    out = rnn_model_forward(m, x, B, T, false, &err);
    l->in_table_rows = rows;
    CHECK(out && !memcmp(y, out, n * sizeof *y), "%s: inference by id gives other bits than by rows", calls[reader]);
    free(y);
    rnn_model_free(m);
}

/* Dropout layers write over their neighbours' buffers: the model with them holds no more batch
 * buffers than without them, only their masks (the projection of the batch's words kept by the
 * layer reading the Embedding's rows is counted apart: with dropout between, it serves inference). */
static void check_in_place_bytes(const char *const *calls)
{
    const char *without[8];
    int n = 0;
    for (int i = 0; calls[i]; i++)
        if (!strstr(calls[i], "Dropout"))
            without[n++] = calls[i];
    without[n] = NULL;
    rnn_model *a = build(NULL, calls, NULL), *b = build(NULL, without, NULL);
    if (!a || !b)
        return;
    enum { B = 32, T = 50 };
    uint64_t masks = 0;
    for (size_t i = 0; i < rnn_model_n_layers(a); i++) {
        const rnn_layer *l = rnn_model_layer(a, i);
        if (strstr(l->kind->name, "Dropout") && l->kind->workspace_bytes)
            masks += l->kind->workspace_bytes(l, B, T);
    }
    uint64_t with = rnn_model_batch_bytes(a, B, T, NULL), plain = rnn_model_batch_bytes(b, B, T, NULL);
    uint64_t table = table_projection_bytes(b, B, T), table_a = table_projection_bytes(a, B, T);
    CHECK(table > 0 && table_a > 0, "table projection: %llu bytes without dropout, %llu with",
          (unsigned long long)table, (unsigned long long)table_a);
    CHECK(with - table_a == plain - table + masks, "batch bytes with dropout %llu (of which the table's projection "
          "%llu), without %llu (%llu), masks %llu", (unsigned long long)with, (unsigned long long)table_a,
          (unsigned long long)plain, (unsigned long long)table, (unsigned long long)masks);
    rnn_model_free(a);
    rnn_model_free(b);
}

int main(void)
{
    const char *dense_stack[] = {"Embedding(9, 3, mask_zero=True)", "Dense(4, activation='tanh')",
                                 "GlobalAveragePooling1D()", "Dense(3, activation='softmax')", NULL};
    check_model_gradients(dense_stack, NULL, true, false, false);
    const char *rec_stack[] = {"Embedding(9, 3, mask_zero=True)", "Bidirectional(LSTM(4, return_sequences=True))",
                               "SpatialDropout1D(0.5)", "GRU(3, return_sequences=True)", "GlobalAveragePooling1D()",
                               "Dense(3, activation='softmax')", NULL};
    check_model_gradients(rec_stack, "Bidirectional", true, false, false);
    /* dropout in training, run in place: over Embedding's and LSTM's outputs and their gradients */
    const char *dropout_stack[] = {"Embedding(9, 3, mask_zero=True)", "SpatialDropout1D(0.5)",
                                   "LSTM(4, return_sequences=True)", "Dropout(0.5)", "GRU(3)",
                                   "Dense(3, activation='softmax')", NULL};
    check_model_gradients(dropout_stack, NULL, true, true, false);
    /* a recurrent layer right after the Embedding reads its rows by id (no rows written, the
     * gradient by table row): in inference and in training with recurrent dropout */
    const char *by_id_stack[] = {"Embedding(9, 8, mask_zero=True)", "LSTM(4, return_sequences=True)",
                                 "GlobalAveragePooling1D()", "Dense(3, activation='softmax')", NULL};
    check_model_gradients(by_id_stack, NULL, true, false, true);
    const char *by_id_dropout[] = {"Embedding(9, 8, mask_zero=True)",
                                   "GRU(4, go_backwards=True, recurrent_dropout=0.3, return_sequences=True)",
                                   "GlobalAveragePooling1D()", "Dense(3, activation='softmax')", NULL};
    check_model_gradients(by_id_dropout, NULL, true, true, true);
    /* both directions read by id; their input gradients by id are summed */
    const char *by_id_bidi[] = {"Embedding(9, 8, mask_zero=True)",
                                "Bidirectional(GRU(4, return_sequences=True), merge_mode='sum')",
                                "GlobalAveragePooling1D()", "Dense(3, activation='softmax')", NULL};
    check_model_gradients(by_id_bidi, "Bidirectional", true, false, true);
    const char *by_id_bidi_lstm[] = {"Embedding(200, 16, mask_zero=True)", "Bidirectional(LSTM(4))",
                                     "Dense(3, activation='softmax')", NULL};
    check_model_gradients(by_id_bidi_lstm, "Bidirectional", true, true, true);
    /* the batch's 9 distinct ids of 200 words: their rows are picked from the table (sorted ids) */
    const char *by_id_picked[] = {"Embedding(200, 16, mask_zero=True)", "LSTM(4, return_sequences=True)",
                                  "GlobalAveragePooling1D()", "Dense(3, activation='softmax')", NULL};
    check_model_gradients(by_id_picked, NULL, true, false, true);
    check_in_place_bytes(dropout_stack);
    const char *infer_lstm[] = {"Embedding(200, 16)", "Dropout(0.2)", "LSTM(4)", "Dense(3, activation='softmax')",
                                NULL};
    check_inference_by_id(infer_lstm, 2);
    const char *infer_bidi[] = {"Embedding(9, 8, mask_zero=True)", "SpatialDropout1D(0.3)", "Dropout(0.5)",
                                "Bidirectional(GRU(4))", "Dense(3, activation='softmax')", NULL};
    check_inference_by_id(infer_bidi, 3);
    const char *conv_stack[] = {"Embedding(9, 3, mask_zero=True)", "Conv1D(4, 2, padding='same', activation='tanh')",
                                "AveragePooling1D(2, padding='same')", "Conv1D(3, 2)", "GlobalAveragePooling1D()",
                                "Dense(3, activation='softmax')", NULL};
    check_model_gradients(conv_stack, NULL, false, false, false);
    check_conv_model();
    check_summary_text();
    check_seed_counts();
    check_errors();
    check_names_and_pop();
    check_forward_backward();
    return check_finish("test_model");
}
