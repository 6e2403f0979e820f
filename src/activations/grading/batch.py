"""Grade a folder of submissions: sandboxed execution, verdicts in this process, a gradebook CSV.

For each file, this (trusted) process reads the notebook itself (outputs dropped, zip
archives and non-notebooks reported), decides which exercise it is (and flags a notebook
whose content or name says otherwise), draws the test inputs from the instructor's
secret, and hands ONLY the code cells and those inputs to a sandboxed worker
(:mod:`.sandbox`).  The submission runs there and reports what its functions returned;
every verdict is computed here, against references computed here.  Rows are appended
to the CSV as they are graded, so a killed grader keeps them and a re-run resumes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import questions as _questions
from .bank import exercises, get_exercise
from .questions import FAIL, NOT_ATTEMPTED, UNGRADED, Result, with_student

MAX_FILE_BYTES = 512 * 2**20  # outputs are stripped, so only absurd files are refused
MAX_COLUMNS = 8  # question columns in the CSV (the largest exercise has 6)
OK, FLAGGED, UNGRADABLE = "ok", "flagged", "ungraded"


@dataclass
class Row:
    """One submission's grade."""

    file: str
    exercise: str = ""
    results: list = field(default_factory=list)
    status: str = ""
    code: str = OK  # ok | flagged (graded, but look at it) | ungraded (no score)
    errors: list = field(default_factory=list)
    reasons: dict = field(default_factory=dict)
    seconds: float = 0.0
    sha256: str = ""
    notebook_student: str = ""  # the notebook's STUDENT_ID (or metadata activations.student)

    @property
    def graded(self) -> bool:
        return self.code != UNGRADABLE

    @property
    def total(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def max_points(self) -> float:
        return sum(r.max_points for r in self.results)

    @property
    def student(self) -> str:
        return self.notebook_student or student_id(self.file, self.exercise)


def student_id(relpath: str, exercise: str = "") -> str:
    """``alice/02_sigmoid_tanh.ipynb`` -> ``alice``; ``bob_02_sigmoid_tanh.ipynb`` -> ``bob``."""
    parts = Path(relpath).parts
    if len(parts) > 1:
        return parts[0]
    stem = Path(relpath).stem
    for ex_id in ([exercise] if exercise else []) + list(exercises()):
        stem = stem.replace(ex_id, "")
    stem = re.sub(r"(?<!\d)0[1-9](?!\d)", "", stem)
    return stem.strip(" _-.") or Path(relpath).stem


# --- reading a submission (trusted side: JSON only, nothing executed) ----------------------


class NotANotebook(ValueError):
    pass


def read_cells(path: Path):
    """``(code cell sources, metadata)`` of a notebook file; outputs are never kept."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise NotANotebook(f"file of {size / 2**20:.0f} MB (limit {MAX_FILE_BYTES // 2**20} MB)")
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
            raise NotANotebook("a zip archive: unpack it and submit the .ipynb file inside")
        fh.seek(0)
        raw = fh.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotANotebook("not a notebook (binary file, not UTF-8 text)") from None
    if not text.strip():
        raise NotANotebook("not a notebook (empty file)")
    try:
        nb = json.loads(text)
    except ValueError as exc:
        raise NotANotebook(f"not a notebook (invalid JSON: {str(exc)[:80]})") from None
    del raw, text
    if not isinstance(nb, dict):
        raise NotANotebook("not a notebook (JSON but not a notebook object)")
    cells = nb.get("cells")
    if cells is None and isinstance(nb.get("worksheets"), list):  # nbformat 3
        cells = [c for ws in nb["worksheets"] if isinstance(ws, dict) for c in ws.get("cells", [])]
    if not isinstance(cells, list):
        raise NotANotebook("not a notebook (no cells)")
    sources = []
    for c in cells:
        if not isinstance(c, dict) or c.get("cell_type") != "code":
            continue
        src = c.get("source", c.get("input", ""))
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
        sources.append(src if isinstance(src, str) else "")
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    return sources, meta


_STUDENT_RE = re.compile(r"""^\s*STUDENT_ID\s*=\s*(?:r|u)?(["'])([^"'\n]{0,80})\1""", re.MULTILINE)


def notebook_student(sources, meta) -> str:
    """The student id a notebook declares: metadata ``activations.student``, else the last
    ``STUDENT_ID = "..."`` line of its code (read as text, nothing executed); ``""`` if none.
    The per-student parameters of the questions are drawn from it (the notebook's
    ``check.params`` used the same id)."""
    act_meta = meta.get("activations") if isinstance(meta.get("activations"), dict) else {}
    value = act_meta.get("student")
    if isinstance(value, str) and value.strip():
        return value.strip()[:80]
    found = ""
    for src in sources:
        for m in _STUDENT_RE.finditer(src or ""):
            found = m.group(2).strip()
    return found


def _exercise_from_name(name: str) -> str | None:
    known = exercises()
    for ex_id in known:
        if ex_id in name:
            return ex_id
    m = re.search(r"(?<!\d)(0[1-9])(?!\d)", name)
    if m:
        for ex_id in known:
            if ex_id.startswith(m.group(1) + "_"):
                return ex_id
    return None


def _content_scores(sources) -> dict:
    """How many of each exercise's answer names the code assigns or defines."""
    code = "\n".join(sources)
    scores = {}
    for ex_id, ex in exercises().items():
        names = {q.names[0] for q in ex.questions}
        scores[ex_id] = sum(
            bool(re.search(rf"(^|\n)\s*(def\s+{re.escape(n)}\s*\(|{re.escape(n)}\s*=)", code)) for n in names
        )
    return scores


def identify(sources, meta, name: str, override: str | None = None):
    """``(exercise id or None, [warnings])`` from ``--exercise``, metadata, file name and content."""
    known = exercises()
    from_meta = meta.get("activations", {}).get("exercise") if isinstance(meta.get("activations"), dict) else None
    from_meta = from_meta if from_meta in known else None
    from_name = _exercise_from_name(name)
    chosen = override or from_meta or from_name
    notes = []
    if from_meta and from_name and from_meta != from_name:
        notes.append(f"file name says {from_name}, notebook metadata says {from_meta}")
    if chosen:
        scores = _content_scores(sources)
        best = max(scores, key=scores.get)
        if scores[best] > scores[chosen] and scores[best] >= 2:
            notes.append(
                f"its answers look like exercise {best} ({scores[best]} answer names found, "
                f"{scores[chosen]} of {chosen})"
            )
    if notes and chosen:
        notes[-1] += f"; graded as {chosen}"
    return chosen, notes


# --- grading ------------------------------------------------------------------------------


ENGINES = ("shell", "kernel")
#: statuses of an ungraded row that the sandbox, not the submission file, may have caused: retried once
TRANSIENT = ("sandbox error", "grader error")


def limits_for(exercise, timeout: float, memory_mb: int, engine: str = "shell") -> dict:
    per_question = max(2.0, min(10.0, timeout / 2))
    n = len(exercise.questions)
    startup = 60 if engine == "kernel" else 0  # a kernel's start-up is not in `timeout`
    return {
        "timeout": float(timeout),
        "memory_mb": int(memory_mb),
        "per_question": per_question,
        "cpu_s": int(timeout + per_question * n + 30 + startup),
        "fsize_mb": 64,
        "engine": engine,
        "hard_limit": float(timeout + per_question * n + 15 + startup),
    }


def build_request(exercise, sources, student: str = "") -> dict:
    """What the sandbox gets: the cells, the calls to make, and this student's (public) parameters."""
    questions = [dict(with_student(q.request, True, student=student), qid=q.qid) for q in exercise.questions]
    params = {q.qid: q.parameters(student) for q in exercise.questions if getattr(q, "params", None) is not None}
    return {"cells": sources, "questions": questions, "params": params}


def grade_one(path, worker, *, root=None, timeout=60.0, memory_mb=2048, exercise=None, engine="shell") -> Row:
    """Grade one submission file with ``worker`` (a :class:`.sandbox.Worker`); never raises."""
    path = Path(path)
    row = Row(str(path.relative_to(root)) if root else path.name)
    t0 = time.monotonic()
    try:
        if path.is_symlink():
            row.code, row.status = UNGRADABLE, "not graded: a symbolic link (copy the file itself into the folder)"
            return row
        row.sha256 = _sha256(path)
        try:
            sources, meta = read_cells(path)
        except NotANotebook as exc:
            row.exercise = exercise or _exercise_from_name(path.name) or ""
            row.code, row.status = UNGRADABLE, str(exc)
            return row
        ex_id, notes = identify(sources, meta, path.name, exercise)
        if ex_id is None:
            row.code = UNGRADABLE
            row.status = "unknown exercise (no activations.exercise metadata and no 0N_ prefix in the file name)"
            return row
        row.exercise = ex_id
        row.notebook_student = notebook_student(sources, meta)
        from_path = student_id(row.file, ex_id)
        if row.notebook_student and len(Path(row.file).parts) > 1 and row.notebook_student != from_path:
            notes.append(f"the notebook's STUDENT_ID is {row.notebook_student!r}, the file is in {from_path!r}/")
        ex = get_exercise(ex_id)
        lim = limits_for(ex, timeout, memory_mb, engine)
        job = f"j{time.monotonic_ns()}"
        messages, done = worker.run(job, build_request(ex, sources, row.notebook_student), lim)
        _fill(row, ex, messages, done, lim)
        if notes:
            row.code = FLAGGED if row.code == OK else row.code
            row.status = "look at this: " + "; ".join(notes) + " | " + row.status
    except Exception as exc:
        row.code, row.status = UNGRADABLE, f"grader error ({type(exc).__name__}: {exc})"
    finally:
        row.status = " ".join(str(row.status).split())  # one line in the CSV
        row.seconds = round(time.monotonic() - t0, 2)
    return row


def _fill(row: Row, ex, messages, done, lim) -> None:
    info = next((m for m in messages if m.get("type") == "exec"), {})
    fatal = next((m for m in messages if m.get("type") == "fatal"), None)
    answers = {}
    for m in messages:
        if m.get("type") == "answer" and isinstance(m.get("entry"), dict):
            answers.setdefault(str(m.get("qid")), m["entry"])
    row.errors = [str(e)[:300] for e in (info.get("errors") or [])][:5] if isinstance(info.get("errors"), list) else []
    if done is None:
        status = "the sandbox stopped responding (restarted); answers shown before that were judged"
    elif done.get("killed"):
        status = f"killed ({done['killed']}, {lim['hard_limit']:.0f} s)"
    elif fatal and not info:
        status = f"sandbox error: {str(fatal.get('error'))[:200]}"
        if not answers:
            row.code = UNGRADABLE
    elif not info:
        status = f"process died before its cells finished (exit code {done.get('exit')}; memory limit or os._exit?)"
    elif info.get("status") == "timeout":
        status = f"timeout ({lim['timeout']:g} s for the cells)"
    elif len(answers) < len(ex.questions):
        status = f"process died while its answers were collected (exit code {done.get('exit')})"
    else:
        status = "ok"
    cut_short = status != "ok"
    row.results, row.reasons = _judge(ex, answers, cut_short, row.notebook_student)
    if row.code == UNGRADABLE:
        row.status = status
        return
    n_err = int(info.get("n_errors") or 0) if isinstance(info.get("n_errors"), int) else 0
    if n_err and status == "ok":
        status = f"ok ({n_err} cell(s) raised)"
    out = info.get("output_bytes", 0)
    if isinstance(out, int) and out > 10 * 2**20:
        status += f"; printed {out / 2**20:.0f} MB (discarded)"
    row.status = status


def _judge(exercise, answers: dict, cut_short: bool, student: str = ""):
    results, reasons = [], {}
    for q in exercise.questions:
        entry = answers.get(q.qid)
        if entry is None:
            # never shown by the submission: no points (it died, hung or was killed first)
            results.append(
                Result(
                    q.qid,
                    q.title,
                    FAIL,
                    0.0,
                    q.points,
                    "no answer: the notebook stopped (time or memory limit, or it exited) "
                    "before this answer was collected",
                )
            )
            continue
        st = entry.get("status")
        if st == "missing":
            results.append(
                Result(
                    q.qid,
                    q.title,
                    NOT_ATTEMPTED,
                    0.0,
                    q.points,
                    f"answer {q.names[0]!r} not found ("
                    + (
                        "its cell did not run before the time limit, or was deleted)"
                        if cut_short
                        else "cell deleted or renamed?)"
                    ),
                )
            )
        elif st == "ok":
            try:
                results.append(with_student(q.judge, entry.get("data"), full=True, student=student))
            except Exception as exc:
                results.append(Result(q.qid, q.title, FAIL, 0.0, q.points, f"malformed answer ({type(exc).__name__})"))
            data = entry.get("data")
            if len(q.names) > 1 and isinstance(data, dict) and data.get("reason"):
                reasons[q.qid] = str(data["reason"])[:1000]
        else:
            detail = "time limit of the question" if st == "timeout" else str(entry.get("error", st))[:200]
            results.append(Result(q.qid, q.title, FAIL, 0.0, q.points, f"could not be checked ({detail})"))
    return results, reasons


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- the folder ---------------------------------------------------------------------------


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


def load_secret(secret: str | None = None, secret_file: str | None = None) -> str | None:
    """The instructor's secret: ``--secret-file`` (first line), else ``--secret``, else $ACTIVATIONS_GRADING_SECRET."""
    if secret_file:
        value = Path(secret_file).read_text(encoding="utf-8").strip()
        if not value:
            raise ValueError(f"grade: the secret file {secret_file} is empty")
        return value
    return secret or os.environ.get("ACTIVATIONS_GRADING_SECRET") or None


def grade_dir(
    directory,
    out_csv,
    *,
    feedback_dir=None,
    workers=None,
    timeout=60.0,
    memory_mb=2048,
    exercise=None,
    progress=True,
    secret=None,
    unsafe_no_sandbox=False,
    resume=True,
    engine="shell",
) -> list[Row]:
    """Grade every file in ``directory``; rows go to ``out_csv`` as they are graded."""
    from .sandbox import INSTALL_HINT, UNSAFE_WARNING, SandboxError, Worker, bwrap_path

    directory, out_csv = Path(directory), Path(out_csv)
    if not directory.is_dir():
        raise ValueError(f"grade: {directory} is not a directory")
    feedback_root = Path(feedback_dir) if feedback_dir else out_csv.with_name(out_csv.stem + "_feedback")
    for target in (out_csv, feedback_root):
        if _inside(target, directory):
            raise ValueError(f"grade: refusing to write {target} inside the submissions folder {directory}")
    if exercise is not None:
        get_exercise(exercise)
    if engine not in ENGINES:
        raise ValueError(f"grade: engine must be one of {', '.join(ENGINES)}")
    if not unsafe_no_sandbox and bwrap_path() is None:
        raise SandboxError(INSTALL_HINT)
    _questions.use_secret(secret)
    files = submissions(directory)
    done = _previous_rows(out_csv) if resume else {}
    todo = [
        p
        for p in files
        if str(p.relative_to(directory)) not in done or done[str(p.relative_to(directory))] != _sha256_or_none(p)
    ]
    workers = max(1, min(int(workers or os.cpu_count() or 1), max(1, len(todo))))
    run_id = time.strftime("%Y%m%d-%H%M%S")
    feedback_run = feedback_root / run_id
    writer = _CsvAppender(out_csv, resume=resume)
    rows: list[Row] = []
    lock = threading.Lock()
    local = threading.local()
    pool_workers: list = []
    t0 = time.monotonic()

    def new_worker():
        local.worker = Worker(f"w{threading.get_ident()}", unsafe=unsafe_no_sandbox, memory_mb=memory_mb)
        with lock:
            pool_workers.append(local.worker)

    def grade(p):
        return grade_one(
            p, local.worker, root=directory, timeout=timeout, memory_mb=memory_mb, exercise=exercise, engine=engine
        )

    def task(p):
        if not hasattr(local, "worker"):
            new_worker()
        row = grade(p)
        if row.code == UNGRADABLE and row.status.startswith(TRANSIENT):
            # the sandbox failed, not (necessarily) the submission: one more try in a fresh sandbox
            first = row.status
            local.worker.stop()
            try:
                new_worker()
            except SandboxError as exc:  # keep the first row; the next submission starts a worker again
                del local.worker
                row.status = f"{first} (no second try: {str(exc)[:150]})"
            else:
                row = grade(p)
                row.status = f"{row.status} (graded on a second try; the first ended with: {first[:150]})"
        if unsafe_no_sandbox:
            row.status = f"{row.status}; {UNSAFE_WARNING}"
        with lock:
            rows.append(row)
            writer.write(row)
            write_feedback_one(row, feedback_run)
            if progress:
                _progress(len(rows), len(todo), time.monotonic() - t0)
        return row

    try:
        if todo:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(task, todo))
    finally:
        for w in pool_workers:
            w.stop()
        writer.close()
        _questions.use_secret(None)
    if progress and sys.stderr.isatty():
        print(file=sys.stderr)
    writer.finalize(order=[str(p.relative_to(directory)) for p in files])
    rows.sort(key=lambda r: r.file)
    return rows


def _sha256_or_none(p: Path):
    try:
        return None if p.is_symlink() else _sha256(p)
    except OSError:
        return None


def _progress(done, total, elapsed):
    if not sys.stderr.isatty() and done != total and done % max(1, total // 10):
        return  # in a log file: about ten lines, not one per submission
    width = 30
    filled = int(width * done / max(total, 1))
    rate = done / elapsed if elapsed > 0 else 0.0
    end = "" if sys.stderr.isatty() else "\n"
    print(
        f"\rgrading [{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {rate:.2f}/s",
        end=end,
        file=sys.stderr,
        flush=True,
    )


# --- the gradebook ------------------------------------------------------------------------


def csv_header() -> list[str]:
    cols = ["student", "file", "exercise"]
    for i in range(1, MAX_COLUMNS + 1):
        cols += [f"q{i}", f"q{i}_max"]
    return cols + ["total", "max", "percent", "code", "status", "sha256"]


def safe_cell(value) -> str:
    """Text a spreadsheet will not run as a formula (OWASP: prefix = + - @ tab CR with a quote)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(r: Row) -> list[str]:
    cells = [safe_cell(r.student), safe_cell(r.file), safe_cell(r.exercise)]
    for i in range(MAX_COLUMNS):
        if i < len(r.results):
            res = r.results[i]
            cells += ["" if (not r.graded or res.status == UNGRADED) else f"{res.points:g}", f"{res.max_points:g}"]
        else:
            cells += ["", ""]
    if r.graded and r.results:
        pct = 100.0 * r.total / r.max_points if r.max_points else 0.0
        cells += [f"{r.total:g}", f"{r.max_points:g}", f"{pct:.1f}"]
    else:
        cells += ["", f"{r.max_points:g}" if r.results else "", ""]
    return cells + [r.code, safe_cell(r.status), r.sha256]


def _previous_rows(out_csv: Path) -> dict:
    """``{file: sha256}`` of the rows of an earlier (possibly killed) run that were graded."""
    if not out_csv.exists():
        return {}
    try:
        with open(out_csv, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != csv_header():
                return {}
            return {_unquote(row["file"]): row["sha256"] for row in reader if row.get("code") != UNGRADABLE}
    except (OSError, csv.Error, KeyError):
        return {}


def _unquote(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


class _CsvAppender:
    """Appends one row per graded submission (flushed and fsynced), then sorts the file at the end."""

    def __init__(self, path: Path, resume: bool):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not (resume and path.exists() and _header_ok(path))
        self.fh = open(path, "w" if fresh else "a", newline="", encoding="utf-8")
        self.w = csv.writer(self.fh)
        if fresh:
            self.w.writerow(csv_header())
            self._flush()

    def _flush(self):
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def write(self, row: Row):
        self.w.writerow(csv_row(row))
        self._flush()

    def close(self):
        if not self.fh.closed:
            self.fh.close()

    def finalize(self, order):
        """Keep the newest row per file, in folder order, rewritten atomically."""
        with open(self.path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))[1:]
        latest = {}
        for r in rows:
            if len(r) == len(csv_header()):
                latest[_unquote(r[1])] = r
        rank = {f: i for i, f in enumerate(order)}
        keep = sorted((r for f, r in latest.items() if f in rank), key=lambda r: rank[_unquote(r[1])])
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(csv_header())
            w.writerows(keep)
        os.replace(tmp, self.path)


def _header_ok(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return next(csv.reader(fh), None) == csv_header()
    except (OSError, csv.Error):
        return False


# --- feedback -----------------------------------------------------------------------------


def _md(text: str) -> str:
    """Untrusted text as inert Markdown: one line, no HTML, no list/heading syntax at the start."""
    text = " ".join(str(text).split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")


def feedback_text(row: Row) -> str:
    """The feedback a student gets: status, each question's verdict and hint."""
    total = f"{row.total:g} / {row.max_points:g}" if row.graded else f"not graded / {row.max_points:g}"
    lines = [
        f"# Feedback: {_md(row.file)}",
        "",
        f"exercise: {row.exercise or '?'}",
        f"status: {_md(row.status)}",
        f"total: {total}",
        "",
    ]
    for res in row.results:
        text = res.lines()
        suffix = f"\n  hint: {res.hint}"
        first, hint = (text[: -len(suffix)], f"hint: {res.hint}") if res.hint and text.endswith(suffix) else (text, "")
        lines.append(f"- {_md(first)}  [{res.points:g}/{res.max_points:g}]")
        if hint:
            lines.append(f"  {_md(hint)}")
    if row.errors:
        lines += ["", "Cells that raised:"] + [f"- {_md(e)}" for e in row.errors]
    if row.reasons:
        lines += ["", "Your reasons (read by the instructor):"] + [f"- {q}: {_md(t)}" for q, t in row.reasons.items()]
    return "\n".join(lines) + "\n"


def feedback_name(relpath: str) -> str:
    """A file name for ``relpath``'s feedback; distinct paths give distinct names (``a/b`` vs ``a__b``)."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", relpath.replace(os.sep, "__"))[:120]
    return f"{readable}.{hashlib.sha256(relpath.encode()).hexdigest()[:10]}.feedback.md"


def write_feedback_one(row: Row, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / feedback_name(row.file)).write_text(feedback_text(row), encoding="utf-8")


def write_feedback(rows, folder) -> None:
    for r in rows:
        write_feedback_one(r, Path(folder))
