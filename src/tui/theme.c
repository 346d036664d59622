/* The colour-role table: every drawing names a role, never a colour. Under NO_COLOR (or on a
 * monochrome terminal) each role falls back to its monochrome attributes, which alone keep the
 * screen readable (bold titles, reverse bars, dim hints). */
#include <curses.h>
#include <stdlib.h>
#include "tui/tui.h"

typedef struct theme_entry {
    short fg, bg;        /* -1 = terminal default */
    int color_attrs;     /* extra attributes with colour */
    int mono_attrs;      /* attributes without colour */
} theme_entry;

static const theme_entry theme_table[ROLE_COUNT] = {
    [ROLE_NORMAL]       = {-1, -1, 0, 0},
    [ROLE_BORDER]       = {COLOR_BLUE, -1, 0, 0},
    [ROLE_BORDER_FOCUS] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [ROLE_PANEL_TITLE]  = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [ROLE_TITLE_BAR]    = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
    [ROLE_STATUS_BAR]   = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
    [ROLE_LABEL]        = {COLOR_CYAN, -1, 0, 0},
    [ROLE_VALUE]        = {-1, -1, A_BOLD, A_BOLD},
    [ROLE_DIM]          = {-1, -1, A_DIM, A_DIM},
    [ROLE_ERROR]        = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [ROLE_PROMPT]       = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [ROLE_BAR_DONE]     = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [ROLE_BAR_TODO]     = {-1, -1, A_DIM, A_DIM},
    [ROLE_HELP]         = {COLOR_WHITE, COLOR_BLUE, 0, A_REVERSE},
};

static bool theme_color;
enum { CHART_PAIR_BASE = ROLE_COUNT + 1 };   /* pairs for chart colours 0..7 follow the roles */

void theme_init(void)
{
    const char *nc = getenv("NO_COLOR");
    theme_color = !(nc && *nc) && has_colors();
    if (!theme_color)
        return;
    start_color();
    use_default_colors();
    for (int r = 0; r < ROLE_COUNT; r++)
        init_pair((short)(r + 1), theme_table[r].fg, theme_table[r].bg);
    for (short c = 0; c < 8; c++)
        init_pair((short)(CHART_PAIR_BASE + c), c, -1);
}

bool theme_has_color(void) { return theme_color; }

int theme_attr(int role)
{
    if (role < 0 || role >= ROLE_COUNT)
        role = ROLE_NORMAL;
    if (!theme_color)
        return theme_table[role].mono_attrs;
    return (int)COLOR_PAIR(role + 1) | theme_table[role].color_attrs;
}

int theme_chart_attr(int ansi_color)
{
    if (!theme_color || ansi_color < 0 || ansi_color > 7)
        return 0;
    return (int)COLOR_PAIR(CHART_PAIR_BASE + ansi_color);
}
