"""Derived properties against facts known in closed form (not copied from the output)."""

import math

import mpmath
import pytest
import sympy as sp

import activations as act
from activations.properties import KEYS, derive


def test_every_key_present_and_cached_copy_is_safe():
    p = derive("tanh")
    assert set(p) == set(KEYS)
    p["monotonic"] = "corrupted"
    assert derive("tanh")["monotonic"] is True


@pytest.mark.parametrize(
    "name, range_str",
    [
        ("tanh", "(-1, 1)"),
        ("sigmoid", "(0, 1)"),
        ("relu", "[0, ∞)"),
        ("hard_tanh", "[-1, 1]"),
        ("elu", "(-1, ∞)"),
        ("softplus", "(0, ∞)"),
        ("leaky_relu", "(-∞, ∞)"),
    ],
)
def test_ranges_with_open_and_closed_ends(name, range_str):
    assert derive(name)["range_str"] == range_str


def test_swish_minimum_matches_lambert_w_closed_form():
    # f'(x) = 0  <=>  1 + x + e^x = 0 ... solved by x* = -(1 + W(1/e)); f(x*) = x* + 1.
    x_star = -(1 + mpmath.lambertw(mpmath.e**-1).real)
    ((xc, fc),) = derive("silu")["critical_points"]
    assert abs(float(xc) - float(x_star)) < 1e-15
    assert abs(float(fc) - float(x_star + 1)) < 1e-15
    assert derive("silu")["monotonic"] is False


def test_hard_swish_minimum_is_minus_three_eighths():
    ((xc, fc),) = derive("hard_swish")["critical_points"]
    assert sp.Rational(str(xc)) == sp.Rational(-3, 2) and abs(float(fc) + 0.375) < 1e-18


@pytest.mark.parametrize("alpha, expected", [(1.0, "C1"), (0.5, "C0"), (2.0, "C0")])
def test_elu_is_c1_only_for_alpha_one(alpha, expected):
    assert derive("elu", alpha=alpha)["smoothness"] == expected


def test_celu_is_always_c1_and_relu_c0_and_tanh_smooth():
    assert derive("celu", alpha=2.0)["smoothness"] == "C1"
    assert derive("relu")["smoothness"] == "C0"
    assert derive("tanh")["smoothness"] == "C∞"


def test_softplus_threshold_switch_is_a_jump():
    p = derive("softplus", beta=1.0, threshold=20.0)
    assert p["smoothness"] == "discontinuous" and [float(k) for k in p["kinks"]] == [20.0]


def test_selu_fixed_point_mean_zero_variance_one():
    p = derive("selu")
    assert abs(p["mean_normal"]) < 1e-9 and abs(p["second_moment_normal"] - 1) < 1e-9
    assert p["zero_centred"] and not derive("elu")["zero_centred"]


def test_relu_mean_under_normal_is_one_over_sqrt_2pi():
    assert math.isclose(derive("relu")["mean_normal"], 1 / math.sqrt(2 * math.pi), rel_tol=1e-12)


@pytest.mark.parametrize(
    "name, side", [("sigmoid", "both"), ("relu", "left"), ("leaky_relu", "none"), ("linear", "none"), ("gelu", "left")]
)
def test_saturation_sides(name, side):
    assert derive(name)["saturating"] == side


def test_swish_beta_zero_is_half_identity():
    p = derive("swish", beta=0.0)
    assert p["monotonic"] and p["saturating"] == "none" and p["odd"]


def test_properties_via_activation_object_and_unknown_name():
    assert act.get("softsign").properties["odd"] is True
    assert act.get("softplus").properties["f0"] == sp.log(2)
    with pytest.raises(KeyError, match="valid names"):
        derive("nope")
