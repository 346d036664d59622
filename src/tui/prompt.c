/* The prompt line: GNU readline's callback interface fed with keys read by curses, its display
 * redirected into a one-line curses region. Completion comes from the app's command table;
 * lists of matches go to the log panel. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/history.h>
#include <readline/readline.h>
#include "tui/tui.h"

static tui_shared *prompt_sh;      /* NULL outside prompt_init .. prompt_done */
static tui_prompt_hooks prompt_hooks;
static unsigned char prompt_input[64];
static int prompt_in_len, prompt_in_pos;
static FILE *prompt_null;
static char prompt_history[4200];
static bool prompt_have_history;

/* readline reads the keys we queue here instead of the terminal. */
static int prompt_getc(FILE *f)
{
    (void)f;
    return prompt_in_pos < prompt_in_len ? prompt_input[prompt_in_pos++] : EOF;
}

static int prompt_input_available(void) { return prompt_in_pos < prompt_in_len; }

/* readline asks for a redisplay: the next frame draws rl_line_buffer. */
static void prompt_redisplay(void)
{
    if (prompt_sh)
        prompt_sh->dirty = 1;
}

/* curses owns the terminal modes. */
static void prompt_prep_term(int meta) { (void)meta; }
static void prompt_deprep_term(void) {}

static char **prompt_complete(const char *text, int start, int end)
{
    rl_attempted_completion_over = 1;   /* no filename fallback: the app completes paths itself */
    return app_complete(rl_line_buffer, text, start, end);
}

/* Several matches: list them in the log. */
static void prompt_show_matches(char **matches, int n, int max_length)
{
    (void)max_length;
    if (!prompt_hooks.output)
        return;
    char line[1024];
    size_t len = 0;
    for (int i = 1; i <= n && len + 2 < sizeof line; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", i > 1 ? "  " : "",
                                matches[i]);
    if (len >= sizeof line) len = sizeof line - 1;
    line[len++] = '\n';
    prompt_hooks.output(prompt_hooks.ud, line, len);
}

static void prompt_line(char *line)
{
    if (line && *line) {   /* like the plain REPL: no repeated entries */
        HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
        if (!last || strcmp(last->line, line) != 0)
            add_history(line);
    }
    if (prompt_hooks.line)
        prompt_hooks.line(prompt_hooks.ud, line);
    else
        free(line);
}

void prompt_init(tui_shared *sh, const tui_prompt_hooks *hooks)
{
    prompt_sh = sh;
    prompt_hooks = *hooks;
    prompt_null = fopen("/dev/null", "w");
    using_history();
    prompt_have_history = app_history_path(prompt_history, sizeof prompt_history) == 0;
    if (prompt_have_history)
        app_history_load(prompt_history);
    rl_readline_name = "rnnlab";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_prep_term_function = prompt_prep_term;
    rl_deprep_term_function = prompt_deprep_term;
    rl_getc_function = prompt_getc;
    rl_input_available_hook = prompt_input_available;
    rl_redisplay_function = prompt_redisplay;
    if (prompt_null)
        rl_outstream = prompt_null;   /* readline must never write to the curses screen */
    rl_attempted_completion_function = prompt_complete;
    rl_completion_display_matches_hook = prompt_show_matches;
    rl_completer_word_break_characters = " \t\n;";   /* as the plain REPL */
    rl_variable_bind("bell-style", "none");
    rl_variable_bind("show-all-if-ambiguous", "on");
    rl_callback_handler_install("rnnlab> ", prompt_line);
}

/* Curses key codes become the byte sequences readline binds by default. */
static const char *prompt_key_sequence(int key)
{
    switch (key) {
    case KEY_LEFT: return "\033[D";
    case KEY_RIGHT: return "\033[C";
    case KEY_UP: return "\033[A";
    case KEY_DOWN: return "\033[B";
    case KEY_HOME: return "\001";
    case KEY_END: return "\005";
    case KEY_DC: return "\004";
    case KEY_BACKSPACE: return "\177";
    case KEY_ENTER: return "\r";
    default: return NULL;
    }
}

void prompt_key(int key)
{
    const char *seq = prompt_key_sequence(key);
    prompt_in_len = prompt_in_pos = 0;
    if (seq) {
        prompt_in_len = (int)strlen(seq);
        memcpy(prompt_input, seq, (size_t)prompt_in_len);
    } else if (key >= 0 && key < 256) {
        prompt_input[prompt_in_len++] = (unsigned char)key;
    } else {
        return;   /* other function keys: nothing to type */
    }
    while (prompt_in_pos < prompt_in_len)
        rl_callback_read_char();
}

/* Columns (code points) of the first n bytes of s. */
static int utf8_columns(const char *s, int n)
{
    int cols = 0;
    for (int i = 0; i < n && s[i]; i++)
        cols += ((unsigned char)s[i] & 0xC0) != 0x80;
    return cols;
}

void prompt_draw(tui_rect r, bool running, bool continues)
{
    const char *label = running ? "running> " : continues ? "...> " : "rnnlab> ";
    int pw = (int)strlen(label);
    tui_put(r, 0, 0, label, theme_attr(running ? ROLE_DIM : ROLE_PROMPT));
    const char *buf = rl_line_buffer ? rl_line_buffer : "";
    int avail = r.w - pw - 1, cursor = utf8_columns(buf, rl_point);
    int first = cursor > avail ? cursor - avail : 0;   /* scroll so the cursor stays visible */
    tui_put(r, 0, pw, buf + tui_text_bytes(buf, first), theme_attr(ROLE_NORMAL));
    move(r.y, r.x + pw + cursor - first);
}

bool prompt_is_empty(void) { return !rl_line_buffer || rl_line_buffer[0] == 0; }

void prompt_clear_line(void)
{
    rl_replace_line("", 0);
    rl_point = rl_end = 0;
    if (prompt_sh)
        prompt_sh->dirty = 1;
}

void prompt_done(void)
{
    rl_callback_handler_remove();
    if (prompt_have_history)
        app_history_save(prompt_history);
    prompt_sh = NULL;
    memset(&prompt_hooks, 0, sizeof prompt_hooks);
    if (prompt_null) {
        rl_outstream = stdout;
        fclose(prompt_null);
        prompt_null = NULL;
    }
}
