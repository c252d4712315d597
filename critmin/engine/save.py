"""Save files, replays and resumes.

A save is JSON: format, engine version, the scenario (content and hash), the seed, per turn the
actions carried out and the state hash after it, the turn count, the final state hash and the
status. Reading one checks its shape and bounds; replaying it checks, turn by turn, that the
engine carries out exactly the saved actions and reaches exactly the saved state hashes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from critmin.agents.controllers import Controller, QueuedController, ScriptedController
from critmin.core.actions import ActionBase, ActionFormatError, action_from_dict
from critmin.engine.atomic import write_atomic
from critmin.engine.model import WorldModel
from critmin.scenarios.loader import content_hash, scenario_from_content
from critmin.scenarios.reading import ReadError, check_bounds, read_text
from critmin.scenarios.validate import ScenarioError

SAVE_FORMAT = 2
Hash = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
Version = Annotated[str, msgspec.Meta(pattern=r"^\d+(\.\d+)*([a-z]+\d*)?(\.?(post|dev)\d+)?(\+[\w.]+)?$")]


class SaveError(ValueError):
    """A save file that cannot be loaded or is not a well-formed save; the message says why."""


class TurnRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One saved turn: the actions carried out and the state hash after it."""

    turn: Annotated[int, msgspec.Meta(ge=0)]
    actions: list[dict[str, Any]]
    state_hash: Hash


class SavedScenario(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The scenario a save was played on, with its content hash."""

    id: str
    hash: Hash
    content: dict[str, Any]


class SaveFile(msgspec.Struct, frozen=True, kw_only=True):
    """The shape of a save (front ends may add tables of their own, such as `ui`)."""

    format: int
    engine_version: Version
    scenario: SavedScenario
    seed: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
    turn_count: Annotated[int, msgspec.Meta(ge=0)]
    final_state_hash: Hash | None
    turns: list[TurnRecord]
    status: Literal["in_progress", "finished"]


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
        "turn_count": model.turn,
        "final_state_hash": model.hashes[-1] if model.hashes else None,
        "turns": [
            {"turn": t, "actions": plain(actions), "state_hash": h}
            for t, (actions, h) in enumerate(zip(model.action_log, model.hashes, strict=True))
        ],
        "status": status,
    }


def write_save(model: WorldModel, path: Path, status: str = "in_progress") -> Path:
    """Write the save of a model as JSON, atomically (never a half-written save under its name)."""
    return write_atomic(Path(path), json.dumps(save_data(model, status), indent=1, sort_keys=True).encode())


def read_save(path: Path) -> dict[str, Any]:
    """Read and check a save file; SaveError if unreadable, not a save, or malformed."""
    try:
        text = read_text(Path(path), "save file")
    except ReadError as error:
        raise SaveError(str(error)) from None
    try:
        data = msgspec.json.decode(text)
    except msgspec.DecodeError as error:
        raise SaveError(f"{Path(path).name}: not valid JSON: {error}") from None
    check_save(data, Path(path).name)
    return data


def check_save(data: Any, source: str = "save") -> SaveFile:
    """The save's records, after checking its format, shape, bounds and turn count."""
    if not isinstance(data, dict) or "format" not in data:
        raise SaveError(f"{source}: not a critmin save (no `format` field)")
    if data["format"] != SAVE_FORMAT or isinstance(data["format"], bool):
        raise SaveError(
            f"{source}: format: save format {data['format']!r} is not one this critmin "
            f"{engine_version()} reads ({SAVE_FORMAT})"
        )
    try:
        check_bounds(data, source)
        save = msgspec.convert(data, SaveFile)
    except ReadError as error:
        raise SaveError(str(error)) from None
    except msgspec.ValidationError as error:
        text, _, where = str(error).partition(" - at `")
        field = where.rstrip("`").removeprefix("$").lstrip(".") or "(top level)"
        raise SaveError(f"{source}: {field}: {text[:1].lower()}{text[1:]}") from None
    for problem in count_problems(save):
        raise SaveError(f"{source}: {problem}")
    return save


def count_problems(save: SaveFile):
    """Turns numbered 0..n-1, as many as `turn_count`, ending on `final_state_hash`."""
    for index, record in enumerate(save.turns):
        if record.turn != index:
            yield f"turns[{index}].turn: expected {index}, got {record.turn} (turns missing or reordered)"
            return
    if len(save.turns) != save.turn_count:
        yield f"turn_count: the save says {save.turn_count} turns but holds {len(save.turns)}"
    last = save.turns[-1].state_hash if save.turns else None
    if last != save.final_state_hash:
        yield "final_state_hash: differs from the last turn's state hash (turns missing or altered)"


def plain(data: Any) -> Any:
    """Data as it reads back from JSON (tuples become lists): what a save compares."""
    return json.loads(json.dumps(data))


@dataclass(frozen=True)
class ReplayReport:
    """The outcome of a replay: how many turns matched, and the first mismatch if any."""

    turns: int
    matched: int
    problem: str | None

    @property
    def ok(self) -> bool:
        """True when every turn carried out the saved actions and reached the saved hash."""
        return self.problem is None and self.matched == self.turns


def replay(data: dict[str, Any], source: str = "save") -> tuple[WorldModel, ReplayReport]:
    """Rebuild a game from its save, every country replaying its saved actions.

    Each turn, the actions the engine carries out must be the saved ones and the state hash
    the saved one; the first difference is the report's problem.

    Raises:
        SaveError: the save is malformed, its scenario was altered, or an action is malformed
            or by a country the scenario does not have.

    """
    check_save(data, source)
    scenario = scenario_of(data, source)
    countries = scenario_countries(scenario)
    seats = [*countries, *(firm.id for firm in scenario.spec.firms)]
    scripts = scripted_actions(data, countries, seats, source)
    controllers = {code: ScriptedController(scripts.get(code, {})) for code in seats}
    model = WorldModel(scenario, seed=int(data["seed"]), controllers=controllers)
    return model, play_saved_turns(model, data, source)


def resume(
    data: dict[str, Any], controllers: Mapping[str, Controller] | None = None, source: str = "save"
) -> WorldModel:
    """A game continued from its save with its own controllers, ready to play on.

    Countries with deciding controllers (the scenario's AI doctrines, or those given) decide
    again from turn 0, so their internal state and random streams are as in the straight run;
    countries played through submissions (a `QueuedController`) get their saved actions back.
    A resumed game therefore goes on hash for hash as the uninterrupted one would.

    Raises:
        SaveError: the save is malformed, or the game does not replay to the saved actions and
            hashes with these controllers.

    """
    check_save(data, source)
    scenario = scenario_of(data, source)
    countries = scenario_countries(scenario)
    seats = [*countries, *(firm.id for firm in scenario.spec.firms)]
    unknown = sorted(set(controllers or {}) - set(seats))
    if unknown:
        raise SaveError(f"{source}: controllers given for seats not in the saved scenario: {unknown}")
    model = WorldModel(scenario, seed=int(data["seed"]), controllers=controllers)
    scripts = scripted_actions(data, countries, seats, source)
    played = {**model.countries, **model.firms}
    for code, seat in played.items():
        if isinstance(seat.controller, QueuedController):
            seat.controller = Resumed(scripts.get(code, {}), len(data["turns"]), seat.controller)
    report = play_saved_turns(model, data, source)
    if not report.ok:
        raise SaveError(f"{report.problem} (were these the controllers it was played with?)")
    for seat in played.values():
        if isinstance(seat.controller, Resumed):
            seat.controller = seat.controller.then
    return model


class Resumed:
    """Plays a submitting country's saved actions, then hands over to its own controller."""

    def __init__(self, saved: Mapping[int, Sequence[ActionBase]], turns: int, then: QueuedController) -> None:
        self.saved = ScriptedController(saved)
        self.turns = turns
        self.then = then

    def decide(self, observation, legal) -> list[ActionBase]:
        """The saved actions during the saved turns, then the controller's own."""
        if observation.turn < self.turns:
            return self.saved.decide(observation, legal)
        return self.then.decide(observation, legal)


def play_saved_turns(model: WorldModel, data: dict[str, Any], source: str) -> ReplayReport:
    """Step through the saved turns, comparing actions carried out and state hashes."""
    records = data["turns"]
    for record in records:
        model.step()
        problem = turn_problem(model, record)
        if problem is not None:
            if data.get("engine_version") != engine_version():
                problem += (
                    f"; the save was made by critmin {data.get('engine_version')}, this is {engine_version()}"
                )
            return ReplayReport(len(records), model.turn - 1, f"{source}: turn {record['turn']}: {problem}")
    return ReplayReport(len(records), len(records), None)


def turn_problem(model: WorldModel, record: dict[str, Any]) -> str | None:
    """How the turn just played differs from its saved record, or None."""
    carried_out = plain(model.action_log[-1])
    if carried_out != plain(record["actions"]):
        return (
            f"the engine carried out {len(carried_out)} actions, the save lists {len(record['actions'])} "
            f"different ones ({describe_difference(carried_out, record['actions'])})"
        )
    if model.hashes[-1] != record["state_hash"]:
        return (
            f"state hash differs (save {record['state_hash'][:12]}…, replay {model.hashes[-1][:12]}…); "
            "the save was altered or made by an incompatible engine"
        )
    return None


def describe_difference(done: list[dict], saved: list[dict]) -> str:
    """The first action that differs, in brief."""
    for index, (a, b) in enumerate(zip(done, saved, strict=False)):
        if a != b:
            done_text, saved_text = (
                f"{a.get('type')} by {a.get('country')}",
                f"{b.get('type')} by {b.get('country')}",
            )
            return f"action {index}: carried out {done_text}, saved {saved_text}"
    extra = saved[len(done) :] or done[len(saved) :]
    kind = "not carried out" if len(saved) > len(done) else "not in the save"
    return f"{extra[0].get('type')} by {extra[0].get('country')} {kind}"


def scenario_of(data: dict[str, Any], source: str):
    """The embedded scenario, after checking its hash."""
    embedded = data.get("scenario")
    if not isinstance(embedded, dict) or not isinstance(embedded.get("content"), dict):
        raise SaveError(f"{source}: scenario.content: missing")
    if content_hash(embedded["content"]) != embedded.get("hash"):
        raise SaveError(f"{source}: scenario.content: does not match its hash (the save was altered)")
    inner = embedded["content"].get("scenario")
    if not isinstance(inner, dict) or inner.get("id") != embedded.get("id"):
        raise SaveError(f"{source}: scenario.id: {embedded.get('id')!r} is not the id of the saved content")
    try:
        return scenario_from_content(embedded["content"], origin=f"{embedded.get('id', 'scenario')}.toml")
    except ScenarioError as error:
        raise SaveError(f"{source}: embedded scenario is invalid: {error}") from None


def scenario_countries(scenario) -> list[str]:
    """ISO3 codes of a scenario."""
    return [c.iso3 for c in scenario.spec.countries]


def scripted_actions(
    data: dict[str, Any], countries: Sequence[str], seats: Sequence[str], source: str
) -> dict[str, dict[int, list[ActionBase]]]:
    """Actions per seat (country, or firm for a firm's own moves) per turn, as the replay plays them.

    Actions that scripted scenario events produced are replayed by the events themselves.
    """
    scripts: dict[str, dict[int, list[ActionBase]]] = {}
    for record in data["turns"]:
        turn = record["turn"]
        for index, raw in enumerate(record["actions"]):
            where = f"{source}: turns[{turn}].actions[{index}]"
            try:
                action = action_from_dict({k: v for k, v in raw.items() if k not in ("_scripted", "_firm")})
            except ActionFormatError as error:
                raise SaveError(f"{where}: {error}") from None
            if action.country not in countries:
                raise SaveError(f"{where}.country: {action.country!r} is not a country of the saved scenario")
            seat = raw.get("_firm") or action.country  # a firm's own moves are replayed by the firm
            if seat not in seats:
                raise SaveError(f"{where}._firm: {seat!r} is not a firm of the saved scenario")
            if not raw.get("_scripted"):
                scripts.setdefault(seat, {}).setdefault(turn, []).append(action)
    return scripts
