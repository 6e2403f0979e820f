"""Turn answer probes into JSON and back, without ever evaluating what comes back.

The probe runs next to the student's code (untrusted); the judge reads its JSON in
the grader process.  Decoding therefore accepts only plain JSON, numeric arrays
(dtype checked against a short list, size checked against the byte count) and
strings, never pickles or code.
"""

from __future__ import annotations

import base64

import numpy as np

MAX_ARRAY_BYTES = 8 * 2**20
MAX_TEXT = 2000
_ALLOWED_DTYPES = {
    np.dtype(t).str
    for t in (
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
    )
}


def encode(value, _depth=0):
    """A JSON-safe description of ``value`` (arrays, numbers, short sequences)."""
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype.str not in _ALLOWED_DTYPES:
            return {"kind": "other", "type": f"array of dtype {arr.dtype}"}
        if arr.nbytes > MAX_ARRAY_BYTES:
            return {"kind": "other", "type": f"array of {arr.nbytes} bytes (too large)"}
        data = base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode("ascii")
        return {
            "kind": "array",
            "dtype": arr.dtype.str,
            "shape": list(arr.shape),
            "data": data,
            "numpy_scalar": isinstance(value, np.generic),
        }
    if isinstance(value, bool):
        return {"kind": "py", "type": "bool", "value": value}
    if isinstance(value, int):
        if abs(value) > 2**63:
            return {"kind": "other", "type": "int (huge)"}
        return {"kind": "py", "type": "int", "value": value}
    if isinstance(value, float):
        return {"kind": "py", "type": "float", "value": value}
    if isinstance(value, (tuple, list)) and len(value) <= 10 and _depth < 2:
        return {"kind": "seq", "type": type(value).__name__, "items": [encode(v, _depth + 1) for v in value]}
    return {"kind": "other", "type": type(value).__name__}


def decode(obj):
    """Inverse of :func:`encode`: an ndarray, a Python number, a list, or a :class:`Opaque`."""
    if not isinstance(obj, dict):
        return Opaque("malformed record")
    kind = obj.get("kind")
    if kind == "array":
        dtype = obj.get("dtype")
        if dtype not in _ALLOWED_DTYPES:
            return Opaque("array with a disallowed dtype")
        dtype = np.dtype(dtype)
        shape = tuple(int(n) for n in obj.get("shape", ()))
        raw = base64.b64decode(str(obj.get("data", "")).encode("ascii"), validate=True)
        if len(raw) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize or len(raw) > MAX_ARRAY_BYTES:
            return Opaque("array whose size does not match its shape")
        arr = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        return arr[()] if obj.get("numpy_scalar") else arr
    if kind == "py":
        value, typ = obj.get("value"), obj.get("type")
        ok = {"bool": bool, "int": int, "float": (int, float)}.get(typ)
        if ok is None or not isinstance(value, ok):
            return Opaque("malformed number")
        return float(value) if typ == "float" else value
    if kind == "seq":
        items = obj.get("items")
        if not isinstance(items, list):
            return Opaque("malformed sequence")
        out = [decode(v) for v in items]
        return tuple(out) if obj.get("type") == "tuple" else out
    return Opaque(str(obj.get("type", "unknown"))[:100])


class Opaque:
    """Stands for a value the probe could not (or would not) serialise."""

    def __init__(self, description: str):
        self.description = description

    def __repr__(self):
        return f"<{self.description}>"


def text(value) -> str:
    """A short string from untrusted input (reasons, messages)."""
    return str(value)[:MAX_TEXT] if value is not None else ""
