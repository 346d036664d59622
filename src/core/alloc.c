/* 64-byte aligned, zeroed buffers for parameters, gradients and workspaces. */
#include "config.h"
#include <stdint.h>
#include <stdlib.h>
#include "rnnlab/tensor.h"

/* calloc rather than aligned_alloc + memset: glibc maps large blocks fresh and skips the clearing,
 * so pages never written (a frozen Embedding's gradient, unused workspace tails) cost no memory.
 * The offset to the raw pointer (1..64) is kept in the byte before the aligned one. */
void *rnn_alloc_aligned(size_t bytes)
{
    if (bytes > SIZE_MAX - 64)
        return NULL;
    unsigned char *raw = calloc(1, bytes + 64);
    if (!raw)
        return NULL;
    size_t off = 64 - ((uintptr_t)raw & 63);
    unsigned char *p = raw + off;
    p[-1] = (unsigned char)off;
    return p;
}

void rnn_free_aligned(void *p)
{
    if (p) {
        unsigned char *q = p;
        free(q - q[-1]);
    }
}
