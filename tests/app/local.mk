# Tests of the program: invocation, commands, scripts, sessions, safe writes, the history file.
EXTRA_DIST += tests/app/common.sh tests/app/update-man.sh
EXTRA_DIST += $(wildcard $(srcdir)/tests/app/keras_lines/*.py)
# Unit tests of the terminal line charts (linked with their source).
test_programs += tests/app/test_chart
tests_app_test_chart_SOURCES = tests/app/test_chart.c src/app/chart.c
tests_app_test_chart_LDADD = $(RNNLAB_TEST_LIBS) -lm
test_scripts += tests/app/clean_tree.test
test_scripts += tests/app/embeddings.test
test_scripts += tests/app/errors.test
test_scripts += tests/app/examples.test
test_scripts += tests/app/expect.test
test_scripts += tests/app/fit.test
test_scripts += tests/app/help.test
test_scripts += tests/app/history.test
test_scripts += tests/app/imdb.test
test_scripts += tests/app/invocation.test
test_scripts += tests/app/keras_lines.test
test_scripts += tests/app/keras_prompt.test
test_scripts += tests/app/messages.test
test_scripts += tests/app/parse.test
test_scripts += tests/app/safe_write.test
test_scripts += tests/app/saveopen.test
test_scripts += tests/app/script_paths.test
test_scripts += tests/app/session.test
test_scripts += tests/app/sms.test
test_scripts += tests/app/ngrams.test
test_scripts += tests/app/sweep.test
