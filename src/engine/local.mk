# Engine core (owned by the engine area). Headers are public.
pkginclude_HEADERS += include/rnnlab/rnnlab.h include/rnnlab/common.h include/rnnlab/tensor.h \
	include/rnnlab/data.h include/rnnlab/text.h include/rnnlab/layers.h include/rnnlab/model.h \
	include/rnnlab/train.h include/rnnlab/metrics.h include/rnnlab/io.h
librnnlab_la_SOURCES += src/engine/common.c src/engine/blas.c src/engine/alloc.c src/engine/rng.c \
	src/engine/call.c
