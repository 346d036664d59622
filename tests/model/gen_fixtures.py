#!/usr/bin/python3
"""Writes the fixtures of tests/model (run by hand with Debian's python3-torch: /usr/bin/python3 tests/model/gen_fixtures.py).

Optimizer steps follow Keras 3's update rules in float32 numpy (keras/src/optimizers/*.py) and are
cross-checked against PyTorch with Keras settings:
  SGD(momentum, nesterov)        torch.optim.SGD: identical rule for a constant learning rate
  RMSprop(rho=0.9, eps=1e-7)     torch.optim.RMSprop(alpha=0.9, eps=1e-7) puts eps OUTSIDE the sqrt,
                                 Keras INSIDE: the fixture is Keras's; the torch gap is printed
  Adam(eps=1e-7)                 torch.optim.Adam(eps=1e-7) adds eps to sqrt(v_hat); Keras adds it to
                                 sqrt(v) ("epsilon hat"): fixture is Keras's, gap printed
  Adagrad(eps=1e-7)              torch.optim.Adagrad(initial_accumulator_value=0.1, eps=1e-7) puts eps
                                 outside the sqrt, Keras inside: gap printed
  Nadam                          torch.optim.NAdam(momentum_decay=1): torch's mu_t = b1 (1 - 0.5 *
                                 0.96^(t momentum_decay)) is Keras's u_t with momentum_decay 1, the same
                                 rule; but torch 1.13 multiplies mu_t into mu_product_next twice (a bug
                                 later releases fixed), which is the gap printed
  AdamW(weight_decay)            torch.optim.AdamW(weight_decay): decoupled decay w -= lr*wd*w first, as
                                 Keras; the Adam part differs by epsilon as above: gap printed
  SGD(weight_decay)              Keras decays the weights apart (w -= w*wd*lr); torch's SGD adds wd*w to
                                 the gradient (L2), so its gap is large by design
Losses follow Keras on probabilities (clip to [1e-7, 1-1e-7], mean over the batch), gradients
with respect to the probabilities; cross-checked with torch autograd.
"""
import os
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "model")
f32 = np.float32


def fmt(a):
    return " ".join("%.9g" % float(x) for x in np.asarray(a).ravel())


def nadam_u(b1, t):
    return f32(b1) * (f32(1.0) - f32(0.5) * np.power(f32(0.96), f32(t)))


def keras_step(kind, cfg, w, g, slots, t):
    """One Keras 3 update of one variable, float32 throughout."""
    lr = f32(cfg.get("learning_rate", 0.01 if kind == "sgd" else 0.001))
    if cfg.get("clipnorm"):
        cn = f32(cfg["clipnorm"])
        norm = f32(np.sqrt(np.sum(g.astype(np.float64) ** 2)))
        g = (g * cn / max(norm, cn)).astype(f32)
    if cfg.get("clipvalue"):
        cv = f32(cfg["clipvalue"])
        g = np.clip(g, -cv, cv).astype(f32)
    wd = cfg.get("weight_decay", 0.004 if kind == "adamw" else 0.0)
    if wd:  # the base optimizer's decoupled decay, after clipping, before the update
        w = (w - w * f32(wd) * lr).astype(f32)
    if kind == "adamw":
        kind = "adam"
    if kind == "adagrad":
        eps = f32(cfg.get("epsilon", 1e-7))
        a = slots.setdefault("a", np.full_like(w, f32(cfg.get("initial_accumulator_value", 0.1))))
        a += g * g
        return (w - lr * g / np.sqrt(a + eps)).astype(f32)
    if kind == "nadam":
        b1, b2 = cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999)
        eps = f32(cfg.get("epsilon", 1e-7))
        u_t, u_t1 = nadam_u(b1, t), nadam_u(b1, t + 1)
        u_prod = f32(1.0)
        for s in range(1, t + 1):
            u_prod = f32(u_prod * nadam_u(b1, s))
        u_prod_1 = u_prod * u_t1
        b2p = np.power(f32(b2), f32(t))
        m = slots.setdefault("m", np.zeros_like(w))
        v = slots.setdefault("v", np.zeros_like(w))
        m += (g - m) * f32(1 - b1)
        v += (g * g - v) * f32(1 - b2)
        m_hat = u_t1 * m / (f32(1) - u_prod_1) + (f32(1) - u_t) * g / (f32(1) - u_prod)
        v_hat = v / (f32(1) - b2p)
        return (w - m_hat * lr / (np.sqrt(v_hat) + eps)).astype(f32)
    if kind == "sgd":
        mu = f32(cfg.get("momentum", 0.0))
        if mu == 0:
            return (w - g * lr).astype(f32)
        m = slots.setdefault("m", np.zeros_like(w))
        m[:] = m * mu - g * lr
        if cfg.get("nesterov"):
            return (w + (m * mu - g * lr)).astype(f32)
        return (w + m).astype(f32)
    if kind == "rmsprop":
        rho, eps, mu = f32(cfg.get("rho", 0.9)), f32(cfg.get("epsilon", 1e-7)), f32(cfg.get("momentum", 0.0))
        v = slots.setdefault("v", np.zeros_like(w))
        v[:] = rho * v + f32(1 - cfg.get("rho", 0.9)) * (g * g)
        inc = lr * g / np.sqrt(v + eps)
        if mu > 0:
            mom = slots.setdefault("mom", np.zeros_like(w))
            mom[:] = mu * mom + inc
            return (w - mom).astype(f32)
        return (w - inc).astype(f32)
    if kind == "adam":
        b1, b2 = cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999)
        eps = f32(cfg.get("epsilon", 1e-7))
        ts = f32(t)
        b1p, b2p = f32(b1) ** ts, f32(b2) ** ts
        alpha = lr * np.sqrt(f32(1) - b2p) / (f32(1) - b1p)
        m = slots.setdefault("m", np.zeros_like(w))
        v = slots.setdefault("v", np.zeros_like(w))
        m += (g - m) * f32(1 - b1)
        v += (g * g - v) * f32(1 - b2)
        return (w - m * alpha / (np.sqrt(v) + eps)).astype(f32)
    raise ValueError(kind)


def torch_run(kind, cfg, w0s, grads):
    ps = [torch.tensor(w.copy(), requires_grad=True) for w in w0s]
    lr = cfg.get("learning_rate", 0.01 if kind == "sgd" else 0.001)
    if kind == "sgd":
        opt = torch.optim.SGD(ps, lr=lr, momentum=cfg.get("momentum", 0.0), nesterov=cfg.get("nesterov", False))
    elif kind == "rmsprop":
        opt = torch.optim.RMSprop(ps, lr=lr, alpha=cfg.get("rho", 0.9), eps=cfg.get("epsilon", 1e-7),
                                  momentum=cfg.get("momentum", 0.0))
    elif kind == "adagrad":
        opt = torch.optim.Adagrad(ps, lr=lr, initial_accumulator_value=cfg.get("initial_accumulator_value", 0.1),
                                  eps=cfg.get("epsilon", 1e-7))
    elif kind == "nadam":
        opt = torch.optim.NAdam(ps, lr=lr, betas=(cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999)),
                                eps=cfg.get("epsilon", 1e-7), momentum_decay=1.0)
    elif kind == "adamw":
        opt = torch.optim.AdamW(ps, lr=lr, betas=(cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999)),
                                eps=cfg.get("epsilon", 1e-7), weight_decay=cfg.get("weight_decay", 0.004))
    else:
        opt = torch.optim.Adam(ps, lr=lr, betas=(cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999)),
                               eps=cfg.get("epsilon", 1e-7), weight_decay=0)
    for step in grads:
        for p, g in zip(ps, step):
            p.grad = torch.tensor(g.copy())
        if cfg.get("clipnorm"):
            for p in ps:  # per variable, like Keras
                torch.nn.utils.clip_grad_norm_([p], cfg["clipnorm"])
        if cfg.get("clipvalue"):
            torch.nn.utils.clip_grad_value_(ps, cfg["clipvalue"])
        opt.step()
    return [p.detach().numpy() for p in ps]


OPTIM_CASES = [
    ("sgd_plain", "sgd", {}),
    ("sgd_momentum", "sgd", {"learning_rate": 0.05, "momentum": 0.9}),
    ("sgd_nesterov", "sgd", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("sgd_clipvalue", "sgd", {"learning_rate": 0.1, "clipvalue": 0.5}),
    ("rmsprop_default", "rmsprop", {}),
    ("rmsprop_momentum", "rmsprop", {"learning_rate": 0.01, "momentum": 0.5}),
    ("adam_default", "adam", {}),
    ("adam_clipnorm", "adam", {"learning_rate": 0.01, "clipnorm": 1.0}),
    ("adagrad_default", "adagrad", {}),
    ("adagrad_custom", "adagrad", {"learning_rate": 0.05, "initial_accumulator_value": 0.5, "epsilon": 1e-4}),
    ("nadam_default", "nadam", {}),
    ("nadam_custom", "nadam", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.99}),
    ("adamw_default", "adamw", {}),
    ("adamw_decay", "adamw", {"learning_rate": 0.01, "weight_decay": 0.1, "clipnorm": 1.0}),
    ("sgd_weight_decay", "sgd", {"learning_rate": 0.05, "momentum": 0.9, "weight_decay": 0.05}),
]


def write_optim():
    rng = np.random.RandomState(7)
    sizes = [6, 4]  # two variables: clipnorm is per variable
    steps = 6
    w0 = [rng.uniform(-1, 1, n).astype(f32) for n in sizes]
    grads = [[(rng.normal(0, 1.5, n)).astype(f32) for n in sizes] for _ in range(steps)]
    # a few tiny gradients so that epsilon matters in the adaptive optimizers
    grads[2][0][1] = f32(1e-6)
    grads[3][1][2] = f32(0.0)
    for name, kind, cfg in OPTIM_CASES:
        ws = [w.copy() for w in w0]
        slots = [{} for _ in sizes]
        lines = ["optimizer %s" % kind]
        for k, v in cfg.items():
            lines.append("%s %s" % (k, int(v) if isinstance(v, bool) else repr(v)))
        lines.append("sizes %s" % " ".join(map(str, sizes)))
        lines.append("steps %d" % steps)
        lines.append("w0 %s" % fmt(np.concatenate(w0)))
        for t, step in enumerate(grads, start=1):
            ws = [keras_step(kind, cfg, w, g, s, t) for w, g, s in zip(ws, step, slots)]
            lines.append("g %s" % fmt(np.concatenate(step)))
            lines.append("w %s" % fmt(np.concatenate(ws)))
        with open(os.path.join(OUT, "optim_%s.txt" % name), "w") as f:
            f.write("\n".join(lines) + "\n")
        tw = torch_run(kind, cfg, w0, grads)
        gap = max(float(np.max(np.abs(a - b))) for a, b in zip(tw, ws))
        print("%-18s keras-vs-torch max |dw| after %d steps: %.3g" % (name, steps, gap))


def keras_loss(kind, p, y):
    """Loss and d(loss)/d(p) in float64 from float32 probabilities p [B][K]."""
    B, K = p.shape
    eps = f32(1e-7)
    lo, hi = eps, f32(1) - eps
    p64 = p.astype(np.float64)
    g = np.zeros_like(p64)
    total = 0.0
    for b in range(B):
        if kind == "binary_crossentropy":
            t = np.array([y[b]], float) if K == 1 else (np.arange(K) == y[b]).astype(float)
            pc = np.clip(p[b], lo, hi).astype(np.float64)
            total += np.mean(-(t * np.log(pc) + (1 - t) * np.log(1 - pc)))
            inside = (p[b] >= lo) & (p[b] <= hi)
            g[b] = np.where(inside, (-t / pc + (1 - t) / (1 - pc)) / K / B, 0.0)
        else:
            S = p64[b].sum()
            q = f32(p64[b, y[b]] / S)
            qc = float(np.clip(q, lo, hi))
            total += -np.log(qc)
            if lo <= q <= hi:
                g[b] = (1.0 / S - (np.arange(K) == y[b]) / p64[b, y[b]]) / B
    return total / B, g


def write_losses():
    rng = np.random.RandomState(11)
    cases = []
    # sigmoid outputs, including both clip bounds
    z = rng.normal(0, 3, (8, 1)).astype(f32)
    p = (1 / (1 + np.exp(-z))).astype(f32)
    p[0, 0], p[1, 0] = f32(3e-9), f32(1.0)
    y = rng.randint(0, 2, 8)
    y[0], y[1] = 1, 0
    cases.append(("binary_crossentropy", p, y))
    # softmax outputs
    z = rng.normal(0, 2, (6, 3)).astype(f32)
    p = (np.exp(z) / np.exp(z).sum(1, keepdims=True)).astype(f32)
    y = rng.randint(0, 3, 6)
    cases.append(("sparse_categorical_crossentropy", p, y))
    cases.append(("categorical_crossentropy", p, y))
    # two sigmoid-like outputs with binary cross-entropy on one-hot targets
    z = rng.normal(0, 2, (4, 2)).astype(f32)
    p = (1 / (1 + np.exp(-z))).astype(f32)
    cases.append(("binary_crossentropy", p, rng.randint(0, 2, 4)))
    lines = []
    for kind, p, y in cases:
        loss, g = keras_loss(kind, p, y)
        lines.append("case %s %d %d" % (kind, p.shape[0], p.shape[1]))
        lines.append("p %s" % fmt(p))
        lines.append("y %s" % " ".join(map(str, y)))
        lines.append("loss %.12g" % loss)
        lines.append("grad %s" % fmt(g))
        # cross-check with torch autograd where nothing is clipped
        inside = (p >= 1e-7) & (p <= 1 - 1e-7)
        pt = torch.tensor(p.astype(np.float64), requires_grad=True)
        if kind == "binary_crossentropy":
            t = torch.tensor(y, dtype=torch.float64).reshape(-1, 1) if p.shape[1] == 1 else \
                torch.nn.functional.one_hot(torch.tensor(y), p.shape[1]).double()
            pcl = torch.clamp(pt, 1e-7, 1 - 1e-7)
            tl = torch.nn.functional.binary_cross_entropy(pcl, t)
        else:
            tl = torch.nn.functional.nll_loss(torch.log(pt / pt.sum(1, keepdim=True)), torch.tensor(y))
        tl.backward()
        gt = pt.grad.numpy()
        print("%-32s loss %.6f (torch %.6f), max |dgrad| where unclipped %.3g" %
              (kind, loss, tl.item(), float(np.max(np.abs(np.where(inside, g - gt, 0))))))
    with open(os.path.join(OUT, "losses.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    write_optim()
    write_losses()
