"""The pygame window on a classroom seat: the top of the front ends wires a network world into the UI.

`critmin join` and `critmin instructor HOST:PORT --code C view` are the classroom's commands, and
the classroom knows nothing of pygame; the CLI hands them a `PygameWindows`, which opens the UI's
game screens on a joined remote world. Neither front end imports the other.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from critmin.classroom.remote import RemoteWorld

UI_PACKAGES = ("pygame", "pygame_gui")


class PygameWindows:
    """Opens the pygame UI on a joined remote world (a team's seat or the instructor's room)."""

    def missing(self) -> str | None:
        """Why no window can open here (the UI extra is not installed), or None."""
        absent = [name for name in UI_PACKAGES if importlib.util.find_spec(name) is None]
        return f"{' and '.join(absent)} not installed (pip install 'critmin[ui]')" if absent else None

    def team(self, world: RemoteWorld) -> int | None:
        """The game screens for a team until the window closes; None when no display can show them."""
        from critmin.ui.remote import play_remote

        return play_remote(world)

    def instructor(self, world: RemoteWorld, projector: bool) -> int | None:
        """The room over the map until the window closes; None when no display can show it."""
        from critmin.ui.remote import instructor_window

        return instructor_window(world, projector=projector)
