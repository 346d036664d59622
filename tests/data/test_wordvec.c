/* Word vectors trained on a small generated corpus: words of one topic end up nearest each other,
 * a word never seen gets a vector from its character n-grams, a seed and a thread count give the
 * same vectors on every run, nearest-word and analogy queries on a hand-made matrix. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "tests/check.h"

static const char *const animals[] = {"cat", "dog", "mouse", "horse", "cow", "sheep", "goat", "pig"};
static const char *const vehicles[] = {"car", "truck", "bus", "train", "bike", "plane", "boat", "van"};
static const char *const fillers[] = {"the", "a", "is", "on", "in", "with", "and", "near"};

/* 1500 sentences, each about one topic: 6 topic words with a filler between some of them. */
static char **make_corpus(size_t n)
{
    char **texts = malloc(n * sizeof *texts);
    uint64_t s = 42;
    for (size_t i = 0; i < n; i++) {
        const char *const *topic = i % 2 ? animals : vehicles;
        char buf[512] = "";
        for (int w = 0; w < 6; w++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            strcat(buf, topic[(s >> 33) % 8]);
            strcat(buf, " ");
            if ((s >> 40) % 2) { strcat(buf, fillers[(s >> 45) % 8]); strcat(buf, " "); }
        }
        texts[i] = strdup(buf);
    }
    return texts;
}

static int topic_of(const char *word)
{
    for (int i = 0; i < 8; i++) {
        if (strcmp(word, animals[i]) == 0) return 1;
        if (strcmp(word, vehicles[i]) == 0) return 2;
    }
    return 0;
}

static rnn_wordvec *train(const rnn_tokenizer *t, const rnn_seqs *seqs, int threads, bool cbow)
{
    rnn_wordvec_opts o;
    rnn_wordvec_opts_default(&o);
    o.dim = 24; o.epochs = 10; o.min_count = 1; o.buckets = 5000; o.threads = threads; o.seed = 7;
    o.cbow = cbow; o.sample = 0;
    rnn_wordvec *w = NULL;
    rnn_error err;
    int rc = rnn_wordvec_train(t, seqs, &o, NULL, NULL, &w, NULL, &err);
    CHECK(rc == RNN_OK, "train (threads=%d): %s", threads, err.msg);
    return w;
}

/* Of the 5 words nearest each topic word, how many share its topic (all 16 words). */
static int same_topic_neighbours(const rnn_wordvec *w, const rnn_tokenizer *t)
{
    rnn_fmatrix m;
    size_t found;
    rnn_error err;
    int good = 0;
    if (rnn_wordvec_matrix(w, t, rnn_tokenizer_size(t) + 1, &m, &found, &err)) return -1;
    for (size_t i = 1; i < m.rows; i++) {
        const char *word = rnn_tokenizer_word(t, (int32_t)i);
        if (!topic_of(word)) continue;
        int32_t ids[5], skip[1] = {(int32_t)i};
        float sims[5];
        size_t n = rnn_vectors_nearest(&m, m.data + i * m.cols, skip, 1, 5, ids, sims);
        for (size_t j = 0; j < n; j++)
            good += topic_of(rnn_tokenizer_word(t, ids[j])) == topic_of(word);
    }
    rnn_fmatrix_free(&m);
    return good;
}

static double cosine(const float *a, const float *b, int n)
{
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < n; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
    return ab / sqrt(aa * bb);
}

static void test_training(void)
{
    size_t n = 1500;
    char **texts = make_corpus(n);
    rnn_tokenizer_opts to;
    rnn_tokenizer_opts_default(&to);
    rnn_tokenizer *t = rnn_tokenizer_new(&to);
    rnn_seqs seqs = {0};
    rnn_error err;
    CHECK(rnn_tokenizer_fit_encode(t, texts, n, &seqs, &err) == RNN_OK, "tokenize: %s", err.msg);

    for (int cbow = 0; cbow <= 1; cbow++) {
        rnn_wordvec *w = train(t, &seqs, 2, cbow);
        if (!w) continue;
        CHECK(rnn_wordvec_size(w) == 24, "24 words have rows, got %zu", rnn_wordvec_size(w));
        int good = same_topic_neighbours(w, t);
        CHECK(good >= 70, "%s: %d of 80 nearest words share the topic (want >= 70)", cbow ? "cbow" : "skipgram", good);
        float cats[24], cat[24], truck[24];
        CHECK(rnn_wordvec_vector(w, "cats", cats), "an unseen word gets a vector from its n-grams");
        rnn_wordvec_vector(w, "cat", cat);
        rnn_wordvec_vector(w, "truck", truck);
        CHECK(cosine(cats, cat, 24) > cosine(cats, truck, 24), "cats is nearer cat (%.3f) than truck (%.3f)",
              cosine(cats, cat, 24), cosine(cats, truck, 24));
        rnn_wordvec_free(w);
    }

    /* A seed and a thread count fix the result. */
    for (int threads = 1; threads <= 3; threads++) {
        rnn_wordvec *a = train(t, &seqs, threads, false), *b = train(t, &seqs, threads, false);
        if (!a || !b) { rnn_wordvec_free(a); rnn_wordvec_free(b); continue; }
        rnn_fmatrix ma, mb;
        rnn_wordvec_matrix(a, t, 25, &ma, NULL, &err);
        rnn_wordvec_matrix(b, t, 25, &mb, NULL, &err);
        CHECK(memcmp(ma.data, mb.data, 25 * 24 * sizeof(float)) == 0, "threads=%d: two runs differ", threads);
        rnn_fmatrix_free(&ma); rnn_fmatrix_free(&mb);
        rnn_wordvec_free(a); rnn_wordvec_free(b);
    }

    /* Words too rare have no row; nothing at all is an error naming min_count. */
    rnn_wordvec_opts o;
    rnn_wordvec_opts_default(&o);
    o.min_count = 1000000;
    rnn_wordvec *w = NULL;
    CHECK(rnn_wordvec_train(t, &seqs, &o, NULL, NULL, &w, NULL, &err) == RNN_EDATA && strstr(err.msg, "min_count"),
          "no word frequent enough: %s", err.msg);
    rnn_wordvec_opts_default(&o);
    o.dim = 0;
    CHECK(rnn_wordvec_train(t, &seqs, &o, NULL, NULL, &w, NULL, &err) == RNN_EUSAGE && strstr(err.msg, "dim=0"),
          "dim=0: %s", err.msg);

    rnn_seqs_free(&seqs);
    rnn_tokenizer_free(t);
    for (size_t i = 0; i < n; i++) free(texts[i]);
    free(texts);
}

static int stop_at_half(double done, double wps, double loss, void *user)
{
    (void)wps; (void)loss;
    *(int *)user += 1;
    return done >= 0.5;
}

static void test_progress_stops(void)
{
    char **texts = make_corpus(4000);
    rnn_tokenizer_opts to;
    rnn_tokenizer_opts_default(&to);
    rnn_tokenizer *t = rnn_tokenizer_new(&to);
    rnn_seqs seqs = {0};
    rnn_error err;
    rnn_tokenizer_fit_encode(t, texts, 4000, &seqs, &err);
    rnn_wordvec_opts o;
    rnn_wordvec_opts_default(&o);
    o.dim = 8; o.min_count = 1; o.maxn = 0; o.epochs = 20; o.threads = 2;
    rnn_wordvec *w = NULL;
    bool stopped = false;
    int calls = 0;
    CHECK(rnn_wordvec_train(t, &seqs, &o, stop_at_half, &calls, &w, &stopped, &err) == RNN_OK, "%s", err.msg);
    CHECK(stopped && w && calls > 1, "stopped by the progress function (calls %d)", calls);
    rnn_wordvec_free(w);
    rnn_seqs_free(&seqs);
    rnn_tokenizer_free(t);
    for (size_t i = 0; i < 4000; i++) free(texts[i]);
    free(texts);
}

static void test_queries(void)
{
    /* rows: 0 unused, 1 (1,0), 2 (0.9,0.1), 3 (0,1), 4 zeros, 5 (-1,0) */
    float d[] = {0, 0, 1, 0, 0.9f, 0.1f, 0, 1, 0, 0, -1, 0};
    rnn_fmatrix m = {.rows = 6, .cols = 2, .data = d};
    int32_t ids[4];
    float sims[4], q[2] = {1, 0};
    size_t n = rnn_vectors_nearest(&m, q, NULL, 0, 4, ids, sims);
    CHECK(n == 4 && ids[0] == 1 && ids[1] == 2 && ids[2] == 3 && ids[3] == 5, "nearest order %d %d %d %d",
          ids[0], ids[1], ids[2], ids[3]);
    CHECK(fabsf(sims[0] - 1) < 1e-6 && fabsf(sims[3] + 1) < 1e-6, "cosines %g %g", sims[0], sims[3]);
    int32_t skip[] = {1};
    n = rnn_vectors_nearest(&m, q, skip, 1, 1, ids, sims);
    CHECK(n == 1 && ids[0] == 2, "skipping row 1 gives row 2, got %d", ids[0]);
    float out[2];
    CHECK(rnn_vectors_analogy(&m, 1, 5, 3, out) && fabsf(out[0] - 2) < 1e-6 && fabsf(out[1] - 1) < 1e-6,
          "1 - 5 + 3 = (2, 1), got (%g, %g)", out[0], out[1]);
    CHECK(!rnn_vectors_analogy(&m, 1, 4, 3, out), "a zero row has no direction");
    CHECK(!rnn_vectors_analogy(&m, 1, 6, 3, out), "row 6 is out of range");
}

int main(void)
{
    test_queries();
    test_training();
    test_progress_stops();
    return check_finish("test_wordvec");
}
