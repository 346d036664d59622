/* save / open: the whole pipeline in one binary file.
 *
 *   header   8-byte magic "\x89RNL\r\n\x1a\n", u32 format version, u32 reserved (0), u64 body length
 *   body     sections: 4-byte tag, u64 length, payload (readers skip tags they do not know)
 *              TOKN  the tokenizer (rnn_tokenizer_write)
 *              PADS  the preprocessing (rnn_prep): i32 maxlen, u8 padding post, u8 truncating post,
 *                    i32 padding value (from format 2; a format 1 file pads with 0). Fields added
 *                    later go after these, so a reader takes the ones its section holds
 *              CLSS  u32 count, strings
 *              MODL  the model (rnn_model_write): layers as Keras call text, names, trainable flags,
 *                    weights, optimizer configuration and state; model format 2 (written only when
 *                    they are used: Adagrad, Nadam, AdamW, weight_decay, from_logits) adds f64
 *                    weight_decay, f64 initial_accumulator_value and u32 from_logits after nesterov;
 *                    model format 3 (a model given an Input, or functional) adds after the model's
 *                    name u32 flags (1 functional, 2 an Input given), the Input's name and its i32
 *                    sequence length (-1 for None), and holds format 2's fields
 *              RUNS  u32 count, per run: name, history
 *   trailer  u32 CRC-32 (IEEE, as zlib) of header and body
 * Integers and floats are little-endian; strings are u32 length + bytes. The file is written through
 * rnn_write_file (FILE.tmp, synced, renamed): a crash leaves the old file or the new one, never a mix.
 * The reader trusts nothing: every length and count is checked against the bytes left in its
 * section and against the limits in rnnlab/io.h before anything is allocated for it, a section
 * may appear only once, and the file is checked (magic, declared size, memory) before it is read. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "rnnlab/io.h"
#include "model/model_internal.h"
#include "model/train_internal.h"

/* 2: PADS holds the padding value. Format 1 files open (value 0); a build that reads only format 1
 * refuses a format 2 file, naming both versions, instead of padding with the wrong id. */
#define IO_FORMAT_VERSION 2u
/* Model format 2: the optimizers and options below (written only when a model uses them); 3: the
 * model's Input (written only for a model given one, or functional). */
#define MODEL_FORMAT_VERSION 3u
static const unsigned char io_magic[8] = {0x89, 'R', 'N', 'L', '\r', '\n', 0x1a, '\n'};
enum { IO_HEADER = 24, IO_TRAILER = 4 };

/* ---- CRC-32 (reflected polynomial 0xEDB88320) ---- */

uint32_t rnn_crc32(uint32_t crc, const void *data, size_t n)
{
    const unsigned char *p = data;
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

/* ---- readers: a cursor over one section in memory; `bad` is set when a value would run past
 * the end of the section or is implausible ---- */

typedef struct rd {
    const unsigned char *p;
    size_t left;
    bool bad;
} rd;

/* The next n bytes, or NULL (and bad) when fewer remain. */
static const unsigned char *rd_take(rd *r, uint64_t n)
{
    if (r->bad || n > r->left) {
        r->bad = true;
        return NULL;
    }
    const unsigned char *q = r->p;
    r->p += n;
    r->left -= (size_t)n;
    return q;
}

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t le64(const unsigned char *b) { return le32(b) | (uint64_t)le32(b + 4) << 32; }

static uint32_t get_u32(rd *r)
{
    const unsigned char *b = rd_take(r, 4);
    return b ? le32(b) : 0;
}

static uint64_t get_u64(rd *r)
{
    const unsigned char *b = rd_take(r, 8);
    return b ? le64(b) : 0;
}

static double get_f64(rd *r)
{
    uint64_t v = get_u64(r);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

/* malloc'd string of at most RNN_SAVE_MAX_STRING bytes; NULL (and bad) on failure. Control
 * characters (a NUL, an escape sequence a crafted file would have the terminal run) become '?':
 * names are printed, and none that rnnlab writes holds one. */
static char *get_str(rd *r)
{
    uint32_t n = get_u32(r);
    if (n > RNN_SAVE_MAX_STRING)
        r->bad = true;
    const unsigned char *b = rd_take(r, n);
    char *s = b ? malloc((size_t)n + 1) : NULL;
    if (!s) {
        r->bad = true;
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++)
        s[i] = b[i] < 0x20 || b[i] == 0x7f ? '?' : (char)b[i];
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
    if (n > r->left / 4) {
        r->bad = true;
        return;
    }
    const unsigned char *b = rd_take(r, (uint64_t)n * 4);
    if (!b || n == 0)
        return; /* a model without weights has no buffer to copy into */
    if (host_is_le()) {
        memcpy(x, b, n * 4);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t v = le32(b + 4 * i);
        memcpy(&x[i], &v, 4);
    }
}

/* True when `count` items of at least `each` bytes can still be in the section. */
static bool rd_room(const rd *r, uint64_t count, uint64_t each)
{
    return !r->bad && count <= r->left / each;
}

/* The message for a count over its limit or over what the section can hold; `what` names it. */
static int rd_count_error(const rd *r, rnn_error *err, const char *what, uint64_t n, uint64_t limit)
{
    if (n > limit)
        return rnn_fail(err, RNN_EDATA, "%s: %llu, over the limit of %llu", what, (unsigned long long)n,
                        (unsigned long long)limit);
    return rnn_fail(err, RNN_EDATA, "%s: %llu, more than the %zu bytes left in its section can hold", what,
                    (unsigned long long)n, r->left);
}

/* ---- model ---- */

/* Format 1 holds everything but the optimizers and options added with format 2 and the Input added
 * with format 3; a file is written in the lowest format that holds its model. */
static uint32_t model_format_needed(const rnn_model *m, const train_state *st)
{
    if (rnn_model_is_functional(m) || rnn_model_input_name(m))
        return 3u;
    const optim_config *c = st ? &st->opt.cfg : NULL;
    return c && (c->kind > OPTIM_ADAM || c->weight_decay != 0 || st->from_logits) ? 2u : 1u;
}

static void write_optimizer(FILE *f, const train_state *st, uint32_t version)
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
    if (version >= 2) {
        put_f64(f, c->weight_decay);
        put_f64(f, c->initial_accumulator);
        put_u32(f, st->from_logits);
    }
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
    uint32_t version = model_format_needed(m, train_state_get(m));
    fwrite("RNNM", 1, 4, f);
    put_u32(f, version);
    put_str(f, rnn_model_name(m));
    if (version >= 3) {
        const char *input = rnn_model_input_name(m);
        put_u32(f, (rnn_model_is_functional(m) ? 1u : 0u) | (input ? 2u : 0u));
        put_str(f, input ? input : "");
        put_u32(f, (uint32_t)(int32_t)rnn_model_input_length(m));
    }
    put_u32(f, (uint32_t)nl);
    for (size_t i = 0; i < nl; i++) {
        rnn_layer *l = rnn_model_layer(m, i);
        int n = l->kind->describe(l, call, sizeof call);
        if (n < 0 || (size_t)n >= sizeof call)
            return rnn_fail(err, RNN_EINTERNAL, "the call text of layer %s does not fit", l->name);
        put_str(f, call);
        put_str(f, l->name);
        put_u32(f, l->trainable);
        put_u64(f, l->n_params);
    }
    put_floats(f, rnn_model_params(m), rnn_model_n_params(m));
    train_state *st = train_state_get(m);
    put_u32(f, st != NULL);
    if (st)
        write_optimizer(f, st, version);
    return ferror(f) ? rnn_fail(err, RNN_EIO, "cannot write the model: %s", strerror(errno)) : RNN_OK;
}

/* Reads the optimizer section and compiles m with it, moments and step count included. */
static int read_optimizer(rd *r, rnn_model *m, uint32_t version, rnn_error *err)
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
    c.initial_accumulator = 0.1;
    uint32_t from_logits = 0;
    if (version >= 2) {
        c.weight_decay = get_f64(r);
        c.initial_accumulator = get_f64(r);
        from_logits = get_u32(r);
    }
    loss_kind loss = (loss_kind)get_u32(r);
    uint32_t nm = get_u32(r);
    if (r->bad || c.kind > OPTIM_LAST || loss > LOSS_CCE || nm > TRAIN_MAX_METRICS || from_logits > 1 ||
        !(c.weight_decay >= 0 && c.weight_decay <= 1) || !(c.initial_accumulator >= 0 && c.initial_accumulator <= 1e6))
        return rnn_fail(err, RNN_EDATA, "the optimizer section is damaged");
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
    if (r->bad || iterations < 0)
        return rnn_fail(err, RNN_EDATA, "the optimizer section is damaged");
    /* the moments are as many floats as the weights: checked before compile allocates them */
    if (n != rnn_model_n_params(m) || n_slots > sizeof ((train_state *)0)->opt.slot / sizeof (float *) ||
        (n_slots && !rd_room(r, (uint64_t)n_slots * n, 4)))
        return rnn_fail(err, RNN_EDATA, "the optimizer state does not fit the model (%u x %llu "
                        "values for %zu weights, %zu bytes left)", n_slots, (unsigned long long)n,
                        rnn_model_n_params(m), r->left);
    int rc = train_compile_config(m, &c, loss, from_logits != 0, (int)nm, kinds, names, err);
    if (rc)
        return rc;
    train_state *st = train_state_get(m);
    if ((int)n_slots != st->opt.n_slots || n != st->opt.n)
        return rnn_fail(err, RNN_EDATA, "the optimizer state does not fit the model");
    for (uint32_t s = 0; s < n_slots; s++)
        get_floats(r, st->opt.slot[s], (size_t)n);
    st->opt.iterations = iterations;
    return r->bad ? rnn_fail(err, RNN_EDATA, "the optimizer state is truncated") : RNN_OK;
}

/* One entry of the model's layer table. */
typedef struct layer_entry {
    char *call, *name;
    bool trainable;
    uint64_t n_params;
} layer_entry;

/* Reads the whole layer table, so that the weights it declares can be checked against the bytes
 * that follow before any layer is built. */
static int read_layer_table(rd *r, layer_entry *e, uint32_t nl, rnn_error *err)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < nl; i++) {
        e[i].call = get_str(r);
        e[i].name = get_str(r);
        e[i].trainable = get_u32(r) != 0;
        e[i].n_params = get_u64(r);
        if (r->bad)
            return rnn_fail(err, RNN_EDATA, "the layer list is damaged (layer %u of %u)", i + 1, nl);
        if (e[i].n_params > r->left / 4 || total + e[i].n_params > r->left / 4)
            return rnn_fail(err, RNN_EDATA, "the weights of layer %s (%s): %llu, more than the %zu "
                            "bytes left in the section can hold", e[i].name, e[i].call,
                            (unsigned long long)e[i].n_params, r->left);
        total += e[i].n_params;
    }
    return RNN_OK;
}

/* Rebuilds the layers from their call text and restores names and flags. */
static int build_layers(rnn_model *m, const layer_entry *e, uint32_t nl, const rnn_add_ctx *ctx, rnn_error *err)
{
    for (uint32_t i = 0; i < nl; i++) {
        rnn_add_ctx c = ctx ? *ctx : (rnn_add_ctx){0};
        c.saved_params = &e[i].n_params; /* a layer larger than the file says is never allocated */
        int rc = rnn_model_add(m, e[i].call, &c, err);
        if (rc) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err ? err->msg : "");
            return rnn_fail(err, rc, "cannot rebuild layer %s: %s", e[i].call, why);
        }
        rnn_layer *l = rnn_model_layer(m, i);
        snprintf(l->name, sizeof l->name, "%s", e[i].name);
        l->trainable = e[i].trainable;
        if (l->n_params != e[i].n_params)
            return rnn_fail(err, RNN_EDATA, "layer %s (%s) has %zu parameter%s here but %llu in the file",
                            e[i].name, e[i].call, l->n_params, l->n_params == 1 ? "" : "s",
                            (unsigned long long)e[i].n_params);
    }
    return RNN_OK;
}

static int read_layers(rd *r, rnn_model *m, uint32_t nl, const rnn_add_ctx *ctx, rnn_error *err)
{
    layer_entry *e = calloc(nl ? nl : 1, sizeof *e);
    if (!e)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int rc = read_layer_table(r, e, nl, err);
    if (!rc)
        rc = build_layers(m, e, nl, ctx, err);
    for (uint32_t i = 0; i < nl; i++) {
        free(e[i].call);
        free(e[i].name);
    }
    free(e);
    return rc;
}

/* Model format 3's Input: flags, name, sequence length, checked (bad: not one rnnlab writes). */
typedef struct model_input {
    uint32_t flags;
    char name[MODEL_INPUT_NAME_SIZE];
    int length;
    bool bad;
} model_input;

static void read_input(rd *r, model_input *in)
{
    in->flags = get_u32(r);
    char *name = get_str(r);
    in->length = (int)(int32_t)get_u32(r);
    size_t len = name ? strlen(name) : 0;
    bool given = in->flags & 2u;
    in->bad = in->flags > 3u || len >= sizeof in->name || (given ? len == 0 : len > 0) ||
              (in->length != -1 && (!given || in->length < 1 || in->length > RNN_MAX_SEQUENCE_LENGTH));
    snprintf(in->name, sizeof in->name, "%s", !in->bad && name ? name : "");
    free(name);
}

int rnn_model_read(rnn_model **out, const void *data, size_t len, const rnn_add_ctx *ctx, rnn_error *err)
{
    rd r = {data, len, false};
    *out = NULL;
    const unsigned char *tag = rd_take(&r, 4);
    if (!tag || memcmp(tag, "RNNM", 4))
        return rnn_fail(err, RNN_EDATA, "the model section is not an rnnlab model");
    uint32_t version = get_u32(&r);
    if (!r.bad && version > MODEL_FORMAT_VERSION)
        return rnn_fail(err, RNN_EDATA, "the model was written by a newer rnnlab (model format %u, "
                        "this build reads up to %u)", version, MODEL_FORMAT_VERSION);
    char *name = get_str(&r);
    model_input in = {.length = -1};
    if (version >= 3)
        read_input(&r, &in);
    uint32_t nl = get_u32(&r);
    if (r.bad) {
        free(name);
        return rnn_fail(err, RNN_EDATA, "the model section is damaged");
    }
    if (in.bad) {
        free(name);
        return rnn_fail(err, RNN_EDATA, "the model's Input is damaged (flags %u, sequence length %d)",
                        in.flags, in.length);
    }
    /* a layer entry is at least two string lengths, a flag and a size: 20 bytes */
    if (nl > RNN_SAVE_MAX_LAYERS || !rd_room(&r, nl, 20)) {
        free(name);
        return rd_count_error(&r, err, "the number of layers", nl, RNN_SAVE_MAX_LAYERS);
    }
    rnn_model *m = rnn_model_new(name, 0);
    free(name);
    if (!m)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    model_restore_input(m, in.flags & 1u, in.flags & 2u, in.name, in.length);
    int rc = read_layers(&r, m, nl, ctx, err);
    if (!rc) {
        get_floats(&r, rnn_model_params(m), rnn_model_n_params(m));
        uint32_t compiled = get_u32(&r);
        if (r.bad)
            rc = rnn_fail(err, RNN_EDATA, "the model weights are truncated");
        else if (compiled)
            rc = read_optimizer(&r, m, version, err);
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
        return rnn_fail(err, RNN_EDATA, "a run's history is damaged");
    h->n_metrics = (int)nm;
    for (uint32_t i = 0; i < nm; i++)
        get_str_into(r, h->names[i], sizeof h->names[i]);
    uint32_t ne = get_u32(r);
    if (r->bad)
        return rnn_fail(err, RNN_EDATA, "a run's history is damaged");
    /* each epoch holds nm values and its seconds, 8 bytes each */
    if (ne > RNN_SAVE_MAX_EPOCHS || !rd_room(r, ne, 8 * ((uint64_t)nm + 1))) {
        char what[96];
        snprintf(what, sizeof what, "the number of epochs of run '%.40s'", *name);
        return rd_count_error(r, err, what, ne, RNN_SAVE_MAX_EPOCHS);
    }
    h->n_epochs = h->cap_epochs = (int)ne;
    h->values = malloc(((size_t)ne * RNN_MAX_METRICS + 1) * sizeof *h->values);
    h->seconds = malloc(((size_t)ne + 1) * sizeof *h->seconds);
    if (!h->values || !h->seconds)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    for (size_t i = 0; i < (size_t)ne * nm; i++)
        h->values[i] = get_f64(r);
    for (uint32_t e = 0; e < ne; e++)
        h->seconds[e] = get_f64(r);
    h->best_epoch = (int)get_u32(r);
    get_str_into(r, h->stop_reason, sizeof h->stop_reason);
    if (h->best_epoch < -1 || h->best_epoch >= (int)ne)
        h->best_epoch = -1; /* not one of its epochs: none */
    return r->bad ? rnn_fail(err, RNN_EDATA, "a run's history is truncated") : RNN_OK;
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
    put_u32(f, (uint32_t)p->prep.maxlen);
    fputc(p->prep.pad_post, f);
    fputc(p->prep.trunc_post, f);
    put_u32(f, (uint32_t)p->prep.value);
    return RNN_OK;
}

static int write_ngrams(const rnn_pipeline *p, FILE *f, rnn_error *err)
{
    return rnn_ngrams_write(p->ngrams, f, err);
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
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int rc = fn(p, f, err);
    if (fclose(f) && !rc)
        rc = rnn_fail(err, RNN_EINTERNAL, "out of memory for the %.4s section", tag);
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
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int rc = RNN_OK;
    if (p->tokenizer)
        rc = add_section(f, "TOKN", write_tokenizer, p, err);
    if (!rc)
        rc = add_section(f, "PADS", write_padding, p, err);
    if (!rc && p->ngrams)
        rc = add_section(f, "NGRM", write_ngrams, p, err);
    if (!rc && p->n_classes > 0)
        rc = add_section(f, "CLSS", write_classes, p, err);
    if (!rc && p->model)
        rc = add_section(f, "MODL", write_model, p, err);
    if (!rc && p->n_runs > 0)
        rc = add_section(f, "RUNS", write_runs, p, err);
    if (fclose(f) && !rc)
        rc = rnn_fail(err, RNN_EINTERNAL, "out of memory");
    if (rc) {
        free(body);
        return rc;
    }
    char *all = NULL;
    size_t alen = 0;
    f = open_memstream(&all, &alen);
    if (!f) {
        free(body);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    }
    fwrite(io_magic, 1, 8, f);
    put_u32(f, IO_FORMAT_VERSION);
    put_u32(f, 0);
    put_u64(f, blen);
    fwrite(body, 1, blen, f);
    free(body);
    if (fclose(f))
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    unsigned char crc[4];
    uint32_t c = rnn_crc32(0, (const unsigned char *)all, alen);
    for (int i = 0; i < 4; i++)
        crc[i] = (unsigned char)(c >> (8 * i));
    char *grown = realloc(all, alen + 4);
    if (!grown) {
        free(all);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    }
    memcpy(grown + alen, crc, 4);
    *out = grown;
    *out_len = alen + 4;
    return RNN_OK;
}

/* What open would refuse is not written: a file save makes always opens. */
static int save_check_limits(const rnn_pipeline *p, rnn_error *err)
{
    if (p->prep.maxlen < 0 || p->prep.maxlen > RNN_SAVE_MAX_MAXLEN)
        return rnn_fail(err, RNN_EUSAGE, "maxlen %d is over the limit of %d", p->prep.maxlen, RNN_SAVE_MAX_MAXLEN);
    if (p->prep.value < 0)
        return rnn_fail(err, RNN_EUSAGE, "the padding value %d is not a token id", p->prep.value);
    if (p->n_classes > RNN_SAVE_MAX_CLASSES)
        return rnn_fail(err, RNN_EUSAGE, "%d classes, over the limit of %d", p->n_classes, RNN_SAVE_MAX_CLASSES);
    for (int i = 0; p->class_names && i < p->n_classes; i++)
        if (p->class_names[i] && strlen(p->class_names[i]) > RNN_SAVE_MAX_STRING)
            return rnn_fail(err, RNN_EUSAGE, "class %d has a name over %d bytes", i, RNN_SAVE_MAX_STRING);
    if (p->n_runs > RNN_SAVE_MAX_RUNS)
        return rnn_fail(err, RNN_EUSAGE, "%d runs, over the limit of %d", p->n_runs, RNN_SAVE_MAX_RUNS);
    for (int i = 0; i < p->n_runs; i++)
        if (p->runs[i].n_epochs > RNN_SAVE_MAX_EPOCHS)
            return rnn_fail(err, RNN_EUSAGE, "run %d has %d epochs, over the limit of %d", i + 1,
                            p->runs[i].n_epochs, RNN_SAVE_MAX_EPOCHS);
    if (p->model && rnn_model_n_layers(p->model) > RNN_SAVE_MAX_LAYERS)
        return rnn_fail(err, RNN_EUSAGE, "%zu layers, over the limit of %d", rnn_model_n_layers(p->model),
                        RNN_SAVE_MAX_LAYERS);
    return RNN_OK;
}

int rnn_pipeline_save(const char *path, const rnn_pipeline *p, rnn_error *err)
{
    int rc = save_check_limits(p, err);
    if (rc)
        return rc;
    char *buf = NULL;
    size_t len = 0;
    if ((rc = save_build(p, &buf, &len, err)))
        return rc;
    char size[32], limit[32];
    if ((uint64_t)len > RNN_SAVE_MAX_BYTES)
        rc = rnn_fail(err, RNN_EUSAGE, "the pipeline takes %s, over the save file limit of %s",
                      rnn_format_bytes(len, size, sizeof size),
                      rnn_format_bytes(RNN_SAVE_MAX_BYTES, limit, sizeof limit));
    else
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
    rnn_ngrams_free(p->ngrams);
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

/* Magic, version, length and checksum of a whole file in memory; on success *body and *blen
 * locate the sections. */
static int open_validate(const char *name, const unsigned char *buf, size_t len, const unsigned char **body,
                         size_t *blen, rnn_error *err)
{
    if (len < 8 || memcmp(buf, io_magic, 8))
        return rnn_fail(err, RNN_EDATA, "%s is not an rnnlab save file", name);
    if (len < IO_HEADER + IO_TRAILER)
        return rnn_fail(err, RNN_EDATA, "%s is truncated (%zu bytes)", name, len);
    uint32_t version = le32(buf + 8);
    if (version == 0)
        return rnn_fail(err, RNN_EDATA, "%s is damaged (file format 0: no rnnlab writes it)", name);
    if (version > IO_FORMAT_VERSION)
        return rnn_fail(err, RNN_EDATA, "%s was written by a newer rnnlab (file format %u; this build "
                        "reads up to %u)", name, version, IO_FORMAT_VERSION);
    uint64_t want = le64(buf + 16);
    if (want > len - IO_HEADER - IO_TRAILER)
        return rnn_fail(err, RNN_EDATA, "%s is truncated (%zu of %llu bytes)", name, len,
                        (unsigned long long)want + IO_HEADER + IO_TRAILER);
    if (want < len - IO_HEADER - IO_TRAILER)
        return rnn_fail(err, RNN_EDATA, "%s has %llu unexpected bytes at its end", name,
                        (unsigned long long)(len - IO_HEADER - IO_TRAILER - want));
    if (rnn_crc32(0, buf, len - IO_TRAILER) != le32(buf + len - IO_TRAILER))
        return rnn_fail(err, RNN_EDATA, "%s is corrupt (checksum mismatch)", name);
    *body = buf + IO_HEADER;
    *blen = (size_t)want;
    return RNN_OK;
}

static int read_classes(rd *r, rnn_pipeline *p, rnn_error *err)
{
    uint32_t n = get_u32(r);
    if (r->bad)
        return rnn_fail(err, RNN_EDATA, "the class names are damaged");
    if (n > RNN_SAVE_MAX_CLASSES || !rd_room(r, n, 4))
        return rd_count_error(r, err, "the number of class names", n, RNN_SAVE_MAX_CLASSES);
    p->class_names = calloc(n ? n : 1, sizeof *p->class_names);
    if (!p->class_names)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    p->n_classes = (int)n;
    for (uint32_t i = 0; i < n && !r->bad; i++)
        p->class_names[i] = get_str(r);
    return r->bad ? rnn_fail(err, RNN_EDATA, "the class names are damaged") : RNN_OK;
}

static int read_runs(rd *r, rnn_pipeline *p, rnn_error *err)
{
    uint32_t n = get_u32(r);
    if (r->bad)
        return rnn_fail(err, RNN_EDATA, "the runs are damaged");
    /* a run is at least a name length, two counts, its best epoch and a stop reason: 20 bytes */
    if (n > RNN_SAVE_MAX_RUNS || !rd_room(r, n, 20))
        return rd_count_error(r, err, "the number of runs", n, RNN_SAVE_MAX_RUNS);
    p->run_names = calloc(n ? n : 1, sizeof *p->run_names);
    p->runs = calloc(n ? n : 1, sizeof *p->runs);
    if (!p->run_names || !p->runs)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int rc = RNN_OK;
    for (uint32_t i = 0; i < n && !rc; i++) {
        p->n_runs = (int)i + 1;
        rc = read_history(r, &p->run_names[i], &p->runs[i], err);
    }
    return rc;
}

static int read_padding(rd *r, rnn_pipeline *p, rnn_error *err)
{
    uint32_t maxlen = get_u32(r);
    const unsigned char *flags = rd_take(r, 2);
    if (!flags)
        return rnn_fail(err, RNN_EDATA, "the padding settings are damaged");
    if (maxlen > RNN_SAVE_MAX_MAXLEN)
        return rd_count_error(r, err, "the padding length (maxlen)", maxlen, RNN_SAVE_MAX_MAXLEN);
    p->prep.maxlen = (int)maxlen;
    p->prep.pad_post = flags[0] == 1;
    p->prep.trunc_post = flags[1] == 1;
    p->prep.value = 0;   /* format 1 files end here */
    if (r->left >= 4) {
        uint32_t value = get_u32(r);
        if (value > INT32_MAX)
            return rnn_fail(err, RNN_EDATA, "the padding value %u is not a token id (0 to %d)", value, INT32_MAX);
        p->prep.value = (int32_t)value;
    }
    return RNN_OK;
}

static int read_tokenizer(const unsigned char *data, size_t len, rnn_pipeline *p, rnn_error *err)
{
    FILE *f = fmemopen((void *)data, len, "rb");
    if (!f)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int rc = rnn_tokenizer_read(&p->tokenizer, f, err);
    fclose(f);
    return rc;
}

static int read_ngrams(const unsigned char *data, size_t len, rnn_pipeline *p, rnn_error *err)
{
    FILE *f = fmemopen((void *)data, len, "rb");
    if (!f)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    int rc = rnn_ngrams_read(&p->ngrams, f, len, err);
    fclose(f);
    return rc;
}

/* The sections this build reads; each may appear once. Others are skipped (a later minor revision). */
static const char *const known_sections[] = {"TOKN", "PADS", "CLSS", "MODL", "RUNS", "NGRM"};
enum { N_SECTIONS = sizeof known_sections / sizeof known_sections[0] };

static int read_section(int kind, const unsigned char *data, size_t len, rnn_pipeline *p, rnn_error *err)
{
    rd r = {data, len, false};
    switch (kind) {
    case 0: return read_tokenizer(data, len, p, err);
    case 1: return read_padding(&r, p, err);
    case 2: return read_classes(&r, p, err);
    case 3: return rnn_model_read(&p->model, data, len, NULL, err);
    case 4: return read_runs(&r, p, err);
    case 5: return read_ngrams(data, len, p, err);
    }
    return RNN_OK;
}

/* A section's message, with the file named: "NAME: what went wrong". */
static int section_error(const char *name, int rc, rnn_error *err)
{
    if (!err)
        return rc;
    char copy[sizeof err->msg];
    snprintf(copy, sizeof copy, "%s", err->msg);
    return rnn_fail(err, rc, "%s: %s", name, copy);
}

static int read_sections(const char *name, const unsigned char *body, size_t blen, rnn_pipeline *p, rnn_error *err)
{
    bool seen[N_SECTIONS] = {false};
    size_t pos = 0;
    while (pos < blen) {
        if (blen - pos < 12)
            return rnn_fail(err, RNN_EDATA, "%s has a damaged section table", name);
        char tag[5] = {0};
        memcpy(tag, body + pos, 4);
        uint64_t slen = le64(body + pos + 4);
        pos += 12;
        if (slen > blen - pos)
            return rnn_fail(err, RNN_EDATA, "%s: section %.4s overruns the file", name, tag);
        int kind = -1;
        for (int k = 0; k < N_SECTIONS; k++)
            if (!memcmp(tag, known_sections[k], 4))
                kind = k;
        if (kind >= 0 && seen[kind])
            return rnn_fail(err, RNN_EDATA, "%s has a second %s section (each may appear once)", name, tag);
        if (kind >= 0) {
            seen[kind] = true;
            int rc = read_section(kind, body + pos, (size_t)slen, p, err);
            if (rc)
                return section_error(name, rc, err);
        }
        pos += (size_t)slen;
    }
    return RNN_OK;
}

int rnn_pipeline_read(const void *data, size_t len, const char *name, rnn_pipeline *p, rnn_error *err)
{
    const unsigned char *body = NULL;
    size_t blen = 0;
    memset(p, 0, sizeof *p);
    int rc = open_validate(name, data, len, &body, &blen, err);
    if (!rc && (rc = read_sections(name, body, blen, p, err)))
        rnn_pipeline_free(p);
    return rc;
}

/* Reads a save file whole, after its header has said how long it is: a file of another kind (or
 * /dev/zero) is refused at its first bytes, one too large before it is read. */
static int read_save_file(const char *path, int fd, unsigned char **out, size_t *len, rnn_error *err)
{
    struct stat st;
    unsigned char head[IO_HEADER];
    if (fstat(fd, &st) != 0)
        return rnn_fail(err, RNN_EIO, "cannot read %s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return rnn_fail(err, RNN_EDATA, "%s is a folder, not a save file", path);
    ssize_t got = rnn_read_full(fd, head, sizeof head);
    if (got < 0)
        return rnn_fail(err, RNN_EIO, "cannot read %s: %s", path, strerror(errno));
    if (got == 0)
        return rnn_fail(err, RNN_EDATA, "%s is empty, not an rnnlab save file", path);
    if (got < 8 || memcmp(head, io_magic, 8))
        return rnn_fail(err, RNN_EDATA, "%s is not an rnnlab save file", path);
    if (got < IO_HEADER)
        return rnn_fail(err, RNN_EDATA, "%s is truncated (%zd bytes)", path, got);
    uint64_t body = le64(head + 16);
    char a[32], b[32];
    if (body > RNN_SAVE_MAX_BYTES - IO_HEADER - IO_TRAILER)
        return rnn_fail(err, RNN_EDATA, "%s declares %s, over the save file limit of %s", path,
                        rnn_format_bytes(body, a, sizeof a), rnn_format_bytes(RNN_SAVE_MAX_BYTES, b, sizeof b));
    uint64_t total = body + IO_HEADER + IO_TRAILER;
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < total)
        return rnn_fail(err, RNN_EDATA, "%s is truncated (%lld of %llu bytes)", path,
                        (long long)st.st_size, (unsigned long long)total);
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > total)
        return rnn_fail(err, RNN_EDATA, "%s has %llu unexpected bytes at its end", path,
                        (unsigned long long)((uint64_t)st.st_size - total));
    int rc = rnn_mem_check(2 * total, 0, NULL, err, "%s (the file, and about as much for what is built from it)",
                           path);
    if (rc)
        return rc;
    unsigned char *buf = malloc((size_t)total);
    if (!buf)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory for %s (%s)", path,
                        rnn_format_bytes(total, a, sizeof a));
    memcpy(buf, head, IO_HEADER);
    got = rnn_read_full(fd, buf + IO_HEADER, (size_t)total - IO_HEADER);
    unsigned char extra;
    ssize_t more = got == (ssize_t)(total - IO_HEADER) ? rnn_read_full(fd, &extra, 1) : 0;
    if (got < 0 || more < 0)
        rc = rnn_fail(err, RNN_EIO, "cannot read %s: %s", path, strerror(errno));
    else if ((uint64_t)got < total - IO_HEADER)
        rc = rnn_fail(err, RNN_EDATA, "%s is truncated (%llu of %llu bytes)", path,
                      (unsigned long long)got + IO_HEADER, (unsigned long long)total);
    else if (more > 0)
        rc = rnn_fail(err, RNN_EDATA, "%s has unexpected bytes at its end", path);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = (size_t)total;
    return RNN_OK;
}

int rnn_pipeline_open(const char *path, rnn_pipeline *p, rnn_error *err)
{
    memset(p, 0, sizeof *p);
    /* non-blocking only to open: a FIFO nobody writes to then reads as empty instead of hanging */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return rnn_fail(err, errno == ENOENT ? RNN_ENOINPUT : RNN_EIO, "cannot open %s: %s", path,
                        strerror(errno));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = read_save_file(path, fd, &buf, &len, err);
    close(fd);
    if (!rc)
        rc = rnn_pipeline_read(buf, len, path, p, err);
    free(buf);
    return rc;
}
