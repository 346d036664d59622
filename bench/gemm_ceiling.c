/* The matrix products a recurrent layer cannot avoid, timed alone with OpenBLAS's sgemm at each
 * bench config's shapes: what any implementation built on sgemm can reach for that config.
 *
 * Per direction, a batch of B texts of T steps (F input features, H units, G gate blocks) needs:
 *   forward   input projection  [T*B x F] . [F x G*H]     (all steps at once)
 *             recurrent step     [B x H]   . [H x G*H]     (T times: each step needs the last state)
 *   backward  input gradient     [T*B x G*H] . [G*H x F]^T (all steps at once)
 *             kernel gradient    [T*B x F]^T . [T*B x G*H]
 *             recurrent kernel   [T*B x H]^T . [T*B x G*H]
 *             state gradient     [B x G*H] . [H x G*H]^T   (T times)
 * which are the useful FLOPs make bench counts (24 H (F+H) a step for LSTM: 6 products of 2 G H
 * (F or H)). Each product is timed at the thread count given; the per-step ones also as one
 * thread on half the batch, doubled (two threads each on their own rows, as rnnlab runs them), and
 * the faster is kept. The config's ceiling is all the FLOPs over the sum of the products' times;
 * nothing else (gates, activations, masks, optimizer) is counted, so real epochs are slower.
 *
 * usage: gemm_ceiling [THREADS]   (prints a Markdown table; `make bench-ceiling`) */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include "bench/bench_configs.h"

static float *random_floats(size_t n)
{
    float *x = malloc(n * sizeof *x);
    if (!x) {
        fprintf(stderr, "gemm_ceiling: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        x[i] = (float)rand() / (float)RAND_MAX - 0.5f;
    return x;
}

/* Seconds of one C[m x n] (+)= op(A) op(B) with inner size k, the best of a few timed rounds of
 * enough repetitions to last about 50 ms. */
static double gemm_seconds(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k)
{
    float *a = random_floats((size_t)m * k), *b = random_floats((size_t)k * n), *c = random_floats((size_t)m * n);
    int lda = ta == CblasNoTrans ? k : m, ldb = tb == CblasNoTrans ? n : k;
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, n);
    double flops = 2.0 * m * n * k;
    int reps = (int)(5e9 * 0.05 / flops) + 1;
    double best = 1e30;
    for (int round = 0; round < 3; round++) {
        double t = now();
        for (int r = 0; r < reps; r++)
            cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1, a, lda, b, ldb, 1, c, n);
        t = (now() - t) / reps;
        if (t < best)
            best = t;
    }
    free(a);
    free(b);
    free(c);
    return best;
}

/* A per-step product: threaded on the whole batch, or one thread on half of it while another
 * thread does the other half (the same time), whichever is faster. */
static double step_seconds(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int B, int n, int k, int threads)
{
    double whole = gemm_seconds(ta, tb, B, n, k);
    if (threads < 2)
        return whole;
    openblas_set_num_threads(1);
    double half = gemm_seconds(ta, tb, (B + threads - 1) / threads, n, k);
    openblas_set_num_threads(threads);
    return half < whole ? half : whole;
}

static void config_row(const bench_cfg *c, int threads, double square)
{
    int F = c->E, GH = (int)(c->flop_per_h_eh / 6) * c->H, TB = c->T * c->B;
    double flops_step = 2.0 * GH * (F + c->H) * 3;  /* per row and step: forward + backward */
    double t = 0;
    t += gemm_seconds(CblasNoTrans, CblasNoTrans, TB, GH, F);                 /* input projection */
    t += c->T * step_seconds(CblasNoTrans, CblasNoTrans, c->B, GH, c->H, threads); /* recurrent step */
    t += gemm_seconds(CblasNoTrans, CblasTrans, TB, F, GH);                   /* input gradient */
    t += gemm_seconds(CblasTrans, CblasNoTrans, F, GH, TB);                   /* kernel gradient */
    t += gemm_seconds(CblasTrans, CblasNoTrans, c->H, GH, TB);                   /* recurrent kernel */
    t += c->T * step_seconds(CblasNoTrans, CblasTrans, c->B, c->H, GH, threads);   /* state gradient */
    double gflops = flops_step * TB / t / 1e9;
    printf("| %s | %s F=%d T=%d B=%d | %.1f | %.1f%% |\n", c->name, c->call, F, c->T, c->B, gflops,
           100 * gflops / square);
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1 || threads > 256) {
        fprintf(stderr, "usage: gemm_ceiling [THREADS]\n");
        return 64;
    }
    openblas_set_num_threads(threads);
    double square = 2.0 * 2048 * 2048 * 2048 / gemm_seconds(CblasNoTrans, CblasNoTrans, 2048, 2048, 2048) / 1e9;
    printf("OpenBLAS %s, %d threads; sgemm at 2048^3: %.1f GFLOP/s\n\n", openblas_get_config(), threads, square);
    printf("| config | recurrent layer | its products alone, GFLOP/s | %% of sgemm at 2048^3 |\n|---|---|---:|---:|\n");
    for (size_t i = 0; i < sizeof configs / sizeof *configs; i++)
        config_row(&configs[i], threads, square);
    return 0;
}
