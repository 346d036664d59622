/* The one rule for invalid UTF-8: each maximal subpart becomes U+FFFD. Python's
 * decode('utf-8', 'replace') on fixed cases, a second, independent definition on random bytes, the
 * decoder never reading past its bound, the tokenizer and word counts reading invalid text exactly
 * as its repaired copy, and the bounded line reader of scripts. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rnnlab/data.h"
#include "rnnlab/text.h"
#include "tests/check.h"

#define R "\xEF\xBF\xBD" /* U+FFFD */

/* Expected outputs from Python 3: bytes.decode('utf-8', 'replace').encode(). */
static void test_python_cases(void)
{
    static const struct { const char *in, *out; size_t bad; } cases[] = {
        { "a\xF1\x80\x80\xE1\x80\xC2" "b\x80" "c\x80\xBF" "d", "a" R R R "b" R "c" R R "d", 6 },
        { "\xE2\x82", R, 1 },                    /* a cut sequence: one U+FFFD */
        { "\xF0\x80\x80", R R R, 3 },            /* overlong: F0 80 starts nothing */
        { "\xED\xA0\x80", R R R, 3 },            /* a surrogate */
        { "\xF4\x90\x80\x80", R R R R, 4 },      /* above U+10FFFF */
        { "\xC0\xAF", R R, 2 },
        { "caf\xE9", "caf" R, 1 },               /* Latin-1 */
        { "\xFF\xFE", R R, 2 },
        { "\xE0\x9F\x80", R R R, 3 },
        { "\xF0\x9F\x98", R, 1 },
        { "\xF0\x9F\x98\x80 ok", "\xF0\x9F\x98\x80 ok", 0 },
        { R, R, 0 },                             /* a real U+FFFD is valid */
        { "", "", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t bad = 99, len = strlen(cases[i].in);
        char *got = rnn_utf8_repaired(cases[i].in, len, &bad);
        CHECK(got && !strcmp(got, cases[i].out) && bad == cases[i].bad, "case %zu: %zu invalid", i, bad);
        CHECK(rnn_utf8_repaired_length(cases[i].in, len, NULL) == strlen(cases[i].out), "case %zu: length", i);
        free(got);
    }
}

/* Whether s[0..k) is the start of a well-formed sequence (Unicode table 3-7). */
static int table_prefix(const unsigned char *s, size_t k)
{
    static const unsigned char ranges[][4][2] = {
        { { 0xC2, 0xDF }, { 0x80, 0xBF } }, { { 0xE0, 0xE0 }, { 0xA0, 0xBF }, { 0x80, 0xBF } },
        { { 0xE1, 0xEC }, { 0x80, 0xBF }, { 0x80, 0xBF } }, { { 0xED, 0xED }, { 0x80, 0x9F }, { 0x80, 0xBF } },
        { { 0xEE, 0xEF }, { 0x80, 0xBF }, { 0x80, 0xBF } },
        { { 0xF0, 0xF0 }, { 0x90, 0xBF }, { 0x80, 0xBF }, { 0x80, 0xBF } },
        { { 0xF1, 0xF3 }, { 0x80, 0xBF }, { 0x80, 0xBF }, { 0x80, 0xBF } },
        { { 0xF4, 0xF4 }, { 0x80, 0x8F }, { 0x80, 0xBF }, { 0x80, 0xBF } },
    };
    static const int lengths[] = { 2, 3, 3, 3, 3, 4, 4, 4 };
    for (size_t r = 0; r < sizeof lengths / sizeof lengths[0]; r++) {
        if ((int)k > lengths[r])
            continue;
        size_t j = 0;
        while (j < k && s[j] >= ranges[r][j][0] && s[j] <= ranges[r][j][1])
            j++;
        if (j == k)
            return lengths[r];
    }
    return 0;
}

/* The repair as the definition says it: at each byte, the longest prefix of a well-formed sequence
 * there is either a whole sequence (kept) or a maximal subpart (one U+FFFD; at least one byte). */
static size_t reference_repair(const unsigned char *s, size_t len, char *out, size_t *bad)
{
    size_t w = 0;
    *bad = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            out[w++] = (char)s[i++];
            continue;
        }
        size_t k = 0;
        for (size_t m = 1; m <= 4 && i + m <= len; m++)
            if (table_prefix(s + i, m))
                k = m;
            else
                break;
        int whole = k && table_prefix(s + i, k) == (int)k;
        if (whole) {
            memcpy(out + w, s + i, k);
            w += k;
        } else {
            memcpy(out + w, R, 3);
            w += 3;
            ++*bad;
        }
        i += k ? k : 1;
    }
    return w;
}

static void test_random_against_reference(void)
{
    /* Bytes drawn mostly from the interesting ones, so that near-valid sequences are common. */
    static const unsigned char pick[] = { 'a', ' ', 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2,
                                          0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF };
    unsigned x = 2463534242u;
    unsigned char in[24];
    char want[24 * 3 + 1], got[24 * 3 + 1];
    for (int trial = 0; trial < 200000; trial++) {
        size_t len = 1 + trial % 24;
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            in[i] = pick[x % sizeof pick];
        }
        size_t bad_want, bad_got, n = reference_repair(in, len, want, &bad_want);
        size_t m = rnn_utf8_repaired_length((const char *)in, len, &bad_got);
        rnn_utf8_repair((const char *)in, len, got);
        if (!(m == n && bad_got == bad_want && !memcmp(got, want, n))) {
            CHECK(0, "random case %d: %zu bytes, %zu invalid, reference %zu bytes, %zu invalid", trial, m,
                  bad_got, n, bad_want);
            return;
        }
        CHECK(rnn_utf8_valid_prefix((const char *)in, len) == len || bad_got > 0, "valid prefix %d", trial);
    }
}

/* The decoder takes at least one byte and never more than its bound: a sequence cut by the end of the
 * buffer (or of the string) is read as U+FFFD without looking further. */
static void test_decode_bounds(void)
{
    static const char *seqs[] = { "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80" };
    for (size_t i = 0; i < 3; i++) {
        size_t full = strlen(seqs[i]);
        for (size_t k = 1; k <= full; k++) {
            uint32_t cp = 0;
            int n = rnn_utf8_decode(seqs[i], k, &cp);
            CHECK(n >= 1 && (size_t)n <= k, "sequence %zu cut at %zu: %d bytes", i, k, n);
            CHECK(k == full ? cp != 0xFFFD && (size_t)n == full : cp == 0xFFFD, "sequence %zu at %zu", i, k);
        }
    }
    /* An invalid lead byte in front of the NUL terminator takes only itself. */
    char *heap = strdup("ok \xF0");
    uint32_t cp;
    CHECK(rnn_utf8_decode(heap + 3, 1, &cp) == 1 && cp == 0xFFFD, "lead byte at the end");
    free(heap);
}

typedef struct word_list {
    char buf[4096];
    size_t used;
} word_list;

static void collect_word(const char *w, size_t len, void *user)
{
    word_list *l = user;
    if (l->used + len + 1 < sizeof l->buf) {
        memcpy(l->buf + l->used, w, len);
        l->used += len;
        l->buf[l->used++] = '|';
    }
}

/* Invalid text tokenizes as its repaired copy, final sigma included (U+03A3 next to invalid bytes),
 * and counts the same words. */
static void test_tokenizer_reads_repaired_text(void)
{
    static const char *texts[] = {
        "caf\xE9 \xFF\xFE  ok", "A\x80\xCE\xA3 x", "\xCE\xA3\xE2\x82 \xCE\xA3", "\xCE\x91\xCC\x81\x80\xCE\xA3",
        "\xCE\x91\xCE\xA3\xC0", "\x80\x80\x80\x80\xCE\xA3 \xCE\x91", "\xF0\x9F\x98\xCE\xA3!\xE2\x80\xA8\xFF",
        "\xC3\x28\xCE\xA3", "\xCE\xB1\xF4\x90\xCE\xA3", "\xE2\x80\x8B\x80\xCE\xA3",
    };
    for (int char_level = 0; char_level <= 1; char_level++) {
        rnn_tokenizer_opts o;
        rnn_tokenizer_opts_default(&o);
        o.char_level = char_level;
        o.filters = "!\xFF\xE2\x80\xA8"; /* an invalid filter byte reads as U+FFFD, filtered too */
        rnn_tokenizer *t = rnn_tokenizer_new(&o);
        CHECK(t != NULL, "tokenizer with an invalid byte in its filters");
        if (!t)
            return;
        for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
            char *fixed = rnn_utf8_repaired(texts[i], strlen(texts[i]), NULL);
            word_list a = { .used = 0 }, b = { .used = 0 };
            rnn_tokenizer_words(t, texts[i], collect_word, &a);
            rnn_tokenizer_words(t, fixed, collect_word, &b);
            CHECK(a.used == b.used && !memcmp(a.buf, b.buf, a.used), "text %zu (char_level %d): %.*s / %.*s",
                  i, char_level, (int)a.used, a.buf, (int)b.used, b.buf);
            CHECK(rnn_count_words(texts[i]) == rnn_count_words(fixed), "word count of text %zu", i);
            free(fixed);
        }
        rnn_tokenizer_free(t);
    }
}

static void test_line_reader(void)
{
    char path[] = "/tmp/rnnlab-utf8-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "scratch file");
    if (fd < 0)
        return;
    static const char text[] = "one\r\n\ntwo\nlast";
    CHECK(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1), "write");
    close(fd);
    static const char *want[] = { "one", "", "two", "last" };
    rnn_line_reader r = { .f = fopen(path, "r"), .name = path };
    rnn_error err;
    bool got;
    size_t n = 0;
    while (rnn_line_next(&r, &got, &err) == RNN_OK && got) {
        CHECK(n < 4 && !strcmp(r.buf, want[n]) && r.line == n + 1, "line %zu: '%s'", n + 1, r.buf);
        n++;
    }
    CHECK(n == 4, "%zu lines", n);
    fclose(r.f);
    rnn_line_reader_free(&r);

    /* A NUL byte, or a line past RNN_LINE_LIMIT, stops the reader with the line named. */
    r = (rnn_line_reader){ .f = fopen("/dev/zero", "r"), .name = "/dev/zero" };
    CHECK(rnn_line_next(&r, &got, &err) == RNN_EDATA && strstr(err.msg, "/dev/zero:1: NUL byte"), "%s", err.msg);
    fclose(r.f);
    rnn_line_reader_free(&r);
    FILE *f = fopen(path, "w");
    fputs("fine\n", f);
    for (size_t i = 0; i <= RNN_LINE_LIMIT; i++)
        putc('x', f);
    fclose(f);
    r = (rnn_line_reader){ .f = fopen(path, "r"), .name = path };
    CHECK(rnn_line_next(&r, &got, &err) == RNN_OK && got, "first line");
    CHECK(rnn_line_next(&r, &got, &err) == RNN_EDATA && strstr(err.msg, ":2: line longer than 16.0 MB (the line limit"),
          "%s", err.msg);
    fclose(r.f);
    rnn_line_reader_free(&r);
    unlink(path);
}

int main(void)
{
    test_python_cases();
    test_random_against_reference();
    test_decode_bounds();
    test_tokenizer_reads_repaired_text();
    test_line_reader();
    return check_finish("test_utf8");
}
