/* Log panel: every command's output (the app's sink) and anything else written to stdout or
 * stderr while the dashboard runs. A ring of lines, wrapped to the panel width when drawn. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include "tui/tui.h"

enum { LOG_MAX_LINES = 5000 };

typedef struct log_line { char *text; bool is_error; } log_line;
typedef struct log_data {
    log_line lines[LOG_MAX_LINES];
    int start, count;                /* ring */
    char *pending; size_t pending_len, pending_cap; bool pending_error;
    bool in_escape;                  /* inside an ANSI escape sequence */
    unsigned long output, drawn;     /* appends so far / as of the last frame drawn */
} log_data;

static void log_push(log_data *d, const char *text, size_t len, bool is_error)
{
    char *copy = strndup(text, len);
    if (!copy)
        return;
    if (d->count == LOG_MAX_LINES) {   /* drop the oldest */
        free(d->lines[d->start].text);
        d->start = (d->start + 1) % LOG_MAX_LINES;
        d->count--;
    }
    log_line *l = &d->lines[(d->start + d->count++) % LOG_MAX_LINES];
    l->text = copy;
    l->is_error = is_error;
}

static void pending_add(log_data *d, char c)
{
    if (rnn_grow(&d->pending, &d->pending_cap, d->pending_len + 2, 1))
        return;
    d->pending[d->pending_len++] = c;
}

/* Splits text into lines; '\r' restarts the current line (progress bars), escapes are dropped,
 * tabs become spaces. */
static void log_feed(log_data *d, const char *text, size_t len, bool is_error)
{
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (d->in_escape) {
            if ((c >= '@' && c <= '~' && c != '[') || c == '\n')
                d->in_escape = false;
            continue;
        }
        if (c == '\x1b') { d->in_escape = true; continue; }
        if (c == '\r') { d->pending_len = 0; continue; }
        if (c == '\n') {
            log_push(d, d->pending ? d->pending : "", d->pending_len, is_error || d->pending_error);
            d->pending_len = 0;
            d->pending_error = false;
            continue;
        }
        if (c == '\t') {
            do pending_add(d, ' '); while (d->pending_len % 4);
            continue;
        }
        if ((unsigned char)c < 0x20)
            continue;
        pending_add(d, c);
        d->pending_error |= is_error;
    }
}

/* Output from any thread: the app's sink, stray stdout/stderr, the dashboard's own notes. */
static void log_event(tui_panel *p, const tui_event *e)
{
    if (e->kind != TUI_EVENT_OUTPUT)
        return;
    log_data *d = p->data;
    pthread_mutex_lock(&p->sh->lock);
    log_feed(d, e->text, e->len, e->is_error);
    if (e->len > 0)
        d->output++;
    pthread_mutex_unlock(&p->sh->lock);
    tui_redraw(p->sh);
}

/* Lines holding box-drawing, block or braille characters (U+2500..U+28FF: charts, tables) are
 * clipped instead of wrapped, so that they keep their shape. */
static bool is_drawing(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] >= 0x94 && (unsigned char)s[1] <= 0xA3)
            return true;
    return false;
}

static int wrapped_rows(const char *s, int width)
{
    if (is_drawing(s))
        return 1;
    int rows = 1;
    while (1) {
        size_t b = tui_text_bytes(s, width);
        if (!s[b])
            return rows;
        s += b;
        rows++;
    }
}

static void log_draw(tui_panel *p, tui_rect r)
{
    log_data *d = p->data;
    if (r.w <= 0 || r.h <= 0)
        return;
    /* New output brings the log back to its end, as a terminal does after its scrollback was
     * paged through (the UI thread owns the scroll offset, hence here rather than in log_append). */
    if (d->output != d->drawn) {
        p->scroll = 0;
        d->drawn = d->output;
    }
    /* Walk back from the newest line (minus the scroll offset in lines) filling rows upwards. */
    int skip = p->scroll, row = r.h;
    if (skip > d->count - 1) skip = p->scroll = d->count > 0 ? d->count - 1 : 0;
    bool has_pending = d->pending_len > 0;
    for (int i = d->count - 1 + has_pending - skip; i >= 0 && row > 0; i--) {
        const char *text; bool err;
        if (i == d->count) {   /* the unfinished last line */
            pending_add(d, 0);
            d->pending_len--;
            text = d->pending; err = d->pending_error;
        } else {
            log_line *l = &d->lines[(d->start + i) % LOG_MAX_LINES];
            text = l->text; err = l->is_error;
        }
        int n = wrapped_rows(text, r.w);
        int attr = theme_attr(err ? ROLE_ERROR : ROLE_NORMAL);
        for (int k = n - 1; k >= 0 && row > 0; k--) {
            const char *seg = text;
            for (int j = 0; j < k; j++)
                seg += tui_text_bytes(seg, r.w);
            size_t b = tui_text_bytes(seg, r.w);
            char buf[1024];
            if (b >= sizeof buf) b = sizeof buf - 1;
            memcpy(buf, seg, b);
            buf[b] = 0;
            tui_put(r, --row, 0, buf, attr);
        }
    }
    if (p->scroll > 0) {
        char tag[32];
        snprintf(tag, sizeof tag, "[-%d]", p->scroll);
        tui_put(r, 0, r.w - (int)strlen(tag), tag, theme_attr(ROLE_DIM));
    }
}

/* The scroll offset counts lines back from the newest: PgUp pages back through older output. */
static bool log_key(tui_panel *p, int key) { return tui_scroll_key(p, key, 5, true); }

static void log_free(tui_panel *p)
{
    log_data *d = p->data;
    if (!d)
        return;
    for (int i = 0; i < d->count; i++)
        free(d->lines[(d->start + i) % LOG_MAX_LINES].text);
    free(d->pending);
    free(d);
    p->data = NULL;
}

static bool log_init(tui_panel *p)
{
    p->data = calloc(1, sizeof(log_data));
    return p->data != NULL;
}

const tui_panel_ops panel_log_ops = {
    .name = "log",
    .init = log_init,
    .free = log_free,
    .draw = log_draw,
    .key = log_key,
    .event = log_event,
};
