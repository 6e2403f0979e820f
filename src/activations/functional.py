"""Module-level functions ``act.relu(x)``, ``act.elu(x, alpha=1.0)``, ... one per name.

Written out (not generated) so that ``grep "def relu"``, ``help()``, tab-completion and
type checkers all see them; each is a thin call into the registry.  Their keyword
defaults must equal the SymPy builders' (``tests/test_api.py`` checks it).  Gated units
take the whole input and split ``axis`` in two, as ``torch.nn.functional.glu``.
"""

from __future__ import annotations

import numpy as np

from .core import Activation, GatedActivation

__all__ = [
    "linear",
    "sigmoid",
    "tanh",
    "relu",
    "relu6",
    "relu_squared",
    "leaky_relu",
    "prelu",
    "elu",
    "celu",
    "selu",
    "gelu",
    "gelu_tanh",
    "silu",
    "swish",
    "softplus",
    "mish",
    "squareplus",
    "softsign",
    "hard_sigmoid",
    "hard_tanh",
    "hard_swish",
    "glu",
    "bilinear",
    "reglu",
    "geglu",
    "swiglu",
]


def _call(name: str, x, **params) -> np.ndarray:
    return Activation(name, **params)(x)


def linear(x) -> np.ndarray:
    """f(x) = x.

    Elementwise, float dtype kept; the derivative is ``get('linear').grad``.
    """
    return _call("linear", x)


def sigmoid(x) -> np.ndarray:
    """σ(x) = 1 / (1 + e^{-x}).

    Elementwise, float dtype kept; the derivative is ``get('sigmoid').grad``.
    """
    return _call("sigmoid", x)


def tanh(x) -> np.ndarray:
    """tanh(x) = (e^x - e^{-x}) / (e^x + e^{-x}).

    Elementwise, float dtype kept; the derivative is ``get('tanh').grad``.
    """
    return _call("tanh", x)


def relu(x) -> np.ndarray:
    """ReLU(x) = max(0, x).

    Elementwise, float dtype kept; the derivative is ``get('relu').grad``.
    """
    return _call("relu", x)


def relu6(x) -> np.ndarray:
    """min(max(0, x), 6) (MobileNetV2; ``torch.nn.functional.relu6``, ``jax.nn.relu6``).

    Elementwise, float dtype kept; the derivative is ``get('relu6').grad``.
    """
    return _call("relu6", x)


def relu_squared(x) -> np.ndarray:
    """max(0, x)^2, squared ReLU (Primer, So et al. 2021).

    Elementwise, float dtype kept; the derivative is ``get('relu_squared').grad``.
    """
    return _call("relu_squared", x)


def leaky_relu(x, *, negative_slope=0.01) -> np.ndarray:
    """x for x > 0, negative_slope · x otherwise.

    Elementwise, float dtype kept; the derivative is ``get('leaky_relu').grad``.
    """
    return _call("leaky_relu", x, negative_slope=negative_slope)


def prelu(x, *, alpha=0.25) -> np.ndarray:
    """x for x > 0, alpha · x otherwise (fixed alpha; ``nn.PReLU`` learns it).

    Elementwise, float dtype kept; the derivative is ``get('prelu').grad``.
    """
    return _call("prelu", x, alpha=alpha)


def elu(x, *, alpha=1.0) -> np.ndarray:
    """x for x > 0, alpha (e^x - 1) otherwise.

    Elementwise, float dtype kept; the derivative is ``get('elu').grad``.
    """
    return _call("elu", x, alpha=alpha)


def celu(x, *, alpha=1.0) -> np.ndarray:
    """x for x > 0, alpha (e^{x/alpha} - 1) otherwise.

    Elementwise, float dtype kept; the derivative is ``get('celu').grad``.
    """
    return _call("celu", x, alpha=alpha)


def selu(x) -> np.ndarray:
    """λ x for x > 0, λ α (e^x - 1) otherwise (λ ≈ 1.0507, α ≈ 1.6733).

    Elementwise, float dtype kept; the derivative is ``get('selu').grad``.
    """
    return _call("selu", x)


def gelu(x) -> np.ndarray:
    """GELU(x) = x Φ(x), Φ the standard normal CDF.

    Elementwise, float dtype kept; the derivative is ``get('gelu').grad``.
    """
    return _call("gelu", x)


def gelu_tanh(x) -> np.ndarray:
    """x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2, the tanh approximation of GELU.

    Elementwise, float dtype kept; the derivative is ``get('gelu_tanh').grad``.
    """
    return _call("gelu_tanh", x)


def silu(x) -> np.ndarray:
    """SiLU(x) = x σ(x).

    Elementwise, float dtype kept; the derivative is ``get('silu').grad``.
    """
    return _call("silu", x)


def swish(x, *, beta=1.0) -> np.ndarray:
    """x σ(beta x).

    Elementwise, float dtype kept; the derivative is ``get('swish').grad``.
    """
    return _call("swish", x, beta=beta)


def softplus(x, *, beta=1.0, threshold=None) -> np.ndarray:
    """log(1 + e^{beta x}) / beta; x where beta x > threshold (if given).

    Elementwise, float dtype kept; the derivative is ``get('softplus').grad``.
    """
    return _call("softplus", x, beta=beta, threshold=threshold)


def mish(x) -> np.ndarray:
    """x tanh(softplus(x)).

    Elementwise, float dtype kept; the derivative is ``get('mish').grad``.
    """
    return _call("mish", x)


def squareplus(x, *, b=4.0) -> np.ndarray:
    """(x + sqrt(x^2 + b)) / 2 (Barron 2021; ``jax.nn.squareplus``), b > 0.

    Elementwise, float dtype kept; the derivative is ``get('squareplus').grad``.
    """
    return _call("squareplus", x, b=b)


def softsign(x) -> np.ndarray:
    """x / (1 + |x|).

    Elementwise, float dtype kept; the derivative is ``get('softsign').grad``.
    """
    return _call("softsign", x)


def hard_sigmoid(x) -> np.ndarray:
    """relu6(x + 3) / 6.

    Elementwise, float dtype kept; the derivative is ``get('hard_sigmoid').grad``.
    """
    return _call("hard_sigmoid", x)


def hard_tanh(x) -> np.ndarray:
    """clip(x, -1, 1).

    Elementwise, float dtype kept; the derivative is ``get('hard_tanh').grad``.
    """
    return _call("hard_tanh", x)


def hard_swish(x) -> np.ndarray:
    """x relu6(x + 3) / 6.

    Elementwise, float dtype kept; the derivative is ``get('hard_swish').grad``.
    """
    return _call("hard_swish", x)


def glu(x, axis=-1) -> np.ndarray:
    """GLU: split ``axis`` into halves a, b and return a σ(b) (``torch.nn.functional.glu``)."""
    return GatedActivation("glu")(x, axis)


def bilinear(x, axis=-1) -> np.ndarray:
    """Bilinear unit: split ``axis`` into halves a, b and return a b (Shazeer 2020)."""
    return GatedActivation("bilinear")(x, axis)


def reglu(x, axis=-1) -> np.ndarray:
    """ReGLU: split ``axis`` into halves a, b and return a relu(b) (Shazeer 2020)."""
    return GatedActivation("reglu")(x, axis)


def geglu(x, axis=-1) -> np.ndarray:
    """GeGLU: split ``axis`` into halves a, b and return a gelu(b), exact GELU (Shazeer 2020)."""
    return GatedActivation("geglu")(x, axis)


def swiglu(x, axis=-1) -> np.ndarray:
    """SwiGLU: split ``axis`` into halves a, b and return a silu(b) (Shazeer 2020; PaLM, LLaMA)."""
    return GatedActivation("swiglu")(x, axis)
