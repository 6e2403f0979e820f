"""activations.course.precision: format facts, bisection on floats, low-precision sums."""

import math

import numpy as np
import pytest

from activations.course import precision

ml_dtypes = pytest.importorskip("ml_dtypes")
BF16 = np.dtype(ml_dtypes.bfloat16)


def test_format_info_against_ieee_definitions():
    f16 = precision.format_info(np.float16)
    assert f16["bits"] == 11 and f16["max"] == (2 - 2**-10) * 2**15 == 65504.0
    assert f16["ln_max"] == pytest.approx(math.log(65504.0)) and 11.08 < f16["ln_max"] < 11.09
    assert f16["smallest_subnormal"] == 2.0**-24 and f16["smallest_normal"] == 2.0**-14 and f16["eps"] == 2.0**-10
    bf = precision.format_info(BF16)
    assert bf["bits"] == 8 and bf["eps"] == 2.0**-7 and bf["smallest_normal"] == 2.0**-126
    assert bf["max"] == (2 - 2**-7) * 2.0**127 and bf["smallest_subnormal"] == 2.0**-133
    f64 = precision.format_info(np.float64)
    assert f64["bits"] == 53 and f64["max"] == np.finfo(np.float64).max


@pytest.mark.parametrize("dtype", [np.float16, BF16, np.float32, np.float64])
def test_first_float_finds_where_exp_overflows(dtype):
    dt = np.dtype(dtype)
    info = precision.format_info(dt)

    def overflows(t):  # exp in float64, rounded to the format: inf beyond max + half an ULP
        with np.errstate(over="ignore"):
            e = np.exp(np.float64(t))
            return bool(np.isinf(e if dt.itemsize == 8 else precision._round(e, dt)))

    v = precision.first_float(overflows, dt, 1.0, 1000.0)
    assert v.dtype == dt and overflows(v)
    ut = {2: np.uint16, 4: np.uint32, 8: np.uint64}[dt.itemsize]
    prev = np.array(int(np.array(v).view(ut)) - 1, dtype=ut).view(dt)
    assert not overflows(prev)
    # ln(max) lies below v and not far below its float neighbour (one spacing of the format)
    assert float(prev) <= info["ln_max"] + 1e-3 < float(v) + 1e-3
    assert float(v) - info["ln_max"] <= (float(v) - float(prev)) + 1e-3


def test_first_float_exact_on_a_step():
    # the smallest float16 >= 3 is 3 itself; the smallest float16 > 3 is 3 + 2**-9
    assert precision.first_float(lambda t: t >= 3, np.float16, 0.0, 10.0) == np.float16(3)
    assert precision.first_float(lambda t: t > 3, np.float16, 0.0, 10.0) == np.float16(3 + 2**-9)


def test_first_float_rejects_bad_input():
    with pytest.raises(ValueError, match="first_float"):
        precision.first_float(lambda t: True, np.float16, 0.0, 1.0)
    with pytest.raises(ValueError, match="first_float"):
        precision.first_float(lambda t: False, np.float16, 0.0, 1.0)
    with pytest.raises(ValueError, match="first_float"):
        precision.first_float(lambda t: t > 0.5, np.float16, 1.0, 0.0)
    with pytest.raises(TypeError, match="first_float"):
        precision.first_float(3, np.float16, 0.0, 1.0)
    with pytest.raises(TypeError, match="first_float"):
        precision.first_float(lambda t: t > 0.5, np.int32, 0.0, 1.0)


def test_matmul_accumulated_rounds_every_step():
    X = np.array([[1.0, 2.0**-11, 2.0**-11]])
    W = np.ones((3, 1))
    # float16: 1 + 2^-11 is a tie and rounds to 1 twice; float32 keeps both
    assert precision.matmul_accumulated(X, W, np.float16)[0, 0] == 1.0
    assert precision.matmul_accumulated(X, W, np.float32)[0, 0] == np.float32(1 + 2.0**-10)
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((5, 7)), rng.standard_normal((7, 3))
    A0, B0 = A.copy(), B.copy()
    out = precision.matmul_accumulated(A, B, np.float64)
    assert out.dtype == np.float64 and np.allclose(out, A @ B, rtol=1e-14, atol=1e-14)
    assert np.array_equal(A, A0) and np.array_equal(B, B0)
    f16 = precision.matmul_accumulated(A, B, np.float16)
    assert f16.dtype == np.float16 and np.allclose(f16, A @ B, rtol=1e-2, atol=1e-2)
    bf = precision.matmul_accumulated(A, B, BF16)
    assert bf.dtype == BF16 and np.allclose(bf.astype(np.float64), A @ B, rtol=5e-2, atol=5e-2)
    with pytest.raises(ValueError, match="matmul_accumulated"):
        precision.matmul_accumulated(A, A, np.float16)


def test_bfloat16_rounding_once():
    # just above the midpoint between bfloat16 1 and 1 + 2^-7: must round up
    r = np.array([1 + 2.0**-8 + 2.0**-40])
    assert float(precision._round(r, BF16).astype(np.float64)[0]) == 1 + 2.0**-7
