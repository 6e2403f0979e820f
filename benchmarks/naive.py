"""The naive textbook formulas, one value and one derivative per activation.

These are the formulas as the source notes (and most tutorials) write them, typed
straight into NumPy: ``1/(1+np.exp(-x))``, ``(e^x - e^-x)/(e^x + e^-x)``,
σ(1 - σ), 1 - tanh², ``log(1 + e^x)``, ``0.5 x (1 + erf(x/√2))``,
``x tanh(log(1 + e^x))``, ...  They are the baseline the benchmarks compare our
kernels with, for accuracy and for speed.

Rules followed so the comparison is about numerics and nothing else:

* a derivative reuses the naive value of the same function where the textbook
  derivative is written in terms of it (σ' = σ(1 - σ) with the naive σ,
  tanh' = 1 - tanh² with the naive tanh);
* where the textbook is silent about a kink (ReLU family, hard_*), the derivative
  follows the course's (PyTorch's) convention, so no error is counted for a
  convention;
* an activation without a hand-written formula here gets its SymPy definition
  evaluated in floats as written (``sympy.lambdify``), which *is* the textbook formula;
* the dtype of the input is kept (float32 in, float32 arithmetic), as a student's
  code would do; overflow / invalid warnings are silenced (the results, inf and
  NaN included, are what is measured).

Every function takes an ``ndarray`` and returns a new one; inputs are not modified.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from scipy import special

import activations as act

__all__ = ["VALUES", "GRADS", "value", "grad", "names"]

SQRT_2 = 1.4142135623730951
SQRT_2_OVER_PI = 0.7978845608028654
INV_SQRT_2PI = 0.3989422804014327
GELU_TANH_C = 0.044715
SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772


def _quiet(fn):
    """Run ``fn`` with floating-point warnings off: overflow to inf, inf/inf -> NaN
    are exactly the naive behaviour being measured."""

    @functools.wraps(fn)
    def wrapper(x, **params):
        with np.errstate(all="ignore"):
            return fn(x, **params)

    return wrapper


def _one(x):
    return x.dtype.type(1)


def _zero(x):
    return x.dtype.type(0)


# --- values ---------------------------------------------------------------------------


def linear(x):
    """f(x) = c x with c = 1."""
    return 1.0 * x


def sigmoid(x):
    """σ(x) = 1 / (1 + e^{-x})."""
    return 1.0 / (1.0 + np.exp(-x))


def tanh(x):
    """tanh(x) = (e^x - e^{-x}) / (e^x + e^{-x})."""
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def relu(x):
    """max(0, x)."""
    return np.maximum(0.0, x)


def leaky_relu(x, negative_slope=0.01):
    """max(a x, x) (valid for a < 1, as in the notes)."""
    return np.maximum(negative_slope * x, x)


def prelu(x, alpha=0.25):
    """max(α x, x)."""
    return np.maximum(alpha * x, x)


def elu(x, alpha=1.0):
    """x for x > 0, α(e^x - 1) otherwise."""
    return np.where(x > 0, x, alpha * (np.exp(x) - 1.0))


def celu(x, alpha=1.0):
    """x for x > 0, α(e^{x/α} - 1) otherwise."""
    return np.where(x > 0, x, alpha * (np.exp(x / alpha) - 1.0))


def selu(x):
    """λ x for x > 0, λ α (e^x - 1) otherwise."""
    return SELU_LAMBDA * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1.0))


def gelu(x):
    """0.5 x (1 + erf(x / √2))."""
    return 0.5 * x * (1.0 + special.erf(x / SQRT_2))


def gelu_tanh(x):
    """0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))."""
    return 0.5 * x * (1.0 + np.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_C * x**3)))


def silu(x):
    """x σ(x)."""
    return x * sigmoid(x)


def swish(x, beta=1.0):
    """x σ(β x)."""
    return x * sigmoid(beta * x)


def softplus(x, beta=1.0, threshold=None):
    """(1/β) log(1 + e^{β x}); with a threshold, x where β x > threshold."""
    out = np.log(1.0 + np.exp(beta * x)) / beta
    if threshold is not None:
        out = np.where(beta * x > threshold, x, out)
    return out


def mish(x):
    """x tanh(log(1 + e^x))."""
    return x * np.tanh(np.log(1.0 + np.exp(x)))


def softsign(x):
    """x / (1 + |x|)."""
    return x / (1.0 + np.abs(x))


def hard_sigmoid(x):
    """relu6(x + 3) / 6 = min(max(x + 3, 0), 6) / 6."""
    return np.minimum(np.maximum(x + 3.0, 0.0), 6.0) / 6.0


def hard_tanh(x):
    """max(-1, min(1, x))."""
    return np.maximum(-1.0, np.minimum(1.0, x))


def hard_swish(x):
    """x relu6(x + 3) / 6."""
    return x * np.minimum(np.maximum(x + 3.0, 0.0), 6.0) / 6.0


# --- derivatives ----------------------------------------------------------------------


def linear_grad(x):
    """f'(x) = c = 1."""
    return np.ones_like(x)


def sigmoid_grad(x):
    """σ'(x) = σ(x)(1 - σ(x))."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh_grad(x):
    """tanh'(x) = 1 - tanh²(x)."""
    return 1.0 - tanh(x) ** 2


def relu_grad(x):
    """1 for x > 0, else 0."""
    return np.where(x > 0, _one(x), _zero(x))


def leaky_relu_grad(x, negative_slope=0.01):
    """1 for x > 0, a otherwise."""
    return np.where(x > 0, _one(x), x.dtype.type(negative_slope))


def prelu_grad(x, alpha=0.25):
    """1 for x > 0, α otherwise."""
    return np.where(x > 0, _one(x), x.dtype.type(alpha))


def elu_grad(x, alpha=1.0):
    """1 for x > 0, α e^x otherwise."""
    return np.where(x > 0, _one(x), alpha * np.exp(x))


def celu_grad(x, alpha=1.0):
    """1 for x > 0, e^{x/α} otherwise."""
    return np.where(x > 0, _one(x), np.exp(x / alpha))


def selu_grad(x):
    """λ for x > 0, λ α e^x otherwise."""
    return SELU_LAMBDA * np.where(x > 0, _one(x), SELU_ALPHA * np.exp(x))


def gelu_grad(x):
    """0.5 (1 + erf(x/√2)) + x φ(x), φ(x) = e^{-x²/2} / √(2π)."""
    return 0.5 * (1.0 + special.erf(x / SQRT_2)) + x * INV_SQRT_2PI * np.exp(-0.5 * x * x)


def gelu_tanh_grad(x):
    """0.5 (1 + t) + 0.5 x (1 - t²) √(2/π)(1 + 3 c x²), t = tanh(√(2/π)(x + c x³))."""
    t = np.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_C * x**3))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_C * x * x)


def silu_grad(x):
    """σ(x) + x σ(x)(1 - σ(x))."""
    s = sigmoid(x)
    return s + x * s * (1.0 - s)


def swish_grad(x, beta=1.0):
    """σ(βx) + β x σ(βx)(1 - σ(βx))."""
    s = sigmoid(beta * x)
    return s + beta * x * s * (1.0 - s)


def softplus_grad(x, beta=1.0, threshold=None):
    """σ(β x) = 1 / (1 + e^{-β x}); 1 where β x > threshold when there is one."""
    out = sigmoid(beta * x)
    if threshold is not None:
        out = np.where(beta * x > threshold, _one(x), out)
    return out


def mish_grad(x):
    """tanh(sp) + x (1 - tanh²(sp)) σ(x), sp = log(1 + e^x)."""
    t = np.tanh(np.log(1.0 + np.exp(x)))
    return t + x * (1.0 - t * t) * sigmoid(x)


def softsign_grad(x):
    """1 / (1 + |x|)²."""
    return 1.0 / (1.0 + np.abs(x)) ** 2


def hard_sigmoid_grad(x):
    """1/6 for -3 < x < 3, else 0."""
    return np.where((x > -3.0) & (x < 3.0), x.dtype.type(1.0 / 6.0), _zero(x))


def hard_tanh_grad(x):
    """1 for -1 < x < 1, else 0."""
    return np.where((x > -1.0) & (x < 1.0), _one(x), _zero(x))


def hard_swish_grad(x):
    """0 for x <= -3, (2x + 3)/6 for -3 < x < 3, 1 for x >= 3 (the course's kink convention)."""
    return np.where(x <= -3.0, 0.0 * x, np.where(x < 3.0, (2.0 * x + 3.0) / 6.0, _one(x)))


_NAMES = [
    "linear", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "celu", "selu",
    "gelu", "gelu_tanh", "silu", "swish", "softplus", "mish", "softsign",
    "hard_sigmoid", "hard_tanh", "hard_swish",
]  # fmt: skip


@functools.lru_cache(maxsize=None)
def _from_sympy(name: str, derivative: bool, key: tuple):
    """The SymPy definition (or its derivative) evaluated in floats as written: the
    textbook formula, for an activation without a hand-written naive version."""
    a = act.get(name, **dict(key))
    return sp.lambdify(act.x, a.dexpr if derivative else a.expr, modules="numpy")


def _sympy_naive(name: str, derivative: bool):
    def f(x, **params):
        fn = _from_sympy(name, derivative, tuple(sorted(act.get(name, **params).params.items())))
        with np.errstate(all="ignore"):
            out = np.asarray(fn(x), dtype=x.dtype)
        return np.broadcast_to(out, np.shape(x)).copy()

    return f


#: name -> naive value function ``f(x, **params)`` (hand-written, else the SymPy formula).
VALUES = {n: _quiet(globals()[n]) if n in _NAMES else _sympy_naive(n, False) for n in act.names()}
#: name -> naive derivative function ``f'(x, **params)``.
GRADS = {n: _quiet(globals()[n + "_grad"]) if n in _NAMES else _sympy_naive(n, True) for n in act.names()}


def names() -> list[str]:
    """Activations that have a naive formula (sorted): every registered one."""
    return sorted(VALUES)


def value(name: str, x: np.ndarray, **params) -> np.ndarray:
    """Naive f(x) for activation ``name`` (dtype of ``x`` kept)."""
    return VALUES[name](x, **params)


def grad(name: str, x: np.ndarray, **params) -> np.ndarray:
    """Naive f'(x) for activation ``name`` (dtype of ``x`` kept)."""
    return GRADS[name](x, **params)
