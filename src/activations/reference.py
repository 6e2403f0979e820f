"""High-precision reference values and the course's error metric.

Every reference value is the SymPy definition (:mod:`activations.definitions`)
evaluated with mpmath: ``expr`` for values, ``dexpr`` (= ``sympy.diff(expr, x)``) for
derivatives.  The float64 input is converted to mpmath exactly, so the reference is
the exact value of the function *at the float the kernel received*.

Precision is adaptive: a value is computed at ``dps`` decimal digits and again at
20 more digits (more when the result is small), until two successive results agree
to ``dps - 15`` significant digits *and* the working precision resolves the result
to that many digits relative to intermediates of size max(1, |x|)**3.  That is
needed because the textbook formulas cancel (``1 + erf(-20/√2)`` is exactly 0 at 50
and at 100 digits while Φ(-20) ≈ 2.8e-89, so mere agreement is not enough).  An
exact 0 never counts as converged before :data:`MAX_DPS` = 400 digits; there a
result below :data:`TINY` is accepted as it is (its absolute error is at most
1e-400 * max(1, |x|)**3 < 1e-380, far inside the 1e-300 the metric asks for);
otherwise precision goes on up to 4 * MAX_DPS and then raises ``ArithmeticError``.

The error metric (the course's accuracy bar)::

    scaled error = (|computed - exact| in ULPs of exact) / max(1, |x g'(x) / g(x)|)

where g is f for values and f' for derivatives: an error the problem itself forces
(rounding x moves g(x) by about cond * 0.5 ULP) is not charged to the kernel.  The
bar is :data:`BAR` = 8.  Where |exact| < :data:`TINY` = 1e-290 only an absolute
error of :data:`ABS_TOL` = 1e-300 is required; there the score is
``BAR * |error| / ABS_TOL``, so "score <= BAR" is exactly that rule.

Examples
--------
>>> from activations import reference as ref
>>> v = ref.exact("gelu", [-20.0])[0]
>>> float(v) < 0 and abs(v) < 1e-86
True
>>> s, x_worst = ref.worst("sigmoid", [-30.0, 0.5, 2.0])
>>> s <= ref.BAR
True
"""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from . import core, definitions, symbolic
from .spec import SPECS

__all__ = [
    "BAR",
    "TINY",
    "ABS_TOL",
    "MAX_DPS",
    "TAIL_POINTS",
    "CONVENTION_POINTS",
    "EXTRA_PARAMS",
    "exact",
    "exact_float",
    "limit",
    "condition_number",
    "ulp",
    "ulp_error",
    "score",
    "worst",
    "grid",
]

BAR = 8.0
TINY = 1e-290
ABS_TOL = 1e-300
MAX_DPS = 400
#: Named far-tail points every grid contains (with both signs).
TAIL_POINTS = (20.0, 37.0, 710.0, 1000.0, 1e6)
#: Derivative points where the kernel and ``dexpr`` may differ (``grad_convention`` of the
#: rows in :mod:`activations.spec`); accuracy checks leave them out.  Empty: the SymPy
#: definitions follow the kernels' (PyTorch's) kink convention, relu'(0) = 0 included.
CONVENTION_POINTS = {name: row.grad_convention for name, row in SPECS.items() if row.grad_convention}
#: Non-default parameters the accuracy checks cover besides every default (``extra_params``).
EXTRA_PARAMS = tuple((name, dict(p)) for name, row in SPECS.items() for p in row.extra_params)
_X = definitions.x


# --- symbolic side -------------------------------------------------------------------


def _params_key(name: str, params: dict) -> tuple:
    """Validated parameters (defaults filled in, floats) as a hashable key."""
    return tuple(sorted(core.get(name, **params).params.items()))


@lru_cache(maxsize=None)
def _sym(name: str, key: tuple, order: int) -> sp.Expr:
    """f (order 0), f' = dexpr (order 1) or f'' (order 2, only for condition numbers:
    diff(expr, x, 2) unsimplified, which is 2-3 times shorter than diff(dexpr) for
    gelu_tanh and mish and so evaluates faster)."""
    params = dict(key)
    if order == 0:
        return definitions.expression(name, **params)
    if order == 1:
        return definitions.derivative(name, **params)
    return sp.diff(definitions.expression(name, **params), _X, 2)


def _heaviside(x, h0=0.5):
    return mpmath.mpf(1) if x > 0 else (mpmath.mpf(0) if x < 0 else mpmath.mpf(h0))


def _dirac(x, *args):
    # Only used in f'' for condition numbers: the point masses at kinks are ignored
    # (the condition number is taken from the smooth pieces).
    return mpmath.mpf(0)


def _sign(x):
    return mpmath.mpf(mpmath.sign(x))


_MODULES = [{"Heaviside": _heaviside, "DiracDelta": _dirac, "sign": _sign}, "mpmath"]


@lru_cache(maxsize=None)
def _mp_function(name: str, key: tuple, order: int):
    return sp.lambdify(_X, _sym(name, key, order), modules=_MODULES)


def limit(name: str, sign: int, *, derivative=False, **params) -> sp.Expr:
    """SymPy limit of f (or f') as x -> sign * oo (``sign`` is +1 or -1); see
    :func:`activations.symbolic.limit`."""
    return symbolic.limit(name, sign, derivative=derivative, **params)


# --- adaptive mpmath evaluation --------------------------------------------------------


def _agree(a, b, digits) -> bool:
    return a != 0 and b != 0 and abs(a - b) <= abs(b) * mpmath.mpf(10) ** (-digits)


@lru_cache(maxsize=200_000)
def _value(name: str, key: tuple, order: int, xf: float, dps: int):
    """Order-``order`` expression at the float ``xf``, to at least dps - 15 digits."""
    if math.isnan(xf):
        return mpmath.mpf("nan")
    if math.isinf(xf):
        lim = symbolic.limit_by_key(name, key, order, 1 if xf > 0 else -1)
        if lim.is_infinite:
            return mpmath.mpf("inf") * int(sp.sign(lim))
        with mpmath.workdps(dps):
            return +mpmath.mpf(sp.Float(lim, dps))
    f = _mp_function(name, key, order)
    digits = max(dps - 15, 10)
    # Intermediates of size up to max(1, |x|)**3 (e.g. the cubic in gelu_tanh) must be
    # resolved to `digits` digits *of the result*: otherwise a term absorbed at both
    # precisions (1 + tanh(-125) == 0 at 50 and at 100 digits) passes the check.
    spare = digits + 10 + 3 * math.log10(max(1.0, abs(xf)))
    prev, d = None, dps
    while True:
        with mpmath.workdps(d):
            v = mpmath.mpf(f(mpmath.mpf(xf)))  # also turns int branches (0, 1) into mpf
        need = min(spare - float(mpmath.log10(abs(v))), 8 * MAX_DPS) if v != 0 else math.inf
        if prev is not None and _agree(prev, v, digits) and d >= need:
            return v
        if d >= MAX_DPS and abs(v) < TINY:  # absolute error <= 10**-d * max(1, |x|)**3 < 1e-380
            return v
        if d >= 4 * MAX_DPS:
            raise ArithmeticError(
                f"reference: {name} (order {order}) at x={xf!r} did not converge by {d} digits ({prev} vs {v})"
            )
        # Confirm at 20 more digits, or jump to what the size of the result demands.
        nxt = d + 20 if d >= need else 2 * d if v == 0 else max(2 * d, math.ceil(need) + 20)
        prev, d = v, min(4 * MAX_DPS, nxt)


def _as_floats(xs) -> np.ndarray:
    arr = np.asarray(xs, dtype=np.float64)
    return arr.reshape(-1)


def exact(name: str, xs, *, derivative=False, dps=50, **params) -> list:
    """Reference values of f (or f') at the floats ``xs`` as mpmath numbers.

    Parameters
    ----------
    name : str
        A registered activation name.
    xs : array_like
        Points (converted to float64, flattened); NaN gives NaN and ±inf gives the
        SymPy limit at ±oo.
    derivative : bool
        Evaluate ``dexpr`` (the SymPy derivative) instead of ``expr``.
    dps : int
        Starting precision in decimal digits (>= 20); see the module docstring.
    **params
        The activation's parameters.

    Returns
    -------
    list of mpmath.mpf
        One value per point, accurate to at least ``dps - 15`` digits (or to 1e-380
        absolutely when below :data:`TINY`).

    Notes
    -----
    At a kink the derivative follows the course's convention (PyTorch's, see
    :mod:`activations.definitions`): ``exact("relu", [0.0], derivative=True)`` is 0.
    """
    key = _params_key(name, params)
    dps = max(int(dps), 20)
    return [_value(name, key, int(derivative), float(v), dps) for v in _as_floats(xs)]


def _round(v, bits: int, emin: int) -> float:
    """Round an mpf to the nearest binary float with ``bits`` significand bits and
    subnormal spacing 2**emin (round-half-even), returned as a Python float."""
    if not mpmath.isfinite(v) or v == 0:
        return float(v)
    e = mpmath.frexp(v)[1]  # |v| in [2**(e-1), 2**e)
    step = max(e - bits, emin)
    with mpmath.workprec(max(mpmath.mp.prec, 64) + abs(step) + 64):
        q = mpmath.nint(mpmath.ldexp(v, -step))  # nint rounds half to even
        return float(mpmath.ldexp(q, step))


def exact_float(name: str, xs, *, derivative=False, dtype=np.float64, **params) -> np.ndarray:
    """The reference values correctly rounded to ``dtype`` (float64 or float32)."""
    dt = np.dtype(dtype)
    bits, emin = {np.dtype(np.float64): (53, -1074), np.dtype(np.float32): (24, -149)}[dt]
    vals = exact(name, xs, derivative=derivative, **params)
    out = np.array([_round(v, bits, emin) for v in vals], dtype=np.float64)
    with np.errstate(over="ignore"):
        return out.astype(dt).reshape(np.shape(xs))


# --- error metric ------------------------------------------------------------------------


def ulp(v, dtype=np.float64):
    """Spacing of ``dtype`` floats at the real number ``v`` (an mpf), as an mpf.

    For float64 this is 2**(e - 53) with 2**(e-1) <= |v| < 2**e (normal range; below
    it :data:`TINY` applies).  For float32 the subnormal spacing 2**-149 is the floor.
    """
    bits, emin = (53, -1074) if np.dtype(dtype) == np.float64 else (24, -149)
    if v == 0:
        return mpmath.ldexp(1, emin)
    e = mpmath.frexp(v)[1]
    return mpmath.ldexp(1, max(e - bits, emin))


def _overflow(dtype) -> mpmath.mpf:
    """The smallest magnitude that rounds to inf in ``dtype``: max + ulp(max) / 2."""
    bits, emax = (53, 1024) if np.dtype(dtype) == np.float64 else (24, 128)
    return mpmath.ldexp(1, emax) - mpmath.ldexp(1, emax - bits - 1)


def ulp_error(computed, exact_value, dtype=np.float64):
    """|computed - exact| in ULPs of ``dtype`` at the exact value (an mpf).

    NaN matching NaN and equal infinities are 0; any other NaN / inf mismatch is inf.
    """
    c = float(computed)
    if mpmath.isnan(exact_value) or math.isnan(c):
        return 0.0 if (mpmath.isnan(exact_value) and math.isnan(c)) else math.inf
    if math.isinf(c) and mpmath.isfinite(exact_value) and abs(exact_value) >= _overflow(dtype):
        # the correctly rounded result of a finite value beyond the largest float is inf
        return 0.0 if (c > 0) == (exact_value > 0) else math.inf
    if mpmath.isinf(exact_value) or math.isinf(c):
        return 0.0 if mpmath.mpf(c) == exact_value else math.inf
    return float(abs(mpmath.mpf(c) - exact_value) / ulp(exact_value, dtype))


def _condition(name, key, order, xf, g):
    """max(1, |x g'(x) / g(x)|) with g the order-``order`` expression (g = f or f')."""
    if not math.isfinite(xf) or xf == 0:
        return 1.0
    dg = _value(name, key, order + 1, xf, 50)
    num = abs(mpmath.mpf(xf) * dg)
    if g == 0:
        return 1.0 if num == 0 else math.inf
    return max(1.0, float(num / abs(g)))


def condition_number(name: str, x, *, derivative=False, **params) -> float:
    """max(1, |x g'(x)/g(x)|) at the float ``x``; g = f, or g = f' if ``derivative``.

    g' is ``sympy.diff`` of the expression (Dirac masses at kinks are ignored), both
    evaluated with mpmath.  Infinite where g(x) = 0 but x g'(x) != 0 (a root).
    """
    key = _params_key(name, params)
    order = int(derivative)
    xf = float(x)
    return _condition(name, key, order, xf, _value(name, key, order, xf, 50))


def _raw_errors(name, xs, computed, derivative, dtype, params):
    """(errors before dividing by the condition number, which points need it, context)."""
    dt = np.dtype(dtype)
    xs = _as_floats(np.asarray(xs).astype(dt))
    computed = np.asarray(computed, dtype=np.float64).reshape(-1)
    if computed.size != xs.size:
        raise ValueError(f"score(): {computed.size} values for {xs.size} points")
    key = _params_key(name, params)
    order = int(derivative)
    raw = np.empty(xs.size)
    needs = np.zeros(xs.size, dtype=bool)
    exact_values = []
    for i, (xf, c) in enumerate(zip(xs.tolist(), computed.tolist())):
        g = _value(name, key, order, xf, 50)
        exact_values.append(g)
        if dt == np.float32:
            raw[i] = ulp_error(c, g, np.float32)
        elif mpmath.isfinite(g) and abs(g) < TINY and math.isfinite(c):
            raw[i] = BAR * float(abs(mpmath.mpf(c) - g)) / ABS_TOL
        else:
            raw[i] = ulp_error(c, g)
            needs[i] = 0 < raw[i] < math.inf  # 0 and inf (a non-finite mistake) stay as they are
    return raw, needs, (name, key, order, xs, exact_values)


def score(name: str, xs, computed, *, derivative=False, dtype=np.float64, **params) -> np.ndarray:
    """Score values ``computed`` (by any implementation) at the points ``xs``.

    ``xs`` and ``computed`` are flattened and must have the same size.  float64: error in
    ULPs of the exact value divided by the condition number, or ``BAR * |error| /
    ABS_TOL`` where |exact| < TINY.  float32 (``dtype=np.float32``): plain float32 ULPs
    of the exact value at the float32 input, spacing floored at 2**-149.
    """
    raw, needs, (name, key, order, xs, g) = _raw_errors(name, xs, computed, derivative, dtype, params)
    for i in np.nonzero(needs)[0]:
        raw[i] /= _condition(name, key, order, float(xs[i]), g[i])
    return raw


def worst(name: str, xs, *, derivative=False, dtype=np.float64, **params) -> tuple[float, float]:
    """(largest scaled error of the kernel over ``xs``, the x where it occurs).

    Same numbers as ``score(...).max()`` for the kernel's values, but condition numbers
    are computed only where they can change the maximum (scaled error <= raw ULP error).
    """
    xs = _as_floats(xs).astype(np.dtype(dtype))
    a = core.get(name, **params)
    computed = (a.grad if derivative else a)(xs)
    raw, needs, (name, key, order, xs, g) = _raw_errors(name, xs, computed, derivative, dtype, params)
    best, at = -1.0, float(xs[0]) if xs.size else math.nan
    for i in np.argsort(-raw, kind="stable"):
        if raw[i] <= best:
            break
        s = raw[i] / _condition(name, key, order, float(xs[i]), g[i]) if needs[i] else raw[i]
        if s > best:
            best, at = float(s), float(xs[i])
    return max(best, 0.0), at


# --- test points -----------------------------------------------------------------------------


def _derivative_roots(name: str, params: dict) -> list[float]:
    """Sign changes of the kernel's f' on a fine grid, refined by bisection: the minima
    of swish/gelu/mish-like functions, where f' cancels."""
    a = core.get(name, **params)
    xs = np.linspace(-40.0, 40.0, 16001)
    d = a.grad(xs)
    roots = []
    for i in np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]:
        lo, hi = xs[i], xs[i + 1]
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if np.sign(a.grad(mid)) == np.sign(a.grad(lo)):
                lo = mid
            else:
                hi = mid
        roots.append(float(lo))
    return roots


def grid(
    name: str | None = None, n_dense: int = 1000, n_tail: int = 100, n_random: int = 0, seed: int = 0, **params
) -> np.ndarray:
    """Sorted float64 test points for ``name`` (with ``params``).

    A uniform grid of ``n_dense`` points on [-40, 40]; ``n_tail`` log-spaced points on
    each of [40, 1e6] and [-1e6, -40]; the named tail points ±20, ±37, ±710, ±1000,
    ±1e6; tiny inputs (±1e-300, ±5e-324, ±1e-8); and neighbourhoods (a few ULPs,
    1e-12, 1e-6) of 0 and, if ``name`` is given, of its kinks (read off the SymPy
    definition, :func:`activations.symbolic.kinks`) and of the roots of f' found on a
    fine grid (without ``name``: of 0, ±1, ±3).  With ``n_random``,
    also that many random points (``np.random.default_rng(seed)``): half uniform on
    [-40, 40], half with log-uniform magnitude in [1e-8, 1e6] and random sign.
    """
    params = dict(params)
    centres = [0.0, 1.0, -1.0, 3.0, -3.0]
    if name is not None:
        centres = [0.0, *symbolic.kinks(name, **params), *_derivative_roots(name, params)]
    pts = [np.linspace(-40.0, 40.0, n_dense)]
    tail = np.logspace(np.log10(40.0), 6.0, n_tail)
    pts += [tail, -tail]
    named = np.array(TAIL_POINTS)
    pts += [named, -named, np.array([1e-300, -1e-300, 5e-324, -5e-324, 1e-8, -1e-8])]
    for c in centres:
        near = [c, np.nextafter(c, np.inf), np.nextafter(c, -np.inf)]
        scale = max(abs(c), 1.0)
        near += [c + s * scale for s in (1e-12, -1e-12, 1e-6, -1e-6)]
        ulps = abs(np.spacing(c)) if c != 0 else 0.0
        near += [c + k * ulps for k in (-4, -2, 2, 4)]
        pts.append(np.array(near))
    if n_random:
        rng = np.random.default_rng(seed)
        half = n_random // 2
        pts.append(rng.uniform(-40.0, 40.0, half))
        mags = 10.0 ** rng.uniform(-8.0, 6.0, n_random - half)
        pts.append(mags * rng.choice([-1.0, 1.0], n_random - half))
    out = np.unique(np.concatenate(pts))
    return out[(out >= -1e6) & (out <= 1e6)]
