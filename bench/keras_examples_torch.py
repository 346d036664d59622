"""Keras's IMDB CNN example model (examples/keras/imdb_cnn.py) rebuilt in PyTorch with
Keras's initialisers, Adam (epsilon 1e-7), batch sizes and epochs, on the token ids rnnlab gives
those scripts (imdb.load_data(num_words=N) -> rnnlab's IMDB shuffled as keras.datasets.imdb with
seed 113, a Keras Tokenizer fitted on the train reviews with oov_token='[OOV]', pad_sequences 'pre').
An independent measure of what the scripts' models reach on this data.
usage: /usr/bin/python3 bench/keras_examples_torch.py cnn [--seed S] [--threads 2] [--data DIR]
Prints one JSON line per epoch and one with the test accuracy."""
import argparse, json, os, sys, time
import numpy as np, torch, torch.nn as nn

CONFIGS = {
    # imdb_cnn.py: Embedding(5000, 50) Dropout(.2) Conv1D(250, 3, relu) GlobalMaxPooling1D Dense(250)
    # Dropout(.2) Activation(relu) Dense(1) Activation(sigmoid); maxlen 400, batch 32, 2 epochs, adam
    'cnn': dict(vocab=5000, maxlen=400, emb=50, batch=32, epochs=2),
}


class CNN(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.emb = nn.Embedding(c['vocab'], c['emb'])
        s.drop = nn.Dropout(0.2)
        s.conv = nn.Conv1d(c['emb'], 250, 3)
        s.hidden = nn.Linear(250, 250)
        s.drop2 = nn.Dropout(0.2)
        s.out = nn.Linear(250, 1)

    def forward(s, x):
        e = s.drop(s.emb(x)).transpose(1, 2)             # [B, C, T]
        h = torch.relu(s.conv(e)).amax(dim=2)            # GlobalMaxPooling1D
        h = torch.relu(s.drop2(s.hidden(h)))             # Dense, Dropout, Activation('relu')
        return s.out(h)[:, 0]                            # logits of Dense(1) + sigmoid


def keras_init(m):
    """Keras defaults: Embedding uniform(-0.05, 0.05); glorot_uniform kernels (a convolution's fans are
    kernel_size x channels, as PyTorch's xavier computes them); zero biases."""
    for name, p in m.named_parameters():
        if name.startswith('emb'):
            nn.init.uniform_(p, -0.05, 0.05)
        elif 'weight' in name:
            nn.init.xavier_uniform_(p)
        elif 'bias' in name:
            nn.init.zeros_(p)


def prepare(c, data):
    sys.path.insert(0, os.path.join(data, '..', 'bench'))
    from keras_like import Tokenizer, pad_sequences, load_imdb
    (xtr, ytr), (xte, yte) = load_imdb(os.path.join(data, 'aclImdb_v1.tar.gz'))
    rng = np.random.RandomState(113)   # shuffled as keras.datasets.imdb
    p = rng.permutation(len(xtr)); xtr = [xtr[i] for i in p]; ytr = ytr[p]
    p = rng.permutation(len(xte)); xte = [xte[i] for i in p]; yte = yte[p]
    tok = Tokenizer(c['vocab'], '[OOV]')
    tok.fit_on_texts(xtr)
    pad = lambda t: np.asarray(pad_sequences(tok.texts_to_sequences(t), c['maxlen']), dtype=np.int64)
    return pad(xtr), np.asarray(ytr), pad(xte), np.asarray(yte)


def main():
    a = argparse.ArgumentParser()
    a.add_argument('config', choices=sorted(CONFIGS))
    a.add_argument('--seed', type=int, default=1)
    a.add_argument('--threads', type=int, default=2)
    a.add_argument('--data', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'datasets'))
    o = a.parse_args()
    c = CONFIGS[o.config]
    torch.set_num_threads(o.threads)
    torch.manual_seed(o.seed)
    xtr, ytr, xte, yte = prepare(c, o.data)
    m = CNN(c)
    keras_init(m)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7)
    lossf = nn.BCEWithLogitsLoss()
    X, Y = torch.tensor(xtr), torch.tensor(ytr).float()
    g = torch.Generator().manual_seed(o.seed)

    def evaluate():
        m.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(xte), 500):
                out = m(torch.tensor(xte[i:i + 500]))
                correct += ((out > 0).long() == torch.tensor(yte[i:i + 500])).sum().item()
        return correct / len(xte)

    B = c['batch']
    for ep in range(c['epochs']):
        m.train()
        perm = torch.randperm(len(X), generator=g)   # Keras shuffles every epoch
        t = time.time()
        for i in range(0, len(X), B):
            idx = perm[i:i + B]
            loss = lossf(m(X[idx]), Y[idx])
            opt.zero_grad(); loss.backward(); opt.step()
        print(json.dumps(dict(epoch=ep + 1, s=round(time.time() - t, 1), val_acc=round(evaluate(), 4))), flush=True)
    print(json.dumps(dict(config=o.config, seed=o.seed, test_acc=round(evaluate(), 4), torch=torch.__version__)))


if __name__ == '__main__':
    main()
