"""Shared fixtures: the built book and the pages listed in ``_toc.yml``."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the build tools (tools/) live at the repository root
    sys.path.insert(0, str(ROOT))

from tools import book  # noqa: E402

#: The book the build/browser fixtures use: this repository, or another book root
#: named by ``ACTIVATIONS_TEST_BOOK`` (handy to try the browser test on a scratch book).
BOOK_ROOT = Path(os.environ.get("ACTIVATIONS_TEST_BOOK") or ROOT).resolve()


@contextlib.contextmanager
def _exclusive(lock_path: Path):
    """An inter-process lock (pytest-xdist workers share one ``_build``); no-op without fcntl."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book once per test session (``tools.book.build()``) -> ``_build/html``.

    Quick when nothing changed: notebooks come from the jupyter-cache and the offline
    assets are fetched only once.  A failing build (any Sphinx warning, any failing
    cell) raises here, so every test using the fixture errors with the build log above.
    """
    with _exclusive(BOOK_ROOT / "_build" / ".build.lock"):
        index = book.build(BOOK_ROOT)
    html = index.parent
    assert (html / "index.html").is_file(), f"no index.html in {html}"
    return html


def toc_pages(toc_path: Path = BOOK_ROOT / "_toc.yml") -> list[str]:
    """The root and every ``file:`` entry of a jb-book ``_toc.yml``, in order, without suffix."""
    return book.toc_pages(toc_path)


@pytest.fixture(scope="session")
def book_pages() -> list[str]:
    """Pages of ``_toc.yml`` (``intro``, ``chapters/01_linearity_collapse``, ...)."""
    return toc_pages()


def pytest_generate_tests(metafunc):
    """Tests taking a ``toc_page`` argument run once per page of ``_toc.yml``."""
    if "toc_page" in metafunc.fixturenames:
        metafunc.parametrize("toc_page", toc_pages())
