/* Classification metrics: Keras's running training metrics (accuracy, precision, recall, auc),
 * scikit-learn's classification_report, the confusion matrix and exact ROC AUC. */
#include "config.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rnnlab/metrics.h"
#include "rnnlab/text.h"
#include "model/train_internal.h"

/* ---- running metrics ---- */

int metric_parse(const char *name, metric_kind *kind, char hist_name[32], rnn_error *err)
{
    /* Keras names the history entry after the string given: 'acc' stays 'acc'; the accuracy classes'
     * names (BinaryAccuracy() is 'binary_accuracy') are the same accuracy for the model's loss. */
    static const struct { const char *in, *hist; metric_kind k; } names[] = {
        {"accuracy", "accuracy", METRIC_ACCURACY}, {"acc", "acc", METRIC_ACCURACY},
        {"binary_accuracy", "binary_accuracy", METRIC_ACCURACY},
        {"categorical_accuracy", "categorical_accuracy", METRIC_ACCURACY},
        {"sparse_categorical_accuracy", "sparse_categorical_accuracy", METRIC_ACCURACY},
        {"precision", "precision", METRIC_PRECISION}, {"recall", "recall", METRIC_RECALL},
        {"auc", "auc", METRIC_AUC},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(name, names[i].in)) {
            *kind = names[i].k;
            snprintf(hist_name, 32, "%s", names[i].hist);
            return RNN_OK;
        }
    return rnn_fail(err, RNN_EUSAGE, "metrics: '%s' is unknown (expected accuracy, acc, binary_accuracy, "
                    "categorical_accuracy, sparse_categorical_accuracy, precision, recall or auc)", name);
}

void metric_acc_reset(metric_acc *a) { memset(a, 0, sizeof *a); }

/* Keras AUC's thresholds: -eps, i/199 for i = 1..198, 1+eps (compared in float32). */
static const float *auc_thresholds(void)
{
    static float thr[METRIC_AUC_THRESHOLDS];
    static bool ready;
    if (!ready) {
        thr[0] = (float)(0.0 - 1e-7);
        for (int i = 1; i < METRIC_AUC_THRESHOLDS - 1; i++)
            thr[i] = (float)(i * 1.0 / (METRIC_AUC_THRESHOLDS - 1));
        thr[METRIC_AUC_THRESHOLDS - 1] = (float)(1.0 + 1e-7);
        ready = true;
    }
    return thr;
}

/* How many thresholds p exceeds (p > t), 0..200; thresholds ascend. */
static int auc_count_above(const float *thr, float p)
{
    int lo = 0, hi = METRIC_AUC_THRESHOLDS; /* answer in [lo, hi] */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (p > thr[mid])
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* One binary decision: score p for an item whose truth is `pos`. */
static void metric_acc_binary(metric_acc *a, const float *thr, float p, bool pos, double w, bool track_auc)
{
    bool pred = p > 0.5f;
    a->tp += pred && pos ? w : 0;
    a->fp += pred && !pos ? w : 0;
    a->fn += !pred && pos ? w : 0;
    if (track_auc) {
        int c = auc_count_above(thr, p);
        if (pos)
            a->above_pos[c] += w;
        else
            a->above_neg[c] += w;
    }
}

void metric_acc_update(metric_acc *a, const float *probs, const int *y, const float *sw, int B, int K,
                       double batch_loss, bool track_auc)
{
    const float *thr = track_auc ? auc_thresholds() : NULL;
    a->loss_sum += batch_loss * B;
    a->n += (size_t)B;
    for (int b = 0; b < B; b++) {
        const float *p = probs + (size_t)b * K;
        double w = sw ? sw[b] : 1.0;
        a->weight += w;
        if (K == 1) {
            a->correct += (p[0] > 0.5f) == (y[b] == 1) ? w : 0;
            metric_acc_binary(a, thr, p[0], y[b] == 1, w, track_auc);
            continue;
        }
        int best = 0; /* argmax, first index on ties */
        for (int k = 1; k < K; k++)
            if (p[k] > p[best])
                best = k;
        a->correct += best == y[b] ? w : 0;
        /* Keras's precision/recall/auc on a K-way output compare every output with its one-hot
         * target (all entries pooled). */
        for (int k = 0; k < K; k++)
            metric_acc_binary(a, thr, p[k], y[b] == k, w, track_auc);
    }
}

double metric_acc_loss(const metric_acc *a) { return a->n ? a->loss_sum / a->n : NAN; }

static double div_no_nan(double x, double y) { return y == 0 ? 0 : x / y; }

/* Keras AUC(curve='ROC', summation_method='interpolation', num_thresholds=200). */
static double metric_auc(const metric_acc *a)
{
    double tpr[METRIC_AUC_THRESHOLDS], fpr[METRIC_AUC_THRESHOLDS];
    double P = 0, N = 0;
    for (int c = 0; c <= METRIC_AUC_THRESHOLDS; c++) {
        P += a->above_pos[c];
        N += a->above_neg[c];
    }
    double tp = P, fp = N; /* items above threshold i: those exceeding more than i thresholds */
    for (int i = 0; i < METRIC_AUC_THRESHOLDS; i++) {
        tp -= a->above_pos[i];
        fp -= a->above_neg[i];
        tpr[i] = div_no_nan(tp, P);
        fpr[i] = div_no_nan(fp, N);
    }
    double auc = 0;
    for (int i = 0; i < METRIC_AUC_THRESHOLDS - 1; i++)
        auc += (fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2;
    return auc;
}

double metric_acc_value(const metric_acc *a, metric_kind k)
{
    switch (k) {
    case METRIC_ACCURACY: return a->n ? div_no_nan(a->correct, a->weight) : NAN;
    case METRIC_PRECISION: return div_no_nan(a->tp, a->tp + a->fp);
    case METRIC_RECALL: return div_no_nan(a->tp, a->tp + a->fn);
    case METRIC_AUC: return metric_auc(a);
    }
    return NAN;
}

/* ---- scikit-learn classification_report ---- */

int rnn_classification_report(const int *y_true, const int *y_pred, size_t n, int n_classes,
                              rnn_class_report *out, rnn_error *err)
{
    if (n_classes < 1 || n_classes > 64)
        return rnn_fail(err, RNN_EUSAGE, "%d classes (expected 1..64)", n_classes);
    memset(out, 0, sizeof *out);
    out->n_classes = n_classes;
    for (size_t i = 0; i < n; i++) {
        if (y_true[i] < 0 || y_true[i] >= n_classes || y_pred[i] < 0 || y_pred[i] >= n_classes)
            return rnn_fail(err, RNN_EDATA, "label %d or prediction %d of example %zu is not a "
                            "class in 0..%d", y_true[i], y_pred[i], i, n_classes - 1);
        out->confusion[y_true[i]][y_pred[i]]++;
    }
    size_t correct = 0;
    for (int c = 0; c < n_classes; c++) {
        size_t tp = out->confusion[c][c], pred = 0, sup = 0;
        for (int k = 0; k < n_classes; k++) {
            pred += out->confusion[k][c];
            sup += out->confusion[c][k];
        }
        correct += tp;
        /* zero_division: 0.0, as sklearn's default ("warn") reports it */
        double p = pred ? (double)tp / pred : 0, r = sup ? (double)tp / sup : 0;
        out->precision[c] = p;
        out->recall[c] = r;
        out->f1[c] = p + r > 0 ? 2 * p * r / (p + r) : 0;
        out->support[c] = sup;
        out->macro_p += p / n_classes;
        out->macro_r += r / n_classes;
        out->macro_f1 += out->f1[c] / n_classes;
        if (n) {
            out->weighted_p += p * sup / n;
            out->weighted_r += r * sup / n;
            out->weighted_f1 += out->f1[c] * sup / n;
        }
    }
    out->total = n;
    out->accuracy = n ? (double)correct / n : 0;
    return RNN_OK;
}

/* name right-aligned in width terminal columns (%*s would count bytes: accents, CJK). */
static void sb_name(rnn_strbuf *b, int width, const char *name)
{
    int pad = width - (int)rnn_utf8_width(name);
    rnn_strbuf_printf(b, "%*s%s", pad > 0 ? pad : 0, "", name);
}

/* sklearn: width = max(longest name, len("weighted avg"), digits); header "{:>w} " + " {:>9}" x 4;
 * rows "{:>w} " + " {:>9.df}" x 3 + " {:>9}"; accuracy row leaves precision and recall blank. */
char *rnn_class_report_format(const rnn_class_report *r, const char *const *class_names, int digits)
{
    rnn_strbuf b = {0};
    char names[64][24];
    const char *name[64];
    int width = (int)strlen("weighted avg");
    if (digits < 0)
        digits = 2;
    if (width < digits)
        width = digits;
    for (int c = 0; c < r->n_classes; c++) {
        if (class_names && class_names[c]) {
            name[c] = class_names[c];
        } else {
            snprintf(names[c], sizeof names[c], "%d", c);
            name[c] = names[c];
        }
        if ((int)rnn_utf8_width(name[c]) > width)
            width = (int)rnn_utf8_width(name[c]);
    }
    rnn_strbuf_printf(&b, "%*s  %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support");
    for (int c = 0; c < r->n_classes; c++) {
        sb_name(&b, width, name[c]);
        rnn_strbuf_printf(&b, "  %9.*f %9.*f %9.*f %9zu\n", digits, r->precision[c], digits, r->recall[c], digits, r->f1[c],
                  r->support[c]);
    }
    rnn_strbuf_printf(&b, "\n%*s  %9s %9s %9.*f %9zu\n", width, "accuracy", "", "", digits, r->accuracy, r->total);
    rnn_strbuf_printf(&b, "%*s  %9.*f %9.*f %9.*f %9zu\n", width, "macro avg", digits, r->macro_p, digits, r->macro_r,
              digits, r->macro_f1, r->total);
    rnn_strbuf_printf(&b, "%*s  %9.*f %9.*f %9.*f %9zu\n", width, "weighted avg", digits, r->weighted_p, digits,
              r->weighted_r, digits, r->weighted_f1, r->total);

    /* Confusion matrix, rows = true class, columns = predicted class (sklearn's confusion_matrix);
     * each column as wide as its class name or its largest count. */
    int cw[64], nw = 0;
    for (int k = 0; k < r->n_classes; k++) {
        int l = (int)rnn_utf8_width(name[k]);
        nw = l > nw ? l : nw;
        cw[k] = l;
        for (int c = 0; c < r->n_classes; c++) {
            int d = snprintf(NULL, 0, "%zu", r->confusion[c][k]);
            cw[k] = d > cw[k] ? d : cw[k];
        }
    }
    rnn_strbuf_printf(&b, "\nconfusion matrix (rows: true class, columns: predicted class)\n%*s", nw, "");
    for (int k = 0; k < r->n_classes; k++) {
        rnn_strbuf_printf(&b, "  ");
        sb_name(&b, cw[k], name[k]);
    }
    rnn_strbuf_printf(&b, "\n");
    for (int c = 0; c < r->n_classes; c++) {
        sb_name(&b, nw, name[c]);
        for (int k = 0; k < r->n_classes; k++)
            rnn_strbuf_printf(&b, "  %*zu", cw[k], r->confusion[c][k]);
        rnn_strbuf_printf(&b, "\n");
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* ---- exact ROC AUC ---- */

typedef struct scored { float s; int pos; } scored;
static int scored_cmp(const void *a, const void *b)
{
    float x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return (x > y) - (x < y);
}

/* Mann-Whitney: AUC = (sum of the positives' ranks - P(P+1)/2) / (P N), ties get their mean rank. */
double rnn_roc_auc(const float *score, const int *y, size_t n)
{
    scored *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return NAN;
    size_t P = 0;
    for (size_t i = 0; i < n; i++) {
        v[i].s = score[i];
        v[i].pos = y[i] != 0;
        P += (size_t)v[i].pos;
    }
    size_t N = n - P;
    if (P == 0 || N == 0) {
        free(v);
        return NAN;
    }
    qsort(v, n, sizeof *v, scored_cmp);
    double rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, pos = 0;
        while (j < n && v[j].s == v[i].s)
            pos += (size_t)v[j++].pos;
        rank_sum += pos * ((double)(i + 1) + (double)j) / 2; /* mean of ranks i+1..j */
        i = j;
    }
    free(v);
    return (rank_sum - (double)P * (P + 1) / 2) / ((double)P * N);
}
