/* sweep KEY=V1,V2 [KEY=...] fit ARGS: every combination as an independent run from the same
 * starting state, spread over the ranks when there are several, gathered into the runs and a
 * table sorted by the monitored figure. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/internal.h"

#define SWEEP_MAX_KEYS 8
#define SWEEP app_command_find("sweep")   /* the table entry, for messages */
#define SWEEP_MAX_RUNS 1024

/* The keys a sweep may vary: fit's own, and the compiled optimizer's settings. */
static const char *const sweep_fit_keys[] = {"epochs", "batch_size", "validation_split", "shuffle", "early_stopping",
                                             "patience", "min_delta", "restore_best_weights"};
static const char *const sweep_optimizer_keys[] = {"learning_rate", "momentum", "rho", "beta_1", "beta_2", "epsilon",
                                                   "clipnorm", "clipvalue"};

static bool key_in(const char *key, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, list[i]) == 0) return true;
    return false;
}
#define KEY_IN(key, list) key_in(key, list, sizeof list / sizeof list[0])

typedef struct sweep_key {
    char name[32];
    int n;                       /* values */
    char **values;               /* as typed */
    bool optimizer;              /* an optimizer setting (else a fit argument) */
} sweep_key;

typedef struct sweep_plan {
    sweep_key keys[SWEEP_MAX_KEYS];
    int n_keys;
    int n_runs;                  /* the product of the value counts */
    char *fit_args;              /* the words after `fit`, re-quoted, malloc'd */
    const char *monitor;         /* early_stopping=, else val_loss with validation_split, else loss */
    int number;                  /* this sweep's number in the session: its runs are sweepN.1, ... */
} sweep_plan;

static void sweep_plan_free(sweep_plan *p)
{
    for (int k = 0; k < p->n_keys; k++) parse_free_strings(p->keys[k].n, p->keys[k].values);
    free(p->fit_args);
}

/* Value v of key k in run i (mixed radix, the last key varying fastest). */
static const char *sweep_value(const sweep_plan *p, int i, int k)
{
    for (int j = p->n_keys - 1; j > k; j--) i /= p->keys[j].n;
    return p->keys[k].values[i % p->keys[k].n];
}

/* Appends " WORD" to *buf, quoting a value that holds spaces, quotes or separators. */
static int append_word(char **buf, size_t *len, const char *word)
{
    const char *eq = parse_is_keyval(word) ? strchr(word, '=') : NULL;
    const char *value = eq ? eq + 1 : word;
    bool quote = strpbrk(value, " \t'\";#") != NULL || !*value;
    char q = strchr(value, '\'') ? '"' : '\'';
    size_t need = *len + strlen(word) + 4;
    char *b = realloc(*buf, need);
    if (!b) return RNN_EINTERNAL;
    *buf = b;
    if (quote) *len += (size_t)sprintf(b + *len, " %.*s%c%s%c", eq ? (int)(eq + 1 - word) : 0, word, q, value, q);
    else *len += (size_t)sprintf(b + *len, " %s", word);
    return RNN_OK;
}

/* Splits V1,V2,... into a malloc'd array of strings. */
static int split_values(const char *key, const char *list, sweep_key *k)
{
    snprintf(k->name, sizeof k->name, "%s", key);
    k->n = 0;
    k->values = NULL;
    for (const char *p = list;;) {
        size_t n = strcspn(p, ",");
        if (n == 0) return app_fail(RNN_EUSAGE, SWEEP, "%s=%s: expected values separated by commas, none empty", key, list);
        char **v = realloc(k->values, sizeof *v * (size_t)(k->n + 1));
        if (!v) return app_fail(RNN_EINTERNAL, SWEEP, "out of memory");
        k->values = v;
        if (!(v[k->n] = strndup(p, n))) return app_fail(RNN_EINTERNAL, SWEEP, "out of memory");
        k->n++;
        if (!p[n]) return RNN_OK;
        p += n + 1;
    }
}

/* The keys before `fit`, and the words after it. */
static int sweep_parse(app_state *s, int argc, char *const *argv, sweep_plan *p)
{
    memset(p, 0, sizeof *p);
    int i = 0, rc;
    for (; i < argc && strcmp(argv[i], "fit") != 0; i++) {
        if (!parse_is_keyval(argv[i]))
            return app_fail(RNN_EUSAGE, SWEEP, "'%s': expected KEY=V1,V2,... before fit", argv[i]);
        char key[32];
        size_t kn = strcspn(argv[i], "=");
        snprintf(key, sizeof key, "%.*s", (int)kn, argv[i]);
        bool opt = KEY_IN(key, sweep_optimizer_keys);
        if (!opt && !KEY_IN(key, sweep_fit_keys))
            return app_fail(RNN_EUSAGE, SWEEP, "%s: not a key a sweep varies (fit: epochs, batch_size, validation_split, "
                            "shuffle, early_stopping, patience, min_delta, restore_best_weights; optimizer: "
                            "learning_rate, momentum, rho, beta_1, beta_2, epsilon, clipnorm, clipvalue)", key);
        for (int k = 0; k < p->n_keys; k++)
            if (strcmp(p->keys[k].name, key) == 0) return app_fail(RNN_EUSAGE, SWEEP, "%s: given twice", key);
        if (p->n_keys == SWEEP_MAX_KEYS) return app_fail(RNN_EUSAGE, SWEEP, "at most %d keys", SWEEP_MAX_KEYS);
        if ((rc = split_values(key, argv[i] + kn + 1, &p->keys[p->n_keys++]))) return rc;
        p->keys[p->n_keys - 1].optimizer = opt;
    }
    if (p->n_keys == 0) return app_fail(RNN_EUSAGE, SWEEP, "expected KEY=V1,V2,... then fit ARGS");
    if (i == argc) return app_fail(RNN_EUSAGE, SWEEP, "expected fit ARGS after the keys");
    long runs = 1;
    for (int k = 0; k < p->n_keys; k++) runs *= p->keys[k].n > SWEEP_MAX_RUNS ? SWEEP_MAX_RUNS + 1 : p->keys[k].n;
    if (runs > SWEEP_MAX_RUNS) return app_fail(RNN_EUSAGE, SWEEP, "%ld runs: at most %d", runs, SWEEP_MAX_RUNS);
    p->n_runs = (int)runs;
    size_t len = 0;
    if (!(p->fit_args = calloc(1, 1))) return app_fail(RNN_EINTERNAL, SWEEP, "out of memory");
    bool validation = false;
    for (int j = i + 1; j < argc; j++) {
        size_t kn = strcspn(argv[j], "=");
        for (int k = 0; k < p->n_keys; k++)
            if (parse_is_keyval(argv[j]) && strlen(p->keys[k].name) == kn && strncmp(argv[j], p->keys[k].name, kn) == 0)
                return app_fail(RNN_EUSAGE, SWEEP, "%s: given to both sweep and fit", p->keys[k].name);
        if (parse_is_keyval(argv[j]) && strncmp(argv[j], "name=", 5) == 0)
            return app_fail(RNN_EUSAGE, SWEEP, "name: the runs of a sweep are named sweepN.1, sweepN.2, ...");
        if (parse_is_keyval(argv[j]) && strncmp(argv[j], "early_stopping=", 15) == 0) p->monitor = argv[j] + 15;
        if (parse_is_keyval(argv[j]) && strncmp(argv[j], "validation_split=", 17) == 0) validation = atof(argv[j] + 17) > 0;
        if (append_word(&p->fit_args, &len, argv[j])) return app_fail(RNN_EINTERNAL, SWEEP, "out of memory");
    }
    for (int k = 0; k < p->n_keys; k++)
        if (strcmp(p->keys[k].name, "validation_split") == 0) validation = true;
    if (!p->monitor) p->monitor = validation ? "val_loss" : "loss";
    p->number = 1;
    for (int r = 0; r < s->n_runs; r++) {
        int n, m;
        if (sscanf(s->runs[r].name, "sweep%d.%d", &n, &m) == 2 && n >= p->number) p->number = n + 1;
    }
    return RNN_OK;
}

/* One run: the starting state, its optimizer settings, then fit with its fit arguments, on this
 * process alone. The seed is the one the i-th of these fits gets in a session that runs them one
 * after another, whichever rank runs it. */
static int sweep_run(app_state *s, const sweep_plan *p, int i, const rnn_train_snapshot *start, int runs_before)
{
    rnn_error err = {0};
    if (rnn_train_snapshot_restore(s->model, start, &err)) return app_fail_err(SWEEP, &err);
    char *line = strdup(" fit");
    size_t len = 4;
    if (!line) return app_fail(RNN_EINTERNAL, SWEEP, "out of memory");
    for (int k = 0; k < p->n_keys; k++) {
        const char *v = sweep_value(p, i, k);
        if (p->keys[k].optimizer) {
            double x;
            if (!str_to_double(v, &x)) { free(line); return app_fail(RNN_EUSAGE, SWEEP, "%s=%s: expected a number", p->keys[k].name, v); }
            if (rnn_model_set_optimizer_value(s->model, p->keys[k].name, x, &err)) { free(line); return app_fail_err(SWEEP, &err); }
            continue;
        }
        char word[600];
        snprintf(word, sizeof word, "%s=%s", p->keys[k].name, v);
        word[strlen(word) + 1] = 1;   /* the key=value flag parse_words sets */
        if (append_word(&line, &len, word)) { free(line); return app_fail(RNN_EINTERNAL, SWEEP, "out of memory"); }
    }
    char name[64], *full = malloc(len + strlen(p->fit_args) + 80);
    snprintf(name, sizeof name, "sweep%d.%d", p->number, i + 1);
    if (!full) { free(line); return app_fail(RNN_EINTERNAL, SWEEP, "out of memory"); }
    sprintf(full, "%s%s name=%s", line, p->fit_args, name);
    free(line);
    int argc;
    char **argv;
    if (parse_words(full + 1, &argc, &argv, &err)) { free(full); return app_fail_err(SWEEP, &err); }
    free(full);
    const app_command *fit = app_command_find("fit");
    app_args args;
    unsigned long seed = s->seed;
    const rnn_comm *comm = s->comm;
    s->seed = seed + (unsigned long)(runs_before + i) - (unsigned long)s->n_runs;   /* fit uses seed + n_runs */
    s->comm = NULL;
    int rc = args_parse(&args, fit, argc, argv);
    if (rc == RNN_OK) rc = fit->handler(s, fit, &args);
    s->seed = seed;
    s->comm = comm;
    parse_free_words(argc, argv);
    return rc;
}

/* ---- gathering the runs of every rank ---- */

typedef struct sweep_packed {
    int index;                   /* run within the sweep */
    int failed;                  /* the fit returned an error */
    char name[64];
    int n_metrics, n_epochs, best_epoch;
    char names[RNN_MAX_METRICS][32];
    char stop_reason[160];
    /* then values [n_epochs][n_metrics] and seconds [n_epochs], doubles */
} sweep_packed;

static size_t packed_size(const rnn_history *h)
{
    return sizeof(sweep_packed) + (size_t)h->n_epochs * (size_t)(h->n_metrics + 1) * sizeof(double);
}

/* This rank's runs, one after another, into a malloc'd buffer. */
static char *sweep_pack(const app_state *s, int first_run, const int *index, const bool *failed, int n, size_t *bytes)
{
    size_t total = 0;
    for (int r = 0; r < n; r++) total += packed_size(&s->runs[first_run + r].hist);
    char *buf = malloc(total ? total : 1), *p = buf;
    if (!buf) return NULL;
    for (int r = 0; r < n; r++) {
        const app_run *run = &s->runs[first_run + r];
        const rnn_history *h = &run->hist;
        sweep_packed head;
        memset(&head, 0, sizeof head);
        head.index = index[r];
        head.failed = failed[r];
        memcpy(head.name, run->name, sizeof head.name);
        head.n_metrics = h->n_metrics;
        head.n_epochs = h->n_epochs;
        head.best_epoch = h->best_epoch;
        memcpy(head.names, h->names, sizeof head.names);
        memcpy(head.stop_reason, h->stop_reason, sizeof head.stop_reason);
        memcpy(p, &head, sizeof head);
        p += sizeof head;
        size_t nv = (size_t)h->n_epochs * (size_t)h->n_metrics;
        if (nv) memcpy(p, h->values, nv * sizeof(double));
        p += nv * sizeof(double);
        for (int e = 0; e < h->n_epochs; e++, p += sizeof(double)) {
            double sec = h->seconds ? h->seconds[e] : 0;
            memcpy(p, &sec, sizeof sec);
        }
    }
    *bytes = total;
    return buf;
}

/* A packed run appended to the session's runs. */
static int sweep_unpack_one(app_state *s, const char *p, bool *failed)
{
    sweep_packed head;
    memcpy(&head, p, sizeof head);
    app_run *r = app_run_new(s, head.name);
    if (!r) return app_fail(RNN_EINTERNAL, SWEEP, "out of memory");
    rnn_history *h = &r->hist;
    h->n_metrics = head.n_metrics;
    memcpy(h->names, head.names, sizeof h->names);
    h->best_epoch = head.best_epoch;
    memcpy(h->stop_reason, head.stop_reason, sizeof h->stop_reason);
    size_t nv = (size_t)head.n_epochs * (size_t)head.n_metrics;
    h->values = malloc((size_t)(head.n_epochs ? head.n_epochs : 1) * RNN_MAX_METRICS * sizeof(double));
    h->seconds = malloc((size_t)(head.n_epochs ? head.n_epochs : 1) * sizeof(double));
    if (!h->values || !h->seconds) return app_fail(RNN_EINTERNAL, SWEEP, "out of memory");
    h->cap_epochs = head.n_epochs ? head.n_epochs : 1;
    h->n_epochs = head.n_epochs;
    memcpy(h->values, p + sizeof head, nv * sizeof(double));
    memcpy(h->seconds, p + sizeof head + nv * sizeof(double), (size_t)head.n_epochs * sizeof(double));
    *failed = head.failed;
    return RNN_OK;
}

/* Every rank's runs, in the sweep's order, in place of this rank's own. */
static int sweep_gather(app_state *s, const sweep_plan *p, int runs_before, const int *index, const bool *failed_mine,
                        int n_mine, bool *failed)
{
    size_t bytes;
    char *mine = sweep_pack(s, runs_before, index, failed_mine, n_mine, &bytes);
    if (!mine) return app_fail(RNN_EINTERNAL, SWEEP, "out of memory");
    void *all;
    size_t off[s->comm->size + 1];
    rnn_error err = {0};
    int rc = s->comm->gather(s->comm, mine, bytes, &all, off, &err);
    free(mine);
    if (rc) return app_fail_err(SWEEP, &err);
    while (s->n_runs > runs_before) rnn_history_free(&s->runs[--s->n_runs].hist);
    const char *at[SWEEP_MAX_RUNS] = {0};
    for (const char *q = all; q < (const char *)all + off[s->comm->size];) {
        sweep_packed head;
        memcpy(&head, q, sizeof head);
        if (head.index >= 0 && head.index < p->n_runs) at[head.index] = q;
        q += sizeof head + (size_t)head.n_epochs * (size_t)(head.n_metrics + 1) * sizeof(double);
    }
    for (int i = 0; i < p->n_runs && rc == RNN_OK; i++)
        if (at[i]) rc = sweep_unpack_one(s, at[i], &failed[s->n_runs - runs_before]);
    free(all);
    return rc;
}

/* ---- the table ---- */

/* The figure a run is ranked by: the monitor at the restored epoch, else at the last. */
static double sweep_figure(const rnn_history *h, const char *monitor)
{
    int e = h->best_epoch >= 0 ? h->best_epoch : h->n_epochs - 1;
    return e >= 0 ? rnn_history_get(h, e, monitor) : NAN;
}

static const char *sweep_monitor;
static const app_run *sweep_runs;
static int sweep_order(const void *a, const void *b)
{
    double x = sweep_figure(&sweep_runs[*(const int *)a].hist, sweep_monitor);
    double y = sweep_figure(&sweep_runs[*(const int *)b].hist, sweep_monitor);
    size_t n = strlen(sweep_monitor);
    bool lower = n >= 4 && strcmp(sweep_monitor + n - 4, "loss") == 0;
    if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
    if (x == y) return *(const int *)a - *(const int *)b;
    return (lower ? x < y : x > y) ? -1 : 1;
}

static void sweep_table(app_state *s, const sweep_plan *p, int runs_before, const bool *failed)
{
    int n = s->n_runs - runs_before, order[SWEEP_MAX_RUNS];
    for (int i = 0; i < n; i++) order[i] = runs_before + i;
    sweep_monitor = p->monitor;
    sweep_runs = s->runs;
    qsort(order, (size_t)n, sizeof *order, sweep_order);
    const rnn_history *h0 = &s->runs[order[0]].hist;
    app_printf("%d runs, best first by %s:\n%-12s", n, p->monitor, "run");
    for (int k = 0; k < p->n_keys; k++) app_printf(" %*s", (int)strlen(p->keys[k].name) > 10 ? (int)strlen(p->keys[k].name) : 10, p->keys[k].name);
    app_printf(" %6s", "epochs");
    for (int j = 0; j < h0->n_metrics; j++) app_printf(" %12s", h0->names[j]);
    app_printf(" %8s\n", "seconds");
    for (int i = 0; i < n; i++) {
        const app_run *r = &s->runs[order[i]];
        const rnn_history *h = &r->hist;
        int idx = 0;
        sscanf(r->name, "sweep%*d.%d", &idx);
        app_printf("%-12s", r->name);
        for (int k = 0; k < p->n_keys; k++)
            app_printf(" %*s", (int)strlen(p->keys[k].name) > 10 ? (int)strlen(p->keys[k].name) : 10, sweep_value(p, idx - 1, k));
        int e = h->best_epoch >= 0 ? h->best_epoch : h->n_epochs - 1;
        double secs = 0;
        for (int j = 0; j < h->n_epochs; j++) secs += h->seconds[j];
        app_printf(" %6d", h->n_epochs);
        for (int j = 0; j < h0->n_metrics; j++) app_printf(" %12.4f", e >= 0 ? rnn_history_get(h, e, h0->names[j]) : NAN);
        app_printf(" %8.1f", secs);
        if (failed[order[i] - runs_before] || h->stop_reason[0]) app_printf("  %s", h->stop_reason[0] ? h->stop_reason : "failed");
        app_printf("\n");
    }
}

int cmd_sweep(app_state *s, const app_command *c, const app_args *a)
{
    (void)c;
    sweep_plan p;
    int rc = sweep_parse(s, a->npos, a->pos, &p);
    if (rc) { sweep_plan_free(&p); return rc; }
    rnn_error err = {0};
    if (!s->model || !rnn_model_is_compiled(s->model)) {
        sweep_plan_free(&p);
        return app_fail(RNN_EUSAGE, SWEEP, "the model is not compiled: build and compile it first");
    }
    rnn_train_snapshot *start = rnn_train_snapshot_take(s->model, &err);
    if (!start) { sweep_plan_free(&p); return app_fail_err(SWEEP, &err); }
    int ranks = s->comm ? s->comm->size : 1, rank = s->comm ? s->comm->rank : 0;
    int runs_before = s->n_runs, n_mine = 0, index[SWEEP_MAX_RUNS];
    bool failed[SWEEP_MAX_RUNS] = {false}, failed_mine[SWEEP_MAX_RUNS] = {false};
    app_printf("sweep: %d run%s (sweep%d.1 to sweep%d.%d) on %d %s\n", p.n_runs, p.n_runs == 1 ? "" : "s", p.number,
               p.number, p.n_runs, ranks, ranks == 1 ? "process" : "ranks");
    int first_error = RNN_OK;
    for (int i = rank; i < p.n_runs && first_error == RNN_OK; i += ranks) {
        app_printf("sweep%d.%d:", p.number, i + 1);
        for (int k = 0; k < p.n_keys; k++) app_printf(" %s=%s", p.keys[k].name, sweep_value(&p, i, k));
        app_printf("\n");
        int before = s->n_runs;
        rc = sweep_run(s, &p, i, start, runs_before);
        if (s->n_runs > before) {            /* the run was made, also when training stopped on a fault */
            index[n_mine] = i;
            failed_mine[n_mine++] = rc != RNN_OK;
        }
        if (rc == APP_INTERRUPTED || (rc != RNN_OK && s->n_runs == before)) first_error = rc;
    }
    if (ranks > 1 && (rc = sweep_gather(s, &p, runs_before, index, failed_mine, n_mine, failed)) && first_error == RNN_OK)
        first_error = rc;
    if (ranks == 1) memcpy(failed, failed_mine, sizeof failed);
    rnn_train_snapshot_restore(s->model, start, &err);
    rnn_train_snapshot_free(start);
    if (s->n_runs > runs_before) sweep_table(s, &p, runs_before, failed);
    app_printf("the model is back at its state before the sweep\n");
    app_changed(s, APP_CHANGED_RUNS | APP_CHANGED_MODEL);
    sweep_plan_free(&p);
    return first_error;
}
