/* Times the data pipeline of the benchmark: load IMDB, tokenize (fit on train, num_words=10000), encode
 * train and test, pad to 500. usage: bench_data [DATA_DIR] [THREADS] */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "rnnlab/data.h"
#include "rnnlab/tensor.h"
#include "rnnlab/text.h"

static double cpu_total;

/* Wall-clock seconds; also records the process CPU time so far in cpu_total. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    cpu_total = ts.tv_sec + ts.tv_nsec * 1e-9;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    rnn_blas_short_spin();  /* as rnnlab's main does: OpenBLAS's idle threads would spin for 0.1 s */
    rnn_error err;
    rnn_load_opts o = {.path = NULL, .data_dir = argc > 1 ? argv[1] : NULL, .seed = -1, .test_split = -1};
    if (argc > 2)
        rnn_set_threads(atoi(argv[2]));
    double t0 = now(), c[5];
    c[0] = cpu_total;
    rnn_dataset *ds;
    if (rnn_dataset_load("imdb", &o, &ds, &err)) {
        fprintf(stderr, "bench_data: %s\n", err.msg);
        return 1;
    }
    double t1 = now();
    c[1] = cpu_total;
    rnn_tokenizer_opts to;
    rnn_tokenizer_opts_default(&to);
    to.num_words = 10000;
    rnn_tokenizer *t = rnn_tokenizer_new(&to);
    rnn_seqs tr, te;
    /* fit on train and encode it in one pass (rnn_tokenizer_fit_encode), then encode test */
    if (!t || rnn_tokenizer_fit_encode(t, ds->train.text, ds->train.n, &tr, &err)) {
        fprintf(stderr, "bench_data: %s\n", err.msg);
        return 1;
    }
    double t2 = now();
    c[2] = cpu_total;
    if (rnn_tokenizer_encode_all(t, ds->test.text, ds->test.n, &te, &err)) {
        fprintf(stderr, "bench_data: %s\n", err.msg);
        return 1;
    }
    double t3 = now();
    c[3] = cpu_total;
    rnn_imatrix xtr, xte;
    if (rnn_pad(&tr, 500, false, false, 0, &xtr, NULL, &err) || rnn_pad(&te, 500, false, false, 0, &xte, NULL, &err)) {
        fprintf(stderr, "bench_data: %s\n", err.msg);
        return 1;
    }
    double t4 = now();
    c[4] = cpu_total;
    long long check = 0;
    for (size_t i = 0; i < xtr.rows * xtr.cols; i++)
        check += xtr.data[i];
    printf("{\"load_s\": %.3f, \"fit_encode_train_s\": %.3f, \"encode_test_s\": %.3f, \"pad_s\": %.3f, \"total_s\": %.3f, "
           "\"cpu_s\": [%.3f, %.3f, %.3f, %.3f], \"threads\": %d, \"words\": %zu, \"train\": %zu, \"test\": %zu, \"checksum\": %lld}\n",
           t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0,
           c[1] - c[0], c[2] - c[1], c[3] - c[2], c[4] - c[3], rnn_get_threads(), rnn_tokenizer_size(t),
           ds->train.n, ds->test.n, check);
    rnn_imatrix_free(&xtr);
    rnn_imatrix_free(&xte);
    rnn_seqs_free(&tr);
    rnn_seqs_free(&te);
    rnn_tokenizer_free(t);
    rnn_dataset_free(ds);
    return 0;
}
