"""Network seats in the pygame UI, against a real session server on loopback.

A joined team drafts, ends its turn (the server records the submission) and sees the next turn
when the instructor advances; the instructor's view shows who has submitted, and its buttons
advance the turn and hand a team to the AI. Hidden window (SDL's dummy driver, see conftest).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pygame
import pytest

pytest.importorskip("websockets")

from critmin.classroom import join
from critmin.classroom.remote import RemoteWorld
from critmin.ui.remote import InstructorScene, RemoteGameScene, RemoteSession, countdown, option_text
from tests.classroom.conftest import CRITMIN, ServerProcess
from tests.conftest import TINY
from tests.waiting import wait_for

TIMEOUT_S = 15.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A live tiny-world session (CHN, IND, AUS) with a clock, started by the instructor."""
    state = tmp_path_factory.mktemp("ui-remote") / "state"
    server = ServerProcess(state, TINY, "CHN,IND,AUS", "--turn-seconds", "600").start()
    assert server.instructor("start").ok
    yield server
    server.kill(signal.SIGTERM)


@pytest.fixture
def seat(server):
    """Open RemoteWorlds for seats; all closed after the test."""
    worlds: list[RemoteWorld] = []

    def open_seat(name: str) -> RemoteWorld:
        world = RemoteWorld(server.address, server.codes[name], timeout=TIMEOUT_S, retry_for=5.0).connect()
        worlds.append(world)
        return world

    yield open_seat
    for world in worlds:
        world.close()


def frames_until(driver, predicate, what: str):
    """Run frames until `predicate()` holds (bounded)."""

    def step():
        driver.frames(1)
        return predicate()

    return wait_for(step, TIMEOUT_S, interval=0.01, what=what)


def submitted_on_server(server) -> dict[str, str | None]:
    """Submission ids the server holds for the open turn, per team whose orders are in."""
    return {t.team: t.submission_id for t in server.status().teams if t.submitted}


def room(scene) -> dict[str, str]:
    """What the instructor's board says of each team."""
    return {label.split()[0]: state for label, state, _ in scene.room_rows()}


def test_a_joined_team_ends_a_turn_and_sees_the_next(server, seat, app, driver):
    world = seat("IND")
    scene = app.scenes.push(RemoteGameScene(app, RemoteSession(world)))
    driver.frames(3)
    turn = scene.model.turn
    assert "you play IND" in scene.title.text and "orders in" in scene.title.text
    assert scene.model.observe("IND") is not None and scene.model.observe("CHN") is None

    order = world.legal_actions("IND")[0]
    assert scene.session.add_order(order) is None
    driver.click(scene.end_button)
    held = wait_for(lambda: submitted_on_server(server).get("IND"), TIMEOUT_S, what="IND's orders")
    assert held.startswith(f"IND-t{turn}-")
    assert world.state().turn == turn and scene.session.sent
    frames_until(driver, lambda: "your orders are in" in scene.title.text, "the title to say so")

    assert server.instructor("advance", turn=turn).ok
    frames_until(driver, lambda: scene.model.turn == turn + 1, "the new state on screen")
    assert scene.session.orders() == [] and not scene.session.sent
    assert f"turn {turn + 2} of" in scene.title.text
    assert turn in scene.model.tables()["countries"]["turn"].to_pylist()  # from the new snapshot
    assert scene.history()  # the price chart's history, built from the snapshots received


def test_the_instructor_view_shows_submissions_and_advances(server, seat, app, driver):
    instructor = seat("instructor")
    scene = app.scenes.push(InstructorScene(app, instructor))
    driver.frames(3)
    turn = scene.model.turn
    seat("CHN").submit("CHN", [])
    frames_until(driver, lambda: "CHN" in scene.submitted(), "CHN's orders on the board")
    rows = room(scene)
    assert rows["CHN"] == "orders in" and rows["IND"].startswith("waiting")
    assert ":" in countdown(scene.world.seconds_left())

    advance = next(button for button, name in scene.controls.items() if name == "advance")
    driver.click(advance)
    assert server.status().turn == turn + 1
    frames_until(driver, lambda: scene.model.turn == turn + 1, "the advanced turn on screen")
    assert "advance" in scene.last_result


def test_the_instructor_hands_a_team_to_the_ai_and_projects(server, seat, app, driver):
    scene = app.scenes.push(InstructorScene(app, seat("instructor")))
    driver.frames(3)
    assert option_text(scene.replace_menu) == "CHN"
    driver.click(scene.replace_button)
    seats = {t.team: t.seat for t in server.status().teams}
    assert seats["CHN"] == "ai"
    frames_until(driver, lambda: room(scene)["CHN"] == "AI plays", "CHN's seat shown as AI")
    assert not scene.inject_button.is_enabled  # the tiny world has no teaching pack

    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_v, mod=0, unicode="v"))
    driver.frames(3)
    driver.frames(5)  # the big timer and the team chips draw
    assert scene.projector and not scene.replace_button.visible


class FakeWindows:
    """Game windows that record the seat they were asked to show (or say they cannot open)."""

    def __init__(self, missing: str | None = None) -> None:
        self.why, self.opened = missing, []

    def missing(self) -> str | None:
        return self.why

    def team(self, world) -> int:
        self.opened.append((world.seat, world.outline().id))
        world.close()
        return 0

    def instructor(self, world, projector: bool) -> int:
        self.opened.append(("instructor", projector, world.is_instructor))
        return 0


def test_join_opens_the_window_for_a_team(server):
    from rich.console import Console

    windows = FakeWindows()
    assert (
        join.run_join(server.address, server.codes["AUS"], text=False, console=Console(), windows=windows)
        == 0
    )
    assert windows.opened == [("AUS", "tiny")]


def test_the_instructor_view_opens_a_window_on_the_instructors_code_only(server):
    from critmin.classroom.commands import view_room
    from critmin.core.console import UserError

    windows = FakeWindows()
    assert view_room(server.address, server.codes["instructor"], projector=True, windows=windows)
    assert windows.opened == [("instructor", True, True)]
    with pytest.raises(UserError, match="a team's"):
        view_room(server.address, server.codes["IND"], projector=False, windows=windows)
    assert not view_room(server.address, "x", projector=False, windows=FakeWindows(missing="no pygame"))


def test_the_cli_hands_join_the_pygame_windows():
    from critmin.cli import build_parser
    from critmin.launcher import PygameWindows

    args = build_parser().parse_args(["join", "127.0.0.1:9", "--code", "x"])
    assert isinstance(args.windows, PygameWindows) and args.windows.missing() is None


def test_join_without_pygame_says_so_and_uses_the_text_client(monkeypatch, capsys):
    async def text_client(self):
        return 0

    monkeypatch.setattr(join.TextClient, "run", text_client)
    from rich.console import Console

    windows = FakeWindows(missing="pygame not installed (pip install 'critmin[ui]')")
    assert join.run_join("127.0.0.1:9", "code", text=False, console=Console(width=200), windows=windows) == 0
    assert "pip install 'critmin[ui]'" in capsys.readouterr().out and windows.opened == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs a Linux session without a display")
def test_join_without_a_display_falls_back_to_the_text_client(server):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    joined_run = subprocess.run(
        [*CRITMIN, "join", server.address, "--code", server.codes["IND"]],
        input="send\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert joined_run.returncode == 0, joined_run.stderr
    assert "Cannot open a window here" in joined_run.stdout and "orders stored" in joined_run.stdout


def test_projector_goes_with_the_view(cli, server):
    instructor = server.codes["instructor"]
    code, _, err = cli("instructor", server.address, "--code", instructor, "advance", "--projector")
    assert code == 2 and "--projector goes with view" in err
