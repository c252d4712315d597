"""Benchmark: many clients on loopback, the time from `advance` to every client holding the new state.

Run it with `python -m critmin.classroom.bench [--clients 40] [--turns 10] [--browser]`. It
starts a real `critmin serve` process, spreads the clients over worker processes (as on many
laptops), lets one client per team play its AI doctrine, and has the instructor advance each
turn once every team's orders are in. A client "holds" the new state when it has received the
State message and decoded its observation and world snapshot.

With `--browser` every counted client speaks as the browser page does (student.js and room.js):
a hello with a person's name, the page's view, each State inflated and parsed as plain JSON
and checked to hold the new turn, nothing typed; the teams' orders then come from one extra bot
per team, in a process of their own (as from other laptops), not counted; they order as soon as
a State arrives, on this machine's cores. With `--players-wait` they order only once every counted
client holds the turn, as students read before they decide (their thinking then falls outside
the second measured, as it does on other laptops in a class). Clock: CLOCK_MONOTONIC, shared by
the processes of one machine. Prints JSON; not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from critmin.classroom import protocol as p
from critmin.classroom.bot import Bot, doctrine_of
from critmin.classroom.client import MAX_INCOMING_BYTES, POLICY_VIOLATION, SessionClient

TEAMS = ["IND", "CHN", "USA", "JPN", "EUU", "AUS", "KOR", "KAZ"]
START_TIMEOUT_S = 60.0


async def watch_states(index: int, address: str, code: str, plays: bool, turns: int, times) -> None:
    """One client: report when it holds each new state; the team's first client also plays."""
    client = SessionClient(address, code, snapshot=True, label=f"bench-{index}", retry_for=30)
    bot = Bot(client, quiet=True)
    await client.open()
    if plays:
        bot.controller = doctrine_of(client.welcome)  # type: ignore[arg-type]
    while True:
        message = await client.recv()
        if isinstance(message, p.State):
            p.decode_observation(message)
            p.decode_snapshot(message)
            times.put((index, message.turn, time.monotonic()))
            if message.turn >= turns:
                break
        if plays:
            await bot.react(message)
    await client.close()


async def watch_as_browser(index: int, address: str, code: str, turns: int, times) -> None:
    """One browser-protocol client: what the page does with each frame, timed at the parsed State.

    Like the page, it joins again when the server closes the connection (a hello that a loaded
    machine sent too late, a restart), and gives up only on a refusal.
    """
    from websockets.exceptions import ConnectionClosed

    name = f"student {index}"
    hello = json.dumps({"type": "hello", "code": code, "client": "browser", "figures": False, "name": name})
    while True:
        async with await browser_connection(address) as ws:
            await ws.send(hello)
            try:
                async for frame in ws:
                    data = zlib.decompress(frame) if isinstance(frame, bytes) and frame[:1] != b"{" else frame
                    message = json.loads(data)
                    if message["type"] == "state":
                        require_new_turn(message)
                        times.put((index, message["turn"], time.monotonic()))
                        if message["turn"] >= turns:
                            return
            except ConnectionClosed:
                pass
        if ws.close_code == POLICY_VIOLATION:
            raise RuntimeError(f"refused: {ws.close_reason}")


def require_new_turn(state: dict) -> None:
    """Fail unless a parsed State holds what the page draws, all of the same turn."""
    snapshot, observation = state["snapshot"], state["observation"]
    if snapshot["turn"] != state["turn"] or observation["turn"] != state["turn"] or state["legal"] is None:
        raise RuntimeError(f"state of turn {state['turn']} holds another turn's views")


async def browser_connection(address: str):
    """A websocket to the server, retried like the page retries (a loaded machine answers slowly)."""
    from websockets.asyncio.client import connect

    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            return await connect(f"ws://{address}/ws", max_size=MAX_INCOMING_BYTES, compression=None)
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


class ReadingBot(Bot):
    """A team's bot that orders a turn only once `gate` (shared by processes) has reached it."""

    def __init__(self, client: SessionClient, gate, **options) -> None:
        super().__init__(client, **options)
        self.gate = gate

    async def maybe_play(self) -> None:
        """Wait for the gate, then play as any bot does."""
        state = self.client.state
        while self.gate is not None and state is not None and self.gate.value < state.turn:
            await asyncio.sleep(0.01)
        await super().maybe_play()


async def play_only(address: str, code: str, turns: int, gate) -> None:
    """A bot that only sends a team's orders (browser mode: not counted)."""
    client = SessionClient(address, code, snapshot=False, label="bench-player", retry_for=30)
    await ReadingBot(client, gate, quiet=True, until_turn=turns).run()


def worker(clients: list[tuple[int, str, bool]], address: str, turns: int, times, browser: bool, gate):
    """A process holding several clients."""

    async def main():
        if browser:
            players = [reported(i, play_only(address, code, turns, gate)) for i, code, _ in clients if i < 0]
            watchers = [
                reported(i, watch_as_browser(i, address, code, turns, times))
                for i, code, _ in clients
                if i >= 0
            ]
            await asyncio.gather(*players, *watchers)
        else:
            await asyncio.gather(
                *(
                    reported(i, watch_states(i, address, code, plays, turns, times))
                    for i, code, plays in clients
                )
            )

    asyncio.run(main())


async def reported(index: int, client) -> None:
    """Run one client; say on stderr if it fails (the others go on)."""
    try:
        await client
    except Exception as error:
        print(f"bench client {index} failed: {error!r}", file=sys.stderr, flush=True)


def start_server(state: Path, scenario: str, compression: bool) -> tuple[subprocess.Popen, str]:
    """A `critmin serve` process on a free loopback port."""
    args = [
        sys.executable,
        "-c",
        "import sys; from critmin.cli import main; sys.exit(main())",
        "serve",
        scenario,
        "--teams",
        ",".join(TEAMS),
        "--state",
        str(state),
        "--port",
        "0",
        "--quiet",
    ]
    if not compression:
        args.append("--no-compression")
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not (state / "server.json").is_file():
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    return process, f"127.0.0.1:{json.loads((state / 'server.json').read_text())['port']}"


async def drive(address: str, code: str, turns: int, count: int, times, gate=None) -> list[dict]:
    """The instructor: start, then for each turn wait for the orders, advance, wait for every client.

    `gate` (if any) is raised to each turn once every client holds it: the players may order.
    """
    instructor = SessionClient(address, code, snapshot=False, label="bench-instructor")
    await instructor.open()
    await wait_clients(times, count, turn=0)
    raise_gate(gate, 0)
    await instructor.command("start")
    samples = []
    for turn in range(turns):
        await wait_orders(instructor, turn)
        started = time.monotonic()
        result = await instructor.command("advance", turn=turn)
        acknowledged = time.monotonic()
        arrivals = await wait_clients(times, count, turn=turn + 1)
        raise_gate(gate, turn + 1)
        samples.append(
            {
                "turn": turn,
                "ok": result.ok,
                "advance_ack_s": acknowledged - started,
                "all_clients_s": max(arrivals) - started,
                "per_client_s": [t - started for t in arrivals],
            }
        )
    await instructor.close()
    return samples


def raise_gate(gate, turn: int) -> None:
    """Let the players order `turn`."""
    if gate is not None:
        gate.value = turn


async def wait_orders(instructor: SessionClient, turn: int, timeout: float = 60.0) -> None:
    """Until every team's orders for `turn` are in."""
    async with asyncio.timeout(timeout):
        while True:
            status = (await instructor.command("status")).status
            if status.turn == turn and all(t.submitted for t in status.teams):
                return
            await asyncio.sleep(0.05)


async def wait_clients(times, count: int, turn: int, timeout: float = 120.0) -> list[float]:
    """Arrival times of `turn`'s state at every client."""
    arrivals: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    while len(arrivals) < count:
        if time.monotonic() > deadline:
            missing = sorted(set(range(count)) - set(arrivals))
            raise TimeoutError(f"only {len(arrivals)} of {count} clients got turn {turn}; missing {missing}")
        try:
            index, seen, at = await asyncio.to_thread(times.get, True, 1.0)
        except queue.Empty:
            continue
        if seen == turn:
            arrivals[index] = at
    return list(arrivals.values())


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (linear interpolation)."""
    return (
        statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]
        if len(values) > 1
        else values[0]
    )


@dataclass(frozen=True)
class Options:
    """What to measure: how many clients of which kind, for how many turns, of which scenario."""

    clients: int = 40
    turns: int = 10
    workers: int = 4
    scenario: str = "china-ree-controls-2025"
    compression: bool = True
    browser: bool = False
    players_wait: bool = False  # browser mode: players order once every counted client holds the turn


def run(options: Options = Options()) -> dict:
    """Run the benchmark and return its figures."""
    with tempfile.TemporaryDirectory(prefix="critmin-bench-") as directory:
        state = Path(directory)
        server, address = start_server(state, options.scenario, options.compression)
        try:
            return measure(state, address, options)
        finally:
            os.kill(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def measure(state: Path, address: str, options: Options) -> dict:
    """Start the client processes, drive the turns, summarise."""
    codes = json.loads((state / "codes.json").read_text())
    count, turns, browser = options.clients, options.turns, options.browser
    seats = [(i, codes[TEAMS[i % len(TEAMS)]], i < len(TEAMS)) for i in range(count)]
    context = multiprocessing.get_context("spawn")
    times = context.Queue()
    gate = context.Value("i", -1) if options.players_wait and browser else None
    processes = [
        context.Process(
            target=worker, args=(seats[w :: options.workers], address, turns, times, browser, gate)
        )
        for w in range(options.workers)
    ]
    if browser:  # the teams' orders come from their own process, as from other laptops
        players = [(-1, codes[team], True) for team in TEAMS]
        processes.append(context.Process(target=worker, args=(players, address, turns, None, browser, gate)))
    for process in processes:
        process.daemon = True
        process.start()
    try:
        samples = asyncio.run(drive(address, codes["instructor"], turns, count, times, gate))
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
    return {"scenario": options.scenario, "clients": count, "client_kind": "browser" if browser else "python",
            "teams": len(TEAMS), "turns": turns, "worker_processes": options.workers,
            "compression": options.compression, "players_wait_for_the_clients": gate is not None,
            "load_average_1min": round(os.getloadavg()[0], 2), **summarise(samples)}  # fmt: skip


def summarise(samples: list[dict]) -> dict:
    """Percentiles of the time from advance to all clients, to each client, to the instructor's ack."""
    all_clients = [s["all_clients_s"] for s in samples]
    per_client = [t for s in samples for t in s["per_client_s"]]
    return {
        "advance_to_all_clients_p50_s": percentile(all_clients, 0.50),
        "advance_to_all_clients_p95_s": percentile(all_clients, 0.95),
        "advance_to_all_clients_max_s": max(all_clients),
        "advance_to_one_client_p50_s": percentile(per_client, 0.50),
        "advance_to_one_client_p95_s": percentile(per_client, 0.95),
        "advance_acknowledged_p50_s": percentile([s["advance_ack_s"] for s in samples], 0.50),
        "per_turn_all_clients_s": [round(v, 4) for v in all_clients],
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4, help="client processes")
    parser.add_argument("--scenario", default="china-ree-controls-2025")
    parser.add_argument("--no-compression", action="store_true")
    parser.add_argument("--browser", action="store_true", help="clients speak as the browser page does")
    parser.add_argument(
        "--players-wait", action="store_true", help="browser mode: bots order once every client has the turn"
    )
    args = parser.parse_args(argv)
    options = Options(args.clients, args.turns, args.workers, args.scenario, not args.no_compression,
                      args.browser, args.players_wait)  # fmt: skip
    figures = run(options)
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
