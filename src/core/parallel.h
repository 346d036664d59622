/* The engine's worker pool. rnn_parallel(n, fn, ctx) runs fn(ctx, i, n) for parts i = 0..n-1: part 0
 * on the caller, the others on workers kept between calls; it returns when every part is done. The
 * parts call OpenBLAS single-threaded, n = 1 included (a call split in one part was judged too small
 * for threads, and OpenBLAS would thread its products from 2.6e5 multiply-adds itself), and find its
 * count as it was after. A call made while the pool is busy
 * (nested, or from another thread) runs on threads of its own: same parts, same results. Workers
 * watch for the next call for 0.1 ms after each part before they sleep: a call that finds them
 * watching costs well under a microsecond, one that must wake them tens. */
#ifndef RNNLAB_CORE_PARALLEL_H
#define RNNLAB_CORE_PARALLEL_H

#include <stddef.h>

enum { RNN_PARALLEL_MAX = 8 };  /* parts of one call, at most */

void rnn_parallel(int n, void (*fn)(void *ctx, int i, int n), void *ctx);

/* Parts worth making of `work` units of element-wise work (a float's update, a row's copy): the
 * engine's thread count, at most RNN_PARALLEL_MAX, and 1 below `min_work` a part, where handing a
 * part to a worker costs more than it saves. */
int rnn_parallel_parts(size_t work, size_t min_work);

/* [*a, *b): part i of n of the range [0, total), in order, the parts' sizes rounded to `align`
 * units (a cache line of floats: parts never write one line together). */
void rnn_parallel_range(int i, int n, size_t total, size_t align, size_t *a, size_t *b);

#endif
