"""A team that plays a state firm (KABIL, Codelco, …): its dashboard and its analysts' advice.

The engine seats a firm like a country (`WorldModel(..., controllers={"kabil": seat})`): the
team's orders are the firm's own moves, stakes abroad and capacity at home paid from the
firm's budget (engine/firm_legal.py), and the firm's AI (agents/firm_doctrine.py) plays when
the team sends nothing. A firm's observation holds the turn's arrays, so the session sends a
firm seat this JSON dashboard instead: the firm, its cash, what it holds, its record, its
country's lines and what its own AI would order now.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import msgspec
import numpy as np

from critmin.classroom import protocol as p

if TYPE_CHECKING:
    from critmin.agents.controllers import Controller
    from critmin.engine.model import WorldModel


def firm_dashboard(model: WorldModel, firm_id: str, fallback: Controller | None) -> p.FirmDashboard:
    """The dashboard of a firm seat for the open turn."""
    firm = model.firms[firm_id]
    observation = model.observe(firm_id)
    played = model.turn - 1
    return p.FirmDashboard(
        turn=model.turn,
        date=model.date,
        firm=firm_id,
        name=firm.name,
        country=firm.country,
        mandate=firm.mandate,
        cash_usd_m=observation.cash_usd_m,
        earnings_usd_m=float(model.firm_earnings[model.firm_index[firm_id]]) if model.turn else 0.0,
        holdings=holdings(model, firm_id),
        home_lines=[msgspec.to_builtins(line) for line in model.observe(firm.country).minerals],
        record=[msgspec.to_builtins(e) for e in model.events if e.actor == firm_id],
        news=[
            msgspec.to_builtins(e)
            for e in model.events
            if e.turn == played and (firm_id in (e.actor, e.target) or e.actor == firm.country)
        ],
        advice=advice(model, firm_id, observation, fallback),
    )


def holdings(model: WorldModel, firm_id: str) -> list[p.Holding]:
    """The lines whose output the firm owns a share of (home assets that ship home, stakes abroad)."""
    shares = model.firm_shares[model.firm_index[firm_id]]
    state, index = model.state, model.index
    return [
        p.Holding(
            country=index.countries[c],
            mineral=index.minerals[m],
            stage=index.stages[s],
            share=float(shares[c, m, s]),
            capacity_tonnes=float(state.capacity[c, m, s]),
            production_tonnes=float(model.last.production[c, m, s]),
        )
        for c, m, s in zip(*np.nonzero(shares), strict=True)
    ]


def advice(model: WorldModel, firm_id: str, observation, fallback: Controller | None) -> list[dict]:
    """What the firm's AI would order now, decided by a copy so the seat's own AI remembers nothing."""
    if fallback is None:
        return []
    actions = copy.deepcopy(fallback).decide(observation, model.legal_actions(firm_id))
    return [msgspec.to_builtins(action) for action in actions]
