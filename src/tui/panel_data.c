/* Data panel: the loaded data set (size, classes), word-count percentiles and a length
 * histogram of the training texts, and the state of tokenizing and padding. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui/tui.h"

static const double data_pcts[] = {0.25, 0.5, 0.75, 0.95, 0.99};
enum { N_PCTS = sizeof data_pcts / sizeof data_pcts[0] };

typedef struct data_view {
    bool loaded;
    char name[64];
    size_t n_train, n_test;
    int n_classes;
    char classes[256];           /* "neg 50% pos 50%" */
    rnn_describe desc;           /* word counts of the training texts */
    double *lengths; size_t n_lengths;   /* sorted word counts, for the histogram */
    char prep[160];              /* tokenizing / padding state */
    const void *source_key; size_t source_n;  /* data set the lengths were computed for */
} data_view;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Word counts of every training text, sorted (the expensive part: done once per data set). */
static double *data_lengths(const rnn_dataset *ds, size_t *n)
{
    *n = ds->train.n;
    double *v = malloc((*n ? *n : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < *n; i++)
        v[i] = (double)rnn_count_words(ds->train.text[i]);
    qsort(v, *n, sizeof *v, cmp_double);
    return v;
}

static void data_class_text(const rnn_dataset *ds, char *out, size_t size)
{
    size_t counts[64] = {0}, len = 0;
    int nc = ds->n_classes < 64 ? ds->n_classes : 64;
    out[0] = 0;
    if (ds->n_classes > 64)
        return;
    rnn_split_class_counts(ds, &ds->train, counts);
    for (int c = 0; c < nc && len + 1 < size; c++) {
        double pct = ds->train.n ? 100.0 * (double)counts[c] / (double)ds->train.n : 0;
        len += (size_t)snprintf(out + len, size - len, "%s%s %zu (%.0f%%)", c ? "  " : "",
                                ds->class_names[c], counts[c], pct);
    }
}

static void data_prep_text(const app_state *s, char *out, size_t size)
{
    if (s->x_train.rows > 0)
        snprintf(out, size, "padded %zux%zu %s/%s, %zu cut", s->x_train.rows, s->x_train.cols,
                 s->prep.pad_post ? "post" : "pre", s->prep.trunc_post ? "post" : "pre", s->truncated_train);
    else if (s->seq_train.n > 0)
        snprintf(out, size, "tokenized %zu; next: pad maxlen=N", s->seq_train.n);
    else
        snprintf(out, size, "next: tokenize [num_words=N]");
}

static void data_snapshot(tui_panel *p, const app_state *s)
{
    data_view *old = p->data, nv = {0};
    const rnn_dataset *ds = s->ds;
    double *lengths = NULL;
    if (ds) {
        nv.loaded = true;
        snprintf(nv.name, sizeof nv.name, "%s", ds->name);
        nv.n_train = ds->train.n;
        nv.n_test = ds->test.n;
        nv.n_classes = ds->n_classes;
        data_class_text(ds, nv.classes, sizeof nv.classes);
        data_prep_text(s, nv.prep, sizeof nv.prep);
        nv.source_key = ds->train.text;
        nv.source_n = ds->train.n;
        bool same = old->lengths && old->source_key == nv.source_key && old->source_n == nv.source_n;
        if (same) {
            nv.desc = old->desc;
        } else {
            lengths = data_lengths(ds, &nv.n_lengths);
            if (lengths && nv.n_lengths > 0)
                rnn_describe_values(lengths, nv.n_lengths, data_pcts, N_PCTS, &nv.desc, NULL);
        }
    }
    pthread_mutex_lock(&p->sh->lock);
    if (lengths || !nv.loaded) {
        free(old->lengths);
        old->lengths = NULL;
        old->n_lengths = 0;
    }
    double *keep = lengths ? lengths : old->lengths;
    size_t keep_n = lengths ? nv.n_lengths : old->n_lengths;
    *old = nv;
    old->lengths = keep;
    old->n_lengths = keep_n;
    pthread_mutex_unlock(&p->sh->lock);
    tui_redraw(p->sh);
}

static void data_event(tui_panel *p, const tui_event *e)
{
    if (e->kind == TUI_EVENT_CHANGED && (e->what & (APP_CHANGED_DATA | APP_CHANGED_VOCAB)))
        data_snapshot(p, e->app);
}

/* Vertical histogram of the sorted lengths up to the 99th percentile, rows x cols cells. */
static void data_histogram(const data_view *d, bool unicode, tui_rect r, int row, int rows)
{
    static const char *const blocks_u[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char *const blocks_a[] = {" ", ".", ".", ":", ":", "|", "|", "#", "#"};
    int cols = r.w - 1;
    if (rows < 1 || cols < 8 || d->n_lengths == 0)
        return;
    double hi = d->desc.n_pct == N_PCTS ? d->desc.value[N_PCTS - 1] : d->lengths[d->n_lengths - 1];
    if (!(hi > 0)) hi = 1;
    /* Whole words per bin when lengths are short, so integer counts leave no empty columns. */
    int bins = hi + 1 < cols ? (int)hi + 1 : cols, bin_w = cols / bins;
    size_t *count = calloc((size_t)bins, sizeof *count), peak = 1;
    if (!count)
        return;
    for (size_t i = 0; i < d->n_lengths; i++) {
        int b = (int)(d->lengths[i] / hi * bins);
        if (b >= bins) b = bins - 1;   /* the tail above p99 piles into the last bin */
        if (++count[b] > peak) peak = count[b];
    }
    int label_rows = rows >= 3 ? 1 : 0, bar_rows = rows - label_rows;
    for (int b = 0; b < bins; b++) {
        int eighths = (int)lround((double)count[b] / (double)peak * bar_rows * 8);
        for (int k = 0; k < bar_rows; k++) {
            int level = eighths - (bar_rows - 1 - k) * 8;
            level = level < 0 ? 0 : level > 8 ? 8 : level;
            for (int c = 0; c < bin_w; c++)
                tui_put(r, row + k, b * bin_w + c, unicode ? blocks_u[level] : blocks_a[level],
                        theme_attr(ROLE_BAR_DONE));
        }
    }
    if (label_rows) {
        char right[32];
        snprintf(right, sizeof right, "%.0f+ words", hi);
        tui_put(r, row + bar_rows, 0, "0", theme_attr(ROLE_DIM));
        tui_put(r, row + bar_rows, bins * bin_w - (int)strlen(right), right, theme_attr(ROLE_DIM));
    }
    free(count);
}

static void data_draw(tui_panel *p, tui_rect r)
{
    data_view *d = p->data;
    if (!d->loaded) {
        tui_put(r, 0, 0, "no data set", theme_attr(ROLE_DIM));
        tui_put(r, 1, 0, "try: load demo", theme_attr(ROLE_DIM));
        return;
    }
    char line[256];
    int row = 0;
    snprintf(line, sizeof line, "train %zu  test %zu", d->n_train, d->n_test);
    tui_put(r, row, 0, d->name, theme_attr(ROLE_VALUE));
    tui_put(r, row++, (int)strlen(d->name) + 2, line, theme_attr(ROLE_NORMAL));
    tui_put(r, row++, 0, d->classes, theme_attr(ROLE_NORMAL));
    if (d->desc.count > 0) {
        snprintf(line, sizeof line, "words mean %.1f  std %.1f  max %.0f", d->desc.mean,
                 d->desc.std, d->desc.max);
        tui_put(r, row++, 0, line, theme_attr(ROLE_NORMAL));
        size_t len = 0;
        line[0] = 0;
        for (int i = 0; i < d->desc.n_pct && len + 1 < sizeof line; i++)
            len += (size_t)snprintf(line + len, sizeof line - len, "%sp%.0f %.0f", i ? "  " : "",
                                    d->desc.pct[i] * 100, d->desc.value[i]);
        if ((int)len > r.w) {   /* narrow panel: "p25/50/75 127/174/284" */
            char vals[128];
            size_t vl = 0;
            len = (size_t)snprintf(line, sizeof line, "p");
            for (int i = 0; i < d->desc.n_pct; i++) {
                len += (size_t)snprintf(line + len, sizeof line - len, "%s%.0f", i ? "/" : "",
                                        d->desc.pct[i] * 100);
                vl += (size_t)snprintf(vals + vl, sizeof vals - vl, "%s%.0f", i ? "/" : "",
                                       d->desc.value[i]);
                if (len >= sizeof line || vl >= sizeof vals) break;
            }
            snprintf(line + len, sizeof line - len, " %s", vals);
        }
        tui_put(r, row++, 0, line, theme_attr(ROLE_NORMAL));
    }
    tui_put(r, row++, 0, d->prep, theme_attr(ROLE_LABEL));
    data_histogram(d, p->sh->unicode, r, row, r.h - row);
}

static bool data_init(tui_panel *p)
{
    p->data = calloc(1, sizeof(data_view));
    return p->data != NULL;
}

static void data_free(tui_panel *p)
{
    data_view *d = p->data;
    if (d)
        free(d->lengths);
    free(d);
    p->data = NULL;
}

const tui_panel_ops panel_data_ops = {
    .name = "data",
    .init = data_init,
    .free = data_free,
    .draw = data_draw,
    .event = data_event,
};
