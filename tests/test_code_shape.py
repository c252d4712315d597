"""The shape issue 17 asks of the code: short functions and a model that only runs the turn."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "critmin"
LONGEST_FUNCTION = 60
LONGEST_MODEL = 350


def compiled(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A numba kernel (decorated with njit/jit), which may be as long as its algorithm."""
    names = {ast.unparse(d).split("(")[0].rsplit(".", 1)[-1] for d in function.decorator_list}
    return bool(names & {"njit", "jit"})


def long_functions() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not compiled(node):
                length = node.end_lineno - node.lineno + 1
                if length > LONGEST_FUNCTION:
                    found.append(
                        f"{path.relative_to(ROOT.parent)}:{node.lineno} {node.name} ({length} lines)"
                    )
    return found


def test_no_function_is_over_sixty_lines_but_the_compiled_kernel():
    assert long_functions() == []


def test_the_model_only_runs_the_turn_and_offers_the_api():
    lines = (ROOT / "engine" / "model.py").read_text(encoding="utf-8").count("\n")
    assert lines <= LONGEST_MODEL
