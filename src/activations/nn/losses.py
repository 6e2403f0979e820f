"""Losses: each returns ``(loss, dloss/doutput)``."""

from __future__ import annotations

import numpy as np

from .._validation import as_batch as _as_batch
from .._validation import as_labels as _as_labels
from ..functional import sigmoid
from ..vector import log_softmax


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    L = -(1/N) sum_n log softmax(z_n)_{y_n}, with log-softmax from the stable
    log-sum-exp (:func:`activations.log_softmax`); dL/dz = (softmax(z) - onehot(y)) / N.

    Returns
    -------
    (loss, dlogits) : (float, ndarray of the shape of ``logits``)
    """
    z = _as_batch(logits, "softmax_cross_entropy")
    labels = _as_labels(y, len(z), "softmax_cross_entropy")
    if labels.size and (labels.min() < 0 or labels.max() >= z.shape[1]):
        raise ValueError(f"softmax_cross_entropy(): labels must lie in [0, {z.shape[1] - 1}]")
    logp = log_softmax(z, axis=1)
    n = len(z)
    rows = np.arange(n)
    loss = -float(np.mean(logp[rows, labels]))
    d = np.exp(logp)
    d[rows, labels] -= 1.0
    return loss, d / n


def sigmoid_binary_cross_entropy(logits, y):
    """Mean binary cross-entropy of sigmoid(logits) against 0/1 targets, and its gradient.

    L = (1/N) sum softplus(z) - y z, written max(z, 0) - y z + log1p(e^{-|z|}) so it
    neither overflows nor loses the tail; dL/dz = (σ(z) - y) / N.  ``logits`` may be
    (N,) or (N, 1); ``y`` is reshaped to match.
    """
    z = np.asarray(logits, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    if t.size != z.size:
        raise ValueError(f"sigmoid_binary_cross_entropy(): {t.size} targets for {z.size} logits")
    t = t.reshape(z.shape)
    if np.any((t < 0) | (t > 1)):
        raise ValueError("sigmoid_binary_cross_entropy(): targets must lie in [0, 1]")
    n = z.shape[0] if z.ndim else 1
    loss = float(np.sum(np.maximum(z, 0.0) - t * z + np.log1p(np.exp(-np.abs(z)))) / n)
    return loss, (sigmoid(z) - t) / n


def mse(pred, target):
    """Mean squared error over all entries, L = mean((p - t)^2), and dL/dp = 2 (p - t) / size."""
    p = np.asarray(pred, dtype=np.float64)
    t = np.asarray(target, dtype=np.float64)
    if t.size != p.size:
        raise ValueError(f"mse(): {t.size} targets for {p.size} predictions")
    diff = p - t.reshape(p.shape)
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


LOSSES = {
    "cross_entropy": softmax_cross_entropy,
    "binary_cross_entropy": sigmoid_binary_cross_entropy,
    "mse": mse,
}


def loss_function(loss, fname):
    """The loss called ``loss`` (a name in :data:`LOSSES`) or ``loss`` itself if callable."""
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"{fname}(): unknown loss {loss!r}; valid: {', '.join(LOSSES)} or a callable")
    return LOSSES[loss]
