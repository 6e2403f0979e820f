"""Run ONE submission in its own process and leave two JSON files in ``workdir``.

``exec.json`` says how the execution went (cells run, errors, time-outs, output size)
and ``record.json`` holds the probed answers (see :mod:`.harvest`).  Two engines:

* ``kernel`` -- nbclient drives a fresh IPython kernel from the current environment;
  the kernel command is prefixed by :mod:`._limits` (RLIMIT_AS, RLIMIT_CPU, dies with
  its parent).  Faithful to Jupyter, but a kernel start costs seconds.
* ``fork`` -- this process (forked from a server that already imported NumPy, SciPy,
  SymPy and IPython) limits itself and runs the cells in an IPython ``InteractiveShell``.
  Same isolation (one process per submission), a fraction of the start-up cost.

Outputs are counted and thrown away (a submission printing megabytes costs no memory
here); the notebook file is only read.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from pathlib import Path

from . import _limits
from .bank import exercises
from .student import BATCH_ENV

MAX_NOTEBOOK_BYTES = 20 * 2**20
EXEC_FILE, RECORD_FILE = "exec.json", "record.json"
LIVENESS = "pass  # activations.grading: is the kernel responsive?"


def identify(nb, path: str, override: str | None = None) -> str | None:
    """Exercise id from ``--exercise``, the notebook metadata, or the file name (``03_...``)."""
    known = exercises()
    if override:
        return override if override in known else None
    meta = nb.get("metadata", {}).get("activations", {}) if isinstance(nb, dict) else {}
    if isinstance(meta, dict) and meta.get("exercise") in known:
        return meta["exercise"]
    name = Path(path).name
    for ex_id in known:
        if ex_id in name:
            return ex_id
    m = re.search(r"(?<!\d)(0[1-9])(?!\d)", name)
    if m:
        for ex_id in known:
            if ex_id.startswith(m.group(1) + "_"):
                return ex_id
    return None


class _Info(dict):
    def __init__(self, workdir):
        super().__init__(status="started", exercise=None, cells=0, errors=[], n_errors=0, skipped=0,
                         output_bytes=0, seconds=0.0)
        self._path = os.path.join(workdir, EXEC_FILE)
        self._t0 = time.monotonic()

    def error(self, text: str) -> None:
        self["n_errors"] += 1
        if len(self["errors"]) < 5:
            self["errors"].append(text[:300])

    def save(self) -> None:
        self["seconds"] = round(time.monotonic() - self._t0, 3)
        with open(self._path + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(self, fh)
        os.replace(self._path + ".tmp", self._path)


def run(path: str, workdir: str, engine: str, timeout: float, memory_mb: int, per_question: float,
        exercise_override: str | None = None) -> None:
    """Entry point of the child process (see the module docstring)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    info = _Info(workdir)
    try:
        import nbformat

        if os.path.getsize(path) > MAX_NOTEBOOK_BYTES:
            raise ValueError(f"file larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
        with open(path, encoding="utf-8") as fh:
            nb = nbformat.read(fh, as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("no cells")
    except Exception as exc:
        info["status"] = f"not a notebook ({type(exc).__name__}: {str(exc)[:120]})"
        info.save()
        return
    info["exercise"] = ex_id = identify(nb, path, exercise_override)
    if ex_id is None:
        info["status"] = "unknown exercise (no activations.exercise metadata and no 0N_ prefix in the file name)"
        info.save()
        return
    cells = [c.get("source", "") for c in nb.cells if c.get("cell_type") == "code"]
    cells = [s if isinstance(s, str) else "" for s in cells]
    info["cells"] = len(cells)
    info["status"] = "running"
    info.save()
    cwd = os.path.join(workdir, "cwd")
    os.makedirs(cwd, exist_ok=True)
    os.environ[BATCH_ENV] = "1"  # inherited by the kernel too
    record = os.path.join(workdir, RECORD_FILE)
    cpu = int(timeout + per_question * 8 + 30)
    if engine == "fork":
        _run_here(cells, ex_id, info, cwd, record, timeout, memory_mb, cpu, per_question)
    else:
        _run_kernel(nb, ex_id, info, cwd, record, timeout, memory_mb, cpu, per_question)
    info.save()


# --- fork engine ---------------------------------------------------------------------


class _CappedStream:
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


def _alarm(seconds):
    def _interrupt(signum, frame):
        raise KeyboardInterrupt("cell time limit")

    signal.signal(signal.SIGALRM, _interrupt)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01))


def _run_here(cells, ex_id, info, cwd, record, timeout, memory_mb, cpu, per_question):
    _limits.apply(memory_mb, cpu)
    os.chdir(cwd)
    os.environ["IPYTHONDIR"] = os.path.join(cwd, ".ipython")  # no shared ~/.ipython, no history file
    sys.stdout = sys.stderr = _CappedStream(info)
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    from .harvest import harvest

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config, colors="nocolor")
    shell.showtraceback = lambda *a, **k: None  # the error is recorded below instead
    deadline = time.monotonic() + timeout
    for i, source in enumerate(cells):
        left = deadline - time.monotonic()
        if left <= 0:
            info["skipped"] += 1
            continue
        try:
            _alarm(left)
            result = shell.run_cell(source, store_history=True)
        except KeyboardInterrupt:
            result = None
            info.error(f"cell {i + 1}: stopped at the time limit")
        except BaseException as exc:  # SystemExit and friends escaping IPython
            result = None
            info.error(f"cell {i + 1}: {type(exc).__name__}")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if result is not None and not result.success:
            exc = result.error_in_exec or result.error_before_exec
            info.error(f"cell {i + 1}: {type(exc).__name__}: {exc}")
        info.save()
    info["status"] = "timeout" if info["skipped"] or time.monotonic() > deadline else "ok"
    info.save()
    harvest(shell.user_ns, ex_id, record, per_question_seconds=per_question)


# --- kernel engine -------------------------------------------------------------------


def _run_kernel(nb, ex_id, info, cwd, record, timeout, memory_mb, cpu, per_question):
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    class LimitedKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            return [sys.executable, "-m", "activations.grading._limits", str(memory_mb), str(cpu), "--", *cmd]

    clock = {"deadline": None, "timed_out": None}  # the clock starts with the first cell, not the kernel

    def left() -> float:
        if clock["deadline"] is None:
            clock["deadline"] = time.monotonic() + timeout
        return clock["deadline"] - time.monotonic()

    harvest_src = (
        "from activations.grading.harvest import harvest as __activations_harvest\n"
        f"__activations_harvest(globals(), {ex_id!r}, {record!r}, per_question_seconds={per_question!r})"
    )
    code = [nbformat.v4.new_code_cell(c.get("source", "")) for c in nb.cells if c.get("cell_type") == "code"]
    run_nb = nbformat.v4.new_notebook(cells=code + [nbformat.v4.new_code_cell(harvest_src)])
    n_student = len(code)

    class Client(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            info["output_bytes"] += len(str(content.get("text", ""))) + len(str(content.get("data", "")))
            if msg.get("msg_type") == "error":
                info.error(f"cell {cell_index + 1}: {content.get('ename')}: {str(content.get('evalue'))[:200]}")
            return None

        async def _async_handle_timeout(self, timeout, cell=None):
            clock["timed_out"] = cell
            return await super()._async_handle_timeout(timeout, cell)

        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            if cell_index < n_student and left() <= 0:
                info["skipped"] += 1
                return cell
            if cell_index == n_student and clock.get("timed_out") is not None:
                # A cell was interrupted at the time limit: is the kernel listening again?
                # (A loop that swallows KeyboardInterrupt keeps it busy; then skip the harvest.)
                probe = nbformat.v4.new_code_cell(LIVENESS)
                clock["timed_out"] = None
                await super().async_execute_cell(probe, cell_index, execution_count, False)
                if clock["timed_out"] is probe:
                    info.error("the kernel ignored the interrupt at the time limit; answers not collected")
                    return cell
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

    def cell_timeout(cell):
        if cell.source == LIVENESS:
            return 3
        if "__activations_harvest" in cell.source:
            return int(per_question * 8 + 5)
        return max(1, int(left() + 0.999))

    km = LimitedKernelManager(kernel_name="python3")
    client = Client(run_nb, km=km, timeout_func=cell_timeout, allow_errors=True, interrupt_on_timeout=True,
                    error_on_timeout={"ename": "Timeout", "evalue": "cell time limit", "traceback": []},
                    resources={"metadata": {"path": cwd}}, startup_timeout=60)
    try:
        client.execute()
        info["status"] = "timeout" if info["skipped"] or left() < 0 else "ok"
    except DeadKernelError:
        info["status"] = "kernel died (memory or CPU limit, or the notebook killed it)"
    except Exception as exc:
        info["status"] = f"execution failed ({type(exc).__name__}: {str(exc)[:120]})"
