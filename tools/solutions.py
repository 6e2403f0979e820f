"""The solutions edition of the book: ``python -m tools.solutions`` (``make book-solutions``).

For instructors and self-learners.  It is the same book, built from the same sources, except
that each exercise page is the **source** notebook ``exercises/source/0N_*.ipynb`` (worked
code between the ``### BEGIN/END SOLUTION`` markers, executed, plus the Markdown cells
tagged ``solution``) instead of the student notebook ``exercises/0N_*.ipynb``.  Nothing is
written into the repository: a table of contents and a configuration derived from
``_toc.yml`` and ``_config.yml`` go to ``_build/solutions/``, and the site to
``_build/solutions/html/``.  Chapter executions are reused from the student build's cache
(``_build/.jupyter_cache``), so after ``make book`` only the solution notebooks run.

The default build (``make book``) never contains a solution: ``_config.yml`` excludes
``exercises/source`` and ``_toc.yml`` lists only the student notebooks
(``tests/test_exercises.py`` checks both, and the built pages when they exist).
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

try:  # run as ``python -m tools.solutions`` or imported by the tests
    from . import vendor
except ImportError:  # pragma: no cover - run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tools import vendor

ROOT = Path(__file__).resolve().parents[1]
OUT = Path("_build") / "solutions"
SOURCE_PREFIX = "exercises/source/"


def solutions_toc(toc: dict) -> dict:
    """``toc`` with every student exercise page ``exercises/0N_x`` replaced by ``exercises/source/0N_x``."""
    toc = copy.deepcopy(toc)

    def walk(node):
        if isinstance(node, dict):
            f = node.get("file")
            if isinstance(f, str) and f.startswith("exercises/") and not f.startswith(SOURCE_PREFIX):
                node["file"] = SOURCE_PREFIX + f[len("exercises/") :]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return toc


def solutions_config(config: dict, root: Path) -> dict:
    """``config`` for the solutions edition: the sources are built and executed, the title says so,
    the local extension is found from ``_build/solutions``, and the chapters' execution cache is shared."""
    cfg = copy.deepcopy(config)
    cfg["title"] = f"{cfg.get('title', 'Book')} (solutions edition)"
    cfg["exclude_patterns"] = [p for p in cfg.get("exclude_patterns", []) if not p.startswith("exercises/source")]
    cfg["exclude_patterns"].append("exercises/0*_*.ipynb")  # the student versions
    execute = cfg.setdefault("execute", {})
    execute["exclude_patterns"] = [p for p in execute.get("exclude_patterns", []) if "exercises/source" not in p]
    execute["cache"] = str((root / "_build" / ".jupyter_cache").resolve())
    sphinx = cfg.setdefault("sphinx", {})
    local = sphinx.get("local_extensions") or {}
    sphinx["local_extensions"] = {name: str((root / path).resolve()) for name, path in local.items()}
    bib = cfg.get("bibtex_bibfiles")
    if bib:
        cfg["bibtex_bibfiles"] = [str((root / b).resolve()) for b in bib]
    return cfg


def prepare(root: Path = ROOT) -> tuple[Path, Path]:
    """Write ``_build/solutions/_toc.yml`` and ``_config.yml``; return their paths."""
    root = Path(root)
    out = root / OUT
    out.mkdir(parents=True, exist_ok=True)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc_path, cfg_path = out / "_toc.yml", out / "_config.yml"
    toc_path.write_text(yaml.safe_dump(solutions_toc(toc), sort_keys=False), encoding="utf-8")
    cfg_path.write_text(yaml.safe_dump(solutions_config(cfg, root), sort_keys=False), encoding="utf-8")
    return toc_path, cfg_path


def build(root: Path = ROOT) -> Path:
    """Build the solutions edition into ``_build/solutions/html``; return its ``index.html``."""
    root = Path(root)
    vendor.fetch_vendor(root)
    toc_path, cfg_path = prepare(root)
    out = root / OUT
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(root), "--builder", "html", "--toc", str(toc_path), "--config", str(cfg_path)]
    cmd += ["--path-output", str(out), "-W", "-n", "--keep-going"]
    subprocess.run(cmd, check=True, cwd=root)
    html = out / "html"
    if html.exists():
        shutil.rmtree(html)
    shutil.move(str(out / "_build" / "html"), str(html))
    return html / "index.html"


def main(argv=None) -> int:
    index = build()
    print(f"Solutions edition: {index}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
