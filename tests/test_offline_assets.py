"""The book's build machinery: the offline MathJax (tools/vendor.py) and the Sphinx
extension _ext/activations_book.py (markup fixes, bibliography labels, config).

No network here: npm is replaced by synthetic tarballs.  The real fetch is exercised by
the book build (tests/test_book.py, tests/test_browser.py).
"""

from __future__ import annotations

import importlib
import io
import sys
import tarfile
from pathlib import Path, PurePosixPath

import pytest
import yaml

from tools import vendor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
ext = importlib.import_module("activations_book")

# A few files of the real npm tarball (names as in the package).
FAKE_TARBALLS = {
    "mathjax": [
        "package/package.json",
        "package/LICENSE",
        "package/es5/tex-mml-chtml.js",
        "package/es5/tex-svg.js",
        "package/es5/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff",
        "package/es5/output/svg/fonts/tex.js",
        "package/es5/input/tex/extensions/cancel.js",
        "package/es5/adaptors/liteDOM.js",
        "package/es5/sre/mathmaps/en.json",
        "package/README.md",
    ],
}


def test_select_keeps_what_the_pages_load_and_drops_the_rest():
    keep = {
        str(vendor._select("mathjax", PurePosixPath(n)))
        for n in FAKE_TARBALLS["mathjax"]
        if vendor._select("mathjax", PurePosixPath(n))
    }
    assert keep == {
        "package.json",
        "LICENSE",
        "tex-mml-chtml.js",
        "input/tex/extensions/cancel.js",
        "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff",
        "sre/mathmaps/en.json",
    }
    assert vendor._select("mathjax", PurePosixPath("package/es5/../../../etc/passwd")) is None
    with pytest.raises(ValueError, match="_select"):
        vendor._select("leftpad", PurePosixPath("package/index.js"))


def _fake_pack(calls):
    def pack(spec, dest):
        calls.append(spec)
        pkg = next(k for k, (s, _) in vendor.VENDOR_PACKAGES.items() if s == spec)
        path = Path(dest) / f"{pkg}.tgz"
        with tarfile.open(path, "w:gz") as tar:
            for name in FAKE_TARBALLS[pkg]:
                data = f"// {name}\n".encode()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return path

    return pack


def test_fetch_vendor_lays_out_the_files_once(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(vendor, "_npm_pack", _fake_pack(calls))
    static = vendor.fetch_vendor(tmp_path, quiet=True)
    assert static == tmp_path / vendor.VENDOR_STATIC
    offline = static / vendor.VENDOR_PREFIX
    assert (offline / "mathjax" / "tex-mml-chtml.js").read_text() == "// package/es5/tex-mml-chtml.js\n"
    assert not (offline / "mathjax" / "tex-svg.js").exists()
    assert len(calls) == len(vendor.VENDOR_PACKAGES)
    # Second call: the stamp matches, nothing is fetched.
    vendor.fetch_vendor(tmp_path, quiet=True)
    assert len(calls) == len(vendor.VENDOR_PACKAGES)
    # A changed pin (stale stamp) fetches again and replaces the folder.
    (static / ".stamp").write_text("{}")
    (offline / "stale.js").write_text("old")
    vendor.fetch_vendor(tmp_path, quiet=True)
    assert len(calls) == 2 * len(vendor.VENDOR_PACKAGES)
    assert not (static / vendor.VENDOR_PREFIX / "stale.js").exists()


def test_fetch_vendor_without_npm_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(vendor.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="npm"):
        vendor.fetch_vendor(tmp_path, quiet=True)


def test_config_points_sphinx_at_the_fetched_files_only():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = cfg["sphinx"]["config"]
    assert cfg["sphinx"]["local_extensions"] == {"activations_book": "_ext"}
    assert (ROOT / "_ext" / "activations_book.py").is_file()
    assert not (ROOT / "src" / "activations" / "book.py").exists(), "build code stays out of the student package"
    assert vendor.VENDOR_STATIC.as_posix() in sphinx["html_static_path"]
    assert not (ROOT / "_static").exists(), "a root _static folder is injected into every page"
    mj = PurePosixPath(sphinx["mathjax_path"])
    assert mj.parts[:2] == (vendor.VENDOR_PREFIX, "mathjax")
    # The file mathjax_path names is one that the fetch keeps.
    assert vendor._select("mathjax", PurePosixPath("package/es5", *mj.parts[2:])) == PurePosixPath(*mj.parts[2:])
    # Static explorers: no page needs the ipywidgets scripts, and none come from a CDN.
    assert sphinx["nb_ipywidgets_js"] == {}
    assert all(not v for k, v in cfg.get("launch_buttons", {}).items() if k.endswith("_url")), (
        "launch buttons are off by default"
    )


def test_repeated_inline_scripts_are_dropped():
    from sphinx.builders.html._assets import _JavaScript

    scripts = [
        _JavaScript(None, body="const A = 1"),
        _JavaScript("x.js"),
        _JavaScript("", body="const A = 1"),
        _JavaScript(None, body="const B = 2"),
    ]
    context = {"script_files": scripts}
    ext._dedupe_inline_scripts(None, "page", "page.html", context, None)
    assert [(js.filename, js.attributes.get("body")) for js in context["script_files"]] == [
        (None, "const A = 1"),
        ("x.js", None),
        (None, "const B = 2"),
    ]
    assert context["script_files"] is scripts  # edited in place: the builder's own list


EXERCISE_HTML = """<div class="exercise admonition" id="graded-02-q5">
<p class="admonition-title">Exercise</p>
<section id="exercise-content">
<p><strong>Question 5 (1 point): how deep until <span class="math">\\(g_L\\)</span> vanishes?</strong> Consider a chain.</p>
</section>
</div>
<div class="exercise admonition" id="graded-02-q4">
<p class="admonition-title">Exercise</p>
<section id="exercise-content">
<p><strong>Question 4 (2 points): the largest slope.</strong> Text.</p>
</section>
</div>
<details class="hide above-input"><summary aria-label="Toggle hidden content"><span>Show code cell source</span></summary></details>
<div role="list" class="citation-list"><div class="citation" id="id1" role="doc-biblioentry">x</div></div>
"""


def test_fix_body_makes_questions_headings_with_unique_ids():
    out = ext.fix_body(EXERCISE_HTML)
    assert 'id="exercise-content"' not in out
    assert out.count('<h2 class="admonition-title exercise-question">') == 2
    assert '<h2 class="admonition-title exercise-question">Question 4 (2 points): the largest slope</h2>' in out
    assert "vanishes?</h2>" in out and '<section id="graded-02-q5-content">' in out
    assert "<p>Consider a chain.</p>" in out and "<strong>" not in out
    assert "<summary aria-label" not in out and "<summary><span>Show code cell source" in out
    assert 'role="doc-biblioentry"' not in out and 'role="listitem"' in out


def test_fontawesome_script_is_dropped_from_the_head():
    head = (
        '<link href="_static/styles/theme.css" rel="stylesheet" />\n'
        '  <script defer src="_static/scripts/fontawesome.js?digest=abc"></script>\n'
        '  <link rel="preload" as="script" href="_static/scripts/bootstrap.js" />'
    )
    out = ext.drop_fontawesome(head)
    assert "fontawesome.js" not in out and "bootstrap.js" in out and "theme.css" in out


def test_author_year_labels_match_the_citations_in_the_text():
    from pybtex.database import parse_string

    bib = parse_string(
        """
@article{a, author = {Clevert, Djork-Arn{\\'e} and Unterthiner, Thomas and Hochreiter, Sepp}, title = {ELU}, year = {2015}}
@article{b, author = {Glorot, Xavier and Bengio, Yoshua}, title = {Understanding}, year = {2010}}
@article{c, author = {Hendrycks, Dan}, title = {GELU}, year = {2016}}
""",
        "bibtex",
    )
    labels = [ext.author_year_label(bib.entries[k]) for k in "abc"]
    assert labels == ["Clevert et al., 2015", "Glorot and Bengio, 2010", "Hendrycks, 2016"]
