/* save / open: a round trip gives identical predictions and continues training identically
 * (optimizer state restored); corrupt, truncated, foreign and newer files are rejected. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rnnlab/rnnlab.h"

#include "tests/check.h"

enum { N = 200, T = 8 };
static int32_t X[N * T];
static int Y[N];

static rnn_model *build(void)
{
    static const char *calls[] = {"Embedding(30, 6, mask_zero=True)", "LSTM(5, dropout=0.2)",
                                  "Dense(3, activation='softmax')"};
    rnn_error err = {0};
    rnn_model *m = rnn_model_new("saved", 3);
    for (int i = 0; i < 3; i++)
        CHECK(rnn_model_add(m, calls[i], NULL, &err) == RNN_OK, "add: %s", err.msg);
    rnn_compile_opts o;
    rnn_compile_opts_default(&o);
    o.optimizer = "adam";
    o.learning_rate = 0.01;
    o.loss = "sparse_categorical_crossentropy";
    o.metrics = "accuracy,auc";
    CHECK(rnn_model_compile(m, &o, &err) == RNN_OK, "compile: %s", err.msg);
    return m;
}

static int fit(rnn_model *m, rnn_history *h, int epochs);
static long file_size(const char *path);
static void expect_open_error(const char *path, const char *what, const char *needle);

/* Nadam, AdamW (weight_decay) and Adagrad with from_logits (model format 2): saved, opened and
 * trained on, they continue exactly as the model that was not saved. */
static void check_format2_optimizers(const char *dir)
{
    const char *opts[] = {"nadam", "adamw", "adagrad"};
    for (int i = 0; i < 3; i++) {
        rnn_error err = {0};
        rnn_model *m = rnn_model_new("logits", 4);
        CHECK(rnn_model_add(m, "Embedding(30, 6)", NULL, &err) == RNN_OK &&
              rnn_model_add(m, "Conv1D(4, 2, padding='causal', activation='relu')", NULL, &err) == RNN_OK &&
              rnn_model_add(m, "GlobalMaxPool1D()", NULL, &err) == RNN_OK &&
              rnn_model_add(m, "Dense(3)", NULL, &err) == RNN_OK, "add: %s", err.msg);
        rnn_compile_opts o;
        rnn_compile_opts_default(&o);
        o.optimizer = opts[i];
        o.weight_decay = i == 1 ? 0.05 : NAN;
        o.initial_accumulator_value = i == 2 ? 0.3 : NAN;
        o.loss = "SparseCategoricalCrossentropy(from_logits=True)";
        o.metrics = "accuracy";
        CHECK(rnn_model_compile(m, &o, &err) == RNN_OK, "compile %s: %s", opts[i], err.msg);
        rnn_history h = {0}, h1 = {0}, h2 = {0};
        CHECK(fit(m, &h, 1) == RNN_OK, "fit %s", opts[i]);
        char path[300];
        snprintf(path, sizeof path, "%s/%s.rnnlab", dir, opts[i]);
        rnn_pipeline p = {.model = m}, q;
        CHECK(rnn_pipeline_save(path, &p, &err) == RNN_OK, "save %s: %s", opts[i], err.msg);
        CHECK(rnn_pipeline_open(path, &q, &err) == RNN_OK && q.model, "open %s: %s", opts[i], err.msg);
        CHECK(q.model && fit(m, &h1, 1) == RNN_OK && fit(q.model, &h2, 1) == RNN_OK, "continue %s", opts[i]);
        size_t np = rnn_model_n_params(m);
        CHECK(q.model && !memcmp(rnn_model_params(q.model), rnn_model_params(m), np * sizeof(float)),
              "%s: training continues identically after open", opts[i]);
        float pa[N * 3], pb[N * 3];
        int ca = 0, cb = 0;
        CHECK(q.model && rnn_model_predict(m, X, N, T, 32, pa, &ca, &err) == RNN_OK &&
              rnn_model_predict(q.model, X, N, T, 32, pb, &cb, &err) == RNN_OK && ca == 3 && cb == 3 &&
              rnn_model_predicts_probabilities(q.model) && fabsf(pb[0] + pb[1] + pb[2] - 1) < 1e-5f &&
              !memcmp(pa, pb, sizeof pa), "%s: from_logits back: predict gives probabilities", opts[i]);
        rnn_pipeline_free(&q);
        rnn_history_free(&h);
        rnn_history_free(&h1);
        rnn_history_free(&h2);
        rnn_model_free(m);
        unlink(path);
    }
}

/* The model format of a save file: the u32 after its MODL section's "RNNM" tag (0: none found). */
static unsigned model_format_of(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i++)
        if (!memcmp(b + i, "RNNM", 4))
            return b[i + 4] | (unsigned)b[i + 5] << 8 | (unsigned)b[i + 6] << 16 | (unsigned)b[i + 7] << 24;
    return 0;
}

static unsigned char *read_whole(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    long len = file_size(path);
    unsigned char *b = len > 0 ? malloc((size_t)len) : NULL;
    *n = b && f && fread(b, 1, (size_t)len, f) == (size_t)len ? (size_t)len : 0;
    if (f)
        fclose(f);
    return b;
}

/* Saves m alone to path and opens it again (NULL on failure); *format: its model format. */
static rnn_model *save_open(rnn_model *m, const char *path, unsigned *format)
{
    rnn_error err = {0};
    rnn_pipeline p = {.model = m}, q;
    CHECK(rnn_pipeline_save(path, &p, &err) == RNN_OK, "save %s: %s", rnn_model_name(m), err.msg);
    size_t n;
    unsigned char *b = read_whole(path, &n);
    *format = b ? model_format_of(b, n) : 0;
    free(b);
    if (rnn_pipeline_open(path, &q, &err) != RNN_OK || !q.model) {
        CHECK(false, "open %s: %s", rnn_model_name(m), err.msg);
        return NULL;
    }
    rnn_model *back = q.model;
    q.model = NULL;
    rnn_pipeline_free(&q);
    return back;
}

/* A functional model's Input (keras.Model(inputs, outputs)): summary lists it as Keras 2 does, and
 * save / open keep it (model format 3); a Sequential model's Input is kept too, and a model given
 * none is still written in format 1, which every rnnlab reads. A damaged Input is refused. */
static void check_format3_input(const char *dir)
{
    rnn_error err = {0};
    char path[300];
    snprintf(path, sizeof path, "%s/input.rnnlab", dir);
    rnn_model *m = rnn_model_new(NULL, 6);
    rnn_model_set_functional(m);
    CHECK(rnn_model_add(m, "Input(shape=(8,), name='words')", NULL, &err) == RNN_OK &&
          rnn_model_add(m, "Embedding(30, 6)", NULL, &err) == RNN_OK &&
          rnn_model_add(m, "LSTM(5)", NULL, &err) == RNN_OK &&
          rnn_model_add(m, "Dense(1, activation='sigmoid')", NULL, &err) == RNN_OK, "add: %s", err.msg);
    const char *want =
        "Model: \"model\"\n"
        "_________________________________________________________________\n"
        "Layer (type)                 Output Shape              Param #   \n"
        "=================================================================\n"
        "words (InputLayer)           [(None, 8)]               0         \n"
        "_________________________________________________________________\n"
        "embedding (Embedding)        (None, 8, 6)              180       \n"
        "_________________________________________________________________\n"
        "lstm (LSTM)                  (None, 5)                 240       \n"
        "_________________________________________________________________\n"
        "dense (Dense)                (None, 1)                 6         \n"
        "=================================================================\n"
        "Total params: 426\n"
        "Trainable params: 426\n"
        "Non-trainable params: 0\n"
        "_________________________________________________________________\n";
    char *s = rnn_model_summary(m, 0);
    CHECK(s && !strcmp(s, want), "functional summary:\n%s\nwanted:\n%s", s ? s : "(null)", want);
    unsigned format = 0;
    rnn_model *back = save_open(m, path, &format);
    char *t = back ? rnn_model_summary(back, 0) : NULL;
    CHECK(format == 3 && s && t && !strcmp(s, t), "functional model back (format %u):\n%s", format, t ? t : "(null)");
    CHECK(back && rnn_model_is_functional(back) && rnn_model_input_length(back) == 8 &&
          !strcmp(rnn_model_input_name(back), "words"), "Input back");
    free(s);
    free(t);
    rnn_model_free(back);

    /* the Input's flags made 7 (no rnnlab writes it), the checksum made right: refused, not guessed */
    size_t n;
    unsigned char *b = read_whole(path, &n);
    size_t at = 0;
    for (size_t i = 0; b && i + 4 <= n; i++)
        if (!memcmp(b + i, "RNNM", 4)) {
            at = i + 8 + 4 + 5; /* tag, version, the name "model" with its length */
            break;
        }
    CHECK(at && at + 4 < n && b[at] == 3, "the Input's flags found in the file");
    if (at && at + 4 < n) {
        b[at] = 7;
        uint32_t crc = rnn_crc32(0, b, n - 4);
        for (int k = 0; k < 4; k++)
            b[n - 4 + k] = (unsigned char)(crc >> (8 * k));
        FILE *f = fopen(path, "wb");
        fwrite(b, 1, n, f);
        fclose(f);
        expect_open_error(path, "input", "the model's Input is damaged (flags 7");
    }
    free(b);
    rnn_model_free(m);

    /* Sequential: an Input of any length is kept; no Input, format 1 */
    for (int given = 0; given < 2; given++) {
        m = rnn_model_new("seq", 6);
        CHECK((!given || rnn_model_add(m, "Input(shape=(None,))", NULL, &err) == RNN_OK) &&
              rnn_model_add(m, "Embedding(30, 6)", NULL, &err) == RNN_OK &&
              rnn_model_add(m, "GRU(3)", NULL, &err) == RNN_OK, "add: %s", err.msg);
        back = save_open(m, path, &format);
        CHECK(back && format == (given ? 3u : 1u) && !rnn_model_is_functional(back) &&
              rnn_model_input_length(back) == -1 && (given ? rnn_model_input_name(back) &&
              !strcmp(rnn_model_input_name(back), "input_1") : !rnn_model_input_name(back)),
              "Sequential with%s Input back (format %u)", given ? "" : "out", format);
        rnn_model_free(back);
        rnn_model_free(m);
    }
    unlink(path);
}

static int fit(rnn_model *m, rnn_history *h, int epochs)
{
    rnn_fit_opts o;
    rnn_error err = {0};
    rnn_fit_opts_default(&o);
    o.epochs = epochs;
    o.seed = 5;
    o.validation_split = 0.25;
    int rc = rnn_model_fit(m, &(rnn_xy){N, T, X, Y}, &o, h, &err);
    if (rc)
        printf("fit: %s\n", err.msg);
    return rc;
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void patch_file(const char *src, const char *dst, long truncate_to, long flip_at, int set_version)
{
    FILE *f = fopen(src, "rb");
    long n = file_size(src);
    unsigned char *b = malloc((size_t)n);
    CHECK(f && fread(b, 1, (size_t)n, f) == (size_t)n, "read %s", src);
    fclose(f);
    if (flip_at >= 0)
        b[flip_at] ^= 0x40;
    if (set_version >= 0) /* the low byte of the format version (-1: as it is) */
        b[8] = (unsigned char)set_version;
    f = fopen(dst, "wb");
    fwrite(b, 1, (size_t)(truncate_to >= 0 ? truncate_to : n), f);
    fclose(f);
    free(b);
}

static void expect_open_error(const char *path, const char *what, const char *needle)
{
    rnn_pipeline p;
    rnn_error err = {0};
    int rc = rnn_pipeline_open(path, &p, &err);
    CHECK(rc == RNN_EDATA && strstr(err.msg, needle), "%s: status %d, '%s'", what, rc, err.msg);
    printf("%-10s rejected: %s\n", what, err.msg);
}

int main(void)
{
    unsigned s = 99;
    for (int i = 0; i < N; i++) {
        for (int t = 0; t < T; t++) {
            s = s * 1103515245u + 12345u;
            X[i * T + t] = t < 2 ? 0 : 1 + (int32_t)((s >> 16) % 29);
        }
        Y[i] = X[i * T + T - 1] % 3;
    }
    char dir[] = "/tmp/rnnlab-io-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/pipe.rnnlab", dir);
    snprintf(bad, sizeof bad, "%s/bad.rnnlab", dir);

    rnn_model *m = build();
    rnn_history h = {0};
    CHECK(fit(m, &h, 2) == RNN_OK, "fit");
    rnn_tokenizer_opts to;
    rnn_tokenizer_opts_default(&to);
    to.oov_token = "<OOV>";
    rnn_tokenizer *tok = rnn_tokenizer_new(&to);
    char *texts[] = {"the cat sat", "The dog, the cat!"};
    rnn_error err = {0};
    CHECK(tok && rnn_tokenizer_fit(tok, texts, 2, &err) == RNN_OK, "tokenizer: %s", err.msg);
    char *classes[] = {"neg", "neutral", "pos"}, *run_names[] = {"first"};
    rnn_pipeline p = {.tokenizer = tok, .prep = {.maxlen = T, .pad_post = true, .trunc_post = false, .value = 7}, .model = m,
                      .n_classes = 3, .class_names = classes, .n_runs = 1, .run_names = run_names, .runs = &h};
    CHECK(rnn_pipeline_save(path, &p, &err) == RNN_OK, "save: %s", err.msg);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CHECK(access(tmp, F_OK) != 0, "no temporary file left");
    printf("saved %ld bytes\n", file_size(path));

    rnn_pipeline q;
    CHECK(rnn_pipeline_open(path, &q, &err) == RNN_OK, "open: %s", err.msg);
    CHECK(q.model && q.tokenizer && q.prep.maxlen == T && q.prep.pad_post && !q.prep.trunc_post && q.prep.value == 7, "sections back");
    CHECK(q.n_classes == 3 && !strcmp(q.class_names[2], "pos"), "class names");
    CHECK(q.n_runs == 1 && !strcmp(q.run_names[0], "first") && q.runs[0].n_epochs == 2 &&
          q.runs[0].n_metrics == h.n_metrics && !memcmp(q.runs[0].values, h.values, sizeof(double) * 2 * h.n_metrics)
          && !strcmp(q.runs[0].names[h.n_metrics - 1], "val_auc"), "history back");
    CHECK(q.tokenizer && rnn_tokenizer_index(q.tokenizer, "cat") == rnn_tokenizer_index(tok, "cat") &&
          rnn_tokenizer_index(q.tokenizer, "cat") > 0, "tokenizer back");
    CHECK(rnn_model_is_compiled(q.model), "compiled state back");
    CHECK(!strcmp(rnn_model_layer(q.model, 1)->name, rnn_model_layer(m, 1)->name), "layer names");
    size_t np = rnn_model_n_params(m);
    CHECK(rnn_model_n_params(q.model) == np && !memcmp(rnn_model_params(q.model), rnn_model_params(m),
                                                       np * sizeof(float)), "weights identical");
    static float pa[N * 3], pb[N * 3];
    int ca = 0, cb = 0;
    CHECK(rnn_model_predict(m, X, N, T, 32, pa, &ca, &err) == RNN_OK &&
          rnn_model_predict(q.model, X, N, T, 32, pb, &cb, &err) == RNN_OK, "predict");
    CHECK(ca == 3 && cb == 3 && !memcmp(pa, pb, sizeof pa), "identical predictions");

    /* the optimizer state came back: one more epoch gives the same weights on both */
    rnn_history h1 = {0}, h2 = {0};
    CHECK(fit(m, &h1, 1) == RNN_OK && fit(q.model, &h2, 1) == RNN_OK, "continue");
    CHECK(!memcmp(rnn_model_params(q.model), rnn_model_params(m), np * sizeof(float)),
          "training continues identically (Adam moments and step restored)");

    /* damaged files */
    long n = file_size(path);
    patch_file(path, bad, -1, n / 2, -1);
    expect_open_error(bad, "corrupt", "checksum");
    patch_file(path, bad, n - 100, -1, -1);
    expect_open_error(bad, "truncated", "truncated");
    patch_file(path, bad, 10, -1, -1);
    expect_open_error(bad, "short", "truncated");
    patch_file(path, bad, -1, -1, 9);
    expect_open_error(bad, "newer", "newer rnnlab");
    patch_file(path, bad, -1, -1, 0);
    expect_open_error(bad, "version 0", "is damaged (file format 0: no rnnlab writes it)");
    FILE *f = fopen(bad, "w");
    fputs("text,label\nhello,1\n", f);
    fclose(f);
    expect_open_error(bad, "foreign", "not an rnnlab save file");
    snprintf(bad, sizeof bad, "%s/missing.rnnlab", dir);
    rnn_pipeline z;
    CHECK(rnn_pipeline_open(bad, &z, &err) == RNN_ENOINPUT, "missing file");
    /* an existing file is replaced only by a complete new one */
    snprintf(bad, sizeof bad, "%s/nodir/x.rnnlab", dir);
    CHECK(rnn_pipeline_save(bad, &p, &err) == RNN_EIO && strstr(err.msg, "nodir"), "unwritable: %s", err.msg);

    check_format2_optimizers(dir);
    check_format3_input(dir);
    rnn_pipeline_free(&q);
    rnn_history_free(&h);
    rnn_history_free(&h1);
    rnn_history_free(&h2);
    rnn_model_free(m);
    rnn_tokenizer_free(tok);
    unlink(path);
    rmdir(dir);
    return check_finish("test_io");
}
