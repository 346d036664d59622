#!/usr/bin/env python3
"""Test accuracy of the seed models in PyTorch, trained as Keras trains them, over several seeds.

The models and data preparation are the bench peer's (../shared/bench/peer_torch.py, imported, not
copied). What this adds is the Keras training loop of rnnlab's examples, so that the two can be
compared on accuracy: Keras's RMSprop (eps inside the square root) and Adam (epsilon hat),
one bias per SimpleRNN/LSTM gate as Keras has (PyTorch's second bias is frozen at zero),
validation_split 0.2 taken from the end before shuffling, EarlyStopping on val_loss with
restore_best_weights, and test accuracy of the restored weights. IMDB is tokenized with an OOV
index, as the examples do.

usage: peer_accuracy.py CONFIG --peer DIR --data DIR [--seeds 1 2 3] [--patience P]
                        [--epochs N] [--batch B] [--elementwise-input-dropout] [--threads 1]
--patience 0 trains every epoch and keeps the last weights (the SMS example has no early stopping).
--elementwise-input-dropout: Dropout after the Embedding instead of the peer's SpatialDropout1D
(examples/seed003_imdb_lstm.rnn has Dropout(0.25) there). Prints a JSON line per seed and a summary line; with
--runs EXAMPLE RUN, one line per seed in bench/accuracy.sh's form instead:
EXAMPLE RUN SEED TEST_ACCURACY BEST_EPOCH EPOCHS SECONDS.
"""
import argparse, json, os, sys, time
import numpy as np
import torch
import torch.nn as nn


def keras_step(opt, params, state, t, lr):
    """One Keras optimizer step over params (rmsprop: rho .9; adam: .9/.999; eps 1e-7)."""
    with torch.no_grad():
        for p, s in zip(params, state):
            g = p.grad
            if opt == "rmsprop":
                s["v"].mul_(0.9).addcmul_(g, g, value=0.1)
                p.sub_(lr * g / torch.sqrt(s["v"] + 1e-7))
            else:
                alpha = lr * (1 - 0.999 ** t) ** 0.5 / (1 - 0.9 ** t)
                s["m"].add_((g - s["m"]) * 0.1)
                s["v"].add_((g * g - s["v"]) * 0.001)
                p.sub_(s["m"] * alpha / (torch.sqrt(s["v"]) + 1e-7))


def main():
    a = argparse.ArgumentParser()
    a.add_argument("config")
    a.add_argument("--peer", required=True)
    a.add_argument("--data", required=True)
    a.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    a.add_argument("--patience", type=int, default=2)
    a.add_argument("--epochs", type=int, default=10)
    a.add_argument("--batch", type=int, default=0)
    a.add_argument("--elementwise-input-dropout", action="store_true")
    a.add_argument("--threads", type=int, default=1)
    a.add_argument("--runs", nargs=2, metavar=("EXAMPLE", "RUN"))
    o = a.parse_args()
    sys.path.insert(0, o.peer)
    import peer_torch as peer

    torch.set_num_threads(o.threads)
    c = dict(peer.CONFIGS[o.config])
    c["oov"] = True   # rnnlab's examples tokenize IMDB with oov_token='[OOV]'
    if o.batch:
        c["batch"] = o.batch
    xtr, ytr, xte, yte, vocab = peer.prepare(c, o.data)
    nval = int(len(xtr) * 0.2)
    xt, yt, xv, yv = xtr[:-nval], ytr[:-nval], xtr[-nval:], ytr[-nval:]
    sig = c["head"] == "sigmoid"

    def loss_of(out, y):
        if sig:
            return nn.functional.binary_cross_entropy_with_logits(out[:, 0], y.float())
        return nn.functional.cross_entropy(out, y)

    def evaluate(m, X, Y):
        m.eval()
        tot, correct = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(X), 512):
                xb, yb = torch.tensor(X[i:i + 512]), torch.tensor(Y[i:i + 512])
                out = m(xb)
                tot += loss_of(out, yb).item() * len(xb)
                pred = (out[:, 0] > 0).long() if sig else out.argmax(1)
                correct += (pred == yb).sum().item()
        return tot / len(X), correct / len(X)

    accs = []
    for seed in o.seeds:
        torch.manual_seed(seed)
        m = peer.Net(c, vocab)
        peer.keras_init(m)
        if o.elementwise_input_dropout and m.drop_in is not None:
            m.drop_in = nn.Dropout(c["drop_in"])
        if c["cell"] in ("rnn", "lstm"):
            for name, p in m.named_parameters():
                if "bias_hh" in name:
                    p.requires_grad_(False)
        params = [p for p in m.parameters() if p.requires_grad]
        state = [dict(m=torch.zeros_like(p), v=torch.zeros_like(p)) for p in params]
        g = torch.Generator().manual_seed(seed)
        X, Y = torch.tensor(xt), torch.tensor(yt)
        best, best_state, wait, t, hist, t0 = float("inf"), None, 0, 0, [], time.time()
        for ep in range(o.epochs):
            m.train()
            perm = torch.randperm(len(X), generator=g)
            for i in range(0, len(X), c["batch"]):
                bi = perm[i:i + c["batch"]]
                loss = loss_of(m(X[bi]), Y[bi])
                for p in params:
                    p.grad = None
                loss.backward()
                t += 1
                keras_step(c["opt"], params, state, t, c["lr"])
            vl, va = evaluate(m, xv, yv)
            hist.append((round(vl, 4), round(va, 4)))
            if o.patience == 0:
                continue
            if vl < best:
                best, wait = vl, 0
                best_state = {k: v.clone() for k, v in m.state_dict().items()}
            else:
                wait += 1
                if wait >= o.patience:
                    break
        if best_state is not None:
            m.load_state_dict(best_state)
        tl, ta = evaluate(m, xte, yte)
        accs.append(ta)
        best_ep = len(hist) if o.patience == 0 else 1 + min(range(len(hist)), key=lambda i: hist[i][0])
        if o.runs:
            print(o.runs[0], o.runs[1], seed, f"{ta:.4f}", best_ep, len(hist),
                  f"{time.time() - t0:.1f}", flush=True)
            continue
        print(json.dumps(dict(config=o.config, seed=seed, test_acc=round(ta, 4), best_epoch=best_ep,
                              epochs=len(hist), seconds=round(time.time() - t0, 1),
                              val=hist)), flush=True)
    if o.runs:
        return
    s = np.array(accs)
    print(json.dumps(dict(config=o.config, runs=len(s), median=round(float(np.median(s)), 4),
                          min=round(float(s.min()), 4), max=round(float(s.max()), 4))), flush=True)


if __name__ == "__main__":
    main()
