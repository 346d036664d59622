/* The save-file reader (`open FILE`): header, sections (tokenizer, padding, classes, model with
 * weights and optimizer state, runs) and trailer. A mutated file almost never keeps a valid length
 * and checksum, so when the input starts with the magic the target writes both before opening
 * (files with a wrong length or checksum are the early, simple checks). */
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"

enum { HEADER = 24, TRAILER = 4 };
static const unsigned char magic[8] = { 0x89, 'R', 'N', 'L', '\r', '\n', 0x1a, '\n' };

/* Little-endian body length in the header and the file's CRC-32 in the trailer. */
static void seal(unsigned char *buf, size_t len)
{
    uint64_t body = len - HEADER - TRAILER;
    for (int i = 0; i < 8; i++)
        buf[16 + i] = (unsigned char)(body >> (8 * i));
    uint32_t crc = rnn_crc32(0, buf, len - TRAILER);
    for (int i = 0; i < 4; i++)
        buf[len - TRAILER + i] = (unsigned char)(crc >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *file = malloc(size ? size : 1);
    if (!file)
        abort();
    memcpy(file, data, size);
    if (size >= HEADER + TRAILER && memcmp(file, magic, sizeof magic) == 0)
        seal(file, size);
    rnn_pipeline p;
    rnn_error err;
    if (rnn_pipeline_read(file, size, "fuzz", &p, &err) == RNN_OK)
        rnn_pipeline_free(&p);
    free(file);
    return 0;
}
