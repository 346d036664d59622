/* Forward/backward of Dense, Embedding, pooling, Flatten, Conv1D, the 1D poolings and Activation
 * against PyTorch reference values
 * (the .txt files in tests/fixtures/layers, written by tests/layers/gen_fixtures_layers.py), within
 * the fixtures' tolerance (tests/fixture.h). */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "rnnlab/tensor.h"
#include "tests/fixture.h"

static size_t shape_elems(rnn_shape s, int B, int T)
{
    return s.rank == 2 ? (size_t)T * B * s.dim[1] : (size_t)B * s.dim[0];
}

static int32_t *fixture_ids(const fixture *fx, const char *key)
{
    size_t n;
    const double *a = fixture_array(fx, key, &n);
    int32_t *ids = a ? malloc((n ? n : 1) * sizeof *ids) : NULL;
    for (size_t i = 0; ids && i < n; i++)
        ids[i] = (int32_t)a[i];
    return ids;
}

/* "shape RANK D0 D1 B T": the layer's input shape (-1 for the batch), batch and steps. */
static int run_fixture(const fixture *fx)
{
    int sh[5];
    if (fixture_ints(fx, "shape", sh, 5)) {
        printf("FAIL %s: no 'shape RANK D0 D1 B T' line\n", fx->name);
        return 1;
    }
    int B = sh[3], T = sh[4];
    rnn_error err = {0};
    rnn_call *call = NULL;
    rnn_layer *l = NULL;
    if (rnn_call_parse(fx->call, &call, &err) || rnn_layer_create(call, NULL, &l, &err)) {
        printf("FAIL %s: %s\n", fx->name, err.msg);
        rnn_call_free(call);
        return 1;
    }
    rnn_call_free(call);
    int32_t *ids = fixture_ids(fx, "ids");
    strcpy(l->name, l->kind->prefix);
    l->in = (rnn_shape){.rank = sh[0], .dim = {sh[1], sh[2]}, .is_ids = ids != NULL};
    if (l->kind->build(l, &err) || l->kind->reserve(l, B, T, &err)) {
        printf("FAIL %s: %s\n", fx->name, err.msg);
        rnn_layer_destroy(l);
        free(ids);
        return 1;
    }
    size_t np = 0;
    l->params = fixture_floats(fx, "params", &np);
    if (np != l->n_params) {
        printf("FAIL %s: layer has %zu params, fixture %zu\n", fx->name, l->n_params, np);
        rnn_free_aligned(l->params);
        rnn_layer_destroy(l);
        free(ids);
        return 1;
    }
    l->grads = rnn_alloc_aligned((l->n_params ? l->n_params : 1) * sizeof(float));
    /* token ids come as B x T; other inputs as their shape says */
    size_t nin = ids ? (size_t)B * T : shape_elems(l->in, B, T), ny = shape_elems(l->out, B, rnn_layer_out_steps(l, T)), n_ids = 0, nx = 0, ndy = 0;
    fixture_array(fx, "ids", &n_ids);
    float *x = ids ? NULL : fixture_floats(fx, "x", &nx);
    float *dx = ids ? NULL : rnn_alloc_aligned(nin * sizeof *dx);
    uint8_t *mask = fixture_mask(fx, "mask");
    rnn_fwd f = {.B = B, .T = T, .training = false, .mask = mask};
    float *y = rnn_alloc_aligned(ny * sizeof *y), *dy = fixture_floats(fx, "dy", &ndy);
    const void *in = ids ? (const void *)ids : (const void *)x;
    int bad = 0;
    if ((ids ? n_ids : nx) != nin || ndy != ny) {
        printf("FAIL %s: the input needs %zu values and dy %zu; the fixture has %zu and %zu\n", fx->name,
               nin, ny, ids ? n_ids : nx, ndy);
        bad = 1;
        goto done;
    }
    l->kind->forward(l, &f, in, y);
    bad += fixture_check(fx, "y", y, ny);
    size_t n_om;
    if (fixture_array(fx, "out_mask", &n_om)) {
        const uint8_t *m = l->kind->out_mask ? l->kind->out_mask(l, &f, in) : NULL;
        float *mf = malloc((n_om ? n_om : 1) * sizeof *mf);
        for (size_t i = 0; i < n_om; i++)
            mf[i] = m ? m[i] : -1.0f;
        bad += fixture_check(fx, "out_mask", mf, n_om);
        free(mf);
    }
    l->kind->backward(l, &f, dy, dx);
    if (dx)
        bad += fixture_check(fx, "dx", dx, nin);
    if (l->n_params)
        bad += fixture_check(fx, "grads", l->grads, l->n_params);
done:
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

int main(void)
{
    int n = 0;
    int failed = fixture_run_all("layers", run_fixture, &n);
    if (n < 10) {
        printf("FAIL only %d fixtures in tests/fixtures/layers\n", n);
        failed++;
    }
    printf("%s: %d fixtures, %d failed\n", failed ? "FAIL" : "ok", n, failed);
    return failed ? 1 : 0;
}
