"""Real headless Chromium pages (Debian's chromium and chromedriver) driven by selenium.

Each browser gets a fresh profile and the flags that keep it off the network: it talks only to
the session server on loopback. Waits are bounded; a failing wait shows the page's text.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,900",
)
WAIT_S = 60.0  # every wait is on a state of the page: the bound only matters when it fails


class Page:
    """One browser tab on a classroom page."""

    def __init__(self, url: str, size: tuple[int, int] = (1400, 900)) -> None:
        self.profile = tempfile.mkdtemp(prefix="critmin-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile}")
        options.add_argument(f"--window-size={size[0]},{size[1]}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.get(url)

    def close(self) -> None:
        """Quit the browser and delete its profile."""
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def find(self, css: str):
        """The first element matching a CSS selector."""
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list:
        """Every element matching a CSS selector."""
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        """The text of an element (as in the DOM, before CSS changes its case)."""
        return (self.find(css).get_attribute("textContent") or "").strip()

    def type(self, css: str, text: str) -> None:
        """Replace an input's value by typing."""
        element = self.find(css)
        element.clear()
        element.send_keys(text)

    def click(self, css: str) -> None:
        """Click an element (after scrolling it into view), finding it again if an update redrew it."""

        def clicked() -> bool:
            element = self.find(css)
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
            element.click()
            return True

        WebDriverWait(self.driver, WAIT_S, 0.1, (StaleElementReferenceException,)).until(lambda _: clicked())

    def choose(self, css: str, value: str) -> None:
        """Pick an option of a select by value, finding the select again if an update redrew it."""

        def chosen() -> bool:
            Select(self.find(css)).select_by_value(value)
            return True

        WebDriverWait(self.driver, WAIT_S, 0.1, (StaleElementReferenceException,)).until(lambda _: chosen())

    def until(self, predicate: Callable[[], object], what: str, timeout: float = WAIT_S):
        """Wait until `predicate()` is truthy; fail with the page's text otherwise."""

        def check(_driver):
            try:
                return predicate()
            except WebDriverException:
                return False

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(check)
        except Exception:
            body = self.driver.find_element(By.TAG_NAME, "body").text[-2000:]
            message = f"timed out waiting for {what}; page shows:\n{body}\nlog: {self.errors()}"
            raise AssertionError(message) from None

    def errors(self) -> list[str]:
        """Severe messages of the browser console (script errors)."""
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]

    def screenshot(self, path) -> None:
        """Save a PNG of the page."""
        self.driver.save_screenshot(str(path))


def join_student(url: str, code: str, name: str) -> Page:
    """A student's page, joined with a team code and a name."""
    page = Page(url)
    page.type("#code", code)
    page.type("#name", name)
    page.click("#join-button")

    def playing() -> bool:
        """The Welcome shows the game; the State (the next message, inflated later) fills the turn."""
        shown = page.find("#game").is_displayed() and page.text("#link") == "connected"
        return shown and bool(page.text("#turn"))

    page.until(playing, "the game and its first state")
    return page


def join_instructor(url: str, code: str) -> Page:
    """The instructor's page, joined with the instructor's code."""
    page = Page(url + "instructor")
    page.type("#code", code)
    page.click("#join-button")
    page.until(lambda: page.find("#room").is_displayed() and page.all("#teams tr"), "the room")
    return page
