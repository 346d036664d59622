/* Private helpers of the data loaders (fetch, checksums, csv/dir/lines loaders). */
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

/* A text file read whole by rnn_io_read_text (reusable: the buffer grows as needed). */
typedef struct rnn_io_text {
    char *p;            /* NUL-terminated; valid UTF-8, each invalid sequence replaced by U+FFFD */
    size_t len, cap;    /* len excludes the NUL */
    size_t n_invalid;   /* invalid UTF-8 sequences replaced in the last file read */
} rnn_io_text;
/* Reads path whole into t, refusing (RNN_EDATA, the limit named) a file of more than max_bytes
 * (before reading when its size is known) or with a line of more than max_line bytes (0: no line
 * limit), and stopping there: /dev/zero or an endless pipe ends in an error, not out of memory.
 * Missing file or a folder: RNN_ENOINPUT naming path (dir.c). */
int rnn_io_read_text(const char *path, size_t max_bytes, size_t max_line, rnn_io_text *t,
                     rnn_error *err);
void rnn_io_text_free(rnn_io_text *t);
/* One example file of a data set folder (load dir, an extracted aclImdb): a regular file (a device
 * or pipe is refused by name before it is opened) of at most RNN_MEMBER_LIMIT bytes. */
int rnn_io_read_example(const char *path, rnn_io_text *t, rnn_error *err);
/* The error for a line past the limit: "PATH:LINE: line longer than 16 MB (the line limit; ...)". */
int rnn_io_line_too_long(const char *path, size_t line, size_t limit, rnn_error *err);

/* Archives (archive.c), for the IMDB and SMS loaders. */
struct archive;
struct archive_entry;
/* libarchive's last error on one line (it may end some in a newline), or fallback, into buf. */
const char *rnn_archive_error(struct archive *a, const char *fallback, char *buf, size_t n);
/* "PATH: damaged or truncated archive in member MEMBER (libarchive's error, else fallback)". */
int rnn_archive_damaged(struct archive *a, const char *path, const char *member, const char *fallback,
                        rnn_error *err);
/* The current member's declared size into *size (-1 when not recorded); RNN_EDATA naming path,
 * member and the limit when it is above RNN_MEMBER_LIMIT, checked before any byte is read. */
int rnn_archive_member_size(struct archive_entry *e, const char *path, const char *member,
                            int64_t *size, rnn_error *err);
/* Reads the current member into t (raw bytes, NUL-terminated), stopping with an error once it
 * passes RNN_MEMBER_LIMIT (a member whose size is not recorded, or lies). */
int rnn_archive_read_member(struct archive *a, const char *path, const char *member, rnn_io_text *t,
                            rnn_error *err);

/* Opens path for reading in a (archive_read_open_filename's result codes): a gzip file inflated by
 * ISA-L where rnnlab is built with it (gzip_source.c), anything else by libarchive's own filters.
 * *src is the source rnn_archive_source_bytes reads (NULL: libarchive's); a owns it. */
typedef struct rnn_archive_source rnn_archive_source;
int rnn_archive_open_file(struct archive *a, const char *path, size_t block, rnn_archive_source **src);
/* Bytes of the file read so far (of the compressed file, for progress against its size). */
uint64_t rnn_archive_source_bytes(struct archive *a, rnn_archive_source *src);
/* Tests turn the ISA-L path off to compare it with libarchive's (default true). */
extern bool rnn_archive_fast_gzip;

/* Sorts class names and drops duplicates; returns the new count. By code point, except that with
 * `numbers` set, names that are all numbers sort numerically (csv/lines labels, as pandas would
 * read them); dir passes false to match Keras's text_dataset_from_directory (csv.c). */
size_t rnn_io_sort_class_names(const char **names, size_t n, bool numbers);
/* Registers sorted names as the classes of ds (index i = names[i]); RNN_EINTERNAL when out of memory. */
int rnn_io_add_classes(rnn_dataset *ds, const char *const *names, size_t n, rnn_error *err);
/* Splits off test_split of train when requested (o->test_split > 0; seed o->seed, 42 when < 0). */
int rnn_io_apply_test_split(rnn_dataset *ds, const rnn_load_opts *o, rnn_error *err);

#endif
