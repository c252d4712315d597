"""People, bots and AI share one interface: a bot plays India through the public API only."""

from __future__ import annotations

import json

from critmin.agents.controllers import QueuedController
from critmin.core.actions import AnswerDeal, BuyStockpile, ProposeDeal, action_to_dict
from critmin.core.observation import Observation
from critmin.engine.model import WorldModel

TURNS = 8


def india_bot(observation: Observation, menu: list) -> list[dict]:
    """Answer the inbox (buy, never sell), stockpile magnets, and ask for one offtake a turn.

    Picks only from the legal menu, and returns plain JSON data as a network client would send.
    """
    buying = {item["id"] for item in observation.inbox if item["offer"]["buyer"] == observation.country}
    picks = [a for a in menu if isinstance(a, AnswerDeal) and a.accept == (a.proposal_id in buying)]
    picks += [a for a in menu if isinstance(a, BuyStockpile) and a.mineral == "ree_heavy"][:1]
    offtakes = [a for a in menu if isinstance(a, ProposeDeal) and a.buyer == observation.country]
    picks += sorted(offtakes, key=lambda a: -a.tonnes_per_year)[:1]
    return [plain(action_to_dict(a)) for a in picks]


def plain(data: dict) -> dict:
    """JSON-normalised data (tuples become lists)."""
    return json.loads(json.dumps(data))


def test_a_bot_plays_india_for_eight_turns_through_the_public_api():
    model = WorldModel("india-central-asia-2025", controllers={"IND": QueuedController()})
    submitted = []
    for _ in range(TURNS):
        observation = model.observe("IND")
        actions = india_bot(observation, model.legal_actions("IND"))
        assert model.submit("IND", actions) == [None] * len(actions)
        submitted.append(actions)
        model.step()
    for sent, carried_out in zip(submitted, model.action_log, strict=True):
        logged = [plain({k: v for k, v in a.items() if k != "_scripted"}) for a in carried_out]
        assert all(action in logged for action in sent)
    assert sum(len(turn) for turn in submitted) >= TURNS
    bot_proposals = {
        e.target for e in model.events if e.kind == "deal_proposed" and e.actor == "IND" and e.turn > 1
    }
    rejected = [e for e in model.events if e.kind == "deal_rejected" and e.target in bot_proposals]
    accepted = [
        e
        for e in model.events
        if e.kind == "deal_signed" and e.actor != "IND" and "IND" in model.deals.parties[e.target]
    ]
    answered = rejected + accepted
    assert bot_proposals, "the bot's offers reached the AI governments' inboxes"
    assert answered, "and the AI answered them through the same protocol"
