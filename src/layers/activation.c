/* Activation(activation): y = act(x) element-wise (softmax over the last axis), on a vector
 * [B][F] or a sequence [T][B][F]; no parameters, the mask passes through (as Keras). As the last
 * layer, sigmoid and softmax hand the loss their logits, like Dense's. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/layers.h"
#include "layers/layer_util.h"

typedef struct activation_cfg {
    layer_act act;
    int F;
    const float *y;     /* output of the last forward */
    const float *x;     /* input of the last forward: the logits of sigmoid and softmax */
} activation_cfg;

static const char *const activation_keys[] = {"activation", NULL};

static int activation_configure(rnn_layer *l, const rnn_call *call, const rnn_add_ctx *ctx, rnn_error *err)
{
    (void)ctx;
    activation_cfg *c = calloc(1, sizeof *c);
    if (!c)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    l->cfg = c;
    int rc = rnn_call_check_keys(call, 1, activation_keys, err);
    if (rc)
        return rc;
    if (!rnn_call_arg(call, 0, "activation"))
        return rnn_fail(err, RNN_EUSAGE, "Activation: expected an activation, e.g. Activation('relu')");
    return layer_act_parse(call, 0, "activation", NULL, &c->act, err);
}

static int activation_build(rnn_layer *l, rnn_error *err)
{
    activation_cfg *c = l->cfg;
    if (l->in.is_ids || l->in.rank < 1)
        return rnn_fail(err, RNN_EUSAGE, "%s: Activation cannot take token ids; add an Embedding first", l->name);
    c->F = l->in.dim[l->in.rank - 1];
    l->out = l->in;
    l->n_params = 0;
    return RNN_OK;
}

static int activation_init(rnn_layer *l, rnn_rng *rng, rnn_error *err) { (void)l, (void)rng, (void)err; return RNN_OK; }

static int activation_reserve(rnn_layer *l, int B, int T, rnn_error *err) { (void)l, (void)B, (void)T, (void)err; return RNN_OK; }

static size_t activation_rows(const rnn_layer *l, int B, int T)
{
    return l->in.rank == 2 ? (size_t)B * T : (size_t)B;
}

static void activation_forward(rnn_layer *l, const rnn_fwd *f, const void *xv, float *y)
{
    activation_cfg *c = l->cfg;
    size_t rows = activation_rows(l, f->B, f->T);
    memcpy(y, xv, rows * c->F * sizeof *y);
    layer_act_forward(c->act, y, rows, c->F);
    c->x = xv;
    c->y = y;
}

static bool activation_has_logits(const activation_cfg *c)
{
    return c->act == ACT_SIGMOID || c->act == ACT_SOFTMAX;
}

static void activation_backward(rnn_layer *l, const rnn_fwd *f, const float *dy, float *dx)
{
    activation_cfg *c = l->cfg;
    if (!dx)
        return;
    size_t rows = activation_rows(l, f->B, f->T);
    if (f->dy_is_logits && activation_has_logits(c))
        memcpy(dx, dy, rows * c->F * sizeof *dx);
    else
        layer_act_backward(c->act, c->y, dy, dx, rows, c->F);
}

static int activation_describe(const rnn_layer *l, char *buf, size_t n)
{
    const activation_cfg *c = l->cfg;
    return snprintf(buf, n, "Activation('%s')", layer_act_name(c->act));
}

static int activation_param_groups(const rnn_layer *l, const char **names, size_t *sizes, int max)
{
    (void)l, (void)names, (void)sizes, (void)max;
    return 0;
}

static void activation_destroy(rnn_layer *l)
{
    free(l->cfg);
    l->cfg = NULL;
}

static const float *activation_logits(const rnn_layer *l, rnn_out_act *act)
{
    const activation_cfg *c = l->cfg;
    if (!activation_has_logits(c) || !c->x)
        return NULL;
    *act = c->act == ACT_SIGMOID ? RNN_OUT_SIGMOID : RNN_OUT_SOFTMAX;
    return c->x;
}

const rnn_layer_kind rnn_activation_kind = {
    .name = "Activation",
    .prefix = "activation",
    .configure = activation_configure,
    .build = activation_build,
    .init = activation_init,
    .reserve = activation_reserve,
    .forward = activation_forward,
    .backward = activation_backward,
    .out_mask = NULL,
    .describe = activation_describe,
    .param_groups = activation_param_groups,
    .destroy = activation_destroy,
    .logits = activation_logits,
    .keys = activation_keys,
};
