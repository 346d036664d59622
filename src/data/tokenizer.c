/* Keras's legacy Tokenizer: text_to_word_sequence, fit_on_texts, texts_to_sequences, sequences_to_texts;
 * and TextVectorization's defaults (standardize, split, adapt, output_mode='int') in the same scanner.
 * Words live in an arena behind an open-addressing hash table; fitting and encoding split the texts
 * over rnn_get_threads() threads and merge in text order, so results never depend on the thread count. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "data/data_internal.h"

static const char keras_filters[] = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";
/* TextVectorization's standardize deletes these: the class of its regex_replace, Python's string.punctuation. */
static const char textvectorization_punctuation[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
static const char textvectorization_oov[] = "[UNK]";
#define NO_ENTRY UINT32_MAX
/* ascii_map's value for a byte that standardization deletes (no ASCII byte maps to it). */
#define TOK_DELETED 0x80

/* ---- a word table: words in first-seen order with counts, found through a hash table ---- */

typedef struct tok_entry {
    const char *word;
    uint32_t len;
    uint32_t hash;
    uint64_t count;
} tok_entry;

typedef struct tok_slot {
    uint64_t key8;  /* first 8 bytes of the word, zero padded: most words compare without a pointer chase */
    uint32_t hash;
    uint32_t entry; /* entry index + 1; 0 = empty */
} tok_slot;

typedef struct tok_table {
    rnn_arena *arena;
    tok_entry *entries;
    size_t n, cap;
    tok_slot *slots;
    size_t n_slots; /* power of two */
} tok_table;

static int table_init(tok_table *tb)
{
    memset(tb, 0, sizeof *tb);
    tb->arena = rnn_arena_new((size_t)1 << 20);
    tb->n_slots = 1024;
    tb->slots = calloc(tb->n_slots, sizeof *tb->slots);
    if (!tb->arena || !tb->slots) {
        rnn_arena_free(tb->arena);
        free(tb->slots);
        return RNN_EINTERNAL;
    }
    return RNN_OK;
}

static void table_free(tok_table *tb)
{
    rnn_arena_free(tb->arena);
    free(tb->entries);
    free(tb->slots);
    memset(tb, 0, sizeof *tb);
}

static inline uint64_t load_tail(const char *w, size_t n)
{
    uint64_t k = 0;
    memcpy(&k, w, n);
    return k;
}

static inline uint64_t word_key8(const char *w, size_t len) { return load_tail(w, len < 8 ? len : 8); }

/* 8 bytes at a time, then a final mix so the low bits (the slot) depend on every byte. */
static uint32_t word_hash(const char *w, size_t len)
{
    uint64_t h = (uint64_t)len * 0x9E3779B97F4A7C15ULL;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t k;
        memcpy(&k, w + i, 8);
        h = (h ^ k) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
    }
    if (i < len)
        h = (h ^ load_tail(w + i, len - i)) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

/* Words without NUL bytes: equal zero-padded prefixes of words shorter than 8 bytes mean equal words. */
static inline bool slot_matches(const tok_table *tb, const tok_slot *s, const char *w, size_t len,
                                uint32_t h, uint64_t k8)
{
    if (s->hash != h || s->key8 != k8)
        return false;
    if (len < 8)
        return true;
    const tok_entry *e = &tb->entries[s->entry - 1];
    return e->len == len && memcmp(e->word + 8, w + 8, len - 8) == 0;
}

/* Entry index of word, or NO_ENTRY. */
static uint32_t table_find(const tok_table *tb, const char *w, size_t len, uint32_t h)
{
    size_t mask = tb->n_slots - 1;
    uint64_t k8 = word_key8(w, len);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const tok_slot *s = &tb->slots[i];
        if (s->entry == 0)
            return NO_ENTRY;
        if (slot_matches(tb, s, w, len, h, k8))
            return s->entry - 1;
    }
}

static int table_rehash(tok_table *tb)
{
    size_t n_slots = tb->n_slots * 2, mask = n_slots - 1;
    tok_slot *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return RNN_EINTERNAL;
    for (size_t e = 0; e < tb->n; e++) {
        const tok_entry *en = &tb->entries[e];
        size_t i = en->hash & mask;
        while (slots[i].entry)
            i = (i + 1) & mask;
        slots[i] = (tok_slot){word_key8(en->word, en->len), en->hash, (uint32_t)e + 1};
    }
    free(tb->slots);
    tb->slots = slots;
    tb->n_slots = n_slots;
    return RNN_OK;
}

/* Adds `add` to the count of word, inserting it (copied into the arena) when new. */
static int table_count_at(tok_table *tb, const char *w, size_t len, uint32_t h, uint64_t add, uint32_t *at)
{
    size_t mask = tb->n_slots - 1, i;
    uint64_t k8 = word_key8(w, len);
    for (i = h & mask; tb->slots[i].entry; i = (i + 1) & mask) {
        tok_slot *s = &tb->slots[i];
        if (slot_matches(tb, s, w, len, h, k8)) {
            tb->entries[s->entry - 1].count += add;
            *at = s->entry - 1;
            return RNN_OK;
        }
    }
    *at = (uint32_t)tb->n;
    if (rnn_grow(&tb->entries, &tb->cap, tb->n + 1, sizeof *tb->entries))
        return RNN_EINTERNAL;
    if (tb->n >= UINT32_MAX - 1 || len > UINT32_MAX)
        return RNN_EINTERNAL;
    char *copy = rnn_arena_strndup(tb->arena, w, len);
    if (!copy)
        return RNN_EINTERNAL;
    tb->entries[tb->n] = (tok_entry){copy, (uint32_t)len, h, add};
    tb->slots[i] = (tok_slot){k8, h, (uint32_t)++tb->n};
    /* Keep the load factor under 1/2 so probes stay short. */
    if (tb->n * 2 > tb->n_slots)
        return table_rehash(tb);
    return RNN_OK;
}

static int table_count(tok_table *tb, const char *w, size_t len, uint32_t h, uint64_t add)
{
    uint32_t at;
    return table_count_at(tb, w, len, h, add, &at);
}

/* ---- the tokenizer ---- */

/* One step of a custom TextVectorization standardize, applied in place (no step lengthens a text). */
enum { TV_LOWER, TV_LITERAL, TV_CLASS };
typedef struct tv_step {
    int kind;
    char *from;          /* TV_LITERAL: the text replaced */
    size_t from_len;
    bool in_class[128];  /* TV_CLASS: the ASCII bytes matched */
    bool runs;           /* TV_CLASS followed by +: a run of them is one match */
    char *to;            /* the rewrite, at most as long as the shortest match */
    size_t to_len;
} tv_step;

struct rnn_tokenizer {
    rnn_tokenizer_opts opts;   /* strings point at oov / filters / standardize below */
    char *oov, *filters, *standardize;
    tv_step *steps;            /* a custom standardize's steps, run before the split */
    int n_steps;
    bool textvectorization;       /* opts.style is RNN_TOKENIZER_TEXTVECTORIZATION */
    bool lower_wide;              /* lower non-ASCII characters too (TextVectorization lowers A-Z only) */
    unsigned char ascii_map[128]; /* lowered (if lower) and filtered (-> split, or TOK_DELETED) ASCII byte */
    bool ascii_filtered[128];     /* filters ∩ ASCII, for characters lowered from non-ASCII */
    uint32_t *wide_filters;       /* non-ASCII filter code points, sorted */
    size_t n_wide_filters;
    tok_table vocab;              /* word_counts in first-seen order */
    int32_t *entry_index;         /* word_index of entry e */
    uint32_t *index_entry;        /* index i (1-based) -> entry, NO_ENTRY for the OOV token */
    size_t n_index;               /* len(sorted_voc) */
    size_t n_distinct_index;      /* len(word_index) */
    int32_t oov_index;            /* word_index[oov_token], 0 without one */
    uint64_t total;
    bool fitted;
};

/* ---- TextVectorization's standardize: its named modes, or a custom function's steps ---- */

enum { TV_MAX_STEPS = 32, TV_MAX_SPEC = 1 << 16 };

static void tv_steps_free(tv_step *steps, int n)
{
    for (int i = 0; i < n; i++) {
        free(steps[i].from);
        free(steps[i].to);
    }
    free(steps);
}

/* The byte an RE2 escape \c stands for, or -1: punctuation stands for itself, and \n \t \r \f \v. */
static int tv_escaped(unsigned char c)
{
    static const char controls[] = "n\nt\tr\rf\fv\v";
    for (const char *p = controls; *p; p += 2)
        if (c == (unsigned char)p[0])
            return (unsigned char)p[1];
    return c < 128 && !isalnum(c) && c > ' ' ? c : -1;
}

/* A class [...] of ASCII characters, escapes and ranges, maybe followed by + (nothing else). */
static int tv_parse_class(const char *p, size_t n, tv_step *st, char *why, size_t why_cap)
{
    size_t i = 1;
    if (i < n && p[i] == '^')
        return snprintf(why, why_cap, "a negated class [^...] is not supported"), RNN_EUSAGE;
    int prev = -1;
    bool closed = false;
    while (i < n) {
        unsigned char c = (unsigned char)p[i++];
        int lit;
        if (c == ']' && i > 2) {
            closed = true;
            break;
        }
        if (c == '\\') {
            if (i >= n || (lit = tv_escaped((unsigned char)p[i])) < 0)
                return snprintf(why, why_cap, "an escape other than of a punctuation character in a class"), RNN_EUSAGE;
            i++;
        } else if (c == '-' && prev >= 0 && i < n && p[i] != ']') {
            unsigned char hi = (unsigned char)p[i++];
            if (hi == '\\') {
                int e = i < n ? tv_escaped((unsigned char)p[i]) : -1;
                if (e < 0)
                    return snprintf(why, why_cap, "a range ending in an unsupported escape"), RNN_EUSAGE;
                hi = (unsigned char)e;
                i++;
            }
            if (hi >= 128 || hi < prev)
                return snprintf(why, why_cap, "a range that is not of ASCII characters in order"), RNN_EUSAGE;
            for (int b = prev; b <= hi; b++)
                st->in_class[b] = true;
            prev = -1;
            continue;
        } else if (c == '[' && i < n && p[i] == ':') {
            return snprintf(why, why_cap, "a [:name:] class is not supported"), RNN_EUSAGE;
        } else {
            lit = c;
        }
        if (lit >= 128)
            return snprintf(why, why_cap, "a class of other than ASCII characters"), RNN_EUSAGE;
        st->in_class[lit] = true;
        prev = lit;
    }
    if (!closed)
        return snprintf(why, why_cap, "a class without its closing ]"), RNN_EUSAGE;
    if (i < n && p[i] == '+') {
        st->runs = true;
        i++;
    }
    if (i != n)
        return snprintf(why, why_cap, "more than one class (the pattern is a text or one [...])"), RNN_EUSAGE;
    st->kind = TV_CLASS;
    return RNN_OK;
}

/* A pattern without metacharacters: its text, escapes undone. */
static int tv_parse_literal(const char *p, size_t n, tv_step *st, char *why, size_t why_cap)
{
    if (!(st->from = malloc(n + 1)))
        return RNN_EINTERNAL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\\') {
            int e = i + 1 < n ? tv_escaped((unsigned char)p[i + 1]) : -1;
            if (e < 0)
                return snprintf(why, why_cap, "an escape other than of a punctuation character (\\d, \\s, \\w, "
                                "\\b ... are not supported)"), RNN_EUSAGE;
            st->from[k++] = (char)e;
            i++;
        } else if (strchr(".*+?()|[]{}^$", c)) {
            return snprintf(why, why_cap, "the regex operator '%c' (a pattern is a text, with \\ before such "
                            "a character, or one class [...])", c), RNN_EUSAGE;
        } else {
            st->from[k++] = (char)c;
        }
    }
    if (k == 0)
        return snprintf(why, why_cap, "an empty pattern"), RNN_EUSAGE;
    st->from[k] = 0;
    st->from_len = k;
    st->kind = TV_LITERAL;
    return RNN_OK;
}

/* "regex_replace PATTERN<TAB>REWRITE": what tf.strings.regex_replace(x, PATTERN, REWRITE) does. */
static int tv_parse_replace(const char *p, size_t n, tv_step *st, char *why, size_t why_cap)
{
    const char *tab = memchr(p, '\t', n);
    if (!tab)
        return snprintf(why, why_cap, "regex_replace without its rewrite"), RNN_EUSAGE;
    size_t pn = (size_t)(tab - p), rn = n - pn - 1;
    const char *rw = tab + 1;
    int rc = pn && p[0] == '[' ? tv_parse_class(p, pn, st, why, why_cap) : tv_parse_literal(p, pn, st, why, why_cap);
    if (rc)
        return rc;
    if (memchr(rw, '\\', rn) || memchr(rw, '\t', rn))
        return snprintf(why, why_cap, "a rewrite with \\ (group references are not supported)"), RNN_EUSAGE;
    size_t shortest = st->kind == TV_CLASS ? 1 : st->from_len;
    if (rn > shortest)
        return snprintf(why, why_cap, "a rewrite longer than the shortest text its pattern matches (%zu byte%s)",
                        shortest, shortest == 1 ? "" : "s"), RNN_EUSAGE;
    if (!(st->to = malloc(rn + 1)))
        return RNN_EINTERNAL;
    memcpy(st->to, rw, rn);
    st->to[rn] = 0;
    st->to_len = rn;
    return RNN_OK;
}

/* strip_punctuation: the class of the 32 ASCII punctuation characters, deleted. */
static int tv_strip_step(tv_step *st)
{
    for (const char *p = textvectorization_punctuation; *p; p++)
        st->in_class[(unsigned char)*p] = true;
    st->kind = TV_CLASS;
    return (st->to = calloc(1, 1)) ? RNN_OK : RNN_EINTERNAL;
}

/* A standardize spec: NULL or a named mode sets *lower and *strip and no steps; "custom" steps, one
 * a line (lower, strip_punctuation, regex_replace PATTERN<TAB>REWRITE), make *steps. */
static int tv_parse_standardize(const char *spec, bool *lower, bool *strip, tv_step **steps, int *n_steps,
                                char *why, size_t why_cap)
{
    static const struct { const char *name; bool lower, strip; } named[] = {
        {"lower_and_strip_punctuation", true, true}, {"lower", true, false},
        {"strip_punctuation", false, true}, {"none", false, false}};
    *steps = NULL;
    *n_steps = 0;
    *lower = *strip = true;
    if (!spec)
        return RNN_OK;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strcmp(spec, named[i].name)) {
            *lower = named[i].lower;
            *strip = named[i].strip;
            return RNN_OK;
        }
    if (strlen(spec) > TV_MAX_SPEC)
        return snprintf(why, why_cap, "a standardize of more than %d bytes", TV_MAX_SPEC), RNN_EUSAGE;
    if (strncmp(spec, "custom\n", 7) != 0)
        return snprintf(why, why_cap, "an unknown standardize (expected lower_and_strip_punctuation, lower, "
                        "strip_punctuation, none, or steps)"), RNN_EUSAGE;
    *lower = *strip = false;
    tv_step *st = calloc(TV_MAX_STEPS, sizeof *st);
    if (!st)
        return RNN_EINTERNAL;
    int n = 0, rc = RNN_OK;
    for (const char *p = spec + 7; *p && !rc; ) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (n == TV_MAX_STEPS) {
            rc = RNN_EUSAGE;
            snprintf(why, why_cap, "more than %d standardize steps", TV_MAX_STEPS);
            break;
        }
        tv_step *s = &st[n++];
        if (len == 5 && !strncmp(p, "lower", 5))
            s->kind = TV_LOWER;
        else if (len == 17 && !strncmp(p, "strip_punctuation", 17))
            rc = tv_strip_step(s);
        else if (len > 14 && !strncmp(p, "regex_replace ", 14))
            rc = tv_parse_replace(p + 14, len - 14, s, why, why_cap);
        else {
            rc = RNN_EUSAGE;
            snprintf(why, why_cap, "an unknown standardize step (expected lower, strip_punctuation or "
                     "regex_replace)");
        }
        p += len + (nl != NULL);
    }
    if (!rc && n == 0) {
        rc = RNN_EUSAGE;
        snprintf(why, why_cap, "custom standardize without steps");
    }
    if (rc) {
        tv_steps_free(st, TV_MAX_STEPS);
        return rc;
    }
    *steps = st;
    *n_steps = n;
    return RNN_OK;
}

int rnn_tokenizer_check_standardize(const char *spec, rnn_error *err)
{
    bool lower, strip;
    tv_step *steps;
    int n;
    char why[200] = "";
    int rc = tv_parse_standardize(spec, &lower, &strip, &steps, &n, why, sizeof why);
    if (rc == RNN_EINTERNAL)
        return rnn_fail(err, rc, "out of memory");
    if (rc)
        return rnn_fail(err, rc, "standardize: %s", why);
    tv_steps_free(steps, n);
    return RNN_OK;
}

/* One step over s[0..*len), in place: every step writes at most what it reads. */
static void tv_step_apply(const tv_step *st, char *s, size_t *len)
{
    size_t r = 0, w = 0, n = *len;
    switch (st->kind) {
    case TV_LOWER: /* tf.strings.lower without an encoding: A-Z only */
        for (size_t i = 0; i < n; i++)
            if (s[i] >= 'A' && s[i] <= 'Z')
                s[i] = (char)(s[i] + 32);
        return;
    case TV_LITERAL: /* leftmost, non-overlapping, as RE2's global replace */
        while (r < n) {
            const char *hit = n - r >= st->from_len ? memmem(s + r, n - r, st->from, st->from_len) : NULL;
            size_t upto = hit ? (size_t)(hit - s) : n;
            memmove(s + w, s + r, upto - r);
            w += upto - r;
            r = upto;
            if (!hit)
                break;
            memcpy(s + w, st->to, st->to_len);
            w += st->to_len;
            r += st->from_len;
        }
        break;
    case TV_CLASS:
        while (r < n) {
            unsigned char c = (unsigned char)s[r];
            if (c >= 128 || !st->in_class[c]) {
                s[w++] = s[r++];
                continue;
            }
            r++;
            while (st->runs && r < n && (unsigned char)s[r] < 128 && st->in_class[(unsigned char)s[r]])
                r++;
            memcpy(s + w, st->to, st->to_len);
            w += st->to_len;
        }
        break;
    }
    *len = w;
}


void rnn_tokenizer_opts_default(rnn_tokenizer_opts *o)
{
    memset(o, 0, sizeof *o);
    o->lower = true;
    o->filters = keras_filters;
    o->split = ' ';
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int tokenizer_setup_filters(rnn_tokenizer *t)
{
    const char *f = t->filters;
    size_t len = strlen(f);
    t->wide_filters = malloc((len + 1) * sizeof *t->wide_filters);
    if (!t->wide_filters)
        return RNN_EINTERNAL;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += (size_t)rnn_utf8_decode(f + i, len - i, &cp);
        if (cp < 128)
            t->ascii_filtered[cp] = true;
        else
            t->wide_filters[t->n_wide_filters++] = cp;
    }
    qsort(t->wide_filters, t->n_wide_filters, sizeof *t->wide_filters, compare_u32);
    for (unsigned b = 0; b < 128; b++) {
        unsigned c = t->opts.lower && b >= 'A' && b <= 'Z' ? b + 32 : b;
        if (!t->textvectorization)
            t->ascii_map[b] = t->ascii_filtered[c] ? (unsigned char)t->opts.split : (unsigned char)c;
        else if (t->ascii_filtered[c])
            t->ascii_map[b] = TOK_DELETED;
        else /* tf.strings.split: runs of ASCII whitespace separate words */
            t->ascii_map[b] = c && strchr(" \t\n\v\f\r", (int)c) ? ' ' : (unsigned char)c;
    }
    return RNN_OK;
}

/* TextVectorization's fixed options: its split and OOV token, and no Tokenizer option; a named
 * standardize sets lower and the deleted characters, custom steps run before the split instead. */
static void textvectorization_opts(rnn_tokenizer_opts *o, bool lower, bool strip)
{
    o->oov_token = textvectorization_oov;
    o->lower = lower;
    o->filters = strip ? textvectorization_punctuation : "";
    o->split = ' ';
    o->char_level = false;
}

rnn_tokenizer *rnn_tokenizer_new(const rnn_tokenizer_opts *o)
{
    rnn_tokenizer_opts def;
    if (!o) {
        rnn_tokenizer_opts_default(&def);
        o = &def;
    }
    if (o->style != RNN_TOKENIZER_LEGACY && o->style != RNN_TOKENIZER_TEXTVECTORIZATION)
        return NULL;
    /* Keras: "If set, `max_tokens` must be greater than 1" (room for '' and '[UNK]'). */
    if (o->style == RNN_TOKENIZER_TEXTVECTORIZATION && (o->num_words < 0 || o->num_words == 1))
        return NULL;
    rnn_tokenizer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->opts = *o;
    t->opts.standardize = NULL;
    t->textvectorization = o->style == RNN_TOKENIZER_TEXTVECTORIZATION;
    if (t->textvectorization) {
        bool lower, strip;
        char why[200];
        if (tv_parse_standardize(o->standardize, &lower, &strip, &t->steps, &t->n_steps, why, sizeof why)
            || (o->standardize && !(t->standardize = strdup(o->standardize)))) {
            rnn_tokenizer_free(t);
            return NULL;
        }
        textvectorization_opts(&t->opts, lower, strip);
        t->opts.standardize = t->standardize;
    } else if (o->standardize) {
        free(t);
        return NULL;
    }
    o = &t->opts;
    t->lower_wide = o->lower && !t->textvectorization;
    if (t->opts.split == 0)
        t->opts.split = ' ';
    if (t->opts.num_words < 0)
        t->opts.num_words = 0;
    /* Typed options follow the rule for text: invalid UTF-8 reads as U+FFFD. */
    const char *filters = o->filters ? o->filters : keras_filters;
    t->filters = rnn_utf8_repaired(filters, strlen(filters), NULL);
    t->oov = o->oov_token ? rnn_utf8_repaired(o->oov_token, strlen(o->oov_token), NULL) : NULL;
    if (!t->filters || (o->oov_token && !t->oov) || (unsigned char)t->opts.split >= 128
        || tokenizer_setup_filters(t) || table_init(&t->vocab)) {
        rnn_tokenizer_free(t);
        return NULL;
    }
    t->opts.filters = t->filters;
    t->opts.oov_token = t->oov;
    return t;
}

void rnn_tokenizer_free(rnn_tokenizer *t)
{
    if (!t)
        return;
    table_free(&t->vocab);
    tv_steps_free(t->steps, t->n_steps);
    free(t->standardize);
    free(t->entry_index);
    free(t->index_entry);
    free(t->wide_filters);
    free(t->filters);
    free(t->oov);
    free(t);
}

const rnn_tokenizer_opts *rnn_tokenizer_options(const rnn_tokenizer *t) { return &t->opts; }

/* ---- text_to_word_sequence: lower, translate filters to split, split, drop empty pieces ---- */

typedef struct tok_buf {
    char *p;
    size_t cap;
    char *std;      /* the text after TextVectorization's custom standardize steps */
    size_t std_cap;
} tok_buf;

static void buf_free(tok_buf *b)
{
    free(b->p);
    free(b->std);
}

/* Limits of a saved tokenizer (the save file's TOKN section). */
enum { TOK_MAX_SAVED_WORD = 1 << 20, TOK_MAX_SAVED_WORDS = 100000000 };

static int buf_reserve(tok_buf *b, size_t n)
{
    return rnn_grow(&b->p, &b->cap, n, 1) ? RNN_EINTERNAL : RNN_OK;
}

static bool wide_filtered(const rnn_tokenizer *t, uint32_t cp)
{
    return t->n_wide_filters
        && bsearch(&cp, t->wide_filters, t->n_wide_filters, sizeof cp, compare_u32) != NULL;
}

typedef int (*word_fn)(const char *w, size_t len, uint32_t hash, void *user);

typedef struct scan_word {
    size_t start, len;
    uint32_t hash;
} scan_word;

#define SCAN_BATCH 32

/* Calls fn for each word of text (Keras's text_to_word_sequence, or the characters with char_level).
 * Words are built in buf and handed over in batches of SCAN_BATCH, in order: their hash slots in
 * `table` (may be NULL) are prefetched first, as table lookups are bound by memory latency.
 * Stops at the first non-zero return of fn. `deletes`: some ASCII bytes map to TOK_DELETED (a
 * constant in each caller, so the Tokenizer's loop has no test for them). */
static inline __attribute__((always_inline)) int scan_text(const rnn_tokenizer *t, const char *text, tok_buf *buf,
                                                           word_fn fn, void *user, const tok_table *table,
                                                           const bool deletes)
{
    scan_word batch[SCAN_BATCH];
    int n_batch = 0;
    size_t len = strlen(text);
    /* Output grows by at most 3 times: an invalid byte becomes U+FFFD (1 -> 3 bytes); lowering
     * grows a code point by at most 1.5 (U+0130 -> i + U+0307: 2 -> 3 bytes). */
    if (len > (SIZE_MAX - 8) / 3 || buf_reserve(buf, len * 3 + 8))
        return RNN_EINTERNAL;
    const unsigned char *s = (const unsigned char *)text;
    const unsigned char split = (unsigned char)t->opts.split;
    const bool chars = t->opts.char_level;
    char *out = buf->p;
    size_t w = 0, start = 0;
    int rc;
#define FLUSH()                                                                 \
    do {                                                                        \
        for (int q_ = 0; q_ < n_batch; q_++)                                    \
            if ((rc = fn(out + batch[q_].start, batch[q_].len, batch[q_].hash, user))) \
                return rc;                                                      \
        n_batch = 0;                                                            \
    } while (0)
#define WORD_END()                                                              \
    do {                                                                        \
        if (w > start) {                                                        \
            uint32_t h_ = word_hash(out + start, w - start);                    \
            if (table)                                                          \
                __builtin_prefetch(&table->slots[h_ & (table->n_slots - 1)]);   \
            batch[n_batch++] = (scan_word){start, w - start, h_};               \
            if (n_batch == SCAN_BATCH)                                          \
                FLUSH();                                                        \
        }                                                                       \
        start = w;                                                              \
    } while (0)
#define PUT(c) (out[w++] = (char)(c))
    for (size_t i = 0; i < len;) {
        unsigned char b = s[i];
        if (b < 128 && !chars) {
            unsigned char c = t->ascii_map[b];
            if (c == split)
                WORD_END();
            else if (!deletes || c != TOK_DELETED)
                PUT(c);
            i++;
            continue;
        }
        uint32_t cp, low[3];
        int n = rnn_utf8_decode(text + i, len - i, &cp), k = 1;
        if (!t->lower_wide)
            low[0] = cp;
        else if (cp == 0x3A3)
            low[0] = rnn_lower_sigma(text, len, i);
        else
            k = rnn_unicode_lower(cp, low);
        i += (size_t)n;
        for (int j = 0; j < k; j++) {
            char enc[4];
            int m = rnn_utf8_encode(low[j], enc);
            if (chars) {
                /* char_level: every (lowered) character is a word, unfiltered. */
                for (int q = 0; q < m; q++)
                    PUT(enc[q]);
                WORD_END();
                continue;
            }
            bool is_split = low[j] < 128 ? t->ascii_filtered[low[j]] || low[j] == split
                                         : wide_filtered(t, low[j]);
            if (is_split) {
                WORD_END();
                continue;
            }
            for (int q = 0; q < m; q++)
                PUT(enc[q]);
        }
    }
    WORD_END();
    FLUSH();
#undef FLUSH
#undef WORD_END
#undef PUT
    return RNN_OK;
}

static int scan_tokenizer(const rnn_tokenizer *t, const char *text, tok_buf *buf, word_fn fn, void *user,
                          const tok_table *table)
{
    return scan_text(t, text, buf, fn, user, table, false);
}

static int scan_textvectorization(const rnn_tokenizer *t, const char *text, tok_buf *buf, word_fn fn, void *user,
                                  const tok_table *table)
{
    return scan_text(t, text, buf, fn, user, table, true);
}

/* text through the custom steps into buf->std. */
static const char *tv_standardize(const rnn_tokenizer *t, const char *text, tok_buf *buf)
{
    size_t len = strlen(text);
    if (len == SIZE_MAX || rnn_grow(&buf->std, &buf->std_cap, len + 1, 1))
        return NULL;
    memcpy(buf->std, text, len);
    for (int i = 0; i < t->n_steps; i++)
        tv_step_apply(&t->steps[i], buf->std, &len);
    buf->std[len] = 0;
    return buf->std;
}

static int tokenizer_scan(const rnn_tokenizer *t, const char *text, tok_buf *buf, word_fn fn, void *user,
                          const tok_table *table)
{
    if (t->n_steps && !(text = tv_standardize(t, text, buf)))
        return RNN_EINTERNAL;
    return (t->textvectorization ? scan_textvectorization : scan_tokenizer)(t, text, buf, fn, user, table);
}

typedef struct words_cb {
    void (*fn)(const char *w, size_t len, void *user);
    void *user;
} words_cb;

static int words_forward(const char *w, size_t len, uint32_t h, void *user)
{
    (void)h;
    words_cb *cb = user;
    cb->fn(w, len, cb->user);
    return 0;
}

void rnn_tokenizer_words(const rnn_tokenizer *t, const char *text,
                         void (*fn)(const char *w, size_t len, void *user), void *user)
{
    tok_buf buf = {0};
    words_cb cb = {fn, user};
    (void)tokenizer_scan(t, text, &buf, words_forward, &cb, NULL);
    buf_free(&buf);
}

/* ---- fit_on_texts ---- */

typedef struct fit_job {
    const rnn_tokenizer *t;
    char *const *texts;
    size_t begin, end;
    tok_table table;
    uint64_t total;
    /* fit_encode: word numbers (entries of table) of each text, and texts' word counts in lens */
    uint32_t *nums;
    size_t n_nums, cap_nums;
    size_t *lens;
    int rc;
} fit_job;

static int fit_word(const char *w, size_t len, uint32_t h, void *user)
{
    fit_job *j = user;
    j->total++;
    if (!j->nums)
        return table_count(&j->table, w, len, h, 1);
    if (j->n_nums == j->cap_nums)
        return RNN_EINTERNAL; /* cannot happen: cap_nums is a worst case */
    return table_count_at(&j->table, w, len, h, 1, &j->nums[j->n_nums++]);
}

static void *fit_run(void *arg)
{
    fit_job *j = arg;
    tok_buf buf = {0};
    j->rc = table_init(&j->table);
    for (size_t i = j->begin; i < j->end && !j->rc; i++) {
        size_t before = j->n_nums;
        j->rc = tokenizer_scan(j->t, j->texts[i], &buf, fit_word, j, &j->table);
        if (j->lens)
            j->lens[i - j->begin] = j->n_nums - before;
    }
    buf_free(&buf);
    return NULL;
}

/* Most words (or characters) a text can hold: a word takes at least 2 bytes with its separator. */
static size_t words_bound(const rnn_tokenizer *t, const char *text)
{
    size_t len = strlen(text);
    return t->opts.char_level ? len + 1 : len / 2 + 1;
}

/* Number of threads for n texts: one unless the work is worth it. */
static int jobs_for(size_t n)
{
    int k = rnn_get_threads();
    if (k < 1)
        k = 1;
    if ((size_t)k > n / 256 + 1)
        k = (int)(n / 256 + 1);
    return k;
}

/* Runs fn on jobs[0..k) (job 0 in the calling thread). */
static void run_jobs(void *(*fn)(void *), void *jobs, size_t job_size, int k)
{
    pthread_t tid[k];
    bool started[k];
    for (int i = 1; i < k; i++)
        started[i] = pthread_create(&tid[i], NULL, fn, (char *)jobs + (size_t)i * job_size) == 0;
    fn(jobs);
    for (int i = 1; i < k; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fn((char *)jobs + (size_t)i * job_size); /* no thread available: run it here */
    }
}

/* Ranks word_counts: count descending, ties in first-seen order (Python's stable sort); TextVectorization
 * (index_lookup.py's finalize_state, np.lexsort((tokens, counts))[::-1]): ties by the words' bytes,
 * descending, a word after the longer words it begins. */
typedef struct rank_key {
    uint64_t count;
    const tok_entry *e;   /* in the table's array: first-seen order is address order */
} rank_key;

static int compare_rank(const void *a, const void *b)
{
    const rank_key *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->e < y->e ? -1 : x->e > y->e;
}

static int compare_rank_textvectorization(const void *a, const void *b)
{
    const rank_key *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    const tok_entry *v = x->e, *w = y->e;
    int c = memcmp(v->word, w->word, v->len < w->len ? v->len : w->len);
    if (c == 0)
        c = v->len < w->len ? -1 : v->len > w->len;
    return -c;
}

/* TextVectorization's adapt drops its mask token '' and OOV token '[UNK]' from the counts (its own
 * standardize never makes them; a saved file may hold them). */
static bool textvectorization_reserved(const tok_entry *e)
{
    return e->len == 0 || (e->len == sizeof textvectorization_oov - 1
                           && memcmp(e->word, textvectorization_oov, e->len) == 0);
}

static int tokenizer_rank(rnn_tokenizer *t)
{
    size_t n = t->vocab.n, has_oov = t->oov != NULL;
    rank_key *keys = malloc((n + 1) * sizeof *keys);
    int32_t *entry_index = malloc((n + 1) * sizeof *entry_index);
    uint32_t *index_entry = malloc((n + has_oov + 1) * sizeof *index_entry);
    if (!keys || !entry_index || !index_entry) {
        free(keys); free(entry_index); free(index_entry);
        return RNN_EINTERNAL;
    }
    for (size_t e = 0; e < n; e++)
        keys[e] = (rank_key){t->vocab.entries[e].count, &t->vocab.entries[e]};
    qsort(keys, n, sizeof *keys, t->textvectorization ? compare_rank_textvectorization : compare_rank);
    /* TextVectorization keeps max_tokens - 2 words (ids below max_tokens); the others are out of vocabulary. */
    size_t k = 0, max_index = t->textvectorization && t->opts.num_words ? (size_t)t->opts.num_words - 1 : SIZE_MAX;
    if (has_oov)
        index_entry[k++] = NO_ENTRY;
    for (size_t r = 0; r < n; r++) {
        uint32_t e = (uint32_t)(keys[r].e - t->vocab.entries);
        if (t->textvectorization && (k >= max_index || textvectorization_reserved(keys[r].e))) {
            entry_index[e] = 0;
            continue;
        }
        index_entry[k] = e;
        entry_index[e] = (int32_t)(k + 1);
        k++;
    }
    free(t->entry_index);
    free(t->index_entry);
    t->entry_index = entry_index;
    t->index_entry = index_entry;
    t->n_index = k;
    t->n_distinct_index = k;
    t->oov_index = t->textvectorization ? 1 : 0;
    if (has_oov && !t->textvectorization) {
        /* dict(zip(sorted_voc, ...)): when the OOV token is also a word, its later index wins. */
        uint32_t e = table_find(&t->vocab, t->oov, strlen(t->oov), word_hash(t->oov, strlen(t->oov)));
        t->oov_index = e == NO_ENTRY ? 1 : entry_index[e];
        if (e != NO_ENTRY)
            t->n_distinct_index--;
    }
    free(keys);
    t->fitted = true;
    return RNN_OK;
}

static void fit_jobs_free(fit_job *jobs, int k)
{
    for (int i = 0; jobs && i < k; i++) {
        table_free(&jobs[i].table);
        free(jobs[i].nums);
    }
    free(jobs);
}

/* fit_on_texts over k threads; with lens (n entries) the jobs also keep each text's word numbers. */
static int fit_jobs_run(rnn_tokenizer *t, char *const *texts, size_t n, size_t *lens, fit_job **out, int *k_out)
{
    int k = jobs_for(n);
    fit_job *jobs = calloc((size_t)k, sizeof *jobs);
    *out = jobs;
    *k_out = k;
    if (!jobs)
        return RNN_EINTERNAL;
    int rc = RNN_OK;
    for (int i = 0; i < k; i++) {
        jobs[i] = (fit_job){.t = t, .texts = texts, .begin = n * (size_t)i / (size_t)k,
                            .end = n * (size_t)(i + 1) / (size_t)k};
        if (lens) {
            jobs[i].lens = lens + jobs[i].begin;
            for (size_t x = jobs[i].begin; x < jobs[i].end; x++)
                jobs[i].cap_nums += words_bound(t, texts[x]);
            jobs[i].nums = malloc((jobs[i].cap_nums + 1) * sizeof *jobs[i].nums);
            if (!jobs[i].nums)
                rc = RNN_EINTERNAL;
        }
    }
    if (rc)
        return rc;
    run_jobs(fit_run, jobs, sizeof *jobs, k);
    /* Merge in text order: a word's first appearance is in the first chunk that has it. */
    for (int i = 0; i < k; i++) {
        if (jobs[i].rc)
            rc = jobs[i].rc;
        for (size_t e = 0; e < jobs[i].table.n && !rc; e++) {
            const tok_entry *w = &jobs[i].table.entries[e];
            rc = table_count(&t->vocab, w->word, w->len, w->hash, w->count);
        }
        t->total += jobs[i].total;
    }
    if (!rc)
        rc = tokenizer_rank(t);
    return rc;
}

int rnn_tokenizer_fit(rnn_tokenizer *t, char *const *texts, size_t n, rnn_error *err)
{
    fit_job *jobs;
    int k;
    int rc = fit_jobs_run(t, texts, n, NULL, &jobs, &k);
    fit_jobs_free(jobs, k);
    if (rc)
        return rnn_fail(err, rc, "out of memory fitting the tokenizer");
    return RNN_OK;
}

static int32_t encode_lookup(const rnn_tokenizer *t, const char *w, size_t len, uint32_t h);

int rnn_tokenizer_fit_encode(rnn_tokenizer *t, char *const *texts, size_t n, rnn_seqs *out, rnn_error *err)
{
    memset(out, 0, sizeof *out);
    out->off = malloc((n + 1) * sizeof *out->off);
    if (!out->off)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory fitting the tokenizer");
    fit_job *jobs;
    int k;
    int rc = fit_jobs_run(t, texts, n, out->off + 1, &jobs, &k);
    size_t total = 0;
    for (int i = 0; !rc && i < k; i++)
        total += jobs[i].n_nums;
    if (!rc && !(out->ids = malloc((total + 1) * sizeof *out->ids)))
        rc = RNN_EINTERNAL;
    /* Each job's words get their final id (or -1: dropped) once; then one pass over the numbers.
     * off[i + 1] holds text i's word count until it is replaced by the offset. */
    size_t at = 0;
    out->off[0] = 0;
    for (int i = 0; !rc && i < k; i++) {
        const fit_job *j = &jobs[i];
        int32_t *map = malloc((j->table.n + 1) * sizeof *map);
        if (!map) {
            rc = RNN_EINTERNAL;
            break;
        }
        for (size_t e = 0; e < j->table.n; e++)
            map[e] = encode_lookup(t, j->table.entries[e].word, j->table.entries[e].len, j->table.entries[e].hash);
        const uint32_t *num = j->nums;
        for (size_t x = j->begin; x < j->end; x++) {
            size_t words = out->off[x + 1];
            for (size_t q = 0; q < words; q++) {
                int32_t id = map[num[q]];
                if (id >= 0)
                    out->ids[at++] = id;
            }
            num += words;
            out->off[x + 1] = at;
        }
        free(map);
    }
    fit_jobs_free(jobs, k);
    if (rc) {
        rnn_seqs_free(out);
        return rnn_fail(err, rc, "out of memory fitting the tokenizer");
    }
    out->n = n;
    return RNN_OK;
}

size_t rnn_tokenizer_size(const rnn_tokenizer *t) { return t->n_distinct_index; }

const char *rnn_tokenizer_word(const rnn_tokenizer *t, int32_t index)
{
    if (index < 1 || (size_t)index > t->n_index)
        return NULL;
    uint32_t e = t->index_entry[index - 1];
    /* index_word is built from word_index: a hole at 1 when the OOV token is also a word. */
    if (e == NO_ENTRY)
        return t->oov_index == index ? t->oov : NULL;
    return t->vocab.entries[e].word;
}

uint64_t rnn_tokenizer_count(const rnn_tokenizer *t, int32_t index)
{
    if (index < 1 || (size_t)index > t->n_index)
        return 0;
    uint32_t e = t->index_entry[index - 1];
    return e == NO_ENTRY ? 0 : t->vocab.entries[e].count;
}

int32_t rnn_tokenizer_index(const rnn_tokenizer *t, const char *word)
{
    if (!t->fitted)
        return 0;
    if (t->oov && strcmp(word, t->oov) == 0)
        return t->oov_index;
    size_t len = strlen(word);
    uint32_t e = table_find(&t->vocab, word, len, word_hash(word, len));
    return e == NO_ENTRY ? 0 : t->entry_index[e];
}

uint64_t rnn_tokenizer_total(const rnn_tokenizer *t) { return t->total; }

/* ---- texts_to_sequences ---- */

typedef struct id_vec {
    int32_t *p;
    size_t n, cap;
    bool fixed; /* p is part of a larger buffer sized for the worst case: never grows */
} id_vec;

static int vec_push(id_vec *v, int32_t id)
{
    if (v->n == v->cap && (v->fixed || rnn_grow(&v->p, &v->cap, v->n + 1, sizeof *v->p)))
        return RNN_EINTERNAL;
    v->p[v->n++] = id;
    return RNN_OK;
}

typedef struct encode_ctx {
    const rnn_tokenizer *t;
    id_vec *ids;
} encode_ctx;

/* The id texts_to_sequences gives a word, or -1 when it is dropped. */
static int32_t encode_lookup(const rnn_tokenizer *t, const char *w, size_t len, uint32_t h)
{
    int32_t i;
    if (t->oov && len == strlen(t->oov) && memcmp(w, t->oov, len) == 0)
        i = t->oov_index;
    else {
        uint32_t e = table_find(&t->vocab, w, len, h);
        i = e == NO_ENTRY ? 0 : t->entry_index[e];
    }
    if (i != 0 && (t->opts.num_words == 0 || i < t->opts.num_words))
        return i;
    return t->oov ? t->oov_index : -1;
}

static int encode_word(const char *w, size_t len, uint32_t h, void *user)
{
    encode_ctx *c = user;
    int32_t i = encode_lookup(c->t, w, len, h);
    return i < 0 ? RNN_OK : vec_push(c->ids, i);
}

int rnn_tokenizer_encode(const rnn_tokenizer *t, const char *text, int32_t **ids, size_t *len, rnn_error *err)
{
    *ids = NULL;
    *len = 0;
    if (!t->fitted)
        return rnn_fail(err, RNN_EUSAGE, "the tokenizer has not been fitted yet (tokenize first)");
    id_vec v = {0};
    tok_buf buf = {0};
    encode_ctx c = {t, &v};
    int rc = tokenizer_scan(t, text, &buf, encode_word, &c, &t->vocab);
    buf_free(&buf);
    if (rc) {
        free(v.p);
        return rnn_fail(err, rc, "out of memory encoding a text");
    }
    *ids = v.p;
    *len = v.n;
    return RNN_OK;
}

typedef struct encode_job {
    const rnn_tokenizer *t;
    char *const *texts;
    size_t begin, end;
    id_vec ids;
    size_t *lens; /* lens[i - begin] */
    int rc;
} encode_job;

static void *encode_run(void *arg)
{
    encode_job *j = arg;
    tok_buf buf = {0};
    encode_ctx c = {j->t, &j->ids};
    for (size_t i = j->begin; i < j->end && !j->rc; i++) {
        size_t before = j->ids.n;
        j->rc = tokenizer_scan(j->t, j->texts[i], &buf, encode_word, &c, &j->t->vocab);
        j->lens[i - j->begin] = j->ids.n - before;
    }
    buf_free(&buf);
    return NULL;
}

int rnn_tokenizer_encode_all(const rnn_tokenizer *t, char *const *texts, size_t n, rnn_seqs *out, rnn_error *err)
{
    memset(out, 0, sizeof *out);
    if (!t->fitted)
        return rnn_fail(err, RNN_EUSAGE, "the tokenizer has not been fitted yet (tokenize first)");
    out->off = malloc((n + 1) * sizeof *out->off);
    int k = jobs_for(n);
    encode_job *jobs = calloc((size_t)k, sizeof *jobs);
    if (!out->off || !jobs) {
        free(jobs);
        rnn_seqs_free(out);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory encoding %zu texts", n);
    }
    out->n = n;
    for (int i = 0; i < k; i++) {
        jobs[i] = (encode_job){.t = t, .texts = texts, .begin = n * (size_t)i / (size_t)k,
                               .end = n * (size_t)(i + 1) / (size_t)k};
        jobs[i].lens = out->off + 1 + jobs[i].begin;
    }
    /* One buffer with room for the most ids each job can produce (a word takes at least 2 bytes with
     * its separator, a character at least 1): encoding never reallocates, untouched pages cost nothing,
     * and the jobs' parts are closed up in place afterwards. */
    size_t bound_total = 1;
    for (int i = 0; i < k; i++) {
        size_t bound = 0;
        for (size_t x = jobs[i].begin; x < jobs[i].end; x++) {
            size_t len = strlen(texts[x]);
            bound += t->opts.char_level ? len + 1 : len / 2 + 1;
        }
        jobs[i].ids.cap = bound;
        jobs[i].ids.fixed = true;
        bound_total += bound;
    }
    int rc = RNN_OK;
    int32_t *all = malloc(bound_total * sizeof *all);
    if (!all)
        rc = RNN_EINTERNAL;
    if (!rc) {
        size_t at = 0;
        for (int i = 0; i < k; i++) {
            jobs[i].ids.p = all + at;
            at += jobs[i].ids.cap;
        }
        run_jobs(encode_run, jobs, sizeof *jobs, k);
    }
    for (int i = 0; i < k; i++)
        if (jobs[i].rc)
            rc = jobs[i].rc;
    if (!rc) {
        /* Close up the parts in text order; lengths become offsets. */
        size_t at = 0;
        for (int i = 0; i < k; i++) {
            if (jobs[i].ids.n && jobs[i].ids.p != all + at)
                memmove(all + at, jobs[i].ids.p, jobs[i].ids.n * sizeof *all);
            at += jobs[i].ids.n;
        }
        out->ids = all;
        all = NULL;
        out->off[0] = 0;
        for (size_t i = 0; i < n; i++)
            out->off[i + 1] += out->off[i];
    }
    free(all);
    free(jobs);
    if (rc) {
        rnn_seqs_free(out);
        return rnn_fail(err, rc, "out of memory encoding %zu texts", n);
    }
    return RNN_OK;
}

void rnn_seqs_free(rnn_seqs *s)
{
    if (!s)
        return;
    free(s->off);
    free(s->ids);
    memset(s, 0, sizeof *s);
}

/* ---- sequences_to_texts ---- */

char *rnn_tokenizer_decode(const rnn_tokenizer *t, const int32_t *ids, size_t len)
{
    tok_buf b = {0};
    size_t at = 0;
    if (buf_reserve(&b, 1))
        return NULL;
    b.p[0] = '\0';
    for (size_t i = 0; i < len; i++) {
        if (ids[i] == 0 && t->textvectorization)
            continue; /* the padding, '' in get_vocabulary() */
        const char *w = rnn_tokenizer_word(t, ids[i]);
        if (w && t->opts.num_words && ids[i] >= t->opts.num_words)
            w = t->oov ? t->oov : NULL;
        else if (!w && t->oov && t->fitted)
            w = t->oov; /* index_word[oov_token_index] */
        if (!w)
            continue;
        size_t wl = strlen(w);
        if (buf_reserve(&b, at + wl + 2)) {
            free(b.p);
            return NULL;
        }
        if (at)
            b.p[at++] = ' ';
        memcpy(b.p + at, w, wl);
        at += wl;
        b.p[at] = '\0';
    }
    return b.p;
}

/* ---- save files: a text header, then length-prefixed words in first-seen order ----
 * Version 1 holds the legacy Tokenizer's options (and is all that builds before TextVectorization read);
 * version 2 names the style, whose options it fixes but max_tokens; version 3 adds TextVectorization's
 * standardize when it is not the default (version 2 files stay readable by the builds before it). */

static int write_bytes(FILE *f, const char *key, const char *s)
{
    if (!s)
        return fprintf(f, "%s -1\n", key) < 0;
    size_t len = strlen(s);
    return fprintf(f, "%s %zu ", key, len) < 0 || fwrite(s, 1, len, f) != len || fputc('\n', f) == EOF;
}

int rnn_tokenizer_write(const rnn_tokenizer *t, FILE *f, rnn_error *err)
{
    bool bad;
    if (t->textvectorization) {
        bad = fprintf(f, "rnnlab-tokenizer %d\nstyle textvectorization\nmax_tokens %d\n", t->standardize ? 3 : 2,
                      t->opts.num_words) < 0;
        bad = bad || (t->standardize && write_bytes(f, "standardize", t->standardize));
    } else {
        bad = fprintf(f, "rnnlab-tokenizer 1\nnum_words %d\nlower %d\nchar_level %d\nsplit %d\n",
                      t->opts.num_words, t->opts.lower, t->opts.char_level, t->opts.split) < 0;
        bad = bad || write_bytes(f, "oov_token", t->oov) || write_bytes(f, "filters", t->filters);
    }
    bad = bad || fprintf(f, "fitted %d\nwords %zu %" PRIu64 "\n", t->fitted, t->vocab.n, t->total) < 0;
    for (size_t e = 0; e < t->vocab.n && !bad; e++) {
        const tok_entry *w = &t->vocab.entries[e];
        if (w->len > TOK_MAX_SAVED_WORD)
            return rnn_fail(err, RNN_EUSAGE, "the tokenizer holds a word of %u bytes; a saved word is at most "
                            "%d bytes", w->len, TOK_MAX_SAVED_WORD);
        bad = fprintf(f, "%" PRIu64 " %u ", w->count, w->len) < 0
           || fwrite(w->word, 1, w->len, f) != w->len || fputc('\n', f) == EOF;
    }
    bad = bad || fputs("end\n", f) == EOF;
    if (bad)
        return rnn_fail(err, RNN_EIO, "writing the tokenizer: %s", strerror(errno));
    return RNN_OK;
}

/* Bytes from the position of f to its end; UINT64_MAX when f cannot tell (a pipe). */
static uint64_t stream_left(FILE *f)
{
    off_t at = ftello(f);
    if (at < 0 || fseeko(f, 0, SEEK_END) != 0)
        return UINT64_MAX;
    off_t end = ftello(f);
    if (fseeko(f, at, SEEK_SET) != 0 || end < at)
        return 0;
    return (uint64_t)(end - at);
}

/* Reads "KEY LEN BYTES\n" (LEN -1 = NULL) into a malloc'd string. */
static int read_bytes(FILE *f, const char *key, char **out)
{
    char k[32];
    long long len;
    *out = NULL;
    if (fscanf(f, "%31s %lld", k, &len) != 2 || strcmp(k, key) != 0 || len < -1 || len > 1 << 20
        || (len > 0 && (uint64_t)len >= stream_left(f)))
        return RNN_EDATA;
    if (len < 0)
        return fgetc(f) == '\n' ? RNN_OK : RNN_EDATA;
    if (fgetc(f) != ' ')
        return RNN_EDATA;
    char *s = malloc((size_t)len + 1);
    if (!s)
        return RNN_EINTERNAL;
    if (fread(s, 1, (size_t)len, f) != (size_t)len || fgetc(f) != '\n' || memchr(s, 0, (size_t)len)) {
        free(s);
        return RNN_EDATA;
    }
    s[len] = '\0';
    *out = s;
    return RNN_OK;
}

/* Reads n "COUNT LEN WORD" lines; a length is checked against the limit and against the bytes
 * left before the buffer grows for it. The end of the stream is found once: the bytes left at a
 * word are those left at the first one less what was read since. */
static int tokenizer_read_words(rnn_tokenizer *t, FILE *f, size_t n, char *why, size_t why_cap)
{
    tok_buf b = {0};
    int rc = RNN_OK;
    const uint64_t left_at_start = stream_left(f);
    const off_t start = ftello(f);
    for (size_t e = 0; e < n && !rc; e++) {
        uint64_t count, left;
        unsigned len;
        if (fscanf(f, "%" SCNu64 " %u", &count, &len) != 2 || fgetc(f) != ' ') {
            rc = RNN_EDATA;
            break;
        }
        left = left_at_start;
        if (left != UINT64_MAX) {
            off_t at = ftello(f);
            uint64_t read = at < start ? 0 : (uint64_t)(at - start);
            left = read < left ? left - read : 0;
        }
        if (len > TOK_MAX_SAVED_WORD || len >= left) {
            if (len > TOK_MAX_SAVED_WORD)
                snprintf(why, why_cap, ": the length of word %zu: %u bytes, over the limit of %d", e + 1, len,
                         TOK_MAX_SAVED_WORD);
            else
                snprintf(why, why_cap, ": the length of word %zu: %u bytes, more than the %llu left", e + 1, len,
                         (unsigned long long)left);
            rc = RNN_EDATA;
            break;
        }
        if (buf_reserve(&b, (size_t)len + 1) || fread(b.p, 1, len, f) != len || fgetc(f) != '\n'
            || rnn_utf8_valid_prefix(b.p, len) != len || memchr(b.p, 0, len)) {
            rc = RNN_EDATA;
            break;
        }
        size_t before = t->vocab.n;
        rc = table_count(&t->vocab, b.p, len, word_hash(b.p, len), count);
        if (!rc && t->vocab.n == before)
            rc = RNN_EDATA; /* a word listed twice */
    }
    free(b.p);
    return rc;
}

/* Version 2's header after its first line: the style, then max_tokens (0, or at least 2). */
static int read_style(FILE *f, rnn_tokenizer_opts *o, char *why, size_t why_cap)
{
    char style[32];
    if (fscanf(f, " style %31s max_tokens %d", style, &o->num_words) != 2)
        return RNN_EDATA;
    if (strcmp(style, "textvectorization") != 0) {
        snprintf(why, why_cap, ": an unknown tokenizer style (from a newer rnnlab?)");
        return RNN_EDATA;
    }
    o->style = RNN_TOKENIZER_TEXTVECTORIZATION;
    if (o->num_words < 0 || o->num_words == 1) {
        snprintf(why, why_cap, ": max_tokens %d (0 or at least 2)", o->num_words);
        return RNN_EDATA;
    }
    return RNN_OK;
}

int rnn_tokenizer_read(rnn_tokenizer **out, FILE *f, rnn_error *err)
{
    rnn_tokenizer_opts o;
    int version = 0, lower = 0, char_level = 0, split = 0, fitted = 0;
    size_t n = 0;
    uint64_t total = 0;
    char *oov = NULL, *filters = NULL, *standardize = NULL;
    rnn_tokenizer *t = NULL;
    char why[160] = "";
    *out = NULL;
    rnn_tokenizer_opts_default(&o);
    int rc = fscanf(f, " rnnlab-tokenizer %d", &version) == 1 ? RNN_OK : RNN_EDATA;
    if (!rc && (version < 1 || version > 3)) {
        snprintf(why, sizeof why, ": version %d (this build reads 1 to 3)", version);
        rc = RNN_EDATA;
    }
    if (!rc && version >= 2)
        rc = read_style(f, &o, why, sizeof why);
    if (!rc && version == 3) {
        rc = read_bytes(f, "standardize", &standardize);
        if (!rc && !standardize)
            rc = RNN_EDATA;
        rnn_error serr = {0};
        if (!rc && rnn_tokenizer_check_standardize(standardize, &serr)) {
            snprintf(why, sizeof why, ": %.150s", serr.msg);
            rc = RNN_EDATA;
        }
        o.standardize = standardize;
    }
    if (!rc && version == 1) {
        rc = fscanf(f, " num_words %d lower %d char_level %d split %d ", &o.num_words, &lower, &char_level,
                    &split) == 4 && split > 0 && split < 128 ? RNN_OK : RNN_EDATA;
        if (!rc)
            rc = read_bytes(f, "oov_token", &oov);
        if (!rc)
            rc = read_bytes(f, "filters", &filters);
        o.lower = lower;
        o.char_level = char_level;
        o.split = (char)split;
        o.oov_token = oov;
        o.filters = filters;
    }
    /* a word's line is at least "C L W\n": 5 bytes */
    if (!rc && fscanf(f, " fitted %d words %zu %" SCNu64, &fitted, &n, &total) != 3)
        rc = RNN_EDATA;
    if (!rc && (n > TOK_MAX_SAVED_WORDS || n > stream_left(f) / 5)) {
        snprintf(why, sizeof why, ": its words: %zu, over the limit of %d or more than the bytes left hold", n,
                 TOK_MAX_SAVED_WORDS);
        rc = RNN_EDATA;
    }
    if (!rc && fgetc(f) != '\n')
        rc = RNN_EDATA;
    if (!rc) {
        t = rnn_tokenizer_new(&o);
        rc = t ? tokenizer_read_words(t, f, n, why, sizeof why) : RNN_EDATA;
    }
    char end[8];
    if (!rc && (fscanf(f, " %7s", end) != 1 || strcmp(end, "end") != 0 || fgetc(f) != '\n'))
        rc = RNN_EDATA;
    if (!rc) {
        t->total = total;
        if (fitted)
            rc = tokenizer_rank(t);
    }
    free(oov);
    free(filters);
    free(standardize);
    if (rc) {
        rnn_tokenizer_free(t);
        return rc == RNN_EDATA ? rnn_fail(err, RNN_EDATA, "the tokenizer in the saved file is damaged%s", why)
                               : rnn_fail(err, rc, "out of memory reading the tokenizer");
    }
    *out = t;
    return RNN_OK;
}
