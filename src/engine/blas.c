/* The one sgemm wrapper: every matrix product in the engine goes through rnn_sgemm. */
#include "config.h"
#include <cblas.h>
#include "rnnlab/tensor.h"

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
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void rnn_blas_threads(int n)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    openblas_set_num_threads(n < 1 ? 1 : n);
#else
    (void)n;
#endif
}
