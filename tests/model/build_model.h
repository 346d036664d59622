/* A model of the test programs, built from Keras calls (each failed add is counted as a failed check). */
#ifndef RNNLAB_TESTS_BUILD_MODEL_H
#define RNNLAB_TESTS_BUILD_MODEL_H
#include <stdio.h>
#include "rnnlab/model.h"
#include "rnnlab/train.h"
#include "tests/check.h"

static inline rnn_model *build_model(const char *const *calls, unsigned long seed)
{
    rnn_error err = {0};
    rnn_model *m = rnn_model_new("test", seed);
    for (int i = 0; calls[i]; i++)
        if (rnn_model_add(m, calls[i], NULL, &err)) {
            printf("add %s: %s\n", calls[i], err.msg);
            failures++;
        }
    return m;
}

/* rnn_fit_opts_default's options with these epochs, validation split and seed (0, 0 = Keras's). */
static inline rnn_fit_opts fit_opts(int epochs, double validation_split, unsigned long seed)
{
    rnn_fit_opts o;
    rnn_fit_opts_default(&o);
    o.epochs = epochs;
    o.validation_split = validation_split;
    o.seed = seed;
    return o;
}

#endif
