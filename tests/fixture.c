/* PyTorch fixture files: the reader and the tolerance (tests/fixture.h). */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rnnlab/tensor.h"
#include "tests/fixture.h"

/* A number, whole: "0.5", "-3", "nan", "inf"; keys such as "x" or "dy" are not. */
static int token_number(const char *tok, double *v)
{
    char *end;
    *v = strtod(tok, &end);
    return end != tok && *end == '\0';
}

static int read_token(FILE *f, char *tok, size_t size)
{
    int c;
    while ((c = getc(f)) != EOF && isspace(c))
        ;
    size_t n = 0;
    while (c != EOF && !isspace(c)) {
        if (n + 1 < size)
            tok[n++] = (char)c;
        c = getc(f);
    }
    if (c != EOF)
        ungetc(c, f);
    tok[n] = '\0';
    return n > 0;
}

static void read_rest_of_line(FILE *f, char *out, size_t size)
{
    char line[1024] = "";
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    line[strcspn(line, "\n")] = '\0';
    const char *s = line;
    while (*s == ' ' || *s == '\t')
        s++;
    if (out)
        snprintf(out, size, "%s", s);
}

static int push_value(fixture_record *r, size_t *cap, double v)
{
    if (r->n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        double *p = realloc(r->v, c * sizeof *p);
        if (!p)
            return -1;
        r->v = p;
        *cap = c;
    }
    r->v[r->n++] = v;
    return 0;
}

static fixture_record *new_record(fixture *fx, const char *key)
{
    fixture_record *p = realloc(fx->records, (fx->n_records + 1) * sizeof *p);
    if (!p)
        return NULL;
    fx->records = p;
    fixture_record *r = &p[fx->n_records++];
    memset(r, 0, sizeof *r);
    snprintf(r->key, sizeof r->key, "%s", key);
    return r;
}

int fixture_read(const char *path, fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    const char *base = strrchr(path, '/');
    snprintf(fx->name, sizeof fx->name, "%s", base ? base + 1 : path);
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("FAIL cannot open fixture %s\n", path);
        return -1;
    }
    char tok[64];
    double v;
    fixture_record *r = NULL;
    size_t cap = 0;
    int rc = 0;
    while (!rc && read_token(f, tok, sizeof tok)) {
        if (tok[0] == '#') {
            read_rest_of_line(f, NULL, 0);
        } else if (strcmp(tok, "call") == 0) {
            read_rest_of_line(f, fx->call, sizeof fx->call);
            r = NULL;
        } else if (token_number(tok, &v)) {
            rc = r ? push_value(r, &cap, v) : -1;
        } else {
            r = new_record(fx, tok);
            cap = 0;
            rc = r ? 0 : -1;
        }
    }
    fclose(f);
    if (rc) {
        printf("FAIL malformed fixture %s: '%s' %s\n", path, tok, r ? "" : "before any key");
        fixture_free(fx);
    }
    return rc;
}

void fixture_free(fixture *fx)
{
    for (size_t i = 0; i < fx->n_records; i++)
        free(fx->records[i].v);
    free(fx->records);
    fx->records = NULL;
    fx->n_records = 0;
}

static const fixture_record *find(const fixture *fx, const char *key)
{
    for (size_t i = 0; i < fx->n_records; i++)
        if (strcmp(fx->records[i].key, key) == 0)
            return &fx->records[i];
    return NULL;
}

const double *fixture_array(const fixture *fx, const char *key, size_t *n)
{
    const fixture_record *r = find(fx, key);
    *n = 0;
    if (!r || r->n == 0 || r->v[0] != (double)(size_t)r->v[0] || (size_t)r->v[0] != r->n - 1)
        return NULL;
    *n = r->n - 1;
    return r->v + 1;
}

int fixture_ints(const fixture *fx, const char *key, int *out, size_t k)
{
    const fixture_record *r = find(fx, key);
    if (!r || r->n != k)
        return -1;
    for (size_t i = 0; i < k; i++)
        out[i] = (int)r->v[i];
    return 0;
}

float *fixture_floats(const fixture *fx, const char *key, size_t *n)
{
    size_t m;
    const double *a = fixture_array(fx, key, &m);
    if (n)
        *n = m;
    if (!a)
        return NULL;
    float *f = rnn_alloc_aligned((m ? m : 1) * sizeof *f);
    for (size_t i = 0; f && i < m; i++)
        f[i] = (float)a[i];
    return f;
}

unsigned char *fixture_mask(const fixture *fx, const char *key)
{
    size_t n;
    const double *a = fixture_array(fx, key, &n);
    unsigned char *m = a ? malloc(n ? n : 1) : NULL;
    for (size_t i = 0; m && i < n; i++)
        m[i] = a[i] != 0;
    return m;
}

int fixture_compare(const fixture *fx, const char *what, const float *got, const double *want, size_t n)
{
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want[i]) / fmax(fabs(want[i]), FIXTURE_FLOOR);
        if (!(d <= worst)) { /* NaN counts as the worst */
            worst = d;
            at = i;
            if (isnan(d))
                break;
        }
    }
    int bad = !(worst <= FIXTURE_RTOL);
    printf("  %-24s %-10s %6zu values  rel err %.2e%s\n", fx->name, what, n, worst, bad ? "  FAIL" : "");
    if (bad)
        printf("FAIL %s: %s[%zu] = %.9g, PyTorch %.9g\n", fx->name, what, at, got[at], want[at]);
    return bad;
}

int fixture_check(const fixture *fx, const char *key, const float *got, size_t n)
{
    size_t m;
    const double *want = fixture_array(fx, key, &m);
    if (!want || m != n) {
        printf("FAIL %s: %s has %zu values, the fixture %zu\n", fx->name, key, n, m);
        return 1;
    }
    return fixture_compare(fx, key, got, want, n);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char **fixture_names(const char *folder, char *dir, size_t dir_size, int *n)
{
    const char *srcdir = getenv("srcdir");
    snprintf(dir, dir_size, "%s/tests/fixtures/%s", srcdir ? srcdir : ".", folder);
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        printf("FAIL no fixture folder %s\n", dir);
        return NULL;
    }
    char **names = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt") != 0)
            continue;
        char **p = realloc(names, (size_t)(*n + 1) * sizeof *p);
        if (!p)
            break;
        names = p;
        names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (names)
        qsort(names, (size_t)*n, sizeof *names, by_name);
    return names;
}

void fixture_names_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int fixture_run_all(const char *folder, int (*run)(const fixture *fx), int *n)
{
    char dir[1024];
    char **names = fixture_names(folder, dir, sizeof dir, n);
    int failed = names ? 0 : 1;
    for (int i = 0; names && i < *n; i++) {
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        fixture fx;
        failed += fixture_read(path, &fx) || run(&fx) ? 1 : 0;
        fixture_free(&fx);
    }
    if (names) fixture_names_free(names, *n);
    return failed;
}
