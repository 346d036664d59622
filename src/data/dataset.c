/* Data set building blocks shared by all loaders, numpy-compatible shuffling, and the cache folder. */
#include "config.h"
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "data/data_internal.h"

/* ---- numpy's legacy RandomState: MT19937 seeded by init_genrand, masked-rejection intervals ---- */

void rnn_numpy_seed(rnn_numpy_rng *r, uint32_t seed)
{
    for (int i = 0; i < 624; i++) {
        r->key[i] = seed;
        seed = 1812433253U * (seed ^ (seed >> 30)) + (uint32_t)i + 1;
    }
    r->pos = 624;
}

static void numpy_regenerate(rnn_numpy_rng *r)
{
    static const uint32_t mag01[2] = {0, 0x9908B0DFU};
    uint32_t *k = r->key;
    int i;
    for (i = 0; i < 624 - 397; i++) {
        uint32_t y = (k[i] & 0x80000000U) | (k[i + 1] & 0x7FFFFFFFU);
        k[i] = k[i + 397] ^ (y >> 1) ^ mag01[y & 1];
    }
    for (; i < 623; i++) {
        uint32_t y = (k[i] & 0x80000000U) | (k[i + 1] & 0x7FFFFFFFU);
        k[i] = k[i + 397 - 624] ^ (y >> 1) ^ mag01[y & 1];
    }
    uint32_t y = (k[623] & 0x80000000U) | (k[0] & 0x7FFFFFFFU);
    k[623] = k[396] ^ (y >> 1) ^ mag01[y & 1];
    r->pos = 0;
}

uint32_t rnn_numpy_next32(rnn_numpy_rng *r)
{
    if (r->pos >= 624)
        numpy_regenerate(r);
    uint32_t y = r->key[r->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9D2C5680U;
    y ^= (y << 15) & 0xEFC60000U;
    y ^= y >> 18;
    return y;
}

double rnn_numpy_double(rnn_numpy_rng *r)
{
    uint32_t a = rnn_numpy_next32(r) >> 5, b = rnn_numpy_next32(r) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

uint64_t rnn_numpy_interval(rnn_numpy_rng *r, uint64_t max)
{
    if (max == 0)
        return 0;
    uint64_t mask = max, v;
    mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4;
    mask |= mask >> 8; mask |= mask >> 16; mask |= mask >> 32;
    if (max <= 0xFFFFFFFFULL) {
        while ((v = (rnn_numpy_next32(r) & mask)) > max)
            ;
    } else {
        while ((v = ((((uint64_t)rnn_numpy_next32(r) << 32) | rnn_numpy_next32(r)) & mask)) > max)
            ;
    }
    return v;
}

void rnn_numpy_permutation(rnn_numpy_rng *r, size_t n, size_t *perm)
{
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    /* Legacy shuffle: Fisher-Yates from the end. */
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)rnn_numpy_interval(r, i);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

int rnn_split_shuffle_rng(rnn_split *s, rnn_numpy_rng *r)
{
    if (s->n < 2)
        return RNN_OK;
    size_t *perm = malloc(s->n * sizeof *perm);
    char **text = malloc(s->n * sizeof *text);
    int *label = malloc(s->n * sizeof *label);
    if (!perm || !text || !label) {
        free(perm); free(text); free(label);
        return RNN_EINTERNAL;
    }
    rnn_numpy_permutation(r, s->n, perm);
    for (size_t i = 0; i < s->n; i++) {
        text[i] = s->text[perm[i]];
        label[i] = s->label[perm[i]];
    }
    memcpy(s->text, text, s->n * sizeof *text);
    memcpy(s->label, label, s->n * sizeof *label);
    free(perm); free(text); free(label);
    return RNN_OK;
}

void rnn_split_shuffle_numpy(rnn_split *s, unsigned long seed)
{
    rnn_numpy_rng r;
    rnn_numpy_seed(&r, (uint32_t)seed);
    /* Out of memory leaves the order unchanged; callers that care use rnn_split_shuffle_rng. */
    (void)rnn_split_shuffle_rng(s, &r);
}

/* ---- data sets ---- */

rnn_dataset *rnn_dataset_new(const char *name, const char *source)
{
    rnn_dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    ds->arena = rnn_arena_new((size_t)16 << 20);
    if (!ds->arena) {
        free(ds);
        return NULL;
    }
    snprintf(ds->name, sizeof ds->name, "%s", name ? name : "");
    snprintf(ds->source, sizeof ds->source, "%s", source ? source : "");
    return ds;
}

void rnn_dataset_free(rnn_dataset *ds)
{
    if (!ds)
        return;
    free(ds->train.text); free(ds->train.label);
    free(ds->test.text); free(ds->test.label);
    free(ds->source_text);
    free(ds->class_names);
    rnn_arena_free(ds->arena);
    free(ds);
}

int rnn_dataset_find_class(const rnn_dataset *ds, const char *name)
{
    for (int i = 0; i < ds->n_classes; i++)
        if (strcmp(ds->class_names[i], name) == 0)
            return i;
    return -1;
}

int rnn_dataset_class(rnn_dataset *ds, const char *name)
{
    int found = rnn_dataset_find_class(ds, name);
    if (found >= 0)
        return found;
    char **names = realloc(ds->class_names, (size_t)(ds->n_classes + 1) * sizeof *names);
    if (!names)
        return -1;
    ds->class_names = names;
    char *copy = rnn_arena_strndup(ds->arena, name, strlen(name));
    if (!copy)
        return -1;
    names[ds->n_classes] = copy;
    return ds->n_classes++;
}

/* Capacity of a split's arrays is implied by n: max(16, next power of two >= n). */
static size_t split_capacity(size_t n)
{
    size_t c = 16;
    while (c < n)
        c <<= 1;
    return c;
}

static int split_reserve(rnn_split *s, size_t n)
{
    size_t cap = split_capacity(n);
    char **text = realloc(s->text, cap * sizeof *text);
    if (!text)
        return RNN_EINTERNAL;
    s->text = text;
    int *label = realloc(s->label, cap * sizeof *label);
    if (!label)
        return RNN_EINTERNAL;
    s->label = label;
    return RNN_OK;
}

int rnn_split_append(rnn_split *s, char *text, int label)
{
    /* Grow when n reaches the implied capacity (0, 16, 32, ...). */
    if ((s->n == 0 || (s->n >= 16 && (s->n & (s->n - 1)) == 0)) && split_reserve(s, s->n + 1))
        return RNN_EINTERNAL;
    s->text[s->n] = text;
    s->label[s->n] = label;
    s->n++;
    return RNN_OK;
}

char *rnn_dataset_text(rnn_dataset *ds, const char *text, size_t len, bool in_arena)
{
    size_t bad, n = rnn_utf8_repaired_length(text, len, &bad);
    if (!bad)
        return in_arena ? (char *)text : rnn_arena_strndup(ds->arena, text, len);
    char *copy = rnn_arena_alloc(ds->arena, n + 1, 1);
    if (!copy)
        return NULL;
    rnn_utf8_repair(text, len, copy);
    copy[n] = '\0';
    ds->n_invalid_utf8 += bad;
    return copy;
}

int rnn_dataset_check_nul(const char *text, size_t len, const char *where, rnn_error *err)
{
    const char *nul = memchr(text, '\0', len);
    if (nul)
        return rnn_fail(err, RNN_EDATA, "%s: NUL byte at byte %zu (not a text file?)",
                        where ? where : "text", (size_t)(nul - text));
    return RNN_OK;
}

/* rnn_dataset_add; with `valid`, text is known to be valid UTF-8 and is copied without a scan. */
static int dataset_add(rnn_dataset *ds, int split, const char *text, size_t len, int label,
                       const char *where, bool valid, rnn_error *err)
{
    int rc = rnn_dataset_check_nul(text, len, where, err);
    if (rc)
        return rc;
    if (label < 0 || label >= ds->n_classes)
        return rnn_fail(err, RNN_EINTERNAL, "%s: label %d outside 0..%d", where ? where : "text",
                        label, ds->n_classes - 1);
    char *copy = valid ? rnn_arena_strndup(ds->arena, text, len) : rnn_dataset_text(ds, text, len, false);
    if (!copy || rnn_split_append(split ? &ds->test : &ds->train, copy, label))
        return rnn_fail(err, RNN_EINTERNAL, "out of memory adding a text");
    return RNN_OK;
}

int rnn_dataset_add(rnn_dataset *ds, int split, const char *text, size_t len, int label,
                    const char *where, rnn_error *err)
{
    return dataset_add(ds, split, text, len, label, where, false, err);
}

int rnn_dataset_add_valid(rnn_dataset *ds, int split, const char *text, size_t len, int label,
                          const char *where, rnn_error *err)
{
    return dataset_add(ds, split, text, len, label, where, true, err);
}

static int compare_names(const void *a, const void *b)
{
    /* strcmp orders UTF-8 by code point, like Python's sorted() on str. */
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

static void split_relabel(rnn_split *s, const int *map)
{
    for (size_t i = 0; i < s->n; i++)
        s->label[i] = map[s->label[i]];
}

void rnn_dataset_sort_classes(rnn_dataset *ds)
{
    int n = ds->n_classes;
    if (n < 2)
        return;
    char **ptrs[n]; /* pointers into class_names, sorted by the name they point at */
    char *names[n];
    int map[n];
    for (int i = 0; i < n; i++) {
        names[i] = ds->class_names[i];
        ptrs[i] = &names[i];
    }
    qsort(ptrs, (size_t)n, sizeof ptrs[0], compare_names);
    for (int k = 0; k < n; k++) {
        int old = (int)(ptrs[k] - names);
        map[old] = k;
        ds->class_names[k] = names[old];
    }
    split_relabel(&ds->train, map);
    split_relabel(&ds->test, map);
}

int rnn_dataset_split_test(rnn_dataset *ds, double fraction, unsigned long seed, bool test_first, rnn_error *err)
{
    if (!(fraction > 0 && fraction < 1))
        return rnn_fail(err, RNN_EUSAGE, "test_split: %g is not between 0 and 1", fraction);
    if (seed > 0xFFFFFFFFUL)
        return rnn_fail(err, RNN_EUSAGE, "seed: %lu is not between 0 and 2**32-1", seed);
    if (ds->test.n > 0)
        return rnn_fail(err, RNN_EUSAGE, "%s already has a test part", ds->name);
    size_t n = ds->train.n;
    /* As the Python peers: first int(n * (1 - fraction)) of the permutation train, the rest test; or
     * as scikit-learn: first ceil(n * fraction) test, the rest train */
    size_t cut = test_first ? n - (size_t)ceil((double)n * fraction) : (size_t)((double)n * (1.0 - fraction));
    if (cut == 0 || cut >= n)
        return rnn_fail(err, RNN_EDATA, "test_split=%g leaves an empty part of %zu texts", fraction, n);
    char **source = malloc(n * sizeof *source);
    if (!source)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory splitting %zu texts", n);
    memcpy(source, ds->train.text, n * sizeof *source);
    rnn_numpy_rng r;
    rnn_numpy_seed(&r, (uint32_t)seed);
    if (rnn_split_shuffle_rng(&ds->train, &r)) {
        free(source);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory shuffling %zu texts", n);
    }
    free(ds->source_text);
    ds->source_text = source;
    ds->n_source = n;
    rnn_split *t = &ds->test;
    if (split_reserve(t, n - cut))
        return rnn_fail(err, RNN_EINTERNAL, "out of memory splitting %zu texts", n);
    size_t from = test_first ? 0 : cut;
    memcpy(t->text, ds->train.text + from, (n - cut) * sizeof *t->text);
    memcpy(t->label, ds->train.label + from, (n - cut) * sizeof *t->label);
    t->n = n - cut;
    if (test_first) {
        memmove(ds->train.text, ds->train.text + (n - cut), cut * sizeof *ds->train.text);
        memmove(ds->train.label, ds->train.label + (n - cut), cut * sizeof *ds->train.label);
    }
    ds->train.n = cut;
    return RNN_OK;
}

void rnn_split_class_counts(const rnn_dataset *ds, const rnn_split *s, size_t *counts)
{
    for (int c = 0; c < ds->n_classes; c++)
        counts[c] = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->label[i] >= 0 && s->label[i] < ds->n_classes)
            counts[s->label[i]]++;
}

/* ---- finding a known data set ---- */

static bool path_is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool path_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

int rnn_data_locate(const rnn_load_opts *o, const char *kind, const char *alt_dir, char *out, size_t size,
                    bool *is_dir, rnn_error *err)
{
    size_t n_known;
    const rnn_dataset_info *known = rnn_known_datasets(&n_known), *info = NULL;
    for (size_t i = 0; i < n_known; i++)
        if (strcmp(known[i].kind, kind) == 0)
            info = &known[i];
    if (!info)
        return rnn_fail(err, RNN_EINTERNAL, "no download known for %s", kind);
    *is_dir = false;
    if (o->path) {
        if (!path_exists(o->path))
            return rnn_fail(err, RNN_ENOINPUT, "%s: no such file or folder", o->path);
        if (!path_is_dir(o->path)) {
            snprintf(out, size, "%s", o->path);
            return RNN_OK;
        }
    }
    const char *dir = o->path ? o->path : o->data_dir ? o->data_dir : rnn_data_dir();
    snprintf(out, size, "%s/%s", dir, info->file);
    bool refetch = o->refetch && !o->path;
    if (path_exists(out) && !refetch)
        return RNN_OK;
    if (alt_dir && !refetch) {
        snprintf(out, size, "%s/%s", dir, alt_dir);
        if (path_is_dir(out)) {
            *is_dir = true;
            return RNN_OK;
        }
    }
    if (o->path) {
        /* A folder that is itself the extracted data set. */
        snprintf(out, size, "%s", o->path);
        *is_dir = true;
        return RNN_OK;
    }
    snprintf(out, size, "%s/%s", dir, info->file);
    if (!o->allow_download)
        return rnn_fail(err, RNN_ENOINPUT, "%s not found in %s (downloads are off; get %s there)",
                        info->file, dir, info->url);
    rnn_error why = { 0 };
    int rc = rnn_fetch(info->url, out, info->sha256, o->progress, o->progress_user, &why);
    if (rc)
        rnn_fail(err, rc, "%s; to get it by hand, download %s and place %s in %s", why.msg, info->url,
                 info->file, dir);
    return rc;
}

int rnn_data_damaged(const rnn_load_opts *o, const char *kind, int rc, rnn_error *err)
{
    if (rc != RNN_EDATA || o->path)
        return rc; /* only the cached copy is rnnlab's to fetch again */
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    char hint[96];
    int n = snprintf(hint, sizeof hint, " (the cached copy: load %s refetch=true downloads it again)", kind);
    return rnn_fail(err, rc, "%.*s%s", (int)(sizeof msg - 1 - (size_t)n), msg, hint);
}

/* ---- cache folder ---- */

static char data_dir_override[4096];
static char data_dir_default[4096];

void rnn_set_data_dir(const char *dir)
{
    snprintf(data_dir_override, sizeof data_dir_override, "%s", dir ? dir : "");
}

const char *rnn_data_dir(void)
{
    if (data_dir_override[0])
        return data_dir_override;
    const char *env = getenv("RNNLAB_DATA");
    if (env && *env)
        return env;
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && *xdg)
        snprintf(data_dir_default, sizeof data_dir_default, "%s/rnnlab/datasets", xdg);
    else {
        const char *home = getenv("HOME");
        snprintf(data_dir_default, sizeof data_dir_default, "%s/.cache/rnnlab/datasets",
                 home && *home ? home : ".");
    }
    return data_dir_default;
}
