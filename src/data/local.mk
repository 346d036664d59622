# Data, on the core only: data sets, UTF-8/Unicode, the tokenizer, padding, statistics, the loaders
# (IMDB, SMS, CSV, folders, line files), downloads and checksums, word-vector files.
librnnlab_internal_la_SOURCES += src/data/arena.c src/data/dataset.c src/data/utf8.c src/data/unicode_tables.c \
	src/data/tokenizer.c src/data/pad.c src/data/stats.c src/data/imdb.c src/data/sms.c src/data/demo.c \
	src/data/sha256.c src/data/fetch.c src/data/csv.c src/data/dir.c src/data/lines.c \
	src/data/embeddings.c src/data/wordvec.c src/data/ngrams.c src/data/load.c src/data/archive.c src/data/gzip_source.c
noinst_HEADERS += src/data/data_internal.h src/data/io_internal.h
