/* Model commands: model new, add, pop, summary, compile, fit, evaluate, report, predict, explain,
 * history, plot, runs, compare, gradcheck, export history (save and open are in cmd_io.c). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "app/internal.h"
#include "app/chart.h"
#include "app/python.h"


const char *app_class_name(const app_state *s, int k)
{
    static char buf[16];
    if (s->ds && k < s->ds->n_classes) return s->ds->class_names[k];
    if (k < s->n_saved_classes) return s->saved_classes[k];
    snprintf(buf, sizeof buf, "class %d", k);
    return buf;
}

static int need_model(const app_state *s, const app_command *cmd, bool compiled)
{
    if (!s->model) return app_fail(RNN_EUSAGE, cmd, "no model: build one with model new; add ...");
    if (compiled && !rnn_model_is_compiled(s->model))
        return app_fail(RNN_EUSAGE, cmd, "the model is not compiled: run compile optimizer=... loss=...");
    return RNN_OK;
}

/* Padded ids and labels of a split. */
static int split_xy(const app_state *s, const app_command *cmd, const char *split, rnn_xy *xy)
{
    if (!s->ds) return app_fail(RNN_EUSAGE, cmd, "no data set: run load first");
    bool test = strcmp(split, "test") == 0;
    const rnn_imatrix *x = test ? &s->x_test : &s->x_train;
    const rnn_split *sp = test ? &s->ds->test : &s->ds->train;
    if (sp->n == 0) return app_fail(RNN_EDATA, cmd, "split=%s: the data set has no %s texts", split, split);
    if (!x->data || x->rows != sp->n) return app_fail(RNN_EUSAGE, cmd, "the %s split is not padded: run tokenize, then pad maxlen=N", split);
    xy->n = sp->n; xy->T = (int)x->cols; xy->x = x->data; xy->y = sp->label;
    return RNN_OK;
}

int cmd_model(app_state *s, const app_command *c, const app_args *a)
{
    if (a->npos < 1 || strcmp(a->pos[0], "new") != 0) return app_fail(RNN_EUSAGE, c, "expected: model new [NAME] [functional=false]");
    bool functional;
    int rc = args_bool(a, "functional", false, &functional);
    if (rc) return rc;
    const char *name = a->npos > 1 ? a->pos[1] : "sequential";
    if (strlen(name) > RNN_MODEL_NAME_MAX || rnn_has_control_char(name))
        return app_fail(RNN_EUSAGE, c, "NAME: expected at most %d characters, without control characters", RNN_MODEL_NAME_MAX);
    rnn_model *m = rnn_model_new(name, s->seed);
    if (!m) return app_fail(RNN_EINTERNAL, c, "out of memory");
    if (functional) rnn_model_set_functional(m);
    if (s->model) rnn_model_free(s->model);
    s->model = m;
    s->last_eval.n = 0;
    if (functional)
        app_printf("model '%s': empty functional model (add Input(shape=(T,)), then layers, with add)\n", rnn_model_name(m));
    else
        app_printf("model '%s': empty Sequential model (add layers with add)\n", rnn_model_name(m));
    app_changed(s, APP_CHANGED_MODEL);
    return RNN_OK;
}

int cmd_add(app_state *s, const app_command *c, const app_args *a)
{
    if (a->npos < 1) return app_fail(RNN_EUSAGE, c, "expected a layer, e.g. add LSTM(32) (help add)");
    bool created = false;
    if (!s->model) {
        if (!(s->model = rnn_model_new("sequential", s->seed))) return app_fail(RNN_EINTERNAL, c, "out of memory");
        created = true;
    }
    rnn_add_ctx ctx = {.pretrained = s->pretrained.data ? &s->pretrained : NULL, .data_length = s->x_train.data ? (int)s->x_train.cols : 0};
    rnn_error err = {0};
    size_t before = rnn_model_n_layers(s->model);
    if (rnn_model_add(s->model, a->pos[0], &ctx, &err) != RNN_OK) {
        if (created) { rnn_model_free(s->model); s->model = NULL; }
        return app_fail_err(c, &err);
    }
    char sh[64];
    if (rnn_model_n_layers(s->model) == before) { /* Input(shape=(T,)): the input spec, no layer */
        int T = rnn_model_input_length(s->model);
        if (T > 0) app_printf("input: sequences of %d token ids, shape (None, %d)\n", T, T);
        else app_printf("input: sequences of any length, shape (None, None)\n");
    } else {
        rnn_layer *l = rnn_model_layer(s->model, rnn_model_n_layers(s->model) - 1);
        app_printf("%s (%s): output %s, %zu %s%s\n", l->name, l->kind->name, rnn_shape_str(l->out, sh, sizeof sh), l->n_params,
                   app_noun(l->n_params, "param", "params"), l->trainable ? "" : " (frozen)");
        const char *note = l->note ? l->note : l->inner ? l->inner[0].note : NULL;
        if (note) app_printf("note: %s\n", note);
        if (l->kind->drops_mask && rnn_model_mask_reaches(s->model, rnn_model_n_layers(s->model) - 1))
            app_printf("warning: layer '%s' (of type %s) is passed the mask of Embedding(..., mask_zero=True), but it does "
                       "not support masking: as in Keras, the mask ends here and later layers do not see it\n",
                       l->name, l->kind->name);
    }
    s->last_eval.n = 0;
    app_changed(s, APP_CHANGED_MODEL);
    return RNN_OK;
}

int cmd_pop(app_state *s, const app_command *c, const app_args *a)
{
    (void)a;
    int rc = need_model(s, c, false);
    if (rc) return rc;
    rnn_error err = {0};
    size_t before = rnn_model_n_layers(s->model);
    if (rnn_model_pop(s->model, &err) != RNN_OK) return app_fail_err(c, &err);
    if (before == 0) app_printf("removed the input spec; the model takes sequences of any length\n");
    else app_printf("removed the last layer; %zu left\n", rnn_model_n_layers(s->model));
    app_changed(s, APP_CHANGED_MODEL);
    return RNN_OK;
}

int cmd_summary(app_state *s, const app_command *c, const app_args *a)
{
    (void)a;
    int rc;
    if ((rc = need_model(s, c, false))) return rc;
    char *t = rnn_model_summary(s->model, 0);
    if (!t) return app_fail(RNN_EINTERNAL, c, "out of memory");
    app_printf("%s", t);
    if (t[0] && t[strlen(t) - 1] != '\n') app_printf("\n");
    free(t);
    return RNN_OK;
}

/* A number; its range is the optimizer's to check, in one place for compile and save files. */
static int compile_double(const app_args *a, const char *key, double *field)
{
    const char *v = args_get(a, key);
    if (v && !str_to_double(v, field)) return app_fail(RNN_EUSAGE, a->cmd, "%s='%s': expected a number", key, v);
    return RNN_OK;
}

int cmd_compile(app_state *s, const app_command *c, const app_args *a)
{
    int rc = RNN_OK;
    if ((rc = need_model(s, c, false))) return rc;
    if (rnn_model_n_layers(s->model) == 0) return app_fail(RNN_EUSAGE, c, "the model has no layers: add some first");
    rnn_compile_opts o;
    rnn_compile_opts_default(&o);
    const char *dflt_loss = rnn_model_output_shape(s->model).dim[0] == 1 ? "binary_crossentropy" : "sparse_categorical_crossentropy";
    const char *loss_call = args_get(a, "loss");
    if (loss_call && strchr(loss_call, '(')) o.loss = loss_call;  /* a Keras loss call: the engine reads it */
    if ((rc = args_choice(a, "optimizer", "adam|rmsprop|sgd|adagrad|nadam|adamw|Adam|RMSprop|SGD|Adagrad|Nadam|AdamW",
                          "adam", &o.optimizer)) ||
        (!o.loss && (rc = args_choice(a, "loss", "binary_crossentropy|sparse_categorical_crossentropy|categorical_crossentropy",
                                      dflt_loss, &o.loss))) ||
        (rc = args_bool(a, "from_logits", o.from_logits, &o.from_logits)) ||
        (rc = compile_double(a, "weight_decay", &o.weight_decay)) ||
        (rc = compile_double(a, "initial_accumulator_value", &o.initial_accumulator_value)) ||
        (rc = compile_double(a, "learning_rate", &o.learning_rate)) || (rc = compile_double(a, "momentum", &o.momentum)) ||
        (rc = compile_double(a, "rho", &o.rho)) || (rc = compile_double(a, "beta_1", &o.beta_1)) ||
        (rc = compile_double(a, "beta_2", &o.beta_2)) || (rc = compile_double(a, "epsilon", &o.epsilon)) ||
        (rc = compile_double(a, "clipnorm", &o.clipnorm)) || (rc = compile_double(a, "clipvalue", &o.clipvalue)) ||
        (rc = args_bool(a, "nesterov", o.nesterov, &o.nesterov)))
        return rc;
    char opt[16];
    snprintf(opt, sizeof opt, "%s", o.optimizer);
    for (char *p = opt; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    o.optimizer = opt;
    o.metrics = args_get(a, "metrics") ? args_get(a, "metrics") : "accuracy";
    rnn_error err = {0};
    if (rnn_model_compile(s->model, &o, &err) != RNN_OK) return app_fail_err(c, &err);
    app_printf("compiled: optimizer=%s", opt);
    if (!isnan(o.learning_rate)) app_printf(" learning_rate=%g", o.learning_rate);
    app_printf(" loss=%s%s metrics=%s\n", o.loss, o.from_logits ? " from_logits=true" : "", o.metrics);
    s->last_eval.n = 0;
    app_changed(s, APP_CHANGED_MODEL);
    return RNN_OK;
}

/* ---- fit ---- */

typedef struct fit_ctx {
    app_state *s;
    int verbose;         /* 0 no progress lines, 1 the bar on a terminal, 2 a line an epoch */
    int shown_epoch;     /* epoch whose "Epoch k/n" header was printed */
    double last_draw;    /* elapsed at the last bar update */
    bool bar;            /* updating bar (stdout is a terminal) */
} fit_ctx;

#define FIT_BAR_WIDTH 30   /* Keras's */
#define FIT_BAR_MIN 10

/* The columns output goes to: the dashboard's log panel, the terminal, or 0 when not known. */
static int output_columns(const app_state *s)
{
    struct winsize ws;
    int cols = app_output_columns();
    if (cols > 0) return cols;
    if (s->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 0;
}

/* " - loss: 0.1234 - accuracy: 0.9 - val_loss: ..." of the history row of the epoch. */
static void fit_metrics_text(const rnn_history *h, int epoch, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = 0;
    for (int j = 0; j < h->n_metrics && used < n; j++) {
        double v = h->values[(size_t)epoch * (size_t)h->n_metrics + (size_t)j];
        int w = snprintf(buf + used, n - used, " - %s: %.4f", h->names[j], v);
        if (w < 0) break;
        used += (size_t)w;
    }
}

/* Keras's time per step: "2s/step", "84ms/step" or "650us/step". */
static const char *fit_step_text(double ms, char *buf, size_t n)
{
    if (ms >= 1000) snprintf(buf, n, "%.0fs/step", ms / 1000);
    else if (ms >= 1) snprintf(buf, n, "%.0fms/step", ms);
    else snprintf(buf, n, "%.0fus/step", ms * 1000);
    return buf;
}

/* The updating line of a running epoch, redrawn over itself with \r: it must fit in one terminal
 * line (a wrapped line leaves its first part behind on every redraw), so on a narrow terminal the
 * bar shrinks to FIT_BAR_MIN and then the line is cut. */
static void fit_draw_bar(const rnn_fit_progress *p, int digits, int cols)
{
    char tail[160], step[32], bar[FIT_BAR_WIDTH + 1], line[256];
    int n = snprintf(tail, sizeof tail, " - ETA: %.0fs - %s - loss: %.4f", p->eta,
                     fit_step_text(p->ms_per_step, step, sizeof step), p->loss);
    if (!isnan(p->accuracy) && n > 0 && (size_t)n < sizeof tail)
        snprintf(tail + n, sizeof tail - (size_t)n, " - accuracy: %.4f", p->accuracy);
    int w = FIT_BAR_WIDTH;
    if (cols > 0) {
        int room = cols - 1 - (2 * digits + 4) - (int)strlen(tail);   /* "N/N [" "]", the last column free */
        w = room < FIT_BAR_MIN ? FIT_BAR_MIN : room < w ? room : w;
    }
    app_bar(p->batch, p->batches, w, bar);
    snprintf(line, sizeof line, "%*d/%d [%s]%s", digits, p->batch, p->batches, bar, tail);
    if (cols > 1 && strlen(line) > (size_t)cols - 1) line[cols - 1] = 0;
    app_printf("\r%s\033[K", line);
    fflush(stdout);
}

/* The last line of an epoch cut short: the batches done and the running metrics, then why. */
static void fit_print_partial(fit_ctx *f, const rnn_fit_progress *p, int digits)
{
    char bar[FIT_BAR_WIDTH + 1], step[32], met[96];
    int n = snprintf(met, sizeof met, " - loss: %.4f", p->loss);
    if (!isnan(p->accuracy) && n > 0 && (size_t)n < sizeof met)
        snprintf(met + n, sizeof met - (size_t)n, " - accuracy: %.4f", p->accuracy);
    const char *why = f->s->stop ? "interrupted" : "stopped";
    if (f->bar) {
        if (f->shown_epoch != p->epoch) app_printf("Epoch %d/%d\n", p->epoch, p->epochs);
        app_bar(p->batch, p->batches, FIT_BAR_WIDTH, bar);   /* no step time: the line fits 80 columns */
        app_printf("\r%*d/%d [%s] %s%s\033[K\n", digits, p->batch, p->batches, bar, why, met);
    } else
        app_printf("Epoch %d/%d - %d/%d - %.0fs %s%s - %s\n", p->epoch, p->epochs, p->batch, p->batches,
                   p->elapsed, fit_step_text(p->ms_per_step, step, sizeof step), met, why);
    f->shown_epoch = p->epoch;
    fflush(stdout);
}

static int fit_on_progress(const rnn_fit_progress *p, void *user)
{
    fit_ctx *f = user;
    app_state *s = f->s;
    if (app_progress(p) || f->verbose == 0) return s->stop ? 1 : 0;
    char bar[FIT_BAR_WIDTH + 1], met[1024], step[32];
    int digits = snprintf(NULL, 0, "%d", p->batches);
    if (p->partial) {
        fit_print_partial(f, p, digits);
        return 1;
    }
    if (p->epoch_end) {
        const rnn_history *h = p->history;
        fit_metrics_text(h, h->n_epochs - 1, met, sizeof met);
        double secs = h->seconds ? h->seconds[h->n_epochs - 1] : p->elapsed;
        if (f->bar) {
            if (f->shown_epoch != p->epoch) app_printf("Epoch %d/%d\n", p->epoch, p->epochs);
            app_bar(p->batches, p->batches, FIT_BAR_WIDTH, bar);
            app_printf("\r%*d/%d [%s] - %.0fs %s%s\033[K\n", digits, p->batches, p->batches, bar, secs,
                       fit_step_text(p->ms_per_step, step, sizeof step), met);
        } else
            app_printf("Epoch %d/%d - %d/%d - %.0fs %s%s\n", p->epoch, p->epochs, p->batches, p->batches, secs,
                       fit_step_text(p->ms_per_step, step, sizeof step), met);
        f->shown_epoch = p->epoch;
        fflush(stdout);
        return s->stop ? 1 : 0;
    }
    if (!f->bar) return s->stop ? 1 : 0;
    if (f->shown_epoch != p->epoch) {
        app_printf("Epoch %d/%d\n", p->epoch, p->epochs);
        f->shown_epoch = p->epoch;
        f->last_draw = -1;
    }
    if (p->batch < p->batches && p->elapsed - f->last_draw < 0.1) return s->stop ? 1 : 0;
    f->last_draw = p->elapsed;
    fit_draw_bar(p, digits, output_columns(s));
    return s->stop ? 1 : 0;
}

static void fit_warn(const char *msg, void *user)
{
    (void)user;
    app_printf("warning: %s\n", msg);
}

/* A callback's line (verbose=1), on a line of its own after the epoch's progress. */
static void fit_note(const char *msg, void *user)
{
    (void)user;
    app_printf("%s\n", msg);
}

static int fit_checkpoint_save(const char *path, void *user, rnn_error *err)
{
    fit_ctx *f = user;
    return app_pipeline_save(f->s, path, err);
}

#define FIT_MAX_CALLBACKS 8
/* callbacks=[EarlyStopping(...), ...] (or one callback): the engine's callbacks, *n of them. */
static int fit_parse_callbacks(const app_command *c, const char *text, rnn_callback *out, int *n)
{
    rnn_value v = {0};
    rnn_error err = {0};
    *n = 0;
    if (rnn_expr_parse(text, &v, &err) != RNN_OK) return app_fail(RNN_EUSAGE, c, "callbacks: %s", err.msg);
    const rnn_value *items = v.type == RNN_VAL_LIST ? v.items : &v;
    int count = v.type == RNN_VAL_LIST ? v.n_items : 1;
    int rc = count > FIT_MAX_CALLBACKS ? app_fail(RNN_EUSAGE, c, "callbacks: at most %d", FIT_MAX_CALLBACKS) : RNN_OK;
    char *call = malloc(8192);
    if (!call) rc = app_fail(RNN_EINTERNAL, c, "out of memory");
    for (int i = 0; i < count && !rc; i++) {
        if (items[i].type != RNN_VAL_CALL || !py_value_text(&items[i], call, 8192))
            rc = app_fail(RNN_EUSAGE, c, "callbacks: item %d: expected a callback such as EarlyStopping(patience=2)", i + 1);
        else if (rnn_callback_parse(call, &out[i], &err) != RNN_OK)
            rc = app_fail(RNN_EUSAGE, c, "callbacks: %s", err.msg);
        else
            (*n)++;
    }
    free(call);
    rnn_value_free(&v);
    return rc;
}

/* A run name is one word that runs, compare and run= can show and take back: not empty, no
 * spaces or control characters. */
static bool run_name_ok(const char *name)
{
    if (!*name) return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p <= ' ' || *p == 0x7f) return false;
    return true;
}

/* Forgets the last run (a fit that failed before its first batch). */
static void app_run_drop_last(app_state *s)
{
    if (s->n_runs > 0) rnn_history_free(&s->runs[--s->n_runs].hist);
}

app_run *app_run_new(app_state *s, const char *name)
{
    app_run *v = realloc(s->runs, sizeof *v * (size_t)(s->n_runs + 1));
    if (!v) return NULL;
    s->runs = v;
    app_run *r = &v[s->n_runs++];
    memset(r, 0, sizeof *r);
    if (name) snprintf(r->name, sizeof r->name, "%s", name);
    else   /* runN for the Nth run, or the next N free when a fit was named runN before */
        for (int k = s->n_runs; ; k++) {
            snprintf(r->name, sizeof r->name, "run%d", k);
            bool taken = false;
            for (int i = 0; i < s->n_runs - 1 && !taken; i++) taken = strcmp(s->runs[i].name, r->name) == 0;
            if (!taken) break;
        }
    r->test_accuracy = NAN;
    return r;
}

#define FIT_MAX_CLASS_WEIGHTS 1024

/* class_weight={0: 1, 1: 6.5} (a Python dict of class index: weight; the braces may be left out):
 * w[0..*n) with 1 for the classes it does not name. */
static int parse_class_weight(const app_command *c, const char *text, double *w, int *n)
{
    const char *p = text;
    bool named[FIT_MAX_CLASS_WEIGHTS] = {false};
    *n = 0;
    while (isspace((unsigned char)*p)) p++;
    bool braces = *p == '{';
    if (braces) p++;
    for (;;) {
        while (isspace((unsigned char)*p) || *p == ',') p++;
        if (*p == 0 || (braces && *p == '}')) break;
        char *end;
        errno = 0;
        long k = strtol(p, &end, 10);
        const char *q = end;
        while (isspace((unsigned char)*q)) q++;
        if (end == p || *q != ':' || errno)
            return app_fail(RNN_EUSAGE, c, "class_weight: expected {class: weight, ...}, e.g. class_weight={0: 1, 1: 6.5}");
        if (k < 0 || k >= FIT_MAX_CLASS_WEIGHTS)
            return app_fail(RNN_EUSAGE, c, "class_weight: class %ld is not a class index (0 to %d)", k, FIT_MAX_CLASS_WEIGHTS - 1);
        if (named[k]) return app_fail(RNN_EUSAGE, c, "class_weight: class %ld is given twice", k);
        double v = strtod(q + 1, &end);
        if (end == q + 1)
            return app_fail(RNN_EUSAGE, c, "class_weight: class %ld: expected a number after ':'", k);
        for (int i = *n; i <= k; i++) w[i] = 1.0;
        if (k >= *n) *n = (int)k + 1;
        w[k] = v;
        named[k] = true;
        p = end;
        while (isspace((unsigned char)*p)) p++;
        if (*p && *p != ',' && !(braces && *p == '}'))
            return app_fail(RNN_EUSAGE, c, "class_weight: expected ',' between the classes, found '%c'", *p);
    }
    if (braces && *p != '}') return app_fail(RNN_EUSAGE, c, "class_weight: expected a closing '}'");
    if (braces) p++;
    while (isspace((unsigned char)*p)) p++;
    if (*p) return app_fail(RNN_EUSAGE, c, "class_weight: unexpected text after '}': %s", p);
    if (*n == 0) return app_fail(RNN_EUSAGE, c, "class_weight: expected at least one class: weight");
    return RNN_OK;
}

/* validation_steps=N [validation_batch_size=B]: validation on the first N batches of B rows of
 * validation_data (B: batch_size), as Keras's validation_steps on a batched data set. */
static int fit_validation_steps(const app_command *c, const app_args *a, int batch_size, rnn_xy *vxy)
{
    long steps, vbatch;
    int rc;
    if ((rc = args_long(a, "validation_steps", 0, 1, 1L << 30, &steps)) ||
        (rc = args_long(a, "validation_batch_size", batch_size, 1, 1 << 20, &vbatch)))
        return rc;
    if (!args_get(a, "validation_steps")) {
        if (args_get(a, "validation_batch_size"))
            return app_fail(RNN_EUSAGE, c, "validation_batch_size= counts the rows of validation_steps: give validation_steps=N with it");
        return RNN_OK;
    }
    if (!vxy) return app_fail(RNN_EUSAGE, c, "validation_steps= takes batches of validation_data: give validation_data=test");
    if ((size_t)steps * (size_t)vbatch < vxy->n) vxy->n = (size_t)steps * (size_t)vbatch;
    return RNN_OK;
}

int cmd_fit(app_state *s, const app_command *c, const app_args *a)
{
    int rc = RNN_OK;
    if ((rc = need_model(s, c, true))) return rc;
    rnn_xy xy;
    if ((rc = split_xy(s, c, "train", &xy))) return rc;
    rnn_fit_opts o;
    rnn_fit_opts_default(&o);
    long epochs, batch, patience, verbose;
    if ((rc = args_long(a, "epochs", o.epochs, 1, 1000000, &epochs)) ||
        (rc = args_long(a, "batch_size", o.batch_size, 1, 1 << 20, &batch)) ||
        (rc = args_double(a, "validation_split", o.validation_split, 0, 0.99, &o.validation_split)) ||
        (rc = args_bool(a, "shuffle", o.shuffle, &o.shuffle)) ||
        (rc = args_long(a, "patience", o.patience, 0, 1000000, &patience)) ||
        (rc = args_double(a, "min_delta", o.min_delta, 0, 1e9, &o.min_delta)) ||
        (rc = args_bool(a, "restore_best_weights", o.restore_best_weights, &o.restore_best_weights)) ||
        (rc = args_bool(a, "bucket_by_length", o.bucket_by_length, &o.bucket_by_length)) ||
        (rc = args_long(a, "verbose", 1, 0, 2, &verbose)))
        return rc;
    o.epochs = (int)epochs; o.batch_size = (int)batch; o.patience = (int)patience;
    double class_weight[FIT_MAX_CLASS_WEIGHTS];
    if (args_get(a, "class_weight")) {
        if ((rc = parse_class_weight(c, args_get(a, "class_weight"), class_weight, &o.n_class_weight))) return rc;
        o.class_weight = class_weight;
    }
    o.early_stopping = args_get(a, "early_stopping");
    const char *vdata = args_get(a, "validation_data");
    rnn_xy vxy;
    if (vdata) {
        if (strcmp(vdata, "test") != 0) return app_fail(RNN_EUSAGE, c, "validation_data=%s: expected test (the padded test split)", vdata);
        if ((rc = split_xy(s, c, "test", &vxy))) return rc;
        o.validation_data = &vxy;
    }
    if ((rc = fit_validation_steps(c, a, o.batch_size, vdata ? &vxy : NULL))) return rc;
    rnn_callback cbs[FIT_MAX_CALLBACKS];
    int n_cbs = 0;
    if (args_get(a, "callbacks") && (rc = fit_parse_callbacks(c, args_get(a, "callbacks"), cbs, &n_cbs))) return rc;
    o.callbacks = cbs;
    o.n_callbacks = n_cbs;
    o.save = fit_checkpoint_save;
    o.note = fit_note;
    if (o.early_stopping && strncmp(o.early_stopping, "val_", 4) == 0 && o.validation_split <= 0 && !vdata)
        return app_fail(RNN_EUSAGE, c, "early_stopping=%s needs a validation part: give validation_split=F", o.early_stopping);
    const char *name = args_get(a, "name");
    for (int i = 0; name && i < s->n_runs; i++)
        if (strcmp(s->runs[i].name, name) == 0) return app_fail(RNN_EUSAGE, c, "name=%s: a run with that name exists, expected a new name", name);
    if (name && strlen(name) >= sizeof s->runs[0].name) return app_fail(RNN_EUSAGE, c, "name: expected at most 63 characters");
    if (name && !run_name_ok(name))
        return app_fail(RNN_EUSAGE, c, "name='%s': expected a run name of one word, without spaces or control characters", name);
    o.stop = &s->stop;
    fit_ctx f = {s, (int)verbose, 0, -1, s->tty && !app_watched() && verbose == 1};
    o.callback = fit_on_progress;
    o.user = &f;
    o.warn = fit_warn;
    o.comm = s->comm;
    rnn_error err = {0};
    /* A fit that fails its checks changes nothing: no run, so the next fit's seed is the same. */
    if (rnn_model_fit_check(s->model, &xy, &o, NULL, &err) != RNN_OK) return app_fail_err(c, &err);
    o.seed = s->seed + (unsigned long)s->n_runs;
    app_run *r = app_run_new(s, name);
    if (!r) return app_fail(RNN_EINTERNAL, c, "out of memory");
    s->stop = 0;
    s->in_fit = true;
    app_changed(s, APP_CHANGED_RUNS);
    rc = rnn_model_fit(s->model, &xy, &o, &r->hist, &err);
    s->in_fit = false;
    bool interrupted = s->stop != 0;
    s->stop = 0;
    if (rc != RNN_OK && r->hist.n_epochs == 0 && !r->hist.stop_reason[0]) {
        app_run_drop_last(s);   /* failed before its first batch */
        app_changed(s, APP_CHANGED_RUNS);
        return app_fail_err(c, &err);
    }
    s->last_eval.n = 0;
    if (r->hist.stop_reason[0] && rc == RNN_OK) app_printf("%s\n", r->hist.stop_reason);
    if (r->hist.best_epoch >= 0 && o.restore_best_weights)
        app_printf("restored the weights of epoch %d\n", r->hist.best_epoch + 1);
    app_printf("run '%s': %d %s\n", r->name, r->hist.n_epochs, app_noun((unsigned)r->hist.n_epochs, "epoch", "epochs"));
    app_changed(s, APP_CHANGED_RUNS | APP_CHANGED_MODEL);
    if (rc != RNN_OK) return app_fail_err(c, &err);
    return interrupted ? APP_INTERRUPTED : RNN_OK;
}

/* ---- evaluate, report, predict, explain ---- */

int app_evaluate(app_state *s, const app_command *cmd, const char *split, int batch_size, rnn_eval *out)
{
    int rc = need_model(s, cmd, true);
    rnn_xy xy;
    if (rc || (rc = split_xy(s, cmd, split, &xy))) return rc;
    rnn_error err = {0};
    if (rnn_model_evaluate_comm(s->model, &xy, batch_size, s->comm, out, &err) != RNN_OK) return app_fail_err(cmd, &err);
    s->last_eval = *out;
    snprintf(s->last_eval_split, sizeof s->last_eval_split, "%s", split);
    for (int i = 0; i < out->n; i++)
        if (strcmp(split, "test") == 0 && strcmp(out->names[i], "accuracy") == 0 && s->n_runs > 0)
            s->runs[s->n_runs - 1].test_accuracy = out->values[i];
    return RNN_OK;
}

int cmd_evaluate(app_state *s, const app_command *c, const app_args *a)
{
    const char *split;
    long batch;
    int rc = RNN_OK;
    if ((rc = args_choice(a, "split", "test|train", "test", &split)) ||
        (rc = args_long(a, "batch_size", APP_EVAL_BATCH, 1, 1 << 20, &batch)))
        return rc;
    rnn_eval e;
    if ((rc = app_evaluate(s, c, split, (int)batch, &e))) return rc;
    app_printf("%s:", split);
    for (int i = 0; i < e.n; i++) app_printf("%s %s: %.4f", i ? " -" : "", e.names[i], e.values[i]);
    size_t n = strcmp(split, "test") == 0 ? s->ds->test.n : s->ds->train.n;
    size_t b = (size_t)batch < n ? (size_t)batch : n, batches = (n + b - 1) / b;
    app_printf(" (%zu texts in %zu %s of %zu)\n", n, batches, app_noun(batches, "batch", "batches"), b);
    app_changed(s, APP_CHANGED_RUNS);
    return RNN_OK;
}

/* Class probabilities of the rows of x: malloc'd [n][*k]; *probs false when the output layer gives
 * raw outputs instead (then [n][units], see rnn_model_predict). */
static float *predict_rows(app_state *s, const app_command *cmd, const int32_t *x, size_t n, int T, int *k, bool *probs)
{
    int nc = rnn_model_n_classes(s->model);
    if (nc < 2) nc = 2;
    float *p = malloc(sizeof *p * n * (size_t)nc);
    if (!p) { app_fail(RNN_EINTERNAL, cmd, "out of memory"); return NULL; }
    rnn_error err = {0};
    if (rnn_model_predict_comm(s->model, x, n, T, 64, s->comm, p, k, &err) != RNN_OK) {
        free(p);
        app_fail_err(cmd, &err);
        return NULL;
    }
    *probs = rnn_model_predicts_probabilities(s->model);
    return p;
}

/* ---- a split's predictions, kept for the commands that read them again ---- */

struct app_pred_cache {
    uint64_t key;   /* pred_key of what they were made from */
    size_t n;
    int k;
    bool probs;
    float *p;       /* [n][k] */
};

/* h mixed with the bytes at data, eight at a time. */
static uint64_t hash_bytes(uint64_t h, const void *data, size_t bytes)
{
    const unsigned char *b = data;
    size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15u;
        h ^= h >> 29;
    }
    for (; i < bytes; i++)
        h = (h ^ b[i]) * 0x100000001b3u;
    return h;
}

/* What a split's predictions depend on: every layer as it would be written (kind, sizes,
 * activation), the weights, and the split's ids. */
static uint64_t pred_key(app_state *s, const rnn_xy *xy)
{
    uint64_t h = 0xcbf29ce484222325u;
    char desc[512];
    for (size_t i = 0; i < rnn_model_n_layers(s->model); i++) {
        const rnn_layer *l = rnn_model_layer(s->model, i);
        int n = l->kind->describe ? l->kind->describe(l, desc, sizeof desc) : 0;
        h = hash_bytes(h, l->kind->name, strlen(l->kind->name));
        h = hash_bytes(h, desc, n > 0 ? strnlen(desc, sizeof desc) : 0);
    }
    size_t np = rnn_model_n_params(s->model);
    h = hash_bytes(h, &np, sizeof np);
    h = hash_bytes(h, rnn_model_params(s->model), np * sizeof(float));
    h = hash_bytes(h, &xy->n, sizeof xy->n);
    h = hash_bytes(h, &xy->T, sizeof xy->T);
    return hash_bytes(h, xy->x, xy->n * (size_t)xy->T * sizeof *xy->x);
}

void app_pred_cache_free(app_state *s)
{
    if (s->pred_cache)
        free(s->pred_cache->p);
    free(s->pred_cache);
    s->pred_cache = NULL;
}

/* The predictions of a split's rows, owned by s->pred_cache (valid until the next split is
 * predicted or the model changes): those kept from the last split predicted when nothing they
 * depend on changed since, else predicted now and kept. NULL on an error (reported). */
static const float *split_predictions(app_state *s, const app_command *c, const rnn_xy *xy, int *k, bool *probs)
{
    uint64_t key = pred_key(s, xy);
    struct app_pred_cache *pc = s->pred_cache;
    if (!pc || pc->key != key || pc->n != xy->n) {
        app_pred_cache_free(s);
        if (!(pc = malloc(sizeof *pc))) {
            app_fail(RNN_EINTERNAL, c, "out of memory");
            return NULL;
        }
        pc->p = predict_rows(s, c, xy->x, xy->n, xy->T, &pc->k, &pc->probs);
        if (!pc->p) {
            free(pc);
            return NULL;
        }
        pc->key = key;
        pc->n = xy->n;
        s->pred_cache = pc;
    }
    *k = pc->k;
    *probs = pc->probs;
    return pc->p;
}

/* The class a row of predict's numbers picks: the largest (a single raw output: above 0.5, as
 * Keras's binary accuracy reads it). */
static int predicted_class(const float *p, int k)
{
    if (k == 1) return p[0] > 0.5f;
    int b = 0;
    for (int j = 1; j < k; j++) if (p[j] > p[b]) b = j;
    return b;
}

static int argmax(const float *p, int k)
{
    int b = 0;
    for (int j = 1; j < k; j++) if (p[j] > p[b]) b = j;
    return b;
}

int cmd_report(app_state *s, const app_command *c, const app_args *a)
{
    const char *split;
    int rc = RNN_OK;
    if ((rc = args_choice(a, "split", "test|train", "test", &split)) || (rc = need_model(s, c, false))) return rc;
    rnn_xy xy;
    if ((rc = split_xy(s, c, split, &xy))) return rc;
    int k;
    bool probs;
    const float *p = split_predictions(s, c, &xy, &k, &probs);
    if (!p) return RNN_EDATA;
    int *pred = malloc(sizeof *pred * xy.n);
    rnn_class_report *r = malloc(sizeof *r);
    if (!pred || !r) { free(pred); free(r); return app_fail(RNN_EINTERNAL, c, "out of memory"); }
    for (size_t i = 0; i < xy.n; i++) pred[i] = predicted_class(p + i * (size_t)k, k);
    if (k == 1) k = 2;
    rnn_error err = {0};
    int nc = s->ds->n_classes > k ? s->ds->n_classes : k;
    rc = rnn_classification_report(xy.y, pred, xy.n, nc, r, &err);
    free(pred);
    if (rc != RNN_OK) { free(r); return app_fail_err(c, &err); }
    const char *names[64];
    for (int j = 0; j < nc && j < 64; j++) names[j] = s->ds->class_names[j < s->ds->n_classes ? j : 0];
    char *t = rnn_class_report_format(r, names, 2);
    free(r);
    if (!t) return app_fail(RNN_EINTERNAL, c, "out of memory");
    app_printf("%s", t);
    if (t[0] && t[strlen(t) - 1] != '\n') app_printf("\n");
    free(t);
    return RNN_OK;
}

/* predict and explain need the training data's tokenizer and padding. */
static int need_encoding(const app_state *s, const app_command *cmd)
{
    if (!s->tok) return app_fail(RNN_EUSAGE, cmd, "no tokenizer: run tokenize (or open a saved pipeline)");
    if (s->prep.maxlen <= 0) return app_fail(RNN_EUSAGE, cmd, "no padding: run pad maxlen=N first");
    return RNN_OK;
}

/* Encodes and pads texts exactly as the training data: rows [n][maxlen]. */
static int encode_padded(app_state *s, const app_command *cmd, char *const *texts, size_t n, rnn_imatrix *x)
{
    int rc = need_encoding(s, cmd);
    if (rc) return rc;
    rnn_seqs q = {0};
    rnn_error err = {0};
    rc = rnn_encode_texts(s->tok, s->ngrams, texts, n, &q, &err);
    if (rc == RNN_OK) rc = rnn_prep_apply(&s->prep, &q, x, NULL, &err);
    rnn_seqs_free(&q);
    if (rc != RNN_OK) return app_fail_err(cmd, &err);
    return RNN_OK;
}

/* The bytes of a text predict shows beside its row. */
enum { PREDICT_TEXT_SHOWN = 100 };

static void predict_print(const app_state *s, const float *p, int k, bool probs, const char *text)
{
    if (!probs) app_printf("raw output%s", k > 1 ? "s " : " ");
    for (int j = 0; j < k; j++)
        if (probs || k > 1) app_printf("%s%s %.4f", j ? "  " : "", app_class_name(s, j), p[j]);
        else app_printf("%.6g", p[j]);
    if (probs || k > 1) app_printf("  -> %s", app_class_name(s, argmax(p, k)));
    if (text) {
        /* one line: control characters escaped, a long text cut (output=FILE.csv keeps it whole) */
        char shown[PREDICT_TEXT_SHOWN * 4 + 8];
        size_t len = strlen(text), took = rnn_escape_text(text, len, PREDICT_TEXT_SHOWN, false, shown, sizeof shown - 4);
        app_printf("  %s%s", shown, took < len ? "..." : "");
    }
    app_printf("\n");
}

/* Says once why predict shows raw outputs: the output layer makes no probabilities. */
static void predict_raw_note(const app_state *s)
{
    char call[160] = "";
    rnn_layer *l = rnn_model_layer(s->model, rnn_model_n_layers(s->model) - 1);
    l->kind->describe(l, call, sizeof call);
    app_printf("note: the output layer %s does not end in sigmoid or softmax: these are its raw outputs, not "
               "class probabilities (if they are logits, compile with from_logits=true)\n", call);
}

/* A CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF, quotes doubled. */
static void csv_field(FILE *f, const char *v)
{
    if (!strpbrk(v, ",\"\r\n")) { fputs(v, f); return; }
    fputc('"', f);
    for (const char *p = v; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

/* predict's rows as CSV: line, text, predicted class and each class's probability (or the raw
 * outputs), %.9g (a float read back is the same float). */
static int predict_write_csv(const app_state *s, const app_command *c, const char *path, char *const *texts, size_t n, const float *p,
                             int k, bool probs)
{
    rnn_outfile o;
    rnn_error err = {0};
    if (rnn_outfile_open(&o, path, &err)) return app_fail_err(c, &err);
    fprintf(o.f, "line,text%s", probs || k > 1 ? ",predicted" : "");
    for (int j = 0; j < k; j++) {
        char col[96];
        if (probs) snprintf(col, sizeof col, "p_%s", app_class_name(s, j));
        else snprintf(col, sizeof col, "output_%d", j);
        fputc(',', o.f);
        csv_field(o.f, col);
    }
    fputc('\n', o.f);
    for (size_t i = 0; i < n; i++) {
        const float *pi = p + i * (size_t)k;
        fprintf(o.f, "%zu,", i + 1);
        csv_field(o.f, texts[i]);
        if (probs || k > 1) {
            fputc(',', o.f);
            csv_field(o.f, app_class_name(s, argmax(pi, k)));
        }
        for (int j = 0; j < k; j++) fprintf(o.f, ",%.9g", pi[j]);
        fputc('\n', o.f);
    }
    if (rnn_outfile_commit(&o, &err)) return app_fail_err(c, &err);
    app_printf("wrote %zu %s to %s\n", n, app_noun(n, "prediction", "predictions"), path);
    return RNN_OK;
}

/* Lines of a file (without newlines), each invalid UTF-8 sequence replaced by U+FFFD as in any
 * text; malloc'd. */
static int read_lines(const app_command *cmd, const char *path, char ***lines, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) return app_fail(errno == ENOENT ? RNN_ENOINPUT : RNN_EIO, cmd, "file=%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return app_fail(RNN_ENOINPUT, cmd, "file=%s: is a folder, not a file of texts", path);
    }
    *lines = NULL; *n = 0;
    rnn_line_reader lr = {.f = f, .name = path};
    rnn_error err = {0};
    bool got;
    int rc;
    while ((rc = rnn_line_next(&lr, &got, &err)) == RNN_OK && got) {
        char **v = realloc(*lines, sizeof *v * (*n + 1));
        if (!v || !(v[*n] = rnn_utf8_repaired(lr.buf, lr.len, NULL))) {
            if (v) *lines = v;
            rc = rnn_fail(&err, RNN_EINTERNAL, "file=%s: out of memory", path);
            break;
        }
        *lines = v;
        (*n)++;
    }
    rnn_line_reader_free(&lr);
    fclose(f);
    if (rc) {
        parse_free_strings((int)*n, *lines);
        *lines = NULL; *n = 0;
        return app_fail_err(cmd, &err);
    }
    return RNN_OK;
}

/* One line for the predictions of a whole split: how many texts each class gets (raw outputs: their
 * range), instead of a row per text. */
static void predict_split_summary(const app_state *s, const char *split, const float *p, size_t n, int k, bool probs)
{
    app_printf("predict: %zu %s %s:", n, split, app_noun(n, "text", "texts"));
    if (!probs && k == 1) {
        float lo = p[0], hi = p[0];
        double sum = 0;
        for (size_t i = 0; i < n; i++) { lo = p[i] < lo ? p[i] : lo; hi = p[i] > hi ? p[i] : hi; sum += p[i]; }
        app_printf(" raw outputs from %.4g to %.4g, mean %.4g", lo, hi, sum / (double)n);
    } else {
        size_t counts[64] = {0};
        for (size_t i = 0; i < n; i++) {
            int b = argmax(p + i * (size_t)k, k);
            counts[b < 64 ? b : 63]++;
        }
        for (int j = 0; j < k && j < 64; j++)
            app_printf("%s %s %zu (%.1f%%)", j ? "," : "", app_class_name(s, j), counts[j], 100.0 * (double)counts[j] / (double)n);
    }
    app_printf(" (predict split=%s output=FILE.csv writes a row per text)\n", split);
}

/* predict split=S: every padded text of the split, summed up in a line, or written to output. */
static int predict_split(app_state *s, const app_command *c, const char *split, const char *output)
{
    rnn_xy xy;
    int rc = split_xy(s, c, split, &xy);
    if (rc) return rc;
    int k = 0;
    bool probs = true;
    const float *p = split_predictions(s, c, &xy, &k, &probs);
    if (!p) return RNN_EDATA;
    const rnn_split *sp = strcmp(split, "test") == 0 ? &s->ds->test : &s->ds->train;
    if (output) rc = predict_write_csv(s, c, output, sp->text, xy.n, p, k, probs);
    else {
        if (!probs) predict_raw_note(s);
        predict_split_summary(s, split, p, xy.n, k, probs);
    }
    return rc;
}

int cmd_predict(app_state *s, const app_command *c, const app_args *a)
{
    int rc = RNN_OK;
    if ((rc = need_model(s, c, false))) return rc;
    const char *file = args_get(a, "file"), *split = args_get(a, "split");
    char **texts = NULL; size_t n = 0;
    char *one = args_join(a, 0);
    if ((file != NULL) + (one != NULL) + (split != NULL) > 1) {
        free(one);
        return app_fail(RNN_EUSAGE, c, "expected one of TEXT, file=FILE or split=test|train");
    }
    if (split) {
        const char *choice;
        if ((rc = args_choice(a, "split", "test|train", "test", &choice))) return rc;
        return predict_split(s, c, choice, args_get(a, "output"));
    }
    if (!file && !one) return app_fail(RNN_EUSAGE, c, "expected TEXT, file=FILE or split=test|train");
    if (file) {
        char *in_script_dir = app_input_path(file);
        rc = read_lines(c, in_script_dir ? in_script_dir : file, &texts, &n);
        free(in_script_dir);
        if (rc) return rc;
        if (n == 0) return app_fail(RNN_EDATA, c, "file=%s: no lines", file);
    } else {
        texts = malloc(sizeof *texts);
        if (!texts) { free(one); return app_fail(RNN_EINTERNAL, c, "out of memory"); }
        texts[0] = one; n = 1;
    }
    rc = app_predict_texts(s, c, texts, n, args_get(a, "output"), file != NULL);
    parse_free_strings((int)n, texts);
    return rc;
}

int app_predict_texts(app_state *s, const app_command *c, char *const *texts, size_t n, const char *output, bool show_text)
{
    int rc = need_model(s, c, false);
    rnn_imatrix x = {0};
    if (!rc) rc = encode_padded(s, c, texts, n, &x);
    int k = 0;
    bool probs = true;
    float *p = rc ? NULL : predict_rows(s, c, x.data, n, (int)x.cols, &k, &probs);
    if (!rc && !p) rc = RNN_EDATA;
    if (p && output) {
        rc = predict_write_csv(s, c, output, texts, n, p, k, probs);
    } else if (p) {
        if (!probs) predict_raw_note(s);
        for (size_t i = 0; i < n; i++) predict_print(s, p + i * (size_t)k, k, probs, show_text ? texts[i] : NULL);
    }
    free(p);
    rnn_imatrix_free(&x);
    return rc;
}

int cmd_explain(app_state *s, const app_command *c, const app_args *a)
{
    int rc = RNN_OK;
    if ((rc = need_model(s, c, false)) || (rc = need_encoding(s, c))) return rc;
    char *text = args_join(a, 0);
    if (!text) return app_fail(RNN_EUSAGE, c, "expected TEXT, e.g. explain 'not bad at all'");
    int32_t *ids = NULL; size_t n = 0;
    rnn_error err = {0};
    rc = rnn_tokenizer_encode(s->tok, text, &ids, &n, &err);
    free(text);
    if (rc) return app_fail_err(c, &err);
    if (n == 0) { free(ids); return app_fail(RNN_EDATA, c, "TEXT: no known words after tokenizing"); }
    /* one padded row per prefix: row k holds the first k+1 words, of which padding keeps maxlen
     * (the last ones, or the first with truncating=post): only those are copied, n x maxlen ids */
    size_t keep = (size_t)s->prep.maxlen, total = 0;
    for (size_t k = 0; k < n; k++) total += k + 1 < keep ? k + 1 : keep;
    if ((rc = rnn_mem_check(2 * (uint64_t)total * sizeof *ids, 0, "explain a shorter text", &err,
                            "%zu prefixes of up to %zu token ids", n, keep)))
        { free(ids); return app_fail_err(c, &err); }
    size_t *off = malloc(sizeof *off * (n + 1));
    int32_t *all = malloc(sizeof *all * (total ? total : 1));
    rnn_seqs q = {n, off, all};
    if (!off || !all) { free(off); free(all); free(ids); return app_fail(RNN_EINTERNAL, c, "out of memory"); }
    off[0] = 0;
    for (size_t k = 0; k < n; k++) {
        size_t len = k + 1 < keep ? k + 1 : keep, from = s->prep.trunc_post ? 0 : k + 1 - len;
        memcpy(all + off[k], ids + from, sizeof *ids * len);
        off[k + 1] = off[k] + len;
    }
    rnn_imatrix x = {0};
    rnn_seqs with = {0};
    if (s->ngrams && (rc = rnn_ngrams_apply(s->ngrams, &q, &with, &err)) == RNN_OK) {
        rnn_seqs_free(&q);
        q = with;
    }
    if (rc == RNN_OK) rc = rnn_prep_apply(&s->prep, &q, &x, NULL, &err);
    rnn_seqs_free(&q);
    if (rc) { free(ids); return app_fail_err(c, &err); }
    int k = 0;
    bool probs;
    float *p = predict_rows(s, c, x.data, n, (int)x.cols, &k, &probs);
    rnn_imatrix_free(&x);
    if (!p) { free(ids); return RNN_EDATA; }
    if (!probs) predict_raw_note(s);
    app_printf("%-4s %-18s %-24s %s\n", "#", "word", "prediction", "");
    int prev = -1;
    for (size_t i = 0; i < n; i++) {
        const float *pi = p + i * (size_t)k;
        int b = predicted_class(pi, k);
        const char *w = rnn_tokenizer_word(s->tok, ids[i]);
        char pred[64];
        snprintf(pred, sizeof pred, "%s %.3f", app_class_name(s, b), pi[k == 1 ? 0 : b]);
        if (!w) w = "?";
        app_printf("%-4zu %s%*s %s%*s %s\n", i + 1, w, app_pad_to(w, 18), "", pred, app_pad_to(pred, 24), "",
                   prev >= 0 && b != prev ? "<- flips the decision" : "");
        prev = b;
    }
    free(p);
    free(ids);
    return RNN_OK;
}

/* ---- runs, history, plot, compare, export ---- */

app_run *app_find_run(app_state *s, const app_command *cmd, const char *name)
{
    if (s->n_runs == 0) { app_fail(RNN_EUSAGE, cmd, "no runs yet: fit first"); return NULL; }
    if (!name) return &s->runs[s->n_runs - 1];
    for (int i = 0; i < s->n_runs; i++)
        if (strcmp(s->runs[i].name, name) == 0) return &s->runs[i];
    app_fail(RNN_EUSAGE, cmd, "run '%s': no such run (runs lists them)", name);
    return NULL;
}

int cmd_history(app_state *s, const app_command *c, const app_args *a)
{
    app_run *r = app_find_run(s, c, args_get(a, "run"));
    if (!r) return RNN_EUSAGE;
    const rnn_history *h = &r->hist;
    app_printf("run '%s'\n%5s", r->name, "epoch");
    for (int j = 0; j < h->n_metrics; j++) app_printf(" %*s", (int)(strlen(h->names[j]) > 8 ? strlen(h->names[j]) : 8), h->names[j]);
    app_printf(" %8s\n", "seconds");
    for (int e = 0; e < h->n_epochs; e++) {
        app_printf("%5d", e + 1);
        for (int j = 0; j < h->n_metrics; j++)
            app_printf(" %*.4f", (int)(strlen(h->names[j]) > 8 ? strlen(h->names[j]) : 8), h->values[(size_t)e * (size_t)h->n_metrics + (size_t)j]);
        app_printf(" %8.1f%s\n", h->seconds ? h->seconds[e] : 0.0, e == h->best_epoch ? "  (best, restored)" : "");
    }
    if (h->stop_reason[0]) app_printf("%s\n", h->stop_reason);
    return RNN_OK;
}

/* Column of metric `name` in a history (NAN where absent); malloc'd. */
static double *history_column(const rnn_history *h, const char *name)
{
    double *v = malloc(sizeof *v * (size_t)(h->n_epochs ? h->n_epochs : 1));
    if (!v) return NULL;
    for (int e = 0; e < h->n_epochs; e++) v[e] = rnn_history_get(h, e, name);
    return v;
}

static int chart_print(const app_state *s, const chart_series *sr, int n, int width, int height, const char *title)
{
    /* colours only straight to a terminal (not into the dashboard's log, not for piped commands) */
    bool color = s->tty && !app_watched() && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    char *t = chart_render_text(sr, n, width, height, title, MB_CUR_MAX > 1, color);
    if (!t) return RNN_EINTERNAL;
    app_printf("%s", t);
    if (t[0] && t[strlen(t) - 1] != '\n') app_printf("\n");
    free(t);
    return RNN_OK;
}

/* 72 columns, or fewer when the output is narrower (a dashboard's log panel, a small terminal),
 * so that no chart line wraps; never under the 30 the chart needs. */
static long plot_default_width(const app_state *s)
{
    int cols = output_columns(s);
    return cols > 0 && cols < 72 ? (cols < 30 ? 30 : cols) : 72;
}

int cmd_plot(app_state *s, const app_command *c, const app_args *a)
{
    long width, height;
    int rc = RNN_OK;
    if ((rc = args_long(a, "width", plot_default_width(s), 30, 1000, &width)) ||
        (rc = args_long(a, "height", 16, 6, 200, &height))) return rc;
    const char *metric = args_get(a, "metric") ? args_get(a, "metric") : "loss";
    app_run *r = app_find_run(s, c, args_get(a, "run"));
    if (!r) return RNN_EUSAGE;
    const rnn_history *h = &r->hist;
    char val[48], title[128], lt[64], lv[64];
    snprintf(val, sizeof val, "val_%s", metric);
    double *y = history_column(h, metric), *yv = history_column(h, val);
    bool has = false, has_v = false;
    for (int e = 0; y && yv && e < h->n_epochs; e++) { has |= !isnan(y[e]); has_v |= !isnan(yv[e]); }
    if (!has) {
        free(y); free(yv);
        return app_fail(RNN_EUSAGE, c, "metric=%s: run '%s' has no such metric (history shows its names)", metric, r->name);
    }
    snprintf(lt, sizeof lt, "train %s", metric);
    snprintf(lv, sizeof lv, "validation %s", metric);
    chart_series sr[2] = {{lt, y, h->n_epochs, CHART_TRAIN, 0, 0}, {lv, yv, h->n_epochs, CHART_VALIDATION, 0, 0}};
    snprintf(title, sizeof title, "%s per epoch, run '%s'", metric, r->name);
    rc = chart_print(s, sr, has_v ? 2 : 1, (int)width, (int)height, title);
    free(y); free(yv);
    if (rc) return app_fail(rc, c, "out of memory");
    return RNN_OK;
}

int cmd_runs(app_state *s, const app_command *c, const app_args *a)
{
    (void)c; (void)a;
    if (s->n_runs == 0) { app_printf("no runs yet (fit)\n"); return RNN_OK; }
    app_printf("%-16s %6s %10s %12s %13s  %s\n", "run", "epochs", "loss", "val_loss", "test_accuracy", "stopped");
    for (int i = 0; i < s->n_runs; i++) {
        const rnn_history *h = &s->runs[i].hist;
        int e = h->n_epochs - 1;
        app_printf("%-16s %6d %10.4f %12.4f %13.4f  %s\n", s->runs[i].name, h->n_epochs, e >= 0 ? rnn_history_get(h, e, "loss") : NAN,
                   e >= 0 ? rnn_history_get(h, e, "val_loss") : NAN, s->runs[i].test_accuracy, h->stop_reason);
    }
    return RNN_OK;
}

int cmd_compare(app_state *s, const app_command *c, const app_args *a)
{
    int rc = RNN_OK;
    if (a->npos < 2) return app_fail(RNN_EUSAGE, c, "expected at least two RUN names (runs lists them)");
    const char *metric = args_get(a, "metric") ? args_get(a, "metric") : "val_accuracy";
    chart_series sr[16];
    double *cols[16] = {0};
    int n = 0, shown[16];
    app_printf("%-16s %6s %12s %12s\n", "run", "epochs", "last", "best");
    for (int i = 0; i < a->npos; i++) {
        app_run *r = app_find_run(s, c, a->pos[i]);
        if (!r) { rc = RNN_EUSAGE; break; }
        cols[n] = history_column(&r->hist, metric);
        double last = NAN, best = NAN;
        bool lower = strstr(metric, "loss") != NULL;
        for (int e = 0; cols[n] && e < r->hist.n_epochs; e++) {
            double v = cols[n][e];
            if (isnan(v)) continue;
            last = v;
            if (isnan(best) || (lower ? v < best : v > best)) best = v;
        }
        if (isnan(last)) {
            free(cols[n]);
            rc = app_fail(RNN_EUSAGE, c, "metric=%s: run '%s' has no such metric", metric, r->name);
            break;
        }
        app_printf("%-16s %6d %12.4f %12.4f\n", r->name, r->hist.n_epochs, last, best);
        shown[n] = (int)(r - s->runs);
        sr[n] = (chart_series){r->name, cols[n], r->hist.n_epochs, CHART_OTHER, 0, 0};
        n++;
    }
    if (rc == RNN_OK) app_compared(s, shown, n);
    if (rc == RNN_OK) {
        char title[96];
        snprintf(title, sizeof title, "%s per epoch", metric);
        if ((rc = chart_print(s, sr, n, 72, 16, title))) rc = app_fail(rc, c, "out of memory");
    }
    for (int i = 0; i < n; i++) free(cols[i]);
    return rc;
}

int cmd_export(app_state *s, const app_command *c, const app_args *a)
{
    if (a->npos != 2 || strcmp(a->pos[0], "history") != 0) return app_fail(RNN_EUSAGE, c, "expected: export history FILE.csv [run=RUN]");
    app_run *r = app_find_run(s, c, args_get(a, "run"));
    if (!r) return RNN_EUSAGE;
    rnn_outfile o;
    rnn_error err = {0};
    if (rnn_outfile_open(&o, a->pos[1], &err)) return app_fail_err(c, &err);
    FILE *f = o.f;
    const rnn_history *h = &r->hist;
    fprintf(f, "epoch");
    for (int j = 0; j < h->n_metrics; j++) fprintf(f, ",%s", h->names[j]);
    fprintf(f, ",seconds\n");
    for (int e = 0; e < h->n_epochs; e++) {
        fprintf(f, "%d", e + 1);
        for (int j = 0; j < h->n_metrics; j++) fprintf(f, ",%.9g", h->values[(size_t)e * (size_t)h->n_metrics + (size_t)j]);
        fprintf(f, ",%.6f\n", h->seconds ? h->seconds[e] : 0.0);  /* microseconds: short epochs too */
    }
    if (rnn_outfile_commit(&o, &err)) return app_fail_err(c, &err);
    app_printf("wrote %d %s of run '%s' to %s\n", h->n_epochs, app_noun((unsigned)h->n_epochs, "epoch", "epochs"), r->name,
               a->pos[1]);
    return RNN_OK;
}

/* ---- gradcheck ---- */

int cmd_gradcheck(app_state *s, const app_command *c, const app_args *a)
{
    long samples, seed;
    int rc = RNN_OK;
    if ((rc = args_long(a, "samples", 4, 1, 100000, &samples)) ||
        (rc = args_long(a, "seed", (long)s->seed, 0, 4294967295L, &seed)) || (rc = need_model(s, c, true)))
        return rc;
    rnn_xy xy;
    if ((rc = split_xy(s, c, "train", &xy))) return rc;
    rnn_gradcheck_report *r = malloc(sizeof *r);
    if (!r) return app_fail(RNN_EINTERNAL, c, "out of memory");
    rnn_error err = {0};
    if (rnn_model_gradcheck(s->model, &xy, (int)samples, (unsigned long)seed, r, &err) != RNN_OK) {
        free(r);
        return app_fail_err(c, &err);
    }
    app_printf("%-24s %-16s %8s %14s\n", "layer", "parameter", "checked", "max rel error");
    for (int i = 0; i < r->n_rows; i++)
        app_printf("%-24s %-16s %8zu %14.3e\n", r->rows[i].layer, r->rows[i].param, r->rows[i].checked, r->rows[i].max_rel_error);
    s->gradcheck_error = r->max_rel_error;
    bool ok = r->passed;
    app_printf("largest relative error %.3e, tolerance %.1e: %s\n", r->max_rel_error, r->tolerance, ok ? "passed" : "FAILED");
    double tol = r->tolerance, worst = r->max_rel_error;
    free(r);
    if (!ok) return app_fail(RNN_EDATA, c, "largest relative error %.3e is above the tolerance %.1e", worst, tol);
    return RNN_OK;
}
