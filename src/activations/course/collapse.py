"""Collapse a stack of affine layers into one: the heart of chapter 1.

Without activations, ``Z = (...((X W_1 + b_1) W_2 + b_2) ...) W_L + b_L`` is a single
affine map ``X W + b`` with

    W = W_1 W_2 ... W_L,    b = (...((b_1 W_2 + b_2) W_3 + b_3) ...) W_L + b_L

(row convention of :class:`activations.nn.Dense`, ``Z = X W + b``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["collapse_affine"]


def collapse_affine(model):
    """The single affine layer ``(W, b)`` equal to all affine layers of ``model`` composed.

    Parameters
    ----------
    model : activations.nn.Sequential
        Its ``dense_layers`` are composed in order; any activation layers are ignored, so
        the result equals ``model.forward`` only when every activation is the identity
        (``"linear"``).

    Returns
    -------
    (W, b) : (ndarray (n_in, n_out), ndarray (n_out,))
        New arrays; the model is not modified.
    """
    layers = getattr(model, "dense_layers", None)
    if not layers:
        raise TypeError(
            f"collapse_affine(): expected an activations.nn model with dense layers, got {type(model).__name__}"
        )
    n_in = layers[0].n_in
    W, b = np.eye(n_in), np.zeros(n_in)
    for layer in layers:
        W, b = W @ layer.W, b @ layer.W + layer.b
    return W, b
