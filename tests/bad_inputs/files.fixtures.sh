# Fixtures of files.table, made in the scratch folder: crafted save files (tests/files/mksave writes
# them, checksums and all) and targets that are not regular files. Everything is generated here;
# the large ones are sparse.
"$builddir/tests/files/mksave" . >/dev/null || return 1
truncate -s $(( (20 << 30) + 28 )) huge-20g.rnnlab    # a header declaring 20 GB, and that many (sparse) bytes
mkfifo fifo; mkdir folder
