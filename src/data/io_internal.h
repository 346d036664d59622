/* Private helpers of the data I/O area (fetch, checksums, csv/dir/lines loaders). */
#ifndef RNNLAB_DATA_IO_INTERNAL_H
#define RNNLAB_DATA_IO_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include "rnnlab/common.h"
#include "rnnlab/data.h"

/* Incremental SHA-256 (FIPS 180-4): init, update any number of times, final. */
typedef struct rnn_sha256 {
    uint32_t h[8];
    uint64_t bytes;        /* total message length so far */
    uint8_t block[64];
    size_t fill;           /* bytes pending in block */
} rnn_sha256;
void rnn_sha256_init(rnn_sha256 *c);
void rnn_sha256_update(rnn_sha256 *c, const void *data, size_t n);
/* Writes the lowercase hex digest into hex[65] (NUL-terminated). */
void rnn_sha256_final_hex(rnn_sha256 *c, char hex[65]);

/* Reads a whole file into *buf (grown with realloc as needed; *cap is its size, 0 at first) and
 * NUL-terminates it; *len excludes the NUL. Missing file: RNN_ENOINPUT naming path (dir.c). */
int rnn_io_read_file(const char *path, char **buf, size_t *len, size_t *cap, rnn_error *err);

/* Sorts class names and drops duplicates; returns the new count. By code point, except that with
 * `numbers` set, names that are all numbers sort numerically (csv/lines labels, as pandas would
 * read them); dir passes false to match Keras's text_dataset_from_directory (csv.c). */
size_t rnn_io_sort_class_names(const char **names, size_t n, bool numbers);
/* Registers sorted names as the classes of ds (index i = names[i]); RNN_EINTERNAL when out of memory. */
int rnn_io_add_classes(rnn_dataset *ds, const char *const *names, size_t n, rnn_error *err);
/* Splits off test_split of train when requested (o->test_split > 0; seed o->seed, 42 when < 0). */
int rnn_io_apply_test_split(rnn_dataset *ds, const rnn_load_opts *o, rnn_error *err);

#endif
