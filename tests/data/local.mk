# Tests of the data level: data sets, UTF-8, the tokenizer against Keras (keras.test; its TextVectorization
# style also in test_textvectorization), loaders, downloads, word-vector files, the CSV reader against
# Python's csv module (csv_python.test).
EXTRA_DIST += tests/data/check_keras.py tests/data/gen_unicode.py tests/data/testutil.h tests/data/check_csv.py
test_scripts += tests/data/keras.test
test_scripts += tests/data/load_errors.test
test_scripts += tests/data/csv_python.test
check_PROGRAMS += tests/data/keras_driver
test_programs += tests/data/test_datasets
test_programs += tests/data/test_utf8
test_programs += tests/data/test_fetch
test_programs += tests/data/test_loaders
test_programs += tests/data/test_embeddings
test_programs += tests/data/test_load
check_PROGRAMS += tests/data/csv_dump
test_programs += tests/data/test_wordvec
test_programs += tests/data/test_ngrams
test_programs += tests/data/test_textvectorization
