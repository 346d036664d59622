#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/NAME/) and dictionaries (NAME.dict):
small files of every format each target reads, made here from scratch (the save files by the
rnnlab program given as the first argument). Rerun after a format changes:
    python3 tests/fuzz/make-corpus.py ./rnnlab
It writes its own seeds over their earlier copies and leaves every other file of the corpora as it is
(seeds added by hand stay). The save files of fitted models change from run to run: they hold each
epoch's wall time.
"""
import gzip, io, lzma, os, struct, subprocess, sys, tarfile, tempfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus')
SEP = b'\x01'   # the targets' record separator


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def put_dict(target, words):
    with open(os.path.join(OUT, target + '.dict'), 'w') as f:
        for w in words:
            f.write('"%s"\n' % ''.join(c if 0x20 <= ord(c) < 0x7f and c not in '"\\' else '\\x%02x' % ord(c)
                                       for c in w))


# ---- save files, and the tokenizer section out of them ----
PIPELINES = {
    'tokenizer_only': 'load demo; tokenize num_words=20 oov_token=<OOV>',
    'lstm_fitted': "load demo; tokenize num_words=30; pad maxlen=6; model new; add Embedding(30, 3); add LSTM(2);"
                   " add Dense(1, activation='sigmoid'); compile optimizer=adam loss=binary_crossentropy"
                   " metrics=accuracy; fit epochs=1 batch_size=64",
    'bigru_rmsprop': "load demo; tokenize num_words=25 lower=false; pad maxlen=5 padding=post; model new;"
                     " add Embedding(25, 2, mask_zero=True); add Bidirectional(GRU(2, return_sequences=True));"
                     " add GlobalMaxPooling1D(); add Dropout(0.5); add Dense(2, activation='softmax');"
                     " compile optimizer=rmsprop loss=sparse_categorical_crossentropy; fit epochs=1 batch_size=64",
    'simplernn_sgd': "load demo; tokenize num_words=15 char_level=true; pad maxlen=4 truncating=post; model new;"
                     " add Embedding(15, 2, input_length=4); add SimpleRNN(2, return_sequences=True); add Conv1D(2, 2)"
                     " ; add Flatten(); add Dense(1, activation='sigmoid');"
                     " compile optimizer=sgd momentum=0.9 nesterov=true loss=binary_crossentropy",
    'model_only': "model new; add Embedding(10, 2, input_length=3); add SimpleRNN(2); add Dense(1)",
    'functional': "model new functional=true; add Input(shape=(3,), name='ids'); add Embedding(10, 2);"
                  " add GRU(2); add Dense(1)",
    'bigrams': "load demo; tokenize num_words=20 ngrams=3 num_ngrams=12; pad maxlen=8; model new;"
               " add Embedding(32, 2); add GlobalAveragePooling1D(); add Dense(1, activation='sigmoid')",
    'textvectorization': "load demo; tokenize style=textvectorization max_tokens=40; pad maxlen=6; model new;"
                         " add Embedding(40, 2); add GRU(2); add Dense(1, activation='sigmoid')",
}


def save_files(rnnlab):
    saved = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, script in PIPELINES.items():
            path = os.path.join(tmp, name + '.rnnlab')
            # a command this build does not know (Conv1D) is skipped: the rest still saves
            for attempt in (script, ';'.join(c for c in script.split(';') if 'Conv1D' not in c)):
                r = subprocess.run([rnnlab, '--plain', '--seed', '1', '-c', attempt + '; save ' + path],
                                   capture_output=True, text=True)
                if r.returncode == 0:
                    break
            if r.returncode != 0:
                sys.exit('make-corpus: %s failed: %s' % (name, r.stderr.strip()))
            with open(path, 'rb') as f:
                saved[name] = f.read()
    return saved


def sections(data):
    """(tag, payload) of each section of a save file: 24-byte header, tag + u64 length + payload, CRC."""
    body, pos, out = data[24:-4], 0, []
    while pos + 12 <= len(body):
        tag, n = body[pos:pos + 4], struct.unpack('<Q', body[pos + 4:pos + 12])[0]
        out.append((tag, body[pos + 12:pos + 12 + n]))
        pos += 12 + n
    return out


def savefile_and_tokenizer(rnnlab):
    for name, data in save_files(rnnlab).items():
        put('savefile', name, data)
        for tag, payload in sections(data):
            if tag == b'TOKN':
                put('tokenizer_file', name, payload)
    put('tokenizer_file', 'empty_unfitted', b'rnnlab-tokenizer 1\nnum_words 0\nlower 1\nchar_level 0\nsplit 32\n'
        b'oov_token -1\nfilters 4 !?.,\nfitted 0\nwords 0 0\nend\n')
    put_dict('savefile', ['\x89RNL\r\n\x1a\n', 'TOKN', 'PADS', 'CLSS', 'MODL', 'RUNS', 'NGRM', 'RNNGRAM1', '\x01\x00\x00\x00',
                          '\xff\xff\xff\xff', 'LSTM(', 'GRU(', 'Dense(', 'Embedding(', 'Bidirectional(',
                          'return_sequences=True', 'activation=', 'rnnlab-tokenizer 1', 'adam', 'rmsprop', 'sgd',
                          'rnnlab-tokenizer 2', 'style textvectorization'])
    put_dict('tokenizer_file', ['rnnlab-tokenizer', 'num_words', 'lower', 'char_level', 'split', 'oov_token',
                                'filters', 'fitted', 'words', 'end', ' -1', ' 4294967295 ', '\xc3\xa9',
                                'style', 'textvectorization', 'max_tokens', '[UNK]'])


# ---- CSV / TSV: an option byte, the train file, optionally 0x01 and a test file ----
def csv():
    put('csv', 'plain', b'\x00text,label\ngood film,pos\nbad film,neg\n"a, quoted ""text""\nover lines",pos\n')
    put('csv', 'tsv', b'\x02text\tlabel\ngood\t1\nbad\t0\n\n  spaced  \t1\r\n')
    put('csv', 'bom_numbers', b'\x05\xef\xbb\xbflabel,text,extra\n10,caf\xc3\xa9,x\n2,na\xc3\xafve,y\n-1.5,z,\n')
    put('csv', 'with_test', b'\x00text,label\na,x\nb,y\nc,x' + SEP + b'text,label\nd,y\ne,x\n')
    put('csv', 'split', b'\x40text,label\n' + b''.join(b'w%d x,%s\n' % (i, b'ab'[i % 2:i % 2 + 1]) for i in range(12)))
    put('csv', 'semicolon', b'\x03text;label\n"x;y";1\n"""";0\n')
    put_dict('csv', ['text', 'label', '","', '"\r\n"', '""', '\xef\xbb\xbf', '\t'])


# ---- line files: an option byte, records "CLASS\nCONTENTS" separated by 0x01 ----
def lines():
    put('lines', 'two', b'\x00pos\ngood film\ngreat\r\n\nneg\x01neg\nbad film\n  \nawful')
    put('lines', 'three_split', b'\x01a\none\ntwo\nthree\x01b\nfour\nfive\x01c\nsix\nseven\neight')
    put('lines', 'numbers', b'\x00' + b'10\nx\n' + SEP + b'9\ny\n' + SEP + b'1e3\nz\n')


# ---- folders: an option byte, records "RELATIVE/PATH\nCONTENTS" separated by 0x01 ----
def folders():
    put('dir', 'classes', b'\x00pos/1.txt\ngood film' + SEP + b'pos/2.txt\ngreat' + SEP + b'neg/1.txt\nbad'
        + SEP + b'neg/3.txt\nawful film')
    put('dir', 'train_test', b'\x00train/pos/a.txt\ngood' + SEP + b'train/neg/b.txt\nbad' + SEP
        + b'test/pos/c.txt\nfine' + SEP + b'test/neg/d.txt\nworse' + SEP + b'train/unsup/e.txt\nx')
    put('dir', 'split_unicode', b'\x01caf\xc3\xa9/1\nun caf\xc3\xa9' + SEP + b'th\xc3\xa9/2\ndu th\xc3\xa9'
        + SEP + b'th\xc3\xa9/3\nvert' + SEP + b'caf\xc3\xa9/.hidden\nx')


# ---- archives ----
def tar_bytes(members, mode='w'):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.GNU_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zip_bytes(members, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', method) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def archives():
    reviews = [('aclImdb/%s/%s/%d_%d.txt' % (s, l, i, 7), b'A %s review number %d <br />ok' % (l.encode(), i))
               for s in ('train', 'test') for l in ('neg', 'pos') for i in range(2)]
    reviews += [('aclImdb/README', b'readme'), ('aclImdb/train/unsup/0_0.txt', b'x'), ('aclImdb/imdb.vocab', b'a\n')]
    tar = tar_bytes(reviews)
    put('imdb_archive', 'tar_gz', gzip.compress(tar, mtime=0))
    put('imdb_archive', 'tar', tar)
    # two gzip members (gzip -d reads them as one stream), cut after the tar's first three blocks
    put('imdb_archive', 'tar_gz_two_members', gzip.compress(tar[:1536], mtime=0) + gzip.compress(tar[1536:], mtime=0))
    put('imdb_archive', 'tar_xz', lzma.compress(tar_bytes(reviews[:4])))
    put('imdb_archive', 'dot_slash', gzip.compress(tar_bytes([('./' + n, d) for n, d in reviews[:3]]), mtime=0))
    sms = b'ham\tOk lar... Joking wif u oni...\nspam\tFREE entry in 2 a wkly comp! 08452810075\n' \
          b'ham\tU dun say so early hor\r\nham\tcaf\xc3\xa9 \xe2\x82\xac5\n\nspam\tWINNER!! claim 09061701461\n'
    put('sms_archive', 'zip', zip_bytes([('readme', b'x'), ('SMSSpamCollection', sms)]))
    put('sms_archive', 'zip_stored', zip_bytes([('SMSSpamCollection', sms)], zipfile.ZIP_STORED))
    put('sms_archive', 'bare', sms)
    put('sms_archive', 'bare_clean', sms + b' ')   # odd size: clean=true
    put('sms_archive', 'tar_gz', gzip.compress(tar_bytes([('data/SMSSpamCollection', sms)]), mtime=0))
    put_dict('imdb_archive', ['aclImdb/', 'train/', 'test/', 'pos/', 'neg/', '.txt', 'ustar', '././@LongLink'])
    put_dict('sms_archive', ['SMSSpamCollection', 'ham\t', 'spam\t', 'PK\x03\x04', 'PK\x01\x02', 'PK\x05\x06'])


# ---- tokenizer: option byte, split byte (0x80 and up: TextVectorization), [filters 0x01] [oov 0x01], texts separated by 0x01 ----
def tokenizer():
    put('tokenizer', 'default', b'\x01\x00' + SEP.join([b'The film was good.', b'the FILM, was bad!', b'Good good']))
    put('tokenizer', 'oov_num_words', b'\x29\x00<OOV>' + SEP + SEP.join([b'a b c d e f', b'a a b', b'z\ty\nx']))
    put('tokenizer', 'char_level', b'\x03\x00' + SEP.join([b'abc', b'caf\xc3\xa9 \xce\xa3\xce\x91\xce\xa3', b'AB']))
    put('tokenizer', 'filters_split', b'\x45,' + b'xy' + SEP + SEP.join([b'a,b;x,c', b'ayb,,c', b'\xe2\x80\x94x']))
    put('tokenizer', 'unicode', b'\x01\x00' + SEP.join(['İstanbul ΣΊΣΥΦΟΣ straße ﬁ'.encode(),
                                                          'ǅemal\u2028line\u00a0nbsp'.encode(), b'\xf0\x9f\x98\x80 x']))
    put('tokenizer', 'pad', b'\xc1\x05' + SEP.join([b'one two three four five six', b'one', b'']))
    put('tokenizer', 'textvectorization', b'\x31\x80' + SEP.join([b"Don't STOP\x0bthe <br />music", b'ab abc b a',
                                                                     b'\xc3\x89T\xc3\x89\xc2\xa0x [UNK] a.b', b'A a']))


# ---- Keras calls and command lines ----
CALLS = ["Embedding(10000, 32)", "tf.keras.layers.LSTM(32, return_sequences=True, dropout=0.2)",
         "Bidirectional(GRU(64, recurrent_dropout=0.1), merge_mode='sum')", "Dense(1, activation='sigmoid')",
         "keras.layers.Embedding(20000, 300, weights=[pretrained], trainable=False, input_length=284)",
         "SimpleRNN(8, activation=relu, use_bias=False)", "GlobalAveragePooling1D()", "Dropout(0.5)",
         "Input(shape=(284,))", "Dense(3, activation=\"softmax\", name='out \\'x\\'')", "Flatten",
         "SpatialDropout1D(rate=0.3)", "GlobalMaxPooling1D", "Bidirectional(layers.LSTM(4, go_backwards=True))",
         "Dense(units=2, kernel_initializer=tf.keras.initializers.Orthogonal(gain=1.0), x=[1, (2, 3.5e-2), None])",
         "Bidirectional(LSTM(4, name='e'))", "Conv1D(9, (988888888888888888888888888888888888888,))"]
COMMANDS = ["load demo; tokenize num_words=1000 oov_token='<OOV>'; pad maxlen=24 padding=post",
            "add LSTM(32, return_sequences=True)  # a comment; not a command",
            "compile optimizer=adam learning_rate=1e-3 loss=binary_crossentropy metrics=accuracy",
            "fit epochs=10 batch_size=128 validation_split=0.2 early_stopping=val_loss patience=2",
            "encode 'Hello \"World\"'; decode [1, 2, 3]; predict \"it was \\\"fine\\\"\"",
            "load csv data.csv text=review label=sentiment delimiter=';' test_split=0.25",
            "expect test.accuracy >= 0.85 tol=0.01; expect x == 1; time evaluate split=train",
            "stats percentiles=25,50,75; vocab top=5; show 3 split=test; plot metric=loss width=40",
            "set seed=7 threads=2; help fit; session save s.rnn; export history h.csv run=run1",
            "load lines pos=a.txt neg=b.txt; embeddings load g.txt format=glove; explain 'not bad'",
            "load imdb; tokenize style=textvectorization max_tokens=1000 fit_on=train; pad maxlen=64"]


def calls_and_commands():
    for i, c in enumerate(CALLS):
        put('call', 'call%02d' % i, c)
    for i, c in enumerate(COMMANDS):
        put('cmdline', 'line%02d' % i, c)
    put_dict('call', ['Embedding', 'LSTM', 'GRU', 'SimpleRNN', 'Bidirectional', 'Dense', 'Dropout', 'Flatten',
                      'SpatialDropout1D', 'GlobalMaxPooling1D', 'GlobalAveragePooling1D', 'Input', 'Conv1D',
                      'tf.keras.layers.', 'keras.', 'units=', 'activation=', 'return_sequences=', 'dropout=',
                      'recurrent_dropout=', 'merge_mode=', 'mask_zero=', 'weights=', 'trainable=', 'name=',
                      'input_length=', 'shape=', 'use_bias=', 'go_backwards=', 'True', 'False', 'None', "'sigmoid'",
                      "'softmax'", "'relu'", "'tanh'", "'concat'", "'sum'", 'pretrained', '1e9', '2147483648', '-1'])
    put_dict('cmdline', ['load', 'tokenize', 'encode', 'decode', 'pad', 'add', 'compile', 'fit', 'evaluate',
                         'predict', 'explain', 'expect', 'time', 'set', 'help', 'stats', 'vocab', 'show', 'plot',
                         'runs', 'compare', 'report', 'history', 'summary', 'pop', 'model', 'embeddings', 'session',
                         'save', 'open', 'export', 'source', 'status', 'datasets', 'gradcheck', 'quit',
                         'num_words=', 'oov_token=', 'maxlen=', 'padding=', 'epochs=', 'batch_size=',
                         'validation_split=', 'split=', 'seed=', 'threads=', 'metric=', 'run=', 'tol=', 'top=',
                         'percentiles=', 'early_stopping=', 'patience=', 'learning_rate=', 'optimizer=',
                         'loss=', 'metrics=', 'style=', 'textvectorization', 'max_tokens=', 'true', 'false', '==', '>=', '<=', '!=', ';', '#', '"', "'", '\\"'])


# ---- word vectors: a byte choosing format (bits 1-2) and tokenizer (bit 0), then the file ----
def embeddings():
    glove = b'the 0.1 0.2 -0.3\nfilm 1e-2 2 3\ncaf\xc3\xa9 0 0 1\nunknown 1 1 1\n'
    put('embeddings_text', 'glove', b'\x00' + glove)
    put('embeddings_text', 'glove_small_tok', b'\x01' + glove)
    put('embeddings_text', 'word2vec_text', b'\x02' + b'3 2\nthe 0.5 0.5\ngood -1 1\nbad 1 -1\n')
    put('embeddings_text', 'fasttext', b'\x04' + b'2 3\nthe 1 2 3 \nwas 4 5 6 \n')
    put('embeddings_text', 'guess', b'\x06' + b'2 2\nthe nan inf\na 1 2\n')
    words = [(b'the', [0.1, 0.2, 0.3]), (b'film', [1.0, -1.0, 0.5]), (b'caf\xc3\xa9', [0, 0, 1])]
    binary = b'3 3\n' + b''.join(w + b' ' + struct.pack('<3f', *v) + b'\n' for w, v in words)
    put('embeddings_bin', 'word2vec_bin', b'\x00' + binary)
    put('embeddings_bin', 'word2vec_bin_guess', b'\x02' + binary)
    put('embeddings_bin', 'no_newlines', b'\x01' + b'2 2\n' + b''.join(w + b' ' + struct.pack('<2f', 1, 2)
                                                                       for w in (b'the', b'was')))


# ---- .py scripts and Python at the prompt: a mode byte (bit 0: the prompt), then the text ----
def python_lines():
    examples = os.path.join(HERE, '..', '..', 'examples')
    for name in sorted(os.listdir(examples)) + ['keras/imdb_cnn_lstm.py', 'keras/text_classification_rnn.py']:
        if name.endswith('.py'):
            with open(os.path.join(examples, name), 'rb') as f:
                put('pyreader', os.path.splitext(os.path.basename(name))[0], b'\x00' + f.read())
    put('pyreader', 'prompt_block', b'\x01for i in range(3):\n    print(i)\n\nx = [1,\n 2]\ns = """a\nb"""\n'
        b'y = 1 + \\\n 2\nif x:\n    pass\nelse:\n    pass\n\n')


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: make-corpus.py PATH/TO/rnnlab')
    savefile_and_tokenizer(sys.argv[1])
    csv(); lines(); folders(); archives(); tokenizer(); calls_and_commands(); embeddings(); python_lines()


main()
