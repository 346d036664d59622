#!/usr/bin/env python3
"""Writes the IMDB split (25,000 train / 25,000 test reviews from aclImdb_v1.tar.gz) as fastText
input: one '__label__pos text' line per review, the text lower-cased and cut into words as Keras's
Tokenizer does (its default filters become spaces), the train lines shuffled with a fixed seed.
usage: fasttext_data.py ARCHIVE TRAIN_OUT TEST_OUT"""
import random
import re
import sys
import tarfile

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
TABLE = str.maketrans({c: ' ' for c in FILTERS})
PART = re.compile(r'^aclImdb/(train|test)/(pos|neg)/[^/]+\.txt$')


def words(text):
    return ' '.join(w for w in text.lower().translate(TABLE).split(' ') if w)


def main(archive, train_out, test_out):
    rows = {'train': [], 'test': []}
    with tarfile.open(archive, 'r:gz') as tar:
        for m in tar:
            p = PART.match(m.name)
            if p and m.isfile():
                text = tar.extractfile(m).read().decode('utf-8', 'replace')
                rows[p.group(1)].append('__label__%s %s\n' % (p.group(2), words(text)))
    random.Random(113).shuffle(rows['train'])
    for split, path in (('train', train_out), ('test', test_out)):
        with open(path, 'w', encoding='utf-8') as f:
            f.writelines(sorted(rows[split]) if split == 'test' else rows[split])
    print('fasttext_data: %d train, %d test reviews' % (len(rows['train']), len(rows['test'])), file=sys.stderr)


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
