/* embeddings: load word vectors from a file, train them on the loaded texts, save them, and ask
 * any embedding (loaded, trained, or learned by fit) for the nearest words and for analogies. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/internal.h"

#define EMB_SUBCOMMANDS "load, train, save, near or analogy"

/* Keys each subcommand takes (the table's args text holds them all). */
static const char *const emb_keys[][2] = {
    {"load", "format"},
    {"train", "model dim window epochs min_count negative minn maxn buckets lr sample texts threads seed"},
    {"save", ""},
    {"near", "k"},
    {"analogy", "k"},
};

static int check_sub_keys(const app_command *c, const app_args *a, const char *sub)
{
    const char *keys = "";
    for (size_t i = 0; i < sizeof emb_keys / sizeof emb_keys[0]; i++)
        if (strcmp(emb_keys[i][0], sub) == 0) keys = emb_keys[i][1];
    for (int i = 0; i < a->nkv; i++)
        if (!app_word_in(keys, a->key[i]))
            return app_fail(RNN_EUSAGE, c, "%s= does not apply to embeddings %s%s%s", a->key[i], sub,
                            keys[0] ? "; it takes: " : "", keys);
    return RNN_OK;
}

static int need_positionals(const app_command *c, const app_args *a, int n, const char *what)
{
    if (a->npos < n + 1) return app_fail(RNN_EUSAGE, c, "expected %s after %s", what, a->pos[0]);
    if (a->npos > n + 1) return app_fail(RNN_EUSAGE, c, "'%s': expected only %s after %s", a->pos[n + 1], what, a->pos[0]);
    return RNN_OK;
}

static void report_matrix(const rnn_fmatrix *m, size_t found, const char *source)
{
    size_t words = m->rows > 0 ? m->rows - 1 : 0;
    app_printf("%s: %zu x %zu matrix; vectors for %zu of %zu %s (%.1f%% coverage)\n", source, m->rows, m->cols,
               found, words, app_noun(words, "word", "words"), words ? 100.0 * (double)found / (double)words : 0.0);
    app_printf("use it with: add Embedding(%zu, %zu, weights=pretrained, trainable=False)\n", m->rows, m->cols);
}

static int embeddings_load(app_state *s, const app_command *c, const app_args *a)
{
    const char *fmt;
    int rc;
    if ((rc = need_positionals(c, a, 1, "a FILE of word vectors")) ||
        (rc = args_choice(a, "format", "glove|word2vec|word2vec-bin|fasttext", NULL, &fmt)))
        return rc;
    if (!s->tok) return app_fail(RNN_EUSAGE, c, "no tokenizer: run tokenize first");
    rnn_fmatrix m = {0};
    size_t found = 0;
    rnn_error err = {0};
    char *in_script_dir = app_input_path(a->pos[1]);
    rc = rnn_embeddings_load(in_script_dir ? in_script_dir : a->pos[1], fmt, s->tok, &m, &found, &err);
    free(in_script_dir);
    if (rc != RNN_OK) return app_fail_err(c, &err);
    rnn_fmatrix_free(&s->pretrained);
    s->pretrained = m;
    report_matrix(&m, found, "pretrained");
    return RNN_OK;
}

/* ---- train ---- */

typedef struct train_view { app_state *s; bool bar; int last; double started; } train_view;

static int train_on_progress(double done, double words_per_sec, double loss, void *user)
{
    train_view *v = user;
    int pct = (int)(done * 100);
    if (pct != v->last && (v->bar || (!v->s->plain && pct / 10 != v->last / 10))) {
        v->last = pct;
        double eta = done > 0 ? (rnn_now() - v->started) * (1 - done) / done : 0;
        if (v->bar) {
            char bar[64];
            app_bar(pct, 100, 30, bar);
            fprintf(stderr, "\r[%s] %3d%%  %.0f words/s  loss %.4f  ETA %.0f s ", bar, pct, words_per_sec, loss, eta);
            fflush(stderr);
        } else
            app_printf("embeddings train: %d%%, %.0f words/s, loss %.4f\n", pct, words_per_sec, loss);
    }
    return v->s->stop ? 1 : 0;
}

static int train_options(app_state *s, const app_command *c, const app_args *a, rnn_wordvec_opts *o, bool *all)
{
    long dim, window, epochs, min_count, negative, minn, maxn, buckets, threads, seed;
    const char *model, *texts;
    int rc;
    rnn_wordvec_opts_default(o);
    if ((rc = args_choice(a, "model", "skipgram|cbow", "skipgram", &model)) ||
        (rc = args_long(a, "dim", o->dim, 1, 10000, &dim)) || (rc = args_long(a, "window", o->window, 1, 1000, &window)) ||
        (rc = args_long(a, "epochs", o->epochs, 1, 100000, &epochs)) ||
        (rc = args_long(a, "min_count", o->min_count, 1, 1000000000, &min_count)) ||
        (rc = args_long(a, "negative", o->negative, 1, 1000, &negative)) ||
        (rc = args_long(a, "minn", o->minn, 1, 100, &minn)) || (rc = args_long(a, "maxn", o->maxn, 0, 100, &maxn)) ||
        (rc = args_long(a, "buckets", o->buckets, 1, 100000000, &buckets)) ||
        (rc = args_double(a, "lr", o->lr, 1e-9, 10, &o->lr)) || (rc = args_double(a, "sample", o->sample, 0, 1, &o->sample)) ||
        (rc = args_long(a, "threads", rnn_get_threads(), 1, 64, &threads)) ||
        (rc = args_long(a, "seed", (long)s->seed, 0, 2147483647L, &seed)) ||
        (rc = args_choice(a, "texts", "train|all", "train", &texts)))
        return rc;
    if (maxn > 0 && minn > maxn)
        return app_fail(RNN_EUSAGE, c, "minn=%ld maxn=%ld: expected minn <= maxn (maxn=0: no character n-grams)", minn, maxn);
    o->cbow = strcmp(model, "cbow") == 0;
    o->dim = (int)dim; o->window = (int)window; o->epochs = (int)epochs; o->min_count = (int)min_count;
    o->negative = (int)negative; o->minn = (int)minn; o->maxn = (int)maxn; o->buckets = (int)buckets;
    o->threads = (int)threads; o->seed = (unsigned long)seed;
    *all = strcmp(texts, "all") == 0;
    return RNN_OK;
}

/* The training texts and, with texts=all, the test texts after them (a view when only one). */
static int join_texts(const app_state *s, bool all, rnn_seqs *out, bool *owned)
{
    *owned = false;
    if (!all || s->seq_test.n == 0) { *out = s->seq_train; return RNN_OK; }
    size_t n = s->seq_train.n + s->seq_test.n, a = s->seq_train.off[s->seq_train.n], b = s->seq_test.off[s->seq_test.n];
    rnn_seqs j = {.n = n, .off = malloc((n + 1) * sizeof(size_t)), .ids = malloc((a + b ? a + b : 1) * sizeof(int32_t))};
    if (!j.off || !j.ids) { rnn_seqs_free(&j); return RNN_EINTERNAL; }
    memcpy(j.ids, s->seq_train.ids, a * sizeof(int32_t));
    memcpy(j.ids + a, s->seq_test.ids, b * sizeof(int32_t));
    memcpy(j.off, s->seq_train.off, (s->seq_train.n + 1) * sizeof(size_t));
    for (size_t i = 1; i <= s->seq_test.n; i++)
        j.off[s->seq_train.n + i] = a + s->seq_test.off[i];
    *out = j;
    *owned = true;
    return RNN_OK;
}

static int embeddings_train(app_state *s, const app_command *c, const app_args *a)
{
    rnn_wordvec_opts o;
    bool all = false, owned, stopped = false;
    int rc;
    if ((rc = need_positionals(c, a, 0, "nothing")) || (rc = train_options(s, c, a, &o, &all))) return rc;
    if (!s->tok || !s->seq_train.off) return app_fail(RNN_EUSAGE, c, "no tokenized texts: run tokenize first");
    rnn_seqs texts;
    if (join_texts(s, all, &texts, &owned)) return app_fail(RNN_EINTERNAL, c, "out of memory joining the texts");
    train_view v = {s, s->tty && s->plain, -1, rnn_now()};
    rnn_wordvec *w = NULL;
    rnn_error err = {0};
    s->stop = 0;
    s->in_fit = true;
    rc = rnn_wordvec_train(s->tok, &texts, &o, train_on_progress, &v, &w, &stopped, &err);
    s->in_fit = false;
    s->stop = 0;
    if (v.bar && v.last >= 0) fputc('\n', stderr);
    if (owned) rnn_seqs_free(&texts);
    if (rc != RNN_OK) return app_fail_err(c, &err);
    double secs = rnn_now() - v.started;
    uint64_t words = rnn_wordvec_tokens(w) * (uint64_t)o.epochs;
    app_printf("%s %s: %zu words x %d, %d %s over %s texts in %.1f s (%.0f words/s on %d %s)%s\n",
               o.cbow ? "cbow" : "skipgram", "vectors", rnn_wordvec_size(w), o.dim, o.epochs,
               app_noun((unsigned)o.epochs, "epoch", "epochs"), all ? "all" : "the training", secs,
               secs > 0 ? (double)words / secs : 0.0, o.threads, app_noun((unsigned)o.threads, "thread", "threads"),
               stopped ? "; stopped early, the vectors learned so far are kept" : "");
    rnn_fmatrix m = {0};
    size_t found = 0, rows = (size_t)rnn_tokenizer_options(s->tok)->num_words;
    if (rows == 0) rows = rnn_tokenizer_size(s->tok) + 1;
    if ((rc = rnn_wordvec_matrix(w, s->tok, rows, &m, &found, &err)) != RNN_OK) {
        rnn_wordvec_free(w);
        return app_fail_err(c, &err);
    }
    rnn_wordvec_free(s->wordvec);
    s->wordvec = w;
    rnn_fmatrix_free(&s->pretrained);
    s->pretrained = m;
    report_matrix(&m, found, "pretrained");
    return stopped ? APP_INTERRUPTED : RNN_OK;
}

static int embeddings_save(app_state *s, const app_command *c, const app_args *a)
{
    int rc = need_positionals(c, a, 1, "a FILE to write");
    if (rc) return rc;
    if (!s->wordvec) return app_fail(RNN_EUSAGE, c, "no trained vectors: run embeddings train first");
    rnn_error err = {0};
    if (rnn_wordvec_save(s->wordvec, a->pos[1], &err) != RNN_OK) return app_fail_err(c, &err);
    app_printf("wrote %zu vectors of %d values to %s (word2vec text format)\n", rnn_wordvec_size(s->wordvec),
               rnn_wordvec_dim(s->wordvec), a->pos[1]);
    return RNN_OK;
}

/* ---- near, analogy ---- */

/* The embedding queries read: the model's Embedding (learned by fit, or filled from vectors) when
 * the model has one, else the vectors of embeddings load or train. */
static const char *current_embedding(const app_state *s, rnn_fmatrix *view)
{
    for (size_t i = 0; s->model && i < rnn_model_n_layers(s->model); i++) {
        const rnn_layer *l = rnn_model_layer(s->model, i);
        if (!l->kind->takes_ids || l->out.rank != 2 || l->out.dim[1] <= 0) continue;
        size_t cols = (size_t)l->out.dim[1];
        *view = (rnn_fmatrix){.rows = l->n_params / cols, .cols = cols, .data = l->params};
        return l->name;
    }
    *view = s->pretrained;
    return s->pretrained.data ? "the word vectors" : NULL;
}

/* A word's row in m, or 0 when the tokenizer lacks it or the matrix is shorter (num_words). */
static int32_t row_of(const app_state *s, const rnn_fmatrix *m, const char *word)
{
    int32_t row = rnn_tokenizer_index(s->tok, word);
    return row > 0 && (size_t)row < m->rows ? row : 0;
}

/* The error for a word without a row, naming it. */
static int no_row(const app_state *s, const rnn_fmatrix *m, const char *word, rnn_error *err)
{
    int32_t id = rnn_tokenizer_index(s->tok, word);
    if (id <= 0) return rnn_fail(err, RNN_EDATA, "'%s': not in the tokenizer's vocabulary", word);
    return rnn_fail(err, RNN_EDATA, "'%s' (id %d) has no row: the embedding has %zu rows (num_words)", word, (int)id,
                    m->rows);
}

static const char *const no_embedding =
    "no embedding: add an Embedding layer, or run embeddings load or embeddings train";

/* The query vector of a word: its row, or (trained vectors only) the mean of its character n-grams. */
static int near_query(const app_state *s, const rnn_fmatrix *m, const char *word, float *q, int32_t *row,
                      bool *by_ngrams, rnn_error *err)
{
    *by_ngrams = false;
    if ((*row = row_of(s, m, word)) > 0) {
        memcpy(q, m->data + (size_t)*row * m->cols, m->cols * sizeof *q);
        return RNN_OK;
    }
    if (m->data == s->pretrained.data && s->wordvec && (int)m->cols == rnn_wordvec_dim(s->wordvec) &&
        rnn_wordvec_vector(s->wordvec, word, q)) {
        *by_ngrams = true;
        return RNN_OK;
    }
    return no_row(s, m, word, err);
}

int app_embedding_near(const app_state *s, const char *word, size_t k, int32_t *ids, float *sims, app_near *out,
                       rnn_error *err)
{
    rnn_fmatrix m;
    *out = (app_near){0};
    if (!s->tok) return rnn_fail(err, RNN_EUSAGE, "no tokenizer: run tokenize first");
    if (!(out->source = current_embedding(s, &m))) return rnn_fail(err, RNN_EUSAGE, "%s", no_embedding);
    float *q = malloc(m.cols ? m.cols * sizeof *q : 1);
    if (!q) return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int32_t row;
    int rc = near_query(s, &m, word, q, &row, &out->by_ngrams, err);
    if (rc == RNN_OK && (out->n = rnn_vectors_nearest(&m, q, &row, 1, k, ids, sims)) == 0)
        rc = rnn_fail(err, RNN_EDATA, "'%s' has a vector of zeros in %s: no direction to compare", word, out->source);
    free(q);
    return rc;
}

static void print_neighbours(app_state *s, const int32_t *ids, const float *sims, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *w = rnn_tokenizer_word(s->tok, ids[i]);
        app_printf("  %s%*s %.4f\n", w ? w : "?", app_pad_to(w ? w : "?", 20), "", sims[i]);
    }
}

static int query_setup(app_state *s, const app_command *c, const app_args *a, int words, const char *what,
                       rnn_fmatrix *m, long *k, const char **source)
{
    int rc;
    if ((rc = need_positionals(c, a, words, what)) || (rc = args_long(a, "k", 10, 1, 1000, k))) return rc;
    if (!s->tok) return app_fail(RNN_EUSAGE, c, "no tokenizer: run tokenize first");
    *source = current_embedding(s, m);
    if (!*source) return app_fail(RNN_EUSAGE, c, "%s", no_embedding);
    return RNN_OK;
}

static int embeddings_near(app_state *s, const app_command *c, const app_args *a)
{
    long k;
    int rc;
    if ((rc = need_positionals(c, a, 1, "a WORD")) || (rc = args_long(a, "k", 10, 1, 1000, &k))) return rc;
    int32_t *ids = malloc((size_t)k * sizeof *ids);
    float *sims = malloc((size_t)k * sizeof *sims);
    app_near near;
    rnn_error err = {0};
    if (!ids || !sims) rc = app_fail(RNN_EINTERNAL, c, "out of memory");
    else if ((rc = app_embedding_near(s, a->pos[1], (size_t)k, ids, sims, &near, &err)) != RNN_OK)
        app_fail_err(c, &err);
    else {
        app_printf("nearest to '%s' in %s%s (cosine similarity):\n", a->pos[1], near.source,
                   near.by_ngrams ? ", from its character n-grams" : "");
        print_neighbours(s, ids, sims, near.n);
    }
    free(ids); free(sims);
    return rc;
}

static int embeddings_analogy(app_state *s, const app_command *c, const app_args *a)
{
    rnn_fmatrix m;
    long k;
    const char *source;
    int32_t rows[3];
    int rc;
    if ((rc = query_setup(s, c, a, 3, "three words A B C", &m, &k, &source))) return rc;
    rnn_error err = {0};
    for (int i = 0; i < 3; i++)
        if (!(rows[i] = row_of(s, &m, a->pos[1 + i]))) {
            no_row(s, &m, a->pos[1 + i], &err);
            return app_fail_err(c, &err);
        }
    float *q = malloc(m.cols * sizeof *q);
    int32_t *ids = malloc((size_t)k * sizeof *ids);
    float *sims = malloc((size_t)k * sizeof *sims);
    if (!q || !ids || !sims) { free(q); free(ids); free(sims); return app_fail(RNN_EINTERNAL, c, "out of memory"); }
    if (!rnn_vectors_analogy(&m, rows[0], rows[1], rows[2], q))
        rc = app_fail(RNN_EDATA, c, "a word of %s %s %s has a vector of zeros in %s", a->pos[1], a->pos[2], a->pos[3], source);
    else {
        size_t n = rnn_vectors_nearest(&m, q, rows, 3, (size_t)k, ids, sims);
        app_printf("%s - %s + %s in %s (cosine similarity):\n", a->pos[1], a->pos[2], a->pos[3], source);
        print_neighbours(s, ids, sims, n);
    }
    free(q); free(ids); free(sims);
    return rc;
}

int cmd_embeddings(app_state *s, const app_command *c, const app_args *a)
{
    static const struct { const char *name; int (*run)(app_state *, const app_command *, const app_args *); } subs[] = {
        {"load", embeddings_load}, {"train", embeddings_train}, {"save", embeddings_save},
        {"near", embeddings_near}, {"analogy", embeddings_analogy},
    };
    if (a->npos < 1) return app_fail(RNN_EUSAGE, c, "expected " EMB_SUBCOMMANDS);
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        if (strcmp(subs[i].name, a->pos[0]) != 0) continue;
        int rc = check_sub_keys(c, a, subs[i].name);
        return rc ? rc : subs[i].run(s, c, a);
    }
    return app_fail(RNN_EUSAGE, c, "'%s': expected " EMB_SUBCOMMANDS, a->pos[0]);
}
