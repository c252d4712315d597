"""What is worked out from a turn view or a reading is kept with it, not in a module-level cache."""

from __future__ import annotations

import ast
import gc
import weakref
from pathlib import Path

from critmin.agents.firm_doctrine import best_home_margins, home_imports
from critmin.agents.firm_offers import lead_firms
from critmin.engine.model import WorldModel

AGENTS = Path(__file__).resolve().parents[2] / "critmin" / "agents"


def test_a_views_results_are_its_own_and_die_with_it():
    model = WorldModel("world-2024", seed=0, record_hashes=False)
    view = model.turn_view()
    leads = view.once(lead_firms)
    assert view.once(lead_firms) is leads  # worked out once
    assert leads == lead_firms(view)  # the same as working it out afresh
    margins = view.once(best_home_margins)
    assert all((a == b).all() for a, b in zip(margins, best_home_margins(view), strict=True))
    model.step()
    later = model.turn_view()
    assert later is not view
    assert later.once(home_imports) is not view.once(home_imports)
    gone = weakref.ref(view)
    del view, leads, margins
    gc.collect()
    assert gone() is None  # nothing outside the view kept it alive


def test_no_agent_caches_a_view_or_reading_at_module_level():
    cached = []
    for path in sorted(AGENTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.args.args:
                decorators = {ast.unparse(d).split("(")[0].rsplit(".", 1)[-1] for d in node.decorator_list}
                first = ast.unparse(node.args.args[0].annotation or ast.Constant(""))
                if decorators & {"lru_cache", "cache"} and first in {"TurnView", "WorldReading"}:
                    cached.append(f"{path.name}:{node.name}")
    assert cached == []
