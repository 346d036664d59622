# The numeric core: errors and messages, GEMM and vector kernels, aligned buffers, random streams,
# the worker pool, memory estimates, safe file writes, the Keras call parser. Depends on nothing above it.
librnnlab_internal_la_SOURCES += src/core/common.c src/core/outfile.c src/core/blas.c src/core/alloc.c \
	src/core/rng.c src/core/memory.c src/core/call.c src/core/parallel.c
noinst_HEADERS += src/core/vector_kernel.h src/core/parallel.h src/core/memory.h
