/* Forward outputs and all gradients of the recurrent layers against PyTorch fixtures
 * (tests/fixtures/recurrent/NAME.txt written by tests/layers/gen_fixtures_recurrent.py): each array must match within
 * 1e-5 relative to its largest magnitude. Runs with two engine threads (batch split, two directions). */
#include "config.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "rnnlab/tensor.h"
#include "layers/rnn_common.h"

#define TOL 1e-5

typedef struct fixture {
    char call[256];
    int B, T, F;
    double *x, *mask, *params, *dy, *y, *dparams, *dx;
    size_t nx, nmask, nparams, ndy, ny, ndparams, ndx;
} fixture;

static void fixture_free(fixture *f)
{
    free(f->x); free(f->mask); free(f->params); free(f->dy); free(f->y); free(f->dparams); free(f->dx);
}

/* Reads "tag n\nv v v...\n" arrays and "call/B/T/F" lines. */
static int fixture_read(const char *path, fixture *fx)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    memset(fx, 0, sizeof *fx);
    char tag[64];
    int rc = 0;
    while (fscanf(fp, "%63s", tag) == 1) {
        if (tag[0] == '#' || strcmp(tag, "call") == 0) {
            char line[512];
            if (!fgets(line, sizeof line, fp))
                break;
            if (tag[0] != '#') {
                line[strcspn(line, "\n")] = '\0';
                snprintf(fx->call, sizeof fx->call, "%s", line + (line[0] == ' '));
            }
            continue;
        }
        if (!strcmp(tag, "B") || !strcmp(tag, "T") || !strcmp(tag, "F")) {
            int *v = tag[0] == 'B' ? &fx->B : tag[0] == 'T' ? &fx->T : &fx->F;
            if (fscanf(fp, "%d", v) != 1)
                rc = -1;
            continue;
        }
        size_t n;
        if (fscanf(fp, "%zu", &n) != 1) {
            rc = -1;
            break;
        }
        double *a = malloc((n ? n : 1) * sizeof *a);
        for (size_t i = 0; i < n; i++)
            if (fscanf(fp, "%lf", &a[i]) != 1)
                rc = -1;
        struct { const char *t; double **p; size_t *n; } slots[] = {
            {"x", &fx->x, &fx->nx}, {"mask", &fx->mask, &fx->nmask}, {"params", &fx->params, &fx->nparams},
            {"dy", &fx->dy, &fx->ndy}, {"y", &fx->y, &fx->ny}, {"dparams", &fx->dparams, &fx->ndparams},
            {"dx", &fx->dx, &fx->ndx}};
        bool used = false;
        for (size_t k = 0; k < sizeof slots / sizeof *slots; k++)
            if (!strcmp(tag, slots[k].t)) {
                *slots[k].p = a;
                *slots[k].n = n;
                used = true;
            }
        if (!used)
            free(a);
    }
    fclose(fp);
    return rc;
}

/* max |got - want| / max |want|; prints and returns 1 above TOL. */
static int compare(const char *name, const char *what, const float *got, const double *want, size_t n)
{
    double err = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want[i]);
        err = d > err ? d : err;
        scale = fabs(want[i]) > scale ? fabs(want[i]) : scale;
    }
    double rel = err / (scale > 1e-12 ? scale : 1e-12);
    printf("  %-22s %-8s %6zu values  rel err %.2e%s\n", name, what, n, rel, rel > TOL ? "  FAIL" : "");
    return rel > TOL;
}

static float *to_float(const double *a, size_t n)
{
    float *f = rnn_alloc_aligned((n ? n : 1) * sizeof *f);
    for (size_t i = 0; i < n; i++)
        f[i] = (float)a[i];
    return f;
}

static int run_fixture(const char *name, const fixture *fx)
{
    rnn_error err = {0};
    rnn_call *call = NULL;
    rnn_layer *l = NULL;
    if (rnn_call_parse(fx->call, &call, &err) || rnn_layer_create(call, NULL, &l, &err)) {
        printf("%s: %s: %s\n", name, fx->call, err.msg);
        rnn_call_free(call);
        return 1;
    }
    rnn_call_free(call);
    snprintf(l->name, sizeof l->name, "%s", l->kind->prefix);
    l->in = (rnn_shape){.rank = 2, .dim = {fx->T, fx->F}};
    if (l->kind->build(l, &err) || l->kind->reserve(l, fx->B, fx->T, &err)) {
        printf("%s: %s\n", name, err.msg);
        rnn_layer_destroy(l);
        return 1;
    }
    int bad = 0;
    if (l->n_params != fx->nparams) {
        printf("%s: %zu parameters, fixture has %zu\n", name, l->n_params, fx->nparams);
        rnn_layer_destroy(l);
        return 1;
    }
    l->params = to_float(fx->params, fx->nparams);
    l->grads = rnn_alloc_aligned(fx->nparams * sizeof(float));
    float *x = to_float(fx->x, fx->nx), *dy = to_float(fx->dy, fx->ndy);
    float *y = rnn_alloc_aligned(fx->ny * sizeof(float)), *dx = rnn_alloc_aligned(fx->nx * sizeof(float));
    uint8_t *mask = NULL;
    if (fx->mask) {
        mask = malloc(fx->nmask);
        for (size_t i = 0; i < fx->nmask; i++)
            mask[i] = fx->mask[i] != 0;
    }
    rnn_fwd f = {.B = fx->B, .T = fx->T, .training = true, .rng = NULL, .mask = mask};
    printf("%s: %s%s\n", name, fx->call, mask ? " (masked)" : "");
    l->kind->forward(l, &f, x, y);
    l->kind->backward(l, &f, dy, dx);
    bad |= compare(name, "y", y, fx->y, fx->ny);
    bad |= compare(name, "dparams", l->grads, fx->dparams, fx->ndparams);
    bad |= compare(name, "dx", dx, fx->dx, fx->ndx);
    /* per parameter group too, so a small group is not hidden by a large one */
    const char *gn[8];
    size_t gs[8], off = 0;
    int ng = l->kind->param_groups(l, gn, gs, 8);
    for (int g = 0; g < ng && g < 8; g++) {
        bad |= compare(name, gn[g], l->grads + off, fx->dparams + off, gs[g]);
        off += gs[g];
    }
    rnn_free_aligned(x); rnn_free_aligned(dy); rnn_free_aligned(y); rnn_free_aligned(dx);
    rnn_free_aligned(l->params); rnn_free_aligned(l->grads);
    free(mask);
    rnn_layer_destroy(l);
    return bad;
}

int main(void)
{
    const char *srcdir = getenv("srcdir");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/recurrent", srcdir ? srcdir : RNN_TOP_SRCDIR);
    rnn_set_threads(2);
    rnn_rec_parallel_min_work = 0;  /* threads even on these small shapes */
    DIR *d = opendir(dir);
    if (!d) {
        printf("no fixtures in %s\n", dir);
        return 1;
    }
    struct dirent *e;
    int failed = 0, n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt"))
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        fixture fx;
        if (fixture_read(path, &fx) || !fx.x || !fx.y || !fx.params || !fx.dparams || !fx.dx || !fx.dy) {
            printf("%s: unreadable fixture\n", path);
            failed++;
        } else {
            failed += run_fixture(e->d_name, &fx) != 0;
        }
        fixture_free(&fx);
        n++;
    }
    closedir(d);
    printf("%d of %d fixtures failed\n", failed, n);
    return failed || n == 0 ? 1 : 0;
}
