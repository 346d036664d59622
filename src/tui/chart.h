/* Terminal line charts (braille cells), used by the dashboard and by `plot` in plain mode.
 * Owned by the tui area. No curses here: it renders into text. */
#ifndef RNNLAB_CHART_H
#define RNNLAB_CHART_H
#include <stdbool.h>

enum chart_role { CHART_TRAIN, CHART_VALIDATION, CHART_OTHER };
typedef struct chart_series {
    const char *label;      /* legend text, e.g. "train loss" */
    const double *y;        /* n values at x = 1..n (NAN = gap) */
    int n;
    int role;               /* chart_role: colour and marker in the legend */
} chart_series;

/* Renders a chart with axes, ticks and a legend into a malloc'd UTF-8 string of `height` lines,
 * each at most `width` columns. unicode=false draws with ASCII only. ansi_color adds SGR colours. */
char *chart_render_text(const chart_series *s, int n_series, int width, int height,
                        const char *title, bool unicode, bool ansi_color);

#endif
