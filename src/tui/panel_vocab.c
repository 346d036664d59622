/* Vocabulary panel: tokenizer size, token coverage at num_words and a few cut-offs, and the
 * most frequent words with their counts. On request, the words nearest a word by cosine
 * similarity in the current embedding, found as `embeddings near` finds them: `/` opens a word
 * entry, Enter opens it on a word of the list that the arrows move through; Enter asks, Esc closes.
 *
 * The embedding may be the Embedding fit is training, so a request is answered only where the
 * session holds still (TUI_EVENT_STEADY): on the UI thread while no command runs, or on fit's
 * thread between two batches, never while fit writes the matrix. near_lock guards only the
 * question and its answer; fit's thread only try-locks it, so training never waits. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui/tui.h"

enum { VOCAB_TOP = 200, NEAR_K = 10, WORD_MAX = 64 };
static const int vocab_cutoffs[] = {1000, 5000, 10000, 20000};
enum { N_CUTOFFS = sizeof vocab_cutoffs / sizeof vocab_cutoffs[0] };

typedef struct vocab_view {
    bool fitted;
    size_t size;
    uint64_t total;
    int num_words;                       /* TextVectorization: max_tokens */
    bool textvectorization;
    double coverage_num_words;           /* fraction of tokens kept by num_words */
    double coverage[N_CUTOFFS];
    int n_top;
    char word[VOCAB_TOP][WORD_MAX];      /* most frequent first */
    char count[VOCAB_TOP][8];            /* "1234", "56k" */
} vocab_view;

/* The nearest words of one word, or why there are none. */
typedef struct near_answer {
    char word[WORD_MAX];
    char source[64];                     /* "embedding" (the layer), "the word vectors" */
    int epoch, batch;                    /* when fit's matrix was read; 0 outside fit */
    bool by_ngrams;
    int n;
    char near[NEAR_K][WORD_MAX];
    float sim[NEAR_K];
    char error[512];                     /* when n == 0 */
} near_answer;

typedef struct vocab_data {
    vocab_view view;                     /* sh->lock */
    /* The word entry (sh->lock; UI thread). */
    bool open;                           /* the entry is shown; p->typing follows it */
    char entry[WORD_MAX];
    int cursor;                          /* word of the list picked by the arrows, -1: typed */
    bool waiting;                        /* asked, no answer yet */
    bool answer_on;                      /* the entry holds the word of `shown` (no key since) */
    near_answer shown;                   /* the last answer */
    /* Between the UI thread and the thread that answers. */
    pthread_mutex_t near_lock;
    atomic_bool asked;                   /* a question waits (read without the lock) */
    char question[WORD_MAX];             /* near_lock */
    bool answered;                       /* near_lock */
    near_answer answer;                  /* near_lock */
} vocab_data;

/* Fraction of all word occurrences whose index is below `limit` (Keras keeps ids < num_words). */
static double vocab_coverage(const rnn_tokenizer *tok, size_t size, uint64_t total, int limit)
{
    if (total == 0)
        return 0;
    uint64_t kept = 0;
    for (int32_t i = 1; i < limit && (size_t)i <= size; i++)
        kept += rnn_tokenizer_count(tok, i);
    return (double)kept / (double)total;
}

static void count_short(char *out, size_t size, uint64_t n)
{
    if (n >= 10000000) snprintf(out, size, "%.0fM", n / 1e6);
    else if (n >= 10000) snprintf(out, size, "%.0fk", n / 1e3);
    else snprintf(out, size, "%llu", (unsigned long long)n);
}

static void vocab_snapshot(tui_panel *p, const app_state *s)
{
    vocab_view nv = {0};
    const rnn_tokenizer *tok = s->tok;
    if (tok && rnn_tokenizer_size(tok) > 0) {
        nv.fitted = true;
        nv.size = rnn_tokenizer_size(tok);
        nv.total = rnn_tokenizer_total(tok);
        nv.num_words = rnn_tokenizer_options(tok)->num_words;
        nv.textvectorization = rnn_tokenizer_options(tok)->style == RNN_TOKENIZER_TEXTVECTORIZATION;
        if (nv.num_words > 0)
            nv.coverage_num_words = vocab_coverage(tok, nv.size, nv.total, nv.num_words);
        for (int c = 0; c < N_CUTOFFS; c++)
            nv.coverage[c] = vocab_coverage(tok, nv.size, nv.total, vocab_cutoffs[c] + 1);
        for (int32_t i = 1; (size_t)i <= nv.size && nv.n_top < VOCAB_TOP; i++) {
            uint64_t n = rnn_tokenizer_count(tok, i);
            const char *w = rnn_tokenizer_word(tok, i);
            if (!w || n == 0 || strlen(w) >= WORD_MAX)
                continue;   /* the OOV token has no count */
            snprintf(nv.word[nv.n_top], WORD_MAX, "%s", w);
            count_short(nv.count[nv.n_top++], sizeof nv.count[0], n);
        }
    }
    vocab_data *d = p->data;
    pthread_mutex_lock(&p->sh->lock);
    d->view = nv;
    if (d->cursor >= nv.n_top)
        d->cursor = nv.n_top - 1;
    pthread_mutex_unlock(&p->sh->lock);
    tui_redraw(p->sh);
}

/* ---- answering (a thread where the session holds still) ---- */

static void near_find(const app_state *app, const char *word, const rnn_fit_progress *fit, near_answer *a)
{
    int32_t ids[NEAR_K];
    float sims[NEAR_K];
    app_near near;
    rnn_error err = {0};
    memset(a, 0, sizeof *a);
    snprintf(a->word, sizeof a->word, "%s", word);
    if (fit) {
        a->epoch = fit->epoch;
        a->batch = fit->batch;
    }
    if (app_embedding_near(app, word, NEAR_K, ids, sims, &near, &err) != RNN_OK) {
        snprintf(a->error, sizeof a->error, "%s", err.msg);
        return;
    }
    snprintf(a->source, sizeof a->source, "%s", near.source);
    a->by_ngrams = near.by_ngrams;
    for (size_t i = 0; i < near.n; i++) {
        const char *w = rnn_tokenizer_word(app->tok, ids[i]);
        snprintf(a->near[i], WORD_MAX, "%s", w ? w : "?");
        a->sim[i] = sims[i];
    }
    a->n = (int)near.n;
}

/* Answers the waiting question, if any, unless the UI thread holds the lock right now (fit's
 * thread then tries again after the next batch). */
static void near_answer_question(tui_panel *p, const app_state *app, const rnn_fit_progress *fit)
{
    vocab_data *d = p->data;
    if (!atomic_load(&d->asked) || pthread_mutex_trylock(&d->near_lock) != 0)
        return;
    near_find(app, d->question, fit, &d->answer);
    d->answered = true;
    atomic_store(&d->asked, false);
    pthread_mutex_unlock(&d->near_lock);
    tui_redraw(p->sh);
}

static void vocab_event(tui_panel *p, const tui_event *e)
{
    if (e->kind == TUI_EVENT_CHANGED && (e->what & APP_CHANGED_VOCAB))
        vocab_snapshot(p, e->app);
    else if (e->kind == TUI_EVENT_STEADY)
        near_answer_question(p, e->app, e->progress);
}

/* ---- the word entry (UI thread, sh->lock held) ---- */

static void near_ask(vocab_data *d)
{
    if (!d->entry[0])
        return;
    pthread_mutex_lock(&d->near_lock);   /* at most one search long */
    snprintf(d->question, sizeof d->question, "%s", d->entry);
    d->answered = false;
    atomic_store(&d->asked, true);
    pthread_mutex_unlock(&d->near_lock);
    d->waiting = true;
    d->answer_on = false;
}

/* Takes the answer once it came (at every frame while waiting). */
static void near_collect(vocab_data *d)
{
    if (!d->waiting)
        return;
    pthread_mutex_lock(&d->near_lock);
    if (d->answered) {
        d->shown = d->answer;
        d->answer_on = true;
        d->answered = false;
        d->waiting = false;
    }
    pthread_mutex_unlock(&d->near_lock);
}

static void entry_set(vocab_data *d, int cursor)
{
    d->cursor = cursor;
    d->answer_on = false;
    snprintf(d->entry, sizeof d->entry, "%s", cursor >= 0 ? d->view.word[cursor] : "");
}

static void entry_open(tui_panel *p, bool typed)
{
    vocab_data *d = p->data;
    d->open = p->typing = true;
    entry_set(d, typed || d->view.n_top == 0 ? -1 : d->cursor >= 0 ? d->cursor : 0);
}

static void entry_close(tui_panel *p)
{
    vocab_data *d = p->data;
    d->open = p->typing = false;
    d->waiting = d->answer_on = false;
}

/* Arrows step through the listed words (from the first one when the word was typed). */
static void entry_step(vocab_data *d, int step)
{
    int n = d->view.n_top;
    if (n == 0)
        return;
    int c = d->cursor < 0 ? 0 : d->cursor + step;
    entry_set(d, c < 0 ? 0 : c >= n ? n - 1 : c);
}

/* Backspace removes the last character (all bytes of a UTF-8 one). */
static void entry_erase(vocab_data *d)
{
    size_t len = strlen(d->entry);
    while (len > 0 && ((unsigned char)d->entry[len - 1] & 0xC0) == 0x80)
        len--;
    d->entry[len > 0 ? len - 1 : 0] = 0;
    d->cursor = -1;
    d->answer_on = false;
}

static void entry_type(vocab_data *d, int key)
{
    size_t len = strlen(d->entry);
    if (len + 1 >= sizeof d->entry)
        return;
    d->entry[len] = (char)key;
    d->entry[len + 1] = 0;
    d->cursor = -1;
    d->answer_on = false;
}

static bool is_enter(int key) { return key == '\r' || key == '\n' || key == KEY_ENTER; }

static bool entry_key(tui_panel *p, int key)
{
    vocab_data *d = p->data;
    if (key == 27) entry_close(p);   /* Esc */
    else if (key == '/') entry_set(d, -1);   /* a new word (the tokenizer keeps no '/' in words) */
    else if (is_enter(key)) near_ask(d);
    else if (key == KEY_LEFT || key == KEY_UP) entry_step(d, -1);
    else if (key == KEY_RIGHT || key == KEY_DOWN) entry_step(d, 1);
    else if (key == KEY_BACKSPACE || key == 127 || key == 8) entry_erase(d);
    else if ((key >= 32 && key < 127) || (key >= 128 && key < 256)) entry_type(d, key);
    else return false;
    return true;
}

static bool vocab_key(tui_panel *p, int key)
{
    vocab_data *d = p->data;
    if (tui_scroll_key(p, key, 2, false))
        return true;
    if (d->open)
        return entry_key(p, key);
    if (key != '/' && !is_enter(key))
        return false;
    entry_open(p, key == '/');
    return true;
}

/* ---- drawing (UI thread, sh->lock held) ---- */

/* Items "label dim" flowing left to right, row by row, from row `top`: the first `skip` rows are
 * left out; item `mark` is drawn reversed. Returns the row after the last one drawn. */
typedef struct flow_item { const char *label, *dim; } flow_item;

static int flow_row_of(const flow_item *it, int n, int w, int index)
{
    int col = 0, row = 0;
    for (int i = 0; i <= index && i < n; i++) {
        int len = (int)(strlen(it[i].label) + strlen(it[i].dim));
        if (col > 0 && col + len > w) {
            col = 0;
            row++;
        }
        col += len + 2;
    }
    return row;
}

static int flow_draw(tui_rect r, int top, const flow_item *it, int n, int skip, int mark)
{
    int col = 0, row = top - skip;
    for (int i = 0; i < n; i++) {
        int wl = (int)strlen(it[i].label), len = wl + (int)strlen(it[i].dim);
        if (col > 0 && col + len > r.w) {
            col = 0;
            row++;
        }
        if (row >= r.h)
            break;
        if (row >= top) {
            tui_put(r, row, col, it[i].label, theme_attr(ROLE_LABEL) | (i == mark ? A_REVERSE : 0));
            tui_put(r, row, col + wl, it[i].dim, theme_attr(ROLE_DIM));
        }
        col += len + 2;
    }
    return row + 1;
}

/* Text wrapped at spaces over rows top.. of r; returns the row after it. */
static int draw_wrapped(tui_rect r, int top, const char *text, int attr)
{
    int row = top;
    while (*text && row < r.h) {
        size_t fit = tui_text_bytes(text, r.w), cut = fit;
        if (text[fit]) {
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = fit;
        }
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)cut, text);
        tui_put(r, row++, 0, line, attr);
        text += cut;
        while (*text == ' ')
            text++;
    }
    return row;
}

static void draw_listed_words(tui_panel *p, tui_rect r, int top, int mark)
{
    vocab_data *d = p->data;
    static flow_item it[VOCAB_TOP];
    static char dim[VOCAB_TOP][10];
    for (int i = 0; i < d->view.n_top; i++) {
        snprintf(dim[i], sizeof dim[i], " %s", d->view.count[i]);
        it[i] = (flow_item){d->view.word[i], dim[i]};
    }
    int skip = p->scroll;
    if (mark >= 0) {   /* keep the picked word in sight */
        int row = flow_row_of(it, d->view.n_top, r.w, mark), rows = r.h - top;
        skip = row < rows ? 0 : row - rows + 1;
    }
    flow_draw(r, top, it, d->view.n_top, skip, mark);
}

/* "in embedding, epoch 3 batch 17": where the neighbours come from. */
static void answer_source(const near_answer *a, char *out, size_t size)
{
    int n = snprintf(out, size, "in %s%s", a->source, a->by_ngrams ? " (by n-grams)" : "");
    if (a->epoch > 0 && n > 0 && (size_t)n < size)
        snprintf(out + n, size - (size_t)n, ", epoch %d batch %d", a->epoch, a->batch);
}

/* One neighbour per row when they all fit with the source line, else flowing. */
static void draw_answer(tui_rect r, int top, const near_answer *a)
{
    if (a->n == 0) {
        draw_wrapped(r, top, a->error, theme_attr(ROLE_ERROR));
        return;
    }
    char src[160], sims[NEAR_K][12];
    answer_source(a, src, sizeof src);
    int rows = r.h - top;
    if (rows >= a->n + 1) {
        for (int i = 0; i < a->n; i++) {
            tui_put(r, top + i, 0, a->near[i], theme_attr(ROLE_LABEL));
            snprintf(sims[i], sizeof sims[i], " %.4f", a->sim[i]);
            int col = (int)strlen(a->near[i]);   /* sims in a column when the words allow */
            if (col < 20 && r.w >= 30)
                col = 20;
            tui_put(r, top + i, col, sims[i], theme_attr(ROLE_VALUE));
        }
        tui_put(r, top + a->n, 0, src, theme_attr(ROLE_DIM));
        return;
    }
    flow_item it[NEAR_K];
    for (int i = 0; i < a->n; i++) {
        snprintf(sims[i], sizeof sims[i], " %.2f", a->sim[i]);
        it[i] = (flow_item){a->near[i], sims[i]};
    }
    int next = flow_draw(r, top, it, a->n, 0, -1);
    tui_put(r, next, 0, src, theme_attr(ROLE_DIM));
}

static void draw_entry(tui_panel *p, tui_rect r)
{
    vocab_data *d = p->data;
    near_collect(d);
    char line[WORD_MAX + 16];
    snprintf(line, sizeof line, "near: %s_", d->entry);
    tui_put(r, 0, 0, line, theme_attr(ROLE_PROMPT));
    int bottom = r.h >= 6 ? r.h - 1 : r.h;   /* a row of keys when there is room */
    tui_rect body = {r.y, r.x, bottom, r.w};
    if (d->waiting)
        draw_wrapped(body, 1, "looking up (between two batches while fit runs)...", theme_attr(ROLE_DIM));
    else if (d->answer_on)
        draw_answer(body, 1, &d->shown);
    else if (d->view.n_top > 0)
        draw_listed_words(p, body, 1, d->cursor);
    static const char *const hints[] = {"type a word or pick one with the arrows  Enter nearest  Esc close",
                                        "arrows pick  Enter nearest  Esc close", "Enter nearest  Esc close"};
    for (int i = 0; bottom < r.h && i < 3; i++)
        if ((int)strlen(hints[i]) <= r.w || i == 2) {
            tui_put(r, bottom, 0, hints[i], theme_attr(ROLE_DIM));
            break;
        }
}

static void draw_summary(tui_panel *p, tui_rect r)
{
    vocab_view *v = &((vocab_data *)p->data)->view;
    char line[256], tot[16];
    int row = 0;
    count_short(tot, sizeof tot, v->total);
    snprintf(line, sizeof line, "%zu word%s, %s token%s", v->size, v->size == 1 ? "" : "s", tot,
             v->total == 1 ? "" : "s");
    tui_put(r, row++, 0, line, theme_attr(ROLE_VALUE));
    const char *limit = v->textvectorization ? "max_tokens" : "num_words";
    if (v->num_words > 0)
        snprintf(line, sizeof line, "%s %d: %.1f%% kept", limit, v->num_words, 100 * v->coverage_num_words);
    else
        snprintf(line, sizeof line, "%s unlimited: all kept", limit);
    tui_put(r, row++, 0, line, theme_attr(ROLE_NORMAL));
    size_t len = 0;
    len += (size_t)snprintf(line, sizeof line, "top");
    for (int c = 0; c < N_CUTOFFS && (size_t)vocab_cutoffs[c] < v->size; c++)
        len += (size_t)snprintf(line + len, sizeof line - len, " %dk %.0f%%",
                                vocab_cutoffs[c] / 1000, 100 * v->coverage[c]);
    if (len > 3)
        tui_put(r, row++, 0, line, theme_attr(ROLE_DIM));
    draw_listed_words(p, r, row, -1);
}

static void vocab_draw(tui_panel *p, tui_rect r)
{
    vocab_data *d = p->data;
    if (d->open)
        draw_entry(p, r);
    else if (d->view.fitted)
        draw_summary(p, r);
    else {
        tui_put(r, 0, 0, "no tokenizer", theme_attr(ROLE_DIM));
        tui_put(r, 1, 0, "try: tokenize num_words=10000", theme_attr(ROLE_DIM));
    }
}

static const char *vocab_tag(tui_panel *p)
{
    return ((vocab_data *)p->data)->open ? "Esc close" : "/ near";
}

static bool vocab_init(tui_panel *p)
{
    vocab_data *d = calloc(1, sizeof *d);
    if (!d)
        return false;
    d->cursor = -1;
    pthread_mutex_init(&d->near_lock, NULL);
    p->data = d;
    return true;
}

static void vocab_free(tui_panel *p)
{
    vocab_data *d = p->data;
    if (d)
        pthread_mutex_destroy(&d->near_lock);
    free(d);
    p->data = NULL;
}

static const tui_key_help vocab_keys[] = {
    {"/", "type a word, Enter: its 10 nearest words (cosine)"},
    {"Enter", "arrows pick a listed word, Enter: its nearest"},
    {"Esc", "close the word entry"},
    {NULL, NULL},
};

const tui_panel_ops panel_vocab_ops = {
    .name = "vocabulary",
    .init = vocab_init,
    .free = vocab_free,
    .draw = vocab_draw,
    .tag = vocab_tag,
    .key = vocab_key,
    .keys = vocab_keys,
    .event = vocab_event,
};
