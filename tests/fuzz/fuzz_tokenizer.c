/* Keras's Tokenizer (`tokenize`, `encode`, `decode`, `pad`): fit, encode, decode and pad texts with
 * options from the input, and check that the ways of getting the same result agree: fit_encode
 * against fit then encode_all, encode_all against encode one text at a time, and a tokenizer
 * written and read back against the original.
 * Input: an option byte, a split byte (0x80 and up: the TextVectorization style, whose own options
 * replace the others), [filters 0x01] [oov token 0x01], texts separated by 0x01. With the
 * TextVectorization style the filters piece is its standardize: a name, else custom steps (one a line). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "fuzz_util.h"

enum { MAX_TEXTS = 64 };

static void fail(const char *what)
{
    fprintf(stderr, "tokenizer: %s\n", what);
    abort();
}

static void same_seqs(const rnn_seqs *a, const rnn_seqs *b, const char *what)
{
    if (a->n != b->n)
        fail(what);
    for (size_t i = 0; i <= a->n; i++)
        if (a->off[i] != b->off[i])
            fail(what);
    if (a->off[a->n] && memcmp(a->ids, b->ids, a->off[a->n] * sizeof *a->ids) != 0)
        fail(what);
}

/* Each text encoded alone gives its row of the batch encoding; its decoding does not crash. */
static void encode_each(const rnn_tokenizer *t, char *const *texts, size_t n, const rnn_seqs *all)
{
    rnn_error err;
    for (size_t i = 0; i < n; i++) {
        int32_t *ids = NULL;
        size_t len = 0;
        if (rnn_tokenizer_encode(t, texts[i], &ids, &len, &err) != RNN_OK)
            fail("encode failed where encode_all succeeded");
        if (len != all->off[i + 1] - all->off[i] || (len && memcmp(ids, all->ids + all->off[i], len * sizeof *ids)))
            fail("encode and encode_all disagree");
        free(rnn_tokenizer_decode(t, ids, len));
        free(ids);
    }
}

static void count_word(const char *w, size_t len, void *user)
{
    (void)w;
    *(size_t *)user += len;
}

/* Written and read back, the tokenizer has the same words, counts and encodings. */
static void round_trip(const rnn_tokenizer *t, char *const *texts, size_t n, const rnn_seqs *all)
{
    char *buf = NULL;
    size_t len = 0;
    rnn_error err;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    int rc = rnn_tokenizer_write(t, f, &err);
    fclose(f);
    if (rc == RNN_OK) {
        rnn_tokenizer *back = NULL;
        f = fmemopen(buf, len, "rb");
        if (!f)
            abort();
        if (rnn_tokenizer_read(&back, f, &err) != RNN_OK)
            fail(err.msg);
        fclose(f);
        if (rnn_tokenizer_size(back) != rnn_tokenizer_size(t))
            fail("a different vocabulary after a write and read");
        for (size_t i = 1; i <= rnn_tokenizer_size(t); i++) {
            const char *a = rnn_tokenizer_word(t, (int32_t)i), *b = rnn_tokenizer_word(back, (int32_t)i);
            if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0)
                || rnn_tokenizer_count(t, (int32_t)i) != rnn_tokenizer_count(back, (int32_t)i))
                fail("a different word after a write and read");
        }
        rnn_seqs again = { 0 };
        if (rnn_tokenizer_encode_all(back, texts, n, &again, &err) != RNN_OK)
            fail("encode_all failed after a write and read");
        same_seqs(all, &again, "other encodings after a write and read");
        rnn_seqs_free(&again);
        rnn_tokenizer_free(back);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = { data, size };
    uint8_t opt = fuzz_byte(&in), split = fuzz_byte(&in);
    static const int num_words[4] = { 0, 1, 3, 50 };
    char *filters = (opt & 4) ? fuzz_string(fuzz_piece(&in, 0x01)) : NULL;
    char *oov = (opt & 8) ? fuzz_string(fuzz_piece(&in, 0x01)) : NULL;
    char *texts[MAX_TEXTS];
    size_t n = 0;
    while (in.n > 0 && n < MAX_TEXTS)
        texts[n++] = fuzz_string(fuzz_piece(&in, 0x01));

    rnn_tokenizer_opts o;
    rnn_tokenizer_opts_default(&o);
    o.lower = opt & 1;
    o.char_level = opt & 2;
    o.filters = filters;
    o.oov_token = oov;
    o.num_words = num_words[(opt >> 4) & 3];
    if (split > 0 && split < 128)
        o.split = (char)split;
    char *standardize = NULL;
    if (split >= 128) {
        o.style = RNN_TOKENIZER_TEXTVECTORIZATION;
        if (o.num_words == 1)
            o.num_words = 2;   /* its smallest max_tokens */
        rnn_error serr;
        if (filters && (standardize = malloc(strlen(filters) + 8))) {
            strcpy(standardize, filters);
            if (rnn_tokenizer_check_standardize(standardize, &serr) != RNN_OK)
                sprintf(standardize, "custom\n%s", filters);
            o.standardize = standardize;
        }
    }

    rnn_error err;
    rnn_tokenizer *t = rnn_tokenizer_new(&o), *t2 = rnn_tokenizer_new(&o);
    if (!t || !t2)   /* options refused (filters that are not valid UTF-8) */
        goto done;
    rnn_seqs all = { 0 }, fused = { 0 };
    bool fitted = rnn_tokenizer_fit(t, texts, n, &err) == RNN_OK;
    bool fused_ok = rnn_tokenizer_fit_encode(t2, texts, n, &fused, &err) == RNN_OK;
    if (fitted != fused_ok)
        fail("fit and fit_encode disagree on success");
    if (fitted) {
        if (rnn_tokenizer_encode_all(t, texts, n, &all, &err) != RNN_OK)
            fail("encode_all failed after fit");
        same_seqs(&all, &fused, "fit_encode and fit + encode_all disagree");
        encode_each(t, texts, n, &all);
        round_trip(t, texts, n, &all);
        for (size_t i = 0; i < n; i++) {
            size_t letters = 0;
            rnn_tokenizer_words(t, texts[i], count_word, &letters);
            rnn_count_words(texts[i]);
        }
        rnn_imatrix padded = { 0 };
        size_t truncated;
        int maxlen = (opt & 0x40) ? (int)(split % 17) : 0;
        if (rnn_pad(&all, maxlen, opt & 0x80, split & 1, 0, &padded, &truncated, &err) == RNN_OK)
            rnn_imatrix_free(&padded);
    }
    rnn_seqs_free(&all);
    rnn_seqs_free(&fused);
done:
    rnn_tokenizer_free(t);
    rnn_tokenizer_free(t2);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(filters);
    free(standardize);
    free(oov);
    return 0;
}
