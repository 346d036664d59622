"""The vocabulary Keras's TextVectorization learns in the text tutorials (keras.io "Text classification
from scratch", TensorFlow's "Basic text classification"), computed from the IMDB archive as Keras
does, for textdir.test to compare with rnnlab's:
  text_dataset_from_directory('aclImdb/train', validation_split=0.2, subset='training', seed=SEED):
    each class folder's files sorted by name (neg, then pos), the list shuffled by
    np.random.RandomState(SEED).shuffle, the last int(0.2 * n) left out for validation;
  custom_standardization: lower (A-Z), '<br />' -> ' ', the punctuation class deleted;
  adapt: counts over whitespace-split tokens, ranked by np.lexsort((tokens, counts))[::-1].
usage: textdir_vocab.py ARCHIVE SEED MAX_TOKENS"""
import collections, re, string, sys, tarfile
import numpy as np

archive, seed, max_tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
texts = {}
with tarfile.open(archive, 'r:gz') as tar:
    for m in tar:
        parts = m.name.split('/')
        if m.isfile() and len(parts) == 4 and parts[1] == 'train' and parts[2] in ('neg', 'pos'):
            texts[(parts[2], parts[3])] = tar.extractfile(m).read()
paths = [p for c in ('neg', 'pos') for p in sorted(p for p in texts if p[0] == c)]
np.random.RandomState(seed).shuffle(paths)
training = paths[:-int(0.2 * len(paths))]
punctuation = re.compile(('[%s]' % re.escape(string.punctuation)).encode())
counts = collections.Counter(w for p in training
                             for w in punctuation.sub(b'', texts[p].lower().replace(b'<br />', b' ')).split())
counts.pop(b'', None)
counts.pop(b'[UNK]', None)
tokens = np.array(list(counts), dtype=object)
order = np.lexsort((tokens, np.array([counts[w] for w in tokens], dtype=np.int64)))[::-1]
vocabulary = [b'', b'[UNK]'] + [tokens[i] for i in order[:max_tokens - 2]]
print(repr([w.decode('utf-8') for w in vocabulary]))
