"""Mesa agents (countries, state firms, manufacturers) and the controllers that decide for them."""

from critmin.agents.actors import Country, Manufacturer, StateFirm
from critmin.agents.controllers import Controller, DefaultController, QueuedController, ScriptedController

__all__ = [
    "Controller", "Country", "DefaultController", "Manufacturer", "QueuedController",
    "ScriptedController", "StateFirm",
]  # fmt: skip
