"""Cost of building the book: cold and warm build, per-chapter execution, test suite.

* cold build -- the repository is copied to a temporary directory (without
  ``.venv``, ``.git`` and ``_build``; only the JavaScript that the build fetches
  from npm once, ``_build/_vendor``, is copied along, as network time is not the
  book's cost), so the real ``_build`` and its execution cache are not touched,
  and built there with the same command as ``make book``
  (``jupyter-book build --builder html -W -n --keep-going``): every notebook is
  executed;
* warm rebuild -- the same command again in the same copy, nothing changed;
* per-chapter execution -- the time myst-nb's nbclient executor took for each
  notebook during the cold build (read from the build's jupyter-cache), and with
  ``chapters=True`` every notebook of ``_toc.yml`` executed again on its own with
  nbclient (one fresh kernel each);
* test suite -- ``pytest -m "not slow"`` (and with ``full=True`` everything);
* grading throughput -- ``benchmarks/bench_grading.py`` when it exists.
"""

from __future__ import annotations

import importlib
import importlib.util
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["ROOT", "toc_notebooks", "execute_notebook", "build_times", "suite_time", "grading", "page_weight", "run"]

ROOT = Path(__file__).resolve().parents[1]
_IGNORE = shutil.ignore_patterns(".venv", ".git", "_build", ".jupyter_cache", "__pycache__", ".pytest_cache",
                                 ".hypothesis", "*.egg-info", ".ipynb_checkpoints")  # fmt: skip


def _toc_files(node) -> list[str]:
    files = []
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                files.append(node[key])
        for value in node.values():
            if isinstance(value, (dict, list)):
                files += _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            files += _toc_files(item)
    return files


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The ``.ipynb`` files listed in ``root/_toc.yml``, in book order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8")) or {}
    out = []
    for f in _toc_files(toc):
        p = root / f
        nb = p if p.suffix == ".ipynb" else p.with_suffix(".ipynb")
        if nb.exists() and nb not in out:
            out.append(nb)
    return out


def execute_notebook(path: Path, timeout: int = 600) -> dict:
    """Execute one notebook with nbclient in its own directory; time and status.

    The notebook file is not modified (it is read, executed in memory, discarded).
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    t0 = time.perf_counter()
    try:
        client.execute()
        status = "ok"
    except Exception as exc:
        status = f"failed: {type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else ''}"
    return {"seconds": time.perf_counter() - t0, "status": status, "cells": len(nb.cells)}


def _tail(path: Path, n: int = 5) -> list[str]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []
    return lines[-n:]


def _problems(path: Path, n: int = 8) -> list[str]:
    """The first ``n`` warning / error lines of a log (colour codes removed)."""
    import re

    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", ln) for ln in text.splitlines()]
    hits = [ln.strip() for ln in lines if ("WARNING" in ln or "ERROR" in ln) and "TCP without encryption" not in ln]
    return hits[:n] or [ln for ln in lines if ln.strip()][-n:]


def _timed(cmd, cwd, log: Path) -> dict:
    t0 = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        rc = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT).returncode
    r = {"seconds": time.perf_counter() - t0, "status": "ok" if rc == 0 else f"failed (exit {rc})"}
    if rc:
        r["problems"] = _problems(log)
    return r


def cache_times(book_root: Path) -> list[dict]:
    """Execution time of every notebook of the last build, from its jupyter-cache.

    myst-nb executes each notebook with nbclient and stores the time in the cache
    record (``execution_seconds``); after a cold build these are the per-chapter
    execution times, without executing anything twice.
    """
    from jupyter_cache import get_cache

    path = book_root / "_build" / ".jupyter_cache"
    if not path.exists():
        return []
    out = []
    for rec in get_cache(path).list_cache_records():
        secs = (rec.data or {}).get("execution_seconds")
        uri = Path(rec.uri)
        try:
            name = str(uri.relative_to(book_root))
        except ValueError:
            name = uri.name
        out.append({"notebook": name, "seconds": secs, "status": "ok (cached by the build)"})
    order = {str(p.relative_to(book_root)): i for i, p in enumerate(toc_notebooks(book_root))}
    return sorted(out, key=lambda r: (order.get(r["notebook"], len(order)), r["notebook"]))


def build_times(root: Path = ROOT) -> dict:
    """Cold and warm build of a temporary copy of ``root``; the copy is removed after."""
    jb = Path(sys.executable).with_name("jupyter-book")
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        copy = Path(tmp) / "book"
        shutil.copytree(root, copy, ignore=_IGNORE)
        vendor = root / "_build" / "_vendor"
        if vendor.exists():  # the offline JS fetched from npm once: not the book's cost
            shutil.copytree(vendor, copy / "_build" / "_vendor")
        cmd = [str(jb), "build", str(copy), "--builder", "html", "-W", "-n", "--keep-going"]
        cold = _timed(cmd, copy, Path(tmp) / "cold.log")
        executed = cache_times(copy)
        warm = _timed(cmd, copy, Path(tmp) / "warm.log")
    return {"cold_build": cold, "warm_build": warm, "executed_in_build": executed}


def suite_time(root: Path = ROOT, full: bool = False) -> dict:
    """Wall-clock time of the test suite (``-m "not slow"`` unless ``full``)."""
    cmd = [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"]
    if not full:
        cmd += ["-m", "not slow"]
    if importlib.util.find_spec("xdist") is not None:
        cmd += ["-n", "2"]  # as `make test-fast` runs it
    with tempfile.TemporaryDirectory(prefix="bench-tests-") as tmp:
        log = Path(tmp) / "pytest.log"
        r = _timed(cmd, root, log)
        r["summary"] = next((ln.strip("= ") for ln in reversed(_tail(log, 3)) if ln.strip()), "")
    r["command"] = shlex.join(["python"] + cmd[1:])
    return r


def grading(root: Path = ROOT) -> dict:
    """Grading throughput from ``benchmarks/bench_grading.py`` (the exercises engineer's).

    Its ``run()`` is called if it has one (expected to return a JSON-ready dict);
    otherwise the module is run as a script and its last output line kept.
    """
    if not (root / "benchmarks" / "bench_grading.py").exists():
        return {"status": "not measured: benchmarks/bench_grading.py does not exist yet"}
    mod = importlib.import_module("benchmarks.bench_grading")
    t0 = time.perf_counter()
    if hasattr(mod, "run"):
        try:
            out = mod.run()
        except Exception as exc:
            return {"status": f"failed: {type(exc).__name__}: {exc}", "seconds": time.perf_counter() - t0}
        out = dict(out) if isinstance(out, dict) else {"result": out}
        out.setdefault("seconds", time.perf_counter() - t0)
        out.setdefault("status", "ok")
        return out
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        log = Path(tmp) / "grading.log"
        r = _timed([sys.executable, "-m", "benchmarks.bench_grading"], root, log)
        r["summary"] = " ".join(_tail(log, 1))
    import re

    # its last line reads like "engine=fork workers=2 submissions=50 seconds=44.5 throughput=1.12 ..."
    fields = dict(re.findall(r"(\w+)=([\w.]+)", r["summary"]))
    for key, value in fields.items():
        try:
            r[key] = float(value) if "." in value else int(value)
        except ValueError:
            r[key] = value
    return r


def page_weight(root: Path = ROOT) -> dict:
    """Bytes each page of ``_toc.yml`` transfers on a cold load in headless Chromium.

    Builds the book (warm when nothing changed), serves ``_build/html`` on 127.0.0.1 and
    measures with :func:`tools.book.measure_pages` -- the same code as the browser test.
    """
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from tools import book as tools_book

    exe = tools_book.chromium_path()
    if exe is None:
        return {"status": "not measured: Chromium not found (apt-get install chromium)"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"status": "not measured: the playwright package is missing"}
    html = tools_book.build(root).parent
    with tools_book.serve(html) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=tools_book.CHROMIUM_FLAGS)
        try:
            rows = tools_book.measure_pages(browser, base, html, tools_book.toc_pages(root / "_toc.yml"))
        finally:
            browser.close()
    return {"status": "ok", "pages": rows}


def run(root: Path = ROOT, chapters: bool = False, build: bool = True, tests: bool = False, full_tests: bool = False,
        progress=None, weight: bool = True) -> dict:  # fmt: skip
    """The book measurements selected; a JSON-ready dict.

    By default: cold and warm build (with each notebook's execution time from the
    build's cache) and grading.  ``chapters`` also executes every notebook alone in
    a fresh kernel; ``tests`` times the test suite (``full_tests``: all of it).
    """
    out: dict = {"notes": []}
    notebooks = toc_notebooks(root)
    if not notebooks:
        out["notes"].append("no notebooks in _toc.yml yet: chapter execution and cold build not meaningful")
    if chapters:
        out["chapters"] = []
        for nb in notebooks:
            r = {"notebook": str(nb.relative_to(root)), **execute_notebook(nb)}
            out["chapters"].append(r)
            if progress:
                progress(f"execute {r['notebook']}: {r['seconds']:.1f} s {r['status']}")
    if build:
        out.update(build_times(root))
        if progress:
            progress(f"cold build {out['cold_build']['seconds']:.1f} s, warm {out['warm_build']['seconds']:.1f} s")
    if tests or full_tests:
        out["tests_full" if full_tests else "tests_fast"] = suite_time(root, full_tests)
    if weight:
        out["page_weight"] = page_weight(root)
        if progress:
            progress(f"page weight: {out['page_weight']['status']}")
    out["grading"] = grading(root)
    return out
