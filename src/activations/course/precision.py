"""Floating-point formats for chapter 2's low-precision section.

Three small tools:

* :func:`format_info`: the numbers that decide where a format breaks: the largest
  finite value ``max``, ``ln_max = ln(max)`` (``exp(x)`` overflows above it: 11.09 in
  float16, 88.72 in float32 and bfloat16), the significand bits ``p`` (11, 8, 24, 53,
  counting the implicit bit), ``eps = 2**(1 - p)``, and the smallest normal and
  subnormal numbers (below half the smallest subnormal a result rounds to 0);
* :func:`first_float`: the first float of a format where a monotone test turns true
  (where ``sigmoid(x)`` first rounds to 1, where ``exp(x)`` first overflows), found by
  bisection on the bit patterns, which for non-negative floats are ordered like the
  values;
* :func:`matmul_accumulated`: a matrix product whose every product and every partial
  sum is rounded to the format, as a dot product without a wider accumulator computes
  it (NumPy's own float16 ``@`` accumulates in float32 and rounds once).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["format_info", "first_float", "matmul_accumulated"]

_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _dtype(dtype, fname):
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"{fname}(): {dtype!r} is not a NumPy dtype") from exc
    if dt.kind not in "fV" or dt.itemsize not in _UINT or (dt.kind == "V" and dt.name != "bfloat16"):
        raise TypeError(f"{fname}(): expected float16, bfloat16, float32 or float64, got {dt}")
    return dt


def _finfo(dt):
    if dt.name == "bfloat16":
        import ml_dtypes

        return ml_dtypes.finfo(dt)
    return np.finfo(dt)


def format_info(dtype) -> dict:
    """Range and precision of a floating-point format.

    Parameters
    ----------
    dtype : float16, bfloat16 (``ml_dtypes.bfloat16``), float32 or float64

    Returns
    -------
    dict
        ``name``; ``bits`` p, the significand bits with the implicit one; ``eps`` =
        2**(1 - p), the spacing of the format just above 1; ``max``, the largest finite
        value; ``ln_max`` = ln(max), above which exp overflows; ``smallest_normal``;
        ``smallest_subnormal``.  All numbers are Python floats.
    """
    dt = _dtype(dtype, "format_info")
    fi = _finfo(dt)
    big = float(fi.max)
    return {
        "name": dt.name,
        "bits": int(fi.nmant) + 1,
        "eps": float(fi.eps),
        "max": big,
        "ln_max": math.log(big),
        "smallest_normal": float(fi.smallest_normal),
        "smallest_subnormal": float(fi.smallest_subnormal),
    }


def first_float(pred, dtype, lo, hi):
    """The smallest float ``v`` of ``dtype`` in (lo, hi] with ``pred(v)`` true.

    ``pred`` takes a 0-d array of ``dtype`` and returns a truth value; it must be
    monotone on [lo, hi] (false, then true), with ``pred(lo)`` false and ``pred(hi)``
    true.  Bisection on the bit patterns, which order non-negative floats by value:
    about as many calls as the format has bits.

    Parameters
    ----------
    pred : callable
    dtype : float16, bfloat16, float32 or float64
    lo, hi : float
        0 <= lo < hi, both finite; they are rounded to ``dtype`` first.

    Returns
    -------
    numpy scalar of ``dtype``
    """
    fname = "first_float"
    if not callable(pred):
        raise TypeError(f"{fname}(): pred must be callable, got {type(pred).__name__}")
    dt = _dtype(dtype, fname)
    a, b = np.array(lo).astype(dt), np.array(hi).astype(dt)
    fa, fb = float(a.astype(np.float64)), float(b.astype(np.float64))
    if not (math.isfinite(fa) and math.isfinite(fb) and 0 <= fa < fb):
        raise ValueError(f"{fname}(): need 0 <= lo < hi, both finite in {dt}, got lo={lo!r}, hi={hi!r}")
    if pred(a):
        raise ValueError(f"{fname}(): pred is already true at lo={fa!r}")
    if not pred(b):
        raise ValueError(f"{fname}(): pred is false at hi={fb!r}")
    ut = _UINT[dt.itemsize]
    i, j = int(a.view(ut)), int(b.view(ut))  # pred false at i, true at j
    while j - i > 1:
        m = (i + j) // 2
        if pred(np.array(m, dtype=ut).view(dt)):
            j = m
        else:
            i = m
    return np.array(j, dtype=ut).view(dt)[()]


def matmul_accumulated(X, W, dtype):
    """``X @ W`` with every product and every partial sum rounded to ``dtype``.

    The sum over the inner index k runs in order k = 0, 1, ...: s <- round(s +
    round(x_k w_k)), starting from s = 0, as a dot product without a wider accumulator
    computes it.  ``X`` and ``W`` are first rounded to ``dtype``; neither is modified.

    Parameters
    ----------
    X : array (n, k)
    W : array (k, m)
    dtype : float16, bfloat16, float32 or float64

    Returns
    -------
    array (n, m) of ``dtype``
    """
    fname = "matmul_accumulated"
    dt = _dtype(dtype, fname)
    X, W = np.asarray(X), np.asarray(W)
    if X.ndim != 2 or W.ndim != 2 or X.shape[1] != W.shape[0]:
        raise ValueError(f"{fname}(): need X (n, k) and W (k, m), got {X.shape} and {W.shape}")
    # Every step is computed in float64, where a product or a sum of two float16,
    # bfloat16 or float32 numbers is close enough to be rounded once to dt (for float64
    # inputs it is float64 arithmetic itself).
    Xr = _round(X, dt).astype(np.float64)
    Wr = _round(W, dt).astype(np.float64)
    acc = np.zeros((X.shape[0], W.shape[1]))
    for k in range(X.shape[1]):
        prod = _round(Xr[:, k : k + 1] * Wr[k], dt).astype(np.float64)
        acc = _round(acc + prod, dt).astype(np.float64)
    return acc.astype(dt)


def _round(r, dt):
    """float64 ``r`` rounded once to ``dt`` (to nearest, ties to even).

    NumPy rounds float64 to float16/float32 once; ``ml_dtypes`` goes through float32
    with two roundings, so for bfloat16 the float32 step rounds *to odd* (toward 0, then
    the last bit set if inexact), which makes the second rounding exact-once.
    """
    r = np.asarray(r, dtype=np.float64)
    if dt.name != "bfloat16":
        return r.astype(dt)
    f = r.astype(np.float32)
    back = f.astype(np.float64)
    bits = f.view(np.uint32)
    with np.errstate(over="ignore"):
        np.subtract(bits, np.abs(back) > np.abs(r), out=bits, casting="unsafe")
        np.bitwise_or(bits, back != r, out=bits, casting="unsafe")
    return f.astype(dt)
