# Recurrent layer kinds (owned by the rnn area): SimpleRNN, LSTM, GRU, Bidirectional.
librnnlab_la_SOURCES += src/layers/rnn_common.c src/layers/simple_rnn.c src/layers/lstm.c \
	src/layers/gru.c src/layers/bidirectional.c
noinst_HEADERS += src/layers/rnn_common.h
