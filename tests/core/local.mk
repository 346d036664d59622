# Tests of the core: the call parser, random streams, memory estimates, safe file writes.
check_PROGRAMS += tests/core/test_call
tests_core_test_call_SOURCES = tests/core/test_call.c 
tests_core_test_call_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/core/test_rng
tests_core_test_rng_SOURCES = tests/core/test_rng.c 
tests_core_test_rng_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/core/test_memory
tests_core_test_memory_SOURCES = tests/core/test_memory.c 
tests_core_test_memory_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/core/test_outfile
tests_core_test_outfile_SOURCES = tests/core/test_outfile.c 
tests_core_test_outfile_LDADD = $(RNNLAB_TEST_LIBS)
