"""Per-layer diagnostics of a network: activation and gradient statistics, histograms,
dead units over time and the update/weight ratio.

Works on any :class:`activations.nn.Sequential` (an :class:`~activations.nn.MLP`, a protocol
model, a student's own stack, residual blocks included): the *hidden layers* are the
layers with ``nonlinear = True`` found by :func:`activations.nn.walk` (inside residual
blocks too), minus an MLP's output activation.  Nothing in the model is changed: the
layers' ``forward``/``backward`` are wrapped for one probe pass and restored, BatchNorm
running statistics are restored, and the model's mode (train/eval) is left as found.

* :func:`layer_stats` -- one forward/backward pass on a probe batch: per hidden layer the
  mean and standard deviation of the pre-activation z, of the output f(z) and of the
  gradient dL/dz, the dead fraction (units whose derivative is 0 on every probe sample),
  and the raw values for histograms (a :class:`Snapshot`).
* :class:`Recorder` -- a :func:`activations.nn.train` callback that takes a snapshot at
  initialisation and after every epoch, and (through :meth:`Recorder.wrap`) the
  update/weight ratio ‖ΔW‖/‖W‖ of every affine map at every optimiser step.
* :func:`plot_layer_histograms` -- one histogram per hidden layer, stacked by depth.

Examples
--------
>>> import numpy as np
>>> from activations import nn, diagnostics
>>> rng = np.random.default_rng(0)
>>> model = nn.MLP([4, 8, 8, 2], "relu", rng=rng)
>>> snap = diagnostics.layer_stats(model, rng.standard_normal((32, 4)), rng.integers(0, 2, 32))
>>> len(snap.layers), sorted(snap.layers[0])[:3]
(2, ['dead_fraction', 'grad_rms', 'layer'])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import nn
from .nn.losses import loss_function as _loss_fn
from .plotting import LINESTYLES, PALETTE, figure

__all__ = ["Snapshot", "layer_stats", "Recorder", "hidden_layers", "plot_layer_histograms"]


def hidden_layers(model) -> list:
    """The hidden (``nonlinear``) layers of ``model``, input side first, inside residual blocks too."""
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"hidden_layers(): expected an nn.Sequential (or MLP), got {type(model).__name__}")
    out_layer = getattr(model, "_output_layer", None)
    seen, layers = set(), []
    for layer in nn.walk(model):
        if getattr(layer, "nonlinear", False) and layer is not out_layer and id(layer) not in seen:
            seen.add(id(layer))
            layers.append(layer)
    return layers


@dataclass
class Snapshot:
    """What :func:`layer_stats` measured.

    ``layers``: one dict per hidden layer with ``layer`` (1 = nearest the input), ``name``,
    ``pre_mean``, ``pre_std``, ``post_mean``, ``post_std`` (over all samples and units),
    ``grad_rms`` (root mean square of dL/dz, for the loss averaged over the probe batch as
    in training), ``dead_fraction``
    (NaN when the layer has no derivative to inspect) and ``saturated_fraction`` (fraction
    of entries with |f'(z)| < 0.01 · max|f'|, NaN likewise).  ``pre``, ``post``, ``grad``:
    the raw arrays per layer (for histograms).  ``dense``: one dict per affine map with
    ``w_std``, ``grad_rms`` (of dL/dW) and ``grad_ratio`` = ‖dL/dW‖ / ‖W‖.
    """

    layers: list = field(default_factory=list)
    pre: list = field(default_factory=list)
    post: list = field(default_factory=list)
    grad: list = field(default_factory=list)
    dense: list = field(default_factory=list)

    def column(self, key) -> np.ndarray:
        """One statistic for every hidden layer, e.g. ``snap.column("post_std")``."""
        if not self.layers or key not in self.layers[0]:
            raise KeyError(f"Snapshot.column(): unknown statistic {key!r}")
        return np.array([row[key] for row in self.layers], dtype=np.float64)


def _dead_and_saturated(layer, pre):
    derivative = getattr(layer, "derivative", None)
    try:
        dead = float(np.mean(layer.dead_mask(pre)))
    except TypeError:
        dead = float("nan")
    if derivative is None:
        return dead, float("nan")
    d = np.abs(np.asarray(derivative(pre), dtype=np.float64))
    top = float(np.max(d)) if d.size else 0.0
    return dead, float(np.mean(d < 0.01 * top)) if top > 0 else 1.0


def layer_stats(model, X, y, *, loss="cross_entropy") -> Snapshot:
    """Per-layer statistics of one forward/backward pass of ``model`` on (X, y).

    The pass runs in the model's current mode (train or eval, see
    :func:`activations.nn.set_training`); BatchNorm running statistics and the parameter
    gradients are restored afterwards, so calling this during training changes nothing.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"layer_stats(): expected an nn.Sequential (or MLP), got {type(model).__name__}")
    loss_fn = _loss_fn(loss, "layer_stats")
    hidden = hidden_layers(model)
    records = [{} for _ in hidden]
    saved_running = [
        (bn, bn.running_mean.copy(), bn.running_var.copy()) for bn in nn.walk(model) if isinstance(bn, nn.BatchNorm)
    ]
    saved_grads = [g.copy() for g in model.grads()]
    for layer, rec in zip(hidden, records, strict=True):

        def fwd(X, _layer=layer, _rec=rec, _f=layer.forward):
            out = _f(X)
            _rec["pre"], _rec["post"] = _layer.pre_activation(X), out
            return out

        def bwd(dout, _layer=layer, _rec=rec, _b=layer.backward):
            dX = _b(dout)
            _rec["grad"] = _layer.pre_activation_grad(dX)
            return dX

        layer.forward, layer.backward = fwd, bwd
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            out = model.forward(X)
            _, dout = loss_fn(out, y)
            model.backward(dout)
            dense = [
                {
                    "w_std": float(np.std(d.W)),
                    "grad_rms": float(np.sqrt(np.mean(np.square(d.dW, dtype=np.float64)))),
                    "grad_ratio": float(np.linalg.norm(d.dW) / max(np.linalg.norm(d.W), 1e-300)),
                }
                for d in model.dense_layers
            ]
    finally:
        for layer in hidden:
            del layer.forward, layer.backward
        for bn, m, v in saved_running:
            bn.running_mean, bn.running_var = m, v
        for g, old in zip(model.grads(), saved_grads, strict=True):
            g[...] = old
    snap = Snapshot(dense=dense)
    for i, (layer, rec) in enumerate(zip(hidden, records, strict=True), start=1):
        pre = np.asarray(rec["pre"], dtype=np.float64)
        post = np.asarray(rec["post"], dtype=np.float64)
        grad = np.asarray(rec["grad"], dtype=np.float64)
        dead, saturated = _dead_and_saturated(layer, rec["pre"])
        snap.layers.append(
            {
                "layer": i,
                "name": getattr(layer, "name", type(layer).__name__),
                "pre_mean": float(pre.mean()),
                "pre_std": float(pre.std()),
                "post_mean": float(post.mean()),
                "post_std": float(post.std()),
                "grad_rms": float(np.sqrt(np.mean(grad * grad))),
                "dead_fraction": dead,
                "saturated_fraction": saturated,
            }
        )
        snap.pre.append(pre)
        snap.post.append(post)
        snap.grad.append(grad)
    return snap


class _Tracked:
    """An optimiser proxy: ``step`` as the wrapped optimiser's, recording ‖ΔW‖/‖W‖."""

    def __init__(self, optimizer, recorder):
        self.optimizer, self.recorder = optimizer, recorder

    def step(self, params, grads):
        weights = [d.W for d in self.recorder.model.dense_layers]
        before = [w.copy() for w in weights]
        self.optimizer.step(params, grads)
        pairs = zip(weights, before, strict=True)
        self.recorder._steps.append([float(np.linalg.norm(w - b) / max(np.linalg.norm(b), 1e-300)) for w, b in pairs])

    def __getattr__(self, name):
        return getattr(self.optimizer, name)


class Recorder:
    """Diagnostics over a training run: use as the ``callback`` of :func:`activations.nn.train`.

    ``Recorder(model, X_probe, y_probe)`` takes a snapshot at initialisation (epoch 0);
    then every ``every`` epochs it takes another (:func:`layer_stats` in eval mode, the
    mode :func:`~activations.nn.train` evaluates in).  Pass ``recorder.wrap(optimizer)``
    as the optimiser to record the update/weight ratio ‖W_{t+1} - W_t‖ / ‖W_t‖ of every
    affine map at every step (Karpathy's rule of thumb: about 1e-3 for SGD).

    Attributes
    ----------
    snapshots : dict epoch -> Snapshot
    dead : ndarray (n_snapshots, n_hidden), the dead fraction per layer at each snapshot
    epochs : list of int, the epochs of the snapshots
    update_ratio : ndarray (n_steps, n_dense) once training has run through :meth:`wrap`
    """

    def __init__(self, model, X, y, *, loss="cross_entropy", every=1):
        if not isinstance(model, nn.Sequential):
            raise TypeError(f"Recorder(): expected an nn.Sequential (or MLP), got {type(model).__name__}")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"Recorder(): every must be an integer >= 1, got {every!r}")
        self.model, self.X, self.y, self.loss, self.every = model, X, y, loss, every
        self.snapshots = {0: layer_stats(model, X, y, loss=loss)}
        self._steps: list = []

    def wrap(self, optimizer):
        """``optimizer`` with every step's update/weight ratio recorded here."""
        if not hasattr(optimizer, "step"):
            raise TypeError(f"Recorder.wrap(): expected an optimiser with step(), got {type(optimizer).__name__}")
        return _Tracked(optimizer, self)

    def __call__(self, epoch, model, history):
        if epoch % self.every == 0:
            self.snapshots[epoch] = layer_stats(self.model, self.X, self.y, loss=self.loss)

    @property
    def epochs(self):
        return sorted(self.snapshots)

    @property
    def dead(self):
        return np.array([self.snapshots[e].column("dead_fraction") for e in self.epochs])

    def series(self, key):
        """``(n_snapshots, n_hidden)`` array of one statistic, e.g. ``rec.series("grad_rms")``."""
        return np.array([self.snapshots[e].column(key) for e in self.epochs])

    @property
    def update_ratio(self):
        return np.array(self._steps, dtype=np.float64).reshape(len(self._steps), -1)


def plot_layer_histograms(snapshot, *, kind="post", layers=None, ax=None, bins=60, label=None, value_range=None):
    """Histograms of one quantity per hidden layer, offset vertically by depth (a "ridge" plot).

    ``kind``: "pre" (z), "post" (f(z)) or "grad" (dL/dz).  ``layers``: which hidden layers
    (1-based; default: up to 8 evenly spaced).  Each histogram is a density normalised to
    height 0.8 so that the shapes compare across layers whose scales differ.
    """
    if not isinstance(snapshot, Snapshot):
        raise TypeError(f"plot_layer_histograms(): expected a Snapshot, got {type(snapshot).__name__}")
    if kind not in ("pre", "post", "grad"):
        raise ValueError(f"plot_layer_histograms(): kind must be 'pre', 'post' or 'grad', got {kind!r}")
    data = getattr(snapshot, kind)
    n = len(data)
    if layers is None:
        layers = sorted({int(round(v)) for v in np.linspace(1, n, min(n, 8))})
    layers = [int(i) for i in layers]
    if not layers or min(layers) < 1 or max(layers) > n:
        raise ValueError(f"plot_layer_histograms(): layers must be in 1..{n}, got {layers}")
    if ax is None:
        _, ax = figure()
    values = [data[i - 1].ravel() for i in layers]
    finite = np.concatenate([v[np.isfinite(v)] for v in values])
    if value_range is None:
        lo, hi = np.quantile(finite, [0.005, 0.995]) if finite.size else (-1.0, 1.0)
        value_range = (float(lo), float(hi) if hi > lo else float(lo) + 1.0)
    edges = np.linspace(*value_range, bins + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    spacing = max(1.0, (layers[-1] - layers[0]) / max(len(layers) - 1, 1))
    for k, (i, v) in enumerate(zip(layers, values, strict=True)):
        h, _ = np.histogram(v[np.isfinite(v)], bins=edges)
        h = h / h.max() * 0.8 * spacing if h.max() > 0 else h.astype(float)
        colour = PALETTE[k % len(PALETTE)]
        ax.fill_between(centres, i, i + h, alpha=0.35, color=colour)
        ax.plot(centres, i + h, color=colour, linestyle=LINESTYLES[0])
    names = {"pre": "pre-activation z", "post": "activation f(z)", "grad": "gradient dL/dz"}
    ax.set_xlabel(names[kind] + " (value)")
    ax.set_ylabel("hidden layer (1 = input side)")
    if label is not None:
        ax.set_title(label)
    return ax
