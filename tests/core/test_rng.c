/* Random numbers and Keras initialisers: determinism by seed, glorot bounds, orthogonality. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/tensor.h"

#include "tests/check.h"

/* max |G - I| where G = W W^T (rows orthonormal) or W^T W (columns orthonormal), via rnn_sgemm. */
static double gram_error(const float *w, int rows, int cols, bool by_rows)
{
    int n = by_rows ? rows : cols;
    float *g = calloc((size_t)n * n, sizeof *g);
    if (by_rows)
        rnn_sgemm(false, true, rows, rows, cols, 1.0f, w, cols, w, cols, 0.0f, g, rows);
    else
        rnn_sgemm(true, false, cols, cols, rows, 1.0f, w, cols, w, cols, 0.0f, g, cols);
    double worst = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            worst = fmax(worst, fabs(g[i * n + j] - (i == j ? 1.0 : 0.0)));
    free(g);
    return worst;
}

/* One row or one column (rnn_sgemm's matrix-vector path): every transpose combination, with
 * padded leading dimensions, alpha, beta = 0 over NaN garbage and beta != 0, against a naive product. */
static void check_sgemm_vector_shapes(void)
{
    enum { K = 5, L = 9 };  /* inner size, leading dimension (> any row length here) */
    for (int shape = 0; shape < 2; shape++) {
        int m = shape ? 4 : 1, n = shape ? 1 : 3;
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int bz = 0; bz < 2; bz++) {
                    float A[K * L], B[K * L], C[4 * L], want[4 * L];
                    for (int i = 0; i < K * L; i++) {
                        A[i] = (float)((i * 7) % 11) - 5.0f;
                        B[i] = (float)((i * 5) % 13) - 6.0f;
                    }
                    for (int i = 0; i < 4 * L; i++)
                        C[i] = want[i] = bz ? NAN : (float)(i % 3);
                    float alpha = 0.5f, beta = bz ? 0.0f : 2.0f;
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) {
                            float s = 0;
                            for (int q = 0; q < K; q++)
                                s += (ta ? A[q * L + i] : A[i * L + q]) * (tb ? B[j * L + q] : B[q * L + j]);
                            want[i * L + j] = alpha * s + (bz ? 0.0f : beta * want[i * L + j]);
                        }
                    rnn_sgemm(ta, tb, m, n, K, alpha, A, L, B, L, beta, C, L);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                            CHECK(fabsf(C[i * L + j] - want[i * L + j]) < 1e-4f,
                                  "sgemm %dx%d ta=%d tb=%d beta=%g: C[%d][%d] %g, expected %g", m, n, ta, tb,
                                  beta, i, j, C[i * L + j], want[i * L + j]);
                }
    }
}

/* A naive c = alpha op(a) b + beta c in double, a [m][k] (or [k][m] transposed) and b [k][n] with
 * leading dimensions lda, ldb, ldc; beta 0 ignores c. scale[i][j]: the sum of its terms' magnitudes,
 * which bounds a float sum's rounding. */
static void naive_sgemm(bool ta, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                        float beta, double *want, double *scale, const float *c, int ldc)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0, mag = 1;
            for (int p = 0; p < k; p++) {
                double term = (double)(ta ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p]) * b[(size_t)p * ldb + j];
                s += term;
                mag += fabs(term);
            }
            want[(size_t)i * n + j] = alpha * s + (beta == 0.0f ? 0.0 : beta * c[(size_t)i * ldc + j]);
            scale[(size_t)i * n + j] = mag + (beta == 0.0f ? 0.0 : fabs(beta * c[(size_t)i * ldc + j]));
        }
}

/* Products with few columns (rnn_sgemm's own loops where the CPU has AVX-512, OpenBLAS's elsewhere):
 * a and b untransposed with up to 128 columns and any k within b's padded 32 KB, a transposed with
 * up to 128 columns and any k; odd row counts, ragged widths, padded and tight leading dimensions (b allocated
 * to its last float, so reading past it is caught under ASan), beta 0 over NaN and beta != 0,
 * against a naive product; and, where rnnlab's loops run, each row of c the same bits one place
 * earlier in the product (by id, a row's product must not depend on where it sits; OpenBLAS's
 * Haswell kernels round a row by its place). */
static void check_sgemm_narrow(void)
{
    static const struct { bool ta; int m, n, k, pad; } cases[] = {
        {false, 250, 10, 50, 0}, {false, 7, 16, 64, 3}, {false, 9, 3, 24, 0}, {false, 33, 5, 50, 2},
        {false, 64, 128, 32, 0}, {false, 37, 32, 128, 0}, {false, 9, 100, 40, 3}, {false, 10, 48, 24, 0},
        {false, 5, 64, 64, 1}, {false, 13, 20, 250, 0}, {false, 250, 10, 10, 0}, {false, 64, 128, 16, 0},
        {false, 11, 50, 3, 2}, {false, 9, 40, 1, 0},
        {true, 10, 10, 6250, 0}, {true, 50, 10, 333, 0}, {true, 3, 16, 17, 0}, {true, 19, 7, 5, 4},
        {true, 1, 2, 1, 0}, {true, 32, 128, 512, 0}, {true, 16, 128, 64, 0}, {true, 5, 40, 100, 3},
        {true, 33, 96, 70, 1}, {true, 19, 17, 31, 0}, {true, 64, 128, 33, 0}, {true, 3, 64, 300, 2},
    };
    bool own_loops = rnn_blas_own_loops() != NULL;
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        bool ta = cases[t].ta;
        int m = cases[t].m, n = cases[t].n, k = cases[t].k, pad = cases[t].pad;
        int lda = (ta ? m : k) + pad, ldb = n + pad, ldc = n + pad;
        size_t na = (size_t)(ta ? k : m) * lda, nb = (size_t)(k - 1) * ldb + n, nc = (size_t)m * ldc;
        float *a = malloc(na * sizeof *a), *b = malloc(nb * sizeof *b), *c = malloc(nc * sizeof *c);
        float *shifted = malloc(nc * sizeof *shifted);
        double *want = malloc((size_t)m * n * sizeof *want), *scale = malloc((size_t)m * n * sizeof *scale);
        for (size_t i = 0; i < na; i++)
            a[i] = (float)((i * 7919) % 2001 - 1000) / 997.0f;
        for (size_t i = 0; i < nb; i++)
            b[i] = (float)((i * 104729) % 1999 - 999) / 1001.0f;
        for (int bz = 0; bz < 2; bz++) {
            float alpha = bz ? 1.0f : 0.5f, beta = bz ? 0.0f : 0.75f;
            for (size_t i = 0; i < nc; i++)
                c[i] = bz ? NAN : (float)(i % 5) - 2.0f;
            naive_sgemm(ta, m, n, k, alpha, a, lda, b, ldb, beta, want, scale, c, ldc);
            rnn_sgemm(ta, false, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            double worst = 0;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    worst = fmax(worst, fabs(c[(size_t)i * ldc + j] - want[(size_t)i * n + j]) /
                                            scale[(size_t)i * n + j]);
            CHECK(worst < 1e-6, "narrow sgemm %dx%dx%d ta=%d beta=%g: off by %g", m, n, k, ta, beta, worst);
            if (m < 3 || !own_loops)  /* two rows or more after the first: one row takes the matrix-vector path */
                continue;
            /* rows 1.. again, each one place earlier in the product: the same bits */
            for (size_t i = 0; i < nc; i++)
                shifted[i] = bz ? NAN : (float)((i + (size_t)ldc) % 5) - 2.0f;
            rnn_sgemm(ta, false, m - 1, n, k, alpha, ta ? a + 1 : a + lda, lda, b, ldb, beta, shifted, ldc);
            int moved = 0;
            for (int i = 1; i < m; i++)
                moved += memcmp(c + (size_t)i * ldc, shifted + (size_t)(i - 1) * ldc, (size_t)n * sizeof *c) != 0;
            CHECK(moved == 0, "narrow sgemm %dx%dx%d ta=%d beta=%g: %d rows differ one place earlier", m, n, k, ta,
                  beta, moved);
        }
        free(a);
        free(b);
        free(c);
        free(shifted);
        free(want);
        free(scale);
    }
}

/* One row against a wide matrix: the columns go through register tiles of 128 and 64 and a tail,
 * each column summing the rows in order. So every column equals a naive product, and the same
 * columns taken 8 at a time (the tail's path only) give the same bits. */
static void check_sgemm_row_tiles(void)
{
    enum { K = 37, N = 200, SLICE = 8 };
    static float M[K * N], x[K], y[N], part[N], y0[N];
    for (int i = 0; i < K * N; i++)
        M[i] = (float)((i * 7919) % 2001 - 1000) / 997.0f;
    for (int p = 0; p < K; p++)
        x[p] = (float)((p * 31) % 17 - 8) / 7.0f;
    for (int j = 0; j < N; j++)
        y0[j] = (float)(j % 5) - 2.0f;
    for (int bz = 0; bz < 2; bz++) {
        float beta = bz ? 0.0f : 0.75f;
        memcpy(y, y0, sizeof y);
        memcpy(part, y0, sizeof part);
        rnn_sgemm(false, false, 1, N, K, 1.5f, x, K, M, N, beta, y, N);
        for (int j = 0; j < N; j += SLICE)
            rnn_sgemm(false, false, 1, SLICE, K, 1.5f, x, K, M + j, N, beta, part + j, SLICE);
        int differ = 0;
        double worst = 0;
        for (int j = 0; j < N; j++) {
            double want = beta * y0[j];
            for (int p = 0; p < K; p++)
                want += 1.5 * x[p] * M[p * N + j];
            worst = fmax(worst, fabs(y[j] - want));
            differ += memcmp(&y[j], &part[j], sizeof y[j]) != 0;
        }
        CHECK(worst < 1e-4, "one row, %d columns, beta=%g: off by %g", N, beta, worst);
        CHECK(differ == 0, "one row, %d columns, beta=%g: %d columns differ from the same taken %d at a time", N,
              beta, differ, SLICE);
    }
}

int main(void)
{
    rnn_rng *a = rnn_rng_new(7), *b = rnn_rng_new(7);
    float x[64], y[64];
    rnn_fill_uniform(a, x, 64, -1, 1);
    rnn_fill_uniform(b, y, 64, -1, 1);
    CHECK(memcmp(x, y, sizeof x) == 0, "same seed, different numbers");
    rnn_rng_seed(b, 8);
    rnn_fill_uniform(b, y, 64, -1, 1);
    CHECK(memcmp(x, y, sizeof x) != 0, "different seeds, same numbers");

    /* dropout masks: right rate, right scale, reproducible */
    size_t nm = 200001;
    float *k1 = malloc(nm * sizeof *k1), *k2 = malloc(nm * sizeof *k2);
    rnn_rng_seed(a, 5);
    rnn_fill_dropout_mask(a, k1, nm, 0.3);
    rnn_rng_seed(a, 5);
    rnn_fill_dropout_mask(a, k2, nm, 0.3);
    CHECK(memcmp(k1, k2, nm * sizeof *k1) == 0, "dropout mask not reproducible");
    size_t dropped = 0, odd = 0;
    for (size_t i = 0; i < nm; i++) {
        dropped += k1[i] == 0.0f;
        odd += k1[i] != 0.0f && fabsf(k1[i] - 1.0f / 0.7f) > 1e-6f;
    }
    double frac = (double)dropped / nm;
    printf("dropout rate 0.3: dropped %.4f\n", frac);
    CHECK(fabs(frac - 0.3) < 0.005 && odd == 0, "dropout mask: dropped %g, %zu odd values", frac, odd);
    rnn_fill_dropout_mask(a, k1, nm, 0.0);
    CHECK(k1[nm - 1] == 1.0f && k1[0] == 1.0f, "rate 0 keeps everything");
    free(k1);
    free(k2);

    /* glorot_uniform: |w| <= sqrt(6 / (fan_in + fan_out)), roughly centred */
    int fi = 300, fo = 384;
    float *w = malloc((size_t)fi * fo * sizeof *w);
    rnn_init_glorot_uniform(a, w, fi, fo);
    double limit = sqrt(6.0 / (fi + fo)), mx = 0, mean = 0;
    for (int i = 0; i < fi * fo; i++) {
        mx = fmax(mx, fabs(w[i]));
        mean += w[i];
    }
    mean /= fi * fo;
    CHECK(mx <= limit && mx > 0.99 * limit, "glorot max %g, limit %g", mx, limit);
    CHECK(fabs(mean) < 0.01 * limit, "glorot mean %g", mean);
    free(w);

    /* orthogonal (Keras: recurrent kernels are units x 4*units, rows < cols) */
    const int shapes[][2] = {{32, 128}, {64, 64}, {96, 20}, {1, 5}};
    for (int s = 0; s < 4; s++) {
        int r = shapes[s][0], c = shapes[s][1];
        float *q = malloc((size_t)r * c * sizeof *q);
        CHECK(rnn_init_orthogonal(a, q, r, c, NULL) == RNN_OK, "orthogonal %dx%d failed", r, c);
        double e = gram_error(q, r, c, r <= c);
        printf("orthogonal %dx%d: max |gram - I| = %.3g\n", r, c, e);
        CHECK(e < 1e-5, "orthogonal %dx%d not orthonormal (%g)", r, c, e);
        free(q);
    }
    /* same seed, same orthogonal matrix */
    float q1[12], q2[12];
    rnn_rng_seed(a, 3);
    rnn_init_orthogonal(a, q1, 3, 4, NULL);
    rnn_rng_seed(a, 3);
    rnn_init_orthogonal(a, q2, 3, 4, NULL);
    CHECK(memcmp(q1, q2, sizeof q1) == 0, "orthogonal not deterministic");

    /* rnn_sgemm transposes against a naive product */
    float A[6] = {1, 2, 3, 4, 5, 6}, B[6] = {1, -1, 2, 0, 3, 1}, C[4] = {1, 1, 1, 1};
    rnn_sgemm(true, false, 2, 2, 3, 1.0f, A, 2, B, 2, 2.0f, C, 2); /* A^T (2x3) * B (3x2) + 2C */
    float want[4] = {1 * 1 + 3 * 2 + 5 * 3 + 2, 1 * -1 + 3 * 0 + 5 * 1 + 2, 2 * 1 + 4 * 2 + 6 * 3 + 2,
                     2 * -1 + 4 * 0 + 6 * 1 + 2};
    CHECK(memcmp(C, want, sizeof C) == 0, "sgemm: %g %g %g %g", C[0], C[1], C[2], C[3]);
    check_sgemm_vector_shapes();
    check_sgemm_row_tiles();
    check_sgemm_narrow();
    void *p = rnn_alloc_aligned(100);
    CHECK(p && ((uintptr_t)p & 63) == 0 && ((unsigned char *)p)[99] == 0, "aligned allocation");
    rnn_free_aligned(p);
    rnn_rng_free(a);
    rnn_rng_free(b);
    return check_finish("test_rng");
}
