"""The moves doctrines are made of: small functions from a Situation to a few actions.

Each returns a (possibly empty) list of actions and books the money it commits in the
situation, so that a turn's actions never spend more than the treasury holds. Randomness comes
only from the generator passed in: the country's own decision stream.

Trade measures (export controls, quotas, tariffs, their easing and lifting) are taken only for a
reason the observation shows, which the measure carries into its event: a price past a
threshold relative to the reference price, a rival's measure, or a bargaining aim against a
country trust has fallen for. A world where nothing happens gives no reason for any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from critmin.agents import row_masks
from critmin.agents.diplomacy import choose_buyer, choose_supplier, make_offer
from critmin.agents.firms import invest_at_home, stake_abroad
from critmin.agents.reading import FIGURE, WorldReading
from critmin.agents.situation import MINERAL_NAMED, STAGE_NAMED, Situation, offer_line
from critmin.core.actions import (
    ActionBase,
    BuyStockpile,
    FundProgram,
    ImposeExportControl,
    LiftExportControl,
    ProposeDeal,
    ReleaseStockpile,
    SetTariff,
)
from critmin.core.units import tonnes_for_usd_m, usd_m
from critmin.core.vocabulary import TURNS_PER_YEAR, Mineral, Stage

Line = tuple[str, str]


class Offence(NamedTuple):
    """A measure another country took against this one: who, on what mineral, of what kind."""

    actor: str
    mineral: str
    kind: str  # "control_imposed" or "tariff_set"

    def __str__(self) -> str:
        measure = "export control" if self.kind == "control_imposed" else "tariff"
        return f"answers {self.actor}'s {measure} on {self.mineral}"


@dataclass(slots=True)
class Memory:
    """What a controller remembers between turns (deterministic, derived from observations)."""

    last_stake_turn: int = -(10**6)
    last_invest: dict[Line, int] = field(default_factory=dict)
    last_exploration: dict[str, int] = field(default_factory=dict)
    last_investor_offer: dict[str, int] = field(default_factory=dict)
    offences_seen: set[tuple] = field(default_factory=set)
    baseline_taken: bool = False
    price_support: set[Line] = field(default_factory=set)
    low_price_turns: dict[Line, int] = field(default_factory=dict)  # turns in a row below the support price
    standing_controls: frozenset[tuple[str, str, str]] | None = None  # in force at the first decision
    proposed: dict[tuple[Line, str], int] = field(default_factory=dict)  # (line, counterparty) -> turn


def recall_proposals(situation: Situation, memory: Memory) -> None:
    """Leave alone, for a while, counterparties already asked on a line (answered or not).

    Older proposals are forgotten: turns only move on, so they would never count again.
    """
    turn = situation.obs.turn
    memory.proposed = {
        asked: when
        for asked, when in memory.proposed.items()
        if turn - when < situation.params.repropose_after_turns
    }
    for line, counterparty in memory.proposed:
        situation.pending[line].add(counterparty)


def remember_proposals(actions: list[ActionBase], turn: int, memory: Memory) -> None:
    """Note this turn's proposals."""
    for action in actions:
        if isinstance(action, ProposeDeal):
            memory.proposed[(offer_line(action), action.counterparty)] = turn


# --- importing -----------------------------------------------------------------------------


def release_in_shortage(situation: Situation) -> list[ActionBase]:
    """Release strategic stock on lines where manufacturers went short."""
    actions: list[ActionBase] = []
    for k in situation.rows_of(lines_to_release, situation.params.release_at_shortage):
        mineral, stage = line = situation.line_order[k]
        view = situation.views[line]
        actions.append(
            ReleaseStockpile(
                country=situation.obs.country,
                mineral=MINERAL_NAMED[mineral],
                stage=STAGE_NAMED[stage],
                tonnes=min(view.stockpile, view.shortage),
            )
        )
    return actions


def lines_to_release(reading: WorldReading, release_at_shortage: float) -> list[list[int]]:
    """Per row, the positions of its lines `short_with_stock`, in order (every row at once)."""
    return positions_by_row(short_with_stock(reading, release_at_shortage))


def positions_by_row(chosen: np.ndarray) -> list[list[int]]:
    """Per row of a (R, L) bool array, the positions where it is True, in order."""
    rows, ks = np.nonzero(chosen)
    by_row: list[list[int]] = [[] for _ in range(len(chosen))]
    for r, k in zip(rows.tolist(), ks.tolist(), strict=True):
        by_row[r].append(k)
    return by_row


def short_with_stock(reading: WorldReading, release_at_shortage: float) -> np.ndarray:
    """(R, L) lines with strategic stock where users went short of more than that share of their need."""
    return row_masks.short_with_stock(reading.rows.figures, release_at_shortage)  # one compiled pass


def secure_supply(situation: Situation, pressed: list[tuple[Line, float]]) -> list[ActionBase]:
    """Offtakes with trusted suppliers on pressed lines; a co-financed partnership if none has spare."""
    params, actions = situation.params, []
    for line, level in pressed:
        if len(actions) >= params.max_proposals_per_turn:
            break
        exposure = situation.exposure(line)
        wanted = params.offtake_cover * exposure - situation.bought[line]
        if wanted <= 0.01 * exposure:
            continue
        supplier = choose_supplier(situation, line)
        if supplier is not None:
            offer = make_offer(situation, supplier[0], line, min(wanted, supplier[1]))
        else:
            offer = partnership(situation, line, wanted) if level >= 2 * params.act_on_pressure else None
        if offer is not None:
            actions.append(offer)
    return actions


def partnership(situation: Situation, line: Line, wanted: float):
    """A strategic partnership offered to the most trusted producer that is not an adversary."""
    world = situation.lines.get(line)
    if world is None:
        return None
    candidates = [
        code
        for code in sorted(world.producers)
        if code != situation.obs.country
        and not situation.is_adversary(code, line)
        and situation.trust(code) >= situation.params.partner_trust
    ]
    if not candidates:
        return None
    partner = max(candidates, key=lambda code: (situation.trust(code), world.producers[code]))
    return make_offer(situation, partner, line, wanted, kind="partnership")


def joint_exploration(
    situation: Situation, pressed, memory: Memory, rng: np.random.Generator
) -> list[ActionBase]:
    """Offer joint exploration of a pressed mineral to one of the doctrine's exploration partners."""
    partners = situation.params.exploration_partners
    turn = situation.obs.turn
    for (mineral, _), _level in pressed:
        if (
            not partners
            or turn - memory.last_exploration.get(mineral, -(10**6))
            < situation.params.exploration_every_turns
        ):
            continue
        line = (mineral, situation.first_stage(mineral))
        partner = exploration_partner(situation, line, rng)
        if partner is None:
            continue
        tonnes = situation.params.joint_exploration_share * max(
            situation.exposure((mineral, s)) for s in situation.chains[mineral]
        )
        offer = make_offer(
            situation,
            partner,
            line,
            tonnes,
            kind="joint_exploration",
            duration_turns=situation.params.joint_exploration_turns,
        )
        memory.last_exploration[mineral] = turn
        if offer is not None:
            return [offer]
    return []


def exploration_partner(situation: Situation, line: Line, rng: np.random.Generator) -> str | None:
    """The most trusted exploration partner not yet exploring this mineral with us (ties drawn)."""
    exploring = {
        d["seller"]
        for d in situation.obs.deals
        if d["kind"] == "joint_exploration" and d["mineral"] == line[0]
    }
    candidates = [
        code
        for code in situation.params.exploration_partners
        if code not in exploring and code not in situation.pending[line]
    ]
    if not candidates:
        return None
    best = max(situation.trust(code) for code in candidates)
    tied = [code for code in candidates if situation.trust(code) == best]
    return tied[int(rng.integers(len(tied)))]


def build_stockpile(situation: Situation, pressed) -> list[ActionBase]:
    """Buy strategic stock on pressed lines up to the target, at no more than the price cap."""
    params, actions = situation.params, []
    for line, _level in pressed:
        view = situation.views[line]
        cap = params.stockpile_price_cap * view.reference_price_usd_per_kg
        gap = params.stockpile_target_quarters * situation.exposure(line) - view.stockpile
        if gap <= 1e-6 or view.price_usd_per_kg > 0.8 * cap or view.shortage > 0:
            continue
        tonnes = min(gap, 0.5 * situation.exposure(line))
        affordable = tonnes_for_usd_m(params.stockpile_budget_share * situation.budget_usd_m, cap)
        tonnes = min(tonnes, affordable)
        if tonnes > 1e-3 and situation.spend(usd_m(tonnes, cap)):
            actions.append(stockpile_order(situation, line, tonnes, cap))
    return actions


def fund_programme(situation: Situation, pressed) -> list[ActionBase]:
    """One programme a turn for the most pressed mineral, cycling through the doctrine's programmes.

    Recycling is funded only for the minerals whose scrap streams the doctrine's recycling
    schemes target; for others the turn's programme is skipped.
    """
    params = situation.params
    if not pressed or not params.programs:
        return []
    mineral = pressed[0][0][0]
    program = params.programs[situation.obs.turn % len(params.programs)]
    if program == "recycling" and mineral not in params.recycling_minerals:
        return []
    usd_m = params.program_budget_share * situation.obs.budget_per_turn_usd_m
    if usd_m <= 0 or not situation.spend(usd_m):
        return []
    return [
        FundProgram(country=situation.obs.country, program=program, mineral=Mineral(mineral), usd_m=usd_m)
    ]


def firm_moves(situation: Situation, pressed, memory: Memory) -> list[ActionBase]:
    """State firms: a stake abroad every few turns; new capacity at home on persistently pressed lines."""
    params, turn, actions = situation.params, situation.obs.turn, []
    if pressed and turn - memory.last_stake_turn >= params.stake_every_turns:
        stake = stake_abroad(situation, pressed[0][0][0])
        if stake is not None:
            memory.last_stake_turn = turn
            actions.append(stake)
    for line, level in pressed:
        if level < 1.5 * params.act_on_pressure or line[1] == situation.first_stage(line[0]):
            continue
        risk = situation.risks.get(line)
        if risk is None or (
            risk.shortage_share < situation.params.acute_shortage
            and risk.price_spike < situation.params.acute_price_spike
        ):
            continue
        if turn - memory.last_invest.get(line, -(10**6)) < situation.params.invest_every_turns:
            continue
        invest = invest_at_home(situation, line, params.invest_share_of_exposure * situation.exposure(line))
        memory.last_invest[line] = turn
        if invest is not None:
            actions.append(invest)
            break
    return actions


def new_offences(situation: Situation, memory: Memory) -> list[Offence]:
    """Controls and tariffs against this country not answered yet."""
    me, offences = situation.obs.country, []
    for event in situation.obs.diplomacy:
        if event["kind"] not in ("control_imposed", "tariff_set") or event["actor"] == me:
            continue
        key = (event["kind"], event["turn"], event["actor"], event["mineral"])
        if key in memory.offences_seen:
            continue
        memory.offences_seen.add(key)
        if memory.baseline_taken:
            offences.append(Offence(event["actor"], event["mineral"], event["kind"]))
    memory.baseline_taken = True
    return offences


def retaliate_with_tariffs(
    situation: Situation, offences: list[Offence], rng: np.random.Generator
) -> list[ActionBase]:
    """Answer a control or tariff, now and then, with a tariff where the offender is easiest to replace.

    The tariff falls on the line where the offender supplies the smallest share of what this
    country imports (and others supply the rest), never on a line it cannot do without.
    """
    actions: list[ActionBase] = []
    first_offence = {offence.actor: offence for offence in reversed(offences)}
    for offender in dict.fromkeys(offence.actor for offence in offences):
        if rng.random() >= situation.params.retaliation_probability:
            continue
        line = replaceable_line(situation, offender)
        if line is not None:
            actions.append(
                SetTariff(
                    country=situation.obs.country,
                    mineral=Mineral(line[0]),
                    stages=(Stage(line[1]),),
                    rate=situation.params.retaliation_tariff,
                    origins=(offender,),
                    reason=str(first_offence[offender]),
                )
            )
    return actions


def replaceable_line(situation: Situation, offender: str) -> Line | None:
    """The imported line where the offender's share is smallest, below half, with no tariff on it yet."""
    tariffed = {
        (p["mineral"], p["stage"])
        for p in situation.obs.policies
        if p.get("kind") == "tariff" and p["country"] == situation.obs.country
    }
    shares = {}
    from_offender, imports = situation.foreign_from(offender), situation.column("imports")
    for k in np.flatnonzero(from_offender > 0).tolist():
        line = situation.line_order[k]
        if line not in tariffed:
            shares[line] = float(from_offender[k]) / float(imports[k])
    candidates = [line for line, share in shares.items() if share < 0.5]
    return min(candidates, key=lambda line: (shares[line], line), default=None)


# --- dominant processor --------------------------------------------------------------------


def dominated_lines(situation: Situation) -> list[Line]:
    """Lines where this country holds at least the dominance share of world capacity."""
    share = situation.params.dominance_share
    me = situation.obs.country
    return sorted(line for line in situation.lines if situation.capacity_share(me, line) >= share)


def leverage(situation: Situation, targets: dict[str, str]) -> list[ActionBase]:
    """A licence regime on a dominated line that a target imports and no control covers yet.

    `targets` maps each country to press to the reason for pressing it.
    """
    me = situation.obs.country
    for target, reason in targets.items():
        for line in dominated_lines(situation):
            world = situation.lines[line]
            if target in world.importers and situation.control_on(me, line) is None:
                return [
                    ImposeExportControl(
                        country=me,
                        mineral=Mineral(line[0]),
                        stages=(Stage(line[1]),),
                        regime="licence",
                        destinations=(target,),
                        approval_share=situation.params.leverage_approval_share,
                        delay_turns=1,
                        reason=reason,
                    )
                ]
    return []


def leverage_targets(
    situation: Situation, offences: list[Offence], rng: np.random.Generator
) -> dict[str, str]:
    """Countries to press this turn, each with the reason for pressing it.

    Offenders by chance, and by (smaller) chance countries whose trust has fallen below the
    adversary threshold (a bargaining aim).
    """
    params, me = situation.params, situation.obs.country
    distrusted = sorted(
        code for code, trust in situation.obs.trust.items() if code != me and trust < params.adversary_trust
    )
    threshold = params.adversary_trust
    targets = {
        code: f"bargaining pressure on {code}, trusted {situation.trust(code):.2f} < {threshold:g}"
        for code in distrusted
        if rng.random() < params.leverage_probability
    }
    answered = {o.actor: str(o) for o in offences if rng.random() < params.retaliation_probability}
    return {**targets, **answered}


def ease_controls(situation: Situation) -> list[ActionBase]:
    """Review licence regimes: where the home market is glutted, approve a larger share (up to a cap)."""
    params, me, turn, actions = situation.params, situation.obs.country, situation.obs.turn, []
    for (country, mineral, stage), control in sorted(situation.controls.items()):
        if country != me or control.regime != "licence":
            continue
        view = situation.views.get((mineral, stage))
        glutted = (
            view is not None
            and view.price_usd_per_kg < params.glut_price_ratio * view.reference_price_usd_per_kg
        )
        if turn - control.since_turn < params.ease_after_turns or not glutted:
            continue
        approval = min(round(control.approval_share + params.ease_step, 6), params.ease_cap)
        if approval <= control.approval_share:
            continue
        glut = params.glut_price_ratio
        reason = f"home price {price_ratio(view):.2f}x reference, below {glut:g}x: licences eased"
        actions.append(
            ImposeExportControl(
                country=me,
                mineral=Mineral(mineral),
                stages=(Stage(stage),),
                regime="licence",
                destinations=tuple(control.destinations),
                approval_share=approval,
                delay_turns=control.delay_turns,
                reason=reason,
            )
        )
    return actions


def buy_the_dip(situation: Situation) -> list[ActionBase]:
    """The state reserve buys imported inputs when their price is low."""
    params, actions = situation.params, []
    imports, stockpile = situation.column("imports"), situation.column("stockpile")
    ceilings = params.dip_price_ratio * situation.column("reference_price_usd_per_kg")
    cheap = (imports > 0) & (situation.column("price_usd_per_kg") < ceilings) & (stockpile < 2 * imports)
    for line in sorted_lines(situation, cheap):
        view = situation.views[line]
        ceiling = params.dip_price_ratio * view.reference_price_usd_per_kg
        tonnes = params.dip_buy_quarters * view.imports
        tonnes = min(
            tonnes,
            tonnes_for_usd_m(params.stockpile_budget_share * situation.budget_usd_m, max(ceiling, 1e-9)),
        )
        if tonnes > 1e-3 and situation.spend(usd_m(tonnes, ceiling)):
            actions.append(stockpile_order(situation, line, tonnes, ceiling))
    return actions


def sorted_lines(situation: Situation, chosen: np.ndarray) -> list[Line]:
    """The lines where `chosen` ((L,) bool) is True, in (mineral, stage) order."""
    by_rank, order = situation.reading.seen.by_rank, situation.line_order
    return [order[k] for k in by_rank[chosen[by_rank]].tolist()]


def stockpile_order(situation, line: tuple[str, str], tonnes: float, cap: float) -> BuyStockpile:
    """A strategic purchase of `tonnes` of a (mineral, stage) line, paying at most `cap` USD/kg."""
    return BuyStockpile(
        country=situation.obs.country,
        mineral=Mineral(line[0]),
        stage=Stage(line[1]),
        tonnes=tonnes,
        max_price_usd_per_kg=cap,
    )


# --- resource nationalist ------------------------------------------------------------------


def raw_quota(situation: Situation, line: Line, reason: str) -> ImposeExportControl:
    """An export quota at a share of recent exports, for the reason given."""
    view = situation.views[line]
    quota = situation.params.raw_quota_share * view.exports * TURNS_PER_YEAR
    return ImposeExportControl(
        country=situation.obs.country,
        mineral=Mineral(line[0]),
        stages=(Stage(line[1]),),
        regime="quota",
        quota_tonnes_per_year=quota,
        leakage=0.05,
        reason=reason,
    )


def price_ratio(view) -> float:
    """A line's local price over its reference price (1 if it has none)."""
    reference = view.reference_price_usd_per_kg
    return view.price_usd_per_kg / reference if reference > 0 else 1.0


def price_ratios(reading: WorldReading) -> np.ndarray:
    """(R, L) `price_ratio` of every row and line at once."""
    figures = reading.rows.figures
    reference = figures[..., FIGURE["reference_price_usd_per_kg"]]
    ratio = np.ones_like(reference)
    return np.divide(figures[..., FIGURE["price_usd_per_kg"]], reference, out=ratio, where=reference > 0)


def price_support(situation: Situation, memory: Memory) -> list[ActionBase]:
    """A big producer caps exports when its price has stayed low, and lifts the cap once it has recovered.

    The trigger is the local price below `price_support_ratio` x reference for
    `price_support_turns` turns in a row: a slump, not a quarter's wobble.
    """
    params, me, actions = situation.params, situation.obs.country, []
    watched, exports, seen = memory.price_support, situation.column("exports"), situation.reading.seen
    exporting = exports > 0
    for line in watched:
        k = seen.at.get(line)
        if k is not None:
            exporting[k] = True
    ratios = situation.rows_of(price_ratios)
    low = (ratios < params.price_support_ratio).tolist()
    leads = ((exports > 0) & (situation.capacity_shares >= params.price_support_share)).tolist()
    for line in sorted_lines(situation, exporting):  # lines neither watched nor exported call for nothing
        k = seen.at[line]
        ratio = float(ratios[k])
        if line in watched:
            actions += lift_price_support(situation, memory, line, ratio)
            continue
        turns = memory.low_price_turns[line] = memory.low_price_turns.get(line, 0) + 1 if low[k] else 0
        if leads[k] and turns >= params.price_support_turns and situation.control_on(me, line) is None:
            reason = (
                f"price {ratio:.2f}x reference, below {params.price_support_ratio:g}x for {turns} turns: "
                "exports capped to defend it"
            )
            actions.append(raw_quota(situation, line, reason))
            watched.add(line)
    return actions


def lift_price_support(situation: Situation, memory: Memory, line: Line, ratio: float) -> list[ActionBase]:
    """Lift a price-support cap once the price is back at its reference (forget it if gone)."""
    me = situation.obs.country
    if situation.control_on(me, line) is None:
        memory.price_support.discard(line)
        return []
    if ratio < 1.0:
        return []
    memory.price_support.discard(line)
    reason = f"price recovered to {ratio:.2f}x reference: export cap lifted"
    return [LiftExportControl(country=me, mineral=Mineral(line[0]), stages=(Stage(line[1]),), reason=reason)]


def new_controls(situation: Situation, memory: Memory) -> set[tuple[str, str, str]]:
    """Export controls in force now that were not in force at this country's first decision."""
    if memory.standing_controls is None:
        memory.standing_controls = frozenset(situation.controls)
    return set(situation.controls) - memory.standing_controls


def downstream_trigger(situation: Situation, ore: Line, new: set[tuple[str, str, str]]) -> str | None:
    """Why restricting raw exports of an ore would pay now, if it would (None if not).

    A tight market (the world ore price well above its reference) or another country newly
    restricting exports of the same ore (`new`: controls imposed since the first decision).
    """
    params, view = situation.params, situation.views[ore]
    reference = view.reference_price_usd_per_kg
    if reference > 0 and view.world_price_usd_per_kg >= params.downstream_price_ratio * reference:
        ratio = view.world_price_usd_per_kg / reference
        return f"world {ore[0]} ore price {ratio:.2f}x reference (trigger {params.downstream_price_ratio:g}x)"
    if params.downstream_follows_peers:
        me = situation.obs.country
        peers = sorted(code for code, *line in new if code != me and tuple(line) == ore)
        if peers:
            return f"follows {peers[0]}'s restriction of raw {ore[0]} exports"
    return None


def downstream(situation: Situation, memory: Memory, rng: np.random.Generator) -> list[ActionBase]:
    """Restrict raw exports of a leveraged mineral and build (or get partners to build) processing.

    Only when a trigger gives the restriction a reason (`downstream_trigger`); then, at the
    doctrine's pace, by chance per turn.
    """
    params, me, new = situation.params, situation.obs.country, new_controls(situation, memory)
    seen = situation.reading.seen
    for p in situation.rows_of(leveraged_ores, params.downstream_min_share):
        mineral = seen.chained[p]
        ore, processed = (mineral, seen.chains[mineral][0]), (mineral, seen.chains[mineral][1])
        if situation.control_on(me, ore) is not None:
            continue
        view = situation.views[ore]
        trigger = downstream_trigger(situation, ore, new)
        if trigger is None or rng.random() >= params.downstream_probability:
            continue
        build = invest_at_home(situation, processed, 0.25 * view.capacity) or investor_offer(
            situation, processed, 0.25 * view.capacity
        )
        reason = f"{trigger}: raw exports capped to move processing home"
        return [raw_quota(situation, ore, reason)] + ([build] if build is not None else [])
    return []


def leveraged_ores(reading: WorldReading, min_share: float) -> list[list[int]]:
    """Per row, the chained minerals (positions along `seen.chained`) it has leverage in.

    It exports the ore with at least `min_share` of world capacity and processes at home less
    than half of the ore.
    """
    seen, rows = reading.seen, reading.rows
    mask = row_masks.leveraged(rows.figures, rows.capacity_share, seen.ores, seen.processed, min_share)
    return positions_by_row(mask)


# --- aligned supplier ----------------------------------------------------------------------


def seek_offtakes(situation: Situation, rng: np.random.Generator) -> list[ActionBase]:
    """Offer floor-priced offtakes to importers on lines with uncontracted exports."""
    params, actions, seen = situation.params, [], situation.reading.seen
    exports = situation.column("exports")
    export_values = -exports * situation.column("price_usd_per_kg")
    exported = exports.tolist()  # the line's figure as its view holds it, without making the view
    by_rank = seen.by_rank  # a stable sort of the values in line order: ties in line order
    for k in by_rank[np.argsort(export_values[by_rank], kind="stable")].tolist():
        if len(actions) >= params.max_proposals_per_turn or exported[k] <= 0:
            break
        line = seen.order[k]
        free = params.offtake_cover * exported[k] - situation.sold[line]
        if free <= 0.01 * exported[k] or rng.random() >= params.seek_offtake_probability:
            continue
        buyer = choose_buyer(situation, line)
        if buyer is not None:
            offer = make_offer(
                situation,
                buyer[0],
                line,
                min(free, 0.3 * buyer[1]),
                selling=True,
                floor_share=situation.params.floor_share_of_reference,
            )
            if offer is not None:
                actions.append(offer)
    return actions


def seek_investors(situation: Situation, memory: Memory) -> list[ActionBase]:
    """Offer a partnership in processing on a mineral mined here but hardly processed here."""
    turn, seen = situation.obs.turn, situation.reading.seen
    for p in situation.rows_of(unprocessed_ores):
        mineral = seen.chained[p]
        if turn - memory.last_investor_offer.get(mineral, -(10**6)) < situation.params.investor_every_turns:
            continue
        ore = situation.views[(mineral, seen.chains[mineral][0])]
        memory.last_investor_offer[mineral] = turn
        offer = investor_offer(situation, (mineral, seen.chains[mineral][1]), 0.2 * ore.capacity)
        if offer is not None:
            return [offer]
    return []


def unprocessed_ores(reading: WorldReading) -> list[list[int]]:
    """Per row, the chained minerals it mines but processes less than a quarter of at home."""
    seen = reading.seen
    return positions_by_row(row_masks.unprocessed(reading.rows.figures, seen.ores, seen.processed))


def investor_offer(situation: Situation, line: Line, tonnes_per_turn: float):
    """A partnership offered to the largest trusted importer of a line: it finances, we supply it."""
    buyer = choose_buyer(situation, line)
    if buyer is None or covers_me_not(situation, line, buyer[0]):
        return None
    return make_offer(situation, buyer[0], line, tonnes_per_turn, kind="partnership", selling=True)


def covers_me_not(situation: Situation, line: Line, buyer: str) -> bool:
    """True if this country's own control on the line would stop deliveries to the buyer."""
    control = situation.control_on(situation.obs.country, line)
    return control is not None and control.bans(buyer)
