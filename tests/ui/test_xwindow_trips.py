"""What a player trips on, in a real window under Xvfb with real clicks (users9's walk-through, left over).

Each test drives `critmin play` through xdotool at the widgets' own rectangles (tests/ui/xwindow.py).
"""

from __future__ import annotations

import subprocess
import sys
import time

import pygame
import pytest
from xwindow import ROOT, XWindow

from critmin.engine.model import WorldModel
from critmin.ui.widgets import font

pytestmark = pytest.mark.xwindow

FLAGSHIP = "india-central-asia-2025"


@pytest.fixture
def india(display, tmp_path):
    """The flagship as India in a real 1280x720 window, the Orders panel open."""
    args = [FLAGSHIP, "--as", "IND", "--autoplay", "0", "--open", "orders", "--size", "1280x720"]
    window = XWindow(display, args, tmp_path)
    yield window
    window.close()


def state_is(key: str, value):
    """A layout condition: the scene's state `key` equals `value`."""
    return lambda layout: layout["state"][key] == value


def suggestions(layout: dict) -> list[str]:
    """The Orders panel's suggested moves, by widget name, top first."""
    names = [n for n in layout["widgets"] if n.startswith("Orders.actions[")]
    return sorted(names, key=lambda n: layout["widgets"][n]["rect"][1])


def test_a_suggested_investment_is_one_the_turn_accepts_after_the_scenarios_payments(india):
    # the scenario's programmes pay USD 29 m this quarter before India's orders are carried out:
    # the 5,688 t/yr lithium mine (USD 267 m of USD 280 m) is legal now but refused then
    layout = india.last
    offered = [layout["widgets"][n]["tooltip"] for n in suggestions(layout)]
    assert offered and not any("lithium" in text and text.startswith("invest") for text in offered), offered

    first = suggestions(layout)[0]
    assert layout["widgets"][first]["text"].startswith("+ invest"), first
    india.click(first, until=lambda layout: len(layout["state"]["orders"]) == 1)
    layout = india.click("end_button", until=state_is("turn", 1))
    assert not layout["state"]["message"].startswith("refused"), layout["state"]["message"]


def test_a_drafted_order_shows_its_whole_line(india, tmp_path):
    first = suggestions(india.last)[0]
    layout = india.click(first, until=lambda layout: "Orders.order_boxes[0]" in layout["widgets"])
    box = layout["widgets"]["Orders.order_boxes[0]"]
    india.screenshot(tmp_path / "order-row.png")
    assert box["clipped"] is False, box


def test_the_prices_panel_opens_on_the_players_largest_import_and_says_so(india):
    # before the first quarter nothing is imported yet: India's largest need at starting prices
    model = WorldModel(FLAGSHIP, seed=0)
    snapshot = model.snapshot()
    needs = [d for d in model.outline().demand if d.country == "IND"]
    top = max(needs, key=lambda d: d.tonnes * snapshot.figure("IND", d.mineral, d.stage).price)
    assert (top.mineral, top.stage) == ("copper", "refined")  # not the scenario's last line (strontium)

    opened = india.click(
        "panel_buttons[Prices (P)]", until=lambda layout: "Prices.picker" in layout["widgets"]
    )
    assert opened["widgets"]["Prices.picker"]["text"] == "copper refined"
    assert opened["widgets"]["Prices.why_label"]["text"].startswith("Shown: India's largest need by value")


def test_the_end_turn_tooltip_leaves_the_orders_close_button_clickable(india):
    x, y, w, h = india.widget("end_button")["rect"]
    india.move(x + w // 2, y + h // 2)
    time.sleep(1.0)  # long enough for any tooltip to show
    india.settled()
    layout = india.click("Orders.close", until=lambda layout: "Orders" not in layout["state"]["open_panels"])
    assert "Orders" not in layout["state"]["open_panels"]


def test_the_replay_viewer_speaks_to_an_observer(display, tmp_path):
    save = tmp_path / "run.json"
    subprocess.run(
        [
            *(sys.executable, "-m", "critmin", "run", "antimony-2024", "--turns", "1", "--seed", "1"),
            *("--save", str(save), "--out", str(tmp_path / "run")),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    window = XWindow(display, ["--replay", str(save), "--size", "1280x720"], tmp_path, scene="ReplayScene")
    try:
        layout = window.settled()
        state = layout["state"]
        assert state["legend"] == "everyone's · all minerals, all stages", state["legend"]
        assert "your trade" not in state["status"], state["status"]
        window.screenshot(tmp_path / "replay.png")
    finally:
        window.close()


def test_the_report_keeps_your_orders_apart_from_your_firms_own_moves(india):
    # three quarters in, India's state firms bid for blocks and answer offers on their own
    for turn in (1, 2, 3):
        layout = india.click("end_button", until=state_is("turn", turn))
    report = layout["widgets"]["Report.body"]["text"]
    orders = report.split("Your orders")[1].split("Around the world")[0]
    assert "you gave no orders" in orders, orders
    assert "carried out" not in orders, "a firm's own move listed as one of your orders"
    assert "not your orders: " in orders and "moves of their own (told below)" in orders, orders
    assert "bids for block" in report.split("Around the world")[1], "the firms' moves are told there"


@pytest.fixture
def kabil(display, tmp_path):
    """The flagship as KABIL, India's state firm, in a real 1280x720 window."""
    args = [FLAGSHIP, "--as", "kabil", "--autoplay", "0", "--open", "firm,bids", "--size", "1280x720"]
    window = XWindow(display, args, tmp_path, scene="FirmScene")
    yield window
    window.close()


def test_a_long_title_ends_in_an_ellipsis_before_the_buttons_instead_of_under_them(kabil):
    pygame.font.init()
    title = kabil.widget("title")
    assert title["text"].startswith("KABIL (IND) to play") and title["text"].endswith("…"), title["text"]
    assert font(15, bold=True).size(title["text"])[0] <= title["rect"][2], "the title runs past its label"
    save = kabil.widget("action_buttons[Save]")["rect"]
    assert title["rect"][0] + title["rect"][2] <= save[0], "the title's label reaches under Save"


def test_a_drafted_suggestion_leaves_the_suggested_moves(india):
    first = suggestions(india.last)[0]
    move = india.widget(first)["tooltip"]
    layout = india.click(first, until=lambda layout: len(layout["state"]["orders"]) == 1)
    layout = india.settled(until=lambda layout: "Orders.order_boxes[0]" in layout["widgets"])
    offered = [layout["widgets"][n]["tooltip"] for n in suggestions(layout)]
    assert move not in offered, "a move already among this turn's orders is suggested again"
    assert len(offered) == 5, offered  # the next one takes its place


def test_an_investment_the_orders_drafted_before_it_leave_unpaid_is_greyed_out(india):
    # USD 251 m is left after the scenario's payments; the suggested cobalt mine takes USD 149 m,
    # so 38,369 t/yr of refined graphite (USD 127 m, affordable alone) would be refused at End turn
    invest = next(n for n in suggestions(india.last) if n.startswith("Orders.actions[+ invest"))
    india.click(invest, until=lambda layout: len(layout["state"]["orders"]) == 1)
    for field, value in (("kind", "invest"), ("mineral", "graphite"), ("stage", "refined")):
        name = f"Orders.{field}"
        india.click(name, until=lambda layout, name=name: layout["widgets"][name]["expanded"])
        india.click(
            f"{name}.option[{value}]",
            until=lambda layout, field=field, value=value: layout["state"]["forms"]["Orders"][field] == value,
        )
    india.click("Orders.amount")
    india.type_text("38369")
    layout = india.settled(until=lambda layout: not layout["widgets"]["Orders.add"]["enabled"])
    tooltip = layout["widgets"]["Orders.add"]["tooltip"]
    assert "your orders drafted before it are carried out" in tooltip, tooltip
