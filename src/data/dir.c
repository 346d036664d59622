/* `load dir PATH`: one sub-folder per class, one file per example, optionally under train/ and
 * test/; and the whole-file text reader the csv and lines loaders share. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "data/data_internal.h"
#include "data/io_internal.h"

int rnn_io_line_too_long(const char *path, size_t line, size_t limit, rnn_error *err)
{
    char lim[32];
    return rnn_fail(err, RNN_EDATA, "%s:%zu: line longer than %s (the line limit; not a text file?)",
                    path, line, rnn_format_bytes(limit, lim, sizeof lim));
}

/* Follows the lines through got new bytes: counts the newlines, checks every line against max_line
 * (0: no limit) and keeps the length of the line still open at the end; false at a longer line.
 * A line ends at LF or CR, as the CSV reader's do; only files of CR line ends need the byte loop. */
static bool read_track_lines(const char *p, size_t got, size_t max_line, size_t *line, size_t *open)
{
    const char *end = p + got;
    for (const char *q = p; q < end;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q)), *stop = nl ? nl : end;
        size_t run = *open + (size_t)(stop - q);
        if (max_line && run > max_line) {
            for (const char *c = q; c < stop; c++)
                if (*c == '\r')
                    *open = 0;
                else if (++*open > max_line)
                    return false;
        } else if (!nl) {
            const char *cr = memrchr(q, '\r', (size_t)(stop - q));
            *open = cr ? (size_t)(stop - cr - 1) : run;
        }
        if (!nl)
            break;
        ++*line;
        *open = 0;
        q = nl + 1;
    }
    return true;
}

/* Replaces t's buffer by its repaired copy when it holds invalid UTF-8 (counted in t->n_invalid). */
static int read_repair(const char *path, rnn_io_text *t, rnn_error *err)
{
    size_t n = rnn_utf8_repaired_length(t->p, t->len, &t->n_invalid);
    if (!t->n_invalid)
        return RNN_OK;
    char *q = rnn_utf8_repaired(t->p, t->len, NULL);   /* the text may hold a NUL: keep n */
    if (!q)
        return rnn_fail(err, RNN_EINTERNAL, "%s: out of memory replacing invalid UTF-8", path);
    free(t->p);
    t->p = q;
    t->len = n;
    t->cap = n + 1;
    return RNN_OK;
}

/* Whether a text of `bytes` fits: the loaders keep a copy of what they read, so about twice the
 * file must fit in the memory available. */
static int read_fits_memory(const char *path, uint64_t bytes, rnn_error *err)
{
    uint64_t avail = rnn_mem_available();
    if (bytes <= avail / 2)
        return RNN_OK;
    char need[32], have[32];
    return rnn_fail(err, RNN_EDATA, "%s: reading it needs about %s of memory; %s available", path,
                    rnn_format_bytes(2 * bytes, need, sizeof need), rnn_format_bytes(avail, have, sizeof have));
}

int rnn_io_read_text(const char *path, size_t max_bytes, size_t max_line, rnn_io_text *t,
                     rnn_error *err)
{
    char lim[32], got_s[32];
    int rc = RNN_OK;
    t->len = t->n_invalid = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rnn_fail(err, RNN_ENOINPUT, "%s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        close(fd);
        return rnn_fail(err, RNN_ENOINPUT, "%s: is a folder, not a file", path);
    }
    if (sb.st_size > 0 && (uint64_t)sb.st_size > max_bytes) {
        close(fd);
        return rnn_fail(err, RNN_EDATA, "%s: %s, more than the %s limit for one file", path,
                        rnn_format_bytes((uint64_t)sb.st_size, got_s, sizeof got_s),
                        rnn_format_bytes(max_bytes, lim, sizeof lim));
    }
    if (sb.st_size > 0 && (rc = read_fits_memory(path, (uint64_t)sb.st_size, err))) {
        close(fd);
        return rc;
    }
    /* st_size is a hint: the loop also copes with files that grow or report 0 (pipes, /proc),
     * and stops at the limits instead of reading until memory runs out (/dev/zero). */
    /* One spare byte for the NUL and one so that the read reaching EOF needs no growth. */
    size_t want = (sb.st_size > 0 ? (size_t)sb.st_size : 4096) + 2;
    size_t n = 0, line = 1, open_line = 0;
    for (;;) {
        if (t->cap < want || t->cap - n < 2) {
            size_t c = want > 2 * t->cap ? want : 2 * t->cap;
            if (c > want && (rc = read_fits_memory(path, c, err)))
                break; /* a file that grows as it is read (a pipe, /dev/urandom) */
            char *b = realloc(t->p, c);
            if (!b) {
                rc = rnn_fail(err, RNN_EINTERNAL, "%s: out of memory reading %zu bytes", path, c);
                break;
            }
            t->p = b;
            t->cap = c;
        }
        size_t room = t->cap - n - 1;
        if (max_bytes - n < room)
            room = max_bytes - n + 1; /* one byte past the limit tells a file at it from a longer one */
        ssize_t got = rnn_read_full(fd, t->p + n, room);
        if (got < 0) {
            rc = rnn_fail(err, RNN_EIO, "%s: read error: %s", path, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        if (!read_track_lines(t->p + n, (size_t)got, max_line, &line, &open_line)) {
            rc = rnn_io_line_too_long(path, line, max_line, err);
            break;
        }
        n += (size_t)got;
        if (n > max_bytes) {
            rc = rnn_fail(err, RNN_EDATA, "%s: more than the %s limit for one file", path,
                          rnn_format_bytes(max_bytes, lim, sizeof lim));
            break;
        }
    }
    close(fd);
    if (rc)
        return rc;
    t->p[n] = '\0';
    t->len = n;
    return read_repair(path, t, err);
}

void rnn_io_text_free(rnn_io_text *t)
{
    free(t->p);
    memset(t, 0, sizeof *t);
}

/* A sorted list of entry names of one folder; for class folders, label[i] is the class name of
 * name[i] (valid UTF-8, in the data set's arena). */
typedef struct dir_list {
    char **name;
    const char **label;
    size_t n;
} dir_list;

static void dir_list_free(dir_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->name[i]);
    free(l->name);
    free(l->label);
    l->name = NULL;
    l->label = NULL;
    l->n = 0;
}

static int dir_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool dir_is_folder(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int dir_join(char *out, const char *dir, const char *name, rnn_error *err)
{
    if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
        return rnn_fail(err, RNN_EUSAGE, "%s/%s: path too long", dir, name);
    return RNN_OK;
}

/* What entry e of a folder (at path) is to a listing: 1 a folder, 0 a file, -1 neither. load dir's
 * own listing follows links (a link to a folder is a folder; a broken link is skipped). Keras's
 * (walk, os.walk without followlinks) goes into no linked folder: such a link is neither, and
 * anything else that is not a folder is a file (a device or pipe is refused by name when read).
 * d_type saves a stat per entry when the file system fills it in. */
static int dir_entry_kind(const struct dirent *e, const char *path, bool walk)
{
    if (e->d_type == DT_DIR || e->d_type == DT_REG)
        return e->d_type == DT_DIR;
    struct stat sb;
    if (!walk)
        return stat(path, &sb) != 0 ? -1 : S_ISDIR(sb.st_mode);
    if (e->d_type == DT_UNKNOWN && lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return 1;
    return dir_is_folder(path) ? -1 : 0;
}

static int dir_list_add(dir_list *l, size_t *cap, const char *name, const char *dir, rnn_error *err)
{
    if (rnn_grow(&l->name, cap, l->n + 1, sizeof *l->name) || !(l->name[l->n] = strdup(name)))
        return rnn_fail(err, RNN_EINTERNAL, "out of memory listing %s", dir);
    l->n++;
    return RNN_OK;
}

/* Lists the sub-folders and the files of dir, each sorted by name, into folders and files (either
 * may be NULL: not wanted). Hidden names are skipped, but Keras's walk keeps them below the class
 * folders (os.walk lists them); "." and ".." never. */
static int dir_read(const char *dir, bool walk, dir_list *folders, dir_list *files, rnn_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return rnn_fail(err, RNN_ENOINPUT, "%s: %s", dir, strerror(errno));
    size_t cap[2] = {0, 0};
    int rc = RNN_OK;
    char path[PATH_MAX];
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        const char *nm = e->d_name;
        if (nm[0] == '.' && (!walk || !nm[1] || (nm[1] == '.' && !nm[2])))
            continue;
        if ((rc = dir_join(path, dir, nm, err)))
            break;
        int kind = dir_entry_kind(e, path, walk);
        dir_list *to = kind == 1 ? folders : kind == 0 ? files : NULL;
        if (to)
            rc = dir_list_add(to, &cap[to == files], nm, dir, err);
    }
    closedir(d);
    for (int i = 0; i < 2; i++) {
        dir_list *l = i ? files : folders;
        if (l && rc)
            dir_list_free(l);
        else if (l && l->n > 1)
            qsort(l->name, l->n, sizeof *l->name, dir_compare);
    }
    return rc;
}

/* Collects the class folders of every root (tested: the second is a test folder given apart),
 * registers their sorted union as classes. */
static int dir_classes(rnn_dataset *ds, const char *path, dir_list *roots, int n_roots, bool tested,
                       rnn_error *err)
{
    size_t n = 0;
    for (int r = 0; r < n_roots; r++)
        n += roots[r].n;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    if (!names)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory loading %s", path);
    n = 0;
    for (int r = 0; r < n_roots; r++) {
        /* Class names follow the rule for text: invalid UTF-8 in a folder name reads as U+FFFD. */
        dir_list *l = &roots[r];
        if (l->n && !(l->label = malloc(l->n * sizeof *l->label))) {
            free(names);
            return rnn_fail(err, RNN_EINTERNAL, "out of memory loading %s", path);
        }
        for (size_t i = 0; i < l->n; i++)
            if (!(names[n++] = l->label[i] = rnn_dataset_text(ds, l->name[i], strlen(l->name[i]), false))) {
                free(names);
                return rnn_fail(err, RNN_EINTERNAL, "out of memory loading %s", path);
            }
    }
    n = rnn_io_sort_class_names(names, n, false); /* sorted(os.listdir()), as Keras */
    int rc;
    if (n == 0)
        rc = rnn_fail(err, RNN_EDATA, "%s: no class sub-folders (expected one folder per class%s)",
                      path, n_roots == 1 ? "" : tested ? " in both folders" : " in train/ and test/");
    else if (n == 1)
        rc = rnn_fail(err, RNN_EDATA, "%s: a single class folder ('%s'); classification needs at "
                      "least two", path, names[0]);
    else
        rc = rnn_io_add_classes(ds, names, n, err);
    free(names);
    return rc;
}

int rnn_io_read_example(const char *path, rnn_io_text *t, rnn_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return rnn_fail(err, RNN_ENOINPUT, "%s: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return rnn_fail(err, RNN_EDATA, "%s: not a regular file (a device, pipe or socket); a data set "
                        "folder holds one regular file per example", path);
    return rnn_io_read_text(path, RNN_MEMBER_LIMIT, 0, t, err);
}

/* Adds the file at folder/name to split as an example of label. */
static int dir_add_file(rnn_dataset *ds, int split, const char *folder, const char *name, int label,
                        rnn_io_text *t, rnn_error *err)
{
    char file[PATH_MAX];
    int rc;
    if ((rc = dir_join(file, folder, name, err)) || (rc = rnn_io_read_example(file, t, err)))
        return rc;
    ds->n_invalid_utf8 += t->n_invalid;
    return rnn_dataset_add_valid(ds, split, t->p, t->len, label, file, err);
}

/* Whether a file name ends in .txt in any case, as name.lower().endswith('.txt') tells. */
static bool dir_is_txt(const char *name)
{
    size_t n = strlen(name);
    if (n < 4)
        return false;
    const char *ext = name + n - 4;
    return ext[0] == '.' && (ext[1] | 0x20) == 't' && (ext[2] | 0x20) == 'x' && (ext[3] | 0x20) == 't';
}

/* A folder under a class folder in Keras's walk: its path relative to the class folder ("" for the
 * class folder itself, else starting with '/') and its files, sorted by name. */
typedef struct dir_walked {
    char *rel;
    dir_list files;
} dir_walked;

static int dir_walked_compare(const void *a, const void *b)
{
    return strcmp(((const dir_walked *)a)->rel, ((const dir_walked *)b)->rel);
}

static void dir_walked_free(dir_walked *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(w[i].rel);
        dir_list_free(&w[i].files);
    }
    free(w);
}

/* Appends the folder rel (relative to the class folder) to the walk, its files not read yet. */
static int dir_walked_add(dir_walked **w, size_t *n, size_t *cap, const char *rel, const char *folder,
                          rnn_error *err)
{
    char *copy = strdup(rel);
    if (!copy || rnn_grow(w, cap, *n + 1, sizeof **w)) {
        free(copy);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory listing %s", folder);
    }
    (*w)[(*n)++] = (dir_walked){ .rel = copy };
    return RNN_OK;
}

/* Every folder under `folder`, itself first, each read once for its sub-folders and its files, then
 * sorted as Keras sorts os.walk's folders: by their whole path. */
static int dir_walk(const char *folder, dir_walked **out, size_t *n_out, rnn_error *err)
{
    dir_walked *w = NULL;
    size_t n = 0, cap = 0;
    char path[PATH_MAX], rel[PATH_MAX];
    int rc = dir_walked_add(&w, &n, &cap, "", folder, err);
    for (size_t i = 0; !rc && i < n; i++) {  /* w grows while it is read */
        dir_list subs = { 0 };
        if (snprintf(path, sizeof path, "%s%s", folder, w[i].rel) >= (int)sizeof path)
            rc = rnn_fail(err, RNN_EUSAGE, "%s%s: path too long", folder, w[i].rel);
        else
            rc = dir_read(path, true, &subs, &w[i].files, err);
        for (size_t k = 0; k < subs.n && !rc; k++)
            if (!(rc = dir_join(rel, w[i].rel, subs.name[k], err)))
                rc = dir_walked_add(&w, &n, &cap, rel, folder, err);
        dir_list_free(&subs);
    }
    if (rc) {
        dir_walked_free(w, n);
        return rc;
    }
    qsort(w, n, sizeof *w, dir_walked_compare);
    *out = w;
    *n_out = n;
    return RNN_OK;
}

/* The .txt files of a class folder in Keras's listing: every folder under it in dir_walk's order,
 * each one's files by name. */
static int dir_fill_walk(rnn_dataset *ds, int split, const char *folder, int label, rnn_io_text *t,
                         rnn_error *err)
{
    dir_walked *w = NULL;
    size_t n = 0;
    char path[PATH_MAX];
    int rc = dir_walk(folder, &w, &n, err);
    for (size_t i = 0; i < n && !rc; i++) {
        snprintf(path, sizeof path, "%s%s", folder, w[i].rel);   /* it fit when dir_walk read it */
        for (size_t k = 0; k < w[i].files.n && !rc; k++)
            if (dir_is_txt(w[i].files.name[k]))
                rc = dir_add_file(ds, split, path, w[i].files.name[k], label, t, err);
    }
    dir_walked_free(w, n);
    return rc;
}

/* Reads the examples of every class folder of one root into split: each folder's files, or with
 * Keras's listing its .txt files and those of the folders under it. */
static int dir_fill(rnn_dataset *ds, int split, const char *root, const dir_list *classes, bool walk,
                    rnn_io_text *t, rnn_error *err)
{
    char folder[PATH_MAX];
    for (size_t k = 0; k < classes->n; k++) {
        int label = rnn_dataset_find_class(ds, classes->label[k]), rc;
        if ((rc = dir_join(folder, root, classes->name[k], err)))
            return rc;
        if (walk) {
            if ((rc = dir_fill_walk(ds, split, folder, label, t, err)))
                return rc;
            continue;
        }
        dir_list files = { 0 };
        if ((rc = dir_read(folder, false, NULL, &files, err)))
            return rc;
        for (size_t i = 0; i < files.n && !rc; i++)
            rc = dir_add_file(ds, split, folder, files.name[i], label, t, err);
        dir_list_free(&files);
        if (rc)
            return rc;
    }
    return RNN_OK;
}

/* Copies a folder's path to out, which holds PATH_MAX bytes. */
static int dir_copy(char *out, const char *path, rnn_error *err)
{
    if (snprintf(out, PATH_MAX, "%s", path) >= PATH_MAX)
        return rnn_fail(err, RNN_EUSAGE, "%s: path too long", path);
    return RNN_OK;
}

/* The roots of the splits (*n of them): PATH/train and PATH/test when both are folders and the
 * options name no layout of their own (a test folder; Keras's listing, where PATH holds the class
 * folders); else PATH, and the test folder when given. */
static int dir_roots(const rnn_load_opts *o, char roots[2][PATH_MAX], int *n, rnn_error *err)
{
    int rc;
    *n = o->test_path ? 2 : 1;
    if (o->test_path && o->test_split > 0)
        return rnn_fail(err, RNN_EUSAGE, "%s is the test folder; test_split= does not apply", o->test_path);
    if (o->test_path)
        return (rc = dir_copy(roots[0], o->path, err)) ? rc : dir_copy(roots[1], o->test_path, err);
    if ((rc = dir_join(roots[0], o->path, "train", err)) || (rc = dir_join(roots[1], o->path, "test", err)))
        return rc;
    if (!o->keras_listing && dir_is_folder(roots[0]) && dir_is_folder(roots[1])) {
        *n = 2;
        if (o->test_split > 0)
            return rnn_fail(err, RNN_EUSAGE, "%s already has a test/ folder; test_split= does not apply", o->path);
        return RNN_OK;
    }
    return dir_copy(roots[0], o->path, err);
}

/* Keras's listing shuffles each split by its own numpy RandomState(seed), as each
 * text_dataset_from_directory call does. */
static int dir_shuffle(rnn_dataset *ds, const rnn_load_opts *o, int n_roots, rnn_error *err)
{
    if (!o->keras_listing || o->keep_order)
        return RNN_OK;
    for (int r = 0; r < n_roots; r++) {
        rnn_numpy_rng rng;
        rnn_numpy_seed(&rng, o->seed < 0 ? 113u : (uint32_t)o->seed);
        if (rnn_split_shuffle_rng(r ? &ds->test : &ds->train, &rng))
            return rnn_fail(err, RNN_EINTERNAL, "out of memory shuffling %s", o->path);
    }
    return RNN_OK;
}

static int dir_load(const rnn_load_opts *o, rnn_dataset *ds, rnn_error *err)
{
    char roots[2][PATH_MAX];
    int n_roots, rc = dir_roots(o, roots, &n_roots, err);
    if (rc)
        return rc;
    const char *none = o->keras_listing ? "no .txt files in the class folders" : "no files in the class folders";
    dir_list classes[2] = { { 0 }, { 0 } };
    rnn_io_text text = { 0 };
    for (int r = 0; r < n_roots && !rc; r++)
        rc = dir_read(roots[r], false, &classes[r], NULL, err);
    if (!rc)
        rc = dir_classes(ds, o->path, classes, n_roots, o->test_path != NULL, err);
    for (int r = 0; r < n_roots && !rc; r++)
        rc = dir_fill(ds, r, roots[r], &classes[r], o->keras_listing, &text, err);
    if (!rc && ds->train.n == 0)
        rc = rnn_fail(err, RNN_EDATA, "%s: %s (empty data set)", roots[0], none);
    if (!rc && n_roots == 2 && ds->test.n == 0)
        rc = rnn_fail(err, RNN_EDATA, "%s: %s (empty test set)", roots[1], none);
    if (!rc)
        rc = dir_shuffle(ds, o, n_roots, err);
    if (!rc)
        rc = rnn_io_apply_test_split(ds, o, err);
    rnn_io_text_free(&text);
    dir_list_free(&classes[0]);
    dir_list_free(&classes[1]);
    return rc;
}

int rnn_load_dir(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err)
{
    *out = NULL;
    if (!o->path || !*o->path)
        return rnn_fail(err, RNN_EUSAGE, "load dir needs a folder");
    for (int i = 0; i < 2; i++) {
        const char *path = i ? o->test_path : o->path;
        struct stat sb;
        if (path && stat(path, &sb) != 0)
            return rnn_fail(err, RNN_ENOINPUT, "%s: %s", path, strerror(errno));
        if (path && !S_ISDIR(sb.st_mode))
            return rnn_fail(err, RNN_ENOINPUT, "%s: not a folder (load dir expects one sub-folder per "
                            "class)", path);
    }
    rnn_dataset *ds = rnn_dataset_new("dir", o->path);
    if (!ds)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory loading %s", o->path);
    int rc = dir_load(o, ds, err);
    if (rc) {
        rnn_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return RNN_OK;
}
