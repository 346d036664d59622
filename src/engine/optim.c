/* Optimizers with Keras 3's exact update rules and defaults (keras/src/optimizers/{sgd,rmsprop,adam}.py):
 *   SGD      m = m*momentum - g*lr;  w += nesterov ? m*momentum - g*lr : m   (no momentum: w -= g*lr)
 *   RMSprop  v = rho*v + (1-rho)*g^2;  inc = lr*g / sqrt(v + eps)  (eps INSIDE the sqrt, unlike
 *            PyTorch);  momentum > 0: mom = momentum*mom + inc, w -= mom;  else w -= inc
 *   Adam     alpha = lr*sqrt(1-b2^t)/(1-b1^t);  m += (g-m)*(1-b1);  v += (g^2-v)*(1-b2);
 *            w -= m*alpha / (sqrt(v) + eps)   ("epsilon hat": PyTorch adds eps*sqrt(1-b2^t) instead)
 * Updates are dense for every variable, Embedding included: Keras's Adam and RMSprop decay the
 * moments of rows without gradient too (and move them), so a lazy row update would differ. */
#include "config.h"
#include <math.h>
#include <string.h>
#include <strings.h>
#include "rnnlab/tensor.h"
#include "engine/train_internal.h"

const char *optim_kind_name(optim_kind k)
{
    switch (k) {
    case OPTIM_SGD: return "sgd";
    case OPTIM_RMSPROP: return "rmsprop";
    case OPTIM_ADAM: return "adam";
    }
    return "?";
}

static double dflt(double v, double d) { return isnan(v) ? d : v; }

static int check_range(double v, double lo, double hi, bool lo_open, const char *name, rnn_error *err)
{
    if (!isfinite(v) || v < lo || v > hi || (lo_open && v == lo))
        return rnn_fail(err, RNN_EUSAGE, "compile: %s=%g is out of range (expected %s%g..%g]", name, v,
                        lo_open ? "(" : "[", lo, hi);
    return RNN_OK;
}

int optim_config_from_opts(const rnn_compile_opts *o, optim_config *c, rnn_error *err)
{
    const char *name = o->optimizer ? o->optimizer : "rmsprop";
    memset(c, 0, sizeof *c);
    if (!strcasecmp(name, "sgd"))
        c->kind = OPTIM_SGD;
    else if (!strcasecmp(name, "rmsprop"))
        c->kind = OPTIM_RMSPROP;
    else if (!strcasecmp(name, "adam"))
        c->kind = OPTIM_ADAM;
    else
        return rnn_fail(err, RNN_EUSAGE, "compile: optimizer='%s' is unknown (expected adam, rmsprop or sgd)",
                        name);
    c->learning_rate = dflt(o->learning_rate, c->kind == OPTIM_SGD ? 0.01 : 0.001);
    c->momentum = dflt(o->momentum, 0.0);
    c->nesterov = o->nesterov;
    c->rho = dflt(o->rho, 0.9);
    c->beta_1 = dflt(o->beta_1, 0.9);
    c->beta_2 = dflt(o->beta_2, 0.999);
    c->epsilon = dflt(o->epsilon, 1e-7);
    c->clipnorm = dflt(o->clipnorm, 0.0);
    c->clipvalue = dflt(o->clipvalue, 0.0);
    int rc;
    if ((rc = check_range(c->learning_rate, 0, 1e6, true, "learning_rate", err)) ||
        (rc = check_range(c->momentum, 0, 1, false, "momentum", err)) ||
        (rc = check_range(c->rho, 0, 1, false, "rho", err)) ||
        (rc = check_range(c->beta_1, 0, 1, false, "beta_1", err)) ||
        (rc = check_range(c->beta_2, 0, 1, false, "beta_2", err)) ||
        (rc = check_range(c->epsilon, 0, 1, false, "epsilon", err)) ||
        (rc = check_range(c->clipnorm, 0, 1e30, false, "clipnorm", err)) ||
        (rc = check_range(c->clipvalue, 0, 1e30, false, "clipvalue", err)))
        return rc;
    if (c->beta_1 == 1 || c->beta_2 == 1)
        return rnn_fail(err, RNN_EUSAGE, "compile: beta_1 and beta_2 must be below 1");
    if (c->clipnorm > 0 && c->clipvalue > 0) /* as Keras: "Only one of clipnorm, clipvalue ... can be set" */
        return rnn_fail(err, RNN_EUSAGE, "compile: only one of clipnorm and clipvalue can be set");
    if (c->nesterov && c->kind != OPTIM_SGD)
        return rnn_fail(err, RNN_EUSAGE, "compile: nesterov applies to optimizer=sgd only");
    if (c->kind == OPTIM_ADAM && !isnan(o->momentum) && o->momentum != 0)
        return rnn_fail(err, RNN_EUSAGE, "compile: momentum does not apply to optimizer=adam");
    return RNN_OK;
}

int optim_init(optim *o, const optim_config *c, size_t n, rnn_error *err)
{
    memset(o, 0, sizeof *o);
    o->cfg = *c;
    o->n = n;
    switch (c->kind) {
    case OPTIM_SGD: o->n_slots = c->momentum != 0 ? 1 : 0; break;
    case OPTIM_RMSPROP: o->n_slots = c->momentum > 0 ? 2 : 1; break;
    case OPTIM_ADAM: o->n_slots = 2; break;
    }
    for (int s = 0; s < o->n_slots; s++) {
        o->slot[s] = rnn_alloc_aligned((n ? n : 1) * sizeof(float));
        if (!o->slot[s]) {
            optim_free(o);
            return rnn_fail(err, RNN_EINTERNAL, "compile: out of memory for optimizer state (%zu floats)", n);
        }
    }
    return RNN_OK;
}

void optim_free(optim *o)
{
    for (int s = 0; s < 2; s++) {
        rnn_free_aligned(o->slot[s]);
        o->slot[s] = NULL;
    }
    o->n_slots = 0;
}

void optim_clip(const optim_config *c, float *g, size_t n)
{
    if (c->clipnorm > 0) {
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += (double)g[i] * g[i];
        float norm = (float)sqrt(sum), cn = (float)c->clipnorm;
        float denom = norm > cn ? norm : cn; /* Keras: g * clipnorm / max(norm, clipnorm) */
        for (size_t i = 0; i < n; i++)
            g[i] = g[i] * cn / denom;
    } else if (c->clipvalue > 0) {
        float cv = (float)c->clipvalue;
        for (size_t i = 0; i < n; i++)
            g[i] = g[i] > cv ? cv : g[i] < -cv ? -cv : g[i];
    }
}

static void sgd_update(optim *o, float *w, const float *g, size_t off, size_t n)
{
    float lr = (float)o->cfg.learning_rate, mu = (float)o->cfg.momentum;
    if (o->n_slots == 0) {
        for (size_t i = 0; i < n; i++)
            w[i] -= g[i] * lr;
        return;
    }
    float *m = o->slot[0] + off;
    for (size_t i = 0; i < n; i++) {
        m[i] = m[i] * mu - g[i] * lr;
        w[i] += o->cfg.nesterov ? m[i] * mu - g[i] * lr : m[i];
    }
}

static void rmsprop_update(optim *o, float *w, const float *g, size_t off, size_t n)
{
    float lr = (float)o->cfg.learning_rate, rho = (float)o->cfg.rho, one_rho = (float)(1 - o->cfg.rho);
    float eps = (float)o->cfg.epsilon, mu = (float)o->cfg.momentum;
    float *v = o->slot[0] + off, *mom = o->n_slots > 1 ? o->slot[1] + off : NULL;
    for (size_t i = 0; i < n; i++) {
        v[i] = rho * v[i] + one_rho * (g[i] * g[i]);
        float inc = lr * g[i] / sqrtf(v[i] + eps);
        if (mom) {
            mom[i] = mu * mom[i] + inc;
            w[i] -= mom[i];
        } else {
            w[i] -= inc;
        }
    }
}

static void adam_update(optim *o, float *w, const float *g, size_t off, size_t n)
{
    /* Keras computes the bias corrections in the variable's dtype (float32). */
    float t = (float)(o->iterations + 1);
    float b1p = powf((float)o->cfg.beta_1, t), b2p = powf((float)o->cfg.beta_2, t);
    float alpha = (float)o->cfg.learning_rate * sqrtf(1 - b2p) / (1 - b1p);
    float one_b1 = (float)(1 - o->cfg.beta_1), one_b2 = (float)(1 - o->cfg.beta_2);
    float eps = (float)o->cfg.epsilon;
    float *m = o->slot[0] + off, *v = o->slot[1] + off;
    for (size_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * one_b1;
        v[i] += (g[i] * g[i] - v[i]) * one_b2;
        w[i] -= m[i] * alpha / (sqrtf(v[i]) + eps);
    }
}

void optim_update(optim *o, float *w, const float *g, size_t off, size_t n)
{
    switch (o->cfg.kind) {
    case OPTIM_SGD: sgd_update(o, w, g, off, n); break;
    case OPTIM_RMSPROP: rmsprop_update(o, w, g, off, n); break;
    case OPTIM_ADAM: adam_update(o, w, g, off, n); break;
    }
}

void optim_step_done(optim *o) { o->iterations++; }
