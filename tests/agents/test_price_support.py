"""Price support counted for every member at once equals each country's rule on its own row."""

from __future__ import annotations

import numpy as np
from msgspec.structs import replace

from critmin.agents.price_support import PriceSupports
from critmin.agents.reading import FIGURE
from critmin.engine.model import WorldModel


def counted_alone(figures, shares, lines, counts: dict, capped: set, params) -> tuple[list[int], dict]:
    """The rule as first written, one country, one line at a time in (mineral, stage) order.

    Its review and its new counts, by line position.
    """
    counts, review = dict(counts), []
    for k in sorted(range(len(lines)), key=lines.__getitem__):
        price, reference = (
            figures[k, FIGURE["price_usd_per_kg"]],
            figures[k, FIGURE["reference_price_usd_per_kg"]],
        )
        ratio = price / reference if reference > 0 else 1.0
        exports = figures[k, FIGURE["exports"]]
        if k in capped:
            review.append(k)
        elif exports > 0:
            counts[k] = counts.get(k, 0) + 1 if ratio < params.price_support_ratio else 0
            leads = shares[k] >= params.price_support_share
            if leads and counts[k] >= params.price_support_turns:
                review.append(k)
    return review, counts


def test_members_counted_together_count_as_each_country_alone():
    """Members joined in reverse order and asked in turn: each review and count is its own rule's.

    The members' parameters are made to bite (a high support ratio, a low share), and one member
    caps a line after the first turn: the capped line is reviewed and no longer counted.
    """
    model = WorldModel("world-2024", seed=1)
    members = {
        code: country.controller.params
        for code, country in model.countries.items()
        if getattr(country.controller, "doctrine", "") == "resource_nationalist"
    }
    members = {
        code: replace(params, price_support_ratio=1.1, price_support_share=0.05) if i % 2 == 0 else params
        for i, (code, params) in enumerate(members.items())
    }
    book = PriceSupports()
    for code in reversed(members):
        book.join(code, members[code])
    alone = {code: ({}, set()) for code in members}
    reviewed = 0
    for turn in range(4):
        model.step()
        reading = model.reading()
        for code, params in members.items():
            row = reading.rows.at[code]
            counts, capped = alone[code]
            expected, counts = counted_alone(
                reading.rows.figures[row],
                reading.rows.capacity_share[row],
                reading.seen.order,
                counts,
                capped,
                params,
            )
            review, book_counts = book.review(reading, code, params)
            assert review == expected
            assert all(book_counts[k] == n for k, n in counts.items())
            assert not np.any(np.delete(book_counts, list(counts)))  # lines never counted stay at 0
            alone[code] = (counts, capped)
            reviewed += len(review)
        if turn == 0:
            code = next(iter(members))
            exported = np.flatnonzero(reading.rows.figures[reading.rows.at[code], :, FIGURE["exports"]] > 0)
            book.cap(code, int(exported[0]), True)
            alone[code][1].add(int(exported[0]))
    assert reviewed > 0, "the parameters made some line due a cap"
