/* Memory estimates and failed allocations: rnn_mem_available follows RLIMIT_AS, rnn_mem_check and
 * the model's checks refuse with the estimate and the limit, a layer refused leaves the model and
 * its generator unchanged, the orthogonal initialiser reports an allocation it cannot make (GSL's
 * handler never aborts), and a fit's estimate is close to the memory it really uses. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <gsl/gsl_matrix.h>
#include "rnnlab/model.h"
#include "rnnlab/train.h"

#include "tests/check.h"

/* Field i of /proc/self/statm in bytes: 0 address space, 1 resident. */
static uint64_t statm(int i)
{
    unsigned long long v[7] = {0};
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
        printf("cannot read /proc/self/statm\n");
    if (f)
        fclose(f);
    return (uint64_t)v[i] * (uint64_t)sysconf(_SC_PAGESIZE);
}

static struct rlimit saved_as;

/* Lets the process map at most `room` more bytes of address space. */
static void limit_address_space(uint64_t room)
{
    getrlimit(RLIMIT_AS, &saved_as);
    struct rlimit rl = saved_as;
    rl.rlim_cur = (rlim_t)(statm(0) + room);
    if (setrlimit(RLIMIT_AS, &rl) != 0)
        printf("setrlimit failed\n");
}

static void unlimit_address_space(void) { setrlimit(RLIMIT_AS, &saved_as); }

/* The room is large beside what a thread may map meanwhile (glibc gives a thread's first malloc a
 * 64 MB arena, and OpenBLAS's threads allocate when they like). */
static void check_available_and_check(void)
{
    limit_address_space(1u << 30);
    uint64_t avail = rnn_mem_available();
    rnn_error err = {0};
    int refused = rnn_mem_check(3ull << 30, 0, "try less", &err, "a test of %d", 3);
    int fits = rnn_mem_check(10u << 20, 0, "try less", NULL, "a small test");
    int held = rnn_mem_check(3ull << 30, 2560u << 20, NULL, NULL, "memory already held");
    unlimit_address_space();
    CHECK(avail <= (1u << 30) && avail > (512u << 20), "rnn_mem_available under RLIMIT_AS: %llu",
          (unsigned long long)avail);
    CHECK(refused == RNN_EDATA && strstr(err.msg, "needs 3.0 GB for a test of 3; ") &&
          strstr(err.msg, " available: try less"), "refusal: %d '%s'", refused, err.msg);
    CHECK(fits == RNN_OK, "10 MB refused under a 1 GB room");
    CHECK(held == RNN_OK, "memory already held is counted as available");
    char b[32];
    CHECK(!strcmp(rnn_format_bytes(3u << 30, b, sizeof b), "3.0 GB"), "format: %s", b);
}

/* GSL's default handler would abort on the failed allocation. */
static void check_gsl_does_not_abort(void)
{
    rnn_rng *r = rnn_rng_new(1);  /* the library is loaded and initialised */
    float *w = malloc((size_t)1024 * 4096 * sizeof *w);
    /* OpenBLAS retries its first buffer allocation forever when it fails: give it that first */
    CHECK(rnn_init_orthogonal(r, w, 16, 64, NULL) == RNN_OK, "orthogonal 16 x 64");
    limit_address_space(24 << 20);
    gsl_matrix *a = gsl_matrix_alloc(20000, 20000);  /* 3.2 GB */
    rnn_error err = {0};
    int rc = rnn_init_orthogonal(r, w, 1024, 4096, &err);  /* 40 MB of scratch */
    unlimit_address_space();
    CHECK(a == NULL, "gsl_matrix_alloc of 3.2 GB under a 24 MB limit returned a matrix");
    gsl_matrix_free(a);
    CHECK(rc == RNN_EINTERNAL && strstr(err.msg, "out of memory for the orthogonal initialiser"),
          "orthogonal without memory: %d '%s'", rc, err.msg);
    CHECK(rnn_init_orthogonal(r, w, 1024, 4096, NULL) == RNN_OK, "orthogonal with memory");
    free(w);
    rnn_rng_free(r);
}

static void check_add_refused(void)
{
    rnn_model *m = rnn_model_new("m", 7);
    rnn_error err = {0};
    CHECK(rnn_model_add(m, "Embedding(100, 8)", NULL, &err) == RNN_OK, "add Embedding: %s", err.msg);
    CHECK(rnn_model_add(m, "LSTM(8)", NULL, &err) == RNN_OK && rnn_model_pop(m, &err) == RNN_OK, "LSTM(8)");
    float *params = rnn_model_params(m);
    rnn_rng *before = rnn_rng_clone(rnn_model_rng(m));
    limit_address_space(64 << 20);
    int rc = rnn_model_add(m, "LSTM(2048)", NULL, &err);  /* 134 MB of parameters and as much again */
    unlimit_address_space();
    CHECK(rc == RNN_EDATA && strstr(err.msg, "needs ") && strstr(err.msg, "for LSTM(2048) (") &&
          strstr(err.msg, "available: use a smaller layer"), "LSTM(2048) in 64 MB: %d '%s'", rc, err.msg);
    CHECK(rnn_model_n_layers(m) == 1 && rnn_model_n_params(m) == 800 && rnn_model_params(m) == params,
          "a refused layer changed the model");
    CHECK(rnn_rng_uniform(rnn_model_rng(m)) == rnn_rng_uniform(before), "a refused layer moved the generator");
    CHECK(rnn_model_add(m, "LSTM(64)", NULL, &err) == RNN_OK, "add LSTM(64) after a refusal: %s", err.msg);
    rnn_rng_free(before);
    rnn_model_free(m);
}

/* A model of three layers, each added and checked; *co is Adam on binary crossentropy. */
static rnn_model *model_of_three(const char *const calls[3], unsigned long seed, rnn_compile_opts *co)
{
    rnn_model *m = rnn_model_new("m", seed);
    rnn_error err = {0};
    for (int i = 0; i < 3; i++)
        CHECK(rnn_model_add(m, calls[i], NULL, &err) == RNN_OK, "add %s: %s", calls[i], err.msg);
    rnn_compile_opts_default(co);
    co->optimizer = "adam";
    co->loss = "binary_crossentropy";
    return m;
}

/* Adam's two moments of 16 million parameters (128 MB) in a room of 64 MB. */
static void check_compile_refused(void)
{
    const char *calls[] = {"Embedding(1000000, 16)", "GlobalAveragePooling1D()", "Dense(1, activation='sigmoid')"};
    rnn_compile_opts co;
    rnn_model *m = model_of_three(calls, 7, &co);
    rnn_error err = {0};
    limit_address_space(64 << 20);
    int rc = rnn_model_compile(m, &co, &err);
    unlimit_address_space();
    CHECK(rc == RNN_EDATA && strstr(err.msg, "needs 122.1 MB for the optimizer's state (2 x 16000017 floats); ")
          && strstr(err.msg, "available: use a smaller model, or optimizer=sgd"), "compile in 64 MB: %d '%s'", rc,
          err.msg);
    CHECK(!rnn_model_is_compiled(m), "a refused compile left the model compiled");
    CHECK(rnn_model_compile(m, &co, &err) == RNN_OK, "compile with memory: %s", err.msg);
    rnn_model_free(m);
}

/* Peak resident memory of a fit against its estimate: the batch buffers dominate this config
 * (LSTM gates and states of 80 x 4000 steps, about 150 MB). */
static void check_estimate_against_rss(void)
{
    enum { N = 80, T = 4000 };
    const char *calls[] = {"Embedding(100, 8)", "LSTM(16)", "Dense(1, activation='sigmoid')"};
    rnn_compile_opts co;
    rnn_model *m = model_of_three(calls, 3, &co);
    rnn_error err = {0};
    CHECK(rnn_model_compile(m, &co, &err) == RNN_OK, "compile: %s", err.msg);
    int32_t *x = malloc(sizeof *x * N * T);
    int *y = malloc(sizeof *y * N);
    for (size_t i = 0; i < (size_t)N * T; i++)
        x[i] = 1 + (int32_t)(i * 7919 % 99);
    for (int i = 0; i < N; i++)
        y[i] = i % 2;
    memset(x, 0, sizeof *x);
    /* warm up (BLAS buffers, threads) on a small batch, so that only the big batch's buffers grow */
    CHECK(rnn_model_forward(m, x, 2, 10, false, &err) != NULL, "warm-up: %s", err.msg);
    uint64_t estimate = rnn_model_batch_bytes(m, N, T, NULL);
    uint64_t rss_before = statm(1);
    rnn_xy d = {N, T, x, y};
    rnn_fit_opts o;
    rnn_fit_opts_default(&o);
    o.epochs = 1;
    o.batch_size = N;
    rnn_history h = {0};
    CHECK(rnn_model_fit(m, &d, &o, &h, &err) == RNN_OK, "fit: %s", err.msg);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t peak = (uint64_t)ru.ru_maxrss * 1024, used = peak > rss_before ? peak - rss_before : 0;
    double ratio = (double)used / (double)estimate;
    printf("fit of %d x %d: estimate %.1f MB, peak RSS grew by %.1f MB (ratio %.2f)\n", N, T, estimate / 1e6,
           used / 1e6, ratio);
    CHECK(ratio > 0.6 && ratio < 1.5, "estimate %llu bytes, measured %llu", (unsigned long long)estimate,
          (unsigned long long)used);
    /* the same batch in a room of half the estimate is refused before anything is allocated */
    rnn_model *m2 = rnn_model_new("m2", 3);
    for (int i = 0; i < 3; i++)
        rnn_model_add(m2, calls[i], NULL, NULL);
    rnn_model_compile(m2, &co, NULL);
    rnn_history h2 = {0};
    limit_address_space(estimate / 2);
    int rc = rnn_model_fit(m2, &d, &o, &h2, &err);
    unlimit_address_space();
    CHECK(rc == RNN_EDATA && strstr(err.msg, "needs ") && strstr(err.msg, "for a batch of 80 x 4000 (LSTM(16) "
          "workspaces); ") && strstr(err.msg, "available: lower batch_size or maxlen"), "fit in half the room: "
          "%d '%s'", rc, err.msg);
    CHECK(h2.n_epochs == 0, "a refused fit ran %d epochs", h2.n_epochs);
    rnn_history_free(&h);
    rnn_history_free(&h2);
    rnn_model_free(m2);
    rnn_model_free(m);
    free(x);
    free(y);
}

int main(void)
{
#ifdef RNNLAB_SANITIZERS
    /* ASan reserves terabytes of address space (no RLIMIT_AS to set) and its allocator changes RSS */
    printf("skipped: the checks limit the address space, which a sanitizer build cannot\n");
    return 77;
#endif
    /* BLAS's threads and buffers first, so that the address space is settled before the limits */
    rnn_rng *r = rnn_rng_new(2);
    float w[64 * 256];
    rnn_init_orthogonal(r, w, 64, 256, NULL);
    rnn_rng_free(r);
    check_available_and_check();
    check_gsl_does_not_abort();
    check_add_refused();
    check_compile_refused();
    check_estimate_against_rss();
    return check_finish("test_memory");
}
