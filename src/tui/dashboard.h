/* The dashboard: the entry points the program (src/main.c) calls. */
#ifndef RNNLAB_TUI_DASHBOARD_H
#define RNNLAB_TUI_DASHBOARD_H
#include <stdbool.h>
#include "app/app.h"

/* True when stdin and stdout are terminals of at least 80x24 (and TERM is usable). */
bool tui_can_start(void);

/* Runs the dashboard until `quit`, Ctrl-D or F10: first replays the scripts (`rnnlab -i FILE`)
 * with their output in the log panel, then reads commands at the prompt. Installs the app's hooks
 * and output sink, and removes them before returning. Returns the exit status for main (0 after
 * `quit`; sysexits code if the dashboard cannot start). */
int tui_main(app_state *s, const char *const *scripts, int n_scripts);

#endif
