/* The one sgemm wrapper: every matrix product in the engine goes through rnn_sgemm. */
#include "config.h"
#include <stdlib.h>
#include <cblas.h>
#include "rnnlab/tensor.h"
#include "core/vector_kernel.h"

/* Columns of y kept in registers while every row of M is added. With AVX-512, 128: 8 accumulators
 * of 16 floats, more independent sums in flight (bigru_000's one-row h U step: 2.17 us, 2.37 at 64
 * columns; the rest is reading its 192 KB kernel from L2). AVX2 has 16 vector registers: 64
 * columns fill half of them. */
enum { AXPY_TILE_WIDE = 128, AXPY_TILE = 64 };

/* Columns [j0, j0 + tile) of vec_axpy_rows: tile is a constant where this is inlined. */
static inline __attribute__((always_inline)) void axpy_tile(int tile, int j0, int k, float alpha, const float *x,
                                                            int incx, const float *restrict M, int ldm, float beta,
                                                            float *restrict y)
{
    float acc[AXPY_TILE_WIDE];
    for (int j = 0; j < tile; j++)
        acc[j] = beta == 0.0f ? 0.0f : beta * y[j0 + j];  /* beta 0 ignores what y held, NaN included */
    for (int p = 0; p < k; p++) {
        float s = alpha * x[(size_t)p * incx];
        const float *restrict row = M + (size_t)p * ldm + j0;
        for (int j = 0; j < tile; j++)
            acc[j] += s * row[j];
    }
    for (int j = 0; j < tile; j++)
        y[j0 + j] = acc[j];
}

/* y[j] = alpha * sum_p x[p*incx] M[p][j] + beta * y[j] for j < n (M [k][ldm], y contiguous):
 * rows of M added in order, so the result does not depend on the CPU's vector width or the tile.
 * Tiles of columns accumulate in registers over all k rows (y read and written once, not k
 * times); the columns past the last whole tile take the same sums in the same order. */
RNN_VECTOR_KERNEL
static void vec_axpy_rows(int n, int k, float alpha, const float *x, int incx, const float *restrict M,
                          int ldm, float beta, float *restrict y)
{
    int j0 = 0;
    if (__builtin_cpu_supports("avx512f"))
        for (; j0 + AXPY_TILE_WIDE <= n; j0 += AXPY_TILE_WIDE)
            axpy_tile(AXPY_TILE_WIDE, j0, k, alpha, x, incx, M, ldm, beta, y);
    for (; j0 + AXPY_TILE <= n; j0 += AXPY_TILE)
        axpy_tile(AXPY_TILE, j0, k, alpha, x, incx, M, ldm, beta, y);
    for (int j = j0; j < n; j++)
        y[j] = beta == 0.0f ? 0.0f : beta * y[j];
    for (int p = 0; p < k && j0 < n; p++) {
        float s = alpha * x[(size_t)p * incx];
        const float *restrict row = M + (size_t)p * ldm;
        for (int j = j0; j < n; j++)
            y[j] += s * row[j];
    }
}

/* y[j*incy] = alpha * (M[j] . x) + beta * y[j*incy] for j < n (M [n][ldm], x of stride incx):
 * eight partial sums per dot product, in a fixed order. */
RNN_VECTOR_KERNEL
static void vec_dot_rows(int n, int k, float alpha, const float *restrict x, int incx, const float *restrict M,
                         int ldm, float beta, float *y, int incy)
{
    for (int j = 0; j < n; j++) {
        const float *restrict row = M + (size_t)j * ldm;
        float part[8] = {0};
        int p = 0;
        if (incx == 1)
            for (; p + 8 <= k; p += 8)
                for (int l = 0; l < 8; l++)
                    part[l] += row[p + l] * x[p + l];
        float s = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
        for (; p < k; p++)
            s += row[p] * x[(size_t)p * incx];
        float *out = y + (size_t)j * incy;
        *out = alpha * s + (beta == 0.0f ? 0.0f : beta * *out);
    }
}

/* C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, row-major. */
void rnn_sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    if (m <= 0 || n <= 0)
        return;
    if (k <= 0) { /* BLAS leaves C alone only for beta == 1; make the empty product explicit */
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                c[(size_t)i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[(size_t)i * ldc + j];
        return;
    }
    /* One row or one column is a matrix-vector product. sgemm would pack the whole other operand
     * on every call (5-8x slower at predict's one-example recurrent steps) and OpenBLAS's sgemv
     * wakes its threads for these sizes: the loops below are single-threaded and cache-resident. */
    if (m == 1 && !trans_b) { /* c[j] = sum_p opA[0][p] b[p][j] */
        vec_axpy_rows(n, k, alpha, a, trans_a ? lda : 1, b, ldb, beta, c);
        return;
    }
    if (m == 1) {             /* b [n][k]: c[j] = b[j] . opA[0] */
        vec_dot_rows(n, k, alpha, a, trans_a ? lda : 1, b, ldb, beta, c, 1);
        return;
    }
    if (n == 1 && !trans_a) { /* a [m][k]: c[i][0] = a[i] . opB[][0] */
        vec_dot_rows(m, k, alpha, b, trans_b ? 1 : ldb, a, lda, beta, c, ldc);
        return;
    }
    if (n == 1 && ldc == 1) { /* a [k][m]: c[i] = sum_p a[p][i] opB[p][0] */
        vec_axpy_rows(m, k, alpha, b, trans_b ? 1 : ldb, a, lda, beta, c);
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

int rnn_blas_get_threads(void)
{
#ifdef HAVE_OPENBLAS_GET_NUM_THREADS
    return openblas_get_num_threads();
#else
    return rnn_get_threads();  /* what rnn_set_threads gave it */
#endif
}

void rnn_blas_threads(int n)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    openblas_set_num_threads(n < 1 ? 1 : n);
#else
    (void)n;
#endif
}

#if defined(HAVE_OPENBLAS_READ_ENV) && defined(HAVE_BLAS_THREAD_SHUTDOWN_)
/* Exported by OpenBLAS, not declared in cblas.h. */
void openblas_read_env(void);    /* reads its OPENBLAS_* variables again */
int blas_thread_shutdown_(void); /* stops its workers; its next threaded call starts them again */
#define BLAS_CAN_RESTART_WORKERS 1
#endif

/* log2 of the cycles OpenBLAS's idle workers spin before they sleep: 2^16, ~25 us (OpenBLAS's own
 * default is 2^28, ~0.1 s) */
#define BLAS_SPIN_LOG2 "16"

void rnn_blas_short_spin(void)
{
#ifdef BLAS_CAN_RESTART_WORKERS
    if (getenv("OPENBLAS_THREAD_TIMEOUT"))
        return; /* the user's own setting */
    if (setenv("OPENBLAS_THREAD_TIMEOUT", BLAS_SPIN_LOG2, 0) != 0)
        return;
    openblas_read_env();
    blas_thread_shutdown_();
#endif
}
