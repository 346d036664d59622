#!/usr/bin/env python3
"""The data-parallel scaling model of doc/scaling.md: per training step of each bench config, the
bytes the ranks exchange and the compute, and the efficiency they predict on N machines.

    python3 bench/scaling_model.py [aclImdb_v1.tar.gz] [--gflops-1t F]

Bytes: the dense gradients go through a ring allreduce (each rank sends and receives
2 (N-1)/N of them); an Embedding's gradient goes as the rows its part of the batch touched (each
rank receives every other rank's rows, 4 bytes of id and D floats each), or through the ring when
that is fewer bytes, as rnnlab chooses. Rows touched are counted on the IMDB training texts
(Keras's Tokenizer rules: lower case, its filters, split on spaces; ids below num_words; padding
and truncation 'pre', so id 0 counts when a text is shorter than maxlen). Compute: useful FLOPs
per sample (forward and backward: LSTM 24 h (e+h), GRU 18 h (e+h), SimpleRNN 6 h (e+h) per step
and direction, Dense 6 i o) over the one-thread rate measured on this machine (--gflops-1t).
"""
import collections, random, re, sys, tarfile

CONFIGS = {  # name: (num_words, maxlen, emb dim, recurrent FLOPs/sample/step, dense params, batch)
    # recurrent FLOPs per sample per time step (forward + backward, all directions)
    "chollet_rnn": (10000, 500, 32, 6 * 32 * (32 + 32), 32 * 32 * 2 + 32 + 33, 128),
    "chollet_lstm": (10000, 500, 32, 24 * 32 * (32 + 32), 4 * 32 * (32 + 32 + 1) + 33, 128),
    "west_lstm": (10000, 500, 16, 24 * 32 * (16 + 32), 4 * 32 * (16 + 32 + 1) + 33, 128),
    "bilstm_001": (10000, 256, 128, 2 * 24 * 64 * (128 + 64), 2 * 4 * 64 * (128 + 64 + 1) + 128 * 64 + 64 + 65, 128),
    "bigru_000": (20000, 284, 300, 2 * 18 * 128 * (300 + 128), 2 * 3 * 128 * (300 + 128 + 2) + 256 * 2 + 2, 32),
    "sms_rnn": (8630, 25, 50, 6 * 10 * (50 + 10), 10 * (50 + 10 + 1) + 22, 250),
}
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
TABLE = str.maketrans(FILTERS, " " * len(FILTERS))


def imdb_train_texts(path):
    with tarfile.open(path, "r:gz") as t:
        for m in t:
            if m.isfile() and re.match(r"aclImdb/train/(pos|neg)/.*\.txt$", m.name):
                yield t.extractfile(m).read().decode("utf-8", "replace")


def tokenized(texts):
    """Each text's words by Keras's Tokenizer rules, and the word counts over all texts."""
    docs = [[w for w in t.lower().translate(TABLE).split(" ") if w] for t in texts]
    counts = collections.Counter()
    for d in docs:
        counts.update(d)
    return docs, counts


def rows_per_part(docs, counts, num_words, maxlen, part, samples=100, seed=1):
    """Mean distinct Embedding rows a part of `part` texts touches."""
    index = {w: i + 1 for i, (w, _) in enumerate(counts.most_common(num_words - 1))}
    rng = random.Random(seed)
    total = 0
    for _ in range(samples):
        rows = set()
        for d in rng.sample(docs, part):
            s = [index[w] for w in d if w in index][-maxlen:]
            rows.update(s)
            if len(s) < maxlen:
                rows.add(0)
        total += len(rows)
    return total / samples


def comm_bytes(N, dense, vocab, D, rows):
    """Bytes a rank receives per step (it sends as many)."""
    if N == 1:
        return 0.0
    ring = lambda floats: 2 * (N - 1) / N * 4 * floats
    sparse = (N - 1) * rows * (D + 1) * 4
    return ring(dense) + min(sparse, ring(vocab * D))


def main():
    args = sys.argv[1:]
    gflops = 30.0
    if "--gflops-1t" in args:
        i = args.index("--gflops-1t")
        gflops = float(args[i + 1])
        del args[i:i + 2]
    docs, counts = tokenized(imdb_train_texts(args[0])) if args else (None, None)
    nets = [(10, 10e9 / 8, 50e-6), (100, 100e9 / 8, 10e-6)]  # Gb/s, bytes/s, latency per message
    print("| config | params allreduced (dense) | Embedding rows / rank, N=2, 8, 32 | MB per step, N=2, 8, 32 |"
          " compute ms/step (1 machine) | efficiency 10 Gb/s, N=2, 8, 32 | efficiency 100 Gb/s, N=2, 8, 32 |")
    print("|---|---|---|---|---|---|---|")
    for name, (V, T, D, rec, dense, B) in CONFIGS.items():
        flops = B * (T * rec + 6 * dense) + B * T * D * 2  # recurrent + dense layers + embedding rows
        t1 = flops / (gflops * 1e9)
        rows, mb, eff = {}, {}, {gb: [] for gb, _, _ in nets}
        for N in (2, 8, 32):
            part = max(1, B // N)
            rows[N] = rows_per_part(docs, counts, V, T, part) if docs and name != "sms_rnn" else min(V, part * T)
            mb[N] = comm_bytes(N, dense, V, D, rows[N]) / 1e6
            for gb, bw, lat in nets:
                t_comm = mb[N] * 1e6 / bw + 2 * (N - 1) * lat * 3  # ring steps of the dense, rows, and the counts
                eff[gb].append((t1 / N) / (t1 / N + t_comm))
        print(f"| {name} | {dense:,} | {rows[2]:.0f}, {rows[8]:.0f}, {rows[32]:.0f} | "
              f"{mb[2]:.2f}, {mb[8]:.2f}, {mb[32]:.2f} | {t1 * 1e3:.1f} | "
              + ", ".join(f"{e:.0%}" for e in eff[10]) + " | " + ", ".join(f"{e:.0%}" for e in eff[100]) + " |")


if __name__ == "__main__":
    main()
