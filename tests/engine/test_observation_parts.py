"""The observation book's per-country parts, each held to the form it replaced."""

from __future__ import annotations

from collections import defaultdict

import pytest

from critmin.engine.model import WorldModel
from critmin.engine.observe import deals_by_country


def deals_by_sorting(world) -> dict[str, list[dict]]:
    """The former form: the deals dict sorted by id, each deal's record under its seller and buyer."""
    deals: dict[str, list[dict]] = defaultdict(list)
    for deal_id in sorted(world.deals.deals):
        deal = world.deals.deals[deal_id]
        record = deal.__dict__.copy()
        deals[deal.seller].append(record)
        if deal.buyer != deal.seller:
            deals[deal.buyer].append(record)
    return deals


@pytest.fixture(scope="module")
def model():
    """world-2024 after 8 turns, and each turn's deals by country in both forms."""
    model = WorldModel("world-2024", seed=0, record_hashes=False)
    model.turns_read = []
    for _ in range(8):
        model.step()
        model.turns_read.append((deals_by_country(model.world), deals_by_sorting(model.world)))
    return model


def test_each_countrys_deals_are_the_former_records_under_the_same_keys_in_the_same_order(model):
    for deals, expected in model.turns_read:
        assert list(deals) == list(expected)
        assert all(deals[code] == records for code, records in expected.items())
    assert sum(len(records) for records in model.turns_read[-1][1].values()) > 100


def test_a_deal_between_two_countries_is_one_copied_record_in_both_lists(model):
    deals = deals_by_country(model.world)
    deal = next(d for d in model.world.deals.in_id_order() if d.buyer != d.seller)
    in_seller = next(r for r in deals[deal.seller] if r["id"] == deal.id)
    in_buyer = next(r for r in deals[deal.buyer] if r["id"] == deal.id)
    assert in_seller is in_buyer and in_seller is not deal.__dict__
