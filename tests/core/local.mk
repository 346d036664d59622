# Tests of the core: the call parser, random streams, memory estimates, safe file writes, the worker pool.
test_programs += tests/core/test_call
test_programs += tests/core/test_rng
test_programs += tests/core/test_memory
test_programs += tests/core/test_outfile
test_programs += tests/core/test_parallel
