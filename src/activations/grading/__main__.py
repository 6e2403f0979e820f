"""Command line: ``python -m activations.grading generate | grade SUBMISSIONS --out grades.csv``
| ``export-gradescope OUT``."""

from __future__ import annotations

import argparse
import os
import sys


def _grade_args(g):
    g.add_argument("submissions", help="folder with the submissions (never modified)")
    g.add_argument("--out", required=True, help="gradebook CSV (outside the submissions folder); re-runs resume it")
    g.add_argument(
        "--feedback",
        default=None,
        help="folder for the feedback (default: <out>_feedback/); each run writes a new sub-folder",
    )
    g.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel sandboxes (default: cores)")
    g.add_argument("--timeout", type=float, default=60.0, help="wall-clock seconds for a notebook's cells")
    g.add_argument("--memory-mb", type=int, default=2048, help="address-space limit of a submission's process")
    g.add_argument("--exercise", default=None, help="exercise id for every submission (default: metadata / name)")
    g.add_argument(
        "--engine",
        choices=("shell", "kernel", "fork"),
        default="shell",
        help="shell (default): the cells run in an IPython shell forked from a pre-loaded server; kernel: "
        "nbclient and a fresh Jupyter kernel (slower: a kernel start per submission); both sandboxed; "
        "fork: old name of shell",
    )
    g.add_argument(
        "--secret-file",
        default=None,
        help="file whose first line is the secret the test inputs are drawn from (recommended)",
    )
    g.add_argument(
        "--secret",
        default=None,
        help="the secret itself (visible in `ps`; prefer --secret-file or $ACTIVATIONS_GRADING_SECRET)",
    )
    g.add_argument("--no-resume", action="store_true", help="grade everything again, even rows already in --out")
    g.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="run submissions WITHOUT the bubblewrap sandbox (every row says so); trusted code only",
    )
    g.add_argument("--quiet", action="store_true", help="no progress bar")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m activations.grading", description="Graded exercises of the activation-functions course."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the student notebooks exercises/0N_*.ipynb from exercises/source/")
    gen.add_argument(
        "--source",
        default=os.path.join("exercises", "source"),
        help="folder of the source notebooks (default: exercises/source)",
    )
    gen.add_argument("--out", default="exercises", help="folder for the student notebooks (default: exercises)")
    _grade_args(sub.add_parser("grade", help="grade a folder of submitted notebooks (sandboxed)"))
    e = sub.add_parser("export-gradescope", help="write a Gradescope autograder bundle (folder and .zip)")
    e.add_argument("out", help="folder to create (a zip of it is written next to it)")
    e.add_argument("--exercise", required=True, help="the exercise of this Gradescope assignment, e.g. 02_sigmoid_tanh")
    e.add_argument("--secret-file", default=None, help="secret to embed (default: a new random one)")
    e.add_argument("--timeout", type=float, default=60.0, help="wall-clock seconds for the notebook's cells")
    e.add_argument(
        "--visibility",
        default="visible",
        choices=("hidden", "after_due_date", "after_published", "visible"),
        help="Gradescope visibility of the per-question tests (default: visible)",
    )
    rep = sub.add_parser("report", help="questions per kind per exercise, and check times of the solutions")
    rep.add_argument("--source", default=os.path.join("exercises", "source"), help="folder of the source notebooks")
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] not in ("generate", "grade", "export-gradescope", "report", "-h", "--help"):
        argv = ["grade", *argv]  # the console script: activations-grade DIR --out grades.csv
    args = parser.parse_args(argv)

    if args.command == "generate":
        from .notebooks import generate

        if not os.path.isdir(args.source):
            print(
                f"error: generate: {args.source} is not a directory (run from the repository root or pass --source)",
                file=sys.stderr,
            )
            return 2
        for path in generate(args.source, args.out):
            print(f"wrote {path}")
        return 0
    if args.command == "report":
        from .report import report

        print(report(args.source))
        return 0
    if args.command == "export-gradescope":
        from .gradescope import export

        try:
            zip_path = export(
                args.out, args.exercise, secret_file=args.secret_file, timeout=args.timeout, visibility=args.visibility
            )
        except (ValueError, KeyError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {args.out}/ and {zip_path}")
        return 0

    from .batch import UNGRADABLE, grade_dir, load_secret
    from .sandbox import SandboxError

    try:
        secret = load_secret(args.secret, args.secret_file)
        if secret is None:
            print(
                "warning: no secret (--secret-file or $ACTIVATIONS_GRADING_SECRET): the test inputs are the "
                "public default ones",
                file=sys.stderr,
            )
        rows = grade_dir(
            args.submissions,
            args.out,
            feedback_dir=args.feedback,
            workers=args.workers,
            timeout=args.timeout,
            memory_mb=args.memory_mb,
            exercise=args.exercise,
            progress=not args.quiet,
            secret=secret,
            unsafe_no_sandbox=args.unsafe_no_sandbox,
            resume=not args.no_resume,
            engine="shell" if args.engine == "fork" else args.engine,
        )
    except (ValueError, KeyError, OSError, SandboxError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {msg}", file=sys.stderr)
        return 2
    bad = [r for r in rows if r.code == UNGRADABLE]
    flagged = [r for r in rows if r.code == "flagged"]
    print(f"graded {len(rows) - len(bad)} of {len(rows)} submission(s) -> {args.out}")
    for r in flagged:
        print(f"  check: {r.file}: {r.status}", file=sys.stderr)
    for r in bad:
        print(f"  NOT GRADED: {r.file}: {r.status}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
