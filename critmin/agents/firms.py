"""State firms acting for their governments, through the same actions as everyone else.

KABIL bids for shares of lithium and cobalt lines abroad, IREL and its peers build separation
and magnet capacity at home, China's champions buy into mines that feed their refineries: each
move is an `AcquireStake` (by firm id, paid from the firm's own budget, which the firm may refuse:
agents/firm_doctrine.py) or an `Invest` paid from the treasury; the engine checks it like any
other action.
"""

from __future__ import annotations

from critmin.agents.situation import Situation
from critmin.core.actions import AcquireStake, Invest
from critmin.core.vocabulary import TURNS_PER_YEAR, Mineral, Stage

Line = tuple[str, str]


def acting_firm(situation: Situation, mineral: str) -> str | None:
    """The firm that acts abroad for this mineral: named in the parameters, else the first state firm."""
    firms = {firm["id"]: firm for firm in situation.obs.firms}
    named = situation.params.firm_for.get(mineral) or situation.params.firm_for.get("*")
    if named in firms:
        return named
    state_firms = sorted(f["id"] for f in situation.obs.firms if f["kind"] == "state_firm")
    return state_firms[0] if state_firms else None


def stake_abroad(situation: Situation, mineral: str) -> AcquireStake | None:
    """A firm's bid for a share of the best foreign line upstream of a risky mineral."""
    firm = acting_firm(situation, mineral)
    if firm is None:
        return None
    line = (mineral, situation.first_stage(mineral))
    host = best_host(situation, line)
    if host is None:
        return None
    share = situation.params.stake_share
    tonnes_per_year = situation.lines[line].producers[host] * TURNS_PER_YEAR
    cash = next(f.get("cash_usd_m", 0.0) for f in situation.obs.firms if f["id"] == firm)
    if share * situation.capex_usd_m(line, tonnes_per_year) > cash:
        return None  # the firm pays its stakes from its own budget
    return AcquireStake(
        reason=f"directed by {situation.obs.country}: supply risk on {mineral}",
        country=situation.obs.country,
        firm=firm,
        host=host,
        mineral=Mineral(line[0]),
        stage=Stage(line[1]),
        share=share,
    )


def best_host(situation: Situation, line: Line) -> str | None:
    """The trusted foreign producer with the most capacity on a line, where we hold no stake yet."""
    world = situation.lines.get(line)
    if world is None:
        return None
    me = situation.obs.country
    held = {
        d["seller"]
        for d in situation.obs.deals
        if d["kind"] == "equity" and (d["mineral"], d["stage"]) == line
    }
    hosts = [
        code
        for code in sorted(world.producers)
        if code != me
        and code not in held
        and not situation.is_adversary(code, line)
        and situation.trust(code) >= situation.params.partner_trust
    ]
    return max(hosts, key=lambda code: world.producers[code], default=None)


def invest_at_home(situation: Situation, line: Line, tonnes_per_turn: float) -> Invest | None:
    """New capacity at home on a line, within the investment budget."""
    tonnes_per_year = tonnes_per_turn * TURNS_PER_YEAR
    if tonnes_per_year <= 0:
        return None
    limit = situation.params.invest_budget_share * situation.budget_usd_m
    cost = situation.capex_usd_m(line, tonnes_per_year)
    if cost > limit:
        tonnes_per_year *= limit / cost
        cost = limit
    if tonnes_per_year < 1.0 or not situation.spend(cost):
        return None
    return Invest(
        country=situation.obs.country,
        mineral=Mineral(line[0]),
        stage=Stage(line[1]),
        tonnes_per_year=tonnes_per_year,
    )
