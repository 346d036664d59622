/* Session commands: set, status, session save, source, expect, quit. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "app/internal.h"


int app_source_depth;
bool app_source_overflow;

const char *app_data_dir_problem(const char *dir)
{
    struct stat st;
    if (!dir[0]) return "expected a folder name";
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) return "not a folder";
    return NULL;
}

int cmd_set(app_state *s, const app_command *c, const app_args *a)
{
    int rc;
    long seed, threads;
    if ((rc = args_long(a, "seed", (long)s->seed, 0, 4294967295L, &seed)) ||
        (rc = args_long(a, "threads", s->threads, 1, 256, &threads)))
        return rc;
    const char *dir = args_get(a, "data_dir"), *why = dir ? app_data_dir_problem(dir) : NULL;
    if (why) return app_fail(RNN_EUSAGE, c, "data_dir='%s': %s", dir, why);
    s->seed = (unsigned long)seed;
    if (threads != s->threads) {
        rnn_set_threads((int)threads);
        s->threads = rnn_get_threads();
    }
    if (dir) rnn_set_data_dir(dir);
    app_printf("seed=%lu threads=%d data_dir=%s\n", s->seed, s->threads, rnn_data_dir());
    return RNN_OK;
}

int cmd_status(app_state *s, const app_command *c, const app_args *a)
{
    (void)c; (void)a;
    if (s->ds)
        app_printf("data:      %s, %zu train / %zu test, %d %s, from %s\n", s->ds->name, s->ds->train.n,
                   s->ds->test.n, s->ds->n_classes, app_noun((unsigned)s->ds->n_classes, "class", "classes"), s->ds->source);
    else
        app_printf("data:      none (load imdb|sms|csv|dir|lines|demo)\n");
    if (s->tok) {
        const rnn_tokenizer_opts *o = rnn_tokenizer_options(s->tok);
        size_t size = rnn_tokenizer_size(s->tok);
        if (o->style == RNN_TOKENIZER_TEXTVECTORIZATION)
            app_printf("tokenizer: TextVectorization, %zu %s (vocab.size %zu with '' and '[UNK]')%s%.0d\n",
                       size - 1, app_noun(size - 1, "token", "tokens"), size + 1, o->num_words ? ", max_tokens=" : "",
                       o->num_words);
        else
            app_printf("tokenizer: %zu %s (vocab.size %zu), num_words=%d%s%s%s\n", size, app_noun(size, "word", "words"),
                       size + 1, o->num_words, o->oov_token ? ", oov_token='" : "", o->oov_token ? o->oov_token : "",
                       o->oov_token ? "'" : "");
    } else
        app_printf("tokenizer: none (tokenize)\n");
    char value[32] = "";
    if (s->prep.value) snprintf(value, sizeof value, " value=%d", s->prep.value);
    if (s->x_train.data)
        app_printf("padding:   maxlen=%d padding=%s truncating=%s%s (%zu + %zu truncated)\n", s->prep.maxlen,
                   s->prep.pad_post ? "post" : "pre", s->prep.trunc_post ? "post" : "pre", value, s->truncated_train,
                   s->truncated_test);
    else if (s->prep.maxlen > 0)
        app_printf("padding:   maxlen=%d padding=%s truncating=%s%s (from open; applied to the next data set loaded)\n",
                   s->prep.maxlen, s->prep.pad_post ? "post" : "pre", s->prep.trunc_post ? "post" : "pre", value);
    else
        app_printf("padding:   none (pad maxlen=N)\n");
    if (s->pretrained.data) app_printf("vectors:   %zu x %zu pretrained\n", s->pretrained.rows, s->pretrained.cols);
    if (s->model)
        app_printf("model:     %s, %zu %s, %zu %s (%zu trainable), %s\n", rnn_model_name(s->model),
                   rnn_model_n_layers(s->model), app_noun(rnn_model_n_layers(s->model), "layer", "layers"),
                   rnn_model_n_params(s->model), app_noun(rnn_model_n_params(s->model), "param", "params"),
                   rnn_model_n_trainable(s->model),
                   rnn_model_is_compiled(s->model) ? "compiled" : "not compiled");
    else
        app_printf("model:     none (model new; add ...)\n");
    app_printf("runs:      %d\n", s->n_runs);
    app_printf("seed=%lu threads=%d data_dir=%s\n", s->seed, s->threads, rnn_data_dir());
    return RNN_OK;
}

int cmd_session(app_state *s, const app_command *c, const app_args *a)
{
    if (a->npos != 2 || strcmp(a->pos[0], "save") != 0) return app_fail(RNN_EUSAGE, c, "expected: session save FILE");
    const char *path = a->pos[1];
    rnn_outfile o;
    rnn_error err = {0};
    if (rnn_outfile_open(&o, path, &err)) return app_fail_err(c, &err);
    time_t now = time(NULL);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
    fprintf(o.f, "# rnnlab %s session, saved %s; replay with: rnnlab %s\n", rnn_version(), when, path);
    fprintf(o.f, "set seed=%lu\n", s->start_seed);
    for (int i = 0; i < s->n_session; i++) fprintf(o.f, "%s\n", s->session[i]);
    if (rnn_outfile_commit(&o, &err)) return app_fail_err(c, &err);
    app_printf("wrote %d %s to %s\n", s->n_session, app_noun((unsigned)s->n_session, "command", "commands"), path);
    return RNN_OK;
}

int cmd_source(app_state *s, const app_command *c, const app_args *a)
{
    int rc;
    if (a->npos != 1) return app_fail(RNN_EUSAGE, c, "expected a script FILE");
    if (app_source_depth >= 16) {
        app_source_overflow = true;
        return app_fail(RNN_EUSAGE, c, "'%s': scripts nested too deep (a script sourcing itself?)", a->pos[0]);
    }
    char *in_script_dir = app_input_path(a->pos[0]);
    app_source_depth++;
    rc = app_exec_file(s, in_script_dir ? in_script_dir : a->pos[0]);
    if (--app_source_depth == 0) app_source_overflow = false;
    free(in_script_dir);
    return rc == APP_QUIT ? APP_QUIT : rc;
}

static const char *time_outcome(int rc)
{
    return rc == APP_INTERRUPTED ? " (interrupted)" : rc ? " (failed)" : "";
}

/* time COMMAND [ARGS...]: runs the command, then reports its wall time (as a shell's `time`). */
int cmd_time(app_state *s, const app_command *c, const app_args *a)
{
    if (a->npos < 1) return app_fail(RNN_EUSAGE, c, "expected a command to time, e.g. time evaluate");
    if (strcmp(a->pos[0], c->name) == 0) return app_fail(RNN_EUSAGE, c, "expected a command other than time");
    double t0 = rnn_now();
    int rc = app_dispatch(s, a->npos, a->pos);
    double sec = rnn_now() - t0;
    if (rc == APP_QUIT) return rc;
    if (sec < 1.0)
        app_printf("time: %s took %.3f ms%s\n", a->pos[0], sec * 1e3, time_outcome(rc));
    else
        app_printf("time: %s took %.3f s%s\n", a->pos[0], sec, time_outcome(rc));
    return rc;
}

int cmd_quit(app_state *s, const app_command *c, const app_args *a)
{
    (void)s; (void)c; (void)a;
    return APP_QUIT;
}

/* ---- expect ---- */

static int expect_need(const app_command *c, bool ok, const char *name, const char *what)
{
    if (!ok) return app_fail(RNN_EUSAGE, c, "%s: no value yet (%s)", name, what);
    return RNN_OK;
}

/* NAME or val_NAME of the last epoch of the last run, epochs, best_epoch. */
static int expect_history(app_state *s, const app_command *c, const char *name, double *v)
{
    const rnn_history *h = s->n_runs > 0 ? &s->runs[s->n_runs - 1].hist : NULL;
    *v = NAN;
    if (h && strcmp(name, "epochs") == 0) *v = h->n_epochs;
    else if (h && strcmp(name, "best_epoch") == 0) *v = h->best_epoch + 1;
    else if (h && h->n_epochs > 0) *v = rnn_history_get(h, h->n_epochs - 1, name);
    if (!isnan(*v)) return RNN_OK;
    return app_fail(RNN_EUSAGE, c, "'%s': unknown name or no value yet: expected test.accuracy, val_accuracy, "
                    "vocab.size, train.count, stats.mean, model.params, ... (help expect)", name);
}

/* test.METRIC, train.METRIC: a compiled metric, evaluated if the last evaluate was of another split. */
static int expect_eval(app_state *s, const app_command *c, const char *name, double *v)
{
    const char *split = strncmp(name, "test.", 5) == 0 ? "test" : "train", *metric = strchr(name, '.') + 1;
    if (strcmp(metric, "acc") == 0) metric = "accuracy";
    rnn_eval e;
    int rc;
    if (s->last_eval.n > 0 && strcmp(s->last_eval_split, split) == 0) e = s->last_eval;
    else if ((rc = app_evaluate(s, c, split, APP_EVAL_BATCH, &e))) return rc;
    for (int i = 0; i < e.n; i++)
        if (strcmp(e.names[i], metric) == 0) { *v = e.values[i]; return RNN_OK; }
    return app_fail(RNN_EUSAGE, c, "%s.%s: the model has no metric '%s' (compile metrics=...)", split, metric, metric);
}

/* train.count, test.count, classes */
static int expect_data(app_state *s, const app_command *c, const char *name, double *v)
{
    int rc = expect_need(c, s->ds != NULL, name, "load a data set");
    if (rc) return rc;
    *v = strcmp(name, "classes") == 0 ? s->ds->n_classes : (double)(name[1] == 'e' ? s->ds->test.n : s->ds->train.n);
    return RNN_OK;
}

/* stats.count, stats.mean, ..., stats.P% or stats.pP: word counts of the train split. */
static int expect_stats(app_state *s, const app_command *c, const char *name, double *v)
{
    const char *what = name + strlen("stats.");
    double pct[RNN_MAX_PERCENTILES];
    int n_pct = 0;
    bool is_pct = false;
    double want = 0;
    if (what[0] == 'p' && str_to_double(what + 1, &want)) is_pct = true;
    else {
        char buf[32];
        snprintf(buf, sizeof buf, "%s", what);
        size_t l = strlen(buf);
        if (l > 1 && buf[l - 1] == '%') { buf[l - 1] = 0; is_pct = str_to_double(buf, &want); }
    }
    if (is_pct) pct[n_pct++] = want / 100;
    rnn_describe d;
    int rc = app_describe(s, c, "train", pct, n_pct, &d);
    if (rc) return rc;
    if (is_pct) *v = d.value[0];
    else if (strcmp(what, "count") == 0) *v = (double)d.count;
    else if (strcmp(what, "mean") == 0) *v = d.mean;
    else if (strcmp(what, "std") == 0) *v = d.std;
    else if (strcmp(what, "min") == 0) *v = d.min;
    else if (strcmp(what, "max") == 0) *v = d.max;
    else return app_fail(RNN_EUSAGE, c, "stats.%s: expected stats.count, mean, std, min, max or a percentile like stats.50%%", what);
    return RNN_OK;
}

static int expect_vocab(app_state *s, const app_command *c, const char *name, double *v)
{
    int rc = expect_need(c, s->tok != NULL, name, "tokenize first");
    if (rc) return rc;
    size_t n = rnn_tokenizer_size(s->tok);
    if (strcmp(name, "vocab.size") == 0) *v = (double)(n + 1);
    else if (strcmp(name, "vocab.words") == 0) *v = (double)n;
    else return app_fail(RNN_EUSAGE, c, "%s: expected vocab.size or vocab.words", name);
    return RNN_OK;
}

static int expect_model(app_state *s, const app_command *c, const char *name, double *v)
{
    int rc = expect_need(c, s->model != NULL, name, "build a model first");
    if (rc) return rc;
    const char *w = name + strlen("model.");
    if (strcmp(w, "params") == 0) *v = (double)rnn_model_n_params(s->model);
    else if (strcmp(w, "trainable") == 0) *v = (double)rnn_model_n_trainable(s->model);
    else if (strcmp(w, "non_trainable") == 0) *v = (double)(rnn_model_n_params(s->model) - rnn_model_n_trainable(s->model));
    else if (strcmp(w, "layers") == 0) *v = (double)rnn_model_n_layers(s->model);
    else return app_fail(RNN_EUSAGE, c, "%s: expected model.params, model.trainable, model.non_trainable or model.layers", name);
    return RNN_OK;
}

/* pad.maxlen, pad.truncated */
static int expect_pad(app_state *s, const app_command *c, const char *name, double *v)
{
    bool maxlen = strcmp(name, "pad.maxlen") == 0;
    if (!maxlen && strcmp(name, "pad.truncated") != 0)
        return app_fail(RNN_EUSAGE, c, "%s: expected pad.maxlen or pad.truncated", name);
    int rc = expect_need(c, s->x_train.data != NULL, name, "pad first");
    if (rc) return rc;
    *v = maxlen ? s->prep.maxlen : (double)(s->truncated_train + s->truncated_test);
    return RNN_OK;
}

static int expect_gradcheck(app_state *s, const app_command *c, const char *name, double *v)
{
    if (strcmp(name, "gradcheck.error") != 0) return app_fail(RNN_EUSAGE, c, "%s: expected gradcheck.error", name);
    int rc = expect_need(c, !isnan(s->gradcheck_error), name, "run gradcheck first");
    if (rc) return rc;
    *v = s->gradcheck_error;
    return RNN_OK;
}

static int expect_embeddings(app_state *s, const app_command *c, const char *name, double *v)
{
    if (strcmp(name, "embeddings.rows") != 0) return app_fail(RNN_EUSAGE, c, "%s: expected embeddings.rows", name);
    int rc = expect_need(c, s->pretrained.data != NULL, name, "embeddings load first");
    if (rc) return rc;
    *v = (double)s->pretrained.rows;
    return RNN_OK;
}

typedef int expect_getter(app_state *s, const app_command *c, const char *name, double *v);
#define EXPECT_NAME_ENTRY(name, after, get) {name, get},
static const struct expect_name { const char *name; expect_getter *get; } expect_names[] = {
    APP_EXPECT_NAMES(EXPECT_NAME_ENTRY)
};
#undef EXPECT_NAME_ENTRY

/* The current value of `name`: a name of the list, else one of the same family (the part up to
 * its '.': test.precision, stats.90%), else a metric of the last run (val_precision). */
static int expect_value(app_state *s, const app_command *c, const char *name, double *v)
{
    const char *dot = strchr(name, '.');
    size_t family = dot ? (size_t)(dot - name) + 1 : 0;
    expect_getter *get = expect_history;
    for (size_t i = 0; i < sizeof expect_names / sizeof expect_names[0]; i++) {
        if (strcmp(expect_names[i].name, name) == 0) return expect_names[i].get(s, c, name, v);
        if (family && get == expect_history && strncmp(expect_names[i].name, name, family) == 0) get = expect_names[i].get;
    }
    return get(s, c, name, v);
}

/* Integers as integers (model.params = 6330754), other values with 6 significant digits. */
static const char *expect_number(double v, char *buf, size_t n)
{
    if (v == floor(v) && fabs(v) < 1e15) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "%.6g", v);
    return buf;
}

int cmd_expect(app_state *s, const app_command *c, const app_args *a)
{
    int rc;
    if (a->npos != 3) return app_fail(RNN_EUSAGE, c, "expected NAME OP VALUE, e.g. expect test.accuracy >= 0.85");
    const char *name = a->pos[0], *op = a->pos[1];
    double want, tol, got = NAN;
    static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};
    int k = -1;
    for (int i = 0; i < 6; i++) if (strcmp(op, ops[i]) == 0) k = i;
    if (k < 0) return app_fail(RNN_EUSAGE, c, "OP '%s': expected one of == != < <= > >=", op);
    if (!str_to_double(a->pos[2], &want)) return app_fail(RNN_EUSAGE, c, "VALUE '%s': expected a number", a->pos[2]);
    if ((rc = args_double(a, "tol", 1e-6, 0, 1e300, &tol))) return rc;
    if ((rc = expect_value(s, c, name, &got))) return rc;
    bool eq = fabs(got - want) <= tol * fmax(1.0, fabs(want));
    bool ok = k == 0 ? eq : k == 1 ? !eq : k == 2 ? got < want : k == 3 ? got <= want : k == 4 ? got > want : got >= want;
    char num[64];
    if (!ok) return app_fail(RNN_EDATA, c, "%s %s %s failed: %s is %s", name, op, a->pos[2], name,
                             expect_number(got, num, sizeof num));
    app_printf("ok: %s = %s %s %s\n", name, expect_number(got, num, sizeof num), op, a->pos[2]);
    return RNN_OK;
}
