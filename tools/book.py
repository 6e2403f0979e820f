"""Build the course book: ``python -m tools.book build | fetch | pdf`` (from the repository root).

* ``build`` runs Jupyter Book v1 with warnings as errors (``-W -n --keep-going``) and the
  execution cache; ``make book`` calls it.
* ``fetch`` only fetches the offline MathJax (:mod:`tools.vendor`).
* ``pdf`` builds the HTML book, then prints every page of ``_toc.yml`` (intro, chapters,
  the students' exercise notebooks -- which hold no solutions -- and the appendix) with
  headless Chromium and joins the pages into ``_build/pdf/book.pdf`` with ``pdfunite``
  (poppler-utils).  The HTML is served on 127.0.0.1 only; nothing is fetched from
  anywhere else, so math (MathJax) and figures (SVG) are typeset exactly as on screen.

The Sphinx side (offline MathJax, static explorers, template and markup fixes) is the
local extension ``_ext/activations_book.py``.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

try:  # run as ``python -m tools.book`` or imported by the tests
    from . import vendor
except ImportError:  # pragma: no cover - run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tools import vendor

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
#: Chromium flags for a closed network (no background requests) and running as root.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def toc_pages(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """The root and every ``file:`` entry of a jb-book ``_toc.yml``, in order, without suffix."""
    return toc_files(yaml.safe_load(Path(toc_path).read_text(encoding="utf-8")))


def toc_files(toc: dict) -> list[str]:
    """The root and every ``file:`` entry of a parsed jb-book table of contents, in order, without suffix."""
    found = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for key, value in node.items():
                if key != "file":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [os.path.splitext(f)[0] if f.endswith((".md", ".ipynb")) else f for f in found]


def build(root: Path = ROOT, *, extra_args=()) -> Path:
    """Build the HTML book under ``root/_build/html``; raise ``CalledProcessError`` on failure.

    Re-runs are quick: notebooks are executed only when their code changed
    (``execute_notebooks: cache``) and MathJax is fetched only once.

    Returns
    -------
    pathlib.Path
        ``root/_build/html/index.html``.
    """
    root = Path(root)
    vendor.fetch_vendor(root)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(root), "--builder", "html", "-W", "-n", "--keep-going", *extra_args]
    subprocess.run(cmd, check=True, cwd=root)
    return root / "_build" / "html" / "index.html"


# --------------------------------------------------------------------------- PDF
def chromium_path() -> str | None:
    """The Chromium binary: ``ACTIVATIONS_CHROMIUM`` or the first one on PATH."""
    override = os.environ.get("ACTIVATIONS_CHROMIUM")
    for name in [override] if override else ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]:
        path = shutil.which(name) if name else None
        if path:
            return path
    return None


@contextmanager
def serve(html_dir: Path):
    """Serve ``html_dir`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((HOST, 0), functools.partial(Quiet, directory=str(html_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


_MATH_DONE = """() => !document.querySelector('.math') ||
  (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise &&
   window.MathJax.startup.promise.then(() => true))"""


def print_pages(browser, base_url: str, pages: list[str], out: Path) -> dict:
    """Print each page to PDF with ``browser`` (Playwright) and join them into ``out``.

    Returns ``{"pages": n_pdf_pages, "seconds": elapsed, "parts": [per-page PDFs]}``.
    Requests to any host other than 127.0.0.1 are aborted (the book is offline).
    """
    unite = shutil.which("pdfunite")
    if unite is None:
        raise RuntimeError("print_pages(): pdfunite not found: apt-get install poppler-utils")
    start = time.perf_counter()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1000, "height": 1400})
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(("data:", f"http://{HOST}")) else route.abort(),
    )
    parts = []
    with tempfile.TemporaryDirectory(prefix="book-pdf-") as tmp:
        try:
            page = context.new_page()
            page.emulate_media(media="print")
            for i, name in enumerate(pages):
                page.goto(f"{base_url}/{name}.html", wait_until="load", timeout=60_000)
                page.wait_for_function(_MATH_DONE, timeout=60_000)
                page.evaluate(_MATH_DONE)
                part = Path(tmp) / f"{i:03d}.pdf"
                page.pdf(
                    path=str(part),
                    format="A4",
                    print_background=True,
                    margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                )
                parts.append(part)
        finally:
            context.close()
        subprocess.run([unite, *map(str, parts), str(out)], check=True)
    n = pdf_page_count(out)
    return {"pages": n, "seconds": time.perf_counter() - start, "parts": len(parts)}


# --------------------------------------------------------------------------- page weight
def weigh(requests, html_dir: Path) -> dict:
    """Bytes of one page load from its finished Playwright ``requests``.

    ``bytes``: body + headers as sent (the test server does not compress);
    ``bytes_gzip``: the same with each file gzip-compressed (level 6), as a web host
    serving gzip sends it; ``figure_*``: the part that is the page's figures
    (``_images/``).  ``data:`` URIs are inside the HTML and counted with it.
    """
    import gzip
    from urllib.parse import urlsplit

    out = {"requests": 0, "bytes": 0, "bytes_gzip": 0, "figure_bytes": 0, "figure_bytes_gzip": 0}
    for req in requests:
        if not req.url.startswith("http"):
            continue
        sizes = req.sizes()
        n = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        path = Path(html_dir) / urlsplit(req.url).path.lstrip("/")
        z = n
        if path.is_file():
            z = min(n, len(gzip.compress(path.read_bytes(), compresslevel=6)) + sizes["responseHeadersSize"])
        out["requests"] += 1
        out["bytes"] += n
        out["bytes_gzip"] += z
        if req.resource_type == "image" and "/_images/" in req.url:
            out["figure_bytes"] += n
            out["figure_bytes_gzip"] += z
    return out


def measure_pages(browser, base_url: str, html_dir: Path, pages: list[str]) -> list[dict]:
    """Open every page cold (new browser context, empty cache) and :func:`weigh` it."""
    rows = []
    for name in pages:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(("data:", f"http://{HOST}")) else route.abort()
            ),
        )
        try:
            page = context.new_page()
            finished = []
            page.on("requestfinished", lambda r: finished.append(r))
            page.goto(f"{base_url}/{name}.html", wait_until="load", timeout=60_000)
            page.wait_for_load_state("networkidle")
            rows.append({"page": name, **weigh(finished, html_dir)})
        finally:
            context.close()
    return rows


def pdf_page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf(root: Path = ROOT, out: Path | None = None) -> Path:
    """Build the HTML book, then print it to one PDF (``_build/pdf/book.pdf``)."""
    from playwright.sync_api import sync_playwright

    root = Path(root)
    html = build(root).parent
    out = Path(out) if out else root / "_build" / "pdf" / "book.pdf"
    exe = chromium_path()
    if exe is None:
        raise RuntimeError("pdf(): Chromium not found: apt-get install chromium (or set ACTIVATIONS_CHROMIUM)")
    with serve(html) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_FLAGS)
        try:
            info = print_pages(browser, base, toc_pages(root / "_toc.yml"), out)
        finally:
            browser.close()
    print(f"PDF: {out} ({info['pages']} pages from {info['parts']} HTML pages, printed in {info['seconds']:.1f} s)")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.book")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build the HTML book into _build/html")
    sub.add_parser("fetch", help="only fetch the offline MathJax")
    p = sub.add_parser("pdf", help="build the HTML book and print it to _build/pdf/book.pdf")
    p.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.command == "build":
        print(f"Book built: {build()}")
    elif args.command == "fetch":
        print(vendor.fetch_vendor())
    else:
        pdf(out=args.out)


if __name__ == "__main__":
    main()
