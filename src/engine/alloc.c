/* 64-byte aligned, zeroed buffers for parameters, gradients and workspaces. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/tensor.h"

void *rnn_alloc_aligned(size_t bytes)
{
    size_t rounded = (bytes + 63) & ~(size_t)63; /* aligned_alloc needs a multiple of the alignment */
    if (rounded == 0)
        rounded = 64;
    void *p = aligned_alloc(64, rounded);
    if (p)
        memset(p, 0, rounded);
    return p;
}

void rnn_free_aligned(void *p) { free(p); }
