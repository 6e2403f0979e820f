"""Inside the sandbox: run a submission's cells, then probe its answers; JSON lines to a pipe.

Lines written (each one JSON object): ``{"type": "exec", ...}`` after the cells (status,
errors, output size: informational, the submission could fake it), then one
``{"type": "answer", "qid": ..., "entry": ...}`` per question, each as soon as it is probed,
so a process that dies later has shown what it had.  The grader only believes that these
are the values the submission's functions returned; it judges them itself, on inputs
drawn from the instructor's secret.  Never imports the question bank.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time

from .questions import probe_request
from .student import BATCH_ENV, PARAMS_ENV


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


@contextlib.contextmanager
def _time_limit(seconds, exc=KeyboardInterrupt):
    """Raise ``exc`` in the block after ``seconds`` of wall-clock time; the alarm is always cleared.

    An alarm that fires after the block ended but before it was cleared raises ``exc`` here, at
    the ``with``: callers catch it around the ``with``, so it never escapes as a fatal error.
    """

    def _raise(signum, frame):
        raise exc("time limit")

    signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _emit(wfd, obj):
    data = (json.dumps(obj) + "\n").encode()
    while data:
        data = data[os.write(wfd, data) :]


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
    os.environ.update(
        {
            "HOME": home,
            "IPYTHONDIR": os.path.join(home, ".ipython"),
            "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MPLCONFIGDIR": os.path.join(home, ".mpl"),
            "PATH": "/usr/bin:/bin",
            BATCH_ENV: "1",
            PARAMS_ENV: json.dumps(request.get("params") or {})[:100_000],
        }
    )
    os.chdir(home)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    info = {"type": "exec", "cells": 0, "errors": [], "n_errors": 0, "skipped": 0, "output_bytes": 0}
    sys.stdout = sys.stderr = _Counter(info)
    cells = [c for c in request.get("cells", []) if isinstance(c, str)]
    info["cells"] = len(cells)
    timeout = float(limits.get("timeout", 60))
    if limits.get("engine") == "kernel":
        _run_kernel(request, cells, info, wfd, home, limits)
        return
    shell = _shell()
    deadline = time.monotonic() + timeout
    for i, source in enumerate(cells):
        left = deadline - time.monotonic()
        if left <= 0:
            info["skipped"] += 1
            continue
        result = None
        try:
            with _time_limit(left):
                result = shell.run_cell(source, store_history=True)
        except KeyboardInterrupt:
            _error(info, f"cell {i + 1}: stopped at the time limit")
        except BaseException as exc:
            _error(info, f"cell {i + 1}: {type(exc).__name__}")
        if result is not None and not result.success:
            exc = result.error_in_exec or result.error_before_exec
            _error(info, f"cell {i + 1}: {type(exc).__name__}: {exc}")
    info["status"] = "timeout" if info["skipped"] or time.monotonic() > deadline else "ok"
    _emit(wfd, info)
    per_question = float(limits.get("per_question", 5))
    namespace = shell.user_ns
    for q in request.get("questions", []):
        entry = _probe_in_time(q, namespace, per_question)
        _emit(wfd, {"type": "answer", "qid": str(q.get("qid")), "entry": entry})


def _probe_in_time(q, namespace, seconds):
    """Probe one question with a wall-clock alarm; a timeout or a raising probe is an entry too."""
    try:
        with _time_limit(seconds, _Timeout):
            return probe_request(q, namespace)
    except _Timeout:
        return {"status": "timeout"}
    except BaseException as exc:
        return {"status": "probe error", "error": f"{type(exc).__name__}: {exc}"[:300]}


def _error(info, text):
    info["n_errors"] += 1
    if len(info["errors"]) < 5:
        info["errors"].append(str(text)[:300])


# --- kernel engine: nbclient + a real IPython kernel, both inside this sandboxed process tree ----


def kernel_harvest(namespace, request_path, answers_path, per_question):
    """Run in the kernel after the cells: probe each question, one JSON line per answer."""
    with open(request_path, encoding="utf-8") as fh:
        request = json.load(fh)
    with open(answers_path, "w", encoding="utf-8") as out:
        for q in request.get("questions", []):
            entry = _probe_in_time(q, namespace, per_question)
            out.write(json.dumps({"type": "answer", "qid": str(q.get("qid")), "entry": entry}) + "\n")
            out.flush()


def _run_kernel(request, cells, info, wfd, home, limits):
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    timeout = float(limits.get("timeout", 60))
    per_question = float(limits.get("per_question", 5))
    request_path, answers_path = os.path.join(home, ".request.json"), os.path.join(home, ".answers.jsonl")
    with open(request_path, "w", encoding="utf-8") as fh:
        json.dump({"questions": request.get("questions", [])}, fh)
    harvest = (
        "from activations.grading._child import kernel_harvest as __h\n"
        f"__h(globals(), {request_path!r}, {answers_path!r}, {per_question!r})"
    )
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(c) for c in cells] + [nbformat.v4.new_code_cell(harvest)]
    )
    n = len(cells)
    clock = {"deadline": None}

    def left():
        if clock["deadline"] is None:
            clock["deadline"] = time.monotonic() + timeout
        return clock["deadline"] - time.monotonic()

    class Client(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            info["output_bytes"] += len(str(content.get("text", ""))) + len(str(content.get("data", "")))
            if msg.get("msg_type") == "error":
                _error(info, f"cell {cell_index + 1}: {content.get('ename')}: {str(content.get('evalue'))[:200]}")
            return None

        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            if cell_index < n and left() <= 0:
                info["skipped"] += 1
                return cell
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

    def cell_timeout(cell):
        if "kernel_harvest" in cell.source:
            return int(per_question * (len(request.get("questions", [])) + 1) + 5)
        return max(1, int(left() + 0.999))

    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(home, ".kernel"))
    client = Client(
        nb,
        km=km,
        timeout_func=cell_timeout,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": "Timeout", "evalue": "cell time limit", "traceback": []},
        resources={"metadata": {"path": home}},
        startup_timeout=60,
    )
    try:
        client.execute()
        info["status"] = "timeout" if info["skipped"] or left() < 0 else "ok"
    except DeadKernelError:
        info["status"] = "kernel died"
    except Exception as exc:
        info["status"] = f"execution failed ({type(exc).__name__})"
    _emit(wfd, info)
    try:
        with open(answers_path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if isinstance(msg, dict) and msg.get("type") == "answer":
                    _emit(wfd, msg)
    except OSError:
        pass
