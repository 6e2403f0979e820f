"""The sandboxed side of the grader: a pre-loaded server that runs one submission at a time.

``python -m activations.grading._zygote EXCHANGE_DIR`` is started by :mod:`.sandbox`
inside bubblewrap (read-only runtime, no network, no view of the submissions, the
question bank hidden).  It imports NumPy, SciPy, SymPy, IPython and ``activations``
once, then reads commands from stdin, one JSON object a line::

    {"job": "<name>", "timeout": 60, "memory_mb": 2048, "cpu_s": 120, "fsize_mb": 64,
     "per_question": 5, "engine": "fork", "isolate": true}

For each job it forks; the child enters new user, mount, PID, network, IPC and UTS
namespaces, forks again (the grandchild is PID 1 of the new PID namespace, so when it
ends the kernel kills everything it started), reads ``EXCHANGE_DIR/<job>.json`` (its
cells and the probe inputs), hides the exchange folder and ``/proc`` under empty
tmpfs mounts, mounts a private ``/tmp`` and home, applies resource limits, drops every
capability (so the mounts cannot be undone), and only then runs the student's cells.
It writes JSON lines to a pipe; this server forwards them to stdout tagged with the
job, then a final ``{"job": ..., "done": true, "exit": code}`` that the submission cannot
write.  The submission never sees the secret, the other submissions, or the expected
values: it only runs code and reports what its functions returned.

Everything here runs in the sandbox; nothing it prints is trusted by the grader beyond
"the submission's functions returned these values".
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import select
import signal
import sys
import time

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
STASH = "/run/activations-stash"
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
HOME = "/home/student"
MAX_LINE = 4 * 2**20
MAX_JOB_OUTPUT = 32 * 2**20

_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def _check(ret, what):
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags=0, data=None):
    enc = lambda s: s.encode() if s else None
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_capabilities():
    for cap in range(64):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the last capability: ignored
    _check(_libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), (_CapData * 2)()), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _enter_namespaces():
    """In the intermediate child: new namespaces; this process becomes uid 0 there (mapped to us)."""
    uid, gid = os.getuid(), os.getgid()
    _check(
        _libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS),
        "unshare",
    )
    with open("/proc/self/setgroups", "w") as fh:
        fh.write("deny")
    with open("/proc/self/uid_map", "w") as fh:
        fh.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as fh:
        fh.write(f"0 {gid} 1")


def _isolate(exchange, limits):
    """In the grandchild (PID 1 of its namespace): private mounts, limits, no capabilities."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", exchange, "tmpfs", MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    # A fresh /tmp; read-only runtime folders that live under /tmp (a venv or bundle there) are bound again.
    runtime = [p for p in os.environ.get("ACTIVATIONS_SANDBOX_RUNTIME_UNDER_TMP", "").split(":") if p]
    if runtime and os.path.isdir(STASH):
        _mount("/tmp", STASH, None, MS_BIND | MS_REC)
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits['fsize_mb']}m,mode=1777")
    if runtime and os.path.isdir(STASH):
        for path in runtime:
            os.makedirs(path, exist_ok=True)
            _mount(os.path.join(STASH, os.path.relpath(path, "/tmp")), path, None, MS_BIND | MS_REC)
            _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        _check(_libc.umount2(STASH.encode(), MNT_DETACH), "umount stash")
    _mount("tmpfs", HOME, "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits['fsize_mb']}m,mode=0755")
    _mount("tmpfs", "/proc", "tmpfs", MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    _drop_capabilities()


def _apply_limits(limits):
    mem = int(limits.get("memory_mb", 0)) * 2**20
    if mem > 0:
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    cpu = int(limits.get("cpu_s", 0))
    if cpu > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    fsize = int(limits.get("fsize_mb", 0)) * 2**20
    if fsize > 0:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    nproc = int(limits.get("nproc", 0))
    if nproc > 0:
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _grandchild(exchange, job, wfd, limits):
    """Runs the submission; never returns."""
    code = 0
    try:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        with open(os.path.join(exchange, f"{job}.json"), encoding="utf-8") as fh:
            request = json.load(fh)
        if limits.get("isolate", True):
            _isolate(exchange, limits)
        else:
            os.makedirs(os.path.join(exchange, job + ".home"), exist_ok=True)
        home = HOME if limits.get("isolate", True) else os.path.join(exchange, job + ".home")
        for fd in range(3, 1024):  # nothing of the server's but the result pipe
            if fd != wfd:
                try:
                    os.close(fd)
                except OSError:
                    pass
        _apply_limits(limits)
        from . import _child

        _child.run(request, wfd, home, limits)
    except BaseException as exc:
        try:
            os.write(
                wfd, (json.dumps({"type": "fatal", "error": f"{type(exc).__name__}: {exc}"[:300]}) + "\n").encode()
            )
        except OSError:
            pass
        code = 70
    os._exit(code)


def _run_job(exchange, cmd, out):
    job = str(cmd["job"])
    limits = cmd
    rfd, wfd = os.pipe()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # intermediate: namespaces, then the grandchild that is PID 1 there
        try:
            os.close(rfd)
            _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if cmd.get("isolate", True):
                _enter_namespaces()
            gpid = os.fork()
            if gpid == 0:
                _grandchild(exchange, job, wfd, limits)
            os.close(wfd)
            _, status = os.waitpid(gpid, 0)
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
        except BaseException as exc:
            try:
                os.write(wfd, (json.dumps({"type": "fatal", "error": f"sandbox setup: {exc}"[:300]}) + "\n").encode())
            finally:
                os._exit(71)
    os.close(wfd)
    deadline = t0 + float(cmd.get("hard_limit", 120))
    buf, total, killed = b"", 0, None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            killed = "hard time limit"
            break
        ready, _, _ = select.select([rfd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        total += len(chunk)
        if total > MAX_JOB_OUTPUT:
            killed = "too much answer data"
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            _forward(out, job, line)
        if len(buf) > MAX_LINE:
            killed = "answer line too long"
            break
    if killed:
        os.kill(pid, signal.SIGKILL)  # the grandchild dies with it (PDEATHSIG), and its namespace with it
    os.close(rfd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    out.write(
        json.dumps(
            {"job": job, "done": True, "exit": code, "killed": killed, "seconds": round(time.monotonic() - t0, 3)}
        )
        + "\n"
    )
    out.flush()


def _forward(out, job, line: bytes):
    try:
        msg = json.loads(line)
    except ValueError:
        return
    if isinstance(msg, dict):
        msg.pop("done", None)
        msg["job"] = job
        out.write(json.dumps(msg) + "\n")
        out.flush()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    exchange = argv[0]
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    from . import _child, _preload  # noqa: F401  (imports everything a submission needs, once)

    _child.prepare()

    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for raw in sys.stdin:
        try:
            cmd = json.loads(raw)
        except ValueError:
            continue
        if cmd.get("quit"):
            break
        _run_job(exchange, cmd, out)


if __name__ == "__main__":
    main()
