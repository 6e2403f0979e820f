"""activations.book: the offline assets (MathJax, widget scripts) and the Sphinx glue.

No network here: npm is replaced by synthetic tarballs.  The real fetch is exercised by
the book build (tests/test_book.py, tests/test_browser.py).
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path, PurePosixPath

import pytest
import yaml

from activations import book

ROOT = Path(__file__).resolve().parents[1]

# A few files of each real npm tarball (names as in the packages).
FAKE_TARBALLS = {
    "mathjax": ["package/package.json", "package/LICENSE", "package/es5/tex-mml-chtml.js", "package/es5/tex-svg.js",
                "package/es5/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff",
                "package/es5/output/svg/fonts/tex.js", "package/es5/input/tex/extensions/cancel.js",
                "package/es5/adaptors/liteDOM.js", "package/es5/sre/mathmaps/en.json", "package/README.md"],
    "requirejs": ["package/package.json", "package/require.js", "package/bin/r.js"],
    "html-manager": ["package/package.json", "package/dist/embed-amd.js", "package/dist/embed.js",
                     "package/dist/embed.js.map", "package/dist/1551f4f60c37af51121f.woff2",
                     "package/lib/index.js"],
}


def test_select_keeps_what_the_pages_load_and_drops_the_rest():
    keep = {pkg: {str(book._select(pkg, PurePosixPath(n))) for n in names if book._select(pkg, PurePosixPath(n))}
            for pkg, names in FAKE_TARBALLS.items()}
    assert keep["mathjax"] == {"package.json", "LICENSE", "tex-mml-chtml.js", "input/tex/extensions/cancel.js",
                               "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff", "sre/mathmaps/en.json"}
    assert keep["requirejs"] == {"package.json", "require.js"}
    assert keep["html-manager"] == {"package.json", "embed-amd.js", "1551f4f60c37af51121f.woff2"}
    assert book._select("mathjax", PurePosixPath("package/es5/../../../etc/passwd")) is None
    with pytest.raises(ValueError, match="_select"):
        book._select("leftpad", PurePosixPath("package/index.js"))


def _fake_pack(calls):
    def pack(spec, dest):
        calls.append(spec)
        pkg = next(k for k, (s, _) in book.VENDOR_PACKAGES.items() if s == spec)
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
    monkeypatch.setattr(book, "_npm_pack", _fake_pack(calls))
    static = book.fetch_vendor(tmp_path, quiet=True)
    assert static == tmp_path / book.VENDOR_STATIC
    offline = static / book.VENDOR_PREFIX
    assert (offline / "mathjax" / "tex-mml-chtml.js").read_text() == "// package/es5/tex-mml-chtml.js\n"
    assert (offline / "requirejs" / "require.js").is_file()
    assert (offline / "html-manager" / "embed-amd.js").is_file()
    assert (offline / "widgets-offline.js").read_text(encoding="utf-8") == book.WIDGETS_GLUE_JS
    assert len(calls) == len(book.VENDOR_PACKAGES)
    # Second call: the stamp matches, nothing is fetched.
    book.fetch_vendor(tmp_path, quiet=True)
    assert len(calls) == len(book.VENDOR_PACKAGES)
    # A changed pin (stale stamp) fetches again and replaces the folder.
    (static / ".stamp").write_text("{}")
    (offline / "stale.js").write_text("old")
    book.fetch_vendor(tmp_path, quiet=True)
    assert len(calls) == 2 * len(book.VENDOR_PACKAGES)
    assert not (static / book.VENDOR_PREFIX / "stale.js").exists()


def test_fetch_vendor_without_npm_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(book.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="npm"):
        book.fetch_vendor(tmp_path, quiet=True)


def test_config_points_sphinx_at_the_fetched_files_only():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = cfg["sphinx"]["config"]
    assert "activations.book" in cfg["sphinx"]["extra_extensions"]
    assert book.VENDOR_STATIC.as_posix() in sphinx["html_static_path"]
    assert not (ROOT / "_static").exists(), "a root _static folder is injected into every page"
    mj = PurePosixPath(sphinx["mathjax_path"])
    assert mj.parts[:2] == (book.VENDOR_PREFIX, "mathjax")
    # The file mathjax_path names is one that the fetch keeps.
    assert book._select("mathjax", PurePosixPath("package/es5", *mj.parts[2:])) == PurePosixPath(*mj.parts[2:])
    scripts = list(sphinx["nb_ipywidgets_js"])
    assert all("://" not in s and s.startswith(book.VENDOR_PREFIX + "/") for s in scripts)
    assert scripts.index("offline/requirejs/require.js") < scripts.index("offline/widgets-offline.js") \
        < scripts.index("offline/html-manager/embed-amd.js")
    assert all(not v for k, v in cfg.get("launch_buttons", {}).items() if k.endswith("_url")), \
        "launch buttons are off by default"


def test_repeated_inline_scripts_are_dropped():
    from sphinx.builders.html._assets import _JavaScript

    scripts = [_JavaScript(None, body="const A = 1"), _JavaScript("x.js"), _JavaScript("", body="const A = 1"),
               _JavaScript(None, body="const B = 2")]
    context = {"script_files": scripts}
    book._dedupe_inline_scripts(None, "page", "page.html", context, None)
    assert [(js.filename, js.attributes.get("body")) for js in context["script_files"]] == [
        (None, "const A = 1"), ("x.js", None), (None, "const B = 2")]
    assert context["script_files"] is scripts  # edited in place: the builder's own list
