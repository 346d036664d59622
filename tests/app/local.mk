# Tests of the program: invocation, commands, scripts, sessions, safe writes, the history file.
EXTRA_DIST += tests/app/common.sh tests/app/update-man.sh $(wildcard $(srcdir)/tests/app/*.test)
EXTRA_DIST += $(wildcard $(srcdir)/tests/app/keras_lines/*.py)
# Unit tests of the terminal line charts (linked with their source).
check_PROGRAMS += tests/app/test_chart
tests_app_test_chart_SOURCES = tests/app/test_chart.c src/app/chart.c
tests_app_test_chart_LDADD = $(RNNLAB_TEST_LIBS) -lm
