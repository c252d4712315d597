"""One front end, two worlds: the engine's model and a classroom seat are both WorldViews.

`WorldModel` and `RemoteWorld` are checked member by member against the protocols of
core/world_view.py, then the same screens (the game scene, its dashboard, news, prices, orders
and report) are driven on each: a local tiny world and a live tiny session where every team
sends empty orders. Both worlds play the same turn, so the screens must read the same.
"""

from __future__ import annotations

import inspect
import signal

import pytest

pytest.importorskip("websockets")

from critmin.agents.controllers import QueuedController
from critmin.classroom.remote import RemoteWorld
from critmin.core.world_view import RoomView, WorldView
from critmin.engine.model import WorldModel
from critmin.ui.game import GameScene
from critmin.ui.orders import OrdersPanel
from critmin.ui.panels import PricesPanel, dashboard_html, news_html, report_html
from critmin.ui.remote import RemoteGameScene, RemoteSession
from critmin.ui.session import Session
from tests.classroom.conftest import ServerProcess
from tests.conftest import TINY
from tests.waiting import wait_for

TEAMS = ("CHN", "IND", "AUS")
TIMEOUT_S = 20.0


def conformance_problems(world: object, protocol: type) -> list[str]:
    """What `world` lacks of `protocol`: missing members, methods that take other arguments."""
    problems = []
    for name in sorted(n for n in dir(protocol) if not n.startswith("_")):
        declared = inspect.getattr_static(protocol, name)
        if isinstance(declared, property):
            if not hasattr(world, name):
                problems.append(f"{name}: missing")
            continue
        implemented = getattr(world, name, None)
        if not callable(implemented):
            problems.append(f"{name}: not a method")
            continue
        parameters = list(inspect.signature(declared).parameters.values())[1:]
        positional = [p for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
        try:
            inspect.signature(implemented).bind(*range(len(positional)))
        except TypeError as error:
            problems.append(f"{name}: {error}")
    return problems


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A live tiny-world session (CHN, IND, AUS) with a clock, started by the instructor."""
    state = tmp_path_factory.mktemp("world-view") / "state"
    server = ServerProcess(state, TINY, ",".join(TEAMS), "--turn-seconds", "600").start()
    assert server.instructor("start").ok
    yield server
    server.kill(signal.SIGTERM)


@pytest.fixture
def seats(server):
    """Joined RemoteWorlds by team; all closed after the test."""
    worlds = {team: RemoteWorld(server.address, server.codes[team], timeout=TIMEOUT_S) for team in TEAMS}
    for world in worlds.values():
        world.connect()
    yield worlds
    for world in worlds.values():
        world.close()


def test_the_model_and_a_classroom_seat_implement_the_world_view(seats):
    model = WorldModel(TINY, seed=1)
    assert isinstance(model, WorldView) and conformance_problems(model, WorldView) == []
    seat = seats["IND"]
    assert isinstance(seat, RoomView) and conformance_problems(seat, RoomView) == []
    assert conformance_problems(object(), WorldView)  # the check notices what is missing


def test_the_same_screens_read_a_local_world_and_a_classroom_seat_alike(server, seats, app, driver):
    local = Session(WorldModel(TINY, controllers={team: QueuedController() for team in TEAMS}), ["IND"])
    remote = RemoteSession(seats["IND"])
    screens = {}
    for name, session in (("local", local), ("remote", remote)):
        scene = GameScene(app, session, selected="IND") if name == "local" else RemoteGameScene(app, session)
        app.scenes.push(scene)
        driver.frames(2)
        screens[name] = [read(scene)]
        end_turn_with_empty_orders(name, scene, server, seats, driver)
        screens[name].append(read(scene))
        app.scenes.pop()
    assert local.model.snapshot().state_hash == remote.model.snapshot().state_hash
    for (local_screen, remote_screen), turn in zip(zip(*screens.values(), strict=True), (0, 1), strict=True):
        assert local_screen == remote_screen, f"turn {turn}"
    dashboard, _, prices, orders, report = screens["local"][1]
    assert "India (IND)" in dashboard and "Treasury USD" in dashboard
    assert prices and orders and "Your orders" in report


def end_turn_with_empty_orders(name: str, scene, server, seats, driver) -> None:
    """End the turn from the scene; in the session every other team sends nothing too, then it advances."""
    turn = scene.model.turn
    scene.end_turn()
    if name == "remote":
        for team in ("CHN", "AUS"):
            assert seats[team].submit(team, []) == []
        assert server.instructor("advance", turn=turn).ok

        def next_turn_shown():
            driver.frames(1)
            return scene.model.turn == turn + 1

        wait_for(next_turn_shown, TIMEOUT_S, interval=0.01, what="the next turn on screen")
    driver.frames(2)


def read(scene) -> tuple:
    """What the screens say: the dashboard, news, a price chart's series, the order menu, the report."""
    prices = scene.panel(PricesPanel)
    prices.open()
    scene.panel(OrdersPanel).open()
    scene.app.settle(2)
    series = scene.history().get(prices.line)
    return (
        dashboard_html(scene, "IND"),
        news_html(scene),
        (series.turns, series.china, series.outside) if series else None,
        [scene.words.order(a) for a in scene.model.legal_actions("IND")],
        report_html(scene),
    )
