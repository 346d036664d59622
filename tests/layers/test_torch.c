/* Forward outputs and all gradients of the recurrent layers against PyTorch fixtures
 * (tests/fixtures/recurrent/NAME.txt written by tests/layers/gen_fixtures_recurrent.py), within the
 * fixtures' tolerance (tests/fixture.h), each parameter group on its own too. Runs with two engine
 * threads (batch split, two directions). */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "rnnlab/tensor.h"
#include "layers/rnn_common.h"
#include "tests/fixture.h"

static int run_fixture(const fixture *fx)
{
    int B, T, F;
    if (fixture_ints(fx, "B", &B, 1) || fixture_ints(fx, "T", &T, 1) || fixture_ints(fx, "F", &F, 1)) {
        printf("FAIL %s: no B, T or F line\n", fx->name);
        return 1;
    }
    rnn_error err = {0};
    rnn_call *call = NULL;
    rnn_layer *l = NULL;
    if (rnn_call_parse(fx->call, &call, &err) || rnn_layer_create(call, NULL, &l, &err)) {
        printf("FAIL %s: %s: %s\n", fx->name, fx->call, err.msg);
        rnn_call_free(call);
        return 1;
    }
    rnn_call_free(call);
    snprintf(l->name, sizeof l->name, "%s", l->kind->prefix);
    l->in = (rnn_shape){.rank = 2, .dim = {T, F}};
    if (l->kind->build(l, &err) || l->kind->reserve(l, B, T, &err)) {
        printf("FAIL %s: %s\n", fx->name, err.msg);
        rnn_layer_destroy(l);
        return 1;
    }
    size_t np = 0, nx = 0, ny = 0, ndp = 0;
    l->params = fixture_floats(fx, "params", &np);
    const double *dparams = fixture_array(fx, "dparams", &ndp);
    fixture_array(fx, "y", &ny);
    if (np != l->n_params || ndp != l->n_params) {
        printf("FAIL %s: %zu parameters, the fixture %zu (gradients %zu)\n", fx->name, l->n_params, np, ndp);
        rnn_free_aligned(l->params);
        rnn_layer_destroy(l);
        return 1;
    }
    l->grads = rnn_alloc_aligned((np ? np : 1) * sizeof(float));
    float *x = fixture_floats(fx, "x", &nx), *dy = fixture_floats(fx, "dy", NULL);
    float *y = rnn_alloc_aligned((ny ? ny : 1) * sizeof(float)), *dx = rnn_alloc_aligned((nx ? nx : 1) * sizeof(float));
    uint8_t *mask = fixture_mask(fx, "mask");
    int bad = 0;
    if (!x || !dy || nx != (size_t)B * T * F) {
        printf("FAIL %s: x or dy missing, or x not B*T*F values\n", fx->name);
        bad = 1;
    } else {
        rnn_fwd f = {.B = B, .T = T, .training = true, .rng = NULL, .mask = mask};
        printf("%s: %s%s\n", fx->name, fx->call, mask ? " (masked)" : "");
        l->kind->forward(l, &f, x, y);
        l->kind->backward(l, &f, dy, dx);
        bad |= fixture_check(fx, "y", y, ny);
        bad |= fixture_check(fx, "dparams", l->grads, np);
        bad |= fixture_check(fx, "dx", dx, nx);
        /* per parameter group too, so a small group is not hidden by a large one */
        const char *gn[8];
        size_t gs[8], off = 0;
        int ng = l->kind->param_groups(l, gn, gs, 8);
        for (int g = 0; g < ng && g < 8; g++) {
            bad |= fixture_compare(fx, gn[g], l->grads + off, dparams + off, gs[g]);
            off += gs[g];
        }
    }
    rnn_free_aligned(x); rnn_free_aligned(dy); rnn_free_aligned(y); rnn_free_aligned(dx);
    rnn_free_aligned(l->params); rnn_free_aligned(l->grads);
    free(mask);
    rnn_layer_destroy(l);
    return bad;
}

int main(void)
{
    rnn_set_threads(2);
    rnn_rec_parallel_min_work = 0;  /* threads even on these small shapes */
    int n = 0;
    int failed = fixture_run_all("recurrent", run_fixture, &n);
    printf("%d of %d fixtures failed\n", failed, n);
    return failed || n == 0 ? 1 : 0;
}
