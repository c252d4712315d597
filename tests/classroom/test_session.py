"""The turn protocol without sockets: orders, defaults, undo, injections, seats, restore."""

from __future__ import annotations

import sqlite3
import time

import pytest

from critmin.classroom import protocol as p
from critmin.classroom.seats import play_turn, seated_world
from critmin.classroom.session import Clock, RefusalError, Session, SessionError
from critmin.classroom.store import Store
from critmin.engine.model import WorldModel

TEAMS = ["CHN", "IND", "AUS"]


def new_session(tmp_path, tiny, **overrides) -> Session:
    settings = {
        "teams": TEAMS,
        "seed": 3,
        "turns": 6,
        "turn_seconds": None,
        "pack": None,
        "code_digests": {},
    } | overrides
    return Session.create(Store.in_directory(tmp_path, create=True), tiny, **settings)


def tariff(country: str, rate: float = 0.1, origins=("AUS",)) -> dict:
    return {
        "type": "set_tariff",
        "country": country,
        "mineral": "lithium",
        "stages": ["refined"],
        "rate": rate,
        "origins": list(origins),
    }


def orders(session: Session, team: str, actions: list[dict], submission_id: str, turn: int | None = None):
    message = p.Submit(
        turn=session.turn if turn is None else turn, submission_id=submission_id, actions=actions
    )
    return session.submit(team, message)


def resolve(session: Session):
    session.begin_resolve()
    return session.resolve()


def test_orders_wait_for_the_start_then_are_stored_and_acknowledged(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    with pytest.raises(RefusalError) as refused:
        orders(session, "IND", [tariff("IND")], "a1")
    assert refused.value.code == "phase"
    session.start()
    ack = orders(session, "IND", [tariff("IND")], "a1")
    assert (ack.accepted, ack.verdicts, ack.duplicate) == (1, [None], False)
    assert session.store.submission("IND", "a1").actions[0]["rate"] == 0.1
    assert session.submitted() == ["IND"]


def test_a_resent_submission_id_changes_nothing_and_gets_the_first_ack(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    first = orders(session, "IND", [tariff("IND", 0.1)], "same")
    again = orders(session, "IND", [tariff("IND", 0.9)], "same")
    assert again.duplicate and again.verdicts == first.verdicts
    assert session.orders["IND"].actions[0]["rate"] == 0.1
    assert len(session.store.submissions()) == 1


def test_a_later_submission_replaces_the_orders_of_the_turn(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    orders(session, "IND", [tariff("IND", 0.1)], "s1")
    orders(session, "IND", [tariff("IND", 0.3)], "s2")
    record = resolve(session)
    assert record.orders["IND"]["submission_id"] == "s2"
    assert record.orders["IND"]["actions"][0]["rate"] == 0.3


def test_a_team_cannot_act_for_another_and_bad_actions_are_refused_one_by_one(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    ack = orders(session, "IND", [tariff("CHN"), {"type": "no_such_action"}, tariff("IND")], "x")
    assert ack.accepted == 1
    assert "another team" in ack.verdicts[0] and "not a kind of order" in ack.verdicts[1]
    assert ack.verdicts[2] is None
    assert "CHN" not in session.submitted()
    record = resolve(session)
    assert not any(a["country"] == "CHN" and a["type"] == "set_tariff" for a in record.actions)


def test_stale_orders_are_refused_after_the_turn_moves_on(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    resolve(session)
    with pytest.raises(RefusalError) as refused:
        orders(session, "IND", [], "late", turn=0)
    assert refused.value.code == "stale"
    with pytest.raises(RefusalError):
        orders(session, "IND", [], "early", turn=5)


def test_silent_teams_get_the_default_orders_of_their_doctrine(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    orders(session, "IND", [], "quiet")
    record = resolve(session)
    assert record.defaulted == ["CHN", "AUS"]
    assert record.orders == {"IND": {"submission_id": "quiet", "actions": []}}
    assert record.state_hash == session.model.hashes[-1]
    assert session.turn == 1 and session.orders == {}


def test_default_orders_equal_the_ai_only_run(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    for _ in range(3):
        resolve(session)
    seated, _ = seated_world(tiny, 3, TEAMS)
    for _ in range(3):
        play_turn(seated, {})
    plain = WorldModel(tiny, seed=3)
    plain.run(3)
    assert session.model.hashes == seated.hashes == plain.hashes


def test_restore_replays_the_stored_turns_and_keeps_open_orders(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    orders(session, "AUS", [tariff("AUS", 0.2, ("CHN",))], "t0")
    resolve(session)
    orders(session, "IND", [tariff("IND")], "t1")
    restored = Session.restore(Store.in_directory(tmp_path, create=False))
    assert restored.model.hashes == session.model.hashes
    assert restored.turn == 1 and restored.phase == "open"
    assert restored.orders["IND"].submission_id == "t1"


def test_restore_refuses_a_store_whose_hashes_do_not_replay(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    resolve(session)
    session.store.close()
    with sqlite3.connect(tmp_path / "session.sqlite") as db:
        db.execute("UPDATE turns SET state_hash = 'tampered'")
    with pytest.raises(SessionError, match="replays to state"):
        Session.restore(Store.in_directory(tmp_path, create=False))


def test_undo_reopens_the_last_turn_with_its_orders(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    resolve(session)
    before = list(session.model.hashes)
    orders(session, "IND", [tariff("IND")], "u1")
    resolve(session)
    session.undo()
    assert session.turn == 1 and session.phase == "paused"
    assert session.model.hashes == before
    assert session.orders["IND"].submission_id == "u1"
    session.resume()
    assert resolve(session).orders["IND"]["submission_id"] == "u1"
    assert len(session.store.turns()) == 2 and len(session.store.turns(undone=True)) == 1


def test_injected_events_strike_when_the_turn_resolves_and_survive_restore(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    event = (
        '{"kind": "disruption", "country": "AUS", "mineral": "lithium", "stage": "mine", '
        '"share": 0.5, "title": "Floods in the Pilbara"}'
    )
    session.inject(event)
    record = resolve(session)
    assert any(e["kind"] == "disruption" and e["detail"] == "Floods in the Pilbara" for e in record.events)
    restored = Session.restore(Store.in_directory(tmp_path, create=False))
    assert restored.model.hashes == session.model.hashes


@pytest.mark.parametrize(
    "event",
    [
        "not json",
        "[1, 2]",
        '{"kind": "disruption", "country": "AUS"}',
        '{"kind": "nonsense", "country": "AUS"}',
        '{"kind": "action", "country": "CHN", "action": {"type": "set_tariff"}}',
    ],
)
def test_bad_injections_are_refused_and_change_nothing(tmp_path, tiny, event):
    session = new_session(tmp_path, tiny)
    session.start()
    with pytest.raises(RefusalError):
        session.inject(event)
    assert session.store.injections() == []
    resolve(session)


def test_a_replaced_team_is_played_by_its_doctrine_until_it_submits_again(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    orders(session, "IND", [tariff("IND")], "r1")
    session.replace("IND")
    assert "IND" not in session.submitted()
    assert "IND" in resolve(session).defaulted
    orders(session, "IND", [], "r2")
    assert session.seat_modes["IND"] == "human" and "IND" not in resolve(session).defaulted


def test_the_session_finishes_after_its_turns(tmp_path, tiny):
    session = new_session(tmp_path, tiny, turns=2)
    session.start()
    resolve(session)
    resolve(session)
    assert session.phase == "finished"
    with pytest.raises(RefusalError):
        session.begin_resolve()


def test_the_clock_pauses_resumes_and_extends():
    clock = Clock(turn_seconds=10.0)
    clock.new_turn(running=True)
    assert 9.5 < clock.remaining() <= 10.0 and not clock.expired()
    clock.pause()
    time.sleep(0.05)
    left = clock.remaining()
    assert 9.5 < left <= 10.0
    clock.extend(5.0, running=False)
    assert clock.remaining() == pytest.approx(left + 5.0)
    clock.resume()
    clock.deadline = time.monotonic() - 0.01
    assert clock.expired()


def test_teams_must_exist_in_the_scenario(tmp_path, tiny):
    with pytest.raises(SessionError, match="not in tiny"):
        new_session(tmp_path, tiny, teams=["IND", "FRA"])


def test_the_turn_clock_resumes_where_it_stood_instead_of_restarting_at_full_length(tmp_path, tiny):
    session = new_session(tmp_path, tiny, turn_seconds=100.0)
    session.start()
    session.clock.deadline -= 60  # 60 s of the turn have run
    session.save_clock()  # what the server's clock does every CLOCK_SAVE_S
    session.store.close()
    resumed = Session.restore(Store.in_directory(tmp_path, create=False))
    assert resumed.phase == "open" and 38 < resumed.clock.remaining() <= 40
    resumed.pause()
    resumed.clock.left = 12.5
    resumed.save_clock()
    resumed.store.close()
    paused = Session.restore(Store.in_directory(tmp_path, create=False))
    assert (paused.phase, paused.clock.remaining()) == ("paused", 12.5)
    paused.resume()
    resolve(paused)  # a new turn gets its full length
    assert 99 < paused.clock.remaining() <= 100
    paused.store.close()
    fresh = Session.restore(Store.in_directory(tmp_path, create=False))
    assert 99 < fresh.clock.remaining() <= 100
    fresh.store.close()


FLOODS = (
    '{"kind": "disruption", "country": "AUS", "mineral": "lithium", "stage": "mine", '
    '"share": 0.5, "title": "Floods in the Pilbara"}'
)


def test_undo_takes_back_an_injected_event(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    plain = new_session(tmp_path / "plain", tiny)  # the same turn without the event
    plain.start()
    resolve(plain)
    session.inject(FLOODS)
    struck = resolve(session)
    assert struck.state_hash != plain.model.hashes[-1]
    session.undo()
    assert session.injections == [] and session.store.injections() == []
    session.resume()
    again = resolve(session)
    assert not any(e["detail"] == "Floods in the Pilbara" for e in again.events)
    assert again.state_hash == plain.model.hashes[-1]
    restored = Session.restore(Store.in_directory(tmp_path, create=False))
    assert restored.model.hashes == session.model.hashes


def test_orders_from_an_undone_turn_never_come_back_after_a_crash(tmp_path, tiny):
    session = new_session(tmp_path, tiny)
    session.start()
    resolve(session)
    orders(session, "IND", [tariff("IND")], "for-turn-1")
    resolve(session)
    orders(session, "CHN", [tariff("CHN", origins=("IND",))], "for-turn-2-before-undo")
    session.inject(FLOODS)  # into turn 2, which the undo abandons
    session.undo()  # back to turn 1: its orders stand again; turn 2's belong to a dropped timeline
    session.resume()
    resolve(session)
    assert session.turn == 2 and "CHN" not in session.orders
    session.store.close()  # the crash
    restored = Session.restore(Store.in_directory(tmp_path, create=False))
    assert restored.turn == 2 and restored.orders == {} and restored.injections == []
    assert restored.model.hashes == session.model.hashes
