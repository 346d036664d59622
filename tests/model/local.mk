# Tests of the model level: summaries, optimizers and losses against Keras-rule fixtures
# (tests/model/gen_fixtures.py), fit/evaluate, faults, save files; mksave writes crafted save
# files for open_limits.test and the bad-input table.
EXTRA_DIST += tests/model/gen_fixtures.py tests/fixtures/model
test_scripts += tests/model/open_limits.test
test_programs += tests/model/test_model
test_programs += tests/model/test_optim
test_programs += tests/model/test_report
test_programs += tests/model/test_fit
test_programs += tests/model/test_io
test_programs += tests/model/test_faults
check_PROGRAMS += tests/model/mksave
test_programs += tests/model/test_bucket
test_programs += tests/model/test_predict_one
test_scripts += tests/model/saved_format1.test
test_programs += tests/model/test_callbacks
