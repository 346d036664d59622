# Tests of the dashboard: layout (linked with its source), the dashboard in tmux.
test_programs += tests/tui/test_layout
tests_tui_test_layout_SOURCES = tests/tui/test_layout.c src/tui/layout.c
tests_tui_test_layout_LDADD = $(RNNLAB_TEST_LIBS) -lm
EXTRA_DIST += tests/tui/measure-speed.sh
test_scripts += tests/tui/dashboard.test
EXTRA_DIST += tests/tui/tmux.sh
test_scripts += tests/tui/vocab_near.test
