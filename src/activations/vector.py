"""Vector-valued activations: softmax, log-softmax and maxout."""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, finish, int_param

__all__ = ["softmax", "log_softmax", "maxout"]


def _axis(arr, axis, fname):
    axis = int_param(axis, "axis", fname, minimum=None)
    if arr.ndim == 0:
        raise ValueError(f"{fname}(): needs at least a 1-d array, got a 0-d input")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"{fname}(): axis {axis} is out of range for an array with {arr.ndim} dimension(s)")
    return axis


def _shifted(arr, axis):
    # Subtracting the row maximum makes every exponent <= 0: exp cannot overflow, and
    # the largest term is exactly 1, so the sum is >= 1 and its log is well-conditioned.
    # A row of -inf keeps m = 0 (all terms 0, so 0/0 = NaN); a +inf entry makes the
    # whole row NaN (inf - inf), as in PyTorch.
    m = np.max(arr, axis=axis, keepdims=True)
    m = np.where(m == -np.inf, 0.0, m)
    return arr - m


def softmax(x, axis=-1):
    """softmax(x)_i = exp(x_i) / sum_j exp(x_j) along ``axis``, computed as
    exp(x_i - max x) / sum_j exp(x_j - max x).

    Rows with +inf entries or NaN give NaN, as in PyTorch.
    """
    arr, dtype = as_float_array(x, "softmax")
    axis = _axis(arr, axis, "softmax")
    with np.errstate(all="ignore"):
        e = np.exp(_shifted(arr, axis))
        out = e / np.sum(e, axis=axis, keepdims=True)
        return finish(out, dtype)


def log_softmax(x, axis=-1):
    """log softmax(x)_i = x_i - logsumexp(x), with logsumexp = m + log sum exp(x - m)."""
    arr, dtype = as_float_array(x, "log_softmax")
    axis = _axis(arr, axis, "log_softmax")
    # finish() inside: x_i - logsumexp can overflow float32 when cast back (-> -inf).
    with np.errstate(all="ignore"):
        s = _shifted(arr, axis)
        out = s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))
        return finish(out, dtype)


def maxout(x, pieces, axis=-1):
    """Maxout: split ``axis`` into consecutive groups of ``pieces`` and take each group's max.

    An axis of length ``k * pieces`` becomes length ``k``.  With pieces = 2 and inputs
    (z, 0) it is ReLU; with (z, a z) it is Leaky ReLU.
    """
    arr, dtype = as_float_array(x, "maxout")
    pieces = int_param(pieces, "pieces", "maxout", minimum=1)
    axis = _axis(arr, axis, "maxout") % arr.ndim
    n = arr.shape[axis]
    if n % pieces:
        raise ValueError(f"maxout(): axis length {n} is not divisible by pieces={pieces}")
    shape = arr.shape[:axis] + (n // pieces, pieces) + arr.shape[axis + 1 :]
    out = np.max(arr.reshape(shape), axis=axis + 1)
    return finish(out, dtype)
