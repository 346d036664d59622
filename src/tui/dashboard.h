/* Private interfaces of the dashboard: screen regions and layout, the colour-role table, the
 * panel interface, the key-to-action table and the prompt. */
#ifndef RNNLAB_TUI_DASHBOARD_H
#define RNNLAB_TUI_DASHBOARD_H
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

/* ---- the shared state ---- */
typedef struct tui tui;

/* ---- panels (panel_*.c): one file per panel ---- */
typedef struct tui_panel tui_panel;
typedef struct tui_panel_class {
    const char *name;               /* title on the border */
    bool (*init)(tui_panel *p);     /* allocates p->data */
    /* Copies what the panel shows out of the app state. Runs on the thread that owns the state
     * at that moment (the command thread inside on_change, or the UI thread when idle), without
     * the UI lock; it takes the lock itself only to publish. */
    void (*snapshot)(tui_panel *p, tui *t, const app_state *s);
    unsigned changes;               /* APP_CHANGED_* bits that call snapshot */
    /* Draws inside r (border excluded) with the UI lock held. */
    void (*draw)(tui_panel *p, tui *t, tui_rect r);
    /* Optional short tag for the border, e.g. "compiled" (UI lock held). */
    const char *(*tag)(tui_panel *p, tui *t);
    /* Scroll keys on the focused panel; returns true if handled. */
    bool (*key)(tui_panel *p, tui *t, int key);
    void (*free)(tui_panel *p);
} tui_panel_class;
struct tui_panel {
    const tui_panel_class *cls;
    void *data;                     /* panel-private */
    int scroll;
};
extern const tui_panel_class panel_data_class, panel_vocab_class, panel_model_class,
    panel_training_class, panel_log_class;

/* ---- training progress shared between the command thread and the UI ---- */
typedef struct tui_train_view {
    bool active;                    /* a fit is running */
    const void *history_key;        /* the fit's history: a new one starts a new view */
    rnn_fit_progress last;          /* last report (history pointer cleared) */
    double *batch_loss; int n_batch, cap_batch;  /* per-batch losses of this fit */
    int batches_per_epoch, first_epoch;          /* first_epoch: epochs done before this fit */
    /* Per-epoch history rows copied at every epoch end: [epoch][n_metrics]. */
    int n_metrics; char names[RNN_MAX_METRICS][32];
    double *values; int n_epochs, cap_epochs;
    double started, ended;          /* monotonic seconds: first report, end of the command */
} tui_train_view;

/* Runs shown by compare: copies of app_state.runs histories. */
typedef struct tui_run_view {
    char name[64];
    int n_metrics; char names[RNN_MAX_METRICS][32];
    double *values; int n_epochs;
} tui_run_view;

struct tui {
    app_state *app;
    pthread_mutex_t lock;           /* guards panel data, runs and the log */
    pthread_mutex_t progress_lock;  /* guards only train_pub; the training thread only try-locks it */
    tui_panel panel[PANEL_COUNT];
    int focus, zoom;                /* zoom: panel id shown alone, -1 = none */
    tui_layout layout;
    int rows, cols;
    bool unicode, help_open;
    bool need_layout;               /* zoom or size changed: relayout before the next frame */
    /* command thread */
    pthread_t worker;
    bool running;                   /* a command runs on the worker */
    char running_line[256];
    int wake_fd[2];                 /* self-pipe: the worker wakes the UI loop */
    atomic_int dirty;               /* something to redraw (set by both threads) */
    bool quit;
    int exit_status;
    tui_train_view train;           /* the training thread's own record (no lock) */
    tui_train_view train_pub;       /* published copy (progress_lock) */
    tui_train_view train_ui;        /* the UI thread's copy, taken once per frame */
    bool fit_since_change;          /* progress since the last runs change (command thread only) */
    tui_run_view *runs; int n_runs; /* overlay of `compare` (n_runs >= 2) */
    bool show_compare;
    const char *const *scripts; int n_scripts, next_script;
    char *queued[16]; int n_queued;  /* lines typed while a command ran, run in order after it */
    /* log (panel_log.c), filled by the app's sink and stray stdout/stderr */
    void (*log_append)(tui *t, const char *text, size_t len, bool is_error);
};

/* dashboard.c */
void tui_wake(tui *t);
/* Draws text clipped to r's width at row y of r; returns columns used. */
int tui_put(tui_rect r, int row, int col, const char *text, int attr);

/* panel_log.c: appends output (any thread; takes the lock). */
void log_append(tui *t, const char *text, size_t len, bool is_error);

/* panel_training.c: hooks for fit progress (command thread). */
void training_on_progress(const rnn_fit_progress *p, void *ud);
/* Copies the live view for this frame (UI thread). */
void training_sync(tui *t);
void training_free_views(tui *t);
void training_end(tui *t);
/* Copies the compare overlay out of the app state (command thread / idle UI). */
void training_snapshot_runs(tui *t, const app_state *s);

/* ---- actions.c: the key-to-action table ---- */
enum tui_when { WHEN_ANY, WHEN_RUNNING, WHEN_IDLE };
typedef struct tui_action {
    int key;                        /* curses key code */
    const char *key_name, *help;
    int when;                       /* tui_when */
    bool (*run)(tui *t);            /* returns false to let the key reach the prompt */
} tui_action;
const tui_action *actions_table(size_t *n);
/* Runs the action bound to key in the current state; true if it consumed the key. */
bool actions_dispatch(tui *t, int key);
bool action_line_empty(void);

/* ---- prompt.c: readline's callback interface drawn in a curses line ---- */
void prompt_init(tui *t, void (*on_line)(tui *t, char *line));
void prompt_key(tui *t, int key);
void prompt_draw(tui *t, tui_rect r);
void prompt_done(void);
bool prompt_is_empty(void);
void prompt_clear_line(void);

#endif
