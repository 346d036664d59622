# Engine core (owned by the engine area). Headers are public.
pkginclude_HEADERS += include/rnnlab/rnnlab.h include/rnnlab/common.h include/rnnlab/tensor.h \
	include/rnnlab/data.h include/rnnlab/text.h include/rnnlab/layers.h include/rnnlab/model.h \
	include/rnnlab/train.h include/rnnlab/metrics.h include/rnnlab/io.h
librnnlab_la_SOURCES += src/engine/common.c src/engine/outfile.c src/engine/blas.c src/engine/alloc.c src/engine/rng.c \
	src/engine/memory.c \
	src/engine/call.c src/engine/model.c src/engine/summary.c
noinst_HEADERS += src/engine/model_internal.h src/engine/vector_kernel.h

# Engine tests; tests/engine/gradcheck_util.c is a helper other areas' layer tests may link too.
EXTRA_DIST += tests/engine/gradcheck_util.h
check_PROGRAMS += tests/engine/test_gradcheck
tests_engine_test_gradcheck_SOURCES = tests/engine/test_gradcheck.c tests/engine/gradcheck_util.c
tests_engine_test_gradcheck_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/engine/test_model
tests_engine_test_model_SOURCES = tests/engine/test_model.c
tests_engine_test_model_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/engine/test_call
tests_engine_test_call_SOURCES = tests/engine/test_call.c
tests_engine_test_call_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/engine/test_fixtures
tests_engine_test_fixtures_SOURCES = tests/engine/test_fixtures.c
tests_engine_test_fixtures_LDADD = $(RNNLAB_TEST_LIBS)
EXTRA_DIST += tests/engine/gen_fixtures.py tests/fixtures/engine
check_PROGRAMS += tests/engine/test_rng
tests_engine_test_rng_SOURCES = tests/engine/test_rng.c
tests_engine_test_rng_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/engine/test_memory
tests_engine_test_memory_SOURCES = tests/engine/test_memory.c
tests_engine_test_memory_LDADD = $(RNNLAB_TEST_LIBS)
