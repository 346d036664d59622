/* Optimizers with Keras 3's exact update rules and defaults (keras/src/optimizers/{sgd,rmsprop,adam}.py):
 *   SGD      m = m*momentum - g*lr;  w += nesterov ? m*momentum - g*lr : m   (no momentum: w -= g*lr)
 *   RMSprop  v = rho*v + (1-rho)*g^2;  inc = lr*g / sqrt(v + eps)  (eps INSIDE the sqrt, unlike
 *            PyTorch);  momentum > 0: mom = momentum*mom + inc, w -= mom;  else w -= inc
 *   Adam     alpha = lr*sqrt(1-b2^t)/(1-b1^t);  m += (g-m)*(1-b1);  v += (g^2-v)*(1-b2);
 *            w -= m*alpha / (sqrt(v) + eps)   ("epsilon hat": PyTorch adds eps*sqrt(1-b2^t) instead)
 *   Adagrad  a += g^2 (a starts at initial_accumulator_value 0.1);  w -= lr*g / sqrt(a + eps)
 *   Nadam    u_t = b1 (1 - 0.5*0.96^t), u_t1 = b1 (1 - 0.5*0.96^(t+1)), U = prod of u_s for s <= t;
 *            m += (g-m)*(1-b1);  v += (g^2-v)*(1-b2);
 *            w -= lr * (u_t1 m / (1 - U u_t1) + (1-u_t) g / (1 - U)) / (sqrt(v / (1-b2^t)) + eps)
 *   AdamW    Adam after the decoupled weight decay every optimizer applies when weight_decay is set
 *            (AdamW's default 0.004): w -= w*weight_decay*lr, after clipping, before the update
 * Updates are dense for every variable, Embedding included: Keras's Adam and RMSprop decay the
 * moments of rows without gradient too (and move them), so a lazy row update would differ. */
#include "config.h"
#include <math.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "rnnlab/tensor.h"
#include "model/train_internal.h"
#include "core/vector_kernel.h"
#include "core/parallel.h"

const char *optim_kind_name(optim_kind k)
{
    switch (k) {
    case OPTIM_SGD: return "sgd";
    case OPTIM_RMSPROP: return "rmsprop";
    case OPTIM_ADAM: return "adam";
    case OPTIM_ADAGRAD: return "adagrad";
    case OPTIM_NADAM: return "nadam";
    case OPTIM_ADAMW: return "adamw";
    }
    return "?";
}

static double dflt(double v, double d) { return isnan(v) ? d : v; }

static int check_range(double v, double lo, double hi, bool lo_open, const char *name, rnn_error *err)
{
    if (!isfinite(v) || v < lo || v > hi || (lo_open && v == lo))
        return rnn_fail(err, RNN_EUSAGE, "%s=%g is out of range: expected a number in %s%g, %g]", name,
                        v, lo_open ? "(" : "[", lo, hi);
    return RNN_OK;
}

int optim_config_from_opts(const rnn_compile_opts *o, optim_config *c, rnn_error *err)
{
    const char *name = o->optimizer ? o->optimizer : "rmsprop";
    memset(c, 0, sizeof *c);
    bool known = false;
    for (optim_kind k = OPTIM_SGD; k <= OPTIM_LAST && !known; k++)
        if (!strcasecmp(name, optim_kind_name(k))) {
            c->kind = k;
            known = true;
        }
    if (!known)
        return rnn_fail(err, RNN_EUSAGE, "optimizer='%s' is unknown (expected adam, rmsprop, sgd, adagrad, "
                        "nadam or adamw)", name);
    c->learning_rate = dflt(o->learning_rate, c->kind == OPTIM_SGD ? 0.01 : 0.001);
    c->momentum = dflt(o->momentum, 0.0);
    c->nesterov = o->nesterov;
    c->rho = dflt(o->rho, 0.9);
    c->beta_1 = dflt(o->beta_1, 0.9);
    c->beta_2 = dflt(o->beta_2, 0.999);
    c->epsilon = dflt(o->epsilon, 1e-7);
    c->clipnorm = dflt(o->clipnorm, 0.0);
    c->clipvalue = dflt(o->clipvalue, 0.0);
    c->weight_decay = dflt(o->weight_decay, c->kind == OPTIM_ADAMW ? 0.004 : 0.0);
    c->initial_accumulator = dflt(o->initial_accumulator_value, 0.1);
    int rc;
    if ((rc = check_range(c->learning_rate, 0, 1e6, true, "learning_rate", err)) ||
        (rc = check_range(c->momentum, 0, 1, false, "momentum", err)) ||
        (rc = check_range(c->rho, 0, 1, false, "rho", err)) ||
        (rc = check_range(c->beta_1, 0, 1, false, "beta_1", err)) ||
        (rc = check_range(c->beta_2, 0, 1, false, "beta_2", err)) ||
        (rc = check_range(c->epsilon, 0, 1, false, "epsilon", err)) ||
        (rc = check_range(c->clipnorm, 0, 1e30, false, "clipnorm", err)) ||
        (rc = check_range(c->clipvalue, 0, 1e30, false, "clipvalue", err)) ||
        (rc = check_range(c->weight_decay, 0, 1, false, "weight_decay", err)) ||
        (rc = check_range(c->initial_accumulator, 0, 1e6, false, "initial_accumulator_value", err)))
        return rc;
    if (c->kind != OPTIM_ADAGRAD && !isnan(o->initial_accumulator_value))
        return rnn_fail(err, RNN_EUSAGE, "initial_accumulator_value applies to optimizer=adagrad only");
    if (c->beta_1 == 1 || c->beta_2 == 1)
        return rnn_fail(err, RNN_EUSAGE, "beta_1 and beta_2 must be below 1");
    if (c->clipnorm > 0 && c->clipvalue > 0) /* as Keras: "Only one of clipnorm, clipvalue ... can be set" */
        return rnn_fail(err, RNN_EUSAGE, "only one of clipnorm and clipvalue can be set");
    if (c->nesterov && c->kind != OPTIM_SGD)
        return rnn_fail(err, RNN_EUSAGE, "nesterov applies to optimizer=sgd only");
    if (c->kind != OPTIM_SGD && c->kind != OPTIM_RMSPROP && !isnan(o->momentum) && o->momentum != 0)
        return rnn_fail(err, RNN_EUSAGE, "momentum does not apply to optimizer=%s", optim_kind_name(c->kind));
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
    case OPTIM_ADAM: case OPTIM_NADAM: case OPTIM_ADAMW: o->n_slots = 2; break;
    case OPTIM_ADAGRAD: o->n_slots = 1; break;
    }
    int rc = rnn_mem_check((uint64_t)o->n_slots * n * sizeof(float), 0, "use a smaller model, or optimizer=sgd",
                           err, "the optimizer's state (%d x %zu floats)", o->n_slots, n);
    if (rc)
        return rc;
    for (int s = 0; s < o->n_slots; s++) {
        o->slot[s] = rnn_alloc_aligned((n ? n : 1) * sizeof(float));
        if (!o->slot[s]) {
            optim_free(o);
            return rnn_fail(err, RNN_EINTERNAL, "out of memory for optimizer state (%zu floats)", n);
        }
    }
    optim_reset(o);
    return RNN_OK;
}

void optim_reset(optim *o)
{
    for (int s = 0; s < o->n_slots; s++)
        memset(o->slot[s], 0, o->n * sizeof(float));
    if (o->cfg.kind == OPTIM_ADAGRAD) {
        float a = (float)o->cfg.initial_accumulator;
        for (size_t i = 0; i < o->n; i++)
            o->slot[0][i] = a;
    }
    o->iterations = 0;
    o->u_product = 1.0f;
    o->u_steps = 0;
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

/* The adaptive kernels run four lanes at a time with SSE where available (RMSprop without momentum
 * as wide as the CPU allows, RNN_EXACT_VECTOR_KERNEL): the Embedding of a seed model is 1.3M floats
 * updated at every step. The vectors' add, mul, div and sqrt are IEEE-exact like the scalar code,
 * in the same order and without fused multiply-adds, so every path gives the same bits. */

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

/* v = rho v + (1 - rho) g^2, w -= lr g / sqrt(v + eps) over n floats (no momentum). */
RNN_EXACT_VECTOR_KERNEL
static void rmsprop_plain(float *restrict w, float *restrict v, const float *restrict g, size_t n, float lr,
                          float rho, float one_rho, float eps)
{
    for (size_t i = 0; i < n; i++) {
        v[i] = rho * v[i] + one_rho * (g[i] * g[i]);
        w[i] -= lr * g[i] / sqrtf(v[i] + eps);
    }
}

static void rmsprop_update(optim *o, float *w, const float *g, size_t off, size_t n)
{
    float lr = (float)o->cfg.learning_rate, rho = (float)o->cfg.rho, one_rho = (float)(1 - o->cfg.rho);
    float eps = (float)o->cfg.epsilon, mu = (float)o->cfg.momentum;
    float *v = o->slot[0] + off, *mom = o->n_slots > 1 ? o->slot[1] + off : NULL;
    if (!mom) {
        rmsprop_plain(w, v, g, n, lr, rho, one_rho, eps);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        v[i] = rho * v[i] + one_rho * (g[i] * g[i]);
        float inc = lr * g[i] / sqrtf(v[i] + eps);
        mom[i] = mu * mom[i] + inc;
        w[i] -= mom[i];
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
    size_t i = 0;
#ifdef __SSE2__
    __m128 va = _mm_set1_ps(alpha), vb1 = _mm_set1_ps(one_b1), vb2 = _mm_set1_ps(one_b2), veps = _mm_set1_ps(eps);
    for (; i + 4 <= n; i += 4) {
        __m128 gi = _mm_loadu_ps(g + i), mi = _mm_loadu_ps(m + i), vi = _mm_loadu_ps(v + i);
        mi = _mm_add_ps(mi, _mm_mul_ps(_mm_sub_ps(gi, mi), vb1));
        vi = _mm_add_ps(vi, _mm_mul_ps(_mm_sub_ps(_mm_mul_ps(gi, gi), vi), vb2));
        _mm_storeu_ps(m + i, mi);
        _mm_storeu_ps(v + i, vi);
        __m128 step = _mm_div_ps(_mm_mul_ps(mi, va), _mm_add_ps(_mm_sqrt_ps(vi), veps));
        _mm_storeu_ps(w + i, _mm_sub_ps(_mm_loadu_ps(w + i), step));
    }
#endif
    for (; i < n; i++) {
        m[i] += (g[i] - m[i]) * one_b1;
        v[i] += (g[i] * g[i] - v[i]) * one_b2;
        w[i] -= m[i] * alpha / (sqrtf(v[i]) + eps);
    }
}

static void adagrad_update(optim *o, float *w, const float *g, size_t off, size_t n)
{
    float lr = (float)o->cfg.learning_rate, eps = (float)o->cfg.epsilon;
    float *a = o->slot[0] + off;
    for (size_t i = 0; i < n; i++) {
        a[i] += g[i] * g[i];
        w[i] -= lr * g[i] / sqrtf(a[i] + eps);
    }
}

/* Nadam's u_t for step t, in float32 as Keras. */
static float nadam_u(const optim *o, int64_t t)
{
    return (float)o->cfg.beta_1 * (1.0f - 0.5f * powf(0.96f, (float)t));
}

/* The product of u_s for s = 1..t (t = iterations + 1): one factor per step, or all of them after
 * the optimizer was read from a file. */
static float nadam_u_product(optim *o)
{
    int64_t t = o->iterations + 1;
    if (o->u_steps > t || o->u_steps < t - 1) {
        o->u_product = 1.0f;
        o->u_steps = 0;
    }
    while (o->u_steps < t)
        o->u_product = o->u_product * nadam_u(o, ++o->u_steps);
    return o->u_product;
}

static void nadam_update(optim *o, float *w, const float *g, size_t off, size_t n, float u_product)
{
    int64_t t = o->iterations + 1;
    float lr = (float)o->cfg.learning_rate, b1 = (float)o->cfg.beta_1, b2 = (float)o->cfg.beta_2;
    float eps = (float)o->cfg.epsilon, u_t = nadam_u(o, t), u_t1 = nadam_u(o, t + 1);
    float u_product_t1 = u_product * u_t1, b2p = powf(b2, (float)t);
    float *m = o->slot[0] + off, *v = o->slot[1] + off;
    for (size_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * (1 - b1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
        float m_hat = u_t1 * m[i] / (1 - u_product_t1) + (1 - u_t) * g[i] / (1 - u_product);
        float v_hat = v[i] / (1 - b2p);
        w[i] -= m_hat * lr / (sqrtf(v_hat) + eps);
    }
}

/* Keras's decoupled weight decay, in float32: w - w * wd * lr. */
static void weight_decay_update(const optim *o, float *w, size_t n)
{
    float wd = (float)o->cfg.weight_decay, lr = (float)o->cfg.learning_rate;
    for (size_t i = 0; i < n; i++)
        w[i] = w[i] - w[i] * wd * lr;
}

/* Below this many floats a part, an update runs on one thread (waking a worker costs a few
 * microseconds; a float's update, a nanosecond or less). */
enum { OPTIM_MIN_PART_FLOATS = 1 << 15 };

typedef struct optim_job {
    optim *o;
    float *w;
    const float *g;
    size_t off, n;
    float u_product;    /* Nadam's, computed once per step before the parts start */
} optim_job;

/* Floats [a, b) of the job's variable. */
static void optim_update_range(const optim_job *j, size_t a, size_t b)
{
    optim *o = j->o;
    float *w = j->w + a;
    const float *g = j->g + a;
    size_t off = j->off + a, n = b - a;
    if (o->cfg.weight_decay > 0)
        weight_decay_update(o, w, n);
    switch (o->cfg.kind) {
    case OPTIM_SGD: sgd_update(o, w, g, off, n); break;
    case OPTIM_RMSPROP: rmsprop_update(o, w, g, off, n); break;
    case OPTIM_ADAM: case OPTIM_ADAMW: adam_update(o, w, g, off, n); break;
    case OPTIM_ADAGRAD: adagrad_update(o, w, g, off, n); break;
    case OPTIM_NADAM: nadam_update(o, w, g, off, n, j->u_product); break;
    }
}

static void optim_update_part(void *ctx, int i, int n)
{
    const optim_job *j = ctx;
    size_t a, b;
    rnn_parallel_range(i, n, j->n, 16, &a, &b);  /* whole cache lines per part */
    if (a < b)
        optim_update_range(j, a, b);
}

/* Big variables are split over the engine's threads (element-wise: the result does not depend on
 * the split). */
void optim_update(optim *o, float *w, const float *g, size_t off, size_t n)
{
    optim_job job = {o, w, g, off, n, o->cfg.kind == OPTIM_NADAM ? nadam_u_product(o) : 1.0f};
    rnn_parallel(rnn_parallel_parts(n, OPTIM_MIN_PART_FLOATS), optim_update_part, &job);
}

void optim_step_done(optim *o) { o->iterations++; }

bool optim_rows_exact(const optim *o)
{
    /* no momentum slot, no weight decay (which moves every row) */
    return o->cfg.kind == OPTIM_RMSPROP && o->n_slots == 1 && o->cfg.weight_decay == 0;
}

/* v[n] *= rho once per step from `from` to the current iteration: what the dense update does to a
 * row without gradient (rho v + (1 - rho) 0^2 is rho v, bit for bit). 64 floats at a time stay in
 * registers through the steps (a row unused for 300 steps takes 300 multiplies a float). */
RNN_SHORT_COPY_KERNEL
static void rmsprop_decay(const optim *o, float *restrict v, int n, int64_t from)
{
    enum { BLOCK = 64 };
    float rho = (float)o->cfg.rho;
    int64_t steps = o->iterations - from;
    for (int j = 0; steps > 0 && j < n; j += BLOCK) {
        float x[BLOCK] = {0};
        int m = n - j < BLOCK ? n - j : BLOCK;
        for (int i = 0; i < m; i++)
            x[i] = v[j + i];
        for (int64_t k = 0; k < steps; k++)
            for (int i = 0; i < BLOCK; i++)
                x[i] *= rho;
        for (int i = 0; i < m; i++)
            v[j + i] = x[i];
    }
}

typedef struct optim_rows_job {
    optim *o;
    float *w;
    const float *g;
    size_t off;
    int row_len;
    const int32_t *rows;
    long n_rows;
    int64_t *stamp;
} optim_rows_job;

/* Rows [a, b) of the job's list: each row's pending decays, then its update. */
static void optim_rows_part(void *ctx, int i, int n)
{
    const optim_rows_job *j = ctx;
    const optim *o = j->o;
    size_t a, b;
    rnn_parallel_range(i, n, (size_t)j->n_rows, 1, &a, &b);
    for (size_t k = a; k < b; k++) {
        size_t r = (size_t)j->rows[k], at = r * (size_t)j->row_len;
        rmsprop_decay(o, o->slot[0] + j->off + at, j->row_len, j->stamp[r]);
        rmsprop_update(j->o, j->w + at, j->g + at, j->off + at, (size_t)j->row_len);
        j->stamp[r] = o->iterations + 1;  /* current once this step is done */
    }
}

/* Rows are distinct and each row's update is its own, so the parts over the engine's threads give
 * the bits of one pass. */
void optim_update_rows(optim *o, float *w, const float *g, size_t off, int row_len, const int32_t *rows,
                       long n_rows, int64_t *stamp)
{
    optim_rows_job job = {o, w, g, off, row_len, rows, n_rows, stamp};
    size_t floats = (size_t)(n_rows > 0 ? n_rows : 0) * (size_t)row_len;
    rnn_parallel(rnn_parallel_parts(floats, OPTIM_MIN_PART_FLOATS), optim_rows_part, &job);
}

void optim_flush_rows(optim *o, size_t off, int row_len, size_t total_rows, int64_t *stamp)
{
    for (size_t r = 0; r < total_rows; r++) {
        rmsprop_decay(o, o->slot[0] + off + r * (size_t)row_len, row_len, stamp[r]);
        stamp[r] = o->iterations;
    }
}
