"""The markets posed straight into the kernel's flat batch (engine/market_batch.py) are the markets
posed one by one (trade.pose_market on each market's own offers and bids), bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.agents.controllers import ScriptedController
from critmin.core.actions import ImposeExportControl, SetTariff
from critmin.core.units import freight_usd_per_kg
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine import batch_passes, market_batch, trade
from critmin.engine.controlled_storage import storage_price_shares
from critmin.engine.market import (
    MarketClearing,
    clear_flat,
    clear_markets,
    flat_batch,
    problems_of,
    random_problem,
)
from critmin.engine.market_routes import ByMarket
from critmin.engine.model import WorldModel
from critmin.engine.policies import RouteRules, read_only
from critmin.engine.spot_flows import SpotFlows
from critmin.engine.supplier_risk import SupplierRisk

FIELDS = (
    "supply_country",
    "supply_tonnes",
    "supply_price",
    "demand_country",
    "demand_tonnes",
    "demand_price",
    "demand_required",
    "route_cost",
    "route_open",
    "export_cap",
    "licensed",
    "licence_cap",
)


def same_problem(a, b) -> bool:
    """Every field of two problems has the same dtype, shape and bytes."""
    return all(
        getattr(a, f).dtype == getattr(b, f).dtype
        and getattr(a, f).shape == getattr(b, f).shape
        and getattr(a, f).tobytes() == getattr(b, f).tobytes()
        for f in FIELDS
    )


def test_a_flat_batch_reads_back_as_its_problems():
    rng = np.random.default_rng(4)
    problems = [random_problem(rng, n) for n in (1, 5, 12)]
    assert all(
        same_problem(a, b) for a, b in zip(problems, problems_of(flat_batch(problems)[0]), strict=True)
    )


def test_each_clearing_is_its_market_s_part_of_the_batch_results():
    # clear_markets builds its results in one loop over the offsets; the former form sliced
    # each market's parts by index and set them through MarketClearing.trusted.
    rng = np.random.default_rng(9)
    problems = [random_problem(rng, n) for n in (1, 4, 9, 20)]
    args, (off_at, bid_at, sq_at, c_at) = flat_batch(problems)
    flows, prices, sold, bought, welfare, feasible = clear_flat(args)
    for k, (n, got) in enumerate(zip(args[0].tolist(), clear_markets(problems), strict=True)):
        former = MarketClearing.trusted(
            flows=flows[sq_at[k] : sq_at[k + 1]].reshape(n, n),
            prices=prices[c_at[k] : c_at[k + 1]],
            sold=sold[off_at[k] : off_at[k + 1]],
            bought=bought[bid_at[k] : bid_at[k + 1]],
            welfare=float(welfare[k]),
            feasible=bool(feasible[k]),
        )
        assert type(got) is MarketClearing and list(vars(got)) == list(vars(former))
        for name, value in vars(former).items():
            assert type(getattr(got, name)) is type(value)
            assert np.array_equal(getattr(got, name), value)


def one_by_one(model: WorldModel, committed: np.ndarray) -> list:
    """Every market of this turn posed one at a time, as the engine posed them before the batch."""
    state, constants, settings, index = model.state, model.constants, model.settings, model.index
    subsidy = model.policies.subsidy_rates(index)
    lines = np.nonzero(constants.chain)
    book = trade.pose_bids(state, constants, settings, lines)
    freight = freight_usd_per_kg(settings.freight_usd_per_kg_per_1000km, constants.distance_km)
    ruled, free = model.policies.market_rules(index.country), read_only(RouteRules.unrestricted(len(freight)))
    held = storage_price_shares(ruled, index, state.price.shape, settings)
    bids, offers = (
        trade.all_bids(book, model.world.orders, lines),
        trade.all_offers(state, model.world.orders, book, settings, lines, subsidy, held),
    )
    risk = trade.supplier_risk_costs(state, constants, settings)
    posed = []
    for k, (m, s) in enumerate(zip(*lines, strict=True)):
        rules = ruled.get((index.minerals[m], index.stages[s]), free)
        tariff = rules.tariff * state.price[:, m, s][:, None] if rules is not free else np.zeros_like(freight)
        if rules.controlled:
            rules = trade.after_contracts(rules, committed[m, s])
        mine = [offers[0] == k, bids[0] == k]
        own_offers, own_bids = (
            tuple(c[k] for c in side[1:]) for side, k in zip((offers, bids), mine, strict=True)
        )
        costs = trade.RouteCosts(freight, tariff, risk[m, s])
        leak = settings.leakage_cost_share * constants.reference_price[m, s]
        posed.append(trade.pose_market(m, s, own_offers, own_bids, rules, costs, leak))
    return posed


def test_the_batch_poses_every_market_as_one_by_one(tiny):
    """With a quota that leaks through a hub, a licence and a tariff in force."""
    controls = [
        ImposeExportControl(
            country="CHN",
            mineral=Mineral.REE_HEAVY,
            stages=(Stage.MAGNET,),
            regime="quota",
            quota_tonnes_per_year=40.0,
            leakage=0.2,
        ),
        ImposeExportControl(
            country="CHN",
            mineral=Mineral.REE_HEAVY,
            stages=(Stage.REFINED,),
            regime="licence",
            approval_share=0.4,
        ),
    ]
    tariff = SetTariff(country="IND", mineral=Mineral.REE_HEAVY, stages=(Stage.MINE,), rate=0.1)
    scripts = {"CHN": ScriptedController({0: controls}), "IND": ScriptedController({0: [tariff]})}
    model = WorldModel(tiny, seed=0, controllers=scripts)
    model.step()
    posed = {}
    original = trade.pose_markets

    def kept(*args, **kwargs):
        posed["committed"], posed["batch"] = args[6], original(*args, **kwargs)
        posed["expected"] = one_by_one(model, args[6])
        return posed["batch"]

    trade.pose_markets = kept
    try:
        model.step()
    finally:
        trade.pose_markets = original
    batch, expected = posed["batch"], posed["expected"]
    assert batch.hubbed and any(rules is not None for rules in batch.full_rules)
    tariffed = any(table.any() for table in batch.tariffs.tables.values())
    assert any(rules is None for rules in batch.full_rules) and tariffed  # a tariff alone
    order = [*batch.plain.tolist(), *(k for k, _ in batch.hubbed)]
    problems = problems_of(batch.kernel)
    assert all(same_problem(problems[q], expected[k].problem) for q, k in enumerate(order))
    assert len(order) == len(expected) == int(model.constants.chain.sum())
    shape = model.state.price.shape
    for side, entries in (("offer", batch.offers), ("bid", batch.bids)):
        read = batch.entries(np.arange(len(entries[0]), dtype=float), side, shape[1:])  # hubs: re-sorted
        assert np.array_equal(read.at, np.ravel_multi_index(read[:3], shape))


@pytest.mark.parametrize("n", [40, 150])  # 150 > 128: numpy's row sums split in halves
def test_rent_tariffs_transport_and_hedging_from_the_exports_are_the_dense_sums_bit_for_bit(n):
    """pay_for_goods reads only the non-zero exports: treasuries and sinks are the dense (K, C, C) sums'."""
    from types import SimpleNamespace

    rng = np.random.default_rng(7)
    k, money = 9, trade.USD_M_PER_TONNE_USD_PER_KG
    flows = np.where(rng.random((3, 3, n, n)) < 0.5, rng.lognormal(3, 2, (3, 3, n, n)), 0.0)
    traded = (np.repeat(np.arange(3), 3), np.tile(np.arange(3), 3))
    freight = rng.random((n, n))
    tariffs = np.where(rng.random((k, n, n)) < 0.2, rng.random((k, n, n)), 0.0)
    risk = np.where(rng.random((k, n, n)) < 0.1, rng.random((k, n, n)), 0.0)
    price = rng.lognormal(2, 1, (n, 3, 3))
    state = SimpleNamespace(price=price, treasury=rng.normal(0, 100, n), industry=np.zeros(n))
    none = market_batch.Entries(*(np.zeros(0, dtype=int),) * 4, np.zeros(0), np.zeros(0, dtype=int))
    flows[0, 1, 5] = 0.0  # an exporter that ships nothing on one market
    exports = flows[traded] * (1 - np.eye(n))
    p = price[:, *traded].T[:, None, :]
    margin = p - p.swapaxes(1, 2) - freight - tariffs - risk
    expected = (
        state.treasury + ((exports * tariffs).sum(axis=(0, 1)) + (exports * margin).sum(axis=(0, 2))) * money
    )
    cells = np.arange(exports.size)  # the traded lines are all lines, in order
    spot = trade.spot_exports(SpotFlows(cells, cells, flows.ravel(), flows.shape), n)
    by_market = ByMarket(tariffs.shape, 0.0, {q: tariffs[q] for q in range(k) if tariffs[q].any()})
    doubted = np.flatnonzero(risk)
    routes = trade.RouteCosts(freight, by_market, SupplierRisk(risk.shape, doubted, risk.ravel()[doubted]))
    paid = trade.pay_for_goods(state, none, none, traded, spot, routes)
    assert state.treasury.tobytes() == expected.tobytes()
    assert paid == ((exports * freight).sum() * money, (exports * risk).sum() * money)


def test_the_bid_entries_are_the_traded_lines_blocks_of_the_book_on_every_line(tiny):
    """`BidBook.entries` holds, in order, the blocks above 1e-9 t of the bids on the traded lines.

    Against the book posed over every (M, S) line, read at the traded lines.
    """
    model = WorldModel(tiny, seed=0)
    model.run(2)
    state, constants, settings = model.state, model.constants, model.settings
    lines = np.nonzero(constants.chain)
    every = tuple(axis.ravel() for axis in np.indices(constants.chain.shape))
    book = trade.pose_bids(state, constants, settings, lines)
    whole = trade.pose_bids(state, constants, settings, every)  # line = m * S + s
    position = np.full(constants.chain.size, -1)
    position[np.ravel_multi_index(lines, constants.chain.shape)] = np.arange(len(lines[0]))
    line, *rest = whole.entries
    traded = position[line] >= 0
    expected = (position[line][traded], *(column[traded] for column in rest))
    assert len(book.entries[0]) > 100 and len(set(book.entries[0].tolist())) > 1
    assert len(lines[0]) < constants.chain.size and len(book.owner) > 10
    assert all(a.tobytes() == b.tobytes() for a, b in zip(book.entries, expected, strict=True))


def test_contract_exports_are_the_dense_row_sums_off_the_diagonal_bit_for_bit():
    rng = np.random.default_rng(8)
    for n in (5, 37, 148):
        committed = np.where(rng.random((n, n)) < 3 / n, rng.lognormal(3, 2, (n, n)), 0.0)
        committed[1], committed[1, 1] = 0.0, 7.0  # a row with domestic deliveries only
        licensed = rng.random((n, n)) < 0.5
        foreign = committed * (1 - np.eye(n))
        exported, licensed_out = trade.contract_exports(committed, licensed)
        assert exported.tobytes() == foreign.sum(axis=1).tobytes()
        assert licensed_out.tobytes() == (foreign * licensed).sum(axis=1).tobytes()
        assert exported[1] == 0.0 and exported.any()


def test_member_routes_are_the_flat_places_of_the_member_by_member_mask_with_their_freight():
    rng = np.random.default_rng(3)
    member = rng.random((7, 9)) < 0.4
    member[2] = False  # a market without members
    member[5] = True  # a market of every country
    freight = rng.random((9, 9))
    cells, route_freight = market_batch.member_routes(member, freight)
    routes = np.flatnonzero(member[:, :, None] & member[:, None, :])
    assert np.array_equal(cells, routes) and cells.dtype == np.int64
    assert route_freight.tobytes() == freight.ravel()[routes % 81].tobytes()
    empty = market_batch.member_routes(np.zeros((3, 4), dtype=bool), freight[:4, :4])
    assert [len(column) for column in empty] == [0, 0]


def test_the_rules_flags_are_their_arrays_reductions():
    """`RouteRules`' kept flags (read once per rules, which are read-only) against the arrays."""
    changes = {
        "licensed": lambda r: r.licensed.__setitem__((0, 1), True),
        "closed": lambda r: r.route_open.__setitem__((2, 3), False),
        "tariff": lambda r: r.tariff.__setitem__((1, 0), 0.1),
        "leak": lambda r: r.leak_cap.__setitem__(2, 5.0),
        "none": lambda r: None,
    }
    for name, change in changes.items():
        rules = RouteRules.unrestricted(4)
        change(rules)
        read_only(rules)
        assert rules.licensing == rules.licensed.any() == (name == "licensed")
        assert rules.all_open == rules.route_open.all() == (name != "closed")
        assert rules.tariffed == rules.tariff.any() == (name == "tariff")
        assert rules.leaking == rules.leak_cap.any() == (name == "leak")
        rows = rules.licensed.any(axis=1) | ~rules.route_open.all(axis=1)
        assert np.array_equal(rules.licensing_or_banning, rows) and rows.any() == (
            name in ("licensed", "closed")
        )
        assert rules.controlled == (name in ("licensed", "closed"))


def test_the_plain_entries_are_the_running_member_counts_of_the_kept_markets():
    rng = np.random.default_rng(9)
    active = rng.random((9, 7)) < 0.5
    market = np.sort(rng.integers(0, 9, 60))
    country = rng.integers(0, 7, 60)
    for rank in (np.arange(9), np.where(rng.random(9) < 0.3, -1, 0)):
        plain = np.flatnonzero(rank >= 0)
        rank = np.full(9, -1)
        rank[plain] = np.arange(len(plain))
        keep = rank[market] >= 0
        starts, local = batch_passes.plain_entries(market, country, active, rank, len(plain))
        expected = (np.cumsum(active, axis=1) - 1)[market, country][keep]
        assert local.dtype == expected.dtype and local.tobytes() == expected.tobytes()
        assert starts.tobytes() == market_batch.offsets(rank[market[keep]], len(plain)).tobytes()


def test_the_ruled_routes_are_the_tables_member_by_member_submatrices():
    rng = np.random.default_rng(10)
    member = rng.random((6, 8)) < 0.6
    member[2] = False  # a market with hubs: no member in the plain batch
    n = member.sum(axis=1)
    at = market_batch.running_total(n * n)
    markets = np.array([1, 2, 4, 5])
    tables = rng.random((3, 8, 8)) < 0.5
    which = np.array([0, 1, -1, 2])
    out = np.ones(at[-1], dtype=bool)
    batch_passes.ruled_routes(member, markets, at[markets], tables, which, out)
    expected = np.ones(at[-1], dtype=bool)
    for q, w in zip(markets, which, strict=True):
        among = np.flatnonzero(member[q])
        if w >= 0 and len(among):
            expected[at[q] : at[q + 1]] = tables[w][among[:, None], among].ravel()
    assert out.tobytes() == expected.tobytes()
    assert out[at[4] : at[5]].all() and not out.all()  # -1: market 4's routes are left as they were
