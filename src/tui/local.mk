# The dashboard and terminal charts (tui area).
noinst_HEADERS += src/tui/chart.h src/tui/tui.h
rnnlab_SOURCES += src/tui/chart.c

check_PROGRAMS += tests/tui/test_chart
tests_tui_test_chart_SOURCES = tests/tui/test_chart.c src/tui/chart.c
tests_tui_test_chart_LDADD = $(RNNLAB_TEST_LIBS) -lm
