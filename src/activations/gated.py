"""NumPy kernels of gated units h(a, b) = a g(b): value input a, gate input b.

Like :mod:`activations.kernels`, they take validated float64 arrays (a and b of the
same shape) and return new float64 arrays; the registry (:mod:`activations.core`)
splits the input and runs them under ``np.errstate(all="ignore")``.  The partial
derivatives ∂h/∂a = g(b) and ∂h/∂b = a g'(b) reuse the gate's kernels, so each is
one correctly rounded product away from the gate's own accuracy
(tests/test_gated.py proves the forms against ``sympy.diff`` of the definition and
measures them against mpmath).
"""

from __future__ import annotations

from . import kernels

__all__ = ["glu_value", "glu_partials"]


def glu_value(a, b):
    """GLU (Dauphin et al. 2017): a σ(b)."""
    return a * kernels.sigmoid(b)


def glu_partials(a, b):
    """(∂h/∂a, ∂h/∂b) = (σ(b), a σ'(b)) for h = a σ(b)."""
    return kernels.sigmoid(b), a * kernels.sigmoid_grad(b)
