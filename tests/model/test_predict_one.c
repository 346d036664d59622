/* predict of one text at a time gives what predict of the same texts in one batch gives: the
 * one-row products (matrix-vector kernels, which may sum in another order than sgemm: a few ulp),
 * Bidirectional's directions on two threads at any batch size, and the padded steps of unmasked
 * layers (pre-padding is not a no-op for them, as in Keras: it stays). Recurrent kinds with and
 * without a mask, one thread and two. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "layers/rnn_common.h"

#include "tests/check.h"
#include "tests/model/build_model.h"

enum { N = 24, T = 30, V = 40 };
static int32_t X[N * T];

/* Texts of 1..T tokens in [1, V), pre-padded with zeros (every fourth post-padded). */
static void make_texts(void)
{
    unsigned s = 4242u;
    memset(X, 0, sizeof X);
    for (int i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        int len = 1 + (int)((s >> 16) % T), first = i % 4 == 3 ? 0 : T - len;
        for (int j = 0; j < len; j++) {
            s = s * 1103515245u + 12345u;
            X[i * T + first + j] = 1 + (int32_t)((s >> 16) % (V - 1));
        }
    }
}

/* Largest |a - b| over n floats, and whether every pair has the same bits. */
static double max_difference(const float *a, const float *b, size_t n, bool *same)
{
    double worst = 0;
    *same = memcmp(a, b, n * sizeof *a) == 0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs((double)a[i] - b[i]));
    return worst;
}

/* Softmax outputs of the model, predict of all texts in one batch against one text at a time. */
static void check_one_vs_batch(const char *const *calls, int threads)
{
    rnn_error err = {0};
    rnn_set_threads(threads);
    rnn_model *m = build_model(calls, 11);
    static float batch[N * 3], one[N * 3];
    int nc = 0, nc1 = 0;
    CHECK(rnn_model_predict(m, X, N, T, N, batch, &nc, &err) == RNN_OK, "%s: predict: %s", calls[1], err.msg);
    for (int i = 0; i < N; i++)
        CHECK(rnn_model_predict(m, X + (size_t)i * T, 1, T, 1, one + (size_t)i * 3, &nc1, &err) == RNN_OK,
              "%s: predict of text %d: %s", calls[1], i, err.msg);
    CHECK(nc == 3 && nc1 == 3, "%s: 3 classes (%d, %d)", calls[1], nc, nc1);
    bool same;
    double worst = max_difference(batch, one, (size_t)N * 3, &same);
    printf("%-40s %s, %d thread%s: one text vs the batch: max |difference| %.3g%s\n", calls[1], calls[0], threads,
           threads > 1 ? "s" : "", worst, same ? " (same bits)" : "");
    CHECK(worst <= 1e-6, "%s (%s, %d threads): one text at a time differs from the batch by %.3g", calls[1],
          calls[0], threads, worst);
    rnn_model_free(m);
}

static void test_one_vs_batch(void)
{
    /* units chosen so that the one-row products cover whole column tiles and a remainder, and that
     * all but the last project only the distinct rows of a chunk (at least 4096 multiply-adds a row);
     * GRU(100)'s one-row step takes units in blocks of 64, 32 and one by one, and GRU(128)'s input
     * projection of one text's 8 to 30 distinct words the few-rows product (384 columns) */
    static const char *const recurrent[] = {"GRU(24)", "GRU(24, reset_after=False)", "LSTM(20)", "SimpleRNN(70)",
                                            "Bidirectional(GRU(24))", "Bidirectional(LSTM(9), merge_mode='sum')",
                                            "GRU(100)", "Bidirectional(GRU(128))", NULL};
    static const char *const embeddings[] = {"Embedding(40, 64)", "Embedding(40, 64, mask_zero=True)", NULL};
    for (int e = 0; embeddings[e]; e++)
        for (int r = 0; recurrent[r]; r++)
            for (int threads = 1; threads <= 2; threads++) {
                const char *calls[] = {embeddings[e], recurrent[r], "Dense(3, activation='softmax')", NULL};
                check_one_vs_batch(calls, threads);
            }
}

/* The same with every call counted as worth a second thread: Bidirectional's directions then run
 * on two threads for one text too, and the batch on row slices. */
static void test_one_vs_batch_threaded(void)
{
    double saved = rnn_rec_parallel_min_work;
    rnn_rec_parallel_min_work = 0;
    static const char *const recurrent[] = {"Bidirectional(GRU(24))", "GRU(24)", NULL};
    for (int r = 0; recurrent[r]; r++) {
        const char *calls[] = {"Embedding(40, 64)", recurrent[r], "Dense(3, activation='softmax')", NULL};
        check_one_vs_batch(calls, 2);
    }
    rnn_rec_parallel_min_work = saved;
}

int main(void)
{
    make_texts();
    test_one_vs_batch();
    test_one_vs_batch_threaded();
    return check_finish("test_predict_one");
}
