# Data I/O (owned by the data-io area): downloads, checksums, csv/dir/lines loaders, embeddings.
librnnlab_la_SOURCES += src/data/sha256.c src/data/fetch.c src/data/csv.c src/data/dir.c src/data/lines.c \
	src/data/embeddings.c src/data/load.c src/data/archive.c
noinst_HEADERS += src/data/io_internal.h

check_PROGRAMS += tests/data_io/test_fetch
tests_data_io_test_fetch_SOURCES = tests/data_io/test_fetch.c tests/data_io/testutil.h
tests_data_io_test_fetch_LDADD = $(RNNLAB_TEST_LIBS)

check_PROGRAMS += tests/data_io/test_loaders
tests_data_io_test_loaders_SOURCES = tests/data_io/test_loaders.c tests/data_io/testutil.h
tests_data_io_test_loaders_LDADD = $(RNNLAB_TEST_LIBS)

check_PROGRAMS += tests/data_io/test_embeddings
tests_data_io_test_embeddings_SOURCES = tests/data_io/test_embeddings.c tests/data_io/testutil.h
tests_data_io_test_embeddings_LDADD = $(RNNLAB_TEST_LIBS)

check_PROGRAMS += tests/data_io/test_load
tests_data_io_test_load_SOURCES = tests/data_io/test_load.c tests/data_io/testutil.h
tests_data_io_test_load_LDADD = $(RNNLAB_TEST_LIBS)
EXTRA_DIST += tests/data_io/load_errors.test

# Driver for csv_python.test (compares the CSV reader with Python's csv module).
check_PROGRAMS += tests/data_io/csv_dump
tests_data_io_csv_dump_SOURCES = tests/data_io/csv_dump.c
tests_data_io_csv_dump_LDADD = $(RNNLAB_TEST_LIBS)
EXTRA_DIST += tests/data_io/csv_python.test tests/data_io/check_csv.py
