"""Links between the docs resolve, and so do the docs' paths and section names the code quotes.

Every relative markdown link of README.md, CHANGELOG.md and docs/*.md names a file that exists
and, with a `#fragment`, a heading of that file (GitHub's anchors); every `docs/NAME.md` the
code, tests and tools name exists, and a section quoted after it (`docs/NAME.md, "Heading"`) is
a heading of that page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").glob("*.md")])
SOURCES = sorted(
    path
    for folder in ("critmin", "tests", "tools")
    for path in (ROOT / folder).rglob("*.py")
    if path != Path(__file__).resolve()  # this file's docstring names the patterns
)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
DOC_PATH = re.compile(r"\bdocs/[\w-]+\.md\b")
QUOTED_SECTION = re.compile(r"\b(docs/[\w-]+\.md), \"([^\"]+)\"")


def prose(text: str) -> str:
    """The page without its fenced code blocks (their lines blanked, so line numbers hold)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            lines.append("")
        else:
            lines.append("" if fenced else line)
    return "\n".join(lines)


def headings(page: Path) -> list[str]:
    """The text of every heading of a markdown page, in order."""
    lines = prose(page.read_text()).splitlines()
    return [line.lstrip("#").strip() for line in lines if re.match(r"#{1,6} ", line)]


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor of a page's headings; a repeated heading's later ones get -1, -2, ..."""
    seen: dict[str, int] = {}
    found = set()
    for heading in headings(page):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def problems(page: Path) -> list[str]:
    """Each relative link of `page` whose file or heading is missing."""
    found, text = [], prose(page.read_text())
    for link in LINK.finditer(text):  # a link's text may run over lines
        target = link.group(1)
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked here
        path, _, fragment = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        where = f"{page.relative_to(ROOT)}:{text.count(chr(10), 0, link.start()) + 1}: {target}"
        if not linked.exists():
            found.append(f"{where}: no such file")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            found.append(f"{where}: no such heading")
    return found


def test_the_anchor_of_a_heading_is_githubs():
    assert slug("Figures (issue 19, fifth wave, continued: `apply_policies` and settle)") == (
        "figures-issue-19-fifth-wave-continued-apply_policies-and-settle"
    )
    assert slug("Where the AI turn's time goes now") == "where-the-ai-turns-time-goes-now"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_resolves(page):
    assert problems(page) == []


def test_every_docs_page_the_code_names_exists():
    named = {(source, path) for source in SOURCES for path in DOC_PATH.findall(source.read_text())}
    assert named, "the code names no docs page: the pattern is wrong"
    missing = [f"{source.relative_to(ROOT)}: {path}" for source, path in named if not (ROOT / path).exists()]
    assert sorted(missing) == []


def quoted_sections() -> set[tuple[Path, str, str]]:
    """(source, docs page, section) of every section the code quotes after a docs page, spaces joined."""
    return {
        (source, path, " ".join(section.split()))
        for source in SOURCES
        for path, section in QUOTED_SECTION.findall(source.read_text())
    }


def test_every_section_the_code_quotes_is_a_heading_of_its_page():
    quoted = quoted_sections()
    assert quoted, "the code quotes no docs section: the pattern is wrong"
    missing = [
        f"{source.relative_to(ROOT)}: {path}, {section!r}"
        for source, path, section in quoted
        if (ROOT / path).exists() and section not in [text.replace("`", "") for text in headings(ROOT / path)]
    ]
    assert sorted(missing) == []
