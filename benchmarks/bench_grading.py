"""Grading throughput: ``python benchmarks/bench_grading.py [-n 100] [--workers 2] [--unsafe-no-sandbox]``.

Builds a folder of ``n`` submissions (the reference solutions and the untouched student
notebooks of all exercises, cycled), grades it with :func:`activations.grading.batch.grade_dir`
(sandboxed unless ``--unsafe-no-sandbox``, with a secret) and prints submissions per second.
The sandboxed servers' start-up (imports) is included, as an instructor would see it.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def make_submissions(folder: Path, n: int) -> list[Path]:
    from activations.grading import notebooks

    repo = Path(__file__).resolve().parents[1]
    SOURCE_DIR, EXERCISES_DIR = repo / "exercises" / "source", repo / "exercises"

    pool = []
    for src in notebooks.sources(SOURCE_DIR):
        pool += [("solution", src), ("student", EXERCISES_DIR / src.name)]
    paths = []
    for i, (kind, path) in zip(range(n), itertools.cycle(pool)):
        target = folder / f"{i:03d}_{kind}_{path.name}"
        shutil.copyfile(path, target)
        paths.append(target)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100, help="number of submissions (default 100)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--unsafe-no-sandbox", action="store_true", help="baseline without bubblewrap")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    from activations.grading.batch import grade_dir

    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        subs = Path(tmp) / "submissions"
        subs.mkdir()
        make_submissions(subs, args.n)
        t0 = time.perf_counter()
        rows = grade_dir(
            subs,
            Path(tmp) / "grades.csv",
            workers=args.workers,
            timeout=args.timeout,
            progress=True,
            secret="benchmark-secret",
            unsafe_no_sandbox=args.unsafe_no_sandbox,
        )
        elapsed = time.perf_counter() - t0
    bad = [r for r in rows if not r.status.startswith("ok") or (("solution" in r.file) != (r.total == r.max_points))]
    rate = len(rows) / elapsed
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"engine={'unsandboxed' if args.unsafe_no_sandbox else 'bwrap'} workers={args.workers} "
        f"cores={os.cpu_count()} load1={load:.2f} submissions={len(rows)} "
        f"seconds={elapsed:.1f} throughput={rate:.2f} submissions/s"
    )
    if bad:
        print(f"UNEXPECTED GRADES: {[(r.file, r.total, r.status) for r in bad]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
