noinst_HEADERS += src/tui/chart.h
