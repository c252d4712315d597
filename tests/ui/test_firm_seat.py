"""A person runs a firm in the window: `critmin play india-central-asia-2025 --as kabil`.

Hidden window (SDL's dummy driver), real pygame events: KABIL's bids come from its own menu, the
engine refuses what the firm cannot do (in the form's button), the turn plays, and the firm's
dashboard shows the stake bought, the budget spent and the record; a save resumes the firm's seat.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from critmin.core.actions import AcquireStake, Invest
from critmin.ui.firm import BidsPanel, FirmPanel, FirmScene, firm_html, holdings, record
from critmin.ui.options import PlayOptions
from critmin.ui.session import Session

SCENARIO = "india-central-asia-2025"


@pytest.fixture
def kabil(app, driver):
    """The firm's scene in the flagship scenario, with its dashboard and bids open."""
    session = Session.start(SCENARIO, ["kabil"], seed=1)
    scene = app.start_game(session, PlayOptions(countries=["kabil"], panels=["firm", "bids"]))
    driver.frames(3)
    return scene


def test_a_firm_bids_from_its_own_menu_and_sees_the_stake_on_its_dashboard(kabil, driver):
    assert isinstance(kabil, FirmScene) and kabil.seat == "kabil" and kabil.player == "IND"
    assert "KABIL (IND) to play" in kabil.title.text
    bids, firm = kabil.panel(BidsPanel), kabil.firm
    menu = kabil.model.legal_actions("kabil")
    assert menu and isinstance(menu[0], AcquireStake) and all(a.firm == "kabil" for a in menu)  # stakes first
    button, move = next(iter(bids.actions.items()))
    assert move == menu[0]
    driver.click(button)
    assert kabil.session.orders() == [move]
    cash_before = kabil.model.observe("kabil").cash_usd_m

    driver.click(kabil.end_button)
    assert kabil.model.turn == 1 and "turn played" in kabil.message
    stake = next(h for h in holdings(firm, kabil.snapshot) if h.deal)
    assert (stake.country, stake.mineral, stake.stage, stake.share) == (
        move.host,
        move.mineral.value,
        move.stage.value,
        move.share,
    )
    assert kabil.model.observe("kabil").cash_usd_m < cash_before
    bought = record(kabil.model.events, "kabil")
    assert [e.kind for e in bought] == ["stake_acquired"]
    html = firm_html(kabil, firm)
    assert f"Budget USD {kabil.model.observe('kabil').cash_usd_m:,.1f} m" in html and "shipped home" in html
    assert kabil.panel(FirmPanel).is_open


def test_a_move_the_firm_cannot_make_is_greyed_with_the_engines_reason(kabil, driver):
    bids = kabil.panel(BidsPanel)
    driver.choose(bids.kind, "invest")
    driver.choose(bids.mineral, "ree_heavy")
    bids.form = replace(bids.form, amount="1000")  # as typed in the t/yr entry
    bids.refresh()
    driver.frames(3)
    assert bids.built() == Invest(
        country="IND", firm="kabil", mineral="ree_heavy", stage="mine", tonnes_per_year=1000.0
    )
    assert not bids.add.is_enabled and "holds USD 10.0 m" in bids.add.tool_tip_text
    driver.choose(bids.kind, "stake")
    driver.choose(bids.partner, "AUS · Australia")
    driver.choose(bids.mineral, "copper")
    assert (bids.form.host, bids.form.mineral, bids.form.stage, bids.form.amount) == (
        "AUS",
        "copper",
        "mine",
        "1",
    )
    assert (
        not bids.add.is_enabled and "costs USD 96.2 m" in bids.add.tool_tip_text
    )  # 1% of Australia's mines (USD 120.3 m) less the MSP club's 20% co-financing
    driver.click(bids.add)
    assert kabil.session.orders() == []


def test_a_saved_firm_game_resumes_as_the_firm(kabil, driver, tmp_path):
    driver.click(next(iter(kabil.panel(BidsPanel).actions)))
    driver.click(kabil.end_button)
    path = kabil.session.save(tmp_path / "kabil.json")
    resumed = Session.load(path)
    assert resumed.player == "kabil" and resumed.firm.id == "kabil" and resumed.acting_country == "IND"
    assert resumed.model.hashes == kabil.model.hashes


def test_play_as_an_unknown_firm_names_the_scenarios_firms(cli):
    code, _, err = cli("play", SCENARIO, "--as", "kabl", "--screenshot", "x.png")
    assert code == 2 and "kabl not in scenario india-central-asia-2025" in err and "kabil, irel" in err
    code, _, err = cli("play", SCENARIO, "--as", "kabil,IND", "--screenshot", "x.png")
    assert code == 2 and "a firm is played alone" in err
    code, _, err = cli("play", "--as", "kabil")
    assert code == 2 and "name its scenario" in err


def test_the_briefing_tells_the_firm_its_position():
    from critmin.scenarios import load_scenario
    from critmin.ui.picker import briefing_html

    html = briefing_html(load_scenario(SCENARIO), ["kabil"])
    assert "You run Khanij Bidesh India Ltd (KABIL)" in html and "budget USD 10 m" in html
    assert "0.5% of lithium mine in ARG (an option" in html
