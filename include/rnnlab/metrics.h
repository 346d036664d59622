/* Classification metrics and reports. */
#ifndef RNNLAB_METRICS_H
#define RNNLAB_METRICS_H
#include "rnnlab/common.h"

typedef struct rnn_class_report {
    int n_classes;
    double precision[64], recall[64], f1[64];
    size_t support[64];
    double accuracy;
    double macro_p, macro_r, macro_f1, weighted_p, weighted_r, weighted_f1;
    size_t total;
    size_t confusion[64][64];   /* [true][predicted] */
} rnn_class_report;
int rnn_classification_report(const int *y_true, const int *y_pred, size_t n, int n_classes,
                              rnn_class_report *out, rnn_error *err);
/* scikit-learn's classification_report text (digits=2 like sklearn) plus the confusion matrix; malloc'd. */
char *rnn_class_report_format(const rnn_class_report *r, const char *const *class_names, int digits);
/* ROC AUC of binary scores (exact, by ranks; ties averaged). */
double rnn_roc_auc(const float *score, const int *y, size_t n);

#endif
