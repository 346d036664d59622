/* Finite-difference gradient check of every recurrent kind and option (tests/layers/gradcheck_util). */
#include "config.h"
#include <stdio.h>
#include "rnnlab/layers.h"
#include "gradcheck_util.h"
#include "layers/rnn_common.h"

typedef struct gc_case {
    const char *call;
    int F;          /* input features */
    bool mask;
    bool training;  /* dropout active, masks fixed by the reseeded generator */
    int B;          /* 0: default */
    double eps;     /* 0: default; relu needs a step small enough not to cross its kink */
    int T;          /* 0: default */
} gc_case;

static const gc_case cases[] = {
    {"SimpleRNN(4)", 3, false, false, 0, 0, 0},
    {"SimpleRNN(4, return_sequences=True)", 3, false, false, 0, 0, 0},
    {"SimpleRNN(4, activation='relu', return_sequences=True)", 3, false, false, 0, 1e-3, 0},
    {"SimpleRNN(4, activation='sigmoid')", 3, false, false, 0, 0, 0},
    {"SimpleRNN(4, activation=None, use_bias=False)", 3, false, false, 0, 0, 0},
    {"SimpleRNN(4, go_backwards=True, return_sequences=True)", 3, false, false, 0, 0, 0},
    {"SimpleRNN(4, return_sequences=True)", 3, true, false, 0, 0, 0},
    {"SimpleRNN(4, dropout=0.3, recurrent_dropout=0.4, return_sequences=True)", 3, false, true, 0, 0, 0},
    {"LSTM(4)", 3, false, false, 0, 0, 0},
    {"LSTM(4, return_sequences=True)", 3, false, false, 0, 0, 0},
    {"LSTM(4, go_backwards=True)", 3, false, false, 0, 0, 0},
    {"LSTM(4, go_backwards=True, return_sequences=True)", 3, true, false, 0, 0, 0},
    {"LSTM(4, use_bias=False, unit_forget_bias=False)", 3, false, false, 0, 0, 0},
    {"LSTM(4)", 3, true, false, 0, 0, 0},
    {"LSTM(4, dropout=0.3, recurrent_dropout=0.3)", 3, true, true, 0, 0, 0},
    {"LSTM(5, return_sequences=True)", 3, true, false, 20, 0, 0},  /* batch split over threads */
    {"GRU(4)", 3, false, false, 0, 0, 0},
    {"GRU(4, return_sequences=True)", 3, false, false, 0, 0, 0},
    {"GRU(4, go_backwards=True, return_sequences=True)", 3, true, false, 0, 0, 0},
    {"GRU(4)", 3, true, false, 0, 0, 0},
    {"GRU(4, use_bias=False)", 3, false, false, 0, 0, 0},
    {"GRU(4, dropout=0.25, recurrent_dropout=0.3, return_sequences=True)", 3, false, true, 0, 0, 0},
    {"GRU(4, reset_after=False)", 3, false, false, 0, 0, 0},
    {"GRU(4, reset_after=False, return_sequences=True, go_backwards=True)", 3, true, false, 0, 0, 0},
    {"GRU(4, reset_after=False, use_bias=False)", 3, false, false, 0, 0, 0},
    {"GRU(4, reset_after=False, dropout=0.25, recurrent_dropout=0.3)", 3, true, true, 0, 0, 0},
    {"GRU(5, reset_after=False, return_sequences=True)", 3, true, false, 20, 0, 0},
    {"Bidirectional(LSTM(4))", 3, false, false, 0, 0, 0},
    {"Bidirectional(LSTM(4, return_sequences=True))", 3, true, false, 0, 0, 0},
    {"Bidirectional(GRU(4, return_sequences=True), merge_mode='sum')", 3, true, false, 0, 0, 0},
    {"Bidirectional(GRU(4), merge_mode='mul')", 3, false, false, 0, 0, 0},
    {"Bidirectional(SimpleRNN(4, return_sequences=True), merge_mode='ave')", 3, false, false, 0, 0, 0},
    {"Bidirectional(LSTM(4, return_sequences=True), merge_mode='mul')", 3, true, false, 0, 0, 0},
    {"Bidirectional(GRU(4, reset_after=False), merge_mode='ave')", 3, true, false, 0, 0, 0},
    {"Bidirectional(LSTM(4, dropout=0.3, recurrent_dropout=0.2, return_sequences=True))", 3, false, true, 0, 0, 0},
    {"Bidirectional(GRU(5, dropout=0.2))", 3, true, true, 20, 0, 0},
    /* 128 rows on two threads, 12 steps: chunks of 8 steps, so weight gradients (and SimpleRNN's
     * gates) come in two chunks */
    {"SimpleRNN(4, return_sequences=True)", 3, true, false, 128, 0, 12},
    {"SimpleRNN(4, go_backwards=True)", 3, false, false, 128, 0, 12},
    {"LSTM(4, return_sequences=True)", 3, true, false, 128, 0, 12},
    {"GRU(4, reset_after=False, go_backwards=True)", 3, false, false, 128, 0, 12},
};

int main(void)
{
    int failed = 0;
    rnn_set_threads(2);
    rnn_rec_parallel_min_work = 0;  /* the B=20 cases split the batch over two threads */
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const gc_case *c = &cases[i];
        gc_opts o = gc_defaults();
        o.mask = c->mask;
        o.training = c->training;
        o.max_checks = 60;
        if (c->B)
            o.B = c->B;
        if (c->eps)
            o.eps = c->eps;
        if (c->T)
            o.T = c->T;
        gc_result r;
        int bad = gc_check_layer(c->call, gc_seq(o.T, c->F), NULL, &o, &r);
        printf("%s %s%s%s: max rel %.3g over %d (%s)\n", bad ? "FAIL" : "ok  ", c->call, c->mask ? " +mask" : "",
               c->training ? " +training" : "", r.max_rel, r.n_checked, r.worst);
        failed += bad != 0;
    }
    printf("%d of %zu cases failed\n", failed, sizeof cases / sizeof *cases);
    return failed ? 1 : 0;
}
