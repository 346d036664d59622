/* save / open: the whole pipeline (tokenizer, padding, model, weights, optimizer state, runs) in one file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/internal.h"
#include "app/python.h"


int app_pipeline_save(app_state *s, const char *path, rnn_error *err)
{
    rnn_pipeline p = {0};
    p.tokenizer = s->tok;
    p.ngrams = s->ngrams;
    p.prep = s->prep;   /* also when no data is loaded: an opened pipeline's padding is kept */
    p.model = s->model;
    p.n_classes = s->ds ? s->ds->n_classes : s->n_saved_classes;
    p.class_names = s->ds ? s->ds->class_names : s->saved_classes;
    p.n_runs = s->n_runs;
    p.run_names = malloc(sizeof *p.run_names * (size_t)(s->n_runs + 1));
    p.runs = malloc(sizeof *p.runs * (size_t)(s->n_runs + 1));
    if (!p.run_names || !p.runs) { free(p.run_names); free(p.runs); return rnn_fail(err, RNN_EINTERNAL, "out of memory"); }
    for (int i = 0; i < s->n_runs; i++) { p.run_names[i] = s->runs[i].name; p.runs[i] = s->runs[i].hist; }
    int rc = rnn_pipeline_save(path, &p, err);
    free(p.run_names); free(p.runs);
    return rc;
}

int cmd_save(app_state *s, const app_command *c, const app_args *a)
{
    if (a->npos != 1) return app_fail(RNN_EUSAGE, c, "expected a FILE name");
    if (!s->tok && !s->model) return app_fail(RNN_EUSAGE, c, "nothing to save: tokenize or build a model first");
    rnn_error err = {0};
    if (app_pipeline_save(s, a->pos[0], &err) != RNN_OK) return app_fail_err(c, &err);
    app_printf("saved %s%s%s to %s\n", s->tok ? "tokenizer" : "", s->tok && s->model ? ", " : "", s->model ? "model" : "", a->pos[0]);
    return RNN_OK;
}

int cmd_open(app_state *s, const app_command *c, const app_args *a)
{
    int rc;
    if (a->npos != 1) return app_fail(RNN_EUSAGE, c, "expected a FILE written by save");
    rnn_pipeline p = {0};
    rnn_error err = {0};
    char *in_script_dir = app_input_path(a->pos[0]);
    rc = rnn_pipeline_open(in_script_dir ? in_script_dir : a->pos[0], &p, &err);
    free(in_script_dir);
    if (rc != RNN_OK) return app_fail_err(c, &err);
    /* take ownership of everything in p */
    if (p.tokenizer) {
        app_clear_encoded(s);
        if (s->tok) rnn_tokenizer_free(s->tok);
        s->tok = p.tokenizer; p.tokenizer = NULL;
        rnn_ngrams_free(s->ngrams);
        s->ngrams = p.ngrams; p.ngrams = NULL;
    }
    if (p.model) {
        if (s->model) rnn_model_free(s->model);
        s->model = p.model; p.model = NULL;
    }
    parse_free_strings(s->n_saved_classes, s->saved_classes);
    s->saved_classes = p.class_names; s->n_saved_classes = p.n_classes;
    p.class_names = NULL; p.n_classes = 0;
    for (int i = 0; i < p.n_runs; i++) {
        app_run *r = app_run_new(s, p.run_names[i]);
        if (!r) break;
        r->hist = p.runs[i];
        memset(&p.runs[i], 0, sizeof p.runs[i]);
    }
    if (p.prep.maxlen > 0) s->prep = p.prep;
    rnn_pipeline_free(&p);
    s->last_eval.n = 0;
    app_printf("opened %s:%s%s%s %d %s\n", a->pos[0], s->tok ? " tokenizer" : "", s->model ? " model" : "",
               s->tok || s->model ? "," : "", s->n_runs, app_noun((unsigned)s->n_runs, "run", "runs"));
    app_reencode(s);
    app_changed(s, APP_CHANGED_VOCAB | APP_CHANGED_MODEL | APP_CHANGED_RUNS | APP_CHANGED_DATA);
    return RNN_OK;
}
