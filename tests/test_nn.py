"""activations.nn: backprop against central differences, losses, optimisers, training."""

import time

import numpy as np
import pytest

import activations as act
from activations import data, nn, properties

# Where each piecewise activation's derivative jumps: finite differences across a
# kink measure the average of the two one-sided slopes, so inputs must stay away.
MARGIN = 1e-3  # a weight step of 1e-6 moves a pre-activation by ~1e-6 * |x| << MARGIN
TOL = 1e-6  # float64 central differences with h = 1e-6 give ~1e-8 relative error


def _kinks(activation):
    if activation.name == "softplus" and activation.params["threshold"] is not None:
        # PyTorch-style switch to x where beta x > threshold: a (small) jump there
        return [activation.params["threshold"] / activation.params["beta"]]
    return properties.kinks(activation.name, **activation.params)


def _checked_model(make, kinks, n_in=3, n_samples=6, n_out=3):
    """First seed whose pre-activations are all at least MARGIN from a kink."""
    for seed in range(50):
        rng = np.random.default_rng(seed)
        model = make(rng)
        X = rng.standard_normal((n_samples, n_in))
        y = rng.integers(0, n_out, size=n_samples)
        model.forward(X)
        if all(np.min(np.abs(z - k)) > MARGIN for z in model.pre for k in kinks):
            return model, X, y
    raise AssertionError(f"no seed keeps the pre-activations away from the kinks {kinks}")


ALL = [act.get(n) for n in act.names()] + [
    act.get("leaky_relu", negative_slope=0.2),
    act.get("elu", alpha=0.5),
    act.get("celu", alpha=2.0),
    act.get("swish", beta=2.0),
    act.get("softplus", beta=2.0),
    act.get("softplus", beta=1.0, threshold=1.0),
]


@pytest.mark.parametrize("activation", ALL, ids=repr)
def test_mlp_gradient_matches_central_differences(activation):
    make = lambda rng: nn.MLP([3, 5, 4, 3], activation, rng=rng, bias_init=0.1)
    model, X, y = _checked_model(make, _kinks(activation))
    errors = nn.gradient_check(model, X, y)
    assert len(errors) == len(model.params()) == 6
    assert max(errors) < TOL, errors
    # the gradient with respect to the input as well
    _, dout = nn.softmax_cross_entropy(model.forward(X), y)
    dX = model.backward(dout)
    num = nn.numerical_gradient(lambda: nn.softmax_cross_entropy(model.forward(X), y)[0], X)
    assert np.max(np.abs(dX - num)) < TOL * max(1.0, np.max(np.abs(num)))


def test_gradient_check_detects_a_wrong_backward():
    model, X, y = _checked_model(lambda rng: nn.MLP([3, 5, 4, 3], "tanh", rng=rng), [])
    layer = model.layers[1]
    layer.backward = lambda dout: dout  # forgets to multiply by tanh'(z)
    assert max(nn.gradient_check(model, X, y)) > 1e-2


@pytest.mark.parametrize("shared", [True, False])
def test_prelu_alpha_gradient(shared):
    def make(rng):
        factory = (lambda n: nn.PReLU(alpha=0.3)) if shared else (lambda n: nn.PReLU(n, alpha=0.1))
        return nn.MLP([3, 5, 4, 3], [factory, factory], rng=rng)

    model, X, y = _checked_model(make, [0.0])
    alphas = [layer.alpha for layer in model.hidden_layers]
    assert [a.shape for a in alphas] == ([(1,), (1,)] if shared else [(5,), (4,)])
    params = model.params()
    assert any(p is alphas[0] for p in params)
    errors = nn.gradient_check(model, X, y)
    assert max(errors) < TOL
    # the α gradient is not trivially zero: some pre-activations are negative
    model.backward(nn.softmax_cross_entropy(model.forward(X), y)[1])
    assert np.any(model.hidden_layers[0].dalpha != 0)


def test_learnable_prelu_is_trained():
    rng = np.random.default_rng(0)
    X, y = data.spirals(200, noise=0.05, rng=rng)
    model = nn.MLP([2, 16, 16, 2], "learnable_prelu", rng=rng)
    before = model.hidden_layers[0].alpha.copy()
    nn.train(model, X, y, optimizer=nn.Adam(1e-2), epochs=5, batch_size=32, rng=rng)
    assert not np.array_equal(before, model.hidden_layers[0].alpha)


def _maxout_margin(model):
    gaps = []
    for layer, z in zip(model.hidden_layers, model.pre):
        zz = np.sort(z.reshape(len(z), layer.n_out, layer.pieces), axis=-1)
        gaps.append(np.min(zz[..., -1] - zz[..., -2]))
    return min(gaps)


def test_maxout_gradient():
    for seed in range(50):
        rng = np.random.default_rng(seed)
        model = nn.MLP([3, 4, 4, 3], "maxout", rng=rng, pieces=3)
        X = rng.standard_normal((6, 3))
        y = rng.integers(0, 3, size=6)
        model.forward(X)
        if _maxout_margin(model) > MARGIN:  # no near-ties between pieces
            break
    else:
        raise AssertionError("no seed without near-ties")
    assert model.pre[0].shape == (6, 12) and model.post[0].shape == (6, 4)
    assert max(nn.gradient_check(model, X, y)) < TOL


def test_maxout_forward_is_max_over_consecutive_pieces_and_routes_to_winner():
    rng = np.random.default_rng(0)
    layer = nn.Maxout(2, 3, 2, rng=rng)
    X = rng.standard_normal((5, 2))
    out = layer.forward(X)
    z = X @ layer.dense.W + layer.dense.b
    np.testing.assert_array_equal(out, np.maximum(z[:, 0::2], z[:, 1::2]))
    layer.backward(np.ones_like(out))
    winners = (z[:, 0::2] >= z[:, 1::2]).astype(float)
    expected = np.empty_like(z)
    expected[:, 0::2], expected[:, 1::2] = winners, 1 - winners
    np.testing.assert_array_equal(layer.pre_activation_grad(None), expected)


@pytest.mark.parametrize(
    "loss, output, n_out, targets",
    [
        ("binary_cross_entropy", "linear", 1, lambda rng, n: rng.integers(0, 2, size=n)),
        ("mse", "tanh", 2, lambda rng, n: rng.uniform(-0.9, 0.9, size=(n, 2))),
        ("mse", "sigmoid", 1, lambda rng, n: rng.uniform(0.1, 0.9, size=n)),
    ],
)
def test_other_losses_and_output_activations(loss, output, n_out, targets):
    rng = np.random.default_rng(3)
    model = nn.MLP([3, 5, n_out], "gelu", rng=rng, output=output)
    X = rng.standard_normal((7, 3))
    y = targets(rng, 7)
    assert len(model.hidden_layers) == 1  # the output activation is not a hidden layer
    assert max(nn.gradient_check(model, X, y, loss=loss)) < TOL


@pytest.mark.parametrize(
    "fn, z, y",
    [
        (nn.softmax_cross_entropy, np.array([[0.3, -1.2, 2.0], [1.0, 1.0, -0.5]]), np.array([2, 0])),
        (nn.sigmoid_binary_cross_entropy, np.array([0.3, -2.0, 4.0]), np.array([1, 0, 0])),
        (nn.mse, np.array([[0.3, -2.0], [1.5, 0.0]]), np.array([[0.0, 1.0], [1.0, -1.0]])),
    ],
)
def test_loss_gradients(fn, z, y):
    z = z.astype(np.float64)
    loss, d = fn(z, y)
    num = nn.numerical_gradient(lambda: fn(z, y)[0], z)
    np.testing.assert_allclose(d, num, rtol=1e-6, atol=1e-9)
    assert loss > 0


def test_softmax_cross_entropy_values_and_stability():
    # uniform logits: loss = log(k)
    loss, _ = nn.softmax_cross_entropy(np.zeros((4, 5)), np.array([0, 1, 2, 4]))
    assert loss == pytest.approx(np.log(5), rel=1e-15)
    # huge logits: log-sum-exp of (1000, 0) is 1000 + log1p(e^-1000) = 1000
    loss, d = nn.softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]))
    assert loss == 1000.0
    np.testing.assert_array_equal(d, [[1.0, -1.0]])
    with pytest.raises(ValueError, match="softmax_cross_entropy"):
        nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))


def test_binary_cross_entropy_stable_for_huge_logits():
    loss, d = nn.sigmoid_binary_cross_entropy(np.array([800.0, -800.0]), np.array([0, 1]))
    assert loss == pytest.approx(800.0)  # each sample costs 800: mean is 800
    np.testing.assert_array_equal(d, [0.5, -0.5])
    loss, _ = nn.sigmoid_binary_cross_entropy(np.array([800.0, -800.0]), np.array([1, 0]))
    assert loss == 0.0


def test_sgd_and_momentum_updates():
    p = np.array([1.0, -2.0])
    g = np.array([0.5, 0.25])
    nn.SGD(lr=0.1).step([p], [g])
    np.testing.assert_allclose(p, [0.95, -2.025])
    p = np.zeros(1)
    opt = nn.SGD(lr=1.0, momentum=0.5)
    opt.step([p], [np.ones(1)])  # v = -1
    opt.step([p], [np.ones(1)])  # v = -0.5 - 1 = -1.5
    np.testing.assert_allclose(p, [-2.5])


def test_adam_first_step_is_lr_times_sign_and_it_minimises_a_quadratic():
    p = np.array([3.0, -4.0, 0.5])
    nn.Adam(lr=0.01).step([p], [np.array([10.0, -1e-3, 2.0])])
    np.testing.assert_allclose(p, [2.99, -3.99, 0.49], rtol=1e-6)
    target = np.array([1.0, -2.0])
    w = np.zeros(2)
    opt = nn.Adam(lr=0.05)
    for _ in range(500):
        opt.step([w], [2 * (w - target)])
    np.testing.assert_allclose(w, target, atol=1e-3)


@pytest.mark.parametrize(
    "fn, std",
    [
        (nn.he_normal, np.sqrt(2 / 400)),
        (nn.he_uniform, np.sqrt(2 / 400)),
        (nn.xavier_normal, np.sqrt(2 / 700)),
        (nn.xavier_uniform, np.sqrt(2 / 700)),
        (nn.lecun_normal, np.sqrt(1 / 400)),
    ],
)
def test_initialiser_standard_deviations(fn, std):
    W = fn((400, 300), np.random.default_rng(0))
    assert W.shape == (400, 300)
    assert abs(W.mean()) < 0.02 * std  # standard error of the mean: std / sqrt(120000)
    assert W.std() == pytest.approx(std, rel=0.01)


def test_xavier_uniform_bound():
    W = nn.xavier_uniform((30, 20), np.random.default_rng(0))
    assert np.max(np.abs(W)) <= np.sqrt(6 / 50)


def test_auto_init_relu_is_he_and_maxout_lecun():
    model = nn.MLP([5, 7, 3], "relu", rng=np.random.default_rng(1))
    np.testing.assert_array_equal(model.layers[0].W, nn.he_normal((5, 7), np.random.default_rng(1)))
    assert nn.auto_init("maxout") == "lecun" and nn.auto_init("no_such_name") == "xavier"


@pytest.mark.parametrize("activation", ["gelu", "selu", "tanh", "sigmoid", "silu"])
def test_auto_init_uses_the_derived_variance(activation):
    from activations import gains

    init = nn.auto_init(activation)
    assert isinstance(init, gains.DerivedInit)
    model = nn.MLP([400, 300, 3], activation, rng=np.random.default_rng(1))
    W = model.layers[0].W
    # 120,000 draws: the sample variance is within 2 % of sigma_w^2 / fan_in.
    assert abs(W.var() * 400 / gains.weight_variance(activation) - 1) < 0.02
    np.testing.assert_array_equal(W, init((400, 300), np.random.default_rng(1)))


def test_forward_caches_and_does_not_modify_input():
    rng = np.random.default_rng(0)
    model = nn.MLP([4, 6, 5, 2], ["tanh", act.get("elu", alpha=0.5)], rng=rng, bias_init=0.2)
    X = rng.standard_normal((3, 4))
    X0 = X.copy()
    out = model.forward(X)
    np.testing.assert_array_equal(X, X0)
    assert out.shape == (3, 2) and len(model.pre) == len(model.post) == 2
    d1, d2 = model.dense_layers[:2]
    np.testing.assert_allclose(model.pre[0], X @ d1.W + d1.b)
    np.testing.assert_array_equal(model.post[0], act.tanh(model.pre[0]))
    np.testing.assert_allclose(model.post[1], act.elu(model.post[0] @ d2.W + d2.b, alpha=0.5))
    assert np.all(d1.b == 0.2)
    assert model.n_params == 4 * 6 + 6 + 6 * 5 + 5 + 5 * 2 + 2
    assert model.activations == ["tanh", "elu"]


def test_validation_errors_name_the_function():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="MLP"):
        nn.MLP([2, 3, 1], rng=0)
    with pytest.raises(ValueError, match="MLP"):
        nn.MLP([2], rng=rng)
    with pytest.raises(ValueError, match="MLP"):
        nn.MLP([2, 3, 3, 1], ["relu"], rng=rng)
    with pytest.raises(KeyError):
        nn.MLP([2, 3, 1], "not_an_activation", rng=rng)
    with pytest.raises(ValueError, match="initialise"):
        nn.Dense(2, 3, rng=rng, init="bogus")
    model = nn.MLP([2, 3, 2], rng=rng)
    with pytest.raises(ValueError, match="forward"):
        model.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="train"):
        nn.train(
            model, np.zeros((4, 2)), [0, 1, 0, 1], loss="hinge", optimizer=nn.SGD(0.1), epochs=1, batch_size=2, rng=rng
        )
    with pytest.raises(ValueError, match="SGD"):
        nn.SGD(lr=-1.0)


def test_train_is_deterministic_and_records_history():
    X, y = data.xor(120, noise=0.2, rng=np.random.default_rng(5))
    X0, y0 = X.copy(), y.copy()

    def run():
        rng = np.random.default_rng(7)
        model = nn.MLP([2, 8, 2], "tanh", rng=rng)
        h = nn.train(
            model,
            X,
            y,
            optimizer=nn.SGD(0.1, momentum=0.9),
            epochs=4,
            batch_size=16,
            rng=rng,
            X_val=X[:20],
            y_val=y[:20],
            record_grad_norms=True,
        )
        return model, h

    (m1, h1), (m2, h2) = run(), run()
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    assert h1.loss == h2.loss and h1.val_acc == h2.val_acc
    for p, q in zip(m1.params(), m2.params()):
        np.testing.assert_array_equal(p, q)
    assert len(h1.loss) == len(h1.train_acc) == len(h1.val_acc) == len(h1.val_loss) == 4
    assert h1.grad_norms.shape == (4, 2) and np.all(h1.grad_norms > 0)
    assert h1["train_acc"][-1] == nn.accuracy(m1, X, y)


def test_train_callback_sees_every_epoch():
    X, y = data.xor(40, noise=0.2, rng=np.random.default_rng(0))
    rng = np.random.default_rng(1)
    model = nn.MLP([2, 4, 2], "relu", rng=rng)
    seen = []
    nn.train(
        model,
        X,
        y,
        optimizer=nn.SGD(0.1),
        epochs=3,
        batch_size=8,
        rng=rng,
        callback=lambda epoch, m, h: seen.append((epoch, m is model, len(h.loss))),
    )
    assert seen == [(1, True, 1), (2, True, 2), (3, True, 3)]
    with pytest.raises(TypeError, match="train"):
        nn.train(model, X, y, optimizer=nn.SGD(0.1), epochs=1, batch_size=8, rng=rng, callback=3)


def test_relu_mlp_reaches_95_percent_on_digits():
    X_train, X_test, y_train, y_test = data.digits()
    rng = np.random.default_rng(0)
    model = nn.MLP([64, 64, 64, 10], "relu", rng=rng)
    start = time.perf_counter()
    history = nn.train(model, X_train, y_train, optimizer=nn.Adam(lr=3e-3), epochs=20, batch_size=32, rng=rng)
    seconds = time.perf_counter() - start
    acc = nn.accuracy(model, X_test, y_test)
    print(f"digits: test accuracy {acc:.4f} after {seconds:.2f} s of training")
    assert history.loss[-1] < history.loss[0]
    assert acc >= 0.95


class _Cube(nn.Layer):
    """A custom elementwise layer f(z) = z^3, to check that MLP accepts layer factories."""

    name = "cube"

    def forward(self, X):
        self._z = X
        return X**3

    def backward(self, dout):
        return dout * 3 * self._z**2


def test_custom_layer_factory_is_a_hidden_layer_and_backpropagates():
    model, X, y = _checked_model(lambda rng: nn.MLP([3, 5, 4, 3], lambda width: _Cube(), rng=rng), [])
    assert model.activations == ["cube", "cube"]
    model.forward(X)
    np.testing.assert_array_equal(model.post[1], model.pre[1] ** 3)
    assert max(nn.gradient_check(model, X, y)) < TOL
    with pytest.raises(TypeError, match="MLP"):
        nn.MLP([3, 5, 3], lambda width: "not a layer", rng=np.random.default_rng(0))


def test_train_multilabel_with_binary_cross_entropy_reports_label_accuracy():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((120, 4))
    Y = np.stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0], axis=1).astype(float)  # two independent labels
    model = nn.MLP([4, 16, 2], "relu", rng=np.random.default_rng(4))
    hist = nn.train(
        model,
        X,
        Y,
        loss="binary_cross_entropy",
        optimizer=nn.Adam(0.02),
        epochs=30,
        batch_size=32,
        rng=np.random.default_rng(5),
    )
    assert hist.train_acc[-1] > 0.9 and hist.train_acc[-1] > hist.train_acc[0]
    with pytest.raises(ValueError, match="accuracy"):
        nn.accuracy(model, X, Y[:, :1].repeat(3, axis=1))
