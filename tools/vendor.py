"""Fetch the book's third-party browser assets (MathJax 3) from the npm registry.

``npm pack`` downloads a pinned tarball (integrity checked by npm) into
``_build/_vendor/static`` -- outside git, once; later builds reuse it -- and
``_config.yml`` points ``html_static_path`` and ``mathjax_path`` there, so the HTML
loads nothing from another host.

The explorers of :mod:`activations.widgets` are static in the book (frames switched by
an inline script), so no page needs RequireJS or the ipywidgets HTML manager: they
are not fetched and not shipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]

#: Folder, relative to the book root, that ``html_static_path`` lists (see ``_config.yml``).
VENDOR_STATIC = Path("_build") / "_vendor" / "static"
#: Sub-folder of ``_static`` in the built HTML that holds the fetched files.
VENDOR_PREFIX = "offline"

#: npm packages fetched at build time: name -> (npm spec, destination folder under ``offline/``).
VENDOR_PACKAGES = {
    "mathjax": ("mathjax@3.2.2", "mathjax"),
}

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
    raise ValueError(f"_select(): unknown vendor package {package!r}")


def _stamp() -> str:
    return json.dumps({k: v[0] for k, v in sorted(VENDOR_PACKAGES.items())}, sort_keys=True)


def _npm_pack(spec: str, dest: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "fetch_vendor(): npm is needed once to fetch MathJax from the npm registry "
            "(install Node.js, e.g. `apt-get install -y npm`)"
        )
    proc = subprocess.run(
        [npm, "pack", spec, "--pack-destination", str(dest), "--json", "--loglevel=error"],
        check=False,
        capture_output=True,
        text=True,
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
                print(f"[tools.vendor] fetching {spec} from the npm registry", file=sys.stderr)
            tgz = _npm_pack(spec, tmp)
            n = _unpack(package, tgz, staged / VENDOR_PREFIX / folder)
            if n == 0:
                raise RuntimeError(f"fetch_vendor(): nothing usable in {spec}")
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
