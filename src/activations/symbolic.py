"""Facts read off the SymPy definitions alone: piecewise structure, kinks, limits at ±∞.

Nothing here touches a kernel or the registry, so both the registry
(:mod:`activations.spec`, :mod:`activations.core`) and the analysis modules
(:mod:`activations.properties`, :mod:`activations.reference`) can use it.

* :func:`kinks` -- where the piecewise form of f switches branch (Max/Min/Abs are
  rewritten as Piecewise first).  Test grids, accuracy benchmarks and finite-difference
  checks take their kink points from here, never from hand-written lists.
* :func:`derivative_jumps` -- the kinks where f' jumps (left and right derivatives
  differ): there the derivative's value is a convention, not an accuracy question.
* :func:`limit` -- SymPy limit of f or f' as x -> ±∞.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from . import definitions
from .definitions import x

__all__ = ["params_key", "folded", "branch_points", "piece_at", "kinks", "derivative_jumps", "limit", "limit_by_key"]


def params_key(name: str, params: dict) -> tuple:
    """Defaults filled in, as a hashable key; ``KeyError`` / ``TypeError`` for bad names."""
    if name not in definitions.DEFINITIONS:
        raise KeyError(f"unknown activation {name!r}; valid names: {', '.join(sorted(definitions.DEFINITIONS))}")
    defaults = definitions.DEFAULTS.get(name, {})
    unknown = set(params) - set(defaults)
    if unknown:
        allowed = ", ".join(defaults) or "none"
        raise TypeError(f"{name}(): unexpected parameter(s) {sorted(unknown)}; allowed: {allowed}")
    merged = {**defaults, **params}
    return tuple(sorted((k, v if v is None else float(v)) for k, v in merged.items()))


def folded(expr):
    """Top-level Piecewise form of ``expr`` (Max/Min/Abs rewritten), or ``expr`` itself."""
    if expr.has(sp.Max, sp.Min, sp.Abs):
        expr = expr.rewrite(sp.Piecewise)
    return sp.piecewise_fold(expr)


def _relationals(cond):
    if isinstance(cond, sp.core.relational.Relational):
        return [cond]
    if isinstance(cond, (sp.And, sp.Or, sp.Not)):
        return [r for arg in cond.args for r in _relationals(arg)]
    return []


def branch_points(pw) -> list:
    """Exact points where the Piecewise ``pw`` switches branch, sorted."""
    if not isinstance(pw, sp.Piecewise):
        return []
    points = set()
    for _, cond in pw.args:
        for rel in _relationals(cond):
            for root in sp.solve(sp.Eq(rel.lhs, rel.rhs), x):
                if root.is_real:
                    points.add(sp.nsimplify(root) if root.is_Float else root)
    return sorted(points, key=lambda p: float(p))


def piece_at(pw, value):
    """The branch of ``pw`` active at the exact number ``value``."""
    if not isinstance(pw, sp.Piecewise):
        return pw
    for expr, cond in pw.args:
        if cond is sp.true or bool(cond.subs(x, value)):
            return expr
    raise ValueError(f"no branch of {pw} is active at x = {value}")


@lru_cache(maxsize=None)
def _kinks(name: str, key: tuple) -> tuple:
    return tuple(branch_points(folded(definitions.expression(name, **dict(key)))))


def kinks(name: str, **params) -> list[float]:
    """Where the piecewise definition of ``name`` switches branch (cheap: no limits or
    quadrature).  Finite differences and smoothness checks must stay away from these."""
    return [float(k) for k in _kinks(name, params_key(name, params))]


def derivative_jumps(name: str, **params) -> list[float]:
    """The kinks of ``name`` where f' jumps (one-sided derivatives differ)."""
    key = params_key(name, params)
    pw = folded(definitions.expression(name, **dict(key)))
    out = []
    eps = sp.Rational(1, 10**6)
    for k in _kinks(name, key):
        left, right = (sp.diff(piece_at(pw, k + s * eps), x).subs(x, k) for s in (-1, 1))
        if sp.simplify(left - right) != 0:
            out.append(float(k))
    return out


def _pick_branches(expr: sp.Expr, probe) -> sp.Expr:
    """Replace every Piecewise by the branch active at x = probe (used for limits)."""
    expr = sp.piecewise_fold(expr)
    while expr.has(sp.Piecewise):
        pw = next(p for p in sp.preorder_traversal(expr) if isinstance(p, sp.Piecewise))
        branch = next(e for e, c in pw.args if bool(c.subs(x, probe)))
        expr = expr.xreplace({pw: branch})
    return expr


@lru_cache(maxsize=None)
def limit_by_key(name: str, key: tuple, order: int, sign: int) -> sp.Expr:
    # diff(expr) rather than the simplified dexpr (equal, see tests/test_symbolic.py):
    # SymPy's limit is several times faster on the unsimplified form (gelu_tanh).
    expr = _pick_branches(sp.diff(definitions.expression(name, **dict(key)), x, order), sign * sp.Integer(10) ** 100)
    p = sp.Symbol("p", positive=True)
    # x = ±p with p > 0 settles Max, Abs, sign and Heaviside before taking the limit.
    # tanh/cosh rewritten in exp: SymPy's limit is ~5x faster for gelu_tanh' (but
    # slower for mish', whose log(1 + e^x) it handles better as it is).
    expr = expr.subs(x, sign * p)
    return sp.limit(expr if expr.has(sp.log) else expr.rewrite(sp.exp), p, sp.oo)


def limit(name: str, sign: int, *, derivative=False, **params) -> sp.Expr:
    """SymPy limit of f (or f') as x -> sign * oo (``sign`` is +1 or -1)."""
    if sign not in (1, -1):
        raise ValueError(f"limit(): sign must be +1 or -1, got {sign!r}")
    return limit_by_key(name, params_key(name, params), int(derivative), sign)
