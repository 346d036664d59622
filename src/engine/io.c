/* save / open: the whole pipeline in one binary file.
 *
 *   header   8-byte magic "\x89RNL\r\n\x1a\n", u32 format version, u32 reserved (0), u64 body length
 *   body     sections: 4-byte tag, u64 length, payload (readers skip tags they do not know)
 *              TOKN  the tokenizer (rnn_tokenizer_write)
 *              PADS  i32 maxlen, u8 padding post, u8 truncating post
 *              CLSS  u32 count, strings
 *              MODL  the model (rnn_model_write): layers as Keras call text, names, trainable flags,
 *                    weights, optimizer configuration and state
 *              RUNS  u32 count, per run: name, history
 *   trailer  u32 CRC-32 (IEEE, as zlib) of header and body
 * Integers and floats are little-endian; strings are u32 length + bytes. The file is written through
 * rnn_write_file (FILE.tmp, synced, renamed): a crash leaves the old file or the new one, never a mix. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rnnlab/io.h"
#include "engine/train_internal.h"

#define IO_FORMAT_VERSION 1u
#define MODEL_FORMAT_VERSION 1u
static const unsigned char io_magic[8] = {0x89, 'R', 'N', 'L', '\r', '\n', 0x1a, '\n'};
enum { IO_HEADER = 24, IO_MAX_STRING = 1 << 20 };

/* ---- CRC-32 (reflected polynomial 0xEDB88320) ---- */

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    static uint32_t table[256];
    static bool ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = true;
    }
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ---- little-endian writers (errors are collected by ferror) ---- */

static void put_u32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    fwrite(b, 1, 4, f);
}

static void put_u64(FILE *f, uint64_t v)
{
    put_u32(f, (uint32_t)v);
    put_u32(f, (uint32_t)(v >> 32));
}

static void put_f64(FILE *f, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    put_u64(f, v);
}

static void put_str(FILE *f, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u32(f, (uint32_t)n);
    fwrite(s ? s : "", 1, n, f);
}

static bool host_is_le(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

static void put_floats(FILE *f, const float *x, size_t n)
{
    if (host_is_le()) {
        fwrite(x, sizeof *x, n, f);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        memcpy(&v, &x[i], 4);
        put_u32(f, v);
    }
}

/* ---- readers: `bad` is set on a short read or an implausible value ---- */

typedef struct rd {
    FILE *f;
    bool bad;
} rd;

static uint32_t get_u32(rd *r)
{
    unsigned char b[4];
    if (fread(b, 1, 4, r->f) != 4) {
        r->bad = true;
        return 0;
    }
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get_u64(rd *r)
{
    uint64_t lo = get_u32(r);
    return lo | (uint64_t)get_u32(r) << 32;
}

static double get_f64(rd *r)
{
    uint64_t v = get_u64(r);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

/* malloc'd string; NULL (and bad) on failure. */
static char *get_str(rd *r)
{
    uint32_t n = get_u32(r);
    if (r->bad || n > IO_MAX_STRING) {
        r->bad = true;
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, n, r->f) != n) {
        free(s);
        r->bad = true;
        return NULL;
    }
    s[n] = '\0';
    return s;
}

static void get_str_into(rd *r, char *buf, size_t cap)
{
    char *s = get_str(r);
    snprintf(buf, cap, "%s", s ? s : "");
    free(s);
}

static void get_floats(rd *r, float *x, size_t n)
{
    if (r->bad)
        return;
    if (host_is_le()) {
        if (fread(x, sizeof *x, n, r->f) != n)
            r->bad = true;
        return;
    }
    for (size_t i = 0; i < n && !r->bad; i++) {
        uint32_t v = get_u32(r);
        memcpy(&x[i], &v, 4);
    }
}

/* ---- model ---- */

static void write_optimizer(FILE *f, const train_state *st)
{
    train_flush_rows((train_state *)st);  /* pending row decays into the slots: same state, in full */
    const optim_config *c = &st->opt.cfg;
    put_u32(f, (uint32_t)c->kind);
    put_f64(f, c->learning_rate);
    put_f64(f, c->momentum);
    put_f64(f, c->rho);
    put_f64(f, c->beta_1);
    put_f64(f, c->beta_2);
    put_f64(f, c->epsilon);
    put_f64(f, c->clipnorm);
    put_f64(f, c->clipvalue);
    put_u32(f, c->nesterov);
    put_u32(f, (uint32_t)st->loss);
    put_u32(f, (uint32_t)st->n_metrics);
    for (int i = 0; i < st->n_metrics; i++) {
        put_u32(f, (uint32_t)st->metric[i]);
        put_str(f, st->metric_name[i]);
    }
    put_u64(f, (uint64_t)st->opt.iterations);
    put_u32(f, (uint32_t)st->opt.n_slots);
    put_u64(f, st->opt.n);
    for (int s = 0; s < st->opt.n_slots; s++)
        put_floats(f, st->opt.slot[s], st->opt.n);
}

int rnn_model_write(const rnn_model *cm, FILE *f, rnn_error *err)
{
    rnn_model *m = (rnn_model *)cm; /* the accessors are not const; nothing is modified */
    size_t nl = rnn_model_n_layers(m);
    char call[1024];
    fwrite("RNNM", 1, 4, f);
    put_u32(f, MODEL_FORMAT_VERSION);
    put_str(f, rnn_model_name(m));
    put_u32(f, (uint32_t)nl);
    for (size_t i = 0; i < nl; i++) {
        rnn_layer *l = rnn_model_layer(m, i);
        int n = l->kind->describe(l, call, sizeof call);
        if (n < 0 || (size_t)n >= sizeof call)
            return rnn_fail(err, RNN_EINTERNAL, "save: the call text of layer %s does not fit", l->name);
        put_str(f, call);
        put_str(f, l->name);
        put_u32(f, l->trainable);
        put_u64(f, l->n_params);
    }
    put_floats(f, rnn_model_params(m), rnn_model_n_params(m));
    train_state *st = train_state_get(m);
    put_u32(f, st != NULL);
    if (st)
        write_optimizer(f, st);
    return ferror(f) ? rnn_fail(err, RNN_EIO, "save: cannot write the model: %s", strerror(errno)) : RNN_OK;
}

/* Reads the optimizer section and compiles m with it, moments and step count included. */
static int read_optimizer(rd *r, rnn_model *m, rnn_error *err)
{
    optim_config c = {0};
    c.kind = (optim_kind)get_u32(r);
    c.learning_rate = get_f64(r);
    c.momentum = get_f64(r);
    c.rho = get_f64(r);
    c.beta_1 = get_f64(r);
    c.beta_2 = get_f64(r);
    c.epsilon = get_f64(r);
    c.clipnorm = get_f64(r);
    c.clipvalue = get_f64(r);
    c.nesterov = get_u32(r) != 0;
    loss_kind loss = (loss_kind)get_u32(r);
    uint32_t nm = get_u32(r);
    if (r->bad || c.kind > OPTIM_ADAM || loss > LOSS_CCE || nm > TRAIN_MAX_METRICS)
        return rnn_fail(err, RNN_EDATA, "open: the optimizer section is damaged");
    metric_kind kinds[TRAIN_MAX_METRICS];
    char names[TRAIN_MAX_METRICS][32];
    for (uint32_t i = 0; i < nm; i++) {
        kinds[i] = (metric_kind)get_u32(r);
        get_str_into(r, names[i], sizeof names[i]);
        if (kinds[i] > METRIC_AUC)
            r->bad = true;
    }
    int64_t iterations = (int64_t)get_u64(r);
    uint32_t n_slots = get_u32(r);
    uint64_t n = get_u64(r);
    if (r->bad)
        return rnn_fail(err, RNN_EDATA, "open: the optimizer section is damaged");
    int rc = train_compile_config(m, &c, loss, (int)nm, kinds, names, err);
    if (rc)
        return rc;
    train_state *st = train_state_get(m);
    if ((int)n_slots != st->opt.n_slots || n != st->opt.n)
        return rnn_fail(err, RNN_EDATA, "open: the optimizer state does not fit the model");
    for (uint32_t s = 0; s < n_slots; s++)
        get_floats(r, st->opt.slot[s], (size_t)n);
    st->opt.iterations = iterations;
    return r->bad ? rnn_fail(err, RNN_EDATA, "open: the optimizer state is truncated") : RNN_OK;
}

/* Rebuilds the layers from their call text and restores names, flags and weights. */
static int read_layers(rd *r, rnn_model *m, uint32_t nl, const rnn_add_ctx *ctx, rnn_error *err)
{
    uint64_t *sizes = calloc(nl ? nl : 1, sizeof *sizes);
    if (!sizes)
        return rnn_fail(err, RNN_EINTERNAL, "open: out of memory");
    int rc = RNN_OK;
    for (uint32_t i = 0; i < nl && !rc; i++) {
        char *call = get_str(r), *name = get_str(r);
        bool trainable = get_u32(r) != 0;
        sizes[i] = get_u64(r);
        if (r->bad) {
            rc = rnn_fail(err, RNN_EDATA, "open: the layer list is damaged");
        } else if ((rc = rnn_model_add(m, call, ctx, err)) == RNN_OK) {
            rnn_layer *l = rnn_model_layer(m, i);
            snprintf(l->name, sizeof l->name, "%s", name);
            l->trainable = trainable;
            if (l->n_params != sizes[i])
                rc = rnn_fail(err, RNN_EDATA, "open: layer %s (%s) has %zu parameter%s here but %llu in "
                              "the file", name, call, l->n_params, l->n_params == 1 ? "" : "s",
                              (unsigned long long)sizes[i]);
        } else {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err ? err->msg : "");
            rc = rnn_fail(err, rc, "open: cannot rebuild layer %s: %s", call, why);
        }
        free(call);
        free(name);
    }
    free(sizes);
    return rc;
}

int rnn_model_read(rnn_model **out, FILE *f, const rnn_add_ctx *ctx, rnn_error *err)
{
    rd r = {f, false};
    char tag[4];
    *out = NULL;
    if (fread(tag, 1, 4, f) != 4 || memcmp(tag, "RNNM", 4))
        return rnn_fail(err, RNN_EDATA, "open: the model section is not an rnnlab model");
    uint32_t version = get_u32(&r);
    if (!r.bad && version > MODEL_FORMAT_VERSION)
        return rnn_fail(err, RNN_EDATA, "open: the model was written by a newer rnnlab (model format %u, "
                        "this build reads up to %u)", version, MODEL_FORMAT_VERSION);
    char *name = get_str(&r);
    uint32_t nl = get_u32(&r);
    if (r.bad || nl > 100000) {
        free(name);
        return rnn_fail(err, RNN_EDATA, "open: the model section is damaged");
    }
    rnn_model *m = rnn_model_new(name, 0);
    free(name);
    if (!m)
        return rnn_fail(err, RNN_EINTERNAL, "open: out of memory");
    int rc = read_layers(&r, m, nl, ctx, err);
    if (!rc) {
        get_floats(&r, rnn_model_params(m), rnn_model_n_params(m));
        uint32_t compiled = get_u32(&r);
        if (r.bad)
            rc = rnn_fail(err, RNN_EDATA, "open: the model weights are truncated");
        else if (compiled)
            rc = read_optimizer(&r, m, err);
    }
    if (rc) {
        rnn_model_free(m);
        return rc;
    }
    *out = m;
    return RNN_OK;
}

/* ---- histories ---- */

static void write_history(FILE *f, const char *name, const rnn_history *h)
{
    put_str(f, name);
    put_u32(f, (uint32_t)h->n_metrics);
    for (int i = 0; i < h->n_metrics; i++)
        put_str(f, h->names[i]);
    put_u32(f, (uint32_t)h->n_epochs);
    for (size_t i = 0; i < (size_t)h->n_epochs * h->n_metrics; i++)
        put_f64(f, h->values[i]);
    for (int e = 0; e < h->n_epochs; e++)
        put_f64(f, h->seconds[e]);
    put_u32(f, (uint32_t)h->best_epoch);
    put_str(f, h->stop_reason);
}

static int read_history(rd *r, char **name, rnn_history *h, rnn_error *err)
{
    memset(h, 0, sizeof *h);
    *name = get_str(r);
    uint32_t nm = get_u32(r);
    if (r->bad || nm > RNN_MAX_METRICS)
        return rnn_fail(err, RNN_EDATA, "open: a run's history is damaged");
    h->n_metrics = (int)nm;
    for (uint32_t i = 0; i < nm; i++)
        get_str_into(r, h->names[i], sizeof h->names[i]);
    uint32_t ne = get_u32(r);
    if (r->bad || ne > 10000000)
        return rnn_fail(err, RNN_EDATA, "open: a run's history is damaged");
    h->n_epochs = h->cap_epochs = (int)ne;
    h->values = malloc(((size_t)ne * RNN_MAX_METRICS + 1) * sizeof *h->values);
    h->seconds = malloc(((size_t)ne + 1) * sizeof *h->seconds);
    if (!h->values || !h->seconds)
        return rnn_fail(err, RNN_EINTERNAL, "open: out of memory");
    for (size_t i = 0; i < (size_t)ne * nm; i++)
        h->values[i] = get_f64(r);
    for (uint32_t e = 0; e < ne; e++)
        h->seconds[e] = get_f64(r);
    h->best_epoch = (int)get_u32(r);
    get_str_into(r, h->stop_reason, sizeof h->stop_reason);
    return r->bad ? rnn_fail(err, RNN_EDATA, "open: a run's history is truncated") : RNN_OK;
}

/* ---- sections ---- */

typedef int (*section_writer)(const rnn_pipeline *p, FILE *f, rnn_error *err);

static int write_tokenizer(const rnn_pipeline *p, FILE *f, rnn_error *err)
{
    return rnn_tokenizer_write(p->tokenizer, f, err);
}

static int write_padding(const rnn_pipeline *p, FILE *f, rnn_error *err)
{
    (void)err;
    put_u32(f, (uint32_t)p->maxlen);
    fputc(p->pad_post, f);
    fputc(p->trunc_post, f);
    return RNN_OK;
}

static int write_classes(const rnn_pipeline *p, FILE *f, rnn_error *err)
{
    (void)err;
    put_u32(f, (uint32_t)p->n_classes);
    for (int i = 0; i < p->n_classes; i++)
        put_str(f, p->class_names ? p->class_names[i] : NULL);
    return RNN_OK;
}

static int write_model(const rnn_pipeline *p, FILE *f, rnn_error *err) { return rnn_model_write(p->model, f, err); }

static int write_runs(const rnn_pipeline *p, FILE *f, rnn_error *err)
{
    (void)err;
    put_u32(f, (uint32_t)p->n_runs);
    for (int i = 0; i < p->n_runs; i++)
        write_history(f, p->run_names ? p->run_names[i] : "", &p->runs[i]);
    return RNN_OK;
}

/* Appends one section (tag, length, payload) to body. */
static int add_section(FILE *body, const char *tag, section_writer fn, const rnn_pipeline *p, rnn_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return rnn_fail(err, RNN_EINTERNAL, "save: out of memory");
    int rc = fn(p, f, err);
    if (fclose(f) && !rc)
        rc = rnn_fail(err, RNN_EINTERNAL, "save: out of memory for the %.4s section", tag);
    if (!rc) {
        fwrite(tag, 1, 4, body);
        put_u64(body, len);
        fwrite(buf, 1, len, body);
    }
    free(buf);
    return rc;
}

/* Header + body + CRC, as one buffer. */
static int save_build(const rnn_pipeline *p, char **out, size_t *out_len, rnn_error *err)
{
    char *body = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&body, &blen);
    if (!f)
        return rnn_fail(err, RNN_EINTERNAL, "save: out of memory");
    int rc = RNN_OK;
    if (p->tokenizer)
        rc = add_section(f, "TOKN", write_tokenizer, p, err);
    if (!rc)
        rc = add_section(f, "PADS", write_padding, p, err);
    if (!rc && p->n_classes > 0)
        rc = add_section(f, "CLSS", write_classes, p, err);
    if (!rc && p->model)
        rc = add_section(f, "MODL", write_model, p, err);
    if (!rc && p->n_runs > 0)
        rc = add_section(f, "RUNS", write_runs, p, err);
    if (fclose(f) && !rc)
        rc = rnn_fail(err, RNN_EINTERNAL, "save: out of memory");
    if (rc) {
        free(body);
        return rc;
    }
    char *all = NULL;
    size_t alen = 0;
    f = open_memstream(&all, &alen);
    if (!f) {
        free(body);
        return rnn_fail(err, RNN_EINTERNAL, "save: out of memory");
    }
    fwrite(io_magic, 1, 8, f);
    put_u32(f, IO_FORMAT_VERSION);
    put_u32(f, 0);
    put_u64(f, blen);
    fwrite(body, 1, blen, f);
    free(body);
    if (fclose(f))
        return rnn_fail(err, RNN_EINTERNAL, "save: out of memory");
    unsigned char crc[4];
    uint32_t c = crc32_update(0, (const unsigned char *)all, alen);
    for (int i = 0; i < 4; i++)
        crc[i] = (unsigned char)(c >> (8 * i));
    char *grown = realloc(all, alen + 4);
    if (!grown) {
        free(all);
        return rnn_fail(err, RNN_EINTERNAL, "save: out of memory");
    }
    memcpy(grown + alen, crc, 4);
    *out = grown;
    *out_len = alen + 4;
    return RNN_OK;
}

int rnn_pipeline_save(const char *path, const rnn_pipeline *p, rnn_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = save_build(p, &buf, &len, err);
    if (rc)
        return rc;
    rc = rnn_write_file(path, buf, len, err);
    free(buf);
    return rc;
}

/* ---- open ---- */

void rnn_pipeline_free(rnn_pipeline *p)
{
    if (!p)
        return;
    rnn_tokenizer_free(p->tokenizer);
    rnn_model_free(p->model);
    for (int i = 0; p->class_names && i < p->n_classes; i++)
        free(p->class_names[i]);
    free(p->class_names);
    for (int i = 0; i < p->n_runs; i++) {
        if (p->run_names)
            free(p->run_names[i]);
        if (p->runs)
            rnn_history_free(&p->runs[i]);
    }
    free(p->run_names);
    free(p->runs);
    memset(p, 0, sizeof *p);
}

static int read_file(const char *path, unsigned char **out, size_t *len, rnn_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return rnn_fail(err, errno == ENOENT ? RNN_ENOINPUT : RNN_EIO, "open: cannot open %s: %s", path,
                        strerror(errno));
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            unsigned char *g = realloc(buf, cap);
            if (!g) {
                free(buf);
                fclose(f);
                return rnn_fail(err, RNN_EINTERNAL, "open: out of memory reading %s", path);
            }
            buf = g;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return rnn_fail(err, RNN_EIO, "open: cannot read %s", path);
    }
    *out = buf;
    *len = n;
    return RNN_OK;
}

static uint64_t le64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

/* Magic, version, length and checksum; on success *body and *blen locate the sections. */
static int open_validate(const char *path, const unsigned char *buf, size_t len, const unsigned char **body,
                         size_t *blen, rnn_error *err)
{
    if (len < 8 || memcmp(buf, io_magic, 8))
        return rnn_fail(err, RNN_EDATA, "open: %s is not an rnnlab save file", path);
    if (len < IO_HEADER + 4)
        return rnn_fail(err, RNN_EDATA, "open: %s is truncated (%zu bytes)", path, len);
    uint32_t version = (uint32_t)le64(buf + 8) & 0xffffffffu;
    if (version > IO_FORMAT_VERSION || version == 0)
        return rnn_fail(err, RNN_EDATA, "open: %s was written by a newer rnnlab (file format %u; this build "
                        "reads up to %u)", path, version, IO_FORMAT_VERSION);
    uint64_t want = le64(buf + 16);
    if (want > len - IO_HEADER - 4)
        return rnn_fail(err, RNN_EDATA, "open: %s is truncated (%zu of %llu bytes)", path, len,
                        (unsigned long long)(want + IO_HEADER + 4));
    if (want < len - IO_HEADER - 4)
        return rnn_fail(err, RNN_EDATA, "open: %s has %llu unexpected bytes at its end", path,
                        (unsigned long long)(len - IO_HEADER - 4 - want));
    uint32_t stored = (uint32_t)buf[len - 4] | (uint32_t)buf[len - 3] << 8 | (uint32_t)buf[len - 2] << 16 |
             (uint32_t)buf[len - 1] << 24;
    if (crc32_update(0, buf, len - 4) != stored)
        return rnn_fail(err, RNN_EDATA, "open: %s is corrupt (checksum mismatch)", path);
    *body = buf + IO_HEADER;
    *blen = (size_t)want;
    return RNN_OK;
}

static int read_classes(rd *r, rnn_pipeline *p, rnn_error *err)
{
    uint32_t n = get_u32(r);
    if (r->bad || n > 1000000)
        return rnn_fail(err, RNN_EDATA, "open: the class names are damaged");
    p->class_names = calloc(n ? n : 1, sizeof *p->class_names);
    if (!p->class_names)
        return rnn_fail(err, RNN_EINTERNAL, "open: out of memory");
    p->n_classes = (int)n;
    for (uint32_t i = 0; i < n && !r->bad; i++)
        p->class_names[i] = get_str(r);
    return r->bad ? rnn_fail(err, RNN_EDATA, "open: the class names are damaged") : RNN_OK;
}

static int read_runs(rd *r, rnn_pipeline *p, rnn_error *err)
{
    uint32_t n = get_u32(r);
    if (r->bad || n > 100000)
        return rnn_fail(err, RNN_EDATA, "open: the runs are damaged");
    p->run_names = calloc(n ? n : 1, sizeof *p->run_names);
    p->runs = calloc(n ? n : 1, sizeof *p->runs);
    if (!p->run_names || !p->runs)
        return rnn_fail(err, RNN_EINTERNAL, "open: out of memory");
    int rc = RNN_OK;
    for (uint32_t i = 0; i < n && !rc; i++) {
        p->n_runs = (int)i + 1;
        rc = read_history(r, &p->run_names[i], &p->runs[i], err);
    }
    return rc;
}

static int read_section(const char *tag, FILE *f, rnn_pipeline *p, rnn_error *err)
{
    rd r = {f, false};
    if (!memcmp(tag, "TOKN", 4))
        return rnn_tokenizer_read(&p->tokenizer, f, err);
    if (!memcmp(tag, "PADS", 4)) {
        p->maxlen = (int)get_u32(&r);
        int a = fgetc(f), b = fgetc(f);
        p->pad_post = a == 1;
        p->trunc_post = b == 1;
        return r.bad || a == EOF || b == EOF ? rnn_fail(err, RNN_EDATA, "open: the padding settings are damaged")
                                             : RNN_OK;
    }
    if (!memcmp(tag, "CLSS", 4))
        return read_classes(&r, p, err);
    if (!memcmp(tag, "MODL", 4))
        return rnn_model_read(&p->model, f, NULL, err);
    if (!memcmp(tag, "RUNS", 4))
        return read_runs(&r, p, err);
    return RNN_OK; /* a section of a later minor revision: skipped */
}

int rnn_pipeline_open(const char *path, rnn_pipeline *p, rnn_error *err)
{
    unsigned char *buf = NULL;
    size_t len = 0, blen = 0;
    const unsigned char *body = NULL;
    memset(p, 0, sizeof *p);
    int rc = read_file(path, &buf, &len, err);
    if (rc)
        return rc;
    if ((rc = open_validate(path, buf, len, &body, &blen, err))) {
        free(buf);
        return rc;
    }
    size_t pos = 0;
    while (!rc && pos < blen) {
        if (blen - pos < 12) {
            rc = rnn_fail(err, RNN_EDATA, "open: %s has a damaged section table", path);
            break;
        }
        char tag[5] = {0};
        memcpy(tag, body + pos, 4);
        uint64_t slen = le64(body + pos + 4);
        pos += 12;
        if (slen > blen - pos) {
            rc = rnn_fail(err, RNN_EDATA, "open: %s: section %s overruns the file", path, tag);
            break;
        }
        FILE *f = slen ? fmemopen((void *)(body + pos), (size_t)slen, "rb") : NULL;
        if (slen && !f)
            rc = rnn_fail(err, RNN_EINTERNAL, "open: out of memory");
        else if (f) {
            rc = read_section(tag, f, p, err);
            fclose(f);
        }
        pos += (size_t)slen;
    }
    free(buf);
    if (rc)
        rnn_pipeline_free(p);
    return rc;
}
