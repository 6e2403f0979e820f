"""What a network with a given activation can represent: chapter 1's measuring tools.

* :func:`poly_fit_error` -- the smallest root-mean-square error with which *any*
  polynomial of degree <= d fits samples (x_i, y_i): the least-squares residual

      E_d = min_{deg p <= d} sqrt( (1/n) sum_i (p(x_i) - y_i)^2 ).

  A network whose activation is a polynomial of degree k, with L hidden layers, is a
  polynomial of degree <= k^L in a scalar input, so E_{k^L} is a floor under its error on
  those samples, whatever its width and weights.
* :func:`tent` and :func:`sawtooth` -- Telgarsky's construction: the tent map
  t(x) = 2 relu(x) - 4 relu(x - 1/2) is one layer of two ReLU units, and its L-fold
  composition is a sawtooth with 2^L linear pieces on [0, 1].
* :func:`count_linear_pieces` -- the number of maximal intervals on which sampled values
  are affine (consecutive slopes equal to a tolerance).
"""

from __future__ import annotations

import numpy as np

from .._validation import as_float_array, finish, int_param, real_param
from ..functional import relu

__all__ = ["poly_fit_error", "tent", "sawtooth", "count_linear_pieces"]


def _samples(x, y, fname):
    xs, _ = as_float_array(x, fname)
    ys, _ = as_float_array(y, fname)
    if xs.ndim != 1 or ys.shape != xs.shape:
        raise ValueError(f"{fname}(): x and y must be 1-d arrays of the same length, got {xs.shape} and {ys.shape}")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError(f"{fname}(): x and y must be finite")
    return xs, ys


def poly_fit_error(x, y, degree):
    """RMS error of the best least-squares polynomial of degree <= ``degree`` through (x, y).

    E_d = min over polynomials p of degree <= d of sqrt(mean((p(x_i) - y_i)^2)), computed
    in the Chebyshev basis on x mapped to [-1, 1] (well conditioned up to high degree).

    Parameters
    ----------
    x, y : array_like, 1-d, same length, finite
        Samples; ``x`` needs more than ``degree`` distinct values.
    degree : int >= 0

    Returns
    -------
    float
    """
    xs, ys = _samples(x, y, "poly_fit_error")
    d = int_param(degree, "degree", "poly_fit_error", minimum=0)
    if np.unique(xs).size <= d:
        raise ValueError(f"poly_fit_error(): degree {d} needs more than {d} distinct x values")
    lo, hi = xs.min(), xs.max()
    t = (2 * xs - (lo + hi)) / (hi - lo) if hi > lo else np.zeros_like(xs)
    V = np.polynomial.chebyshev.chebvander(t, d)
    coef, *_ = np.linalg.lstsq(V, ys, rcond=None)
    return float(np.sqrt(np.mean((V @ coef - ys) ** 2)))


def tent(x):
    """One layer of two ReLU units and a linear read-out: t(x) = 2 relu(x) - 4 relu(x - 1/2).

    On [0, 1], t rises from 0 to 1 on [0, 1/2] and falls back to 0 on [1/2, 1].
    """
    arr, dtype = as_float_array(x, "tent")
    return finish(2.0 * relu(arr) - 4.0 * relu(arr - 0.5), dtype)


def sawtooth(x, depth):
    """The tent map composed ``depth`` times: a ReLU network of ``depth`` layers of 2 units.

    On [0, 1] it has 2^depth linear pieces with slopes +-2^depth (Telgarsky 2016).
    """
    arr, dtype = as_float_array(x, "sawtooth")
    L = int_param(depth, "depth", "sawtooth", minimum=0)
    out = arr.copy()
    for _ in range(L):
        out = tent(out)
    return finish(out, dtype)


def count_linear_pieces(x, y, *, rtol=1e-9):
    """Number of maximal runs of samples on which y is an affine function of x.

    The slopes s_i = (y_{i+1} - y_i) / (x_{i+1} - x_i) of consecutive samples are
    compared; a new piece starts wherever |s_{i+1} - s_i| > rtol * max(1, |s_i|, |s_{i+1}|).
    Exact when every kink lies on a sample (e.g. dyadic grids for :func:`sawtooth`);
    a kink between two samples shows up as a short extra piece.

    Parameters
    ----------
    x : array_like, 1-d, strictly increasing, at least 2 samples
    y : array_like, same shape as x
    rtol : float > 0
    """
    xs, ys = _samples(x, y, "count_linear_pieces")
    tol = real_param(rtol, "rtol", "count_linear_pieces", positive=True)
    if xs.size < 2:
        raise ValueError("count_linear_pieces(): needs at least 2 samples")
    dx = np.diff(xs)
    if np.any(dx <= 0):
        raise ValueError("count_linear_pieces(): x must be strictly increasing")
    slopes = np.diff(ys) / dx
    scale = np.maximum(1.0, np.maximum(np.abs(slopes[:-1]), np.abs(slopes[1:])))
    return int(1 + np.count_nonzero(np.abs(np.diff(slopes)) > tol * scale))
