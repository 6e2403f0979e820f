"""A Gradescope autograder bundle built from the same question bank and sandbox.

``activations-grade export-gradescope OUT --exercise 02_sigmoid_tanh`` writes ``OUT/`` and
``OUT.zip`` with, at the root (Gradescope's autograder specification):

* ``setup.sh`` -- creates ``/autograder/venv`` with pip only, from the pinned
  ``requirements.txt`` (no Miniforge download, unlike otter-grader's bundle), and installs
  bubblewrap with apt when it can;
* ``run_autograder`` -- grades the ``.ipynb`` in ``/autograder/submission`` and writes
  ``/autograder/results/results.json``: one test per question (name, score, max_score,
  status, visibility, output = the question's feedback);
* ``src/activations`` -- this package (its question bank included), ``config.json``
  (exercise, time limit, visibility) and ``secret.txt`` (the instructor's secret).

The submission runs in the bubblewrap sandbox when the container allows user namespaces;
otherwise it runs unsandboxed and the results say so (then the student's code can read
``/autograder/source``, the secret included: see the grading README).  ``run_autograder``
takes ``$AUTOGRADER_ROOT`` (default ``/autograder``) and ``$AUTOGRADER_PYTHON`` so a test can run it
in a temporary folder laid out like Gradescope's.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import time
from pathlib import Path

from .bank import get_exercise

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
REQUIREMENTS = ("numpy", "scipy", "sympy", "mpmath", "matplotlib", "scikit-learn", "threadpoolctl", "ipykernel")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope autograder setup: pip only, from the pinned requirements (nothing else is downloaded).
set -euo pipefail
if command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq bubblewrap python3-venv python3-pip >/dev/null || \\
    echo "warning: apt could not install bubblewrap; submissions will run unsandboxed"
fi
PY=${PYTHON:-python3}
"$PY" -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --upgrade pip
/autograder/venv/bin/pip install --quiet -r /autograder/source/requirements.txt
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope entry point: grade /autograder/submission/*.ipynb -> /autograder/results/results.json
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PY="${AUTOGRADER_PYTHON:-/autograder/venv/bin/python}"
export PYTHONPATH="$ROOT/source/src"
exec "$PY" -m activations.grading.gradescope "$ROOT"
"""


def _requirements(repo_requirements: Path | None) -> str:
    pins = {}
    if repo_requirements and repo_requirements.exists():
        for line in repo_requirements.read_text(encoding="utf-8").splitlines():
            name = line.split("==")[0].strip().lower()
            if name in REQUIREMENTS and "==" in line:
                pins[name] = line.strip()
    return "\n".join(pins.get(n, n) for n in REQUIREMENTS) + "\n"


def export(
    out,
    exercise: str,
    *,
    secret_file: str | None = None,
    timeout: float = 60.0,
    visibility: str = "visible",
    requirements: str | None = None,
) -> Path:
    """Write the bundle folder ``out`` and ``out.zip``; returns the zip's path."""
    ex = get_exercise(exercise)
    if visibility not in VISIBILITIES:
        raise ValueError(f"export-gradescope: visibility must be one of {', '.join(VISIBILITIES)}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"export-gradescope: {out} exists and is not empty")
    out.mkdir(parents=True, exist_ok=True)
    pkg = Path(__file__).resolve().parents[1]
    shutil.copytree(pkg, out / "src" / "activations", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    req = Path(requirements) if requirements else Path.cwd() / "requirements.txt"
    (out / "requirements.txt").write_text(_requirements(req), encoding="utf-8")
    secret = Path(secret_file).read_text(encoding="utf-8").strip() if secret_file else secrets.token_hex(16)
    if not secret:
        raise ValueError("export-gradescope: the secret file is empty")
    (out / "secret.txt").write_text(secret + "\n", encoding="utf-8")
    os.chmod(out / "secret.txt", 0o600)
    (out / "config.json").write_text(
        json.dumps({"exercise": ex.id, "timeout": timeout, "visibility": visibility}, indent=1), encoding="utf-8"
    )
    for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
        (out / name).write_text(text, encoding="utf-8")
        os.chmod(out / name, 0o755)
    archive = shutil.make_archive(str(out), "zip", root_dir=out)  # files at the zip's root
    return Path(archive)


def results(row, visibility: str = "visible", elapsed: float = 0.0, note: str = "") -> dict:
    """Gradescope's ``results.json`` for one graded :class:`.batch.Row`."""
    tests = []
    for i, res in enumerate(row.results, 1):
        tests.append(
            {
                "name": f"{res.qid}: {res.title}",
                "number": str(i),
                "score": float(res.points),
                "max_score": float(res.max_points),
                "status": "passed" if res.status == "pass" else "failed",
                "visibility": visibility,
                "output": res.lines(),
                "output_format": "text",
            }
        )
    out = {
        "execution_time": round(elapsed, 2),
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "output": (f"exercise {row.exercise or '?'}: {row.status}" + (f"\n{note}" if note else "")),
        "output_format": "text",
        "tests": tests,
    }
    if not row.graded or not tests:
        out["score"] = 0.0
    return out


def run(root) -> int:
    """Grade ``root/submission`` with ``root/source`` and write ``root/results/results.json``."""
    from . import questions
    from .batch import UNGRADABLE, Row, grade_one
    from .sandbox import SandboxError, Worker, bwrap_path

    root = Path(root)
    t0 = time.monotonic()
    config = json.loads((root / "source" / "config.json").read_text(encoding="utf-8"))
    questions.use_secret((root / "source" / "secret.txt").read_text(encoding="utf-8").strip())
    visibility = config.get("visibility", "visible")
    notebooks = sorted((root / "submission").rglob("*.ipynb"))
    note = ""
    if not notebooks:
        row = Row(
            "(none)",
            exercise=config["exercise"],
            code=UNGRADABLE,
            status="no .ipynb file in the submission: upload your notebook",
        )
    else:
        if len(notebooks) > 1:
            note = f"{len(notebooks)} notebooks submitted; graded {notebooks[0].name}"
        worker = None
        try:
            try:
                if bwrap_path() is None:
                    raise SandboxError("bwrap not installed")
                worker = Worker("gradescope", memory_mb=2048)
            except SandboxError as exc:
                note = (note + "\n" if note else "") + f"UNSAFE: graded without the sandbox ({str(exc)[:200]})"
                worker = Worker("gradescope", unsafe=True, memory_mb=2048)
            row = grade_one(
                notebooks[0],
                worker,
                root=root / "submission",
                timeout=float(config.get("timeout", 60)),
                exercise=config["exercise"],
            )
        finally:
            if worker is not None:
                worker.stop()
    out_dir = root / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    data = results(row, visibility, time.monotonic() - t0, note)
    tmp = out_dir / "results.json.tmp"
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, out_dir / "results.json")
    print(data["output"])
    for t in data["tests"]:
        print(f"{t['name']}: {t['score']:g}/{t['max_score']:g}")
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return run(argv[0] if argv else "/autograder")


if __name__ == "__main__":
    sys.exit(main())
