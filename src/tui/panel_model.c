/* Model panel: Keras's summary table of the current model (rnn_model_summary) sized to the
 * panel, and whether it is compiled. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui/dashboard.h"

typedef struct model_view {
    char *summary;          /* malloc'd, NULL without a model */
    bool compiled;
    int width;              /* width the summary was made for */
} model_view;

static void model_snapshot(tui_panel *p, tui *t, const app_state *s)
{
    pthread_mutex_lock(&t->lock);
    int width = t->layout.panel[PANEL_MODEL].w - 2;
    if (t->zoom == PANEL_MODEL)
        width = t->cols - 2;
    pthread_mutex_unlock(&t->lock);
    width = width < 30 ? 30 : width > 98 ? 98 : width;
    char *text = NULL;
    bool compiled = false;
    if (s->model && rnn_model_n_layers(s->model) > 0) {
        text = rnn_model_summary(s->model, width);
        compiled = rnn_model_is_compiled(s->model);
    } else if (s->model) {
        char buf[128];
        snprintf(buf, sizeof buf, "Model \"%s\": no layers yet\ntry: add Embedding(10000, 32)",
                 rnn_model_name(s->model));
        text = strdup(buf);
    }
    pthread_mutex_lock(&t->lock);
    model_view *v = p->data;
    free(v->summary);
    v->summary = text;
    v->compiled = compiled;
    v->width = width;
    t->dirty = 1;
    pthread_mutex_unlock(&t->lock);
}

static void model_draw(tui_panel *p, tui *t, tui_rect r)
{
    model_view *v = p->data;
    (void)t;
    if (!v->summary) {
        tui_put(r, 0, 0, "no model", theme_attr(ROLE_DIM));
        tui_put(r, 1, 0, "try: model new; add ...", theme_attr(ROLE_DIM));
        return;
    }
    int row = 0, line_no = 0;
    const char *s = v->summary;
    while (*s && row < r.h) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), s);
        if (line_no++ >= p->scroll) {
            /* Rule lines of the table (====, ----, ____) are dimmed. */
            bool rule = line[0] == '=' || line[0] == '_' || line[0] == '-' || (unsigned char)line[0] == 0xe2;
            tui_put(r, row++, 0, line, theme_attr(rule ? ROLE_DIM : ROLE_NORMAL));
        }
        s += len + (nl != NULL);
    }
}

static const char *model_tag(tui_panel *p, tui *t)
{
    (void)t;
    const model_view *v = p->data;
    return !v->summary ? NULL : v->compiled ? "compiled" : "not compiled";
}

static bool model_key(tui_panel *p, tui *t, int key)
{
    (void)t;
    if (key == KEY_NPAGE) { p->scroll += 3; return true; }
    if (key == KEY_PPAGE) { p->scroll = p->scroll > 3 ? p->scroll - 3 : 0; return true; }
    if (key == KEY_HOME) { p->scroll = 0; return true; }
    return false;
}

static bool model_init(tui_panel *p)
{
    p->data = calloc(1, sizeof(model_view));
    return p->data != NULL;
}

static void model_free(tui_panel *p)
{
    model_view *v = p->data;
    if (v)
        free(v->summary);
    free(v);
    p->data = NULL;
}

const tui_panel_class panel_model_class = {
    .name = "model",
    .init = model_init,
    .snapshot = model_snapshot,
    .changes = APP_CHANGED_MODEL,
    .draw = model_draw,
    .tag = model_tag,
    .key = model_key,
    .free = model_free,
};
