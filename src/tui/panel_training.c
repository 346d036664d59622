/* Training panel: a progress line (bar, ETA, samples/s, ms/step), then loss and accuracy
 * charts per epoch for train and validation, with a smoothed per-batch loss on the loss chart.
 * After `compare`, the same charts overlay the compared runs.
 *
 * The training thread reports every batch (TUI_EVENT_PROGRESS): it only copies numbers, and
 * publishes them only when that needs no waiting (no drawing, no lock held by the UI), so training
 * keeps its speed. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/chart.h"
#include "tui/tui.h"

enum { MAX_SERIES = 12 };
static const double batch_smoothing = 0.9;

/* Training progress as one thread sees it: the training thread's record, the copy it publishes,
 * the UI thread's copy of that. */
typedef struct train_view {
    bool active;                    /* a fit is running */
    const void *history_key;        /* the fit's history: a new one starts a new view */
    rnn_fit_progress last;          /* last report (history pointer cleared) */
    double *batch_loss; int n_batch; size_t cap_batch;  /* per-batch losses of this fit */
    int batches_per_epoch, first_epoch;          /* first_epoch: epochs done before this fit */
    /* Per-epoch history rows copied at every epoch end: [epoch][n_metrics]. */
    int n_metrics; char names[RNN_MAX_METRICS][32];
    double *values; int n_epochs; size_t cap_epochs;
    double started, ended;          /* monotonic seconds: first report, end of the command */
} train_view;

/* A run shown by compare: a copy of its history. */
typedef struct run_view {
    char name[64];
    int n_metrics; char names[RNN_MAX_METRICS][32];
    double *values; int n_epochs;
} run_view;

typedef struct training_data {
    pthread_mutex_t progress_lock;  /* guards only pub; the training thread only try-locks it */
    train_view train;               /* the training thread's own record (no lock) */
    train_view pub;                 /* published copy (progress_lock) */
    train_view ui;                  /* the UI thread's copy, taken at every frame */
    run_view *runs; int n_runs;     /* overlay of `compare` (sh->lock) */
    bool show_compare;
} training_data;

/* Copies the history rows (names and values) into the view. */
static void view_copy_history(train_view *v, const rnn_history *h)
{
    v->n_metrics = h->n_metrics;
    memcpy(v->names, h->names, sizeof v->names);
    size_t need = (size_t)h->n_epochs * (h->n_metrics ? h->n_metrics : 1);
    if (rnn_grow(&v->values, &v->cap_epochs, need, sizeof *v->values))
        return;
    if (need > 0)
        memcpy(v->values, h->values, (size_t)h->n_epochs * h->n_metrics * sizeof *v->values);
    v->n_epochs = h->n_epochs;
}

/* dst = src. Batch losses only grow during a fit: copy just the new ones. */
static void view_copy(train_view *d, const train_view *v)
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
    if (!rnn_grow(&d->batch_loss, &d->cap_batch, (size_t)v->n_batch, sizeof *d->batch_loss)) {
        if (v->n_batch > from)
            memcpy(d->batch_loss + from, v->batch_loss + from,
                   (size_t)(v->n_batch - from) * sizeof *d->batch_loss);
        d->n_batch = v->n_batch;
    } else {
        d->n_batch = 0;
    }
    int cells = v->n_epochs * v->n_metrics;
    if (!rnn_grow(&d->values, &d->cap_epochs, (size_t)cells, sizeof *d->values)) {
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
static void training_progress(tui_panel *panel, const rnn_fit_progress *p)
{
    training_data *d = panel->data;
    train_view *v = &d->train;
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
        if (k >= 1 && !rnn_grow(&v->batch_loss, &v->cap_batch, (size_t)k, sizeof *v->batch_loss)) {
            for (int i = v->n_batch; i < k - 1; i++)
                v->batch_loss[i] = NAN;
            v->batch_loss[k - 1] = p->batch_loss;
            if (k > v->n_batch) v->n_batch = k;
        }
    } else if (p->history) {
        view_copy_history(v, p->history);
    }
    if (pthread_mutex_trylock(&d->progress_lock) == 0) {
        view_copy(&d->pub, v);
        pthread_mutex_unlock(&d->progress_lock);
    }
}

/* The command finished (its thread joined): publish the final state, the fit is over. */
static void training_done(training_data *d)
{
    if (d->train.active)
        d->train.ended = rnn_now();
    d->train.active = false;
    pthread_mutex_lock(&d->progress_lock);
    view_copy(&d->pub, &d->train);
    pthread_mutex_unlock(&d->progress_lock);
}

static void view_free(train_view *v)
{
    free(v->batch_loss);
    free(v->values);
    memset(v, 0, sizeof *v);
}

static void runs_free(run_view *runs, int n)
{
    for (int i = 0; i < n; i++)
        free(runs[i].values);
    free(runs);
}

/* Replaces the overlay by copies of the runs `compare` picked (none: back to the last fit). */
static void training_show_runs(tui_panel *p, const app_state *s, const int *pick, int n)
{
    training_data *d = p->data;
    run_view *runs = n > 0 ? calloc((size_t)n, sizeof *runs) : NULL;
    int got = 0;
    for (int i = 0; i < n && runs; i++) {
        int idx = pick[i];
        if (idx < 0 || idx >= s->n_runs)
            continue;
        const app_run *r = &s->runs[idx];
        run_view *rv = &runs[got++];
        snprintf(rv->name, sizeof rv->name, "%s", r->name);
        rv->n_metrics = r->hist.n_metrics;
        memcpy(rv->names, r->hist.names, sizeof rv->names);
        size_t cells = (size_t)r->hist.n_epochs * r->hist.n_metrics;
        rv->values = malloc((cells ? cells : 1) * sizeof *rv->values);
        if (rv->values && cells)
            memcpy(rv->values, r->hist.values, cells * sizeof *rv->values);
        rv->n_epochs = rv->values ? r->hist.n_epochs : 0;
    }
    pthread_mutex_lock(&p->sh->lock);
    runs_free(d->runs, d->n_runs);
    d->runs = runs;
    d->n_runs = got;
    d->show_compare = got >= 2;
    pthread_mutex_unlock(&p->sh->lock);
    tui_redraw(p->sh);
}

static void training_event(tui_panel *p, const tui_event *e)
{
    switch (e->kind) {
    case TUI_EVENT_PROGRESS:
        training_progress(p, e->progress);
        break;
    case TUI_EVENT_DONE:
        training_done(p->data);
        break;
    case TUI_EVENT_COMPARED:
        training_show_runs(p, e->app, e->runs, e->n_runs);
        break;
    case TUI_EVENT_CHANGED:   /* a fit's new run, runs opened or removed: the overlay is out of date */
        if (e->what & APP_CHANGED_RUNS)
            training_show_runs(p, e->app, NULL, 0);
        break;
    default:
        break;
    }
}

static int metric_index(int n_metrics, const char names[][32], const char *name)
{
    for (int i = 0; i < n_metrics; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* Column m of a [n_epochs][n_metrics] table into out (NAN-filled); returns false if absent. */
static bool metric_column(const double *values, int n_epochs, int n_metrics, const char names[][32],
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
static void draw_chart(tui_rect r, const chart_series *s, int n, const chart_opts *o)
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
static int training_header_live(const train_view *v, bool unicode, tui_rect r)
{
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
    layout_bar(bar, sizeof bar, done, bar_w, unicode);
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
static void training_draw_live(const train_view *v, bool unicode, tui_rect r)
{
    int used = training_header_live(v, unicode, r);
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
    o.unicode = unicode;
    o.x_min = v->n_batch > 0 ? v->first_epoch : 1;
    o.x_max = v->first_epoch + (v->last.epochs > 0 ? v->last.epochs : 1);
    bool titles = rc[0].h >= 9;   /* small charts: the legend names the series */
    o.title = titles ? "loss" : NULL;
    draw_chart(rc[0], ls, nl, &o);
    if (n_charts > 1) {
        o.title = titles ? "accuracy" : NULL;
        o.x_min = 1;
        draw_chart(rc[1], as, na, &o);
    }
    free(cols);
}

/* Overlay of the compared runs: loss and val_loss, accuracy and val_accuracy of each. */
static void training_draw_compare(const training_data *d, bool unicode, tui_rect r)
{
    char line[256];
    size_t len = (size_t)snprintf(line, sizeof line, "compare:");
    int max_epochs = 1;
    for (int i = 0; i < d->n_runs; i++) {
        const run_view *rv = &d->runs[i];
        if (rv->n_epochs > max_epochs) max_epochs = rv->n_epochs;
        int va = metric_index(rv->n_metrics, rv->names, "val_accuracy");
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
    int nr = d->n_runs > MAX_SERIES / 2 ? MAX_SERIES / 2 : d->n_runs;
    double *buf = malloc((size_t)4 * nr * max_epochs * sizeof *buf);
    char labels[MAX_SERIES * 2][48];
    chart_series ls[MAX_SERIES], as[MAX_SERIES];
    int nl = 0, na = 0;
    if (!buf)
        return;
    for (int i = 0; i < nr; i++) {
        run_view *rv = &d->runs[i];
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
    o.unicode = unicode;
    o.x_min = 1;
    bool titles = rc[0].h >= 9;
    o.title = titles ? "loss" : NULL;
    draw_chart(rc[0], ls, nl, &o);
    if (n_charts > 1) {
        o.title = titles ? "accuracy" : NULL;
        draw_chart(rc[1], as, na, &o);
    }
    free(buf);
}

static void training_draw(tui_panel *p, tui_rect r)
{
    training_data *d = p->data;
    pthread_mutex_lock(&d->progress_lock);   /* this frame's copy of the live view */
    view_copy(&d->ui, &d->pub);
    pthread_mutex_unlock(&d->progress_lock);
    if (d->show_compare && d->n_runs >= 2 && !d->ui.active) {
        training_draw_compare(d, p->sh->unicode, r);
        return;
    }
    const train_view *v = &d->ui;
    if (!v->active && v->n_batch == 0 && v->n_epochs == 0) {
        tui_put(r, 0, 0, "no training yet", theme_attr(ROLE_DIM));
        tui_put(r, 1, 0, "try: compile optimizer=adam loss=binary_crossentropy metrics=accuracy",
                theme_attr(ROLE_DIM));
        tui_put(r, 2, 0, "     fit epochs=5 validation_split=0.2", theme_attr(ROLE_DIM));
        return;
    }
    training_draw_live(v, p->sh->unicode, r);
}

static bool training_init(tui_panel *p)
{
    training_data *d = calloc(1, sizeof *d);
    if (!d || pthread_mutex_init(&d->progress_lock, NULL) != 0) {
        free(d);
        return false;
    }
    p->data = d;
    return true;
}

static void training_free(tui_panel *p)
{
    training_data *d = p->data;
    if (!d)
        return;
    view_free(&d->train);
    view_free(&d->pub);
    view_free(&d->ui);
    runs_free(d->runs, d->n_runs);
    pthread_mutex_destroy(&d->progress_lock);
    free(d);
    p->data = NULL;
}

const tui_panel_ops panel_training_ops = {
    .name = "training",
    .init = training_init,
    .free = training_free,
    .draw = training_draw,
    .event = training_event,
};
