"""Collect a submission's answers after its notebook ran: probe each question, write JSON.

Runs inside the submission's own process (the kernel, or the forked child), so it
trusts nothing there: each question gets a time limit, every probe's data is plain
JSON, and the file is rewritten after each question so that a process killed
half-way still leaves the answers collected so far.
"""

from __future__ import annotations

import json
import os
import signal
from contextlib import contextmanager

from .bank import get_exercise

_MISSING = object()


class HarvestTimeout(BaseException):
    """Raised by the alarm when one question's probe takes too long."""


@contextmanager
def time_limit(seconds: float):
    """Raise :class:`HarvestTimeout` after ``seconds`` (main thread only; otherwise no limit)."""

    def _raise(signum, frame):
        raise HarvestTimeout

    try:
        previous = signal.signal(signal.SIGALRM, _raise)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _write(path: str, record: dict) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh)
    os.replace(tmp, path)


def harvest(namespace: dict, exercise_id: str, path: str, *, per_question_seconds: float = 5.0) -> None:
    """Probe every question of ``exercise_id`` with the answers found in ``namespace``."""
    exercise = get_exercise(exercise_id)
    record = {"exercise": exercise_id, "full": True, "questions": {}}
    for q in exercise.questions:
        values = [namespace.get(name, _MISSING) for name in q.names]
        if values[0] is _MISSING:
            entry = {"status": "missing", "name": q.names[0]}
        else:
            values = [None if v is _MISSING else v for v in values]
            try:
                with time_limit(per_question_seconds):
                    entry = {"status": "ok", "data": q.probe(*values, full=True)}
            except HarvestTimeout:
                entry = {"status": "timeout"}
            except Exception as exc:
                entry = {"status": "probe error", "error": f"{type(exc).__name__}: {exc}"[:300]}
        record["questions"][q.qid] = entry
        _write(path, record)
