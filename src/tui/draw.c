/* What the panels and the frame share: asking for a frame, drawing clipped text, sending events
 * to the panels, and the page keys. */
#include <curses.h>
#include <unistd.h>
#include "tui/tui.h"

void tui_redraw(tui_shared *sh)
{
    char c = 1;
    sh->dirty = 1;
    if (sh->wake_fd >= 0) {
        ssize_t n = write(sh->wake_fd, &c, 1);   /* non-blocking: a full pipe already wakes the loop */
        (void)n;
    }
}

size_t tui_text_bytes(const char *s, int cols)
{
    size_t i = 0;
    for (int c = 0; s[i] && c < cols; c++) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

void tui_put(tui_rect r, int row, int col, const char *text, int attr)
{
    if (row < 0 || row >= r.h || col < 0 || col >= r.w || !text)
        return;
    attrset(attr);
    mvaddnstr(r.y + row, r.x + col, text, (int)tui_text_bytes(text, r.w - col));
    attrset(A_NORMAL);
}

void tui_panels_event(tui_panel *panels, int n, const tui_event *e)
{
    for (int i = 0; i < n; i++)
        if (panels[i].ops && panels[i].ops->event)
            panels[i].ops->event(&panels[i], e);
}

bool tui_scroll_key(tui_panel *p, int key, int page, bool from_end)
{
    if (key != KEY_NPAGE && key != KEY_PPAGE)
        return false;
    bool up = (key == KEY_PPAGE) != from_end;   /* toward offset 0 */
    p->scroll = up ? (p->scroll > page ? p->scroll - page : 0) : p->scroll + page;
    return true;
}
