/* The csv, dir and lines loaders on small generated files: parsing, classes, splits, and every error. */
#include "config.h"
#include "testutil.h"
#include "data/data_internal.h"

static rnn_load_opts opts_for(const char *path)
{
    rnn_load_opts o = { .path = path, .seed = -1, .test_split = -1 };
    return o;
}

#define CHECK_TEXT(got, want) do { const char *g_ = (got), *w_ = (want); if (strcmp(g_, w_)) { \
    fprintf(stderr, "%s:%d: text '%s', expected '%s'\n", __FILE__, __LINE__, g_, w_); \
    failures++; } } while (0)

/* Loads and expects failure with `status`, a message containing the file name and `needle`. */
static void expect_error(int (*load)(const rnn_load_opts *, rnn_dataset **, rnn_error *),
                         const rnn_load_opts *o, int status, const char *file, const char *needle,
                         int line)
{
    rnn_dataset *ds = (rnn_dataset *)1;
    rnn_error err = { 0 };
    int rc = load(o, &ds, &err);
    if (getenv("SHOW_ERRORS"))
        printf("%d %s\n", rc, err.msg);
    if (rc != status || ds != NULL || (file && !strstr(err.msg, file)) || !strstr(err.msg, needle) ||
        strchr(err.msg, '\n')) {
        fprintf(stderr, "%s:%d: status %d (want %d), message '%s' (want '%s' and '%s')\n", __FILE__,
                line, rc, status, err.msg, file ? file : "", needle);
        failures++;
    }
    if (rc == RNN_OK)
        rnn_dataset_free(ds);
}
#define EXPECT_ERROR(load, o, status, file, needle) expect_error(load, o, status, file, needle, __LINE__)

static rnn_dataset *load_ok(int (*load)(const rnn_load_opts *, rnn_dataset **, rnn_error *),
                            const rnn_load_opts *o)
{
    rnn_dataset *ds = NULL;
    rnn_error err = { 0 };
    int rc = load(o, &ds, &err);
    if (rc != RNN_OK || !ds) {
        fprintf(stderr, "load failed: %d %s\n", rc, err.msg);
        exit(1);
    }
    return ds;
}

static void test_csv_parsing(void)
{
    /* BOM, CRLF, quoted delimiters, doubled quotes, embedded LF and CRLF, blank lines, a quote
     * inside an unquoted field, an empty text, a text after a closing quote. */
    const char *csv =
        "\xEF\xBB\xBFid,text,label\r\n"
        "1,plain text,pos\r\n"
        "2,\"with, comma\",neg\r\n"
        "\r\n"
        "3,\"say \"\"hi\"\"\",pos\n"
        "4,\"two\nlines\",neg\n"
        "   \n"
        "5,\"crlf\r\ninside\",pos\n"
        "6,it's 5\" tall,neg\n"
        "7,,pos\n"
        "8,\"quoted\"tail,neg\n"
        "9,\"\xC3\xA9t\xC3\xA9\",pos";  /* no final newline */
    rnn_load_opts o = opts_for(test_write("basic.csv", csv, strlen(csv)));
    o.text_col = "text";
    o.label_col = "label";
    rnn_dataset *ds = load_ok(rnn_load_csv, &o);
    CHECK(!strcmp(ds->name, "csv") && !strcmp(ds->source, o.path));
    CHECK(ds->n_classes == 2 && !strcmp(ds->class_names[0], "neg") &&
          !strcmp(ds->class_names[1], "pos"));
    CHECK(ds->train.n == 9 && ds->test.n == 0);
    static const char *want[] = { "plain text", "with, comma", "say \"hi\"", "two\nlines",
                                  "crlf\r\ninside", "it's 5\" tall", "", "quotedtail",
                                  "\xC3\xA9t\xC3\xA9" };
    static const int labels[] = { 1, 0, 1, 0, 1, 0, 1, 0, 1 };
    for (size_t i = 0; i < 9 && i < ds->train.n; i++) {
        CHECK_TEXT(ds->train.text[i], want[i]);
        CHECK(ds->train.label[i] == labels[i]);
    }
    rnn_dataset_free(ds);

    /* Columns by 0-based index; default column names text/label. */
    o.text_col = "1";
    o.label_col = "2";
    ds = load_ok(rnn_load_csv, &o);
    CHECK(ds->train.n == 9 && !strcmp(ds->train.text[0], "plain text"));
    rnn_dataset_free(ds);
    o.text_col = o.label_col = NULL;
    ds = load_ok(rnn_load_csv, &o);
    CHECK(ds->train.n == 9);
    rnn_dataset_free(ds);

    /* A column named "0" wins over index 0. */
    const char *named = "label,0\nspam,first\nham,second\n";
    o = opts_for(test_write("named.csv", named, strlen(named)));
    o.text_col = "0";
    ds = load_ok(rnn_load_csv, &o);
    CHECK_TEXT(ds->train.text[0], "first");
    CHECK(!strcmp(ds->class_names[0], "ham") && ds->train.label[0] == 1);
    rnn_dataset_free(ds);
}

static void test_csv_delimiters_and_classes(void)
{
    /* .tsv means tabs; commas are then ordinary characters. */
    const char *tsv = "label\ttext\nb\tx, y\na\t\"q\tz\"\nc\tw\n";
    rnn_load_opts o = opts_for(test_write("data.TSV", tsv, strlen(tsv)));
    rnn_dataset *ds = load_ok(rnn_load_csv, &o);
    CHECK(ds->n_classes == 3 && ds->train.n == 3);
    CHECK_TEXT(ds->train.text[0], "x, y");
    CHECK_TEXT(ds->train.text[1], "q\tz");
    CHECK(ds->train.label[0] == 1 && ds->train.label[1] == 0 && ds->train.label[2] == 2);
    rnn_dataset_free(ds);

    /* An explicit delimiter. */
    const char *semi = "text;label\na,b;1\nc;0\n";
    o = opts_for(test_write("semi.csv", semi, strlen(semi)));
    o.delimiter = ';';
    ds = load_ok(rnn_load_csv, &o);
    CHECK(ds->train.n == 2 && !strcmp(ds->train.text[0], "a,b") && ds->train.label[0] == 1);
    rnn_dataset_free(ds);

    /* Numeric labels sort as numbers (as pandas would read them), others by code point. */
    const char *num = "text,label\na,10\nb,2\nc,1\nd,2\n";
    o = opts_for(test_write("num.csv", num, strlen(num)));
    ds = load_ok(rnn_load_csv, &o);
    CHECK(ds->n_classes == 3 && !strcmp(ds->class_names[0], "1") &&
          !strcmp(ds->class_names[1], "2") && !strcmp(ds->class_names[2], "10"));
    CHECK(ds->train.label[0] == 2 && ds->train.label[1] == 1 && ds->train.label[2] == 0);
    rnn_dataset_free(ds);
    const char *mixed = "text,label\na,10\nb,2\nc,x\n";
    o = opts_for(test_write("mixed.csv", mixed, strlen(mixed)));
    ds = load_ok(rnn_load_csv, &o);
    CHECK(!strcmp(ds->class_names[0], "10") && !strcmp(ds->class_names[1], "2") &&
          !strcmp(ds->class_names[2], "x"));
    rnn_dataset_free(ds);
}

static void test_csv_splits(void)
{
    char big[8192] = "text,label\n";
    for (int i = 0; i < 40; i++)
        snprintf(big + strlen(big), sizeof big - strlen(big), "text %d,%s\n", i,
                 i % 3 ? "pos" : "neg");
    const char *train = test_write("train.csv", big, strlen(big));
    const char *test = test_write_str("test.csv", "label,text\nneutral,t1\npos,t2\n");

    rnn_load_opts o = opts_for(train);
    o.test_path = test;
    rnn_dataset *ds = load_ok(rnn_load_csv, &o);
    CHECK(ds->train.n == 40 && ds->test.n == 2 && ds->n_classes == 3);
    CHECK(!strcmp(ds->class_names[1], "neutral") && ds->test.label[0] == 1 && ds->test.label[1] == 2);
    CHECK_TEXT(ds->train.text[39], "text 39");
    rnn_dataset_free(ds);

    /* test_split: int(40 * 0.75) = 30 train texts; the default seed is 42; nothing lost. */
    o = opts_for(train);
    o.test_split = 0.25;
    rnn_dataset *a = load_ok(rnn_load_csv, &o);
    o.seed = 42;
    rnn_dataset *b = load_ok(rnn_load_csv, &o);
    o.seed = 7;
    rnn_dataset *c = load_ok(rnn_load_csv, &o);
    CHECK(a->train.n == 30 && a->test.n == 10);
    bool same_ab = true, same_ac = true;
    int seen[40] = { 0 };
    for (size_t i = 0; i < 30; i++) {
        same_ab &= !strcmp(a->train.text[i], b->train.text[i]);
        same_ac &= !strcmp(a->train.text[i], c->train.text[i]);
        int k = atoi(a->train.text[i] + 5);
        seen[k]++;
        CHECK(a->train.label[i] == (k % 3 ? 1 : 0));
    }
    for (size_t i = 0; i < 10; i++) {
        int k = atoi(a->test.text[i] + 5);
        seen[k]++;
        CHECK(a->test.label[i] == (k % 3 ? 1 : 0));
    }
    for (int k = 0; k < 40; k++)
        CHECK(seen[k] == 1);
    CHECK(same_ab && !same_ac);
    rnn_dataset_free(a);
    rnn_dataset_free(b);
    rnn_dataset_free(c);
}

/* Malformed CSV files: file name, contents, where the message points, what it says (RNN_EDATA). */
static const struct { const char *name, *csv, *where, *says; } bad_csv[] = {
    {"quote.csv", "text,label\na,pos\n\"never\nclosed,neg\nb,pos\n", "quote.csv:3:", "unterminated quote"},
    {"width.csv", "text,label,x\n\"multi\nline\",pos,1\nb,neg\n", "width.csv:4:", "2 fields, but the header has 3"},
    {"width2.csv", "text,label\na,pos,extra\n", "width2.csv:2:", "3 fields"},
    {"empty.csv", "", "empty.csv", "empty file"},
    {"header.csv", "text,label\n\n", "header.csv", "no data rows"},
    {"one.csv", "text,label\na,pos\nb,pos\n", "one.csv", "a single class ('pos')"},
    {"nolabel.csv", "text,label\na,pos\nb,\n", "nolabel.csv:3", "empty label"},
};

static void expect_csv_errors(void)
{
    for (size_t i = 0; i < sizeof bad_csv / sizeof *bad_csv; i++) {
        rnn_load_opts o = opts_for(test_write_str(bad_csv[i].name, bad_csv[i].csv));
        EXPECT_ERROR(rnn_load_csv, &o, RNN_EDATA, bad_csv[i].where, bad_csv[i].says);
    }
}

static void test_csv_errors(void)
{
    rnn_load_opts o = opts_for(test_path("absent.csv"));
    EXPECT_ERROR(rnn_load_csv, &o, RNN_ENOINPUT, "absent.csv", "No such file");
    o = opts_for(NULL);
    EXPECT_ERROR(rnn_load_csv, &o, RNN_EUSAGE, NULL, "needs a FILE");

    o = opts_for(test_write_str("cols.csv", "id,review,sentiment\n1,a,b\n"));
    o.text_col = "text";
    o.label_col = "sentiment";
    EXPECT_ERROR(rnn_load_csv, &o, RNN_EDATA, "cols.csv", "no column 'text' for text= "
                 "(columns: id, review, sentiment)");
    o.text_col = "review";
    o.label_col = "3"; /* index out of range */
    EXPECT_ERROR(rnn_load_csv, &o, RNN_EDATA, "cols.csv", "no column '3' for label=");

    expect_csv_errors();

    /* Invalid UTF-8 refuses nothing: each invalid sequence becomes U+FFFD, in texts, labels and
     * the header alike (no replaced byte is a quote, delimiter or line end), and is counted. */
    o = opts_for(test_write_str("utf8.csv", "te\xFFxt,label\nok,pos\n\"bad \xC3\x28 \xE2\x82\",n\xC0g\n"));
    o.text_col = "te\xEF\xBF\xBDxt";
    rnn_dataset *ds = load_ok(rnn_load_csv, &o);
    CHECK(ds->n_invalid_utf8 == 4 && ds->train.n == 2 && ds->n_classes == 2);
    CHECK(!strcmp(ds->class_names[0], "n\xEF\xBF\xBDg") && !strcmp(ds->class_names[1], "pos"));
    CHECK_TEXT(ds->train.text[1], "bad \xEF\xBF\xBD( \xEF\xBF\xBD");
    rnn_dataset_free(ds);

    o = opts_for(test_write("nul.csv", "text,label\na\0b,pos\n", 19));
    EXPECT_ERROR(rnn_load_csv, &o, RNN_EDATA, "nul.csv:2", "NUL byte");

    const char *good = test_write_str("good.csv", "text,label\na,pos\nb,neg\nc,pos\nd,neg\n");
    o = opts_for(good);
    o.test_path = test_write_str("badtest.csv", "body,label\nx,pos\n");
    EXPECT_ERROR(rnn_load_csv, &o, RNN_EDATA, "badtest.csv", "no column 'text'");
    o.test_path = test_path("missing-test.csv");
    EXPECT_ERROR(rnn_load_csv, &o, RNN_ENOINPUT, "missing-test.csv", "No such file");
    o.test_path = good;
    o.test_split = 0.5;
    EXPECT_ERROR(rnn_load_csv, &o, RNN_EUSAGE, NULL, "cannot be combined");
    o = opts_for(good);
    o.test_split = 1.5;
    EXPECT_ERROR(rnn_load_csv, &o, RNN_EUSAGE, NULL, "test_split");
    o = opts_for(test_dir);
    EXPECT_ERROR(rnn_load_csv, &o, RNN_ENOINPUT, test_dir, "folder");
}

static void test_dir_loader(void)
{
    /* Flat layout: class folders, hidden files and folders skipped, top-level files ignored. */
    test_write_str("flat/pos/b.txt", "pos b");
    test_write_str("flat/pos/a.txt", "pos a");
    test_write_str("flat/pos/c10.txt", "pos c10");
    test_write_str("flat/pos/c2.txt", "pos c2\nsecond line\n");
    test_write_str("flat/pos/.hidden", "hidden");
    test_write_str("flat/neg/z.txt", "neg z");
    test_write_str("flat/neg/empty.txt", "");
    test_write_str("flat/.git/x.txt", "not a class");
    test_write_str("flat/README", "not a class either");
    mkdir(test_path("flat/neg/subfolder"), 0777);
    rnn_load_opts o = opts_for(test_path("flat"));
    rnn_dataset *ds = load_ok(rnn_load_dir, &o);
    CHECK(!strcmp(ds->name, "dir") && ds->n_classes == 2 && !strcmp(ds->class_names[0], "neg"));
    CHECK(ds->train.n == 6 && ds->test.n == 0);
    static const char *want[] = { "", "neg z", "pos a", "pos b", "pos c10", "pos c2\nsecond line\n" };
    for (size_t i = 0; i < 6 && i < ds->train.n; i++) {
        CHECK_TEXT(ds->train.text[i], want[i]);
        CHECK(ds->train.label[i] == (i < 2 ? 0 : 1));
    }
    rnn_dataset_free(ds);
    o.test_split = 0.5;
    ds = load_ok(rnn_load_dir, &o);
    CHECK(ds->train.n == 3 && ds->test.n == 3);
    rnn_dataset_free(ds);

    /* train/ and test/ layout; a class present only in test still counts. */
    test_write_str("split/train/neg/1.txt", "tn1");
    test_write_str("split/train/pos/1.txt", "tp1");
    test_write_str("split/train/pos/2.txt", "tp2");
    test_write_str("split/test/neg/1.txt", "sn1");
    test_write_str("split/test/unsure/1.txt", "su1");
    test_write_str("split/README", "ignored");
    o = opts_for(test_path("split"));
    ds = load_ok(rnn_load_dir, &o);
    CHECK(ds->n_classes == 3 && !strcmp(ds->class_names[2], "unsure"));
    CHECK(ds->train.n == 3 && ds->test.n == 2);
    CHECK(!strcmp(ds->train.text[2], "tp2") && ds->train.label[2] == 1);
    CHECK(!strcmp(ds->test.text[1], "su1") && ds->test.label[1] == 2);
    rnn_dataset_free(ds);
    o.test_split = 0.2;
    EXPECT_ERROR(rnn_load_dir, &o, RNN_EUSAGE, "split", "test/");

    /* Symbolic links to a class folder and to a file are followed; a dangling one is skipped. */
    mkdir(test_path("links"), 0777);
    mkdir(test_path("links/other"), 0777);
    CHECK(symlink(test_path("flat/pos"), test_path("links/linked")) == 0);
    CHECK(symlink(test_path("flat/neg/z.txt"), test_path("links/other/z.txt")) == 0);
    CHECK(symlink(test_path("flat/neg/none.txt"), test_path("links/other/dangling.txt")) == 0);
    o = opts_for(test_path("links"));
    ds = load_ok(rnn_load_dir, &o);
    CHECK(ds->n_classes == 2 && !strcmp(ds->class_names[0], "linked") && ds->train.n == 5);
    CHECK(ds->train.n == 5 && !strcmp(ds->train.text[4], "neg z") && ds->train.label[4] == 1);
    rnn_dataset_free(ds);

    /* Folder names sort by code point, as Keras's text_dataset_from_directory: "10" before "2". */
    test_write_str("numbered/2/a.txt", "two");
    test_write_str("numbered/10/a.txt", "ten");
    o = opts_for(test_path("numbered"));
    ds = load_ok(rnn_load_dir, &o);
    CHECK(!strcmp(ds->class_names[0], "10") && !strcmp(ds->class_names[1], "2"));
    CHECK(!strcmp(ds->train.text[0], "ten") && ds->train.label[0] == 0);
    rnn_dataset_free(ds);

    o = opts_for(test_path("nowhere"));
    EXPECT_ERROR(rnn_load_dir, &o, RNN_ENOINPUT, "nowhere", "No such file");
    o = opts_for(test_path("flat/README"));
    EXPECT_ERROR(rnn_load_dir, &o, RNN_ENOINPUT, "README", "not a folder");
    mkdir(test_path("bare"), 0777);
    test_write_str("bare/file.txt", "x");
    o = opts_for(test_path("bare"));
    EXPECT_ERROR(rnn_load_dir, &o, RNN_EDATA, "bare", "no class sub-folders");
    test_write_str("single/only/a.txt", "x");
    o = opts_for(test_path("single"));
    EXPECT_ERROR(rnn_load_dir, &o, RNN_EDATA, "single", "a single class folder ('only')");
    mkdir(test_path("hollow"), 0777);
    mkdir(test_path("hollow/a"), 0777);
    mkdir(test_path("hollow/b"), 0777);
    o = opts_for(test_path("hollow"));
    EXPECT_ERROR(rnn_load_dir, &o, RNN_EDATA, "hollow", "empty data set");
    test_write_str("badutf/a/1.txt", "fine");
    test_write_str("badutf/b\xFF/2.txt", "not \xED\xA0\x80 fine"); /* an encoded surrogate */
    o = opts_for(test_path("badutf"));
    ds = load_ok(rnn_load_dir, &o);
    CHECK(ds->n_invalid_utf8 == 4 && ds->n_classes == 2 && !strcmp(ds->class_names[1], "b\xEF\xBF\xBD"));
    CHECK_TEXT(ds->train.text[1], "not \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD fine");
    rnn_dataset_free(ds);
    /* A device or pipe among the examples is refused by name (never read: /dev/zero has no end). */
    test_write_str("device/a/1.txt", "fine");
    test_write_str("device/b/2.txt", "fine too");
    if (symlink("/dev/zero", test_path("device/b/zero.txt")) == 0) {
        o = opts_for(test_path("device"));
        EXPECT_ERROR(rnn_load_dir, &o, RNN_EDATA, "zero.txt", "not a regular file");
    }
    /* A file over RNN_MEMBER_LIMIT is refused before it is read. */
    test_write_str("huge/a/1.txt", "fine");
    test_write_str("huge/b/2.txt", "");
    if (truncate(test_path("huge/b/2.txt"), (off_t)RNN_MEMBER_LIMIT + 1) == 0) {
        o = opts_for(test_path("huge"));
        EXPECT_ERROR(rnn_load_dir, &o, RNN_EDATA, "2.txt", "more than the 64.0 MB limit for one file");
    }
    o = opts_for(NULL);
    EXPECT_ERROR(rnn_load_dir, &o, RNN_EUSAGE, NULL, "needs a folder");
}

static void test_lines_loader(void)
{
    const char *spam = test_write_str("spam.txt", "win money\r\n\r\nfree prize\n   \nclick\n");
    const char *ham = test_write_str("ham.txt", "see you at 5\nok");
    const char *classes[] = { "spam", "ham" }, *files[] = { spam, ham };
    rnn_load_opts o = opts_for(NULL);
    o.n_lines = 2;
    o.line_classes = classes;
    o.line_files = files;
    rnn_dataset *ds = load_ok(rnn_load_lines, &o);
    CHECK(!strcmp(ds->name, "lines") && ds->n_classes == 2);
    CHECK(!strcmp(ds->class_names[0], "ham") && !strcmp(ds->class_names[1], "spam"));
    CHECK(ds->train.n == 5 && ds->test.n == 0);
    static const char *want[] = { "win money", "free prize", "click", "see you at 5", "ok" };
    for (size_t i = 0; i < 5 && i < ds->train.n; i++) {
        CHECK_TEXT(ds->train.text[i], want[i]);
        CHECK(ds->train.label[i] == (i < 3 ? 1 : 0));
    }
    rnn_dataset_free(ds);
    o.test_split = 0.4; /* int(5 * 0.6) = 3 train */
    ds = load_ok(rnn_load_lines, &o);
    CHECK(ds->train.n == 3 && ds->test.n == 2);
    rnn_dataset_free(ds);

    o = opts_for(NULL);
    EXPECT_ERROR(rnn_load_lines, &o, RNN_EUSAGE, NULL, "CLASS=FILE");
    const char *missing[] = { spam, test_path("gone.txt") };
    o.n_lines = 2;
    o.line_classes = classes;
    o.line_files = missing;
    EXPECT_ERROR(rnn_load_lines, &o, RNN_ENOINPUT, "gone.txt", "No such file");
    const char *blank[] = { spam, test_write_str("blank.txt", "\n  \r\n") };
    o.line_files = blank;
    EXPECT_ERROR(rnn_load_lines, &o, RNN_EDATA, "blank.txt", "no non-blank lines");
    const char *bad[] = { spam, test_write_str("bad.txt", "fine\nbroken \xF8 here\n") };
    const char *bad_classes[] = { "spam", "h\xE2\x82m" };
    o.line_files = bad;
    o.line_classes = bad_classes;
    ds = load_ok(rnn_load_lines, &o);
    CHECK(ds->n_invalid_utf8 == 2 && !strcmp(ds->class_names[0], "h\xEF\xBF\xBDm"));
    CHECK_TEXT(ds->train.text[4], "broken \xEF\xBF\xBD here");
    rnn_dataset_free(ds);
    o.line_classes = classes;
    const char *nul[] = { spam, test_write("nul.txt", "fine\nnul\0 here\n", 15) };
    o.line_files = nul;
    EXPECT_ERROR(rnn_load_lines, &o, RNN_EDATA, "nul.txt:2", "NUL byte");
    /* A line over RNN_LINE_LIMIT stops the reading there (/dev/zero ends as soon). */
    char *longline = malloc(RNN_LINE_LIMIT + 2);
    memset(longline, 'a', RNN_LINE_LIMIT + 1);
    longline[RNN_LINE_LIMIT + 1] = '\n';
    const char *too_long[] = { spam, test_write("long.txt", longline, RNN_LINE_LIMIT + 2) };
    free(longline);
    o.line_files = too_long;
    EXPECT_ERROR(rnn_load_lines, &o, RNN_EDATA, "long.txt:1", "line longer than 16.0 MB (the line limit");
    const char *zero[] = { spam, "/dev/zero" };
    o.line_files = zero;
    EXPECT_ERROR(rnn_load_lines, &o, RNN_EDATA, "/dev/zero:1", "the line limit");
    const char *same[] = { "spam", "spam" };
    o.line_classes = same;
    o.line_files = files;
    EXPECT_ERROR(rnn_load_lines, &o, RNN_EDATA, NULL, "a single class ('spam')");
    const char *noname[] = { "spam", "" };
    o.line_classes = noname;
    EXPECT_ERROR(rnn_load_lines, &o, RNN_EUSAGE, NULL, "pair 2");
}

int main(void)
{
    test_setup();
    test_csv_parsing();
    test_csv_delimiters_and_classes();
    test_csv_splits();
    test_csv_errors();
    test_dir_loader();
    test_lines_loader();
    return check_finish("test_loaders");
}
