"""The package's layers read top to bottom: a module imports only from its own layer or
the layers above it, and no import cycle exists anywhere in ``src/activations``.

Imports are read with ``ast`` from the source (module level *and* inside functions, so a
lazy import cannot hide an upward dependency).
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "activations"

#: Layer of each module (prefix match on the dotted name below ``activations``).
LAYERS = [
    ("_validation", 0),
    ("definitions", 1),
    ("symbolic", 1),
    ("properties", 1),
    ("kernels", 2),
    ("vector", 2),
    ("gated", 2),
    ("spec", 3),
    ("core", 3),
    ("functional", 3),
    ("__init__", 3),
    ("reference", 4),
    ("gains", 4),
    ("nn", 5),
    ("plotting", 6),
    ("explorer", 6),
    ("data", 7),
    ("experiments", 7),
    ("protocol", 7),
    ("diagnostics", 7),
    ("course", 7),
    ("grading", 7),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def _layer(module: str) -> int:
    for prefix, layer in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return layer
    raise KeyError(f"{module} has no layer in tests/test_layers.py: add it to LAYERS")


def _imports(path: Path) -> set[str]:
    """Modules of the package imported anywhere in ``path`` (dotted, below ``activations``)."""
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    package = [] if module == "__init__" else module.split(".") if is_package else module.split(".")[:-1]
    known = {_module_name(p) for p in SRC.rglob("*.py")}
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.partition(".")[2] for a in node.names if a.name.startswith("activations.")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and (node.module + ".").startswith("activations."):
                target = node.module.split(".")[1:]
            else:
                continue
            # "from .nn import Layer" imports the module nn; "from . import nn" imports nn too.
            if node.module:
                found.add(".".join(target))
            found |= {".".join([*target, a.name]) for a in node.names}
    return {m for m in found if m in known} - {module}


GRAPH = {_module_name(p): _imports(p) for p in sorted(SRC.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_only_go_down(module):
    up = {m: _layer(m) for m in GRAPH[module] if _layer(m) > _layer(module)}
    assert not up, f"{module} (layer {_layer(module)}) imports from lower layers: {up}"


def test_no_import_cycle():
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for n in sorted(GRAPH.get(m, ())):
            if state.get(n) == "open":
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(n) :] + [n]))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = "done"

    for m in sorted(GRAPH):
        if m not in state:
            visit(m)


def test_the_graph_is_read():
    """Guard against a parser that finds nothing (the tests above would then pass vacuously)."""
    assert "properties" in GRAPH["core"] and "spec" in GRAPH["core"]
    assert "definitions" in GRAPH["symbolic"]
    assert {"core", "functional", "vector"} <= GRAPH["__init__"]
    assert len(GRAPH) >= 20
