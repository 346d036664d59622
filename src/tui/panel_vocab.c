/* Vocabulary panel: tokenizer size, token coverage at num_words and a few cut-offs, and the
 * most frequent words with their counts. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui/tui.h"

enum { VOCAB_TOP = 200 };
static const int vocab_cutoffs[] = {1000, 5000, 10000, 20000};
enum { N_CUTOFFS = sizeof vocab_cutoffs / sizeof vocab_cutoffs[0] };

typedef struct vocab_view {
    bool fitted;
    size_t size;
    uint64_t total;
    int num_words;
    double coverage_num_words;           /* fraction of tokens kept by num_words */
    double coverage[N_CUTOFFS];
    int n_top;
    char top[VOCAB_TOP][48];              /* "word 1234" */
} vocab_view;

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
        if (nv.num_words > 0)
            nv.coverage_num_words = vocab_coverage(tok, nv.size, nv.total, nv.num_words);
        for (int c = 0; c < N_CUTOFFS; c++)
            nv.coverage[c] = vocab_coverage(tok, nv.size, nv.total, vocab_cutoffs[c] + 1);
        for (int32_t i = 1; (size_t)i <= nv.size && nv.n_top < VOCAB_TOP; i++) {
            uint64_t n = rnn_tokenizer_count(tok, i);
            const char *w = rnn_tokenizer_word(tok, i);
            if (!w || n == 0)
                continue;   /* the OOV token has no count */
            char num[16];
            count_short(num, sizeof num, n);
            snprintf(nv.top[nv.n_top++], sizeof nv.top[0], "%.24s %s", w, num);
        }
    }
    pthread_mutex_lock(&p->sh->lock);
    *(vocab_view *)p->data = nv;
    pthread_mutex_unlock(&p->sh->lock);
    tui_redraw(p->sh);
}

static void vocab_event(tui_panel *p, const tui_event *e)
{
    if (e->kind == TUI_EVENT_CHANGED && (e->what & APP_CHANGED_VOCAB))
        vocab_snapshot(p, e->app);
}

static void vocab_draw(tui_panel *p, tui_rect r)
{
    vocab_view *v = p->data;
    if (!v->fitted) {
        tui_put(r, 0, 0, "no tokenizer", theme_attr(ROLE_DIM));
        tui_put(r, 1, 0, "try: tokenize num_words=10000", theme_attr(ROLE_DIM));
        return;
    }
    char line[256], tot[16];
    int row = 0;
    count_short(tot, sizeof tot, v->total);
    snprintf(line, sizeof line, "%zu word%s, %s token%s", v->size, v->size == 1 ? "" : "s", tot,
             v->total == 1 ? "" : "s");
    tui_put(r, row++, 0, line, theme_attr(ROLE_VALUE));
    if (v->num_words > 0)
        snprintf(line, sizeof line, "num_words %d: %.1f%% kept", v->num_words,
                 100 * v->coverage_num_words);
    else
        snprintf(line, sizeof line, "num_words unlimited: all kept");
    tui_put(r, row++, 0, line, theme_attr(ROLE_NORMAL));
    size_t len = 0;
    len += (size_t)snprintf(line, sizeof line, "top");
    for (int c = 0; c < N_CUTOFFS && (size_t)vocab_cutoffs[c] < v->size; c++)
        len += (size_t)snprintf(line + len, sizeof line - len, " %dk %.0f%%",
                                vocab_cutoffs[c] / 1000, 100 * v->coverage[c]);
    if (len > 3)
        tui_put(r, row++, 0, line, theme_attr(ROLE_DIM));
    /* Top words flow left to right, row by row; scrolling skips rows. */
    int col = 0, skip = p->scroll;
    for (int i = 0; i < v->n_top && row < r.h; i++) {
        int w = (int)strlen(v->top[i]);
        if (col > 0 && col + w > r.w) {
            col = 0;
            if (skip > 0) skip--; else row++;
            if (row >= r.h) break;
        }
        if (skip == 0) {
            char *sp = strrchr(v->top[i], ' ');
            size_t wl = sp ? (size_t)(sp - v->top[i]) : strlen(v->top[i]);
            char word[48];
            snprintf(word, sizeof word, "%.*s", (int)wl, v->top[i]);
            tui_put(r, row, col, word, theme_attr(ROLE_LABEL));
            if (sp)
                tui_put(r, row, col + (int)wl, sp, theme_attr(ROLE_DIM));
        }
        col += w + 2;
    }
}

static bool vocab_key(tui_panel *p, int key) { return tui_scroll_key(p, key, 2, false); }

static bool vocab_init(tui_panel *p)
{
    p->data = calloc(1, sizeof(vocab_view));
    return p->data != NULL;
}

static void vocab_free(tui_panel *p)
{
    free(p->data);
    p->data = NULL;
}

const tui_panel_ops panel_vocab_ops = {
    .name = "vocabulary",
    .init = vocab_init,
    .free = vocab_free,
    .draw = vocab_draw,
    .key = vocab_key,
    .event = vocab_event,
};
