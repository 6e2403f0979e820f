"""The registry: ``names()``, ``get(name, **params)`` and the :class:`Activation` object;
``gated_names()``, ``get_gated(name)`` and :class:`GatedActivation` for two-input units.

An :class:`Activation` ties a SymPy definition (:mod:`activations.definitions`) to its
NumPy kernels through its row in :mod:`activations.spec`.  Its symbolic side (``expr``,
``dexpr``, ``properties``) is computed lazily and cached.  (``import activations`` still
loads SymPy: the definitions are SymPy expressions.)
"""

from __future__ import annotations

import numpy as np

from . import definitions
from ._validation import as_float_array, as_kernel_input, finish, int_param
from .properties import derive
from .spec import GATED, SPECS

__all__ = ["Activation", "GatedActivation", "names", "gated_names", "get", "get_gated", "SPECS", "GATED"]


def names() -> list[str]:
    """Registered (elementwise) activation names, sorted."""
    return sorted(SPECS)


def gated_names() -> list[str]:
    """Registered gated units (two inputs), sorted."""
    return sorted(GATED)


def as_activation(activation, fname: str) -> Activation:
    """``activation`` itself, or the registered activation of that name (for tools that take either)."""
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        return get(activation)
    raise TypeError(f"{fname}(): activation must be a name or an Activation, got {type(activation).__name__}")


def _resolve_params(name: str, params: dict) -> dict:
    return SPECS[name].check(name, params)


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


def _split(x, axis, fname):
    arr, dtype = as_float_array(x, fname)
    axis = int_param(axis, "axis", fname, minimum=None)
    if arr.ndim == 0:
        raise ValueError(f"{fname}(): needs at least a 1-d array, got a 0-d input")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"{fname}(): axis {axis} is out of range for an array with {arr.ndim} dimension(s)")
    n = arr.shape[axis]
    if n % 2:
        raise ValueError(f"{fname}(): axis {axis} has odd length {n}; it is split into value and gate halves")
    a, b = np.split(arr, 2, axis=axis)
    return a, b, dtype, axis


class GatedActivation:
    """A gated unit h(a, b) = a g(b) (GLU family): two inputs, one output.

    ``h(x, axis=-1)`` splits ``axis`` (even length 2k) into the value half a = x[..., :k]
    and the gate half b = x[..., k:], as ``torch.nn.functional.glu``; the output has
    length k along ``axis``.

    Examples
    --------
    >>> import activations as act
    >>> g = act.get_gated("glu")
    >>> g([2.0, 0.0]).tolist()  # 2 * sigmoid(0)
    [1.0]
    """

    __slots__ = ("name", "_spec")

    def __init__(self, name: str):
        if name not in GATED:
            raise KeyError(f"unknown gated unit {name!r}; valid names: {', '.join(gated_names())}")
        self.name = name
        self._spec = GATED[name]

    @property
    def gate(self) -> Activation:
        """The elementwise activation g applied to the gate half."""
        return Activation(self._spec.gate)

    def __call__(self, x, axis=-1):
        """h(a, b) with (a, b) the two halves of ``axis``; float dtype kept."""
        a, b, dtype, _ = _split(x, axis, self.name)
        with np.errstate(all="ignore"):
            return finish(np.asarray(self._spec.value(a, b), dtype=np.float64), dtype)

    def partials(self, a, b):
        """(∂h/∂a, ∂h/∂b) elementwise at value inputs ``a`` and gate inputs ``b``."""
        fname = f"{self.name}.partials"
        a, dtype = as_float_array(a, fname)
        b, _ = as_float_array(b, fname)
        if a.shape != b.shape:
            raise ValueError(f"{fname}(): a and b must have the same shape, got {a.shape} and {b.shape}")
        with np.errstate(all="ignore"):
            da, db = self._spec.partials(a, b)
            return finish(np.asarray(da, dtype=np.float64), dtype), finish(np.asarray(db, dtype=np.float64), dtype)

    def backward(self, x, dout, axis=-1):
        """dL/dx for upstream dL/dh = ``dout``: the two halves (dout ∂h/∂a, dout ∂h/∂b) joined."""
        a, b, dtype, axis = _split(x, axis, f"{self.name}.backward")
        g = np.asarray(dout, dtype=np.float64)
        if g.shape != a.shape:
            raise ValueError(f"{self.name}.backward(): dout has shape {g.shape}, the output has {a.shape}")
        with np.errstate(all="ignore"):
            da, db = self._spec.partials(a, b)
            return finish(np.concatenate([g * da, g * db], axis=axis), dtype)

    @property
    def expr(self):
        """SymPy h(a, b) in :data:`activations.definitions.a` (value) and ``b`` (gate)."""
        return definitions.gated_expression(self.name)

    @property
    def partial_exprs(self):
        """(∂h/∂a, ∂h/∂b) by ``sympy.diff``."""
        return definitions.gated_partials(self.name)

    def __repr__(self):
        return f"GatedActivation({self.name!r})"

    def __eq__(self, other):
        return isinstance(other, GatedActivation) and self.name == other.name

    def __hash__(self):
        return hash(("gated", self.name))


def get_gated(name: str) -> GatedActivation:
    """The :class:`GatedActivation` called ``name``; ``KeyError`` lists valid names."""
    if not isinstance(name, str):
        raise TypeError(f"get_gated(): name must be a string, got {type(name).__name__}")
    return GatedActivation(name)
