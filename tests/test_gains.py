"""activations.gains: Gaussian moments, q-map, chi and the derived weight variance."""

import math

import numpy as np
import pytest
import sympy as sp

import activations as act
from activations import gains


def test_relu_exact_he():
    m = gains.gaussian_moments("relu")
    assert m.exact
    assert sp.simplify(m.second_expr - sp.Rational(1, 2)) == 0
    assert gains.weight_variance("relu") == 2.0
    assert gains.chi("relu") == pytest.approx(1.0, abs=1e-15)


def test_linear_and_selu_are_lecun():
    assert gains.weight_variance("linear") == 1.0
    assert gains.weight_variance("selu") == pytest.approx(1.0, abs=1e-9)  # SELU's design


def test_leaky_relu_closed_form():
    s = 0.1
    assert gains.weight_variance(act.get("leaky_relu", negative_slope=s)) == pytest.approx(2 / (1 + s * s), rel=1e-14)


@pytest.mark.parametrize("name", ["tanh", "silu", "sigmoid", "gelu", "elu", "hard_tanh"])
def test_moments_match_monte_carlo(name):
    z = np.random.default_rng(0).standard_normal(2_000_000)
    a = act.get(name)
    m = gains.gaussian_moments(name)
    # Monte Carlo standard error of a mean of 2e6 bounded-variance draws is ~1e-3 relative.
    assert m.second == pytest.approx(np.mean(a(z) ** 2), rel=5e-3)
    assert m.slope2 == pytest.approx(np.mean(a.grad(z) ** 2), rel=5e-3)
    assert m.mean == pytest.approx(np.mean(a(z)), abs=3e-3)


def test_silu_value_from_the_review():
    # 1 / E[SiLU(Z)^2] = 2.81 (content review A2, mpmath).
    assert gains.weight_variance("silu") == pytest.approx(2.8108, abs=1e-3)


def test_q_map_fixed_point_at_one_and_simulated_depth():
    for name in ["tanh", "silu", "gelu"]:
        assert gains.q_map(name, 1.0) == pytest.approx(1.0, rel=1e-12)
    # A wide network initialised with the derived variance keeps E[z^2] near 1 for a few layers.
    rng = np.random.default_rng(0)
    h = rng.standard_normal((2000, 512))
    init = gains.derived_init("tanh")
    for _ in range(5):
        z = h @ init((512, 512), rng)
        h = act.tanh(z)
    assert np.mean(z**2) == pytest.approx(1.0, abs=0.05)


def test_fixed_point_and_chi():
    # tanh with sigma_w^2 = 1 has q* = 0 (the signal decays); with the derived variance q* = 1.
    assert gains.fixed_point("tanh", sigma_w2=1.0, max_iter=2000, tol=1e-6) < 0.01
    assert gains.fixed_point("tanh", sigma_w2=gains.weight_variance("tanh")) == pytest.approx(1.0, rel=1e-8)
    assert gains.chi("sigmoid") < 0.2  # the sigmoid's gradient still vanishes at its derived gain
    assert gains.chi("relu", sigma_w2=4.0) == pytest.approx(2.0)


def test_gain_table_rows():
    rows = gains.gain_table(["relu", "tanh"])
    assert [r["activation"] for r in rows] == ["relu", "tanh"]
    assert rows[0]["gain"] == pytest.approx(math.sqrt(2))
    assert rows[1]["chi"] == pytest.approx(rows[1]["sigma_w2"] * rows[1]["slope2"])


def test_derived_init_draws_he_for_relu():
    from activations import nn

    W = gains.derived_init("relu")((6, 4), np.random.default_rng(3))
    np.testing.assert_array_equal(W, nn.he_normal((6, 4), np.random.default_rng(3)))


def test_errors_name_the_function():
    with pytest.raises(TypeError, match="gaussian_moments"):
        gains.gaussian_moments(3.0)
    with pytest.raises(ValueError, match="gaussian_moments"):
        gains.gaussian_moments("relu", q=-1.0)
    with pytest.raises(ValueError, match="q_map"):
        gains.q_map("relu", 1.0, sigma_w2=-2.0)
    with pytest.raises(TypeError, match="DerivedInit"):
        gains.derived_init("relu")((3, 3), rng=0)


def test_module_examples_run():
    """The examples in the module docstring are true (they quote derived numbers)."""
    import doctest

    from activations import gains as module

    assert doctest.testmod(module).failed == 0
