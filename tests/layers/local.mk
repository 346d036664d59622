# Tests of the layer kinds: finite-difference gradient checks, PyTorch fixtures (regenerate with
# Debian's python3-torch: tests/layers/gen_fixtures_layers.py, tests/layers/gen_fixtures_recurrent.py),
# activations against libm, parameter counts, determinism.
EXTRA_DIST += tests/layers/gradcheck_util.h tests/layers/gen_fixtures_layers.py tests/layers/gen_fixtures_recurrent.py \
	tests/fixtures/layers tests/fixtures/recurrent
test_programs += tests/layers/test_gradcheck_layers
tests_layers_test_gradcheck_layers_SOURCES = tests/layers/test_gradcheck_layers.c tests/layers/gradcheck_util.c
test_programs += tests/layers/test_gradcheck_recurrent
tests_layers_test_gradcheck_recurrent_SOURCES = tests/layers/test_gradcheck_recurrent.c tests/layers/gradcheck_util.c
test_programs += tests/layers/test_fixtures
tests_layers_test_fixtures_SOURCES = tests/layers/test_fixtures.c tests/fixture.c
test_programs += tests/layers/test_torch
tests_layers_test_torch_SOURCES = tests/layers/test_torch.c tests/fixture.c
test_programs += tests/layers/test_layers
test_programs += tests/layers/test_masked_skip
