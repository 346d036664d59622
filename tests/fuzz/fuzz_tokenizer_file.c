/* The tokenizer's serialisation (the TOKN section of a save file): read it; when it reads, write
 * it and check that reading and writing that again gives the same bytes. Input: the section. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "fuzz_util.h"

/* Serialises t; NULL when the writer refuses it. */
static char *write_tokenizer(const rnn_tokenizer *t, size_t *len)
{
    char *buf = NULL;
    rnn_error err;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        abort();
    int rc = rnn_tokenizer_write(t, f, &err);
    fclose(f);
    if (rc != RNN_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

static rnn_tokenizer *read_tokenizer(const void *data, size_t len)
{
    rnn_tokenizer *t = NULL;
    rnn_error err;
    if (len == 0)
        return NULL;   /* fmemopen refuses an empty buffer */
    FILE *f = fmemopen((void *)data, len, "rb");
    if (!f)
        abort();
    if (rnn_tokenizer_read(&t, f, &err) != RNN_OK) {
        if (!err.msg[0])
            abort();
        t = NULL;
    }
    fclose(f);
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rnn_tokenizer *t = read_tokenizer(data, size);
    if (!t)
        return 0;
    size_t len1 = 0, len2 = 0;
    char *once = write_tokenizer(t, &len1);
    if (once) {
        rnn_tokenizer *back = read_tokenizer(once, len1);
        if (!back) {
            fprintf(stderr, "tokenizer: what it wrote does not read back\n");
            abort();
        }
        char *twice = write_tokenizer(back, &len2);
        if (!twice || len1 != len2 || memcmp(once, twice, len1) != 0) {
            fprintf(stderr, "tokenizer: written, read and written again, it changed\n");
            abort();
        }
        free(twice);
        rnn_tokenizer_free(back);
        free(once);
    }
    /* a tokenizer read from a file is usable */
    const char *text = "the a b c ab\xc3\xa9 x";
    int32_t *ids = NULL;
    size_t n = 0;
    rnn_error err;
    if (rnn_tokenizer_encode(t, text, &ids, &n, &err) == RNN_OK) {
        free(rnn_tokenizer_decode(t, ids, n));
        free(ids);
    }
    rnn_tokenizer_free(t);
    return 0;
}
