"""The classroom bench runs end to end (a small run; its figures are reported, never asserted)."""

from __future__ import annotations

import pytest

pytest.importorskip("websockets")

from critmin.classroom import bench

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("browser", [True, False], ids=["browser-clients", "python-clients"])
def test_the_bench_times_every_client_of_every_turn(browser):
    figures = bench.run(bench.Options(clients=9, turns=2, workers=1, browser=browser))
    assert figures["client_kind"] == ("browser" if browser else "python")
    assert figures["clients"] == 9 and len(figures["per_turn_all_clients_s"]) == 2
    assert all(seconds > 0 for seconds in figures["per_turn_all_clients_s"])
    assert figures["advance_to_all_clients_max_s"] >= figures["advance_to_all_clients_p50_s"] > 0
