"""The import graph of critmin, read with `ast` (function-level and TYPE_CHECKING imports count).

Data flows one way: scenario → world → turn view → controllers → actions → world. So: no circle
between modules; `core` imports nothing of critmin; `scenarios` imports only `core`; the agents
read what the engine hands them, never the engine; no module imports `critmin.cli` (the entry
point `critmin.__main__` excepted); the front ends (`ui`, `classroom`, `research`) do not import
each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1] / "critmin"
FRONT_ENDS = ("ui", "classroom", "research")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def imported(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The critmin modules an import statement names (a `from package import module` names the module)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names
        ]
    return [owning_module(name) for name in names if name.startswith("critmin")]


def owning_module(name: str) -> str:
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for module, path in MODULES.items():
        graph.add_node(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph.add_edges_from(
                    (module, target) for target in imported(module, node) if target != module
                )
    return graph


GRAPH = import_graph()


def layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def edges_from(prefix: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in GRAPH.edges if a == prefix or a.startswith(prefix + ".")]


def test_the_graph_reads_every_module():
    assert "critmin.engine.model" in GRAPH
    assert ("critmin.engine.model", "critmin.core.actions") in GRAPH.edges


def test_no_circle_between_modules():
    circles = [sorted(c) for c in nx.strongly_connected_components(GRAPH) if len(c) > 1]
    assert circles == []


def test_core_imports_nothing_else_of_critmin():
    assert [(a, b) for a, b in edges_from("critmin.core") if layer(b) != "core"] == []


def test_scenarios_import_only_core():
    assert [(a, b) for a, b in edges_from("critmin.scenarios") if layer(b) not in ("scenarios", "core")] == []


def test_agents_never_import_the_engine():
    assert [(a, b) for a, b in edges_from("critmin.agents") if layer(b) == "engine"] == []


def test_no_module_imports_the_cli():
    assert [a for a, b in GRAPH.edges if b == "critmin.cli" and a != "critmin.__main__"] == []


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_ends_do_not_import_each_other(front_end):
    others = set(FRONT_ENDS) - {front_end}
    assert [(a, b) for a, b in edges_from(f"critmin.{front_end}") if layer(b) in others] == []
