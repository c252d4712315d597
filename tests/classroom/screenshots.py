"""The teacher's guide's screenshots: a real browser session on loopback, photographed.

Run `python -m tests.classroom.screenshots docs/images` (needs chromium, chromedriver and
selenium). It serves china-ree-controls-2025 with its pack, joins the instructor, the projector,
students of two teams and a team playing the state firm KABIL, plays two turns with orders,
reasoning, a refused order, chat, a deal proposal and a stake, and saves PNGs of each page.
"""

from __future__ import annotations

import signal
import sys
import tempfile
from pathlib import Path

from tests.classroom.browsers import Page, join_instructor, join_student
from tests.classroom.conftest import ServerProcess
from tests.classroom.test_browser import add_order, command, propose_to_buy

TEAMS = "CHN,IND,USA,JPN,EUU,AUS,kabil"
SIZE = (1400, 860)


def photograph(out: Path) -> list[Path]:
    """Play a short session and save the screenshots; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="critmin-shots-"))
    server = ServerProcess(root / "state", "china-ree-controls-2025", TEAMS, "--turn-seconds", "480").start()
    url = f"http://{server.address}/"
    pages: list[Page] = []
    shots: list[Path] = []

    def shot(page: Page, name: str) -> None:
        path = out / f"classroom-{name}.png"
        page.screenshot(path)
        shots.append(path)

    try:
        join = Page(url, size=SIZE)
        pages.append(join)
        join.type("#code", server.codes["IND"])
        join.type("#name", "Asha")
        shot(join, "join")
        join.click("#join-button")
        join.until(lambda: join.text("#link") == "connected", "Asha's page")
        instructor = join_instructor(url, server.codes["instructor"])
        pages.append(instructor)
        ben = join_student(url, server.codes["IND"], "Ben")
        chen = join_student(url, server.codes["CHN"], "Chen")
        pages += [ben, chen]
        command(instructor, "#start", "session started")
        add_order(join, "fund_program")
        join.type("#draft li input[data-key=usd_m]", "99999")
        join.click("#check")
        join.until(lambda: "Refused" in join.text("#draft li .verdict"), "the refusal")
        shot(join, "refused-order")
        join.click("#draft li button.remove")
        add_order(join, "invest")
        reasoning = "Build our own separation capacity: Chinese licences are slow and will stay political"
        join.type("#reasoning", reasoning)
        join.click("#send")
        join.until(lambda: "accepted" in join.text("#orders-result"), "the acknowledgement")
        chen.click("button[data-tab=chat]")
        chen.type("#chat-text", "China can speed up licences for partners who invest in Chinese separation")
        chen.click("#chat-send")
        join.click("button[data-tab=chat]")
        join.until(lambda: "Chen" in join.text("#messages"), "the message")
        join.type("#chat-text", "India wants a two-year offtake first")
        join.click("#chat-send")
        propose_to_buy(ben, "CHN", "ree_heavy/magnet", "400", "ceiling", "450")
        ben.until(lambda: "Added to your orders" in ben.text("#deal-result"), "the proposal in the orders")
        shot(ben, "deal-form")
        kabil = join_student(url, server.codes["kabil"], "Dev")
        pages.append(kabil)
        add_order(kabil, "acquire_stake")
        kabil.type("#reasoning", "A foothold in heavy rare earths outside China")
        kabil.click("#send")
        kabil.until(lambda: "accepted" in kabil.text("#orders-result"), "the firm's acknowledgement")
        for turn in range(2):
            command(instructor, "#advance", f"turn {turn} (")
        join.until(lambda: join.find("g.flows").get_attribute("data-turn") == "2", "the flows of turn 2")
        join.click("button[data-tab=dashboard]")
        shot(join, "student")
        join.click("button[data-tab=report]")
        shot(join, "turn-report")
        kabil.until(lambda: kabil.all("table.holdings tbody tr"), "the firm's stake")
        kabil.click("button[data-tab=dashboard]")
        shot(kabil, "firm")
        command(instructor, "#leaderboard", "leaderboard shown")
        instructor.choose("#inject-pick", "kachin-fighting")
        command(instructor, "#inject", "Kachin")
        shot(instructor, "instructor")
        projector = Page(instructor.find("#projector-link").get_attribute("href"), size=(1600, 900))
        pages.append(projector)
        projector.until(lambda: projector.find("g.flows").get_attribute("data-turn") == "2", "the projector")
        projector.until(lambda: not projector.find("#leaderboard").get_attribute("hidden"), "the leaderboard")
        shot(projector, "projector")
    finally:
        for page in pages:
            page.close()
        server.kill(signal.SIGTERM)
    return shots


if __name__ == "__main__":
    for saved in photograph(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")):
        print(saved)
