"""Build the course book offline: ``python -m activations.book build``.

Two jobs:

* :func:`build` runs Jupyter Book v1 from the repository root with warnings as
  errors (``-W -n --keep-going``) and the execution cache (``make book`` calls it).
* :func:`setup` makes this module a Sphinx extension (listed under
  ``sphinx: extra_extensions`` in ``_config.yml``), so that *every* build of the
  book -- ``make book`` or a plain ``jupyter-book build`` -- is self-contained:

  - it fetches MathJax 3, RequireJS and the ipywidgets HTML manager from the npm
    registry (``npm pack``, pinned versions, integrity checked by npm) into
    ``_build/_vendor/static`` -- outside git, once; later builds reuse it -- and
    ``_config.yml`` points ``html_static_path``, ``mathjax_path`` and
    ``nb_ipywidgets_js`` there, so the HTML loads nothing from another host;
  - it sets ``ACTIVATIONS_EXPLORER_MODE=static`` for the notebook kernels, so the
    explorers of :mod:`activations.widgets` emit their JavaScript-driven static
    version (a live ipywidget cannot respond without a kernel).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"

#: Folder, relative to the book root, that ``html_static_path`` lists (see ``_config.yml``).
VENDOR_STATIC = Path("_build") / "_vendor" / "static"
#: Sub-folder of ``_static`` in the built HTML that holds the fetched files.
VENDOR_PREFIX = "offline"

#: npm packages fetched at build time: name -> (npm spec, destination folder under ``offline/``).
VENDOR_PACKAGES = {
    "mathjax": ("mathjax@3.2.2", "mathjax"),
    "requirejs": ("requirejs@2.3.8", "requirejs"),
    "html-manager": ("@jupyter-widgets/html-manager@1.0.15", "html-manager"),
}

#: Environment variable read by :mod:`activations.widgets`.
EXPLORER_MODE_ENV = "ACTIVATIONS_EXPLORER_MODE"

# MathJax combined bundles other than the one we load, the SVG output and the node
# entry point are left out (about 14 MB); everything the loaded bundle may fetch on
# demand (TeX extensions, fonts, menu, accessibility, speech) is kept.
_MATHJAX_SKIP_PREFIXES = ("output/svg",)
_MATHJAX_BUNDLE = "tex-mml-chtml.js"


def _select(package: str, rel: PurePosixPath) -> PurePosixPath | None:
    """Where file ``rel`` of an unpacked npm tarball goes (``None``: not needed)."""
    parts = rel.parts
    if len(parts) < 2 or parts[0] != "package" or ".." in parts or rel.is_absolute():
        return None
    inner = PurePosixPath(*parts[1:])
    if inner.name in {"LICENSE", "LICENSE.txt", "package.json"} and len(inner.parts) == 1:
        return inner
    if package == "mathjax":
        if inner.parts[0] != "es5" or len(inner.parts) < 2:
            return None
        sub = PurePosixPath(*inner.parts[1:])
        if len(sub.parts) == 1:  # top-level bundles: keep only the one we load
            return sub if sub.name == _MATHJAX_BUNDLE else None
        if any(str(sub).startswith(p) for p in _MATHJAX_SKIP_PREFIXES) or sub.parts[0] == "adaptors":
            return None
        return sub
    if package == "requirejs":
        return inner if str(inner) == "require.js" else None
    if package == "html-manager":
        # embed-amd.js plus the font files its bundled CSS refers to (same folder).
        if inner.parts[0] != "dist" or len(inner.parts) != 2:
            return None
        name = inner.name
        if name == "embed-amd.js" or name.endswith((".woff", ".woff2", ".ttf", ".eot", ".svg")):
            return PurePosixPath(name)
        return None
    raise ValueError(f"_select(): unknown vendor package {package!r}")


#: Our own glue between the fetched scripts (not third-party code), written next to
#: them as ``offline/widgets-offline.js`` and loaded between require.js and embed-amd.js.
WIDGETS_GLUE_JS = """\
/* Written by activations.book: glue for the offline ipywidgets scripts. */
(function () {
  var script = document.currentScript;
  var here = script ? script.src.replace(/[^\\/]*$/, "") : "";
  // embed-amd.js loads its icon fonts relative to the AMD path of its own module:
  // map that path to the folder it was copied to (default: the server root).
  if (here && window.require && window.require.config) {
    window.require.config({paths: {"@jupyter-widgets/html-manager/dist": here + "html-manager"}});
  }
  // The widget code typesets labels with the MathJax 2 call MathJax.Hub.Queue(["Typeset",
  // MathJax.Hub, element]); the book loads MathJax 3, which has MathJax.typesetPromise.
  var hub = {Queue: function (job) {
    var element = job && job[2], mj = window.MathJax;
    if (element && mj && mj.typesetPromise) { mj.typesetPromise([element]).catch(function () {}); }
  }};
  var mj = window.MathJax = window.MathJax || {};
  if (mj.version) { mj.Hub = mj.Hub || hub; return; }
  mj.Hub = hub;  // until MathJax 3 has loaded (it then replaces this object)
  mj.startup = mj.startup || {};
  var ready = mj.startup.ready;
  mj.startup.ready = function () {
    if (ready) { ready(); } else { window.MathJax.startup.defaultReady(); }
    window.MathJax.Hub = hub;
  };
})();
"""


def _stamp() -> str:
    specs = {k: v[0] for k, v in sorted(VENDOR_PACKAGES.items())}
    specs["glue"] = hashlib.sha256(WIDGETS_GLUE_JS.encode()).hexdigest()[:16]
    return json.dumps(specs, sort_keys=True)


def _npm_pack(spec: str, dest: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "fetch_vendor(): npm is needed once to fetch MathJax and the widget scripts from "
            "the npm registry (install Node.js, e.g. `apt-get install -y npm`)"
        )
    proc = subprocess.run(
        [npm, "pack", spec, "--pack-destination", str(dest), "--json", "--loglevel=error"],
        check=False, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"fetch_vendor(): `npm pack {spec}` failed:\n{proc.stderr.strip()}")
    info = json.loads(proc.stdout)
    return dest / info[0]["filename"]


def _unpack(package: str, tgz: Path, dest: Path) -> int:
    count = 0
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            target = _select(package, PurePosixPath(member.name))
            if target is None:
                continue
            out = dest / target
            out.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            assert src is not None  # a regular file always has content
            with src, open(out, "wb") as fh:
                shutil.copyfileobj(src, fh)
            count += 1
    return count


def fetch_vendor(root: Path = ROOT, *, quiet: bool = False) -> Path:
    """Fetch the offline assets into ``root/_build/_vendor/static`` unless already there.

    Idempotent: a stamp file records the pinned npm specs; with a matching stamp
    nothing is downloaded.  The new folder is assembled next to the final one and
    renamed into place, so concurrent builds never see a half-written folder.

    Returns
    -------
    pathlib.Path
        The static folder (the one ``html_static_path`` lists).
    """
    static = Path(root) / VENDOR_STATIC
    stamp = static / ".stamp"
    if stamp.is_file() and stamp.read_text() == _stamp():
        return static
    static.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=static.parent, prefix=".fetch-") as tmp:
        tmp = Path(tmp)
        staged = tmp / "static"
        for package, (spec, folder) in VENDOR_PACKAGES.items():
            if not quiet:
                print(f"[activations.book] fetching {spec} from the npm registry", file=sys.stderr)
            tgz = _npm_pack(spec, tmp)
            n = _unpack(package, tgz, staged / VENDOR_PREFIX / folder)
            if n == 0:
                raise RuntimeError(f"fetch_vendor(): nothing usable in {spec}")
        (staged / VENDOR_PREFIX / "widgets-offline.js").write_text(WIDGETS_GLUE_JS, encoding="utf-8")
        (staged / ".stamp").write_text(_stamp())
        if static.exists():
            shutil.rmtree(static, ignore_errors=True)
        try:
            staged.rename(static)
        except OSError:
            # Another build put it in place meanwhile; use theirs if it is complete.
            if not (stamp.is_file() and stamp.read_text() == _stamp()):
                raise
    return static


# --------------------------------------------------------------------------- Sphinx
def _on_config_inited(app, config) -> None:
    static_entry = VENDOR_STATIC.as_posix()
    if static_entry not in [Path(p).as_posix() for p in config.html_static_path]:
        raise RuntimeError(
            f"activations.book: _config.yml must list {static_entry!r} under "
            "sphinx: config: html_static_path (the offline MathJax and widget scripts)"
        )
    fetch_vendor(Path(app.confdir))


def _dedupe_inline_scripts(app, pagename, templatename, context, doctree) -> None:
    """Drop repeated inline ``<script>`` bodies.

    Sphinx 7.4 adds a script registered after the builder started (``add_js_file(None,
    body=...)``, as sphinx-thebe and sphinx-togglebutton do) twice: once under the name
    ``None`` and once under ``''``.  The repeated ``const THEBE_JS_URL = ...`` is a
    SyntaxError in the browser console of every page.
    """
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


def setup(app):
    """Sphinx extension entry point (see the module docstring)."""
    # Kernels started by MyST-NB / jupyter-cache inherit this process's environment.
    os.environ[EXPLORER_MODE_ENV] = "static"
    # Before Sphinx's own check (priority 800) that html_static_path exists.
    app.connect("config-inited", _on_config_inited, priority=400)
    app.connect("html-page-context", _dedupe_inline_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --------------------------------------------------------------------------- CLI
def build(root: Path = ROOT, *, extra_args=()) -> Path:
    """Build the HTML book under ``root/_build/html``; raise ``CalledProcessError`` on failure.

    Re-runs are quick: notebooks are executed only when their code changed
    (``execute_notebooks: cache``) and the offline assets are fetched only once.

    Returns
    -------
    pathlib.Path
        ``root/_build/html/index.html``.
    """
    root = Path(root)
    fetch_vendor(root)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(root), "--builder", "html", "-W", "-n", "--keep-going", *extra_args]
    subprocess.run(cmd, check=True, cwd=root)
    return root / "_build" / "html" / "index.html"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m activations.book")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build the HTML book into _build/html")
    sub.add_parser("fetch", help="only fetch the offline assets (MathJax, widget scripts)")
    args = parser.parse_args(argv)
    if args.command == "build":
        index = build()
        print(f"Book built: {index}")
    elif args.command == "fetch":
        print(fetch_vendor())


if __name__ == "__main__":
    main()
