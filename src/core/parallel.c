/* The engine's worker pool: rnn_parallel runs parts of one call on threads kept between calls. */
#include "config.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "core/parallel.h"
#include "rnnlab/common.h"
#include "rnnlab/tensor.h"

/* Workers kept between calls: starting a thread and faulting its stack in again cost a one-text
 * predict tens of microseconds each call. A call hands parts 1..n-1 to the pool and runs part 0
 * itself. One call at a time: a call that finds the pool busy (nested: Bidirectional's directions
 * split their own rows; or another thread's) starts threads of its own, as a pool-less call would.
 *
 * Waking a thread asleep on a condition variable costs 50-65 us on a virtual machine whose idle CPUs
 * halt (rnn_parallel with empty parts, measured), more than many calls' work. So a worker that has
 * run a part watches for the next call for PAR_SPIN_NS before it sleeps, and the caller watches for
 * the parts' end as long before it sleeps: the calls of a batch, microseconds apart, then wake no
 * one. A call's fn, ctx and n are published as a sequence lock: round is odd while the caller
 * writes them, even once they are whole; a worker reads them and reads round again, and takes them
 * only if round did not move (a worker left out of a call, part >= n, is not waited for, so it may
 * still be reading when the next call writes). The condition variables remain for sleepers: a call
 * wakes workers only when some sleep, a worker wakes the caller only when it sleeps; each side says
 * it sleeps before it looks once more, with sequentially consistent atomics and fences, so one of
 * the two always sees the other. */
enum { PAR_SPIN_NS = 100000 };

typedef void (*par_fn)(void *ctx, int i, int n);

typedef struct par_pool {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    int started;                /* workers running, at most RNN_PARALLEL_MAX - 1 */
    bool busy;                  /* a call owns the pool (under mu) */
    atomic_ulong round;         /* 2 per call: odd while fn, ctx, n are written */
    _Atomic(par_fn) fn;
    _Atomic(void *) ctx;
    atomic_int n;
    atomic_int pending;         /* the call's parts on workers not finished */
    atomic_int sleepers;        /* workers asleep on go, or about to be */
    atomic_bool caller_sleeps;  /* the caller asleep on done, or about to be */
} par_pool;

static par_pool pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER,
                        .done = PTHREAD_COND_INITIALIZER};  /* the rest zero: no call, no worker */

/* Workers that watch for calls: one fewer than the online CPUs (the caller has one), so that more
 * workers than CPUs (--threads above the core count) sleep rather than take the CPUs from those
 * with work. Set when the first worker starts. */
static int par_watchers;

typedef struct par_worker {
    int part;                   /* the part this worker runs: 1.. */
    unsigned long seen;         /* the round when it started */
} par_worker;

static long long par_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* One look of a watch begun at `start` found nothing: pauses, and tells whether the watch is over
 * (PAR_SPIN_NS gone; the clock is read every 64th look). */
static bool par_watch_over(unsigned look, long long start)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    return look % 64 == 0 && par_now_ns() - start > PAR_SPIN_NS;
}

/* The round of the first call published after round `seen`: watched for PAR_SPIN_NS (by a worker
 * that watches), then waited for asleep. */
static unsigned long par_next_round(unsigned long seen, bool watch)
{
    long long start = watch ? par_now_ns() : 0;
    for (unsigned k = 1; watch; k++) {
        unsigned long r = atomic_load_explicit(&pool.round, memory_order_acquire);
        if (r != seen && r % 2 == 0)
            return r;
        if (par_watch_over(k, start))
            break;
    }
    pthread_mutex_lock(&pool.mu);
    atomic_fetch_add(&pool.sleepers, 1);
    unsigned long r;
    while ((r = atomic_load(&pool.round)) == seen || r % 2)
        pthread_cond_wait(&pool.go, &pool.mu);
    atomic_fetch_sub(&pool.sleepers, 1);
    pthread_mutex_unlock(&pool.mu);
    return r;
}

static void *par_worker_main(void *arg)
{
    par_worker *w = arg;
    int part = w->part;
    unsigned long seen = w->seen;
    bool watch = part <= par_watchers;
    free(w);
    for (;;) {
        unsigned long r = par_next_round(seen, watch);
        par_fn fn = atomic_load_explicit(&pool.fn, memory_order_relaxed);
        void *ctx = atomic_load_explicit(&pool.ctx, memory_order_relaxed);
        int n = atomic_load_explicit(&pool.n, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&pool.round, memory_order_relaxed) != r)
            continue;  /* the next call was being written: read it again */
        seen = r;
        if (part >= n)
            continue;
        fn(ctx, part, n);
        if (atomic_fetch_sub(&pool.pending, 1) == 1 && atomic_load(&pool.caller_sleeps)) {
            pthread_mutex_lock(&pool.mu);
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.mu);
        }
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
    atomic_store(&pool.pending, 0);
    atomic_store(&pool.sleepers, 0);
    atomic_store(&pool.caller_sleeps, false);
}

static void par_pool_at_fork(void) { pthread_atfork(NULL, NULL, par_pool_forget); }

/* Starts workers up to parts 1..n-1 (pool.mu held, no call running); returns how many parts the
 * pool can take. */
static int par_pool_grow(int n)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, par_pool_at_fork);
    if (!par_watchers) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        par_watchers = cpus > 1 ? (int)(cpus - 1 < RNN_PARALLEL_MAX ? cpus - 1 : RNN_PARALLEL_MAX) : -1;
    }
    while (pool.started < n - 1) {
        par_worker *w = malloc(sizeof *w);
        pthread_t tid;
        if (!w)
            break;
        w->part = pool.started + 1;
        w->seen = atomic_load(&pool.round);
        if (pthread_create(&tid, NULL, par_worker_main, w) != 0) {
            free(w);
            break;
        }
        pthread_detach(tid);
        pool.started++;
    }
    return pool.started + 1;
}

/* Publishes the call to the workers and wakes those asleep. */
static void par_pool_publish(int n, par_fn fn, void *ctx)
{
    unsigned long r = atomic_load_explicit(&pool.round, memory_order_relaxed);
    atomic_store_explicit(&pool.round, r + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&pool.fn, fn, memory_order_relaxed);
    atomic_store_explicit(&pool.ctx, ctx, memory_order_relaxed);
    atomic_store_explicit(&pool.n, n, memory_order_relaxed);
    atomic_store(&pool.pending, n - 1);
    atomic_store_explicit(&pool.round, r + 2, memory_order_release);
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.mu);
        pthread_cond_broadcast(&pool.go);
        pthread_mutex_unlock(&pool.mu);
    }
}

/* Waits for the workers' parts of the call: watching for PAR_SPIN_NS when every worker of the call
 * has a CPU of its own (watch), then asleep. */
static void par_pool_wait(bool watch)
{
    long long start = watch ? par_now_ns() : 0;
    for (unsigned k = 1; watch; k++) {
        if (atomic_load_explicit(&pool.pending, memory_order_acquire) == 0)
            return;
        if (par_watch_over(k, start))
            break;
    }
    pthread_mutex_lock(&pool.mu);
    atomic_store(&pool.caller_sleeps, true);
    while (atomic_load(&pool.pending) > 0)
        pthread_cond_wait(&pool.done, &pool.mu);
    atomic_store(&pool.caller_sleeps, false);
    pthread_mutex_unlock(&pool.mu);
}

/* Runs the call on the pool; false when it is busy or cannot have workers enough (nothing ran).
 * Workers whose part is n or more skip the call. */
static bool par_pool_run(int n, par_fn fn, void *ctx)
{
    pthread_mutex_lock(&pool.mu);
    if (pool.busy || par_pool_grow(n) < n) {
        pthread_mutex_unlock(&pool.mu);
        return false;
    }
    pool.busy = true;
    pthread_mutex_unlock(&pool.mu);
    par_pool_publish(n, fn, ctx);
    fn(ctx, 0, n);
    par_pool_wait(n - 1 <= par_watchers);
    pthread_mutex_lock(&pool.mu);
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
    if (n > RNN_PARALLEL_MAX)
        n = RNN_PARALLEL_MAX;
    int blas = rnn_blas_get_threads();  /* 1 in a nested call */
    rnn_blas_threads(1);  /* each part calls sgemm on its own share */
    if (n <= 1)
        fn(ctx, 0, 1);
    else if (!par_pool_run(n, fn, ctx))
        par_threads_run(n, fn, ctx);
    rnn_blas_threads(blas);
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
