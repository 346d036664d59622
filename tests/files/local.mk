# Files: safe writes, the save-file reader's limits on crafted files, word-vector readers.
EXTRA_DIST += tests/files/safe_write.test
