"""Sphinx extension of the course book (loaded through ``sphinx: local_extensions`` in
``_config.yml``; it is not part of the installed ``activations`` package).

What it does, and why:

* **Offline MathJax**: at ``config-inited`` it makes sure MathJax has been fetched from
  the npm registry into ``_build/_vendor/static`` (:mod:`tools.vendor`), which
  ``html_static_path`` lists; ``mathjax_path`` points there.
* **Static explorers**: it sets ``ACTIVATIONS_EXPLORER_MODE=static`` for the notebook
  kernels, so the explorers of :mod:`activations.explorer` emit frames switched by an
  inline script (a live ipywidget cannot respond without a kernel).
* **Reader fixes** (reader review 2026-11, issue 9), through the book's own
  ``static/activations-book.css`` and ``.js`` and two template overrides:

  - ``templates/sections/header.html``: the theme's header without its two hidden
    sidebar toggles, so the visible ``.primary-toggle`` / ``.secondary-toggle`` are the
    first in the page -- pydata-sphinx-theme 0.17 and sphinx-book-theme 1.3 bind only
    ``document.querySelector(".primary-toggle")`` (pydata/pydata-sphinx-theme#2451);
  - ``templates/layout.html``: no ``fontawesome.js`` (1.5 MB on every page); the
    theme's stylesheet already carries Font Awesome's web-font CSS, which draws the
    same icons;
  - page body: exercise questions become headings (``<h2>``) with unique ids (not the
    repeated ``id="exercise-content"``); "Show code cell source" summaries are named by
    their visible text; bibliography entries are list items (``role="listitem"``, the
    ARIA role a ``role="list"`` needs);
  - bibliography labels in author-year form, as the citations in the text.
* It drops repeated inline ``<script>`` bodies (Sphinx 7.4 adds a script registered
  after the builder started twice: a SyntaxError in every page's console).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # tools/ lives next to _ext/ at the book root
    sys.path.insert(0, str(ROOT))

from activations.explorer import MODE_ENV as EXPLORER_MODE_ENV  # noqa: E402
from tools import vendor  # noqa: E402

STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
CSS_FILE = "activations-book.css"
JS_FILE = "activations-book.js"
BIB_STYLE = "activations_author_year"


# --------------------------------------------------------------------------- config
def _on_config_inited(app, config) -> None:
    static_entry = vendor.VENDOR_STATIC.as_posix()
    if static_entry not in [Path(p).as_posix() for p in config.html_static_path]:
        raise RuntimeError(
            f"activations_book: _config.yml must list {static_entry!r} under "
            "sphinx: config: html_static_path (the offline MathJax)"
        )
    vendor.fetch_vendor(Path(app.confdir))
    config.html_static_path.append(str(STATIC))
    config.templates_path.insert(0, str(TEMPLATES))
    config.bibtex_default_style = BIB_STYLE


def _on_builder_inited(app) -> None:
    if app.builder.format != "html":
        return
    app.add_css_file(CSS_FILE)
    app.add_js_file(JS_FILE, loading_method="defer")

    templates = getattr(app.builder, "templates", None)
    if templates is not None:
        templates.environment.filters["drop_fontawesome"] = drop_fontawesome


_FONTAWESOME_JS = re.compile(r'\s*<script\b[^>]*\bsrc="[^"]*/fontawesome\.js[^"]*"[^>]*>\s*</script>')


def drop_fontawesome(html: str):
    """The theme's ``<head>`` assets without the ``fontawesome.js`` script."""
    from markupsafe import Markup

    return Markup(_FONTAWESOME_JS.sub("", str(html)))


# --------------------------------------------------------------------------- page body
_EXERCISE = re.compile(
    r'(?P<open><div class="exercise admonition" id="(?P<id>[^"]+)">\s*)'
    r'<p class="admonition-title">[^<]*</p>\s*'
    r'<section id="exercise-content">\s*'
    r"<p><strong>(?P<title>.*?)</strong>\s*",
    re.S,
)
_SUMMARY_NAME = re.compile(r'<summary aria-label="Toggle hidden content">')


def _exercise_heading(m: re.Match) -> str:
    title = m.group("title").strip()
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]
    ident = m.group("id")
    return (
        f'{m.group("open")}<h2 class="admonition-title exercise-question">{title}</h2>\n'
        f'<section id="{ident}-content">\n<p>'
    )


def fix_body(body: str) -> str:
    """Markup fixes of a page body (see the module docstring); pure, for the tests."""
    body = _EXERCISE.sub(_exercise_heading, body)
    # A remaining exercise without a "Question" title still gets a unique id.
    count = iter(range(1, 10_000))
    body = re.sub(r'<section id="exercise-content">', lambda _m: f'<section id="exercise-content-{next(count)}">', body)
    body = _SUMMARY_NAME.sub("<summary>", body)
    body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    return body


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    _dedupe_inline_scripts(app, pagename, templatename, context, doctree)
    if isinstance(context.get("body"), str):
        context["body"] = fix_body(context["body"])


def _dedupe_inline_scripts(app, pagename, templatename, context, doctree) -> None:
    """Drop repeated inline ``<script>`` bodies (see the module docstring)."""
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, keep = set(), []
    for js in scripts:
        attrs = getattr(js, "attributes", {})
        key = (getattr(js, "filename", js) or "", tuple(sorted((k, str(v)) for k, v in attrs.items())))
        if key not in seen:
            seen.add(key)
            keep.append(js)
    scripts[:] = keep


# --------------------------------------------------------------------------- bibliography
def author_year_label(entry) -> str:
    """``Clevert et al., 2015`` / ``Glorot and Bengio, 2010`` / ``Hendrycks, 2016``: the
    label sphinxcontrib-bibtex's ``author_year`` citations show in the text."""
    from pybtex.richtext import Text

    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [Text.from_latex(" ".join(p.last_names)).render_as("text") for p in persons]
    year = entry.fields.get("year", "n.d.")
    if not names:
        who = entry.fields.get("key", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {year}"


def _register_bib_style() -> None:
    import pybtex.plugin
    from pybtex.style.formatting.plain import Style as Plain
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            seen: dict[str, int] = {}
            for entry in sorted_entries:
                label = author_year_label(entry)
                seen[label] = seen.get(label, 0) + 1
                yield label if seen[label] == 1 else f"{label}{chr(ord('a') + seen[label] - 1)}"

    class AuthorYearStyle(Plain):
        default_label_style = AuthorYearLabels
        default_sorting_style = "author_year_title"

    pybtex.plugin.register_plugin("pybtex.style.formatting", BIB_STYLE, AuthorYearStyle)


def _on_build_finished(app, exception) -> None:
    """Copy the book's CSS/JS into the site after every build: Sphinx copies static files
    only when some page is rewritten, so an edit of them alone would not reach the site."""
    if exception is None and app.builder.format == "html":
        import shutil

        for name in (CSS_FILE, JS_FILE):
            shutil.copyfile(STATIC / name, Path(app.outdir) / "_static" / name)


def setup(app):
    """Sphinx extension entry point (see the module docstring)."""
    # Kernels started by MyST-NB / jupyter-cache inherit this process's environment.
    os.environ[EXPLORER_MODE_ENV] = "static"
    # ... and the pinned numerics under which stored experiment runs reproduce bit for bit.
    from activations.protocol import PINNED_ENV

    for key, value in PINNED_ENV.items():
        os.environ.setdefault(key, value)
    _register_bib_style()
    # Before Sphinx's own check (priority 800) that html_static_path exists.
    app.connect("config-inited", _on_config_inited, priority=400)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page_context, priority=900)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
