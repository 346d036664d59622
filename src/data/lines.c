/* `load lines CLASS=FILE ...`: every non-blank line of a class's file is one example; and the
 * bounded line reader of scripts and predict file=. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
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
            int rc = rnn_dataset_add_valid(ds, 0, p, n, label, where, err);
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

/* Checks the pairs and registers their sorted distinct class names; names[i] gets the class name
 * of pair i (typed text: invalid UTF-8 reads as U+FFFD). */
static int lines_classes(const rnn_load_opts *o, rnn_dataset *ds, const char **names, rnn_error *err)
{
    size_t n = (size_t)o->n_lines;
    for (size_t i = 0; i < n; i++) {
        const char *c = o->line_classes[i], *f = o->line_files[i];
        if (!c || !*c || !f || !*f)
            return rnn_fail(err, RNN_EUSAGE, "load lines: pair %zu is not CLASS=FILE", i + 1);
        if (!(names[i] = rnn_dataset_text(ds, c, strlen(c), false)))
            return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    }
    const char **sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    memcpy(sorted, names, n * sizeof *sorted);
    size_t k = rnn_io_sort_class_names(sorted, n, true);
    int rc = k < 2 ? rnn_fail(err, RNN_EDATA, "load lines: a single class ('%s'); classification "
                              "needs files of at least two classes", sorted[0])
                   : rnn_io_add_classes(ds, sorted, k, err);
    free(sorted);
    return rc;
}

static int lines_load(const rnn_load_opts *o, rnn_dataset *ds, rnn_error *err)
{
    const char **names = calloc((size_t)o->n_lines, sizeof *names);
    if (!names)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int rc = lines_classes(o, ds, names, err);
    rnn_io_text t = { 0 };
    for (int i = 0; i < o->n_lines && !rc; i++) {
        const char *path = o->line_files[i];
        if (!(rc = rnn_io_read_text(path, SIZE_MAX, RNN_LINE_LIMIT, &t, err))) {
            ds->n_invalid_utf8 += t.n_invalid;
            rc = lines_add_file(ds, path, t.p, t.len, rnn_dataset_find_class(ds, names[i]), err);
        }
    }
    rnn_io_text_free(&t);
    free(names);
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

/* ---- line by line, within RNN_LINE_LIMIT ---- */

int rnn_line_next(rnn_line_reader *r, bool *got, rnn_error *err)
{
    *got = false;
    r->len = 0;
    int c = EOF;
    flockfile(r->f);
    for (;;) {
        c = getc_unlocked(r->f);
        if (c == EOF || c == '\n')
            break;
        if (c == '\0' || r->len == RNN_LINE_LIMIT)
            break;
        if (rnn_grow(&r->buf, &r->cap, r->len + 2, 1)) {
            funlockfile(r->f);
            return rnn_fail(err, RNN_EINTERNAL, "%s:%zu: out of memory reading a line", r->name, r->line + 1);
        }
        r->buf[r->len++] = (char)c;
    }
    bool failed = c == EOF && ferror(r->f);
    funlockfile(r->f);
    if (failed)
        return rnn_fail(err, RNN_EIO, "%s: read error: %s", r->name, strerror(errno));
    if (c == EOF && r->len == 0)
        return RNN_OK;
    r->line++;
    if (c == '\0')
        return rnn_fail(err, RNN_EDATA, "%s:%zu: NUL byte (not a text file?)", r->name, r->line);
    if (c != EOF && c != '\n')
        return rnn_io_line_too_long(r->name, r->line, RNN_LINE_LIMIT, err);
    if (r->len > 0 && r->buf[r->len - 1] == '\r')
        r->len--;
    if (r->cap == 0 && !(r->buf = malloc(r->cap = 1)))
        return rnn_fail(err, RNN_EINTERNAL, "%s:%zu: out of memory reading a line", r->name, r->line);
    r->buf[r->len] = '\0';
    *got = true;
    return RNN_OK;
}

void rnn_line_reader_free(rnn_line_reader *r)
{
    free(r->buf);
    r->buf = NULL;
    r->len = r->cap = 0;
}
