"""The feed-forward-block models of the gated_ffn_mnist sweep (chapter 7): widths, counts, gradients, init."""

from __future__ import annotations

import numpy as np
import pytest

from activations import gains, nn
from activations import protocol as P

UNITS = ("gelu", "relu", "swiglu", "geglu", "reglu", "bilinear")


@pytest.mark.parametrize("unit", UNITS)
def test_block_cost_matches_the_built_model(unit):
    d = 12
    model = P.build_model("ffn_" + unit, [20, d, 4], rng=np.random.default_rng(0))
    cost = P.ffn_block_cost(unit, d)
    first, last = model.dense_layers[0], model.dense_layers[-1]
    inner = model.dense_layers[1:-1]
    assert model.n_params - first.W.size - first.b.size - last.W.size - last.b.size == cost["params"]
    assert sum(dl.W.size for dl in inner) == cost["weights"] == 8 * d * d  # matched weights
    assert inner[-1].n_in == cost["width"] and inner[-1].n_out == d
    gated = unit in ("swiglu", "geglu", "reglu", "bilinear")
    assert cost["width"] == (8 * d // 3 if gated else 4 * d)
    assert cost["biases"] == (2 * cost["width"] + d if gated else 5 * d)


def test_gated_width_needs_d_divisible_by_3():
    with pytest.raises(ValueError, match="ffn_width"):
        P.ffn_width("swiglu", 10)
    assert P.ffn_width("gelu", 10) == 40
    with pytest.raises(ValueError, match="ffn_model"):
        P.ffn_model("gelu", [20, 12], rng=np.random.default_rng(0))


@pytest.mark.parametrize("unit", ["gelu", "swiglu", "reglu"])
def test_ffn_model_gradients(unit):
    rng = np.random.default_rng(1)
    model = P.build_model("ffn_" + unit, [5, 3, 3], rng=rng)
    X, y = rng.normal(size=(7, 5)), rng.integers(0, 3, size=7)
    assert max(nn.gradient_check(model, X, y)) < 1e-6


@pytest.mark.parametrize("unit, gate", [("gelu", "gelu"), ("swiglu", "silu"), ("reglu", "relu")])
def test_down_projection_variance_is_derived(unit, gate):
    # the down-projection's weights have variance sigma_w^2 / fan_in with sigma_w^2 = 1 / E[g(Z)^2]
    d = 48
    model = P.build_model("ffn_" + unit, [784, d, 10], rng=np.random.default_rng(2))
    down = model.dense_layers[-2]
    expected = 1.0 / gains.gaussian_moments(gate).second / down.n_in
    assert down.W.var() == pytest.approx(expected, rel=0.05)
    first = model.dense_layers[0]
    assert first.W.var() == pytest.approx(1.0 / 784, rel=0.05)


def test_the_sweep_is_registered():
    specs, cfg = P.EXPERIMENTS["gated_ffn_mnist"]
    assert all(s.startswith(P.FFN_PREFIX) for s in specs) and len(cfg.seeds) >= 10
    assert cfg.hidden[0] % 3 == 0
