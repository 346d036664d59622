/* Unit tests of the dashboard layout and its text helpers (src/tui/layout.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "tui/tui.h"

#include "tests/check.h"

static bool inside(tui_rect r, int rows, int cols)
{
    return r.y >= 0 && r.x >= 0 && r.h > 0 && r.w > 0 && r.y + r.h <= rows && r.x + r.w <= cols;
}

static bool overlap(tui_rect a, tui_rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Every size from the minimum up: panels inside the body, disjoint, covering it exactly. */
static void test_tiling(void)
{
    static const int sizes[][2] = {{24, 80}, {30, 100}, {40, 120}, {25, 81}, {60, 250}, {24, 300}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int rows = sizes[k][0], cols = sizes[k][1];
        tui_layout l;
        layout_compute(&l, rows, cols, -1);
        CHECK(!l.too_small, "%dx%d fits", cols, rows);
        CHECK(l.title.y == 0 && l.prompt.y == rows - 2 && l.status.y == rows - 1, "bars %dx%d",
              cols, rows);
        long area = 0;
        for (int i = 0; i < PANEL_COUNT; i++) {
            tui_rect r = l.panel[i];
            CHECK(inside(r, rows - 2, cols) && r.y >= 1, "panel %d inside at %dx%d", i, cols, rows);
            CHECK(r.h >= 5 && r.w >= 30, "panel %d usable at %dx%d (%dx%d)", i, cols, rows, r.w, r.h);
            area += (long)r.w * r.h;
            for (int j = i + 1; j < PANEL_COUNT; j++)
                CHECK(!overlap(r, l.panel[j]), "panels %d %d overlap at %dx%d", i, j, cols, rows);
        }
        CHECK(area == (long)cols * (rows - 3), "body covered at %dx%d", cols, rows);
        CHECK(l.panel[PANEL_TRAINING].w >= l.panel[PANEL_DATA].w, "training is the wide panel");
        CHECK(l.panel[PANEL_TRAINING].h >= 12, "training tall enough for charts");
    }
}

static void test_too_small_and_zoom(void)
{
    tui_layout l;
    layout_compute(&l, 20, 60, -1);
    CHECK(l.too_small, "60x20 is too small");
    layout_compute(&l, 23, 100, -1);
    CHECK(l.too_small, "23 rows too small");
    layout_compute(&l, 30, 79, -1);
    CHECK(l.too_small, "79 columns too small");
    layout_compute(&l, 30, 100, PANEL_MODEL);
    CHECK(!l.too_small && l.panel[PANEL_MODEL].w == 100 && l.panel[PANEL_MODEL].h == 27, "zoom");
    CHECK(l.panel[PANEL_DATA].w == 0, "other panels hidden when zoomed");
}

static void test_helpers(void)
{
    char b[256];
    layout_bar(b, sizeof b, 0.5, 10, false);
    CHECK(strcmp(b, "=====>....") == 0, "ascii bar: %s", b);
    layout_bar(b, sizeof b, 1.0, 4, false);
    CHECK(strcmp(b, "====") == 0, "full ascii bar: %s", b);
    layout_bar(b, sizeof b, 0.0, 4, false);
    CHECK(strcmp(b, "....") == 0, "empty ascii bar: %s", b);
    layout_bar(b, sizeof b, 0.55, 4, true);
    CHECK(strcmp(b, "██▏ ") == 0, "unicode bar: %s", b);
    layout_duration(b, sizeof b, 45.2);
    CHECK(strcmp(b, "45s") == 0, "%s", b);
    layout_duration(b, sizeof b, 125);
    CHECK(strcmp(b, "2:05") == 0, "%s", b);
    layout_duration(b, sizeof b, 3725);
    CHECK(strcmp(b, "1:02:05") == 0, "%s", b);
    layout_duration(b, sizeof b, NAN);
    CHECK(strcmp(b, "--") == 0, "%s", b);
    double v[] = {1, 1, NAN, 0}, s[4];
    layout_smooth(v, 4, 0.9, s);
    CHECK(fabs(s[0] - 1) < 1e-12 && fabs(s[1] - 1) < 1e-12, "debiased start %g %g", s[0], s[1]);
    CHECK(isnan(s[2]), "gap kept");
    /* After 1,1 then 0 with weight 0.9: (0.9*0.19 + 0)/(1 - 0.9^3) = 0.171/0.271. */
    CHECK(fabs(s[3] - 0.171 / 0.271) < 1e-9, "smoothing %g", s[3]);
}

int main(void)
{
    test_tiling();
    test_too_small_and_zoom();
    test_helpers();
    return check_finish("test_layout");
}
