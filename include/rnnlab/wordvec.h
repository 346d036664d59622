/* Word vectors learned from texts (data level): skip-gram or CBOW with negative sampling and
 * character n-grams, as fastText trains them, and the queries a reader asks of any embedding
 * matrix (nearest words by cosine similarity, analogies). */
#ifndef RNNLAB_WORDVEC_H
#define RNNLAB_WORDVEC_H
#include "rnnlab/common.h"
#include "rnnlab/text.h"

typedef struct rnn_wordvec_opts {
    bool cbow;            /* false: skip-gram */
    int dim;              /* 100 */
    int window;           /* 5: context words on each side (a random 1..window per position) */
    int epochs;           /* 5 */
    int min_count;        /* 5: rarer words get no row of their own (their n-grams still train) */
    int negative;         /* 5: negative samples per target */
    int minn, maxn;       /* character n-grams of "<word>", 3..6; maxn 0 turns them off */
    int buckets;          /* rows the n-grams are hashed into: 2000000 */
    double lr;            /* 0.05, decreasing linearly to 0 */
    double sample;        /* 1e-4: frequent words are subsampled as fastText does */
    int threads;          /* 0: rnn_get_threads() */
    unsigned long seed;   /* with the thread count, fixes the result */
} rnn_wordvec_opts;
void rnn_wordvec_opts_default(rnn_wordvec_opts *o);

/* Progress of training: fraction done, words per second (all threads), mean loss so far.
 * Return non-zero to stop (the vectors learned so far are kept). */
typedef int (*rnn_wordvec_progress_fn)(double done, double words_per_sec, double loss, void *user);

typedef struct rnn_wordvec rnn_wordvec;
/* Trains on sequences of token ids of the tokenizer (ids without a word are skipped). Each thread
 * trains on its own share of the texts and the threads' updates are merged in a fixed order every
 * few thousand words, so a seed and a thread count give the same vectors on every run.
 * *stopped (may be NULL) is set when the progress function stopped it. */
int rnn_wordvec_train(const rnn_tokenizer *t, const rnn_seqs *seqs, const rnn_wordvec_opts *o,
                      rnn_wordvec_progress_fn progress, void *user, rnn_wordvec **out, bool *stopped,
                      rnn_error *err);
void rnn_wordvec_free(rnn_wordvec *w);
int rnn_wordvec_dim(const rnn_wordvec *w);
/* Words with a row of their own (seen at least min_count times), and the training words seen. */
size_t rnn_wordvec_size(const rnn_wordvec *w);
uint64_t rnn_wordvec_tokens(const rnn_wordvec *w);
/* Bytes rnn_wordvec_train will hold for these options and vocabulary size (before it allocates). */
uint64_t rnn_wordvec_train_bytes(const rnn_wordvec_opts *o, size_t vocab, int threads);
/* The vector of any word, as fastText's word vectors: the mean of its own row (when it has one)
 * and its n-gram rows. false (and zeros) when the word has neither. */
bool rnn_wordvec_vector(const rnn_wordvec *w, const char *word, float *out);
/* rows x dim matrix: row i = vector of tokenizer word i (zeros for words without one; row 0 zero),
 * as rnn_embeddings_load matches a file to a tokenizer. */
int rnn_wordvec_matrix(const rnn_wordvec *w, const rnn_tokenizer *t, size_t rows, rnn_fmatrix *out,
                       size_t *n_found, rnn_error *err);
/* word2vec text format ("COUNT DIM", then one "word v1 ... vDIM" line per word with a row). */
int rnn_wordvec_save(const rnn_wordvec *w, const char *path, rnn_error *err);

/* The k rows of m nearest to query by cosine similarity, best first, skipping row 0, rows of
 * zeros and the `skip` rows; returns how many were found (ids/sims hold k entries). */
size_t rnn_vectors_nearest(const rnn_fmatrix *m, const float *query, const int32_t *skip, int n_skip,
                           size_t k, int32_t *ids, float *sims);
/* a - b + c over unit-length rows of m, into out (m->cols), as fastText's analogies: "berlin
 * germany france" asks for the word that is to france what berlin is to germany. false when a row
 * is all zeros or out of range. */
bool rnn_vectors_analogy(const rnn_fmatrix *m, int32_t a, int32_t b, int32_t c, float *out);

#endif
