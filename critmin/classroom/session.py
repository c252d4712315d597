"""A classroom session: the turn protocol on top of the engine's public API, with no sockets.

The session owns a WorldModel whose teams' countries are seats (`seats.Seat`), a Store where
everything is committed before it is acknowledged, a clock, and the instructor's controls. The
server (`server.py`) only moves messages between clients and these methods; the session only
calls the engine's public API (submit, check, observe, legal_actions, snapshot, step, hashes).

Restoring a session (after a crash, an undo or an injected event) rebuilds the world by
replaying every stored turn's orders and checks each turn's state hash.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from critmin.classroom import codes
from critmin.classroom import protocol as p
from critmin.classroom.firm_seat import firm_dashboard
from critmin.classroom.leaderboard import standings
from critmin.classroom.packs import Pack, load_optional_pack
from critmin.classroom.page_view import page_observation, page_snapshot
from critmin.classroom.plain import plain_reason
from critmin.classroom.seats import event_words, play_turn, seat_names, seat_of, seated_world
from critmin.classroom.store import Store, SubmissionRecord, TurnRecord
from critmin.core.actions import ActionFormatError, action_from_dict, action_to_dict
from critmin.core.event_words import EventWords
from critmin.core.outline import WorldOutline
from critmin.core.vocabulary import quarter_label
from critmin.engine.model import WorldModel
from critmin.scenarios.loader import Scenario, scenario_from_content
from critmin.scenarios.outline import scenario_outline
from critmin.scenarios.validate import ScenarioError

STORE_FORMAT = 1
INSTRUCTOR = "instructor"
FLAG_LABELS = {
    "muted": ("chat muted", "chat open"),
    "leaderboard": ("leaderboard shown", "leaderboard hidden"),
}
CHAT_HISTORY = 100  # messages a (re)joining page receives with its Welcome


class SessionError(RuntimeError):
    """A session that cannot be created or restored; the message says why."""


class RefusalError(Exception):
    """A client's request refused: a protocol error code and a reason for people."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class Clock:
    """The turn's countdown: running (a monotonic deadline) or stopped (seconds left)."""

    turn_seconds: float | None
    deadline: float | None = None
    left: float | None = None

    def new_turn(self, running: bool) -> None:
        """A fresh countdown for a new turn."""
        self.deadline, self.left = None, self.turn_seconds
        if running:
            self.resume()

    def pause(self) -> None:
        """Stop the countdown, keeping the seconds left."""
        if self.deadline is not None:
            self.left, self.deadline = max(self.deadline - time.monotonic(), 0.0), None

    def resume(self) -> None:
        """Run the countdown again."""
        if self.left is not None:
            self.deadline, self.left = time.monotonic() + self.left, None

    def extend(self, seconds: float, running: bool) -> None:
        """Give the turn more time (starting a countdown if there was none)."""
        if self.deadline is not None:
            self.deadline += seconds
        else:
            self.left = (self.left or 0.0) + seconds
            if running:
                self.resume()

    def remaining(self) -> float | None:
        """Seconds left, or None without a countdown."""
        if self.deadline is not None:
            return max(self.deadline - time.monotonic(), 0.0)
        return self.left

    def expired(self) -> bool:
        """True once a running countdown reaches zero."""
        return self.deadline is not None and time.monotonic() >= self.deadline


@dataclass
class TeamViews:
    """One team's encoded observation (whole, and as its page reads it) and legal menu."""

    observation: msgspec.Raw
    page_observation: msgspec.Raw
    legal: msgspec.Raw


@dataclass
class Views:
    """Encoded views of the current turn: the public ones at once, a team's on first use.

    A team's views are encoded when its State is first asked for, so the server can send each
    team its State while the next team's is still being prepared.
    """

    snapshot: msgspec.Raw = field(default_factory=lambda: p.NULL)
    map_snapshot: msgspec.Raw = field(default_factory=lambda: p.NULL)  # what a page draws
    teams: dict[str, TeamViews] = field(default_factory=dict)
    standings: list[dict[str, Any]] | None = None


class Session:
    """One classroom game: its world, its store, its clock and its seats."""

    def __init__(self, store: Store, meta: dict[str, Any]) -> None:
        self.store = store
        self.meta = meta
        self.teams: list[str] = list(meta["teams"])
        self.seed = int(meta["seed"])
        self.turns_total = int(meta["turns_total"])
        self.seat_modes: dict[str, str] = dict(meta["seats"])
        self.stored_phase: str = meta["phase"]
        self.muted: bool = bool(meta.get("muted", False))
        self.leaderboard_shown: bool = bool(meta.get("leaderboard", False))
        self.resolving = False
        self.clock = Clock(meta.get("turn_seconds"))
        self.pack: Pack | None = load_optional_pack(meta.get("pack"))
        self.injections = store.injections()
        self.views = Views()
        self.outline: WorldOutline | None = None
        self.rebuild()
        self.restore_clock(meta.get("clock"))

    def restore_clock(self, saved: dict | None) -> None:
        """The open turn's countdown as last saved (or a fresh one): a resume does not restart it."""
        self.clock.new_turn(running=False)
        if saved and saved.get("turn") == self.turn:
            left = saved.get("left")
            self.clock.left = None if left is None else max(float(left), 0.0)
        if self.phase == "open":
            self.clock.resume()

    def save_clock(self) -> None:
        """Persist the seconds left in the open turn, so a resumed session continues from there."""
        self.store.set_meta(clock={"turn": self.turn, "left": self.clock.remaining()})

    # --- creation and restoration -------------------------------------------------------

    @classmethod
    def create(
        cls,
        store: Store,
        scenario: Scenario,
        *,
        teams: list[str],
        seed: int | None,
        turns: int | None,
        turn_seconds: float | None,
        pack: str | None,
        code_digests: dict[str, str],
    ) -> Session:
        """A new session in an empty store (teams: countries' ISO3 codes or firms' ids, see `seat_list`)."""
        unknown = [t for t in teams if t not in seat_names(scenario)]
        if unknown:
            raise SessionError(f"teams not in {scenario.id}: {', '.join(unknown)} ({known_seats(scenario)})")
        if len(set(teams)) != len(teams) or not teams:
            raise SessionError("--teams needs one or more distinct ISO3 codes or firm ids")
        store.set_meta(
            format=STORE_FORMAT,
            scenario_id=scenario.id,
            scenario_content=scenario.content,
            scenario_hash=scenario.hash,
            seed=scenario.spec.scenario.seed if seed is None else seed,
            teams=teams,
            turns_total=turns or scenario.spec.scenario.turns,
            turn_seconds=turn_seconds,
            pack=pack,
            code_digests=code_digests,
            phase="lobby",
            seats=dict.fromkeys(teams, "human"),
            created_at=time.time(),
        )
        return cls(store, store.meta())

    @classmethod
    def restore(cls, store: Store) -> Session:
        """The session of a store, rebuilt by replaying its turns (hashes checked)."""
        if store.is_new():
            raise SessionError(f"{store.path}: no session to resume")
        meta = store.meta()
        if meta.get("format") != STORE_FORMAT:
            raise SessionError(f"{store.path}: session format {meta.get('format')} is not {STORE_FORMAT}")
        return cls(store, meta)

    def scenario(self) -> Scenario:
        """The session's scenario: the stored content plus the events the instructor injected."""
        content = dict(self.meta["scenario_content"])
        content["events"] = [*content.get("events", []), *self.injections]
        try:
            return scenario_from_content(content, origin=f"{self.meta['scenario_id']}.toml")
        except ScenarioError as error:
            raise SessionError(f"stored scenario is invalid: {error}") from None

    def rebuild(self) -> None:
        """Rebuild the world from the store: replay every active turn and check its hash."""
        self.model, self.seats = seated_world(self.scenario(), self.seed, self.teams)
        self.start_snapshot = self.model.snapshot()
        turns = self.store.turns()
        for record in turns:
            play_turn(self.model, {team: o["actions"] for team, o in record.orders.items()})
            if self.model.hashes[-1] != record.state_hash:
                raise SessionError(
                    f"turn {record.turn} replays to state {self.model.hashes[-1][:12]}…, "
                    f"not the stored {record.state_hash[:12]}… (engine or data changed)"
                )
        self.orders = self.store.standing_orders(self.model.turn)
        self.defaulted = turns[-1].defaulted if turns else []
        self.refresh_views()

    def refresh_views(self) -> None:
        """Encode this turn's public snapshot (whole and as pages draw it); teams' views follow on use."""
        snapshot = self.model.snapshot()
        self.views = Views(
            snapshot=msgspec.Raw(msgspec.json.encode(snapshot)),
            map_snapshot=msgspec.Raw(msgspec.json.encode(page_snapshot(snapshot, self.words))),
        )

    def team_views(self, team: str) -> TeamViews:
        """A team's encoded observation and legal menu for this turn (computed once)."""
        views = self.views.teams.get(team)
        if views is None:
            if team in self.model.firms:  # a firm's dashboard is small: pages get all of it
                dashboard = firm_dashboard(self.model, team, self.seats[team].fallback)
                whole = page = msgspec.json.encode(dashboard)
            else:
                observation = self.model.observe(team)
                whole = msgspec.json.encode(observation)
                page = msgspec.json.encode(page_observation(observation, self.turn - 1))
            views = TeamViews(
                observation=msgspec.Raw(whole),
                page_observation=msgspec.Raw(page),
                legal=msgspec.Raw(msgspec.json.encode(self.model.legal_actions(team))),
            )
            self.views.teams[team] = views
        return views

    # --- what clients see ---------------------------------------------------------------

    @property
    def turn(self) -> int:
        """The open turn (0-based): how many turns were played."""
        return self.model.turn

    @property
    def phase(self) -> str:
        """lobby, open, paused, resolving or finished."""
        return "resolving" if self.resolving else self.stored_phase

    def info(self) -> p.SessionInfo:
        """What the session is."""
        names = seat_names(self.model.world_scenario)
        return p.SessionInfo(
            scenario=self.meta["scenario_id"],
            title=self.model.world_scenario.spec.scenario.title,
            teams=self.teams,
            team_names={t: names[t] for t in self.teams},
            seed=self.seed,
            turns_total=self.turns_total,
            turn_seconds=self.clock.turn_seconds,
            pack=self.pack.pack.id if self.pack else None,
        )

    def welcome(self, seat: str, name: str = "") -> p.Welcome:
        """The Welcome for a team or the instructor (with the messages the seat may read)."""
        world = self.world_outline()
        chat = self.chat_history(seat)
        if seat == INSTRUCTOR:
            return p.Welcome(
                role="instructor",
                team=None,
                session=self.info(),
                world=world,
                pack=self.pack_summary(),
                chat=chat,
                name=name,
            )
        spec = self.model.world_scenario.spec
        country = next((c for c in spec.countries if c.iso3 == seat), None)
        firm = next((f for f in spec.firms if f.id == seat), None)
        card = self.pack.role_card(seat) if self.pack else None
        return p.Welcome(
            role="team",
            team=seat,
            session=self.info(),
            country=msgspec.to_builtins(country) if country else None,
            firm=firm_record(firm) if firm else None,
            role_card=card,
            world=world,
            chat=chat,
            name=name,
        )

    def chat_history(self, seat: str) -> list[p.ChatMessage]:
        """The latest logged messages a seat may read (the instructor reads them all)."""
        readable = [
            m
            for m in self.store.messages()
            if seat == INSTRUCTOR or m["sender"] == seat or m["to"] in ("all", seat)
        ]
        return [
            p.ChatMessage(sender=m["sender"], to=m["to"], text=m["text"], turn=m["turn"], name=m["name"])
            for m in readable[-CHAT_HISTORY:]
        ]

    def pack_summary(self) -> dict | None:
        """What the instructor's page needs of the pack: its injects, agenda and rubric."""
        if self.pack is None:
            return None
        pack = self.pack
        return {
            "id": pack.pack.id,
            "title": pack.pack.title,
            "injects": [{"id": i.id, "title": i.title, "note": i.note} for i in pack.injects],
            "agenda": [msgspec.to_builtins(item) for item in pack.agenda],
            "rubric": [msgspec.to_builtins(item) for item in pack.rubric],
            "debrief": list(pack.debrief),
        }

    @functools.cached_property
    def words(self) -> EventWords:
        """The scenario's names, for event sentences on the pages (core/event_words.py)."""
        return event_words(self.model.world_scenario)

    def world_outline(self) -> WorldOutline:
        """The scenario as a client's screens read it (sent with the Welcome; without its script)."""
        if self.outline is None:
            self.outline = scenario_outline(self.model.world_scenario, turns=self.turns_total, script=False)
        return self.outline

    def submitted(self) -> list[str]:
        """Teams whose orders for the open turn are in (human seats only)."""
        return [t for t in self.teams if t in self.orders and self.seat_modes[t] == "human"]

    def last_defaulted(self) -> list[str]:
        """Teams that got default orders in the last resolved turn."""
        return list(self.defaulted)

    def state(self, seat: str, view: p.View = "full") -> p.State:
        """The State message for a team or the instructor, with the snapshot `view` asks for."""
        team = seat if seat in self.teams else None
        standing = self.orders.get(team) if team else None
        views = self.views
        mine = self.team_views(team) if team else None
        return p.State(
            turn=self.turn,
            date=self.model.date,
            phase=self.phase,
            turns_total=self.turns_total,
            deadline_in=self.clock.remaining(),
            submitted=self.submitted(),
            seats=dict(self.seat_modes),
            orders=p.Orders(
                submission_id=standing.submission_id,
                actions=standing.actions,
                name=standing.name,
                reasoning=standing.reasoning,
            )
            if standing
            else None,
            last_defaulted=self.last_defaulted(),
            muted=self.muted,
            observation=(mine.page_observation if view == "map" else mine.observation) if mine else p.NULL,
            legal=mine.legal if mine else p.NULL,
            snapshot={"full": views.snapshot, "map": views.map_snapshot}.get(view, p.NULL),
        )

    def progress(self, connected: dict[str, int]) -> p.Progress:
        """The Progress message: clock, submissions and open connections per seat."""
        return p.Progress(
            turn=self.turn,
            phase=self.phase,
            deadline_in=self.clock.remaining(),
            submitted=self.submitted(),
            seats=dict(self.seat_modes),
            connected=connected,
            muted=self.muted,
            leaderboard=self.leaderboard() if self.leaderboard_shown else None,
        )

    def leaderboard(self) -> list[dict[str, Any]]:
        """The standings after the last turn (see `leaderboard.standings`), computed once per turn."""
        if self.views.standings is None:
            now = msgspec.json.decode(bytes(self.views.snapshot), type=type(self.start_snapshot))
            self.views.standings = standings(
                self.pack, self.teams, self.info().team_names, now, self.start_snapshot
            )
        return self.views.standings

    def status(self, connected: dict[str, int], people: dict[str, list[str]] | None = None) -> p.Status:
        """The instructor's view; `connected` counts open connections per seat, `people` names them."""
        people = people or {}
        names = self.info().team_names
        teams = [
            p.TeamStatus(
                team=t,
                name=names[t],
                seat=self.seat_modes[t],
                connected=connected.get(t, 0),
                submitted=t in self.submitted(),
                submission_id=self.orders[t].submission_id if t in self.orders else None,
                people=people.get(t, []),
                submitted_by=self.orders[t].name if t in self.orders else "",
            )
            for t in self.teams
        ]
        return p.Status(
            scenario=self.meta["scenario_id"],
            phase=self.phase,
            turn=self.turn,
            date=self.model.date,
            turns_total=self.turns_total,
            deadline_in=self.clock.remaining(),
            teams=teams,
            instructors=connected.get(INSTRUCTOR, 0),
            state_hash=self.model.hashes[-1] if self.model.hashes else "",
            resolved_turns=len(self.model.hashes),
            last_defaulted=self.last_defaulted(),
            muted=self.muted,
            leaderboard=self.leaderboard_shown,
            injected=[e["title"] for e in self.injections if e.get("turn") == self.turn],
        )

    # --- teams --------------------------------------------------------------------------

    def submit(self, team: str, message: p.Submit, name: str = "") -> p.Ack:
        """Store a team's orders for the open turn and acknowledge them (idempotent by id).

        `name` is the person who sent them; the orders keep it and the team's reasoning.
        """
        stored = self.store.submission(team, message.submission_id)
        if stored is not None:
            return ack(stored, duplicate=True)
        self.require_phase("open", "paused", action="take orders")
        if message.turn != self.turn:
            raise RefusalError(
                "stale", f"orders for turn {message.turn} refused: the open turn is {self.turn}"
            )
        verdicts, accepted = self.judge(team, message.actions)
        record = SubmissionRecord(
            team=team,
            turn=self.turn,
            submission_id=message.submission_id,
            actions=accepted,
            verdicts=verdicts,
            received_at=time.time(),
            name=name,
            reasoning=message.reasoning.strip(),
        )
        self.store.add_submission(record)
        self.orders[team] = record
        if self.seat_modes[team] == "ai":
            self.set_seat(team, "human", actor=team)
        return ack(record)

    def judge(self, team: str, raw_actions: list[dict]) -> tuple[list[str | None], list[dict]]:
        """One verdict per action (None = accepted) and the accepted actions in canonical form."""
        verdicts: list[str | None] = []
        accepted: list[dict] = []
        for raw in raw_actions:
            try:
                action = action_from_dict(raw)
            except ActionFormatError as error:
                verdicts.append(plain_reason(str(error)))
                continue
            if team in self.model.firms:
                reason = self.model.seat_problem(team, action) or self.model.check(action)
            elif action.country != team:
                reason = f"acts for another team ({action.country}); you play {team}"
            else:
                reason = self.model.check(action)
            verdicts.append(plain_reason(reason) if reason else None)
            if reason is None:
                accepted.append(action_to_dict(action))
        return verdicts, accepted

    def check(self, team: str, raw_actions: list[dict]) -> list[str | None]:
        """Verdicts on actions without submitting them."""
        self.require_phase("lobby", "open", "paused", action="check orders")
        return self.judge(team, raw_actions)[0]

    def chat(self, sender: str, message: p.Chat, name: str = "") -> p.ChatMessage:
        """Log a message between teams (or with the instructor) and return it for delivery.

        While the chat is muted, teams may still write to the instructor.
        """
        to = message.to if message.to in ("all", INSTRUCTOR) else self.require_team(message.to)
        if self.muted and sender != INSTRUCTOR and to != INSTRUCTOR:
            raise RefusalError(
                "forbidden", "the instructor has paused the chat: only messages to them go through"
            )
        self.store.add_message(self.turn, sender, to, message.text, name)
        return p.ChatMessage(sender=sender, to=to, text=message.text, turn=self.turn, name=name)

    # --- the instructor -----------------------------------------------------------------

    def start(self) -> str:
        """Open the first turn and start the clock."""
        self.require_phase("lobby", action="start")
        self.set_phase("open")
        self.clock.new_turn(running=True)
        self.save_clock()
        return f"session started: turn {self.turn} ({self.model.date}) is open"

    def pause(self) -> str:
        """Stop the clock (orders are still taken)."""
        self.require_phase("open", action="pause")
        self.clock.pause()
        self.set_phase("paused")
        self.save_clock()
        return "paused"

    def resume(self) -> str:
        """Run the clock again."""
        self.require_phase("paused", action="resume")
        self.clock.resume()
        self.set_phase("open")
        self.save_clock()
        return "resumed"

    def extend(self, seconds: float) -> str:
        """More time for this turn."""
        self.require_phase("open", "paused", action="extend the turn")
        self.clock.extend(seconds, running=self.phase == "open")
        self.save_clock()
        return f"turn extended by {seconds:g} s; {self.clock.remaining() or 0:.0f} s left"

    def replace(self, team: str) -> str:
        """Let the AI play a team (until the team submits again)."""
        team = self.require_team(team)
        self.set_seat(team, "ai", actor=INSTRUCTOR)
        return f"{team} is played by its AI doctrine until it submits again"

    def give_back(self, team: str) -> str:
        """Give a team played by the AI back to its students."""
        team = self.require_team(team)
        if self.seat_modes[team] == "human":
            raise RefusalError("phase", f"{team} is already played by its students")
        self.set_seat(team, "human", actor=INSTRUCTOR)
        return f"{team} is played by its students again (default orders if they send none)"

    def revoke(self, seat: str) -> str:
        """A new join code for a team; the old one stops working. Returns the new code."""
        seat = self.require_team(seat)
        code = codes.new_code()
        digests = {**self.meta["code_digests"], seat: codes.digest(code)}
        self.meta["code_digests"] = digests
        self.store.set_meta(code_digests=digests)
        self.store.log(self.turn, INSTRUCTOR, "revoke", f"new code for {seat}")
        return code

    def keep_codes_file(self, path: Path) -> None:
        """Remember where the join codes are written, so a reissued code goes there too."""
        self.meta["codes_file"] = str(Path(path).resolve())
        self.store.set_meta(codes_file=self.meta["codes_file"])

    @property
    def codes_file(self) -> Path | None:
        """The file the session's join codes were written to (None for sessions that did not say)."""
        stored = self.meta.get("codes_file")
        return Path(stored) if stored else None

    def set_flag(self, flag: str, value: bool) -> str:
        """Mute or unmute the chat ('muted'), show or hide the leaderboard ('leaderboard')."""
        if flag == "muted":
            self.muted = value
        else:
            self.leaderboard_shown = value
        self.store.set_meta(**{flag: value})
        self.store.log(self.turn, INSTRUCTOR, flag, "on" if value else "off")
        return FLAG_LABELS[flag][0 if value else 1]

    def require_team(self, team: str) -> str:
        """The session's seat a name means, whatever its case ('KABIL' is 'kabil'); refused if none."""
        seat = {t.casefold(): t for t in self.teams}.get(team.casefold())
        if seat is None:
            raise RefusalError("unknown", f"no team {team} in this session")
        return seat

    def inject(self, text: str) -> str:
        """Add an event to the open turn: a pack inject's id or a scenario event as JSON."""
        self.require_phase("lobby", "open", "paused", action="inject an event")
        event = self.event_from(text)
        previous = self.injections
        self.injections = [*previous, event]
        try:
            self.scenario()
        except SessionError as error:
            self.injections = previous
            raise RefusalError("malformed", f"bad event: {error}") from None
        self.store.add_injection(self.turn, event)
        self.rebuild()
        self.store.log(self.turn, INSTRUCTOR, "inject", json.dumps(event))
        return f"event '{event['title']}' will strike when turn {self.turn} is resolved"

    def withdraw(self, name: str) -> str:
        """Take back an event injected into the open turn, by its title or pack inject id."""
        self.require_phase("lobby", "open", "paused", action="withdraw an event")
        named = self.pack.inject(name.strip()) if self.pack else None
        title = named.title if named is not None else name.strip()
        if not self.store.withdraw_injection(self.turn, title):
            standing = [e["title"] for e in self.injections if e.get("turn") == self.turn]
            raise RefusalError(
                "unknown",
                f"no event '{title}' injected into turn {self.turn} "
                f"(standing: {', '.join(standing) or 'none'})",
            )
        self.injections = self.store.injections()
        self.rebuild()
        self.store.log(self.turn, INSTRUCTOR, "withdraw", title)
        return f"event '{title}' withdrawn from turn {self.turn}"

    def event_from(self, text: str) -> dict:
        """A scenario event record for the open turn from an inject id or JSON."""
        named = self.pack.inject(text.strip()) if self.pack else None
        if named is not None:
            data: Any = named.event()
        else:
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                names = ", ".join(i.id for i in self.pack.injects) if self.pack else "none"
                raise RefusalError("malformed", f"not a pack inject ({names}) nor a JSON event") from None
        if not isinstance(data, dict):
            raise RefusalError("malformed", "an event is a JSON object")
        problem = event_problem(data)
        if problem:
            raise RefusalError("malformed", f"bad event: {problem}")
        return {
            "title": "Instructor event",
            "source": "injected by the instructor during the session",
            **data,
            "turn": self.turn,
        }

    def undo(self) -> str:
        """Take back the last resolved turn: the teams' orders for it stand again."""
        self.require_phase("open", "paused", "finished", action="undo")
        turn = self.store.undo_last_turn()
        if turn is None:
            raise RefusalError("phase", "no resolved turn to undo")
        self.reopen()
        self.store.log(self.turn, INSTRUCTOR, "undo", f"turn {turn}")
        return (
            f"turn {turn} undone with its injected events; paused on turn {self.turn} "
            "with its orders as submitted"
        )

    def rollback(self, turn: int) -> str:
        """Go back to a chosen turn: every turn from it on is undone, its orders stand again."""
        self.require_phase("open", "paused", "finished", action="roll back")
        if turn >= self.turn:
            raise RefusalError(
                "phase", f"turn {turn} is not resolved yet: roll back to a turn before {self.turn}"
            )
        undone = self.store.undo_turns_from(turn)
        self.reopen()
        self.store.log(self.turn, INSTRUCTOR, "rollback", f"to turn {turn} ({undone} turns undone)")
        return f"rolled back to turn {turn} ({self.model.date}): {undone} turns undone; paused"

    def reopen(self) -> None:
        """After undoing turns: rebuild the world without their injects and pause on the open turn."""
        self.injections = self.store.injections()
        self.rebuild()
        self.set_phase("paused")
        self.clock.new_turn(running=False)
        self.save_clock()

    def begin_resolve(self, expected_turn: int | None = None) -> None:
        """Claim the world for resolving the open turn (refused unless that turn is open)."""
        self.require_phase("open", "paused", action="advance")
        if expected_turn is not None and expected_turn != self.turn:
            raise RefusalError("stale", f"turn {expected_turn} is already resolved; turn {self.turn} is open")
        self.resolving = True

    def resolve(self) -> TurnRecord:
        """Play the open turn: teams' orders, default orders for the others. Stored before return.

        Call `begin_resolve` first; the server runs this in a worker thread while `resolving` is
        set, so nothing else touches the world meanwhile. If the engine fails, the world is
        rebuilt from the store (nothing is half-played) and the failure is reported.
        """
        try:
            return self.play_open_turn()
        except Exception as error:
            self.rebuild()
            raise RefusalError(
                "engine", f"the engine could not resolve turn {self.turn}: {error!r}"
            ) from error
        finally:
            self.resolving = False

    def play_open_turn(self) -> TurnRecord:
        """Resolve, store and move on; returns the stored record."""
        orders = {t: self.orders[t] for t in self.submitted()}
        turn = self.turn
        play_turn(self.model, {t: o.actions for t, o in orders.items()})
        self.refresh_views()
        record = TurnRecord(
            turn=turn,
            date=played_date(self.model, turn),
            state_hash=self.model.hashes[-1],
            orders={t: {"submission_id": o.submission_id, "actions": o.actions} for t, o in orders.items()},
            defaulted=[t for t in self.teams if t not in orders],
            seats=dict(self.seat_modes),
            actions=self.model.action_log[-1],
            events=[msgspec.to_builtins(e) for e in self.model.events if e.turn == turn],
            snapshot=bytes(self.views.snapshot).decode(),
            resolved_at=time.time(),
        )
        self.store.add_turn(record)
        self.orders, self.defaulted = {}, record.defaulted
        self.after_turn()
        return record

    def after_turn(self) -> None:
        """Move the phase on after a resolved turn and restart the clock."""
        if self.turn >= self.turns_total:
            self.set_phase("finished")
            self.clock.new_turn(running=False)
            self.clock.left = None
        else:
            self.clock.new_turn(running=self.stored_phase == "open")
        self.save_clock()

    def require_phase(self, *phases: str, action: str) -> None:
        """Refuse unless the session is in one of `phases`."""
        if self.resolving:
            raise RefusalError("busy", f"cannot {action}: the turn is being resolved")
        if self.stored_phase not in phases:
            hint = " (the instructor has not started it)" if self.stored_phase == "lobby" else ""
            raise RefusalError("phase", f"cannot {action} while the session is {self.stored_phase}{hint}")

    def set_phase(self, phase: str) -> None:
        """Change and persist the phase."""
        self.stored_phase = phase
        self.store.set_meta(phase=phase)

    def set_seat(self, team: str, mode: str, actor: str) -> None:
        """Change and persist who plays a team."""
        self.seat_modes[team] = mode
        self.store.set_meta(seats=self.seat_modes)
        self.store.log(self.turn, actor, "seat", f"{team} -> {mode}")


def seat_list(scenario: Scenario, text: str) -> list[str]:
    """The seats a comma-separated list names ('IND,chn,kabil'), as the scenario spells them."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    seats = [seat_of(scenario, name) for name in names]
    unknown = [name for name, seat in zip(names, seats, strict=True) if seat is None]
    if unknown:
        raise SessionError(f"teams not in {scenario.id}: {', '.join(unknown)} ({known_seats(scenario)})")
    return [seat for seat in seats if seat is not None]


def known_seats(scenario: Scenario) -> str:
    """What a team may play in a scenario, for error messages."""
    spec = scenario.spec
    firms = ", ".join(f.id for f in spec.firms)
    return f"countries: {', '.join(c.iso3 for c in spec.countries)}" + (f"; firms: {firms}" if firms else "")


def firm_record(firm) -> dict[str, Any]:
    """What a firm seat's Welcome says of the firm (its assets are on its dashboard)."""
    return {
        "id": firm.id,
        "name": firm.name,
        "country": firm.country,
        "kind": firm.kind,
        "mandate": firm.goal,
        "budget_usd_m": firm.budget_usd_m,
    }


def played_date(model: WorldModel, turn: int) -> str:
    """The quarter of a played turn (the model's date is the next one's)."""
    year, quarter = model.world_scenario.spec.scenario.start.split("Q")
    return quarter_label(int(year), int(quarter), turn)


def event_problem(event: dict) -> str | None:
    """What an injected event lacks for the engine to play it (the fields its kind needs)."""
    kind = event.get("kind")
    if kind == "action":
        if not isinstance(event.get("action"), dict):
            return "an 'action' event needs an action object"
        try:
            action_from_dict({"country": event.get("country"), **event["action"]})
        except ActionFormatError as error:
            return str(error)
    elif kind == "disruption" and not (event.get("mineral") and event.get("stage")):
        return "a disruption needs a mineral and a stage"
    elif kind in ("demand_shock", "discovery") and not event.get("mineral"):
        return f"a {kind} needs a mineral"
    return None


def ack(record: SubmissionRecord, duplicate: bool = False) -> p.Ack:
    """The acknowledgement of a stored submission."""
    return p.Ack(
        submission_id=record.submission_id,
        turn=record.turn,
        verdicts=record.verdicts,
        accepted=len(record.actions),
        duplicate=duplicate,
        name=record.name,
        actions=record.actions,
        reasoning=record.reasoning,
    )
