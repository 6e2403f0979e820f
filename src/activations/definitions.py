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

**The derivative convention at kinks (one rule for the whole registry).**  At a point
where f has a corner, f' is *the value PyTorch's autograd returns there*, which is also
what the NumPy kernels return:

* at 0, the non-positive branch: relu'(0) = relu6'(0) = 0, leaky_relu'(0) = negative_slope,
  prelu'(0) = alpha, elu'(0) = alpha, selu'(0) = lambda alpha (the left derivative);
* at a clipping point, the outer branch: hard_tanh'(+-1) = relu6'(6) = hard_sigmoid'(+-3) = 0,
  hard_swish'(-3) = 0 and hard_swish'(3) = 1;
* softplus with a threshold keeps the smooth branch at beta x = threshold (PyTorch switches
  only for beta x > threshold).

Piecewise definitions put the kink into the branch that gives this value under
``sympy.diff``.  ReLU stays ``Max(0, x)`` (and ReGLU's gate too); the Heaviside step that
``sympy.diff`` makes of it is given the value 0 at 0, ``Heaviside(x, 0)``, by
:func:`derivative` and :func:`gated_partials` (SymPy's default, 1/2, is no one's
autograd).  ``tests/test_symbolic.py`` checks, for every registered activation and every
kink that :func:`activations.symbolic.kinks` finds, that ``dexpr`` equals the kernel there.
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


def _at_kinks(d: sp.Expr) -> sp.Expr:
    """The course's kink convention applied to a ``sympy.diff`` result: every Heaviside
    step takes the value 0 at 0 (d/dx Max(0, x) = Heaviside(x, 0)), as PyTorch's relu
    backward does."""
    return d.replace(lambda e: isinstance(e, sp.Heaviside), lambda e: sp.Heaviside(e.args[0], 0))


def _tidy_sign(d: sp.Expr) -> sp.Expr:
    """x sign(x) = |x| (exactly, 0 included): d/dx x/(1 + |x|) becomes 1/(1 + |x|)^2."""
    if not d.has(sp.sign):
        return d
    return sp.simplify(d.subs(x * sp.sign(x), sp.Abs(x)))


@lru_cache(maxsize=None)
def _derivative(name: str, key: tuple) -> sp.Expr:
    d = _tidy_sign(_at_kinks(sp.diff(_expression(name, key), x)))
    # simplify() would merge Piecewise branches and turn |x| into odd rational forms;
    # those derivatives are kept as diff gives them.
    return d if d.has(sp.Piecewise, sp.Abs) else sp.simplify(d)


def expression(name: str, **params) -> sp.Expr:
    """SymPy expression of activation ``name`` with numeric ``params`` substituted."""
    return _expression(name, _key(params))


def derivative(name: str, **params) -> sp.Expr:
    """``sympy.diff`` of :func:`expression` with respect to :data:`x`, simplified, with the
    course's kink convention (module docstring): Heaviside(x, 0), so relu'(0) = 0."""
    return _derivative(name, _key(params))


@lru_cache(maxsize=None)
def gated_expression(name: str) -> sp.Expr:
    """SymPy expression h(a, b) of the gated unit ``name`` (value input a, gate input b)."""
    return GATED_DEFINITIONS[name]()


@lru_cache(maxsize=None)
def gated_partials(name: str) -> tuple[sp.Expr, sp.Expr]:
    """(∂h/∂a, ∂h/∂b) by ``sympy.diff``, with the kink convention of :func:`derivative`
    (ReGLU: ∂h/∂b = a Heaviside(b, 0))."""
    h = gated_expression(name)
    return _at_kinks(sp.diff(h, a)), _at_kinks(sp.diff(h, b))
