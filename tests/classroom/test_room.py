"""The room around the game, without sockets: people, reasoning, rollback, seats, codes, chat, leaderboard."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from critmin.classroom import codes
from critmin.classroom import protocol as p
from critmin.classroom.debrief import write_debrief
from critmin.classroom.plain import plain_reason
from critmin.classroom.session import RefusalError, Session
from critmin.classroom.store import Store
from tests.classroom.test_session import TEAMS, new_session, resolve, tariff

PACK = Path(__file__).parent / "data" / "tiny-pack.toml"


def send(session: Session, team: str, actions: list[dict], name: str, reasoning: str = "") -> p.Ack:
    message = p.Submit(
        turn=session.turn, submission_id=f"{team}-{name}-{session.turn}", actions=actions, reasoning=reasoning
    )
    return session.submit(team, message, name)


def test_orders_and_chat_record_the_person_and_the_reasoning(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    ack = send(session, "IND", [tariff("IND")], "Asha", "protect the refiners")
    assert (ack.name, ack.reasoning, ack.accepted) == ("Asha", "protect the refiners", 1)
    assert ack.actions[0]["type"] == "set_tariff" and ack.actions[0]["rate"] == 0.1
    status = session.status({"IND": 2}, {"IND": ["Asha", "Ben"]})
    india = next(t for t in status.teams if t.team == "IND")
    assert (india.people, india.submitted_by) == (["Asha", "Ben"], "Asha")
    assert session.state("IND").orders.name == "Asha"
    session.chat("CHN", p.Chat(to="all", text="hello"), "Chen")
    session.chat("CHN", p.Chat(to="AUS", text="psst"), "Chen")
    assert [(m.name, m.text) for m in session.welcome("IND", "Ben").chat] == [("Chen", "hello")]
    assert len(session.welcome("instructor").chat) == 2
    stored = session.store.submissions()[0]
    assert (stored.name, stored.reasoning) == ("Asha", "protect the refiners")


def test_format_errors_read_as_plain_language(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    bad = {"type": "invest", "country": "IND", "mineral": "ree_heavy", "stage": "mine", "tonnes_per_year": 0}
    wrong_kind = {**bad, "mineral": "gold", "tonnes_per_year": 5}
    verdicts = session.check("IND", [bad, wrong_kind, {"type": "invest", "country": "IND"}])
    assert verdicts == [
        "Tonnes per year must be more than 0.0",
        "Mineral 'gold' is not one of the choices",
        "The order lacks its mineral",
    ]
    assert plain_reason("bad action: something new") == "something new"


def test_rollback_to_a_chosen_turn_restores_its_orders(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    hashes = []
    for turn in range(4):
        send(session, "IND", [tariff("IND", rate=0.05 * (turn + 1))], f"p{turn}")
        resolve(session)
        hashes.append(session.model.hashes[-1])
    with pytest.raises(RefusalError, match="not resolved yet"):
        session.rollback(4)
    assert "2 turns undone" in session.rollback(2)
    assert (session.turn, session.phase, session.model.hashes) == (2, "paused", hashes[:2])
    assert session.orders["IND"].name == "p2"
    resolve(session)
    assert session.model.hashes[-1] == hashes[2]  # the same orders replay to the same state
    assert [t.turn for t in session.store.turns(undone=True)] == [2, 3]


def test_a_team_goes_to_the_ai_and_back(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.replace("AUS")
    with pytest.raises(RefusalError, match="already played by its students"):
        session.give_back("IND")
    session.give_back("AUS")
    assert session.seat_modes["AUS"] == "human" and session.store.meta()["seats"]["AUS"] == "human"


def test_a_revoked_code_stops_working_and_the_new_one_opens_the_seat(tmp_path, tiny):
    issued = codes.new_codes(TEAMS)
    digests = {seat: codes.digest(code) for seat, code in issued.items()}
    session = new_session(tmp_path, tiny, code_digests=digests)
    new = session.revoke("IND")
    stored = Store.in_directory(tmp_path, create=False).meta()["code_digests"]
    assert codes.seat_of(issued["IND"], stored) is None
    assert codes.seat_of(new, stored) == "IND"
    assert codes.seat_of(issued["CHN"], stored) == "CHN"


def test_muted_chat_still_reaches_the_instructor(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    assert session.set_flag("muted", True) == "chat muted"
    with pytest.raises(RefusalError, match="paused the chat"):
        session.chat("IND", p.Chat(to="all", text="hi"))
    session.chat("IND", p.Chat(to="instructor", text="may we talk?"))
    session.chat("instructor", p.Chat(to="all", text="quiet please"))
    assert Session.restore(session.store).muted
    session.set_flag("muted", False)
    session.chat("IND", p.Chat(to="CHN", text="hi"))
    assert [m["text"] for m in session.store.messages()] == ["may we talk?", "quiet please", "hi"]


def test_the_leaderboard_ranks_teams_by_goals_met(tmp_path, tiny):
    session = new_session(tmp_path, tiny, pack=str(PACK))
    assert session.progress({}).leaderboard is None
    session.set_flag("leaderboard", True)
    session.start()
    resolve(session)
    rows = session.progress({}).leaderboard
    assert [r["rank"] for r in rows] == [1, 2, 3]
    india = next(r for r in rows if r["team"] == "IND")
    assert (india["goals"], india["goals_met"]) == (1, 1)  # treasury above half its start
    assert rows[0]["team"] == "IND"  # the only team with goals met


def test_an_injected_event_can_be_withdrawn(tmp_path, tiny):
    session = new_session(tmp_path, tiny, pack=str(PACK))
    session.start()
    session.inject("aus-mine-flood")
    assert session.status({}).injected == ["Floods close Australian lithium mines"]
    with pytest.raises(RefusalError, match="no event 'nothing'"):
        session.withdraw("nothing")
    session.withdraw("aus-mine-flood")
    assert session.status({}).injected == [] and session.store.injections() == []
    record = resolve(session)
    assert not [e for e in record.events if e["kind"] == "disruption"]


def test_an_older_database_gains_the_new_columns(tmp_path):
    db = sqlite3.connect(tmp_path / "session.sqlite")
    db.executescript(
        "CREATE TABLE submissions (id INTEGER PRIMARY KEY AUTOINCREMENT, team TEXT NOT NULL, "
        "turn INTEGER NOT NULL, submission_id TEXT NOT NULL, actions TEXT NOT NULL, verdicts TEXT NOT NULL, "
        "received_at REAL NOT NULL, UNIQUE (team, submission_id));"
        "INSERT INTO submissions (team, turn, submission_id, actions, verdicts, received_at) "
        "VALUES ('IND', 0, 'a', '[]', '[]', 1.0);"
    )
    db.close()
    store = Store.in_directory(tmp_path, create=False)
    assert [(s.submission_id, s.name, s.reasoning) for s in store.submissions()] == [("a", "", "")]


def test_the_debrief_compares_teams_and_keeps_the_reasoning(tmp_path, tiny):
    session = new_session(tmp_path / "state", tiny, pack=str(PACK))
    session.start()
    send(session, "IND", [tariff("IND")], "Asha", "shield the refiners from Australian ore")
    resolve(session)
    resolve(session)
    session.store.close()
    report, _ = write_debrief(tmp_path / "state", tmp_path / "debrief.html")
    html = report.read_text()
    assert 'id="compare"' in html and "dependence" in html and 'href="#full-log"' in html
    assert "sent by Asha" in html and "shield the refiners" in html
    with (tmp_path / "debrief-csv" / "decisions.csv").open() as stream:
        rows = [r for r in csv.DictReader(stream) if r["team"] == "IND" and r["turn"] == "0"]
    assert rows and {(r["sent_by"], r["reasoning"]) for r in rows} == {
        ("Asha", "shield the refiners from Australian ore")
    }


def test_the_pages_view_keeps_what_the_page_draws_and_leaves_out_the_rest(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    resolve(session)
    full = p.decode_raw(session.state("IND", "full").snapshot)
    page = p.decode_raw(session.state("IND", "map").snapshot)
    assert full["figures"] and full["deals"] is not None and full["flows"]
    assert not {"figures", "deals", "policies"} & set(page)
    rows = [dict(zip(page["flow_fields"], row, strict=True)) for row in page["flows"]]
    assert rows == full["flows"]
    assert page["events"] == full["events"] and page["turn"] == full["turn"] == 1
    whole = p.decode_observation(session.state("IND", "full"))
    lean = p.decode_observation(session.state("IND", "map"))
    assert whole.world and lean.world == [] and lean.policies == []
    assert lean.news == [n for n in whole.news if n["turn"] == 0] and lean.minerals == whole.minerals
    assert (lean.deals, lean.inbox, lean.outbox, lean.diplomacy) == (
        whole.deals,
        whole.inbox,
        whole.outbox,
        whole.diplomacy,
    )
    assert session.state("IND", "map").legal == session.state("IND", "full").legal
    assert p.decode_raw(session.state("IND", "none").snapshot) is None
    assert p.view_of(p.Hello(code="x", figures=False)) == "map"
