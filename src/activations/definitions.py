"""SymPy definitions: the single source of truth for every activation.

Each builder below is registered under its name by :func:`_define`: it takes the
activation's parameters (as Python numbers; its keyword defaults *are* the
activation's defaults, :data:`DEFAULTS` is read from the signatures) and returns a
SymPy expression in the real symbol :data:`x`.  Derivatives are never written here:
they come from ``sympy.diff`` (see :func:`derivative`).  Every other fact about an
activation (kernels, parameter checks, initialisation, explorer grid, ...) is in its
row of :mod:`activations.spec`.

Gated units (two inputs, e.g. GLU) are registered in :data:`GATED_DEFINITIONS`:
expressions in the value input :data:`a` and the gate input :data:`b`.

Piecewise activations are written so that ``sympy.diff`` gives the derivative
convention used at the kink by PyTorch (and by our NumPy kernels), except ReLU,
which is written as ``Max(0, x)`` on purpose: its derivative is SymPy's
``Heaviside(x)``, whose value at 0 is 1/2, and the course shows that difference
rather than hiding it.
"""

from __future__ import annotations

import inspect
from functools import lru_cache

import sympy as sp

__all__ = [
    "x",
    "a",
    "b",
    "DEFINITIONS",
    "DEFAULTS",
    "GATED_DEFINITIONS",
    "SELU_LAMBDA",
    "SELU_ALPHA",
    "GELU_TANH_C",
    "expression",
    "derivative",
    "gated_expression",
    "gated_partials",
]

#: The real input variable of every activation.
x = sp.Symbol("x", real=True)
#: The value input and the gate input of a gated unit (GLU: a σ(b)).
a = sp.Symbol("a", real=True)
b = sp.Symbol("b", real=True)

#: name -> function(**params) -> SymPy expression in ``x`` (filled by :func:`_define`).
DEFINITIONS: dict = {}
#: name -> function() -> SymPy expression in ``a`` and ``b`` (filled by :func:`_define_gated`).
GATED_DEFINITIONS: dict = {}


def _define(builder):
    """Register ``builder`` (named ``_<name>``) as the definition of ``<name>``."""
    DEFINITIONS[builder.__name__.lstrip("_")] = builder
    return builder


def _define_gated(builder):
    GATED_DEFINITIONS[builder.__name__.lstrip("_")] = builder
    return builder


#: SELU constants (Klambauer et al. 2017) to more digits than float64 holds.
SELU_LAMBDA = sp.Float("1.0507009873554804934193349852946", 40)
SELU_ALPHA = sp.Float("1.6732632423543772848170429916717", 40)

#: Coefficient of the cubic term in the tanh approximation of GELU.
GELU_TANH_C = sp.Rational(44715, 1000000)


def _num(value):
    """A Python number as a SymPy number: integers stay exact, other floats become a
    53-bit ``Float`` holding exactly the binary double the NumPy kernels use."""
    value = float(value)
    return sp.Integer(int(value)) if value.is_integer() else sp.Float(value)


@_define
def _linear():
    return x


@_define
def _sigmoid():
    return 1 / (1 + sp.exp(-x))


@_define
def _tanh():
    return sp.tanh(x)


@_define
def _relu():
    return sp.Max(0, x)


@_define
def _relu6():
    # PyTorch relu6 = hardtanh(x, 0, 6) (MobileNetV2); derivative 0 at both kinks.
    return sp.Piecewise((0, x <= 0), (6, x >= 6), (x, True))


@_define
def _relu_squared():
    # Primer (So et al. 2021): relu(x)^2; its derivative 2 relu(x) is continuous.
    return sp.Piecewise((0, x <= 0), (x**2, True))


@_define
def _leaky_relu(negative_slope=0.01):
    return sp.Piecewise((x, x > 0), (_num(negative_slope) * x, True))


@_define
def _prelu(alpha=0.25):
    return sp.Piecewise((x, x > 0), (_num(alpha) * x, True))


@_define
def _elu(alpha=1.0):
    return sp.Piecewise((x, x > 0), (_num(alpha) * (sp.exp(x) - 1), True))


@_define
def _celu(alpha=1.0):
    a = _num(alpha)
    return sp.Piecewise((x, x > 0), (a * (sp.exp(x / a) - 1), True))


@_define
def _selu():
    return SELU_LAMBDA * sp.Piecewise((x, x > 0), (SELU_ALPHA * (sp.exp(x) - 1), True))


@_define
def _gelu():
    return x * (1 + sp.erf(x / sp.sqrt(2))) / 2


@_define
def _gelu_tanh():
    return x * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + GELU_TANH_C * x**3))) / 2


@_define
def _silu():
    return x / (1 + sp.exp(-x))


@_define
def _swish(beta=1.0):
    return x / (1 + sp.exp(-_num(beta) * x))


@_define
def _softplus(beta=1.0, threshold=None):
    b = _num(beta)
    smooth = sp.log(1 + sp.exp(b * x)) / b
    if threshold is None:
        return smooth
    return sp.Piecewise((x, b * x > _num(threshold)), (smooth, True))


@_define
def _mish():
    return x * sp.tanh(sp.log(1 + sp.exp(x)))


@_define
def _squareplus(b=4.0):
    # Barron (2021), as jax.nn.squareplus: a smooth ReLU made of one square root.
    return (x + sp.sqrt(x**2 + _num(b))) / 2


@_define
def _softsign():
    return x / (1 + sp.Abs(x))


@_define
def _hard_sigmoid():
    # PyTorch: relu6(x + 3) / 6; derivative 0 at both kinks.
    return sp.Piecewise((0, x <= -3), (1, x >= 3), ((x + 3) / 6, True))


@_define
def _hard_tanh():
    # PyTorch hardtanh(min_val=-1, max_val=1); derivative 0 at both kinks.
    return sp.Piecewise((-1, x <= -1), (1, x >= 1), (x, True))


@_define
def _hard_swish():
    # PyTorch: x * relu6(x + 3) / 6; its backward (checked against torch 2.13) gives 0 at
    # x = -3 and 1 at x = 3, the outer one-sided values -- the conditions below make
    # sympy.diff produce exactly that.
    return sp.Piecewise((0, x <= -3), (x, x >= 3), (x * (x + 3) / 6, True))


# --- gated units: h(a, b) = a g(b), value a, gate b (torch.nn.functional.glu: a, b = x.chunk(2))


@_define_gated
def _glu():
    return a * _sigmoid().subs(x, b)


@_define_gated
def _bilinear():
    # Shazeer (2020): GLU without a nonlinearity, a b.
    return a * _linear().subs(x, b)


@_define_gated
def _reglu():
    return a * _relu().subs(x, b)


@_define_gated
def _geglu():
    return a * _gelu().subs(x, b)


@_define_gated
def _swiglu():
    return a * _silu().subs(x, b)


#: name -> default parameters, read from the builders' signatures (names follow torch.nn.functional).
DEFAULTS = {
    name: {k: p.default for k, p in inspect.signature(builder).parameters.items()}
    for name, builder in DEFINITIONS.items()
    if inspect.signature(builder).parameters
}


def _key(params: dict) -> tuple:
    return tuple(sorted(params.items()))


@lru_cache(maxsize=None)
def _expression(name: str, key: tuple) -> sp.Expr:
    return DEFINITIONS[name](**dict(key))


@lru_cache(maxsize=None)
def _derivative(name: str, key: tuple) -> sp.Expr:
    d = sp.diff(_expression(name, key), x)
    # simplify() would merge Piecewise branches and turn |x| into odd rational forms;
    # those derivatives are kept as diff gives them.
    return d if d.has(sp.Piecewise, sp.Abs) else sp.simplify(d)


def expression(name: str, **params) -> sp.Expr:
    """SymPy expression of activation ``name`` with numeric ``params`` substituted."""
    return _expression(name, _key(params))


def derivative(name: str, **params) -> sp.Expr:
    """``sympy.diff`` of :func:`expression` with respect to :data:`x`, simplified."""
    return _derivative(name, _key(params))


@lru_cache(maxsize=None)
def gated_expression(name: str) -> sp.Expr:
    """SymPy expression h(a, b) of the gated unit ``name`` (value input a, gate input b)."""
    return GATED_DEFINITIONS[name]()


@lru_cache(maxsize=None)
def gated_partials(name: str) -> tuple[sp.Expr, sp.Expr]:
    """(∂h/∂a, ∂h/∂b) by ``sympy.diff``."""
    h = gated_expression(name)
    return sp.diff(h, a), sp.diff(h, b)
