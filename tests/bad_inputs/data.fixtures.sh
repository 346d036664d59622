# Fixtures of data.table, in load/: small bad files of every kind `load` and `embeddings load`
# read (CSV, class folders, line files, archives, word vectors). Generated here, never a data set.
mkdir -p load && cd load || exit 1
printf 'text,label\n"good, fine",pos\nbad,neg\n' >ok.csv
printf 'text,label\nok,pos\n"never\nclosed,neg\n' >quote.csv
printf 'text,label\n"a fine day,pos\nbad,neg\n' >unterminated.csv
printf 'text,label\nok,pos\na,b,c\n' >width.csv
printf 'text,label\n' >header.csv
printf 'text,label\na,pos\nb,pos\n' >single.csv
: >empty.csv
printf 'text\tlabel\ngood\tpos\nbad\tneg\n' >tabs.tsv
mkdir -p reviews/pos reviews/neg one/only nothing
printf 'great' >reviews/pos/1.txt; printf 'awful' >reviews/neg/1.txt
printf 'x' >one/only/1.txt
printf 'win cash\nfree prize\n' >spam.txt; printf '\n\n' >ham.txt; : >empty.txt
# archives: a tar.gz cut short, a zip that is only a header, a tar.gz that is not IMDB
mkdir -p aclImdb/train/pos aclImdb/train/neg aclImdb/test/pos aclImdb/test/neg
for part in train test; do for c in pos neg; do echo "a $c review" >aclImdb/$part/$c/1_7.txt; done; done
seq 1 20000 >aclImdb/train/pos/2_8.txt   # some bulk, so that the cut falls inside the archive
tar czf small.tar.gz aclImdb && head -c 2000 small.tar.gz >cut.tar.gz
printf 'PK\003\004garbage' >header_only.zip
printf 'ham\thello\nspam\twin\n' >sms.tsv
printf 'hello there\n' >notab.txt
# word vectors: a good GloVe file, a row short of a value, a binary file cut in its first row
printf 'good 0.5 1\nbad 1 2\n' >vec.txt
printf 'good 0.5 1\nbad 1\n' >dims.txt
printf '2 2\ngood \000\000\200\077' >cut.bin
printf 'good x y\n' >words.txt
