"""A situation read on the turn's shared reading must equal one read from scratch."""

from __future__ import annotations

import copy

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from critmin.agents.doctrine_params import DOCTRINES
from critmin.agents.manufacturers import supply_risk
from critmin.agents.situation import Situation, WorldReading
from critmin.core.observation import MineralView
from critmin.engine.model import WorldModel

PARAMS = DOCTRINES["diversifying_importer"]


def readout(situation: Situation) -> bytes:
    """Everything a situation read, in order, as bytes."""
    return msgspec.json.encode(
        [
            list(situation.views.items()),
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
        ]
    )


def test_situations_of_one_turn_share_a_reading_and_read_as_if_alone():
    model = WorldModel("china-ree-controls-2025", seed=1)
    for _ in range(4):
        model.step()
        observations = {code: model.observe(code) for code in model.index.countries}
        situations = {
            code: Situation.read(obs, PARAMS, model.shared_reading(obs)) for code, obs in observations.items()
        }
        readings = {id(situation.reading) for situation in situations.values()}
        assert readings == {id(model.observation_book().reading)}
        for code, obs in observations.items():
            alone = Situation.read(copy.deepcopy(obs), PARAMS)  # objects of its own: read afresh
            assert alone.reading is not situations[code].reading
            assert readout(alone) == readout(situations[code])


def test_a_reading_serves_only_the_observations_of_its_turn():
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(2)
    india, china = model.observe("IND"), model.observe("CHN")
    first = model.shared_reading(india)
    assert first is not None and model.shared_reading(china) is first
    model.step()
    assert model.shared_reading(india) is None  # an observation of the turn before
    assert model.shared_reading(model.observe("IND")) is not first
    alone = WorldReading.of(india)
    assert alone is not first and alone.controls == first.controls and alone.lines == first.lines


def reference_risk(view: MineralView, trust, restricting, params):
    """supply_risk as first written: min, max and one loop over the origins."""
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
origins = st.dictionaries(st.sampled_from(["AUS", "CHN", "CHL", "USA"]), st.floats(1e-6, 1e6), max_size=4)


@given(figures, figures, figures, figures, st.floats(0.0, 100.0), origins, st.sets(st.sampled_from(["CHN"])))
def test_supply_risk_gives_the_figures_of_its_first_writing(
    imports, shortage, demand, price, reference, by_origin, restricting
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
    risk = supply_risk(view, trust, restricting, PARAMS)
    got = [risk.concentration, risk.adversary_share, risk.main_origin, risk.shortage_share, risk.price_spike]
    assert [*got, risk.score] == reference_risk(view, trust, restricting, PARAMS)
