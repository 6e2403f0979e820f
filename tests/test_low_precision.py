"""float16 and bfloat16 (``ml_dtypes``): dtype kept, accuracy against mpmath, edges.

The rule (see :mod:`activations.kernels`): every format is computed in float64 and
rounded once to the caller's dtype, correctly rounded (bfloat16 too).  So the result
is within 0.5 ULP of the format plus the float64 error, which is at most
8 x condition number float64 ULPs, i.e. below 1e-6 ULP of these formats for every
condition number that occurs in their range.  Tested for every activation, value and
derivative, on a sample of all finite values of each format plus the overflow and
underflow edges (the largest finite value, where exp overflows, the smallest normal
and subnormal numbers, and where sigmoid-like tails drop below them).
"""

import math

import mpmath
import numpy as np
import pytest

import activations as act
from activations import kernels
from activations import reference as ref

ml_dtypes = pytest.importorskip("ml_dtypes")
BF16 = np.dtype(ml_dtypes.bfloat16)
F16 = np.dtype(np.float16)

#: significand bits and the exponent of the smallest subnormal
FORMATS = {F16: (11, -24), BF16: (8, -133)}
BOUND = 0.5 + 1e-6  # ULPs of the format
#: kinks where the derivative is a convention (PyTorch's), not an accuracy question
KINKS = {"relu": [0.0], "leaky_relu": [0.0], "prelu": [0.0], "selu": [0.0],
         "hard_sigmoid": [-3.0, 3.0], "hard_tanh": [-1.0, 1.0], "hard_swish": [-3.0, 3.0]}  # fmt: skip


def _edges(dtype) -> list[float]:
    fi = ml_dtypes.finfo(dtype)
    big, tiny, sub = float(fi.max), float(fi.smallest_normal), float(fi.smallest_subnormal)
    ln_max = math.log(big)  # exp overflows above it: 11.09 (float16), 88.72 (bfloat16)
    pts = [0.0, big, tiny, sub, 2 * sub, ln_max, 2 * ln_max, -math.log(sub), -math.log(tiny), 0.5 * ln_max, 1.0, 3.0]
    pts += [math.sqrt(big), big / 2]
    return sorted({s * p for p in pts for s in (1.0, -1.0)})


def points(dtype, stride: int) -> np.ndarray:
    """Every ``stride``-th finite value of the format plus its edges (and their
    neighbours), as float64 values that are exact in the format."""
    bits = np.arange(0, 1 << 16, stride, dtype=np.uint16)
    with np.errstate(invalid="ignore"):  # the NaN bit patterns
        xs = bits.view(dtype).astype(np.float64)
    edges = np.array(_edges(dtype)).astype(dtype)
    up = np.nextafter(edges.astype(np.float32), np.float32(np.inf)).astype(dtype)
    xs = np.concatenate([xs, edges.astype(np.float64), up.astype(np.float64)])
    xs = xs[np.isfinite(xs)]
    return np.unique(xs)


def ulp_errors(computed: np.ndarray, exact: list, dtype) -> np.ndarray:
    """|computed - exact| in ULPs of ``dtype`` at the exact value; an infinite result
    counts as correct exactly when the exact value rounds to it (overflow)."""
    bits, emin = FORMATS[dtype]
    big = float(ml_dtypes.finfo(dtype).max)
    over = mpmath.mpf(big) + mpmath.ldexp(1, math.frexp(big)[1] - bits - 1)  # rounds to inf from here
    out = np.empty(len(exact))
    for i, (c, e) in enumerate(zip(computed.astype(np.float64).tolist(), exact)):
        if math.isinf(c) or mpmath.isinf(e):
            ok = mpmath.isinf(e) and mpmath.mpf(c) == e or math.isinf(c) and abs(e) >= over and (c > 0) == (e > 0)
            out[i] = 0.0 if ok else math.inf
            continue
        spacing = mpmath.ldexp(1, emin) if e == 0 else mpmath.ldexp(1, max(mpmath.frexp(e)[1] - bits, emin))
        out[i] = float(abs(mpmath.mpf(c) - e) / spacing)
    return out


@pytest.mark.parametrize("derivative", [False, True], ids=["value", "derivative"])
@pytest.mark.parametrize("dtype", [F16, BF16], ids=["float16", "bfloat16"])
@pytest.mark.parametrize("name", act.names())
def test_rounded_once_against_mpmath(name, dtype, derivative):
    xs = points(dtype, stride=157)
    if derivative:
        xs = xs[~np.isin(xs, KINKS.get(name, []))]
    a = act.get(name)
    x = xs.astype(dtype)
    got = a.grad(x) if derivative else a(x)
    assert got.dtype == dtype and got.shape == x.shape
    exact = ref.exact(name, xs, derivative=derivative)
    err = ulp_errors(got, exact, dtype)
    i = int(np.argmax(err))
    assert err[i] <= BOUND, (
        f"{name} {'derivative' if derivative else 'value'} {dtype}: {err[i]:.3g} ULPs at x={xs[i]!r}"
    )


@pytest.mark.parametrize("name", act.names())
def test_dtype_shape_and_special_values(name):
    a = act.get(name)
    for dtype in (F16, BF16):
        for f in (a, a.grad):
            x = np.array([[-np.inf, -1.0], [0.0, np.inf]], dtype=dtype)
            out = f(x)
            assert out.dtype == dtype and out.shape == (2, 2)
            assert np.array_equal(out.astype(np.float64), f(x.astype(np.float64)).astype(dtype).astype(np.float64))
            assert np.isnan(f(np.array(np.nan, dtype=dtype)).astype(np.float64))
            zero_d = f(np.array(0.5, dtype=dtype))
            assert zero_d.ndim == 0 and zero_d.dtype == dtype


def test_large_arrays_are_computed_block_by_block_with_the_same_result():
    x = np.linspace(-20, 20, 3 * kernels._BLOCK + 17).astype(BF16)
    for name in ("gelu", "mish", "sigmoid"):
        a = act.get(name)
        whole = a.grad(x)
        parts = np.concatenate([a.grad(x[i : i + 1000]) for i in range(0, x.size, 1000)])
        assert whole.dtype == BF16 and np.array_equal(whole.astype(np.float32), parts.astype(np.float32))


def test_bfloat16_rounding_is_correct_where_the_float32_route_is_not():
    # 1 + 2^-8 is the midpoint between the bfloat16 neighbours 1 and 1 + 2^-7; a float64
    # just above it rounds up, but through float32 it lands on the midpoint and then on 1.
    r = np.array([1 + 2**-8 + 2**-40, -(1 + 2**-8 + 2**-40), 1 + 2**-8, 3e38, 1e-45, np.inf, -0.0])
    got = kernels._round_bfloat16(r).astype(np.float64)
    assert got[0] == 1 + 2**-7 and got[1] == -(1 + 2**-7)
    assert got[2] == 1.0  # an exact tie goes to even
    assert got[3] == float(np.array(3e38).astype(BF16)) and got[4] == 0.0 and got[5] == np.inf
    assert r.astype(BF16).astype(np.float64)[0] == 1.0  # ml_dtypes' own cast rounds twice


@pytest.mark.parametrize("dtype", ["float8_e4m3fn", "float8_e5m2", "int4"])
def test_other_ml_dtypes_are_refused_naming_the_function(dtype):
    x = np.zeros(3, dtype=getattr(ml_dtypes, dtype))
    with pytest.raises(TypeError, match=r"^gelu\(\): unsupported dtype"):
        act.gelu(x)
    with pytest.raises(TypeError, match=r"^mish\.grad\(\): unsupported dtype"):
        act.get("mish").grad(x)
