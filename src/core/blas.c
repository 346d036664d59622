/* The one sgemm wrapper: every matrix product in the engine goes through rnn_sgemm. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "rnnlab/tensor.h"
#include "core/vector_kernel.h"

/* Columns of y kept in registers while every row of M is added. With AVX-512, 128: 8 accumulators
 * of 16 floats, more independent sums in flight (bigru_000's one-row h U step: 2.17 us, 2.37 at 64
 * columns; the rest is reading its 192 KB kernel from L2). AVX2 has 16 vector registers: 64
 * columns fill half of them. */
enum { AXPY_TILE_WIDE = 128, AXPY_TILE = 64 };

/* Columns [j0, j0 + tile) of vec_axpy_rows: tile is a constant where this is inlined. */
RNN_KERNEL_INLINE void axpy_tile(int tile, int j0, int k, float alpha, const float *x, int incx,
                                 const float *restrict M, int ldm, float beta, float *restrict y)
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

/* Products with few columns, rnnlab's own loops where the CPU has AVX-512: c = alpha a b + beta c
 * with at most SMALL_N_MAX columns (a recurrent step's h U, its state gradient dg U^T, the input
 * gradient dg W^T) and a^T b (the weight gradients x^T dg and h^T dg). OpenBLAS packs
 * both operands for these few multiply-adds a row, and on this project's machine runs its AVX2
 * kernels (OPENBLAS_CORETYPE=Haswell there): one core, LSTM(32)'s state gradient 64x32x128 took
 * 2.95 us against 5.85, SimpleRNN(32)'s step 64x32x32 0.79 against 1.58, LSTM(32)'s step 64x128x32
 * 3.6 against 5.7, SimpleRNN(10)'s 250x10x10 0.87 against 1.14. Each element of c is summed over
 * p in order in a register of 16 floats, b's rows padded with zeros where n is not a multiple of
 * 16, and a row's last vector stored under a mask; a row of c does not depend on the rows beside
 * it (the by-id and the rows' paths of a recurrent layer give the same bits). Without AVX-512 (16
 * vector registers) the sums would not stay in registers, and OpenBLAS does these products. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define BLAS_OWN_KERNELS 1
#include <immintrin.h>
/* The own loops' code: AVX-512 only (rnn_sgemm calls them where the CPU has it). */
#define OWN_KERNEL __attribute__((optimize("O3"), target("arch=x86-64-v4")))
#define OWN_INLINE static inline __attribute__((always_inline, target("arch=x86-64-v4")))

enum { NARROW = 16, SMALL_N_MAX = 128, SMALL_B_FLOATS = 8192, NARROW_K_BLOCK = 256 };
typedef float narrow_vec __attribute__((vector_size(NARROW * sizeof(float))));

/* The first n <= NARROW lanes. */
OWN_INLINE __mmask16 narrow_mask(int n)
{
    return (__mmask16)((1u << n) - 1u);
}

/* The floats of vector w of a row of n (0 past the row's end). */
OWN_INLINE int narrow_width(int n, int w)
{
    int left = n - NARROW * w;
    return left < 0 ? 0 : left < NARROW ? left : NARROW;
}

/* A row's first n <= NARROW floats, the others read as 0 (and never touched in memory). */
OWN_INLINE narrow_vec narrow_load(const float *row, int n)
{
    return (narrow_vec)_mm512_maskz_loadu_ps(narrow_mask(n), row);
}

/* c's row = alpha acc + beta c's row over its first n <= NARROW floats, the others untouched. */
OWN_INLINE void narrow_store(float *row, int n, float alpha, narrow_vec acc, float beta)
{
    narrow_vec res = alpha * acc;
    if (beta != 0.0f)  /* beta 0 ignores what c held, NaN included */
        res += beta * narrow_load(row, n);
    _mm512_mask_storeu_ps(row, narrow_mask(n), (__m512)res);
}

/* small_nn_W_R: rows [i, i + R) of c = alpha a b + beta c, c's rows W vectors wide (n <= 16 W), b's
 * rows 16 W floats (padded) ldb apart. R W sums stay in registers (sized exactly: GCC keeps a
 * larger array in memory). Up to 4 vectors a row (registers to spare), c's rows are read before
 * the sums: a read after the masked stores of the row before waits for them to reach the cache
 * where the rows overlap their 16-float footprints (SimpleRNN(10)'s step 250x10x10 took 2.1 us
 * reading c after, 1.0 before). The store is narrow_store's, written out: through a helper taking
 * the early rows GCC kept them in memory (64x32x32 1.6 us against 0.76). */
#define SMALL_NN_ROWS(W, R)                                                                              \
    OWN_INLINE void small_nn_##W##_##R(int i, int n, int k, float alpha, const float *a, int lda,       \
                                       const float *b, size_t ldb, float beta, float *c, int ldc)      \
    {                                                                                                  \
        enum { EARLY = (W) <= 4 };                                                                     \
        narrow_vec acc[R][W], old[R][W];                                                               \
        for (int r = 0; r < (R); r++)                                                                  \
            for (int w = 0; w < (W); w++) {                                                            \
                acc[r][w] = (narrow_vec){0};                                                           \
                if (EARLY && beta != 0.0f)                                                             \
                    old[r][w] = narrow_load(c + (size_t)(i + r) * ldc + NARROW * w, narrow_width(n, w)); \
            }                                                                                          \
        for (int p = 0; p < k; p++) {                                                                  \
            narrow_vec brow[W];                                                                        \
            for (int w = 0; w < (W); w++) {                                                            \
                memcpy(&brow[w], b + (size_t)p * ldb + NARROW * w, sizeof brow[w]);                    \
                __asm__("" : "+v"(brow[w])); /* loaded once for the R rows, not by every multiply-add */ \
            }                                                                                          \
            for (int r = 0; r < (R); r++) {                                                            \
                float s = a[(size_t)(i + r) * lda + p];                                                \
                for (int w = 0; w < (W); w++)                                                          \
                    acc[r][w] += s * brow[w];                                                          \
            }                                                                                          \
        }                                                                                              \
        for (int r = 0; r < (R); r++)                                                                  \
            for (int w = 0; w < (W); w++) {                                                            \
                float *row = c + (size_t)(i + r) * ldc + NARROW * w;                                   \
                int width = narrow_width(n, w);                                                        \
                narrow_vec res = alpha * acc[r][w];                                                    \
                if (beta != 0.0f) /* beta 0 ignores what c held, NaN included */                       \
                    res += beta * (EARLY ? old[r][w] : narrow_load(row, width));                       \
                _mm512_mask_storeu_ps(row, narrow_mask(width), (__m512)res);                          \
            }                                                                                          \
    }
SMALL_NN_ROWS(1, 8)
SMALL_NN_ROWS(1, 1)
SMALL_NN_ROWS(2, 6)
SMALL_NN_ROWS(2, 1)
SMALL_NN_ROWS(4, 3)
SMALL_NN_ROWS(4, 1)
SMALL_NN_ROWS(8, 2)
SMALL_NN_ROWS(8, 1)

/* b's rows for c's W vectors a row: in place when n is 16 W, else copied into bp padded with
 * zeros; their distance apart in *stride. */
OWN_INLINE const float *small_nn_b(int W, int n, int k, const float *b, int ldb, narrow_vec *bp, size_t *stride)
{
    *stride = (size_t)ldb;
    if (n == NARROW * W)
        return b;
    for (int p = 0; p < k; p++) {
        float *row = (float *)(bp + (size_t)p * W);
        memcpy(row, b + (size_t)p * ldb, (size_t)n * sizeof *row);
        memset(row + n, 0, (size_t)(NARROW * W - n) * sizeof *row);
    }
    *stride = (size_t)NARROW * W;
    return (const float *)bp;
}

/* c [m][n] = alpha a [m][k] b [k][n] + beta c for W vectors a row (small_nn_vectors), R rows at a
 * time: R W sums in flight, 16 of the 32 registers at most. */
#define SMALL_NN_RUN(W, R)                                                                    \
    do {                                                                                      \
        size_t stride;                                                                        \
        const float *rows = small_nn_b(W, n, k, b, ldb, bp, &stride);                          \
        int i = 0;                                                                            \
        for (; i + (R) <= m; i += (R))                                                        \
            small_nn_##W##_##R(i, n, k, alpha, a, lda, rows, stride, beta, c, ldc);          \
        for (; i < m; i++)                                                                    \
            small_nn_##W##_1(i, n, k, alpha, a, lda, rows, stride, beta, c, ldc);            \
    } while (0)

/* The vectors of 16 floats small_nn gives a row of c of n <= SMALL_N_MAX floats: 1, 2, 4 or 8. */
static int small_nn_vectors(int n)
{
    return n <= NARROW ? 1 : n <= 2 * NARROW ? 2 : n <= 4 * NARROW ? 4 : 8;
}

OWN_KERNEL
static void small_nn(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                     float beta, float *c, int ldc)
{
    narrow_vec bp[SMALL_B_FLOATS / NARROW];  /* b's rows, padded */
    switch (small_nn_vectors(n)) {
    case 1: SMALL_NN_RUN(1, 8); break;
    case 2: SMALL_NN_RUN(2, 6); break;
    case 4: SMALL_NN_RUN(4, 3); break;
    default: SMALL_NN_RUN(8, 2); break;
    }
}

/* Whether c = a b of these sizes is small_nn's: few columns, b padded within SMALL_B_FLOATS. */
static bool small_nn_takes(int n, int k)
{
    return n <= SMALL_N_MAX && (size_t)k * NARROW * small_nn_vectors(n) <= SMALL_B_FLOATS;
}

/* Rows [i, i + R) of c = alpha a^T b + beta c (a [k][lda], b [k][ldb]), b's rows read under a
 * mask of their n floats. The sums run in blocks of NARROW_K_BLOCK terms, then the blocks are
 * added, as OpenBLAS's kernels do by panel: a float summing thousands of terms one by one drifts
 * (1.3e-5 of their magnitudes at 6250). */
OWN_INLINE void narrow_tn_rows(int R, int i, int n, int k, float alpha, const float *a, int lda, const float *b,
                               int ldb, float beta, float *c, int ldc)
{
    narrow_vec sum[8] = {{0}};
    for (int p0 = 0; p0 < k; p0 += NARROW_K_BLOCK) {
        int p1 = k - p0 < NARROW_K_BLOCK ? k : p0 + NARROW_K_BLOCK;
        narrow_vec acc[8] = {{0}};
        for (int p = p0; p < p1; p++) {
            narrow_vec bv = narrow_load(b + (size_t)p * ldb, n);
            for (int r = 0; r < R; r++)
                acc[r] += a[(size_t)p * lda + i + r] * bv;
        }
        for (int r = 0; r < R; r++)
            sum[r] += acc[r];
    }
    for (int r = 0; r < R; r++)
        narrow_store(c + (size_t)(i + r) * ldc, n, alpha, sum[r], beta);
}

/* c [m][n] = alpha a^T b + beta c, a [k][m], b [k][n], n <= NARROW: eight rows of c at a time, each
 * block one pass over b. */
OWN_KERNEL
static void narrow_tn(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                      float beta, float *c, int ldc)
{
    int i = 0;
    for (; i + 8 <= m; i += 8)
        narrow_tn_rows(8, i, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    for (; i + 2 <= m; i += 2)
        narrow_tn_rows(2, i, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    for (; i < m; i++)
        narrow_tn_rows(1, i, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/* a^T b with 16 < n <= SMALL_N_MAX columns (a recurrent layer's weight gradients x^T dg and
 * h^T dg, LSTM(32)'s 16x128 and 32x128 over chunks of 512 rows): the terms run in blocks of
 * WIDE_K_BLOCK rows of b (16 KB of b at 128 columns, read from L1 by every block of c's rows),
 * each block's sums added to c's row sums kept in memory, in block order. c's rows at most
 * WIDE_SUM_VECTORS vectors in all. */
enum { WIDE_K_BLOCK = 32, WIDE_SUM_VECTORS = 512 };

/* wide_tn_W_R: rows [i, i + R) of c's sums over the terms [p0, p1): sum[(i + r) W + w] += the
 * block's sums, b's rows of n floats read under masks. */
#define WIDE_TN_ROWS(W, R)                                                                                 \
    OWN_INLINE void wide_tn_##W##_##R(int i, int n, int p0, int p1, const float *a, int lda, const float *b, \
                                      int ldb, narrow_vec *sum)                                            \
    {                                                                                                      \
        narrow_vec acc[R][W];                                                                              \
        for (int r = 0; r < (R); r++)                                                                      \
            for (int w = 0; w < (W); w++)                                                                  \
                acc[r][w] = (narrow_vec){0};                                                               \
        for (int p = p0; p < p1; p++) {                                                                    \
            narrow_vec brow[W];                                                                            \
            for (int w = 0; w < (W); w++) {                                                                \
                brow[w] = narrow_load(b + (size_t)p * ldb + NARROW * w, narrow_width(n, w));               \
                __asm__("" : "+v"(brow[w]));                                                               \
            }                                                                                              \
            for (int r = 0; r < (R); r++) {                                                                \
                float s = a[(size_t)p * lda + i + r];                                                      \
                for (int w = 0; w < (W); w++)                                                              \
                    acc[r][w] += s * brow[w];                                                              \
            }                                                                                              \
        }                                                                                                  \
        for (int r = 0; r < (R); r++)                                                                      \
            for (int w = 0; w < (W); w++)                                                                  \
                sum[(size_t)(i + r) * (W) + w] += acc[r][w];                                               \
    }
WIDE_TN_ROWS(2, 8)
WIDE_TN_ROWS(2, 1)
WIDE_TN_ROWS(4, 4)
WIDE_TN_ROWS(4, 1)
WIDE_TN_ROWS(8, 2)
WIDE_TN_ROWS(8, 1)

#define WIDE_TN_RUN(W, R)                                                                           \
    do {                                                                                            \
        for (int p0 = 0; p0 < k; p0 += WIDE_K_BLOCK) {                                              \
            int p1 = k - p0 < WIDE_K_BLOCK ? k : p0 + WIDE_K_BLOCK, i = 0;                          \
            for (; i + (R) <= m; i += (R))                                                          \
                wide_tn_##W##_##R(i, n, p0, p1, a, lda, b, ldb, sum);                              \
            for (; i < m; i++)                                                                      \
                wide_tn_##W##_1(i, n, p0, p1, a, lda, b, ldb, sum);                                \
        }                                                                                           \
    } while (0)

/* c [m][n] = alpha a^T b + beta c, a [k][m], b [k][n], 16 < n <= SMALL_N_MAX, m small_nn_vectors(n)
 * <= WIDE_SUM_VECTORS. */
OWN_KERNEL
static void wide_tn(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                    float beta, float *c, int ldc)
{
    narrow_vec sum[WIDE_SUM_VECTORS];
    int W = small_nn_vectors(n);
    memset(sum, 0, (size_t)m * W * sizeof *sum);
    switch (W) {
    case 2: WIDE_TN_RUN(2, 8); break;
    case 4: WIDE_TN_RUN(4, 4); break;
    default: WIDE_TN_RUN(8, 2); break;
    }
    for (int i = 0; i < m; i++)
        for (int w = 0; w < W; w++) {
            int width = narrow_width(n, w);
            if (width > 0)
                narrow_store(c + (size_t)i * ldc + NARROW * w, width, alpha, sum[(size_t)i * W + w], beta);
        }
}

/* c = alpha a b + beta c with few rows and more columns than small_nn takes (predict's input
 * projection of a text's distinct words, E x 3H or E x 4H; a recurrent step of the last few rows
 * of a batch). OpenBLAS packs the whole of b on every call, for a few rows of c; here each block
 * of R rows of c and FEW_VECTORS vectors of columns sums its R x FEW_VECTORS vectors in registers
 * over all of k in order, reading its columns of b from the cache. */
enum { FEW_ROWS_MAX = 32, FEW_ROWS_R = 4, FEW_VECTORS = 6, FEW_COLUMNS = NARROW * FEW_VECTORS, FEW_K_MAX = 1024 };
#define FEW_ROWS_BLOCK(R)                                                                                 \
    OWN_INLINE void few_rows_##R(int i, int j0, int k, float alpha, const float *a, int lda, const float *b, \
                                 int ldb, float beta, float *c, int ldc)                                 \
    {                                                                                                    \
        narrow_vec acc[R][FEW_VECTORS];                                                                  \
        for (int r = 0; r < (R); r++)                                                                    \
            for (int w = 0; w < FEW_VECTORS; w++)                                                        \
                acc[r][w] = (narrow_vec){0};                                                             \
        for (int p = 0; p < k; p++) {                                                                    \
            narrow_vec brow[FEW_VECTORS];                                                                \
            const float *bp = b + (size_t)p * ldb + j0;                                                  \
            for (int w = 0; w < FEW_VECTORS; w++) { /* whole vectors: masked loads made GCC keep the    \
                                                     * sums in memory */                                 \
                memcpy(&brow[w], bp + NARROW * w, sizeof brow[w]);                                       \
                __asm__("" : "+v"(brow[w])); /* loaded once for the R rows */                            \
            }                                                                                            \
            for (int r = 0; r < (R); r++) {                                                              \
                float s = a[(size_t)(i + r) * lda + p];                                                  \
                for (int w = 0; w < FEW_VECTORS; w++)                                                    \
                    acc[r][w] += s * brow[w];                                                            \
            }                                                                                            \
        }                                                                                                \
        for (int r = 0; r < (R); r++)                                                                    \
            for (int w = 0; w < FEW_VECTORS; w++) {                                                      \
                float *row = c + (size_t)(i + r) * ldc + j0 + NARROW * w;                                \
                narrow_vec res = alpha * acc[r][w];                                                      \
                if (beta != 0.0f) /* beta 0 ignores what c held, NaN included */                         \
                    res += beta * narrow_load(row, NARROW);                                              \
                memcpy(row, &res, sizeof res);                                                           \
            }                                                                                            \
    }
FEW_ROWS_BLOCK(4)
FEW_ROWS_BLOCK(1)
/* Where few_rows_nn was measured faster than OpenBLAS (SkylakeX kernels, one core): blocks of four
 * rows and whole blocks of 96 columns (24x384x300, predict's projection in bigru_000: 41 us against
 * 64, the same bits). With one row a block, or a last block narrower than 96 columns read under
 * masks, OpenBLAS was faster (2x384x128 4.2 us against 2.9, 8x400x100 7.8 against 5.0). */
static bool few_rows_takes(int m, int n, int k)
{
    return m >= 2 * FEW_ROWS_R && m <= FEW_ROWS_MAX && n > SMALL_N_MAX && n % FEW_COLUMNS == 0 && k <= FEW_K_MAX;
}
/* c [m][n] = alpha a b + beta c where few_rows_takes(m, n, k). */
OWN_KERNEL
static void few_rows_nn(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                        float beta, float *c, int ldc)
{
    for (int j0 = 0; j0 < n; j0 += FEW_COLUMNS) {
        int i = 0;
        for (; i + FEW_ROWS_R <= m; i += FEW_ROWS_R)
            few_rows_4(i, j0, k, alpha, a, lda, b, ldb, beta, c, ldc);
        for (; i < m; i++)
            few_rows_1(i, j0, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}
/* Whether c = op(a) b is one of the own loops' (and they ran it): the CPU has AVX-512. */
static bool own_kernels_product(bool trans_a, int m, int n, int k, float alpha, const float *a, int lda,
                                const float *b, int ldb, float beta, float *c, int ldc)
{
    if (!rnn_blas_own_loops())
        return false;
    if (!trans_a && small_nn_takes(n, k)) {
        small_nn(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return true;
    }
    if (!trans_a && few_rows_takes(m, n, k)) {
        few_rows_nn(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return true;
    }
    if (trans_a && n <= NARROW) {
        narrow_tn(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return true;
    }
    if (trans_a && n <= SMALL_N_MAX && (size_t)m * small_nn_vectors(n) <= WIDE_SUM_VECTORS) {
        wide_tn(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return true;
    }
    return false;
}
#endif

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
#ifdef BLAS_OWN_KERNELS
    if (!trans_b && own_kernels_product(trans_a, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))
        return;
#endif
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

#ifdef HAVE_OPENBLAS_GET_CORENAME
char *openblas_get_corename(void);  /* exported by OpenBLAS, not declared in cblas.h */
#endif

const char *rnn_blas_own_loops(void)
{
#ifdef BLAS_OWN_KERNELS
    return __builtin_cpu_supports("avx512f") ? "AVX-512" : NULL;
#else
    return NULL;
#endif
}

const char *rnn_blas_kernels(void)
{
#ifdef HAVE_OPENBLAS_GET_CORENAME
    const char *core = openblas_get_corename();
    return core ? core : "unknown";
#else
    return "unknown";
#endif
}

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
