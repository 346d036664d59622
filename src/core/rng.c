/* Random numbers (GSL mt19937) and Keras's default initialisers. */
#include "config.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_blas.h>
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

rnn_rng *rnn_rng_clone(const rnn_rng *r)
{
    rnn_rng *c = malloc(sizeof *c);
    if (c && !(c->g = gsl_rng_clone(r->g))) {
        free(c);
        c = NULL;
    }
    return c;
}

void rnn_rng_restore(rnn_rng *r, const rnn_rng *saved) { gsl_rng_memcpy(r->g, saved->g); }
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

/* *out = 0.0f when the 32-bit draw x < threshold, else the float of scale_bits, by arithmetic: the
 * draws are random, so a branch would mispredict about as often as it drops (12 ns a float at rate
 * 0.5 with one, against 1.5 without; the same bits either way). */
static inline void keep_bits(float *out, uint64_t x, uint64_t threshold, uint32_t scale_bits)
{
    uint32_t mask = (uint32_t)(((x - threshold) >> 63) - 1);   /* x < threshold: 0, else all ones */
    uint32_t b = scale_bits & mask;
    memcpy(out, &b, sizeof b);
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
    uint32_t bits;
    memcpy(&bits, &scale, sizeof bits);
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        uint64_t v = xoshiro256ss(s);
        keep_bits(keep + i, v & 0xffffffffULL, threshold, bits);
        keep_bits(keep + i + 1, v >> 32, threshold, bits);
    }
    if (i < n)
        keep_bits(keep + i, xoshiro256ss(s) & 0xffffffffULL, threshold, bits);
}

/* limit = sqrt(6 / (fan_in + fan_out)), as keras.initializers.GlorotUniform. */
void rnn_init_glorot_uniform(rnn_rng *r, float *w, int fan_in, int fan_out)
{
    float limit = (float)sqrt(6.0 / (double)(fan_in + fan_out));
    rnn_fill_uniform(r, w, (size_t)fan_in * fan_out, -limit, limit);
}

/* GSL's default error handler aborts the process (a failed gsl_matrix_alloc, for one): the library
 * checks the status of every GSL call itself and reports it as an error. */
__attribute__((constructor)) static void rng_gsl_errors_off(void) { gsl_set_error_handler_off(); }

/* R's diagonal positive, Q = A R^-1 in place (a rows x cols, row-major, rows >= cols), with the
 * Cholesky factor of A^T A = R^T R (s: cols x cols scratch). Level-3 BLAS only, 2 rows cols^2
 * flops; fails (GSL_EDOM) when A^T A is not numerically positive definite. */
static int orth_cholesky_pass(double *a, int rows, int cols, double *s)
{
    gsl_matrix_view av = gsl_matrix_view_array(a, (size_t)rows, (size_t)cols);
    gsl_matrix_view sv = gsl_matrix_view_array(s, (size_t)cols, (size_t)cols);
    int rc = gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, &av.matrix, 0.0, &sv.matrix);
    if (!rc)
        rc = gsl_linalg_cholesky_decomp1(&sv.matrix);  /* lower triangle: L = R^T */
    if (!rc)
        rc = gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, &sv.matrix, &av.matrix);
    return rc;
}

/* Householder QR with the full Q, for the rare A whose A^T A Cholesky cannot factor: q = the first
 * cols columns of Q with R's diagonal made positive, in a. Needs rows^2 doubles. */
static int orth_householder(double *a, int rows, int cols)
{
    gsl_matrix_view av = gsl_matrix_view_array(a, (size_t)rows, (size_t)cols);
    gsl_vector *tau = gsl_vector_alloc((size_t)cols);
    gsl_matrix *q = gsl_matrix_alloc((size_t)rows, (size_t)rows);
    gsl_matrix *rr = gsl_matrix_alloc((size_t)rows, (size_t)cols);
    int rc = !tau || !q || !rr ? GSL_ENOMEM : gsl_linalg_QR_decomp(&av.matrix, tau);
    if (!rc)
        rc = gsl_linalg_QR_unpack(&av.matrix, tau, q, rr);
    for (int j = 0; !rc && j < cols; j++) {
        double sign = gsl_matrix_get(rr, (size_t)j, (size_t)j) < 0 ? -1.0 : 1.0;
        for (int i = 0; i < rows; i++)
            a[(size_t)i * cols + j] = sign * gsl_matrix_get(q, (size_t)i, (size_t)j);
    }
    gsl_vector_free(tau);
    gsl_matrix_free(q);
    gsl_matrix_free(rr);
    return rc;
}

size_t rnn_init_orthogonal_bytes(int rows, int cols)
{
    size_t big = (size_t)(rows > cols ? rows : cols), small = (size_t)(rows < cols ? rows : cols);
    return (big * small + small * small) * sizeof(double);
}

/* Keras Orthogonal: q of the thin QR of a normal (max x min) matrix, times sign(diag(r)), transposed
 * when rows < cols. The Q whose R has a positive diagonal is unique, so Cholesky QR gives that same
 * q at a fraction of Householder's cost: the (4 units x units) Gaussian matrix of an LSTM has a
 * condition number near 3, and one pass is exact to rounding. Matrices closer to square (SimpleRNN's
 * units x units) are conditioned like their size: a second pass restores orthogonality
 * (CholeskyQR2). w is row-major rows x cols. */
int rnn_init_orthogonal(rnn_rng *r, float *w, int rows, int cols, rnn_error *err)
{
    int big = rows > cols ? rows : cols, small = rows < cols ? rows : cols;
    double *a = malloc((size_t)big * small * sizeof *a);
    double *s = malloc((size_t)small * small * sizeof *s);
    if (!a || !s) {
        free(a);
        free(s);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory for the orthogonal initialiser of a %d x %d "
                        "matrix (%zu bytes)", rows, cols, rnn_init_orthogonal_bytes(rows, cols));
    }
    for (size_t i = 0; i < (size_t)big * small; i++)
        a[i] = gsl_ran_gaussian_ziggurat(r->g, 1.0);
    int rc = orth_cholesky_pass(a, big, small, s);
    if (!rc && big < 2 * small)
        rc = orth_cholesky_pass(a, big, small, s);
    free(s);
    /* A^T A too ill-conditioned to factor: Householder on a, which holds A, or A R1^-1 after the first
     * pass (upper triangular with a positive diagonal: the same q) */
    if (rc)
        rc = orth_householder(a, big, small);
    if (rc) {
        free(a);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory for the orthogonal initialiser of a %d x %d matrix",
                        rows, cols);
    }
    for (int i = 0; i < big; i++)
        for (int j = 0; j < small; j++) {
            float v = (float)a[(size_t)i * small + j];
            if (rows >= cols)
                w[(size_t)i * cols + j] = v;
            else
                w[(size_t)j * cols + i] = v;
        }
    free(a);
    return RNN_OK;
}
