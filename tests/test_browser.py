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

* axe-core (bundled by ``axe-playwright-python``, offline) finds no critical and no
  serious accessibility violation (the theme's included); the moderate ones left are
  listed in :data:`ALLOWED_MODERATE` with the reason;
* its transferred bytes (every response, cold cache) are recorded in
  ``_build/page-weight.json`` -- and a chapter page without its figures stays within
  :data:`MAX_PAGE_BYTES_GZIP`.

A screenshot of each page (light, full page; dark theme, first screen) goes to
``_build/screenshots/``.  Further tests: the static explorers of
:mod:`activations.explorer` respond to their slider, the search page finds text, and
no page loads a script, style sheet or image from another host, the sidebar and the
page-contents drawer open at phone and desktop widths, and the PDF edition prints.

Needs Chromium (``apt-get install chromium``; another binary via ``ACTIVATIONS_CHROMIUM``)
and the ``playwright`` Python package; without them the tests skip and say so.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import _exclusive

from tools import book as tools_book

pytestmark = pytest.mark.slow

HOST = tools_book.HOST
FLAGS = tools_book.CHROMIUM_FLAGS
INSTALL_HINT = (
    "Chromium not found: install it with `apt-get install chromium` (Debian/Ubuntu; "
    "`chromium-browser` on some systems) or point ACTIVATIONS_CHROMIUM at a Chromium/Chrome binary"
)
MAX_PAGE_HTML_BYTES = 2_000_000  # page-weight budget for one HTML page (explorer frames are inline)
#: Budget for a chapter page without its figures, in bytes as a gzip-serving host sends them.
MAX_PAGE_BYTES_GZIP = 1_500_000
#: axe "moderate" rules still reported, with the reason they are left (none critical/serious).
ALLOWED_MODERATE: dict[str, str] = {
    # none left: the theme's logo outside any landmark ("region") is fixed by
    # _ext/static/activations-book.js; axe's "minor" empty-table-header on header cells
    # that hold only typeset math (ch.1, properties) is not a moderate rule.
}


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = tools_book.chromium_path()
    if path is None:
        pytest.skip(INSTALL_HINT)
    return path


@pytest.fixture(scope="module")
def site(chromium_path, built_book):
    """``(base_url, html_dir)`` of the built book served on 127.0.0.1."""
    with tools_book.serve(built_book) as base:
        yield base, Path(built_book)


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

    def __init__(self, browser, viewport=None, **context_args):
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, **context_args)
        self.external: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"HTTP {r.status} {r.url}"))
        self.finished: list = []
        self.page.on("requestfinished", lambda r: self.finished.append(r))

    def record_weight(self, page_name: str, html_dir: Path, axe: dict) -> None:
        """Bytes of every response of this page load, appended to ``_build/page-weight.json``."""
        record = {
            "page": page_name,
            **tools_book.weigh(self.finished, html_dir),
            "axe": {k: [list(r) for r in v] for k, v in axe.items()},
        }
        out = html_dir.parent / "page-weight.json"
        with _exclusive(out.with_suffix(".lock")):
            data = json.loads(out.read_text()) if out.is_file() else {}
            data[page_name] = record
            out.write_text(json.dumps(data, indent=1, sort_keys=True))
        self.weight = record

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


def _axe(page) -> dict:
    """axe-core violations on the current page: ``{impact: [(rule id, n nodes, help)]}``."""
    from axe_playwright_python.sync_playwright import Axe

    found: dict[str, list] = {}
    # preload=False: axe's own CSSOM preloading resolves the theme's `@import "../basic.css"`
    # against the page instead of the style sheet (a 404 of axe's making); it only feeds the
    # css-orientation-lock rule.
    for v in Axe().run(page, options={"resultTypes": ["violations"], "preload": False}).response["violations"]:
        found.setdefault(v["impact"], []).append((v["id"], len(v["nodes"]), v["help"]))
    return found


def check_page(watch: Watch, base: str, html_dir: Path, page_name: str, shots: Path) -> list[str]:
    """Open one page; return what is wrong with it (empty list: nothing)."""
    problems = []
    page = watch.page
    page.goto(f"{base}/{page_name}.html", wait_until="load", timeout=60_000)
    math = page.evaluate(_MATH_STATE)
    if math["n"]:
        try:
            _wait_for_mathjax(page)
        except Exception as exc:
            problems.append(f"MathJax did not start: {exc}")
        math = page.evaluate(_MATH_STATE)
        if math["untypeset"]:
            problems.append(
                f"{len(math['untypeset'])} of {math['n']} math elements not typeset, e.g. {math['untypeset'][0]!r}"
            )
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
    page.wait_for_load_state("networkidle")
    axe = _axe(page)
    for impact in ("critical", "serious"):
        problems += [f"axe {impact}: {rule} ({n} nodes): {text}" for rule, n, text in axe.get(impact, [])]
    problems += [
        f"axe moderate (not in ALLOWED_MODERATE): {rule} ({n} nodes): {text}"
        for rule, n, text in axe.get("moderate", [])
        if rule not in ALLOWED_MODERATE
    ]
    watch.record_weight(page_name, html_dir, axe)
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
    w = watch.weight
    if toc_page.startswith("chapters/") and w["bytes_gzip"] - w["figure_bytes_gzip"] > MAX_PAGE_BYTES_GZIP:
        problems.append(
            f"{(w['bytes_gzip'] - w['figure_bytes_gzip']) / 1e6:.2f} MB (gzip) without figures, "
            f"over the {MAX_PAGE_BYTES_GZIP / 1e6:.1f} MB budget"
        )
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
    # Snippets are readable text: no TeX source, no code-cell toggles.
    watch.page.wait_for_timeout(1000)
    snippets = " ".join(watch.page.locator("#search-results p.context").all_text_contents())
    assert snippets.strip(), "search results without text previews"
    for junk in ("\\(", "\\frac", "Hide code cell source", "Show code cell source"):
        assert junk not in snippets, f"search preview shows {junk!r}: {snippets[:300]}"
    # Accessible in both colour modes (the dark highlight of hits once had 2:1 contrast).  The
    # theme animates colours when the mode changes; axe must see the settled colours, not a
    # frame of the transition (the search button measured 1.04:1 mid-way), so transitions are off.
    watch.page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    for mode in ("light", "dark"):
        watch.page.evaluate(f"() => document.documentElement.setAttribute('data-theme', '{mode}')")
        found = _axe(watch.page)
        bad = [f"{mode}: axe {i}: {r}" for i in ("critical", "serious") for r, *_ in found.get(i, [])]
        assert not bad, "\n".join(bad)
    assert not watch.problems(), "\n".join(watch.problems())


_EXTERNAL_ASSET = re.compile(
    r"<(script|link|img|iframe|source|video|audio|embed|object)\b[^>]*\b(src|href|data)\s*=\s*[\"']?"
    r"(https?:)?//",
    re.I,
)


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


# --------------------------------------------------------------------------- navigation
_VISIBLE = """sel => { const e = document.querySelector(sel); if (!e) return false;
  const r = e.getBoundingClientRect(), s = getComputedStyle(e);
  return r.width > 50 && r.height > 50 && r.right > 0 && r.left < innerWidth &&
         s.visibility !== 'hidden' && parseFloat(s.opacity) > 0.5; }"""
_NAV_LINKS = """sel => Array.from(document.querySelectorAll(sel + ' a[href]')).filter(a => {
  const r = a.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth;
}).length"""


@pytest.mark.parametrize("width", [390, 1366])
def test_sidebar_and_page_contents_open(site, browser, width, book_pages):
    """The visible toggle buttons work: the site navigation and the page contents open."""
    base, _ = site
    chapter = next(p for p in book_pages if p.startswith("chapters/"))
    w = Watch(browser, viewport={"width": width, "height": 844 if width < 500 else 900})
    problems = []
    try:
        page = w.page
        page.goto(f"{base}/{chapter}.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        primary = page.locator("button.primary-toggle:visible")
        secondary = page.locator("button.secondary-toggle:visible")
        if width < 992:
            # Phone: both sidebars are hidden until their button opens them as a dialog.
            for what, button, dialog, least in (
                ("site navigation", primary, "#pst-primary-sidebar-modal", len(book_pages) // 2),
                ("page contents", secondary, "#pst-secondary-sidebar-modal", 2),
            ):
                if button.count() != 1:
                    problems.append(f"{width}px: {button.count()} visible {what} buttons")
                    continue
                button.click()
                page.wait_for_timeout(400)
                if not page.evaluate(_VISIBLE, f"{dialog}[open]"):
                    problems.append(f"{width}px: the {what} did not open")
                elif page.evaluate(_NAV_LINKS, dialog) < least:
                    problems.append(f"{width}px: the opened {what} shows fewer than {least} links")
                page.screenshot(path=str(Path(site[1]).parent / "screenshots" / f"nav-{width}-{what[:4]}.png"))
                page.keyboard.press("Escape")
                page.wait_for_timeout(300)
        else:
            # Desktop: the navigation is open by default; its button hides it and shows it again.
            if not page.evaluate(_VISIBLE, "#pst-primary-sidebar"):
                problems.append(f"{width}px: the site navigation is not shown")
            primary.click()
            page.wait_for_timeout(600)
            if page.evaluate(_VISIBLE, "#pst-primary-sidebar"):
                problems.append(f"{width}px: the site-navigation button did not hide the sidebar")
            primary.click()
            page.wait_for_timeout(600)
            if not page.evaluate(_VISIBLE, "#pst-primary-sidebar"):
                problems.append(f"{width}px: the site-navigation button did not open the sidebar again")
            # The page contents sit in the right column at this width (their button is hidden).
            if page.evaluate(_NAV_LINKS, "#pst-secondary-sidebar") < 2:
                page.hover("#pst-secondary-sidebar")
                page.wait_for_timeout(500)
            if page.evaluate(_NAV_LINKS, "#pst-secondary-sidebar") < 2:
                problems.append(f"{width}px: the page contents show no section links")
        page.screenshot(path=str(Path(site[1]).parent / "screenshots" / f"nav-{width}.png"))
        problems += w.problems()
    finally:
        w.close()
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- PDF
def test_pdf_edition(site, browser, book_pages, tmp_path_factory):
    """The PDF edition (the same code as ``make pdf``): one PDF, every page of the book,
    every chapter title in its text, math typeset (no TeX source in the text)."""
    import subprocess

    from tools import book as tools_book

    for tool in ("pdfunite", "pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not found: apt-get install poppler-utils")
    base, html_dir = site
    out = tmp_path_factory.mktemp("pdf") / "book.pdf"
    info = tools_book.print_pages(browser, base, book_pages, out)
    assert info["parts"] == len(book_pages)
    assert info["pages"] >= 2 * len(book_pages), info
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", " ", text)
    titles = []
    for name in book_pages:
        html = (html_dir / f"{name}.html").read_text(encoding="utf-8")
        # the article's <h1> (the one with a permalink), without its section number
        h1 = re.search(r'<h1>((?:(?!<h1>).)*?)<a class="headerlink"', html, re.S)
        assert h1, f"{name}: no <h1>"
        title = re.sub(r'<span class="section-number">[^<]*</span>', "", h1.group(1))
        titles.append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", title)).strip())
    missing = [t for t in titles if t not in flat]
    assert not missing, f"titles missing from the PDF text: {missing}"
    assert "\\frac" not in text and "\\(" not in text, "TeX source in the PDF: math not typeset"
    assert "Show code cell source" not in text
    (html_dir.parent / "pdf-test.json").write_text(json.dumps({**info, "titles": len(titles)}))
