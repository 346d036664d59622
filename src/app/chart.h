/* Terminal line charts (braille cells), used by the dashboard and by `plot` in plain mode.
 * No curses here: it renders into text. */
#ifndef RNNLAB_CHART_H
#define RNNLAB_CHART_H
#include <stdbool.h>

enum chart_role { CHART_TRAIN, CHART_VALIDATION, CHART_OTHER };
typedef struct chart_series {
    const char *label;      /* legend text, e.g. "train loss" */
    const double *y;        /* n values at x = 1..n (NAN = gap) */
    int n;
    int role;               /* chart_role: colour and marker in the legend */
    /* Optional (0 = unset): value i sits at x = x0 + i*dx instead of i+1, e.g. per-batch values
     * on an epoch axis (batch k of B per epoch at x = k/B: x0 = dx = 1/B). */
    double x0, dx;
} chart_series;

/* Renders a chart with axes, ticks and a legend into a malloc'd UTF-8 string of `height` lines,
 * each at most `width` columns. unicode=false draws with ASCII only. ansi_color adds SGR colours. */
char *chart_render_text(const chart_series *s, int n_series, int width, int height,
                        const char *title, bool unicode, bool ansi_color);

/* ---- Lower level: the same chart as a grid of cells, for curses (the dashboard). ---- */

typedef struct chart_opts {
    const char *title;      /* NULL = no title line */
    const char *x_label;    /* shown at the right end of the x labels; NULL = "epoch" */
    bool unicode;           /* braille and box drawing; false = ASCII */
    double x_min, x_max;    /* NAN = from the data (the dashboard fixes x_max to the planned epochs) */
    double y_min, y_max;    /* NAN = from the data */
} chart_opts;
void chart_opts_default(chart_opts *o);

enum chart_cell_kind { CHART_CELL_BLANK, CHART_CELL_TEXT, CHART_CELL_AXIS, CHART_CELL_LINE,
                       CHART_CELL_MARK };
typedef struct chart_cell {
    char glyph[5];          /* one UTF-8 character (a space when blank) */
    signed char color;      /* ANSI colour 0..7 (same numbers as curses COLOR_*), -1 = default */
    unsigned char kind;     /* chart_cell_kind */
} chart_cell;

/* Fills cells[height][width] (row-major). Series colours: chart_series_color. */
void chart_render_cells(const chart_series *s, int n_series, int width, int height,
                        const chart_opts *o, chart_cell *cells);
/* Colour (ANSI 0..7) and marker of series i: by role, varied among series of the same role. */
int chart_series_color(const chart_series *s, int n_series, int i);
const char *chart_series_marker(const chart_series *s, int n_series, int i, bool unicode);
/* Joins cells into text lines ('\n'-terminated, trailing blanks trimmed), with SGR colours if asked. */
char *chart_cells_to_text(const chart_cell *cells, int width, int height, bool ansi_color);

#endif
