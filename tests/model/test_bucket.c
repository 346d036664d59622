/* Length-aware batches: the batch plans (every text once, sorted windows, seeded order), batches
 * that run only the steps their texts need, and evaluate / predict of masked models giving the
 * outputs of the whole padded computation. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "model/train_internal.h"

#include "tests/check.h"
#include "tests/model/build_model.h"

enum { N = 300, T = 24, V = 20 };
static int32_t X[N * T];
static int Y[N];

/* Texts of 0..T tokens in [1, V), pre-padded (every fifth post-padded); label: more high ids than low. */
static void make_data(void)
{
    unsigned s = 77u;
    memset(X, 0, sizeof X);
    for (int i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        int len = i == 7 ? 0 : 1 + (int)((s >> 16) % T), high = 0;
        int first = i % 5 == 4 ? 0 : T - len;
        for (int j = 0; j < len; j++) {
            s = s * 1103515245u + 12345u;
            int32_t id = 1 + (int32_t)((s >> 16) % (V - 1));
            X[i * T + first + j] = id;
            high += id * 2 > V ? 1 : -1;
        }
        Y[i] = high > 0;
    }
}

static rnn_model *make_model(const char *const *calls, unsigned long seed)
{
    rnn_error err = {0};
    rnn_model *m = build_model(calls, seed);
    rnn_compile_opts o;
    rnn_compile_opts_default(&o);
    o.optimizer = "adam";
    o.learning_rate = 0.01;
    o.loss = "binary_crossentropy";
    o.metrics = "accuracy,auc";
    if (rnn_model_compile(m, &o, &err)) {
        printf("compile: %s\n", err.msg);
        failures++;
    }
    return m;
}

static void test_gather(void)
{
    int32_t xb[3 * T];
    int yb[3];
    size_t rows[3] = {0, 4, 7};
    int lo = T, hi = 0; /* the joint span of rows 0 (pre-padded) and 4 (post-padded); 7 is empty */
    for (int k = 0; k < 2; k++)
        for (int t = 0; t < T; t++)
            if (X[rows[k] * T + t]) {
                lo = t < lo ? t : lo;
                hi = t + 1 > hi ? t + 1 : hi;
            }
    int Tb = batch_gather(X, Y, T, rows, 0, 3, true, xb, yb);
    CHECK(Tb == hi - lo, "trimmed batch: %d steps, expected %d", Tb, hi - lo);
    for (int k = 0; k < 3; k++) {
        CHECK(!memcmp(xb + k * Tb, X + rows[k] * T + lo, (size_t)Tb * sizeof *xb), "row %d copied", k);
        CHECK(yb[k] == Y[rows[k]], "label %d", k);
        for (int t = 0; t < T; t++) /* nothing but padding left out */
            CHECK((t >= lo && t < hi) || X[rows[k] * T + t] == 0, "row %d step %d dropped a token", k, t);
    }
    CHECK(batch_gather(X, Y, T, rows, 2, 1, true, xb, yb) == 1 && xb[0] == 0, "an empty text: one step");
    CHECK(batch_gather(X, Y, T, rows, 0, 3, false, xb, yb) == T && !memcmp(xb + T, X + 4 * T, T * sizeof *xb),
          "without trim: every step");
}

/* Rows idx[0..B) of one batch: lengths that rise over the first ceil(B/2) rows and fall over the
 * rest, each row of the second half at least as long as its twin in the first (so the halves hold
 * as much work each, within the batch's spread), no row outside [lo, hi]. */
static void check_rise_then_fall(const int *len, const size_t *idx, size_t B, int lo, int hi, const char *what)
{
    size_t up = (B + 1) / 2;
    long first = 0, second = 0;
    for (size_t i = 0; i < B; i++) {
        int l = len[idx[i]];
        CHECK(l >= lo && l <= hi, "%s: row %zu of %zu: %d outside [%d, %d]", what, i, B, l, lo, hi);
        if (i > 0 && i < up)
            CHECK(len[idx[i - 1]] <= l, "%s: rises at %zu", what, i);
        if (i > up)
            CHECK(len[idx[i - 1]] >= l, "%s: falls at %zu", what, i);
        if (i < up)
            first += l;
        else
            second += l;
    }
    for (size_t i = 0; i < B / 2; i++)
        CHECK(len[idx[up + B / 2 - 1 - i]] >= len[idx[i]], "%s: twin of row %zu", what, i);
    CHECK(labs(second - first) <= (long)(hi - lo) + (B % 2 ? hi : 0), "%s: halves of %ld and %ld", what, first, second);
}

/* The lengths of idx[a..b) lie in [*lo, *hi]. */
static void length_range(const int *len, const size_t *idx, size_t a, size_t b, int *lo, int *hi)
{
    *lo = T + 1;
    *hi = -1;
    for (size_t i = a; i < b; i++) {
        *lo = len[idx[i]] < *lo ? len[idx[i]] : *lo;
        *hi = len[idx[i]] > *hi ? len[idx[i]] : *hi;
    }
}

static void test_plan(void)
{
    rnn_error err = {0};
    bucket_plan p;
    int bs = 4;
    CHECK(bucket_plan_init(&p, X, N, T, bs, &err) == RNN_OK, "plan: %s", err.msg);
    CHECK(p.window == (size_t)bs * BUCKET_WINDOW_BATCHES, "window %zu", p.window);
    size_t idx[N], idx2[N];
    for (size_t i = 0; i < N; i++)
        idx[i] = idx2[i] = i;
    rnn_rng *r1 = rnn_rng_new(5), *r2 = rnn_rng_new(5);
    bucket_plan_epoch(&p, idx, N, bs, r1);
    bucket_batch first[N];
    size_t nb = p.n_batches;
    memcpy(first, p.batch, nb * sizeof *first);
    CHECK(nb == (size_t)(N + bs - 1) / (size_t)bs, "%zu batches", nb);
    int seen[N] = {0};
    size_t total = 0, padded = 0, padded_plain = 0;
    for (size_t b = 0; b < nb; b++) {
        CHECK(p.batch[b].B >= 1 && p.batch[b].B <= bs, "batch %zu of %d", b, p.batch[b].B);
        int maxlen = 0;
        for (int k = 0; k < p.batch[b].B; k++) {
            size_t r = idx[p.batch[b].start + k];
            seen[r]++;
            total++;
            maxlen = p.len[r] > maxlen ? p.len[r] : maxlen;
        }
        for (int k = 0; k < p.batch[b].B; k++)
            padded += (size_t)(maxlen - p.len[idx[p.batch[b].start + k]]);
    }
    for (size_t s = 0; s < N; s += (size_t)bs) { /* the same rows in plain batches */
        int maxlen = 0;
        for (size_t k = s; k < s + (size_t)bs && k < N; k++)
            maxlen = p.len[k] > maxlen ? p.len[k] : maxlen;
        for (size_t k = s; k < s + (size_t)bs && k < N; k++)
            padded_plain += (size_t)(maxlen - p.len[k]);
    }
    CHECK(total == N, "every text in a batch (%zu)", total);
    for (int i = 0; i < N; i++)
        CHECK(seen[i] == 1, "text %d seen %d times", i, seen[i]);
    for (size_t w0 = 0; w0 < N; w0 += p.window) { /* sorted windows, cut into batches of rising lengths */
        int prev_hi = 0;
        for (size_t s = w0; s < w0 + p.window && s < N; s += (size_t)bs) {
            size_t e = s + (size_t)bs < w0 + p.window && s + (size_t)bs < N ? s + (size_t)bs
                       : (w0 + p.window < N ? w0 + p.window : N);
            int lo, hi;
            length_range(p.len, idx, s, e, &lo, &hi);
            CHECK(lo >= prev_hi, "window at %zu: batch at %zu from %d, the one before up to %d", w0, s, lo, prev_hi);
            check_rise_then_fall(p.len, idx + s, e - s, lo, hi, "plan");
            prev_hi = hi;
        }
    }
    printf("padding steps left: %zu length-aware, %zu in plain batches\n", padded, padded_plain);
    CHECK(padded * 5 < padded_plain, "length-aware batches leave little padding");
    bucket_plan_epoch(&p, idx2, N, bs, r2);
    CHECK(!memcmp(idx, idx2, sizeof idx) && !memcmp(first, p.batch, nb * sizeof *first), "same seed, same batches");
    bool sorted_order = true;
    for (size_t b = 1; b < nb; b++)
        sorted_order = sorted_order && first[b].start > first[b - 1].start;
    CHECK(!sorted_order, "the batches' order is shuffled");
    rnn_rng_free(r1);
    rnn_rng_free(r2);
    for (int b = 1; b <= 32; b += 31) { /* evaluate's and predict's order: batches by length, longest first */
        size_t *order = bucket_order_by_length(X, T, NULL, N, b == 1 ? 0 : b, &err);
        CHECK(order != NULL, "order by length: %s", err.msg);
        int prev_lo = T + 1, step = b == 1 ? N : b;
        for (size_t s0 = 0; order && s0 < N; s0 += (size_t)step) {
            size_t e = s0 + (size_t)step < N ? s0 + (size_t)step : N;
            int lo, hi;
            length_range(p.len, order, s0, e, &lo, &hi);
            CHECK(hi <= prev_lo, "order by length: batch at %zu up to %d, the one before from %d", s0, hi, prev_lo);
            if (b > 1)
                check_rise_then_fall(p.len, order + s0, e - s0, lo, hi, "order by length");
            for (size_t i = s0 + 1; b == 1 && i < e; i++)
                CHECK(p.len[order[i - 1]] <= p.len[order[i]], "order by length, no batches: sorted at %zu", i);
            prev_lo = lo;
        }
        free(order);
    }
    bucket_plan_free(&p);
}

/* predict and evaluate of a masked model (texts by length, batches trimmed) against the model run
 * on the whole padded rows, one batch of all of them. */
static void check_same_as_padded(const char *const *calls, bool skips)
{
    rnn_error err = {0};
    rnn_model *m = make_model(calls, 3);
    CHECK(rnn_model_skips_padding(m) == skips, "%s: skips padding %d", calls[1], skips);
    static float probs[N * 2];
    int nc;
    CHECK(rnn_model_predict(m, X, N, T, 16, probs, &nc, &err) == RNN_OK && nc == 2, "predict: %s", err.msg);
    const float *full = rnn_model_forward(m, X, N, T, false, &err);
    CHECK(full != NULL, "forward: %s", err.msg);
    double worst = 0, loss = 0;
    int correct = 0;
    for (int i = 0; full && i < N; i++) {
        double d = fabs((double)probs[2 * i + 1] - full[i]);
        worst = d > worst ? d : worst;
        double p = full[i] < 1e-7 ? 1e-7 : full[i] > 1 - 1e-7 ? 1 - 1e-7 : full[i];
        loss -= Y[i] ? log(p) : log(1 - p);
        correct += (full[i] > 0.5f) == (Y[i] == 1);
    }
    printf("%s: predict by length vs padded: max |difference| %.3g\n", calls[1], worst);
    CHECK(worst < 1e-6, "%s: predict %.3g from the padded computation", calls[1], worst);
    rnn_xy d = {N, T, X, Y};
    rnn_eval ev;
    CHECK(rnn_model_evaluate(m, &d, 32, &ev, &err) == RNN_OK, "evaluate: %s", err.msg);
    CHECK(fabs(ev.values[0] - loss / N) < 1e-5, "%s: evaluate loss %.7f, padded %.7f", calls[1], ev.values[0],
          loss / N);
    CHECK(fabs(ev.values[1] - (double)correct / N) < 1e-12, "%s: accuracy %.4f, padded %.4f", calls[1],
          ev.values[1], (double)correct / N);
    rnn_model_free(m);
}

static void test_same_as_padded(void)
{
    static const char *lstm[] = {"Embedding(20, 8, mask_zero=True)", "LSTM(6)", "Dense(1, activation='sigmoid')",
                                 NULL};
    static const char *bigru[] = {"Embedding(20, 8, mask_zero=True)", "Bidirectional(GRU(5))", "Dropout(0.3)",
                                  "Dense(1, activation='sigmoid')", NULL};
    static const char *pooled[] = {"Embedding(20, 8, mask_zero=True)", "SimpleRNN(4, return_sequences=True)",
                                   "GlobalAveragePooling1D()", "Dense(1, activation='sigmoid')", NULL};
    static const char *maxpool[] = {"Embedding(20, 8, mask_zero=True)", "SimpleRNN(4, return_sequences=True)",
                                    "GlobalMaxPooling1D()", "Dense(1, activation='sigmoid')", NULL};
    static const char *unmasked[] = {"Embedding(20, 8)", "GRU(4)", "Dense(1, activation='sigmoid')", NULL};
    check_same_as_padded(lstm, true);
    check_same_as_padded(bigru, true);
    check_same_as_padded(pooled, true);
    check_same_as_padded(maxpool, false); /* the max sees the masked steps, as in Keras */
    check_same_as_padded(unmasked, false);
}

static void test_fit_bucketed(void)
{
    static const char *lstm[] = {"Embedding(20, 8, mask_zero=True)", "LSTM(8)", "Dense(1, activation='sigmoid')",
                                 NULL};
    rnn_xy d = {N, T, X, Y};
    rnn_fit_opts o = fit_opts(15, 0.2, 11);
    o.batch_size = 16;
    o.bucket_by_length = true;
    rnn_error err = {0};
    rnn_history h1 = {0}, h2 = {0}, h3 = {0};
    rnn_model *a = make_model(lstm, 4), *b = make_model(lstm, 4), *c = make_model(lstm, 4);
    CHECK(rnn_model_fit(a, &d, &o, &h1, &err) == RNN_OK, "fit: %s", err.msg);
    CHECK(rnn_model_reserve(b, 0, T, &err) == RNN_EUSAGE && rnn_model_reserve(b, 16, 0, &err) == RNN_EUSAGE,
          "reserve refuses an empty batch");
    CHECK(rnn_model_reserve(b, 4, 3, &err) == RNN_OK, "reserve: %s", err.msg);  /* the fit grows it again */
    CHECK(rnn_model_fit(b, &d, &o, &h2, &err) == RNN_OK, "fit again: %s", err.msg);
    size_t np = rnn_model_n_params(a);
    CHECK(!memcmp(rnn_model_params(a), rnn_model_params(b), np * sizeof(float)) &&
          !memcmp(h1.values, h2.values, sizeof(double) * h1.n_epochs * h1.n_metrics), "same seed, same run");
    double l0 = rnn_history_get(&h1, 0, "loss"), l1 = rnn_history_get(&h1, 14, "loss");
    double acc = rnn_history_get(&h1, 14, "val_accuracy");
    printf("bucketed fit: loss %.4f -> %.4f, val_accuracy %.4f\n", l0, l1, acc);
    CHECK(l1 < l0 * 0.8 && acc > 0.75, "bucketed fit learns");
    o.bucket_by_length = false;
    CHECK(rnn_model_fit(c, &d, &o, &h3, &err) == RNN_OK, "plain fit: %s", err.msg);
    CHECK(memcmp(rnn_model_params(a), rnn_model_params(c), np * sizeof(float)), "other batches, other weights");
    rnn_history_free(&h1);
    rnn_history_free(&h2);
    rnn_history_free(&h3);
    rnn_model_free(a);
    rnn_model_free(b);
    rnn_model_free(c);
}

int main(void)
{
    make_data();
    test_gather();
    test_plan();
    test_same_as_padded();
    test_fit_bucketed();
    return check_finish("test_bucket");
}
