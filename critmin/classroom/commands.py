"""Sub-commands of the classroom layer (the CLI asks `register` to add them).

`serve`, `bot`, `instructor`, `join`, `debrief` and `pack`. Heavy or optional dependencies
(websockets, matplotlib, the engine) are imported only when a command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from critmin.classroom.listen import NewState, check_listen, port_number
from critmin.core.console import EXIT_FAILED, EXIT_OK, UserError, command, err, out, positive_int, user_errors

if TYPE_CHECKING:
    from critmin.classroom.join import SeatWindows

CODE_ENV = "CRITMIN_CODE"


def register(commands, windows: SeatWindows | None = None) -> None:
    """Add this layer's sub-commands to the `critmin` parser.

    `windows` opens game windows on a joined seat (`critmin join`, `critmin instructor ... view`);
    without it those commands use the terminal.
    """
    add_serve(commands)
    add_bot(commands)
    add_instructor(commands).set_defaults(windows=windows)
    add_join(commands).set_defaults(windows=windows)
    add_debrief(commands)
    add_pack(commands)


def add_code(sub: argparse.ArgumentParser) -> None:
    """The address and join-code arguments of a client command."""
    sub.add_argument("address", metavar="HOST:PORT", help="the session server, e.g. 192.168.1.20:8765")
    sub.add_argument(
        "--code",
        default=os.environ.get(CODE_ENV),
        help=f"join code (default: the {CODE_ENV} environment variable)",
    )


def require_code(args: argparse.Namespace) -> str:
    """The join code, or a user error."""
    if not args.code:
        raise UserError(f"give the join code with --code or the {CODE_ENV} environment variable")
    return args.code


def need_websockets() -> None:
    """A clear message when the classroom extra is not installed."""
    try:
        import websockets  # noqa: F401
    except ImportError:
        raise UserError("the classroom needs websockets: pip install 'critmin[classroom]'") from None


def client_errors(run):
    """Run a client coroutine, turning refusals and lost connections into user errors."""
    from critmin.classroom.client import ConnectionLostError, JoinError

    try:
        return asyncio.run(run)
    except (JoinError, ConnectionLostError, ValueError) as error:
        raise UserError(str(error)) from None
    except TimeoutError:
        raise UserError("the server did not answer in time: is the session still running?") from None


# --- serve --------------------------------------------------------------------------------


def add_serve(commands) -> None:
    """`critmin serve SCENARIO --teams ISO3,... --state DIR ...`."""
    sub = command(
        commands,
        "serve",
        serve_command,
        "Run a classroom session server: teams join with codes, the instructor runs the clock.",
    )
    sub.add_argument("scenario", help="packaged scenario name or TOML path")
    sub.add_argument("--teams", help="the seats played by teams, countries or state firms: IND,CHN,USA,kabil")
    sub.add_argument("--state", type=Path, required=True, help="directory for the session database and codes")
    sub.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 for the classroom network)",
    )
    sub.add_argument("--port", type=port_number, default=8765, help="port (default 8765; 0 picks a free one)")
    sub.add_argument(
        "--codes-file", type=Path, help="where to write the join codes (default STATE/codes.json)"
    )
    sub.add_argument(
        "--resume", action="store_true", help="continue the session in STATE after a stop or crash"
    )
    sub.add_argument(
        "--turn-seconds", type=float, help="time per turn; missing teams then get default orders"
    )
    sub.add_argument("--turns", type=positive_int, help="turns in the session (default: the scenario's)")
    sub.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    sub.add_argument("--pack", help="teaching pack (default: the packaged pack of the scenario, if any)")
    sub.add_argument(
        "--no-compression", action="store_true", help="send states as plain JSON (fast networks)"
    )
    sub.add_argument("--quiet", action="store_true", help="log warnings only")


def serve_command(args: argparse.Namespace) -> int:
    """Create or resume a session and serve it until interrupted.

    The address is checked before the session is made; a new session that cannot be made or
    served leaves nothing in --state.
    """
    need_websockets()
    from critmin.classroom.server import ClassroomServer
    from critmin.classroom.session import SessionError
    from critmin.classroom.store import Store

    configure_logging(args.quiet)
    if args.turn_seconds is not None and args.turn_seconds <= 0:
        raise UserError("--turn-seconds must be positive")
    check_listen(args.host, args.port)
    made = None if args.resume else NewState(args.state, args.codes_file)
    store = Store.in_directory(args.state, create=True)
    server = None
    try:
        try:
            session = resume_session(store, args) if args.resume else new_session(store, args)
        except SessionError as error:
            raise UserError(str(error)) from None
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            err.print(f"[yellow]listening on {args.host}: reachable from the network; share the codes only "
                      "with the class[/]")  # fmt: skip
        server = ClassroomServer(session, host=args.host, port=args.port, state_dir=args.state,
                                 compress_states=not args.no_compression)  # fmt: skip
        try:
            asyncio.run(server.run())
        except OSError as error:
            raise UserError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
    except BaseException:
        store.close()
        if made is not None and not (server is not None and server.bound_port):
            made.undo()
        raise
    store.close()
    return EXIT_OK


def configure_logging(quiet: bool) -> None:
    """The server's log on stderr: one line per join, submission and turn."""
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(message)s", datefmt="%H:%M:%S")  # fmt: skip
    for noisy in ("websockets", "MESA"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def new_session(store, args: argparse.Namespace):
    """A fresh session: codes printed and written, everything stored."""
    from critmin.classroom import codes
    from critmin.classroom.packs import pack_for
    from critmin.classroom.session import Session, seat_list
    from critmin.scenarios import ScenarioError, load_scenario

    if not store.is_new():
        raise UserError(
            f"{args.state} already holds a session: add --resume to continue it, or use a new directory"
        )
    if not args.teams:
        raise UserError("--teams is required for a new session, e.g. --teams IND,CHN,USA")
    with user_errors(ScenarioError):
        scenario = load_scenario(args.scenario)
    teams = seat_list(scenario, args.teams)
    pack = args.pack or getattr(getattr(pack_for(scenario.id), "pack", None), "id", None)
    join_codes = codes.new_codes(teams)
    session = Session.create(
        store,
        scenario,
        teams=teams,
        seed=args.seed,
        turns=args.turns,
        turn_seconds=args.turn_seconds,
        pack=pack,
        code_digests={seat: codes.digest(c) for seat, c in join_codes.items()},
    )
    path = write_codes(join_codes, args.codes_file or args.state / "codes.json")
    session.keep_codes_file(path)
    print_codes(session, join_codes, path, args)
    return session


def resume_session(store, args: argparse.Namespace):
    """The stored session, rebuilt and checked; refuses a different scenario or team list."""
    from critmin.classroom.session import Session, seat_list

    session = Session.restore(store)
    stored = session.meta["scenario_id"]
    if Path(args.scenario).stem != stored and args.scenario != stored:
        raise UserError(f"{args.state} holds a session of {stored}, not {args.scenario}")
    if args.teams and seat_list(session.model.world_scenario, args.teams) != session.teams:
        raise UserError(f"{args.state} holds a session with teams {','.join(session.teams)}")
    if args.codes_file:  # a revoke writes its new code there from now on
        session.keep_codes_file(args.codes_file)
    out.print(
        f"resumed {stored} at turn {session.turn} ({session.model.date}), {session.phase}; "
        f"{len(session.model.hashes)} turns replayed with matching state hashes; join codes unchanged"
    )
    return session


def write_codes(join_codes: dict[str, str], path: Path) -> Path:
    """The codes as JSON, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        json.dump(join_codes, stream, indent=1)
    return path


def print_codes(session, join_codes: dict[str, str], path: Path, args: argparse.Namespace) -> None:
    """The join codes as a table, with how to use them."""
    names = session.info().team_names
    table = Table("seat", "name", "join code", title=f"{session.meta['scenario_id']}: join codes")
    for seat, code in join_codes.items():
        table.add_row(seat, escape(names.get(seat, "runs the session")), code)
    out.print(table)
    host = "ADDRESS" if args.host in ("0.0.0.0", "::") else args.host
    port = args.port or "PORT"
    placeholders = [
        *(["ADDRESS: this computer's address on the classroom network"] if host == "ADDRESS" else []),
        *(["PORT: the one the 'serving ... on' line below gives"] if port == "PORT" else []),
    ]
    out.print(
        f"codes written to {path}\nstudents: open http://{host}:{port} in a browser (or critmin join "
        f"{host}:{port} --code CODE)   instructor: http://{host}:{port}/instructor"
        + (f"\n({'; '.join(placeholders)})" if placeholders else "")
    )


# --- bot ----------------------------------------------------------------------------------


def add_bot(commands) -> None:
    """`critmin bot HOST:PORT --code C`."""
    sub = command(commands, "bot", bot_command, "Play a team's seat headless with its country's AI doctrine.")
    add_code(sub)
    sub.add_argument("--until-turn", type=int, help="leave when the session reaches this turn")
    sub.add_argument(
        "--think", type=float, default=0.0, help="wait up to this many seconds before submitting"
    )
    sub.add_argument("--ack-log", type=Path, help="append each acknowledged submission here (JSON lines)")
    sub.add_argument(
        "--retry-for", type=float, default=120.0, help="seconds to keep trying to reach the server"
    )
    sub.add_argument("--quiet", action="store_true", help="say nothing")


def bot_command(args: argparse.Namespace) -> int:
    """Run one bot until the session ends."""
    need_websockets()
    from critmin.classroom.bot import Bot
    from critmin.classroom.client import SessionClient

    client = SessionClient(
        args.address, require_code(args), snapshot=False, label="bot", retry_for=args.retry_for
    )
    bot = Bot(
        client, until_turn=args.until_turn, think_seconds=args.think, ack_log=args.ack_log, quiet=args.quiet
    )
    return client_errors(bot.run())


# --- instructor ---------------------------------------------------------------------------


def add_instructor(commands) -> argparse.ArgumentParser:
    """`critmin instructor HOST:PORT --code C COMMAND [ARG]`."""
    from critmin.classroom.protocol import COMMANDS

    sub = command(
        commands,
        "instructor",
        instructor_command,
        "Run the session: start, pause, resume, advance, undo, rollback TURN, extend S, inject EVENT, "
        "withdraw TITLE, replace TEAM, restore TEAM, revoke TEAM, mute, unmute, show_leaderboard, "
        "hide_leaderboard, status, watch (a live board in the terminal), view (the room over the map "
        "in the pygame window; --projector for the big screen).",
    )
    add_code(sub)
    sub.add_argument(
        "action",
        choices=(*COMMANDS, "watch", "view"),
        metavar="COMMAND",
        help=f"one of: {', '.join((*COMMANDS, 'watch', 'view'))}",
    )
    sub.add_argument(
        "argument",
        nargs="?",
        help="seconds (extend), event id or JSON (inject), title (withdraw), team (replace, restore, "
        "revoke), turn (rollback)",
    )
    sub.add_argument("--turn", type=int, help="advance: only if this turn is still open")
    sub.add_argument("--json", action="store_true", help="print the result as JSON")
    sub.add_argument(
        "--projector", action="store_true", help="view: open in projector mode (map, flows, big timer)"
    )
    return sub


def instructor_command(args: argparse.Namespace) -> int:
    """Send one command and print its outcome (or watch the room)."""
    need_websockets()
    import msgspec

    from critmin.classroom.instructor import run_watch, send_command, status_table

    code = require_code(args)
    if args.projector and args.action != "view":
        raise UserError("--projector goes with view: critmin instructor HOST:PORT --code C view --projector")
    if args.action == "view":
        if view_room(args.address, code, projector=args.projector, windows=args.windows):
            return EXIT_OK
        args.action = "watch"
    if args.action == "watch":
        run_watch(args.address, code, out)
        return EXIT_OK
    result = client_errors(send_command(args.address, code, args.action, args.argument, turn=args.turn))
    if args.json:
        print(json.dumps(msgspec.to_builtins(result), indent=1))
    else:
        (out if result.ok else err).print(
            ("" if result.ok else "[bold red]refused:[/] ") + escape(result.detail)
        )
        out.print(status_table(result.status))
    return EXIT_OK if result.ok else EXIT_FAILED


def view_room(address: str, code: str, *, projector: bool, windows: SeatWindows | None) -> bool:
    """The instructor's view in a game window; False (said why) if none can open."""
    from critmin.classroom.client import ConnectionLostError, JoinError
    from critmin.classroom.remote import RemoteError, RemoteWorld

    missing = "no game window was given" if windows is None else windows.missing()
    if missing is not None:
        err.print(f"[yellow]The instructor's view cannot open: {escape(missing)}; showing the terminal "
                  "board (watch) instead.[/]")  # fmt: skip
        return False
    with user_errors(JoinError, ConnectionLostError, RemoteError, ValueError):
        world = RemoteWorld(address, code, label="instructor-view").connect()
    try:
        if not world.is_instructor:
            raise UserError("this code is a team's: use `critmin join`")
        with user_errors(RemoteError):
            shown = windows.instructor(world, projector)
    finally:
        world.close()
    if shown is None:
        err.print("[yellow]Cannot open a window here (no display); showing the terminal board instead.[/]")
        return False
    return True


# --- join ---------------------------------------------------------------------------------


def add_join(commands) -> argparse.ArgumentParser:
    """`critmin join HOST:PORT --code C`."""
    sub = command(commands, "join", join_command, "Play a team's seat in a classroom session.")
    add_code(sub)
    sub.add_argument(
        "--text", action="store_true", help="use the terminal client even if the pygame UI can play"
    )
    sub.add_argument("--name", default="", help="your name, recorded on your orders and messages")
    sub.add_argument(
        "--retry-for",
        type=float,
        default=60.0,
        help="seconds to keep trying to reach the server (default 60: it may still be starting)",
    )
    return sub


def join_command(args: argparse.Namespace) -> int:
    """Join with the pygame UI if it can drive a remote seat, else in the terminal."""
    need_websockets()
    from critmin.classroom.client import ConnectionLostError, JoinError
    from critmin.classroom.join import run_join

    try:
        if len(args.name) > 40:
            raise UserError(f"--name is {len(args.name)} characters long; at most 40")
        if not args.retry_for >= 0:
            raise UserError("--retry-for must be 0 or more seconds")
        err.print(
            f"connecting to {escape(args.address)} (trying for up to {args.retry_for:g} s; Ctrl-C stops)"
        )
        return run_join(
            args.address,
            require_code(args),
            text=args.text,
            console=out,
            name=args.name.strip(),
            windows=args.windows,
            retry_for=args.retry_for,
        )
    except (JoinError, ConnectionLostError, ValueError) as error:
        raise UserError(str(error)) from None
    except TimeoutError:
        raise UserError("the server did not answer in time: is the session still running?") from None


# --- debrief ------------------------------------------------------------------------------


def add_debrief(commands) -> None:
    """`critmin debrief STATE_DIR --out FILE.html`."""
    sub = command(
        commands,
        "debrief",
        debrief_command,
        "Write a session's self-contained HTML debrief and CSV files for grading.",
    )
    sub.add_argument("state", type=Path, metavar="STATE_DIR", help="the session's --state directory")
    sub.add_argument("--out", type=Path, required=True, help="the HTML report to write")
    sub.add_argument("--csv", type=Path, help="directory for the CSV files (default: beside the report)")


def debrief_command(args: argparse.Namespace) -> int:
    """Read the session, replay the AI-only counterfactual, write the report."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UserError("the debrief draws charts with matplotlib: pip install matplotlib") from None
    from critmin.classroom.debrief import write_debrief
    from critmin.classroom.store import StoreError

    try:
        report, csv_paths = write_debrief(args.state, args.out, args.csv)
    except StoreError as error:
        raise UserError(str(error)) from None
    out.print(f"wrote {report} and {len(csv_paths)} CSV files in {csv_paths[0].parent}")
    return EXIT_OK


# --- pack ---------------------------------------------------------------------------------


def add_pack(commands) -> None:
    """`critmin pack [NAME] [--team ISO3]`."""
    sub = command(
        commands,
        "pack",
        pack_command,
        "List teaching packs, or print one's briefing and role cards (Markdown, for handouts).",
    )
    sub.add_argument("name", nargs="?", help="pack name (its scenario's name) or TOML path")
    sub.add_argument("--team", help="only this team's role cards (a handout)")


def pack_command(args: argparse.Namespace) -> int:
    """List packs or print one as Markdown."""
    from critmin.classroom.packs import PackError, load_pack, pack_markdown, pack_names

    if not args.name:
        for name in pack_names():
            pack = load_pack(name)
            out.print(f"{name}: {escape(pack.pack.title)} (teams {', '.join(pack.pack.teams)})")
        return EXIT_OK
    try:
        pack = load_pack(args.name)
    except PackError as error:
        raise UserError(str(error)) from None
    print(pack_markdown(pack, args.team.upper() if args.team else None))
    return EXIT_OK
