/* Shared by the fuzz targets: reading an input piece by piece, and handing bytes to readers that
 * only take a path (an anonymous in-memory file, or a private temporary folder). */
#ifndef RNNLAB_FUZZ_UTIL_H
#define RNNLAB_FUZZ_UTIL_H
#include <stddef.h>
#include <stdint.h>

/* The unread rest of an input. */
typedef struct fuzz_input {
    const uint8_t *p;
    size_t n;
} fuzz_input;

/* The next byte (0 when the input is used up). */
uint8_t fuzz_byte(fuzz_input *in);
/* The bytes up to the next `sep` (or to the end); the separator is consumed. */
fuzz_input fuzz_piece(fuzz_input *in, uint8_t sep);
/* A malloc'd NUL-terminated copy of a piece (aborts when out of memory: a fuzzer bug, not a finding). */
char *fuzz_string(fuzz_input piece);

/* An in-memory file holding data[0..n): returns its descriptor (close it when done) and writes a
 * path that opens it ("/proc/self/fd/N") into path. */
int fuzz_memfile(const void *data, size_t n, char path[32]);
/* A fresh private folder for one input (removed, with everything in it, by the next call and at exit). */
const char *fuzz_scratch_dir(void);
/* Creates file `rel` (its folders too) under dir with data[0..n); 0 on success, -1 when rel is not
 * a safe relative path (empty, absolute, with "." or ".." components) or cannot be made. */
int fuzz_write_tree_file(const char *dir, const char *rel, const void *data, size_t n);

#endif
