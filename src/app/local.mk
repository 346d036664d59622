# The program: invocation, command language, REPL and command handlers.
rnnlab_SOURCES += src/app/state.c src/app/parse.c src/app/args.c src/app/commands.c \
	src/app/repl.c src/app/cmd_data.c src/app/cmd_model.c src/app/cmd_session.c src/app/cmd_io.c src/app/chart.c \
	src/app/cmd_embeddings.c src/app/pyreader.c src/app/pyvalue.c src/app/pyformat.c src/app/pystmt.c src/app/pyframe.c src/app/pytfdata.c src/app/pyarray.c src/app/pystr.c src/app/cmd_sweep.c
noinst_HEADERS += src/app/app.h src/app/internal.h src/app/repl.h src/app/chart.h src/app/python.h src/app/mpi.h
# With MPI (./configure --with-mpi): the ranks of an mpirun share fit, evaluate, predict and sweep.
if RNNLAB_MPI
rnnlab_SOURCES += src/app/mpi.c
rnnlab_CFLAGS += $(MPI_CFLAGS)
rnnlab_LDADD += $(MPI_LIBS)
endif
EXTRA_DIST += src/app/mpi.c
dist_man_MANS += man/rnnlab.1 man/rnnlab-script.5

# One session script per user story (../shared/seeds), installed as documentation.
exampledir = $(docdir)/examples
dist_example_DATA = examples/quickstart.rnn examples/seed000_imdb_bigru.rnn examples/seed001_imdb_bilstm.rnn \
	examples/seed002_sms_simplernn.rnn examples/seed003_imdb_lstm.rnn examples/seed004_imdb_simplernn_lstm.rnn \
	examples/seed000_trained_vectors.rnn examples/imdb_fasttext_bigrams.rnn examples/demo-vectors.txt \
	examples/seed000_imdb_bigru.py examples/seed001_imdb_bilstm.py \
	examples/seed002_sms_simplernn.py examples/seed003_imdb_lstm.py examples/seed004_imdb_simplernn_lstm.py
# Keras's IMDB example scripts, run as they are (rnnlab FILE.py)
kerasexampledir = $(docdir)/examples/keras
dist_kerasexample_DATA = examples/keras/imdb_lstm.py examples/keras/imdb_cnn.py examples/keras/imdb_cnn_lstm.py \
	examples/keras/imdb_bidirectional_lstm.py examples/keras/imdb_fasttext.py examples/keras/bidirectional_lstm_imdb.py examples/keras/text_classification_rnn.py \
	examples/keras/README.md

