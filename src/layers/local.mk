# Non-recurrent layer kinds and the kind registry (owned by the engine area).
librnnlab_la_SOURCES += src/layers/registry.c src/layers/embedding.c src/layers/dense.c \
	src/layers/dropout.c src/layers/pooling.c src/layers/flatten.c
noinst_HEADERS += src/layers/layer_util.h
