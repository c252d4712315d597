"""A headless player: plays a team's seat with the country's AI doctrine, over the network.

It fills empty seats in a class and drives the tests and the benchmark. It decides on the
Observation the server sends, exactly as a person at the UI would, and submits once per turn;
after a lost connection it rejoins and resends an unacknowledged submission under the same id.
A firm's AI reads the turn's arrays, which stay on the server: on a firm seat the bot orders
what the firm's dashboard advises (what the firm's own AI would order now).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from pathlib import Path

import msgspec
import numpy as np

from critmin.classroom import protocol as p
from critmin.classroom.client import SessionClient


class Bot:
    """The AI doctrine of a team's country, playing through a SessionClient.

    Args:
        client: an unopened client with the team's code.
        until_turn: leave once the session reaches this turn (None: play until it finishes).
        think_seconds: wait up to this long (at random) before submitting, like people do.
        ack_log: append every acknowledgement as a JSON line here (flushed at once).

    """

    def __init__(
        self,
        client: SessionClient,
        *,
        until_turn: int | None = None,
        think_seconds: float = 0.0,
        ack_log: Path | None = None,
        quiet: bool = False,
    ) -> None:
        self.client = client
        self.until_turn = until_turn
        self.think_seconds = think_seconds
        self.ack_log = Path(ack_log) if ack_log else None
        self.quiet = quiet
        self.controller = None
        self.played: set[int] = set()
        self.acks: list[p.Ack] = []

    async def run(self) -> int:
        """Play until the session ends (or reaches `until_turn`); returns the exit status."""
        await self.client.open()
        if self.client.welcome is None or self.client.welcome.role != "team":
            self.say("this code is not a team's: a bot plays a team")
            return 2
        if self.client.welcome.firm is None:
            self.controller = self.controller or doctrine_of(self.client.welcome)
        while not self.done():
            message = await self.client.recv()
            await self.react(message)
        await self.client.close()
        return 0

    def done(self) -> bool:
        """True when the session is over for this bot."""
        state = self.client.state
        if state is None:
            return False
        return state.phase == "finished" or (self.until_turn is not None and state.turn >= self.until_turn)

    async def react(self, message: p.ServerMessage) -> None:
        """Play when a turn is open and our orders are not in; log acknowledgements and errors."""
        if isinstance(message, p.State):
            self.follow_undo(message.turn)
        if isinstance(message, p.State | p.Progress):
            await self.maybe_play()
        elif isinstance(message, p.Ack):
            self.record(message)
        elif isinstance(message, p.Error):
            self.say(f"refused ({message.code}): {message.reason}")

    def follow_undo(self, turn: int) -> None:
        """After an undo or rollback to `turn`: the turns from it on are to be played again."""
        self.played = {t for t in self.played if t < turn}

    async def maybe_play(self) -> None:
        """Decide and submit once per turn, when the turn takes orders."""
        client, state = self.client, self.client.state
        if (
            state is None
            or self.done()
            or client.phase not in ("open", "paused")
            or state.turn in self.played
        ):
            return
        if state.orders is not None or any(s.turn == state.turn for s in client.pending.values()):
            self.played.add(state.turn)
            return
        self.played.add(state.turn)
        if self.think_seconds:
            await asyncio.sleep(random.uniform(0, self.think_seconds))
        actions = self.decide(state)
        if self.client.state is not None and self.client.state.turn == state.turn:
            await client.submit(state.turn, actions)

    def decide(self, state: p.State) -> list[dict]:
        """The doctrine's actions on this turn's observation (a firm's advice), as plain data."""
        if self.client.welcome is not None and self.client.welcome.firm is not None:
            dashboard = p.decode_firm(state)
            return list(dashboard.advice) if dashboard is not None else []
        observation = p.decode_observation(state)
        if observation is None or self.controller is None:
            return []
        actions = self.controller.decide(observation, p.decode_legal(state))
        return [msgspec.to_builtins(a) for a in actions]

    def record(self, ack: p.Ack) -> None:
        """Keep an acknowledgement and append it to the log file."""
        self.acks.append(ack)
        if self.ack_log is not None:
            line = {
                "team": self.client.team,
                "turn": ack.turn,
                "submission_id": ack.submission_id,
                "accepted": ack.accepted,
                "verdicts": ack.verdicts,
                "duplicate": ack.duplicate,
                "at": time.time(),
            }
            with self.ack_log.open("a") as stream:
                stream.write(json.dumps(line) + "\n")

    def say(self, text: str) -> None:
        """A line on stderr unless quiet."""
        if not self.quiet:
            print(f"bot {self.client.team or '?'}: {text}", file=sys.stderr, flush=True)


def doctrine_of(welcome: p.Welcome):
    """The AI controller of the welcomed team's country (its doctrine, its own random stream)."""
    from critmin.agents.doctrines import make_controller
    from critmin.scenarios.schema import CountrySpec

    spec = msgspec.convert(welcome.country, CountrySpec)
    seed_words = [welcome.session.seed & 0xFFFFFFFF, *spec.iso3.encode(), 7]
    rng = np.random.default_rng(np.random.SeedSequence(seed_words))
    return make_controller(msgspec.structs.replace(spec, controller="ai"), rng)
