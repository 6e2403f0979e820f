"""Small data sets for the course: handwritten digits and three 2-d toy problems.

``digits`` comes from :func:`sklearn.datasets.load_digits` (shipped inside
scikit-learn, so it works offline); the toy problems are generated with NumPy from
an explicit ``rng`` (:class:`numpy.random.Generator`).  Every function returns new
arrays: ``X`` as float64 of shape (n, n_features), ``y`` as int64 labels.
"""

from __future__ import annotations

import numbers
from functools import lru_cache

import numpy as np

from ._validation import check_rng as _check_rng

__all__ = ["digits", "xor", "two_moons", "spirals"]




def _check_n(n, fname, minimum):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{fname}(): n must be an integer, got {type(n).__name__} {n!r}")
    if n < minimum:
        raise ValueError(f"{fname}(): n must be >= {minimum}, got {n}")
    return int(n)


def _check_noise(noise, fname):
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"{fname}(): noise must be a real number, got {type(noise).__name__} {noise!r}")
    noise = float(noise)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"{fname}(): noise must be finite and >= 0, got {noise}")
    return noise


def _balanced_labels(n, classes, rng):
    """n labels, as equal per class as possible (counts differ by at most 1), shuffled."""
    return rng.permutation(np.arange(n) % classes).astype(np.int64)


@lru_cache(maxsize=1)
def _load_digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data.astype(np.float64), data.target.astype(np.int64)


def digits(*, test_size=0.25, seed=0):
    """The 8x8 handwritten digits (1797 images, 10 classes), split and standardised.

    The split is stratified (same class proportions in both parts) and shuffled with
    ``np.random.default_rng(seed)``.  Each pixel is standardised with the *training*
    statistics, x' = (x - mean_train) / std_train (std 0 -> 1 for the always-blank
    border pixels), so no information from the test set leaks into training.

    Returns
    -------
    X_train, X_test : ndarray of float64, shape (n, 64)
    y_train, y_test : ndarray of int64
    """
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"digits(): test_size must be a real number, got {type(test_size).__name__}")
    if not 0.0 < float(test_size) < 1.0:
        raise ValueError(f"digits(): test_size must lie strictly between 0 and 1, got {test_size}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"digits(): seed must be an integer, got {type(seed).__name__}")
    X, y = _load_digits()
    rng = np.random.default_rng(seed)
    test_idx = []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        test_idx.append(idx[: int(round(test_size * len(idx)))])
    test_mask = np.zeros(len(y), dtype=bool)
    test_mask[np.concatenate(test_idx)] = True
    train_idx = rng.permutation(np.flatnonzero(~test_mask))
    test_idx = rng.permutation(np.flatnonzero(test_mask))
    if len(train_idx) == 0 or len(test_idx) == 0:
        raise ValueError(f"digits(): test_size={test_size} leaves an empty split")
    X_train, X_test = X[train_idx], X[test_idx]
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std, y[train_idx].copy(), y[test_idx].copy()


def xor(n, *, noise=0.2, rng):
    """XOR: Gaussian blobs around the corners (±1, ±1); label 1 where the signs differ.

    x = c + noise * N(0, I), c one of the four corners (balanced), y = [c1 c2 < 0].
    No linear classifier separates the classes; one hidden layer does.
    """
    n = _check_n(n, "xor", 4)
    noise = _check_noise(noise, "xor")
    rng = _check_rng(rng, "xor")
    corner = _balanced_labels(n, 4, rng)
    centres = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    X = centres[corner] + noise * rng.standard_normal((n, 2))
    y = (corner >= 2).astype(np.int64)
    return X, y


def two_moons(n, *, noise=0.1, rng):
    """Two interleaving half circles (the classic "moons").

    Class 0: (cos t, sin t); class 1: (1 - cos t, 1/2 - sin t), t ~ U(0, π);
    then + noise * N(0, I).
    """
    n = _check_n(n, "two_moons", 2)
    noise = _check_noise(noise, "two_moons")
    rng = _check_rng(rng, "two_moons")
    y = _balanced_labels(n, 2, rng)
    t = rng.uniform(0.0, np.pi, size=n)
    X = np.where(
        (y == 0)[:, None],
        np.column_stack([np.cos(t), np.sin(t)]),
        np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]),
    )
    return X + noise * rng.standard_normal((n, 2)), y


def spirals(n, *, classes=2, noise=0.1, turns=1.5, rng):
    """Interleaved spiral arms, one per class.

    For class k: r ~ U(0.05, 1), θ = 2π (turns r + k / classes), x = r (cos θ, sin θ)
    + noise * N(0, I).  Hard for shallow or poorly conditioned networks.
    """
    n = _check_n(n, "spirals", 2)
    if isinstance(classes, bool) or not isinstance(classes, numbers.Integral):
        raise TypeError(f"spirals(): classes must be an integer, got {type(classes).__name__}")
    if classes < 2 or n < classes:
        raise ValueError(f"spirals(): need 2 <= classes <= n, got classes={classes}, n={n}")
    noise = _check_noise(noise, "spirals")
    if isinstance(turns, bool) or not isinstance(turns, numbers.Real) or not float(turns) > 0:
        raise ValueError(f"spirals(): turns must be a positive number, got {turns!r}")
    rng = _check_rng(rng, "spirals")
    y = _balanced_labels(n, int(classes), rng)
    r = rng.uniform(0.05, 1.0, size=n)
    theta = 2.0 * np.pi * (float(turns) * r + y / classes)
    X = r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    return X + noise * rng.standard_normal((n, 2)), y
