/* Keras's pad_sequences: fixed-length rows, padding and truncating 'pre' (default) or 'post'. */
#include "config.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/memory.h"
#include "data/data_internal.h"

typedef struct pad_job {
    const rnn_seqs *s;
    rnn_imatrix *out;
    size_t begin, end, truncated;
    bool pad_post, trunc_post;
    int32_t value;
} pad_job;

/* Rows [begin, end): threads split the rows because first-touch page faults of a large output
 * matrix cost more than the copying. */
static void *pad_rows(void *arg)
{
    pad_job *j = arg;
    size_t cols = j->out->cols;
    for (size_t i = j->begin; i < j->end; i++) {
        const int32_t *seq = j->s->ids + j->s->off[i];
        size_t len = j->s->off[i + 1] - j->s->off[i];
        int32_t *row = j->out->data + i * cols;
        if (len > cols) {
            j->truncated++;
            if (!j->trunc_post)
                seq += len - cols; /* 'pre' keeps the last maxlen ids */
            len = cols;
        }
        size_t pad = cols - len;
        int32_t *dst = j->pad_post ? row : row + pad;
        int32_t *fill = j->pad_post ? row + len : row;
        if (len)
            memcpy(dst, seq, len * sizeof *seq);
        for (size_t k = 0; k < pad; k++)
            fill[k] = j->value;
    }
    return NULL;
}

size_t rnn_seqs_longest(const rnn_seqs *s)
{
    size_t most = 0;
    for (size_t i = 0; s->off && i < s->n; i++)
        if (s->off[i + 1] - s->off[i] > most)
            most = s->off[i + 1] - s->off[i];
    return most;
}

int rnn_pad(const rnn_seqs *s, int maxlen, bool pad_post, bool trunc_post, int32_t value,
            rnn_imatrix *out, size_t *n_truncated, rnn_error *err)
{
    memset(out, 0, sizeof *out);
    size_t cols = maxlen > 0 ? (size_t)maxlen : rnn_seqs_longest(s); /* maxlen=None: the longest sequence */
    size_t cells = s->n * cols;
    if (cols && cells / cols != s->n)
        return rnn_fail(err, RNN_EUSAGE, "maxlen=%zu is too large for %zu sequences", cols, s->n);
    int rc = rnn_mem_check((uint64_t)cells * sizeof *out->data, 0, "lower maxlen", err,
                           "%zu sequences of %zu token ids", s->n, cols);
    if (rc)
        return rc;
    out->data = malloc((cells ? cells : 1) * sizeof *out->data);
    if (!out->data)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory padding %zu sequences to %zu", s->n, cols);
    rnn_populate(out->data, cells * sizeof *out->data);
    out->rows = s->n;
    out->cols = cols;
    int k = cells < ((size_t)1 << 20) ? 1 : rnn_get_threads();
    pad_job jobs[k];
    pthread_t tid[k];
    bool started[k];
    for (int i = 0; i < k; i++)
        jobs[i] = (pad_job){s, out, s->n * (size_t)i / (size_t)k, s->n * (size_t)(i + 1) / (size_t)k, 0,
                            pad_post, trunc_post, value};
    for (int i = 1; i < k; i++)
        started[i] = pthread_create(&tid[i], NULL, pad_rows, &jobs[i]) == 0;
    pad_rows(&jobs[0]);
    size_t truncated = jobs[0].truncated;
    for (int i = 1; i < k; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            pad_rows(&jobs[i]);
        truncated += jobs[i].truncated;
    }
    if (n_truncated)
        *n_truncated = truncated;
    return RNN_OK;
}

int rnn_prep_apply(const rnn_prep *p, const rnn_seqs *s, rnn_imatrix *out, size_t *n_truncated, rnn_error *err)
{
    return rnn_pad(s, p->maxlen, p->pad_post, p->trunc_post, p->value, out, n_truncated, err);
}
