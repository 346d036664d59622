/* Word n-gram features: numbering by count (ties in first-seen order), top-N, hashing into buckets,
 * trigrams, ids that skip padding, and the save-file section with damaged copies. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "rnnlab/ngrams.h"
#include "tests/check.h"

static rnn_seqs two_seqs(void)
{
    static int32_t ids[] = {1, 2, 3, 1, 2, 2, 3, 4};
    static size_t off[] = {0, 5, 8};
    return (rnn_seqs){.n = 2, .off = off, .ids = ids};
}

static bool seq_is(const rnn_seqs *s, size_t i, const int32_t *want, size_t n)
{
    return s->off[i + 1] - s->off[i] == n && memcmp(s->ids + s->off[i], want, n * sizeof *want) == 0;
}

static void test_counting(void)
{
    rnn_seqs in = two_seqs(), out;
    rnn_ngrams *g;
    rnn_error err;
    rnn_ngram_opts o = {.n = 2, .first_id = 10};
    CHECK(rnn_ngrams_fit(&o, &in, &g, &err) == RNN_OK, "%s", err.msg);
    CHECK(rnn_ngrams_size(g) == 4, "4 distinct bigrams, got %zu", rnn_ngrams_size(g));
    CHECK(rnn_ngrams_apply(g, &in, &out, &err) == RNN_OK, "%s", err.msg);
    /* (1,2) x2 -> 10, (2,3) x2 -> 11, (3,1) -> 12, (3,4) -> 13 */
    CHECK(seq_is(&out, 0, (int32_t[]){1, 2, 3, 1, 2, 10, 11, 12, 10}, 9), "first sequence with its bigrams");
    CHECK(seq_is(&out, 1, (int32_t[]){2, 3, 4, 11, 13}, 5), "second sequence with its bigrams");
    int32_t w[RNN_NGRAMS_MAX_N];
    CHECK(rnn_ngrams_words(g, 12, w) == 2 && w[0] == 3 && w[1] == 1, "id 12 is (3, 1)");
    CHECK(rnn_ngrams_words(g, 14, w) == 0 && rnn_ngrams_words(g, 9, w) == 0, "ids outside the n-grams");
    rnn_seqs_free(&out);

    /* Padding (0) is never part of an n-gram. */
    int32_t *one; size_t len;
    CHECK(rnn_ngrams_apply_one(g, (int32_t[]){0, 1, 2, 0, 3, 4}, 6, &one, &len, &err) == RNN_OK &&
          len == 8 && one[6] == 10 && one[7] == 13, "padded sequence: %zu ids", len);
    free(one);
    rnn_ngrams_free(g);

    o.top = 2;
    CHECK(rnn_ngrams_fit(&o, &in, &g, &err) == RNN_OK && rnn_ngrams_size(g) == 2, "top 2 kept");
    rnn_ngrams_apply(g, &in, &out, &err);
    CHECK(seq_is(&out, 1, (int32_t[]){2, 3, 4, 11}, 4), "only the 2 most frequent bigrams");
    rnn_seqs_free(&out);
    rnn_ngrams_free(g);

    o = (rnn_ngram_opts){.n = 3, .first_id = 10};
    CHECK(rnn_ngrams_fit(&o, &in, &g, &err) == RNN_OK && rnn_ngrams_size(g) == 4 + 4, "4 bigrams and 4 trigrams, got %zu",
          rnn_ngrams_size(g));
    rnn_ngrams_apply(g, &in, &out, &err);
    CHECK(out.off[1] - out.off[0] == 5 + 4 + 3 && out.off[2] - out.off[1] == 3 + 2 + 1, "trigrams follow bigrams");
    rnn_seqs_free(&out);
    rnn_ngrams_free(g);
}

static void test_buckets(void)
{
    rnn_seqs in = two_seqs(), out;
    rnn_ngrams *g;
    rnn_error err;
    rnn_ngram_opts o = {.n = 2, .buckets = 7, .first_id = 5};
    CHECK(rnn_ngrams_fit(&o, &in, &g, &err) == RNN_OK && rnn_ngrams_size(g) == 7, "7 buckets");
    rnn_ngrams_apply(g, &in, &out, &err);
    CHECK(out.off[1] == 9 && out.off[2] == 9 + 5, "every bigram gets a bucket");
    bool in_range = true;
    for (size_t k = 5; k < 9; k++) in_range = in_range && out.ids[k] >= 5 && out.ids[k] < 12;
    CHECK(in_range && out.ids[5] == out.ids[8], "bucket ids in [5, 12), equal bigrams equal ids");
    rnn_seqs_free(&out);
    rnn_ngrams_free(g);
}

static void test_options(void)
{
    rnn_seqs in = two_seqs();
    rnn_ngrams *g;
    rnn_error err;
    CHECK(rnn_ngrams_fit(&(rnn_ngram_opts){.n = 1, .first_id = 5}, &in, &g, &err) == RNN_EUSAGE && strstr(err.msg, "ngrams=1"), "%s", err.msg);
    CHECK(rnn_ngrams_fit(&(rnn_ngram_opts){.n = 2, .buckets = 3, .top = 3, .first_id = 5}, &in, &g, &err) == RNN_EUSAGE, "%s", err.msg);
    CHECK(rnn_ngrams_fit(&(rnn_ngram_opts){.n = 2, .buckets = 100, .first_id = INT32_MAX - 10}, &in, &g, &err) == RNN_EUSAGE &&
          strstr(err.msg, "largest id"), "%s", err.msg);
}

static void test_save(void)
{
    rnn_seqs in = two_seqs();
    rnn_ngrams *g, *back;
    rnn_error err;
    rnn_ngrams_fit(&(rnn_ngram_opts){.n = 3, .first_id = 10}, &in, &g, &err);
    FILE *f = tmpfile();
    CHECK(rnn_ngrams_write(g, f, &err) == RNN_OK, "%s", err.msg);
    long size = ftell(f);
    rewind(f);
    CHECK(rnn_ngrams_read(&back, f, (uint64_t)size, &err) == RNN_OK, "%s", err.msg);
    if (back) {
        rnn_seqs a, b;
        rnn_ngrams_apply(g, &in, &a, &err);
        rnn_ngrams_apply(back, &in, &b, &err);
        CHECK(a.off[2] == b.off[2] && memcmp(a.ids, b.ids, a.off[2] * 4) == 0, "read back numbers alike");
        rnn_seqs_free(&a); rnn_seqs_free(&b);
        rnn_ngrams_free(back);
    }
    /* The count is checked against the bytes left; a cut file is damaged. */
    rewind(f);
    CHECK(rnn_ngrams_read(&back, f, (uint64_t)size - 8, &err) == RNN_EDATA && strstr(err.msg, "damaged"), "%s", err.msg);
    unsigned char big[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f};
    fseek(f, 40, SEEK_SET);
    fwrite(big, 1, 8, f);
    rewind(f);
    CHECK(rnn_ngrams_read(&back, f, (uint64_t)size, &err) == RNN_EDATA, "a huge count: %s", err.msg);
    fclose(f);
    rnn_ngrams_free(g);
}

int main(void)
{
    test_counting();
    test_buckets();
    test_options();
    test_save();
    return check_finish("test_ngrams");
}
