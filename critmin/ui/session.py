"""A game in progress, as the front end holds it: the model, the human countries and their orders.

No pygame here. Human countries are played through `QueuedController`s: a player's orders are
checked with `model.check` as they are drafted and handed to `model.submit` when that player
ends the turn (hot-seat: one player after another); the world steps after the last player.
Saves are the engine's (`critmin.engine.save`) with the UI's own notes in a `ui` entry that
the engine ignores; loading replays the save and checks every turn's state hash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from critmin.agents.controllers import QueuedController, ScriptedController
from critmin.core.actions import ActionBase, ActionFormatError, action_from_dict, action_to_dict
from critmin.core.observation import Observation
from critmin.core.outline import OutlineFirm
from critmin.core.world_view import WorldView
from critmin.engine.atomic import write_atomic
from critmin.engine.model import WorldModel
from critmin.engine.save import SaveError, read_save, save_data, scenario_countries, scenario_of
from critmin.scenarios.loader import Scenario
from critmin.ui.carried import check_as_carried_out
from critmin.ui.indicators import quantity


class ResumedHuman(QueuedController):
    """A human's controller in a loaded game: the saved orders for the saved turns, then the queue."""

    def __init__(self, script: Mapping[int, Sequence[ActionBase]], saved_turns: int) -> None:
        super().__init__()
        self.script = ScriptedController(script)
        self.saved_turns = saved_turns

    def decide(self, observation: Observation, legal: Sequence[ActionBase]) -> list[ActionBase]:
        """Saved actions while replaying, queued ones afterwards."""
        if observation.turn < self.saved_turns:
            return self.script.decide(observation, legal)
        return super().decide(observation, legal)


class ResumedAI:
    """An AI country in a loaded game whose AI did not make the save: saved actions, then its doctrine.

    `then` is set once the model exists (`WorldModel.scenario_controller`).
    """

    def __init__(self, script: Mapping[int, Sequence[ActionBase]], saved_turns: int) -> None:
        self.script = ScriptedController(script)
        self.saved_turns = saved_turns
        self.then = None

    def decide(self, observation: Observation, legal: Sequence[ActionBase]) -> list[ActionBase]:
        """Saved actions while replaying, the doctrine's afterwards."""
        if observation.turn < self.saved_turns or self.then is None:
            return self.script.decide(observation, legal)
        return self.then.decide(observation, legal)


@dataclass
class TurnReport:
    """What ending a player's turn did: orders refused by the engine, and whether the world stepped."""

    refused: list[tuple[ActionBase, str]] = field(default_factory=list)
    stepped: bool = False


class Session:
    """A game being played: the model, the human countries in hot-seat order, their draft orders.

    Args:
        model: the world (a local WorldModel, which `end_turn` steps; or a network seat, see
            remote.py); each human country must have a QueuedController.
        humans: the human seats in playing order: countries' ISO3 codes, or a firm's id (empty:
            everyone is AI). A firm's orders are its own moves (stakes, investments) for its home.

    """

    def __init__(self, model: WorldView, humans: Sequence[str] = ()) -> None:
        self.model = model
        self.outline = model.outline()
        self.humans = list(humans)
        self.player_index = 0
        self.drafts: dict[str, list[ActionBase]] = {h: [] for h in self.humans}
        self.carried: dict = {}  # the last world copy made to check an order after the drafts

    @classmethod
    def start(
        cls, scenario: Scenario | str | Path, humans: Sequence[str] = (), seed: int | None = None
    ) -> Session:
        """A new game with a QueuedController for each human country, the scenario's for the rest."""
        controllers = {h: QueuedController() for h in humans}
        return cls(WorldModel(scenario, seed=seed, controllers=controllers), humans)

    # --- the player whose turn it is --------------------------------------------------------

    @property
    def player(self) -> str | None:
        """The human country deciding now, or None when all countries are AI."""
        return self.humans[self.player_index] if self.humans else None

    @property
    def firm(self) -> OutlineFirm | None:
        """The firm the current player runs, or None when the player is a country (or nobody)."""
        return self.outline.firm(self.player) if self.player else None

    @property
    def acting_country(self) -> str | None:
        """The country the current player's orders are for: the player's, or its firm's home."""
        firm = self.firm
        return firm.country if firm is not None else self.player

    @property
    def finished(self) -> bool:
        """True once the scenario's turns are all played."""
        return self.model.turn >= self.outline.turns

    def observe(self) -> Observation | None:
        """What the current player sees."""
        return self.model.observe(self.player) if self.player else None

    def orders(self) -> list[ActionBase]:
        """The current player's draft orders for this turn."""
        return self.drafts.get(self.player, []) if self.player else []

    def add_order(self, action: ActionBase) -> str | None:
        """Draft an order for the current player; the reason it is refused, or None if drafted."""
        if self.player is None:
            return "no human country is playing"
        if action.country != self.acting_country:
            return f"it is {self.player}'s turn to decide"
        reason = self.check(action)
        if reason is None and action in self.drafts[self.player]:
            reason = "already among this turn's orders"
        if reason is None:
            self.drafts[self.player].append(action)
        return reason

    def check(self, action: ActionBase) -> str | None:
        """Why the engine refuses `action` now, or when the turn carries it out (ui/carried.py).

        Carried out after the scenario's payments of the quarter and the player's other drafts.
        """
        drafted = [order for order in self.orders() if order != action]
        return check_as_carried_out(self.model, action, drafted, self.carried)

    def remove_order(self, index: int) -> None:
        """Drop one of the current player's draft orders."""
        if self.player is not None and 0 <= index < len(self.drafts[self.player]):
            del self.drafts[self.player][index]

    def end_turn(self) -> TurnReport:
        """Submit the current player's orders; after the last player (or with none), play the turn."""
        report = TurnReport()
        if self.player is not None:
            orders = self.drafts[self.player]
            verdicts = self.model.submit(self.player, orders)
            report.refused = [(a, v) for a, v in zip(orders, verdicts, strict=True) if v is not None]
            self.drafts[self.player] = []
            self.player_index += 1
        if self.player_index >= len(self.humans):
            self.player_index = 0
            if not self.finished:
                self.model.step()
                report.stepped = True
        return report

    # --- saving and loading -----------------------------------------------------------------

    def save(self, path: Path) -> Path:
        """Write the engine's save of the game, plus the human countries; returns the path."""
        import json

        data = save_data(self.model, status="finished" if self.finished else "in_progress")
        data["ui"] = {"humans": self.humans}
        path = Path(path)
        write_atomic(path, json.dumps(data, indent=1, sort_keys=True).encode())
        return path

    @classmethod
    def load(cls, path: Path, humans: Sequence[str] | None = None) -> Session:
        """Resume a saved game, replaying it and checking every turn's state hash.

        Raises:
            SaveError: the file is not a save, was altered, or does not replay.

        """
        data = read_save(Path(path))
        humans = list(data.get("ui", {}).get("humans", []) if humans is None else humans)
        model = resume(data, humans, str(path))
        return cls(model, humans)


def resume(data: dict, humans: Sequence[str], source: str) -> WorldModel:
    """A model replayed to the end of a save, ready to go on with `humans` playing.

    First the AI countries decide again themselves (their decisions are reproducible, so the
    game continues exactly as it would have); if the hashes differ — the save was made with
    other players — every country replays its saved actions and the AI takes over afterwards.
    """
    try:
        return replayed(data, humans, source, ai_replays=True)
    except SaveError:
        return replayed(data, humans, source, ai_replays=False)


def replayed(data: dict, humans: Sequence[str], source: str, *, ai_replays: bool) -> WorldModel:
    """Replay a save with resumable controllers; SaveError on a hash mismatch."""
    scenario = scenario_of(data, source)
    scripts = saved_orders(data, scenario, source)
    saved_turns = len(data["turns"])
    seats = {*scenario_countries(scenario), *(firm.id for firm in scenario.spec.firms)}
    unknown = sorted(set(humans) - seats)
    if unknown:
        raise SaveError(f"{source}: countries or firms not in the saved scenario: {', '.join(unknown)}")
    controllers: dict = {h: ResumedHuman(scripts.get(h, {}), saved_turns) for h in humans}
    if not ai_replays:
        controllers |= {
            c: ResumedAI(scripts.get(c, {}), saved_turns)
            for c in scenario_countries(scenario)
            if c not in controllers
        }
    model = WorldModel(scenario, seed=int(data["seed"]), controllers=controllers)
    for spec in scenario.spec.countries:
        if isinstance(controllers.get(spec.iso3), ResumedAI):
            controllers[spec.iso3].then = model.scenario_controller(spec)
    for record in data["turns"]:
        model.step()
        if model.hashes[-1] != record.get("state_hash"):
            raise SaveError(f"{source}: turn {record.get('turn')}: the state hash differs from the save's")
    return model


def saved_orders(data: dict, scenario: Scenario, source: str) -> dict[str, dict[int, list[ActionBase]]]:
    """The actions controllers took, per country and turn, leaving out those of scripted events.

    The scenario's event actions of each turn are recognised by value rather than by the
    save's `_scripted` mark, which engines before the fix of `WorldModel.step` put on every
    action of a turn; saves made then load too. The events replay their own actions.
    """
    scripts: dict[str, dict[int, list[ActionBase]]] = {}
    for record in data["turns"]:
        turn = int(record.get("turn", 0))
        events = event_actions(scenario, turn)
        for raw in record.get("actions", []):
            try:
                action = action_from_dict({k: v for k, v in raw.items() if k not in ("_scripted", "_firm")})
            except ActionFormatError as error:
                raise SaveError(f"{source}: turn {turn}: {error}") from None
            if action in events:
                events.remove(action)
                continue
            seat = raw.get("_firm") or action.country  # a firm's own moves belong to the firm
            scripts.setdefault(seat, {}).setdefault(turn, []).append(action)
    return scripts


def event_actions(scenario: Scenario, turn: int) -> list[ActionBase]:
    """The actions the scenario's scripted events take on a turn."""
    return [
        action_from_dict({"country": e.country, **e.action})
        for e in scenario.spec.events
        if e.turn == turn and e.kind == "action"
    ]


class ReplayCursor:
    """Steps through a saved game turn by turn, checking each state hash (the replay viewer's model).

    Going back rebuilds the game from the start: turns are cheap.
    """

    def __init__(self, data: dict, source: str = "save") -> None:
        self.data = data
        self.source = source
        self.scenario = scenario_of(data, source)
        self.scripts = saved_orders(data, self.scenario, source)
        self.turns = len(data["turns"])
        self.problem: str | None = None
        self.rewind()

    @classmethod
    def open(cls, path: Path) -> ReplayCursor:
        """A cursor on a save file (SaveError if it is unusable)."""
        return cls(read_save(Path(path)), str(path))

    def rewind(self) -> None:
        """Back to the start of the game."""
        controllers = {
            c: ScriptedController(self.scripts.get(c, {})) for c in scenario_countries(self.scenario)
        }
        self.model = WorldModel(self.scenario, seed=int(self.data["seed"]), controllers=controllers)

    @property
    def turn(self) -> int:
        """Turns replayed so far."""
        return self.model.turn

    def forward(self) -> bool:
        """Replay one more turn; False at the end. A hash mismatch is kept in `problem`."""
        if self.turn >= self.turns:
            return False
        record = self.data["turns"][self.turn]
        self.model.step()
        if self.model.hashes[-1] != record.get("state_hash") and self.problem is None:
            self.problem = f"turn {record.get('turn')}: state hash differs from the save's"
        return True

    def back(self) -> bool:
        """One turn back (replays from the start); False at the start."""
        if self.turn == 0:
            return False
        target = self.turn - 1
        self.rewind()
        while self.turn < target:
            self.forward()
        return True


def describe(action: ActionBase) -> str:
    """One line for an order: its type and its main fields."""
    data = action_to_dict(action)
    kind = data.pop("type").replace("_", " ")
    data.pop("country", None)
    parts = []
    for key, value in data.items():
        if value in ((), None, "", 0.0) and key not in ("rate",):
            continue
        if isinstance(value, float):
            value = quantity(value)
        elif isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        parts.append(f"{key.replace('_', ' ')} {value}")
    return f"{kind}: " + ", ".join(parts)
