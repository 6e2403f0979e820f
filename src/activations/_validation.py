"""Input and parameter checks shared by every public function.

Rules (the course's contract): float16, bfloat16 (the ``ml_dtypes`` NumPy dtype),
float32 and float64 arrays keep their dtype; other real floats (longdouble) and bools,
ints, lists, tuples and Python scalars become float64; 0-d in gives 0-d out; complex,
strings, objects, ``None``, ragged lists and the other ``ml_dtypes`` formats (float8,
int4, ...) raise ``TypeError`` naming the function; bad parameter values raise
``ValueError``.  Inputs are never modified.

The kernels compute every format in float64 and round the result once to the
caller's dtype (see :mod:`activations.kernels`).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

try:  # optional: bfloat16 is accepted when ml_dtypes (pinned in requirements.txt) is installed
    from ml_dtypes import bfloat16 as _bfloat16
except ImportError:  # pragma: no cover - exercised only without ml_dtypes
    _bfloat16 = None

_FLOAT_KINDS = "f"
_CAST_KINDS = "biu"
#: dtypes the kernels take and return as they are (the kernels compute them in float64)
KERNEL_DTYPES = tuple(np.dtype(t) for t in (np.float64, np.float32, np.float16, _bfloat16) if t is not None)
SUPPORTED = "float64, float32, float16, bfloat16 (ml_dtypes)"


def as_kernel_input(x, fname: str) -> tuple[np.ndarray, np.dtype]:
    """Like :func:`as_float_array`, but float32, float16 and bfloat16 arrays are
    returned as they are: the kernels (:mod:`activations.kernels`) take every format
    of :data:`KERNEL_DTYPES`, compute it in float64 block by block and return the
    caller's dtype, so no input-sized float64 copy is made."""
    if isinstance(x, np.ndarray) and x.dtype in KERNEL_DTYPES:
        return x, x.dtype
    return as_float_array(x, fname)


def as_float_array(x, fname: str) -> tuple[np.ndarray, np.dtype]:
    """Return ``(x as a float64 array, dtype the result must have)``.

    The float64 array may be ``x`` itself (kernels never write into it).
    """
    if x is None:
        raise TypeError(f"{fname}(): expected a real number or array, got None")
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{fname}(): expected a real number or array, got {type(x).__name__} {x!r:.40}")
    if isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"{fname}(): complex input is not supported (got {x!r})")
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as exc:  # ragged nested sequences
            raise TypeError(f"{fname}(): input is not a rectangular array of real numbers ({exc})") from None
    if arr.dtype in KERNEL_DTYPES:
        return arr.astype(np.float64, copy=False), arr.dtype
    kind = arr.dtype.kind
    if kind in _FLOAT_KINDS and arr.dtype == np.longdouble:
        return arr.astype(np.float64), np.dtype(np.float64)
    if kind in _CAST_KINDS:
        return arr.astype(np.float64), np.dtype(np.float64)
    if kind == "c":
        raise TypeError(f"{fname}(): complex input is not supported (dtype {arr.dtype})")
    if kind in _FLOAT_KINDS or kind == "V" and arr.dtype.fields is None:  # ml_dtypes' float8, int4, ...
        raise TypeError(f"{fname}(): unsupported dtype {arr.dtype}; supported float dtypes: {SUPPORTED}")
    raise TypeError(
        f"{fname}(): expected real numbers, got an array of dtype {arr.dtype} "
        f"(strings, objects, None and ragged lists are not accepted)"
    )


def finish(result: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Cast a kernel result to the caller's dtype (0-d stays 0-d; no copy if it has it)."""
    result = np.asarray(result)
    return result.astype(dtype, copy=False) if result.dtype != dtype else result


def real_param(value, name: str, fname: str, *, positive=False, nonnegative=False, nonzero=False) -> float:
    """Check a scalar parameter and return it as a Python float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{fname}(): parameter {name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{fname}(): parameter {name} must be finite, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{fname}(): parameter {name} must be > 0, got {value}")
    if nonnegative and value < 0:
        raise ValueError(f"{fname}(): parameter {name} must be >= 0, got {value}")
    if nonzero and value == 0:
        raise ValueError(f"{fname}(): parameter {name} must be non-zero, got {value}")
    return value


def int_param(value, name: str, fname: str, *, minimum=1) -> int:
    """Check an integer parameter (e.g. maxout pieces, softmax axis)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{fname}(): parameter {name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{fname}(): parameter {name} must be >= {minimum}, got {value}")
    return value


def check_rng(rng, fname: str):
    """Require an explicit ``numpy.random.Generator`` (the course keeps no global random state)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{fname}(): rng must be a numpy.random.Generator (e.g. np.random.default_rng(0)), got {type(rng).__name__}"
        )
    return rng


# --- arguments of networks and experiments ------------------------------------------


def check_int(value, name, fname, minimum=1):
    """An integer argument (sizes, epochs, seeds) as a Python int, at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{fname}(): {name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{fname}(): {name} must be >= {minimum}, got {value}")
    return int(value)


def check_positive(value, name, fname, allow_zero=False):
    """A finite real argument > 0 (>= 0 with ``allow_zero``), e.g. a learning rate, as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{fname}(): {name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{fname}(): {name} must be {'>= 0' if allow_zero else '> 0'} and finite, got {value}")
    return value


def as_batch(X, fname, n_features=None, dtype=np.float64):
    """A 2-d ``dtype`` (float64 by default) copy-free view of ``X`` (never written to)."""
    arr = np.asarray(X)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{fname}(): X must be a real array, got dtype {arr.dtype}")
    arr = arr.astype(dtype, copy=False)
    if arr.ndim != 2:
        raise ValueError(f"{fname}(): X must be 2-d (n_samples, n_features), got shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"{fname}(): X has {arr.shape[1]} features, the model expects {n_features}")
    return arr


def as_labels(y, n, fname):
    """Integer class labels ``y`` (n of them) as an int64 vector."""
    arr = np.asarray(y)
    if arr.dtype.kind not in "biu":
        if arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{fname}(): y must hold integer class labels, got dtype {arr.dtype}")
    arr = arr.reshape(-1).astype(np.int64)
    if arr.shape[0] != n:
        raise ValueError(f"{fname}(): y has {arr.shape[0]} labels for {n} samples")
    return arr
