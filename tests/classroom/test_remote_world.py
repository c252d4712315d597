"""A classroom seat as a front end sees it: RemoteWorld offers the model's calls (core/world_view.py)."""

from __future__ import annotations

import msgspec
import pytest

from critmin.classroom.remote import RemoteWorld
from critmin.core.actions import SetTariff
from critmin.core.outline import WorldOutline
from critmin.core.world_view import RoomNotice
from tests.waiting import wait_for


def test_a_remote_world_offers_the_models_calls_to_a_front_end(tiny_server):
    world = RemoteWorld(tiny_server.address, tiny_server.codes["IND"]).connect()
    try:
        assert world.seat == "IND" and world.observe("IND").country == "IND"
        assert world.observe("CHN") is None and world.legal_actions("CHN") == []
        assert world.snapshot().turn == world.turn and world.legal_actions("IND")
        outline = world.outline()
        assert isinstance(outline, WorldOutline) and outline.id == "tiny" and outline.events == []
        assert {m.id for m in outline.minerals} == {"ree_heavy", "lithium"} and outline.capacity
        tariff = SetTariff(country="IND", mineral="lithium", stages=("refined",), rate=0.2)
        assert world.check(tariff) is None
        assert world.check(SetTariff(country="CHN", mineral="lithium", stages=("refined",), rate=0.2)) == (
            "you play IND"
        )
        assert world.submit("IND", [tariff]) == [None]
        with pytest.raises(PermissionError):
            world.submit("CHN", [])
        with pytest.raises(RuntimeError, match="instructor"):
            world.step()
    finally:
        world.close()


def test_a_remote_world_moves_on_when_polled_and_says_what_arrived(tiny_server):
    world = RemoteWorld(tiny_server.address, tiny_server.codes["AUS"]).connect()
    try:
        turn = world.turn
        world.say("all", "hello")
        assert tiny_server.instructor("advance", turn=turn).ok
        notices: list[RoomNotice] = []
        hello = RoomNotice("chat", "AUS to all: hello")

        def heard_the_turn_and_the_chat():  # two connections' messages: the protocol orders neither
            notices.extend(world.poll())
            return any(n.kind == "turn" for n in notices) and hello in notices

        wait_for(heard_the_turn_and_the_chat, what="the next turn's state and the chat message")
        assert world.turn == turn + 1
        played = [msgspec.to_builtins(e) for e in world.events if e.turn == turn]
        assert played == world.snapshot().events  # the news of the turn played, kept
        prices = world.tables()["prices"].to_pylist()
        assert {row["turn"] for row in prices} == {turn} and len(prices) == len(world.snapshot().figures)
    finally:
        world.close()
