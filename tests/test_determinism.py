"""Executing a chapter twice gives the same text outputs (every random draw is seeded).

One chapter is enough to catch an unseeded generator, a printed timing or a memory
address in an output; the cheapest chapter keeps the test under a minute.  Non-text
outputs (PNG figures, widget state with its random model ids) are not compared, nor
are cells tagged ``nbval-ignore-output`` (interactive widgets), as in ``nbval``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "01_linearity_collapse.ipynb"


def execute(path: Path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def text_outputs(nb) -> list[tuple]:
    """(cell index, kind, text) for every text output of every code cell."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                found.append((i, out.name, out.text))
            elif out.output_type in ("execute_result", "display_data"):
                for mime, value in sorted(out.get("data", {}).items()):
                    if mime.startswith("text/"):
                        found.append((i, mime, value))
            elif out.output_type == "error":
                found.append((i, "error", f"{out.ename}: {out.evalue}"))
    return found


def test_text_outputs_compare_cell_by_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "print(1)",
            outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")],
        ),
        nbformat.v4.new_code_cell(
            "w",
            metadata={"tags": ["nbval-ignore-output"]},
            outputs=[nbformat.v4.new_output("display_data", data={"text/plain": "random id"})],
        ),
    ]
    assert text_outputs(nb) == [(0, "stdout", "1\n")]


@pytest.mark.slow
def test_chapter_outputs_are_identical_across_runs():
    assert CHAPTER.is_file(), f"missing {CHAPTER.relative_to(ROOT)}"
    first = text_outputs(execute(CHAPTER))
    assert first, "the chapter produced no text output to compare"
    errors = [o for o in first if o[1] == "error"]
    assert not errors, errors
    second = text_outputs(execute(CHAPTER))
    assert len(first) == len(second)
    differing = [(a[0], a[1]) for a, b in zip(first, second) if a != b]
    assert not differing, f"outputs that changed between runs (cell, kind): {differing}"
