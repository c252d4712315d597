"""Real-window tests: `critmin play` under Xvfb, real clicks through X at the widgets' own rectangles."""

from __future__ import annotations

import pytest
from xwindow import XWindow

pytestmark = pytest.mark.xwindow

TOOLBAR = (
    "mineral_menu",
    "stage_menu",
    "colour_menu",
    "view_menu",
    "end_button",
    "panel_buttons[",
    "action_buttons[",
)


@pytest.fixture
def india(display, tmp_path):
    """World 2024 as India in a real 1280x720 window, with the orders and diplomacy panels open."""
    window = XWindow(
        display,
        ["world-2024", "--as", "IND", "--autoplay", "0", "--open", "orders,diplomacy", "--size", "1280x720"],
        tmp_path,
    )
    yield window
    window.close()


def state_is(key: str, value):
    """A layout condition: the scene's state `key` equals `value`."""
    return lambda layout: layout["state"][key] == value


def expanded(name: str, flag: bool = True):
    """A layout condition: the dropdown `name` is open (or closed)."""
    return lambda layout: layout["widgets"][name]["expanded"] == flag


def panel_open(title: str, flag: bool):
    """A layout condition: the panel `title` is open (or closed)."""
    return lambda layout: (title in layout["state"]["open_panels"]) == flag


def orders_drafted(count: int):
    """A layout condition: `count` orders drafted."""
    return lambda layout: len(layout["state"]["orders"]) == count


def over_land(window: XWindow, prefix: str) -> list[str]:
    """Widgets of a panel whose centre lies over a country of the map."""
    return [n for n, w in window.last["widgets"].items() if n.startswith(prefix) and w["over"]]


def test_clicks_on_panels_over_land_act_and_never_select_the_country_beneath(india):
    assert india.widget("Orders.add")["over"] or over_land(india, "Diplomacy."), "a panel lies over land"
    selected = india.last["state"]["selected"]

    # a dropdown over land: it opens, then picking an option changes the form
    mineral = next(n for n in over_land(india, "Diplomacy.") if n == "Diplomacy.mineral")
    layout = india.click(mineral, until=expanded(mineral))
    assert layout["state"]["selected"] == selected
    choice = f"{mineral}.option[cobalt]"
    layout = india.click(
        choice, until=lambda layout: layout["state"]["forms"]["Diplomacy"]["mineral"] == "cobalt"
    )
    assert layout["state"]["selected"] == selected, "the click did not reach the map"

    # a button over land: Propose drafts an order
    for name in ("Diplomacy.propose", "Orders.add"):
        before = len(india.last["state"]["orders"])
        assert india.widget(name)["enabled"], name
        layout = india.click(name, until=orders_drafted(before + 1))
        assert layout["state"]["selected"] == selected

    # hovering a panel over land hovers no country
    x, y, w, h = india.widget("Diplomacy.propose")["rect"]
    india.move(x + w // 2, y + h // 2)
    assert india.settled()["state"]["hovered"] is None

    # the map itself still answers: with the orders panel closed, a click on Brazil selects it
    india.click("panel_buttons[Orders (O)]", until=panel_open("Orders", False))
    x, y = india.last["country_points"]["BRA"]
    india.click_at(x, y, until=state_is("selected", "BRA"))


def test_every_toolbar_action_is_reachable_at_the_minimum_size(india):
    layout = india.resize(800, 560)
    toolbar = {n: w for n, w in layout["widgets"].items() if n.startswith(TOOLBAR)}
    assert len(toolbar) == 4 + 1 + 7 + 4, sorted(toolbar)  # filters, End turn, panels, actions
    for name, widget in toolbar.items():
        x, y, w, h = widget["rect"]
        assert x >= 0 and x + w <= 800 and y >= 0 and y + h <= layout["state"]["bar_h"], name
    rects = [w["rect"] for w in toolbar.values()]
    for i, (x, y, w, h) in enumerate(rects):
        for x2, y2, w2, h2 in rects[i + 1 :]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y, "toolbar controls overlap"

    # every panel button toggles its panel
    for name in [n for n in toolbar if n.startswith("panel_buttons[")]:
        title = name[len("panel_buttons[") :].split(" (")[0]
        was_open = title in india.last["state"]["open_panels"]
        india.click(name, until=panel_open(title, not was_open))
    # the dropdowns open
    for name in ("mineral_menu", "stage_menu", "colour_menu", "view_menu"):
        india.click(name, until=expanded(name))
        india.click(name, until=expanded(name, False))
    # Save, Load and Replay open their dialogs; Help its overlay
    for label, purpose in (("Save", "save"), ("Load", "load"), ("Replay", "replay")):
        india.click(f"action_buttons[{label}]", until=state_is("dialog", purpose))
        india.click("dialog.cancel", until=state_is("dialog", ""))
    india.click("action_buttons[Help (F1)]", until=state_is("scene", "HelpOverlay"))
    india.click("close", until=state_is("scene", "GameScene"))
    # and End turn plays the turn
    india.click("end_button", until=state_is("turn", 1))


def test_a_tariff_typed_out_of_range_is_refused_in_the_forms_words(india):
    india.click("Orders.amount")
    india.type_text("5000")
    layout = india.settled(until=lambda layout: not layout["widgets"]["Orders.add"]["enabled"])
    tooltip = layout["widgets"]["Orders.add"]["tooltip"]
    assert tooltip == "Not possible: the tariff rate must be at most 500%", tooltip
    india.type_text("30")
    # "3" is a valid rate too: wait for the whole entry, not the first layout with Add enabled
    thirty = "Add order: 30% tariff on"
    layout = india.settled(until=lambda layout: layout["widgets"]["Orders.add"]["text"].startswith(thirty))
    assert layout["widgets"]["Orders.add"]["enabled"]


@pytest.fixture
def kabil(display, tmp_path):
    """India and Central Asia 2025 as KABIL, India's state firm, with its dashboard and bids open."""
    window = XWindow(
        display,
        [
            *("india-central-asia-2025", "--as", "kabil", "--autoplay", "0"),
            "--open",
            "firm,bids",
            "--size",
            "1280x720",
        ],
        tmp_path,
        scene="FirmScene",
    )
    yield window
    window.close()


def test_a_person_runs_kabil_bids_for_a_stake_and_sees_it_on_the_firms_dashboard(kabil, tmp_path):
    start = kabil.last["state"]["firm"]
    assert start["id"] == "kabil" and start["cash_usd_m"] == 10.0 and start["record"] == []
    kabil.screenshot(tmp_path / "kabil-start.png")

    # a move of the firm's own menu, in one click
    offer = next(name for name in kabil.last["widgets"] if name.startswith("Bids.actions["))
    layout = kabil.click(offer, until=orders_drafted(1))
    assert layout["state"]["orders"][0].startswith("KABIL buys 1% of")

    # new capacity typed beyond its budget: refused in the form, with the engine's reason
    kabil.click("Bids.kind", until=expanded("Bids.kind"))
    kabil.click(
        "Bids.kind.option[invest]", until=lambda layout: layout["state"]["forms"]["Bids"]["kind"] == "invest"
    )
    kabil.click("Bids.amount")
    kabil.type_text("100000")
    layout = kabil.settled(until=lambda layout: not layout["widgets"]["Bids.add"]["enabled"])
    assert "holds USD 10.0 m" in layout["widgets"]["Bids.add"]["tooltip"]

    # end the turn: the stake ships home, the budget paid for it, the record says so
    layout = kabil.click("end_button", until=state_is("turn", 1))
    firm = layout["state"]["firm"]
    assert firm["record"] == ["stake_acquired"] and firm["cash_usd_m"] < 10.0
    assert [h for h in firm["holdings"] if h["deal"]], firm["holdings"]
    assert "Firm" in layout["state"]["open_panels"]
    kabil.screenshot(tmp_path / "kabil-after-turn.png")
