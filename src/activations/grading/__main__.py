"""Command line: ``python -m activations.grading generate | grade SUBMISSIONS --out grades.csv``."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m activations.grading",
                                     description="Graded exercises of the activation-functions course.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("generate", help="write the student notebooks exercises/0N_*.ipynb from exercises/source/")
    g = sub.add_parser("grade", help="grade a folder of submitted notebooks")
    g.add_argument("submissions", help="folder with the submissions (never modified)")
    g.add_argument("--out", required=True, help="CSV file to write (outside the submissions folder)")
    g.add_argument("--feedback", default=None, help="folder for the feedback files (default: <out>_feedback/)")
    g.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel submissions (default: cores)")
    g.add_argument("--timeout", type=float, default=60.0, help="wall-clock seconds for a notebook's cells")
    g.add_argument("--memory-mb", type=int, default=2048, help="address-space limit of a submission's process")
    g.add_argument("--engine", choices=("kernel", "fork"), default="fork",
                   help="fork (default): each submission in a process forked from a pre-loaded server, same limits; kernel: nbclient + a fresh IPython kernel")
    g.add_argument("--exercise", default=None, help="exercise id for every submission (default: from metadata)")
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    if argv is None and os.path.basename(sys.argv[0]).startswith("activations-grade"):
        argv = ["grade", *sys.argv[1:]]  # the console script grades; it has no sub-commands
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] not in ("generate", "grade", "-h", "--help"):
        argv = ["grade", *argv]  # the console script: activations-grade DIR --out grades.csv
    args = parser.parse_args(argv)

    if args.command == "generate":
        from .notebooks import generate

        for path in generate():
            print(f"wrote {path}")
        return 0

    from .batch import grade_dir

    try:
        rows = grade_dir(args.submissions, args.out, feedback_dir=args.feedback, workers=args.workers,
                         engine=args.engine, timeout=args.timeout, memory_mb=args.memory_mb,
                         exercise=args.exercise, progress=not args.quiet)
    except (ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"graded {len(rows)} submission(s) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
