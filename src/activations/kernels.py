"""Hand-written NumPy kernels: value and derivative of every activation.

Every kernel takes an ``ndarray`` of float64, float32, float16 or bfloat16 (the
``ml_dtypes`` dtype) that has already been validated (see
:mod:`activations._validation`) and returns a new array of the same dtype and shape;
it never writes into its input.  Dtype rule: every format is computed in float64 and
the result is rounded once to the input's format (correctly rounded, also for
bfloat16, whose ``ml_dtypes`` cast from float64 rounds twice), so a float32, float16
or bfloat16 result is within 0.5 ULP of the format plus the float64 error (well under
1e-6 ULP of those formats), see tests/test_low_precision.py.  The work is done in
blocks of :data:`_BLOCK` elements (:func:`_elementwise`): the temporaries of a
formula then stay in the CPU cache instead of making input-sized arrays, which is
what made multi-step formulas slow at 10^7 elements.  The callers in :mod:`activations.core` run them under
``np.errstate(all="ignore")``: where an intermediate overflows to ``inf`` or
underflows to 0 here, that is the intended limit, and the ``inf * 0`` met at
x = ±inf is replaced by the exact limit.  Accuracy bar (tests/test_accuracy.py,
scripts/accuracy_table.py): error <= 8 ULPs times the condition number of the
function, values and derivatives, for all finite x.

The formulas are rearranged from the textbook ones so that no step cancels or
overflows; the tests prove each rearrangement equal to the SymPy definition
(:mod:`activations.definitions`) and measure the float64 error against mpmath.
Kink convention (as in PyTorch): the derivative at a kink of a ReLU-like function
is the left-hand one (``x <= 0`` branch), relu'(0) = 0; hard_tanh and hard_sigmoid
have derivative 0 at their kinks; hard_swish has 0 at -3 and 1 at 3 (as torch 2.13).
"""

from __future__ import annotations

import functools
from functools import lru_cache

import numpy as np
from scipy import special

SQRT_2_OVER_PI = 0.79788456080286535587989211986876  # sqrt(2 / pi)
INV_SQRT_2PI = 0.39894228040143267793994605993438  # 1 / sqrt(2 pi)
GELU_TANH_C = 0.044715
SELU_LAMBDA = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA_ALPHA = 1.7580993408473768599402175208123  # product to full precision


# --- dtypes and blocks ----------------------------------------------------------------

try:
    from ml_dtypes import bfloat16 as _BFLOAT16
except ImportError:  # pragma: no cover - bfloat16 is then rejected by _validation
    _BFLOAT16 = None

_F64 = np.dtype(np.float64)
#: Elements per block: 8192 float64 = 64 KiB per temporary, so the dozen temporaries
#: of the longest formulas stay in the 2 MiB L2 cache, and the interpreter's overhead
#: per NumPy call (~1 us) stays small against the work on a block.
_BLOCK = 8192


def _round_bfloat16(r):
    """float64 -> bfloat16 rounded once (to nearest, ties to even).

    ``ml_dtypes`` casts float64 through float32 with two roundings to nearest, which
    can land on the wrong side of a bfloat16 midpoint.  Rounding to float32 *to odd*
    first (truncate toward 0, set the last bit if inexact) and then to bfloat16 rounds
    correctly, because float32 has more than 8 + 1 bits.
    """
    r = np.asarray(r, dtype=np.float64)
    f = r.astype(np.float32)
    back = f.astype(np.float64)
    bits = f.view(np.uint32)
    np.subtract(bits, np.abs(back) > np.abs(r), out=bits, casting="unsafe")  # toward 0
    np.bitwise_or(bits, back != r, out=bits, casting="unsafe")  # sticky bit
    return f.astype(_BFLOAT16)


def _rounded(r, dtype):
    """The float64 result ``r`` rounded once to ``dtype``."""
    if dtype == _F64:
        return r
    if _BFLOAT16 is not None and dtype == _BFLOAT16:
        return _round_bfloat16(r)
    return np.asarray(r).astype(dtype)  # NumPy rounds float64 -> float32 / float16 once


def _elementwise(kernel):
    """Run a float64 kernel on any kernel dtype, block by block.

    The wrapped function takes an array of float64, float32, float16 or bfloat16
    (other dtypes are treated as float64) and returns a new array of that dtype and
    shape; each block of :data:`_BLOCK` elements is converted to float64, computed,
    and rounded once into the result.  The kernel itself always receives a 1-d float64
    array (so in-place ``out=`` steps work on 0-d input too).
    """

    @functools.wraps(kernel)
    def run(x, *args, **kwargs):
        x = np.asarray(x)
        dtype = x.dtype if x.dtype.kind in "fV" else _F64
        if x.size <= _BLOCK:  # kernels always see a 1-d float64 array
            r = kernel(x.astype(np.float64, copy=False).reshape(-1), *args, **kwargs)
            return _rounded(r, dtype).reshape(x.shape)
        out = np.empty(x.shape, dtype)
        flat, oflat = x.reshape(-1), out.reshape(-1)
        if x.dtype == _F64:  # (integers, also computed in float64, take the widening path)
            for i in range(0, flat.size, _BLOCK):
                oflat[i : i + _BLOCK] = kernel(flat[i : i + _BLOCK], *args, **kwargs)
            return out
        # Other formats: each block is widened into one reused float64 buffer (the kernels
        # never write into their input) and the float64 result is rounded once as it is
        # stored (NumPy's float64 -> float32 / float16 cast rounds to nearest, like astype).
        buf = np.empty(_BLOCK)
        direct = _BFLOAT16 is None or dtype != _BFLOAT16
        for i in range(0, flat.size, _BLOCK):
            block = buf[: min(_BLOCK, flat.size - i)]
            np.copyto(block, flat[i : i + _BLOCK], casting="unsafe")
            r = kernel(block, *args, **kwargs)
            oflat[i : i + _BLOCK] = r if direct else _rounded(r, dtype)
        return out

    run.elementwise = True
    return run


def _keep_nan(x, out):
    """Make NaN inputs give NaN outputs where a formula would hide them (e.g. a
    comparison); ``out`` is a fresh array and is patched in place (NaN is rare)."""
    nan = np.isnan(x)
    if nan.any():
        out[nan] = np.nan
    return out


def _fix_inf(x, out, at_minus_inf, at_plus_inf):
    """Replace the results at x = -inf / +inf (where products like inf * 0 appear)."""
    out = np.where(x == -np.inf, at_minus_inf, out)
    return np.where(x == np.inf, at_plus_inf, out)


# --- linear -----------------------------------------------------------------------


@_elementwise
def linear(x):
    """f(x) = x (returned as a copy)."""
    return x.copy()


@_elementwise
def linear_grad(x):
    """f'(x) = 1."""
    return _keep_nan(x, np.ones_like(x))


# --- sigmoid and tanh ----------------------------------------------------------------


def _exp_neg_abs(x):
    return np.exp(-np.abs(x))


@_elementwise
def sigmoid(x):
    """σ(x) = 1 / (1 + e^{-x}), evaluated as written.

    Each step (exp, + 1, reciprocal) is monotone and correctly rounded (exp to < 1 ULP),
    so the result is monotone even between adjacent floats -- the e^x/(1 + e^x) form for
    x < 0 is not.  For x < -709.78, e^{-x} overflows to inf and σ is 0, within the
    absolute tolerance of a value below 1e-308 (the caller silences the overflow).
    """
    return 1.0 / (1.0 + np.exp(-x))


@_elementwise
def sigmoid_grad(x):
    """σ'(x) = σ(x)σ(-x) = e / (1 + e)^2 with e = exp(-|x|).

    Not σ(1 - σ): 1 - σ cancels to 0 for x >~ 37 while the true value is ~e^{-x}.
    """
    e = _exp_neg_abs(x)
    return e / ((1.0 + e) * (1.0 + e))


@_elementwise
def tanh(x):
    """tanh(x) = sign(x) / (1 + 2 / expm1(2|x|)).

    NumPy's own np.tanh is not monotone between adjacent floats (tanh(-8) is above the
    value at the next float); this chain of monotone, correctly rounded steps is, and
    expm1 keeps full relative precision near 0.  |x| = 0 gives 1/inf = 0; |x| > 354
    overflows expm1 to inf and gives exactly 1.
    """
    with np.errstate(divide="ignore"):
        return np.copysign(1.0 / (1.0 + 2.0 / np.expm1(2.0 * np.abs(x))), x)


@_elementwise
def tanh_grad(x):
    """tanh'(x) = sech^2(x) = 4e / (1 + e)^2 with e = exp(-2|x|).

    Not 1 - tanh^2, which cancels to 0 for |x| >~ 19 while the value is ~4e^{-2|x|}.
    """
    e = np.exp(-2.0 * np.abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


# --- ReLU family ------------------------------------------------------------------


@_elementwise
def relu(x):
    """max(0, x); NaN propagates."""
    return np.maximum(x, 0.0)


@_elementwise
def relu_grad(x):
    """1 for x > 0, else 0 (relu'(0) = 0 as in PyTorch)."""
    return _keep_nan(x, (x > 0).astype(np.float64))


@_elementwise
def relu6(x):
    """min(max(0, x), 6) = clip(x, 0, 6); NaN propagates."""
    return np.clip(x, 0.0, 6.0)


@_elementwise
def relu6_grad(x):
    """1 for 0 < x < 6, else 0 (0 at both kinks, as in PyTorch)."""
    return _keep_nan(x, np.where((x > 0.0) & (x < 6.0), 1.0, 0.0))


@_elementwise
def relu_squared(x):
    """relu(x)^2: one correctly rounded product (overflows to inf, correctly, beyond ~1.34e154)."""
    r = np.maximum(x, 0.0)
    return r * r


@_elementwise
def relu_squared_grad(x):
    """2 relu(x) (exact: doubling is exact)."""
    return 2.0 * np.maximum(x, 0.0)


def _select(m, a, b):
    """a where the boolean mask m, else b: m a + (1 - m) b, exact because one term is
    0 (a and b finite); branch-free, unlike np.where, whose per-element branch the CPU
    mispredicts on random signs."""
    m = m.astype(np.float64)
    a = a * m
    np.subtract(1.0, m, out=m)
    m *= b
    m += a
    return m


@_elementwise
def leaky_relu(x, negative_slope=0.01):
    """x for x > 0, negative_slope * x otherwise: max(x, sx) for s <= 1, min(x, sx) for
    s > 1 (one comparison, no branch)."""
    sx = x * negative_slope
    return np.maximum(x, sx, out=sx) if negative_slope <= 1 else np.minimum(x, sx, out=sx)


@_elementwise
def leaky_relu_grad(x, negative_slope=0.01):
    """1 for x > 0, negative_slope otherwise (including x = 0)."""
    m = (x > 0).astype(np.float64)
    out = (1.0 - negative_slope) * m if negative_slope == 0 else m + (1.0 - m) * negative_slope
    return _keep_nan(x, out)


@_elementwise
def prelu(x, alpha=0.25):
    """PReLU with slope ``alpha`` for x <= 0."""
    return leaky_relu(x, alpha)


@_elementwise
def prelu_grad(x, alpha=0.25):
    """d/dx PReLU: 1 for x > 0, alpha otherwise."""
    return leaky_relu_grad(x, alpha)


@_elementwise
def prelu_grad_alpha(x, alpha=0.25):
    """d/dα PReLU: 0 for x > 0, x otherwise (used to learn α)."""
    return np.minimum(x, 0.0)


@_elementwise
def elu(x, alpha=1.0):
    """x for x > 0, α(e^x - 1) otherwise, through expm1 (no cancellation near 0):
    max(x, 0) + α expm1(min(x, 0)), where one of the two terms is exactly 0."""
    t = np.minimum(x, 0.0)
    np.expm1(t, out=t)
    if alpha != 1.0:
        t *= alpha
    t += np.maximum(x, 0.0)
    return t


@_elementwise
def elu_grad(x, alpha=1.0):
    """1 for x > 0, α e^x otherwise (α at 0, the left derivative, as in PyTorch)."""
    t = np.minimum(x, 0.0)
    np.exp(t, out=t)
    t *= alpha
    return _select(x > 0, np.ones_like(x), t) if alpha != 1.0 else t


@_elementwise
def celu(x, alpha=1.0):
    """x for x > 0, α(e^{x/α} - 1) otherwise (max(x, 0) + α expm1(min(x, 0)/α))."""
    t = np.minimum(x, 0.0)
    t /= alpha
    np.expm1(t, out=t)
    t *= alpha
    t += np.maximum(x, 0.0)
    return t


@_elementwise
def celu_grad(x, alpha=1.0):
    """1 for x > 0, e^{x/α} otherwise (exp(min(x, 0)/α) is exactly 1 for x > 0)."""
    t = np.minimum(x, 0.0)
    t /= alpha
    return np.exp(t, out=t)


@_elementwise
def selu(x):
    """λx for x > 0, λα(e^x - 1) otherwise (λα precomputed to full precision):
    λ max(x, 0) + λα expm1(min(x, 0)), one term exactly 0."""
    t = np.minimum(x, 0.0)
    np.expm1(t, out=t)
    t *= SELU_LAMBDA_ALPHA
    p = np.maximum(x, 0.0)
    p *= SELU_LAMBDA
    t += p
    return t


@_elementwise
def selu_grad(x):
    """λ for x > 0, λα e^x otherwise."""
    t = np.minimum(x, 0.0)
    np.exp(t, out=t)
    t *= SELU_LAMBDA_ALPHA
    return _select(x > 0, np.full_like(x, SELU_LAMBDA), t)


# --- smooth gated units -------------------------------------------------------------


# Φ and GELU' on [-8, 0] from a table: scipy's ndtr/erfc are off by up to ~10 ULPs
# for -3 <~ x <~ -1, which is where GELU has its minimum and GELU' its cancellation
# (Φ + xφ, two terms of opposite sign) and nothing else absorbs the error (condition
# number ~1): measured up to 8.7 on the course's scale (and they are slow: one scalar
# call per element).  Taylor series about nodes x0 = -k/512, with Φ(x0) and
# g(x0) = Φ(x0) + x0 φ(x0) stored as two doubles (hi + lo) and the Taylor
# coefficients from Hermite polynomials (φ^(m) = (-1)^m He_m φ), all computed once
# with mpmath; h = x - x0 is exact (Sterbenz) and |h| <= 1/1024, so the correction sum
# is small against the stored value and the result is within ~1 ULP.  Fine nodes and
# few terms: each term costs a gather (np.take), the slow step, while a longer table
# costs only memory (4097 nodes, 7 rows each for Φ and g: 460 KiB) and ~0.4 s to build.  x > 0 uses the
# symmetries Φ(x) = 1 - Φ(-x) and g(x) = 1 - g(-x) (Φ, g >= 1/2 there: no cancellation).
_TABLE_STEP = 512  # nodes per unit
_TABLE_MIN = -8.0  # below it ndtr's error is absorbed by the condition number ~x^2
#: Taylor terms kept: the first omitted one is below 0.04 ULP per unit of condition
#: number at every node, |h| = 1/1024 (tests/test_symbolic.py computes the bound).
_TAYLOR_TERMS = 5


@lru_cache(maxsize=None)
def _gelu_tables():
    """(Φ hi, Φ lo, Φ coefficients, g hi, g lo, g coefficients), g = Φ + xφ = GELU'.

    Coefficient tables have shape (terms, nodes): row k - 1 holds the k-th Taylor
    coefficient of every node, so one row is gathered at a time.  Built on first use
    (~0.5 s with mpmath), then cached.
    """
    import mpmath  # only needed once, to build the table

    n, K = int(-_TABLE_MIN * _TABLE_STEP) + 1, _TAYLOR_TERMS
    out = [np.empty(n), np.empty(n), np.empty((K, n)), np.empty(n), np.empty(n), np.empty((K, n))]
    with mpmath.workdps(40):
        for i in range(n):
            x0 = mpmath.mpf(-i) / _TABLE_STEP
            he = [mpmath.mpf(1), x0]  # probabilists' Hermite polynomials He_m(x0)
            for m in range(1, K + 1):
                he.append(x0 * he[m] - m * he[m - 1])
            pdf = mpmath.npdf(x0)
            dphi = [(-1) ** m * he[m] * pdf for m in range(K + 1)]  # φ^(m)(x0)
            cdf = mpmath.ncdf(x0)
            g = cdf + x0 * pdf
            for v, hi, lo in [(cdf, out[0], out[1]), (g, out[3], out[4])]:
                hi[i] = float(v)
                lo[i] = float(v - hi[i])
            for k in range(1, K + 1):
                fact = mpmath.factorial(k)
                out[2][k - 1, i] = float(dphi[k - 1] / fact)  # Φ^(k) = φ^(k-1)
                out[5][k - 1, i] = float(((1 + k) * dphi[k - 1] + x0 * dphi[k]) / fact)  # g^(k)
    for a in out:
        a.flags.writeable = False
    return tuple(out)


def _node(a):
    """(node index k, h = k/512 - a) for a in [0, 8]: h = v - x0 at v = -a, node
    x0 = -k/512; exact (Sterbenz), |h| <= 1/1024."""
    t = a * _TABLE_STEP
    np.rint(t, out=t)
    i = t.astype(np.intp)
    t *= 1.0 / _TABLE_STEP
    t -= a
    return i, t


def _taylor(i, h, hi, lo, coef):
    """hi + lo + sum_k coef_k h^k about node i (Horner, one gathered row at a time)."""
    s = np.take(coef[-1], i, mode="clip")
    c = np.empty_like(s)
    for k in range(coef.shape[0] - 2, -1, -1):
        s *= h
        s += np.take(coef[k], i, out=c, mode="clip")
    s *= h
    s += np.take(lo, i, out=c, mode="clip")
    s += np.take(hi, i, out=c, mode="clip")
    return s


def _reflect(p, x):
    """p where x <= 0, 1 - p where x > 0 (branch-free: p + [x > 0] (1 - 2p))."""
    m = (x > 0).astype(np.float64)
    t = p * -2.0
    t += 1.0
    t *= m
    t += p
    return t


def _lower(x, which):
    """(p, a, out): a = |x| and p = Φ(-a) (which=0) or g(-a) = Φ(-a) - aφ(a) (which=3),
    with ``out`` the indices of the elements with a > 8 or NaN, or ``None`` if there are
    none (the common case, found with one max).

    On [0, 8] from the table (a clipped to 8 with fmin, which also turns NaN into 8, a
    valid node); the elements in ``out`` get scipy's ``ndtr`` (+ the xφ term for g).
    """
    a = np.abs(x)
    i, h = _node(np.fmin(a, -_TABLE_MIN))
    t = _gelu_tables()
    p = _taylor(i, h, t[which], t[which + 1], t[which + 2])
    if a.size == 0 or a.max() <= -_TABLE_MIN:  # max is NaN if any element is: not <= 8
        return p, a, None
    out = np.flatnonzero(~(a <= -_TABLE_MIN))
    vo = -a[out]
    po = special.ndtr(vo)
    if which == 3:
        po += vo * (INV_SQRT_2PI * np.exp(-0.5 * vo * vo))
    p[out] = po
    return p, a, out


def ndtr(x):
    """Φ(x), the standard normal CDF: table + Taylor on [-8, 8] (~1 ULP), else scipy's
    ``ndtr`` (x > 8: 1 - Φ(-x); x < -8: absorbed by the condition)."""
    x = np.asarray(x, dtype=np.float64)
    flat = x.reshape(-1)
    return _reflect(_lower(flat, 0)[0], flat).reshape(x.shape)


@_elementwise
def gelu(x):
    """x Φ(x) = max(x, 0) - |x| Φ(-|x|), with Φ(-|x|) from the table (see :func:`ndtr`;
    never from 1 + erf, which cancels for x <~ -6).

    For x <= 0 this is x Φ(x) (0 - |x|p is exact); for x > 0 it is x (1 - Φ(-x)) with
    |x|p <= x/2, so the subtraction does not cancel: three operations instead of
    reflecting Φ and multiplying.
    """
    p, a, out = _lower(x, 0)
    p *= a
    np.subtract(np.maximum(x, 0.0), p, out=p)
    if out is not None:  # x = ±inf: inf * Φ(-inf) = inf * 0
        p[out] = _fix_inf(x[out], p[out], 0.0, np.inf)
    return p


@_elementwise
def gelu_grad(x):
    """Φ(x) + x φ(x); on [-8, 8] directly from the table of g = Φ + xφ (see above) with
    g(x) = 1 - g(-x) for x > 0, elsewhere ndtr + x φ, where φ underflows to 0 exactly
    where it no longer matters."""
    p, _, out = _lower(x, 3)
    g = _reflect(p, x)
    if out is not None:
        g[out] = _fix_inf(x[out], g[out], 0.0, 1.0)
    return g


# z = 2u = A x + B x^3 with A = 2 sqrt(2/pi), B = A * 44715/10^6 (hi: the nearest doubles;
# lo: the rest, kept to document and test that hi is correctly rounded).
_A_HI, _A_LO = 1.5957691216057308, -9.96930880911092e-17
_B_HI, _B_LO = 0.07135481627260025, -6.175149918155315e-19


def _patch_minus_inf(x, out, value):
    """out with ``value`` where x = -inf (where x * σ(z) would be -inf * 0)."""
    bad = x == -np.inf
    if bad.any():
        out[bad] = value
    return out


@_elementwise
def gelu_tanh(x):
    """x (1 + tanh u) / 2 = x σ(2u) = x / (1 + e^{-z}), z = 2u = x (A + B x^2):
    1 + tanh u cancels for u << 0, σ(2u) does not.

    Plain float64: the rounding of z (about 1 ULP of z) moves σ(z) by |z| σ(-z) ULPs,
    which the condition number of the function, |1 + w σ(-z)| with w = x z' >= |z|,
    absorbs where it is large; near the minimum (x ~ -0.75, condition ~1) |z| σ(-z) ~ 1.
    """
    t = x * x
    t *= _B_HI
    t += _A_HI
    t *= x  # z
    np.negative(t, out=t)
    np.exp(t, out=t)
    t += 1.0
    np.divide(x, t, out=t)  # x = -1e308: z = -inf, x / inf = -0
    return _patch_minus_inf(x, t, 0.0)


def _gated_grad(z, w, negative):
    """σ(z)(1 + w σ(-z)) from e = exp(-|z|), without 1 - σ:
    e (1 + e + w) / (1 + e)^2 where ``negative`` (z <= 0), (1 + e + w e) / (1 + e)^2
    elsewhere.  Where 1 + e + w cancels (w ~ -(1 + e)) the sum is exact (Sterbenz).
    Consumes ``w`` (the result is written into it)."""
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e + 1.0
    neg = d + w
    neg *= e  # e (1 + e + w)
    w *= e
    w += d  # 1 + e + w e
    m = negative.astype(np.float64)
    neg *= m
    np.subtract(1.0, m, out=m)
    w *= m
    w += neg  # exact blend: one of the two terms is 0
    d *= d
    w /= d
    return w


@_elementwise
def gelu_tanh_grad(x):
    """σ(z)(1 + w σ(-z)) with z = 2u = A x + B x^3 and w = x z'(x) = A x + 3B x^3.

    With e = exp(-|z|) this is e (1 + e + w) / (1 + e)^2 for z <= 0 and
    (1 + e + w e) / (1 + e)^2 for z > 0 (no 1 - σ).  Where 1 + e + w cancels
    (-1.3 <~ x <~ -0.5, condition number ~1), the sum is exact (Sterbenz), so the
    error is that of w and e, a few ULPs.  x is clipped to ±1000 (beyond |x| ~ 30 the
    result is exactly 0 or 1 in float64), so nothing overflows into inf * 0.
    """
    x = np.clip(x, -1000.0, 1000.0)
    q = x * x
    q *= _B_HI
    z = q + _A_HI
    z *= x
    q *= 3.0
    q += _A_HI
    q *= x  # w
    return _gated_grad(z, q, x <= 0)


@_elementwise
def swish(x, beta=1.0):
    """x σ(βx) = x / (1 + e^{-βx}) (one rounding less than x times σ)."""
    t = x * -beta
    np.exp(t, out=t)
    t += 1.0
    np.divide(x, t, out=t)  # x = -inf: -inf / inf, patched
    if beta == 0:
        return _fix_inf(x, t, -np.inf, np.inf)
    return _patch_minus_inf(x, t, 0.0)


@_elementwise
def swish_grad(x, beta=1.0):
    """σ(βx)(1 + βx σ(-βx)), no 1 - σ (see :func:`_gated_grad`, w = z = βx).

    z = βx is clipped to ±1000, where the result is already exactly 0 or 1 in float64:
    for huge |x| (βx -> ±inf) that avoids inf * 0.  For β = 1, z = x is exact and so is
    1 + e + z where it cancels (around x ~ -2.4, condition number ~1).
    """
    z = np.clip(beta * x, -1000.0, 1000.0)
    out = _gated_grad(z, z.copy(), z <= 0)
    if beta == 0:
        out[np.isinf(x)] = 0.5
    return out


@_elementwise
def silu(x):
    """x σ(x) (swish with β = 1)."""
    return swish.__wrapped__(x, 1.0)


@_elementwise
def silu_grad(x):
    """σ(x)(1 + x σ(-x))."""
    return swish_grad.__wrapped__(x, 1.0)


#: Above this z = βx, log1p(e^{-z}) < 2.4e-16 z / 36 is below half an ULP of z: softplus rounds to x.
_SOFTPLUS_LINEAR_FROM = 36.0


@_elementwise
def softplus(x, beta=1.0, threshold=None):
    """(1/β) log(1 + e^{βx}) as log1p(exp(z)) / β with z = βx, and x itself for z > 36.

    log1p(exp(z)) is a composition of monotone, correctly rounded steps, so the kernel is
    monotone between adjacent floats (max(z, 0) + log1p(e^{-|z|}) adds an increasing and a
    decreasing term and is not); for z > 36 the exact value rounds to x (see the constant).
    With ``threshold``: x where βx > threshold (PyTorch's switch), exact elsewhere.
    """
    z = beta * x
    out = np.log1p(np.exp(np.minimum(z, _SOFTPLUS_LINEAR_FROM))) / beta
    out = np.where(z > _SOFTPLUS_LINEAR_FROM, x, out)
    if threshold is not None:
        out = np.where(z > threshold, x, out)
    return out


@_elementwise
def softplus_grad(x, beta=1.0, threshold=None):
    """σ(βx); 1 where βx > threshold when a threshold is given."""
    z = beta * x
    out = sigmoid(z)  # NaN in -> NaN out (and NaN > threshold is False below)
    if threshold is not None:
        out = np.where(z > threshold, 1.0, out)
    return out


def _tanh_softplus(x, a):
    """tanh(log(1 + e^x)) without overflow, from a = exp(-|x|).

    With e = e^x: tanh(log(1+e)) = e(e+2) / (e(e+2) + 2)    (used for x <= 0, e = a);
    with t = e^{-x}: = (1 + 2t) / (1 + 2t + 2t^2)              (used for x > 0, t = a).
    Numerators and denominators are blended exactly (one of two terms is 0).
    """
    n = a + 2.0
    n *= a  # e(e + 2)
    p = a + a
    p += 1.0  # 1 + 2t
    dn = n + 2.0
    dp = a * a
    dp += dp
    dp += p
    m = (x > 0).astype(np.float64)
    p *= m
    dp *= m
    np.subtract(1.0, m, out=m)
    n *= m
    dn *= m
    n += p
    dn += dp
    n /= dn
    return n


def _exp_minus_abs(x):
    a = np.abs(x)
    np.negative(a, out=a)
    return np.exp(a, out=a)


@_elementwise
def mish(x):
    """x tanh(softplus(x))."""
    out = _tanh_softplus(x, _exp_minus_abs(x))
    out *= x
    return _patch_minus_inf(x, out, 0.0)


@_elementwise
def mish_grad(x):
    """tanh(sp) + x sech^2(sp) σ(x), sp = softplus(x), rearranged per sign of x.

    x <= 0, with e = e^x, n = e(e + 2) (so tanh(sp) = n/(n+2), sech^2(sp) = 4(1+e)^2/(n+2)^2):
        f'(x) = e B / (n + 2)^2,  B = 4(1 + x) + e(4x + 6 + e(4 + e)).
    The textbook sum cancels around the minimum of mish (x ≈ -1.19, two terms of
    size ~0.25 giving ~0.1); in B the cancelling part 4(1 + x) is exact for
    -2 <= x <= -1/2 (Sterbenz), so the error no longer grows there.
    x > 0, with t = e^{-x}: tanh(sp) = (1+2t)/(1+2t+2t^2), sech(sp) = 2t(1+t)/((1+t)^2+t^2),
    σ(x) = 1/(1+t), all terms positive, nothing overflows.  Both branches use
    a = exp(-|x|) and are blended exactly.
    """
    a = _exp_minus_abs(x)
    xb = np.clip(x, -1000.0, 1000.0)  # a = 0 beyond 745: keeps b finite (no 0 * inf) for |x| ~ 1e308
    b = a + 4.0
    b *= a
    t = xb * 4.0
    t += 6.0
    b += t
    b *= a
    t = xb + 1.0
    t *= 4.0
    b += t  # B
    n2 = a + 2.0
    n2 *= a
    n2 += 2.0
    n2 *= n2
    b *= a
    b /= n2  # x <= 0 branch
    u = a + 1.0  # 1 + t
    s = u * u
    s += a * a
    sech = a + a
    sech *= u
    sech /= s
    sech *= sech
    sech *= x
    sech /= u  # x sech^2 σ(x)
    p = a + a
    p += 1.0  # 1 + 2t
    u = a * a
    u += u
    u += p
    np.divide(p, u, out=u)  # tanh(sp) = (1 + 2t) / (1 + 2t + 2t^2)
    sech += u
    m = (x > 0).astype(np.float64)
    sech *= m
    np.subtract(1.0, m, out=m)
    b *= m
    b += sech
    return _fix_inf(x, b, 0.0, 1.0) if np.isinf(x).any() else b


def _squareplus_s(x, b):
    """(s, fast) with s = sqrt(x^2 + b): as sqrt(x*x + b) (<= 1.5 ULP: two roundings under
    the square root, whose relative error it halves, and its own) when every s is finite
    and b >= 1e-200 (x*x can then only underflow where b swamps it), else hypot(x, sqrt(b))
    for the whole block (never squares x: no overflow for |x| > 1e154; NumPy's hypot is a
    scalar loop, ten times slower here).  ``fast`` says which one (and that s and x are
    finite, so the branches below can be blended exactly)."""
    if b >= 1e-200:
        s = x * x
        s += b
        np.sqrt(s, out=s)
        if np.isfinite(s).all():
            return s, True
    return np.hypot(x, np.sqrt(b)), False


def _blend_negative(x, neg, pos):
    """neg where x < 0, pos elsewhere, both finite: an exact branch-free blend."""
    m = (x < 0).astype(np.float64)
    neg *= m
    np.subtract(1.0, m, out=m)
    pos *= m
    pos += neg
    return pos


@_elementwise
def squareplus(x, b=4.0):
    """(x + sqrt(x^2 + b)) / 2 (Barron 2021), with s = sqrt(x^2 + b) (:func:`_squareplus_s`).

    x >= 0: x/2 + s/2 (halved first: no overflow near the largest float).  x < 0: the
    sum cancels, so it is multiplied by its conjugate: (b/2) / (s - x), a sum of two
    positive terms.
    """
    s, fast = _squareplus_s(x, b)
    if not fast:
        return np.where(x < 0, (0.5 * b) / (s - x), 0.5 * x + 0.5 * s)
    neg = np.abs(x)
    neg += s  # s + |x| = s - x where it is used (x < 0); never 0, so the blend stays finite
    np.divide(0.5 * b, neg, out=neg)
    s *= 0.5
    s += 0.5 * x
    return _blend_negative(x, neg, s)


@_elementwise
def squareplus_grad(x, b=4.0):
    """(1 + x/s) / 2; for x < 0, where 1 + x/s cancels, (b / (2s)) / (s - x)."""
    s, fast = _squareplus_s(x, b)
    if not fast:
        out = np.where(x < 0, (0.5 * b / s) / (s - x), 0.5 + 0.5 * (x / s))
        return _fix_inf(x, out, 0.0, 1.0)
    neg = np.divide(0.5 * b, s)
    d = np.abs(x)
    d += s  # s - x for x < 0 (see squareplus)
    neg /= d
    pos = np.divide(x, s)
    pos *= 0.5
    pos += 0.5
    return _blend_negative(x, neg, pos)


@_elementwise
def softsign(x):
    """x / (1 + |x|), evaluated as sign(x) / (1 + 1/|x|).

    x / (1 + |x|) rounds twice where 1 + |x| is inexact and is then not monotone between
    adjacent floats; 1/(1 + 1/t) is a chain of monotone, correctly rounded steps
    (t = 0 gives 1/inf = 0; t = inf gives 1).
    """
    with np.errstate(divide="ignore"):
        s = 1.0 / (1.0 + 1.0 / np.abs(x))
    return np.copysign(s, x)


@_elementwise
def softsign_grad(x):
    """1 / (1 + |x|)^2, squared after the division so it underflows gracefully."""
    r = 1.0 / (1.0 + np.abs(x))
    return r * r


# --- hard (piecewise linear) approximations -------------------------------------------


@_elementwise
def hard_sigmoid(x):
    """relu6(x + 3) / 6 = clip(x + 3, 0, 6) / 6."""
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


@_elementwise
def hard_sigmoid_grad(x):
    """1/6 for -3 < x < 3, else 0 (0 at the kinks, as in PyTorch)."""
    m = np.abs(x) < 3.0
    return _keep_nan(x, m * (1.0 / 6.0))


@_elementwise
def hard_tanh(x):
    """clip(x, -1, 1)."""
    return np.clip(x, -1.0, 1.0)


@_elementwise
def hard_tanh_grad(x):
    """1 for -1 < x < 1, else 0 (0 at the kinks, as in PyTorch)."""
    return _keep_nan(x, (np.abs(x) < 1.0).astype(np.float64))


@_elementwise
def hard_swish(x):
    """x relu6(x + 3) / 6; 0 for x < -3 (the -inf * 0 at x = -inf is patched)."""
    t = x + 3.0
    np.clip(t, 0.0, 6.0, out=t)
    t /= 6.0
    t *= x
    return _patch_minus_inf(x, t, 0.0)


@_elementwise
def hard_swish_grad(x):
    """0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for x >= 3 (as PyTorch's backward)."""
    mid = x / 3.0
    mid += 0.5
    mid *= np.abs(x) < 3.0  # exact: times 1 or 0 (mid is finite where |x| < 3)
    np.nan_to_num(mid, copy=False, nan=0.0)  # inf / 3 * 0
    mid += x >= 3.0
    return _keep_nan(x, mid)
