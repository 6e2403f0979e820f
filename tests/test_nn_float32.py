"""activations.nn in float32 (``dtype=`` on MLP / Dense) and the training fast path."""

import numpy as np
import pytest

from activations import data, nn


def _pair(sizes=(6, 8, 8, 3), activation="relu", seed=0):
    """The same network (same random draws) in float64 and in float32."""
    m64 = nn.MLP(list(sizes), activation, rng=np.random.default_rng(seed))
    m32 = nn.MLP(list(sizes), activation, rng=np.random.default_rng(seed), dtype="float32")
    return m64, m32


def test_float32_weights_are_the_float64_draws_rounded():
    m64, m32 = _pair()
    assert m64.dtype is np.float64 and m32.dtype is np.float32
    for p64, p32 in zip(m64.params(), m32.params(), strict=True):
        assert p32.dtype == np.float32
        np.testing.assert_array_equal(p32, p64.astype(np.float32))


@pytest.mark.parametrize("opt", [lambda: nn.SGD(0.1, momentum=0.9), lambda: nn.Adam(1e-2)])
def test_dtype_is_kept_through_forward_backward_and_optimiser(opt):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((10, 6))  # float64 input: converted to the model's dtype
    y = rng.integers(0, 3, size=10)
    _, m32 = _pair(activation="tanh")
    out = m32.forward(X)
    assert out.dtype == np.float32
    assert all(a.dtype == np.float32 for a in m32.pre + m32.post)
    _, dout = nn.softmax_cross_entropy(out, y)
    dX = m32.backward(dout)
    assert dX.dtype == np.float32
    assert all(d.dtype == np.float32 for d in m32.delta)
    assert all(g.dtype == np.float32 for g in m32.grads())
    optimizer = opt()
    for _ in range(3):
        optimizer.step(m32.params(), m32.grads())
    assert all(p.dtype == np.float32 for p in m32.params())
    nn.train(m32, X, y, optimizer=optimizer, epochs=2, batch_size=4, rng=rng)
    assert all(p.dtype == np.float32 for p in m32.params())


def test_float32_gradients_match_float64_backprop_to_float32_precision():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((12, 6))
    y = rng.integers(0, 3, size=12)
    m64, m32 = _pair(activation="gelu")
    for m in (m64, m32):
        m.backward(nn.softmax_cross_entropy(m.forward(X), y)[1])
    for g64, g32 in zip(m64.grads(), m32.grads(), strict=True):
        scale = np.max(np.abs(g64))
        assert np.max(np.abs(g32 - g64)) <= 1e-5 * scale
    # ... and float64 backprop itself is still exact against central differences.
    assert max(nn.gradient_check(m64, X, y)) < 1e-6


def test_input_grad_false_skips_only_dX():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((9, 6))
    y = rng.integers(0, 3, size=9)
    a, _ = _pair()
    b, _ = _pair()
    dout = nn.softmax_cross_entropy(a.forward(X), y)[1]
    b.forward(X)
    assert a.backward(dout) is not None
    assert b.backward(dout, input_grad=False) is None
    for ga, gb in zip(a.grads(), b.grads(), strict=True):
        np.testing.assert_array_equal(ga, gb)
    for da, db in zip(a.delta, b.delta, strict=True):
        np.testing.assert_array_equal(da, db)


def test_float32_training_reaches_float64_accuracy_on_digits():
    X_train, X_test, y_train, y_test = data.digits()
    acc = {}
    for dtype in ("float64", "float32"):
        rng = np.random.default_rng(0)
        model = nn.MLP([64, 64, 64, 10], "relu", rng=rng, dtype=dtype)
        nn.train(model, X_train, y_train, optimizer=nn.Adam(lr=3e-3), epochs=20, batch_size=32, rng=rng)
        acc[dtype] = nn.accuracy(model, X_test, y_test)
    print(f"digits test accuracy: {acc}")
    assert acc["float32"] >= 0.95
    # 450 test images: 1% is 4-5 images, the noise of rounding differences along 20 epochs.
    assert abs(acc["float32"] - acc["float64"]) <= 0.01


@pytest.mark.parametrize("bad", ["float16", "int64", object, "nonsense"])
def test_bad_dtype_is_a_value_error_naming_the_function(bad):
    with pytest.raises(ValueError, match=r"MLP\(\): dtype"):
        nn.MLP([2, 3, 2], rng=np.random.default_rng(0), dtype=bad)
    with pytest.raises(ValueError, match=r"Dense\(\): dtype"):
        nn.Dense(2, 3, rng=np.random.default_rng(0), dtype=bad)


def test_float32_refuses_layers_that_keep_float64_parameters():
    for spec in ("maxout", "glu", "learnable_prelu", lambda n: nn.PReLU()):
        with pytest.raises(ValueError, match=r"MLP\(\): dtype=float32"):
            nn.MLP([2, 4, 2], spec, rng=np.random.default_rng(0), dtype="float32")
