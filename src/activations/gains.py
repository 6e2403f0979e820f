"""Signal propagation at initialisation: Gaussian moments, the q-map, χ and the derived gain.

A wide fully connected layer computes z = W h + b with W_ij ~ N(0, σ_w² / n_in) and
b_i ~ N(0, σ_b²).  If the previous pre-activations are z' ~ N(0, q) (the mean-field
picture: many independent terms), then h = f(z') and the new pre-activations have the
second moment

    q_next = σ_w² E[f(√q Z)²] + σ_b²,        Z ~ N(0, 1)            (the *q-map*),

and a small perturbation (or a back-propagated gradient) is multiplied, per layer and
in mean square, by

    χ(q) = σ_w² E[f'(√q Z)²]                                        (the *slope* χ).

This module computes those Gaussian moments from each activation's SymPy definition
(:mod:`activations.definitions`): **exactly** with SymPy when every piece of f is a
polynomial (ReLU, Leaky ReLU, hard_tanh, hard_swish, ...; the result then involves
erf and π), otherwise by mpmath quadrature at 30 digits, split at the kinks.

The *derived gain* is the weight variance that makes q* = 1 a fixed point of the
q-map with σ_b = 0:

    σ_w² = 1 / E[f(Z)²].

For ReLU this is 2 (He et al. 2015), for the identity and for SELU 1 (LeCun), for
tanh 2.54, for SiLU 2.81, for the sigmoid 3.41.  It keeps the forward second moment at
1 through depth (to first order); whether gradients also survive is decided by χ(1):
χ < 1 means they shrink by that factor per layer, χ > 1 that they grow.
:func:`activations.nn.auto_init` draws weights with this σ_w² by default
(``N(0, σ_w² / fan_in)``); He, LeCun and Glorot stay available by name.

Examples
--------
>>> from activations import gains
>>> round(gains.weight_variance("relu"), 6), round(gains.chi("relu"), 6)
(2.0, 1.0)
>>> round(gains.weight_variance("silu"), 4)
2.8108
"""

from __future__ import annotations

import math
import numbers
from functools import lru_cache
from typing import NamedTuple

import mpmath
import numpy as np
import sympy as sp

from . import definitions
from ._validation import check_rng as _check_rng
from .core import as_activation

__all__ = [
    "Moments",
    "gaussian_moments",
    "q_map",
    "chi",
    "fixed_point",
    "weight_variance",
    "gain",
    "gain_table",
    "DerivedInit",
    "derived_init",
]

_DPS = 30
_x = definitions.x


class Moments(NamedTuple):
    """Gaussian moments of an activation at input variance q (Z ~ N(0, 1)).

    ``mean`` = E[f(√q Z)], ``second`` = E[f(√q Z)²], ``slope2`` = E[f'(√q Z)²], all floats;
    ``exact`` is True when SymPy integrated every piece in closed form (then
    ``second_expr`` / ``slope2_expr`` hold the exact SymPy numbers, else None).
    """

    mean: float
    second: float
    slope2: float
    exact: bool
    second_expr: sp.Expr | None
    slope2_expr: sp.Expr | None


def _check_q(q, fname):
    if isinstance(q, bool) or not isinstance(q, numbers.Real):
        raise TypeError(f"{fname}(): q must be a real number, got {type(q).__name__} {q!r}")
    q = float(q)
    if not math.isfinite(q) or q <= 0:
        raise ValueError(f"{fname}(): q must be finite and > 0, got {q}")
    return q


def _pieces(expr):
    """[(lo, hi, branch)]: the branch of ``expr`` active on each open interval between kinks."""
    if expr.has(sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign):
        expr = expr.rewrite(sp.Piecewise)
    pw = sp.piecewise_fold(expr)
    if not isinstance(pw, sp.Piecewise):
        return [(-sp.oo, sp.oo, pw)]
    points = set()
    for _, cond in pw.args:
        for atom in cond.atoms(sp.core.relational.Relational):
            for root in sp.solve(sp.Eq(atom.lhs, atom.rhs), _x):
                if root.is_real:
                    points.add(sp.nsimplify(root) if root.is_Float else root)
    edges = [-sp.oo, *sorted(points, key=float), sp.oo]
    out = []
    for lo, hi in zip(edges, edges[1:]):
        if lo == -sp.oo:
            mid = (hi - 1) if hi != sp.oo else sp.Integer(0)
        elif hi == sp.oo:
            mid = lo + 1
        else:
            mid = (lo + hi) / 2
        branch = next(e for e, c in pw.args if c is sp.true or bool(c.subs(_x, mid)))
        out.append((lo, hi, branch))
    return out


def _expect_exact(pieces, q):
    """E[g(√q Z)] for piecewise-polynomial g, exactly (None if a piece is not a polynomial)."""
    if not all(b.is_polynomial(_x) for _, _, b in pieces):
        return None
    density = sp.exp(-(_x**2) / (2 * q)) / sp.sqrt(2 * sp.pi * q)
    total = sp.Integer(0)
    for lo, hi, branch in pieces:
        total += sp.integrate(sp.expand(branch) * density, (_x, lo, hi))
    return total


def _expect_quad(pieces, q):
    with mpmath.workdps(_DPS):
        sq = mpmath.sqrt(mpmath.mpf(q))
        total = mpmath.mpf(0)
        for lo, hi, branch in pieces:
            fn = sp.lambdify(_x, branch, modules="mpmath")
            a = -mpmath.inf if lo == -sp.oo else mpmath.mpf(float(lo)) / sq
            b = mpmath.inf if hi == sp.oo else mpmath.mpf(float(hi)) / sq
            total += mpmath.quad(lambda t: fn(sq * t) * mpmath.npdf(t), [a, b])
        return total


@lru_cache(maxsize=None)
def _moments(name, key, q_exact):
    params = dict(key)
    f = definitions.expression(name, **params)
    df = definitions.derivative(name, **params)
    q = sp.nsimplify(q_exact)
    values = {}
    exprs = {}
    exact = True
    for label, g in (("mean", f), ("second", f**2), ("slope2", df**2)):
        pieces = _pieces(g)
        val = _expect_exact(pieces, q)
        if val is None:
            exact = False
            values[label] = float(_expect_quad(pieces, q_exact))
            exprs[label] = None
        else:
            exprs[label] = val
            values[label] = float(sp.N(val, _DPS))
    return Moments(
        values["mean"],
        values["second"],
        values["slope2"],
        exact,
        exprs["second"] if exact else None,
        exprs["slope2"] if exact else None,
    )


def gaussian_moments(activation, q=1.0) -> Moments:
    """E[f(√q Z)], E[f(√q Z)²] and E[f'(√q Z)²] for Z ~ N(0, 1).

    Computed from the SymPy definition of ``activation`` (name or :class:`Activation`
    with its parameters): exact SymPy integrals when every piece is a polynomial,
    otherwise mpmath quadrature (30 digits) split at the kinks.  Cached.

    Parameters
    ----------
    activation : str or Activation
    q : float > 0
        Variance of the Gaussian input.

    Returns
    -------
    Moments
    """
    a = as_activation(activation, "gaussian_moments")
    q = _check_q(q, "gaussian_moments")
    return _moments(a.name, tuple(sorted(a.params.items())), q)


def _check_var(value, name, fname, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{fname}(): {name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{fname}(): {name} must be {'>= 0' if allow_zero else '> 0'} and finite, got {value}")
    return value


def q_map(activation, q, *, sigma_w2=None, sigma_b2=0.0) -> float:
    """One step of the variance map: q_next = σ_w² E[f(√q Z)²] + σ_b².

    ``sigma_w2`` defaults to the derived :func:`weight_variance` (so q = 1 maps to 1).
    """
    a = as_activation(activation, "q_map")
    q = _check_q(q, "q_map")
    sw2 = weight_variance(a) if sigma_w2 is None else _check_var(sigma_w2, "sigma_w2", "q_map")
    sb2 = _check_var(sigma_b2, "sigma_b2", "q_map", allow_zero=True)
    return sw2 * gaussian_moments(a, q).second + sb2


def chi(activation, *, sigma_w2=None, q=1.0) -> float:
    """χ(q) = σ_w² E[f'(√q Z)²]: the mean-square factor by which a layer multiplies a
    back-propagated gradient (and a small forward perturbation).  χ < 1: gradients
    vanish geometrically with depth; χ > 1: they explode.  ``sigma_w2`` defaults to the
    derived :func:`weight_variance`."""
    a = as_activation(activation, "chi")
    q = _check_q(q, "chi")
    sw2 = weight_variance(a) if sigma_w2 is None else _check_var(sigma_w2, "sigma_w2", "chi")
    return sw2 * gaussian_moments(a, q).slope2


def fixed_point(activation, *, sigma_w2, sigma_b2=0.0, q0=1.0, max_iter=200, tol=1e-10) -> float:
    """The fixed point q* of the q-map reached from ``q0`` by iteration (what a deep
    network converges to layer by layer).  Returns 0.0 if the iteration collapses
    below 1e-12, ``inf`` if it exceeds 1e12 (no finite attracting fixed point)."""
    a = as_activation(activation, "fixed_point")
    sw2 = _check_var(sigma_w2, "sigma_w2", "fixed_point")
    sb2 = _check_var(sigma_b2, "sigma_b2", "fixed_point", allow_zero=True)
    q = _check_q(q0, "fixed_point")
    for _ in range(max_iter):
        nxt = sw2 * gaussian_moments(a, round(q, 12)).second + sb2
        if nxt < 1e-12:
            return 0.0
        if nxt > 1e12:
            return math.inf
        if abs(nxt - q) <= tol * max(1.0, q):
            return nxt
        q = nxt
    return q


def weight_variance(activation) -> float:
    """σ_w² = 1 / E[f(Z)²]: the weight variance (times fan_in) for which q* = 1 is a fixed
    point of the q-map with zero bias variance.  ReLU: 2 (He); identity, SELU: 1 (LeCun)."""
    a = as_activation(activation, "weight_variance")
    m = gaussian_moments(a, 1.0)
    if m.second_expr is not None:
        return float(sp.N(1 / m.second_expr, _DPS))
    return 1.0 / m.second


def gain(activation) -> float:
    """√σ_w²: the factor on LeCun's standard deviation 1/√fan_in (PyTorch's ``gain``)."""
    return math.sqrt(weight_variance(as_activation(activation, "gain")))


def gain_table(names=None) -> list[dict]:
    """One row per activation: name, E[f(Z)], E[f(Z)²], E[f'(Z)²], σ_w², gain, χ(1), exact.

    ``names`` defaults to every registered activation (default parameters).
    """
    from .core import names as _names

    rows = []
    for name in _names() if names is None else names:
        a = as_activation(name, "gain_table")
        m = gaussian_moments(a, 1.0)
        sw2 = weight_variance(a)
        rows.append(
            {
                "activation": a.name,
                "mean": m.mean,
                "second": m.second,
                "slope2": m.slope2,
                "sigma_w2": sw2,
                "gain": math.sqrt(sw2),
                "chi": sw2 * m.slope2,
                "exact": m.exact,
            }
        )
    return rows


class DerivedInit:
    """Initialiser W ~ N(0, σ_w² / fan_in) with the derived σ_w² of one activation.

    Called as ``init(shape, rng, gain=1.0)`` like the named initialisers of
    :mod:`activations.nn` (``gain`` multiplies the standard deviation).  For ReLU it
    draws exactly what ``he_normal`` draws.  For a function that is not registered (a
    custom layer), pass ``sigma_w2`` and a ``label`` instead of the activation.
    """

    def __init__(self, activation=None, *, sigma_w2=None, label=None):
        if (activation is None) == (sigma_w2 is None):
            raise TypeError("DerivedInit(): give either an activation or sigma_w2")
        if activation is not None:
            self.activation = as_activation(activation, "DerivedInit")
            self.sigma_w2 = weight_variance(self.activation)
            self.label = self.activation.name if label is None else str(label)
        else:
            self.activation = None
            self.sigma_w2 = _check_var(sigma_w2, "sigma_w2", "DerivedInit")
            self.label = "custom" if label is None else str(label)

    def __call__(self, shape, rng, gain=1.0):
        if len(shape) != 2:
            raise ValueError(f"DerivedInit(): shape must be (fan_in, fan_out), got {shape}")
        fan_in, fan_out = (int(s) for s in shape)
        if fan_in < 1 or fan_out < 1:
            raise ValueError(f"DerivedInit(): shape entries must be >= 1, got {shape}")
        s = gain * np.sqrt(self.sigma_w2 / fan_in)
        return _check_rng(rng, "DerivedInit").normal(0.0, s, size=(fan_in, fan_out))

    def __eq__(self, other):
        return isinstance(other, DerivedInit) and (other.label, other.sigma_w2) == (self.label, self.sigma_w2)

    def __hash__(self):
        return hash(("DerivedInit", self.label, self.sigma_w2))

    def __str__(self):
        return f"derived (σ_w² = {self.sigma_w2:.3g})"

    def __repr__(self):
        return f"DerivedInit({self.label!r}, sigma_w2={self.sigma_w2:.6g})"


def derived_init(activation) -> DerivedInit:
    """The :class:`DerivedInit` for ``activation`` (name or Activation)."""
    return DerivedInit(activation)
