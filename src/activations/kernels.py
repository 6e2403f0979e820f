"""Hand-written NumPy kernels: value and derivative of every activation.

Every kernel takes a float64 ``ndarray`` that has already been validated (see
:mod:`activations._validation`) and returns a new float64 array; it never writes
into its input.  The callers in :mod:`activations.core` run them under
``np.errstate(over="ignore", under="ignore", invalid="ignore")``: where an
intermediate overflows to ``inf`` or underflows to 0 here, that is the intended
limit, and the ``inf * 0`` met at x = ±inf is replaced by the exact limit.

The formulas are rearranged from the textbook ones so that no step cancels or
overflows; the tests prove each rearrangement equal to the SymPy definition
(:mod:`activations.definitions`) and measure the float64 error against mpmath.
Kink convention (as in PyTorch): the derivative at a kink of a ReLU-like function
is the left-hand one (``x <= 0`` branch), relu'(0) = 0; hard_tanh and hard_sigmoid
have derivative 0 at their kinks; hard_swish has -1/2 at -3 and 3/2 at 3.
"""

from __future__ import annotations

import numpy as np
from scipy import special

SQRT_2_OVER_PI = 0.79788456080286535587989211986876  # sqrt(2 / pi)
INV_SQRT_2PI = 0.39894228040143267793994605993438  # 1 / sqrt(2 pi)
GELU_TANH_C = 0.044715
SELU_LAMBDA = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA_ALPHA = 1.7580993408473768599402175208123  # product to full precision


def _keep_nan(x, out):
    """Make NaN inputs give NaN outputs where a formula would hide them (e.g. np.where)."""
    return np.where(np.isnan(x), x, out)


def _fix_inf(x, out, at_minus_inf, at_plus_inf):
    """Replace the results at x = -inf / +inf (where products like inf * 0 appear)."""
    out = np.where(x == -np.inf, at_minus_inf, out)
    return np.where(x == np.inf, at_plus_inf, out)


# --- linear -----------------------------------------------------------------------


def linear(x):
    """f(x) = x (returned as a copy)."""
    return x.copy()


def linear_grad(x):
    """f'(x) = 1."""
    return _keep_nan(x, np.ones_like(x))


# --- sigmoid and tanh ----------------------------------------------------------------


def _exp_neg_abs(x):
    return np.exp(-np.abs(x))


def sigmoid(x):
    """σ(x) = 1 / (1 + e^{-x}).

    With e = exp(-|x|) <= 1: σ = 1/(1+e) for x >= 0 and e/(1+e) for x < 0, so exp
    never overflows and the small tail keeps full relative precision.
    """
    e = _exp_neg_abs(x)
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def sigmoid_grad(x):
    """σ'(x) = σ(x)σ(-x) = e / (1 + e)^2 with e = exp(-|x|).

    Not σ(1 - σ): 1 - σ cancels to 0 for x >~ 37 while the true value is ~e^{-x}.
    """
    e = _exp_neg_abs(x)
    return e / ((1.0 + e) * (1.0 + e))


def tanh(x):
    """tanh(x) (libm's correctly handled tanh)."""
    return np.tanh(x)


def tanh_grad(x):
    """tanh'(x) = sech^2(x) = 4e / (1 + e)^2 with e = exp(-2|x|).

    Not 1 - tanh^2, which cancels to 0 for |x| >~ 19 while the value is ~4e^{-2|x|}.
    """
    e = np.exp(-2.0 * np.abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


# --- ReLU family ------------------------------------------------------------------


def relu(x):
    """max(0, x); NaN propagates."""
    return np.maximum(x, 0.0)


def relu_grad(x):
    """1 for x > 0, else 0 (relu'(0) = 0 as in PyTorch)."""
    return _keep_nan(x, (x > 0).astype(np.float64))


def leaky_relu(x, negative_slope=0.01):
    """x for x > 0, negative_slope * x otherwise."""
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x, negative_slope=0.01):
    """1 for x > 0, negative_slope otherwise (including x = 0)."""
    return _keep_nan(x, np.where(x > 0, 1.0, negative_slope))


def prelu(x, alpha=0.25):
    """PReLU with slope ``alpha`` for x <= 0."""
    return leaky_relu(x, alpha)


def prelu_grad(x, alpha=0.25):
    """d/dx PReLU: 1 for x > 0, alpha otherwise."""
    return leaky_relu_grad(x, alpha)


def prelu_grad_alpha(x, alpha=0.25):
    """d/dα PReLU: 0 for x > 0, x otherwise (used to learn α)."""
    return np.where(x > 0, 0.0, x)


def elu(x, alpha=1.0):
    """x for x > 0, α(e^x - 1) otherwise, through expm1 (no cancellation near 0)."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_grad(x, alpha=1.0):
    """1 for x > 0, α e^x otherwise (α at 0, the left derivative, as in PyTorch)."""
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def celu(x, alpha=1.0):
    """x for x > 0, α(e^{x/α} - 1) otherwise."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0) / alpha))


def celu_grad(x, alpha=1.0):
    """1 for x > 0, e^{x/α} otherwise."""
    return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0) / alpha))


def selu(x):
    """λx for x > 0, λα(e^x - 1) otherwise (λα precomputed to full precision)."""
    return np.where(x > 0, SELU_LAMBDA * x, SELU_LAMBDA_ALPHA * np.expm1(np.minimum(x, 0.0)))


def selu_grad(x):
    """λ for x > 0, λα e^x otherwise."""
    return np.where(x > 0, SELU_LAMBDA, SELU_LAMBDA_ALPHA * np.exp(np.minimum(x, 0.0)))


# --- smooth gated units -------------------------------------------------------------


def gelu(x):
    """x Φ(x) with Φ from scipy's ndtr, which uses erfc in the lower tail.

    The textbook x(1 + erf(x/√2))/2 cancels for x <~ -6 (1 + erf -> 0).
    """
    return _fix_inf(x, x * special.ndtr(x), 0.0, np.inf)


def gelu_grad(x):
    """Φ(x) + x φ(x); φ underflows to 0 exactly where it no longer matters."""
    phi = INV_SQRT_2PI * np.exp(-0.5 * x * x)
    return _fix_inf(x, special.ndtr(x) + x * phi, 0.0, 1.0)


def _gelu_tanh_u(x):
    # u = sqrt(2/pi) (x + c x^3), written as x (1 + c x^2): no cancellation, same sign.
    return SQRT_2_OVER_PI * x * (1.0 + GELU_TANH_C * x * x)


def gelu_tanh(x):
    """x (1 + tanh u) / 2 = x σ(2u): 1 + tanh u cancels for u << 0, σ(2u) does not."""
    return _fix_inf(x, x * sigmoid(2.0 * _gelu_tanh_u(x)), 0.0, np.inf)


def gelu_tanh_grad(x):
    """σ(2u) + x σ(2u) σ(-2u) 2u'(x), with u'(x) = sqrt(2/pi)(1 + 3c x^2)."""
    z = 2.0 * _gelu_tanh_u(x)
    du = 2.0 * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_C * x * x)
    s = sigmoid(z)
    out = s * (1.0 + x * du * sigmoid(-z))
    return _fix_inf(x, out, 0.0, 1.0)


def swish(x, beta=1.0):
    """x σ(βx)."""
    return _fix_inf(x, x * sigmoid(beta * x), 0.0 if beta > 0 else -np.inf, np.inf)


def swish_grad(x, beta=1.0):
    """σ(βx)(1 + βx σ(-βx)), no 1 - σ."""
    z = beta * x
    out = sigmoid(z) * (1.0 + z * sigmoid(-z))
    return _fix_inf(x, out, 0.0 if beta > 0 else 0.5, 1.0 if beta > 0 else 0.5)


def silu(x):
    """x σ(x) (swish with β = 1)."""
    return swish(x, 1.0)


def silu_grad(x):
    """σ(x)(1 + x σ(-x))."""
    return swish_grad(x, 1.0)


def softplus(x, beta=1.0, threshold=None):
    """(1/β) log(1 + e^{βx}) = (max(z, 0) + log1p(e^{-|z|})) / β with z = βx.

    With ``threshold``: x where βx > threshold (PyTorch's switch), exact elsewhere.
    """
    z = beta * x
    out = (np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))) / beta
    if threshold is not None:
        out = np.where(z > threshold, x, out)
    return out


def softplus_grad(x, beta=1.0, threshold=None):
    """σ(βx); 1 where βx > threshold when a threshold is given."""
    z = beta * x
    out = sigmoid(z)
    if threshold is not None:
        out = np.where(z > threshold, 1.0, out)
    return _keep_nan(x, out)


def _tanh_softplus(x):
    """tanh(log(1 + e^x)) without overflow.

    With e = e^x: tanh(log(1+e)) = e(e+2) / (e(e+2) + 2)    (used for x <= 0);
    with t = e^{-x}: = (1 + 2t) / (1 + 2t + 2t^2)              (used for x > 0).
    """
    e = np.exp(np.minimum(x, 0.0))
    n = e * (e + 2.0)
    t = np.exp(-np.maximum(x, 0.0))
    p = 1.0 + 2.0 * t
    return np.where(x > 0, p / (p + 2.0 * t * t), n / (n + 2.0))


def mish(x):
    """x tanh(softplus(x))."""
    return _fix_inf(x, x * _tanh_softplus(x), 0.0, np.inf)


def mish_grad(x):
    """tanh(sp) + x sech^2(sp) σ(x), with sech^2(sp) = 4y^2/(y^2 + 1)^2, y = 1 + e^x.

    sech^2 is computed as (2 / (y + 1/y))^2, and for x > 0 in terms of t = e^{-x}:
    y + 1/y = (1 + t)/t + t/(1 + t), so nothing overflows.
    """
    th = _tanh_softplus(x)
    e = np.exp(np.minimum(x, 0.0))
    y_neg = 1.0 + e
    t = np.exp(-np.maximum(x, 0.0))
    # for x > 0: 2 / (y + 1/y) = 2t(1+t) / ((1+t)^2 + t^2)
    sech_pos = 2.0 * t * (1.0 + t) / ((1.0 + t) * (1.0 + t) + t * t)
    sech_neg = 2.0 / (y_neg + 1.0 / y_neg)
    sech = np.where(x > 0, sech_pos, sech_neg)
    out = th + x * sech * sech * sigmoid(x)
    return _fix_inf(x, out, 0.0, 1.0)


def softsign(x):
    """x / (1 + |x|); ±1 at ±inf."""
    return _fix_inf(x, x / (1.0 + np.abs(x)), -1.0, 1.0)


def softsign_grad(x):
    """1 / (1 + |x|)^2, squared after the division so it underflows gracefully."""
    r = 1.0 / (1.0 + np.abs(x))
    return r * r


# --- hard (piecewise linear) approximations -------------------------------------------


def hard_sigmoid(x):
    """relu6(x + 3) / 6 = clip(x + 3, 0, 6) / 6."""
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


def hard_sigmoid_grad(x):
    """1/6 for -3 < x < 3, else 0 (0 at the kinks, as in PyTorch)."""
    return _keep_nan(x, np.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0))


def hard_tanh(x):
    """clip(x, -1, 1)."""
    return np.clip(x, -1.0, 1.0)


def hard_tanh_grad(x):
    """1 for -1 < x < 1, else 0 (0 at the kinks, as in PyTorch)."""
    return _keep_nan(x, np.where((x > -1.0) & (x < 1.0), 1.0, 0.0))


def hard_swish(x):
    """x relu6(x + 3) / 6; exactly 0 for x < -3 (no -inf * 0)."""
    return np.where(x < -3.0, 0.0, x * (np.clip(x + 3.0, 0.0, 6.0) / 6.0))


def hard_swish_grad(x):
    """0 for x < -3, x/3 + 1/2 for -3 <= x <= 3, 1 for x > 3 (as PyTorch's backward)."""
    mid = x / 3.0 + 0.5
    return _keep_nan(x, np.where(x < -3.0, 0.0, np.where(x <= 3.0, mid, 1.0)))
