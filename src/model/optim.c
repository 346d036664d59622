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
#include <pthread.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "rnnlab/tensor.h"
#include "model/train_internal.h"
#include "core/vector_kernel.h"

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
        return rnn_fail(err, RNN_EUSAGE, "%s=%g is out of range: expected a number in %s%g, %g]", name,
                        v, lo_open ? "(" : "[", lo, hi);
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
        return rnn_fail(err, RNN_EUSAGE, "optimizer='%s' is unknown (expected adam, rmsprop or sgd)",
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
        return rnn_fail(err, RNN_EUSAGE, "beta_1 and beta_2 must be below 1");
    if (c->clipnorm > 0 && c->clipvalue > 0) /* as Keras: "Only one of clipnorm, clipvalue ... can be set" */
        return rnn_fail(err, RNN_EUSAGE, "only one of clipnorm and clipvalue can be set");
    if (c->nesterov && c->kind != OPTIM_SGD)
        return rnn_fail(err, RNN_EUSAGE, "nesterov applies to optimizer=sgd only");
    if (c->kind == OPTIM_ADAM && !isnan(o->momentum) && o->momentum != 0)
        return rnn_fail(err, RNN_EUSAGE, "momentum does not apply to optimizer=adam");
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

/* The adaptive kernels run four lanes at a time with SSE where available: the Embedding of a seed
 * model is 1.3M floats updated at every step, and -O2 keeps sqrtf scalar (errno). SSE's add, mul,
 * div and sqrt are IEEE-exact like the scalar code, in the same order, so both paths give the
 * same bits. */

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
    size_t i = 0;
#ifdef __SSE2__
    if (!mom) {
        __m128 vlr = _mm_set1_ps(lr), vrho = _mm_set1_ps(rho), vone = _mm_set1_ps(one_rho),
               veps = _mm_set1_ps(eps);
        for (; i + 4 <= n; i += 4) {
            __m128 gi = _mm_loadu_ps(g + i);
            __m128 vi = _mm_add_ps(_mm_mul_ps(vrho, _mm_loadu_ps(v + i)), _mm_mul_ps(vone, _mm_mul_ps(gi, gi)));
            _mm_storeu_ps(v + i, vi);
            __m128 inc = _mm_div_ps(_mm_mul_ps(vlr, gi), _mm_sqrt_ps(_mm_add_ps(vi, veps)));
            _mm_storeu_ps(w + i, _mm_sub_ps(_mm_loadu_ps(w + i), inc));
        }
    }
#endif
    for (; i < n; i++) {
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

static void optim_update_range(optim *o, float *w, const float *g, size_t off, size_t n)
{
    switch (o->cfg.kind) {
    case OPTIM_SGD: sgd_update(o, w, g, off, n); break;
    case OPTIM_RMSPROP: rmsprop_update(o, w, g, off, n); break;
    case OPTIM_ADAM: adam_update(o, w, g, off, n); break;
    }
}

typedef struct optim_job {
    optim *o;
    float *w;
    const float *g;
    size_t off, n;
} optim_job;

static void *optim_job_run(void *arg)
{
    optim_job *j = arg;
    optim_update_range(j->o, j->w, j->g, j->off, j->n);
    return NULL;
}

/* Big variables are split over the engine's threads (element-wise: the result does not depend on
 * the split). */
void optim_update(optim *o, float *w, const float *g, size_t off, size_t n)
{
    enum { MIN_CHUNK = 1 << 16, MAX_THREADS = 16 };
    int nt = rnn_get_threads();
    if (nt > MAX_THREADS)
        nt = MAX_THREADS;
    if ((size_t)nt > n / MIN_CHUNK)
        nt = (int)(n / MIN_CHUNK);
    if (nt <= 1) {
        optim_update_range(o, w, g, off, n);
        return;
    }
    pthread_t tid[MAX_THREADS];
    optim_job job[MAX_THREADS];
    size_t chunk = (n + nt - 1) / nt;
    chunk = (chunk + 15) & ~(size_t)15; /* whole cache lines per thread */
    int started = 0;
    for (int t = 0; t < nt; t++) {
        size_t a = (size_t)t * chunk, b = a + chunk < n ? a + chunk : n;
        if (a >= n)
            break;
        job[t] = (optim_job){o, w + a, g + a, off + a, b - a};
        /* chunk 0, and any chunk whose thread cannot start, runs on this thread below */
        if (t > 0 && pthread_create(&tid[t], NULL, optim_job_run, &job[t]) == 0)
            started |= 1 << t;
    }
    for (int t = 0; t < nt; t++)
        if (!(started & (1 << t)) && (size_t)t * chunk < n)
            optim_job_run(&job[t]);
    for (int t = 1; t < nt; t++)
        if (started & (1 << t))
            pthread_join(tid[t], NULL);
}

void optim_step_done(optim *o) { o->iterations++; }

bool optim_rows_exact(const optim *o)
{
    return o->cfg.kind == OPTIM_RMSPROP && o->n_slots == 1;  /* no momentum slot */
}

/* v[n] *= rho once per step from `from` to the current iteration: what the dense update does to a
 * row without gradient (rho v + (1 - rho) 0^2 is rho v, bit for bit). */
RNN_VECTOR_KERNEL
static void rmsprop_decay(const optim *o, float *restrict v, int n, int64_t from)
{
    float rho = (float)o->cfg.rho;
    for (int64_t k = from; k < o->iterations; k++)
        for (int j = 0; j < n; j++)
            v[j] = rho * v[j];
}

void optim_update_rows(optim *o, float *w, const float *g, size_t off, int row_len, const int32_t *rows,
                       long n_rows, int64_t *stamp)
{
    for (long i = 0; i < n_rows; i++) {
        size_t r = (size_t)rows[i], at = r * (size_t)row_len;
        rmsprop_decay(o, o->slot[0] + off + at, row_len, stamp[r]);
        rmsprop_update(o, w + at, g + at, off + at, (size_t)row_len);
        stamp[r] = o->iterations + 1;  /* current once this step is done */
    }
}

void optim_flush_rows(optim *o, size_t off, int row_len, size_t total_rows, int64_t *stamp)
{
    for (size_t r = 0; r < total_rows; r++) {
        rmsprop_decay(o, o->slot[0] + off + r * (size_t)row_len, row_len, stamp[r]);
        stamp[r] = o->iterations;
    }
}
