"""Smoke tests of the benchmark code (``benchmarks/``) on tiny sizes; torch not needed."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

import activations as act
from activations import reference

# benchmarks/ is a top-level package of the repository, not installed with the course.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import accuracy, book, naive, page, report, results, speed, torch_impl
from benchmarks.__main__ import main as bench_main

NO_TORCH = ("ours", "naive")


# --- naive formulas ----------------------------------------------------------------------------


def test_naive_covers_every_registered_activation():
    assert naive.names() == act.names()


@pytest.mark.parametrize("name", act.names())
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_naive_keeps_dtype_and_input(name, dtype):
    x = np.linspace(-5, 5, 11).astype(dtype)
    before = x.copy()
    for fn in (naive.VALUES[name], naive.GRADS[name]):
        out = fn(x)
        assert out.dtype == dtype and out.shape == x.shape
        assert out is not x
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("name", act.names())
def test_naive_is_the_same_function_where_it_does_not_break(name):
    # Away from kinks and in the range where no textbook formula cancels, naive and
    # our kernels are the same function (same parameters, same kink convention).
    x = np.array([-2.7, -1.3, -0.4, 0.45, 1.7, 2.2])
    a = act.get(name)
    np.testing.assert_allclose(naive.value(name, x, **a.params), a(x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(naive.grad(name, x, **a.params), a.grad(x), rtol=1e-9, atol=1e-12)


def test_naive_shows_the_textbook_failures():
    x = np.array([40.0, 800.0])
    assert naive.grad("sigmoid", x)[0] == 0.0  # σ(1-σ): 1 - σ rounds to 0
    assert act.get("sigmoid").grad(x)[0] > 0.0
    assert np.isnan(naive.value("tanh", x)[1])  # inf / inf
    assert np.isinf(naive.value("softplus", x)[1])  # log(1 + inf)


# --- results files -------------------------------------------------------------------------------


def test_results_round_trip_non_finite_values(tmp_path):
    data = {"a": [1.5, math.inf, -math.inf], "b": {"c": math.nan}, "d": "text"}
    path = results.save(data, tmp_path / "r.json")
    json.loads(path.read_text())  # strict JSON: no Infinity / NaN tokens
    back = results.load(path)
    assert back["a"] == [1.5, math.inf, -math.inf] and math.isnan(back["b"]["c"]) and back["d"] == "text"
    assert results.load(tmp_path / "missing.json") is None


def test_merge_keeps_the_parts_not_rerun():
    old = {"accuracy": {"rows": ["old"]}, "speed": {"rows": ["old"]}}
    new = {"machine": {"cpu": "x"}, "speed": {"rows": ["new"]}}
    merged = results.merge(old, new)
    assert merged["accuracy"] == {"rows": ["old"]} and merged["speed"] == {"rows": ["new"]}
    assert "book" not in merged


# --- accuracy --------------------------------------------------------------------------------------


def test_points_include_tails_and_non_finite():
    xs = accuracy.points("sigmoid", n_dense=20, n_tail=3)
    assert np.isnan(xs[-1]) and np.isinf(xs).sum() == 2 and np.nanmax(np.abs(xs[np.isfinite(xs)])) == 1e6
    xs32 = accuracy.points("sigmoid", "float32", n_dense=20, n_tail=3)
    fin = xs32[np.isfinite(xs32)]
    np.testing.assert_array_equal(fin.astype(np.float32).astype(np.float64), fin)


def test_accuracy_separates_kernel_from_naive_formula():
    rows = {r["impl"]: r for r in accuracy.evaluate("sigmoid", "grad", "float64", NO_TORCH, n_dense=40, n_tail=4)}
    assert rows["ours"]["worst"] <= reference.BAR
    # σ(1 - σ) loses every digit for x >~ 37 (the grid has 37 and the tail points)
    assert rows["naive"]["worst_finite"] > 1e10 and rows["naive"]["above_bar"] > 0


def test_accuracy_counts_non_finite_mistakes():
    rows = {r["impl"]: r for r in accuracy.evaluate("tanh", "value", "float64", NO_TORCH, n_dense=10, n_tail=3)}
    assert rows["ours"]["nonfinite_wrong"] == 0
    wrong = rows["naive"]["nonfinite_wrong_at"]
    assert rows["naive"]["worst"] == math.inf and wrong and all(abs(w["x"]) > 700 for w in wrong)


def test_the_one_metric_scores_any_implementation():
    """benchmarks.accuracy scores with reference.score (one metric), non-finite mistakes included."""
    x = 0.75
    rounded = float(reference.exact_float("sigmoid", [x])[0])
    assert reference.score("sigmoid", [x], [rounded])[0] <= 0.5
    off = np.nextafter(np.nextafter(rounded, 2.0), 2.0)  # two floats up: 1.5 to 2.5 ULPs
    assert 1.0 <= reference.score("sigmoid", [x], [off])[0] <= 2.5
    assert reference.score("sigmoid", [np.inf, 3.0], [np.nan, np.inf]).tolist() == [math.inf, math.inf]
    assert not hasattr(accuracy, "score")


# --- speed -----------------------------------------------------------------------------------------


def test_time_interleaved_times_every_callable():
    x = np.ones(100)
    got = speed.time_interleaved({"add": lambda: x + 1.0, "exp": lambda: np.exp(x)}, repeats=2, target=1e-4)
    assert set(got) == {"add", "exp"} and all(0 < v < 1 for v in got.values())


def test_speed_run_rows_and_report_without_torch():
    sp = speed.run(names=["relu", "sigmoid"], sizes=(200,), impls=NO_TORCH, quick=True)
    assert len(sp["rows"]) == 2 * 2 * 2  # names x kinds x dtypes
    for row in sp["rows"]:
        assert row["seconds"]["ours"] > 0 and row["seconds"]["naive"] > 0 and row["seconds"]["torch"] is None
    assert {m["name"] for m in sp["memory"]} == {"relu", "sigmoid"}
    assert all(sp["select"][k] > 0 for k in ("where_random", "where_sorted", "maximum"))
    table = report.ratio_table(sp, "value")
    missing = "not measured" if torch_impl.available() else report.NOT_INSTALLED
    assert all(cell == missing for row in table.rows for cell in row[1:])
    assert report.shortfalls(sp) == []
    assert report.plot_speed(sp) is None


def test_memory_profile_counts_temporaries():
    prof = {p["name"]: p for p in speed.memory_profile(["relu", "mish"], n=20_000)}
    # at least the result; mish's kernel keeps several temporaries alive
    assert 1.0 <= prof["relu"]["ours_value"] < prof["mish"]["ours_grad"]


# --- report ------------------------------------------------------------------------------------------


def test_report_renders_every_table_from_a_run():
    acc = accuracy.run(names=["relu"], impls=NO_TORCH, quick=True)
    sp = speed.run(names=["relu"], sizes=(100,), impls=NO_TORCH, quick=True)
    res = {"accuracy": acc, "speed": sp, "book": {"notes": ["n"], "grading": {"status": "not measured"}}}
    md = report.markdown(res)
    missing = "not measured" if torch_impl.available() else report.NOT_INSTALLED
    assert "relu" in md and missing in md and "Cost of building the book" in md
    for t in report.tables(res):
        assert "<table" in t.html() and "|" in t.myst()
        assert all(len(row) == len(t.headers) for row in t.rows)


def test_fmt_score_marks_non_finite_mistakes():
    assert report.fmt_score({"worst_finite": 0.5, "nonfinite_wrong": 0}) == "0.5"
    assert "3 NaN/inf" in report.fmt_score({"worst_finite": 2e14, "nonfinite_wrong": 3})


# --- command line ------------------------------------------------------------------------------------


def test_cli_quick_writes_json(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert bench_main(["--quick", "--no-torch", "--only", "accuracy", "--names", "relu", "--out", str(out)]) == 0
    data = results.load(out)
    assert {r["name"] for r in data["accuracy"]["rows"]} == {"relu"}
    assert data["machine"]["numpy"] == np.__version__
    assert "Worst error, float64" in capsys.readouterr().out


def test_torch_columns_are_absent_or_real():
    if torch_impl.available():
        x = np.array([-1.0, 0.5])
        np.testing.assert_allclose(torch_impl.value("sigmoid", x), act.sigmoid(x), rtol=1e-15)
    else:
        with pytest.raises(RuntimeError, match="not installed"):
            torch_impl.functions("sigmoid", {})


# --- book part and appendix ------------------------------------------------------------------------


def test_toc_notebooks_reads_the_toc(tmp_path):
    (tmp_path / "ch").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "ch" / "a.ipynb")
    (tmp_path / "intro.md").write_text("# Intro\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: ch/a\n- file: ch/missing\n")
    assert book.toc_notebooks(tmp_path) == [tmp_path / "ch" / "a.ipynb"]


@pytest.mark.slow
def test_execute_notebook_times_and_reports_failures(tmp_path):
    ok = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    nbformat.write(ok, tmp_path / "ok.ipynb")
    nbformat.write(bad, tmp_path / "bad.ipynb")
    r_ok, r_bad = book.execute_notebook(tmp_path / "ok.ipynb"), book.execute_notebook(tmp_path / "bad.ipynb")
    assert r_ok["status"] == "ok" and r_ok["seconds"] > 0
    assert r_bad["status"].startswith("failed") and "ZeroDivisionError" in r_bad["status"]


def test_committed_page_matches_committed_results():
    # appendix/benchmarks.md is generated from latest.json: both must be committed together.
    res = results.load(results.LATEST)
    expected = page.render(res, page.FIGURE.name if page.has_figure(res) else None)
    assert page.PAGE.read_text(encoding="utf-8") == expected, "run: python -m benchmarks --page-only"
    if page.has_figure(res):
        assert page.FIGURE.exists()


# --- the appendix page -------------------------------------------------------------------------------


def test_page_without_results_says_not_measured():
    text = page.render(None)
    assert "Not measured yet" in text and "make bench" in text and "(sec-appendix-benchmarks)=" in text


def test_page_renders_results_and_figure(tmp_path):
    acc = accuracy.run(names=["sigmoid"], impls=NO_TORCH, quick=True)
    sp = speed.run(names=["sigmoid"], sizes=(100,), impls=NO_TORCH, quick=True)
    res = {"accuracy": acc, "speed": sp}
    out = page.write(res, tmp_path / "b.md", tmp_path / "b.svg")
    text = out.read_text()
    assert ":::{table} Worst error, float64" in text and "| sigmoid |" in text
    assert "Not measured yet: the results have no book part" in text
    # without a PyTorch figure there is no ratio to plot, hence no figure
    assert ("{figure}" in text) == (tmp_path / "b.svg").exists()


def test_without_torch_the_columns_say_not_installed(monkeypatch):
    monkeypatch.setattr(torch_impl, "available", lambda: False)
    monkeypatch.setattr(torch_impl, "version", lambda: None)
    acc = accuracy.run(names=["relu"], quick=True)  # default implementations, torch included
    sp = speed.run(names=["relu"], sizes=(100,), quick=True)
    assert {r["impl"] for r in acc["rows"]} == {"ours", "naive"}
    assert all(r["seconds"]["torch"] is None for r in sp["rows"])
    table = report.accuracy_table(acc, "float64")
    assert table.rows[0][3] == report.NOT_INSTALLED and table.rows[0][6] == report.NOT_INSTALLED
    assert report.NOT_INSTALLED in report.speed_table(sp).rows[0]
    assert "not installed" in report.machine_line({"machine": {"torch": None}})


def test_page_weight_table_and_page_section():
    from benchmarks import page as bench_page
    from benchmarks import report as bench_report

    rows = [
        {
            "page": "chapters/01_x",
            "requests": 30,
            "bytes": 3_000_000,
            "bytes_gzip": 900_000,
            "figure_bytes": 500_000,
            "figure_bytes_gzip": 100_000,
        }
    ]
    book = {"page_weight": {"status": "ok", "pages": rows}}
    t = bench_report.page_weight_table(book)
    assert t.rows == [["chapters/01_x", 30, "2.50", "0.80", "0.50", "3.00", "0.90"]]
    assert bench_report.page_weight_table({"page_weight": {"status": "not measured: no Chromium"}}) is None
    text = bench_page.render({"book": book})
    assert "Page weight" in text and "tab-bench-page-weight" in text


def _fake_speed(rows):
    return {"sizes": [10], "dtypes": ["float64", "float32"], "torch": "2.13.0", "rows": rows}


def test_summary_table_one_row_per_activation():
    acc = {
        "impls": ["ours", "torch"],
        "rows": [
            {"name": "a", "kind": k, "dtype": "float64", "impl": i, "worst_finite": w, "nonfinite_wrong": nf}
            for k, i, w, nf in [("value", "ours", 1.5, 0), ("grad", "ours", 2.0, 0), ("value", "torch", 3.0, 1),
                                ("grad", "torch", 4.0, 0)]
        ],
    }  # fmt: skip
    rows = [
        {"name": "a", "kind": k, "n": 10, "dtype": d, "seconds": {"ours": o, "naive": None, "torch": t}}
        for k, d, o, t in [("value", "float64", 2.0, 1.0), ("grad", "float64", 1.0, 4.0),
                           ("value", "float32", 4.0, 1.0), ("grad", "float32", 1.0, 1.0)]
    ]  # fmt: skip
    t = report.summary_table(acc, _fake_speed(rows))
    assert t.rows == [["a", "1.5", "2", "3; 1 NaN/inf / 4", "0.50x", "4.00x", "0.25x", "1.00x"]]
    assert report.worst_of(acc, "ours", "float64") == (2.0, "a", "grad")
    assert report.worst_of(acc, "ours", "float32") == (None, None, None)


def test_page_has_summary_training_and_folded_details():
    acc = accuracy.run(names=["relu"], impls=NO_TORCH, quick=True)
    sp = speed.run(names=["relu"], sizes=(100,), impls=NO_TORCH, quick=True)
    training_part = {
        "network": "784-128-128-10",
        "activation": "relu",
        "batch": 64,
        "steps": 40,
        "repeats": 15,
        "torch_version": "2.13.0",
        "note": None,
        "rows": [{"optimizer": "sgd", "dtype": "float64", "steps_per_s": {"ours": 500.0, "torch": 250.0},
                  "ratio_ours_over_torch": 2.0}],
    }  # fmt: skip
    text = page.render({"accuracy": acc, "speed": sp, "training": training_part})
    assert "tab-bench-summary" in text and "| relu |" in text
    assert "tab-bench-training" in text and "| SGD | float64 | 500 | 250 | 2.00x |" in text
    assert "{ref}`sec-ch6-cost`" in text and "one CPU thread" in text
    # every folded block is closed, and the details hold the full tables
    assert text.count("::::{admonition}") == text.count("\n::::\n") >= 2
    assert text.index("(sec-appendix-bench-details)=") < text.index("tab-bench-acc64")
    assert "PyTorch was not timed" in text


def test_cli_measures_numpy_unpinned(tmp_path):
    # make pins NumPy's SIMD (NPY_DISABLE_CPU_FEATURES) for the experiments; the benchmarks
    # re-execute themselves without it, so they time NumPy as its users get it.
    import os
    import subprocess

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"}
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    probe = "from benchmarks import machine; print(','.join(machine.numpy_simd()))"
    free = subprocess.run([sys.executable, "-c", probe], env=env, cwd=root, capture_output=True, text=True, check=True)
    out = tmp_path / "r.json"
    pinned = {**env, "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"}
    cmd = [sys.executable, "-m", "benchmarks", "--quick", "--no-torch", "--only", "speed", "--names", "relu"]
    subprocess.run([*cmd, "--sizes", "100", "--out", str(out)], env=pinned, cwd=root, capture_output=True, check=True)
    assert results.load(out)["machine"]["numpy_simd"] == free.stdout.strip().split(",")
