/* Screen layout of the dashboard and small text helpers (no curses: unit-tested).
 *
 *   title bar ................................................ row 0
 *   +- data ------+ +- training -----------------------------+
 *   +- vocabulary + |                                        |
 *   +- model -----+ +- log ----------------------------------+
 *   prompt ................................................... row rows-2
 *   key hints ................................................ row rows-1
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "tui/tui.h"

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

void layout_compute(tui_layout *l, int rows, int cols, int zoom)
{
    memset(l, 0, sizeof *l);
    l->too_small = rows < TUI_MIN_ROWS || cols < TUI_MIN_COLS;
    if (l->too_small)
        return;
    l->title = (tui_rect){0, 0, 1, cols};
    l->prompt = (tui_rect){rows - 2, 0, 1, cols};
    l->status = (tui_rect){rows - 1, 0, 1, cols};
    int body_y = 1, body_h = rows - 3;
    if (zoom >= 0 && zoom < PANEL_COUNT) {
        l->panel[zoom] = (tui_rect){body_y, 0, body_h, cols};
        return;
    }
    /* Left column: the static panels; right: training (the point of the dashboard) and log. */
    int left_w = clamp(cols * 2 / 5, 30, 56), right_w = cols - left_w;
    int data_h = clamp(body_h * 2 / 5, 7, 14);
    int vocab_h = clamp(body_h / 4, 5, 14);
    int model_h = body_h - data_h - vocab_h;
    l->panel[PANEL_DATA] = (tui_rect){body_y, 0, data_h, left_w};
    l->panel[PANEL_VOCAB] = (tui_rect){body_y + data_h, 0, vocab_h, left_w};
    l->panel[PANEL_MODEL] = (tui_rect){body_y + data_h + vocab_h, 0, model_h, left_w};
    int train_h = clamp(body_h * 3 / 5, 12, body_h - 5);
    l->panel[PANEL_TRAINING] = (tui_rect){body_y, left_w, train_h, right_w};
    l->panel[PANEL_LOG] = (tui_rect){body_y + train_h, left_w, body_h - train_h, right_w};
}

void layout_bar(char *out, size_t size, double done, int width, bool unicode)
{
    static const char *const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    if (!(done >= 0)) done = 0;
    if (done > 1) done = 1;
    size_t len = 0;
    out[0] = 0;
    int units = (int)floor(done * width * (unicode ? 8 : 1));
    int full = unicode ? units / 8 : units, part = unicode ? units % 8 : 0;
    for (int i = 0; i < width; i++) {
        const char *g = i < full ? (unicode ? "█" : "=")
                      : i == full && part ? eighths[part]
                      : i == full && !unicode && full < width && done > 0 ? ">"
                      : (unicode ? " " : ".");
        size_t gl = strlen(g);
        if (len + gl + 1 > size)
            break;
        memcpy(out + len, g, gl + 1);
        len += gl;
    }
}

void layout_duration(char *out, size_t size, double seconds)
{
    if (!isfinite(seconds) || seconds < 0) {
        snprintf(out, size, "--");
        return;
    }
    long s = lround(seconds);
    if (s >= 3600)
        snprintf(out, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else if (s >= 60)
        snprintf(out, size, "%ld:%02ld", s / 60, s % 60);
    else
        snprintf(out, size, "%lds", s);
}

void layout_smooth(const double *v, int n, double weight, double *out)
{
    double acc = 0, norm = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            out[i] = NAN;
            continue;
        }
        acc = acc * weight + (1 - weight) * v[i];
        norm = norm * weight + (1 - weight);   /* debias the start, as TensorBoard does */
        out[i] = acc / norm;
    }
}
