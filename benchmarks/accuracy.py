"""Worst error of every activation's value and derivative, for three implementations.

The reference and the metric are those of :mod:`activations.reference` (mpmath,
adaptive precision; error in ULPs of the exact value divided by the condition
number max(1, |x g'(x)/g(x)|), with only an absolute error of 1e-300 required where
|exact| < 1e-290; for float32 plain float32 ULPs of the exact value at the float32
input).  Scores are in the reference's units: ``score <= reference.BAR`` (8) is the
course's accuracy bar.

Implementations: ``ours`` (the public API, ``act.get(name)`` and ``.grad``),
``naive`` (:mod:`benchmarks.naive`, computed in the input's dtype) and ``torch``
(:mod:`benchmarks.torch_impl`: ``torch.nn.functional`` for values, autograd for
derivatives; skipped, and reported as not installed, without torch).

Points: ``reference.grid(name)`` (dense on [-40, 40], log-spaced tails to ±1e6,
named tail points, tiny inputs, neighbourhoods of kinks and of the roots of f')
plus ±inf and NaN; for float32 the same points rounded to float32.
"""

from __future__ import annotations

import math

import ml_dtypes
import mpmath
import numpy as np

import activations as act
from activations import reference, symbolic

from . import naive, torch_impl

__all__ = ["run", "points", "evaluate", "KINKS", "IMPLS", "DTYPES"]

IMPLS = ("ours", "naive", "torch")
DTYPES = ("float64", "float32", "float16", "bfloat16")
#: Formats scored in plain ULPs of the format (significand bits, exponent of the
#: smallest subnormal); only ``ours`` is scored in float16 and bfloat16.
LOW = {"float32": (24, -149), "float16": (11, -24), "bfloat16": (8, -133)}
KINDS = ("value", "grad")

#: Kinks where f' jumps (left and right derivatives differ), read off the SymPy
#: definitions (:func:`activations.symbolic.derivative_jumps`).  The value there is a
#: convention (the course uses PyTorch's, see :mod:`activations.kernels`), not an
#: accuracy question: these points are left out of the derivative scores and every
#: implementation's value there is reported on its own (``kinks`` in each row).
KINKS = {name: jumps for name in act.names() if (jumps := symbolic.derivative_jumps(name))}


def points(name: str, dtype: str = "float64", n_dense: int = 1000, n_tail: int = 100) -> np.ndarray:
    """Sorted test points (as float64) for ``name``: the reference grid, ±inf, NaN.

    For float32, float16 and bfloat16 the points are the grid rounded to the format
    (duplicates removed), so every point is exactly representable in it; float16 and
    bfloat16 add the format's edges (largest finite value, log of it -- where exp
    overflows --, smallest normal and subnormal, and minus the log of those).
    """
    params = dict(act.get(name).params)
    xs = reference.grid(name, n_dense=n_dense, n_tail=n_tail, **params)
    xs = np.concatenate([xs, [-np.inf, np.inf]])
    if dtype in ("float16", "bfloat16"):
        fi = ml_dtypes.finfo(_np_dtype(dtype))
        e = [float(fi.max), float(fi.smallest_normal), float(fi.smallest_subnormal)]
        e += [math.log(e[0]), -math.log(e[1]), -math.log(e[2])]
        xs = np.concatenate([xs, e, np.negative(e)])
    if dtype != "float64":
        with np.errstate(over="ignore"):
            xs = xs.astype(_np_dtype(dtype)).astype(np.float64)
    xs = np.unique(xs)  # sorts; NaN is added after so that it is kept exactly once
    return np.concatenate([xs, [np.nan]])


def _np_dtype(dtype: str) -> np.dtype:
    return np.dtype(ml_dtypes.bfloat16 if dtype == "bfloat16" else dtype)


def _low_ulp_error(c: float, exact, dtype: str) -> float:
    """|c - exact| in ULPs of ``dtype`` at the exact value (spacing floored at the
    smallest subnormal); inf is right exactly where the exact value rounds to it."""
    bits, emin = LOW[dtype]
    if mpmath.isnan(exact) or math.isnan(c):
        return 0.0 if (mpmath.isnan(exact) and math.isnan(c)) else math.inf
    if math.isinf(c) or mpmath.isinf(exact):
        big = float(ml_dtypes.finfo(_np_dtype(dtype)).max)
        over = mpmath.mpf(big) + mpmath.ldexp(1, math.frexp(big)[1] - bits - 1)  # rounds to inf from here
        same_sign = (c > 0) == (exact > 0)
        return 0.0 if mpmath.mpf(c) == exact or (math.isinf(c) and abs(exact) >= over and same_sign) else math.inf
    e = emin if exact == 0 else max(mpmath.frexp(exact)[1] - bits, emin)
    return float(abs(mpmath.mpf(c) - exact) / mpmath.ldexp(1, e))


def _compute(impl: str, name: str, kind: str, xs: np.ndarray) -> np.ndarray:
    params = dict(act.get(name).params)
    if impl == "ours":
        a = act.get(name)
        out = a(xs) if kind == "value" else a.grad(xs)
    elif impl == "naive":
        out = (naive.value if kind == "value" else naive.grad)(name, xs, **params)
    elif impl == "torch":
        out = (torch_impl.value if kind == "value" else torch_impl.grad)(name, xs, **params)
    else:
        raise ValueError(f"_compute(): unknown implementation {impl!r}")
    if out.dtype != xs.dtype:
        raise AssertionError(f"{impl} {name} {kind}: dtype {out.dtype} for input {xs.dtype}")
    return np.asarray(out, dtype=np.float64)


def _fmt(v) -> str:
    return mpmath.nstr(v, 17) if isinstance(v, mpmath.mpf) else repr(float(v))


def evaluate(name: str, kind: str, dtype: str, impls=IMPLS, n_dense: int = 1000, n_tail: int = 100) -> list[dict]:
    """Scores of each implementation for one (activation, value/grad, dtype).

    Returns one dict per implementation with ``worst`` (largest score; ``inf`` if
    some non-finite result is wrong), ``worst_finite`` (largest finite score),
    ``at`` (the x of ``worst_finite``, with computed and exact values there),
    ``above_bar`` (points scoring above the bar), ``nonfinite_wrong`` (count and
    the first few x) and, for derivatives with :data:`KINKS`, ``kinks`` (the value
    at each kink, not scored).
    """
    xs = points(name, dtype, n_dense, n_tail)
    kinks = np.array(KINKS.get(name, []) if kind == "grad" else [], dtype=np.float64)
    xs = xs[~np.isin(xs, kinks)]
    params = dict(act.get(name).params)
    exact = reference.exact(name, xs, derivative=kind == "grad", **params)
    typed = xs.astype(_np_dtype(dtype))
    out = []
    for impl in impls:
        if impl == "torch" and not torch_impl.available():
            continue
        if dtype in ("float16", "bfloat16") and impl != "ours":
            continue
        computed = _compute(impl, name, kind, typed)
        at_kinks = _compute(impl, name, kind, kinks.astype(_np_dtype(dtype))) if kinks.size else []
        if dtype in ("float16", "bfloat16"):
            s = np.array([_low_ulp_error(float(c), e, dtype) for c, e in zip(computed, exact)])
        else:
            s = reference.score(name, xs, computed, derivative=kind == "grad", dtype=dtype, **params)
        finite = np.isfinite(s)
        wrong = np.nonzero(~finite)[0]
        row = {
            "name": name,
            "kind": kind,
            "dtype": dtype,
            "impl": impl,
            "n_points": int(xs.size),
            "worst": float(s.max()),
            "worst_finite": 0.0,
            "at": None,
            "above_bar": int(np.sum(s > reference.BAR)),
            "nonfinite_wrong": int(wrong.size),
            "nonfinite_wrong_at": [
                {"x": float(xs[i]), "computed": float(computed[i]), "exact": _fmt(exact[i])} for i in wrong[:4]
            ],
        }
        if finite.any():
            i = int(np.argmax(np.where(finite, s, -1.0)))
            row["worst_finite"] = float(s[i])
            row["at"] = {"x": float(xs[i]), "computed": float(computed[i]), "exact": _fmt(exact[i])}
        if kinks.size:
            sym = reference.exact(name, kinks, derivative=True, **params)
            row["kinks"] = [
                {"x": float(k), "computed": float(v), "sympy": float(e)} for k, v, e in zip(kinks, at_kinks, sym)
            ]
        out.append(row)
    return out


def run(names=None, dtypes=DTYPES, kinds=KINDS, impls=IMPLS, quick: bool = False, progress=None) -> dict:
    """Accuracy of every implementation for every activation; a JSON-ready dict.

    ``quick`` uses a coarse grid (50 dense points, 5 per tail) for smoke tests.
    """
    names = list(names or act.names())
    n_dense, n_tail = (50, 5) if quick else (1000, 100)
    rows = []
    for name in names:
        for kind in kinds:
            for dtype in dtypes:
                got = evaluate(name, kind, dtype, impls, n_dense, n_tail)
                rows.extend(got)
                if progress:
                    for row in got:
                        progress(row)
    return {
        "metric": (
            "float64: ULPs of the exact value / max(1, |x g'(x)/g(x)|) (g = f or f'); "
            f"|exact| < {reference.TINY:g} only needs abs error <= {reference.ABS_TOL:g} "
            f"(score = {reference.BAR:g} * error / {reference.ABS_TOL:g}); float32, float16, bfloat16: "
            "ULPs of the format"
        ),
        "bar": reference.BAR,
        "grid": {"n_dense": n_dense, "n_tail": n_tail, "range": [-1e6, 1e6], "extra": ["-inf", "inf", "nan"]},
        "impls": [i for i in impls if i != "torch" or torch_impl.available()],
        "torch": torch_impl.version(),
        "rows": rows,
    }
