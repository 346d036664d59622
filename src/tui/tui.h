/* What every file of the dashboard shares: screen rectangles and the layout, the colour roles,
 * drawing text, the panel interface and the prompt. The panels include this header only; the
 * dashboard (dashboard.c, actions.c) drives them through their ops. */
#ifndef RNNLAB_TUI_TUI_H
#define RNNLAB_TUI_TUI_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include "app/app.h"

/* ---- layout.c: where everything goes (pure, unit-tested) ---- */
typedef struct tui_rect { int y, x, h, w; } tui_rect;

enum tui_panel_id { PANEL_DATA, PANEL_VOCAB, PANEL_MODEL, PANEL_TRAINING, PANEL_LOG, PANEL_COUNT };
enum { TUI_MIN_COLS = 80, TUI_MIN_ROWS = 24 };

typedef struct tui_layout {
    bool too_small;                 /* below 80x24: only a message is drawn */
    tui_rect title, status, prompt; /* one line each */
    tui_rect panel[PANEL_COUNT];
} tui_layout;
/* Computes the layout of a rows x cols screen; zoom >= 0 gives that panel the whole body. */
void layout_compute(tui_layout *l, int rows, int cols, int zoom);

/* Text helpers shared by panels (pure). */
/* A bar of `width` cells for fraction done in [0,1], e.g. "#####-----" (unicode: "█▌  "). */
void layout_bar(char *out, size_t size, double done, int width, bool unicode);
/* "1:02:03" / "2:03" / "45s" for seconds; "--" if not finite. */
void layout_duration(char *out, size_t size, double seconds);
/* Exponential moving average of v[0..n) with bias correction (as TensorBoard's smoothing). */
void layout_smooth(const double *v, int n, double weight, double *out);

/* ---- theme.c: the colour-role table ---- */
enum tui_role {
    ROLE_NORMAL, ROLE_BORDER, ROLE_BORDER_FOCUS, ROLE_PANEL_TITLE, ROLE_TITLE_BAR, ROLE_STATUS_BAR,
    ROLE_LABEL, ROLE_VALUE, ROLE_DIM, ROLE_ERROR, ROLE_PROMPT, ROLE_BAR_DONE, ROLE_BAR_TODO,
    ROLE_HELP, ROLE_COUNT
};
/* Sets up colours (none under NO_COLOR or on a monochrome terminal). */
void theme_init(void);
bool theme_has_color(void);
/* curses attributes of a role (colour pair and/or bold/reverse/dim). */
int theme_attr(int role);
/* Attribute for a chart colour (ANSI 0..7, -1 = default). */
int theme_chart_attr(int ansi_color);

/* ---- draw.c: what the panels and the frame share ---- */
/* One per dashboard: the lock that guards what panels show, and the way to ask for a frame. */
typedef struct tui_shared {
    pthread_mutex_t lock;           /* guards every panel's data */
    atomic_int dirty;               /* a frame is due (set by any thread) */
    int wake_fd;                    /* write end of the UI loop's self-pipe, -1 without one */
    bool unicode;                   /* the locale is UTF-8: box, block and braille characters */
} tui_shared;
/* Asks for a frame and wakes the UI loop (any thread, no lock needed). */
void tui_redraw(tui_shared *sh);
/* Bytes of the first `cols` characters of the UTF-8 text s (all of it when shorter). */
size_t tui_text_bytes(const char *s, int cols);
/* Draws text at row `row`, column `col` of r, clipped to r's width by characters. */
void tui_put(tui_rect r, int row, int col, const char *text, int attr);

/* ---- the panel interface (panel_*.c: one file per panel) ---- */
/* What the dashboard tells its panels. The comment on each kind says on which thread it comes;
 * no lock is held: a panel takes sh->lock itself to publish what it shows. */
enum tui_event_kind {
    TUI_EVENT_CHANGED,   /* a command changed `what` (APP_CHANGED_*) of app: copy what to show
                          * (the command's thread, or the UI thread when no command runs) */
    TUI_EVENT_COMPARED,  /* `compare` picked runs[0..n_runs) of app (the command's thread) */
    TUI_EVENT_PROGRESS,  /* fit progress (the training thread: must never wait for the lock) */
    TUI_EVENT_OUTPUT,    /* output for the log (any thread) */
    TUI_EVENT_DONE,      /* the command finished and its thread was joined (UI thread) */
    TUI_EVENT_STEADY,    /* app holds still until the handler returns, so a panel may read it:
                          * the UI thread while no command runs, or fit's thread between two
                          * batches (progress set; must never wait for the lock) */
};
typedef struct tui_event {
    int kind;                       /* tui_event_kind */
    const app_state *app;           /* CHANGED, COMPARED, STEADY */
    unsigned what;                  /* CHANGED */
    const int *runs; int n_runs;    /* COMPARED: indices into app->runs */
    const rnn_fit_progress *progress;           /* PROGRESS; STEADY during fit, else NULL */
    const char *text; size_t len; bool is_error; /* OUTPUT */
} tui_event;

typedef struct tui_panel tui_panel;
/* A key a panel takes itself, for the help screen. */
typedef struct tui_key_help { const char *key, *help; } tui_key_help;
typedef struct tui_panel_ops {
    const char *name;               /* title on the border */
    bool (*init)(tui_panel *p);     /* allocates p->data */
    void (*free)(tui_panel *p);
    /* Draws inside r (border excluded): UI thread, lock held. */
    void (*draw)(tui_panel *p, tui_rect r);
    /* Optional short tag for the border, e.g. "compiled" (UI thread, lock held). */
    const char *(*tag)(tui_panel *p);
    /* Optional: keys on the focused panel; true if used (UI thread, lock held). It sees PgUp and
     * PgDn, every key while the prompt is empty, and every key while p->typing
     * (keys it leaves, such as F1, Tab and Ctrl-C, keep their meaning). */
    bool (*key)(tui_panel *p, int key);
    /* Optional: the keys the panel takes besides PgUp and PgDn, ended by {NULL}, for the help. */
    const tui_key_help *keys;
    /* Optional: the panel's inner size became w x h (0 x 0 when hidden by a zoom). Returns the
     * APP_CHANGED_* bits whose CHANGED event the panel needs again to fit the new size (UI
     * thread, lock held). */
    unsigned (*resize)(tui_panel *p, int w, int h);
    /* Optional: see tui_event_kind. */
    void (*event)(tui_panel *p, const tui_event *e);
} tui_panel_ops;
struct tui_panel {
    const tui_panel_ops *ops;
    tui_shared *sh;
    void *data;                     /* the panel's own */
    int scroll;                     /* lines scrolled by the page keys */
    bool typing;                    /* set by the panel (lock held): it takes every key it is
                                     * given before the key table, text for its own entry */
};
extern const tui_panel_ops panel_data_ops, panel_vocab_ops, panel_model_ops, panel_training_ops,
    panel_log_ops;

/* Sends e to every panel of panels[0..n) that takes events. */
void tui_panels_event(tui_panel *panels, int n, const tui_event *e);
/* The page keys of a panel that scrolls by `page` lines: PgDn shows later lines, PgUp earlier
 * ones; with from_end, p->scroll counts lines back from the end (the log) instead of from the
 * top. Returns false for other keys. */
bool tui_scroll_key(tui_panel *p, int key, int page, bool from_end);

/* ---- prompt.c: readline's callback interface drawn in a curses line ---- */
typedef struct tui_prompt_hooks {
    void (*line)(void *ud, char *line);                       /* a line was entered (NULL: Ctrl-D) */
    void (*output)(void *ud, const char *text, size_t len);   /* completion lists, for the log */
    void *ud;
} tui_prompt_hooks;
void prompt_init(tui_shared *sh, const tui_prompt_hooks *hooks);
void prompt_key(int key);
/* The prompt line: "running> " while a command runs, "...> " while a statement continues. */
void prompt_draw(tui_rect r, bool running, bool continues);
void prompt_done(void);
bool prompt_is_empty(void);
void prompt_clear_line(void);

#endif
