# Fixtures of files.table, made in the scratch folder: crafted save files (tests/model/mksave writes
# them, checksums and all), word-vector files that lie about their sizes, and targets that are not
# regular files. Everything is generated here; the large ones are sparse or a few MB.
"$builddir/tests/model/mksave" . >/dev/null || return 1
truncate -s $(( (20 << 30) + 28 )) huge-20g.rnnlab    # a header declaring 20 GB, and that many (sparse) bytes
mkfifo fifo; mkdir folder
# word2vec binary whose header declares 2^62 dimensions (4 * dim overflowed while guessing the format)
printf '2 4611686018427387904\ncat \001\002\003\004' >vec-huge-dim.bin
# a text row of 2,000,000 values (no header): the first row sets the dimension
{ printf 'cat'; yes ' 1' | head -n 2000000 | tr -d '\n'; printf '\n'; } >vec-wide.txt
# a plain 300-dimensional row, for a tokenizer keeping 100 million words (a 112 GB matrix)
{ printf 'cat'; yes ' 0.5' | head -n 300 | tr -d '\n'; printf '\n'; } >vec-300.txt
