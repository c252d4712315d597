"""Fuzzing the classroom's messages (slow tier): 500 generated client messages each for the decoder
and for a live server.

Properties: the decoder returns a message or raises ProtocolError, nothing else, and always finds a
request id to answer with; a live server answers every message or drops the connection, never
crashes, and a turn's state is unchanged by messages it refuses.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critmin.classroom import protocol as p

websockets = pytest.importorskip("websockets")

from tests.classroom.conftest import TINY, ServerProcess, run  # noqa: E402

pytestmark = pytest.mark.slow

VALID = [
    {"type": "hello", "code": "x" * 20, "client": "fuzz"},
    {"type": "submit", "turn": 0, "submission_id": "s-1", "actions": [{"type": "set_tariff"}]},
    {"type": "check", "actions": [], "ref": "r-1"},
    {"type": "chat", "to": "all", "text": "hello"},
    {"type": "command", "command": "extend", "seconds": 30, "request_id": "q-1"},
    {"type": "sync"},
]
ODD = [None, True, -1, 0, 1e308, float("nan"), "", "x" * 5000, [], {}, [1, [2, [3]]], {"a": {"b": {}}}]


def mutate(message: dict, rng: random.Random) -> dict | str:
    """A valid message with one field changed, dropped or added, or plain junk."""
    kind = rng.randrange(5)
    changed = dict(message)
    if kind == 0 and changed:
        del changed[rng.choice(list(changed))]
    elif kind == 1 and changed:
        changed[rng.choice(list(changed))] = rng.choice(ODD)
    elif kind == 2:
        changed[rng.choice(["extra", "type", "turn", "to", "seconds"])] = rng.choice(ODD)
    elif kind == 3:
        return rng.choice(["", "{", "[]", "null", '{"type": 5}', "\x00\xff", "{" * 3000 + "}" * 3000])
    return changed


def as_text(message: dict | str) -> str:
    """Wire text of a message (non-finite floats as JSON would not allow: sent as they come)."""
    return message if isinstance(message, str) else json.dumps(message, allow_nan=True)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), base=st.sampled_from(VALID))
def test_the_decoder_returns_a_message_or_a_protocol_error(seed, base):
    text = as_text(mutate(base, random.Random(seed)))
    try:
        message = p.decode_client(text)
    except p.ProtocolError:
        pass
    else:
        assert isinstance(message, p.Message)
    assert isinstance(p.reference_of(text), str)


def test_a_live_server_survives_500_generated_messages_and_changes_nothing(tmp_path):
    server = ServerProcess(tmp_path / "state", TINY, "CHN,IND,AUS").start()
    try:
        assert server.instructor("start").ok
        before = server.status()
        rng = random.Random(20261204)
        messages = [as_text(mutate(rng.choice(VALID[1:]), rng)) for _ in range(500)]
        answered = run(send_all(server, messages), timeout=120)
        after = server.status()
        assert answered > 0
        assert (after.turn, after.resolved_turns) == (before.turn, before.resolved_turns)
        assert server.instructor("status").ok, "the server still answers"
        assert "Traceback" not in server.log_text()
    finally:
        server.kill(signal.SIGTERM)


async def send_all(server: ServerProcess, messages: list[str]) -> int:
    """Join as India, send every message (reconnecting when the server drops us); count replies."""
    answered, pending = 0, list(messages)
    while pending:
        async with websockets.connect(f"ws://{server.address}", max_size=None) as ws:
            hello = p.Hello(code=server.codes["IND"], snapshot=False, client="fuzz")
            await ws.send(p.encode(hello), text=True)
            try:
                while pending:
                    await ws.send(pending.pop(0))
                    answered += await drain(ws)
            except websockets.ConnectionClosed:
                continue
    return answered


async def drain(ws) -> int:
    """Read what the server has sent so far (a short wait); how many messages."""
    count = 0
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout=0.02)
            count += 1
    except TimeoutError:
        return count
