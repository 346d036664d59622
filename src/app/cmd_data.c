/* Data commands: load, datasets, stats, vocab, tokenize, encode, decode, pad, show. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "app/internal.h"


/* ---- load ---- */

typedef struct load_progress { bool bar; int last_pct; } load_progress;

/* Download/read progress: an updating bar on a terminal, nothing otherwise. */
static int load_on_progress(const char *what, uint64_t done, uint64_t total, void *user)
{
    load_progress *lp = user;
    if (!lp->bar || total == 0) return 0;
    int pct = (int)(100.0 * (double)done / (double)total);
    if (pct == lp->last_pct) return 0;
    lp->last_pct = pct;
    char bar[64];
    app_bar(pct, 100, 30, bar);
    fprintf(stderr, "\r%-28.28s [%s] %3d%% %7.1f/%.1f MB", what, bar, pct, (double)done / 1e6, (double)total / 1e6);
    if (done >= total) fputc('\n', stderr);
    fflush(stderr);
    return 0;
}

/* Keys that apply to each kind of `load`. */
static const char *load_keys_for(const char *kind)
{
    if (strcmp(kind, "imdb") == 0) return "path seed shuffle refetch";
    if (strcmp(kind, "sms") == 0) return "path clean test_split seed refetch test_part";
    if (strcmp(kind, "csv") == 0) return "path text label test test_split delimiter seed test_part";
    if (strcmp(kind, "dir") == 0) return "path test listing shuffle test_split seed test_part";
    if (strcmp(kind, "lines") == 0) return "test_split seed test_part";
    if (strcmp(kind, "demo") == 0) return "seed test_split test_part";
    return NULL;
}

/* listing=sorted|keras (load dir): the folder's own listing, or keras.utils.text_dataset_from_directory's,
 * which alone shuffles (shuffle=). */
static int load_listing(const app_command *c, const app_args *a, const char *kind, bool *keras)
{
    const char *listing;
    int rc = args_choice(a, "listing", "sorted|keras", "sorted", &listing);
    *keras = !rc && strcmp(listing, "keras") == 0;
    if (!rc && !*keras && strcmp(kind, "dir") == 0 && args_get(a, "shuffle"))
        rc = app_fail(RNN_EUSAGE, c, "shuffle=: it goes with listing=keras (load dir keeps the sorted listing)");
    return rc;
}

/* test_part=last|first: which end of the shuffled texts test_split takes. */
static int load_test_part(const app_command *c, const app_args *a, bool *first)
{
    const char *part;
    int rc = args_choice(a, "test_part", "last|first", "last", &part);
    *first = !rc && strcmp(part, "first") == 0;
    if (!rc && *first && !args_get(a, "test_split"))
        rc = app_fail(RNN_EUSAGE, c, "test_part=first: it goes with test_split=F");
    return rc;
}

static int load_delimiter(const app_args *a, char *out)
{
    const char *d = args_get(a, "delimiter");
    *out = 0;
    if (!d) return RNN_OK;
    if (strcmp(d, "\\t") == 0 || strcmp(d, "tab") == 0 || strcmp(d, "\t") == 0) { *out = '\t'; return RNN_OK; }
    /* one byte here; the loader says which bytes can separate fields */
    if (strlen(d) != 1) return app_fail(RNN_EUSAGE, a->cmd, "delimiter='%s': expected one ASCII character (or tab)", d);
    *out = d[0];
    return RNN_OK;
}

int app_pad_splits(app_state *s, rnn_prep prep, rnn_error *err)
{
    rnn_imatrix xtr = {0}, xte = {0};
    size_t ttr = 0, tte = 0;
    int rc = rnn_prep_apply(&prep, &s->seq_train, &xtr, &ttr, err);
    prep.maxlen = (int)xtr.cols;   /* the test split gets the train width, also when it was the longest */
    if (rc == RNN_OK && s->seq_test.n > 0) rc = rnn_prep_apply(&prep, &s->seq_test, &xte, &tte, err);
    if (rc != RNN_OK) {
        rnn_imatrix_free(&xtr);
        rnn_imatrix_free(&xte);
        return rc;
    }
    app_clear_padded(s);
    s->x_train = xtr; s->x_test = xte;
    s->prep = prep;
    s->truncated_train = ttr; s->truncated_test = tte;
    return RNN_OK;
}

/* Encodes (and pads, if a padding is set) the new data set with the current tokenizer. */
void app_reencode(app_state *s)
{
    if (!s->tok || !s->ds) return;
    rnn_prep prep = s->prep;
    app_clear_encoded(s);
    rnn_error err = {0};
    if (rnn_encode_texts(s->tok, s->ngrams, s->ds->train.text, s->ds->train.n, &s->seq_train, &err) != RNN_OK ||
        rnn_encode_texts(s->tok, s->ngrams, s->ds->test.text, s->ds->test.n, &s->seq_test, &err) != RNN_OK) {
        app_clear_encoded(s);
        s->prep = prep;   /* still the pipeline's, for predict */
        app_printf("note: could not encode with the current tokenizer (%s); run tokenize\n", err.msg);
        return;
    }
    if (prep.maxlen > 0 && app_pad_splits(s, prep, &err) == RNN_OK)
        app_printf("encoded with the current tokenizer and padded to maxlen=%d (run tokenize to refit)\n", prep.maxlen);
    else
        app_printf("encoded with the current tokenizer (run tokenize to refit, then pad)\n");
}

/* The count of the one rule for invalid UTF-8 (see help load), for load and stats. */
static void load_report_invalid_utf8(const rnn_dataset *ds)
{
    if (ds->n_invalid_utf8)
        app_printf("invalid UTF-8: %zu %s replaced by U+FFFD\n", ds->n_invalid_utf8,
                   app_noun(ds->n_invalid_utf8, "sequence", "sequences"));
}

static void load_report(const app_state *s)
{
    const rnn_dataset *ds = s->ds;
    app_printf("%s: %zu train / %zu test %s, %d %s, from %s\n", ds->name, ds->train.n, ds->test.n,
               app_noun(ds->train.n + ds->test.n, "text", "texts"), ds->n_classes,
               app_noun((unsigned)ds->n_classes, "class", "classes"), ds->source);
    size_t *cnt = calloc((size_t)ds->n_classes * 2, sizeof *cnt);
    if (!cnt) return;
    rnn_split_class_counts(ds, &ds->train, cnt);
    rnn_split_class_counts(ds, &ds->test, cnt + ds->n_classes);
    for (int k = 0; k < ds->n_classes; k++)
        app_printf("  %d %s%*s %8zu train %8zu test\n", k, ds->class_names[k], app_pad_to(ds->class_names[k], 12), "",
                   cnt[k], cnt[ds->n_classes + k]);
    free(cnt);
    load_report_invalid_utf8(ds);
}

int cmd_load(app_state *s, const app_command *c, const app_args *a)
{
    /* keys are checked per kind below (lines takes CLASS=FILE pairs) */
    int rc;
    if (a->npos == 0) return app_fail(RNN_EUSAGE, c, "expected a data set kind: imdb, sms, csv, dir, lines or demo");
    const char *kind = a->pos[0];
    bool lines = strcmp(kind, "lines") == 0;
    const char *keys = load_keys_for(kind);
    if (!keys) return app_fail(RNN_EUSAGE, c, "'%s': unknown data set kind: expected imdb, sms, csv, dir, lines or demo", kind);
    rnn_load_opts o = {0};
    o.seed = -1; o.test_split = -1;
    o.allow_download = true;
    o.path = a->npos > 1 ? a->pos[1] : args_get(a, "path");
    if (a->npos > 1 && args_get(a, "path")) return app_fail(RNN_EUSAGE, c, "path given twice (positional and path=)");
    if (o.path && !app_word_in(keys, "path")) return app_fail(RNN_EUSAGE, c, "'%s': load %s takes no path", o.path, kind);
    const char *class_names[ARGS_MAX], *class_files[ARGS_MAX];
    for (int i = 0; i < a->nkv; i++) {
        if (app_word_in(keys, a->key[i])) continue;
        if (lines) { class_names[o.n_lines] = a->key[i]; class_files[o.n_lines++] = a->val[i]; continue; }
        return app_fail(RNN_EUSAGE, c, "key '%s' does not apply to load %s: expected %s", a->key[i], kind, keys);
    }
    long seed; double split;
    bool shuffle;
    if ((rc = args_long(a, "seed", -1, 0, 4294967295L, &seed)) || (rc = args_double(a, "test_split", -1, 0, 0.99, &split)) ||
        (rc = args_bool(a, "clean", false, &o.clean)) || (rc = args_bool(a, "shuffle", true, &shuffle)) ||
        (rc = args_bool(a, "refetch", false, &o.refetch)) || (rc = load_test_part(c, a, &o.test_first)) ||
        (rc = load_delimiter(a, &o.delimiter)))
        return rc;
    o.keep_order = !shuffle;
    if ((rc = load_listing(c, a, kind, &o.keras_listing))) return rc;
    if (o.refetch && o.path) return app_fail(RNN_EUSAGE, c, "refetch=true downloads into the cache folder; it does not go with a path");
    if (!shuffle && args_get(a, "seed"))
        return app_fail(RNN_EUSAGE, c, "seed= shuffles; it does not go with shuffle=false");
    if (args_get(a, "seed")) o.seed = seed;
    if (args_get(a, "test_split")) o.test_split = split;
    o.text_col = args_get(a, "text");
    o.label_col = args_get(a, "label");
    o.test_path = args_get(a, "test");
    if (strcmp(kind, "csv") == 0 && (!o.path || !o.text_col || !o.label_col))
        return app_fail(RNN_EUSAGE, c, "load csv: expected FILE text=COLUMN label=COLUMN");
    if (strcmp(kind, "dir") == 0 && !o.path) return app_fail(RNN_EUSAGE, c, "load dir: expected a folder PATH");
    if (lines && o.n_lines < 2) return app_fail(RNN_EUSAGE, c, "load lines: expected at least two CLASS=FILE pairs");
    /* in a script, files in the script's folder first */
    const char *path_given = o.path;
    char *path_in_dir = app_input_path(o.path), *test_in_dir = app_input_path(o.test_path), *lines_in_dir[ARGS_MAX];
    if (path_in_dir) o.path = path_in_dir;
    if (test_in_dir) o.test_path = test_in_dir;
    for (int i = 0; i < o.n_lines; i++)
        if ((lines_in_dir[i] = app_input_path(class_files[i]))) class_files[i] = lines_in_dir[i];
    o.line_classes = class_names;
    o.line_files = class_files;
    load_progress lp = {s->tty && s->plain && isatty(STDERR_FILENO), -1};
    o.progress = load_on_progress;
    o.progress_user = &lp;
    rnn_dataset *ds = NULL;
    rnn_error err = {0};
    rc = rnn_dataset_load(kind, &o, &ds, &err);
    free(path_in_dir);
    free(test_in_dir);
    for (int i = 0; i < o.n_lines; i++) free(lines_in_dir[i]);
    o.path = path_given;
    if (rc != RNN_OK) return app_fail_err(c, &err);
    if (ds->train.n == 0) {
        rnn_dataset_free(ds);
        return app_fail(RNN_EDATA, c, "%s: the data set is empty (no training texts)", o.path ? o.path : kind);
    }
    /* the new data set replaces the old; encoded data belonged to the old one */
    if (s->ds) rnn_dataset_free(s->ds);
    s->ds = ds;
    load_report(s);
    if (s->tok) app_reencode(s);
    else app_clear_encoded(s);
    app_changed(s, APP_CHANGED_DATA);
    return RNN_OK;
}

int cmd_datasets(app_state *s, const app_command *c, const app_args *a)
{
    (void)c; (void)a;
    size_t n;
    const rnn_dataset_info *info = rnn_known_datasets(&n);
    app_printf("cache folder: %s\n", rnn_data_dir());
    app_printf("%-6s %-8s %-26s %s\n", "kind", "cached", "file", "description");
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", rnn_data_dir(), info[i].file);
        bool cached = stat(path, &st) == 0;
        app_printf("%-6s %-8s %-26s %s\n", info[i].kind, cached ? "yes" : "no", info[i].file, info[i].description);
    }
    app_printf("%-6s %-8s %-26s %s\n", "csv", "-", "load csv FILE text= label=", "your CSV/TSV file with a header");
    app_printf("%-6s %-8s %-26s %s\n", "dir", "-", "load dir PATH", "one sub-folder per class");
    app_printf("%-6s %-8s %-26s %s\n", "lines", "-", "load lines CLASS=FILE ...", "one example per line per class");
    app_printf("%-6s %-8s %-26s %s\n", "demo", "built-in", "load demo", "small synthetic set where word order decides the label");
    if (s->ds) app_printf("loaded: %s (%zu train / %zu test) from %s\n", s->ds->name, s->ds->train.n, s->ds->test.n, s->ds->source);
    else app_printf("loaded: nothing (load KIND)\n");
    return RNN_OK;
}

/* ---- stats ---- */

void app_format_column(const double *v, int n, char out[][40])
{
    /* pandas: the same number of decimals for the whole column, the fewest (at least 1) that
     * show every value to 6 decimals */
    int dec = 1;
    for (int i = 0; i < n; i++) {
        char b[64];
        snprintf(b, sizeof b, "%.6f", v[i]);
        int d = 6;
        for (char *e = b + strlen(b) - 1; d > 1 && *e == '0'; e--) d--;
        if (d > dec) dec = d;
    }
    for (int i = 0; i < n; i++) snprintf(out[i], 40, "%.*f", dec, v[i]);
}

static int split_of(const app_state *s, const app_command *cmd, const char *name, const rnn_split **out)
{
    if (!s->ds) return app_fail(RNN_EUSAGE, cmd, "no data set: run load first (e.g. load demo)");
    *out = strcmp(name, "test") == 0 ? &s->ds->test : &s->ds->train;
    if ((*out)->n == 0) return app_fail(RNN_EDATA, cmd, "split=%s: the %s split is empty", name, name);
    return RNN_OK;
}

int app_describe(app_state *s, const app_command *cmd, const char *split, const double *pct, int n_pct, rnn_describe *out)
{
    const rnn_split *sp = NULL;
    int rc = split_of(s, cmd, split, &sp);
    if (rc) return rc;
    rnn_error err = {0};
    if (rnn_describe_lengths(sp->text, sp->n, pct, n_pct, out, &err) != RNN_OK) return app_fail_err(cmd, &err);
    return RNN_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "25,50,75" (percent) or "0.25,0.5" (fractions); 50% is always included, as pandas does. */
static int stats_percentiles(const app_args *a, double *pct, int *n)
{
    const char *text = args_get(a, "percentiles");
    *n = 0;
    if (!text) {
        static const double dflt[] = {0.25, 0.5, 0.75, 0.95, 0.99};
        memcpy(pct, dflt, sizeof dflt);
        *n = 5;
        return RNN_OK;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    bool percent = false;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        double v;
        if (*n >= RNN_MAX_PERCENTILES - 1 || !str_to_double(t, &v) || v < 0 || v > 100)
            return app_fail(RNN_EUSAGE, a->cmd, "percentiles='%s': expected up to %d numbers from 0 to 100 (or fractions), comma-separated",
                            text, RNN_MAX_PERCENTILES - 1);
        if (v > 1) percent = true;
        pct[(*n)++] = v;
    }
    if (percent) for (int i = 0; i < *n; i++) pct[i] /= 100;
    bool has_median = false;
    for (int i = 0; i < *n; i++) has_median |= pct[i] == 0.5;
    if (!has_median) pct[(*n)++] = 0.5;
    qsort(pct, (size_t)*n, sizeof *pct, cmp_double);
    int m = 0;
    for (int i = 0; i < *n; i++) if (m == 0 || pct[i] != pct[m - 1]) pct[m++] = pct[i];
    *n = m;
    return RNN_OK;
}

/* pandas format_percentiles: "25%", "99.5%". */
static void stats_pct_label(double p, char *out, size_t n)
{
    double v = p * 100;
    if (fabs(v - round(v)) < 1e-9) snprintf(out, n, "%.0f%%", v);
    else {
        snprintf(out, n, "%.6g", v);
        strncat(out, "%", n - strlen(out) - 1);
    }
}

int cmd_stats(app_state *s, const app_command *c, const app_args *a)
{
    int rc;
    const char *split;
    double pct[RNN_MAX_PERCENTILES];
    int n_pct;
    if ((rc = args_choice(a, "split", "train|test", "train", &split)) ||
        (rc = stats_percentiles(a, pct, &n_pct)))
        return rc;
    rnn_describe d;
    if ((rc = app_describe(s, c, split, pct, n_pct, &d))) return rc;
    double v[RNN_MAX_PERCENTILES + 5];
    char label[RNN_MAX_PERCENTILES + 5][16];
    int n = 0;
    v[n] = (double)d.count; snprintf(label[n++], 16, "count");
    v[n] = d.mean; snprintf(label[n++], 16, "mean");
    v[n] = d.std; snprintf(label[n++], 16, "std");
    v[n] = d.min; snprintf(label[n++], 16, "min");
    for (int i = 0; i < d.n_pct; i++) { v[n] = d.value[i]; stats_pct_label(d.pct[i], label[n++], 16); }
    v[n] = d.max; snprintf(label[n++], 16, "max");
    char text[RNN_MAX_PERCENTILES + 5][40];
    app_format_column(v, n, text);
    int lw = 0, vw = 0;
    for (int i = 0; i < n; i++) {
        if ((int)strlen(label[i]) > lw) lw = (int)strlen(label[i]);
        if ((int)strlen(text[i]) > vw) vw = (int)strlen(text[i]);
    }
    for (int i = 0; i < n; i++) app_printf("%-*s    %*s\n", lw, label[i], vw, text[i]);
    app_printf("Name: text, dtype: float64\n");
    const rnn_split *sp = strcmp(split, "test") == 0 ? &s->ds->test : &s->ds->train;
    size_t *cnt = calloc((size_t)s->ds->n_classes, sizeof *cnt);
    if (!cnt) return app_fail(RNN_EINTERNAL, c, "out of memory");
    rnn_split_class_counts(s->ds, sp, cnt);
    app_printf("class balance (%s):", split);
    for (int k = 0; k < s->ds->n_classes; k++)
        app_printf("%s %s %zu (%.1f%%)", k ? "," : "", s->ds->class_names[k], cnt[k], 100.0 * (double)cnt[k] / (double)sp->n);
    app_printf("\n");
    free(cnt);
    load_report_invalid_utf8(s->ds);
    return RNN_OK;
}

/* ---- tokenizer ---- */

static int need_tokenizer(const app_state *s, const app_command *cmd)
{
    if (!s->tok) return app_fail(RNN_EUSAGE, cmd, "no tokenizer: run tokenize first");
    return RNN_OK;
}

static void report_ngrams(const rnn_ngrams *g)
{
    const rnn_ngram_opts *o = rnn_ngrams_options(g);
    size_t n = rnn_ngrams_size(g);
    char what[40];
    if (o->n == 2) snprintf(what, sizeof what, "bigrams");
    else snprintf(what, sizeof what, "n-grams of 2 to %d words", o->n);
    app_printf("%s: %zu ids from %d to %lld (%s); Embedding input_dim >= %lld\n", what, n,
               (int)o->first_id, (long long)o->first_id + (long long)n - 1,
               o->buckets > 0 ? "hashed into buckets" : o->top > 0 ? "the most frequent of the train texts" : "every one of the train texts",
               (long long)o->first_id + (long long)n);
}

/* The first n-gram ids with their words (counted n-grams; hashed ones have no words). */
static void list_ngrams(const app_state *s, long top)
{
    const rnn_ngram_opts *o = rnn_ngrams_options(s->ngrams);
    for (long k = 0; k < top && (size_t)k < rnn_ngrams_size(s->ngrams) && o->buckets == 0; k++) {
        int32_t ids[RNN_NGRAMS_MAX_N];
        int n = rnn_ngrams_words(s->ngrams, o->first_id + (int32_t)k, ids);
        app_printf("%6d ", (int)(o->first_id + k));
        for (int j = 0; j < n; j++) {
            const char *w = rnn_tokenizer_word(s->tok, ids[j]);
            app_printf(" %s", w ? w : "?");
        }
        app_printf("\n");
    }
}

int cmd_vocab(app_state *s, const app_command *c, const app_args *a)
{
    long top;
    int rc = RNN_OK;
    if ((rc = args_long(a, "top", 20, 0, 1000000, &top)) || (rc = need_tokenizer(s, c))) return rc;
    const rnn_tokenizer_opts *o = rnn_tokenizer_options(s->tok);
    size_t size = rnn_tokenizer_size(s->tok);
    uint64_t total = rnn_tokenizer_total(s->tok);
    /* TextVectorization: get_vocabulary()'s entries, '' at 0 included; its max_tokens caps the vocabulary
     * itself, so every word in it is kept and the coverage is that of the words it learned. */
    bool tv = o->style == RNN_TOKENIZER_TEXTVECTORIZATION;
    const char *word = tv ? "token" : "word", *limit = tv ? "max_tokens" : "num_words";
    if (tv)
        app_printf("vocabulary (TextVectorization): %zu entries with '' and '[UNK]' (vocab.size %zu), %llu token %s\n",
                   size + 1, size + 1, (unsigned long long)total, app_noun(total, "occurrence", "occurrences"));
    else
        app_printf("vocabulary: %zu %s (vocab.size %zu with index 0), %llu word %s\n", size, app_noun(size, "word", "words"),
                   size + 1, (unsigned long long)total, app_noun(total, "occurrence", "occurrences"));
    if (o->num_words > 0) {
        uint64_t kept = 0;
        for (int32_t i = 1; i < o->num_words && (size_t)i <= size; i++) kept += rnn_tokenizer_count(s->tok, i);
        double cov = total ? (double)kept / (double)total : 0;
        app_printf("%s=%d keeps indices %d..%d: coverage %.2f%% of occurrences, OOV rate %.2f%%\n",
                   limit, o->num_words, tv ? 2 : 1, o->num_words - 1, 100 * cov, 100 * (1 - cov));
    } else
        app_printf("%s not set: every %s is kept (coverage 100%%)\n", limit, word);
    if (top > 0) app_printf("%6s  %-20s %10s\n", "index", word, "count");
    if (top > 0 && tv) app_printf("%6d  %-20s %10s\n", 0, "''", "(padding)");
    for (int32_t i = 1; i <= top && (size_t)i <= size; i++) {
        const char *w = rnn_tokenizer_word(s->tok, i);
        int pad = app_pad_to(w, 20);
        if (o->oov_token && strcmp(w, o->oov_token) == 0) app_printf("%6d  %s%*s %10s\n", i, w, pad, "", "(oov)");
        else app_printf("%6d  %s%*s %10llu\n", i, w, pad, "", (unsigned long long)rnn_tokenizer_count(s->tok, i));
    }
    if (s->ngrams) {
        report_ngrams(s->ngrams);
        list_ngrams(s, top);
    }
    return RNN_OK;
}

/* Word n-grams fitted on the training texts and appended to both splits' sequences. */
static int tokenize_ngrams(const rnn_ngram_opts *o, rnn_seqs *tr, rnn_seqs *te, rnn_ngrams **g, rnn_error *err)
{
    rnn_seqs a = {0}, b = {0};
    int rc = rnn_ngrams_fit(o, tr, g, err);
    if (rc == RNN_OK) rc = rnn_ngrams_apply(*g, tr, &a, err);
    if (rc == RNN_OK) rc = rnn_ngrams_apply(*g, te, &b, err);
    if (rc != RNN_OK) {
        rnn_seqs_free(&a);
        rnn_ngrams_free(*g);
        *g = NULL;
        return rc;
    }
    rnn_seqs_free(tr); rnn_seqs_free(te);
    *tr = a; *te = b;
    return RNN_OK;
}

/* The legacy Tokenizer's options that TextVectorization does not take, and what it does instead. */
static const struct { const char *key, *instead; } textvectorization_refuses[] = {
    {"num_words", "its vocabulary size is max_tokens=N"},
    {"oov_token", "its OOV token is '[UNK]', id 1"},
    {"filters", "it strips punctuation itself (standardize='lower_and_strip_punctuation')"},
    {"lower", "it lowers A-Z itself (standardize='lower_and_strip_punctuation')"},
    {"split", "it splits at whitespace itself (split='whitespace')"},
    {"char_level", "it splits at whitespace (split='whitespace'), not into characters"},
};

int app_standardize_add(char *spec, size_t cap, const char *step, const char *pattern, const char *rewrite,
                        char *why, size_t n)
{
    size_t at = strlen(spec);
    if (pattern && (strpbrk(pattern, "\t\n") || strpbrk(rewrite, "\t\n"))) {
        snprintf(why, n, "a tab or a line break in a pattern (write \\t or \\n)");
        return RNN_EUSAGE;
    }
    int w = pattern ? snprintf(spec + at, cap - at, "\n%s %s\t%s", step, pattern, rewrite)
                    : snprintf(spec + at, cap - at, "\n%s", step);
    if (w < 0 || (size_t)w >= cap - at) {
        spec[at] = 0;
        snprintf(why, n, "longer than %zu bytes", cap - 1);
        return RNN_EUSAGE;
    }
    return RNN_OK;
}

/* One step of standardize=[...]: 'lower', 'strip_punctuation' or regex_replace('PATTERN', 'REWRITE'),
 * appended to spec as the library's line. */
static int standardize_step(const app_command *c, const rnn_value *v, int i, char *spec, size_t cap)
{
    char why[120];
    int rc;
    if ((v->type == RNN_VAL_STRING || v->type == RNN_VAL_IDENT) &&
        (!strcmp(v->string, "lower") || !strcmp(v->string, "strip_punctuation"))) {
        rc = app_standardize_add(spec, cap, v->string, NULL, NULL, why, sizeof why);
    } else {
        const rnn_call *k = v->type == RNN_VAL_CALL ? v->call : NULL;
        const rnn_value *pat = k ? rnn_call_arg(k, 0, "pattern") : NULL, *rw = k ? rnn_call_arg(k, 1, "rewrite") : NULL;
        if (!k || strcmp(k->name, "regex_replace") || k->n_args != 2 || !pat || !rw || pat->type != RNN_VAL_STRING ||
            rw->type != RNN_VAL_STRING)
            return app_fail(RNN_EUSAGE, c, "standardize: step %d: expected lower, strip_punctuation or "
                            "regex_replace('PATTERN', 'REWRITE')", i + 1);
        rc = app_standardize_add(spec, cap, "regex_replace", pat->string, rw->string, why, sizeof why);
    }
    return rc ? app_fail(rc, c, "standardize: step %d: %s", i + 1, why) : RNN_OK;
}

/* standardize=NAME or standardize=[STEP, ...]: the library's spec in spec (empty for the default). */
static int tokenize_standardize(const app_command *c, const app_args *a, char *spec, size_t cap)
{
    const char *text = args_get(a, "standardize");
    spec[0] = 0;
    if (!text) return RNN_OK;
    if (strchr(text, '[') == NULL) {
        if (strlen(text) >= cap) return app_fail(RNN_EUSAGE, c, "standardize: too long");
        snprintf(spec, cap, "%s", strcmp(text, "None") ? text : "none");
    } else {
        rnn_value v = {0};
        rnn_error err = {0};
        if (rnn_expr_parse(text, &v, &err) != RNN_OK) return app_fail(RNN_EUSAGE, c, "standardize: %s", err.msg);
        int rc = v.type == RNN_VAL_LIST && v.n_items > 0 ? RNN_OK
               : app_fail(RNN_EUSAGE, c, "standardize: expected a name or a list of steps [lower, regex_replace(...)]");
        if (!rc) snprintf(spec, cap, "custom");
        for (int i = 0; !rc && i < v.n_items; i++) rc = standardize_step(c, &v.items[i], i, spec, cap);
        rnn_value_free(&v);
        if (rc) return rc;
    }
    return RNN_OK;   /* app_tokenize_run checks the spec's steps */
}

/* style=: the legacy Tokenizer's options, or TextVectorization's max_tokens; refuses the other style's. */
static int tokenize_style(const app_command *c, const app_args *a, rnn_tokenizer_opts *o, char *spec, size_t cap)
{
    const char *style;
    long n;
    int rc = args_choice(a, "style", "tokenizer|textvectorization", "tokenizer", &style);
    if (rc) return rc;
    if (strcmp(style, "textvectorization") == 0) {
        for (size_t i = 0; i < sizeof textvectorization_refuses / sizeof *textvectorization_refuses; i++)
            if (args_get(a, textvectorization_refuses[i].key))
                return app_fail(RNN_EUSAGE, c, "%s= is not an option of TextVectorization: %s",
                                textvectorization_refuses[i].key, textvectorization_refuses[i].instead);
        static const char *const ngram_keys[] = {"ngrams", "ngram_buckets", "num_ngrams"};
        for (size_t i = 0; i < 3; i++)
            if (args_get(a, ngram_keys[i]))
                return app_fail(RNN_EUSAGE, c, "%s=: TextVectorization's ngrams make n-gram tokens in its vocabulary, "
                                "which rnnlab does not do; rnnlab's n-gram ids (after the word ids) need style=tokenizer",
                                ngram_keys[i]);
        /* Keras: "If set, `max_tokens` must be greater than 1" (room for '' and '[UNK]'). */
        if ((rc = args_long(a, "max_tokens", 0, 2, 100000000, &n)) || (rc = tokenize_standardize(c, a, spec, cap)))
            return rc;
        o->style = RNN_TOKENIZER_TEXTVECTORIZATION;
        o->num_words = (int)n;
        o->standardize = spec[0] ? spec : NULL;
        return RNN_OK;
    }
    if (args_get(a, "standardize"))
        return app_fail(RNN_EUSAGE, c, "standardize= is TextVectorization's (style=textvectorization): the Tokenizer's "
                        "are lower= and filters=");
    if (args_get(a, "max_tokens"))
        return app_fail(RNN_EUSAGE, c, "max_tokens= is TextVectorization's (style=textvectorization): the Tokenizer's "
                        "limit is num_words=N");
    if ((rc = args_long(a, "num_words", 0, 0, 100000000, &n)) || (rc = args_bool(a, "lower", o->lower, &o->lower)) ||
        (rc = args_bool(a, "char_level", o->char_level, &o->char_level)))
        return rc;
    o->num_words = (int)n;
    o->oov_token = args_get(a, "oov_token");
    if (args_get(a, "filters")) o->filters = args_get(a, "filters");
    const char *split = args_get(a, "split");
    if (split) {
        if (strlen(split) != 1 || (unsigned char)split[0] >= 0x80)
            return app_fail(RNN_EUSAGE, c, "split='%s': expected one ASCII character", split);
        o->split = split[0];
    }
    return RNN_OK;
}

/* The line tokenize ends with: what was fitted on what, and the sizes the Embedding needs. */
static void tokenize_report(const rnn_tokenizer *t, size_t n_fit, bool fit_on_all)
{
    const rnn_tokenizer_opts *o = rnn_tokenizer_options(t);
    size_t size = rnn_tokenizer_size(t);
    bool tv = o->style == RNN_TOKENIZER_TEXTVECTORIZATION;
    app_printf("tokenizer%s fitted on %zu %s %s: ", tv ? " (TextVectorization)" : "", n_fit,
               fit_on_all ? "train+test" : "train", app_noun(n_fit, "text", "texts"));
    if (tv) {
        app_printf("%zu %s, vocab.size %zu with '' and '[UNK]'", size - 1, app_noun(size - 1, "token", "tokens"), size + 1);
        if (o->num_words) app_printf(", max_tokens=%d", o->num_words);
        if (o->standardize && strncmp(o->standardize, "custom\n", 7) == 0) {
            int steps = 0;
            for (const char *p = o->standardize; (p = strchr(p, '\n')); p++) steps++;
            app_printf(", standardize: %d custom %s", steps, app_noun((size_t)steps, "step", "steps"));
        } else if (o->standardize) {
            app_printf(", standardize=%s", o->standardize);
        }
        return;
    }
    app_printf("%zu %s, vocab.size %zu", size, app_noun(size, "word", "words"), size + 1);
    if (o->num_words) app_printf(", num_words=%d", o->num_words);
    if (o->oov_token) app_printf(", oov_token='%s'", o->oov_token);
}

/* Fits the tokenizer of o on the train texts (or on all of a data set split from one source when
 * fit_all; on the first floor(n (1 - vsplit)) train texts when vsplit > 0), encodes both splits
 * (with n-grams when ng->n >= 2) and makes it the session's. */
int app_tokenize_run(app_state *s, const app_command *c, const rnn_tokenizer_opts *o, rnn_ngram_opts ng, bool fit_all,
                     double vsplit)
{
    const rnn_dataset *ds = s->ds;
    if (!ds) return app_fail(RNN_EUSAGE, c, "no data set: run load first");
    size_t n_fit = fit_all ? ds->n_source : ds->train.n;
    if (vsplit > 0) {
        n_fit = (size_t)floor((double)ds->train.n * (1.0 - vsplit));
        if (n_fit == 0 || n_fit == ds->train.n)
            return app_fail(RNN_EUSAGE, c, "validation_split=%g leaves %s of the %zu train texts to fit on", vsplit,
                            n_fit ? "all" : "none", ds->train.n);
    }
    if (o->standardize) {
        rnn_error serr = {0};
        if (rnn_tokenizer_check_standardize(o->standardize, &serr)) return app_fail_err(c, &serr);
    }
    rnn_tokenizer *t = rnn_tokenizer_new(o);
    if (!t) return app_fail(RNN_EINTERNAL, c, "out of memory");
    rnn_error err = {0};
    rnn_seqs tr = {0}, te = {0};
    int rc = rnn_tokenizer_fit(t, fit_all ? ds->source_text : ds->train.text, n_fit, &err);
    if (rc == RNN_OK) rc = rnn_tokenizer_encode_all(t, ds->train.text, ds->train.n, &tr, &err);
    if (rc == RNN_OK) rc = rnn_tokenizer_encode_all(t, ds->test.text, ds->test.n, &te, &err);
    rnn_ngrams *g = NULL;
    if (rc == RNN_OK && ng.n >= 2) {
        ng.first_id = o->num_words > 0 ? o->num_words : (int32_t)rnn_tokenizer_size(t) + 1;
        rc = tokenize_ngrams(&ng, &tr, &te, &g, &err);
    }
    if (rc != RNN_OK) {
        rnn_seqs_free(&tr); rnn_seqs_free(&te); rnn_tokenizer_free(t);
        return app_fail_err(c, &err);
    }
    app_clear_encoded(s);
    if (s->tok) rnn_tokenizer_free(s->tok);
    s->tok = t;
    rnn_ngrams_free(s->ngrams);
    s->ngrams = g;
    s->seq_train = tr;
    s->seq_test = te;
    tokenize_report(t, n_fit, fit_all);
    if (vsplit > 0) app_printf(" (the first %zu: validation_split=%g leaves the last %zu to validate)", n_fit, vsplit,
                               ds->train.n - n_fit);
    app_printf("\nencoded %zu train / %zu test %s\n", tr.n, te.n, app_noun(tr.n + te.n, "text", "texts"));
    if (g) report_ngrams(g);
    if (fit_all) app_printf("(fitted on all texts because rnnlab split this data set from one source, as Keras scripts that fit before splitting do)\n");
    app_changed(s, APP_CHANGED_VOCAB);
    return RNN_OK;
}

int cmd_tokenize(app_state *s, const app_command *c, const app_args *a)
{
    int rc;
    if (!s->ds) return app_fail(RNN_EUSAGE, c, "no data set: run load first");
    rnn_tokenizer_opts o;
    rnn_tokenizer_opts_default(&o);
    char spec[4096];
    if ((rc = tokenize_style(c, a, &o, spec, sizeof spec))) return rc;
    long n_gram, buckets, top;
    if ((rc = args_long(a, "ngrams", 1, 1, RNN_NGRAMS_MAX_N, &n_gram)) ||
        (rc = args_long(a, "ngram_buckets", 0, 1, 100000000, &buckets)) ||
        (rc = args_long(a, "num_ngrams", 0, 1, 100000000, &top)))
        return rc;
    if ((buckets || top) && n_gram < 2)
        return app_fail(RNN_EUSAGE, c, "%s= numbers word n-grams: give ngrams=2 (or more) with it", buckets ? "ngram_buckets" : "num_ngrams");
    if (buckets && top)
        return app_fail(RNN_EUSAGE, c, "ngram_buckets= and num_ngrams= are two ways of numbering n-grams: give one");
    rnn_ngram_opts ng = {.n = (int)n_gram, .buckets = buckets, .top = top};
    const rnn_dataset *ds = s->ds;
    /* A data set rnnlab split from one source is fitted on all of it, in the source's order (as a Keras
     * Tokenizer fitted, or a TextVectorization adapted, before the split: the Tokenizer ranks words of
     * equal count by first use), unless fit_on=train (fitted after train_test_split). */
    const char *fit_on;
    if ((rc = args_choice(a, "fit_on", "all|train", ds->source_text ? "all" : "train", &fit_on))) return rc;
    if (!strcmp(fit_on, "all") && !ds->source_text)
        return app_fail(RNN_EUSAGE, c, "fit_on=all: rnnlab did not split %s from one source; the tokenizer fits on its train texts", ds->name);
    bool fit_all = !strcmp(fit_on, "all");
    /* validation_split=F: the texts fit trains on with the same validation_split (the first
     * floor(n (1 - F)) train texts), as adapt on text_dataset_from_directory's training subset */
    double vsplit;
    if ((rc = args_double(a, "validation_split", 0, 0, 0.999999, &vsplit))) return rc;
    if (vsplit > 0 && fit_all)
        return app_fail(RNN_EUSAGE, c, "validation_split= fits on the train texts fit trains on: give fit_on=train with it");
    return app_tokenize_run(s, c, &o, ng, fit_all, vsplit);
}

static void print_ids(const int32_t *ids, size_t n)
{
    app_printf("[");
    for (size_t i = 0; i < n; i++) app_printf("%s%d", i ? ", " : "", ids[i]);
    app_printf("]\n");
}

int cmd_encode(app_state *s, const app_command *c, const app_args *a)
{
    int rc = RNN_OK;
    if ((rc = need_tokenizer(s, c))) return rc;
    char *text = args_join(a, 0);
    if (!text) return app_fail(RNN_EUSAGE, c, "expected TEXT, e.g. encode 'Hello World'");
    int32_t *ids = NULL; size_t n = 0;
    rnn_error err = {0};
    rc = rnn_tokenizer_encode(s->tok, text, &ids, &n, &err);
    free(text);
    if (rc == RNN_OK && s->ngrams) {
        int32_t *with = NULL;
        rc = rnn_ngrams_apply_one(s->ngrams, ids, n, &with, &n, &err);
        free(ids);
        ids = with;
    }
    if (rc) return app_fail_err(c, &err);
    print_ids(ids, n);
    free(ids);
    return RNN_OK;
}

/* "[1, 2, 3]", "1,2,3" or "1 2 3" into ids. */
static int decode_parse(const app_args *a, int32_t **ids, size_t *n)
{
    char *text = args_join(a, 0);
    *ids = NULL; *n = 0;
    if (!text) return app_fail(RNN_EUSAGE, a->cmd, "expected IDS, e.g. decode [12, 7, 300]");
    int32_t *v = malloc(sizeof *v * (strlen(text) / 2 + 1));
    if (!v) { free(text); return app_fail(RNN_EINTERNAL, a->cmd, "out of memory"); }
    for (char *p = text; *p; p++) if (*p == '[' || *p == ']' || *p == ',') *p = ' ';
    size_t k = 0;
    for (char *save = NULL, *t = strtok_r(text, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        long x;
        if (!str_to_long(t, &x) || x < 0 || x > INT32_MAX) {
            int rc = app_fail(RNN_EUSAGE, a->cmd, "'%s': expected a non-negative integer token id", t);
            free(v); free(text);
            return rc;
        }
        v[k++] = (int32_t)x;
    }
    free(text);
    *ids = v; *n = k;
    return RNN_OK;
}

int cmd_decode(app_state *s, const app_command *c, const app_args *a)
{
    int rc = RNN_OK;
    if ((rc = need_tokenizer(s, c))) return rc;
    int32_t *ids; size_t n;
    if ((rc = decode_parse(a, &ids, &n))) return rc;
    char *text = rnn_tokenizer_decode(s->tok, ids, n);
    free(ids);
    if (!text) return app_fail(RNN_EINTERNAL, c, "out of memory");
    app_printf("%s\n", text);
    free(text);
    return RNN_OK;
}

/* The share of x's cells that are padding: the sequences' ids beyond x's width are cut off. */
static double padding_percent(const rnn_seqs *seqs, const rnn_imatrix *x)
{
    size_t cells = x->rows * x->cols, kept = 0;
    for (size_t i = 0; i < seqs->n && i < x->rows; i++) {
        size_t len = seqs->off[i + 1] - seqs->off[i];
        kept += len < x->cols ? len : x->cols;
    }
    return cells ? 100.0 * (double)(cells - kept) / (double)cells : 0.0;
}

int cmd_pad(app_state *s, const app_command *c, const app_args *a)
{
    int rc;
    if (!s->seq_train.off) return app_fail(RNN_EUSAGE, c, "no token sequences: run tokenize first");
    long maxlen, value;
    const char *padding, *truncating;
    if ((rc = args_long(a, "maxlen", 0, 1, 1000000, &maxlen)) || (rc = args_long(a, "value", 0, 0, INT32_MAX, &value)) ||
        (rc = args_choice(a, "padding", "pre|post", "pre", &padding)) ||
        (rc = args_choice(a, "truncating", "pre|post", "pre", &truncating)))
        return rc;
    rnn_prep prep = {(int)maxlen, strcmp(padding, "post") == 0, strcmp(truncating, "post") == 0, (int32_t)value};
    rnn_error err = {0};
    if ((rc = app_pad_splits(s, prep, &err))) return app_fail_err(c, &err);
    const rnn_imatrix *xtr = &s->x_train, *xte = &s->x_test;
    app_printf("train padded to (%zu, %zu): %zu truncated (%s), %.1f%% padding\n", xtr->rows, xtr->cols,
               s->truncated_train, truncating, padding_percent(&s->seq_train, xtr));
    if (xte->rows)
        app_printf("test padded to (%zu, %zu): %zu truncated (%s), %.1f%% padding\n", xte->rows, xte->cols,
                   s->truncated_test, truncating, padding_percent(&s->seq_test, xte));
    app_changed(s, APP_CHANGED_DATA);
    return RNN_OK;
}

int cmd_show(app_state *s, const app_command *c, const app_args *a)
{
    int rc = RNN_OK;
    const char *split;
    if ((rc = args_choice(a, "split", "train|test", "train", &split))) return rc;
    const rnn_split *sp = NULL;
    if ((rc = split_of(s, c, split, &sp))) return rc;
    long i;
    if (a->npos == 0) return app_fail(RNN_EUSAGE, c, "expected an example number N from 0 to %zu", sp->n - 1);
    if (!str_to_long(a->pos[0], &i) || i < 0 || (size_t)i >= sp->n)
        return app_fail(RNN_EUSAGE, c, "N='%s': expected an example number from 0 to %zu", a->pos[0], sp->n - 1);
    bool test = sp == &s->ds->test;
    size_t words = rnn_count_words(sp->text[i]);
    app_printf("%s example %ld of %zu, label %d (%s), %zu %s\n", split, i, sp->n, sp->label[i],
               s->ds->class_names[sp->label[i]], words, app_noun(words, "word", "words"));
    app_printf("text: %s\n", sp->text[i]);
    const rnn_seqs *q = test ? &s->seq_test : &s->seq_train;
    if (q->off && (size_t)i < q->n) {
        app_printf("ids (%zu): ", q->off[i + 1] - q->off[i]);
        print_ids(q->ids + q->off[i], q->off[i + 1] - q->off[i]);
    } else
        app_printf("ids: not tokenized yet (tokenize)\n");
    const rnn_imatrix *x = test ? &s->x_test : &s->x_train;
    if (x->data && (size_t)i < x->rows) {
        app_printf("padded (%zu): ", x->cols);
        print_ids(x->data + (size_t)i * x->cols, x->cols);
    } else
        app_printf("padded: not padded yet (pad maxlen=N)\n");
    return RNN_OK;
}
