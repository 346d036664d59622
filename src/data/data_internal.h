/* Private to src/data: the arena, numpy-compatible random numbers, and the loaders the dispatcher calls. */
#ifndef RNNLAB_DATA_INTERNAL_H
#define RNNLAB_DATA_INTERNAL_H
#include "rnnlab/data.h"
#include "rnnlab/text.h"

/* Loaders behind rnn_dataset_load (imdb.c, sms.c, demo.c here; csv.c, dir.c, lines.c are data-io's). */
int rnn_load_imdb(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err);
int rnn_load_sms(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err);
int rnn_load_demo(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err);
int rnn_load_csv(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err);
int rnn_load_dir(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err);
int rnn_load_lines(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err);

/* Bump allocator: many small strings freed all at once (arena.c). Returns NULL when out of memory. */
typedef struct rnn_arena rnn_arena;
rnn_arena *rnn_arena_new(size_t chunk_size);
void *rnn_arena_alloc(rnn_arena *a, size_t n, size_t align);
/* Copies s[0..len) and a NUL. */
char *rnn_arena_strndup(rnn_arena *a, const char *s, size_t len);
size_t rnn_arena_bytes(const rnn_arena *a);
void rnn_arena_free(rnn_arena *a);

/* numpy's legacy RandomState (MT19937) for integer seeds, so orders match Python peers (dataset.c). */
typedef struct rnn_numpy_rng {
    uint32_t key[624];
    int pos;
} rnn_numpy_rng;
/* np.random.RandomState(seed), seed in 0 .. 2**32-1. */
void rnn_numpy_seed(rnn_numpy_rng *r, uint32_t seed);
uint32_t rnn_numpy_next32(rnn_numpy_rng *r);
/* rng.random_sample(): a double in [0, 1). */
double rnn_numpy_double(rnn_numpy_rng *r);
/* Uniform integer in [0, max] by masked rejection, as numpy's random_interval. */
uint64_t rnn_numpy_interval(rnn_numpy_rng *r, uint64_t max);
/* rng.permutation(n) into perm[n]. */
void rnn_numpy_permutation(rnn_numpy_rng *r, size_t n, size_t *perm);
/* Shuffles a split with an already seeded generator (keeps texts and labels together). Returns 0 or RNN_EINTERNAL. */
int rnn_split_shuffle_rng(rnn_split *s, rnn_numpy_rng *r);

/* Sets err to "WHERE: invalid UTF-8 at byte N" when text[0..len) is not valid; returns 0 if valid. */
int rnn_utf8_check(const char *text, size_t len, const char *where, rnn_error *err);

/* Python's str.lower() of one code point: writes up to 3 code points to out, returns how many.
 * Final sigma is context-dependent and handled by rnn_text_lower (unicode_tables.c). */
int rnn_unicode_lower(uint32_t cp, uint32_t out[3]);
/* Python's Cased and Case_Ignorable properties (for the final-sigma rule). */
bool rnn_unicode_cased(uint32_t cp);
bool rnn_unicode_case_ignorable(uint32_t cp);

#endif
