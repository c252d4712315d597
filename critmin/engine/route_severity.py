"""How far each route is under control this turn, kept as its few controlled routes.

Only an exporter with a control (a quota, a licence, a closed route) has a route of severity
above 0, so the turn keeps the routes under control and their severity, flat positions in the
(M, S, C_exporter, C_importer) layout in ascending order, instead of a dense (M, S, C, C) array
(15.7 MB a turn at four times world-2024's countries, nearly all zeros).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class RouteSeverity(NamedTuple):
    """The routes under some control: flat (M, S, C_exporter, C_importer) positions and severity."""

    at: np.ndarray  # (R,) ascending flat positions of the routes whose severity is not 0
    values: np.ndarray  # (R,) how far each is under control (dynamics.control_severity)

    @classmethod
    def none(cls) -> RouteSeverity:
        """No route under control."""
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0))

    @classmethod
    def of_rows(cls, rows: np.ndarray, severity: np.ndarray) -> RouteSeverity:
        """The non-zero routes of (R, C) `severity` on ascending flat (M, S, C_exporter) `rows`."""
        cells = np.flatnonzero(severity)
        n = severity.shape[1]
        return cls(rows[cells // n] * n + cells % n, severity.reshape(-1)[cells])

    @classmethod
    def of_dense(cls, severity: np.ndarray) -> RouteSeverity:
        """The non-zero routes of a dense (M, S, C, C) severity array."""
        at = np.flatnonzero(severity)
        return cls(at, severity.reshape(-1)[at])

    def dense(self, shape: tuple[int, int, int, int]) -> np.ndarray:
        """The (M, S, C, C) severity array of `shape` (for tests and for reading one market)."""
        out = np.zeros(shape)
        out.reshape(-1)[self.at] = self.values
        return out
