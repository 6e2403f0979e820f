"""Student notebooks from the source notebooks (which hold the solutions).

In ``exercises/source/0N_<slug>.ipynb``, code between the lines ``### BEGIN SOLUTION``
and ``### END SOLUTION`` is the solution.  The student version replaces that region by
its ``### STUB: <code>`` lines (marker removed) or, when there are none, by
``raise NotImplementedError("write your code here")`` if the region is indented (a
function body) and by nothing at top level (the cell then keeps the ``answer = None``
line written above the region, so the untouched notebook runs top to bottom).
Cells tagged ``solution`` are dropped; outputs and execution counts are cleared.

Nothing here knows where a checkout is: the folders are passed in (the command line
defaults to ``exercises/source`` and ``exercises`` under the current directory).
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

BEGIN, END, STUB = "### BEGIN SOLUTION", "### END SOLUTION", "### STUB:"


def strip_solutions(source: str) -> str:
    """The student version of one code cell's source (see the module docstring)."""
    out, region, stubs, indent = [], False, [], ""
    for line in source.splitlines():
        text = line.strip()
        if text == BEGIN:
            if region:
                raise ValueError("nested ### BEGIN SOLUTION")
            region, stubs, indent = True, [], line[: len(line) - len(line.lstrip())]
        elif text == END:
            if not region:
                raise ValueError("### END SOLUTION without BEGIN")
            if stubs:
                out += stubs
            elif indent:
                out.append(f'{indent}raise NotImplementedError("write your code here")')
            region = False
        elif region:
            if text.startswith(STUB):
                stubs.append(indent + text[len(STUB) :].strip())
        else:
            out.append(line)
    if region:
        raise ValueError("### BEGIN SOLUTION without END")
    return "\n".join(out)


def student_notebook(nb):
    """A copy of the source notebook ``nb`` with the solutions removed."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    nb.cells = cells
    return nb


def sources(source_dir) -> list[Path]:
    """The source notebooks ``0N_<slug>.ipynb`` in ``source_dir``, in order."""
    return sorted(Path(source_dir).glob("0*_*.ipynb"))


def render(source_path: Path) -> str:
    """The exact text of the student notebook generated from ``source_path``."""
    nb = nbformat.read(str(source_path), as_version=4)
    return nbformat.writes(student_notebook(nb)) + "\n"


def generate(source_dir, out_dir) -> list[Path]:
    """Write ``out_dir/0N_<slug>.ipynb`` for every source notebook; return the paths."""
    written = []
    for src in sources(source_dir):
        target = Path(out_dir) / src.name
        target.write_text(render(src), encoding="utf-8")
        written.append(target)
    return written
