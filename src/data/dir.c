/* `load dir PATH`: one sub-folder per class, one file per example, optionally under train/ and
 * test/; and the whole-file reader the csv and lines loaders share. */
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

int rnn_io_read_file(const char *path, char **buf, size_t *len, size_t *cap, rnn_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rnn_fail(err, RNN_ENOINPUT, "%s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        close(fd);
        return rnn_fail(err, RNN_ENOINPUT, "%s: is a folder, not a file", path);
    }
    /* st_size is a hint: the loop also copes with files that grow or report 0 (pipes, /proc). */
    /* One spare byte for the NUL and one so that the read reaching EOF needs no growth. */
    size_t want = (sb.st_size > 0 ? (size_t)sb.st_size : 4096) + 2;
    size_t n = 0;
    for (;;) {
        if (*cap < want || *cap - n < 2) {
            size_t c = want > 2 * *cap ? want : 2 * *cap;
            char *b = realloc(*buf, c);
            if (!b) {
                close(fd);
                return rnn_fail(err, RNN_EINTERNAL, "%s: out of memory reading %zu bytes", path, c);
            }
            *buf = b;
            *cap = c;
        }
        ssize_t got = read(fd, *buf + n, *cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            close(fd);
            return rnn_fail(err, RNN_EIO, "%s: read error: %s", path, strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    (*buf)[n] = '\0';
    *len = n;
    return RNN_OK;
}

/* A sorted list of entry names of one folder. */
typedef struct dir_list {
    char **name;
    size_t n;
} dir_list;

static void dir_list_free(dir_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->name[i]);
    free(l->name);
    l->name = NULL;
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

/* Whether entry e (at path) is a folder (folders = true) or a regular file; symbolic links are
 * followed. d_type saves a stat per file when the file system fills it in. */
static bool dir_entry_wanted(const struct dirent *e, const char *path, bool folders)
{
    if (e->d_type == DT_DIR || e->d_type == DT_REG)
        return folders == (e->d_type == DT_DIR);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return false;
    return folders ? S_ISDIR(sb.st_mode) : S_ISREG(sb.st_mode);
}

/* Lists the non-hidden sub-folders (folders = true) or regular files of dir, sorted by name. */
static int dir_read(const char *dir, bool folders, dir_list *out, rnn_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return rnn_fail(err, RNN_ENOINPUT, "%s: %s", dir, strerror(errno));
    size_t cap = 0;
    int rc = RNN_OK;
    char path[PATH_MAX];
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue; /* hidden files, "." and ".." */
        if ((rc = dir_join(path, dir, e->d_name, err)))
            break;
        if (!dir_entry_wanted(e, path, folders))
            continue;
        if (out->n == cap) {
            cap = cap ? 2 * cap : 64;
            char **names = realloc(out->name, cap * sizeof *names);
            if (!names) {
                rc = rnn_fail(err, RNN_EINTERNAL, "out of memory listing %s", dir);
                break;
            }
            out->name = names;
        }
        if (!(out->name[out->n] = strdup(e->d_name)))
            rc = rnn_fail(err, RNN_EINTERNAL, "out of memory listing %s", dir);
        else
            out->n++;
    }
    closedir(d);
    if (rc)
        dir_list_free(out);
    else if (out->n > 1)
        qsort(out->name, out->n, sizeof *out->name, dir_compare);
    return rc;
}

/* Collects the class folders of every root, registers their sorted union as classes. */
static int dir_classes(rnn_dataset *ds, const char *path, dir_list *roots, int n_roots,
                       rnn_error *err)
{
    size_t n = 0;
    for (int r = 0; r < n_roots; r++)
        n += roots[r].n;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    if (!names)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory loading %s", path);
    n = 0;
    for (int r = 0; r < n_roots; r++)
        for (size_t i = 0; i < roots[r].n; i++)
            names[n++] = roots[r].name[i];
    n = rnn_io_sort_class_names(names, n, false); /* sorted(os.listdir()), as Keras */
    int rc;
    if (n == 0)
        rc = rnn_fail(err, RNN_EDATA, "%s: no class sub-folders (expected one folder per class%s)",
                      path, n_roots == 2 ? " in train/ and test/" : "");
    else if (n == 1)
        rc = rnn_fail(err, RNN_EDATA, "%s: a single class folder ('%s'); classification needs at "
                      "least two", path, names[0]);
    else
        rc = rnn_io_add_classes(ds, names, n, err);
    free(names);
    return rc;
}

static int dir_class_index(const rnn_dataset *ds, const char *name)
{
    for (int c = 0; c < ds->n_classes; c++)
        if (strcmp(ds->class_names[c], name) == 0)
            return c;
    return -1;
}

/* Reads every file of every class folder of one root into split. */
static int dir_fill(rnn_dataset *ds, int split, const char *root, const dir_list *classes,
                    char **buf, size_t *cap, rnn_error *err)
{
    char folder[PATH_MAX], file[PATH_MAX];
    for (size_t k = 0; k < classes->n; k++) {
        int label = dir_class_index(ds, classes->name[k]), rc;
        dir_list files = { 0 };
        if ((rc = dir_join(folder, root, classes->name[k], err)) ||
            (rc = rnn_utf8_check(classes->name[k], strlen(classes->name[k]), folder, err)) ||
            (rc = dir_read(folder, false, &files, err)))
            return rc;
        for (size_t i = 0; i < files.n && !rc; i++) {
            size_t len;
            if (!(rc = dir_join(file, folder, files.name[i], err)) &&
                !(rc = rnn_io_read_file(file, buf, &len, cap, err)))
                rc = rnn_dataset_add(ds, split, *buf, len, label, file, err);
        }
        dir_list_free(&files);
        if (rc)
            return rc;
    }
    return RNN_OK;
}

static int dir_load(const rnn_load_opts *o, rnn_dataset *ds, rnn_error *err)
{
    const char *path = o->path;
    char roots[2][PATH_MAX];
    int n_roots = 1, rc;
    if ((rc = dir_join(roots[0], path, "train", err)) || (rc = dir_join(roots[1], path, "test", err)))
        return rc;
    if (dir_is_folder(roots[0]) && dir_is_folder(roots[1]))
        n_roots = 2;
    else
        snprintf(roots[0], PATH_MAX, "%s", path);
    if (n_roots == 2 && o->test_split > 0)
        return rnn_fail(err, RNN_EUSAGE, "%s already has a test/ folder; test_split= does not apply",
                        path);
    dir_list classes[2] = { { 0 }, { 0 } };
    char *buf = NULL;
    size_t cap = 0;
    for (int r = 0; r < n_roots && !rc; r++)
        rc = dir_read(roots[r], true, &classes[r], err);
    if (!rc)
        rc = dir_classes(ds, path, classes, n_roots, err);
    for (int r = 0; r < n_roots && !rc; r++)
        rc = dir_fill(ds, r, roots[r], &classes[r], &buf, &cap, err);
    if (!rc && ds->train.n == 0)
        rc = rnn_fail(err, RNN_EDATA, "%s: no files in the class folders (empty data set)",
                      roots[0]);
    if (!rc && n_roots == 2 && ds->test.n == 0)
        rc = rnn_fail(err, RNN_EDATA, "%s: no files in the class folders (empty test set)",
                      roots[1]);
    if (!rc)
        rc = rnn_io_apply_test_split(ds, o, err);
    free(buf);
    dir_list_free(&classes[0]);
    dir_list_free(&classes[1]);
    return rc;
}

int rnn_load_dir(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err)
{
    *out = NULL;
    if (!o->path || !*o->path)
        return rnn_fail(err, RNN_EUSAGE, "load dir needs a folder");
    struct stat sb;
    if (stat(o->path, &sb) != 0)
        return rnn_fail(err, RNN_ENOINPUT, "%s: %s", o->path, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return rnn_fail(err, RNN_ENOINPUT, "%s: not a folder (load dir expects one sub-folder per "
                        "class)", o->path);
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
