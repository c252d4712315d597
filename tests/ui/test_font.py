"""The UI's font has a glyph for every character the UI writes (no boxes for arrows or dashes)."""

from __future__ import annotations

from pathlib import Path

import pygame

from critmin.ui.widgets import font

UI = Path(__file__).parents[2] / "critmin" / "ui"
MISSING = "\U0010fffd"  # a private-use character no font has: it renders as the font's box


def drawn_as_box(character: str, size: int = 14) -> bool:
    """True if the font renders the character as its missing-glyph box."""
    pygame.font.init()
    face = font(size)
    box = pygame.image.tobytes(face.render(MISSING, True, (255, 255, 255)), "RGBA")
    return pygame.image.tobytes(face.render(character, True, (255, 255, 255)), "RGBA") == box


def test_every_non_ascii_character_of_the_ui_has_a_glyph():
    used = {ch for path in UI.glob("*.py") for ch in path.read_text(encoding="utf-8") if ord(ch) > 127}
    assert used, "the UI writes some non-ASCII characters (·, «, »)"
    boxes = sorted(ch for ch in used if drawn_as_box(ch))
    assert not boxes, f"drawn as boxes: {boxes}"
    assert drawn_as_box("\u2192"), "the check can fail: the arrow has no glyph in this font"
