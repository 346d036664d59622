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


def tf_same_pad(T, span, stride):
    """TensorFlow's SAME padding: ceil(T / stride) outputs, the zeros split with the smaller half first."""
    out = (T + stride - 1) // stride
    total = max((out - 1) * stride + span - T, 0)
    return total // 2, total - total // 2


def conv1d_case(name, B, T, C, F, K, stride=1, padding="valid", dilation=1, act="linear", use_bias=True):
    """Conv1D on a time-major sequence; kernel stored as Keras's [K][C][F], then the bias."""
    x = rnd(T, B, C).requires_grad_()
    w = rnd(K, C, F, lo=-0.5, hi=0.5).requires_grad_()
    b = rnd(F, lo=-0.5, hi=0.5).requires_grad_()
    span = dilation * (K - 1) + 1
    pads = {"valid": (0, 0), "causal": (span - 1, 0), "same": tf_same_pad(T, span, stride)}[padding]
    xin = torch.nn.functional.pad(x.permute(1, 2, 0), pads)  # [B][C][T + pads]
    z = torch.nn.functional.conv1d(xin, w.permute(2, 1, 0), b if use_bias else None, stride=stride,
                                   dilation=dilation)
    y = ACTS[act](z.permute(2, 0, 1))  # [To][B][F]
    dy = rnd(*y.shape)
    (y * dy).sum().backward()
    params = torch.cat([w.reshape(-1), b.reshape(-1)]) if use_bias else w.reshape(-1)
    grads = torch.cat([w.grad.reshape(-1), b.grad.reshape(-1)]) if use_bias else w.grad.reshape(-1)
    call = "Conv1D(%d, %d" % (F, K)
    call += "" if stride == 1 else ", strides=%d" % stride
    call += "" if padding == "valid" else ", padding='%s'" % padding
    call += "" if dilation == 1 else ", dilation_rate=%d" % dilation
    call += "" if act == "linear" else ", activation='%s'" % act
    call += "" if use_bias else ", use_bias=False"
    write(name, call + ")", (2, T, C, B, T), [("params", params), ("x", x), ("dy", dy), ("y", y), ("dx", x.grad),
                                              ("grads", grads)])


def pool1d_case(name, kind, B, T, F, pool, stride=None, padding="valid"):
    """MaxPooling1D / AveragePooling1D with TensorFlow's padding: padded steps never win the max and
    do not count in the mean."""
    stride = stride or pool
    x = rnd(T, B, F).requires_grad_()
    pads = tf_same_pad(T, pool, stride) if padding == "same" else (0, 0)
    xb = x.permute(1, 2, 0)  # [B][F][T]
    if kind == "max":
        z = torch.nn.functional.max_pool1d(torch.nn.functional.pad(xb, pads, value=float("-inf")), pool, stride)
    else:
        total = torch.nn.functional.avg_pool1d(torch.nn.functional.pad(xb, pads), pool, stride) * pool
        count = torch.nn.functional.avg_pool1d(torch.nn.functional.pad(torch.ones(1, 1, T), pads), pool, stride) * pool
        z = total / count
    y = z.permute(2, 0, 1)
    dy = rnd(*y.shape)
    (y * dy).sum().backward()
    call = "%s(%d" % ("MaxPooling1D" if kind == "max" else "AveragePooling1D", pool)
    call += "" if stride == pool else ", strides=%d" % stride
    call += "" if padding == "valid" else ", padding='%s'" % padding
    write(name, call + ")", (2, T, F, B, T), [("x", x), ("dy", dy), ("y", y), ("dx", x.grad)])


def activation_case(name, act, B, F, T=None):
    x = rnd(*((T, B, F) if T else (B, F)), lo=-3.0, hi=3.0).requires_grad_()
    y = ACTS[act](x)
    dy = rnd(*y.shape)
    (y * dy).sum().backward()
    shape = (2, T, F, B, T) if T else (1, F, 0, B, 1)
    write(name, "Activation('%s')" % act, shape, [("x", x), ("dy", dy), ("y", y), ("dx", x.grad)])


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
    conv1d_case("conv1d_valid_relu", B=3, T=9, C=4, F=5, K=3, act="relu")
    conv1d_case("conv1d_valid_nobias", B=2, T=6, C=3, F=2, K=2, use_bias=False)
    conv1d_case("conv1d_same_stride", B=3, T=10, C=3, F=4, K=4, stride=3, padding="same", act="tanh")
    conv1d_case("conv1d_same_even", B=2, T=7, C=2, F=3, K=4, padding="same")
    conv1d_case("conv1d_causal_dilated", B=2, T=8, C=3, F=4, K=3, padding="causal", dilation=2, act="sigmoid")
    conv1d_case("conv1d_valid_strided", B=2, T=11, C=3, F=2, K=3, stride=2)
    pool1d_case("maxpool1d_valid", "max", B=3, T=9, F=4, pool=2)
    pool1d_case("maxpool1d_same", "max", B=2, T=10, F=3, pool=3, stride=2, padding="same")
    pool1d_case("avgpool1d_valid", "avg", B=3, T=8, F=4, pool=3, stride=1)
    pool1d_case("avgpool1d_same", "avg", B=2, T=7, F=3, pool=3, padding="same")
    activation_case("activation_relu_seq", "relu", B=3, F=4, T=5)
    activation_case("activation_sigmoid", "sigmoid", B=4, F=3)
    activation_case("activation_softmax_seq", "softmax", B=2, F=5, T=3)
    activation_case("activation_tanh", "tanh", B=3, F=4)


if __name__ == "__main__":
    main()
