/* rnn_dataset_load: dispatch to every kind, defaults without options, unknown kinds. */
#include "config.h"
#include "testutil.h"
#include "rnnlab/data.h"

static void expect_usage(const char *kind, const char *needle)
{
    rnn_dataset *ds = (rnn_dataset *)1;
    rnn_error err = { 0 };
    int rc = rnn_dataset_load(kind, NULL, &ds, &err);
    CHECK_STATUS(rc, RNN_EUSAGE, &err);
    CHECK_MSG(&err, needle);
    CHECK_MSG(&err, "known: imdb, sms, csv, dir, lines, demo");
    CHECK(ds == NULL);
}

int main(void)
{
    test_setup();
    rnn_error err = { 0 };
    rnn_dataset *ds = NULL;

    expect_usage("mnist", "unknown data set 'mnist'");
    expect_usage("", "needs a data set kind");
    expect_usage(NULL, "needs a data set kind");
    expect_usage("CSV", "unknown data set 'CSV'");

    /* The built-in demo needs no options at all. */
    CHECK_STATUS(rnn_dataset_load("demo", NULL, &ds, &err), RNN_OK, &err);
    CHECK(ds && !strcmp(ds->name, "demo") && ds->train.n > 0 && ds->n_classes >= 2);
    rnn_dataset_free(ds);

    /* csv, dir and lines through the dispatcher. */
    rnn_load_opts o = { .seed = -1, .test_split = -1 };
    o.path = test_write_str("d.csv", "text,label\ngood,pos\nbad,neg\n");
    CHECK_STATUS(rnn_dataset_load("csv", &o, &ds, &err), RNN_OK, &err);
    CHECK(ds && !strcmp(ds->name, "csv") && ds->train.n == 2 && err.code == RNN_OK && !err.msg[0]);
    rnn_dataset_free(ds);
    test_write_str("folder/a/1.txt", "one");
    test_write_str("folder/b/2.txt", "two");
    o.path = test_path("folder");
    CHECK_STATUS(rnn_dataset_load("dir", &o, &ds, &err), RNN_OK, &err);
    CHECK(ds && !strcmp(ds->name, "dir") && ds->train.n == 2);
    rnn_dataset_free(ds);
    const char *classes[] = { "x", "y" };
    const char *files[] = { test_write_str("x.txt", "x1\nx2\n"), test_write_str("y.txt", "y1\n") };
    rnn_load_opts lo = { .seed = -1, .test_split = -1, .n_lines = 2, .line_classes = classes,
                         .line_files = files };
    CHECK_STATUS(rnn_dataset_load("lines", &lo, &ds, &err), RNN_OK, &err);
    CHECK(ds && !strcmp(ds->name, "lines") && ds->train.n == 3);
    rnn_dataset_free(ds);

    /* A loader's error comes back unchanged, with *out NULL. */
    ds = (rnn_dataset *)1;
    o.path = test_path("absent.csv");
    CHECK_STATUS(rnn_dataset_load("csv", &o, &ds, &err), RNN_ENOINPUT, &err);
    CHECK_MSG(&err, "absent.csv");
    CHECK(ds == NULL);

    /* The real archives, when the shared data folder is there. */
    const char *data = getenv("RNNLAB_TEST_DATA");
    char path[4096];
    if (data && *data) {
        snprintf(path, sizeof path, "%s/smsspamcollection.zip", data);
        if (test_exists(path)) {
            rnn_load_opts so = { .seed = -1, .test_split = -1, .path = path };
            CHECK_STATUS(rnn_dataset_load("sms", &so, &ds, &err), RNN_OK, &err);
            CHECK(ds && !strcmp(ds->name, "sms") && ds->train.n + ds->test.n == 5574);
            rnn_dataset_free(ds);
        }
    }
    return check_finish("test_load");
}
