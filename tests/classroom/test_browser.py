"""The browser classroom in real headless Chromium, against a real `critmin serve` on loopback.

Students join from the page served on the server's port, play, chat and see the map's flows; the
instructor page runs the room. Every control of the instructor page is clicked at least once.
"""

from __future__ import annotations

import json
import signal
import socket
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("selenium")
pytest.importorskip("websockets")

from selenium.common.exceptions import StaleElementReferenceException

from critmin.classroom.store import Store
from tests.classroom.browsers import Page, join_instructor, join_student
from tests.classroom.conftest import HOST, ServerProcess
from tests.conftest import TINY

pytestmark = pytest.mark.browser
PACK = Path(__file__).parent / "data" / "tiny-pack.toml"
TEAMS = "CHN,IND,AUS"


@pytest.fixture
def server(tmp_path):
    """A fresh tiny-world session with the tiny pack and a ten-minute clock."""
    server = ServerProcess(tmp_path / "state", TINY, TEAMS, "--pack", str(PACK), "--turn-seconds", "600")
    yield server.start()
    server.kill(signal.SIGTERM)


@pytest.fixture
def pages():
    """Browsers opened by a test, all closed after it."""
    opened: list[Page] = []

    def keep(page: Page) -> Page:
        opened.append(page)
        return page

    yield keep
    for page in opened:
        page.close()


def url(server: ServerProcess) -> str:
    return f"http://{server.address}/"


def stored(server: ServerProcess):
    store = Store.in_directory(server.state, create=False)
    try:
        return store.submissions(), store.messages(), store.turns(), store.meta()
    finally:
        store.close()


def command(page: Page, button: str, expect: str) -> str:
    """Click an instructor control and wait for its answer to mention `expect`."""
    before = page.text("#result")
    page.click(button)
    page.until(lambda: page.text("#result") != before and expect in page.text("#result"), f"'{expect}'")
    return page.text("#result")


def in_the_room(instructor: Page, team: str, name: str) -> None:
    """Wait until the instructor's table lists `name` among `team`'s people."""
    people = f"#teams tr[data-team={team}] .people"
    instructor.until(lambda: name in instructor.text(people), f"{name} in {team}'s row")


def add_order(page: Page, kind: str) -> None:
    """Open the orders tab and add the first legal action of a kind."""
    page.click("button[data-tab=orders]")
    page.type("#menu-filter", kind.replace("_", " "))
    page.until(lambda: page.all("#menu li"), f"a {kind} in the menu")
    page.click("#menu li button.add")


def flows_turn(page: Page) -> str:
    """The turn of the flows the page's map shows."""
    return page.find("svg.worldmap g.flows").get_attribute("data-turn")


def test_two_teams_play_two_turns_in_browsers(server, pages):
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    asha = pages(join_student(url(server), server.codes["IND"], "Asha"))
    ben = pages(join_student(url(server), server.codes["IND"], "Ben"))
    chen = pages(join_student(url(server), server.codes["CHN"], "Chen"))
    instructor.until(lambda: "Asha, Ben" in instructor.text("#teams tr[data-team=IND] .people"), "both names")
    command(instructor, "#start", "session started")
    asha.until(lambda: asha.text("#phase") == "open", "the open turn")

    # A rejected order shows the engine's plain-language reason, at Check and once sent.
    add_order(ben, "fund_program")
    ben.type("#draft li input[data-key=usd_m]", "99999")
    ben.click("#check")
    ben.until(lambda: "Refused" in ben.text("#draft li .verdict"), "the check's verdict")
    assert "costs USD 99,999.0 m but the treasury holds" in ben.text("#draft li .verdict")
    ben.click("#send")
    ben.until(lambda: "0 accepted, 1 refused" in ben.text("#orders-result"), "the acknowledgement")
    assert "treasury holds" in ben.text("#draft li .verdict")

    # Asha's orders replace them; her teammate sees who sent them and why.
    add_order(asha, "release_stockpile")
    asha.type("#reasoning", "Release the magnet stockpile while prices are high")
    asha.click("#send")
    asha.until(lambda: "1 accepted" in asha.text("#orders-result"), "Asha's acknowledgement")
    ben.until(lambda: "sent by Asha" in ben.text("#standing"), "Asha's orders on Ben's page")
    assert "while prices are high" in ben.text("#standing")
    orders = "#teams tr[data-team=IND] .orders"
    instructor.until(lambda: "in (Asha)" in instructor.text(orders), "IND's orders")

    # Chat: Chen writes to everyone, Ben answers China privately.
    chen.click("button[data-tab=chat]")
    chen.type("#chat-text", "China proposes a licence deal")
    chen.click("#chat-send")
    ben.click("button[data-tab=chat]")
    ben.until(lambda: "Chen (CHN)" in ben.text("#messages"), "Chen's message at Ben's")
    ben.choose("#chat-to", "CHN")
    ben.type("#chat-text", "India is listening")
    ben.click("#chat-send")
    chen.until(lambda: "Ben (IND)" in chen.text("#messages"), "Ben's answer at Chen's")
    asha.until(lambda: "India is listening" in asha.text("#messages"), "the team's own message")

    # The instructor page advances two turns; the maps show the new turn's flows.
    asha.until(lambda: flows_turn(asha) == "0", "turn 0 flows")  # drawn once the map has loaded
    for turn in (1, 2):
        command(instructor, "#advance", f"turn {turn - 1}")
        asha.until(lambda t=turn: flows_turn(asha) == str(t), f"turn {turn} flows")
    for page in (asha, ben, chen):
        page.until(lambda p=page: flows_turn(p) == "2", "turn 2 on every page")
        assert int(page.find("g.flows").get_attribute("data-count")) > 0
        assert page.all("g.flows path.flow[data-exporter]")
        assert page.text("#turn").startswith("turn 3/")
    asha.click("button[data-tab=report]")
    assert "What happened in turn 2" in asha.text("#tab-report")

    submissions, messages, turns, _ = stored(server)
    assert [(s.team, s.name, s.verdicts[0] is None) for s in submissions] == [
        ("IND", "Ben", False),
        ("IND", "Asha", True),
    ]
    assert submissions[1].reasoning == "Release the magnet stockpile while prices are high"
    sent = [(m["sender"], m["name"], m["to"]) for m in messages]
    assert sent == [("CHN", "Chen", "all"), ("IND", "Ben", "CHN")]
    assert turns[0].orders["IND"]["submission_id"] == submissions[1].submission_id
    assert all(not p.errors() for p in (asha, ben, chen, instructor))


def dashboard_cells(page: Page, column: int) -> list[str]:
    """The dashboard table's cells of one column (0: the line)."""
    return [
        row.find_elements("css selector", "td")[column].text
        for row in page.all("#tab-dashboard table.lines tbody tr")
    ]


def test_before_the_first_turn_the_dashboard_says_so_instead_of_zero_demand(server, pages):
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    asha = pages(join_student(url(server), server.codes["IND"], "Asha"))
    asha.until(lambda: asha.all("#tab-dashboard table.lines tbody tr"), "the dashboard's lines")
    assert "No quarter played yet" in asha.text("#lines-note")
    assert set(dashboard_cells(asha, 3)) == {"—"}, "no quarter's demand before the first turn, not 0"
    command(instructor, "#start", "session started")
    command(instructor, "#advance", "turn 0")
    asha.until(lambda: not asha.all("#lines-note"), "the first quarter's figures")
    demand = dashboard_cells(asha, 3)
    assert "—" not in demand and any(cell != "0" for cell in demand)


def test_a_malformed_order_is_explained_in_plain_language(server, pages):
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    command(instructor, "#start", "session started")
    asha = pages(join_student(url(server), server.codes["IND"], "Asha"))
    add_order(asha, "invest")
    asha.type("#draft li input[data-key=tonnes_per_year]", "-3")
    asha.click("#check")
    asha.until(lambda: "Refused" in asha.text("#draft li .verdict"), "the verdict")
    assert asha.text("#draft li .verdict") == "Refused: Tonnes per year must be more than 0.0"


def send_orders(page: Page, accepted: str) -> None:
    """Send the draft from the orders tab and wait for the acknowledgement."""
    page.click("button[data-tab=orders]")
    page.click("#send")
    page.until(lambda: accepted in page.text("#orders-result"), f"'{accepted}'")


def propose_to_buy(page: Page, partner: str, line: str, tonnes: str, rule: str, price: str = "") -> None:
    """Fill the deal form for a purchase (MINERAL/STAGE line) and press its button."""
    page.click("button[data-tab=deals]")
    page.choose("#deal-partner", partner)
    page.choose("#deal-side", "buy")
    page.choose("#deal-line", line)
    page.type("#deal-tonnes", tonnes)
    page.choose("#deal-rule", rule)
    page.type("#deal-price", price)
    page.click("#deal-propose")


def test_a_deal_is_proposed_refused_in_plain_words_and_answered_from_the_deal_form(server, pages):
    server.instructor("start")
    asha = pages(join_student(url(server), server.codes["IND"], "Asha"))
    chen = pages(join_student(url(server), server.codes["CHN"], "Chen"))
    propose_to_buy(asha, "CHN", "ree_heavy/magnet", "100", "fixed")
    asha.until(lambda: "Refused" in asha.text("#deal-result"), "the refusal")
    assert asha.text("#deal-result") == "Refused: A fixed price needs a price in USD/kg"
    assert not asha.all("#draft li.order")
    asha.type("#deal-price", "300")
    asha.click("#deal-propose")
    asha.until(lambda: "Added to your orders" in asha.text("#deal-result"), "the proposal in the orders")
    send_orders(asha, "1 accepted")
    assert server.instructor("advance", turn=0).ok

    chen.click("button[data-tab=deals]")
    chen.until(lambda: chen.all("#deal-inbox li[data-proposal]"), "IND's proposal at China's")
    assert "from IND: you sell 100 t a year of ree heavy magnet, fixed price USD 300/kg" in chen.text(
        "#deal-inbox"
    )
    chen.click("#deal-inbox li[data-proposal] button.accept")
    chen.until(lambda: "Added to your orders" in chen.text("#deal-result"), "the answer in the orders")
    send_orders(chen, "1 accepted")
    assert server.instructor("advance", turn=1).ok
    asha.until(lambda: "CHN → IND" in asha.text("#deal-book"), "the deal in force on India's page")
    assert "CHN and IND sign a offtake" in asha.text("#deal-log")
    submissions, _, turns, _ = stored(server)
    assert [(s.team, s.actions[0]["type"]) for s in submissions] == [
        ("IND", "propose_deal"),
        ("CHN", "answer_deal"),
    ]
    assert any(e["kind"] == "deal_signed" for e in turns[1].events)
    assert not asha.errors() and not chen.errors()


def test_a_firm_team_plays_kabil_and_sends_an_order_from_the_browser(tmp_path, pages):
    server = ServerProcess(tmp_path / "state", "china-ree-controls-2025", "IND,kabil").start()
    try:
        server.instructor("start")
        asha = pages(join_student(url(server), server.codes["kabil"], "Asha"))
        assert asha.text("#country") == "Khanij Bidesh India Ltd (KABIL), a state firm of IND"
        assert asha.text("#cash") == "USD 10 m" and "No producing line yet" in asha.text("#tab-dashboard")
        assert not asha.find("#deals-tab").is_displayed()
        add_order(asha, "acquire_stake")
        asha.type("#reasoning", "A first foothold abroad")
        asha.click("#send")
        asha.until(lambda: "1 accepted" in asha.text("#orders-result"), "the firm's acknowledgement")
        assert server.instructor("advance", turn=0).ok
        asha.until(lambda: asha.text("#turn").startswith("turn 2/"), "the next turn")
        asha.click("button[data-tab=dashboard]")
        asha.until(lambda: asha.all("table.holdings tbody tr"), "the stake among the firm's holdings")
        assert "%" in asha.text("table.holdings tbody tr") and asha.text("#cash") != "USD 10 m"
        asha.click("button[data-tab=report]")
        assert "The firm's cash fell" in asha.text("#tab-report")
        submissions, _, turns, _ = stored(server)
        assert [(s.team, s.name, s.actions[0]["type"]) for s in submissions] == [
            ("kabil", "Asha", "acquire_stake")
        ]
        assert turns[0].orders["kabil"]["actions"][0]["firm"] == "kabil"
        assert not asha.errors()
    finally:
        server.kill(signal.SIGTERM)


def timer_minutes(page: Page) -> int:
    """The whole minutes the page's countdown shows."""
    return int(page.text("#timer").split(":")[0])


def test_clock_controls_pause_resume_extend(server, pages):
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    student = pages(join_student(url(server), server.codes["AUS"], "Ari"))
    command(instructor, "#start", "session started")
    command(instructor, "#pause", "paused")
    student.until(lambda: student.text("#phase") == "paused", "the pause on the student page")
    command(instructor, "#resume", "resumed")
    student.until(lambda: student.text("#phase") == "open", "the resumed turn")
    instructor.type("#extend-seconds", "120")
    assert "extended by 120 s" in command(instructor, "#extend", "extended")
    # the student's page hears of it in its own Progress, which may come after the instructor's answer
    student.until(lambda: timer_minutes(student) >= 11, "10 minutes and 2 more on the student's clock")


def test_undo_and_rollback_to_a_chosen_turn(server, pages):
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    student = pages(join_student(url(server), server.codes["IND"], "Asha"))
    command(instructor, "#start", "session started")
    for turn in range(3):
        command(instructor, "#advance", f"turn {turn} (")
    command(instructor, "#undo", "turn 2 undone")
    student.until(lambda: student.text("#turn").startswith("turn 3/"), "the undone turn on the student page")
    instructor.choose("#rollback-turn", "0")
    assert "rolled back to turn 0" in command(instructor, "#rollback", "rolled back")
    student.until(lambda: student.text("#turn").startswith("turn 1/"), "turn 1 again")
    _, _, turns, meta = stored(server)
    assert turns == [] and meta["phase"] == "paused"


def test_inject_from_the_pack_list_or_a_form_and_withdraw(server, pages):
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    command(instructor, "#start", "session started")
    instructor.choose("#inject-pick", "aus-mine-flood")
    command(instructor, "#inject", "Floods close Australian lithium mines")
    instructor.click("details summary")
    event = {"kind": "demand_shock", "country": "IND", "mineral": "lithium", "share": 0.2, "title": "EV boom"}
    instructor.type("#inject-json", json.dumps(event))
    command(instructor, "#inject-custom", "EV boom")
    assert "Floods close" in instructor.text("#injected") and "EV boom" in instructor.text("#injected")
    instructor.choose("#withdraw-pick", "EV boom")
    command(instructor, "#withdraw", "withdrawn")
    assert instructor.text("#injected") == "Floods close Australian lithium mines"
    instructor.type("#inject-json", "{not json")
    assert "not a pack inject" in command(instructor, "#inject-custom", "Refused")
    command(instructor, "#advance", "turn 0")
    _, _, turns, _ = stored(server)
    assert [e["detail"] for e in turns[0].events if e["kind"] == "disruption"], turns[0].events


def test_replace_a_team_by_the_ai_and_back(server, pages):
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    command(instructor, "#start", "session started")
    command(instructor, "#teams tr[data-team=CHN] button.replace", "CHN is played by its AI")
    assert instructor.text("#teams tr[data-team=CHN] .orders") == "AI plays"
    command(instructor, "#teams tr[data-team=CHN] button.restore", "CHN is played by its students again")
    assert instructor.text("#teams tr[data-team=CHN] .orders") == "waiting"
    assert stored(server)[3]["seats"]["CHN"] == "human"


def test_revoke_and_reissue_a_code(server, pages):
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    old = server.codes["IND"]
    student = pages(join_student(url(server), old, "Asha"))
    in_the_room(instructor, "IND", "Asha")
    instructor.click("#teams tr[data-team=IND] button.revoke")
    instructor.driver.switch_to.alert.accept()
    instructor.until(lambda: "new code for IND" in instructor.text("#result"), "the new code")
    new = server.codes["IND"]
    assert new != old and new in instructor.text("#result")
    student.until(lambda: student.find("#join").is_displayed(), "the student page back at the join form")
    assert "revoked" in student.text("#join-error")
    again = pages(join_student(url(server), new, "Asha"))
    assert again.text("#country") == "India (IND)"
    stale = pages(Page(url(server)))
    stale.type("#code", old)
    stale.type("#name", "Mallory")
    stale.click("#join-button")
    stale.until(lambda: "unknown join code" in stale.text("#join-error"), "the old code refused")


def test_a_room_update_keeps_the_team_rows_that_did_not_change(server, pages):
    """A click that lands while an update redraws the table is not lost to a fresh copy of the row."""
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    india = instructor.find("#teams tr[data-team=IND] button.revoke")
    command(instructor, "#mute", "chat muted")
    assert india.is_displayed()
    pages(join_student(url(server), server.codes["IND"], "Asha"))
    in_the_room(instructor, "IND", "Asha")
    with pytest.raises(StaleElementReferenceException):
        india.is_displayed()


def test_a_room_update_keeps_the_choice_made_in_a_list(server, pages):
    """The event picked to withdraw stays picked when an update redraws the room, so Withdraw
    withdraws it and not the first of the list."""
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    command(instructor, "#start", "session started")
    command(instructor, "#inject", "Floods close Australian lithium mines")
    instructor.click("details summary")
    event = {"kind": "demand_shock", "country": "IND", "mineral": "lithium", "share": 0.2, "title": "EV boom"}
    instructor.type("#inject-json", json.dumps(event))
    command(instructor, "#inject-custom", "EV boom")
    instructor.choose("#withdraw-pick", "EV boom")
    pages(join_student(url(server), server.codes["IND"], "Asha"))
    in_the_room(instructor, "IND", "Asha")  # the room was drawn again
    assert instructor.find("#withdraw-pick").get_attribute("value") == "EV boom"
    command(instructor, "#withdraw", "withdrawn")
    assert instructor.text("#injected") == "Floods close Australian lithium mines"


def test_mute_chat_and_leaderboard_show_hide(server, pages):
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    student = pages(join_student(url(server), server.codes["IND"], "Asha"))
    command(instructor, "#start", "session started")
    command(instructor, "#mute", "chat muted")
    student.click("button[data-tab=chat]")
    student.type("#chat-text", "hello all")
    student.click("#chat-send")
    student.until(lambda: "paused the chat" in student.text("#chat-error"), "the refusal")
    student.choose("#chat-to", "instructor")
    student.type("#chat-text", "may we talk?")
    student.click("#chat-send")
    instructor.until(lambda: "may we talk?" in instructor.text("#messages"), "the message to the instructor")
    instructor.choose("#chat-to", "IND")
    instructor.type("#chat-text", "yes, after this turn")
    instructor.click("#chat-form button[type=submit]")
    answer = "Instructor to India: yes, after this turn"
    student.until(lambda: answer in student.text("#messages"), "the instructor's answer")
    command(instructor, "#mute", "chat open")
    command(instructor, "#leaderboard", "leaderboard shown")
    student.until(lambda: student.find("#leaderboard").is_displayed(), "the leaderboard on the student page")
    assert "India" in student.text("#leaderboard") and "1/1" in student.text("#leaderboard")
    command(instructor, "#leaderboard", "leaderboard hidden")
    student.until(lambda: not student.find("#leaderboard").is_displayed(), "the leaderboard hidden")
    assert [(m["sender"], m["text"]) for m in stored(server)[1]] == [
        ("IND", "may we talk?"),
        ("instructor", "yes, after this turn"),
    ]


def test_projector_view_renders_map_timer_and_headlines(server, pages, tmp_path):
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    command(instructor, "#start", "session started")
    command(instructor, "#advance", "turn 0")
    link = instructor.find("#projector-link").get_attribute("href")
    projector = pages(Page(link, size=(1600, 900)))
    projector.until(lambda: projector.find("#screen").is_displayed(), "the projector screen")
    projector.until(lambda: projector.find("g.flows").get_attribute("data-turn") == "1", "the flows")
    assert int(projector.find("g.flows").get_attribute("data-count")) > 0
    assert projector.text("#turn").startswith("Turn 2 of")
    assert ":" in projector.text("#timer") and len(projector.all("#chips .chip")) == 3
    assert projector.all("svg.worldmap path.country.playing")
    assert not projector.errors()


def test_pages_are_served_with_a_policy_that_keeps_them_on_the_server(server):
    with urllib.request.urlopen(url(server)) as response:
        policy = response.headers["Content-Security-Policy"]
        body = response.read().decode()
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert "http" not in body.replace('href="/instructor"', "")
    for path in ("/instructor", "/projector", "/static/room.js", "/world.geojson", "/palette.json"):
        with urllib.request.urlopen(url(server).rstrip("/") + path) as response:
            assert response.status == 200
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(url(server) + "static/../session.sqlite")
    assert missing.value.code == 404


def test_pages_reconnect_after_a_kill_9_and_nothing_acknowledged_is_lost(server, pages):
    instructor = pages(join_instructor(url(server), server.codes["instructor"]))
    asha = pages(join_student(url(server), server.codes["IND"], "Asha"))
    chen = pages(join_student(url(server), server.codes["CHN"], "Chen"))
    command(instructor, "#start", "session started")
    add_order(asha, "release_stockpile")
    asha.click("#send")
    asha.until(lambda: "1 accepted" in asha.text("#orders-result"), "Asha's acknowledgement")
    acknowledged = asha.find("#standing p").get_attribute("data-submission")
    chen.click("button[data-tab=chat]")
    chen.type("#chat-text", "said before the crash")
    chen.click("#chat-send")
    asha.click("button[data-tab=chat]")
    asha.until(lambda: "said before the crash" in asha.text("#messages"), "the message")

    server.kill(signal.SIGKILL)
    for page in (instructor, asha, chen):
        page.until(lambda p=page: p.text("#link") == "reconnecting", "the page to notice the crash")
    with socket.create_server((HOST, server.port)):  # takes connections, never answers: reconnects hang
        chen.until(lambda: chen.text("#link") == "connecting", "a reconnect that hangs")
        add_order(chen, "invest")
        chen.click("#send")  # while the server is down: kept in the page and sent once it is back
        assert "will be sent when the connection is back" in chen.text("#orders-result")

    server.start(resume=True)
    for page in (instructor, asha, chen):
        page.until(lambda p=page: p.text("#link") == "connected", "the page to reconnect", timeout=30)
    chen.until(lambda: "1 accepted" in chen.text("#orders-result"), "Chen's queued orders acknowledged")
    asha.click("button[data-tab=orders]")
    standing = "#standing p"
    asha.until(lambda: asha.find(standing).get_attribute("data-submission") == acknowledged, "Asha's orders")
    asha.click("button[data-tab=chat]")
    assert "said before the crash" in asha.text("#messages")
    orders = "#teams tr[data-team=CHN] .orders"
    instructor.until(lambda: "in (Chen)" in instructor.text(orders), "CHN's orders")
    command(instructor, "#advance", "turn 0")

    submissions, messages, turns, _ = stored(server)
    assert [(s.team, s.name) for s in submissions] == [("IND", "Asha"), ("CHN", "Chen")]
    assert turns[0].orders["IND"]["submission_id"] == acknowledged
    assert turns[0].orders["CHN"]["submission_id"] == submissions[1].submission_id
    assert [m["text"] for m in messages] == ["said before the crash"]
