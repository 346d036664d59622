/* Masked steps skipped: SimpleRNN, LSTM, GRU and Bidirectional with a mask give, forward and
 * backward, what the computation of every step and row gives (rnn_rec_skip_masked = false). Masks:
 * rows sorted by length (pre- and post-padding, as length-aware batches give them), unsorted rows,
 * a row that is all padding, and steps padded in every row at both ends; one thread and several. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "layers/rnn_common.h"

#include "tests/check.h"

enum { B = 37, T = 19, F = 7 };

typedef enum { SORTED_PRE, SORTED_POST, UNSORTED_PRE, HOLES } mask_kind;
static const char *const mask_names[] = {"sorted pre-padding", "sorted post-padding", "unsorted pre-padding",
                                         "padding inside texts"};

/* mask [T][B]: lengths 0..T-3 (row 3 all padding; no text uses the first and last two steps). */
static void make_mask(uint8_t *m, mask_kind kind, rnn_rng *rng)
{
    int len[B];
    for (int b = 0; b < B; b++)
        len[b] = b == 3 ? 0 : 1 + (int)rnn_rng_uint(rng, T - 4);
    if (kind == SORTED_PRE || kind == SORTED_POST)
        for (int i = 1; i < B; i++) /* insertion sort, ascending */
            for (int j = i; j > 0 && len[j - 1] > len[j]; j--) {
                int t = len[j];
                len[j] = len[j - 1];
                len[j - 1] = t;
            }
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            bool live = kind == SORTED_POST ? t >= 2 && t < 2 + len[b] : t < T - 2 && t >= T - 2 - len[b];
            if (kind == HOLES && live && rnn_rng_uniform(rng) < 0.3)
                live = false;
            m[(size_t)t * B + b] = live;
        }
}

/* Every workspace float of a recurrent layer (or of both directions of a Bidirectional) set to NaN:
 * a step that read what no step wrote would show. */
static void poison_workspaces(rnn_layer *l)
{
    if (l->inner) {
        poison_workspaces(&l->inner[0]);
        poison_workspaces(&l->inner[1]);
        return;
    }
    rnn_rec *r = l->cfg;
    for (size_t i = 0; i < r->block_cap; i++)
        r->block[i] = NAN;
}

typedef struct run {
    float *y, *dx, *grads;
} run;

/* Forward and backward of a fresh layer (same seed: same weights, inputs, dropout) into out. */
static int run_layer(const char *call_text, const uint8_t *mask, bool training, run *out, size_t *ny, size_t *np)
{
    rnn_error err = {0};
    rnn_call *call = NULL;
    rnn_layer *l = NULL;
    if (rnn_call_parse(call_text, &call, &err) || rnn_layer_create(call, NULL, &l, &err)) {
        printf("%s: %s\n", call_text, err.msg);
        rnn_call_free(call);
        return 1;
    }
    rnn_call_free(call);
    snprintf(l->name, sizeof l->name, "%s", l->kind->prefix);
    l->in = (rnn_shape){.rank = 2, .dim = {T, F}};
    rnn_rng *rng = rnn_rng_new(17);
    if (l->kind->build(l, &err)) {
        printf("%s: build: %s\n", call_text, err.msg);
        return 1;
    }
    l->params = rnn_alloc_aligned((l->n_params ? l->n_params : 1) * sizeof(float));
    l->grads = rnn_alloc_aligned((l->n_params ? l->n_params : 1) * sizeof(float));
    l->kind->init(l, rng, NULL);
    for (size_t i = 0; i < l->n_params; i++)
        l->params[i] += (float)(rnn_rng_uniform(rng) - 0.5) * 0.4f;
    memset(l->grads, 0, l->n_params * sizeof(float));
    if (l->kind->reserve(l, B, T, &err)) {
        printf("%s: reserve: %s\n", call_text, err.msg);
        return 1;
    }
    poison_workspaces(l);
    size_t nx = (size_t)T * B * F;
    *ny = l->out.rank == 2 ? (size_t)T * B * l->out.dim[1] : (size_t)B * l->out.dim[0];
    *np = l->n_params;
    float *x = malloc(nx * sizeof *x), *dy = malloc(*ny * sizeof *dy);
    rnn_fill_uniform(rng, x, nx, -1.0f, 1.0f);
    rnn_fill_uniform(rng, dy, *ny, -1.0f, 1.0f);
    out->y = malloc(*ny * sizeof(float));
    out->dx = malloc(nx * sizeof(float));
    out->grads = malloc((*np ? *np : 1) * sizeof(float));
    memset(out->y, 0x7f, *ny * sizeof(float));   /* every output written */
    memset(out->dx, 0x7f, nx * sizeof(float));
    rnn_fwd f = {.B = B, .T = T, .training = training, .rng = rng, .mask = mask};
    l->kind->forward(l, &f, x, out->y);
    l->kind->backward(l, &f, dy, out->dx);
    memcpy(out->grads, l->grads, *np * sizeof(float));
    free(x);
    free(dy);
    rnn_rng_free(rng);
    rnn_free_aligned(l->params);
    rnn_free_aligned(l->grads);
    rnn_layer_destroy(l);
    return 0;
}

static void run_free(run *r)
{
    free(r->y);
    free(r->dx);
    free(r->grads);
}

/* Largest |a - b| / max(1, |b|) over n floats; infinite where one is NaN. */
static double max_rel(const float *a, const float *b, size_t n)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]) / fmax(1.0, fabs((double)b[i]));
        if (!(d <= worst))
            worst = isnan(d) ? INFINITY : d;
    }
    return worst;
}

static void check_call(const char *call_text, bool training)
{
    rnn_rng *rng = rnn_rng_new(5);
    uint8_t mask[T * B];
    for (int kind = SORTED_PRE; kind <= HOLES; kind++) {
        make_mask(mask, (mask_kind)kind, rng);
        run skip, full;
        size_t ny, np, nx = (size_t)T * B * F;
        rnn_rec_skip_masked = true;
        int rc = run_layer(call_text, mask, training, &skip, &ny, &np);
        rnn_rec_skip_masked = false;
        rc |= run_layer(call_text, mask, training, &full, &ny, &np);
        rnn_rec_skip_masked = true;
        CHECK(rc == 0, "%s: the layer runs", call_text);
        if (rc)
            continue;
        bool y_same = !memcmp(skip.y, full.y, ny * sizeof(float));
        bool dx_same = !memcmp(skip.dx, full.dx, nx * sizeof(float));
        double dw = max_rel(skip.grads, full.grads, np);
        printf("%-48s %-22s y %s, dx %s, weight gradients max rel %.2g\n", call_text, mask_names[kind],
               y_same ? "bit-identical" : "DIFFER", dx_same ? "bit-identical" : "DIFFER", dw);
        CHECK(y_same, "%s, %s: outputs bit-identical (max rel %.3g)", call_text, mask_names[kind],
              max_rel(skip.y, full.y, ny));
        CHECK(dx_same, "%s, %s: input gradients bit-identical (max rel %.3g)", call_text, mask_names[kind],
              max_rel(skip.dx, full.dx, nx));
        CHECK(dw < 1e-5, "%s, %s: weight gradients within float rounding (max rel %.3g)", call_text,
              mask_names[kind], dw);
        run_free(&skip);
        run_free(&full);
    }
    rnn_rng_free(rng);
}

static const char *const calls[] = {
    "SimpleRNN(5)", "SimpleRNN(5, activation='relu', return_sequences=True)", "LSTM(6)",
    "LSTM(6, return_sequences=True, go_backwards=True)", "GRU(5)", "GRU(5, reset_after=False, return_sequences=True)",
    "Bidirectional(LSTM(4))", "Bidirectional(GRU(3, return_sequences=True))", NULL};

int main(void)
{
    double min_work = rnn_rec_parallel_min_work;
    for (int threads = 1; threads <= 2; threads++) {
        rnn_set_threads(threads);
        rnn_rec_parallel_min_work = threads > 1 ? 0 : min_work; /* two slices even at these sizes */
        printf("-- %d thread%s\n", threads, threads > 1 ? "s" : "");
        for (int i = 0; calls[i]; i++)
            check_call(calls[i], false);
        check_call("LSTM(6, dropout=0.2, recurrent_dropout=0.3, return_sequences=True)", true);
        check_call("GRU(5, dropout=0.2, recurrent_dropout=0.3)", true);
    }
    return check_finish("test_masked_skip");
}
