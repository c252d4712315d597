"""Small worlds played by AI doctrines, shared by the AI tests."""

from __future__ import annotations

import copy

import numpy as np

from critmin.agents.doctrines import doctrine_controller
from critmin.scenarios.loader import Scenario, scenario_from_content

TINY_DOCTRINES = {"CHN": "dominant_processor", "IND": "diversifying_importer", "AUS": "aligned_supplier"}
AUS_REFINERY = {
    "country": "AUS",
    "mineral": "lithium",
    "stage": "refined",
    "tonnes_per_year": 30000.0,
    "utilisation": 0.9,
    "unit_cost_usd_per_kg": 9.0,
    "source": "test fixture",
}


def ai_controllers(doctrines: dict[str, str], seed: int = 0) -> dict:
    """AI controllers for the given countries, each with its own decision stream."""
    return {
        code: doctrine_controller(doctrine, code, np.random.default_rng([seed, position]))
        for position, (code, doctrine) in enumerate(sorted(doctrines.items()))
    }


def control_event(turn: int, country: str, mineral: str, stage: str, regime: str, **terms) -> dict:
    """A scripted export control (a scenario event)."""
    action = {
        "type": "impose_export_control",
        "country": country,
        "mineral": mineral,
        "stages": [stage],
        "regime": regime,
        **terms,
    }
    return {
        "turn": turn,
        "kind": "action",
        "title": f"{country} {regime}",
        "country": country,
        "action": action,
        "source": "test fixture",
    }


def tiny_with(tiny: Scenario, name: str, *, capacity=(), events=()) -> Scenario:
    """The tiny world with extra capacity lines and scripted events."""
    content = copy.deepcopy(tiny.content)
    content["capacity"] = [*content["capacity"], *capacity]
    content["events"] = [*content.get("events", []), *events]
    return scenario_from_content(content, f"{name}.toml")
