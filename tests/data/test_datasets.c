/* Loaders on the real data sets (skipped without $RNNLAB_TEST_DATA): IMDB order, stats and vocabulary
 * as the seeds; SMS cleaning and split; the demo set; and bad input: missing files, a truncated archive,
 * invalid UTF-8, an empty data set. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rnnlab/data.h"
#include "rnnlab/text.h"
#include "data/data_internal.h"
#include "data/io_internal.h"

#include "tests/check.h"

static char tmpdir[256];

static void write_file(const char *name, const void *data, size_t n)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
}

static void test_demo(void)
{
    rnn_load_opts o = {.seed = -1, .test_split = -1};
    rnn_dataset *a, *b;
    rnn_error err;
    CHECK(rnn_load_demo(&o, &a, &err) == 0, "%s", err.msg);
    CHECK(rnn_load_demo(&o, &b, &err) == 0, "%s", err.msg);
    CHECK(a->train.n == 2000 && a->test.n == 500, "demo sizes %zu/%zu", a->train.n, a->test.n);
    CHECK(strcmp(a->train.text[7], b->train.text[7]) == 0, "demo is not deterministic");
    size_t counts[2];
    rnn_split_class_counts(a, &a->train, counts);
    CHECK(counts[0] > 900 && counts[1] > 900, "demo classes %zu/%zu", counts[0], counts[1]);
    printf("demo: %s -> %s\n", a->train.text[0], a->class_names[a->train.label[0]]);
    rnn_dataset_free(a);
    rnn_dataset_free(b);
}

/* Tokenizer misuse and damaged save files: clear errors, no crash. */
static void test_tokenizer_errors(void)
{
    rnn_error err;
    rnn_tokenizer *t = rnn_tokenizer_new(NULL), *back = NULL;
    rnn_seqs s;
    int32_t *ids;
    size_t len;
    char *texts[] = {"the movie was good", "the movie was not good"};
    CHECK(rnn_tokenizer_encode(t, "x", &ids, &len, &err) == RNN_EUSAGE, "encode before fit: %s", err.msg);
    CHECK(rnn_tokenizer_encode_all(t, texts, 2, &s, &err) == RNN_EUSAGE, "encode_all before fit");
    printf("encode before fit: %s\n", err.msg);
    CHECK(rnn_tokenizer_fit(t, texts, 2, &err) == 0 && rnn_tokenizer_size(t) == 5, "fit");
    CHECK(rnn_tokenizer_index(t, "the") == 1 && rnn_tokenizer_index(t, "not") == 5, "ranks");
    FILE *f = tmpfile();
    CHECK(rnn_tokenizer_write(t, f, &err) == 0, "%s", err.msg);
    long size = ftell(f);
    for (long cut = 0; cut < size; cut += 7) { /* every truncation of the save file is refused */
        rewind(f);
        char buf[4096];
        size_t n = fread(buf, 1, (size_t)cut, f);
        FILE *g = tmpfile();
        fwrite(buf, 1, n, g);
        rewind(g);
        CHECK(rnn_tokenizer_read(&back, g, &err) == RNN_EDATA && back == NULL, "truncated save at %ld", cut);
        fclose(g);
    }
    fclose(f);
    rnn_tokenizer_free(t);
}

static void test_bad_input(const char *data)
{
    rnn_error err;
    rnn_dataset *ds;
    char p[512], cmd[1024];
    rnn_load_opts o = {.seed = -1, .test_split = -1, .path = "/nonexistent/aclImdb_v1.tar.gz"};
    CHECK(rnn_load_imdb(&o, &ds, &err) == RNN_ENOINPUT && ds == NULL, "missing file: %s", err.msg);
    printf("missing file: %s\n", err.msg);
    o.path = NULL;
    o.data_dir = tmpdir;
    o.allow_download = false;
    CHECK(rnn_load_sms(&o, &ds, &err) == RNN_ENOINPUT, "absent, no download: %s", err.msg);
    printf("absent: %s\n", err.msg);

    /* Invalid UTF-8 in a bare SMS file: U+FFFD, counted, nothing refused or dropped (also when
     * clean=true then drops it with the rest of the non-ASCII). */
    static const char bad_utf8[] = "ham\tok\nham\tbad \xC3\x28 here\nspam\t\xFF\n";
    write_file("SMSSpamCollection", bad_utf8, strlen(bad_utf8));
    o.path = tmpdir;
    o.test_split = 0;
    CHECK(rnn_load_sms(&o, &ds, &err) == RNN_OK && ds->n_invalid_utf8 == 2 && ds->train.n == 3
          && !strcmp(ds->train.text[1], "bad \xEF\xBF\xBD( here"), "%s", err.msg);
    rnn_dataset_free(ds);
    o.clean = true;
    CHECK(rnn_load_sms(&o, &ds, &err) == RNN_OK && ds->n_invalid_utf8 == 2 && ds->train.n == 3
          && !strcmp(ds->train.text[1], "bad here"), "%s", err.msg);
    rnn_dataset_free(ds);
    o.clean = false;
    o.test_split = -1;
    /* Overlong and surrogate encodings are invalid too, as in Python. */
    CHECK(rnn_utf8_valid_prefix("a\xC0\xAF", 3) == 1 && rnn_utf8_valid_prefix("\xED\xA0\x80", 3) == 0
          && rnn_utf8_valid_prefix("\xF4\x90\x80\x80", 4) == 0 && rnn_utf8_valid_prefix("\xE2\x82", 2) == 0
          && rnn_utf8_valid_prefix("\xF0\x9F\x98\x80", 4) == 4, "UTF-8 validation");
    write_file("SMSSpamCollection", "\n  \n", 4);
    CHECK(rnn_load_sms(&o, &ds, &err) == RNN_EDATA && strstr(err.msg, "empty"), "%s", err.msg);
    printf("empty: %s\n", err.msg);
    write_file("SMSSpamCollection", "ham\tok\nmaybe\tx\n", 15);
    CHECK(rnn_load_sms(&o, &ds, &err) == RNN_EDATA && strstr(err.msg, "line 2"), "%s", err.msg);
    printf("bad label: %s\n", err.msg);
    snprintf(p, sizeof p, "%s/SMSSpamCollection", tmpdir);
    unlink(p);

    if (!data)
        return;
    /* Truncated archives: cut in the middle of the gzip stream, and a zip cut short. */
    snprintf(cmd, sizeof cmd, "head -c 5000000 '%s/aclImdb_v1.tar.gz' > '%s/cut.tar.gz'", data, tmpdir);
    CHECK(system(cmd) == 0, "head failed");
    snprintf(p, sizeof p, "%s/cut.tar.gz", tmpdir);
    o.path = p;
    CHECK(rnn_load_imdb(&o, &ds, &err) == RNN_EDATA && ds == NULL, "truncated tar.gz: %s", err.msg);
    printf("truncated tar.gz: %s\n", err.msg);
    unlink(p);
    snprintf(cmd, sizeof cmd, "head -c 100000 '%s/smsspamcollection.zip' > '%s/cut.zip'", data, tmpdir);
    CHECK(system(cmd) == 0, "head failed");
    snprintf(p, sizeof p, "%s/cut.zip", tmpdir);
    CHECK(rnn_load_sms(&o, &ds, &err) == RNN_EDATA && ds == NULL, "truncated zip: %s", err.msg);
    printf("truncated zip: %s\n", err.msg);
    unlink(p);
}

static void test_sms(const char *data)
{
    rnn_load_opts o = {.seed = -1, .test_split = -1, .clean = true, .data_dir = data};
    rnn_dataset *ds;
    rnn_error err;
    CHECK(rnn_load_sms(&o, &ds, &err) == 0, "%s", err.msg);
    if (!ds)
        return;
    CHECK(ds->train.n == 4459 && ds->test.n == 1115, "split %zu/%zu", ds->train.n, ds->test.n);
    size_t counts[2];
    rnn_split_class_counts(ds, &ds->train, counts);
    size_t tc[2];
    rnn_split_class_counts(ds, &ds->test, tc);
    CHECK(counts[0] + tc[0] == 4827 && counts[1] + tc[1] == 747, "ham/spam %zu/%zu", counts[0] + tc[0],
          counts[1] + tc[1]);
    char **all = malloc((ds->train.n + ds->test.n) * sizeof *all);
    memcpy(all, ds->train.text, ds->train.n * sizeof *all);
    memcpy(all + ds->train.n, ds->test.text, ds->test.n * sizeof *all);
    rnn_tokenizer *t = rnn_tokenizer_new(NULL);
    CHECK(rnn_tokenizer_fit(t, all, ds->train.n + ds->test.n, &err) == 0, "%s", err.msg);
    CHECK(rnn_tokenizer_size(t) == 8629, "SMS clean vocabulary %zu, Keras has 8629", rnn_tokenizer_size(t));
    printf("sms clean: %zu words, split %zu/%zu, first train text: %s\n", rnn_tokenizer_size(t), ds->train.n,
           ds->test.n, ds->train.text[0]);
    rnn_tokenizer_free(t);
    free(all);
    rnn_dataset_free(ds);
}

static void test_imdb(const char *data)
{
    rnn_load_opts o = {.seed = -1, .test_split = -1, .data_dir = data};
    rnn_dataset *ds;
    rnn_error err;
    CHECK(rnn_load_imdb(&o, &ds, &err) == 0, "%s", err.msg);
    if (!ds)
        return;
    CHECK(ds->train.n == 25000 && ds->test.n == 25000, "sizes %zu/%zu", ds->train.n, ds->test.n);
    static const double pcts[] = {0.25, 0.5, 0.75, 0.95, 0.99};
    rnn_describe d;
    CHECK(rnn_describe_lengths(ds->train.text, ds->train.n, pcts, 5, &d, &err) == 0, "%s", err.msg);
    printf("imdb train lengths: count %zu mean %.4f std %.6f min %g 25%% %g 50%% %g 75%% %g 95%% %g 99%% %g max %g\n",
           d.count, d.mean, d.std, d.min, d.value[0], d.value[1], d.value[2], d.value[3], d.value[4], d.max);
    CHECK(d.count == 25000 && fabs(d.mean - 233.7872) < 5e-5 && fabs(d.std - 173.733032) < 5e-7 && d.min == 10
          && d.value[0] == 127 && d.value[1] == 174 && d.value[2] == 284 && d.value[3] == 598
          && d.value[4] == 913 && d.max == 2470, "describe differs from pandas' figures");
    /* The order equals peer_torch.py's (numpy RandomState(113)); the label sequence pins it. */
    unsigned h = 0;
    for (size_t i = 0; i < 32; i++)
        h = h * 2 + (unsigned)ds->train.label[i];
    printf("first 32 train labels: %08x, first review starts: %.60s\n", h, ds->train.text[0]);
    CHECK(h == 0x6d5f2d36 && strncmp(ds->train.text[0], "Hi folks<br /><br />Forget", 26) == 0
          && strncmp(ds->test.text[0], "This is an excellent movie", 26) == 0, "order differs from peer_torch.py");
    rnn_tokenizer_opts to;
    rnn_tokenizer_opts_default(&to);
    to.num_words = 20000;
    to.oov_token = "[OOV]";
    rnn_tokenizer *t = rnn_tokenizer_new(&to);
    CHECK(rnn_tokenizer_fit(t, ds->train.text, ds->train.n, &err) == 0, "%s", err.msg);
    int32_t *ids;
    size_t len;
    CHECK(rnn_tokenizer_encode(t, "Hello World", &ids, &len, &err) == 0 && len == 2, "encode");
    if (len == 2) {
        printf("encode 'Hello World' -> [%d, %d] (hello count %llu)\n", ids[0], ids[1],
               (unsigned long long)rnn_tokenizer_count(t, ids[0]));
        CHECK(ids[0] >= 4802 && ids[0] <= 4844 && ids[1] == 180, "Hello World -> [%d, %d]", ids[0], ids[1]);
    }
    free(ids);
    rnn_tokenizer_free(t);
    rnn_dataset_free(ds);
}

/* load imdb path=PATH with gzip inflated by ISA-L (fast) or by libarchive. */
static int load_imdb_gz(const char *path, bool fast, rnn_dataset **ds, rnn_error *err)
{
    rnn_load_opts o = {.seed = -1, .test_split = -1, .path = path};
    rnn_archive_fast_gzip = fast;
    int rc = rnn_load_imdb(&o, ds, err);
    rnn_archive_fast_gzip = true;
    return rc;
}

static bool same_split(const rnn_split *a, const rnn_split *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (a->label[i] != b->label[i] || strcmp(a->text[i], b->text[i]) != 0)
            return false;
    return true;
}

/* Both ways of reading a gzip file give the same error (every member read: the count is in it). */
static void check_gz_same(const char *name, const char *expect)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    rnn_dataset *ds = NULL;
    rnn_error fast, lib;
    int rf = load_imdb_gz(p, true, &ds, &fast), rl = load_imdb_gz(p, false, &ds, &lib);
    CHECK(rf == RNN_EDATA && rl == RNN_EDATA && strstr(fast.msg, expect) && strcmp(fast.msg, lib.msg) == 0,
          "%s: ISA-L %d '%s', libarchive %d '%s'", name, rf, fast.msg, rl, lib.msg);
    printf("%s: %s\n", name, fast.msg);
}

/* gzip archives through ISA-L (where built with it): the texts of libarchive's zlib, members of
 * several gzip members, and damage found. */
static void test_gzip(const char *data)
{
    printf("gzip archives inflated by: %s\n", rnn_data_gzip_reader());
    char cmd[2048], p[512];
    /* three reviews in train/neg; a second copy cut after its first three tar blocks, each part a
     * gzip member of its own (gzip -d reads the two as one stream) */
    snprintf(cmd, sizeof cmd, "cd '%s' && mkdir -p aclImdb/train/neg && for i in 0 1 2; do "
             "printf 'review %%s, good' $i > aclImdb/train/neg/${i}_1.txt; done && tar cf small.tar aclImdb && "
             "gzip -c small.tar > one.tar.gz && head -c 1536 small.tar | gzip -c > two.tar.gz && "
             "tail -c +1537 small.tar | gzip -c >> two.tar.gz && head -c 40 one.tar.gz > cut.tar.gz && "
             "cp one.tar.gz crc.tar.gz && size=$(wc -c < crc.tar.gz) && "
             "printf 'X' | dd of=crc.tar.gz bs=1 seek=$((size - 8)) conv=notrunc 2>/dev/null", tmpdir);
    CHECK(system(cmd) == 0, "making the gzip fixtures failed");
    check_gz_same("one.tar.gz", "train/neg has 3 reviews");
    check_gz_same("two.tar.gz", "train/neg has 3 reviews");
    rnn_dataset *ds = NULL;
    rnn_error err;
    snprintf(p, sizeof p, "%s/cut.tar.gz", tmpdir);
    CHECK(load_imdb_gz(p, true, &ds, &err) == RNN_EDATA && ds == NULL && strstr(err.msg, "truncated"),
          "cut gzip: %s", err.msg);
    printf("cut.tar.gz: %s\n", err.msg);
#ifdef HAVE_ISAL
    snprintf(p, sizeof p, "%s/crc.tar.gz", tmpdir);
    CHECK(load_imdb_gz(p, true, &ds, &err) == RNN_EDATA && ds == NULL && strstr(err.msg, "checksum"),
          "gzip with a wrong checksum: %s", err.msg);
    printf("crc.tar.gz: %s\n", err.msg);
#endif
    if (!data)
        return;
    rnn_dataset *a = NULL, *b = NULL;
    snprintf(p, sizeof p, "%s/aclImdb_v1.tar.gz", data);
    CHECK(load_imdb_gz(p, true, &a, &err) == 0, "%s", err.msg);
    CHECK(load_imdb_gz(p, false, &b, &err) == 0, "%s", err.msg);
    CHECK(a && b && same_split(&a->train, &b->train) && same_split(&a->test, &b->test),
          "IMDB read through ISA-L differs from libarchive's");
    rnn_dataset_free(a);
    rnn_dataset_free(b);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rnnlab-test-data-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 99;
    const char *data = getenv("RNNLAB_TEST_DATA");
    char p[1024];
    snprintf(p, sizeof p, "%s/aclImdb_v1.tar.gz", data ? data : "");
    if (data && access(p, R_OK) != 0)
        data = NULL;
    test_demo();
    test_tokenizer_errors();
    test_bad_input(data);
    test_gzip(data);
    if (data) {
        test_sms(data);
        test_imdb(data);
    }
    snprintf(p, sizeof p, "rm -rf '%s'", tmpdir);
    if (system(p) != 0)
        failures++;
    if (failures) {
        printf("%d checks failed\n", failures);
        return 1;
    }
    if (!data) {
        printf("data sets not found ($RNNLAB_TEST_DATA): only the demo and bad-input checks ran\n");
        return 77;
    }
    return 0;
}
