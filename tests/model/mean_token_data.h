/* A bag-of-words problem for the training tests: n texts of t token ids in [1, v), label 1 when
 * the mean id is above the middle (an averaged embedding solves it). Deterministic for a seed. */
#ifndef RNNLAB_TESTS_MEAN_TOKEN_DATA_H
#define RNNLAB_TESTS_MEAN_TOKEN_DATA_H
#include <stdint.h>

static inline void mean_token_data(int32_t *x, int *y, int n, int t, int v, unsigned seed)
{
    unsigned s = seed;
    for (int i = 0; i < n; i++) {
        int sum = 0;
        for (int j = 0; j < t; j++) {
            s = s * 1103515245u + 12345u;
            x[i * t + j] = 1 + (int32_t)((s >> 16) % (unsigned)(v - 1));
            sum += x[i * t + j];
        }
        y[i] = sum * 2 > t * v ? 1 : 0;
    }
}
#endif
