"""Normalisation layers, residual blocks and alpha-dropout.

* :class:`BatchNorm` (Ioffe & Szegedy 2015): per feature, over the batch;
  train mode uses the batch statistics and updates running estimates, eval mode uses them.
* :class:`LayerNorm` (Ba et al. 2016): per sample, over the features.
* :class:`RMSNorm` (Zhang & Sennrich 2019): per sample, divide by the root mean square.
* :class:`Residual` (He et al. 2016): x + s·f(norm(x)) (pre-norm) or norm(x + s·f(x)) (post-norm).
* :class:`AlphaDropout` (Klambauer et al. 2017): dropout that keeps SELU's mean 0 / variance 1.

Layers with a train/eval difference have a ``training`` flag; :func:`set_training` sets it
on every layer of a model (:func:`activations.nn.train` trains in train mode and evaluates
in eval mode).  None of these layers is ``nonlinear`` (they are not recorded as hidden layers).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int as _check_int
from .._validation import check_rng as _check_rng
from .layers import Layer, Sequential, _check_dtype

__all__ = ["BatchNorm", "LayerNorm", "RMSNorm", "Residual", "AlphaDropout", "set_training", "walk"]


def _check_unit(value, name, fname, *, open_high=True):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{fname}(): {name} must be a real number, got {type(value).__name__}") from None
    if isinstance(value, bool) or not (0.0 <= v < 1.0 if open_high else 0.0 < v <= 1.0):
        raise ValueError(f"{fname}(): {name} must lie in [0, 1), got {value!r}")
    return v


def _check_eps(eps, fname):
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
        raise ValueError(f"{fname}(): eps must be a positive number, got {eps!r}")
    return float(eps)


def _check_width(X, n, fname):
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[1] != n:
        shape = getattr(X, "shape", None)
        raise ValueError(f"{fname}(): expected a batch of shape (n, {n}), got {shape}")


class _Affine(Layer):
    """Shared learnable scale γ (ones) and shift β (zeros) of width ``n``."""

    nonlinear = False

    def __init__(self, n_features, fname, dtype, shift=True):
        self.n_features = _check_int(n_features, "n_features", fname)
        dtype = _check_dtype(dtype, fname)
        self.gamma = np.ones(self.n_features, dtype=dtype)
        self.dgamma = np.zeros_like(self.gamma)
        self.beta = np.zeros(self.n_features, dtype=dtype) if shift else None
        self.dbeta = np.zeros_like(self.gamma) if shift else None

    def params(self):
        return [self.gamma] if self.beta is None else [self.gamma, self.beta]

    def grads(self):
        return [self.dgamma] if self.beta is None else [self.dgamma, self.dbeta]


def _standardise_backward(dxhat, xhat, inv_std, axis):
    """dL/dx for xhat = (x - mean) · inv_std with mean and (biased) variance over ``axis``:
    inv_std · (dxhat - mean(dxhat) - xhat · mean(dxhat · xhat))."""
    m1 = dxhat.mean(axis=axis, keepdims=True)
    m2 = (dxhat * xhat).mean(axis=axis, keepdims=True)
    return inv_std * (dxhat - m1 - xhat * m2)


class BatchNorm(_Affine):
    """Batch normalisation over the batch axis (Ioffe & Szegedy 2015).

    Train mode, for a batch X of N rows:
    μ = mean_rows X, v = mean_rows (X - μ)², x̂ = (X - μ)/√(v + ε), y = γ x̂ + β, and the
    running statistics move: m ← (1 - p) m + p μ, r ← (1 - p) r + p v·N/(N - 1) (unbiased,
    as PyTorch).  Eval mode: x̂ = (X - m)/√(r + ε), a fixed affine map.

    Backward (train mode), with g = γ dL/dy:
    dL/dX = (g - mean_rows g - x̂ mean_rows(g x̂)) / √(v + ε); dL/dγ = Σ_rows dL/dy · x̂;
    dL/dβ = Σ_rows dL/dy.

    Parameters
    ----------
    n_features : int
    momentum : float in [0, 1)
        p above (PyTorch's default 0.1).
    eps : float
    dtype : {"float64", "float32"}
    """

    def __init__(self, n_features, *, momentum=0.1, eps=1e-5, dtype="float64"):
        super().__init__(n_features, "BatchNorm", dtype)
        self.momentum = _check_unit(momentum, "momentum", "BatchNorm")
        self.eps = _check_eps(eps, "BatchNorm")
        self.running_mean = np.zeros(self.n_features, dtype=self.gamma.dtype)
        self.running_var = np.ones(self.n_features, dtype=self.gamma.dtype)
        self.training = True
        self._cache = None

    def forward(self, X):
        _check_width(X, self.n_features, "BatchNorm")
        if self.training:
            if len(X) < 2:
                raise ValueError("BatchNorm(): train mode needs a batch of at least 2 rows")
            mu = X.mean(axis=0)
            var = X.var(axis=0)
            p, n = self.momentum, len(X)
            self.running_mean = ((1 - p) * self.running_mean + p * mu).astype(self.gamma.dtype)
            self.running_var = ((1 - p) * self.running_var + p * var * (n / (n - 1))).astype(self.gamma.dtype)
        else:
            mu, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        xhat = (X - mu) * inv_std
        self._cache = (xhat, inv_std.astype(X.dtype, copy=False), self.training)
        return (self.gamma * xhat + self.beta).astype(X.dtype, copy=False)

    def backward(self, dout):
        xhat, inv_std, training = self._cache
        np.sum(dout * xhat, axis=0, out=self.dgamma)
        np.sum(dout, axis=0, out=self.dbeta)
        g = dout * self.gamma
        if not training:
            return g * inv_std
        return _standardise_backward(g, xhat, inv_std, axis=0)

    def __repr__(self):
        return f"BatchNorm({self.n_features})"


class LayerNorm(_Affine):
    """Layer normalisation over the features of each sample (Ba et al. 2016).

    μ = mean_j x_j, v = mean_j (x_j - μ)², x̂ = (x - μ)/√(v + ε), y = γ x̂ + β (γ, β per
    feature).  Same in train and eval mode.  Backward with g = γ dL/dy:
    dL/dx = (g - mean_j g - x̂ mean_j(g x̂)) / √(v + ε).
    """

    def __init__(self, n_features, *, eps=1e-5, dtype="float64"):
        super().__init__(n_features, "LayerNorm", dtype)
        self.eps = _check_eps(eps, "LayerNorm")
        self._cache = None

    def forward(self, X):
        _check_width(X, self.n_features, "LayerNorm")
        mu = X.mean(axis=1, keepdims=True)
        var = X.var(axis=1, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + self.eps)
        xhat = (X - mu) * inv_std
        self._cache = (xhat, inv_std)
        return (self.gamma * xhat + self.beta).astype(X.dtype, copy=False)

    def backward(self, dout):
        xhat, inv_std = self._cache
        np.sum(dout * xhat, axis=0, out=self.dgamma)
        np.sum(dout, axis=0, out=self.dbeta)
        return _standardise_backward(dout * self.gamma, xhat, inv_std, axis=1)

    def __repr__(self):
        return f"LayerNorm({self.n_features})"


class RMSNorm(_Affine):
    """Root-mean-square normalisation (Zhang & Sennrich 2019): no centring, no shift.

    r = √(mean_j x_j² + ε), y = γ x / r.  Backward with g = γ dL/dy:
    dL/dx = g / r - x · mean_j(g x) / r³.  A constant vector x = c·1 maps to γ c/√(c² + ε).
    """

    def __init__(self, n_features, *, eps=1e-8, dtype="float64"):
        super().__init__(n_features, "RMSNorm", dtype, shift=False)
        self.eps = _check_eps(eps, "RMSNorm")
        self._cache = None

    def forward(self, X):
        _check_width(X, self.n_features, "RMSNorm")
        inv_r = 1.0 / np.sqrt(np.mean(X * X, axis=1, keepdims=True) + self.eps)
        xhat = X * inv_r
        self._cache = (xhat, inv_r)
        return (self.gamma * xhat).astype(X.dtype, copy=False)

    def backward(self, dout):
        xhat, inv_r = self._cache
        np.sum(dout * xhat, axis=0, out=self.dgamma)
        g = dout * self.gamma
        return inv_r * (g - xhat * np.mean(g * xhat, axis=1, keepdims=True))

    def __repr__(self):
        return f"RMSNorm({self.n_features})"


def _as_block(obj, name):
    if obj is None:
        return None
    if isinstance(obj, (list, tuple)):
        obj = Sequential(obj)
    if not isinstance(obj, (Layer, Sequential)):
        kind = type(obj).__name__
        raise TypeError(f"Residual(): {name} must be a Layer, a Sequential or a list of layers, got {kind}")
    return obj


class Residual(Layer):
    """Residual block (He et al. 2016): ``inner`` f maps width n to width n.

    * ``norm=None``: y = x + s f(x);
    * pre-norm (``pre_norm=True``, Xiong et al. 2020): y = x + s f(N(x));
    * post-norm (``pre_norm=False``, the original Transformer): y = N(x + s f(x)).

    ``scale`` s multiplies the branch (e.g. 1/√(number of blocks), so that without
    normalisation the second moment grows by a bounded factor (1 + 1/L)^L ≤ e over L blocks
    instead of doubling per block).  Backward: pre-norm dL/dx = G + N'ᵀ(s f'ᵀ G); post-norm
    H = N'ᵀ G, dL/dx = H + s f'ᵀ H.
    """

    nonlinear = False

    def __init__(self, inner, norm=None, *, pre_norm=True, scale=1.0):
        self.inner = _as_block(inner, "inner")
        if self.inner is None:
            raise TypeError("Residual(): inner must be given")
        self.norm = _as_block(norm, "norm")
        self.pre_norm = bool(pre_norm)
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not np.isfinite(scale):
            raise ValueError(f"Residual(): scale must be a finite number, got {scale!r}")
        self.scale = float(scale)

    def children(self):
        return [c for c in (self.norm, self.inner) if c is not None]

    def forward(self, X):
        if self.norm is None:
            return X + self.scale * self.inner.forward(X)
        if self.pre_norm:
            return X + self.scale * self.inner.forward(self.norm.forward(X))
        return self.norm.forward(X + self.scale * self.inner.forward(X))

    def backward(self, dout):
        if self.norm is None:
            return dout + self.inner.backward(self.scale * dout)
        if self.pre_norm:
            return dout + self.norm.backward(self.inner.backward(self.scale * dout))
        h = self.norm.backward(dout)
        return h + self.inner.backward(self.scale * h)

    def params(self):
        return [p for c in self.children() for p in c.params()]

    def grads(self):
        return [g for c in self.children() for g in c.grads()]

    def affine_layers(self):
        out = []
        for c in self.children():
            out += c.dense_layers if isinstance(c, Sequential) else c.affine_layers()
        return out

    def __repr__(self):
        kind = "" if self.norm is None else (", pre_norm" if self.pre_norm else ", post_norm")
        return f"Residual({self.inner!r}, norm={self.norm!r}{kind}, scale={self.scale:g})"


#: SELU's constants (Klambauer et al. 2017): λ and α, and the saturation value -λα.
_SELU_LAMBDA = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SAT = -_SELU_LAMBDA * _SELU_ALPHA


class AlphaDropout(Layer):
    """Alpha-dropout (Klambauer et al. 2017): dropout that keeps mean 0 and variance 1.

    Train mode: each entry is kept with probability q = 1 - rate, else set to SELU's
    saturation value α' = -λα ≈ -1.758; then y = a·x' + b with
    a = (q + α'² q (1 - q))^(-1/2), b = -a (1 - q) α', so an input with mean 0 and
    variance 1 keeps them.  Eval mode: identity.  Backward: dL/dx = a · mask · dL/dy.

    Parameters
    ----------
    rate : float in [0, 1)
        Drop probability.
    rng : numpy.random.Generator
        Draws the masks.
    """

    nonlinear = False

    def __init__(self, rate, *, rng):
        self.rate = _check_unit(rate, "rate", "AlphaDropout")
        self.rng = _check_rng(rng, "AlphaDropout")
        q = 1.0 - self.rate
        self.a = (q + _SELU_SAT**2 * q * (1 - q)) ** -0.5
        self.b = -self.a * (1 - q) * _SELU_SAT
        self.training = True
        self._mask = None

    def forward(self, X):
        if not self.training or self.rate == 0.0:
            self._mask = None
            return X
        keep = self.rng.random(X.shape) >= self.rate
        self._mask = keep
        out = np.where(keep, X, X.dtype.type(_SELU_SAT))
        return (self.a * out + self.b).astype(X.dtype, copy=False)

    def backward(self, dout):
        if self._mask is None:
            return dout
        return (dout * (self.a * self._mask)).astype(dout.dtype, copy=False)

    def __repr__(self):
        return f"AlphaDropout({self.rate:g})"


def walk(model):
    """Every layer of ``model`` (a Sequential or a Layer), depth first, containers included."""
    if isinstance(model, Sequential):
        for layer in model.layers:
            yield from walk(layer)
        return
    yield model
    for child in getattr(model, "children", lambda: [])():
        yield from walk(child)


def set_training(model, training):
    """Put every layer of ``model`` with a ``training`` flag in train (True) or eval (False)
    mode; returns ``model``."""
    for layer in walk(model):
        if hasattr(layer, "training"):
            layer.training = bool(training)
    return model
