/* Recurrent layers: fast activations against libm, Keras parameter counts and output shapes,
 * describe text, the kinds' optional operations (ids checks, sparse rows, zero_grad),
 * bit-identical results for the same thread count, and a finite-difference check of a stack
 * (Bidirectional(LSTM, sequences) -> GRU(go_backwards) with a mask) through both layers' dx. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "rnnlab/tensor.h"
#include "layers/rnn_common.h"

#include "tests/check.h"

/* sigmoid and tanh over [-20, 20] and near 0, relative error against double libm. */
static void test_activations(void)
{
    enum { N = 400001 };
    float *x = malloc(N * sizeof *x), *ys = malloc(N * sizeof *ys), *yt = malloc(N * sizeof *yt);
    for (int i = 0; i < N; i++)
        x[i] = i < N / 2 ? -20.0f + 40.0f * (float)i / (N / 2) : ldexpf(1.0f, -(i % 40)) * ((i & 1) ? 1 : -1) * (1.0f + (float)(i % 997) / 997);
    rnn_sigmoid_v(ys, x, N);
    rnn_tanh_v(yt, x, N);
    double es = 0, et = 0;
    for (int i = 0; i < N; i++) {
        double s = 1.0 / (1.0 + exp(-(double)x[i])), t = tanh((double)x[i]);
        double rs = fabs(ys[i] - s) / fabs(s), rt = t != 0 ? fabs(yt[i] - t) / fabs(t) : fabs(yt[i]);
        es = rs > es ? rs : es;
        et = rt > et ? rt : et;
    }
    printf("fast sigmoid max rel err %.3g, fast tanh max rel err %.3g\n", es, et);
    CHECK(es < 5e-7, "sigmoid relative error %g", es);
    CHECK(et < 5e-7, "tanh relative error %g", et);
    float big[4] = {-1e4f, 1e4f, -90.0f, 90.0f}, out[4];
    rnn_sigmoid_v(out, big, 4);
    CHECK(out[0] >= 0 && out[0] < 1e-30f && out[1] == 1.0f, "sigmoid saturation %g %g", out[0], out[1]);
    rnn_tanh_v(out, big, 4);
    CHECK(out[0] == -1.0f && out[1] == 1.0f, "tanh saturation %g %g", out[0], out[1]);
    free(x); free(ys); free(yt);
}

/* tanh as 1 - 2/(e^{2|x|}+1) with e^x's range clamps, the form the capped one replaced. */
static inline float tanh_clamped(float x)
{
    float a = x < 0 ? -x : x, z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z
                    + 1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
    float big = 1.0f - 2.0f / (rnn_fast_exp(2.0f * a) + 1.0f);
    big = x < 0 ? -big : big;
    return a < 0.625f ? small : big;
}

RNN_VECTOR_KERNEL
static void tanh_clamped_v(float *restrict y, const float *restrict x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = tanh_clamped(x[i]);
}

/* The capped tanh gives the clamped form's bits: every 61st float, NaNs and infinities included
 * (all 2^32 compared when it was written). */
static void test_tanh_capped(void)
{
    enum { N = 1 << 16 };
    uint32_t *bits = malloc(N * sizeof *bits);
    float *x = malloc(N * sizeof *x), *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    size_t differ = 0, nans = 0;
    for (uint64_t base = 0; base < ((uint64_t)1 << 32); base += (uint64_t)N * 61) {
        for (size_t i = 0; i < N; i++)
            bits[i] = (uint32_t)(base + i * 61);
        memcpy(x, bits, N * sizeof *x);
        rnn_tanh_v(a, x, N);
        tanh_clamped_v(b, x, N);
        for (size_t i = 0; i < N; i++) {
            if (isnan(a[i]) || isnan(b[i]))
                nans += !isnan(a[i]) || !isnan(b[i]);
            else
                differ += memcmp(&a[i], &b[i], sizeof a[i]) != 0;
        }
    }
    CHECK(differ == 0 && nans == 0, "capped tanh: %zu floats differ from the clamped form, %zu NaNs not kept",
          differ, nans);
    free(bits); free(x); free(a); free(b);
}

static rnn_layer *make_layer(const char *text, rnn_shape in)
{
    rnn_error err = {0};
    rnn_call *call = NULL;
    rnn_layer *l = NULL;
    if (rnn_call_parse(text, &call, &err) || rnn_layer_create(call, NULL, &l, &err)) {
        printf("%s: %s\n", text, err.msg);
        rnn_call_free(call);
        return NULL;
    }
    rnn_call_free(call);
    snprintf(l->name, sizeof l->name, "%s", l->kind->prefix);
    l->in = in;
    if (l->kind->build(l, &err)) {
        printf("%s: build: %s\n", text, err.msg);
        rnn_layer_destroy(l);
        return NULL;
    }
    return l;
}

static void test_counts(void)
{
    struct { const char *call; int T, F; size_t params; int rank, out; } c[] = {
        {"SimpleRNN(32)", 500, 32, 2080, 1, 32},
        {"SimpleRNN(32, return_sequences=True)", 500, 32, 2080, 2, 32},
        {"LSTM(32)", 500, 32, 8320, 1, 32},
        {"GRU(32)", 500, 32, 6336, 1, 32},
        {"GRU(32, reset_after=False)", 500, 32, 6240, 1, 32},
        {"Bidirectional(LSTM(64))", 256, 128, 98816, 1, 128},
        {"Bidirectional(GRU(128))", 284, 300, 330240, 1, 256},
        {"Bidirectional(GRU(128, return_sequences=True), merge_mode='sum')", 284, 300, 330240, 2, 128},
        {"SimpleRNN(10)", 25, 50, 610, 1, 10},
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        rnn_layer *l = make_layer(c[i].call, (rnn_shape){.rank = 2, .dim = {c[i].T, c[i].F}});
        CHECK(l != NULL, "%s: not created", c[i].call);
        if (!l)
            continue;
        CHECK(l->n_params == c[i].params, "%s: %zu params, Keras has %zu", c[i].call, l->n_params, c[i].params);
        CHECK(l->out.rank == c[i].rank && l->out.dim[c[i].rank - 1] == c[i].out, "%s: output shape", c[i].call);
        char d[256];
        l->kind->describe(l, d, sizeof d);
        printf("%-70s %7zu params  describe: %s\n", c[i].call, l->n_params, d);
        rnn_layer_destroy(l);
    }
    const char *bad[] = {"LSTM()", "LSTM(0)", "GRU(4, dropout=1.5)", "LSTM(4, activation='relu')",
                         "Bidirectional(Dense(3))", "Bidirectional(LSTM(4), merge_mode='max')", "SimpleRNN(4, foo=1)",
                         /* a tuple's integer past a long (a fuzz finding: it was converted, undefined) */
                         "Conv1D(9, (988888888888888888888888888888888888888,))"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rnn_error err = {0};
        rnn_call *call = NULL;
        rnn_layer *l = NULL;
        int rc = rnn_call_parse(bad[i], &call, &err);
        if (!rc)
            rc = rnn_layer_create(call, NULL, &l, &err);
        CHECK(rc != 0, "%s accepted", bad[i]);
        printf("rejected %-45s %s\n", bad[i], err.msg);
        rnn_layer_destroy(l);
        rnn_call_free(call);
    }
}

/* Each cell's own arguments come back from describe in Keras's order (save files hold this text),
 * numbers in the digits that read back as the same value. */
static void test_describe(void)
{
    struct { const char *call, *text; } c[] = {
        {"SimpleRNN(4, 'relu', use_bias=False)", "SimpleRNN(4, activation='relu', use_bias=False)"},
        {"LSTM(4, unit_forget_bias=False, use_bias=False)", "LSTM(4, use_bias=False, unit_forget_bias=False)"},
        {"GRU(4, return_sequences=True, reset_after=False)", "GRU(4, reset_after=False, return_sequences=True)"},
        {"GRU(4, reset_after=True, go_backwards=True)", "GRU(4, go_backwards=True)"},
        {"Bidirectional(GRU(4, reset_after=False), merge_mode='ave')",
         "Bidirectional(GRU(4, reset_after=False), merge_mode='ave')"},
        /* rates in the digits that read back as the same double (%g made this one Dropout(1)) */
        {"Dropout(0.99999999999999500)", "Dropout(0.999999999999995)"},
        {"LSTM(4, dropout=0.1, recurrent_dropout=0.123456789)", "LSTM(4, dropout=0.1, recurrent_dropout=0.123456789)"},
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        rnn_layer *l = make_layer(c[i].call, (rnn_shape){.rank = 2, .dim = {5, 3}});
        CHECK(l != NULL, "%s: not created", c[i].call);
        if (!l)
            continue;
        char d[256];
        l->kind->describe(l, d, sizeof d);
        CHECK(strcmp(d, c[i].text) == 0, "%s describes itself as %s, expected %s", c[i].call, d, c[i].text);
        rnn_layer_destroy(l);
    }
}

/* Bidirectional names its copies as Keras does: forward_/backward_ and the inner layer's name= (or
 * its kind's prefix). The name is read before the inner layer's struct is freed (a fuzz finding:
 * Bidirectional(LSTM(4, name='e')) read it after, caught under AddressSanitizer). */
static void test_bidirectional_names(void)
{
    struct { const char *call, *forward, *backward; } c[] = {
        {"Bidirectional(LSTM(4, name='e'))", "forward_e", "backward_e"},
        {"Bidirectional(GRU(4))", "forward_gru", "backward_gru"},
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        rnn_layer *l = make_layer(c[i].call, (rnn_shape){.rank = 2, .dim = {5, 3}});
        CHECK(l != NULL, "%s: not created", c[i].call);
        if (!l)
            continue;
        CHECK(!strcmp(l->inner[0].name, c[i].forward) && !strcmp(l->inner[1].name, c[i].backward),
              "%s: copies named %s and %s, expected %s and %s", c[i].call, l->inner[0].name, l->inner[1].name,
              c[i].forward, c[i].backward);
        rnn_layer_destroy(l);
    }
}

/* The optional operations the model calls through the registry: ids checks, sparse rows, zero_grad. */
static void test_optional_ops(void)
{
    rnn_layer *e = make_layer("Embedding(10, 2)", (rnn_shape){.rank = 1, .dim = {3}, .is_ids = true});
    rnn_layer *d = make_layer("Dense(2)", (rnn_shape){.rank = 1, .dim = {3}});
    CHECK(e && d, "Embedding and Dense created");
    if (!e || !d)
        return;
    CHECK(e->kind->takes_ids && !d->kind->takes_ids, "only Embedding takes token ids");
    rnn_error err = {0};
    int32_t ok[] = {0, 9, 3, 1, 2, 4}, bad[] = {0, 9, 3, 1, 10, 4}, neg[] = {-1, 0, 0, 0, 0, 0};
    CHECK(rnn_layer_check_ids(e, ok, 2, 3, &err) == RNN_OK, "ids in range refused: %s", err.msg);
    CHECK(rnn_layer_check_ids(e, bad, 2, 3, &err) == RNN_EDATA &&
              strstr(err.msg, "embedding: token id 10 (sample 1, step 1) is not in [0, 10)"),
          "id 10 of 10 rows: %s", err.msg);
    CHECK(rnn_layer_check_ids(e, neg, 2, 3, &err) == RNN_EDATA, "negative id accepted");
    CHECK(rnn_layer_check_ids(d, bad, 2, 3, &err) == RNN_OK, "a kind without check_ids refused ids");
    float g[20];
    const int32_t *rows;
    int row_len;
    for (int i = 0; i < 20; i++)
        g[i] = 1.0f;
    d->grads = g;
    CHECK(rnn_layer_sparse_rows(d, &rows, &row_len) == -1, "Dense's gradient is dense");
    rnn_layer_zero_grad(d);
    bool zero = true;
    for (size_t i = 0; i < d->n_params; i++)
        zero &= g[i] == 0.0f;
    CHECK(zero && g[d->n_params] == 1.0f, "zero_grad clears exactly Dense's %zu gradients", d->n_params);
    e->grads = g;
    CHECK(rnn_layer_sparse_rows(e, &rows, &row_len) == 0 && row_len == 2, "no rows before a backward");
    rnn_layer_destroy(e);
    rnn_layer_destroy(d);
}

/* A stack of layers driven by hand: forward through all, backward with dx chaining. */
typedef struct stack {
    rnn_layer *l[2];
    int B, T;
    float *x, *h, *y, *w, *dh, *dx;
    size_t nx, nh, ny;
    uint8_t *mask;
    rnn_rng *rng;
} stack;

static double stack_loss(stack *s, bool training)
{
    rnn_rng_seed(s->rng, 5);
    rnn_fwd f = {.B = s->B, .T = s->T, .training = training, .rng = s->rng, .mask = s->mask};
    s->l[0]->kind->forward(s->l[0], &f, s->x, s->h);
    s->l[1]->kind->forward(s->l[1], &f, s->h, s->y);
    double L = 0;
    for (size_t i = 0; i < s->ny; i++)
        L += (double)s->w[i] * s->y[i];
    return L;
}

static void stack_backward(stack *s, bool training)
{
    rnn_fwd f = {.B = s->B, .T = s->T, .training = training, .rng = s->rng, .mask = s->mask};
    for (int i = 0; i < 2; i++)
        memset(s->l[i]->grads, 0, s->l[i]->n_params * sizeof(float));
    s->l[1]->kind->backward(s->l[1], &f, s->w, s->dh);
    s->l[0]->kind->backward(s->l[0], &f, s->dh, s->dx);
}

static int stack_init(stack *s, const char *a, const char *b, int B, int T, int F, int threads)
{
    memset(s, 0, sizeof *s);
    s->B = B;
    s->T = T;
    s->rng = rnn_rng_new(3);
    s->l[0] = make_layer(a, (rnn_shape){.rank = 2, .dim = {T, F}});
    if (!s->l[0])
        return 1;
    s->l[1] = make_layer(b, s->l[0]->out);
    if (!s->l[1])
        return 1;
    rnn_rng *init = rnn_rng_new(11);
    for (int i = 0; i < 2; i++) {
        rnn_layer *l = s->l[i];
        l->threads = threads;
        l->params = rnn_alloc_aligned(l->n_params * sizeof(float));
        l->grads = rnn_alloc_aligned(l->n_params * sizeof(float));
        l->kind->init(l, init, NULL);
        for (size_t k = 0; k < l->n_params; k++)
            l->params[k] += (float)(rnn_rng_uniform(init) * 0.2 - 0.1);
        rnn_error err;
        if (l->kind->reserve(l, B, T, &err))
            return 1;
    }
    s->nx = (size_t)T * B * F;
    s->nh = (size_t)T * B * s->l[0]->out.dim[1];
    s->ny = (size_t)B * s->l[1]->out.dim[s->l[1]->out.rank - 1] * (s->l[1]->out.rank == 2 ? T : 1);
    s->x = calloc(s->nx, 4); s->dx = calloc(s->nx, 4);
    s->h = calloc(s->nh, 4); s->dh = calloc(s->nh, 4);
    s->y = calloc(s->ny, 4); s->w = calloc(s->ny, 4);
    rnn_fill_uniform(init, s->x, s->nx, -1, 1);
    rnn_fill_uniform(init, s->w, s->ny, -1, 1);
    s->mask = calloc((size_t)T * B, 1);
    for (int b = 0; b < B; b++) {
        int len = 1 + (int)rnn_rng_uint(init, (unsigned long)T);
        for (int t = T - len; t < T; t++)
            s->mask[(size_t)t * B + b] = 1;
    }
    rnn_rng_free(init);
    return 0;
}

static void stack_free(stack *s)
{
    for (int i = 0; i < 2; i++)
        if (s->l[i]) {
            rnn_free_aligned(s->l[i]->params);
            rnn_free_aligned(s->l[i]->grads);
            rnn_layer_destroy(s->l[i]);
        }
    free(s->x); free(s->dx); free(s->h); free(s->dh); free(s->y); free(s->w); free(s->mask);
    rnn_rng_free(s->rng);
}

/* Central differences on a sample of every parameter of both layers and of the input. */
static void test_stack_gradcheck(void)
{
    stack s;
    const char *a = "Bidirectional(LSTM(4, return_sequences=True, dropout=0.2))", *b = "GRU(3, go_backwards=True)";
    CHECK(!stack_init(&s, a, b, 3, 6, 3, 1), "stack setup");
    stack_loss(&s, true);
    stack_backward(&s, true);
    double worst = 0, eps = 1e-2;
    rnn_rng *pick = rnn_rng_new(7);
    for (int which = 0; which < 3; which++) {
        float *v = which < 2 ? s.l[which]->params : s.x;
        const float *g = which < 2 ? s.l[which]->grads : s.dx;
        size_t n = which < 2 ? s.l[which]->n_params : s.nx;
        for (int k = 0; k < 60; k++) {
            size_t i = rnn_rng_uint(pick, n);
            float save = v[i];
            v[i] = save + (float)eps;
            double lp = stack_loss(&s, true);
            v[i] = save - (float)eps;
            double lm = stack_loss(&s, true);
            v[i] = save;
            double num = (lp - lm) / (2 * eps), d = fmax(fmax(fabs(num), fabs(g[i])), 1e-2);
            worst = fmax(worst, fabs(num - g[i]) / d);
        }
    }
    printf("stack %s -> %s (masked, dropout): max rel err %.3g\n", a, b, worst);
    CHECK(worst < 1e-2, "stacked gradient check: %g", worst);
    rnn_rng_free(pick);
    stack_free(&s);
}

/* Same inputs, same thread count: the same bits, run after run (threads split the batch). */
static void test_deterministic(void)
{
    for (int threads = 1; threads <= 2; threads++) {
        stack s[2];
        for (int k = 0; k < 2; k++) {
            CHECK(!stack_init(&s[k], "LSTM(16, return_sequences=True, dropout=0.1, recurrent_dropout=0.1)",
                              "Bidirectional(GRU(8))", 40, 9, 5, threads), "setup");
            stack_loss(&s[k], true);
            stack_backward(&s[k], true);
        }
        bool same = !memcmp(s[0].y, s[1].y, s[0].ny * 4) && !memcmp(s[0].dx, s[1].dx, s[0].nx * 4);
        for (int i = 0; i < 2; i++)
            same = same && !memcmp(s[0].l[i]->grads, s[1].l[i]->grads, s[0].l[i]->n_params * 4);
        printf("threads=%d: two runs bit-identical: %s\n", threads, same ? "yes" : "NO");
        CHECK(same, "runs differ with %d threads", threads);
        stack_free(&s[0]);
        stack_free(&s[1]);
    }
}

/* The Embedding over the engine's threads: the padding id half the batch, frequent words; its
 * output, mask, gradient rows and touched rows are those of a plain pass, for every thread count. */
static void test_embedding_threads(void)
{
    enum { V = 50, D = 32, B = 128, T = 256 };  /* 1,048,576 floats: a part for each of 4 threads */
    rnn_rng *rng = rnn_rng_new(21);
    int32_t *x = malloc((size_t)B * T * sizeof *x);
    float *dy = malloc((size_t)B * T * D * sizeof *dy), *y = malloc((size_t)B * T * D * sizeof *y);
    float *ref = calloc((size_t)V * D, sizeof *ref);
    for (size_t i = 0; i < (size_t)B * T; i++)
        x[i] = rnn_rng_uint(rng, 2) ? 0 : (int32_t)(rnn_rng_uint(rng, 7) * rnn_rng_uint(rng, V / 7));
    rnn_fill_uniform(rng, dy, (size_t)B * T * D, -1, 1);
    for (int t = 0; t < T; t++)  /* the gradient of a plain pass: rows summed in (t, b) order */
        for (int b = 0; b < B; b++)
            for (int j = 0; j < D; j++)
                ref[(size_t)x[(size_t)b * T + t] * D + j] += dy[((size_t)t * B + b) * D + j];
    for (int threads = 1; threads <= 4; threads++) {
        rnn_set_threads(threads);
        rnn_layer *e = make_layer("Embedding(50, 32, mask_zero=True)", (rnn_shape){.rank = 1, .dim = {T}, .is_ids = true});
        if (!e)
            break;
        rnn_error err;
        e->params = rnn_alloc_aligned(e->n_params * sizeof(float));
        e->grads = rnn_alloc_aligned(e->n_params * sizeof(float));
        memset(e->grads, 0, e->n_params * sizeof(float));
        e->kind->init(e, rng, NULL);
        CHECK(e->kind->reserve(e, B, T, &err) == RNN_OK, "reserve");
        rnn_fwd f = {.B = B, .T = T, .training = true, .rng = rng};
        e->kind->forward(e, &f, x, y);
        const uint8_t *mask = e->kind->out_mask(e, &f, x);
        bool out_ok = true;
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++) {
                int32_t id = x[(size_t)b * T + t];
                out_ok &= !memcmp(y + ((size_t)t * B + b) * D, e->params + (size_t)id * D, D * sizeof(float));
                out_ok &= mask[(size_t)t * B + b] == (id != 0);
            }
        CHECK(out_ok, "%d threads: rows or mask not the ids'", threads);
        e->kind->backward(e, &f, dy, NULL);
        CHECK(!memcmp(e->grads, ref, (size_t)V * D * sizeof(float)), "%d threads: gradient rows differ from one "
              "pass's", threads);
        const int32_t *rows;
        int row_len;
        long n = rnn_layer_sparse_rows(e, &rows, &row_len);
        bool listed[V] = {false}, used[V] = {false}, rows_ok = n >= 0 && n <= V;
        for (long i = 0; rows_ok && i < n; i++) {
            rows_ok &= rows[i] >= 0 && rows[i] < V && !listed[rows[i]];
            listed[rows[i]] = true;
        }
        for (size_t i = 0; i < (size_t)B * T; i++)
            used[x[i]] = true;
        CHECK(rows_ok && !memcmp(listed, used, sizeof used), "%d threads: touched rows are not the batch's ids",
              threads);
        rnn_layer_zero_grad(e);
        bool zero = true;
        for (size_t i = 0; i < e->n_params; i++)
            zero &= e->grads[i] == 0.0f;
        CHECK(zero && rnn_layer_sparse_rows(e, &rows, &row_len) == 0, "%d threads: zero_grad left rows", threads);
        rnn_free_aligned(e->params);
        rnn_free_aligned(e->grads);
        rnn_layer_destroy(e);
    }
    rnn_set_threads(2);
    free(x);
    free(dy);
    free(y);
    free(ref);
    rnn_rng_free(rng);
}

/* A recurrent layer of `call` on T steps of F features whose rows may come from a table of V rows
 * (in_table_rows = V; 0: not), built, initialised (seed 7) and reserved for B rows, with its
 * output size in *ny; NULL when any step fails. */
static rnn_layer *table_layer(const char *text, int B, int T, int F, int V, int threads, size_t *ny)
{
    rnn_error err = {0};
    rnn_call *call = NULL;
    rnn_layer *l = NULL;
    bool made = !rnn_call_parse(text, &call, &err) && !rnn_layer_create(call, NULL, &l, &err);
    rnn_call_free(call);
    if (!made)
        return NULL;
    snprintf(l->name, sizeof l->name, "%s", l->kind->prefix);
    l->in = (rnn_shape){.rank = 2, .dim = {T, F}};
    l->in_table_rows = V;
    l->threads = threads;
    made = l->kind->build(l, &err) == RNN_OK;
    l->params = rnn_alloc_aligned(l->n_params * sizeof(float));
    l->grads = rnn_alloc_aligned(l->n_params * sizeof(float));
    rnn_rng *init = rnn_rng_new(7);
    made = made && l->params && l->grads && l->kind->init(l, init, NULL) == RNN_OK &&
           l->kind->reserve(l, B, T, &err) == RNN_OK;
    rnn_rng_free(init);
    *ny = (size_t)B * l->out.dim[l->out.rank - 1] * (l->out.rank == 2 ? T : 1);
    if (!made) {
        rnn_free_aligned(l->params);
        rnn_free_aligned(l->grads);
        rnn_layer_destroy(l);
        return NULL;
    }
    return l;
}

static void table_layer_free(rnn_layer *l)
{
    if (!l)
        return;
    rnn_free_aligned(l->params);
    rnn_free_aligned(l->grads);
    rnn_layer_destroy(l);
}

/* An id of a vocabulary of V words whose batches use `words` of them (spread over the table). */
static int32_t table_test_id(rnn_rng *rng, int V, int words)
{
    return (int32_t)(((int64_t)rnn_rng_uint(rng, (uint32_t)words) * 7919) % V);
}

/* Vocabularies of the table tests, against batches of 216-220 rows: every word in the batch (its
 * rows are read in place), most of them (found by a pass over the vocabulary), and few of many
 * (sorted). */
static const struct { int V, words; } table_vocab[] = {{30, 30}, {100, 100}, {5000, 60}};

/* A batch whose rows are a table's: table [V][F] random, ids [B][T] of `words` words spread over the
 * table (a third of them the padding id 0 with pad), x [T][B][F] their rows. */
typedef struct table_batch {
    int V, F, B, T;
    float *table, *x;
    int32_t *ids;
} table_batch;

static table_batch table_batch_make(rnn_rng *rng, int V, int F, int B, int T, int words, bool pad)
{
    table_batch tb = {V, F, B, T, malloc((size_t)V * F * sizeof(float)), malloc((size_t)T * B * F * sizeof(float)),
                      malloc((size_t)B * T * sizeof(int32_t))};
    rnn_fill_uniform(rng, tb.table, (size_t)V * F, -1, 1);
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            int32_t id = !pad || rnn_rng_uint(rng, 3) ? table_test_id(rng, V, words) : 0;
            tb.ids[(size_t)b * T + t] = id;
            memcpy(tb.x + ((size_t)t * B + b) * F, tb.table + (size_t)id * F, F * sizeof(float));
        }
    return tb;
}

static void table_batch_free(table_batch *tb)
{
    free(tb->table);
    free(tb->x);
    free(tb->ids);
}

/* Two layers of `call` for the batch's shapes (layer k told of a table of rows[k] rows), their
 * outputs and input gradients, and a random output gradient dy; false when a layer fails. */
typedef struct table_pair {
    rnn_layer *l[2];
    float *y[2], *dx[2], *dy;
    size_t ny;
} table_pair;

static bool table_pair_make(table_pair *p, const char *call, const table_batch *tb, const int rows[2], int threads,
                            rnn_rng *rng)
{
    size_t nx = (size_t)tb->T * tb->B * tb->F;
    for (int k = 0; k < 2; k++) {
        p->l[k] = table_layer(call, tb->B, tb->T, tb->F, rows[k], threads, &p->ny);
        p->y[k] = calloc(p->ny, sizeof(float));
        p->dx[k] = calloc(nx, sizeof(float));
    }
    p->dy = malloc(p->ny * sizeof(float));
    CHECK(p->l[0] && p->l[1], "%s: layers made", call);
    if (p->l[0] && p->l[1])
        rnn_fill_uniform(rng, p->dy, p->ny, -1, 1);
    return p->l[0] && p->l[1];
}

static void table_pair_free(table_pair *p)
{
    for (int k = 0; k < 2; k++) {
        table_layer_free(p->l[k]);
        free(p->y[k]);
        free(p->dx[k]);
    }
    free(p->dy);
}

/* The largest difference between a and b [n], relative to the largest |a| (sums in another order
 * cancel differently). */
static double rel_error(const float *a, const float *b, size_t n);

/* The same rows through products of another shape or order (the batch's distinct rows, a table's
 * rows): each output row is its input row times the kernel, but OpenBLAS's Haswell kernels (which it
 * picks on some AMD EPYC machines) round a row by where it sits in the product, so "the same" is the
 * same to a few units in the last place: 1e-6 of the largest value (1-2e-7 seen there; 0 on
 * Cooperlake's kernels). */
static bool same_to_rounding(const float *a, const float *b, size_t n)
{
    return rel_error(a, b, n) < 1e-6;
}

static double rel_error(const float *a, const float *b, size_t n)
{
    double top = 1e-30, worst = 0;
    for (size_t i = 0; i < n; i++)
        top = fmax(top, fabs(a[i]));
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(a[i] - b[i]) / top);
    return worst;
}

/* The largest difference between an input gradient by id (dx_id [U][F], a row for each of the
 * batch's ids ascending) and the rows' input gradients dx_rows [T][B][F] summed by id, relative to
 * the largest sum. */
static double by_id_dx_error(const float *dx_id, const float *dx_rows, const table_batch *tb)
{
    int V = tb->V, F = tb->F, B = tb->B, T = tb->T;
    double *rows = calloc((size_t)V * F, sizeof *rows), top = 1e-30, worst = 0;
    bool *seen = calloc((size_t)V, sizeof *seen);
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            int32_t id = tb->ids[(size_t)b * T + t];
            seen[id] = true;
            for (int j = 0; j < F; j++)
                rows[(size_t)id * F + j] += dx_rows[((size_t)t * B + b) * F + j];
        }
    for (size_t i = 0; i < (size_t)V * F; i++)
        top = fmax(top, fabs(rows[i]));
    for (int id = 0, k = 0; id < V; k += seen[id++])
        for (int j = 0; seen[id] && j < F; j++)
            worst = fmax(worst, fabs(dx_id[(size_t)k * F + j] - rows[(size_t)id * F + j]) / top);
    free(rows);
    free(seen);
    return worst;
}

/* test_table_rows for a vocabulary of V words of which the batch uses `words`. */
static void table_rows_case(int V, int words)
{
    static const char *const calls[] = {"SimpleRNN(5, return_sequences=True)", "LSTM(4)",
                                        "GRU(3, go_backwards=True, return_sequences=True)",
                                        "SimpleRNN(5, dropout=0.3)"};  /* input dropout: rows not the table's */
    rnn_rng *rng = rnn_rng_new(31);
    table_batch tb = table_batch_make(rng, V, 16, 24, 9, words, false);
    size_t nx = (size_t)tb.T * tb.B * tb.F;
    for (size_t c = 0; c < sizeof calls / sizeof *calls; c++)
        for (int threads = 1; threads <= 2; threads++) {
            table_pair p;
            if (!table_pair_make(&p, calls[c], &tb, (const int[2]){0, V}, threads, rng)) {
                table_pair_free(&p);
                break;
            }
            for (int k = 0; k < 2; k++) {
                rnn_rng *drop = rnn_rng_new(9);  /* the same dropout masks for both */
                rnn_fwd f = {.B = tb.B, .T = tb.T, .training = true, .rng = drop,
                             .ids = k == 1 ? tb.ids : NULL, .table = k == 1 ? tb.table : NULL};
                p.l[k]->kind->forward(p.l[k], &f, tb.x, p.y[k]);
                CHECK(k == 0 || c == 3 || ((const rnn_rec *)p.l[k]->cfg)->ids, "%s, V %d: the table was not taken",
                      calls[c], V);
                memset(p.l[k]->grads, 0, p.l[k]->n_params * sizeof(float));
                p.l[k]->kind->backward(p.l[k], &f, p.dy, p.dx[k]);
                rnn_rng_free(drop);
            }
            CHECK(same_to_rounding(p.y[0], p.y[1], p.ny) && same_to_rounding(p.dx[0], p.dx[1], nx) &&
                      same_to_rounding(p.l[0]->grads, p.l[1]->grads, p.l[0]->n_params),
                  "%s, V %d, %d threads: the table's projections give other values than the rows'", calls[c], V,
                  threads);
            table_pair_free(&p);
        }
    table_batch_free(&tb);
    rnn_rng_free(rng);
}

/* A recurrent layer whose input rows are an Embedding's table rows (rnn_layer.in_table_rows):
 * projecting the batch's distinct rows once and copying each row's projection gives the values of
 * projecting the rows (same_to_rounding), forward and backward, for the cells, go_backwards and 1
 * or 2 threads. */
static void test_table_rows(void)
{
    for (size_t v = 0; v < sizeof table_vocab / sizeof *table_vocab; v++)
        table_rows_case(table_vocab[v].V, table_vocab[v].words);
}

/* test_rows_by_id for a vocabulary of V words of which the batch uses `words` (and the padding id). */
static void rows_by_id_case(int V, int words)
{
    static const char *const calls[] = {"SimpleRNN(6, return_sequences=True)", "LSTM(4)",
                                        "GRU(3, go_backwards=True)", "GRU(5, reset_after=False)",
                                        "LSTM(9)"};  /* 36 gate columns: the products split by them */
    rnn_rng *rng = rnn_rng_new(41);
    table_batch tb = table_batch_make(rng, V, 25, 20, 11, words, true);
    size_t nx = (size_t)tb.T * tb.B * tb.F;
    float *junk = malloc(nx * sizeof *junk);
    for (size_t i = 0; i < nx; i++)
        junk[i] = NAN;  /* by id, the input rows are never read */
    for (size_t c = 0; c < sizeof calls / sizeof *calls; c++)
        for (int threads = 1; threads <= 2; threads++) {
            table_pair p;
            if (!table_pair_make(&p, calls[c], &tb, (const int[2]){V, V}, threads, rng)) {
                table_pair_free(&p);
                break;
            }
            rnn_fwd f0 = {.B = tb.B, .T = tb.T, .training = true, .rng = rng, .ids = tb.ids, .table = tb.table};
            rnn_fwd f1 = f0;
            f1.rows_by_id = true;
            CHECK(p.l[1]->kind->reads_rows_by_id && p.l[1]->kind->reads_rows_by_id(p.l[1], &f1), "%s: reads by id",
                  calls[c]);
            p.l[0]->kind->forward(p.l[0], &f0, tb.x, p.y[0]);
            p.l[1]->kind->forward(p.l[1], &f1, junk, p.y[1]);
            for (int k = 0; k < 2; k++) {
                memset(p.l[k]->grads, 0, p.l[k]->n_params * sizeof(float));
                p.l[k]->kind->backward(p.l[k], k ? &f1 : &f0, p.dy, p.dx[k]);
            }
            CHECK(same_to_rounding(p.y[0], p.y[1], p.ny), "%s, %d threads: outputs differ by id", calls[c],
                  threads);
            const rnn_rec *r = p.l[0]->cfg;
            size_t nk = (size_t)tb.F * r->G * r->H;  /* the kernel's gradient first, then the others */
            CHECK(same_to_rounding(p.l[0]->grads + nk, p.l[1]->grads + nk, p.l[0]->n_params - nk),
                  "%s, %d threads: recurrent kernel or bias gradients differ by id", calls[c], threads);
            double worst = fmax(rel_error(p.l[0]->grads, p.l[1]->grads, nk), by_id_dx_error(p.dx[1], p.dx[0], &tb));
            CHECK(worst < 1e-5, "%s, V %d, %d threads: kernel or table-row gradients by id off by %g", calls[c], V,
                  threads, worst);
            table_pair_free(&p);
        }
    free(junk);
    table_batch_free(&tb);
    rnn_rng_free(rng);
}

/* By id (rnn_fwd.rows_by_id): the layer reads no input rows, and its input gradient comes by id,
 * a row for each of the batch's ids in ascending order. Against the rows' computation: the same
 * outputs and recurrent gradients (same_to_rounding); the kernel's gradient and each id's gradient (the
 * rows' input gradients summed by id) are sums in another order, equal to 1e-5 of the largest. */
static void test_rows_by_id(void)
{
    for (size_t v = 0; v < sizeof table_vocab / sizeof *table_vocab; v++)
        rows_by_id_case(table_vocab[v].V, table_vocab[v].words);
}

/* A batch with more distinct ids than half its positions is declined (reads_rows_by_id false, no
 * list given), and leaves nothing indexed behind: the next batch of few words is taken, gives its
 * distinct ids ascending, each once (rnn_fwd.distinct_ids), and the same outputs as its rows. */
static void test_by_id_declined(void)
{
    rnn_rng *rng = rnn_rng_new(43);
    enum { V = 300 };
    table_batch many = table_batch_make(rng, V, 16, 20, 11, V, false);
    table_batch few = table_batch_make(rng, V, 16, 20, 11, 40, true);
    table_pair p;
    if (table_pair_make(&p, "LSTM(5)", &few, (const int[2]){V, V}, 1, rng)) {
        rnn_fwd fm = {.B = many.B, .T = many.T, .training = true, .rng = rng, .ids = many.ids, .table = many.table};
        CHECK(!p.l[1]->kind->reads_rows_by_id(p.l[1], &fm) && !fm.distinct_ids,
              "a batch of %d positions and about as many words is declined by id", many.B * many.T);
        rnn_fwd f0 = {.B = few.B, .T = few.T, .training = true, .rng = rng, .ids = few.ids, .table = few.table};
        rnn_fwd f1 = f0;
        f1.rows_by_id = true;
        CHECK(p.l[1]->kind->reads_rows_by_id(p.l[1], &f1) && f1.distinct_ids, "the next batch is read by id");
        bool seen[V] = {false}, listed_ok = f1.distinct_ids != NULL;
        for (size_t i = 0; i < (size_t)few.B * few.T; i++)
            seen[few.ids[i]] = true;
        int distinct = 0;
        for (int id = 0; id < V; id++)
            distinct += seen[id];
        for (int u = 0; listed_ok && u < f1.n_distinct; u++)
            listed_ok = seen[f1.distinct_ids[u]] && (u == 0 || f1.distinct_ids[u - 1] < f1.distinct_ids[u]);
        CHECK(listed_ok && f1.n_distinct == distinct, "distinct ids given: %d of %d, ascending and of the batch: %d",
              f1.n_distinct, distinct, listed_ok);
        p.l[0]->kind->forward(p.l[0], &f0, few.x, p.y[0]);
        p.l[1]->kind->forward(p.l[1], &f1, few.x, p.y[1]);
        CHECK(same_to_rounding(p.y[0], p.y[1], p.ny), "outputs by id after a declined batch");
    }
    table_pair_free(&p);
    table_batch_free(&many);
    table_batch_free(&few);
    rnn_rng_free(rng);
}

/* Bidirectional by id: both directions read the batch's words (on two threads here) and the input
 * gradient by id is the sum of theirs. Against the rows' computation: the same outputs
 * (same_to_rounding);
 * every weight gradient and each id's input gradient equal to 1e-5 of the largest. */
static void test_bidirectional_by_id(void)
{
    static const char *const calls[] = {"Bidirectional(LSTM(5, return_sequences=True))",
                                        "Bidirectional(GRU(4), merge_mode='ave')"};
    rnn_rng *rng = rnn_rng_new(43);
    table_batch tb = table_batch_make(rng, 500, 16, 20, 11, 40, false);
    for (size_t c = 0; c < sizeof calls / sizeof *calls; c++) {
        table_pair p;
        if (!table_pair_make(&p, calls[c], &tb, (const int[2]){0, tb.V}, 2, rng)) {
            table_pair_free(&p);
            break;
        }
        rnn_fwd f0 = {.B = tb.B, .T = tb.T, .training = true, .rng = rng}, f1 = f0;
        f1.ids = tb.ids;
        f1.table = tb.table;
        f1.rows_by_id = true;
        CHECK(p.l[1]->kind->reads_rows_by_id && p.l[1]->kind->reads_rows_by_id(p.l[1], &f1), "%s: reads by id",
              calls[c]);
        for (int k = 0; k < 2; k++)
            p.l[k]->kind->forward(p.l[k], k ? &f1 : &f0, tb.x, p.y[k]);
        CHECK(same_to_rounding(p.y[0], p.y[1], p.ny), "%s: outputs differ by id", calls[c]);
        for (int k = 0; k < 2; k++) {
            memset(p.l[k]->grads, 0, p.l[k]->n_params * sizeof(float));
            p.l[k]->kind->backward(p.l[k], k ? &f1 : &f0, p.dy, p.dx[k]);
        }
        double worst = fmax(rel_error(p.l[0]->grads, p.l[1]->grads, p.l[0]->n_params),
                            by_id_dx_error(p.dx[1], p.dx[0], &tb));
        CHECK(worst < 1e-5, "%s: weight or id gradients by id off by %g", calls[c], worst);
        table_pair_free(&p);
    }
    table_batch_free(&tb);
    rnn_rng_free(rng);
}

/* The table's buffers only where they take no more memory than the rows they save: chollet_rnn's
 * SimpleRNN(32) after Embedding(10000, 32) keeps a table; an LSTM(256) after Embedding(30000, 64)
 * does not (its workspace is that of a layer without one). Sizes only: nothing is reserved. */
static void test_table_memory(void)
{
    static const struct { const char *call; int F, V; bool table; } c[] = {
        {"SimpleRNN(32)", 32, 10000, true}, {"LSTM(32)", 32, 10000, true}, {"LSTM(256)", 64, 30000, false}};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        size_t bytes[2] = {0, 0};
        for (int k = 0; k < 2; k++) {
            rnn_error err = {0};
            rnn_call *call = NULL;
            rnn_layer *l = NULL;
            if (rnn_call_parse(c[i].call, &call, &err) || rnn_layer_create(call, NULL, &l, &err)) {
                rnn_call_free(call);
                CHECK(false, "%s: %s", c[i].call, err.msg);
                return;
            }
            rnn_call_free(call);
            l->in = (rnn_shape){.rank = 2, .dim = {500, c[i].F}};
            l->in_table_rows = k ? c[i].V : 0;
            l->threads = 2;
            CHECK(l->kind->build(l, &err) == RNN_OK, "%s: build: %s", c[i].call, err.msg);
            bytes[k] = l->kind->workspace_bytes(l, 128, 500);
            rnn_layer_destroy(l);
        }
        CHECK((bytes[1] > bytes[0]) == c[i].table, "%s after Embedding(%d, %d): %zu bytes with the table, %zu "
              "without: expected %s", c[i].call, c[i].V, c[i].F, bytes[1], bytes[0], c[i].table ? "more" : "the same");
    }
}

int main(void)
{
    rnn_set_threads(2);
    rnn_rec_parallel_min_work = 0;  /* threads even on these small shapes */
    test_activations();
    test_tanh_capped();
    test_counts();
    test_describe();
    test_bidirectional_names();
    test_optional_ops();
    test_embedding_threads();
    test_table_rows();
    test_rows_by_id();
    test_by_id_declined();
    test_bidirectional_by_id();
    test_table_memory();
    test_stack_gradcheck();
    test_deterministic();
    return check_finish("test_layers");
}
