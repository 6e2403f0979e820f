"""activations.diagnostics: per-layer statistics, the training recorder and the histogram plot."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from activations import diagnostics, nn


def _batch(n=64, d=10, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, k, size=n)


def test_layer_stats_match_the_model_caches():
    X, y = _batch()
    model = nn.MLP([10, 16, 16, 16, 3], "tanh", rng=np.random.default_rng(1))
    snap = diagnostics.layer_stats(model, X, y)
    # the same forward/backward by hand, through Sequential's own records
    out = model.forward(X)
    model.backward(nn.softmax_cross_entropy(out, y)[1])
    assert len(snap.layers) == 3
    for i in range(3):
        np.testing.assert_array_equal(snap.pre[i], model.pre[i])
        np.testing.assert_array_equal(snap.post[i], model.post[i])
        np.testing.assert_allclose(snap.grad[i], model.delta[i], rtol=1e-14)
        assert snap.layers[i]["post_std"] == pytest.approx(float(np.std(model.post[i])))
        assert snap.layers[i]["grad_rms"] == pytest.approx(float(np.sqrt(np.mean(model.delta[i] ** 2))))
    np.testing.assert_allclose(snap.column("pre_std"), [np.std(p) for p in model.pre])
    assert [d["w_std"] for d in snap.dense] == pytest.approx([float(np.std(d.W)) for d in model.dense_layers])


def test_dead_fraction_of_relu_with_a_huge_negative_bias_is_one():
    X, y = _batch()
    model = nn.MLP([10, 8, 8, 3], "relu", rng=np.random.default_rng(2), bias_init=-100.0)
    snap = diagnostics.layer_stats(model, X, y)
    np.testing.assert_array_equal(snap.column("dead_fraction"), [1.0, 1.0])
    # ... and with zero bias, a few units at most
    model = nn.MLP([10, 8, 8, 3], "relu", rng=np.random.default_rng(2))
    assert np.all(diagnostics.layer_stats(model, X, y).column("dead_fraction") < 0.5)


def test_saturation_shows_a_wrongly_scaled_sigmoid_network():
    X, y = _batch()
    big = nn.MLP([10, 32, 32, 3], "sigmoid", rng=np.random.default_rng(3), init="normal", weight_scale=5.0)
    good = nn.MLP([10, 32, 32, 3], "sigmoid", rng=np.random.default_rng(3))
    s_big = diagnostics.layer_stats(big, X, y).column("saturated_fraction")
    s_good = diagnostics.layer_stats(good, X, y).column("saturated_fraction")
    assert np.all(s_big > 0.5) and np.all(s_good < 0.05)


def test_layer_stats_sees_inside_residual_blocks_and_changes_nothing():
    rng = np.random.default_rng(4)
    X, y = _batch()
    model = nn.Sequential(
        [
            nn.Dense(10, 8, rng=rng),
            nn.Residual([nn.ActivationLayer("relu"), nn.Dense(8, 8, rng=rng)], nn.BatchNorm(8)),
            nn.Residual([nn.ActivationLayer("silu"), nn.Dense(8, 8, rng=rng)], nn.BatchNorm(8)),
            nn.Dense(8, 3, rng=rng),
        ]
    )
    model.forward(X)
    model.backward(nn.softmax_cross_entropy(model.forward(X), y)[1])
    params = [p.copy() for p in model.params()]
    grads = [g.copy() for g in model.grads()]
    bn = model.layers[1].norm
    running = bn.running_mean.copy()
    snap = diagnostics.layer_stats(model, X, y)
    assert [row["name"] for row in snap.layers] == ["relu", "silu"]
    np.testing.assert_array_equal(bn.running_mean, running)
    for a, b in zip(model.params() + model.grads(), params + grads, strict=True):
        np.testing.assert_array_equal(a, b)
    assert "forward" not in vars(model.layers[1].inner.layers[0])  # the wrappers are removed


def test_recorder_tracks_epochs_dead_units_and_update_ratio():
    X, y = _batch(n=96)
    model = nn.MLP([10, 12, 12, 3], "relu", rng=np.random.default_rng(5))
    rec = diagnostics.Recorder(model, X[:32], y[:32])
    opt = nn.SGD(0.05, momentum=0.9)
    nn.train(model, X, y, optimizer=rec.wrap(opt), epochs=3, batch_size=16, rng=np.random.default_rng(0), callback=rec)
    assert rec.epochs == [0, 1, 2, 3]
    assert rec.dead.shape == (4, 2) and rec.series("grad_rms").shape == (4, 2)
    ratio = rec.update_ratio
    assert ratio.shape == (3 * 6, 3)  # 6 steps per epoch, 3 affine maps
    # the first SGD step moves W by lr·‖dW‖, so the ratio equals lr·‖dW‖/‖W‖ at that step
    model2 = nn.MLP([10, 12, 12, 3], "relu", rng=np.random.default_rng(5))
    order = np.random.default_rng(0).permutation(96)[:16]
    model2.backward(nn.softmax_cross_entropy(model2.forward(X[order]), y[order])[1])
    expected = [0.05 * np.linalg.norm(d.dW) / np.linalg.norm(d.W) for d in model2.dense_layers]
    np.testing.assert_allclose(ratio[0], expected, rtol=1e-10)


def test_plot_layer_histograms_and_errors():
    X, y = _batch()
    model = nn.MLP([10, 8, 8, 8, 3], "tanh", rng=np.random.default_rng(6))
    snap = diagnostics.layer_stats(model, X, y)
    for kind in ("pre", "post", "grad"):
        ax = diagnostics.plot_layer_histograms(snap, kind=kind, label=kind)
        assert len(ax.lines) == 3 and ax.get_xlabel() and ax.get_ylabel()
        plt.close(ax.figure)
    with pytest.raises(ValueError, match="plot_layer_histograms"):
        diagnostics.plot_layer_histograms(snap, kind="weights")
    with pytest.raises(ValueError, match="plot_layer_histograms"):
        diagnostics.plot_layer_histograms(snap, layers=[0])
    with pytest.raises(TypeError, match="layer_stats"):
        diagnostics.layer_stats("model", X, y)
    with pytest.raises(ValueError, match="Recorder"):
        diagnostics.Recorder(model, X, y, every=0)
