"""Save files and replays.

A save is JSON: engine version, the scenario (content and hash), the seed, and per turn the
actions carried out and the state hash after it, plus status. Loading replays the actions
through scripted controllers and checks every hash.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from critmin.agents.controllers import ScriptedController
from critmin.engine.actions import ActionFormatError, action_from_dict
from critmin.engine.model import WorldModel
from critmin.scenarios.loader import content_hash, scenario_from_content
from critmin.scenarios.validate import ScenarioError

SAVE_FORMAT = 1


class SaveError(ValueError):
    """A save file that cannot be loaded or does not replay; the message says why."""


def engine_version() -> str:
    """The installed critmin version."""
    from critmin import __version__

    return __version__


def save_data(model: WorldModel, status: str = "in_progress") -> dict[str, Any]:
    """The save of a model as plain data (its own copy: changing it leaves the model alone).

    Raises:
        ValueError: if the model keeps no state hashes (`record_hashes=False`).

    """
    if not model.record_hashes:
        raise ValueError("this world keeps no state hashes (record_hashes=False), so it cannot be saved")
    return {
        "format": SAVE_FORMAT,
        "engine_version": engine_version(),
        "scenario": {
            "id": model.world_scenario.id,
            "hash": model.world_scenario.hash,
            "content": copy.deepcopy(model.world_scenario.content),
        },
        "seed": model.seed,
        "turns": [
            {"turn": t, "actions": actions, "state_hash": h}
            for t, (actions, h) in enumerate(zip(model.action_log, model.hashes, strict=True))
        ],
        "status": status,
    }


def write_save(model: WorldModel, path: Path, status: str = "in_progress") -> None:
    """Write the save of a model as JSON."""
    path.write_text(json.dumps(save_data(model, status), indent=1, sort_keys=True))


def read_save(path: Path) -> dict[str, Any]:
    """Read a save file's JSON; SaveError if unreadable or incomplete."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as error:
        raise SaveError(f"{path}: cannot read: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise SaveError(f"{path}: not valid JSON: {error}") from None
    missing = [k for k in ("engine_version", "scenario", "seed", "turns", "status") if k not in data]
    if missing or not isinstance(data.get("turns"), list):
        raise SaveError(f"{path}: not a critmin save (missing {', '.join(missing) or 'turns list'})")
    return data


@dataclass(frozen=True)
class ReplayReport:
    """The outcome of a replay: how many turns matched, and the first mismatch if any."""

    turns: int
    matched: int
    problem: str | None

    @property
    def ok(self) -> bool:
        """True when every turn's state hash matched."""
        return self.problem is None and self.matched == self.turns


def replay(data: dict[str, Any], source: str = "save") -> tuple[WorldModel, ReplayReport]:
    """Rebuild a game from its save, checking each turn's state hash.

    Raises:
        SaveError: the scenario was tampered with, or an action is malformed.

    """
    scenario = scenario_of(data, source)
    scripts = scripted_actions(data, source)
    seats = [*scenario_countries(scenario), *(firm.id for firm in scenario.spec.firms)]
    controllers = {code: ScriptedController(scripts.get(code, {})) for code in seats}
    model = WorldModel(scenario, seed=int(data["seed"]), controllers=controllers)
    for record in data["turns"]:
        model.step()
        if model.hashes[-1] != record.get("state_hash"):
            problem = (
                f"{source}: turn {record.get('turn')}: state hash differs "
                f"(save {str(record.get('state_hash'))[:12]}…, replay {model.hashes[-1][:12]}…); "
                "the save was altered or made by an incompatible engine"
            )
            return model, ReplayReport(len(data["turns"]), model.turn - 1, problem)
    return model, ReplayReport(len(data["turns"]), len(data["turns"]), None)


def scenario_of(data: dict[str, Any], source: str):
    """The embedded scenario, after checking its hash."""
    embedded = data["scenario"]
    if not isinstance(embedded, dict) or "content" not in embedded:
        raise SaveError(f"{source}: scenario content missing")
    if content_hash(embedded["content"]) != embedded.get("hash"):
        raise SaveError(f"{source}: scenario content does not match its hash (the save was altered)")
    try:
        return scenario_from_content(embedded["content"], origin=f"{embedded.get('id', 'scenario')}.toml")
    except ScenarioError as error:
        raise SaveError(f"{source}: embedded scenario is invalid: {error}") from None


def scenario_countries(scenario) -> list[str]:
    """ISO3 codes of a scenario."""
    return [c.iso3 for c in scenario.spec.countries]


def scripted_actions(data: dict[str, Any], source: str) -> dict[str, dict[int, list]]:
    """Actions per seat (country, or firm for a firm's own moves) per turn, as the replay plays them.

    Actions that scripted scenario events produced are replayed by the events themselves.
    """
    scripts: dict[str, dict[int, list]] = {}
    for record in data["turns"]:
        turn = int(record.get("turn", 0))
        for raw in record.get("actions", []):
            if raw.get("_scripted"):
                continue
            try:
                action = action_from_dict({k: v for k, v in raw.items() if k != "_firm"})
            except ActionFormatError as error:
                raise SaveError(f"{source}: turn {turn}: {error}") from None
            seat = raw.get("_firm") or action.country  # a firm's own moves are replayed by the firm
            scripts.setdefault(seat, {}).setdefault(turn, []).append(action)
    return scripts
