"""The AI reads the turn's arrays exactly as it would read each country's observation alone."""

from __future__ import annotations

import copy

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from critmin.agents.doctrine_params import DOCTRINES
from critmin.agents.doctrines import DoctrineController
from critmin.agents.reading import LineFigures, WorldReading
from critmin.agents.situation import Situation
from critmin.core.observation import LINE_FIGURES, MineralView, Observation
from critmin.engine.model import WorldModel

PARAMS = DOCTRINES["diversifying_importer"]


def readout(situation: Situation) -> bytes:
    """Everything a situation read, in order, as bytes."""
    return msgspec.json.encode(
        [
            [list(situation.views[line]) for line in situation.views],
            list(situation.lines.items()),
            list(situation.controls.items()),
            list(situation.risks.items()),
            list(situation.chains.items()),
            list(situation.bans.items()),
            list(situation.bought.items()),
            list(situation.sold.items()),
            [[*line, buyer, tonnes] for (line, buyer), tonnes in situation.sold_to.items()],
            [[*line, sorted(codes)] for line, codes in situation.pending.items()],
            situation.budget_usd_m,
            situation.capacity_shares.tolist(),
            situation.reading.rows.lobbying[situation.row].tolist(),
            list(situation.obs.trust.items()),
        ]
    )


def test_a_situation_read_from_the_turns_arrays_equals_one_read_from_the_observation_alone():
    model = WorldModel("china-ree-controls-2025", seed=1)
    for _ in range(4):
        model.step()
        reading = model.reading()
        for code in model.index.countries:
            alone = Situation.read(copy.deepcopy(model.observe(code)), PARAMS)  # objects of its own
            assert alone.reading is not reading
            assert readout(alone) == readout(Situation.of_row(reading, code, PARAMS))


def test_every_ai_decides_on_the_turns_arrays_as_on_its_observation_alone():
    model = WorldModel("india-central-asia-2025", seed=2)
    for _ in range(6):
        model.step()
        reading = model.reading()
        for code, country in model.countries.items():
            controller = country.controller
            if not isinstance(controller, DoctrineController):
                continue
            on_arrays = copy.deepcopy(controller).decide_on_reading(reading, code, [])
            on_observation = copy.deepcopy(controller).decide(copy.deepcopy(model.observe(code)), [])
            assert on_arrays == on_observation


def test_a_countrys_own_capacity_share_from_its_row_is_the_world_lines_quotient():
    model = WorldModel("world-2024", seed=1)
    model.run(3)
    reading = model.reading()
    for code in ("CHN", "AUS", "IND", "USA"):
        situation = Situation.of_row(reading, code, PARAMS)
        for line in situation.line_order:
            world = reading.lines[line]
            listed = (
                world.producers.get(code, 0.0) / world.world_capacity if world.world_capacity > 0 else 0.0
            )
            assert situation.capacity_share(code, line) == listed


def test_a_reading_serves_only_the_observations_of_its_turn():
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(2)
    india, china = model.observe("IND"), model.observe("CHN")
    first = model.shared_reading(india)
    assert first is not None and model.shared_reading(china) is first is model.reading()
    model.step()
    assert model.shared_reading(india) is None  # an observation of the turn before
    assert model.shared_reading(model.observe("IND")) is not first
    alone = WorldReading.of(india)
    assert alone is not first and alone.controls == first.controls and alone.lines == first.lines


def test_line_figures_are_the_mineral_views_figures_in_order():
    assert LineFigures._fields == LINE_FIGURES
    assert set(LINE_FIGURES) <= set(MineralView.__struct_fields__)


def reference_risk(view: MineralView, trust, restricting, params):
    """supply_risk as first written: min, max, Python's sum and one loop over the origins."""
    need = view.demand if view.demand > 0 else view.imports
    shortage_share = view.shortage / need if need > 0 else 0.0
    reference = view.reference_price_usd_per_kg
    spike = max(view.price_usd_per_kg / reference - 1.0, 0.0) if reference > 0 else 0.0
    total = sum(view.imports_by_origin.values())
    concentration = adversary = largest = 0.0
    main_origin = ""
    for code, tonnes in view.imports_by_origin.items():
        share = tonnes / total
        concentration += share * share
        if code in restricting or trust.get(code, 0.0) < params.adversary_trust:
            adversary += share
        if share > largest:
            largest, main_origin = share, code
    weights = params.risk
    score = (
        weights.shortage * min(weights.shortage_gain * shortage_share, 1.0)
        + weights.price_spike * min(spike, weights.spike_cap)
        + weights.concentration * concentration
        + weights.adversary * adversary
    )
    return [concentration, adversary, main_origin, shortage_share, spike, min(max(score, 0.0), 1.0)]


figures = st.floats(0.0, 1e6, allow_subnormal=False)
origins = st.dictionaries(
    st.sampled_from(["AUS", "CHN", "CHL", "USA", "IND", "JPN", "KOR", "DEU", "BRA"]),
    st.floats(1e-6, 1e6),
    max_size=9,
)
CONTROL = {"kind": "export_control", "country": "CHN", "mineral": "lithium", "stage": "refined"}


@given(figures, figures, figures, figures, st.floats(0.0, 100.0), origins, st.booleans())
def test_the_risk_board_gives_the_figures_of_supply_risk_as_first_written(
    imports, shortage, demand, price, reference, by_origin, chinese_control
):
    view = MineralView(
        mineral="lithium",
        stage="refined",
        price_usd_per_kg=price,
        world_price_usd_per_kg=price,
        reference_price_usd_per_kg=reference,
        capacity=0.0,
        production=0.0,
        consumption=0.0,
        demand=demand,
        imports=imports,
        exports=0.0,
        imports_by_origin=by_origin,
        stock=0.0,
        stockpile=0.0,
        shortage=shortage,
    )
    trust = {"AUS": 0.9, "CHN": 0.3, "CHL": 0.5}
    policies = [CONTROL | {"regime": "licence", "destinations": ["IND"]}] if chinese_control else []
    observation = Observation(
        turn=1, date="2025Q1", country="IND", treasury_usd_m=0.0, budget_per_turn_usd_m=0.0,
        minerals=[view], policies=policies, deals=[], inbox=[], news=[], trust=trust,
    )  # fmt: skip
    situation = Situation.read(observation, PARAMS)
    expected = reference_risk(view, trust, {"CHN"} if chinese_control else set(), PARAMS)
    if imports + shortage <= 1e-9:
        assert not situation.risks
        return
    risk = situation.risks[("lithium", "refined")]
    got = [risk.concentration, risk.adversary_share, risk.main_origin, risk.shortage_share, risk.price_spike]
    assert [*got, risk.score] == expected
