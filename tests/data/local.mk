# Tests of the data level: data sets, UTF-8, the tokenizer against Keras (keras.test), loaders,
# downloads, word-vector files, the CSV reader against Python's csv module (csv_python.test).
EXTRA_DIST += tests/data/keras.test tests/data/check_keras.py tests/data/gen_unicode.py tests/data/testutil.h \
	tests/data/load_errors.test tests/data/csv_python.test tests/data/check_csv.py
check_PROGRAMS += tests/data/keras_driver
tests_data_keras_driver_SOURCES = tests/data/keras_driver.c 
tests_data_keras_driver_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/data/test_datasets
tests_data_test_datasets_SOURCES = tests/data/test_datasets.c 
tests_data_test_datasets_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/data/test_utf8
tests_data_test_utf8_SOURCES = tests/data/test_utf8.c 
tests_data_test_utf8_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/data/test_fetch
tests_data_test_fetch_SOURCES = tests/data/test_fetch.c 
tests_data_test_fetch_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/data/test_loaders
tests_data_test_loaders_SOURCES = tests/data/test_loaders.c 
tests_data_test_loaders_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/data/test_embeddings
tests_data_test_embeddings_SOURCES = tests/data/test_embeddings.c 
tests_data_test_embeddings_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/data/test_load
tests_data_test_load_SOURCES = tests/data/test_load.c 
tests_data_test_load_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/data/csv_dump
tests_data_csv_dump_SOURCES = tests/data/csv_dump.c 
tests_data_csv_dump_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/data/test_wordvec
tests_data_test_wordvec_SOURCES = tests/data/test_wordvec.c
tests_data_test_wordvec_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/data/test_ngrams
tests_data_test_ngrams_SOURCES = tests/data/test_ngrams.c
tests_data_test_ngrams_LDADD = $(RNNLAB_TEST_LIBS)
