"""Kernels against the mpmath reference: the course's accuracy bar.

Scaled error = ULPs of the exact value / max(1, |x g'/g|) must be <= 8 for every value
and derivative on ``reference.grid`` (dense [-40, 40], kinks, minima, tails to
±1e6); results below 1e-290 need an absolute error <= 1e-300.  See
``activations.reference`` and ``scripts/accuracy_table.py`` for the full table.
"""

import math

import mpmath
import numpy as np
import pytest

import activations as act
from activations import reference as ref

CONFIGS = [(name, {}) for name in act.names()] + list(ref.EXTRA_PARAMS)
IDS = [n + "".join(f"-{k}={v:g}" for k, v in p.items()) for n, p in CONFIGS]


def _points(name, params, derivative):
    # The defaults get ~830 points, the extra parameter sets a lighter grid (time budget;
    # scripts/accuracy_table.py runs denser and random grids).
    dense, tail = (600, 60) if not params else (300, 30)
    xs = ref.grid(name, n_dense=dense, n_tail=tail, **params)
    if derivative:
        xs = xs[~np.isin(xs, ref.CONVENTION_POINTS.get(name, ()))]
    return xs


@pytest.mark.parametrize("derivative", [False, True], ids=["value", "derivative"])
@pytest.mark.parametrize(("name", "params"), CONFIGS, ids=IDS)
def test_float64_within_bar(name, params, derivative):
    xs = _points(name, params, derivative)
    err, x_at = ref.worst(name, xs, derivative=derivative, **params)
    assert err <= ref.BAR, f"{name}{params} {'derivative' if derivative else 'value'}: {err:.3g} at x={x_at!r}"


@pytest.mark.parametrize(("name", "params"), CONFIGS, ids=IDS)
def test_huge_finite_inputs(name, params):
    """Beyond the ±1e6 of the bar: no overflow into inf or inf * 0 = NaN up to 1.7e308."""
    xs = np.array([-1.7e308, -1e10, 1e10, 1.7e308])
    for derivative in (False, True):
        err, x_at = ref.worst(name, xs, derivative=derivative, **params)
        assert err <= ref.BAR, f"{name}{params} derivative={derivative}: {err:.3g} at x={x_at!r}"


@pytest.mark.parametrize("name", act.names())
def test_float32_rounded_once(name):
    """float32 in/out: the float64 result rounded once, so under 1 float32 ULP."""
    xs = np.unique(ref.grid(n_dense=120, n_tail=12).astype(np.float32))
    for derivative in (False, True):
        pts = xs[~np.isin(xs, ref.CONVENTION_POINTS.get(name, ()) if derivative else ())]
        err, x_at = ref.worst(name, pts, derivative=derivative, dtype=np.float32)
        assert err < 1.0, f"{name} derivative={derivative}: {err:.3g} float32 ULPs at x={x_at!r}"


def test_relu_derivative_at_zero_follows_the_one_convention():
    # d/dx Max(0, x) = Heaviside(x, 0): the reference, the kernel and PyTorch all give 0,
    # so no kink is left out of the accuracy checks.
    assert ref.exact("relu", [0.0], derivative=True)[0] == 0
    assert act.get("relu").grad(0.0) == 0.0 and act.get("relu").grad(-0.0) == 0.0
    assert ref.CONVENTION_POINTS == {}


# --- the reference itself -------------------------------------------------------------


@pytest.mark.parametrize("x", [-37.0, -20.0, -5.5, -0.75, 3.0])
def test_reference_gelu_matches_independent_erfc_formula(x):
    # x Φ(x) = x erfc(-x/√2)/2 has no cancellation: an independent check of the
    # adaptive precision on the cancelling textbook form x(1 + erf(x/√2))/2.
    with mpmath.workdps(60):
        X = mpmath.mpf(x)
        indep = X * mpmath.erfc(-X / mpmath.sqrt(2)) / 2
        got = ref.exact("gelu", [x])[0]
        assert abs(got - indep) <= abs(indep) * mpmath.mpf(10) ** -30


@pytest.mark.parametrize("x", [-309.409, -30.0, -1.2, 4.0, 50.0])
def test_reference_mish_derivative_matches_log1p_formula(x):
    with mpmath.workdps(60):
        X = mpmath.mpf(x)
        sp_ = mpmath.log1p(mpmath.exp(X))
        indep = mpmath.tanh(sp_) + X * mpmath.sech(sp_) ** 2 / (1 + mpmath.exp(-X))
        got = ref.exact("mish", [x], derivative=True)[0]
        assert abs(got - indep) <= abs(indep) * mpmath.mpf(10) ** -30


def test_reference_special_inputs():
    inf = math.inf
    vals = ref.exact("sigmoid", [-inf, inf, math.nan])
    assert vals[0] == 0 and vals[1] == 1 and mpmath.isnan(vals[2])
    lam_alpha = act.definitions.SELU_LAMBDA * act.definitions.SELU_ALPHA  # 40-digit SymPy Floats
    with mpmath.workdps(40):
        assert abs(ref.exact("selu", [-inf])[0] + mpmath.mpf(str(lam_alpha))) < mpmath.mpf(10) ** -34
    # Far below TINY: accepted at MAX_DPS with a tiny absolute error, not an exception.
    assert abs(ref.exact("gelu", [-710.0])[0]) < ref.TINY


def test_exact_float_is_correctly_rounded():
    assert ref.exact_float("sigmoid", [0.0])[0] == 0.5
    assert ref.exact_float("softplus", [0.0])[0] == math.log(2)  # libm log(2) is correctly rounded
    x32 = ref.exact_float("sigmoid", [1.0], dtype=np.float32)
    assert x32.dtype == np.float32 and x32[0] == np.float32(1 / (1 + math.exp(-1)))


def test_ulp_and_ulp_error():
    assert ref.ulp(mpmath.mpf(1)) == mpmath.ldexp(1, -52)
    with mpmath.workprec(80):
        just_below_one = mpmath.mpf(1) - mpmath.ldexp(1, -60)
    assert ref.ulp(just_below_one) == mpmath.ldexp(1, -53)
    assert ref.ulp(mpmath.mpf(1), np.float32) == mpmath.ldexp(1, -23)
    assert ref.ulp(mpmath.ldexp(1, -200), np.float32) == mpmath.ldexp(1, -149)
    assert ref.ulp_error(1.0 + 2**-52, mpmath.mpf(1)) == 1.0
    assert ref.ulp_error(math.nan, mpmath.mpf("nan")) == 0.0
    assert ref.ulp_error(math.nan, mpmath.mpf(1)) == math.inf
    assert ref.ulp_error(math.inf, mpmath.mpf("inf")) == 0.0


def test_condition_number():
    # exp-like tail of sigmoid: x σ'(x)/σ(x) = x σ(-x) -> |x| for x -> -oo
    assert ref.condition_number("sigmoid", -30.0) == pytest.approx(30.0, rel=1e-12)
    assert ref.condition_number("linear", 5.0) == 1.0
    assert ref.condition_number("gelu", 0.0) == 1.0
    # tanh' = sech^2: x g'/g = -2x tanh(x)
    assert ref.condition_number("tanh", 2.0, derivative=True) == pytest.approx(4 * math.tanh(2.0), rel=1e-12)


def test_metric_catches_textbook_formulas():
    """The bar is not vacuous: the naive derivatives fail it badly in the tails."""
    x = np.array([20.0, 40.0])
    t = np.tanh(x)
    assert ref.score("tanh", x, 1 - t * t, derivative=True).min() > 1e6
    s = 1 / (1 + np.exp(-x))
    assert ref.score("sigmoid", x, s * (1 - s), derivative=True).min() > 1e6
    xg = np.array([-10.0])
    naive_gelu = xg * (1 + np.array([math.erf(v / math.sqrt(2)) for v in xg])) / 2
    assert ref.score("gelu", xg, naive_gelu)[0] > 1e3


def test_grid_contents():
    g = ref.grid("silu")
    assert np.all(np.diff(g) > 0) and g.min() == -1e6 and g.max() == 1e6
    for t in ref.TAIL_POINTS:
        assert t in g and -t in g
    # the minimum of silu (root of silu') is in the grid with its neighbours
    root = -1.2784645427610738
    assert np.sum(np.abs(g - root) < 1e-5) >= 5
    assert len(ref.grid("relu", n_random=100, seed=3)) > len(ref.grid("relu"))


def test_a_finite_value_beyond_the_largest_float_rounds_to_inf():
    """relu_squared(1e200) = 1e400: the correctly rounded float64 is inf, so inf scores 0."""
    big = mpmath.mpf(10) ** 400
    assert ref.ulp_error(np.inf, big) == 0.0 and ref.ulp_error(-np.inf, -big) == 0.0
    assert ref.ulp_error(-np.inf, big) == math.inf
    largest = mpmath.mpf(np.finfo(np.float64).max)
    assert ref.ulp_error(np.inf, largest) == math.inf  # representable: inf would be wrong
    assert ref.ulp_error(np.inf, largest + mpmath.ldexp(1, 970)) == 0.0  # half an ULP above: ties to inf
    assert ref.ulp_error(np.float32(np.inf), mpmath.mpf(2) ** 128, np.float32) == 0.0
