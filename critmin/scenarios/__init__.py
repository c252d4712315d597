"""Scenarios: the schema, the loader and validator, and the packaged scenario files."""

from critmin.scenarios.loader import Scenario, load_scenario, packaged_names
from critmin.scenarios.validate import ScenarioError

__all__ = ["Scenario", "ScenarioError", "load_scenario", "packaged_names"]
