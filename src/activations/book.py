"""Build the course book: ``python -m activations.book build``.

Runs Jupyter Book v1 with warnings as errors (``-W -n --keep-going``) and the
execution cache, from the repository root, and prints the path of ``index.html``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"


def build(root: Path = ROOT, *, extra_args=()) -> Path:
    """Build the HTML book under ``root/_build/html``; raise ``CalledProcessError`` on failure."""
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(root), "--builder", "html", "-W", "-n", "--keep-going", *extra_args]
    subprocess.run(cmd, check=True, cwd=root)
    return root / "_build" / "html" / "index.html"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m activations.book")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build the HTML book")
    args = parser.parse_args(argv)
    if args.command == "build":
        index = build()
        print(f"Book built: {index}")


if __name__ == "__main__":
    main()
