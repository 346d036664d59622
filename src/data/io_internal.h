/* Private helpers of the data I/O area (fetch, checksums, csv/dir/lines loaders). */
#ifndef RNNLAB_DATA_IO_INTERNAL_H
#define RNNLAB_DATA_IO_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include "rnnlab/common.h"

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

#endif
