"""Gradient checks: central differences against backpropagation."""

from __future__ import annotations

import numpy as np

from .._validation import check_positive as _check_positive
from .losses import loss_function as _loss_fn


def numerical_gradient(f, x, *, eps=1e-6):
    """Central-difference gradient of the scalar function ``f()`` with respect to array ``x``.

    (f(x + h e_i) - f(x - h e_i)) / (2h) for every entry i; error O(h^2) for smooth f.
    ``x`` is perturbed in place one entry at a time (that is how ``f`` sees the
    change) and every entry is restored before returning.

    Parameters
    ----------
    f : callable
        ``f()`` -> float, reading ``x`` (e.g. a loss of a model whose parameter is ``x``).
    x : ndarray of float64
    eps : float
        Step h.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numerical_gradient(): x must be a float64 ndarray (perturbed in place, then restored)")
    eps = _check_positive(eps, "eps", "numerical_gradient")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient(): x must be contiguous")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        fp = f()
        flat[i] = old - eps
        fm = f()
        flat[i] = old
        gflat[i] = (fp - fm) / (2.0 * eps)
    return grad


def gradient_check(model, X, y, *, loss="cross_entropy", eps=1e-6) -> list[float]:
    """Max relative error between backprop and central differences, per parameter array.

    Relative error = max |g_bp - g_fd| / max(1e-8, max|g_bp| + max|g_fd|); float64
    with a correct backward gives ~1e-7 or less for smooth activations.
    """
    loss_fn = _loss_fn(loss, "gradient_check")
    out = model.forward(X)
    _, dout = loss_fn(out, y)
    model.backward(dout)
    analytic = [g.copy() for g in model.grads()]

    def f():
        return loss_fn(model.forward(X), y)[0]

    errors = []
    for p, g in zip(model.params(), analytic, strict=True):
        num = numerical_gradient(f, p, eps=eps)
        scale = max(1e-8, np.max(np.abs(g)) + np.max(np.abs(num)))
        errors.append(float(np.max(np.abs(g - num)) / scale))
    return errors
