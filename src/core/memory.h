/* The core's memory helpers for the layers above it (what is public is in rnnlab/common.h). */
#ifndef RNNLAB_CORE_MEMORY_H
#define RNNLAB_CORE_MEMORY_H

#include <stddef.h>

/* Maps the pages of a new buffer of `bytes` (from 1 MiB; smaller ones are left alone) in one call
 * before it is written: on a virtual machine each first touch of a page otherwise traps to the
 * host, and the IMDB pipeline's new pages took a fifth of its time so. Without the kernel's
 * MADV_POPULATE_WRITE (Linux 5.14) the pages fault in as before. */
void rnn_populate(void *p, size_t bytes);

#endif
