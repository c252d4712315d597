"""What a browser page receives each turn: the parts of the snapshot and observation it draws.

A page (student, projector) draws the map's flows and the last turn's events, the team's
dashboard (lines, treasury, deals, proposals), its diplomacy and the last turn's news. Every
page of a class parses its State on its own laptop, and a load test parses 40 on one machine,
so the page's view leaves out what no page draws: every country's figures, the deal and policy
books, the observation's world table and policies, older news. Flows travel as rows
(`flow_fields` names the columns), a third of their size as objects.
"""

from __future__ import annotations

from typing import Any

import msgspec

from critmin.core.event_words import EventWords
from critmin.core.observation import Observation

FLOW_FIELDS = ("mineral", "stage", "exporter", "importer", "tonnes")
SNAPSHOT_LEFT_OUT = ("figures", "deals", "policies")


def page_snapshot(snapshot: msgspec.Struct, words: EventWords | None = None) -> dict[str, Any]:
    """The public snapshot as a page draws it: flows as rows, no figures, deals or policies.

    With `words`, events read with names instead of codes (core/event_words.py).
    """
    lean = msgspec.structs.replace(snapshot, **{key: [] for key in SNAPSHOT_LEFT_OUT})  # not converted
    public = {k: v for k, v in msgspec.to_builtins(lean).items() if k not in SNAPSHOT_LEFT_OUT}
    public["flow_fields"] = list(FLOW_FIELDS)
    public["flows"] = [[flow[field] for field in FLOW_FIELDS] for flow in public["flows"]]
    if words is not None:
        public["events"] = [{**e, "detail": words.sentence(e["detail"])} for e in public["events"]]
    return public


def page_observation(observation: Observation, played_turn: int) -> Observation:
    """A team's observation as its page reads it: no world table or policies, news of `played_turn`."""
    return msgspec.structs.replace(
        observation,
        world=[],
        policies=[],
        news=[item for item in observation.news if item.get("turn") == played_turn],
    )
