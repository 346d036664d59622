/* Finite-difference gradient check of a single layer (see gradcheck_util.h). */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "rnnlab/tensor.h"
#include "gradcheck_util.h"

gc_opts gc_defaults(void)
{
    return (gc_opts){.B = 3, .T = 5, .seed = 1234, .eps = 1e-2, .tol = 1e-2, .floor = 1e-2,
                     .max_checks = 40, .vocab = 7, .param_noise = 0.1};
}

rnn_shape gc_seq(int T, int F) { return (rnn_shape){.rank = 2, .dim = {T, F}}; }
rnn_shape gc_vec(int F) { return (rnn_shape){.rank = 1, .dim = {F}}; }
rnn_shape gc_ids(int T) { return (rnn_shape){.rank = 1, .dim = {T}, .is_ids = true}; }

typedef struct gc_state {
    rnn_layer *l;
    const gc_opts *o;
    rnn_rng *rng;           /* dropout masks: reseeded before every forward */
    rnn_fwd f;
    void *x;                /* ids or floats */
    float *y, *w, *dx;
    size_t nx, ny;
} gc_state;

static size_t shape_elems(rnn_shape s, int B, int T)
{
    if (s.is_ids)
        return (size_t)B * T;
    return s.rank == 2 ? (size_t)T * B * s.dim[1] : (size_t)B * s.dim[0];
}

/* L = sum(w .* y), in double. */
static double gc_loss(gc_state *s)
{
    rnn_rng_seed(s->rng, s->o->seed + 99);
    s->l->kind->forward(s->l, &s->f, s->x, s->y);
    double L = 0.0;
    for (size_t i = 0; i < s->ny; i++)
        L += (double)s->w[i] * s->y[i];
    return L;
}

static double gc_rel(double a, double n, double floor)
{
    double d = fabs(a) > fabs(n) ? fabs(a) : fabs(n);
    return fabs(a - n) / (d > floor ? d : floor);
}

/* Checks `count` elements of v (analytic gradient g) starting at v[0]; returns the worst error. */
static double gc_check_block(gc_state *s, float *v, const float *g, size_t count, const char *what,
                             rnn_rng *pick, gc_result *res)
{
    const gc_opts *o = s->o;
    size_t n = o->max_checks > 0 && count > (size_t)o->max_checks ? (size_t)o->max_checks : count;
    double worst = 0.0;
    for (size_t k = 0; k < n; k++) {
        size_t i = n == count ? k : rnn_rng_uint(pick, count);
        float save = v[i];
        v[i] = (float)(save + o->eps);
        double lp = gc_loss(s);
        v[i] = (float)(save - o->eps);
        double lm = gc_loss(s);
        v[i] = save;
        double num = (lp - lm) / (2.0 * o->eps), rel = gc_rel(g[i], num, o->floor);
        res->n_checked++;
        if (rel > worst)
            worst = rel;
        if (rel > res->max_rel) {
            res->max_rel = rel;
            snprintf(res->worst, sizeof res->worst, "%s[%zu]: analytic %.6g numeric %.6g", what, i, g[i], num);
        }
    }
    return worst;
}

static int gc_setup(gc_state *s, const char *call_text, rnn_shape in, const rnn_add_ctx *ctx, rnn_rng *init)
{
    rnn_error err = {0};
    rnn_call *call = NULL;
    const gc_opts *o = s->o;
    if (rnn_call_parse(call_text, &call, &err) || rnn_layer_create(call, ctx, &s->l, &err)) {
        printf("gradcheck %s: %s\n", call_text, err.msg);
        rnn_call_free(call);
        return 1;
    }
    rnn_call_free(call);
    snprintf(s->l->name, sizeof s->l->name, "%s", s->l->kind->prefix);
    s->l->in = in;
    if (s->l->kind->build(s->l, &err)) {
        printf("gradcheck %s: build: %s\n", call_text, err.msg);
        return 1;
    }
    size_t np = s->l->n_params ? s->l->n_params : 1;
    s->l->params = rnn_alloc_aligned(np * sizeof(float));
    s->l->grads = rnn_alloc_aligned(np * sizeof(float));
    s->l->kind->init(s->l, init, NULL);
    for (size_t i = 0; i < s->l->n_params; i++)
        s->l->params[i] += (float)((rnn_rng_uniform(init) * 2.0 - 1.0) * o->param_noise);
    if (s->l->kind->reserve(s->l, o->B, o->T, &err)) {
        printf("gradcheck %s: reserve: %s\n", call_text, err.msg);
        return 1;
    }
    s->nx = shape_elems(in, o->B, o->T);
    s->ny = shape_elems(s->l->out, o->B, rnn_layer_out_steps(s->l, o->T));
    s->y = calloc(s->ny, sizeof(float));
    s->w = calloc(s->ny, sizeof(float));
    s->dx = in.is_ids ? NULL : calloc(s->nx, sizeof(float));
    if (in.is_ids) {
        int32_t *ids = calloc(s->nx, sizeof *ids);
        for (size_t i = 0; i < s->nx; i++)
            ids[i] = (int32_t)rnn_rng_uint(init, (unsigned long)o->vocab);
        s->x = ids;
    } else {
        float *x = calloc(s->nx, sizeof *x);
        rnn_fill_uniform(init, x, s->nx, -1.0f, 1.0f);
        if (o->spread_inputs) /* evenly spaced values, shuffled (Fisher-Yates) */
            for (size_t i = 0; i < s->nx; i++) {
                size_t j = rnn_rng_uint(init, i + 1);
                x[i] = x[j];
                x[j] = -1.0f + 2.0f * (float)i / (float)(s->nx > 1 ? s->nx - 1 : 1);
            }
        s->x = x;
    }
    rnn_fill_uniform(init, s->w, s->ny, -1.0f, 1.0f);
    return 0;
}

int gc_check_layer(const char *call_text, rnn_shape in, const rnn_add_ctx *ctx, const gc_opts *o,
                   gc_result *res)
{
    gc_state s = {.o = o};
    memset(res, 0, sizeof *res);
    rnn_rng *init = rnn_rng_new(o->seed);
    s.rng = rnn_rng_new(o->seed + 1);
    uint8_t *mask = NULL;
    int bad = 0;
    if (gc_setup(&s, call_text, in, ctx, init)) {
        bad = 1;
        goto done;
    }
    if (o->mask) { /* pre-padding: sample b has its last len_b steps real */
        mask = calloc((size_t)o->T * o->B, 1);
        for (int b = 0; b < o->B; b++) {
            int len = 1 + (int)rnn_rng_uint(init, (unsigned long)o->T);
            for (int t = o->T - len; t < o->T; t++)
                mask[(size_t)t * o->B + b] = 1;
        }
    }
    s.f = (rnn_fwd){.B = o->B, .T = o->T, .training = o->training, .rng = s.rng, .mask = mask};
    size_t np = s.l->n_params;
    float *g = calloc(np ? np : 1, sizeof *g);
    gc_loss(&s);
    s.l->kind->backward(s.l, &s.f, s.w, s.dx);
    memcpy(g, s.l->grads, np * sizeof *g);
    const char *names[16];
    size_t sizes[16], off = 0;
    int ng = s.l->kind->param_groups(s.l, names, sizes, 16);
    for (int k = 0; k < ng; k++) {
        double worst = gc_check_block(&s, s.l->params + off, g + off, sizes[k], names[k], init, res);
        printf("  %-40s %-18s %8zu params  max rel err %.3g\n", call_text, names[k], sizes[k], worst);
        bad += worst > o->tol;
        off += sizes[k];
    }
    if (off != np) {
        printf("  %s: param_groups cover %zu of %zu params\n", call_text, off, np);
        bad++;
    }
    if (!in.is_ids) {
        float *dx = malloc(s.nx * sizeof *dx);
        memcpy(dx, s.dx, s.nx * sizeof *dx);
        double worst = gc_check_block(&s, s.x, dx, s.nx, "input", init, res);
        printf("  %-40s %-18s %8zu values  max rel err %.3g\n", call_text, "input", s.nx, worst);
        bad += worst > o->tol;
        free(dx);
    }
    free(g);
done:
    if (s.l) {
        rnn_free_aligned(s.l->params);
        rnn_free_aligned(s.l->grads);
        rnn_layer_destroy(s.l);
    }
    free(s.x);
    free(s.y);
    free(s.w);
    free(s.dx);
    free(mask);
    rnn_rng_free(init);
    rnn_rng_free(s.rng);
    return bad;
}
