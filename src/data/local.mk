# Data core (owned by the data area): data sets, UTF-8/Unicode, tokenizer, padding, statistics, loaders.
librnnlab_la_SOURCES += src/data/arena.c src/data/dataset.c src/data/utf8.c
noinst_HEADERS += src/data/data_internal.h
