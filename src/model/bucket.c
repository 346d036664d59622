/* Length-aware batches: texts of similar length batched together, and each batch copied with just
 * the steps its texts need (the steps that are padding in every row of it left out). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/tensor.h"
#include "model/train_internal.h"

/* Steps [*lo, *hi) of one text that lie between its first and last token (id != 0). */
static void bucket_row_span(const int32_t *row, int T, int *lo, int *hi)
{
    int a = 0, b = T;
    while (a < T && row[a] == 0)
        a++;
    while (b > a && row[b - 1] == 0)
        b--;
    *lo = a;
    *hi = b;
}

int bucket_text_length(const int32_t *row, int T)
{
    int lo, hi;
    bucket_row_span(row, T, &lo, &hi);
    return hi - lo;
}

int batch_gather(const int32_t *x, const int *y, int T, const size_t *rows, size_t start, int B, bool trim,
                 int32_t *xb, int *yb)
{
    int lo = 0, hi = T;
    if (trim) {
        lo = T;
        hi = 0;
        for (int b = 0; b < B; b++) {
            size_t r = rows ? rows[start + b] : start + b;
            int a, e;
            bucket_row_span(x + r * T, T, &a, &e);
            if (a < e) {
                lo = a < lo ? a : lo;
                hi = e > hi ? e : hi;
            }
        }
        if (lo >= hi) { /* only padding: one step of it (masked, as all the others were) */
            lo = T - 1;
            hi = T;
        }
    }
    int Tb = hi - lo;
    for (int b = 0; b < B; b++) {
        size_t r = rows ? rows[start + b] : start + b;
        memcpy(xb + (size_t)b * Tb, x + r * T + lo, (size_t)Tb * sizeof *xb);
        if (yb)
            yb[b] = y[r];
    }
    return Tb;
}

typedef struct bucket_key {
    int len;
    size_t pos, row;
} bucket_key;

static int bucket_key_cmp(const void *a, const void *b)
{
    const bucket_key *p = a, *q = b;
    if (p->len != q->len)
        return p->len < q->len ? -1 : 1;
    return p->pos < q->pos ? -1 : p->pos > q->pos;
}

int bucket_plan_init(bucket_plan *p, const int32_t *x, size_t n, int T, int batch_size, rnn_error *err)
{
    memset(p, 0, sizeof *p);
    size_t window = (size_t)batch_size * BUCKET_WINDOW_BATCHES;
    p->window = window < n ? window : n;
    p->cap_batches = (n + (size_t)batch_size - 1) / (size_t)batch_size + (n / (p->window ? p->window : 1)) + 1;
    p->len = malloc((n ? n : 1) * sizeof *p->len);
    p->keys = malloc((p->window ? p->window : 1) * sizeof *p->keys);
    p->batch = malloc(p->cap_batches * sizeof *p->batch);
    if (!p->len || !p->keys || !p->batch) {
        bucket_plan_free(p);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory for the length-aware batches of %zu texts", n);
    }
    for (size_t i = 0; i < n; i++)
        p->len[i] = bucket_text_length(x + i * (size_t)T, T);
    return RNN_OK;
}

void bucket_plan_free(bucket_plan *p)
{
    free(p->len);
    free(p->keys);
    free(p->batch);
    memset(p, 0, sizeof *p);
}

uint64_t bucket_plan_bytes(size_t n, int batch_size)
{
    size_t window = (size_t)batch_size * BUCKET_WINDOW_BATCHES;
    window = window < n ? window : n;
    return (uint64_t)n * sizeof(int) + (uint64_t)window * sizeof(bucket_key) +
           ((uint64_t)n / (uint64_t)batch_size + n / (window ? window : 1) + 2) * sizeof(bucket_batch);
}

/* idx[0..n) sorted by text length, stable (ties keep their order). */
static void bucket_sort(bucket_plan *p, size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p->keys[i] = (bucket_key){p->len[idx[i]], i, idx[i]};
    qsort(p->keys, n, sizeof *p->keys, bucket_key_cmp);
    for (size_t i = 0; i < n; i++)
        idx[i] = p->keys[i].row;
}

/* idx[0..B) sorted by length (ascending) rearranged so that the lengths rise then fall: the even
 * places first, ascending, then the odd ones, descending. The rows a step computes, those long
 * enough to be live, stay one run (in the whole batch and in any contiguous part of it), and the
 * recurrent layers' two halves of a batch get as much work each, not the short texts one and the
 * long ones the other. tmp holds B entries. */
static void bucket_rise_then_fall(size_t *idx, size_t B, size_t *tmp)
{
    size_t up = (B + 1) / 2;
    for (size_t i = 0; i < B; i++)
        tmp[i] = idx[i];
    for (size_t i = 0; i < up; i++)
        idx[i] = tmp[2 * i];
    for (size_t i = 0; i < B / 2; i++)
        idx[up + i] = tmp[2 * (B / 2 - 1 - i) + 1];
}

void bucket_order_batches(size_t *idx, size_t n, int batch_size, size_t *tmp)
{
    for (size_t s = 0; s < n; s += (size_t)batch_size)
        bucket_rise_then_fall(idx + s, n - s < (size_t)batch_size ? n - s : (size_t)batch_size, tmp);
}

void bucket_plan_epoch(bucket_plan *p, size_t *idx, size_t n, int batch_size, rnn_rng *rng)
{
    p->n_batches = 0;
    for (size_t w0 = 0; w0 < n; w0 += p->window) {
        size_t wn = n - w0 < p->window ? n - w0 : p->window;
        bucket_sort(p, idx + w0, wn);
        /* the sort's keys, done with, hold the batch being reordered (a key is three words) */
        bucket_order_batches(idx + w0, wn, batch_size, (size_t *)p->keys);
        for (size_t s = 0; s < wn; s += (size_t)batch_size)
            p->batch[p->n_batches++] = (bucket_batch){w0 + s, (int)(wn - s < (size_t)batch_size ? wn - s
                                                                    : (size_t)batch_size)};
    }
    for (size_t i = p->n_batches; rng && i > 1; i--) { /* Fisher-Yates on the batch order */
        size_t j = (size_t)rnn_rng_uint(rng, i);
        bucket_batch t = p->batch[i - 1];
        p->batch[i - 1] = p->batch[j];
        p->batch[j] = t;
    }
}

size_t *bucket_order_by_length(const int32_t *x, int T, const size_t *rows, size_t n, int batch_size,
                               rnn_error *err)
{
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    bucket_key *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!idx || !keys) {
        free(idx);
        free(keys);
        rnn_fail(err, RNN_EINTERNAL, "out of memory to order %zu texts by length", n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i;
        keys[i] = (bucket_key){bucket_text_length(x + r * (size_t)T, T), i, r};
    }
    qsort(keys, n, sizeof *keys, bucket_key_cmp);
    size_t bs = batch_size > 0 ? (size_t)batch_size : n, pos = 0;
    /* the longest batch first, the shortest (the one left short, if any) last; the keys of the
     * longest, once copied, hold each batch being reordered */
    size_t *tmp = (size_t *)(keys + (n > bs ? n - bs : 0));
    for (size_t hi = n; hi > 0;) {
        size_t lo = hi > bs ? hi - bs : 0;
        for (size_t i = lo; i < hi; i++)
            idx[pos++] = keys[i].row;
        if (batch_size > 0)
            bucket_order_batches(idx + pos - (hi - lo), hi - lo, batch_size, tmp);
        hi = lo;
    }
    free(keys);
    return idx;
}

uint64_t bucket_order_bytes(size_t n)
{
    return (uint64_t)n * (sizeof(size_t) + sizeof(bucket_key));
}
