/* Word n-gram features: n-grams numbered by counting (the most frequent of the training split) or
 * hashed into buckets as fastText's word n-grams, appended after each sequence's word ids. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/ngrams.h"

#define NG_MAGIC "RNNGRAM1"

struct rnn_ngrams {
    rnn_ngram_opts o;
    size_t count;          /* n-grams numbered (counting mode) */
    int32_t *words;        /* count x RNN_NGRAMS_MAX_N word ids, zeros after a shorter n-gram */
    uint64_t *seen;        /* while fitting: occurrences, then first-seen order */
    int32_t *table;        /* open addressing: index into words, or -1 */
    size_t cap;            /* table entries (a power of two) */
    size_t words_cap;
};

/* fastText's word n-gram hash: h = h * 116049371 + next, over the word ids. */
static uint64_t ngram_hash(const int32_t *ids, int n)
{
    uint64_t h = (uint64_t)(uint32_t)ids[0];
    for (int j = 1; j < n; j++)
        h = h * 116049371u + (uint64_t)(uint32_t)ids[j];
    return h;
}

static size_t table_pos(uint64_t h, size_t cap)
{
    h ^= h >> 33; h *= 0xff51afd7ed558ccdull; h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

static bool same_ngram(const int32_t *stored, const int32_t *ids, int n)
{
    for (int j = 0; j < RNN_NGRAMS_MAX_N; j++)
        if (stored[j] != (j < n ? ids[j] : 0)) return false;
    return true;
}

/* The slot holding ids[0..n), or the empty slot where it would go. */
static size_t find_slot(const rnn_ngrams *g, const int32_t *ids, int n)
{
    size_t i = table_pos(ngram_hash(ids, n), g->cap);
    while (g->table[i] >= 0 && !same_ngram(g->words + (size_t)g->table[i] * RNN_NGRAMS_MAX_N, ids, n))
        i = (i + 1) & (g->cap - 1);
    return i;
}

static int rehash(rnn_ngrams *g, size_t cap, rnn_error *err)
{
    int32_t *t = malloc(cap * sizeof *t);
    if (!t) return rnn_fail(err, RNN_EINTERNAL, "out of memory counting n-grams");
    memset(t, 0xff, cap * sizeof *t);
    free(g->table);
    g->table = t; g->cap = cap;
    for (size_t k = 0; k < g->count; k++) {
        const int32_t *w = g->words + k * RNN_NGRAMS_MAX_N;
        int n = 0;
        while (n < RNN_NGRAMS_MAX_N && w[n]) n++;
        g->table[find_slot(g, w, n)] = (int32_t)k;
    }
    return RNN_OK;
}

static int grow_words(rnn_ngrams *g, rnn_error *err)
{
    size_t cap = g->words_cap ? g->words_cap * 2 : 4096;
    uint64_t bytes = (uint64_t)cap * (RNN_NGRAMS_MAX_N * 4 + 8) + (uint64_t)cap * 2 * 4;
    int rc = rnn_mem_check(bytes, (uint64_t)g->words_cap * (RNN_NGRAMS_MAX_N * 4 + 8 + 8), "ngrams=2, or num_ngrams=N",
                           err, "counting %zu n-grams", cap);
    if (rc) return rc;
    if (cap > INT32_MAX) return rnn_fail(err, RNN_EDATA, "more than %d distinct n-grams: use ngram_buckets=N", INT32_MAX);
    int32_t *w = realloc(g->words, cap * RNN_NGRAMS_MAX_N * sizeof *w);
    if (w) g->words = w;
    uint64_t *s = realloc(g->seen, cap * sizeof *s);
    if (s) g->seen = s;
    if (!w || !s) return rnn_fail(err, RNN_EINTERNAL, "out of memory counting n-grams");
    g->words_cap = cap;
    return RNN_OK;
}

static int count_ngram(rnn_ngrams *g, const int32_t *ids, int n, rnn_error *err)
{
    size_t i = find_slot(g, ids, n);
    if (g->table[i] >= 0) { g->seen[g->table[i]]++; return RNN_OK; }
    int rc;
    if (g->count == g->words_cap && (rc = grow_words(g, err))) return rc;
    int32_t *w = g->words + g->count * RNN_NGRAMS_MAX_N;
    for (int j = 0; j < RNN_NGRAMS_MAX_N; j++)
        w[j] = j < n ? ids[j] : 0;
    g->seen[g->count] = 1;
    g->table[i] = (int32_t)g->count++;
    if (g->count * 2 > g->cap) return rehash(g, g->cap * 2, err);
    return RNN_OK;
}

static bool all_words(const int32_t *ids, int n)
{
    for (int j = 0; j < n; j++)
        if (ids[j] <= 0) return false;
    return true;
}

static const rnn_ngrams *sort_ctx;
static int by_count(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    uint64_t ci = sort_ctx->seen[i], cj = sort_ctx->seen[j];
    if (ci != cj) return ci > cj ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* Numbers the n-grams most frequent first (ties in first-seen order), keeping `top` of them. */
static int number_ngrams(rnn_ngrams *g, rnn_error *err)
{
    size_t keep = g->o.top > 0 && (size_t)g->o.top < g->count ? (size_t)g->o.top : g->count;
    size_t *order = malloc((g->count ? g->count : 1) * sizeof *order);
    int32_t *w = malloc((keep ? keep : 1) * RNN_NGRAMS_MAX_N * sizeof *w);
    if (!order || !w) { free(order); free(w); return rnn_fail(err, RNN_EINTERNAL, "out of memory numbering n-grams"); }
    for (size_t k = 0; k < g->count; k++)
        order[k] = k;
    sort_ctx = g;
    qsort(order, g->count, sizeof *order, by_count);
    for (size_t k = 0; k < keep; k++)
        memcpy(w + k * RNN_NGRAMS_MAX_N, g->words + order[k] * RNN_NGRAMS_MAX_N, RNN_NGRAMS_MAX_N * sizeof *w);
    free(order);
    free(g->words); free(g->seen);
    g->words = w; g->seen = NULL; g->count = keep; g->words_cap = keep;
    size_t cap = 16;
    while (cap < 2 * keep) cap *= 2;
    return rehash(g, cap, err);
}

static int check_opts(const rnn_ngram_opts *o, rnn_error *err)
{
    if (o->n < 2 || o->n > RNN_NGRAMS_MAX_N)
        return rnn_fail(err, RNN_EUSAGE, "ngrams=%d: expected 2 to %d words", o->n, RNN_NGRAMS_MAX_N);
    if (o->buckets < 0 || o->buckets > 100000000)
        return rnn_fail(err, RNN_EUSAGE, "ngram_buckets=%ld: expected 1 to 100000000", o->buckets);
    if (o->top < 0 || o->top > 100000000)
        return rnn_fail(err, RNN_EUSAGE, "num_ngrams=%ld: expected 1 to 100000000", o->top);
    if (o->buckets > 0 && o->top > 0)
        return rnn_fail(err, RNN_EUSAGE, "ngram_buckets= and num_ngrams= are two ways of numbering n-grams: give one");
    if (o->first_id < 1)
        return rnn_fail(err, RNN_EUSAGE, "n-gram ids must follow the word ids (first id %d)", (int)o->first_id);
    return RNN_OK;
}

static int check_id_range(const rnn_ngrams *g, rnn_error *err)
{
    if ((uint64_t)g->o.first_id + rnn_ngrams_size(g) > INT32_MAX)
        return rnn_fail(err, RNN_EUSAGE, "%zu n-gram ids after id %d pass the largest id %d", rnn_ngrams_size(g),
                        (int)g->o.first_id, INT32_MAX);
    return RNN_OK;
}

int rnn_ngrams_fit(const rnn_ngram_opts *o, const rnn_seqs *fit_on, rnn_ngrams **out, rnn_error *err)
{
    *out = NULL;
    int rc = check_opts(o, err);
    if (rc) return rc;
    rnn_ngrams *g = calloc(1, sizeof *g);
    if (!g) return rnn_fail(err, RNN_EINTERNAL, "out of memory for n-grams");
    g->o = *o;
    if (o->buckets == 0) {
        rc = rehash(g, 1024, err);
        for (size_t i = 0; rc == RNN_OK && i < fit_on->n; i++) {
            const int32_t *ids = fit_on->ids + fit_on->off[i];
            size_t len = fit_on->off[i + 1] - fit_on->off[i];
            for (int n = 2; rc == RNN_OK && n <= o->n; n++)
                for (size_t p = 0; rc == RNN_OK && p + (size_t)n <= len; p++)
                    if (all_words(ids + p, n)) rc = count_ngram(g, ids + p, n, err);
        }
        if (rc == RNN_OK) rc = number_ngrams(g, err);
    }
    if (rc == RNN_OK) rc = check_id_range(g, err);
    if (rc) { rnn_ngrams_free(g); return rc; }
    *out = g;
    return RNN_OK;
}

void rnn_ngrams_free(rnn_ngrams *g)
{
    if (!g) return;
    free(g->words); free(g->seen); free(g->table);
    free(g);
}

const rnn_ngram_opts *rnn_ngrams_options(const rnn_ngrams *g) { return &g->o; }

size_t rnn_ngrams_size(const rnn_ngrams *g) { return g->o.buckets > 0 ? (size_t)g->o.buckets : g->count; }

int rnn_ngrams_words(const rnn_ngrams *g, int32_t id, int32_t *ids)
{
    memset(ids, 0, RNN_NGRAMS_MAX_N * sizeof *ids);
    if (g->o.buckets > 0 || id < g->o.first_id || (size_t)(id - g->o.first_id) >= g->count) return 0;
    memcpy(ids, g->words + (size_t)(id - g->o.first_id) * RNN_NGRAMS_MAX_N, RNN_NGRAMS_MAX_N * sizeof *ids);
    int n = 0;
    while (n < RNN_NGRAMS_MAX_N && ids[n]) n++;
    return n;
}

/* The id of the n-gram ids[0..n), or 0 when it has none. */
static int32_t ngram_id(const rnn_ngrams *g, const int32_t *ids, int n)
{
    if (g->o.buckets > 0)
        return g->o.first_id + (int32_t)(ngram_hash(ids, n) % (uint64_t)g->o.buckets);
    if (g->count == 0) return 0;
    int32_t k = g->table[find_slot(g, ids, n)];
    return k >= 0 ? g->o.first_id + k : 0;
}

/* Most ids a sequence of len words can have with its n-grams. */
static size_t with_ngrams_len(const rnn_ngrams *g, size_t len)
{
    size_t total = len;
    for (int n = 2; n <= g->o.n; n++)
        total += len >= (size_t)n ? len - (size_t)n + 1 : 0;
    return total;
}

/* Writes ids then their n-gram ids into out; returns the count. */
static size_t append_ngrams(const rnn_ngrams *g, const int32_t *ids, size_t len, int32_t *out)
{
    size_t k = len;
    memmove(out, ids, len * sizeof *ids);
    for (int n = 2; n <= g->o.n; n++)
        for (size_t p = 0; p + (size_t)n <= len; p++) {
            if (!all_words(ids + p, n)) continue;
            int32_t id = ngram_id(g, ids + p, n);
            if (id) out[k++] = id;
        }
    return k;
}

int rnn_ngrams_apply_one(const rnn_ngrams *g, const int32_t *ids, size_t len, int32_t **out, size_t *out_len,
                         rnn_error *err)
{
    size_t most = with_ngrams_len(g, len);
    *out = malloc((most ? most : 1) * sizeof **out);
    if (!*out) return rnn_fail(err, RNN_EINTERNAL, "out of memory adding n-grams");
    *out_len = append_ngrams(g, ids, len, *out);
    return RNN_OK;
}

int rnn_ngrams_apply(const rnn_ngrams *g, const rnn_seqs *in, rnn_seqs *out, rnn_error *err)
{
    uint64_t most = 0;
    for (size_t i = 0; i < in->n; i++)
        most += with_ngrams_len(g, in->off[i + 1] - in->off[i]);
    int rc = rnn_mem_check(most * 4 + (uint64_t)(in->n + 1) * sizeof(size_t), 0, "num_ngrams=N or ngram_buckets=N", err,
                           "%zu sequences with their n-grams", in->n);
    if (rc) return rc;
    rnn_seqs s = {.n = in->n};
    s.off = malloc((in->n + 1) * sizeof *s.off);
    s.ids = malloc((most ? most : 1) * sizeof *s.ids);
    if (!s.off || !s.ids) { rnn_seqs_free(&s); return rnn_fail(err, RNN_EINTERNAL, "out of memory adding n-grams"); }
    s.off[0] = 0;
    for (size_t i = 0; i < in->n; i++)
        s.off[i + 1] = s.off[i] + append_ngrams(g, in->ids + in->off[i], in->off[i + 1] - in->off[i], s.ids + s.off[i]);
    int32_t *shrunk = realloc(s.ids, (s.off[in->n] ? s.off[in->n] : 1) * sizeof *s.ids);
    if (shrunk) s.ids = shrunk;
    *out = s;
    return RNN_OK;
}

int rnn_encode_texts(const rnn_tokenizer *t, const rnn_ngrams *g, char *const *texts, size_t n, rnn_seqs *out,
                     rnn_error *err)
{
    rnn_seqs words = {0};
    int rc = rnn_tokenizer_encode_all(t, texts, n, g ? &words : out, err);
    if (rc || !g) return rc;
    rc = rnn_ngrams_apply(g, &words, out, err);
    rnn_seqs_free(&words);
    return rc;
}

/* ---- save files: magic, then n, buckets, top, first_id, count and count x n word ids (int64 LE) ---- */

static bool put_i64(FILE *f, int64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)((uint64_t)v >> (8 * i));
    return fwrite(b, 1, 8, f) == 8;
}
static bool get_i64(FILE *f, int64_t *v)
{
    unsigned char b[8];
    if (fread(b, 1, 8, f) != 8) return false;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u |= (uint64_t)b[i] << (8 * i);
    *v = (int64_t)u;
    return true;
}

int rnn_ngrams_write(const rnn_ngrams *g, FILE *f, rnn_error *err)
{
    bool ok = fwrite(NG_MAGIC, 1, 8, f) == 8 && put_i64(f, g->o.n) && put_i64(f, g->o.buckets) &&
              put_i64(f, g->o.top) && put_i64(f, g->o.first_id) && put_i64(f, (int64_t)g->count);
    for (size_t k = 0; ok && k < g->count; k++)
        for (int j = 0; ok && j < g->o.n; j++)
            ok = put_i64(f, g->words[k * RNN_NGRAMS_MAX_N + j]);
    return ok ? RNN_OK : rnn_fail(err, RNN_EIO, "cannot write the n-grams");
}

int rnn_ngrams_read(rnn_ngrams **out, FILE *f, uint64_t limit, rnn_error *err)
{
    char magic[8];
    int64_t n, buckets, top, first, count;
    *out = NULL;
    if (limit < 48 || fread(magic, 1, 8, f) != 8 || memcmp(magic, NG_MAGIC, 8) != 0 || !get_i64(f, &n) ||
        !get_i64(f, &buckets) || !get_i64(f, &top) || !get_i64(f, &first) || !get_i64(f, &count))
        return rnn_fail(err, RNN_EDATA, "the n-gram section is damaged");
    rnn_ngram_opts o = {.n = n >= 2 && n <= RNN_NGRAMS_MAX_N ? (int)n : 0, .buckets = (long)buckets, .top = (long)top,
                        .first_id = first > 0 && first <= INT32_MAX ? (int32_t)first : 0};
    rnn_error e = {0};
    if (check_opts(&o, &e) || count < 0 || (buckets > 0 && count != 0) ||
        (uint64_t)count > (limit - 48) / (8 * (uint64_t)o.n))
        return rnn_fail(err, RNN_EDATA, "the n-gram section is damaged (%s)", e.msg[0] ? e.msg : "its count passes its end");
    rnn_ngrams *g = calloc(1, sizeof *g);
    if (!g) return rnn_fail(err, RNN_EINTERNAL, "out of memory for n-grams");
    g->o = o;
    g->count = (size_t)count;
    g->words = calloc(g->count ? g->count * RNN_NGRAMS_MAX_N : 1, sizeof *g->words);
    int rc = g->words ? RNN_OK : rnn_fail(err, RNN_EINTERNAL, "out of memory for n-grams");
    for (size_t k = 0; rc == RNN_OK && k < g->count; k++)
        for (int j = 0; rc == RNN_OK && j < o.n; j++) {
            int64_t v;
            if (!get_i64(f, &v) || v < 0 || v > INT32_MAX || (j < 2 && v == 0))
                rc = rnn_fail(err, RNN_EDATA, "the n-gram section is damaged (n-gram %zu)", k + 1);
            else
                g->words[k * RNN_NGRAMS_MAX_N + j] = (int32_t)v;
        }
    size_t cap = 16;
    while (cap < 2 * g->count) cap *= 2;
    if (rc == RNN_OK) rc = rehash(g, cap, err);
    if (rc == RNN_OK) rc = check_id_range(g, err);
    if (rc) { rnn_ngrams_free(g); return rc; }
    *out = g;
    return RNN_OK;
}
