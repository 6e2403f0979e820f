"""The built book: every page of ``_toc.yml`` exists and shows no error of any kind.

The slow tests use the session fixtures of tests/conftest.py: ``book_pages`` (the
pages of ``_toc.yml``) and ``built_book``, which runs ``activations.book.build()``
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

from activations import claims as register

ROOT = Path(__file__).resolve().parents[1]

# An HTML element whose class list marks an error output of MyST-NB.
_ERROR_CLASS = re.compile(r'class="[^"]*\boutput\b[^"]*\b(stderr|traceback)\b[^"]*"')
_PROBLEM_CLASS = re.compile(r'class="[^"]*\b(problematic|system-message)\b[^"]*"')
# A MyST role that reached the page as text instead of being rendered.
_RAW_ROLE = re.compile(r"\{(glue(:[a-z]+)?|ref|numref|doc|cite(:[a-z]+)?|term|eq|download)\}`")


class _VisibleText(HTMLParser):
    """Text of the page outside code (pre/code), scripts and styles."""

    SKIP = {"pre", "code", "script", "style"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "".join(parser.parts)


def _html_dir(built):
    built = Path(built)
    return built.parent if built.is_file() else built


def test_visible_text_skips_code():
    html = '<p>shown {ref}`a`</p><pre>{glue:text}`hidden`</pre><p>also <code>{doc}`x`</code> shown</p>'
    text = visible_text(html)
    assert "shown {ref}`a`" in text and "also  shown" in text
    assert "{glue" not in text and "{doc}" not in text


def test_error_patterns_match_mystnb_markup():
    assert _ERROR_CLASS.search('<div class="output stderr highlight-myst-ansi notranslate">')
    assert _ERROR_CLASS.search('<div class="output traceback highlight-ipythontb notranslate">')
    assert not _ERROR_CLASS.search('<div class="output stream highlight-myst-ansi notranslate">')
    assert not _ERROR_CLASS.search('<div class="cell_output docutils container">')
    assert _RAW_ROLE.search("see {glue:text}`ch5_x:.2f` and") and _RAW_ROLE.search("{ref}`sec-a`")
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
        [{"claim": "a | b", "note": "002_7b2488d02d1ad164.txt (Korean)", "verdict": "partly", "evidence": ["sec-x", "fig-y"]}]
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
