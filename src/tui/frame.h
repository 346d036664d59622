/* The dashboard's own state, shared by the UI loop (dashboard.c) and the key-to-action table
 * (actions.c). Panels never see it: they get tui_shared and events (tui.h). */
#ifndef RNNLAB_TUI_FRAME_H
#define RNNLAB_TUI_FRAME_H
#include "tui/tui.h"

typedef struct tui {
    app_state *app;
    tui_shared sh;                  /* sh.lock also guards layout, rows, cols, focus and zoom */
    tui_panel panel[PANEL_COUNT];
    int focus, zoom;                /* zoom: panel id shown alone, -1 = none */
    tui_layout layout;
    int rows, cols;
    bool help_open;
    bool need_layout;               /* zoom or size changed: relayout before the next frame */
    atomic_int out_cols;            /* the log panel's inner width, for the app's `plot` */
    /* command thread */
    pthread_t worker;
    bool running;                   /* a command runs on the worker */
    char running_line[256];
    int wake_fd[2];                 /* self-pipe: the worker wakes the UI loop */
    bool quit;
    int exit_status;
    const char *const *scripts; int n_scripts, next_script;
    char *queued[16]; int n_queued; /* lines typed while a command ran, run in order after it */
} tui;

/* Sends text to the log panel (any thread). */
static inline void tui_output(tui *t, const char *text, size_t len, bool is_error)
{
    tui_event e = {.kind = TUI_EVENT_OUTPUT, .text = text, .len = len, .is_error = is_error};
    tui_panels_event(t->panel, PANEL_COUNT, &e);
}

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

#endif
