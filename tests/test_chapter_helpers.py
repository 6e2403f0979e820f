"""Tests for the small helper modules behind chapters 1 and 2:
activations.course: collapse, counterexamples and optim_paths."""

import numpy as np
import pytest

from activations import nn
from activations.course.collapse import collapse_affine
from activations.course.counterexamples import SignedSqrt, signed_sqrt, signed_sqrt_grad
from activations.course.optim_paths import sgd_path

# --- collapse_affine --------------------------------------------------------------------


def test_collapse_matches_a_deep_linear_network():
    rng = np.random.default_rng(3)
    model = nn.MLP([4, 7, 5, 6, 2], "linear", rng=rng)
    for layer in model.dense_layers:  # non-zero biases, so the bias formula is exercised
        layer.b[...] = rng.standard_normal(layer.b.shape)
    X = rng.standard_normal((30, 4))
    W, b = collapse_affine(model)
    assert W.shape == (4, 2) and b.shape == (2,)
    np.testing.assert_allclose(X @ W + b, model.forward(X), rtol=1e-12, atol=1e-12)


def test_collapse_differs_from_a_nonlinear_network_and_does_not_modify_it():
    rng = np.random.default_rng(4)
    model = nn.MLP([3, 8, 2], "relu", rng=rng)
    before = [p.copy() for p in model.params()]
    X = rng.standard_normal((50, 3))
    W, b = collapse_affine(model)
    assert not np.allclose(X @ W + b, model.forward(X))
    for p, q in zip(before, model.params()):
        np.testing.assert_array_equal(p, q)


def test_collapse_rejects_non_models():
    with pytest.raises(TypeError, match="collapse_affine"):
        collapse_affine(np.eye(3))


# --- signed square root ------------------------------------------------------------------


def test_signed_sqrt_values_and_oddness():
    x = np.array([-4.0, -0.25, 0.0, 0.25, 9.0])
    np.testing.assert_allclose(signed_sqrt(x), [-2.0, -0.5, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(signed_sqrt(-x), -signed_sqrt(x))


def test_signed_sqrt_grad_matches_central_differences_and_blows_up_at_zero():
    x = np.array([-2.0, -0.3, 0.4, 5.0])
    h = 1e-6
    numeric = (signed_sqrt(x + h) - signed_sqrt(x - h)) / (2 * h)
    np.testing.assert_allclose(signed_sqrt_grad(x), numeric, rtol=1e-6)
    assert np.isinf(signed_sqrt_grad(0.0))
    assert signed_sqrt_grad(1e-12) > 1e5


def test_signed_sqrt_keeps_dtype_and_input():
    x = np.array([1.0, -4.0], dtype=np.float32)
    copy = x.copy()
    assert signed_sqrt(x).dtype == np.float32 and signed_sqrt_grad(x).dtype == np.float32
    np.testing.assert_array_equal(x, copy)


@pytest.mark.parametrize("bad", ["a", None, [1, [2, 3]], 1 + 2j])
def test_signed_sqrt_rejects_bad_input(bad):
    with pytest.raises(TypeError, match="signed_sqrt"):
        signed_sqrt(bad)


def test_signed_sqrt_layer_backprop_agrees_with_numerical_gradient():
    rng = np.random.default_rng(5)
    model = nn.MLP([3, 4, 2], lambda width: SignedSqrt(), rng=rng)
    # Keep every pre-activation away from the singular point 0: positive inputs and first-layer weights.
    first = model.dense_layers[0]
    first.W[...] = np.abs(first.W) + 0.5
    X = np.abs(rng.standard_normal((6, 3))) + 1.0
    model.forward(X)
    assert np.min(np.abs(model.pre[0])) > 1e-2
    y = np.array([0, 1, 0, 1, 1, 0])
    errors = nn.gradient_check(model, X, y)
    assert max(errors) < 1e-5


# --- sgd_path ---------------------------------------------------------------------------


def test_sgd_path_positive_inputs_give_same_sign_updates():
    rng = np.random.default_rng(0)
    H = 1 / (1 + np.exp(-rng.standard_normal((50, 2))))  # all entries in (0, 1)
    run = sgd_path(H, H @ np.array([1.0, -1.0]), w0=np.zeros(2), lr=0.5, epochs=3, rng=np.random.default_rng(1))
    assert run["steps"] == 150 and run["path"].shape == (151, 2)
    moved = np.any(run["updates"] != 0, axis=1)
    u = run["updates"][moved]
    assert np.all(np.sign(u[:, 0]) == np.sign(u[:, 1]))


def test_sgd_path_stops_at_target_and_follows_the_update_rule():
    rng = np.random.default_rng(2)
    H = rng.standard_normal((40, 2))
    w_star = np.array([0.5, -2.0])
    t = H @ w_star
    run = sgd_path(H, t, w0=np.zeros(2), lr=0.1, epochs=100, rng=np.random.default_rng(3), w_target=w_star, tol=1e-3)
    assert run["arrived"] and np.linalg.norm(run["path"][-1] - w_star) < 1e-3
    assert np.linalg.norm(run["path"][-2] - w_star) >= 1e-3
    # Replay the first step by hand: the same permutation, w1 = w0 - lr (w0.h - t) h.
    first = np.random.default_rng(3).permutation(len(H))[0]
    np.testing.assert_allclose(run["path"][1], -0.1 * (0.0 - t[first]) * H[first])


def test_sgd_path_validates_arguments():
    H = np.ones((3, 2))
    with pytest.raises(ValueError, match="sgd_path"):
        sgd_path(H, np.ones(4), w0=np.zeros(2), lr=0.1, epochs=1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="sgd_path"):
        sgd_path(H, np.ones(3), w0=np.zeros(3), lr=0.1, epochs=1, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="sgd_path"):
        sgd_path(H, np.ones(3), w0=np.zeros(2), lr=0.1, epochs=1, rng=0)
    with pytest.raises(ValueError, match="sgd_path"):
        sgd_path(H, np.ones(3), w0=np.zeros(2), lr=-1.0, epochs=1, rng=np.random.default_rng(0))


# --- binary step and the straight-through estimator ----------------------------------------


def test_step_forward_and_both_backward_passes():
    from activations.course.counterexamples import Step

    z = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    exact, ste = Step(), Step(straight_through=True)
    np.testing.assert_array_equal(exact.forward(z), [[0.0, 0.0, 0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(exact.backward(np.ones_like(z)), np.zeros_like(z))
    ste.forward(z)
    np.testing.assert_array_equal(ste.backward(np.full_like(z, 3.0)), [[0.0, 3.0, 3.0, 3.0, 0.0]])
    with pytest.raises(TypeError, match="Step"):
        Step(straight_through=1)


def test_step_network_gets_no_gradient_below_the_step_unless_straight_through():
    from activations.course.counterexamples import Step

    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((20, 2)), rng.integers(0, 2, 20)
    for ste in (False, True):
        model = nn.MLP([2, 5, 2], lambda width: Step(straight_through=ste), rng=np.random.default_rng(1))
        model.backward(nn.softmax_cross_entropy(model.forward(X), y)[1])
        first, last = model.dense_layers
        assert np.any(last.dW != 0)
        assert np.any(first.dW != 0) == ste


# --- expressivity: polynomial floors, sawtooth, linear pieces ------------------------------


def test_poly_fit_error_is_zero_for_polynomials_and_decreases_with_degree():
    from activations.course.expressivity import poly_fit_error

    x = np.linspace(-2.0, 3.0, 301)
    assert poly_fit_error(x, 1 - 2 * x + 0.5 * x**3, 3) < 1e-12
    assert poly_fit_error(x, 1 - 2 * x + 0.5 * x**3, 2) > 0.1
    errs = [poly_fit_error(x, np.abs(x), d) for d in (1, 2, 4, 8)]
    assert all(a >= b for a, b in zip(errs, errs[1:])) and errs[-1] > 0
    # degree 0: the best constant is the mean, its error the standard deviation
    y = np.sin(x)
    assert abs(poly_fit_error(x, y, 0) - np.std(y)) < 1e-12


def test_poly_fit_error_rejects_bad_input():
    from activations.course.expressivity import poly_fit_error

    with pytest.raises(ValueError, match="poly_fit_error"):
        poly_fit_error([0.0, 1.0], [0.0, 1.0, 2.0], 1)
    with pytest.raises(ValueError, match="poly_fit_error"):
        poly_fit_error([0.0, 1.0], [0.0, 1.0], 2)
    with pytest.raises(TypeError, match="poly_fit_error"):
        poly_fit_error([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], 1.5)


@pytest.mark.parametrize("depth", [0, 1, 2, 3, 5, 8])
def test_sawtooth_has_two_to_the_depth_pieces(depth):
    from activations.course.expressivity import count_linear_pieces, sawtooth

    x = np.arange(2 ** (depth + 3) + 1) / 2 ** (depth + 3)  # dyadic grid: every kink on a sample
    y = sawtooth(x, depth)
    assert count_linear_pieces(x, y) == 2**depth
    assert y.min() == 0.0 and y.max() == 1.0
    np.testing.assert_array_equal(np.abs(np.diff(y) / np.diff(x)), 2.0**depth)


def test_count_linear_pieces_counts_relu_kinks_and_checks_input():
    from activations.course.expressivity import count_linear_pieces

    x = np.linspace(-1.0, 1.0, 201)
    assert count_linear_pieces(x, 3 * x + 1) == 1
    assert count_linear_pieces(x, np.maximum(x, 0) + np.maximum(x - 0.5, 0)) == 3
    x_copy = x.copy()
    count_linear_pieces(x, np.abs(x))
    np.testing.assert_array_equal(x, x_copy)
    with pytest.raises(ValueError, match="count_linear_pieces"):
        count_linear_pieces(x[::-1], x)
    with pytest.raises(ValueError, match="count_linear_pieces"):
        count_linear_pieces(x, x, rtol=0.0)
