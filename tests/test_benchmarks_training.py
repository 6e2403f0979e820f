"""Smoke tests of ``benchmarks/training.py`` (the reference MLP, nn vs PyTorch) on a few steps."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

# benchmarks/ is a top-level package of the repository, not installed with the course.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import report, torch_impl, training
from benchmarks.__main__ import main as bench_main


def test_without_torch_only_the_course_is_timed_and_the_note_says_why(monkeypatch):
    monkeypatch.setattr(torch_impl, "available", lambda: False)
    part = training.run(steps=2, repeats=1, opts=("sgd",))
    assert [(r["optimizer"], r["dtype"]) for r in part["rows"]] == [("sgd", "float64"), ("sgd", "float32")]
    for row in part["rows"]:
        assert row["steps_per_s"]["ours"] > 0
        assert row["steps_per_s"]["torch"] is None and row["ratio_ours_over_torch"] is None
    assert "not installed" in part["note"]
    table = training.markdown(part)
    assert "| sgd | float32 |" in table and "not installed" in table
    assert "Training the reference MLP" in report.markdown({"training": part})


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_float32_course_training_keeps_float32(opt):
    X, y = training._data()
    go, model = training.course_trainer(X, y, "float32", opt, steps=3)
    go()
    assert all(p.dtype == np.float32 for p in model.params())


@pytest.mark.skipif(not torch_impl.available(), reason="PyTorch is not installed")
@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_both_implementations_train_the_same_network_on_the_same_batches(opt):
    # Same initial weights, same batches, same optimiser: after 5 float64 steps the two
    # networks' weights agree to rounding (a different init or batch order would not).
    X, y = training._data()
    go, ours = training.course_trainer(X, y, "float64", opt, steps=5)
    tgo, theirs = training.torch_trainer(X, y, "float64", opt, steps=5)
    go()
    tgo()
    tlin = [m for m in theirs if hasattr(m, "weight")]
    for d, lin in zip(ours.dense_layers, tlin, strict=True):
        np.testing.assert_allclose(d.W, lin.weight.detach().numpy().T, rtol=0, atol=1e-9)
        np.testing.assert_allclose(d.b, lin.bias.detach().numpy(), rtol=0, atol=1e-9)


def test_cli_quick_training_part(tmp_path):
    out = tmp_path / "t.json"
    assert bench_main(["--quick", "--no-torch", "--only", "training", "--out", str(out)]) == 0
    assert '"training"' in out.read_text(encoding="utf-8")
