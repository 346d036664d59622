/* rnn_embeddings_load on small generated GloVe, word2vec (text and binary) and fastText files. */
#include "config.h"
#include "testutil.h"
#include "rnnlab/text.h"

enum { DIM = 4 };

/* The vector written for word number k of the file: exact in float32 and distinct per word. */
static float vec_value(int k, int j) { return (float)k * 0.25f + (float)j * 0.5f - 1.0f; }

/* Words of the fixture files: vocabulary words, unknown ones, and a repeated "cat" (last wins). */
static const char *const file_words[] = { "the", "zebra", "cat", "sat", "on", "mat", "unknown",
                                          "cat" };
enum { N_FILE_WORDS = 8 };

static rnn_tokenizer *make_tokenizer(int num_words)
{
    rnn_tokenizer_opts o;
    rnn_tokenizer_opts_default(&o);
    o.num_words = num_words;
    rnn_tokenizer *t = rnn_tokenizer_new(&o);
    char *texts[] = { "the cat sat on the mat", "The dog" };
    rnn_error err;
    if (!t || rnn_tokenizer_fit(t, texts, 2, &err)) {
        fprintf(stderr, "tokenizer fit failed\n");
        exit(99);
    }
    return t;
}

/* Text file: optional header, optional trailing blank per row (fastText), LF or CRLF. */
static const char *write_text(const char *name, bool header, bool trailing_blank, bool crlf)
{
    char buf[4096];
    size_t n = 0;
    const char *eol = crlf ? "\r\n" : "\n";
    if (header)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%d %d%s", N_FILE_WORDS + 1, DIM, eol);
    for (int k = 0; k < N_FILE_WORDS; k++) {
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", file_words[k]);
        for (int j = 0; j < DIM; j++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, " %.9g", vec_value(k, j));
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", trailing_blank ? " " : "", eol);
        if (k == 1) /* a word with spaces, as in GloVe 840B, unmatched */
            n += (size_t)snprintf(buf + n, sizeof buf - n, "at name 1 2 3 4%s", eol);
    }
    return test_write(name, buf, n);
}

/* word2vec binary; newline_rows: the original tool's "\n" after each row. */
static const char *write_binary(const char *name, bool newline_rows, size_t cut)
{
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf, "%d %d\n", N_FILE_WORDS, DIM);
    for (int k = 0; k < N_FILE_WORDS; k++) {
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s ", file_words[k]);
        for (int j = 0; j < DIM; j++) {
            float v = vec_value(k, j);
            uint32_t u;
            memcpy(&u, &v, 4);
            for (int b = 0; b < 4; b++)
                buf[n++] = (char)(u >> (8 * b)); /* little-endian whatever the host */
        }
        if (newline_rows)
            buf[n++] = '\n';
    }
    return test_write(name, buf, cut ? cut : n);
}

/* Checks the matrix against the fixture: row = word index, last occurrence in the file wins. */
static void check_matrix(const rnn_tokenizer *t, const rnn_fmatrix *m, size_t rows, size_t found,
                         size_t want_found, int line)
{
    int before = failures;
    CHECK(m->rows == rows && m->cols == DIM && found == want_found);
    for (size_t i = 0; i < m->rows && m->cols == DIM; i++) {
        int k_last = -1;
        const char *w = rnn_tokenizer_word(t, (int32_t)i);
        for (int k = 0; k < N_FILE_WORDS && i > 0 && w; k++)
            if (!strcmp(file_words[k], w))
                k_last = k;
        for (int j = 0; j < DIM; j++)
            CHECK(m->data[i * DIM + j] == (k_last < 0 ? 0.0f : vec_value(k_last, j)));
    }
    if (failures != before)
        fprintf(stderr, "  (matrix checked at line %d)\n", line);
}

static void load_and_check(const char *path, const char *format, const rnn_tokenizer *t,
                           size_t rows, size_t want_found, int line)
{
    rnn_fmatrix m = { 0 };
    size_t found = 0;
    rnn_error err = { 0 };
    int rc = rnn_embeddings_load(path, format, t, &m, &found, &err);
    if (rc != RNN_OK) {
        fprintf(stderr, "line %d: %s (%s): status %d: %s\n", line, path, format ? format : "guess",
                rc, err.msg);
        failures++;
        return;
    }
    check_matrix(t, &m, rows, found, want_found, line);
    rnn_fmatrix_free(&m);
}
#define LOAD_AND_CHECK(path, format, t, rows, found) load_and_check(path, format, t, rows, found, __LINE__)

static void expect_error(const char *path, const char *format, const rnn_tokenizer *t, int status,
                         const char *needle, int line)
{
    rnn_fmatrix m = { 0 };
    size_t found = 0;
    rnn_error err = { 0 };
    int rc = rnn_embeddings_load(path, format, t, &m, &found, &err);
    if (getenv("SHOW_ERRORS"))
        printf("%d %s\n", rc, err.msg);
    if (rc != status || !strstr(err.msg, needle) || m.data) {
        fprintf(stderr, "line %d: status %d (want %d), message '%s' (want '%s')\n", line, rc,
                status, err.msg, needle);
        failures++;
    }
    rnn_fmatrix_free(&m);
}
#define EXPECT_ERROR(path, format, t, status, needle) expect_error(path, format, t, status, needle, __LINE__)

/* Long rows with random runs of spaces and tabs: the field counter works 8 bytes at a time, so
 * fields must be found at every alignment. */
static void test_random_blanks(void)
{
    enum { ROWS = 300, D = 37 };
    static char words[ROWS][16];
    char *text = malloc(ROWS * 16);
    size_t tn = 0;
    for (int k = 0; k < ROWS; k++) {
        snprintf(words[k], sizeof words[k], "w%d", k);
        tn += (size_t)sprintf(text + tn, "%s ", words[k]);
    }
    rnn_tokenizer_opts o;
    rnn_tokenizer_opts_default(&o);
    rnn_tokenizer *t = rnn_tokenizer_new(&o);
    rnn_error err;
    CHECK_STATUS(rnn_tokenizer_fit(t, &text, 1, &err), RNN_OK, &err);
    size_t cap = (size_t)ROWS * D * 24, n = 0;
    char *file = malloc(cap);
    unsigned x = 99;
    for (int k = 0; k < ROWS; k++) {
        for (int j = -1; j < D; j++) {
            x = x * 1103515245u + 12345u;
            int run = 1 + (int)(x >> 16) % 3;
            for (int b = 0; b < run && (j >= 0 || (x >> 20) % 2); b++)
                file[n++] = ((x >> (24 + b)) & 1) ? '\t' : ' ';
            if (j < 0)
                n += (size_t)sprintf(file + n, "%s", words[k]);
            else
                n += (size_t)sprintf(file + n, "%.9g", (float)(k * D + j) / 64.0f);
        }
        n += (size_t)sprintf(file + n, (x >> 28) % 2 ? " \n" : "\n");
    }
    const char *path = test_write("blanks.txt", file, n);
    rnn_fmatrix m = { 0 };
    size_t found = 0;
    CHECK_STATUS(rnn_embeddings_load(path, NULL, t, &m, &found, &err), RNN_OK, &err);
    CHECK(found == ROWS && m.rows == ROWS + 1 && m.cols == D);
    for (int k = 0; k < ROWS && m.data; k++) {
        int32_t i = rnn_tokenizer_index(t, words[k]);
        for (int j = 0; j < D; j++)
            CHECK(m.data[(size_t)i * D + j] == (float)(k * D + j) / 64.0f);
    }
    rnn_fmatrix_free(&m);
    rnn_tokenizer_free(t);
    free(file);
    free(text);
}

int main(void)
{
    test_setup();
    rnn_tokenizer *t = make_tokenizer(0); /* the=1 cat=2 sat=3 on=4 mat=5 dog=6 */
    CHECK(rnn_tokenizer_size(t) == 6 && rnn_tokenizer_index(t, "dog") == 6);
    const char *glove = write_text("glove.6B.4d.txt", false, false, false);
    const char *w2v = write_text("vectors.txt", true, false, true);
    const char *vec = write_text("wiki.vec", true, true, false);
    const char *bin = write_binary("vectors.bin", true, 0);
    const char *bin2 = write_binary("gensim.bin", false, 0);
    /* 5 of the 6 words are in the files (not "dog"); rows = size + 1 = 7. */
    const char *formats[] = { NULL, "glove", "word2vec", "fasttext" };
    for (int f = 0; f < 4; f++) {
        LOAD_AND_CHECK(glove, formats[f], t, 7, 5);
        LOAD_AND_CHECK(w2v, formats[f], t, 7, 5);
        LOAD_AND_CHECK(vec, formats[f], t, 7, 5);
    }
    LOAD_AND_CHECK(bin, NULL, t, 7, 5);
    LOAD_AND_CHECK(bin, "word2vec-bin", t, 7, 5);
    LOAD_AND_CHECK(bin2, NULL, t, 7, 5);
    LOAD_AND_CHECK(bin2, "word2vec-bin", t, 7, 5);

    /* num_words=4 keeps rows 0..3: the, cat, sat. */
    rnn_tokenizer *t4 = make_tokenizer(4);
    LOAD_AND_CHECK(glove, NULL, t4, 4, 3);
    LOAD_AND_CHECK(bin, NULL, t4, 4, 3);

    /* Errors. */
    EXPECT_ERROR(test_path("absent.txt"), NULL, t, RNN_ENOINPUT, "absent.txt: No such file");
    const char *dims = test_write_str("dims.txt", "the 1 2 3 4\ncat 1 2 3 4\nsat 1 2 3\n");
    EXPECT_ERROR(dims, NULL, t, RNN_EDATA, "dims.txt:3: 3 values, but the vectors have 4 dimensions");
    const char *more = test_write_str("more.txt", "5 4\nzebra 1 2 3 4\n\nthe 1 2 3 4 5\n");
    EXPECT_ERROR(more, NULL, t, RNN_EDATA, "more.txt:4: 5 values, but the vectors have 4 dimensions "
                 "(from the header)");
    const char *nan = test_write_str("nan.txt", "the 1 2 3 4\ncat 1 x 3 4\n");
    EXPECT_ERROR(nan, NULL, t, RNN_EDATA, "nan.txt:2: value 2 is not a number");
    const char *lone = test_write_str("lone.txt", "the\n");
    EXPECT_ERROR(lone, NULL, t, RNN_EDATA, "lone.txt:1: a word without a vector");
    const char *empty = test_write_str("empty.txt", "\n\n");
    EXPECT_ERROR(empty, NULL, t, RNN_EDATA, "empty.txt: no vectors");
    const char *cut = write_binary("cut.bin", false, 100); /* of 169 bytes */
    EXPECT_ERROR(cut, NULL, t, RNN_EDATA, "cut.bin: truncated: row");
    EXPECT_ERROR(cut, "word2vec-bin", t, RNN_EDATA, "truncated");
    const char *cut_word = write_binary("cutword.bin", true, 6);
    EXPECT_ERROR(cut_word, "word2vec-bin", t, RNN_EDATA, "cutword.bin: truncated: row 1 of 8");
    EXPECT_ERROR(glove, "word2vec-bin", t, RNN_EDATA, "glove.6B.4d.txt: not word2vec binary");
    EXPECT_ERROR(glove, "gloves", t, RNN_EUSAGE, "unknown 'gloves'");
    rnn_tokenizer_opts o;
    rnn_tokenizer_opts_default(&o);
    rnn_tokenizer *unfitted = rnn_tokenizer_new(&o);
    EXPECT_ERROR(glove, NULL, unfitted, RNN_EUSAGE, "tokenize first");
    rnn_tokenizer_free(unfitted);
    rnn_tokenizer_free(t4);
    rnn_tokenizer_free(t);
    test_random_blanks();
    return check_finish("test_embeddings");
}
