"""critmin: an agent-based game engine for the geopolitics of critical minerals."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("critmin")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"


def __getattr__(name: str):
    """Lazy public API: `from critmin import load_scenario, WorldModel` stays cheap to import."""
    if name == "WorldModel":
        from critmin.engine.model import WorldModel

        return WorldModel
    if name == "load_scenario":
        from critmin.scenarios.loader import load_scenario

        return load_scenario
    raise AttributeError(f"module 'critmin' has no attribute {name!r}")


__all__ = ["WorldModel", "__version__", "load_scenario"]
