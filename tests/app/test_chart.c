/* Unit tests of the terminal line charts (src/app/chart.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/chart.h"

#include "tests/check.h"

/* Columns of a UTF-8 line without SGR sequences (every character is one column here). */
static int line_columns(const char *s, size_t len)
{
    int cols = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\x1b') {
            while (i < len && s[i] != 'm') i++;
            continue;
        }
        cols += ((unsigned char)s[i] & 0xC0) != 0x80;
    }
    return cols;
}

/* Splits text into lines; returns count, checks every line's width. */
static int check_lines(const char *text, int width, const char *what)
{
    int n = 0;
    for (const char *p = text; *p; n++) {
        const char *nl = strchr(p, '\n');
        CHECK(nl != NULL, "%s: line %d not newline-terminated", what, n);
        if (!nl) break;
        int cols = line_columns(p, (size_t)(nl - p));
        CHECK(cols <= width, "%s: line %d has %d columns > %d", what, n, cols, width);
        p = nl + 1;
    }
    return n;
}

/* Row (0-based) of the first line containing needle, -1 if none. */
static int row_of(const char *text, const char *needle)
{
    int row = 0;
    for (const char *p = text; *p; row++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = strndup(p, len);
        bool hit = strstr(line, needle) != NULL;
        free(line);
        if (hit) return row;
        if (!nl) break;
        p = nl + 1;
    }
    return -1;
}

static void test_braille_chart(void)
{
    double loss[] = {0.69, 0.52, 0.41, 0.35, 0.30};
    double val[] = {0.66, 0.55, 0.50, 0.49, 0.51};
    chart_series s[] = {{"train loss", loss, 5, CHART_TRAIN, 0, 0},
                        {"val loss", val, 5, CHART_VALIDATION, 0, 0}};
    char *t = chart_render_text(s, 2, 60, 14, "loss", true, false);
    CHECK(t != NULL, "render");
    printf("%s", t);
    CHECK(check_lines(t, 60, "braille") == 14, "14 lines");
    CHECK(strstr(t, "\xe2\xa0") || strstr(t, "\xe2\xa1") || strstr(t, "\xe2\xa2")
          || strstr(t, "\xe2\xa3"), "braille dots present");
    CHECK(row_of(t, "loss") == 0, "title on the first line");
    CHECK(row_of(t, "● train loss") >= 12 && row_of(t, "◆ val loss") >= 12, "legend at the bottom");
    CHECK(strstr(t, "┤") && strstr(t, "└") && strstr(t, "┬"), "axes with ticks");
    CHECK(row_of(t, "0.3") > row_of(t, "0.7") && row_of(t, "0.3") > 0, "y labels: small values below large ones");
    CHECK(row_of(t, "epoch") >= 12, "x axis named");
    /* Epoch ticks 1..5 all labelled. */
    int xr = row_of(t, "└") + 1;
    for (int e = 1; e <= 5; e++) {
        char b[4]; snprintf(b, sizeof b, "%d", e);
        const char *p = t;
        for (int r = 0; r < xr; r++) p = strchr(p, '\n') + 1;
        CHECK(memchr(p, b[0], (size_t)(strchr(p, '\n') - p)) != NULL, "x tick %d labelled", e);
    }
    /* Train points drawn with its marker, and the last train point sits lower than the first. */
    CHECK(strstr(t, "●") && strstr(t, "◆"), "markers on points");
    CHECK(strstr(t, "\x1b[") == NULL, "no SGR without colour");
    free(t);
}

static void test_ascii_and_colour(void)
{
    double acc[] = {0.50, 0.60, 0.75, NAN, 0.80, 0.85};
    chart_series s[] = {{"accuracy", acc, 6, CHART_TRAIN, 0, 0}};
    char *t = chart_render_text(s, 1, 40, 10, NULL, false, false);
    printf("%s", t);
    CHECK(check_lines(t, 40, "ascii") == 10, "10 lines");
    for (const char *p = t; *p; p++)
        CHECK((unsigned char)*p < 0x80, "ASCII only, found byte 0x%02x", (unsigned char)*p);
    CHECK(strstr(t, "* accuracy") != NULL, "ASCII legend marker");
    CHECK(strchr(t, '|') && strchr(t, '+'), "ASCII axes");
    free(t);

    t = chart_render_text(s, 1, 40, 10, NULL, true, true);
    CHECK(strstr(t, "\x1b[36m") != NULL, "train in cyan");
    CHECK(check_lines(t, 40, "colour") == 10, "10 lines with colour");
    free(t);
}

static void test_roles_differ(void)
{
    double a[] = {1, 2}, b[] = {2, 1};
    chart_series s[] = {{"a", a, 2, CHART_TRAIN, 0, 0}, {"b", b, 2, CHART_VALIDATION, 0, 0},
                        {"c", a, 2, CHART_TRAIN, 0, 0}, {"d", b, 2, CHART_VALIDATION, 0, 0}};
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++) {
            CHECK(chart_series_color(s, 4, i) != chart_series_color(s, 4, j), "colours %d %d", i, j);
            CHECK(strcmp(chart_series_marker(s, 4, i, true), chart_series_marker(s, 4, j, true)),
                  "markers %d %d", i, j);
            CHECK(strcmp(chart_series_marker(s, 4, i, false), chart_series_marker(s, 4, j, false)),
                  "ascii markers %d %d", i, j);
        }
}

static void test_edges(void)
{
    double nan1[] = {NAN, NAN};
    chart_series s[] = {{"empty", nan1, 2, CHART_TRAIN, 0, 0}};
    char *t = chart_render_text(s, 1, 50, 10, "none", true, false);
    CHECK(check_lines(t, 50, "no data") == 10 && strstr(t, "(no data)"), "no data message");
    free(t);
    t = chart_render_text(s, 0, 30, 3, "tiny", true, false);
    CHECK(check_lines(t, 30, "small") == 3 && strstr(t, "too small"), "too small message");
    free(t);
    double flat[] = {0.5, 0.5, 0.5};
    chart_series f[] = {{"flat", flat, 3, CHART_VALIDATION, 0, 0}};
    t = chart_render_text(f, 1, 50, 10, NULL, true, false);
    CHECK(check_lines(t, 50, "flat") == 10 && strstr(t, "0.5"), "flat line labelled");
    free(t);
    /* Per-batch values on an epoch axis: 20 batches per epoch over 3 epochs. */
    double batch[60];
    for (int i = 0; i < 60; i++) batch[i] = 1.0 / (1 + i * 0.1);
    chart_series b[] = {{"batch loss", batch, 60, CHART_OTHER, 1.0 / 20, 1.0 / 20}};
    t = chart_render_text(b, 1, 70, 12, NULL, true, false);
    printf("%s", t);
    CHECK(check_lines(t, 70, "batch") == 12, "batch chart lines");
    CHECK(strstr(t, "○") == NULL || row_of(t, "○ batch loss") >= 10, "no markers on dense series");
    free(t);
    /* Two epochs: whole-number ticks only. */
    double two[] = {0.5, 0.4};
    chart_series e2[] = {{"loss", two, 2, CHART_TRAIN, 0, 0}};
    t = chart_render_text(e2, 1, 60, 10, NULL, true, false);
    CHECK(strstr(t, "1.5") == NULL && strstr(t, "1.2") == NULL, "no fractional epoch ticks");
    free(t);
    t = chart_render_text(b, 1, 0, 0, NULL, true, false);
    CHECK(t && !*t, "zero size gives an empty string");
    free(t);
}

int main(void)
{
    test_braille_chart();
    test_ascii_and_colour();
    test_roles_differ();
    test_edges();
    return check_finish("test_chart");
}
