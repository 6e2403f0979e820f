"""The registry: ``names()``, ``get(name, **params)`` and the :class:`Activation` object.

An :class:`Activation` ties a SymPy definition (:mod:`activations.definitions`) to
its NumPy kernels (:mod:`activations.kernels`).  Its symbolic side (``expr``,
``dexpr``, ``properties``) is computed lazily and cached, so numeric use never pays
for SymPy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import definitions, kernels
from ._validation import as_kernel_input, finish, real_param

__all__ = ["Activation", "names", "get", "SPECS"]


@dataclass(frozen=True)
class _Spec:
    value: Callable
    grad: Callable
    check: Callable[[str, dict], dict]  # validates parameters, returns them as floats


def _no_params(fname, params):
    return {}


def _finite(*names):
    def check(fname, params):
        return {n: real_param(params[n], n, fname) for n in names}

    return check


def _celu_check(fname, params):
    return {"alpha": real_param(params["alpha"], "alpha", fname, nonzero=True)}


def _swish_check(fname, params):
    return {"beta": real_param(params["beta"], "beta", fname, nonnegative=True)}


def _softplus_check(fname, params):
    beta = real_param(params["beta"], "beta", fname, positive=True)
    thr = params["threshold"]
    thr = None if thr is None else real_param(thr, "threshold", fname)
    return {"beta": beta, "threshold": thr}


K = kernels
SPECS = {
    "linear": _Spec(K.linear, K.linear_grad, _no_params),
    "sigmoid": _Spec(K.sigmoid, K.sigmoid_grad, _no_params),
    "tanh": _Spec(K.tanh, K.tanh_grad, _no_params),
    "relu": _Spec(K.relu, K.relu_grad, _no_params),
    "leaky_relu": _Spec(K.leaky_relu, K.leaky_relu_grad, _finite("negative_slope")),
    "prelu": _Spec(K.prelu, K.prelu_grad, _finite("alpha")),
    "elu": _Spec(K.elu, K.elu_grad, _finite("alpha")),
    "celu": _Spec(K.celu, K.celu_grad, _celu_check),
    "selu": _Spec(K.selu, K.selu_grad, _no_params),
    "gelu": _Spec(K.gelu, K.gelu_grad, _no_params),
    "gelu_tanh": _Spec(K.gelu_tanh, K.gelu_tanh_grad, _no_params),
    "silu": _Spec(K.silu, K.silu_grad, _no_params),
    "swish": _Spec(K.swish, K.swish_grad, _swish_check),
    "softplus": _Spec(K.softplus, K.softplus_grad, _softplus_check),
    "mish": _Spec(K.mish, K.mish_grad, _no_params),
    "softsign": _Spec(K.softsign, K.softsign_grad, _no_params),
    "hard_sigmoid": _Spec(K.hard_sigmoid, K.hard_sigmoid_grad, _no_params),
    "hard_tanh": _Spec(K.hard_tanh, K.hard_tanh_grad, _no_params),
    "hard_swish": _Spec(K.hard_swish, K.hard_swish_grad, _no_params),
}
assert set(SPECS) == set(definitions.DEFINITIONS)


def names() -> list[str]:
    """Registered activation names, sorted."""
    return sorted(SPECS)


def _resolve_params(name: str, params: dict) -> dict:
    defaults = definitions.DEFAULTS.get(name, {})
    unknown = set(params) - set(defaults)
    if unknown:
        allowed = ", ".join(defaults) or "none"
        raise TypeError(f"{name}(): unexpected parameter(s) {sorted(unknown)}; allowed: {allowed}")
    return SPECS[name].check(name, {**defaults, **params})


def _apply(kernel, fname, x, params):
    arr, dtype = as_kernel_input(x, fname)
    # Overflow to inf, underflow to 0 and the inf * 0 at x = ±inf are intended in the
    # kernels (the ±inf results are replaced by their limits there), and so is the
    # overflow of e.g. selu(float32 max) when cast back to float32: no warnings, and
    # the caller's np.errstate (even all="raise") does not change the results.
    with np.errstate(all="ignore"):
        out = kernel(arr, **params)
        return finish(out, dtype)


class Activation:
    """One activation with fixed parameters: value, derivative and symbolic side.

    Parameters
    ----------
    name : str
        A registered name (see :func:`names`).
    **params
        The activation's parameters (names as in ``torch.nn.functional``).

    Examples
    --------
    >>> import activations as act
    >>> a = act.get("elu", alpha=1.0)
    >>> float(a(0.5)), float(a.grad(-1.0))
    (0.5, 0.36787944117144233)
    """

    __slots__ = ("name", "params", "_spec")

    def __init__(self, name: str, **params):
        if name not in SPECS:
            raise KeyError(f"unknown activation {name!r}; valid names: {', '.join(names())}")
        self.name = name
        self.params = _resolve_params(name, params)
        self._spec = SPECS[name]

    def __call__(self, x):
        """Value f(x), elementwise; array in, array out, float dtype kept."""
        return _apply(self._spec.value, self.name, x, self.params)

    def grad(self, x):
        """Derivative f'(x), elementwise, with the documented convention at kinks."""
        return _apply(self._spec.grad, f"{self.name}.grad", x, self.params)

    @property
    def expr(self):
        """SymPy expression of f in :data:`activations.x` (the single source of truth)."""
        return definitions.expression(self.name, **self.params)

    @property
    def dexpr(self):
        """``sympy.diff(expr, x)``, simplified."""
        return definitions.derivative(self.name, **self.params)

    @property
    def properties(self) -> dict:
        """Properties derived with SymPy (limits, range, monotonicity, smoothness, ...)."""
        from .properties import derive  # tools layer, imported lazily

        return derive(self.name, **self.params)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Activation({self.name!r}{', ' if args else ''}{args})"

    def __eq__(self, other):
        return isinstance(other, Activation) and (self.name, self.params) == (other.name, other.params)

    def __hash__(self):
        return hash((self.name, tuple(sorted(self.params.items()))))


def get(name: str, **params) -> Activation:
    """The :class:`Activation` called ``name`` with ``params``; ``KeyError`` lists valid names."""
    if not isinstance(name, str):
        raise TypeError(f"get(): name must be a string, got {type(name).__name__}")
    return Activation(name, **params)
