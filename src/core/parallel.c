/* The engine's worker pool: rnn_parallel runs parts of one call on threads kept between calls. */
#include "config.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include "core/parallel.h"
#include "rnnlab/common.h"
#include "rnnlab/tensor.h"

/* Workers kept between calls: starting a thread and faulting its stack in again cost a one-text
 * predict tens of microseconds each call. A call hands parts 1..n-1 to the pool and runs part 0
 * itself. One call at a time: a call that finds the pool busy (nested: Bidirectional's directions
 * split their own rows; or another thread's) starts threads of its own, as a pool-less call would. */
typedef struct par_pool {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    int started;                /* workers running, at most RNN_PARALLEL_MAX - 1 */
    bool busy;                  /* a call owns the pool */
    unsigned long round;        /* bumped by each call handed to the workers */
    void (*fn)(void *ctx, int i, int n);
    void *ctx;
    int n, pending;             /* the call's parts, and those not finished */
} par_pool;

static par_pool pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
                        0, false, 0, NULL, NULL, 0, 0};

typedef struct par_worker {
    int part;                   /* the part this worker runs: 1.. */
} par_worker;

static void *par_worker_main(void *arg)
{
    int part = ((par_worker *)arg)->part;
    free(arg);
    unsigned long seen = 0;
    pthread_mutex_lock(&pool.mu);
    for (;;) {
        while (pool.round == seen)
            pthread_cond_wait(&pool.go, &pool.mu);
        seen = pool.round;
        if (part >= pool.n)
            continue;
        void (*fn)(void *, int, int) = pool.fn;
        void *ctx = pool.ctx;
        int n = pool.n;
        pthread_mutex_unlock(&pool.mu);
        fn(ctx, part, n);
        pthread_mutex_lock(&pool.mu);
        if (--pool.pending == 0)
            pthread_cond_signal(&pool.done);
    }
    return NULL;
}

/* A forked child has none of the workers: it starts with an empty pool. */
static void par_pool_forget(void)
{
    pthread_mutex_init(&pool.mu, NULL);
    pthread_cond_init(&pool.go, NULL);
    pthread_cond_init(&pool.done, NULL);
    pool.started = 0;
    pool.busy = false;
}

static void par_pool_at_fork(void) { pthread_atfork(NULL, NULL, par_pool_forget); }

/* Starts workers up to parts 1..n-1 (pool.mu held); returns how many parts the pool can take. */
static int par_pool_grow(int n)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, par_pool_at_fork);
    while (pool.started < n - 1) {
        par_worker *w = malloc(sizeof *w);
        pthread_t tid;
        if (!w)
            break;
        w->part = pool.started + 1;
        if (pthread_create(&tid, NULL, par_worker_main, w) != 0) {
            free(w);
            break;
        }
        pthread_detach(tid);
        pool.started++;
    }
    return pool.started + 1;
}

/* Runs the call on the pool; false when it is busy or cannot have workers enough (nothing ran). */
static bool par_pool_run(int n, void (*fn)(void *ctx, int i, int n), void *ctx)
{
    pthread_mutex_lock(&pool.mu);
    if (pool.busy || par_pool_grow(n) < n) {
        pthread_mutex_unlock(&pool.mu);
        return false;
    }
    pool.busy = true;
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    pool.pending = n - 1;
    pool.round++;
    pthread_cond_broadcast(&pool.go);
    pthread_mutex_unlock(&pool.mu);
    fn(ctx, 0, n);
    pthread_mutex_lock(&pool.mu);
    while (pool.pending > 0)
        pthread_cond_wait(&pool.done, &pool.mu);
    pool.busy = false;
    pthread_mutex_unlock(&pool.mu);
    return true;
}

typedef struct par_job {
    void (*fn)(void *ctx, int i, int n);
    void *ctx;
    int i, n;
} par_job;

static void *par_run(void *arg)
{
    par_job *j = arg;
    j->fn(j->ctx, j->i, j->n);
    return NULL;
}

/* The call on threads of its own, started and joined here. */
static void par_threads_run(int n, void (*fn)(void *ctx, int i, int n), void *ctx)
{
    pthread_t tid[RNN_PARALLEL_MAX];
    par_job jobs[RNN_PARALLEL_MAX];
    bool started[RNN_PARALLEL_MAX] = {false};
    for (int i = 1; i < n; i++) {
        jobs[i] = (par_job){fn, ctx, i, n};
        started[i] = pthread_create(&tid[i], NULL, par_run, &jobs[i]) == 0;
    }
    fn(ctx, 0, n);
    for (int i = 1; i < n; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fn(ctx, i, n);  /* no thread: same work, same result, on the caller */
    }
}

void rnn_parallel(int n, void (*fn)(void *ctx, int i, int n), void *ctx)
{
    if (n <= 1) {
        fn(ctx, 0, 1);
        return;
    }
    if (n > RNN_PARALLEL_MAX)
        n = RNN_PARALLEL_MAX;
    rnn_blas_threads(1);  /* each part calls sgemm on its own share */
    if (!par_pool_run(n, fn, ctx))
        par_threads_run(n, fn, ctx);
    rnn_blas_threads(rnn_get_threads());
}


int rnn_parallel_parts(size_t work, size_t min_work)
{
    int n = rnn_get_threads();
    if (n > RNN_PARALLEL_MAX)
        n = RNN_PARALLEL_MAX;
    while (n > 1 && work / (size_t)n < min_work)
        n--;
    return n < 1 ? 1 : n;
}

void rnn_parallel_range(int i, int n, size_t total, size_t align, size_t *a, size_t *b)
{
    size_t part = (total + (size_t)n - 1) / (size_t)n;
    if (align > 1)
        part = (part + align - 1) / align * align;
    size_t lo = part * (size_t)i, hi = lo + part;
    *a = lo < total ? lo : total;
    *b = hi < total ? hi : total;
}
