"""AI doctrines: the decision rules of countries played by the computer.

`make_controller` picks the controller a scenario asks for. Until the doctrines of the AI issue
land, every country (AI or not) keeps its current policies through the default controller.
"""

from __future__ import annotations

import numpy as np

from critmin.agents.controllers import Controller, DefaultController


def make_controller(country, rng: np.random.Generator) -> Controller:
    """The controller for a scenario's country record (`controller`, `doctrine` fields)."""
    return DefaultController()
