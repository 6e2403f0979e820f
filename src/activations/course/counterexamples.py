"""Functions that look like activations but are bad ones: chapter 1's counter-examples.

The course uses them to show what a *good* activation needs (defined on all of ℝ,
a derivative that is finite and cheap, no loss of information).  They are kept out
of the registry on purpose: :func:`activations.get` does not know them.

* :func:`signed_sqrt` -- the "symmetric square root" sign(x)·√|x|, defined on all of
  ℝ and odd, but its derivative 1 / (2√|x|) is unbounded at 0;
* :class:`SignedSqrt` -- the same as a layer of :mod:`activations.nn`, so that a real
  training step can show what that derivative does to the gradients;
* :class:`Step` -- the binary step 1[z > 0] as a layer, whose exact derivative is 0 almost
  everywhere, with the straight-through estimator as an option (Bengio et al. 2013).

Square, square root and logarithm need no code here: ``np.square``, ``np.sqrt`` and
``np.log`` are shown directly in the chapter.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_float_array, finish
from ..nn import Layer

__all__ = ["signed_sqrt", "signed_sqrt_grad", "SignedSqrt", "Step"]


def signed_sqrt(x):
    """The symmetric square root, f(x) = sign(x) √|x|.

    Parameters
    ----------
    x : array_like of real numbers

    Returns
    -------
    ndarray
        f(x), same shape; float16/32/64 keep their dtype, other real input becomes float64.
    """
    arr, dtype = as_float_array(x, "signed_sqrt")
    return finish(np.sign(arr) * np.sqrt(np.abs(arr)), dtype)


def signed_sqrt_grad(x):
    """Derivative of :func:`signed_sqrt`, f'(x) = 1 / (2 √|x|) (``inf`` at x = 0).

    The derivative is the same on both sides of 0 and tends to +∞ there, so a
    pre-activation near 0 multiplies the backpropagated gradient by an unbounded factor.
    """
    arr, dtype = as_float_array(x, "signed_sqrt_grad")
    with np.errstate(divide="ignore"):  # 1/0 = inf at x = 0 is the true limit
        out = 0.5 / np.sqrt(np.abs(arr))
    return finish(out, dtype)


class SignedSqrt(Layer):
    """Elementwise layer a = sign(z) √|z|; backward multiplies by 1 / (2 √|z|).

    Use it as ``nn.MLP(sizes, lambda width: SignedSqrt(), rng=rng)``.
    """

    name = "signed_sqrt"

    def __init__(self):
        self._z = None

    def forward(self, X):
        self._z = X
        return signed_sqrt(X)

    def derivative(self, z):
        """f'(z) = 1 / (2 √|z|)."""
        return signed_sqrt_grad(z)

    def backward(self, dout):
        return dout * self.derivative(self._z)

    def __repr__(self):
        return "SignedSqrt()"


class Step(Layer):
    """Elementwise binary step a = 1[z > 0], with an optional straight-through backward pass.

    Exact backward (``straight_through=False``): f'(z) = 0 for z != 0, so no gradient reaches
    the layers below (at z = 0 the derivative does not exist; 0 is returned there too).

    Straight-through estimator (``straight_through=True``): the forward pass stays the step,
    but backward multiplies by the derivative of hard_tanh, 1[|z| <= 1], as if the unit were
    the identity near 0 (Bengio, Léonard & Courville 2013; Hubara et al. 2016).

    Use it as ``nn.MLP(sizes, lambda width: Step(straight_through=True), rng=rng)``.
    """

    name = "step"

    def __init__(self, straight_through=False):
        if not isinstance(straight_through, bool):
            raise TypeError(f"Step(): straight_through must be True or False, got {straight_through!r}")
        self.straight_through = straight_through
        self._z = None

    def forward(self, X):
        self._z = X
        return (X > 0).astype(X.dtype)

    def derivative(self, z):
        """The factor backward multiplies by: 0 (exact) or 1[|z| <= 1] (straight-through)."""
        if self.straight_through:
            return (np.abs(z) <= 1).astype(z.dtype)
        return np.zeros_like(z)

    def backward(self, dout):
        return dout * self.derivative(self._z)

    def __repr__(self):
        return f"Step(straight_through={self.straight_through})"
