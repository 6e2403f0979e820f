"""The batch grader: reference solutions, untouched notebooks, hostile submissions."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from activations.grading import _serial, notebooks
from activations.grading.bank import exercises
from activations.grading.batch import feedback_name, grade_dir
from activations.grading.sandbox import bwrap_path

REPO = Path(__file__).resolve().parents[1]
SOURCE_DIR = REPO / "exercises" / "source"
EXERCISES_DIR = REPO / "exercises"

SOURCES = {p.stem: p for p in notebooks.sources(SOURCE_DIR)}


def _read(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def _write(nb, path: Path) -> Path:
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def _student(ex_id):
    return _read(EXERCISES_DIR / f"{ex_id}.ipynb")


def _insert_code(nb, index, source):
    cell = nbformat.v4.new_code_cell(source)
    cell.id = f"inserted-{index}"
    nb.cells.insert(index, cell)
    return nb


def _answer_index(nb, name):
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and f"def {name}(" in c.source)


def _digests(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def _rows(csv_path: Path) -> dict:
    with open(csv_path, encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


# --- fast unit tests ----------------------------------------------------------------


def test_decode_rejects_what_it_must_not_trust():
    assert isinstance(_serial.decode({"kind": "array", "dtype": "|O", "shape": [1], "data": ""}), _serial.Opaque)
    bad_size = {"kind": "array", "dtype": "<f8", "shape": [3], "data": "AAAAAAAAAAA="}
    assert isinstance(_serial.decode(bad_size), _serial.Opaque)
    assert isinstance(_serial.decode({"kind": "py", "type": "float", "value": "1e3"}), _serial.Opaque)
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    back = _serial.decode(_serial.encode(arr))
    assert back.dtype == np.float32 and np.array_equal(back, arr)
    assert _serial.encode(object())["kind"] == "other"


def test_outputs_inside_the_submissions_folder_are_refused(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    with pytest.raises(ValueError, match="inside the submissions folder"):
        grade_dir(subs, subs / "grades.csv", progress=False)
    with pytest.raises(ValueError, match="inside the submissions folder"):
        grade_dir(subs, tmp_path / "g.csv", feedback_dir=subs / "fb", progress=False)


# --- batches (one sandboxed process per submission) ----------------------------------

needs_bwrap = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap (bwrap) is not installed: make grader-deps")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A folder of submissions for exercise 02, each one misbehaving differently."""
    d = tmp_path_factory.mktemp("submissions")
    sol = _read(SOURCES["02_sigmoid_tanh"])
    q1_cell = sol.cells[_answer_index(sol, "stable_sigmoid")].source
    _write(_insert_code(_read(SOURCES["02_sigmoid_tanh"]), 2, "raise RuntimeError('boom')"), d / "02_raises.ipynb")
    nb = _student("02_sigmoid_tanh")
    nb.cells[_answer_index(nb, "stable_sigmoid")].source = q1_cell
    _write(_insert_code(nb, _answer_index(nb, "stable_sigmoid") + 2, "while True:\n    pass"), d / "02_loop.ipynb")
    nb = _student("02_sigmoid_tanh")
    nb.cells[_answer_index(nb, "stable_sigmoid")].source = q1_cell
    _write(_insert_code(nb, 2, "hog = []\nwhile True:\n    hog.append(bytearray(64 * 2**20))"), d / "02_memory.ipynb")
    nb = _student("02_sigmoid_tanh")
    nb.cells[_answer_index(nb, "stable_sigmoid")].source = q1_cell
    _write(_insert_code(nb, 2, "print('x' * 30_000_000)\nfor i in range(20_000):\n    print(i)"), d / "02_print.ipynb")
    nb = _read(SOURCES["02_sigmoid_tanh"])
    i = _answer_index(nb, "stable_sigmoid")
    del nb.cells[i : i + 2]  # question 1's answer and check cells
    _write(nb, d / "02_deleted.ipynb")
    nb = _student("02_sigmoid_tanh")
    nb.cells[_answer_index(nb, "stable_sigmoid")].source = (
        "def stable_sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"
        "check = lambda *a: print('✓ all good')\n"
        "import activations.grading.questions as Q\n"
        "Q.FunctionQuestion.judge = lambda self, data, full=False: Q.Result('q1', '', 'pass', 2, 2)\n"
        "Q.Question.check = lambda self, *a, **k: Q.Result('q1', '', 'pass', 2, 2)\n"
        "x_saturated = 0.3\nQ.NumberQuestion.compute = lambda p: 0.3"
    )
    _write(nb, d / "02_monkeypatch.ipynb")
    _write(_insert_code(_read(SOURCES["02_sigmoid_tanh"]), 2, "import os\nos._exit(3)"), d / "02_exit.ipynb")
    nb = _read(SOURCES["02_sigmoid_tanh"])
    nb.cells[_answer_index(nb, "stable_sigmoid")].source = q1_cell.replace(
        "    x = np.asarray(x)\n", "    x = np.asarray(x)\n    while x.size > 100:\n        pass\n", 1
    )
    _write(nb, d / "02_hangs_when_called.ipynb")
    (d / "02_not_a_notebook.ipynb").write_text("def f(x):\n    return x\n", encoding="utf-8")
    (d / "02_empty.ipynb").write_bytes(b"")
    (d / "random.bin").write_bytes(np.random.default_rng(0).bytes(4096))
    return d


@needs_bwrap
@pytest.mark.slow
def test_hostile_submissions_each_get_a_row(hostile, tmp_path):
    before = _digests(hostile)
    out = tmp_path / "grades.csv"
    rows = grade_dir(hostile, out, workers=2, timeout=6, memory_mb=900, progress=False)
    assert _digests(hostile) == before, "submissions must never be modified"
    assert sorted(r.file for r in rows) == sorted(before)
    by = {r.file: r for r in rows}
    full = exercises()["02_sigmoid_tanh"].max_points

    assert by["02_raises.ipynb"].total == full and "1 cell(s) raised" in by["02_raises.ipynb"].status
    loop = by["02_loop.ipynb"]
    assert loop.status.startswith("timeout") and loop.total == 2  # q1 answered before the loop
    mem = by["02_memory.ipynb"]
    assert mem.total == 2 and any("MemoryError" in e for e in mem.errors)
    pr = by["02_print.ipynb"]
    assert pr.total == 2 and "printed" in pr.status
    deleted = by["02_deleted.ipynb"]
    assert deleted.results[0].points == 0 and "not found" in deleted.results[0].message
    assert deleted.total == full - deleted.results[0].max_points
    mp = by["02_monkeypatch.ipynb"]
    assert mp.total == 0 and mp.results[0].status == "fail"
    assert "died" in by["02_exit.ipynb"].status and by["02_exit.ipynb"].total == 0
    hangs = by["02_hangs_when_called.ipynb"]  # only the hanging question is lost
    assert hangs.results[0].points == 0 and "time limit" in hangs.results[0].message
    assert hangs.total == full - 2
    for name in ("02_not_a_notebook.ipynb", "02_empty.ipynb", "random.bin"):
        assert by[name].status.startswith("not a notebook") and by[name].code == "ungraded"

    table = _rows(out)
    assert set(table) == set(before) and table["02_raises.ipynb"]["total"] == f"{full:g}"
    assert table["random.bin"]["total"] == "" and table["random.bin"]["code"] == "ungraded"
    (run,) = (tmp_path / "grades_feedback").iterdir()  # one folder per run
    assert sorted(p.name for p in run.iterdir()) == sorted(feedback_name(n) for n in before)
    text = (run / feedback_name("02_monkeypatch.ipynb")).read_text(encoding="utf-8")
    assert "✗ q1" in text and "hint:" in text


@needs_bwrap
@pytest.mark.slow
def test_solutions_full_marks_and_untouched_notebooks_zero(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for src in SOURCES.values():
        (subs / f"solution_{src.name}").write_bytes(src.read_bytes())
        (subs / f"student_{src.name}").write_bytes((EXERCISES_DIR / src.name).read_bytes())
    rows = grade_dir(subs, tmp_path / "g.csv", workers=2, timeout=30, progress=False)
    assert len(rows) == 2 * len(SOURCES)
    for row in rows:
        assert row.status == "ok", (row.file, row.status, row.errors)
        if row.file.startswith("solution_"):
            assert row.total == row.max_points == exercises()[row.exercise].max_points, row
        else:
            assert row.total == 0 and all(r.status == "not attempted" for r in row.results)


@needs_bwrap
@pytest.mark.slow
def test_command_line(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "01_mine.ipynb").write_bytes(SOURCES["01_linearity"].read_bytes())
    out = tmp_path / "grades.csv"
    cmd = [
        sys.executable,
        "-m",
        "activations.grading",
        "grade",
        str(subs),
        "--out",
        str(out),
        "--workers",
        "1",
        "--timeout",
        "20",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "1/1" in proc.stderr  # the progress bar
    assert "no secret" in proc.stderr
    row = _rows(out)["01_mine.ipynb"]
    assert row["status"] == "ok" and row["total"] == row["max"] == f"{exercises()['01_linearity'].max_points:g}"
    bad = subprocess.run(
        [sys.executable, "-m", "activations.grading", "grade", str(subs), "--out", str(subs / "x.csv")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "inside the submissions folder" in bad.stderr
