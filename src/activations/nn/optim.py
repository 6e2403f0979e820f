"""Optimisers: ``step(params, grads)`` updates the parameter arrays in place."""

from __future__ import annotations

import numpy as np

from .._validation import check_positive as _check_positive


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum.

    v <- μ v - η g;  p <- p + v   (μ = 0: plain p <- p - η g).
    """

    def __init__(self, lr, momentum=0.0):
        self.lr = _check_positive(lr, "lr", "SGD")
        self.momentum = _check_positive(momentum, "momentum", "SGD", allow_zero=True)
        if self.momentum >= 1:
            raise ValueError(f"SGD(): momentum must be < 1, got {momentum}")
        self._v = None
        self._tmp = None

    def step(self, params, grads):
        """Update every array in ``params`` in place."""
        if self._v is None or len(self._v) != len(params):
            self._v = [np.zeros_like(p) for p in params]
            self._tmp = [np.empty_like(p) for p in params]
        for p, g, v, tmp in zip(params, grads, self._v, self._tmp, strict=True):
            # The same operations, in the same order, as v -= lr * g / p -= lr * g, into a
            # preallocated buffer (bit-for-bit the same result, no temporary per step).
            np.multiply(self.lr, g, out=tmp)
            if self.momentum:
                v *= self.momentum
                v -= tmp
                p += v
            else:
                p -= tmp


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction.

    m <- β1 m + (1-β1) g;  v <- β2 v + (1-β2) g²;
    p <- p - η m̂ / (sqrt(v̂) + ε),  m̂ = m / (1-β1^t), v̂ = v / (1-β2^t).
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = _check_positive(lr, "lr", "Adam")
        self.beta1 = _check_positive(beta1, "beta1", "Adam", allow_zero=True)
        self.beta2 = _check_positive(beta2, "beta2", "Adam", allow_zero=True)
        if self.beta1 >= 1 or self.beta2 >= 1:
            raise ValueError("Adam(): beta1 and beta2 must be < 1")
        self.eps = _check_positive(eps, "eps", "Adam")
        self.t = 0
        self._m = self._v = self._tmp = None

    def step(self, params, grads):
        """Update every array in ``params`` in place."""
        if self._m is None or len(self._m) != len(params):
            self._m = [np.zeros_like(p) for p in params]
            self._v = [np.zeros_like(p) for p in params]
            self._tmp = [(np.empty_like(p), np.empty_like(p)) for p in params]
            self.t = 0
        self.t += 1
        c1 = 1.0 - self.beta1**self.t
        c2 = 1.0 - self.beta2**self.t
        for p, g, m, v, (a, d) in zip(params, grads, self._m, self._v, self._tmp, strict=True):
            # p -= lr (m / c1) / (sqrt(v / c2) + eps), evaluated operation by operation in
            # the textbook order into two preallocated buffers: bit-for-bit the result of
            # the one-line expression, without its eight temporaries per parameter array.
            m *= self.beta1
            np.multiply(1.0 - self.beta1, g, out=a)
            m += a
            v *= self.beta2
            np.multiply(1.0 - self.beta2, g, out=a)
            a *= g
            v += a
            np.divide(m, c1, out=a)
            np.multiply(self.lr, a, out=a)
            np.divide(v, c2, out=d)
            np.sqrt(d, out=d)
            d += self.eps
            a /= d
            p -= a
