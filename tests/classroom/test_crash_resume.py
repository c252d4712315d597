"""Acceptance: six teams on a real server, one silent, SIGKILL mid-turn, --resume, nothing lost."""

from __future__ import annotations

from critmin.classroom.session import Session
from critmin.classroom.store import Store
from tests.classroom.conftest import BOT_TEAMS, KILL_TURN, SILENT, TEAMS, TURNS


def stored(played_session):
    store = Store.in_directory(played_session.server.state, create=False)
    try:
        return store.turns(), store.submissions()
    finally:
        store.close()


def test_five_turns_were_played_and_every_bot_left_cleanly(played_session):
    turns, _ = stored(played_session)
    assert [t.turn for t in turns] == list(range(TURNS))
    assert all(result.ok for result in played_session.advances)
    assert played_session.bot_exit_codes == [0] * len(BOT_TEAMS)


def test_the_silent_team_got_default_orders_every_turn(played_session):
    turns, _ = stored(played_session)
    assert all(t.defaulted == [SILENT] for t in turns)
    assert all(SILENT not in t.orders and set(t.orders) == set(BOT_TEAMS) for t in turns)
    assert all(t.seats == dict.fromkeys(TEAMS, "human") for t in turns)


def test_every_acknowledged_submission_survives_the_crash(played_session):
    turns, submissions = stored(played_session)
    kept = {(s.team, s.submission_id): s for s in submissions}
    acks = played_session.acks()
    assert len({(a["team"], a["turn"]) for a in acks}) == len(BOT_TEAMS) * TURNS
    for ack in acks:
        record = kept[(ack["team"], ack["submission_id"])]
        assert (record.turn, record.verdicts) == (ack["turn"], ack["verdicts"])
        assert turns[ack["turn"]].orders[ack["team"]]["submission_id"] == ack["submission_id"]


def test_orders_acknowledged_before_the_kill_stood_after_the_resume(played_session):
    status = played_session.status_after_resume
    assert (status.turn, status.resolved_turns, status.phase) == (KILL_TURN, KILL_TURN, "open")
    before = {a["team"] for a in played_session.acked_before_kill if a["turn"] == KILL_TURN}
    assert before, "the server was killed before any order of the turn was acknowledged"
    standing = {t.team: t.submission_id for t in status.teams if t.submitted}
    for ack in played_session.acked_before_kill:
        if ack["turn"] == KILL_TURN:
            assert standing[ack["team"]] == ack["submission_id"]


def test_the_stored_session_replays_to_the_same_state_hashes(played_session):
    turns, _ = stored(played_session)
    session = Session.restore(Store.in_directory(played_session.server.state, create=False))
    assert session.model.hashes == [t.state_hash for t in turns]
    session.store.close()
