/* Test driver for check_keras.py: reads cases (hex-encoded texts) on stdin, runs the tokenizer,
 * sequences_to_texts, pad_sequences and count_words, and prints the results for comparison with
 * Python. Also checks that a tokenizer written and read back encodes identically. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/text.h"

static char *unhex(const char *h)
{
    if (strcmp(h, "-") == 0)
        return strdup("");
    size_t n = strlen(h) / 2;
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        s[i] = (char)v;
    }
    s[n] = '\0';
    return s;
}

static void put_hex(const char *s)
{
    if (!*s)
        fputc('-', stdout);
    for (; *s; s++)
        printf("%02x", (unsigned char)*s);
}

static char **read_texts(const char *tag, size_t *n, char *line, size_t cap)
{
    char t[16];
    if (!fgets(line, (int)cap, stdin) || sscanf(line, "%15s %zu", t, n) != 2 || strcmp(t, tag)) {
        fprintf(stderr, "bad input: expected %s\n", tag);
        exit(2);
    }
    char **texts = calloc(*n + 1, sizeof *texts);
    for (size_t i = 0; i < *n; i++) {
        if (!fgets(line, (int)cap, stdin))
            exit(2);
        line[strcspn(line, "\n")] = '\0';
        texts[i] = unhex(line);
    }
    return texts;
}

static void free_texts(char **t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i]);
    free(t);
}

static int run_case(char *line, size_t cap)
{
    int num_words, char_level, lower, split, maxlen, pad_post, trunc_post, textvectorization;
    char oov_hex[4096], filters_hex[4096], std_hex[4096];
    if (sscanf(line, "CASE %d %4095s %d %d %4095s %d %d %d %d %d %4095s", &num_words, oov_hex, &char_level, &lower,
               filters_hex, &split, &maxlen, &pad_post, &trunc_post, &textvectorization, std_hex) != 11)
        return 2;
    rnn_tokenizer_opts o;
    rnn_tokenizer_opts_default(&o);
    char *oov = strcmp(oov_hex, "none") ? unhex(oov_hex) : NULL;
    char *filters = strcmp(filters_hex, "default") ? unhex(filters_hex) : NULL;
    o.num_words = num_words;
    o.oov_token = oov;
    o.char_level = char_level;
    o.lower = lower;
    o.split = (char)split;
    if (filters)
        o.filters = filters;
    char *standardize = strcmp(std_hex, "default") ? unhex(std_hex) : NULL;
    if (textvectorization)
        o.style = RNN_TOKENIZER_TEXTVECTORIZATION;
    o.standardize = standardize;
    size_t nf, ne;
    char **fit = read_texts("FIT", &nf, line, cap);
    char **enc = read_texts("ENC", &ne, line, cap);
    rnn_error err;
    rnn_tokenizer *t = rnn_tokenizer_new(&o);
    if (!t || rnn_tokenizer_fit(t, fit, nf, &err))
        return 3;
    /* index_word: indices 1..size, plus one when the OOV token is also a word (a hole at 1). */
    int32_t max_index = (int32_t)rnn_tokenizer_size(t) + 1, n_index = 0;
    for (int32_t i = 1; i <= max_index; i++)
        n_index += rnn_tokenizer_word(t, i) != NULL;
    printf("VOCAB %d %zu\n", n_index, rnn_tokenizer_size(t));
    for (int32_t i = 1; i <= max_index; i++) {
        if (!rnn_tokenizer_word(t, i))
            continue;
        put_hex(rnn_tokenizer_word(t, i));
        printf(" %llu %d\n", (unsigned long long)rnn_tokenizer_count(t, i),
               rnn_tokenizer_index(t, rnn_tokenizer_word(t, i)));
    }
    rnn_seqs s;
    if (rnn_tokenizer_encode_all(t, enc, ne, &s, &err))
        return 4;
    /* Save and reload: must encode the same. */
    FILE *f = tmpfile();
    rnn_tokenizer *t2 = NULL;
    rnn_seqs s2;
    if (!f || rnn_tokenizer_write(t, f, &err) || (rewind(f), rnn_tokenizer_read(&t2, f, &err))
        || rnn_tokenizer_encode_all(t2, enc, ne, &s2, &err)) {
        fprintf(stderr, "save/read failed: %s\n", err.msg);
        return 5;
    }
    fclose(f);
    if (s2.n != s.n || memcmp(s.off, s2.off, (s.n + 1) * sizeof *s.off)
        || memcmp(s.ids, s2.ids, s.off[s.n] * sizeof *s.ids)) {
        fprintf(stderr, "a tokenizer read back encodes differently\n");
        return 5;
    }
    /* fit_encode on the fit texts must give the same vocabulary and sequences as fit + encode_all. */
    rnn_tokenizer *t3 = rnn_tokenizer_new(&o);
    rnn_seqs s3, s4;
    if (!t3 || rnn_tokenizer_fit_encode(t3, fit, nf, &s3, &err) || rnn_tokenizer_encode_all(t, fit, nf, &s4, &err)) {
        fprintf(stderr, "fit_encode failed: %s\n", err.msg);
        return 8;
    }
    bool same = rnn_tokenizer_size(t3) == rnn_tokenizer_size(t) && s3.n == s4.n
        && memcmp(s3.off, s4.off, (s3.n + 1) * sizeof *s3.off) == 0
        && memcmp(s3.ids, s4.ids, s3.off[s3.n] * sizeof *s3.ids) == 0;
    for (int32_t i = 1; same && i <= (int32_t)rnn_tokenizer_size(t) + 1; i++) {
        const char *a = rnn_tokenizer_word(t, i), *b = rnn_tokenizer_word(t3, i);
        same = (!a && !b) || (a && b && strcmp(a, b) == 0 && rnn_tokenizer_count(t, i) == rnn_tokenizer_count(t3, i));
    }
    if (!same) {
        fprintf(stderr, "fit_encode differs from fit + encode_all\n");
        return 8;
    }
    rnn_seqs_free(&s3);
    rnn_seqs_free(&s4);
    rnn_tokenizer_free(t3);
    printf("SEQ %zu\n", s.n);
    for (size_t i = 0; i < s.n; i++) {
        printf("S");
        for (size_t k = s.off[i]; k < s.off[i + 1]; k++)
            printf(" %d", s.ids[k]);
        /* encode of one text must equal encode_all */
        int32_t *ids;
        size_t len;
        if (rnn_tokenizer_encode(t, enc[i], &ids, &len, &err) || len != s.off[i + 1] - s.off[i]
            || (len && memcmp(ids, s.ids + s.off[i], len * sizeof *ids)))
            return 6;
        free(ids);
        printf("\n");
    }
    printf("DEC\n");
    for (size_t i = 0; i < s.n; i++) {
        char *d = rnn_tokenizer_decode(t, s.ids + s.off[i], s.off[i + 1] - s.off[i]);
        put_hex(d);
        printf("\n");
        free(d);
    }
    rnn_imatrix m;
    size_t truncated;
    if (rnn_pad(&s, maxlen, pad_post, trunc_post, 0, &m, &truncated, &err))
        return 7;
    printf("PAD %zu %zu %zu\n", m.rows, m.cols, truncated);
    for (size_t r = 0; r < m.rows; r++) {
        printf("P");
        for (size_t c = 0; c < m.cols; c++)
            printf(" %d", m.data[r * m.cols + c]);
        printf("\n");
    }
    printf("WORDS");
    for (size_t i = 0; i < ne; i++)
        printf(" %zu", rnn_count_words(enc[i]));
    printf("\n");
    /* describe of the word counts, as pandas (checked in Python against numpy with a tolerance) */
    static const double pcts[] = {0.25, 0.5, 0.75, 0.95, 0.99};
    rnn_describe d;
    if (rnn_describe_lengths(enc, ne, pcts, 5, &d, &err) == 0) {
        printf("DESC %zu %.17g %.17g %.17g %.17g", d.count, d.mean, d.std, d.min, d.max);
        for (int i = 0; i < d.n_pct; i++)
            printf(" %.17g", d.value[i]);
        printf("\n");
    } else
        printf("DESC none\n");
    printf("END\n");
    rnn_imatrix_free(&m);
    rnn_seqs_free(&s);
    rnn_seqs_free(&s2);
    rnn_tokenizer_free(t);
    rnn_tokenizer_free(t2);
    free_texts(fit, nf);
    free_texts(enc, ne);
    free(oov);
    free(filters);
    free(standardize);
    return 0;
}

int main(int argc, char **argv)
{
    static char line[1 << 20];
    if (argc > 1)
        rnn_set_threads(atoi(argv[1]));
    while (fgets(line, sizeof line, stdin)) {
        int rc = run_case(line, sizeof line);
        if (rc) {
            fprintf(stderr, "keras_driver: case failed (%d)\n", rc);
            return rc;
        }
    }
    return 0;
}
