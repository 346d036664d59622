/* The plain REPL and signal handling (private to src/main.c and repl.c). */
#ifndef RNNLAB_APP_REPL_H
#define RNNLAB_APP_REPL_H
#include "app/app.h"

/* SIGINT: stop fit at the end of the batch; at an interactive prompt clear the line. */
void app_signals_install(app_state *s, bool interactive);
/* Reads commands at a readline prompt (history, completion) until quit or Ctrl-D. */
int app_repl(app_state *s);

#endif
