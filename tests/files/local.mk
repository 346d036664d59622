# Files: safe writes, the save-file reader's limits on crafted files, word-vector readers.
# mksave writes the crafted save files (generated, never committed) for open_limits.test and the
# bad-input table (tests/bad_inputs/files.*).
EXTRA_DIST += tests/files/safe_write.test tests/files/open_limits.test tests/files/history.test \
	tests/bad_inputs/files.table tests/bad_inputs/files.fixtures.sh
check_PROGRAMS += tests/files/mksave tests/files/test_outfile
tests_files_mksave_SOURCES = tests/files/mksave.c
tests_files_mksave_LDADD = $(RNNLAB_TEST_LIBS)
tests_files_test_outfile_SOURCES = tests/files/test_outfile.c
tests_files_test_outfile_LDADD = $(RNNLAB_TEST_LIBS)
