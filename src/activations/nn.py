"""Tiny NumPy neural networks: enough to *train* with any registered activation.

Everything is float64 and explicit: layers cache what their backward pass needs,
``backward`` fills ``grads()`` (aligned with ``params()``), and optimisers update
the parameter arrays in place.  There is no global random state: every function
that draws random numbers takes ``rng``, a :class:`numpy.random.Generator`.

Shapes: a batch is ``X`` of shape ``(n_samples, n_features)``; a :class:`Dense`
layer computes ``Z = X W + b`` with ``W`` of shape ``(n_in, n_out)``.

Examples
--------
>>> import numpy as np
>>> from activations import nn
>>> rng = np.random.default_rng(0)
>>> model = nn.MLP([2, 8, 2], "tanh", rng=rng)
>>> logits = model.forward(np.zeros((3, 2)))
>>> logits.shape
(3, 2)
"""

from __future__ import annotations

import contextlib
import numbers
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import kernels
from .core import Activation, get
from .functional import sigmoid
from ._validation import check_rng as _check_rng
from .vector import log_softmax, maxout, softmax

__all__ = [
    "xavier_uniform",
    "xavier_normal",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "initialise",
    "auto_init",
    "RELU_FAMILY",
    "Layer",
    "Dense",
    "ActivationLayer",
    "PReLU",
    "Maxout",
    "Sequential",
    "MLP",
    "softmax_cross_entropy",
    "sigmoid_binary_cross_entropy",
    "mse",
    "LOSSES",
    "SGD",
    "Adam",
    "History",
    "train",
    "accuracy",
    "numerical_gradient",
    "gradient_check",
]


# --- argument checks -------------------------------------------------------------------




def _check_int(value, name, fname, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{fname}(): {name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{fname}(): {name} must be >= {minimum}, got {value}")
    return int(value)


def _check_positive(value, name, fname, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{fname}(): {name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{fname}(): {name} must be {'>= 0' if allow_zero else '> 0'} and finite, got {value}")
    return value


def _as_batch(X, fname, n_features=None):
    """A 2-d float64 copy-free view of ``X`` (never written to)."""
    arr = np.asarray(X)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{fname}(): X must be a real array, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim != 2:
        raise ValueError(f"{fname}(): X must be 2-d (n_samples, n_features), got shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"{fname}(): X has {arr.shape[1]} features, the model expects {n_features}")
    return arr


def _as_labels(y, n, fname):
    arr = np.asarray(y)
    if arr.dtype.kind not in "biu":
        if arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{fname}(): y must hold integer class labels, got dtype {arr.dtype}")
    arr = arr.reshape(-1).astype(np.int64)
    if arr.shape[0] != n:
        raise ValueError(f"{fname}(): y has {arr.shape[0]} labels for {n} samples")
    return arr


# --- initialisers ---------------------------------------------------------------------


def _fans(shape, fname):
    if len(shape) != 2:
        raise ValueError(f"{fname}(): shape must be (fan_in, fan_out), got {shape}")
    fan_in, fan_out = (_check_int(s, "shape entries", fname) for s in shape)
    return fan_in, fan_out


def xavier_uniform(shape, rng, gain=1.0):
    """Glorot & Bengio (2010): W ~ U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)).

    Keeps Var(W) = 2 / (fan_in + fan_out), a compromise between the forward
    (1 / fan_in) and backward (1 / fan_out) variance-preserving choices.
    """
    fan_in, fan_out = _fans(shape, "xavier_uniform")
    a = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return _check_rng(rng, "xavier_uniform").uniform(-a, a, size=(fan_in, fan_out))


def xavier_normal(shape, rng, gain=1.0):
    """Glorot normal: W ~ N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape, "xavier_normal")
    s = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return _check_rng(rng, "xavier_normal").normal(0.0, s, size=(fan_in, fan_out))


def he_normal(shape, rng, gain=1.0):
    """He et al. (2015): W ~ N(0, s^2), s = gain * sqrt(2 / fan_in).

    ReLU zeroes half of a symmetric input, halving the second moment; the factor 2
    compensates so that E[z^2] stays constant from layer to layer.
    """
    fan_in, fan_out = _fans(shape, "he_normal")
    s = gain * np.sqrt(2.0 / fan_in)
    return _check_rng(rng, "he_normal").normal(0.0, s, size=(fan_in, fan_out))


def he_uniform(shape, rng, gain=1.0):
    """He uniform: W ~ U(-a, a), a = gain * sqrt(6 / fan_in) (same variance as :func:`he_normal`)."""
    fan_in, fan_out = _fans(shape, "he_uniform")
    a = gain * np.sqrt(6.0 / fan_in)
    return _check_rng(rng, "he_uniform").uniform(-a, a, size=(fan_in, fan_out))


def lecun_normal(shape, rng, gain=1.0):
    """LeCun normal: W ~ N(0, s^2), s = gain * sqrt(1 / fan_in) (the init SELU assumes)."""
    fan_in, fan_out = _fans(shape, "lecun_normal")
    s = gain * np.sqrt(1.0 / fan_in)
    return _check_rng(rng, "lecun_normal").normal(0.0, s, size=(fan_in, fan_out))


def _normal(shape, rng, gain=1.0):
    fan_in, fan_out = _fans(shape, "normal")
    return _check_rng(rng, "normal").normal(0.0, gain, size=(fan_in, fan_out))


def _zeros(shape, rng, gain=1.0):
    fan_in, fan_out = _fans(shape, "zeros")
    return np.zeros((fan_in, fan_out))


_INITS: dict[str, Callable] = {
    "he": he_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "xavier": xavier_uniform,
    "glorot": xavier_uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "lecun": lecun_normal,
    "lecun_normal": lecun_normal,
    "normal": _normal,
    "zeros": _zeros,
}

#: "ReLU-like" activations: they pass (roughly) x for large positive x and (roughly)
#: nothing for negative x.  (``init="auto"`` no longer uses this set: see :func:`auto_init`.)
RELU_FAMILY = frozenset(
    {
        "relu",
        "leaky_relu",
        "prelu",
        "elu",
        "celu",
        "gelu",
        "gelu_tanh",
        "silu",
        "swish",
        "mish",
        "softplus",
        "hard_swish",
        "learnable_prelu",
    }
)


def auto_init(activation):
    """The initialiser ``init="auto"`` picks: the weight variance derived for the activation.

    For a registered activation f this is :func:`activations.gains.derived_init`:
    W ~ N(0, σ_w² / fan_in) with σ_w² = 1 / E[f(Z)²], Z ~ N(0, 1), the variance for which
    the forward second moment q* = 1 is a fixed point (ReLU: 2, exactly He normal; SiLU:
    2.81; tanh: 2.54; sigmoid: 3.41; SELU: 1, LeCun).  "learnable_prelu" gets the value
    for prelu (α = 0.25).  Maxout gets "lecun": for two i.i.d. symmetric pieces
    E[max(a, b)^2] = E[a^2] (max^2 and min^2 have the same law), so no half of the
    signal is lost and σ_w² = 1.  Unknown names fall back to "xavier".  He, LeCun and
    Glorot stay available by name (``init="he"``, ...).
    """
    from . import gains
    from .core import names as _names

    if isinstance(activation, Activation):
        return gains.derived_init(activation)
    name = str(activation)
    if name == "maxout":
        return "lecun"
    if name == "learnable_prelu":
        name = "prelu"
    if name in _names():
        return gains.derived_init(name)
    return "xavier"


def initialise(init, shape, rng, weight_scale=None):
    """Weights of ``shape`` drawn with the named initialiser.

    ``weight_scale`` multiplies the initialiser's standard deviation (a "gain"); for
    ``init="normal"`` it *is* the standard deviation (default 1.0, the naive init).
    """
    if callable(init):
        W = np.asarray(init(tuple(shape), rng), dtype=np.float64)
        if W.shape != tuple(shape):
            raise ValueError(f"initialise(): custom initialiser returned shape {W.shape}, expected {tuple(shape)}")
        return W if weight_scale is None else W * float(weight_scale)
    if init not in _INITS:
        raise ValueError(f"initialise(): unknown init {init!r}; valid: {', '.join(sorted(_INITS))} or a callable")
    gain = 1.0 if weight_scale is None else _check_positive(weight_scale, "weight_scale", "initialise", True)
    return _INITS[init](shape, rng, gain=gain)


# --- layers ---------------------------------------------------------------------------


class Layer:
    """Base class: ``forward(X)``, ``backward(dout) -> dX``, ``params()``, ``grads()``."""

    def params(self) -> list[np.ndarray]:
        return []

    def grads(self) -> list[np.ndarray]:
        return []

    def forward(self, X):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, X):
        return self.forward(X)


class Dense(Layer):
    """Affine layer Z = X W + b, with W of shape (n_in, n_out) and b of shape (n_out,).

    Backward, for an upstream gradient G = dL/dZ:
    dL/dW = X^T G, dL/db = sum_rows G, dL/dX = G W^T.

    Parameters
    ----------
    n_in, n_out : int
    rng : numpy.random.Generator
    init : str or callable
        "he", "xavier" (Glorot uniform), "lecun", "normal" or any name accepted by
        :func:`initialise`; a callable ``(shape, rng) -> array`` also works.
    bias_init : float
        Constant initial bias (e.g. a small positive value against dead ReLUs).
    weight_scale : float, optional
        Gain on the initialiser's standard deviation (the std itself for "normal").
    """

    def __init__(self, n_in, n_out, *, rng, init="he", bias_init=0.0, weight_scale=None):
        n_in = _check_int(n_in, "n_in", "Dense")
        n_out = _check_int(n_out, "n_out", "Dense")
        _check_rng(rng, "Dense")
        self.W = initialise(init, (n_in, n_out), rng, weight_scale)
        self.b = np.full(n_out, float(bias_init))
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self._X = None

    @property
    def n_in(self):
        return self.W.shape[0]

    @property
    def n_out(self):
        return self.W.shape[1]

    def forward(self, X):
        self._X = X
        return X @ self.W + self.b

    def backward(self, dout):
        self.dW[...] = self._X.T @ dout
        self.db[...] = dout.sum(axis=0)
        return dout @ self.W.T

    def params(self):
        return [self.W, self.b]

    def grads(self):
        return [self.dW, self.db]

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out})"


def _as_activation(activation, fname) -> Activation:
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        return get(activation)
    raise TypeError(f"{fname}(): activation must be a name or an Activation, got {type(activation).__name__}")


class ActivationLayer(Layer):
    """Elementwise activation a = f(z); backward multiplies by f'(z) (``Activation.grad``).

    The kink convention is the kernels' (PyTorch's): relu'(0) = 0, and so on.
    """

    def __init__(self, activation):
        self.activation = _as_activation(activation, "ActivationLayer")
        self.name = self.activation.name
        self._z = None

    def forward(self, X):
        self._z = X
        return self.activation(X)

    def backward(self, dout):
        return dout * self.activation.grad(self._z)

    def derivative(self, z):
        """f'(z): what :func:`activations.experiments.dead_units` inspects."""
        return self.activation.grad(z)

    def __repr__(self):
        return f"ActivationLayer({self.activation!r})"


class PReLU(Layer):
    """Parametric ReLU with a learnable slope α (He et al. 2015).

    f(z) = z for z > 0, α z otherwise; df/dz = 1 or α; df/dα = 0 or z
    (``kernels.prelu_grad_alpha``).  With ``n_units=None`` one α is shared by the
    whole layer (dL/dα sums over samples and units); with ``n_units=k`` each unit
    has its own α (dL/dα_j sums over samples).
    """

    name = "learnable_prelu"

    def __init__(self, n_units=None, *, alpha=0.25):
        size = 1 if n_units is None else _check_int(n_units, "n_units", "PReLU")
        self.shared = n_units is None
        self.alpha = np.full(size, float(alpha))
        self.dalpha = np.zeros_like(self.alpha)
        self._z = None

    def forward(self, X):
        self._z = X
        return np.where(X > 0, X, self.alpha * X)

    def derivative(self, z):
        return np.where(z > 0, 1.0, self.alpha * np.ones_like(z))

    def backward(self, dout):
        z = self._z
        # prelu_grad_alpha does not depend on α: it is z where z <= 0, else 0.
        g = dout * kernels.prelu_grad_alpha(z)
        self.dalpha[...] = g.sum() if self.shared else g.sum(axis=0)
        return dout * self.derivative(z)

    def params(self):
        return [self.alpha]

    def grads(self):
        return [self.dalpha]

    def __repr__(self):
        return f"PReLU(alpha={self.alpha.tolist()})"


class Maxout(Layer):
    """Maxout layer (Goodfellow et al. 2013): ``pieces`` affine maps per unit, keep the max.

    h_j = max_k (X W + b)_{j*pieces + k}.  Forward uses :func:`activations.maxout`;
    backward routes each unit's gradient to the piece that won (the first one on ties,
    as ``np.argmax``).  The default init is LeCun (see :func:`auto_init` for why not He).
    """

    name = "maxout"

    def __init__(self, n_in, n_out, pieces, *, rng, init="lecun", bias_init=0.0, weight_scale=None):
        n_out = _check_int(n_out, "n_out", "Maxout")
        self.pieces = _check_int(pieces, "pieces", "Maxout")
        self.dense = Dense(
            n_in, n_out * self.pieces, rng=rng, init=init, bias_init=bias_init, weight_scale=weight_scale
        )
        self.n_out = n_out
        self._z = None

    def forward(self, X):
        self.pre = self._z = self.dense.forward(X)
        return maxout(self._z, self.pieces, axis=-1)

    def backward(self, dout):
        z = self._z.reshape(len(self._z), self.n_out, self.pieces)
        winner = np.argmax(z, axis=-1)[..., None]
        dz = np.zeros_like(z)
        np.put_along_axis(dz, winner, dout[..., None], axis=-1)
        self.dpre = dz.reshape(self._z.shape)  # dL/d(affine output), read by Sequential
        return self.dense.backward(self.dpre)

    def params(self):
        return self.dense.params()

    def grads(self):
        return self.dense.grads()

    def __repr__(self):
        return f"Maxout({self.dense.n_in}, {self.n_out}, pieces={self.pieces})"


# --- containers -----------------------------------------------------------------------


class Sequential:
    """A stack of layers.

    Every layer that is not a :class:`Dense` is a *nonlinear* layer (ActivationLayer,
    PReLU, Maxout or a custom :class:`Layer`); an MLP's output activation is not
    counted as hidden.  After ``forward(X)``: ``pre[i]`` / ``post[i]`` are the input /
    output of hidden nonlinear layer i (for a Maxout layer ``pre`` is its affine output,
    of width ``n_out * pieces``).  After ``backward``: ``delta[i]`` = dL/d pre[i].
    """

    def __init__(self, layers):
        self.layers = list(layers)
        for layer in self.layers:
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential(): expected Layer objects, got {type(layer).__name__}")
        self.pre: list[np.ndarray] = []
        self.post: list[np.ndarray] = []
        self.delta: list[np.ndarray] = []
        self._hidden = [layer for layer in self.layers if not isinstance(layer, Dense)]
        # The output activation of an MLP is not a hidden layer.
        self._output_layer = None

    @property
    def hidden_layers(self) -> list[Layer]:
        """The nonlinear layers whose inputs/outputs are cached in ``pre``/``post``."""
        return [layer for layer in self._hidden if layer is not self._output_layer]

    @property
    def dense_layers(self) -> list[Dense]:
        """Every affine map in order (inside Maxout layers too): layer 1 is nearest the input."""
        out = []
        for layer in self.layers:
            if isinstance(layer, Dense):
                out.append(layer)
            elif isinstance(layer, Maxout):
                out.append(layer.dense)
        return out

    def forward(self, X):
        """Output for a batch ``X`` of shape (n_samples, n_in); caches ``pre``/``post``."""
        first = self.dense_layers[0] if self.dense_layers else None
        h = _as_batch(X, "forward", first.n_in if first is not None else None)
        hidden = set(map(id, self.hidden_layers))
        pre, post = [], []
        for layer in self.layers:
            out = layer.forward(h)
            if id(layer) in hidden:
                pre.append(layer.pre if isinstance(layer, Maxout) else h)
                post.append(out)
            h = out
        self.pre, self.post = pre, post
        return h

    __call__ = forward

    def backward(self, dout):
        """Backpropagate dL/d(output); fills :meth:`grads` and returns dL/dX."""
        g = np.asarray(dout, dtype=np.float64)
        hidden = set(map(id, self.hidden_layers))
        delta = []
        for layer in reversed(self.layers):
            g = layer.backward(g)
            if id(layer) in hidden:
                delta.append(layer.dpre if isinstance(layer, Maxout) else g)
        self.delta = delta[::-1]
        return g

    def params(self) -> list[np.ndarray]:
        """Parameter arrays (updated in place by optimisers), aligned with :meth:`grads`."""
        return [p for layer in self.layers for p in layer.params()]

    def grads(self) -> list[np.ndarray]:
        return [g for layer in self.layers for g in layer.grads()]

    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.params()))

    def predict(self, X):
        """Class labels: argmax of the outputs, or (output > 0) for a single output unit."""
        out = self.forward(X)
        if out.shape[1] == 1:
            return (out[:, 0] > 0).astype(np.int64)
        return np.argmax(out, axis=1)

    def predict_proba(self, X):
        """Softmax of the outputs (sigmoid for a single output unit)."""
        out = self.forward(X)
        if out.shape[1] == 1:
            return sigmoid(out[:, 0])
        return softmax(out, axis=1)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(map(repr, self.layers))})"


def _hidden_layer(spec, n_in, n_out, *, rng, init, bias_init, weight_scale, pieces):
    """(layers, activation name) for one hidden layer."""
    if callable(spec) and not isinstance(spec, (str, Activation)):
        layer = spec(n_out)
        if not isinstance(layer, Layer):
            raise TypeError(f"MLP(): activation factory returned {type(layer).__name__}, expected a Layer")
        name = getattr(layer, "name", "custom")
        winit = auto_init(name) if init == "auto" else init
        return [Dense(n_in, n_out, rng=rng, init=winit, bias_init=bias_init, weight_scale=weight_scale), layer]
    if spec == "maxout":
        winit = auto_init("maxout") if init == "auto" else init
        return [Maxout(n_in, n_out, pieces, rng=rng, init=winit, bias_init=bias_init, weight_scale=weight_scale)]
    if spec == "learnable_prelu":
        winit = auto_init("prelu") if init == "auto" else init
        return [Dense(n_in, n_out, rng=rng, init=winit, bias_init=bias_init, weight_scale=weight_scale), PReLU(n_out)]
    a = _as_activation(spec, "MLP")
    winit = auto_init(a) if init == "auto" else init
    return [Dense(n_in, n_out, rng=rng, init=winit, bias_init=bias_init, weight_scale=weight_scale), ActivationLayer(a)]


class MLP(Sequential):
    """Multi-layer perceptron: (Dense -> activation) per hidden layer, then a Dense output.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_in, h1, ..., n_out]``; at least two entries.
    activation : str, Activation, callable or list
        One hidden activation for every hidden layer, or a list with one per hidden
        layer.  Besides registered names: ``"maxout"`` (Maxout layers with
        ``pieces`` pieces), ``"learnable_prelu"`` (PReLU with one learnable α per
        unit), or a callable ``width -> Layer`` (e.g. ``lambda n: nn.PReLU()``).
    rng : numpy.random.Generator
    init : str
        ``"auto"``: the variance derived for the activation (:func:`auto_init`;
        the output layer: Xavier).  Any :func:`initialise` name
        applies to every layer.
    bias_init : float
        Initial bias of the hidden layers (the output bias starts at 0).
    output : str
        ``"linear"`` (logits, for the losses below) or a registered activation
        applied elementwise to the output.
    weight_scale : float, optional
        Gain passed to every hidden layer's initialiser.
    pieces : int
        Pieces per Maxout unit (only with ``activation="maxout"``).
    """

    def __init__(
        self,
        sizes,
        activation="relu",
        *,
        rng,
        init="auto",
        bias_init=0.0,
        output="linear",
        weight_scale=None,
        pieces=2,
    ):
        _check_rng(rng, "MLP")
        sizes = [_check_int(s, "sizes entries", "MLP") for s in sizes]
        if len(sizes) < 2:
            raise ValueError(f"MLP(): sizes needs at least [n_in, n_out], got {sizes}")
        n_hidden = len(sizes) - 2
        if isinstance(activation, (list, tuple)):
            if len(activation) != n_hidden:
                raise ValueError(f"MLP(): {len(activation)} activations given for {n_hidden} hidden layers")
            specs = list(activation)
        else:
            specs = [activation] * n_hidden
        layers = []
        for i, spec in enumerate(specs):
            layers += _hidden_layer(
                spec,
                sizes[i],
                sizes[i + 1],
                rng=rng,
                init=init,
                bias_init=bias_init,
                weight_scale=weight_scale,
                pieces=pieces,
            )
        out_init = "xavier" if init == "auto" else init
        layers.append(Dense(sizes[-2], sizes[-1], rng=rng, init=out_init))
        output_layer = None
        if output != "linear":
            output_layer = ActivationLayer(output)
            layers.append(output_layer)
        super().__init__(layers)
        self._output_layer = output_layer
        self.sizes = sizes
        self.output = output
        self.activations = [getattr(layer, "name", "custom") for layer in self.hidden_layers]


# --- losses ---------------------------------------------------------------------------


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    L = -(1/N) sum_n log softmax(z_n)_{y_n}, with log-softmax from the stable
    log-sum-exp (:func:`activations.log_softmax`); dL/dz = (softmax(z) - onehot(y)) / N.

    Returns
    -------
    (loss, dlogits) : (float, ndarray of the shape of ``logits``)
    """
    z = _as_batch(logits, "softmax_cross_entropy")
    labels = _as_labels(y, len(z), "softmax_cross_entropy")
    if labels.size and (labels.min() < 0 or labels.max() >= z.shape[1]):
        raise ValueError(f"softmax_cross_entropy(): labels must lie in [0, {z.shape[1] - 1}]")
    logp = log_softmax(z, axis=1)
    n = len(z)
    rows = np.arange(n)
    loss = -float(np.mean(logp[rows, labels]))
    d = np.exp(logp)
    d[rows, labels] -= 1.0
    return loss, d / n


def sigmoid_binary_cross_entropy(logits, y):
    """Mean binary cross-entropy of sigmoid(logits) against 0/1 targets, and its gradient.

    L = (1/N) sum softplus(z) - y z, written max(z, 0) - y z + log1p(e^{-|z|}) so it
    neither overflows nor loses the tail; dL/dz = (σ(z) - y) / N.  ``logits`` may be
    (N,) or (N, 1); ``y`` is reshaped to match.
    """
    z = np.asarray(logits, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    if t.size != z.size:
        raise ValueError(f"sigmoid_binary_cross_entropy(): {t.size} targets for {z.size} logits")
    t = t.reshape(z.shape)
    if np.any((t < 0) | (t > 1)):
        raise ValueError("sigmoid_binary_cross_entropy(): targets must lie in [0, 1]")
    n = z.shape[0] if z.ndim else 1
    loss = float(np.sum(np.maximum(z, 0.0) - t * z + np.log1p(np.exp(-np.abs(z)))) / n)
    return loss, (sigmoid(z) - t) / n


def mse(pred, target):
    """Mean squared error over all entries, L = mean((p - t)^2), and dL/dp = 2 (p - t) / size."""
    p = np.asarray(pred, dtype=np.float64)
    t = np.asarray(target, dtype=np.float64)
    if t.size != p.size:
        raise ValueError(f"mse(): {t.size} targets for {p.size} predictions")
    diff = p - t.reshape(p.shape)
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


LOSSES = {
    "cross_entropy": softmax_cross_entropy,
    "binary_cross_entropy": sigmoid_binary_cross_entropy,
    "mse": mse,
}


def _loss_fn(loss, fname):
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"{fname}(): unknown loss {loss!r}; valid: {', '.join(LOSSES)} or a callable")
    return LOSSES[loss]


# --- optimisers -----------------------------------------------------------------------


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum.

    v <- μ v - η g;  p <- p + v   (μ = 0: plain p <- p - η g).
    """

    def __init__(self, lr, momentum=0.0):
        self.lr = _check_positive(lr, "lr", "SGD")
        self.momentum = _check_positive(momentum, "momentum", "SGD", allow_zero=True)
        if self.momentum >= 1:
            raise ValueError(f"SGD(): momentum must be < 1, got {momentum}")
        self._v = None

    def step(self, params, grads):
        """Update every array in ``params`` in place."""
        if self._v is None or len(self._v) != len(params):
            self._v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self._v, strict=True):
            if self.momentum:
                v *= self.momentum
                v -= self.lr * g
                p += v
            else:
                p -= self.lr * g


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction.

    m <- β1 m + (1-β1) g;  v <- β2 v + (1-β2) g²;
    p <- p - η m̂ / (sqrt(v̂) + ε),  m̂ = m / (1-β1^t), v̂ = v / (1-β2^t).
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = _check_positive(lr, "lr", "Adam")
        self.beta1 = _check_positive(beta1, "beta1", "Adam", allow_zero=True)
        self.beta2 = _check_positive(beta2, "beta2", "Adam", allow_zero=True)
        if self.beta1 >= 1 or self.beta2 >= 1:
            raise ValueError("Adam(): beta1 and beta2 must be < 1")
        self.eps = _check_positive(eps, "eps", "Adam")
        self.t = 0
        self._m = self._v = None

    def step(self, params, grads):
        """Update every array in ``params`` in place."""
        if self._m is None or len(self._m) != len(params):
            self._m = [np.zeros_like(p) for p in params]
            self._v = [np.zeros_like(p) for p in params]
            self.t = 0
        self.t += 1
        c1 = 1.0 - self.beta1**self.t
        c2 = 1.0 - self.beta2**self.t
        for p, g, m, v in zip(params, grads, self._m, self._v, strict=True):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


# --- training -------------------------------------------------------------------------


def _single_thread_blas():
    """Limit BLAS to one thread while training.

    The matrices here are tiny (batch 32 x 64 units): a multi-threaded BLAS spends more
    time synchronising threads than multiplying (measured ~5x slower on a loaded
    2-core machine).  threadpoolctl ships with scikit-learn; without it, do nothing.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn (and threadpoolctl) is pinned
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


@dataclass
class History:
    """Per-epoch record of :func:`train`.

    ``loss``: mean training loss over the epoch's mini-batches (sample-weighted);
    ``train_acc`` / ``val_acc``: accuracy after the epoch (empty for ``mse`` /
    without validation data); ``val_loss``; ``grad_norms``: array (epochs, n_dense)
    of the mean Frobenius norm of dL/dW per affine layer (layer 1 nearest the input),
    filled when ``record_grad_norms=True``; ``seconds``: wall time of training.
    """

    loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    grad_norms: np.ndarray | None = None
    seconds: float = 0.0

    def __getitem__(self, key):  # dict-style access, e.g. history["val_acc"]
        return getattr(self, key)

    def as_dict(self) -> dict:
        return {
            "loss": np.asarray(self.loss),
            "train_acc": np.asarray(self.train_acc),
            "val_acc": np.asarray(self.val_acc),
            "val_loss": np.asarray(self.val_loss),
            "grad_norms": self.grad_norms,
            "seconds": self.seconds,
        }


def accuracy(model, X, y) -> float:
    """Fraction of correct predictions.

    For class labels ``y`` of shape (N,): the fraction of samples whose predicted class
    (``model.predict``) equals ``y``.  For multi-label 0/1 targets of shape (N, K), K > 1
    (one sigmoid per label): the fraction of the N*K labels with (logit > 0) == target.
    """
    targets = np.asarray(y)
    if targets.ndim == 2 and targets.shape[1] > 1:
        out = model.forward(X)
        if out.shape != targets.shape:
            raise ValueError(f"accuracy(): targets of shape {targets.shape} for outputs of shape {out.shape}")
        return float(np.mean((out > 0) == (targets > 0.5)))
    pred = model.predict(X)
    labels = _as_labels(y, len(pred), "accuracy")
    return float(np.mean(pred == labels))


def train(
    model,
    X,
    y,
    *,
    loss="cross_entropy",
    optimizer,
    epochs,
    batch_size,
    rng,
    X_val=None,
    y_val=None,
    record_grad_norms=False,
    callback=None,
) -> History:
    """Mini-batch training: shuffle with ``rng`` each epoch, forward, loss, backward, step.

    Parameters
    ----------
    model : Sequential / MLP
    X, y : arrays
        Inputs (n, n_in) and targets (integer labels for the cross-entropies,
        values for ``mse``).  Not modified.
    loss : {"cross_entropy", "binary_cross_entropy", "mse"} or callable
        A callable takes (output, y_batch) and returns (loss, d loss / d output).
    optimizer : SGD or Adam (anything with ``step(params, grads)``)
    epochs, batch_size : int
    rng : numpy.random.Generator
        Used only to shuffle.
    X_val, y_val : arrays, optional
        Validation data for ``val_acc`` / ``val_loss``.
    record_grad_norms : bool
        Record per-layer weight-gradient norms (see :class:`History`).
    callback : callable, optional
        ``callback(epoch, model, history)`` after every epoch (epoch counts from 1),
        e.g. to record the fraction of dead units as training goes on.  Its run time
        is included in ``history.seconds``.

    Returns
    -------
    History
    """
    _check_rng(rng, "train")
    epochs = _check_int(epochs, "epochs", "train")
    batch_size = _check_int(batch_size, "batch_size", "train")
    if callback is not None and not callable(callback):
        raise TypeError(f"train(): callback must be callable, got {type(callback).__name__}")
    if not hasattr(optimizer, "step"):
        raise TypeError(f"train(): optimizer must have a step(params, grads) method, got {type(optimizer).__name__}")
    loss_fn = _loss_fn(loss, "train")
    X = _as_batch(X, "train")
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"train(): {len(y)} targets for {len(X)} samples")
    if (X_val is None) != (y_val is None):
        raise ValueError("train(): give both X_val and y_val, or neither")
    classify = loss in ("cross_entropy", "binary_cross_entropy")
    history = History()
    dense = model.dense_layers if hasattr(model, "dense_layers") else []
    norms = []
    params, grads = model.params(), model.grads()
    n = len(X)
    with _single_thread_blas():
        start = time.perf_counter()
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n)
            total = 0.0
            epoch_norms = np.zeros(len(dense))
            n_batches = 0
            for lo in range(0, n, batch_size):
                idx = order[lo : lo + batch_size]
                value, dout = loss_fn(model.forward(X[idx]), y[idx])
                model.backward(dout)
                if record_grad_norms:
                    epoch_norms += [np.linalg.norm(d.dW) for d in dense]
                optimizer.step(params, grads)
                total += value * len(idx)
                n_batches += 1
            history.loss.append(total / n)
            if record_grad_norms:
                norms.append(epoch_norms / n_batches)
            if classify:
                history.train_acc.append(accuracy(model, X, y))
            if X_val is not None:
                history.val_loss.append(loss_fn(model.forward(X_val), y_val)[0])
                if classify:
                    history.val_acc.append(accuracy(model, X_val, y_val))
            if callback is not None:
                callback(epoch, model, history)
        history.seconds = time.perf_counter() - start
    if record_grad_norms:
        history.grad_norms = np.array(norms)
    return history


# --- gradient checking ----------------------------------------------------------------


def numerical_gradient(f, x, *, eps=1e-6):
    """Central-difference gradient of the scalar function ``f()`` with respect to array ``x``.

    (f(x + h e_i) - f(x - h e_i)) / (2h) for every entry i; error O(h^2) for smooth f.
    ``x`` is perturbed in place one entry at a time (that is how ``f`` sees the
    change) and every entry is restored before returning.

    Parameters
    ----------
    f : callable
        ``f()`` -> float, reading ``x`` (e.g. a loss of a model whose parameter is ``x``).
    x : ndarray of float64
    eps : float
        Step h.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numerical_gradient(): x must be a float64 ndarray (perturbed in place, then restored)")
    eps = _check_positive(eps, "eps", "numerical_gradient")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient(): x must be contiguous")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        fp = f()
        flat[i] = old - eps
        fm = f()
        flat[i] = old
        gflat[i] = (fp - fm) / (2.0 * eps)
    return grad


def gradient_check(model, X, y, *, loss="cross_entropy", eps=1e-6) -> list[float]:
    """Max relative error between backprop and central differences, per parameter array.

    Relative error = max |g_bp - g_fd| / max(1e-8, max|g_bp| + max|g_fd|); float64
    with a correct backward gives ~1e-7 or less for smooth activations.
    """
    loss_fn = _loss_fn(loss, "gradient_check")
    out = model.forward(X)
    _, dout = loss_fn(out, y)
    model.backward(dout)
    analytic = [g.copy() for g in model.grads()]

    def f():
        return loss_fn(model.forward(X), y)[0]

    errors = []
    for p, g in zip(model.params(), analytic, strict=True):
        num = numerical_gradient(f, p, eps=eps)
        scale = max(1e-8, np.max(np.abs(g)) + np.max(np.abs(num)))
        errors.append(float(np.max(np.abs(g - num)) / scale))
    return errors
