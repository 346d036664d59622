/* Numeric core: the one sgemm wrapper, random numbers, aligned buffers. */
#ifndef RNNLAB_TENSOR_H
#define RNNLAB_TENSOR_H
#include "rnnlab/common.h"

/* C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, row-major; every matrix product goes here. */
void rnn_sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
/* OpenBLAS's thread count (one count for the whole process: 1 while the engine's parallel calls
 * run), and what it is now. */
void rnn_blas_threads(int n);
int rnn_blas_get_threads(void);
/* OpenBLAS's idle workers spin ~0.1 s after they start and after every threaded call before they
 * sleep: a core kept busy at each start of the program and between the calls of small models, and
 * taken from the engine's own threads. OpenBLAS reads the spin (OPENBLAS_THREAD_TIMEOUT) when it
 * loads, before main: unless the user set it, this sets a short one and restarts the workers with
 * it. For a program's start, before other threads run BLAS calls. */
void rnn_blas_short_spin(void);
/* The name of the OpenBLAS kernels in use ("Cooperlake", "Haswell", ...; OPENBLAS_CORETYPE picks
 * them), "unknown" where OpenBLAS cannot say. */
const char *rnn_blas_kernels(void);
/* The instruction set of rnnlab's own loops for products with few columns ("AVX-512"), or NULL
 * where this CPU or build leaves every product to OpenBLAS. */
const char *rnn_blas_own_loops(void);

/* 64-byte aligned allocation, zeroed; free with rnn_free_aligned. NULL on failure. */
void *rnn_alloc_aligned(size_t bytes);
void rnn_free_aligned(void *p);

/* Random numbers (GSL mt19937 underneath): one generator per model, seeded explicitly. */
typedef struct rnn_rng rnn_rng;
rnn_rng *rnn_rng_new(unsigned long seed);
void rnn_rng_free(rnn_rng *r);
void rnn_rng_seed(rnn_rng *r, unsigned long seed);
/* A generator in the same state (NULL when out of memory); rnn_rng_restore copies a state back. */
rnn_rng *rnn_rng_clone(const rnn_rng *r);
void rnn_rng_restore(rnn_rng *r, const rnn_rng *saved);
double rnn_rng_uniform(rnn_rng *r);                 /* [0,1) */
double rnn_rng_gaussian(rnn_rng *r, double sigma);
unsigned long rnn_rng_uint(rnn_rng *r, unsigned long n); /* [0,n) */
/* Fills x[n] uniformly in [lo,hi). */
void rnn_fill_uniform(rnn_rng *r, float *x, size_t n, float lo, float hi);
/* Dropout masks: keep[i] = 1/(1-rate) with probability 1-rate, else 0. Fast: one draw from r
 * seeds a xoshiro256** stream (32-bit resolution per decision), so masks follow the seed. */
void rnn_fill_dropout_mask(rnn_rng *r, float *keep, size_t n, double rate);
/* Keras glorot_uniform for a fan_in x fan_out kernel. */
void rnn_init_glorot_uniform(rnn_rng *r, float *w, int fan_in, int fan_out);
/* Keras orthogonal initialiser for a rows x cols matrix (gain 1); RNN_EINTERNAL when out of memory. */
int rnn_init_orthogonal(rnn_rng *r, float *w, int rows, int cols, rnn_error *err);
/* Bytes of scratch rnn_init_orthogonal allocates for a rows x cols matrix. */
size_t rnn_init_orthogonal_bytes(int rows, int cols);

#endif
