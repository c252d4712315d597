"""`critmin join`: play a team's seat, in a game window if one can open, else here.

The CLI hands `run_join` the windows it can open (`SeatWindows`: the pygame UI's game screens on a
joined `RemoteWorld`, see remote.py; the classroom imports no other front end). Without them,
without a display, or with `--text`, this module's line client shows each turn's state and takes
orders from the keyboard.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Protocol

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from critmin.classroom import protocol as p
from critmin.classroom.client import SessionClient
from critmin.classroom.remote import RemoteWorld

HELP = """commands:
  menu               the legal actions this turn, numbered
  add N | add JSON   add menu item N (or an action as JSON) to your draft orders
  orders             your draft and the orders the server holds for this turn
  clear              empty the draft
  check              ask the server whether the draft would be accepted
  send               submit the draft as your orders for this turn (replaces earlier ones)
  say TO TEXT        message 'all', a team (ISO3) or 'instructor' (messages are logged)
  state              show the state again
  quit               leave"""


class SeatWindows(Protocol):
    """Game windows on a joined remote world (the CLI's `critmin.launcher.PygameWindows`)."""

    def missing(self) -> str | None:
        """Why no window can open here, or None."""

    def team(self, world: RemoteWorld) -> int | None:
        """A team's game screens until the window closes; None when no display can show them."""

    def instructor(self, world: RemoteWorld, projector: bool) -> int | None:
        """The instructor's room over the map; None when no display can show it."""


NO_WINDOW = "Cannot open a window here (no display); starting the text client instead."
FIRM_IN_TEXT = (
    "The game window plays countries; this code is a state firm's seat: its dashboard and orders "
    "are in the text client (or the browser page)."
)


class TextClient:
    """A terminal client for one team: prints the state, reads commands from stdin."""

    def __init__(self, client: SessionClient, console: Console) -> None:
        self.client = client
        self.console = console
        self.draft: list[dict] = []
        self.awaiting_ack = False

    async def run(self) -> int:
        """Play until the session finishes or the user quits."""
        await self.client.open()
        if self.client.welcome is None or self.client.welcome.role != "team":
            self.console.print("this code is not a team's; the instructor uses `critmin instructor`")
            return 2
        self.show_welcome(self.client.welcome)
        receiver = asyncio.create_task(self.receive())
        try:
            await self.first_state()
            await self.read_commands()
            await self.flush()
        finally:
            receiver.cancel()
            await self.client.close()
        return 0

    async def first_state(self, timeout: float = 10.0) -> None:
        """Wait (a little) for the turn's state, so that commands typed ahead act on it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.client.state is None and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)

    async def flush(self, timeout: float = 10.0) -> None:
        """Before leaving, wait (a little) until the server acknowledged the orders sent."""
        deadline = asyncio.get_running_loop().time() + timeout
        while (self.client.pending or self.awaiting_ack) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        if self.client.pending or self.awaiting_ack:
            self.console.print("[red]your last orders were not acknowledged; send them again when back[/]")

    async def receive(self) -> None:
        """Print what the server sends."""
        while True:
            message = await self.client.recv()
            self.show(message)

    async def read_commands(self) -> None:
        """Read and run commands until 'quit' or end of input."""
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line or line.strip() in ("quit", "exit"):
                return
            try:
                await self.run_command(line.strip())
            except (ValueError, IndexError, KeyError) as error:
                self.console.print(f"[red]{escape(str(error))}[/]")

    async def run_command(self, line: str) -> None:
        """One command line."""
        word, _, rest = line.partition(" ")
        state = self.client.state
        if word == "menu" and state is not None:
            for number, action in enumerate(p.decode_raw(state.legal) or []):
                self.console.print(f"{number:3d}  {escape(json.dumps(action))}")
        elif word == "add" and state is not None:
            menu = p.decode_raw(state.legal) or []
            self.draft.append(menu[int(rest)] if rest.strip().isdigit() else json.loads(rest))
            self.console.print(f"draft: {len(self.draft)} action(s)")
        elif word == "orders":
            self.console.print(f"draft: {escape(json.dumps(self.draft))}")
            held = state.orders if state is not None else None
            self.console.print(f"held by the server: {escape(json.dumps(held.actions)) if held else 'none'}")
        elif word == "clear":
            self.draft = []
        elif word == "check":
            await self.client.send(p.Check(actions=self.draft, ref="check"))
        elif word == "send" and state is not None:
            self.awaiting_ack = True
            await self.client.submit(state.turn, list(self.draft))
        elif word == "say":
            to, _, text = rest.partition(" ")
            await self.client.send(p.Chat(to=to, text=text))
        elif word == "state" and state is not None:
            self.show(state)
        elif word:
            self.console.print(HELP)

    # --- display ------------------------------------------------------------------------

    def show_firm(self, dashboard: p.FirmDashboard) -> None:
        """A firm seat's dashboard."""
        for line in firm_lines(dashboard):
            self.console.print(escape(line))

    def show_welcome(self, welcome: p.Welcome) -> None:
        """Who we are, and the role card if the session has a teaching pack."""
        info = welcome.session
        self.console.print(
            f"[bold]{info.title}[/] — you play {welcome.team} "
            f"({escape(info.team_names.get(welcome.team or '', ''))}); type 'help'"
        )
        for role in (welcome.role_card or {}).get("roles", []):
            self.console.print(f"\n[bold]{escape(role['title'])}[/]\n{escape(role['brief'])}")
            for secret in role.get("private", []):
                self.console.print(f"  [magenta]private:[/] {escape(secret)}")

    def show(self, message: p.ServerMessage) -> None:
        """Print one message."""
        if isinstance(message, p.State):
            self.show_state(message)
        elif isinstance(message, p.Progress):
            left = f", {message.deadline_in:.0f} s left" if message.deadline_in is not None else ""
            self.console.print(
                f"[dim]turn {message.turn} {message.phase}{left}; in: {', '.join(message.submitted)}[/]"
            )
        elif isinstance(message, p.Ack):
            self.awaiting_ack = False
            refused = [f"#{i}: {v}" for i, v in enumerate(message.verdicts) if v]
            by = f" from {escape(message.name)}" if message.name else ""
            self.console.print(
                f"[green]orders stored{by}[/] ({message.accepted} accepted) {escape('; '.join(refused))}"
            )
        elif isinstance(message, p.Verdicts):
            self.console.print(f"check: {escape(json.dumps(message.verdicts))}")
        elif isinstance(message, p.ChatMessage):
            who = f"{escape(message.name)} ({message.sender})" if message.name else message.sender
            self.console.print(f"[cyan]{who} → {message.to}:[/] {escape(message.text)}")
        elif isinstance(message, p.Error):
            self.console.print(f"[red]refused ({message.code}):[/] {escape(message.reason)}")

    def show_state(self, state: p.State) -> None:
        """The turn, the team's lines and its news (a firm seat: the firm's dashboard)."""
        self.console.rule(f"turn {state.turn}/{state.turns_total} {state.date} — {state.phase}")
        if self.client.welcome is not None and self.client.welcome.firm is not None:
            dashboard = p.decode_firm(state)
            if dashboard is not None:
                self.show_firm(dashboard)
            return
        observation = p.decode_observation(state)
        if observation is None:
            return
        table = Table(
            "mineral", "stage", "price", "demand", "consumption", "shortage", "imports", "stockpile"
        )
        for view in observation.minerals:
            if view.demand or view.shortage:
                table.add_row(
                    view.mineral,
                    view.stage,
                    f"{view.price_usd_per_kg:,.1f}",
                    f"{view.demand:,.0f}",
                    f"{view.consumption:,.0f}",
                    f"{view.shortage:,.0f}",
                    f"{view.imports:,.0f}",
                    f"{view.stockpile:,.0f}",
                )
        self.console.print(table)
        self.console.print(
            f"treasury: USD {observation.treasury_usd_m:,.0f} m; inbox: {len(observation.inbox)} "
            f"proposal(s); last turn's defaults: {', '.join(state.last_defaulted) or 'none'}"
        )
        for item in observation.news[-8:]:
            self.console.print(f"  · {escape(str(item.get('detail', item)))}")


def words(key: str) -> str:
    """An identifier as words ('supply_security' -> 'supply security')."""
    return key.replace("_", " ")


def firm_lines(dashboard: p.FirmDashboard) -> list[str]:
    """A firm seat's dashboard as lines of text: money, holdings, record and advice."""
    lines = [
        f"{dashboard.name}, mandate {words(dashboard.mandate)}: "
        f"cash USD {dashboard.cash_usd_m:,.1f} m, earned USD {dashboard.earnings_usd_m:,.2f} m last turn"
    ]
    lines += [
        f"  holds {h.share:.2%} of {h.country}'s {h.mineral} {h.stage} "
        f"({h.production_tonnes:,.0f} t produced last turn)"
        for h in dashboard.holdings
    ] or ["  holds no producing line yet"]
    lines += [f"  · {item['detail']}" for item in dashboard.record[-5:]]
    lines += [f"  advice: {words(item['type'])} — {item.get('reason', '')}" for item in dashboard.advice]
    return lines


def run_join(
    address: str,
    code: str,
    *,
    text: bool,
    console: Console,
    name: str = "",
    windows: SeatWindows | None = None,
    retry_for: float = 60.0,
) -> int:
    """Open a game window on a remote seat if it can, else the text client (`name`: the player's).

    `retry_for`: seconds to keep trying to reach the server (it may still be starting).
    """
    missing = "no game window was given" if windows is None else windows.missing()
    if not text and missing is None:
        world = RemoteWorld(address, code, name=name, retry_for=retry_for).connect()
        if world.is_instructor:
            world.close()
            console.print("this code is the instructor's: use `critmin instructor ADDRESS --code C view`")
            return 2
        if world.welcome.firm is not None:
            world.close()
            console.print(f"[yellow]{FIRM_IN_TEXT}[/]")
            return asyncio.run(TextClient(text_client(address, code, name, retry_for), console).run())
        outcome = windows.team(world)
        if outcome is not None:
            return int(outcome)
        world.close()
        console.print(f"[yellow]{NO_WINDOW}[/]")
    elif not text:
        console.print(f"[yellow]The game window cannot open: {escape(missing)}; starting the text client.[/]")
    return asyncio.run(TextClient(text_client(address, code, name, retry_for), console).run())


def text_client(address: str, code: str, name: str, retry_for: float = 60.0) -> SessionClient:
    """The text client's connection (no snapshot: it prints the team's own view)."""
    return SessionClient(address, code, snapshot=False, label="join-text", name=name, retry_for=retry_for)
