/* The worker pool: every part of a call runs once, also when the pool is busy (nested calls, or
 * calls from two threads at once); the parts' count for an amount of work; the ranges the parts
 * share a length into. */
#include "config.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include "rnnlab/common.h"
#include "core/parallel.h"

#include "tests/check.h"

/* rnn_parallel: every part runs once per call, on the kept workers or, when they are busy (a call
 * from inside a part, or from another thread at the same time), on threads of its own. */
typedef struct par_count {
    int hits[8];
    int nested;                 /* parts of nested calls run */
    pthread_mutex_t mu;
} par_count;

static void par_nested_part(void *ctx, int i, int n)
{
    par_count *c = ctx;
    (void)i, (void)n;
    pthread_mutex_lock(&c->mu);
    c->nested++;
    pthread_mutex_unlock(&c->mu);
}

static void par_part(void *ctx, int i, int n)
{
    par_count *c = ctx;
    pthread_mutex_lock(&c->mu);
    c->hits[i]++;
    pthread_mutex_unlock(&c->mu);
    if (i == n - 1)
        rnn_parallel(3, par_nested_part, ctx);
}

static void *par_caller(void *arg)
{
    for (int k = 0; k < 200; k++)
        rnn_parallel(4, par_part, arg);
    return NULL;
}

static void test_parallel(void)
{
    par_count a = {.mu = PTHREAD_MUTEX_INITIALIZER}, b = {.mu = PTHREAD_MUTEX_INITIALIZER};
    pthread_t other;
    bool started = pthread_create(&other, NULL, par_caller, &b) == 0;
    par_caller(&a);
    if (started)
        pthread_join(other, NULL);
    for (int i = 0; i < 4; i++)
        CHECK(a.hits[i] == 200 && (!started || b.hits[i] == 200), "part %d ran %d and %d times of 200", i,
              a.hits[i], b.hits[i]);
    CHECK(a.nested == 600 && (!started || b.nested == 600), "nested calls: %d and %d parts of 600", a.nested,
          b.nested);
    for (int n = 1; n <= 8; n++) {  /* every width, the pool growing */
        par_count c = {.mu = PTHREAD_MUTEX_INITIALIZER};
        rnn_parallel(n, par_nested_part, &c);
        CHECK(c.nested == n, "%d parts: %d ran", n, c.nested);
    }
}

/* Calls of changing widths back to back (workers left out of one call must not run the next twice,
 * or miss it), and after pauses long enough for the workers to sleep: every part once a call. */
static void par_count_part(void *ctx, int i, int n)
{
    (void)n;
    __atomic_fetch_add(&((int *)ctx)[i], 1, __ATOMIC_RELAXED);
}

static void test_widths(void)
{
    int hits[RNN_PARALLEL_MAX] = {0}, expect[RNN_PARALLEL_MAX] = {0};
    for (int k = 0; k < 12000; k++) {
        int n = 1 + (k * 7 + k / 3) % 4;
        rnn_parallel(n, par_count_part, hits);
        for (int i = 0; i < n; i++)
            expect[i]++;
        if (k % 4000 == 3999) {
            struct timespec pause = {0, 300000000};  /* 0.3 s: the workers sleep */
            nanosleep(&pause, NULL);
        }
    }
    for (int i = 0; i < RNN_PARALLEL_MAX; i++)
        CHECK(hits[i] == expect[i], "part %d ran %d times of %d", i, hits[i], expect[i]);
}

/* Ranges cover [0, total) in order without overlap, aligned parts of `align` units but the last. */
static void test_ranges(void)
{
    static const size_t totals[] = {0, 1, 7, 16, 17, 100, 1000, 65537};
    static const size_t aligns[] = {1, 16};
    for (size_t t = 0; t < sizeof totals / sizeof *totals; t++)
        for (size_t al = 0; al < 2; al++)
            for (int n = 1; n <= RNN_PARALLEL_MAX; n++) {
                size_t next = 0, a, b;
                bool ok = true;
                for (int i = 0; i < n; i++) {
                    rnn_parallel_range(i, n, totals[t], aligns[al], &a, &b);
                    ok &= a == next && a <= b && b <= totals[t];
                    ok &= b == totals[t] || (b - a) % aligns[al] == 0;
                    next = b;
                }
                CHECK(ok && next == totals[t], "%zu in %d parts of %zu-unit alignment", totals[t], n,
                      aligns[al]);
            }
}

/* As many parts as threads while each keeps at least the minimum; one part below it. */
static void test_parts(void)
{
    rnn_set_threads(4);
    CHECK(rnn_parallel_parts(1000, 100) == 4, "1000 units at 100 a part on 4 threads: %d parts",
          rnn_parallel_parts(1000, 100));
    CHECK(rnn_parallel_parts(250, 100) == 2, "250 units at 100 a part: %d parts", rnn_parallel_parts(250, 100));
    CHECK(rnn_parallel_parts(99, 100) == 1, "99 units at 100 a part: %d parts", rnn_parallel_parts(99, 100));
    rnn_set_threads(12);
    CHECK(rnn_parallel_parts((size_t)1 << 30, 1) == RNN_PARALLEL_MAX, "12 threads: %d parts, at most %d",
          rnn_parallel_parts((size_t)1 << 30, 1), RNN_PARALLEL_MAX);
    rnn_set_threads(1);
    CHECK(rnn_parallel_parts((size_t)1 << 30, 1) == 1, "1 thread: %d parts", rnn_parallel_parts((size_t)1 << 30, 1));
}

int main(void)
{
    test_parallel();
    test_widths();
    test_ranges();
    test_parts();
    return check_finish("test_parallel");
}
