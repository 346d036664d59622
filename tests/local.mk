noinst_HEADERS += tests/check.h
