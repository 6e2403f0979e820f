"""activations.data: shapes, determinism, the geometry each toy set promises, validation."""

import numpy as np
import pytest

from activations import data


def test_digits_split_and_standardisation():
    X_train, X_test, y_train, y_test = data.digits(test_size=0.25, seed=0)
    assert X_train.shape[1] == X_test.shape[1] == 64
    assert len(X_train) + len(X_test) == 1797
    assert len(X_test) == pytest.approx(0.25 * 1797, abs=10)
    assert X_train.dtype == np.float64 and y_train.dtype == np.int64
    # standardised with train statistics: mean 0, std 1 (or all-zero blank pixels)
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-12)
    std = X_train.std(axis=0)
    assert np.all((np.abs(std - 1) < 1e-12) | (std == 0))
    assert np.any(std == 0)  # the blank border pixels exist and were not divided by 0
    # stratified: every class in both parts, in (nearly) the same proportions
    ctrain = np.bincount(y_train, minlength=10) / len(y_train)
    ctest = np.bincount(y_test, minlength=10) / len(y_test)
    np.testing.assert_allclose(ctrain, ctest, atol=0.01)


def test_digits_is_deterministic_and_seed_dependent():
    a = data.digits(seed=1)
    b = data.digits(seed=1)
    c = data.digits(seed=2)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])
    a[0][0, 0] = 1e9  # returned arrays are fresh copies
    assert data.digits(seed=1)[0][0, 0] != 1e9


def test_digits_rejects_bad_arguments():
    with pytest.raises(ValueError, match="digits"):
        data.digits(test_size=1.0)
    with pytest.raises(TypeError, match="digits"):
        data.digits(seed=0.5)


def test_xor_labels_follow_the_sign_rule_without_noise():
    X, y = data.xor(101, noise=0.0, rng=np.random.default_rng(0))
    assert X.shape == (101, 2) and y.shape == (101,)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    np.testing.assert_array_equal(np.abs(X), 1.0)
    assert abs(np.sum(y == 1) - np.sum(y == 0)) <= 1


def test_two_moons_points_lie_on_their_circles_without_noise():
    X, y = data.two_moons(200, noise=0.0, rng=np.random.default_rng(0))
    a, b = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(a[:, 0], a[:, 1]), 1.0)
    assert np.all(a[:, 1] >= 0)
    np.testing.assert_allclose(np.hypot(b[:, 0] - 1, b[:, 1] - 0.5), 1.0)
    assert np.all(b[:, 1] <= 0.5)
    assert len(a) == len(b) == 100


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_spirals_geometry_without_noise(classes):
    n = 150
    X, y = data.spirals(n, classes=classes, noise=0.0, turns=1.5, rng=np.random.default_rng(0))
    assert set(np.unique(y)) == set(range(classes))
    assert np.max(np.bincount(y)) - np.min(np.bincount(y)) <= 1
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all((r >= 0.05) & (r <= 1.0))
    # the angle is 2 pi (turns r + k / classes), modulo 2 pi
    theta = np.arctan2(X[:, 1], X[:, 0])
    expected = 2 * np.pi * (1.5 * r + y / classes)
    diff = np.angle(np.exp(1j * (theta - expected)))
    np.testing.assert_allclose(diff, 0.0, atol=1e-9)


@pytest.mark.parametrize("fn", [data.xor, data.two_moons, data.spirals])
def test_toy_sets_deterministic_noisy_and_validated(fn):
    X1, y1 = fn(60, noise=0.1, rng=np.random.default_rng(3))
    X2, y2 = fn(60, noise=0.1, rng=np.random.default_rng(3))
    X3, _ = fn(60, noise=0.1, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert X1.dtype == np.float64 and y1.dtype == np.int64
    name = fn.__name__
    with pytest.raises(ValueError, match=name):
        fn(60, noise=-0.1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=name):
        fn(0, noise=0.1, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match=name):
        fn(60, noise=0.1, rng=0)
    with pytest.raises(TypeError, match=name):
        fn(6.5, noise=0.1, rng=np.random.default_rng(0))


def test_spirals_rejects_bad_classes():
    with pytest.raises(ValueError, match="spirals"):
        data.spirals(10, classes=1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="spirals"):
        data.spirals(3, classes=4, rng=np.random.default_rng(0))
