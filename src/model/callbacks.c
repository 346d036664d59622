/* Keras callbacks at every epoch's end, as Keras 3 runs them (keras/src/callbacks/):
 *   EarlyStopping      mode auto from the metric's direction (loss down; accuracy, precision,
 *                      recall, auc up); improvement = monitor_op(current - min_delta, best) with
 *                      min_delta negated when minimizing; the first monitored epoch's weights kept
 *                      as best before comparing; wait reset only when the baseline is beaten too;
 *                      stop once wait >= patience after epoch 0; nothing before start_from_epoch.
 *   ReduceLROnPlateau  mode auto: max when "acc" is in the monitor's name, else min; improvement
 *                      = current < best - min_delta (or > best + min_delta); in cooldown the
 *                      counter goes down and wait is reset; after patience epochs without
 *                      improvement lr = max(lr * factor, min_lr) when lr > min_lr, then cooldown.
 *   ModelCheckpoint    the monitor's direction as EarlyStopping; best starts at
 *                      initial_value_threshold (else +-inf); save_best_only saves on improvement,
 *                      otherwise every epoch; filepath formatted with {epoch} and the logs. */
#include "config.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/train.h"
#include "train_internal.h"

static const char *const es_keys[] = {"monitor", "min_delta", "patience", "verbose", "mode", "baseline",
                                      "restore_best_weights", "start_from_epoch", NULL};
static const char *const lr_keys[] = {"monitor", "factor", "patience", "verbose", "mode", "min_delta", "cooldown",
                                      "min_lr", NULL};
static const char *const ck_keys[] = {"filepath", "monitor", "verbose", "save_best_only", "save_weights_only", "mode",
                                      "save_freq", "initial_value_threshold", "options", NULL};

static int copy_string(const rnn_call *c, int pos, const char *key, const char *dflt, char *out, size_t n,
                       rnn_error *err)
{
    const char *v;
    int rc = rnn_call_string(c, pos, key, dflt, &v, err);
    if (rc)
        return rc;
    if (!v)
        v = "";
    if (strlen(v) >= n)
        return rnn_fail(err, RNN_EUSAGE, "%s: '%s' is longer than %zu characters", c->name, key, n - 1);
    snprintf(out, n, "%s", v);
    return RNN_OK;
}

static int check_mode(const rnn_call *c, rnn_callback *cb, rnn_error *err)
{
    const char *mode;
    int rc = rnn_call_string(c, -1, "mode", "auto", &mode, err);
    if (rc)
        return rc;
    if (strcmp(mode, "auto") && strcmp(mode, "min") && strcmp(mode, "max"))
        return rnn_fail(err, RNN_EUSAGE, "%s: mode='%.40s' (expected 'auto', 'min' or 'max')", c->name, mode);
    snprintf(cb->mode, sizeof cb->mode, "%s", mode);
    return RNN_OK;
}

static int int_arg(const rnn_call *c, const char *key, long dflt, long lo, int *out, rnn_error *err)
{
    long v;
    int rc = rnn_call_int(c, -1, key, dflt, &v, err);
    if (rc)
        return rc;
    if (v < lo || v > 1000000000L)
        return rnn_fail(err, RNN_EUSAGE, "%s: %s=%ld must be >= %ld", c->name, key, v, lo);
    *out = (int)v;
    return RNN_OK;
}

static int parse_early_stopping(const rnn_call *c, rnn_callback *cb, rnn_error *err)
{
    int rc;
    const rnn_value *base = rnn_call_arg(c, -1, "baseline");
    if ((rc = rnn_call_check_keys(c, 0, es_keys, err)) ||
        (rc = copy_string(c, -1, "monitor", "val_loss", cb->monitor, sizeof cb->monitor, err)) ||
        (rc = rnn_call_float(c, -1, "min_delta", 0, &cb->min_delta, err)) ||
        (rc = int_arg(c, "patience", 0, 0, &cb->patience, err)) || (rc = int_arg(c, "verbose", 0, 0, &cb->verbose, err)) ||
        (rc = check_mode(c, cb, err)) || (rc = rnn_call_float(c, -1, "baseline", NAN, &cb->baseline, err)) ||
        (rc = rnn_call_bool(c, -1, "restore_best_weights", false, &cb->restore_best_weights, err)) ||
        (rc = int_arg(c, "start_from_epoch", 0, 0, &cb->start_from_epoch, err)))
        return rc;
    (void)base;
    cb->min_delta = fabs(cb->min_delta);
    return RNN_OK;
}

static int parse_reduce_lr(const rnn_call *c, rnn_callback *cb, rnn_error *err)
{
    int rc;
    if ((rc = rnn_call_check_keys(c, 0, lr_keys, err)) ||
        (rc = copy_string(c, -1, "monitor", "val_loss", cb->monitor, sizeof cb->monitor, err)) ||
        (rc = rnn_call_float(c, -1, "factor", 0.1, &cb->factor, err)) ||
        (rc = int_arg(c, "patience", 10, 0, &cb->patience, err)) || (rc = int_arg(c, "verbose", 0, 0, &cb->verbose, err)) ||
        (rc = check_mode(c, cb, err)) || (rc = rnn_call_float(c, -1, "min_delta", 1e-4, &cb->min_delta, err)) ||
        (rc = int_arg(c, "cooldown", 0, 0, &cb->cooldown, err)) || (rc = rnn_call_float(c, -1, "min_lr", 0, &cb->min_lr, err)))
        return rc;
    if (!(cb->factor < 1.0))
        return rnn_fail(err, RNN_EUSAGE, "%s: factor=%g: a factor >= 1.0 does not reduce the learning rate", c->name,
                        cb->factor);
    if (!(cb->factor > 0) || !(cb->min_lr >= 0))
        return rnn_fail(err, RNN_EUSAGE, "%s: expected factor > 0 and min_lr >= 0", c->name);
    return RNN_OK;
}

static int parse_checkpoint(const rnn_call *c, rnn_callback *cb, rnn_error *err)
{
    int rc;
    bool weights_only;
    const char *freq;
    if ((rc = rnn_call_check_keys(c, 2, ck_keys, err)) ||
        (rc = copy_string(c, 0, "filepath", NULL, cb->filepath, sizeof cb->filepath, err)) ||
        (rc = copy_string(c, 1, "monitor", "val_loss", cb->monitor, sizeof cb->monitor, err)) ||
        (rc = int_arg(c, "verbose", 0, 0, &cb->verbose, err)) ||
        (rc = rnn_call_bool(c, -1, "save_best_only", false, &cb->save_best_only, err)) ||
        (rc = rnn_call_bool(c, -1, "save_weights_only", false, &weights_only, err)) || (rc = check_mode(c, cb, err)) ||
        (rc = rnn_call_string(c, -1, "save_freq", "epoch", &freq, err)) ||
        (rc = rnn_call_float(c, -1, "initial_value_threshold", NAN, &cb->baseline, err)))
        return rc;
    if (!cb->filepath[0])
        return rnn_fail(err, RNN_EUSAGE, "%s: expected a filepath, e.g. ModelCheckpoint('best.rnnlab', save_best_only=True)",
                        c->name);
    if (weights_only)
        return rnn_fail(err, RNN_EUSAGE, "%s: save_weights_only=True is not supported: rnnlab saves the whole pipeline "
                        "(tokenizer, model, weights, optimizer)", c->name);
    if (strcmp(freq, "epoch") != 0)
        return rnn_fail(err, RNN_EUSAGE, "%s: save_freq='%s' is not supported: rnnlab saves at epoch ends (save_freq='epoch')",
                        c->name, freq);
    if (rnn_call_arg(c, -1, "options") && rnn_call_arg(c, -1, "options")->type != RNN_VAL_NONE)
        return rnn_fail(err, RNN_EUSAGE, "%s: options= is not supported", c->name);
    return RNN_OK;
}

int rnn_callback_parse(const char *keras_call, rnn_callback *out, rnn_error *err)
{
    rnn_call *c;
    memset(out, 0, sizeof *out);
    out->baseline = NAN;
    int rc = rnn_call_parse(keras_call, &c, err);
    if (rc)
        return rc;
    if (!strcmp(c->name, "EarlyStopping")) {
        out->kind = RNN_CALLBACK_EARLY_STOPPING;
        rc = parse_early_stopping(c, out, err);
    } else if (!strcmp(c->name, "ReduceLROnPlateau")) {
        out->kind = RNN_CALLBACK_REDUCE_LR;
        rc = parse_reduce_lr(c, out, err);
    } else if (!strcmp(c->name, "ModelCheckpoint")) {
        out->kind = RNN_CALLBACK_CHECKPOINT;
        rc = parse_checkpoint(c, out, err);
    } else
        rc = rnn_fail(err, RNN_EUSAGE, "callback %s is not supported (rnnlab runs EarlyStopping, ReduceLROnPlateau and "
                      "ModelCheckpoint)", c->name);
    rnn_call_free(c);
    return rc;
}

/* ---- during fit ---- */

int callbacks_monitor_direction(const char *monitor)
{
    const char *name = strncmp(monitor, "val_", 4) == 0 ? monitor + 4 : monitor;
    if (!strcmp(name, "loss"))
        return -1;
    static const char *const up[] = {"accuracy", "acc", "precision", "recall", "auc", NULL};
    for (int i = 0; up[i]; i++)
        if (!strcmp(name, up[i]))
            return 1;
    return 0;
}

static const char *kind_name(rnn_callback_kind k)
{
    return k == RNN_CALLBACK_EARLY_STOPPING ? "EarlyStopping" : k == RNN_CALLBACK_REDUCE_LR ? "ReduceLROnPlateau"
           : "ModelCheckpoint";
}

int callbacks_begin(callback_run *runs, const rnn_fit_opts *o, char names[][32], int n_cols, rnn_error *err)
{
    for (int i = 0; i < o->n_callbacks; i++) {
        const rnn_callback *cb = &o->callbacks[i];
        callback_run *r = &runs[i];
        memset(r, 0, sizeof *r);
        r->cb = cb;
        r->col = -1;
        for (int j = 0; j < n_cols; j++)
            if (!strcmp(names[j], cb->monitor))
                r->col = j;
        if (r->col < 0) {
            char list[512] = "";
            for (int j = 0; j < n_cols; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "", names[j]);
            return rnn_fail(err, RNN_EUSAGE, "%s: monitor='%s' is not a quantity of this fit (%s)%s",
                            kind_name(cb->kind), cb->monitor, list,
                            strncmp(cb->monitor, "val_", 4) ? "" : "; val_ quantities need validation_split or validation_data");
        }
        if (cb->kind == RNN_CALLBACK_CHECKPOINT && !o->save)
            return rnn_fail(err, RNN_EUSAGE, "ModelCheckpoint: this caller cannot save files");
        int dir;
        if (!strcmp(cb->mode, "min"))
            dir = -1;
        else if (!strcmp(cb->mode, "max"))
            dir = 1;
        else if (cb->kind == RNN_CALLBACK_REDUCE_LR)
            dir = strstr(cb->monitor, "acc") ? 1 : -1;
        else if (!(dir = callbacks_monitor_direction(cb->monitor)))
            return rnn_fail(err, RNN_EUSAGE, "%s: cannot tell whether monitor='%s' should go up or down: give "
                            "mode='max' or mode='min'", kind_name(cb->kind), cb->monitor);
        r->minimize = dir < 0;
        if (cb->kind == RNN_CALLBACK_EARLY_STOPPING) {
            early_stop_setup(&r->es, r->minimize, cb->min_delta, cb->patience, cb->restore_best_weights,
                             cb->baseline);
        } else if (cb->kind == RNN_CALLBACK_REDUCE_LR) {
            r->min_delta = cb->min_delta;
            r->best = r->minimize ? INFINITY : -INFINITY;
        } else {
            r->min_delta = r->minimize ? -fabs(cb->min_delta) : fabs(cb->min_delta);
            r->best = r->minimize ? INFINITY : -INFINITY;
            if (!isnan(cb->baseline))
                r->best = cb->baseline;
        }
    }
    return RNN_OK;
}

static bool improves(const callback_run *r, double current, double reference)
{
    double v = current - r->min_delta;
    return r->minimize ? v < reference : v > reference;
}

/* EarlyStopping.on_epoch_end (from start_from_epoch on); true = stop. */
static bool early_stopping_end(callback_run *r, rnn_model *m, double current, int e)
{
    if (e < r->cb->start_from_epoch)
        return false;
    return early_stop_after_epoch(&r->es, m, train_state_get(m), e, current);
}

/* ReduceLROnPlateau.on_epoch_end */
static void reduce_lr_end(callback_run *r, const rnn_fit_opts *o, train_state *st, double current, int e, int base)
{
    const rnn_callback *cb = r->cb;
    bool in_cooldown = r->cooldown_counter > 0;
    if (in_cooldown) {
        r->cooldown_counter--;
        r->wait = 0;
    }
    bool better = r->minimize ? current < r->best - r->min_delta : current > r->best + r->min_delta;
    if (better) {
        r->best = current;
        r->wait = 0;
    } else if (!(r->cooldown_counter > 0)) {
        r->wait++;
        if (r->wait >= cb->patience) {
            /* Keras reads the rate back from its float32 variable */
            double old_lr = (float)st->opt.cfg.learning_rate;
            if (old_lr > (float)cb->min_lr) {
                double new_lr = old_lr * cb->factor;
                if (new_lr < cb->min_lr)
                    new_lr = cb->min_lr;
                st->opt.cfg.learning_rate = new_lr;
                if (cb->verbose > 0)
                    train_tell(o->note, o->user, "Epoch %d: ReduceLROnPlateau reducing learning rate to %g.", base + e + 1, new_lr);
                r->cooldown_counter = cb->cooldown;
                r->wait = 0;
            }
        }
    }
}

/* Python's str.format of a ModelCheckpoint filepath: {epoch}, {epoch:02d}, {val_loss:.2f}, ... */
static int format_path(const char *pat, int epoch, char names[][32], int n_cols, const double *row, char *out,
                       size_t n, rnn_error *err)
{
    size_t o = 0;
    for (const char *p = pat; *p; p++) {
        if (o + 1 >= n)
            return rnn_fail(err, RNN_EUSAGE, "ModelCheckpoint: the file path is too long");
        if ((*p == '{' && p[1] == '{') || (*p == '}' && p[1] == '}')) {
            out[o++] = *p++;
            continue;
        }
        if (*p != '{') {
            out[o++] = *p;
            continue;
        }
        const char *close = strchr(p, '}');
        if (!close)
            return rnn_fail(err, RNN_EUSAGE, "ModelCheckpoint: unbalanced '{' in filepath '%s'", pat);
        char field[64] = "", spec[32] = "";
        size_t len = (size_t)(close - p - 1);
        const char *colon = memchr(p + 1, ':', len);
        size_t flen = colon ? (size_t)(colon - p - 1) : len;
        if (flen >= sizeof field || (colon && (size_t)(close - colon - 1) >= sizeof spec))
            return rnn_fail(err, RNN_EUSAGE, "ModelCheckpoint: a field of filepath '%s' is too long", pat);
        memcpy(field, p + 1, flen);
        if (colon)
            memcpy(spec, colon + 1, (size_t)(close - colon - 1));
        double v = NAN;
        bool integer = false;
        if (!strcmp(field, "epoch")) {
            v = epoch;
            integer = true;
        } else
            for (int j = 0; j < n_cols; j++)
                if (!strcmp(names[j], field))
                    v = row[j];
        if (isnan(v) && strcmp(field, "epoch"))
            return rnn_fail(err, RNN_EUSAGE, "ModelCheckpoint: filepath '%s' names {%s}, which is not a quantity "
                            "of this fit", pat, field);
        /* the format spec: [0][width][.precision][d|f|e|g] */
        int width = 0, prec = -1;
        bool zero = false;
        char type = integer ? 'd' : 0;
        const char *q = spec;
        if (*q == '0') { zero = true; q++; }
        while (*q >= '0' && *q <= '9') width = width * 10 + (*q++ - '0');
        if (*q == '.') { prec = 0; q++; while (*q >= '0' && *q <= '9') prec = prec * 10 + (*q++ - '0'); }
        if (*q == 'd' || *q == 'f' || *q == 'e' || *q == 'g') type = *q++;
        if (*q || width > 64 || prec > 30)
            return rnn_fail(err, RNN_EUSAGE, "ModelCheckpoint: format '%s' of {%s} is not supported", spec, field);
        char num[128];
        if (type == 'd')
            snprintf(num, sizeof num, zero ? "%0*ld" : "%*ld", width, (long)v);
        else if (type)
            snprintf(num, sizeof num, zero ? (type == 'f' ? "%0*.*f" : type == 'e' ? "%0*.*e" : "%0*.*g")
                                           : (type == 'f' ? "%*.*f" : type == 'e' ? "%*.*e" : "%*.*g"),
                     width, prec < 0 ? 6 : prec, v);
        else
            snprintf(num, sizeof num, "%.17g", v);   /* Python's repr of a float */
        size_t nl = strlen(num);
        if (o + nl >= n)
            return rnn_fail(err, RNN_EUSAGE, "ModelCheckpoint: the file path is too long");
        memcpy(out + o, num, nl);
        o += nl;
        p = close;
    }
    out[o] = 0;
    return RNN_OK;
}

/* ModelCheckpoint.on_epoch_end */
static int checkpoint_end(callback_run *r, const rnn_fit_opts *o, char names[][32], int n_cols, const double *row,
                          double current, int e, int base, rnn_error *err)
{
    const rnn_callback *cb = r->cb;
    char path[1200];
    int rc = format_path(cb->filepath, base + e + 1, names, n_cols, row, path, sizeof path, err);
    if (rc)
        return rc;
    if (cb->save_best_only) {
        if (!improves(r, current, r->best)) {
            if (cb->verbose > 0)
                train_tell(o->note, o->user, "Epoch %d: %s did not improve from %.5f", base + e + 1, cb->monitor, r->best);
            return RNN_OK;
        }
        if (cb->verbose > 0)
            train_tell(o->note, o->user, "Epoch %d: %s improved from %.5f to %.5f, saving model to %s", base + e + 1, cb->monitor, r->best,
                 current, path);
        r->best = current;
    } else if (cb->verbose > 0)
        train_tell(o->note, o->user, "Epoch %d: saving model to %s", base + e + 1, path);
    rnn_error e2 = {0};
    if ((rc = o->save(path, o->user, &e2)))
        return rnn_fail(err, rc, "ModelCheckpoint: %s", e2.msg);
    return RNN_OK;
}

int callbacks_epoch_end(callback_run *runs, const rnn_fit_opts *o, rnn_model *m, train_state *st,
                        char names[][32], int n_cols, const double *row, int e, int base, bool *stop, char *reason,
                        size_t n, rnn_error *err)
{
    for (int i = 0; i < o->n_callbacks; i++) {
        callback_run *r = &runs[i];
        double current = row[r->col];
        if (isnan(current))
            continue;   /* Keras: a missing value is skipped with a warning */
        int rc;
        switch (r->cb->kind) {
        case RNN_CALLBACK_EARLY_STOPPING:
            if (early_stopping_end(r, m, current, e) && !*stop) {
                *stop = true;
                early_stop_reason(&r->es, r->cb->monitor, base, reason, n);
            }
            break;
        case RNN_CALLBACK_REDUCE_LR:
            reduce_lr_end(r, o, st, current, e, base);
            break;
        case RNN_CALLBACK_CHECKPOINT:
            if ((rc = checkpoint_end(r, o, names, n_cols, row, current, e, base, err)))
                return rc;
            break;
        }
    }
    return RNN_OK;
}

int callbacks_end(callback_run *runs, int n_runs, rnn_model *m)
{
    int restored = -1;
    for (int i = 0; i < n_runs; i++) {
        int best = early_stop_restore(&runs[i].es, m, train_state_get(m));
        if (best >= 0)
            restored = best;
    }
    return restored;
}

uint64_t callbacks_bytes(const rnn_fit_opts *o, uint64_t kept_bytes)
{
    uint64_t b = 0;
    for (int i = 0; i < o->n_callbacks; i++)
        if (o->callbacks[i].kind == RNN_CALLBACK_EARLY_STOPPING && o->callbacks[i].restore_best_weights)
            b += kept_bytes;
    return b;
}
