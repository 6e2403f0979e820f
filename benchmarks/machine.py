"""Description of the machine and software a benchmark ran on (stored with every result)."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import os
import platform
import sys
from pathlib import Path

__all__ = ["info", "cpu_model", "now_utc", "numpy_simd"]


def cpu_model() -> str:
    """CPU model name from ``/proc/cpuinfo`` (Linux), else :func:`platform.processor`."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def now_utc() -> str:
    """Current time, ISO 8601 in UTC to the second (``2026-11-22T08:00:00Z``)."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _version(package: str) -> str | None:
    """Installed version of ``package`` (without importing it), or ``None``."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


#: The SIMD extensions NumPy can dispatch to that matter for its loops here (AVX512_SKX
#: is the level of its SVML-based expm1, log1p, tanh, ...).
SIMD = ("AVX2", "FMA3", "AVX512F", "AVX512_SKX", "AVX512_ICL", "AVX512_SPR")


def numpy_simd() -> list[str]:
    """The extensions of :data:`SIMD` NumPy uses in this process (``NPY_DISABLE_CPU_FEATURES``
    removes some at import)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:  # pragma: no cover - other NumPy layouts
        return []
    return [f for f in SIMD if feats.get(f)]


def info() -> dict:
    """CPU model, core count, OS, Python / NumPy / SciPy / mpmath / torch versions, date,
    and the SIMD extensions NumPy uses.

    ``torch`` is ``None`` when it is not installed.
    """
    return {
        "date": now_utc(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "numpy": _version("numpy"),
        "scipy": _version("scipy"),
        "mpmath": _version("mpmath"),
        "torch": _version("torch"),
        "threads": {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
        "numpy_simd": numpy_simd(),
    }
