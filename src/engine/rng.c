/* Random numbers (GSL mt19937) and Keras's default initialisers. */
#include "config.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_linalg.h>
#include "rnnlab/tensor.h"

struct rnn_rng {
    gsl_rng *g;
};

rnn_rng *rnn_rng_new(unsigned long seed)
{
    rnn_rng *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    r->g = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r->g) {
        free(r);
        return NULL;
    }
    gsl_rng_set(r->g, seed);
    return r;
}

void rnn_rng_free(rnn_rng *r)
{
    if (r) {
        gsl_rng_free(r->g);
        free(r);
    }
}

void rnn_rng_seed(rnn_rng *r, unsigned long seed) { gsl_rng_set(r->g, seed); }
double rnn_rng_uniform(rnn_rng *r) { return gsl_rng_uniform(r->g); }
double rnn_rng_gaussian(rnn_rng *r, double sigma) { return gsl_ran_gaussian_ziggurat(r->g, sigma); }
unsigned long rnn_rng_uint(rnn_rng *r, unsigned long n) { return n ? gsl_rng_uniform_int(r->g, n) : 0; }

void rnn_fill_uniform(rnn_rng *r, float *x, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(lo + (hi - lo) * gsl_rng_uniform(r->g));
}

static inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t xoshiro256ss(uint64_t s[4])
{
    uint64_t result = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Per-element GSL draws cost more than the layers around them on long sequences; two 32-bit
 * decisions per xoshiro256** output keep masks cheap and still reproducible from the seed. */
void rnn_fill_dropout_mask(rnn_rng *r, float *keep, size_t n, double rate)
{
    uint64_t seed = ((uint64_t)gsl_rng_get(r->g) << 32) ^ gsl_rng_get(r->g), s[4];
    for (int i = 0; i < 4; i++)
        s[i] = splitmix64(&seed);
    uint64_t threshold = (uint64_t)(rate * 4294967296.0); /* drop when the 32-bit draw < rate * 2^32 */
    float scale = (float)(1.0 / (1.0 - rate));
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        uint64_t v = xoshiro256ss(s);
        keep[i] = (v & 0xffffffffULL) < threshold ? 0.0f : scale;
        keep[i + 1] = (v >> 32) < threshold ? 0.0f : scale;
    }
    if (i < n)
        keep[i] = (xoshiro256ss(s) & 0xffffffffULL) < threshold ? 0.0f : scale;
}

/* limit = sqrt(6 / (fan_in + fan_out)), as keras.initializers.GlorotUniform. */
void rnn_init_glorot_uniform(rnn_rng *r, float *w, int fan_in, int fan_out)
{
    float limit = (float)sqrt(6.0 / (double)(fan_in + fan_out));
    rnn_fill_uniform(r, w, (size_t)fan_in * fan_out, -limit, limit);
}

/* Keras Orthogonal: QR of a normal (max x min) matrix, q *= sign(diag(r)), transposed when
 * rows < cols. w is row-major rows x cols. */
void rnn_init_orthogonal(rnn_rng *r, float *w, int rows, int cols)
{
    int big = rows > cols ? rows : cols, small = rows < cols ? rows : cols;
    gsl_matrix *a = gsl_matrix_alloc(big, small);
    gsl_vector *tau = gsl_vector_alloc(small);
    gsl_matrix *q = gsl_matrix_alloc(big, big);
    gsl_matrix *rr = gsl_matrix_alloc(big, small);
    if (!a || !tau || !q || !rr) { /* out of memory: fall back to a scaled normal draw */
        for (size_t i = 0; i < (size_t)rows * cols; i++)
            w[i] = (float)gsl_ran_gaussian_ziggurat(r->g, 1.0 / sqrt((double)big));
        goto done;
    }
    for (int i = 0; i < big; i++)
        for (int j = 0; j < small; j++)
            gsl_matrix_set(a, i, j, gsl_ran_gaussian_ziggurat(r->g, 1.0));
    gsl_linalg_QR_decomp(a, tau);
    gsl_linalg_QR_unpack(a, tau, q, rr);
    for (int j = 0; j < small; j++) {
        double s = gsl_matrix_get(rr, j, j) < 0 ? -1.0 : 1.0;
        for (int i = 0; i < big; i++) {
            double v = s * gsl_matrix_get(q, i, j); /* reduced q is big x small */
            if (rows >= cols)
                w[(size_t)i * cols + j] = (float)v;
            else
                w[(size_t)j * cols + i] = (float)v;
        }
    }
done:
    gsl_matrix_free(a);
    gsl_vector_free(tau);
    gsl_matrix_free(q);
    gsl_matrix_free(rr);
}
