# Tests of the model level: summaries, optimizers and losses against Keras-rule fixtures
# (tests/model/gen_fixtures.py), fit/evaluate, faults, save files; mksave writes crafted save
# files for open_limits.test and the bad-input table.
EXTRA_DIST += tests/model/gen_fixtures.py tests/fixtures/model tests/model/open_limits.test
check_PROGRAMS += tests/model/test_model
tests_model_test_model_SOURCES = tests/model/test_model.c 
tests_model_test_model_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/model/test_optim
tests_model_test_optim_SOURCES = tests/model/test_optim.c 
tests_model_test_optim_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/model/test_report
tests_model_test_report_SOURCES = tests/model/test_report.c 
tests_model_test_report_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/model/test_fit
tests_model_test_fit_SOURCES = tests/model/test_fit.c 
tests_model_test_fit_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/model/test_io
tests_model_test_io_SOURCES = tests/model/test_io.c 
tests_model_test_io_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/model/test_faults
tests_model_test_faults_SOURCES = tests/model/test_faults.c 
tests_model_test_faults_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/model/mksave
tests_model_mksave_SOURCES = tests/model/mksave.c 
tests_model_mksave_LDADD = $(RNNLAB_TEST_LIBS)
check_PROGRAMS += tests/model/test_bucket
tests_model_test_bucket_SOURCES = tests/model/test_bucket.c
tests_model_test_bucket_LDADD = $(RNNLAB_TEST_LIBS)
