# `make bench` (bench area): rnnlab against the PyTorch peer, side by side in one run; writes
# bench/results.md. Needs the built program, python3-torch and the data sets; no network.
# BENCH_THREADS, BENCH_CONFIGS, BENCH_RUNS, BENCH_PREDICTS, BENCH_PEER_STEPS, BENCH_KEEP, BENCH_WORK:
# see bench/run-bench.sh.
# Other areas append their own bench-* targets below; `bench` runs bench-data when it exists.
EXTRA_DIST += bench/run-bench.sh bench/bench_report.py bench/results.md \
	bench/configs/chollet_rnn.rnn bench/configs/chollet_lstm.rnn bench/configs/west_lstm.rnn \
	bench/configs/bilstm_001.rnn bench/configs/bigru_000.rnn bench/configs/sms_rnn.rnn \
	bench/configs/chollet_lstm_masked.rnn bench/configs/west_lstm_masked.rnn
.PHONY: bench
bench: rnnlab
	@if grep -q '^bench-data:' Makefile 2>/dev/null; then data_cmd="$(MAKE) -s --no-print-directory bench-data"; else data_cmd=; fi; \
	BENCH_DATA_CMD="$$data_cmd" RNNLAB="$(abs_top_builddir)/rnnlab" srcdir="$(abs_top_srcdir)" \
	  $(SHELL) $(top_srcdir)/bench/run-bench.sh

# bench-layers (rnn area): forward+backward of the recurrent layers at the peer shapes.
EXTRA_DIST += bench/bench_layers.c bench/bench_configs.h
CLEANFILES += bench/bench_layers$(EXEEXT)
bench/bench_layers$(EXEEXT): $(top_srcdir)/bench/bench_layers.c librnnlab.la
	@mkdir -p bench
	$(AM_V_CCLD)$(LIBTOOL) --quiet --tag=CC --mode=link $(CC) $(DEFS) -I$(top_builddir) $(AM_CPPFLAGS) \
	  $(CPPFLAGS) $(AM_CFLAGS) $(CFLAGS) -o $@ $(top_srcdir)/bench/bench_layers.c librnnlab.la $(LIBS)
.PHONY: bench-layers
bench-layers: bench/bench_layers$(EXEEXT)
	./bench/bench_layers $(BENCH_THREADS) 10

# bench-ceiling: each bench config's unavoidable matrix products timed alone with OpenBLAS's sgemm
# at its shapes (bench/gemm_ceiling.c): what any sgemm-based implementation can reach for it.
EXTRA_DIST += bench/gemm_ceiling.c bench/ceiling.md
CLEANFILES += bench/gemm_ceiling$(EXEEXT)
bench/gemm_ceiling$(EXEEXT): $(top_srcdir)/bench/gemm_ceiling.c
	@mkdir -p bench
	$(AM_V_CCLD)$(CC) -I$(top_srcdir) $(BLAS_CFLAGS) $(CPPFLAGS) $(CFLAGS) -o $@ $(top_srcdir)/bench/gemm_ceiling.c $(BLAS_LIBS) $(LIBS)
.PHONY: bench-ceiling
bench-ceiling: bench/gemm_ceiling$(EXEEXT)
	./bench/gemm_ceiling $${BENCH_THREADS:-2}

# bench-data (data area): IMDB load + tokenize + pad against keras_like.py's pipeline (bench/bench_data.sh).
EXTRA_DIST += bench/bench_data.c bench/bench_data.sh
# Keras's IMDB example models in PyTorch (examples/keras/README.md)
EXTRA_DIST += bench/keras_examples_torch.py
CLEANFILES += bench/bench_data$(EXEEXT)
bench/bench_data$(EXEEXT): $(top_srcdir)/bench/bench_data.c librnnlab.la
	@mkdir -p bench
	$(AM_V_CCLD)$(LIBTOOL) --quiet --tag=CC --mode=link $(CC) $(DEFS) -I$(top_builddir) $(AM_CPPFLAGS) \
	  $(CPPFLAGS) $(AM_CFLAGS) $(CFLAGS) -o $@ $(top_srcdir)/bench/bench_data.c librnnlab.la $(LIBS)
.PHONY: bench-data
bench-data: bench/bench_data$(EXEEXT)
	@srcdir="$(abs_top_srcdir)" PYTHON3="$(PYTHON3)" $(SHELL) $(top_srcdir)/bench/bench_data.sh

# bench-accuracy: every seed example over several --seed values; test accuracy, spread and
# time of each run, into bench/accuracy.md; with BENCH_PEER, the same models in PyTorch beside them.
# BENCH_SEEDS, BENCH_EXAMPLES, BENCH_PEER, BENCH_MASKED: see bench/accuracy.sh.
EXTRA_DIST += bench/accuracy.sh bench/accuracy.md bench/reference.md bench/reference/peer_accuracy.py
.PHONY: bench-accuracy
bench-accuracy: rnnlab
	srcdir=$(top_srcdir) RNNLAB=./rnnlab BENCH_DATA="$${BENCH_DATA:-$(abs_top_srcdir)/../shared/datasets}" \
	  BENCH_OUT="$${BENCH_OUT:-$(top_srcdir)/bench/accuracy.md}" $(SHELL) $(top_srcdir)/bench/accuracy.sh

# bench-fasttext: rnnlab beside Debian's fastText command on IMDB, in one run (classifier with
# bigrams, and word vectors); writes bench/fasttext.md. BENCH_SEEDS, BENCH_THREADS, BENCH_EPOCHS:
# see bench/fasttext.sh. Skipped without the fasttext command.
EXTRA_DIST += bench/fasttext.sh bench/peer/fasttext_data.py
.PHONY: bench-fasttext
bench-fasttext: rnnlab
	srcdir=$(top_srcdir) RNNLAB=./rnnlab PYTHON3="$(PYTHON3)" BENCH_DATA="$${BENCH_DATA:-$(abs_top_srcdir)/../shared/datasets}" \
	  BENCH_OUT="$${BENCH_OUT:-$(top_srcdir)/bench/fasttext.md}" $(SHELL) $(top_srcdir)/bench/fasttext.sh

# bench-mpi: data-parallel fit and sweeps on 1 and 2 ranks (doc/scaling.md), and the scaling model.
EXTRA_DIST += bench/mpi-scaling.sh bench/scaling_model.py
.PHONY: bench-mpi
bench-mpi: rnnlab
	RNNLAB="$(abs_top_builddir)/rnnlab" MPIRUN="$(MPIRUN)" $(SHELL) $(top_srcdir)/bench/mpi-scaling.sh

# bench-predict (rnn area): one text's predict on bigru_000's model, the bench's review and an IMDB
# test review, median of 30 timings each (bench/predict_latency.sh; seconds, no fit).
EXTRA_DIST += bench/predict_latency.sh
.PHONY: bench-predict
bench-predict: rnnlab
	RNNLAB="$(abs_top_builddir)/rnnlab" srcdir="$(abs_top_srcdir)" $(SHELL) $(top_srcdir)/bench/predict_latency.sh
