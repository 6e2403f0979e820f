"""Properties of an activation, derived from its SymPy definition (never typed by hand).

:func:`derive` returns a dict with these keys (all derived from ``expr``/``dexpr`` of
:mod:`activations.definitions`; results are cached per name and parameters):

``f0``
    f(0), exact (SymPy number).
``limits``
    ``(lim_{x->-oo} f, lim_{x->+oo} f)`` from ``sympy.limit`` (exact; ``-oo``/``oo`` allowed).
``grad_limits``
    the same for f'.
``range``
    ``(inf f, sup f)`` over the reals: the limits, the values at the kinks and the values at
    the critical points (roots of f', located by a sign scan of ``dexpr`` on a grid and
    refined with mpmath to 30 digits) -- exact SymPy numbers where they come from limits or
    kinks, ``Float`` where they come from a critical point.
``range_closed``
    ``(bool, bool)``: whether the infimum / supremum is attained at a finite x.
``range_str``
    the range in interval notation, e.g. ``"(-1, 1)"`` or ``"[0, ∞)"``.
``bounded_below``, ``bounded_above``
    whether the range is bounded on that side.
``monotonic``
    ``True`` when f' >= 0 everywhere (scan of ``dexpr`` on the grid, every piece, both tails).
``critical_points``
    list of (x, f(x)) with f'(x) = 0 and a sign change (e.g. the minimum of Swish).
``zero_at_zero``
    f(0) == 0.
``odd``
    f(-x) == -f(x) identically (SymPy).
``mean_normal``, ``second_moment_normal``
    E[f(Z)] and E[f(Z)^2] for Z ~ N(0, 1) (mpmath quadrature, split at the kinks).
``zero_centred``
    ``|E f(Z)| < 1e-6``: the output has mean zero for standard-normal input (true for odd
    functions and, by construction, for SELU).
``kinks``
    the points where the piecewise definition switches branch.
``smoothness``
    ``"discontinuous"``, ``"C0"``, ``"C1"``, ``"C2"`` or ``"C∞"``: the highest order k <= 2 such
    that the k-th derivative is continuous at every kink (``"C∞"`` when there is no kink:
    every formula here is analytic away from its kinks).
``saturating``
    ``"both"``, ``"left"``, ``"right"`` or ``"none"``: the sides where f'(x) -> 0.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath
import sympy as sp

from . import definitions, symbolic
from .definitions import x
from .symbolic import branch_points as _kinks
from .symbolic import folded as _folded
from .symbolic import piece_at as _piece_at

__all__ = ["derive", "kinks", "KEYS"]

KEYS = (
    "f0",
    "limits",
    "grad_limits",
    "range",
    "range_closed",
    "range_str",
    "bounded_below",
    "bounded_above",
    "monotonic",
    "critical_points",
    "zero_at_zero",
    "odd",
    "mean_normal",
    "second_moment_normal",
    "zero_centred",
    "kinks",
    "smoothness",
    "saturating",
)

_GRID = [sp.Rational(i, 20) for i in range(-60 * 20, 60 * 20 + 1)]  # step 0.05 on [-60, 60]
_DPS = 30
_DPS_VALUES = 60


def _same(a, b):
    """Exact equality of two SymPy numbers, decided numerically at 40 digits if needed."""
    if a == b:
        return True
    diff = sp.simplify(a - b)
    if diff == 0:
        return True
    try:
        return abs(sp.N(diff, 60)) < sp.Float(10) ** -50
    except TypeError:
        return False


def _smoothness(pw, kinks):
    if not kinks:
        return "C∞"
    order = 2
    for k in kinks:
        eps = sp.Rational(1, 10**6)
        left, right = _piece_at(pw, k - eps), _piece_at(pw, k + eps)
        for n in range(0, 3):
            lv = sp.diff(left, x, n).subs(x, k)
            rv = sp.diff(right, x, n).subs(x, k)
            if not _same(lv, rv):
                order = min(order, n - 1)
                break
    return {-1: "discontinuous", 0: "C0", 1: "C1", 2: "C2"}[order]


def _tidy(value):
    """sympy.limit turns Floats into huge Rationals (e.g. SELU's -λα): turn them back."""
    if value.is_Rational and value.q > 1000:
        return sp.Float(value, 30)
    return value


def _mp(expr):
    return sp.lambdify(x, expr, modules="mpmath")


def _interval(lo, hi, closed):
    def fmt(v):
        if v == sp.oo:
            return "∞"
        if v == -sp.oo:
            return "-∞"
        return str(v) if v.is_Integer or (v.is_Rational and v.q < 1000) else f"{float(v):.6g}"

    left = "[" if closed[0] else "("
    right = "]" if closed[1] else ")"
    return f"{left}{fmt(lo)}, {fmt(hi)}{right}"


@lru_cache(maxsize=None)
def _derive(name: str, key: tuple) -> dict:
    params = dict(key)
    f = definitions.expression(name, **params)
    pw = _folded(f)
    kinks = _kinks(pw)

    with mpmath.workdps(_DPS):
        # Limits come from activations.symbolic (cached there, and shared with the tests).
        lim = tuple(_tidy(symbolic.limit(name, sign, **params)) for sign in (-1, 1))
        glim = tuple(symbolic.limit(name, sign, derivative=True, **params) for sign in (-1, 1))

        # Sign scan of f' on the grid, branch by branch (grid points at kinks are skipped).
        branch_grads = {}
        signs = []
        for g in _GRID:
            if g in kinks:
                continue
            branch = _piece_at(pw, g)
            if branch not in branch_grads:
                branch_grads[branch] = _mp(sp.diff(branch, x))
            signs.append((g, branch, branch_grads[branch](mpmath.mpf(g.p) / g.q)))
        monotonic = all(s >= 0 for _, _, s in signs) and all((lv is sp.oo or lv >= 0) for lv in glim if lv.is_number)

        # Critical points: strict sign changes of f' inside one branch (a zero that falls
        # exactly on a grid point is taken as it is; plateaus with f' = 0 are not extrema).
        critical = []
        nonzero = [(i, g, b, s) for i, (g, b, s) in enumerate(signs) if s != 0]
        for (i0, g0, b0, s0), (i1, g1, b1, s1) in zip(nonzero, nonzero[1:]):
            if b0 != b1 or (s0 > 0) == (s1 > 0):
                continue
            exact_zero = [g for g, b, s in signs[i0 + 1 : i1] if s == 0 and b == b0]
            if exact_zero:
                root = mpmath.mpf(exact_zero[0].p) / exact_zero[0].q
            else:
                root = mpmath.findroot(
                    branch_grads[b0], (mpmath.mpf(g0.p) / g0.q, mpmath.mpf(g1.p) / g1.q), solver="anderson"
                )
            critical.append((sp.Float(root, 20), sp.Float(_mp(b0)(root), 20)))

        # Values at finite points, at high precision so that a tail value such as
        # tanh(40) = 1 - 3.6e-35 is not mistaken for the (unattained) limit 1.
        with mpmath.workdps(_DPS_VALUES):
            finite_values = [
                sp.Float(_mp(_piece_at(pw, g))(mpmath.mpf(g.p) / g.q), _DPS_VALUES) for g in _GRID[::10] if abs(g) <= 40
            ]
        finite_values += [v for _, v in critical]
        for k in kinks:
            for side in (1, -1):
                finite_values.append(_piece_at(pw, k + side * sp.Rational(1, 10**9)).subs(x, k))

        lo = min([*lim, *finite_values], key=lambda v: float(v))
        hi = max([*lim, *finite_values], key=lambda v: float(v))
        closed = (
            lo.is_finite is not False and any(_same(v, lo) for v in finite_values),
            hi.is_finite is not False and any(_same(v, hi) for v in finite_values),
        )

        fn = _mp(f)
        pieces = [-mpmath.inf, *[mpmath.mpf(float(k)) for k in kinks], mpmath.inf]
        phi = lambda t: mpmath.exp(-t * t / 2) / mpmath.sqrt(2 * mpmath.pi)
        mean = mpmath.quad(lambda t: fn(t) * phi(t), pieces)
        second = mpmath.quad(lambda t: fn(t) ** 2 * phi(t), pieces)

    f0 = sp.nsimplify(f.subs(x, 0)) if f.subs(x, 0).is_Rational else f.subs(x, 0)
    odd = (
        sp.simplify(_folded(f.subs(x, -x)) + pw) == 0
        if not kinks
        else all(
            _same(_piece_at(pw, -g).subs(x, -g), -_piece_at(pw, g).subs(x, g)) for g in _GRID[::37] if g not in kinks
        )
    )
    saturating = {(True, True): "both", (True, False): "left", (False, True): "right", (False, False): "none"}[
        (glim[0] == 0, glim[1] == 0)
    ]
    return {
        "f0": f0,
        "limits": lim,
        "grad_limits": glim,
        "range": (lo, hi),
        "range_closed": closed,
        "range_str": _interval(lo, hi, closed),
        "bounded_below": lo.is_finite is not False and lo != -sp.oo,
        "bounded_above": hi.is_finite is not False and hi != sp.oo,
        "monotonic": bool(monotonic),
        "critical_points": critical,
        "zero_at_zero": bool(f0 == 0),
        "odd": bool(odd),
        "mean_normal": float(mean),
        "second_moment_normal": float(second),
        "zero_centred": abs(float(mean)) < 1e-6,
        "kinks": kinks,
        "smoothness": _smoothness(pw, kinks),
        "saturating": saturating,
    }


def derive(name: str, **params) -> dict:
    """Derived properties of activation ``name`` with ``params`` (see the module docstring).

    The dict is cached; a shallow copy is returned so callers cannot corrupt the cache.
    """
    return dict(_derive(name, symbolic.params_key(name, params)))


#: Where the piecewise definition switches branch (re-exported from :mod:`activations.symbolic`).
kinks = symbolic.kinks
