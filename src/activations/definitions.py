"""SymPy definitions: the single source of truth for every activation.

Each entry of :data:`DEFINITIONS` maps a registered name to a function that takes the
activation's parameters (as Python numbers) and returns a SymPy expression in the
real symbol :data:`x`.  Derivatives are never written here: they come from
``sympy.diff`` (see :func:`derivative`).

Piecewise activations are written so that ``sympy.diff`` gives the derivative
convention used at the kink by PyTorch (and by our NumPy kernels), except ReLU,
which is written as ``Max(0, x)`` on purpose: its derivative is SymPy's
``Heaviside(x)``, whose value at 0 is 1/2, and the course shows that difference
rather than hiding it.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

__all__ = [
    "x",
    "DEFINITIONS",
    "DEFAULTS",
    "SELU_LAMBDA",
    "SELU_ALPHA",
    "expression",
    "derivative",
]

#: The real input variable of every activation.
x = sp.Symbol("x", real=True)

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


def _linear():
    return x


def _sigmoid():
    return 1 / (1 + sp.exp(-x))


def _tanh():
    return sp.tanh(x)


def _relu():
    return sp.Max(0, x)


def _leaky_relu(negative_slope=0.01):
    return sp.Piecewise((x, x > 0), (_num(negative_slope) * x, True))


def _prelu(alpha=0.25):
    return sp.Piecewise((x, x > 0), (_num(alpha) * x, True))


def _elu(alpha=1.0):
    return sp.Piecewise((x, x > 0), (_num(alpha) * (sp.exp(x) - 1), True))


def _celu(alpha=1.0):
    a = _num(alpha)
    return sp.Piecewise((x, x > 0), (a * (sp.exp(x / a) - 1), True))


def _selu():
    return SELU_LAMBDA * sp.Piecewise((x, x > 0), (SELU_ALPHA * (sp.exp(x) - 1), True))


def _gelu():
    return x * (1 + sp.erf(x / sp.sqrt(2))) / 2


def _gelu_tanh():
    return x * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + GELU_TANH_C * x**3))) / 2


def _silu():
    return x / (1 + sp.exp(-x))


def _swish(beta=1.0):
    return x / (1 + sp.exp(-_num(beta) * x))


def _softplus(beta=1.0, threshold=None):
    b = _num(beta)
    smooth = sp.log(1 + sp.exp(b * x)) / b
    if threshold is None:
        return smooth
    return sp.Piecewise((x, b * x > _num(threshold)), (smooth, True))


def _mish():
    return x * sp.tanh(sp.log(1 + sp.exp(x)))


def _softsign():
    return x / (1 + sp.Abs(x))


def _hard_sigmoid():
    # PyTorch: relu6(x + 3) / 6; derivative 0 at both kinks.
    return sp.Piecewise((0, x <= -3), (1, x >= 3), ((x + 3) / 6, True))


def _hard_tanh():
    # PyTorch hardtanh(min_val=-1, max_val=1); derivative 0 at both kinks.
    return sp.Piecewise((-1, x <= -1), (1, x >= 1), (x, True))


def _hard_swish():
    # PyTorch: x * relu6(x + 3) / 6; its backward (checked against torch 2.13) gives 0 at
    # x = -3 and 1 at x = 3, the outer one-sided values -- the conditions below make
    # sympy.diff produce exactly that.
    return sp.Piecewise((0, x <= -3), (x, x >= 3), (x * (x + 3) / 6, True))


#: name -> function(**params) -> SymPy expression in ``x``.
DEFINITIONS = {
    "linear": _linear,
    "sigmoid": _sigmoid,
    "tanh": _tanh,
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "prelu": _prelu,
    "elu": _elu,
    "celu": _celu,
    "selu": _selu,
    "gelu": _gelu,
    "gelu_tanh": _gelu_tanh,
    "silu": _silu,
    "swish": _swish,
    "softplus": _softplus,
    "mish": _mish,
    "softsign": _softsign,
    "hard_sigmoid": _hard_sigmoid,
    "hard_tanh": _hard_tanh,
    "hard_swish": _hard_swish,
}

#: name -> default parameters (names follow torch.nn.functional).
DEFAULTS = {
    "leaky_relu": {"negative_slope": 0.01},
    "prelu": {"alpha": 0.25},
    "elu": {"alpha": 1.0},
    "celu": {"alpha": 1.0},
    "swish": {"beta": 1.0},
    "softplus": {"beta": 1.0, "threshold": None},
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
