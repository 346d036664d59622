/* Data sets: loading labelled texts from IMDB, SMS, CSV, folders, line files and the demo set. */
#ifndef RNNLAB_DATA_H
#define RNNLAB_DATA_H
#include "rnnlab/common.h"

/* One split: n texts (NUL-terminated UTF-8, validated) with class labels 0..n_classes-1. */
typedef struct rnn_split {
    size_t n;
    char **text;
    int *label;
} rnn_split;

typedef struct rnn_dataset {
    char name[64];          /* "imdb", "sms", "csv", "dir", "lines", "demo" */
    char source[4096];      /* file or folder it was read from ("built-in" for demo) */
    int n_classes;
    char **class_names;     /* n_classes names, e.g. {"neg","pos"} */
    rnn_split train, test;  /* test.n == 0 when the data set has no test part */
    /* When rnn_dataset_split_test made the test part: every text in the source's order (what a
     * tokenizer fitted before the split sees); otherwise NULL. */
    char **source_text;
    size_t n_source;
    /* Invalid UTF-8 sequences the loader replaced by U+FFFD (in texts, labels and class names). */
    size_t n_invalid_utf8;
    struct rnn_arena *arena;/* owns all strings; private */
} rnn_dataset;

/* Limits on what the loaders read, each named in the error that enforces it. */
#define RNN_LINE_LIMIT ((size_t)16 << 20)   /* bytes in one line of a CSV/TSV, line file or script */
#define RNN_MEMBER_LIMIT ((size_t)64 << 20) /* bytes in one file of load dir or one archive member */

/* Options for every loader; zero-initialise, then set what applies. */
typedef struct rnn_load_opts {
    const char *path;        /* explicit file/folder; NULL = look in data_dir, download if absent */
    const char *data_dir;    /* cache folder; NULL = rnn_data_dir() */
    long seed;               /* shuffle/split seed; <0 = loader default (imdb 113, sms 42) */
    double test_split;       /* fraction for test when the source has no test part; <0 = default */
    bool test_first;         /* with test_split: test is the first ceil(n * test_split) texts of the
                              * shuffled order and train the rest, as scikit-learn's train_test_split;
                              * false: train is the first int(n * (1 - test_split)), as numpy slicing */
    bool clean;              /* sms: drop non-ASCII, punctuation, digits; lower case */
    bool keep_order;         /* imdb: no shuffle: neg then pos, each in file-name order (sorted by
                              * label, as Hugging Face's stanfordnlp/imdb) */
    /* csv, dir: test_path is a second file or folder read as the test split */
    const char *text_col, *label_col, *test_path;
    bool keras_listing;      /* dir: the files as keras.utils.text_dataset_from_directory lists them:
                              * a class folder's .txt files (any case, hidden ones too) and those of
                              * its sub-folders (not of linked ones), the folders sorted by path and
                              * each one's files by name; then each split shuffled by numpy's
                              * RandomState(seed) (113 when seed < 0) unless keep_order */
    char delimiter;          /* 0 = ',' (or '\t' for .tsv) */
    /* lines: n_lines pairs class=file */
    int n_lines;
    const char *const *line_classes, *const *line_files;
    rnn_progress_fn progress; void *progress_user;
    bool allow_download;     /* false: fail with a clear message instead of downloading */
    bool refetch;            /* imdb/sms without path: download again, replacing the cached copy */
} rnn_load_opts;

/* The column names of a CSV/TSV file's header row, as `load csv` reads it (delimiter 0: ',' or
 * '\t' for .tsv): *names is malloc'd, each name too. */
int rnn_csv_columns(const char *path, char delimiter, char ***names, size_t *n, rnn_error *err);
/* Loads data set `kind` ("imdb", "sms", "csv", "dir", "lines", "demo"). On success *out is a new data set. */
int rnn_dataset_load(const char *kind, const rnn_load_opts *opts, rnn_dataset **out, rnn_error *err);
void rnn_dataset_free(rnn_dataset *ds);

/* Building blocks for loaders (src/data/dataset.c). */
rnn_dataset *rnn_dataset_new(const char *name, const char *source);
/* Adds class `name` if new; returns its index. */
int rnn_dataset_class(rnn_dataset *ds, const char *name);
/* Index of class `name`, or -1 when the data set has no such class. */
int rnn_dataset_find_class(const rnn_dataset *ds, const char *name);
/* Appends a copy of text[0..len) to split (0 = train, 1 = test), each invalid UTF-8 sequence
 * replaced by U+FFFD (counted in n_invalid_utf8). A NUL byte is an error (RNN_EDATA naming `where`). */
int rnn_dataset_add(rnn_dataset *ds, int split, const char *text, size_t len, int label,
                    const char *where, rnn_error *err);
/* Sorts class names and relabels (csv/dir/lines: "mapped to classes in sorted order"). */
void rnn_dataset_sort_classes(rnn_dataset *ds);
/* Shuffles a split in place with numpy's RandomState(seed).permutation order. */
void rnn_split_shuffle_numpy(rnn_split *s, unsigned long seed);
/* Moves `fraction` of train to test after a numpy-compatible shuffle with seed: the last part, or the
 * first (test_first, as scikit-learn's train_test_split; train keeps the shuffled order of the rest). */
int rnn_dataset_split_test(rnn_dataset *ds, double fraction, unsigned long seed, bool test_first, rnn_error *err);
/* Counts per class of a split into counts[n_classes]. */
void rnn_split_class_counts(const rnn_dataset *ds, const rnn_split *s, size_t *counts);

/* What inflates gzip archives (aclImdb_v1.tar.gz): "ISA-L" where rnnlab is built with it, else
 * "zlib (libarchive)". */
const char *rnn_data_gzip_reader(void);

/* Cache folder: --data-dir / RNNLAB_DATA / $XDG_CACHE_HOME/rnnlab/datasets / ~/.cache/rnnlab/datasets. */
const char *rnn_data_dir(void);
void rnn_set_data_dir(const char *dir);

/* Known downloadable data sets, for `datasets`. */
typedef struct rnn_dataset_info {
    const char *kind, *file, *url, *sha256, *description;
} rnn_dataset_info;
const rnn_dataset_info *rnn_known_datasets(size_t *n);

/* Downloads url to dest (atomically: dest.part then rename), checking SHA-256 if sha256 != NULL. */
int rnn_fetch(const char *url, const char *dest, const char *sha256,
              rnn_progress_fn progress, void *user, rnn_error *err);
/* Hex SHA-256 of a file into hex[65]. */
int rnn_sha256_file(const char *path, char hex[65], rnn_error *err);

#endif
