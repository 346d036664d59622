# Data core (owned by the data area): data sets, UTF-8/Unicode, tokenizer, padding, statistics, loaders.
librnnlab_la_SOURCES += src/data/arena.c src/data/dataset.c src/data/utf8.c
noinst_HEADERS += src/data/data_internal.h
librnnlab_la_SOURCES += src/data/unicode_tables.c src/data/tokenizer.c
librnnlab_la_SOURCES += src/data/pad.c src/data/stats.c src/data/imdb.c src/data/sms.c src/data/demo.c

# Tests of the data area.
check_PROGRAMS += tests/data/keras_driver
tests_data_keras_driver_SOURCES = tests/data/keras_driver.c
tests_data_keras_driver_LDADD = $(RNNLAB_TEST_LIBS)
EXTRA_DIST += tests/data/keras.test tests/data/check_keras.py tests/data/gen_unicode.py

check_PROGRAMS += tests/data/test_datasets
tests_data_test_datasets_SOURCES = tests/data/test_datasets.c
tests_data_test_datasets_LDADD = $(RNNLAB_TEST_LIBS)

check_PROGRAMS += tests/data/test_utf8
tests_data_test_utf8_SOURCES = tests/data/test_utf8.c
tests_data_test_utf8_LDADD = $(RNNLAB_TEST_LIBS)
