"""Small memory pages for the engine's arrays: numpy's huge-page advice costs more than it saves here.

On Linux with transparent huge pages set to `madvise` (this machine, and many distributions'
default), numpy advises huge pages for every array of 4 MB or more. At four times world-2024's
countries the turn makes such arrays afresh (the turn's (M, S, C, C) flows, 15.7 MB; the bid
mask's and the doubt array's temporaries) and writes a few entries of each: every 2 MB region
first written is then a huge-page fault that zeroes (and may first compact) 2 MB. Without the
advice a turn of that world spent 9-12 ms of system time instead of 20-58 ms
(docs/performance-log.md, "Figures (issue 19, fifth wave: the 4x world's fresh arrays and the
pose's dense route arrays)"). numpy reads NUMPY_MADVISE_HUGEPAGE at import ("madvise hugepage on
Linux", numpy.org/devdocs/reference/global_state.html); where it is set, it is left as it says.
"""

from __future__ import annotations

import os

import numpy as np


def use_small_pages() -> bool:
    """Turn numpy's huge-page advice off unless NUMPY_MADVISE_HUGEPAGE is set; True if it was turned off."""
    setter = getattr(np._core.multiarray, "_set_madvise_hugepage", None)
    if setter is None or "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return False
    setter(False)
    return True
