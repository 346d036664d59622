/* Review lengths as Python's len(text.split()) and pandas' Series.describe() of them. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "data/data_internal.h"

size_t rnn_count_words(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = 0, len = strlen(text);
    bool in_word = false;
    for (size_t i = 0; i < len;) {
        bool space;
        if (s[i] < 0x80) {
            space = (s[i] >= 0x09 && s[i] <= 0x0D) || (s[i] >= 0x1C && s[i] <= 0x20);
            i++;
        } else {
            uint32_t cp;
            i += (size_t)rnn_utf8_decode(text + i, len - i, &cp);
            space = rnn_unicode_isspace(cp);
        }
        if (!space && !in_word)
            n++;
        in_word = !space;
    }
    return n;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* numpy's linear-method quantile of sorted v[n], including its _lerp rounding. */
static double quantile_linear(const double *v, size_t n, double q)
{
    double virt = (double)(n - 1) * q;
    double lo_f = floor(virt);
    size_t lo = lo_f < 0 ? 0 : (size_t)lo_f;
    size_t hi = lo + 1 < n ? lo + 1 : n - 1;
    if (lo > n - 1)
        lo = n - 1;
    double gamma = virt - lo_f, a = v[lo], b = v[hi], diff = b - a;
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

int rnn_describe_values(const double *v, size_t n, const double *pcts, int n_pct,
                        rnn_describe *out, rnn_error *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return rnn_fail(err, RNN_EDATA, "no values to describe (the data set is empty)");
    if (n_pct < 0 || n_pct > RNN_MAX_PERCENTILES)
        return rnn_fail(err, RNN_EUSAGE, "percentiles: at most %d", RNN_MAX_PERCENTILES);
    for (int i = 0; i < n_pct; i++)
        if (!(pcts[i] >= 0 && pcts[i] <= 1))
            return rnn_fail(err, RNN_EUSAGE, "percentiles: %g is not between 0 and 1", pcts[i]);
    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory describing %zu values", n);
    memcpy(sorted, v, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    double mean = sum / (double)n, sq = 0;
    for (size_t i = 0; i < n; i++)
        sq += (v[i] - mean) * (v[i] - mean);
    out->count = n;
    out->mean = mean;
    out->std = n > 1 ? sqrt(sq / (double)(n - 1)) : NAN; /* pandas: ddof=1, NaN for one value */
    out->min = sorted[0];
    out->max = sorted[n - 1];
    out->n_pct = n_pct;
    for (int i = 0; i < n_pct; i++) {
        out->pct[i] = pcts[i];
        /* pandas passes percentiles to numpy as q*100, which divides by 100 again. */
        out->value[i] = quantile_linear(sorted, n, pcts[i] * 100 / 100);
    }
    free(sorted);
    return RNN_OK;
}

int rnn_describe_lengths(char *const *texts, size_t n, const double *pcts, int n_pct,
                         rnn_describe *out, rnn_error *err)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory describing %zu texts", n);
    for (size_t i = 0; i < n; i++)
        v[i] = (double)rnn_count_words(texts[i]);
    int rc = rnn_describe_values(v, n, pcts, n_pct, out, err);
    free(v);
    return rc;
}
