# Recurrent layer kinds (owned by the rnn area): SimpleRNN, LSTM, GRU, Bidirectional.
librnnlab_la_SOURCES += src/layers/rnn_common.c src/layers/simple_rnn.c src/layers/lstm.c \
	src/layers/gru.c src/layers/bidirectional.c
noinst_HEADERS += src/layers/rnn_common.h

# Tests of the rnn area (gradient checks use the engine's tests/engine/gradcheck_util.c).
check_PROGRAMS += tests/rnn/test_gradcheck
tests_rnn_test_gradcheck_SOURCES = tests/rnn/test_gradcheck.c tests/engine/gradcheck_util.c
tests_rnn_test_gradcheck_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/engine
tests_rnn_test_gradcheck_LDADD = $(RNNLAB_TEST_LIBS)

# Forward and gradients against PyTorch fixtures (regenerate: /usr/bin/python3 tests/rnn/gen_fixtures.py).
check_PROGRAMS += tests/rnn/test_torch
tests_rnn_test_torch_SOURCES = tests/rnn/test_torch.c
tests_rnn_test_torch_CPPFLAGS = $(AM_CPPFLAGS) -DRNN_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_rnn_test_torch_LDADD = $(RNNLAB_TEST_LIBS)
EXTRA_DIST += tests/rnn/gen_fixtures.py tests/fixtures/rnn

# Activations vs libm, parameter counts, determinism, a stacked gradient check.
check_PROGRAMS += tests/rnn/test_layers
tests_rnn_test_layers_SOURCES = tests/rnn/test_layers.c
tests_rnn_test_layers_LDADD = $(RNNLAB_TEST_LIBS)
