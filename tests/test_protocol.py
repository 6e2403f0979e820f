"""activations.protocol: the statistics and verdicts, on constructed cases; MNIST splits."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from activations import data
from activations import protocol as P


def test_t_interval_matches_scipy():
    rng = np.random.default_rng(0)
    a = rng.normal(0.95, 0.01, size=10)
    b = a - rng.normal(0.004, 0.003, size=10)
    r = P.paired_difference(a, b)
    d = a - b
    lo, hi = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    assert r.ci_low == pytest.approx(lo, rel=1e-12) and r.ci_high == pytest.approx(hi, rel=1e-12)
    assert r.p_value == pytest.approx(stats.ttest_rel(a, b).pvalue, rel=1e-10)
    assert r.boot_low < d.mean() < r.boot_high
    assert r.n == 10 and r.sd == pytest.approx(d.std(ddof=1))


def test_mde_formula_and_power():
    # (t_{0.975,9} + t_{0.8,9}) = 2.262 + 0.883 = 3.145
    assert P.mde(1.0, 10) == pytest.approx((stats.t.ppf(0.975, 9) + stats.t.ppf(0.8, 9)) / math.sqrt(10))
    assert P.mde(1.0, 10) == pytest.approx(0.9946, abs=1e-3)
    assert P.mde(0.0, 10) == 0.0
    assert P.mde(1.0, 40) < P.mde(1.0, 10)
    # Simulated power at a true effect equal to the MDE is close to 0.8.
    rng = np.random.default_rng(1)
    n, sd = 10, 1.0
    effect = P.mde(sd, n)
    d = rng.normal(effect, sd, size=(20000, n))
    p = stats.ttest_1samp(d, 0.0, axis=1).pvalue
    assert 0.75 < np.mean(p < 0.05) < 0.85


def _paired(lo, hi, mde=0.01):
    return P.Paired((lo + hi) / 2, 0.01, 10, lo, hi, lo, hi, mde, 0.5)


def test_verdict_logic():
    assert P.verdict(_paired(0.002, 0.010)) == P.SUPPORTED
    assert P.verdict(_paired(-0.010, -0.002)) == P.CONTRADICTED
    assert P.verdict(_paired(-0.010, -0.002), direction=-1) == P.SUPPORTED
    v = P.verdict(_paired(-0.004, 0.006, mde=0.0123))
    assert v.startswith(P.NOT_DETECTABLE) and "0.012" in v
    # A claimed gain of at least 0.02 is excluded by an interval that ends at 0.01.
    assert P.verdict(_paired(-0.004, 0.010), margin=0.02) == P.CONTRADICTED
    assert P.verdict(testable=False, reason="no residual networks") == "not testable here: no residual networks"
    for v in (P.SUPPORTED, P.CONTRADICTED, P.NOT_TESTABLE):
        assert v in P.VERDICTS


def test_verdict_and_stats_errors_name_the_function():
    with pytest.raises(TypeError, match="verdict"):
        P.verdict((0.0, 1.0))
    with pytest.raises(ValueError, match="verdict"):
        P.verdict(_paired(0, 1), direction=2)
    with pytest.raises(ValueError, match="paired_difference"):
        P.paired_difference([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="mde"):
        P.mde(1.0, 1)


def test_inputs_not_modified():
    a = np.array([0.9, 0.91, 0.92])
    b = np.array([0.89, 0.9, 0.93])
    a0, b0 = a.copy(), b.copy()
    P.paired_difference(a, b)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


def test_mnist_splits_fixed_and_stratified():
    X_tr, X_val, X_te, y_tr, y_val, y_te = data.mnist()
    assert X_tr.shape == (3000, 784) and X_val.shape == (1000, 784) and X_te.shape == (1000, 784)
    for y in (y_tr, y_val, y_te):
        assert np.all(np.bincount(y) == len(y) // 10)
    assert abs(np.mean(X_tr**2) - 1) < 1e-12
    again = data.mnist()
    np.testing.assert_array_equal(again[2], X_te)
    small = data.mnist(pool=2)
    assert small[0].shape == (3000, 196)
    with pytest.raises(ValueError, match="mnist"):
        data.mnist(n_val=15)
    with pytest.raises(TypeError, match="mnist"):
        data.mnist(seed=1.5)


def test_training_run_is_paired_and_deterministic():
    cfg = P.Config(epochs=1, hidden=(16,), seeds=(0,), tune_seeds=(5,))
    r1 = P.train_run("relu", 0.03, 0, cfg)
    r2 = P.train_run("relu", 0.03, 0, cfg)
    assert r1 == {**r2, "seconds": r1["seconds"]}
    assert 0.5 < r1["acc"] <= 1.0 and r1["n"] == 1000


def test_register_mde_figures_match_the_stored_results():
    """The MDEs typed into appendix/claims/*.yml are those of experiments/results (rounded to 3 decimals)."""
    from pathlib import Path

    import yaml

    res = P.load_results("hidden_mnist")
    acc = {s: P.accuracies(res, s) for s in res["runs"]}

    def mde(a, b):
        return f"{P.paired_difference(acc[a], acc[b]).mde:.3f}"

    root = Path(__file__).resolve().parent.parent / "appendix" / "claims"
    verdicts = {
        e["claim"]: str(e["verdict"]) for f in sorted(root.glob("*.yml")) for e in yaml.safe_load(f.read_text())
    }
    leaky = next(v for c, v in verdicts.items() if c.startswith("Try Leaky ReLU, Maxout or ELU"))
    assert f"MDE = {mde('leaky_relu', 'relu')} Leaky ReLU, {mde('elu', 'relu')} ELU" in leaky
    assert f"{P.paired_difference(acc['maxout'], acc['relu']).mean:+.3f}" in leaky
    gelu = next(v for c, v in verdicts.items() if c.startswith("GELU performs better than ReLU and ELU"))
    assert f"MDE = {mde('gelu', 'relu')} vs ReLU, {mde('gelu', 'elu')} vs ELU" in gelu
    tanh = next(v for c, v in verdicts.items() if c.startswith("Prefer tanh over sigmoid"))
    assert f"MDE = {mde('tanh', 'sigmoid')}" in tanh
    gelu4 = next(v for c, v in verdicts.items() if c.startswith("GELU is better than ReLU and ELU and improves"))
    assert f"MDE = {mde('gelu', 'relu')} vs ReLU" in gelu4


def test_register_relu_family_figures_match_the_stored_results():
    """The ch3/ch4 entries redone on relu_family_mnist quote that file's MDEs and intervals."""
    from pathlib import Path

    import yaml

    res = P.load_results("relu_family_mnist")

    def by_seed(spec, key):
        return np.array([key(r) for r in sorted(res["runs"][spec], key=lambda r: r["seed"])], dtype=float)

    def pair(a, b, key):
        return P.paired_difference(by_seed(a, key), by_seed(b, key))

    def loss2(r):
        return r["train_loss"][1]

    def loss_end(r):
        return r["train_loss"][-1]

    def acc(r):
        return r["acc"]

    root = Path(__file__).resolve().parent.parent / "appendix" / "claims"
    verdicts = {
        e["claim"]: str(e["verdict"]) for f in sorted(root.glob("*.yml")) for e in yaml.safe_load(f.read_text())
    }
    slow = next(v for c, v in verdicts.items() if c.startswith("The small negative slope of Leaky ReLU"))
    assert slow.startswith(P.NOT_DETECTABLE)
    assert f"MDE = {pair('leaky_relu', 'relu', loss2).mde:.3f} in training loss after 2 epochs" in slow
    assert f"{pair('leaky_relu', 'relu', loss_end).mde:.3f} after 8" in slow
    prelu = next(v for c, v in verdicts.items() if c.startswith("PReLU can perform better than Leaky ReLU"))
    p = pair("learnable_prelu", "leaky_relu", acc)
    assert prelu == f"{P.verdict(p).split(')')[0]} in test accuracy; one task, each tuned, MNIST)"
    # SELU vs external normalisation: chapter 3's depth sweeps (plain SELU vs ReLU + BatchNorm)
    selu = next(v for c, v in verdicts.items() if c.startswith("SELU's internal normalisation"))
    for depth in (10, 30):
        deep = P.load_results(f"depth{depth}_mnist")

        def first_loss(spec, deep=deep):
            return np.array([r["train_loss"][0] for r in sorted(deep["runs"][spec], key=lambda r: r["seed"])])

        p1 = P.paired_difference(first_loss("selu"), first_loss("relu+bn"))
        assert P.verdict(p1, direction=-1) == selu == P.SUPPORTED


def test_pinned_numerics_are_the_makefiles_and_same_run_is_strict_under_them(monkeypatch):
    """`make` exports exactly P.PINNED_ENV, and same_run is bit for bit under it."""
    text = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    exported = dict(re.findall(r"^export (\w+) := (.*)$", text, flags=re.M))
    assert exported == P.PINNED_ENV
    run = {"correct": 900, "val_acc": [0.9, 0.95], "train_loss": [0.5, 0.25]}
    nudged = {**run, "train_loss": [0.5, 0.25 * (1 + 1e-15)]}
    for key, value in P.PINNED_ENV.items():
        monkeypatch.setenv(key, value)
    if P.pinned():  # x86-64
        assert P.same_run(run, dict(run)) and not P.same_run(run, nudged)
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Zen")
    assert not P.pinned()
    assert P.same_run(run, nudged)
    assert not P.same_run(run, {**run, "correct": 899})
    assert not P.same_run(run, {**run, "train_loss": [0.5, 0.26]})
