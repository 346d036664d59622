/* `load lines CLASS=FILE ...`: every non-blank line of a class's file is one example. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "data/data_internal.h"
#include "data/io_internal.h"

static bool lines_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v')
            return false;
    return true;
}

/* Adds the non-blank lines of buf (LF or CRLF endings) as examples of class label. */
static int lines_add_file(rnn_dataset *ds, const char *path, const char *buf, size_t len, int label,
                          rnn_error *err)
{
    char where[4200];
    size_t line = 0, added = 0;
    for (const char *p = buf, *end = buf + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t n = (size_t)(stop - p);
        line++;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (!lines_blank(p, n)) {
            snprintf(where, sizeof where, "%s:%zu", path, line);
            if (memchr(p, '\0', n))
                return rnn_fail(err, RNN_EDATA, "%s: NUL byte (not a text file?)", where);
            int rc = rnn_dataset_add(ds, 0, p, n, label, where, err);
            if (rc)
                return rc;
            added++;
        }
        p = nl ? nl + 1 : end;
    }
    if (added == 0)
        return rnn_fail(err, RNN_EDATA, "%s: no non-blank lines (empty class '%s')", path,
                        ds->class_names[label]);
    return RNN_OK;
}

static int lines_class_index(const rnn_dataset *ds, const char *name)
{
    for (int c = 0; c < ds->n_classes; c++)
        if (strcmp(ds->class_names[c], name) == 0)
            return c;
    return -1;
}

/* Checks the pairs and registers their sorted distinct class names. */
static int lines_classes(const rnn_load_opts *o, rnn_dataset *ds, rnn_error *err)
{
    size_t n = (size_t)o->n_lines;
    for (size_t i = 0; i < n; i++) {
        const char *c = o->line_classes[i], *f = o->line_files[i];
        if (!c || !*c || !f || !*f)
            return rnn_fail(err, RNN_EUSAGE, "load lines: pair %zu is not CLASS=FILE", i + 1);
        int rc = rnn_utf8_check(c, strlen(c), "class name", err);
        if (rc)
            return rc;
    }
    const char **names = malloc(n * sizeof *names);
    if (!names)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    memcpy(names, o->line_classes, n * sizeof *names);
    size_t k = rnn_io_sort_class_names(names, n, true);
    int rc = k < 2 ? rnn_fail(err, RNN_EDATA, "load lines: a single class ('%s'); classification "
                              "needs files of at least two classes", names[0])
                   : rnn_io_add_classes(ds, names, k, err);
    free(names);
    return rc;
}

static int lines_load(const rnn_load_opts *o, rnn_dataset *ds, rnn_error *err)
{
    int rc = lines_classes(o, ds, err);
    char *buf = NULL;
    size_t cap = 0, len;
    for (int i = 0; i < o->n_lines && !rc; i++)
        if (!(rc = rnn_io_read_file(o->line_files[i], &buf, &len, &cap, err)))
            rc = lines_add_file(ds, o->line_files[i], buf, len,
                                lines_class_index(ds, o->line_classes[i]), err);
    free(buf);
    if (!rc)
        rc = rnn_io_apply_test_split(ds, o, err);
    return rc;
}

int rnn_load_lines(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err)
{
    *out = NULL;
    if (o->n_lines <= 0 || !o->line_classes || !o->line_files)
        return rnn_fail(err, RNN_EUSAGE, "load lines needs CLASS=FILE pairs, one per class");
    /* source: the files, space-separated (truncated by rnn_dataset_new if very long). */
    char source[4096] = "";
    size_t used = 0;
    for (int i = 0; i < o->n_lines && used < sizeof source; i++)
        used += (size_t)snprintf(source + used, sizeof source - used, "%s%s", i ? " " : "",
                                 o->line_files[i] ? o->line_files[i] : "");
    rnn_dataset *ds = rnn_dataset_new("lines", source);
    if (!ds)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int rc = lines_load(o, ds, err);
    if (rc) {
        rnn_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return RNN_OK;
}
