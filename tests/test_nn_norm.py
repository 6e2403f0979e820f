"""Normalisation layers, residual blocks and alpha-dropout (activations.nn.normalization)."""

import numpy as np
import pytest

from activations import nn


def _data(n=16, d=6, k=3, seed=0, shift=0.0, scale=1.0):
    rng = np.random.default_rng(seed)
    X = shift + scale * rng.standard_normal((n, d))
    y = rng.integers(0, k, size=n)
    return X, y


def _net(norm_factory, act="tanh", seed=1, d=6, h=5, k=3):
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        [nn.Dense(d, h, rng=rng, init="xavier"), norm_factory(h), nn.ActivationLayer(act), nn.Dense(h, k, rng=rng)]
    )


def _randomise_affine(model, seed=7):
    """γ, β away from 1, 0 so that their gradients and the chain through them are exercised."""
    rng = np.random.default_rng(seed)
    for layer in nn.walk(model):
        if isinstance(layer, (nn.BatchNorm, nn.LayerNorm, nn.RMSNorm)):
            for p in layer.params():
                p += 0.3 * rng.standard_normal(p.shape)


@pytest.mark.parametrize(
    "factory",
    [lambda n: nn.BatchNorm(n), lambda n: nn.LayerNorm(n), lambda n: nn.RMSNorm(n)],
    ids=["batchnorm", "layernorm", "rmsnorm"],
)
@pytest.mark.parametrize("training", [True, False])
def test_norm_layers_pass_the_gradient_check(factory, training):
    X, y = _data(shift=0.5, scale=2.0)
    model = _net(factory)
    _randomise_affine(model)
    if training is False:
        model.forward(X)  # move the running statistics away from (0, 1) first
    nn.set_training(model, training)
    errors = nn.gradient_check(model, X, y)
    if training and isinstance(model.layers[1], nn.BatchNorm):
        # a bias before BatchNorm is subtracted again with the batch mean: its gradient is 0
        # (both sides are then rounding noise, so the relative error means nothing)
        assert np.max(np.abs(model.layers[0].db)) < 1e-12
        del errors[1]
    assert max(errors) < 1e-6, errors


def test_gradient_check_catches_batchnorm_without_the_batch_terms():
    """A BatchNorm whose backward ignores that μ and v depend on X must fail the check."""

    class Wrong(nn.BatchNorm):
        def backward(self, dout):
            super().backward(dout)
            return dout * self.gamma * self._cache[1]

    X, y = _data(shift=0.5, scale=2.0)
    model = _net(lambda n: Wrong(n))
    assert max(nn.gradient_check(model, X, y)) > 1e-3


def test_batchnorm_train_mode_gives_mean_0_variance_1_per_feature():
    X, _ = _data(n=50, d=4, shift=3.0, scale=5.0)
    bn = nn.BatchNorm(4, eps=1e-12)
    out = bn.forward(X)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1.0, rtol=1e-10)
    # γ and β then set the mean and the standard deviation
    bn.gamma[:] = [1.0, 2.0, 3.0, 4.0]
    bn.beta[:] = [-1.0, 0.0, 1.0, 2.0]
    out = bn.forward(X)
    np.testing.assert_allclose(out.mean(axis=0), bn.beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), bn.gamma, rtol=1e-10)


def test_batchnorm_running_statistics_and_eval_mode():
    rng = np.random.default_rng(3)
    bn = nn.BatchNorm(3, momentum=0.25)
    m, r = np.zeros(3), np.ones(3)
    for _ in range(5):
        X = rng.normal(2.0, 3.0, size=(20, 3))
        bn.forward(X)
        m = 0.75 * m + 0.25 * X.mean(axis=0)
        r = 0.75 * r + 0.25 * X.var(axis=0, ddof=1)
    np.testing.assert_allclose(bn.running_mean, m, rtol=1e-13)
    np.testing.assert_allclose(bn.running_var, r, rtol=1e-13)
    nn.set_training(bn, False)
    X = rng.normal(size=(7, 3))
    before = (bn.running_mean.copy(), bn.running_var.copy())
    out = bn.forward(X)
    np.testing.assert_allclose(out, (X - m) / np.sqrt(r + bn.eps), rtol=1e-12)
    # eval mode does not move the statistics, and one row is fine
    np.testing.assert_array_equal(bn.running_mean, before[0])
    np.testing.assert_allclose(bn.forward(X[:1]), out[:1], rtol=1e-14)


def test_train_uses_train_mode_for_steps_and_eval_mode_after():
    X, y = _data(n=40, d=6)
    model = _net(lambda n: nn.BatchNorm(n))
    bn = model.layers[1]
    seen = []
    nn.train(
        model,
        X,
        y,
        optimizer=nn.SGD(0.05),
        epochs=2,
        batch_size=8,
        rng=np.random.default_rng(0),
        callback=lambda e, m, h: seen.append(bn.training),
    )
    assert seen == [False, False] and bn.training is False
    assert not np.allclose(bn.running_mean, 0.0)
    # evaluation after training is a fixed map: a sample's output does not depend on the batch
    np.testing.assert_allclose(model.forward(X)[:3], model.forward(X[:3]), rtol=1e-12)


def test_layernorm_normalises_each_sample():
    X, _ = _data(n=5, d=8, shift=-2.0, scale=4.0)
    out = nn.LayerNorm(8, eps=1e-12).forward(X)
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=1), 1.0, rtol=1e-10)
    # per sample: a row's output does not depend on the rest of the batch
    np.testing.assert_allclose(nn.LayerNorm(8).forward(X[2:3]), nn.LayerNorm(8).forward(X)[2:3], rtol=1e-14)


@pytest.mark.parametrize("c", [-3.0, 0.5, 1e-3])
def test_rmsnorm_of_a_constant_vector(c):
    layer = nn.RMSNorm(4, eps=1e-8)
    layer.gamma[:] = [1.0, 2.0, -1.0, 0.5]
    out = layer.forward(np.full((1, 4), c))
    np.testing.assert_allclose(out[0], layer.gamma * c / np.sqrt(c * c + 1e-8), rtol=1e-14)
    # and the root mean square of γ = 1 outputs is 1 (up to ε)
    X, _ = _data(n=3, d=4, scale=10.0)
    np.testing.assert_allclose(np.sqrt(np.mean(nn.RMSNorm(4).forward(X) ** 2, axis=1)), 1.0, rtol=1e-9)


class _Zero(nn.Layer):
    nonlinear = False

    def forward(self, X):
        return np.zeros_like(X)

    def backward(self, dout):
        return np.zeros_like(dout)


def test_residual_with_zero_inner_is_the_identity_or_the_norm():
    X, _ = _data(n=6, d=4, shift=1.0, scale=3.0)
    block = nn.Residual(_Zero())
    np.testing.assert_array_equal(block.forward(X), X)
    np.testing.assert_array_equal(block.backward(np.ones_like(X)), np.ones_like(X))
    pre = nn.Residual(_Zero(), nn.LayerNorm(4), pre_norm=True)
    np.testing.assert_array_equal(pre.forward(X), X)
    post = nn.Residual(_Zero(), nn.LayerNorm(4), pre_norm=False)
    np.testing.assert_allclose(post.forward(X), nn.LayerNorm(4).forward(X), rtol=1e-14)


@pytest.mark.parametrize("norm", [None, "batch", "layer", "rms"])
@pytest.mark.parametrize("pre_norm", [True, False])
def test_residual_blocks_pass_the_gradient_check(norm, pre_norm):
    if norm is None and not pre_norm:
        pytest.skip("pre/post is the same block without a norm")
    rng = np.random.default_rng(4)
    make = {None: lambda: None, "batch": lambda: nn.BatchNorm(5), "layer": lambda: nn.LayerNorm(5)}
    make["rms"] = lambda: nn.RMSNorm(5)
    blocks = [
        nn.Residual(
            [nn.ActivationLayer("silu"), nn.Dense(5, 5, rng=rng, init="xavier")], make[norm](), pre_norm=pre_norm
        ),
        nn.Residual([nn.Dense(5, 5, rng=rng), nn.ActivationLayer("tanh")], make[norm](), pre_norm=pre_norm, scale=0.7),
    ]
    model = nn.Sequential([nn.Dense(6, 5, rng=rng), *blocks, nn.Dense(5, 3, rng=rng)])
    _randomise_affine(model)
    X, y = _data(scale=1.5)
    errors = nn.gradient_check(model, X, y)
    if norm == "batch" and not pre_norm:
        # the first block's Dense feeds BatchNorm directly: its bias has gradient 0 (see above)
        assert np.max(np.abs(blocks[0].inner.layers[1].db)) < 1e-12
        del errors[5]
    assert max(errors) < 1e-6, errors
    # the residual parameters are the model's, and its Dense maps are found for Sequential.dtype
    assert len(model.dense_layers) == 4
    n_norm = 0 if norm is None else (1 if norm == "rms" else 2) * 2
    assert len(model.params()) == 8 + n_norm


def test_alpha_dropout_keeps_mean_and_variance_of_selu_outputs():
    rng = np.random.default_rng(5)
    # SELU's fixed point: outputs with mean 0 and variance 1 for standard-normal inputs
    from activations import selu

    X = selu(rng.standard_normal((200_000, 5)))
    for rate in (0.05, 0.2, 0.5):
        out = nn.AlphaDropout(rate, rng=np.random.default_rng(6)).forward(X)
        # 1e6 samples: the standard error of the mean is ~1e-3 (variance ~2e-3)
        assert abs(out.mean() - X.mean()) < 6e-3, rate
        assert abs(out.var() - X.var()) < 1.2e-2, rate
        # an ordinary (inverted) dropout at the same rate changes the variance
        keep = np.random.default_rng(6).random(X.shape) >= rate
        assert (X * keep / (1 - rate)).var() > X.var() * (1 + rate / 2)


def test_alpha_dropout_eval_mode_is_identity_and_backward_uses_the_mask():
    X, _ = _data(n=50, d=4)
    layer = nn.AlphaDropout(0.3, rng=np.random.default_rng(0))
    out = layer.forward(X)
    dropped = ~layer._mask
    assert 0 < dropped.mean() < 0.6
    np.testing.assert_allclose(out[dropped], layer.a * (-1.0507009873554805 * 1.6732632423543772) + layer.b)
    g = layer.backward(np.ones_like(X))
    np.testing.assert_array_equal(g[dropped], 0.0)
    np.testing.assert_allclose(g[~dropped], layer.a)
    nn.set_training(layer, False)
    np.testing.assert_array_equal(layer.forward(X), X)


def test_alpha_dropout_gradient_check_with_a_fixed_mask():
    class Fixed(nn.AlphaDropout):
        def forward(self, X):
            self.rng = np.random.default_rng(9)  # the same mask at every call
            return super().forward(X)

    X, y = _data()
    model = _net(lambda n: Fixed(0.3, rng=np.random.default_rng(0)), act="selu")
    assert max(nn.gradient_check(model, X, y)) < 1e-6


@pytest.mark.parametrize(
    "factory",
    [lambda n, d: nn.BatchNorm(n, dtype=d), lambda n, d: nn.LayerNorm(n, dtype=d), lambda n, d: nn.RMSNorm(n, dtype=d)],
)
def test_float32_is_kept_and_matches_float64(factory):
    X, y = _data(n=12)
    out = {}
    for dt in ("float64", "float32"):
        rng = np.random.default_rng(2)
        model = nn.Sequential(
            [
                nn.Dense(6, 5, rng=rng, dtype=dt),
                factory(5, dt),
                nn.ActivationLayer("relu"),
                nn.Residual([nn.Dense(5, 5, rng=rng, dtype=dt), nn.ActivationLayer("tanh")], factory(5, dt)),
                nn.Dense(5, 3, rng=rng, dtype=dt),
            ]
        )
        o = model.forward(X)
        model.backward(nn.softmax_cross_entropy(o, y)[1])
        assert o.dtype == np.dtype(dt) and all(g.dtype == np.dtype(dt) for g in model.grads())
        out[dt] = (o, model.grads())
    np.testing.assert_allclose(out["float32"][0], out["float64"][0], rtol=1e-4, atol=1e-5)
    for g32, g64 in zip(out["float32"][1], out["float64"][1], strict=True):
        assert np.max(np.abs(g32 - g64)) <= 1e-4 * max(1.0, np.max(np.abs(g64)))


def test_inputs_are_not_modified_and_bad_arguments_name_the_function():
    X, _ = _data()
    X0 = X.copy()
    for layer in (nn.BatchNorm(6), nn.LayerNorm(6), nn.RMSNorm(6), nn.AlphaDropout(0.2, rng=np.random.default_rng(0))):
        layer.backward(np.ones_like(layer.forward(X)))
        np.testing.assert_array_equal(X, X0)
    with pytest.raises(ValueError, match="BatchNorm"):
        nn.BatchNorm(3, momentum=1.5)
    with pytest.raises(ValueError, match="BatchNorm"):
        nn.BatchNorm(6).forward(X[:1])
    with pytest.raises(ValueError, match="LayerNorm"):
        nn.LayerNorm(4).forward(X)
    with pytest.raises(ValueError, match="RMSNorm"):
        nn.RMSNorm(6, eps=0)
    with pytest.raises(ValueError, match="AlphaDropout"):
        nn.AlphaDropout(1.0, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="AlphaDropout"):
        nn.AlphaDropout(0.1, rng=0)
    with pytest.raises(TypeError, match="Residual"):
        nn.Residual("relu")
    with pytest.raises(ValueError, match="Residual"):
        nn.Residual(_Zero(), scale=float("nan"))


def test_protocol_normalised_and_residual_specs():
    from activations import protocol

    sizes = [12, 8, 8, 8, 3]
    rng = np.random.default_rng(0)
    bn = protocol.build_model("tanh+bn", sizes, rng=rng)
    assert [type(layer).__name__ for layer in bn.layers[:3]] == ["Dense", "BatchNorm", "ActivationLayer"]
    assert sum(isinstance(layer, nn.BatchNorm) for layer in bn.layers) == 3
    res = protocol.build_model("relu+bn+res", sizes, rng=rng)
    blocks = [layer for layer in res.layers if isinstance(layer, nn.Residual)]
    assert len(blocks) == 3 and all(isinstance(b.norm, nn.BatchNorm) and b.pre_norm for b in blocks)
    assert blocks[0].scale == pytest.approx(1 / np.sqrt(3))
    # the branch weights have the derived variance of the activation (ReLU: 2 / fan_in)
    W = protocol.build_model("relu+res", [4, 400, 400, 2], rng=np.random.default_rng(1)).layers[1].inner.layers[1].W
    assert W.var() * 400 == pytest.approx(2.0, rel=0.02)
    X, y = _data(n=16, d=12)
    assert max(nn.gradient_check(protocol.build_model("silu+res", sizes, rng=rng), X, y)) < 1e-6
    for bad in ("relu+ln", "relu+bn+bn", "relu+"):
        with pytest.raises(ValueError, match="build_model"):
            protocol.build_model(bad, sizes, rng=rng)
    with pytest.raises(ValueError, match="build_model"):
        protocol.build_model("relu+res", [4, 8, 6, 2], rng=rng)
