"""What the exercise sets ask and how fast they answer: ``python -m activations.grading report``.

* **Questions per kind per chapter** (derivation, experiment, diagnosis, kernel, concept), with
  their points and the kernel share of the points (the course keeps it at most a fifth).
* **Check times**: every source notebook (the solutions) is run once in a plain namespace, then
  every question is checked with a cold cache (expected values recomputed, as a student's first
  ``check`` does; experiment questions re-run their reference experiment then) and again warm.
  The median over all questions is what a student waits for a typical check.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time
from pathlib import Path

KINDS = ("derivation", "experiment", "diagnosis", "kernel", "concept")


def kinds_table(exercises) -> list[dict]:
    """One row per exercise: questions and points per kind, kernel share of the points."""
    rows = []
    for ex in exercises:
        row = {"exercise": ex.id, "questions": len(ex.questions), "points": ex.max_points}
        for kind in KINDS:
            qs = [q for q in ex.questions if q.category == kind]
            row[kind] = len(qs)
            row[f"{kind}_points"] = sum(q.points for q in qs)
        row["kernel_share"] = row["kernel_points"] / ex.max_points if ex.max_points else 0.0
        rows.append(row)
    return rows


def _namespace(path: Path) -> dict:
    import nbformat

    ns: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nbformat.read(str(path), as_version=4).cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, str(path), "exec"), ns)
    return ns


def check_times(exercise, source: Path) -> list[dict]:
    """Cold and warm wall-clock seconds of ``q.check(solution)`` for each question of ``exercise``."""
    ns = _namespace(source)
    out = []
    for q in exercise.questions:
        answer = [ns.get(n) for n in q.names]
        q.__dict__.pop("_cache", None)
        t0 = time.perf_counter()
        cold = q.check(*answer)
        t1 = time.perf_counter()
        q.check(*answer)
        t2 = time.perf_counter()
        out.append({"qid": q.qid, "kind": q.category, "status": cold.status, "cold": t1 - t0, "warm": t2 - t1})
    return out


def report(source_dir) -> str:
    """The Markdown report for every exercise that has a source notebook in ``source_dir``."""
    from .bank import exercises

    exs = [ex for ex in exercises().values() if (Path(source_dir) / f"{ex.id}.ipynb").exists()]
    lines = ["| exercise | questions | " + " | ".join(KINDS) + " | points | kernel share |"]
    lines.append("|" + " --- |" * (len(KINDS) + 4))
    for row in kinds_table(exs):
        kinds = " | ".join(f"{row[k]} ({row[k + '_points']:g} pt)" for k in KINDS)
        lines.append(
            f"| {row['exercise']} | {row['questions']} | {kinds} | {row['points']:g} | {row['kernel_share']:.0%} |"
        )
    cold, warm = [], []
    lines += [
        "",
        "| exercise | question | kind | first check (s) | repeated check (s) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for ex in exs:
        for t in check_times(ex, Path(source_dir) / f"{ex.id}.ipynb"):
            cold.append(t["cold"])
            warm.append(t["warm"])
            flag = "" if t["status"] == "pass" else f" ({t['status']}!)"
            lines.append(f"| {ex.id} | {t['qid']}{flag} | {t['kind']} | {t['cold']:.3f} | {t['warm']:.4f} |")
    if cold:
        lines += [
            "",
            f"median check time: first {1e3 * statistics.median(cold):.2f} ms, "
            f"repeated {1e3 * statistics.median(warm):.2f} ms; "
            f"slowest first check {max(cold):.2f} s ({len(cold)} questions)",
        ]
    return "\n".join(lines)
