#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures for tests/model/test_fixtures.c.

Each fixture file holds one case: a header line `call <Keras call>` and `shape <rank> <T> <F> <B> <T>`
(the input shape without batch, then the batch B and steps T), then arrays as
`name count v0 v1 ...` (float64 reference values of float32 data). Layouts are rnnlab's:
ids [B][T], sequences time-major [T][B][F], vectors [B][F], Dense kernel [in][units] then bias.
Run: python3 tests/layers/gen_fixtures_layers.py tests/fixtures/layers
"""
import os
import sys

import torch

torch.manual_seed(20261124)
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "fixtures", "engine")


def rnd(*shape, lo=-1.0, hi=1.0):
    return (torch.rand(*shape, dtype=torch.float32) * (hi - lo) + lo)


def write(name, call, shape, arrays):
    with open(os.path.join(OUT, name + ".txt"), "w") as f:
        f.write("call %s\n" % call)
        f.write("shape %s\n" % " ".join(str(v) for v in shape))
        for key, t in arrays:
            flat = t.detach().to(torch.float64).reshape(-1).tolist()
            f.write("%s %d %s\n" % (key, len(flat), " ".join("%.9g" % v for v in flat)))


ACTS = {
    "linear": lambda z: z,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softmax": lambda z: torch.softmax(z, dim=-1),
}


def dense_case(name, act, B, fin, units, T=None, use_bias=True):
    """Dense on vectors (T None) or per time step on a time-major sequence."""
    x = rnd(*((T, B, fin) if T else (B, fin))).requires_grad_()
    w = rnd(fin, units, lo=-0.5, hi=0.5).requires_grad_()
    b = rnd(units, lo=-0.5, hi=0.5).requires_grad_()
    z = x @ w + (b if use_bias else 0)
    y = ACTS[act](z)
    dy = rnd(*y.shape)
    (y * dy).sum().backward()
    params = torch.cat([w.reshape(-1), b.reshape(-1)]) if use_bias else w.reshape(-1)
    grads = torch.cat([w.grad.reshape(-1), b.grad.reshape(-1)]) if use_bias else w.grad.reshape(-1)
    call = "Dense(%d%s%s)" % (units, "" if act == "linear" else ", activation='%s'" % act,
                              "" if use_bias else ", use_bias=False")
    shape = (2, -1, fin, B, T) if T else (1, fin, 0, B, 1)
    write(name, call, shape, [("params", params), ("x", x), ("dy", dy), ("y", y), ("dx", x.grad),
                              ("grads", grads)])


def embedding_case(name, V, D, B, T, mask_zero):
    ids = torch.randint(0, V, (B, T))
    ids[0, :2] = 0  # pre-padding in the first sample
    e = rnd(V, D, lo=-0.05, hi=0.05).requires_grad_()
    y = torch.nn.functional.embedding(ids, e).transpose(0, 1).contiguous()  # [T][B][D]
    dy = rnd(T, B, D)
    (y * dy).sum().backward()
    mask = (ids != 0).transpose(0, 1).to(torch.float32)
    call = "Embedding(%d, %d%s)" % (V, D, ", mask_zero=True" if mask_zero else "")
    arrays = [("params", e), ("ids", ids), ("dy", dy), ("y", y), ("grads", e.grad)]
    if mask_zero:
        arrays.append(("out_mask", mask))
    write(name, call, (1, -1, 0, B, T), arrays)


def pooling_case(name, kind, B, T, F, with_mask):
    x = rnd(T, B, F).requires_grad_()
    mask = torch.ones(T, B)
    if with_mask:
        for b in range(B):
            pad = b % T  # sample b has b leading padded steps
            mask[:pad, b] = 0
    if kind == "max":
        y = x.max(dim=0).values
    else:
        m = mask.unsqueeze(-1)
        y = (x * m).sum(0) / m.sum(0)
    dy = rnd(B, F)
    (y * dy).sum().backward()
    call = "GlobalMaxPooling1D()" if kind == "max" else "GlobalAveragePooling1D()"
    arrays = [("x", x), ("dy", dy), ("y", y), ("dx", x.grad)]
    if with_mask:
        arrays.append(("mask", mask))
    write(name, call, (2, -1, F, B, T), arrays)


def flatten_case(name, B, T, F):
    x = rnd(T, B, F).requires_grad_()
    y = x.transpose(0, 1).reshape(B, T * F)  # Keras order: [B][T][F]
    dy = rnd(B, T * F)
    (y * dy).sum().backward()
    write(name, "Flatten()", (2, T, F, B, T), [("x", x), ("dy", dy), ("y", y), ("dx", x.grad)])


def main():
    os.makedirs(OUT, exist_ok=True)
    for act in ACTS:
        dense_case("dense_vec_" + act, act, B=4, fin=6, units=5)
    dense_case("dense_vec_nobias", "linear", B=3, fin=4, units=2, use_bias=False)
    dense_case("dense_seq_relu", "relu", B=3, fin=5, units=4, T=6)
    dense_case("dense_seq_softmax", "softmax", B=2, fin=3, units=4, T=5)
    embedding_case("embedding", V=11, D=4, B=3, T=6, mask_zero=False)
    embedding_case("embedding_mask", V=9, D=3, B=4, T=5, mask_zero=True)
    pooling_case("pool_max", "max", B=3, T=7, F=5, with_mask=False)
    pooling_case("pool_avg", "avg", B=3, T=7, F=5, with_mask=False)
    pooling_case("pool_avg_mask", "avg", B=4, T=6, F=3, with_mask=True)
    flatten_case("flatten", B=3, T=4, F=2)


if __name__ == "__main__":
    main()
