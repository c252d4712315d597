"""Sub-commands of the classroom layer (registered by critmin.cli)."""

from __future__ import annotations


def register(commands) -> None:
    """Add this layer's sub-commands to the `critmin` parser (none yet)."""
