/* Model panel: Keras's summary table of the current model (rnn_model_summary) sized to the
 * panel, and whether it is compiled. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui/tui.h"

typedef struct model_view {
    char *summary;          /* malloc'd, NULL without a model */
    bool compiled;
    int width;              /* width the summary was made for */
    int panel_width;        /* the panel's inner width (resize) */
} model_view;

/* Keras's table at the panel's width (30 to 98 columns). */
static int model_table_width(int panel_width)
{
    return panel_width < 30 ? 30 : panel_width > 98 ? 98 : panel_width;
}

static void model_snapshot(tui_panel *p, const app_state *s)
{
    model_view *v = p->data;
    pthread_mutex_lock(&p->sh->lock);
    int width = model_table_width(v->panel_width);
    pthread_mutex_unlock(&p->sh->lock);
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
    pthread_mutex_lock(&p->sh->lock);
    free(v->summary);
    v->summary = text;
    v->compiled = compiled;
    v->width = width;
    pthread_mutex_unlock(&p->sh->lock);
    tui_redraw(p->sh);
}

static void model_event(tui_panel *p, const tui_event *e)
{
    if (e->kind == TUI_EVENT_CHANGED && (e->what & APP_CHANGED_MODEL))
        model_snapshot(p, e->app);
}

/* The table is made for the panel's width: a new width needs the model again. */
static unsigned model_resize(tui_panel *p, int w, int h)
{
    model_view *v = p->data;
    (void)h;
    v->panel_width = w;
    return model_table_width(w) != v->width ? APP_CHANGED_MODEL : 0;
}

static void model_draw(tui_panel *p, tui_rect r)
{
    model_view *v = p->data;
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

static const char *model_tag(tui_panel *p)
{
    const model_view *v = p->data;
    return !v->summary ? NULL : v->compiled ? "compiled" : "not compiled";
}

static bool model_key(tui_panel *p, int key) { return tui_scroll_key(p, key, 3, false); }

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

const tui_panel_ops panel_model_ops = {
    .name = "model",
    .init = model_init,
    .free = model_free,
    .draw = model_draw,
    .tag = model_tag,
    .key = model_key,
    .resize = model_resize,
    .event = model_event,
};
