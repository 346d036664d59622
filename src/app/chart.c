/* Terminal line charts: braille dots (2x4 per cell) or ASCII, y ticks and labels, x ticks,
 * a legend. Roles differ by colour, marker and line style (train solid, validation dashed),
 * so a chart stays readable without colour (NO_COLOR). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/chart.h"

enum { N_STYLES = 3, PER_ROLE = 3 };
/* Colours per role, varied when several series share a role (compare overlays). */
static const signed char role_colors[N_STYLES][PER_ROLE] = {
    {6, 4, 2},   /* train: cyan, blue, green */
    {3, 1, 5},   /* validation: yellow, red, magenta */
    {5, 2, 7},   /* other: magenta, green, white */
};
static const char *const role_markers_utf8[N_STYLES][PER_ROLE] = {
    {"●", "▲", "★"}, {"◆", "■", "▼"}, {"○", "△", "□"},
};
static const char *const role_markers_ascii[N_STYLES][PER_ROLE] = {
    {"*", "^", "%"}, {"o", "#", "v"}, {"+", "x", "="},
};
/* ASCII line pixels: one character per cell and role. */
static const char ascii_line[N_STYLES] = {'.', ':', '\''};

void chart_opts_default(chart_opts *o)
{
    memset(o, 0, sizeof *o);
    o->unicode = true;
    o->x_min = o->x_max = o->y_min = o->y_max = NAN;
}

static int role_index(int role) { return role >= 0 && role < N_STYLES ? role : CHART_OTHER; }

/* How many earlier series share series i's role (picks the variant of colour and marker). */
static int role_rank(const chart_series *s, int i)
{
    int r = role_index(s[i].role), k = 0;
    for (int j = 0; j < i; j++)
        k += role_index(s[j].role) == r;
    return k % PER_ROLE;
}

int chart_series_color(const chart_series *s, int n_series, int i)
{
    (void)n_series;
    return role_colors[role_index(s[i].role)][role_rank(s, i)];
}

const char *chart_series_marker(const chart_series *s, int n_series, int i, bool unicode)
{
    (void)n_series;
    int r = role_index(s[i].role), k = role_rank(s, i);
    return unicode ? role_markers_utf8[r][k] : role_markers_ascii[r][k];
}

static double series_x(const chart_series *s, int i)
{
    return s->dx != 0 ? s->x0 + i * s->dx : i + 1;
}

/* A "nice" step (1, 2 or 5 times a power of ten) giving about `count` intervals over span. */
static double nice_step(double span, int count)
{
    if (!(span > 0) || count < 1)
        return 1;
    double raw = span / count, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static int step_decimals(double step)
{
    int d = (int)ceil(-log10(step) - 1e-9);
    return d < 0 ? 0 : d > 6 ? 6 : d;
}

typedef struct chart_frame {
    int width, height;
    chart_cell *cells;
    int plot_x, plot_y, plot_w, plot_h;   /* plot area in cells */
    int sub_x, sub_y;                     /* pixels per cell: 2x4 braille, 1x1 ASCII */
    double x_min, x_max, y_min, y_max;
    bool unicode;
    const char *x_label_pending;          /* axis name that did not fit under the axis */
    bool x_integer;                       /* every series at x = 1..n: whole-number ticks */
} chart_frame;

static chart_cell *cell_at(chart_frame *f, int row, int col)
{
    if (row < 0 || row >= f->height || col < 0 || col >= f->width)
        return NULL;
    return &f->cells[(size_t)row * f->width + col];
}

static void cell_set(chart_frame *f, int row, int col, const char *glyph, int color, int kind)
{
    chart_cell *c = cell_at(f, row, col);
    if (!c)
        return;
    snprintf(c->glyph, sizeof c->glyph, "%s", glyph);
    c->color = (signed char)color;
    c->kind = (unsigned char)kind;
}

/* Writes ASCII text at (row, col), clipped to max_cols; returns columns written. */
static int text_put(chart_frame *f, int row, int col, const char *text, int max_cols, int color,
                    int kind)
{
    int n = 0;
    for (const char *p = text; *p && n < max_cols && col + n < f->width; n++) {
        /* One UTF-8 character per column (labels are assumed to hold narrow characters). */
        unsigned char b = (unsigned char)*p;
        size_t len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        char g[5] = {0};
        for (size_t i = 0; i < len && p[i]; i++)
            g[i] = p[i];
        p += strlen(g);
        cell_set(f, row, col + n, g, color, kind);
    }
    return n;
}

/* Data range over all finite points, then the caller's fixed bounds. */
static void frame_ranges(chart_frame *f, const chart_series *s, int n_series, const chart_opts *o)
{
    double xl = INFINITY, xh = -INFINITY, yl = INFINITY, yh = -INFINITY;
    for (int k = 0; k < n_series; k++)
        for (int i = 0; i < s[k].n; i++) {
            if (!isfinite(s[k].y[i]))
                continue;
            double x = series_x(&s[k], i);
            xl = fmin(xl, x); xh = fmax(xh, x);
            yl = fmin(yl, s[k].y[i]); yh = fmax(yh, s[k].y[i]);
        }
    if (!isfinite(xl)) { xl = 1; xh = 2; yl = 0; yh = 1; }
    if (isfinite(o->x_min)) xl = o->x_min;
    if (isfinite(o->x_max)) xh = fmax(o->x_max, xl);
    if (isfinite(o->y_min)) yl = o->y_min;
    if (isfinite(o->y_max)) yh = o->y_max;
    if (xh <= xl) xh = xl + 1;
    if (yh <= yl) {   /* a flat line sits mid-chart */
        double pad = yl == 0 ? 0.5 : fabs(yl) * 0.05;
        yl -= pad; yh += pad;
    }
    f->x_min = xl; f->x_max = xh; f->y_min = yl; f->y_max = yh;
}

/* Pixel coordinates of a data point (origin top-left of the plot). */
static void point_pixel(const chart_frame *f, double x, double y, int *px, int *py)
{
    int pw = f->plot_w * f->sub_x, ph = f->plot_h * f->sub_y;
    *px = (int)lround((x - f->x_min) / (f->x_max - f->x_min) * (pw - 1));
    *py = (int)lround((f->y_max - y) / (f->y_max - f->y_min) * (ph - 1));
}

/* Braille dot bit for pixel (dx 0..1, dy 0..3) inside a cell (Unicode order 1-8). */
static unsigned braille_bit(int dx, int dy)
{
    static const unsigned bits[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};
    return bits[dx][dy];
}

static void braille_glyph(unsigned bits, char out[5])
{
    unsigned cp = 0x2800 + bits;   /* U+2800..U+28FF: three UTF-8 bytes */
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    out[3] = 0;
}

/* Per-cell dot masks of the plot, so series sharing a cell combine their dots. */
typedef struct dot_layer { unsigned *bits; } dot_layer;

static void plot_pixel(chart_frame *f, unsigned *bits, int px, int py, int color, int role)
{
    int pw = f->plot_w * f->sub_x, ph = f->plot_h * f->sub_y;
    if (px < 0 || py < 0 || px >= pw || py >= ph)
        return;
    int col = px / f->sub_x, row = py / f->sub_y;
    if (f->unicode) {
        unsigned *b = &bits[(size_t)row * f->plot_w + col];
        *b |= braille_bit(px % 2, py % 4);
        char g[5];
        braille_glyph(*b, g);
        cell_set(f, f->plot_y + row, f->plot_x + col, g, color, CHART_CELL_LINE);
    } else {
        char g[2] = {ascii_line[role], 0};
        cell_set(f, f->plot_y + row, f->plot_x + col, g, color, CHART_CELL_LINE);
    }
}

/* Bresenham line; validation lines are dashed (2 pixels on, 2 off) so they read without colour. */
static void plot_line(chart_frame *f, unsigned *bits, int x0, int y0, int x1, int y1, int color,
                      int role, int *dash)
{
    int dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        bool on = role != CHART_VALIDATION || !f->unicode || (*dash / 2) % 2 == 0;
        if (on)
            plot_pixel(f, bits, x0, y0, color, role);
        (*dash)++;
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * e;
        if (e2 >= dy) { e += dy; x0 += sx; }
        if (e2 <= dx) { e += dx; y0 += sy; }
    }
}

static void draw_series(chart_frame *f, const chart_series *s, int n_series, int k, unsigned *bits)
{
    const chart_series *c = &s[k];
    int color = chart_series_color(s, n_series, k), role = role_index(c->role);
    int dash = 0, lx = 0, ly = 0;
    bool have_last = false;
    for (int i = 0; i < c->n; i++) {
        if (!isfinite(c->y[i])) { have_last = false; continue; }
        int px, py;
        point_pixel(f, series_x(c, i), c->y[i], &px, &py);
        if (have_last)
            plot_line(f, bits, lx, ly, px, py, color, role, &dash);
        else
            plot_pixel(f, bits, px, py, color, role);
        lx = px; ly = py; have_last = true;
    }
}

/* Markers on data points when they are sparse enough to tell apart (per-epoch curves). */
static void draw_markers(chart_frame *f, const chart_series *s, int n_series, int k)
{
    const chart_series *c = &s[k];
    int finite = 0;
    for (int i = 0; i < c->n; i++)
        finite += isfinite(c->y[i]);
    if (finite == 0 || finite * 3 > f->plot_w)
        return;
    const char *m = chart_series_marker(s, n_series, k, f->unicode);
    int color = chart_series_color(s, n_series, k);
    for (int i = 0; i < c->n; i++) {
        if (!isfinite(c->y[i]))
            continue;
        int px, py;
        point_pixel(f, series_x(c, i), c->y[i], &px, &py);
        cell_set(f, f->plot_y + py / f->sub_y, f->plot_x + px / f->sub_x, m, color,
                 CHART_CELL_MARK);
    }
}

static void format_tick(char *buf, size_t size, double v, int decimals)
{
    if (fabs(v) < 1e-12)
        v = 0;   /* no "-0.00" */
    snprintf(buf, size, "%.*f", decimals, v);
}

/* Y labels width for the ticks of the current range. */
static int y_label_width(double y_min, double y_max, double step)
{
    char a[32], b[32];
    int d = step_decimals(step);
    format_tick(a, sizeof a, y_min, d);
    format_tick(b, sizeof b, y_max, d);
    int w = (int)(strlen(a) > strlen(b) ? strlen(a) : strlen(b));
    return w > 10 ? 10 : w;
}

static void draw_y_axis(chart_frame *f, double step, int label_w)
{
    int axis_col = f->plot_x - 1, d = step_decimals(step);
    for (int r = 0; r < f->plot_h; r++)
        cell_set(f, f->plot_y + r, axis_col, f->unicode ? "│" : "|", -1, CHART_CELL_AXIS);
    double first = ceil(f->y_min / step - 1e-9) * step;
    int last_row = -2;
    for (double v = first; v <= f->y_max + step * 1e-9; v += step) {
        int px, py;
        point_pixel(f, f->x_min, v, &px, &py);
        int row = py / f->sub_y;
        if (row == last_row)
            continue;
        last_row = row;
        char buf[32];
        format_tick(buf, sizeof buf, v, d);
        int len = (int)strlen(buf);
        text_put(f, f->plot_y + row, axis_col - len > 0 ? axis_col - len : 0, buf, label_w,
                 -1, CHART_CELL_TEXT);
        cell_set(f, f->plot_y + row, axis_col, f->unicode ? "┤" : "+", -1, CHART_CELL_AXIS);
    }
}

static void draw_x_axis(chart_frame *f, const char *x_label)
{
    int row = f->plot_y + f->plot_h, axis_col = f->plot_x - 1;
    cell_set(f, row, axis_col, f->unicode ? "└" : "+", -1, CHART_CELL_AXIS);
    for (int c = 0; c < f->plot_w; c++)
        cell_set(f, row, f->plot_x + c, f->unicode ? "─" : "-", -1, CHART_CELL_AXIS);
    /* Tick spacing: labels at least 4 columns apart plus their width. */
    char probe[32];
    snprintf(probe, sizeof probe, "%g", f->x_max);
    int per_label = (int)strlen(probe) + 3;
    int count = f->plot_w / per_label;
    double step = nice_step(f->x_max - f->x_min, count < 1 ? 1 : count);
    bool integral = f->x_integer || f->x_max - f->x_min >= 2;
    if (integral && step < 1)
        step = 1;
    int d = integral ? 0 : step_decimals(step);
    int label_end = -1;   /* last column used by a label, to avoid overlaps */
    int xl_len = x_label ? (int)strlen(x_label) : 0;
    for (double v = ceil(f->x_min / step - 1e-9) * step; v <= f->x_max + step * 1e-9; v += step) {
        int px, py;
        point_pixel(f, v, f->y_min, &px, &py);
        int col = f->plot_x + px / f->sub_x;
        cell_set(f, row, col, f->unicode ? "┬" : "+", -1, CHART_CELL_AXIS);
        char buf[32];
        format_tick(buf, sizeof buf, v, d);
        int len = (int)strlen(buf), start = col - len / 2;
        if (start <= label_end + 1 || start + len > f->width)
            continue;
        text_put(f, row + 1, start, buf, len, -1, CHART_CELL_TEXT);
        label_end = start + len - 1;
    }
    /* The axis name goes right of the last tick label, or else at the right of the legend line. */
    if (xl_len && f->width - xl_len > label_end + 1)
        text_put(f, row + 1, f->width - xl_len, x_label, xl_len, -1, CHART_CELL_TEXT);
    else if (xl_len)
        f->x_label_pending = x_label;
}

/* Legend entries "M label" separated by two spaces, wrapped over `lines` rows from `row`. */
static void draw_legend(chart_frame *f, const chart_series *s, int n_series, int row, int lines)
{
    int col = f->plot_x, line = 0;
    for (int k = 0; k < n_series; k++) {
        const char *label = s[k].label ? s[k].label : "";
        int need = 2 + (int)strlen(label);
        if (col > f->plot_x && col + need > f->width) {
            if (++line >= lines)
                return;
            col = f->plot_x;
        }
        int color = chart_series_color(s, n_series, k);
        cell_set(f, row + line, col, chart_series_marker(s, n_series, k, f->unicode), color,
                 CHART_CELL_MARK);
        col += 2;
        col += text_put(f, row + line, col, label, f->width - col, color, CHART_CELL_TEXT);
        col += 2;
    }
    const char *xl = f->x_label_pending;
    int xl_len = xl ? (int)strlen(xl) : 0;
    if (xl && line == lines - 1 && f->width - xl_len - 2 >= col)
        text_put(f, row + line, f->width - xl_len, xl, xl_len, -1, CHART_CELL_TEXT);
}

static int legend_lines_needed(const chart_series *s, int n_series, int width)
{
    int lines = n_series > 0, col = 0;
    for (int k = 0; k < n_series; k++) {
        int need = 2 + (int)strlen(s[k].label ? s[k].label : "");
        if (col > 0 && col + need > width) { lines++; col = 0; }
        col += need + 2;
    }
    return lines;
}

void chart_render_cells(const chart_series *s, int n_series, int width, int height,
                        const chart_opts *o, chart_cell *cells)
{
    chart_frame f = {.width = width, .height = height, .cells = cells, .unicode = o->unicode};
    for (int i = 0; i < width * height; i++)
        cells[i] = (chart_cell){.glyph = " ", .color = -1, .kind = CHART_CELL_BLANK};
    int title_h = o->title ? 1 : 0;
    int legend_h = legend_lines_needed(s, n_series, width - 8);
    if (legend_h > 2) legend_h = 2;
    int plot_h = height - title_h - 2 - legend_h;   /* 2 = x axis + x labels */
    if (title_h)
        text_put(&f, 0, 0, o->title, width, -1, CHART_CELL_TEXT);
    if (plot_h < 2 || width < 16) {
        text_put(&f, title_h < height ? title_h : 0, 0, "(chart too small)", width, -1,
                 CHART_CELL_TEXT);
        return;
    }
    frame_ranges(&f, s, n_series, o);
    f.x_integer = true;
    for (int k = 0; k < n_series; k++)
        f.x_integer &= s[k].dx == 0;
    f.sub_x = o->unicode ? 2 : 1;
    f.sub_y = o->unicode ? 4 : 1;
    f.plot_y = title_h;
    f.plot_h = plot_h;
    double step = nice_step(f.y_max - f.y_min, plot_h / 2 < 1 ? 1 : plot_h / 2);
    if (!isfinite(o->y_min)) f.y_min = floor(f.y_min / step + 1e-9) * step;   /* ticks at the ends */
    if (!isfinite(o->y_max)) f.y_max = ceil(f.y_max / step - 1e-9) * step;
    int label_w = y_label_width(f.y_min, f.y_max, step);
    f.plot_x = label_w + 1;
    f.plot_w = width - f.plot_x - 1;   /* one spare column for the last x label */
    if (f.plot_w < 4) {
        text_put(&f, title_h, 0, "(chart too small)", width, -1, CHART_CELL_TEXT);
        return;
    }
    unsigned *bits = calloc((size_t)f.plot_w * f.plot_h, sizeof *bits);
    if (!bits)
        return;
    draw_y_axis(&f, step, label_w);
    draw_x_axis(&f, o->x_label ? o->x_label : "epoch");
    /* "Other" series (e.g. a smoothed per-batch loss) go underneath: a shared cell takes the
     * colour of the series drawn last. */
    static const int draw_order[] = {CHART_OTHER, CHART_TRAIN, CHART_VALIDATION};
    bool any = false;
    for (int o = 0; o < 3; o++)
        for (int k = 0; k < n_series; k++) {
            if (role_index(s[k].role) != draw_order[o])
                continue;
            draw_series(&f, s, n_series, k, bits);
            for (int i = 0; i < s[k].n; i++)
                any |= isfinite(s[k].y[i]);
        }
    for (int k = 0; k < n_series; k++)
        draw_markers(&f, s, n_series, k);
    if (!any)
        text_put(&f, f.plot_y + f.plot_h / 2, f.plot_x + f.plot_w / 2 - 4, "(no data)", 9, -1,
                 CHART_CELL_TEXT);
    draw_legend(&f, s, n_series, f.plot_y + f.plot_h + 2, legend_h);
    free(bits);
}

char *chart_cells_to_text(const chart_cell *cells, int width, int height, bool ansi_color)
{
    /* Worst case per cell: 4 glyph bytes + an SGR pair (~10 bytes). */
    size_t cap = (size_t)height * ((size_t)width * 15 + 2) + 1, len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (int r = 0; r < height; r++) {
        const chart_cell *row = &cells[(size_t)r * width];
        int last = width - 1;
        while (last >= 0 && row[last].kind == CHART_CELL_BLANK)
            last--;
        int cur = -1;
        for (int c = 0; c <= last; c++) {
            int want = ansi_color ? row[c].color : -1;
            if (want != cur) {
                len += (size_t)sprintf(out + len, want < 0 ? "\x1b[0m" : "\x1b[%dm", 30 + want);
                cur = want;
            }
            size_t g = strlen(row[c].glyph);
            memcpy(out + len, row[c].glyph, g);
            len += g;
        }
        if (cur >= 0)
            len += (size_t)sprintf(out + len, "\x1b[0m");
        out[len++] = '\n';
    }
    out[len] = 0;
    return out;
}

char *chart_render_text(const chart_series *s, int n_series, int width, int height,
                        const char *title, bool unicode, bool ansi_color)
{
    if (width < 1 || height < 1)
        return calloc(1, 1);
    chart_opts o;
    chart_opts_default(&o);
    o.title = title;
    o.unicode = unicode;
    chart_cell *cells = malloc((size_t)width * height * sizeof *cells);
    if (!cells)
        return NULL;
    chart_render_cells(s, n_series, width, height, &o, cells);
    char *text = chart_cells_to_text(cells, width, height, ansi_color);
    free(cells);
    return text;
}
