# Layer kinds and their registry, on the core only: Embedding, Dense, Dropout, pooling, Flatten,
# Conv1D, MaxPooling1D/AveragePooling1D, Activation, and
# the recurrent kinds (SimpleRNN, LSTM, GRU, Bidirectional) on one shared driver.
librnnlab_internal_la_SOURCES += src/layers/registry.c src/layers/layer_util.c src/layers/embedding.c src/layers/dense.c \
	src/layers/dropout.c src/layers/pooling.c src/layers/flatten.c \
	src/layers/conv1d.c src/layers/pool1d.c src/layers/activation.c \
	src/layers/rnn_common.c src/layers/simple_rnn.c src/layers/lstm.c src/layers/gru.c \
	src/layers/bidirectional.c
noinst_HEADERS += src/layers/layer_util.h src/layers/rnn_common.h
