/* Text processing exactly as Keras: legacy Tokenizer, TextVectorization, pad_sequences, pandas-style length
 * statistics. */
#ifndef RNNLAB_TEXT_H
#define RNNLAB_TEXT_H
#include <stdio.h>
#include "rnnlab/common.h"

/* Variable-length id sequences, CSR style: sequence i is ids[off[i] .. off[i+1]). */
typedef struct rnn_seqs {
    size_t n;
    size_t *off;   /* n+1 entries */
    int32_t *ids;
} rnn_seqs;
void rnn_seqs_free(rnn_seqs *s);
/* The most ids a sequence of s holds (0 for none). */
size_t rnn_seqs_longest(const rnn_seqs *s);

/* The tokenizer's style. RNN_TOKENIZER_LEGACY: Keras's legacy Tokenizer with the options below.
 * RNN_TOKENIZER_TEXTVECTORIZATION: keras.layers.TextVectorization with its defaults
 * (standardize='lower_and_strip_punctuation', split='whitespace', output_mode='int', ngrams=None):
 * A-Z lowered (no other letter), the 32 ASCII punctuation characters of Python's string.punctuation
 * deleted, words split at runs of ASCII whitespace; the vocabulary ranked by count, ties by the
 * words' bytes in descending order; id 0 is the padding (''), id 1 the OOV token '[UNK]', learned
 * words from 2, and num_words is max_tokens: the vocabulary's size with those two (0 = no cap,
 * else at least 2). rnn_tokenizer_new sets the other options to what TextVectorization does
 * (filters: the deleted characters; oov_token '[UNK]'). */
enum { RNN_TOKENIZER_LEGACY = 0, RNN_TOKENIZER_TEXTVECTORIZATION = 1 };

typedef struct rnn_tokenizer_opts {
    int num_words;          /* 0 = no limit (Keras None); TextVectorization: max_tokens */
    const char *oov_token;  /* NULL = none */
    bool lower;             /* default true */
    const char *filters;    /* NULL = Keras default '!"#$%&()*+,-./:;<=>?@[\]^_`{|}~\t\n' */
    char split;             /* 0 = ' ' */
    bool char_level;
    int style;              /* RNN_TOKENIZER_LEGACY (default) or RNN_TOKENIZER_TEXTVECTORIZATION */
    /* TextVectorization's standardize: NULL or "lower_and_strip_punctuation" (its default),
     * "lower", "strip_punctuation", "none", or a function's steps: "custom" then one step a line,
     * run in order before the split, each what the tf.strings function does:
     *   lower                            tf.strings.lower(x) (A-Z only)
     *   strip_punctuation                the 32 ASCII punctuation characters deleted
     *   regex_replace PATTERN\tREWRITE   tf.strings.regex_replace(x, PATTERN, REWRITE): PATTERN is a
     *       text (\ before a punctuation character; \n \t \r \f \v) or one class [...] of ASCII
     *       characters, escapes and ranges, maybe followed by +; REWRITE has no \ and is no longer
     *       than the shortest text PATTERN matches (a step never lengthens a text).
     * rnn_tokenizer_check_standardize says what is wrong with one. */
    const char *standardize;
} rnn_tokenizer_opts;
/* RNN_OK, or RNN_EUSAGE with the reason a standardize spec is refused. */
int rnn_tokenizer_check_standardize(const char *spec, rnn_error *err);
/* Fills Keras's defaults. */
void rnn_tokenizer_opts_default(rnn_tokenizer_opts *o);

typedef struct rnn_tokenizer rnn_tokenizer;
/* NULL when out of memory or the options are invalid (an unknown style, max_tokens 1). */
rnn_tokenizer *rnn_tokenizer_new(const rnn_tokenizer_opts *o);
void rnn_tokenizer_free(rnn_tokenizer *t);
const rnn_tokenizer_opts *rnn_tokenizer_options(const rnn_tokenizer *t);
/* fit_on_texts (adapt): counts words, ranks by count (ties in first-seen order; TextVectorization: by
 * the words' bytes, descending), OOV token at index 1. */
int rnn_tokenizer_fit(rnn_tokenizer *t, char *const *texts, size_t n, rnn_error *err);
/* Number of entries in word_index (including the OOV token); Keras vocab size is this + 1
 * (TextVectorization: len(get_vocabulary()), at most max_tokens). */
size_t rnn_tokenizer_size(const rnn_tokenizer *t);
/* Word at index i (1-based) as Keras's index_word: NULL if out of range (and at 1 when the OOV token is also a
 * word: word_index then maps it to its later rank, as dict(zip(...)) does). */
const char *rnn_tokenizer_word(const rnn_tokenizer *t, int32_t index);
/* word_counts of the word at index i (0 for the OOV token). */
uint64_t rnn_tokenizer_count(const rnn_tokenizer *t, int32_t index);
/* word_index lookup: 0 if absent. */
int32_t rnn_tokenizer_index(const rnn_tokenizer *t, const char *word);
/* Total number of word occurrences seen by fit. */
uint64_t rnn_tokenizer_total(const rnn_tokenizer *t);
/* texts_to_sequences on one text; *ids is malloc'd (may be NULL when *len == 0). */
int rnn_tokenizer_encode(const rnn_tokenizer *t, const char *text, int32_t **ids, size_t *len, rnn_error *err);
/* texts_to_sequences on many texts (may use rnn_get_threads() threads). */
int rnn_tokenizer_encode_all(const rnn_tokenizer *t, char *const *texts, size_t n, rnn_seqs *out, rnn_error *err);
/* fit_on_texts(texts) then texts_to_sequences(texts) in one pass over the texts (same results, about
 * half the work of fit + encode_all on the same texts). */
int rnn_tokenizer_fit_encode(rnn_tokenizer *t, char *const *texts, size_t n, rnn_seqs *out, rnn_error *err);
/* sequences_to_texts on one sequence: malloc'd string. TextVectorization has no such method: ids
 * are words of get_vocabulary() as in " ".join(vocab[ids]), except that the padding 0 is left out
 * and an id past the vocabulary reads as '[UNK]' (its inverse StringLookup). */
char *rnn_tokenizer_decode(const rnn_tokenizer *t, const int32_t *ids, size_t len);
/* Keras's text_to_word_sequence with the tokenizer's options: calls fn for each word (not NUL-terminated). */
void rnn_tokenizer_words(const rnn_tokenizer *t, const char *text,
                         void (*fn)(const char *w, size_t len, void *user), void *user);
/* Serialisation for save/open (text-safe binary; returns RNN_EIO/RNN_EDATA on failure). */
int rnn_tokenizer_write(const rnn_tokenizer *t, FILE *f, rnn_error *err);
int rnn_tokenizer_read(rnn_tokenizer **t, FILE *f, rnn_error *err);

/* pad_sequences(seqs, maxlen, padding, truncating, value). maxlen <= 0: the longest sequence.
 * Output rows = s->n, cols = maxlen; *n_truncated (may be NULL) = sequences longer than maxlen. */
int rnn_pad(const rnn_seqs *s, int maxlen, bool pad_post, bool trunc_post, int32_t value,
            rnn_imatrix *out, size_t *n_truncated, rnn_error *err);

/* The preprocessing that turns a text's token ids into the model's input row, held by a session
 * and by its save file so that the training data, predict, explain and a reopened pipeline all see
 * the same rows: pad_sequences's settings (n-gram settings would join them here). */
typedef struct rnn_prep {
    int maxlen;                 /* row length; 0 = not set (nothing padded yet) */
    bool pad_post, trunc_post;  /* padding='post', truncating='post' (Keras's default is 'pre') */
    int32_t value;              /* the id that fills the padding */
} rnn_prep;
/* Rows of p->maxlen ids from s with p's settings (maxlen 0: the longest of s, as pad_sequences
 * with maxlen=None). The one place the settings are applied. */
int rnn_prep_apply(const rnn_prep *p, const rnn_seqs *s, rnn_imatrix *out, size_t *n_truncated, rnn_error *err);

/* len(text.split()) in Python: words separated by Unicode whitespace. */
size_t rnn_count_words(const char *text);

/* pandas Series.describe(percentiles=...) of word counts. */
#define RNN_MAX_PERCENTILES 16
typedef struct rnn_describe {
    size_t count;
    double mean, std, min, max;       /* std with n-1 */
    int n_pct;
    double pct[RNN_MAX_PERCENTILES];  /* fractions, e.g. 0.25 */
    double value[RNN_MAX_PERCENTILES];/* linear interpolation, as numpy/pandas */
} rnn_describe;
int rnn_describe_lengths(char *const *texts, size_t n, const double *pcts, int n_pct,
                         rnn_describe *out, rnn_error *err);
/* Same on precomputed values. */
int rnn_describe_values(const double *v, size_t n, const double *pcts, int n_pct,
                        rnn_describe *out, rnn_error *err);

/* Pretrained word vectors matched to a tokenizer: row i = vector of word index i (zeros if absent),
 * rows = num_words (or tokenizer size + 1 when num_words is 0). format: "glove", "word2vec",
 * "word2vec-bin", "fasttext", or NULL to guess from the file. */
int rnn_embeddings_load(const char *path, const char *format, const rnn_tokenizer *t,
                        rnn_fmatrix *out, size_t *n_found, rnn_error *err);

/* UTF-8 helpers shared by all text code. The one rule for invalid UTF-8, in data sets and typed
 * text alike: each invalid sequence (its maximal subpart, as Unicode 3.9, WHATWG and Python's
 * errors='replace' define it) reads as one U+FFFD REPLACEMENT CHARACTER. */
/* Returns the number of bytes of a valid UTF-8 prefix; equal to len when the whole buffer is valid. */
size_t rnn_utf8_valid_prefix(const char *s, size_t len);
/* Decodes one code point of s[0..len) (len >= 1), U+FFFD for an invalid sequence; returns the bytes
 * it takes: at least 1, never more than len. */
int rnn_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Length of s[0..len) once each invalid sequence is replaced by U+FFFD; *n_invalid (may be NULL)
 * gets the number of invalid sequences. */
size_t rnn_utf8_repaired_length(const char *s, size_t len, size_t *n_invalid);
/* Writes s[0..len) with each invalid sequence replaced by U+FFFD to out, which holds
 * rnn_utf8_repaired_length bytes (no NUL is added). */
void rnn_utf8_repair(const char *s, size_t len, char *out);
/* The same as a malloc'd NUL-terminated string; NULL when out of memory. */
char *rnn_utf8_repaired(const char *s, size_t len, size_t *n_invalid);
/* Encodes cp into out (4 bytes max); returns bytes written. */
int rnn_utf8_encode(uint32_t cp, char *out);
/* A text file read line by line (scripts, predict file=), never more than RNN_LINE_LIMIT bytes a
 * line: zero-initialise, set f and name, call rnn_line_next until *got is false, then free. */
typedef struct rnn_line_reader {
    FILE *f;
    const char *name;   /* the file, for errors */
    size_t line;        /* number of the line in buf, 1-based */
    char *buf;          /* the line, NUL-terminated, without its "\n" or "\r\n" */
    size_t len, cap;
} rnn_line_reader;
/* Reads the next line. RNN_EDATA naming name:line for a line longer than RNN_LINE_LIMIT or holding
 * a NUL byte (not a text file: /dev/zero ends here at once), RNN_EIO for a read error. */
int rnn_line_next(rnn_line_reader *r, bool *got, rnn_error *err);
void rnn_line_reader_free(rnn_line_reader *r);
/* Python's str.isspace() for one code point. */
bool rnn_unicode_isspace(uint32_t cp);
/* Terminal columns of one code point, as wcwidth but independent of the locale: 0 for combining
 * marks, format and control characters, 2 for East Asian Wide and Fullwidth, else 1. */
int rnn_unicode_width(uint32_t cp);
/* Python's str.isprintable() for one code point: false for control, format, private-use, unassigned
 * and separator characters but the space (repr() escapes those). */
bool rnn_unicode_printable(uint32_t cp);
/* Terminal columns of a UTF-8 string (an invalid sequence counts one column, as its U+FFFD). */
size_t rnn_utf8_width(const char *s);

#endif
