/* The tokenizer's TextVectorization style: standardization (A-Z lowered only, punctuation deleted,
 * ASCII whitespace splitting), ties ranked by bytes descending, max_tokens, '[UNK]' at 1, decoding,
 * a custom standardize's steps, and its save-file text (versions 2 and 3) with damaged copies. keras.test compares it with Python on
 * generated texts; these are the cases written out. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rnnlab/rnnlab.h"
#include "tests/check.h"

/* TextVectorization's options with max_tokens and a standardize spec (NULL: its default). */
static rnn_tokenizer_opts tv_opts(int max_tokens, const char *standardize)
{
    rnn_tokenizer_opts o;
    rnn_tokenizer_opts_default(&o);
    o.style = RNN_TOKENIZER_TEXTVECTORIZATION;
    o.num_words = max_tokens;
    o.standardize = standardize;
    return o;
}

static rnn_tokenizer *textvectorization(int max_tokens)
{
    rnn_tokenizer_opts o = tv_opts(max_tokens, NULL);
    rnn_tokenizer *t = rnn_tokenizer_new(&o);
    CHECK(t != NULL, "TextVectorization with max_tokens %d", max_tokens);
    return t;
}

typedef struct words {
    char text[512];   /* the words, each followed by '|' */
} words;

static void add_word(const char *w, size_t len, void *user)
{
    words *ws = user;
    size_t at = strlen(ws->text);
    if (at + len + 2 < sizeof ws->text) {
        memcpy(ws->text + at, w, len);
        ws->text[at + len] = '|';
        ws->text[at + len + 1] = '\0';
    }
}

static void expect_words(const rnn_tokenizer *t, const char *text, const char *want)
{
    words ws = {""};
    rnn_tokenizer_words(t, text, add_word, &ws);
    CHECK(strcmp(ws.text, want) == 0, "'%s' -> '%s', expected '%s'", text, ws.text, want);
}

static void test_standardize_and_split(void)
{
    rnn_tokenizer *t = textvectorization(0);
    /* tf.strings.lower without an encoding: A-Z only */
    expect_words(t, "\xc3\x89T\xc3\x89 Caf\xc3\x89 \xce\xa3\xce\x91\xce\xa3", "\xc3\x89t\xc3\x89|caf\xc3\x89|\xce\xa3\xce\x91\xce\xa3|");
    /* punctuation is deleted, not a separator */
    expect_words(t, "Don't", "dont|");
    expect_words(t, "word.another <br /><br />(x)", "wordanother|br|br|x|");
    expect_words(t, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "");
    expect_words(t, "[UNK]", "unk|");
    /* the six ASCII whitespace characters split; U+00A0, U+3000, U+0085 and 0x1C do not */
    expect_words(t, "a\tb\nc\vd\fe\rf g  h", "a|b|c|d|e|f|g|h|");
    expect_words(t, "x\xc2\xa0y z\xe3\x80\x80w v\xc2\x85u s\x1ct", "x\xc2\xa0y|z\xe3\x80\x80w|v\xc2\x85u|s\x1ct|");
    /* invalid UTF-8 reads as U+FFFD, as everywhere */
    expect_words(t, "a\xff" "b", "a\xef\xbf\xbd" "b|");
    rnn_tokenizer_free(t);
}

static const char *const texts[] = {"ab abc b a", "A a.", "zz zz zz zz"};

static void test_rank_and_encode(void)
{
    rnn_error err;
    rnn_tokenizer *t = textvectorization(0);
    CHECK(rnn_tokenizer_fit(t, (char *const *)texts, 3, &err) == RNN_OK, "%s", err.msg);
    /* zz 4, a 3, then the words seen once by bytes descending: b, abc, ab (a prefix after the longer word) */
    static const char *const want[] = {"[UNK]", "zz", "a", "b", "abc", "ab"};
    CHECK(rnn_tokenizer_size(t) == 6, "size %zu, expected 6 ('[UNK]' and 5 words)", rnn_tokenizer_size(t));
    for (int32_t i = 1; i <= 6; i++) {
        const char *w = rnn_tokenizer_word(t, i);
        CHECK(w && strcmp(w, want[i - 1]) == 0, "index %d: '%s', expected '%s'", i, w ? w : "(none)", want[i - 1]);
        CHECK(rnn_tokenizer_index(t, want[i - 1]) == i, "word_index of '%s'", want[i - 1]);
    }
    CHECK(rnn_tokenizer_word(t, 0) == NULL && rnn_tokenizer_word(t, 7) == NULL, "no word at 0 or past the vocabulary");
    CHECK(rnn_tokenizer_count(t, 1) == 0 && rnn_tokenizer_count(t, 2) == 4 && rnn_tokenizer_count(t, 3) == 3, "counts");
    CHECK(rnn_tokenizer_total(t) == 10, "10 occurrences, got %llu", (unsigned long long)rnn_tokenizer_total(t));

    /* unknown words, and '[UNK]' typed (standardized to 'unk'), are 1 */
    int32_t *ids;
    size_t n;
    CHECK(rnn_tokenizer_encode(t, "AB qq [UNK] zz a'b", &ids, &n, &err) == RNN_OK, "%s", err.msg);
    CHECK(n == 5 && ids[0] == 6 && ids[1] == 1 && ids[2] == 1 && ids[3] == 2 && ids[4] == 6, "ids of 'AB qq [UNK] zz a'b'");
    free(ids);

    /* decode: the padding 0 is left out, ids past the vocabulary are '[UNK]' */
    char *d = rnn_tokenizer_decode(t, (const int32_t[]){0, 0, 2, 1, 99, 6, 0}, 7);
    CHECK(d && strcmp(d, "zz [UNK] [UNK] ab") == 0, "decode: '%s'", d ? d : "(null)");
    free(d);
    rnn_tokenizer_free(t);
}

static void test_max_tokens(void)
{
    rnn_error err;
    /* max_tokens=4: '', '[UNK]' and the 2 most frequent */
    rnn_tokenizer *t = textvectorization(4);
    CHECK(rnn_tokenizer_fit(t, (char *const *)texts, 3, &err) == RNN_OK, "%s", err.msg);
    CHECK(rnn_tokenizer_size(t) == 3, "size %zu with max_tokens=4, expected 3", rnn_tokenizer_size(t));
    CHECK(rnn_tokenizer_word(t, 4) == NULL && rnn_tokenizer_index(t, "b") == 0, "'b' is out of the vocabulary");
    int32_t *ids;
    size_t n;
    CHECK(rnn_tokenizer_encode(t, "b zz abc a", &ids, &n, &err) == RNN_OK, "%s", err.msg);
    CHECK(n == 4 && ids[0] == 1 && ids[1] == 2 && ids[2] == 1 && ids[3] == 3, "ids below max_tokens");
    free(ids);
    rnn_tokenizer_free(t);

    /* max_tokens=2: nothing learned, every word is '[UNK]' */
    t = textvectorization(2);
    CHECK(rnn_tokenizer_fit(t, (char *const *)texts, 3, &err) == RNN_OK, "%s", err.msg);
    CHECK(rnn_tokenizer_size(t) == 1, "size %zu with max_tokens=2, expected 1", rnn_tokenizer_size(t));
    CHECK(rnn_tokenizer_encode(t, "zz a", &ids, &n, &err) == RNN_OK && n == 2 && ids[0] == 1 && ids[1] == 1, "all 1");
    free(ids);
    rnn_tokenizer_free(t);

    /* max_tokens 1 (no room for '' and '[UNK]') and unknown styles are refused */
    rnn_tokenizer_opts o = tv_opts(1, NULL);
    CHECK(rnn_tokenizer_new(&o) == NULL, "max_tokens=1 refused");
    o.num_words = 0;
    o.style = 7;
    CHECK(rnn_tokenizer_new(&o) == NULL, "style 7 refused");
}

/* Writes t into a malloc'd buffer. */
static char *write_text(const rnn_tokenizer *t, size_t *len)
{
    char *buf = NULL;
    rnn_error err;
    FILE *f = open_memstream(&buf, len);
    CHECK(f && rnn_tokenizer_write(t, f, &err) == RNN_OK, "write: %s", err.msg);
    fclose(f);
    return buf;
}

static int read_text(const char *text, size_t len, rnn_tokenizer **t, rnn_error *err)
{
    FILE *f = fmemopen((void *)text, len, "rb");
    int rc = rnn_tokenizer_read(t, f, err);
    fclose(f);
    return rc;
}

/* A tokenizer read back from text, written again: the same text. */
static void expect_rewritten(const rnn_tokenizer *back, const char *text, size_t len)
{
    size_t len2;
    char *again = write_text(back, &len2);
    CHECK(len2 == len && memcmp(again, text, len) == 0, "written again, the same text");
    free(again);
}

/* The text with its first `from` replaced by `to` read back: refused as damaged, the message holding `why`. */
static void expect_damaged(const char *text, const char *from, const char *to, const char *why)
{
    const char *at = strstr(text, from);
    CHECK(at != NULL, "'%s' in the saved text", from);
    if (!at)
        return;
    size_t head = (size_t)(at - text), len = strlen(text) - strlen(from) + strlen(to);
    char *bad = malloc(len + 1);
    snprintf(bad, len + 1, "%.*s%s%s", (int)head, text, to, at + strlen(from));
    rnn_tokenizer *t = NULL;
    rnn_error err = {0};
    CHECK(read_text(bad, len, &t, &err) == RNN_EDATA && t == NULL, "'%s' for '%s' is refused", to, from);
    CHECK(strstr(err.msg, "damaged") && strstr(err.msg, why), "message '%s' lacks '%s'", err.msg, why);
    rnn_tokenizer_free(t);
    free(bad);
}

static void test_save(void)
{
    rnn_error err;
    rnn_tokenizer *t = textvectorization(5), *back = NULL;
    CHECK(rnn_tokenizer_fit(t, (char *const *)texts, 3, &err) == RNN_OK, "%s", err.msg);
    size_t len;
    char *text = write_text(t, &len);
    static const char head[] = "rnnlab-tokenizer 2\nstyle textvectorization\nmax_tokens 5\nfitted 1\n";
    CHECK(strncmp(text, head, sizeof head - 1) == 0, "version 2 with its style: '%.80s'", text);
    CHECK(read_text(text, len, &back, &err) == RNN_OK, "read back: %s", err.msg);
    if (back) {
        CHECK(rnn_tokenizer_options(back)->style == RNN_TOKENIZER_TEXTVECTORIZATION
              && rnn_tokenizer_options(back)->num_words == 5, "style and max_tokens read back");
        CHECK(rnn_tokenizer_size(back) == rnn_tokenizer_size(t), "size read back");
        for (int32_t i = 1; i <= (int32_t)rnn_tokenizer_size(t); i++)
            CHECK(strcmp(rnn_tokenizer_word(back, i), rnn_tokenizer_word(t, i)) == 0, "word %d read back", i);
        expect_rewritten(back, text, len);
        rnn_tokenizer_free(back);
    }
    expect_damaged(text, "rnnlab-tokenizer 2", "rnnlab-tokenizer 4", "version 4");
    expect_damaged(text, "style textvectorization", "style wordpiece", "unknown tokenizer style");
    expect_damaged(text, "max_tokens 5", "max_tokens 1", "max_tokens 1");
    expect_damaged(text, "max_tokens 5", "max_tokens -4", "max_tokens -4");
    expect_damaged(text, "max_tokens 5", "num_words 5", "");
    expect_damaged(text, "style textvectorization", "num_words 5", "");

    /* Keras drops '' and '[UNK]' from adapt's counts: a file listing them keeps them out of the ranks. */
    static const char with_reserved[] = "rnnlab-tokenizer 2\nstyle textvectorization\nmax_tokens 0\nfitted 1\n"
                                        "words 3 12\n5 5 [UNK]\n4 0 \n3 1 x\nend\n";
    back = NULL;
    CHECK(read_text(with_reserved, sizeof with_reserved - 1, &back, &err) == RNN_OK, "%s", err.msg);
    if (back) {
        CHECK(rnn_tokenizer_size(back) == 2 && strcmp(rnn_tokenizer_word(back, 2), "x") == 0
              && rnn_tokenizer_index(back, "[UNK]") == 1, "'[UNK]' at 1 and 'x' at 2 only");
        rnn_tokenizer_free(back);
    }
    free(text);
    rnn_tokenizer_free(t);

    /* The legacy style still writes version 1, which builds before version 2 read. */
    t = rnn_tokenizer_new(NULL);
    CHECK(rnn_tokenizer_fit(t, (char *const *)texts, 3, &err) == RNN_OK, "%s", err.msg);
    text = write_text(t, &len);
    CHECK(strncmp(text, "rnnlab-tokenizer 1\nnum_words 0\n", 31) == 0, "the Tokenizer's text: '%.40s'", text);
    expect_damaged(text, "rnnlab-tokenizer 1", "rnnlab-tokenizer 0", "version 0");
    free(text);
    rnn_tokenizer_free(t);
}

static rnn_tokenizer *standardized(const char *spec)
{
    rnn_tokenizer_opts o = tv_opts(0, spec);
    rnn_tokenizer *t = rnn_tokenizer_new(&o);
    CHECK(t != NULL, "standardize '%s'", spec);
    return t;
}

/* The tutorials' custom_standardization: lower, '<br />' -> ' ', then the punctuation class deleted. */
static const char tutorial[] = "custom\nlower\nregex_replace <br />\t \nregex_replace [!\"\\#\\$%\\&'\\(\\)\\*\\+,\\-\\./:;<=>\\?@\\[\\\\\\]\\^_`\\{\\|\\}\\~]\t";

/* The words of text through a tokenizer of standardize spec. */
static void expect_standardized(const char *spec, const char *text, const char *want)
{
    rnn_tokenizer *t = standardized(spec);
    if (t)
        expect_words(t, text, want);
    rnn_tokenizer_free(t);
}

static void test_custom_standardize(void)
{
    expect_standardized(tutorial, "Great<br />movie, <BR />Don't", "great|movie|dont|");  /* lowered first */
    expect_standardized(tutorial, "a<br/>b", "abrb|");
    /* the named modes */
    expect_standardized("lower", "Don't STOP", "don't|stop|");
    expect_standardized("none", "Don't STOP", "Don't|STOP|");
    expect_standardized("strip_punctuation", "Don't STOP", "Dont|STOP|");
    /* leftmost non-overlapping matches; a class with + replaces a run once; steps in order */
    expect_standardized("custom\nregex_replace aa\tb\nregex_replace [x-z]+\t-\nregex_replace \\.\t ", "aaa xyzzy.a.b",
                        "ba|-|a|b|");
    /* refused, with the reason */
    static const char *const bad[][2] = {
        {"custom\nregex_replace a.b\t", "regex operator '.'"},
        {"custom\nregex_replace \\d\t", "escape"},
        {"custom\nregex_replace [^a]\t", "negated"},
        {"custom\nregex_replace [ab\t", "closing ]"},
        {"custom\nregex_replace [a][b]\t", "more than one class"},
        {"custom\nregex_replace a\tbb", "longer"},
        {"custom\nregex_replace a\t\\1", "group references"},
        {"custom\nregex_replace [\xc3\xa9]\t", "ASCII"},
        {"custom\nregex_replace a", "without its rewrite"},
        {"custom\nupper", "unknown standardize step"},
        {"custom\n", "without steps"},
        {"lower_and_strip", "unknown standardize"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rnn_error err = {0};
        CHECK(rnn_tokenizer_check_standardize(bad[i][0], &err) == RNN_EUSAGE && strstr(err.msg, bad[i][1]),
              "'%s' refused for '%s': '%s'", bad[i][0], bad[i][1], err.msg);
        rnn_tokenizer_opts o = tv_opts(0, bad[i][0]);
        rnn_tokenizer *n = rnn_tokenizer_new(&o);
        CHECK(n == NULL, "rnn_tokenizer_new refuses '%s'", bad[i][0]);
        rnn_tokenizer_free(n);
    }
}

/* Version 3: the standardize after max_tokens, read back to the same tokenizer; damaged copies. */
static void test_save_standardize(void)
{
    rnn_error err;
    rnn_tokenizer *t = standardized(tutorial), *back = NULL;
    static const char *const fit[] = {"A b<br />C", "c, c. b"};
    CHECK(rnn_tokenizer_fit(t, (char *const *)fit, 2, &err) == RNN_OK, "%s", err.msg);
    size_t len;
    char *text = write_text(t, &len);
    CHECK(strncmp(text, "rnnlab-tokenizer 3\nstyle textvectorization\nmax_tokens 0\nstandardize ", 67) == 0,
          "version 3 with its standardize: '%.90s'", text);
    CHECK(read_text(text, len, &back, &err) == RNN_OK, "read back: %s", err.msg);
    if (back) {
        CHECK(strcmp(rnn_tokenizer_options(back)->standardize, tutorial) == 0, "standardize read back");
        expect_words(back, "Great<br />movie", "great|movie|");
        expect_rewritten(back, text, len);
        rnn_tokenizer_free(back);
    }
    expect_damaged(text, "custom\nlower", "custom\nupper", "unknown standardize step");
    expect_damaged(text, "\nstandardize ", "\nstandardize 99999999 ", "");
    expect_damaged(text, "standardize ", "standardise ", "");
    free(text);
    rnn_tokenizer_free(t);
}

int main(void)
{
    test_custom_standardize();
    test_save_standardize();
    test_standardize_and_split();
    test_rank_and_encode();
    test_max_tokens();
    test_save();
    return check_finish("test_textvectorization");
}
