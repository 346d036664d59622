#!/usr/bin/env python3
"""Compares librnnlab's tokenizer, sequences_to_texts, pad_sequences and count_words with Python on
generated texts. Default options are checked against ../shared/bench/keras_like.py; other options
(char_level, lower=False, custom filters/split) against a reference written from Keras's legacy
keras.preprocessing.text source; the TextVectorization style against a reference written from
keras/src/layers/preprocessing/text_vectorization.py and index_lookup.py.
usage: check_keras.py DRIVER KERAS_LIKE_DIR [N_CASES]"""
import collections, math, os, random, re, string, subprocess, sys
import numpy as np

sys.path.insert(0, sys.argv[2])
import keras_like  # noqa: E402

POOL = ['the', 'The', 'THE', 'movie', 'Movie', 'good', 'not', 'bad', "don't", "it's", 'a', 'I',
        'Éclair', 'ÉTÉ', 'straße', 'STRASSE', 'ẞ', 'İstanbul', 'İ', 'ΟΔΥΣΣΕΥΣ', 'ΣΑΣ', 'Σ', 'σοφός', 'ΑΣ',
        'naïve', 'café', 'Ǆ', 'ǅ', '\u212a', 'ﬁ', 'Ⱥ', 'ǰ', '\u0345', 'a\u0301', 'Ω', 'ʰ', '日本語', '😀',
        '123', '4.5', '<br />', 'x_y', 'e-mail', 'co-op', 'U.S.A.', "'quoted'", '"q"',
        '«', '»', '—', '…', '“', '”', '¡', '¿', '·', '!', '?', '.', ',', ';', ':', '(', ')', '[', ']',
        '\r', '\t', '\n', '\r\n', '\u00a0', '\u2003', '\u3000', '\u200b', '\x1c', '\x85', "'", '`', '~']
SEPS = [' ', ' ', ' ', ' ', '', '  ', '\t', '\n', '.', ',', '\u00a0', "'", '\r']

def gen_text(rng):
    if rng.random() < 0.05:
        return rng.choice(['', ' ', '...', '\n\t'])
    n = rng.randint(0, 25)
    out = []
    for _ in range(n):
        out.append(rng.choice(POOL))
        out.append(rng.choice(SEPS))
    return ''.join(out)

# Reference from Keras's legacy keras_preprocessing/text.py, for options keras_like.py lacks.
def ref_seq(text, o):
    if o['char_level']:
        return list(text.lower() if o['lower'] else text)
    if o['lower']:
        text = text.lower()
    text = text.translate(str.maketrans({c: o['split'] for c in o['filters']}))
    return [w for w in text.split(o['split']) if w]

class RefTokenizer:
    def __init__(self, o):
        self.o = o
    def fit(self, texts):
        counts = {}
        for t in texts:
            for w in ref_seq(t, self.o):
                counts[w] = counts.get(w, 0) + 1
        wc = sorted(counts.items(), key=lambda x: x[1], reverse=True)
        voc = ([] if self.o['oov'] is None else [self.o['oov']]) + [w for w, _ in wc]
        self.word_index = dict(zip(voc, range(1, len(voc) + 1)))
        self.index_word = {c: w for w, c in self.word_index.items()}
        self.word_counts = counts
    def encode(self, texts):
        nw, oi = self.o['num_words'], self.word_index.get(self.o['oov'])
        out = []
        for t in texts:
            v = []
            for w in ref_seq(t, self.o):
                i = self.word_index.get(w)
                if i is not None:
                    if nw and i >= nw:
                        if oi is not None:
                            v.append(oi)
                    else:
                        v.append(i)
                elif self.o['oov'] is not None:
                    v.append(oi)
            out.append(v)
        return out

def decode(tok, seqs, o):
    nw, oi = o['num_words'], tok.word_index.get(o['oov'])
    out = []
    for s in seqs:
        v = []
        for num in s:
            w = tok.index_word.get(num)
            if w is not None:
                if nw and num >= nw:
                    if oi is not None:
                        v.append(tok.index_word[oi])
                else:
                    v.append(w)
            elif o['oov'] is not None:
                v.append(tok.index_word[oi])
        out.append(' '.join(v))
    return out

# Reference for TextVectorization() with its defaults: _preprocess (standardize
# 'lower_and_strip_punctuation': tf.strings.lower without an encoding lowers A-Z only, as bytes.lower;
# regex_replace deletes the class below; split 'whitespace': tf.strings.split splits at runs of ASCII
# whitespace, as bytes.split), then adapt's finalize_state: counts without '' and '[UNK]', ranked by
# np.lexsort((tokens, counts))[::-1] over an object array of bytes, max_tokens - 2 kept after '' and
# '[UNK]'; call: a token's index, 1 ('[UNK]') when it is not in the vocabulary.
TV_PUNCTUATION = re.compile(rb'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')

# standardize=: the named modes, or a custom function's steps (tf.strings.lower, tf.strings.regex_replace
# with RE2 patterns that mean the same in Python's re: texts with escapes, one class maybe with +).
TV_NAMED = {'lower_and_strip_punctuation': ['lower', 'strip_punctuation'], 'lower': ['lower'],
            'strip_punctuation': ['strip_punctuation'], 'none': []}

def tv_steps(spec):
    if spec is None:
        return TV_NAMED['lower_and_strip_punctuation']
    if spec in TV_NAMED:
        return TV_NAMED[spec]
    steps = []
    for line in spec.split('\n')[1:]:
        if line.startswith('regex_replace '):
            pat, rw = line[len('regex_replace '):].split('\t')
            steps.append((re.compile(pat.encode('utf-8')), rw.encode('utf-8')))
        else:
            steps.append(line)
    return steps

def tv_split(text, spec=None):
    b = text.encode('utf-8')
    for st in tv_steps(spec):
        if st == 'lower':
            b = b.lower()
        elif st == 'strip_punctuation':
            b = TV_PUNCTUATION.sub(b'', b)
        else:
            b = st[0].sub(lambda m, r=st[1]: r, b)
    return b.split()

class RefTextVectorization:
    def __init__(self, max_tokens, standardize=None):
        self.max_tokens = max_tokens
        self.standardize = standardize
    def adapt(self, texts):
        counts = collections.Counter(w for t in texts for w in tv_split(t, self.standardize))
        counts.pop(b'', None)
        counts.pop(b'[UNK]', None)
        tokens = np.array(list(counts), dtype=object)
        order = np.lexsort((tokens, np.array([counts[w] for w in tokens], dtype=np.int64)))[::-1]
        if self.max_tokens:
            order = order[:self.max_tokens - 2]
        self.vocabulary = [b'', b'[UNK]'] + [tokens[i] for i in order]   # get_vocabulary()
        self.index = {w: i for i, w in enumerate(self.vocabulary) if i >= 2}
        self.counts = counts
    def encode(self, texts):
        return [[self.index.get(w, 1) for w in tv_split(t, self.standardize)] for t in texts]

def hx(s):
    if isinstance(s, bytes):
        return s.hex() or '-'
    return s.encode('utf-8').hex() or '-'

def expected_textvectorization(o, fit, enc):
    tv = RefTextVectorization(o['num_words'], o.get('standardize'))
    tv.adapt(fit)
    seqs = tv.encode(enc)
    n = len(tv.vocabulary) - 1
    lines = ['VOCAB %d %d' % (n, n)]
    for i, w in enumerate(tv.vocabulary[1:], 1):
        lines.append('%s %d %d' % (hx(w), tv.counts.get(w, 0) if i > 1 else 0, i))
    lines.append('SEQ %d' % len(seqs))
    lines += ['S' + ''.join(' %d' % i for i in s) for s in seqs]
    lines.append('DEC')
    lines += [hx(b' '.join(tv.vocabulary[i] for i in s)) for s in seqs]
    return seqs, lines

def expected_tokenizer(o, fit, enc):
    default = o['lower'] and not o['char_level'] and o['filters'] is None and o['split'] == ' '
    if default:
        tok = keras_like.Tokenizer(o['num_words'] or None, o['oov'])
        tok.fit_on_texts(fit)
        tok.index_word = {c: w for w, c in tok.word_index.items()}
        seqs = tok.texts_to_sequences(enc)
    else:
        if o['filters'] is None:
            o = dict(o, filters=keras_like.FILTERS)
        tok = RefTokenizer(o)
        tok.fit(fit)
        seqs = tok.encode(enc)
    lines = []
    voc = sorted(tok.index_word.items())
    lines.append('VOCAB %d %d' % (len(voc), len(tok.word_index)))
    for i, w in voc:
        lines.append('%s %d %d' % (hx(w), 0 if (i == 1 and o['oov'] is not None) else tok.word_counts[w], tok.word_index[w]))
    lines.append('SEQ %d' % len(seqs))
    lines += ['S' + ''.join(' %d' % i for i in s) for s in seqs]
    lines.append('DEC')
    lines += [hx(d) for d in decode(tok, seqs, o)]
    return seqs, lines

def expected(o, fit, enc):
    ref = expected_textvectorization if o.get('textvectorization') else expected_tokenizer
    seqs, lines = ref(o, fit, enc)
    maxlen = o['maxlen'] if o['maxlen'] > 0 else max([len(s) for s in seqs], default=0)
    x = keras_like.pad_sequences(seqs, maxlen, padding='post' if o['pad_post'] else 'pre',
                                 truncating='post' if o['trunc_post'] else 'pre')
    lines.append('PAD %d %d %d' % (len(seqs), maxlen, sum(len(s) > maxlen for s in seqs)))
    lines += ['P' + ''.join(' %d' % v for v in row) for row in x.tolist()]
    lens = [len(t.split()) for t in enc]
    lines.append('WORDS' + ''.join(' %d' % n for n in lens))
    if lens:
        v = np.array(lens, dtype=np.float64)
        std = v.std(ddof=1) if len(v) > 1 else float('nan')
        lines.append(('DESC', len(v), [v.mean(), std, v.min(), v.max()] + list(np.percentile(v, [25, 50, 75, 95, 99]))))
    else:
        lines.append('DESC none')
    lines.append('END')
    return lines

def same_line(mine, exp):
    """Lines compare exactly, except describe's floating-point values (numpy sums pairwise)."""
    if isinstance(exp, tuple):
        f = mine.split()
        if len(f) != 2 + len(exp[2]) or f[0] != 'DESC' or int(f[1]) != exp[1]:
            return False
        for a, b in zip(f[2:], exp[2]):
            a = float(a)
            if not (a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12 * max(1.0, abs(b))):
                return False
        return True
    return mine == exp

# TextVectorization's cases add the whitespace tf.strings.split knows and str.split's others, words that
# only punctuation separates, and words that begin others (ties rank by bytes, descending).
TV_POOL = POOL + ['\x0b', '\x0c', '\x1f', '\u2028', 'word.another', '<br /><br />', 'ab', 'abc', 'a', 'b', 'AB', 'Ab',
                  'ΣΑΣ', 'É', 'é', '[UNK]', '[unk]', 'UNK', '', '\x7f', 'x\u0300', 'ﬁ']
TV_SEPS = SEPS + ['\x0b', '\x0c', '\x85', '\u3000', '-', '/']

def tv_text(rng):
    if rng.random() < 0.05:
        return rng.choice(['', ' \x0b\x0c', '!!!', '\u00a0'])
    out = []
    for _ in range(rng.randint(0, 25)):
        out.append(rng.choice(TV_POOL))
        out.append(rng.choice(TV_SEPS))
    return ''.join(out)

def case_line(o):
    return 'CASE %d %s %d %d %s %d %d %d %d %d %s' % (
        o['num_words'], 'none' if o['oov'] is None else hx(o['oov']), o['char_level'], o['lower'],
        'default' if o['filters'] is None else (hx(o['filters']) if o['filters'] else '-'),
        ord(o['split']), o['maxlen'], o['pad_post'], o['trunc_post'], o.get('textvectorization', 0),
        'default' if o.get('standardize') is None else hx(o['standardize']))

# Custom standardize steps: the tutorials' custom_standardization and others the parser takes.
TV_STEP_POOL = ['lower', 'strip_punctuation', 'regex_replace <br />\t ', 'regex_replace [%s]\t' % re.escape(string.punctuation),
                'regex_replace ab\tx', 'regex_replace [a-c]+\t-', 'regex_replace \\.\t ', 'regex_replace [0-9]\t',
                'regex_replace Σ\t', 'regex_replace [ \\t]+\t ', 'regex_replace [A-Z]\t', 'regex_replace \\[UNK\\]\t',
                'regex_replace word\\.a\tw']

def tv_standardize(rng):
    r = rng.random()
    if r < 0.5:
        return None
    if r < 0.65:
        return rng.choice(sorted(TV_NAMED))
    if r < 0.8:
        return 'custom\nlower\n' + TV_STEP_POOL[2] + '\n' + TV_STEP_POOL[3]
    return 'custom\n' + '\n'.join(rng.choice(TV_STEP_POOL) for _ in range(rng.randint(1, 4)))

def add_case(o, fit, enc, cases, inp):
    inp.append(case_line(o))
    inp.append('FIT %d' % len(fit)); inp += [hx(t) for t in fit]
    inp.append('ENC %d' % len(enc)); inp += [hx(t) for t in enc]
    cases.append((o, fit, enc))

def add_texts(k, rng, gen, o, cases, inp):
    """Case k with o: texts to fit on (none in case 0), half of them and others to encode."""
    n_fit = rng.choice([0, 1, 5, 40]) if k > 0 else 0
    fit = [gen(rng) for _ in range(n_fit)]
    add_case(o, fit, fit[: n_fit // 2] + [gen(rng) for _ in range(rng.choice([0, 3, 10]))], cases, inp)

def textvectorization_cases(n_cases, cases, inp):
    rng = random.Random(20260321)
    for k in range(n_cases):
        o = dict(num_words=rng.choice([0, 0, 2, 3, 5, 10, 50]), oov=None, char_level=False, lower=True, filters=None,
                 split=' ', maxlen=rng.choice([0, 1, 5, 20]), pad_post=rng.random() < .5, trunc_post=rng.random() < .5,
                 textvectorization=1)
        o['standardize'] = tv_standardize(rng)
        add_texts(k, rng, tv_text, o, cases, inp)
    big = [tv_text(rng) for _ in range(3000)]
    add_case(dict(num_words=100, oov=None, char_level=False, lower=True, filters=None, split=' ',
                  maxlen=10, pad_post=False, trunc_post=False, textvectorization=1), big, big, cases, inp)

def main():
    driver, n_cases = sys.argv[1], int(sys.argv[3]) if len(sys.argv) > 3 else 300
    rng = random.Random(20261124)
    cases, inp = [], []
    for k in range(n_cases):
        o = dict(num_words=rng.choice([0, 0, 3, 10, 50]), oov=rng.choice([None, None, '[OOV]', 'the', 'Σ']),
                 char_level=k % 10 == 7, lower=k % 10 != 3, filters=None, split=' ',
                 maxlen=rng.choice([0, 1, 5, 20]), pad_post=rng.random() < .5, trunc_post=rng.random() < .5)
        if k % 10 == 5:
            o['filters'] = rng.choice(['', 'aeΣ«—', '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n\u00a0'])
        if k % 10 == 6:
            o['split'] = rng.choice(['.', 'e', '\t'])
        if o['oov'] == 'Σ' and o['lower']:
            o['oov'] = 'σ'
        add_texts(k, rng, gen_text, o, cases, inp)
    # Many texts in one case so the threaded paths run.
    big = [gen_text(rng) for _ in range(3000)]
    add_case(dict(num_words=100, oov='[OOV]', char_level=False, lower=True, filters=None, split=' ',
                  maxlen=10, pad_post=False, trunc_post=False), big, big, cases, inp)
    textvectorization_cases(n_cases // 2, cases, inp)
    data = ('\n'.join(inp) + '\n').encode()
    for threads in ('1', '2', '3'):
        r = subprocess.run([driver, threads], input=data, stdout=subprocess.PIPE)
        if r.returncode:
            sys.exit('driver failed with status %d (threads %s)' % (r.returncode, threads))
        got = r.stdout.decode('utf-8').split('\n')
        at = 0
        for k, (o, fit, enc) in enumerate(cases):
            exp = expected(dict(o), fit, enc)
            mine = got[at:at + len(exp)]
            if len(mine) != len(exp) or not all(same_line(a, b) for a, b in zip(mine, exp)):
                for i, (a, b) in enumerate(zip(mine, exp)):
                    if not same_line(a, b):
                        print('case %d (%r), line %d:\n  C:      %r\n  Python: %r' % (k, o, i, a[:300], str(b)[:300]))
                        break
                print('fit texts: %r' % fit[:10]); print('enc texts: %r' % enc[:10])
                sys.exit(1)
            at += len(exp)
    n_tv = sum(1 for o, _, _ in cases if o.get('textvectorization'))
    print('%d cases agree with Keras, %d of them TextVectorization (threads 1, 2, 3)' % (len(cases), n_tv))

main()
