/* IMDB (Large Movie Review Dataset v1.0): read aclImdb_v1.tar.gz directly with libarchive (streaming, no
 * extraction) or an extracted aclImdb/ folder. Order as keras_like.py / peer_torch.py: file names sorted
 * within neg then pos, then train and test each shuffled by one numpy RandomState(seed) (113 default);
 * keep_order skips the shuffle (sorted by label, as Hugging Face's stanfordnlp/imdb copy). */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include "data/data_internal.h"
#include "data/io_internal.h"

#define IMDB_PER_FOLDER 12500

static const char *const imdb_splits[2] = {"train", "test"};
static const char *const imdb_labels[2] = {"neg", "pos"};

/* One review before sorting: group = split * 2 + label. */
typedef struct imdb_review {
    const char *name;
    char *text;
    int group;
} imdb_review;

typedef struct imdb_reader {
    rnn_dataset *ds;
    imdb_review *reviews;
    size_t n, cap;
    size_t per_group[4];
    const char *source;
} imdb_reader;

static int reader_push(imdb_reader *r, const char *name, size_t name_len, char *text, int group)
{
    if (rnn_grow(&r->reviews, &r->cap, r->n + 1, sizeof *r->reviews))
        return RNN_EINTERNAL;
    const char *copy = rnn_arena_strndup(r->ds->arena, name, name_len);
    if (!copy)
        return RNN_EINTERNAL;
    r->reviews[r->n++] = (imdb_review){copy, text, group};
    r->per_group[group]++;
    return RNN_OK;
}

/* Group of "SPLIT/LABEL/NAME.txt" relative to the data set's root, or -1 for anything else
 * (README, imdb.vocab, train/unsup, *.feat, urls_*.txt). *name gets the file name. */
static int imdb_group(const char *rel, const char **name)
{
    for (int s = 0; s < 2; s++) {
        size_t sl = strlen(imdb_splits[s]);
        if (strncmp(rel, imdb_splits[s], sl) != 0 || rel[sl] != '/')
            continue;
        for (int l = 0; l < 2; l++) {
            const char *p = rel + sl + 1;
            if (strncmp(p, imdb_labels[l], 3) != 0 || p[3] != '/')
                continue;
            p += 4;
            size_t n = strlen(p);
            if (n <= 4 || strchr(p, '/') || strcmp(p + n - 4, ".txt") != 0)
                return -1;
            *name = p;
            return s * 2 + l;
        }
    }
    return -1;
}

static int compare_reviews(const void *a, const void *b)
{
    const imdb_review *x = a, *y = b;
    if (x->group != y->group)
        return x->group - y->group;
    return strcmp(x->name, y->name); /* Python's sorted() on str: code point order */
}

/* Checks the four folders, sorts, and moves the reviews into the data set's splits. */
static int reader_finish(imdb_reader *r, rnn_error *err)
{
    for (int g = 0; g < 4; g++)
        if (r->per_group[g] != IMDB_PER_FOLDER)
            return rnn_fail(err, RNN_EDATA, "%s: %s/%s has %zu review%s instead of %d (not the IMDB data set, "
                            "or damaged)", r->source, imdb_splits[g / 2], imdb_labels[g % 2], r->per_group[g],
                            r->per_group[g] == 1 ? "" : "s", IMDB_PER_FOLDER);
    qsort(r->reviews, r->n, sizeof *r->reviews, compare_reviews);
    for (size_t i = 0; i < r->n; i++) {
        int g = r->reviews[i].group;
        if (rnn_split_append(g < 2 ? &r->ds->train : &r->ds->test, r->reviews[i].text, g % 2))
            return rnn_fail(err, RNN_EINTERNAL, "out of memory loading IMDB");
    }
    return RNN_OK;
}

/* Reads the current archive member into the arena, NUL-terminated: straight there when its size is
 * recorded (checked against RNN_MEMBER_LIMIT first), else through t. */
static int tar_read_member(struct archive *a, struct archive_entry *e, rnn_arena *arena, const char *path,
                           const char *member, rnn_io_text *t, char **text, size_t *len, rnn_error *err)
{
    int64_t size;
    int rc = rnn_archive_member_size(e, path, member, &size, err);
    if (rc)
        return rc;
    if (size < 0) {
        if ((rc = rnn_archive_read_member(a, path, member, t, err)))
            return rc;
        if (!(*text = rnn_arena_strndup(arena, t->p, t->len)))
            return rnn_fail(err, RNN_EINTERNAL, "out of memory loading %s", path);
        *len = t->len;
        return RNN_OK;
    }
    char *p = rnn_arena_alloc(arena, (size_t)size + 1, 1);
    if (!p)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory loading %s", path);
    size_t got = 0;
    while (got < (size_t)size) {
        la_ssize_t k = archive_read_data(a, p + got, (size_t)size - got);
        if (k <= 0)
            return rnn_archive_damaged(a, path, member, "short read", err);
        got += (size_t)k;
    }
    p[got] = '\0';
    *text = p;
    *len = got;
    return RNN_OK;
}

static int imdb_read_tar(imdb_reader *r, const char *path, const rnn_load_opts *o, rnn_io_text *member,
                         rnn_error *err)
{
    struct archive *a = archive_read_new();
    if (!a)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory opening %s", path);
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    struct stat st;
    uint64_t total = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    int rc = RNN_OK;
    rnn_archive_source *src;
    if (rnn_archive_open_file(a, path, 1 << 20, &src) != ARCHIVE_OK) {
        char why[256];
        rc = rnn_fail(err, archive_errno(a) == ENOENT ? RNN_ENOINPUT : RNN_EDATA, "%s: cannot read: %s", path,
                      rnn_archive_error(a, "unknown error", why, sizeof why));
        archive_read_free(a);
        return rc;
    }
    struct archive_entry *e;
    size_t members = 0;
    for (;;) {
        int h = archive_read_next_header(a, &e);
        if (h == ARCHIVE_EOF)
            break;
        if (h < ARCHIVE_WARN) {
            char why[256];
            rc = rnn_fail(err, RNN_EDATA, "%s: damaged or truncated archive after %zu member%s (%s)", path,
                          members, members == 1 ? "" : "s", rnn_archive_error(a, "unknown error", why, sizeof why));
            break;
        }
        members++;
        if (o->progress && members % 512 == 0
            && o->progress("aclImdb_v1.tar.gz", rnn_archive_source_bytes(a, src), total, o->progress_user)) {
            rc = rnn_fail(err, RNN_EDATA, "loading %s was cancelled", path);
            break;
        }
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        /* Member names look like aclImdb/train/pos/0_9.txt, maybe with a leading "./". */
        const char *full = archive_entry_pathname(e), *rel, *name;
        if (!full)
            continue;
        while (full[0] == '.' && full[1] == '/')
            full += 2;
        rel = strchr(full, '/');
        if (!rel)
            continue;
        int g = imdb_group(rel + 1, &name);
        if (g < 0)
            continue;
        char *text = NULL, where[4200];
        size_t len = 0;
        snprintf(where, sizeof where, "%s: %s", path, full);
        if ((rc = tar_read_member(a, e, r->ds->arena, path, full, member, &text, &len, err)) ||
            (rc = rnn_dataset_check_nul(text, len, where, err)))
            break;
        if (!(text = rnn_dataset_text(r->ds, text, len, true)) ||
            reader_push(r, name, strlen(name), text, g)) {
            rc = rnn_fail(err, RNN_EINTERNAL, "out of memory loading %s", path);
            break;
        }
    }
    archive_read_free(a);
    return rc;
}

static int imdb_read_dir(imdb_reader *r, const char *root, rnn_io_text *t, rnn_error *err)
{
    char path[8192];
    for (int g = 0; g < 4; g++) {
        snprintf(path, sizeof path, "%s/%s/%s", root, imdb_splits[g / 2], imdb_labels[g % 2]);
        DIR *d = opendir(path);
        if (!d)
            return rnn_fail(err, RNN_ENOINPUT, "%s: %s (expected the aclImdb folder with train/ and test/)",
                            path, strerror(errno));
        struct dirent *de;
        int rc = RNN_OK;
        while (!rc && (de = readdir(d))) {
            size_t n = strlen(de->d_name);
            if (n <= 4 || strcmp(de->d_name + n - 4, ".txt") != 0)
                continue;
            snprintf(path, sizeof path, "%s/%s/%s/%s", root, imdb_splits[g / 2], imdb_labels[g % 2], de->d_name);
            char *text = NULL;
            if ((rc = rnn_io_read_example(path, t, err)) || (rc = rnn_dataset_check_nul(t->p, t->len, path, err)))
                break;
            r->ds->n_invalid_utf8 += t->n_invalid;
            if (!(text = rnn_arena_strndup(r->ds->arena, t->p, t->len)) || reader_push(r, de->d_name, n, text, g))
                rc = rnn_fail(err, RNN_EINTERNAL, "out of memory loading %s", root);
        }
        closedir(d);
        if (rc)
            return rc;
    }
    return RNN_OK;
}

int rnn_load_imdb(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err)
{
    *out = NULL;
    if (o->seed > 0xFFFFFFFFL)
        return rnn_fail(err, RNN_EUSAGE, "seed: %ld is not between 0 and 2**32-1", o->seed);
    char path[4096];
    bool is_dir;
    int rc = rnn_data_locate(o, "imdb", "aclImdb", path, sizeof path, &is_dir, err);
    if (rc)
        return rc;
    imdb_reader r = {.ds = rnn_dataset_new("imdb", path), .source = path};
    if (!r.ds || rnn_dataset_class(r.ds, "neg") != 0 || rnn_dataset_class(r.ds, "pos") != 1) {
        rnn_dataset_free(r.ds);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory loading IMDB");
    }
    rnn_io_text t = { 0 };
    rc = is_dir ? imdb_read_dir(&r, path, &t, err) : imdb_read_tar(&r, path, o, &t, err);
    rnn_io_text_free(&t);
    if (!rc)
        rc = reader_finish(&r, err);
    if (rc && !is_dir)
        rc = rnn_data_damaged(o, "imdb", rc, err);
    free(r.reviews);
    if (!rc && !o->keep_order) {
        /* One RandomState draws the train permutation, then the test one (as keras.datasets.imdb). */
        rnn_numpy_rng rng;
        rnn_numpy_seed(&rng, (uint32_t)(o->seed < 0 ? 113 : o->seed));
        if (rnn_split_shuffle_rng(&r.ds->train, &rng) || rnn_split_shuffle_rng(&r.ds->test, &rng))
            rc = rnn_fail(err, RNN_EINTERNAL, "out of memory shuffling IMDB");
    }
    if (rc) {
        rnn_dataset_free(r.ds);
        return rc;
    }
    *out = r.ds;
    return RNN_OK;
}
