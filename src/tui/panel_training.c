/* Training panel: a progress line (bar, ETA, samples/s, ms/step), then loss and accuracy
 * charts per epoch for train and validation, with a smoothed per-batch loss on the loss chart.
 * After `compare`, the same charts overlay the compared runs.
 *
 * The command thread reports every batch through training_on_progress: it only copies numbers
 * under the lock (no drawing, no waiting on the UI), so training keeps its speed. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui/chart.h"
#include "tui/dashboard.h"

enum { MAX_SERIES = 12 };
static const double batch_smoothing = 0.9;

static bool grow(void **p, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return true;
    int n = *cap ? *cap * 2 : 64;
    while (n < need) n *= 2;
    void *q = realloc(*p, (size_t)n * elem);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

/* Copies the history rows (names and values) into the view. Lock held. */
static void view_copy_history(tui_train_view *v, const rnn_history *h)
{
    v->n_metrics = h->n_metrics;
    memcpy(v->names, h->names, sizeof v->names);
    int need = h->n_epochs * (h->n_metrics ? h->n_metrics : 1);
    if (!grow((void **)&v->values, &v->cap_epochs, need, sizeof *v->values))
        return;
    if (need > 0)
        memcpy(v->values, h->values, (size_t)h->n_epochs * h->n_metrics * sizeof *v->values);
    v->n_epochs = h->n_epochs;
}

/* dst = src. Batch losses only grow during a fit: copy just the new ones. */
static void view_copy(tui_train_view *d, const tui_train_view *v)
{
    d->active = v->active;
    d->last = v->last;
    d->batches_per_epoch = v->batches_per_epoch;
    d->first_epoch = v->first_epoch;
    d->started = v->started;
    d->ended = v->ended;
    d->n_metrics = v->n_metrics;
    memcpy(d->names, v->names, sizeof d->names);
    int from = d->n_batch <= v->n_batch ? d->n_batch : 0;
    if (grow((void **)&d->batch_loss, &d->cap_batch, v->n_batch, sizeof *d->batch_loss)) {
        if (v->n_batch > from)
            memcpy(d->batch_loss + from, v->batch_loss + from,
                   (size_t)(v->n_batch - from) * sizeof *d->batch_loss);
        d->n_batch = v->n_batch;
    } else {
        d->n_batch = 0;
    }
    int cells = v->n_epochs * v->n_metrics;
    if (grow((void **)&d->values, &d->cap_epochs, cells, sizeof *d->values)) {
        if (cells > 0)
            memcpy(d->values, v->values, (size_t)cells * sizeof *d->values);
        d->n_epochs = v->n_epochs;
    } else {
        d->n_epochs = 0;
    }
}

/* Runs on the training thread after every batch. It records into its own view without any
 * lock, then publishes only if the lock is free at once: training never waits for the UI
 * (a batch whose publication is skipped shows up with the next one). */
void training_on_progress(const rnn_fit_progress *p, void *ud)
{
    tui *t = ud;
    tui_train_view *v = &t->train;
    t->fit_since_change = true;
    if (!v->active || v->history_key != p->history) {   /* first report of a new fit */
        v->active = true;
        v->history_key = p->history;
        v->n_batch = 0;
        v->n_epochs = 0;
        v->n_metrics = 0;
        v->first_epoch = p->history ? p->history->n_epochs : 0;
        if (p->history && p->history->n_epochs > 0)
            view_copy_history(v, p->history);
        v->started = rnn_now();
    }
    v->last = *p;
    v->last.history = NULL;
    v->batches_per_epoch = p->batches;
    if (!p->epoch_end) {
        int k = (p->epoch - 1) * (p->batches > 0 ? p->batches : 1) + p->batch;   /* 1-based step */
        if (k >= 1 && grow((void **)&v->batch_loss, &v->cap_batch, k, sizeof *v->batch_loss)) {
            for (int i = v->n_batch; i < k - 1; i++)
                v->batch_loss[i] = NAN;
            v->batch_loss[k - 1] = p->batch_loss;
            if (k > v->n_batch) v->n_batch = k;
        }
    } else if (p->history) {
        view_copy_history(v, p->history);
    }
    if (pthread_mutex_trylock(&t->progress_lock) == 0) {
        view_copy(&t->train_pub, v);
        pthread_mutex_unlock(&t->progress_lock);
    }
}

void training_sync(tui *t)
{
    pthread_mutex_lock(&t->progress_lock);
    view_copy(&t->train_ui, &t->train_pub);
    pthread_mutex_unlock(&t->progress_lock);
}

/* The command finished (its thread joined): publish the final state, the fit is over. */
void training_end(tui *t)
{
    if (t->train.active)
        t->train.ended = rnn_now();
    t->train.active = false;
    pthread_mutex_lock(&t->progress_lock);
    view_copy(&t->train_pub, &t->train);
    pthread_mutex_unlock(&t->progress_lock);
}

void training_free_views(tui *t)
{
    free(t->train.batch_loss);
    free(t->train.values);
    free(t->train_pub.batch_loss);
    free(t->train_pub.values);
    memset(&t->train_pub, 0, sizeof t->train_pub);
    free(t->train_ui.batch_loss);
    free(t->train_ui.values);
    memset(&t->train, 0, sizeof t->train);
    memset(&t->train_ui, 0, sizeof t->train_ui);
}

static void runs_free(tui *t)
{
    for (int i = 0; i < t->n_runs; i++)
        free(t->runs[i].values);
    free(t->runs);
    t->runs = NULL;
    t->n_runs = 0;
}

void training_snapshot_runs(tui *t, const app_state *s)
{
    /* Runs picked by `compare` (app_state.compare), else none: the panel shows the last fit. */
    int n = s->n_compare >= 2 ? s->n_compare : 0;
    tui_run_view *runs = n ? calloc((size_t)n, sizeof *runs) : NULL;
    int got = 0;
    for (int i = 0; i < n && runs; i++) {
        int idx = s->compare[i];
        if (idx < 0 || idx >= s->n_runs)
            continue;
        const app_run *r = &s->runs[idx];
        tui_run_view *rv = &runs[got++];
        snprintf(rv->name, sizeof rv->name, "%s", r->name);
        rv->n_metrics = r->hist.n_metrics;
        memcpy(rv->names, r->hist.names, sizeof rv->names);
        size_t cells = (size_t)r->hist.n_epochs * r->hist.n_metrics;
        rv->values = malloc((cells ? cells : 1) * sizeof *rv->values);
        if (rv->values && cells)
            memcpy(rv->values, r->hist.values, cells * sizeof *rv->values);
        rv->n_epochs = rv->values ? r->hist.n_epochs : 0;
    }
    /* A runs change that follows a fit is that fit's new run: show the fit, not an overlay.
     * (Same thread as training_on_progress: the command's.) */
    bool after_fit = t->fit_since_change;
    t->fit_since_change = false;
    pthread_mutex_lock(&t->lock);
    runs_free(t);
    t->runs = runs;
    t->n_runs = got;
    t->show_compare = got >= 2 && !after_fit;
    t->dirty = 1;
    pthread_mutex_unlock(&t->lock);
}

static int metric_index(int n_metrics, char names[][32], const char *name)
{
    for (int i = 0; i < n_metrics; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* Column m of a [n_epochs][n_metrics] table into out (NAN-filled); returns false if absent. */
static bool metric_column(const double *values, int n_epochs, int n_metrics, char names[][32],
                          const char *name, const char *alias, double *out)
{
    int m = metric_index(n_metrics, names, name);
    if (m < 0 && alias)
        m = metric_index(n_metrics, names, alias);
    if (m < 0)
        return false;
    for (int e = 0; e < n_epochs; e++)
        out[e] = values[(size_t)e * n_metrics + m];
    return true;
}

static int chart_cell_attr(const chart_cell *c)
{
    if (c->kind == CHART_CELL_BLANK)
        return theme_attr(ROLE_NORMAL);
    int attr = c->kind == CHART_CELL_AXIS ? theme_attr(ROLE_DIM)
             : c->color >= 0 ? theme_chart_attr(c->color)
             : theme_attr(ROLE_NORMAL);
    return c->kind == CHART_CELL_MARK ? (int)((unsigned)attr | A_BOLD) : attr;
}

/* Draws a chart into r through the cell renderer, mapping chart colours to curses pairs. */
static void draw_chart(tui *t, tui_rect r, const chart_series *s, int n, const chart_opts *o)
{
    if (r.w < 16 || r.h < 5)
        return;
    chart_cell *cells = malloc((size_t)r.w * r.h * sizeof *cells);
    if (!cells)
        return;
    chart_render_cells(s, n, r.w, r.h, o, cells);
    /* One curses call per run of cells with the same attributes (a frame has many cells). */
    char run[1024];
    for (int y = 0; y < r.h; y++) {
        const chart_cell *row = &cells[(size_t)y * r.w];
        for (int x = 0; x < r.w;) {
            int attr = chart_cell_attr(&row[x]), start = x;
            size_t len = 0;
            while (x < r.w && chart_cell_attr(&row[x]) == attr && len + 5 < sizeof run) {
                size_t g = strlen(row[x].glyph);
                memcpy(run + len, row[x].glyph, g);
                len += g;
                x++;
            }
            run[len] = 0;
            tui_put(r, y, start, run, attr);
        }
    }
    free(cells);
    (void)t;
}

/* Splits the panel's chart space into a loss and an accuracy chart: side by side, stacked, or loss only. */
static int chart_areas(tui_rect r, tui_rect out[2])
{
    if (r.w >= 2 * 22 + 1 && r.h >= 6) {
        int lw = (r.w - 1) / 2;
        out[0] = (tui_rect){r.y, r.x, r.h, lw};
        out[1] = (tui_rect){r.y, r.x + lw + 1, r.h, r.w - lw - 1};
        return 2;
    }
    if (r.h >= 12) {
        out[0] = (tui_rect){r.y, r.x, r.h / 2, r.w};
        out[1] = (tui_rect){r.y + r.h / 2, r.x, r.h - r.h / 2, r.w};
        return 2;
    }
    out[0] = r;
    return 1;
}

/* Three lines: progress (bar, batches, ETA), the latest metrics, the speed. Returns lines used. */
static int training_header_live(tui *t, tui_rect r)
{
    tui_train_view *v = &t->train_ui;
    const rnn_fit_progress *p = &v->last;
    char left[64], right[128], line[256], eta[16], total[16], bar[256];
    /* an epoch cut short (interrupt, training fault) shows the batches it did, not a full bar */
    snprintf(left, sizeof left, "%s %d/%d ", v->active ? "epoch" : p->partial ? "stopped: epoch" : "done: epoch",
             p->epoch, p->epochs);
    tui_put(r, 0, 0, left, theme_attr(ROLE_VALUE));
    int col = (int)strlen(left);
    double done = p->batches > 0 ? (double)p->batch / p->batches : 0;
    if (p->epoch_end) done = 1;
    if (v->active) {
        layout_duration(eta, sizeof eta, p->eta);
        /* The rest of the fit: this epoch's remainder plus whole epochs at this epoch's pace. */
        layout_duration(total, sizeof total, p->eta + (p->epochs - p->epoch) * (p->elapsed + p->eta));
        snprintf(right, sizeof right, " %d/%d  ETA %s  fit %s", p->batch, p->batches, eta, total);
    } else {
        layout_duration(total, sizeof total, v->ended - v->started);
        snprintf(right, sizeof right, " %d/%d  in %s", p->batch, p->batches, total);
    }
    int bar_w = r.w - col - (int)strlen(right);
    if (bar_w > 40) bar_w = 40;
    if (bar_w < 6) bar_w = 6;
    layout_bar(bar, sizeof bar, done, bar_w, t->unicode);
    tui_put(r, 0, col, bar, theme_attr(ROLE_BAR_DONE));
    tui_put(r, 0, col + bar_w, right, theme_attr(ROLE_NORMAL));

    size_t len = (size_t)snprintf(line, sizeof line, "train loss %.4f", p->loss);
    if (isfinite(p->accuracy))
        len += (size_t)snprintf(line + len, sizeof line - len, " acc %.4f", p->accuracy);
    int vl = metric_index(v->n_metrics, v->names, "val_loss");
    int va = metric_index(v->n_metrics, v->names, "val_accuracy");
    if (va < 0) va = metric_index(v->n_metrics, v->names, "val_acc");
    const double *row = v->n_epochs > 0 ? v->values + (size_t)(v->n_epochs - 1) * v->n_metrics : NULL;
    if (row && vl >= 0 && isfinite(row[vl]))
        len += (size_t)snprintf(line + len, sizeof line - len, " | val loss %.4f", row[vl]);
    if (row && va >= 0 && isfinite(row[va]))
        snprintf(line + len, sizeof line - len, " acc %.4f", row[va]);
    tui_put(r, 1, 0, line, theme_attr(ROLE_NORMAL));
    snprintf(line, sizeof line, "%.0f samples/s  %.1f ms/step", p->samples_per_s, p->ms_per_step);
    tui_put(r, 2, 0, line, theme_attr(ROLE_DIM));
    return 3;
}

/* Per-epoch and smoothed per-batch series of the current fit. */
static void training_draw_live(tui *t, tui_rect r)
{
    tui_train_view *v = &t->train_ui;
    int used = training_header_live(t, r);
    tui_rect area = {r.y + used, r.x, r.h - used, r.w}, rc[2];
    int n_charts = chart_areas(area, rc);
    int ne = v->n_epochs;
    double *cols = malloc((size_t)(4 * (ne > 0 ? ne : 1) + v->n_batch + 1) * sizeof *cols);
    if (!cols)
        return;
    double *loss = cols, *vloss = cols + ne, *acc = cols + 2 * ne, *vacc = cols + 3 * ne;
    double *smooth = cols + 4 * ne;
    chart_series ls[3], as[2];
    int nl = 0, na = 0;
    if (metric_column(v->values, ne, v->n_metrics, v->names, "loss", NULL, loss))
        ls[nl++] = (chart_series){"loss", loss, ne, CHART_TRAIN, 0, 0};
    if (metric_column(v->values, ne, v->n_metrics, v->names, "val_loss", NULL, vloss))
        ls[nl++] = (chart_series){"val_loss", vloss, ne, CHART_VALIDATION, 0, 0};
    if (v->n_batch > 0 && v->batches_per_epoch > 0) {
        layout_smooth(v->batch_loss, v->n_batch, batch_smoothing, smooth);
        double step = 1.0 / v->batches_per_epoch;
        ls[nl++] = (chart_series){"batch loss~", smooth, v->n_batch, CHART_OTHER,
                                  v->first_epoch + step, step};
    }
    if (metric_column(v->values, ne, v->n_metrics, v->names, "accuracy", "acc", acc))
        as[na++] = (chart_series){"accuracy", acc, ne, CHART_TRAIN, 0, 0};
    if (metric_column(v->values, ne, v->n_metrics, v->names, "val_accuracy", "val_acc", vacc))
        as[na++] = (chart_series){"val_accuracy", vacc, ne, CHART_VALIDATION, 0, 0};
    chart_opts o;
    chart_opts_default(&o);
    o.unicode = t->unicode;
    o.x_min = v->n_batch > 0 ? v->first_epoch : 1;
    o.x_max = v->first_epoch + (v->last.epochs > 0 ? v->last.epochs : 1);
    bool titles = rc[0].h >= 9;   /* small charts: the legend names the series */
    o.title = titles ? "loss" : NULL;
    draw_chart(t, rc[0], ls, nl, &o);
    if (n_charts > 1) {
        o.title = titles ? "accuracy" : NULL;
        o.x_min = 1;
        draw_chart(t, rc[1], as, na, &o);
    }
    free(cols);
}

/* Overlay of the compared runs: loss and val_loss, accuracy and val_accuracy of each. */
static void training_draw_compare(tui *t, tui_rect r)
{
    char line[256];
    size_t len = (size_t)snprintf(line, sizeof line, "compare:");
    int max_epochs = 1;
    for (int i = 0; i < t->n_runs; i++) {
        const tui_run_view *rv = &t->runs[i];
        if (rv->n_epochs > max_epochs) max_epochs = rv->n_epochs;
        int va = metric_index(rv->n_metrics, (char (*)[32])rv->names, "val_accuracy");
        if (va >= 0 && rv->n_epochs > 0)
            len += (size_t)snprintf(line + len, sizeof line - len, "  %s val_accuracy %.4f",
                                    rv->name, rv->values[(size_t)(rv->n_epochs - 1) * rv->n_metrics + va]);
        else
            len += (size_t)snprintf(line + len, sizeof line - len, "  %s", rv->name);
        if (len >= sizeof line) break;
    }
    tui_put(r, 0, 0, line, theme_attr(ROLE_VALUE));
    tui_rect area = {r.y + 1, r.x, r.h - 1, r.w}, rc[2];
    int n_charts = chart_areas(area, rc);
    int nr = t->n_runs > MAX_SERIES / 2 ? MAX_SERIES / 2 : t->n_runs;
    double *buf = malloc((size_t)4 * nr * max_epochs * sizeof *buf);
    char labels[MAX_SERIES * 2][48];
    chart_series ls[MAX_SERIES], as[MAX_SERIES];
    int nl = 0, na = 0;
    if (!buf)
        return;
    for (int i = 0; i < nr; i++) {
        tui_run_view *rv = &t->runs[i];
        double *col[4];
        for (int k = 0; k < 4; k++)
            col[k] = buf + ((size_t)i * 4 + k) * max_epochs;
        static const char *const metric[4] = {"loss", "val_loss", "accuracy", "val_accuracy"};
        static const char *const alias[4] = {NULL, NULL, "acc", "val_acc"};
        for (int k = 0; k < 4; k++) {
            if (!metric_column(rv->values, rv->n_epochs, rv->n_metrics, rv->names, metric[k],
                               alias[k], col[k]))
                continue;
            char *lab = labels[i * 4 + k < MAX_SERIES * 2 ? i * 4 + k : 0];
            snprintf(lab, 48, "%.20s %s", rv->name, k % 2 ? "val" : "train");
            chart_series cs = {lab, col[k], rv->n_epochs, k % 2 ? CHART_VALIDATION : CHART_TRAIN,
                               0, 0};
            if (k < 2) ls[nl++] = cs; else as[na++] = cs;
        }
    }
    chart_opts o;
    chart_opts_default(&o);
    o.unicode = t->unicode;
    o.x_min = 1;
    bool titles = rc[0].h >= 9;
    o.title = titles ? "loss" : NULL;
    draw_chart(t, rc[0], ls, nl, &o);
    if (n_charts > 1) {
        o.title = titles ? "accuracy" : NULL;
        draw_chart(t, rc[1], as, na, &o);
    }
    free(buf);
}

static void training_draw(tui_panel *p, tui *t, tui_rect r)
{
    (void)p;
    if (t->show_compare && t->n_runs >= 2 && !t->train_ui.active) {
        training_draw_compare(t, r);
        return;
    }
    const tui_train_view *v = &t->train_ui;
    if (!v->active && v->n_batch == 0 && v->n_epochs == 0) {
        tui_put(r, 0, 0, "no training yet", theme_attr(ROLE_DIM));
        tui_put(r, 1, 0, "try: compile optimizer=adam loss=binary_crossentropy metrics=accuracy",
                theme_attr(ROLE_DIM));
        tui_put(r, 2, 0, "     fit epochs=5 validation_split=0.2", theme_attr(ROLE_DIM));
        return;
    }
    training_draw_live(t, r);
}

static void training_free(tui_panel *p)
{
    (void)p;
}

static bool training_init(tui_panel *p)
{
    p->data = NULL;   /* the views live in struct tui: the progress hook needs them */
    return true;
}

const tui_panel_class panel_training_class = {
    .name = "training",
    .init = training_init,
    .draw = training_draw,
    .free = training_free,
};
