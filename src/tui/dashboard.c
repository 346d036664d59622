/* The dashboard: curses setup and teardown on every exit path, the frame (title, panels,
 * prompt, key hints), the UI loop and the command thread.
 *
 * Panels are driven only through their ops (tui.h): the dashboard turns the app's hooks and
 * output into events, hands them the keys of the focused panel and their sizes, and has them draw.
 *
 * Threads: the UI thread owns curses and readline; one command at a time runs on a worker thread
 * through app_exec. The worker reports through the app's hooks and output sink, which panels turn
 * into copies made under a lock and a poke of a self-pipe; the UI redraws at a fixed rate (10 Hz)
 * while a command runs, so training never waits for the screen. */
#include <curses.h>
#include <term.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "tui/dashboard.h"
#include "tui/frame.h"

enum { FRAME_MS = 100 };   /* redraw period while a command runs */

static const tui_panel_ops *const panel_ops[PANEL_COUNT] = {
    [PANEL_DATA] = &panel_data_ops,   [PANEL_VOCAB] = &panel_vocab_ops,
    [PANEL_MODEL] = &panel_model_ops, [PANEL_TRAINING] = &panel_training_ops,
    [PANEL_LOG] = &panel_log_ops,
};

/* ---- terminal ownership: restored on every exit path ---- */

static volatile sig_atomic_t screen_active;
static int saved_stdout = -1, saved_stderr = -1;   /* the terminal, while 1 and 2 are a pipe */
static FILE *screen_out;
static SCREEN *screen;
static tui *signal_tui;

static void fds_restore(void)
{
    if (saved_stdout >= 0) dup2(saved_stdout, STDOUT_FILENO);
    if (saved_stderr >= 0) dup2(saved_stderr, STDERR_FILENO);
}

static void screen_restore(void)
{
    if (screen_active) {
        screen_active = 0;
        endwin();
    }
    fds_restore();
}

/* Crash or kill: leave the terminal usable, then die of the same signal (htop's CRT_done). */
static void on_fatal_signal(int sig)
{
    screen_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* External SIGINT: stop the running command at the end of its batch. */
static void on_sigint(int sig)
{
    (void)sig;
    if (signal_tui)
        signal_tui->app->stop = 1;
}

static void signals_install(void)
{
    static const int fatal[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGTERM, SIGHUP, SIGQUIT};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaction(fatal[i], &sa, NULL);
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void signals_restore(void)
{
    static const int all[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGTERM, SIGHUP, SIGQUIT,
                              SIGINT};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        signal(all[i], SIG_DFL);
}

/* curses draws on a copy of the terminal descriptor; stdout and stderr become a pipe read into
 * the log, so stray output from any library cannot garble the screen. */
static int screen_start(tui *t, int capture[2])
{
    saved_stdout = dup(STDOUT_FILENO);
    saved_stderr = dup(STDERR_FILENO);
    screen_out = saved_stdout >= 0 ? fdopen(dup(saved_stdout), "w") : NULL;
    if (!screen_out)
        return -1;
    screen = newterm(NULL, screen_out, stdin);
    if (!screen)
        return -1;
    screen_active = 1;
    atexit(screen_restore);
    raw();   /* Ctrl-C and Ctrl-Z arrive as keys */
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    theme_init();
    fflush(stdout);
    fflush(stderr);
    if (pipe(capture) == 0) {
        fcntl(capture[0], F_SETFL, O_NONBLOCK);
        fcntl(capture[0], F_SETFD, FD_CLOEXEC);
        dup2(capture[1], STDOUT_FILENO);
        dup2(capture[1], STDERR_FILENO);
        close(capture[1]);
        setvbuf(stdout, NULL, _IOLBF, 0);
    } else {
        capture[0] = -1;
    }
    (void)t;
    return 0;
}

static void screen_stop(int capture_fd)
{
    fflush(stdout);
    fflush(stderr);
    screen_restore();
    if (screen) {
        delscreen(screen);
        screen = NULL;
    }
    if (screen_out) {
        fclose(screen_out);
        screen_out = NULL;
    }
    if (capture_fd >= 0)
        close(capture_fd);
    if (saved_stdout >= 0) close(saved_stdout);
    if (saved_stderr >= 0) close(saved_stderr);
    saved_stdout = saved_stderr = -1;
}

/* ---- drawing ---- */

static tui_rect rect_inner(tui_rect r) { return (tui_rect){r.y + 1, r.x + 1, r.h - 2, r.w - 2}; }

static void draw_border(tui *t, tui_rect r, const char *title, const char *tag, bool focused)
{
    /* Box drawing as UTF-8 text rather than the terminal's alternate character set, which
     * some terminals (and tmux captures) show as letters. */
    static const char *const box_u[6] = {"─", "│", "┌", "┐", "└", "┘"};
    static const char *const box_a[6] = {"-", "|", "+", "+", "+", "+"};
    const char *const *b = t->sh.unicode ? box_u : box_a;
    int attr = theme_attr(focused ? ROLE_BORDER_FOCUS : ROLE_BORDER);
    tui_rect all = {0, 0, t->rows, t->cols};
    for (int x = 1; x < r.w - 1; x++) {
        tui_put(all, r.y, r.x + x, b[0], attr);
        tui_put(all, r.y + r.h - 1, r.x + x, b[0], attr);
    }
    for (int y = 1; y < r.h - 1; y++) {
        tui_put(all, r.y + y, r.x, b[1], attr);
        tui_put(all, r.y + y, r.x + r.w - 1, b[1], attr);
    }
    tui_put(all, r.y, r.x, b[2], attr);
    tui_put(all, r.y, r.x + r.w - 1, b[3], attr);
    tui_put(all, r.y + r.h - 1, r.x, b[4], attr);
    tui_put(all, r.y + r.h - 1, r.x + r.w - 1, b[5], attr);
    char label[48];
    snprintf(label, sizeof label, focused ? "[%s]" : " %s ", title);
    tui_put((tui_rect){r.y, r.x, 1, r.w}, 0, 2, label,
            theme_attr(ROLE_PANEL_TITLE) | (focused ? A_REVERSE : 0));
    if (tag) {
        snprintf(label, sizeof label, " %s ", tag);
        int col = r.w - 2 - (int)strlen(label);
        if (col > (int)strlen(title) + 6)
            tui_put((tui_rect){r.y, r.x, 1, r.w}, 0, col, label, theme_attr(ROLE_LABEL));
    }
    (void)t;
}

static void draw_title(tui *t)
{
    tui_rect r = t->layout.title;
    char line[512];
    attrset(theme_attr(ROLE_TITLE_BAR));
    mvhline(r.y, r.x, ' ', r.w);
    if (t->running)
        snprintf(line, sizeof line, " rnnlab %s | running: %s", rnn_version(), t->running_line);
    else
        snprintf(line, sizeof line, " rnnlab %s | ready", rnn_version());
    tui_put(r, 0, 0, line, theme_attr(ROLE_TITLE_BAR));
}

static void draw_status(tui *t)
{
    tui_rect r = t->layout.status;
    attrset(theme_attr(ROLE_STATUS_BAR));
    mvhline(r.y, r.x, ' ', r.w);
    const char *hints = t->running
        ? " q stop  C-c stop  Tab panels  F2 zoom  PgUp/PgDn scroll  F1 help"
        : " F1 help  Tab panels  F2 zoom  PgUp/PgDn scroll  F10 quit  (type `help`)";
    tui_put(r, 0, 0, hints, theme_attr(ROLE_STATUS_BAR));
}

static void draw_help(tui *t)
{
    int w = t->cols - 8 < 76 ? t->cols - 8 : 76, h = t->rows - 6;
    tui_rect box = {3, (t->cols - w) / 2, h, w}, in = rect_inner(box);
    attrset(theme_attr(ROLE_HELP));
    for (int y = 0; y < box.h; y++)
        mvhline(box.y + y, box.x, ' ', box.w);
    attrset(A_NORMAL);
    draw_border(t, box, "help", NULL, true);
    size_t n;
    const tui_action *a = actions_table(&n);
    int row = 0;
    for (size_t i = 0; i < n && row < in.h; i++) {
        if (!a[i].key_name)
            continue;
        char line[160];
        snprintf(line, sizeof line, "%-6s %s", a[i].key_name, a[i].help);
        tui_put(in, row++, 1, line, theme_attr(ROLE_HELP));
    }
    for (int i = 0; i < PANEL_COUNT; i++)
        for (const tui_key_help *k = t->panel[i].ops->keys; k && k->key && row < in.h; k++) {
            char line[160];
            snprintf(line, sizeof line, "%-6s %s: %s", k->key, t->panel[i].ops->name, k->help);
            tui_put(in, row++, 1, line, theme_attr(ROLE_HELP));
        }
    if (row + 2 < in.h) {
        row++;
        tui_put(in, row++, 1, "Commands (`help CMD` for details):", theme_attr(ROLE_HELP) | A_BOLD);
    }
    size_t nc;
    const app_command *c = app_commands(&nc);
    for (size_t i = 0; i < nc && row < in.h; i++) {
        char line[200];
        snprintf(line, sizeof line, "%-10s %s", c[i].name, c[i].summary ? c[i].summary : "");
        tui_put(in, row++, 1, line, theme_attr(ROLE_HELP));
    }
}

static void draw_too_small(tui *t)
{
    char msg[96];
    snprintf(msg, sizeof msg, "terminal too small: %dx%d, need %dx%d", t->cols, t->rows,
             TUI_MIN_COLS, TUI_MIN_ROWS);
    tui_rect all = {0, 0, t->rows, t->cols};
    int len = (int)strlen(msg), col = (t->cols - len) / 2;
    tui_put(all, t->rows / 2, col > 0 ? col : 0, msg, theme_attr(ROLE_ERROR));
    move(0, 0);
}

static void draw_frame(tui *t)
{
    erase();
    if (t->layout.too_small) {
        draw_too_small(t);
        refresh();
        return;
    }
    pthread_mutex_lock(&t->sh.lock);
    draw_title(t);
    for (int i = 0; i < PANEL_COUNT; i++) {
        tui_rect r = t->layout.panel[i];
        if (r.w < 4 || r.h < 3)
            continue;
        tui_panel *p = &t->panel[i];
        draw_border(t, r, p->ops->name, p->ops->tag ? p->ops->tag(p) : NULL, i == t->focus);
        p->ops->draw(p, rect_inner(r));
    }
    draw_status(t);
    if (t->help_open)
        draw_help(t);
    pthread_mutex_unlock(&t->sh.lock);
    /* last: it places the cursor */
    prompt_draw(t->layout.prompt, t->running, !t->running && app_prompt_continues(t->app));
    refresh();
}

/* Lays the screen out again and tells every panel its new inner size; returns the APP_CHANGED_*
 * bits the panels need again to fit it. */
static unsigned relayout(tui *t)
{
    unsigned again = 0;
    getmaxyx(stdscr, t->rows, t->cols);
    pthread_mutex_lock(&t->sh.lock);
    layout_compute(&t->layout, t->rows, t->cols, t->zoom);
    t->out_cols = t->layout.too_small ? 0 : t->layout.panel[PANEL_LOG].w - 2;  /* inside the border */
    for (int i = 0; i < PANEL_COUNT; i++) {
        tui_panel *p = &t->panel[i];
        tui_rect r = t->layout.too_small ? (tui_rect){0, 0, 0, 0} : t->layout.panel[i];
        if (p->ops->resize)
            again |= p->ops->resize(p, r.w > 2 ? r.w - 2 : 0, r.h > 2 ? r.h - 2 : 0);
    }
    pthread_mutex_unlock(&t->sh.lock);
    return again;
}

/* ---- the app's hooks become panel events ---- */

static void panels_changed(tui *t, const app_state *s, unsigned what)
{
    tui_event e = {.kind = TUI_EVENT_CHANGED, .app = s, .what = what};
    tui_panels_event(t->panel, PANEL_COUNT, &e);
}

/* The session holds still while the panels handle this (progress: fit's thread between batches). */
static void panels_steady(tui *t, const rnn_fit_progress *progress)
{
    tui_event e = {.kind = TUI_EVENT_STEADY, .app = t->app, .progress = progress};
    tui_panels_event(t->panel, PANEL_COUNT, &e);
}

static void hook_changed(const app_state *s, unsigned what, void *ud)
{
    panels_changed(ud, s, what);
}

static void hook_compared(const app_state *s, const int *runs, int n, void *ud)
{
    tui *t = ud;
    tui_event e = {.kind = TUI_EVENT_COMPARED, .app = s, .runs = runs, .n_runs = n};
    tui_panels_event(t->panel, PANEL_COUNT, &e);
}

static void hook_progress(const rnn_fit_progress *p, void *ud)
{
    tui *t = ud;
    tui_event e = {.kind = TUI_EVENT_PROGRESS, .progress = p};
    tui_panels_event(t->panel, PANEL_COUNT, &e);
    panels_steady(t, p);
}

static int hook_columns(void *ud)
{
    tui *t = ud;
    return t->out_cols;
}

static void hook_sink(const char *text, size_t len, bool is_error, void *ud)
{
    tui_output(ud, text, len, is_error);
}

/* ---- the command thread ---- */

typedef struct tui_job {
    tui *t;
    char *line;            /* a command line, or NULL */
    const char *script;    /* a script file, or NULL */
    int rc;
    atomic_int done;
} tui_job;
static tui_job current_job;

static void *worker_main(void *arg)
{
    tui_job *j = arg;
    j->rc = j->script ? app_exec_file(j->t->app, j->script) : app_exec_typed(j->t->app, j->line);
    fflush(stdout);
    fflush(stderr);
    j->done = 1;
    tui_redraw(&j->t->sh);
    return NULL;
}

static void job_start(tui *t, char *line, const char *script)
{
    current_job = (tui_job){.t = t, .line = line, .script = script};
    if (script) {
        char msg[600];
        int n = snprintf(msg, sizeof msg, "# running script %s\n", script);
        tui_output(t, msg, (size_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1), false);
    }
    snprintf(t->running_line, sizeof t->running_line, "%s%s", script ? "script " : "",
             script ? script : line);
    t->app->stop = 0;
    t->running = true;
    t->sh.dirty = 1;
    if (pthread_create(&t->worker, NULL, worker_main, &current_job) != 0) {
        t->running = false;
        tui_output(t, "cannot start a thread for the command\n", 38, true);
        free(line);
    }
}

/* After a command: refresh every panel from the (now idle) state, start the next script. */
static void job_finish(tui *t)
{
    pthread_join(t->worker, NULL);
    t->running = false;
    tui_event done = {.kind = TUI_EVENT_DONE};
    tui_panels_event(t->panel, PANEL_COUNT, &done);
    free(current_job.line);
    current_job.line = NULL;
    if (current_job.rc == APP_QUIT)
        t->quit = true;
    if (current_job.rc == APP_INTERRUPTED)   /* an interrupt also ends the scripts given with -i */
        t->next_script = t->n_scripts;
    t->app->stop = 0;
    panels_changed(t, t->app, ~0u & ~(unsigned)APP_CHANGED_RUNS);
    panels_steady(t, NULL);
    t->sh.dirty = 1;
    if (t->quit)
        return;
    if (t->next_script < t->n_scripts) {
        job_start(t, NULL, t->scripts[t->next_script++]);
    } else if (t->n_queued > 0) {
        char *line = t->queued[0];
        memmove(t->queued, t->queued + 1, (size_t)--t->n_queued * sizeof *t->queued);
        job_start(t, line, NULL);
    }
}

static void on_prompt_line(void *ud, char *line)
{
    tui *t = ud;
    if (!line) {   /* Ctrl-D on an empty line */
        t->quit = true;
        return;
    }
    char echo[1100];
    if (t->running && *line) {   /* type-ahead: runs when the current command ends */
        if (t->n_queued == (int)(sizeof t->queued / sizeof t->queued[0])) {
            tui_output(t, "too many commands waiting; this one is dropped\n", 47, true);
            free(line);
            return;
        }
        t->queued[t->n_queued++] = line;
        int n = snprintf(echo, sizeof echo, "> %s   (queued: runs after the current command)\n", line);
        tui_output(t, echo, (size_t)(n < (int)sizeof echo ? n : (int)sizeof echo - 1), false);
        return;
    }
    int n = snprintf(echo, sizeof echo, "> %s\n", line);
    tui_output(t, echo, (size_t)(n < (int)sizeof echo ? n : (int)sizeof echo - 1), false);
    if (!*line) {
        free(line);
        return;
    }
    job_start(t, line, NULL);
}

/* Completion lists of the prompt go to the log. */
static void prompt_output(void *ud, const char *text, size_t len)
{
    tui_output(ud, text, len, false);
}

/* ---- the UI loop ---- */

static void drain_fd(int fd, tui *t, bool to_log)
{
    char buf[4096];
    ssize_t n;
    while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
        if (to_log)
            tui_output(t, buf, (size_t)n, false);
}

static void handle_key(tui *t, int key)
{
    if (actions_dispatch(t, key))
        return;
    if (t->layout.too_small)
        return;
    prompt_key(key);
    t->sh.dirty = 1;
}

static void ui_loop(tui *t, int capture_fd)
{
    double last_frame = 0;
    while (!(t->quit && !t->running)) {
        if (t->need_layout) {
            t->need_layout = false;
            unsigned again = relayout(t);
            if (again && !t->running)   /* while a command runs, its end refreshes every panel */
                panels_changed(t, t->app, again);
        }
        double now = rnn_now();
        bool due = t->running && (now - last_frame) * 1000 >= FRAME_MS;
        if (t->sh.dirty || due) {
            t->sh.dirty = 0;
            draw_frame(t);
            last_frame = now;
        }
        int timeout = t->running ? FRAME_MS - (int)((rnn_now() - last_frame) * 1000) : 1000;
        if (timeout < 0) timeout = 0;
        struct pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0}, {t->wake_fd[0], POLLIN, 0},
                                {capture_fd, POLLIN, 0}};
        poll(fds, capture_fd >= 0 ? 3 : 2, timeout);
        drain_fd(t->wake_fd[0], t, false);
        drain_fd(capture_fd, t, true);
        if (t->running && current_job.done)
            job_finish(t);
        int key;
        while ((key = getch()) != ERR)   /* also returns KEY_RESIZE after SIGWINCH */
            handle_key(t, key);
        if (!t->running)
            panels_steady(t, NULL);
    }
}

bool tui_can_start(void)
{
    const char *term = getenv("TERM");
    struct winsize ws;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || !term || !*term
        || strcmp(term, "dumb") == 0)
        return false;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0
        || ws.ws_col < TUI_MIN_COLS || ws.ws_row < TUI_MIN_ROWS)
        return false;
    /* A terminal type without a terminfo entry would make newterm fail: use the plain prompt. */
    int err = 0;
    if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
        return false;
    del_curterm(cur_term);
    return true;
}

static int tui_setup(tui *t, app_state *s)
{
    memset(t, 0, sizeof *t);
    t->app = s;
    t->zoom = -1;
    t->focus = PANEL_TRAINING;
    t->wake_fd[0] = t->wake_fd[1] = -1;
    t->sh.wake_fd = -1;
    pthread_mutex_init(&t->sh.lock, NULL);
    if (pipe(t->wake_fd) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(t->wake_fd[i], F_SETFL, O_NONBLOCK);
        fcntl(t->wake_fd[i], F_SETFD, FD_CLOEXEC);
    }
    t->sh.wake_fd = t->wake_fd[1];
    const char *cs = setlocale(LC_CTYPE, NULL);
    t->sh.unicode = cs && (strstr(cs, "UTF-8") || strstr(cs, "utf8") || strstr(cs, "UTF8"));
    for (int i = 0; i < PANEL_COUNT; i++) {
        t->panel[i].ops = panel_ops[i];
        t->panel[i].sh = &t->sh;
        if (t->panel[i].ops->init && !t->panel[i].ops->init(&t->panel[i]))
            return -1;
    }
    return 0;
}

static void tui_teardown(tui *t)
{
    for (int i = 0; i < t->n_queued; i++)
        free(t->queued[i]);
    t->n_queued = 0;
    for (int i = 0; i < PANEL_COUNT; i++)
        if (t->panel[i].ops && t->panel[i].ops->free)
            t->panel[i].ops->free(&t->panel[i]);
    t->sh.wake_fd = -1;
    for (int i = 0; i < 2; i++)
        if (t->wake_fd[i] >= 0)
            close(t->wake_fd[i]);
    pthread_mutex_destroy(&t->sh.lock);
}

int tui_main(app_state *s, const char *const *scripts, int n_scripts)
{
    static tui t;
    if (!setlocale(LC_CTYPE, ""))
        setlocale(LC_CTYPE, "C.UTF-8");
    if (tui_setup(&t, s) != 0) {
        tui_teardown(&t);
        fprintf(stderr, "rnnlab: cannot start the dashboard (out of resources)\n");
        return RNN_EINTERNAL;
    }
    signal_tui = &t;
    signals_install();
    int capture[2] = {-1, -1};
    if (screen_start(&t, capture) != 0) {
        screen_stop(capture[0]);
        signals_restore();
        tui_teardown(&t);
        fprintf(stderr, "rnnlab: cannot open the terminal for the dashboard (TERM=%s)\n",
                getenv("TERM") ? getenv("TERM") : "");
        return RNN_EIO;
    }
    app_hooks hooks = {.progress = hook_progress, .changed = hook_changed, .compared = hook_compared,
                       .output_columns = hook_columns, .ud = &t};
    app_set_hooks(&hooks);
    app_set_sink(hook_sink, &t);
    tui_prompt_hooks prompt = {.line = on_prompt_line, .output = prompt_output, .ud = &t};
    prompt_init(&t.sh, &prompt);
    relayout(&t);
    panels_changed(&t, s, ~0u);
    t.scripts = scripts;
    t.n_scripts = n_scripts;
    t.sh.dirty = 1;
    if (n_scripts > 0) {
        t.next_script = 1;
        job_start(&t, NULL, scripts[0]);
    }
    ui_loop(&t, capture[0]);

    prompt_done();
    app_set_sink(NULL, NULL);
    app_set_hooks(NULL);
    screen_stop(capture[0]);
    signals_restore();
    signal_tui = NULL;
    tui_teardown(&t);
    return t.exit_status;
}
