/* `load csv`: RFC 4180 CSV/TSV with a header row; one column holds the text, one the label.
 * The file is read whole (invalid UTF-8 replaced by U+FFFD first: no replaced byte is a quote,
 * delimiter or line end) and parsed in place (unescaped fields are never longer than raw ones). */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "data/data_internal.h"
#include "data/io_internal.h"

/* ---- class names, shared by the csv, dir and lines loaders ---- */

static bool class_name_number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return *s && end != s && *end == '\0' && isfinite(*v);
}

static int compare_code_points(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int compare_numbers(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    double u, v;
    class_name_number(x, &u);
    class_name_number(y, &v);
    return u < v ? -1 : u > v ? 1 : strcmp(x, y);
}

size_t rnn_io_sort_class_names(const char **names, size_t n, bool numbers)
{
    bool numeric = numbers && n > 0;
    double v;
    for (size_t i = 0; i < n && numeric; i++)
        numeric = class_name_number(names[i], &v);
    qsort(names, n, sizeof *names, numeric ? compare_numbers : compare_code_points);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || strcmp(names[k - 1], names[i]) != 0)
            names[k++] = names[i];
    return k;
}

int rnn_io_add_classes(rnn_dataset *ds, const char *const *names, size_t n, rnn_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (rnn_dataset_class(ds, names[i]) != (int)i)
            return rnn_fail(err, RNN_EINTERNAL, "out of memory adding class '%s'", names[i]);
    return RNN_OK;
}

int rnn_io_apply_test_split(rnn_dataset *ds, const rnn_load_opts *o, rnn_error *err)
{
    if (!(o->test_split > 0))
        return RNN_OK;
    return rnn_dataset_split_test(ds, o->test_split, o->seed < 0 ? 42UL : (unsigned long)o->seed, o->test_first, err);
}

/* ---- the RFC 4180 reader ---- */

typedef struct csv_field {
    char *s;        /* unescaped, NUL-terminated, inside the file buffer */
    size_t len;
} csv_field;

typedef struct csv_reader {
    const char *path;
    char *p, *end;  /* cursor and end of the file buffer (which has one spare byte) */
    size_t line;    /* physical line of the cursor, 1-based */
    char delim;
    csv_field *fields;
    size_t n_fields, cap_fields;
} csv_reader;

/* Consumes one line ending (LF, CRLF or a lone CR) at the cursor. */
static void csv_skip_newline(csv_reader *r)
{
    if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
        r->p++;
    r->p++;
    r->line++;
}

/* Skips empty lines and lines of blanks only, as pandas does (skip_blank_lines). */
static void csv_skip_blank_lines(csv_reader *r)
{
    while (r->p < r->end) {
        char *q = r->p;
        while (q < r->end && (*q == ' ' || *q == '\t') && *q != r->delim)
            q++;
        if (q < r->end && *q != '\n' && *q != '\r')
            return;
        r->p = q;
        if (q == r->end)
            return;
        csv_skip_newline(r);
    }
}

static int csv_push_field(csv_reader *r, char *s, size_t len, rnn_error *err)
{
    if (rnn_grow(&r->fields, &r->cap_fields, r->n_fields + 1, sizeof *r->fields))
        return rnn_fail(err, RNN_EINTERNAL, "out of memory reading %s", r->path);
    r->fields[r->n_fields++] = (csv_field){ s, len };
    return RNN_OK;
}

/* Copies a quoted field's content to *out, undoubling quotes; the cursor is after the opening quote. */
static int csv_read_quoted(csv_reader *r, char **out, rnn_error *err)
{
    size_t start_line = r->line;
    for (;;) {
        if (r->p == r->end)
            return rnn_fail(err, RNN_EDATA, "%s:%zu: unterminated quote (the quoted field starting "
                            "on this line never ends)", r->path, start_line);
        char c = *r->p;
        if (c == '"') {
            if (r->p + 1 < r->end && r->p[1] == '"') {
                *(*out)++ = '"';
                r->p += 2;
                continue;
            }
            r->p++;
            return RNN_OK;
        }
        if (c == '\0')
            return rnn_fail(err, RNN_EDATA, "%s:%zu: NUL byte (not a text file?)", r->path, r->line);
        if (c == '\n' || (c == '\r' && !(r->p + 1 < r->end && r->p[1] == '\n')))
            r->line++;
        *(*out)++ = c;
        r->p++;
    }
}

/* Reads the next record into r->fields; *got = false at the end of the file. */
static int csv_next_record(csv_reader *r, bool *got, size_t *record_line, rnn_error *err)
{
    csv_skip_blank_lines(r);
    r->n_fields = 0;
    *got = r->p < r->end;
    if (!*got)
        return RNN_OK;
    *record_line = r->line;
    for (;;) {
        char *start = r->p, *out = r->p;
        int rc;
        if (*r->p == '"') {
            r->p++;
            if ((rc = csv_read_quoted(r, &out, err)))
                return rc;
        }
        /* Unquoted text, or text after a closing quote (kept, as pandas does). */
        while (r->p < r->end && *r->p != r->delim && *r->p != '\n' && *r->p != '\r') {
            if (*r->p == '\0')
                return rnn_fail(err, RNN_EDATA, "%s:%zu: NUL byte (not a text file?)", r->path,
                                r->line);
            *out++ = *r->p++;
        }
        if ((rc = csv_push_field(r, start, (size_t)(out - start), err)))
            return rc;
        bool more = r->p < r->end && *r->p == r->delim;
        if (r->p < r->end)
            more ? (void)r->p++ : csv_skip_newline(r);
        *out = '\0'; /* after moving the cursor: out may point at the terminator just consumed */
        if (!more)
            return RNN_OK;
    }
}

/* ---- the loader ---- */

typedef struct csv_record {
    const char *text, *label;
    size_t text_len, line;
} csv_record;

/* One parsed file: its text and the records of the two chosen columns. */
typedef struct csv_file {
    const char *path;
    rnn_io_text text;   /* invalid UTF-8 already replaced by U+FFFD (text.n_invalid of them) */
    csv_record *rec;
    size_t n, cap;
} csv_file;

static void csv_file_free(csv_file *f)
{
    rnn_io_text_free(&f->text);
    free(f->rec);
}

static char csv_delimiter(const rnn_load_opts *o, const char *path)
{
    if (o->delimiter)
        return o->delimiter;
    size_t n = strlen(path);
    return n >= 4 && strcasecmp(path + n - 4, ".tsv") == 0 ? '\t' : ',';
}

/* Index of column `want` (a header name, else a 0-based number); lists the columns when absent. */
static int csv_column_index(const csv_reader *r, const char *want, const char *arg, int *col,
                            rnn_error *err)
{
    for (size_t i = 0; i < r->n_fields; i++)
        if (strcmp(r->fields[i].s, want) == 0) {
            *col = (int)i;
            return RNN_OK;
        }
    char *end;
    unsigned long idx = strtoul(want, &end, 10);
    if (*want >= '0' && *want <= '9' && *end == '\0' && idx < r->n_fields) {
        *col = (int)idx;
        return RNN_OK;
    }
    char list[400] = "";
    size_t used = 0;
    for (size_t i = 0; i < r->n_fields && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 r->fields[i].s);
    if (used >= sizeof list)
        strcpy(list + sizeof list - 5, "...");
    return rnn_fail(err, RNN_EDATA, "%s: no column '%s' for %s= (columns: %s)", r->path, want, arg,
                    list);
}

/* csv_column_index of a typed name: the header's invalid UTF-8 became U+FFFD, and so does the name's. */
static int csv_find_column(const csv_reader *r, const char *typed, const char *arg, int *col,
                           rnn_error *err)
{
    char *want = rnn_utf8_repaired(typed, strlen(typed), NULL);
    if (!want)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory reading %s", r->path);
    int rc = csv_column_index(r, want, arg, col, err);
    free(want);
    return rc;
}

static int csv_add_record(csv_file *f, const csv_field *text, const csv_field *label, size_t line,
                          rnn_error *err)
{
    if (rnn_grow(&f->rec, &f->cap, f->n + 1, sizeof *f->rec))
        return rnn_fail(err, RNN_EINTERNAL, "out of memory reading %s", f->path);
    f->rec[f->n++] = (csv_record){ text->s, label->s, text->len, line };
    return RNN_OK;
}

/* Reads and parses one file, keeping the text and label columns of every data row. */
static int csv_read(const rnn_load_opts *o, const char *path, csv_file *f, rnn_error *err)
{
    f->path = path;
    int rc = rnn_io_read_text(path, SIZE_MAX, RNN_LINE_LIMIT, &f->text, err);
    if (rc)
        return rc;
    csv_reader r = { .path = path, .p = f->text.p, .end = f->text.p + f->text.len, .line = 1,
                     .delim = csv_delimiter(o, path) };
    if (f->text.len >= 3 && memcmp(r.p, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3; /* a UTF-8 byte order mark, as written by spreadsheet programs */
    bool got;
    size_t line = 1;
    int text_col = 0, label_col = 0;
    if ((rc = csv_next_record(&r, &got, &line, err)))
        goto done;
    if (!got) {
        rc = rnn_fail(err, RNN_EDATA, "%s: empty file (a header row naming the columns is required)",
                      path);
        goto done;
    }
    char where[4200];
    const char *text_name = o->text_col ? o->text_col : "text";
    const char *label_name = o->label_col ? o->label_col : "label";
    if ((rc = csv_find_column(&r, text_name, "text", &text_col, err)) ||
        (rc = csv_find_column(&r, label_name, "label", &label_col, err)))
        goto done;
    size_t width = r.n_fields;
    for (;;) {
        if ((rc = csv_next_record(&r, &got, &line, err)) || !got)
            break;
        if (r.n_fields != width) {
            rc = rnn_fail(err, RNN_EDATA, "%s:%zu: %zu field%s, but the header has %zu", path, line,
                          r.n_fields, r.n_fields == 1 ? "" : "s", width);
            break;
        }
        const csv_field *label = &r.fields[label_col];
        snprintf(where, sizeof where, "%s:%zu", path, line);
        if (label->len == 0) {
            rc = rnn_fail(err, RNN_EDATA, "%s: empty label in column '%s'", where, label_name);
            break;
        }
        if ((rc = csv_add_record(f, &r.fields[text_col], label, line, err)))
            break;
    }
    if (!rc && f->n == 0)
        rc = rnn_fail(err, RNN_EDATA, "%s: no data rows after the header (empty data set)", path);
done:
    free(r.fields);
    return rc;
}

/* Registers the sorted distinct labels of both files as classes. */
static int csv_classes(rnn_dataset *ds, const csv_file *train, const csv_file *test,
                       const rnn_load_opts *o, rnn_error *err)
{
    size_t n = train->n + test->n;
    const char **names = malloc(n * sizeof *names);
    if (!names)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory reading %s", train->path);
    for (size_t i = 0; i < train->n; i++)
        names[i] = train->rec[i].label;
    for (size_t i = 0; i < test->n; i++)
        names[train->n + i] = test->rec[i].label;
    size_t k = rnn_io_sort_class_names(names, n, true);
    int rc = k < 2 ? rnn_fail(err, RNN_EDATA, "%s: a single class ('%s') in column '%s'; "
                              "classification needs at least two", train->path, names[0],
                              o->label_col ? o->label_col : "label")
                   : rnn_io_add_classes(ds, names, k, err);
    free(names);
    return rc;
}

static int csv_fill(rnn_dataset *ds, int split, const csv_file *f, rnn_error *err)
{
    char where[4200];
    int last = -1;
    const char *last_label = NULL;
    for (size_t i = 0; i < f->n; i++) {
        const csv_record *rec = &f->rec[i];
        /* Rows of one class often come in runs: reuse the last lookup. */
        int c = last_label && strcmp(last_label, rec->label) == 0 ? last : rnn_dataset_find_class(ds, rec->label);
        last = c;
        last_label = rec->label;
        snprintf(where, sizeof where, "%s:%zu", f->path, rec->line);
        int rc = rnn_dataset_add_valid(ds, split, rec->text, rec->text_len, c, where, err);
        if (rc)
            return rc;
    }
    return RNN_OK;
}

int rnn_load_csv(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err)
{
    *out = NULL;
    if (!o->path || !*o->path)
        return rnn_fail(err, RNN_EUSAGE, "load csv needs a FILE");
    if (o->test_path && o->test_split > 0)
        return rnn_fail(err, RNN_EUSAGE, "test= and test_split= cannot be combined");
    if ((unsigned char)o->delimiter >= 0x80)
        return rnn_fail(err, RNN_EUSAGE, "delimiter: expected an ASCII character, got byte 0x%02X",
                        (unsigned)(unsigned char)o->delimiter);
    csv_file train = { 0 }, test = { 0 };
    rnn_dataset *ds = NULL;
    int rc = csv_read(o, o->path, &train, err);
    if (!rc && o->test_path)
        rc = csv_read(o, o->test_path, &test, err);
    if (!rc && !(ds = rnn_dataset_new("csv", o->path)))
        rc = rnn_fail(err, RNN_EINTERNAL, "out of memory loading %s", o->path);
    if (!rc)
        ds->n_invalid_utf8 = train.text.n_invalid + test.text.n_invalid;
    if (!rc)
        rc = csv_classes(ds, &train, &test, o, err);
    if (!rc)
        rc = csv_fill(ds, 0, &train, err);
    if (!rc)
        rc = csv_fill(ds, 1, &test, err);
    if (!rc)
        rc = rnn_io_apply_test_split(ds, o, err);
    csv_file_free(&train);
    csv_file_free(&test);
    if (rc) {
        rnn_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return RNN_OK;
}

int rnn_csv_columns(const char *path, char delimiter, char ***names, size_t *n, rnn_error *err)
{
    *names = NULL;
    *n = 0;
    rnn_load_opts o = { .delimiter = delimiter };
    rnn_io_text text = { 0 };
    int rc = rnn_io_read_text(path, SIZE_MAX, RNN_LINE_LIMIT, &text, err);
    if (rc)
        return rc;
    csv_reader r = { .path = path, .p = text.p, .end = text.p + text.len, .line = 1,
                     .delim = csv_delimiter(&o, path) };
    if (text.len >= 3 && memcmp(r.p, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3;
    bool got;
    size_t line = 1;
    if (!(rc = csv_next_record(&r, &got, &line, err)) && !got)
        rc = rnn_fail(err, RNN_EDATA, "%s: empty file (a header row naming the columns is required)", path);
    if (!rc && !(*names = calloc(r.n_fields, sizeof **names)))
        rc = rnn_fail(err, RNN_EINTERNAL, "out of memory reading %s", path);
    for (size_t i = 0; !rc && i < r.n_fields; i++, (*n)++)
        if (!((*names)[i] = strdup(r.fields[i].s)))
            rc = rnn_fail(err, RNN_EINTERNAL, "out of memory reading %s", path);
    if (rc) {
        for (size_t i = 0; i < *n; i++)
            free((*names)[i]);
        free(*names);
        *names = NULL;
        *n = 0;
    }
    free(r.fields);
    rnn_io_text_free(&text);
    return rc;
}
