# Training: compile/fit/evaluate/predict/gradcheck, optimizers, losses, metrics, save/open.
librnnlab_la_SOURCES += src/engine/optim.c src/engine/loss.c src/engine/metrics.c src/engine/train.c
noinst_HEADERS += src/engine/train_internal.h
EXTRA_DIST += tests/train/gen_fixtures.py tests/fixtures/train/losses.txt \
	tests/fixtures/train/optim_sgd_plain.txt tests/fixtures/train/optim_sgd_momentum.txt \
	tests/fixtures/train/optim_sgd_nesterov.txt tests/fixtures/train/optim_sgd_clipvalue.txt \
	tests/fixtures/train/optim_rmsprop_default.txt tests/fixtures/train/optim_rmsprop_momentum.txt \
	tests/fixtures/train/optim_adam_default.txt tests/fixtures/train/optim_adam_clipnorm.txt \
	tests/fixtures/train/report_binary.txt tests/fixtures/train/report_three.txt

check_PROGRAMS += tests/train/test_optim tests/train/test_report
tests_train_test_optim_SOURCES = tests/train/test_optim.c
tests_train_test_optim_LDADD = $(RNNLAB_TEST_LIBS)
tests_train_test_report_SOURCES = tests/train/test_report.c
tests_train_test_report_LDADD = $(RNNLAB_TEST_LIBS)
librnnlab_la_SOURCES += src/engine/gradcheck.c src/engine/io.c
check_PROGRAMS += tests/train/test_fit
tests_train_test_fit_SOURCES = tests/train/test_fit.c
tests_train_test_fit_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/train/test_io
tests_train_test_io_SOURCES = tests/train/test_io.c
tests_train_test_io_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/train/test_faults
tests_train_test_faults_SOURCES = tests/train/test_faults.c
tests_train_test_faults_LDADD = $(RNNLAB_TEST_LIBS)
