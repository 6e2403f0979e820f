"""Property-based tests (hypothesis, derandomized so runs are reproducible).

Monotonicity in floating point, values at 0 derived from SymPy, identities between
activations within a few ULPs where the identity is well-conditioned, derivatives
against central differences.
"""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import activations as act
from activations import definitions, properties

SETTINGS = settings(derandomize=True, deadline=None, max_examples=150, database=None)
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
moderate = st.floats(min_value=-40.0, max_value=40.0, allow_nan=False)
EPS = np.finfo(np.float64).eps

MONOTONE = [
    ("linear", {}),
    ("sigmoid", {}),
    ("tanh", {}),
    ("relu", {}),
    ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.1}),
    ("prelu", {}),
    ("elu", {}),
    ("elu", {"alpha": 0.5}),
    ("elu", {"alpha": 2.0}),
    ("celu", {}),
    ("celu", {"alpha": 2.0}),
    ("selu", {}),
    ("softplus", {}),
    ("softplus", {"beta": 2.0}),
    ("softsign", {}),
    ("hard_sigmoid", {}),
    ("hard_tanh", {}),
]


@pytest.mark.parametrize(("name", "params"), MONOTONE, ids=[f"{n}{p}" for n, p in MONOTONE])
def test_monotone_non_decreasing(name, params):
    f = act.get(name, **params)

    @SETTINGS
    @given(finite, finite)
    def check(a, b):
        lo, hi = min(a, b), max(a, b)
        vals = f(np.array([lo, np.nextafter(lo, np.inf), hi]))
        assert vals[0] <= vals[1] <= vals[2] or (lo == hi)

    check()


def test_softplus_with_threshold_is_not_monotone():
    """PyTorch's switch to x at βx > threshold drops by ~e^-20 ≈ 2e-9 at the switch."""
    f = act.get("softplus", threshold=20.0)
    below, above = f(20.0), f(np.nextafter(20.0, np.inf))
    assert above < below
    assert below - above == pytest.approx(math.log1p(math.exp(-20.0)), rel=1e-6)


@pytest.mark.parametrize("name", act.names())
def test_value_at_zero_is_sympys(name):
    a = act.get(name)
    want = a.expr.subs(act.x, 0)
    assert float(a(0.0)) == float(want), f"{name}(0) = {float(a(0.0))}, SymPy: {want}"


def test_values_at_zero_named():
    assert act.get("sigmoid").expr.subs(act.x, 0) == sp.Rational(1, 2)
    assert act.get("softplus").expr.subs(act.x, 0) == sp.log(2)
    assert float(act.softplus(0.0, beta=2.0)) == math.log(2) / 2


# --- identities --------------------------------------------------------------------------


@SETTINGS
@given(st.floats(min_value=0.55, max_value=40.0), st.sampled_from([-1.0, 1.0]))
def test_tanh_is_two_sigmoid_two_x_minus_one(mag, sign):
    # Only for |x| >= 0.55 (|tanh| >= 1/2): near 0, 2σ(2x) - 1 cancels.
    x = sign * mag
    t = float(act.tanh(x))
    via = 2 * float(act.sigmoid(2 * x)) - 1
    assert abs(t - via) <= 4 * np.spacing(abs(t))


@SETTINGS
@given(finite)
def test_sigmoid_reflection(x):
    # 1 - σ(x) is exact for σ >= 1/2 and rounds once otherwise: within one ε absolutely.
    assert abs(float(act.sigmoid(-x)) - (1 - float(act.sigmoid(x)))) <= EPS


@SETTINGS
@given(finite)
def test_silu_is_swish_with_beta_one(x):
    assert act.silu(x) == act.swish(x, beta=1.0)
    assert act.get("silu").grad(x) == act.get("swish", beta=1.0).grad(x)


@SETTINGS
@given(finite, st.sampled_from([0.5, 1.0, 2.0]))
def test_softplus_derivative_is_sigmoid(x, beta):
    assert act.get("softplus", beta=beta).grad(x) == act.sigmoid(beta * x)


@SETTINGS
@given(finite)
def test_selu_is_lambda_times_elu_alpha(x):
    lam, alpha = float(definitions.SELU_LAMBDA), float(definitions.SELU_ALPHA)
    s = float(act.selu(x))
    assert abs(s - lam * float(act.elu(x, alpha=alpha))) <= 3 * np.spacing(abs(s))


@SETTINGS
@given(finite)
def test_gelu_tanh_approximates_gelu(x):
    diff = abs(float(act.gelu_tanh(x)) - float(act.gelu(x)))
    assert diff <= 1e-3  # agrees to ~3 decimals everywhere
    if abs(x) > 10:
        assert diff <= 1e-12 * max(1.0, abs(x))


@SETTINGS
@given(finite)
def test_ranges(x):
    assert 0.0 <= act.sigmoid(x) <= 1.0
    assert -1.0 <= act.tanh(x) <= 1.0 and -1.0 < act.softsign(x) < 1.0
    assert 0.0 <= act.hard_sigmoid(x) <= 1.0 and -1.0 <= act.hard_tanh(x) <= 1.0
    assert act.softplus(x) >= max(x, 0.0)
    assert act.relu(x) >= 0.0 and act.elu(x) >= -1.0


# --- derivatives against central differences ---------------------------------------------------

SMOOTH = ["sigmoid", "tanh", "gelu", "gelu_tanh", "silu", "softplus", "mish"]
PIECEWISE = [
    "softsign",
    "relu",
    "leaky_relu",
    "prelu",
    "elu",
    "celu",
    "selu",
    "hard_sigmoid",
    "hard_tanh",
    "hard_swish",
]


@pytest.mark.parametrize("name", SMOOTH + sorted(PIECEWISE))
def test_derivative_matches_central_difference(name):
    a = act.get(name)
    kinks = properties.kinks(name)  # where f or f' jumps (softsign: f'' jumps at 0)

    @SETTINGS
    @given(st.floats(min_value=-20.0, max_value=20.0))
    def check(x):
        h = 1e-5 * max(1.0, abs(x))
        if any(abs(x - k) <= 2 * h for k in kinks):
            return
        fd = (float(a(x + h)) - float(a(x - h))) / (2 * h)
        # truncation ~h^2 |f'''|/6, rounding ~eps |f| / h
        tol = 1e-8 + 1e-10 * abs(float(a(x))) / h
        assert abs(fd - float(a.grad(x))) <= tol, (x, fd, float(a.grad(x)))

    check()


@pytest.mark.parametrize(("name", "params"), MONOTONE, ids=[f"{n}{p}" for n, p in MONOTONE])
def test_monotone_between_adjacent_floats(name, params):
    # Hypothesis rarely draws the adjacent pairs where a formula that rounds twice
    # (e.g. x / (1 + |x|) when 1 + |x| is inexact) goes down by one ULP; check many.
    f = act.get(name, **params)
    rng = np.random.default_rng(2026)
    for scale in (1e6, 1e3, 40.0, 10.0, 1.0, 1e-3):
        lo = rng.uniform(-scale, scale, 50_000)
        hi = np.nextafter(lo, np.inf)
        drops = lo[f(lo) > f(hi)]
        assert drops.size == 0, f"{name} decreases between adjacent floats at x = {drops[:3]}"
