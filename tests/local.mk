noinst_HEADERS += tests/check.h tests/fixture.h tests/model/mean_token_data.h
EXTRA_DIST += $(wildcard $(srcdir)/tests/bad_inputs/*.table $(srcdir)/tests/bad_inputs/*.sh) tests/bad_inputs/table.test
