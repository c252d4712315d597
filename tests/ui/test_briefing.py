"""The briefing before the game: a player's biggest needs by what they are worth, in words."""

from __future__ import annotations

import re

from critmin.scenarios import load_scenario
from critmin.ui.picker import briefing_html, counted


def test_the_briefing_lists_the_biggest_needs_by_value_in_words():
    html = briefing_html(load_scenario("india-central-asia-2025"), ["IND"])
    worth = [
        float(v.replace(",", "")) for v in re.findall(r"\(USD ([\d,.]+) m a year at starting prices\)", html)
    ]
    assert len(worth) >= 3 and worth == sorted(worth, reverse=True), "the costliest needs first"
    assert html.index("copper refined") < html.index("phosphate mine"), (
        "8 bn USD of copper before 1.8 of phosphate"
    )
    assert "_" not in re.sub(r"<[^>]+>", "", html), "no engine identifiers (ree_light) in the briefing"


def test_a_count_of_one_is_singular():
    assert counted(1, "mineral") == "1 mineral" and counted(30, "mineral") == "30 minerals"
