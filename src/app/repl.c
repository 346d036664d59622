/* The plain interactive REPL (readline, history, completion) and SIGINT handling. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>
#include <readline/history.h>
#include <readline/readline.h>
#include "app/internal.h"
#include "app/repl.h"

static app_state *sig_state;
static volatile sig_atomic_t got_sigint;
static bool sig_interactive;

/* Ctrl-C: during fit, stop at the end of the batch; at the prompt, clear the line (the loop
 * sees the flag); in a non-interactive run outside fit, end the program as usual. */
static void repl_on_sigint(int sig)
{
    got_sigint = 1;
    if (sig_state && sig_state->in_fit) { sig_state->stop = 1; return; }
    if (!sig_interactive) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
}

bool app_take_interrupt(void)
{
    if (!got_sigint) return false;
    got_sigint = 0;
    return true;
}

void app_signals_install(app_state *s, bool interactive)
{
    sig_state = s;
    sig_interactive = interactive;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = repl_on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;   /* no SA_RESTART: select() at the prompt must wake up */
    sigaction(SIGINT, &sa, NULL);
}

/* $XDG_STATE_HOME/rnnlab/history (or ~/.local/state/rnnlab/history); folders created as needed. */
static int history_path(char *buf, size_t n)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char dir[4096];
    if (xdg && xdg[0] == '/') snprintf(dir, sizeof dir, "%s/rnnlab", xdg);
    else if (home && home[0]) snprintf(dir, sizeof dir, "%s/.local/state/rnnlab", home);
    else return -1;
    /* mkdir -p */
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        mkdir(dir, 0700);
        *p = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) return -1;
    snprintf(buf, n, "%s/history", dir);
    return 0;
}

/* One history file for the plain prompt and the dashboard's. */
int app_history_path(char *buf, size_t n) { return history_path(buf, n); }

void app_history_load(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) read_history(path);
}

void app_history_save(const char *path)
{
    rnn_outfile o;
    if (rnn_outfile_open(&o, path, NULL)) return;   /* best effort, as a shell's history */
    HIST_ENTRY **list = history_list();
    int n = 0;
    while (list && list[n]) n++;
    for (int i = n > APP_HISTORY_LINES ? n - APP_HISTORY_LINES : 0; i < n; i++) fprintf(o.f, "%s\n", list[i]->line);
    rnn_outfile_commit(&o, NULL);
}

static app_state *repl_state;
static bool repl_done;

static char **repl_complete(const char *text, int start, int end)
{
    return app_complete(rl_line_buffer, text, start, end);
}

static void repl_on_line(char *line)
{
    if (!line) { repl_done = true; printf("\n"); return; }
    if (line[0]) {
        HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
        if (!last || strcmp(last->line, line) != 0) add_history(line);
    }
    /* the command runs outside readline's terminal settings (fit draws its own bar) */
    rl_callback_handler_remove();
    if (app_exec_typed(repl_state, line) == APP_QUIT) repl_done = true;
    free(line);
    /* a statement whose brackets are open goes on: Python's continuation prompt */
    if (!repl_done) rl_callback_handler_install(app_prompt_continues(repl_state) ? "...> " : "rnnlab> ", repl_on_line);
}

int app_repl(app_state *s)
{
    char hist[4200];
    bool have_hist = history_path(hist, sizeof hist) == 0;
    using_history();
    if (have_hist) app_history_load(hist);
    rl_readline_name = "rnnlab";
    rl_attempted_completion_function = repl_complete;
    rl_completer_word_break_characters = " \t\n;";
    rl_catch_signals = 0;
    repl_state = s;
    repl_done = false;
    app_signals_install(s, true);
    printf("rnnlab %s - type help for the commands, Tab to complete, quit to leave\n", rnn_version());
    rl_callback_handler_install("rnnlab> ", repl_on_line);
    while (!repl_done) {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(fileno(rl_instream ? rl_instream : stdin), &fds);
        int r = select(fileno(rl_instream ? rl_instream : stdin) + 1, &fds, NULL, NULL, NULL);
        if (r < 0) {
            if (errno != EINTR) break;
            if (got_sigint) {
                /* Ctrl-C at the prompt clears the line */
                got_sigint = 0;
                app_prompt_cancel(repl_state);
                rl_set_prompt("rnnlab> ");
                rl_free_line_state();
                rl_replace_line("", 0);
                rl_crlf();
                rl_on_new_line();
                rl_redisplay();
            }
            continue;
        }
        rl_callback_read_char();
    }
    rl_callback_handler_remove();
    if (have_hist) app_history_save(hist);
    return RNN_OK;
}
