/* Pretrained word vectors (GloVe, word2vec text and binary, fastText .vec) matched to a tokenizer.
 * The file is streamed through one buffer: only rows whose word the tokenizer knows are parsed,
 * the others are only counted, so multi-GB files cost little more than reading them. */
#include "config.h"
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <inttypes.h>
#include "rnnlab/text.h"

/* Limits: a vector of at most EMB_MAX_DIM values, a text row of at most EMB_MAX_LINE bytes, a
 * matrix of at most EMB_MAX_MATRIX bytes (and no more than the memory available). */
enum { EMB_CHUNK = 4 << 20, EMB_MAX_DIM = 65536, EMB_MAX_LINE = 16 << 20 };
#define EMB_MAX_MATRIX ((uint64_t)4 << 30)

/* A buffered reader: buf[start..end) holds unread bytes. */
typedef struct emb_reader {
    const char *path;
    int fd;
    char *buf;
    size_t cap, start, end;
    bool eof;
    size_t line;        /* 1-based number of the line last returned (text formats) */
} emb_reader;

/* Reads until at least `want` unread bytes are buffered or the file ends. */
static int reader_fill(emb_reader *r, size_t want, rnn_error *err)
{
    while (r->end - r->start < want && !r->eof) {
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        size_t need = r->end + EMB_CHUNK / 2 > want + 1 ? r->end + EMB_CHUNK / 2 : want + 1;
        if (rnn_grow(&r->buf, &r->cap, need, 1))
            return rnn_fail(err, RNN_EINTERNAL, "%s: out of memory (a %zu-byte row)", r->path, want);
        size_t room = r->cap - r->end - 1;   /* a spare byte for the NUL after a last line */
        ssize_t got = rnn_read_full(r->fd, r->buf + r->end, room);
        if (got < 0)
            return rnn_fail(err, RNN_EIO, "%s: read error: %s", r->path, strerror(errno));
        if ((size_t)got < room)
            r->eof = true;
        r->end += (size_t)got;
    }
    return RNN_OK;
}

/* Next line without its LF (or CRLF), NUL-terminated in place; *line = NULL at the end. */
static int reader_line(emb_reader *r, char **line, size_t *len, rnn_error *err)
{
    size_t scanned = 0;
    for (;;) {
        char *p = r->buf ? r->buf + r->start : NULL;
        size_t avail = r->end - r->start;
        char *nl = avail > scanned ? memchr(p + scanned, '\n', avail - scanned) : NULL;
        if (nl || (r->eof && avail > 0)) {
            size_t n = nl ? (size_t)(nl - p) : avail;
            r->start += nl ? n + 1 : n;
            if (n > 0 && p[n - 1] == '\r')
                n--;
            p[n] = '\0'; /* the LF, the CR, or the spare byte after the data */
            *line = p;
            *len = n;
            r->line++;
            return RNN_OK;
        }
        if (r->eof) {
            *line = NULL;
            return RNN_OK;
        }
        if (avail >= EMB_MAX_LINE)
            return rnn_fail(err, RNN_EDATA, "%s:%zu: a line of over %d MB (not a word-vector file?)", r->path,
                            r->line + 1, EMB_MAX_LINE >> 20);
        scanned = avail;
        int rc = reader_fill(r, avail + 1, err);
        if (rc)
            return rc;
    }
}

static bool emb_is_blank(char c) { return c == ' ' || c == '\t'; }

/* Parses "N D" (two non-negative integers and nothing else). */
static bool emb_parse_header(const char *s, long *n, long *dim)
{
    char *end;
    errno = 0;
    *n = strtol(s, &end, 10);
    if (end == s || !emb_is_blank(*end) || *n < 0)
        return false;
    const char *q = end;
    *dim = strtol(q, &end, 10);
    while (emb_is_blank(*end))
        end++;
    return end != q && *end == '\0' && *dim > 0 && errno == 0;
}

/* The target matrix and what has been matched so far. */
typedef struct emb_target {
    const rnn_tokenizer *tok;
    rnn_fmatrix *out;
    size_t rows, dim;
    bool *seen;         /* rows already matched (a repeated word overwrites, as a Python dict) */
    size_t found;
} emb_target;

static int target_alloc(emb_target *t, size_t dim, const char *path, rnn_error *err)
{
    char need[32], have[32];
    if (dim > EMB_MAX_DIM)
        return rnn_fail(err, RNN_EDATA, "%s: vectors of %zu values, over the limit of %d", path, dim, EMB_MAX_DIM);
    uint64_t bytes = (uint64_t)t->rows * dim * sizeof *t->out->data;
    if (bytes > EMB_MAX_MATRIX)
        return rnn_fail(err, RNN_EDATA, "%s: a %zu x %zu matrix takes %s, over the limit of %s (lower num_words "
                        "in tokenize)", path, t->rows, dim, rnn_format_bytes(bytes, need, sizeof need),
                        rnn_format_bytes(EMB_MAX_MATRIX, have, sizeof have));
    int rc = rnn_mem_check(bytes, 0, "lower num_words in tokenize", err, "%s: a %zu x %zu matrix", path, t->rows,
                           dim);
    if (rc)
        return rc;
    t->dim = dim;
    t->out->data = calloc(t->rows * dim, sizeof *t->out->data);
    t->seen = calloc(t->rows, sizeof *t->seen);
    if (!t->out->data || !t->seen)
        return rnn_fail(err, RNN_EINTERNAL, "%s: out of memory for a %zu x %zu matrix", path,
                        t->rows, dim);
    t->out->rows = t->rows;
    t->out->cols = dim;
    return RNN_OK;
}

/* Row of the matrix for word, or -1 when the tokenizer does not keep it. */
static long target_row(const emb_target *t, const char *word)
{
    int32_t i = rnn_tokenizer_index(t->tok, word);
    return i > 0 && (size_t)i < t->rows ? i : -1;
}

static void target_mark(emb_target *t, long row)
{
    if (!t->seen[row]) {
        t->seen[row] = true;
        t->found++;
    }
}

/* 0x80 in every byte of x that is zero, exactly (no borrow false positives). */
static inline uint64_t swar_zero_bytes(uint64_t x)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    return ~(((x & low7) + low7) | x | low7);
}

/* Number of blank-separated fields of a line (trailing blanks allowed, as fastText writes).
 * Every byte of a multi-GB file passes here, so 8 bytes at a time: a field starts at a non-blank
 * byte whose predecessor is blank (the byte before the line counts as blank). */
static size_t emb_count_fields(const char *s, size_t len)
{
    const uint64_t spaces = 0x2020202020202020ULL, tabs = 0x0909090909090909ULL;
    const uint64_t high = 0x8080808080808080ULL;
    size_t n = 0, i = 0;
    uint64_t carry = 0x80; /* blank flag of the previous byte, in byte 0's high bit */
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        w = le64toh(w); /* byte i in the low bits, so "previous byte" is a shift left by 8 */
        uint64_t blank = swar_zero_bytes(w ^ spaces) | swar_zero_bytes(w ^ tabs);
        uint64_t starts = (~blank & ((blank << 8) | carry) & high) >> 7;
        n += (size_t)((starts * 0x0101010101010101ULL) >> 56); /* sum of the 0/1 bytes */
        carry = blank >> 56;
    }
    bool in = !carry;
    for (; i < len; i++) {
        bool blank = emb_is_blank(s[i]);
        n += !blank && !in;
        in = !blank;
    }
    return n;
}

/* Splits a text row into the word (the fields before the last dim) and the values that follow.
 * Words may contain spaces (GloVe 840B has some), so the vector is taken from the right. */
static char *emb_split_word(char *s, size_t fields, size_t dim)
{
    while (emb_is_blank(*s))
        s++;
    char *p = s;
    for (size_t k = 0; k < fields - dim; k++) {
        while (*p && !emb_is_blank(*p))
            p++;
        if (k + 1 < fields - dim)
            while (emb_is_blank(*p))
                p++;
    }
    *p = '\0';
    return p + 1;
}

static bool emb_second_field_is_number(const char *s)
{
    s += strspn(s, " \t");
    s += strcspn(s, " \t");
    s += strspn(s, " \t");
    char *end;
    strtof(s, &end);
    return end != s && (*end == '\0' || emb_is_blank(*end));
}

static int emb_parse_values(emb_reader *r, char *s, float *row, size_t dim, rnn_error *err)
{
    for (size_t j = 0; j < dim; j++) {
        char *end;
        row[j] = strtof(s, &end);
        if (end == s || (*end && !emb_is_blank(*end)))
            return rnn_fail(err, RNN_EDATA, "%s:%zu: value %zu is not a number", r->path, r->line,
                            j + 1);
        s = end;
    }
    return RNN_OK;
}

/* GloVe / word2vec text / fastText .vec: an optional "N D" first line, then "word v1 ... vD". */
static int emb_read_text(emb_reader *r, emb_target *t, rnn_error *err)
{
    char *line;
    size_t len;
    long header_dim = 0;
    for (;;) {
        int rc = reader_line(r, &line, &len, err);
        if (rc || !line)
            return rc;
        long n_words;
        if (r->line == 1 && emb_parse_header(line, &n_words, &header_dim)) {
            if ((rc = target_alloc(t, (size_t)header_dim, r->path, err)))
                return rc;
            continue;
        }
        size_t fields = emb_count_fields(line, len);
        if (fields == 0)
            continue; /* blank line */
        if (t->dim == 0) {
            if (fields < 2)
                return rnn_fail(err, RNN_EDATA, "%s:%zu: a word without a vector", r->path, r->line);
            if ((rc = target_alloc(t, fields - 1, r->path, err)))
                return rc;
        }
        /* More fields than dim + 1 is a word with spaces, unless they are numbers. */
        if (fields < t->dim + 1 || (fields > t->dim + 1 && emb_second_field_is_number(line)))
            return rnn_fail(err, RNN_EDATA, "%s:%zu: %zu value%s, but the vectors have %zu dimension%s%s",
                            r->path, r->line, fields - 1, fields - 1 == 1 ? "" : "s", t->dim, t->dim == 1 ? "" : "s",
                            header_dim ? " (from the header)" : " (from the first row)");
        char *values = emb_split_word(line, fields, t->dim);
        long row = target_row(t, line + strspn(line, " \t"));
        if (row < 0)
            continue;
        if ((rc = emb_parse_values(r, values, t->out->data + (size_t)row * t->dim, t->dim, err)))
            return rc;
        target_mark(t, row);
    }
}

/* word2vec binary: "N D\n", then N rows of "word " and D little-endian float32. */
static int emb_read_binary(emb_reader *r, emb_target *t, rnn_error *err)
{
    char *line;
    size_t len;
    long n, dim;
    int rc = reader_line(r, &line, &len, err);
    if (rc)
        return rc;
    if (!line || !emb_parse_header(line, &n, &dim))
        return rnn_fail(err, RNN_EDATA, "%s: not word2vec binary (the first line is not \"N D\")",
                        r->path);
    if ((rc = target_alloc(t, (size_t)dim, r->path, err)))
        return rc;
    size_t bytes = (size_t)dim * 4;
    for (long k = 0; k < n; k++) {
        /* Rows may be separated by a newline (the original word2vec writes one). */
        size_t w = 0;
        for (;;) {
            if ((rc = reader_fill(r, w + 1, err)))
                return rc;
            if (r->end - r->start <= w)
                return rnn_fail(err, RNN_EDATA, "%s: truncated: row %ld of %ld ends early", r->path,
                                k + 1, n);
            char c = r->buf[r->start + w];
            if (w == 0 && (c == '\n' || c == '\r')) {
                r->start++;
                continue;
            }
            if (c == ' ')
                break;
            if (++w > 4096)
                return rnn_fail(err, RNN_EDATA, "%s: row %ld: a word of over 4096 bytes (not word2vec "
                                "binary?)", r->path, k + 1);
        }
        if ((rc = reader_fill(r, w + 1 + bytes, err)))
            return rc;
        if (r->end - r->start < w + 1 + bytes)
            return rnn_fail(err, RNN_EDATA, "%s: truncated: row %ld of %ld ends early", r->path,
                            k + 1, n);
        char *word = r->buf + r->start;
        word[w] = '\0';
        long row = target_row(t, word);
        if (row >= 0) {
            const unsigned char *p = (const unsigned char *)word + w + 1;
            float *dst = t->out->data + (size_t)row * t->dim;
            for (long j = 0; j < dim; j++, p += 4) {
                uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                             (uint32_t)p[3] << 24;
                memcpy(&dst[j], &u, 4);
            }
            target_mark(t, row);
        }
        r->start += w + 1 + bytes;
    }
    return RNN_OK;
}

/* Guesses binary when the first line is "N D" and the first row's vector is not text: in a text
 * file the bytes after the first word, up to the end of its line, are numbers and blanks. */
static int emb_guess_binary(emb_reader *r, bool *binary, rnn_error *err)
{
    *binary = false;
    int rc = reader_fill(r, 1 << 16, err);
    if (rc)
        return rc;
    const char *p = r->buf ? r->buf + r->start : "", *end = p + (r->end - r->start);
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl || nl - p > 64)
        return RNN_OK;
    char head[72];
    memcpy(head, p, (size_t)(nl - p));
    head[nl - p] = '\0';
    long n, dim;
    if (!emb_parse_header(head, &n, &dim))
        return RNN_OK;
    if (dim > EMB_MAX_DIM)
        return RNN_OK; /* the reader refuses it, naming the limit */
    const char *space = memchr(nl + 1, ' ', (size_t)(end - nl - 1));
    if (!space)
        return RNN_OK;
    /* the first vector: 4 * dim bytes after the word, or what is buffered of them */
    const char *q = space + 1, *stop = (size_t)(end - q) < 4 * (size_t)dim ? end : q + 4 * (size_t)dim;
    for (; q < stop && *q != '\n'; q++)
        if (!*q || !strchr("0123456789.-+eE \t\rnaifNAIF", *q))
            break;
    *binary = q == space + 1 || (q < stop && *q != '\n');
    return RNN_OK;
}

static int emb_format(const char *format, int *kind, rnn_error *err)
{
    static const char *const names[] = { "glove", "word2vec", "fasttext", "word2vec-bin" };
    *kind = -1;
    if (!format)
        return RNN_OK;
    for (int i = 0; i < 4; i++)
        if (strcmp(format, names[i]) == 0)
            *kind = i;
    if (*kind < 0)
        return rnn_fail(err, RNN_EUSAGE, "format: unknown '%s' (known: glove, word2vec, "
                        "word2vec-bin, fasttext)", format);
    return RNN_OK;
}

int rnn_embeddings_load(const char *path, const char *format, const rnn_tokenizer *t,
                        rnn_fmatrix *out, size_t *n_found, rnn_error *err)
{
    int kind, rc;
    if ((rc = emb_format(format, &kind, err)))
        return rc;
    if (!t || rnn_tokenizer_size(t) == 0)
        return rnn_fail(err, RNN_EUSAGE, "embeddings need a fitted tokenizer (run tokenize first)");
    int num_words = rnn_tokenizer_options(t)->num_words;
    emb_target target = { .tok = t, .out = out,
                          .rows = num_words > 0 ? (size_t)num_words : rnn_tokenizer_size(t) + 1 };
    *out = (rnn_fmatrix){ 0 };
    emb_reader r = { .path = path, .fd = open(path, O_RDONLY | O_CLOEXEC) };
    if (r.fd < 0)
        return rnn_fail(err, RNN_ENOINPUT, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(r.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(r.fd);
        return rnn_fail(err, RNN_ENOINPUT, "%s: is a folder, not a file", path);
    }
    bool binary = kind == 3;
    if (kind < 0)
        rc = emb_guess_binary(&r, &binary, err);
    if (!rc)
        rc = binary ? emb_read_binary(&r, &target, err) : emb_read_text(&r, &target, err);
    if (!rc && target.dim == 0)
        rc = rnn_fail(err, RNN_EDATA, "%s: no vectors in the file", path);
    close(r.fd);
    free(r.buf);
    free(target.seen);
    if (rc) {
        rnn_fmatrix_free(out);
        return rc;
    }
    if (n_found)
        *n_found = target.found;
    return RNN_OK;
}
