"""The built book in a real browser: headless Chromium driven by Playwright.

``_build/html`` is served on 127.0.0.1 (a free port, ``http.server`` in a thread) and
every page of ``_toc.yml`` is opened.  A page passes when:

* it makes no request to another host (every request is intercepted; anything not
  on 127.0.0.1 is aborted and reported) and no request fails or returns >= 400;
* the browser console shows no error and no uncaught exception;
* every ``<img>`` is loaded (``naturalWidth > 0``);
* where the page has math, MathJax has typeset it (each ``.math`` element holds an
  ``mjx-container``, no ``mjx-merror``), and no TeX reached the text untypeset
  (``$\\alpha$``, ``\\(``, ``\\[`` outside code);
* ``hide-input`` cells are collapsed, and a notebook page offers its ``.ipynb`` for
  download.

A screenshot of each page (light, full page; dark theme, first screen) goes to
``_build/screenshots/``.  Further tests: the static explorers of
:mod:`activations.widgets` respond to their slider, the search page finds text, and
no page loads a script, style sheet or image from another host.

Needs Chromium (``apt-get install chromium``; another binary via ``ACTIVATIONS_CHROMIUM``)
and the ``playwright`` Python package; without them the tests skip and say so.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    "Chromium not found: install it with `apt-get install chromium` (Debian/Ubuntu; "
    "`chromium-browser` on some systems) or point ACTIVATIONS_CHROMIUM at a Chromium/Chrome binary"
)
MAX_PAGE_HTML_BYTES = 2_000_000  # page-weight budget for one HTML page (explorer frames are inline)


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def chromium_path() -> str:
    override = os.environ.get("ACTIVATIONS_CHROMIUM")
    candidates = [override] if override else ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
    for name in candidates:
        path = shutil.which(name) if name else None
        if path:
            return path
    pytest.skip(INSTALL_HINT)


@pytest.fixture(scope="module")
def site(chromium_path, built_book):
    """``(base_url, html_dir)`` of the built book served on 127.0.0.1."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer((HOST, 0), functools.partial(Quiet, directory=str(built_book)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}", Path(built_book)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is missing: pip install -r requirements.txt")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=FLAGS)
    except Exception as exc:  # a broken binary must fail loudly, not skip
        pw.stop()
        raise RuntimeError(f"could not start {chromium_path}: {exc}") from exc
    try:
        yield browser
    finally:
        browser.close()
        pw.stop()


@pytest.fixture(scope="module")
def screenshots(site):
    out = site[1].parent / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


class Watch:
    """A browser page whose off-host requests, failed requests and console errors are recorded."""

    def __init__(self, browser, **context_args):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_args)
        self.external: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"HTTP {r.status} {r.url}"))

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != HOST:
            self.external.append(url)
            route.abort()
        else:
            route.continue_()

    def _request_failed(self, request):
        if request.url not in self.external:
            self.failed.append(f"failed: {request.url} ({request.failure})")

    def problems(self) -> list[str]:
        return [f"request to another host: {u}" for u in self.external] + self.failed + self.errors

    def close(self):
        self.context.close()


@pytest.fixture
def watch(browser):
    w = Watch(browser)
    yield w
    w.close()


# --------------------------------------------------------------------------- page checks
_MATH_STATE = """() => {
  const maths = Array.from(document.querySelectorAll('.math'));
  return {
    n: maths.length,
    untypeset: maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 60)),
    merror: Array.from(document.querySelectorAll('mjx-merror')).map(m => m.textContent.slice(0, 60)),
    raw: maths.filter(m => /\\\\[(\\[]/.test(m.textContent) && !m.querySelector('mjx-container')).length,
  };
}"""

# TeX that reached the reader as text: $...\cmd...$, \( or \[ outside code and typeset math
# (e.g. a {glue:text} of a string holding math, which MyST shows verbatim).
_RAW_TEX = r"""() => {
  const skip = 'pre, code, script, style, textarea, mjx-container, .math, .highlight';
  const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.textContent;
    if (!/[\\$]/.test(t) || n.parentElement.closest(skip)) continue;
    const m = t.match(/\$[^$]*\\[A-Za-z]+[^$]*\$|\\\(|\\\[|\\begin\{/);
    if (m) found.push(m[0].slice(0, 80));
  }
  return found;
}"""

_BROKEN_IMAGES = """() => Array.from(document.images)
  .filter(i => !(i.complete && i.naturalWidth > 0))
  .map(i => (i.getAttribute('alt') || i.currentSrc || i.src).slice(0, 80))"""

_HIDE_INPUT = """() => Array.from(document.querySelectorAll('.cell.tag_hide-input')).map(c => {
  const d = c.querySelector('details'), input = c.querySelector('.cell_input');
  return {collapsed: !!d && !d.open && !!d.querySelector('.cell_input'),
          input_visible: !!input && input.checkVisibility()};
})"""


def _wait_for_mathjax(page):
    page.wait_for_function(
        "() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise", timeout=30_000
    )
    page.evaluate("() => window.MathJax.startup.promise.then(() => true)")


def check_page(watch: Watch, base: str, html_dir: Path, page_name: str, shots: Path) -> list[str]:
    """Open one page; return what is wrong with it (empty list: nothing)."""
    problems = []
    page = watch.page
    page.goto(f"{base}/{page_name}.html", wait_until="load", timeout=60_000)
    math = page.evaluate(_MATH_STATE)
    if math["n"]:
        try:
            _wait_for_mathjax(page)
        except Exception as exc:  # noqa: BLE001 - reported as a page problem
            problems.append(f"MathJax did not start: {exc}")
        math = page.evaluate(_MATH_STATE)
        if math["untypeset"]:
            problems.append(f"{len(math['untypeset'])} of {math['n']} math elements not typeset, "
                            f"e.g. {math['untypeset'][0]!r}")
        if math["merror"]:
            problems.append(f"MathJax errors: {math['merror'][:3]}")
    problems += [f"raw TeX in the text: {t!r}" for t in page.evaluate(_RAW_TEX)]
    problems += [f"image not loaded: {b}" for b in page.evaluate(_BROKEN_IMAGES)]
    for i, cell in enumerate(page.evaluate(_HIDE_INPUT)):
        if not cell["collapsed"] or cell["input_visible"]:
            problems.append(f"hide-input cell #{i + 1} shows its code")
    if (html_dir / "_sources" / f"{page_name}.ipynb").is_file():
        link = page.locator(f'a[href$="_sources/{page_name}.ipynb"]')
        if link.count() == 0:
            problems.append("no .ipynb download link")
        else:
            resp = page.request.get(f"{base}/_sources/{page_name}.ipynb")
            if not (resp.ok and "cells" in json.loads(resp.text())):
                problems.append(f"the .ipynb download is broken (HTTP {resp.status})")
    slug = page_name.replace("/", "__")
    page.screenshot(path=str(shots / f"{slug}.png"), full_page=True)
    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'dark')")
    page.screenshot(path=str(shots / f"{slug}-dark.png"))
    return problems + watch.problems()


# --------------------------------------------------------------------------- tests
def test_page_in_browser(toc_page, site, watch, screenshots):
    base, html_dir = site
    assert (html_dir / f"{toc_page}.html").is_file(), f"{toc_page}.html was not built"
    problems = check_page(watch, base, html_dir, toc_page, screenshots)
    assert not problems, f"{toc_page}:\n  " + "\n  ".join(problems)


_EXPLORER_STATE = """root => ({
  visible: Array.from(root.querySelectorAll('img[data-frame]')).filter(i => !i.hidden).map(
      i => ({frame: i.dataset.frame, loaded: i.complete && i.naturalWidth > 0, shown: i.offsetParent !== null})),
  outputs: Array.from(root.querySelectorAll('output')).map(o => o.textContent),
  value: root.querySelector('input[type=range]').value,
  max: root.querySelector('input[type=range]').max,
})"""


def test_static_explorers_respond_to_slider(book_pages, site, watch, screenshots):
    base, html_dir = site
    pages = [p for p in book_pages if "act-explorer" in (html_dir / f"{p}.html").read_text(encoding="utf-8")]
    if not pages:
        pytest.skip("no page of _toc.yml shows an activations.widgets explorer")
    problems = []
    for name in pages:
        watch.page.goto(f"{base}/{name}.html", wait_until="load")
        explorers = watch.page.locator(".act-explorer")
        for k in range(explorers.count()):
            root = explorers.nth(k)
            before = root.evaluate(_EXPLORER_STATE)
            where = f"{name}, explorer {k + 1}"
            if len(before["visible"]) != 1 or not before["visible"][0]["shown"]:
                problems.append(f"{where}: {len(before['visible'])} frames visible before moving the slider")
                continue
            if before["max"] == "0":
                continue  # a single frame: nothing to move
            slider = root.locator("input[type=range]").first
            slider.focus()
            slider.press("ArrowLeft" if before["value"] == before["max"] else "ArrowRight")
            after = root.evaluate(_EXPLORER_STATE)
            if after["value"] == before["value"]:
                problems.append(f"{where}: the slider did not move")
            elif len(after["visible"]) != 1 or after["visible"][0]["frame"] == before["visible"][0]["frame"]:
                problems.append(f"{where}: moving the slider did not change the frame")
            elif not (after["visible"][0]["loaded"] and after["visible"][0]["shown"]):
                problems.append(f"{where}: the new frame is not displayed")
            elif after["outputs"] == before["outputs"]:
                problems.append(f"{where}: the value read-out did not change")
            root.screenshot(path=str(screenshots / f"explorer-{name.replace('/', '__')}-{k + 1}.png"))
    problems += watch.problems()
    assert not problems, "\n".join(problems)


def test_search_finds_a_word_of_the_title(site, watch, book_pages):
    base, html_dir = site
    title = re.search(r"<h1>(.*?)<", (html_dir / f"{book_pages[0]}.html").read_text(encoding="utf-8"), re.S)
    assert title, "the root page has no <h1>"
    word = max(re.findall(r"[A-Za-z]{5,}", title.group(1)), key=len)
    watch.page.goto(f"{base}/search.html?q={word}", wait_until="load")
    watch.page.wait_for_selector("#search-results .search-summary", timeout=30_000)
    hits = watch.page.locator("#search-results ul.search li").count()
    assert hits > 0, f"searching for {word!r} found nothing"
    assert not watch.problems(), "\n".join(watch.problems())


_EXTERNAL_ASSET = re.compile(
    r"<(script|link|img|iframe|source|video|audio|embed|object)\b[^>]*\b(src|href|data)\s*=\s*[\"']?"
    r"(https?:)?//", re.I)


def test_html_loads_nothing_from_another_host_and_pages_are_light(built_book):
    """Plain ``<a href>`` links to other sites are fine; assets from other hosts are not."""
    html_dir = Path(built_book)
    offenders, heavy = [], []
    for path in sorted(html_dir.rglob("*.html")):
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(html_dir)
        offenders += [f"{rel}: {m.group(0)[:120]}" for m in _EXTERNAL_ASSET.finditer(text)]
        if path.stat().st_size > MAX_PAGE_HTML_BYTES:
            heavy.append(f"{rel}: {path.stat().st_size / 1e6:.1f} MB")
    assert not offenders, "assets from another host:\n" + "\n".join(offenders)
    assert not heavy, f"pages over the {MAX_PAGE_HTML_BYTES / 1e6:.0f} MB budget:\n" + "\n".join(heavy)
