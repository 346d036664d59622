/* Physical lines into logical statements, as Python reads them: open brackets, a final '\',
 * triple-quoted strings and indented blocks go on over the next lines. Used by scripts and by
 * the prompt (whose continuation prompt is "...> "). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "app/internal.h"
#include "app/python.h"

void py_reader_reset(py_reader *r)
{
    r->len = 0;
    if (r->buf) r->buf[0] = 0;
    r->depth = 0;
    r->quote = 0;
    r->triple = r->backslash = r->block = false;
    r->block_indent = 0;
}

void py_reader_free(py_reader *r)
{
    free(r->buf);
    memset(r, 0, sizeof *r);
}

static bool reader_append(py_reader *r, const char *line)
{
    size_t n = strlen(line), need = r->len + n + 2;
    if (need > RNN_LINE_LIMIT) return false;
    if (need > r->cap) {
        size_t cap = r->cap ? r->cap : 256;
        while (cap < need) cap *= 2;
        char *b = realloc(r->buf, cap);
        if (!b) return false;
        r->buf = b;
        r->cap = cap;
    }
    if (r->len) r->buf[r->len++] = '\n';
    memcpy(r->buf + r->len, line, n + 1);
    r->len += n;
    return true;
}

static int line_indent(const char *line)
{
    int w = 0;
    for (; *line == ' ' || *line == '\t'; line++) w = *line == '\t' ? (w / 8 + 1) * 8 : w + 1;
    return w;
}

static bool line_blank(const char *line)
{
    while (*line == ' ' || *line == '\t' || *line == '\r') line++;
    return *line == 0 || *line == '#';
}

/* Updates bracket depth and string state over one line; returns the last character outside a
 * comment that is not a space (0 for none). */
static char reader_scan(py_reader *r, const char *line)
{
    char last = 0;
    r->backslash = false;
    for (const char *p = line; *p; p++) {
        char c = *p;
        if (r->triple) {
            if (c == '\\' && p[1]) { p++; continue; }
            if (c == r->quote && p[1] == c && p[2] == c) { r->triple = false; r->quote = 0; p += 2; last = c; }
            continue;
        }
        if (r->quote) {
            if (c == '\\' && p[1]) { p++; continue; }
            if (c == r->quote) { r->quote = 0; last = c; }
            continue;
        }
        if (c == '#') break;
        if (c == '\'' || c == '"') {
            if (p[1] == c && p[2] == c) { r->triple = true; r->quote = c; p += 2; }
            else r->quote = c;
            last = c;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') r->depth++;
        else if ((c == ')' || c == ']' || c == '}') && r->depth > 0) r->depth--;
        if (!isspace((unsigned char)c)) last = c;
        if (c == '\\' && p[1] == 0) r->backslash = true;
    }
    if (!r->triple) r->quote = 0;   /* a one-line string does not go on: its line's error says so */
    return last;
}

/* A line that opens a Python block (its statement ends in ':'). */
static bool opens_block(const char *stmt)
{
    static const char *const kw[] = {"def", "class", "if", "elif", "else", "for", "while", "with", "try", "except",
                                     "finally", "async", NULL};
    while (*stmt == ' ' || *stmt == '\t') stmt++;
    for (int i = 0; kw[i]; i++) {
        size_t n = strlen(kw[i]);
        if (strncmp(stmt, kw[i], n) == 0 && !(isalnum((unsigned char)stmt[n]) || stmt[n] == '_')) return true;
    }
    return false;
}

static bool continues_block(const char *line)
{
    static const char *const kw[] = {"elif", "else", "except", "finally", NULL};
    while (*line == ' ' || *line == '\t') line++;
    for (int i = 0; kw[i]; i++) {
        size_t n = strlen(kw[i]);
        if (strncmp(line, kw[i], n) == 0 && !(isalnum((unsigned char)line[n]) || line[n] == '_')) return true;
    }
    return false;
}

py_feed py_reader_feed(py_reader *r, const char *line, size_t line_no)
{
    bool inside = r->depth > 0 || r->triple || r->backslash;
    if (r->block && !inside) {
        if (line_blank(line)) {
            if (r->interactive && !*line) return PY_FEED_DONE;
            reader_append(r, line);
            return PY_FEED_MORE;
        }
        int ind = line_indent(line);
        if (ind <= r->block_indent && !(ind == r->block_indent && continues_block(line))) return PY_FEED_DONE_PUSHBACK;
    }
    if (r->len == 0 && !r->block) {
        r->first_line = line_no;
        if (line_blank(line) && !r->interactive) {
            reader_append(r, line);
            return PY_FEED_DONE;
        }
    }
    if (!reader_append(r, line)) {
        /* a statement past the line limit: run what is there, whose error names it */
        return PY_FEED_DONE;
    }
    char last = reader_scan(r, line);
    if (r->depth > 0 || r->triple || r->backslash) return PY_FEED_MORE;
    if (r->block) return PY_FEED_MORE;
    if (last == ':' && opens_block(r->buf)) {
        r->block = true;
        r->block_indent = line_indent(r->buf);
        return PY_FEED_MORE;
    }
    return PY_FEED_DONE;
}

bool py_reader_finish(py_reader *r)
{
    return r->len > 0;
}
