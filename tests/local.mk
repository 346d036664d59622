noinst_HEADERS += tests/check.h tests/train/mean_token_data.h
