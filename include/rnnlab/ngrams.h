/* Word n-gram features (data level), as fastText and Keras's imdb_fasttext example add them: the
 * ids of a sequence's n-grams (2..n consecutive word ids) appended after its word ids, so that
 * Embedding + GlobalAveragePooling1D + Dense is the fastText classifier. */
#ifndef RNNLAB_NGRAMS_H
#define RNNLAB_NGRAMS_H
#include "rnnlab/common.h"
#include "rnnlab/text.h"

#define RNN_NGRAMS_MAX_N 5

typedef struct rnn_ngram_opts {
    int n;              /* longest n-gram: 2 (bigrams) to RNN_NGRAMS_MAX_N */
    long buckets;       /* > 0: every n-gram hashed into this many ids, as fastText */
    long top;           /* > 0 (without buckets): the `top` most frequent n-grams of the fitted
                         * sequences; 0: every n-gram they hold, as Keras's example */
    int32_t first_id;   /* id of the first n-gram: num_words, or the vocabulary size + 1 */
} rnn_ngram_opts;

typedef struct rnn_ngrams rnn_ngrams;
/* Checks the options and, without buckets, counts the n-grams of the fitted sequences (the
 * training split) and numbers the ones kept: most frequent first, ties in first-seen order. */
int rnn_ngrams_fit(const rnn_ngram_opts *o, const rnn_seqs *fit_on, rnn_ngrams **out, rnn_error *err);
void rnn_ngrams_free(rnn_ngrams *g);
const rnn_ngram_opts *rnn_ngrams_options(const rnn_ngrams *g);
/* Number of n-gram ids (the buckets, or the n-grams kept); ids run from first_id to first_id +
 * size - 1, so an Embedding needs input_dim >= first_id + size. */
size_t rnn_ngrams_size(const rnn_ngrams *g);
/* The words of an n-gram id as word ids (n-gram kept by counting; 0 for a hashed id or an id out
 * of range); ids[] holds RNN_NGRAMS_MAX_N entries. */
int rnn_ngrams_words(const rnn_ngrams *g, int32_t id, int32_t *ids);
/* Each sequence followed by its n-gram ids: for n = 2..opts.n, each run of n word ids (ids > 0)
 * that has an id, in order. */
int rnn_ngrams_apply(const rnn_ngrams *g, const rnn_seqs *in, rnn_seqs *out, rnn_error *err);
/* One sequence: *out malloc'd. */
int rnn_ngrams_apply_one(const rnn_ngrams *g, const int32_t *ids, size_t len, int32_t **out, size_t *out_len,
                         rnn_error *err);
/* texts_to_sequences with the tokenizer, then each sequence's n-gram ids when g is not NULL: how
 * every text reaches the model (the training data, encode, predict, explain). */
int rnn_encode_texts(const rnn_tokenizer *t, const rnn_ngrams *g, char *const *texts, size_t n, rnn_seqs *out,
                     rnn_error *err);
/* Serialisation for save/open; the reader reads at most `limit` bytes and checks every count
 * against it before allocating. */
int rnn_ngrams_write(const rnn_ngrams *g, FILE *f, rnn_error *err);
int rnn_ngrams_read(rnn_ngrams **g, FILE *f, uint64_t limit, rnn_error *err);

#endif
