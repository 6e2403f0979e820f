"""Weight initialisers and the choice ``init="auto"`` makes per activation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import gains
from .._validation import check_int as _check_int
from .._validation import check_positive as _check_positive
from .._validation import check_rng as _check_rng
from ..core import Activation, names
from ..spec import SPECS


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
#: nothing for negative x (``init="he"`` in their rows of :mod:`activations.spec`), plus the
#: learnable PReLU layer.  ``init="auto"`` no longer uses this set: see :func:`auto_init`.
RELU_FAMILY = frozenset({name for name, row in SPECS.items() if row.init == "he"} | {"learnable_prelu"})


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
    if isinstance(activation, Activation):
        return gains.derived_init(activation)
    name = str(activation)
    if name == "maxout":
        return "lecun"
    if name == "learnable_prelu":
        name = "prelu"
    if name in names():
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
