"""Grade a folder of submissions: one process per notebook, verdicts in this process.

For each submission :func:`grade_one` starts :func:`.runner.run` in a fresh process
(forked from a pre-loaded fork server), waits with a hard wall-clock limit, then
judges the probed answers HERE with the full checks -- nothing the notebook did to
its own copy of the check functions matters.  Every file gets a row, whatever happens.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import runner
from .bank import exercises, get_exercise
from .questions import NOT_ATTEMPTED, UNGRADED, Result

MAX_RECORD_BYTES = 50 * 2**20
PRELOAD = ["activations.grading._preload"]


@dataclass
class Row:
    """One submission's grade."""

    file: str
    exercise: str = ""
    results: list = field(default_factory=list)
    status: str = ""
    errors: list = field(default_factory=list)
    reasons: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def max_points(self) -> float:
        return sum(r.max_points for r in self.results)


_CTX = None
_CTX_LOCK = threading.Lock()


# One BLAS thread per submission process (the address-space limit then measures the
# student's arrays, not per-thread BLAS buffers) and a non-interactive matplotlib.
CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


def _context():
    """The multiprocessing context; starts the pre-loaded fork server once, with CHILD_ENV."""
    global _CTX
    with _CTX_LOCK:
        if _CTX is None:
            saved = {k: os.environ.get(k) for k in CHILD_ENV}
            os.environ.update(CHILD_ENV)
            try:
                if "forkserver" in multiprocessing.get_all_start_methods():
                    from multiprocessing import forkserver

                    ctx = multiprocessing.get_context("forkserver")
                    ctx.set_forkserver_preload(PRELOAD)
                    forkserver.ensure_running()  # inherits os.environ now
                else:  # pragma: no cover - Windows/macOS without forkserver
                    ctx = multiprocessing.get_context("spawn")
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
            _CTX = ctx
        return _CTX


def _read_json(path: Path):
    try:
        if path.stat().st_size > MAX_RECORD_BYTES:
            return None
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def grade_one(path, *, root=None, engine="fork", timeout=60.0, memory_mb=2048, exercise=None) -> Row:
    """Grade one submission file; never raises (a grader failure becomes the row's status)."""
    path = Path(path)
    row = Row(str(path.relative_to(root)) if root else path.name)
    t0 = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="activations-grade-")
    try:
        if path.is_symlink():
            row.status = "not graded: a symbolic link (copy the file itself into the folder)"
            return row
        per_question = max(2.0, min(10.0, timeout / 2))
        proc = _context().Process(target=runner.run, daemon=True, args=(
            str(path), workdir, engine, float(timeout), int(memory_mb), per_question, exercise))
        proc.start()
        # cells + answer collection + start-up (a kernel's start-up is not in `timeout`)
        hard_limit = timeout + per_question * 8 + (60 if engine == "kernel" else 15)
        proc.join(hard_limit)
        killed = proc.is_alive()
        if killed:
            proc.kill()
            proc.join(10)
        info = _read_json(Path(workdir) / runner.EXEC_FILE) or {}
        record = _read_json(Path(workdir) / runner.RECORD_FILE) or {}
        row.exercise = str(info.get("exercise") or "")
        row.errors = [str(e)[:300] for e in (info.get("errors") or [])][:5]
        status = str(info.get("status") or "")
        if killed:
            status = f"killed after {hard_limit:.0f} s (hard time limit)"
        elif status in ("", "started", "running"):
            status = f"process died (exit code {proc.exitcode}; memory limit or os._exit?)"
        if not row.exercise:  # not a notebook: still one zero per question when the name tells which
            row.exercise = runner.identify({}, str(path), exercise) or ""
        if row.exercise:
            row.results, row.reasons = _judge(get_exercise(row.exercise), record, cut_short=status != "ok")
            if status == "ok" and len((record.get("questions") or {})) < len(row.results):
                status = "answers incomplete (the answer collection was stopped)"
        ungraded = [r.qid for r in row.results if r.status == UNGRADED]
        if ungraded and status == "ok":
            status = f"ok; could not grade {', '.join(ungraded)} (see feedback)"
        n_err = int(info.get("n_errors") or 0)
        if n_err and status == "ok":
            status = f"ok ({n_err} cell(s) raised)"
        if info.get("output_bytes", 0) > 10 * 2**20:
            status += f"; printed {info['output_bytes'] / 2**20:.0f} MB (discarded)"
        row.status = " ".join(status.split())  # one line in the CSV
    except Exception as exc:  # the batch must go on
        row.status = " ".join(f"grader error ({type(exc).__name__}: {exc})".split())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        row.seconds = round(time.monotonic() - t0, 2)
    return row


def _judge(exercise, record, cut_short=False):
    results, reasons = [], {}
    entries = record.get("questions") if isinstance(record.get("questions"), dict) else {}
    for q in exercise.questions:
        entry = entries.get(q.qid)
        if not isinstance(entry, dict):
            results.append(Result(q.qid, q.title, UNGRADED, 0.0, q.points, "could not be graded (no answer collected)"))
            continue
        st = entry.get("status")
        if st == "missing":
            results.append(Result(q.qid, q.title, NOT_ATTEMPTED, 0.0, q.points,
                                  f"answer {q.names[0]!r} not found ("
                                  + ("its cell did not run before the time limit, or was deleted)" if cut_short
                                     else "cell deleted or renamed?)")))
        elif st == "ok":
            try:
                results.append(q.judge(entry.get("data"), full=True))
            except Exception as exc:
                results.append(Result(q.qid, q.title, UNGRADED, 0.0, q.points,
                                      f"malformed answer ({type(exc).__name__})"))
            data = entry.get("data")
            if len(q.names) > 1 and isinstance(data, dict) and data.get("reason"):
                reasons[q.qid] = str(data["reason"])[:1000]
        else:
            detail = "time limit" if st == "timeout" else str(entry.get("error", st))[:200]
            results.append(Result(q.qid, q.title, UNGRADED, 0.0, q.points, f"could not be graded ({detail})"))
    return results, reasons


def _inside(child: Path, parent: Path) -> bool:
    child, parent = child.resolve(), parent.resolve()
    return child == parent or parent in child.parents


def submissions(directory: Path) -> list[Path]:
    """Every regular, non-hidden file under ``directory`` (each one gets a row)."""
    out = []
    for p in sorted(directory.rglob("*")):
        rel = p.relative_to(directory).parts
        if (p.is_file() or p.is_symlink()) and not any(part.startswith(".") for part in rel):
            out.append(p)
    return out


def grade_dir(directory, out_csv, *, feedback_dir=None, workers=None, engine="fork", timeout=60.0,
              memory_mb=2048, exercise=None, progress=True) -> list[Row]:
    """Grade every file in ``directory``; write ``out_csv`` and one feedback file per submission."""
    directory, out_csv = Path(directory), Path(out_csv)
    if not directory.is_dir():
        raise ValueError(f"grade: {directory} is not a directory")
    feedback_dir = Path(feedback_dir) if feedback_dir else out_csv.with_name(out_csv.stem + "_feedback")
    for target in (out_csv, feedback_dir):
        if _inside(target, directory):
            raise ValueError(f"grade: refusing to write {target} inside the submissions folder {directory}")
    if exercise is not None:
        get_exercise(exercise)
    files = submissions(directory)
    workers = max(1, int(workers or os.cpu_count() or 1))
    rows: list[Row] = []
    t0 = time.monotonic()
    lock = threading.Lock()

    def task(p):
        row = grade_one(p, root=directory, engine=engine, timeout=timeout, memory_mb=memory_mb, exercise=exercise)
        with lock:
            rows.append(row)
            if progress:
                _progress(len(rows), len(files), time.monotonic() - t0)
        return row

    if files:
        _context()  # start the fork server once, before the threads race for it
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(task, files))
    if progress and sys.stderr.isatty():
        print(file=sys.stderr)
    rows.sort(key=lambda r: r.file)
    write_csv(rows, out_csv)
    write_feedback(rows, feedback_dir)
    return rows


def _progress(done, total, elapsed):
    if not sys.stderr.isatty() and done != total and done % max(1, total // 10):
        return  # in a log file: about ten lines, not one per submission
    width = 30
    filled = int(width * done / max(total, 1))
    rate = done / elapsed if elapsed > 0 else 0.0
    end = "" if sys.stderr.isatty() else "\n"
    print(f"\rgrading [{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {rate:.2f}/s", end=end,
          file=sys.stderr, flush=True)


def write_csv(rows, out_csv) -> None:
    """One row per submission: file, exercise, q1..qN points, total, max, status."""
    n = max([len(r.results) for r in rows] + [max(len(e.questions) for e in exercises().values())])
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with open(out_csv, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "exercise", *[f"q{i}" for i in range(1, n + 1)], "total", "max", "status"])
        for r in rows:
            pts = [f"{res.points:g}" for res in r.results] + [""] * (n - len(r.results))
            w.writerow([r.file, r.exercise, *pts, f"{r.total:g}", f"{r.max_points:g}", r.status])


def feedback_text(row: Row) -> str:
    """The feedback a student gets: status, each question's verdict and hint."""
    lines = [f"# Feedback: {row.file}", "", f"exercise: {row.exercise or '?'}", f"status: {row.status}",
             f"total: {row.total:g} / {row.max_points:g}", ""]
    for res in row.results:
        lines.append(f"- {res.lines().replace(chr(10), chr(10) + '  ')}  [{res.points:g}/{res.max_points:g}]")
    if row.errors:
        lines += ["", "Cells that raised:"] + [f"- {e}" for e in row.errors]
    if row.reasons:
        lines += ["", "Your reasons (read by the instructor):"] + [f"- {q}: {t}" for q, t in row.reasons.items()]
    return "\n".join(lines) + "\n"


def write_feedback(rows, feedback_dir) -> None:
    feedback_dir = Path(feedback_dir)
    feedback_dir.mkdir(parents=True, exist_ok=True)
    for r in rows:
        name = r.file.replace(os.sep, "__").replace("/", "__") + ".feedback.md"
        (feedback_dir / name).write_text(feedback_text(r), encoding="utf-8")
