"""``python -m benchmarks`` (``make bench``): measure, save JSON, print the tables.

Usage::

    python -m benchmarks                   # accuracy, speed, book build (about 10 min)
    python -m benchmarks --only training   # the reference MLP's training steps/s, nn vs torch
    python -m benchmarks --only speed      # one part (repeatable); the other parts of
                                           # latest.json are kept
    python -m benchmarks --quick           # tiny sizes, a smoke test; saved to
                                           # benchmarks/results/quick.json.tmp only
    python -m benchmarks --tests --chapters
                                           # also time the test suite and execute every
                                           # chapter alone (adds several minutes)

A full run writes ``benchmarks/results/<UTC timestamp>.json`` (what this run
measured) and ``benchmarks/results/latest.json`` (merged with the parts not re-run),
plus ``latest.md`` (the same tables in Markdown), and regenerates the book's page
``appendix/benchmarks.md`` (``--page-only`` does only that).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from . import machine, page, report, results

PARTS = ("accuracy", "speed", "training", "book")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    p.add_argument("--only", action="append", choices=PARTS, help="run only this part (repeatable)")
    p.add_argument("--quick", action="store_true", help="tiny sizes (smoke test); does not touch latest.json")
    p.add_argument("--names", nargs="+", metavar="NAME", help="only these activations (accuracy, speed)")
    p.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if it is installed")
    p.add_argument("--sizes", nargs="+", type=int, metavar="N", help="speed: array sizes (default 1e3 1e5 1e7)")
    p.add_argument("--chapters", action="store_true", help="book: also execute every chapter alone (nbclient)")
    p.add_argument("--tests", action="store_true", help="book: also time the test suite (-m 'not slow')")
    p.add_argument("--no-build", action="store_true", help="book: skip the cold / warm build")
    p.add_argument("--full-tests", action="store_true", help="book: time the whole test suite, not only 'not slow'")
    p.add_argument("--out", metavar="FILE", help="write the results here instead of benchmarks/results/")
    p.add_argument(
        "--page-only",
        action="store_true",
        help="measure nothing: regenerate appendix/benchmarks.md and latest.md from latest.json",
    )
    return p


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _accuracy_progress(row):
    _log(f"  accuracy {row['name']:12s} {row['kind']:5s} {row['dtype']} {row['impl']:5s} {report.fmt_score(row)}")


def _speed_progress(row):
    s = row["seconds"]
    t = " ".join(f"{k}={v * 1e3:.3f}ms" for k, v in s.items() if v)
    _log(f"  speed {row['name']:12s} {row['kind']:5s} {row['dtype']} n={row['n']:.0e} {t}")


def _training_progress(row):
    s = row["steps_per_s"]
    _log(f"  training {row['optimizer']} {row['dtype']} steps/s {s} ours/torch {row['ratio_ours_over_torch']}")


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.page_only:
        latest = results.load(results.LATEST)
        if latest is not None:
            (results.RESULTS_DIR / "latest.md").write_text(report.markdown(latest), encoding="utf-8")
        _log(f"wrote {page.write(latest)}")
        return 0
    parts = args.only or list(PARTS)
    impls = ("ours", "naive") if args.no_torch else ("ours", "naive", "torch")
    info = machine.info()
    new = {"schema": results.SCHEMA, "machine": info}
    t_start = time.perf_counter()

    if "accuracy" in parts:
        from . import accuracy

        _log("accuracy ...")
        t0 = time.perf_counter()
        new["accuracy"] = accuracy.run(names=args.names, impls=impls, quick=args.quick, progress=_accuracy_progress)
        new["accuracy"].update(date=machine.now_utc(), machine=info, seconds=time.perf_counter() - t0)

    if "speed" in parts:
        from . import speed

        _log("speed ...")
        sizes = args.sizes or ((1_000, 10_000) if args.quick else speed.SIZES)
        t0 = time.perf_counter()
        new["speed"] = speed.run(names=args.names, sizes=sizes, impls=impls, quick=args.quick, progress=_speed_progress)
        new["speed"].update(date=machine.now_utc(), machine=info, seconds=time.perf_counter() - t0)

    if "training" in parts:
        from . import training

        _log("training ...")
        t0 = time.perf_counter()
        new["training"] = training.run(
            steps=8 if args.quick else 40,
            repeats=3 if args.quick else 15,
            impls=[i for i in impls if i != "naive"],
            progress=_training_progress,
        )
        new["training"].update(date=machine.now_utc(), machine=info, seconds=time.perf_counter() - t0)
        if new["training"]["note"]:
            _log("  " + new["training"]["note"])

    if "book" in parts:
        from . import book

        _log("book ...")
        t0 = time.perf_counter()
        new["book"] = book.run(
            chapters=args.chapters,
            build=not args.no_build and not args.quick,
            tests=args.tests,
            full_tests=args.full_tests,
            weight=not args.quick,
            progress=lambda m: _log("  " + m),
        )
        new["book"].update(date=machine.now_utc(), machine=info, seconds=time.perf_counter() - t0)

    if args.out:
        saved = [results.save(new, args.out)]
    elif args.quick:
        saved = [results.save(new, results.RESULTS_DIR / "quick.json.tmp")]
    else:
        stamp = info["date"].replace(":", "").replace("-", "")
        merged = results.merge(results.load(results.LATEST), new)
        saved = [results.save(new, results.RESULTS_DIR / f"{stamp}.json"), results.save(merged, results.LATEST)]
        (results.RESULTS_DIR / "latest.md").write_text(report.markdown(merged), encoding="utf-8")
        saved.append(page.write(merged))
    print(report.markdown(new))
    _log(f"saved {', '.join(str(p) for p in saved)} ({time.perf_counter() - t_start:.0f} s)")
    return 0


def _numpy_unpinned() -> None:
    """Re-execute without ``NPY_DISABLE_CPU_FEATURES`` if it is set (``make`` pins NumPy to
    AVX2 so stored experiments reproduce bit for bit; that turns NumPy's SVML-based expm1,
    log1p, tanh ... into scalar loops).  The benchmarks measure NumPy as its users get it,
    with every extension the CPU has; the features used are recorded with each result."""
    if os.environ.get("NPY_DISABLE_CPU_FEATURES") and not os.environ.get("BENCHMARKS_KEEP_NPY_FEATURES"):
        env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks", *sys.argv[1:]], env)


if __name__ == "__main__":
    _numpy_unpinned()
    sys.exit(main())
