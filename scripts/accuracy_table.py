"""Print the accuracy table of every kernel against the mpmath reference.

For each activation (defaults, plus the non-default parameters in
``reference.EXTRA_PARAMS``) it prints the worst scaled error of the value and of the
derivative over ``reference.grid`` and the x where it occurs.  Scaled error = error
in ULPs of the exact value / max(1, |x g'(x) / g(x)|); the bar is 8 (see
``activations.reference``).  relu'(0) is left out: the kernel's 0 is PyTorch's
convention, SymPy's Heaviside(0) is 1/2 (both are shown in tests/test_symbolic.py).

Usage::

    .venv/bin/python scripts/accuracy_table.py                 # ~1300 points per function
    .venv/bin/python scripts/accuracy_table.py --dense 20000 --random 20000 --float32
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import activations as act
from activations import reference as ref


def configs():
    for name in act.names():
        yield name, {}
    yield from ref.EXTRA_PARAMS


def row(name, params, args):
    xs = ref.grid(name, n_dense=args.dense, n_tail=args.tail, n_random=args.random, seed=args.seed, **params)
    dxs = xs[~np.isin(xs, ref.CONVENTION_POINTS.get(name, ()))]
    out = [*ref.worst(name, xs, **params), *ref.worst(name, dxs, derivative=True, **params)]
    if args.float32:
        x32 = np.unique(xs.astype(np.float32)).astype(np.float64)
        d32 = x32[~np.isin(x32, ref.CONVENTION_POINTS.get(name, ()))]
        out += [ref.worst(name, x32, dtype=np.float32, **params)[0]]
        out += [ref.worst(name, d32, derivative=True, dtype=np.float32, **params)[0]]
    return len(xs), out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dense", type=int, default=1000, help="uniform points on [-40, 40]")
    p.add_argument("--tail", type=int, default=100, help="log-spaced points on each tail to 1e6")
    p.add_argument("--random", type=int, default=0, help="extra random points (seeded)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--float32", action="store_true", help="also float32 in/out, in float32 ULPs")
    args = p.parse_args(argv)

    head = "| activation | params | points | worst value error | at x | worst derivative error | at x |"
    rule = "|---|---|---:|---:|---:|---:|---:|"
    if args.float32:
        head += " float32 value ULPs | float32 derivative ULPs |"
        rule += "---:|---:|"
    print(head)
    print(rule)
    worst_all = 0.0
    t0 = time.time()
    for name, params in configs():
        n, r = row(name, params, args)
        worst_all = max(worst_all, r[0], r[2])
        ps = ", ".join(f"{k}={v:g}" for k, v in params.items()) or "defaults"
        cells = [name, ps, str(n), f"{r[0]:.3g}", f"{r[1]:.6g}", f"{r[2]:.3g}", f"{r[3]:.6g}"]
        cells += [f"{v:.3g}" for v in r[4:]]
        print("| " + " | ".join(cells) + " |", flush=True)
    for name, pts in ref.CONVENTION_POINTS.items():
        print(
            f"\n{name}' at x = {', '.join(map(str, pts))} left out: the kernel follows PyTorch (0), "
            f"SymPy's Heaviside gives 1/2 (see tests/test_symbolic.py)."
        )
    verdict = "PASS" if worst_all <= ref.BAR else "FAIL"
    print(f"\nworst scaled error overall: {worst_all:.3g} (bar {ref.BAR:g}) -> {verdict}; {time.time() - t0:.0f} s")
    return 0 if worst_all <= ref.BAR else 1


if __name__ == "__main__":
    sys.exit(main())
