"""Inside the sandbox: run a submission's cells, then probe its answers; JSON lines to a pipe.

Lines written (each one JSON object): ``{"type": "exec", ...}`` after the cells (status,
errors, output size: informational, the submission could fake it), then one
``{"type": "answer", "qid": ..., "entry": ...}`` per question, each as soon as it is probed,
so a process that dies later has shown what it had.  The grader only believes that these
are the values the submission's functions returned; it judges them itself, on inputs
drawn from the instructor's secret.  Never imports the question bank.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

from .questions import probe_request
from .student import BATCH_ENV


class _Counter:
    """A write-only text stream that counts what it is given and keeps nothing."""

    encoding = "utf-8"

    def __init__(self, info):
        self._info = info

    def write(self, s):
        self._info["output_bytes"] += len(s)
        return len(s)

    def flush(self):
        pass

    def isatty(self):
        return False


class _Timeout(BaseException):
    pass


def _alarm(seconds, exc=KeyboardInterrupt):
    def _raise(signum, frame):
        raise exc("time limit")

    signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01))


def _emit(wfd, obj):
    data = (json.dumps(obj) + "\n").encode()
    while data:
        data = data[os.write(wfd, data):]


_SHELL = None


def prepare():
    """Create the (unused) IPython shell in the server, so that each forked submission gets a copy."""
    global _SHELL
    os.environ.setdefault("IPYTHONDIR", "/tmp/.ipython")
    _SHELL = _new_shell()


def _shell():
    return _SHELL if _SHELL is not None else _new_shell()


def _new_shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config, colors="nocolor")
    shell.showtraceback = lambda *a, **k: None  # errors are recorded instead
    # No GUI event loop here: %matplotlib (inline, widget, ...) and %gui become no-ops (the
    # figures are discarded anyway), as they do under the kernel engine with the Agg backend.
    shell.enable_gui = lambda *a, **k: None
    shell.register_magic_function(lambda line="": None, "line", "matplotlib")
    shell.register_magic_function(lambda line="": None, "line", "gui")
    return shell


def run(request: dict, wfd: int, home: str, limits: dict) -> None:
    os.environ.clear()
    os.environ.update({"HOME": home, "IPYTHONDIR": os.path.join(home, ".ipython"), "MPLBACKEND": "Agg",
                       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MPLCONFIGDIR": os.path.join(home, ".mpl"),
                       "PATH": "/usr/bin:/bin", BATCH_ENV: "1"})
    os.chdir(home)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    info = {"type": "exec", "cells": 0, "errors": [], "n_errors": 0, "skipped": 0, "output_bytes": 0}
    sys.stdout = sys.stderr = _Counter(info)
    cells = [c for c in request.get("cells", []) if isinstance(c, str)]
    info["cells"] = len(cells)
    timeout = float(limits.get("timeout", 60))
    shell = _shell()
    deadline = time.monotonic() + timeout
    for i, source in enumerate(cells):
        left = deadline - time.monotonic()
        if left <= 0:
            info["skipped"] += 1
            continue
        result = None
        try:
            _alarm(left)
            result = shell.run_cell(source, store_history=True)
        except KeyboardInterrupt:
            _error(info, f"cell {i + 1}: stopped at the time limit")
        except BaseException as exc:  # noqa: BLE001 - SystemExit and friends escaping IPython
            _error(info, f"cell {i + 1}: {type(exc).__name__}")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if result is not None and not result.success:
            exc = result.error_in_exec or result.error_before_exec
            _error(info, f"cell {i + 1}: {type(exc).__name__}: {exc}")
    info["status"] = "timeout" if info["skipped"] or time.monotonic() > deadline else "ok"
    _emit(wfd, info)
    per_question = float(limits.get("per_question", 5))
    namespace = shell.user_ns
    for q in request.get("questions", []):
        try:
            _alarm(per_question, _Timeout)
            entry = probe_request(q, namespace)
        except _Timeout:
            entry = {"status": "timeout"}
        except BaseException as exc:  # noqa: BLE001
            entry = {"status": "probe error", "error": f"{type(exc).__name__}: {exc}"[:300]}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        _emit(wfd, {"type": "answer", "qid": str(q.get("qid")), "entry": entry})


def _error(info, text):
    info["n_errors"] += 1
    if len(info["errors"]) < 5:
        info["errors"].append(str(text)[:300])
