/* Writes crafted save files into a folder: each is well formed on the outside (magic, version,
 * length, checksum) and hostile inside, so that the reader's checks, not the checksum, stop it.
 *     mksave DIR      writes DIR/NAME.rnnlab for every case below and lists the names */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"

/* A growing byte buffer. */
typedef struct buf {
    unsigned char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *data, size_t n)
{
    if (n == 0)
        return;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            perror("mksave");
            exit(1);
        }
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void put_u32(buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    put(b, x, 4);
}

static void put_u64(buf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_str(buf *b, const char *s)
{
    put_u32(b, (uint32_t)strlen(s));
    put(b, s, strlen(s));
}

static void put_fmt(buf *b, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    put(b, line, (size_t)n);
}

static void put_section(buf *body, const char *tag, const buf *payload)
{
    put(body, tag, 4);
    put_u64(body, payload->n);
    put(body, payload->p, payload->n);
}

/* Header, body and checksum into DIR/NAME.rnnlab; declared = 0 declares the body's true length. */
static void write_save(const char *dir, const char *name, const buf *body, uint64_t declared)
{
    static const unsigned char magic[8] = {0x89, 'R', 'N', 'L', '\r', '\n', 0x1a, '\n'};
    buf all = {0};
    put(&all, magic, 8);
    put_u32(&all, 1);
    put_u32(&all, 0);
    put_u64(&all, declared ? declared : body->n);
    put(&all, body->p, body->n);
    put_u32(&all, rnn_crc32(0, all.p, all.n));
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.rnnlab", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(all.p, 1, all.n, f) != all.n || fclose(f)) {
        perror(path);
        exit(1);
    }
    printf("%s\n", name);
    free(all.p);
}

/* The text of a tokenizer section up to its word list. */
static void tokenizer_head(buf *b, uint64_t n_words)
{
    put_fmt(b, "rnnlab-tokenizer 1\nnum_words 0\nlower 1\nchar_level 0\nsplit 32\noov_token -1\nfilters 0 \n"
               "fitted 1\nwords %llu 10\n", (unsigned long long)n_words);
}

static void one_section(const char *dir, const char *name, const char *tag, const buf *payload)
{
    buf body = {0};
    put_section(&body, tag, payload);
    write_save(dir, name, &body, 0);
    free(body.p);
}

/* A word declaring 4294967295 bytes: len + 1 wraps to 0. After a first word the buffer exists
 * (a heap overflow before the fix), as the first word it does not (a write through NULL). */
static void tok_huge_word(const char *dir, const char *name, bool after_a_word)
{
    buf t = {0};
    tokenizer_head(&t, 2);
    if (after_a_word)
        put_fmt(&t, "5 3 cat\n");
    put_fmt(&t, "5 4294967295 ");
    for (int i = 0; i < 20000; i++)
        put(&t, "x", 1);
    put_fmt(&t, "\nend\n");
    one_section(dir, name, "TOKN", &t);
    free(t.p);
}

static void tok_many_words(const char *dir)
{
    buf t = {0};
    tokenizer_head(&t, 1000000000000ULL);
    put_fmt(&t, "5 3 cat\nend\n");
    one_section(dir, "tok-many-words", "TOKN", &t);
    free(t.p);
}

/* 20,000 small tokenizer sections: each used to be read and the one before leaked. */
static void repeated_tokenizers(const char *dir)
{
    buf t = {0}, body = {0};
    tokenizer_head(&t, 1);
    put_fmt(&t, "5 3 cat\nend\n");
    for (int i = 0; i < 20000; i++)
        put_section(&body, "TOKN", &t);
    write_save(dir, "repeated-tokenizer", &body, 0);
    free(t.p);
    free(body.p);
}

static void padding(const char *dir, const char *name, uint32_t maxlen, int copies)
{
    buf p = {0}, body = {0};
    put_u32(&p, maxlen);
    put(&p, "\1\0", 2);
    for (int i = 0; i < copies; i++)
        put_section(&body, "PADS", &p);
    write_save(dir, name, &body, 0);
    free(p.p);
    free(body.p);
}

static void counted(const char *dir, const char *name, const char *tag, uint32_t count)
{
    buf p = {0};
    put_u32(&p, count);
    put_str(&p, "a");
    one_section(dir, name, tag, &p);
    free(p.p);
}

/* One run whose history declares 10 million epochs of 16 metrics (1.3 GB) in a few bytes. */
static void history_epochs(const char *dir)
{
    buf p = {0};
    put_u32(&p, 1);
    put_str(&p, "run1");
    put_u32(&p, 16);
    for (int i = 0; i < 16; i++)
        put_str(&p, "loss");
    put_u32(&p, 10000000);
    put_u64(&p, 0);
    one_section(dir, "history-epochs", "RUNS", &p);
    free(p.p);
}

/* One run of no epochs whose name would colour the terminal red when printed. */
static void run_escape(const char *dir)
{
    buf p = {0};
    put_u32(&p, 1);
    put_str(&p, "\033[31mred");
    put_u32(&p, 0);
    put_u32(&p, 0);
    put_u32(&p, 0xffffffffu);
    put_str(&p, "");
    one_section(dir, "run-escape", "RUNS", &p);
    free(p.p);
}

/* A model section: name, then `n_layers` declared, and the layers given. */
static void model(const char *dir, const char *name, uint32_t n_layers, const char *call, uint64_t params)
{
    buf p = {0};
    put(&p, "RNNM", 4);
    put_u32(&p, 1);
    put_str(&p, "crafted");
    put_u32(&p, n_layers);
    if (call) {
        put_str(&p, call);
        put_str(&p, "layer");
        put_u32(&p, 1);
        put_u64(&p, params);
    }
    put_u32(&p, 0);
    one_section(dir, name, "MODL", &p);
    free(p.p);
}

/* An Embedding(10, 4) and then an LSTM(5000) the file says has 1 parameter, with the 41 weights
 * this declares: the LSTM's 100 million parameters must not be allocated (nor initialised). */
static void lying_layer(const char *dir)
{
    buf p = {0};
    put(&p, "RNNM", 4);
    put_u32(&p, 1);
    put_str(&p, "crafted");
    put_u32(&p, 2);
    put_str(&p, "Embedding(10, 4)");
    put_str(&p, "embedding");
    put_u32(&p, 1);
    put_u64(&p, 40);
    put_str(&p, "LSTM(5000)");
    put_str(&p, "lstm");
    put_u32(&p, 1);
    put_u64(&p, 1);
    for (int i = 0; i < 41; i++)
        put_u32(&p, 0);
    put_u32(&p, 0);
    one_section(dir, "model-lying-layer", "MODL", &p);
    free(p.p);
}

/* A header declaring a body of `declared` bytes; the test makes the file that long (sparse). */
static void huge_header(const char *dir, const char *name, uint64_t declared)
{
    buf body = {0};
    write_save(dir, name, &body, declared);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mksave DIR\n");
        return 64;
    }
    const char *dir = argv[1];
    tok_huge_word(dir, "tok-word-overflow", true);
    tok_huge_word(dir, "tok-word-null", false);
    tok_many_words(dir);
    repeated_tokenizers(dir);
    padding(dir, "repeated-padding", 8, 2);
    padding(dir, "pad-maxlen", 2147483647u, 1);
    counted(dir, "classes-count", "CLSS", 4000000000u);
    counted(dir, "runs-count", "RUNS", 100000);
    history_epochs(dir);
    run_escape(dir);
    model(dir, "model-empty", 0, NULL, 0);      /* valid: no layers, no weights */
    model(dir, "model-layers", 100000, NULL, 0);
    lying_layer(dir);
    model(dir, "model-weights", 1, "Embedding(1000000, 1000)", 1000000000ULL);
    huge_header(dir, "huge-20g", (uint64_t)20 << 30);
    huge_header(dir, "huge-8g", (uint64_t)8 << 30);
    return 0;
}
