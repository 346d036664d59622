/* classification_report text (scikit-learn layout, fixtures written from sklearn's format strings),
 * confusion matrix, exact ROC AUC and Keras's running metrics. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/metrics.h"
#include "model/train_internal.h"

#include "tests/check.h"

static char *read_fixture(const char *name)
{
    char path[4096];
    const char *s = getenv("srcdir");
    snprintf(path, sizeof path, "%s/tests/fixtures/model/%s", s ? s : ".", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void check_report(const int *yt, const int *yp, size_t n, int K, const char *const *names, int digits,
                         const char *fixture, const char *confusion)
{
    rnn_class_report r;
    rnn_error err;
    CHECK(rnn_classification_report(yt, yp, n, K, &r, &err) == RNN_OK, "report: %s", err.msg);
    char *text = rnn_class_report_format(&r, names, digits);
    const char *want = read_fixture(fixture);
    CHECK(text && want, "format/fixture %s", fixture);
    if (!text || !want)
        return;
    size_t wl = strlen(want);
    CHECK(!strncmp(text, want, wl), "%s differs:\n--- got\n%s--- want\n%s", fixture, text, want);
    CHECK(!strcmp(text + wl, confusion), "%s confusion matrix:\n%s--- want\n%s", fixture, text + wl, confusion);
    printf("%s", text);
    free(text);
}

static void test_reports(void)
{
    int yt[] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, yp[] = {0, 0, 0, 0, 1, 0, 1, 1, 0, 1};
    const char *names[] = {"ham", "spam"};
    check_report(yt, yp, 10, 2, names, 2, "report_binary.txt",
                 "\nconfusion matrix (rows: true class, columns: predicted class)\n"
                 "      ham  spam\n"
                 " ham    5     1\n"
                 "spam    1     3\n");
    int yt3[] = {0, 1, 2, 2, 1, 0, 2, 2, 1, 0, 2, 1}, yp3[] = {0, 1, 1, 2, 1, 0, 1, 2, 1, 0, 2, 0};
    const char *names3[] = {"negative", "positive", "a-rather-long-class-name"};
    char cm[1024];
    snprintf(cm, sizeof cm,
             "\nconfusion matrix (rows: true class, columns: predicted class)\n"
             "%24s  negative  positive  a-rather-long-class-name\n"
             "%24s  %8d  %8d  %24d\n%24s  %8d  %8d  %24d\n%24s  %8d  %8d  %24d\n",
             "", "negative", 3, 0, 0, "positive", 1, 3, 0, "a-rather-long-class-name", 0, 2, 3);
    check_report(yt3, yp3, 12, 3, names3, 4, "report_three.txt", cm);

    /* a class never predicted: precision 0 (sklearn's zero_division default), f1 0 */
    int yt4[] = {0, 1, 1, 0}, yp4[] = {0, 0, 0, 0};
    rnn_class_report r;
    CHECK(rnn_classification_report(yt4, yp4, 4, 2, &r, NULL) == RNN_OK, "report");
    CHECK(r.precision[1] == 0 && r.recall[1] == 0 && r.f1[1] == 0 && r.accuracy == 0.5, "zero division");
    CHECK(fabs(r.precision[0] - 0.5) < 1e-12 && r.recall[0] == 1, "class 0");
    int bad[] = {0, 2};
    CHECK(rnn_classification_report(bad, bad, 2, 2, &r, NULL) == RNN_EDATA, "label out of range rejected");
}

static void test_auc(void)
{
    /* hand-computed: positives 0.8, 0.4(tie with a negative), 0.9; negatives 0.1, 0.4, 0.7
     * pairs (pos > neg): 0.8>{.1,.4,.7}=3, 0.4>{.1}=1 + tie .5, 0.9>3 => 7.5/9 */
    float s[] = {0.8f, 0.4f, 0.9f, 0.1f, 0.4f, 0.7f};
    int y[] = {1, 1, 1, 0, 0, 0};
    double auc = rnn_roc_auc(s, y, 6);
    CHECK(fabs(auc - 7.5 / 9) < 1e-12, "roc auc %.6f, want %.6f", auc, 7.5 / 9);
    int y1[] = {1, 1};
    CHECK(isnan(rnn_roc_auc(s, y1, 2)), "one class -> NaN");

    /* Keras's thresholded AUC and running precision/recall on a larger sample */
    enum { N = 2000 };
    static float p[N];
    static int lab[N];
    unsigned s0 = 12345;
    for (int i = 0; i < N; i++) {
        s0 = s0 * 1103515245u + 12345u;
        lab[i] = (s0 >> 16) & 1;
        s0 = s0 * 1103515245u + 12345u;
        float u = ((s0 >> 8) & 0xffff) / 65536.0f;
        p[i] = lab[i] ? 0.3f + 0.7f * u : 0.7f * u; /* overlapping scores */
    }
    metric_acc a;
    metric_acc_reset(&a);
    for (int i = 0; i < N; i += 64) /* batches, like an epoch */
        metric_acc_update(&a, p + i, lab + i, NULL, i + 64 <= N ? 64 : N - i, 1, 0.5, true);
    double keras_auc = metric_acc_value(&a, METRIC_AUC), exact = rnn_roc_auc(p, lab, N);
    CHECK(fabs(keras_auc - exact) < 2e-3, "thresholded auc %.5f vs exact %.5f", keras_auc, exact);
    size_t tp = 0, fp = 0, fn = 0, correct = 0;
    for (int i = 0; i < N; i++) {
        bool pred = p[i] > 0.5f;
        tp += pred && lab[i];
        fp += pred && !lab[i];
        fn += !pred && lab[i];
        correct += pred == (lab[i] == 1);
    }
    CHECK(fabs(metric_acc_value(&a, METRIC_PRECISION) - (double)tp / (tp + fp)) < 1e-12, "precision");
    CHECK(fabs(metric_acc_value(&a, METRIC_RECALL) - (double)tp / (tp + fn)) < 1e-12, "recall");
    CHECK(fabs(metric_acc_value(&a, METRIC_ACCURACY) - (double)correct / N) < 1e-12, "accuracy");
    CHECK(fabs(metric_acc_loss(&a) - 0.5) < 1e-12, "running loss is the sample-weighted mean");
    printf("auc: Keras-style %.5f, exact %.5f\n", keras_auc, exact);

    /* softmax outputs: argmax accuracy, first index on ties */
    float q[] = {0.2f, 0.8f, 0.5f, 0.5f, 0.9f, 0.1f};
    int yq[] = {1, 1, 0};
    metric_acc_reset(&a);
    metric_acc_update(&a, q, yq, NULL, 3, 2, 1.0, false);
    CHECK(fabs(metric_acc_value(&a, METRIC_ACCURACY) - 2.0 / 3) < 1e-12, "argmax accuracy (tie -> class 0)");

    metric_kind k;
    char name[32];
    CHECK(metric_parse("acc", &k, name, NULL) == RNN_OK && k == METRIC_ACCURACY && !strcmp(name, "acc"),
          "'acc' keeps its name");
    CHECK(metric_parse("Precision", &k, name, NULL) == RNN_OK && !strcmp(name, "precision"), "precision");
    CHECK(metric_parse("f1", &k, name, NULL) == RNN_EUSAGE, "unknown metric");
}

int main(void)
{
    test_reports();
    test_auc();
    return check_finish("test_report");
}
