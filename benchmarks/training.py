"""Training throughput of the reference MLP: the course's :mod:`activations.nn` vs PyTorch.

The reference network is 784-128-128-10 with ReLU, batch 64, trained on MNIST-shaped
data (:func:`activations.data.mnist`, 3,000 training images) with SGD (lr 0.05) or
Adam (lr 1e-3), softmax cross-entropy, one thread (BLAS limited to one thread for
NumPy, ``torch.set_num_threads(1)`` for PyTorch).  Both implementations start from
the *same* initial weights (the course's He/Xavier initialisation, copied into the
torch modules) and see the *same* sequence of batches, in float64 and in float32.

One *step* is forward, loss, backward, optimiser update on one batch of 64 -- for
the course, the body of :func:`activations.nn.train`'s batch loop, written out
(``model.forward``, ``softmax_cross_entropy`` with its label checks, ``model.backward``
without the unused input gradient, ``optimizer.step``); ``train`` itself adds one
accuracy pass over the training set per epoch, which a PyTorch loop does not do.  For
PyTorch, the loop a PyTorch user writes (``zero_grad``, forward, ``cross_entropy``,
``backward``, ``step``).

The machine may be shared, so the implementations are timed *interleaved*: each
repetition runs every (implementation, dtype) once in a rotating order; the figure
kept is the median over repetitions of steps / second, and the ratio course / torch
is the median of the per-repetition ratios (both measured within the same repetition).
The clock is the thread's CPU time (:data:`benchmarks.speed.CLOCK`): both run on the
calling thread (one BLAS thread; PyTorch's CPU autograd runs on the caller).
"""

from __future__ import annotations

import numpy as np

from activations import nn
from activations.data import mnist

from . import torch_impl
from .speed import CLOCK, CLOCK_NAME

__all__ = ["SIZES", "BATCH", "run", "course_trainer", "torch_trainer", "torch_model", "markdown"]

SIZES = (784, 128, 128, 10)
BATCH = 64
SEED = 20261130
LR = {"sgd": 0.05, "adam": 1e-3}
DTYPES = ("float64", "float32")


def _data(n_train=None):
    X, _, _, y, _, _ = mnist()
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    return X, y


def _model(dtype):
    return nn.MLP(list(SIZES), "relu", rng=np.random.default_rng(SEED), dtype=dtype)


def _optimizer(opt):
    return nn.SGD(LR["sgd"]) if opt == "sgd" else nn.Adam(LR["adam"])


def course_trainer(X, y, dtype, opt, steps):
    """``(go, model)``: ``go()`` runs ``steps`` training steps of the course's nn (train's loop body)."""
    model = _model(dtype)
    optimizer = _optimizer(opt)
    Xd = X.astype(dtype)
    params, grads = model.params(), model.grads()
    n = steps * BATCH

    def go():
        order = np.random.default_rng(0).permutation(n)
        for lo in range(0, n, BATCH):
            idx = order[lo : lo + BATCH]
            _, dout = nn.softmax_cross_entropy(model.forward(Xd[idx]), y[idx])
            model.backward(dout, input_grad=False)
            optimizer.step(params, grads)

    return go, model


def torch_model(dtype):
    """The reference MLP in PyTorch, with the course model's initial weights (``_model``)."""
    import torch

    ref = _model("float64")
    layers = []
    for i, d in enumerate(ref.dense_layers):
        lin = torch.nn.Linear(d.n_in, d.n_out, dtype=getattr(torch, dtype))
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(d.W.T.copy()))
            lin.bias.copy_(torch.from_numpy(d.b))
        layers.append(lin)
        if i < len(ref.dense_layers) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_trainer(X, y, dtype, opt, steps):
    """``(go, model)``: the same network, initial weights and batches in PyTorch (one thread)."""
    import torch

    torch.set_num_threads(1)
    model = torch_model(dtype)
    if opt == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=LR["sgd"])
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=LR["adam"])
    Xt = torch.from_numpy(X.astype(dtype))
    yt = torch.from_numpy(y.astype(np.int64))
    n = steps * BATCH
    f = torch.nn.functional

    def go():
        # The same shuffle as nn.train (permutation from default_rng(0)).
        order = torch.from_numpy(np.random.default_rng(0).permutation(n))
        for lo in range(0, n, BATCH):
            idx = order[lo : lo + BATCH]
            optimizer.zero_grad()
            loss = f.cross_entropy(model(Xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()

    return go, model


def run(*, steps=40, repeats=15, opts=("sgd", "adam"), dtypes=DTYPES, impls=("ours", "torch"), progress=None):
    """Median steps/s per (optimiser, dtype, implementation) and the median ratio ours/torch.

    Returns a dict with ``rows`` (one per optimiser and dtype) and the settings.  With
    torch absent (or not in ``impls``) the torch columns are ``None`` and ``note`` says why.
    """
    X, y = _data()
    note = None
    impls = list(impls)
    if "torch" in impls and not torch_impl.available():
        impls.remove("torch")
        note = "PyTorch is not installed: only the course's nn was timed (pip install torch to compare)"
    rows = []
    for opt in opts:
        for dtype in dtypes:
            fns = {}
            if "ours" in impls:
                fns["ours"] = course_trainer(X, y, dtype, opt, steps)[0]
            if "torch" in impls:
                fns["torch"] = torch_trainer(X, y, dtype, opt, steps)[0]
            for fn in fns.values():  # warm-up (allocations, lazy imports)
                fn()
            rates = {k: [] for k in fns}
            names = list(fns)
            with nn.single_thread_blas():
                for r in range(repeats):
                    for k in names[r % len(names) :] + names[: r % len(names)]:
                        t0 = CLOCK()
                        fns[k]()
                        rates[k].append(steps / (CLOCK() - t0))
            med = {k: float(np.median(v)) for k, v in rates.items()}
            ratio = None
            if "ours" in rates and "torch" in rates:
                ratio = float(np.median(np.array(rates["ours"]) / np.array(rates["torch"])))
            row = {
                "optimizer": opt,
                "dtype": dtype,
                "steps_per_s": {k: med.get(k) for k in ("ours", "torch")},
                "ratio_ours_over_torch": ratio,
            }
            rows.append(row)
            if progress is not None:
                progress(row)
    return {
        "network": "-".join(map(str, SIZES)),
        "activation": "relu",
        "batch": BATCH,
        "steps": steps,
        "repeats": repeats,
        "clock": CLOCK_NAME,
        "torch_version": torch_impl.version() if "torch" in impls else None,
        "note": note,
        "rows": rows,
    }


def markdown(part) -> str:
    """The training table in Markdown."""
    lines = [
        f"Reference MLP {part['network']} ({part['activation']}, batch {part['batch']}), "
        f"{part['steps']} steps x {part['repeats']} interleaved repetitions, medians, one thread.",
        "",
        "| optimiser | dtype | ours (steps/s) | torch (steps/s) | ours / torch |",
        "|---|---|---:|---:|---:|",
    ]
    for r in part["rows"]:
        s = r["steps_per_s"]
        t = "-" if s["torch"] is None else f"{s['torch']:.0f}"
        q = "-" if r["ratio_ours_over_torch"] is None else f"{r['ratio_ours_over_torch']:.2f}"
        lines.append(f"| {r['optimizer']} | {r['dtype']} | {s['ours']:.0f} | {t} | {q} |")
    if part.get("note"):
        lines += ["", part["note"]]
    return "\n".join(lines)
