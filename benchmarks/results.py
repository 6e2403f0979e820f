"""Reading and writing benchmark results (``benchmarks/results/*.json``).

A result file is one JSON object: ``{"schema": 1, "machine": {...}, "accuracy":
{...}, "speed": {...}, "book": {...}}``; each part carries its own ``date`` and
``machine``, because ``python -m benchmarks --only speed`` re-measures one part and
keeps the others of ``latest.json``.  Non-finite floats are stored as the strings
``"inf"``, ``"-inf"`` and ``"nan"`` (strict JSON has no such numbers) and turned
back into floats by :func:`load`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

__all__ = ["RESULTS_DIR", "LATEST", "SCHEMA", "encode", "decode", "load", "save", "merge"]

RESULTS_DIR = Path(__file__).resolve().parent / "results"
LATEST = RESULTS_DIR / "latest.json"
SCHEMA = 1
PARTS = ("accuracy", "speed", "training", "book")
_NONFINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def encode(obj):
    """Copy of ``obj`` with non-finite floats replaced by strings (strict JSON)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        return {str(k): encode(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [encode(v) for v in obj]
    return obj


def decode(obj):
    """Inverse of :func:`encode`."""
    if isinstance(obj, str) and obj in _NONFINITE:
        return _NONFINITE[obj]
    if isinstance(obj, dict):
        return {k: decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decode(v) for v in obj]
    return obj


def load(path=LATEST) -> dict | None:
    """The results stored at ``path``, or ``None`` if there is no such file."""
    path = Path(path)
    if not path.exists():
        return None
    return decode(json.loads(path.read_text(encoding="utf-8")))


def save(results: dict, path) -> Path:
    """Write ``results`` to ``path`` as strict, indented JSON (atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(encode(results), indent=1, allow_nan=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def merge(old: dict | None, new: dict) -> dict:
    """``new`` with the parts it lacks taken from ``old`` (a partial run keeps the rest)."""
    out = {"schema": SCHEMA, "machine": new.get("machine")}
    for part in PARTS:
        if part in new:
            out[part] = new[part]
        elif old and part in old:
            out[part] = old[part]
    return out
