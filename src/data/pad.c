/* Keras's pad_sequences: fixed-length rows, padding and truncating 'pre' (default) or 'post'. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "data/data_internal.h"

int rnn_pad(const rnn_seqs *s, int maxlen, bool pad_post, bool trunc_post, int32_t value,
            rnn_imatrix *out, size_t *n_truncated, rnn_error *err)
{
    memset(out, 0, sizeof *out);
    size_t cols = maxlen > 0 ? (size_t)maxlen : 0, truncated = 0;
    if (maxlen <= 0) /* maxlen=None: the longest sequence */
        for (size_t i = 0; i < s->n; i++)
            if (s->off[i + 1] - s->off[i] > cols)
                cols = s->off[i + 1] - s->off[i];
    size_t cells = s->n * cols;
    if (cols && cells / cols != s->n)
        return rnn_fail(err, RNN_EUSAGE, "maxlen=%zu is too large for %zu sequences", cols, s->n);
    out->data = rnn_big_alloc((cells ? cells : 1) * sizeof *out->data);
    if (!out->data)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory padding %zu sequences to %zu", s->n, cols);
    out->rows = s->n;
    out->cols = cols;
    for (size_t i = 0; i < s->n; i++) {
        const int32_t *seq = s->ids + s->off[i];
        size_t len = s->off[i + 1] - s->off[i];
        int32_t *row = out->data + i * cols;
        if (len > cols) {
            truncated++;
            if (!trunc_post)
                seq += len - cols; /* 'pre' keeps the last maxlen ids */
            len = cols;
        }
        size_t pad = cols - len;
        int32_t *dst = pad_post ? row : row + pad;
        int32_t *fill = pad_post ? row + len : row;
        if (len)
            memcpy(dst, seq, len * sizeof *seq);
        for (size_t k = 0; k < pad; k++)
            fill[k] = value;
    }
    if (n_truncated)
        *n_truncated = truncated;
    return RNN_OK;
}
