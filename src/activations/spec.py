"""One row per activation: every fact about it that is not its SymPy formula.

The formula (and the default parameters, in the builder's signature) is in
:mod:`activations.definitions`; everything else is a field of the activation's row
here, and every other per-activation table of the package is a view of :data:`SPECS`:

==============================  ===================================================
table                           derived from
==============================  ===================================================
``definitions.DEFAULTS``        the builders' signatures
``core`` parameter checks       :attr:`Elementwise.params`
``nn.RELU_FAMILY``, auto init   :attr:`Elementwise.init`
``explorer`` parameter grids    :attr:`Elementwise.explore`
``reference.CONVENTION_POINTS`` :attr:`Elementwise.grad_convention`
``reference.EXTRA_PARAMS``      :attr:`Elementwise.extra_params`
kink points (grids, benchmarks) :func:`activations.symbolic.kinks` (SymPy)
``benchmarks`` torch table      :attr:`Elementwise.torch`
``benchmarks`` naive formulas   hand-written where the textbook form is instructive,
                                else the SymPy formula evaluated in floats
==============================  ===================================================

Adding an elementwise activation: a builder in ``definitions.py``, a value/derivative
kernel pair in ``kernels.py``, a row below, the proof of the kernel's rearrangement in
``tests/test_symbolic.py`` -- the registry, the accuracy tests and benchmarks, the
property table and the explorer pick it up from there.

Gated units (two inputs: value a and gate b, h = a g(b)) have rows of their own type,
:class:`Gated`, in :data:`GATED`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp

from . import definitions, gated, kernels
from ._validation import real_param

__all__ = ["Param", "Elementwise", "Gated", "SPECS", "GATED", "REAL", "POSITIVE", "NONNEGATIVE", "NONZERO"]


@dataclass(frozen=True)
class Param:
    """The check of one parameter: a finite real number with optional sign constraints."""

    positive: bool = False
    nonnegative: bool = False
    nonzero: bool = False
    optional: bool = False  # None allowed (e.g. softplus's threshold)

    def check(self, value, name: str, fname: str):
        if value is None and self.optional:
            return None
        return real_param(
            value, name, fname, positive=self.positive, nonnegative=self.nonnegative, nonzero=self.nonzero
        )


REAL = Param()
POSITIVE = Param(positive=True)
NONNEGATIVE = Param(nonnegative=True)
NONZERO = Param(nonzero=True)


@dataclass(frozen=True)
class Elementwise:
    """One elementwise activation f: R -> R.

    Parameters
    ----------
    name : str
        Registered name (``torch.nn.functional`` spelling).
    value, grad : callable
        The NumPy kernels ``f(x, **params)`` and ``f'(x, **params)`` (:mod:`activations.kernels`).
    params : mapping
        One :class:`Param` check per parameter of the SymPy builder (defaults are the builder's).
    init : {"he", "lecun", "xavier"}
        What ``nn`` initialisation ``init="auto"`` picks: "he" for ReLU-like functions
        (about x for large positive x, about nothing for negative x), "lecun" for SELU.
    explore : (param, values) or None
        The explorer's slider for this activation (static frames).
    extra_params : tuple of dict
        Non-default parameters the accuracy tests cover besides the defaults.
    grad_convention : tuple of float
        Points where the kernel's f' and ``dexpr`` may differ; accuracy checks leave them
        out.  Empty for every row: the definitions obey the kernels' (PyTorch's) kink
        convention (see :mod:`activations.definitions`; relu'(0) = Heaviside(0, 0) = 0).
    torch : callable or None
        ``torch(F, t, **params)`` with ``F = torch.nn.functional``: what a PyTorch user
        writes (benchmarks only; torch is never imported by the package).
    forms : callable or None
        ``forms(**params) -> {"value": expr, "grad": expr}``: the kernels' rearranged
        formulas as SymPy expressions in ``x`` (a Piecewise on the sign of x where the
        kernel branches on it).  ``tests/test_symbolic.py`` proves them equal to the
        definition and its derivative and checks the kernels against them.  (The first
        nineteen activations have hand-written proofs there instead.)
    """

    name: str
    value: Callable
    grad: Callable
    params: Mapping[str, Param] = field(default_factory=dict)
    init: str = "xavier"
    explore: tuple | None = None
    extra_params: tuple = ()
    grad_convention: tuple = ()
    torch: Callable | None = None
    forms: Callable | None = None

    @property
    def definition(self) -> Callable:
        """The SymPy builder in :mod:`activations.definitions`."""
        return definitions.DEFINITIONS[self.name]

    @property
    def defaults(self) -> dict:
        return dict(definitions.DEFAULTS.get(self.name, {}))

    def check(self, fname: str, params: dict) -> dict:
        """Validated parameters (defaults filled in), floats; TypeError for unknown names."""
        defaults = self.defaults
        unknown = set(params) - set(defaults)
        if unknown:
            allowed = ", ".join(defaults) or "none"
            raise TypeError(f"{fname}(): unexpected parameter(s) {sorted(unknown)}; allowed: {allowed}")
        merged = {**defaults, **params}
        return {k: self.params[k].check(v, k, fname) for k, v in merged.items()}


@dataclass(frozen=True)
class Gated:
    """One gated unit h(a, b) = a g(b): value input a, gate input b (two inputs, one output).

    The functional form splits an axis of even length 2k into a = first k, b = last k
    (``torch.nn.functional.glu``); the SymPy definition is
    ``definitions.GATED_DEFINITIONS[name]``.

    Parameters
    ----------
    name : str
    gate : str
        The registered elementwise activation g applied to the gate (``"sigmoid"`` for
        GLU; ``"silu"``, ``"gelu"``, ``"relu"``, ``"linear"`` for SwiGLU, GeGLU, ReGLU,
        bilinear).
    value, partials : callable
        Kernels ``h(a, b)`` and ``(∂h/∂a, ∂h/∂b)`` (:mod:`activations.gated`).
    init : str
        ``init="auto"`` for the affine map feeding the unit.
    torch : callable or None
        ``torch(F, t)`` on the concatenated input (benchmarks).
    """

    name: str
    gate: str
    value: Callable
    partials: Callable
    init: str = "xavier"
    torch: Callable | None = None

    @property
    def definition(self) -> Callable:
        return definitions.GATED_DEFINITIONS[self.name]


def _softplus_torch(F, t, beta, threshold):
    return F.softplus(t, beta) if threshold is None else F.softplus(t, beta, threshold)


def _relu6_forms():
    # clip(x, 0, 6) is the definition's three branches; the gradient is 0 at both kinks
    x = definitions.x
    return {
        "value": sp.Piecewise((0, x <= 0), (6, x >= 6), (x, True)),
        "grad": sp.Piecewise((0, x <= 0), (0, x >= 6), (1, True)),
    }


def _relu_squared_forms():
    r = sp.Max(definitions.x, 0)
    return {"value": r * r, "grad": 2 * r}


def _gated_torch(gate):
    """torch(F, t) for a unit a g(b) on the concatenated input [a | b], from g's own hook."""
    hook = SPECS[gate].torch

    def run(F, t):
        a, b = t.chunk(2, dim=-1)
        return a * hook(F, b)

    return run


def _squareplus_forms(b):
    s = sp.sqrt(definitions.x**2 + b)
    x, neg = definitions.x, definitions.x < 0
    return {
        "value": sp.Piecewise((b / (2 * (s - x)), neg), ((x + s) / 2, True)),
        "grad": sp.Piecewise(((b / (2 * s)) / (s - x), neg), (sp.Rational(1, 2) + x / (2 * s), True)),
    }


K = kernels
_ROWS = [
    Elementwise("linear", K.linear, K.linear_grad, torch=lambda F, t: t.clone()),
    Elementwise("sigmoid", K.sigmoid, K.sigmoid_grad, torch=lambda F, t: F.sigmoid(t)),
    Elementwise("tanh", K.tanh, K.tanh_grad, torch=lambda F, t: F.tanh(t)),
    Elementwise("relu", K.relu, K.relu_grad, init="he", torch=lambda F, t: F.relu(t)),
    Elementwise("relu6", K.relu6, K.relu6_grad, init="he", torch=lambda F, t: F.relu6(t), forms=_relu6_forms),
    Elementwise(
        "relu_squared",
        K.relu_squared,
        K.relu_squared_grad,
        torch=lambda F, t: F.relu(t).square(),
        forms=_relu_squared_forms,
    ),
    Elementwise(
        "leaky_relu",
        K.leaky_relu,
        K.leaky_relu_grad,
        {"negative_slope": REAL},
        init="he",
        explore=("negative_slope", (0.0, 0.01, 0.05, 0.1, 0.2, 0.3)),
        extra_params=({"negative_slope": 0.1},),
        torch=lambda F, t, negative_slope: F.leaky_relu(t, negative_slope),
    ),
    Elementwise(
        "prelu",
        K.prelu,
        K.prelu_grad,
        {"alpha": REAL},
        init="he",
        explore=("alpha", (-0.5, -0.25, 0.0, 0.25, 0.5, 1.0)),
        torch=lambda F, t, alpha: F.prelu(t, t.new_tensor([alpha])),
    ),
    Elementwise(
        "elu",
        K.elu,
        K.elu_grad,
        {"alpha": REAL},
        init="he",
        explore=("alpha", (0.1, 0.25, 0.5, 1.0, 1.5, 2.0)),
        extra_params=({"alpha": 0.5}, {"alpha": 2.0}),
        torch=lambda F, t, alpha: F.elu(t, alpha),
    ),
    Elementwise(
        "celu",
        K.celu,
        K.celu_grad,
        {"alpha": NONZERO},
        init="he",
        explore=("alpha", (0.25, 0.5, 1.0, 1.5, 2.0, 3.0)),
        extra_params=({"alpha": 2.0},),
        torch=lambda F, t, alpha: F.celu(t, alpha),
    ),
    Elementwise("selu", K.selu, K.selu_grad, init="lecun", torch=lambda F, t: F.selu(t)),
    Elementwise("gelu", K.gelu, K.gelu_grad, init="he", torch=lambda F, t: F.gelu(t)),
    Elementwise(
        "gelu_tanh", K.gelu_tanh, K.gelu_tanh_grad, init="he", torch=lambda F, t: F.gelu(t, approximate="tanh")
    ),
    Elementwise("silu", K.silu, K.silu_grad, init="he", torch=lambda F, t: F.silu(t)),
    Elementwise(
        "swish",
        K.swish,
        K.swish_grad,
        {"beta": NONNEGATIVE},
        init="he",
        explore=("beta", (0.0, 0.5, 1.0, 2.0, 5.0, 10.0)),
        extra_params=({"beta": 0.5}, {"beta": 2.0}),
        torch=lambda F, t, beta: t * F.sigmoid(beta * t),
    ),
    Elementwise(
        "softplus",
        K.softplus,
        K.softplus_grad,
        {"beta": POSITIVE, "threshold": Param(optional=True)},
        init="he",
        explore=("beta", (0.25, 0.5, 1.0, 2.0, 5.0, 10.0)),
        extra_params=({"beta": 2.0}, {"threshold": 20.0}, {"beta": 2.0, "threshold": 20.0}),
        torch=_softplus_torch,
    ),
    Elementwise("mish", K.mish, K.mish_grad, init="he", torch=lambda F, t: F.mish(t)),
    Elementwise(
        "squareplus",
        K.squareplus,
        K.squareplus_grad,
        {"b": POSITIVE},
        init="he",
        explore=("b", (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)),
        extra_params=({"b": 0.5},),
        torch=lambda F, t, b: (t + (t * t + b).sqrt()) / 2,
        forms=_squareplus_forms,
    ),
    Elementwise("softsign", K.softsign, K.softsign_grad, torch=lambda F, t: F.softsign(t)),
    Elementwise("hard_sigmoid", K.hard_sigmoid, K.hard_sigmoid_grad, torch=lambda F, t: F.hardsigmoid(t)),
    Elementwise("hard_tanh", K.hard_tanh, K.hard_tanh_grad, torch=lambda F, t: F.hardtanh(t)),
    Elementwise("hard_swish", K.hard_swish, K.hard_swish_grad, init="he", torch=lambda F, t: F.hardswish(t)),
]

#: name -> :class:`Elementwise` row.
SPECS: dict[str, Elementwise] = {row.name: row for row in _ROWS}

#: name -> :class:`Gated` row.
GATED: dict[str, Gated] = {
    "glu": Gated("glu", "sigmoid", gated.glu_value, gated.glu_partials, torch=lambda F, t: F.glu(t, dim=-1)),
    "bilinear": Gated(
        "bilinear", "linear", gated.bilinear_value, gated.bilinear_partials, torch=_gated_torch("linear")
    ),
    "reglu": Gated("reglu", "relu", gated.reglu_value, gated.reglu_partials, init="he", torch=_gated_torch("relu")),
    "geglu": Gated("geglu", "gelu", gated.geglu_value, gated.geglu_partials, init="he", torch=_gated_torch("gelu")),
    "swiglu": Gated("swiglu", "silu", gated.swiglu_value, gated.swiglu_partials, init="he", torch=_gated_torch("silu")),
}


def _check_rows():
    """Every row has a definition and a check per parameter (and nothing else has one)."""
    if set(SPECS) != set(definitions.DEFINITIONS):
        raise ImportError(f"spec rows and SymPy definitions differ: {set(SPECS) ^ set(definitions.DEFINITIONS)}")
    if set(GATED) != set(definitions.GATED_DEFINITIONS):
        raise ImportError(f"gated rows and definitions differ: {set(GATED) ^ set(definitions.GATED_DEFINITIONS)}")
    for row in SPECS.values():
        if set(row.params) != set(row.defaults):
            raise ImportError(f"{row.name}: checks for {sorted(row.params)}, parameters {sorted(row.defaults)}")
        for kernel in (row.value, row.grad):
            if set(inspect.signature(kernel).parameters) - {"x"} != set(row.defaults):
                raise ImportError(f"{row.name}: kernel {kernel.__name__} does not take {sorted(row.defaults)}")
        if row.init not in ("he", "lecun", "xavier"):
            raise ImportError(f"{row.name}: init must be he, lecun or xavier, got {row.init!r}")
    for row in GATED.values():
        if row.gate not in SPECS:
            raise ImportError(f"{row.name}: gate {row.gate!r} is not a registered activation")


_check_rows()
