"""Market dynamics: the behaviour that moves prices from one turn to the next.

Pure functions over the state arrays (country x mineral x stage), vectorised, called by the
model's phases (docs/mechanisms.md names each parameter and its source):

- expectations: traders' expected price (a moving average), a slower long-run price for
  investors, and the price trend (a smoothed log change per turn);
- inventories: manufacturers' inventory target rises with supply risk (controls on their
  imports, shortages, prices above reference) and with a rising price trend, and falls when
  prices fall;
- utilisation: producers run more of their capacity when margins are good and less when they
  are poor; capacity whose margin stays below its cash cost closes;
- investment: when the long-run price justifies it, capacity is ordered and arrives after the
  stage's lead time;
- thrifting: under high prices demand intensity falls, and recovers slowly when they ease;
- recycling: the share of scrap collected rises with the price;
- demand noise: persistent random demand shocks drawn from the model's generator.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from scipy import special

from critmin.core.vocabulary import STAGES, TURNS_PER_YEAR
from critmin.engine.margin_ratios import margin_ratios
from critmin.engine.state import Constants, WorldState
from critmin.engine.substitution import adopt, remaining_use
from critmin.engine.thrift_pass import thrifted

TINY_PRICE = 1e-9  # USD/kg: below this a price counts as none (log guards)
AT_CAP = 0.99  # exports at 99% of a quota or licence count as a binding control


# --- expectations ----------------------------------------------------------------------------


def update_expectations(state: WorldState, settings, previous_price: np.ndarray) -> None:
    """Expected price, long-run price and price trend after this turn's clearing."""
    state.expected_price += settings.price_expectation_weight * (state.price - state.expected_price)
    state.long_run_price += settings.long_run_price_weight * (state.price - state.long_run_price)
    change = np.log(np.maximum(state.price, TINY_PRICE) / np.maximum(previous_price, TINY_PRICE))
    state.price_trend += settings.price_trend_weight * (change - state.price_trend)


def price_ratio(prices: np.ndarray, constants: Constants) -> np.ndarray:
    """(C, M, S) prices as multiples of the reference price (1 off-chain)."""
    return quotient_or(prices, constants.reference_price[None], 1.0)


def quotient_or(numerator: np.ndarray, denominator: np.ndarray, otherwise) -> np.ndarray:
    """`numerator / denominator` where the denominator is > 0, `otherwise` elsewhere.

    The values of `np.divide(numerator, denominator, out=otherwise, where=denominator > 0)`, bit
    for bit: each kept quotient is the same division; on arrays of a few thousand entries a plain
    division and a masked copy take half the time of numpy's masked division.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = numerator / denominator
    np.copyto(quotient, otherwise, where=~(denominator > 0))
    return quotient


# --- inventories -----------------------------------------------------------------------------


def supply_risk(state: WorldState, constants: Constants, settings, shortage_share: np.ndarray) -> np.ndarray:
    """(C, M, S) supply risk buyers feel: controls on their imports, shortages, high prices."""
    premium = np.maximum(np.log(np.maximum(price_ratio(state.expected_price, constants), TINY_PRICE)), 0.0)
    exposure = np.maximum(state.control_exposure, settings.announcement_exposure * state.news_exposure)
    return (
        settings.inventory_gain_controls * exposure
        + settings.inventory_gain_shortage * shortage_share
        + settings.inventory_gain_price * premium
    )


def desired_inventory(state: WorldState, settings, risk: np.ndarray, working=0.0) -> np.ndarray:
    """(C, M, S) quarters of use buyers want in stock.

    Precautionary stock grows with supply risk, less so while the price stands far above what
    buyers expect in the long run (`inventory_affordability_exponent`: carrying dear stock
    costs); speculative stock follows the price trend, up or down. The chain's `working` cover
    (quarters, `Constants.working_cover`) lies under all of it: the range moves up by it.
    """
    base = settings.inventory_target_quarters
    affordable = np.divide(
        state.long_run_price, state.price, out=np.ones_like(state.price), where=state.price > 0
    )
    precaution = risk * np.minimum(affordable, 1.0) ** settings.inventory_affordability_exponent
    desired = base * (1 + precaution) + settings.inventory_gain_trend * state.price_trend + working
    low, high = settings.inventory_target_min_quarters, settings.inventory_target_max_quarters
    return np.clip(desired, low + working, high + working)


def update_inventory_targets(state: WorldState, constants: Constants, settings, shortage_share) -> None:
    """Move buyers' inventory targets part of the way towards what they now want."""
    state.supply_risk = supply_risk(state, constants, settings, shortage_share)
    desired = desired_inventory(state, settings, state.supply_risk, constants.working_cover)
    state.inventory_target += settings.inventory_adjustment_per_turn * (desired - state.inventory_target)


def react_to_news(state: WorldState, constants: Constants, settings) -> None:
    """Expectations and inventory targets jump at once on news of controls.

    `state.news_exposure` is the share of each buyer's supply the news says will be cut,
    `state.news_market` that of its whole market. Traders expect the price to rise by the
    incidence rule, market cut / (|demand elasticity| + supply elasticity) (BEHAVIOUR.md 1b),
    and the inventory target jumps to what the news makes buyers
    want, in the same turn, before the market clears (news is a discrete event, not a drift);
    neither falls on news. Stock bought on the news is bid at the expected price.
    """
    news = settings.announcement_exposure * state.news_exposure
    market = settings.announcement_exposure * state.news_market
    elasticity = np.abs(constants.demand_elasticity)[None, :, None] + settings.supply_elasticity
    jump = np.maximum(state.price, state.expected_price) * (1 + market / elasticity)
    state.expected_price = np.where(market > 0, np.maximum(state.expected_price, jump), state.expected_price)
    exposure = np.maximum(state.control_exposure, news)
    risk = state.supply_risk + settings.inventory_gain_controls * np.maximum(
        exposure - state.control_exposure, 0.0
    )
    desired = desired_inventory(state, settings, risk, constants.working_cover)
    state.inventory_target = np.maximum(state.inventory_target, desired)


def stock_bid_price(state: WorldState, constants: Constants, settings) -> np.ndarray:
    """(C, M, S) what buyers pay for stock above their routine target.

    The last price (at least the routine price; the expected price on news of controls), carried
    up by `inventory_bid_premium` of a rising trend (speculators extrapolate part of it); never
    above the top of the demand curve.
    Supply risk raises how much stock buyers want, not what they pay for it, so stock bids do
    not ratchet a price up while a control lasts.
    """
    reference = constants.reference_price[None]
    anchor = np.maximum(state.price, reference * settings.inventory_price_multiple)
    anchor = np.where(state.news_market > 0, np.maximum(anchor, state.expected_price), anchor)
    premium = settings.inventory_bid_premium * np.maximum(state.price_trend, 0.0)
    return np.minimum(anchor * (1 + premium), reference * max(settings.demand_price_multiples))


def stock_gaps(need, stock, target, base) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three gaps, each >= 0: use this turn lacks, routine restocking, extra stock above routine."""
    use = np.maximum(need - stock, 0.0)
    routine_total = np.maximum(need * (1 + np.minimum(target, base)) - stock, 0.0)
    wanted_total = np.maximum(need * (1 + target) - stock, 0.0)
    return use, routine_total - use, np.maximum(wanted_total - routine_total, 0.0)


def control_severity(rules, flows: np.ndarray, settings) -> np.ndarray:
    """(..., C, C) how far each route is under an exporter's control.

    A banned route counts 1; a quota or licence counts `control_risk_binding` when exports
    reach it, `control_risk_standing` otherwise. `rules` and `flows` may carry leading market
    axes (each field stacked). The turn works it out on the controlled exporters' rows only, in
    one compiled pass (engine/severity_rows.py, held to this rule by tests/engine/test_route_severity.py).
    """
    n = flows.shape[-1]
    domestic = np.eye(n, dtype=bool)
    exports = np.where(domestic, 0.0, flows).sum(axis=-1)
    licensed = (flows * rules.licensed).sum(axis=-1)
    quota_hit = exports >= AT_CAP * rules.export_cap
    licence_hit = licensed >= AT_CAP * rules.licence_cap
    binding, standing = settings.control_risk_binding, settings.control_risk_standing
    quota = np.where(np.isfinite(rules.export_cap), np.where(quota_hit, binding, standing), 0.0)
    licence = np.where(licence_hit, binding, standing)[..., None] * rules.licensed
    severity = np.maximum(quota[..., None], licence)
    severity = np.where(rules.route_open, severity, 1.0)
    return np.where(domestic, 0.0, severity)


def control_exposure(recent, domestic: np.ndarray, severity) -> np.ndarray:
    """(C, M, S) share of each buyer's recent supply that comes over controlled routes.

    The controlled supply adds, exporter after exporter, recent exports times severity over the
    routes under control only (a route of severity 0 adds 0.0, which changes no sum): the values
    of `einsum("imsj,msij->jms")` over the dense arrays, bit for bit (tests/engine/test_route_severity.py).

    Args:
        recent: average tonnes per turn of late over routes (engine/exports.py `RouteExports`).
        domestic: (C, M, S) tonnes bought at home this turn.
        severity: the routes under control (engine/route_severity.py `RouteSeverity`).

    """
    m, s, _, importer = np.unravel_index(severity.at, recent.shape)
    products = recent.at_routes(severity.at) * severity.values
    at = np.ravel_multi_index((importer, m, s), domestic.shape)  # routes ascend by exporter in each line
    controlled = np.bincount(at, products, minlength=domestic.size).astype(float)  # of none: int
    controlled = controlled.reshape(domestic.shape)
    supply = recent.imports() + domestic
    return np.divide(controlled, supply, out=np.zeros_like(supply), where=supply > 0)


# --- producers -------------------------------------------------------------------------------


def margin_ratio(
    prices: np.ndarray, state: WorldState, constants: Constants, feed_at_break_even: bool = False
) -> np.ndarray:
    """(C, M, S) output value over cash cost (own cost plus feed at `prices`) per line.

    The feed cost of a tonne is the stage before's price over the yield (0 at mines and where
    the stage before is off the chain). With `feed_at_break_even`, a processor's feed counts at
    no more than its output pays for it after the conversion cost (`run_cover`). Where the cost
    is not > 0, the price over the reference price (`price_ratio`). Line by line in one compiled
    loop (engine/margin_ratios.py), the same operations as array code.
    """
    ratio = np.empty(prices.shape)
    on_chain = constants.chain.astype(float)
    margin_ratios(
        np.ascontiguousarray(prices),
        state.unit_cost,
        constants.yield_share,
        on_chain,
        constants.reference_price,
        feed_at_break_even,
        ratio,
    )
    return ratio


class Margins:
    """Producers' margin ratios (`margin_ratio`) on one state, each worked out once per prices and feed rule.

    Capacity reads the margins at reference, expected and long-run prices several times while it
    responds to them (utilisation, closure, investment); neither the prices nor the unit costs
    change in between, so each ratio is the same array every time. Valid while they stay so.
    """

    def __init__(self, state: WorldState, constants: Constants) -> None:
        self.state, self.constants = state, constants
        self.ratios: dict[tuple[int, bool], tuple[np.ndarray, np.ndarray]] = {}

    def ratio(self, prices: np.ndarray, feed_at_break_even: bool = False) -> np.ndarray:
        """`margin_ratio` at `prices`."""
        key = (id(prices), feed_at_break_even)
        if key not in self.ratios:  # the prices are kept with their ratio, so that no id is reused
            ratio = margin_ratio(prices, self.state, self.constants, feed_at_break_even)
            self.ratios[key] = (prices, ratio)
        return self.ratios[key][1]

    @cached_property
    def at_reference(self) -> np.ndarray:
        """(C, M, S) the margin ratio at reference prices."""
        reference = np.broadcast_to(self.constants.reference_price[None], self.state.price.shape)
        return margin_ratio(reference, self.state, self.constants)

    @cached_property
    def cover_at_reference(self) -> np.ndarray:
        """(C, M, S) the margin ratio at reference prices, at most 1."""
        return np.minimum(self.at_reference, 1.0)

    def relative(self, prices: np.ndarray) -> np.ndarray:
        """`relative_margin` at `prices`."""
        return quotient_or(self.ratio(prices), self.at_reference, 1.0)

    def cover(self, prices: np.ndarray, feed_at_break_even: bool = False) -> np.ndarray:
        """`cost_cover` at `prices`."""
        return quotient_or(self.ratio(prices, feed_at_break_even), self.cover_at_reference, 1.0)


def relative_margin(prices: np.ndarray, state: WorldState, constants: Constants) -> np.ndarray:
    """(C, M, S) margin ratio at `prices` over the margin ratio at reference prices (1 there)."""
    return Margins(state, constants).relative(prices)


def cost_cover(
    prices: np.ndarray, state: WorldState, constants: Constants, feed_at_break_even: bool = False
) -> np.ndarray:
    """(C, M, S) how far output value covers cash cost: below 1 a line loses money on each tonne.

    Lines calibrated to run at reference prices count as covering their cost there.
    """
    return Margins(state, constants).cover(prices, feed_at_break_even)


def run_cover(prices: np.ndarray, state: WorldState, constants: Constants) -> np.ndarray:
    """(C, M, S) cost cover of running a line: a processor stops when output no longer pays conversion.

    Feed is priced as a payable share of the metal it makes, so a processor's feed costs it at
    most its output price less conversion (its break-even bid for feed): feed dearer than that
    is not bought, and the line then runs short of feed, not of margin (docs/mechanisms.md).
    """
    return cost_cover(prices, state, constants, feed_at_break_even=True)


def target_utilisation(
    state: WorldState, constants: Constants, settings, margins: Margins | None = None
) -> np.ndarray:
    """(C, M, S) the utilisation producers aim for at expected prices.

    Above reference margins, the normal utilisation rises with the relative margin to the
    power of the short-run supply elasticity (idle capacity restarts), up to `utilisation_max`;
    below them, lines keep their normal rate while output still covers cash cost (`run_cover`),
    and cut it towards zero as output value falls to `utilisation_floor_margin` of that cost (the line's
    dearer mines stop first). `margins` may hold the state's margins already worked out.
    """
    margins = margins or Margins(state, constants)
    margin = margins.relative(state.expected_price)
    cover = margins.cover(state.expected_price, feed_at_break_even=True)  # run_cover
    ceiling = np.maximum(settings.utilisation_max, state.normal_utilisation)
    floor = settings.utilisation_floor_margin
    shutting = np.clip((cover - floor) / max(1.0 - floor, 1e-9), 0.0, 1.0)
    restarted = idle_in_the_money(margin, settings.idle_cost_dispersion)
    return (state.normal_utilisation + (ceiling - state.normal_utilisation) * restarted) * shutting


def idle_in_the_money(margin: np.ndarray, dispersion: float) -> np.ndarray:
    """Share of a line's idle capacity whose cash cost its relative margin now covers, 0..1.

    A country's idle capacity (care and maintenance, older plants) is a set of tranches whose
    costs lie above what pays at reference prices, log-normally spread by `dispersion`: at a
    relative margin m >= 1 the share 2 Phi(ln m / dispersion) - 1 of them is in the money, so
    idle capacity restarts tranche by tranche, not all at once.
    """
    z = np.log(np.maximum(margin, 1.0)) / max(dispersion, 1e-9)
    return np.asarray(special.erf(z / np.sqrt(2.0)))


def adjust_utilisation(
    state: WorldState, constants: Constants, settings, margins: Margins | None = None
) -> None:
    """Utilisation moves part of the way towards its target each turn."""
    target = target_utilisation(state, constants, settings, margins)
    running = state.capacity > 0
    step = settings.utilisation_adjustment_per_turn * (target - state.utilisation)
    state.utilisation = np.where(running, state.utilisation + step, state.utilisation)


def close_capacity(
    state: WorldState, constants: Constants, settings, margins: Margins | None = None
) -> np.ndarray:
    """Retire capacity whose output no longer covers `closure_margin` of its cash cost.

    At expected prices, `closure_rate_per_turn` of such a line closes each turn; returns the
    tonnes per turn retired.
    """
    cover = (margins or Margins(state, constants)).cover(state.expected_price)
    closing = (cover < settings.closure_margin) & (state.capacity > 0)
    closed = np.where(closing, state.capacity * settings.closure_rate_per_turn, 0.0)
    state.capacity -= closed
    return closed


def investment_orders(
    state: WorldState, constants: Constants, settings, margins: Margins | None = None
) -> np.ndarray:
    """(C, M, S) tonnes per year of new capacity ordered this turn by private investors.

    Investors order when the long-run price lifts a line's margin above
    `investment_price_threshold` times its margin at reference prices, in proportion to the
    excess, once the line runs at least at its normal rate, and while their pipeline stays within
    `investment_max_share_per_year` of capacity per year of lead time.
    """
    margin = (margins or Margins(state, constants)).relative(state.long_run_price)
    rate = np.clip(
        settings.investment_rate_per_year * (margin - settings.investment_price_threshold),
        0.0,
        settings.investment_max_share_per_year,
    )
    leads = lead_years(settings, state.capacity.shape[2])
    pipeline_room = settings.investment_max_share_per_year * leads * state.capacity * TURNS_PER_YEAR
    room = np.maximum(pipeline_room - state.construction.sum(axis=0) * TURNS_PER_YEAR, 0.0)
    running_full = state.utilisation >= state.normal_utilisation  # idle capacity restarts first
    return np.where(running_full, np.minimum(rate * state.capacity, room), 0.0)


def lead_years(settings, n_stages: int) -> np.ndarray:
    """(S,) lead time of each stage in years (stages in vocabulary order)."""
    return np.array([settings.lead_time_turns.get(stage, 8) for stage in STAGES[:n_stages]]) / TURNS_PER_YEAR


def arrival_weights(lead: int, spread: int) -> np.ndarray:
    """Share of an order arriving k+1 turns later (k = index): uniform over lead +/- spread."""
    first, last = max(lead - spread, 1), max(lead + spread, 1)
    weights = np.zeros(last)
    weights[first - 1 : last] = 1.0 / (last - first + 1)
    return weights


# --- demand ----------------------------------------------------------------------------------


def thrift(state: WorldState, constants: Constants, settings) -> None:
    """Demand intensity falls under high expected prices and recovers slowly when they ease (compiled)."""
    span = max(settings.thrifting_full_price_multiple - settings.thrifting_price_threshold, 1e-9)
    cut, recovery = (
        settings.thrifting_max_per_year / TURNS_PER_YEAR,
        settings.thrifting_recovery_per_year / TURNS_PER_YEAR,
    )
    numbers = np.array(
        [settings.thrifting_price_threshold, span, cut, recovery, settings.thrifting_floor], dtype=float
    )
    state.intensity = thrifted(state.intensity, state.expected_price, constants.reference_price, numbers)


def substitute(state: WorldState, constants: Constants, turn: int, pressed: np.ndarray | None = None) -> None:
    """Users adopt (or slowly leave) substitutes by the expected price, or where short (substitution.py)."""
    ratio = price_ratio(state.expected_price, constants)
    state.adoption = adopt(state.adoption, constants.substitutes, ratio, turn, pressed)
    state.substitution = 1 - remaining_use(state.adoption, constants.substitutes, state.substitution.shape)


def draw_demand_noise(state: WorldState, settings, rng: np.random.Generator) -> None:
    """Persistent (AR(1) in logs) random demand shocks per country and mineral."""
    if settings.demand_noise_sd <= 0:
        return
    shocks = rng.normal(0.0, settings.demand_noise_sd, size=state.demand_noise.shape)
    log_noise = settings.demand_noise_persistence * np.log(state.demand_noise) + shocks
    state.demand_noise = np.exp(log_noise)


def collection_share(state: WorldState, constants: Constants, settings, stage: int) -> np.ndarray:
    """(C, M) share of scrap private recyclers collect at the expected price of the stage."""
    ratio = price_ratio(state.expected_price, constants)[:, :, stage]
    share = settings.recycling_collection_share * ratio**settings.recycling_price_elasticity
    return np.minimum(share, settings.recycling_collection_max)
