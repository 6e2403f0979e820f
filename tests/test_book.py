"""The built book: every page of ``_toc.yml`` exists and shows no error of any kind.

The slow tests use the session fixtures of tests/conftest.py: ``book_pages`` (the
pages of ``_toc.yml``) and ``built_book``, which runs ``tools.book.build()``
(``-W -n --keep-going``, so a warning already fails the build) and returns the
``_build/html`` directory.  What a clean build can still hide,
and these tests look for: cell outputs that are errors or stderr, raw MyST roles
that were not rendered (a misspelt ``{glue:text}``, ``{ref}``, ...), docutils
"problematic" nodes, and execution reports of failed notebooks.

The fast test checks the claims register: every evidence label exists in a chapter.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from activations.course import claims as register

ROOT = Path(__file__).resolve().parents[1]

# An HTML element whose class list marks an error output of MyST-NB.
_ERROR_CLASS = re.compile(r'class="[^"]*\boutput\b[^"]*\b(stderr|traceback)\b[^"]*"')
_PROBLEM_CLASS = re.compile(r'class="[^"]*\b(problematic|system-message)\b[^"]*"')
# A MyST role that reached the page as text instead of being rendered.
_RAW_ROLE = re.compile(r"\{(glue(:[a-z]+)?|ref|numref|doc|cite(:[a-z]+)?|term|eq|download)\}`")


class _VisibleText(HTMLParser):
    """Text of the page outside code (pre/code), scripts, styles and math (``.math``
    elements hold TeX that MathJax typesets in the browser)."""

    SKIP = {"pre", "code", "script", "style", "textarea", "mjx-container"}
    SKIP_CLASSES = {"math", "highlight"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []  # per open element: does it (or an ancestor) hide its text?
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        hidden = bool(self.stack and self.stack[-1]) or tag in self.SKIP or bool(classes & self.SKIP_CLASSES)
        self.stack.append(hidden)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "".join(parser.parts)


#: What a reader must never see in the rendered text of a page (outside code and math).
ARTEFACTS = [
    (re.compile(r"<IPython\.[\w.]+"), "repr of an IPython display object (glue a value, or use {glue:md})"),
    (re.compile(r"\bobject at 0x[0-9a-f]+"), "default repr of a Python object"),
    (re.compile(r"\{glue(:[a-z]+)?\}"), "raw {glue} role"),
    (re.compile(r"\$"), "unrendered $ (math that MyST did not parse)"),
    (re.compile(r"\\[A-Za-z]+"), "TeX command outside math"),
    (re.compile(r"\*\*"), "literal ** (Markdown bold that was not parsed)"),
]


def artefacts(html: str) -> list[str]:
    """Visible artefacts in a page's rendered text, with a little context each."""
    text = visible_text(_main(html))
    found = []
    for pattern, what in ARTEFACTS:
        for m in pattern.finditer(text):
            context = text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ")
            found.append(f"{what}: ...{context}...")
    return found


def _main(html: str) -> str:
    """The article (``<main>``), without the theme's navigation and the print-only copy."""
    start = html.find("<main")
    end = html.rfind("</main>")
    return html[start:end] if start != -1 and end != -1 else html


def _html_dir(built):
    built = Path(built)
    return built.parent if built.is_file() else built


def test_visible_text_skips_code():
    html = "<p>shown {ref}`a`</p><pre>{glue:text}`hidden`</pre><p>also <code>{doc}`x`</code> shown</p>"
    text = visible_text(html)
    assert "shown {ref}`a`" in text and "also  shown" in text
    assert "{glue" not in text and "{doc}" not in text


def test_artefacts_are_found_in_text_and_not_in_code_or_math():
    bad = (
        "<main><p>SymPy says its derivative is &lt;IPython.core.display.Markdown object&gt;.</p>"
        "<p>at &lt;foo.Bar object at 0x7f00aa&gt;</p><p>see {glue:text}`x`</p>"
        "<p>Store the **smallest** $L \\ge 1$</p></main>"
    )
    found = "\n".join(artefacts(bad))
    for what in ("IPython display object", "default repr", "raw {glue}", "unrendered $", "TeX command", "literal **"):
        assert what in found, what
    good = (
        '<main><p>Fine text, 5 * 3.</p><span class="math notranslate nohighlight">\\(x^2 \\ge 0\\)</span>'
        '<div class="math notranslate nohighlight">\\[\\frac{a}{b} \\quad \\text{$x$}\\]</div>'
        '<div class="highlight"><pre>x = 2 ** 3  # $cost</pre></div><code>f"{x!r}"</code><img alt="$x$"/></main>'
    )
    assert artefacts(good) == []


def test_error_patterns_match_mystnb_markup():
    assert _ERROR_CLASS.search('<div class="output stderr highlight-myst-ansi notranslate">')
    assert _ERROR_CLASS.search('<div class="output traceback highlight-ipythontb notranslate">')
    assert not _ERROR_CLASS.search('<div class="output stream highlight-myst-ansi notranslate">')
    assert not _ERROR_CLASS.search('<div class="cell_output docutils container">')
    assert _RAW_ROLE.search("see {glue:text}`ch6_x:.2f` and") and _RAW_ROLE.search("{ref}`sec-a`")
    assert not _RAW_ROLE.search("a set {1, 2} and `code`")


def test_load_claims_checks_every_entry(tmp_path):
    good = "- claim: c\n  note: 001_ab.txt (Korean)\n  verdict: Supported\n  evidence: [sec-a, fig-b]\n"
    (tmp_path / "01_x.yml").write_text(good, encoding="utf-8")
    [claim] = register.load_claims(tmp_path)
    assert claim["verdict"] == "supported" and claim["evidence"] == ["sec-a", "fig-b"]
    assert claim["source"] == "01_x"
    (tmp_path / "02_y.yml").write_text(good.replace("Supported", "probably"), encoding="utf-8")
    with pytest.raises(ValueError, match="02_y.yml entry 1"):
        register.load_claims(tmp_path)
    (tmp_path / "02_y.yml").write_text("- claim: c\n  verdict: wrong\n  evidence: sec-a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lacks note"):
        register.load_claims(tmp_path)


def test_book_labels_and_missing_labels(tmp_path):
    import nbformat

    (tmp_path / "chapters").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("(sec-one)=\n# One\n\n```{glue:figure} k\n:name: fig-glued\n```"),
        nbformat.v4.new_code_cell("1", metadata={"mystnb": {"figure": {"name": "fig-meta", "caption": "c"}}}),
    ]
    nbformat.write(nb, tmp_path / "chapters" / "01.ipynb")
    (tmp_path / "chapters" / "page.md").write_text("(sec-md)=\n# Page\n", encoding="utf-8")
    labels = register.book_labels(tmp_path)
    assert labels == {"sec-one", "fig-glued", "fig-meta", "sec-md"}
    claims = [{"source": "01", "evidence": ["sec-one", "sec-two"]}]
    assert register.missing_labels(claims, labels) == [("01", "sec-two")]


def test_claims_table_escapes_pipes_and_shortens_notes():
    table = register.claims_markdown(
        [
            {
                "claim": "a | b",
                "note": "002_7b2488d02d1ad164.txt (Korean)",
                "verdict": "partly",
                "evidence": ["sec-x", "fig-y"],
            }
        ]
    )
    assert table.splitlines()[2] == "| a \\| b | 002 (Korean) | partly | {ref}`sec-x`, {numref}`fig-y` |"


def test_every_claim_points_to_an_existing_label():
    claims = register.load_claims(ROOT / "appendix" / "claims")
    assert claims, "appendix/claims/*.yml hold no claims"
    missing = register.missing_labels(claims, register.book_labels(ROOT))
    assert not missing, f"evidence labels defined nowhere in the book: {missing}"


@pytest.mark.slow
def test_every_toc_page_is_built(built_book, book_pages):
    html = _html_dir(built_book)
    pages = book_pages
    assert len(pages) > 1
    missing = [p for p in pages if not (html / f"{p}.html").is_file()]
    assert not missing, f"pages of _toc.yml missing from the HTML build: {missing}"


@pytest.mark.slow
def test_pages_show_no_errors_or_raw_markup(built_book, book_pages):
    html_dir = _html_dir(built_book)
    problems = []
    for page in book_pages:
        path = html_dir / f"{page}.html"
        if not path.is_file():
            continue  # reported by test_every_toc_page_is_built
        html = path.read_text(encoding="utf-8")
        text = visible_text(html)
        if _ERROR_CLASS.search(html):
            problems.append(f"{page}: error or stderr cell output")
        if "Traceback (most recent call last)" in html:
            problems.append(f"{page}: Python traceback")
        if _PROBLEM_CLASS.search(html):
            problems.append(f"{page}: unresolved reference or docutils error")
        for match in _RAW_ROLE.finditer(text):
            problems.append(f"{page}: raw role {match.group(0)!r} in the text")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_no_execution_reports(built_book):
    reports = _html_dir(built_book) / "reports"
    logs = sorted(p.name for p in reports.rglob("*") if p.is_file()) if reports.is_dir() else []
    assert not logs, f"notebook execution failed (see _build/html/reports/): {logs}"


@pytest.mark.slow
def test_rendered_text_has_no_artefacts(built_book, book_pages):
    """What readers see: no repr of display objects, raw glue, unparsed $/\\cmd/** anywhere."""
    html_dir = _html_dir(built_book)
    problems = []
    for page in book_pages:
        path = html_dir / f"{page}.html"
        if path.is_file():
            problems += [f"{page}: {a}" for a in artefacts(path.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_exercise_questions_are_headings_with_unique_ids(built_book, book_pages):
    html_dir = _html_dir(built_book)
    problems = []
    for page in (p for p in book_pages if p.startswith("exercises/")):
        html = (html_dir / f"{page}.html").read_text(encoding="utf-8")
        ids = re.findall(r'\bid="([^"]+)"', html)
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            problems.append(f"{page}: repeated ids {dup}")
        n_ex = html.count('class="exercise admonition"')
        n_h = len(re.findall(r'<h2 class="admonition-title exercise-question">Question \d', html))
        if n_ex == 0 or n_h != n_ex:
            problems.append(f"{page}: {n_h} question headings for {n_ex} exercises")
    assert not problems, "\n".join(problems)
