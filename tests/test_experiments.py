"""activations.experiments: the measured effects are real and the bookkeeping is right."""

import time

import numpy as np
import pytest

import activations as act
from activations import data, nn
from activations import experiments as ex


def test_gradient_flow_shapes_and_reproducibility():
    r1 = ex.gradient_flow("relu", depth=4, width=16, rng=np.random.default_rng(0))
    r2 = ex.gradient_flow("relu", depth=4, width=16, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(r1["layer"], [1, 2, 3, 4, 5])
    assert r1["grad_norm"].shape == (5,) and r1["delta_norm"].shape == (4,)
    np.testing.assert_array_equal(r1["grad_norm"], r2["grad_norm"])
    assert np.all(r1["grad_norm"] > 0)


def test_gradient_flow_matches_a_direct_backward_pass():
    rng = np.random.default_rng(4)
    r = ex.gradient_flow("tanh", depth=3, width=8, rng=rng, n_samples=32)
    # replay: same draws in the same order (weights, then X, then labels)
    rng = np.random.default_rng(4)
    model = nn.MLP([8, 8, 8, 8, 10], "tanh", rng=rng)
    X = rng.standard_normal((32, 8))
    y = rng.integers(0, 10, size=32)
    loss, d = nn.softmax_cross_entropy(model.forward(X), y)
    model.backward(d)
    np.testing.assert_allclose(r["grad_norm"], [np.linalg.norm(layer.dW) for layer in model.dense_layers])
    assert r["loss"] == pytest.approx(loss)


def test_sigmoid_gradient_vanishes_towards_the_input_but_relu_he_does_not():
    sig = ex.gradient_flow("sigmoid", depth=10, width=64, rng=np.random.default_rng(0))
    relu = ex.gradient_flow("relu", depth=10, width=64, rng=np.random.default_rng(0))
    # sigma' <= 1/4 per layer: the first layer's gradient is orders of magnitude smaller
    assert sig["grad_norm"][0] < 1e-3 * sig["grad_norm"][-1]
    ratio = relu["grad_norm"][0] / relu["grad_norm"][-1]
    assert 0.1 < ratio < 10


def test_signal_propagation_selu_self_normalises_and_naive_init_explodes():
    selu = ex.signal_propagation("selu", depth=10, width=256, rng=np.random.default_rng(0))
    assert selu["mean"].shape == selu["var"].shape == (10,)
    assert np.all(np.abs(selu["mean"]) < 0.2)
    assert np.all((selu["var"] > 0.8) & (selu["var"] < 1.25))
    # ReLU with He init keeps E[z^2] ~ 2 E[x^2] = 2 in every layer
    relu = ex.signal_propagation("relu", depth=10, width=256, rng=np.random.default_rng(0))
    assert np.all((relu["pre_var"] > 1.0) & (relu["pre_var"] < 4.0))
    # N(0, 1) weights: every ReLU layer multiplies E[h^2] by about width / 2 = 128
    naive = ex.signal_propagation(
        "relu", depth=5, width=256, rng=np.random.default_rng(0), init="normal", weight_scale=1.0
    )
    growth = naive["pre_var"][1:] / naive["pre_var"][:-1]
    assert np.all((growth > 64) & (growth < 256))


def test_signal_propagation_tanh_variance_shrinks_with_xavier():
    r = ex.signal_propagation("tanh", depth=20, width=128, rng=np.random.default_rng(1), init="xavier")
    assert r["var"][-1] < 0.5 * r["var"][0]
    # The default (derived) variance keeps the pre-activations at unit scale instead.
    d = ex.signal_propagation("tanh", depth=20, width=128, rng=np.random.default_rng(1))
    assert 0.7 < d["pre_var"][-1] < 1.4


def _model_with_biases(activation, biases):
    model = nn.MLP([3, len(biases), 2], activation, rng=np.random.default_rng(0))
    model.layers[0].W[...] = 0.01 * np.random.default_rng(1).standard_normal((3, len(biases)))
    model.layers[0].b[...] = biases
    return model


def test_dead_units_counts_units_with_zero_derivative_on_every_input():
    X = np.random.default_rng(2).standard_normal((50, 3))
    biases = np.array([-100.0, -100.0, -100.0, 100.0, 100.0, 0.0])
    frac, masks = ex.dead_units(_model_with_biases("relu", biases), X, return_mask=True)
    # the bias 0 unit is dead for some inputs only, so it is alive
    np.testing.assert_array_equal(masks[0], [True, True, True, False, False, False])
    assert frac[0] == pytest.approx(0.5)
    # hard_tanh: saturated on either side for every input = no gradient = dead
    frac = ex.dead_units(_model_with_biases("hard_tanh", biases), X)
    assert frac[0] == pytest.approx(5 / 6)
    # leaky ReLU and ELU cannot die; sigmoid far out is tiny but not 0
    assert ex.dead_units(_model_with_biases("leaky_relu", biases), X)[0] == 0.0
    assert ex.dead_units(_model_with_biases("elu", biases), X)[0] == 0.0
    assert ex.dead_units(_model_with_biases("sigmoid", biases / 10), X)[0] == 0.0


def test_dead_units_per_layer_and_maxout():
    rng = np.random.default_rng(0)
    model = nn.MLP([4, 8, 8, 2], "relu", rng=rng, bias_init=-50.0)
    X = rng.standard_normal((20, 4))
    np.testing.assert_array_equal(ex.dead_units(model, X), [1.0, 1.0])
    maxout = nn.MLP([4, 8, 8, 2], "maxout", rng=rng, bias_init=-50.0)
    np.testing.assert_array_equal(ex.dead_units(maxout, X), [0.0, 0.0])


def test_time_kernel():
    x = np.linspace(-3, 3, 10_000)
    t = ex.time_kernel(act.relu, x, repeat=3)
    assert t.seconds > 0
    assert t.ns_per_element == pytest.approx(t.seconds / x.size * 1e9)
    # a call that sleeps 2 ms cannot be reported faster than 2 ms
    slow = ex.time_kernel(lambda v: time.sleep(0.002), x, repeat=2, number=1)
    assert slow.seconds >= 0.002
    with pytest.raises(TypeError, match="time_kernel"):
        ex.time_kernel("relu", x)
    with pytest.raises(ValueError, match="time_kernel"):
        ex.time_kernel(act.relu, np.array([]))


def test_train_compare_and_table():
    rng = np.random.default_rng(0)
    X, y = data.xor(200, noise=0.2, rng=rng)
    split = (X[:150], X[150:], y[:150], y[150:])
    res = ex.train_compare(
        ["tanh", act.get("leaky_relu", negative_slope=0.1)], [0, 1, 2], data=split, hidden=(8,), epochs=30
    )
    assert list(res) == ["tanh", "leaky_relu"]
    for r in res.values():
        assert r["acc"].shape == (3,)
        assert r["mean"] == pytest.approx(np.mean(r["acc"]))
        assert r["std"] == pytest.approx(np.std(r["acc"], ddof=1))
        assert r["mean"] > 0.9  # XOR is easy for one hidden layer
    again = ex.train_compare(["tanh"], [0, 1, 2], data=split, hidden=(8,), epochs=30)
    np.testing.assert_array_equal(again["tanh"]["acc"], res["tanh"]["acc"])
    table = ex.format_table(res)
    assert table.splitlines()[0].startswith("| activation")
    assert len(table.splitlines()) == 4
    with pytest.raises(ValueError, match="train_compare"):
        ex.train_compare(["tanh"], [], data=split)


def test_dead_units_needs_a_derivative_for_custom_layers():
    class Square(nn.Layer):
        def forward(self, X):
            return X * X

    model = nn.MLP([2, 3, 2], lambda width: Square(), rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="dead_units"):
        ex.dead_units(model, np.ones((4, 2)))
