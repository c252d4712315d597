"""The demand curves' fractions are worked out once per parameter set and are those of `demand_fractions`."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.trade import demand_fractions, fraction_table


def test_fraction_table_rows_are_demand_fractions_and_cannot_be_changed():
    multiples = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0)
    elasticities = (-0.2, -0.45, -1.1)
    table = fraction_table(multiples, elasticities, 2.0, -0.6)
    for row, elasticity in zip(table, elasticities, strict=True):
        assert row.tobytes() == demand_fractions(np.asarray(multiples), elasticity, 2.0, -0.6).tobytes()
    assert fraction_table(multiples, elasticities, 2.0, -0.6) is table
    with pytest.raises(ValueError):
        table[0, 0] = 1.0
