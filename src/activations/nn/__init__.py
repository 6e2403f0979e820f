"""Tiny NumPy neural networks: enough to *train* with any registered activation.

Everything is float64 by default (``MLP(..., dtype="float32")`` trains in float32,
faster, for elementwise activations) and explicit: layers cache what their backward pass needs,
``backward`` fills ``grads()`` (aligned with ``params()``), and optimisers update
the parameter arrays in place.  There is no global random state: every function
that draws random numbers takes ``rng``, a :class:`numpy.random.Generator`.

Modules: :mod:`~activations.nn.init` (initialisers), :mod:`~activations.nn.layers`
(layers, Sequential, MLP), :mod:`~activations.nn.losses`, :mod:`~activations.nn.optim`,
:mod:`~activations.nn.train`, :mod:`~activations.nn.gradcheck`, :mod:`~activations.nn.normalization`
(BatchNorm, LayerNorm, RMSNorm, Residual, AlphaDropout); every public name is
re-exported here.

Shapes: a batch is ``X`` of shape ``(n_samples, n_features)``; a :class:`Dense`
layer computes ``Z = X W + b`` with ``W`` of shape ``(n_in, n_out)``.

Examples
--------
>>> import numpy as np
>>> from activations import nn
>>> rng = np.random.default_rng(0)
>>> model = nn.MLP([2, 8, 2], "tanh", rng=rng)
>>> logits = model.forward(np.zeros((3, 2)))
>>> logits.shape
(3, 2)
"""

from .gradcheck import gradient_check, numerical_gradient
from .init import (
    RELU_FAMILY,
    auto_init,
    he_normal,
    he_uniform,
    initialise,
    lecun_normal,
    xavier_normal,
    xavier_uniform,
)
from .layers import MLP, ActivationLayer, Dense, Gated, Layer, Maxout, PReLU, Sequential
from .losses import LOSSES, mse, sigmoid_binary_cross_entropy, softmax_cross_entropy
from .normalization import AlphaDropout, BatchNorm, LayerNorm, Residual, RMSNorm, set_training, walk
from .optim import SGD, Adam
from .train import History, accuracy, single_thread_blas, train

__all__ = [
    "xavier_uniform",
    "xavier_normal",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "initialise",
    "auto_init",
    "RELU_FAMILY",
    "Layer",
    "Dense",
    "ActivationLayer",
    "PReLU",
    "Maxout",
    "Gated",
    "Sequential",
    "MLP",
    "BatchNorm",
    "LayerNorm",
    "RMSNorm",
    "Residual",
    "AlphaDropout",
    "set_training",
    "walk",
    "softmax_cross_entropy",
    "sigmoid_binary_cross_entropy",
    "mse",
    "LOSSES",
    "SGD",
    "Adam",
    "History",
    "train",
    "accuracy",
    "single_thread_blas",
    "numerical_gradient",
    "gradient_check",
]
