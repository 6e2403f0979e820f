"""Optimisation paths of a single linear unit, to watch how its inputs steer SGD.

Chapter 2 uses :func:`sgd_path` to show why positive inputs (sigmoid outputs) make
every per-example weight update of a unit point into the same quadrant.  The model
is one linear unit y = w · h trained by plain per-example SGD on the squared error

    L_n(w) = ½ (w · h_n - t_n)²,   ∇L_n(w) = (w · h_n - t_n) h_n,

so each update is the input h_n times one scalar: when every entry of h_n is
positive, all components of the update share that scalar's sign.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int as _check_int
from .._validation import check_positive as _check_positive
from .._validation import check_rng as _check_rng

__all__ = ["sgd_path"]


def sgd_path(H, t, *, w0, lr, epochs, rng, w_target=None, tol=1e-2):
    """Per-example SGD on ½ (w · h - t)², recording every iterate.

    Parameters
    ----------
    H : array (n_samples, d)
        Inputs h_n of the unit (e.g. the outputs of a previous layer). Not modified.
    t : array (n_samples,)
        Targets t_n.
    w0 : array (d,)
        Starting weights (copied).
    lr : float
        Step size η: w <- w - η (w · h_n - t_n) h_n.
    epochs : int
        Passes over the data, each in the order ``rng.permutation(n_samples)``.
    rng : numpy.random.Generator
        Drives the order of the examples.
    w_target : array (d,), optional
        Stop as soon as ||w - w_target|| < ``tol``.
    tol : float
        Distance that counts as "arrived" (only with ``w_target``).

    Returns
    -------
    dict
        ``path``: array (n_steps + 1, d) of iterates (row 0 is ``w0``);
        ``updates``: array (n_steps, d) of the steps w_{k+1} - w_k;
        ``steps``: n_steps; ``arrived``: whether ``w_target`` was reached.
    """
    fname = "sgd_path"
    H = np.asarray(H, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64).reshape(-1)
    if H.ndim != 2:
        raise ValueError(f"{fname}(): H must be 2-d (n_samples, d), got shape {H.shape}")
    if t.shape[0] != H.shape[0]:
        raise ValueError(f"{fname}(): {t.shape[0]} targets for {H.shape[0]} inputs")
    w = np.array(w0, dtype=np.float64).reshape(-1)
    if w.shape[0] != H.shape[1]:
        raise ValueError(f"{fname}(): w0 has {w.shape[0]} entries, H has {H.shape[1]} columns")
    lr = _check_positive(lr, "lr", fname)
    epochs = _check_int(epochs, "epochs", fname)
    _check_rng(rng, fname)
    target = None if w_target is None else np.asarray(w_target, dtype=np.float64).reshape(-1)
    tol = _check_positive(tol, "tol", fname)

    path = [w.copy()]
    arrived = target is not None and np.linalg.norm(w - target) < tol
    for _ in range(epochs):
        if arrived:
            break
        for n in rng.permutation(H.shape[0]):
            w = w - lr * (w @ H[n] - t[n]) * H[n]
            path.append(w.copy())
            if target is not None and np.linalg.norm(w - target) < tol:
                arrived = True
                break
    path = np.array(path)
    return {"path": path, "updates": np.diff(path, axis=0), "steps": len(path) - 1, "arrived": bool(arrived)}
