"""Join codes are unguessable; the message schemas refuse what they should."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from critmin.classroom import codes
from critmin.classroom import protocol as p


def test_codes_carry_at_least_96_bits_of_entropy_from_a_32_letter_alphabet():
    code = codes.new_code()
    letters = codes.normalise(code)
    assert len(letters) == 20 and set(letters) <= set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == 32
    assert codes.entropy_bits() == pytest.approx(20 * math.log2(32)) and codes.entropy_bits() >= 96


def test_codes_never_repeat_and_use_every_letter_evenly():
    many = [codes.new_code() for _ in range(4000)]
    assert len(set(many)) == len(many)
    counts = Counter("".join(codes.normalise(c) for c in many))
    expected = 4000 * 20 / 32
    assert set(counts) == set(codes.ALPHABET)
    assert all(abs(n - expected) < 0.15 * expected for n in counts.values())


def test_codes_come_from_the_secrets_module(monkeypatch):
    monkeypatch.setattr(codes.secrets, "choice", lambda alphabet: alphabet[0])
    assert codes.new_code() == "AAAAA-AAAAA-AAAAA-AAAAA"


def test_a_session_gets_distinct_codes_and_keeps_only_digests():
    seats = codes.new_codes(["IND", "CHN"])
    assert set(seats) == {"IND", "CHN", "instructor"} and len(set(seats.values())) == 3
    digests = {seat: codes.digest(code) for seat, code in seats.items()}
    assert all(code not in digest for code, digest in zip(seats.values(), digests.values(), strict=True))
    assert codes.seat_of(seats["IND"].lower().replace("-", " "), digests) == "IND"
    assert codes.seat_of("AAAAA-AAAAA-AAAAA-AAAAA", digests) is None


def test_client_messages_round_trip():
    submit = p.Submit(turn=3, submission_id="IND-t3-abc", actions=[{"type": "set_tariff"}])
    assert p.decode_client(p.encode(submit)) == submit


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"[]",
        b'{"type": "hello"}',
        b'{"type": "hello", "code": ""}',
        b'{"type": "submit", "turn": 0, "submission_id": "has spaces", "actions": []}',
        b'{"type": "submit", "turn": 0, "submission_id": "' + b"x" * 65 + b'", "actions": []}',
        b'{"type": "chat", "to": "every one", "text": "hi"}',
        b'{"type": "chat", "to": "all", "text": ""}',
        b'{"type": "command", "command": "delete_everything"}',
        b'{"type": "command", "command": "extend", "seconds": -5}',
        b'{"type": "sync", "admin": true}',
        b'{"type": "state", "turn": 0}',
    ],
)
def test_malformed_client_messages_raise_protocol_errors(data):
    with pytest.raises(p.ProtocolError):
        p.decode_client(data)


def test_state_embeds_views_as_raw_json():
    state = p.State(
        turn=1,
        date="2025Q2",
        phase="open",
        turns_total=8,
        deadline_in=None,
        submitted=[],
        seats={},
        snapshot=p.msgspec.Raw(b'{"x": 1}'),
    )
    decoded = p.decode_server(p.encode(state))
    assert p.decode_raw(decoded.snapshot) == {"x": 1} and p.decode_raw(decoded.observation) is None
