/* Finite-difference gradient check of every non-recurrent layer kind on small random shapes. */
#include "config.h"
#include <stdio.h>
#include "gradcheck_util.h"

typedef struct gc_case {
    const char *call;
    rnn_shape in;
    bool mask, training, spread;
} gc_case;

int main(void)
{
    const gc_case cases[] = {
        {"Embedding(7, 4)", gc_ids(-1), false, false, false},
        {"Embedding(7, 3, input_length=5, mask_zero=True)", gc_ids(-1), false, false, false},
        {"Dense(3)", gc_vec(4), false, false, false},
        {"Dense(3, use_bias=False)", gc_vec(4), false, false, false},
        {"Dense(4, activation='relu')", gc_vec(5), false, false, false},
        {"Dense(3, activation='tanh')", gc_vec(4), false, false, false},
        {"Dense(1, activation='sigmoid')", gc_vec(6), false, false, false},
        {"Dense(3, activation='softmax')", gc_vec(4), false, false, false},
        {"Dense(3, activation='softmax')", gc_seq(-1, 4), false, false, false},
        {"Dense(2, activation='tanh')", gc_seq(5, 3), false, false, false},
        {"Dropout(0.4)", gc_vec(6), false, true, false},
        {"Dropout(0.5)", gc_seq(-1, 3), false, true, false},
        {"Dropout(0.5)", gc_vec(6), false, false, false},
        {"SpatialDropout1D(0.3)", gc_seq(-1, 4), false, true, false},
        {"Flatten()", gc_seq(5, 3), false, false, false},
        {"Flatten()", gc_vec(4), false, false, false},
        {"GlobalMaxPooling1D()", gc_seq(-1, 4), false, false, true},
        {"GlobalAveragePooling1D()", gc_seq(-1, 4), false, false, false},
        {"GlobalAveragePooling1D()", gc_seq(-1, 4), true, false, false},
        {"Conv1D(4, 3)", gc_seq(-1, 3), false, false, false},
        {"Conv1D(3, 2, activation='relu')", gc_seq(5, 4), false, false, true},
        {"Conv1D(3, 2, use_bias=False, activation='tanh')", gc_seq(-1, 2), false, false, false},
        {"Conv1D(4, 3, strides=2, padding='same')", gc_seq(-1, 3), false, false, false},
        {"Conv1D(2, 4, padding='same', activation='sigmoid')", gc_seq(-1, 3), false, false, false},
        {"Conv1D(3, 2, padding='causal', dilation_rate=2)", gc_seq(-1, 3), true, false, false},
        {"MaxPooling1D()", gc_seq(-1, 4), false, false, true},
        {"MaxPooling1D(3, strides=2, padding='same')", gc_seq(-1, 3), false, false, true},
        {"AveragePooling1D(2, strides=1)", gc_seq(-1, 4), false, false, false},
        {"AveragePooling1D(3, padding='same')", gc_seq(-1, 3), false, false, false},
        {"Activation('relu')", gc_seq(-1, 4), false, false, true},
        {"Activation('tanh')", gc_vec(5), false, false, false},
        {"Activation('sigmoid')", gc_vec(4), false, false, false},
        {"Activation('softmax')", gc_seq(-1, 4), false, false, false},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gc_opts o = gc_defaults();
        o.mask = cases[i].mask;
        o.training = cases[i].training;
        o.spread_inputs = cases[i].spread;
        if (o.spread_inputs)
            o.eps = 1e-3;
        gc_result r;
        int bad = gc_check_layer(cases[i].call, cases[i].in, NULL, &o, &r);
        if (bad || r.n_checked == 0) {
            printf("FAIL %s: %s (max rel err %.3g, %d checked)\n", cases[i].call, r.worst, r.max_rel, r.n_checked);
            failed++;
        }
    }
    printf("%s: %d failed\n", failed ? "FAIL" : "ok", failed);
    return failed ? 1 : 0;
}
