"""``python -m activations.grading._limits MEM_MB CPU_S -- cmd ...``: exec ``cmd`` under limits.

Used as a prefix of the kernel command: the address space (RLIMIT_AS) and CPU time
(RLIMIT_CPU) are capped, and on Linux the kernel is killed when the process that
started it dies (PR_SET_PDEATHSIG), so a killed grading job leaves no kernel behind.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys


def apply(memory_mb: int, cpu_seconds: int) -> None:
    """Cap this process's address space and CPU time; die with the parent (Linux)."""
    if memory_mb > 0:
        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if cpu_seconds > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    memory_mb, cpu_seconds, sep, *cmd = argv
    if sep != "--" or not cmd:
        raise SystemExit("usage: python -m activations.grading._limits MEM_MB CPU_S -- command ...")
    apply(int(memory_mb), int(cpu_seconds))
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
