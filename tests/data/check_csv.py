"""Compares `load csv` with Python's csv module on randomly generated CSV files.

Fields are quoted or not at random, with doubled quotes, embedded delimiters, LF/CRLF/CR inside
quotes, quotes inside unquoted fields, text after a closing quote, non-ASCII text, blank lines and
LF, CRLF or lone-CR record ends. Usage: check_csv.py CSV_DUMP SCRATCH_DIR [N_FILES]."""
import csv
import io
import os
import random
import subprocess
import sys

PIECES = ["a", "b", "word", " ", "  ", ",", ";", "\t", '"', "'", "\n", "\r\n", "\r", "é", "€", "日本",
          "😀", "x\u00a0y"]
UNQUOTED = ["a", "b", "word", " ", "é", "€", "😀", "'", "it\"s", "5\" tall", "\t"]


def quoted(rng, delim):
    body = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 8)))
    text = '"' + body.replace('"', '""') + '"'
    if rng.random() < 0.1:  # text after the closing quote, kept as the readers do
        text += rng.choice(["tail", "é", "x"])
    return text


def unquoted(rng, delim):
    parts = [rng.choice(UNQUOTED) for _ in range(rng.randint(0, 5))]
    text = "".join(p for p in parts if delim not in p)
    return text.lstrip('"')


def make_file(rng, delim):
    cols = ["id", "text", "label"]
    rng.shuffle(cols)
    ends = rng.choice([["\n"], ["\r\n"], ["\r"], ["\n", "\r\n"]])
    lines = [delim.join(cols)]
    for i in range(rng.randint(1, 40)):
        row = {"id": str(i),
               "text": quoted(rng, delim) if rng.random() < 0.5 else unquoted(rng, delim),
               "label": rng.choice(["pos", "neg", '"mixed, ""quoted"""', "é"])}
        lines.append(delim.join(row[c] for c in cols))
    out = ""
    for line in lines:
        out += line + rng.choice(ends)
        if rng.random() < 0.1:
            out += rng.choice(ends)  # a blank line
    if rng.random() < 0.3:  # no final line end
        out = out.rstrip("\r\n")
    return out


def expected(data, delim):
    rows = [r for r in csv.reader(io.StringIO(data, newline=""), delimiter=delim) if r]
    header = rows[0]
    t, l = header.index("text"), header.index("label")
    return [(r[l], r[t]) for r in rows[1:]]


def main():
    dump, scratch = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    rng = random.Random(20261124)
    cases, args = [], []
    for k in range(n):
        delim = rng.choice([",", ",", ";", "\t"])
        data = make_file(rng, delim)
        path = "%s/random%d.csv" % (scratch, k)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(data)
        cases.append((path, data, expected(data, delim)))
        args += [delim, path]
    subprocess.run([dump] + args, check=True)
    failures = compared = 0
    for k, (path, data, want) in enumerate(cases):
        if len(set(l for l, _ in want)) < 2:
            if not os.path.exists(path + ".err") or "single class" not in open(path + ".err").read():
                print("file %d: expected the single-class error" % k)
                failures += 1
            continue
        if not os.path.exists(path + ".out"):
            print("file %d: %s\n%r" % (k, open(path + ".err").read(), data))
            failures += 1
            continue
        compared += 1
        with open(path + ".out", "rb") as f:
            parts = f.read().split(b"\0")[:-1]
        got = [(parts[i].decode(), parts[i + 1].decode()) for i in range(0, len(parts), 2)]
        if got != want:
            print("file %d differs:\n data %r\n want %r\n got  %r" % (k, data, want, got))
            failures += 1
    print("%d files, %d compared record by record, %d failures" % (n, compared, failures))
    return 1 if failures or compared < n // 2 else 0


if __name__ == "__main__":
    sys.exit(main())
