# The model, on layers and data: layer stacks and their summary, compile/fit/evaluate/predict,
# optimizers, losses, metrics, the gradient check, and the pipeline save file.
pkginclude_HEADERS += include/rnnlab/rnnlab.h include/rnnlab/common.h include/rnnlab/tensor.h \
	include/rnnlab/call.h include/rnnlab/data.h include/rnnlab/text.h include/rnnlab/wordvec.h include/rnnlab/ngrams.h include/rnnlab/layers.h \
	include/rnnlab/model.h include/rnnlab/train.h include/rnnlab/metrics.h include/rnnlab/io.h include/rnnlab/comm.h
librnnlab_internal_la_SOURCES += src/model/model.c src/model/summary.c src/model/optim.c src/model/loss.c \
	src/model/metrics.c src/model/train.c src/model/bucket.c src/model/gradcheck.c src/model/io.c \
	src/model/callbacks.c src/model/parallel.c
noinst_HEADERS += src/model/model_internal.h src/model/train_internal.h
dist_man_MANS += man/rnnlab-model.5
