/* Random numbers (GSL mt19937) and Keras's default initialisers. */
#include "config.h"
#include <math.h>
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
