/* Times forward+backward of the recurrent layers at the peer configurations' shapes and reports
 * ms per training step of the layer and its useful GFLOP/s (counted per sample, step and
 * direction 24 h(e+h) for LSTM, 18 h(e+h) for GRU, 6 h(e+h) for SimpleRNN).
 * usage: bench_layers [threads [reps [config...]]] */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "rnnlab/layers.h"
#include "rnnlab/tensor.h"
#include "bench/bench_configs.h"

/* CPU time of the whole process (all threads): on a busy machine, cpu/threads approximates the
 * wall time the step would take on an idle one. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int bench_one(const bench_cfg *c, int reps)
{
    rnn_error err = {0};
    rnn_call *call = NULL;
    rnn_layer *l = NULL;
    if (rnn_call_parse(c->call, &call, &err) || rnn_layer_create(call, NULL, &l, &err)) {
        fprintf(stderr, "%s: %s\n", c->name, err.msg);
        return 1;
    }
    rnn_call_free(call);
    snprintf(l->name, sizeof l->name, "%s", l->kind->prefix);
    l->in = (rnn_shape){.rank = 2, .dim = {c->T, c->E}};
    if (l->kind->build(l, &err) || (l->params = rnn_alloc_aligned(l->n_params * 4)) == NULL ||
        (l->grads = rnn_alloc_aligned(l->n_params * 4)) == NULL) {
        fprintf(stderr, "%s: %s\n", c->name, err.msg);
        return 1;
    }
    rnn_rng *rng = rnn_rng_new(42);
    if (l->kind->init(l, rng, &err)) {
        fprintf(stderr, "%s: %s\n", c->name, err.msg);
        return 1;
    }
    if (l->kind->reserve(l, c->B, c->T, &err)) {
        fprintf(stderr, "%s: %s\n", c->name, err.msg);
        return 1;
    }
    size_t nx = (size_t)c->T * c->B * c->E;
    size_t ny = (size_t)c->B * l->out.dim[l->out.rank - 1] * (l->out.rank == 2 ? c->T : 1);
    float *x = rnn_alloc_aligned(nx * 4), *dx = rnn_alloc_aligned(nx * 4);
    float *y = rnn_alloc_aligned(ny * 4), *dy = rnn_alloc_aligned(ny * 4);
    rnn_fill_uniform(rng, x, nx, -0.05f, 0.05f);
    rnn_fill_uniform(rng, dy, ny, -0.01f, 0.01f);
    rnn_fwd f = {.B = c->B, .T = c->T, .training = true, .rng = rng, .mask = NULL};
    double tf = 0, tb = 0, cpu = 0;
    for (int r = -2; r < reps; r++) {
        if (r == 0)
            cpu = cpu_now();
        double t0 = now();
        l->kind->forward(l, &f, x, y);
        double t1 = now();
        l->kind->backward(l, &f, dy, dx);
        double t2 = now();
        if (r >= 0) {
            tf += t1 - t0;
            tb += t2 - t1;
        }
    }
    cpu = (cpu_now() - cpu) / reps * 1e3;
    double ms = (tf + tb) / reps * 1e3;
    double flops = c->flop_per_h_eh * c->H * (double)(c->E + c->H) * c->B * c->T * c->dirs;
    printf("%-13s %-38s B=%3d T=%3d E=%3d  fwd %8.2f ms  bwd %8.2f ms  step %8.2f ms  %6.1f GFLOP/s"
           "  (cpu %8.2f ms)\n", c->name, c->call, c->B, c->T, c->E, tf / reps * 1e3, tb / reps * 1e3, ms,
           flops / (ms * 1e-3) / 1e9, cpu);
    fflush(stdout);
    rnn_free_aligned(x);
    rnn_free_aligned(dx);
    rnn_free_aligned(y);
    rnn_free_aligned(dy);
    rnn_free_aligned(l->params);
    rnn_free_aligned(l->grads);
    rnn_layer_destroy(l);
    rnn_rng_free(rng);
    return 0;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 2, reps = argc > 2 ? atoi(argv[2]) : 10, bad = 0;
    rnn_set_threads(threads);
    printf("threads=%d reps=%d (layer forward+backward, training mode)\n", rnn_get_threads(), reps);
    for (size_t i = 0; i < sizeof configs / sizeof *configs; i++) {
        bool want = argc <= 3;
        for (int a = 3; a < argc; a++)
            want |= strcmp(argv[a], configs[i].name) == 0;
        if (want)
            bad |= bench_one(&configs[i], reps < 1 ? 1 : reps);
    }
    return bad;
}
