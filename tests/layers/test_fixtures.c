/* Forward/backward of Dense, Embedding, pooling and Flatten against PyTorch reference values
 * (the .txt files in tests/fixtures/layers, written by tests/layers/gen_fixtures_layers.py), within 1e-5 relative. */
#include "config.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "rnnlab/tensor.h"

#define MAX_ARRAYS 12

typedef struct fx_array {
    char name[32];
    size_t n;
    double *v;
} fx_array;

typedef struct fixture {
    char call[256];
    int rank, d0, d1, B, T;
    int n_arrays;
    fx_array a[MAX_ARRAYS];
} fixture;

static const fx_array *fx_get(const fixture *fx, const char *name)
{
    for (int i = 0; i < fx->n_arrays; i++)
        if (strcmp(fx->a[i].name, name) == 0)
            return &fx->a[i];
    return NULL;
}

static void fx_free(fixture *fx)
{
    for (int i = 0; i < fx->n_arrays; i++)
        free(fx->a[i].v);
}

static int fx_read(const char *path, fixture *fx)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("FAIL cannot open %s\n", path);
        return 1;
    }
    memset(fx, 0, sizeof *fx);
    int rc = 0;
    if (!fgets(fx->call, sizeof fx->call, f) || strncmp(fx->call, "call ", 5) != 0 ||
        fscanf(f, "shape %d %d %d %d %d\n", &fx->rank, &fx->d0, &fx->d1, &fx->B, &fx->T) != 5)
        rc = 1;
    if (!rc) {
        memmove(fx->call, fx->call + 5, strlen(fx->call + 5) + 1);
        fx->call[strcspn(fx->call, "\n")] = '\0';
    }
    while (!rc && fx->n_arrays < MAX_ARRAYS) {
        fx_array *a = &fx->a[fx->n_arrays];
        if (fscanf(f, "%31s %zu", a->name, &a->n) != 2)
            break;
        a->v = malloc(a->n * sizeof *a->v);
        for (size_t i = 0; i < a->n; i++)
            if (fscanf(f, "%lf", &a->v[i]) != 1)
                rc = 1;
        fx->n_arrays++;
    }
    fclose(f);
    if (rc)
        printf("FAIL malformed fixture %s\n", path);
    return rc;
}

/* Largest |got - want| / max(|want|, 1e-3) over n values; reports the first offender. */
static int fx_compare(const char *file, const char *what, const float *got, const fx_array *want, size_t n)
{
    if (!want || want->n != n) {
        printf("FAIL %s: %s has %zu values, fixture %zu\n", file, what, n, want ? want->n : 0);
        return 1;
    }
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(got[i] - want->v[i]) / fmax(fabs(want->v[i]), 1e-3);
        if (d > worst) {
            worst = d;
            at = i;
        }
    }
    printf("  %-22s %-8s %5zu values  max rel err %.3g\n", file, what, n, worst);
    if (worst > 1e-5) {
        printf("FAIL %s: %s[%zu] = %.9g, PyTorch %.9g\n", file, what, at, got[at], want->v[at]);
        return 1;
    }
    return 0;
}

static float *fx_floats(const fx_array *a)
{
    float *f = rnn_alloc_aligned((a ? a->n : 1) * sizeof *f);
    for (size_t i = 0; a && i < a->n; i++)
        f[i] = (float)a->v[i];
    return f;
}

static size_t shape_elems(rnn_shape s, int B, int T)
{
    return s.rank == 2 ? (size_t)T * B * s.dim[1] : (size_t)B * s.dim[0];
}

static int run_fixture(const char *file, const fixture *fx)
{
    rnn_error err = {0};
    rnn_call *call = NULL;
    rnn_layer *l = NULL;
    if (rnn_call_parse(fx->call, &call, &err) || rnn_layer_create(call, NULL, &l, &err)) {
        printf("FAIL %s: %s\n", file, err.msg);
        rnn_call_free(call);
        return 1;
    }
    rnn_call_free(call);
    const fx_array *ids_a = fx_get(fx, "ids");
    strcpy(l->name, l->kind->prefix);
    l->in = (rnn_shape){.rank = fx->rank, .dim = {fx->d0, fx->d1}, .is_ids = ids_a != NULL};
    int bad = 0;
    if (l->kind->build(l, &err) || l->kind->reserve(l, fx->B, fx->T, &err)) {
        printf("FAIL %s: %s\n", file, err.msg);
        rnn_layer_destroy(l);
        return 1;
    }
    const fx_array *pa = fx_get(fx, "params");
    if ((pa ? pa->n : 0) != l->n_params) {
        printf("FAIL %s: layer has %zu params, fixture %zu\n", file, l->n_params, pa ? pa->n : 0);
        rnn_layer_destroy(l);
        return 1;
    }
    l->params = fx_floats(pa);
    l->grads = rnn_alloc_aligned((l->n_params ? l->n_params : 1) * sizeof(float));
    int32_t *ids = NULL;
    float *x = NULL, *dx = NULL;
    if (ids_a) {
        ids = malloc(ids_a->n * sizeof *ids);
        for (size_t i = 0; i < ids_a->n; i++)
            ids[i] = (int32_t)ids_a->v[i];
    } else {
        x = fx_floats(fx_get(fx, "x"));
        dx = rnn_alloc_aligned(shape_elems(l->in, fx->B, fx->T) * sizeof *dx);
    }
    const fx_array *ma = fx_get(fx, "mask");
    uint8_t *mask = NULL;
    if (ma) {
        mask = malloc(ma->n);
        for (size_t i = 0; i < ma->n; i++)
            mask[i] = ma->v[i] != 0;
    }
    rnn_fwd f = {.B = fx->B, .T = fx->T, .training = false, .mask = mask};
    size_t ny = shape_elems(l->out, fx->B, fx->T);
    float *y = rnn_alloc_aligned(ny * sizeof *y), *dy = fx_floats(fx_get(fx, "dy"));
    const void *in = ids ? (const void *)ids : (const void *)x;
    l->kind->forward(l, &f, in, y);
    bad += fx_compare(file, "y", y, fx_get(fx, "y"), ny);
    const fx_array *om = fx_get(fx, "out_mask");
    if (om) {
        const uint8_t *m = l->kind->out_mask ? l->kind->out_mask(l, &f, in) : NULL;
        float *mf = malloc(om->n * sizeof *mf);
        for (size_t i = 0; i < om->n; i++)
            mf[i] = m ? m[i] : -1.0f;
        bad += fx_compare(file, "mask", mf, om, om->n);
        free(mf);
    }
    l->kind->backward(l, &f, dy, dx);
    if (dx)
        bad += fx_compare(file, "dx", dx, fx_get(fx, "dx"), shape_elems(l->in, fx->B, fx->T));
    if (l->n_params)
        bad += fx_compare(file, "grads", l->grads, fx_get(fx, "grads"), l->n_params);
    rnn_free_aligned(l->params);
    rnn_free_aligned(l->grads);
    rnn_layer_destroy(l);
    rnn_free_aligned(x);
    rnn_free_aligned(dx);
    rnn_free_aligned(y);
    rnn_free_aligned(dy);
    free(ids);
    free(mask);
    return bad;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
    const char *srcdir = getenv("srcdir") ? getenv("srcdir") : ".";
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/layers", srcdir);
    DIR *d = opendir(dir);
    if (!d) {
        printf("FAIL no fixture folder %s\n", dir);
        return 1;
    }
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
        if (strstr(e->d_name, ".txt"))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        fixture fx;
        failed += fx_read(path, &fx) || run_fixture(names[i], &fx) ? 1 : 0;
        fx_free(&fx);
        free(names[i]);
    }
    if (n < 10) {
        printf("FAIL only %d fixtures in %s\n", n, dir);
        failed++;
    }
    printf("%s: %d fixtures, %d failed\n", failed ? "FAIL" : "ok", n, failed);
    return failed ? 1 : 0;
}
