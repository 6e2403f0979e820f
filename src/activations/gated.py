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

__all__ = [
    "glu_value",
    "glu_partials",
    "bilinear_value",
    "bilinear_partials",
    "reglu_value",
    "reglu_partials",
    "geglu_value",
    "geglu_partials",
    "swiglu_value",
    "swiglu_partials",
]


def glu_value(a, b):
    """GLU (Dauphin et al. 2017): a σ(b)."""
    return a * kernels.sigmoid(b)


def glu_partials(a, b):
    """(∂h/∂a, ∂h/∂b) = (σ(b), a σ'(b)) for h = a σ(b)."""
    return kernels.sigmoid(b), a * kernels.sigmoid_grad(b)


def bilinear_value(a, b):
    """Bilinear unit (Shazeer 2020): a b."""
    return a * b


def bilinear_partials(a, b):
    """(∂h/∂a, ∂h/∂b) = (b, a) for h = a b (copies)."""
    return kernels.linear(b), kernels.linear(a)


def reglu_value(a, b):
    """ReGLU (Shazeer 2020): a relu(b)."""
    return a * kernels.relu(b)


def reglu_partials(a, b):
    """(relu(b), a relu'(b)), relu'(0) = 0 as in PyTorch."""
    return kernels.relu(b), a * kernels.relu_grad(b)


def geglu_value(a, b):
    """GeGLU (Shazeer 2020): a gelu(b), exact (erf) GELU."""
    return a * kernels.gelu(b)


def geglu_partials(a, b):
    """(gelu(b), a gelu'(b))."""
    return kernels.gelu(b), a * kernels.gelu_grad(b)


def swiglu_value(a, b):
    """SwiGLU (Shazeer 2020; PaLM, LLaMA): a silu(b)."""
    return a * kernels.silu(b)


def swiglu_partials(a, b):
    """(silu(b), a silu'(b))."""
    return kernels.silu(b), a * kernels.silu_grad(b)
