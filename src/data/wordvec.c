/* Word vectors trained as fastText trains them: skip-gram or CBOW with negative sampling over the
 * mean of a word's own row and its character n-gram rows, frequent words subsampled, the learning
 * rate falling linearly to zero.
 *
 * Threads: each trains on its own share of the texts. Within a round (WV_ROUND_WORDS words per
 * thread) a thread reads the shared matrices and writes into rows of its own (copied on first
 * write); between rounds the threads' changes to each row are added to the shared row in thread
 * order. So a seed and a thread count give the same vectors on every run; one thread trains the
 * shared matrices directly, exactly as the sequential algorithm. */
#include "config.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/wordvec.h"
#include "core/vector_kernel.h"

#define WV_SIGMOID_TABLE 512
#define WV_MAX_SIGMOID 8.0f
#define WV_LOG_TABLE 512
#define WV_NEG_TABLE 10000000
#define WV_ROUND_WORDS 8192
#define WV_MAX_THREADS 64

struct rnn_wordvec {
    int dim, minn, maxn, buckets;
    size_t nwords;
    uint64_t ntokens;
    char **words;           /* nwords strings in one block, word_text */
    char *word_text;
    int32_t *table;         /* word lookup: open addressing, row or -1; table_cap entries */
    size_t table_cap;
    float *in;              /* (nwords + buckets) x dim */
};

/* ---- small helpers: hashing, random numbers, vector loops ---- */

/* fastText's hash of an n-gram: FNV-1a over the bytes, each sign-extended as fastText does. */
static uint32_t wv_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint32_t)(int32_t)(int8_t)s[i];
        h *= 16777619u;
    }
    return h;
}

static uint64_t wv_rand(uint64_t *s)  /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double wv_uniform(uint64_t *s) { return (double)(wv_rand(s) >> 11) * (1.0 / 9007199254740992.0); }

/* The helpers below are RNN_KERNEL_INLINE: inlined into the vectorised update (RNN_VECTOR_KERNEL). */
RNN_KERNEL_INLINE float wv_dot(const float *a, const float *b, int n)
{
    float s = 0;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}
RNN_KERNEL_INLINE void wv_axpy(float *y, const float *x, float a, int n)
{
    for (int i = 0; i < n; i++)
        y[i] += a * x[i];
}

/* ---- the word table and character n-grams ---- */

static size_t word_slot(const rnn_wordvec *w, const char *word)
{
    size_t mask = w->table_cap - 1, i = wv_hash(word, strlen(word)) & mask;
    while (w->table[i] >= 0 && strcmp(w->words[w->table[i]], word) != 0)
        i = (i + 1) & mask;
    return i;
}

static int32_t word_row(const rnn_wordvec *w, const char *word)
{
    return w->nwords ? w->table[word_slot(w, word)] : -1;
}

/* Calls add(row) for each n-gram row of word (character n-grams of "<word>", minn..maxn UTF-8
 * characters, the lone "<" and ">" left out), as fastText's computeSubwords. */
static size_t ngram_rows(const rnn_wordvec *w, const char *word, int32_t *rows, size_t cap)
{
    size_t len = strlen(word), n_rows = 0;
    if (w->maxn <= 0 || w->buckets <= 0) return 0;
    char stack[256], *b = len + 3 <= sizeof stack ? stack : malloc(len + 3);
    if (!b) return 0;
    b[0] = '<'; memcpy(b + 1, word, len); b[len + 1] = '>';
    size_t blen = len + 2;
    for (size_t i = 0; i < blen; i++) {
        if ((b[i] & 0xC0) == 0x80) continue;
        size_t j = i;
        for (int n = 1; j < blen && n <= w->maxn; n++) {
            j++;
            while (j < blen && (b[j] & 0xC0) == 0x80) j++;
            if (n >= w->minn && !(n == 1 && (i == 0 || j == blen))) {
                if (n_rows < cap) rows[n_rows] = (int32_t)(w->nwords + wv_hash(b + i, j - i) % (uint32_t)w->buckets);
                n_rows++;
            }
        }
    }
    if (b != stack) free(b);
    return n_rows;
}

/* ---- training state ---- */

typedef struct wv_overlay {   /* rows a thread wrote this round */
    int32_t *slot;            /* per row: index into buf, or -1 */
    int32_t *rows;            /* the rows written, in order */
    size_t n, cap;
    float *buf;               /* cap x dim */
} wv_overlay;

typedef struct wv_train wv_train;
typedef struct wv_thread {
    wv_train *tr;
    int id;
    size_t text_lo, text_hi, text;   /* share of the texts, the next one */
    int epoch;
    uint64_t words_done, words_total;
    uint64_t rng;
    wv_overlay in, out;
    float *hidden, *grad;
    int32_t *line, *ctx;             /* a text's rows after subsampling; CBOW's context rows */
    size_t line_cap, ctx_cap;
    double loss; uint64_t loss_n;
    bool done, failed;
} wv_thread;

struct wv_train {
    const rnn_wordvec_opts *o;
    rnn_wordvec *w;
    const rnn_seqs *seqs;
    const int32_t *row_of_id; size_t n_ids;
    float *out;                      /* nwords x dim */
    int32_t *sub_off, *sub_rows;     /* each word's rows: its own, then its n-grams */
    float *keep;                     /* probability of keeping each word (subsampling) */
    int32_t *neg; size_t n_neg;
    float sigmoid[WV_SIGMOID_TABLE + 1], logt[WV_LOG_TABLE + 1];
    int threads;
    pthread_barrier_t barrier;
    wv_thread *th;
    rnn_wordvec_progress_fn progress; void *user;
    double t0;
    bool stop, all_done;
    pthread_mutex_t gate;            /* threads wait here until all exist */
    pthread_cond_t gate_open;
    bool go, abort;
};

RNN_KERNEL_INLINE float wv_sigmoid(const wv_train *tr, float x)
{
    if (x < -WV_MAX_SIGMOID) return 0.0f;
    if (x > WV_MAX_SIGMOID) return 1.0f;
    return tr->sigmoid[(int)((x + WV_MAX_SIGMOID) * WV_SIGMOID_TABLE / WV_MAX_SIGMOID / 2)];
}
RNN_KERNEL_INLINE float wv_log(const wv_train *tr, float x)
{
    if (x > 1.0f) return 0.0f;
    return tr->logt[(int)(x * WV_LOG_TABLE)];
}

RNN_KERNEL_INLINE float *row_read(const wv_overlay *ov, float *shared, int32_t r, int dim)
{
    if (!ov->slot) return shared + (size_t)r * dim;
    int32_t s = ov->slot[r];
    return s >= 0 ? ov->buf + (size_t)s * dim : shared + (size_t)r * dim;
}

/* The row to write: the shared one with one thread, else this thread's copy (made on first write). */
static float *row_write(wv_thread *th, wv_overlay *ov, float *shared, int32_t r)
{
    int dim = th->tr->o->dim;
    if (!ov->slot) return shared + (size_t)r * dim;
    int32_t s = ov->slot[r];
    if (s < 0) {
        if (ov->n == ov->cap) {
            size_t cap = ov->cap ? ov->cap * 2 : 4096;
            float *buf = realloc(ov->buf, cap * dim * sizeof *buf);
            int32_t *rows = realloc(ov->rows, cap * sizeof *rows);
            if (rows) ov->rows = rows;
            if (!buf || !rows) { if (buf) ov->buf = buf; th->failed = true; return NULL; }
            ov->buf = buf; ov->cap = cap;
        }
        s = (int32_t)ov->n++;
        ov->slot[r] = s;
        ov->rows[s] = r;
        memcpy(ov->buf + (size_t)s * dim, shared + (size_t)r * dim, dim * sizeof(float));
    }
    return ov->buf + (size_t)s * dim;
}

/* One logistic step of negative sampling on output row `target` (fastText's binaryLogistic). */
RNN_KERNEL_INLINE bool binary_step(wv_thread *th, int32_t target, bool label, float lr)
{
    wv_train *tr = th->tr;
    int dim = tr->o->dim;
    float *wo = row_write(th, &th->out, tr->out, target);
    if (!wo) return false;
    float score = wv_sigmoid(tr, wv_dot(wo, th->hidden, dim));
    float alpha = lr * ((label ? 1.0f : 0.0f) - score);
    wv_axpy(th->grad, wo, alpha, dim);
    wv_axpy(wo, th->hidden, alpha, dim);
    th->loss -= label ? wv_log(tr, score) : wv_log(tr, 1.0f - score);
    return true;
}

RNN_KERNEL_INLINE int32_t negative_for(wv_thread *th, int32_t target)
{
    int32_t n;
    do n = th->tr->neg[wv_rand(&th->rng) % th->tr->n_neg];
    while (n == target && th->tr->w->nwords > 1);
    return n;
}

/* The mean of the input rows becomes hidden; the target and negatives are trained on it; every
 * input row moves by the gradient (fastText's Model::update for skip-gram and CBOW). */
RNN_VECTOR_KERNEL static bool update(wv_thread *th, const int32_t *input, size_t n_in, int32_t target, float lr)
{
    wv_train *tr = th->tr;
    int dim = tr->o->dim;
    if (n_in == 0) return true;
    memset(th->hidden, 0, dim * sizeof(float));
    for (size_t i = 0; i < n_in; i++)
        wv_axpy(th->hidden, row_read(&th->in, tr->w->in, input[i], dim), 1.0f, dim);
    for (int k = 0; k < dim; k++)
        th->hidden[k] *= 1.0f / (float)n_in;
    memset(th->grad, 0, dim * sizeof(float));
    if (!binary_step(th, target, true, lr)) return false;
    for (int k = 0; k < tr->o->negative; k++)
        if (!binary_step(th, negative_for(th, target), false, lr)) return false;
    th->loss_n++;
    for (size_t i = 0; i < n_in; i++) {
        float *wi = row_write(th, &th->in, tr->w->in, input[i]);
        if (!wi) return false;
        wv_axpy(wi, th->grad, 1.0f, dim);
    }
    return true;
}

/* The rows of text i's words that have a row, after subsampling, into th->line. */
static size_t text_rows(wv_thread *th, size_t i)
{
    wv_train *tr = th->tr;
    const int32_t *ids = tr->seqs->ids + tr->seqs->off[i];
    size_t len = tr->seqs->off[i + 1] - tr->seqs->off[i], n = 0;
    if (rnn_grow(&th->line, &th->line_cap, len, sizeof *th->line)) { th->failed = true; return 0; }
    for (size_t k = 0; k < len; k++) {
        int32_t id = ids[k];
        if (id <= 0 || (size_t)id >= tr->n_ids || tr->row_of_id[id] < 0) continue;
        int32_t r = tr->row_of_id[id];
        th->words_done++;
        if (wv_uniform(&th->rng) > tr->keep[r]) continue;
        th->line[n++] = r;
    }
    return n;
}

static void train_text(wv_thread *th, size_t i)
{
    wv_train *tr = th->tr;
    const rnn_wordvec_opts *o = tr->o;
    size_t n = text_rows(th, i);
    float lr = (float)(o->lr * (1.0 - (double)th->words_done / (double)th->words_total));
    if (lr < 0) lr = 0;
    for (size_t p = 0; p < n && !th->failed; p++) {
        int b = 1 + (int)(wv_rand(&th->rng) % (uint64_t)o->window);
        size_t lo = p >= (size_t)b ? p - b : 0, hi = p + b < n ? p + b : n - 1;
        if (o->cbow) {
            size_t m = 0;
            for (size_t c = lo; c <= hi; c++) {
                if (c == p) continue;
                int32_t r = th->line[c];
                size_t k = (size_t)(tr->sub_off[r + 1] - tr->sub_off[r]);
                if (rnn_grow(&th->ctx, &th->ctx_cap, m + k, sizeof *th->ctx)) { th->failed = true; return; }
                memcpy(th->ctx + m, tr->sub_rows + tr->sub_off[r], k * sizeof(int32_t));
                m += k;
            }
            if (!update(th, th->ctx, m, th->line[p], lr)) th->failed = true;
        } else {
            int32_t r = th->line[p];
            const int32_t *sub = tr->sub_rows + tr->sub_off[r];
            size_t k = (size_t)(tr->sub_off[r + 1] - tr->sub_off[r]);
            for (size_t c = lo; c <= hi && !th->failed; c++)
                if (c != p && !update(th, sub, k, th->line[c], lr)) th->failed = true;
        }
    }
}

/* Trains this thread's texts until it has read WV_ROUND_WORDS words or finished its epochs. */
static void train_round(wv_thread *th)
{
    uint64_t start = th->words_done;
    while (!th->done && !th->failed && th->words_done - start < WV_ROUND_WORDS) {
        if (th->text >= th->text_hi) {
            th->text = th->text_lo;
            if (++th->epoch >= th->tr->o->epochs) { th->done = true; break; }
        }
        train_text(th, th->text++);
    }
    if (th->words_done >= th->words_total) th->done = true;
}

/* Adds every thread's change of row r to the shared row, in thread order. */
static void merge_row(wv_train *tr, wv_overlay *(*pick)(wv_thread *), float *shared, int32_t r, float *sum)
{
    int dim = tr->o->dim;
    float *base = shared + (size_t)r * dim;
    memcpy(sum, base, dim * sizeof(float));
    for (int t = 0; t < tr->threads; t++) {
        wv_overlay *ov = pick(&tr->th[t]);
        int32_t s = ov->slot[r];
        if (s < 0) continue;
        const float *mine = ov->buf + (size_t)s * dim;
        for (int k = 0; k < dim; k++)
            sum[k] += mine[k] - base[k];
    }
    memcpy(base, sum, dim * sizeof(float));
}

static wv_overlay *pick_in(wv_thread *th) { return &th->in; }
static wv_overlay *pick_out(wv_thread *th) { return &th->out; }

/* A thread merges the rows it wrote that no lower-numbered thread wrote: each row once. */
static void merge_share(wv_thread *th, wv_overlay *(*pick)(wv_thread *), float *shared)
{
    wv_train *tr = th->tr;
    wv_overlay *mine = pick(th);
    for (size_t i = 0; i < mine->n; i++) {
        int32_t r = mine->rows[i];
        bool first = true;
        for (int t = 0; t < th->id && first; t++)
            first = pick(&tr->th[t])->slot[r] < 0;
        if (first) merge_row(tr, pick, shared, r, th->grad);
    }
}

static void clear_overlay(wv_overlay *ov)
{
    if (!ov->slot) return;
    for (size_t i = 0; i < ov->n; i++)
        ov->slot[ov->rows[i]] = -1;
    ov->n = 0;
}

static void report_round(wv_train *tr)
{
    uint64_t done = 0, total = 0, loss_n = 0;
    double loss = 0;
    bool all = true, failed = false;
    for (int t = 0; t < tr->threads; t++) {
        done += tr->th[t].words_done; total += tr->th[t].words_total;
        loss += tr->th[t].loss; loss_n += tr->th[t].loss_n;
        all = all && tr->th[t].done;
        failed = failed || tr->th[t].failed;
    }
    tr->all_done = all || failed;
    double secs = rnn_now() - tr->t0;
    if (tr->progress && !tr->all_done &&
        tr->progress(total ? (double)done / (double)total : 1.0, secs > 0 ? (double)done / secs : 0,
                     loss_n ? loss / (double)loss_n : 0, tr->user))
        tr->stop = true;
}

static void *thread_main(void *arg)
{
    wv_thread *th = arg;
    wv_train *tr = th->tr;
    for (;;) {
        train_round(th);
        if (tr->threads > 1) {
            pthread_barrier_wait(&tr->barrier);
            merge_share(th, pick_in, tr->w->in);
            merge_share(th, pick_out, tr->out);
        }
        pthread_barrier_wait(&tr->barrier);
        if (th->id == 0) report_round(tr);
        pthread_barrier_wait(&tr->barrier);
        clear_overlay(&th->in);
        clear_overlay(&th->out);
        if (tr->all_done || tr->stop) return NULL;
    }
}

/* ---- setting up ---- */

void rnn_wordvec_opts_default(rnn_wordvec_opts *o)
{
    *o = (rnn_wordvec_opts){.cbow = false, .dim = 100, .window = 5, .epochs = 5, .min_count = 5,
                            .negative = 5, .minn = 3, .maxn = 6, .buckets = 2000000, .lr = 0.05,
                            .sample = 1e-4, .threads = 0, .seed = 1};
}

static int check_opts(const rnn_wordvec_opts *o, rnn_error *err)
{
    if (o->dim < 1 || o->dim > 10000) return rnn_fail(err, RNN_EUSAGE, "dim=%d: expected 1 to 10000", o->dim);
    if (o->window < 1 || o->window > 1000) return rnn_fail(err, RNN_EUSAGE, "window=%d: expected 1 to 1000", o->window);
    if (o->epochs < 1 || o->epochs > 100000) return rnn_fail(err, RNN_EUSAGE, "epochs=%d: expected 1 to 100000", o->epochs);
    if (o->min_count < 1) return rnn_fail(err, RNN_EUSAGE, "min_count=%d: expected at least 1", o->min_count);
    if (o->negative < 1 || o->negative > 1000) return rnn_fail(err, RNN_EUSAGE, "negative=%d: expected 1 to 1000", o->negative);
    if (o->maxn < 0 || o->maxn > 100 || (o->maxn > 0 && (o->minn < 1 || o->minn > o->maxn)))
        return rnn_fail(err, RNN_EUSAGE, "minn=%d maxn=%d: expected 1 <= minn <= maxn <= 100, or maxn=0 (no n-grams)", o->minn, o->maxn);
    if (o->maxn > 0 && (o->buckets < 1 || o->buckets > 100000000))
        return rnn_fail(err, RNN_EUSAGE, "buckets=%d: expected 1 to 100000000", o->buckets);
    if (!(o->lr > 0 && o->lr <= 10)) return rnn_fail(err, RNN_EUSAGE, "lr=%g: expected a rate in (0, 10]", o->lr);
    if (!(o->sample >= 0 && o->sample <= 1)) return rnn_fail(err, RNN_EUSAGE, "sample=%g: expected 0 to 1", o->sample);
    if (o->threads < 0 || o->threads > WV_MAX_THREADS) return rnn_fail(err, RNN_EUSAGE, "threads=%d: expected 0 to %d", o->threads, WV_MAX_THREADS);
    return RNN_OK;
}

static size_t in_rows(const rnn_wordvec_opts *o, size_t vocab)
{
    return vocab + (o->maxn > 0 ? (size_t)o->buckets : 0);
}

uint64_t rnn_wordvec_train_bytes(const rnn_wordvec_opts *o, size_t vocab, int threads)
{
    uint64_t rows = in_rows(o, vocab), dim = (uint64_t)o->dim, t = threads > 1 ? (uint64_t)threads : 0;
    uint64_t bytes = (rows + vocab) * dim * 4          /* input and output rows */
                   + (uint64_t)WV_NEG_TABLE * 4          /* negative table (at most) */
                   + vocab * (4 + 4 + 8 + 32 * 4)        /* keep, maps, words, n-gram lists */
                   + t * (rows + vocab) * 4               /* the threads' row slots */
                   + t * 2 * 65536 * dim * 4;             /* the threads' written rows (typical) */
    return bytes;
}

void rnn_wordvec_free(rnn_wordvec *w)
{
    if (!w) return;
    free(w->words); free(w->word_text); free(w->table); free(w->in);
    free(w);
}

int rnn_wordvec_dim(const rnn_wordvec *w) { return w->dim; }
size_t rnn_wordvec_size(const rnn_wordvec *w) { return w->nwords; }
uint64_t rnn_wordvec_tokens(const rnn_wordvec *w) { return w->ntokens; }

/* Counts each tokenizer word in the texts; words seen min_count times get rows, in id order. */
static int build_vocab(wv_train *tr, const rnn_tokenizer *t, int32_t **row_of_id, uint64_t **counts, rnn_error *err)
{
    const rnn_seqs *s = tr->seqs;
    size_t n_ids = rnn_tokenizer_size(t) + 1;
    for (size_t k = 0; k < s->off[s->n]; k++)     /* the OOV token may sit one past the size */
        if (s->ids[k] > 0 && (size_t)s->ids[k] >= n_ids && rnn_tokenizer_word(t, s->ids[k])) n_ids = (size_t)s->ids[k] + 1;
    uint64_t *c = calloc(n_ids, sizeof *c);
    int32_t *map = malloc(n_ids * sizeof *map);
    if (!c || !map) { free(c); free(map); return rnn_fail(err, RNN_EINTERNAL, "out of memory counting words"); }
    for (size_t k = 0; k < s->off[s->n]; k++)
        if (s->ids[k] > 0 && (size_t)s->ids[k] < n_ids) c[s->ids[k]]++;
    size_t nwords = 0;
    for (size_t id = 0; id < n_ids; id++)
        map[id] = id > 0 && c[id] >= (uint64_t)tr->o->min_count && rnn_tokenizer_word(t, (int32_t)id) ? (int32_t)nwords++ : -1;
    tr->w->nwords = nwords;
    tr->n_ids = n_ids;
    *row_of_id = map;
    *counts = c;
    return RNN_OK;
}

static int build_words(rnn_wordvec *w, const rnn_tokenizer *t, const int32_t *row_of_id, size_t n_ids, rnn_error *err)
{
    size_t bytes = 0;
    for (size_t id = 1; id < n_ids; id++)
        if (row_of_id[id] >= 0) bytes += strlen(rnn_tokenizer_word(t, (int32_t)id)) + 1;
    w->table_cap = 16;
    while (w->table_cap < 2 * w->nwords) w->table_cap *= 2;
    w->words = malloc(w->nwords * sizeof *w->words + 1);
    w->word_text = malloc(bytes + 1);
    w->table = malloc(w->table_cap * sizeof *w->table);
    if (!w->words || !w->word_text || !w->table) return rnn_fail(err, RNN_EINTERNAL, "out of memory for the word list");
    memset(w->table, 0xff, w->table_cap * sizeof *w->table);
    char *p = w->word_text;
    for (size_t id = 1; id < n_ids; id++) {
        int32_t r = row_of_id[id];
        if (r < 0) continue;
        const char *s = rnn_tokenizer_word(t, (int32_t)id);
        size_t n = strlen(s) + 1;
        memcpy(p, s, n);
        w->words[r] = p;
        p += n;
        w->table[word_slot(w, w->words[r])] = r;
    }
    return RNN_OK;
}

static int build_subwords(wv_train *tr, rnn_error *err)
{
    rnn_wordvec *w = tr->w;
    size_t total = 0;
    for (size_t r = 0; r < w->nwords; r++)
        total += 1 + ngram_rows(w, w->words[r], NULL, 0);
    tr->sub_off = malloc((w->nwords + 1) * sizeof *tr->sub_off);
    tr->sub_rows = malloc((total ? total : 1) * sizeof *tr->sub_rows);
    if (!tr->sub_off || !tr->sub_rows || total > INT32_MAX) return rnn_fail(err, RNN_EINTERNAL, "out of memory for the n-gram lists");
    size_t at = 0;
    for (size_t r = 0; r < w->nwords; r++) {
        tr->sub_off[r] = (int32_t)at;
        tr->sub_rows[at++] = (int32_t)r;
        at += ngram_rows(w, w->words[r], tr->sub_rows + at, total - at);
    }
    tr->sub_off[w->nwords] = (int32_t)at;
    return RNN_OK;
}

/* fastText's tables: subsampling (keep with sqrt(t/f) + t/f) and negatives (count^0.5, shuffled). */
static int build_sampling(wv_train *tr, const uint64_t *counts, const int32_t *row_of_id, rnn_error *err)
{
    rnn_wordvec *w = tr->w;
    size_t V = w->nwords;
    double z = 0;
    w->ntokens = 0;
    tr->keep = malloc(V * sizeof *tr->keep);
    if (!tr->keep) return rnn_fail(err, RNN_EINTERNAL, "out of memory for the sampling tables");
    for (size_t id = 1; id < tr->n_ids; id++)
        if (row_of_id[id] >= 0) { w->ntokens += counts[id]; z += sqrt((double)counts[id]); }
    /* fastText's 10 million entries, or fewer for a small vocabulary (a thousand a word on average) */
    double size = V * 1000.0 < WV_NEG_TABLE ? V * 1000.0 : WV_NEG_TABLE;
    size_t cap = 0;
    for (size_t id = 1; id < tr->n_ids; id++)
        if (row_of_id[id] >= 0) cap += (size_t)(sqrt((double)counts[id]) * size / z) + 1;
    tr->neg = malloc(cap * sizeof *tr->neg);
    if (!tr->neg) return rnn_fail(err, RNN_EINTERNAL, "out of memory for the sampling tables");
    for (size_t id = 1; id < tr->n_ids; id++) {
        int32_t r = row_of_id[id];
        if (r < 0) continue;
        double f = (double)counts[id] / (double)w->ntokens, t = tr->o->sample;
        tr->keep[r] = t > 0 ? (float)(sqrt(t / f) + t / f) : 1.0f;
        double c = sqrt((double)counts[id]);
        for (size_t j = 0; j < (size_t)(c * size / z); j++)
            tr->neg[tr->n_neg++] = r;
    }
    if (tr->n_neg == 0) tr->neg[tr->n_neg++] = 0;
    uint64_t s = tr->o->seed ^ 0x6e65676174697665ull;
    for (size_t i = tr->n_neg - 1; i > 0; i--) {
        size_t j = (size_t)(wv_rand(&s) % (i + 1));
        int32_t x = tr->neg[i]; tr->neg[i] = tr->neg[j]; tr->neg[j] = x;
    }
    return RNN_OK;
}

static void build_tables(wv_train *tr)
{
    for (int i = 0; i <= WV_SIGMOID_TABLE; i++) {
        double x = ((double)i * 2 * WV_MAX_SIGMOID) / WV_SIGMOID_TABLE - WV_MAX_SIGMOID;
        tr->sigmoid[i] = (float)(1.0 / (1.0 + exp(-x)));
    }
    for (int i = 0; i <= WV_LOG_TABLE; i++)
        tr->logt[i] = (float)log(((double)i + 1e-5) / WV_LOG_TABLE);
}

/* Input rows uniform in (-1/dim, 1/dim), output rows zero (fastText's start). Blocks of rows have
 * their own random stream, so the start does not depend on the thread count. */
static int init_matrices(wv_train *tr, rnn_error *err)
{
    rnn_wordvec *w = tr->w;
    size_t rows = in_rows(tr->o, w->nwords), dim = (size_t)tr->o->dim;
    w->in = malloc(rows * dim * sizeof(float));
    tr->out = calloc(w->nwords ? w->nwords * dim : 1, sizeof(float));
    if (!w->in || !tr->out) return rnn_fail(err, RNN_EINTERNAL, "out of memory for the word vectors");
    float a = 1.0f / (float)dim;
    for (size_t b = 0; b < rows; b += 4096) {
        uint64_t s = tr->o->seed * 0x9e3779b97f4a7c15ull + b;
        size_t end = b + 4096 < rows ? b + 4096 : rows;
        for (size_t i = b * dim; i < end * dim; i++)
            w->in[i] = (float)(wv_uniform(&s) * 2 - 1) * a;
    }
    return RNN_OK;
}

static int init_threads(wv_train *tr, rnn_error *err)
{
    const rnn_seqs *s = tr->seqs;
    size_t rows = in_rows(tr->o, tr->w->nwords), dim = (size_t)tr->o->dim;
    tr->th = calloc((size_t)tr->threads, sizeof *tr->th);
    if (!tr->th) return rnn_fail(err, RNN_EINTERNAL, "out of memory for the training threads");
    for (int t = 0; t < tr->threads; t++) {
        wv_thread *th = &tr->th[t];
        th->tr = tr; th->id = t;
        th->text_lo = th->text = s->n * (size_t)t / (size_t)tr->threads;
        th->text_hi = s->n * (size_t)(t + 1) / (size_t)tr->threads;
        uint64_t words = 0;
        for (size_t i = th->text_lo; i < th->text_hi; i++)
            for (size_t k = s->off[i]; k < s->off[i + 1]; k++) {
                int32_t id = s->ids[k];
                words += id > 0 && (size_t)id < tr->n_ids && tr->row_of_id[id] >= 0;
            }
        th->words_total = words * (uint64_t)tr->o->epochs;
        th->done = th->words_total == 0;
        th->rng = tr->o->seed * 0xd1342543de82ef95ull + (uint64_t)t + 1;
        th->hidden = malloc(dim * sizeof(float));
        th->grad = malloc(dim * sizeof(float));
        if (!th->hidden || !th->grad) return rnn_fail(err, RNN_EINTERNAL, "out of memory for the training threads");
        if (tr->threads > 1) {
            th->in.slot = malloc(rows * sizeof(int32_t));
            th->out.slot = malloc((tr->w->nwords ? tr->w->nwords : 1) * sizeof(int32_t));
            if (!th->in.slot || !th->out.slot) return rnn_fail(err, RNN_EINTERNAL, "out of memory for the training threads");
            memset(th->in.slot, 0xff, rows * sizeof(int32_t));
            memset(th->out.slot, 0xff, tr->w->nwords * sizeof(int32_t));
        }
    }
    return RNN_OK;
}

static void free_train(wv_train *tr)
{
    for (int t = 0; tr->th && t < tr->threads; t++) {
        wv_thread *th = &tr->th[t];
        free(th->hidden); free(th->grad); free(th->line); free(th->ctx);
        free(th->in.slot); free(th->in.rows); free(th->in.buf);
        free(th->out.slot); free(th->out.rows); free(th->out.buf);
    }
    free(tr->th); free(tr->out); free(tr->sub_off); free(tr->sub_rows); free(tr->keep); free(tr->neg);
}

/* Threads start together once all exist (the barrier counts every one of them). */
static void *thread_entry(void *arg)
{
    wv_train *tr = ((wv_thread *)arg)->tr;
    pthread_mutex_lock(&tr->gate);
    while (!tr->go)
        pthread_cond_wait(&tr->gate_open, &tr->gate);
    pthread_mutex_unlock(&tr->gate);
    return tr->abort ? NULL : thread_main(arg);
}

static void open_gate(wv_train *tr, bool abort)
{
    pthread_mutex_lock(&tr->gate);
    tr->go = true;
    tr->abort = abort;
    pthread_cond_broadcast(&tr->gate_open);
    pthread_mutex_unlock(&tr->gate);
}

static int run_threads(wv_train *tr, rnn_error *err)
{
    pthread_t ids[WV_MAX_THREADS];
    int t = 1;
    if (pthread_barrier_init(&tr->barrier, NULL, (unsigned)tr->threads))
        return rnn_fail(err, RNN_EINTERNAL, "cannot start the training threads");
    tr->t0 = rnn_now();
    while (t < tr->threads && pthread_create(&ids[t], NULL, thread_entry, &tr->th[t]) == 0)
        t++;
    open_gate(tr, t < tr->threads);
    if (t == tr->threads) thread_main(&tr->th[0]);
    for (int u = 1; u < t; u++)
        pthread_join(ids[u], NULL);
    pthread_barrier_destroy(&tr->barrier);
    if (t < tr->threads) return rnn_fail(err, RNN_EINTERNAL, "cannot start %d training threads", tr->threads);
    for (int u = 0; u < tr->threads; u++)
        if (tr->th[u].failed) return rnn_fail(err, RNN_EINTERNAL, "out of memory while training word vectors");
    return RNN_OK;
}

int rnn_wordvec_train(const rnn_tokenizer *t, const rnn_seqs *seqs, const rnn_wordvec_opts *o,
                      rnn_wordvec_progress_fn progress, void *user, rnn_wordvec **out, bool *stopped,
                      rnn_error *err)
{
    int rc = check_opts(o, err);
    *out = NULL;
    if (stopped) *stopped = false;
    if (rc) return rc;
    wv_train tr = {.o = o, .seqs = seqs, .progress = progress, .user = user,
                   .gate = PTHREAD_MUTEX_INITIALIZER, .gate_open = PTHREAD_COND_INITIALIZER};
    tr.threads = o->threads > 0 ? o->threads : rnn_get_threads();
    if (tr.threads < 1) tr.threads = 1;
    if (tr.threads > WV_MAX_THREADS) tr.threads = WV_MAX_THREADS;
    if ((size_t)tr.threads > seqs->n && seqs->n > 0) tr.threads = (int)seqs->n;
    tr.w = calloc(1, sizeof *tr.w);
    if (!tr.w) return rnn_fail(err, RNN_EINTERNAL, "out of memory for the word vectors");
    *tr.w = (rnn_wordvec){.dim = o->dim, .minn = o->minn, .maxn = o->maxn, .buckets = o->maxn > 0 ? o->buckets : 0};
    int32_t *row_of_id = NULL;
    uint64_t *counts = NULL;
    rc = build_vocab(&tr, t, &row_of_id, &counts, err);
    tr.row_of_id = row_of_id;
    if (rc == RNN_OK && tr.w->nwords == 0)
        rc = rnn_fail(err, RNN_EDATA, "no word occurs min_count=%d times in the texts", o->min_count);
    if (rc == RNN_OK)
        rc = rnn_mem_check(rnn_wordvec_train_bytes(o, tr.w->nwords, tr.threads), 0,
                           "fewer buckets=, a smaller dim= or fewer threads", err,
                           "word vectors of %zu words and %d n-gram buckets at dim=%d",
                           tr.w->nwords, tr.w->buckets, o->dim);
    if (rc == RNN_OK) rc = build_words(tr.w, t, row_of_id, tr.n_ids, err);
    if (rc == RNN_OK) rc = build_subwords(&tr, err);
    if (rc == RNN_OK) rc = build_sampling(&tr, counts, row_of_id, err);
    free(counts);
    if (rc == RNN_OK) {
        build_tables(&tr);
        rc = init_matrices(&tr, err);
    }
    if (rc == RNN_OK) rc = init_threads(&tr, err);
    if (rc == RNN_OK) rc = run_threads(&tr, err);
    free_train(&tr);
    free(row_of_id);
    if (rc != RNN_OK) { rnn_wordvec_free(tr.w); return rc; }
    if (stopped) *stopped = tr.stop;
    *out = tr.w;
    return RNN_OK;
}

/* ---- using the vectors ---- */

bool rnn_wordvec_vector(const rnn_wordvec *w, const char *word, float *out)
{
    int dim = w->dim;
    int32_t stack[128], *rows = stack;
    size_t n = ngram_rows(w, word, stack, 128);
    if (n > 128) {
        rows = malloc(n * sizeof *rows);
        if (!rows) n = 0;
        else ngram_rows(w, word, rows, n);
    }
    int32_t own = word_row(w, word);
    memset(out, 0, dim * sizeof(float));
    size_t used = 0;
    if (own >= 0) { wv_axpy(out, w->in + (size_t)own * dim, 1.0f, dim); used++; }
    for (size_t i = 0; i < n; i++, used++)
        wv_axpy(out, w->in + (size_t)rows[i] * dim, 1.0f, dim);
    if (rows != stack) free(rows);
    if (used == 0) return false;
    for (int k = 0; k < dim; k++)
        out[k] /= (float)used;
    return true;
}

int rnn_wordvec_matrix(const rnn_wordvec *w, const rnn_tokenizer *t, size_t rows, rnn_fmatrix *out,
                       size_t *n_found, rnn_error *err)
{
    size_t dim = (size_t)w->dim, found = 0;
    int rc = rnn_mem_check((uint64_t)rows * dim * 4, 0, NULL, err, "a %zu x %zu embedding matrix", rows, dim);
    if (rc) return rc;
    float *m = calloc(rows ? rows * dim : 1, sizeof *m);
    if (!m) return rnn_fail(err, RNN_EINTERNAL, "out of memory for a %zu x %zu embedding matrix", rows, dim);
    for (size_t i = 1; i < rows; i++) {
        const char *word = rnn_tokenizer_word(t, (int32_t)i);
        found += word && rnn_wordvec_vector(w, word, m + i * dim);
    }
    *out = (rnn_fmatrix){.rows = rows, .cols = dim, .data = m};
    if (n_found) *n_found = found;
    return RNN_OK;
}

int rnn_wordvec_save(const rnn_wordvec *w, const char *path, rnn_error *err)
{
    rnn_outfile o;
    int rc = rnn_outfile_open(&o, path, err);
    if (rc) return rc;
    float *v = malloc((size_t)w->dim * sizeof *v);
    if (!v) { rnn_outfile_discard(&o); return rnn_fail(err, RNN_EINTERNAL, "out of memory writing %s", path); }
    fprintf(o.f, "%zu %d\n", w->nwords, w->dim);
    for (size_t r = 0; r < w->nwords; r++) {
        rnn_wordvec_vector(w, w->words[r], v);
        fputs(w->words[r], o.f);
        for (int k = 0; k < w->dim; k++)
            fprintf(o.f, " %.7g", v[k]);
        fputc('\n', o.f);
    }
    free(v);
    return rnn_outfile_commit(&o, err);
}

static double row_norm(const float *v, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++)
        s += (double)v[k] * v[k];
    return sqrt(s);
}

size_t rnn_vectors_nearest(const rnn_fmatrix *m, const float *query, const int32_t *skip, int n_skip,
                           size_t k, int32_t *ids, float *sims)
{
    size_t dim = m->cols, found = 0;
    double qn = row_norm(query, dim);
    if (qn == 0 || k == 0) return 0;
    for (size_t i = 1; i < m->rows; i++) {
        bool skipped = false;
        for (int j = 0; j < n_skip && !skipped; j++)
            skipped = (size_t)skip[j] == i;
        const float *row = m->data + i * dim;
        double rn = row_norm(row, dim);
        if (skipped || rn == 0) continue;
        double dot = 0;
        for (size_t d = 0; d < dim; d++)
            dot += (double)row[d] * query[d];
        float sim = (float)(dot / (rn * qn));
        if (found == k && sim <= sims[k - 1]) continue;
        size_t p = found < k ? found++ : k - 1;
        while (p > 0 && sims[p - 1] < sim) { sims[p] = sims[p - 1]; ids[p] = ids[p - 1]; p--; }
        sims[p] = sim; ids[p] = (int32_t)i;
    }
    return found;
}

bool rnn_vectors_analogy(const rnn_fmatrix *m, int32_t a, int32_t b, int32_t c, float *out)
{
    const int32_t which[3] = {a, b, c};
    const float sign[3] = {1, -1, 1};
    size_t dim = m->cols;
    memset(out, 0, dim * sizeof *out);
    for (int j = 0; j < 3; j++) {
        if (which[j] <= 0 || (size_t)which[j] >= m->rows) return false;
        const float *row = m->data + (size_t)which[j] * dim;
        double n = row_norm(row, dim);
        if (n == 0) return false;
        for (size_t d = 0; d < dim; d++)
            out[d] += sign[j] * (float)(row[d] / n);
    }
    return true;
}
