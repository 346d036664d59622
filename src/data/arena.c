/* Arena: a chain of large blocks; strings of a data set or vocabulary are freed together. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "core/memory.h"
#include "data/data_internal.h"

typedef struct arena_block {
    struct arena_block *next;
    size_t used, size;
    size_t ready;  /* data[0, ready) mapped (rnn_populate) */
    _Alignas(16) unsigned char data[];
} arena_block;

/* Past a block's first mebibyte, its pages are mapped a mebibyte ahead of what is handed out, in
 * one call each (a first touch of each page would trap to a virtual machine's host), not a whole
 * block at once: a small data set's strings fill a sliver of the data set's 16 MiB block, and its
 * resident memory stays what its strings take (the first mebibyte faults in page by page). */
enum { ARENA_READY_STEP = 1 << 20 };

static void arena_make_ready(arena_block *b, size_t end)
{
    if (end <= b->ready)
        return;
    size_t to = end + ARENA_READY_STEP < b->size ? end + ARENA_READY_STEP : b->size;
    rnn_populate(b->data + b->ready, to - b->ready);
    b->ready = to;
}

struct rnn_arena {
    arena_block *head;
    size_t chunk_size, total;
};

rnn_arena *rnn_arena_new(size_t chunk_size)
{
    rnn_arena *a = calloc(1, sizeof *a);
    if (a)
        a->chunk_size = chunk_size ? chunk_size : (size_t)1 << 20;
    return a;
}

static arena_block *arena_grow(rnn_arena *a, size_t need)
{
    size_t size = need > a->chunk_size ? need : a->chunk_size;
    arena_block *b = malloc(sizeof *b + size);
    if (!b)
        return NULL;
    b->next = a->head;
    b->used = 0;
    b->size = size;
    b->ready = size < ARENA_READY_STEP ? size : ARENA_READY_STEP;
    a->head = b;
    a->total += size;
    return b;
}

void *rnn_arena_alloc(rnn_arena *a, size_t n, size_t align)
{
    if (align == 0)
        align = 1;
    arena_block *b = a->head;
    size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
    if (!b || at + n > b->size) {
        if (b && n > a->chunk_size / 4) {
            /* A big request gets its own block behind the current one, which keeps its free tail. */
            arena_block *big = malloc(sizeof *big + n);
            if (!big)
                return NULL;
            rnn_populate(big->data, n);
            big->next = b->next;
            big->used = big->size = big->ready = n;
            b->next = big;
            a->total += n;
            return big->data;
        }
        b = arena_grow(a, n + align);
        if (!b)
            return NULL;
        at = 0;
    }
    b->used = at + n;
    arena_make_ready(b, b->used);
    return b->data + at;
}

char *rnn_arena_strndup(rnn_arena *a, const char *s, size_t len)
{
    char *p = rnn_arena_alloc(a, len + 1, 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

size_t rnn_arena_bytes(const rnn_arena *a) { return a ? a->total : 0; }

void rnn_arena_free(rnn_arena *a)
{
    if (!a)
        return;
    for (arena_block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}
