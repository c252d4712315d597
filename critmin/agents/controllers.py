"""Controllers: whoever decides for a country. Each sees an Observation, returns Actions.

AI doctrines, humans (UI or network), scripts and RL policies all implement `Controller`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from critmin.core.actions import ActionBase
from critmin.core.observation import Observation


class Controller(Protocol):
    """Decides a country's actions for one turn from what it observes."""

    def decide(self, observation: Observation, legal: Sequence[ActionBase]) -> list[ActionBase]:
        """The actions to take this turn (may be empty)."""
        ...


class DefaultController:
    """Keeps current policies; its manufacturers simply buy what they need on the market."""

    passive = True  # never acts: the engine skips building its observation

    def decide(self, observation: Observation, legal: Sequence[ActionBase]) -> list[ActionBase]:
        """No policy change."""
        return []


class ScriptedController:
    """Plays given actions at given turns (replays, tests, scripted scenario roles)."""

    def __init__(self, actions_by_turn: Mapping[int, Sequence[ActionBase]]) -> None:
        self.actions_by_turn = {turn: list(actions) for turn, actions in actions_by_turn.items()}

    def decide(self, observation: Observation, legal: Sequence[ActionBase]) -> list[ActionBase]:
        """The scripted actions of this turn."""
        return list(self.actions_by_turn.get(observation.turn, []))


class QueuedController:
    """Plays what a person or program submitted through the public API for the coming turn."""

    def __init__(self) -> None:
        self.pending: list[ActionBase] = []

    def submit(self, actions: Sequence[ActionBase]) -> None:
        """Queue actions for the next turn."""
        self.pending.extend(actions)

    def decide(self, observation: Observation, legal: Sequence[ActionBase]) -> list[ActionBase]:
        """The queued actions, emptying the queue."""
        actions, self.pending = self.pending, []
        return actions
