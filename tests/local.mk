# The tests, run by automake's parallel harness: `make check` (`make -j2 check` runs two at once),
# `make check TESTS=tests/core/test_call` for some; each test leaves tests/FOLDER/NAME.log and
# NAME.trs, and the run ends with "N passed, N failed" (and ", N skipped").
#
# To add a test, one line in tests/FOLDER/local.mk:
#   test_programs += tests/FOLDER/test_NAME    a C program: tests/FOLDER/test_NAME.c, linked with
#                                              librnnlab-internal.la (every function of the library)
#   test_scripts += tests/FOLDER/NAME.test     a shell script, run with sh
#   test_tables += tests/bad_inputs/AREA.table a table of bad inputs (sh tests/bad_inputs/table.test)
# (tests/all_listed.test fails when a test file in tests/ is not listed).
# A program with more sources names them all: tests_FOLDER_test_NAME_SOURCES = ...; a program
# the tests drive but that is not a test itself goes in check_PROGRAMS.
# Exit status: 0 pass, 77 skip, 99 hard error, anything else fail. C tests use tests/check.h
# (CHECK, check_finish); PyTorch fixtures are read by tests/fixture.h (one tolerance).
# Environment of every test: srcdir, builddir (absolute), RNNLAB (the program), RNNLAB_TEST_DATA
# (the data sets), PYTHON3, TMUX_BIN, MPIRUN, NO_COLOR=1, LC_ALL=C.UTF-8, ROW_SECONDS when set, and under
# --enable-sanitizers the sanitizers' options.
noinst_HEADERS += tests/check.h tests/fixture.h tests/model/mean_token_data.h tests/model/build_model.h
EXTRA_DIST += $(wildcard $(srcdir)/tests/bad_inputs/*.sh) tests/bad_inputs/table.test
test_tables += tests/bad_inputs/commands.table
test_tables += tests/bad_inputs/session.table
test_tables += tests/bad_inputs/data.table
test_tables += tests/bad_inputs/model.table
test_tables += tests/bad_inputs/text.table
test_tables += tests/bad_inputs/files.table
test_tables += tests/bad_inputs/train.table
test_tables += tests/bad_inputs/keras_calls.table
test_tables += tests/bad_inputs/vectors.table
test_tables += tests/bad_inputs/sweep.table
test_scripts += tests/all_listed.test
test_scripts += tests/library_exports.test
TEST_EXTENSIONS = .test .table
TEST_LOG_COMPILER = sh
TABLE_LOG_COMPILER = sh $(srcdir)/tests/bad_inputs/table.test
