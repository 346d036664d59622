# The dashboard and terminal charts (tui area).
noinst_HEADERS += src/tui/chart.h src/tui/tui.h src/tui/dashboard.h
rnnlab_SOURCES += src/tui/chart.c src/tui/layout.c src/tui/theme.c src/tui/actions.c \
	src/tui/prompt.c src/tui/dashboard.c src/tui/panel_data.c src/tui/panel_vocab.c \
	src/tui/panel_model.c src/tui/panel_training.c src/tui/panel_log.c

check_PROGRAMS += tests/tui/test_chart tests/tui/test_layout
tests_tui_test_chart_SOURCES = tests/tui/test_chart.c src/tui/chart.c
tests_tui_test_chart_LDADD = $(RNNLAB_TEST_LIBS) -lm
tests_tui_test_layout_SOURCES = tests/tui/test_layout.c src/tui/layout.c
tests_tui_test_layout_LDADD = $(RNNLAB_TEST_LIBS) -lm
EXTRA_DIST += tests/tui/dashboard.test
EXTRA_DIST += tests/tui/measure-speed.sh
# main.c calls the dashboard when it is built in (src/app/main.c: #ifdef APP_WITH_TUI).
rnnlab_CFLAGS += -DAPP_WITH_TUI
