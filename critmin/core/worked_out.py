"""Work done on a frozen record kept with the record, not in a module-level cache.

A record that is read by many agents in a turn (the turn view, the AI's reading) keeps what was
worked out from it in its own `worked_out` dict: it lives and dies with the record, so no cache
keeps an old turn's arrays alive and two models never evict each other's results.
"""

from __future__ import annotations

from collections.abc import Callable


class WorkedOnce:
    """A mixin for frozen dataclasses with a field ``worked_out: dict[tuple, object]``."""

    __slots__ = ()
    worked_out: dict[tuple, object]

    def once(self, work: Callable, *args):
        """`work(self, *args)`, worked out once per record (by `work` and `args`)."""
        key = (work, *args)
        result = self.worked_out.get(key, self)
        if result is self:
            result = self.worked_out[key] = work(self, *args)
        return result
