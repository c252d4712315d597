"""A team plays a state firm (KABIL) in a classroom session, end to end over the protocol.

The session names the firm's seat with `--teams IND,CHN,kabil`; the firm team's code opens that
seat; its dashboard, menu and refusals are the firm's; the instructor can give the seat to the
firm's AI; a bot can play it; the debrief lists the team and its orders.
"""

from __future__ import annotations

import asyncio
import csv
import signal

import pytest

from critmin.classroom import protocol as p
from critmin.classroom.bot import Bot
from critmin.classroom.client import SessionClient
from critmin.classroom.debrief import write_debrief
from critmin.classroom.seats import play_turn, seated_world
from critmin.cli import load
from critmin.engine.model import WorldModel
from tests.classroom.conftest import ServerProcess, joined, next_of, run

FIRM = "kabil"
TEAMS = "IND,CHN,KABIL"  # any case: the seat is the firm's id as the scenario spells it


@pytest.fixture
def firm_server(tmp_path_factory):
    """china-ree-controls-2025 with a KABIL team (KABIL starts with USD 10 m), started."""
    state = tmp_path_factory.mktemp("firm") / "state"
    server = ServerProcess(state, "china-ree-controls-2025", TEAMS).start()
    assert server.instructor("start").ok
    yield server
    server.kill(signal.SIGTERM)


async def play_the_firm(server: ServerProcess) -> dict:
    """The KABIL team: reads its dashboard, orders a stake and a country's tariff, sees the verdicts."""
    client = await joined(server, FIRM, name="Asha")
    state = await next_of(client, p.State)
    dashboard = p.decode_firm(state)
    menu = p.decode_raw(state.legal)
    stake = next(a for a in menu if a["type"] == "acquire_stake")
    tariff = {
        "type": "set_tariff",
        "country": "IND",
        "mineral": "lithium",
        "stages": ["refined"],
        "rate": 0.1,
    }
    await client.submit(state.turn, [stake, tariff])
    ack = await next_of(client, p.Ack)
    await client.close()
    return {"welcome": client.welcome, "dashboard": dashboard, "menu": menu, "stake": stake, "ack": ack}


def test_a_team_plays_kabil_end_to_end(firm_server, tmp_path):
    seen = run(play_the_firm(firm_server))
    welcome, dashboard = seen["welcome"], seen["dashboard"]
    assert welcome.team == FIRM and welcome.country is None
    assert welcome.firm["country"] == "IND" and welcome.firm["budget_usd_m"] == 10.0
    assert (dashboard.firm, dashboard.cash_usd_m, dashboard.mandate) == (FIRM, 10.0, "supply_security")
    assert dashboard.home_lines and dashboard.holdings == []
    kinds = {a["type"] for a in seen["menu"]}
    assert kinds <= {"acquire_stake", "invest", "propose_deal", "bid_for_block", "answer_deal"}
    assert {"acquire_stake", "propose_deal"} <= kinds  # stakes abroad and offtakes for India (firm_legal)
    assert all(a["firm"] == FIRM and a["country"] == "IND" for a in seen["menu"])
    ack = seen["ack"]
    assert ack.accepted == 1 and ack.verdicts[0] is None
    assert "a firm seat plays only stakes, investments, offers, bids for blocks" in ack.verdicts[1]

    firm_server.instructor("advance", turn=0)
    after = run(firm_state(firm_server))
    stake = seen["stake"]
    assert [(h.country, h.mineral, h.stage) for h in after.holdings] == [
        (stake["host"], stake["mineral"], stake["stage"])
    ]
    assert after.cash_usd_m < 10.0 and any(e["kind"] == "stake_acquired" for e in after.record)
    status = firm_server.status()
    assert "kabil" not in status.last_defaulted and {"IND", "CHN"} <= set(status.last_defaulted)

    replaced = firm_server.instructor("replace", "kabil")
    assert replaced.ok and next(t for t in replaced.status.teams if t.team == FIRM).seat == "ai"
    firm_server.instructor("advance", turn=1)
    assert "kabil" in firm_server.status().last_defaulted
    assert firm_server.instructor("restore", "kabil").ok

    report, _ = write_debrief(firm_server.state, tmp_path / "debrief.html", tmp_path / "csv")
    html = report.read_text()
    assert "kabil (Khanij Bidesh India Ltd (KABIL), IND)" in html
    with (tmp_path / "csv" / "decisions.csv").open() as stream:
        rows = [r for r in csv.DictReader(stream) if r["team"] == FIRM]
    assert [(r["turn"], r["type"], r["source"], r["sent_by"]) for r in rows][:1] == [
        ("0", "acquire_stake", "team", "Asha")
    ]


async def firm_state(server: ServerProcess) -> p.FirmDashboard:
    """The firm's dashboard of the open turn, as a fresh client gets it."""
    client = await joined(server, FIRM)
    state = await next_of(client, p.State)
    await client.close()
    return p.decode_firm(state)


def test_a_bot_plays_the_firm_seat_with_the_firms_advice(firm_server):
    assert firm_server.instructor("advance", turn=0).ok  # the firm's AI reads a turn of trade first
    turn = firm_server.status().turn

    async def one_turn():
        client = SessionClient(firm_server.address, firm_server.codes[FIRM], snapshot=False, retry_for=5)
        bot = Bot(client, until_turn=turn + 1, quiet=True)
        task = asyncio.create_task(bot.run())
        async with asyncio.timeout(30):
            while not bot.acks:
                await asyncio.sleep(0.05)
        advice = p.decode_firm(client.state).advice
        task.cancel()
        return bot.acks[0], advice

    ack, advice = run(one_turn())
    assert advice and advice[0]["firm"] == FIRM and advice[0]["reason"]  # KABIL's AI buys at turn 1
    assert ack.turn == turn == 1 and ack.accepted == len(advice) and all(v is None for v in ack.verdicts)
    assert ack.actions == advice
    status = firm_server.status()
    assert next(t for t in status.teams if t.team == FIRM).submitted


def test_a_firm_seat_left_to_its_ai_plays_as_the_firm_does_without_a_team():
    scenario = load("india-central-asia-2025")
    alone = WorldModel(scenario, seed=3)
    seated, seats = seated_world(scenario, 3, ["kabil", "irel"])
    assert set(seats) == {"kabil", "irel"}
    for _ in range(6):
        alone.step()
        play_turn(seated, {})
    assert seated.hashes == alone.hashes  # default orders: the firm's own AI, to the bit
    assert any(e.actor == "kabil" for e in seated.events)
