"""The Gradescope bundle: exported, then run_autograder run in a folder laid out like /autograder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from activations.grading.bank import get_exercise

REPO = Path(__file__).resolve().parents[1]
SOURCE_DIR = REPO / "exercises" / "source"
EXERCISES_DIR = REPO / "exercises"

EX = "06_choosing"
ROOT = Path(__file__).resolve().parents[1]
TEST_KEYS = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}
TOP_KEYS = {
    "score",
    "execution_time",
    "output",
    "output_format",
    "visibility",
    "stdout_visibility",
    "extra_data",
    "tests",
    "leaderboard",
    "test_output_format",
    "test_name_format",
}


def _validate(results: dict) -> None:
    """The fields and values of Gradescope's autograder specification (results.json)."""
    assert set(results) <= TOP_KEYS, set(results) - TOP_KEYS
    assert isinstance(results.get("tests", []), list)
    assert "score" in results or all("score" in t for t in results["tests"])
    for t in results["tests"]:
        assert set(t) <= TEST_KEYS, set(t) - TEST_KEYS
        assert isinstance(t["score"], float) and isinstance(t["max_score"], float) and 0 <= t["score"] <= t["max_score"]
        assert t["status"] in ("passed", "failed")
        assert t["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
        assert isinstance(t["name"], str) and isinstance(t["output"], str)
    assert results.get("stdout_visibility", "hidden") in ("hidden", "after_due_date", "after_published", "visible")


def _run(bundle_zip: Path, tmp: Path, submission: bytes | None, name="submission.ipynb") -> dict:
    root = tmp / "autograder"
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    with zipfile.ZipFile(bundle_zip) as zf:
        zf.extractall(root / "source")
    for f in ("setup.sh", "run_autograder"):
        os.chmod(root / "source" / f, 0o755)
    if submission is not None:
        (root / "submission" / name).write_bytes(submission)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    proc = subprocess.run(
        [str(root / "run_autograder")], capture_output=True, text=True, timeout=300, env=env, cwd=root
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")
@pytest.mark.slow
def test_bundle_runs_like_on_gradescope(tmp_path):
    out = tmp_path / "bundle"
    cmd = [
        sys.executable,
        "-m",
        "activations.grading",
        "export-gradescope",
        str(out),
        "--exercise",
        EX,
        "--visibility",
        "after_published",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    zpath = tmp_path / "bundle.zip"
    with zipfile.ZipFile(zpath) as zf:
        names = set(zf.namelist())
    assert {"setup.sh", "run_autograder", "config.json", "secret.txt", "requirements.txt"} <= names
    assert "src/activations/grading/bank/ex06.py" in names
    assert subprocess.run(["bash", "-n", str(out / "setup.sh")]).returncode == 0
    setup = (out / "setup.sh").read_text()
    assert "pip install" in setup and "conda" not in setup.lower() and "miniforge" not in setup.lower()
    req = (out / "requirements.txt").read_text()
    assert "numpy==" in req and "torch" not in req

    full = get_exercise(EX).max_points
    good = _run(zpath, tmp_path / "a", (SOURCE_DIR / f"{EX}.ipynb").read_bytes())
    _validate(good)
    assert sum(t["score"] for t in good["tests"]) == full
    assert all(t["visibility"] == "after_published" for t in good["tests"])
    assert "UNSAFE" not in good["output"], good["output"]

    blank = _run(zpath, tmp_path / "b", (EXERCISES_DIR / f"{EX}.ipynb").read_bytes())
    _validate(blank)
    assert sum(t["score"] for t in blank["tests"]) == 0 and all(t["status"] == "failed" for t in blank["tests"])
    assert "not attempted" in blank["tests"][0]["output"]

    # the secret and the bundle sit next to the sandbox, out of its reach
    nb = nbformat.read(str(SOURCE_DIR / f"{EX}.ipynb"), as_version=4)
    secret_path = tmp_path / "d" / "autograder" / "source" / "secret.txt"
    cell = nbformat.v4.new_code_cell(
        f"try:\n    stolen = open({str(secret_path)!r}).read()\nexcept OSError:\n    stolen = ''\n"
        "if stolen:\n    cross_entropy = -1.0\n"
    )
    cell.id = "steal"
    nb.cells.append(cell)
    thief = _run(zpath, tmp_path / "d", nbformat.writes(nb).encode())
    assert sum(t["score"] for t in thief["tests"]) == full, thief

    nothing = _run(zpath, tmp_path / "c", None)
    _validate(nothing)
    assert nothing["score"] == 0.0 and "no .ipynb" in nothing["output"]
