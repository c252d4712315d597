"""Factors change a scenario's content: set or scale a field, drop records, add a scripted action.

A target names fields in the scenario content (the plain data a TOML scenario resolves to):

    market.disruption_probability_per_turn
    stocks[country=IND,mineral=ree_light,stage=magnet].tonnes
    events[country=CHN,turn=1].action.approval_share
    capacity[country=KAZ,stage=mine].tonnes_per_year       (every matching record)
    doctrines.resource_nationalist.downstream_probability  (an AI doctrine's parameter)

A segment `table[key=value,...]` picks the records of a list whose fields equal the values (a
list field matches when it contains the value). A `scale` of a `market` or `doctrines` parameter
the scenario leaves unwritten scales its default (for a doctrine, the doctrine's own value, which
the scenario's table then gives every country on that doctrine). Every level of every factor is
applied to a copy of the scenario content, which the engine's loader then validates again. A
`dummy` factor changes nothing: its sensitivity indices measure the estimators' own noise.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from critmin.agents.doctrine_params import DOCTRINES
from critmin.core.actions import ActionFormatError, action_from_dict
from critmin.scenarios.schema import MarketSettings

if TYPE_CHECKING:
    from critmin.research.experiment_file import FactorSpec

SEGMENT = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<where>[^\[\]]*)\])?$")
FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class FactorError(ValueError):
    """A target that cannot be read or matches nothing, or a level that cannot be applied."""


@dataclass(frozen=True)
class Step:
    """One segment of a target: a key, and for a list of records, the fields they must match."""

    key: str
    where: tuple[tuple[str, str], ...] | None = None

    def __str__(self) -> str:
        if self.where is None:
            return self.key
        return f"{self.key}[{','.join(f'{k}={v}' for k, v in self.where)}]"


def parse_target(text: str) -> tuple[Step, ...]:
    """Steps of a target such as `stocks[country=IND].tonnes`; FactorError if malformed."""
    steps = tuple(parse_segment(segment, text) for segment in split_segments(text))
    if not steps:
        raise FactorError("empty target")
    return steps


def split_segments(text: str) -> list[str]:
    """Split on dots that are not inside brackets."""
    segments, depth, current = [], 0, []
    for char in text.strip():
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "." and depth == 0:
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
    segments.append("".join(current))
    return [s for s in segments if s] if any(segments) else []


def parse_segment(segment: str, text: str) -> Step:
    """One `key` or `key[field=value,...]` segment."""
    match = SEGMENT.match(segment.strip())
    if match is None:
        raise FactorError(
            f"cannot read {segment!r} in target {text!r} (expected key or key[field=value,...])"
        )
    where = match.group("where")
    if where is None:
        return Step(match.group("key"))
    pairs = []
    for condition in filter(None, (c.strip() for c in where.split(","))):
        name, equals, value = condition.partition("=")
        if not equals or not FIELD.match(name.strip()) or not value.strip():
            raise FactorError(
                f"cannot read condition {condition!r} in target {text!r} (expected field=value)"
            )
        pairs.append((name.strip(), value.strip()))
    return Step(match.group("key"), tuple(pairs))


def matches(record: Any, where: tuple[tuple[str, str], ...]) -> bool:
    """A record whose fields equal (or, for lists, contain) every value of `where`."""
    if not isinstance(record, dict):
        return False
    for name, wanted in where:
        value = record.get(name)
        values = value if isinstance(value, list | tuple) else [value]
        if wanted not in (str(v).lower() if isinstance(v, bool) else str(v) for v in values):
            return False
    return True


def walk(nodes: list[Any], step: Step, create: bool) -> list[Any]:
    """The values one step below `nodes`; missing plain keys become tables when `create`."""
    found = []
    for node in nodes:
        if not isinstance(node, dict):
            raise FactorError(f"{step.key}: not a table in the scenario")
        if step.key not in node and create and step.where is None:
            node[step.key] = {}
        value = node.get(step.key)
        if step.where is None:
            if value is not None:
                found.append(value)
        elif isinstance(value, list):
            found.extend(record for record in value if matches(record, step.where))
    return found


def parents(content: dict, steps: tuple[Step, ...]) -> list[dict]:
    """The tables holding the target's last key (all matches)."""
    nodes: list[Any] = [content]
    for depth, step in enumerate(steps[:-1]):
        nodes = walk(nodes, step, create=True)
        if not nodes:
            raise FactorError(f"matches nothing in the scenario: {describe(steps[: depth + 1])}")
    return nodes


def describe(steps: tuple[Step, ...]) -> str:
    """A target as written."""
    return ".".join(str(s) for s in steps)


def set_field(content: dict, steps: tuple[Step, ...], value: Any) -> int:
    """Set the target field of every match to `value`; returns how many were set."""
    last = steps[-1]
    if last.where is not None:
        raise FactorError(f"target {describe(steps)} must end with a field name, not a selection of records")
    tables = parents(content, steps)
    for table in tables:
        if not isinstance(table, dict):
            raise FactorError(f"{describe(steps[:-1])}: not a table in the scenario")
        table[last.key] = value
    return len(tables)


def scale_field(content: dict, steps: tuple[Step, ...], factor: float) -> int:
    """Multiply the target field of every match by `factor`; returns how many were scaled."""
    last = steps[-1]
    tables = parents(content, steps)
    for table in tables:
        value = table.get(last.key, default_of(steps)) if isinstance(table, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FactorError(f"{describe(steps)}: no number to scale (found {value!r})")
        table[last.key] = value * factor
    return len(tables)


def default_of(steps: tuple[Step, ...]) -> Any:
    """The value a `market.NAME` or `doctrines.DOCTRINE.NAME` parameter has when left unwritten."""
    keys = tuple(step.key for step in steps if step.where is None)
    if len(keys) != len(steps):
        return None
    if len(keys) == 2 and keys[0] == "market":
        return msgspec.to_builtins(getattr(MarketSettings(), keys[1], None))
    if len(keys) == 3 and keys[0] == "doctrines" and keys[1] in DOCTRINES and keys[2] != "name":
        return msgspec.to_builtins(getattr(DOCTRINES[keys[1]], keys[2], None))
    return None


def remove_records(content: dict, steps: tuple[Step, ...]) -> int:
    """Drop the records the target selects; returns how many were dropped."""
    last = steps[-1]
    if last.where is None:
        raise FactorError(f"target {describe(steps)} must end with a selection such as policies[country=CHN]")
    dropped = 0
    for table in parents(content, (*steps[:-1], Step(last.key))):
        records = table.get(last.key) if isinstance(table, dict) else None
        if isinstance(records, list):
            kept = [r for r in records if not matches(r, last.where)]
            dropped += len(records) - len(kept)
            table[last.key] = kept
    return dropped


def build_content(content: dict, turns: int, changes: Iterable[tuple[FactorSpec, Any]]) -> dict:
    """A copy of scenario content with the run's horizon and every factor at its level."""
    built = copy.deepcopy(content)
    built["scenario"] = {**built["scenario"], "turns": turns}
    for factor, level in changes:
        apply_level(built, factor, level)
    return built


def apply_level(content: dict, factor: FactorSpec, level: Any) -> None:
    """Change `content` in place as `factor` does at `level` (a dummy factor changes nothing)."""
    if factor.kind == "dummy":
        return
    if factor.kind == "action":
        add_action(content, factor, level)
        return
    steps = parse_target(factor.target or "")
    if factor.kind == "set":
        set_field(content, steps, level)
    elif factor.kind == "scale":
        scale_field(content, steps, level)
    elif not level and remove_records(content, steps) == 0:
        raise FactorError(f"matches nothing in the scenario: {describe(steps)}")
    if factor.kind in ("set", "scale") and steps[0].key == "doctrines" and len(steps) == 3:
        table = content["doctrines"][steps[1].key]
        if isinstance(table, dict):
            table.setdefault("source", f"batch experiment factor {factor.name} [L]")


def add_action(content: dict, factor: FactorSpec, level: Any) -> None:
    """Add the factor's action as a scripted event; the level sets its turn or one of its fields."""
    if factor.field == "enabled" and not level:
        return
    action = dict(factor.action or {})
    turn = factor.turn
    if factor.field == "turn":
        turn = int(level)
    elif factor.field != "enabled":
        action[factor.field] = level
    try:
        action_from_dict(action)
    except ActionFormatError as error:
        raise FactorError(str(error)) from None
    content.setdefault("events", []).append(
        {
            "turn": turn,
            "kind": "action",
            "country": action.get("country", ""),
            "action": action,
            "title": f"experiment factor {factor.name} = {level}",
            "source": f"batch experiment factor {factor.name}",
        }
    )
