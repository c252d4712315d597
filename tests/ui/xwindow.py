"""A real `critmin play` window under Xvfb, driven with xdotool, read through its layout file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parents[2]
WAIT_S = 30.0
SETTLE_FRAMES = 5  # a widget's answer can take an event hop per frame


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """Xvfb on a free display (it picks the number and tells it through a pipe)."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        raise RuntimeError("Xvfb did not start")
    return server, f":{number}"


class XWindow:
    """`critmin play ARGS` in a real window on `display`, with its layout file."""

    def __init__(self, display: str, args: list[str], workdir: Path, scene: str = "GameScene") -> None:
        self.display = display
        self.layout_file = workdir / "layout.json"
        env = {
            **os.environ,
            "DISPLAY": display,
            "SDL_VIDEODRIVER": "x11",
            "SDL_AUDIODRIVER": "dummy",
            "PYTHONPATH": str(ROOT),
        }
        command = [sys.executable, "-m", "critmin", "play", *args, "--layout-file", str(self.layout_file)]
        self.process = subprocess.Popen(
            command, env=env, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.env = env
        self.last = self.wait(lambda layout: layout.get("state", {}).get("scene") == scene)
        self.window = self.find_window()

    def xdotool(self, *args: str) -> str:
        """Run xdotool on this display; its output."""
        done = subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=WAIT_S, check=True
        )
        return done.stdout

    def read(self) -> dict:
        """The layout the app wrote last."""
        return json.loads(self.layout_file.read_text())

    def wait(self, condition, after: int = -1) -> dict:
        """The first layout written after frame `after` that meets `condition`."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"critmin play exited: {self.process.stdout.read().decode()[-2000:]}")
            if self.layout_file.exists():
                layout = self.read()
                if layout["frame"] > after and condition(layout):
                    self.last = layout
                    return layout
            time.sleep(0.05)
        last = self.read().get("state") if self.layout_file.exists() else "none written yet"
        raise AssertionError(f"timed out after {WAIT_S:.0f} s waiting; last layout state: {last}")

    def settled(self, until=None) -> dict:
        """A layout written once the events sent so far were handled (a few frames on), meeting `until`."""
        frame = self.read()["frame"]
        return self.wait(
            lambda layout: layout["frame"] >= frame + SETTLE_FRAMES and (until is None or until(layout)),
            after=frame,
        )

    def widget(self, name: str) -> dict:
        """A widget of the latest layout by name."""
        return self.last["widgets"][name]

    def move(self, x: int, y: int) -> None:
        """Move the pointer to a window position."""
        self.xdotool("mousemove", "--window", self.window, str(x), str(y))

    def click_at(self, x: int, y: int, until=None) -> dict:
        """A real left click at a window position; the layout once the app has handled it (and `until`)."""
        self.move(x, y)
        self.xdotool("click", "1")
        return self.settled(until)

    def click(self, name: str, until=None) -> dict:
        """Click the middle of a widget, by its name in the layout."""
        x, y, w, h = self.widget(name)["rect"]
        return self.click_at(x + w // 2, y + h // 2, until)

    def type_text(self, text: str) -> None:
        """Select what the focused text entry holds and type over it."""
        self.xdotool("key", "--window", self.window, "ctrl+a")
        self.xdotool("type", "--window", self.window, "--delay", "30", text)

    def resize(self, width: int, height: int) -> dict:
        """Resize the window through X; the layout once the app has laid itself out again."""
        self.xdotool("windowsize", self.window, str(width), str(height))
        layout = self.wait(lambda layout: layout["size"] == [width, height])
        self.window = self.find_window()  # SDL may give the resized window a new X window
        return layout

    def screenshot(self, path: Path) -> Path:
        """What the X server shows of the window, as a PNG (Pillow's X11 grab)."""
        from PIL import ImageGrab

        geometry = dict(
            line.split("=") for line in self.xdotool("getwindowgeometry", "--shell", self.window).split()
        )
        x, y, w, h = (int(geometry[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
        ImageGrab.grab(bbox=(x, y, x + w, y + h), xdisplay=self.display).save(path)
        return path

    def find_window(self) -> str:
        """The X window of the game's process."""
        return self.xdotool("search", "--sync", "--pid", str(self.process.pid)).split()[-1]

    def close(self) -> None:
        """End the game's process."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
