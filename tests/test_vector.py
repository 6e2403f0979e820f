"""softmax, log_softmax and maxout: stability, axes, dtypes, special values, errors."""

import mpmath
import numpy as np
import pytest

import activations as act


def _exact_softmax(row):
    with mpmath.workdps(40):
        e = [mpmath.exp(mpmath.mpf(float(v))) for v in row]
        s = mpmath.fsum(e)
        return [v / s for v in e], [mpmath.log(v / s) for v in e]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_softmax_and_log_softmax_against_mpmath(seed):
    rng = np.random.default_rng(seed)
    row = rng.normal(0, 5, 7)
    sm, lsm = _exact_softmax(row)
    got_sm, got_lsm = act.softmax(row), act.log_softmax(row)
    # x_i - max is exact-ish (one rounding), exp turns an absolute error d into a relative
    # one: allow a few ULPs times (1 + |x_i - max|).
    scale = 1 + np.abs(row - row.max())
    for got, want, sc in zip(got_sm, sm, scale):
        assert abs(got - float(want)) <= 4 * sc * np.spacing(float(want))
    for got, want, sc in zip(got_lsm, lsm, scale):
        assert abs(got - float(want)) <= 4 * sc * np.spacing(abs(float(want)) + 1)


def test_softmax_is_shift_invariant_and_stable_at_1e4():
    base = np.array([0.0, 1.0, -1.0, 2.5])
    for shift in (1e4, -1e4, 700.0, -800.0):
        np.testing.assert_allclose(act.softmax(base + shift), act.softmax(base), rtol=1e-12)
        np.testing.assert_allclose(act.log_softmax(base + shift), act.log_softmax(base), rtol=1e-11, atol=1e-12)
    out = act.softmax(np.array([1e4, 0.0]))
    assert out[0] == 1.0 and out[1] == 0.0
    assert act.log_softmax(np.array([0.0, -1000.0]))[1] == pytest.approx(-1000.0, rel=1e-15)


def test_softmax_sums_to_one_along_axis():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 5, 6))
    for axis in (0, 1, 2, -1, -2):
        s = act.softmax(x, axis=axis)
        np.testing.assert_allclose(s.sum(axis=axis), 1.0, rtol=1e-14)
        assert s.shape == x.shape
    np.testing.assert_allclose(act.softmax(x, axis=0), np.moveaxis(act.softmax(np.moveaxis(x, 0, -1)), -1, 0))
    np.testing.assert_allclose(np.exp(act.log_softmax(x, axis=1)), act.softmax(x, axis=1), rtol=1e-13)


def test_dtypes_and_inputs_untouched():
    x32 = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    keep = x32.copy()
    for f in (act.softmax, act.log_softmax):
        out = f(x32)
        assert out.dtype == np.float32 and np.array_equal(x32, keep)
        assert f([1, 2, 3]).dtype == np.float64
    assert act.maxout(x32.reshape(1, 3), 3).dtype == np.float32


def test_minus_inf_entries_and_special_rows():
    with np.errstate(all="raise"):  # the caller's errstate does not matter
        s = act.softmax(np.array([0.0, -np.inf, 0.0]))
        ls = act.log_softmax(np.array([0.0, -np.inf, 0.0]))
        assert np.array_equal(s, [0.5, 0.0, 0.5])
        assert ls[1] == -np.inf and ls[0] == pytest.approx(-np.log(2))
        assert np.isnan(act.softmax(np.array([-np.inf, -np.inf]))).all()  # 0/0, as PyTorch
        assert np.isnan(act.softmax(np.array([np.inf, 1.0]))).all()
        assert np.isnan(act.log_softmax(np.array([np.nan, 1.0]))).all()
        big = np.finfo(np.float32).max
        out = act.log_softmax(np.array([-big, big], dtype=np.float32))
        assert out[0] == -np.inf and out[1] == 0.0


def test_vector_errors():
    for f in (act.softmax, act.log_softmax):
        with pytest.raises(ValueError, match=f.__name__):
            f(1.0)  # 0-d
        with pytest.raises(ValueError, match=f.__name__):
            f([1.0, 2.0], axis=1)
        with pytest.raises(TypeError, match=f.__name__):
            f(["a", "b"])
        with pytest.raises(TypeError, match=f.__name__):
            f([1.0, 2.0], axis=0.5)
        with pytest.raises(TypeError, match=f.__name__):
            f([1 + 1j, 2])


# --- maxout -----------------------------------------------------------------------------


def test_maxout_with_zero_pieces_is_relu_and_with_scaled_pieces_is_leaky():
    z = np.linspace(-3, 3, 13)
    relu_in = np.stack([z, np.zeros_like(z)], axis=-1).reshape(-1)  # (z_0, 0, z_1, 0, ...)
    np.testing.assert_array_equal(act.maxout(relu_in, 2), act.relu(z))
    for a in (0.01, 0.2):
        leaky_in = np.stack([z, a * z], axis=-1).reshape(-1)
        np.testing.assert_array_equal(act.maxout(leaky_in, 2), act.leaky_relu(z, negative_slope=a))


def test_maxout_axis_and_groups():
    x = np.arange(24.0).reshape(2, 6, 2)
    out = act.maxout(x, 3, axis=1)
    assert out.shape == (2, 2, 2)
    np.testing.assert_array_equal(out, x.reshape(2, 2, 3, 2).max(axis=2))
    np.testing.assert_array_equal(act.maxout(x, 2, axis=-1), x.max(axis=-1, keepdims=True))
    np.testing.assert_array_equal(act.maxout(x, 1), x)


def test_maxout_errors():
    with pytest.raises(ValueError, match="divisible"):
        act.maxout(np.zeros(5), 2)
    with pytest.raises(ValueError, match="maxout"):
        act.maxout(np.zeros(4), 0)
    with pytest.raises(TypeError, match="maxout"):
        act.maxout(np.zeros(4), 2.0)
    with pytest.raises(ValueError, match="maxout"):
        act.maxout(np.zeros(4), 2, axis=3)
    with pytest.raises(ValueError, match="maxout"):
        act.maxout(1.0, 1)
