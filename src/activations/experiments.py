"""Small, fast experiments behind the chapters; they return plain data (arrays, dicts).

No plotting here (see :mod:`activations.plotting`).  Every random draw comes from
the ``rng`` argument, so each result is reproducible from its seed.
"""

from __future__ import annotations

import timeit
from typing import NamedTuple

import numpy as np

from . import nn
from ._validation import check_int, check_rng
from .core import Activation
from .nn import MLP

__all__ = [
    "gradient_flow",
    "dead_units",
    "signal_propagation",
    "time_kernel",
    "Timing",
    "train_compare",
    "format_table",
]


def _name(activation):
    return activation.name if isinstance(activation, Activation) else str(activation)


def _deep_mlp(activation, *, depth, width, n_in, n_out, rng, init, bias_init=0.0, weight_scale=None, fname):
    depth = check_int(depth, "depth", fname)
    width = check_int(width, "width", fname)
    n_in = width if n_in is None else check_int(n_in, "n_in", fname)
    check_rng(rng, fname)
    return MLP(
        [n_in] + [width] * depth + [n_out],
        activation,
        rng=rng,
        init=init,
        bias_init=bias_init,
        weight_scale=weight_scale,
    )


def gradient_flow(
    activation, *, depth, width, rng, n_samples=256, init="auto", n_in=None, n_classes=10, weight_scale=None
):
    """How large the loss gradient is in each layer of a deep MLP at initialisation.

    The network is ``depth`` hidden layers of ``width`` units (``init`` as in
    :class:`activations.nn.MLP`), plus a linear output of ``n_classes`` logits.  It
    sees x ~ N(0, I) and random labels, and the loss is softmax cross-entropy; one
    backward pass gives ||dL/dW_l||_F for every affine layer l (1 = nearest the input,
    ``depth + 1`` = output layer).  A vanishing gradient shows as norms shrinking
    towards layer 1.

    Parameters
    ----------
    activation : name, Activation, "maxout" or "learnable_prelu"
    depth, width : int
    rng : numpy.random.Generator
        Draws the weights, then X, then the labels (in that order).
    n_samples : int
    init : str
        As in :class:`activations.nn.MLP` (``"auto"``, ``"he"``, ``"xavier"``, ``"normal"``...).
    n_in : int, optional
        Input dimension (default ``width``).
    n_classes : int
    weight_scale : float, optional
        Gain on the hidden layers' initial standard deviation (with ``init="normal"``
        the standard deviation itself).

    Returns
    -------
    dict
        ``layer`` (1..depth+1), ``grad_norm`` (||dL/dW_l||_F), ``delta_norm`` (RMS of
        dL/dz over samples and units for each hidden layer, length ``depth``),
        ``loss``, ``activation``, ``init``.
    """
    model = _deep_mlp(
        activation,
        depth=depth,
        width=width,
        n_in=n_in,
        n_out=n_classes,
        rng=rng,
        init=init,
        weight_scale=weight_scale,
        fname="gradient_flow",
    )
    n_samples = check_int(n_samples, "n_samples", "gradient_flow")
    X = rng.standard_normal((n_samples, model.sizes[0]))
    y = rng.integers(0, n_classes, size=n_samples)
    # With a deliberately bad init the signal may overflow: inf/nan norms are the result.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"), nn.single_thread_blas():
        loss, dout = nn.softmax_cross_entropy(model.forward(X), y)
        model.backward(dout)
        dense = model.dense_layers
        return {
            "layer": np.arange(1, len(dense) + 1),
            "grad_norm": np.array([np.linalg.norm(d.dW) for d in dense]),
            "delta_norm": np.array([np.sqrt(np.mean(d * d)) for d in model.delta]),
            "loss": loss,
            "activation": _name(activation),
            "init": init,
        }


def dead_units(model, X, *, return_mask=False):
    """Fraction of dead units in each hidden layer of ``model`` over the inputs ``X``.

    A unit is *dead* on ``X`` when its activation derivative f'(z) is exactly 0 for
    every sample: then no gradient reaches its incoming weights, so training on these
    inputs can never revive it.  For ReLU (relu'(0) = 0) that is "z <= 0, output 0,
    for all samples"; for hard_tanh/hard_sigmoid it also counts units saturated for
    every sample; for sigmoid/tanh the derivative is never exactly 0 in float64 for
    moderate z, so such units count as alive however small the gradient.  Leaky
    ReLU, ELU, ... cannot die (f' > 0 everywhere); a Maxout unit always passes its
    gradient to one piece, so it is never dead either.

    Parameters
    ----------
    model : activations.nn.Sequential
        Runs ``model.forward(X)`` (which refreshes its ``pre``/``post`` caches).  Each hidden
        layer answers through ``layer.dead_mask(pre)`` (:class:`activations.nn.Layer`).
    X : array (n_samples, n_in)
    return_mask : bool
        Also return the boolean dead masks, one (width,) array per hidden layer.

    Returns
    -------
    ndarray of float, one fraction per hidden layer (and the masks if asked).
    """
    if not hasattr(model, "hidden_layers"):
        raise TypeError(f"dead_units(): expected an activations.nn model, got {type(model).__name__}")
    model.forward(X)
    masks = []
    for layer, z in zip(model.hidden_layers, model.pre):
        masks.append(layer.dead_mask(z))
    fractions = np.array([m.mean() for m in masks])
    return (fractions, masks) if return_mask else fractions


def signal_propagation(activation, *, depth, width, rng, n_samples=512, init="auto", bias_init=0.0, weight_scale=None):
    """Mean and variance of the activations, layer by layer, for N(0, 1) inputs.

    The forward signal of a freshly initialised MLP (``depth`` hidden layers of
    ``width`` units): x ~ N(0, I), then h_l = f(W_l h_{l-1} + b_l).  With a good
    init/activation pair the variance stays roughly constant with depth; otherwise
    it shrinks to 0 or blows up geometrically.

    Parameters
    ----------
    activation, depth, width, rng, init, weight_scale
        As in :func:`gradient_flow` (``rng`` draws the weights, then X).
    n_samples : int
    bias_init : float
        Initial bias of every hidden layer.

    Returns
    -------
    dict
        ``layer`` (1..depth), ``mean`` / ``var`` of the post-activations h_l (over
        samples and units), ``pre_mean`` / ``pre_var`` of the pre-activations z_l,
        ``input_var``, ``activation``, ``init``.
    """
    model = _deep_mlp(
        activation,
        depth=depth,
        width=width,
        n_in=None,
        n_out=1,
        rng=rng,
        init=init,
        bias_init=bias_init,
        weight_scale=weight_scale,
        fname="signal_propagation",
    )
    n_samples = check_int(n_samples, "n_samples", "signal_propagation")
    X = rng.standard_normal((n_samples, width))
    with np.errstate(over="ignore", invalid="ignore", under="ignore"), nn.single_thread_blas():
        model.forward(X)
        return {
            "layer": np.arange(1, depth + 1),
            "mean": np.array([h.mean() for h in model.post]),
            "var": np.array([h.var() for h in model.post]),
            "pre_mean": np.array([z.mean() for z in model.pre]),
            "pre_var": np.array([z.var() for z in model.pre]),
            "input_var": float(X.var()),
            "activation": _name(activation),
            "init": init,
        }


class Timing(NamedTuple):
    """Result of :func:`time_kernel`: best seconds per call and nanoseconds per element."""

    seconds: float
    ns_per_element: float


def time_kernel(fn, x, *, repeat=5, number=None) -> Timing:
    """Best-of-``repeat`` wall time of ``fn(x)``.

    Each repeat times ``number`` calls (default: chosen like ``timeit``'s autorange so a
    repeat lasts >= 0.05 s) and the minimum over repeats is reported, the estimate
    least disturbed by other processes.  ns/element = seconds / x.size * 1e9.
    Timings depend on the machine and its load: compare kernels measured together.
    """
    if not callable(fn):
        raise TypeError(f"time_kernel(): fn must be callable, got {type(fn).__name__}")
    arr = np.asarray(x)
    if arr.size == 0:
        raise ValueError("time_kernel(): x must not be empty")
    repeat = check_int(repeat, "repeat", "time_kernel")
    timer = timeit.Timer(lambda: fn(x))
    if number is None:
        number = 1
        while True:
            if timer.timeit(number) >= 0.05 or number >= 1 << 20:
                break
            number *= 2
    else:
        number = check_int(number, "number", "time_kernel")
    best = min(timer.repeat(repeat=repeat, number=number)) / number
    return Timing(best, best / arr.size * 1e9)


def train_compare(
    activations,
    seeds,
    *,
    data=None,
    hidden=(64, 64),
    epochs=10,
    batch_size=32,
    optimizer="adam",
    lr=None,
    init="auto",
    loss="cross_entropy",
):
    """Train the same MLP with several activations and seeds; test accuracy per run.

    Parameters
    ----------
    activations : iterable of names / Activation objects (or "maxout", "learnable_prelu")
    seeds : iterable of int
        One run per seed: the seed drives ``np.random.default_rng(seed)`` for the
        weights and the shuffling (the data split is fixed).
    data : tuple, optional
        ``(X_train, X_test, y_train, y_test)``; default :func:`activations.data.digits`.
    hidden : tuple of int
        Hidden layer widths.
    optimizer : {"adam", "sgd"}
        Adam(lr=1e-2 by default) or SGD with momentum 0.9 (lr=5e-2 by default).

    Returns
    -------
    dict
        name -> {"acc": array over seeds, "mean", "std" (sample std, ddof=1 if more
        than one seed), "final_loss": array, "seconds": total wall time}.
    """
    from .data import digits

    seeds = [check_int(s, "seeds entries", "train_compare", minimum=0) for s in seeds]
    if not seeds:
        raise ValueError("train_compare(): give at least one seed")
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"train_compare(): optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    X_train, X_test, y_train, y_test = digits() if data is None else data
    n_out = int(np.max(y_train)) + 1
    results = {}
    for activation in activations:
        accs, losses, seconds = [], [], 0.0
        for seed in seeds:
            rng = np.random.default_rng(seed)
            model = MLP([X_train.shape[1], *hidden, n_out], activation, rng=rng, init=init)
            if optimizer == "adam":
                opt = nn.Adam(lr=1e-2 if lr is None else lr)
            else:
                opt = nn.SGD(lr=5e-2 if lr is None else lr, momentum=0.9)
            hist = nn.train(
                model, X_train, y_train, loss=loss, optimizer=opt, epochs=epochs, batch_size=batch_size, rng=rng
            )
            accs.append(nn.accuracy(model, X_test, y_test))
            losses.append(hist.loss[-1])
            seconds += hist.seconds
        accs = np.array(accs)
        results[_name(activation)] = {
            "acc": accs,
            "mean": float(accs.mean()),
            "std": float(accs.std(ddof=1)) if len(accs) > 1 else 0.0,
            "final_loss": np.array(losses),
            "seconds": seconds,
        }
    return results


def format_table(results, *, digits=3, sort=True) -> str:
    """A Markdown table "activation | mean ± std accuracy | runs" from :func:`train_compare`."""
    rows = list(results.items())
    if sort:
        rows.sort(key=lambda kv: -kv[1]["mean"])
    lines = ["| activation | test accuracy (mean ± std) | runs |", "|---|---|---|"]
    for name, r in rows:
        lines.append(f"| {name} | {r['mean']:.{digits}f} ± {r['std']:.{digits}f} | {len(r['acc'])} |")
    return "\n".join(lines)
