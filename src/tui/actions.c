/* The key-to-action table: one place binds keys to what they do and feeds the help screen.
 * Keys no action takes go to the prompt (readline). */
#include <curses.h>
#include <stdio.h>
#include "tui/frame.h"

#define CTRL(c) ((c) & 0x1f)

static bool act_help(tui *t) { t->help_open = !t->help_open; t->sh.dirty = 1; return true; }

static void focus_move(tui *t, int delta)
{
    t->focus = (t->focus + delta + PANEL_COUNT) % PANEL_COUNT;
    if (t->zoom >= 0) {
        t->zoom = t->focus;
        t->need_layout = true;
    }
    t->sh.dirty = 1;
}

/* Tab completes a word at the prompt; with an empty line (or while a command runs) it moves
 * the focus instead. */
static bool act_focus_next(tui *t)
{
    if (!t->running && !prompt_is_empty())
        return false;
    focus_move(t, 1);
    return true;
}

static bool act_focus_prev(tui *t) { focus_move(t, -1); return true; }

static bool act_zoom(tui *t)
{
    t->zoom = t->zoom >= 0 ? -1 : t->focus;
    t->need_layout = true;
    t->sh.dirty = 1;
    return true;
}

/* Stop training at the end of the current batch; the weights are kept. */
static bool act_stop(tui *t)
{
    t->app->stop = 1;
    tui_output(t, "stopping after this batch...\n", 29, false);
    return true;
}

static bool act_interrupt(tui *t)
{
    if (t->running)
        return act_stop(t);
    prompt_clear_line();
    return true;
}

static bool act_quit(tui *t)
{
    if (t->running)
        t->app->stop = 1;   /* leave once the command has stopped */
    t->quit = true;
    return true;
}

static bool act_redraw(tui *t) { clearok(curscr, TRUE); t->sh.dirty = 1; return true; }

static bool act_resize(tui *t) { t->need_layout = true; t->sh.dirty = 1; return true; }

/* Gives key to the focused panel; true if it used it. */
static bool panel_key(tui *t, int key, bool always)
{
    tui_panel *p = &t->panel[t->focus];
    if (!p->ops->key)
        return false;
    pthread_mutex_lock(&t->sh.lock);
    bool used = (always || p->typing) && p->ops->key(p, key);
    pthread_mutex_unlock(&t->sh.lock);
    if (used)
        t->sh.dirty = 1;
    return used;
}

/* Page keys scroll the focused panel. */
static bool act_scroll(tui *t, int key) { return panel_key(t, key, true); }
static bool act_page_up(tui *t) { return act_scroll(t, KEY_PPAGE); }
static bool act_page_down(tui *t) { return act_scroll(t, KEY_NPAGE); }

static const tui_action action_table[] = {
    {KEY_F(1), "F1", "help (this screen); any key closes it", WHEN_ANY, act_help},
    {'\t', "Tab", "next panel (completes a word when the prompt has text)", WHEN_ANY, act_focus_next},
    {KEY_BTAB, "S-Tab", "previous panel", WHEN_ANY, act_focus_prev},
    {KEY_F(2), "F2", "zoom the focused panel / back to all panels", WHEN_ANY, act_zoom},
    {KEY_PPAGE, "PgUp", "scroll the focused panel back", WHEN_ANY, act_page_up},
    {KEY_NPAGE, "PgDn", "scroll the focused panel forward", WHEN_ANY, act_page_down},
    {'q', "q", "stop training after the current batch (weights kept)", WHEN_RUNNING, act_stop},
    {CTRL('c'), "C-c", "stop the running command / clear the prompt", WHEN_ANY, act_interrupt},
    {KEY_F(10), "F10", "quit (like `quit`)", WHEN_ANY, act_quit},
    {CTRL('l'), "C-l", "redraw the screen", WHEN_ANY, act_redraw},
    {KEY_RESIZE, NULL, NULL, WHEN_ANY, act_resize},
};

const tui_action *actions_table(size_t *n)
{
    *n = sizeof action_table / sizeof action_table[0];
    return action_table;
}

bool actions_dispatch(tui *t, int key)
{
    if (t->help_open && key != KEY_RESIZE) {   /* any key closes the help */
        t->help_open = false;
        t->sh.dirty = 1;
        return true;
    }
    /* The focused panel's own keys come first: all of them while it takes text, else only while
     * the prompt is empty (the key cannot belong to a line being typed, even ahead of a command). */
    if (panel_key(t, key, prompt_is_empty()))
        return true;
    for (size_t i = 0; i < sizeof action_table / sizeof action_table[0]; i++) {
        const tui_action *a = &action_table[i];
        if (a->key != key)
            continue;
        if ((a->when == WHEN_RUNNING && !t->running) || (a->when == WHEN_IDLE && t->running))
            continue;
        if (a->run(t))
            return true;
    }
    return false;
}
