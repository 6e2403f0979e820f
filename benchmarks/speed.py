"""Single-thread throughput of our kernels, the naive formulas and PyTorch (CPU).

For every activation, value and derivative, every size and dtype, the
implementations are timed *interleaved*: each repetition times every
implementation once, in a rotating order, so a burst of load from elsewhere on the
machine hits all of them alike.  The clock is the calling thread's CPU time
(:func:`time.thread_time`: user + system time of this thread, so time spent waiting
while other processes run is not counted; everything timed runs on this one thread:
NumPy, and PyTorch with ``set_num_threads(1)``, whose CPU autograd also runs on the
calling thread).  The figure kept is the fastest repetition (the least disturbed
one); throughput = elements / second.

What is timed, per call:

* ours  -- the public API, ``act.get(name)(x)`` / ``.grad(x)`` (argument checks,
  dtype handling, float32 computed in float64 and cast back, included);
* naive -- :mod:`benchmarks.naive` on ``x`` in its own dtype;
* torch -- ``torch.nn.functional`` under ``no_grad`` for the value; for the
  derivative, autograd forward + backward (``torch.autograd.grad`` with
  ``grad_outputs = 1``), which is how PyTorch obtains f'(x) from x.  Conversion
  NumPy -> tensor is outside the timing (``torch.from_numpy`` shares memory).

:func:`memory_profile` adds the peak of live temporaries of our kernels and of the
naive formulas in units of the input's size (``tracemalloc``), and every size / dtype
records the time of one pass over memory (``x + 1.0``) with a fresh output array and
with a preallocated one (``out=``): the difference is what allocating one
input-sized temporary costs (page faults when the memory is first touched).
"""

from __future__ import annotations

import gc
import time
import tracemalloc

import numpy as np

import activations as act

from . import naive, torch_impl

__all__ = ["SIZES", "DTYPES", "IMPLS", "run", "time_interleaved", "memory_profile", "default_params"]

SIZES = (1_000, 100_000, 10_000_000)
DTYPES = ("float64", "float32")
IMPLS = ("ours", "naive", "torch")
KINDS = ("value", "grad")
SEED = 20261122


def default_params(name: str) -> dict:
    """The registry's default parameters of ``name`` (what every implementation uses)."""
    return dict(act.get(name).params)


def _inputs(n: int, dtype: str, seed: int = SEED) -> np.ndarray:
    # Standard normal times 3: the range pre-activations live in, both signs, so every
    # branch of a piecewise kernel is exercised.
    rng = np.random.default_rng(seed)
    return (3.0 * rng.standard_normal(n)).astype(dtype)


def _callables(name: str, kind: str, x: np.ndarray, impls) -> dict:
    """impl -> zero-argument callable computing ``kind`` of ``name`` on ``x``."""
    params = default_params(name)
    a = act.get(name)
    out = {}
    if "ours" in impls:
        out["ours"] = (lambda: a(x)) if kind == "value" else (lambda: a.grad(x))
    if "naive" in impls:
        fn = naive.VALUES[name] if kind == "value" else naive.GRADS[name]
        out["naive"] = lambda: fn(x, **params)
    if "torch" in impls and torch_impl.available():
        import torch

        f = torch_impl.functions(name, params)
        t = torch.from_numpy(x)
        if kind == "value":

            def torch_value():
                with torch.no_grad():
                    return f(t)

            out["torch"] = torch_value
        else:
            leaf = t.detach().requires_grad_(True)
            ones = torch.ones_like(t)

            def torch_grad():
                return torch.autograd.grad(f(leaf), leaf, grad_outputs=ones)[0]

            out["torch"] = torch_grad
    return out


#: The clock of every timing: this thread's CPU time (see the module docstring).
CLOCK = time.thread_time
CLOCK_NAME = "thread CPU time (time.thread_time)"


def _calibrate(fn, target: float) -> tuple[int, float]:
    """(calls per sample so one sample takes about ``target`` seconds, time of one call)."""
    t0 = CLOCK()
    fn()
    once = max(CLOCK() - t0, 1e-7)
    return max(1, int(target / once)), once


def time_interleaved(fns: dict, repeats: int, target: float = 0.005) -> dict:
    """Fastest seconds per call of each callable in ``fns``, timed interleaved.

    Parameters
    ----------
    fns : dict
        label -> zero-argument callable.
    repeats : int
        Repetitions; each times every callable once (``number`` calls in a row).  For
        a callable slower than ``target`` the calibration call counts as one more.
    target : float
        Seconds one sample should last; small inputs are called many times per
        sample so the clock's resolution does not matter.

    Returns
    -------
    dict
        label -> seconds per call (minimum over repetitions).
    """
    labels = list(fns)
    calib = {k: _calibrate(fns[k], target) for k in labels}  # also warms up
    numbers = {k: c[0] for k, c in calib.items()}
    # a call that alone lasts longer than a sample (large n) is a sample already
    best = {k: (c[1] if c[0] == 1 else float("inf")) for k, c in calib.items()}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(repeats):
            order = labels[r % len(labels) :] + labels[: r % len(labels)]
            for k in order:
                fn, number = fns[k], numbers[k]
                t0 = CLOCK()
                for _ in range(number):
                    fn()
                best[k] = min(best[k], (CLOCK() - t0) / number)
    finally:
        if gc_was_enabled:
            gc.enable()
    return best


def _repeats(n: int, quick: bool) -> int:
    # small sizes are cheap: more turns make the fastest one likelier undisturbed
    if quick:
        return 2
    return 3 if n >= 10_000_000 else 7


def _memory_pass(x, reps) -> dict:
    """One pass over memory with a fresh output array (what every NumPy temporary costs,
    page faults included) and into a preallocated one (memory traffic only)."""
    buf = np.empty_like(x)
    t = time_interleaved({"fresh": lambda: x + 1.0, "prealloc": lambda: np.add(x, 1.0, out=buf)}, reps)
    return {"seconds": t["fresh"], "seconds_prealloc": t["prealloc"]}


def run(
    names=None,
    sizes=SIZES,
    dtypes=DTYPES,
    impls=IMPLS,
    kinds=KINDS,
    quick: bool = False,
    progress=None,
) -> dict:
    """Time every (activation, value/grad, size, dtype) for every implementation.

    Returns a JSON-ready dict: the settings and one row per measurement with
    ``seconds`` per call for each implementation (``None`` for torch when it is not
    installed or not asked for); the time of one memory pass (``x + 1.0``, fresh and
    preallocated output) per size and dtype; :func:`memory_profile` and
    :func:`select_cost`, which explain the slow kernels.
    """
    names = list(names or act.names())
    torch_ok = "torch" in impls and torch_impl.available()
    if torch_ok:
        torch_impl.set_single_thread()
    rows, passes = [], []
    for n in sizes:
        for dtype in dtypes:
            x = _inputs(n, dtype)
            reps = _repeats(n, quick)
            passes.append({"n": n, "dtype": dtype, **_memory_pass(x, reps)})
            for name in names:
                for kind in kinds:
                    fns = _callables(name, kind, x, impls)
                    secs = time_interleaved(fns, reps)
                    row = {"name": name, "kind": kind, "n": n, "dtype": dtype, "seconds": {}}
                    for impl in IMPLS:
                        row["seconds"][impl] = secs.get(impl)
                    rows.append(row)
                    if progress:
                        progress(row)
            del x  # frees the (up to 80 MB) input before the next one is made
    memory = memory_profile(names, n=10_000 if quick else 1_000_000)
    select = select_cost(n=1_000 if quick else 100_000, repeats=2 if quick else 7)
    return {
        "sizes": list(sizes),
        "dtypes": list(dtypes),
        "impls": list(impls),
        "torch": torch_impl.version(),
        "seed": SEED,
        "input": "3 * standard normal",
        "statistic": "fastest of interleaved repetitions",
        "clock": CLOCK_NAME,
        "repeats": {str(n): _repeats(n, quick) for n in sizes},
        "passes": passes,
        "rows": rows,
        "memory": memory,
        "select": select,
    }


def select_cost(n: int = 100_000, repeats: int = 7) -> dict:
    """Seconds of ``np.where(x > 0, x, b)`` with random and with sorted signs, and of
    the branch-free ``np.maximum(x, b)`` on the same arrays (float64, b = 0.01 x).

    The gap between random and sorted signs is the cost of the per-element branch the
    CPU mispredicts; pre-activations have random signs.
    """
    x = _inputs(n, "float64")
    xs = np.sort(x)
    b, bs = 0.01 * x, 0.01 * xs
    m, ms = x > 0, xs > 0
    t = time_interleaved({"where_random": lambda: np.where(m, x, b), "where_sorted": lambda: np.where(ms, xs, bs),
                          "maximum": lambda: np.maximum(x, b)}, repeats)  # fmt: skip
    return {"n": n, **t}


def memory_profile(names=None, n: int = 1_000_000, dtype: str = "float64") -> list[dict]:
    """Peak live temporaries of our kernels and of the naive formulas (``tracemalloc``).

    ``peak_arrays`` = peak bytes NumPy allocated during one call / ``x.nbytes``: the
    number of input-sized arrays alive at once (the result included).  PyTorch's
    allocations are not seen by ``tracemalloc``, so it has no column.
    """
    names = list(names or act.names())
    x = _inputs(n, dtype)
    out = []
    for name in names:
        params = default_params(name)
        a = act.get(name)
        row = {"name": name, "n": n, "dtype": dtype}
        for label, fn in (
            ("ours_value", lambda: a(x)),
            ("ours_grad", lambda: a.grad(x)),
            ("naive_value", lambda: naive.VALUES[name](x, **params)),
            ("naive_grad", lambda: naive.GRADS[name](x, **params)),
        ):
            tracemalloc.start()
            try:
                fn()
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            row[label] = round(peak / x.nbytes, 2)
        out.append(row)
    return out
