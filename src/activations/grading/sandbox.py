"""The grader's side of the sandbox: start and drive sandboxed workers (bubblewrap).

A :class:`Worker` is one ``bwrap`` process running :mod:`._zygote`.  What the sandbox
sees (``bwrap`` arguments built by :func:`bwrap_command`):

* read-only: ``/usr`` (and the ``/lib``, ``/bin`` links), the Python installation, the
  virtual environment, and the ``activations`` package -- with its question bank
  (``grading/bank``) covered by an empty tmpfs;
* writable: nothing of the host except one private exchange folder per worker (mode 700,
  created by the grader), which each submission hides from itself before its code runs;
* its own user, PID, IPC, network (no interfaces but a down loopback), UTS and cgroup
  namespaces; a fresh ``/dev`` with the null/zero/random devices; no ``/etc``, no
  ``/home`` of the host, no submissions folder, no view of the grader's processes;
* ``--die-with-parent``: if the grader dies, the sandbox and everything in it die.

Each submission then gets its own namespaces inside that (see :mod:`._zygote`), rlimits
(address space, CPU seconds, file size, core dumps) and, when the grader may create
cgroups (root on cgroup v1 or v2), a ``pids`` cgroup per worker (fork bombs) whose
processes are all killed when the worker stops.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INSTALL_HINT = (
    "the grader runs every submission in a bubblewrap sandbox, and `bwrap` was not found: install it "
    "(Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install bubblewrap`), or pass "
    "--unsafe-no-sandbox to grade WITHOUT isolation (only for submissions you trust)"
)
UNSAFE_WARNING = "UNSAFE: graded without the sandbox (--unsafe-no-sandbox)"
PIDS_MAX = 128
CGROUP_ROOT = Path("/sys/fs/cgroup")
STASH = "/run/activations-stash"  # where each submission briefly re-finds runtime folders that live under /tmp
RUNTIME_UNDER_TMP = "ACTIVATIONS_SANDBOX_RUNTIME_UNDER_TMP"


class SandboxError(RuntimeError):
    """The sandbox cannot be started (bwrap missing, user namespaces disabled, ...)."""


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _package_dir() -> Path:
    import activations

    return Path(activations.__file__).resolve().parent


def bwrap_command(exchange: str, python: str | None = None) -> list[str]:
    """The ``bwrap`` command line that starts one sandboxed worker (see the module docstring)."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxError(INSTALL_HINT)
    python = python or sys.executable
    pkg = _package_dir()
    ro = {Path(sys.base_prefix).resolve(), Path(sys.prefix), pkg}
    real_python = Path(python).resolve()
    ro.add(real_python.parent.parent)  # the interpreter the venv links to
    cmd = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--dir",
        "/home/student",
        "--dir",
        STASH,
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        p = Path("/") / name
        if p.is_symlink():
            cmd += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            cmd += ["--ro-bind", str(p), str(p)]
    binds = [p for p in sorted(ro, key=lambda p: len(p.parts)) if not (str(p) + "/").startswith("/usr/")]
    for path in binds:
        cmd += ["--ro-bind", str(path), str(path)]
    under_tmp = [str(p) for p in binds if str(p).startswith("/tmp/")]
    cmd += [
        "--tmpfs",
        str(pkg / "grading" / "bank"),
        "--bind",
        exchange,
        exchange,
        "--chdir",
        "/tmp",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/home/student",
        "--setenv",
        "OPENBLAS_NUM_THREADS",
        "1",
        "--setenv",
        "OMP_NUM_THREADS",
        "1",
        "--setenv",
        "MPLBACKEND",
        "Agg",
        "--setenv",
        "PYTHONDONTWRITEBYTECODE",
        "1",
        "--setenv",
        "PYTHONPATH",
        str(pkg.parent),
        "--setenv",
        RUNTIME_UNDER_TMP,
        ":".join(under_tmp),
        python,
        "-m",
        "activations.grading._zygote",
        exchange,
    ]
    return cmd


class _Cgroup:
    """A pids (and memory) cgroup for one worker, when the grader may create one; else inert."""

    def __init__(self, name: str, memory_mb: int):
        self.dirs = []
        for controller, settings in (
            ("pids", {"pids.max": str(PIDS_MAX)}),
            ("memory", {"memory.limit_in_bytes": str(int(memory_mb * 1.5) * 2**20)}),
        ):
            base = CGROUP_ROOT / controller
            if not (base / "cgroup.procs").exists():
                continue
            d = base / "activations-grade" / name
            try:
                d.mkdir(parents=True, exist_ok=True)
                for key, value in settings.items():
                    (d / key).write_text(value)
                self.dirs.append(d)
            except OSError:
                continue

    @property
    def limits_processes(self) -> bool:
        return any(d.parent.parent.name == "pids" for d in self.dirs)

    def kill_all(self) -> None:
        for _ in range(20):
            pids = set()
            for d in self.dirs:
                try:
                    pids |= {int(p) for p in (d / "cgroup.procs").read_text().split()}
                except OSError:
                    pass
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)
        for d in self.dirs:
            try:
                d.rmdir()
            except OSError:
                pass


class Worker:
    """One sandboxed server; :meth:`run` grades one submission at a time."""

    def __init__(self, name: str, *, unsafe: bool = False, memory_mb: int = 2048, startup_timeout: float = 180.0):
        self.name, self.unsafe, self.memory_mb = name, unsafe, memory_mb
        self.startup_timeout = startup_timeout
        self.proc = None
        self._buf = b""
        self._start()

    def _start(self):
        self.exchange = tempfile.mkdtemp(prefix="activations-grade-")
        os.chmod(self.exchange, 0o700)
        self.cgroup = _Cgroup(f"{os.getpid()}-{self.name}-{time.monotonic_ns()}", self.memory_mb)
        env = {
            "PATH": "/usr/bin:/bin",
            "OPENBLAS_NUM_THREADS": "1",
            "PYTHONPATH": str(_package_dir().parent),
            "OMP_NUM_THREADS": "1",
            "MPLBACKEND": "Agg",
            "PYTHONDONTWRITEBYTECODE": "1",
            "HOME": self.exchange,
        }
        if self.unsafe:
            cmd = [sys.executable, "-m", "activations.grading._zygote", self.exchange]
        else:
            cmd = bwrap_command(self.exchange)
        if self.cgroup.dirs:  # join the cgroups BEFORE bwrap starts (its children are born inside)
            cmd = [
                "/bin/sh",
                "-c",
                'for d in $ACTIVATIONS_CGROUPS; do echo $$ > "$d/cgroup.procs"; done; exec "$@"',
                "sh",
                *cmd,
            ]
            env["ACTIVATIONS_CGROUPS"] = " ".join(str(d) for d in self.cgroup.dirs)
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=self.exchange,
            start_new_session=True,
        )
        ready = self._read_line(time.monotonic() + self.startup_timeout)
        if not (isinstance(ready, dict) and ready.get("ready")):
            err = b""
            try:
                self.proc.kill()
                err = self.proc.stderr.read()[-2000:]
            except Exception:
                pass
            self.stop()
            raise SandboxError(f"the sandboxed worker did not start: {err.decode(errors='replace').strip()}")

    def _read_line(self, deadline):
        """The next JSON line from the worker, or None at the deadline / end of output."""
        fd = self.proc.stdout.fileno()
        while True:
            if b"\n" in self._buf:
                line, self._buf = self._buf.split(b"\n", 1)
                try:
                    return json.loads(line)
                except ValueError:
                    continue
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None
            self._buf += chunk

    def run(self, job: str, request: dict, limits: dict):
        """Run one submission; returns ``(messages, done)``; ``done`` is None if the worker died or hung."""
        path = os.path.join(self.exchange, f"{job}.json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(request, fh)
        messages, done = [], None
        cmd = dict(limits, job=job, isolate=not self.unsafe)
        if not self.cgroup.limits_processes and not self.unsafe:
            cmd["nproc"] = _nproc_budget()
        try:
            self.proc.stdin.write((json.dumps(cmd) + "\n").encode())
            self.proc.stdin.flush()
            deadline = time.monotonic() + float(limits["hard_limit"]) + 30
            while True:
                msg = self._read_line(deadline)
                if msg is None:
                    break
                if msg.get("job") != job:
                    continue
                if msg.get("done") is True and set(msg) >= {"exit", "killed"} and "type" not in msg:
                    done = msg
                    break
                messages.append(msg)
        except OSError:
            pass
        finally:
            for p in (path, os.path.join(self.exchange, job + ".home")):
                shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else _unlink(p)
        if done is None:  # the worker died or hung: start a fresh one for the next submission
            self.stop()
            self._start()
        return messages, done

    def stop(self):
        if self.proc is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
            for stream in (self.proc.stdout, self.proc.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
        self.cgroup.kill_all()
        shutil.rmtree(self.exchange, ignore_errors=True)


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _nproc_budget(margin: int = 64) -> int:
    """RLIMIT_NPROC counts every process of the user: the current count plus a margin."""
    uid, n = os.getuid(), 0
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    n += entry.stat().st_uid == uid
                except OSError:
                    pass
    except OSError:
        return 0
    return n + margin
